#!/usr/bin/env bash
# Set up (once) and run the whole test suite: .venv with the pinned test packages, Debian's Chromium,
# the freeze environment (.venv-freeze, torch CPU) that re-computes the attention figures, then pytest.
# Usage: bash scripts/run-tests.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_venv .venv requirements-dev.txt
ensure_chromium
if [ -f requirements-freeze.txt ]; then
  ensure_venv .venv-freeze requirements-freeze.txt
  if [ -f requirements-freeze-nodeps.txt ] && [ ! -f .venv-freeze/.nodeps-done ]; then
    .venv-freeze/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-freeze-nodeps.txt
    touch .venv-freeze/.nodeps-done
  fi
  export ATELIER_FREEZE_PYTHON="$PWD/.venv-freeze/bin/python"
fi
exec .venv/bin/python -m pytest "$@"
