#!/bin/sh
# Benchmarks the capture reader against tshark on one generated capture. It
# times `infrahunt events` (read and list every connection and DNS event),
# `infrahunt scan --profile seed` (read and detect), and tshark extracting
# the fields infrahunt uses from every packet: addresses, ports, payload
# lengths, the DNS question and answers with TTLs, TLS SNI and HTTP Host.
#
# Usage: bench/pcap.sh [MEGABYTES] [SEED] [FORMAT]
#   defaults: 1024 MiB, seed 1, pcap (also pcap-ns, pcapng); see bench/gen_pcap.c
# Environment: RUNS=N runs each command N times and reports the fastest run
# (default 1). TSHARK=0 skips tshark, which is much slower.
#
# The capture and all outputs stay in bench/out/, which git ignores. The
# capture is generated once per MEGABYTES, SEED and FORMAT and reused. Each
# run starts with the file in the page cache: the script reads it once first.
set -eu

MB=${1:-1024}
SEED=${2:-1}
FORMAT=${3:-pcap}
RUNS=${RUNS:-1}
TSHARK=${TSHARK:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bench/out"
CAP="$OUT/capture-$MB-$SEED.$FORMAT"
BIN="$ROOT/build/infrahunt"
TIME=/usr/bin/time

case "$MB$SEED$RUNS" in
*[!0-9]*)
    echo "usage: bench/pcap.sh [MEGABYTES] [SEED] [FORMAT]: MEGABYTES, SEED and RUNS must be integers" >&2
    exit 2
    ;;
esac
case "$FORMAT" in
pcap | pcap-ns | pcapng) ;;
*)
    echo "usage: bench/pcap.sh [MEGABYTES] [SEED] [FORMAT]: FORMAT is pcap, pcap-ns or pcapng" >&2
    exit 2
    ;;
esac
if [ "$MB" -lt 1 ] || [ "$RUNS" -lt 1 ]; then
    echo "usage: bench/pcap.sh: MEGABYTES and RUNS must be at least 1" >&2
    exit 2
fi
mkdir -p "$OUT"

# GNU time's -v report gives the peak resident set size; tshark is the reference.
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi
for need in "$TIME:time" "tshark:tshark"; do
    cmd=${need%%:*} pkg=${need#*:}
    [ "$pkg" = tshark ] && [ "$TSHARK" = 0 ] && continue
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "bench: $cmd is missing; installing Debian package '$pkg' with apt-get"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$pkg" >/dev/null
    fi
done
if [ ! -x "$BIN" ]; then
    echo "bench: $BIN not found; building it with make"
    make -C "$ROOT" -j"$(nproc)" >/dev/null
fi

GEN="$OUT/gen_pcap"
GEN_SRC="$ROOT/bench/gen_pcap.c $ROOT/src/simulate/sim_pcap.c $ROOT/src/event/addr.c"
# shellcheck disable=SC2086
if [ ! -x "$GEN" ] || [ -n "$(find $GEN_SRC -newer "$GEN")" ]; then
    cc -std=c11 -D_GNU_SOURCE -O2 -o "$GEN" $GEN_SRC
fi
if [ ! -s "$CAP" ]; then
    echo "bench: generating a $MB MiB capture into $CAP"
    "$GEN" "$CAP" "$MB" "$SEED" "$FORMAT"
fi
BYTES=$(stat -c %s "$CAP")
PACKETS=$("$BIN" events --stats "$CAP" 2>&1 >/dev/null | awk '$1 == "read" && $2 == "pcap" {print $4}')

# Runs a command RUNS times under time -v; keeps the fastest wall time and its report.
# The summary gives rates per wall second and per CPU second (user plus system time),
# which other load on the machine changes less.
# Usage: measure NAME COMMAND...
measure() {
    name=$1
    shift
    best=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        cat "$CAP" >/dev/null
        $TIME -v -o "$OUT/$name.time.tmp" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
            for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s}' "$OUT/$name.time.tmp")
        echo "  $name run $((i + 1)): $wall s"
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN {exit !(a < b)}'; then
            best=$wall
            mv "$OUT/$name.time.tmp" "$OUT/$name.time"
        fi
        i=$((i + 1))
    done
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$name.time")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$OUT/$name.time")
    # time -v reports hundredths of a second, so a shorter run counts as 0.01 s.
    awk -v n="$name" -v w="$best" -v b="$BYTES" -v p="$PACKETS" -v r="$rss" -v c="$cpu" 'BEGIN {
        if (w < 0.01) w = 0.01
        if (c < 0.01) c = 0.01
        printf "%-17s wall %7.2f s %10.0f packets/s %7.1f MB/s | CPU %7.2f s %10.0f packets/s %7.1f MB/s | %5.0f MB peak RSS\n",
            n, w, p / w, b / 1e6 / w, c, p / c, b / 1e6 / c, r / 1024 }' >>"$OUT/pcap-summary.txt"
    eval "wall_$name=$best"
}

echo "bench: $CAP: $BYTES bytes, $PACKETS packets"
: >"$OUT/pcap-summary.txt"
measure infrahunt_events "$BIN" events "$CAP"
measure infrahunt_scan "$BIN" scan --profile seed -f jsonl "$CAP"
if [ "$TSHARK" != 0 ]; then
    measure tshark tshark -r "$CAP" -n -T fields -E separator=/t -E occurrence=a -E aggregator=, \
        -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport \
        -e tcp.dstport -e udp.srcport -e udp.dstport -e tcp.flags -e tcp.len -e udp.length \
        -e dns.id -e dns.qry.name -e dns.qry.type -e dns.flags.rcode -e dns.a -e dns.aaaa \
        -e dns.cname -e dns.resp.ttl -e tls.handshake.extensions_server_name -e http.host
fi

echo
echo "capture: $CAP ($BYTES bytes, $PACKETS packets, format $FORMAT)"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
cat "$OUT/pcap-summary.txt"
events=$(wc -l <"$OUT/infrahunt_events.out")
echo "infrahunt listed $events events; seed alerts: $(wc -l <"$OUT/infrahunt_scan.out")"
if [ "$TSHARK" != 0 ]; then
    awk -v a="$wall_tshark" -v b="$wall_infrahunt_events" \
        'BEGIN {printf "tshark / infrahunt events: %.1f times the wall time\n", a / b}'
fi
