/*
 * Sigma detection rules and correlation rules (Sigma specification 2.0)
 * over the network_connection log source with Sysmon field names. Every
 * string is a YAML double-quoted scalar, so no value can end or change the
 * document; plain values also escape Sigma's wildcards.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields sigma_fields = {
    .conn_source = "logsource category network_connection, product windows",
    .time = "(the backend's event time)",
    .device_id = "ComputerName (Sysmon has no device id)",
    .device_name = "ComputerName",
    .action = "Initiated ('true': outbound)",
    .remote_ip = "DestinationIp",
    .remote_port = "DestinationPort",
    .remote_url = "DestinationHostname",
    .process = "Image (matched with endswith on the file name)",
    .bytes_sent = NULL,
    .bytes_received = NULL,
    .dns_source = "logsource category dns_query, product windows",
    .dns_query = "QueryName",
    .dns_answers = "QueryResults",
    .dns_process = "Image",
};

static const char *const sigma_notes[] = {
    "Sigma has no interval statistics: part 1 keeps the event_count threshold over the "
    "lookback and drops DurationHours, BeaconRate and the byte sum.",
    "Part 2 is a plain detection rule: every matching connection is a hit, and grouping by "
    "RemoteUrl is left to the backend.",
    "Part 3 is a temporal correlation of a value_count rule (UniqueIPs) and an event_count rule "
    "(ConnectionCount) over the same device and timespan.",
    "Correlation timespans may be sliding or fixed, depending on the backend; infrahunt uses "
    "one lookback for part 1 and fixed bins for part 3.",
    "Distinct counts are exact or estimated, depending on the backend.",
    NULL,
};

/* A stable UUID (version 4 layout) from the profile and rule names, so output is reproducible. */
static void sigma_uuid(const render_job *job, const char *rule, char out[37])
{
    uint64_t h[2] = {UINT64_C(0xcbf29ce484222325), UINT64_C(0x84222325cbf29ce4)};
    const char *parts[] = {job->params->profile_name, "\n", rule};
    for (int k = 0; k < 2; k++)
        for (size_t p = 0; p < 3; p++)
            for (const char *c = parts[p]; *c; c++)
                h[k] = (h[k] ^ (unsigned char)*c) * UINT64_C(0x100000001b3) + (uint64_t)k;
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(h[0] >> 32),
             (unsigned)(h[0] >> 16) & 0xffff, (unsigned)h[0] & 0xfff,
             (unsigned)(0x8000 | ((h[1] >> 48) & 0x3fff)),
             (unsigned long long)(h[1] & UINT64_C(0xffffffffffff)));
}

/* Writes a plain Sigma value: wildcards and backslashes escaped, then YAML-quoted. */
static int sigma_value(render_job *job, const char *prefix, const char *s)
{
    render_buf v = {0};
    rb_put(&v, prefix);
    for (const char *c = s; *c; c++) {
        if (*c == '*' || *c == '?' || *c == '\\')
            rb_putc(&v, '\\');
        rb_putc(&v, *c);
    }
    int rc = v.failed ? -1 : render_quote(job, job->out, QUOTE_YAML, v.data);
    rb_free(&v);
    return rc;
}

static void sigma_head(render_job *job, const char *title, const char *name, bool meta)
{
    render_buf *b = job->out;
    char id[37];

    sigma_uuid(job, name, id);
    rb_put(b, "---\ntitle: ");
    render_quote(job, b, QUOTE_YAML, title);
    rb_printf(b, "\nid: %s\nname: %s\n", id, name);
    if (meta) {
        rb_put(b, "status: experimental\ndescription: ");
        render_quote(job, b, QUOTE_YAML, job->params->description);
        rb_put(b, "\nauthor: infrahunt export\ntags:\n    - attack.resource-development\n"
                  "    - attack.t1584\n");
    }
}

static int sigma_selection(render_job *job, unsigned actions)
{
    bool outbound, inbound;
    if (render_directions(job, actions, &outbound, &inbound) < 0)
        return -1;
    rb_put(job->out, "logsource:\n    category: network_connection\n    product: windows\n"
                     "detection:\n    selection:\n");
    if (outbound && !inbound)
        rb_put(job->out, "        Initiated: \"true\"\n");
    else if (inbound && !outbound)
        rb_put(job->out, "        Initiated: \"false\"\n");
    return 0;
}

static const char *const private_filter =
    "        DestinationIp|cidr: \"0.0.0.0/0\"\n"
    "    filter_private:\n"
    "        DestinationIp|cidr:\n"
    "            - \"10.0.0.0/8\"\n"
    "            - \"172.16.0.0/12\"\n"
    "            - \"192.168.0.0/16\"\n";

