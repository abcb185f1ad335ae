// The reference rule written as DuckDB SQL, an oracle independent of
// infrahunt's C code. It reads Defender DeviceNetworkEvents JSON lines and
// returns the alerts of the rule's three parts, in output order.
//
// Conventions shared with infrahunt's `seed` profile, which the KQL rule
// leaves open:
// - now is the --now time, or the newest Timestamp in the input.
// - make_set(x, N) keeps the N distinct non-null values that appear first in
//   time within the group, breaking ties by byte-wise order of the value
//   ("" is a value and sorts first), and lists them in that order.
// - part 2's RemoteIP is its first sample IP, and part 3's RemoteUrl is its
//   first sample URL. Part 2's Timestamp is now. Parts 2 and 3 report 0 bytes.
// - a valid IPv4 address is a strict dotted quad (0 to 255, no leading zeros).
// - output is ordered by Timestamp descending, then AlertType, DeviceName,
//   RemoteIP, RemoteUrl and DeviceId ascending, byte-wise.
//
// Only DuckDB's built-in functions are used, and extension loading is turned
// off, so the oracle runs without network access.

import { DuckDBInstance } from '@duckdb/node-api';

const NS_PER_HOUR = 3_600_000_000_000n;
const NS_PER_DAY = 24n * NS_PER_HOUR;

// Column types for read_ndjson. A key missing from a row reads as NULL.
export const DEFENDER_COLUMNS = {
    Timestamp: 'VARCHAR',
    DeviceId: 'VARCHAR',
    DeviceName: 'VARCHAR',
    ActionType: 'VARCHAR',
    RemoteIP: 'VARCHAR',
    RemotePort: 'BIGINT',
    RemoteUrl: 'VARCHAR',
    LocalIP: 'VARCHAR',
    LocalPort: 'BIGINT',
    Protocol: 'VARCHAR',
    InitiatingProcessFileName: 'VARCHAR',
    InitiatingProcessFolderPath: 'VARCHAR',
    InitiatingProcessId: 'BIGINT',
    SentBytes: 'BIGINT',
    ReceivedBytes: 'BIGINT',
};

const BEACON_PORTS = [80, 443, 8080, 8443, 4443, 4444, 1080, 3128];

// The rule's provider list, matched unanchored and case-insensitively.
const DYNDNS_REGEX = String.raw`(duckdns\.org|no-ip\.com|hopto\.org|ddns\.net|servebeer\.com|myftp\.biz|redirectme\.net|serveftp\.com|zapto\.org|sytes\.net|myddns\.me|dynalias\.com)`;

// Part 3 skips these initiating processes, compared case-insensitively.
const FLUX_EXCLUDED_PROCESSES = [
    'chrome.exe', 'firefox.exe', 'msedge.exe', 'iexplore.exe', 'safari', 'opera.exe',
    'brave.exe', 'svchost.exe', 'MsMpEng.exe', 'SenseIR.exe', 'MsSense.exe', 'SenseCncProxy.exe',
];

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4_REGEX = String.raw`${OCTET}(\.${OCTET}){3}`;

function sqlString(text) {
    return `'${String(text).replaceAll("'", "''")}'`;
}

function readSource(path) {
    const columns = Object.entries(DEFENDER_COLUMNS)
        .map(([name, type]) => `${name}: ${sqlString(type)}`)
        .join(', ');
    return `read_ndjson(${sqlString(path)}, columns = {${columns}}, format = 'newline_delimited')`;
}

// Returns a CTE named `name` with one row per group of `keys`: `sample`, the
// list of at most `limit` distinct non-null `value`s of `source`, ordered by
// first appearance time and then byte-wise (make_set's convention above).
function firstValuesCte(name, source, keys, value, limit) {
    const keyList = keys.join(', ');
    return `${name} AS (
    SELECT ${keyList}, list(${value} ORDER BY first_ns, ${value}) AS sample
    FROM (
        SELECT ${keyList}, ${value}, min(ts_ns) AS first_ns,
            row_number() OVER (PARTITION BY ${keyList} ORDER BY min(ts_ns), ${value}) AS position
        FROM ${source}
        WHERE ${value} IS NOT NULL
        GROUP BY ${keyList}, ${value}
    )
    WHERE position <= ${limit}
    GROUP BY ${keyList}
)`;
}

// Returns a join condition that treats NULL keys as equal, as grouping does.
function sameKeys(left, right, keys) {
    return keys.map((k) => `${left}.${k} IS NOT DISTINCT FROM ${right}.${k}`).join(' AND ');
}

