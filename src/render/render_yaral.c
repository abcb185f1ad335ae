/*
 * Google SecOps YARA-L 2.0 rules over UDM NETWORK_CONNECTION events, one
 * rule per part.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest match window that YARA-L 2.0 rules accept ("Match section syntax" page). */
#define YARAL_MAX_WINDOW_NS INT64_C(172800000000000)

static const render_fields yaral_fields = {
    .conn_source = "metadata.event_type = \"NETWORK_CONNECTION\"",
    .time = "metadata.event_timestamp.seconds",
    .device_id = "principal.asset_id",
    .device_name = "principal.hostname",
    .action = "network.direction (OUTBOUND, INBOUND)",
    .remote_ip = "target.ip",
    .remote_port = "target.port",
    .remote_url = "target.hostname",
    .process = "principal.process.file.full_path",
    .bytes_sent = "network.sent_bytes",
    .bytes_received = "network.received_bytes",
    .dns_source = "metadata.event_type = \"NETWORK_DNS\"",
    .dns_query = "network.dns.questions.name",
    .dns_answers = "network.dns.answers.data",
    .dns_process = "principal.process.file.full_path",
};

static const char *const yaral_notes[] = {
    "A rule's match window is at most 48 hours, so part 1's lookback becomes a 48-hour window "
    "when it is longer: connections spread over more than 48 hours do not add up.",
    "Match windows over a duration are hop windows, which overlap; infrahunt uses one lookback "
    "for part 1 and fixed bins for part 3, so a group can fire in more than one window.",
    "DurationHours is elapsed time in whole hours, not hour boundaries crossed; BeaconRate's "
    "bounds are checked as ConnectionCount against DurationHours times each bound.",
    "Samples are array_distinct() of full paths, in no defined order and not cut to N.",
    "The dynamic-DNS regex runs on RE2 with nocase; infrahunt uses PCRE2.",
    NULL,
};

static int yaral_filter(render_job *job, unsigned actions, bool public_ipv4)
{
    render_buf *b = job->out;
    bool outbound, inbound;

    if (render_directions(job, actions, &outbound, &inbound) < 0)
        return -1;
    rb_put(b, "        $e.metadata.event_type = \"NETWORK_CONNECTION\"\n");
    if (outbound && !inbound)
        rb_put(b, "        $e.network.direction = \"OUTBOUND\"\n");
    else if (inbound && !outbound)
        rb_put(b, "        $e.network.direction = \"INBOUND\"\n");
    if (public_ipv4)
        rb_put(b, "        net.ip_in_range_cidr($e.target.ip, \"0.0.0.0/0\")\n"
                  "        not net.ip_in_range_cidr($e.target.ip, \"10.0.0.0/8\")\n"
                  "        not net.ip_in_range_cidr($e.target.ip, \"172.16.0.0/12\")\n"
                  "        not net.ip_in_range_cidr($e.target.ip, \"192.168.0.0/16\")\n");
    return 0;
}

static void yaral_meta(render_buf *b, const char *rule, const char *what)
{
    rb_printf(b, "rule %s {\n"
                 "    meta:\n"
                 "        author = \"infrahunt export\"\n"
                 "        description = \"%s\"\n"
                 "        mitre_attack_technique = \"T1584\"\n"
                 "    events:\n",
              rule, what);
}

