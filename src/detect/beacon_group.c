#include "beacon_group.h"

#include <stdlib.h>
#include <string.h>

/* A bucket further away than this many buckets is a gap without checking each one. */
#define MAX_GAP_SCAN 4096

static uint64_t mix64(uint64_t x)
{
    /* The splitmix64 finalizer. */
    x ^= x >> 30;
    x *= UINT64_C(0xBF58476D1CE4E5B9);
    x ^= x >> 27;
    x *= UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static unsigned level_of_bucket(int64_t index)
{
    uint64_t h = mix64((uint64_t)index + UINT64_C(0x9E3779B97F4A7C15));
    return h ? (unsigned)__builtin_ctzll(h) : 63;
}

unsigned beacon_bucket_level(ih_time time, int64_t bucket)
{
    return level_of_bucket(floor_div(time, bucket));
}

bool beacon_gap_between(ih_time a, ih_time b, int64_t bucket, unsigned level)
{
    if (level == 0)
        return false;
    int64_t from = floor_div(a, bucket), to = floor_div(b, bucket);
    if (to - from > MAX_GAP_SCAN)
        return true;
    for (int64_t i = from + 1; i < to; i++)
        if (level_of_bucket(i) < level)
            return true;
    return false;
}

static uint64_t hash_key(const beacon_key *k)
{
    uint64_t h = mix64(k->device_id ^ ((uint64_t)k->device_name << 32));
    h = mix64(h ^ k->process ^ ((uint64_t)k->dest << 32));
    return mix64(h ^ k->inbound ^ ((uint64_t)k->observer << 32));
}

static bool key_equal(const beacon_key *a, const beacon_key *b)
{
    return a->device_id == b->device_id && a->device_name == b->device_name &&
           a->process == b->process && a->dest == b->dest && a->observer == b->observer &&
           a->inbound == b->inbound;
}

int beacon_groups_init(beacon_groups *t, size_t max_obs, int64_t bucket)
{
    memset(t, 0, sizeof(*t));
    t->max_obs = max_obs;
    t->bucket = bucket;
    t->nslots = 1024;
    t->slots = calloc(t->nslots, sizeof(*t->slots));
    return t->slots ? 0 : -1;
}

void beacon_groups_free(beacon_groups *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->items[i].obs);
    free(t->items);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static int grow_slots(beacon_groups *t)
{
    size_t n = t->nslots * 2;
    uint32_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->count; i++) {
        size_t s = hash_key(&t->items[i].key) & (n - 1);
        while (slots[s])
            s = (s + 1) & (n - 1);
        slots[s] = (uint32_t)(i + 1);
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return 0;
}

beacon_group *beacon_groups_get(beacon_groups *t, const beacon_key *key)
{
    size_t s = hash_key(key) & (t->nslots - 1);
    for (; t->slots[s]; s = (s + 1) & (t->nslots - 1)) {
        beacon_group *g = &t->items[t->slots[s] - 1];
        if (key_equal(&g->key, key))
            return g;
    }
    if (t->count >= UINT32_MAX - 1)
        return NULL;
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        beacon_group *items = realloc(t->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        t->items = items;
        t->cap = cap;
    }
    beacon_group *g = &t->items[t->count];
    memset(g, 0, sizeof(*g));
    g->key = *key;
    g->first = INT64_MAX;
    g->last = INT64_MIN;
    t->slots[s] = (uint32_t)(++t->count);
    if (t->count * 2 > t->nslots && grow_slots(t) < 0)
        return NULL;
    return g;
}

/* Drops observations below the group's level, then raises it until the sample fits. */
static void enforce_cap(const beacon_groups *t, beacon_group *g)
{
    for (;;) {
        size_t kept = 0;
        for (size_t i = 0; i < g->nobs; i++)
            if (beacon_bucket_level(g->obs[i].time, t->bucket) >= g->level)
                g->obs[kept++] = g->obs[i];
        g->nobs = kept;
        if (g->nobs <= t->max_obs || g->level >= 64)
            return;
        g->level++;
    }
}

static int reserve(beacon_group *g, size_t need)
{
    if (need <= g->cap)
        return 0;
    size_t cap = g->cap ? g->cap : 8;
    while (cap < need)
        cap *= 2;
    beacon_obs *obs = realloc(g->obs, cap * sizeof(*obs));
    if (!obs)
        return -1;
    g->obs = obs;
    g->cap = cap;
    return 0;
}

int beacon_group_observe(const beacon_groups *t, beacon_group *g, ih_time time, uint32_t sent,
                         uint32_t received)
{
    if (g->level > 0 && beacon_bucket_level(time, t->bucket) < g->level)
        return 0;
    if (reserve(g, g->nobs + 1) < 0)
        return -1;
    g->obs[g->nobs++] = (beacon_obs){time, sent, received};
    if (g->nobs > t->max_obs)
        enforce_cap(t, g);
    return 0;
}

static int cmp_addr(const ih_addr *a, const ih_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

/* Adds count to addr in the sorted list of the smallest addresses. */
static void add_addr(beacon_group *g, const ih_addr *addr, uint64_t count)
{
    size_t i = 0;
    while (i < g->naddrs && cmp_addr(&g->addrs[i].addr, addr) < 0)
        i++;
    if (i < g->naddrs && cmp_addr(&g->addrs[i].addr, addr) == 0) {
        g->addrs[i].count += count;
        return;
    }
    if (i == BEACON_SMALLEST)
        return;
    size_t n = g->naddrs < BEACON_SMALLEST ? g->naddrs : BEACON_SMALLEST - 1;
    memmove(&g->addrs[i + 1], &g->addrs[i], (n - i) * sizeof(g->addrs[0]));
    g->addrs[i] = (beacon_addr_count){*addr, count};
    g->naddrs = n + 1;
}

static void add_port(beacon_group *g, int32_t port, uint64_t count)
{
    size_t i = 0;
    while (i < g->nports && g->ports[i].port < port)
        i++;
    if (i < g->nports && g->ports[i].port == port) {
        g->ports[i].count += count;
        return;
    }
    if (i == BEACON_SMALLEST)
        return;
    size_t n = g->nports < BEACON_SMALLEST ? g->nports : BEACON_SMALLEST - 1;
    memmove(&g->ports[i + 1], &g->ports[i], (n - i) * sizeof(g->ports[0]));
    g->ports[i] = (beacon_port_count){port, count};
    g->nports = n + 1;
}

static void add_local_port(beacon_group *g, int32_t port)
{
    size_t i = 0;
    while (i < g->nlocal_ports && g->local_ports[i] < port)
        i++;
    if ((i < g->nlocal_ports && g->local_ports[i] == port) || i == BEACON_LOCAL_PORTS)
        return;
    size_t n = g->nlocal_ports < BEACON_LOCAL_PORTS ? g->nlocal_ports : BEACON_LOCAL_PORTS - 1;
    memmove(&g->local_ports[i + 1], &g->local_ports[i], (n - i) * sizeof(g->local_ports[0]));
    g->local_ports[i] = port;
    g->nlocal_ports = n + 1;
}

void beacon_group_note_addr(beacon_group *g, const ih_addr *addr)
{
    if (addr->family != IH_AF_NONE)
        add_addr(g, addr, 1);
}

void beacon_group_note_port(beacon_group *g, int32_t port)
{
    if (port != IH_UNKNOWN_PORT)
        add_port(g, port, 1);
}

void beacon_group_note_local_port(beacon_group *g, int32_t port)
{
    if (port == IH_UNKNOWN_PORT)
        return;
    g->local_port_known++;
    add_local_port(g, port);
}

int beacon_group_merge(const beacon_groups *t, beacon_group *dst, const beacon_group *src)
{
    dst->count += src->count;
    dst->failed += src->failed;
    dst->first = src->first < dst->first ? src->first : dst->first;
    dst->last = src->last > dst->last ? src->last : dst->last;
    dst->sent += src->sent;
    dst->received += src->received;
    dst->sent_known += src->sent_known;
    dst->received_known += src->received_known;
    dst->protocols |= src->protocols;
    for (size_t i = 0; i < src->naddrs; i++)
        add_addr(dst, &src->addrs[i].addr, src->addrs[i].count);
    for (size_t i = 0; i < src->nports; i++)
        add_port(dst, src->ports[i].port, src->ports[i].count);
    for (size_t i = 0; i < src->nlocal_ports; i++)
        add_local_port(dst, src->local_ports[i]);
    dst->local_port_known += src->local_port_known;

    if (src->level > dst->level)
        dst->level = src->level;
    if (reserve(dst, dst->nobs + src->nobs) < 0)
        return -1;
    for (size_t i = 0; i < src->nobs; i++)
        if (beacon_bucket_level(src->obs[i].time, t->bucket) >= dst->level)
            dst->obs[dst->nobs++] = src->obs[i];
    enforce_cap(t, dst);
    return 0;
}
