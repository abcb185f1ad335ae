/*
 * The reference rule, bit for bit: three KQL parts over connection events
 * (beaconing, dynamic DNS, fast flux), unioned.
 *
 * Each event that passes the row filter of at least one part becomes a
 * 48-byte record of interned ids. Records, not per-group sums, are kept
 * because part 1's window (Timestamp > now - 7d) cuts through groups, and
 * by default `now` is the newest event time, known only after the last
 * record. The groups are formed at the end by sorting. Memory is therefore
 * 48 bytes per matching event plus the distinct strings.
 *
 * Deterministic stand-ins for what Kusto leaves undefined:
 * - make_set(x, N) keeps the N distinct values with the earliest first
 *   appearance in the group, ties broken by byte order, listed in that order;
 * - dcount() is exact.
 * A missing RemoteUrl, DeviceId or DeviceName is the empty string, as in
 * Kusto, where string columns have no null.
 */
#include "detect.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../event/addr.h"
#include "intern.h"

enum { PART_BEACON = 1, PART_DDNS = 2, PART_FLUX = 4 };

typedef struct seed_params {
    int64_t lookback;
    uint8_t beacon_actions; /* bit per enum ih_action */
    int64_t *ports;
    size_t nports;
    int64_t min_connections;
    int64_t bytes_sent_above;
    int64_t duration_hours_above;
    double min_rate, max_rate;
    int64_t beacon_samples;

    uint8_t ddns_actions;
    pcre2_code *pattern;
    int64_t ddns_process_samples, ddns_ip_samples;

    uint8_t flux_actions;
    const char **excluded;
    size_t nexcluded;
    int64_t bin;
    int64_t min_unique_ips, flux_min_connections;
    int64_t flux_url_samples, flux_process_samples;
} seed_params;

typedef struct seed_rec {
    int64_t ts;
    uint32_t device_id, device_name, remote_ip, remote_url, process;
    uint16_t port;
    uint8_t parts;
    uint64_t sent, received;
} seed_rec;

typedef struct seed_state {
    const seed_params *params;
    intern strings;
    seed_rec *recs;
    size_t nrecs, cap;
    /* Per-string caches: 0 unknown, 1 no, 2 yes. Indexed by interned id. */
    uint8_t *url_matches;
    uint8_t *process_excluded;
    size_t ncache;
    pcre2_match_data *match;
} seed_state;

static const struct {
    const char *name;
    enum ih_action action;
} action_names[] = {
    {"ConnectionSuccess", IH_ACTION_SUCCESS},
    {"ConnectionAttempt", IH_ACTION_ATTEMPT},
    {"ConnectionFailed", IH_ACTION_FAILED},
    {"InboundConnectionAccepted", IH_ACTION_INBOUND},
    {"ListeningConnectionCreated", IH_ACTION_LISTENING},
};

static int get_actions(profile *p, profile_node *cfg, uint8_t *out)
{
    const char **names;
    size_t n;

    if (profile_get_strings(p, cfg, "action_types", &names, &n) < 0)
        return -1;
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sizeof(action_names) / sizeof(action_names[0]) &&
               strcmp(action_names[k].name, names[i]) != 0)
            k++;
        if (k == sizeof(action_names) / sizeof(action_names[0])) {
            snprintf(p->error, sizeof(p->error),
                     "%s: action_types: unknown ActionType '%s' (expected ConnectionSuccess, "
                     "ConnectionAttempt, ConnectionFailed, InboundConnectionAccepted or "
                     "ListeningConnectionCreated)",
                     p->name, names[i]);
            free(names);
            return -1;
        }
        *out |= (uint8_t)(1u << action_names[k].action);
    }
    free(names);
    return 0;
}

static void seed_params_free(void *v)
{
    seed_params *sp = v;
    if (!sp)
        return;
    free(sp->ports);
    free(sp->excluded);
    pcre2_code_free(sp->pattern);
    free(sp);
}

