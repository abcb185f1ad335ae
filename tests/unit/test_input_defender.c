/*
 * Tests of the Defender DeviceNetworkEvents readers (advanced hunting JSON,
 * streaming records and the portal's CSV export) and of the CSV field
 * splitter. The fixture tests/unit/data/defender_from_sysmon.jsonl is read
 * back and compared with the Sysmon reader's events for the real records it
 * came from. The real data is looked up in $INFRAHUNT_DATA, by default
 * ../shared/data from the repository root, and the comparison is skipped
 * with a message when it is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/event/addr.h"
#include "../../src/event/timeutil.h"
#include "../../src/input/csv.h"
#include "../../src/input/input.h"

/* --- A sink that keeps copies of the events --- */

typedef struct capture {
    ih_sink sink;
    ih_conn *conns;
    uint64_t *lines; /* origin line of each connection */
    size_t nconns, cap;
    size_t ndnss;
} capture;

static ih_str dup_str(ih_str s)
{
    if (!s.ptr)
        return s;
    char *p = malloc(s.len + 1);
    assert_non_null(p);
    memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return (ih_str){p, s.len};
}

static int capture_conn(ih_sink *sink, const ih_conn *c, const ih_origin *o)
{
    capture *cap = sink->ctx;

    if (cap->nconns == cap->cap) {
        cap->cap = cap->cap ? cap->cap * 2 : 16;
        cap->conns = realloc(cap->conns, cap->cap * sizeof(*cap->conns));
        cap->lines = realloc(cap->lines, cap->cap * sizeof(*cap->lines));
        assert_non_null(cap->conns);
        assert_non_null(cap->lines);
    }
    cap->lines[cap->nconns] = o->line;
    ih_conn *k = &cap->conns[cap->nconns++];
    *k = *c;
    k->device_id = dup_str(c->device_id);
    k->device_name = dup_str(c->device_name);
    k->process_name = dup_str(c->process_name);
    k->process_path = dup_str(c->process_path);
    k->user = dup_str(c->user);
    k->remote_ip_text = dup_str(c->remote_ip_text);
    k->action_name = dup_str(c->action_name);
    k->remote_name = dup_str(c->remote_name);
    return 0;
}

static int capture_dns(ih_sink *sink, const ih_dns *d, const ih_origin *o)
{
    capture *cap = sink->ctx;
    (void)d;
    (void)o;
    cap->ndnss++;
    return 0;
}

static void capture_clear(capture *cap)
{
    for (size_t i = 0; i < cap->nconns; i++) {
        ih_conn *c = &cap->conns[i];
        free((char *)c->device_id.ptr);
        free((char *)c->device_name.ptr);
        free((char *)c->process_name.ptr);
        free((char *)c->process_path.ptr);
        free((char *)c->user.ptr);
        free((char *)c->remote_ip_text.ptr);
        free((char *)c->action_name.ptr);
        free((char *)c->remote_name.ptr);
    }
    cap->nconns = cap->ndnss = 0;
}

/* --- Harness: a reader context, its diagnostics and a capture --- */

typedef struct harness {
    ih_diag diag;
    ih_read_ctx ctx;
    capture cap;
} harness;

static int setup(void **state)
{
    harness *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    h->cap.sink = (ih_sink){capture_conn, capture_dns, &h->cap};
    ih_diag_init(&h->diag, false);
    ih_read_ctx_init(&h->ctx, &h->cap.sink, &h->diag);
    h->ctx.origin.file = "test";
    h->ctx.origin.format = "json";
    h->ctx.origin.line = 1;
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    harness *h = *state;
    ih_read_ctx_free(&h->ctx);
    ih_diag_free(&h->diag);
    capture_clear(&h->cap);
    free(h->cap.conns);
    free(h->cap.lines);
    free(h);
    return 0;
}

/* Parses text as the JSON lines reader does and hands it to layout. */
static int feed_json(harness *h, const ih_json_layout *layout, const char *text)
{
    json_error err;

    ih_read_reset(&h->ctx);
    h->ctx.origin.format = "json";
    if (json_parse(&h->ctx.json, text, strlen(text), &err) != 0)
        fail_msg("test JSON does not parse at byte %zu: %s", err.offset, err.reason);
    if (!layout->match(&h->ctx.json, 0))
        fail_msg("layout %s does not match %s", layout->name, text);
    int rc = layout->record(&h->ctx.json, 0, &h->ctx);
    h->ctx.origin.line++;
    return rc;
}

/* Feeds lines to the CSV reader as the framework does: one call per line, then close. */
static void feed_csv(harness *h, const char *const *lines, size_t n)
{
    void *st = ih_reader_defender_csv.open(&h->ctx);
    assert_non_null(st);
    for (size_t i = 0; i < n; i++) {
        h->ctx.origin.line = i + 1;
        h->ctx.origin.offset = i * 100; /* any increasing value */
        h->ctx.origin.format = ih_reader_defender_csv.name;
        ih_read_reset(&h->ctx);
        assert_true(ih_reader_defender_csv.line(st, lines[i], strlen(lines[i]), &h->ctx) >= 0);
    }
    ih_reader_defender_csv.close(st, &h->ctx);
}

