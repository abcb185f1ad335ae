/*
 * Unit tests of the HTML report and what it is built from. They cover HTML
 * and terminal escaping, SHA-256 against the FIPS 180-4 examples, and the
 * evidence series helpers. Reports are built from alerts with every chart
 * kind, empty and degenerate series, and hostile strings.
 *
 * With INFRAHUNT_REPORT_SAMPLE set to a path, the evidence test also writes
 * its report there, so that tests/html/report.test.mjs can open it in
 * Chromium.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/output/output.h"
#include "../../src/output/sha256.h"

#define NS ((ih_time)1000000000)
#define T0 ((ih_time)1715587200 * NS) /* 2024-05-13T08:00:00Z */

static const char hostile_process[] = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>";
static const char hostile_name[] = "x\"'><svg onload=alert(2)>.duckdns.org";
static const char hostile_device[] = "ws-\x1b[31mred\xe2\x80\xae\xc2\x9b&amp;";

static char *html_text_of(const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    output_html_text(f, s, strlen(s));
    fclose(f);
    return buf;
}

static char *term_text_of(const char *s, size_t width)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    output_term_text(f, s, width);
    fclose(f);
    return buf;
}

static char *report_of(const ih_alert_list *l, const output_report_info *info)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(output_html(f, l, info), 0);
    fclose(f);
    return buf;
}

static void assert_html_text(const char *in, const char *want)
{
    char *got = html_text_of(in);
    assert_string_equal(got, want);
    free(got);
}

static void assert_term_text(const char *in, size_t width, const char *want)
{
    char *got = term_text_of(in, width);
    assert_string_equal(got, want);
    free(got);
}

static void test_html_text_markup(void **state)
{
    (void)state;
    assert_html_text("plain text", "plain text");
    assert_html_text("<script>&\"'", "&lt;script&gt;&amp;&quot;&#39;");
    assert_html_text("a=\"b\" onload='c'", "a=&quot;b&quot; onload=&#39;c&#39;");
}

static void test_html_text_controls(void **state)
{
    (void)state;
    assert_html_text("a\x1b[31mb", "a\\x1b[31mb");
    assert_html_text("tab\there\nline", "tab\\x09here\\x0aline");
    assert_html_text("\xc2\x9b" "c1", "\\u009bc1");
    assert_html_text("rtl\xe2\x80\xaetxt", "rtl\\u202etxt");
    assert_html_text("bad\xff\xfe", "bad\\xff\\xfe");
    assert_html_text("caf\xc3\xa9 \xe6\x97\xa5", "caf\xc3\xa9 \xe6\x97\xa5");
}

static void test_term_text_escapes(void **state)
{
    (void)state;
    assert_term_text("a\x1b]0;t\x07z", SIZE_MAX, "a\\x1b]0;t\\x07z");
    assert_term_text("\xc2\x9b" "2J", SIZE_MAX, "\\u009b2J");
    assert_term_text("x\xe2\x80\xaey", SIZE_MAX, "x\\u202ey");
    assert_term_text("x\xe2\x81\xa6y", SIZE_MAX, "x\\u2066y");
    assert_term_text("\x9b" "2J", SIZE_MAX, "\\x9b2J");
    assert_term_text("\xe2\x80", SIZE_MAX, "\\xe2\\x80");
}

