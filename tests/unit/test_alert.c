/*
 * Unit tests of the alert model: the total order of alert_list_sort()
 * (newest first, then AlertType, DeviceName, RemoteIP, RemoteUrl,
 * ConnectionCount and the extra fields), its independence of input order,
 * and the field setters.
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

#define HOUR IH_NS_PER_HOUR

typedef struct alert_spec {
    ih_time timestamp;
    const char *type;
    const char *device;
    const char *ip;
    const char *url;
    uint64_t count;
    const char *device_id; /* first extra field, NULL for none */
} alert_spec;

static ih_str text(const char *s)
{
    return (ih_str){s, strlen(s)};
}

static void add_alert(ih_alert_list *l, const alert_spec *spec)
{
    ih_alert *a = alert_list_add(l);
    assert_non_null(a);
    a->timestamp = spec->timestamp;
    a->alert_type = spec->type;
    a->device_name = alert_strdup(text(spec->device));
    a->remote_ip = alert_strdup(text(spec->ip));
    a->remote_url = alert_strdup(text(spec->url));
    a->connection_count = spec->count;
    if (spec->device_id)
        assert_int_equal(alert_add_text(a, "DeviceId", text(spec->device_id)), 0);
}

/* A one-line description of an alert, to compare orders and show failures. */
static void describe(const ih_alert *a, char *out, size_t cap)
{
    snprintf(out, cap, "%lld|%s|%s|%s|%s|%llu|%s", (long long)a->timestamp, a->alert_type,
             a->device_name, a->remote_ip, a->remote_url, (unsigned long long)a->connection_count,
             a->nfields ? a->fields[0].text : "-");
}

/* Sorts two alerts given in both orders and checks that first always comes first. */
static void assert_sorted_first(const alert_spec *first, const alert_spec *second)
{
    for (int flip = 0; flip < 2; flip++) {
        ih_alert_list l = {0};
        add_alert(&l, flip ? first : second);
        add_alert(&l, flip ? second : first);
        alert_list_sort(&l);
        char got[256], want[256];
        ih_alert_list one = {0};
        add_alert(&one, first);
        describe(&l.items[0], got, sizeof(got));
        describe(&one.items[0], want, sizeof(want));
        assert_string_equal(got, want);
        alert_list_free(&one);
        alert_list_free(&l);
    }
}

static const alert_spec base = {10 * HOUR, "PotentialBeaconing", "host-b", "203.0.113.5",
                                 "c2.example", 20, "dev-1"};

static void test_newest_first(void **state)
{
    (void)state;
    alert_spec newer = base, older = base;
    newer.timestamp = base.timestamp + 1;
    /* The newer alert wins even where every other key would put it last. */
    newer.type = "SuspiciousDynamicDNS";
    newer.device = "zzz";
    assert_sorted_first(&newer, &older);
}

static void test_tie_alert_type(void **state)
{
    (void)state;
    alert_spec a = base, b = base;
    a.type = "PotentialBeaconing";
    b.type = "PotentialFastFluxActivity";
    b.device = "aaa"; /* would come first if DeviceName were compared before AlertType */
    assert_sorted_first(&a, &b);
}

static void test_tie_device_name(void **state)
{
    (void)state;
    alert_spec a = base, b = base;
    a.device = "host-a";
    b.device = "host-b";
    b.ip = "0.0.0.0";
    assert_sorted_first(&a, &b);
}

static void test_tie_device_name_bytewise(void **state)
{
    (void)state;
    alert_spec upper = base, lower = base;
    /* Byte order, not case-insensitive or locale order: 'Z' (0x5a) sorts before 'a' (0x61). */
    upper.device = "Zulu";
    lower.device = "alpha";
    assert_sorted_first(&upper, &lower);
}

static void test_tie_remote_ip(void **state)
{
    (void)state;
    alert_spec a = base, b = base;
    /* Byte-wise text order, so "203.0.113.10" sorts before "203.0.113.9". */
    a.ip = "203.0.113.10";
    b.ip = "203.0.113.9";
    b.url = "";
    assert_sorted_first(&a, &b);
}

static void test_tie_remote_url(void **state)
{
    (void)state;
    alert_spec a = base, b = base;
    a.url = "";
    b.url = "a.example";
    b.count = 1;
    assert_sorted_first(&a, &b);
}

