#!/usr/bin/env bash
# Set up (once) and run the whole test suite: .venv with the pinned test packages, Debian's Chromium,
# Java and npm (axe-core and the Nu HTML Checker from package-lock.json),
# the freeze environment (.venv-freeze, torch CPU) that re-computes the attention figures, then pytest.
# Usage: bash scripts/run-tests.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_venv .venv requirements-dev.txt
ensure_debian chromium chromium java default-jre-headless npm npm pdftoppm poppler-utils
ensure_node_modules
if [ -f requirements-freeze.txt ]; then
  ensure_venv .venv-freeze requirements-freeze.txt
  nodeps_want="$(sha256sum requirements-freeze-nodeps.txt | cut -d' ' -f1)"
  if [ ! -f .venv-freeze/.nodeps.sha256 ] || [ "$(cat .venv-freeze/.nodeps.sha256)" != "$nodeps_want" ]; then
    .venv-freeze/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-freeze-nodeps.txt
    echo "$nodeps_want" > .venv-freeze/.nodeps.sha256
  fi
  export ATELIER_FREEZE_PYTHON="$PWD/.venv-freeze/bin/python"
fi
exec .venv/bin/python -m pytest "$@"
