/*
 * Unit tests of the reference rule, run through its ih_detector table row
 * exactly as a scan runs it: configure from the built-in seed profile,
 * state_new, conn events, merge, finish.
 *
 * Every expected alert is worked out by hand from the rule's semantics.
 * Part 1 counts hour boundaries with datetime_diff('hour') and divides
 * ConnectionCount by DurationHours as longs. Part 2 matches RemoteUrl with an
 * unanchored caseless regex. Part 3 bins by the hour and excludes browsers
 * and Windows services by process name, ignoring case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/detect/detect.h"
#include "../../src/event/addr.h"
#include "../../src/event/timeutil.h"
#include "../../src/output/output.h"

#define NS IH_NS_PER_SEC
#define MINUTE (60 * NS)
#define HOUR IH_NS_PER_HOUR
#define DAY IH_NS_PER_DAY
#define UNKNOWN IH_UNKNOWN_BYTES

/* The built-in seed profile, configured once per test. */
typedef struct fixture {
    profile prof;
    void *params;
    void *state;
    ih_alert_list alerts;
    ih_diag diag;
} fixture;

/* One connection, with the fields the rule reads. */
typedef struct conn_spec {
    ih_time time;
    const char *device_id;   /* NULL: unknown */
    const char *device_name; /* NULL: unknown */
    const char *ip;          /* remote address text, NULL when unknown */
    int32_t port;
    const char *url;         /* RemoteUrl, NULL when unknown */
    const char *process;     /* NULL: unknown */
    uint64_t sent, received;
    enum ih_action action;
} conn_spec;

static ih_time at(const char *iso)
{
    ih_time t;
    if (ih_time_parse_iso(iso, strlen(iso), &t) != 0)
        fail_msg("bad time in test: %s", iso);
    return t;
}

static ih_str view(const char *s)
{
    return s ? (ih_str){s, strlen(s)} : IH_STR_NONE;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    profile_node *detectors, *cfg;

    if (!f || profile_load(&f->prof, "seed") != 0)
        return -1;
    if (profile_get_map(&f->prof, f->prof.root, "detectors", &detectors) != 0 ||
        profile_get_map(&f->prof, detectors, "seed", &cfg) != 0)
        return -1;
    if (ih_detector_seed.configure(&f->prof, cfg, &f->params) != 0) {
        fprintf(stderr, "configure: %s\n", f->prof.error);
        return -1;
    }
    f->state = ih_detector_seed.state_new(f->params);
    if (!f->state)
        return -1;
    ih_diag_init(&f->diag, false);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->state)
        ih_detector_seed.state_free(f->state);
    ih_detector_seed.params_free(f->params);
    alert_list_free(&f->alerts);
    ih_diag_free(&f->diag);
    profile_free(&f->prof);
    free(f);
    return 0;
}

static void feed_to(void *detector_state, const conn_spec *s)
{
    ih_conn c;
    ih_conn_init(&c);
    c.time = s->time;
    c.device_id = view(s->device_id);
    c.device_name = view(s->device_name);
    c.process_name = view(s->process);
    c.remote_ip_text = view(s->ip);
    if (s->ip)
        ih_addr_parse(s->ip, strlen(s->ip), &c.remote_addr);
    c.remote_port = s->port;
    c.remote_name = view(s->url);
    c.bytes_sent = s->sent;
    c.bytes_received = s->received;
    c.action = (uint8_t)s->action;
    assert_int_equal(ih_detector_seed.conn(detector_state, &c), 0);
}

static void feed(fixture *f, const conn_spec *s)
{
    feed_to(f->state, s);
}

/* Runs finish with the given now and sorts the alerts as a scan does. */
static void finish(fixture *f, ih_time now)
{
    ih_scan_info info = {.now = now};
    assert_int_equal(ih_detector_seed.finish(f->state, &info, &f->alerts, &f->diag), 0);
    alert_list_sort(&f->alerts);
}

static size_t count_type(const fixture *f, const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < f->alerts.count; i++)
        n += strcmp(f->alerts.items[i].alert_type, type) == 0;
    return n;
}

/* The only alert of a type; fails unless there is exactly one. */
static const ih_alert *only(const fixture *f, const char *type)
{
    const ih_alert *found = NULL;
    for (size_t i = 0; i < f->alerts.count; i++) {
        if (strcmp(f->alerts.items[i].alert_type, type) != 0)
            continue;
        if (found)
            fail_msg("more than one %s alert", type);
        found = &f->alerts.items[i];
    }
    if (!found)
        fail_msg("no %s alert", type);
    return found;
}

static const alert_field *field(const ih_alert *a, const char *name)
{
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, name) == 0)
            return &a->fields[i];
    fail_msg("alert has no field %s", name);
    return NULL;
}

static const uint64_t *used_count(const fixture *f, const char *part)
{
    for (size_t i = 0; i < f->diag.nused; i++)
        if (strcmp(f->diag.used[i].source, part) == 0)
            return &f->diag.used[i].count;
    return NULL;
}

#define BEACON "PotentialBeaconing"
#define DDNS "SuspiciousDynamicDNS"
#define FLUX "PotentialFastFluxActivity"

/* A connection that passes part 1's row filter. Tests change the field they probe. */
static conn_spec beacon_conn(ih_time t)
{
    return (conn_spec){
        .time = t,
        .device_id = "dev-1",
        .device_name = "ws-1",
        .ip = "198.51.100.7",
        .port = 443,
        .url = "",
        .process = "implant.exe",
        .sent = 100,
        .received = 50,
        .action = IH_ACTION_SUCCESS,
    };
}

/* Feeds n beacon connections evenly from first to last, both included. */
static void feed_beacons(fixture *f, size_t n, ih_time first, ih_time last, conn_spec tmpl)
{
    for (size_t i = 0; i < n; i++) {
        tmpl.time = n == 1 ? first : first + (last - first) / (ih_time)(n - 1) * (ih_time)i;
        if (i == n - 1)
            tmpl.time = last;
        feed(f, &tmpl);
    }
}

/* ---- Part 1: PotentialBeaconing ---- */

