/*
 * DuckDB SQL over a table of DeviceNetworkEvents-shaped rows. It states the
 * seed rule exactly as infrahunt scan runs it, and the parity test runs it
 * on DuckDB against scan's alerts on the same data.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields sql_fields = {
    .conn_source = "DeviceNetworkEvents",
    .time = "Timestamp (TIMESTAMP_NS)",
    .device_id = "DeviceId",
    .device_name = "DeviceName",
    .action = "ActionType",
    .remote_ip = "RemoteIP",
    .remote_port = "RemotePort",
    .remote_url = "RemoteUrl",
    .process = "InitiatingProcessFileName",
    .bytes_sent = "SentBytes",
    .bytes_received = "ReceivedBytes",
    .dns_source = NULL,
    .dns_query = NULL,
    .dns_answers = NULL,
    .dns_process = NULL,
};

static const char *const sql_notes[] = {
    "Same semantics as infrahunt scan: now is the newest Timestamp in the table (replace "
    "scan_now with a constant to fix it), a missing string is '', distinct counts are exact, "
    "and samples keep the first-seen values, ties broken byte-wise.",
    "Process names are compared with lower(), which folds Unicode case; scan folds ASCII only.",
    "DuckDB: the query reads a table with these columns; Timestamp must be TIMESTAMP_NS to keep "
    "Defender's 100 ns precision.",
    "ClickHouse would need: regexp_matches(x, p, 'i') as match(x, concat('(?i)', p)); "
    "list(x ORDER BY t, x) as arrayMap over arraySort of groupArray((t, x)); epoch_ns as "
    "toUnixTimestamp64Nano on DateTime64(9); '//' as intDiv; and, on releases without "
    "subqueries in WITH (18.16), each CTE written as a nested subquery.",
    NULL,
};

static int sql_string_list(render_job *job, const char *const *items, size_t n, bool lower)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            rb_put(job->out, ", ");
        char *text = lower ? render_lower(items[i]) : NULL;
        if (lower && !text) {
            job->out->failed = true;
            return -1;
        }
        int rc = render_quote(job, job->out, QUOTE_SQL, text ? text : items[i]);
        free(text);
        if (rc < 0)
            return -1;
    }
    if (n == 0)
        rb_put(job->out, "NULL"); /* x IN (NULL) is never true and NOT IN (NULL) never passes */
    return 0;
}

static int sql_actions(render_job *job, unsigned actions)
{
    const char *names[8];
    size_t n = 0;
    for (unsigned bit = 1; bit <= RENDER_ACTION_LISTENING; bit <<= 1)
        if (actions & bit)
            names[n++] = render_action_name(bit);
    return sql_string_list(job, names, n, false);
}

/*
 * Writes a CTE `name` with one row per group of keys and the column `sample`:
 * at most limit distinct values of value in source, in order of their first
 * time, ties broken byte-wise.
 */
static void sql_sample_cte(render_buf *b, const char *name, const char *source, const char *keys,
                           const char *value, int64_t limit)
{
    rb_printf(b,
              "%s AS (\n"
              "    SELECT %s, list(v ORDER BY first_ns, v) AS sample\n"
              "    FROM (\n"
              "        SELECT %s, %s AS v, min(ts_ns) AS first_ns,\n"
              "            row_number() OVER (PARTITION BY %s ORDER BY min(ts_ns), %s) AS n\n"
              "        FROM %s\n"
              "        GROUP BY %s, %s\n"
              "    )\n"
              "    WHERE n <= %lld\n"
              "    GROUP BY %s\n"
              "),\n",
              name, keys, keys, value, keys, value, source, keys, value, (long long)limit, keys);
}

