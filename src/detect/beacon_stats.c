#include "beacon_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Relative timing error beyond which a beat counts as simply wrong. */
#define MAX_BEAT_ERROR 0.5
/* Cost of explaining an interval by one more missed beat. */
#define MISSED_BEAT_COST 0.35
/* Refinement passes of d / k medians per candidate period. */
#define REFINE_PASSES 3

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

static double clamp01(double x)
{
    if (x < 0)
        return 0;
    return x > 1 ? 1 : x;
}

double beacon_quantile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

void beacon_summarize(const double *v, size_t n, double *scratch, beacon_summary *out)
{
    memset(out, 0, sizeof(*out));
    if (n == 0)
        return;
    memcpy(scratch, v, n * sizeof(*scratch));
    qsort(scratch, n, sizeof(*scratch), cmp_double);
    out->q1 = beacon_quantile(scratch, n, 0.25);
    out->median = beacon_quantile(scratch, n, 0.5);
    out->q3 = beacon_quantile(scratch, n, 0.75);
    if (out->q3 > out->q1)
        out->bowley = (out->q3 + out->q1 - 2 * out->median) / (out->q3 - out->q1);
    for (size_t i = 0; i < n; i++)
        scratch[i] = fabs(v[i] - out->median);
    qsort(scratch, n, sizeof(*scratch), cmp_double);
    out->mad = beacon_quantile(scratch, n, 0.5);
}

static double beats_in(double d, double period)
{
    double k = round(d / period);
    return k < 1 ? 1 : k;
}

static double fit_cost(const double *d, size_t n, double period)
{
    double cost = 0;
    for (size_t i = 0; i < n; i++) {
        double k = beats_in(d[i], period);
        double err = fabs(d[i] / (k * period) - 1);
        cost += (err < MAX_BEAT_ERROR ? err : MAX_BEAT_ERROR) + MISSED_BEAT_COST * (k - 1);
    }
    return cost / (double)n;
}

/* Median of d / k for the beat counts that period implies; scratch holds n. */
static double refine(const double *d, size_t n, double period, double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = d[i] / beats_in(d[i], period);
    qsort(scratch, n, sizeof(*scratch), cmp_double);
    return beacon_quantile(scratch, n, 0.5);
}

/* Fills every field of out from a chosen period. */
static void describe_fit(const double *d, size_t n, double period, double *scratch,
                         beacon_fit *out)
{
    double beats = 0, early = 0;
    double *per_beat = scratch + n;
    for (size_t i = 0; i < n; i++) {
        double k = beats_in(d[i], period);
        per_beat[i] = d[i] / k;
        beats += k;
        early += d[i] < 0.45 * period;
    }
    beacon_summary s;
    beacon_summarize(per_beat, n, scratch, &s);
    memcpy(scratch, d, n * sizeof(*scratch));
    qsort(scratch, n, sizeof(*scratch), cmp_double);

    out->period = period;
    out->jitter = period > 0 ? s.mad / period : 0;
    out->bowley = s.bowley;
    out->missed_rate = (beats - (double)n) / beats;
    out->early_rate = early / (double)n;
    out->low_ratio = beacon_quantile(scratch, n, 0.1) / period;
    out->cost = fit_cost(d, n, period);
    out->intervals = n;
    out->beats = (size_t)beats;
}

