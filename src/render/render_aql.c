/*
 * IBM QRadar AQL over Sysmon event 3 parsed by the Windows DSM, with the
 * Sysmon values in custom event properties. AQL has no union, so each part
 * is its own query; AQL allows comments only inside a query's body, so each
 * query's header follows its SELECT keyword.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields aql_fields = {
    .conn_source = "events",
    .time = "devicetime (milliseconds)",
    .device_id = "logsourceid",
    .device_name = "LOGSOURCENAME(logsourceid)",
    .action = "\"EventID\" = '3' (Sysmon network connection) with \"Initiated\"",
    .remote_ip = "destinationip",
    .remote_port = "destinationport",
    .remote_url = "\"DestinationHostname\" (custom event property)",
    .process = "\"Image\" (custom event property)",
    .bytes_sent = NULL,
    .bytes_received = NULL,
    .dns_source = "events where \"EventID\" = '22'",
    .dns_query = "\"QueryName\" (custom event property)",
    .dns_answers = "\"QueryResults\" (custom event property)",
    .dns_process = "\"Image\" (custom event property)",
};

static const char *const aql_notes[] = {
    "AQL has no union, so the three parts are three queries.",
    "DISTINCTCOUNT is a HyperLogLog+ estimate; infrahunt counts exactly.",
    "Saved searches with HAVING cannot drive scheduled reports or time-series charts; run "
    "these as ad hoc or rule searches.",
    "Samples are dropped: AQL has no bounded distinct-set aggregate. Part 2's RemoteIP is the "
    "group's first address and part 3's RemoteUrl its first host name (FIRST()).",
    "DurationHours is computed from devicetime in whole hours since the epoch, as infrahunt "
    "does; BeaconRate is the integer quotient.",
    "The custom properties \"EventID\", \"Initiated\", \"DestinationHostname\" and \"Image\" "
    "must exist under these names; rename them to match your content extension.",
    "Regexes are written with \\x27 and \\x22 for quotes, so no quote character appears inside "
    "a string literal. NOTE: AQL's backslash handling in literals was not checked on a live "
    "console.",
    NULL,
};

static int aql_where(render_job *job, unsigned actions, bool public_ipv4)
{
    render_buf *b = job->out;
    bool outbound, inbound;

    if (render_directions(job, actions, &outbound, &inbound) < 0)
        return -1;
    rb_put(b, "FROM events\nWHERE \"EventID\" = '3'");
    if (outbound && !inbound)
        rb_put(b, " AND \"Initiated\" = 'true'");
    else if (inbound && !outbound)
        rb_put(b, " AND \"Initiated\" = 'false'");
    if (public_ipv4)
        rb_put(b, "\n    AND NOT INCIDR('10.0.0.0/8', destinationip)"
                  " AND NOT INCIDR('172.16.0.0/12', destinationip)\n"
                  "    AND NOT INCIDR('192.168.0.0/16', destinationip)");
    return 0;
}

static void aql_open(render_job *job, const char *part)
{
    render_buf *b = job->out;
    rb_put(b, "SELECT\n/*\n");
    render_commentf(b, "  ", "%s", part);
    render_header(job, "  ", aql_notes);
    rb_put(b, "*/"); /* the select list follows on this line, so no blank line splits the query */
}

