#!/bin/sh
# Installs what building and testing infrahunt needs on Debian 12: the C
# toolchain and libraries from Debian's packages, and the test tooling
# (DuckDB's Node.js client) from the npm registry. Safe to run again.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

PACKAGES="build-essential pkg-config zlib1g-dev libzstd-dev libpcre2-dev libyaml-dev
libcmocka-dev libjansson-dev libpcap-dev tshark python3 time gzip zstd libevtx-utils python3-evtx
libmaxminddb-dev libmaxmind-db-writer-perl mmdb-bin
chromium fonts-dejavu-core jq"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
if [ -n "$missing" ]; then
    echo "setup: installing Debian packages:$missing"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ -f "$ROOT/tests/parity/package-lock.json" ] && [ ! -d "$ROOT/tests/parity/node_modules" ]; then
    echo "setup: installing the parity test's npm packages"
    (cd "$ROOT/tests/parity" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ -f "$ROOT/tests/render/package-lock.json" ] && [ ! -d "$ROOT/tests/render/node_modules" ]; then
    echo "setup: installing the export tests' npm packages (Kusto analyzer, ajv, yaml)"
    (cd "$ROOT/tests/render" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ -f "$ROOT/tests/html/package-lock.json" ] && [ ! -d "$ROOT/tests/html/node_modules" ]; then
    echo "setup: installing the report tests' npm packages (playwright-core, ajv)"
    (cd "$ROOT/tests/html" && npm ci --no-audit --no-fund --loglevel=error)
fi