static void test_beacon_basic(void **state)
{
    fixture *f = *state;
    ih_time first = at("2024-04-19T08:59:50Z"), last = at("2024-04-19T10:00:14Z");

    /* 20 connections, 2000 bytes sent, 2 hour boundaries crossed: 20 / 2 = 10. */
    feed_beacons(f, 20, first, last, beacon_conn(0));
    finish(f, last);

    const ih_alert *a = only(f, BEACON);
    assert_int_equal(a->timestamp, last);
    assert_string_equal(a->device_name, "ws-1");
    assert_string_equal(a->remote_ip, "198.51.100.7");
    assert_string_equal(a->remote_url, "");
    assert_int_equal(a->connection_count, 20);
    assert_int_equal(a->bytes_sent, 2000);
    assert_int_equal(a->bytes_received, 1000);
    assert_int_equal(a->nsample_processes, 1);
    assert_string_equal(a->sample_processes[0], "implant.exe");
    assert_string_equal(field(a, "DeviceId")->text, "dev-1");
    assert_int_equal(field(a, "FirstSeen")->i, first);
    assert_int_equal(field(a, "LastSeen")->i, last);
    assert_int_equal(field(a, "UniqueRemotePorts")->i, 1);
    assert_int_equal(field(a, "DurationHours")->i, 2);
    assert_int_equal(field(a, "BeaconRate")->i, 10);
    assert_int_equal(f->alerts.count, 1);
}

static void test_beacon_duration_one_hour_fails(void **state)
{
    fixture *f = *state;
    /* 08:59:50 to 09:59:50 crosses one hour boundary: DurationHours 1 fails "> 1". */
    feed_beacons(f, 20, at("2024-04-19T08:59:50Z"), at("2024-04-19T09:59:50Z"), beacon_conn(0));
    finish(f, at("2024-04-19T10:00:00Z"));
    assert_int_equal(count_type(f, BEACON), 0);
}

static void test_beacon_hours_truncated_not_elapsed(void **state)
{
    fixture *f = *state;
    /* 09:00:00 to 10:59:59 is almost two hours elapsed but one boundary: no alert. */
    feed_beacons(f, 30, at("2024-04-19T09:00:00Z"), at("2024-04-19T10:59:59.999Z"),
                 beacon_conn(0));
    finish(f, at("2024-04-19T11:00:00Z"));
    assert_int_equal(count_type(f, BEACON), 0);
}

static void test_beacon_min_connections(void **state)
{
    fixture *f = *state;
    feed_beacons(f, 19, at("2024-04-19T08:00:00Z"), at("2024-04-19T12:00:00Z"), beacon_conn(0));
    finish(f, at("2024-04-19T12:00:00Z"));
    assert_int_equal(count_type(f, BEACON), 0);
}

static void test_beacon_bytes_threshold(void **state)
{
    fixture *f = *state;
    conn_spec low = beacon_conn(0), high = beacon_conn(0);
    /* 20 x 50 = 1000 is not above 1000, but 19 x 50 + 51 = 1001 is. */
    low.sent = 50;
    low.ip = "198.51.100.1";
    high.sent = 50;
    high.ip = "198.51.100.2";
    feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T12:00:00Z"), low);
    feed_beacons(f, 19, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:59:00Z"), high);
    high.sent = 51;
    high.time = at("2024-04-19T12:00:00Z");
    feed(f, &high);
    finish(f, at("2024-04-19T12:00:00Z"));

    const ih_alert *a = only(f, BEACON);
    assert_string_equal(a->remote_ip, "198.51.100.2");
    assert_int_equal(a->bytes_sent, 1001);
}

static void test_beacon_unknown_bytes_never_pass(void **state)
{
    fixture *f = *state;
    conn_spec c = beacon_conn(0);
    /* Sysmon and Defender carry no byte counts: the sum is null, and null > 1000 is not true. */
    c.sent = UNKNOWN;
    c.received = UNKNOWN;
    feed_beacons(f, 100, at("2024-04-19T08:00:00Z"), at("2024-04-19T12:00:00Z"), c);
    finish(f, at("2024-04-19T12:00:00Z"));
    assert_int_equal(count_type(f, BEACON), 0);
    /* The events still passed the row filter. */
    assert_non_null(used_count(f, "seed.beaconing"));
    assert_int_equal(*used_count(f, "seed.beaconing"), 100);
}

static void test_beacon_sum_skips_unknown(void **state)
{
    fixture *f = *state;
    conn_spec c = beacon_conn(0);
    /* Kusto's sum() ignores nulls: 10 known x 150 = 1500. A sum of only nulls stays null. */
    c.received = UNKNOWN;
    for (int i = 0; i < 20; i++) {
        c.time = at("2024-04-19T08:00:00Z") + i * 10 * MINUTE;
        c.sent = i % 2 ? 150 : UNKNOWN;
        feed(f, &c);
    }
    finish(f, at("2024-04-19T12:00:00Z"));

    const ih_alert *a = only(f, BEACON);
    assert_int_equal(a->bytes_sent, 1500);
    assert_int_equal(a->bytes_received, ALERT_BYTES_NULL);
    /* 08:00 to 11:10 crosses three boundaries, and 20 / 3 = 6 as a long. */
    assert_int_equal(field(a, "DurationHours")->i, 3);
    assert_int_equal(field(a, "BeaconRate")->i, 6);
}

static void test_beacon_rate_integer_division(void **state)
{
    fixture *f = *state;
    conn_spec slow = beacon_conn(0), fast = beacon_conn(0), odd = beacon_conn(0),
              too_fast = beacon_conn(0);

    /* 20 over 40 hours: 20 / 40 = 0 as a long, below 0.5. */
    slow.ip = "198.51.100.10";
    feed_beacons(f, 20, at("2024-04-17T00:00:00Z"), at("2024-04-18T16:00:00Z"), slow);
    /* 401 over 2 hours: 200, the inclusive maximum. */
    fast.ip = "198.51.100.11";
    feed_beacons(f, 401, at("2024-04-19T08:00:00Z"), at("2024-04-19T10:00:00Z"), fast);
    /* 403 over 2 hours: 201, above the maximum. */
    too_fast.ip = "198.51.100.12";
    feed_beacons(f, 403, at("2024-04-19T08:00:00Z"), at("2024-04-19T10:00:00Z"), too_fast);
    /* 21 over 2 hours: 10, not 10.5. */
    odd.ip = "198.51.100.13";
    feed_beacons(f, 21, at("2024-04-19T08:00:00Z"), at("2024-04-19T10:00:00Z"), odd);
    finish(f, at("2024-04-19T10:00:00Z"));

    assert_int_equal(count_type(f, BEACON), 2);
    for (size_t i = 0; i < f->alerts.count; i++) {
        const ih_alert *a = &f->alerts.items[i];
        if (strcmp(a->remote_ip, "198.51.100.11") == 0) {
            assert_int_equal(field(a, "BeaconRate")->i, 200);
            assert_int_equal(a->connection_count, 401);
        } else {
            assert_string_equal(a->remote_ip, "198.51.100.13");
            assert_int_equal(field(a, "BeaconRate")->i, 10);
        }
    }
}

static void test_beacon_rate_half_is_zero(void **state)
{
    fixture *f = *state;
    conn_spec c = beacon_conn(0);
    /* 20 over 39 hours would be 0.51 as a real, but 0 as a long: no alert. */
    feed_beacons(f, 20, at("2024-04-17T00:00:00Z"), at("2024-04-18T15:00:00Z"), c);
    finish(f, at("2024-04-19T00:00:00Z"));
    assert_int_equal(count_type(f, BEACON), 0);
}

static void test_beacon_address_filter(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *ip;
        bool passes;
    } cases[] = {
        {"10.1.2.3", false},       {"172.16.0.1", false},     {"172.31.255.255", false},
        {"192.168.1.1", false},    {"172.15.255.255", true},  {"172.32.0.1", true},
        {"192.169.0.1", true},     {"127.0.0.1", true},       {"169.254.1.1", true},
        {"100.64.0.1", true},      {"2001:db8::1", false},    {"::ffff:198.51.100.1", false},
    };
    size_t want = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conn_spec c = beacon_conn(0);
        c.ip = cases[i].ip;
        feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), c);
        want += cases[i].passes;
    }
    /* A remote address the source wrote but that is not an address is dropped too. */
    conn_spec bad = beacon_conn(0);
    bad.ip = "not-an-ip";
    feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), bad);
    finish(f, at("2024-04-19T11:00:00Z"));

    assert_int_equal(count_type(f, BEACON), want);
    for (size_t i = 0; i < f->alerts.count; i++) {
        const char *ip = f->alerts.items[i].remote_ip;
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
            if (strcmp(ip, cases[k].ip) == 0 && !cases[k].passes)
                fail_msg("alert for excluded address %s", ip);
    }
}

