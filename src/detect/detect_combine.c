/*
 * The combining pass: the last detector of the default profile. Its finish
 * function reads the scored alerts that the detectors listed before it
 * wrote (Beaconing, DynamicDNS, FastFlux, FastFluxFanOut, ThreatIntel) and
 *
 * 1. drops alerts whose destination is on the global allowlist;
 * 2. down-ranks each false-positive class of the profile
 *    (combine.false_positive_classes: update and telemetry agents, VPN
 *    clients, RMM tools, CDNs, developer tunnels), naming it in the
 *    explanation;
 * 3. raises the score of a destination in a declared suspicious ASN and of
 *    a process that few devices run (its conn function counts them);
 * 4. merges the alerts of one device and one destination (a shared name or
 *    address) into one T1584 alert whose score rises with each signal. The
 *    score is one minus the product of one minus each signal's score, so a
 *    beacon to a dynamic-DNS name that fluxes ranks above any one of them.
 *
 * docs/DDNS_FLUX.md describes the rules and their settings. Alerts of other
 * detectors, such as the reference rule's unscored ones, pass unchanged.
 */
#include <ctype.h>
#include <math.h>
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

/* The signal types this pass combines, in the order their names are joined. */
static const char *const signal_types[] = {"Beaconing", "DynamicDNS", "FastFlux", "FastFluxFanOut",
                                           "ThreatIntel"};
#define NSIGNALS 5
enum { SIG_BEACON = 0, SIG_DDNS, SIG_FLUX, SIG_FANOUT, SIG_INTEL };

#define RARE_KEEP 8 /* devices kept per process name, enough for rare_process_max_devices up to 7 */

typedef struct fp_class {
    char *name;
    char *description;
    char **processes;
    size_t nprocesses;
    zone_set domains;
    int64_t *asns;
    size_t nasns;
    uint8_t types; /* bit per signal type it applies to */
    double factor;
} fp_class;

typedef struct combine_params {
    ih_enrich *enrich;
    int64_t *suspicious_asns;
    size_t nsuspicious;
    double suspicious_weight;
    int64_t rare_max_devices, rare_min_devices;
    double rare_weight;
    char **common; /* processes never counted as rare */
    size_t ncommon;
    fp_class *classes;
    size_t nclasses;
    int64_t high, medium, low;
} combine_params;

typedef struct combine_state {
    const combine_params *params;
    intern strings;
    keymap process_index; /* key: interned lower-case process name */
    uint32_t (*process_devices)[RARE_KEEP];
    uint8_t *nprocess_devices;
    size_t cap;
    keymap device_index; /* devices that reported a process name */
} combine_state;

/* Configuration */

static void free_class(fp_class *c)
{
    free(c->name);
    free(c->description);
    for (size_t i = 0; i < c->nprocesses; i++)
        free(c->processes[i]);
    free(c->processes);
    zone_set_free(&c->domains);
    free(c->asns);
}

static void combine_params_free(void *v)
{
    combine_params *cp = v;
    if (!cp)
        return;
    for (size_t i = 0; i < cp->nclasses; i++)
        free_class(&cp->classes[i]);
    free(cp->classes);
    free(cp->suspicious_asns);
    for (size_t i = 0; i < cp->ncommon; i++)
        free(cp->common[i]);
    free(cp->common);
    ih_enrich_release(cp->enrich);
    free(cp);
}

static int signal_index(const char *type)
{
    for (int i = 0; i < NSIGNALS; i++)
        if (strcmp(signal_types[i], type) == 0)
            return i;
    return -1;
}

static int configure_class(profile *p, const char *name, profile_node *m, fp_class *c)
{
    const char *description;
    const char **procs = NULL, **domains = NULL, **types = NULL;
    size_t nprocs = 0, ndomains = 0, ntypes = 0;
    char where[160];
    snprintf(where, sizeof(where), "combine.false_positive_classes.%s", name);
    zone_set_init(&c->domains);
    c->name = strdup(name);
    if (!c->name || profile_get_string(p, m, "description", &description) < 0 ||
        profile_get_strings(p, m, "processes", &procs, &nprocs) < 0 ||
        profile_get_strings(p, m, "domains", &domains, &ndomains) < 0 ||
        profile_get_ints(p, m, "asns", 0, UINT32_MAX, &c->asns, &c->nasns) < 0 ||
        profile_get_strings(p, m, "alert_types", &types, &ntypes) < 0 ||
        profile_get_double(p, m, "factor", &c->factor) < 0 || profile_check_unused(p, m, where) < 0)
        goto fail;
    c->description = strdup(description);
    c->processes = calloc(nprocs ? nprocs : 1, sizeof(*c->processes));
    if (!c->description || !c->processes)
        goto fail;
    if (c->factor < 0 || c->factor > 1) {
        snprintf(p->error, sizeof(p->error), "%s: %s.factor must be from 0 to 1", p->name, where);
        goto fail;
    }
    for (size_t i = 0; i < nprocs; i++) {
        if (!(c->processes[i] = strdup(procs[i])))
            goto fail;
        c->nprocesses = i + 1;
    }
    for (size_t i = 0; i < ndomains; i++) {
        char zone[IH_NAME_MAX + 1];
        int n = ih_name_normalize(domains[i], strlen(domains[i]), zone);
        if (n < 0) {
            snprintf(p->error, sizeof(p->error), "%s: %s.domains: '%s' is not a domain name", p->name,
                     where, domains[i]);
            goto fail;
        }
        if (zone_set_add(&c->domains, zone, (size_t)n, 0) < 0)
            goto fail;
    }
    for (size_t i = 0; i < ntypes; i++) {
        int k = signal_index(types[i]);
        if (k < 0) {
            snprintf(p->error, sizeof(p->error),
                     "%s: %s.alert_types: unknown alert type '%s' (Beaconing, DynamicDNS, FastFlux, "
                     "FastFluxFanOut or ThreatIntel)",
                     p->name, where, types[i]);
            goto fail;
        }
        c->types |= (uint8_t)(1u << k);
    }
    free(procs);
    free(domains);
    free(types);
    return 0;
fail:
    free(procs);
    free(domains);
    free(types);
    return -1;
}

