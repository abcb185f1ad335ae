#!/bin/sh
# Checks that nothing from the input reaches a terminal as a control
# sequence: the alert table of hostile values, and the bad-record messages
# for a file whose name carries an escape sequence, show ESC as \x1b and
# contain no raw ESC, C1 control (UTF-8 0xC2 0x80 to 0x9F) or
# right-to-left override (U+202E).
# Usage: tests/extra/terminal_escapes.sh path/to/infrahunt
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# True when file contains a raw ESC, C1 control or U+202E.
has_controls() {
    od -An -tx1 -v "$1" | tr -s ' \n' '  ' | grep -Eq ' 1b | c2 (8[0-9a-f]|9[0-9a-f]) | e2 80 ae '
}

"$BIN" scan "$ROOT/tests/cases/hostile-values-table/hostile.jsonl" >"$tmp/table.txt" 2>&1
if has_controls "$tmp/table.txt"; then
    echo "FAIL terminal escapes: the alert table carries raw control characters"
    failed=1
fi
grep -qF '\x1b[31mred' "$tmp/table.txt" || {
    echo "FAIL terminal escapes: the table does not show ESC as \\x1b"
    failed=1
}

mkdir "$tmp/logs"
name=$(printf 'conn\033]0;title\007\302\233.log')
printf '{"Timestamp":"2024-05-13T08:00:00Z","DeviceId":"d","DeviceName":"x","ActionType":"ConnectionSuccess","RemoteIP":"1.2.3.4","RemotePort":"bad","RemoteUrl":"","InitiatingProcessFileName":"p"}\n' \
    >"$tmp/logs/$name"
"$BIN" scan "$tmp/logs" >/dev/null 2>"$tmp/messages.txt"
if has_controls "$tmp/messages.txt"; then
    echo "FAIL terminal escapes: a bad-record message carries the file name's control characters"
    failed=1
fi
grep -qF 'conn\x1b]0;title\x07\u009b.log:1: invalid RemotePort' "$tmp/messages.txt" || {
    echo "FAIL terminal escapes: the message does not name the file with escapes: $(cat "$tmp/messages.txt")"
    failed=1
}
[ $failed = 0 ] && echo "terminal escapes: table and messages carry no control characters"
exit $failed
