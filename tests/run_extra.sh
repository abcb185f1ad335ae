#!/bin/sh
# Runs the tests that need more than a fixed command line: each
# tests/extra/*.sh script, and the parity test against DuckDB.
# Usage: tests/run_extra.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
for t in "$ROOT"/tests/extra/*.sh; do
    [ -f "$t" ] || continue
    echo "== $(basename "$t")"
    if sh "$t" "$BIN"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $(basename "$t")"; fi
done
if [ -f "$ROOT/tests/parity/run.mjs" ]; then
    echo "== parity with DuckDB"
    if [ ! -d "$ROOT/tests/parity/node_modules" ]; then
        echo "FAIL parity: tests/parity/node_modules missing; run tools/setup.sh"
        failed=$((failed + 1))
    elif node "$ROOT/tests/parity/run.mjs" "$BIN"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
fi
echo "extra: $passed passed, $failed failed"
[ $failed = 0 ]
