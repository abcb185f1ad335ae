// A baseline for the evaluation: RITA v5's beacon score, reimplemented here
// from its published description (its default_config.hjson comments and its
// configuration guide), not from its code. It reads `infrahunt events` JSON
// lines and scores each pair of source and destination address, as RITA
// does, over outbound connections with a completed handshake.
//
// Score = the mean of four subscores, weights 0.25 each:
// - timestamp: intervals between connections; mean of 1 - |Bowley skew| and
//   1 - MAD / median (clamped at 0);
// - data size: bytes the source sent per connection; mean of 1 - |Bowley
//   skew|, 1 - MAD / median, and a smallness score 1 - mode / 65535;
// - duration: max of coverage, (last - first) / the dataset's span, and
//   consistency, distinct hours with a connection / 12; 0 when fewer than 6
//   hours have a connection;
// - histogram: connections per hour; max of 1 - coefficient of variation and,
//   from 11 hours seen, a bimodal score: the share of hours in the two
//   largest buckets of counts (bucket width 5 % of the largest count), one
//   outlier bucket dropped.
// Pairs with fewer than 4 connections are not scored. Thresholds (of 100):
// 50 base, 70 low, 90 medium, 100 high; here 70 and above counts as found.
//
// NOTE: the description leaves details open (how RITA rounds, which
// quantile definition it uses, how it treats unknown byte counts); this
// file picks type 7 quantiles and scores unknown bytes as 0 bytes.
import fs from 'node:fs';
import readline from 'node:readline';

function quantile(sorted, p) {
    if (sorted.length === 0) return 0;
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function skewMadScores(values) {
    const s = [...values].sort((a, b) => a - b);
    const q1 = quantile(s, 0.25), q2 = quantile(s, 0.5), q3 = quantile(s, 0.75);
    const bowley = q3 > q1 ? (q3 + q1 - 2 * q2) / (q3 - q1) : 0;
    const mad = quantile(values.map((v) => Math.abs(v - q2)).sort((a, b) => a - b), 0.5);
    const madScore = q2 > 0 ? Math.max(0, 1 - mad / q2) : mad === 0 ? 1 : 0;
    return [1 - Math.abs(bowley), madScore];
}

function mode(values) {
    const counts = new Map();
    let best = 0, value = 0;
    for (const v of values) {
        const n = (counts.get(v) || 0) + 1;
        counts.set(v, n);
        if (n > best || (n === best && v < value)) [best, value] = [n, v];
    }
    return value;
}

export function scorePair(times, sentBytes, datasetFirst, datasetLast) {
    const ts = [...times].sort((a, b) => a - b);
    const intervals = ts.slice(1).map((t, i) => t - ts[i]);
    const [tsSkew, tsMad] = skewMadScores(intervals);
    const timestamp = (tsSkew + tsMad) / 2;

    const [dsSkew, dsMad] = skewMadScores(sentBytes);
    const smallness = Math.max(0, 1 - mode(sentBytes) / 65535);
    const dataSize = (dsSkew + dsMad + smallness) / 3;

    const hours = new Map();
    for (const t of ts) {
        const h = Math.floor(t / 3600);
        hours.set(h, (hours.get(h) || 0) + 1);
    }
    const span = datasetLast - datasetFirst;
    const coverage = span > 0 ? (ts[ts.length - 1] - ts[0]) / span : 1;
    const consistency = Math.min(1, hours.size / 12);
    const duration = hours.size < 6 ? 0 : Math.max(coverage, consistency);

    const firstHour = Math.floor(datasetFirst / 3600), lastHour = Math.floor(datasetLast / 3600);
    const perHour = [];
    for (let h = firstHour; h <= lastHour; h++) perHour.push(hours.get(h) || 0);
    const mean = perHour.reduce((a, b) => a + b, 0) / perHour.length;
    const sd = Math.sqrt(perHour.reduce((a, b) => a + (b - mean) ** 2, 0) / perHour.length);
    const cvScore = mean > 0 ? Math.max(0, 1 - sd / mean) : 0;
    let bimodal = 0;
    if (hours.size >= 11) {
        const width = Math.max(1, Math.max(...perHour) * 0.05);
        const buckets = new Map();
        for (const c of perHour.filter((c) => c > 0)) {
            const b = Math.floor(c / width);
            buckets.set(b, (buckets.get(b) || 0) + 1);
        }
        const sizes = [...buckets.values()].sort((a, b) => b - a);
        const kept = sizes.length > 2 ? sizes.length - 1 : sizes.length;
        const top = (sizes[0] || 0) + (sizes[1] || 0);
        bimodal = hours.size > 0 ? Math.min(1, top / Math.max(1, hours.size - (sizes.length - kept))) : 0;
    }
    const histogram = Math.max(cvScore, bimodal);
    const score = 100 * (0.25 * timestamp + 0.25 * dataSize + 0.25 * duration + 0.25 * histogram);
    return { score, timestamp, dataSize, duration, histogram };
}

// Reads events JSON lines and returns [{src, dst, count, score, ...}] sorted by score.
export async function ritaScores(eventsFile, options = {}) {
    const pairs = new Map();
    let first = Infinity, last = -Infinity;
    const rl = readline.createInterface({ input: fs.createReadStream(eventsFile) });
    for await (const line of rl) {
        const e = JSON.parse(line);
        if (e.kind !== 'conn') continue;
        const t = Date.parse(e.time) / 1000 + Number((e.time.match(/\.\d{3}(\d+)Z$/) || [0, '0'])[1]) / 1e6 / 1000;
        first = Math.min(first, t);
        last = Math.max(last, t);
        // RITA's default filter drops external-to-internal traffic; its source is the originator.
        const inbound = e.direction === 'inbound';
        if (inbound && !options.inbound) continue;
        if (e.action !== 'success' && e.action !== 'inbound') continue;
        const src = inbound ? e.remote_ip : e.device_name;
        const dst = inbound ? e.local_ip : e.remote_ip;
        const sent = inbound ? e.bytes_received : e.bytes_sent;
        if (!src || !dst) continue;
        const key = `${src}\t${dst}`;
        if (!pairs.has(key)) pairs.set(key, { src, dst, times: [], sent: [] });
        const p = pairs.get(key);
        p.times.push(t);
        p.sent.push(sent === null || sent === undefined ? 0 : sent);
    }
    const out = [];
    for (const p of pairs.values()) {
        if (p.times.length < 4) continue;
        out.push({ src: p.src, dst: p.dst, count: p.times.length, ...scorePair(p.times, p.sent, first, last) });
    }
    out.sort((a, b) => b.score - a.score || (a.src + a.dst < b.src + b.dst ? -1 : 1));
    return out;
}
