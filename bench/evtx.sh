#!/bin/sh
# Benchmarks infrahunt's EVTX reader against evtxexport (Debian package
# libevtx-utils) on one generated Sysmon EVTX file: MB/s and records/s of
# `infrahunt scan --profile seed` with one thread and with every core, and of
# `evtxexport`, which has one thread.
#
# Usage: bench/evtx.sh [MB] [SEED]     (defaults: 512 MiB, seed 1)
# Environment: RUNS=N runs each command N times and reports the fastest run
# (default 1). OTHER=P makes P percent of the records events that the reader
# skips (default 20; 0 makes every record a Sysmon event 3 or 22).
#
# The file and all outputs stay in bench/out/, which git ignores. The file is
# generated once per MB, SEED and OTHER and reused, and read once before each
# run so that every run starts with it in the page cache.
set -eu

MB=${1:-512}
SEED=${2:-1}
RUNS=${RUNS:-1}
OTHER=${OTHER:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
DATA="$OUT/sysmon-$MB-$SEED-$OTHER.evtx"
BIN="$ROOT/build/infrahunt"
TIME=/usr/bin/time

case "$MB$SEED$RUNS$OTHER" in
*[!0-9]*)
    echo "usage: bench/evtx.sh [MB] [SEED]: MB, SEED, RUNS and OTHER must be integers" >&2
    exit 2
    ;;
esac
mkdir -p "$OUT"

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi
for tool in "$TIME:time" "evtxexport:libevtx-utils"; do
    if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
        echo "bench: ${tool%%:*} is missing; installing Debian package ${tool#*:} with apt-get"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${tool#*:}" >/dev/null
    fi
done
echo "bench: building build/infrahunt with make"
make -C "$ROOT" -j"$(nproc)" >/dev/null

GEN="$OUT/gen_evtx"
cc -std=c11 -O2 -Wall -Wextra -o "$GEN" "$ROOT/bench/gen_evtx.c" "$ROOT/build/libinfrahunt.a" -lz
if [ ! -s "$DATA" ]; then
    echo "bench: generating $MB MiB of Sysmon events into $DATA"
    "$GEN" --mb "$MB" --seed "$SEED" --other "$OTHER" "$DATA.tmp"
    mv "$DATA.tmp" "$DATA"
fi
BYTES=$(wc -c <"$DATA")
RECORDS=$("$BIN" events --stats "$DATA" 2>&1 >/dev/null | awk '$1 == "read" && $2 == "sysmon-evtx" { print $4 }')

# Prints the wall time in seconds of a GNU time -v report.
wall_seconds() {
    awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, part, ":")
        printf "%.2f\n", (n == 3) ? part[1] * 3600 + part[2] * 60 + part[3] : part[1] * 60 + part[2]
    }' "$1"
}

# Runs a command RUNS times, each with the file freshly read into the page cache,
# and prints "NAME wall MB/s records/s" for the fastest run.
measure() {
    name=$1
    shift
    best=""
    run=1
    while [ "$run" -le "$RUNS" ]; do
        cat "$DATA" >/dev/null
        "$TIME" -v -o "$OUT/$name.time" "$@" >/dev/null 2>"$OUT/$name.stderr"
        w=$(wall_seconds "$OUT/$name.time")
        echo "  $name run $run: $w s"
        if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$w
        fi
        run=$((run + 1))
    done
    echo "$name $best" >>"$OUT/evtx.results"
}

: >"$OUT/evtx.results"
CORES=$(nproc)
measure "infrahunt-1-thread" "$BIN" scan --profile seed -f jsonl --threads 1 "$DATA"
measure "infrahunt-$CORES-threads" "$BIN" scan --profile seed -f jsonl --threads "$CORES" "$DATA"
measure "evtxexport" evtxexport "$DATA"

echo
echo "file: $DATA, $BYTES bytes, $RECORDS records ($OTHER % not events 3 or 22)"
printf '%-24s %10s %10s %12s\n' "command" "wall s" "MB/s" "records/s"
while read -r name w; do
    awk -v n="$name" -v w="$w" -v b="$BYTES" -v r="$RECORDS" \
        'BEGIN { printf "%-24s %10.2f %10.0f %12.0f\n", n, w, b / w / 1e6, r / w }'
done <"$OUT/evtx.results"
