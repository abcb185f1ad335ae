// A seeded random DeviceNetworkEvents file for volume checks. It mixes
// background traffic of many devices and processes with injected beacons and
// fast-flux bursts, so that all three parts of the rule fire. Some groups land
// just past a threshold and some just short of it.
//
// Usage: node gen_random.mjs OUT.jsonl [ROWS] [SEED]
// (defaults: 100000 rows, seed 1). The same ROWS and SEED give the same file.

import { pathToFileURL } from 'node:url';
import {
    NS_PER_DAY, NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND, Random, rowToJson, t, writeLines,
} from './events.mjs';

// The newest possible row time. Rows spread over the 10 days before it, so
// some fall outside part 1's 7-day window.
export const RANDOM_NOW_TEXT = '2024-06-01T00:00:00Z';
export const RANDOM_NOW = t(RANDOM_NOW_TEXT);
const SPAN = 10n * NS_PER_DAY;

const PROCESSES = [
    'chrome.exe', 'CHROME.EXE', 'msedge.exe', 'firefox.exe', 'Firefox.exe', 'safari', 'brave.exe',
    'opera.exe', 'iexplore.exe', 'svchost.exe', 'MsMpEng.exe', 'MsSense.exe', 'SenseIR.exe',
    'SenseCncProxy.exe', 'teams.exe', 'outlook.exe', 'onedrive.exe', 'powershell.exe',
    'rundll32.exe', 'python.exe', 'curl.exe', 'updater.exe', 'java.exe', 'slack.exe', 'zoom.exe',
    'safari.exe', 'chrome', 'AnyDesk.exe', 'ScreenConnect.ClientService.exe', '',
];

const ACTIONS = [
    ['ConnectionSuccess', 60], ['ConnectionAttempt', 15], ['ConnectionFailed', 12],
    ['InboundConnectionAccepted', 8], ['ListeningConnectionCreated', 3],
    ['connectionsuccess', 1], ['CONNECTIONATTEMPT', 1],
];

const PORTS = [
    [443, 50], [80, 14], [8080, 3], [8443, 2], [4443, 1], [4444, 1], [1080, 1], [3128, 1],
    [53, 5], [22, 3], [3389, 3], [445, 3], [0, 13],
];

const DYNDNS_SUFFIXES = [
    'duckdns.org', 'no-ip.com', 'hopto.org', 'ddns.net', 'servebeer.com', 'myftp.biz',
    'redirectme.net', 'serveftp.com', 'zapto.org', 'sytes.net', 'myddns.me', 'dynalias.com',
];

function weighted(random, table) {
    const total = table.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = random.float() * total;
    for (const [value, weight] of table) {
        roll -= weight;
        if (roll < 0) {
            return value;
        }
    }
    return table[table.length - 1][0];
}

