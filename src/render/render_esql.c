/*
 * Elastic ES|QL over ECS network events. ES|QL has no union, so each part is
 * its own query; run them one by one.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields esql_fields = {
    .conn_source = "logs-*",
    .time = "@timestamp",
    .device_id = "host.id",
    .device_name = "host.name",
    .action = "network.direction (egress or outbound; ingress or inbound)",
    .remote_ip = "destination.ip",
    .remote_port = "destination.port",
    .remote_url = "destination.domain",
    .process = "process.name",
    .bytes_sent = "source.bytes",
    .bytes_received = "destination.bytes",
    .dns_source = "event.category == \"network\" and dns.question.name is not null",
    .dns_query = "dns.question.name",
    .dns_answers = "dns.resolved_ip",
    .dns_process = "process.name",
};

static const char *const esql_notes[] = {
    "ES|QL has no union, so the three parts are three queries.",
    "COUNT_DISTINCT is approximate (HyperLogLog++, exact up to its precision threshold, 3000 "
    "by default, 40000 at most); infrahunt counts exactly.",
    "VALUES() returns samples in no defined order; the first N are kept.",
    "Endpoint sources that leave source.bytes empty never pass part 1's byte filter, as in "
    "infrahunt scan.",
    "RLIKE takes a Lucene regular expression that must match the whole value, so the pattern "
    "is wrapped in .*( ).* and matched against TO_LOWER(destination.domain).",
    "Part 1's window is NOW() - lookback; infrahunt uses the newest event (or --now). Part 3 "
    "groups by DATE_TRUNC(bin, @timestamp): fixed, tumbling windows, as infrahunt does.",
    NULL,
};

static int esql_direction(render_job *job, unsigned actions)
{
    bool outbound, inbound;
    if (render_directions(job, actions, &outbound, &inbound) < 0)
        return -1;
    rb_put(job->out, "    AND network.direction IN (");
    if (outbound)
        rb_put(job->out, "\"egress\", \"outbound\"");
    if (inbound)
        rb_printf(job->out, "%s\"ingress\", \"inbound\"", outbound ? ", " : "");
    if (!outbound && !inbound)
        rb_put(job->out, "\"none\"");
    rb_put(job->out, ")\n");
    return 0;
}

static void esql_public_ipv4(render_buf *b)
{
    /* 0.0.0.0/0 matches IPv4 only, as ipv4_is_private() is null for IPv6. */
    rb_put(b, "    AND CIDR_MATCH(destination.ip, \"0.0.0.0/0\")\n"
              "    AND NOT CIDR_MATCH(destination.ip, \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\")\n");
}

static void esql_keep_first(render_buf *b, const char *name, int64_t n)
{
    if (n > 0)
        rb_printf(b, "| EVAL %s = MV_SLICE(%s, 0, %lld)\n", name, name, (long long)n - 1);
    else
        rb_printf(b, "| EVAL %s = NULL\n", name);
}

