#!/bin/sh
# Checks that simulated Sysmon JSON and Zeek logs have the shape of the real
# ones in $INFRAHUNT_DATA (default ../shared/data from the repository root):
# the same keys, header lines and columns, and values of the same forms.
# Usage: tests/extra/simulate_shape.sh path/to/infrahunt
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${INFRAHUNT_DATA:-$ROOT/../shared/data}
if [ ! -d "$DATA" ]; then
    echo "SKIP simulate shape: real data not found at $DATA (set INFRAHUNT_DATA)"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP simulate shape: python3 not found"
    exit 0
fi
exec python3 "$ROOT/tests/extra/simulate_shape.py" "$BIN" "$DATA"
