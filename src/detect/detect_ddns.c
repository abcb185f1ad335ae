/*
 * Dynamic DNS, the default profile's replacement for the reference rule's
 * part 2. docs/DDNS_FLUX.md describes the method and its settings.
 *
 * Names are matched against tiered zone lists on label boundaries, after
 * lower-casing and removing a trailing dot: DNS query names, the CNAME
 * targets in answers, and the names of connections (Defender RemoteUrl,
 * Sysmon DestinationHostname, TLS SNI and HTTP Host). Each device and
 * matched name is one group, which keeps the addresses the name resolved
 * to and the processes that looked it up.
 *
 * To name the program that then talked to the name, every outbound connection
 * is also counted per device and remote address in a bounded destination
 * table. At the end a group's resolved addresses are looked up there, so
 * the link holds when the lookups and the connections come from different
 * files (Zeek dns.log and conn.log) or threads.
 *
 * Dynamic DNS has ordinary users (home servers, VPN endpoints, cameras), so
 * an alert here is suspicious context with a modest score; the combining
 * pass (detect_combine.c) raises it when beaconing, fast flux, a rare
 * process or a suspicious network coincide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../enrich/domain.h"
#include "../enrich/enrich.h"
#include "../event/timeutil.h"
#include "detect.h"
#include "intern.h"
#include "keymap.h"
#include "signal.h"

#define DDNS_PROCS 4     /* processes kept per group and per destination */
#define DDNS_ADDRS 8     /* resolved addresses kept per group */
#define DDNS_PORTS 4     /* remote ports kept per destination */
#define DDNS_SAMPLES 8   /* earliest resolutions and named connections kept per group, for the report */
#define DDNS_SAMPLE_ADDRS 4 /* addresses kept per sampled resolution */

enum ddns_tier { TIER_PROVIDER = 0, TIER_SHARED = 1 };
static const char *const tier_names[] = {"provider", "shared"};

enum ddns_via { VIA_QUERY = 1, VIA_CNAME = 2, VIA_CONNECTION = 4 };

typedef struct ddns_zone {
    uint8_t tier;
    char *provider;
    char *zone;
} ddns_zone;

typedef struct ddns_params {
    ih_enrich *enrich;
    zone_set zones; /* values index zones_info */
    ddns_zone *info;
    size_t ninfo, info_cap;
    double tier_score[2];
    double linked_bonus;
    int64_t max_destinations; /* per device, in the destination table */
    int64_t high, medium, low, min_score;
} ddns_params;

enum ddns_sample_kind { SAMPLE_RESOLUTION, SAMPLE_CONNECTION };

/* One resolution of a group's name, or one connection to it by name, shown in the HTML report. */
typedef struct ddns_sample {
    ih_time time;
    uint32_t proc;  /* interned process name, 0 unknown */
    int32_t port;   /* SAMPLE_CONNECTION: remote port, IH_UNKNOWN_PORT unknown */
    int64_t ttl;    /* SAMPLE_RESOLUTION: smallest TTL of the answer in seconds, -1 unknown */
    uint8_t kind;
    uint8_t naddrs;
    uint8_t more_addrs; /* addresses of the answer past DDNS_SAMPLE_ADDRS */
    ih_addr addrs[DDNS_SAMPLE_ADDRS];
} ddns_sample;

typedef struct ddns_key {
    uint32_t device_id, device_name, name;
} ddns_key;

typedef struct ddns_group {
    uint32_t zone;
    uint8_t via;
    uint8_t nprocs, naddrs, nalias;
    bool addrs_saturated;
    uint64_t queries, named_connections;
    ih_time first, last;
    int64_t min_ttl; /* -1 unknown */
    uint32_t procs[DDNS_PROCS];
    uint32_t alias[2]; /* names whose CNAME chain led here */
    ih_addr addrs[DDNS_ADDRS];
    ddns_sample samples[DDNS_SAMPLES]; /* earliest first, see sample_cmp() */
    uint8_t nsamples;
} ddns_group;

typedef struct dest_key {
    uint32_t device_id;
    uint8_t family;
    uint8_t bytes[16];
    uint8_t pad[3];
} dest_key;

typedef struct dest_entry {
    uint64_t count;
    ih_time first, last;
    uint32_t procs[DDNS_PROCS];
    int32_t ports[DDNS_PORTS];
    uint8_t nprocs, nports;
} dest_entry;

typedef struct ddns_state {
    const ddns_params *params;
    intern strings;
    keymap group_index;
    ddns_group *groups;
    size_t groups_cap;
    keymap dest_index;
    dest_entry *dests;
    size_t dests_cap;
    /* Per device (interned id): destinations kept, and the hash level a destination needs. */
    uint32_t *dest_count;
    uint8_t *dest_level;
    size_t ndevices;
    uint64_t dests_dropped;
} ddns_state;

/* Configuration */

static int add_zone_info(ddns_params *dp, uint8_t tier, const char *provider, const char *zone,
                         size_t zone_len, uint32_t *out)
{
    if (dp->ninfo == dp->info_cap) {
        size_t cap = dp->info_cap ? dp->info_cap * 2 : 1024;
        ddns_zone *v = realloc(dp->info, cap * sizeof(*v));
        if (!v)
            return -1;
        dp->info = v;
        dp->info_cap = cap;
    }
    ddns_zone *z = &dp->info[dp->ninfo];
    z->tier = tier;
    z->provider = strdup(provider);
    z->zone = strndup(zone, zone_len);
    if (!z->provider || !z->zone) {
        free(z->provider);
        free(z->zone);
        return -1;
    }
    *out = (uint32_t)dp->ninfo++;
    return 0;
}

/*
 * Loads one zone list: lines "zone" or "zone,provider"; "# provider: NAME"
 * names the provider of the lines without one. Returns the number of lines
 * that are no zone, or -1 with p->error set.
 */
