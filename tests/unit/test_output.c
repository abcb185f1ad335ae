/*
 * Unit tests of the writers: JSON string escaping, the JSON lines alert
 * output (parsed back with jansson), CSV quoting and formula-injection
 * prefixes, terminal escaping in the table, and the events writer's nulls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/output/output.h"

/* Runs output_json_string() into memory and returns the text, which the caller frees. */
static char *json_string_of(const char *s, size_t len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    output_json_string(f, s, len);
    fclose(f);
    return buf;
}

static char *alerts_text(output_format format, const ih_alert_list *l)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(output_alerts(f, format, l), 0);
    fclose(f);
    return buf;
}

static void assert_json_string(const char *in, size_t len, const char *want)
{
    char *got = json_string_of(in, len);
    assert_string_equal(got, want);
    free(got);
}

#define ASSERT_JSON(lit, want) assert_json_string((lit), sizeof(lit) - 1, (want))

/* True when s[0..len) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 2, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n > len)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

static ih_str text(const char *s)
{
    return (ih_str){s, strlen(s)};
}

/* A beaconing alert with every column set, as the seed detector writes one. */
static void add_beacon(ih_alert_list *l, const char *device, const char *url)
{
    ih_alert *a = alert_list_add(l);
    assert_non_null(a);
    a->timestamp = INT64_C(1713531600) * IH_NS_PER_SEC + 500000000;
    a->alert_type = "PotentialBeaconing";
    a->device_name = alert_strdup(text(device));
    a->remote_ip = alert_strdup(text("203.0.113.5"));
    a->remote_url = alert_strdup(text(url));
    a->connection_count = 42;
    a->bytes_sent = 5000;
    const ih_str procs[] = {text("powershell.exe"), text("")};
    assert_int_equal(alert_set_strings(&a->sample_processes, &a->nsample_processes, procs, 2), 0);
    assert_int_equal(alert_add_text(a, "DeviceId", text("dev-1")), 0);
    assert_int_equal(alert_add_time(a, "FirstSeen", INT64_C(1713524400) * IH_NS_PER_SEC), 0);
    assert_int_equal(alert_add_int(a, "DurationHours", 2), 0);
    assert_int_equal(alert_add_double(a, "Score", 0.25), 0);
}

static void test_json_plain_and_quotes(void **state)
{
    (void)state;
    ASSERT_JSON("", "\"\"");
    ASSERT_JSON("abc", "\"abc\"");
    ASSERT_JSON("a\"b", "\"a\\\"b\"");
    ASSERT_JSON("a\\b", "\"a\\\\b\"");
    ASSERT_JSON("/", "\"/\"");
}

static void test_json_control_chars(void **state)
{
    (void)state;
    ASSERT_JSON("\n", "\"\\n\"");
    ASSERT_JSON("\r", "\"\\r\"");
    ASSERT_JSON("\t", "\"\\t\"");
    ASSERT_JSON("\x01", "\"\\u0001\"");
    ASSERT_JSON("\x1b[31m", "\"\\u001b[31m\"");
    ASSERT_JSON("\x1f", "\"\\u001f\"");
    ASSERT_JSON("\x7f", "\"\\u007f\"");
    ASSERT_JSON("a\0b", "\"a\\u0000b\"");
}

static void test_json_valid_utf8_kept(void **state)
{
    (void)state;
    ASSERT_JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"");             /* 2 bytes, U+00E9 */
    ASSERT_JSON("\xe2\x82\xac", "\"\xe2\x82\xac\"");           /* 3 bytes, U+20AC */
    ASSERT_JSON("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");   /* 4 bytes, U+1F600 */
    ASSERT_JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");   /* U+10FFFF, the last */
    ASSERT_JSON("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");           /* U+FFFD itself */
}

