/*
 * Statistics for beacon detection: robust summaries of a sample (median,
 * MAD, quartiles, Bowley skew), a period fit that tolerates jitter and
 * missed beats, and a change-point split for a sleep time that changes
 * mid-run. Pure functions on arrays of doubles; callers own every array.
 */
#ifndef IH_BEACON_STATS_H
#define IH_BEACON_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Quantile p (0 to 1) of sorted[0..n), interpolated linearly between order
   statistics at position (n - 1) * p (Hyndman and Fan type 7). 0 when n is 0. */
double beacon_quantile(const double *sorted, size_t n, double p);

/* A robust summary of a sample. */
typedef struct beacon_summary {
    double q1, median, q3;
    double mad;    /* median absolute deviation from the median, unscaled */
    double bowley; /* (q3 + q1 - 2 median) / (q3 - q1), 0 when q3 == q1 */
} beacon_summary;

/* Summarizes v[0..n); scratch holds n doubles. v is left unchanged. */
void beacon_summarize(const double *v, size_t n, double *scratch, beacon_summary *out);

/*
 * A period fitted to intervals: each interval d is read as k = max(1,
 * round(d / period)) beats, so an interval of about twice the period is one
 * missed beat, not an irregularity.
 */
typedef struct beacon_fit {
    double period;      /* seconds: the median of d / k */
    double jitter;      /* MAD of d / k, divided by the period */
    double bowley;      /* Bowley skew of d / k */
    double missed_rate; /* beats missed: sum(k - 1) / sum(k) */
    double early_rate;  /* share of intervals shorter than 0.45 periods */
    double low_ratio;   /* 10th percentile of the intervals, divided by the period */
    double cost;        /* mean per-interval misfit, see beacon_fit_intervals() */
    size_t intervals;
    size_t beats;       /* sum(k) */
} beacon_fit;

/*
 * Fits a period within [min_period, max_period] to d[0..n), n >= 2, trying
 * candidates from the interval quantiles divided by 1, 2 and 3 and refining
 * each by the median of d / k. The chosen period minimizes the mean cost
 * min(|d / (k period) - 1|, 0.5) + 0.35 (k - 1): the first term is the
 * relative timing error of each beat, the second keeps a fraction of the
 * true period from explaining everything through missed beats. scratch holds
 * 2n doubles. Returns true when a period in the range was found.
 */
bool beacon_fit_intervals(const double *d, size_t n, double min_period, double max_period,
                          double *scratch, beacon_fit *out);

/* The periodicity of a whole series: one fit, or two when the sleep changed. */
typedef struct beacon_periodicity {
    beacon_fit whole;
    bool changed;      /* a change point was accepted */
    size_t change_at;  /* index of the first interval after the change */
    beacon_fit before, after;
    double timing;     /* timing score, 0 to 1, see beacon_timing_score() */
} beacon_periodicity;

/*
 * Analyzes intervals d[0..n) in time order: fits one period, then looks for
 * one change point (a Pettitt rank split on the intervals, each side at
 * least min_segment intervals) and keeps it when the two sides fit periods
 * at least 1.5 times apart at under 70 % of the single fit's cost. scratch
 * holds 3n doubles. Returns false when no period in range fits.
 */
bool beacon_analyze(const double *d, size_t n, double min_period, double max_period,
                    size_t min_segment, double *scratch, beacon_periodicity *out);

/*
 * Timing score of one fit, 0 to 1: the mean of a fit score, 1 at a mean cost
 * of 0.12 or less and 0 at 0.42 or more, and a floor score, 1 when the 10th
 * percentile of the intervals is at least half the period and 0 at a fifth
 * or less. Jittered beacons have no intervals far below their period;
 * random (Poisson-like) traffic has many.
 */
double beacon_timing_score(const beacon_fit *f);

/*
 * Data-size regularity of per-connection byte counts, 0 to 1: the mean of
 * 1 - |Bowley skew| and 1 - MAD / median (clamped at 0). 1 for constant
 * sizes. scratch holds n doubles.
 */
double beacon_size_score(const double *bytes, size_t n, double *scratch);

#endif