static void test_beacon_port_filter(void **state)
{
    fixture *f = *state;
    static const int32_t listed[] = {80, 443, 8080, 8443, 4443, 4444, 1080, 3128};
    static const int32_t unlisted[] = {22, 53, 8883, 0, IH_UNKNOWN_PORT};
    char ips[16][32];
    size_t n = 0;

    for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++, n++) {
        conn_spec c = beacon_conn(0);
        snprintf(ips[n], sizeof(ips[n]), "198.51.100.%zu", n + 1);
        c.ip = ips[n];
        c.port = listed[i];
        feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), c);
    }
    for (size_t i = 0; i < sizeof(unlisted) / sizeof(unlisted[0]); i++, n++) {
        conn_spec c = beacon_conn(0);
        snprintf(ips[n], sizeof(ips[n]), "203.0.113.%zu", n + 1);
        c.ip = ips[n];
        c.port = unlisted[i];
        feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), c);
    }
    finish(f, at("2024-04-19T11:00:00Z"));

    assert_int_equal(count_type(f, BEACON), sizeof(listed) / sizeof(listed[0]));
    for (size_t i = 0; i < f->alerts.count; i++)
        if (strcmp(f->alerts.items[i].alert_type, BEACON) == 0)
            assert_int_equal(strncmp(f->alerts.items[i].remote_ip, "198.51.100.", 11), 0);
}

static void test_beacon_unique_ports(void **state)
{
    fixture *f = *state;
    conn_spec c = beacon_conn(0);

    /* The port is not a group key: 80 and 443 to one address are one group. */
    for (int i = 0; i < 20; i++) {
        c.time = at("2024-04-19T08:00:00Z") + i * 10 * MINUTE;
        c.port = i % 2 ? 80 : 443;
        feed(f, &c);
    }
    finish(f, at("2024-04-19T12:00:00Z"));
    assert_int_equal(field(only(f, BEACON), "UniqueRemotePorts")->i, 2);
}

static void test_beacon_actions(void **state)
{
    fixture *f = *state;
    static const struct {
        enum ih_action action;
        const char *ip;
        bool passes;
    } cases[] = {
        {IH_ACTION_SUCCESS, "198.51.100.1", true},  {IH_ACTION_ATTEMPT, "198.51.100.2", true},
        {IH_ACTION_FAILED, "198.51.100.3", false},  {IH_ACTION_INBOUND, "198.51.100.4", false},
        {IH_ACTION_LISTENING, "198.51.100.5", false}, {IH_ACTION_OTHER, "198.51.100.6", false},
        {IH_ACTION_UNKNOWN, "198.51.100.7", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conn_spec c = beacon_conn(0);
        c.ip = cases[i].ip;
        c.action = cases[i].action;
        feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), c);
    }
    finish(f, at("2024-04-19T11:00:00Z"));

    assert_int_equal(count_type(f, BEACON), 2);
    assert_string_equal(f->alerts.items[0].remote_ip, "198.51.100.1");
    assert_string_equal(f->alerts.items[1].remote_ip, "198.51.100.2");
}

