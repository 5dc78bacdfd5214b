#!/usr/bin/env bash
# Install cir-portal and serve the portal of the bundled example register on http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NO_MKDOCS_2_WARNING=1
.venv/bin/cir validate
exec .venv/bin/mkdocs serve -a "${CIR_ADDR:-127.0.0.1:8000}" "$@"
