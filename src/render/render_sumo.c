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

const render_target render_target_sumo = {
    .name = "sumo",
    .title = "Sumo Logic search over Cloud SIEM network records",
    .comment_line = "//",
    .fields = &sumo_fields,
    .render_seed = sumo_render,
};
