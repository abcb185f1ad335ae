/*
 * Threat intel: every event's addresses and names checked against the
 * indicator lists (--intel, and the profile's intel.lists), with the global
 * allowlist (--allowlist, intel.allowlist and intel.allowlist_files)
 * overriding them. docs/ENRICH.md describes the list formats.
 *
 * Checked per connection: the remote address and the remote name; per DNS
 * event: the query name, the CNAME targets and the answer addresses. Hits
 * are grouped by device and indicator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../enrich/domain.h"
#include "../enrich/enrich.h"
#include "../event/addr.h"
#include "detect.h"
#include "intern.h"
#include "keymap.h"
#include "signal.h"

#define INTEL_PROCS 4

enum intel_where { SEEN_CONN_ADDR = 1, SEEN_CONN_NAME = 2, SEEN_QUERY = 4, SEEN_ANSWER = 8 };

typedef struct intel_params {
    ih_enrich *enrich;
    double score;
    int64_t high, medium, low;
} intel_params;

typedef struct intel_key {
    uint32_t device_id, device_name, indicator, note;
} intel_key;

typedef struct intel_hit {
    uint64_t count;
    ih_time first, last;
    uint8_t where;
    uint32_t procs[INTEL_PROCS];
    uint8_t nprocs;
} intel_hit;

typedef struct intel_state {
    const intel_params *params;
    intern strings;
    keymap index;
    intel_hit *hits;
    size_t cap;
} intel_state;

static void intel_params_free(void *v)
{
    intel_params *ip = v;
    if (!ip)
        return;
    ih_enrich_release(ip->enrich);
    free(ip);
}

static int intel_configure(profile *p, profile_node *cfg, void **out)
{
    intel_params *ip = calloc(1, sizeof(*ip));
    const char **lists = NULL, **allow = NULL, **allow_files = NULL;
    size_t nlists = 0, nallow = 0, nallow_files = 0;
    profile_node *severity;
    char err[256];
    if (!ip)
        return -1;
    ip->enrich = ih_enrich_acquire(err, sizeof(err));
    if (!ip->enrich) {
        snprintf(p->error, sizeof(p->error), "%s: intel: %s", p->name, err);
        goto fail;
    }
    if (profile_get_strings(p, cfg, "lists", &lists, &nlists) < 0 ||
        profile_get_strings(p, cfg, "allowlist", &allow, &nallow) < 0 ||
        profile_get_strings(p, cfg, "allowlist_files", &allow_files, &nallow_files) < 0 ||
        profile_get_double(p, cfg, "score", &ip->score) < 0 ||
        profile_get_map(p, cfg, "severity", &severity) < 0 ||
        profile_get_int(p, severity, "high", 0, 100, &ip->high) < 0 ||
        profile_get_int(p, severity, "medium", 0, 100, &ip->medium) < 0 ||
        profile_get_int(p, severity, "low", 0, 100, &ip->low) < 0 ||
        profile_check_unused(p, severity, "intel.severity") < 0 ||
        profile_check_unused(p, cfg, "intel") < 0)
        goto fail;
    if (ip->score < 0 || ip->score > 1) {
        snprintf(p->error, sizeof(p->error), "%s: intel.score must be from 0 to 1", p->name);
        goto fail;
    }
    for (size_t i = 0; i < nlists; i++) {
        if (ih_enrich_add_list(&ip->enrich->intel, lists[i], err, sizeof(err)) < 0) {
            snprintf(p->error, sizeof(p->error), "%s: intel.lists: %s", p->name, err);
            goto fail;
        }
    }
    for (size_t i = 0; i < nallow; i++) {
        int rc = intel_set_add(&ip->enrich->allow, allow[i], strlen(allow[i]), "profile allowlist");
        if (rc <= 0) {
            snprintf(p->error, sizeof(p->error),
                     "%s: intel.allowlist: '%s' is not an address, CIDR prefix or domain", p->name,
                     allow[i]);
            goto fail;
        }
    }
    for (size_t i = 0; i < nallow_files; i++) {
        if (ih_enrich_add_list(&ip->enrich->allow, allow_files[i], err, sizeof(err)) < 0) {
            snprintf(p->error, sizeof(p->error), "%s: intel.allowlist_files: %s", p->name, err);
            goto fail;
        }
    }
    ih_enrich_seal(ip->enrich);
    free(lists);
    free(allow);
    free(allow_files);
    *out = ip;
    return 0;
fail:
    free(lists);
    free(allow);
    free(allow_files);
    intel_params_free(ip);
    return -1;
}

static void *intel_state_new(const void *params)
{
    intel_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->params = params;
    if (intern_init(&s->strings) < 0 || keymap_init(&s->index, sizeof(intel_key)) < 0) {
        intern_free(&s->strings);
        free(s);
        return NULL;
    }
    return s;
}

static void intel_state_free(void *v)
{
    intel_state *s = v;
    if (!s)
        return;
    intern_free(&s->strings);
    keymap_free(&s->index);
    free(s->hits);
    free(s);
}

static intel_hit *get_hit(intel_state *s, const intel_key *k)
{
    bool added;
    size_t i = keymap_get(&s->index, k, &added);
    if (i == SIZE_MAX)
        return NULL;
    if (added) {
        if (i >= s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            intel_hit *v = realloc(s->hits, cap * sizeof(*v));
            if (!v)
                return NULL;
            s->hits = v;
            s->cap = cap;
        }
        memset(&s->hits[i], 0, sizeof(s->hits[i]));
        s->hits[i].first = INT64_MAX;
        s->hits[i].last = INT64_MIN;
    }
    return &s->hits[i];
}

/* The event fields every hit shares. */
typedef struct intel_event {
    ih_time time;
    ih_str device_id, device_name, process;
} intel_event;

