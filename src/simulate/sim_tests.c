/*
 * The reference rule's three tests, as activity of one infected workstation
 * (WS-FIN-07) and, for dynamic DNS, a second one (WS-HR-02):
 *
 * 1. Beaconing: an encoded PowerShell implant calls one DigitalOcean address
 *    on port 8080 over HTTP every 30 s with 20 % jitter, so each interval is
 *    uniform in [24 s, 36 s]. It misses 2 % of its beats, goes quiet once
 *    for 4 to 9 minutes, and runs for 3 h 44 min. Every 25 to 70 beats the
 *    operator queues a task: that response is larger, and the next request
 *    posts the output.
 * 2. Dynamic DNS: the implant looks up six names under duckdns.org, ddns.net
 *    and hopto.org (A records, TTL 60 s) and calls each over HTTPS three to
 *    five times; rundll32.exe on the second host calls two of them.
 * 3. Fast flux: the implant looks up one name whose answers carry five
 *    addresses on home broadband networks of different ASNs (TTL 150 s, new
 *    addresses on every lookup that reaches the network), and makes 24 HTTP
 *    calls on port 80, 25 to 55 s apart, to 20 or more of them, all inside
 *    one clock hour.
 *
 * Before each call by name, the process asks the resolver; the host's cache
 * answers while the TTL lasts, so only expired lookups reach the network.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_catalog.h"

/* Random stream numbers of the tests; background actors use other numbers. */
enum { STREAM_INDICATORS = 1000, STREAM_BEACON, STREAM_DDNS, STREAM_FLUX };

#define SEC IH_NS_PER_SEC
#define MIN (60 * IH_NS_PER_SEC)

static const char *const ddns_names[SIM_DDNS_NAMES] = {
    "invoice-portal.duckdns.org", "msupdate-cdn.duckdns.org", "vpn-helpdesk.ddns.net",
    "files-share.ddns.net",       "login-verify.hopto.org",   "cloud-sync.hopto.org",
};
#define DDNS_TTL 60

/* A name under example.net, which is reserved for documentation, so no real host has it. */
static const char flux_name[] = "cdn.update-mirror.example.net";
#define FLUX_TTL 150
#define FLUX_ANSWERS 5
#define FLUX_CALLS 24

unsigned sim_test_parse(const char *name)
{
    if (strcmp(name, "beacon") == 0)
        return SIM_TEST_BEACON;
    if (strcmp(name, "ddns") == 0)
        return SIM_TEST_DDNS;
    if (strcmp(name, "fastflux") == 0)
        return SIM_TEST_FASTFLUX;
    if (strcmp(name, "all") == 0)
        return SIM_TEST_ALL;
    return 0;
}

const char *sim_test_name(unsigned test)
{
    switch (test) {
    case SIM_TEST_BEACON: return "beacon";
    case SIM_TEST_DDNS: return "ddns";
    case SIM_TEST_FASTFLUX: return "fastflux";
    case SIM_TEST_ALL: return "all";
    default: return "none";
    }
}

/* The C2 address (one of DigitalOcean's) and the three dynamic-DNS servers, by seed. */
static void test_addresses(uint64_t seed, uint32_t *c2, uint32_t ddns[SIM_DDNS_POOLS])
{
    sim_rng r;
    sim_rng_seed(&r, seed, STREAM_INDICATORS);
    *c2 = sim_pool_pick(&sim_c2_pools[sim_rng_below(&r, SIM_C2_POOLS)], &r);
    for (size_t i = 0; i < SIM_DDNS_POOLS; i++)
        ddns[i] = sim_pool_pick(&sim_ddns_pools[i], &r);
}

void sim_indicators_get(const sim_options *o, sim_indicators *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t c2, ddns[SIM_DDNS_POOLS];
    test_addresses(o->seed, &c2, ddns);
    sim_ipv4_text(c2, out->c2_ip);
    out->c2_port = 8080;
    for (size_t i = 0; i < SIM_DDNS_NAMES; i++)
        out->ddns_names[i] = ddns_names[i];
    out->flux_name = flux_name;

    /* The victim's names depend only on the seed; a throwaway world computes them. */
    sim_world *w = sim_world_new(o);
    sim_host_info *h = w ? sim_world_host(w, SIM_HOST_VICTIM) : NULL;
    if (h) {
        memcpy(out->victim_computer, h->host.computer, sizeof(out->victim_computer));
        memcpy(out->victim_device_name, h->host.device_name, sizeof(out->victim_device_name));
        memcpy(out->victim_ip, h->host.ip, sizeof(out->victim_ip));
    }
    sim_world_free(w);
}

