#!/bin/sh
# Checks the man page docs/infrahunt.1. It must render without groff
# warnings and name every option that each command's --help lists. Each
# command line of its EXAMPLES section (the lines between .EX and .EE) must
# exit with status 0, run in order in an empty folder with infrahunt on PATH.
# Usage: tests/extra/man_examples.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PAGE=$ROOT/docs/infrahunt.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 ran=0

if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$PAGE" 2>"$tmp/groff.err"
    if [ -s "$tmp/groff.err" ]; then
        echo "FAIL man page: groff warns: $(head -5 "$tmp/groff.err")"
        failed=1
    fi
else
    echo "man page: groff not installed, rendering not checked"
fi

# The page as plain text, with roff's \- and \e read as - and \.
sed -e 's/\\-/-/g' -e 's/\\e/\\/g' "$PAGE" >"$tmp/page.txt"
for cmd in scan events export simulate selftest; do
    for opt in $("$BIN" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        if ! grep -q -- "$opt" "$tmp/page.txt"; then
            echo "FAIL man page: $cmd option $opt is not described"
            failed=1
        fi
    done
done

mkdir "$tmp/bin" "$tmp/work"
ln -s "$BIN" "$tmp/bin/infrahunt"
awk '/^\.EX/ { inside = 1; next } /^\.EE/ { inside = 0; next } inside' "$tmp/page.txt" >"$tmp/examples.txt"
while IFS= read -r line; do
    [ -z "$line" ] && continue
    ran=$((ran + 1))
    if (cd "$tmp/work" && PATH="$tmp/bin:$PATH" sh -c "$line") >"$tmp/out" 2>&1 </dev/null; then
        echo "ok   $line"
    else
        echo "FAIL man example (status $?): $line"
        head -10 "$tmp/out"
        failed=1
    fi
done <"$tmp/examples.txt"
if [ "$ran" -lt 5 ]; then
    echo "FAIL man page: only $ran examples found between .EX and .EE"
    failed=1
fi
exit $failed
