/*
 * Tests of the telemetry simulator: determinism for a seed, the exact
 * background count, the timing statistics of the beacon, the shape of the
 * dynamic-DNS and fast-flux tests, the Sysmon event mapping, and every
 * format read back by infrahunt's own readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/input/input.h"
#include "../../src/simulate/sim.h"
#include "../../src/simulate/sim_sysmon.h"

#define SEC IH_NS_PER_SEC

/* --- Helpers --- */

/* Every event of a generator, with the fields the tests compare copied out. */
typedef struct recorded {
    sim_event *items;
    size_t count;
} recorded;

static recorded record_events(const sim_options *o)
{
    recorded r = {0};
    size_t cap = 0;
    sim_gen *g = sim_gen_new(o);
    assert_non_null(g);
    sim_event e;
    while (sim_gen_next(g, &e) == 1) {
        if (r.count == cap) {
            cap = cap ? cap * 2 : 1024;
            r.items = realloc(r.items, cap * sizeof(*r.items));
            assert_non_null(r.items);
        }
        e.process = NULL; /* freed with the generator */
        r.items[r.count++] = e;
    }
    sim_gen_free(g);
    return r;
}

static sim_options options(unsigned tests, uint64_t seed, uint64_t background)
{
    sim_options o;
    sim_options_init(&o);
    o.tests = tests;
    o.seed = seed;
    o.background = background;
    return o;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A temporary folder per test, removed by the teardown even when the test fails. */
static int make_tmpdir(void **state)
{
    char *path = strdup("/tmp/infrahunt-test-sim.XXXXXX");
    if (!path || !mkdtemp(path)) {
        free(path);
        return -1;
    }
    *state = path;
    return 0;
}

static int remove_tmpdir(void **state)
{
    nftw(*state, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(*state);
    return 0;
}

/* Writes o with format f and layout l to path; fails the test on an error. */
static void write_format(const sim_options *o, const sim_format *f, const sim_layout *l,
                         const char *path)
{
    char err[1200];
    if (sim_run(o, f, l, path, 0, err, sizeof(err)) < 0)
        fail_msg("%s/%s: %s", f->name, l->name, err);
}

/* Concatenates a file, or the files of a folder in name order, for comparisons. */
static char *read_output(const char *path, size_t *len)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    if (!S_ISDIR(st.st_mode))
        return read_file(path, len);
    char conn[1100], dns[1100];
    snprintf(conn, sizeof(conn), "%s/conn.log", path);
    snprintf(dns, sizeof(dns), "%s/dns.log", path);
    size_t n1, n2;
    char *a = read_file(conn, &n1), *b = read_file(dns, &n2);
    a = realloc(a, n1 + n2 + 1);
    assert_non_null(a);
    memcpy(a + n1, b, n2 + 1);
    free(b);
    *len = n1 + n2;
    return a;
}

/* --- Determinism --- */

static void test_same_seed_same_bytes(void **state)
{
    const char *dir = *state;
    sim_options o = options(SIM_TEST_ALL, 7, 1500);
    size_t checked = 0;

    for (size_t i = 0; sim_formats[i]; i++) {
        const sim_format *f = sim_formats[i];
        if (f->unavailable)
            continue;
        for (size_t k = 0; k < f->nlayouts; k++) {
            char a[256], b[256];
            snprintf(a, sizeof(a), "%s/%s-%s-a", dir, f->name, f->layouts[k].name);
            snprintf(b, sizeof(b), "%s/%s-%s-b", dir, f->name, f->layouts[k].name);
            write_format(&o, f, &f->layouts[k], a);
            write_format(&o, f, &f->layouts[k], b);
            size_t na, nb;
            char *x = read_output(a, &na), *y = read_output(b, &nb);
            assert_true(na > 1000);
            if (na != nb || memcmp(x, y, na) != 0)
                fail_msg("%s/%s: two runs with seed 7 differ", f->name, f->layouts[k].name);
            free(x);
            free(y);
            checked++;
        }
    }
    assert_true(checked >= 7);
}

static void test_other_seed_other_events(void **state)
{
    (void)state;
    recorded a = record_events(&(sim_options){SIM_TEST_ALL, 1, 500, SIM_DEFAULT_START});
    recorded b = record_events(&(sim_options){SIM_TEST_ALL, 2, 500, SIM_DEFAULT_START});
    size_t same = 0, n = a.count < b.count ? a.count : b.count;
    for (size_t i = 0; i < n; i++)
        same += a.items[i].time == b.items[i].time;
    assert_true(same < n / 10);
    free(a.items);
    free(b.items);
}

static void test_events_in_time_order(void **state)
{
    (void)state;
    recorded r = record_events(&(sim_options){SIM_TEST_ALL, 3, 20000, SIM_DEFAULT_START});
    for (size_t i = 1; i < r.count; i++)
        if (r.items[i].time < r.items[i - 1].time)
            fail_msg("event %zu is earlier than event %zu", i, i - 1);
    free(r.items);
}

/* --- Background --- */

static void test_background_count_exact(void **state)
{
    (void)state;
    const uint64_t counts[] = {0, 1, 17, 999, 4321, 60000};
    recorded alone = record_events(&(sim_options){SIM_TEST_ALL, 1, 0, SIM_DEFAULT_START});

    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        recorded r = record_events(&(sim_options){SIM_TEST_ALL, 1, counts[i], SIM_DEFAULT_START});
        uint64_t background = 0;
        size_t tests = 0;
        for (size_t k = 0; k < r.count; k++) {
            if (r.items[k].test == 0) {
                background++;
                continue;
            }
            /* The tests do not change with the background around them. */
            assert_true(tests < alone.count);
            assert_int_equal(r.items[k].time, alone.items[tests].time);
            assert_string_equal(r.items[k].remote_ip, alone.items[tests].remote_ip);
            tests++;
        }
        assert_int_equal(background, counts[i]);
        assert_int_equal(tests, alone.count);
        free(r.items);
    }
    free(alone.items);
}