static int yaral_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    const char *sent = render_bytes_sent(job);
    char window[64], min_rate[40], max_rate[40];
    int64_t window_ns = s->lookback_ns < YARAL_MAX_WINDOW_NS ? s->lookback_ns : YARAL_MAX_WINDOW_NS;

    render_duration(window_ns, window, sizeof(window));
    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    yaral_meta(b, "infrahunt_potential_beaconing", "Part 1: PotentialBeaconing");
    if (yaral_filter(job, s->beacon_actions, true) < 0)
        return -1;
    rb_put(b, "        (");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s$e.target.port = %lld", i ? " or " : "", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "$e.target.port = -1");
    rb_put(b, ")\n"
              "        $e.principal.hostname = $device\n"
              "        $e.target.ip = $remote_ip\n"
              "        $e.target.hostname = $remote_url\n");
    rb_printf(b, "    match:\n        $device, $remote_ip, $remote_url over %s\n", window);
    rb_put(b, "    outcome:\n"
              "        $connection_count = count($e.metadata.id)\n"
              "        $unique_remote_ports = count_distinct($e.target.port)\n"
              "        $first_seen = min($e.metadata.event_timestamp.seconds)\n"
              "        $last_seen = max($e.metadata.event_timestamp.seconds)\n"
              "        $duration_hours = (max($e.metadata.event_timestamp.seconds) - "
              "min($e.metadata.event_timestamp.seconds)) / 3600\n"
              "        $sample_processes = array_distinct($e.principal.process.file.full_path)\n");
    if (sent)
        rb_printf(b, "        $bytes_sent = sum($e.%s)\n", sent);
    rb_printf(b, "    condition:\n        $e and $connection_count >= %lld and $duration_hours > %lld",
              (long long)s->min_connections, (long long)s->duration_hours_above);
    if (sent)
        rb_printf(b, " and $bytes_sent > %lld", (long long)s->bytes_sent_above);
    rb_printf(b, "\n        and $connection_count >= $duration_hours * %s"
                 " and $connection_count <= $duration_hours * %s\n}\n\n",
              min_rate, max_rate);
    return 0;
}

static int yaral_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char window[64];

    render_duration(YARAL_MAX_WINDOW_NS, window, sizeof(window));
    yaral_meta(b, "infrahunt_suspicious_dynamic_dns", "Part 2: SuspiciousDynamicDNS");
    if (yaral_filter(job, s->ddns_actions, false) < 0)
        return -1;
    rb_put(b, "        $e.target.hostname != \"\"\n        $e.target.hostname = /");
    if (render_regex(job, b, s->pattern, REGEX_PORTABLE, 0) < 0)
        return -1;
    rb_put(b, "/ nocase\n        $e.target.hostname = $remote_url\n");
    rb_printf(b, "    match:\n        $remote_url over %s\n", window);
    rb_put(b, "    outcome:\n"
              "        $connection_count = count($e.metadata.id)\n"
              "        $unique_devices = count_distinct($e.principal.hostname)\n"
              "        $sample_ips = array_distinct($e.target.ip)\n"
              "        $sample_processes = array_distinct($e.principal.process.file.full_path)\n"
              "    condition:\n        $e\n}\n\n");
    return 0;
}

static int yaral_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char bin[64];

    render_duration(s->bin_ns < YARAL_MAX_WINDOW_NS ? s->bin_ns : YARAL_MAX_WINDOW_NS, bin, sizeof(bin));
    yaral_meta(b, "infrahunt_potential_fast_flux", "Part 3: PotentialFastFluxActivity");
    if (yaral_filter(job, s->flux_actions, true) < 0)
        return -1;
    if (s->nexcluded > 0) {
        /* Matches the file name at the end of the full path. */
        rb_put(b, "        not $e.principal.process.file.full_path = /(^|\\\\)");
        render_regex_literals(job, b, s->excluded, s->nexcluded, REGEX_PORTABLE, 0);
        rb_put(b, "$/ nocase\n");
    }
    rb_put(b, "        $e.principal.hostname = $device\n");
    rb_printf(b, "    match:\n        $device over %s\n", bin);
    rb_put(b, "    outcome:\n"
              "        $connection_count = count($e.metadata.id)\n"
              "        $unique_ips = count_distinct($e.target.ip)\n"
              "        $sample_urls = array_distinct($e.target.hostname)\n"
              "        $sample_processes = array_distinct($e.principal.process.file.full_path)\n");
    rb_printf(b, "    condition:\n        $e and $unique_ips >= %lld and $connection_count >= %lld\n}\n",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    return 0;
}

