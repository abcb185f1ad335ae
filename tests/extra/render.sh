#!/bin/sh
# Checks `infrahunt export`: KQL with Microsoft's analyzer against the
# documented Defender schemas, Sigma against a JSON Schema written from the
# Sigma specification, the other languages' structure and golden files, and
# the rendered SQL on DuckDB against `infrahunt scan` on the same rows.
# Usage: tests/extra/render.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=$ROOT/tests/render
if [ ! -d "$DIR/node_modules" ] || [ ! -d "$ROOT/tests/parity/node_modules" ]; then
    echo "FAIL render: npm packages missing in tests/render or tests/parity; run tools/setup.sh"
    exit 1
fi
failed=0
profiles="seed $DIR/profiles/hostile.yaml"

cd "$DIR" || exit 1
# shellcheck disable=SC2086
node kql/check.mjs "$BIN" $profiles || failed=1
# shellcheck disable=SC2086
node sigma/check.mjs "$BIN" $profiles || failed=1
node structure.mjs "$BIN" || failed=1
node sql_parity.mjs "$BIN" || failed=1
sh "$DIR/cli.sh" "$BIN" || failed=1
exit $failed