static void clear_messages(harness *h)
{
    for (size_t i = 0; i < h->diag.nmsgs; i++) {
        free(h->diag.msgs[i].file);
        free(h->diag.msgs[i].text);
    }
    h->diag.nmsgs = 0;
}

/* The single kept message, checked to start with reason and show value. */
static void expect_message(harness *h, const char *reason, const char *value)
{
    assert_int_equal(h->diag.nmsgs, 1);
    const char *msg = h->diag.msgs[0].text;
    if (strncmp(msg, reason, strlen(reason)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", msg, reason);
    if (!strstr(msg, value))
        fail_msg("message \"%s\" does not show %s", msg, value);
}

/* Feeds a JSON record that must be reported as bad. */
static void expect_bad_json(harness *h, const char *text, const char *reason, const char *value)
{
    uint64_t errors = h->diag.errors;
    size_t conns = h->cap.nconns;

    clear_messages(h);
    assert_int_equal(feed_json(h, &ih_layout_defender, text), 1);
    assert_int_equal(h->diag.errors, errors + 1);
    assert_int_equal(h->cap.nconns, conns);
    expect_message(h, reason, value);
}

static uint64_t counter(const ih_counter *list, size_t n, const char *source, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].source, source) == 0 && strcmp(list[i].name, name) == 0)
            return list[i].count;
    return 0;
}

static void assert_str(ih_str s, const char *expected)
{
    if (!expected) {
        if (s.ptr)
            fail_msg("expected unknown, got \"%.*s\"", (int)s.len, s.ptr);
        return;
    }
    if (!s.ptr)
        fail_msg("expected \"%s\", got unknown", expected);
    if (s.len != strlen(expected) || memcmp(s.ptr, expected, s.len) != 0)
        fail_msg("expected \"%s\", got \"%.*s\"", expected, (int)s.len, s.ptr);
}

static void assert_addr(const ih_addr *a, const char *expected)
{
    char text[IH_ADDR_TEXT_MAX];
    ih_addr_format(a, text);
    assert_string_equal(text, expected);
}

static ih_time utc(const char *iso)
{
    ih_time t;
    assert_int_equal(ih_time_parse_iso(iso, strlen(iso), &t), 0);
    return t;
}

/* --- Advanced hunting JSON --- */

static const char full_row[] =
    "{\"Timestamp\":\"2024-05-01T10:23:45.1234567Z\","
    "\"DeviceId\":\"b2092666b3df1da833f14e959842b40bdb90e392\","
    "\"DeviceName\":\"ws-0142.corp.example\",\"ActionType\":\"ConnectionSuccess\","
    "\"RemoteIP\":\"203.0.113.7\",\"RemotePort\":443,\"RemoteUrl\":\"evil.duckdns.org\","
    "\"LocalIP\":\"10.0.0.5\",\"LocalPort\":51697,\"Protocol\":\"Tcp\","
    "\"LocalIPType\":\"Private\",\"RemoteIPType\":\"Public\","
    "\"InitiatingProcessFileName\":\"powershell.exe\","
    "\"InitiatingProcessFolderPath\":"
    "\"c:\\\\windows\\\\system32\\\\windowspowershell\\\\v1.0\\\\powershell.exe\","
    "\"InitiatingProcessId\":7756,\"InitiatingProcessAccountDomain\":\"corp\","
    "\"InitiatingProcessAccountName\":\"jdoe\",\"InitiatingProcessCommandLine\":\"x\","
    "\"AdditionalFields\":{\"a\":[1,2]},\"ReportId\":15554}";

