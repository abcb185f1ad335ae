/*
 * Internals of the simulate module shared by the generator's files: random
 * streams, the catalog of images and remote services, hosts and processes,
 * and the actors that produce events.
 *
 * An actor is one source of activity (a beacon, a browser on one host, an
 * RMM agent). It produces its events one at a time in time order; the
 * generator merges all actors by time. Each actor owns its random stream, so
 * one actor's events do not depend on how many others exist.
 */
#ifndef IH_SIM_INTERNAL_H
#define IH_SIM_INTERNAL_H

#include "sim.h"

/* --- Random streams (xoshiro256**, seeded with splitmix64) --- */

typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

/* Seeds the stream numbered stream of a seed; different streams are independent. */
void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(sim_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);
/* Uniform in [lo, hi], both included. */
int64_t sim_rng_range(sim_rng *r, int64_t lo, int64_t hi);
/* Uniform in [0, 1). */
double sim_rng_unit(sim_rng *r);
bool sim_rng_chance(sim_rng *r, double p);
/* Exponentially distributed with the given mean. */
double sim_rng_exp(sim_rng *r, double mean);
/* Log-uniform in [lo, hi]: sizes and durations that span orders of magnitude. */
uint64_t sim_rng_log_range(sim_rng *r, uint64_t lo, uint64_t hi);
/* A 64-bit hash of a string and a number, for values that must not depend on call order. */
uint64_t sim_hash(const char *text, uint64_t n);

/* --- Remote services --- */

/* Where a service's addresses come from: count addresses from base (IPv4, host order). */
typedef struct sim_pool {
    uint32_t base;
    uint32_t count;
} sim_pool;

#define SIM_IPV4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Naming scheme of a service's reverse-DNS names, for Sysmon's *Hostname fields. */
enum sim_ptr_style { SIM_PTR_NONE = 0, SIM_PTR_AWS, SIM_PTR_AKAMAI, SIM_PTR_CLOUDFRONT };

/* A remote service that processes look up and connect to. */
typedef struct sim_service {
    const char *name;          /* the name looked up */
    const char *cname[3];      /* the CNAME chain before the addresses, NULL-terminated */
    sim_pool pools[4];         /* address pools, tried in turn; count 0 ends the list */
    uint8_t answers;           /* A records per response */
    uint32_t ttl;              /* TTL of the A records, seconds */
    uint32_t cname_ttl;
    uint16_t port;
    uint8_t protocol;          /* enum sim_protocol */
    const char *zeek_service;  /* "ssl", "http" or NULL */
    uint8_t ptr_style;         /* enum sim_ptr_style */
    uint32_t sent_min, sent_max;         /* payload bytes per connection, log-uniform */
    uint32_t received_min, received_max;
    uint32_t duration_min_ms, duration_max_ms;
} sim_service;

/* --- Hosts and processes --- */

typedef struct sim_world sim_world;

enum sim_host_role { SIM_ROLE_WORKSTATION = 1, SIM_ROLE_SERVER, SIM_ROLE_DEVELOPER };

typedef struct sim_host_info {
    sim_host host;
    uint8_t role;      /* enum sim_host_role */
    uint8_t browser;   /* index into the browser images */
    bool laptop;       /* also works from home over the VPN */
    char user[48];     /* the interactive user, DOMAIN\name */
    char user_sid[48];
} sim_host_info;

sim_world *sim_world_new(const sim_options *o);
void sim_world_free(sim_world *w);

/* Host i, created on first use: named hosts first, then numbered ones. */
sim_host_info *sim_world_host(sim_world *w, size_t i);

/* The victim and the second host of the tests, and the developer workstation. */
#define SIM_HOST_VICTIM 0
#define SIM_HOST_SECOND 1
#define SIM_HOST_DEVELOPER 2
#define SIM_HOST_SERVER 3
#define SIM_NAMED_HOSTS 5

/*
 * The process running image on host, created on first use with a process id,
 * GUID and start time that depend only on the seed, the host and the image.
 * NULL when out of memory.
 */
const sim_process *sim_world_process(sim_world *w, sim_host_info *h, const sim_image *image);

/* Like sim_world_process(), for a process that starts at a given time. */
const sim_process *sim_world_process_at(sim_world *w, sim_host_info *h, const sim_image *image,
                                        ih_time created);

/* The resolver of every host: the domain controller. */
#define SIM_RESOLVER_IP "10.20.0.10"

/* --- Actors --- */

typedef struct sim_actor sim_actor;

struct sim_actor {
    ih_time next;     /* time of the next event; IH_TIME_NONE when the actor is done */
    uint64_t order;   /* creation order, breaks ties between equal times */
    sim_rng rng;
    /* Fills e with the event due at next and advances next. */
    void (*step)(sim_actor *a, sim_event *e);
    void (*free)(sim_actor *a);
};

/* Creates the actors of the tests in o->tests; returns how many were added, or -1. */
int sim_tests_add(sim_world *w, const sim_options *o, sim_actor ***actors, size_t *n,
                  size_t *cap);

/* Creates the background actors for o->background events; returns 0, or -1. */
int sim_background_add(sim_world *w, const sim_options *o, sim_actor ***actors, size_t *n,
                       size_t *cap);

/* Appends a to the actor list; returns 0, or -1 when out of memory (a is then freed). */
int sim_actor_push(sim_actor *a, sim_actor ***actors, size_t *n, size_t *cap);

/* --- Building events --- */

/* Clears e and fills what every event has. */
void sim_event_start(sim_event *e, uint8_t kind, ih_time t, const sim_process *p, sim_rng *r);

/* Fills a lookup of name by process p: answers from addrs (A records) after the CNAME chain. */
void sim_event_dns(sim_event *e, sim_rng *r, const char *name, const char *const *cname,
                   uint32_t cname_ttl, const uint32_t *addrs, size_t naddrs, uint32_t ttl);

/* Fills a connection to addr for service s (ports, bytes, duration from s). */
void sim_event_conn(sim_event *e, sim_rng *r, const sim_service *s, uint32_t addr,
                    const char *remote_name);

/* Sets a connection's payload bytes and the packet counts that carry them. */
void sim_event_payload(sim_event *e, uint64_t sent, uint64_t received);

/* Writes the reverse-DNS name of addr in style, or "" for none. */
void sim_ptr_name(uint8_t style, uint32_t addr, char out[SIM_NAME_MAX]);

/* Picks n distinct addresses of service s; returns how many were picked. */
size_t sim_service_pick(const sim_service *s, sim_rng *r, uint32_t *out, size_t n);

void sim_ipv4_text(uint32_t addr, char out[16]);

/* A client port from the Windows dynamic range, 49152 to 65535. */
uint16_t sim_ephemeral_port(sim_rng *r);

#endif