static void sigma_correlation(render_job *job, const char *title, const char *name,
                              const char *type, const char *rule, const char *group_by,
                              int64_t timespan_ns, const char *field, int64_t gte, bool meta)
{
    render_buf *b = job->out;
    char timespan[64];

    render_duration(timespan_ns, timespan, sizeof(timespan));
    if (strstr(timespan, "ms")) /* Sigma timespans have no milliseconds */
        snprintf(timespan, sizeof(timespan), "%llds",
                 (long long)((timespan_ns + 999999999) / 1000000000));
    sigma_head(job, title, name, meta);
    rb_printf(b, "correlation:\n    type: %s\n    rules:\n%s    group-by:\n%s    timespan: %s\n",
              type, rule, group_by, timespan);
    if (field || gte >= 0)
        rb_put(b, "    condition:\n");
    if (field)
        rb_printf(b, "        field: %s\n", field);
    if (gte >= 0)
        rb_printf(b, "        gte: %lld\n", (long long)gte);
    if (meta)
        rb_put(b, "falsepositives:\n    - Software update and telemetry agents on shared cloud hosting\n"
                  "    - Content delivery networks with high address rotation\nlevel: medium\n");
    else
        rb_put(b, "generate: false\n");
}

static int sigma_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    sigma_head(job, "Outbound connection to a public IPv4 address on a beacon port",
               "infrahunt_beacon_connection", false);
    if (sigma_selection(job, s->beacon_actions) < 0)
        return -1;
    rb_put(b, "        DestinationPort:\n");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "            - %lld\n", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "            - -1\n");
    rb_put(b, private_filter);
    rb_put(b, "    condition: selection and not filter_private\n");
    sigma_correlation(job, "Potential C2 beaconing to compromised infrastructure",
                      "infrahunt_potential_beaconing", "event_count",
                      "        - infrahunt_beacon_connection\n",
                      "        - ComputerName\n        - DestinationIp\n        - DestinationHostname\n",
                      s->lookback_ns, NULL, s->min_connections, true);
    return 0;
}

static int sigma_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    sigma_head(job, "Connection to a dynamic DNS name", "infrahunt_suspicious_dynamic_dns", true);
    if (sigma_selection(job, s->ddns_actions) < 0)
        return -1;
    rb_put(b, "        DestinationHostname|re|i: ");
    render_buf re = {0};
    if (render_regex(job, &re, s->pattern, REGEX_PORTABLE, 0) < 0 || re.failed) {
        rb_free(&re);
        return -1;
    }
    int rc = render_quote(job, b, QUOTE_YAML, re.data);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_put(b, "\n    filter_empty:\n        DestinationHostname: \"\"\n"
              "    condition: selection and not filter_empty\n"
              "falsepositives:\n    - VPN clients and remote access tools that use dynamic DNS names\n"
              "level: medium\n");
    return 0;
}

static int sigma_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    const char *rule = "        - infrahunt_flux_connection\n";
    const char *device = "        - ComputerName\n";

    sigma_head(job, "Outbound connection to a public IPv4 address by a non-browser process",
               "infrahunt_flux_connection", false);
    if (sigma_selection(job, s->flux_actions) < 0)
        return -1;
    rb_put(b, private_filter);
    if (s->nexcluded > 0) {
        rb_put(b, "    filter_excluded:\n        Image|endswith:\n");
        for (size_t i = 0; i < s->nexcluded; i++) {
            rb_put(b, "            - ");
            if (sigma_value(job, "\\", s->excluded[i]) < 0)
                return -1;
            rb_put(b, "\n");
        }
        rb_put(b, "    condition: selection and not filter_private and not filter_excluded\n");
    } else {
        rb_put(b, "    condition: selection and not filter_private\n");
    }
    sigma_correlation(job, "Many distinct addresses from one device", "infrahunt_flux_unique_ips",
                      "value_count", rule, device, s->bin_ns, "DestinationIp", s->min_unique_ips, false);
    sigma_correlation(job, "Many connections from one device", "infrahunt_flux_connection_count",
                      "event_count", rule, device, s->bin_ns, NULL, s->flux_min_connections, false);
    sigma_correlation(job, "Potential fast-flux fan-out from one device",
                      "infrahunt_potential_fast_flux", "temporal",
                      "        - infrahunt_flux_unique_ips\n        - infrahunt_flux_connection_count\n",
                      device, s->bin_ns, NULL, -1, true);
    return 0;
}

static int sigma_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    render_header(job, "#", sigma_notes);
    if (sigma_beaconing(job, s) < 0 || sigma_dynamic_dns(job, s) < 0 || sigma_fast_flux(job, s) < 0)
        return -1;
    return 0;
}

const render_target render_target_sigma = {
    .name = "sigma",
    .title = "Sigma detection and correlation rules (specification 2.0), network_connection",
    .comment_line = "#",
    .fields = &sigma_fields,
    .render_seed = sigma_render,
};