static int configure_classes(profile *p, profile_node *cfg, combine_params *cp)
{
    profile_node *classes;
    if (profile_get_map(p, cfg, "false_positive_classes", &classes) < 0)
        return -1;
    cp->classes = calloc(classes->count ? classes->count : 1, sizeof(*cp->classes));
    if (!cp->classes)
        return -1;
    for (size_t i = 0; i < classes->count; i++) {
        classes->used[i] = true;
        cp->nclasses = i + 1;
        if (classes->items[i]->kind != PROFILE_MAP) {
            snprintf(p->error, sizeof(p->error), "%s:%u: false-positive class '%s' must be a map",
                     p->name, classes->items[i]->line, classes->keys[i]);
            return -1;
        }
        if (configure_class(p, classes->keys[i], classes->items[i], &cp->classes[i]) < 0)
            return -1;
    }
    return 0;
}

static int get_weight(profile *p, profile_node *cfg, const char *key, double *out)
{
    if (profile_get_double(p, cfg, key, out) < 0)
        return -1;
    if (*out < 0 || *out > 1) {
        snprintf(p->error, sizeof(p->error), "%s: combine.%s must be from 0 to 1", p->name, key);
        return -1;
    }
    return 0;
}

static int configure_common(profile *p, profile_node *cfg, combine_params *cp)
{
    const char **names;
    size_t n;
    if (profile_get_strings(p, cfg, "common_processes", &names, &n) < 0)
        return -1;
    cp->common = calloc(n ? n : 1, sizeof(*cp->common));
    int rc = cp->common ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        cp->common[i] = strdup(names[i]);
        rc = cp->common[i] ? 0 : -1;
        cp->ncommon = i + 1;
    }
    free(names);
    return rc;
}

static int combine_configure(profile *p, profile_node *cfg, void **out)
{
    combine_params *cp = calloc(1, sizeof(*cp));
    profile_node *severity;
    char err[256];
    if (!cp)
        return -1;
    cp->enrich = ih_enrich_acquire(err, sizeof(err));
    if (!cp->enrich) {
        snprintf(p->error, sizeof(p->error), "%s: combine: %s", p->name, err);
        goto fail;
    }
    if (profile_get_ints(p, cfg, "suspicious_asns", 0, UINT32_MAX, &cp->suspicious_asns, &cp->nsuspicious) < 0 ||
        get_weight(p, cfg, "suspicious_asn_weight", &cp->suspicious_weight) < 0 ||
        profile_get_int(p, cfg, "rare_process_max_devices", 1, RARE_KEEP - 1, &cp->rare_max_devices) < 0 ||
        profile_get_int(p, cfg, "rare_process_min_devices", 1, 1000000, &cp->rare_min_devices) < 0 ||
        get_weight(p, cfg, "rare_process_weight", &cp->rare_weight) < 0 ||
        configure_common(p, cfg, cp) < 0 ||
        configure_classes(p, cfg, cp) < 0 || profile_get_map(p, cfg, "severity", &severity) < 0 ||
        profile_get_int(p, severity, "high", 0, 100, &cp->high) < 0 ||
        profile_get_int(p, severity, "medium", 0, 100, &cp->medium) < 0 ||
        profile_get_int(p, severity, "low", 0, 100, &cp->low) < 0 ||
        profile_check_unused(p, severity, "combine.severity") < 0 ||
        profile_check_unused(p, cfg, "combine") < 0)
        goto fail;
    *out = cp;
    return 0;
fail:
    if (!p->error[0])
        snprintf(p->error, sizeof(p->error), "%s: combine: out of memory", p->name);
    combine_params_free(cp);
    return -1;
}

/* Reading: which devices run each process */

static void *combine_state_new(const void *params)
{
    combine_state *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->params = params;
    if (intern_init(&s->strings) < 0 || keymap_init(&s->process_index, sizeof(uint32_t)) < 0 ||
        keymap_init(&s->device_index, sizeof(uint32_t)) < 0) {
        intern_free(&s->strings);
        keymap_free(&s->process_index);
        free(s);
        return NULL;
    }
    return s;
}

static void combine_state_free(void *v)
{
    combine_state *s = v;
    if (!s)
        return;
    intern_free(&s->strings);
    keymap_free(&s->process_index);
    keymap_free(&s->device_index);
    free(s->process_devices);
    free(s->nprocess_devices);
    free(s);
}

static uint32_t intern_lower(intern *t, ih_str v)
{
    char buf[256];
    size_t n = v.len < sizeof(buf) ? v.len : sizeof(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)v.ptr[i]);
    return intern_add(t, buf, n);
}

static int note_process(combine_state *s, uint32_t process, uint32_t device)
{
    bool added;
    size_t i = keymap_get(&s->process_index, &process, &added);
    if (i == SIZE_MAX)
        return -1;
    if (added && i >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint32_t(*v)[RARE_KEEP] = realloc(s->process_devices, cap * sizeof(*v));
        if (v)
            s->process_devices = v;
        uint8_t *n = realloc(s->nprocess_devices, cap);
        if (n)
            s->nprocess_devices = n;
        if (!v || !n)
            return -1;
        s->cap = cap;
    }
    if (added)
        s->nprocess_devices[i] = 0;
    signal_sample_text(&s->strings, s->process_devices[i], &s->nprocess_devices[i], RARE_KEEP, device);
    if (keymap_get(&s->device_index, &device, &added) == SIZE_MAX)
        return -1;
    return 0;
}

static int combine_conn(void *v, const ih_conn *c)
{
    combine_state *s = v;
    if (!c->process_name.ptr || !c->process_name.len || !c->device_id.ptr)
        return 0;
    uint32_t process = intern_lower(&s->strings, c->process_name);
    uint32_t device = intern_add(&s->strings, c->device_id.ptr, c->device_id.len);
    if (process == UINT32_MAX || device == UINT32_MAX)
        return -1;
    return note_process(s, process, device);
}

