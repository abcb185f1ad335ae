// Parity test: `infrahunt scan --profile seed` must return exactly the
// alerts of the reference rule, as computed by the DuckDB oracle.
//
// Usage: node tests/parity/run.mjs [PATH-TO-INFRAHUNT]
// The binary is the argument, else $INFRAHUNT, else build/infrahunt at the
// repository root. The test first checks the oracle against the
// hand-computed outcome of every boundary case. Then it compares infrahunt
// with the oracle on the boundary file and on a 100,000-row random file:
// with and without --now, with one thread, and with small parallel chunks.
// The last line is "N passed, N failed, N skipped", and the exit status is 1
// if any check failed. When neither an argument nor $INFRAHUNT names a
// binary and build/infrahunt does not exist, the infrahunt checks are
// skipped.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    describe, diffAlerts, diffIsEmpty, findOrderProblem, formatDiff, outputFields, parseAlertLines,
} from './compare.mjs';
import { formatTimeNs, t } from './events.mjs';
import { NOW, NOW_TEXT, boundaryCases, writeBoundaryFile } from './gen_boundaries.mjs';
import { RANDOM_NOW, RANDOM_NOW_TEXT, writeRandomFile } from './gen_random.mjs';
import { newestTime, openDatabase, runSeedRule } from './oracle.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const RANDOM_ROWS = 100_000;
const RANDOM_SEED = 1;
const SCAN_TIMEOUT_MS = 300_000;

const tally = { passed: 0, failed: 0, skipped: 0 };

// Records one check: `problems` is a list of lines, empty when it passed.
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

function skip(name, reason) {
    tally.skipped++;
    console.log(`skip ${name}: ${reason}`);
}

// Converts a hand-written expected alert: time strings become nanoseconds.
function normalizeExpected(alert) {
    const out = { ...alert };
    for (const key of ['Timestamp', 'FirstSeen', 'LastSeen']) {
        if (typeof out[key] === 'string') {
            out[key] = t(out[key]);
        }
    }
    return out;
}

// Maps each alert to the boundary case whose devices (parts 1 and 3) or
// dynamic-DNS name (part 2) it comes from.
function caseOwnership(cases) {
    const byDevice = new Map();
    const byUrl = new Map();
    for (const c of cases) {
        for (const row of c.rows) {
            byDevice.set(row.DeviceId, c.name);
            if (!byUrl.has(row.RemoteUrl)) {
                byUrl.set(row.RemoteUrl, new Set());
            }
            byUrl.get(row.RemoteUrl).add(c.name);
        }
    }
    return (alert) => {
        if (alert.AlertType === 'SuspiciousDynamicDNS') {
            const owners = byUrl.get(alert.RemoteUrl);
            return owners && owners.size === 1 ? [...owners][0] : null;
        }
        return byDevice.get(alert.DeviceId) ?? null;
    };
}

function checkOracleCases(cases, oracleAlerts) {
    const ownerOf = caseOwnership(cases);
    const byCase = new Map(cases.map((c) => [c.name, []]));
    const unowned = [];
    for (const alert of oracleAlerts) {
        const owner = ownerOf(alert);
        if (owner === null) {
            unowned.push(alert);
        } else {
            byCase.get(owner).push(alert);
        }
    }
    for (const c of cases) {
        const expected = c.expect.map(normalizeExpected);
        const diff = diffAlerts(expected, byCase.get(c.name), (e) => Object.keys(e));
        const problems = formatDiff(diff);
        if (problems.length > 0) {
            problems.unshift(`case: ${c.about}`);
        }
        report(`oracle: ${c.name}`, problems);
    }
    report('oracle: alerts all owned by cases',
        unowned.map((a) => `no single case owns ${describe(a)}`));
    return ownerOf;
}

// Runs infrahunt on `file` and returns { alerts, problems }. `run.threads`
// sets --threads, and `run.chunkSize` sets INFRAHUNT_CHUNK_SIZE, which splits
// even a small file into chunks read in parallel.
function runInfrahunt(binary, file, run) {
    const args = ['scan', '--profile', 'seed'];
    if (run.nowText !== null) {
        args.push('--now', run.nowText);
    }
    if (run.threads !== undefined) {
        args.push('--threads', String(run.threads));
    }
    args.push('--output', 'jsonl', file);

    const env = { ...process.env };
    let command = [binary, ...args].join(' ');
    if (run.chunkSize !== undefined) {
        env.INFRAHUNT_CHUNK_SIZE = String(run.chunkSize);
        command = `INFRAHUNT_CHUNK_SIZE=${run.chunkSize} ${command}`;
    }

    const result = spawnSync(binary, args, {
        encoding: 'utf8',
        env,
        maxBuffer: 1 << 30,
        timeout: SCAN_TIMEOUT_MS,
    });
    if (result.error) {
        return { alerts: [], problems: [`${command}: failed to run: ${result.error.message}`] };
    }
    if (result.status !== 0) {
        const stderr = result.stderr.trim().split('\n').slice(0, 20).map((l) => `  stderr: ${l}`);
        const failure = result.signal ? `killed by ${result.signal}` : `exit status ${result.status}`;
        return { alerts: [], problems: [`${command}: ${failure}`, ...stderr] };
    }

    const parsed = parseAlertLines(result.stdout);
    const problems = parsed.problems.slice(0, 25);
    if (parsed.problems.length > 25) {
        problems.push(`... and ${parsed.problems.length - 25} more output format problems`);
    }
    if (parsed.unknownKeys.size > 0) {
        console.log(`note: infrahunt wrote keys the parity test does not check: ${[...parsed.unknownKeys].join(', ')}`);
    }
    if (problems.length > 0) {
        problems.unshift(`command: ${command}`);
    }
    return { alerts: parsed.alerts, problems };
}

