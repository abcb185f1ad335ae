/*
 * Shared by the beacon detector's files: its parameters, its per-worker
 * state, and the end-of-scan scoring (beacon_score.c).
 */
#ifndef IH_BEACON_H
#define IH_BEACON_H

#include "beacon_group.h"
#include "detect.h"
#include "intern.h"

typedef struct beacon_prefix {
    ih_addr addr;
    unsigned bits;
} beacon_prefix;

/* A protocol and port whose traffic is periodic by design, such as NTP. */
typedef struct beacon_service {
    uint8_t protocol; /* enum ih_protocol; IH_PROTO_UNKNOWN matches any */
    int32_t port;
    const char *name;
} beacon_service;

typedef struct beacon_params {
    beacon_prefix *internal, *external;
    size_t ninternal, nexternal;
    bool inbound_clients;
    uint8_t protocols; /* bit per enum ih_protocol */
    int64_t min_connections;
    int64_t min_period, max_period, burst_window, sample_bucket; /* nanoseconds */
    int64_t max_timestamps;
    int64_t min_segment;
    double max_failed_share;
    beacon_service *services;
    size_t nservices;
    int64_t prevalence_min_devices;
    double prevalence_min_share;
    double regular_timing;
    double short_lived_share;
    double downrank;
    double weight_timing, weight_size, weight_evidence;
    int64_t min_score, high, medium, low;
} beacon_params;

typedef struct beacon_state {
    const beacon_params *params;
    intern strings;
    beacon_groups groups;
    /* First and last connection time per observing device, indexed by interned id. */
    ih_time *seen_first, *seen_last;
    size_t nseen;
} beacon_state;

/* Scores every group of a merged state and appends the alerts; 0, or -1 out of memory. */
int beacon_finish(void *state, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag);

#endif