static int combine_dns(void *v, const ih_dns *d)
{
    combine_state *s = v;
    if (!d->process_name.ptr || !d->process_name.len || !d->device_id.ptr)
        return 0;
    uint32_t process = intern_lower(&s->strings, d->process_name);
    uint32_t device = intern_add(&s->strings, d->device_id.ptr, d->device_id.len);
    if (process == UINT32_MAX || device == UINT32_MAX)
        return -1;
    return note_process(s, process, device);
}

static int combine_merge(void *dv, void *sv)
{
    combine_state *dst = dv, *src = sv;
    for (size_t i = 0; i < src->process_index.count; i++) {
        ih_str pt = intern_text(&src->strings, *(const uint32_t *)keymap_key(&src->process_index, i));
        uint32_t process = intern_add(&dst->strings, pt.ptr, pt.len);
        if (process == UINT32_MAX)
            return -1;
        for (size_t k = 0; k < src->nprocess_devices[i]; k++) {
            ih_str dt = intern_text(&src->strings, src->process_devices[i][k]);
            uint32_t device = intern_add(&dst->strings, dt.ptr, dt.len);
            if (device == UINT32_MAX || note_process(dst, process, device) < 0)
                return -1;
        }
    }
    for (size_t i = 0; i < src->device_index.count; i++) {
        ih_str dt = intern_text(&src->strings, *(const uint32_t *)keymap_key(&src->device_index, i));
        uint32_t device = intern_add(&dst->strings, dt.ptr, dt.len);
        bool added;
        if (device == UINT32_MAX || keymap_get(&dst->device_index, &device, &added) == SIZE_MAX)
            return -1;
    }
    return 0;
}

/* The pass over the alerts */

/* One scored alert as the pass sees it. */
typedef struct signal_alert {
    ih_alert *alert;
    int type;            /* index in signal_types */
    const char *device;  /* DeviceId field, else DeviceName */
    const char *names[3];
    size_t nnames;
    const char *const *addrs; /* ResolvedIPs or SampleIPs */
    size_t naddrs;
    double score;        /* 0 to 1 after the false-positive classes */
    signal_text notes;   /* sentences the pass adds to the explanation */
    ih_str context[8];   /* the rules that applied, for the Context field */
    char context_text[8][160];
    size_t ncontext;
    bool dropped;        /* allowlisted */
    int group;           /* union-find parent */
    bool consumed;       /* merged into another alert */
} signal_alert;

static const alert_field *find_field(const ih_alert *a, const char *name)
{
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, name) == 0)
            return &a->fields[i];
    return NULL;
}

/* Records a rule that applied, as "rule: detail", for the Context field. */
static void add_context(signal_alert *sa, const char *rule, const char *detail)
{
    if (sa->ncontext == 8)
        return;
    snprintf(sa->context_text[sa->ncontext], sizeof(sa->context_text[0]), "%s: %s", rule, detail);
    sa->context[sa->ncontext] = (ih_str){sa->context_text[sa->ncontext], strlen(sa->context_text[sa->ncontext])};
    sa->ncontext++;
}

static void describe(signal_alert *sa)
{
    ih_alert *a = sa->alert;
    const alert_field *id = find_field(a, "DeviceId");
    sa->device = a->device_name ? a->device_name : "";
    if (id && id->kind == ALERT_TEXT && id->text[0])
        sa->device = id->text;
    if (a->remote_url && a->remote_url[0])
        sa->names[sa->nnames++] = a->remote_url;
    const alert_field *cname = find_field(a, "CnameOf");
    for (size_t i = 0; cname && cname->kind == ALERT_TEXTS && i < cname->ntexts && sa->nnames < 3; i++)
        sa->names[sa->nnames++] = cname->texts[i];
    const alert_field *ips = find_field(a, sa->type == SIG_DDNS ? "ResolvedIPs" : "SampleIPs");
    if (ips && ips->kind == ALERT_TEXTS) {
        sa->addrs = (const char *const *)ips->texts;
        sa->naddrs = ips->ntexts;
    }
}

static bool allowlisted(const combine_params *cp, const ih_alert *a)
{
    ih_addr addr;
    char name[IH_NAME_MAX + 1];
    if (a->remote_ip && ih_addr_parse(a->remote_ip, strlen(a->remote_ip), &addr) == 0 &&
        ih_enrich_allowed_addr(cp->enrich, &addr))
        return true;
    int n = a->remote_url ? ih_name_normalize(a->remote_url, strlen(a->remote_url), name) : -1;
    return n > 0 && ih_enrich_allowed_name(cp->enrich, name, (size_t)n);
}

/* The ASN of the alert's remote address; false when unknown. */
static bool remote_asn(const combine_params *cp, const ih_alert *a, asn_info *info)
{
    ih_addr addr;
    if (!cp->enrich->asn || !a->remote_ip || ih_addr_parse(a->remote_ip, strlen(a->remote_ip), &addr) < 0)
        return false;
    return asn_db_lookup(cp->enrich->asn, &addr, info) && info->asn != 0;
}

static bool class_matches(const fp_class *c, const signal_alert *sa, bool asn_known, uint32_t asn,
                          const char **what)
{
    const ih_alert *a = sa->alert;
    if (c->types && !(c->types & (1u << sa->type)))
        return false;
    bool by_name = c->nprocesses == 0 && c->domains.count == 0;
    *what = "";
    for (size_t i = 0; !by_name && i < c->nprocesses; i++) {
        for (size_t k = 0; k < a->nsample_processes; k++) {
            if (strcasecmp(c->processes[i], a->sample_processes[k]) == 0) {
                by_name = true;
                *what = a->sample_processes[k];
            }
        }
    }
    for (size_t i = 0; !by_name && i < sa->nnames; i++) {
        char name[IH_NAME_MAX + 1];
        zone_match m;
        int n = ih_name_normalize(sa->names[i], strlen(sa->names[i]), name);
        if (n > 0 && zone_set_match(&c->domains, name, (size_t)n, false, &m)) {
            by_name = true;
            *what = sa->names[i];
        }
    }
    if (!by_name)
        return false;
    if (c->nasns == 0)
        return true;
    /* A class that names networks needs the destination in one, when the ASN is known. */
    if (!asn_known)
        return c->nprocesses > 0 || c->domains.count > 0;
    for (size_t i = 0; i < c->nasns; i++)
        if ((uint32_t)c->asns[i] == asn)
            return true;
    return false;
}

