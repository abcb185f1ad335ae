/*
 * Sumo Logic search over Cloud SIEM network records (the normalized record
 * fields that Cloud SIEM writes to the sec_record_network index). Sumo has no
 * union, so each part is its own search.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields sumo_fields = {
    .conn_source = "sec_record_network",
    .time = "_messagetime (milliseconds)",
    .device_id = "device_hostname (records carry no device id)",
    .device_name = "device_hostname",
    .action = "action and direction as normalized by the record mapping",
    .remote_ip = "dstDevice_ip",
    .remote_port = "dstPort",
    .remote_url = "dstDevice_hostname",
    .process = "baseImage",
    .bytes_sent = "bytesOut",
    .bytes_received = "bytesIn",
    .dns_source = "sec_record_network where dns_query is present",
    .dns_query = "dns_query",
    .dns_answers = "dns_reply",
    .dns_process = "baseImage",
};

static const char *const sumo_notes[] = {
    "Sumo has no union, so the three parts are three searches.",
    "Samples are dropped; part 2's RemoteIP and part 3's RemoteUrl are left empty.",
    "Regexes run through parse regex, which drops records that do not match (and, with nodrop, "
    "keeps them for the exclusion test); the engine is Java's.",
    "The search time range replaces part 1's lookback; set it to the lookback. Part 3 uses "
    "timeslice: fixed, tumbling windows, as infrahunt does.",
    "ActionType has no single equivalent in the record schema: every network record counts as "
    "an outbound connection. NOTE: field names were not checked against a live tenant.",
    "count_distinct is exact up to Sumo's group limits.",
    NULL,
};

static void sumo_public_ipv4(render_buf *b)
{
    rb_put(b, "| where isValidIP(dstDevice_ip) and !isValidIPv6(dstDevice_ip) "
              "and !isPrivateIP(dstDevice_ip)\n");
}

/* Writes `| parse regex field=F "(?i)(?<name>...)"` for a pattern or literal set. */
static int sumo_parse(render_job *job, const char *field, const char *name, const render_buf *re,
                      bool nodrop)
{
    render_buf text = {0};
    rb_printf(&text, "(?i)(?<%s>%s)", name, re->data ? re->data : "");
    rb_printf(job->out, "| parse regex field=%s ", field);
    int rc = text.failed || re->failed ? -1 : render_quote(job, job->out, QUOTE_C_DOUBLE_NO_U, text.data);
    rb_free(&text);
    if (rc < 0)
        return -1;
    rb_put(job->out, nodrop ? " nodrop\n" : "\n");
    return 0;
}

static void sumo_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    const char *sent = render_bytes_sent(job), *received = render_bytes_received(job);
    char min_rate[40], max_rate[40];

    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    rb_printf(b, "// Part 1: PotentialBeaconing\n_index=%s\n| where dstPort in (", render_source(job));
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s%lld", i ? ", " : "", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "-1");
    rb_put(b, ")\n");
    sumo_public_ipv4(b);
    rb_put(b, "| if(isNull(dstDevice_hostname), \"\", dstDevice_hostname) as RemoteUrl\n"
              "| count as ConnectionCount, count_distinct(dstPort) as UniqueRemotePorts,\n"
              "    min(_messagetime) as FirstSeen, max(_messagetime) as LastSeen");
    if (sent)
        rb_printf(b, ", sum(%s) as BytesSent", sent);
    if (received)
        rb_printf(b, ", sum(%s) as BytesReceived", received);
    rb_put(b, "\n    by device_hostname, dstDevice_ip, RemoteUrl\n"
              "| floor(LastSeen / 3600000) - floor(FirstSeen / 3600000) as DurationHours\n");
    rb_printf(b, "| where ConnectionCount >= %lld and DurationHours > %lld\n",
              (long long)s->min_connections, (long long)s->duration_hours_above);
    if (sent)
        rb_printf(b, "| where BytesSent > %lld\n", (long long)s->bytes_sent_above);
    rb_printf(b, "| floor(ConnectionCount / DurationHours) as BeaconRate\n"
                 "| where BeaconRate >= %s and BeaconRate <= %s\n",
              min_rate, max_rate);
    rb_put(b, "| LastSeen as Timestamp\n"
              "| \"PotentialBeaconing\" as AlertType\n"
              "| fields Timestamp, device_hostname, dstDevice_ip, RemoteUrl, AlertType, ConnectionCount");
    if (sent)
        rb_put(b, ", BytesSent");
    if (received)
        rb_put(b, ", BytesReceived");
    rb_put(b, "\n| sort by Timestamp\n\n");
}

