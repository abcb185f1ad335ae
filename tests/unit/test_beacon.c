/*
 * Unit tests of the beacon detector's statistics: robust summaries on small
 * series computed by hand, the period fit with jitter, missed beats and a
 * sleep change, and the timing score against random arrivals. The bounded
 * group sample must not depend on how the input was split.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/detect/beacon_group.h"
#include "../../src/detect/beacon_stats.h"

#define EPS 1e-9

static void summary_odd_with_outlier(void **state)
{
    (void)state;
    /* Sorted 1 2 3 4 100: quartiles at positions 1, 2 and 3 are 2, 3 and 4.
       Deviations from 3 are 2 1 0 1 97, whose median is 1. */
    const double v[] = {100, 3, 1, 4, 2};
    double scratch[5];
    beacon_summary s;
    beacon_summarize(v, 5, scratch, &s);
    assert_true(fabs(s.q1 - 2) < EPS);
    assert_true(fabs(s.median - 3) < EPS);
    assert_true(fabs(s.q3 - 4) < EPS);
    assert_true(fabs(s.mad - 1) < EPS);
    assert_true(fabs(s.bowley) < EPS);
}

static void summary_even_skewed(void **state)
{
    (void)state;
    /* 1 2 4 8: q1 = 1 + 0.75 * 1 = 1.75, median = 2 + 0.5 * 2 = 3,
       q3 = 4 + 0.25 * 4 = 5; Bowley = (5 + 1.75 - 6) / (5 - 1.75) = 3 / 13.
       Deviations from 3 are 2 1 1 5, sorted 1 1 2 5, median 1.5. */
    const double v[] = {1, 2, 4, 8};
    double scratch[4];
    beacon_summary s;
    beacon_summarize(v, 4, scratch, &s);
    assert_true(fabs(s.q1 - 1.75) < EPS);
    assert_true(fabs(s.median - 3) < EPS);
    assert_true(fabs(s.q3 - 5) < EPS);
    assert_true(fabs(s.bowley - 3.0 / 13) < EPS);
    assert_true(fabs(s.mad - 1.5) < EPS);
}

static void summary_constant(void **state)
{
    (void)state;
    const double v[] = {10, 10, 10};
    double scratch[3];
    beacon_summary s;
    beacon_summarize(v, 3, scratch, &s);
    assert_true(fabs(s.median - 10) < EPS);
    assert_true(s.mad == 0);
    assert_true(s.bowley == 0);
}

static void summary_left_skew(void **state)
{
    (void)state;
    /* 0 9 10 11: q1 = 6.75, median 9.5, q3 = 10.25; Bowley = (10.25 + 6.75 - 19) / 3.5 = -4 / 7. */
    const double v[] = {0, 9, 10, 11};
    double scratch[4];
    beacon_summary s;
    beacon_summarize(v, 4, scratch, &s);
    assert_true(fabs(s.bowley + 4.0 / 7) < EPS);
}

static void quantile_ends(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3};
    assert_true(beacon_quantile(v, 3, 0) == 1);
    assert_true(beacon_quantile(v, 3, 1) == 3);
    assert_true(fabs(beacon_quantile(v, 3, 0.25) - 1.5) < EPS);
    assert_true(beacon_quantile(v, 0, 0.5) == 0);
}

static void fit_exact_period(void **state)
{
    (void)state;
    double d[20], scratch[60];
    for (int i = 0; i < 20; i++)
        d[i] = 60;
    beacon_periodicity p;
    assert_true(beacon_analyze(d, 20, 4, 86400, 8, scratch, &p));
    assert_false(p.changed);
    assert_true(fabs(p.whole.period - 60) < EPS);
    assert_true(p.whole.jitter == 0);
    assert_true(p.whole.missed_rate == 0);
    assert_true(fabs(p.timing - 1) < EPS);
}

