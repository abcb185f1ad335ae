/*
 * Fast flux, the default profile's replacement for the reference rule's
 * part 3. docs/DDNS_FLUX.md describes the method and its settings.
 *
 * Per domain, from DNS answers (and from connections that carry both a name
 * and an address, as Defender's RemoteUrl does): the distinct addresses,
 * their /24 (IPv4) or /48 (IPv6) prefixes, ASNs and countries where the
 * ASN database has them, the TTLs where the source records them, and how
 * the answer's address set changes between answers. A domain fluxes when
 * its addresses spread over several networks and keep changing. The Holz
 * et al. flux score (1.32 x addresses + 18.54 x ASNs, flux above 142.38) is
 * reported as one feature; it alone would flag the NTP pool, whose names
 * return addresses in many networks with TTLs of seconds, so public server
 * pools are listed in the profile, and a CDN, whose many addresses sit in
 * one network, fails the network-diversity test.
 *
 * Double flux: NS answers for a domain whose name servers keep changing.
 *
 * Per process, the reference rule's fan-out: one process on one device
 * reaching many addresses within a clock hour, now also counting their
 * networks, so that a CDN client does not fire, and with the rule's
 * known-good processes (browsers, svchost, Defender) down-ranked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../enrich/domain.h"
#include "../enrich/enrich.h"
#include "../event/addr.h"
#include "../event/timeutil.h"
#include "detect.h"
#include "intern.h"
#include "keymap.h"
#include "signal.h"

#define FLUX_ADDRS 64     /* distinct addresses kept per domain */
#define FLUX_SNAPSHOTS 48 /* answers kept per domain, a uniform sample */
#define FLUX_SET 8        /* address hashes kept per answer */
#define FLUX_NS 16        /* name servers kept per domain */
#define FANOUT_ADDRS 32   /* distinct addresses kept per process and hour */
#define FANOUT_NAMES 4

#define HOLZ_ADDR_WEIGHT 1.32
#define HOLZ_ASN_WEIGHT 18.54
#define HOLZ_THRESHOLD 142.38

typedef struct flux_params {
    ih_enrich *enrich;
    int64_t min_addresses, min_networks, min_rotations;
    int64_t max_ttl; /* seconds; a minimum TTL above this is not fast */
    double max_network_share; /* a domain with more of its addresses in one network is a CDN */
    double min_new_rate;      /* mean share of new addresses per answer */
    zone_set pools;    /* public server pools, down-ranked */
    double pool_factor;
    int64_t min_ns_names;
    /* fan-out */
    int64_t fanout_min_addresses, fanout_min_connections, fanout_min_networks;
    char **known_good;
    size_t nknown_good;
    double known_good_factor;
    int64_t high, medium, low, min_score;
} flux_params;

typedef struct flux_snapshot {
    ih_time time;
    uint64_t order; /* hash deciding which snapshots the sample keeps */
    uint32_t set[FLUX_SET];
    uint8_t n;
    uint8_t family; /* A and AAAA answers are compared only with their own kind */
} flux_snapshot;

typedef struct ns_snapshot {
    ih_time time;
    uint64_t order;
    uint64_t set_hash;
} ns_snapshot;

typedef struct flux_domain {
    uint64_t answers, connections;
    ih_time first, last;
    int64_t min_ttl, max_ttl; /* -1 unknown */
    ih_addr *addrs;           /* up to FLUX_ADDRS, sorted */
    uint8_t naddrs, addrs_cap; /* the arrays grow to their maximum as they fill */
    bool addrs_saturated;
    flux_snapshot *snaps;
    uint8_t nsnaps, snaps_cap;
    uint32_t devices[4];
    uint8_t ndevices;
    uint32_t ns[FLUX_NS];
    uint8_t nns;
    ns_snapshot *ns_snaps;
    uint8_t nns_snaps;
} flux_domain;

typedef struct fanout_key {
    uint32_t device_id, device_name, process;
    uint32_t pad;
    int64_t hour;
} fanout_key;

typedef struct fanout_group {
    uint64_t count;
    ih_time first, last;
    ih_addr addrs[FANOUT_ADDRS];
    uint8_t naddrs;
    bool saturated;
    uint32_t names[FANOUT_NAMES];
    uint8_t nnames;
} fanout_group;

typedef struct flux_state {
    const flux_params *params;
    intern strings;
    keymap domain_index; /* key: interned name */
    flux_domain *domains;
    size_t domains_cap;
    keymap fanout_index;
    fanout_group *fanouts;
    size_t fanouts_cap;
} flux_state;

/* Configuration */

static void flux_params_free(void *v)
{
    flux_params *fp = v;
    if (!fp)
        return;
    zone_set_free(&fp->pools);
    for (size_t i = 0; i < fp->nknown_good; i++)
        free(fp->known_good[i]);
    free(fp->known_good);
    ih_enrich_release(fp->enrich);
    free(fp);
}

static int get_share(profile *p, profile_node *cfg, const char *key, double *out)
{
    if (profile_get_double(p, cfg, key, out) < 0)
        return -1;
    if (*out < 0 || *out > 1) {
        snprintf(p->error, sizeof(p->error), "%s: flux.%s must be from 0 to 1", p->name, key);
        return -1;
    }
    return 0;
}

static int configure_lists(profile *p, profile_node *cfg, flux_params *fp)
{
    const char **pools = NULL, **good = NULL;
    size_t npools, ngood;
    if (profile_get_strings(p, cfg, "server_pools", &pools, &npools) < 0)
        return -1;
    for (size_t i = 0; i < npools; i++) {
        char zone[IH_NAME_MAX + 1];
        int n = ih_name_normalize(pools[i], strlen(pools[i]), zone);
        if (n < 0) {
            snprintf(p->error, sizeof(p->error), "%s: flux.server_pools: '%s' is not a domain name",
                     p->name, pools[i]);
            free(pools);
            return -1;
        }
        if (zone_set_add(&fp->pools, zone, (size_t)n, (uint32_t)i) < 0) {
            free(pools);
            return -1;
        }
    }
    free(pools);
    if (profile_get_strings(p, cfg, "fanout_known_good", &good, &ngood) < 0)
        return -1;
    fp->known_good = calloc(ngood ? ngood : 1, sizeof(*fp->known_good));
    int rc = fp->known_good ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < ngood; i++) {
        fp->known_good[i] = strdup(good[i]);
        rc = fp->known_good[i] ? 0 : -1;
        fp->nknown_good = i + 1;
    }
    free(good);
    return rc;
}