static void test_tie_connection_count(void **state)
{
    (void)state;
    alert_spec a = base, b = base;
    a.count = 9;
    b.count = 10;
    b.device_id = "a";
    assert_sorted_first(&a, &b);
}

static void test_tie_extra_field(void **state)
{
    (void)state;
    alert_spec a = base, b = base;
    a.device_id = "dev-1";
    b.device_id = "dev-2";
    assert_sorted_first(&a, &b);
}

static void test_tie_fewer_fields_first(void **state)
{
    (void)state;
    alert_spec a = base, b = base;
    a.device_id = NULL;
    b.device_id = "";
    assert_sorted_first(&a, &b);
}

/* Sorts two otherwise equal alerts that differ in their second extra field. */
static void sort_pair_by_second_field(ih_alert_list *l, int flip,
                                      void (*set)(ih_alert *a, int which))
{
    for (int i = 0; i < 2; i++) {
        add_alert(l, &base);
        set(&l->items[l->count - 1], i ^ flip);
    }
    alert_list_sort(l);
}

static void set_time_field(ih_alert *a, int which)
{
    assert_int_equal(alert_add_time(a, "FirstSeen", which ? 5 * HOUR : 4 * HOUR), 0);
}

static void set_int_field(ih_alert *a, int which)
{
    assert_int_equal(alert_add_int(a, "DurationHours", which ? 3 : -2), 0);
}

static void set_texts_field(ih_alert *a, int which)
{
    static const ih_str short_list[] = {{"a.example", 9}};
    static const ih_str long_list[] = {{"a.example", 9}, {"b.example", 9}};
    assert_int_equal(alert_add_texts(a, "SampleURLs", which ? long_list : short_list,
                                     which ? 2 : 1),
                     0);
}

static void test_tie_field_kinds(void **state)
{
    (void)state;
    for (int flip = 0; flip < 2; flip++) {
        ih_alert_list l = {0};
        sort_pair_by_second_field(&l, flip, set_time_field);
        assert_int_equal(l.items[0].fields[1].i, 4 * HOUR);
        alert_list_free(&l);

        sort_pair_by_second_field(&l, flip, set_int_field);
        assert_int_equal(l.items[0].fields[1].i, -2);
        alert_list_free(&l);

        /* A list that is a prefix of another sorts first. */
        sort_pair_by_second_field(&l, flip, set_texts_field);
        assert_int_equal(l.items[0].fields[1].ntexts, 1);
        alert_list_free(&l);
    }
}

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_shuffled_input_same_order(void **state)
{
    (void)state;
    static const char *const types[] = {"PotentialBeaconing", "SuspiciousDynamicDNS",
                                        "PotentialFastFluxActivity"};
    static const char *const names[] = {"", "Multiple", "host-a", "host-b", "Host-a"};
    static const char *const ips[] = {"", "198.51.100.7", "198.51.100.70", "203.0.113.5"};
    enum { N = 200 };
    alert_spec specs[N];
    char ids[N][16];

    /* Many alerts share timestamps and leading keys, so every tie-break is used.
       The device id makes each alert distinct. */
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof(ids[i]), "dev-%03d", i);
        specs[i] = (alert_spec){
            .timestamp = (ih_time)(next_random(&seed) % 3) * HOUR,
            .type = types[next_random(&seed) % 3],
            .device = names[next_random(&seed) % 5],
            .ip = ips[next_random(&seed) % 4],
            .url = next_random(&seed) % 2 ? "x.duckdns.org" : "",
            .count = next_random(&seed) % 3,
            .device_id = ids[i],
        };
    }

    char reference[N][256];
    for (int round = 0; round < 20; round++) {
        /* Fisher-Yates shuffle of the specs, then sort. */
        for (int i = N - 1; i > 0; i--) {
            int j = (int)(next_random(&seed) % (uint64_t)(i + 1));
            alert_spec t = specs[i];
            specs[i] = specs[j];
            specs[j] = t;
        }
        ih_alert_list l = {0};
        for (int i = 0; i < N; i++)
            add_alert(&l, &specs[i]);
        alert_list_sort(&l);
        for (int i = 0; i < N; i++) {
            char line[256];
            describe(&l.items[i], line, sizeof(line));
            if (round == 0)
                strcpy(reference[i], line);
            else
                assert_string_equal(line, reference[i]);
        }
        /* Timestamps never increase along the list. */
        for (int i = 1; i < N; i++)
            assert_true(l.items[i - 1].timestamp >= l.items[i].timestamp);
        alert_list_free(&l);
    }
}

