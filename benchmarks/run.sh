#!/usr/bin/env bash
# Benchmark: our build vs MkDocs Material vs Hugo on the same synthetic French course (see README.md,
# « Mesurer les performances »). Prepares benchmarks/_work/venv (git-ignored), then runs benchmarks/run.py;
# options pass through: bash benchmarks/run.sh --sizes 3,100 --repeat 3
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
source scripts/lib.sh
ensure_venv benchmarks/_work/venv requirements.txt benchmarks/requirements.txt
exec benchmarks/_work/venv/bin/python benchmarks/run.py "$@"