static void free_actor(sim_actor *a)
{
    free(a);
}

/* --- Test 1: beaconing --- */

#define BEACON_PERIOD (30 * SEC)
#define BEACON_JITTER 0.2
#define BEACON_MISS 0.02

static const sim_service beacon_http = {
    .port = 8080, .protocol = SIM_TCP, .zeek_service = "http", .sent_min = 280,
    .sent_max = 420, .received_min = 150, .received_max = 260, .duration_min_ms = 40,
    .duration_max_ms = 400,
};

typedef struct beacon_actor {
    sim_actor base;
    const sim_process *process;
    uint32_t c2;
    ih_time end, outage_start, outage_end;
    int beats_to_task;
    uint64_t pending_output; /* bytes the next request posts */
} beacon_actor;

static ih_time beacon_interval(sim_rng *r)
{
    return (ih_time)((double)BEACON_PERIOD * (1.0 + BEACON_JITTER * (2.0 * sim_rng_unit(r) - 1.0)));
}

static void beacon_step(sim_actor *a, sim_event *e)
{
    beacon_actor *b = (beacon_actor *)a;
    sim_rng *r = &a->rng;

    sim_event_start(e, SIM_EVENT_CONN, a->next, b->process, r);
    e->test = SIM_TEST_BEACON;
    sim_event_conn(e, r, &beacon_http, b->c2, NULL);
    uint64_t sent = e->bytes_sent + b->pending_output, received = e->bytes_received;
    b->pending_output = 0;
    if (--b->beats_to_task <= 0) {
        received += sim_rng_log_range(r, 3000, 60000);
        b->pending_output = sim_rng_log_range(r, 800, 40000);
        b->beats_to_task = (int)sim_rng_range(r, 25, 70);
        e->duration_us += (int64_t)sim_rng_range(r, 50, 900) * 1000;
    }
    sim_event_payload(e, sent, received);

    /* The next beat: jittered, sometimes missed, never inside the outage. */
    ih_time next = a->next + beacon_interval(r);
    while (sim_rng_chance(r, BEACON_MISS))
        next += beacon_interval(r);
    if (next >= b->outage_start && next < b->outage_end)
        next = b->outage_end + beacon_interval(r);
    a->next = next <= b->end ? next : IH_TIME_NONE;
}

static sim_actor *beacon_new(sim_world *w, const sim_options *o, uint32_t c2)
{
    beacon_actor *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    sim_rng_seed(&b->base.rng, o->seed, STREAM_BEACON);
    sim_rng *r = &b->base.rng;
    sim_host_info *victim = sim_world_host(w, SIM_HOST_VICTIM);
    b->process = victim ? sim_world_process_at(w, victim, &sim_img_powershell_implant,
                                               o->start + 46 * MIN + 3 * SEC)
                        : NULL;
    if (!b->process) {
        free(b);
        return NULL;
    }
    b->c2 = c2;
    b->base.next = o->start + 47 * MIN + sim_rng_range(r, 0, 59 * SEC);
    b->end = o->start + 4 * 60 * MIN + 31 * MIN;
    b->outage_start = o->start + 130 * MIN + sim_rng_range(r, 0, 10 * MIN);
    b->outage_end = b->outage_start + sim_rng_range(r, 4 * MIN, 9 * MIN);
    b->beats_to_task = (int)sim_rng_range(r, 3, 12);
    b->base.step = beacon_step;
    b->base.free = free_actor;
    return &b->base;
}

/* --- Test 2: dynamic DNS --- */

static const sim_service ddns_https = {
    .port = 443, .protocol = SIM_TCP, .zeek_service = "ssl", .sent_min = 800,
    .sent_max = 6000, .received_min = 1500, .received_max = 90000, .duration_min_ms = 300,
    .duration_max_ms = 30000,
};

typedef struct ddns_visit {
    ih_time at;
    uint8_t host;  /* 0 the victim, 1 the second host */
    uint8_t name;  /* index into ddns_names */
    uint8_t calls;
} ddns_visit;

typedef struct ddns_actor {
    sim_actor base;
    const sim_process *process[2];
    uint32_t addr[SIM_DDNS_NAMES];
    ih_time expires[2][SIM_DDNS_NAMES]; /* each host's cache */
    ddns_visit visits[SIM_DDNS_NAMES + 2];
    size_t nvisits, current;
    unsigned calls_left;
    bool lookup_next;
} ddns_actor;