static double raise_score(double s, double w)
{
    return 1 - (1 - s) * (1 - w);
}

static bool is_rare(combine_state *s, const ih_alert *a, const char **which)
{
    const combine_params *cp = s->params;
    if ((int64_t)s->device_index.count < cp->rare_min_devices)
        return false;
    for (size_t k = 0; k < a->nsample_processes; k++) {
        const char *name = a->sample_processes[k];
        bool common = false;
        for (size_t i = 0; i < cp->ncommon && !common; i++)
            common = strcasecmp(cp->common[i], name) == 0;
        if (common)
            continue;
        uint32_t id = intern_lower(&s->strings, (ih_str){name, strlen(name)});
        size_t i = id == UINT32_MAX ? SIZE_MAX : keymap_find(&s->process_index, &id);
        if (i != SIZE_MAX && (int64_t)s->nprocess_devices[i] <= cp->rare_max_devices) {
            *which = name;
            return true;
        }
    }
    return false;
}

/* Steps 1 to 3 for one alert. */
static void assess(combine_state *s, signal_alert *sa)
{
    const combine_params *cp = s->params;
    ih_alert *a = sa->alert;
    sa->score = a->score / 100.0;
    if (allowlisted(cp, a)) {
        sa->dropped = true;
        return;
    }
    asn_info info;
    bool asn_known = remote_asn(cp, a, &info);
    char asn_text[160] = "";
    if (asn_known)
        snprintf(asn_text, sizeof(asn_text), "AS%u %.*s", info.asn, (int)info.org.len, info.org.ptr);

    for (size_t i = 0; i < cp->nclasses; i++) {
        const fp_class *c = &cp->classes[i];
        const char *what;
        if (!class_matches(c, sa, asn_known, info.asn, &what))
            continue;
        sa->score *= c->factor;
        signal_text_printf(&sa->notes, " Down-ranked (x%.2g): %s (false_positive_classes.%s", c->factor,
                           c->description, c->name);
        if (what[0])
            signal_text_printf(&sa->notes, ": %s", what);
        if (asn_known && c->nasns)
            signal_text_printf(&sa->notes, ", %s", asn_text);
        signal_text_printf(&sa->notes, ").");
        add_context(sa, c->name, what[0] ? what : asn_text);
    }

    /* An inbound client's RemoteIP is the monitored server itself, so its network carries no evidence. */
    const alert_field *direction = find_field(a, "Direction");
    bool inbound = direction && direction->kind == ALERT_TEXT && strcmp(direction->text, "inbound client") == 0;
    bool suspicious = false;
    for (size_t i = 0; asn_known && !inbound && i < cp->nsuspicious; i++)
        suspicious |= (uint32_t)cp->suspicious_asns[i] == info.asn;
    if (suspicious) {
        sa->score = raise_score(sa->score, cp->suspicious_weight);
        signal_text_printf(&sa->notes, " Raised: %s is in %s, one of the declared suspicious networks.",
                           a->remote_ip, asn_text);
        add_context(sa, "suspicious ASN", asn_text);
    }
    const char *rare;
    if (is_rare(s, a, &rare)) {
        sa->score = raise_score(sa->score, cp->rare_weight);
        signal_text_printf(&sa->notes, " Raised: %s runs on at most %lld of the %zu devices seen.", rare,
                           (long long)cp->rare_max_devices, s->device_index.count);
        add_context(sa, "rare process", rare);
    }
}

/* Fast-flux domains and fan-outs attach to groups; the other signals form them. */
static bool attaches(const signal_alert *sa)
{
    return sa->type == SIG_FLUX || sa->type == SIG_FANOUT;
}

static int find_root(signal_alert *v, int i)
{
    while (v[i].group != i) {
        v[i].group = v[v[i].group].group;
        i = v[i].group;
    }
    return i;
}