static int sumo_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_printf(b, "// Part 2: SuspiciousDynamicDNS\n_index=%s\n"
                 "| where !isNull(dstDevice_hostname) and dstDevice_hostname != \"\"\n",
              render_source(job));
    render_buf re = {0};
    if (render_regex(job, &re, s->pattern, REGEX_PORTABLE, 0) < 0 ||
        sumo_parse(job, "dstDevice_hostname", "ddns_match", &re, false) < 0) {
        rb_free(&re);
        return -1;
    }
    rb_free(&re);
    rb_put(b, "| count as ConnectionCount, count_distinct(device_hostname) as UniqueDevices\n"
              "    by dstDevice_hostname\n"
              "| now() as Timestamp\n"
              "| \"Multiple\" as DeviceName\n"
              "| \"SuspiciousDynamicDNS\" as AlertType\n"
              "| fields Timestamp, DeviceName, dstDevice_hostname, AlertType, ConnectionCount, UniqueDevices\n\n");
    return 0;
}

static int sumo_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char bin[64];

    render_duration(s->bin_ns, bin, sizeof(bin));
    rb_printf(b, "// Part 3: PotentialFastFluxActivity\n_index=%s\n", render_source(job));
    sumo_public_ipv4(b);
    if (s->nexcluded > 0) {
        render_buf set = {0};
        rb_put(&set, "^");
        render_regex_literals(job, &set, s->excluded, s->nexcluded, REGEX_PORTABLE, 0);
        rb_put(&set, "$");
        rb_put(b, "| if(isNull(baseImage), \"\", baseImage) as Process\n");
        int rc = sumo_parse(job, "Process", "excluded_process", &set, true);
        rb_free(&set);
        if (rc < 0)
            return -1;
        rb_put(b, "| where isNull(excluded_process) or excluded_process = \"\"\n");
    }
    rb_printf(b, "| timeslice %s\n", bin);
    rb_put(b, "| count_distinct(dstDevice_ip) as UniqueIPs, count as ConnectionCount\n"
              "    by device_hostname, _timeslice\n");
    rb_printf(b, "| where UniqueIPs >= %lld and ConnectionCount >= %lld\n",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    rb_put(b, "| _timeslice as Timestamp\n"
              "| \"PotentialFastFluxActivity\" as AlertType\n"
              "| fields Timestamp, device_hostname, AlertType, ConnectionCount, UniqueIPs\n"
              "| sort by Timestamp\n");
    return 0;
}

static int sumo_render(render_job *job)
{
    const render_seed *s = &job->params->seed;
    bool outbound, inbound;

    if (render_directions(job, s->beacon_actions | s->ddns_actions | s->flux_actions, &outbound,
                          &inbound) < 0)
        return -1;
    render_header(job, "//", sumo_notes);
    sumo_beaconing(job, s);
    if (sumo_dynamic_dns(job, s) < 0 || sumo_fast_flux(job, s) < 0)
        return -1;
    return 0;
}

/* ---- The default profile ---- */

static const char *const sumo_default_notes[] = {
    "Sumo has no union, so each detector is its own search.",
    "Beaconing keeps the count and span per device, process and destination; the interval "
    "statistics are not rendered for Sumo.",
    "Internal networks: ipv4ToNumber() compared with the profile's IPv4 prefixes as numbers. "
    "IPv6 destinations are dropped, as in the seed searches.",
    "Threat intel matches listed domains only; intel addresses and prefixes are not rendered "
    "for Sumo.",
    "Regexes run through parse regex nodrop and a test of the extracted field; the engine is "
    "Java's.",
    "Every network record counts as an outbound connection, and failed connections are not "
    "told apart, so max_failed_share is not tested. NOTE: field names were not checked "
    "against a live tenant.",
    "The search time range applies.",
    NULL,
};

/* Writes "| where !(...)" over the IPv4 prefixes and addresses of the lists, if any. */
static void sumo_not_in_ranges(render_job *job, const render_strings *a, const render_strings *b)
{
    const render_strings *lists[] = {a, b};
    size_t written = 0;

    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < lists[k]->n; i++) {
            char prefix[96];
            const char *item = lists[k]->items[i];
            uint32_t first, last;
            if (!strchr(item, '/')) {
                snprintf(prefix, sizeof(prefix), "%.80s/32", item);
                item = prefix;
            }
            if (render_ipv4_prefix(item, &first, &last) < 0)
                continue;
            rb_printf(job->out, "%s(IpNumber >= %lu and IpNumber <= %lu)",
                      written++ ? " or " : "| where !(", (unsigned long)first, (unsigned long)last);
        }
    }
    if (written)
        rb_put(job->out, ")\n");
}

/* Writes a parse regex nodrop that sets name when field matches a zone, then a test of it. */
static int sumo_zone_test(render_job *job, const char *field, const char *name,
                          const render_strings *zones, bool keep_matches)
{
    if (zones->n == 0) {
        if (keep_matches)
            rb_put(job->out, "| where false\n");
        return 0;
    }
    render_buf re = {0};
    render_zone_regex(job, &re, zones, REGEX_PORTABLE, REGEX_LOWERCASE);
    int rc = sumo_parse(job, field, name, &re, true);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_printf(job->out, keep_matches ? "| where !isBlank(%s)\n" : "| where isBlank(%s)\n", name);
    return 0;
}

