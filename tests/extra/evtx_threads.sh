#!/bin/sh
# Checks that scanning an EVTX file gives the same alerts, statistics and
# messages for 1, 2 and 4 threads, for jobs of one chunk each
# (INFRAHUNT_CHUNK_SIZE=65536), and, for the alerts, when the file is read as
# a gzip stream. Runs on a file from the EVTX writer with alerts, and on a
# damaged copy of it.
# Usage: tests/extra/evtx_threads.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

fail() {
    echo "FAIL $1"
    failed=$((failed + 1))
}

pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}

LIB=$(dirname "$BIN")/libinfrahunt.a
SAN=""
if nm "$LIB" 2>/dev/null | grep -q __asan_init; then
    SAN="-fsanitize=address,undefined"
fi
if ! cc -std=c11 -O1 $SAN -o "$tmp/gen_evtx" "$ROOT/bench/gen_evtx.c" "$LIB" -lz; then
    echo "FAIL evtx threads: cannot build bench/gen_evtx.c against $LIB"
    exit 1
fi
"$tmp/gen_evtx" --records 20000 --seed 11 "$tmp/sysmon.evtx" 2>/dev/null || exit 1

# A copy with a zeroed record size in chunk 3 and a broken signature on chunk 5.
cp "$tmp/sysmon.evtx" "$tmp/damaged.evtx"
printf '\000\000\000\000' | dd of="$tmp/damaged.evtx" bs=1 seek=$((4096 + 3 * 65536 + 516)) \
    conv=notrunc 2>/dev/null
printf 'ElfJunk' | dd of="$tmp/damaged.evtx" bs=1 seek=$((4096 + 5 * 65536)) conv=notrunc 2>/dev/null

run_scan() {
    name=$1
    shift
    "$BIN" scan --profile seed -f jsonl --stats "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    echo $? >"$tmp/$name.status"
}

same_run() {
    what=$1 a=$2 b=$3
    if ! cmp -s "$tmp/$a.status" "$tmp/$b.status"; then
        fail "$what: exit status $(cat "$tmp/$b.status"), expected $(cat "$tmp/$a.status")"
    elif ! cmp -s "$tmp/$a.out" "$tmp/$b.out"; then
        fail "$what: alerts differ"
        diff "$tmp/$a.out" "$tmp/$b.out" | head -10
    elif ! cmp -s "$tmp/$a.err" "$tmp/$b.err"; then
        fail "$what: standard error differs"
        diff "$tmp/$a.err" "$tmp/$b.err" | head -10
    else
        pass "$what"
    fi
}

for file in sysmon damaged; do
    run_scan "$file-t1" --threads 1 "$tmp/$file.evtx"
    run_scan "$file-t2" --threads 2 "$tmp/$file.evtx"
    run_scan "$file-t4" --threads 4 "$tmp/$file.evtx"
    INFRAHUNT_CHUNK_SIZE=65536 run_scan "$file-c2" --threads 2 "$tmp/$file.evtx"
    INFRAHUNT_CHUNK_SIZE=65536 run_scan "$file-c4" --threads 4 "$tmp/$file.evtx"
    if [ ! -s "$tmp/$file-t1.out" ]; then
        fail "$file: no alerts with 1 thread, so the comparisons prove little"
    fi
    same_run "$file, 2 threads" "$file-t1" "$file-t2"
    same_run "$file, 4 threads" "$file-t1" "$file-t4"
    same_run "$file, 2 threads, a job per chunk" "$file-t1" "$file-c2"
    same_run "$file, 4 threads, a job per chunk" "$file-t1" "$file-c4"
done

if grep -q "invalid record size" "$tmp/damaged-t1.err" &&
    grep -q "invalid chunk signature" "$tmp/damaged-t1.err"; then
    pass "damaged: both problems reported"
else
    fail "damaged: a message is missing:"
    head -5 "$tmp/damaged-t1.err"
fi

gzip -c "$tmp/sysmon.evtx" >"$tmp/sysmon.evtx.gz"
run_scan gz --threads 2 "$tmp/sysmon.evtx.gz"
if cmp -s "$tmp/sysmon-t1.out" "$tmp/gz.out"; then
    pass "gzip stream, same alerts"
else
    fail "gzip stream: alerts differ"
    diff "$tmp/sysmon-t1.out" "$tmp/gz.out" | head -10
fi

echo "evtx threads: $passed passed, $failed failed"
[ "$failed" = 0 ]
