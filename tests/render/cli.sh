#!/bin/sh
# Command-line checks of `infrahunt export`: help, exit codes, errors that
# name the problem, -o, and profiles with detectors that have no renderer.
# Usage: tests/render/cli.sh path/to/infrahunt
set -u
BIN=$1
DIR=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect NAME STATUS TEXT-IN-STDERR ARGS...: runs export and checks both.
expect() {
    name=$1 want=$2 text=$3
    shift 3
    "$BIN" export "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit status $got, expected $want"; sed 's/^/     /' "$tmp/err"
        failed=$((failed + 1))
    elif [ -n "$text" ] && ! grep -qF -- "$text" "$tmp/err"; then
        echo "FAIL $name: standard error lacks: $text"; sed 's/^/     /' "$tmp/err"
        failed=$((failed + 1))
    else
        echo "ok   $name"
        passed=$((passed + 1))
    fi
}

expect "help" 0 "" --help
grep -q "logscale" "$tmp/out" || { echo "FAIL help lists the targets"; failed=$((failed + 1)); }
expect "no target" 2 "--target is required" 
expect "unknown target" 2 "unknown target 'splunk'" --target splunk
expect "missing profile" 2 "nope.yaml" --target kql --profile nope.yaml
expect "bad table name" 2 "--table" --target kql --table 'a;b'
expect "bad bytes column" 2 "--bytes-column" --target kql --bytes-column 'x y'
expect "extra argument" 2 "unexpected argument" --target kql extra

cat >"$tmp/lookahead.yaml" <<'YAML'
name: lookahead
detectors:
  seed:
    beaconing: {lookback: 7d, action_types: [ConnectionSuccess], ports: [443], min_connections: 20,
                bytes_sent_above: 1000, duration_hours_above: 1, min_rate: 0.5, max_rate: 200.0,
                sample_processes: 5}
    dynamic_dns: {action_types: [ConnectionSuccess], pattern: 'duckdns(?=\.org)', sample_processes: 5,
                  sample_ips: 5}
    fast_flux: {action_types: [ConnectionSuccess], excluded_processes: [], bin: 1h, min_unique_ips: 5,
                min_connections: 10, sample_urls: 10, sample_processes: 5}
YAML
expect "regex the targets cannot share" 2 "lookaround" --target kql --profile "$tmp/lookahead.yaml"

sed 's/^  seed:/  seed:/' "$tmp/lookahead.yaml" | sed "s/'duckdns(?=\\\\.org)'/'duckdns'/" >"$tmp/extra.yaml"
printf '  beacon:\n    min_score: 3\n' >>"$tmp/extra.yaml"
expect "unknown detector is skipped" 0 "detector 'beacon' has no renderer" --target kql --profile "$tmp/extra.yaml"
grep -q "Not rendered: detector 'beacon'" "$tmp/out" || { echo "FAIL skipped detector named in the header"; failed=$((failed + 1)); }

printf 'name: other\ndetectors:\n  combine: {severity: {high: 80}}\n' >"$tmp/none.yaml"
expect "no renderable detector" 2 "no detector that export can render" --target kql --profile "$tmp/none.yaml"

expect "failed action for sysmon" 2 "ConnectionFailed" --target sigma --profile "$DIR/profiles/failed-action.yaml"

expect "-o writes the file" 0 "" --target sql -o "$tmp/q.sql"
grep -q "beacon_rows" "$tmp/q.sql" || { echo "FAIL -o file content"; failed=$((failed + 1)); }

for target in kql spl esql eql aql sumo yaral logscale sigma sql; do
    expect "default profile for $target" 0 "" --target "$target" --profile default
    grep -q "and drops:" "$tmp/out" || {
        echo "FAIL default profile for $target: header lacks what the query drops"
        failed=$((failed + 1))
    }
done

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