static int sumo_connections(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_printf(b, "_index=%s\n", render_source(job));
    rb_put(b, "| where isValidIP(dstDevice_ip) and !isValidIPv6(dstDevice_ip)\n"
              "| ipv4ToNumber(dstDevice_ip) as IpNumber\n");
    sumo_not_in_ranges(job, &d->internal_v4, &d->allow_prefixes);
    sumo_not_in_ranges(job, &d->allow_addresses, &(render_strings){0});
    rb_put(b, "| if(isNull(baseImage), \"\", baseImage) as Process\n"
              "| toLowerCase(if(isNull(dstDevice_hostname), \"\", dstDevice_hostname)) as Name\n");
    return sumo_zone_test(job, "Name", "allowed", &d->allow_domains, false);
}

static int sumo_default_parts(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (d->has_beacon) {
        rb_put(b, "// Beaconing: count and span per device, process and destination\n");
        if (sumo_connections(job, d) < 0)
            return -1;
        rb_put(b, "| count as ConnectionCount, min(_messagetime) as FirstSeen, max(_messagetime) as "
                  "LastSeen\n"
                  "    by device_hostname, Process, dstDevice_ip, Name\n");
        rb_printf(b, "| where ConnectionCount >= %lld\n", (long long)d->beacon_min_connections);
        rb_put(b, "| (LastSeen - FirstSeen) / 1000 as SpanSeconds\n"
                  "| \"Beaconing\" as AlertType\n"
                  "| sort by ConnectionCount\n\n");
    }
    if (d->has_ddns) {
        rb_put(b, "// Dynamic DNS: connection names under a provider zone\n");
        if (sumo_connections(job, d) < 0 ||
            sumo_zone_test(job, "Name", "zone_match", &d->zones, true) < 0)
            return -1;
        rb_put(b, "| count as ConnectionCount by device_hostname, Process, Name\n"
                  "| \"DynamicDNS\" as AlertType\n"
                  "| sort by ConnectionCount\n\n"
                  "// Dynamic DNS: DNS query names under a provider zone\n");
        rb_printf(b, "_index=%s\n", render_source(job));
        rb_put(b, "| where !isBlank(dns_query)\n"
                  "| toLowerCase(dns_query) as Name\n"
                  "| if(isNull(baseImage), \"\", baseImage) as Process\n");
        if (sumo_zone_test(job, "Name", "zone_match", &d->zones, true) < 0 ||
            sumo_zone_test(job, "Name", "allowed", &d->allow_domains, false) < 0)
            return -1;
        rb_put(b, "| count as QueryCount by device_hostname, Process, Name\n"
                  "| \"DynamicDNS\" as AlertType\n"
                  "| sort by QueryCount\n\n");
    }
    if (d->has_flux) {
        rb_put(b, "// Fast-flux fan-out: distinct addresses per device, process and hour\n");
        if (sumo_connections(job, d) < 0)
            return -1;
        rb_put(b, "| timeslice 1h\n"
                  "| count_distinct(dstDevice_ip) as UniqueIPs, count as ConnectionCount\n"
                  "    by device_hostname, Process, _timeslice\n");
        rb_printf(b, "| where UniqueIPs >= %lld and ConnectionCount >= %lld\n",
                  (long long)d->fanout_min_addresses, (long long)d->fanout_min_connections);
        rb_put(b, "| \"FastFluxFanOut\" as AlertType\n"
                  "| sort by UniqueIPs\n\n");
    }
    if (d->has_intel && d->intel_domains.n) {
        /* NOTE: intel addresses and prefixes are not rendered for Sumo; only domains are. */
        rb_put(b, "// Threat intel: connections to a listed domain\n");
        if (sumo_connections(job, d) < 0 ||
            sumo_zone_test(job, "Name", "intel_match", &d->intel_domains, true) < 0)
            return -1;
        rb_put(b, "| count as ConnectionCount by device_hostname, Process, dstDevice_ip, Name\n"
                  "| \"ThreatIntel\" as AlertType\n"
                  "| sort by ConnectionCount\n\n");
    }
    return 0;
}

static int sumo_render_default(render_job *job)
{
    render_default_header(job, "//", sumo_default_notes);
    return sumo_default_parts(job, &job->params->def);
}

const render_target render_target_sumo = {
    .name = "sumo",
    .title = "Sumo Logic search over Cloud SIEM network records",
    .comment_line = "//",
    .fields = &sumo_fields,
    .render_seed = sumo_render,
    .render_default = sumo_render_default,
    .flux_domain_gap = "dns_reply is one string per record, and the search does not split it "
                       "into addresses",
};
