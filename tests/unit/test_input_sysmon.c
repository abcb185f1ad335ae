/*
 * Tests of the Sysmon JSON layout: the three log layouts, event IDs 3 and 22,
 * skipped records, bad values, and every line of the real Sysmon exports.
 * The real data is looked up in $INFRAHUNT_DATA, by default ../shared/data
 * from the repository root, and those tests are skipped with a message when
 * it is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/event/addr.h"
#include "../../src/event/timeutil.h"
#include "../../src/input/input.h"

/* --- A sink that keeps copies of the events --- */

typedef struct capture {
    ih_sink sink;
    ih_conn *conns;
    size_t nconns, conns_cap;
    ih_dns *dnss;
    size_t ndnss, dnss_cap;
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

static void free_str(ih_str s)
{
    free((char *)s.ptr);
}

static int capture_conn(ih_sink *sink, const ih_conn *c, const ih_origin *o)
{
    capture *cap = sink->ctx;
    (void)o;

    if (cap->nconns == cap->conns_cap) {
        cap->conns_cap = cap->conns_cap ? cap->conns_cap * 2 : 16;
        cap->conns = realloc(cap->conns, cap->conns_cap * sizeof(*cap->conns));
        assert_non_null(cap->conns);
    }
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
    (void)o;

    if (cap->ndnss == cap->dnss_cap) {
        cap->dnss_cap = cap->dnss_cap ? cap->dnss_cap * 2 : 16;
        cap->dnss = realloc(cap->dnss, cap->dnss_cap * sizeof(*cap->dnss));
        assert_non_null(cap->dnss);
    }
    ih_dns *k = &cap->dnss[cap->ndnss++];
    *k = *d;
    k->device_id = dup_str(d->device_id);
    k->device_name = dup_str(d->device_name);
    k->process_name = dup_str(d->process_name);
    k->process_path = dup_str(d->process_path);
    k->user = dup_str(d->user);
    k->query_name = dup_str(d->query_name);
    k->query_type_name = dup_str(d->query_type_name);
    k->rcode_name = dup_str(d->rcode_name);
    for (size_t i = 0; i < d->answer_count; i++)
        k->answers[i].text = dup_str(d->answers[i].text);
    return 0;
}

static void capture_clear(capture *cap)
{
    for (size_t i = 0; i < cap->nconns; i++) {
        ih_conn *c = &cap->conns[i];
        free_str(c->device_id);
        free_str(c->device_name);
        free_str(c->process_name);
        free_str(c->process_path);
        free_str(c->user);
        free_str(c->remote_ip_text);
        free_str(c->action_name);
        free_str(c->remote_name);
    }
    for (size_t i = 0; i < cap->ndnss; i++) {
        ih_dns *d = &cap->dnss[i];
        free_str(d->device_id);
        free_str(d->device_name);
        free_str(d->process_name);
        free_str(d->process_path);
        free_str(d->user);
        free_str(d->query_name);
        free_str(d->query_type_name);
        free_str(d->rcode_name);
        for (size_t j = 0; j < d->answer_count; j++)
            free_str(d->answers[j].text);
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
    free(h->cap.dnss);
    free(h);
    return 0;
}

/* Parses text as the JSON lines reader does and hands it to the Sysmon layout. */
static int feed(harness *h, const char *text)
{
    json_error err;

    ih_read_reset(&h->ctx);
    if (json_parse(&h->ctx.json, text, strlen(text), &err) != 0)
        fail_msg("test JSON does not parse at byte %zu: %s", err.offset, err.reason);
    assert_true(ih_layout_sysmon.match(&h->ctx.json, 0));
    int rc = ih_layout_sysmon.record(&h->ctx.json, 0, &h->ctx);
    h->ctx.origin.line++;
    return rc;
}

/* Feeds a record that must be reported as bad, and checks the message names the value. */
static void expect_bad(harness *h, const char *text, const char *reason, const char *value)
{
    uint64_t errors = h->diag.errors;
    size_t conns = h->cap.nconns, dnss = h->cap.ndnss;

    /* Only the first IH_DIAG_KEEP messages are kept, so start each check with none. */
    for (size_t i = 0; i < h->diag.nmsgs; i++) {
        free(h->diag.msgs[i].file);
        free(h->diag.msgs[i].text);
    }
    h->diag.nmsgs = 0;

    assert_int_equal(feed(h, text), 1);
    assert_int_equal(h->diag.errors, errors + 1);
    assert_int_equal(h->cap.nconns, conns);
    assert_int_equal(h->cap.ndnss, dnss);
    assert_true(h->diag.nmsgs > 0);
    const char *msg = h->diag.msgs[h->diag.nmsgs - 1].text;
    if (strncmp(msg, reason, strlen(reason)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", msg, reason);
    if (!strstr(msg, value))
        fail_msg("message \"%s\" does not show the value %s", msg, value);
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

/* --- Event ID 3 in the three layouts --- */

/* An nxlog record from the OTRF Security-Datasets empire_dllinjection capture, trimmed. */
static const char flat_outbound[] =
    "{\"DestinationPort\":\"80\",\"SourceIp\":\"172.18.39.5\",\"SourceHostname\":\"-\","
    "\"SourceIsIpv6\":\"false\",\"ProcessId\":\"9076\","
    "\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
    "\"@timestamp\":\"2020-07-22T04:00:50.795Z\",\"Initiated\":\"true\","
    "\"DestinationIp\":\"10.10.10.5\",\"DestinationHostname\":\"-\","
    "\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Protocol\":\"tcp\","
    "\"Image\":\"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe\","
    "\"UtcTime\":\"2020-07-22 04:00:48.097\",\"Hostname\":\"WORKSTATION5.mordor.local\","
    "\"DestinationIsIpv6\":\"false\",\"host\":\"wec.internal.cloudapp.net\","
    "\"ExecutionProcessID\":9368,\"EventID\":3,\"User\":\"MORDOR\\\\pgustavo\","
    "\"SourcePort\":\"50783\"}";

static void flat_outbound_connection(void **state)
{
    harness *h = *state;

    assert_int_equal(feed(h, flat_outbound), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_true(c->time == utc("2020-07-22T04:00:48.097Z"));
    assert_str(c->device_name, "WORKSTATION5.mordor.local");
    assert_str(c->device_id, "WORKSTATION5.mordor.local");
    assert_str(c->process_path, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe");
    assert_str(c->process_name, "powershell.exe");
    assert_int_equal(c->process_id, 9076);
    assert_str(c->user, "MORDOR\\pgustavo");
    assert_addr(&c->local_addr, "172.18.39.5");
    assert_int_equal(c->local_port, 50783);
    assert_addr(&c->remote_addr, "10.10.10.5");
    assert_str(c->remote_ip_text, "10.10.10.5");
    assert_int_equal(c->remote_port, 80);
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_int_equal(c->direction, IH_DIR_OUTBOUND);
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
    assert_str(c->action_name, NULL);
    assert_str(c->remote_name, NULL); /* "-" */
    assert_true(c->bytes_sent == IH_UNKNOWN_BYTES);
    assert_true(c->bytes_received == IH_UNKNOWN_BYTES);
}

/* A winlogbeat 6.7 record from the empire_invoke_runas capture, trimmed. */
static const char winlogbeat_outbound[] =
    "{\"@timestamp\":\"2019-05-18T20:42:59.045Z\",\"computer_name\":\"HR001.shire.com\","
    "\"event_id\":3,\"process_id\":2440,"
    "\"event_data\":{\"UtcTime\":\"2019-05-07 11:56:15.761\",\"DestinationPort\":\"443\","
    "\"SourceIsIpv6\":\"false\",\"User\":\"SHIRE\\\\nmartha\",\"DestinationIsIpv6\":\"false\","
    "\"Protocol\":\"tcp\",\"Initiated\":\"true\",\"SourcePort\":\"53366\","
    "\"Image\":\"C:\\\\Windows\\\\System32\\\\notepad.exe\",\"ProcessId\":\"5172\","
    "\"SourceIp\":\"172.18.39.106\",\"SourceHostname\":\"HR001.shire.com\","
    "\"DestinationPortName\":\"https\",\"DestinationIp\":\"10.0.10.106\"},"
    "\"source_name\":\"Microsoft-Windows-Sysmon\",\"host\":{\"name\":\"WECserver\"},"
    "\"log_name\":\"Microsoft-Windows-Sysmon/Operational\",\"type\":\"wineventlog\"}";

static void winlogbeat_outbound_connection(void **state)
{
    harness *h = *state;

    assert_int_equal(feed(h, winlogbeat_outbound), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_true(c->time == utc("2019-05-07T11:56:15.761Z"));
    /* host.name is the collector in winlogbeat 6, not the device. */
    assert_str(c->device_name, "HR001.shire.com");
    assert_str(c->process_name, "notepad.exe");
    assert_int_equal(c->process_id, 5172);
    assert_str(c->user, "SHIRE\\nmartha");
    assert_addr(&c->local_addr, "172.18.39.106");
    assert_int_equal(c->local_port, 53366);
    assert_addr(&c->remote_addr, "10.0.10.106");
    assert_int_equal(c->remote_port, 443);
    assert_int_equal(c->direction, IH_DIR_OUTBOUND);
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
    /* winlogbeat 6 drops empty event_data values, so the hostname is absent: unknown. */
    assert_str(c->remote_name, NULL);
}

static void inbound_connection_swaps_sides(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        "\"Hostname\":\"MORDORDC.mordor.local\",\"UtcTime\":\"2020-07-22 04:01:23.056\","
        "\"Image\":\"C:\\\\Windows\\\\System32\\\\dns.exe\",\"ProcessId\":\"3484\","
        "\"User\":\"NT AUTHORITY\\\\SYSTEM\",\"Protocol\":\"udp\",\"Initiated\":\"false\","
        "\"SourceIsIpv6\":\"false\",\"SourceIp\":\"172.18.39.6\","
        "\"SourceHostname\":\"WORKSTATION6.mordor.local\",\"SourcePort\":\"59115\","
        "\"DestinationIsIpv6\":\"false\",\"DestinationIp\":\"172.18.38.5\","
        "\"DestinationHostname\":\"MORDORDC.mordor.local\",\"DestinationPort\":\"53\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_int_equal(c->direction, IH_DIR_INBOUND);
    assert_int_equal(c->action, IH_ACTION_INBOUND);
    assert_addr(&c->local_addr, "172.18.38.5");
    assert_int_equal(c->local_port, 53);
    assert_addr(&c->remote_addr, "172.18.39.6");
    assert_str(c->remote_ip_text, "172.18.39.6");
    assert_int_equal(c->remote_port, 59115);
    assert_str(c->remote_name, "WORKSTATION6.mordor.local");
    assert_int_equal(c->protocol, IH_PROTO_UDP);
}

/* Recordings of 2019 put the local socket first for accepted connections, so the port decides. */
static void inbound_source_local_by_port(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"event_id\":3,\"log_name\":\"Microsoft-Windows-Sysmon/Operational\","
        "\"computer_name\":\"HFDC01.shire.com\",\"event_data\":{"
        "\"UtcTime\":\"2019-05-18 20:35:52.569\",\"Initiated\":\"false\",\"Protocol\":\"tcp\","
        "\"SourceIp\":\"172.18.39.5\",\"SourcePort\":\"135\",\"DestinationIp\":\"172.18.39.106\","
        "\"DestinationPort\":\"50123\"}}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_int_equal(c->direction, IH_DIR_INBOUND);
    assert_addr(&c->local_addr, "172.18.39.5");
    assert_int_equal(c->local_port, 135);
    assert_addr(&c->remote_addr, "172.18.39.106");
    assert_int_equal(c->remote_port, 50123);
}

/* Without a name or a listening port to go by, the Destination is the device. */
static void inbound_defaults_to_destination(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Hostname\":\"h\","
        "\"UtcTime\":\"2020-07-22 04:01:23.056\",\"Initiated\":\"false\",\"Protocol\":\"tcp\","
        "\"SourceIp\":\"10.0.0.7\",\"SourcePort\":\"51000\",\"SourceHostname\":\"-\","
        "\"DestinationIp\":\"10.0.0.5\",\"DestinationPort\":\"49667\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    assert_addr(&h->cap.conns[0].local_addr, "10.0.0.5");
    assert_addr(&h->cap.conns[0].remote_addr, "10.0.0.7");
}

static void hostname_empty_stays_empty(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        "\"Hostname\":\"h\",\"UtcTime\":\"2020-07-22 04:01:23.056\",\"Initiated\":\"true\","
        "\"SourceIp\":\"10.0.0.1\",\"DestinationIp\":\"203.0.113.9\",\"DestinationHostname\":\"\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    assert_str(h->cap.conns[0].remote_name, "");
    assert_int_equal(h->cap.conns[0].remote_port, IH_UNKNOWN_PORT);
    assert_int_equal(h->cap.conns[0].process_id, IH_UNKNOWN_PID);
    assert_int_equal(h->cap.conns[0].protocol, IH_PROTO_UNKNOWN);
}

static void ipv6_connection(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        "\"Hostname\":\"h\",\"UtcTime\":\"2020-07-22 04:01:23.056\",\"Initiated\":\"true\","
        "\"SourceIsIpv6\":\"true\",\"SourceIp\":\"fe80:0:0:0:6c96:34e3:33cb:dbba\","
        "\"DestinationIsIpv6\":\"true\",\"DestinationIp\":\"2001:db8:0:0:0:0:0:1\","
        "\"DestinationPort\":\"443\",\"Protocol\":\"tcp\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 1);
    assert_addr(&h->cap.conns[0].local_addr, "fe80::6c96:34e3:33cb:dbba");
    assert_addr(&h->cap.conns[0].remote_addr, "2001:db8::1");
    assert_str(h->cap.conns[0].remote_ip_text, "2001:db8:0:0:0:0:0:1");
}

static void missing_initiated_leaves_direction_unknown(void **state)
{
    harness *h = *state;
    const char *rec = "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
                      "\"UtcTime\":\"2020-07-22 04:01:23.056\",\"SourceIp\":\"10.0.0.1\","
                      "\"DestinationIp\":\"203.0.113.9\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_int_equal(c->direction, IH_DIR_UNKNOWN);
    assert_int_equal(c->action, IH_ACTION_UNKNOWN);
    assert_addr(&c->local_addr, "10.0.0.1");
    assert_addr(&c->remote_addr, "203.0.113.9");
    /* Without a computer name the device is named by its address. */
    assert_str(c->device_name, "10.0.0.1");
}

/*
 * ECS as winlogbeat 7 and 8 write it with their Sysmon module, following the
 * published winlogbeat field reference: the module moves UtcTime to
 * @timestamp, the addresses to source.* and destination.*, Image to
 * process.executable, User to user.domain and user.name and Initiated to
 * network.direction, and deletes them from winlog.event_data.
 */
static const char ecs_module_outbound[] =
    "{\"@timestamp\":\"2021-03-04T10:11:12.345Z\","
    "\"event\":{\"code\":\"3\",\"provider\":\"Microsoft-Windows-Sysmon\","
    "\"module\":\"sysmon\",\"category\":[\"network\"]},"
    "\"host\":{\"name\":\"collector-01\"},"
    "\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":\"3\","
    "\"computer_name\":\"ws-042.corp.example\",\"provider_name\":\"Microsoft-Windows-Sysmon\","
    "\"event_data\":{\"SourcePortName\":\"-\",\"DestinationIsIpv6\":\"false\"}},"
    "\"process\":{\"pid\":4321,\"executable\":\"C:\\\\Users\\\\bob\\\\beacon.exe\","
    "\"name\":\"beacon.exe\",\"entity_id\":\"{aaaa}\"},"
    "\"network\":{\"transport\":\"tcp\",\"direction\":\"egress\",\"type\":\"ipv4\"},"
    "\"source\":{\"ip\":\"10.1.2.3\",\"port\":50000,\"domain\":\"ws-042.corp.example\"},"
    "\"destination\":{\"ip\":\"198.51.100.7\",\"port\":8443,"
    "\"domain\":\"c2.duckdns.org\"},"
    "\"user\":{\"domain\":\"CORP\",\"name\":\"bob\"}}";

static void ecs_module_connection(void **state)
{
    harness *h = *state;

    assert_int_equal(feed(h, ecs_module_outbound), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_true(c->time == utc("2021-03-04T10:11:12.345Z"));
    assert_str(c->device_name, "ws-042.corp.example");
    assert_str(c->process_path, "C:\\Users\\bob\\beacon.exe");
    assert_str(c->process_name, "beacon.exe");
    assert_int_equal(c->process_id, 4321);
    assert_str(c->user, "CORP\\bob");
    assert_addr(&c->local_addr, "10.1.2.3");
    assert_int_equal(c->local_port, 50000);
    assert_addr(&c->remote_addr, "198.51.100.7");
    assert_int_equal(c->remote_port, 8443);
    assert_str(c->remote_name, "c2.duckdns.org");
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_int_equal(c->direction, IH_DIR_OUTBOUND);
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
}

/* ECS with flat dotted keys, as some exports write it, and ingress. */
static void ecs_dotted_keys_inbound(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"@timestamp\":\"2021-03-04T10:11:12Z\","
        "\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":3},"
        "\"host.name\":\"srv-1\",\"network.direction\":\"ingress\",\"source.ip\":\"192.0.2.8\","
        "\"source.port\":\"61000\",\"destination.ip\":\"10.0.0.5\",\"destination.port\":3389}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    assert_str(c->device_name, "srv-1");
    assert_int_equal(c->direction, IH_DIR_INBOUND);
    assert_addr(&c->local_addr, "10.0.0.5");
    assert_int_equal(c->local_port, 3389);
    assert_addr(&c->remote_addr, "192.0.2.8");
    assert_int_equal(c->remote_port, 61000);
}

/* ECS without the Sysmon module: the original names under winlog.event_data. */
static void ecs_event_data_connection(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"@timestamp\":\"2021-03-04T10:11:13.000Z\",\"event\":{\"code\":\"3\"},"
        "\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":\"3\","
        "\"computer_name\":\"ws-7\",\"event_data\":{\"UtcTime\":\"2021-03-04 10:11:12.001\","
        "\"Image\":\"C:\\\\a\\\\b.exe\",\"ProcessId\":\"88\",\"User\":\"D\\\\u\","
        "\"Protocol\":\"udp\",\"Initiated\":\"true\",\"SourceIp\":\"10.0.0.2\","
        "\"SourcePort\":\"5353\",\"DestinationIp\":\"224.0.0.251\",\"DestinationPort\":\"5353\","
        "\"DestinationHostname\":\"-\"}}}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.nconns, 1);
    const ih_conn *c = &h->cap.conns[0];
    /* UtcTime wins over @timestamp, which is when the event was written. */
    assert_true(c->time == utc("2021-03-04T10:11:12.001Z"));
    assert_str(c->device_name, "ws-7");
    assert_str(c->process_name, "b.exe");
    assert_int_equal(c->process_id, 88);
    assert_str(c->user, "D\\u");
    assert_int_equal(c->protocol, IH_PROTO_UDP);
    assert_addr(&c->remote_addr, "224.0.0.251");
    assert_str(c->remote_name, NULL);
}

static void forwarded_events_channel(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"EventID\":3,\"Channel\":\"ForwardedEvents\",\"SourceName\":\"Microsoft-Windows-"
        "Sysmon\","
        "\"Computer\":\"ws-9\",\"UtcTime\":\"2020-07-22 04:01:23.056\",\"Initiated\":\"true\","
        "\"SourceIp\":\"10.0.0.1\",\"DestinationIp\":\"203.0.113.9\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    assert_str(h->cap.conns[0].device_name, "ws-9");
}

/* Some nxlog exports replace the event's ProcessId with the sender's ProcessID. */
static void process_id_from_message(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"ProcessID\":3168,"
        "\"Hostname\":\"IT001.shire.com\",\"UtcTime\":\"2019-12-25 04:51:59.196\","
        "\"Initiated\":\"true\",\"SourceIp\":\"172.18.39.105\",\"DestinationIp\":\"172.18.39.8\","
        "\"Message\":\"Network connection detected:\\r\\nRuleName: \\r\\nUtcTime: 2019-12-25 "
        "04:51:59.196\\r\\nProcessGuid: {a158f72c}\\r\\nProcessId: 716\\r\\nImage: x\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.nconns, 1);
    assert_int_equal(h->cap.conns[0].process_id, 716);
}

/* --- Event ID 22 --- */

static void dns_query_answers(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"EventID\":22,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        "\"Hostname\":\"WORKSTATION6.mordor.local\",\"UtcTime\":\"2020-07-22 04:01:23.006\","
        "\"ProcessId\":\"4368\",\"QueryName\":\"settings-win.data.microsoft.com\","
        "\"QueryStatus\":\"0\",\"QueryResults\":\"type:  5 settingsfd-geo.trafficmanager.net;"
        "::ffff:52.167.249.196;10.0.0.9;fe80::1;type:  33 ;\","
        "\"Image\":\"C:\\\\Windows\\\\System32\\\\taskhostw.exe\",\"User\":\"NT "
        "AUTHORITY\\\\SYSTEM\"}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.ndnss, 1);
    assert_int_equal(h->cap.nconns, 0);
    const ih_dns *d = &h->cap.dnss[0];
    assert_true(d->time == utc("2020-07-22T04:01:23.006Z"));
    assert_str(d->device_name, "WORKSTATION6.mordor.local");
    assert_str(d->device_id, "WORKSTATION6.mordor.local");
    assert_str(d->process_name, "taskhostw.exe");
    assert_int_equal(d->process_id, 4368);
    assert_str(d->user, "NT AUTHORITY\\SYSTEM");
    assert_str(d->query_name, "settings-win.data.microsoft.com");
    assert_int_equal(d->query_type, -1);
    assert_int_equal(d->rcode, 0);
    assert_str(d->rcode_name, "NOERROR");
    assert_int_equal(d->answer_count, 5);
    assert_int_equal(d->answers_dropped, 0);
    assert_int_equal(d->answers[0].kind, IH_ANSWER_CNAME);
    assert_str(d->answers[0].text, "settingsfd-geo.trafficmanager.net");
    assert_int_equal(d->answers[1].kind, IH_ANSWER_ADDR);
    assert_addr(&d->answers[1].addr, "52.167.249.196");
    assert_str(d->answers[1].text, "::ffff:52.167.249.196");
    assert_addr(&d->answers[2].addr, "10.0.0.9");
    assert_addr(&d->answers[3].addr, "fe80::1");
    assert_int_equal(d->answers[4].kind, IH_ANSWER_OTHER);
    assert_str(d->answers[4].text, "");
    for (size_t i = 0; i < d->answer_count; i++)
        assert_int_equal(d->answers[i].ttl_s, -1);
    assert_int_equal(d->client_addr.family, IH_AF_NONE);
}

static void dns_query_status_codes(void **state)
{
    harness *h = *state;
    static const struct {
        const char *status;
        int rcode;
        const char *name;
    } cases[] = {
        {"9003", 3, "NXDOMAIN"},
        {"9002", 2, "SERVFAIL"},
        {"9502", -1, "DNS_ERROR_BAD_PACKET"},
        {"1460", -1, "ERROR_TIMEOUT"},
        {"12345", -1, "12345"},
        {"-", -1, NULL},
    };
    char rec[512];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(rec, sizeof(rec),
                 "{\"EventID\":22,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
                 "\"Hostname\":\"h\",\"UtcTime\":\"2023-09-05 16:46:33.808\","
                 "\"QueryName\":\"x.example\",\"QueryStatus\":\"%s\",\"QueryResults\":\"-\"}",
                 cases[i].status);
        assert_int_equal(feed(h, rec), 1);
        assert_int_equal(h->cap.ndnss, i + 1);
        const ih_dns *d = &h->cap.dnss[i];
        assert_int_equal(d->rcode, cases[i].rcode);
        assert_str(d->rcode_name, cases[i].name);
        assert_int_equal(d->answer_count, 0);
    }
    assert_int_equal(h->diag.errors, 0);
}

static void dns_query_ecs_module(void **state)
{
    harness *h = *state;
    const char *rec =
        "{\"@timestamp\":\"2021-03-04T10:11:12.345Z\",\"event\":{\"code\":\"22\"},"
        "\"winlog\":{\"channel\":\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":22,"
        "\"computer_name\":\"ws-042\",\"event_data\":{\"User\":\"CORP\\\\bob\"}},"
        "\"process\":{\"pid\":77,\"executable\":\"C:\\\\x\\\\curl.exe\"},"
        "\"dns\":{\"question\":{\"name\":\"a.ddns.net\"},"
        "\"answers\":[{\"type\":\"CNAME\",\"data\":\"b.example\"},"
        "{\"type\":\"A\",\"data\":\"198.51.100.1\"},{\"type\":\"AAAA\",\"data\":\"2001:db8::2\"}],"
        "\"resolved_ip\":[\"198.51.100.1\",\"2001:db8::2\"]},"
        "\"sysmon\":{\"dns\":{\"status\":\"DNS_ERROR_RCODE_NAME_ERROR\"}}}";

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(h->cap.ndnss, 1);
    const ih_dns *d = &h->cap.dnss[0];
    assert_true(d->time == utc("2021-03-04T10:11:12.345Z"));
    assert_str(d->device_name, "ws-042");
    assert_str(d->query_name, "a.ddns.net");
    assert_int_equal(d->rcode, 3);
    assert_str(d->rcode_name, "NXDOMAIN");
    assert_str(d->user, "CORP\\bob");
    assert_str(d->process_name, "curl.exe");
    assert_int_equal(d->process_id, 77);
    assert_int_equal(d->answer_count, 3);
    assert_int_equal(d->answers[0].kind, IH_ANSWER_CNAME);
    assert_str(d->answers[0].text, "b.example");
    assert_addr(&d->answers[1].addr, "198.51.100.1");
    assert_addr(&d->answers[2].addr, "2001:db8::2");
}

static void dns_answers_beyond_limit_are_counted(void **state)
{
    harness *h = *state;
    char rec[4096];
    int n = snprintf(rec, sizeof(rec),
                     "{\"EventID\":22,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
                     "\"UtcTime\":\"2023-09-05 16:46:33.808\",\"QueryName\":\"big.example\","
                     "\"QueryStatus\":\"0\",\"QueryResults\":\"");
    for (int i = 0; i < 40; i++)
        n += snprintf(rec + n, sizeof(rec) - (size_t)n, "::ffff:192.0.2.%d;", i + 1);
    snprintf(rec + n, sizeof(rec) - (size_t)n, "\"}");

    assert_int_equal(feed(h, rec), 1);
    assert_int_equal(h->cap.ndnss, 1);
    assert_int_equal(h->cap.dnss[0].answer_count, IH_DNS_MAX_ANSWERS);
    assert_int_equal(h->cap.dnss[0].answers_dropped, 40 - IH_DNS_MAX_ANSWERS);
    assert_addr(&h->cap.dnss[0].answers[31].addr, "192.0.2.32");
}

/* --- Skipped and bad records --- */

static void other_channels_and_events_are_skipped(void **state)
{
    harness *h = *state;

    assert_int_equal(feed(h, "{\"EventID\":4624,\"Channel\":\"Security\",\"Hostname\":\"h\"}"), 1);
    assert_int_equal(feed(h, "{\"event_id\":7036,\"log_name\":\"System\"}"), 1);
    assert_int_equal(feed(h, "{\"winlog\":{\"channel\":\"Windows PowerShell\",\"event_id\":400}}"),
                     1);
    assert_int_equal(feed(h, "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
                             "\"UtcTime\":\"2020-07-22 04:01:23.056\"}"),
                     1);
    assert_int_equal(feed(h, "{\"event_id\":\"11\",\"source_name\":\"Microsoft-Windows-Sysmon\"}"),
                     1);

    assert_int_equal(h->cap.nconns, 0);
    assert_int_equal(h->cap.ndnss, 0);
    assert_int_equal(h->diag.errors, 0);
    assert_int_equal(
        counter(h->diag.skipped, h->diag.nskipped, "sysmon-json", "not a Sysmon event"), 3);
    assert_int_equal(
        counter(h->diag.skipped, h->diag.nskipped, "sysmon-json", "not a Sysmon network event"), 2);
    ih_read_ctx_flush(&h->ctx);
    assert_int_equal(counter(h->diag.read, h->diag.nread, "sysmon-json", "records"), 5);
}

#define SYSMON3_HEAD                                                                               \
    "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Hostname\":\"h\","

static void bad_values_are_reported(void **state)
{
    harness *h = *state;

    expect_bad(h, SYSMON3_HEAD "\"UtcTime\":\"2020-13-22 04:01:23\"}", "invalid UtcTime",
               "\"2020-13-22 04:01:23\"");
    expect_bad(h, SYSMON3_HEAD "\"Initiated\":\"true\"}", "missing UtcTime", "UtcTime");
    expect_bad(h, SYSMON3_HEAD "\"UtcTime\":\"2020-07-22 04:01:23\",\"DestinationPort\":\"99999\"}",
               "invalid DestinationPort", "\"99999\"");
    expect_bad(h, SYSMON3_HEAD "\"UtcTime\":\"2020-07-22 04:01:23\",\"SourcePort\":\"-5\"}",
               "invalid SourcePort", "\"-5\"");
    expect_bad(h, SYSMON3_HEAD "\"UtcTime\":\"2020-07-22 04:01:23\",\"ProcessId\":\"12a\"}",
               "invalid ProcessId", "\"12a\"");
    expect_bad(h, SYSMON3_HEAD "\"UtcTime\":\"2020-07-22 04:01:23\",\"SourceIp\":\"300.1.1.1\"}",
               "invalid SourceIp", "\"300.1.1.1\"");
    expect_bad(h, SYSMON3_HEAD "\"UtcTime\":\"2020-07-22 04:01:23\",\"Initiated\":\"maybe\"}",
               "invalid Initiated", "\"maybe\"");
    expect_bad(h, SYSMON3_HEAD "\"UtcTime\":\"2020-07-22 04:01:23\",\"Image\":{\"a\":1}}",
               "wrong value type", "Image is an object");
    expect_bad(h,
               SYSMON3_HEAD "\"UtcTime\":\"2020-07-22 04:01:23\",\"SourceIsIpv6\":\"true\","
                            "\"SourceIp\":\"10.0.0.1\"}",
               "inconsistent SourceIsIpv6", "10.0.0.1");
    expect_bad(h, "{\"EventID\":\"three\",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"}",
               "invalid EventID", "\"three\"");
    expect_bad(h,
               "{\"EventID\":22,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
               "\"UtcTime\":\"2020-07-22 04:01:23\",\"QueryName\":\"a.example\","
               "\"QueryResults\":\"::ffff:1.2.3.4;not-an-address;\"}",
               "invalid QueryResults", "\"not-an-address\"");
    expect_bad(h,
               "{\"EventID\":22,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
               "\"UtcTime\":\"2020-07-22 04:01:23\",\"QueryName\":\"a.example\","
               "\"QueryStatus\":\"SOME_NAME\"}",
               "invalid QueryStatus", "\"SOME_NAME\"");
    expect_bad(h,
               "{\"EventID\":22,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
               "\"UtcTime\":\"2020-07-22 04:01:23\"}",
               "missing QueryName", "QueryName");
    assert_int_equal(counter(h->diag.skipped, h->diag.nskipped, "sysmon-json", "invalid UtcTime"),
                     1);
}

static void layout_match(void **state)
{
    harness *h = *state;
    json_error err;
    static const struct {
        const char *text;
        bool match;
    } cases[] = {
        {"{\"EventID\":3,\"Channel\":\"x\"}", true},
        {"{\"EventID\":3,\"SourceName\":\"x\"}", true},
        {"{\"event_id\":3,\"log_name\":\"x\"}", true},
        {"{\"winlog\":{\"event_id\":3}}", true},
        {"{\"EventID\":3}", false},
        {"{\"winlog\":\"x\"}", false},
        {"{\"Timestamp\":\"2024-01-01T00:00:00Z\",\"ActionType\":\"ConnectionSuccess\"}", false},
        {"{\"ts\":1.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\"}", false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(json_parse(&h->ctx.json, cases[i].text, strlen(cases[i].text), &err), 0);
        if (ih_layout_sysmon.match(&h->ctx.json, 0) != cases[i].match)
            fail_msg("match(%s) should be %d", cases[i].text, cases[i].match);
    }
}

/* --- Real data --- */

/* The real data folder, or NULL after saying why the test is skipped. */
static const char *real_data_dir(const char *sub, char *path, size_t cap)
{
    const char *base = getenv("INFRAHUNT_DATA");
    if (!base || !*base)
        base = "../shared/data";
    snprintf(path, cap, "%s/%s", base, sub);
    DIR *d = opendir(path);
    if (!d) {
        print_message("real data missing: %s not found (set INFRAHUNT_DATA); test skipped\n", path);
        return NULL;
    }
    closedir(d);
    return path;
}

/*
 * Event ID of a line by plain string search, independently of the JSON
 * scanner under test: nxlog writes "EventID":3 and winlogbeat "event_id":3.
 * (jansson cannot be the oracle here: its JSON_* names clash with json.h.)
 */
static long searched_event_id(const char *line)
{
    static const char *const keys[] = {"\"EventID\":", "\"event_id\":"};

    for (size_t i = 0; i < 2; i++) {
        const char *p = strstr(line, keys[i]);
        if (!p)
            continue;
        p += strlen(keys[i]);
        if (*p == '"')
            p++;
        char *end;
        long eid = strtol(p, &end, 10);
        return end > p && (*end == ',' || *end == '}' || *end == '"') ? eid : -1;
    }
    return -1;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool same_device(const ih_conn *a, const ih_conn *b)
{
    return a->device_name.len == b->device_name.len &&
           memcmp(a->device_name.ptr, b->device_name.ptr, a->device_name.len) == 0;
}

/* True when addr is the local address of one of the device's outbound connections. */
static bool is_device_address(const capture *cap, const ih_conn *on, const ih_addr *addr)
{
    for (size_t i = 0; i < cap->nconns; i++) {
        const ih_conn *c = &cap->conns[i];
        if (c->direction == IH_DIR_OUTBOUND && same_device(c, on) &&
            ih_addr_equal(&c->local_addr, addr))
            return true;
    }
    return false;
}

/*
 * Checks the side chosen for each accepted connection against the addresses
 * the same device used for its outbound connections, where exactly one side
 * is such an address.
 */
static void check_inbound_sides(const capture *cap, size_t *known, size_t *wrong)
{
    for (size_t i = 0; i < cap->nconns; i++) {
        const ih_conn *c = &cap->conns[i];
        if (c->direction != IH_DIR_INBOUND)
            continue;
        bool local_is_device = is_device_address(cap, c, &c->local_addr);
        bool remote_is_device = is_device_address(cap, c, &c->remote_addr);
        if (local_is_device == remote_is_device)
            continue;
        (*known)++;
        if (remote_is_device)
            (*wrong)++;
    }
}

static void real_sysmon_files_yield_one_event_per_line(void **state)
{
    harness *h = *state;
    char dir[4096], path[8192];

    if (!real_data_dir("sysmon-mordor/sysmon-net", dir, sizeof(dir)))
        skip();

    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256];
    size_t nnames = 0;
    for (struct dirent *e; (e = readdir(d)) && nnames < 256;) {
        size_t n = strlen(e->d_name);
        if (n > 6 && strcmp(e->d_name + n - 6, ".jsonl") == 0)
            names[nnames++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nnames, sizeof(names[0]), compare_names);
    assert_true(nnames > 0);

    size_t total_lines = 0, total_conn = 0, total_dns = 0, inbound_known = 0, inbound_wrong = 0;
    for (size_t f = 0; f < nnames; f++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[f]);
        FILE *in = fopen(path, "r");
        assert_non_null(in);
        char *line = NULL;
        size_t cap = 0, lines = 0, want_conn = 0, want_dns = 0;
        ssize_t n;

        capture_clear(&h->cap);
        h->ctx.origin.file = path;
        h->ctx.origin.line = 1;
        while ((n = getline(&line, &cap, in)) > 0) {
            if (line[n - 1] == '\n')
                line[--n] = '\0';
            long eid = searched_event_id(line);
            want_conn += eid == 3;
            want_dns += eid == 22;
            size_t before = h->cap.nconns + h->cap.ndnss;
            assert_int_equal(feed(h, line), 1);
            if (h->cap.nconns + h->cap.ndnss != before + 1)
                fail_msg("%s:%zu gave no event: %s", names[f], lines + 1,
                         h->diag.nmsgs ? h->diag.msgs[h->diag.nmsgs - 1].text : "no message");
            lines++;
        }
        free(line);
        fclose(in);

        if (h->diag.errors != 0)
            fail_msg("%s: %llu bad records, first: %s", names[f],
                     (unsigned long long)h->diag.errors, h->diag.msgs[0].text);
        assert_int_equal(h->cap.nconns, want_conn);
        assert_int_equal(h->cap.ndnss, want_dns);
        assert_int_equal(want_conn + want_dns, lines);
        for (size_t i = 0; i < h->cap.nconns; i++) {
            assert_true(h->cap.conns[i].time != IH_TIME_NONE);
            assert_true(ih_str_known(h->cap.conns[i].device_name));
            assert_true(h->cap.conns[i].direction != IH_DIR_UNKNOWN);
            assert_true(h->cap.conns[i].remote_addr.family != IH_AF_NONE);
            assert_true(h->cap.conns[i].process_id >= 0);
        }
        check_inbound_sides(&h->cap, &inbound_known, &inbound_wrong);
        print_message("%s: %zu lines, %zu conn, %zu dns\n", names[f], lines, h->cap.nconns,
                      h->cap.ndnss);
        total_lines += lines;
        total_conn += h->cap.nconns;
        total_dns += h->cap.ndnss;
        free(names[f]);
    }
    print_message("all files: %zu lines, %zu conn, %zu dns\n", total_lines, total_conn, total_dns);
    print_message("accepted connections whose local side is known from the device's own "
                  "outbound connections: %zu, device put on the wrong side: %zu\n",
                  inbound_known, inbound_wrong);
    /* The one miss is NTP, port 123 on both sides, with no host names. */
    assert_true(inbound_known > 50);
    assert_true(inbound_wrong <= 1);
}

/* The Empire agent in empire_dllinjection beacons from powershell.exe to 10.10.10.5:80. */
static void real_beacon_connections(void **state)
{
    harness *h = *state;
    char dir[4096], path[8192];

    if (!real_data_dir("sysmon-mordor/sysmon-net", dir, sizeof(dir)))
        skip();
    snprintf(path, sizeof(path), "%s/empire_dllinjection_LoadLibrary_CreateRemoteThread.jsonl",
             dir);
    FILE *in = fopen(path, "r");
    if (!in) {
        print_message("real data missing: %s; test skipped\n", path);
        skip();
    }
    char *line = NULL;
    size_t cap = 0, beacon = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        assert_int_equal(feed(h, line), 1);
    }
    free(line);
    fclose(in);

    for (size_t i = 0; i < h->cap.nconns; i++) {
        const ih_conn *c = &h->cap.conns[i];
        char text[IH_ADDR_TEXT_MAX];
        ih_addr_format(&c->remote_addr, text);
        if (strcmp(text, "10.10.10.5") == 0 && c->remote_port == 80) {
            assert_str(c->process_name, "powershell.exe");
            assert_int_equal(c->direction, IH_DIR_OUTBOUND);
            beacon++;
        }
    }
    assert_int_equal(beacon, 51);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(flat_outbound_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(winlogbeat_outbound_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(inbound_connection_swaps_sides, setup, teardown),
        cmocka_unit_test_setup_teardown(inbound_source_local_by_port, setup, teardown),
        cmocka_unit_test_setup_teardown(inbound_defaults_to_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(hostname_empty_stays_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(ipv6_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_initiated_leaves_direction_unknown, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ecs_module_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(ecs_dotted_keys_inbound, setup, teardown),
        cmocka_unit_test_setup_teardown(ecs_event_data_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(forwarded_events_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(process_id_from_message, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_query_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_query_status_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_query_ecs_module, setup, teardown),
        cmocka_unit_test_setup_teardown(dns_answers_beyond_limit_are_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(other_channels_and_events_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_values_are_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(layout_match, setup, teardown),
        cmocka_unit_test_setup_teardown(real_sysmon_files_yield_one_event_per_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(real_beacon_connections, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
