/*
 * Unit tests of event times: RFC 3339 and epoch parsing, formatting, and the
 * civil-date arithmetic under both.
 *
 * Expected values were computed independently with Python 3's datetime and
 * calendar.timegm, and are written here as constants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/event/timeutil.h"

#define NS IH_NS_PER_SEC

/* Parses s with ih_time_parse_iso() and fails the test if the text is rejected. */
static ih_time iso(const char *s)
{
    ih_time t = 0;
    assert_int_equal(ih_time_parse_iso(s, strlen(s), &t), 0);
    return t;
}

static int iso_status(const char *s)
{
    ih_time t = 0;
    return ih_time_parse_iso(s, strlen(s), &t);
}

static ih_time epoch(const char *s)
{
    ih_time t = 0;
    assert_int_equal(ih_time_parse_epoch(s, strlen(s), &t), 0);
    return t;
}

static int epoch_status(const char *s)
{
    ih_time t = 0;
    return ih_time_parse_epoch(s, strlen(s), &t);
}

static void test_iso_basic_utc(void **state)
{
    (void)state;
    /* calendar.timegm((2024, 4, 19, 13, 0, 0)) == 1713531600 */
    assert_int_equal(iso("2024-04-19T13:00:00Z"), INT64_C(1713531600) * NS);
    assert_int_equal(iso("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(iso("1969-12-31T23:59:59Z"), -NS);
}

static void test_iso_without_zone_is_utc(void **state)
{
    (void)state;
    assert_int_equal(iso("2024-04-19T13:00:00"), INT64_C(1713531600) * NS);
}

static void test_iso_fraction_digits(void **state)
{
    (void)state;
    const ih_time base = INT64_C(1713531600) * NS;

    assert_int_equal(iso("2024-04-19T13:00:00.5Z"), base + 500000000);
    assert_int_equal(iso("2024-04-19T13:00:00.12Z"), base + 120000000);
    assert_int_equal(iso("2024-04-19T13:00:00.123Z"), base + 123000000);
    assert_int_equal(iso("2024-04-19T13:00:00.123456Z"), base + 123456000);
    assert_int_equal(iso("2024-04-19T13:00:00.1234567Z"), base + 123456700);
    assert_int_equal(iso("2024-04-19T13:00:00.123456789Z"), base + 123456789);
    /* Digits past nanoseconds are dropped, not rounded. */
    assert_int_equal(iso("2024-04-19T13:00:00.1234567899Z"), base + 123456789);
    assert_int_equal(iso("2024-04-19T13:00:00.999999999999999Z"), base + 999999999);
    assert_int_equal(iso("2024-04-19T13:00:00.000000001Z"), base + 1);
}

static void test_iso_empty_fraction_rejected(void **state)
{
    (void)state;
    assert_int_equal(iso_status("2024-04-19T13:00:00.Z"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00."), -1);
}

static void test_iso_offsets(void **state)
{
    (void)state;
    /* 13:00 at +05:30 is 07:30 UTC, and 13:00 at -08:00 is 21:00 UTC. */
    assert_int_equal(iso("2024-04-19T13:00:00+05:30"), INT64_C(1713511800) * NS);
    assert_int_equal(iso("2024-04-19T13:00:00-08:00"), INT64_C(1713560400) * NS);
    assert_int_equal(iso("2024-04-19T13:00:00+00:00"), INT64_C(1713531600) * NS);
    assert_int_equal(iso("2024-04-19T13:00:00-00:00"), INT64_C(1713531600) * NS);
    assert_int_equal(iso("2024-04-19T13:00:00.25+05:30"), INT64_C(1713511800) * NS + 250000000);
    /* An offset that crosses midnight backwards: 2024-04-19T01:00+05:30 is 04-18T19:30Z. */
    assert_int_equal(iso("2024-04-19T01:00:00+05:30"), INT64_C(1713468600) * NS);
}

static void test_iso_bad_offsets(void **state)
{
    (void)state;
    assert_int_equal(iso_status("2024-04-19T13:00:00+0530"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00+05"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00+24:00"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00+05:60"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00+05:30Z"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00ZZ"), -1);
}

static void test_iso_separators_and_case(void **state)
{
    (void)state;
    const ih_time want = INT64_C(1713531600) * NS;

    assert_int_equal(iso("2024-04-19t13:00:00z"), want);
    assert_int_equal(iso("2024-04-19 13:00:00Z"), want);
    assert_int_equal(iso("2024-04-19 13:00:00"), want);
    assert_int_equal(iso_status("2024-04-19_13:00:00Z"), -1);
    assert_int_equal(iso_status("2024/04/19T13:00:00Z"), -1);
    assert_int_equal(iso_status("2024-04-19T13.00.00Z"), -1);
}

static void test_iso_leap_day(void **state)
{
    (void)state;
    /* 2024 and 2000 are leap years, but 2023 and 1900 are not. */
    assert_int_equal(iso("2024-02-29T23:59:59Z"), INT64_C(1709251199) * NS);
    assert_int_equal(iso_status("2023-02-29T00:00:00Z"), -1);
    assert_int_equal(iso_status("1900-02-29T00:00:00Z"), -1);
    assert_int_equal(iso_status("2000-02-29T00:00:00Z"), 0);
    assert_int_equal(iso_status("2024-02-30T00:00:00Z"), -1);
}

static void test_iso_field_ranges(void **state)
{
    (void)state;
    assert_int_equal(iso_status("2024-13-01T00:00:00Z"), -1);
    assert_int_equal(iso_status("2024-00-01T00:00:00Z"), -1);
    assert_int_equal(iso_status("2024-04-00T00:00:00Z"), -1);
    assert_int_equal(iso_status("2024-04-31T00:00:00Z"), -1);
    assert_int_equal(iso_status("2024-04-19T24:00:00Z"), -1);
    assert_int_equal(iso_status("2024-04-19T23:60:00Z"), -1);
    assert_int_equal(iso_status("2024-04-19T23:59:61Z"), -1);
}

static void test_iso_leap_second_folds(void **state)
{
    (void)state;
    /* 2016-12-31T23:59:60Z is counted as 2017-01-01T00:00:00Z (1483228800), as POSIX time does. */
    assert_int_equal(iso("2016-12-31T23:59:60Z"), INT64_C(1483228800) * NS);
}

static void test_iso_year_limits(void **state)
{
    (void)state;
    /* calendar.timegm gives -9214560000 for 1678-01-01 and 9214646399 for 2261-12-31T23:59:59. */
    assert_int_equal(iso("1678-01-01T00:00:00Z"), INT64_C(-9214560000) * NS);
    assert_int_equal(iso("2261-12-31T23:59:59Z"), INT64_C(9214646399) * NS);
    assert_int_equal(iso_status("1677-12-31T23:59:59Z"), -1);
    assert_int_equal(iso_status("2262-01-01T00:00:00Z"), -1);
    assert_int_equal(iso_status("0000-01-01T00:00:00Z"), -1);
    assert_int_equal(iso_status("9999-12-31T23:59:59Z"), -1);
}

static void test_iso_garbage(void **state)
{
    (void)state;
    assert_int_equal(iso_status(""), -1);
    assert_int_equal(iso_status("2024-04-19"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00Z "), -1);
    assert_int_equal(iso_status(" 2024-04-19T13:00:00Z"), -1);
    assert_int_equal(iso_status("2O24-04-19T13:00:00Z"), -1);
    assert_int_equal(iso_status("2024-4-19T13:00:00Z"), -1);
    assert_int_equal(iso_status("2024-04-19T13:00:00.1x"), -1);
    assert_int_equal(iso_status("not a time at all!!"), -1);
}

static void test_iso_length_bounds(void **state)
{
    (void)state;
    const char *s = "2024-04-19T13:00:00Z";
    ih_time t = 0;

    /* The length argument, not a NUL, ends the text. */
    assert_int_equal(ih_time_parse_iso(s, 19, &t), 0);
    assert_int_equal(t, INT64_C(1713531600) * NS);
    assert_int_equal(ih_time_parse_iso(s, 18, &t), -1);
}

static void test_epoch_forms(void **state)
{
    (void)state;
    assert_int_equal(epoch("0"), 0);
    assert_int_equal(epoch("1713484795"), INT64_C(1713484795) * NS);
    assert_int_equal(epoch("1713484795.943239"), INT64_C(1713484795) * NS + 943239000);
    assert_int_equal(epoch("1713484795.5"), INT64_C(1713484795) * NS + 500000000);
    assert_int_equal(epoch("1713484795.123456789"), INT64_C(1713484795) * NS + 123456789);
    assert_int_equal(epoch("1713484795.1234567891"), INT64_C(1713484795) * NS + 123456789);
}

static void test_epoch_negative(void **state)
{
    (void)state;
    assert_int_equal(epoch("-1"), -NS);
    assert_int_equal(epoch("-1.5"), -NS - 500000000);
    assert_int_equal(epoch("-0.25"), -250000000);
}

static void test_epoch_garbage(void **state)
{
    (void)state;
    assert_int_equal(epoch_status(""), -1);
    assert_int_equal(epoch_status("-"), -1);
    assert_int_equal(epoch_status("."), -1);
    assert_int_equal(epoch_status(".5"), -1);
    assert_int_equal(epoch_status("12."), -1);
    assert_int_equal(epoch_status("+12"), -1);
    assert_int_equal(epoch_status("12a"), -1);
    assert_int_equal(epoch_status("1e9"), -1);
    assert_int_equal(epoch_status(" 12"), -1);
    assert_int_equal(epoch_status("--1"), -1);
}

static void test_epoch_overflow_rejected(void **state)
{
    (void)state;
    /* Epoch seconds take the RFC 3339 parser's range: 1678-01-01 to 2261-12-31. */
    assert_int_equal(epoch_status("9214646399"), 0);
    assert_int_equal(epoch_status("9214646400"), -1);
    assert_int_equal(epoch_status("-9214560000"), 0);
    assert_int_equal(epoch_status("-9214560001"), -1);
    assert_int_equal(epoch_status("9223372037"), -1);
    assert_int_equal(epoch_status("99999999999999999999999"), -1);
}

static void test_parse_dispatch(void **state)
{
    (void)state;
    ih_time t = 0;
    const char *iso_text = "2024-04-19T13:00:00Z";
    const char *epoch_text = "1713531600.25";

    assert_int_equal(ih_time_parse(iso_text, strlen(iso_text), &t), 0);
    assert_int_equal(t, INT64_C(1713531600) * NS);
    assert_int_equal(ih_time_parse(epoch_text, strlen(epoch_text), &t), 0);
    assert_int_equal(t, INT64_C(1713531600) * NS + 250000000);
    assert_int_equal(ih_time_parse("garbage", 7, &t), -1);
}

static void test_days_from_civil(void **state)
{
    (void)state;
    /* (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days */
    assert_int_equal(ih_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(ih_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(ih_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(ih_days_from_civil(2024, 2, 29), 19782);
    assert_int_equal(ih_days_from_civil(2024, 4, 19), 19832);
    assert_int_equal(ih_days_from_civil(1678, 1, 1), -106650);
    assert_int_equal(ih_days_from_civil(2261, 12, 31), 106650);
    assert_int_equal(ih_days_from_civil(1600, 1, 1), -135140);
    assert_int_equal(ih_days_from_civil(2400, 2, 29), 157113);
    assert_int_equal(ih_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(ih_days_from_civil(9999, 12, 31), 2932896);
}

static void test_days_consecutive(void **state)
{
    (void)state;
    /* Every day from 1899-12-31 to 2101-01-01 is one more than the one before. */
    static const unsigned dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t prev = ih_days_from_civil(1899, 12, 31);
    for (int64_t y = 1900; y <= 2100; y++) {
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (unsigned m = 1; m <= 12; m++) {
            unsigned n = dim[m - 1] + (m == 2 && leap);
            for (unsigned d = 1; d <= n; d++) {
                int64_t day = ih_days_from_civil(y, m, d);
                assert_int_equal(day, prev + 1);
                prev = day;
            }
        }
    }
}

static void test_format_fraction_groups(void **state)
{
    (void)state;
    char buf[IH_TIME_TEXT_MAX];
    const ih_time base = INT64_C(1713484801) * NS; /* 2024-04-19T00:00:01Z */

    ih_time_format(base, buf);
    assert_string_equal(buf, "2024-04-19T00:00:01Z");
    ih_time_format(base + 500000000, buf);
    assert_string_equal(buf, "2024-04-19T00:00:01.500Z");
    ih_time_format(base + 1000000, buf);
    assert_string_equal(buf, "2024-04-19T00:00:01.001Z");
    ih_time_format(base + 1500000, buf);
    assert_string_equal(buf, "2024-04-19T00:00:01.001500Z");
    ih_time_format(base + 1000, buf);
    assert_string_equal(buf, "2024-04-19T00:00:01.000001Z");
    ih_time_format(base + 1, buf);
    assert_string_equal(buf, "2024-04-19T00:00:01.000000001Z");
    ih_time_format(base + 123456789, buf);
    assert_string_equal(buf, "2024-04-19T00:00:01.123456789Z");
}

static void test_format_before_epoch(void **state)
{
    (void)state;
    char buf[IH_TIME_TEXT_MAX];

    ih_time_format(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999999999Z");
    ih_time_format(-NS, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    ih_time_format(INT64_C(-9214560000) * NS, buf);
    assert_string_equal(buf, "1678-01-01T00:00:00Z");
}

static void test_format_7_digits(void **state)
{
    (void)state;
    char buf[IH_TIME_TEXT_MAX];
    const ih_time base = INT64_C(1713531600) * NS;

    ih_time_format_7(base, buf);
    assert_string_equal(buf, "2024-04-19T13:00:00.0000000Z");
    ih_time_format_7(base + 123456789, buf);
    assert_string_equal(buf, "2024-04-19T13:00:00.1234567Z");
    ih_time_format_7(base + 99, buf);
    assert_string_equal(buf, "2024-04-19T13:00:00.0000000Z");
    ih_time_format_7(base + 100, buf);
    assert_string_equal(buf, "2024-04-19T13:00:00.0000001Z");
    ih_time_format_7(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.9999999Z");
}

static void test_format_round_trip(void **state)
{
    (void)state;
    static const ih_time samples[] = {
        0,
        1,
        -1,
        INT64_C(1713531600) * NS,
        INT64_C(1713531600) * NS + 123000000,
        INT64_C(1713531600) * NS + 123456000,
        INT64_C(1713531600) * NS + 123456789,
        INT64_C(1709251199) * NS + 999999999,
        INT64_C(-9214560000) * NS,
        INT64_C(9214646399) * NS + 999999999,
    };
    char buf[IH_TIME_TEXT_MAX];

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        ih_time back = 0;
        ih_time_format(samples[i], buf);
        assert_int_equal(ih_time_parse_iso(buf, strlen(buf), &back), 0);
        assert_int_equal(back, samples[i]);
    }
}

static void test_format_7_round_trip(void **state)
{
    (void)state;
    char buf[IH_TIME_TEXT_MAX];
    ih_time back = 0;
    const ih_time t = INT64_C(1713531600) * NS + 123456700;

    ih_time_format_7(t, buf);
    assert_int_equal(ih_time_parse_iso(buf, strlen(buf), &back), 0);
    assert_int_equal(back, t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_basic_utc),
        cmocka_unit_test(test_iso_without_zone_is_utc),
        cmocka_unit_test(test_iso_fraction_digits),
        cmocka_unit_test(test_iso_empty_fraction_rejected),
        cmocka_unit_test(test_iso_offsets),
        cmocka_unit_test(test_iso_bad_offsets),
        cmocka_unit_test(test_iso_separators_and_case),
        cmocka_unit_test(test_iso_leap_day),
        cmocka_unit_test(test_iso_field_ranges),
        cmocka_unit_test(test_iso_leap_second_folds),
        cmocka_unit_test(test_iso_year_limits),
        cmocka_unit_test(test_iso_garbage),
        cmocka_unit_test(test_iso_length_bounds),
        cmocka_unit_test(test_epoch_forms),
        cmocka_unit_test(test_epoch_negative),
        cmocka_unit_test(test_epoch_garbage),
        cmocka_unit_test(test_epoch_overflow_rejected),
        cmocka_unit_test(test_parse_dispatch),
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_days_consecutive),
        cmocka_unit_test(test_format_fraction_groups),
        cmocka_unit_test(test_format_before_epoch),
        cmocka_unit_test(test_format_7_digits),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_format_7_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
