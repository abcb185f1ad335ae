/*
 * Elastic EQL over ECS network events. EQL filters and sequences events but
 * cannot aggregate, so thresholds become sequences of repeated events and
 * everything that needs a count over a group is dropped, as the header says.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* EQL's largest "with runs" value in the Elasticsearch reference. */
#define EQL_MAX_RUNS 100

static const render_fields eql_fields = {
    .conn_source = "logs-* (the index is given to the EQL search API, not in the query)",
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
    .dns_source = "network where dns.question.name != null",
    .dns_query = "dns.question.name",
    .dns_answers = "dns.resolved_ip",
    .dns_process = "process.name",
};

static const char *const eql_notes[] = {
    "EQL cannot aggregate, so each part is its own query and returns events or sequences, not "
    "alerts with counts and samples.",
    "Part 1 becomes a sequence of min_connections connections with the same device and "
    "destination within the lookback (maxspan, a sliding window). The byte sum, DurationHours "
    "and BeaconRate are dropped.",
    "Part 2 returns each matching connection; grouping by RemoteUrl is left to the analyst.",
    "Part 3 becomes a sequence of min_connections connections per device within bin (a sliding "
    "window, where infrahunt uses fixed bins). UniqueIPs, the distinct count of addresses, is "
    "dropped, so a single busy address also matches.",
    "Sequences are capped at 100 runs, EQL's maximum.",
    "regex~ takes a Lucene regular expression, case-insensitive, that must match the whole "
    "value, so the pattern is wrapped in .*( ).*.",
    NULL,
};

static int eql_filter(render_job *job, unsigned actions, bool public_ipv4)
{
    render_buf *b = job->out;
    bool outbound, inbound;

    if (render_directions(job, actions, &outbound, &inbound) < 0)
        return -1;
    rb_put(b, "network where network.direction in (");
    if (outbound)
        rb_put(b, "\"egress\", \"outbound\"");
    if (inbound)
        rb_printf(b, "%s\"ingress\", \"inbound\"", outbound ? ", " : "");
    if (!outbound && !inbound)
        rb_put(b, "\"none\"");
    rb_put(b, ")");
    if (public_ipv4)
        rb_put(b, "\n    and cidrMatch(destination.ip, \"0.0.0.0/0\")\n"
                  "    and not cidrMatch(destination.ip, \"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\")");
    return 0;
}

static int64_t eql_runs(int64_t n)
{
    return n < 1 ? 1 : n > EQL_MAX_RUNS ? EQL_MAX_RUNS : n;
}

static int eql_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char lookback[64];

    render_duration(s->lookback_ns, lookback, sizeof(lookback));
    rb_put(b, "// Part 1: PotentialBeaconing\n");
    rb_printf(b, "sequence by host.id, host.name, destination.ip, destination.domain with maxspan=%s\n"
                 "  [",
              lookback);
    if (eql_filter(job, s->beacon_actions, true) < 0)
        return -1;
    rb_put(b, "\n    and destination.port in (");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s%lld", i ? ", " : "", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "-1");
    rb_printf(b, ")] with runs=%lld\n\n", (long long)eql_runs(s->min_connections));
    return 0;
}

static int eql_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_put(b, "// Part 2: SuspiciousDynamicDNS\n");
    if (eql_filter(job, s->ddns_actions, false) < 0)
        return -1;
    rb_put(b, "\n    and destination.domain != null and destination.domain != \"\"\n"
              "    and destination.domain regex~ ");
    render_buf re = {0};
    if (render_regex(job, &re, s->pattern, REGEX_LUCENE, 0) < 0 || re.failed) {
        rb_free(&re);
        return -1;
    }
    int rc = render_quote(job, b, QUOTE_C_DOUBLE_NO_U, re.data);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_put(b, "\n\n");
    return 0;
}

static int eql_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char bin[64];

    render_duration(s->bin_ns, bin, sizeof(bin));
    rb_put(b, "// Part 3: PotentialFastFluxActivity\n");
    rb_printf(b, "sequence by host.id, host.name with maxspan=%s\n  [", bin);
    if (eql_filter(job, s->flux_actions, true) < 0)
        return -1;
    if (s->nexcluded > 0) {
        /* in~ compares case-insensitively. */
        rb_put(b, "\n    and not process.name in~ (");
        for (size_t i = 0; i < s->nexcluded; i++) {
            if (i)
                rb_put(b, ", ");
            if (render_quote(job, b, QUOTE_C_DOUBLE_NO_U, s->excluded[i]) < 0)
                return -1;
        }
        rb_put(b, ")");
    }
    rb_printf(b, "] with runs=%lld\n", (long long)eql_runs(s->flux_min_connections));
    return 0;
}

static int eql_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    render_header(job, "//", eql_notes);
    if (eql_beaconing(job, s) < 0 || eql_dynamic_dns(job, s) < 0 || eql_fast_flux(job, s) < 0)
        return -1;
    return 0;
}

/* ---- The default profile ---- */