/* Static names of the combined types, such as "Beaconing+DynamicDNS", by signal bit set. */
static const char *combined_type(unsigned bits)
{
    static char names[1u << NSIGNALS][96];
    if (!names[bits][0]) {
        size_t len = 0;
        for (int i = 0; i < NSIGNALS; i++)
            if (bits & (1u << i))
                len += (size_t)snprintf(names[bits] + len, sizeof(names[bits]) - len, "%s%s",
                                        len ? "+" : "", signal_types[i]);
    }
    return names[bits];
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Replaces the alert's assessment with a new score, severity, techniques and explanation. */
static int reassess(const combine_params *cp, ih_alert *a, double score, const char *const *techniques,
                    size_t ntechniques, const char *explanation)
{
    int points = (int)(100 * score + 0.5);
    points = points > 100 ? 100 : points;
    const char *confidence = a->confidence ? a->confidence : "low";
    free_strings(a->techniques, a->ntechniques);
    free(a->explanation);
    a->techniques = NULL;
    a->ntechniques = 0;
    a->explanation = NULL;
    return alert_set_assessment(a, points, signal_severity(points, cp->high, cp->medium, cp->low),
                                confidence, techniques, ntechniques, explanation);
}

/* Adds a field when the alert has room; a full alert keeps its fields. */
static int add_texts_if_room(ih_alert *a, const char *name, const ih_str *v, size_t n)
{
    if (n == 0 || a->nfields >= ALERT_MAX_FIELDS)
        return 0;
    return alert_add_texts(a, name, v, n);
}

static int annotate_asn(const combine_params *cp, ih_alert *a)
{
    asn_info info;
    if (!remote_asn(cp, a, &info) || a->nfields + 2 > ALERT_MAX_FIELDS)
        return 0;
    if (find_field(a, "ASN"))
        return 0;
    int rc = alert_add_int(a, "ASN", info.asn);
    return rc | alert_add_text(a, "ASNOrg", info.org);
}

/* Finishes an alert that joins no other: its own score with the pass's changes. */
static int finish_single(const combine_params *cp, signal_alert *sa)
{
    ih_alert *a = sa->alert;
    int rc = annotate_asn(cp, a);
    if (sa->ncontext == 0)
        return rc;
    signal_text b = {0};
    signal_text_printf(&b, "%s%s", a->explanation ? a->explanation : "", sa->notes.s ? sa->notes.s : "");
    const char *techniques[8];
    size_t n = 0;
    for (size_t i = 0; i < a->ntechniques && n < 8; i++)
        techniques[n++] = a->techniques[i];
    /* The techniques are copied before the old ones are freed. */
    char *copies[8];
    for (size_t i = 0; i < n; i++)
        copies[i] = strdup(techniques[i]);
    for (size_t i = 0; i < n; i++)
        if (!copies[i])
            rc = -1;
    if (rc == 0 && !b.failed)
        rc = reassess(cp, a, sa->score, (const char *const *)copies, n, b.s ? b.s : "");
    for (size_t i = 0; i < n; i++)
        free(copies[i]);
    rc |= b.failed ? -1 : 0;
    signal_text_free(&b);
    return rc | add_texts_if_room(a, "Context", sa->context, sa->ncontext);
}

/* Evidence of merged alerts */

static int cmp_opt_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/*
 * Orders the parts of a merged alert by type, destination and time, so that
 * the order of their evidence does not depend on input order.
 */
static int cmp_parts(const void *pa, const void *pb, void *arg)
{
    const signal_alert *v = arg;
    const signal_alert *x = &v[*(const int *)pa], *y = &v[*(const int *)pb];
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    int c = cmp_opt_text(x->alert->remote_url, y->alert->remote_url);
    if (c)
        return c;
    c = cmp_opt_text(x->alert->remote_ip, y->alert->remote_ip);
    if (c)
        return c;
    if (x->alert->timestamp != y->alert->timestamp)
        return x->alert->timestamp < y->alert->timestamp ? -1 : 1;
    return cmp_opt_text(x->alert->device_name, y->alert->device_name);
}

static int cmp_events(const void *pa, const void *pb)
{
    const alert_event *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    int c = strcmp(a->kind, b->kind);
    if (c == 0)
        c = cmp_opt_text(a->name, b->name);
    if (c == 0)
        c = cmp_opt_text(a->address, b->address);
    if (c == 0)
        c = cmp_opt_text(a->process, b->process);
    return c ? c : cmp_opt_text(a->detail, b->detail);
}

static int copy_series(ih_alert *a, const alert_series *from)
{
    alert_series *to = &a->series[a->nseries];
    *to = *from;
    to->times = NULL;
    to->values = NULL;
    size_t n = from->n ? from->n : 1;
    if (from->times && !(to->times = malloc(n * sizeof(*to->times))))
        return -1;
    if (from->values && !(to->values = malloc(n * sizeof(*to->values)))) {
        free(to->times);
        return -1;
    }
    if (from->times)
        memcpy(to->times, from->times, from->n * sizeof(*to->times));
    if (from->values)
        memcpy(to->values, from->values, from->n * sizeof(*to->values));
    a->nseries++;
    return 0;
}

static char *copy_opt(const char *s, bool *failed)
{
    if (!s)
        return NULL;
    char *p = strdup(s);
    if (!p)
        *failed = true;
    return p;
}

static void free_event(alert_event *e)
{
    free(e->process);
    free(e->name);
    free(e->address);
    free(e->detail);
}

/*
 * Adds the series and events of the other parts of a merged alert to its
 * base alert a, within ALERT_MAX_SERIES and ALERT_MAX_EVENTS. Parts are
 * copied, not moved, because a fast-flux domain may join several groups.
 * Events stay in time order, the earliest kept; the rest are counted in
 * events_dropped.
 */
static int merge_evidence(ih_alert *a, signal_alert *v, const int *members, size_t n)
{
    int *parts = malloc((n ? n : 1) * sizeof(*parts));
    if (!parts)
        return -1;
    size_t nparts = 0;
    size_t total = a->nevents;
    for (size_t i = 0; i < n; i++) {
        if (v[members[i]].alert == a)
            continue;
        parts[nparts++] = members[i];
        total += v[members[i]].alert->nevents;
    }
    qsort_r(parts, nparts, sizeof(parts[0]), cmp_parts, v);

    /* NOTE: series past ALERT_MAX_SERIES are left out without a mark on the page. */
    for (size_t i = 0; i < nparts; i++) {
        const ih_alert *part = v[parts[i]].alert;
        for (size_t k = 0; k < part->nseries && a->nseries < ALERT_MAX_SERIES; k++) {
            if (copy_series(a, &part->series[k]) < 0) {
                free(parts);
                return -1;
            }
        }
    }
    alert_event *all = total > a->nevents ? calloc(total, sizeof(*all)) : NULL;
    if (!all) {
        free(parts);
        return total > a->nevents ? -1 : 0;
    }
    size_t count = 0;
    bool failed = false;
    for (size_t k = 0; k < a->nevents; k++)
        all[count++] = a->events[k];
    for (size_t i = 0; i < nparts; i++) {
        const ih_alert *part = v[parts[i]].alert;
        a->events_dropped += part->events_dropped;
        for (size_t k = 0; k < part->nevents; k++) {
            const alert_event *e = &part->events[k];
            alert_event *c = &all[count++];
            c->time = e->time;
            c->kind = e->kind;
            c->process = copy_opt(e->process, &failed);
            c->name = copy_opt(e->name, &failed);
            c->address = copy_opt(e->address, &failed);
            c->detail = copy_opt(e->detail, &failed);
        }
    }
    free(parts);
    if (!a->events && !(a->events = calloc(ALERT_MAX_EVENTS, sizeof(*a->events))))
        failed = true;
    if (failed) {
        for (size_t k = a->nevents; k < count; k++)
            free_event(&all[k]);
        free(all);
        return -1;
    }
    qsort(all, count, sizeof(*all), cmp_events);
    size_t kept = count < ALERT_MAX_EVENTS ? count : ALERT_MAX_EVENTS;
    memcpy(a->events, all, kept * sizeof(*all));
    a->nevents = kept;
    for (size_t k = kept; k < count; k++)
        free_event(&all[k]);
    a->events_dropped += count - kept;
    free(all);
    return 0;
}

/*
 * Merges the members of one group into its highest-scoring device-bound
 * alert (the first device_members of members), whose index it stores in
 * *base_index; the caller drops the other members.
 */
static int finish_group(const combine_params *cp, signal_alert *v, const int *members, size_t n,
                        size_t device_members, int *base_index)
{
    *base_index = members[0];
    for (size_t i = 1; i < device_members; i++)
        if (v[members[i]].score > v[*base_index].score)
            *base_index = members[i];
    signal_alert *base = &v[*base_index];
    ih_alert *a = base->alert;

    double best[NSIGNALS] = {0};
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        const signal_alert *m = &v[members[i]];
        bits |= 1u << m->type;
        best[m->type] = m->score > best[m->type] ? m->score : best[m->type];
    }
    double keep = 1;
    for (int t = 0; t < NSIGNALS; t++)
        keep *= 1 - best[t];
    double score = 1 - keep;
    int rc = 0;

    /* The group's processes, destinations and time, gathered first so the explanation names them. */
    for (size_t i = 0; i < n; i++) {
        const ih_alert *ma = v[members[i]].alert;
        if (ma == a)
            continue;
        a->timestamp = ma->timestamp > a->timestamp ? ma->timestamp : a->timestamp;
        if ((!a->remote_url || !a->remote_url[0]) && ma->remote_url && ma->remote_url[0]) {
            free(a->remote_url);
            a->remote_url = strdup(ma->remote_url);
            rc |= a->remote_url ? 0 : -1;
        }
        if ((!a->remote_ip || !a->remote_ip[0]) && ma->remote_ip && ma->remote_ip[0]) {
            free(a->remote_ip);
            a->remote_ip = strdup(ma->remote_ip);
            rc |= a->remote_ip ? 0 : -1;
        }
        for (size_t k = 0; k < ma->nsample_processes && a->nsample_processes < 5; k++) {
            bool seen = false;
            for (size_t j = 0; j < a->nsample_processes; j++)
                seen |= strcmp(a->sample_processes[j], ma->sample_processes[k]) == 0;
            if (seen)
                continue;
            char **grown = realloc(a->sample_processes, (a->nsample_processes + 1) * sizeof(*grown));
            if (!grown)
                return -1;
            a->sample_processes = grown;
            if (!(grown[a->nsample_processes] = strdup(ma->sample_processes[k])))
                return -1;
            a->nsample_processes++;
        }
    }
    signal_text b = {0};
    char dest[512];
    const char *shown = a->remote_ip ? a->remote_ip : "";
    if (a->remote_url && a->remote_url[0])
        shown = a->remote_url;
    snprintf(dest, sizeof(dest), "%s", shown);
    signal_text_printf(&b, "%d signals for %s and %s combine into one T1584 alert; the score is 1 minus "
                           "the product of (1 - each signal's score).",
                       __builtin_popcount(bits), a->device_name ? a->device_name : "", dest);
    const char *techniques[16] = {"T1584"};
    size_t ntech = 1;
    ih_str signal_names[NSIGNALS], signal_scores[NSIGNALS * 2];
    char score_text[NSIGNALS * 2][64];
    size_t nsig = 0, nscores = 0;
    for (int t = 0; t < NSIGNALS; t++)
        if (bits & (1u << t))
            signal_names[nsig++] = (ih_str){signal_types[t], strlen(signal_types[t])};
    for (size_t i = 0; i < n; i++) {
        const signal_alert *m = &v[members[i]];
        const ih_alert *ma = m->alert;
        signal_text_printf(&b, " [%s, %d] %s%s", signal_types[m->type], (int)(100 * m->score + 0.5),
                           ma->explanation ? ma->explanation : "", m->notes.s ? m->notes.s : "");
        if (nscores < NSIGNALS * 2) {
            snprintf(score_text[nscores], sizeof(score_text[0]), "%s %d", signal_types[m->type],
                     (int)(100 * m->score + 0.5));
            signal_scores[nscores] = (ih_str){score_text[nscores], strlen(score_text[nscores])};
            nscores++;
        }
        for (size_t k = 0; k < ma->ntechniques && ntech < 16; k++) {
            bool seen = false;
            for (size_t j = 0; j < ntech; j++)
                seen |= strcmp(techniques[j], ma->techniques[k]) == 0;
            if (!seen)
                techniques[ntech++] = ma->techniques[k];
        }
    }
    char *copies[16];
    for (size_t i = 0; i < ntech; i++)
        if (!(copies[i] = strdup(techniques[i])))
            rc = -1;
    a->alert_type = combined_type(bits);
    if (rc == 0 && !b.failed)
        rc = reassess(cp, a, score, (const char *const *)copies, ntech, b.s ? b.s : "");
    for (size_t i = 0; i < ntech; i++)
        free(copies[i]);
    rc |= b.failed ? -1 : 0;
    signal_text_free(&b);

    rc |= add_texts_if_room(a, "Signals", signal_names, nsig);
    /* Every name the parts reach: fast-flux domains that joined a fan-out each have one. */
    ih_str names[16];
    size_t nnames = 0;
    for (size_t i = 0; i < n && nnames < 16; i++) {
        const char *url = v[members[i]].alert->remote_url;
        bool seen = !url || !url[0];
        for (size_t k = 0; k < nnames && !seen; k++)
            seen = strcasecmp(names[k].ptr, url) == 0;
        if (!seen)
            names[nnames++] = (ih_str){url, strlen(url)};
    }
    rc |= add_texts_if_room(a, "Destinations", names, nnames);
    rc |= add_texts_if_room(a, "SignalScores", signal_scores, nscores);
    rc |= annotate_asn(cp, a);
    ih_str context[16];
    size_t ncontext = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < v[members[i]].ncontext && ncontext < 16; k++)
            context[ncontext++] = v[members[i]].context[k];
    rc |= add_texts_if_room(a, "Context", context, ncontext);
    if (rc == 0)
        rc = merge_evidence(a, v, members, n);
    return rc;
}

