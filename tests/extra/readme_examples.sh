#!/bin/sh
# Runs every command line of the README's ```sh blocks, in order, in an
# empty folder with infrahunt on PATH, after writing the files the examples
# name: a Defender export, a day of Zeek logs and Sysmon events from
# infrahunt simulate, an IP-to-ASN folder and an intel list. Each must exit with status 0. Lines that run
# tools/*.sh are left out: they install packages and run this whole suite.
# Usage: tests/extra/readme_examples.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 ran=0

for tool in jq zcat gzip; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "FAIL readme examples: $tool missing; run tools/setup.sh"
        exit 1
    fi
done

mkdir -p "$tmp/bin" "$tmp/work/exports" "$tmp/work/zeek" "$tmp/work/sysmon" \
    "$tmp/work/ip-location-db/asn" "$tmp/work/feeds"
ln -s "$BIN" "$tmp/bin/infrahunt"
cd "$tmp/work" || exit 1
"$BIN" simulate --test all --format defender-json --background 500 -o exports/DeviceNetworkEvents.jsonl &&
    gzip exports/DeviceNetworkEvents.jsonl &&
    "$BIN" simulate --test all --format zeek-tsv --background 500 --start 2024-04-19T08:00:00Z \
        -o zeek/2024-04-19/ &&
    gzip -c zeek/2024-04-19/conn.log >conn.log.gz &&
    "$BIN" simulate --test all --format sysmon-json --background 500 -o sysmon.jsonl &&
    cp sysmon.jsonl sysmon/ || {
    echo "FAIL readme examples: writing the example files failed"
    exit 1
}
# An IP-to-ASN folder in the layout of @ip-location-db/asn, and an intel list,
# both naming the simulated beacon's server.
echo '159.65.0.0,159.65.255.255,14061,DIGITALOCEAN-ASN' | gzip >ip-location-db/asn/asn-ipv4.csv.gz
echo '2a03:b0c0::,2a03:b0c0:ffff:ffff:ffff:ffff:ffff:ffff,14061,DIGITALOCEAN-ASN' |
    gzip >ip-location-db/asn/asn-ipv6.csv.gz
echo '159.65.151.154,simulated C2 server' >feeds/c2.csv

awk '/^```sh$/ { inside = 1; next } /^```/ { inside = 0; next } inside' "$ROOT/README.md" >"$tmp/lines"
while IFS= read -r line; do
    case $line in
    '' | '#'* | 'sh tools/'*) continue ;;
    esac
    ran=$((ran + 1))
    if PATH="$tmp/bin:$PATH" sh -c "$line" >"$tmp/out" 2>&1 </dev/null; then
        echo "ok   $line"
    else
        echo "FAIL readme example (status $?): $line"
        head -10 "$tmp/out"
        failed=1
    fi
done <"$tmp/lines"
if [ "$ran" -lt 5 ]; then
    echo "FAIL readme examples: only $ran command lines found in \`\`\`sh blocks"
    failed=1
fi
exit $failed
