// Writes the telemetry of a derived DNS case (dynamic DNS, fast flux) from
// its description, reproducibly: the same case file gives the same bytes.
//
// Usage: node bench/eval/gen_dns.mjs CASE.json OUTDIR
//
// The case's "dns" object has a format ("zeek": dns.log and conn.log TSV;
// "sysmon": Sysmon events 22 and 3 as JSON lines), a start time, and
// series, each one name looked up by one device and process:
//   kind "lookup": `count` lookups `every` seconds apart, each answered by
//                  `answers` (addresses, or a CNAME target then addresses)
//                  with TTL `ttl`; with `connect`, the process connects to
//                  the first address on `port` after each lookup.
//   kind "flux":   like lookup, but each answer takes `per_answer`
//                  addresses from `pool` in turn, so the set rotates.
//   kind "ns":     NS lookups whose answers take `per_answer` name servers
//                  from `pool` in turn (double flux).
import fs from 'node:fs';
import path from 'node:path';

const ZEEK_DNS_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'trans_id', 'rtt',
    'query', 'qclass', 'qclass_name', 'qtype', 'qtype_name', 'rcode', 'rcode_name', 'AA', 'TC', 'RD', 'RA', 'Z',
    'answers', 'TTLs', 'rejected'];
const ZEEK_DNS_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'count', 'interval', 'string',
    'count', 'string', 'count', 'string', 'count', 'string', 'bool', 'bool', 'bool', 'bool', 'count',
    'vector[string]', 'vector[interval]', 'bool'];
const ZEEK_CONN_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service',
    'duration', 'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history',
    'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents'];
const ZEEK_CONN_TYPES = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count',
    'count', 'string', 'bool', 'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]'];

function zeekHeader(name, fields, types) {
    return ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', `#path\t${name}`,
        `#fields\t${fields.join('\t')}`, `#types\t${types.join('\t')}`].join('\n') + '\n';
}

const isAddress = (s) => /^[0-9.]+$/.test(s) || s.includes(':');

// Every lookup of the case, with its answer, in time order.
export function lookups(c) {
    const out = [];
    c.dns.series.forEach((s, si) => {
        const every = s.every || 60;
        for (let k = 0; k < (s.count || 1); k++) {
            let answers = s.answers || [];
            if (s.kind === 'flux' || s.kind === 'ns') {
                answers = [];
                for (let j = 0; j < s.per_answer; j++) answers.push(s.pool[(k * s.per_answer + j) % s.pool.length]);
            }
            out.push({ t: (s.offset || 0) + k * every + si * 0.001, s, k, answers, qtype: s.kind === 'ns' ? 'NS' : 'A' });
        }
    });
    return out.sort((a, b) => a.t - b.t);
}

function sysmonTime(seconds) {
    return new Date(Math.round(seconds * 1000)).toISOString().replace('T', ' ').replace('Z', '');
}

function sysmonDns(l, start) {
    const kind = l.qtype === 'NS' ? 2 : 5; // Sysmon writes non-address answers as "type:  N data"
    const results = l.answers.map((a) => (isAddress(a) ? `::ffff:${a};` : `type:  ${kind} ${a};`)).join('');
    return JSON.stringify({
        EventID: 22, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: l.s.device,
        UtcTime: sysmonTime(start + l.t), Image: `C:\\Windows\\System32\\${l.s.process}`, ProcessId: '4242',
        QueryName: l.s.name, QueryStatus: '0', QueryResults: results,
    });
}

function sysmonConn(l, start, addr) {
    return JSON.stringify({
        EventID: 3, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: l.s.device,
        UtcTime: sysmonTime(start + l.t + 0.5), Image: `C:\\Windows\\System32\\${l.s.process}`, ProcessId: '4242',
        Protocol: 'tcp', Initiated: 'true', SourceIp: l.s.local_ip, SourcePort: String(50000 + l.k),
        DestinationIp: addr, DestinationPort: String(l.s.port || 443), DestinationHostname: '',
    });
}

function zeekDns(l, start, i) {
    const qtype = l.qtype === 'NS' ? ['2', 'NS'] : ['1', 'A'];
    const answers = l.answers.length ? l.answers.join(',') : '-';
    const ttls = l.answers.length ? l.answers.map(() => `${(l.s.ttl || 60).toFixed(6)}`).join(',') : '-';
    return [(start + l.t).toFixed(6), `D${i.toString(36)}`, l.s.local_ip, 40000 + (i % 20000), '10.20.0.10', 53,
        'udp', 1000 + i, '0.001', l.s.name, 1, 'C_INTERNET', qtype[0], qtype[1], 0, 'NOERROR', 'F', 'F', 'T', 'T',
        0, answers, ttls, 'F'].join('\t');
}

function zeekConn(l, start, i, addr) {
    return [(start + l.t + 0.5).toFixed(6), `C${i.toString(36)}`, l.s.local_ip, 50000 + (i % 10000), addr,
        l.s.port || 443, 'tcp', 'ssl', '0.4', 600, 4200, 'SF', 'T', 'F', 0, 'ShADadFf', 8, 1020, 7, 4600,
        '-'].join('\t');
}

export function writeDnsCase(c, outDir) {
    const start = Date.parse(c.dns.start || '2024-05-13T08:00:00Z') / 1000;
    const all = lookups(c);
    fs.mkdirSync(outDir, { recursive: true });
    const dnsLines = [], connLines = [];
    all.forEach((l, i) => {
        const addrs = l.answers.filter(isAddress);
        if (c.dns.format === 'sysmon') dnsLines.push(sysmonDns(l, start));
        else dnsLines.push(zeekDns(l, start, i));
        if (l.s.connect && addrs.length) {
            if (c.dns.format === 'sysmon') connLines.push(sysmonConn(l, start, addrs[0]));
            else connLines.push(zeekConn(l, start, i, addrs[0]));
        }
    });
    if (c.dns.format === 'sysmon') {
        fs.writeFileSync(path.join(outDir, 'sysmon.jsonl'), [...dnsLines, ...connLines].join('\n') + '\n');
    } else if (c.dns.format === 'zeek') {
        fs.writeFileSync(path.join(outDir, 'dns.log'), zeekHeader('dns', ZEEK_DNS_FIELDS, ZEEK_DNS_TYPES) + dnsLines.join('\n') + '\n');
        fs.writeFileSync(path.join(outDir, 'conn.log'), zeekHeader('conn', ZEEK_CONN_FIELDS, ZEEK_CONN_TYPES) + connLines.join('\n') + '\n');
    } else {
        throw new Error(`${c.name}: unknown dns format '${c.dns.format}' (zeek or sysmon)`);
    }
    return all.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
    if (process.argv.length !== 4) {
        console.error('usage: node bench/eval/gen_dns.mjs CASE.json OUTDIR');
        process.exit(2);
    }
    const c = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    const n = writeDnsCase(c, process.argv[3]);
    console.log(`${c.name}: ${n} lookups written to ${process.argv[3]}`);
}
