// Runs the reference rule as DuckDB SQL (the parity test's oracle) over a
// DeviceNetworkEvents JSON lines file and prints the alerts as JSON lines,
// with the same keys and order as `infrahunt scan --output jsonl`.
//
// Usage: node bench/duckdb_seed.mjs FILE NOW
// NOW is an RFC 3339 time, the same literal given to infrahunt's --now.
// DUCKDB_THREADS=N limits DuckDB to N threads (default: all cores).

import { formatTimeNs, parseTime } from '../tests/parity/events.mjs';
import { EXTRA_KEYS, REQUIRED_KEYS } from '../tests/parity/compare.mjs';
import { openDatabase, runSeedRule } from '../tests/parity/oracle.mjs';

const [file, nowText] = process.argv.slice(2);
const now = parseTime(nowText);
if (!file || now === null) {
    console.error('usage: node bench/duckdb_seed.mjs FILE NOW (NOW in RFC 3339, such as 2024-06-01T00:00:00Z)');
    process.exit(2);
}

const db = await openDatabase();
const threads = process.env.DUCKDB_THREADS;
if (threads) {
    if (!/^[1-9][0-9]*$/.test(threads)) {
        console.error(`invalid DUCKDB_THREADS: ${threads} (expected a positive integer)`);
        process.exit(2);
    }
    await db.run(`SET threads = ${threads}`);
}
const alerts = await runSeedRule(db, file, now);
const lines = alerts.map((alert) => {
    const out = {};
    for (const key of [...REQUIRED_KEYS, ...EXTRA_KEYS[alert.AlertType]]) {
        const value = alert[key];
        out[key] = typeof value === 'bigint' ? formatTimeNs(value) : value;
    }
    return JSON.stringify(out);
});
process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