static void fit_missed_beats(void **state)
{
    (void)state;
    /* 14 single beats, 4 intervals of two beats and one of three: 25 beats,
       6 of them missed. */
    double d[19], scratch[57];
    for (int i = 0; i < 19; i++) {
        if (i < 14)
            d[i] = 60;
        else if (i < 18)
            d[i] = 120;
        else
            d[i] = 180;
    }
    beacon_fit f;
    assert_true(beacon_fit_intervals(d, 19, 4, 86400, scratch, &f));
    assert_true(fabs(f.period - 60) < EPS);
    assert_int_equal(f.beats, 25);
    assert_true(fabs(f.missed_rate - 6.0 / 25) < EPS);
    assert_true(f.jitter == 0);
}

static void fit_half_jitter(void **state)
{
    (void)state;
    /* Sleeps of 60 s +/- 50 %, evenly spread: 30 45 60 75 90, repeated. The
       90 s sleeps sit exactly at 1.5 periods, where rounding reads them as
       two beats, so up to a fifth of the beats may count as missed. */
    static const double pattern[] = {30, 75, 45, 90, 60};
    double d[40], scratch[120];
    for (int i = 0; i < 40; i++)
        d[i] = pattern[i % 5];
    beacon_periodicity p;
    assert_true(beacon_analyze(d, 40, 4, 86400, 8, scratch, &p));
    assert_true(fabs(p.whole.period - 60) < 1);
    assert_true(p.whole.missed_rate < 0.2);
    assert_true(p.timing >= 0.5);
}

/* Exponential gaps from a fixed linear congruential sequence: random arrivals. */
static void fill_random(double *d, size_t n, double mean)
{
    uint64_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(x >> 11) / 9007199254740992.0;
        d[i] = -mean * log(1 - u);
    }
}

static void random_arrivals_score_low(void **state)
{
    (void)state;
    double d[200], scratch[600];
    fill_random(d, 200, 600);
    beacon_periodicity p;
    if (beacon_analyze(d, 200, 4, 86400, 8, scratch, &p))
        assert_true(p.timing < 0.3);
}

static void sleep_change_found(void **state)
{
    (void)state;
    double d[40], scratch[120];
    for (int i = 0; i < 40; i++)
        d[i] = i < 20 ? 60 : 300;
    beacon_periodicity p;
    assert_true(beacon_analyze(d, 40, 4, 86400, 8, scratch, &p));
    assert_true(p.changed);
    assert_int_equal(p.change_at, 20);
    assert_true(fabs(p.before.period - 60) < EPS);
    assert_true(fabs(p.after.period - 300) < EPS);
    assert_true(p.timing > 0.9);
}

static void missed_beats_are_not_a_sleep_change(void **state)
{
    (void)state;
    double d[40], scratch[120];
    for (int i = 0; i < 40; i++)
        d[i] = i % 4 == 3 ? 120 : 60;
    beacon_periodicity p;
    assert_true(beacon_analyze(d, 40, 4, 86400, 8, scratch, &p));
    assert_false(p.changed);
    assert_true(fabs(p.whole.period - 60) < EPS);
}

static void period_out_of_range(void **state)
{
    (void)state;
    double d[10], scratch[30];
    for (int i = 0; i < 10; i++)
        d[i] = 1;
    beacon_fit f;
    assert_false(beacon_fit_intervals(d, 10, 4, 86400, scratch, &f));
}

static void size_scores(void **state)
{
    (void)state;
    double scratch[6];
    const double constant[] = {412, 412, 412, 412};
    assert_true(fabs(beacon_size_score(constant, 4, scratch) - 1) < EPS);
    /* 100 200 400 800 1600 3200: spread and skewed, so well below 1. */
    const double spread[] = {100, 200, 400, 800, 1600, 3200};
    assert_true(beacon_size_score(spread, 6, scratch) < 0.6);
}

static void bucket_gap(void **state)
{
    (void)state;
    const int64_t hour = IH_NS_PER_HOUR;
    assert_false(beacon_gap_between(0, 5 * hour, hour, 0));
    assert_false(beacon_gap_between(0, hour / 2, hour, 64));
    assert_false(beacon_gap_between(0, hour, hour, 64));
    assert_true(beacon_gap_between(0, 2 * hour, hour, 64));
}