/* Moves the alerts that survive into a new list and frees the others. */
static int rebuild(ih_alert_list *out, signal_alert *v, size_t nv, const size_t *signal_of)
{
    ih_alert_list kept = {0}, gone = {0};
    for (size_t i = 0; i < out->count; i++) {
        size_t k = signal_of[i];
        bool drop = k != SIZE_MAX && (v[k].dropped || v[k].consumed);
        ih_alert *slot = alert_list_add(drop ? &gone : &kept);
        if (!slot) {
            alert_list_free(&kept);
            alert_list_free(&gone);
            return -1;
        }
        *slot = out->items[i];
    }
    (void)nv;
    free(out->items);
    *out = kept;
    alert_list_free(&gone);
    return 0;
}

/*
 * Destinations as keys: "device\x1fdestination" for the signals bound to a
 * device, "\x1fdestination" for fast-flux domains, with the alerts that have
 * each key, so that grouping costs one lookup per destination instead of a
 * comparison of every pair of alerts.
 */
typedef struct dest_index {
    intern keys;
    int *head; /* by key id: first posting, -1 none */
    size_t nhead;
    int *next, *alert; /* postings */
    size_t npostings, cap;
} dest_index;

static int index_init(dest_index *x)
{
    memset(x, 0, sizeof(*x));
    return intern_init(&x->keys);
}

