#!/usr/bin/env bash
# Set up formcheck in ./.venv from scratch. `scripts/setup.sh --test` also installs the test
# tools and Debian's Chromium (for the real-browser test of the live page).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$with_tests" = 1 ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
# Build the pose model bundle from the mediapipe wheel once (offline, checksum-verified).
.venv/bin/python -c "from formcheck.pose.model import default_bundle; default_bundle()"
