#!/bin/sh
# Checks ASN lookups through a MaxMind DB against the CSV index: writes a
# .mmdb from a hand-made "start,end,asn,org" CSV (tests/extra/mmdb_write.pl,
# Debian's libmaxmind-db-writer-perl), then scans connections to addresses
# inside, at the edges of and outside those ranges, with the addresses as
# threat intel so each one gets an alert, once per database. The ASN and
# ASNOrg fields of the alerts must be the same.
# Usage: tests/extra/mmdb.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
    echo "FAIL mmdb: Perl module MaxMind::DB::Writer missing; run tools/setup.sh"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/asn.csv" <<'CSV'
1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
45.77.0.0,45.77.255.255,20473,"The Constant Company, LLC"
51.75.0.0,51.75.127.255,16276,OVH SAS
95.217.0.0,95.217.255.255,24940,Hetzner Online GmbH
159.65.0.0,159.65.255.255,14061,"DigitalOcean, LLC"
2400:cb00::,2400:cb00:ffff:ffff:ffff:ffff:ffff:ffff,13335,"Cloudflare, Inc."
2a01:4f8::,2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff,24940,Hetzner Online GmbH
CSV
if ! perl "$HERE/mmdb_write.pl" "$tmp/asn.csv" "$tmp/asn.mmdb"; then
    echo "FAIL mmdb: writing the MaxMind DB failed"
    exit 1
fi

addrs="1.0.0.0 1.0.0.255 1.0.1.0 45.77.65.211 51.75.127.255 51.75.128.0 95.217.145.226 159.65.151.154 8.8.8.8 2400:cb00::1 2a01:4f8::5 2a01:4f9::5"
{
    printf '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n'
    printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n'
    printf '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n'
    i=0
    for a in $addrs; do
        i=$((i + 1))
        printf '1715587%03d.000000\tC%d\t10.1.0.5\t5%04d\t%s\t443\ttcp\tssl\t0.5\t500\t900\tSF\tT\tF\t0\tShADadFf\t5\t700\t5\t1100\t-\n' "$i" "$i" "$i" "$a"
    done
} >"$tmp/conn.log"
for a in $addrs; do echo "$a"; done >"$tmp/intel.txt"

failed=0
for db in asn.csv asn.mmdb; do
    if ! "$BIN" scan --asn-db "$tmp/$db" --intel "$tmp/intel.txt" -f jsonl "$tmp/conn.log" >"$tmp/$db.jsonl" 2>"$tmp/$db.err"; then
        echo "FAIL mmdb: scan with $db failed: $(head -3 "$tmp/$db.err")"
        failed=1
    fi
    # One line per address: the address, its ASN and organization (empty when unknown).
    node -e '
        const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
        const rows = lines.map(JSON.parse).filter((a) => a.AlertType === "ThreatIntel")
            .map((a) => `${a.RemoteIP} ${a.ASN ?? "-"} ${a.ASNOrg ?? "-"}`).sort();
        console.log(rows.join("\n"));' "$tmp/$db.jsonl" >"$tmp/$db.asn"
done
n=$(wc -l <"$tmp/asn.csv.asn")
if [ "$n" -ne 12 ]; then
    echo "FAIL mmdb: expected 12 intel alerts, got $n"
    failed=1
elif ! cmp -s "$tmp/asn.csv.asn" "$tmp/asn.mmdb.asn"; then
    echo "FAIL mmdb: the MaxMind DB and the CSV index disagree:"
    diff "$tmp/asn.csv.asn" "$tmp/asn.mmdb.asn"
    failed=1
elif ! grep -q '^45.77.65.211 20473 The Constant Company, LLC$' "$tmp/asn.mmdb.asn" ||
    ! grep -q '^1.0.1.0 - -$' "$tmp/asn.mmdb.asn" || ! grep -q '^2a01:4f8::5 24940 ' "$tmp/asn.mmdb.asn"; then
    echo "FAIL mmdb: unexpected lookups:"
    cat "$tmp/asn.mmdb.asn"
    failed=1
else
    echo "PASS mmdb: 12 lookups agree between the MaxMind DB and the CSV index"
fi
exit $failed