static long load_zone_list(profile *p, ddns_params *dp, const char *path, uint8_t tier)
{
    char *text, err[256];
    size_t len;
    if (ih_list_read(path, &text, &len, err, sizeof(err)) < 0) {
        snprintf(p->error, sizeof(p->error), "%s: ddns: %s", p->name, err);
        return -1;
    }
    const char *base = strrchr(path, '/');
    char provider[128];
    snprintf(provider, sizeof(provider), "%s", base ? base + 1 : path);
    long bad = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line[strcspn(line, "\r")] = '\0';
        if (strncmp(line, "# provider:", 11) == 0) {
            const char *v = line + 11;
            while (*v == ' ')
                v++;
            snprintf(provider, sizeof(provider), "%s", v);
            continue;
        }
        if (*line == '#' || *line == '\0')
            continue;
        char *comma = strchr(line, ',');
        const char *owner = provider;
        if (comma) {
            *comma = '\0';
            owner = comma + 1;
        }
        char zone[IH_NAME_MAX + 1];
        int n = ih_name_normalize(line, strlen(line), zone);
        if (n < 0 || !memchr(zone, '.', (size_t)n)) {
            bad++;
            continue;
        }
        uint32_t idx;
        if (add_zone_info(dp, tier, owner, zone, (size_t)n, &idx) < 0 ||
            zone_set_add(&dp->zones, zone, (size_t)n, idx) < 0) {
            free(text);
            snprintf(p->error, sizeof(p->error), "%s: ddns: out of memory", p->name);
            return -1;
        }
    }
    free(text);
    return bad;
}

static void ddns_params_free(void *v)
{
    ddns_params *dp = v;
    if (!dp)
        return;
    for (size_t i = 0; i < dp->ninfo; i++) {
        free(dp->info[i].provider);
        free(dp->info[i].zone);
    }
    free(dp->info);
    zone_set_free(&dp->zones);
    ih_enrich_release(dp->enrich);
    free(dp);
}

static int get_score(profile *p, profile_node *cfg, const char *key, double *out)
{
    if (profile_get_double(p, cfg, key, out) < 0)
        return -1;
    if (*out < 0 || *out > 1) {
        snprintf(p->error, sizeof(p->error), "%s: ddns.%s must be from 0 to 1", p->name, key);
        return -1;
    }
    return 0;
}

static int ddns_configure(profile *p, profile_node *cfg, void **out)
{
    ddns_params *dp = calloc(1, sizeof(*dp));
    const char **provider_lists = NULL, **shared_lists = NULL;
    size_t nprovider = 0, nshared = 0;
    profile_node *severity;
    char err[256];
    if (!dp)
        return -1;
    zone_set_init(&dp->zones);
    dp->enrich = ih_enrich_acquire(err, sizeof(err));
    if (!dp->enrich) {
        snprintf(p->error, sizeof(p->error), "%s: ddns: %s", p->name, err);
        goto fail;
    }
    if (profile_get_strings(p, cfg, "provider_lists", &provider_lists, &nprovider) < 0 ||
        profile_get_strings(p, cfg, "shared_lists", &shared_lists, &nshared) < 0 ||
        get_score(p, cfg, "provider_score", &dp->tier_score[TIER_PROVIDER]) < 0 ||
        get_score(p, cfg, "shared_score", &dp->tier_score[TIER_SHARED]) < 0 ||
        get_score(p, cfg, "linked_bonus", &dp->linked_bonus) < 0 ||
        profile_get_int(p, cfg, "max_destinations", 16, 1 << 24, &dp->max_destinations) < 0 ||
        profile_get_map(p, cfg, "severity", &severity) < 0 ||
        profile_get_int(p, severity, "high", 0, 100, &dp->high) < 0 ||
        profile_get_int(p, severity, "medium", 0, 100, &dp->medium) < 0 ||
        profile_get_int(p, severity, "low", 0, 100, &dp->low) < 0 ||
        profile_check_unused(p, severity, "ddns.severity") < 0 ||
        profile_get_int(p, cfg, "min_score", 0, 100, &dp->min_score) < 0)
        goto fail;
    /* Provider lists first: a zone in both keeps its provider tier. */
    for (size_t i = 0; i < nprovider; i++)
        if (load_zone_list(p, dp, provider_lists[i], TIER_PROVIDER) < 0)
            goto fail;
    for (size_t i = 0; i < nshared; i++)
        if (load_zone_list(p, dp, shared_lists[i], TIER_SHARED) < 0)
            goto fail;
    if (profile_check_unused(p, cfg, "ddns") < 0)
        goto fail;
    free(provider_lists);
    free(shared_lists);
    *out = dp;
    return 0;
fail:
    free(provider_lists);
    free(shared_lists);
    ddns_params_free(dp);
    return -1;
}

/* Reading */

static void *ddns_state_new(const void *params)
{
    ddns_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->params = params;
    if (intern_init(&s->strings) < 0 || keymap_init(&s->group_index, sizeof(ddns_key)) < 0 ||
        keymap_init(&s->dest_index, sizeof(dest_key)) < 0) {
        intern_free(&s->strings);
        keymap_free(&s->group_index);
        free(s);
        return NULL;
    }
    return s;
}

static void ddns_state_free(void *v)
{
    ddns_state *s = v;
    if (!s)
        return;
    intern_free(&s->strings);
    keymap_free(&s->group_index);
    keymap_free(&s->dest_index);
    free(s->groups);
    free(s->dests);
    free(s->dest_count);
    free(s->dest_level);
    free(s);
}

static ddns_group *get_group(ddns_state *s, const ddns_key *key, uint32_t zone)
{
    bool added;
    size_t i = keymap_get(&s->group_index, key, &added);
    if (i == SIZE_MAX)
        return NULL;
    if (added) {
        if (i >= s->groups_cap) {
            size_t cap = s->groups_cap ? s->groups_cap * 2 : 64;
            ddns_group *v = realloc(s->groups, cap * sizeof(*v));
            if (!v)
                return NULL;
            s->groups = v;
            s->groups_cap = cap;
        }
        ddns_group *g = &s->groups[i];
        memset(g, 0, sizeof(*g));
        g->zone = zone;
        g->first = INT64_MAX;
        g->last = INT64_MIN;
        g->min_ttl = -1;
    }
    return &s->groups[i];
}

