// Shared helpers for writing Defender DeviceNetworkEvents rows as JSON lines:
// nanosecond times, RFC 3339 formatting and a seeded random number generator.
//
// Times are BigInt nanoseconds since 1970-01-01T00:00:00Z. Defender stores
// 100 ns ticks and exports them with 7 fraction digits, so every time written
// here is a multiple of 100 ns.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const NS_PER_SECOND = 1_000_000_000n;
export const NS_PER_MINUTE = 60n * NS_PER_SECOND;
export const NS_PER_HOUR = 60n * NS_PER_MINUTE;
export const NS_PER_DAY = 24n * NS_PER_HOUR;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:00)$/;

// Parses an RFC 3339 UTC time with 0 to 9 fraction digits into BigInt
// nanoseconds. Returns null when the text is not such a time.
export function parseTime(text) {
    if (typeof text !== 'string') {
        return null;
    }
    const m = RFC3339.exec(text);
    if (m === null) {
        return null;
    }
    const [, year, month, day, hour, minute, second, fraction = ''] = m;
    const ms = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
    // Date.UTC rolls day 32 over into the next month, so a round trip
    // rejects fields out of range.
    const written = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== written) {
        return null;
    }
    return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

// Parses a time literal written in the generators, and throws on a typo.
export function t(text) {
    const ns = parseTime(text);
    if (ns === null) {
        throw new Error(`invalid time literal: ${text}`);
    }
    return ns;
}

// Formats BigInt nanoseconds as Defender does: 7 fraction digits and Z.
export function formatDefenderTime(ns) {
    if (ns % 100n !== 0n) {
        throw new Error(`time ${ns} ns is not a multiple of 100 ns`);
    }
    const ms = ns / 1_000_000n;
    const base = new Date(Number(ms)).toISOString().slice(0, 19);
    const ticks = (ns % NS_PER_SECOND) / 100n;
    return `${base}.${ticks.toString().padStart(7, '0')}Z`;
}

// Formats BigInt nanoseconds with 9 fraction digits, for messages.
export function formatTimeNs(ns) {
    if (typeof ns !== 'bigint') {
        return String(ns);
    }
    const base = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
    const frac = (ns % NS_PER_SECOND).toString().padStart(9, '0');
    return `${base}.${frac}Z`;
}

// The DeviceNetworkEvents columns in the order Defender exports them.
// SentBytes and ReceivedBytes are not Defender columns, but the reference
// rule reads them, so they follow when a row has them.
export const COLUMNS = [
    'Timestamp',
    'DeviceId',
    'DeviceName',
    'ActionType',
    'RemoteIP',
    'RemotePort',
    'RemoteUrl',
    'LocalIP',
    'LocalPort',
    'Protocol',
    'InitiatingProcessFileName',
    'InitiatingProcessFolderPath',
    'InitiatingProcessId',
    'SentBytes',
    'ReceivedBytes',
];

// Serializes one row, whose `time` is BigInt nanoseconds. A byte count that
// is undefined is left out (unknown), and one that is null is written as null.
// `row.style` varies the layout a reader must accept: 'spaced' puts a space
// after each colon and comma, 'reversed' writes the keys in reverse order,
// and 'escaped' writes every non-ASCII character as a \u escape.
export function rowToJson(row) {
    const columns = row.style === 'reversed' ? [...COLUMNS].reverse() : COLUMNS;
    const out = {};
    for (const column of columns) {
        if (column === 'Timestamp') {
            out.Timestamp = formatDefenderTime(row.time);
        } else if (row[column] !== undefined) {
            out[column] = row[column];
        }
    }
    if (row.style === 'spaced') {
        const pairs = Object.entries(out).map(
            ([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`,
        );
        return `{${pairs.join(', ')}}`;
    }
    const text = JSON.stringify(out);
    if (row.style === 'escaped') {
        return text.replace(
            /[\u007f-\uffff]/g,
            (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
    }
    return text;
}

// Writes JSON lines to `path` through a stream, waiting when the stream's
// buffer is full so that large files do not sit in memory.
export async function writeLines(path, lines) {
    const stream = createWriteStream(path);
    let chunk = '';
    for (const line of lines) {
        chunk += line + '\n';
        if (chunk.length >= 1 << 20) {
            if (!stream.write(chunk)) {
                await once(stream, 'drain');
            }
            chunk = '';
        }
    }
    stream.end(chunk);
    await once(stream, 'finish');
}

// A small seeded generator (sfc32) so that generated files are reproducible.
export class Random {
    constructor(seed) {
        this.a = 0x9e3779b9;
        this.b = 0x243f6a88;
        this.c = 0xb7e15162;
        this.d = seed >>> 0;
        for (let i = 0; i < 20; i++) {
            this.next();
        }
    }

    // Returns an unsigned 32-bit integer.
    next() {
        const a = this.a;
        const b = this.b;
        const c = this.c;
        const d = this.d;
        const result = (((a + b) >>> 0) + d) >>> 0;
        this.d = (d + 1) >>> 0;
        this.a = b ^ (b >>> 9);
        this.b = (c + (c << 3)) >>> 0;
        this.c = (((c << 21) | (c >>> 11)) + result) >>> 0;
        return result;
    }

    // Returns a float in [0, 1).
    float() {
        return this.next() / 4294967296;
    }

    // Returns an integer in [low, high], both inclusive.
    int(low, high) {
        return low + Math.floor(this.float() * (high - low + 1));
    }

    pick(values) {
        return values[Math.floor(this.float() * values.length)];
    }

    chance(probability) {
        return this.float() < probability;
    }

    // Returns a BigInt in [0, span).
    bigint(span) {
        const high = BigInt(this.next());
        const low = BigInt(this.next());
        return ((high << 32n) | low) % span;
    }

    // Shuffles `values` in place (Fisher-Yates) and returns it.
    shuffle(values) {
        for (let i = values.length - 1; i > 0; i--) {
            const j = Math.floor(this.float() * (i + 1));
            [values[i], values[j]] = [values[j], values[i]];
        }
        return values;
    }
}