bool beacon_fit_intervals(const double *d, size_t n, double min_period, double max_period,
                          double *scratch, beacon_fit *out)
{
    static const double quantiles[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    double *sorted = scratch, *work = scratch + n;
    double best_period = 0, best_cost = INFINITY;

    memset(out, 0, sizeof(*out));
    if (n < 2)
        return false;
    memcpy(sorted, d, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_double);
    for (size_t q = 0; q < sizeof(quantiles) / sizeof(quantiles[0]); q++) {
        double base = beacon_quantile(sorted, n, quantiles[q]);
        for (int divisor = 1; divisor <= 3; divisor++) {
            double period = base / divisor;
            for (int pass = 0; pass <= REFINE_PASSES; pass++) {
                if (!(period >= min_period && period <= max_period))
                    break;
                double cost = fit_cost(d, n, period);
                /* Ties go to the longer period, which needs fewer missed beats. */
                if (cost < best_cost || (cost == best_cost && period > best_period)) {
                    best_cost = cost;
                    best_period = period;
                }
                period = refine(d, n, period, work);
            }
        }
    }
    if (best_cost == INFINITY)
        return false;
    /* The cost leans toward longer periods; the median of d / k does not. */
    double period = refine(d, n, best_period, work);
    if (!(period >= min_period && period <= max_period))
        period = best_period;
    describe_fit(d, n, period, scratch, out);
    return true;
}

/*
 * Pettitt's statistic: the split s maximizing |sum over i < s of (2 rank_i -
 * n - 1)|, the rank-sum form of a Mann-Whitney test between the intervals
 * before and after s. Ranks of equal values are averaged.
 */
static size_t pettitt_split(const double *d, size_t n, size_t min_segment, double *scratch)
{
    double *order = scratch;     /* values, sorted */
    double *ranks = scratch + n; /* rank of each interval, in time order */
    memcpy(order, d, n * sizeof(*order));
    qsort(order, n, sizeof(*order), cmp_double);
    for (size_t i = 0; i < n; i++) {
        /* Binary search for the first and last position of d[i] in the sorted copy. */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (order[mid] < d[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t first = lo;
        hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (order[mid] <= d[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        ranks[i] = ((double)first + (double)lo + 1) / 2; /* 1-based mean rank */
    }
    double sum = 0, best = -1;
    size_t split = 0;
    for (size_t s = 1; s < n; s++) {
        sum += 2 * ranks[s - 1] - (double)n - 1;
        if (s >= min_segment && n - s >= min_segment && fabs(sum) > best) {
            best = fabs(sum);
            split = s;
        }
    }
    return split;
}

double beacon_timing_score(const beacon_fit *f)
{
    double fit = clamp01((0.42 - f->cost) / 0.30);
    double floor = clamp01((f->low_ratio - 0.2) / 0.3);
    return 0.5 * fit + 0.5 * floor;
}

bool beacon_analyze(const double *d, size_t n, double min_period, double max_period,
                    size_t min_segment, double *scratch, beacon_periodicity *out)
{
    memset(out, 0, sizeof(*out));
    bool whole = beacon_fit_intervals(d, n, min_period, max_period, scratch, &out->whole);
    if (whole)
        out->timing = beacon_timing_score(&out->whole);
    if (min_segment < 2 || n < 2 * min_segment)
        return whole;

    size_t s = pettitt_split(d, n, min_segment, scratch);
    beacon_fit before, after;
    if (s == 0 || !beacon_fit_intervals(d, s, min_period, max_period, scratch, &before) ||
        !beacon_fit_intervals(d + s, n - s, min_period, max_period, scratch, &after))
        return whole;
    double ratio = before.period > after.period ? before.period / after.period
                                                : after.period / before.period;
    double split_cost = (before.cost * (double)s + after.cost * (double)(n - s)) / (double)n;
    if (ratio < 1.5 || (whole && split_cost >= 0.7 * out->whole.cost))
        return whole;

    out->changed = true;
    out->change_at = s;
    out->before = before;
    out->after = after;
    out->timing = (beacon_timing_score(&before) * (double)s +
                   beacon_timing_score(&after) * (double)(n - s)) /
                  (double)n;
    return true;
}

double beacon_size_score(const double *bytes, size_t n, double *scratch)
{
    beacon_summary s;
    if (n == 0)
        return 0;
    beacon_summarize(bytes, n, scratch, &s);
    double spread = s.median > 0 ? clamp01(1 - s.mad / s.median) : (s.mad == 0 ? 1 : 0);
    return 0.5 * (1 - fabs(s.bowley)) + 0.5 * spread;
}