static void json_full_row(void **state)
{
    harness *h = *state;

    assert_int_equal(feed_json(h, &ih_layout_defender, full_row), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    /* Seven fraction digits are kept to the 100 ns Defender writes. */
    assert_true(c->time == utc("2024-05-01T10:23:45Z") + 123456700);
    assert_str(c->device_id, "b2092666b3df1da833f14e959842b40bdb90e392");
    assert_str(c->device_name, "ws-0142.corp.example");
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
    assert_str(c->action_name, "ConnectionSuccess");
    assert_int_equal(c->direction, IH_DIR_OUTBOUND);
    assert_addr(&c->remote_addr, "203.0.113.7");
    assert_str(c->remote_ip_text, "203.0.113.7");
    assert_int_equal(c->remote_port, 443);
    assert_str(c->remote_name, "evil.duckdns.org");
    assert_addr(&c->local_addr, "10.0.0.5");
    assert_int_equal(c->local_port, 51697);
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_str(c->process_name, "powershell.exe");
    assert_str(c->process_path, "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe");
    assert_int_equal(c->process_id, 7756);
    assert_str(c->user, "corp\\jdoe");
    assert_true(c->bytes_sent == IH_UNKNOWN_BYTES);
    assert_true(c->bytes_received == IH_UNKNOWN_BYTES);
    ih_read_ctx_flush(&h->ctx);
    assert_int_equal(counter(h->diag.read, h->diag.nread, "defender-json", "records"), 1);
    assert_int_equal(counter(h->diag.events, h->diag.nevents, "defender-json", "conn"), 1);
}

static void json_numbers_as_strings(void **state)
{
    harness *h = *state;
    const char *rec = "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"DeviceName\":\"ws\","
                      "\"ActionType\":\"ConnectionAttempt\",\"RemoteIP\":\"198.51.100.1\","
                      "\"RemotePort\":\"8080\","
                      "\"LocalPort\":\"0\",\"InitiatingProcessId\":\"4\"}";

    assert_int_equal(feed_json(h, &ih_layout_defender, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_int_equal(c->remote_port, 8080);
    assert_int_equal(c->local_port, 0);
    assert_int_equal(c->process_id, 4);
    assert_int_equal(c->action, IH_ACTION_ATTEMPT);
    /* Without a DeviceId column the device name is used as the id. */
    assert_str(c->device_id, "ws");
    assert_str(c->user, NULL);
    assert_int_equal(c->protocol, IH_PROTO_UNKNOWN);
}

static void json_action_types(void **state)
{
    harness *h = *state;
    static const struct {
        const char *type;
        int action, direction;
    } cases[] = {
        {"ConnectionSuccess", IH_ACTION_SUCCESS, IH_DIR_OUTBOUND},
        {"ConnectionAttempt", IH_ACTION_ATTEMPT, IH_DIR_OUTBOUND},
        {"ConnectionFailed", IH_ACTION_FAILED, IH_DIR_OUTBOUND},
        {"InboundConnectionAccepted", IH_ACTION_INBOUND, IH_DIR_INBOUND},
        {"ListeningConnectionCreated", IH_ACTION_LISTENING, IH_DIR_UNKNOWN},
        {"DnsConnectionInspected", IH_ACTION_OTHER, IH_DIR_UNKNOWN},
        {"connectionsuccess", IH_ACTION_OTHER, IH_DIR_UNKNOWN}, /* compared exactly, as KQL == */
    };
    char rec[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(rec, sizeof(rec),
                 "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"%s\","
                 "\"RemoteIP\":\"198.51.100.1\"}",
                 cases[i].type);
        assert_int_equal(feed_json(h, &ih_layout_defender, rec), 1);
        assert_int_equal(h->cap.nconns, i + 1);
        assert_int_equal(h->cap.conns[i].action, cases[i].action);
        assert_int_equal(h->cap.conns[i].direction, cases[i].direction);
        assert_str(h->cap.conns[i].action_name, cases[i].type);
    }
    assert_int_equal(h->diag.errors, 0);
}

static void json_remote_ip_kept_as_text(void **state)
{
    harness *h = *state;
    static const struct {
        const char *ip, *canonical;
    } cases[] = {
        {"not-an-ip", ""},
        {"", ""},
        {"::ffff:203.0.113.9", "::ffff:203.0.113.9"}, /* Defender's FourToSixMapping stays IPv6 */
        {"2001:0db8::0001", "2001:db8::1"},
    };
    char rec[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(rec, sizeof(rec),
                 "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
                 "\"RemoteIP\":\"%s\",\"LocalIP\":\"junk\"}",
                 cases[i].ip);
        assert_int_equal(feed_json(h, &ih_layout_defender, rec), 1);
        assert_int_equal(h->cap.nconns, i + 1);
        assert_str(h->cap.conns[i].remote_ip_text, cases[i].ip);
        assert_addr(&h->cap.conns[i].remote_addr, cases[i].canonical);
        assert_int_equal(h->cap.conns[i].local_addr.family, IH_AF_NONE);
    }
    assert_int_equal(h->cap.conns[0].remote_addr.family, IH_AF_NONE);
    assert_int_equal(h->diag.errors, 0);
}

static void json_remote_url_empty_null_absent(void **state)
{
    harness *h = *state;

    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"RemoteIP\":\"198.51.100.1\",\"RemoteUrl\":\"\"}");
    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"RemoteIP\":\"198.51.100.1\",\"RemoteUrl\":null}");
    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"RemoteIP\":\"198.51.100.1\"}");
    assert_int_equal(h->cap.nconns, 3);
    assert_str(h->cap.conns[0].remote_name, "");
    assert_str(h->cap.conns[1].remote_name, NULL);
    assert_str(h->cap.conns[2].remote_name, NULL);
}

/* The reference rule sums SentBytes and ReceivedBytes, so test rows may carry them. */
static void json_sent_and_received_bytes(void **state)
{
    harness *h = *state;

    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"RemoteIP\":\"198.51.100.1\",\"SentBytes\":1500,\"ReceivedBytes\":\"320\"}");
    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"RemoteIP\":\"198.51.100.1\",\"SentBytes\":0,\"ReceivedBytes\":null}");
    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"RemoteIP\":\"198.51.100.1\",\"SentBytes\":\"\","
              "\"ReceivedBytes\":18446744073709551614}");
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 3);
    assert_true(h->cap.conns[0].bytes_sent == 1500);
    assert_true(h->cap.conns[0].bytes_received == 320);
    assert_true(h->cap.conns[1].bytes_sent == 0); /* a known zero, not unknown */
    assert_true(h->cap.conns[1].bytes_received == IH_UNKNOWN_BYTES);
    assert_true(h->cap.conns[2].bytes_sent == IH_UNKNOWN_BYTES);
    assert_true(h->cap.conns[2].bytes_received == UINT64_MAX - 1);
}

