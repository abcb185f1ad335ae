/*
 * CrowdStrike Falcon LogScale (CQL) over Falcon sensor events:
 * NetworkConnectIP4 for connections, DnsRequest for names, and
 * ProcessRollup2 joined in for the process file name.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields logscale_fields = {
    .conn_source = "#event_simpleName=NetworkConnectIP4",
    .time = "@timestamp (milliseconds)",
    .device_id = "aid",
    .device_name = "ComputerName (from the sensor's host data, where the repository has it)",
    .action = "NetworkConnectIP4 records outbound connect calls",
    .remote_ip = "RemoteAddressIP4",
    .remote_port = "RemotePort",
    .remote_url = "(none: names come from DnsRequest.DomainName)",
    .process = "ImageFileName of ProcessRollup2, joined on aid and ContextProcessId",
    .bytes_sent = NULL,
    .bytes_received = NULL,
    .dns_source = "#event_simpleName=DnsRequest",
    .dns_query = "DomainName",
    .dns_answers = "IP4Records",
    .dns_process = "ContextProcessId",
};

static const char *const logscale_notes[] = {
    "groupBy() keeps at most 20,000 groups by default; these queries ask for limit=max "
    "(GroupMaxLimit, 1,000,000 unless the cluster changes it). Groups past the limit are "
    "dropped.",
    "count(distinct=true) is an estimate on large sets; infrahunt counts exactly.",
    "NetworkConnectIP4 has no remote name, so part 1 groups by device and address only "
    "(RemoteUrl is empty), and part 2 reads DnsRequest events: it flags name lookups, not "
    "connections, and RemoteIP is empty.",
    "Process names come from join() with ProcessRollup2, which is bounded by join()'s limits; "
    "connections whose process start is outside the search window have no name and are not "
    "excluded in part 3.",
    "Part 1's window is now() - lookback inside the query; the search time range must cover it.",
    "Part 3 buckets @timestamp into fixed, tumbling bins, as infrahunt does.",
    NULL,
};

static const char *const logscale_join =
    "| join(query={#event_simpleName=ProcessRollup2 | rename(field=TargetProcessId, as=ContextProcessId)},\n"
    "    field=[aid, ContextProcessId], include=[ImageFileName], mode=left)\n"
    "| regex(\"(?<Process>[^\\\\\\\\]+)$\", field=ImageFileName, strict=false)\n"
    "| default(field=Process, value=\"\")\n";

static void logscale_public_ipv4(render_buf *b)
{
    rb_put(b, "| cidr(RemoteAddressIP4, subnet=\"0.0.0.0/0\")\n"
              "| !cidr(RemoteAddressIP4, subnet=[\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\"])\n");
}

static void logscale_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char min_rate[40], max_rate[40];

    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    rb_put(b, "// Part 1: PotentialBeaconing\n#event_simpleName=NetworkConnectIP4\n");
    rb_printf(b, "| test(@timestamp > now() - %lld)\n", (long long)(s->lookback_ns / 1000000));
    rb_put(b, "| in(field=\"RemotePort\", values=[");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s\"%lld\"", i ? ", " : "", (long long)s->ports[i]);
    rb_put(b, "])\n");
    logscale_public_ipv4(b);
    rb_put(b, logscale_join);
    rb_put(b, "| groupBy([aid, ComputerName, RemoteAddressIP4], function=[count(as=ConnectionCount),\n"
              "    count(RemotePort, distinct=true, as=UniqueRemotePorts), min(@timestamp, as=FirstSeen),\n"
              "    max(@timestamp, as=LastSeen), collect([Process], limit=");
    rb_printf(b, "%lld)], limit=max)\n", (long long)(s->beacon_samples > 0 ? s->beacon_samples : 1));
    rb_put(b, "| DurationHours := math:floor(LastSeen / 3600000) - math:floor(FirstSeen / 3600000)\n");
    rb_printf(b, "| test(ConnectionCount >= %lld)\n| test(DurationHours > %lld)\n",
              (long long)s->min_connections, (long long)s->duration_hours_above);
    rb_printf(b, "| BeaconRate := math:floor(ConnectionCount / DurationHours)\n"
                 "| test(BeaconRate >= %s)\n| test(BeaconRate <= %s)\n",
              min_rate, max_rate);
    rb_put(b, "| Timestamp := LastSeen\n| AlertType := \"PotentialBeaconing\"\n"
              "| rename(field=RemoteAddressIP4, as=RemoteIP)\n"
              "| sort(Timestamp, order=desc, limit=max)\n\n");
}

static int logscale_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_put(b, "// Part 2: SuspiciousDynamicDNS\n#event_simpleName=DnsRequest\n| DomainName = /");
    if (render_regex(job, b, s->pattern, REGEX_PORTABLE, 0) < 0)
        return -1;
    rb_put(b, "/i\n| groupBy([DomainName], function=[count(as=ConnectionCount),\n"
              "    count(aid, distinct=true, as=UniqueDevices)], limit=max)\n"
              "| Timestamp := now()\n| DeviceName := \"Multiple\"\n"
              "| AlertType := \"SuspiciousDynamicDNS\"\n"
              "| rename(field=DomainName, as=RemoteUrl)\n\n");
    return 0;
}

static void logscale_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_put(b, "// Part 3: PotentialFastFluxActivity\n#event_simpleName=NetworkConnectIP4\n");
    logscale_public_ipv4(b);
    rb_put(b, logscale_join);
    if (s->nexcluded > 0) {
        rb_put(b, "| Process != /^");
        render_regex_literals(job, b, s->excluded, s->nexcluded, REGEX_PORTABLE, 0);
        rb_put(b, "$/i\n");
    }
    rb_printf(b, "| Bin := math:floor(@timestamp / %lld) * %lld\n",
              (long long)(s->bin_ns / 1000000 ? s->bin_ns / 1000000 : 1),
              (long long)(s->bin_ns / 1000000 ? s->bin_ns / 1000000 : 1));
    rb_put(b, "| groupBy([aid, ComputerName, Bin], function=[count(RemoteAddressIP4, distinct=true, as=UniqueIPs),\n"
              "    count(as=ConnectionCount), collect([Process], limit=");
    rb_printf(b, "%lld)], limit=max)\n", (long long)(s->flux_process_samples > 0 ? s->flux_process_samples : 1));
    rb_printf(b, "| test(UniqueIPs >= %lld)\n| test(ConnectionCount >= %lld)\n",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    rb_put(b, "| Timestamp := Bin\n| AlertType := \"PotentialFastFluxActivity\"\n"
              "| sort(Timestamp, order=desc, limit=max)\n");
}

static int logscale_render(render_job *job)
{
    const render_seed *s = &job->params->seed;
    bool outbound, inbound;

    /* NetworkConnectIP4 is the outbound side only. */
    if (render_directions(job, s->beacon_actions | s->ddns_actions | s->flux_actions, &outbound,
                          &inbound) < 0)
        return -1;
    if (inbound) {
        snprintf(job->err, sizeof(job->err),
                 "InboundConnectionAccepted has no equivalent in NetworkConnectIP4 events, which "
                 "record outbound connections; remove it from action_types");
        return -1;
    }
    render_header(job, "//", logscale_notes);
    logscale_beaconing(job, s);
    if (logscale_dynamic_dns(job, s) < 0)
        return -1;
    logscale_fast_flux(job, s);
    return 0;
}