static int record(intel_state *s, const intel_event *e, ih_str indicator, const char *note, uint8_t where)
{
    intel_key k;
    memset(&k, 0, sizeof(k));
    k.device_id = e->device_id.ptr ? intern_add(&s->strings, e->device_id.ptr, e->device_id.len) : 0;
    k.device_name = e->device_name.ptr ? intern_add(&s->strings, e->device_name.ptr, e->device_name.len) : 0;
    k.indicator = intern_add(&s->strings, indicator.ptr, indicator.len);
    k.note = intern_add(&s->strings, note, strlen(note));
    uint32_t proc = e->process.ptr ? intern_add(&s->strings, e->process.ptr, e->process.len) : 0;
    if (k.device_id == UINT32_MAX || k.device_name == UINT32_MAX || k.indicator == UINT32_MAX ||
        k.note == UINT32_MAX || proc == UINT32_MAX)
        return -1;
    intel_hit *h = get_hit(s, &k);
    if (!h)
        return -1;
    h->count++;
    h->where |= where;
    if (e->time != IH_TIME_NONE) {
        h->first = e->time < h->first ? e->time : h->first;
        h->last = e->time > h->last ? e->time : h->last;
    }
    if (proc)
        signal_sample_text(&s->strings, h->procs, &h->nprocs, INTEL_PROCS, proc);
    return 0;
}

static int check_addr(intel_state *s, const intel_event *e, const ih_addr *a, uint8_t where)
{
    const ih_enrich *en = s->params->enrich;
    const char *note;
    if (a->family == IH_AF_NONE || !intel_match_addr(&en->intel, a, &note) || ih_enrich_allowed_addr(en, a))
        return 0;
    char text[IH_ADDR_TEXT_MAX];
    signal_addr_text(a, text);
    return record(s, e, (ih_str){text, strlen(text)}, note, where);
}

static int check_name(intel_state *s, const intel_event *e, ih_str raw, uint8_t where)
{
    const ih_enrich *en = s->params->enrich;
    char name[IH_NAME_MAX + 1];
    const char *note;
    if (!raw.ptr)
        return 0;
    int n = ih_name_normalize(raw.ptr, raw.len, name);
    if (n < 0 || !intel_match_name(&en->intel, name, (size_t)n, &note) ||
        ih_enrich_allowed_name(en, name, (size_t)n))
        return 0;
    return record(s, e, (ih_str){name, (size_t)n}, note, where);
}

static int intel_conn(void *v, const ih_conn *c)
{
    intel_state *s = v;
    if (intel_set_count(&s->params->enrich->intel) == 0)
        return 0;
    intel_event e = {c->time, c->device_id, c->device_name, c->process_name};
    if (check_addr(s, &e, &c->remote_addr, SEEN_CONN_ADDR) < 0)
        return -1;
    return check_name(s, &e, c->remote_name, SEEN_CONN_NAME);
}