function isPrivate(a, b) {
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function publicIp(random) {
    for (;;) {
        const a = random.int(1, 223);
        const b = random.int(0, 255);
        if (!isPrivate(a, b) && a !== 127) {
            return `${a}.${b}.${random.int(0, 255)}.${random.int(1, 254)}`;
        }
    }
}

function otherIp(random) {
    const kind = random.int(0, 9);
    if (kind < 5) {
        return `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
    }
    if (kind < 7) {
        return `172.${random.int(14, 33)}.${random.int(0, 255)}.${random.int(1, 254)}`;
    }
    if (kind < 8) {
        return `192.168.${random.int(0, 255)}.${random.int(1, 254)}`;
    }
    if (kind < 9) {
        return `2001:db8:${random.int(0, 0xffff).toString(16)}::${random.int(1, 0xfff).toString(16)}`;
    }
    return random.pick(['127.0.0.1', '', 'unknown', '010.1.2.3', '::1']);
}

function hex(random, digits) {
    let text = '';
    while (text.length < digits) {
        text += random.next().toString(16).padStart(8, '0');
    }
    return text.slice(0, digits);
}

function randomCase(random, text) {
    return random.chance(0.2) ? text.toUpperCase() : text;
}

// Builds the fixed pools (devices, addresses, names) the rows draw from.
function makePools(random) {
    const devices = Array.from({ length: 150 }, (_, i) => ({
        id: hex(random, 40),
        name: `ws-${String(i).padStart(4, '0')}.corp.contoso.example`,
        localIp: `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    }));
    // A few devices report two names, and two pairs of devices share one.
    for (let i = 0; i < 4; i++) {
        devices.push({ ...devices[i], name: devices[i].name.toUpperCase() });
    }
    devices.push({ ...devices[10], id: hex(random, 40) });
    devices.push({ ...devices[11], id: hex(random, 40) });

    const publicIps = Array.from({ length: 3000 }, () => publicIp(random));
    const urls = [];
    for (let k = 0; k < 400; k++) {
        urls.push(`${random.pick(['api', 'cdn', 'login', 'update', 'telemetry', 'static'])}${k}.`
            + random.pick(['example.com', 'example.net', 'example.org', 'contoso.example']));
    }
    const dyndns = [];
    for (let k = 0; k < 40; k++) {
        dyndns.push(randomCase(random, `h${k}.${DYNDNS_SUFFIXES[k % DYNDNS_SUFFIXES.length]}`));
    }
    dyndns.push('x.duckdns.org.evil.example', 'notzapto.org', 'duckdns.com', 'ddnsxnet.example');
    return { devices, publicIps, urls, dyndns };
}

function randomTime(random, first, span) {
    const ns = first + random.bigint(span);
    // A third of the rows fall on whole seconds, so ties in time occur.
    return random.chance(0.33) ? ns - (ns % NS_PER_SECOND) : ns - (ns % 100n);
}

function byteCount(random, low, high) {
    const roll = random.float();
    if (roll < 0.25) {
        return undefined;
    }
    if (roll < 0.3) {
        return null;
    }
    return random.int(low, high);
}

function makeRow(random, device, fields) {
    const processName = fields.InitiatingProcessFileName;
    return {
        time: fields.time,
        DeviceId: device.id,
        DeviceName: device.name,
        ActionType: fields.ActionType,
        RemoteIP: fields.RemoteIP,
        RemotePort: fields.RemotePort,
        RemoteUrl: fields.RemoteUrl,
        LocalIP: device.localIp,
        LocalPort: random.int(49152, 65535),
        Protocol: random.chance(0.95) ? 'Tcp' : 'Udp',
        InitiatingProcessFileName: processName,
        InitiatingProcessFolderPath: `c:\\program files\\app\\${processName.toLowerCase()}`,
        InitiatingProcessId: random.int(4, 65000),
        SentBytes: fields.SentBytes,
        ReceivedBytes: fields.ReceivedBytes,
    };
}

function backgroundRow(random, pools) {
    const device = random.pick(pools.devices);
    const urlRoll = random.float();
    let url = random.pick(pools.urls);
    if (urlRoll < 0.25) {
        url = '';
    } else if (urlRoll < 0.28) {
        url = random.pick(pools.dyndns);
    }
    const port = weighted(random, PORTS);
    return makeRow(random, device, {
        time: randomTime(random, RANDOM_NOW - SPAN, SPAN),
        ActionType: weighted(random, ACTIONS),
        RemoteIP: random.chance(0.8) ? random.pick(pools.publicIps) : otherIp(random),
        RemotePort: port === 0 ? random.int(1024, 65535) : port,
        RemoteUrl: url,
        InitiatingProcessFileName: random.pick(PROCESSES),
        SentBytes: byteCount(random, 0, 5000),
        ReceivedBytes: byteCount(random, 0, 50000),
    });
}

