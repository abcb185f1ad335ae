// Parsing of infrahunt's JSON lines alerts, the output order, and the
// comparison of two alert lists with a readable diff.

import { formatTimeNs, parseTime } from './events.mjs';

// The union's columns, which every alert line starts with, in this order.
export const REQUIRED_KEYS = [
    'Timestamp', 'DeviceName', 'RemoteIP', 'RemoteUrl', 'AlertType',
    'ConnectionCount', 'BytesSent', 'BytesReceived', 'SampleProcesses',
];

// Optional keys that may follow, by alert type.
export const EXTRA_KEYS = {
    PotentialBeaconing: ['DeviceId', 'FirstSeen', 'LastSeen', 'UniqueRemotePorts', 'DurationHours', 'BeaconRate'],
    SuspiciousDynamicDNS: ['UniqueDevices', 'SampleIPs'],
    PotentialFastFluxActivity: ['DeviceId', 'UniqueIPs', 'SampleURLs'],
};

const ALL_EXTRA_KEYS = new Set(Object.values(EXTRA_KEYS).flat());
const TIME_KEYS = new Set(['Timestamp', 'FirstSeen', 'LastSeen']);

// infrahunt writes 0, 3, 6 or 9 fraction digits.
const OUTPUT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d{3}|\d{6}|\d{9}))?Z$/;

function checkValue(key, value) {
    if (TIME_KEYS.has(key)) {
        return typeof value === 'string' && OUTPUT_TIME.test(value) && parseTime(value) !== null
            ? null : 'is not an RFC 3339 UTC time with 0, 3, 6 or 9 fraction digits';
    }
    if (key.startsWith('Sample')) {
        return Array.isArray(value) && value.every((v) => typeof v === 'string')
            ? null : 'is not an array of strings';
    }
    if (['BytesSent', 'BytesReceived'].includes(key)) {
        return value === null || Number.isInteger(value) ? null : 'is neither an integer nor null';
    }
    if (['DeviceName', 'RemoteIP', 'RemoteUrl', 'AlertType', 'DeviceId'].includes(key)) {
        return typeof value === 'string' ? null : 'is not a string';
    }
    return typeof value === 'number' ? null : 'is not a number';
}

// Parses infrahunt's output. Returns { alerts, problems, unknownKeys }: the
// alerts with times as BigInt nanoseconds, a message for each line that
// breaks the output format, and the keys that no alert type defines.
export function parseAlertLines(text) {
    const alerts = [];
    const problems = [];
    const unknownKeys = new Set();
    text.split('\n').forEach((line, index) => {
        if (line.trim() === '') {
            return;
        }
        const where = `output line ${index + 1}`;
        let object;
        try {
            object = JSON.parse(line);
        } catch (error) {
            problems.push(`${where}: invalid JSON (${error.message}): ${line.slice(0, 200)}`);
            return;
        }
        const keys = Object.keys(object);
        const leading = keys.slice(0, REQUIRED_KEYS.length);
        if (leading.join() !== REQUIRED_KEYS.join()) {
            problems.push(`${where}: keys start ${JSON.stringify(leading)}, expected ${JSON.stringify(REQUIRED_KEYS)}`);
        }
        const alert = {};
        for (const key of keys) {
            const value = object[key];
            if (!REQUIRED_KEYS.includes(key) && !ALL_EXTRA_KEYS.has(key)) {
                unknownKeys.add(key);
                continue;
            }
            if (!REQUIRED_KEYS.includes(key) && value === null) {
                continue;
            }
            const problem = checkValue(key, value);
            if (problem !== null) {
                problems.push(`${where}: ${key} ${problem}: ${JSON.stringify(value)}`);
                continue;
            }
            alert[key] = TIME_KEYS.has(key) ? parseTime(value) : value;
        }
        for (const key of REQUIRED_KEYS) {
            if (!(key in object)) {
                problems.push(`${where}: ${key} is missing`);
            }
        }
        alerts.push(alert);
    });
    return { alerts, problems, unknownKeys };
}

function compareBytes(a, b) {
    return Buffer.compare(Buffer.from(a ?? '', 'utf8'), Buffer.from(b ?? '', 'utf8'));
}

// Orders alerts as the output must be: Timestamp descending, then
// AlertType, DeviceName, RemoteIP, RemoteUrl and DeviceId byte-wise
// ascending. DeviceId takes part only when both alerts have one.
export function compareOutputOrder(a, b) {
    if (a.Timestamp !== b.Timestamp) {
        return a.Timestamp > b.Timestamp ? -1 : 1;
    }
    for (const key of ['AlertType', 'DeviceName', 'RemoteIP', 'RemoteUrl']) {
        const order = compareBytes(a[key], b[key]);
        if (order !== 0) {
            return order;
        }
    }
    if (a.DeviceId === undefined || b.DeviceId === undefined) {
        return 0;
    }
    return compareBytes(a.DeviceId, b.DeviceId);
}