static void test_term_text_width(void **state)
{
    (void)state;
    assert_term_text("abc", 5, "abc  ");
    assert_term_text("abcdef", 4, "abcd\xe2\x80\xa6");
    /* A multi-byte character counts one column and is never split. */
    assert_term_text("\xc3\xa9\xc3\xa9\xc3\xa9", 2, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
    /* An escape counts its four columns. */
    assert_term_text("\x1b" "abc", 5, "\\x1ba\xe2\x80\xa6");
}

static void assert_digest(const char *in, const char *want_hex)
{
    uint8_t d[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    sha256_digest(in, strlen(in), d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    assert_string_equal(hex, want_hex);
}

static void test_sha256_known_answers(void **state)
{
    (void)state;
    assert_digest("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_digest("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* 56 bytes: the length no longer fits in the first block. */
    assert_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char million[1000001];
    memset(million, 'a', 1000000);
    million[1000000] = '\0';
    assert_digest(million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_base64(void **state)
{
    (void)state;
    uint8_t d[SHA256_DIGEST_SIZE];
    char text[45];
    sha256_digest("abc", 3, d);
    sha256_base64(d, text);
    assert_string_equal(text, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

static void test_series_thinning(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    ih_alert *a = alert_list_add(&l);
    assert_non_null(a);

    alert_series *small = alert_add_series(a, "Small", NULL, ALERT_CHART_TIMELINE, 10);
    assert_non_null(small);
    assert_int_equal(small->n, 10);
    assert_null(small->values);
    assert_non_null(small->times);
    assert_true(isnan(small->mark));
    for (size_t k = 0; k < small->n; k++)
        assert_int_equal(alert_series_source(small, k), k);

    size_t total = 3 * ALERT_SERIES_MAX_POINTS + 7;
    alert_series *big = alert_add_series(a, "Big", "s", ALERT_CHART_HISTOGRAM, total);
    assert_non_null(big);
    assert_int_equal(big->n, ALERT_SERIES_MAX_POINTS);
    assert_int_equal(big->total, total);
    assert_null(big->times);
    assert_int_equal(alert_series_source(big, 0), 0);
    assert_int_equal(alert_series_source(big, big->n - 1), total - 1);
    for (size_t k = 1; k < big->n; k++)
        assert_true(alert_series_source(big, k) > alert_series_source(big, k - 1));

    while (a->nseries < ALERT_MAX_SERIES)
        assert_non_null(alert_add_series(a, "More", NULL, ALERT_CHART_BARS, 1));
    assert_null(alert_add_series(a, "One too many", NULL, ALERT_CHART_BARS, 1));
    alert_list_free(&l);
}

static void test_events_capped(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    ih_alert *a = alert_list_add(&l);
    assert_non_null(a);
    for (int i = 0; i < ALERT_MAX_EVENTS + 5; i++)
        assert_int_equal(alert_add_event(a, T0 + i * NS, "connection", IH_STR_LIT("p.exe"),
                                         IH_STR_NONE, IH_STR_LIT("1.2.3.4:443"), IH_STR_NONE),
                         0);
    assert_int_equal(a->nevents, ALERT_MAX_EVENTS);
    assert_int_equal(a->events_dropped, 5);
    assert_string_equal(a->events[0].process, "p.exe");
    assert_null(a->events[0].name);
    alert_list_free(&l);
}

/* A beacon alert with every beacon chart, scored, with a hostile process name. */
static void add_beacon_alert(ih_alert_list *l)
{
    ih_alert *a = alert_list_add(l);
    assert_non_null(a);
    a->alert_type = "Beaconing";
    a->timestamp = T0 + 3600 * NS;
    a->device_name = strdup("ws-1");
    a->remote_ip = strdup("159.65.151.154");
    a->remote_url = strdup("");
    a->connection_count = 120;
    ih_str process = {hostile_process, strlen(hostile_process)};
    assert_int_equal(alert_set_strings(&a->sample_processes, &a->nsample_processes, &process, 1), 0);
    const char *techniques[] = {"T1584"};
    assert_int_equal(alert_set_assessment(a, 91, "high", "high", techniques, 1, hostile_process), 0);
    assert_int_equal(alert_add_double(a, "PeriodSeconds", 30), 0);

    alert_series *times = alert_add_series(a, "Connections", NULL, ALERT_CHART_TIMELINE, 120);
    alert_series *gaps = alert_add_series(a, "Intervals between beats", "s", ALERT_CHART_HISTOGRAM, 119);
    alert_series *sent = alert_add_series(a, "Bytes sent", "bytes", ALERT_CHART_POINTS, 120);
    alert_series *got = alert_add_series(a, "Bytes received", "bytes", ALERT_CHART_POINTS, 120);
    assert_non_null(times);
    assert_non_null(gaps);
    assert_non_null(sent);
    assert_non_null(got);
    for (size_t i = 0; i < 120; i++) {
        times->times[i] = sent->times[i] = got->times[i] = T0 + (ih_time)i * 30 * NS;
        sent->values[i] = 300 + (double)(i % 7);
        got->values[i] = i == 60 ? NAN : 5000; /* a value a detector failed to set */
        if (i < 119)
            gaps->values[i] = i == 50 ? 3000 : 28 + (double)(i % 5);
    }
    gaps->mark = 30;
    gaps->mark_label = "period";
}

/* A fast-flux alert with bars per hour, and series that are empty or degenerate. */
static void add_flux_alert(ih_alert_list *l)
{
    ih_alert *a = alert_list_add(l);
    assert_non_null(a);
    a->alert_type = "FastFlux";
    a->timestamp = T0;
    a->device_name = strdup(hostile_device);
    a->remote_ip = strdup("");
    a->remote_url = strdup(hostile_name);
    const char *techniques[] = {"T1584", "T1568.001"};
    assert_int_equal(alert_set_assessment(a, 55, "low", "low", techniques, 2, "flux"), 0);

    alert_series *addrs = alert_add_series(a, "Addresses per hour", "addresses", ALERT_CHART_BARS, 6);
    assert_non_null(addrs);
    addrs->bin_width = 3600 * NS;
    for (size_t i = 0; i < 6; i++) {
        addrs->times[i] = T0 + (ih_time)i * 3600 * NS;
        addrs->values[i] = (double)(3 * i + 1);
    }
    alert_series *empty = alert_add_series(a, "ASNs per hour", "ASNs", ALERT_CHART_BARS, 0);
    assert_non_null(empty);
    empty->bin_width = 3600 * NS;
    alert_series *one = alert_add_series(a, "One connection", NULL, ALERT_CHART_TIMELINE, 1);
    assert_non_null(one);
    one->times[0] = T0;
    alert_series *none = alert_add_series(a, "No intervals", "s", ALERT_CHART_HISTOGRAM, 0);
    assert_non_null(none);
    alert_series *same = alert_add_series(a, "Same value", "bytes", ALERT_CHART_POINTS, 3);
    assert_non_null(same);
    for (size_t i = 0; i < 3; i++) {
        same->times[i] = T0;
        same->values[i] = 0;
    }
}

/* A dynamic-DNS alert with the resolution and the connections that followed. */
static void add_ddns_alert(ih_alert_list *l)
{
    ih_alert *a = alert_list_add(l);
    assert_non_null(a);
    a->alert_type = "DynamicDNS";
    a->timestamp = T0 + 120 * NS;
    a->device_name = strdup("ws-2");
    a->remote_ip = strdup("95.217.145.226");
    a->remote_url = strdup(hostile_name);
    const char *techniques[] = {"T1584", "T1568"};
    assert_int_equal(alert_set_assessment(a, 62, "medium", "medium", techniques, 2, "ddns"), 0);
    ih_str process = {hostile_process, strlen(hostile_process)};
    ih_str name = {hostile_name, strlen(hostile_name)};
    assert_int_equal(alert_add_event(a, T0, "resolution", process, name, IH_STR_LIT("95.217.145.226"),
                                     IH_STR_LIT("TTL 60 s")),
                     0);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(alert_add_event(a, T0 + i * 20 * NS, "connection", process, name,
                                         IH_STR_LIT("95.217.145.226:443"), IH_STR_NONE),
                         0);
}

/* A reference-rule alert: unscored, no evidence. */
static void add_seed_alert(ih_alert_list *l)
{
    ih_alert *a = alert_list_add(l);
    assert_non_null(a);
    a->alert_type = "SuspiciousDynamicDNS";
    a->timestamp = IH_TIME_NONE;
    a->device_name = strdup("Multiple");
    a->remote_ip = strdup("1.2.3.4");
    a->remote_url = strdup(hostile_name);
    a->bytes_sent = 0;
    a->bytes_received = 0;
}

/* True when every numeric SVG attribute in html holds only digits, signs, dots and path letters. */
static bool numbers_valid(const char *html)
{
    static const char *const attrs[] = {" d=\"", " x=\"", " y=\"", " width=\"", " height=\"",
                                        " cx=\"", " cy=\""};
    for (size_t a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
        for (const char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            const char *v = p + strlen(attrs[a]);
            size_t len = strcspn(v, "\"");
            if (len == 0 || strspn(v, "0123456789.-+eMHVhv ") < len)
                return false;
        }
    }
    return true;
}

static void test_report_evidence(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    add_beacon_alert(&l);
    add_flux_alert(&l);
    add_ddns_alert(&l);
    add_seed_alert(&l);
    char *inputs[] = {"logs/<b>conn.log"};
    output_report_info info = {"default", inputs, 1, T0, 1234567, 3, "test"};
    char *html = report_of(&l, &info);

    const char *sample = getenv("INFRAHUNT_REPORT_SAMPLE");
    if (sample && *sample) {
        FILE *f = fopen(sample, "w");
        assert_non_null(f);
        fputs(html, f);
        assert_int_equal(fclose(f), 0);
    }

    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "content=\"default-src 'none'; style-src 'sha256-"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "<svg onload"));
    assert_null(strstr(html, "style=\""));
    assert_null(strstr(html, "\x1b"));
    assert_null(strstr(html, "\xe2\x80\xae"));
    assert_non_null(strstr(html, "&lt;script&gt;window.__pwned=1&lt;/script&gt;"));
    assert_non_null(strstr(html, "x&quot;&#39;&gt;&lt;svg onload=alert(2)&gt;.duckdns.org"));
    assert_non_null(strstr(html, "ws-\\x1b[31mred\\u202e\\u009b&amp;amp;"));
    assert_non_null(strstr(html, "logs/&lt;b&gt;conn.log"));
    assert_non_null(strstr(html, "1,234,567 events read"));
    assert_true(numbers_valid(html));

    /* Every chart kind is drawn: ticks, bars with the mark, dots with a legend, event circles. */
    assert_non_null(strstr(html, "class=\"ticks\""));
    assert_non_null(strstr(html, "class=\"mark\""));
    assert_non_null(strstr(html, ">period</text>"));
    assert_non_null(strstr(html, "class=\"dots s1\""));
    assert_non_null(strstr(html, ">Bytes per connection <"));
    assert_non_null(strstr(html, ">Addresses per hour <"));
    assert_non_null(strstr(html, "class=\"event e1\""));
    assert_non_null(strstr(html, "<td>resolution</td>"));
    assert_non_null(strstr(html, "more</text>"));
    assert_non_null(strstr(html, "unscored"));
    assert_non_null(strstr(html, "id=\"alert-4\""));
    free(html);
    alert_list_free(&l);
}

static void test_report_empty(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    char *html = report_of(&l, NULL);
    assert_non_null(strstr(html, "<title>infrahunt report: 0 alerts</title>"));
    assert_non_null(strstr(html, "No alerts."));
    assert_non_null(strstr(html, "</html>\n"));
    free(html);
}

static void test_report_folds_summary(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    for (int i = 0; i < 25; i++)
        add_seed_alert(&l);
    char *html = report_of(&l, NULL);
    assert_non_null(strstr(html, "<summary>15 more alerts</summary>"));
    assert_non_null(strstr(html, "href=\"#alert-25\""));
    free(html);
    alert_list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_text_markup),
        cmocka_unit_test(test_html_text_controls),
        cmocka_unit_test(test_term_text_escapes),
        cmocka_unit_test(test_term_text_width),
        cmocka_unit_test(test_sha256_known_answers),
        cmocka_unit_test(test_sha256_base64),
        cmocka_unit_test(test_series_thinning),
        cmocka_unit_test(test_events_capped),
        cmocka_unit_test(test_report_evidence),
        cmocka_unit_test(test_report_empty),
        cmocka_unit_test(test_report_folds_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
