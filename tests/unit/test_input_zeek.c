/*
 * Unit tests of the Zeek reader: TSV headers and records, the JSON layout,
 * the conn_state and direction mapping, bad values, and a check against real
 * Zeek logs when the data directory is present.
 *
 * Real logs are read from $INFRAHUNT_DATA (default ../shared/data, relative to
 * the repository root, where `make unit` runs the tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "../../src/event/addr.h"
#include "../../src/input/input.h"

/* ---- Capture sink: copies the checked fields, as event strings live only during the call ---- */

#define MAX_CONNS 64
#define MAX_DNS 8

typedef struct captured_text {
    bool known;
    char text[128];
} captured_text;

typedef struct captured_conn {
    ih_time time;
    captured_text device_id, device_name, remote_ip_text, action_name, remote_name;
    ih_addr local_addr, remote_addr;
    int32_t local_port, remote_port;
    uint8_t protocol, direction, action;
    uint64_t bytes_sent, bytes_received;
    const char *format;
    uint64_t line;
} captured_conn;

typedef struct captured_answer {
    uint8_t kind;
    ih_addr addr;
    captured_text text;
    int64_t ttl_s;
} captured_answer;

typedef struct captured_dns {
    ih_time time;
    captured_text device_id, query_name, query_type_name, rcode_name;
    ih_addr client_addr, server_addr;
    int32_t query_type, rcode;
    size_t answer_count, answers_dropped;
    captured_answer answers[IH_DNS_MAX_ANSWERS];
    const char *format;
} captured_dns;

typedef struct fixture {
    ih_sink sink;
    ih_diag diag;
    ih_read_ctx ctx;
    void *tsv;
    captured_conn conns[MAX_CONNS];
    size_t nconns; /* events seen, even past MAX_CONNS */
    captured_dns dns[MAX_DNS];
    size_t ndns;
    uint64_t line;
} fixture;

static void copy_text(captured_text *out, ih_str s)
{
    out->known = s.ptr != NULL;
    size_t n = s.len < sizeof(out->text) - 1 ? s.len : sizeof(out->text) - 1;
    if (n)
        memcpy(out->text, s.ptr, n);
    out->text[n] = '\0';
}

static int capture_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    fixture *f = s->ctx;

    if (f->nconns < MAX_CONNS) {
        captured_conn *k = &f->conns[f->nconns];
        k->time = c->time;
        copy_text(&k->device_id, c->device_id);
        copy_text(&k->device_name, c->device_name);
        copy_text(&k->remote_ip_text, c->remote_ip_text);
        copy_text(&k->action_name, c->action_name);
        copy_text(&k->remote_name, c->remote_name);
        k->local_addr = c->local_addr;
        k->remote_addr = c->remote_addr;
        k->local_port = c->local_port;
        k->remote_port = c->remote_port;
        k->protocol = c->protocol;
        k->direction = c->direction;
        k->action = c->action;
        k->bytes_sent = c->bytes_sent;
        k->bytes_received = c->bytes_received;
        k->format = o->format;
        k->line = o->line;
    }
    f->nconns++;
    return 0;
}

static int capture_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    fixture *f = s->ctx;

    if (f->ndns < MAX_DNS) {
        captured_dns *k = &f->dns[f->ndns];
        k->time = d->time;
        copy_text(&k->device_id, d->device_id);
        copy_text(&k->query_name, d->query_name);
        copy_text(&k->query_type_name, d->query_type_name);
        copy_text(&k->rcode_name, d->rcode_name);
        k->client_addr = d->client_addr;
        k->server_addr = d->server_addr;
        k->query_type = d->query_type;
        k->rcode = d->rcode;
        k->answer_count = d->answer_count;
        k->answers_dropped = d->answers_dropped;
        for (size_t i = 0; i < d->answer_count; i++) {
            k->answers[i].kind = d->answers[i].kind;
            k->answers[i].addr = d->answers[i].addr;
            copy_text(&k->answers[i].text, d->answers[i].text);
            k->answers[i].ttl_s = d->answers[i].ttl_s;
        }
        k->format = o->format;
    }
    f->ndns++;
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->sink.conn = capture_conn;
    f->sink.dns = capture_dns;
    f->sink.ctx = f;
    ih_diag_init(&f->diag, false);
    ih_read_ctx_init(&f->ctx, &f->sink, &f->diag);
    f->ctx.origin.file = "test.log";
    f->tsv = ih_reader_zeek_tsv.open(&f->ctx);
    if (!f->tsv)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    ih_reader_zeek_tsv.close(f->tsv, &f->ctx);
    ih_read_ctx_free(&f->ctx);
    ih_diag_free(&f->diag);
    free(f);
    return 0;
}

/* Feeds one line as the framework does, with origin set and scratch reset. Returns the status. */
static int feed_line(fixture *f, const char *line, size_t len)
{
    f->ctx.origin.line = ++f->line;
    f->ctx.origin.format = ih_reader_zeek_tsv.name;
    ih_read_reset(&f->ctx);
    return ih_reader_zeek_tsv.line(f->tsv, line, len, &f->ctx);
}

/* Feeds text split at '\n'. Every line must be read without a fatal status. */
static void feed_tsv(fixture *f, const char *text)
{
    while (*text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        assert_true(feed_line(f, text, len) >= 0);
        text += len + (end ? 1 : 0);
    }
}

/* Parses line as JSON and hands it to the Zeek layout. Returns -2 when the layout rejects it. */
static int feed_json(fixture *f, const char *line)
{
    json_error err;

    f->ctx.origin.line = ++f->line;
    f->ctx.origin.format = "json";
    ih_read_reset(&f->ctx);
    assert_int_equal(json_parse(&f->ctx.json, line, strlen(line), &err), 0);
    if (!ih_layout_zeek.match(&f->ctx.json, 0))
        return -2;
    return ih_layout_zeek.record(&f->ctx.json, 0, &f->ctx);
}

static uint64_t counter(const ih_counter *c, size_t n, const char *source, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].source, source) == 0 && strcmp(c[i].name, name) == 0)
            return c[i].count;
    return 0;
}

static uint64_t skipped(fixture *f, const char *source, const char *reason)
{
    return counter(f->diag.skipped, f->diag.nskipped, source, reason);
}

static uint64_t records_read(fixture *f, const char *source)
{
    ih_read_ctx_flush(&f->ctx);
    return counter(f->diag.read, f->diag.nread, source, "records");
}