// Returns the SQL of the reference rule over the JSON lines file at `path`.
// `nowNs` is BigInt nanoseconds since the epoch, or null to use the newest
// Timestamp in the file.
export function seedRuleSql(path, nowNs) {
    const octet = (n) => `TRY_CAST(split_part(RemoteIP, '.', ${n}) AS INTEGER)`;
    const nowSql = nowNs === null ? 'SELECT max(ts_ns) AS now_ns FROM addressed'
        : `SELECT CAST(${nowNs} AS BIGINT) AS now_ns`;
    const beaconKeys = ['DeviceId', 'DeviceName', 'RemoteIP', 'RemoteUrl'];
    const fluxKeys = ['DeviceId', 'DeviceName', 'bin_ns'];
    const excluded = FLUX_EXCLUDED_PROCESSES.map((p) => sqlString(p.toLowerCase())).join(', ');

    return `
WITH events AS (
    SELECT
        CAST("Timestamp" AS TIMESTAMP_NS) AS ts,
        DeviceId, DeviceName, ActionType, RemoteIP, RemotePort, RemoteUrl,
        InitiatingProcessFileName AS ProcessName, SentBytes, ReceivedBytes
    FROM ${readSource(path)}
),
-- is_public_ipv4 is NULL unless RemoteIP is a valid IPv4 address, because
-- ipv4_is_private returns null for anything else and 'where' drops nulls.
addressed AS (
    SELECT *, epoch_ns(ts) AS ts_ns,
        CASE WHEN regexp_full_match(RemoteIP, ${sqlString(IPV4_REGEX)}) THEN NOT (
            ${octet(1)} = 10
            OR (${octet(1)} = 172 AND ${octet(2)} BETWEEN 16 AND 31)
            OR (${octet(1)} = 192 AND ${octet(2)} = 168)
        ) END AS is_public_ipv4
    FROM events
),
scan AS (${nowSql}),

-- Part 1, PotentialBeaconing.
beacon_rows AS (
    SELECT a.* FROM addressed a, scan
    WHERE a.ts_ns > scan.now_ns - ${7n * NS_PER_DAY}
        AND a.ActionType IN ('ConnectionSuccess', 'ConnectionAttempt')
        AND a.RemotePort IN (${BEACON_PORTS.join(', ')})
        AND a.is_public_ipv4
),
-- datetime_diff('hour') subtracts the two times truncated to the hour.
beacon_groups AS (
    SELECT ${beaconKeys.join(', ')},
        count(*) AS ConnectionCount,
        count(DISTINCT RemotePort) AS UniqueRemotePorts,
        CAST(sum(SentBytes) AS BIGINT) AS BytesSent,
        CAST(sum(ReceivedBytes) AS BIGINT) AS BytesReceived,
        min(ts_ns) AS FirstSeen,
        max(ts_ns) AS LastSeen,
        (epoch_ns(date_trunc('hour', max(ts))) - epoch_ns(date_trunc('hour', min(ts))))
            // ${NS_PER_HOUR} AS DurationHours
    FROM beacon_rows
    GROUP BY ${beaconKeys.join(', ')}
),
-- Both operands are long, so KQL's division truncates, as // does here.
beacon_kept AS (
    SELECT *, ConnectionCount // DurationHours AS BeaconRate
    FROM beacon_groups
    WHERE ConnectionCount >= 20 AND BytesSent > 1000 AND DurationHours > 1
        AND ConnectionCount // DurationHours >= 0.5
        AND ConnectionCount // DurationHours <= 200.0
),
${firstValuesCte('beacon_processes', 'beacon_rows', beaconKeys, 'ProcessName', 5)},
beacon_alerts AS (
    SELECT 'PotentialBeaconing' AS AlertType, g.LastSeen AS Timestamp,
        g.DeviceId, g.DeviceName, g.RemoteIP, g.RemoteUrl,
        g.ConnectionCount, g.BytesSent, g.BytesReceived,
        coalesce(p.sample, []::VARCHAR[]) AS SampleProcesses,
        g.FirstSeen, g.LastSeen, g.UniqueRemotePorts, g.DurationHours, g.BeaconRate
    FROM beacon_kept g
    LEFT JOIN beacon_processes p ON ${sameKeys('g', 'p', beaconKeys)}
),

-- Part 2, SuspiciousDynamicDNS: every matching RemoteUrl, no threshold.
dyndns_rows AS (
    SELECT * FROM addressed
    WHERE ActionType = 'ConnectionSuccess'
        AND RemoteUrl <> ''
        AND regexp_matches(RemoteUrl, ${sqlString(DYNDNS_REGEX)}, 'i')
),
dyndns_groups AS (
    SELECT RemoteUrl, count(*) AS ConnectionCount, count(DISTINCT DeviceId) AS UniqueDevices
    FROM dyndns_rows
    GROUP BY RemoteUrl
),
${firstValuesCte('dyndns_processes', 'dyndns_rows', ['RemoteUrl'], 'ProcessName', 5)},
${firstValuesCte('dyndns_ips', 'dyndns_rows', ['RemoteUrl'], 'RemoteIP', 5)},
dyndns_alerts AS (
    SELECT 'SuspiciousDynamicDNS' AS AlertType, scan.now_ns AS Timestamp,
        'Multiple' AS DeviceName, coalesce(i.sample[1], '') AS RemoteIP, g.RemoteUrl,
        g.ConnectionCount, CAST(0 AS BIGINT) AS BytesSent, CAST(0 AS BIGINT) AS BytesReceived,
        coalesce(p.sample, []::VARCHAR[]) AS SampleProcesses,
        g.UniqueDevices, coalesce(i.sample, []::VARCHAR[]) AS SampleIPs
    FROM dyndns_groups g
    CROSS JOIN scan
    LEFT JOIN dyndns_processes p ON p.RemoteUrl = g.RemoteUrl
    LEFT JOIN dyndns_ips i ON i.RemoteUrl = g.RemoteUrl
),

-- Part 3, PotentialFastFluxActivity, per device and hour bin.
flux_rows AS (
    SELECT *, epoch_ns(date_trunc('hour', ts)) AS bin_ns
    FROM addressed
    WHERE ActionType = 'ConnectionSuccess'
        AND is_public_ipv4
        AND lower(coalesce(ProcessName, '')) NOT IN (${excluded})
),
flux_groups AS (
    SELECT ${fluxKeys.join(', ')}, count(*) AS ConnectionCount, count(DISTINCT RemoteIP) AS UniqueIPs
    FROM flux_rows
    GROUP BY ${fluxKeys.join(', ')}
    HAVING count(DISTINCT RemoteIP) >= 5 AND count(*) >= 10
),
${firstValuesCte('flux_urls', 'flux_rows', fluxKeys, 'RemoteUrl', 10)},
${firstValuesCte('flux_processes', 'flux_rows', fluxKeys, 'ProcessName', 5)},
flux_alerts AS (
    SELECT 'PotentialFastFluxActivity' AS AlertType, g.bin_ns AS Timestamp,
        g.DeviceId, g.DeviceName, '' AS RemoteIP, coalesce(u.sample[1], '') AS RemoteUrl,
        g.ConnectionCount, CAST(0 AS BIGINT) AS BytesSent, CAST(0 AS BIGINT) AS BytesReceived,
        coalesce(p.sample, []::VARCHAR[]) AS SampleProcesses,
        g.UniqueIPs, coalesce(u.sample, []::VARCHAR[]) AS SampleURLs
    FROM flux_groups g
    LEFT JOIN flux_urls u ON ${sameKeys('g', 'u', fluxKeys)}
    LEFT JOIN flux_processes p ON ${sameKeys('g', 'p', fluxKeys)}
)

SELECT * FROM (
    SELECT * FROM beacon_alerts
    UNION ALL BY NAME SELECT * FROM dyndns_alerts
    UNION ALL BY NAME SELECT * FROM flux_alerts
)
ORDER BY Timestamp DESC, AlertType, DeviceName, RemoteIP, RemoteUrl, DeviceId
`;
}

