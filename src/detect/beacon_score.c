/*
 * End-of-scan scoring for the beacon detector: analyze each group's sample,
 * count how many devices reach each destination regularly, score, down-rank
 * with reasons, and write the alerts with their explanations.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"
#include "../event/timeutil.h"
#include "beacon.h"
#include "beacon_stats.h"

#define NS_PER_SEC 1e9

/* What the analysis of one group found. */
typedef struct group_result {
    beacon_group *group;
    beacon_periodicity periodicity;
    beacon_summary intervals; /* raw intervals between beats, seconds */
    size_t beats;
    double timing, size, evidence, coverage;
    double window_s; /* how long the observing device was seen, first to last connection */
    bool size_known;
    double size_median; /* bytes the device sent per beat, median */
    size_t regular_devices; /* devices that reach the same destination regularly */
} group_result;

/* A growing text buffer for explanations; on allocation failure it stays failed. */
typedef struct text_buf {
    char *text;
    size_t len, cap;
    bool failed;
} text_buf;

static void appendf(text_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void appendf(text_buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->text ? b->text + b->len : NULL, b->text ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->text && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 256;
        while (cap <= b->len + (size_t)n)
            cap *= 2;
        char *grown = realloc(b->text, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
}

static double clamp01(double x)
{
    if (x < 0)
        return 0;
    return x > 1 ? 1 : x;
}

/* Rounds to a number of decimals; dividing by a power of ten gives the nearest double. */
static double round_to(double x, int decimals)
{
    double scale = pow(10, decimals);
    return round(x * scale) / scale;
}

/* Writes a duration in seconds with a unit a person reads at a glance. */
static void format_duration(double s, char out[32])
{
    if (s < 90)
        snprintf(out, 32, "%.3g s", s);
    else if (s < 90 * 60)
        snprintf(out, 32, "%.3g min", s / 60);
    else if (s < 48 * 3600)
        snprintf(out, 32, "%.3g h", s / 3600);
    else
        snprintf(out, 32, "%.3g d", s / 86400);
}

static int cmp_obs(const void *pa, const void *pb)
{
    const beacon_obs *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->sent != b->sent)
        return a->sent < b->sent ? -1 : 1;
    return a->received < b->received ? -1 : a->received > b->received;
}

/* The fit that describes the series now: the later side of a sleep change. */
static const beacon_fit *current_fit(const beacon_periodicity *p)
{
    return p->changed ? &p->after : &p->whole;
}

/*
 * Collapses the sorted sample of g into beats. Writes the intervals between
 * beats in seconds to d and returns their count. Writes the bytes the device
 * sent per beat, where known, to sizes, and the time of the beat that ends
 * each interval to ends unless it is NULL. Each needs g->nobs slots.
 */
static size_t beat_intervals(const beacon_params *bp, const beacon_groups *groups,
                             const beacon_group *g, double *d, double *sizes, size_t *nsizes,
                             size_t *beats, ih_time *ends)
{
    size_t n = g->nobs, m = 0;
    ih_time beat = g->obs[0].time;
    double beat_sent = g->obs[0].sent == BEACON_BYTES_UNKNOWN ? NAN : g->obs[0].sent;
    *beats = 1;
    *nsizes = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && g->obs[i].time - beat <= bp->burst_window) {
            /* One beat may open several connections; their bytes add up. */
            beat_sent += g->obs[i].sent == BEACON_BYTES_UNKNOWN ? NAN : g->obs[i].sent;
            continue;
        }
        if (!isnan(beat_sent))
            sizes[(*nsizes)++] = beat_sent;
        if (i == n)
            break;
        if (!beacon_gap_between(beat, g->obs[i].time, groups->bucket, g->level)) {
            if (ends)
                ends[m] = g->obs[i].time;
            d[m++] = (double)(g->obs[i].time - beat) / NS_PER_SEC;
        }
        beat = g->obs[i].time;
        beat_sent = g->obs[i].sent == BEACON_BYTES_UNKNOWN ? NAN : g->obs[i].sent;
        (*beats)++;
    }
    return m;
}

/*
 * Sorts the sample, collapses bursts into beats, and fits the intervals.
 * Returns 1 when the group has a period in range, 0 when not, -1 out of memory.
 */