static int configure_beaconing(profile *p, profile_node *cfg, seed_params *sp)
{
    if (profile_get_duration(p, cfg, "lookback", &sp->lookback) < 0 ||
        get_actions(p, cfg, &sp->beacon_actions) < 0 ||
        profile_get_ints(p, cfg, "ports", 0, 65535, &sp->ports, &sp->nports) < 0 ||
        profile_get_int(p, cfg, "min_connections", 0, INT64_MAX, &sp->min_connections) < 0 ||
        profile_get_int(p, cfg, "bytes_sent_above", INT64_MIN, INT64_MAX, &sp->bytes_sent_above) < 0 ||
        profile_get_int(p, cfg, "duration_hours_above", 0, INT64_MAX, &sp->duration_hours_above) < 0 ||
        profile_get_double(p, cfg, "min_rate", &sp->min_rate) < 0 ||
        profile_get_double(p, cfg, "max_rate", &sp->max_rate) < 0 ||
        profile_get_int(p, cfg, "sample_processes", 0, 1000, &sp->beacon_samples) < 0)
        return -1;
    return profile_check_unused(p, cfg, "seed.beaconing");
}

static int configure_ddns(profile *p, profile_node *cfg, seed_params *sp)
{
    const char *pattern;
    if (get_actions(p, cfg, &sp->ddns_actions) < 0 ||
        profile_get_string(p, cfg, "pattern", &pattern) < 0 ||
        profile_get_int(p, cfg, "sample_processes", 0, 1000, &sp->ddns_process_samples) < 0 ||
        profile_get_int(p, cfg, "sample_ips", 0, 1000, &sp->ddns_ip_samples) < 0)
        return -1;

    int code;
    PCRE2_SIZE at;
    sp->pattern = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
                                &at, NULL);
    if (!sp->pattern) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(p->error, sizeof(p->error), "%s: seed.dynamic_dns.pattern: invalid regex at offset %zu: %s",
                 p->name, (size_t)at, (char *)msg);
        return -1;
    }
    return profile_check_unused(p, cfg, "seed.dynamic_dns");
}

static int configure_flux(profile *p, profile_node *cfg, seed_params *sp)
{
    if (get_actions(p, cfg, &sp->flux_actions) < 0 ||
        profile_get_strings(p, cfg, "excluded_processes", &sp->excluded, &sp->nexcluded) < 0 ||
        profile_get_duration(p, cfg, "bin", &sp->bin) < 0 ||
        profile_get_int(p, cfg, "min_unique_ips", 0, INT64_MAX, &sp->min_unique_ips) < 0 ||
        profile_get_int(p, cfg, "min_connections", 0, INT64_MAX, &sp->flux_min_connections) < 0 ||
        profile_get_int(p, cfg, "sample_urls", 0, 1000, &sp->flux_url_samples) < 0 ||
        profile_get_int(p, cfg, "sample_processes", 0, 1000, &sp->flux_process_samples) < 0)
        return -1;
    if (sp->bin <= 0) {
        snprintf(p->error, sizeof(p->error), "%s: seed.fast_flux.bin must be longer than 0",
                 p->name);
        return -1;
    }
    return profile_check_unused(p, cfg, "seed.fast_flux");
}

static int seed_configure(profile *p, profile_node *cfg, void **out)
{
    seed_params *sp = calloc(1, sizeof(*sp));
    profile_node *part;

    if (!sp)
        return -1;
    int rc = -1;
    if (profile_get_map(p, cfg, "beaconing", &part) == 0 && configure_beaconing(p, part, sp) == 0 &&
        profile_get_map(p, cfg, "dynamic_dns", &part) == 0 && configure_ddns(p, part, sp) == 0 &&
        profile_get_map(p, cfg, "fast_flux", &part) == 0 && configure_flux(p, part, sp) == 0) {
        /* Declared and unused by the reference rule; read so it is not an unknown key. */
        profile_get(p, cfg, "suspicious_asns");
        rc = profile_check_unused(p, cfg, "seed");
    }
    if (rc < 0) {
        seed_params_free(sp);
        return -1;
    }
    *out = sp;
    return 0;
}

static void *seed_state_new(const void *params)
{
    seed_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->params = params;
    s->match = pcre2_match_data_create_from_pattern(s->params->pattern, NULL);
    if (!s->match || intern_init(&s->strings) < 0) {
        pcre2_match_data_free(s->match);
        free(s);
        return NULL;
    }
    return s;
}

static void seed_state_free(void *v)
{
    seed_state *s = v;
    if (!s)
        return;
    intern_free(&s->strings);
    free(s->recs);
    free(s->url_matches);
    free(s->process_excluded);
    pcre2_match_data_free(s->match);
    free(s);
}

