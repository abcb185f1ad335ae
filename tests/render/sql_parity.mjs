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