/* Matches a normalized name against the zone lists; the allowlist wins. */
static bool match_zone(const ddns_state *s, ih_str name, uint32_t *zone)
{
    zone_match m;
    if (!zone_set_match(&s->params->zones, name.ptr, name.len, true, &m))
        return false;
    if (ih_enrich_allowed_name(s->params->enrich, name.ptr, name.len))
        return false;
    *zone = m.value;
    return true;
}

static void note_time(ddns_group *g, ih_time t)
{
    if (t == IH_TIME_NONE)
        return;
    g->first = t < g->first ? t : g->first;
    g->last = t > g->last ? t : g->last;
}

static void note_ttl(ddns_group *g, int64_t ttl)
{
    if (ttl >= 0 && (g->min_ttl < 0 || ttl < g->min_ttl))
        g->min_ttl = ttl;
}

static void note_addr(ddns_group *g, const ih_addr *a)
{
    if (a->family != IH_AF_NONE && !signal_sample_addr(g->addrs, &g->naddrs, DDNS_ADDRS, a))
        g->addrs_saturated = true;
}

/* Adds a DNS event's answers to a group: addresses, TTLs. */
static void note_answers(ddns_group *g, const ih_dns *d)
{
    for (size_t i = 0; i < d->answer_count; i++) {
        const ih_dns_answer *an = &d->answers[i];
        if (an->kind == IH_ANSWER_ADDR)
            note_addr(g, &an->addr);
        note_ttl(g, an->ttl_s);
    }
}

static int cmp_view(ih_str a, ih_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c || a.len == b.len)
        return c;
    return a.len < b.len ? -1 : 1;
}

/*
 * Orders samples earliest first, those without a time last, then by every
 * other field, so that the samples kept do not depend on
 * input order or threads.
 */
static int sample_cmp(const intern *t, const ddns_sample *a, const ddns_sample *b)
{
    if (a->time != b->time) {
        if (a->time == IH_TIME_NONE || b->time == IH_TIME_NONE)
            return a->time == IH_TIME_NONE ? 1 : -1;
        return a->time < b->time ? -1 : 1;
    }
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = cmp_view(intern_text(t, a->proc), intern_text(t, b->proc));
    if (c)
        return c;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    if (a->ttl != b->ttl)
        return a->ttl < b->ttl ? -1 : 1;
    if (a->naddrs != b->naddrs)
        return a->naddrs < b->naddrs ? -1 : 1;
    if (a->more_addrs != b->more_addrs)
        return a->more_addrs < b->more_addrs ? -1 : 1;
    for (size_t i = 0; i < a->naddrs; i++) {
        c = signal_addr_cmp(&a->addrs[i], &b->addrs[i]);
        if (c)
            return c;
    }
    return 0;
}

/* Keeps the DDNS_SAMPLES smallest samples by sample_cmp(), in order. */
static void note_sample(const intern *t, ddns_group *g, const ddns_sample *sample)
{
    size_t i = g->nsamples;
    while (i > 0 && sample_cmp(t, sample, &g->samples[i - 1]) < 0)
        i--;
    if (i == DDNS_SAMPLES)
        return;
    size_t keep = g->nsamples < DDNS_SAMPLES ? g->nsamples : DDNS_SAMPLES - 1;
    memmove(&g->samples[i + 1], &g->samples[i], (keep - i) * sizeof(g->samples[0]));
    g->samples[i] = *sample;
    if (g->nsamples < DDNS_SAMPLES)
        g->nsamples++;
}

static void note_resolution(const intern *t, ddns_group *g, const ih_dns *d, uint32_t proc)
{
    ddns_sample r;
    memset(&r, 0, sizeof(r));
    r.time = d->time;
    r.proc = proc;
    r.port = IH_UNKNOWN_PORT;
    r.ttl = -1;
    r.kind = SAMPLE_RESOLUTION;
    for (size_t i = 0; i < d->answer_count; i++) {
        const ih_dns_answer *an = &d->answers[i];
        if (an->ttl_s >= 0 && (r.ttl < 0 || an->ttl_s < r.ttl))
            r.ttl = an->ttl_s;
        if (an->kind != IH_ANSWER_ADDR || an->addr.family == IH_AF_NONE)
            continue;
        if (r.naddrs < DDNS_SAMPLE_ADDRS)
            r.addrs[r.naddrs++] = an->addr;
        else if (r.more_addrs < UINT8_MAX)
            r.more_addrs++;
    }
    note_sample(t, g, &r);
}