static void index_free(dest_index *x)
{
    intern_free(&x->keys);
    free(x->head);
    free(x->next);
    free(x->alert);
}

/* Id of the key for device (NULL for none) and destination; -1 when out of memory. */
static int64_t index_key(dest_index *x, const char *device, const char *dest)
{
    char buf[IH_NAME_MAX + 160];
    int n = snprintf(buf, sizeof(buf), "%s\x1f%s", device ? device : "", dest);
    if (n < 0 || (size_t)n >= sizeof(buf))
        n = (int)sizeof(buf) - 1;
    for (int i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)buf[i]);
    uint32_t id = intern_add(&x->keys, buf, (size_t)n);
    if (id == UINT32_MAX)
        return -1;
    if (id >= x->nhead) {
        size_t cap = x->nhead ? x->nhead * 2 : 1024;
        while (cap <= id)
            cap *= 2;
        int *h = realloc(x->head, cap * sizeof(*h));
        if (!h)
            return -1;
        for (size_t i = x->nhead; i < cap; i++)
            h[i] = -1;
        x->head = h;
        x->nhead = cap;
    }
    return id;
}

static int index_add(dest_index *x, int64_t key, int alert)
{
    if (x->npostings == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        int *nx = realloc(x->next, cap * sizeof(*nx));
        if (nx)
            x->next = nx;
        int *al = realloc(x->alert, cap * sizeof(*al));
        if (al)
            x->alert = al;
        if (!nx || !al)
            return -1;
        x->cap = cap;
    }
    x->alert[x->npostings] = alert;
    x->next[x->npostings] = x->head[key];
    x->head[key] = (int)x->npostings++;
    return 0;
}

/* The destinations of an alert: names, the remote address, and its sampled addresses. */
static size_t destinations(const signal_alert *sa, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < sa->nnames && n < cap; i++)
        out[n++] = sa->names[i];
    if (sa->alert->remote_ip && sa->alert->remote_ip[0] && n < cap)
        out[n++] = sa->alert->remote_ip;
    for (size_t i = 0; i < sa->naddrs && n < cap; i++)
        out[n++] = sa->addrs[i];
    return n;
}

#define MAX_DESTS 80

/* Joins the connectors of one device that share a destination. */
static int union_connectors(signal_alert *v, size_t nv, dest_index *owners)
{
    for (size_t i = 0; i < nv; i++) {
        if (attaches(&v[i]) || v[i].dropped)
            continue;
        const char *dests[MAX_DESTS];
        size_t n = destinations(&v[i], dests, MAX_DESTS);
        for (size_t k = 0; k < n; k++) {
            int64_t key = index_key(owners, v[i].device, dests[k]);
            if (key < 0)
                return -1;
            if (owners->head[key] < 0)
                owners->head[key] = (int)i;
            else
                v[find_root(v, (int)i)].group = find_root(v, owners->head[key]);
        }
    }
    return 0;
}

/* Indexes fan-outs under their device and fast-flux domains under no device. */
static int index_attachments(signal_alert *v, size_t nv, dest_index *x)
{
    for (size_t i = 0; i < nv; i++) {
        if (!attaches(&v[i]) || v[i].dropped)
            continue;
        const char *dests[MAX_DESTS];
        size_t n = destinations(&v[i], dests, MAX_DESTS);
        for (size_t k = 0; k < n; k++) {
            int64_t key = index_key(x, v[i].type == SIG_FANOUT ? v[i].device : NULL, dests[k]);
            if (key < 0 || index_add(x, key, (int)i) < 0)
                return -1;
        }
    }
    return 0;
}

/*
 * Appends to members the attachments that share a destination with member
 * `of`: fan-outs of its device (unless flux_only) and fast-flux domains.
 * stamp marks those already added for this group.
 */
static int gather_attachments(const signal_alert *v, int of, dest_index *x, int *stamp, int group,
                              bool flux_only, int *members, size_t *n)
{
    const char *dests[MAX_DESTS];
    size_t nd = destinations(&v[of], dests, MAX_DESTS);
    for (size_t k = 0; k < nd; k++) {
        for (int pass = flux_only ? 1 : 0; pass < 2; pass++) {
            int64_t key = index_key(x, pass == 0 ? v[of].device : NULL, dests[k]);
            if (key < 0)
                return -1;
            for (int p = x->head[key]; p >= 0; p = x->next[p]) {
                int f = x->alert[p];
                if (stamp[f] == group || f == of || (pass == 1 && v[f].type != SIG_FLUX))
                    continue;
                stamp[f] = group;
                members[(*n)++] = f;
            }
        }
    }
    return 0;
}

