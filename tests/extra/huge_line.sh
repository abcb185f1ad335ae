#!/bin/sh
# Bad input too large or too binary for a static case folder, made at test time:
#   - a 100 MB line between good lines, read from a mapped file, from standard
#     input and from gzip: reported as "line too long", the good lines read;
#   - a Defender CSV quoted field that spans lines past the 16 MiB record limit;
#   - gzip and zstd files cut short, and a gzip member followed by garbage:
#     the lines before the damage read, the damage reported, exit status 3;
#   - binary garbage, plain and behind a gzip header.
# Usage: tests/extra/huge_line.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
failed=0

fail() {
    echo "FAIL $*"
    sed 's/^/    stderr: /' err | head -5
    failed=$((failed + 1))
}

# check NAME STATUS EVENTS STDERR_TEXT: the last run's exit status, number of
# events on standard output, and a text its standard error must contain.
check() {
    got_events=$(wc -l <out | tr -d ' ')
    if [ "$status" != "$2" ]; then
        fail "$1: exit status $status, expected $2"
    elif [ "$got_events" != "$3" ]; then
        fail "$1: $got_events events, expected $3"
    elif ! grep -qF -- "$4" err; then
        fail "$1: standard error lacks: $4"
    else
        echo "PASS $1"
    fi
}

run() {
    "$BIN" "$@" >out 2>err
    status=$?
}

# One Defender record per line, second N of 2024-05-01T10:00.
good_line() {
    printf '{"Timestamp":"2024-05-01T10:%02d:%02dZ","DeviceId":"d1","DeviceName":"ws-1",' \
        $(($1 / 60 % 60)) $(($1 % 60))
    printf '"ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.7","RemotePort":443}\n'
}

good_lines() {
    i=0
    while [ $i -lt "$1" ]; do
        good_line $i
        i=$((i + 1))
    done
}

# ---- A 100 MB line ----
{
    good_line 1
    printf '{"Timestamp":"2024-05-01T10:00:02Z","DeviceName":"ws-1","ActionType":"ConnectionSuccess","RemoteUrl":"'
    head -c 100000000 /dev/zero | tr '\000' a
    printf '"}\n'
    good_line 3
} >huge.jsonl

run events huge.jsonl
check "100 MB line, mapped file" 0 2 "huge.jsonl:2: line too long"
run events - <huge.jsonl
check "100 MB line, standard input" 0 2 "-:2: line too long"
gzip -1 -c huge.jsonl >huge.jsonl.gz
run events huge.jsonl.gz
check "100 MB line, gzip" 0 2 "huge.jsonl.gz:2: line too long"
rm -f huge.jsonl huge.jsonl.gz

# ---- A quoted CSV field over 16 MiB, spread over 20 lines of 1 MB ----
{
    printf 'Timestamp,DeviceName,ActionType,RemoteIP,RemotePort\n'
    printf '2024-05-01T10:00:01Z,ws-1,ConnectionSuccess,203.0.113.7,443\n'
    printf '2024-05-01T10:00:02Z,"'
    i=0
    while [ $i -lt 20 ]; do
        head -c 1000000 /dev/zero | tr '\000' b
        printf '\n'
        i=$((i + 1))
    done
    printf '",ConnectionSuccess,203.0.113.8,443\n'
    printf '2024-05-01T10:00:03Z,ws-1,ConnectionSuccess,203.0.113.7,443\n'
} >big-field.csv
run events big-field.csv
check "CSV record over 16 MiB" 0 2 "big-field.csv:3: record too long"
rm -f big-field.csv

# ---- Compressed files cut short ----
good_lines 2000 >lines.jsonl
size_of() { wc -c <"$1" | tr -d ' '; }

# Without its 8-byte trailer (CRC-32 and length) every line is still in the data.
gzip -9 -c lines.jsonl >full.gz
head -c $(($(size_of full.gz) - 8)) full.gz >no-trailer.gz
run events no-trailer.gz
check "gzip without its trailer" 3 2000 "no-trailer.gz: byte"
grep -qF "truncated gzip data" err || fail "gzip without its trailer: no 'truncated gzip data' message"

# Cut in the middle, the lines before the cut are read and none after it.
head -c $(($(size_of full.gz) / 2)) full.gz >half.gz
run events half.gz
n=$(wc -l <out | tr -d ' ')
if [ "$status" != 3 ] || [ "$n" -lt 1 ] || [ "$n" -ge 2000 ] || ! grep -qF "truncated gzip data" err; then
    fail "gzip cut in half: exit status $status, $n events; expected 3 and 1 to 1999 events"
else
    echo "PASS gzip cut in half ($n of 2000 lines read)"
fi

# A whole member followed by bytes that are no gzip member: its lines are read.
{ cat full.gz; printf 'not gzip\n'; } >member-then-garbage.gz
run events member-then-garbage.gz
check "gzip member, then garbage" 3 2000 "corrupt gzip data"

# zstd writes a 4-byte checksum after the last block.
zstd -q -c lines.jsonl >full.zst
head -c $(($(size_of full.zst) - 4)) full.zst >no-checksum.zst
run events no-checksum.zst
check "zstd without its checksum" 3 2000 "truncated zstd data"
head -c $(($(size_of full.zst) / 2)) full.zst >half.zst
run events half.zst
n=$(wc -l <out | tr -d ' ')
if [ "$status" != 3 ] || [ "$n" -lt 1 ] || [ "$n" -ge 2000 ] || ! grep -qF "truncated zstd data" err; then
    fail "zstd cut in half: exit status $status, $n events; expected 3 and 1 to 1999 events"
else
    echo "PASS zstd cut in half ($n of 2000 lines read)"
fi
rm -f lines.jsonl full.gz no-trailer.gz half.gz member-then-garbage.gz full.zst no-checksum.zst half.zst

# ---- Binary garbage ----
# 4096 fixed bytes, starting with 0x05, which is no format's first byte.
printf "$(awk 'BEGIN { for (i = 0; i < 4096; i++) printf "\\%03o", (i * 73 + 5) % 256 }')" >garbage.bin
good_lines 1 >good.jsonl
run events garbage.bin good.jsonl
check "binary garbage" 3 1 "garbage.bin: unknown format"

gzip -c garbage.bin >garbage.bin.gz
run events garbage.bin.gz good.jsonl
check "binary garbage in gzip" 3 1 "garbage.bin.gz: unknown format"

# A gzip header followed by garbage.
{ printf '\037\213\010\000\000\000\000\000\000\003'; cat garbage.bin; } >bad-deflate.gz
run events bad-deflate.gz good.jsonl
check "gzip header, then garbage" 3 1 "bad-deflate.gz: byte 0: unreadable input: corrupt gzip data"

[ $failed = 0 ]