static int ddns_dns(void *v, const ih_dns *d)
{
    ddns_state *s = v;
    uint32_t qname = signal_intern_name(&s->strings, d->query_name);
    if (qname == UINT32_MAX)
        return -1;
    uint32_t dev_id = d->device_id.ptr ? intern_add(&s->strings, d->device_id.ptr, d->device_id.len) : 0;
    uint32_t dev_name =
        d->device_name.ptr ? intern_add(&s->strings, d->device_name.ptr, d->device_name.len) : 0;
    uint32_t proc =
        d->process_name.ptr ? intern_add(&s->strings, d->process_name.ptr, d->process_name.len) : 0;
    if (dev_id == UINT32_MAX || dev_name == UINT32_MAX || proc == UINT32_MAX)
        return -1;

    uint32_t zone;
    if (qname && match_zone(s, intern_text(&s->strings, qname), &zone)) {
        ddns_key key = {dev_id, dev_name, qname};
        ddns_group *g = get_group(s, &key, zone);
        if (!g)
            return -1;
        g->via |= VIA_QUERY;
        g->queries++;
        note_time(g, d->time);
        if (proc)
            signal_sample_text(&s->strings, g->procs, &g->nprocs, DDNS_PROCS, proc);
        note_answers(g, d);
        note_resolution(&s->strings, g, d, proc);
    }

    /* A CNAME chain that leads into a dynamic-DNS zone: the answer's addresses are that name's. */
    for (size_t i = 0; i < d->answer_count; i++) {
        if (d->answers[i].kind != IH_ANSWER_CNAME)
            continue;
        uint32_t target = signal_intern_name(&s->strings, d->answers[i].text);
        if (target == UINT32_MAX)
            return -1;
        if (!target || target == qname || !match_zone(s, intern_text(&s->strings, target), &zone))
            continue;
        ddns_key key = {dev_id, dev_name, target};
        ddns_group *g = get_group(s, &key, zone);
        if (!g)
            return -1;
        g->via |= VIA_CNAME;
        g->queries++;
        note_time(g, d->time);
        if (proc)
            signal_sample_text(&s->strings, g->procs, &g->nprocs, DDNS_PROCS, proc);
        if (qname)
            signal_sample_text(&s->strings, g->alias, &g->nalias, 2, qname);
        note_answers(g, d);
        note_resolution(&s->strings, g, d, proc);
    }
    return 0;
}

static void ensure_device(ddns_state *s, uint32_t id)
{
    if (id < s->ndevices)
        return;
    size_t n = s->ndevices ? s->ndevices : 64;
    while (n <= id)
        n *= 2;
    uint32_t *c = realloc(s->dest_count, n * sizeof(*c));
    if (c)
        s->dest_count = c;
    uint8_t *l = realloc(s->dest_level, n);
    if (l)
        s->dest_level = l;
    if (!c || !l)
        return;
    memset(c + s->ndevices, 0, (n - s->ndevices) * sizeof(*c));
    memset(l + s->ndevices, 0, n - s->ndevices);
    s->ndevices = n;
}

/* Number of leading zero bits of a hash of the destination: its sampling level. */
static uint8_t dest_level(const dest_key *k)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < 16; i++) {
        h ^= k->bytes[i];
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    uint8_t n = 0;
    while (n < 63 && !(h & (UINT64_C(1) << (63 - n))))
        n++;
    return n;
}

/*
 * Drops a device's destinations below its level. The destinations a device
 * keeps are those whose level reaches the smallest level at which at most
 * max_destinations remain, which depends only on the whole input.
 */
static int purge_device(ddns_state *s, uint32_t device)
{
    keymap fresh;
    if (keymap_init(&fresh, sizeof(dest_key)) < 0)
        return -1;
    dest_entry *kept = malloc((s->dest_index.count ? s->dest_index.count : 1) * sizeof(*kept));
    if (!kept) {
        keymap_free(&fresh);
        return -1;
    }
    size_t n = 0;
    s->dest_count[device] = 0;
    for (size_t i = 0; i < s->dest_index.count; i++) {
        const dest_key *k = keymap_key(&s->dest_index, i);
        if (k->device_id == device && dest_level(k) < s->dest_level[device]) {
            s->dests_dropped++;
            continue;
        }
        bool added;
        if (keymap_get(&fresh, k, &added) == SIZE_MAX) {
            free(kept);
            keymap_free(&fresh);
            return -1;
        }
        kept[n++] = s->dests[i];
        if (k->device_id == device)
            s->dest_count[device]++;
    }
    keymap_free(&s->dest_index);
    free(s->dests);
    s->dest_index = fresh;
    s->dests = kept;
    s->dests_cap = s->dest_index.count ? s->dest_index.count : 1;
    return 0;
}

/* Finds or adds a destination: 1 with *out set, 0 when the device's sample leaves it out, -1 out of memory. */
static int get_dest(ddns_state *s, const dest_key *k, dest_entry **out)
{
    *out = NULL;
    ensure_device(s, k->device_id);
    if (k->device_id >= s->ndevices)
        return -1;
    if (dest_level(k) < s->dest_level[k->device_id])
        return 0;
    bool added;
    size_t i = keymap_get(&s->dest_index, k, &added);
    if (i == SIZE_MAX)
        return -1;
    if (added) {
        if (i >= s->dests_cap) {
            size_t cap = s->dests_cap ? s->dests_cap * 2 : 256;
            while (cap <= i)
                cap *= 2;
            dest_entry *v = realloc(s->dests, cap * sizeof(*v));
            if (!v)
                return -1;
            s->dests = v;
            s->dests_cap = cap;
        }
        memset(&s->dests[i], 0, sizeof(s->dests[i]));
        s->dests[i].first = INT64_MAX;
        s->dests[i].last = INT64_MIN;
        if (++s->dest_count[k->device_id] > (uint64_t)s->params->max_destinations) {
            while (s->dest_count[k->device_id] > (uint64_t)s->params->max_destinations) {
                s->dest_level[k->device_id]++;
                if (purge_device(s, k->device_id) < 0)
                    return -1;
            }
            return get_dest(s, k, out);
        }
    }
    *out = &s->dests[i];
    return 1;
}

static int note_destination(ddns_state *s, uint32_t dev_id, uint32_t proc, const ih_conn *c)
{
    dest_key k;
    memset(&k, 0, sizeof(k));
    k.device_id = dev_id;
    k.family = c->remote_addr.family;
    memcpy(k.bytes, c->remote_addr.bytes, c->remote_addr.family == IH_AF_INET ? 4 : 16);
    dest_entry *e;
    int rc = get_dest(s, &k, &e);
    if (rc <= 0)
        return rc;
    e->count++;
    if (c->time != IH_TIME_NONE) {
        e->first = c->time < e->first ? c->time : e->first;
        e->last = c->time > e->last ? c->time : e->last;
    }
    if (proc)
        signal_sample_text(&s->strings, e->procs, &e->nprocs, DDNS_PROCS, proc);
    if (c->remote_port != IH_UNKNOWN_PORT) {
        bool seen = false;
        for (size_t i = 0; i < e->nports; i++)
            seen |= e->ports[i] == c->remote_port;
        if (!seen && e->nports < DDNS_PORTS)
            e->ports[e->nports++] = c->remote_port;
    }
    return 0;
}

