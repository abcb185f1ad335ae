/*
 * Benign background traffic: the false-positive classes of the reference
 * rule, and ordinary browsing. Each class gets a fixed share of the
 * requested event count, split among actors (one process on one host each).
 * An actor stops when it has used its share, so the background has exactly
 * the number of events asked for.
 *
 * Three patterns of activity:
 * - sessions: bursts at random times (exponential gaps), each a lookup and
 *   one to several connections, as a person using an application;
 * - periodic: one lookup and connection per beat, with a period, jitter and
 *   missed beats, as an agent on a timer;
 * - reconnect: a long-lived connection, opened again shortly after it ends,
 *   as a VPN client or a tunnel.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_catalog.h"

#define SEC IH_NS_PER_SEC
#define MS (IH_NS_PER_SEC / 1000)

/* Stream numbers of background actors start here, one per actor. */
#define STREAM_BACKGROUND 100000

/* Hosts count of the background: one per this many events, within limits. */
#define EVENTS_PER_HOST 1200
#define MAX_HOSTS 100000

enum pattern { SESSIONS = 1, PERIODIC, RECONNECT };
enum hosts { WORKSTATIONS = 1, SERVERS, ALL_HOSTS, DEVELOPERS, LAPTOPS };

#define MAX_SERVICES 16

/* One class of background traffic. */
typedef struct traffic_class {
    const char *name;
    unsigned share;          /* per mille of the background */
    uint8_t hosts;           /* enum hosts */
    uint8_t pattern;         /* enum pattern */
    const sim_image *image;  /* NULL: the host's browser */
    const sim_service *const *services; /* NULL: the web sites */
    size_t nservices;
    int64_t period_s;        /* periodic: mean period; reconnect: mean pause after a connection */
    double jitter;           /* periodic: each period is uniform in period * [1 - jitter, 1 + jitter] */
    double miss;             /* periodic: chance that a beat is skipped */
    uint8_t calls_min, calls_max;   /* connections per burst */
    uint32_t gap_min_ms, gap_max_ms; /* between connections of a burst */
    bool lookup_each;        /* a lookup before every connection, not only the first */
    double nxdomain;         /* chance that a burst starts with lookups of random names */
    double failure;          /* chance that a connection is refused or unanswered */
} traffic_class;

static const sim_service *const teams_services[] = {&sim_svc_teams_cdn, &sim_svc_teams_cdn,
                                                    &sim_svc_teams};
static const sim_service *const outlook_services[] = {&sim_svc_outlook};
static const sim_service *const onedrive_services[] = {&sim_svc_onedrive_cdn, &sim_svc_onedrive};
static const sim_service *const diagtrack_services[] = {&sim_svc_diagtrack};
static const sim_service *const ctldl_services[] = {&sim_svc_ctldl};
static const sim_service *const mssense_services[] = {&sim_svc_mssense};
static const sim_service *const googleupdate_services[] = {&sim_svc_googleupdate};
static const sim_service *const datadog_services[] = {&sim_svc_datadog};
static const sim_service *const kaseya_services[] = {&sim_svc_kaseya};
static const sim_service *const automate_services[] = {&sim_svc_automate};
static const sim_service *const screenconnect_services[] = {&sim_svc_screenconnect};
static const sim_service *const vpn_services[] = {&sim_svc_vpn_ddns};
static const sim_service *const ngrok_services[] = {&sim_svc_ngrok};

#define SERVICES(list) list, sizeof(list) / sizeof(list[0])