static int sql_rows(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    const char *sent = render_bytes_sent(job), *received = render_bytes_received(job);

    rb_put(b, "WITH events AS (\n"
              "    SELECT epoch_ns(\"Timestamp\") AS ts_ns,\n"
              "        coalesce(DeviceId, '') AS DeviceId, coalesce(DeviceName, '') AS DeviceName,\n"
              "        ActionType, coalesce(RemoteIP, '') AS RemoteIP, RemotePort,\n"
              "        coalesce(RemoteUrl, '') AS RemoteUrl,\n"
              "        coalesce(InitiatingProcessFileName, '') AS Process,\n");
    rb_printf(b, "        %s AS SentBytes, %s AS ReceivedBytes,\n", sent ? sent : "CAST(NULL AS BIGINT)",
              received ? received : "CAST(NULL AS BIGINT)");
    rb_put(b, "        -- NULL unless RemoteIP is a dotted quad without leading zeros, as\n"
              "        -- ipv4_is_private() is null for anything but IPv4.\n"
              "        CASE WHEN regexp_full_match(coalesce(RemoteIP, ''),\n"
              "            '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\\.){3}"
              "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])')\n"
              "        THEN NOT (split_part(RemoteIP, '.', 1) = '10'\n"
              "            OR (split_part(RemoteIP, '.', 1) = '172'\n"
              "                AND CAST(split_part(RemoteIP, '.', 2) AS INTEGER) BETWEEN 16 AND 31)\n"
              "            OR (split_part(RemoteIP, '.', 1) = '192' AND split_part(RemoteIP, '.', 2) = '168'))\n"
              "        END AS PublicIPv4\n");
    rb_printf(b, "    FROM %s\n),\n", render_source(job));
    rb_put(b, "scan_now AS (SELECT max(ts_ns) AS now_ns FROM events),\n");

    rb_put(b, "beacon_rows AS (\n"
              "    SELECT events.* FROM events, scan_now\n");
    rb_printf(b, "    WHERE ts_ns > now_ns - %lld\n", (long long)s->lookback_ns);
    rb_put(b, "        AND ActionType IN (");
    if (sql_actions(job, s->beacon_actions) < 0)
        return -1;
    rb_put(b, ")\n        AND RemotePort IN (");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s%lld", i ? ", " : "", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "NULL");
    rb_put(b, ")\n        AND PublicIPv4\n),\n");

    rb_put(b, "ddns_rows AS (\n"
              "    SELECT * FROM events\n"
              "    WHERE ActionType IN (");
    if (sql_actions(job, s->ddns_actions) < 0)
        return -1;
    rb_put(b, ")\n        AND RemoteUrl <> '' AND regexp_matches(RemoteUrl, ");
    render_buf re = {0};
    if (render_regex(job, &re, s->pattern, REGEX_PORTABLE, 0) < 0 || re.failed) {
        rb_free(&re);
        return -1;
    }
    int rc = render_quote(job, b, QUOTE_SQL, re.data);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_put(b, ", 'i')\n),\n");

    rb_printf(b, "flux_rows AS (\n"
                 "    SELECT *, ts_ns - ((ts_ns %% %lld) + %lld) %% %lld AS bin_ns FROM events\n"
                 "    WHERE ActionType IN (",
              (long long)s->bin_ns, (long long)s->bin_ns, (long long)s->bin_ns);
    if (sql_actions(job, s->flux_actions) < 0)
        return -1;
    rb_put(b, ")\n        AND PublicIPv4\n");
    if (s->nexcluded > 0) {
        rb_put(b, "        AND lower(Process) NOT IN (");
        if (sql_string_list(job, s->excluded, s->nexcluded, true) < 0)
            return -1;
        rb_put(b, ")\n");
    }
    rb_put(b, "),\n");
    return 0;
}