static void ddns_step(sim_actor *a, sim_event *e)
{
    ddns_actor *d = (ddns_actor *)a;
    sim_rng *r = &a->rng;
    const ddns_visit *v = &d->visits[d->current];
    const char *name = ddns_names[v->name];

    sim_event_start(e, d->lookup_next ? SIM_EVENT_DNS : SIM_EVENT_CONN, a->next,
                    d->process[v->host], r);
    e->test = SIM_TEST_DDNS;
    if (d->lookup_next) {
        sim_event_dns(e, r, name, NULL, 0, &d->addr[v->name], 1, DDNS_TTL);
        ih_time *expires = &d->expires[v->host][v->name];
        e->cached = a->next < *expires;
        if (!e->cached)
            *expires = a->next + DDNS_TTL * SEC;
        d->lookup_next = false;
        a->next += (e->cached ? 0 : e->rtt_us * 1000) + sim_rng_range(r, 1, 20) * 1000000;
        return;
    }

    sim_event_conn(e, r, &ddns_https, d->addr[v->name], name);
    if (--d->calls_left > 0) {
        a->next += sim_rng_range(r, 8, 90) * SEC;
        d->lookup_next = true;
        return;
    }
    if (++d->current == d->nvisits) {
        a->next = IH_TIME_NONE;
        return;
    }
    v = &d->visits[d->current];
    ih_time after = a->next + sim_rng_range(r, 1, 30) * SEC;
    a->next = v->at > after ? v->at : after;
    d->calls_left = v->calls;
    d->lookup_next = true;
}

static int compare_visits(const void *x, const void *y)
{
    const ddns_visit *a = x, *b = y;
    return (a->at > b->at) - (a->at < b->at);
}

static sim_actor *ddns_new(sim_world *w, const sim_options *o, const uint32_t *servers)
{
    ddns_actor *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    sim_rng_seed(&d->base.rng, o->seed, STREAM_DDNS);
    sim_rng *r = &d->base.rng;
    sim_host_info *victim = sim_world_host(w, SIM_HOST_VICTIM);
    sim_host_info *second = sim_world_host(w, SIM_HOST_SECOND);
    if (victim && second) {
        d->process[0] = sim_world_process_at(w, victim, &sim_img_powershell_implant,
                                             o->start + 46 * MIN + 3 * SEC);
        d->process[1] = sim_world_process_at(w, second, &sim_img_rundll32_loader,
                                             o->start + 105 * MIN + 41 * SEC);
    }
    if (!d->process[0] || !d->process[1]) {
        free(d);
        return NULL;
    }
    /* Two names of each provider share one server. */
    for (size_t i = 0; i < SIM_DDNS_NAMES; i++)
        d->addr[i] = servers[i / 2];

    for (size_t i = 0; i < SIM_DDNS_NAMES; i++)
        d->visits[d->nvisits++] = (ddns_visit){
            o->start + 65 * MIN + (ih_time)i * 17 * MIN + sim_rng_range(r, 0, 300) * SEC, 0,
            (uint8_t)i, (uint8_t)sim_rng_range(r, 3, 5)};
    d->visits[d->nvisits++] = (ddns_visit){o->start + 110 * MIN + sim_rng_range(r, 0, 300) * SEC,
                                           1, 0, (uint8_t)sim_rng_range(r, 2, 3)};
    d->visits[d->nvisits++] = (ddns_visit){o->start + 140 * MIN + sim_rng_range(r, 0, 300) * SEC,
                                           1, 2, (uint8_t)sim_rng_range(r, 2, 3)};
    qsort(d->visits, d->nvisits, sizeof(d->visits[0]), compare_visits);

    d->base.next = d->visits[0].at;
    d->calls_left = d->visits[0].calls;
    d->lookup_next = true;
    d->base.step = ddns_step;
    d->base.free = free_actor;
    return &d->base;
}

/* --- Test 3: fast flux --- */

static const sim_service flux_http = {
    .port = 80, .protocol = SIM_TCP, .zeek_service = "http", .sent_min = 300,
    .sent_max = 520, .received_min = 2000, .received_max = 60000, .duration_min_ms = 200,
    .duration_max_ms = 6000,
};

typedef struct flux_actor {
    sim_actor base;
    const sim_process *process;
    ih_time expires;
    uint32_t answer[FLUX_ANSWERS];
    uint32_t used[FLUX_CALLS];
    size_t nused;
    unsigned calls_left;
    bool lookup_next;
} flux_actor;