static int flux_configure(profile *p, profile_node *cfg, void **out)
{
    flux_params *fp = calloc(1, sizeof(*fp));
    profile_node *severity;
    char err[256];
    if (!fp)
        return -1;
    zone_set_init(&fp->pools);
    fp->enrich = ih_enrich_acquire(err, sizeof(err));
    if (!fp->enrich) {
        snprintf(p->error, sizeof(p->error), "%s: flux: %s", p->name, err);
        goto fail;
    }
    if (profile_get_int(p, cfg, "min_addresses", 2, 1000, &fp->min_addresses) < 0 ||
        profile_get_int(p, cfg, "min_networks", 1, 1000, &fp->min_networks) < 0 ||
        profile_get_int(p, cfg, "min_rotations", 0, 1000, &fp->min_rotations) < 0 ||
        profile_get_int(p, cfg, "max_ttl", 0, INT32_MAX, &fp->max_ttl) < 0 ||
        get_share(p, cfg, "max_network_share", &fp->max_network_share) < 0 ||
        get_share(p, cfg, "min_new_address_rate", &fp->min_new_rate) < 0 ||
        get_share(p, cfg, "pool_factor", &fp->pool_factor) < 0 ||
        profile_get_int(p, cfg, "min_ns_names", 2, 1000, &fp->min_ns_names) < 0 ||
        profile_get_int(p, cfg, "fanout_min_addresses", 2, 1000, &fp->fanout_min_addresses) < 0 ||
        profile_get_int(p, cfg, "fanout_min_connections", 1, 1000000, &fp->fanout_min_connections) < 0 ||
        profile_get_int(p, cfg, "fanout_min_networks", 1, 1000, &fp->fanout_min_networks) < 0 ||
        get_share(p, cfg, "fanout_known_good_factor", &fp->known_good_factor) < 0 ||
        configure_lists(p, cfg, fp) < 0 || profile_get_map(p, cfg, "severity", &severity) < 0 ||
        profile_get_int(p, severity, "high", 0, 100, &fp->high) < 0 ||
        profile_get_int(p, severity, "medium", 0, 100, &fp->medium) < 0 ||
        profile_get_int(p, severity, "low", 0, 100, &fp->low) < 0 ||
        profile_check_unused(p, severity, "flux.severity") < 0 ||
        profile_get_int(p, cfg, "min_score", 0, 100, &fp->min_score) < 0 ||
        profile_check_unused(p, cfg, "flux") < 0)
        goto fail;
    *out = fp;
    return 0;
fail:
    if (!p->error[0])
        snprintf(p->error, sizeof(p->error), "%s: flux: out of memory", p->name);
    flux_params_free(fp);
    return -1;
}

/* Reading */

static void *flux_state_new(const void *params)
{
    flux_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->params = params;
    if (intern_init(&s->strings) < 0 || keymap_init(&s->domain_index, sizeof(uint32_t)) < 0 ||
        keymap_init(&s->fanout_index, sizeof(fanout_key)) < 0) {
        intern_free(&s->strings);
        keymap_free(&s->domain_index);
        free(s);
        return NULL;
    }
    return s;
}

static void flux_state_free(void *v)
{
    flux_state *s = v;
    if (!s)
        return;
    for (size_t i = 0; i < s->domain_index.count; i++) {
        free(s->domains[i].addrs);
        free(s->domains[i].snaps);
        free(s->domains[i].ns_snaps);
    }
    free(s->domains);
    free(s->fanouts);
    intern_free(&s->strings);
    keymap_free(&s->domain_index);
    keymap_free(&s->fanout_index);
    free(s);
}

static flux_domain *get_domain(flux_state *s, uint32_t name)
{
    bool added;
    size_t i = keymap_get(&s->domain_index, &name, &added);
    if (i == SIZE_MAX)
        return NULL;
    if (added) {
        if (i >= s->domains_cap) {
            size_t cap = s->domains_cap ? s->domains_cap * 2 : 256;
            flux_domain *v = realloc(s->domains, cap * sizeof(*v));
            if (!v) {
                s->domain_index.count--; /* undo, so the free loop stays in bounds */
                return NULL;
            }
            s->domains = v;
            s->domains_cap = cap;
        }
        flux_domain *d = &s->domains[i];
        memset(d, 0, sizeof(*d));
        d->first = INT64_MAX;
        d->last = INT64_MIN;
        d->min_ttl = d->max_ttl = -1;
    }
    return &s->domains[i];
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static uint32_t addr_hash(const ih_addr *a)
{
    uint64_t h = a->family;
    for (size_t i = 0; i < (a->family == IH_AF_INET ? 4u : 16u); i++)
        h = mix64(h ^ a->bytes[i]);
    return (uint32_t)h;
}

/*
 * True for addresses that tell nothing of where a name is hosted:
 * unspecified, loopback, RFC 1918, link-local, CGNAT, multicast, and their
 * IPv6 counterparts. Sinkholes and split-horizon answers use them.
 */
static bool unroutable(const ih_addr *a)
{
    const uint8_t *b = a->bytes;
    if (a->family == IH_AF_INET)
        return b[0] == 0 || b[0] == 127 || ih_addr_is_rfc1918(a) || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 100 && (b[1] & 0xC0) == 64) || b[0] >= 224;
    static const uint8_t zero[16] = {0};
    return memcmp(b, zero, 15) == 0 || (b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) ||
           b[0] == 0xFF;
}