static void test_beacon_window_edge(void **state)
{
    fixture *f = *state;
    ih_time now = at("2024-04-26T12:00:00Z");
    conn_spec c = beacon_conn(0);

    /* "Timestamp > now - 7d": an event exactly 7 days old is out, 1 ns younger is in.
       20 events in the window, from 7d - 1ns ago to 4 hours later. */
    c.time = now - 7 * DAY;
    feed(f, &c);
    feed_beacons(f, 20, now - 7 * DAY + 1, now - 7 * DAY + 4 * HOUR, c);
    finish(f, now);

    const ih_alert *a = only(f, BEACON);
    assert_int_equal(a->connection_count, 20);
    assert_int_equal(field(a, "FirstSeen")->i, now - 7 * DAY + 1);
    /* 12:00:00.000000001 to 16:00:00 crosses four hour boundaries. */
    assert_int_equal(field(a, "DurationHours")->i, 4);
}

static void test_beacon_window_cuts_group(void **state)
{
    fixture *f = *state;
    ih_time now = at("2024-04-26T12:00:00Z");
    conn_spec c = beacon_conn(0);

    /* 15 old events outside the window and 15 inside: 15 is below 20 on both sides. */
    feed_beacons(f, 15, now - 8 * DAY, now - 8 * DAY + 5 * HOUR, c);
    feed_beacons(f, 15, now - 5 * HOUR, now, c);
    finish(f, now);
    assert_int_equal(count_type(f, BEACON), 0);
}

static void test_beacon_groups_by_url_and_device(void **state)
{
    fixture *f = *state;
    conn_spec a = beacon_conn(0), b = beacon_conn(0), c = beacon_conn(0), d = beacon_conn(0);

    /* Same address, different RemoteUrl, DeviceId or DeviceName: four groups of 20. */
    b.url = "cdn.example";
    c.device_id = "dev-2";
    d.device_name = "ws-1-renamed";
    feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), a);
    feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), b);
    feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), c);
    feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), d);
    finish(f, at("2024-04-19T11:00:00Z"));
    assert_int_equal(count_type(f, BEACON), 4);
    for (size_t i = 0; i < f->alerts.count; i++)
        assert_int_equal(f->alerts.items[i].connection_count, 20);
}

static void test_beacon_unknown_url_is_empty(void **state)
{
    fixture *f = *state;
    conn_spec known_empty = beacon_conn(0), unknown = beacon_conn(0);

    /* Kusto has no null strings: an unknown RemoteUrl groups with the empty one. */
    known_empty.url = "";
    unknown.url = NULL;
    feed_beacons(f, 10, at("2024-04-19T08:00:00Z"), at("2024-04-19T09:00:00Z"), known_empty);
    feed_beacons(f, 10, at("2024-04-19T10:00:00Z"), at("2024-04-19T11:00:00Z"), unknown);
    finish(f, at("2024-04-19T11:00:00Z"));

    const ih_alert *a = only(f, BEACON);
    assert_int_equal(a->connection_count, 20);
    assert_string_equal(a->remote_url, "");
}

static void test_beacon_sample_order_and_cap(void **state)
{
    fixture *f = *state;
    conn_spec c = beacon_conn(0);
    ih_time t0 = at("2024-04-19T08:00:00Z");
    /* First appearances: g at 0, f at 1, e at 2, d and c both at 3, b at 4, a at 5.
       Kept: the 5 earliest, ties by byte order: g, f, e, c, d. */
    static const struct {
        int minute;
        const char *process;
    } order[] = {{0, "g.exe"}, {1, "f.exe"}, {2, "e.exe"}, {3, "d.exe"}, {3, "c.exe"},
                 {4, "b.exe"}, {5, "a.exe"}, {6, "g.exe"}, {7, "a.exe"}};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        c.time = t0 + order[i].minute * MINUTE;
        c.process = order[i].process;
        feed(f, &c);
    }
    c.process = "z.exe";
    feed_beacons(f, 11, t0 + 3 * HOUR, t0 + 4 * HOUR, c);
    finish(f, t0 + 4 * HOUR);

    const ih_alert *a = only(f, BEACON);
    static const char *const want[] = {"g.exe", "f.exe", "e.exe", "c.exe", "d.exe"};
    assert_int_equal(a->nsample_processes, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(a->sample_processes[i], want[i]);
}

static void test_beacon_browsers_count(void **state)
{
    fixture *f = *state;
    conn_spec c = beacon_conn(0);

    /* Only part 3 excludes browsers and services, so part 1 keeps them. */
    c.process = "chrome.exe";
    feed_beacons(f, 20, at("2024-04-19T08:00:00Z"), at("2024-04-19T11:00:00Z"), c);
    finish(f, at("2024-04-19T11:00:00Z"));
    assert_string_equal(only(f, BEACON)->sample_processes[0], "chrome.exe");
}

/* ---- Part 2: SuspiciousDynamicDNS ---- */

static conn_spec ddns_conn(const char *url, const char *ip, const char *device_id,
                           const char *process, ih_time t)
{
    return (conn_spec){
        .time = t,
        .device_id = device_id,
        .device_name = device_id,
        .ip = ip,
        .port = 443,
        .url = url,
        .process = process,
        .sent = UNKNOWN,
        .received = UNKNOWN,
        .action = IH_ACTION_SUCCESS,
    };
}

static void test_ddns_basic(void **state)
{
    fixture *f = *state;
    ih_time t = at("2024-04-19T09:00:00Z"), now = at("2024-04-19T12:00:00Z");
    conn_spec c = ddns_conn("update.duckdns.org", "198.51.100.7", "dev-1", "powershell.exe", t);

    feed(f, &c);
    c.time = t + MINUTE;
    c.device_id = "dev-2";
    c.process = "rundll32.exe";
    feed(f, &c);
    c.time = t + 2 * MINUTE;
    feed(f, &c);
    finish(f, now);

    const ih_alert *a = only(f, DDNS);
    assert_int_equal(a->timestamp, now);
    assert_string_equal(a->device_name, "Multiple");
    assert_string_equal(a->remote_ip, "198.51.100.7");
    assert_string_equal(a->remote_url, "update.duckdns.org");
    assert_int_equal(a->connection_count, 3);
    assert_int_equal(a->bytes_sent, 0);
    assert_int_equal(a->bytes_received, 0);
    assert_int_equal(a->nsample_processes, 2);
    assert_string_equal(a->sample_processes[0], "powershell.exe");
    assert_string_equal(a->sample_processes[1], "rundll32.exe");
    assert_int_equal(field(a, "UniqueDevices")->i, 2);
    assert_int_equal(field(a, "SampleIPs")->ntexts, 1);
    assert_string_equal(field(a, "SampleIPs")->texts[0], "198.51.100.7");
    assert_int_equal(f->alerts.count, 1);
}