static void json_protocols(void **state)
{
    harness *h = *state;
    static const struct {
        const char *name;
        int protocol;
    } cases[] = {
        {"Tcp", IH_PROTO_TCP},   {"Udp", IH_PROTO_UDP},   {"Icmp", IH_PROTO_ICMP},
        {"TcpV6", IH_PROTO_TCP}, {"UdpV4", IH_PROTO_UDP}, {"Sctp", IH_PROTO_OTHER},
        {"", IH_PROTO_UNKNOWN},
    };
    char rec[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(rec, sizeof(rec),
                 "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
                 "\"DeviceName\":\"ws\",\"Protocol\":\"%s\"}",
                 cases[i].name);
        feed_json(h, &ih_layout_defender, rec);
        assert_int_equal(h->cap.nconns, i + 1);
        assert_int_equal(h->cap.conns[i].protocol, cases[i].protocol);
    }
}

static void json_user_from_account_columns(void **state)
{
    harness *h = *state;

    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"DeviceName\":\"ws\",\"InitiatingProcessAccountName\":\"system\","
              "\"InitiatingProcessAccountDomain\":\"\"}");
    feed_json(h, &ih_layout_defender,
              "{\"Timestamp\":\"2024-05-01T10:23:45Z\",\"ActionType\":\"ConnectionSuccess\","
              "\"DeviceName\":\"ws\",\"InitiatingProcessAccountName\":\"\","
              "\"InitiatingProcessAccountDomain\":\"corp\"}");
    assert_int_equal(h->cap.nconns, 2);
    assert_str(h->cap.conns[0].user, "system");
    assert_str(h->cap.conns[1].user, NULL);
}

static void json_bad_values_are_reported(void **state)
{
    harness *h = *state;

#define ROW(extra) "{\"ActionType\":\"ConnectionSuccess\",\"RemoteIP\":\"198.51.100.1\"," extra "}"
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-02-30T10:23:45Z\""), "invalid Timestamp",
                    "\"2024-02-30T10:23:45Z\"");
    expect_bad_json(h, ROW("\"Timestamp\":\"5/1/2024 10:23:45 AM\""), "invalid Timestamp",
                    "\"5/1/2024 10:23:45 AM\"");
    expect_bad_json(h, ROW("\"Timestamp\":1714558925"), "invalid Timestamp", "1714558925");
    expect_bad_json(h, ROW("\"DeviceName\":\"ws\""), "missing Timestamp", "Timestamp");
    expect_bad_json(h, ROW("\"Timestamp\":null"), "missing Timestamp", "Timestamp");
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\",\"RemotePort\":70000"),
                    "invalid RemotePort", "70000");
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\",\"RemotePort\":-1"),
                    "invalid RemotePort", "-1");
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\",\"RemotePort\":443.5"),
                    "invalid RemotePort", "443.5");
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\",\"LocalPort\":\"http\""),
                    "invalid LocalPort", "\"http\"");
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\",\"DeviceName\":5"),
                    "invalid DeviceName", "5, expected a string");
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\",\"RemoteUrl\":[\"a\"]"),
                    "invalid RemoteUrl", "an array");
    expect_bad_json(h, ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\",\"SentBytes\":-20"),
                    "invalid SentBytes", "-20");
    expect_bad_json(h,
                    ROW("\"Timestamp\":\"2024-05-01T10:23:45Z\","
                        "\"InitiatingProcessId\":true"),
                    "invalid InitiatingProcessId", "true");
#undef ROW
    assert_int_equal(
        counter(h->diag.skipped, h->diag.nskipped, "defender-json", "invalid RemotePort"), 3);
}

static void json_layout_match(void **state)
{
    harness *h = *state;
    json_error err;
    static const struct {
        const char *text;
        bool defender, stream;
    } cases[] = {
        {"{\"ActionType\":\"x\",\"RemoteIP\":\"1.2.3.4\"}", true, false},
        {"{\"ActionType\":\"x\",\"DeviceName\":\"d\"}", true, false},
        {"{\"ActionType\":\"x\"}", false, false},
        {"{\"RemoteIP\":\"1.2.3.4\"}", false, false},
        {"{\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{}}", false, true},
        {"{\"records\":[{\"category\":\"AdvancedHunting-DeviceEvents\",\"properties\":{}}]}", false,
         true},
        {"{\"records\":[{\"category\":\"Administrative\",\"properties\":{}}]}", false, false},
        {"{\"records\":[]}", false, false},
        {"{\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":\"x\"}", false,
         false},
        {"{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"}", false, false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(json_parse(&h->ctx.json, cases[i].text, strlen(cases[i].text), &err), 0);
        if (ih_layout_defender.match(&h->ctx.json, 0) != cases[i].defender)
            fail_msg("defender match(%s) should be %d", cases[i].text, cases[i].defender);
        if (ih_layout_defender_stream.match(&h->ctx.json, 0) != cases[i].stream)
            fail_msg("stream match(%s) should be %d", cases[i].text, cases[i].stream);
    }
}

