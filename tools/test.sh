#!/bin/sh
# Sets up, builds, and runs every test: unit tests, fuzz corpus replay,
# end-to-end cases, the parity test against DuckDB, and the real-data tests
# (the data folder is $INFRAHUNT_DATA, by default ../shared/data).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
sh "$ROOT/tools/setup.sh"
make -C "$ROOT" -j2 check