// A beacon: one device and process calling one address at a fixed period
// with jitter. Counts, periods and byte sizes straddle part 1's thresholds.
function beaconRows(random, pools) {
    const device = random.pick(pools.devices);
    const count = random.pick([15, 19, 20, 21, 25, 40, 80, 150, 400, 401, 402]);
    const period = BigInt(random.pick([1, 2, 5, 10, 15, 30, 60, 90, 120, 180])) * NS_PER_MINUTE;
    const start = RANDOM_NOW - SPAN + random.bigint(SPAN - 2n * NS_PER_HOUR);
    const bytesKnown = random.chance(0.8);
    const sent = random.pick([1, 40, 50, 51, 60, 200]);
    const fields = {
        ActionType: random.pick(['ConnectionSuccess', 'ConnectionAttempt', 'ConnectionSuccess']),
        RemoteIP: random.chance(0.9) ? random.pick(pools.publicIps) : otherIp(random),
        RemotePort: random.pick([443, 443, 80, 8080, 8443, 4444, 22]),
        RemoteUrl: random.chance(0.2) ? random.pick(pools.dyndns) : random.chance(0.2) ? '' : random.pick(pools.urls),
        InitiatingProcessFileName: random.pick(['powershell.exe', 'rundll32.exe', 'updater.exe', 'java.exe']),
    };
    const rows = [];
    for (let i = 0; i < count; i++) {
        const jitter = random.bigint(NS_PER_SECOND * 20n);
        const time = start + BigInt(i) * period + jitter;
        if (time > RANDOM_NOW) {
            break;
        }
        rows.push(makeRow(random, device, {
            ...fields,
            time: time - (time % 100n),
            SentBytes: bytesKnown ? sent : undefined,
            ReceivedBytes: bytesKnown ? random.int(0, 900) : undefined,
        }));
    }
    return rows;
}

// A fast-flux burst: one device reaching several addresses within about an
// hour, which may or may not straddle an hour boundary.
function fluxRows(random, pools) {
    const device = random.pick(pools.devices);
    const ipCount = random.int(3, 8);
    const ips = Array.from({ length: ipCount }, () => random.pick(pools.publicIps));
    const count = random.int(7, 16);
    const start = RANDOM_NOW - SPAN + random.bigint(SPAN - NS_PER_HOUR);
    const processName = random.pick(['updater.exe', 'svchost.exe', 'curl.exe', 'Chrome.exe', 'python.exe']);
    const rows = [];
    for (let i = 0; i < count; i++) {
        rows.push(makeRow(random, device, {
            time: randomTime(random, start, NS_PER_HOUR),
            ActionType: random.chance(0.9) ? 'ConnectionSuccess' : 'ConnectionFailed',
            RemoteIP: ips[i % ipCount],
            RemotePort: 443,
            RemoteUrl: random.chance(0.3) ? '' : random.chance(0.2) ? random.pick(pools.dyndns) : random.pick(pools.urls),
            InitiatingProcessFileName: random.chance(0.85) ? processName : random.pick(PROCESSES),
            SentBytes: byteCount(random, 0, 3000),
            ReceivedBytes: byteCount(random, 0, 3000),
        }));
    }
    return rows;
}

// Returns `count` rows, shuffled.
export function randomRows(count, seed) {
    const random = new Random(seed);
    const pools = makePools(random);
    const rows = [];
    const injectedShare = Math.floor(count * 0.3);
    while (rows.length < injectedShare) {
        rows.push(...(random.chance(0.5) ? beaconRows(random, pools) : fluxRows(random, pools)));
    }
    rows.length = Math.min(rows.length, count);
    while (rows.length < count) {
        rows.push(backgroundRow(random, pools));
    }
    return random.shuffle(rows);
}

export async function writeRandomFile(path, count = 100_000, seed = 1) {
    await writeLines(path, randomRows(count, seed).map(rowToJson));
    return count;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    const [out, count = '100000', seed = '1'] = process.argv.slice(2);
    if (!out) {
        console.error('usage: node gen_random.mjs OUT.jsonl [ROWS] [SEED]');
        process.exit(2);
    }
    await writeRandomFile(out, Number(count), Number(seed));
    console.error(`wrote ${count} rows to ${out}`);
}