/* True when one of the kept diagnostic messages is exactly text. */
static bool has_message(const fixture *f, const char *text)
{
    for (size_t i = 0; i < f->diag.nmsgs; i++)
        if (strcmp(f->diag.msgs[i].text, text) == 0)
            return true;
    return false;
}

static void assert_addr(const ih_addr *a, const char *text)
{
    char out[IH_ADDR_TEXT_MAX];
    ih_addr_format(a, out);
    assert_string_equal(out, text);
}

/* ---- TSV fixtures ---- */

#define HEADER_START                                                                               \
    "#separator \\x09\n"                                                                           \
    "#set_separator\t,\n"                                                                          \
    "#empty_field\t(empty)\n"                                                                      \
    "#unset_field\t-\n"

#define CONN_FIELDS                                                                                \
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"     \
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"          \
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"                         \
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t" \
    "bool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"

#define CONN_HEADER HEADER_START "#path\tconn\n#open\t2024-04-19-00-00-01\n" CONN_FIELDS

#define DNS_FIELDS                                                                                 \
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\t"  \
    "qclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\t"      \
    "TTLs\trejected\n"                                                                             \
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\t" \
    "count\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\t"                \
    "vector[interval]\tbool\n"

#define DNS_HEADER HEADER_START "#path\tdns\n#open\t2024-04-19-00-00-01\n" DNS_FIELDS

/* The columns of a conn.log record that the tests vary. */
typedef struct conn_spec {
    const char *orig_h, *orig_p, *resp_h, *resp_p, *proto;
    const char *orig_bytes, *resp_bytes, *state, *local_orig, *local_resp, *resp_pkts;
} conn_spec;

static void conn_line(char *out, size_t cap, const conn_spec *s)
{
    snprintf(out, cap,
             "1713484795.943239\tCuid1\t%s\t%s\t%s\t%s\t%s\t-\t0.5\t%s\t%s\t%s\t%s\t%s\t0\tShAD\t"
             "3\t180\t%s\t200\t(empty)",
             s->orig_h, s->orig_p, s->resp_h, s->resp_p, s->proto, s->orig_bytes, s->resp_bytes,
             s->state, s->local_orig, s->local_resp, s->resp_pkts);
}

static const conn_spec outbound_tcp = {
    "10.0.0.5", "49152", "93.184.216.34", "443", "tcp", "120", "4500", "SF", "T", "F", "4"};

static void feed_conn(fixture *f, const conn_spec *s)
{
    char line[512];
    conn_line(line, sizeof(line), s);
    assert_true(feed_line(f, line, strlen(line)) >= 0);
}

/* ---- Probe ---- */

static void test_probe_scores(void **state)
{
    (void)state;
    const char tsv[] = "#separator \\x09\n#set_separator\t,\n";
    const char tab_first[] = "\t#separator \\x09\n";
    const char fields[] = "#fields\tts\tuid\n";
    const char json[] = "{\"ts\":1.0}\n";

    assert_int_equal(ih_reader_zeek_tsv.probe(tsv, sizeof(tsv) - 1), 100);
    assert_int_equal(ih_reader_zeek_tsv.probe(tab_first, sizeof(tab_first) - 1), 100);
    assert_int_equal(ih_reader_zeek_tsv.probe(fields, sizeof(fields) - 1), 60);
    assert_int_equal(ih_reader_zeek_tsv.probe(json, sizeof(json) - 1), 0);
    assert_int_equal(ih_reader_zeek_tsv.probe("", 0), 0);
}

/* ---- TSV conn.log ---- */

static void test_tsv_conn_header_record(void **state)
{
    fixture *f = *state;

    feed_tsv(f, CONN_HEADER);
    assert_int_equal(f->nconns, 0);
    feed_conn(f, &outbound_tcp);

    assert_int_equal(f->nconns, 1);
    captured_conn *c = &f->conns[0];
    assert_int_equal(c->time, INT64_C(1713484795943239000));
    assert_string_equal(c->format, "zeek-conn-tsv");
    assert_string_equal(c->device_id.text, "10.0.0.5");
    assert_string_equal(c->device_name.text, "10.0.0.5");
    assert_addr(&c->local_addr, "10.0.0.5");
    assert_addr(&c->remote_addr, "93.184.216.34");
    assert_string_equal(c->remote_ip_text.text, "93.184.216.34");
    assert_int_equal(c->local_port, 49152);
    assert_int_equal(c->remote_port, 443);
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_int_equal(c->direction, IH_DIR_OUTBOUND);
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
    assert_string_equal(c->action_name.text, "SF");
    assert_int_equal(c->bytes_sent, 120);
    assert_int_equal(c->bytes_received, 4500);
    assert_false(c->remote_name.known);
    assert_int_equal(records_read(f, "zeek-conn-tsv"), 1);
    assert_int_equal(f->diag.errors, 0);
}

static void test_tsv_extra_columns(void **state)
{
    fixture *f = *state;

    /* _node_name first, label and detailedlabel last, as in RITA and Stratosphere logs. */
    feed_tsv(f, HEADER_START
             "#path\tconn\n"
             "#fields\t_node_name\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
             "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tresp_pkts\tlabel\t"
             "detailedlabel\n"
             "worker-eth0-1\t1655071198.444458\tC1\t147.32.81.167\t62771\t40.74.108.123\t443\t"
             "tcp\t1596\t4039\tSF\tT\tF\t16\tBenign\tMicrosoft\n");

    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->diag.errors, 0);
    assert_string_equal(f->conns[0].device_id.text, "147.32.81.167");
    assert_int_equal(f->conns[0].remote_port, 443);
    assert_int_equal(f->conns[0].bytes_sent, 1596);
    assert_int_equal(f->conns[0].bytes_received, 4039);
    assert_int_equal(f->conns[0].time, INT64_C(1655071198444458000));
}

static void test_tsv_bytes_unset_empty_zero(void **state)
{
    fixture *f = *state;
    conn_spec unset = outbound_tcp, zero = outbound_tcp, empty = outbound_tcp;

    unset.orig_bytes = "-";
    unset.resp_bytes = "-";
    zero.orig_bytes = "0";
    zero.resp_bytes = "0";
    empty.orig_bytes = "(empty)";
    feed_tsv(f, CONN_HEADER);
    feed_conn(f, &unset);
    feed_conn(f, &zero);
    feed_conn(f, &empty);

    assert_int_equal(f->nconns, 2);
    assert_int_equal(f->conns[0].bytes_sent, IH_UNKNOWN_BYTES);
    assert_int_equal(f->conns[0].bytes_received, IH_UNKNOWN_BYTES);
    assert_int_equal(f->conns[1].bytes_sent, 0);
    assert_int_equal(f->conns[1].bytes_received, 0);
    /* (empty) is Zeek's marker for an empty string or set, never a count. */
    assert_int_equal(f->diag.errors, 1);
    assert_true(has_message(f, "invalid count: orig_bytes ''"));
}

