// Writes the telemetry of a derived evaluation case from its description,
// reproducibly: the same case file and seed give the same bytes.
//
// Usage: node bench/eval/gen.mjs CASE.json OUTDIR
//
// The case's "generate" object lists series, each a device (and process)
// calling one destination:
//   kind "beacon":  every `period` seconds, each sleep drawn uniformly from
//                   period * (1 +/- jitter), each beat missed with
//                   probability `missed`; `change_at` (a share of the window)
//                   and `period_after` switch the sleep mid-run;
//                   `devices` > 1 repeats it on several devices (a service
//                   that many hosts poll).
//   kind "storm":   bursts of refused connections (Zeek REJ), `retry`
//                   seconds apart, `burst` attempts per burst, a burst every
//                   `every` seconds; the retries back off by `backoff`.
//   kind "random":  Poisson arrivals with mean gap `mean` seconds.
// and writes them as Zeek conn.log TSV, Sysmon event 3 JSON lines or
// Defender DeviceNetworkEvents JSON lines ("format").
import fs from 'node:fs';
import path from 'node:path';

// mulberry32: a small seeded generator, so cases do not depend on Math.random.
function rng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function hashSeed(text) {
    let h = 2166136261;
    for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    return h;
}

// Expands a series with `devices` > 1 into one series per device.
export function expandSeries(gen) {
    const out = [];
    for (const s of gen.series) {
        const n = s.devices || 1;
        for (let i = 0; i < n; i++) {
            const device = n > 1 ? `${s.device}-${String(i + 1).padStart(2, '0')}` : s.device;
            const local = s.local_ip ? s.local_ip : `10.20.${Math.floor(out.length / 200)}.${(out.length % 200) + 10}`;
            out.push({ ...s, device, local_ip: local, index: out.length });
        }
    }
    return out;
}

function beaconTimes(s, window, next) {
    const times = [];
    let t = (s.start || 0) * window + next() * s.period;
    const end = (s.end === undefined ? 1 : s.end) * window;
    while (t < end) {
        if (next() >= (s.missed || 0)) times.push(t);
        const changed = s.change_at !== undefined && t >= s.change_at * window;
        const period = changed ? s.period_after : s.period;
        t += period * (1 + (2 * next() - 1) * (s.jitter || 0));
    }
    return times.map((t) => ({ t, state: 'SF' }));
}

function stormTimes(s, window, next) {
    const out = [];
    for (let b = next() * s.every; b < window; b += s.every) {
        let t = b, gap = s.retry;
        for (let i = 0; i < s.burst && t < window; i++) {
            out.push({ t, state: 'REJ' });
            t += gap * (1 + 0.1 * next());
            gap *= s.backoff || 1;
        }
    }
    return out;
}

function randomTimes(s, window, next) {
    const out = [];
    for (let t = -Math.log(1 - next()) * s.mean; t < window; t += -Math.log(1 - next()) * s.mean)
        out.push({ t, state: 'SF' });
    return out;
}

// Returns every connection of the case, sorted by time, with its series.
export function connections(c) {
    const gen = c.generate;
    const records = [];
    for (const s of expandSeries(gen)) {
        const next = rng(hashSeed(`${gen.seed}/${s.device}/${s.dest_ip}/${s.kind}`));
        const make = s.kind === 'beacon' ? beaconTimes : s.kind === 'storm' ? stormTimes : randomTimes;
        for (const r of make(s, gen.window, next)) {
            const sent = s.sent === undefined ? Math.round(300 + 400 * next()) : s.sent;
            const received = s.received === undefined ? Math.round(200 + 5000 * next()) : s.received;
            records.push({ ...r, s, sent, received, port: 49152 + Math.floor(next() * 16000) });
        }
    }
    records.sort((a, b) => a.t - b.t || a.s.index - b.s.index);
    return records;
}

const ZEEK_HEADER = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents',
    '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]',
];

function zeekLine(r, start, i) {
    const ts = (start + r.t).toFixed(6);
    const ok = r.state === 'SF';
    return [ts, `C${i.toString(36)}`, r.s.local_ip, r.port, r.s.dest_ip, r.s.dest_port, r.s.proto || 'tcp', '-',
        ok ? '0.2' : '-', ok ? r.sent : 0, ok ? r.received : 0, r.state, 'T', 'F', 0, ok ? 'ShADadFf' : 'Sr',
        ok ? 6 : 1, ok ? r.sent + 320 : 60, ok ? 5 : 1, ok ? r.received + 260 : 40, '-'].join('\t');
}

function isoTime(seconds) {
    return new Date(Math.round(seconds * 1000)).toISOString();
}

function sysmonLine(r, start) {
    const t = isoTime(start + r.t).replace('T', ' ').replace('Z', '');
    return JSON.stringify({
        EventID: 3, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: r.s.device,
        UtcTime: t, Image: `C:\\Windows\\System32\\${r.s.process || 'svc.exe'}`, ProcessId: '4242',
        Protocol: 'tcp', Initiated: 'true', SourceIp: r.s.local_ip, SourcePort: String(r.port),
        DestinationIp: r.s.dest_ip, DestinationPort: String(r.s.dest_port), DestinationHostname: r.s.dest_name || '',
    });
}

function defenderLine(r, start) {
    return JSON.stringify({
        Timestamp: isoTime(start + r.t), DeviceId: `dev-${r.s.device}`, DeviceName: r.s.device,
        ActionType: r.state === 'SF' ? 'ConnectionSuccess' : 'ConnectionFailed', RemoteIP: r.s.dest_ip,
        RemotePort: r.s.dest_port, RemoteUrl: r.s.dest_name || '', LocalIP: r.s.local_ip, LocalPort: r.port,
        Protocol: 'Tcp', InitiatingProcessFileName: r.s.process || 'svc.exe',
    });
}

export function writeCase(c, outDir) {
    const gen = c.generate;
    const start = Date.parse(gen.start || '2024-05-06T00:00:00Z') / 1000;
    const recs = connections(c);
    fs.mkdirSync(outDir, { recursive: true });
    let text;
    let file;
    if (gen.format === 'zeek') {
        file = 'conn.log';
        text = ZEEK_HEADER.join('\n') + '\n' + recs.map((r, i) => zeekLine(r, start, i)).join('\n') + '\n';
    } else if (gen.format === 'sysmon') {
        file = 'sysmon.jsonl';
        text = recs.map((r) => sysmonLine(r, start)).join('\n') + '\n';
    } else if (gen.format === 'defender') {
        file = 'DeviceNetworkEvents.jsonl';
        text = recs.map((r) => defenderLine(r, start)).join('\n') + '\n';
    } else {
        throw new Error(`${c.name}: unknown format '${gen.format}' (zeek, sysmon or defender)`);
    }
    fs.writeFileSync(path.join(outDir, file), text);
    return recs.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
    if (process.argv.length !== 4) {
        console.error('usage: node bench/eval/gen.mjs CASE.json OUTDIR');
        process.exit(2);
    }
    const c = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const n = writeCase(c, process.argv[3]);
    console.log(`${c.name}: ${n} connections written to ${process.argv[3]}`);
}