static int esql_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    const char *sent = render_bytes_sent(job), *received = render_bytes_received(job);
    char lookback[64], min_rate[40], max_rate[40];

    render_duration_words(s->lookback_ns, lookback, sizeof(lookback));
    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    rb_put(b, "// Part 1: PotentialBeaconing\n");
    rb_printf(b, "FROM %s\n| WHERE @timestamp > NOW() - %s\n    AND event.category == \"network\"\n",
              render_source(job), lookback);
    if (esql_direction(job, s->beacon_actions) < 0)
        return -1;
    rb_put(b, "    AND destination.port IN (");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s%lld", i ? ", " : "", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "-1");
    rb_put(b, ")\n");
    esql_public_ipv4(b);
    rb_put(b, "| EVAL host.id = COALESCE(host.id, \"\"), host.name = COALESCE(host.name, \"\"),\n"
              "    destination.domain = COALESCE(destination.domain, \"\")\n"
              "| STATS ConnectionCount = COUNT(*), UniqueRemotePorts = COUNT_DISTINCT(destination.port),\n"
              "    FirstSeen = MIN(@timestamp), LastSeen = MAX(@timestamp),\n"
              "    SampleProcesses = VALUES(process.name)");
    if (sent)
        rb_printf(b, ", BytesSent = SUM(%s)", sent);
    if (received)
        rb_printf(b, ", BytesReceived = SUM(%s)", received);
    rb_put(b, "\n    BY host.id, host.name, destination.ip, destination.domain\n"
              "| EVAL DurationHours = DATE_DIFF(\"hour\", DATE_TRUNC(1 hour, FirstSeen), DATE_TRUNC(1 hour, LastSeen))\n");
    rb_printf(b, "| WHERE ConnectionCount >= %lld AND DurationHours > %lld\n",
              (long long)s->min_connections, (long long)s->duration_hours_above);
    if (sent)
        rb_printf(b, "| WHERE BytesSent > %lld\n", (long long)s->bytes_sent_above);
    rb_printf(b, "| EVAL BeaconRate = ConnectionCount / DurationHours\n"
                 "| WHERE BeaconRate >= %s AND BeaconRate <= %s\n",
              min_rate, max_rate);
    esql_keep_first(b, "SampleProcesses", s->beacon_samples);
    rb_put(b, "| EVAL Timestamp = LastSeen, AlertType = \"PotentialBeaconing\"");
    if (!sent)
        rb_put(b, ", BytesSent = TO_LONG(NULL)");
    if (!received)
        rb_put(b, ", BytesReceived = TO_LONG(NULL)");
    rb_put(b, "\n| RENAME host.name AS DeviceName, destination.ip AS RemoteIP, destination.domain AS RemoteUrl\n"
              "| KEEP Timestamp, DeviceName, RemoteIP, RemoteUrl, AlertType, ConnectionCount, BytesSent,\n"
              "    BytesReceived, SampleProcesses\n"
              "| SORT Timestamp DESC\n\n");
    return 0;
}

static int esql_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_put(b, "// Part 2: SuspiciousDynamicDNS\n");
    rb_printf(b, "FROM %s\n| WHERE event.category == \"network\"\n", render_source(job));
    if (esql_direction(job, s->ddns_actions) < 0)
        return -1;
    rb_put(b, "    AND destination.domain IS NOT NULL AND destination.domain != \"\"\n"
              "    AND TO_LOWER(destination.domain) RLIKE ");
    render_buf re = {0};
    if (render_regex(job, &re, s->pattern, REGEX_LUCENE, REGEX_LOWERCASE) < 0 || re.failed) {
        rb_free(&re);
        return -1;
    }
    int rc = render_quote(job, b, QUOTE_C_DOUBLE_NO_U, re.data);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_put(b, "\n| STATS ConnectionCount = COUNT(*), UniqueDevices = COUNT_DISTINCT(host.id),\n"
              "    SampleProcesses = VALUES(process.name), SampleIPs = VALUES(destination.ip)\n"
              "    BY destination.domain\n");
    esql_keep_first(b, "SampleProcesses", s->ddns_process_samples);
    esql_keep_first(b, "SampleIPs", s->ddns_ip_samples);
    rb_put(b, "| EVAL Timestamp = NOW(), DeviceName = \"Multiple\", RemoteIP = TO_STRING(MV_FIRST(SampleIPs)),\n"
              "    AlertType = \"SuspiciousDynamicDNS\", BytesSent = 0, BytesReceived = 0\n"
              "| RENAME destination.domain AS RemoteUrl\n"
              "| KEEP Timestamp, DeviceName, RemoteIP, RemoteUrl, AlertType, ConnectionCount, BytesSent,\n"
              "    BytesReceived, SampleProcesses\n\n");
    return 0;
}