// Compares infrahunt's alerts for `file` with the oracle's `expected`.
function checkInfrahunt(name, binary, file, run, expected, labelOf) {
    const { alerts, problems } = runInfrahunt(binary, file, run);
    if (problems.length === 0 || alerts.length > 0) {
        const diff = diffAlerts(expected, alerts, outputFields);
        problems.push(...formatDiff(diff, labelOf));
        const order = findOrderProblem(alerts);
        if (order !== null) {
            problems.push(order);
        }
        if (problems.length === 0) {
            console.log(`     ${alerts.length} alerts agree`);
        }
    }
    report(name, problems);
}

function findBinary() {
    const requested = process.argv[2] ?? process.env.INFRAHUNT;
    if (requested !== undefined) {
        return { binary: resolve(requested), explicit: true };
    }
    return { binary: join(REPO, 'build', 'infrahunt'), explicit: false };
}

async function main() {
    const work = mkdtempSync(join(tmpdir(), 'infrahunt-parity-'));
    try {
        const boundaryFile = join(work, 'boundaries.jsonl');
        const randomFile = join(work, 'random.jsonl');
        await writeBoundaryFile(boundaryFile);
        await writeRandomFile(randomFile, RANDOM_ROWS, RANDOM_SEED);

        const db = await openDatabase();
        const cases = boundaryCases();
        const boundaryAlerts = await runSeedRule(db, boundaryFile, NOW);
        const labelOf = checkOracleCases(cases, boundaryAlerts);

        const orderProblem = findOrderProblem(boundaryAlerts);
        report('oracle: output order', orderProblem === null ? [] : [orderProblem]);

        const newest = await newestTime(db, boundaryFile);
        const withoutNow = await runSeedRule(db, boundaryFile, null);
        const sameWithoutNow = formatDiff(diffAlerts(boundaryAlerts, withoutNow, (e) => Object.keys(e)));
        report('oracle: no --now, newest Timestamp', [
            ...(newest === NOW ? [] : [`newest Timestamp is ${formatTimeNs(newest)}, expected ${NOW_TEXT}`]),
            ...sameWithoutNow,
        ]);

        const randomAlerts = await runSeedRule(db, randomFile, RANDOM_NOW);
        const randomWithoutNow = await runSeedRule(db, randomFile, null);
        const types = new Set(randomAlerts.map((a) => a.AlertType));
        report('oracle: random file, all alert types',
            types.size === 3 ? [] : [`only ${[...types].join(', ')} among ${randomAlerts.length} alerts`]);

        const { binary, explicit } = findBinary();
        const boundary = { file: boundaryFile, labelOf };
        const random = { file: randomFile, labelOf: () => null };
        const runs = [
            ['infrahunt: boundaries, --now', boundary, { nowText: NOW_TEXT }, boundaryAlerts],
            ['infrahunt: boundaries, no --now', boundary, { nowText: null }, withoutNow],
            ['infrahunt: boundaries, 1 thread', boundary, { nowText: NOW_TEXT, threads: 1 }, boundaryAlerts],
            ['infrahunt: boundaries, 4 KiB chunks', boundary,
                { nowText: NOW_TEXT, threads: 2, chunkSize: 4096 }, boundaryAlerts],
            ['infrahunt: random file, --now', random, { nowText: RANDOM_NOW_TEXT }, randomAlerts],
            ['infrahunt: random file, no --now', random, { nowText: null }, randomWithoutNow],
            ['infrahunt: random file, 64 KiB chunks', random,
                { nowText: RANDOM_NOW_TEXT, threads: 2, chunkSize: 65536 }, randomAlerts],
        ];
        for (const [name, input, run, expected] of runs) {
            if (existsSync(binary)) {
                checkInfrahunt(name, binary, input.file, run, expected, input.labelOf);
            } else if (explicit) {
                report(name, [`${binary} not found`]);
            } else {
                skip(name, `${binary} not found; run make first`);
            }
        }
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

try {
    await main();
} catch (error) {
    tally.failed++;
    console.log(`FAIL parity test stopped: ${error.stack ?? error}`);
}
console.log(`${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
process.exitCode = tally.failed > 0 ? 1 : 0;