static void test_tsv_unset_strings(void **state)
{
    fixture *f = *state;
    conn_spec s = outbound_tcp;

    s.state = "-";
    s.proto = "-";
    s.orig_p = "-";
    feed_tsv(f, CONN_HEADER);
    feed_conn(f, &s);

    assert_int_equal(f->nconns, 1);
    assert_false(f->conns[0].action_name.known);
    assert_int_equal(f->conns[0].protocol, IH_PROTO_UNKNOWN);
    assert_int_equal(f->conns[0].local_port, IH_UNKNOWN_PORT);
    assert_int_equal(f->conns[0].action, IH_ACTION_ATTEMPT);
}

/* One conn_state case: the action expected for a record seen from each side. */
typedef struct state_case {
    const char *proto, *state, *resp_bytes, *resp_pkts;
    enum ih_action outbound, inbound;
} state_case;

static void test_conn_state_mapping(void **state)
{
    fixture *f = *state;
    static const state_case cases[] = {
        {"tcp", "S1", "0", "1", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"tcp", "S2", "0", "1", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"tcp", "S3", "0", "1", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"tcp", "SF", "10", "3", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"tcp", "RSTO", "0", "1", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"tcp", "RSTR", "0", "2", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"tcp", "S0", "-", "0", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"tcp", "SH", "-", "0", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"tcp", "SHR", "-", "1", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"tcp", "OTH", "-", "1", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"tcp", "RSTOS0", "-", "0", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"tcp", "RSTRH", "-", "1", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"tcp", "XYZ", "-", "1", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"tcp", "REJ", "0", "1", IH_ACTION_FAILED, IH_ACTION_FAILED},
        /* No handshake: a reply from the responder is what counts. */
        {"udp", "SF", "-", "-", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"udp", "S0", "0", "0", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"udp", "S0", "-", "-", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"udp", "SHR", "0", "2", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"icmp", "OTH", "0", "1", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"icmp", "OTH", "56", "0", IH_ACTION_SUCCESS, IH_ACTION_INBOUND},
        {"icmp", "OTH", "-", "0", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
        {"unknown_transport", "OTH", "0", "0", IH_ACTION_ATTEMPT, IH_ACTION_ATTEMPT},
    };
    const size_t n = sizeof(cases) / sizeof(cases[0]);

    assert_true(2 * n <= MAX_CONNS);
    feed_tsv(f, CONN_HEADER);
    for (size_t i = 0; i < n; i++) {
        conn_spec s = outbound_tcp;
        s.proto = cases[i].proto;
        s.state = cases[i].state;
        s.resp_bytes = cases[i].resp_bytes;
        s.resp_pkts = cases[i].resp_pkts;
        feed_conn(f, &s);
        s.local_orig = "F";
        s.local_resp = "T";
        feed_conn(f, &s);
    }

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->nconns, 2 * n);
    for (size_t i = 0; i < n; i++) {
        const captured_conn *out = &f->conns[2 * i], *in = &f->conns[2 * i + 1];
        if (out->action != cases[i].outbound)
            fail_msg("%s %s outbound: action %s, expected %s", cases[i].proto, cases[i].state,
                     ih_action_name(out->action), ih_action_name(cases[i].outbound));
        if (in->action != cases[i].inbound)
            fail_msg("%s %s inbound: action %s, expected %s", cases[i].proto, cases[i].state,
                     ih_action_name(in->action), ih_action_name(cases[i].inbound));
        assert_string_equal(out->action_name.text, cases[i].state);
    }
}

static void test_direction_and_device(void **state)
{
    fixture *f = *state;
    const char *flags[][2] = {{"T", "F"}, {"F", "T"}, {"T", "T"},
                              {"F", "F"}, {"-", "-"}, {"T", "-"}};
    const enum ih_direction expected[] = {IH_DIR_OUTBOUND, IH_DIR_INBOUND, IH_DIR_LOCAL,
                                          IH_DIR_UNKNOWN,  IH_DIR_UNKNOWN, IH_DIR_UNKNOWN};

    feed_tsv(f, CONN_HEADER);
    for (size_t i = 0; i < 6; i++) {
        conn_spec s = outbound_tcp;
        s.local_orig = flags[i][0];
        s.local_resp = flags[i][1];
        feed_conn(f, &s);
    }
    assert_int_equal(f->nconns, 6);

    for (size_t i = 0; i < 6; i++)
        assert_int_equal(f->conns[i].direction, expected[i]);

    /* Inbound: the responder is the device, and bytes and ports turn around. */
    const captured_conn *in = &f->conns[1];
    assert_string_equal(in->device_id.text, "93.184.216.34");
    assert_addr(&in->local_addr, "93.184.216.34");
    assert_addr(&in->remote_addr, "10.0.0.5");
    assert_string_equal(in->remote_ip_text.text, "10.0.0.5");
    assert_int_equal(in->local_port, 443);
    assert_int_equal(in->remote_port, 49152);
    assert_int_equal(in->bytes_sent, 4500);
    assert_int_equal(in->bytes_received, 120);
    assert_int_equal(in->action, IH_ACTION_INBOUND);

    /* Local, neither local, and unknown: the originator is the device. */
    for (size_t i = 2; i < 6; i++) {
        assert_string_equal(f->conns[i].device_id.text, "10.0.0.5");
        assert_int_equal(f->conns[i].remote_port, 443);
        assert_int_equal(f->conns[i].bytes_sent, 120);
        assert_int_equal(f->conns[i].action, IH_ACTION_SUCCESS);
    }
}

static void test_icmp_ports_unknown(void **state)
{
    fixture *f = *state;
    conn_spec s = outbound_tcp;

    s.proto = "icmp";
    s.orig_p = "8";
    s.resp_p = "0";
    s.state = "OTH";
    feed_tsv(f, CONN_HEADER);
    feed_conn(f, &s);

    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->conns[0].protocol, IH_PROTO_ICMP);
    assert_int_equal(f->conns[0].local_port, IH_UNKNOWN_PORT);
    assert_int_equal(f->conns[0].remote_port, IH_UNKNOWN_PORT);
}

