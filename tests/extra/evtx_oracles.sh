#!/bin/sh
# Differential test of the EVTX reader against evtxexport (Debian package
# libevtx-utils) and python-evtx (python3-evtx): every .evtx file under
# $INFRAHUNT_DATA/evtx (default ../shared/data from the repository root), and
# files made by the EVTX writer in both layouts. evtx_oracles.py describes
# what is compared.
# Usage: tests/extra/evtx_oracles.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${INFRAHUNT_DATA:-$ROOT/../shared/data}
# Debian's python3-evtx installs for the system Python, which another python3
# earlier in PATH may not see.
PYTHON=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v evtxexport >/dev/null 2>&1 || ! "$PYTHON" -c 'import Evtx.Evtx' 2>/dev/null; then
    echo "FAIL evtx oracles: evtxexport or python-evtx is missing; run tools/setup.sh" \
        "(Debian packages libevtx-utils and python3-evtx)"
    exit 1
fi

# The generator links the library built next to the binary, sanitizers included.
LIB=$(dirname "$BIN")/libinfrahunt.a
SAN=""
if nm "$LIB" 2>/dev/null | grep -q __asan_init; then
    SAN="-fsanitize=address,undefined"
fi
if ! cc -std=c11 -O1 $SAN -o "$tmp/gen_evtx" "$ROOT/bench/gen_evtx.c" "$LIB" -lz; then
    echo "FAIL evtx oracles: cannot build bench/gen_evtx.c against $LIB"
    exit 1
fi
mkdir "$tmp/generated"
"$tmp/gen_evtx" --records 1000 --layout nested --seed 7 "$tmp/generated/nested.evtx" || exit 1
"$tmp/gen_evtx" --records 1000 --layout flat --per-chunk 40 --seed 8 \
    "$tmp/generated/flat.evtx" || exit 1

if [ -d "$DATA/evtx" ]; then
    "$PYTHON" "$ROOT/tests/extra/evtx_oracles.py" "$BIN" "$DATA/evtx" "$tmp/generated"
else
    echo "SKIP real EVTX files: not found at $DATA/evtx (set INFRAHUNT_DATA)"
    "$PYTHON" "$ROOT/tests/extra/evtx_oracles.py" "$BIN" "$tmp/generated"
fi