static uint32_t intern_str(seed_state *s, ih_str v)
{
    return v.ptr ? intern_add(&s->strings, v.ptr, v.len) : 0;
}

/* Grows the per-string caches to cover every interned id. */
static int cache_cover(seed_state *s)
{
    size_t need = s->strings.count;
    if (need <= s->ncache)
        return 0;
    size_t n = s->ncache ? s->ncache : 1024;
    while (n < need)
        n *= 2;
    uint8_t *a = realloc(s->url_matches, n);
    if (a)
        s->url_matches = a;
    uint8_t *b = realloc(s->process_excluded, n);
    if (b)
        s->process_excluded = b;
    if (!a || !b)
        return -1;
    memset(a + s->ncache, 0, n - s->ncache);
    memset(b + s->ncache, 0, n - s->ncache);
    s->ncache = n;
    return 0;
}

static bool url_matches(seed_state *s, uint32_t url)
{
    if (s->url_matches[url] == 0) {
        ih_str t = intern_text(&s->strings, url);
        int rc = pcre2_match(s->params->pattern, (PCRE2_SPTR)t.ptr, t.len, 0, 0, s->match, NULL);
        s->url_matches[url] = rc >= 0 ? 2 : 1;
    }
    return s->url_matches[url] == 2;
}

static bool process_excluded(seed_state *s, uint32_t process)
{
    if (s->process_excluded[process] == 0) {
        ih_str t = intern_text(&s->strings, process);
        bool hit = false;
        for (size_t i = 0; i < s->params->nexcluded && !hit; i++)
            hit = strlen(s->params->excluded[i]) == t.len &&
                  strncasecmp(s->params->excluded[i], t.ptr, t.len) == 0;
        s->process_excluded[process] = hit ? 2 : 1;
    }
    return s->process_excluded[process] == 2;
}

static bool port_listed(const seed_params *sp, int32_t port)
{
    for (size_t i = 0; i < sp->nports; i++)
        if (sp->ports[i] == port)
            return true;
    return false;
}

static int seed_conn(void *v, const ih_conn *c)
{
    seed_state *s = v;
    const seed_params *sp = s->params;
    uint8_t action_bit = (uint8_t)(1u << c->action);

    /* ipv4_is_private() is null for anything but IPv4, and where drops nulls. */
    bool public_v4 = c->remote_addr.family == IH_AF_INET && !ih_addr_is_rfc1918(&c->remote_addr);
    bool beacon = (sp->beacon_actions & action_bit) && public_v4 && port_listed(sp, c->remote_port);
    bool ddns = (sp->ddns_actions & action_bit) && c->remote_name.len > 0;
    bool flux = (sp->flux_actions & action_bit) && public_v4;
    if (!beacon && !ddns && !flux)
        return 0;

    seed_rec r = {
        .ts = c->time,
        .device_id = intern_str(s, c->device_id),
        .device_name = intern_str(s, c->device_name),
        .remote_url = intern_str(s, c->remote_name),
        .process = intern_str(s, c->process_name),
        .port = (uint16_t)(c->remote_port >= 0 ? c->remote_port : 0),
        .sent = c->bytes_sent,
        .received = c->bytes_received,
    };
    /* The rule groups on the RemoteIP text; for a valid IPv4 address that is its canonical form. */
    r.remote_ip = intern_str(s, c->remote_ip_text);
    if (r.device_id == UINT32_MAX || r.device_name == UINT32_MAX || r.remote_url == UINT32_MAX ||
        r.process == UINT32_MAX || r.remote_ip == UINT32_MAX || cache_cover(s) < 0)
        return -1;

    if (ddns && !url_matches(s, r.remote_url))
        ddns = false;
    if (flux && process_excluded(s, r.process))
        flux = false;
    r.parts = (uint8_t)((beacon ? PART_BEACON : 0) | (ddns ? PART_DDNS : 0) | (flux ? PART_FLUX : 0));
    if (!r.parts)
        return 0;

    if (s->nrecs == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        seed_rec *recs = realloc(s->recs, cap * sizeof(*recs));
        if (!recs)
            return -1;
        s->recs = recs;
        s->cap = cap;
    }
    s->recs[s->nrecs++] = r;
    return 0;
}

