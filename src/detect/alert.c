#include "detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const ih_detector *const ih_detectors[] = {
    &ih_detector_seed,
    &ih_detector_beacon,
    &ih_detector_intel,
    &ih_detector_ddns,
    &ih_detector_flux,
    &ih_detector_combine,
    NULL,
};

ih_alert *alert_list_add(ih_alert_list *l)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        ih_alert *items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        l->items = items;
        l->cap = cap;
    }
    ih_alert *a = &l->items[l->count++];
    memset(a, 0, sizeof(*a));
    a->bytes_sent = ALERT_BYTES_NULL;
    a->bytes_received = ALERT_BYTES_NULL;
    a->score = ALERT_NO_SCORE;
    return a;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void alert_list_free(ih_alert_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        ih_alert *a = &l->items[i];
        free(a->device_name);
        free(a->remote_ip);
        free(a->remote_url);
        free_strings(a->sample_processes, a->nsample_processes);
        free_strings(a->techniques, a->ntechniques);
        free(a->explanation);
        for (size_t f = 0; f < a->nfields; f++) {
            free(a->fields[f].text);
            free_strings(a->fields[f].texts, a->fields[f].ntexts);
        }
        for (size_t k = 0; k < a->nseries; k++) {
            free(a->series[k].times);
            free(a->series[k].values);
        }
        for (size_t k = 0; k < a->nevents; k++) {
            free(a->events[k].process);
            free(a->events[k].name);
            free(a->events[k].address);
            free(a->events[k].detail);
        }
        free(a->events);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static int cmp_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_texts(char *const *a, size_t na, char *const *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++) {
        int c = strcmp(a[i], b[i]);
        if (c)
            return c;
    }
    return na < nb ? -1 : na > nb;
}

static int cmp_field(const alert_field *a, const alert_field *b)
{
    int c = strcmp(a->name, b->name);
    if (c || a->kind != b->kind)
        return c ? c : (int)a->kind - (int)b->kind;
    switch (a->kind) {
    case ALERT_INT:
    case ALERT_TIME:
        return a->i < b->i ? -1 : a->i > b->i;
    case ALERT_DOUBLE:
        return a->d < b->d ? -1 : a->d > b->d;
    case ALERT_TEXT:
        return cmp_text(a->text, b->text);
    case ALERT_TEXTS:
        return cmp_texts(a->texts, a->ntexts, b->texts, b->ntexts);
    }
    return 0;
}

static int alert_cmp(const void *pa, const void *pb)
{
    const ih_alert *a = pa, *b = pb;
    int c;

    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->timestamp != b->timestamp)
        return a->timestamp > b->timestamp ? -1 : 1;
    if ((c = cmp_text(a->alert_type, b->alert_type)) || (c = cmp_text(a->device_name, b->device_name)) ||
        (c = cmp_text(a->remote_ip, b->remote_ip)) || (c = cmp_text(a->remote_url, b->remote_url)))
        return c;
    if (a->connection_count != b->connection_count)
        return a->connection_count < b->connection_count ? -1 : 1;
    if (a->bytes_sent != b->bytes_sent)
        return a->bytes_sent < b->bytes_sent ? -1 : 1;
    if (a->bytes_received != b->bytes_received)
        return a->bytes_received < b->bytes_received ? -1 : 1;
    if ((c = cmp_texts(a->sample_processes, a->nsample_processes, b->sample_processes,
                       b->nsample_processes)))
        return c;
    if ((c = cmp_text(a->severity, b->severity)) || (c = cmp_text(a->confidence, b->confidence)) ||
        (c = cmp_texts(a->techniques, a->ntechniques, b->techniques, b->ntechniques)) ||
        (c = cmp_text(a->explanation, b->explanation)))
        return c;
    for (size_t i = 0; i < a->nfields && i < b->nfields; i++)
        if ((c = cmp_field(&a->fields[i], &b->fields[i])))
            return c;
    return a->nfields < b->nfields ? -1 : a->nfields > b->nfields;
}

void alert_list_sort(ih_alert_list *l)
{
    if (l->count > 1)
        qsort(l->items, l->count, sizeof(*l->items), alert_cmp);
}