static void test_ddns_unanchored_caseless(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *url;
        bool matches;
    } cases[] = {
        {"a.duckdns.org", true},
        {"duckdns.org.evil.example", true}, /* unanchored at the end */
        {"notzapto.org", true},             /* unanchored at the start */
        {"X.DuckDNS.ORG", true},            /* caseless */
        {"host.No-Ip.Com", true},
        {"myhost.dynalias.com", true},
        {"duckdnsXorg", false},             /* the dot is escaped */
        {"duckdns.com", false},
        {"example.org", false},
        {"ddns.ne", false},
    };
    size_t want = 0;
    ih_time t = at("2024-04-19T09:00:00Z");

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conn_spec c = ddns_conn(cases[i].url, "198.51.100.7", "dev-1", "p.exe", t);
        feed(f, &c);
        want += cases[i].matches;
    }
    finish(f, t);

    assert_int_equal(count_type(f, DDNS), want);
    for (size_t i = 0; i < f->alerts.count; i++) {
        const char *url = f->alerts.items[i].remote_url;
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
            if (strcmp(url, cases[k].url) == 0 && !cases[k].matches)
                fail_msg("alert for %s, which the pattern does not match", url);
    }
}

static void test_ddns_only_success(void **state)
{
    fixture *f = *state;
    ih_time t = at("2024-04-19T09:00:00Z");
    static const enum ih_action others[] = {IH_ACTION_ATTEMPT, IH_ACTION_FAILED,
                                            IH_ACTION_INBOUND, IH_ACTION_UNKNOWN};

    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        conn_spec c = ddns_conn("a.duckdns.org", "198.51.100.7", "dev-1", "p.exe", t);
        c.action = others[i];
        feed(f, &c);
    }
    finish(f, t);
    assert_int_equal(count_type(f, DDNS), 0);
}

static void test_ddns_empty_url(void **state)
{
    fixture *f = *state;
    ih_time t = at("2024-04-19T09:00:00Z");
    conn_spec empty = ddns_conn("", "198.51.100.7", "dev-1", "p.exe", t);
    conn_spec unknown = ddns_conn(NULL, "198.51.100.7", "dev-1", "p.exe", t);

    feed(f, &empty);
    feed(f, &unknown);
    finish(f, t);
    assert_int_equal(count_type(f, DDNS), 0);
    assert_int_equal(*used_count(f, "seed.dynamic_dns"), 0);
}

static void test_ddns_any_address(void **state)
{
    fixture *f = *state;
    ih_time t = at("2024-04-19T09:00:00Z");
    /* Part 2 has no address filter: private, IPv6 and missing addresses all count. */
    static const char *const ips[] = {"10.0.0.5", "2001:db8::5", NULL, "198.51.100.7"};

    for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
        conn_spec c = ddns_conn("a.duckdns.org", ips[i], "dev-1", "p.exe", t + (ih_time)i * NS);
        feed(f, &c);
    }
    finish(f, t + 10 * NS);

    const ih_alert *a = only(f, DDNS);
    assert_int_equal(a->connection_count, 4);
    /* Samples are in order of first appearance, and a missing address is the empty string. */
    const alert_field *ipf = field(a, "SampleIPs");
    assert_int_equal(ipf->ntexts, 4);
    assert_string_equal(ipf->texts[0], "10.0.0.5");
    assert_string_equal(ipf->texts[1], "2001:db8::5");
    assert_string_equal(ipf->texts[2], "");
    assert_string_equal(ipf->texts[3], "198.51.100.7");
    assert_string_equal(a->remote_ip, "10.0.0.5");
}

static void test_ddns_samples_capped(void **state)
{
    fixture *f = *state;
    ih_time t = at("2024-04-19T09:00:00Z");
    char ips[8][32], procs[8][32], devices[8][32];

    /* Eight addresses, processes and devices, the newest first in feeding order. */
    for (int i = 7; i >= 0; i--) {
        snprintf(ips[i], sizeof(ips[i]), "198.51.100.%d", i + 1);
        snprintf(procs[i], sizeof(procs[i]), "p%d.exe", i + 1);
        snprintf(devices[i], sizeof(devices[i]), "dev-%d", i + 1);
        conn_spec c = ddns_conn("x.hopto.org", ips[i], devices[i], procs[i], t + i * MINUTE);
        feed(f, &c);
    }
    finish(f, t + HOUR);

    const ih_alert *a = only(f, DDNS);
    const alert_field *ipf = field(a, "SampleIPs");
    assert_int_equal(ipf->ntexts, 5);
    assert_int_equal(a->nsample_processes, 5);
    for (int i = 0; i < 5; i++) {
        assert_string_equal(ipf->texts[i], ips[i]);
        assert_string_equal(a->sample_processes[i], procs[i]);
    }
    assert_string_equal(a->remote_ip, "198.51.100.1");
    assert_int_equal(field(a, "UniqueDevices")->i, 8);
    assert_int_equal(a->connection_count, 8);
}

static void test_ddns_groups_by_url(void **state)
{
    fixture *f = *state;
    ih_time t = at("2024-04-19T09:00:00Z");
    conn_spec a = ddns_conn("a.duckdns.org", "198.51.100.7", "dev-1", "p.exe", t);
    conn_spec b = ddns_conn("A.duckdns.org", "198.51.100.7", "dev-1", "p.exe", t);

    /* The match ignores case, the grouping does not: two names, two alerts. */
    feed(f, &a);
    feed(f, &b);
    finish(f, t);
    assert_int_equal(count_type(f, DDNS), 2);
}