static void test_tsv_ipv6_addresses(void **state)
{
    fixture *f = *state;
    conn_spec s = outbound_tcp;

    s.orig_h = "2001:718:2:1663:dc58:6d9:ef13:51a5";
    s.resp_h = "2001:718:2:1611:0:1:0:90";
    feed_tsv(f, CONN_HEADER);
    feed_conn(f, &s);

    assert_int_equal(f->nconns, 1);
    assert_string_equal(f->conns[0].device_id.text, "2001:718:2:1663:dc58:6d9:ef13:51a5");
    assert_int_equal(f->conns[0].remote_addr.family, IH_AF_INET6);
    assert_addr(&f->conns[0].remote_addr, "2001:718:2:1611:0:1:0:90");
}

static void test_tsv_bad_values(void **state)
{
    fixture *f = *state;
    conn_spec bad_addr = outbound_tcp, bad_port = outbound_tcp, big_port = outbound_tcp;
    conn_spec bad_bytes = outbound_tcp, bad_bool = outbound_tcp, bad_pkts = outbound_tcp;
    conn_spec no_addr = outbound_tcp;

    bad_addr.resp_h = "10.0.0.999";
    bad_port.orig_p = "http";
    big_port.resp_p = "65536";
    bad_bytes.resp_bytes = "12k";
    bad_bool.local_orig = "yes";
    bad_pkts.resp_pkts = "-3";
    no_addr.orig_h = "-";

    feed_tsv(f, CONN_HEADER);
    feed_tsv(f, "17134847x5.9\tCuid1\t10.0.0.5\t1\t10.0.0.6\t2\ttcp\t-\t0.5\t1\t1\tSF\tT\tF\t0\t"
                "ShAD\t3\t180\t1\t200\t(empty)\n");
    feed_conn(f, &bad_addr);
    feed_conn(f, &bad_port);
    feed_conn(f, &big_port);
    feed_conn(f, &bad_bytes);
    feed_conn(f, &bad_bool);
    feed_conn(f, &bad_pkts);
    feed_conn(f, &no_addr);
    feed_conn(f, &outbound_tcp);

    /* Each bad record is skipped and reading goes on. */
    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->diag.errors, 8);
    assert_int_equal(records_read(f, "zeek-conn-tsv"), 9);
    assert_int_equal(skipped(f, "zeek-conn-tsv", "invalid time"), 1);
    assert_int_equal(skipped(f, "zeek-conn-tsv", "invalid address"), 1);
    assert_int_equal(skipped(f, "zeek-conn-tsv", "invalid port"), 2);
    assert_int_equal(skipped(f, "zeek-conn-tsv", "invalid count"), 2);
    assert_int_equal(skipped(f, "zeek-conn-tsv", "invalid boolean"), 1);
    assert_int_equal(skipped(f, "zeek-conn-tsv", "missing value"), 1);
    assert_true(has_message(f, "invalid time: ts '17134847x5.9'"));
    assert_true(has_message(f, "invalid address: id.resp_h '10.0.0.999'"));
    assert_true(has_message(f, "invalid port: id.orig_p 'http'"));
    assert_true(has_message(f, "invalid port: id.resp_p '65536'"));
    assert_true(has_message(f, "invalid count: resp_bytes '12k'"));
    assert_true(has_message(f, "invalid boolean: local_orig 'yes'"));
    assert_true(has_message(f, "invalid count: resp_pkts '-3'"));
    assert_true(has_message(f, "missing value: id.orig_h is absent or unset"));
    assert_int_equal(f->diag.msgs[0].line, 9);
}

static void test_tsv_wrong_column_count(void **state)
{
    fixture *f = *state;
    char line[512];

    feed_tsv(f, CONN_HEADER);
    conn_line(line, sizeof(line), &outbound_tcp);
    /* A truncated last line, and a record with one column too many. */
    assert_int_equal(feed_line(f, line, 40), 1);
    strcat(line, "\textra");
    assert_int_equal(feed_line(f, line, strlen(line)), 1);

    assert_int_equal(f->nconns, 0);
    assert_int_equal(skipped(f, "zeek-conn-tsv", "wrong column count"), 2);
    assert_true(has_message(f, "wrong column count: 5 columns, expected 21 from #fields"));
    assert_true(has_message(f, "wrong column count: 22 columns, expected 21 from #fields"));
}

static void test_tsv_record_before_fields(void **state)
{
    fixture *f = *state;

    feed_tsv(f, HEADER_START "#path\tconn\n"
                             "1713484795.943239\tC1\t10.0.0.5\t1\t10.0.0.6\t2\ttcp\n" CONN_FIELDS);
    feed_conn(f, &outbound_tcp);

    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->diag.errors, 1);
    assert_int_equal(skipped(f, "zeek-tsv", "missing #fields header"), 1);
    assert_int_equal(records_read(f, "zeek-tsv"), 1);
    assert_true(has_message(f, "missing #fields header: no valid #fields line before record "
                               "'1713484795.943239?C1?10.0.0.5?1?10.0.0.6?2?tcp'"));
}

static void test_tsv_other_log_skipped(void **state)
{
    fixture *f = *state;

    feed_tsv(f, HEADER_START "#path\thttp\n"
                             "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\thost\n"
                             "1713484795.1\tC1\t10.0.0.5\t1\t10.0.0.6\t80\texample.com\n"
                             "1713484795.2\tC2\t10.0.0.5\t1\t10.0.0.6\t80\texample.com\n");

    assert_int_equal(f->nconns, 0);
    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(skipped(f, "zeek-tsv", "zeek log not used: http"), 2);
    assert_int_equal(records_read(f, "zeek-tsv"), 2);
}