/* --- Streaming API records --- */

static void stream_records_array(void **state)
{
    harness *h = *state;
    const char *line =
        "{\"records\":["
        "{\"time\":\"2024-05-01T10:24:00.0000000Z\",\"tenantId\":\"t\",\"operationName\":"
        "\"Publish\","
        "\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{"
        "\"Timestamp\":\"2024-05-01T10:23:45.1000000Z\",\"DeviceId\":\"d1\",\"DeviceName\":\"ws1\","
        "\"ActionType\":\"ConnectionSuccess\",\"RemoteIP\":\"203.0.113.7\",\"RemotePort\":443,"
        "\"MachineGroup\":\"g\"}},"
        "{\"time\":\"2024-05-01T10:24:00.0000000Z\",\"tenantId\":\"t\",\"operationName\":"
        "\"Publish\","
        "\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":{\"Timestamp\":\"x\"}}"
        ","
        "{\"time\":\"2024-05-01T10:24:01.0000000Z\",\"tenantId\":\"t\",\"operationName\":"
        "\"Publish\","
        "\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{"
        "\"Timestamp\":\"2024-05-01T10:23:46Z\",\"DeviceName\":\"ws2\","
        "\"ActionType\":\"ConnectionFailed\",\"RemoteIP\":\"203.0.113.8\"}},"
        "\"not a record\"]}";

    assert_int_equal(feed_json(h, &ih_layout_defender_stream, line), 1);
    assert_int_equal(h->cap.nconns, 2);
    assert_str(h->cap.conns[0].device_name, "ws1");
    assert_true(h->cap.conns[0].time == utc("2024-05-01T10:23:45.1Z"));
    assert_int_equal(h->cap.conns[0].remote_port, 443);
    assert_str(h->cap.conns[1].device_name, "ws2");
    assert_int_equal(h->cap.conns[1].action, IH_ACTION_FAILED);
    assert_int_equal(counter(h->diag.skipped, h->diag.nskipped, "defender-stream",
                             "defender table not used: AdvancedHunting-DeviceProcessEvents"),
                     1);
    assert_int_equal(h->diag.errors, 1);
    expect_message(h, "invalid streaming record", "record 3 of \"records\" is a string");
    ih_read_ctx_flush(&h->ctx);
    assert_int_equal(counter(h->diag.read, h->diag.nread, "defender-stream", "records"), 4);
}

static void stream_single_record(void **state)
{
    harness *h = *state;
    const char *line = "{\"time\":\"2024-05-01T10:24:00.0000000Z\",\"tenantId\":\"t\","
                       "\"operationName\":\"Publish\","
                       "\"category\":\"AdvancedHunting-DeviceNetworkEvents\",\"properties\":{"
                       "\"Timestamp\":\"2024-05-01T10:23:45Z\",\"DeviceName\":\"ws1\","
                       "\"ActionType\":\"InboundConnectionAccepted\",\"RemoteIP\":\"192.0.2.1\","
                       "\"LocalPort\":3389}}";

    assert_int_equal(feed_json(h, &ih_layout_defender_stream, line), 1);
    assert_int_equal(h->cap.nconns, 1);
    assert_int_equal(h->cap.conns[0].direction, IH_DIR_INBOUND);
    assert_int_equal(h->cap.conns[0].local_port, 3389);

    /* A single record of another table is skipped too. */
    feed_json(h, &ih_layout_defender_stream,
              "{\"category\":\"AdvancedHunting-DeviceEvents\",\"properties\":{}}");
    assert_int_equal(h->cap.nconns, 1);
    assert_int_equal(counter(h->diag.skipped, h->diag.nskipped, "defender-stream",
                             "defender table not used: AdvancedHunting-DeviceEvents"),
                     1);
    assert_int_equal(h->diag.errors, 0);
}

/* --- The CSV splitter --- */

static void csv_split_fields(void **state)
{
    (void)state;
    static const char rec[] = "a,\"b,c\",\"say \"\"hi\"\"\",,\"line1\nline2\",";
    char out[sizeof(rec)];
    ih_str f[8];
    csv_error err;

    assert_int_equal(csv_split(rec, strlen(rec), out, f, 8, &err), 6);
    assert_str(f[0], "a");
    assert_str(f[1], "b,c");
    assert_str(f[2], "say \"hi\"");
    assert_str(f[3], "");
    assert_str(f[4], "line1\nline2");
    assert_str(f[5], "");

    /* More fields than room: the count is still returned. */
    assert_int_equal(csv_split(rec, strlen(rec), out, f, 2, &err), 6);
}

static void csv_split_errors(void **state)
{
    (void)state;
    static const struct {
        const char *rec, *reason;
        size_t offset;
    } cases[] = {
        {"a,\"b\"x,c", "text after a closing quote", 5},
        {"a,b\"c", "quote inside an unquoted field", 3},
        {"a,\"bc", "quoted field does not end", 2},
    };
    char out[32];
    ih_str f[8];
    csv_error err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(csv_split(cases[i].rec, strlen(cases[i].rec), out, f, 8, &err), -1);
        assert_string_equal(err.reason, cases[i].reason);
        assert_int_equal(err.offset, cases[i].offset);
    }
}