static void test_background_spans_the_scenario(void **state)
{
    (void)state;
    recorded r = record_events(&(sim_options){0, 5, 30000, SIM_DEFAULT_START});
    size_t per_hour[6] = {0};
    for (size_t i = 0; i < r.count; i++) {
        ih_time offset = r.items[i].time - SIM_DEFAULT_START;
        assert_true(offset >= 0);
        if (offset < SIM_SPAN)
            per_hour[offset / IH_NS_PER_HOUR]++;
    }
    /* Every hour of the span has at least a tenth of an even share. */
    for (size_t h = 0; h < 6; h++)
        if (per_hour[h] < r.count / 60)
            fail_msg("hour %zu has %zu of %zu events", h, per_hour[h], r.count);
    free(r.items);
}

/* --- Test 1: beaconing --- */

static int compare_times(const void *x, const void *y)
{
    ih_time a = *(const ih_time *)x, b = *(const ih_time *)y;
    return (a > b) - (a < b);
}

/*
 * Checks one seed's beacon: 30 s intervals with 20 % jitter (uniform in
 * [24 s, 36 s]), about 2 % missed beats, one pause of 4 to 9 minutes, all to
 * the C2 address on port 8080. Returns the single-beat intervals in seconds.
 */
static size_t check_beacon(uint64_t seed, double *intervals, size_t cap, size_t *missed)
{
    sim_options o = options(SIM_TEST_BEACON, seed, 0);
    sim_indicators ind;
    sim_indicators_get(&o, &ind);
    recorded r = record_events(&o);
    assert_true(r.count > 300);

    size_t n = 0, pauses = 0;
    uint64_t sent = 0;
    *missed = 0;
    for (size_t i = 0; i < r.count; i++) {
        const sim_event *e = &r.items[i];
        assert_int_equal(e->kind, SIM_EVENT_CONN);
        assert_int_equal(e->test, SIM_TEST_BEACON);
        assert_string_equal(e->remote_ip, ind.c2_ip);
        assert_int_equal(e->remote_port, 8080);
        assert_string_equal(e->remote_name, "");
        sent += e->bytes_sent;
        if (i == 0)
            continue;
        double d = (double)(e->time - r.items[i - 1].time) / SEC;
        if (d > 180) {
            /* The pause lasts 4 to 9 minutes; the beats on either side add up to 36 s each,
               or more when one is missed. */
            pauses++;
            assert_true(d >= 4 * 60 && d <= 12 * 60);
        } else if (d > 36) {
            (*missed)++;
        } else {
            assert_true(d >= 24.0 && d <= 36.0);
            if (n < cap)
                intervals[n++] = d;
        }
    }
    assert_int_equal(pauses, 1);
    assert_true(sent > 1000);

    /* The beacon spans more than three hour boundaries, as the rule's part 1 needs. */
    ih_time first = r.items[0].time, last = r.items[r.count - 1].time;
    assert_true(last / IH_NS_PER_HOUR - first / IH_NS_PER_HOUR >= 3);
    free(r.items);
    return n;
}