static int esql_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char bin[64];

    render_duration_words(s->bin_ns, bin, sizeof(bin));
    rb_put(b, "// Part 3: PotentialFastFluxActivity\n");
    rb_printf(b, "FROM %s\n| WHERE event.category == \"network\"\n", render_source(job));
    if (esql_direction(job, s->flux_actions) < 0)
        return -1;
    esql_public_ipv4(b);
    if (s->nexcluded > 0) {
        rb_put(b, "    AND (process.name IS NULL OR TO_LOWER(process.name) NOT IN (");
        for (size_t i = 0; i < s->nexcluded; i++) {
            char *lower = render_lower(s->excluded[i]);
            if (!lower) {
                b->failed = true;
                return -1;
            }
            if (i)
                rb_put(b, ", ");
            int rc = render_quote(job, b, QUOTE_C_DOUBLE_NO_U, lower);
            free(lower);
            if (rc < 0)
                return -1;
        }
        rb_put(b, "))\n");
    }
    rb_printf(b, "| EVAL Bin = DATE_TRUNC(%s, @timestamp)\n", bin);
    rb_put(b, "| STATS UniqueIPs = COUNT_DISTINCT(destination.ip), ConnectionCount = COUNT(*),\n"
              "    SampleURLs = VALUES(destination.domain), SampleProcesses = VALUES(process.name)\n"
              "    BY host.id, host.name, Bin\n");
    rb_printf(b, "| WHERE UniqueIPs >= %lld AND ConnectionCount >= %lld\n",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    esql_keep_first(b, "SampleURLs", s->flux_url_samples);
    esql_keep_first(b, "SampleProcesses", s->flux_process_samples);
    rb_put(b, "| EVAL Timestamp = Bin, RemoteIP = \"\", RemoteUrl = COALESCE(MV_FIRST(SampleURLs), \"\"),\n"
              "    AlertType = \"PotentialFastFluxActivity\", BytesSent = 0, BytesReceived = 0\n"
              "| RENAME host.name AS DeviceName\n"
              "| KEEP Timestamp, DeviceName, RemoteIP, RemoteUrl, AlertType, ConnectionCount, BytesSent,\n"
              "    BytesReceived, SampleProcesses\n"
              "| SORT Timestamp DESC\n");
    return 0;
}

static int esql_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    render_header(job, "//", esql_notes);
    if (esql_beaconing(job, s) < 0 || esql_dynamic_dns(job, s) < 0 || esql_fast_flux(job, s) < 0)
        return -1;
    return 0;
}

/* ---- The default profile ---- */

static const char *const esql_default_notes[] = {
    "ES|QL has no union, so each detector is its own query.",
    "ES|QL has no window function such as lag or streamstats, so beaconing keeps the count "
    "and span per device, process and destination and drops the interval statistics and the "
    "min_period to max_period range.",
    "ECS network events record no failed connections, so max_failed_share is not tested.",
    "Internal networks: CIDR_MATCH over the profile's IPv4 and IPv6 prefixes.",
    "COUNT_DISTINCT is approximate (HyperLogLog++); infrahunt counts exactly.",
    "Zone and domain lists are Lucene regular expressions, matched by RLIKE against the whole "
    "lowercased name.",
    "No time filter: the request's time range applies.",
    "The fan-out's KnownGood column is true for fanout_known_good processes.",
    NULL,
};

/* Writes CIDR_MATCH(field, "p1", "p2", ...) over both prefix lists, or false for none. */
static int esql_cidrs(render_job *job, const char *field, const render_strings *a,
                      const render_strings *b)
{
    if (a->n + (b ? b->n : 0) == 0) {
        rb_put(job->out, "false");
        return 0;
    }
    rb_printf(job->out, "CIDR_MATCH(%s, ", field);
    for (size_t i = 0; i < a->n; i++) {
        /* A bare address becomes a one-address prefix. */
        char prefix[96];
        const char *item = a->items[i];
        if (!strchr(item, '/')) {
            snprintf(prefix, sizeof(prefix), "%.80s/%d", item, strchr(item, ':') ? 128 : 32);
            item = prefix;
        }
        if (i)
            rb_put(job->out, ", ");
        if (render_quote(job, job->out, QUOTE_C_DOUBLE_NO_U, item) < 0)
            return -1;
    }
    if (b && b->n) {
        if (a->n)
            rb_put(job->out, ", ");
        if (render_quoted_list(job, b, QUOTE_C_DOUBLE_NO_U, ", ") < 0)
            return -1;
    }
    rb_put(job->out, ")");
    return 0;
}

