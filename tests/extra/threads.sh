#!/bin/sh
# Checks that scan output does not depend on how the input is read: the same
# alerts (and, with --stats, the same statistics) for 1, 2 and 4 threads, for
# 4 KiB chunks of each JSON lines file (INFRAHUNT_CHUNK_SIZE=4096), and for the
# lines of a file in shuffled order, with the seed and the default profiles.
# Runs on examples/ and, when present, on the real data in $INFRAHUNT_DATA
# (default ../shared/data from the root).
# Usage: tests/extra/threads.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${INFRAHUNT_DATA:-$ROOT/../shared/data}
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

# Runs one scan into $tmp/$1.out and $tmp/$1.err, with the remaining words as arguments.
run_scan() {
    name=$1
    shift
    "$BIN" scan -f jsonl --stats --profile "$PROFILE" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    echo $? >"$tmp/$name.status"
}

# Compares standard output, standard error and exit status of two runs.
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

# Scans the paths with 1 thread, 2 threads, 4 threads and 4 threads in 4 KiB chunks.
check_threads() {
    label=$1
    shift
    run_scan t1 --threads 1 "$@"
    run_scan t2 --threads 2 "$@"
    run_scan t4 --threads 4 "$@"
    INFRAHUNT_CHUNK_SIZE=4096 run_scan chunks --threads 4 "$@"
    INFRAHUNT_CHUNK_SIZE=4096 run_scan chunks2 --threads 2 "$@"
    if [ "$(cat "$tmp/t1.status")" != 0 ]; then
        fail "$label: exit status $(cat "$tmp/t1.status") with 1 thread"
        head -5 "$tmp/t1.err"
        return
    fi
    same_run "$label, 2 threads" t1 t2
    same_run "$label, 4 threads" t1 t4
    same_run "$label, 4 threads in 4 KiB chunks" t1 chunks
    same_run "$label, 2 threads in 4 KiB chunks" t1 chunks2
}

# Scans a file and a copy with its lines shuffled, and requires equal alerts.
# Leading lines that start with '#' (a Zeek header) stay in place, and later
# ones (#close) are dropped. Messages about bad records name other lines in
# the copy, so only the alerts are compared.
check_shuffled() {
    label=$1 file=$2
    keep=$(awk '!/^#/ { print NR - 1; exit }' "$file")
    head -n "$keep" "$file" >"$tmp/shuffled.input"
    # A fixed random source keeps a failure reproducible.
    tail -n +"$((keep + 1))" "$file" | grep -v '^#' | shuf --random-source="$file" \
        >>"$tmp/shuffled.input"
    if cmp -s "$file" "$tmp/shuffled.input"; then
        fail "$label: shuf left the lines in order"
        return
    fi
    run_scan ordered --threads 1 "$file"
    run_scan shuffled --threads 1 "$tmp/shuffled.input"
    INFRAHUNT_CHUNK_SIZE=4096 run_scan shuffled_chunks --threads 4 "$tmp/shuffled.input"
    if ! cmp -s "$tmp/ordered.out" "$tmp/shuffled.out"; then
        fail "$label, shuffled lines: alerts differ"
        diff "$tmp/ordered.out" "$tmp/shuffled.out" | head -10
    elif ! cmp -s "$tmp/ordered.out" "$tmp/shuffled_chunks.out"; then
        fail "$label, shuffled lines in 4 KiB chunks: alerts differ"
        diff "$tmp/ordered.out" "$tmp/shuffled_chunks.out" | head -10
    else
        pass "$label, shuffled lines"
    fi
}

# Fails unless the last scan found at least one alert, so that a comparison of
# empty outputs does not pass unnoticed.
expect_alerts() {
    if [ ! -s "$tmp/$2.out" ]; then
        fail "$1: no alerts, so the comparison above proves little"
    fi
}

cd "$ROOT" || exit 1