static void sql_groups(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char min_rate[40], max_rate[40];

    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    rb_put(b, "-- datetime_diff('hour') subtracts both times truncated to the hour.\n"
              "beacon_groups AS (\n"
              "    SELECT DeviceId, DeviceName, RemoteIP, RemoteUrl,\n"
              "        count(*) AS ConnectionCount, count(DISTINCT RemotePort) AS UniqueRemotePorts,\n"
              "        CAST(sum(SentBytes) AS BIGINT) AS BytesSent,\n"
              "        CAST(sum(ReceivedBytes) AS BIGINT) AS BytesReceived,\n"
              "        min(ts_ns) AS FirstSeen, max(ts_ns) AS LastSeen,\n"
              "        (max(ts_ns) - max(ts_ns) % 3600000000000 - (min(ts_ns) - min(ts_ns) % 3600000000000))\n"
              "            // 3600000000000 AS DurationHours\n"
              "    FROM beacon_rows\n"
              "    GROUP BY DeviceId, DeviceName, RemoteIP, RemoteUrl\n"
              "),\n");
    rb_printf(b,
              "beacon_kept AS (\n"
              "    SELECT *, ConnectionCount // DurationHours AS BeaconRate FROM beacon_groups\n"
              "    WHERE ConnectionCount >= %lld AND BytesSent > %lld AND DurationHours > %lld\n"
              "        AND ConnectionCount // DurationHours >= %s\n"
              "        AND ConnectionCount // DurationHours <= %s\n"
              "),\n",
              (long long)s->min_connections, (long long)s->bytes_sent_above,
              (long long)s->duration_hours_above, min_rate, max_rate);
    sql_sample_cte(b, "beacon_processes", "beacon_rows", "DeviceId, DeviceName, RemoteIP, RemoteUrl",
                   "Process", s->beacon_samples);

    rb_put(b, "ddns_groups AS (\n"
              "    SELECT RemoteUrl, count(*) AS ConnectionCount, count(DISTINCT DeviceId) AS UniqueDevices\n"
              "    FROM ddns_rows GROUP BY RemoteUrl\n"
              "),\n");
    sql_sample_cte(b, "ddns_processes", "ddns_rows", "RemoteUrl", "Process", s->ddns_process_samples);
    sql_sample_cte(b, "ddns_ips", "ddns_rows", "RemoteUrl", "RemoteIP", s->ddns_ip_samples);

    rb_printf(b,
              "flux_groups AS (\n"
              "    SELECT DeviceId, DeviceName, bin_ns, count(*) AS ConnectionCount,\n"
              "        count(DISTINCT RemoteIP) AS UniqueIPs\n"
              "    FROM flux_rows GROUP BY DeviceId, DeviceName, bin_ns\n"
              "    HAVING count(DISTINCT RemoteIP) >= %lld AND count(*) >= %lld\n"
              "),\n",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    sql_sample_cte(b, "flux_urls", "flux_rows", "DeviceId, DeviceName, bin_ns", "RemoteUrl",
                   s->flux_url_samples);
    sql_sample_cte(b, "flux_processes", "flux_rows", "DeviceId, DeviceName, bin_ns", "Process",
                   s->flux_process_samples);
}

static void sql_alerts(render_buf *b)
{
    rb_put(b, "alerts AS (\n"
              "    SELECT make_timestamp_ns(g.LastSeen) AS \"Timestamp\", g.DeviceName, g.RemoteIP,\n"
              "        g.RemoteUrl, 'PotentialBeaconing' AS AlertType, g.ConnectionCount,\n"
              "        g.BytesSent, g.BytesReceived,\n"
              "        coalesce(p.sample, []::VARCHAR[]) AS SampleProcesses, g.DeviceId,\n"
              "        make_timestamp_ns(g.FirstSeen) AS FirstSeen,\n"
              "        make_timestamp_ns(g.LastSeen) AS LastSeen, g.UniqueRemotePorts,\n"
              "        g.DurationHours, g.BeaconRate\n"
              "    FROM beacon_kept g LEFT JOIN beacon_processes p USING (DeviceId, DeviceName, RemoteIP, RemoteUrl)\n"
              "    UNION ALL BY NAME\n"
              "    SELECT make_timestamp_ns(scan_now.now_ns) AS \"Timestamp\", 'Multiple' AS DeviceName,\n"
              "        coalesce(i.sample[1], '') AS RemoteIP, g.RemoteUrl,\n"
              "        'SuspiciousDynamicDNS' AS AlertType, g.ConnectionCount,\n"
              "        CAST(0 AS BIGINT) AS BytesSent, CAST(0 AS BIGINT) AS BytesReceived,\n"
              "        coalesce(p.sample, []::VARCHAR[]) AS SampleProcesses, g.UniqueDevices,\n"
              "        coalesce(i.sample, []::VARCHAR[]) AS SampleIPs\n"
              "    FROM ddns_groups g CROSS JOIN scan_now\n"
              "    LEFT JOIN ddns_processes p USING (RemoteUrl) LEFT JOIN ddns_ips i USING (RemoteUrl)\n"
              "    UNION ALL BY NAME\n"
              "    SELECT make_timestamp_ns(g.bin_ns) AS \"Timestamp\", g.DeviceName, '' AS RemoteIP,\n"
              "        coalesce(u.sample[1], '') AS RemoteUrl, 'PotentialFastFluxActivity' AS AlertType,\n"
              "        g.ConnectionCount, CAST(0 AS BIGINT) AS BytesSent, CAST(0 AS BIGINT) AS BytesReceived,\n"
              "        coalesce(p.sample, []::VARCHAR[]) AS SampleProcesses, g.DeviceId, g.UniqueIPs,\n"
              "        coalesce(u.sample, []::VARCHAR[]) AS SampleURLs\n"
              "    FROM flux_groups g\n"
              "    LEFT JOIN flux_urls u USING (DeviceId, DeviceName, bin_ns)\n"
              "    LEFT JOIN flux_processes p USING (DeviceId, DeviceName, bin_ns)\n"
              ")\n"
              "SELECT * FROM alerts\n"
              "ORDER BY \"Timestamp\" DESC, AlertType, DeviceName, RemoteIP, RemoteUrl, ConnectionCount,\n"
              "    BytesSent, BytesReceived, SampleProcesses\n");
}

static int sql_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    render_header(job, "--", sql_notes);
    if (sql_rows(job, s) < 0)
        return -1;
    sql_groups(job, s);
    sql_alerts(job->out);
    return 0;
}