static void test_tsv_concatenated_blocks(void **state)
{
    fixture *f = *state;

    feed_tsv(f, CONN_HEADER);
    feed_conn(f, &outbound_tcp);
    feed_tsv(f,
             "#close\t2024-04-19-01-00-00\n" DNS_HEADER
             "1713484800.441203\tC2\t64.225.56.201\t43250\t67.207.67.2\t53\tudp\t48095\t-\t"
             "11.57.141.209.in-addr.arpa\t1\tC_INTERNET\t12\tPTR\t3\tNXDOMAIN\tF\tF\tT\tF\t0\t-\t"
             "-\tF\n"
             "#close\t2024-04-19-01-00-00\n" CONN_HEADER);
    feed_conn(f, &outbound_tcp);

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->nconns, 2);
    assert_int_equal(f->ndns, 1);
    assert_string_equal(f->dns[0].format, "zeek-dns-tsv");
    assert_string_equal(f->dns[0].query_name.text, "11.57.141.209.in-addr.arpa");
    assert_int_equal(f->dns[0].query_type, 12);
    assert_string_equal(f->dns[0].rcode_name.text, "NXDOMAIN");
    assert_int_equal(f->dns[0].rcode, 3);
    assert_int_equal(f->dns[0].answer_count, 0);
    assert_int_equal(records_read(f, "zeek-conn-tsv"), 2);
    assert_int_equal(records_read(f, "zeek-dns-tsv"), 1);
}

static void test_tsv_leading_tab_header(void **state)
{
    fixture *f = *state;

    /* As in Slips' test10 conn.log, whose first line is "\t#separator \x09". */
    feed_tsv(f, "\t" CONN_HEADER);
    feed_conn(f, &outbound_tcp);
    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->diag.errors, 0);
}

static void test_tsv_invalid_header(void **state)
{
    fixture *f = *state;
    static char fields[8 * 1100];

    /* An empty set separator is rejected and ',' stays. An empty unset marker is allowed. */
    feed_tsv(f, "#separator \\x09\n#set_separator\t\n#unset_field\t\n#path\tdns\n" DNS_FIELDS);
    const char *record =
        "1.0\tC\t10.0.0.1\t1\t10.0.0.2\t53\tudp\t1\t0.1\ta.example\t1\tC_INTERNET\t"
        "\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t192.0.2.1,192.0.2.2\t5.0,6.0\tF";
    assert_int_equal(feed_line(f, record, strlen(record)), 1);
    assert_int_equal(f->diag.errors, 1);
    assert_true(has_message(f, "invalid Zeek header: #set_separator ''"));
    assert_int_equal(f->ndns, 1);
    assert_int_equal(f->dns[0].query_type, -1);
    assert_int_equal(f->dns[0].answer_count, 2);

    /* More than 1024 columns: the #fields line is rejected, so the next record has no header. */
    strcpy(fields, "#fields");
    for (int i = 0; i < 1100; i++)
        strcat(fields, "\tc");
    feed_line(f, fields, strlen(fields));
    feed_conn(f, &outbound_tcp);
    assert_true(has_message(f, "invalid Zeek header: #fields has more than 1024 columns"));
    assert_int_equal(skipped(f, "zeek-tsv", "missing #fields header"), 1);
}

/* ---- TSV dns.log ---- */

static void feed_dns(fixture *f, const char *query, const char *qtype, const char *qtype_name,
                     const char *answers, const char *ttls)
{
    char line[4096];
    snprintf(
        line, sizeof(line),
        "1601998366.786397\tCY\t10.0.2.15\t53879\t147.32.80.9\t53\tudp\t3478\t0.006970\t%s\t1\t"
        "C_INTERNET\t%s\t%s\t0\tNOERROR\tF\tF\tT\tT\t0\t%s\t%s\tF",
        query, qtype, qtype_name, answers, ttls);
    assert_true(feed_line(f, line, strlen(line)) >= 0);
}

static void test_tsv_dns_answers_and_ttls(void **state)
{
    fixture *f = *state;

    feed_tsv(f, DNS_HEADER);
    feed_dns(f, "www.msftncsi.com", "1", "A",
             "www.msftncsi.com.edgesuite.net,a1961.g2.akamai.net,195.113.232.73,195.113.232.89",
             "3178.000000,203.000000,19.000000");

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->ndns, 1);
    const captured_dns *d = &f->dns[0];
    assert_int_equal(d->time, INT64_C(1601998366786397000));
    assert_string_equal(d->device_id.text, "10.0.2.15");
    assert_addr(&d->client_addr, "10.0.2.15");
    assert_addr(&d->server_addr, "147.32.80.9");
    assert_string_equal(d->query_name.text, "www.msftncsi.com");
    assert_int_equal(d->query_type, 1);
    assert_string_equal(d->query_type_name.text, "A");
    assert_int_equal(d->rcode, 0);
    assert_int_equal(d->answer_count, 4);
    assert_int_equal(d->answers_dropped, 0);

    assert_int_equal(d->answers[0].kind, IH_ANSWER_CNAME);
    assert_string_equal(d->answers[0].text.text, "www.msftncsi.com.edgesuite.net");
    assert_int_equal(d->answers[0].ttl_s, 3178);
    assert_int_equal(d->answers[1].kind, IH_ANSWER_CNAME);
    assert_int_equal(d->answers[1].ttl_s, 203);
    assert_int_equal(d->answers[2].kind, IH_ANSWER_ADDR);
    assert_addr(&d->answers[2].addr, "195.113.232.73");
    assert_int_equal(d->answers[2].ttl_s, 19);
    /* One TTL fewer than answers: the last stays unknown. */
    assert_int_equal(d->answers[3].kind, IH_ANSWER_ADDR);
    assert_int_equal(d->answers[3].ttl_s, -1);
}

static void test_tsv_dns_answer_kinds(void **state)
{
    fixture *f = *state;

    feed_tsv(f, DNS_HEADER);
    feed_dns(f, "clients6.google.com", "28", "AAAA",
             "clients.l.google.com,2a00:1450:4014:80c::200e", "15.000000,105.000000");
    feed_dns(f, "example.com", "16", "TXT", "TXT 12 v=spf1 -all,<unknown type=65>", "300.0,60.0");
    feed_dns(f, "1.2.3.4.in-addr.arpa", "12", "PTR", "host.example.net", "86400.000000");
    feed_dns(f, "(empty)", "-", "-", "(empty)", "(empty)");
    feed_dns(f, "-", "0", "query-0", "-", "-");

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->ndns, 5);
    assert_int_equal(f->dns[0].answers[0].kind, IH_ANSWER_CNAME);
    assert_int_equal(f->dns[0].answers[1].kind, IH_ANSWER_ADDR);
    assert_int_equal(f->dns[0].answers[1].addr.family, IH_AF_INET6);
    assert_int_equal(f->dns[0].answers[1].ttl_s, 105);
    assert_int_equal(f->dns[1].answers[0].kind, IH_ANSWER_OTHER);
    assert_string_equal(f->dns[1].answers[0].text.text, "TXT 12 v=spf1 -all");
    assert_int_equal(f->dns[1].answers[1].kind, IH_ANSWER_OTHER);
    /* A PTR answer is the PTR target, not a CNAME. */
    assert_int_equal(f->dns[2].answers[0].kind, IH_ANSWER_OTHER);
    assert_int_equal(f->dns[2].answers[0].ttl_s, 86400);

    /* (empty) is an empty query and an empty list, and - is unset. */
    assert_true(f->dns[3].query_name.known);
    assert_string_equal(f->dns[3].query_name.text, "");
    assert_int_equal(f->dns[3].query_type, -1);
    assert_false(f->dns[3].query_type_name.known);
    assert_int_equal(f->dns[3].answer_count, 0);
    assert_false(f->dns[4].query_name.known);
    assert_int_equal(f->dns[4].query_type, 0);
    assert_int_equal(f->dns[4].answer_count, 0);
}