static int ddns_conn(void *v, const ih_conn *c)
{
    ddns_state *s = v;
    if (c->direction == IH_DIR_INBOUND || c->action == IH_ACTION_LISTENING ||
        c->action == IH_ACTION_FAILED)
        return 0;
    uint32_t dev_id = c->device_id.ptr ? intern_add(&s->strings, c->device_id.ptr, c->device_id.len) : 0;
    uint32_t proc =
        c->process_name.ptr ? intern_add(&s->strings, c->process_name.ptr, c->process_name.len) : 0;
    if (dev_id == UINT32_MAX || proc == UINT32_MAX)
        return -1;
    if (c->remote_addr.family != IH_AF_NONE && note_destination(s, dev_id, proc, c) < 0)
        return -1;

    uint32_t name = signal_intern_name(&s->strings, c->remote_name);
    uint32_t zone;
    if (name == UINT32_MAX)
        return -1;
    if (!name || !match_zone(s, intern_text(&s->strings, name), &zone))
        return 0;
    uint32_t dev_name =
        c->device_name.ptr ? intern_add(&s->strings, c->device_name.ptr, c->device_name.len) : 0;
    if (dev_name == UINT32_MAX)
        return -1;
    ddns_key key = {dev_id, dev_name, name};
    ddns_group *g = get_group(s, &key, zone);
    if (!g)
        return -1;
    g->via |= VIA_CONNECTION;
    g->named_connections++;
    note_time(g, c->time);
    if (proc)
        signal_sample_text(&s->strings, g->procs, &g->nprocs, DDNS_PROCS, proc);
    note_addr(g, &c->remote_addr);

    ddns_sample sample;
    memset(&sample, 0, sizeof(sample));
    sample.time = c->time;
    sample.proc = proc;
    sample.port = c->remote_port;
    sample.ttl = -1;
    sample.kind = SAMPLE_CONNECTION;
    if (c->remote_addr.family != IH_AF_NONE)
        sample.addrs[sample.naddrs++] = c->remote_addr;
    note_sample(&s->strings, g, &sample);
    return 0;
}

/* Merging */

static int ddns_merge(void *dv, void *sv)
{
    ddns_state *dst = dv, *src = sv;
    uint32_t *map = malloc((src->strings.count ? src->strings.count : 1) * sizeof(*map));
    if (!map)
        return -1;
    for (size_t id = 0; id < src->strings.count; id++) {
        ih_str t = intern_text(&src->strings, (uint32_t)id);
        map[id] = intern_add(&dst->strings, t.ptr, t.len);
        if (map[id] == UINT32_MAX) {
            free(map);
            return -1;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < src->group_index.count && rc == 0; i++) {
        const ddns_key *sk = keymap_key(&src->group_index, i);
        const ddns_group *sg = &src->groups[i];
        ddns_key key = {map[sk->device_id], map[sk->device_name], map[sk->name]};
        ddns_group *g = get_group(dst, &key, sg->zone);
        if (!g) {
            rc = -1;
            break;
        }
        g->via |= sg->via;
        g->queries += sg->queries;
        g->named_connections += sg->named_connections;
        g->first = sg->first < g->first ? sg->first : g->first;
        g->last = sg->last > g->last ? sg->last : g->last;
        note_ttl(g, sg->min_ttl);
        g->addrs_saturated |= sg->addrs_saturated;
        for (size_t k = 0; k < sg->naddrs; k++)
            note_addr(g, &sg->addrs[k]);
        for (size_t k = 0; k < sg->nprocs; k++)
            signal_sample_text(&dst->strings, g->procs, &g->nprocs, DDNS_PROCS, map[sg->procs[k]]);
        for (size_t k = 0; k < sg->nalias; k++)
            signal_sample_text(&dst->strings, g->alias, &g->nalias, 2, map[sg->alias[k]]);
        for (size_t k = 0; k < sg->nsamples; k++) {
            ddns_sample sample = sg->samples[k];
            sample.proc = map[sample.proc];
            note_sample(&dst->strings, g, &sample);
        }
    }
    for (size_t i = 0; i < src->dest_index.count && rc == 0; i++) {
        dest_key k = *(const dest_key *)keymap_key(&src->dest_index, i);
        const dest_entry *se = &src->dests[i];
        k.device_id = map[k.device_id];
        ensure_device(dst, k.device_id);
        if (k.device_id >= dst->ndevices) {
            rc = -1;
            break;
        }
        uint32_t src_dev = ((const dest_key *)keymap_key(&src->dest_index, i))->device_id;
        if (src_dev < src->ndevices && src->dest_level[src_dev] > dst->dest_level[k.device_id]) {
            dst->dest_level[k.device_id] = src->dest_level[src_dev];
            if (purge_device(dst, k.device_id) < 0) {
                rc = -1;
                break;
            }
        }
        dest_entry *e;
        int got = get_dest(dst, &k, &e);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 0)
            continue;
        e->count += se->count;
        e->first = se->first < e->first ? se->first : e->first;
        e->last = se->last > e->last ? se->last : e->last;
        for (size_t p = 0; p < se->nprocs; p++)
            signal_sample_text(&dst->strings, e->procs, &e->nprocs, DDNS_PROCS, map[se->procs[p]]);
        for (size_t p = 0; p < se->nports; p++) {
            bool seen = false;
            for (size_t q = 0; q < e->nports; q++)
                seen |= e->ports[q] == se->ports[p];
            if (!seen && e->nports < DDNS_PORTS)
                e->ports[e->nports++] = se->ports[p];
        }
    }
    dst->dests_dropped += src->dests_dropped;
    free(map);
    return rc;
}