/* ---- The default profile ---- */

static const char *const logscale_default_notes[] = {
    "Each detector is its own query. groupBy() asks for limit=max; groups past the cluster's "
    "GroupMaxLimit are dropped.",
    "NetworkConnectIP4 has no remote name and records IPv4 only, so beaconing groups by device, "
    "process and address, IPv6 destinations are not seen, and dynamic DNS reads DnsRequest "
    "events: it flags name lookups, not connections.",
    "Beaconing keeps the count and span; the interval statistics are not rendered for "
    "LogScale.",
    "Internal networks: cidr() over the profile's IPv4 prefixes.",
    "Process names come from join() with ProcessRollup2, which is bounded by join()'s limits.",
    "count(distinct=true) is an estimate on large sets; infrahunt counts exactly.",
    "Failed connections are not told apart, so max_failed_share is not tested.",
    "Threat intel matches addresses and IPv4 prefixes only; intel domains are not rendered for "
    "LogScale, whose connection events carry no names.",
    "The search time range applies.",
    NULL,
};

/* Writes a list of quoted IPv4 prefixes (addresses become /32) for cidr(subnet=[...]). */
static size_t logscale_subnets(render_job *job, render_buf *b, const render_strings *a,
                               const render_strings *c)
{
    const render_strings *lists[] = {a, c};
    size_t written = 0;

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
            if (written++)
                rb_put(b, ", ");
            render_quote(job, b, QUOTE_C_DOUBLE_NO_U, item);
        }
    }
    return written;
}