static void test_list_add_defaults(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    ih_alert *a = alert_list_add(&l);

    assert_non_null(a);
    assert_int_equal(a->bytes_sent, ALERT_BYTES_NULL);
    assert_int_equal(a->bytes_received, ALERT_BYTES_NULL);
    assert_int_equal(a->nfields, 0);
    assert_null(a->device_name);
    alert_list_free(&l);
    assert_null(l.items);
    assert_int_equal(l.count, 0);
}

static void test_list_grows(void **state)
{
    (void)state;
    ih_alert_list l = {0};

    for (int i = 0; i < 1000; i++) {
        ih_alert *a = alert_list_add(&l);
        assert_non_null(a);
        a->connection_count = (uint64_t)i;
    }
    assert_int_equal(l.count, 1000);
    assert_int_equal(l.items[999].connection_count, 999);
    alert_list_free(&l);
}

static void test_field_setters(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    ih_alert *a = alert_list_add(&l);
    char name[] = "proc.exe";
    ih_str list[] = {{name, 8}, {"", 0}};

    assert_int_equal(alert_add_int(a, "I", -5), 0);
    assert_int_equal(alert_add_double(a, "D", 0.25), 0);
    assert_int_equal(alert_add_text(a, "T", text("value")), 0);
    assert_int_equal(alert_add_time(a, "W", 7), 0);
    assert_int_equal(alert_add_texts(a, "L", list, 2), 0);
    assert_int_equal(alert_set_strings(&a->sample_processes, &a->nsample_processes, list, 2), 0);
    name[0] = 'X'; /* the setters made copies, so this changes no alert */

    assert_int_equal(a->nfields, 5);
    assert_int_equal(a->fields[0].kind, ALERT_INT);
    assert_int_equal(a->fields[0].i, -5);
    assert_int_equal(a->fields[1].kind, ALERT_DOUBLE);
    assert_true(a->fields[1].d == 0.25);
    assert_string_equal(a->fields[2].text, "value");
    assert_int_equal(a->fields[3].kind, ALERT_TIME);
    assert_int_equal(a->fields[3].i, 7);
    assert_int_equal(a->fields[4].ntexts, 2);
    assert_string_equal(a->fields[4].texts[0], "proc.exe");
    assert_string_equal(a->fields[4].texts[1], "");
    assert_int_equal(a->nsample_processes, 2);
    assert_string_equal(a->sample_processes[0], "proc.exe");
    alert_list_free(&l);
}

static void test_field_limit(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    ih_alert *a = alert_list_add(&l);

    for (int i = 0; i < ALERT_MAX_FIELDS; i++)
        assert_int_equal(alert_add_int(a, "F", i), 0);
    assert_int_equal(alert_add_int(a, "F", 99), -1);
    assert_int_equal(alert_add_text(a, "F", text("x")), -1);
    assert_int_equal(a->nfields, ALERT_MAX_FIELDS);
    alert_list_free(&l);
}

static void test_strdup_embedded_view(void **state)
{
    (void)state;
    char *s = alert_strdup((ih_str){"abcdef", 3});

    assert_string_equal(s, "abc");
    free(s);
    s = alert_strdup((ih_str){NULL, 0});
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newest_first),
        cmocka_unit_test(test_tie_alert_type),
        cmocka_unit_test(test_tie_device_name),
        cmocka_unit_test(test_tie_device_name_bytewise),
        cmocka_unit_test(test_tie_remote_ip),
        cmocka_unit_test(test_tie_remote_url),
        cmocka_unit_test(test_tie_connection_count),
        cmocka_unit_test(test_tie_extra_field),
        cmocka_unit_test(test_tie_fewer_fields_first),
        cmocka_unit_test(test_tie_field_kinds),
        cmocka_unit_test(test_shuffled_input_same_order),
        cmocka_unit_test(test_list_add_defaults),
        cmocka_unit_test(test_list_grows),
        cmocka_unit_test(test_field_setters),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_strdup_embedded_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