/* Scoring */

/* What a group's resolved addresses link to in the destination table. */
typedef struct ddns_link {
    uint64_t connections;
    ih_time last;
    uint32_t procs[DDNS_PROCS];
    uint8_t nprocs;
    ih_addr addrs[DDNS_ADDRS];
    uint8_t naddrs;
    int32_t ports[DDNS_PORTS];
    uint8_t nports;
    size_t dests[DDNS_ADDRS]; /* indices of the linked destinations in s->dests */
    uint8_t ndests;
} ddns_link;

static void link_group(ddns_state *s, const ddns_key *key, const ddns_group *g, ddns_link *l)
{
    memset(l, 0, sizeof(*l));
    l->last = INT64_MIN;
    for (size_t i = 0; i < g->naddrs; i++) {
        dest_key k;
        memset(&k, 0, sizeof(k));
        k.device_id = key->device_id;
        k.family = g->addrs[i].family;
        memcpy(k.bytes, g->addrs[i].bytes, g->addrs[i].family == IH_AF_INET ? 4 : 16);
        size_t idx = keymap_find(&s->dest_index, &k);
        if (idx == SIZE_MAX)
            continue;
        const dest_entry *e = &s->dests[idx];
        /* Connections that ended before the name was first resolved did not follow it. */
        if (g->first != INT64_MAX && e->last < g->first)
            continue;
        l->connections += e->count;
        l->dests[l->ndests++] = idx;
        l->last = e->last > l->last ? e->last : l->last;
        signal_sample_addr(l->addrs, &l->naddrs, DDNS_ADDRS, &g->addrs[i]);
        for (size_t p = 0; p < e->nprocs; p++)
            signal_sample_text(&s->strings, l->procs, &l->nprocs, DDNS_PROCS, e->procs[p]);
        for (size_t p = 0; p < e->nports; p++) {
            bool seen = false;
            for (size_t q = 0; q < l->nports; q++)
                seen |= l->ports[q] == e->ports[p];
            if (!seen && l->nports < DDNS_PORTS)
                l->ports[l->nports++] = e->ports[p];
        }
    }
}

/* "once", "twice" or "N times". */
static void count_words(signal_text *b, uint64_t n)
{
    if (n == 1)
        signal_text_printf(b, "once");
    else if (n == 2)
        signal_text_printf(b, "twice");
    else
        signal_text_printf(b, "%llu times", (unsigned long long)n);
}

/* The separator before item i of n in a list such as "a, b and c". */
static const char *separator(size_t i, size_t n)
{
    if (i == 0)
        return "";
    return i + 1 == n ? " and " : ", ";
}

static void list_texts(signal_text *b, const intern *t, const uint32_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ih_str v = intern_text(t, ids[i]);
        signal_text_printf(b, "%s%.*s", separator(i, n), (int)v.len, v.ptr);
    }
}

static void list_addrs(signal_text *b, const ih_addr *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[IH_ADDR_TEXT_MAX];
        signal_addr_text(&v[i], text);
        signal_text_printf(b, "%s%s", separator(i, n), text);
    }
}

static void explain(ddns_state *s, const ddns_key *key, const ddns_group *g, const ddns_link *l,
                    signal_text *b)
{
    const ddns_params *dp = s->params;
    const ddns_zone *z = &dp->info[g->zone];
    ih_str name = intern_text(&s->strings, key->name);
    ih_str dev = intern_text(&s->strings, key->device_name);

    if (g->nprocs) {
        list_texts(b, &s->strings, g->procs, g->nprocs);
        signal_text_printf(b, " on ");
    }
    signal_text_printf(b, "%.*s ", (int)dev.len, dev.ptr);
    if (g->queries && (g->via & VIA_CNAME) && !(g->via & VIA_QUERY)) {
        signal_text_printf(b, "resolved a name whose CNAME chain leads to %.*s (", (int)name.len, name.ptr);
        list_texts(b, &s->strings, g->alias, g->nalias);
        signal_text_printf(b, ") ");
        count_words(b, g->queries);
    } else if (g->queries) {
        signal_text_printf(b, "looked up %.*s ", (int)name.len, name.ptr);
        count_words(b, g->queries);
    }
    if (g->named_connections) {
        signal_text_printf(b, "%sconnected to %.*s by name ", g->queries ? " and " : "", (int)name.len,
                           name.ptr);
        count_words(b, g->named_connections);
    }
    if (z->tier == TIER_PROVIDER)
        signal_text_printf(b, ". The name is under %s, a zone the dynamic-DNS provider %s runs for "
                              "anyone's hosts",
                           z->zone, z->provider);
    else
        signal_text_printf(b, ". The name is under %s, a shared zone of %s that its owner opens to "
                              "anyone's hosts",
                           z->zone, z->provider);
    if (g->naddrs) {
        signal_text_printf(b, "; it resolved to ");
        list_addrs(b, g->addrs, g->naddrs);
        if (g->addrs_saturated)
            signal_text_printf(b, " and more");
        if (g->min_ttl >= 0)
            signal_text_printf(b, " (TTL %lld s or more)", (long long)g->min_ttl);
    }
    signal_text_printf(b, ". ");
    if (l->connections) {
        signal_text_printf(b, "Then ");
        if (l->nprocs)
            list_texts(b, &s->strings, l->procs, l->nprocs);
        else
            signal_text_printf(b, "the device");
        signal_text_printf(b, " connected to ");
        list_addrs(b, l->addrs, l->naddrs);
        signal_text_printf(b, " ");
        count_words(b, l->connections);
        for (size_t i = 0; i < l->nports; i++)
            signal_text_printf(b, "%s%d", i ? ", " : " on port ", (int)l->ports[i]);
        signal_text_printf(b, ". ");
    } else if (!g->named_connections) {
        signal_text_printf(b, "No connection to its addresses was seen afterwards. ");
    }
    signal_text_printf(b, "Dynamic DNS is context, not a verdict: home servers, cameras and VPN "
                          "endpoints use it too.");
}

