#!/bin/sh
# Runs `infrahunt selftest`, which scans every test in every format the build
# can write with the seed and default profiles and checks each outcome
# against its stated expectation. NOT RUN lines do not fail it. Then runs the
# commands of tools/demo.sh, the README's first command, without its setup
# step: the default profile must report the implant's beacon.
# Usage: tests/extra/selftest.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

if ! "$BIN" selftest; then
    echo "FAIL selftest: an expectation failed (lines marked FAIL above)"
    failed=1
fi

if ! "$BIN" simulate --test all --format sysmon-json --background 20000 -o "$tmp/sysmon.jsonl"; then
    echo "FAIL demo: simulate failed"
    failed=1
elif ! "$BIN" scan --profile default -f jsonl "$tmp/sysmon.jsonl" >"$tmp/alerts.jsonl"; then
    echo "FAIL demo: scan --profile default failed"
    failed=1
elif ! grep -q '"AlertType":"Beaconing[^"]*".*"SampleProcesses":\["powershell.exe"' "$tmp/alerts.jsonl"; then
    echo "FAIL demo: no beaconing alert for powershell.exe in the demo's scan"
    failed=1
else
    echo "PASS demo: the default profile reports the implant's beacon"
fi
exit $failed