static int domain_add_addr(flux_domain *d, const ih_addr *a)
{
    if (unroutable(a))
        return 0;
    /* Most names have one or two addresses, so the sample starts small; it only evicts at its maximum. */
    if (d->naddrs == d->addrs_cap && d->addrs_cap < FLUX_ADDRS) {
        uint8_t cap = d->addrs_cap ? (uint8_t)(d->addrs_cap * 2) : 2;
        ih_addr *v = realloc(d->addrs, cap * sizeof(*v));
        if (!v)
            return -1;
        d->addrs = v;
        d->addrs_cap = cap;
    }
    if (!signal_sample_addr(d->addrs, &d->naddrs, d->addrs_cap, a))
        d->addrs_saturated = true;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * Keeps the FLUX_SNAPSHOTS snapshots with the smallest order hash, a sample
 * that does not depend on input order; equal snapshots are stored once.
 */
static int add_snapshot(flux_domain *d, const flux_snapshot *snap)
{
    if (d->nsnaps == d->snaps_cap && d->snaps_cap < FLUX_SNAPSHOTS) {
        uint8_t cap = d->snaps_cap ? (uint8_t)(d->snaps_cap * 2) : 2;
        cap = cap > FLUX_SNAPSHOTS ? FLUX_SNAPSHOTS : cap;
        flux_snapshot *v = realloc(d->snaps, cap * sizeof(*v));
        if (!v)
            return -1;
        d->snaps = v;
        d->snaps_cap = cap;
    }
    size_t worst = 0;
    for (size_t i = 0; i < d->nsnaps; i++) {
        if (d->snaps[i].order == snap->order && d->snaps[i].time == snap->time)
            return 0;
        if (d->snaps[i].order > d->snaps[worst].order)
            worst = i;
    }
    if (d->nsnaps < FLUX_SNAPSHOTS)
        d->snaps[d->nsnaps++] = *snap;
    else if (snap->order < d->snaps[worst].order)
        d->snaps[worst] = *snap;
    return 0;
}

static int add_ns_snapshot(flux_domain *d, const ns_snapshot *snap)
{
    if (!d->ns_snaps) {
        d->ns_snaps = malloc(FLUX_SNAPSHOTS * sizeof(*d->ns_snaps));
        if (!d->ns_snaps)
            return -1;
    }
    size_t worst = 0;
    for (size_t i = 0; i < d->nns_snaps; i++) {
        if (d->ns_snaps[i].order == snap->order && d->ns_snaps[i].time == snap->time)
            return 0;
        if (d->ns_snaps[i].order > d->ns_snaps[worst].order)
            worst = i;
    }
    if (d->nns_snaps < FLUX_SNAPSHOTS)
        d->ns_snaps[d->nns_snaps++] = *snap;
    else if (snap->order < d->ns_snaps[worst].order)
        d->ns_snaps[worst] = *snap;
    return 0;
}

static void note_ttl(flux_domain *d, int64_t ttl)
{
    if (ttl < 0)
        return;
    if (d->min_ttl < 0 || ttl < d->min_ttl)
        d->min_ttl = ttl;
    if (ttl > d->max_ttl)
        d->max_ttl = ttl;
}

static void note_time(flux_domain *d, ih_time t)
{
    if (t == IH_TIME_NONE)
        return;
    d->first = t < d->first ? t : d->first;
    d->last = t > d->last ? t : d->last;
}

/* NS answers: the name servers of the queried domain, for double flux. */
static int note_ns(flux_state *s, flux_domain *dom, const ih_dns *d)
{
    uint32_t ids[IH_DNS_MAX_ANSWERS];
    size_t n = 0;
    for (size_t i = 0; i < d->answer_count; i++) {
        if (d->answers[i].kind == IH_ANSWER_ADDR)
            continue;
        uint32_t id = signal_intern_name(&s->strings, d->answers[i].text);
        if (id == UINT32_MAX)
            return -1;
        if (id) {
            ids[n++] = id;
            signal_sample_text(&s->strings, dom->ns, &dom->nns, FLUX_NS, id);
        }
        note_ttl(dom, d->answers[i].ttl_s);
    }
    if (n == 0)
        return 0;
    /* The set's hash is order-free: a sum of per-name hashes of their texts. */
    uint64_t set_hash = 0;
    for (size_t i = 0; i < n; i++) {
        ih_str t = intern_text(&s->strings, ids[i]);
        uint64_t h = 0;
        for (size_t k = 0; k < t.len; k++)
            h = mix64(h ^ (unsigned char)t.ptr[k]);
        set_hash += h;
    }
    ns_snapshot snap = {d->time, mix64((uint64_t)d->time ^ set_hash), set_hash};
    return add_ns_snapshot(dom, &snap);
}

/*
 * True for an NS query's answer. Sysmon records no query type, so there an
 * answer of records other than addresses and CNAMEs ("type:  2 ns1.example")
 * counts as NS.
 */
static bool is_ns_answer(const ih_dns *d)
{
    if (d->query_type >= 0)
        return d->query_type == 2;
    for (size_t i = 0; i < d->answer_count; i++)
        if (d->answers[i].kind != IH_ANSWER_OTHER)
            return false;
    return d->answer_count > 0;
}

static int flux_dns(void *v, const ih_dns *d)
{
    flux_state *s = v;
    uint32_t name = signal_intern_name(&s->strings, d->query_name);
    if (name == UINT32_MAX)
        return -1;
    if (!name || d->answer_count == 0)
        return 0;
    if (ih_enrich_allowed_name(s->params->enrich, intern_text(&s->strings, name).ptr,
                               intern_text(&s->strings, name).len))
        return 0;
    flux_domain *dom = get_domain(s, name);
    if (!dom)
        return -1;
    if (is_ns_answer(d))
        return note_ns(s, dom, d);

    flux_snapshot snap;
    memset(&snap, 0, sizeof(snap));
    snap.time = d->time;
    size_t naddr = 0;
    for (size_t i = 0; i < d->answer_count; i++) {
        const ih_dns_answer *an = &d->answers[i];
        if (an->kind != IH_ANSWER_ADDR || unroutable(&an->addr))
            continue;
        naddr++;
        snap.family = an->addr.family;
        if (domain_add_addr(dom, &an->addr) < 0)
            return -1;
        note_ttl(dom, an->ttl_s);
        if (snap.n < FLUX_SET)
            snap.set[snap.n++] = addr_hash(&an->addr);
    }
    if (naddr == 0)
        return 0;
    dom->answers++;
    note_time(dom, d->time);
    uint32_t dev = d->device_name.ptr ? intern_add(&s->strings, d->device_name.ptr, d->device_name.len) : 0;
    if (dev == UINT32_MAX)
        return -1;
    if (dev)
        signal_sample_text(&s->strings, dom->devices, &dom->ndevices, 4, dev);
    qsort(snap.set, snap.n, sizeof(snap.set[0]), cmp_u32);
    uint64_t h = (uint64_t)d->time;
    for (size_t i = 0; i < snap.n; i++)
        h = mix64(h ^ snap.set[i]);
    snap.order = h;
    return add_snapshot(dom, &snap);
}

static bool known_good(const flux_params *fp, ih_str process)
{
    for (size_t i = 0; i < fp->nknown_good; i++)
        if (strlen(fp->known_good[i]) == process.len &&
            strncasecmp(fp->known_good[i], process.ptr, process.len) == 0)
            return true;
    return false;
}

static fanout_group *get_fanout(flux_state *s, const fanout_key *k)
{
    bool added;
    size_t i = keymap_get(&s->fanout_index, k, &added);
    if (i == SIZE_MAX)
        return NULL;
    if (added) {
        if (i >= s->fanouts_cap) {
            size_t cap = s->fanouts_cap ? s->fanouts_cap * 2 : 256;
            fanout_group *v = realloc(s->fanouts, cap * sizeof(*v));
            if (!v)
                return NULL;
            s->fanouts = v;
            s->fanouts_cap = cap;
        }
        memset(&s->fanouts[i], 0, sizeof(s->fanouts[i]));
        s->fanouts[i].first = INT64_MAX;
        s->fanouts[i].last = INT64_MIN;
    }
    return &s->fanouts[i];
}

static int flux_conn(void *v, const ih_conn *c)
{
    flux_state *s = v;
    if (c->direction == IH_DIR_INBOUND || c->action == IH_ACTION_LISTENING ||
        c->action == IH_ACTION_FAILED || c->remote_addr.family == IH_AF_NONE || c->time == IH_TIME_NONE ||
        unroutable(&c->remote_addr))
        return 0;
    if (ih_enrich_allowed_addr(s->params->enrich, &c->remote_addr))
        return 0;
    uint32_t name = signal_intern_name(&s->strings, c->remote_name);
    if (name == UINT32_MAX)
        return -1;
    bool allowed_name = name && ih_enrich_allowed_name(s->params->enrich, intern_text(&s->strings, name).ptr,
                                                       intern_text(&s->strings, name).len);
    if (allowed_name)
        return 0;

    /* A name with the address it was reached at is one answer without a TTL. */
    if (name) {
        flux_domain *dom = get_domain(s, name);
        if (!dom || domain_add_addr(dom, &c->remote_addr) < 0)
            return -1;
        dom->connections++;
        note_time(dom, c->time);
        uint32_t dev =
            c->device_name.ptr ? intern_add(&s->strings, c->device_name.ptr, c->device_name.len) : 0;
        if (dev == UINT32_MAX)
            return -1;
        if (dev)
            signal_sample_text(&s->strings, dom->devices, &dom->ndevices, 4, dev);
        flux_snapshot snap;
        memset(&snap, 0, sizeof(snap));
        snap.time = c->time;
        snap.set[0] = addr_hash(&c->remote_addr);
        snap.n = 1;
        snap.family = c->remote_addr.family;
        snap.order = mix64((uint64_t)c->time ^ snap.set[0]);
        if (add_snapshot(dom, &snap) < 0)
            return -1;
    }

    if (!c->process_name.ptr || !c->process_name.len)
        return 0;
    fanout_key k;
    memset(&k, 0, sizeof(k));
    k.device_id = c->device_id.ptr ? intern_add(&s->strings, c->device_id.ptr, c->device_id.len) : 0;
    k.device_name = c->device_name.ptr ? intern_add(&s->strings, c->device_name.ptr, c->device_name.len) : 0;
    k.process = intern_add(&s->strings, c->process_name.ptr, c->process_name.len);
    k.hour = c->time >= 0 ? c->time / IH_NS_PER_HOUR : (c->time - IH_NS_PER_HOUR + 1) / IH_NS_PER_HOUR;
    if (k.device_id == UINT32_MAX || k.device_name == UINT32_MAX || k.process == UINT32_MAX)
        return -1;
    fanout_group *g = get_fanout(s, &k);
    if (!g)
        return -1;
    g->count++;
    g->first = c->time < g->first ? c->time : g->first;
    g->last = c->time > g->last ? c->time : g->last;
    if (!signal_sample_addr(g->addrs, &g->naddrs, FANOUT_ADDRS, &c->remote_addr))
        g->saturated = true;
    if (name)
        signal_sample_text(&s->strings, g->names, &g->nnames, FANOUT_NAMES, name);
    return 0;
}

/* Merging */

static int flux_merge(void *dv, void *sv)
{
    flux_state *dst = dv, *src = sv;
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
    for (size_t i = 0; i < src->domain_index.count && rc == 0; i++) {
        uint32_t name = map[*(const uint32_t *)keymap_key(&src->domain_index, i)];
        const flux_domain *sd = &src->domains[i];
        flux_domain *d = get_domain(dst, name);
        if (!d) {
            rc = -1;
            break;
        }
        d->answers += sd->answers;
        d->connections += sd->connections;
        d->first = sd->first < d->first ? sd->first : d->first;
        d->last = sd->last > d->last ? sd->last : d->last;
        note_ttl(d, sd->min_ttl);
        note_ttl(d, sd->max_ttl);
        d->addrs_saturated |= sd->addrs_saturated;
        for (size_t k = 0; k < sd->naddrs && rc == 0; k++)
            rc = domain_add_addr(d, &sd->addrs[k]);
        for (size_t k = 0; k < sd->nsnaps && rc == 0; k++)
            rc = add_snapshot(d, &sd->snaps[k]);
        for (size_t k = 0; k < sd->nns_snaps && rc == 0; k++)
            rc = add_ns_snapshot(d, &sd->ns_snaps[k]);
        for (size_t k = 0; k < sd->ndevices; k++)
            signal_sample_text(&dst->strings, d->devices, &d->ndevices, 4, map[sd->devices[k]]);
        for (size_t k = 0; k < sd->nns; k++)
            signal_sample_text(&dst->strings, d->ns, &d->nns, FLUX_NS, map[sd->ns[k]]);
    }
    for (size_t i = 0; i < src->fanout_index.count && rc == 0; i++) {
        fanout_key k = *(const fanout_key *)keymap_key(&src->fanout_index, i);
        const fanout_group *sg = &src->fanouts[i];
        k.device_id = map[k.device_id];
        k.device_name = map[k.device_name];
        k.process = map[k.process];
        fanout_group *g = get_fanout(dst, &k);
        if (!g) {
            rc = -1;
            break;
        }
        g->count += sg->count;
        g->first = sg->first < g->first ? sg->first : g->first;
        g->last = sg->last > g->last ? sg->last : g->last;
        g->saturated |= sg->saturated;
        for (size_t a = 0; a < sg->naddrs; a++)
            if (!signal_sample_addr(g->addrs, &g->naddrs, FANOUT_ADDRS, &sg->addrs[a]))
                g->saturated = true;
        for (size_t a = 0; a < sg->nnames; a++)
            signal_sample_text(&dst->strings, g->names, &g->nnames, FANOUT_NAMES, map[sg->names[a]]);
    }
    free(map);
    return rc;
}

/* Features */

/* Network diversity of a set of addresses. */
typedef struct net_features {
    size_t addresses, prefixes;
    bool asn_known;
    size_t asns, countries;
    size_t orgs;          /* distinct operators: ASNs whose organization names start alike */
    double top_share;     /* share of the addresses in the most common operator (/8 without ASNs) */
    uint32_t top_asn;
    char top_org[96];
    uint32_t asn_list[8]; /* distinct ASNs, first seen order */
    size_t nasn_list;
} net_features;

static bool same_prefix(const ih_addr *a, const ih_addr *b, unsigned v4_bytes, unsigned v6_bytes)
{
    if (a->family != b->family)
        return false;
    return memcmp(a->bytes, b->bytes, a->family == IH_AF_INET ? v4_bytes : v6_bytes) == 0;
}

/*
 * Writes a key for the operator of an ASN: the first word of its
 * organization name, lower-cased ("Akamai International B.V." and "Akamai
 * Technologies, Inc." share "akamai"), so that one provider's several ASNs
 * count as one network. An empty name falls back to the AS number.
 */
static void operator_key(ih_str org, uint32_t asn, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < org.len && n + 1 < cap; i++) {
        char c = org.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!word) {
            if (n > 0)
                break;
            continue;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    if (n < 3)
        snprintf(out, cap, "as%u", asn);
}

static void network_features(const ih_enrich *e, const ih_addr *addrs, size_t n, net_features *f)
{
    memset(f, 0, sizeof(*f));
    f->addresses = n;
    f->asn_known = e && e->asn;
    uint32_t asn[FLUX_ADDRS];
    char org[FLUX_ADDRS][24];
    char country[FLUX_ADDRS][3];
    size_t unknown = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = same_prefix(&addrs[i], &addrs[k], 3, 6);
        f->prefixes += !seen;
        asn[i] = 0;
        org[i][0] = '\0';
        country[i][0] = '\0';
        asn_info info;
        if (f->asn_known && asn_db_lookup(e->asn, &addrs[i], &info) && info.asn) {
            asn[i] = info.asn;
            operator_key(info.org, info.asn, org[i], sizeof(org[i]));
            if (info.country.ptr && info.country.len == 2)
                snprintf(country[i], 3, "%.2s", info.country.ptr);
        } else if (f->asn_known) {
            unknown++;
        }
    }
    /* Without ASNs, IPv4 /8 and IPv6 /32 prefixes stand in for networks: coarse, so CDNs stay apart from flux. */
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t same = 0;
        bool first = true;
        for (size_t k = 0; k < n; k++) {
            bool eq = f->asn_known ? asn[i] != 0 && strcmp(org[k], org[i]) == 0
                                   : same_prefix(&addrs[k], &addrs[i], 1, 4);
            same += eq;
            if (eq && k < i)
                first = false;
        }
        if (first)
            f->orgs++;
        bool new_asn = !f->asn_known || asn[i] != 0;
        for (size_t k = 0; k < i && new_asn; k++)
            new_asn = f->asn_known ? asn[k] != asn[i] : !same_prefix(&addrs[k], &addrs[i], 1, 4);
        if (new_asn) {
            f->asns++;
            if (f->asn_known && f->nasn_list < 8)
                f->asn_list[f->nasn_list++] = asn[i];
        }
        if (same > best && (!f->asn_known || asn[i] != 0)) {
            best = same;
            f->top_asn = f->asn_known ? asn[i] : 0;
        }
        bool new_country = country[i][0] != '\0';
        for (size_t k = 0; k < i && new_country; k++)
            new_country = strcmp(country[k], country[i]) != 0;
        f->countries += new_country;
    }
    f->top_share = n ? (double)best / (double)n : 0;
    (void)unknown;
    if (f->top_asn) {
        asn_info info;
        for (size_t i = 0; i < n; i++) {
            if (asn[i] == f->top_asn && asn_db_lookup(e->asn, &addrs[i], &info)) {
                snprintf(f->top_org, sizeof(f->top_org), "%.*s", (int)info.org.len, info.org.ptr);
                break;
            }
        }
    }
}

