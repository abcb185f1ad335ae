// Labelled evaluation of the detectors: runs every case in bench/eval/cases
// through the default profile, the reference rule (seed) and a RITA v5
// baseline, and prints recall and precision per alert type and detector.
// Exits 1 when the default profile misses a target (see README.md here).
//
// Usage: node bench/eval/run.mjs path/to/infrahunt [--markdown] [CASE...]
// Real data is read from $INFRAHUNT_DATA (default ../shared/data from the
// repository root); cases that need it are skipped, and say so, when it is
// missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expandSeries, writeCase } from './gen.mjs';
import { ritaScores } from './rita_baseline.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const positional = args.filter((a) => !a.startsWith('--'));
if (positional.length < 1) {
    console.error('usage: node bench/eval/run.mjs path/to/infrahunt [--markdown] [CASE...]');
    process.exit(2);
}
const bin = path.resolve(positional[0]);
const only = new Set(positional.slice(1));
const dataDir = process.env.INFRAHUNT_DATA || path.join(root, '../shared/data');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'infrahunt-eval-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// Alert types and how each detector names them; dynamic DNS and fast flux add rows here.
const ALERT_TYPES = {
    beacon: { default: 'Beaconing', seed: 'PotentialBeaconing', rita: true },
};
const FOUND = new Set(['medium', 'high']); // default-profile severities that count as found
const RITA_FOUND = 70; // RITA's "low" threshold and above: its analysts' triage list

