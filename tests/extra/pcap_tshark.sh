#!/bin/sh
# Checks the capture reader against tshark, an independent decoder. The
# captures are written by bench/gen_pcap.c in every file format and in five
# link types. On each, both must find the same TCP and UDP flows, the same
# payload bytes each way, the same DNS answers with TTLs, and the same TLS
# SNI and HTTP Host names. The comparison is tests/extra/pcap_tshark.py.
#
# Usage: tests/extra/pcap_tshark.sh path/to/infrahunt
# Skips (exit 0 with a message) when tshark or python3 is missing; install
# tshark with tools/setup.sh.
set -eu
BIN=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

for tool in tshark python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP pcap_tshark: $tool not found; run tools/setup.sh to install it"
        exit 0
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Built from its sources, so that it does not depend on how infrahunt was built (sanitizers).
cc -std=c11 -D_GNU_SOURCE -O2 -o "$tmp/gen_pcap" "$ROOT/bench/gen_pcap.c" \
    "$ROOT/src/simulate/sim_pcap.c" "$ROOT/src/event/addr.c"

status=0
# format, link and seed of each capture; 2 MiB each, about 500 sessions.
for variant in "pcap ethernet 1" "pcap-ns vlan 2" "pcapng sll 3" "pcap sll2 4" "pcapng raw 5"; do
    set -- $variant
    cap="$tmp/$1-$2.pcap"
    "$tmp/gen_pcap" "$cap" 2 "$3" "$1" "$2" 2>/dev/null
    "$BIN" events "$cap" >"$tmp/events.jsonl" 2>"$tmp/events.err" || {
        echo "FAIL pcap_tshark $1 $2: infrahunt events exited with $?"
        cat "$tmp/events.err"
        status=1
        continue
    }
    if [ -s "$tmp/events.err" ]; then
        echo "FAIL pcap_tshark $1 $2: infrahunt wrote to standard error:"
        head -5 "$tmp/events.err"
        status=1
        continue
    fi
    # One line per TCP or UDP packet, then one per DNS response, then one per name.
    tshark -r "$cap" -n -Y "tcp or udp" -T fields -E separator=/t -E occurrence=f \
        -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e tcp.dstport \
        -e udp.srcport -e udp.dstport -e tcp.len -e udp.length >"$tmp/packets.tsv" 2>/dev/null
    tshark -r "$cap" -n -Y "dns.flags.response == 1" -T fields -E separator=/t -E occurrence=a \
        -E aggregator=, -e ip.dst -e ipv6.dst -e dns.qry.name -e dns.flags.rcode -e dns.a \
        -e dns.aaaa -e dns.cname -e dns.resp.ttl >"$tmp/dns.tsv" 2>/dev/null
    tshark -r "$cap" -n -Y "tls.handshake.extensions_server_name or http.host" -T fields \
        -E separator=/t -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \
        -e tls.handshake.extensions_server_name -e http.host >"$tmp/names.tsv" 2>/dev/null
    if python3 "$ROOT/tests/extra/pcap_tshark.py" "$tmp/events.jsonl" "$tmp/packets.tsv" \
        "$tmp/dns.tsv" "$tmp/names.tsv"; then
        echo "PASS pcap_tshark $1 $2"
    else
        echo "FAIL pcap_tshark $1 $2"
        status=1
    fi
done
exit $status
