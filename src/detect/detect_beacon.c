/*
 * Beaconing, scored: the default profile's replacement for the reference
 * rule's part 1. docs/BEACON.md describes the method, the score and its
 * evaluation.
 *
 * Connections are grouped by device, process (where the source records it)
 * and destination: the remote name when the source has one, else the remote
 * address. Only destinations outside the profile's internal networks count.
 * An accepted inbound connection from an external client is, when the
 * profile enables it, grouped with the client as the device and the local
 * server's address and port as the destination, so a host that serves as
 * someone's C2 shows its callers. Failed connections are counted, never
 * used as beats.
 *
 * At the end each group's sampled times are sorted, bursts closer than
 * burst_window collapse into one beat, and the intervals between beats are
 * fitted (beacon_stats.h). The score combines timing, data-size and
 * evidence scores and is then lowered for known periodic services,
 * destinations that many devices reach regularly, keepalives of one
 * long-lived connection, and series active for a small part of the input.
 */
#include "detect.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"
#include "beacon.h"

/* Configuration */

static int parse_prefix(profile *p, const char *key, const char *text, beacon_prefix *out)
{
    const char *slash = strchr(text, '/');
    size_t len = slash ? (size_t)(slash - text) : strlen(text);
    if (ih_addr_parse(text, len, &out->addr) < 0) {
        snprintf(p->error, sizeof(p->error), "%s: beacon.%s: '%s' is not an address or CIDR prefix",
                 p->name, key, text);
        return -1;
    }
    unsigned max = out->addr.family == IH_AF_INET ? 32 : 128;
    out->bits = max;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || bits < 0 || bits > (long)max) {
            snprintf(p->error, sizeof(p->error),
                     "%s: beacon.%s: '%s' has an invalid prefix length (0 to %u)", p->name, key,
                     text, max);
            return -1;
        }
        out->bits = (unsigned)bits;
    }
    return 0;
}

static int get_prefixes(profile *p, profile_node *cfg, const char *key, beacon_prefix **out,
                        size_t *n)
{
    const char **texts;
    if (profile_get_strings(p, cfg, key, &texts, n) < 0)
        return -1;
    *out = calloc(*n ? *n : 1, sizeof(**out));
    int rc = *out ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < *n; i++)
        rc = parse_prefix(p, key, texts[i], &(*out)[i]);
    free(texts);
    return rc;
}

static int parse_protocol(const char *text, size_t len, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t protocol;
    } names[] = {{"tcp", IH_PROTO_TCP},   {"udp", IH_PROTO_UDP},     {"icmp", IH_PROTO_ICMP},
                 {"other", IH_PROTO_OTHER}, {"unknown", IH_PROTO_UNKNOWN}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].name) == len && strncmp(names[i].name, text, len) == 0) {
            *out = names[i].protocol;
            return 0;
        }
    }
    return -1;
}

static int get_protocols(profile *p, profile_node *cfg, uint8_t *out)
{
    const char **texts;
    size_t n;
    if (profile_get_strings(p, cfg, "protocols", &texts, &n) < 0)
        return -1;
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t proto;
        if (parse_protocol(texts[i], strlen(texts[i]), &proto) < 0) {
            snprintf(p->error, sizeof(p->error),
                     "%s: beacon.protocols: unknown protocol '%s' (tcp, udp, icmp, other or "
                     "unknown)",
                     p->name, texts[i]);
            free(texts);
            return -1;
        }
        *out |= (uint8_t)(1u << proto);
    }
    free(texts);
    return 0;
}

/* Parses "udp/123 NTP": a protocol (or "any"), a port, and a name for explanations. */
static int get_services(profile *p, profile_node *cfg, beacon_params *bp)
{
    const char **texts;
    if (profile_get_strings(p, cfg, "periodic_services", &texts, &bp->nservices) < 0)
        return -1;
    bp->services = calloc(bp->nservices ? bp->nservices : 1, sizeof(*bp->services));
    if (!bp->services) {
        free(texts);
        return -1;
    }
    for (size_t i = 0; i < bp->nservices; i++) {
        const char *t = texts[i], *slash = strchr(t, '/');
        char *end = NULL;
        long port = slash ? strtol(slash + 1, &end, 10) : -1;
        beacon_service *s = &bp->services[i];
        bool any = slash && slash - t == 3 && strncmp(t, "any", 3) == 0;
        if (!slash || (!any && parse_protocol(t, (size_t)(slash - t), &s->protocol) < 0) ||
            end == slash + 1 || port < 0 || port > 65535 || *end != ' ' || end[1] == '\0') {
            snprintf(p->error, sizeof(p->error),
                     "%s: beacon.periodic_services: '%s' is not 'PROTOCOL/PORT NAME', such as "
                     "'udp/123 NTP'",
                     p->name, t);
            free(texts);
            return -1;
        }
        if (any)
            s->protocol = IH_PROTO_UNKNOWN;
        s->port = (int32_t)port;
        s->name = end + 1;
    }
    free(texts);
    return 0;
}