static int seed_dns(void *v, const ih_dns *d)
{
    /* The reference rule reads connection events only. */
    (void)v;
    (void)d;
    return 0;
}

static int seed_merge(void *dv, void *sv)
{
    seed_state *dst = dv, *src = sv;

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
    if (dst->nrecs + src->nrecs > dst->cap) {
        size_t cap = dst->nrecs + src->nrecs;
        seed_rec *recs = realloc(dst->recs, cap * sizeof(*recs));
        if (!recs) {
            free(map);
            return -1;
        }
        dst->recs = recs;
        dst->cap = cap;
    }
    for (size_t i = 0; i < src->nrecs; i++) {
        seed_rec r = src->recs[i];
        r.device_id = map[r.device_id];
        r.device_name = map[r.device_name];
        r.remote_ip = map[r.remote_ip];
        r.remote_url = map[r.remote_url];
        r.process = map[r.process];
        dst->recs[dst->nrecs++] = r;
    }
    free(map);
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* A value and when it first appeared, for make_set() samples and exact dcount(). */
typedef struct seen {
    uint32_t id;
    int64_t ts;
} seen;

static int seen_by_id(const void *pa, const void *pb)
{
    const seen *a = pa, *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->ts < b->ts ? -1 : a->ts > b->ts;
}

static int seen_by_time(const void *pa, const void *pb, void *arg)
{
    const seen *a = pa, *b = pb;
    const intern *strings = arg;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    ih_str x = intern_text(strings, a->id), y = intern_text(strings, b->id);
    size_t n = x.len < y.len ? x.len : y.len;
    int c = memcmp(x.ptr, y.ptr, n);
    return c ? c : (x.len < y.len ? -1 : x.len > y.len);
}

/*
 * Reduces v to its distinct ids, each with its earliest time, ordered by
 * (time, text); returns the distinct count. The first entries are make_set().
 */
static size_t distinct_first_seen(const seed_state *s, seen *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), seen_by_id);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[m - 1].id != v[i].id)
            v[m++] = v[i];
    qsort_r(v, m, sizeof(*v), seen_by_time, (void *)&s->strings);
    return m;
}

/* Copies the texts of the first min(n, limit) ids into the sample list. */
static int set_sample(const seed_state *s, const seen *v, size_t n, int64_t limit, char ***dst,
                      size_t *ndst)
{
    size_t k = n < (size_t)limit ? n : (size_t)limit;
    ih_str *texts = malloc((k ? k : 1) * sizeof(*texts));
    if (!texts)
        return -1;
    for (size_t i = 0; i < k; i++)
        texts[i] = intern_text(&s->strings, v[i].id);
    int rc = alert_set_strings(dst, ndst, texts, k);
    free(texts);
    return rc;
}

static int add_sample_field(const seed_state *s, ih_alert *a, const char *name, const seen *v,
                            size_t n, int64_t limit)
{
    char **list;
    size_t count;
    if (set_sample(s, v, n, limit, &list, &count) < 0 || a->nfields == ALERT_MAX_FIELDS) {
        return -1;
    }
    alert_field *f = &a->fields[a->nfields++];
    memset(f, 0, sizeof(*f));
    f->name = name;
    f->kind = ALERT_TEXTS;
    f->texts = list;
    f->ntexts = count;
    return 0;
}

/* Sorts the indices of records in part, and calls emit once per group. */
/* A part's group key, from interned ids (and the hour bin for fast flux). */
typedef struct group_tuple {
    uint32_t a, b, c, d;
    int64_t bin;
} group_tuple;

static group_tuple tuple_of(const seed_state *s, int part, const seed_rec *r)
{
    group_tuple t = {0, 0, 0, 0, 0};
    if (part == PART_BEACON) {
        t = (group_tuple){r->device_id, r->device_name, r->remote_ip, r->remote_url, 0};
    } else if (part == PART_DDNS) {
        t.a = r->remote_url;
    } else {
        t.a = r->device_id;
        t.b = r->device_name;
        t.bin = floor_div(r->ts, s->params->bin);
    }
    return t;
}