static int aql_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char min_rate[40], max_rate[40];
    long long days = (long long)((s->lookback_ns + INT64_C(86400000000000) - 1) / INT64_C(86400000000000));

    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    aql_open(job, "Part 1: PotentialBeaconing");
    rb_put(b, "    MAX(devicetime) AS \"Timestamp\", LOGSOURCENAME(logsourceid) AS DeviceName,\n"
              "    destinationip AS RemoteIP, \"DestinationHostname\" AS RemoteUrl,\n"
              "    'PotentialBeaconing' AS AlertType, COUNT(*) AS ConnectionCount,\n"
              "    DISTINCTCOUNT(destinationport) AS UniqueRemotePorts,\n"
              "    MIN(devicetime) AS FirstSeen, MAX(devicetime) AS LastSeen\n");
    if (aql_where(job, s->beacon_actions, true) < 0)
        return -1;
    rb_put(b, "\n    AND destinationport IN (");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s%lld", i ? ", " : "", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "-1");
    rb_printf(b, ")\n    AND devicetime > NOW() - %lld\n", (long long)(s->lookback_ns / 1000000));
    rb_put(b, "GROUP BY logsourceid, destinationip, \"DestinationHostname\"\n");
    rb_printf(b,
              "HAVING ConnectionCount >= %lld\n"
              "    AND LONG(LastSeen / 3600000) - LONG(FirstSeen / 3600000) > %lld\n"
              "    AND LONG(ConnectionCount / (LONG(LastSeen / 3600000) - LONG(FirstSeen / 3600000))) >= %s\n"
              "    AND LONG(ConnectionCount / (LONG(LastSeen / 3600000) - LONG(FirstSeen / 3600000))) <= %s\n"
              "ORDER BY \"Timestamp\" DESC\n"
              "LAST %lld DAYS\n\n",
              (long long)s->min_connections, (long long)s->duration_hours_above, min_rate, max_rate,
              days);
    return 0;
}

static int aql_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    aql_open(job, "Part 2: SuspiciousDynamicDNS");
    rb_put(b, "    NOW() AS \"Timestamp\", 'Multiple' AS DeviceName, FIRST(destinationip) AS RemoteIP,\n"
              "    \"DestinationHostname\" AS RemoteUrl, 'SuspiciousDynamicDNS' AS AlertType,\n"
              "    COUNT(*) AS ConnectionCount, DISTINCTCOUNT(logsourceid) AS UniqueDevices\n");
    if (aql_where(job, s->ddns_actions, false) < 0)
        return -1;
    rb_put(b, "\n    AND \"DestinationHostname\" != ''\n    AND \"DestinationHostname\" IMATCHES ");
    render_buf re = {0};
    rb_put(&re, ".*");
    if (render_regex(job, &re, s->pattern, REGEX_PORTABLE, REGEX_HEX_QUOTES) < 0 || re.failed) {
        rb_free(&re);
        return -1;
    }
    rb_put(&re, ".*");
    int rc = render_quote(job, b, QUOTE_SQL, re.data);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_put(b, "\nGROUP BY \"DestinationHostname\"\n\n");
    return 0;
}

static int aql_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    long long bin_ms = (long long)(s->bin_ns / 1000000);

    aql_open(job, "Part 3: PotentialFastFluxActivity");
    rb_printf(b,
              "    LONG(devicetime / %lld) * %lld AS \"Timestamp\", LOGSOURCENAME(logsourceid) AS DeviceName,\n"
              "    '' AS RemoteIP, FIRST(\"DestinationHostname\") AS RemoteUrl,\n"
              "    'PotentialFastFluxActivity' AS AlertType, COUNT(*) AS ConnectionCount,\n"
              "    DISTINCTCOUNT(destinationip) AS UniqueIPs\n",
              bin_ms ? bin_ms : 1, bin_ms ? bin_ms : 1);
    if (aql_where(job, s->flux_actions, true) < 0)
        return -1;
    if (s->nexcluded > 0) {
        render_buf set = {0};
        rb_put(&set, "(.*\\\\)?");
        render_regex_literals(job, &set, s->excluded, s->nexcluded, REGEX_PORTABLE, REGEX_HEX_QUOTES);
        rb_put(b, "\n    AND NOT \"Image\" IMATCHES ");
        int rc = set.failed ? -1 : render_quote(job, b, QUOTE_SQL, set.data);
        rb_free(&set);
        if (rc < 0)
            return -1;
    }
    rb_printf(b, "\nGROUP BY logsourceid, \"Timestamp\"\n"
                 "HAVING UniqueIPs >= %lld AND ConnectionCount >= %lld\n"
                 "ORDER BY \"Timestamp\" DESC\n",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    return 0;
}

static int aql_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    if (aql_beaconing(job, s) < 0 || aql_dynamic_dns(job, s) < 0 || aql_fast_flux(job, s) < 0)
        return -1;
    return 0;
}

/* ---- The default profile ---- */

