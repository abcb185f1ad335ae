#!/bin/sh
# Runs the labelled evaluation (bench/eval) and fails when the default
# profile misses a target: a labelled beacon not found at medium severity or
# above, one not ranked first on its host, or a benign series above low.
# Real-data cases read $INFRAHUNT_DATA (default ../shared/data from the
# root) and are skipped, with a message, when it is missing.
# Usage: tests/extra/eval.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v node >/dev/null 2>&1; then
    echo "FAIL eval: node not found; run tools/setup.sh"
    exit 1
fi
exec node "$ROOT/bench/eval/run.mjs" "$BIN"
