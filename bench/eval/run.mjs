// Labelled evaluation of the detectors: runs every case in bench/eval/cases
// through the default profile, the reference rule (seed) and, for beacons, a
// RITA v5 baseline, and prints recall and precision per alert type
// (beacon, ddns, flux) and detector.
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
import { writeDnsCase } from './gen_dns.mjs';
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

// Alert types: the default profile's AlertType names (a combined alert such as
// "Beaconing+DynamicDNS" counts for each part), the reference rule's, and the
// default-profile severities that count as found. A dynamic-DNS alert is
// context, so low counts; beacons and flux need medium.
const ALERT_TYPES = {
    beacon: { default: ['Beaconing'], seed: 'PotentialBeaconing', rita: true, found: ['medium', 'high'] },
    ddns: { default: ['DynamicDNS'], seed: 'SuspiciousDynamicDNS', found: ['low', 'medium', 'high'] },
    flux: { default: ['FastFlux', 'FastFluxFanOut'], seed: 'PotentialFastFluxActivity', found: ['medium', 'high'] },
};
const FOUND = new Set(['medium', 'high']); // severities that count as found for unlabelled alerts
const RITA_FOUND = 70; // RITA's "low" threshold and above: its analysts' triage list
const asnDir = path.join(dataDir, 'lists/asn');
const asnArgs = fs.existsSync(asnDir) ? ['--asn-db', asnDir] : ['--asn-db', 'none'];
if (!fs.existsSync(asnDir)) console.log(`NOTE no ASN database at ${asnDir}: flux and suspicious-ASN features are off`);

function typeOf(alert) {
    const parts = (alert.AlertType || '').split('+');
    return Object.keys(ALERT_TYPES).filter((t) => ALERT_TYPES[t].default.some((d) => parts.includes(d)));
}