/* Evidence for the HTML report */

/* One event of the report before it is sorted into time order; the strings point into the caller's buffers. */
typedef struct pending_event {
    ih_time time;
    const char *kind;
    ih_str process, address, detail;
} pending_event;

/* Orders events by time, then by every text, so that equal times keep one order. */
static int cmp_pending(const void *pa, const void *pb)
{
    const pending_event *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    int c = strcmp(a->kind, b->kind);
    if (c == 0)
        c = cmp_view(a->address, b->address);
    if (c == 0)
        c = cmp_view(a->process, b->process);
    return c ? c : cmp_view(a->detail, b->detail);
}

/* Writes an address with its port, as "192.0.2.1:443" or "[2001:db8::1]:443"; no port when unknown. */
static void endpoint_text(const ih_addr *a, int32_t port, char *out, size_t cap)
{
    char text[IH_ADDR_TEXT_MAX];
    signal_addr_text(a, text);
    if (port == IH_UNKNOWN_PORT)
        snprintf(out, cap, "%s", text);
    else if (a->family == IH_AF_INET6)
        snprintf(out, cap, "[%s]:%d", text, (int)port);
    else
        snprintf(out, cap, "%s:%d", text, (int)port);
}

static ih_str text_view(const signal_text *b)
{
    return b->s ? (ih_str){b->s, b->len} : (ih_str){NULL, 0};
}

/*
 * Adds the group's sampled resolutions and connections by name, and the
 * connections to its resolved addresses that the destination table links,
 * as events in time order. A linked destination is one event at its first
 * connection, with the count and the last time as detail.
 */
static int add_evidence(ddns_state *s, const ddns_key *key, const ddns_group *g, const ddns_link *l,
                        ih_alert *a)
{
    enum { MAX_PENDING = DDNS_SAMPLES + DDNS_ADDRS };
    pending_event pending[MAX_PENDING];
    signal_text texts[MAX_PENDING * 3];
    size_t npending = 0, ntexts = 0;
    memset(texts, 0, sizeof(texts));

    for (size_t i = 0; i < g->nsamples; i++) {
        const ddns_sample *sample = &g->samples[i];
        pending_event *e = &pending[npending++];
        e->time = sample->time;
        e->kind = sample->kind == SAMPLE_RESOLUTION ? "resolution" : "connection";
        e->process = sample->proc ? intern_text(&s->strings, sample->proc) : (ih_str){NULL, 0};
        signal_text *address = &texts[ntexts++], *detail = &texts[ntexts++];
        for (size_t k = 0; k < sample->naddrs; k++) {
            char text[IH_ADDR_TEXT_MAX + 16];
            int32_t port = sample->kind == SAMPLE_CONNECTION ? sample->port : IH_UNKNOWN_PORT;
            endpoint_text(&sample->addrs[k], port, text, sizeof(text));
            signal_text_printf(address, "%s%s", k ? ", " : "", text);
        }
        if (sample->more_addrs)
            signal_text_printf(address, " and %d more", (int)sample->more_addrs);
        if (sample->ttl >= 0)
            signal_text_printf(detail, "TTL %lld s", (long long)sample->ttl);
        e->address = text_view(address);
        e->detail = text_view(detail);
    }

    for (size_t i = 0; i < l->ndests; i++) {
        const dest_key *k = keymap_key(&s->dest_index, l->dests[i]);
        const dest_entry *d = &s->dests[l->dests[i]];
        ih_addr addr = {.family = k->family};
        memcpy(addr.bytes, k->bytes, sizeof(addr.bytes));
        pending_event *e = &pending[npending++];
        e->time = d->first == INT64_MAX ? IH_TIME_NONE : d->first;
        e->kind = "connection";
        signal_text *process = &texts[ntexts++], *address = &texts[ntexts++], *detail = &texts[ntexts++];
        for (size_t p = 0; p < d->nprocs; p++) {
            ih_str name = intern_text(&s->strings, d->procs[p]);
            signal_text_printf(process, "%s%.*s", p ? ", " : "", (int)name.len, name.ptr);
        }
        char text[IH_ADDR_TEXT_MAX + 16];
        endpoint_text(&addr, d->nports == 1 ? d->ports[0] : IH_UNKNOWN_PORT, text, sizeof(text));
        signal_text_printf(address, "%s", text);
        signal_text_printf(detail, "%llu connection%s to the resolved address", (unsigned long long)d->count,
                           d->count == 1 ? "" : "s");
        if (d->nports > 1)
            for (size_t p = 0; p < d->nports; p++)
                signal_text_printf(detail, "%s%d", p ? ", " : ", ports ", (int)d->ports[p]);
        if (d->count > 1 && d->last != INT64_MIN) {
            char last[IH_TIME_TEXT_MAX];
            ih_time_format(d->last, last);
            signal_text_printf(detail, ", the last at %s", last);
        }
        e->process = text_view(process);
        e->address = text_view(address);
        e->detail = text_view(detail);
    }

    int rc = 0;
    for (size_t i = 0; i < ntexts; i++)
        rc |= texts[i].failed ? -1 : 0;
    qsort(pending, npending, sizeof(pending[0]), cmp_pending);
    ih_str name = intern_text(&s->strings, key->name);
    for (size_t i = 0; i < npending && rc == 0; i++)
        rc = alert_add_event(a, pending[i].time, pending[i].kind, pending[i].process, name, pending[i].address,
                             pending[i].detail);
    for (size_t i = 0; i < ntexts; i++)
        signal_text_free(&texts[i]);
    return rc;
}