/* ---- The default profile ---- */

static const char *const sql_default_notes[] = {
    "Intervals use lag() over each device, process and destination ordered by time; "
    "MedianSeconds and MadSeconds (median absolute deviation) are exact.",
    "The table has no DNS events, so dynamic DNS matches connection names only and the "
    "per-domain fast-flux count over DNS answers is not rendered.",
    "Internal networks: IPv4 prefixes are compared as numbers; IPv6 prefixes are not "
    "tested, so IPv6 destinations are kept.",
    "No time filter: the query reads the whole table.",
    "The fan-out's KnownGood column is true for fanout_known_good processes.",
    NULL,
};

/* Writes a predicate that is true when ip4 (a BIGINT or NULL) lies in one of the prefixes. */
static void sql_ipv4_ranges(render_job *job, const render_strings *prefixes)
{
    render_buf *b = job->out;
    size_t written = 0;

    rb_put(b, "coalesce(");
    for (size_t i = 0; i < prefixes->n; i++) {
        uint32_t first, last;
        if (render_ipv4_prefix(prefixes->items[i], &first, &last) < 0)
            continue;
        rb_printf(b, "%sip4 BETWEEN %lu AND %lu", written++ ? " OR " : "", (unsigned long)first,
                  (unsigned long)last);
    }
    if (!written)
        rb_put(b, "false");
    rb_put(b, ", false)");
}

static int sql_zone_match(render_job *job, const char *column, const render_strings *zones)
{
    if (zones->n == 0) {
        rb_put(job->out, "false");
        return 0;
    }
    render_buf re = {0};
    render_zone_regex(job, &re, zones, REGEX_PORTABLE, REGEX_LOWERCASE);
    rb_printf(job->out, "regexp_matches(lower(%s), ", column);
    int rc = re.failed ? -1 : render_quote(job, job->out, QUOTE_SQL, re.data);
    rb_free(&re);
    rb_put(job->out, ")");
    return rc;
}

