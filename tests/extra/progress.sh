#!/bin/sh
# Checks the progress bar on a pseudo-terminal made by script(1): it is drawn
# while a long scan reads, with the percentage and the time left when the
# input size is known, and without them for standard input; it is erased at
# the end; and it stays off with --no-progress, with TERM=dumb, and when
# stderr is not a terminal.
# Usage: tests/extra/progress.sh path/to/infrahunt
set -u
BIN=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
    echo "FAIL progress: $1"
    failed=1
}
if ! command -v script >/dev/null 2>&1; then
    echo "FAIL progress: script(1) missing; install Debian's bsdutils"
    exit 1
fi

# About 200 MiB, read by one thread: over half a second even unoptimized.
"$BIN" simulate --test beacon --format zeek-json --layout stream --size 200M -o "$tmp/big.jsonl" || exit 1

# script runs the command on a new pseudo-terminal of 120 columns and copies
# what the command wrote there to its own stdout; -e returns the command's
# exit status.
on_terminal() {
    out=$1
    shift
    TERM=xterm LANG=C.UTF-8 script -qec "stty cols 120; $*" /dev/null </dev/null >"$out"
}

on_terminal "$tmp/tty.txt" "'$BIN' scan -t 1 -f jsonl -o '$tmp/alerts.jsonl' '$tmp/big.jsonl'" ||
    fail "scan on a terminal failed"
grep -q 'infrahunt: \[' "$tmp/tty.txt" || fail "no bar drawn: $(head -c 300 "$tmp/tty.txt")"
grep -q '% .* MiB of .* MiB .* events .*/s .* left' "$tmp/tty.txt" ||
    fail "no percentage, size, events, rate and time left: $(head -c 300 "$tmp/tty.txt")"
# The last thing written is the erase: carriage return, then ESC [ K.
[ "$(tail -c 4 "$tmp/tty.txt" | od -An -tx1 | tr -d ' \n')" = 0d1b5b4b ] ||
    fail "the bar is not erased at the end: $(tail -c 40 "$tmp/tty.txt" | od -An -c)"
[ -s "$tmp/alerts.jsonl" ] || fail "no alerts written to the file while the bar was drawn"

# Standard input has no known size: bytes read and time elapsed, no bar.
on_terminal "$tmp/stdin.txt" "cat '$tmp/big.jsonl' | '$BIN' scan -t 1 -f jsonl -o /dev/null -" ||
    fail "scan of standard input on a terminal failed"
grep -q 'infrahunt: .* MiB read .* events .* elapsed' "$tmp/stdin.txt" ||
    fail "no bytes read and time elapsed for standard input: $(head -c 300 "$tmp/stdin.txt")"
grep -q 'infrahunt: \[' "$tmp/stdin.txt" && fail "a bar without a known size"

on_terminal "$tmp/off.txt" "'$BIN' scan --no-progress -t 1 -f jsonl -o /dev/null '$tmp/big.jsonl'" ||
    fail "scan --no-progress failed"
grep -q 'infrahunt:' "$tmp/off.txt" && fail "--no-progress drew: $(head -c 200 "$tmp/off.txt")"

TERM=dumb script -qec "'$BIN' scan -t 1 -f jsonl -o /dev/null '$tmp/big.jsonl'" /dev/null </dev/null >"$tmp/dumb.txt" ||
    fail "scan with TERM=dumb failed"
grep -q 'infrahunt:' "$tmp/dumb.txt" && fail "TERM=dumb drew: $(head -c 200 "$tmp/dumb.txt")"

# stderr to a pipe while stdout is a terminal: nothing on stderr.
on_terminal "$tmp/piped.txt" "'$BIN' scan -t 1 -f jsonl -o /dev/null '$tmp/big.jsonl' 2>'$tmp/stderr.txt'" ||
    fail "scan with stderr to a file failed"
[ -s "$tmp/stderr.txt" ] && fail "drawn on a stderr that is not a terminal: $(head -c 200 "$tmp/stderr.txt")"

# events writes its results as it reads, so it draws only while they go elsewhere.
on_terminal "$tmp/events.txt" "'$BIN' events '$tmp/big.jsonl' >/dev/null" || fail "events failed"
grep -q 'infrahunt: \[' "$tmp/events.txt" || fail "events to /dev/null drew no bar"

[ $failed = 0 ] && echo "progress: bar drawn and erased on a terminal, off when it should be"
exit $failed