static void test_tsv_set_separator_and_escapes(void **state)
{
    fixture *f = *state;

    feed_tsv(f, "#separator \\x09\n#set_separator\t|\n#empty_field\t(empty)\n#unset_field\t-\n"
                "#path\tdns\n" DNS_FIELDS);
    /* \x2c is a comma inside one element, and \x7c the set separator itself. */
    feed_dns(f, "x\\x2dy.example", "1", "A", "odd\\x2cname|a\\x7cb|192.0.2.1", "10.5|20|30");

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->ndns, 1);
    const captured_dns *d = &f->dns[0];
    assert_string_equal(d->query_name.text, "x-y.example");
    assert_int_equal(d->answer_count, 3);
    assert_string_equal(d->answers[0].text.text, "odd,name");
    assert_int_equal(d->answers[0].kind, IH_ANSWER_OTHER);
    assert_string_equal(d->answers[1].text.text, "a|b");
    assert_int_equal(d->answers[2].kind, IH_ANSWER_ADDR);
    assert_int_equal(d->answers[0].ttl_s, 10);
    assert_int_equal(d->answers[2].ttl_s, 30);
}

static void test_tsv_dns_many_answers(void **state)
{
    fixture *f = *state;
    char answers[1024] = "", ttls[1024] = "";

    for (int i = 0; i < 40; i++) {
        char a[32], t[16];
        snprintf(a, sizeof(a), "%s192.0.2.%d", i ? "," : "", i + 1);
        snprintf(t, sizeof(t), "%s%d.000000", i ? "," : "", 100 + i);
        strcat(answers, a);
        strcat(ttls, t);
    }
    feed_tsv(f, DNS_HEADER);
    feed_dns(f, "pool.example", "1", "A", answers, ttls);

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->ndns, 1);
    assert_int_equal(f->dns[0].answer_count, IH_DNS_MAX_ANSWERS);
    assert_int_equal(f->dns[0].answers_dropped, 40 - IH_DNS_MAX_ANSWERS);
    assert_int_equal(f->dns[0].answers[IH_DNS_MAX_ANSWERS - 1].ttl_s, 100 + IH_DNS_MAX_ANSWERS - 1);
    assert_string_equal(f->dns[0].answers[IH_DNS_MAX_ANSWERS - 1].text.text, "192.0.2.32");
}

static void test_tsv_dns_bad_ttl(void **state)
{
    fixture *f = *state;

    feed_tsv(f, DNS_HEADER);
    feed_dns(f, "a.example", "1", "A", "192.0.2.1", "soon");
    feed_dns(f, "a.example", "x", "A", "192.0.2.1", "1.0");
    feed_dns(f, "a.example", "1", "A", "192.0.2.1", "1.0");

    assert_int_equal(f->ndns, 1);
    assert_int_equal(f->diag.errors, 2);
    assert_true(has_message(f, "invalid TTL: TTLs 'soon'"));
    assert_true(has_message(f, "invalid count: qtype 'x'"));
}

static void test_tsv_dns_path_guessed(void **state)
{
    fixture *f = *state;

    /* No #path line: the query column marks a dns.log. */
    feed_tsv(f, HEADER_START DNS_FIELDS);
    feed_dns(f, "a.example", "1", "A", "192.0.2.1", "1.0");
    assert_int_equal(f->ndns, 1);
    assert_int_equal(f->diag.errors, 0);
}

/* ---- JSON ---- */

static void test_json_conn_key_spellings(void **state)
{
    fixture *f = *state;

    assert_int_equal(
        feed_json(
            f, "{\"ts\":30.043784,\"uid\":\"C1\",\"id.orig_h\":\"10.0.2.15\",\"id.orig_p\":49158,"
               "\"id.resp_h\":\"195.113.232.73\",\"id.resp_p\":80,\"proto\":\"tcp\","
               "\"orig_bytes\":97,\"resp_bytes\":179,\"conn_state\":\"SF\","
               "\"local_orig\":true,\"local_resp\":false,\"resp_pkts\":5}"),
        1);
    assert_int_equal(
        feed_json(f, "{\"ts\":30.5,\"uid\":\"C2\",\"id_orig_h\":\"10.0.2.15\",\"id_orig_p\":49159,"
                     "\"id_resp_h\":\"195.113.232.73\",\"id_resp_p\":80,\"proto\":\"tcp\","
                     "\"conn_state\":\"S0\"}"),
        1);

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->nconns, 2);
    const captured_conn *a = &f->conns[0], *b = &f->conns[1];
    assert_string_equal(a->format, "zeek-conn-json");
    assert_int_equal(a->time, INT64_C(30043784000));
    assert_string_equal(a->device_id.text, "10.0.2.15");
    assert_addr(&a->remote_addr, "195.113.232.73");
    assert_int_equal(a->remote_port, 80);
    assert_int_equal(a->bytes_sent, 97);
    assert_int_equal(a->bytes_received, 179);
    assert_int_equal(a->direction, IH_DIR_OUTBOUND);
    assert_int_equal(a->action, IH_ACTION_SUCCESS);

    assert_string_equal(b->device_id.text, "10.0.2.15");
    assert_int_equal(b->local_port, 49159);
    assert_int_equal(b->bytes_sent, IH_UNKNOWN_BYTES);
    assert_int_equal(b->direction, IH_DIR_UNKNOWN);
    assert_int_equal(b->action, IH_ACTION_ATTEMPT);
    assert_int_equal(records_read(f, "zeek-conn-json"), 2);
}