static const char *const eql_default_notes[] = {
    "EQL cannot aggregate, so each detector is its own query and returns events or sequences, "
    "not counts, spans or interval statistics.",
    "Beaconing is a sequence of min_connections connections with the same device, process and "
    "destination within min_connections times max_period (maxspan, a sliding window).",
    "The fan-out is a sequence of fanout_min_connections connections per device and process "
    "within 1 hour; the distinct count of addresses is dropped, so a single busy address also "
    "matches. fanout_known_good processes are not excluded, because scan down-ranks them.",
    "Sequences are capped at 100 runs, EQL's maximum.",
    "regex~ takes a Lucene regular expression, case-insensitive, that must match the whole "
    "value.",
    "ECS network events record no failed connections, so max_failed_share is not tested.",
    NULL,
};

/* Writes cidrMatch(field, ...) over the lists (bare addresses as one-address prefixes). */
static int eql_cidrs(render_job *job, const char *field, const render_strings *a,
                     const render_strings *b)
{
    const render_strings *lists[] = {a, b};

    if (a->n + (b ? b->n : 0) == 0) {
        rb_put(job->out, "false");
        return 0;
    }
    rb_printf(job->out, "cidrMatch(%s", field);
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; lists[k] && i < lists[k]->n; i++) {
            char prefix[96];
            const char *item = lists[k]->items[i];
            if (!strchr(item, '/')) {
                snprintf(prefix, sizeof(prefix), "%.80s/%d", item, strchr(item, ':') ? 128 : 32);
                item = prefix;
            }
            rb_put(job->out, ", ");
            if (render_quote(job, job->out, QUOTE_C_DOUBLE_NO_U, item) < 0)
                return -1;
        }
    }
    rb_put(job->out, ")");
    return 0;
}

static int eql_zones(render_job *job, const char *field, const render_strings *zones)
{
    if (zones->n == 0) {
        rb_put(job->out, "false");
        return 0;
    }
    rb_printf(job->out, "%s regex~ ", field);
    return render_zone_literal(job, zones, REGEX_LUCENE, 0, QUOTE_C_DOUBLE_NO_U);
}

/* Writes the event query for external outbound connections. */
static int eql_connections(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_put(b, "network where network.direction in (\"egress\", \"outbound\")\n"
              "    and destination.ip != null\n    and not ");
    if (eql_cidrs(job, "destination.ip", &d->internal_v4, &d->internal_v6) < 0)
        return -1;
    if (d->allow_addresses.n + d->allow_prefixes.n) {
        rb_put(b, "\n    and not ");
        if (eql_cidrs(job, "destination.ip", &d->allow_addresses, &d->allow_prefixes) < 0)
            return -1;
    }
    if (d->allow_domains.n) {
        rb_put(b, "\n    and not ");
        return eql_zones(job, "destination.domain", &d->allow_domains);
    }
    return 0;
}

static int eql_default_parts(render_job *job, const render_default *d)
{
    render_buf *b = job->out;
    char span[64];

    if (d->has_beacon) {
        render_duration(d->max_period_ns * d->beacon_min_connections, span, sizeof(span));
        rb_put(b, "// Beaconing\n");
        rb_printf(b, "sequence by host.id, process.name, destination.ip, destination.domain "
                     "with maxspan=%s\n  [",
                  span);
        if (eql_connections(job, d) < 0)
            return -1;
        rb_printf(b, "] with runs=%lld\n\n", (long long)eql_runs(d->beacon_min_connections));
    }
    if (d->has_ddns) {
        rb_put(b, "// Dynamic DNS: connection names under a provider zone\n");
        if (eql_connections(job, d) < 0)
            return -1;
        rb_put(b, "\n    and ");
        if (eql_zones(job, "destination.domain", &d->zones) < 0)
            return -1;
        rb_put(b, "\n\n// Dynamic DNS: DNS query names under a provider zone\n"
                  "network where dns.question.name != null\n    and ");
        if (eql_zones(job, "dns.question.name", &d->zones) < 0)
            return -1;
        rb_put(b, "\n    and not ");
        if (eql_zones(job, "dns.question.name", &d->allow_domains) < 0)
            return -1;
        rb_put(b, "\n\n");
    }
    if (d->has_flux) {
        rb_put(b, "// Fast-flux fan-out\n"
                  "sequence by host.id, process.name with maxspan=1h\n  [");
        if (eql_connections(job, d) < 0)
            return -1;
        rb_printf(b, "] with runs=%lld\n\n", (long long)eql_runs(d->fanout_min_connections));
    }
    if (d->has_intel) {
        rb_put(b, "// Threat intel\n");
        if (eql_connections(job, d) < 0)
            return -1;
        rb_put(b, "\n    and (");
        if (eql_cidrs(job, "destination.ip", &d->intel_addresses, &d->intel_prefixes) < 0)
            return -1;
        rb_put(b, " or ");
        if (eql_zones(job, "destination.domain", &d->intel_domains) < 0)
            return -1;
        rb_put(b, ")\n\n");
    }
    return 0;
}

static int eql_render_default(render_job *job)
{
    render_default_header(job, "//", eql_default_notes);
    return eql_default_parts(job, &job->params->def);
}

const render_target render_target_eql = {
    .name = "eql",
    .title = "Elastic EQL over ECS network events",
    .comment_line = "//",
    .fields = &eql_fields,
    .render_seed = eql_render,
    .render_default = eql_render_default,
    .flux_domain_gap = "EQL cannot count distinct values",
};