static const char *const aql_default_notes[] = {
    "AQL has no union or window function, so each detector is its own query, and beaconing "
    "keeps the count and span per device, image and destination without interval statistics.",
    "Sysmon logs no failed connections, so max_failed_share is not tested.",
    "Internal networks: INCIDR over the profile's IPv4 prefixes; IPv6 destinations are kept.",
    "DISTINCTCOUNT is a HyperLogLog+ estimate; infrahunt counts exactly.",
    "Images are grouped by full path; scan compares file names.",
    "The custom properties \"EventID\", \"Initiated\", \"DestinationHostname\", \"Image\" and "
    "\"QueryName\" must exist under these names.",
    "No LAST clause: the search's time range applies.",
    NULL,
};

static void aql_default_open(render_job *job, const char *part)
{
    render_buf *b = job->out;
    rb_put(b, "SELECT\n/*\n");
    render_commentf(b, "  ", "%s", part);
    render_default_header(job, "  ", aql_default_notes);
    rb_put(b, "*/");
}

/* Writes AND NOT INCIDR(...) per IPv4 prefix or bare address of the lists. */
static int aql_not_incidr(render_job *job, const render_strings *a, const render_strings *b)
{
    const render_strings *lists[] = {a, b};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < lists[k]->n; i++) {
            char prefix[96];
            const char *item = lists[k]->items[i];
            if (strchr(item, ':'))
                continue;
            if (!strchr(item, '/')) {
                snprintf(prefix, sizeof(prefix), "%.80s/32", item);
                item = prefix;
            }
            rb_put(job->out, "\n    AND NOT INCIDR(");
            if (render_quote(job, job->out, QUOTE_SQL, item) < 0)
                return -1;
            rb_put(job->out, ", destinationip)");
        }
    }
    return 0;
}

/* Writes FIELD IMATCHES 'zones' (a whole-value Java regex), or 1 = 0 for none. */
static int aql_zones(render_job *job, const char *field, const render_strings *zones)
{
    if (zones->n == 0) {
        rb_put(job->out, "1 = 0");
        return 0;
    }
    rb_printf(job->out, "%s IMATCHES ", field);
    return render_zone_literal(job, zones, REGEX_PORTABLE, REGEX_LOWERCASE | REGEX_HEX_QUOTES,
                               QUOTE_SQL);
}

static int aql_connections(render_job *job, const render_default *d)
{
    rb_put(job->out, "FROM events\nWHERE \"EventID\" = '3' AND \"Initiated\" = 'true'");
    if (aql_not_incidr(job, &d->internal_v4, &d->internal_v6) < 0 ||
        aql_not_incidr(job, &d->allow_addresses, &d->allow_prefixes) < 0)
        return -1;
    if (d->allow_domains.n) {
        rb_put(job->out, "\n    AND NOT ");
        return aql_zones(job, "\"DestinationHostname\"", &d->allow_domains);
    }
    return 0;
}