char *alert_strdup(ih_str s)
{
    char *p = malloc(s.len + 1);
    if (!p)
        return NULL;
    if (s.len)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

int alert_set_strings(char ***dst, size_t *n, const ih_str *src, size_t count)
{
    char **v = calloc(count ? count : 1, sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < count; i++) {
        v[i] = alert_strdup(src[i]);
        if (!v[i]) {
            free_strings(v, i);
            return -1;
        }
    }
    *dst = v;
    *n = count;
    return 0;
}

static alert_field *add_field(ih_alert *a, const char *name, alert_value_kind kind)
{
    if (a->nfields == ALERT_MAX_FIELDS)
        return NULL;
    alert_field *f = &a->fields[a->nfields++];
    memset(f, 0, sizeof(*f));
    f->name = name;
    f->kind = kind;
    return f;
}

int alert_add_int(ih_alert *a, const char *name, int64_t v)
{
    alert_field *f = add_field(a, name, ALERT_INT);
    if (!f)
        return -1;
    f->i = v;
    return 0;
}

int alert_add_double(ih_alert *a, const char *name, double v)
{
    alert_field *f = add_field(a, name, ALERT_DOUBLE);
    if (!f)
        return -1;
    f->d = v;
    return 0;
}

int alert_add_time(ih_alert *a, const char *name, ih_time v)
{
    alert_field *f = add_field(a, name, ALERT_TIME);
    if (!f)
        return -1;
    f->i = v;
    return 0;
}

int alert_add_text(ih_alert *a, const char *name, ih_str v)
{
    alert_field *f = add_field(a, name, ALERT_TEXT);
    if (!f)
        return -1;
    f->text = alert_strdup(v);
    return f->text ? 0 : -1;
}

int alert_add_texts(ih_alert *a, const char *name, const ih_str *v, size_t n)
{
    alert_field *f = add_field(a, name, ALERT_TEXTS);
    if (!f)
        return -1;
    return alert_set_strings(&f->texts, &f->ntexts, v, n);
}

int alert_set_assessment(ih_alert *a, int score, const char *severity, const char *confidence,
                         const char *const *techniques, size_t ntechniques,
                         const char *explanation)
{
    ih_str *ids = malloc((ntechniques ? ntechniques : 1) * sizeof(*ids));
    if (!ids)
        return -1;
    for (size_t i = 0; i < ntechniques; i++)
        ids[i] = (ih_str){techniques[i], strlen(techniques[i])};
    int rc = alert_set_strings(&a->techniques, &a->ntechniques, ids, ntechniques);
    free(ids);
    a->explanation = alert_strdup((ih_str){explanation, strlen(explanation)});
    if (rc < 0 || !a->explanation)
        return -1;
    a->score = score;
    a->severity = severity;
    a->confidence = confidence;
    return 0;
}

alert_series *alert_add_series(ih_alert *a, const char *title, const char *unit,
                               alert_chart chart, size_t total)
{
    if (a->nseries == ALERT_MAX_SERIES)
        return NULL;
    size_t n = total < ALERT_SERIES_MAX_POINTS ? total : ALERT_SERIES_MAX_POINTS;
    alert_series *s = &a->series[a->nseries];
    memset(s, 0, sizeof(*s));
    s->title = title;
    s->unit = unit;
    s->chart = chart;
    s->n = n;
    s->total = total;
    s->mark = NAN;
    if (chart != ALERT_CHART_HISTOGRAM)
        s->times = calloc(n ? n : 1, sizeof(*s->times));
    if (chart != ALERT_CHART_TIMELINE)
        s->values = calloc(n ? n : 1, sizeof(*s->values));
    if ((chart != ALERT_CHART_HISTOGRAM && !s->times) ||
        (chart != ALERT_CHART_TIMELINE && !s->values)) {
        free(s->times);
        free(s->values);
        return NULL;
    }
    a->nseries++;
    return s;
}

size_t alert_series_source(const alert_series *s, size_t k)
{
    if (s->n == s->total || s->n < 2)
        return k;
    /* Evenly spaced, first and last included; the product fits for any real count. */
    return (size_t)(((unsigned long long)k * (s->total - 1) + (s->n - 1) / 2) / (s->n - 1));
}

static char *dup_known(ih_str s, bool *failed)
{
    if (!ih_str_known(s))
        return NULL;
    char *p = alert_strdup(s);
    if (!p)
        *failed = true;
    return p;
}

int alert_add_event(ih_alert *a, ih_time time, const char *kind, ih_str process, ih_str name,
                    ih_str address, ih_str detail)
{
    if (a->nevents == ALERT_MAX_EVENTS) {
        a->events_dropped++;
        return 0;
    }
    if (!a->events) {
        a->events = calloc(ALERT_MAX_EVENTS, sizeof(*a->events));
        if (!a->events)
            return -1;
    }
    bool failed = false;
    alert_event *e = &a->events[a->nevents];
    e->time = time;
    e->kind = kind;
    e->process = dup_known(process, &failed);
    e->name = dup_known(name, &failed);
    e->address = dup_known(address, &failed);
    e->detail = dup_known(detail, &failed);
    a->nevents++; /* counted even on failure, so alert_list_free() frees what was copied */
    return failed ? -1 : 0;
}