function scan(profileArg, input) {
    const out = execFileSync(bin, ['scan', '--profile', profileArg, '--output', 'jsonl', '--threads', '2', ...asnArgs, input], {
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

const normal = (name) => (name || '').toLowerCase().replace(/\.$/, '');

// A label's device or remote "*" matches any; names compare as DNS does.
function matches(label, a) {
    const device = label.device === '*' || a.DeviceName === label.device || a.DeviceId === label.device;
    const remote = label.remote === '*' || a.RemoteIP === label.remote || normal(a.RemoteUrl) === normal(label.remote) ||
        (a.CnameOf || []).some((n) => normal(n) === normal(label.remote)) ||
        (a.Destinations || []).some((n) => normal(n) === normal(label.remote));
    const proc = !label.process || (a.SampleProcesses || []).some((p) => p.toLowerCase() === label.process.toLowerCase());
    return device && remote && proc;
}

// The reference rule groups dynamic DNS by name across devices.
function seedMatches(label, a) {
    if (label.type === 'ddns') return normal(a.RemoteUrl) === normal(label.remote);
    if (label.type === 'flux' && label.device === '*')
        return normal(a.RemoteUrl) === normal(label.remote) || (a.SampleURLs || []).some((u) => normal(u) === normal(label.remote));
    return matches(label, a);
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
    } else if (c.dns) {
        input = path.join(tmp, c.name);
        writeDnsCase(c, input);
    } else if (c.simulate) {
        const sim = c.simulate;
        input = path.join(tmp, c.name);
        const target = sim.format.startsWith('zeek') ? input : path.join(input, 'telemetry.jsonl');
        fs.mkdirSync(input, { recursive: true });
        execFileSync(bin, ['simulate', '--test', sim.test, '--format', sim.format, '--background', String(sim.background),
            '--seed', String(sim.seed), '-o', target], { stdio: ['ignore', 'ignore', 'pipe'] });
    } else {
        input = path.join(dataDir, c.input);
        if (!fs.existsSync(input)) {
            console.log(`SKIP ${c.name}: real data not found at ${input} (set INFRAHUNT_DATA)`);
            continue;
        }
    }
    const alerts = { default: scan(profileFor(c), input), seed: scan('seed', input) };
    let rita = [];
    if (labelsOf(c).some((l) => l.type === 'beacon')) {
        const eventsFile = path.join(tmp, `${c.name}.events.jsonl`);
        execFileSync(bin, ['events', '-o', eventsFile, input], { stdio: ['ignore', 'ignore', 'pipe'] });
        rita = await ritaScores(eventsFile, { inbound: true });
        fs.rmSync(eventsFile);
    }

    const labels = labelsOf(c);
    for (const label of labels) {
        const type = ALERT_TYPES[label.type];
        const def = alerts.default.filter((a) => typeOf(a).includes(label.type) && matches(label, a));
        const seed = alerts.seed.filter((a) => a.AlertType === type.seed && seedMatches(label, a));
        const r = rita.filter((x) => ritaMatches(label, x));
        const best = def.length ? def[0] : null;
        const got = {
            default: best !== null && type.found.includes(best.Severity),
            seed: seed.length > 0,
        };
        if (type.rita) got.rita = r.length > 0 && r[0].score >= RITA_FOUND;
        const positive = label.expect === 'positive';
        // "context": a legitimate use that may alert below medium; reported, not scored.
        if (label.expect !== 'context')
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
        if (label.expect === 'context' && best && FOUND.has(best.Severity))
            misses.push(`${c.name}: ${label.device} -> ${label.remote} (${label.note}) alerted at ${best.Severity} (score ${best.Score})`);
        if (positive && label.target !== false && !got.default)
            misses.push(`${c.name}: ${label.device} -> ${label.remote} not found (${best ? `score ${best.Score}, ${best.Severity}` : 'no alert'})`);
        if (positive && label.host && label.target !== false && rank !== 1)
            misses.push(`${c.name}: ${label.device} -> ${label.remote} ranked ${rank ?? 'nowhere'} on ${label.host}, expected first`);
        if (label.expect === 'negative' && got.default)
            misses.push(`${c.name}: benign ${label.device} -> ${label.remote} alerted at ${best.Severity} (score ${best.Score})`);
    }
    // In a derived case every series is labelled, so any other alert is a false positive.
    if (c.dns) {
        for (const a of alerts.default.filter((x) => typeOf(x).some((t) => t !== 'beacon') && FOUND.has(x.Severity))) {
            if (!labels.some((l) => typeOf(a).includes(l.type) && matches(l, a))) {
                for (const t of typeOf(a)) tally(t, 'default', 'fp');
                misses.push(`${c.name}: unlabelled ${a.AlertType} alert ${a.DeviceName} -> ${a.RemoteUrl || a.RemoteIP} at ${a.Severity}`);
            }
        }
    } else if (c.generate) {
        for (const a of alerts.default.filter((x) => typeOf(x).includes('beacon') && FOUND.has(x.Severity))) {
            if (!labels.some((l) => matches(l, a))) {
                tally('beacon', 'default', 'fp');
                misses.push(`${c.name}: unlabelled alert ${a.DeviceName} -> ${a.RemoteIP} at ${a.Severity}`);
            }
        }
    } else {
        const unlabelled = alerts.default.filter((a) => FOUND.has(a.Severity) && !labels.some((l) => matches(l, a)));
        const byType = {};
        for (const a of unlabelled) byType[a.AlertType] = (byType[a.AlertType] || 0) + 1;
        rows.push({ case: c.name, unlabelled: unlabelled.length, byType });
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
        let rita = r.rita ? `${r.rita.score.toFixed(0)}${r.ritaRank ? `, rank ${r.ritaRank}` : ''}` : 'not scored';
        if (l.type !== 'beacon') rita = '-';
        const type = r.best && l.type !== 'beacon' ? ` (${r.best.AlertType})` : '';
        console.log(`| ${r.case} | ${l.type} ${l.expect} ${l.device} -> ${l.remote}${l.note ? ` (${l.note})` : ''} | ${d}${type} | ${r.seed ? 'alert' : 'no alert'} | ${rita} |`);
    }
} else {
    for (const r of rows) {
        if (r.unlabelled !== undefined) {
            const parts = Object.entries(r.byType).map(([t, n]) => `${n} ${t}`).join(', ');
            console.log(`     ${r.case}: ${r.unlabelled} unlabelled alerts at medium or high${parts ? ` (${parts})` : ''}`);
            continue;
        }
        const l = r.label;
        const ok = l.expect === 'positive' ? r.got.default : l.expect === 'context' || !r.got.default;
        const d = r.best ? `score ${r.best.Score} ${r.best.Severity}` : 'no alert';
        const rita = l.type === 'beacon' ? `; RITA ${r.rita ? r.rita.score.toFixed(0) : 'not scored'}` : '';
        const type = r.best ? ` ${r.best.AlertType}` : '';
        console.log(`${ok ? 'ok  ' : 'MISS'} ${r.case}: ${l.type} ${l.expect} ${l.device} -> ${l.remote}: ${d}${type}` +
            `${r.rank ? `, rank ${r.rank} on ${l.host}` : ''}; seed ${r.seed ? 'alert' : 'none'}${rita}`);
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