static int analyze_group(const beacon_params *bp, const beacon_groups *groups, beacon_group *g,
                         double window_s, group_result *r)
{
    size_t n = g->nobs;
    memset(r, 0, sizeof(*r));
    r->group = g;
    r->window_s = window_s;
    if (n < (size_t)bp->min_connections)
        return 0;
    qsort(g->obs, n, sizeof(*g->obs), cmp_obs);

    double *work = malloc(5 * n * sizeof(*work));
    if (!work)
        return -1;
    double *d = work, *sizes = work + n, *scratch = work + 2 * n;
    size_t beats, nsizes;
    size_t m = beat_intervals(bp, groups, g, d, sizes, &nsizes, &beats, NULL);

    int rc = 0;
    if (beats >= (size_t)bp->min_connections && m >= 2 &&
        beacon_analyze(d, m, (double)bp->min_period / NS_PER_SEC, (double)bp->max_period / NS_PER_SEC,
                       (size_t)bp->min_segment, scratch, &r->periodicity)) {
        rc = 1;
        r->beats = beats;
        r->timing = r->periodicity.timing;
        beacon_summarize(d, m, scratch, &r->intervals);
        r->size_known = nsizes * 2 >= beats;
        if (r->size_known) {
            beacon_summary sizes_summary;
            r->size = beacon_size_score(sizes, nsizes, scratch);
            beacon_summarize(sizes, nsizes, scratch, &sizes_summary);
            r->size_median = sizes_summary.median;
        }

        double span = (double)(g->last - g->first) / NS_PER_SEC;
        double min = (double)bp->min_connections;
        double count = clamp01(log((double)beats / min) / log(fmax(120, 2 * min) / min));
        r->coverage = window_s > 0 ? clamp01(span / window_s) : 1;
        r->evidence = 0.5 * count + 0.5 * clamp01(2 * r->coverage);
    }
    free(work);
    return rc;
}

/* Most frequent kept remote port, ties to the smaller; IH_UNKNOWN_PORT when none. */
static int32_t main_port(const beacon_group *g)
{
    int32_t port = IH_UNKNOWN_PORT;
    uint64_t best = 0;
    for (size_t i = 0; i < g->nports; i++) {
        if (g->ports[i].count > best) {
            best = g->ports[i].count;
            port = g->ports[i].port;
        }
    }
    return port;
}

static const beacon_service *periodic_service(const beacon_params *bp, const beacon_group *g)
{
    int32_t port = main_port(g);
    for (size_t i = 0; port != IH_UNKNOWN_PORT && i < bp->nservices; i++) {
        const beacon_service *s = &bp->services[i];
        if (s->port == port && (s->protocol == IH_PROTO_UNKNOWN || (g->protocols & (1u << s->protocol))))
            return s;
    }
    return NULL;
}

/* A destination and a device that reaches it regularly, for prevalence counts. */
typedef struct dest_device {
    uint32_t dest, device;
} dest_device;

