#!/bin/sh
# Builds infrahunt and runs the labelled evaluation; extra arguments go to
# run.mjs (--markdown for the table in docs/BEACON.md, or case names).
# Usage: sh bench/eval/run.sh [--markdown] [CASE...]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
make -C "$ROOT" -s build/infrahunt
exec node "$ROOT/bench/eval/run.mjs" "$ROOT/build/infrahunt" "$@"