static uint64_t tuple_hash(const group_tuple *t)
{
    uint64_t h = ((uint64_t)t->a << 32 | t->b) * UINT64_C(0x9E3779B97F4A7C15);
    h ^= ((uint64_t)t->c << 32 | t->d) * UINT64_C(0xC2B2AE3D27D4EB4F);
    h ^= (uint64_t)t->bin * UINT64_C(0x165667B19E3779F9);
    return h ^ (h >> 29);
}

/*
 * Groups the records of part that keep() accepts and calls emit once per
 * group. Groups get dense ids from a hash table of their key tuples, then a
 * counting sort lays each group's records out together, in record order.
 */
static int for_each_group(seed_state *s, int part, bool (*keep)(const seed_state *, const seed_rec *, const ih_scan_info *),
                          const ih_scan_info *info,
                          int (*emit)(seed_state *, const uint32_t *, size_t, const ih_scan_info *, ih_alert_list *),
                          ih_alert_list *out)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nrecs; i++)
        if ((s->recs[i].parts & part) && keep(s, &s->recs[i], info))
            n++;
    if (n == 0)
        return 0;

    size_t nslots = 16;
    while (nslots < n * 2)
        nslots *= 2;
    uint32_t *slots = calloc(nslots, sizeof(*slots)); /* group id + 1, or 0 */
    group_tuple *keys = malloc(n * sizeof(*keys));
    uint32_t *gid = malloc(n * sizeof(*gid)); /* per kept record, in record order */
    uint32_t *rec = malloc(n * sizeof(*rec));
    uint32_t *start = calloc(n + 1, sizeof(*start));
    uint32_t *idx = malloc(n * sizeof(*idx));
    int rc = -1;
    if (!slots || !keys || !gid || !rec || !start || !idx)
        goto done;

    size_t ngroups = 0, k = 0;
    for (size_t i = 0; i < s->nrecs; i++) {
        const seed_rec *r = &s->recs[i];
        if (!(r->parts & part) || !keep(s, r, info))
            continue;
        group_tuple t = tuple_of(s, part, r);
        size_t slot = tuple_hash(&t) & (nslots - 1);
        while (slots[slot]) {
            const group_tuple *g = &keys[slots[slot] - 1];
            if (g->a == t.a && g->b == t.b && g->c == t.c && g->d == t.d && g->bin == t.bin)
                break;
            slot = (slot + 1) & (nslots - 1);
        }
        if (!slots[slot]) {
            keys[ngroups] = t;
            slots[slot] = (uint32_t)++ngroups;
        }
        rec[k] = (uint32_t)i;
        gid[k++] = slots[slot] - 1;
    }

    for (size_t i = 0; i < n; i++)
        start[gid[i] + 1]++;
    for (size_t g = 0; g < ngroups; g++)
        start[g + 1] += start[g];
    for (size_t i = 0; i < n; i++)
        idx[start[gid[i]]++] = rec[i];
    /* start[g] now ends group g; group g begins where group g - 1 ends. */
    rc = 0;
    for (size_t g = 0, begin = 0; g < ngroups && rc == 0; g++) {
        rc = emit(s, idx + begin, start[g] - begin, info, out);
        begin = start[g];
    }
done:
    free(slots);
    free(keys);
    free(gid);
    free(rec);
    free(start);
    free(idx);
    return rc;
}

static bool keep_in_window(const seed_state *s, const seed_rec *r, const ih_scan_info *info)
{
    int64_t cutoff;
    /* A cutoff before the earliest representable time keeps every record. */
    if (__builtin_sub_overflow(info->now, s->params->lookback, &cutoff))
        return true;
    return r->ts > cutoff;
}

static bool keep_all(const seed_state *s, const seed_rec *r, const ih_scan_info *info)
{
    (void)s;
    (void)r;
    (void)info;
    return true;
}