static void csv_scan_states(void **state)
{
    (void)state;
    assert_int_equal(csv_scan(CSV_FIELD_START, "a,b", 3), CSV_UNQUOTED);
    assert_int_equal(csv_scan(CSV_FIELD_START, "a,\"b", 4), CSV_QUOTED);
    assert_int_equal(csv_scan(CSV_FIELD_START, "a,\"b\"", 5), CSV_QUOTED_QUOTE);
    assert_int_equal(csv_scan(CSV_FIELD_START, "a,\"b\"\"", 6), CSV_QUOTED);
    assert_int_equal(csv_scan(CSV_QUOTED, "x\",", 3), CSV_FIELD_START);
    assert_int_equal(csv_scan(CSV_FIELD_START, "a,", 2), CSV_FIELD_START);
}

/* --- The CSV export --- */

static const char csv_header[] =
    "\xEF\xBB\xBFTimestamp,DeviceId,DeviceName,ActionType,RemoteIP,RemotePort,RemoteUrl,LocalIP,"
    "LocalPort,Protocol,InitiatingProcessFileName,InitiatingProcessCommandLine,"
    "InitiatingProcessFolderPath,InitiatingProcessId,InitiatingProcessAccountDomain,"
    "InitiatingProcessAccountName";

static void csv_rows(void **state)
{
    harness *h = *state;
    const char *lines[] = {
        csv_header,
        "2023-10-18T15:43:47.1549452Z,dev1,test-hostname,ConnectionSuccess,20.50.201.200,443,"
        "eu-v20.events.data.microsoft.com,192.168.1.74,51697,Tcp,MsSense.exe,"
        "\"\"\"MsSense.exe\"\"\",c:\\program files\\mssense.exe,4180,nt authority,system",
        "",
        /* A command line with a comma and two line breaks inside quotes. */
        "2023-10-18T10:35:10.9237874Z,dev1,test-hostname,ConnectionFailed,127.0.0.1,47001,,"
        "127.0.0.1,58818,Tcp,svchost.exe,\"svchost.exe -k netsvcs,",
        "-p",
        "-s BITS\",c:\\windows\\system32\\svchost.exe,15448,\"nt authority\",system",
        "2023-10-18T15:35:52.9861123Z,dev1,\"test-hostname\",ListeningConnectionCreated,,,,"
        "127.0.0.1,51555,TcpV4,logioptionsplus_agent.exe,x,c:\\a.exe,11784,eu,test-user",
    };

    feed_csv(h, lines, sizeof(lines) / sizeof(lines[0]));
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 3);

    const ih_conn *c = &h->cap.conns[0];
    assert_int_equal(h->cap.lines[0], 2);
    assert_true(c->time == utc("2023-10-18T15:43:47Z") + 154945200);
    assert_str(c->device_id, "dev1");
    assert_str(c->device_name, "test-hostname");
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
    assert_addr(&c->remote_addr, "20.50.201.200");
    assert_int_equal(c->remote_port, 443);
    assert_str(c->remote_name, "eu-v20.events.data.microsoft.com");
    assert_int_equal(c->local_port, 51697);
    assert_str(c->process_name, "MsSense.exe");
    assert_str(c->process_path, "c:\\program files\\mssense.exe");
    assert_int_equal(c->process_id, 4180);
    assert_str(c->user, "nt authority\\system");
    assert_true(c->bytes_sent == IH_UNKNOWN_BYTES);

    c = &h->cap.conns[1];
    assert_int_equal(h->cap.lines[1], 4); /* the line where the record starts */
    assert_int_equal(c->action, IH_ACTION_FAILED);
    assert_str(c->remote_name, ""); /* CSV has no null: an empty RemoteUrl is empty */
    assert_str(c->process_path, "c:\\windows\\system32\\svchost.exe");
    assert_int_equal(c->process_id, 15448);
    assert_str(c->user, "nt authority\\system");

    c = &h->cap.conns[2];
    assert_int_equal(c->action, IH_ACTION_LISTENING);
    assert_int_equal(c->remote_port, IH_UNKNOWN_PORT); /* empty */
    assert_str(c->remote_ip_text, "");
    assert_int_equal(c->remote_addr.family, IH_AF_NONE);
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_str(c->user, "eu\\test-user");

    ih_read_ctx_flush(&h->ctx);
    assert_int_equal(counter(h->diag.read, h->diag.nread, "defender-csv", "records"), 3);
}

