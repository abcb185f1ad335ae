// Semantic parity: the seed profile rendered by `infrahunt export --target
// sql`, run by DuckDB over a DeviceNetworkEvents table, must return exactly
// the alerts of `infrahunt scan --profile seed` on the same rows. The rows
// come from the parity test's generators: every boundary case of the rule,
// and a 100,000-row random file.
//
// Usage: node sql_parity.mjs PATH-TO-INFRAHUNT
// Prints one line per check and "N passed, N failed"; exit status 1 on failure.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { diffAlerts, formatDiff, outputFields, parseAlertLines } from '../parity/compare.mjs';
import { writeBoundaryFile } from '../parity/gen_boundaries.mjs';
import { writeRandomFile } from '../parity/gen_random.mjs';
import { DEFENDER_COLUMNS, openDatabase } from '../parity/oracle.mjs';

const RANDOM_ROWS = 100_000;
const TIME_COLUMNS = ['Timestamp', 'FirstSeen', 'LastSeen'];
const tally = { passed: 0, failed: 0 };

function report(name, problems) {
    if (problems.length === 0) {
        tally.passed++;
        console.log(`ok   ${name}`);
        return;
    }
    tally.failed++;
    console.log(`FAIL ${name}`);
    for (const line of problems) {
        console.log(`     ${line}`);
    }
}

function run(binary, args) {
    const result = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (result.status !== 0) {
        throw new Error(`infrahunt ${args.join(' ')}: exit status ${result.status}: ${result.stderr.trim()}`);
    }
    return result.stdout;
}

function sqlString(text) {
    return `'${String(text).replaceAll("'", "''")}'`;
}

// Loads a JSON lines file as the DeviceNetworkEvents table the rendered SQL reads.
async function loadTable(db, path) {
    const columns = Object.entries({ ...DEFENDER_COLUMNS, Timestamp: 'TIMESTAMP_NS' })
        .map(([name, type]) => `${name}: ${sqlString(type)}`).join(', ');
    await db.run('DROP TABLE IF EXISTS DeviceNetworkEvents');
    await db.run(`CREATE TABLE DeviceNetworkEvents AS SELECT * FROM read_ndjson(${sqlString(path)}, `
        + `columns = {${columns}}, format = 'newline_delimited')`);
}

// Runs the rendered query and returns its rows as alerts: times as BigInt
// nanoseconds, other integers as numbers, and absent extra columns dropped.
async function runRendered(db, query) {
    const times = TIME_COLUMNS.map((c) => `epoch_ns("${c}") AS "${c}"`).join(', ');
    const reader = await db.runAndReadAll(`SELECT * REPLACE (${times}) FROM (\n${query}\n)`);
    return reader.getRowObjectsJS().map((row) => {
        const alert = {};
        for (const [key, value] of Object.entries(row)) {
            if (value === null && !['BytesSent', 'BytesReceived'].includes(key)) {
                continue;
            }
            alert[key] = typeof value === 'bigint' && !TIME_COLUMNS.includes(key) ? Number(value) : value;
        }
        return alert;
    });
}

async function checkFile(db, binary, name, path, query) {
    await loadTable(db, path);
    const fromSql = await runRendered(db, query);
    const parsed = parseAlertLines(run(binary, ['scan', '--profile', 'seed', '-f', 'jsonl', path]));
    const problems = [...parsed.problems.slice(0, 10)];
    problems.push(...formatDiff(diffAlerts(parsed.alerts, fromSql, outputFields)));
    if (parsed.alerts.length === 0) {
        problems.push('scan found no alerts, so the comparison proves nothing');
    }
    if (problems.length === 0) {
        console.log(`     ${fromSql.length} alerts agree`);
    }
    report(`sql parity: ${name}`, problems);
}