function show(value) {
    if (typeof value === 'bigint') {
        return formatTimeNs(value);
    }
    return JSON.stringify(value);
}

// Returns a one-line description of an alert by its identity.
export function describe(alert) {
    const parts = [alert.AlertType];
    for (const key of ['DeviceId', 'DeviceName', 'RemoteIP', 'RemoteUrl']) {
        if (alert[key] !== undefined) {
            parts.push(`${key}=${JSON.stringify(alert[key])}`);
        }
    }
    if (alert.AlertType !== 'SuspiciousDynamicDNS' && alert.Timestamp !== undefined) {
        parts.push(`Timestamp=${show(alert.Timestamp)}`);
    }
    return parts.join(' ');
}

// The fields that identify an alert across two outputs, apart from DeviceId,
// which infrahunt may leave out: part 1 groups by DeviceName, RemoteIP and
// RemoteUrl, part 2 by RemoteUrl, part 3 by DeviceName and hour bin.
function identity(alert) {
    switch (alert.AlertType) {
    case 'PotentialBeaconing':
        return JSON.stringify([alert.AlertType, alert.DeviceName, alert.RemoteIP, alert.RemoteUrl]);
    case 'SuspiciousDynamicDNS':
        return JSON.stringify([alert.AlertType, alert.RemoteUrl]);
    default:
        return JSON.stringify([alert.AlertType, alert.DeviceName, String(alert.Timestamp)]);
    }
}

function sameValue(a, b) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
        return a === b;
    }
    return JSON.stringify(a) === JSON.stringify(b);
}

// Compares `actual` alerts with `expected` ones. `fieldsOf(expected, actual)`
// names the fields to compare in a matched pair. Returns { missing, extra,
// differing }, where differing lists [expected, actual, [messages]].
export function diffAlerts(expected, actual, fieldsOf) {
    const pending = new Map();
    for (const alert of expected) {
        const key = identity(alert);
        if (!pending.has(key)) {
            pending.set(key, []);
        }
        pending.get(key).push(alert);
    }
    const extra = [];
    const differing = [];
    for (const alert of actual) {
        const candidates = pending.get(identity(alert)) ?? [];
        let index = candidates.findIndex((c) => alert.DeviceId === undefined || c.DeviceId === alert.DeviceId);
        if (index < 0) {
            extra.push(alert);
            continue;
        }
        const [match] = candidates.splice(index, 1);
        const messages = [];
        for (const key of fieldsOf(match, alert)) {
            if (!(key in alert)) {
                messages.push(`${key} is missing, expected ${show(match[key])}`);
            } else if (!sameValue(match[key], alert[key])) {
                messages.push(`${key} expected ${show(match[key])}, got ${show(alert[key])}`);
            }
        }
        if (messages.length > 0) {
            differing.push([match, alert, messages]);
        }
    }
    const missing = [...pending.values()].flat();
    return { missing, extra, differing };
}

// The fields to compare between the oracle's alert and infrahunt's: all
// required keys, and every optional key of the type that infrahunt wrote.
export function outputFields(expected, actual) {
    const extras = (EXTRA_KEYS[expected.AlertType] ?? []).filter((key) => key in actual);
    return [...REQUIRED_KEYS, ...extras];
}

// Formats a diff as lines, at most `limit` per kind, with `labelOf(alert)`
// naming where an alert comes from (a case name), or null.
export function formatDiff(diff, labelOf = () => null, limit = 25) {
    const lines = [];
    const label = (alert) => {
        const name = labelOf(alert);
        return name ? ` [case ${name}]` : '';
    };
    const section = (title, items, render) => {
        if (items.length === 0) {
            return;
        }
        lines.push(`${title}: ${items.length}`);
        for (const item of items.slice(0, limit)) {
            lines.push(...render(item));
        }
        if (items.length > limit) {
            lines.push(`  ... and ${items.length - limit} more`);
        }
    };
    section('missing alerts (expected, not output)', diff.missing,
        (a) => [`  - ${describe(a)}${label(a)}`]);
    section('extra alerts (output, not expected)', diff.extra,
        (a) => [`  + ${describe(a)}${label(a)}`]);
    section('alerts with differing fields', diff.differing,
        ([e, , messages]) => [`  ~ ${describe(e)}${label(e)}`, ...messages.map((m) => `      ${m}`)]);
    return lines;
}

export function diffIsEmpty(diff) {
    return diff.missing.length === 0 && diff.extra.length === 0 && diff.differing.length === 0;
}

// Returns a message for the first pair of alerts out of output order, or null.
export function findOrderProblem(alerts) {
    for (let i = 1; i < alerts.length; i++) {
        if (compareOutputOrder(alerts[i - 1], alerts[i]) > 0) {
            return `alert ${i + 1} is out of order: ${describe(alerts[i])} comes after ${describe(alerts[i - 1])}`;
        }
    }
    return null;
}