static void csv_bad_rows(void **state)
{
    harness *h = *state;
    const char *lines[] = {
        "Timestamp,ActionType,RemoteIP,RemotePort,SentBytes",
        "2024-05-01T10:23:45Z,ConnectionSuccess,198.51.100.1,443",
        "2024-05-01T10:23:45Z,ConnectionSuccess,198.51.100.1,443,10,extra",
        "2024-05-01T10:23:45Z,ConnectionSuccess,198.51.100.1,\"44\"3,10",
        "5/1/2024 10:23:45 AM,ConnectionSuccess,198.51.100.1,443,10",
        ",ConnectionSuccess,198.51.100.1,443,10",
        "2024-05-01T10:23:45Z,ConnectionSuccess,198.51.100.1,99999,10",
        "2024-05-01T10:23:45Z,ConnectionSuccess,198.51.100.1,443,2000",
    };
    static const char *const reasons[] = {
        "wrong column count", "wrong column count", "invalid CSV quoting",
        "invalid Timestamp",  "missing Timestamp",  "invalid RemotePort",
    };

    feed_csv(h, lines, sizeof(lines) / sizeof(lines[0]));
    assert_int_equal(h->diag.errors, 6);
    assert_int_equal(h->cap.nconns, 1);
    assert_true(h->cap.conns[0].bytes_sent == 2000);
    assert_int_equal(h->diag.nmsgs, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(h->diag.msgs[i].line, i + 2);
        if (strncmp(h->diag.msgs[i].text, reasons[i], strlen(reasons[i])) != 0)
            fail_msg("line %zu: message \"%s\", expected \"%s\"", i + 2, h->diag.msgs[i].text,
                     reasons[i]);
    }
    assert_non_null(strstr(h->diag.msgs[0].text, "4 fields, the header has 5"));
    assert_non_null(strstr(h->diag.msgs[3].text, "\"5/1/2024 10:23:45 AM\""));
    assert_non_null(strstr(h->diag.msgs[5].text, "\"99999\""));
}

static void csv_unterminated_quote_at_end(void **state)
{
    harness *h = *state;
    const char *lines[] = {
        "Timestamp,ActionType,RemoteIP,InitiatingProcessCommandLine",
        "2024-05-01T10:23:45Z,ConnectionSuccess,198.51.100.1,\"cmd /c",
        "more text",
    };

    feed_csv(h, lines, 3);
    assert_int_equal(h->cap.nconns, 0);
    assert_int_equal(h->diag.errors, 1);
    expect_message(h, "unterminated quoted field", "ends inside a quoted field");
    assert_int_equal(h->diag.msgs[0].line, 2);
}

static void csv_record_too_long(void **state)
{
    harness *h = *state;
    size_t chunk = 1u << 20, nchunks = IH_MAX_LINE / chunk + 2;
    char *big = malloc(chunk + 1);
    assert_non_null(big);
    memset(big, 'x', chunk);
    big[chunk] = '\0';

    const char **lines = calloc(nchunks + 4, sizeof(*lines));
    assert_non_null(lines);
    size_t n = 0;
    lines[n++] = "Timestamp,ActionType,RemoteIP,InitiatingProcessCommandLine";
    lines[n++] = "2024-05-01T10:23:45Z,ConnectionSuccess,198.51.100.1,\"start";
    for (size_t i = 0; i < nchunks; i++)
        lines[n++] = big;
    lines[n++] = "end\"";
    lines[n++] = "2024-05-01T10:23:46Z,ConnectionSuccess,198.51.100.2,short";

    feed_csv(h, lines, n);
    free(big);
    free(lines);
    assert_int_equal(h->diag.errors, 1);
    expect_message(h, "record too long", "longer than");
    assert_int_equal(h->diag.msgs[0].line, 2);
    /* Reading goes on after the skipped record. */
    assert_int_equal(h->cap.nconns, 1);
    assert_addr(&h->cap.conns[0].remote_addr, "198.51.100.2");
}

static void csv_probe(void **state)
{
    (void)state;
    static const char with_bom[] = "\xEF\xBB\xBFTimestamp,DeviceId,DeviceName,ActionType,RemoteIP,"
                                   "RemotePort\r\n2024-05-01T10:23:45Z,a,b,c,d,1\r\n";
    static const char quoted[] = "\"Timestamp\",\"ActionType\",\"RemoteIP\"\n";
    static const char no_remote_ip[] = "Timestamp,ActionType,RemoteUrl\n";
    static const char json_line[] = "{\"Timestamp\":\"x\",\"ActionType\":\"y\",\"RemoteIP\":\"z\"}";
    static const char zeek[] = "#separator \\x09\n#fields\tts\tuid\n";

    assert_true(ih_reader_defender_csv.probe(with_bom, strlen(with_bom)) > 60);
    assert_true(ih_reader_defender_csv.probe(quoted, strlen(quoted)) > 60);
    assert_int_equal(ih_reader_defender_csv.probe(no_remote_ip, strlen(no_remote_ip)), 0);
    assert_int_equal(ih_reader_defender_csv.probe(json_line, strlen(json_line)), 0);
    assert_int_equal(ih_reader_defender_csv.probe(zeek, strlen(zeek)), 0);
    assert_int_equal(ih_reader_defender_csv.probe("", 0), 0);
    assert_false(ih_reader_defender_csv.independent_lines);
}

/* --- The fixture derived from real Sysmon events --- */