static void logscale_not_cidr(render_job *job, const render_strings *a, const render_strings *c)
{
    render_buf list = {0};
    if (logscale_subnets(job, &list, a, c) && !list.failed)
        rb_printf(job->out, "| !cidr(RemoteAddressIP4, subnet=[%s])\n", list.data);
    rb_free(&list);
}

static void logscale_connections(render_job *job, const render_default *d)
{
    rb_put(job->out, "#event_simpleName=NetworkConnectIP4\n");
    logscale_not_cidr(job, &d->internal_v4, &d->internal_v6);
    logscale_not_cidr(job, &d->allow_addresses, &d->allow_prefixes);
    rb_put(job->out, logscale_join);
}

static void logscale_default_parts(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (d->has_beacon) {
        rb_put(b, "// Beaconing: count and span per device, process and address\n");
        logscale_connections(job, d);
        rb_put(b, "| groupBy([aid, ComputerName, Process, RemoteAddressIP4], "
                  "function=[count(as=ConnectionCount),\n"
                  "    min(@timestamp, as=FirstSeen), max(@timestamp, as=LastSeen)], limit=max)\n");
        rb_printf(b, "| test(ConnectionCount >= %lld)\n", (long long)d->beacon_min_connections);
        rb_put(b, "| SpanSeconds := (LastSeen - FirstSeen) / 1000\n"
                  "| AlertType := \"Beaconing\"\n"
                  "| sort(ConnectionCount, order=desc, limit=max)\n\n");
    }
    if (d->has_ddns && d->zones.n) {
        rb_put(b, "// Dynamic DNS: DNS query names under a provider zone\n"
                  "#event_simpleName=DnsRequest\n| DomainName = /");
        render_zone_regex(job, b, &d->zones, REGEX_PORTABLE, REGEX_LOWERCASE);
        rb_put(b, "/i\n");
        if (d->allow_domains.n) {
            rb_put(b, "| DomainName != /");
            render_zone_regex(job, b, &d->allow_domains, REGEX_PORTABLE, REGEX_LOWERCASE);
            rb_put(b, "/i\n");
        }
        rb_put(b, "| groupBy([aid, ComputerName, DomainName], function=[count(as=QueryCount),\n"
                  "    min(@timestamp, as=FirstSeen), max(@timestamp, as=LastSeen)], limit=max)\n"
                  "| AlertType := \"DynamicDNS\"\n"
                  "| sort(QueryCount, order=desc, limit=max)\n\n");
    }
    if (d->has_flux) {
        rb_put(b, "// Fast-flux fan-out: distinct addresses per device, process and hour\n");
        logscale_connections(job, d);
        rb_put(b, "| Hour := math:floor(@timestamp / 3600000) * 3600000\n"
                  "| groupBy([aid, ComputerName, Process, Hour], "
                  "function=[count(RemoteAddressIP4, distinct=true, as=UniqueIPs),\n"
                  "    count(as=ConnectionCount)], limit=max)\n");
        rb_printf(b, "| test(UniqueIPs >= %lld)\n| test(ConnectionCount >= %lld)\n",
                  (long long)d->fanout_min_addresses, (long long)d->fanout_min_connections);
        rb_put(b, "| AlertType := \"FastFluxFanOut\"\n"
                  "| sort(UniqueIPs, order=desc, limit=max)\n\n");
    }
    render_buf intel = {0};
    if (d->has_intel && logscale_subnets(job, &intel, &d->intel_addresses, &d->intel_prefixes) &&
        !intel.failed) {
        rb_put(b, "// Threat intel: connections to a listed address or prefix\n");
        logscale_connections(job, d);
        rb_printf(b, "| cidr(RemoteAddressIP4, subnet=[%s])\n", intel.data);
        rb_put(b, "| groupBy([aid, ComputerName, Process, RemoteAddressIP4], "
                  "function=[count(as=ConnectionCount)], limit=max)\n"
                  "| AlertType := \"ThreatIntel\"\n\n");
    }
    rb_free(&intel);
}

static int logscale_render_default(render_job *job)
{
    render_default_header(job, "//", logscale_default_notes);
    logscale_default_parts(job, &job->params->def);
    return 0;
}

const render_target render_target_logscale = {
    .name = "logscale",
    .title = "CrowdStrike Falcon LogScale (CQL) over NetworkConnectIP4 and DnsRequest events",
    .comment_line = "//",
    .fields = &logscale_fields,
    .render_seed = logscale_render,
    .render_default = logscale_render_default,
    .flux_domain_gap = "IP4Records holds all addresses of an answer in one string, and the "
                       "query does not split it",
};
