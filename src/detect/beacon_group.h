/*
 * Per-group state of the beacon detector: one group per device, process and
 * destination, with exact counters and a bounded, mergeable sample of
 * connection times.
 *
 * Bounded sample: a group keeps at most max_obs observations (time and byte
 * counts, 16 bytes each). Past that it keeps only the observations whose
 * time bucket (sample_bucket wide, 1 h by default) has a hash level of at
 * least the group's level, raising the level until the sample fits. The
 * kept set is a function of the group's whole input, so two groups built
 * from any split of the events merge into the group a single pass builds,
 * and the result does not depend on the thread count. Whole buckets are
 * kept or dropped, so intervals inside kept buckets stay exact; an interval
 * that spans a dropped bucket is skipped, not measured.
 *
 * Ownership: a group table owns its groups and their samples.
 */
#ifndef IH_BEACON_GROUP_H
#define IH_BEACON_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"

#define BEACON_SMALLEST 4      /* distinct addresses and ports kept per group */
#define BEACON_LOCAL_PORTS 3   /* distinct local ports kept per group */
#define BEACON_BYTES_UNKNOWN UINT32_MAX

typedef struct beacon_key {
    uint32_t device_id, device_name, process, dest; /* interned ids */
    uint32_t observer; /* interned id of the device whose telemetry recorded the connections */
    uint32_t inbound;  /* 1 for an external client of a local server, seen as the device */
} beacon_key;

typedef struct beacon_obs {
    ih_time time;
    uint32_t sent, received; /* from the device's side; BEACON_BYTES_UNKNOWN when unknown */
} beacon_obs;

typedef struct beacon_addr_count {
    ih_addr addr;
    uint64_t count;
} beacon_addr_count;

typedef struct beacon_port_count {
    int32_t port;
    uint64_t count;
} beacon_port_count;

typedef struct beacon_group {
    beacon_key key;
    uint64_t count;  /* connections used as beats: with a reply, or of unknown outcome */
    uint64_t failed; /* refused, failed, or attempts known to have had no reply */
    ih_time first, last;
    uint64_t sent, received;            /* sums over connections with known counts */
    uint64_t sent_known, received_known; /* connections with known counts */
    uint8_t protocols;                  /* bit per enum ih_protocol seen */
    beacon_addr_count addrs[BEACON_SMALLEST]; /* the smallest remote addresses, with counts */
    size_t naddrs;
    beacon_port_count ports[BEACON_SMALLEST]; /* the smallest remote ports, with counts */
    size_t nports;
    int32_t local_ports[BEACON_LOCAL_PORTS]; /* the smallest local ports */
    size_t nlocal_ports;
    uint64_t local_port_known; /* connections with a known local port */
    unsigned level;            /* observations below this bucket level are dropped */
    beacon_obs *obs;
    size_t nobs, cap;
} beacon_group;

typedef struct beacon_groups {
    beacon_group *items;
    size_t count, cap;
    uint32_t *slots; /* open addressing: index + 1, or 0 */
    size_t nslots;
    size_t max_obs;
    int64_t bucket; /* nanoseconds */
} beacon_groups;

int beacon_groups_init(beacon_groups *t, size_t max_obs, int64_t bucket);
void beacon_groups_free(beacon_groups *t);

/* The group of key, created empty when new; NULL when out of memory. The
   pointer is valid until the next call. */
beacon_group *beacon_groups_get(beacon_groups *t, const beacon_key *key);

/* Adds one observation to the sample. Returns 0, or -1 when out of memory. */
int beacon_group_observe(const beacon_groups *t, beacon_group *g, ih_time time, uint32_t sent,
                         uint32_t received);

void beacon_group_note_addr(beacon_group *g, const ih_addr *addr);
void beacon_group_note_port(beacon_group *g, int32_t port);
void beacon_group_note_local_port(beacon_group *g, int32_t port);

/* Folds src into dst (keys already equal). Returns 0, or -1 when out of memory. */
int beacon_group_merge(const beacon_groups *t, beacon_group *dst, const beacon_group *src);

/* Hash level of the sample bucket that contains time, 0 to 63. */
unsigned beacon_bucket_level(ih_time time, int64_t bucket);

/* True when some bucket strictly between those of a and b was dropped at level. */
bool beacon_gap_between(ih_time a, ih_time b, int64_t bucket, unsigned level);

#endif
