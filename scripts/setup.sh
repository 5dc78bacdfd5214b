#!/usr/bin/env bash
# Create .venv with cir-portal and its test tools; install Debian's Chromium and a CJK font
# for the browser tests when missing (Playwright cannot download browsers here).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "WenQuanYi"; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
    else
      echo "Chromium is missing: run 'sudo apt-get install chromium fonts-wqy-microhei' (Debian/Ubuntu)." >&2
      exit 1
    fi
  fi
fi