const TIME_FIELDS = new Set(['Timestamp', 'FirstSeen', 'LastSeen']);

// Converts one result row to a plain alert: times stay BigInt nanoseconds,
// other integers become numbers, and columns that do not apply to the alert
// type are left out.
function toAlert(row) {
    const alert = {};
    for (const [key, value] of Object.entries(row)) {
        if (value === null && !['BytesSent', 'BytesReceived'].includes(key)) {
            continue;
        }
        if (typeof value === 'bigint' && !TIME_FIELDS.has(key)) {
            alert[key] = Number(value);
        } else {
            alert[key] = value;
        }
    }
    return alert;
}

// Opens an in-memory DuckDB that cannot download or load extensions.
export async function openDatabase() {
    const instance = await DuckDBInstance.create(':memory:', {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
    });
    return instance.connect();
}

// Runs the rule over `path` and returns its alerts in output order.
export async function runSeedRule(connection, path, nowNs) {
    const reader = await connection.runAndReadAll(seedRuleSql(path, nowNs));
    return reader.getRowObjectsJS().map(toAlert);
}

// Returns the newest Timestamp in `path` as BigInt nanoseconds.
export async function newestTime(connection, path) {
    const reader = await connection.runAndReadAll(
        `SELECT max(epoch_ns(CAST("Timestamp" AS TIMESTAMP_NS))) AS newest FROM ${readSource(path)}`,
    );
    return reader.getRowObjectsJS()[0].newest;
}