static int get_share(profile *p, profile_node *cfg, const char *key, double *out)
{
    if (profile_get_double(p, cfg, key, out) < 0)
        return -1;
    if (*out < 0 || *out > 1) {
        snprintf(p->error, sizeof(p->error), "%s: beacon.%s must be from 0 to 1", p->name, key);
        return -1;
    }
    return 0;
}

static void beacon_params_free(void *v)
{
    beacon_params *bp = v;
    if (!bp)
        return;
    free(bp->internal);
    free(bp->external);
    free(bp->services);
    free(bp);
}

static int configure_scoring(profile *p, profile_node *cfg, beacon_params *bp)
{
    profile_node *weights, *severity;
    if (profile_get_map(p, cfg, "weights", &weights) < 0 ||
        get_share(p, weights, "timing", &bp->weight_timing) < 0 ||
        get_share(p, weights, "data_size", &bp->weight_size) < 0 ||
        get_share(p, weights, "evidence", &bp->weight_evidence) < 0 ||
        profile_check_unused(p, weights, "beacon.weights") < 0)
        return -1;
    if (bp->weight_timing + bp->weight_evidence <= 0) {
        snprintf(p->error, sizeof(p->error),
                 "%s: beacon.weights: timing and evidence cannot both be 0", p->name);
        return -1;
    }
    if (profile_get_map(p, cfg, "severity", &severity) < 0 ||
        profile_get_int(p, severity, "high", 0, 100, &bp->high) < 0 ||
        profile_get_int(p, severity, "medium", 0, 100, &bp->medium) < 0 ||
        profile_get_int(p, severity, "low", 0, 100, &bp->low) < 0 ||
        profile_check_unused(p, severity, "beacon.severity") < 0)
        return -1;
    if (!(bp->low <= bp->medium && bp->medium <= bp->high)) {
        snprintf(p->error, sizeof(p->error),
                 "%s: beacon.severity: expected low <= medium <= high", p->name);
        return -1;
    }
    return 0;
}

static int beacon_configure(profile *p, profile_node *cfg, void **out)
{
    beacon_params *bp = calloc(1, sizeof(*bp));
    const char *inbound;
    if (!bp)
        return -1;
    if (get_prefixes(p, cfg, "internal_networks", &bp->internal, &bp->ninternal) < 0 ||
        get_prefixes(p, cfg, "external_networks", &bp->external, &bp->nexternal) < 0 ||
        profile_get_string(p, cfg, "inbound", &inbound) < 0 || get_protocols(p, cfg, &bp->protocols) < 0 ||
        profile_get_int(p, cfg, "min_connections", 3, 1000000, &bp->min_connections) < 0 ||
        profile_get_duration(p, cfg, "min_period", &bp->min_period) < 0 ||
        profile_get_duration(p, cfg, "max_period", &bp->max_period) < 0 ||
        profile_get_duration(p, cfg, "burst_window", &bp->burst_window) < 0 ||
        profile_get_int(p, cfg, "max_timestamps", 16, 1 << 24, &bp->max_timestamps) < 0 ||
        profile_get_duration(p, cfg, "sample_bucket", &bp->sample_bucket) < 0 ||
        profile_get_int(p, cfg, "min_segment", 0, 1000000, &bp->min_segment) < 0 ||
        get_share(p, cfg, "max_failed_share", &bp->max_failed_share) < 0 ||
        get_services(p, cfg, bp) < 0 ||
        profile_get_int(p, cfg, "prevalence_min_devices", 1, 1000000, &bp->prevalence_min_devices) < 0 ||
        get_share(p, cfg, "prevalence_min_share", &bp->prevalence_min_share) < 0 ||
        get_share(p, cfg, "regular_timing", &bp->regular_timing) < 0 ||
        get_share(p, cfg, "short_lived_share", &bp->short_lived_share) < 0 ||
        get_share(p, cfg, "downrank", &bp->downrank) < 0 || configure_scoring(p, cfg, bp) < 0 ||
        profile_get_int(p, cfg, "min_score", 0, 100, &bp->min_score) < 0)
        goto fail;
    if (strcmp(inbound, "ignore") == 0) {
        bp->inbound_clients = false;
    } else if (strcmp(inbound, "client") == 0) {
        bp->inbound_clients = true;
    } else {
        snprintf(p->error, sizeof(p->error),
                 "%s: beacon.inbound: '%s' is not 'ignore' or 'client'", p->name, inbound);
        goto fail;
    }
    if (bp->min_period <= 0 || bp->max_period < bp->min_period || bp->sample_bucket <= 0) {
        snprintf(p->error, sizeof(p->error),
                 "%s: beacon: need 0 < min_period <= max_period and sample_bucket > 0", p->name);
        goto fail;
    }
    if (profile_check_unused(p, cfg, "beacon") < 0)
        goto fail;
    *out = bp;
    return 0;
fail:
    beacon_params_free(bp);
    return -1;
}