static int yaral_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    render_header(job, "//", yaral_notes);
    if (yaral_beaconing(job, s) < 0 || yaral_dynamic_dns(job, s) < 0 || yaral_fast_flux(job, s) < 0)
        return -1;
    return 0;
}

/* ---- The default profile ---- */

static const char *const yaral_default_notes[] = {
    "A rule's match window is at most 48 hours, so beaconing and dynamic DNS are counted per "
    "48-hour hop window, which overlap; scan reads the whole input.",
    "Beaconing keeps the count and span per device, process and destination; YARA-L has no "
    "interval statistics.",
    "Internal networks: net.ip_in_range_cidr() over the profile's IPv4 and IPv6 prefixes.",
    "Fast flux counts distinct network.dns.answers.data values, which include the names of "
    "CNAME answers.",
    "The rules do not tell failed connections apart, so max_failed_share is not tested.",
    "Processes are full paths; scan compares file names. Regexes run on RE2 with nocase.",
    "Threat intel matches listed domains only; intel addresses and prefixes are not rendered "
    "for YARA-L.",
    NULL,
};

/* Writes one "not net.ip_in_range_cidr(...)" line per prefix or address of the lists. */
static int yaral_not_in(render_job *job, const render_strings *a, const render_strings *b)
{
    const render_strings *lists[] = {a, b};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < lists[k]->n; i++) {
            char prefix[96];
            const char *item = lists[k]->items[i];
            if (!strchr(item, '/')) {
                snprintf(prefix, sizeof(prefix), "%.80s/%d", item, strchr(item, ':') ? 128 : 32);
                item = prefix;
            }
            rb_put(job->out, "        not net.ip_in_range_cidr($e.target.ip, ");
            if (render_quote(job, job->out, QUOTE_C_DOUBLE_NO_U, item) < 0)
                return -1;
            rb_put(job->out, ")\n");
        }
    }
    return 0;
}

/* Writes "[not ]FIELD = /zones/ nocase" on its own line. */
static void yaral_zones(render_job *job, const char *field, const render_strings *zones, bool negate)
{
    rb_printf(job->out, "        %s%s = /", negate ? "not " : "", field);
    render_zone_regex(job, job->out, zones, REGEX_PORTABLE, REGEX_LOWERCASE);
    rb_put(job->out, "/ nocase\n");
}

static int yaral_connections(render_job *job, const render_default *d)
{
    rb_put(job->out, "        $e.metadata.event_type = \"NETWORK_CONNECTION\"\n"
                     "        $e.network.direction = \"OUTBOUND\"\n"
                     "        $e.target.ip != \"\"\n");
    if (yaral_not_in(job, &d->internal_v4, &d->internal_v6) < 0 ||
        yaral_not_in(job, &d->allow_addresses, &d->allow_prefixes) < 0)
        return -1;
    if (d->allow_domains.n)
        yaral_zones(job, "$e.target.hostname", &d->allow_domains, true);
    return 0;
}