static void test_json_dns_iso_time(void **state)
{
    fixture *f = *state;

    assert_int_equal(
        feed_json(
            f, "{\"_path\":\"dns\",\"_write_ts\":\"2018-03-24T17:15:20.866586Z\","
               "\"ts\":\"2018-03-24T17:15:20.865716Z\",\"uid\":\"CqKst53mF3det3eDV9\","
               "\"id.orig_h\":\"10.47.1.100\",\"id.orig_p\":41772,\"id.resp_h\":\"10.0.0.100\","
               "\"id.resp_p\":53,\"proto\":\"udp\",\"trans_id\":36329,\"query\":\"ise.wrccdc.org\","
               "\"qtype\":1,\"qtype_name\":\"A\",\"rcode\":0,\"rcode_name\":\"NOERROR\","
               "\"answers\":[\"ise.wrccdc.cpp.edu\",\"134.71.3.16\"],\"TTLs\":[2230.0,41830.0]}"),
        1);

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->ndns, 1);
    const captured_dns *d = &f->dns[0];
    assert_string_equal(d->format, "zeek-dns-json");
    assert_int_equal(d->time, INT64_C(1521911720865716000));
    assert_string_equal(d->device_id.text, "10.47.1.100");
    assert_string_equal(d->query_name.text, "ise.wrccdc.org");
    assert_string_equal(d->rcode_name.text, "NOERROR");
    assert_int_equal(d->answer_count, 2);
    assert_int_equal(d->answers[0].kind, IH_ANSWER_CNAME);
    assert_int_equal(d->answers[0].ttl_s, 2230);
    assert_int_equal(d->answers[1].kind, IH_ANSWER_ADDR);
    assert_int_equal(d->answers[1].ttl_s, 41830);
}

static void test_json_stream_mixing(void **state)
{
    fixture *f = *state;

    assert_int_equal(feed_json(f, "{\"@stream\":\"conn\",\"ts\":1.0,\"uid\":\"C1\","
                                  "\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"10.0.0.2\","
                                  "\"proto\":\"udp\",\"conn_state\":\"S0\"}"),
                     1);
    assert_int_equal(feed_json(f, "{\"@stream\":\"dns\",\"ts\":2.0,\"uid\":\"C2\","
                                  "\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"10.0.0.53\","
                                  "\"query\":\"a.example\",\"answers\":null}"),
                     1);
    assert_int_equal(feed_json(f, "{\"@stream\":\"http\",\"ts\":3.0,\"uid\":\"C3\","
                                  "\"id.orig_h\":\"10.0.0.1\",\"id.resp_h\":\"10.0.0.2\"}"),
                     1);
    /* @stream wins over keys that look like another log. */
    assert_int_equal(feed_json(f, "{\"@stream\":\"weird\",\"ts\":4.0,\"uid\":\"C4\","
                                  "\"id.orig_h\":\"10.0.0.1\",\"query\":\"x\"}"),
                     1);
    /* Without a stream name, the columns tell dns from conn. */
    assert_int_equal(feed_json(f, "{\"ts\":5.0,\"uid\":\"C5\",\"id.orig_h\":\"10.0.0.1\","
                                  "\"id.resp_h\":\"10.0.0.53\",\"qtype\":28}"),
                     1);
    assert_int_equal(feed_json(f, "{\"ts\":6.0,\"uid\":\"C6\",\"id.orig_h\":\"10.0.0.1\","
                                  "\"id.resp_h\":\"10.0.0.2\",\"method\":\"GET\"}"),
                     1);
    /* Not Zeek at all. */
    assert_int_equal(feed_json(f, "{\"src_ip\":\"10.0.0.1\",\"event_type\":\"flow\"}"), -2);

    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->ndns, 2);
    assert_int_equal(f->dns[1].query_type, 28);
    assert_int_equal(skipped(f, "zeek-json", "zeek log not used: http"), 1);
    assert_int_equal(skipped(f, "zeek-json", "zeek log not used: weird"), 1);
    assert_int_equal(skipped(f, "zeek-json", "zeek log not used: unknown"), 1);
    assert_int_equal(records_read(f, "zeek-json"), 3);
    assert_int_equal(records_read(f, "zeek-conn-json"), 1);
    assert_int_equal(records_read(f, "zeek-dns-json"), 2);
}

static void test_json_bad_values(void **state)
{
    fixture *f = *state;

    feed_json(f,
              "{\"_path\":\"conn\",\"ts\":\"yesterday\",\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
              "\"id.resp_h\":\"10.0.0.2\"}");
    feed_json(f, "{\"_path\":\"conn\",\"ts\":1.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
                 "\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":\"eighty\"}");
    feed_json(f, "{\"_path\":\"conn\",\"ts\":1.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
                 "\"id.resp_h\":\"10.0.0.2\",\"orig_bytes\":1.5}");
    feed_json(f, "{\"_path\":\"conn\",\"ts\":1.0,\"uid\":\"C1\",\"id.orig_h\":[1],"
                 "\"id.resp_h\":\"10.0.0.2\"}");
    feed_json(f, "{\"_path\":\"dns\",\"ts\":1.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
                 "\"id.resp_h\":\"10.0.0.2\",\"answers\":\"1.2.3.4\"}");
    feed_json(f, "{\"_path\":\"dns\",\"ts\":1.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
                 "\"id.resp_h\":\"10.0.0.2\",\"answers\":[\"1.2.3.4\"],\"TTLs\":[-5]}");
    feed_json(f, "{\"_path\":\"dns\",\"ts\":1.0,\"uid\":\"C1\",\"id.resp_h\":\"10.0.0.2\"}");

    assert_int_equal(f->nconns, 0);
    assert_int_equal(f->ndns, 0);
    assert_int_equal(f->diag.errors, 7);
    assert_true(has_message(f, "invalid time: ts 'yesterday'"));
    assert_true(has_message(f, "invalid port: id.resp_p 'eighty'"));
    assert_true(has_message(f, "invalid count: orig_bytes '1.5'"));
    assert_true(has_message(f, "invalid value: id.orig_h '[1]'"));
    assert_true(has_message(f, "invalid value: answers '1.2.3.4'"));
    assert_true(has_message(f, "invalid TTL: TTLs '-5'"));
    assert_true(has_message(f, "missing value: id.orig_h is absent or unset"));
}

/* ---- Real logs ---- */

static const char *data_dir(void)
{
    const char *dir = getenv("INFRAHUNT_DATA");
    return dir && *dir ? dir : "../shared/data";
}