static void test_beacon_timing_within_jitter(void **state)
{
    (void)state;
    double intervals[1024];
    size_t total = 0, missed_total = 0;
    double sum = 0, sum_sq = 0;
    ih_time medians[20];

    for (uint64_t seed = 1; seed <= 20; seed++) {
        size_t missed;
        size_t n = check_beacon(seed, intervals, 1024, &missed);
        ih_time ms[1024];
        for (size_t i = 0; i < n; i++) {
            sum += intervals[i];
            sum_sq += intervals[i] * intervals[i];
            ms[i] = (ih_time)(intervals[i] * 1000);
        }
        qsort(ms, n, sizeof(ms[0]), compare_times);
        medians[seed - 1] = ms[n / 2];
        total += n;
        missed_total += missed;
    }
    double mean = sum / (double)total;
    double sd = sqrt(sum_sq / (double)total - mean * mean);
    /* Uniform on [24, 36]: mean 30 s, standard deviation 12 / sqrt(12) = 3.46 s. */
    assert_true(fabs(mean - 30.0) < 0.3);
    assert_true(sd > 3.2 && sd < 3.7);
    for (size_t i = 0; i < 20; i++)
        assert_true(medians[i] >= 28500 && medians[i] <= 31500);
    /* About 2 % of the beats are missed. */
    double share = (double)missed_total / (double)(total + missed_total);
    assert_true(share > 0.01 && share < 0.035);
}

/* --- Test 2: dynamic DNS --- */

static void test_ddns_lookups_then_calls(void **state)
{
    (void)state;
    sim_options o = options(SIM_TEST_DDNS, 4, 0);
    sim_indicators ind;
    sim_indicators_get(&o, &ind);
    recorded r = record_events(&o);
    size_t resolved[SIM_DDNS_NAMES] = {0}, called[SIM_DDNS_NAMES] = {0};

    for (size_t i = 0; i < r.count; i++) {
        const sim_event *e = &r.items[i];
        const char *name = e->kind == SIM_EVENT_DNS ? e->query : e->remote_name;
        size_t k = 0;
        while (k < SIM_DDNS_NAMES && strcmp(ind.ddns_names[k], name) != 0)
            k++;
        assert_true(k < SIM_DDNS_NAMES);
        if (e->kind == SIM_EVENT_DNS) {
            assert_int_equal(e->nanswers, 1);
            assert_int_equal(e->answers[0].type, 1);
            assert_int_equal(e->answers[0].ttl, 60);
            resolved[k] += !e->cached;
            /* The call that follows goes to the answer. */
            assert_true(i + 1 < r.count);
            assert_int_equal(r.items[i + 1].kind, SIM_EVENT_CONN);
            assert_string_equal(r.items[i + 1].remote_ip, e->answers[0].data);
            assert_true(r.items[i + 1].time - e->time < SEC);
        } else {
            assert_int_equal(e->remote_port, 443);
            /* Every call is preceded by a lookup of the same name. */
            assert_true(i > 0 && r.items[i - 1].kind == SIM_EVENT_DNS);
            assert_string_equal(r.items[i - 1].query, name);
            called[k]++;
        }
    }
    for (size_t k = 0; k < SIM_DDNS_NAMES; k++) {
        assert_true(resolved[k] >= 1);
        assert_true(called[k] >= 3);
    }
    free(r.items);
}

/* --- Test 3: fast flux --- */