static int cmp_snapshot_time(const void *pa, const void *pb)
{
    const flux_snapshot *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int cmp_ns_time(const void *pa, const void *pb)
{
    const ns_snapshot *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static bool set_equal(const flux_snapshot *a, const flux_snapshot *b)
{
    return a->n == b->n && memcmp(a->set, b->set, a->n * sizeof(a->set[0])) == 0;
}

/*
 * Counts rotations: sampled answers, in time order, whose address set differs
 * from the one before of the same address family. The new-address rate is
 * the mean share of an answer's addresses that no earlier sampled answer had.
 */
static void churn(flux_domain *d, size_t *rotations, double *new_rate)
{
    *rotations = 0;
    *new_rate = 0;
    if (d->nsnaps < 2)
        return;
    qsort(d->snaps, d->nsnaps, sizeof(*d->snaps), cmp_snapshot_time);
    uint32_t seen[FLUX_SNAPSHOTS * FLUX_SET];
    size_t nseen = 0, counted = 0;
    const flux_snapshot *prev[2] = {NULL, NULL};
    double sum = 0;
    for (size_t i = 0; i < d->nsnaps; i++) {
        const flux_snapshot *sn = &d->snaps[i];
        int fam = sn->family == IH_AF_INET6;
        if (prev[fam] && !set_equal(sn, prev[fam]))
            (*rotations)++;
        size_t fresh = 0;
        for (size_t k = 0; k < sn->n; k++) {
            bool found = false;
            for (size_t j = 0; j < nseen && !found; j++)
                found = seen[j] == sn->set[k];
            if (!found) {
                fresh++;
                seen[nseen++] = sn->set[k];
            }
        }
        if (prev[fam] && sn->n) {
            sum += (double)fresh / sn->n;
            counted++;
        }
        prev[fam] = sn;
    }
    *new_rate = counted ? sum / (double)counted : 0;
}

static size_t ns_rotations(flux_domain *d)
{
    if (d->nns_snaps < 2)
        return 0;
    qsort(d->ns_snaps, d->nns_snaps, sizeof(*d->ns_snaps), cmp_ns_time);
    size_t n = 0;
    for (size_t i = 1; i < d->nns_snaps; i++)
        n += d->ns_snaps[i].set_hash != d->ns_snaps[i - 1].set_hash;
    return n;
}

/* More sampled answers, more confidence in the churn measured. */
static const char *confidence_of(size_t answers)
{
    if (answers >= 8)
        return "high";
    return answers >= 4 ? "medium" : "low";
}

static double clamp01(double x)
{
    if (x < 0)
        return 0;
    return x > 1 ? 1 : x;
}

static double round2(double x)
{
    return round(x * 100) / 100;
}

/* Shared by both alert kinds: the networks behind a set of addresses, in words. */
static void explain_networks(signal_text *b, const ih_enrich *e, const net_features *f)
{
    if (f->asn_known) {
        signal_text_printf(b, "%zu addresses in %zu /24 prefixes, %zu ASNs of %zu operators", f->addresses,
                           f->prefixes, f->asns, f->orgs);
        if (f->top_asn)
            signal_text_printf(b, " (%.0f %% in AS%u %s)", 100 * f->top_share, f->top_asn, f->top_org);
        if (f->countries)
            signal_text_printf(b, ", %zu countries", f->countries);
    } else {
        signal_text_printf(b, "%zu addresses in %zu /24 prefixes (%s, so /8 prefixes stand in for "
                              "ASNs: %zu)",
                           f->addresses, f->prefixes, e ? e->asn_source : "no ASN database", f->asns);
    }
}

static int add_addr_texts(ih_alert *a, const char *field, const ih_addr *addrs, size_t n)
{
    char (*texts)[IH_ADDR_TEXT_MAX] = malloc((n ? n : 1) * sizeof(*texts));
    ih_str *views = malloc((n ? n : 1) * sizeof(*views));
    int rc = texts && views ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        signal_addr_text(&addrs[i], texts[i]);
        views[i] = (ih_str){texts[i], strlen(texts[i])};
    }
    if (rc == 0)
        rc = alert_add_texts(a, field, views, n);
    free(texts);
    free(views);
    return rc;
}

static int add_asn_texts(ih_alert *a, const ih_enrich *e, const net_features *f)
{
    char texts[8][128];
    ih_str views[8];
    for (size_t i = 0; i < f->nasn_list; i++) {
        snprintf(texts[i], sizeof(texts[i]), "AS%u", f->asn_list[i]);
        views[i] = (ih_str){texts[i], strlen(texts[i])};
    }
    (void)e;
    return alert_add_texts(a, "SampleASNs", views, f->nasn_list);
}

/* Evidence for the HTML report */

/* The clock hour of a time, rounded down also before 1970. */
static int64_t hour_of(ih_time t)
{
    return t >= 0 ? t / IH_NS_PER_HOUR : (t - IH_NS_PER_HOUR + 1) / IH_NS_PER_HOUR;
}

/*
 * The network of a sampled address: its AS number where the ASN database has
 * one, else its IPv4 /8 or IPv6 /32 prefix, as in network_features(). 0 for
 * an address without an AS number.
 */
static uint64_t network_of(const ih_enrich *e, const ih_addr *a)
{
    if (e && e->asn) {
        asn_info info;
        return asn_db_lookup(e->asn, a, &info) ? info.asn : 0;
    }
    uint64_t key = (uint64_t)a->family << 32;
    for (size_t i = 0; i < (a->family == IH_AF_INET ? 1u : 4u); i++)
        key |= (uint64_t)a->bytes[i] << (8 * (3 - i));
    return key | (UINT64_C(1) << 40);
}

/* The index in d->addrs of the address with hash h, or -1 when the sample left it out. */
static int find_addr(const uint32_t *hashes, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++)
        if (hashes[i] == h)
            return (int)i;
    return -1;
}