static int sql_default_rows(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_put(b, "WITH events AS (\n"
              "    SELECT \"Timestamp\", epoch_ns(\"Timestamp\") AS ts_ns,\n"
              "        coalesce(DeviceId, '') AS DeviceId, coalesce(DeviceName, '') AS DeviceName,\n"
              "        ActionType, coalesce(RemoteIP, '') AS RemoteIP, coalesce(RemoteUrl, '') AS "
              "RemoteUrl,\n"
              "        coalesce(InitiatingProcessFileName, '') AS Process,\n"
              "        CASE WHEN regexp_full_match(coalesce(RemoteIP, ''),\n"
              "            '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\\.){3}"
              "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])')\n"
              "        THEN CAST(split_part(RemoteIP, '.', 1) AS BIGINT) * 16777216\n"
              "            + CAST(split_part(RemoteIP, '.', 2) AS BIGINT) * 65536\n"
              "            + CAST(split_part(RemoteIP, '.', 3) AS BIGINT) * 256\n"
              "            + CAST(split_part(RemoteIP, '.', 4) AS BIGINT)\n"
              "        END AS ip4\n");
    rb_printf(b, "    FROM %s\n),\n", render_source(job));
    rb_put(b, "connections AS (\n"
              "    SELECT * FROM events\n"
              "    WHERE ActionType IN ('ConnectionSuccess', 'ConnectionAttempt', 'ConnectionFailed')\n"
              "        AND RemoteIP <> ''\n"
              "        AND NOT ");
    sql_ipv4_ranges(job, &d->internal_v4);
    rb_put(b, "\n        AND NOT ");
    sql_ipv4_ranges(job, &d->allow_prefixes);
    if (d->allow_addresses.n) { /* NOT IN (NULL) would drop every row */
        rb_put(b, "\n        AND RemoteIP NOT IN (");
        if (sql_string_list(job, (const char *const *)d->allow_addresses.items,
                            d->allow_addresses.n, false) < 0)
            return -1;
        rb_put(b, ")");
    }
    rb_put(b, "\n        AND NOT ");
    if (sql_zone_match(job, "RemoteUrl", &d->allow_domains) < 0)
        return -1;
    rb_put(b, "\n),\n");
    return 0;
}

static void sql_default_beaconing(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_put(b, "intervals AS (\n"
              "    SELECT *, (ts_ns - lag(ts_ns) OVER (PARTITION BY DeviceId, Process, RemoteIP, "
              "RemoteUrl\n"
              "        ORDER BY ts_ns)) / 1e9 AS interval_s\n"
              "    FROM connections\n"
              "),\n"
              "beats AS (\n"
              "    -- Connections within burst_window of the one before form one beat.\n"
              "    SELECT *, median(interval_s) OVER (PARTITION BY DeviceId, Process, RemoteIP, "
              "RemoteUrl) AS median_s\n"
              "    FROM intervals\n");
    rb_printf(b, "    WHERE interval_s IS NULL OR interval_s >= %.3f\n),\n",
              (double)d->burst_window_ns / 1e9);
    rb_put(b, "beacons AS (\n"
              "    SELECT max(\"Timestamp\") AS \"Timestamp\", DeviceName, Process, RemoteIP, RemoteUrl,\n"
              "        'Beaconing' AS AlertType, count(*) AS \"Count\",\n"
              "        count(*) FILTER (WHERE ActionType = 'ConnectionFailed') AS FailedCount,\n"
              "        (max(ts_ns) - min(ts_ns)) / 1e9 AS SpanSeconds,\n"
              "        any_value(median_s) AS MedianSeconds,\n"
              "        median(abs(interval_s - median_s)) AS MadSeconds,\n"
              "        avg(interval_s) AS MeanSeconds, stddev_samp(interval_s) AS StdevSeconds\n"
              "    FROM beats\n"
              "    GROUP BY DeviceId, DeviceName, Process, RemoteIP, RemoteUrl\n");
    rb_printf(b, "    HAVING count(*) >= %lld\n", (long long)d->beacon_min_connections);
    rb_printf(b, "        AND count(*) FILTER (WHERE ActionType = 'ConnectionFailed') <= %.6g * "
                 "count(*)\n",
              d->max_failed_share);
    rb_printf(b, "        AND any_value(median_s) BETWEEN %.3f AND %.3f\n),\n",
              (double)d->min_period_ns / 1e9, (double)d->max_period_ns / 1e9);
}