static void test_ddns_browsers_count(void **state)
{
    fixture *f = *state;
    ih_time t = at("2024-04-19T09:00:00Z");
    conn_spec c = ddns_conn("a.ddns.net", "198.51.100.7", "dev-1", "chrome.exe", t);

    feed(f, &c);
    finish(f, t);
    assert_string_equal(only(f, DDNS)->sample_processes[0], "chrome.exe");
}

static void test_ddns_no_window(void **state)
{
    fixture *f = *state;
    ih_time now = at("2024-04-26T12:00:00Z");
    /* Only part 1 has the 7-day window: a month-old dynamic-DNS connection still counts. */
    conn_spec c = ddns_conn("a.duckdns.org", "198.51.100.7", "dev-1", "p.exe", now - 30 * DAY);

    feed(f, &c);
    finish(f, now);
    assert_int_equal(count_type(f, DDNS), 1);
}

/* ---- Part 3: PotentialFastFluxActivity ---- */

/* Feeds n connections from dev-1 in the hour of t0, to `ips` distinct public addresses. */
static void feed_fanout(fixture *f, ih_time t0, size_t n, size_t ips, const char *process,
                        const char *url)
{
    for (size_t i = 0; i < n; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "203.0.113.%zu", i % ips + 1);
        conn_spec c = {
            .time = t0 + (ih_time)i * NS,
            .device_id = "dev-1",
            .device_name = "ws-1",
            .ip = ip,
            .port = 53,
            .url = url,
            .process = process,
            .sent = UNKNOWN,
            .received = UNKNOWN,
            .action = IH_ACTION_SUCCESS,
        };
        feed(f, &c);
    }
}

static void test_flux_basic(void **state)
{
    fixture *f = *state;
    ih_time t0 = at("2024-04-19T09:17:00Z");

    feed_fanout(f, t0, 10, 5, "resolver.exe", "ns.example");
    finish(f, t0 + HOUR);

    const ih_alert *a = only(f, FLUX);
    assert_int_equal(a->timestamp, at("2024-04-19T09:00:00Z"));
    assert_string_equal(a->device_name, "ws-1");
    assert_string_equal(a->remote_ip, "");
    assert_string_equal(a->remote_url, "ns.example");
    assert_int_equal(a->connection_count, 10);
    assert_int_equal(a->bytes_sent, 0);
    assert_int_equal(a->bytes_received, 0);
    assert_int_equal(a->nsample_processes, 1);
    assert_string_equal(a->sample_processes[0], "resolver.exe");
    assert_string_equal(field(a, "DeviceId")->text, "dev-1");
    assert_int_equal(field(a, "UniqueIPs")->i, 5);
    assert_int_equal(field(a, "SampleURLs")->ntexts, 1);
    assert_int_equal(f->alerts.count, 1);
}

static void test_flux_thresholds(void **state)
{
    fixture *f = *state;
    /* 4 addresses in 10 connections, and 5 addresses in 9: neither is enough. */
    feed_fanout(f, at("2024-04-19T09:00:00Z"), 10, 4, "p.exe", "");
    feed_fanout(f, at("2024-04-19T11:00:00Z"), 9, 5, "p.exe", "");
    finish(f, at("2024-04-19T12:00:00Z"));
    assert_int_equal(count_type(f, FLUX), 0);
}

static void test_flux_bin_boundary(void **state)
{
    fixture *f = *state;
    /* 5 connections end at 09:59:59.999999999 and 5 start at 10:00:00: two bins of 5. */
    ih_time edge = at("2024-04-19T10:00:00Z");
    for (int i = 0; i < 10; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "203.0.113.%d", i + 1);
        conn_spec c = {
            .time = i < 5 ? edge - 1 - i : edge + i,
            .device_id = "dev-1",
            .device_name = "ws-1",
            .ip = ip,
            .port = 443,
            .url = "",
            .process = "p.exe",
            .sent = UNKNOWN,
            .received = UNKNOWN,
            .action = IH_ACTION_SUCCESS,
        };
        feed(f, &c);
    }
    finish(f, edge + HOUR);
    assert_int_equal(count_type(f, FLUX), 0);
}

static void test_flux_bins_before_epoch(void **state)
{
    fixture *f = *state;
    /* bin() floors: 1969-12-31T23:30 belongs to the 23:00 bin, not to 00:00. */
    feed_fanout(f, at("1969-12-31T23:30:00Z"), 10, 5, "p.exe", "");
    finish(f, at("1970-01-01T01:00:00Z"));
    assert_int_equal(only(f, FLUX)->timestamp, at("1969-12-31T23:00:00Z"));
}

static void test_flux_excluded_processes(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *process;
        bool excluded;
    } cases[] = {
        {"chrome.exe", true},       {"CHROME.EXE", true},     {"Firefox.exe", true},
        {"msedge.exe", true},       {"safari", true},         {"svchost.exe", true},
        {"MsMpEng.exe", true},      {"msmpeng.exe", true},    {"SenseCncProxy.exe", true},
        {"chrome.exe.bak", false},  {"chrome", false},        {"xchrome.exe", false},
        {"powershell.exe", false},  {"", false},
    };
    size_t want = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ih_time hour = at("2024-04-10T00:00:00Z") + (ih_time)i * HOUR;
        feed_fanout(f, hour, 10, 5, cases[i].process, "");
        want += !cases[i].excluded;
    }
    finish(f, at("2024-04-19T00:00:00Z"));

    assert_int_equal(count_type(f, FLUX), want);
    for (size_t i = 0; i < f->alerts.count; i++) {
        const ih_alert *a = &f->alerts.items[i];
        const char *p = a->nsample_processes ? a->sample_processes[0] : "(none)";
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
            if (strcmp(p, cases[k].process) == 0 && cases[k].excluded)
                fail_msg("alert for excluded process %s", p);
    }
}