function scan(profileArg, input) {
    const out = execFileSync(bin, ['scan', '--profile', profileArg, '--output', 'jsonl', '--threads', '2', input], {
        maxBuffer: 1 << 28,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// The default profile with extra external networks, as a lab declares its C2 range.
function profileFor(c) {
    if (!c.external_networks || c.external_networks.length === 0) return 'default';
    const text = fs.readFileSync(path.join(root, 'profiles/default.yaml'), 'utf8');
    const line = '    external_networks: []';
    if (!text.includes(line)) throw new Error(`profiles/default.yaml lacks the line '${line}'`);
    const file = path.join(tmp, `${c.name}.yaml`);
    fs.writeFileSync(file, text.replace(line, `    external_networks: [${c.external_networks.join(', ')}]`));
    return file;
}

// Labels of a derived case: its "labels", plus one per generated series that carries "expect".
function labelsOf(c) {
    const labels = [...(c.labels || [])];
    if (c.generate) {
        for (const s of expandSeries(c.generate)) {
            if (!s.expect) continue;
            // Zeek has no host names: its device is the local address.
            const device = c.generate.format === 'zeek' ? s.local_ip : s.device;
            labels.push({ type: 'beacon', expect: s.expect, device, remote: s.dest_ip,
                process: c.generate.format === 'zeek' ? undefined : s.process,
                host: s.rank_first ? device : undefined, note: s.note || s.kind,
                target: s.expect === 'positive' ? (s.jitter || 0) <= 0.5 && (s.missed || 0) <= 0.3 : true });
        }
    }
    return labels;
}

function matches(label, a) {
    const device = a.DeviceName === label.device || a.DeviceId === label.device;
    const remote = a.RemoteIP === label.remote || a.RemoteUrl === label.remote;
    const proc = !label.process || (a.SampleProcesses || []).some((p) => p.toLowerCase() === label.process.toLowerCase());
    return device && remote && proc;
}

function ritaMatches(label, r) {
    return r.src === label.device && r.dst === label.remote;
}

// Position (1-based) of the label's alert among alerts of its host, in the detector's order.
function rankOnHost(label, list, isMatch, involves) {
    const onHost = list.filter((a) => involves(a, label.host));
    const i = onHost.findIndex((a) => isMatch(label, a));
    return i < 0 ? null : i + 1;
}

const totals = {};
function tally(type, detector, field, n = 1) {
    totals[type] ??= {};
    totals[type][detector] ??= { tp: 0, fn: 0, fp: 0, tn: 0 };
    totals[type][detector][field] += n;
}

const misses = [];
const rows = [];
const caseFiles = fs.readdirSync(path.join(here, 'cases')).filter((f) => f.endsWith('.json')).sort();
for (const f of caseFiles) {
    const c = JSON.parse(fs.readFileSync(path.join(here, 'cases', f), 'utf8'));
    if (only.size && !only.has(c.name)) continue;
    let input;
    if (c.generate) {
        input = path.join(tmp, c.name);
        writeCase(c, input);
    } else {
        input = path.join(dataDir, c.input);
        if (!fs.existsSync(input)) {
            console.log(`SKIP ${c.name}: real data not found at ${input} (set INFRAHUNT_DATA)`);
            continue;
        }
    }
    const alerts = { default: scan(profileFor(c), input), seed: scan('seed', input) };
    const eventsFile = path.join(tmp, `${c.name}.events.jsonl`);
    execFileSync(bin, ['events', '-o', eventsFile, input], { stdio: ['ignore', 'ignore', 'pipe'] });
    const rita = await ritaScores(eventsFile, { inbound: true });
    fs.rmSync(eventsFile);

    const labels = labelsOf(c);
    for (const label of labels) {
        const type = ALERT_TYPES[label.type];
        const def = alerts.default.filter((a) => a.AlertType === type.default && matches(label, a));
        const seed = alerts.seed.filter((a) => a.AlertType === type.seed && matches(label, a));
        const r = rita.filter((x) => ritaMatches(label, x));
        const best = def.length ? def[0] : null;
        const got = {
            default: best !== null && FOUND.has(best.Severity),
            seed: seed.length > 0,
            rita: r.length > 0 && r[0].score >= RITA_FOUND,
        };
        const positive = label.expect === 'positive';
        for (const d of Object.keys(got)) tally(label.type, d, positive ? (got[d] ? 'tp' : 'fn') : got[d] ? 'fp' : 'tn');

        let rank = null, ritaRank = null;
        if (label.host) {
            const involves = (a, h) => a.DeviceName === h || a.RemoteIP === h;
            rank = rankOnHost(label, alerts.default, matches, involves);
            ritaRank = rankOnHost(label, rita, ritaMatches, (x, h) => x.src === h || x.dst === h);
        }
        rows.push({
            case: c.name, label, best, rita: r[0], seed: seed.length, rank, ritaRank, got,
        });
        if (positive && label.target !== false && !got.default)
            misses.push(`${c.name}: ${label.device} -> ${label.remote} not found (${best ? `score ${best.Score}, ${best.Severity}` : 'no alert'})`);
        if (positive && label.host && label.target !== false && rank !== 1)
            misses.push(`${c.name}: ${label.device} -> ${label.remote} ranked ${rank ?? 'nowhere'} on ${label.host}, expected first`);
        if (!positive && got.default)
            misses.push(`${c.name}: benign ${label.device} -> ${label.remote} alerted at ${best.Severity} (score ${best.Score})`);
    }
    // In a derived case every series is labelled, so any other alert is a false positive.
    if (c.generate) {
        for (const a of alerts.default.filter((x) => x.AlertType === 'Beaconing' && FOUND.has(x.Severity))) {
            if (!labels.some((l) => matches(l, a))) {
                tally('beacon', 'default', 'fp');
                misses.push(`${c.name}: unlabelled alert ${a.DeviceName} -> ${a.RemoteIP} at ${a.Severity}`);
            }
        }
    } else {
        const unlabelled = alerts.default.filter((a) => FOUND.has(a.Severity) && !labels.some((l) => matches(l, a)));
        rows.push({ case: c.name, unlabelled: unlabelled.length });
    }
}

function pct(a, b) {
    return b ? `${((100 * a) / b).toFixed(0)} %` : 'n/a';
}

if (markdown) {
    console.log('| case | label | default profile | seed | RITA v5 baseline |');
    console.log('|---|---|---|---|---|');
    for (const r of rows) {
        if (r.unlabelled !== undefined) continue;
        const l = r.label;
        const d = r.best ? `${r.best.Score} ${r.best.Severity}${r.rank ? `, rank ${r.rank}` : ''}` : 'no alert';
        const rita = r.rita ? `${r.rita.score.toFixed(0)}${r.ritaRank ? `, rank ${r.ritaRank}` : ''}` : 'not scored';
        console.log(`| ${r.case} | ${l.expect} ${l.device} -> ${l.remote}${l.note ? ` (${l.note})` : ''} | ${d} | ${r.seed ? 'alert' : 'no alert'} | ${rita} |`);
    }
} else {
    for (const r of rows) {
        if (r.unlabelled !== undefined) {
            console.log(`     ${r.case}: ${r.unlabelled} unlabelled alerts at medium or high`);
            continue;
        }
        const l = r.label;
        const ok = l.expect === 'positive' ? r.got.default : !r.got.default;
        const d = r.best ? `score ${r.best.Score} ${r.best.Severity}` : 'no alert';
        console.log(`${ok ? 'ok  ' : 'MISS'} ${r.case}: ${l.expect} ${l.device} -> ${l.remote}: ${d}` +
            `${r.rank ? `, rank ${r.rank} on ${l.host}` : ''}; seed ${r.seed ? 'alert' : 'none'}; ` +
            `RITA ${r.rita ? r.rita.score.toFixed(0) : 'not scored'}`);
    }
}

console.log('');
console.log('alert type  detector  recall           precision');
for (const [type, byDetector] of Object.entries(totals)) {
    for (const [d, t] of Object.entries(byDetector)) {
        console.log(`${type.padEnd(10)}  ${d.padEnd(8)}  ${pct(t.tp, t.tp + t.fn).padStart(5)} (${t.tp}/${t.tp + t.fn})`.padEnd(46) +
            `${pct(t.tp, t.tp + t.fp).padStart(5)} (${t.tp}/${t.tp + t.fp})`);
    }
}
if (misses.length) {
    console.log('');
    for (const m of misses) console.log(`FAIL ${m}`);
    console.log(`eval: ${misses.length} target${misses.length === 1 ? '' : 's'} missed`);
    process.exit(1);
}
console.log('eval: every target met');
