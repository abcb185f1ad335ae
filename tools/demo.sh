#!/bin/sh
# Sets up, builds, and runs the main job on built-in data. It simulates the
# reference rule's three tests (a PowerShell beacon, dynamic-DNS names, a
# fast-flux name) inside six hours of a small office's benign traffic, as
# Sysmon would log it. Then it scans that with the default profile. Nothing
# outside the repository is read.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
sh "$ROOT/tools/setup.sh"
make -C "$ROOT" -j2 >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$ROOT/build/infrahunt" simulate --test all --format sysmon-json --background 20000 \
    -o "$tmp/sysmon.jsonl"
"$ROOT/build/infrahunt" scan --profile default "$tmp/sysmon.jsonl"
