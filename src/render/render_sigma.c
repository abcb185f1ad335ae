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

/* ---- The default profile ---- */

static const char *const sigma_default_notes[] = {
    "Sigma has no interval statistics: beaconing is an event_count correlation per device, "
    "image and destination over min_connections times max_period, the longest series of "
    "min_connections beats that scan would score.",
    "Images are matched and grouped by full path; scan compares file names.",
    "The fan-out is a temporal correlation of a value_count rule (distinct DestinationIp) and "
    "an event_count rule per device and image over 1 hour. fanout_known_good images are not "
    "excluded, because scan down-ranks them and Sigma cannot flag them.",
    "Sysmon logs no failed connections, so max_failed_share is not tested.",
    "Correlation timespans may be sliding or fixed, depending on the backend; distinct counts "
    "are exact or estimated, depending on the backend.",
    NULL,
};

/* Writes a list item per string, each escaped, with prefix before the value (such as "."). */
static int sigma_values(render_job *job, const char *indent, const char *prefix,
                        const render_strings *items)
{
    for (size_t i = 0; i < items->n; i++) {
        rb_printf(job->out, "%s- ", indent);
        if (sigma_value(job, prefix, items->items[i]) < 0)
            return -1;
        rb_put(job->out, "\n");
    }
    return 0;
}

/* Writes each address as a one-address prefix for the cidr modifier. */
static int sigma_addresses(render_job *job, const render_strings *addresses)
{
    for (size_t i = 0; i < addresses->n; i++) {
        char prefix[96];
        const char *a = addresses->items[i];
        snprintf(prefix, sizeof(prefix), "%.80s/%d", a, strchr(a, ':') ? 128 : 32);
        rb_put(job->out, "            - ");
        if (render_quote(job, job->out, QUOTE_YAML, prefix) < 0)
            return -1;
        rb_put(job->out, "\n");
    }
    return 0;
}

/* Writes detection items NAME_suffix and NAME_exact that match the zones on label boundaries. */
static int sigma_zone_items(render_job *job, const char *name, const char *field,
                            const render_strings *zones)
{
    rb_printf(job->out, "    %s_suffix:\n        %s|endswith:\n", name, field);
    if (sigma_values(job, "            ", ".", zones) < 0)
        return -1;
    rb_printf(job->out, "    %s_exact:\n        %s:\n", name, field);
    return sigma_values(job, "            ", "", zones);
}

/* Writes the filters that every default connection rule has, and returns the condition's tail. */
static int sigma_default_filters(render_job *job, const render_default *d, render_buf *condition)
{
    render_buf *b = job->out;

    rb_put(b, "    filter_internal:\n        DestinationIp|cidr:\n");
    if (sigma_values(job, "            ", "", &d->internal_v4) < 0 ||
        sigma_values(job, "            ", "", &d->internal_v6) < 0)
        return -1;
    rb_put(condition, " and not filter_internal");
    if (d->allow_addresses.n + d->allow_prefixes.n) {
        rb_put(b, "    filter_allow_address:\n        DestinationIp|cidr:\n");
        if (sigma_addresses(job, &d->allow_addresses) < 0 ||
            sigma_values(job, "            ", "", &d->allow_prefixes) < 0)
            return -1;
        rb_put(condition, " and not filter_allow_address");
    }
    if (d->allow_domains.n) {
        if (sigma_zone_items(job, "filter_allow_domain", "DestinationHostname", &d->allow_domains) < 0)
            return -1;
        rb_put(condition, " and not 1 of filter_allow_domain_*");
    }
    return 0;
}

static int sigma_default_connection_rule(render_job *job, const render_default *d,
                                         const char *title, const char *name,
                                         const char *zone_field, const render_strings *zones)
{
    render_buf condition = {0};

    sigma_head(job, title, name, zones != NULL);
    rb_put(job->out, "logsource:\n    category: network_connection\n    product: windows\n"
                     "detection:\n    selection:\n        Initiated: \"true\"\n");
    rb_put(&condition, "selection");
    if (zones && sigma_zone_items(job, "zone", zone_field, zones) < 0) {
        rb_free(&condition);
        return -1;
    }
    if (zones)
        rb_put(&condition, " and 1 of zone_*");
    int rc = sigma_default_filters(job, d, &condition);
    if (rc == 0)
        rb_printf(job->out, "    condition: %s\n", condition.failed ? "" : condition.data);
    rb_free(&condition);
    if (zones)
        rb_put(job->out, "falsepositives:\n    - VPN clients and remote access tools that use "
                         "dynamic DNS names\nlevel: medium\n");
    else
        rb_put(job->out, "generate: false\n");
    return rc;
}

static int sigma_default_beaconing(render_job *job, const render_default *d)
{
    if (sigma_default_connection_rule(job, d, "Outbound connection to an external address",
                                      "infrahunt_default_beacon_connection", NULL, NULL) < 0)
        return -1;
    sigma_correlation(job, "Repeated connections from one image to one destination",
                      "infrahunt_default_beaconing", "event_count",
                      "        - infrahunt_default_beacon_connection\n",
                      "        - ComputerName\n        - Image\n        - DestinationIp\n"
                      "        - DestinationHostname\n",
                      d->max_period_ns * d->beacon_min_connections, NULL, d->beacon_min_connections,
                      true);
    return 0;
}