/* Opens a real log, or skips the test with a message saying what is missing. */
static gzFile open_real(const char *relative, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", data_dir(), relative);
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        print_message("skipped: %s not found; set INFRAHUNT_DATA to the real data directory\n",
                      path);
        skip();
    }
    return gz;
}

/* Feeds every line of a (gzip) TSV log; returns the number of lines not starting with '#'. */
static uint64_t feed_real_tsv(fixture *f, const char *relative)
{
    char path[1024];
    static char line[1 << 16];
    uint64_t records = 0;
    gzFile gz = open_real(relative, path, sizeof(path));

    while (gzgets(gz, line, sizeof(line))) {
        size_t len = strlen(line);
        assert_true(len > 0 && line[len - 1] == '\n');
        line[--len] = '\0';
        if (line[0] != '#')
            records++;
        assert_int_equal(feed_line(f, line, len), line[0] == '#' ? 0 : 1);
    }
    gzclose(gz);
    return records;
}

static void test_real_rita_conn(void **state)
{
    fixture *f = *state;
    uint64_t records =
        feed_real_tsv(f, "zeek/rita-missing-host/2024-04-19/conn.00:00:00-01:00:00.log.gz");

    assert_int_equal(records, 1765);
    assert_int_equal(f->nconns, records);
    assert_int_equal(f->diag.errors, 0);
    assert_int_equal(records_read(f, "zeek-conn-tsv"), records);

    /* First record: 167.94.138.145:25320 -> 64.225.56.201:6008 tcp REJ, local_orig F, local_resp T.
     */
    const captured_conn *c = &f->conns[0];
    assert_int_equal(c->line, 9);
    assert_int_equal(c->time, INT64_C(1713484795943239000));
    assert_string_equal(c->device_id.text, "64.225.56.201");
    assert_string_equal(c->remote_ip_text.text, "167.94.138.145");
    assert_int_equal(c->remote_port, 25320);
    assert_int_equal(c->local_port, 6008);
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_int_equal(c->direction, IH_DIR_INBOUND);
    assert_int_equal(c->action, IH_ACTION_FAILED);
    assert_string_equal(c->action_name.text, "REJ");
    assert_int_equal(c->bytes_sent, 0);
    assert_int_equal(c->bytes_received, 0);
}

static void test_real_rita_beacon_record(void **state)
{
    fixture *f = *state;
    char path[1024];
    static char line[1 << 16];
    gzFile gz = open_real("zeek/rita-missing-host/2024-04-19/conn.00:00:00-01:00:00.log.gz", path,
                          sizeof(path));
    uint64_t matched = 0;

    /* Feed the header and the first beacon record: 73.54.23.243:60916 -> 64.225.56.201:80, SF. */
    while (gzgets(gz, line, sizeof(line))) {
        size_t len = strlen(line) - 1;
        line[len] = '\0';
        if (line[0] == '#' || strstr(line, "\tCF3oHg33SfE13s6jp7\t")) {
            matched += line[0] != '#';
            feed_line(f, line, len);
        }
    }
    gzclose(gz);

    assert_int_equal(matched, 1);
    assert_int_equal(f->nconns, 1);
    const captured_conn *c = &f->conns[0];
    assert_int_equal(c->time, INT64_C(1713485049784804000));
    assert_string_equal(c->device_id.text, "64.225.56.201");
    assert_string_equal(c->remote_ip_text.text, "73.54.23.243");
    assert_int_equal(c->local_port, 80);
    assert_int_equal(c->remote_port, 60916);
    assert_int_equal(c->action, IH_ACTION_INBOUND);
    assert_int_equal(c->bytes_sent, 327);
    assert_int_equal(c->bytes_received, 80);
}

/* The wrccdc dns.log exists as TSV and as JSON; both must give the same records. */
static void test_real_wrccdc_tsv_json(void **state)
{
    fixture *f = *state;
    uint64_t tsv_records = feed_real_tsv(f, "zeek/wrccdc-dns/zeek-default/dns.log.gz");
    size_t tsv_dns = f->ndns;
    captured_dns first = f->dns[0];

    assert_int_equal(tsv_records, 53615);
    assert_int_equal(tsv_dns, tsv_records);
    assert_int_equal(f->diag.errors, 0);

    char path[1024];
    static char line[1 << 16];
    gzFile gz = open_real("zeek/wrccdc-dns/zeek-json/dns.json.gz", path, sizeof(path));
    uint64_t json_records = 0;
    f->ndns = 0;
    while (gzgets(gz, line, sizeof(line))) {
        size_t len = strlen(line) - 1;
        line[len] = '\0';
        json_records++;
        assert_int_equal(feed_json(f, line), 1);
    }
    gzclose(gz);

    assert_int_equal(json_records, 53615);
    assert_int_equal(f->ndns, json_records);
    assert_int_equal(f->diag.errors, 0);

    /* First record: ise.wrccdc.org A -> ise.wrccdc.cpp.edu (TTL 2230), 134.71.3.16 (TTL 41830). */
    const captured_dns *j = &f->dns[0];
    assert_int_equal(first.time, INT64_C(1521911720865716000));
    assert_int_equal(j->time, first.time);
    assert_string_equal(j->query_name.text, "ise.wrccdc.org");
    assert_string_equal(first.query_name.text, j->query_name.text);
    assert_int_equal(first.answer_count, 2);
    assert_int_equal(j->answer_count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(j->answers[i].kind, first.answers[i].kind);
        assert_int_equal(j->answers[i].ttl_s, first.answers[i].ttl_s);
        assert_string_equal(j->answers[i].text.text, first.answers[i].text.text);
    }
    assert_int_equal(first.answers[0].kind, IH_ANSWER_CNAME);
    assert_int_equal(first.answers[1].ttl_s, 41830);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_scores),
        cmocka_unit_test_setup_teardown(test_tsv_conn_header_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_extra_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_bytes_unset_empty_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_unset_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conn_state_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_direction_and_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_ports_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_ipv6_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_wrong_column_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_record_before_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_other_log_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_concatenated_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_leading_tab_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_invalid_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_dns_answers_and_ttls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_dns_answer_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_set_separator_and_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_dns_many_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_dns_bad_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsv_dns_path_guessed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_conn_key_spellings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_dns_iso_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_stream_mixing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_rita_conn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_rita_beacon_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_wrccdc_tsv_json, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
