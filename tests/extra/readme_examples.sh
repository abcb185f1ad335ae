#!/bin/sh
# Runs every command line of the README's ```sh blocks, in order, in an
# empty folder with infrahunt on PATH, after writing the files the examples
# name (a Defender export, a day of Zeek logs, a Sysmon file) with
# infrahunt simulate. Each must exit with status 0. Lines that run
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

mkdir -p "$tmp/bin" "$tmp/work/exports" "$tmp/work/zeek"
ln -s "$BIN" "$tmp/bin/infrahunt"
cd "$tmp/work" || exit 1
"$BIN" simulate --test all --format defender-json --background 500 -o exports/DeviceNetworkEvents.jsonl &&
    gzip exports/DeviceNetworkEvents.jsonl &&
    "$BIN" simulate --test all --format zeek-tsv --background 500 --start 2024-04-19T08:00:00Z \
        -o zeek/2024-04-19/ &&
    gzip -c zeek/2024-04-19/conn.log >conn.log.gz &&
    "$BIN" simulate --test all --format sysmon-json --background 500 -o sysmon.jsonl || {
    echo "FAIL readme examples: writing the example files failed"
    exit 1
}

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