/* Five addresses, each from a different home broadband network. */
static void flux_resolve(flux_actor *f, sim_rng *r)
{
    size_t pools[SIM_FLUX_POOLS];
    for (size_t i = 0; i < SIM_FLUX_POOLS; i++)
        pools[i] = i;
    for (size_t i = 0; i < FLUX_ANSWERS; i++) {
        size_t k = i + (size_t)sim_rng_below(r, SIM_FLUX_POOLS - i);
        size_t t = pools[i];
        pools[i] = pools[k];
        pools[k] = t;
        f->answer[i] = sim_pool_pick(&sim_flux_pools[pools[i]], r);
    }
}

/* An address of the current answer not called yet, when there is one. */
static uint32_t flux_target(flux_actor *f, sim_rng *r)
{
    size_t start = (size_t)sim_rng_below(r, FLUX_ANSWERS);
    for (size_t k = 0; k < FLUX_ANSWERS; k++) {
        uint32_t a = f->answer[(start + k) % FLUX_ANSWERS];
        bool seen = false;
        for (size_t i = 0; i < f->nused; i++)
            seen |= f->used[i] == a;
        if (!seen)
            return a;
    }
    return f->answer[start];
}

static void flux_step(sim_actor *a, sim_event *e)
{
    flux_actor *f = (flux_actor *)a;
    sim_rng *r = &a->rng;

    sim_event_start(e, f->lookup_next ? SIM_EVENT_DNS : SIM_EVENT_CONN, a->next, f->process, r);
    e->test = SIM_TEST_FASTFLUX;
    if (f->lookup_next) {
        bool cached = a->next < f->expires;
        if (!cached) {
            flux_resolve(f, r);
            f->expires = a->next + FLUX_TTL * SEC;
        }
        sim_event_dns(e, r, flux_name, NULL, 0, f->answer, FLUX_ANSWERS, FLUX_TTL);
        e->cached = cached;
        f->lookup_next = false;
        a->next += (cached ? 0 : e->rtt_us * 1000) + sim_rng_range(r, 1, 20) * 1000000;
        return;
    }

    uint32_t target = flux_target(f, r);
    sim_event_conn(e, r, &flux_http, target, flux_name);
    if (f->nused < FLUX_CALLS)
        f->used[f->nused++] = target;
    if (--f->calls_left == 0) {
        a->next = IH_TIME_NONE;
        return;
    }
    a->next += sim_rng_range(r, 25, 55) * SEC;
    f->lookup_next = true;
}

static sim_actor *flux_new(sim_world *w, const sim_options *o)
{
    flux_actor *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    sim_rng_seed(&f->base.rng, o->seed, STREAM_FLUX);
    sim_host_info *victim = sim_world_host(w, SIM_HOST_VICTIM);
    f->process = victim ? sim_world_process_at(w, victim, &sim_img_powershell_implant,
                                               o->start + 46 * MIN + 3 * SEC)
                        : NULL;
    if (!f->process) {
        free(f);
        return NULL;
    }
    /* Inside one clock hour, so that an hourly bin holds every call. */
    ih_time hour = o->start + 3 * 60 * MIN;
    hour -= ((hour % IH_NS_PER_HOUR) + IH_NS_PER_HOUR) % IH_NS_PER_HOUR;
    f->base.next = hour + 8 * MIN + sim_rng_range(&f->base.rng, 0, 60) * SEC;
    f->calls_left = FLUX_CALLS;
    f->lookup_next = true;
    f->base.step = flux_step;
    f->base.free = free_actor;
    return &f->base;
}

int sim_tests_add(sim_world *w, const sim_options *o, sim_actor ***actors, size_t *n,
                  size_t *cap)
{
    uint32_t c2, servers[SIM_DDNS_POOLS];
    test_addresses(o->seed, &c2, servers);
    int added = 0;

    if (o->tests & SIM_TEST_BEACON) {
        if (sim_actor_push(beacon_new(w, o, c2), actors, n, cap) < 0)
            return -1;
        added++;
    }
    if (o->tests & SIM_TEST_DDNS) {
        if (sim_actor_push(ddns_new(w, o, servers), actors, n, cap) < 0)
            return -1;
        added++;
    }
    if (o->tests & SIM_TEST_FASTFLUX) {
        if (sim_actor_push(flux_new(w, o), actors, n, cap) < 0)
            return -1;
        added++;
    }
    return added;
}