# A copy of the default profile that keeps only 256 timestamps per group in
# 10-minute buckets, so the bucket sampling runs (and must not depend on
# threads) on the examples and real data too.
sed -e 's/^    max_timestamps: [0-9]*/    max_timestamps: 256/' \
    -e 's/^    sample_bucket: [0-9a-z]*/    sample_bucket: 10m/' profiles/default.yaml >"$tmp/default-small.yaml"

for PROFILE in seed default "$tmp/default-small.yaml"; do
echo "-- profile $(basename "$PROFILE")"

check_threads "$(basename "$PROFILE"): examples" examples/
expect_alerts "$(basename "$PROFILE"): examples" t1
check_shuffled "$(basename "$PROFILE"): examples Defender JSON lines" examples/defender-network-events.jsonl

# Bad records spread over many chunks: the first ten messages, with their line
# numbers, and the counts must not depend on the chunks either.
awk 'NR % 13 == 5 { print "{\"Timestamp\": [" NR; next } { print }' \
    examples/defender-network-events.jsonl >"$tmp/with-bad-lines.jsonl"
check_threads "$(basename "$PROFILE"): Defender JSON lines with bad records" "$tmp/with-bad-lines.jsonl"
if ! grep -q 'with-bad-lines.jsonl:5: invalid JSON' "$tmp/chunks.err"; then
    fail "$(basename "$PROFILE"): Defender JSON lines with bad records: no message for line 5"
fi
expect_alerts "$(basename "$PROFILE"): examples Defender JSON lines" ordered
check_shuffled "$(basename "$PROFILE"): examples Zeek conn.log" examples/conn.log
expect_alerts "$(basename "$PROFILE"): examples Zeek conn.log" ordered

if [ ! -d "$DATA" ]; then
    echo "SKIP real data: not found at $DATA (set INFRAHUNT_DATA)"
else
    check_threads "$(basename "$PROFILE"): sysmon-mordor" "$DATA/sysmon-mordor/sysmon-net"
    check_threads "$(basename "$PROFILE"): rita-missing-host" "$DATA/zeek/rita-missing-host"
    expect_alerts "$(basename "$PROFILE"): rita-missing-host" t1
    check_threads "$(basename "$PROFILE"): stratosphere" "$DATA/zeek/stratosphere"
    check_threads "$(basename "$PROFILE"): slips" "$DATA/zeek/slips"
    check_threads "$(basename "$PROFILE"): wrccdc-dns" "$DATA/zeek/wrccdc-dns"

    # One JSON lines file of all Sysmon recordings, shuffled.
    cat "$DATA"/sysmon-mordor/sysmon-net/*.jsonl >"$tmp/sysmon-all.jsonl"
    check_threads "$(basename "$PROFILE"): sysmon-mordor in one file" "$tmp/sysmon-all.jsonl"
    check_shuffled "$(basename "$PROFILE"): sysmon-mordor in one file" "$tmp/sysmon-all.jsonl"

    # Zeek JSON conn log with alerts, shuffled.
    check_shuffled "$(basename "$PROFILE"): slips test9 JSON conn.log" "$DATA/zeek/slips/test9-mixed-zeek-dir/conn.log"
    expect_alerts "$(basename "$PROFILE"): slips test9 JSON conn.log" ordered

    # All conn records of the rita host in one TSV file: the first file's header, then every record.
    first=$(ls "$DATA"/zeek/rita-missing-host/*/conn.*.log.gz | head -1)
    gzip -dc "$first" | grep '^#' | grep -v '^#close' >"$tmp/rita-conn.log"
    for f in "$DATA"/zeek/rita-missing-host/*/conn.*.log.gz; do
        gzip -dc "$f" | grep -v '^#'
    done >>"$tmp/rita-conn.log"
    check_shuffled "$(basename "$PROFILE"): rita-missing-host conn records in one file" "$tmp/rita-conn.log"
    expect_alerts "$(basename "$PROFILE"): rita-missing-host conn records in one file" ordered
fi

done

echo "threads: $passed passed, $failed failed"
[ "$failed" = 0 ]