static int cmp_dest_device(const void *pa, const void *pb)
{
    const dest_device *a = pa, *b = pb;
    if (a->dest != b->dest)
        return a->dest < b->dest ? -1 : 1;
    return a->device < b->device ? -1 : a->device > b->device;
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

/*
 * Sets regular_devices on every result: how many distinct devices have a
 * regular series (timing >= regular_timing) to the same destination.
 * Returns the number of distinct devices with any regular series, or
 * SIZE_MAX when out of memory.
 */
static size_t count_prevalence(const beacon_params *bp, group_result *r, size_t n)
{
    dest_device *pairs = malloc((n ? n : 1) * sizeof(*pairs));
    uint32_t *devices = malloc((n ? n : 1) * sizeof(*devices));
    if (!pairs || !devices) {
        free(pairs);
        free(devices);
        return SIZE_MAX;
    }
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].timing >= bp->regular_timing) {
            pairs[np] = (dest_device){r[i].group->key.dest, r[i].group->key.device_id};
            devices[np++] = r[i].group->key.device_id;
        }
    }
    qsort(pairs, np, sizeof(*pairs), cmp_dest_device);
    qsort(devices, np, sizeof(*devices), cmp_u32);
    size_t ndevices = 0;
    for (size_t i = 0; i < np; i++)
        ndevices += i == 0 || devices[i] != devices[i - 1];

    for (size_t i = 0; i < n; i++) {
        dest_device key = {r[i].group->key.dest, 0};
        /* Lower bound of the destination, then its distinct devices. */
        size_t lo = 0, hi = np;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cmp_dest_device(&pairs[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t count = 0;
        for (size_t k = lo; k < np && pairs[k].dest == key.dest; k++)
            count += k == lo || pairs[k].device != pairs[k - 1].device;
        r[i].regular_devices = count;
    }
    free(pairs);
    free(devices);
    return ndevices;
}

static const char *severity_of(const beacon_params *bp, int score)
{
    if (score >= bp->high)
        return "high";
    if (score >= bp->medium)
        return "medium";
    if (score >= bp->low)
        return "low";
    return "info";
}

static const char *confidence_of(const group_result *r)
{
    const beacon_fit *f = current_fit(&r->periodicity);
    if (r->beats >= 30 && f->intervals >= 20 && r->coverage >= 0.25)
        return "high";
    if (r->beats >= 15)
        return "medium";
    return "low";
}

/* ATT&CK techniques by the main port: always T1584, plus the channel that the port implies. */
static size_t techniques_of(int32_t port, const char *out[4])
{
    size_t n = 0;
    out[n++] = "T1584";
    switch (port) {
    case 80:
    case 8000:
    case 8008:
    case 8080:
    case 8888:
    case 3128:
        out[n++] = "T1071.001";
        break;
    case 443:
    case 4443:
    case 8443:
        out[n++] = "T1071.001";
        out[n++] = "T1573";
        break;
    case 53:
        out[n++] = "T1071.004";
        break;
    case 853:
    case 993:
    case 995:
    case 8883:
        out[n++] = "T1071";
        out[n++] = "T1573";
        break;
    default:
        out[n++] = "T1071";
        break;
    }
    return n;
}

/* The score before down-ranking, 0 to 1: a weighted mean of the available scores. */
static double raw_score(const beacon_params *bp, const group_result *r)
{
    double sum = bp->weight_timing * r->timing + bp->weight_evidence * r->evidence;
    double weights = bp->weight_timing + bp->weight_evidence;
    if (r->size_known) {
        sum += bp->weight_size * r->size;
        weights += bp->weight_size;
    }
    return weights > 0 ? sum / weights : 0;
}

/* Reasons to lower the score, each with its factor, written into reasons. */
typedef struct downranks {
    const char *reason[6];
    char text[6][200];
    size_t n;
    double factor;
} downranks;

static void add_downrank(downranks *d, double factor, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_downrank(downranks *d, double factor, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->text[d->n], sizeof(d->text[d->n]), fmt, ap);
    va_end(ap);
    d->reason[d->n] = d->text[d->n];
    d->n++;
    d->factor *= factor;
}

static void find_downranks(const beacon_params *bp, const group_result *r, size_t regular_total,
                           downranks *d)
{
    double window_s = r->window_s;
    const beacon_group *g = r->group;
    memset(d, 0, sizeof(*d));
    d->factor = 1;

    const beacon_service *service = periodic_service(bp, g);
    if (service)
        add_downrank(d, bp->downrank, "port %d is %s, which is periodic by design", (int)service->port,
                     service->name);
    if (r->regular_devices >= (size_t)bp->prevalence_min_devices &&
        (double)r->regular_devices >= bp->prevalence_min_share * (double)regular_total)
        add_downrank(d, bp->downrank,
                     "%zu of the %zu devices with regular traffic reach this destination "
                     "regularly, as an update or telemetry service is",
                     r->regular_devices, regular_total);
    if (r->size_known && r->size_median == 0)
        add_downrank(d, bp->downrank,
                     "the device sent no data in most connections, so they are probes, not check-ins");
    /* A TCP client keeps its local port for the life of a connection. */
    if (g->protocols == (1u << IH_PROTO_TCP) && g->nlocal_ports <= 2 &&
        g->local_port_known >= 10 * g->nlocal_ports)
        add_downrank(d, bp->downrank,
                     "all %llu records use %zu local port%s, so they are keepalives of one "
                     "long-lived connection, not new check-ins",
                     (unsigned long long)g->local_port_known, g->nlocal_ports,
                     g->nlocal_ports == 1 ? "" : "s");
    double span = (double)(g->last - g->first) / NS_PER_SEC;
    if (window_s > 0 && span < bp->short_lived_share * window_s) {
        char a[32], b[32];
        format_duration(span, a);
        format_duration(window_s, b);
        add_downrank(d, bp->downrank + (1 - bp->downrank) * span / (bp->short_lived_share * window_s),
                     "active for %s of the %s observed", a, b);
    }
}

static void explain(const beacon_state *s, const group_result *r, const downranks *dr, text_buf *b)
{
    double window_s = r->window_s;
    const beacon_group *g = r->group;
    const beacon_periodicity *p = &r->periodicity;
    const beacon_fit *f = current_fit(p);
    char period[32], span[32], window[32];
    format_duration(f->period, period);
    format_duration((double)(g->last - g->first) / NS_PER_SEC, span);
    format_duration(window_s, window);
    ih_str dest = intern_text(&s->strings, g->key.dest);

    ih_str device = intern_text(&s->strings, g->key.device_name);
    ih_str process = intern_text(&s->strings, g->key.process);
    if (g->key.inbound)
        appendf(b, "External client %.*s called %.*s", (int)device.len, device.ptr, (int)dest.len, dest.ptr);
    else if (process.len)
        appendf(b, "%.*s on %.*s connected to %.*s", (int)process.len, process.ptr, (int)device.len,
                device.ptr, (int)dest.len, dest.ptr);
    else
        appendf(b, "%.*s connected to %.*s", (int)device.len, device.ptr, (int)dest.len, dest.ptr);
    appendf(b, " %llu times over %s, about every %s (jitter +/-%.0f %%, %.0f %% of beats missed",
            (unsigned long long)g->count, span, period, 200 * f->jitter, 100 * f->missed_rate);
    if (p->changed) {
        char before[32];
        format_duration(p->before.period, before);
        appendf(b, "; the period changed from %s to %s after %zu intervals", before, period, p->change_at);
    }
    appendf(b, "). Timing %.2f, data size ", r->timing);
    if (r->size_known)
        appendf(b, "%.2f (%llu bytes sent in all)", r->size, (unsigned long long)g->sent);
    else
        appendf(b, "unknown (the source records no byte counts)");
    appendf(b, ", evidence %.2f (%zu beats, active for %.0f %% of the %s observed). ", r->evidence, r->beats,
            100 * r->coverage, window);
    appendf(b, "%zu device%s reach%s this destination regularly. ", r->regular_devices,
            r->regular_devices == 1 ? "" : "s", r->regular_devices == 1 ? "es" : "");
    if (g->failed)
        appendf(b, "%llu failed connection%s not counted. ", (unsigned long long)g->failed,
                g->failed == 1 ? "" : "s");
    if (dr->n == 0)
        appendf(b, "Not down-ranked.");
    for (size_t i = 0; i < dr->n; i++)
        appendf(b, "%s%s%s", i ? "; " : "Down-ranked: ", dr->reason[i], i + 1 == dr->n ? "." : "");
}

/* The most frequent kept remote address, ties to the smaller. */
static const ih_addr *main_addr(const beacon_group *g)
{
    const ih_addr *addr = NULL;
    uint64_t best = 0;
    for (size_t i = 0; i < g->naddrs; i++) {
        if (g->addrs[i].count > best) {
            best = g->addrs[i].count;
            addr = &g->addrs[i].addr;
        }
    }
    return addr;
}

static int add_fields(const beacon_state *s, const group_result *r, const downranks *dr, ih_alert *a)
{
    const beacon_group *g = r->group;
    const beacon_fit *f = current_fit(&r->periodicity);
    ih_str ports[BEACON_SMALLEST];
    char port_text[BEACON_SMALLEST][12];
    for (size_t i = 0; i < g->nports; i++) {
        int len = snprintf(port_text[i], sizeof(port_text[i]), "%d", (int)g->ports[i].port);
        ports[i] = (ih_str){port_text[i], (size_t)len};
    }
    ih_str reasons[6];
    for (size_t i = 0; i < dr->n; i++)
        reasons[i] = (ih_str){dr->reason[i], strlen(dr->reason[i])};

    int rc = 0;
    rc |= alert_add_text(a, "DeviceId", intern_text(&s->strings, g->key.device_id));
    rc |= alert_add_text(a, "Direction", g->key.inbound ? IH_STR_LIT("inbound client") : IH_STR_LIT("outbound"));
    rc |= alert_add_texts(a, "RemotePorts", ports, g->nports);
    rc |= alert_add_time(a, "FirstSeen", g->first);
    rc |= alert_add_time(a, "LastSeen", g->last);
    rc |= alert_add_double(a, "PeriodSeconds", round_to(f->period, 3));
    rc |= alert_add_double(a, "JitterPercent", round_to(200 * f->jitter, 1));
    rc |= alert_add_double(a, "MissedBeatPercent", round_to(100 * f->missed_rate, 1));
    rc |= alert_add_int(a, "Beats", (int64_t)r->beats);
    rc |= alert_add_double(a, "IntervalMedianSeconds", round_to(r->intervals.median, 3));
    rc |= alert_add_double(a, "IntervalMADSeconds", round_to(r->intervals.mad, 3));
    rc |= alert_add_double(a, "IntervalBowleySkew", round_to(r->intervals.bowley, 3));
    if (r->periodicity.changed)
        rc |= alert_add_double(a, "PeriodBeforeChangeSeconds", round_to(r->periodicity.before.period, 3));
    rc |= alert_add_double(a, "TimingScore", round_to(r->timing, 2));
    if (r->size_known)
        rc |= alert_add_double(a, "DataSizeScore", round_to(r->size, 2));
    rc |= alert_add_double(a, "EvidenceScore", round_to(r->evidence, 2));
    rc |= alert_add_int(a, "RegularDevices", (int64_t)r->regular_devices);
    rc |= alert_add_int(a, "FailedConnections", (int64_t)g->failed);
    rc |= alert_add_texts(a, "DownRanked", reasons, dr->n);
    if (g->level > 0)
        rc |= alert_add_int(a, "SampledTimestamps", (int64_t)g->nobs);
    return rc ? -1 : 0;
}

/* Adds one point series of the bytes per connection, when any count is known. */
static int add_bytes_series(ih_alert *a, const beacon_group *g, const char *title, bool sent)
{
    size_t known = 0;
    for (size_t i = 0; i < g->nobs; i++)
        known += (sent ? g->obs[i].sent : g->obs[i].received) != BEACON_BYTES_UNKNOWN;
    if (known == 0)
        return 0;
    size_t *index = malloc(known * sizeof(*index));
    alert_series *series = index ? alert_add_series(a, title, "bytes", ALERT_CHART_POINTS, known) : NULL;
    if (!series) {
        free(index);
        return -1;
    }
    known = 0;
    for (size_t i = 0; i < g->nobs; i++)
        if ((sent ? g->obs[i].sent : g->obs[i].received) != BEACON_BYTES_UNKNOWN)
            index[known++] = i;
    for (size_t k = 0; k < series->n; k++) {
        const beacon_obs *o = &g->obs[index[alert_series_source(series, k)]];
        series->times[k] = o->time;
        series->values[k] = sent ? o->sent : o->received;
    }
    free(index);
    return 0;
}

/*
 * Adds the report's charts: the connection times, the intervals between
 * beats with the inferred period marked, and the bytes per connection where
 * the source counts them. The sample is sorted by analyze_group().
 */
static int add_evidence(const beacon_state *s, const group_result *r, ih_alert *a)
{
    const beacon_group *g = r->group;
    alert_series *times = alert_add_series(a, "Connections", NULL, ALERT_CHART_TIMELINE, g->nobs);
    if (!times)
        return -1;
    for (size_t k = 0; k < times->n; k++)
        times->times[k] = g->obs[alert_series_source(times, k)].time;

    double *work = malloc(2 * g->nobs * sizeof(*work));
    ih_time *ends = malloc(g->nobs * sizeof(*ends));
    if (!work || !ends) {
        free(work);
        free(ends);
        return -1;
    }
    size_t beats, nsizes;
    size_t m =
        beat_intervals(s->params, &s->groups, g, work, work + g->nobs, &nsizes, &beats, ends);
    double period = current_fit(&r->periodicity)->period;
    alert_series *histogram =
        alert_add_series(a, "Intervals between beats", "s", ALERT_CHART_HISTOGRAM, m);
    alert_series *by_time =
        histogram ? alert_add_series(a, "Interval by time", "s", ALERT_CHART_POINTS, m) : NULL;
    if (by_time) {
        for (size_t k = 0; k < histogram->n; k++)
            histogram->values[k] = work[alert_series_source(histogram, k)];
        for (size_t k = 0; k < by_time->n; k++) {
            size_t i = alert_series_source(by_time, k);
            by_time->times[k] = ends[i];
            by_time->values[k] = work[i];
        }
        histogram->mark = by_time->mark = period;
        histogram->mark_label = by_time->mark_label = "period";
    }
    free(work);
    free(ends);
    if (!by_time)
        return -1;

    if (add_bytes_series(a, g, "Bytes sent", true) < 0 ||
        add_bytes_series(a, g, "Bytes received", false) < 0)
        return -1;
    return 0;
}

static int emit(const beacon_state *s, const group_result *r, size_t regular_total,
                const ih_scan_info *info, ih_alert_list *out)
{
    const beacon_params *bp = s->params;
    const beacon_group *g = r->group;
    downranks dr;
    find_downranks(bp, r, regular_total, &dr);
    int score = (int)lround(100 * raw_score(bp, r) * dr.factor);
    if (score < bp->min_score)
        return 0;

    text_buf explanation = {0};
    explain(s, r, &dr, &explanation);
    const char *techniques[4];
    size_t ntechniques = techniques_of(main_port(g), techniques);
    ih_alert *a = explanation.failed ? NULL : alert_list_add(out);
    if (!a) {
        free(explanation.text);
        return -1;
    }
    char addr_text[IH_ADDR_TEXT_MAX] = "";
    const ih_addr *addr = main_addr(g);
    if (addr)
        ih_addr_format(addr, addr_text);
    ih_str process = intern_text(&s->strings, g->key.process);

    a->alert_type = "Beaconing";
    a->timestamp = g->last;
    a->connection_count = g->count;
    a->bytes_sent = g->sent_known ? (int64_t)g->sent : ALERT_BYTES_NULL;
    a->bytes_received = g->received_known ? (int64_t)g->received : ALERT_BYTES_NULL;
    a->device_name = alert_strdup(intern_text(&s->strings, g->key.device_name));
    a->remote_ip = alert_strdup((ih_str){addr_text, strlen(addr_text)});
    /* A destination keyed by address has no name; one keyed by name is the name. */
    ih_str dest = intern_text(&s->strings, g->key.dest);
    bool named = !g->key.inbound && !(addr && strlen(addr_text) == dest.len &&
                                      memcmp(addr_text, dest.ptr, dest.len) == 0);
    a->remote_url = alert_strdup(named ? dest : IH_STR_LIT(""));
    int rc = alert_set_strings(&a->sample_processes, &a->nsample_processes, &process, g->key.process ? 1 : 0);
    if (rc < 0 || !a->device_name || !a->remote_ip || !a->remote_url ||
        alert_set_assessment(a, score, severity_of(bp, score), confidence_of(r), techniques, ntechniques,
                             explanation.text) < 0 ||
        add_fields(s, r, &dr, a) < 0 || (info->evidence && add_evidence(s, r, a) < 0))
        rc = -1;
    free(explanation.text);
    return rc;
}

int beacon_finish(void *v, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag)
{
    beacon_state *s = v;
    const beacon_params *bp = s->params;

    uint64_t used = 0;
    for (size_t i = 0; i < s->groups.count; i++)
        used += s->groups.items[i].count + s->groups.items[i].failed;
    ih_diag_count_used(diag, "beacon", used);
    if (s->groups.count == 0)
        return 0;

    group_result *results = malloc(s->groups.count * sizeof(*results));
    if (!results)
        return -1;
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < s->groups.count && rc == 0; i++) {
        beacon_group *g = &s->groups.items[i];
        /* Mostly failing connections are retries against a dead service, not beats. */
        if ((double)g->failed >= bp->max_failed_share * (double)(g->failed + g->count) && g->failed > 0)
            continue;
        uint32_t seen = g->key.observer;
        double window_s = (double)(s->seen_last[seen] - s->seen_first[seen]) / NS_PER_SEC;
        int found = analyze_group(bp, &s->groups, g, window_s, &results[n]);
        if (found < 0)
            rc = -1;
        n += found > 0;
    }
    size_t regular_total = rc == 0 ? count_prevalence(bp, results, n) : 0;
    if (regular_total == SIZE_MAX)
        rc = -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = emit(s, &results[i], regular_total, info, out);
    free(results);
    return rc;
}