/* Reading */

static void *beacon_state_new(const void *params)
{
    const beacon_params *bp = params;
    beacon_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->params = bp;
    if (intern_init(&s->strings) < 0) {
        free(s);
        return NULL;
    }
    if (beacon_groups_init(&s->groups, (size_t)bp->max_timestamps, bp->sample_bucket) < 0) {
        intern_free(&s->strings);
        free(s);
        return NULL;
    }
    return s;
}

static void beacon_state_free(void *v)
{
    beacon_state *s = v;
    if (!s)
        return;
    intern_free(&s->strings);
    beacon_groups_free(&s->groups);
    free(s->seen_first);
    free(s->seen_last);
    free(s);
}

/* Widens the observed time range of the device with interned id. */
static int note_seen(beacon_state *s, uint32_t id, ih_time first, ih_time last)
{
    if (id >= s->nseen) {
        size_t n = s->nseen ? s->nseen : 256;
        while (n <= id)
            n *= 2;
        ih_time *a = realloc(s->seen_first, n * sizeof(*a));
        if (a)
            s->seen_first = a;
        ih_time *b = realloc(s->seen_last, n * sizeof(*b));
        if (b)
            s->seen_last = b;
        if (!a || !b)
            return -1;
        for (size_t i = s->nseen; i < n; i++) {
            a[i] = INT64_MAX;
            b[i] = INT64_MIN;
        }
        s->nseen = n;
    }
    s->seen_first[id] = first < s->seen_first[id] ? first : s->seen_first[id];
    s->seen_last[id] = last > s->seen_last[id] ? last : s->seen_last[id];
    return 0;
}

static bool in_prefixes(const ih_addr *a, const beacon_prefix *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ih_addr_in_prefix(a, &v[i].addr, v[i].bits))
            return true;
    return false;
}

static bool is_internal(const beacon_params *bp, const ih_addr *a)
{
    return in_prefixes(a, bp->internal, bp->ninternal) && !in_prefixes(a, bp->external, bp->nexternal);
}

static uint32_t intern_view(beacon_state *s, ih_str v)
{
    return v.ptr ? intern_add(&s->strings, v.ptr, v.len) : 0;
}

static uint32_t intern_addr(beacon_state *s, const ih_addr *a, int32_t port)
{
    char text[IH_ADDR_TEXT_MAX + 8];
    ih_addr_format(a, text);
    size_t len = strlen(text);
    if (port != IH_UNKNOWN_PORT)
        len += (size_t)snprintf(text + len, sizeof(text) - len, a->family == IH_AF_INET6 ? "#%d" : ":%d",
                                (int)port);
    return intern_add(&s->strings, text, len);
}

static uint32_t clamp_bytes(uint64_t v)
{
    if (v == IH_UNKNOWN_BYTES)
        return BEACON_BYTES_UNKNOWN;
    return v >= BEACON_BYTES_UNKNOWN ? BEACON_BYTES_UNKNOWN - 1 : (uint32_t)v;
}

/* The device's view of one connection, after swapping sides for inbound clients. */
typedef struct beacon_view {
    beacon_key key;
    const ih_addr *remote;
    int32_t remote_port, local_port;
    uint64_t sent, received;
    bool failed;
} beacon_view;

