#!/bin/sh
# Measures the IP-to-ASN index on the @ip-location-db/asn data: load time,
# memory and lookups per second (bench/asn_bench.c), then the same for a
# MaxMind DB built from a sample of it when the Perl writer is installed,
# and the cost of the ASN database in a whole scan.
# Usage: sh bench/asn.sh [ASN_DB]   (default $INFRAHUNT_DATA/lists/asn)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${INFRAHUNT_DATA:-$ROOT/../shared/data}
DB=${1:-$DATA/lists/asn}
OUT=$ROOT/bench/out
if [ ! -e "$DB" ]; then
    echo "asn.sh: no ASN database at $DB (set INFRAHUNT_DATA or pass a path)" >&2
    exit 1
fi
mkdir -p "$OUT"
make -C "$ROOT" -s build/infrahunt build/libinfrahunt.a
cc -std=c11 -D_GNU_SOURCE -O2 -o "$OUT/asn_bench" "$ROOT/bench/asn_bench.c" "$ROOT/build/libinfrahunt.a" \
    $(pkg-config --libs zlib libzstd libpcre2-8 yaml-0.1 libpcap libmaxminddb) -lpthread -lm

echo "== CSV index"
"$OUT/asn_bench" "$DB" 10000000

if perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
    echo "== MaxMind DB (libmaxminddb), built from every 20th IPv4 range"
    zcat "$DB/asn-ipv4.csv.gz" | awk 'NR % 20 == 1' > "$OUT/asn-sample.csv"
    perl "$ROOT/tests/extra/mmdb_write.pl" "$OUT/asn-sample.csv" "$OUT/asn-sample.mmdb"
    "$OUT/asn_bench" "$OUT/asn-sample.mmdb" 2000000
    echo "== CSV index of the same sample"
    "$OUT/asn_bench" "$OUT/asn-sample.csv" 2000000
fi

echo "== scan of the WRCCDC DNS log (53,615 records), with and without the ASN database"
LOG=$DATA/zeek/wrccdc-dns/zeek-default/dns.log.gz
for db in none "$DB"; do
    best=""
    for i in 1 2 3; do
        s=$(date +%s.%N)
        "$ROOT/build/infrahunt" scan --asn-db "$db" -f jsonl "$LOG" >/dev/null
        e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    echo "--asn-db $db: best of 3 $best s"
done