static void test_flux_excluded_rows_not_counted(void **state)
{
    fixture *f = *state;
    ih_time t0 = at("2024-04-19T09:00:00Z");
    /* 9 connections by powershell and 10 by chrome in the same hour: the chrome
       rows are filtered out before grouping, so 9 remain and there is no alert. */
    feed_fanout(f, t0, 9, 5, "powershell.exe", "");
    feed_fanout(f, t0 + 30 * MINUTE, 10, 5, "chrome.exe", "");
    finish(f, t0 + HOUR);
    assert_int_equal(count_type(f, FLUX), 0);
}

static void test_flux_private_and_v6_not_counted(void **state)
{
    fixture *f = *state;
    ih_time t0 = at("2024-04-19T09:00:00Z");
    static const char *const ips[] = {"10.0.0.1", "172.16.5.5", "192.168.0.9", "2001:db8::1",
                                      "fd00::1", "203.0.113.1", "203.0.113.2", "203.0.113.3",
                                      "203.0.113.4", "203.0.113.4"};

    for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
        conn_spec c = {
            .time = t0 + (ih_time)i * NS, .device_id = "dev-1", .device_name = "ws-1",
            .ip = ips[i], .port = 443, .url = "", .process = "p.exe",
            .sent = UNKNOWN, .received = UNKNOWN, .action = IH_ACTION_SUCCESS,
        };
        feed(f, &c);
    }
    finish(f, t0 + HOUR);
    assert_int_equal(count_type(f, FLUX), 0);
    assert_int_equal(*used_count(f, "seed.fast_flux"), 5);
}

static void test_flux_only_success(void **state)
{
    fixture *f = *state;
    ih_time t0 = at("2024-04-19T09:00:00Z");

    for (int i = 0; i < 10; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "203.0.113.%d", i + 1);
        conn_spec c = {
            .time = t0 + i * NS, .device_id = "dev-1", .device_name = "ws-1", .ip = ip,
            .port = 443, .url = "", .process = "p.exe", .sent = UNKNOWN, .received = UNKNOWN,
            .action = IH_ACTION_ATTEMPT,
        };
        feed(f, &c);
    }
    finish(f, t0 + HOUR);
    assert_int_equal(count_type(f, FLUX), 0);
}

static void test_flux_url_samples(void **state)
{
    fixture *f = *state;
    ih_time t0 = at("2024-04-19T09:00:00Z");
    char urls[12][32];

    /* The empty string is a value: it appears first, so RemoteUrl is "". */
    for (int i = 0; i < 12; i++) {
        if (i == 0)
            urls[i][0] = '\0';
        else
            snprintf(urls[i], sizeof(urls[i]), "u%02d.example", i);
        char ip[32];
        snprintf(ip, sizeof(ip), "203.0.113.%d", i + 1);
        conn_spec c = {
            .time = t0 + i * NS, .device_id = "dev-1", .device_name = "ws-1", .ip = ip,
            .port = 443, .url = urls[i], .process = "p.exe", .sent = UNKNOWN,
            .received = UNKNOWN, .action = IH_ACTION_SUCCESS,
        };
        feed(f, &c);
    }
    finish(f, t0 + HOUR);

    const ih_alert *a = only(f, FLUX);
    const alert_field *u = field(a, "SampleURLs");
    assert_int_equal(u->ntexts, 10);
    for (int i = 0; i < 10; i++)
        assert_string_equal(u->texts[i], urls[i]);
    assert_string_equal(a->remote_url, "");
    assert_int_equal(field(a, "UniqueIPs")->i, 12);
}

static void test_flux_groups_by_device(void **state)
{
    fixture *f = *state;
    ih_time t0 = at("2024-04-19T09:00:00Z");

    /* Two devices with 5 connections each to 5 addresses: neither reaches 10. */
    for (int i = 0; i < 10; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "203.0.113.%d", i % 5 + 1);
        conn_spec c = {
            .time = t0 + i * NS, .device_id = i % 2 ? "dev-1" : "dev-2",
            .device_name = "ws-1", .ip = ip, .port = 443, .url = "", .process = "p.exe",
            .sent = UNKNOWN, .received = UNKNOWN, .action = IH_ACTION_SUCCESS,
        };
        feed(f, &c);
    }
    finish(f, t0 + HOUR);
    assert_int_equal(count_type(f, FLUX), 0);
}

static void test_flux_no_window(void **state)
{
    fixture *f = *state;
    /* Part 3 has no 7-day window either. */
    feed_fanout(f, at("2024-03-01T09:00:00Z"), 10, 5, "p.exe", "");
    finish(f, at("2024-04-19T09:00:00Z"));
    assert_int_equal(count_type(f, FLUX), 1);
}

/* ---- All parts ---- */

static void test_no_time_no_alerts(void **state)
{
    fixture *f = *state;
    feed_fanout(f, at("2024-04-19T09:00:00Z"), 10, 5, "p.exe", "x.duckdns.org");
    finish(f, IH_TIME_NONE);
    assert_int_equal(f->alerts.count, 0);
    /* The used counters are still reported. */
    assert_int_equal(*used_count(f, "seed.fast_flux"), 10);
    assert_int_equal(*used_count(f, "seed.dynamic_dns"), 10);
}

static void test_dns_events_ignored(void **state)
{
    fixture *f = *state;
    ih_dns d;
    ih_dns_init(&d);
    d.time = at("2024-04-19T09:00:00Z");
    d.query_name = view("x.duckdns.org");
    assert_int_equal(ih_detector_seed.dns(f->state, &d), 0);
    finish(f, d.time);
    assert_int_equal(f->alerts.count, 0);
}