/* The folder of this source file, where data/ lives. */
static void test_dir(char *out, size_t cap)
{
    const char *slash = strrchr(__FILE__, '/');
    size_t n = slash ? (size_t)(slash - __FILE__) : 0;
    snprintf(out, cap, "%.*s", (int)n, n ? __FILE__ : ".");
}

/* Reads every line of path with layout; returns the number of lines. */
static size_t read_json_file(harness *h, const ih_json_layout *layout, const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in)
        fail_msg("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0, lines = 0;
    ssize_t n;

    h->ctx.origin.file = path;
    h->ctx.origin.line = 1;
    while ((n = getline(&line, &cap, in)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        assert_int_equal(feed_json(h, layout, line), 1);
        lines++;
    }
    free(line);
    fclose(in);
    return lines;
}

static bool str_equal(ih_str a, ih_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static void fixture_reads_back_like_sysmon(void **state)
{
    harness *h = *state;
    char dir[4096], path[8192];

    test_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/data/defender_from_sysmon.jsonl", dir);
    size_t lines = read_json_file(h, &ih_layout_defender, path);
    assert_int_equal(lines, 206);
    assert_int_equal(h->cap.nconns, 206);
    assert_int_equal(h->diag.errors, 0);

    /* The Empire beacon: powershell.exe to 10.10.10.5:80, 51 times. */
    size_t beacon = 0;
    for (size_t i = 0; i < h->cap.nconns; i++) {
        const ih_conn *c = &h->cap.conns[i];
        char ip[IH_ADDR_TEXT_MAX];
        ih_addr_format(&c->remote_addr, ip);
        beacon += strcmp(ip, "10.10.10.5") == 0 && c->remote_port == 80 &&
                  c->action == IH_ACTION_SUCCESS &&
                  str_equal(c->process_name, IH_STR_LIT("powershell.exe"));
    }
    assert_int_equal(beacon, 51);

    /* Compare with the Sysmon reader's events for the same records, when the data is here. */
    const char *base = getenv("INFRAHUNT_DATA");
    if (!base || !*base)
        base = "../shared/data";
    snprintf(path, sizeof(path),
             "%s/sysmon-mordor/sysmon-net/empire_dllinjection_LoadLibrary_CreateRemoteThread.jsonl",
             base);
    FILE *probe = fopen(path, "r");
    if (!probe) {
        print_message("real data missing: %s not found (set INFRAHUNT_DATA); comparison with "
                      "the Sysmon reader skipped\n",
                      path);
        return;
    }
    fclose(probe);

    capture defender = h->cap;
    h->cap = (capture){.sink = h->cap.sink};
    h->cap.sink.ctx = &h->cap;
    read_json_file(h, &ih_layout_sysmon, path);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, defender.nconns);
    for (size_t i = 0; i < defender.nconns; i++) {
        const ih_conn *d = &defender.conns[i], *s = &h->cap.conns[i];
        if (d->time != s->time || !str_equal(d->device_name, s->device_name) ||
            !str_equal(d->process_name, s->process_name) ||
            !str_equal(d->process_path, s->process_path) || d->process_id != s->process_id ||
            !str_equal(d->user, s->user) || !ih_addr_equal(&d->local_addr, &s->local_addr) ||
            d->local_port != s->local_port || !ih_addr_equal(&d->remote_addr, &s->remote_addr) ||
            d->remote_port != s->remote_port || d->protocol != s->protocol ||
            d->direction != s->direction || d->action != s->action ||
            !str_equal(d->remote_name, s->remote_name.ptr ? s->remote_name : IH_STR_LIT("")) ||
            d->bytes_sent != s->bytes_sent || d->bytes_received != s->bytes_received)
            fail_msg("fixture line %zu differs from Sysmon line %llu", i + 1,
                     (unsigned long long)h->cap.lines[i]);
    }
    print_message("%zu fixture rows match the Sysmon reader's events\n", defender.nconns);
    capture_clear(&defender);
    free(defender.conns);
    free(defender.lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(json_full_row, setup, teardown),
        cmocka_unit_test_setup_teardown(json_numbers_as_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(json_action_types, setup, teardown),
        cmocka_unit_test_setup_teardown(json_remote_ip_kept_as_text, setup, teardown),
        cmocka_unit_test_setup_teardown(json_remote_url_empty_null_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(json_sent_and_received_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(json_protocols, setup, teardown),
        cmocka_unit_test_setup_teardown(json_user_from_account_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(json_bad_values_are_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(json_layout_match, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_records_array, setup, teardown),
        cmocka_unit_test_setup_teardown(stream_single_record, setup, teardown),
        cmocka_unit_test(csv_split_fields),
        cmocka_unit_test(csv_split_errors),
        cmocka_unit_test(csv_scan_states),
        cmocka_unit_test_setup_teardown(csv_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_bad_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_unterminated_quote_at_end, setup, teardown),
        cmocka_unit_test_setup_teardown(csv_record_too_long, setup, teardown),
        cmocka_unit_test(csv_probe),
        cmocka_unit_test_setup_teardown(fixture_reads_back_like_sysmon, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