// Runs the default profile's SQL on a small table: one device beacons every
// 59 or 61 seconds to a dynamic-DNS name, and chrome.exe reaches 12 addresses
// within a minute. Checks the interval statistics, the zone match on label
// boundaries, the fan-out and the internal-network filter.
async function checkDefaultProfile(db, binary) {
    const query = run(binary, ['export', '--target', 'sql', '--profile', 'default']);
    const rows = [];
    const row = (seconds, ip, url, process) => `(TIMESTAMP_NS '2024-01-01 00:00:00' + INTERVAL ${seconds} SECOND, `
        + `'d1', 'host1', 'ConnectionSuccess', '${ip}', 443, '${url}', '${process}')`;
    for (let i = 0; i < 20; i++) rows.push(row(i * 60 + (i % 2), '45.55.1.5', 'c2.duckdns.org', 'evil.exe'));
    for (let i = 0; i < 12; i++) rows.push(row(i, `8.8.4.${i}`, 'x.example.com', 'chrome.exe'));
    rows.push(row(0, '10.1.2.3', 'internal.duckdns.org', 'a.exe'));
    rows.push(row(0, '45.55.1.6', 'notduckdns.org', 'b.exe'));
    await db.run('DROP TABLE IF EXISTS DeviceNetworkEvents');
    await db.run('CREATE TABLE DeviceNetworkEvents ("Timestamp" TIMESTAMP_NS, DeviceId VARCHAR, '
        + 'DeviceName VARCHAR, ActionType VARCHAR, RemoteIP VARCHAR, RemotePort INTEGER, RemoteUrl VARCHAR, '
        + 'InitiatingProcessFileName VARCHAR)');
    await db.run(`INSERT INTO DeviceNetworkEvents VALUES ${rows.join(', ')}`);
    const result = (await db.runAndReadAll(query)).getRowObjectsJS();
    const find = (type) => result.filter((r) => r.AlertType === type);
    const [beacon] = find('Beaconing');
    const problems = [];
    if (find('Beaconing').length !== 1) problems.push(`expected 1 Beaconing row, found ${find('Beaconing').length}`);
    if (beacon && (beacon.MedianSeconds !== 61 || beacon.MadSeconds !== 0 || Number(beacon.Count) !== 20)) {
        problems.push(`Beaconing: median ${beacon.MedianSeconds}, MAD ${beacon.MadSeconds}, count ${beacon.Count}; `
            + 'expected 61, 0 and 20');
    }
    const names = find('DynamicDNS').map((r) => r.RemoteUrl);
    if (names.join() !== 'c2.duckdns.org') problems.push(`DynamicDNS names: ${names.join()}; expected c2.duckdns.org`);
    const fanOut = find('FastFluxFanOut');
    if (fanOut.length !== 1 || Number(fanOut[0].UniqueIPs) !== 12 || fanOut[0].KnownGood !== true) {
        problems.push(`FastFluxFanOut: ${JSON.stringify(fanOut, (k, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
    }
    report('sql for the default profile on DuckDB', problems);
}

async function main() {
    const binary = resolve(process.argv[2] ?? 'build/infrahunt');
    const query = run(binary, ['export', '--target', 'sql', '--profile', 'seed']);
    const work = mkdtempSync(join(tmpdir(), 'infrahunt-render-'));
    try {
        const boundaries = join(work, 'boundaries.jsonl');
        const random = join(work, 'random.jsonl');
        await writeBoundaryFile(boundaries);
        await writeRandomFile(random, RANDOM_ROWS, 1);
        const db = await openDatabase();
        await checkFile(db, binary, 'boundary cases', boundaries, query);
        await checkFile(db, binary, `${RANDOM_ROWS} random rows`, random, query);
        await checkDefaultProfile(db, binary);
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

try {
    await main();
} catch (error) {
    tally.failed++;
    console.log(`FAIL sql parity stopped: ${error.stack ?? error}`);
}
console.log(`sql: ${tally.passed} passed, ${tally.failed} failed`);
process.exitCode = tally.failed > 0 ? 1 : 0;