/* A mixed workload that produces alerts of all three parts. */
static void mixed_events(conn_spec *out, size_t *n)
{
    ih_time t0 = at("2024-04-19T08:10:00Z");
    size_t k = 0;
    static char ips[64][32];

    /* Part 1: one beacon, every 6 minutes for 3 hours, with a changing process. */
    for (int i = 0; i < 31; i++) {
        out[k] = beacon_conn(t0 + i * 6 * MINUTE);
        out[k].process = i % 3 ? "implant.exe" : "loader.exe";
        k++;
    }
    /* Part 2: a dynamic-DNS name seen from two devices. */
    for (int i = 0; i < 6; i++) {
        snprintf(ips[i], sizeof(ips[i]), "198.51.100.%d", 50 + i % 4);
        out[k++] = ddns_conn("c2.duckdns.org", ips[i], i % 3 == 0 ? "dev-a" : "dev-b",
                             i % 2 ? "p1.exe" : "p2.exe", t0 + i * MINUTE);
    }
    /* Part 3: fan-out of twelve addresses within one hour. */
    for (int i = 0; i < 12; i++) {
        snprintf(ips[10 + i], sizeof(ips[10 + i]), "203.0.113.%d", 100 + i);
        out[k] = (conn_spec){
            .time = t0 + HOUR + i * MINUTE, .device_id = "dev-f", .device_name = "ws-f",
            .ip = ips[10 + i], .port = 443, .url = i % 2 ? "cdn.hopto.org" : "",
            .process = "agent.exe", .sent = UNKNOWN, .received = UNKNOWN,
            .action = IH_ACTION_SUCCESS,
        };
        k++;
    }
    *n = k;
}

static char *alerts_jsonl(const ih_alert_list *l)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    assert_int_equal(output_alerts(mem, OUTPUT_JSONL, l), 0);
    fclose(mem);
    return buf;
}

static void test_merge_equals_single_state(void **state)
{
    fixture *f = *state;
    conn_spec events[128];
    size_t n;
    mixed_events(events, &n);
    ih_time now = at("2024-04-19T12:00:00Z");

    /* One state reads everything. */
    for (size_t i = 0; i < n; i++)
        feed(f, &events[i]);
    finish(f, now);
    assert_int_equal(count_type(f, BEACON), 1);
    assert_int_equal(count_type(f, DDNS), 2);
    assert_int_equal(count_type(f, FLUX), 1);
    char *single = alerts_jsonl(&f->alerts);

    /* Splits: halves, alternating events, and halves fed in reverse order. The
       reverse order interns the strings in another order, so ids differ. */
    for (int split = 0; split < 3; split++) {
        void *a = ih_detector_seed.state_new(f->params);
        void *b = ih_detector_seed.state_new(f->params);
        assert_non_null(a);
        assert_non_null(b);
        for (size_t i = 0; i < n; i++) {
            size_t j = split == 2 ? n - 1 - i : i;
            bool to_b = split == 1 ? j % 2 == 1 : j >= n / 2;
            feed_to(to_b ? b : a, &events[j]);
        }
        assert_int_equal(ih_detector_seed.merge(a, b), 0);
        ih_detector_seed.state_free(b);

        ih_alert_list merged = {0};
        ih_diag diag;
        ih_diag_init(&diag, false);
        ih_scan_info info = {.now = now};
        assert_int_equal(ih_detector_seed.finish(a, &info, &merged, &diag), 0);
        alert_list_sort(&merged);
        char *text = alerts_jsonl(&merged);
        assert_string_equal(text, single);
        free(text);
        alert_list_free(&merged);
        ih_diag_free(&diag);
        ih_detector_seed.state_free(a);
    }
    free(single);
}

static void test_merge_empty_states(void **state)
{
    fixture *f = *state;
    void *empty = ih_detector_seed.state_new(f->params);
    assert_non_null(empty);

    feed_fanout(f, at("2024-04-19T09:00:00Z"), 10, 5, "p.exe", "");
    assert_int_equal(ih_detector_seed.merge(f->state, empty), 0);
    ih_detector_seed.state_free(empty);
    finish(f, at("2024-04-19T10:00:00Z"));
    assert_int_equal(count_type(f, FLUX), 1);
}

static void test_used_counters(void **state)
{
    fixture *f = *state;
    conn_spec events[128];
    size_t n;
    mixed_events(events, &n);

    for (size_t i = 0; i < n; i++)
        feed(f, &events[i]);
    finish(f, at("2024-04-19T12:00:00Z"));
    /* The 31 beacons pass parts 1 and 3. The 6 dynamic-DNS rows pass parts 1
       (port 443, public address), 2 and 3. The 12 fan-out rows pass parts 1
       and 3, and the 6 of them with cdn.hopto.org also pass part 2. */
    assert_int_equal(*used_count(f, "seed.beaconing"), 31 + 6 + 12);
    assert_int_equal(*used_count(f, "seed.dynamic_dns"), 6 + 6);
    assert_int_equal(*used_count(f, "seed.fast_flux"), 31 + 6 + 12);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_beacon_basic),
        T(test_beacon_duration_one_hour_fails),
        T(test_beacon_hours_truncated_not_elapsed),
        T(test_beacon_min_connections),
        T(test_beacon_bytes_threshold),
        T(test_beacon_unknown_bytes_never_pass),
        T(test_beacon_sum_skips_unknown),
        T(test_beacon_rate_integer_division),
        T(test_beacon_rate_half_is_zero),
        T(test_beacon_address_filter),
        T(test_beacon_port_filter),
        T(test_beacon_unique_ports),
        T(test_beacon_actions),
        T(test_beacon_window_edge),
        T(test_beacon_window_cuts_group),
        T(test_beacon_groups_by_url_and_device),
        T(test_beacon_unknown_url_is_empty),
        T(test_beacon_sample_order_and_cap),
        T(test_beacon_browsers_count),
        T(test_ddns_basic),
        T(test_ddns_unanchored_caseless),
        T(test_ddns_only_success),
        T(test_ddns_empty_url),
        T(test_ddns_any_address),
        T(test_ddns_samples_capped),
        T(test_ddns_groups_by_url),
        T(test_ddns_browsers_count),
        T(test_ddns_no_window),
        T(test_flux_basic),
        T(test_flux_thresholds),
        T(test_flux_bin_boundary),
        T(test_flux_bins_before_epoch),
        T(test_flux_excluded_processes),
        T(test_flux_excluded_rows_not_counted),
        T(test_flux_private_and_v6_not_counted),
        T(test_flux_only_success),
        T(test_flux_url_samples),
        T(test_flux_groups_by_device),
        T(test_flux_no_window),
        T(test_no_time_no_alerts),
        T(test_dns_events_ignored),
        T(test_merge_equals_single_state),
        T(test_merge_empty_states),
        T(test_used_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