static int combine_finish(void *vs, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag)
{
    combine_state *s = vs;
    const combine_params *cp = s->params;
    (void)info;
    size_t cap = out->count ? out->count : 1;
    size_t *signal_of = malloc(cap * sizeof(*signal_of));
    signal_alert *v = calloc(cap, sizeof(*v));
    int *members = malloc(cap * sizeof(*members));
    int *stamp = malloc(cap * sizeof(*stamp));
    int *order = malloc(cap * sizeof(*order));
    bool *attached = calloc(cap, sizeof(*attached));
    dest_index owners, attachments;
    int rc = index_init(&owners) | index_init(&attachments);
    if (!signal_of || !v || !members || !stamp || !order || !attached)
        rc = -1;
    size_t nv = 0;
    for (size_t i = 0; rc == 0 && i < out->count; i++) {
        ih_alert *a = &out->items[i];
        int type = a->score == ALERT_NO_SCORE || !a->alert_type ? -1 : signal_index(a->alert_type);
        signal_of[i] = SIZE_MAX;
        if (type < 0)
            continue;
        signal_of[i] = nv;
        v[nv] = (signal_alert){.alert = a, .type = type, .group = (int)nv};
        describe(&v[nv]);
        assess(s, &v[nv]);
        stamp[nv] = -1;
        nv++;
    }

    /*
     * Beacons, dynamic-DNS names and intel hits of one device join on a shared
     * destination. Fast-flux domains and fan-outs, which span many addresses,
     * attach to those groups but never join two groups into one.
     */
    if (rc == 0)
        rc = union_connectors(v, nv, &owners);
    if (rc == 0)
        rc = index_attachments(v, nv, &attachments);

    /* The connectors in group order: a counting sort by root. */
    size_t nconn = 0;
    for (size_t i = 0; rc == 0 && i < nv; i++)
        if (!attaches(&v[i]) && !v[i].dropped)
            order[nconn++] = (int)i;
    for (size_t i = 0; i < nconn; i++)
        v[order[i]].group = find_root(v, order[i]);
    int *count = calloc(cap + 1, sizeof(*count));
    if (!count)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < nconn; i++)
        count[v[order[i]].group + 1]++;
    for (size_t i = 1; rc == 0 && i <= nv; i++)
        count[i] += count[i - 1];
    int *sorted = rc == 0 ? malloc(cap * sizeof(*sorted)) : NULL;
    if (!sorted)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < nconn; i++)
        sorted[count[v[order[i]].group]++] = order[i];

    uint64_t merged = 0, dropped = 0;
    for (size_t at = 0; rc == 0 && at < nconn;) {
        int group = v[sorted[at]].group;
        size_t n = 0;
        while (at < nconn && v[sorted[at]].group == group)
            members[n++] = sorted[at++];
        size_t device_members = n;
        for (size_t i = 0; i < device_members && rc == 0; i++)
            rc = gather_attachments(v, members[i], &attachments, stamp, group, false, members, &n);
        unsigned bits = 0;
        for (size_t i = 0; i < n; i++)
            bits |= 1u << v[members[i]].type;
        if (__builtin_popcount(bits) < 2) {
            for (size_t i = 0; i < device_members && rc == 0; i++)
                rc = finish_single(cp, &v[members[i]]);
            continue;
        }
        int base;
        rc = rc ? rc : finish_group(cp, v, members, n, device_members, &base);
        for (size_t i = 0; i < device_members; i++)
            v[members[i]].consumed = members[i] != base;
        for (size_t i = device_members; i < n; i++)
            attached[members[i]] = true;
        merged++;
    }

    /* A fan-out that joined no group still combines with the fast-flux domains it reached. */
    for (size_t f = 0; f < nv && rc == 0; f++) {
        if (v[f].type != SIG_FANOUT || v[f].dropped || attached[f])
            continue;
        size_t n = 0;
        members[n++] = (int)f;
        rc = gather_attachments(v, (int)f, &attachments, stamp, (int)(nv + f), true, members, &n);
        if (rc || n < 2)
            continue;
        int base;
        rc = finish_group(cp, v, members, n, 1, &base);
        for (size_t i = 1; i < n; i++)
            attached[members[i]] = true;
        attached[f] = false;
        v[f].group = -2; /* the base of a merged alert */
        merged++;
    }

    /* Fast-flux domains and fan-outs that attached to no group stay alerts of their own. */
    for (size_t f = 0; f < nv && rc == 0; f++) {
        if (!attaches(&v[f]) || v[f].dropped || v[f].group == -2)
            continue;
        if (attached[f])
            v[f].consumed = true;
        else
            rc = finish_single(cp, &v[f]);
    }
    for (size_t i = 0; i < nv; i++) {
        dropped += v[i].dropped;
        signal_text_free(&v[i].notes);
    }
    if (rc == 0)
        rc = rebuild(out, v, nv, signal_of);
    /* --stats reports whether ASN features ran, and the fast-flux explanations give the reason when not. */
    asn_db_stats st = {0};
    const char *asn_line = "asn: no database found";
    if (cp->enrich->asn) {
        asn_db_get_stats(cp->enrich->asn, &st);
        asn_line = strcmp(st.kind, "mmdb") == 0 ? "asn: mmdb" : "asn: csv ranges";
    }
    ih_diag_count_used(diag, asn_line, st.ipv4_ranges + st.ipv6_ranges);
    ih_diag_count_used(diag, "combine: merged alerts", merged);
    ih_diag_count_used(diag, "combine: allowlisted alerts", dropped);
    index_free(&owners);
    index_free(&attachments);
    free(count);
    free(sorted);
    free(signal_of);
    free(v);
    free(members);
    free(stamp);
    free(order);
    free(attached);
    return rc;
}

const ih_detector ih_detector_combine = {
    .name = "combine",
    .configure = combine_configure,
    .params_free = combine_params_free,
    .state_new = combine_state_new,
    .state_free = combine_state_free,
    .conn = combine_conn,
    .dns = combine_dns,
    .merge = combine_merge,
    .finish = combine_finish,
};