static int cmp_obs_time(const void *pa, const void *pb)
{
    const beacon_obs *a = pa, *b = pb;
    return a->time < b->time ? -1 : a->time > b->time;
}

/* A group built in one pass and one merged from two interleaved halves keep the same sample. */
static void sample_independent_of_split(void **state)
{
    (void)state;
    const int64_t minute = 60 * IH_NS_PER_SEC;
    beacon_groups one, left, right;
    beacon_key key = {1, 1, 2, 3, 1, 0};
    assert_int_equal(beacon_groups_init(&one, 256, IH_NS_PER_HOUR), 0);
    assert_int_equal(beacon_groups_init(&left, 256, IH_NS_PER_HOUR), 0);
    assert_int_equal(beacon_groups_init(&right, 256, IH_NS_PER_HOUR), 0);
    beacon_group *g = beacon_groups_get(&one, &key);
    beacon_group *a = beacon_groups_get(&left, &key);
    beacon_group *b = beacon_groups_get(&right, &key);
    assert_non_null(g);
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 3000; i++) {
        ih_time t = (ih_time)i * minute;
        assert_int_equal(beacon_group_observe(&one, g, t, 100, 200), 0);
        assert_int_equal(beacon_group_observe(i % 3 ? &left : &right, i % 3 ? a : b, t, 100, 200), 0);
    }
    assert_true(g->level > 0);
    assert_true(g->nobs <= 256);
    assert_int_equal(beacon_group_merge(&left, a, b), 0);
    assert_int_equal(a->level, g->level);
    assert_int_equal(a->nobs, g->nobs);
    qsort(a->obs, a->nobs, sizeof(*a->obs), cmp_obs_time);
    qsort(g->obs, g->nobs, sizeof(*g->obs), cmp_obs_time);
    for (size_t i = 0; i < g->nobs; i++)
        assert_true(a->obs[i].time == g->obs[i].time);
    beacon_groups_free(&one);
    beacon_groups_free(&left);
    beacon_groups_free(&right);
}

static void smallest_addresses_kept(void **state)
{
    (void)state;
    beacon_groups t;
    beacon_key key = {1, 1, 0, 2, 1, 0};
    assert_int_equal(beacon_groups_init(&t, 64, IH_NS_PER_HOUR), 0);
    beacon_group *g = beacon_groups_get(&t, &key);
    assert_non_null(g);
    for (int i = 9; i >= 0; i--) {
        ih_addr addr = {IH_AF_INET, {192, 0, 2, (uint8_t)i}};
        for (int k = 0; k <= i; k++)
            beacon_group_note_addr(g, &addr);
    }
    assert_int_equal(g->naddrs, BEACON_SMALLEST);
    for (size_t i = 0; i < g->naddrs; i++) {
        assert_int_equal(g->addrs[i].addr.bytes[3], i);
        assert_int_equal(g->addrs[i].count, i + 1);
    }
    beacon_groups_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(summary_odd_with_outlier),
        cmocka_unit_test(summary_even_skewed),
        cmocka_unit_test(summary_constant),
        cmocka_unit_test(summary_left_skew),
        cmocka_unit_test(quantile_ends),
        cmocka_unit_test(fit_exact_period),
        cmocka_unit_test(fit_missed_beats),
        cmocka_unit_test(fit_half_jitter),
        cmocka_unit_test(random_arrivals_score_low),
        cmocka_unit_test(sleep_change_found),
        cmocka_unit_test(missed_beats_are_not_a_sleep_change),
        cmocka_unit_test(period_out_of_range),
        cmocka_unit_test(size_scores),
        cmocka_unit_test(bucket_gap),
        cmocka_unit_test(sample_independent_of_split),
        cmocka_unit_test(smallest_addresses_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