static void test_json_invalid_utf8_replaced(void **state)
{
    (void)state;
    ASSERT_JSON("\xff", "\"\\ufffd\"");
    ASSERT_JSON("a\x80z", "\"a\\ufffdz\"");
    /* A lead byte without its continuation, at the end and before ASCII. */
    ASSERT_JSON("\xc3", "\"\\ufffd\"");
    ASSERT_JSON("\xc3z", "\"\\ufffdz\"");
    ASSERT_JSON("\xe2\x82", "\"\\ufffd\\ufffd\"");
    /* Overlong forms of '/' and of U+0000. */
    ASSERT_JSON("\xc0\xaf", "\"\\ufffd\\ufffd\"");
    ASSERT_JSON("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
    ASSERT_JSON("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    /* A UTF-16 surrogate encoded as UTF-8 (CESU-8). */
    ASSERT_JSON("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
    /* Past U+10FFFF. */
    ASSERT_JSON("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_json_length_not_nul(void **state)
{
    (void)state;
    assert_json_string("abcdef", 3, "\"abc\"");
}

static void test_jsonl_parses_with_keys(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    add_beacon(&l, "host\"1\\\n\x01\xff", "c2.example");
    char *out = alerts_text(OUTPUT_JSONL, &l);

    json_error_t err;
    json_t *obj = json_loads(out, JSON_REJECT_DUPLICATES, &err);
    if (!obj)
        fail_msg("invalid JSON at column %d: %s\n%s", err.column, err.text, out);
    assert_true(json_is_object(obj));
    assert_string_equal(json_string_value(json_object_get(obj, "Timestamp")),
                        "2024-04-19T13:00:00.500Z");
    assert_string_equal(json_string_value(json_object_get(obj, "DeviceName")),
                        "host\"1\\\n\x01\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(obj, "RemoteIP")), "203.0.113.5");
    assert_string_equal(json_string_value(json_object_get(obj, "RemoteUrl")), "c2.example");
    assert_string_equal(json_string_value(json_object_get(obj, "AlertType")),
                        "PotentialBeaconing");
    assert_int_equal(json_integer_value(json_object_get(obj, "ConnectionCount")), 42);
    assert_int_equal(json_integer_value(json_object_get(obj, "BytesSent")), 5000);
    assert_true(json_is_null(json_object_get(obj, "BytesReceived")));
    json_t *procs = json_object_get(obj, "SampleProcesses");
    assert_true(json_is_array(procs));
    assert_int_equal(json_array_size(procs), 2);
    assert_string_equal(json_string_value(json_array_get(procs, 0)), "powershell.exe");
    assert_string_equal(json_string_value(json_array_get(procs, 1)), "");
    assert_string_equal(json_string_value(json_object_get(obj, "DeviceId")), "dev-1");
    assert_string_equal(json_string_value(json_object_get(obj, "FirstSeen")),
                        "2024-04-19T11:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(obj, "DurationHours")), 2);
    assert_true(json_real_value(json_object_get(obj, "Score")) == 0.25);
    assert_int_equal(json_object_size(obj), 13);
    json_decref(obj);
    free(out);
    alert_list_free(&l);
}

static void test_jsonl_key_order(void **state)
{
    (void)state;
    static const char *const keys[] = {"\"Timestamp\":",     "\"DeviceName\":",
                                       "\"RemoteIP\":",      "\"RemoteUrl\":",
                                       "\"AlertType\":",     "\"ConnectionCount\":",
                                       "\"BytesSent\":",     "\"BytesReceived\":",
                                       "\"SampleProcesses\":", "\"DeviceId\":",
                                       "\"FirstSeen\":",     "\"DurationHours\":"};
    ih_alert_list l = {0};
    add_beacon(&l, "host", "c2.example");
    char *out = alerts_text(OUTPUT_JSONL, &l);

    const char *at = out;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *p = strstr(out, keys[i]);
        if (!p || p < at)
            fail_msg("key %s missing or out of order in %s", keys[i], out);
        at = p;
    }
    free(out);
    alert_list_free(&l);
}

static void test_jsonl_one_line_per_alert(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    add_beacon(&l, "a\nb", "one");
    add_beacon(&l, "c", "two");
    char *out = alerts_text(OUTPUT_JSONL, &l);

    size_t lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t err;
        json_t *obj = json_loads(line, 0, &err);
        if (!obj)
            fail_msg("line %zu is not JSON: %s", lines + 1, err.text);
        json_decref(obj);
        lines++;
    }
    assert_int_equal(lines, 2);
    free(out);
    alert_list_free(&l);
}

static void test_jsonl_empty_list(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    char *out = alerts_text(OUTPUT_JSONL, &l);

    assert_string_equal(out, "");
    free(out);
}

static void test_csv_header_and_row(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    add_beacon(&l, "host", "c2.example");
    char *out = alerts_text(OUTPUT_CSV, &l);

    assert_string_equal(
        out, "Timestamp,DeviceName,RemoteIP,RemoteUrl,AlertType,ConnectionCount,BytesSent,"
             "BytesReceived,SampleProcesses,Details\n"
             "2024-04-19T13:00:00.500Z,\"host\",\"203.0.113.5\",\"c2.example\","
             "PotentialBeaconing,42,5000,,\"[\"\"powershell.exe\"\",\"\"\"\"]\","
             "\"{\"\"DeviceId\"\":\"\"dev-1\"\",\"\"FirstSeen\"\":\"\"2024-04-19T11:00:00Z\"\","
             "\"\"DurationHours\"\":2,\"\"Score\"\":0.25}\"\n");
    free(out);
    alert_list_free(&l);
}

/* The DeviceName cell of the first CSV row for a given device name. */
static char *csv_device_cell(const char *device)
{
    ih_alert_list l = {0};
    add_beacon(&l, device, "u");
    char *out = alerts_text(OUTPUT_CSV, &l);
    alert_list_free(&l);

    /* The row starts after the header, and the cell after the row's first comma. */
    char *row = strchr(out, '\n') + 1;
    char *cell = strchr(row, ',') + 1;
    char *end = strstr(cell, ",\"203.0.113.5\"");
    assert_non_null(end);
    char *copy = strndup(cell, (size_t)(end - cell));
    free(out);
    return copy;
}

static void assert_csv_cell(const char *device, const char *want)
{
    char *cell = csv_device_cell(device);
    assert_string_equal(cell, want);
    free(cell);
}

static void test_csv_formula_prefix(void **state)
{
    (void)state;
    assert_csv_cell("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"");
    assert_csv_cell("+1", "\"'+1\"");
    assert_csv_cell("-1", "\"'-1\"");
    assert_csv_cell("@SUM(A1)", "\"'@SUM(A1)\"");
    assert_csv_cell("\tx", "\"'\tx\"");
    assert_csv_cell("\rx", "\"'\rx\"");
    /* Only a leading character starts a formula. */
    assert_csv_cell("a=b", "\"a=b\"");
    assert_csv_cell("", "\"\"");
}

static void test_csv_quoting(void **state)
{
    (void)state;
    assert_csv_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
    assert_csv_cell("a,b", "\"a,b\"");
    assert_csv_cell("two\nlines", "\"two\nlines\"");
    assert_csv_cell("=\"quoted\"", "\"'=\"\"quoted\"\"\"");
}

static void test_csv_null_bytes_empty(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    ih_alert *a = alert_list_add(&l);
    a->alert_type = "SuspiciousDynamicDNS";
    a->bytes_sent = 0;
    char *out = alerts_text(OUTPUT_CSV, &l);

    /* Sent is 0, received is null and written as an empty cell. */
    assert_non_null(strstr(out, ",SuspiciousDynamicDNS,0,0,,\"[]\",\"{}\"\n"));
    free(out);
    alert_list_free(&l);
}

static void test_table_escapes_controls(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    add_beacon(&l, "ev\x1b[2Jil", "bell\x07");
    char *out = alerts_text(OUTPUT_TABLE, &l);

    assert_null(strchr(out, '\x1b'));
    assert_null(strchr(out, '\x07'));
    assert_non_null(strstr(out, "ev\\x1b[2Jil"));
    assert_non_null(strstr(out, "bell\\x07"));
    assert_non_null(strstr(out, "1 alert\n"));
    free(out);
    alert_list_free(&l);
}

static void test_table_newline_in_name(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    add_beacon(&l, "two\nlines", "u");
    char *out = alerts_text(OUTPUT_TABLE, &l);

    /* Header, one row, and the count: a name cannot add a line. */
    size_t lines = 0;
    for (const char *p = out; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 3);
    assert_non_null(strstr(out, "two\\x0alines"));
    free(out);
    alert_list_free(&l);
}

static void test_table_truncation_keeps_utf8(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    char name[64] = "";
    for (int i = 0; i < 25; i++)
        strcat(name, "\xc3\xa9"); /* 25 times U+00E9, wider than the 20-column cell */
    add_beacon(&l, name, "u");
    char *out = alerts_text(OUTPUT_TABLE, &l);

    assert_true(valid_utf8((const unsigned char *)out, strlen(out)));
    assert_non_null(strstr(out, "\xe2\x80\xa6")); /* the ellipsis that marks the cut */
    free(out);
    alert_list_free(&l);
}

static void test_table_empty(void **state)
{
    (void)state;
    ih_alert_list l = {0};
    char *out = alerts_text(OUTPUT_TABLE, &l);

    assert_non_null(strstr(out, "Timestamp"));
    assert_non_null(strstr(out, "0 alerts\n"));
    free(out);
}

static void test_format_names(void **state)
{
    (void)state;
    output_format f;

    assert_int_equal(output_format_parse("table", &f), 0);
    assert_int_equal(f, OUTPUT_TABLE);
    assert_int_equal(output_format_parse("jsonl", &f), 0);
    assert_int_equal(f, OUTPUT_JSONL);
    assert_int_equal(output_format_parse("csv", &f), 0);
    assert_int_equal(f, OUTPUT_CSV);
    assert_int_equal(output_format_parse("xml", &f), -1);
    assert_int_equal(output_format_parse("", &f), -1);
    assert_int_equal(output_format_parse("CSV", &f), -1);
}

static void test_events_conn_nulls(void **state)
{
    (void)state;
    ih_conn c;
    ih_conn_init(&c);
    c.time = INT64_C(1713531600) * IH_NS_PER_SEC;
    c.device_name = text("ws\x01");
    ih_origin o = {"in.jsonl", "sysmon-json", 3, 99};

    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    output_conn_json(f, &c, &o);
    fclose(f);

    json_error_t err;
    json_t *obj = json_loads(buf, JSON_REJECT_DUPLICATES, &err);
    if (!obj)
        fail_msg("invalid JSON: %s\n%s", err.text, buf);
    assert_string_equal(json_string_value(json_object_get(obj, "kind")), "conn");
    assert_string_equal(json_string_value(json_object_get(obj, "time")), "2024-04-19T13:00:00Z");
    assert_string_equal(json_string_value(json_object_get(obj, "file")), "in.jsonl");
    assert_int_equal(json_integer_value(json_object_get(obj, "line")), 3);
    assert_int_equal(json_integer_value(json_object_get(obj, "offset")), 99);
    assert_string_equal(json_string_value(json_object_get(obj, "device_name")), "ws\x01");
    /* Unknown is null, never 0 or "". */
    assert_true(json_is_null(json_object_get(obj, "device_id")));
    assert_true(json_is_null(json_object_get(obj, "remote_ip")));
    assert_true(json_is_null(json_object_get(obj, "remote_port")));
    assert_true(json_is_null(json_object_get(obj, "process_id")));
    assert_true(json_is_null(json_object_get(obj, "bytes_sent")));
    assert_true(json_is_null(json_object_get(obj, "bytes_received")));
    assert_true(json_is_null(json_object_get(obj, "remote_name")));
    json_decref(obj);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_plain_and_quotes),
        cmocka_unit_test(test_json_control_chars),
        cmocka_unit_test(test_json_valid_utf8_kept),
        cmocka_unit_test(test_json_invalid_utf8_replaced),
        cmocka_unit_test(test_json_length_not_nul),
        cmocka_unit_test(test_jsonl_parses_with_keys),
        cmocka_unit_test(test_jsonl_key_order),
        cmocka_unit_test(test_jsonl_one_line_per_alert),
        cmocka_unit_test(test_jsonl_empty_list),
        cmocka_unit_test(test_csv_header_and_row),
        cmocka_unit_test(test_csv_formula_prefix),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_null_bytes_empty),
        cmocka_unit_test(test_table_escapes_controls),
        cmocka_unit_test(test_table_newline_in_name),
        cmocka_unit_test(test_table_truncation_keeps_utf8),
        cmocka_unit_test(test_table_empty),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_events_conn_nulls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