/* The shares add up to 1000; browsing takes what rounding leaves. */
static const traffic_class classes[] = {
    {"browsing", 480, WORKSTATIONS, SESSIONS, NULL, NULL, 0, 0, 0, 0, 1, 6, 20, 600, false, 0.01,
     0.005},
    {"cdn-rotation", 90, WORKSTATIONS, SESSIONS, &sim_img_teams, SERVICES(teams_services), 0, 0,
     0, 2, 8, 30, 900, false, 0, 0},
    {"office", 40, WORKSTATIONS, SESSIONS, &sim_img_outlook, SERVICES(outlook_services), 0, 0, 0,
     1, 2, 200, 5000, false, 0, 0},
    {"office", 30, WORKSTATIONS, SESSIONS, &sim_img_onedrive, SERVICES(onedrive_services), 0, 0,
     0, 1, 4, 100, 3000, true, 0, 0},
    {"telemetry", 30, ALL_HOSTS, PERIODIC, &sim_img_diagtrack, SERVICES(diagtrack_services), 900,
     0.10, 0.02, 1, 1, 0, 0, true, 0, 0},
    {"update", 40, ALL_HOSTS, SESSIONS, &sim_img_cryptsvc, SERVICES(ctldl_services), 0, 0, 0, 1,
     3, 50, 800, false, 0, 0},
    {"telemetry", 30, ALL_HOSTS, PERIODIC, &sim_img_mssense, SERVICES(mssense_services), 300,
     0.15, 0, 1, 1, 0, 0, true, 0, 0},
    {"update", 10, ALL_HOSTS, PERIODIC, &sim_img_googleupdate, SERVICES(googleupdate_services),
     3600, 0.05, 0, 1, 1, 0, 0, true, 0, 0},
    {"telemetry-cloud", 60, SERVERS, PERIODIC, &sim_img_datadog, SERVICES(datadog_services), 60,
     0.01, 0, 1, 1, 0, 0, true, 0, 0},
    {"rmm", 90, ALL_HOSTS, PERIODIC, &sim_img_kaseya, SERVICES(kaseya_services), 30, 0.02, 0, 1,
     1, 0, 0, true, 0, 0},
    {"rmm", 40, ALL_HOSTS, PERIODIC, &sim_img_automate, SERVICES(automate_services), 120, 0.03, 0,
     1, 1, 0, 0, true, 0, 0},
    {"rmm", 15, ALL_HOSTS, RECONNECT, &sim_img_screenconnect, SERVICES(screenconnect_services),
     20, 0, 0, 1, 1, 0, 0, true, 0, 0},
    {"vpn-ddns", 25, LAPTOPS, RECONNECT, &sim_img_openvpn, SERVICES(vpn_services), 30, 0, 0, 1, 1,
     0, 0, true, 0, 0},
    {"dev-tunnel", 20, DEVELOPERS, RECONNECT, &sim_img_ngrok, SERVICES(ngrok_services), 8, 0, 0, 1,
     1, 0, 0, true, 0, 0},
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

/* The cached answer of one service for one actor. */
typedef struct cache_entry {
    ih_time expires;
    uint32_t addrs[SIM_MAX_ANSWERS];
    uint8_t count;
} cache_entry;

typedef struct client_actor {
    sim_actor base;
    const traffic_class *cls;
    const sim_process *process;
    const sim_service *const *services;
    size_t nservices;
    uint64_t budget;        /* events left */
    ih_time end;            /* sessions: when the span ends */
    ih_time beat;           /* periodic: when the current beat was due */
    /* The burst in progress. */
    size_t service;
    unsigned calls_left, probes_left;
    bool lookup_next;
    cache_entry cache[MAX_SERVICES];
} client_actor;

static void free_client(sim_actor *a)
{
    free(a);
}

/* A random label of 7 to 15 letters, as browsers look up to detect DNS hijacking. */
static void random_label(sim_rng *r, char out[SIM_NAME_MAX])
{
    size_t n = (size_t)sim_rng_range(r, 7, 15);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('a' + sim_rng_below(r, 26));
    out[n] = '\0';
}

static void emit_probe(client_actor *c, sim_event *e)
{
    sim_rng *r = &c->base.rng;
    char label[SIM_NAME_MAX];
    random_label(r, label);
    sim_event_dns(e, r, label, NULL, 0, NULL, 0, 0);
    e->rcode = 3;
    c->probes_left--;
    c->base.next += e->rtt_us * 1000 + sim_rng_range(r, 1, 40) * MS;
}

static void emit_lookup(client_actor *c, sim_event *e)
{
    sim_rng *r = &c->base.rng;
    const sim_service *s = c->services[c->service];
    cache_entry *entry = &c->cache[c->service];

    e->cached = c->base.next < entry->expires;
    if (!e->cached) {
        entry->count = (uint8_t)sim_service_pick(s, r, entry->addrs, s->answers);
        entry->expires = c->base.next + (ih_time)s->ttl * SEC;
    }
    sim_event_dns(e, r, s->name, s->cname, s->cname_ttl, entry->addrs, entry->count, s->ttl);
    c->lookup_next = false;
    c->base.next += (e->cached ? 0 : e->rtt_us * 1000) + sim_rng_range(r, 1, 15) * MS;
}

/* Events one burst of class k makes on average. */
static double events_per_burst(const traffic_class *k)
{
    double calls = (k->calls_min + k->calls_max) / 2.0;
    double lookups = k->lookup_each ? calls : 1.0;
    return calls + lookups + 3.0 * k->nxdomain;
}

/* Seconds one burst of class k takes from start to start, for pacing. */
static double seconds_per_burst(const traffic_class *k, const sim_service *s)
{
    switch (k->pattern) {
    case PERIODIC: return (double)k->period_s * (1.0 + k->miss);
    case RECONNECT: return (s->duration_min_ms + s->duration_max_ms) / 2000.0 + (double)k->period_s;
    default: return 0;
    }
}

/* Picks the pause before the next burst and what it will do. */
static void plan_burst(client_actor *c, const sim_event *last)
{
    const traffic_class *k = c->cls;
    sim_rng *r = &c->base.rng;
    ih_time next;

    switch (k->pattern) {
    case PERIODIC:
        do {
            double f = 1.0 + k->jitter * (2.0 * sim_rng_unit(r) - 1.0);
            c->beat += (ih_time)((double)k->period_s * f * (double)SEC);
        } while (sim_rng_chance(r, k->miss));
        next = c->beat;
        break;
    case RECONNECT:
        next = last->time + last->duration_us * 1000 +
               (ih_time)(sim_rng_exp(r, (double)k->period_s) * (double)SEC) + 200 * MS;
        break;
    default: {
        /* Pace the remaining bursts over the rest of the span, so that the actor ends
           near its end whatever the random gaps were so far. */
        double left_s = (double)(c->end - last->time) / (double)SEC;
        double bursts = (double)c->budget / events_per_burst(k);
        double mean_s = left_s > 60 ? left_s / (bursts + 1) : 30;
        next = last->time + (ih_time)(sim_rng_exp(r, mean_s) * (double)SEC) + 500 * MS;
        break;
    }
    }
    if (next <= last->time)
        next = last->time + MS;
    c->base.next = next;
    c->service = (size_t)sim_rng_below(r, c->nservices);
    c->calls_left = (unsigned)sim_rng_range(r, k->calls_min, k->calls_max);
    c->probes_left = sim_rng_chance(r, k->nxdomain) ? 3 : 0;
    c->lookup_next = true;
}

static void emit_call(client_actor *c, sim_event *e)
{
    const traffic_class *k = c->cls;
    sim_rng *r = &c->base.rng;
    const sim_service *s = c->services[c->service];
    const cache_entry *entry = &c->cache[c->service];

    uint32_t addr = entry->addrs[sim_rng_below(r, entry->count ? entry->count : 1)];
    sim_event_conn(e, r, s, addr, s->name);
    if (sim_rng_chance(r, k->failure)) {
        e->outcome = sim_rng_chance(r, 0.5) ? SIM_REFUSED : SIM_NO_REPLY;
        sim_event_payload(e, 0, 0);
        e->packets_sent = e->outcome == SIM_REFUSED ? 1 : 3;
        e->packets_received = e->outcome == SIM_REFUSED ? 1 : 0;
        e->duration_us = e->outcome == SIM_REFUSED ? (int64_t)sim_rng_range(r, 200, 40000)
                                                   : 21 * 1000000;
    }
    if (--c->calls_left > 0) {
        c->base.next += sim_rng_range(r, k->gap_min_ms, k->gap_max_ms) * MS + 1;
        c->lookup_next = k->lookup_each;
        return;
    }
    plan_burst(c, e);
}

static void client_step(sim_actor *a, sim_event *e)
{
    client_actor *c = (client_actor *)a;
    bool dns = c->probes_left > 0 || c->lookup_next;

    sim_event_start(e, dns ? SIM_EVENT_DNS : SIM_EVENT_CONN, a->next, c->process, &a->rng);
    if (c->probes_left > 0)
        emit_probe(c, e);
    else if (c->lookup_next)
        emit_lookup(c, e);
    else
        emit_call(c, e);
    if (--c->budget == 0)
        a->next = IH_TIME_NONE;
}

static bool host_fits(const sim_host_info *h, uint8_t hosts)
{
    switch (hosts) {
    case WORKSTATIONS: return h->role != SIM_ROLE_SERVER;
    case SERVERS: return h->role == SIM_ROLE_SERVER;
    case DEVELOPERS: return h->role == SIM_ROLE_DEVELOPER;
    case LAPTOPS: return h->laptop;
    default: return true;
    }
}

/* Creates one actor of class k on host h with a budget of events. */
static sim_actor *client_new(sim_world *w, const sim_options *o, const traffic_class *k,
                             sim_host_info *h, uint64_t budget, uint64_t stream)
{
    client_actor *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    sim_rng *r = &c->base.rng;
    sim_rng_seed(r, o->seed, stream);
    c->cls = k;
    c->process = sim_world_process(w, h, k->image ? k->image : sim_browsers[h->browser]);
    c->services = k->services ? k->services : sim_web_services;
    c->nservices = k->services ? k->nservices : sim_nweb_services;
    c->budget = budget;
    if (!c->process || c->nservices > MAX_SERVICES) {
        free(c);
        return NULL;
    }

    /* Spread the bursts over the span; a short-lived actor starts at a random time. */
    double bursts = (double)budget / events_per_burst(k);
    double span_s = (double)(SIM_SPAN / SEC);
    double busy_s = bursts * seconds_per_burst(k, c->services[0]);
    /* An actor busy for the whole span still starts at a random point of its first burst. */
    double offset_s = busy_s < span_s ? sim_rng_unit(r) * (span_s - busy_s)
                                      : sim_rng_unit(r) * seconds_per_burst(k, c->services[0]);
    if (k->pattern == SESSIONS) {
        offset_s = sim_rng_exp(r, span_s / (bursts > 1 ? bursts : 1));
        if (offset_s > span_s)
            offset_s = sim_rng_unit(r) * span_s;
    }
    c->end = o->start + SIM_SPAN;
    c->beat = o->start + (ih_time)(offset_s * (double)SEC);
    c->base.next = c->beat;
    c->service = (size_t)sim_rng_below(r, c->nservices);
    c->calls_left = (unsigned)sim_rng_range(r, k->calls_min, k->calls_max);
    c->lookup_next = true;
    c->base.step = client_step;
    c->base.free = free_client;
    return &c->base;
}

/* Events one actor of class k makes when it runs through the whole span. */
static double full_actor_events(const traffic_class *k)
{
    if (k->pattern == SESSIONS)
        return EVENTS_PER_HOST * k->share / 1000.0;
    return events_per_burst(k) * (double)(SIM_SPAN / SEC) / seconds_per_burst(k, k->services[0]);
}

/* Lists the first nhosts hosts that run class k; returns how many, or -1. */
static int class_hosts(sim_world *w, const traffic_class *k, size_t nhosts, size_t *fit)
{
    size_t nfit = 0;
    for (size_t i = 0; i < nhosts; i++) {
        sim_host_info *h = sim_world_host(w, i);
        if (!h)
            return -1;
        if (host_fits(h, k->hosts))
            fit[nfit++] = i;
    }
    /* A named host fits every class, so the list is never empty. */
    return (int)nfit;
}

/* Creates the actors of class k for a budget of events on the hosts in fit. */
static int add_class(sim_world *w, const sim_options *o, const traffic_class *k, size_t index,
                     uint64_t budget, const size_t *fit, size_t nfit, sim_actor ***actors,
                     size_t *n, size_t *cap)
{
    if (nfit == 0)
        return 0;
    /* A full actor runs through the span; smaller budgets need fewer actors. */
    double per_actor = full_actor_events(k);
    uint64_t nactors = (uint64_t)((double)budget / (per_actor > 1 ? per_actor : 1) + 0.999);
    if (nactors < 1)
        nactors = 1;
    if (nactors > nfit)
        nactors = nfit;
    if (nactors > budget)
        nactors = budget;

    size_t offset = (size_t)(sim_hash(k->name, o->seed ^ index) % nfit);
    for (uint64_t i = 0; i < nactors; i++) {
        uint64_t share = budget / nactors + (i < budget % nactors ? 1 : 0);
        sim_host_info *h = sim_world_host(w, fit[(offset + i) % nfit]);
        uint64_t stream = STREAM_BACKGROUND + index * (uint64_t)MAX_HOSTS + i;
        if (sim_actor_push(client_new(w, o, k, h, share, stream), actors, n, cap) < 0)
            return -1;
    }
    return 0;
}

int sim_background_add(sim_world *w, const sim_options *o, sim_actor ***actors, size_t *n,
                       size_t *cap)
{
    if (o->background == 0)
        return 0;
    uint64_t hosts = o->background / EVENTS_PER_HOST + SIM_NAMED_HOSTS;
    if (hosts > MAX_HOSTS)
        hosts = MAX_HOSTS;
    size_t *fit = malloc((size_t)hosts * sizeof(*fit));
    if (!fit)
        return -1;

    /* Each class gets its share, but no more than its hosts can make within the span,
       because agents keep their period. Browsing, the first class, takes the rest. */
    uint64_t budgets[NCLASSES], used = 0;
    for (size_t i = 1; i < NCLASSES; i++) {
        int nfit = class_hosts(w, &classes[i], (size_t)hosts, fit);
        if (nfit < 0) {
            free(fit);
            return -1;
        }
        uint64_t capacity = (uint64_t)((double)nfit * full_actor_events(&classes[i]));
        budgets[i] = o->background * classes[i].share / 1000;
        if (classes[i].pattern != SESSIONS && budgets[i] > capacity)
            budgets[i] = capacity;
        used += budgets[i];
    }
    budgets[0] = o->background - used;

    int rc = 0;
    for (size_t i = 0; i < NCLASSES && rc == 0; i++) {
        int nfit = class_hosts(w, &classes[i], (size_t)hosts, fit);
        if (nfit < 0)
            rc = -1;
        else if (budgets[i] > 0)
            rc = add_class(w, o, &classes[i], i, budgets[i], fit, (size_t)nfit, actors, n, cap);
    }
    free(fit);
    return rc;
}
