#!/bin/sh
# Benchmarks `infrahunt scan --profile seed` against DuckDB running the same
# rule as SQL (tests/parity/oracle.mjs) on one generated Defender
# DeviceNetworkEvents file, and checks that both return the same alerts.
#
# Usage: bench/seed.sh [ROWS] [SEED]     (defaults: 10000000 rows, seed 1)
# Environment: RUNS=N runs each tool N times and reports the fastest run
# (default 1). THREADS=N passes --threads N to infrahunt and sets DuckDB's
# threads to N (default: both use all cores).
#
# The data file and all outputs stay in bench/out/, which git ignores. The
# file is generated once per ROWS and SEED and reused. Each run reads it from
# the page cache: the script reads the whole file once before each run.
set -eu

ROWS=${1:-10000000}
SEED=${2:-1}
RUNS=${RUNS:-1}
THREADS=${THREADS:-}
NOW=2024-06-01T00:00:00Z
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
DATA="$OUT/events-$ROWS-$SEED.jsonl"
BIN="$ROOT/build/infrahunt"
TIME=/usr/bin/time

case "$ROWS$SEED$RUNS$THREADS" in
*[!0-9]*)
    echo "usage: bench/seed.sh [ROWS] [SEED]: ROWS, SEED, RUNS and THREADS must be integers" >&2
    exit 2
    ;;
esac
if [ "$ROWS" -lt 1 ] || [ "$RUNS" -lt 1 ] || [ "${THREADS:-1}" -lt 1 ]; then
    echo "usage: bench/seed.sh [ROWS] [SEED]: ROWS, RUNS and THREADS must be at least 1" >&2
    exit 2
fi
mkdir -p "$OUT"

# GNU time's -v report gives the peak resident set size.
if [ ! -x "$TIME" ]; then
    echo "bench: $TIME is missing; installing Debian package 'time' with apt-get"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null
fi
if [ ! -x "$BIN" ]; then
    echo "bench: $BIN not found; building it with make"
    make -C "$ROOT" -j"$(nproc)" >/dev/null
fi
if [ ! -d "$ROOT/tests/parity/node_modules/@duckdb/node-api" ]; then
    echo "bench: installing DuckDB's Node.js client into tests/parity/node_modules"
    (cd "$ROOT/tests/parity" && npm ci --no-audit --no-fund --loglevel=error)
fi

GEN="$OUT/gen_events"
if [ ! -x "$GEN" ] || [ -n "$(find "$ROOT/bench/gen_events.c" -newer "$GEN")" ]; then
    cc -std=c11 -O2 -Wall -Wextra -o "$GEN" "$ROOT/bench/gen_events.c"
fi
if [ ! -s "$DATA" ]; then
    echo "bench: generating $ROWS rows into $DATA"
    "$GEN" "$ROWS" "$DATA.tmp" "$SEED"
    mv "$DATA.tmp" "$DATA"
fi
BYTES=$(wc -c <"$DATA")

# Prints "wall_seconds peak_kib cpu_percent" from a GNU time -v report.
parse_time() {
    awk -F': ' '
        /Elapsed \(wall clock\)/ {
            n = split($2, part, ":")
            wall = (n == 3) ? part[1] * 3600 + part[2] * 60 + part[3] : part[1] * 60 + part[2]
        }
        /Maximum resident set size/ { rss = $2 }
        /Percent of CPU/ { cpu = $2; sub(/%/, "", cpu) }
        END { printf "%.2f %d %s\n", wall, rss, cpu }
    ' "$1"
}

# Runs one tool RUNS times. The fastest run's "wall rss cpu" goes to
# $OUT/NAME.best and its alerts to $OUT/NAME-alerts.jsonl.
measure() {
    name=$1
    shift
    rm -f "$OUT/$name.best"
    run=1
    while [ "$run" -le "$RUNS" ]; do
        cat "$DATA" >/dev/null
        if ! "$TIME" -v -o "$OUT/$name.time" "$@" >"$OUT/$name-run.jsonl" 2>"$OUT/$name.stderr"; then
            echo "bench: $name failed with this standard error:" >&2
            tail -n 20 "$OUT/$name.stderr" >&2
            exit 1
        fi
        result=$(parse_time "$OUT/$name.time")
        echo "bench: $name run $run: $result (seconds, peak KiB, CPU %)"
        best_wall=$(cut -d' ' -f1 "$OUT/$name.best" 2>/dev/null || echo "")
        this_wall=${result%% *}
        if [ -z "$best_wall" ] || awk "BEGIN { exit !($this_wall < $best_wall) }"; then
            echo "$result" >"$OUT/$name.best"
            mv "$OUT/$name-run.jsonl" "$OUT/$name-alerts.jsonl"
        fi
        run=$((run + 1))
    done
}

INFRAHUNT_THREADS=""
if [ -n "$THREADS" ]; then
    INFRAHUNT_THREADS="--threads $THREADS"
fi
# shellcheck disable=SC2086
measure infrahunt "$BIN" scan --profile seed --now "$NOW" $INFRAHUNT_THREADS --output jsonl "$DATA"
export DUCKDB_THREADS="$THREADS"
measure duckdb node "$ROOT/bench/duckdb_seed.mjs" "$DATA" "$NOW"

read -r I_WALL I_RSS I_CPU <"$OUT/infrahunt.best"
read -r D_WALL D_RSS D_CPU <"$OUT/duckdb.best"
I_ALERTS=$(wc -l <"$OUT/infrahunt-alerts.jsonl")
D_ALERTS=$(wc -l <"$OUT/duckdb-alerts.jsonl")

awk -v rows="$ROWS" -v bytes="$BYTES" -v runs="$RUNS" \
    -v iw="$I_WALL" -v ir="$I_RSS" -v ic="$I_CPU" -v ia="$I_ALERTS" \
    -v dw="$D_WALL" -v dr="$D_RSS" -v dc="$D_CPU" -v da="$D_ALERTS" 'BEGIN {
    printf "\n%d rows, %.0f MB (%.0f bytes a row); fastest of %d run(s) each; page cache warm\n\n",
        rows, bytes / 1e6, bytes / rows, runs
    printf "%-22s %10s %14s %10s %12s %6s %8s\n", "", "wall s", "events/s", "MB/s", "peak RSS MiB", "CPU %", "alerts"
    printf "%-22s %10.2f %14.0f %10.0f %12.1f %6s %8d\n", "infrahunt", iw, rows / iw, bytes / 1e6 / iw, ir / 1024, ic, ia
    printf "%-22s %10.2f %14.0f %10.0f %12.1f %6s %8d\n", "DuckDB (Node.js)", dw, rows / dw, bytes / 1e6 / dw, dr / 1024, dc, da
    printf "%-22s %10.2f %14.2f %10.2f %12.2f\n", "infrahunt / DuckDB", iw / dw, (rows / iw) / (rows / dw), (bytes / iw) / (bytes / dw), ir / dr
}'
echo
if [ "$I_ALERTS" -ne "$D_ALERTS" ]; then
    echo "bench: alert counts differ: infrahunt $I_ALERTS, DuckDB $D_ALERTS" >&2
fi
node "$ROOT/bench/check_alerts.mjs" "$OUT/duckdb-alerts.jsonl" "$OUT/infrahunt-alerts.jsonl"