static bool add_distinct(uint64_t *v, size_t *n, uint64_t x)
{
    for (size_t i = 0; i < *n; i++)
        if (v[i] == x)
            return false;
    v[(*n)++] = x;
    return true;
}

/*
 * Adds the sampled answers of a domain as evidence: distinct addresses and
 * networks per clock hour, the addresses of each answer over time, and each
 * answer as an event. d->snaps must be in time order, as churn() leaves them.
 * Answers keep at most FLUX_SET address hashes each, and an address counts
 * towards a network only while the domain's address sample (FLUX_ADDRS) still
 * holds it, so the counts are lower bounds.
 */
static int add_domain_evidence(const flux_params *fp, const flux_domain *d, ih_str name, ih_alert *a)
{
    uint32_t hashes[FLUX_ADDRS];
    uint64_t networks[FLUX_ADDRS];
    for (size_t i = 0; i < d->naddrs; i++) {
        hashes[i] = addr_hash(&d->addrs[i]);
        networks[i] = network_of(fp->enrich, &d->addrs[i]);
    }
    size_t first = 0; /* snapshots without a time sort first and are left out */
    while (first < d->nsnaps && d->snaps[first].time == IH_TIME_NONE)
        first++;
    const flux_snapshot *snaps = d->snaps + first;
    size_t nsnaps = d->nsnaps - first;

    int64_t hours[FLUX_SNAPSHOTS];
    double addr_counts[FLUX_SNAPSHOTS], net_counts[FLUX_SNAPSHOTS];
    size_t nhours = 0;
    for (size_t i = 0; i < nsnaps;) {
        int64_t hour = hour_of(snaps[i].time);
        uint64_t seen[FLUX_SNAPSHOTS * FLUX_SET], nets[FLUX_SNAPSHOTS * FLUX_SET];
        size_t nseen = 0, nnets = 0;
        for (; i < nsnaps && hour_of(snaps[i].time) == hour; i++) {
            for (size_t k = 0; k < snaps[i].n; k++) {
                if (!add_distinct(seen, &nseen, snaps[i].set[k]))
                    continue;
                int at = find_addr(hashes, d->naddrs, snaps[i].set[k]);
                if (at >= 0 && networks[at])
                    add_distinct(nets, &nnets, networks[at]);
            }
        }
        hours[nhours] = hour;
        addr_counts[nhours] = (double)nseen;
        net_counts[nhours] = (double)nnets;
        nhours++;
    }

    bool asn_known = fp->enrich && fp->enrich->asn;
    alert_series *addr_bars = alert_add_series(a, "Addresses per hour", "addresses", ALERT_CHART_BARS, nhours);
    alert_series *net_bars =
        asn_known ? alert_add_series(a, "ASNs per hour", "ASNs", ALERT_CHART_BARS, nhours)
                  : alert_add_series(a, "Networks per hour (/8 prefixes: no ASN database)", "networks",
                                     ALERT_CHART_BARS, nhours);
    alert_series *answers =
        alert_add_series(a, "Addresses per answer", "addresses", ALERT_CHART_POINTS, nsnaps);
    if (!addr_bars || !net_bars || !answers)
        return -1;
    addr_bars->bin_width = net_bars->bin_width = IH_NS_PER_HOUR;
    for (size_t k = 0; k < addr_bars->n; k++) {
        size_t i = alert_series_source(addr_bars, k);
        addr_bars->times[k] = net_bars->times[k] = hours[i] * IH_NS_PER_HOUR;
        addr_bars->values[k] = addr_counts[i];
        net_bars->values[k] = net_counts[i];
    }
    for (size_t k = 0; k < answers->n; k++) {
        size_t i = alert_series_source(answers, k);
        answers->times[k] = snaps[i].time;
        answers->values[k] = snaps[i].n;
    }

    for (size_t i = 0; i < nsnaps; i++) {
        signal_text list = {0};
        size_t unsampled = 0;
        for (size_t k = 0; k < snaps[i].n; k++) {
            int at = find_addr(hashes, d->naddrs, snaps[i].set[k]);
            if (at < 0) {
                unsampled++;
                continue;
            }
            char text[IH_ADDR_TEXT_MAX];
            signal_addr_text(&d->addrs[at], text);
            signal_text_printf(&list, "%s%s", list.s && list.s[0] ? ", " : "", text);
        }
        char detail[64] = "";
        if (unsampled)
            snprintf(detail, sizeof(detail), "%zu addresses not in the sample", unsampled);
        ih_str addresses = list.s ? (ih_str){list.s, strlen(list.s)} : (ih_str){NULL, 0};
        ih_str extra = unsampled ? (ih_str){detail, strlen(detail)} : (ih_str){NULL, 0};
        int rc = list.failed ? -1
                             : alert_add_event(a, snaps[i].time, "answer", (ih_str){NULL, 0}, name, addresses,
                                               extra);
        signal_text_free(&list);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int emit_domain(flux_state *s, uint32_t name_id, flux_domain *d, bool evidence, ih_alert_list *out)
{
    const flux_params *fp = s->params;
    ih_str name = intern_text(&s->strings, name_id);
    net_features f;
    network_features(fp->enrich, d->addrs, d->naddrs, &f);
    size_t rotations;
    double new_rate;
    churn(d, &rotations, &new_rate);
    size_t ns_rot = ns_rotations(d);
    bool double_flux = d->nns >= fp->min_ns_names && ns_rot >= (size_t)fp->min_rotations;
    bool ttl_known = d->min_ttl >= 0;

    bool fluxing = (int64_t)f.addresses >= fp->min_addresses && (int64_t)f.orgs >= fp->min_networks &&
                   f.top_share <= fp->max_network_share && (int64_t)rotations >= fp->min_rotations &&
                   new_rate >= fp->min_new_rate &&
                   (!ttl_known || d->min_ttl <= fp->max_ttl);
    if (!fluxing && !double_flux)
        return 0;

    double holz = HOLZ_ADDR_WEIGHT * (double)f.addresses + HOLZ_ASN_WEIGHT * (double)f.asns;
    double diversity = 1 - f.top_share;
    double size = clamp01((double)f.addresses / 15.0);
    double ttl = ttl_known ? clamp01(1 - log((double)(d->min_ttl > 300 ? d->min_ttl : 300) / 300.0) /
                                             log(12.0))
                           : 0.5;
    double change = clamp01(2 * new_rate);
    double holz_part = f.asn_known ? clamp01(holz / HOLZ_THRESHOLD) : 0.5;
    double score = 0.3 * diversity + 0.15 * size + 0.15 * ttl + 0.25 * change + 0.15 * holz_part;
    if (double_flux)
        score = score + (1 - score) * 0.5;
    /* Prefixes are a poor stand-in for networks (one provider spans many), so without ASNs
       the score is multiplied by 0.75. */
    if (!f.asn_known)
        score *= 0.75;

    zone_match pool;
    bool is_pool = zone_set_match(&fp->pools, name.ptr, name.len, false, &pool);
    if (is_pool)
        score *= fp->pool_factor;
    int points = (int)(100 * score + 0.5);
    if (points < fp->min_score)
        return 0;

    ih_alert *a = alert_list_add(out);
    if (!a)
        return -1;
    a->alert_type = "FastFlux";
    a->timestamp = d->last == INT64_MIN ? IH_TIME_NONE : d->last;
    ih_str dev = d->ndevices == 1 ? intern_text(&s->strings, d->devices[0]) : IH_STR_LIT("Multiple");
    a->device_name = alert_strdup(dev);
    a->remote_url = alert_strdup(name);
    char first[IH_ADDR_TEXT_MAX] = "";
    if (d->naddrs)
        signal_addr_text(&d->addrs[0], first);
    a->remote_ip = alert_strdup((ih_str){first, strlen(first)});
    a->connection_count = d->answers + d->connections;
    int rc = alert_set_strings(&a->sample_processes, &a->nsample_processes, NULL, 0);
    if (!a->device_name || !a->remote_url || !a->remote_ip)
        rc = -1;

    signal_text b = {0};
    signal_text_printf(&b, "%.*s: %llu answers", (int)name.len, name.ptr,
                       (unsigned long long)(d->answers + d->connections));
    signal_text_printf(&b, " gave ");
    explain_networks(&b, fp->enrich, &f);
    if (d->addrs_saturated)
        signal_text_printf(&b, " (at least: the sample keeps %d)", FLUX_ADDRS);
    if (ttl_known)
        signal_text_printf(&b, ", TTL %lld to %lld s", (long long)d->min_ttl, (long long)d->max_ttl);
    else
        signal_text_printf(&b, ", TTL unknown (the source records none)");
    signal_text_printf(&b, ". The address set changed %zu times between answers; %.0f %% of an answer's "
                           "addresses were new on average",
                       rotations, 100 * new_rate);
    if (f.asn_known)
        signal_text_printf(&b, ". Holz flux score %.1f (fast flux above %.2f)", holz, HOLZ_THRESHOLD);
    else
        signal_text_printf(&b, ". Without ASNs the score is multiplied by 0.75");
    if (double_flux)
        signal_text_printf(&b, ". Double flux: %u name servers, the NS set changed %zu times", d->nns, ns_rot);
    if (is_pool)
        signal_text_printf(&b, ". Down-ranked: %.*s is a public server pool (server_pools), whose "
                               "answers rotate by design",
                           (int)name.len, name.ptr);
    signal_text_printf(&b, ".");
    static const char *const techniques[] = {"T1584", "T1568.001"};
    rc |= alert_set_assessment(a, points, signal_severity(points, fp->high, fp->medium, fp->low),
                               confidence_of(d->nsnaps), techniques, 2,
                               b.failed || !b.s ? "" : b.s);
    rc |= b.failed ? -1 : 0;
    signal_text_free(&b);

    rc |= alert_add_int(a, "DistinctIPs", (int64_t)f.addresses);
    rc |= alert_add_int(a, "DistinctPrefixes", (int64_t)f.prefixes);
    if (f.asn_known) {
        rc |= alert_add_int(a, "DistinctASNs", (int64_t)f.asns);
        rc |= alert_add_int(a, "DistinctOperators", (int64_t)f.orgs);
        rc |= add_asn_texts(a, fp->enrich, &f);
        rc |= alert_add_double(a, "HolzScore", round2(holz));
        if (f.countries)
            rc |= alert_add_int(a, "DistinctCountries", (int64_t)f.countries);
    }
    rc |= alert_add_double(a, "TopNetworkShare", round2(f.top_share));
    if (ttl_known) {
        rc |= alert_add_int(a, "MinTTLSeconds", d->min_ttl);
        rc |= alert_add_int(a, "MaxTTLSeconds", d->max_ttl);
    }
    rc |= alert_add_int(a, "Rotations", (int64_t)rotations);
    rc |= alert_add_double(a, "NewAddressRate", round2(new_rate));
    if (d->nns) {
        ih_str views[FLUX_NS];
        for (size_t i = 0; i < d->nns; i++)
            views[i] = intern_text(&s->strings, d->ns[i]);
        rc |= alert_add_texts(a, "NameServers", views, d->nns);
        rc |= alert_add_int(a, "NameServerRotations", (int64_t)ns_rot);
    }
    rc |= add_addr_texts(a, "SampleIPs", d->addrs, d->naddrs);
    ih_str devices[4];
    for (size_t i = 0; i < d->ndevices; i++)
        devices[i] = intern_text(&s->strings, d->devices[i]);
    rc |= alert_add_texts(a, "Devices", devices, d->ndevices);
    if (d->first != INT64_MAX)
        rc |= alert_add_time(a, "FirstSeen", d->first);
    if (is_pool)
        rc |= alert_add_text(a, "DownRanked", IH_STR_LIT("server pool"));
    if (evidence && rc == 0)
        rc = add_domain_evidence(fp, d, name, a);
    return rc ? -1 : 0;
}

static int emit_fanout(flux_state *s, const fanout_key *k, const fanout_group *g, ih_alert_list *out)
{
    const flux_params *fp = s->params;
    if ((int64_t)g->naddrs < fp->fanout_min_addresses || (int64_t)g->count < fp->fanout_min_connections)
        return 0;
    net_features f;
    network_features(fp->enrich, g->addrs, g->naddrs, &f);
    if ((int64_t)f.orgs < fp->fanout_min_networks || f.top_share > fp->max_network_share)
        return 0;
    ih_str process = intern_text(&s->strings, k->process);
    bool good = known_good(fp, process);

    double diversity = 1 - f.top_share;
    double score = 0.4 * diversity + 0.3 * clamp01((double)g->naddrs / 20.0) +
                   0.3 * clamp01((double)g->count / 30.0);
    if (good)
        score *= fp->known_good_factor;
    int points = (int)(100 * score + 0.5);
    if (points < fp->min_score)
        return 0;

    ih_alert *a = alert_list_add(out);
    if (!a)
        return -1;
    ih_str dev = intern_text(&s->strings, k->device_name);
    a->alert_type = "FastFluxFanOut";
    a->timestamp = k->hour * IH_NS_PER_HOUR;
    a->device_name = alert_strdup(dev);
    a->remote_ip = alert_strdup(IH_STR_LIT(""));
    a->remote_url = alert_strdup(g->nnames ? intern_text(&s->strings, g->names[0]) : IH_STR_LIT(""));
    a->connection_count = g->count;
    int rc = alert_set_strings(&a->sample_processes, &a->nsample_processes, &process, 1);
    if (!a->device_name || !a->remote_ip || !a->remote_url)
        rc = -1;

    char hour[IH_TIME_TEXT_MAX];
    ih_time_format(k->hour * IH_NS_PER_HOUR, hour);
    signal_text b = {0};
    signal_text_printf(&b, "%.*s on %.*s connected %llu times within the hour from %s to ", (int)process.len,
                       process.ptr, (int)dev.len, dev.ptr, (unsigned long long)g->count, hour);
    explain_networks(&b, fp->enrich, &f);
    if (g->saturated)
        signal_text_printf(&b, " (at least: the sample keeps %d)", FANOUT_ADDRS);
    if (g->nnames) {
        signal_text_printf(&b, ", by the names ");
        for (size_t i = 0; i < g->nnames; i++) {
            ih_str n = intern_text(&s->strings, g->names[i]);
            signal_text_printf(&b, "%s%.*s", i ? ", " : "", (int)n.len, n.ptr);
        }
    }
    if (good)
        signal_text_printf(&b, ". Down-ranked: %.*s is a known-good process (fanout_known_good: browsers, "
                               "svchost, Defender), which reaches many servers by design",
                           (int)process.len, process.ptr);
    signal_text_printf(&b, ".");
    static const char *const techniques[] = {"T1584", "T1568.001"};
    rc |= alert_set_assessment(a, points, signal_severity(points, fp->high, fp->medium, fp->low),
                               g->count >= 20 ? "medium" : "low", techniques, 2, b.failed || !b.s ? "" : b.s);
    rc |= b.failed ? -1 : 0;
    signal_text_free(&b);

    rc |= alert_add_text(a, "DeviceId", intern_text(&s->strings, k->device_id));
    rc |= alert_add_int(a, "UniqueIPs", (int64_t)g->naddrs);
    rc |= alert_add_int(a, "DistinctPrefixes", (int64_t)f.prefixes);
    if (f.asn_known) {
        rc |= alert_add_int(a, "DistinctASNs", (int64_t)f.asns);
        rc |= add_asn_texts(a, fp->enrich, &f);
    }
    rc |= alert_add_double(a, "TopNetworkShare", round2(f.top_share));
    rc |= add_addr_texts(a, "SampleIPs", g->addrs, g->naddrs);
    ih_str names[FANOUT_NAMES];
    for (size_t i = 0; i < g->nnames; i++)
        names[i] = intern_text(&s->strings, g->names[i]);
    rc |= alert_add_texts(a, "SampleURLs", names, g->nnames);
    rc |= alert_add_time(a, "FirstSeen", g->first);
    rc |= alert_add_time(a, "LastSeen", g->last);
    if (good)
        rc |= alert_add_text(a, "DownRanked", IH_STR_LIT("known-good process"));
    return rc ? -1 : 0;
}

static int flux_finish(void *v, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag)
{
    flux_state *s = v;
    for (size_t i = 0; i < s->domain_index.count; i++)
        if (emit_domain(s, *(const uint32_t *)keymap_key(&s->domain_index, i), &s->domains[i], info->evidence,
                        out) < 0)
            return -1;
    for (size_t i = 0; i < s->fanout_index.count; i++)
        if (emit_fanout(s, keymap_key(&s->fanout_index, i), &s->fanouts[i], out) < 0)
            return -1;
    ih_diag_count_used(diag, "flux domains", s->domain_index.count);
    ih_diag_count_used(diag, "flux process-hours", s->fanout_index.count);
    return 0;
}

const ih_detector ih_detector_flux = {
    .name = "flux",
    .configure = flux_configure,
    .params_free = flux_params_free,
    .state_new = flux_state_new,
    .state_free = flux_state_free,
    .conn = flux_conn,
    .dns = flux_dns,
    .merge = flux_merge,
    .finish = flux_finish,
};
