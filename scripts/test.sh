#!/usr/bin/env bash
# Install everything the tests need (Python packages, Chromium) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export NO_MKDOCS_2_WARNING=1
exec .venv/bin/python -m pytest "$@"