static int yaral_default_parts(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (d->has_beacon) {
        yaral_meta(b, "infrahunt_default_beaconing",
                   "Beaconing: count and span per device, process and destination");
        if (yaral_connections(job, d) < 0)
            return -1;
        rb_put(b, "        $e.principal.hostname = $device\n"
                  "        $e.principal.process.file.full_path = $process\n"
                  "        $e.target.ip = $remote_ip\n"
                  "        $e.target.hostname = $remote_url\n"
                  "    match:\n        $device, $process, $remote_ip, $remote_url over 48h\n"
                  "    outcome:\n"
                  "        $connection_count = count($e.metadata.id)\n"
                  "        $span_seconds = max($e.metadata.event_timestamp.seconds) - "
                  "min($e.metadata.event_timestamp.seconds)\n");
        rb_printf(b, "    condition:\n        $e and $connection_count >= %lld\n}\n\n",
                  (long long)d->beacon_min_connections);
    }
    if (d->has_ddns && d->zones.n) {
        yaral_meta(b, "infrahunt_default_dynamic_dns_connection",
                   "Dynamic DNS: connection names under a provider zone");
        if (yaral_connections(job, d) < 0)
            return -1;
        yaral_zones(job, "$e.target.hostname", &d->zones, false);
        rb_put(b, "        $e.target.hostname = $remote_url\n"
                  "    match:\n        $remote_url over 48h\n"
                  "    outcome:\n"
                  "        $connection_count = count($e.metadata.id)\n"
                  "        $devices = array_distinct($e.principal.hostname)\n"
                  "    condition:\n        $e\n}\n\n");
        yaral_meta(b, "infrahunt_default_dynamic_dns_query",
                   "Dynamic DNS: DNS query names under a provider zone");
        rb_put(b, "        $e.metadata.event_type = \"NETWORK_DNS\"\n");
        yaral_zones(job, "$e.network.dns.questions.name", &d->zones, false);
        if (d->allow_domains.n)
            yaral_zones(job, "$e.network.dns.questions.name", &d->allow_domains, true);
        rb_put(b, "        $e.network.dns.questions.name = $name\n"
                  "    match:\n        $name over 48h\n"
                  "    outcome:\n"
                  "        $query_count = count($e.metadata.id)\n"
                  "        $devices = array_distinct($e.principal.hostname)\n"
                  "    condition:\n        $e\n}\n\n");
    }
    if (d->has_flux) {
        yaral_meta(b, "infrahunt_default_fast_flux",
                   "Fast flux: distinct addresses in the DNS answers of a domain");
        rb_put(b, "        $e.metadata.event_type = \"NETWORK_DNS\"\n"
                  "        $e.network.dns.answers.data != \"\"\n");
        if (d->allow_domains.n)
            yaral_zones(job, "$e.network.dns.questions.name", &d->allow_domains, true);
        rb_put(b, "        $e.network.dns.questions.name = $name\n"
                  "    match:\n        $name over 48h\n"
                  "    outcome:\n"
                  "        $unique_addresses = count_distinct($e.network.dns.answers.data)\n"
                  "        $devices = array_distinct($e.principal.hostname)\n");
        rb_printf(b, "    condition:\n        $e and $unique_addresses >= %lld\n}\n\n",
                  (long long)d->flux_min_addresses);
        yaral_meta(b, "infrahunt_default_fan_out",
                   "Fast-flux fan-out: distinct addresses per device, process and hour");
        if (yaral_connections(job, d) < 0)
            return -1;
        rb_put(b, "        $e.principal.hostname = $device\n"
                  "        $e.principal.process.file.full_path = $process\n"
                  "    match:\n        $device, $process over 1h\n"
                  "    outcome:\n"
                  "        $connection_count = count($e.metadata.id)\n"
                  "        $unique_ips = count_distinct($e.target.ip)\n");
        rb_printf(b, "    condition:\n        $e and $unique_ips >= %lld and $connection_count >= "
                     "%lld\n}\n\n",
                  (long long)d->fanout_min_addresses, (long long)d->fanout_min_connections);
    }
    if (d->has_intel && d->intel_domains.n) {
        /* NOTE: intel addresses and prefixes are not rendered for YARA-L; only domains are. */
        yaral_meta(b, "infrahunt_default_threat_intel", "Threat intel: connections to a listed domain");
        if (yaral_connections(job, d) < 0)
            return -1;
        yaral_zones(job, "$e.target.hostname", &d->intel_domains, false);
        rb_put(b, "    condition:\n        $e\n}\n\n");
    }
    return 0;
}

static int yaral_render_default(render_job *job)
{
    render_default_header(job, "//", yaral_default_notes);
    return yaral_default_parts(job, &job->params->def);
}

const render_target render_target_yaral = {
    .name = "yaral",
    .title = "Google SecOps YARA-L 2.0 rules over UDM network events",
    .comment_line = "//",
    .fields = &yaral_fields,
    .render_seed = yaral_render,
    .render_default = yaral_render_default,
};