static void test_fastflux_many_addresses_in_one_hour(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        sim_options o = options(SIM_TEST_FASTFLUX, seed, 0);
        o.start += (ih_time)seed * 17 * 60 * SEC; /* starts that are not on the hour */
        recorded r = record_events(&o);
        char addrs[64][16];
        size_t naddrs = 0, calls = 0;
        ih_time hour = -1;

        for (size_t i = 0; i < r.count; i++) {
            const sim_event *e = &r.items[i];
            if (hour < 0)
                hour = e->time / IH_NS_PER_HOUR;
            assert_int_equal(e->time / IH_NS_PER_HOUR, hour);
            if (e->kind == SIM_EVENT_DNS) {
                assert_int_equal(e->nanswers, 5);
                /* Five addresses in five different /16 networks, TTL 150 s. */
                for (size_t a = 0; a < 5; a++) {
                    assert_int_equal(e->answers[a].ttl, 150);
                    for (size_t b = 0; b < a; b++) {
                        unsigned x1, x2, y1, y2;
                        sscanf(e->answers[a].data, "%u.%u", &x1, &x2);
                        sscanf(e->answers[b].data, "%u.%u", &y1, &y2);
                        assert_false(x1 == y1 && x2 == y2);
                    }
                }
                continue;
            }
            assert_int_equal(e->remote_port, 80);
            calls++;
            bool seen = false;
            for (size_t k = 0; k < naddrs; k++)
                seen |= strcmp(addrs[k], e->remote_ip) == 0;
            if (!seen && naddrs < 64)
                memcpy(addrs[naddrs++], e->remote_ip, 16);
        }
        assert_int_equal(calls, 24);
        assert_true(naddrs >= 20);
        free(r.items);
    }
}

/* --- Indicators --- */

static void test_indicators_match_events(void **state)
{
    (void)state;
    sim_options o = options(SIM_TEST_ALL, 9, 0);
    sim_indicators ind;
    sim_indicators_get(&o, &ind);
    sim_gen *g = sim_gen_new(&o);
    assert_non_null(g);
    sim_event e;
    bool saw_c2 = false;
    while (sim_gen_next(g, &e) == 1) {
        assert_string_equal(e.process->host->computer, e.test == SIM_TEST_DDNS &&
                                                               strcmp(e.process->name,
                                                                      "rundll32.exe") == 0
                                                           ? "WS-HR-02.acme.local"
                                                           : ind.victim_computer);
        saw_c2 |= e.test == SIM_TEST_BEACON && strcmp(e.remote_ip, ind.c2_ip) == 0;
    }
    sim_gen_free(g);
    assert_true(saw_c2);
    assert_string_equal(ind.victim_device_name, "ws-fin-07.acme.local");
    assert_string_equal(ind.victim_ip, "10.20.5.23");
}

/* --- Sysmon mapping --- */

static void test_sysmon_events(void **state)
{
    (void)state;
    sim_options o = options(SIM_TEST_ALL, 1, 3000);
    sim_gen *g = sim_gen_new(&o);
    assert_non_null(g);
    sim_event e;
    sim_sysmon_event s;
    size_t conns = 0, failed = 0, cached = 0;
    while (sim_gen_next(g, &e) == 1) {
        int logged = sim_sysmon_event_fill(&e, SIM_SYSMON_CURRENT, &s);
        if (e.kind == SIM_EVENT_CONN && e.outcome != SIM_ESTABLISHED) {
            assert_int_equal(logged, 0);
            failed++;
            continue;
        }
        assert_int_equal(logged, 1);
        assert_string_equal(s.names[0], "RuleName");
        assert_string_equal(s.values[0], "-");
        assert_string_equal(s.names[1], "UtcTime");
        assert_int_equal(strlen(s.values[1]), strlen("2024-05-13 08:00:00.000"));
        assert_int_equal(s.values[2][0], '{');
        if (e.kind == SIM_EVENT_CONN) {
            assert_int_equal(s.event_id, 3);
            assert_int_equal(s.nfields, 18);
            assert_string_equal(s.names[17], "DestinationPortName");
            conns++;
        } else {
            assert_int_equal(s.event_id, 22);
            assert_int_equal(s.nfields, 8);
            assert_string_equal(s.names[6], "QueryResults");
            const char *results = s.values[6];
            if (e.rcode == 3)
                assert_string_equal(results, "-");
            else if (e.answers[0].type == 5)
                assert_memory_equal(results, "type:  5 ", 9);
            else
                assert_memory_equal(results, "::ffff:", 7);
            cached += e.cached;
        }
    }
    sim_gen_free(g);
    assert_true(conns > 1000);
    assert_true(failed > 0);
    assert_true(cached > 0);
}

