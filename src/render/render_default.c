/*
 * The default profile's detectors as far as a query can express them. This
 * file reads their parameters and loads the zone and indicator lists. It also
 * writes the header that says what each query keeps and drops relative to
 * infrahunt scan.
 */
#include "render.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../enrich/enrich.h"

static int strings_add(profile *p, render_strings *l, const char *s, size_t n)
{
    char **items = realloc(l->items, (l->n + 1) * sizeof(*items));
    char *copy = malloc(n + 1);
    if (!items || !copy) {
        free(copy);
        if (items)
            l->items = items;
        snprintf(p->error, sizeof(p->error), "%s: out of memory", p->name);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        copy[i] = (char)((unsigned char)s[i] < 0x80 ? tolower((unsigned char)s[i]) : s[i]);
    copy[n] = '\0';
    l->items = items;
    l->items[l->n++] = copy;
    return 0;
}

static void strings_free(render_strings *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    *l = (render_strings){0};
}

void render_default_free(render_default *d)
{
    render_strings *lists[] = {
        &d->internal_v4,     &d->internal_v6,    &d->zones,
        &d->fanout_known_good, &d->server_pools, &d->intel_addresses, &d->intel_domains,
        &d->intel_prefixes,  &d->allow_addresses, &d->allow_domains,  &d->allow_prefixes,
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        strings_free(lists[i]);
}

/* Reads a string list setting into a render_strings list. */
static int read_strings(profile *p, profile_node *cfg, const char *key, render_strings *out)
{
    const char **items;
    size_t n;

    if (profile_get_strings(p, cfg, key, &items, &n) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = strings_add(p, out, items[i], strlen(items[i]));
    free(items);
    return rc;
}

/*
 * Calls add for the first comma-separated field of each line of a list
 * file, trimmed, skipping blank lines and "#" comments. This is the zone
 * and indicator list format that scan reads.
 */
static int read_list_file(profile *p, const char *path,
                          int (*add)(profile *p, void *ctx, const char *s, size_t n), void *ctx)
{
    char *text, err[256];
    size_t len;

    if (ih_list_read(path, &text, &len, err, sizeof(err)) < 0) {
        snprintf(p->error, sizeof(p->error), "%s: %s", p->name, err);
        return -1;
    }
    int rc = 0;
    for (char *line = text; line && *line && rc == 0;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *end = line + strcspn(line, ",#");
        while (*line == ' ' || *line == '\t')
            line++;
        while (end > line && isspace((unsigned char)end[-1]))
            end--;
        if (end > line && *line != '#')
            rc = add(p, ctx, line, (size_t)(end - line));
        line = next;
    }
    free(text);
    return rc;
}

static int add_zone(profile *p, void *ctx, const char *s, size_t n)
{
    return strings_add(p, ctx, s, n);
}

static int count_zone(profile *p, void *ctx, const char *s, size_t n)
{
    (void)p, (void)s, (void)n;
    ++*(size_t *)ctx;
    return 0;
}

/* Indicator lists split by kind: addresses, CIDR prefixes and domains. */
typedef struct indicator_lists {
    render_strings *addresses, *prefixes, *domains;
} indicator_lists;

static int add_indicator(profile *p, void *ctx, const char *s, size_t n)
{
    indicator_lists *l = ctx;
    bool address = true;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) && s[i] != '.' && s[i] != ':')
            address = false;
    if (memchr(s, '/', n))
        return strings_add(p, l->prefixes, s, n);
    /* Digits and dots, or hex digits with colons, form an address; a name such as
       "cafe.be" stays a domain. */
    if (address && (memchr(s, ':', n) || strspn(s, "0123456789.") == n))
        return strings_add(p, l->addresses, s, n);
    return strings_add(p, l->domains, s, n);
}

static int read_beacon(profile *p, profile_node *cfg, render_default *d)
{
    render_strings networks = {0};

    if (profile_get_int(p, cfg, "min_connections", 2, INT64_MAX, &d->beacon_min_connections) < 0 ||
        profile_get_duration(p, cfg, "min_period", &d->min_period_ns) < 0 ||
        profile_get_duration(p, cfg, "max_period", &d->max_period_ns) < 0 ||
        profile_get_duration(p, cfg, "burst_window", &d->burst_window_ns) < 0 ||
        profile_get_int(p, cfg, "max_timestamps", 2, INT64_MAX, &d->max_timestamps) < 0 ||
        profile_get_double(p, cfg, "max_failed_share", &d->max_failed_share) < 0 ||
        read_strings(p, cfg, "internal_networks", &networks) < 0) {
        strings_free(&networks);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < networks.n && rc == 0; i++) {
        const char *net = networks.items[i];
        rc = strings_add(p, strchr(net, ':') ? &d->internal_v6 : &d->internal_v4, net,
                         strlen(net));
    }
    strings_free(&networks);
    if (rc == 0 && d->max_period_ns < d->min_period_ns) {
        snprintf(p->error, sizeof(p->error), "%s: beacon.max_period must not be shorter than min_period",
                 p->name);
        rc = -1;
    }
    d->has_beacon = rc == 0;
    return rc;
}

static int read_ddns(profile *p, profile_node *cfg, render_default *d)
{
    render_strings providers = {0}, shared = {0};
    int rc = read_strings(p, cfg, "provider_lists", &providers) < 0 ||
                     read_strings(p, cfg, "shared_lists", &shared) < 0
                 ? -1
                 : 0;

    for (size_t i = 0; i < providers.n && rc == 0; i++)
        rc = read_list_file(p, providers.items[i], add_zone, &d->zones);
    for (size_t i = 0; i < shared.n && rc == 0; i++)
        rc = read_list_file(p, shared.items[i], count_zone, &d->shared_zones);
    strings_free(&providers);
    strings_free(&shared);
    d->has_ddns = rc == 0;
    return rc;
}

static int read_flux(profile *p, profile_node *cfg, render_default *d)
{
    if (profile_get_int(p, cfg, "min_addresses", 2, 1000, &d->flux_min_addresses) < 0 ||
        profile_get_int(p, cfg, "fanout_min_addresses", 2, 1000, &d->fanout_min_addresses) < 0 ||
        profile_get_int(p, cfg, "fanout_min_connections", 1, 1000000, &d->fanout_min_connections) < 0 ||
        read_strings(p, cfg, "fanout_known_good", &d->fanout_known_good) < 0 ||
        read_strings(p, cfg, "server_pools", &d->server_pools) < 0)
        return -1;
    d->has_flux = true;
    return 0;
}

static int read_intel(profile *p, profile_node *cfg, render_default *d)
{
    render_strings files = {0}, allow_files = {0}, allow = {0};
    indicator_lists intel = {&d->intel_addresses, &d->intel_prefixes, &d->intel_domains};
    indicator_lists allowed = {&d->allow_addresses, &d->allow_prefixes, &d->allow_domains};
    int rc = read_strings(p, cfg, "lists", &files) < 0 ||
                     read_strings(p, cfg, "allowlist", &allow) < 0 ||
                     read_strings(p, cfg, "allowlist_files", &allow_files) < 0
                 ? -1
                 : 0;

    for (size_t i = 0; i < files.n && rc == 0; i++)
        rc = read_list_file(p, files.items[i], add_indicator, &intel);
    for (size_t i = 0; i < allow.n && rc == 0; i++)
        rc = add_indicator(p, &allowed, allow.items[i], strlen(allow.items[i]));
    for (size_t i = 0; i < allow_files.n && rc == 0; i++)
        rc = read_list_file(p, allow_files.items[i], add_indicator, &allowed);
    strings_free(&files);
    strings_free(&allow);
    strings_free(&allow_files);
    d->has_intel = rc == 0;
    return rc;
}

int render_default_read(profile *p, const char *name, profile_node *cfg, render_default *d)
{
    if (strcmp(name, "beacon") == 0)
        return read_beacon(p, cfg, d) < 0 ? -1 : 1;
    if (strcmp(name, "ddns") == 0)
        return read_ddns(p, cfg, d) < 0 ? -1 : 1;
    if (strcmp(name, "flux") == 0)
        return read_flux(p, cfg, d) < 0 ? -1 : 1;
    if (strcmp(name, "intel") == 0)
        return read_intel(p, cfg, d) < 0 ? -1 : 1;
    if (strcmp(name, "combine") == 0) {
        d->has_combine = true;
        return 1;
    }
    return 0;
}

int render_ipv4_prefix(const char *cidr, uint32_t *first, uint32_t *last)
{
    unsigned a, b, c, d, bits;
    char end;

    if (sscanf(cidr, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &bits, &end) != 5 || a > 255 ||
        b > 255 || c > 255 || d > 255 || bits > 32)
        return -1;
    uint32_t address = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d;
    uint32_t mask = bits ? UINT32_MAX << (32 - bits) : 0;
    *first = address & mask;
    *last = *first | ~mask;
    return 0;
}

void render_zone_regex(render_job *job, render_buf *b, const render_strings *zones,
                       enum render_regex_dialect dialect, unsigned flags)
{
    if (dialect == REGEX_PORTABLE)
        rb_put(b, flags & REGEX_LOWERCASE ? "^(.*\\.)?" : "(?i)^(.*\\.)?");
    else
        rb_put(b, "(.*\\.)?");
    render_regex_literals(job, b, (const char *const *)zones->items, zones->n, dialect, flags);
    if (dialect == REGEX_PORTABLE)
        rb_putc(b, '$');
}

int render_zone_literal(render_job *job, const render_strings *zones,
                        enum render_regex_dialect dialect, unsigned flags, enum render_quote style)
{
    render_buf re = {0};
    render_zone_regex(job, &re, zones, dialect, flags);
    int rc = re.failed ? -1 : render_quote(job, job->out, style, re.data);
    rb_free(&re);
    return rc;
}

int render_quoted_list(render_job *job, const render_strings *items, enum render_quote style,
                       const char *separator)
{
    for (size_t i = 0; i < items->n; i++) {
        if (i)
            rb_put(job->out, separator);
        if (render_quote(job, job->out, style, items->items[i]) < 0)
            return -1;
    }
    return 0;
}

/* Field map entries in brackets, such as "(none: ...)", describe a field the source lacks. */
static bool has_field(const char *field)
{
    return field && field[0] != '(';
}

void render_default_header(render_job *job, const char *prefix, const char *const *notes)
{
    const render_default *d = &job->params->def;
    const render_fields *f = job->target->fields;
    render_buf *b = job->out;
    char min_period[32], max_period[32], burst[32];

    render_duration(d->min_period_ns, min_period, sizeof(min_period));
    render_duration(d->max_period_ns, max_period, sizeof(max_period));
    render_duration(d->burst_window_ns, burst, sizeof(burst));
    render_header(job, prefix, NULL);
    render_comment(b, prefix, "Relative to infrahunt scan with this profile, the query keeps:");
    if (d->has_beacon)
        render_commentf(b, prefix,
                        "- Beaconing: connections per device, process and destination, outside "
                        "internal_networks, with at least %lld connections and a failed share of "
                        "at most the profile's max_failed_share; their count and span, and the "
                        "interval statistics listed below where the language has them.",
                        (long long)d->beacon_min_connections);
    if (d->has_ddns)
        render_commentf(b, prefix,
                        "- Dynamic DNS: names equal to one of the %zu provider zones or ending in "
                        "a dot and one of them, over %s.",
                        d->zones.n,
                        !has_field(f->remote_url) ? "DNS query names"
                        : f->dns_query            ? "connection names and DNS query names"
                                                  : "connection names");
    if (d->has_flux && f->dns_answers && !job->target->flux_domain_gap)
        render_commentf(b, prefix,
                        "- Fast flux: domains whose DNS answers hold at least %lld distinct "
                        "addresses (min_addresses).",
                        (long long)d->flux_min_addresses);
    if (d->has_flux)
        render_commentf(b, prefix,
                        "- Fan-out: processes that reach at least %lld distinct addresses in at "
                        "least %lld connections in one hour. fanout_known_good processes are "
                        "kept, because scan down-ranks them; the target notes say whether a "
                        "KnownGood column flags them.",
                        (long long)d->fanout_min_addresses, (long long)d->fanout_min_connections);
    if (d->has_intel)
        render_commentf(b, prefix,
                        "- Threat intel: %zu addresses, %zu prefixes and %zu domains from the "
                        "intel lists; the allowlist (%zu addresses, %zu prefixes, %zu domains) "
                        "removes matching rows where the target renders it.",
                        d->intel_addresses.n, d->intel_prefixes.n, d->intel_domains.n,
                        d->allow_addresses.n, d->allow_prefixes.n, d->allow_domains.n);
    render_comment(b, prefix, "and drops:");
    if (d->has_beacon) {
        render_commentf(b, prefix,
                        "- The robust periodicity test: scan fits a period that tolerates jitter, "
                        "missed beats and a sleep change, and scores timing, data-size "
                        "regularity and evidence. Here the period range %s to %s is checked "
                        "against the median interval where the language has one, and rows are "
                        "not scored.",
                        min_period, max_period);
        render_commentf(b, prefix,
                        "- Missed beats: one skipped beat doubles an interval and moves the "
                        "statistics. Connections closer than burst_window (%s) count as one "
                        "beat only where the query computes intervals.",
                        burst);
        render_comment(b, prefix,
                       "- Prevalence ranking (destinations that many devices reach regularly), "
                       "the down-ranks of periodic services, keepalives and short-lived series, "
                       "inbound client series, and the max_timestamps sample.");
        if (d->internal_v6.n)
            render_comment(b, prefix,
                           "- IPv6 internal_networks where the language cannot test IPv6 "
                           "prefixes; the target notes below say which.");
    }
    if (d->has_ddns) {
        if (d->shared_zones)
            render_commentf(b, prefix,
                            "- The %zu shared zones (shared_lists) are not inlined; load them as "
                            "a lookup to match them as well.",
                            d->shared_zones);
        render_comment(b, prefix,
                       "- The provider and shared tiers' scores and linked_bonus (a connection "
                       "that followed the lookup).");
    }
    if (d->has_flux && job->target->flux_domain_gap)
        render_commentf(b, prefix, "- The per-domain fast-flux count over DNS answers: %s.",
                        job->target->flux_domain_gap);
    else if (d->has_flux && !f->dns_answers)
        render_comment(b, prefix,
                       "- The per-domain fast-flux count: this source has no DNS answers.");
    if (d->has_flux)
        render_comment(b, prefix,
                       "- ASN features: operator counts (min_networks, fanout_min_networks), "
                       "max_network_share, and the double-flux name-server test. Also "
                       "min_rotations, min_new_address_rate, max_ttl and the server_pools "
                       "down-rank.");
    if (d->has_combine)
        render_comment(b, prefix,
                       "- The combining pass: suspicious ASNs, rare processes, the "
                       "false-positive classes and merging signals of one device and "
                       "destination into one alert.");
    render_comment(b, prefix,
                   "- Scoring: no score, severity or min_score; every row is a candidate to "
                   "review, not an alert.");
    render_comment(b, prefix, "");
    if (notes && notes[0]) {
        render_comment(b, prefix, "Target notes:");
        for (size_t i = 0; notes[i]; i++)
            render_commentf(b, prefix, "- %s", notes[i]);
        render_comment(b, prefix, "");
    }
}