static int sigma_default_ddns(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (d->zones.n == 0)
        return 0; /* a Sigma selection cannot be empty */
    if (sigma_default_connection_rule(job, d, "Connection to a dynamic DNS provider zone",
                                      "infrahunt_default_dynamic_dns_connection",
                                      "DestinationHostname", &d->zones) < 0)
        return -1;
    sigma_head(job, "DNS query for a name in a dynamic DNS provider zone",
               "infrahunt_default_dynamic_dns_query", true);
    rb_put(b, "logsource:\n    category: dns_query\n    product: windows\ndetection:\n");
    if (sigma_zone_items(job, "zone", "QueryName", &d->zones) < 0)
        return -1;
    const char *condition = "1 of zone_*";
    if (d->allow_domains.n) {
        if (sigma_zone_items(job, "filter_allow_domain", "QueryName", &d->allow_domains) < 0)
            return -1;
        condition = "1 of zone_* and not 1 of filter_allow_domain_*";
    }
    rb_printf(b, "    condition: %s\n", condition);
    rb_put(b, "falsepositives:\n    - VPN clients and remote access tools that use dynamic DNS "
              "names\nlevel: medium\n");
    return 0;
}

static int sigma_default_fan_out(render_job *job, const render_default *d)
{
    const char *rule = "        - infrahunt_default_fan_out_connection\n";
    const char *group = "        - ComputerName\n        - Image\n";
    const int64_t hour = INT64_C(3600000000000);

    if (sigma_default_connection_rule(job, d, "Outbound connection to an external address",
                                      "infrahunt_default_fan_out_connection", NULL, NULL) < 0)
        return -1;
    sigma_correlation(job, "Many distinct addresses from one image", "infrahunt_default_fan_out_ips",
                      "value_count", rule, group, hour, "DestinationIp", d->fanout_min_addresses,
                      false);
    sigma_correlation(job, "Many connections from one image", "infrahunt_default_fan_out_count",
                      "event_count", rule, group, hour, NULL, d->fanout_min_connections, false);
    sigma_correlation(job, "Fast-flux fan-out from one image", "infrahunt_default_fan_out",
                      "temporal",
                      "        - infrahunt_default_fan_out_ips\n"
                      "        - infrahunt_default_fan_out_count\n",
                      group, hour, NULL, -1, true);
    return 0;
}

static int sigma_default_intel(render_job *job, const render_default *d)
{
    render_buf *b = job->out;
    render_buf condition = {0};

    if (d->intel_addresses.n + d->intel_prefixes.n + d->intel_domains.n == 0)
        return 0; /* a Sigma selection cannot be empty */
    sigma_head(job, "Connection to a threat intel indicator", "infrahunt_default_threat_intel", true);
    rb_put(b, "logsource:\n    category: network_connection\n    product: windows\ndetection:\n");
    rb_put(&condition, "(");
    if (d->intel_addresses.n + d->intel_prefixes.n) {
        rb_put(b, "    intel_address:\n        DestinationIp|cidr:\n");
        if (sigma_addresses(job, &d->intel_addresses) < 0 ||
            sigma_values(job, "            ", "", &d->intel_prefixes) < 0)
            return -1;
        rb_put(&condition, "intel_address");
    }
    if (d->intel_domains.n) {
        if (sigma_zone_items(job, "intel_domain", "DestinationHostname", &d->intel_domains) < 0)
            return -1;
        rb_put(&condition, condition.len > 1 ? " or 1 of intel_domain_*" : "1 of intel_domain_*");
    }
    rb_put(&condition, ")");
    /* The internal and allowlist filters; the allowlist overrides intel, as in scan. */
    rb_put(b, "    selection:\n        Initiated: \"true\"\n");
    rb_put(&condition, " and selection");
    int rc = sigma_default_filters(job, d, &condition);
    if (rc == 0)
        rb_printf(b, "    condition: %s\n", condition.failed ? "" : condition.data);
    rb_free(&condition);
    rb_put(b, "level: high\n");
    return rc;
}

static int sigma_render_default(render_job *job)
{
    const render_default *d = &job->params->def;

    render_default_header(job, "#", sigma_default_notes);
    if ((d->has_beacon && sigma_default_beaconing(job, d) < 0) ||
        (d->has_ddns && sigma_default_ddns(job, d) < 0) ||
        (d->has_flux && sigma_default_fan_out(job, d) < 0) ||
        (d->has_intel && sigma_default_intel(job, d) < 0))
        return -1;
    return 0;
}

const render_target render_target_sigma = {
    .name = "sigma",
    .title = "Sigma detection and correlation rules (specification 2.0), network_connection",
    .comment_line = "#",
    .fields = &sigma_fields,
    .render_seed = sigma_render,
    .render_default = sigma_render_default,
    .flux_domain_gap = "QueryResults holds all answers of a query in one string, so a "
                       "value_count would count distinct answer sets, not addresses",
};
