#!/usr/bin/env bash
# Set up (once) and build the site: creates .venv, installs the pinned packages, runs build.py.
# Usage: bash scripts/build-site.sh [build.py options, e.g. --strict]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_venv .venv requirements.txt
exec .venv/bin/python build.py "$@"