/* --- Every format, read back by infrahunt's readers --- */

typedef struct read_back {
    ih_sink sink;
    size_t conns, dnss;
    size_t beacon_conns;        /* connections to the C2 address */
    uint64_t beacon_bytes_sent; /* their bytes, where known */
    bool bytes_known;
    size_t ddns_queries;        /* DNS events for the test's names */
    const sim_indicators *ind;
} read_back;

static bool str_is(ih_str s, const char *text)
{
    return s.ptr && s.len == strlen(text) && memcmp(s.ptr, text, s.len) == 0;
}

static int count_conn(ih_sink *sink, const ih_conn *c, const ih_origin *o)
{
    read_back *rb = sink->ctx;
    (void)o;
    rb->conns++;
    if (str_is(c->remote_ip_text, rb->ind->c2_ip)) {
        rb->beacon_conns++;
        if (c->remote_port != 8080)
            fail_msg("beacon connection read with port %d", c->remote_port);
        if (c->bytes_sent != IH_UNKNOWN_BYTES) {
            rb->bytes_known = true;
            rb->beacon_bytes_sent += c->bytes_sent;
        }
    }
    return 0;
}

static int count_dns(ih_sink *sink, const ih_dns *d, const ih_origin *o)
{
    read_back *rb = sink->ctx;
    (void)o;
    rb->dnss++;
    for (size_t i = 0; i < SIM_DDNS_NAMES; i++)
        if (str_is(d->query_name, rb->ind->ddns_names[i]))
            rb->ddns_queries++;
    return 0;
}

static ih_sink *read_back_sink(void *arg, unsigned worker)
{
    (void)worker;
    return &((read_back *)arg)->sink;
}

/* What the format's tool logs of the generated events. */
typedef struct expected_counts {
    size_t conns, dnss, beacon_conns, ddns_queries;
    uint64_t beacon_bytes_sent;
} expected_counts;

static expected_counts expect_counts(const sim_options *o, const sim_format *f,
                                     const sim_indicators *ind)
{
    expected_counts x = {0};
    bool defender = strncmp(f->name, "defender", 8) == 0;
    bool sysmon = strncmp(f->name, "sysmon", 6) == 0;
    sim_gen *g = sim_gen_new(o);
    assert_non_null(g);
    sim_event e;
    while (sim_gen_next(g, &e) == 1) {
        if (e.kind == SIM_EVENT_CONN) {
            if (sysmon && e.outcome != SIM_ESTABLISHED)
                continue;
            x.conns++;
            if (strcmp(e.remote_ip, ind->c2_ip) == 0) {
                x.beacon_conns++;
                x.beacon_bytes_sent += e.bytes_sent;
            }
            continue;
        }
        bool ddns = e.test == SIM_TEST_DDNS;
        if (sysmon) {
            x.dnss++;
            x.ddns_queries += ddns;
        } else if (!defender && !e.cached) {
            /* Zeek and Suricata: a DNS record and the UDP flow. */
            x.dnss++;
            x.conns++;
            x.ddns_queries += ddns;
        }
    }
    sim_gen_free(g);
    return x;
}

