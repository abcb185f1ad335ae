#!/bin/sh
# Runs the end-to-end cases: one folder per case under tests/cases, holding
#   args             the command-line arguments (shell words; $DATA is the real
#                    data folder, $CASE this case's folder)
#   expected_status  the exit status (default 0)
#   expected_stdout  the exact standard output, if present
#   stderr_contains  lines that must each appear in standard error, if present
#   stderr_empty     present when standard error must be empty
#   needs_data       present when the case reads the real data set
#   README           where the input came from
# Usage: tests/run_cases.sh path/to/infrahunt [case-name...]
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${INFRAHUNT_DATA:-$ROOT/../shared/data}
export DATA
# Cases see no ASN database unless their arguments name one, so their output
# does not depend on the environment.
INFRAHUNT_ASN_DB=none
export INFRAHUNT_ASN_DB
passed=0 failed=0 skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# -gt 0 ]; then cases=$*; else cases=$(ls "$ROOT/tests/cases"); fi
for name in $cases; do
    CASE=$ROOT/tests/cases/$name
    export CASE
    [ -f "$CASE/args" ] || continue
    if [ -f "$CASE/needs_data" ] && [ ! -d "$DATA" ]; then
        echo "SKIP $name: real data not found at $DATA (set INFRAHUNT_DATA)"
        skipped=$((skipped + 1))
        continue
    fi
    args=$(cat "$CASE/args")
    if [ -f "$CASE/stdin" ]; then
        (cd "$ROOT" && eval "\"\$BIN\" $args" <"$CASE/stdin" >"$tmp/out" 2>"$tmp/err")
    else
        (cd "$ROOT" && eval "\"\$BIN\" $args" </dev/null >"$tmp/out" 2>"$tmp/err")
    fi
    status=$?
    want=0
    [ -f "$CASE/expected_status" ] && want=$(cat "$CASE/expected_status")
    ok=1 why=""
    if [ "$status" != "$want" ]; then
        ok=0 why="exit status $status, expected $want"
    fi
    if [ $ok = 1 ] && [ -f "$CASE/expected_stdout" ] && ! cmp -s "$tmp/out" "$CASE/expected_stdout"; then
        ok=0 why="standard output differs:
$(diff "$CASE/expected_stdout" "$tmp/out" | head -20)"
    fi
    if [ $ok = 1 ] && [ -f "$CASE/stderr_contains" ]; then
        while IFS= read -r line; do
            [ -z "$line" ] && continue
            if ! grep -qF -- "$line" "$tmp/err"; then
                ok=0 why="standard error lacks: $line"
                break
            fi
        done <"$CASE/stderr_contains"
    fi
    if [ $ok = 1 ] && [ -f "$CASE/stderr_empty" ] && [ -s "$tmp/err" ]; then
        ok=0 why="standard error is not empty: $(head -3 "$tmp/err")"
    fi
    if [ $ok = 1 ]; then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $why"
        sed 's/^/    stderr: /' "$tmp/err" | head -10
        failed=$((failed + 1))
    fi
done
echo "cases: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