static int aql_default_parts(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (d->has_beacon) {
        aql_default_open(job, "Beaconing: count and span per device, image and destination");
        rb_put(b, "    MAX(devicetime) AS \"Timestamp\", LOGSOURCENAME(logsourceid) AS DeviceName,\n"
                  "    \"Image\" AS Process, destinationip AS RemoteIP, \"DestinationHostname\" AS "
                  "RemoteUrl,\n"
                  "    'Beaconing' AS AlertType, COUNT(*) AS ConnectionCount,\n"
                  "    MIN(devicetime) AS FirstSeen, MAX(devicetime) AS LastSeen\n");
        if (aql_connections(job, d) < 0)
            return -1;
        rb_printf(b, "\nGROUP BY logsourceid, \"Image\", destinationip, \"DestinationHostname\"\n"
                     "HAVING ConnectionCount >= %lld\n"
                     "ORDER BY ConnectionCount DESC\n\n",
                  (long long)d->beacon_min_connections);
    }
    if (d->has_ddns) {
        aql_default_open(job, "Dynamic DNS: connection names under a provider zone");
        rb_put(b, "    MAX(devicetime) AS \"Timestamp\", LOGSOURCENAME(logsourceid) AS DeviceName,\n"
                  "    \"Image\" AS Process, FIRST(destinationip) AS RemoteIP,\n"
                  "    \"DestinationHostname\" AS RemoteUrl, 'DynamicDNS' AS AlertType, COUNT(*) AS "
                  "ConnectionCount\n");
        if (aql_connections(job, d) < 0)
            return -1;
        rb_put(b, "\n    AND ");
        if (aql_zones(job, "\"DestinationHostname\"", &d->zones) < 0)
            return -1;
        rb_put(b, "\nGROUP BY logsourceid, \"Image\", \"DestinationHostname\"\n\n");
        aql_default_open(job, "Dynamic DNS: DNS query names under a provider zone");
        rb_put(b, "    MAX(devicetime) AS \"Timestamp\", LOGSOURCENAME(logsourceid) AS DeviceName,\n"
                  "    \"Image\" AS Process, \"QueryName\" AS RemoteUrl, 'DynamicDNS' AS AlertType,\n"
                  "    COUNT(*) AS QueryCount\n"
                  "FROM events\nWHERE \"EventID\" = '22'\n    AND ");
        if (aql_zones(job, "\"QueryName\"", &d->zones) < 0)
            return -1;
        if (d->allow_domains.n) {
            rb_put(b, "\n    AND NOT ");
            if (aql_zones(job, "\"QueryName\"", &d->allow_domains) < 0)
                return -1;
        }
        rb_put(b, "\nGROUP BY logsourceid, \"Image\", \"QueryName\"\n\n");
    }
    if (d->has_flux) {
        aql_default_open(job, "Fast-flux fan-out: distinct addresses per device, image and hour");
        rb_put(b, "    LONG(devicetime / 3600000) * 3600000 AS \"Timestamp\", LOGSOURCENAME(logsourceid) "
                  "AS DeviceName,\n"
                  "    \"Image\" AS Process, FIRST(\"DestinationHostname\") AS RemoteUrl,\n"
                  "    'FastFluxFanOut' AS AlertType, COUNT(*) AS ConnectionCount,\n"
                  "    DISTINCTCOUNT(destinationip) AS UniqueIPs\n");
        if (aql_connections(job, d) < 0)
            return -1;
        rb_printf(b, "\nGROUP BY logsourceid, \"Image\", \"Timestamp\"\n"
                     "HAVING UniqueIPs >= %lld AND ConnectionCount >= %lld\n"
                     "ORDER BY \"Timestamp\" DESC\n\n",
                  (long long)d->fanout_min_addresses, (long long)d->fanout_min_connections);
    }
    if (d->has_intel && d->intel_addresses.n + d->intel_prefixes.n + d->intel_domains.n) {
        aql_default_open(job, "Threat intel: connections to a listed address, prefix or domain");
        rb_put(b, "    MAX(devicetime) AS \"Timestamp\", LOGSOURCENAME(logsourceid) AS DeviceName,\n"
                  "    \"Image\" AS Process, destinationip AS RemoteIP, \"DestinationHostname\" AS "
                  "RemoteUrl,\n"
                  "    'ThreatIntel' AS AlertType, COUNT(*) AS ConnectionCount\n");
        if (aql_connections(job, d) < 0)
            return -1;
        rb_put(b, "\n    AND (NOT (1 = 1");
        /* NOT (1 = 1 AND NOT a AND NOT b) is a OR b. */
        if (aql_not_incidr(job, &d->intel_addresses, &d->intel_prefixes) < 0)
            return -1;
        rb_put(b, ") OR ");
        if (aql_zones(job, "\"DestinationHostname\"", &d->intel_domains) < 0)
            return -1;
        rb_put(b, ")\nGROUP BY logsourceid, \"Image\", destinationip, \"DestinationHostname\"\n\n");
    }
    return 0;
}

static int aql_render_default(render_job *job)
{
    return aql_default_parts(job, &job->params->def);
}

const render_target render_target_aql = {
    .name = "aql",
    .title = "IBM QRadar AQL over Sysmon events from the Windows DSM",
    .comment_line = "/* */",
    .fields = &aql_fields,
    .render_seed = aql_render,
    .render_default = aql_render_default,
    .flux_domain_gap = "Sysmon's QueryResults holds all answers of a query in one string, and "
                       "AQL cannot split it into addresses to count",
};
