#!/bin/sh
# Opens infrahunt's HTML reports in headless Chromium (tests/html/report.test.mjs)
# and validates alert JSON lines against docs/alert.schema.json
# (tests/html/schema.test.mjs), with Node's test runner.
# Usage: tests/extra/html_report.sh path/to/infrahunt
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -d "$ROOT/tests/html/node_modules" ]; then
    echo "FAIL html: tests/html/node_modules missing; run tools/setup.sh"
    exit 1
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "FAIL html: ${CHROMIUM:-/usr/bin/chromium} missing; run tools/setup.sh (Debian package chromium)"
    exit 1
fi
INFRAHUNT_BIN=$1 node --test "$ROOT/tests/html/"