static void test_formats_read_back(void **state)
{
    const char *dir = *state;
    sim_options o = options(SIM_TEST_ALL, 11, 2500);
    sim_indicators ind;
    sim_indicators_get(&o, &ind);

    for (size_t i = 0; sim_formats[i]; i++) {
        const sim_format *f = sim_formats[i];
        if (f->unavailable)
            continue;
        expected_counts want = expect_counts(&o, f, &ind);
        for (size_t k = 0; k < f->nlayouts; k++) {
            char path[256];
            snprintf(path, sizeof(path), "%s/%s-%s", dir, f->name, f->layouts[k].name);
            write_format(&o, f, &f->layouts[k], path);

            read_back rb = {{count_conn, count_dns, NULL}, 0, 0, 0, 0, false, 0, &ind};
            rb.sink.ctx = &rb;
            ih_diag diag;
            ih_diag_init(&diag, false);
            ih_input_options opt = {.threads = 1};
            ih_sink_factory factory = {read_back_sink, &rb};
            char *paths[] = {path};
            int rc = ih_input_read(paths, 1, &opt, &factory, &diag);
            if (rc != 0 || diag.errors != 0)
                fail_msg("%s/%s: read status %d with %llu bad records", f->name,
                         f->layouts[k].name, rc, (unsigned long long)diag.errors);
            ih_diag_free(&diag);

            const char *what = f->layouts[k].name;
            if (rb.conns != want.conns || rb.dnss != want.dnss)
                fail_msg("%s/%s: read %zu connections and %zu DNS events, wrote %zu and %zu",
                         f->name, what, rb.conns, rb.dnss, want.conns, want.dnss);
            assert_int_equal(rb.beacon_conns, want.beacon_conns);
            assert_int_equal(rb.ddns_queries, want.ddns_queries);
            /* Only the network sensors record bytes; the others leave them unknown, never 0.
               Zeek and captures count payload (the beacon's stays under the capture writer's
               64 KiB limit), Suricata whole frames. */
            bool payload = strncmp(f->name, "zeek", 4) == 0 || strcmp(f->name, "pcap") == 0;
            bool suricata = strncmp(f->name, "suricata", 8) == 0;
            assert_int_equal(rb.bytes_known, payload || suricata);
            if (payload)
                assert_int_equal(rb.beacon_bytes_sent, want.beacon_bytes_sent);
            if (suricata)
                assert_true(rb.beacon_bytes_sent > want.beacon_bytes_sent);
        }
    }
}

/* --- Sizes and errors --- */

static void test_size_within_ten_percent(void **state)
{
    const char *dir = *state;
    const sim_format *f = sim_format_find("zeek-tsv");
    assert_non_null(f);
    char path[256], err[1200];
    snprintf(path, sizeof(path), "%s/sized", dir);
    sim_options o = options(SIM_TEST_ALL, 1, 0);
    const uint64_t size = 3 << 20;
    if (sim_run(&o, f, &f->layouts[0], path, size, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    size_t n;
    free(read_output(path, &n));
    assert_true(n > size * 9 / 10 && n < size * 11 / 10);
}

static void test_unwritable_path_reported(void **state)
{
    (void)state;
    const sim_format *f = sim_format_find("defender-json");
    char err[1200];
    sim_options o = options(SIM_TEST_BEACON, 1, 0);
    assert_int_equal(sim_run(&o, f, &f->layouts[0], "/nonexistent-folder/x.jsonl", 0, err,
                             sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "/nonexistent-folder/x.jsonl"));
}

static void test_names_and_layouts(void **state)
{
    (void)state;
    assert_int_equal(sim_test_parse("beacon"), SIM_TEST_BEACON);
    assert_int_equal(sim_test_parse("all"), SIM_TEST_ALL);
    assert_int_equal(sim_test_parse("Beacon"), 0);
    const sim_format *f = sim_format_find("sysmon-json");
    assert_non_null(f);
    assert_string_equal(sim_format_layout(f, NULL)->name, "nxlog");
    assert_non_null(sim_format_layout(f, "winlogbeat"));
    assert_null(sim_format_layout(f, "ecs"));
    assert_null(sim_format_find("sysmon"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_seed_same_bytes, make_tmpdir, remove_tmpdir),
        cmocka_unit_test(test_other_seed_other_events),
        cmocka_unit_test(test_events_in_time_order),
        cmocka_unit_test(test_background_count_exact),
        cmocka_unit_test(test_background_spans_the_scenario),
        cmocka_unit_test(test_beacon_timing_within_jitter),
        cmocka_unit_test(test_ddns_lookups_then_calls),
        cmocka_unit_test(test_fastflux_many_addresses_in_one_hour),
        cmocka_unit_test(test_indicators_match_events),
        cmocka_unit_test(test_sysmon_events),
        cmocka_unit_test_setup_teardown(test_formats_read_back, make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_size_within_ten_percent, make_tmpdir, remove_tmpdir),
        cmocka_unit_test(test_unwritable_path_reported),
        cmocka_unit_test(test_names_and_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