static int emit_beacon(seed_state *s, const uint32_t *g, size_t n, const ih_scan_info *info,
                       ih_alert_list *out)
{
    const seed_params *sp = s->params;
    (void)info;

    uint64_t sent = 0, received = 0;
    bool sent_known = false, received_known = false;
    int64_t first = INT64_MAX, last = INT64_MIN;
    uint32_t ports = 0; /* bit per position in the profile's port list */
    for (size_t i = 0; i < n; i++) {
        const seed_rec *r = &s->recs[g[i]];
        if (r->sent != IH_UNKNOWN_BYTES) {
            sent += r->sent;
            sent_known = true;
        }
        if (r->received != IH_UNKNOWN_BYTES) {
            received += r->received;
            received_known = true;
        }
        first = r->ts < first ? r->ts : first;
        last = r->ts > last ? r->ts : last;
        for (size_t p = 0; p < sp->nports && p < 32; p++)
            if (sp->ports[p] == r->port)
                ports |= 1u << p;
    }

    /* KQL: datetime_diff('hour') subtracts hour-truncated times; long / long truncates. */
    int64_t hours = floor_div(last, IH_NS_PER_HOUR) - floor_div(first, IH_NS_PER_HOUR);
    if ((int64_t)n < sp->min_connections || !sent_known || (int64_t)sent <= sp->bytes_sent_above ||
        hours <= sp->duration_hours_above || hours <= 0)
        return 0;
    int64_t rate = (int64_t)n / hours;
    if ((double)rate < sp->min_rate || (double)rate > sp->max_rate)
        return 0;

    seen *procs = malloc(n * sizeof(*procs));
    ih_alert *a = procs ? alert_list_add(out) : NULL;
    if (!a) {
        free(procs);
        return -1;
    }
    const seed_rec *r0 = &s->recs[g[0]];
    for (size_t i = 0; i < n; i++)
        procs[i] = (seen){s->recs[g[i]].process, s->recs[g[i]].ts};
    size_t nprocs = distinct_first_seen(s, procs, n);

    a->alert_type = "PotentialBeaconing";
    a->timestamp = last;
    a->connection_count = n;
    a->bytes_sent = (int64_t)sent;
    a->bytes_received = received_known ? (int64_t)received : ALERT_BYTES_NULL;
    a->device_name = alert_strdup(intern_text(&s->strings, r0->device_name));
    a->remote_ip = alert_strdup(intern_text(&s->strings, r0->remote_ip));
    a->remote_url = alert_strdup(intern_text(&s->strings, r0->remote_url));
    int rc = set_sample(s, procs, nprocs, sp->beacon_samples, &a->sample_processes,
                        &a->nsample_processes);
    free(procs);
    if (rc < 0 || !a->device_name || !a->remote_ip || !a->remote_url ||
        alert_add_text(a, "DeviceId", intern_text(&s->strings, r0->device_id)) < 0 ||
        alert_add_time(a, "FirstSeen", first) < 0 || alert_add_time(a, "LastSeen", last) < 0 ||
        alert_add_int(a, "UniqueRemotePorts", __builtin_popcount(ports)) < 0 ||
        alert_add_int(a, "DurationHours", hours) < 0 || alert_add_int(a, "BeaconRate", rate) < 0)
        return -1;
    return 0;
}

static int emit_ddns(seed_state *s, const uint32_t *g, size_t n, const ih_scan_info *info,
                     ih_alert_list *out)
{
    const seed_params *sp = s->params;
    seen *procs = malloc(n * sizeof(*procs));
    seen *ips = malloc(n * sizeof(*ips));
    seen *devices = malloc(n * sizeof(*devices));
    ih_alert *a = procs && ips && devices ? alert_list_add(out) : NULL;
    int rc = -1;

    if (!a)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const seed_rec *r = &s->recs[g[i]];
        procs[i] = (seen){r->process, r->ts};
        ips[i] = (seen){r->remote_ip, r->ts};
        devices[i] = (seen){r->device_id, r->ts};
    }
    size_t nprocs = distinct_first_seen(s, procs, n);
    size_t nips = distinct_first_seen(s, ips, n);
    size_t ndevices = distinct_first_seen(s, devices, n);

    a->alert_type = "SuspiciousDynamicDNS";
    a->timestamp = info->now;
    a->connection_count = n;
    a->bytes_sent = 0;
    a->bytes_received = 0;
    a->device_name = alert_strdup(IH_STR_LIT("Multiple"));
    a->remote_ip = alert_strdup(nips && sp->ddns_ip_samples > 0 ? intern_text(&s->strings, ips[0].id)
                                                                : IH_STR_LIT(""));
    a->remote_url = alert_strdup(intern_text(&s->strings, s->recs[g[0]].remote_url));
    if (!a->device_name || !a->remote_ip || !a->remote_url ||
        set_sample(s, procs, nprocs, sp->ddns_process_samples, &a->sample_processes,
                   &a->nsample_processes) < 0 ||
        alert_add_int(a, "UniqueDevices", (int64_t)ndevices) < 0 ||
        add_sample_field(s, a, "SampleIPs", ips, nips, sp->ddns_ip_samples) < 0)
        goto done;
    rc = 0;