/* Builds the view of c; returns 1 when the detector uses c, 0 when not, -1 out of memory. */
static int make_view(beacon_state *s, const ih_conn *c, beacon_view *v)
{
    const beacon_params *bp = s->params;
    memset(v, 0, sizeof(*v));
    if (!(bp->protocols & (1u << c->protocol)))
        return 0;

    if (c->direction == IH_DIR_INBOUND) {
        /* An external client calling a local server: the client is the device. */
        if (!bp->inbound_clients || c->remote_addr.family == IH_AF_NONE ||
            c->local_addr.family == IH_AF_NONE || is_internal(bp, &c->remote_addr))
            return 0;
        v->key.inbound = 1;
        v->key.device_id = v->key.device_name = intern_addr(s, &c->remote_addr, IH_UNKNOWN_PORT);
        v->key.dest = intern_addr(s, &c->local_addr, c->local_port);
        v->remote = &c->local_addr;
        v->remote_port = c->local_port;
        v->local_port = c->remote_port;
        v->sent = c->bytes_received;
        v->received = c->bytes_sent;
        v->failed = c->action == IH_ACTION_FAILED ||
                    (c->action == IH_ACTION_ATTEMPT && c->bytes_sent != IH_UNKNOWN_BYTES &&
                     c->bytes_sent == 0);
    } else {
        if (c->remote_addr.family != IH_AF_NONE && is_internal(bp, &c->remote_addr))
            return 0;
        if (c->remote_addr.family == IH_AF_NONE && !(c->remote_name.ptr && c->remote_name.len))
            return 0;
        v->key.device_id = intern_view(s, c->device_id);
        v->key.device_name = intern_view(s, c->device_name);
        v->key.process = intern_view(s, c->process_name);
        v->key.dest = c->remote_name.ptr && c->remote_name.len
                          ? intern_view(s, c->remote_name)
                          : intern_addr(s, &c->remote_addr, IH_UNKNOWN_PORT);
        v->remote = &c->remote_addr;
        v->remote_port = c->remote_port;
        v->local_port = c->local_port;
        v->sent = c->bytes_sent;
        v->received = c->bytes_received;
        v->failed = c->action == IH_ACTION_FAILED ||
                    (c->action == IH_ACTION_ATTEMPT && c->bytes_received != IH_UNKNOWN_BYTES &&
                     c->bytes_received == 0);
        if (c->action == IH_ACTION_LISTENING)
            return 0;
    }
    if (v->key.device_id == UINT32_MAX || v->key.device_name == UINT32_MAX ||
        v->key.process == UINT32_MAX || v->key.dest == UINT32_MAX)
        return -1;
    return 1;
}

static int beacon_conn(void *vs, const ih_conn *c)
{
    beacon_state *s = vs;
    if (c->time == IH_TIME_NONE)
        return 0;
    uint32_t observer = intern_view(s, c->device_id);
    if (observer == UINT32_MAX || note_seen(s, observer, c->time, c->time) < 0)
        return -1;

    beacon_view v;
    int rc = make_view(s, c, &v);
    if (rc <= 0)
        return rc;
    v.key.observer = observer;
    beacon_group *g = beacon_groups_get(&s->groups, &v.key);
    if (!g)
        return -1;
    if (v.failed) {
        g->failed++;
        return 0;
    }
    g->count++;
    g->first = c->time < g->first ? c->time : g->first;
    g->last = c->time > g->last ? c->time : g->last;
    g->protocols |= (uint8_t)(1u << c->protocol);
    if (v.sent != IH_UNKNOWN_BYTES) {
        g->sent += v.sent;
        g->sent_known++;
    }
    if (v.received != IH_UNKNOWN_BYTES) {
        g->received += v.received;
        g->received_known++;
    }
    beacon_group_note_addr(g, v.remote);
    beacon_group_note_port(g, v.remote_port);
    beacon_group_note_local_port(g, v.local_port);
    return beacon_group_observe(&s->groups, g, c->time, clamp_bytes(v.sent), clamp_bytes(v.received));
}

static int beacon_dns(void *v, const ih_dns *d)
{
    (void)v;
    (void)d;
    return 0;
}

static int beacon_merge(void *dv, void *sv)
{
    beacon_state *dst = dv, *src = sv;

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
    for (size_t id = 0; id < src->nseen && id < src->strings.count && rc == 0; id++)
        if (src->seen_first[id] != INT64_MAX)
            rc = note_seen(dst, map[id], src->seen_first[id], src->seen_last[id]);
    for (size_t i = 0; i < src->groups.count && rc == 0; i++) {
        const beacon_group *sg = &src->groups.items[i];
        beacon_key key = {map[sg->key.device_id], map[sg->key.device_name], map[sg->key.process],
                          map[sg->key.dest], map[sg->key.observer], sg->key.inbound};
        beacon_group *dg = beacon_groups_get(&dst->groups, &key);
        rc = dg ? beacon_group_merge(&dst->groups, dg, sg) : -1;
    }
    free(map);
    return rc;
}

const ih_detector ih_detector_beacon = {
    .name = "beacon",
    .configure = beacon_configure,
    .params_free = beacon_params_free,
    .state_new = beacon_state_new,
    .state_free = beacon_state_free,
    .conn = beacon_conn,
    .dns = beacon_dns,
    .merge = beacon_merge,
    .finish = beacon_finish,
};