static int intel_dns(void *v, const ih_dns *d)
{
    intel_state *s = v;
    if (intel_set_count(&s->params->enrich->intel) == 0)
        return 0;
    intel_event e = {d->time, d->device_id, d->device_name, d->process_name};
    if (check_name(s, &e, d->query_name, SEEN_QUERY) < 0)
        return -1;
    for (size_t i = 0; i < d->answer_count; i++) {
        const ih_dns_answer *an = &d->answers[i];
        int rc = an->kind == IH_ANSWER_ADDR    ? check_addr(s, &e, &an->addr, SEEN_ANSWER)
                 : an->kind == IH_ANSWER_CNAME ? check_name(s, &e, an->text, SEEN_ANSWER)
                                               : 0;
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int intel_merge(void *dv, void *sv)
{
    intel_state *dst = dv, *src = sv;
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
    for (size_t i = 0; i < src->index.count; i++) {
        intel_key k = *(const intel_key *)keymap_key(&src->index, i);
        const intel_hit *sh = &src->hits[i];
        k.device_id = map[k.device_id];
        k.device_name = map[k.device_name];
        k.indicator = map[k.indicator];
        k.note = map[k.note];
        intel_hit *h = get_hit(dst, &k);
        if (!h) {
            free(map);
            return -1;
        }
        h->count += sh->count;
        h->where |= sh->where;
        h->first = sh->first < h->first ? sh->first : h->first;
        h->last = sh->last > h->last ? sh->last : h->last;
        for (size_t p = 0; p < sh->nprocs; p++)
            signal_sample_text(&dst->strings, h->procs, &h->nprocs, INTEL_PROCS, map[sh->procs[p]]);
    }
    free(map);
    return 0;
}

static int emit(intel_state *s, const intel_key *k, const intel_hit *h, ih_alert_list *out)
{
    const intel_params *ip = s->params;
    ih_alert *a = alert_list_add(out);
    if (!a)
        return -1;
    ih_str indicator = intern_text(&s->strings, k->indicator);
    ih_str note = intern_text(&s->strings, k->note);
    ih_str dev = intern_text(&s->strings, k->device_name);
    ih_addr addr;
    bool is_addr = ih_addr_parse(indicator.ptr, indicator.len, &addr) == 0;
    a->alert_type = "ThreatIntel";
    a->timestamp = h->last == INT64_MIN ? IH_TIME_NONE : h->last;
    a->device_name = alert_strdup(dev);
    a->remote_ip = alert_strdup(is_addr ? indicator : IH_STR_LIT(""));
    a->remote_url = alert_strdup(is_addr ? IH_STR_LIT("") : indicator);
    a->connection_count = h->count;
    ih_str procs[INTEL_PROCS];
    for (size_t i = 0; i < h->nprocs; i++)
        procs[i] = intern_text(&s->strings, h->procs[i]);
    int rc = alert_set_strings(&a->sample_processes, &a->nsample_processes, procs, h->nprocs);
    if (!a->device_name || !a->remote_ip || !a->remote_url)
        rc = -1;

    ih_str where[4];
    size_t nwhere = 0;
    if (h->where & SEEN_CONN_ADDR)
        where[nwhere++] = IH_STR_LIT("connection address");
    if (h->where & SEEN_CONN_NAME)
        where[nwhere++] = IH_STR_LIT("connection name");
    if (h->where & SEEN_QUERY)
        where[nwhere++] = IH_STR_LIT("dns query");
    if (h->where & SEEN_ANSWER)
        where[nwhere++] = IH_STR_LIT("dns answer");
    signal_text b = {0};
    signal_text_printf(&b, "%.*s matched the threat-intel indicator %.*s (%.*s) %llu times, in ",
                       (int)dev.len, dev.ptr, (int)indicator.len, indicator.ptr, (int)note.len, note.ptr,
                       (unsigned long long)h->count);
    for (size_t i = 0; i < nwhere; i++)
        signal_text_printf(&b, "%s%.*s", i == 0 ? "" : i + 1 == nwhere ? " and " : ", ", (int)where[i].len,
                           where[i].ptr);
    signal_text_printf(&b, ". The allowlist does not list it.");
    int points = (int)(100 * ip->score + 0.5);
    static const char *const techniques[] = {"T1584"};
    rc |= alert_set_assessment(a, points, signal_severity(points, ip->high, ip->medium, ip->low), "medium",
                               techniques, 1, b.failed || !b.s ? "" : b.s);
    rc |= b.failed ? -1 : 0;
    signal_text_free(&b);
    rc |= alert_add_text(a, "DeviceId", intern_text(&s->strings, k->device_id));
    rc |= alert_add_text(a, "Indicator", indicator);
    rc |= alert_add_text(a, "IntelSource", note);
    rc |= alert_add_texts(a, "MatchedIn", where, nwhere);
    if (h->first != INT64_MAX)
        rc |= alert_add_time(a, "FirstSeen", h->first);
    return rc ? -1 : 0;
}

static int intel_finish(void *v, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag)
{
    intel_state *s = v;
    (void)info;
    for (size_t i = 0; i < s->index.count; i++)
        if (emit(s, keymap_key(&s->index, i), &s->hits[i], out) < 0)
            return -1;
    ih_diag_count_used(diag, "intel: indicators loaded", intel_set_count(&s->params->enrich->intel));
    ih_diag_count_used(diag, "intel: allowlist entries", intel_set_count(&s->params->enrich->allow));
    return 0;
}

const ih_detector ih_detector_intel = {
    .name = "intel",
    .configure = intel_configure,
    .params_free = intel_params_free,
    .state_new = intel_state_new,
    .state_free = intel_state_free,
    .conn = intel_conn,
    .dns = intel_dns,
    .merge = intel_merge,
    .finish = intel_finish,
};