static int sql_default_others(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_put(b, "dynamic_dns AS (\n"
              "    SELECT max(\"Timestamp\") AS \"Timestamp\", DeviceName, Process, any_value(RemoteIP) "
              "AS RemoteIP,\n"
              "        RemoteUrl, 'DynamicDNS' AS AlertType, count(*) AS \"Count\"\n"
              "    FROM connections\n"
              "    WHERE ");
    if (sql_zone_match(job, "RemoteUrl", d->has_ddns ? &d->zones : &(render_strings){0}) < 0)
        return -1;
    rb_put(b, "\n    GROUP BY DeviceName, Process, RemoteUrl\n),\n"
              "fan_out AS (\n"
              "    SELECT CAST(time_bucket(INTERVAL 1 HOUR, CAST(\"Timestamp\" AS TIMESTAMP)) AS "
              "TIMESTAMP_NS) AS \"Timestamp\",\n"
              "        DeviceName, Process, '' AS RemoteIP, min(RemoteUrl) AS RemoteUrl,\n"
              "        'FastFluxFanOut' AS AlertType, count(*) AS \"Count\",\n"
              "        count(DISTINCT RemoteIP) AS UniqueIPs,\n"
              "        lower(Process) IN (");
    if (sql_string_list(job, (const char *const *)d->fanout_known_good.items,
                        d->fanout_known_good.n, true) < 0)
        return -1;
    rb_put(b, ") AS KnownGood\n"
              "    FROM connections\n"
              "    GROUP BY DeviceId, DeviceName, Process, time_bucket(INTERVAL 1 HOUR, CAST(\"Timestamp\" "
              "AS TIMESTAMP))\n");
    rb_printf(b, "    HAVING count(DISTINCT RemoteIP) >= %lld AND count(*) >= %lld\n),\n",
              d->has_flux ? (long long)d->fanout_min_addresses : INT64_MAX,
              (long long)d->fanout_min_connections);
    rb_put(b, "intel AS (\n"
              "    SELECT max(\"Timestamp\") AS \"Timestamp\", DeviceName, Process, RemoteIP, "
              "RemoteUrl,\n"
              "        'ThreatIntel' AS AlertType, count(*) AS \"Count\"\n"
              "    FROM connections\n"
              "    WHERE RemoteIP IN (");
    if (sql_string_list(job, (const char *const *)d->intel_addresses.items, d->intel_addresses.n,
                        false) < 0)
        return -1;
    rb_put(b, ")\n        OR ");
    sql_ipv4_ranges(job, &d->intel_prefixes);
    rb_put(b, "\n        OR ");
    if (sql_zone_match(job, "RemoteUrl", &d->intel_domains) < 0)
        return -1;
    rb_put(b, "\n    GROUP BY DeviceName, Process, RemoteIP, RemoteUrl\n)\n");
    return 0;
}

static int sql_render_default(render_job *job)
{
    const render_default *d = &job->params->def;
    render_buf *b = job->out;

    render_default_header(job, "--", sql_default_notes);
    if (sql_default_rows(job, d) < 0)
        return -1;
    sql_default_beaconing(job, d);
    if (sql_default_others(job, d) < 0)
        return -1;
    rb_put(b, "SELECT \"Timestamp\", DeviceName, Process, RemoteIP, RemoteUrl, AlertType, \"Count\",\n"
              "    SpanSeconds, MedianSeconds, MadSeconds, MeanSeconds, StdevSeconds,\n"
              "    NULL AS UniqueIPs, NULL AS KnownGood\n"
              "FROM beacons\n");
    if (!d->has_beacon)
        rb_put(b, "WHERE false\n");
    rb_put(b, "UNION ALL BY NAME SELECT * FROM dynamic_dns\n"
              "UNION ALL BY NAME SELECT * FROM fan_out\n"
              "UNION ALL BY NAME SELECT * FROM intel\n"
              "ORDER BY \"Timestamp\" DESC, AlertType, DeviceName, Process, RemoteIP, RemoteUrl\n");
    return 0;
}

const render_target render_target_sql = {
    .name = "sql",
    .title = "DuckDB SQL over a DeviceNetworkEvents table (the parity check)",
    .comment_line = "--",
    .fields = &sql_fields,
    .render_seed = sql_render,
    .render_default = sql_render_default,
};