/* Writes name RLIKE "zones", or false for none. */
static int esql_zones(render_job *job, const char *name, const render_strings *zones)
{
    if (zones->n == 0) {
        rb_put(job->out, "false");
        return 0;
    }
    rb_printf(job->out, "%s RLIKE ", name);
    return render_zone_literal(job, zones, REGEX_LUCENE, REGEX_LOWERCASE, QUOTE_C_DOUBLE_NO_U);
}

/* Writes FROM and the filters for external outbound connections, with Process and Name set. */
static int esql_connections(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_printf(b, "FROM %s\n| WHERE event.category == \"network\"\n"
                 "    AND network.direction IN (\"egress\", \"outbound\")\n"
                 "    AND destination.ip IS NOT NULL\n    AND NOT ",
              render_source(job));
    if (esql_cidrs(job, "destination.ip", &d->internal_v4, &d->internal_v6) < 0)
        return -1;
    rb_put(b, "\n    AND NOT ");
    if (esql_cidrs(job, "destination.ip", &d->allow_addresses, &d->allow_prefixes) < 0)
        return -1;
    rb_put(b, "\n| EVAL host.name = COALESCE(host.name, \"\"), Process = COALESCE(process.name, \"\"),\n"
              "    Name = TO_LOWER(COALESCE(destination.domain, \"\"))\n| WHERE NOT ");
    if (esql_zones(job, "Name", &d->allow_domains) < 0)
        return -1;
    rb_put(b, "\n");
    return 0;
}