static int emit(ddns_state *s, const ddns_key *key, const ddns_group *g, bool evidence, ih_alert_list *out)
{
    const ddns_params *dp = s->params;
    const ddns_zone *z = &dp->info[g->zone];
    ddns_link l;
    link_group(s, key, g, &l);

    double score = dp->tier_score[z->tier];
    if (l.connections || g->named_connections)
        score += dp->linked_bonus;
    int points = (int)(100 * score + 0.5);
    if (points > 100)
        points = 100;
    if (points < dp->min_score)
        return 0;

    ih_alert *a = alert_list_add(out);
    if (!a)
        return -1;
    a->alert_type = "DynamicDNS";
    ih_time last = g->last > l.last ? g->last : l.last;
    a->timestamp = last == INT64_MIN ? IH_TIME_NONE : last;
    a->device_name = alert_strdup(intern_text(&s->strings, key->device_name));
    a->remote_url = alert_strdup(intern_text(&s->strings, key->name));
    /* RemoteIP: an address a connection reached, else one the name resolved to. */
    const ih_addr *shown = NULL;
    if (l.naddrs)
        shown = &l.addrs[0];
    else if (g->naddrs)
        shown = &g->addrs[0];
    char addr_text[IH_ADDR_TEXT_MAX] = "";
    if (shown)
        signal_addr_text(shown, addr_text);
    a->remote_ip = alert_strdup((ih_str){addr_text, strlen(addr_text)});
    a->connection_count = g->named_connections + l.connections;

    uint32_t procs[DDNS_PROCS * 2];
    uint8_t nprocs = 0;
    for (size_t i = 0; i < g->nprocs; i++)
        signal_sample_text(&s->strings, procs, &nprocs, DDNS_PROCS * 2, g->procs[i]);
    for (size_t i = 0; i < l.nprocs; i++)
        signal_sample_text(&s->strings, procs, &nprocs, DDNS_PROCS * 2, l.procs[i]);
    ih_str views[DDNS_PROCS * 2 + DDNS_ADDRS];
    for (size_t i = 0; i < nprocs; i++)
        views[i] = intern_text(&s->strings, procs[i]);
    int rc = alert_set_strings(&a->sample_processes, &a->nsample_processes, views, nprocs < 5 ? nprocs : 5);
    if (!a->device_name || !a->remote_url || !a->remote_ip)
        rc = -1;

    signal_text b = {0};
    explain(s, key, g, &l, &b);
    static const char *const techniques[] = {"T1584", "T1568"};
    rc |= alert_set_assessment(a, points, signal_severity(points, dp->high, dp->medium, dp->low),
                               l.connections || g->named_connections ? "medium" : "low", techniques, 2,
                               b.failed || !b.s ? "" : b.s);
    rc |= b.failed ? -1 : 0;
    signal_text_free(&b);

    rc |= alert_add_text(a, "DeviceId", intern_text(&s->strings, key->device_id));
    rc |= alert_add_text(a, "Zone", (ih_str){z->zone, strlen(z->zone)});
    rc |= alert_add_text(a, "Provider", (ih_str){z->provider, strlen(z->provider)});
    rc |= alert_add_text(a, "Tier", (ih_str){tier_names[z->tier], strlen(tier_names[z->tier])});
    ih_str via[3];
    size_t nvia = 0;
    if (g->via & VIA_QUERY)
        via[nvia++] = IH_STR_LIT("dns-query");
    if (g->via & VIA_CNAME)
        via[nvia++] = IH_STR_LIT("cname");
    if (g->via & VIA_CONNECTION)
        via[nvia++] = IH_STR_LIT("connection-name");
    rc |= alert_add_texts(a, "SeenIn", via, nvia);
    rc |= alert_add_int(a, "Queries", (int64_t)g->queries);
    rc |= alert_add_int(a, "NamedConnections", (int64_t)g->named_connections);
    rc |= alert_add_int(a, "LinkedConnections", (int64_t)l.connections);
    char texts[DDNS_ADDRS][IH_ADDR_TEXT_MAX];
    for (size_t i = 0; i < g->naddrs; i++) {
        signal_addr_text(&g->addrs[i], texts[i]);
        views[i] = (ih_str){texts[i], strlen(texts[i])};
    }
    rc |= alert_add_texts(a, "ResolvedIPs", views, g->naddrs);
    for (size_t i = 0; i < l.nprocs; i++)
        views[i] = intern_text(&s->strings, l.procs[i]);
    rc |= alert_add_texts(a, "LinkedProcesses", views, l.nprocs);
    for (size_t i = 0; i < g->nalias; i++)
        views[i] = intern_text(&s->strings, g->alias[i]);
    if (g->nalias)
        rc |= alert_add_texts(a, "CnameOf", views, g->nalias);
    if (g->first != INT64_MAX)
        rc |= alert_add_time(a, "FirstSeen", g->first);
    if (a->timestamp != IH_TIME_NONE)
        rc |= alert_add_time(a, "LastSeen", a->timestamp);
    if (g->min_ttl >= 0)
        rc |= alert_add_int(a, "MinTTLSeconds", g->min_ttl);
    if (evidence && rc == 0)
        rc = add_evidence(s, key, g, &l, a);
    return rc ? -1 : 0;
}

static int ddns_finish(void *v, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag)
{
    ddns_state *s = v;
    for (size_t i = 0; i < s->group_index.count; i++)
        if (emit(s, keymap_key(&s->group_index, i), &s->groups[i], info->evidence, out) < 0)
            return -1;
    ih_diag_count_used(diag, "ddns", s->group_index.count);
    if (s->dests_dropped)
        ih_diag_count_used(diag, "ddns destinations sampled out", s->dests_dropped);
    return 0;
}

const ih_detector ih_detector_ddns = {
    .name = "ddns",
    .configure = ddns_configure,
    .params_free = ddns_params_free,
    .state_new = ddns_state_new,
    .state_free = ddns_state_free,
    .conn = ddns_conn,
    .dns = ddns_dns,
    .merge = ddns_merge,
    .finish = ddns_finish,
};