done:
    free(procs);
    free(ips);
    free(devices);
    return rc;
}

static int emit_flux(seed_state *s, const uint32_t *g, size_t n, const ih_scan_info *info,
                     ih_alert_list *out)
{
    const seed_params *sp = s->params;
    (void)info;

    seen *ips = malloc(n * sizeof(*ips));
    seen *urls = malloc(n * sizeof(*urls));
    seen *procs = malloc(n * sizeof(*procs));
    int rc = -1;
    if (!ips || !urls || !procs)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const seed_rec *r = &s->recs[g[i]];
        ips[i] = (seen){r->remote_ip, r->ts};
        urls[i] = (seen){r->remote_url, r->ts};
        procs[i] = (seen){r->process, r->ts};
    }
    size_t nips = distinct_first_seen(s, ips, n);
    rc = 0;
    if ((int64_t)nips < sp->min_unique_ips || (int64_t)n < sp->flux_min_connections)
        goto done;

    rc = -1;
    size_t nurls = distinct_first_seen(s, urls, n);
    size_t nprocs = distinct_first_seen(s, procs, n);
    const seed_rec *r0 = &s->recs[g[0]];
    ih_alert *a = alert_list_add(out);
    if (!a)
        goto done;
    a->alert_type = "PotentialFastFluxActivity";
    if (__builtin_mul_overflow(floor_div(r0->ts, sp->bin), sp->bin, &a->timestamp))
        a->timestamp = r0->ts; /* a bin that starts before 64-bit time can count */
    a->connection_count = n;
    a->bytes_sent = 0;
    a->bytes_received = 0;
    a->device_name = alert_strdup(intern_text(&s->strings, r0->device_name));
    a->remote_ip = alert_strdup(IH_STR_LIT(""));
    a->remote_url = alert_strdup(nurls && sp->flux_url_samples > 0 ? intern_text(&s->strings, urls[0].id)
                                                                   : IH_STR_LIT(""));
    if (!a->device_name || !a->remote_ip || !a->remote_url ||
        set_sample(s, procs, nprocs, sp->flux_process_samples, &a->sample_processes,
                   &a->nsample_processes) < 0 ||
        alert_add_text(a, "DeviceId", intern_text(&s->strings, r0->device_id)) < 0 ||
        alert_add_int(a, "UniqueIPs", (int64_t)nips) < 0 ||
        add_sample_field(s, a, "SampleURLs", urls, nurls, sp->flux_url_samples) < 0)
        goto done;
    rc = 0;
done:
    free(ips);
    free(urls);
    free(procs);
    return rc;
}

static int seed_finish(void *v, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag)
{
    seed_state *s = v;
    uint64_t used[3] = {0, 0, 0};

    for (size_t i = 0; i < s->nrecs; i++) {
        used[0] += (s->recs[i].parts & PART_BEACON) != 0;
        used[1] += (s->recs[i].parts & PART_DDNS) != 0;
        used[2] += (s->recs[i].parts & PART_FLUX) != 0;
    }
    ih_diag_count_used(diag, "seed.beaconing", used[0]);
    ih_diag_count_used(diag, "seed.dynamic_dns", used[1]);
    ih_diag_count_used(diag, "seed.fast_flux", used[2]);
    if (info->now == IH_TIME_NONE)
        return 0;

    if (for_each_group(s, PART_BEACON, keep_in_window, info, emit_beacon, out) < 0 ||
        for_each_group(s, PART_DDNS, keep_all, info, emit_ddns, out) < 0 ||
        for_each_group(s, PART_FLUX, keep_all, info, emit_flux, out) < 0)
        return -1;
    return 0;
}

const ih_detector ih_detector_seed = {
    .name = "seed",
    .configure = seed_configure,
    .params_free = seed_params_free,
    .state_new = seed_state_new,
    .state_free = seed_state_free,
    .conn = seed_conn,
    .dns = seed_dns,
    .merge = seed_merge,
    .finish = seed_finish,
};