static int esql_default_parts(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (d->has_beacon) {
        rb_put(b, "// Beaconing: count and span per device, process and destination\n");
        if (esql_connections(job, d) < 0)
            return -1;
        rb_put(b, "| STATS Count = COUNT(*), FirstSeen = MIN(@timestamp), LastSeen = MAX(@timestamp)\n"
                  "    BY host.name, Process, destination.ip, Name\n");
        rb_printf(b, "| WHERE Count >= %lld\n", (long long)d->beacon_min_connections);
        rb_put(b, "| EVAL SpanSeconds = DATE_DIFF(\"seconds\", FirstSeen, LastSeen), AlertType = "
                  "\"Beaconing\"\n"
                  "| SORT Count DESC\n\n");
    }
    if (d->has_ddns) {
        rb_put(b, "// Dynamic DNS: connection names under a provider zone\n");
        if (esql_connections(job, d) < 0)
            return -1;
        rb_put(b, "| WHERE ");
        if (esql_zones(job, "Name", &d->zones) < 0)
            return -1;
        rb_put(b, "\n| STATS Count = COUNT(*), FirstSeen = MIN(@timestamp), LastSeen = MAX(@timestamp),\n"
                  "    Addresses = VALUES(destination.ip) BY host.name, Process, Name\n"
                  "| EVAL AlertType = \"DynamicDNS\", Source = \"connection\"\n"
                  "| SORT Count DESC\n\n"
                  "// Dynamic DNS: DNS query names under a provider zone\n");
        rb_printf(b, "FROM %s\n| WHERE dns.question.name IS NOT NULL\n", render_source(job));
        rb_put(b, "| EVAL host.name = COALESCE(host.name, \"\"), Process = COALESCE(process.name, \"\"),\n"
                  "    Name = TO_LOWER(dns.question.name)\n| WHERE ");
        if (esql_zones(job, "Name", &d->zones) < 0)
            return -1;
        rb_put(b, " AND NOT ");
        if (esql_zones(job, "Name", &d->allow_domains) < 0)
            return -1;
        rb_put(b, "\n| STATS Count = COUNT(*), FirstSeen = MIN(@timestamp), LastSeen = MAX(@timestamp)\n"
                  "    BY host.name, Process, Name\n"
                  "| EVAL AlertType = \"DynamicDNS\", Source = \"DNS query\"\n"
                  "| SORT Count DESC\n\n");
    }
    if (d->has_flux) {
        rb_put(b, "// Fast flux: distinct addresses in the DNS answers of a domain\n");
        rb_printf(b, "FROM %s\n| WHERE dns.question.name IS NOT NULL AND dns.resolved_ip IS NOT NULL\n",
                  render_source(job));
        rb_put(b, "| EVAL Name = TO_LOWER(dns.question.name)\n| WHERE NOT ");
        if (esql_zones(job, "Name", &d->allow_domains) < 0)
            return -1;
        rb_put(b, "\n| MV_EXPAND dns.resolved_ip\n"
                  "| STATS UniqueAddresses = COUNT_DISTINCT(dns.resolved_ip), Count = COUNT(*),\n"
                  "    Addresses = VALUES(dns.resolved_ip), Devices = VALUES(host.name) BY Name\n");
        rb_printf(b, "| WHERE UniqueAddresses >= %lld\n", (long long)d->flux_min_addresses);
        rb_put(b, "| EVAL AlertType = \"FastFlux\", ServerPool = ");
        if (esql_zones(job, "Name", &d->server_pools) < 0)
            return -1;
        rb_put(b, "\n| SORT UniqueAddresses DESC\n\n"
                  "// Fast flux: distinct addresses per process and hour\n");
        if (esql_connections(job, d) < 0)
            return -1;
        rb_put(b, "| EVAL Hour = DATE_TRUNC(1 hour, @timestamp)\n"
                  "| STATS UniqueIPs = COUNT_DISTINCT(destination.ip), Count = COUNT(*), Names = "
                  "VALUES(Name)\n"
                  "    BY host.name, Process, Hour\n");
        rb_printf(b, "| WHERE UniqueIPs >= %lld AND Count >= %lld\n",
                  (long long)d->fanout_min_addresses, (long long)d->fanout_min_connections);
        rb_put(b, "| EVAL AlertType = \"FastFluxFanOut\", KnownGood = TO_LOWER(Process) IN (");
        if (render_quoted_list(job, &d->fanout_known_good, QUOTE_C_DOUBLE_NO_U, ", ") < 0)
            return -1;
        if (d->fanout_known_good.n == 0)
            rb_put(b, "\"\"");
        rb_put(b, ")\n| SORT UniqueIPs DESC\n\n");
    }
    if (d->has_intel) {
        rb_put(b, "// Threat intel: connections to a listed address, prefix or domain\n");
        if (esql_connections(job, d) < 0)
            return -1;
        rb_put(b, "| WHERE ");
        if (esql_cidrs(job, "destination.ip", &d->intel_addresses, &d->intel_prefixes) < 0)
            return -1;
        rb_put(b, " OR ");
        if (esql_zones(job, "Name", &d->intel_domains) < 0)
            return -1;
        rb_put(b, "\n| STATS Count = COUNT(*), FirstSeen = MIN(@timestamp), LastSeen = MAX(@timestamp)\n"
                  "    BY host.name, Process, destination.ip, Name\n"
                  "| EVAL AlertType = \"ThreatIntel\"\n"
                  "| SORT Count DESC\n\n");
    }
    return 0;
}

static int esql_render_default(render_job *job)
{
    render_default_header(job, "//", esql_default_notes);
    return esql_default_parts(job, &job->params->def);
}

const render_target render_target_esql = {
    .name = "esql",
    .title = "Elastic ES|QL over ECS network events",
    .comment_line = "//",
    .fields = &esql_fields,
    .render_seed = esql_render,
    .render_default = esql_render_default,
};
