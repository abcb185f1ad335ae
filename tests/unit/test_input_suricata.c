/*
 * Unit tests of the Suricata eve.json reader. They cover flow records and
 * their TCP outcome, names from tls and http records linked by flow_id, and
 * DNS in the three log formats with query and response paired. Also the
 * bounds of the link tables, bad values, records mixed into other JSON, and
 * the real sample when the data directory is present.
 *
 * The real sample is read from $INFRAHUNT_DATA (default ../shared/data,
 * relative to the repository root, where `make unit` runs the tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/event/addr.h"
#include "../../src/input/input.h"

/* ---- Capture sink: copies the checked fields, as event strings live only during the call ---- */

#define MAX_CONNS 16
#define MAX_DNS 16

typedef struct captured_text {
    bool known;
    char text[128];
} captured_text;

typedef struct captured_conn {
    ih_time time;
    captured_text device_id, remote_ip_text, action_name, remote_name;
    ih_addr local_addr, remote_addr;
    int32_t local_port, remote_port;
    uint8_t protocol, direction, action;
    uint64_t bytes_sent, bytes_received;
    const char *format;
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
    uint64_t line;
} captured_dns;

typedef struct fixture {
    ih_sink sink;
    ih_diag diag;
    ih_read_ctx ctx;
    void *state;
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
        k->line = o->line;
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
    f->ctx.origin.file = "eve.json";
    f->state = ih_reader_suricata.open(&f->ctx);
    if (!f->state)
        return -1;
    *state = f;
    return 0;
}

/* Ends the stream, which emits held queries and counts names no flow took. */
static void close_stream(fixture *f)
{
    if (f->state) {
        ih_reader_suricata.close(f->state, &f->ctx);
        f->state = NULL;
    }
}

static int teardown(void **state)
{
    fixture *f = *state;

    close_stream(f);
    ih_read_ctx_free(&f->ctx);
    ih_diag_free(&f->diag);
    free(f);
    return 0;
}

/* Feeds one line as the framework does, with origin set and scratch reset. */
static int feed(fixture *f, const char *line)
{
    f->ctx.origin.line = ++f->line;
    f->ctx.origin.offset = f->line * 1000;
    f->ctx.origin.format = ih_reader_suricata.name;
    ih_read_reset(&f->ctx);
    int rc = ih_reader_suricata.line(f->state, line, strlen(line), &f->ctx);
    assert_true(rc >= 0);
    return rc;
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

static void assert_addr(const ih_addr *a, const char *text)
{
    char out[IH_ADDR_TEXT_MAX];
    ih_addr_format(a, out);
    assert_string_equal(out, text);
}

/* 2021-06-06T16:00:00+02:00 and the same with .5 s, as nanoseconds since the epoch. */
#define T_1400 INT64_C(1622988000000000000)
#define T_1400_5 (T_1400 + INT64_C(500000000))

/* A flow record with the parts the tests vary. */
static void flow_line(char *out, size_t cap, unsigned long long flow_id, const char *proto,
                      const char *state, const char *tcp)
{
    snprintf(out, cap,
             "{\"timestamp\":\"2021-06-06T17:00:00.000000+0200\",\"flow_id\":%llu,"
             "\"event_type\":\"flow\",\"src_ip\":\"10.0.0.5\",\"src_port\":49152,"
             "\"dest_ip\":\"203.0.113.10\",\"dest_port\":443,\"proto\":\"%s\","
             "\"flow\":{\"pkts_toserver\":6,\"pkts_toclient\":4,\"bytes_toserver\":1200,"
             "\"bytes_toclient\":5400,\"start\":\"2021-06-06T16:00:00.000000+0200\","
             "\"end\":\"2021-06-06T16:00:05.000000+0200\",\"age\":5,\"state\":\"%s\","
             "\"reason\":\"timeout\",\"alerted\":false}%s%s}",
             flow_id, proto, state, tcp ? ",\"tcp\":" : "", tcp ? tcp : "");
}

static void feed_flow(fixture *f, unsigned long long flow_id, const char *proto, const char *state,
                      const char *tcp)
{
    char line[1024];
    flow_line(line, sizeof(line), flow_id, proto, state, tcp);
    feed(f, line);
}

static void feed_tls(fixture *f, unsigned long long flow_id, const char *sni)
{
    char line[512];
    snprintf(line, sizeof(line),
             "{\"timestamp\":\"2021-06-06T16:00:00.100000+0200\",\"flow_id\":%llu,"
             "\"event_type\":\"tls\",\"src_ip\":\"10.0.0.5\",\"src_port\":49152,"
             "\"dest_ip\":\"203.0.113.10\",\"dest_port\":443,\"proto\":\"TCP\","
             "\"tls\":{\"sni\":\"%s\",\"version\":\"TLS 1.2\"}}",
             flow_id, sni);
    feed(f, line);
}

#define TCP_HANDSHAKE "{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\",\"state\":\"closed\"}"

/* ---- Probe ---- */

static void test_probe_scores(void **state)
{
    (void)state;
    const char eve[] = "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"event_type\":\"flow\"}\n";
    const char bom[] = "\xEF\xBB\xBF{\"event_type\":\"dns\",\"timestamp\":\"x\"}";
    const char zeek[] = "{\"ts\":1.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\"}\n";
    const char later[] = "{\"ts\":1.0}\n{\"event_type\":\"flow\",\"timestamp\":\"x\"}\n";

    assert_int_equal(ih_reader_suricata.probe(eve, sizeof(eve) - 1), 80);
    assert_int_equal(ih_reader_suricata.probe(bom, sizeof(bom) - 1), 80);
    assert_int_equal(ih_reader_suricata.probe(zeek, sizeof(zeek) - 1), 0);
    assert_int_equal(ih_reader_suricata.probe(later, sizeof(later) - 1), 0);
    assert_int_equal(ih_reader_suricata.probe("#separator \\x09", 15), 0);
    assert_int_equal(ih_reader_suricata.probe("", 0), 0);
}

/* ---- flow ---- */

static void test_flow_tcp_established(void **state)
{
    fixture *f = *state;

    feed_flow(f, 1001, "TCP", "closed", TCP_HANDSHAKE);

    assert_int_equal(f->nconns, 1);
    captured_conn *c = &f->conns[0];
    assert_int_equal(c->time, T_1400);
    assert_string_equal(c->format, "suricata-flow");
    assert_string_equal(c->device_id.text, "10.0.0.5");
    assert_addr(&c->local_addr, "10.0.0.5");
    assert_addr(&c->remote_addr, "203.0.113.10");
    assert_string_equal(c->remote_ip_text.text, "203.0.113.10");
    assert_int_equal(c->local_port, 49152);
    assert_int_equal(c->remote_port, 443);
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_int_equal(c->direction, IH_DIR_UNKNOWN);
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
    assert_string_equal(c->action_name.text, "closed");
    assert_false(c->remote_name.known);
    assert_int_equal(c->bytes_sent, 1200);
    assert_int_equal(c->bytes_received, 5400);
    assert_int_equal(records_read(f, "suricata-flow"), 1);
    assert_int_equal(f->diag.errors, 0);
}

static void test_flow_tcp_outcomes(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *flow_state, *tcp;
        enum ih_action action;
    } cases[] = {
        /* SYN, answered by RST-ACK: refused. */
        {"closed", "{\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"14\",\"state\":\"closed\"}",
         IH_ACTION_FAILED},
        /* SYN with ECN bits, refused. */
        {"closed", "{\"tcp_flags_ts\":\"c2\",\"tcp_flags_tc\":\"14\",\"state\":\"closed\"}",
         IH_ACTION_FAILED},
        /* SYN without reply. */
        {"new", "{\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"00\"}", IH_ACTION_ATTEMPT},
        /* SYN, SYN-ACK, then RST without the client's ACK: a half-open scan. */
        {"closed", "{\"tcp_flags_ts\":\"06\",\"tcp_flags_tc\":\"12\",\"state\":\"closed\"}",
         IH_ACTION_ATTEMPT},
        /* SYN-ACK seen but the client's ACK missing, while Suricata's TCP state is close_wait. */
        {"established", "{\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"12\",\"state\":\"close_wait\"}",
         IH_ACTION_SUCCESS},
        /* SYN, SYN-ACK, still in syn_recv. */
        {"new", "{\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"12\",\"state\":\"syn_recv\"}",
         IH_ACTION_ATTEMPT},
        /* Midstream: no flags at all. */
        {"new", "{\"tcp_flags_ts\":\"00\",\"tcp_flags_tc\":\"00\"}", IH_ACTION_ATTEMPT},
        /* Without a tcp object only flow.state is known. */
        {"established", NULL, IH_ACTION_SUCCESS},
        {"closed", NULL, IH_ACTION_ATTEMPT},
        {"new", NULL, IH_ACTION_ATTEMPT},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);

    for (size_t i = 0; i < n; i++)
        feed_flow(f, 2000 + i, "TCP", cases[i].flow_state, cases[i].tcp);
    assert_int_equal(f->nconns, n);
    for (size_t i = 0; i < n; i++) {
        print_message("case %zu\n", i);
        assert_int_equal(f->conns[i].action, cases[i].action);
        assert_string_equal(f->conns[i].action_name.text, cases[i].flow_state);
    }
    assert_int_equal(f->diag.errors, 0);
}

static void test_flow_udp_icmp(void **state)
{
    fixture *f = *state;

    feed_flow(f, 3001, "UDP", "established", NULL);
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":3002,\"event_type\":\"flow\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":5353,\"dest_ip\":\"224.0.0.251\","
            "\"dest_port\":5353,\"proto\":\"UDP\",\"flow\":{\"pkts_toserver\":3,"
            "\"pkts_toclient\":0,\"bytes_toserver\":300,\"bytes_toclient\":0,"
            "\"start\":\"2021-06-06T16:00:00.000000+0200\",\"state\":\"new\"}}");
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":3003,\"event_type\":\"flow\","
            "\"src_ip\":\"2001:db8::5\",\"dest_ip\":\"2001:db8::1\",\"proto\":\"IPv6-ICMP\","
            "\"icmp_type\":128,\"icmp_code\":0,\"flow\":{\"pkts_toserver\":1,"
            "\"pkts_toclient\":1,\"bytes_toserver\":118,\"bytes_toclient\":118,"
            "\"start\":\"2021-06-06T16:00:00.500000+0200\",\"state\":\"established\"}}");

    assert_int_equal(f->nconns, 3);
    assert_int_equal(f->conns[0].protocol, IH_PROTO_UDP);
    assert_int_equal(f->conns[0].action, IH_ACTION_SUCCESS);
    assert_int_equal(f->conns[1].action, IH_ACTION_ATTEMPT);
    assert_int_equal(f->conns[1].bytes_received, 0);
    assert_int_equal(f->conns[2].protocol, IH_PROTO_ICMP);
    assert_int_equal(f->conns[2].action, IH_ACTION_SUCCESS);
    assert_int_equal(f->conns[2].local_port, IH_UNKNOWN_PORT);
    assert_int_equal(f->conns[2].remote_port, IH_UNKNOWN_PORT);
    assert_addr(&f->conns[2].remote_addr, "2001:db8::1");
    assert_int_equal(f->conns[2].time, T_1400_5);
}

static void test_flow_unknowns(void **state)
{
    fixture *f = *state;

    /* No flow.start: the record's timestamp. No byte counts: unknown, never 0. */
    feed(f, "{\"timestamp\":\"2021-06-06T14:00:00.5Z\",\"flow_id\":4001,\"event_type\":\"flow\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":1,\"dest_ip\":\"203.0.113.10\",\"dest_port\":2,"
            "\"proto\":\"SCTP\",\"flow\":{}}");

    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->conns[0].time, T_1400_5);
    assert_int_equal(f->conns[0].protocol, IH_PROTO_OTHER);
    assert_int_equal(f->conns[0].action, IH_ACTION_ATTEMPT);
    assert_false(f->conns[0].action_name.known);
    assert_int_equal(f->conns[0].bytes_sent, IH_UNKNOWN_BYTES);
    assert_int_equal(f->conns[0].bytes_received, IH_UNKNOWN_BYTES);
}

/* ---- Names from tls and http ---- */

static void test_tls_sni_names_later_flow(void **state)
{
    fixture *f = *state;

    feed_tls(f, 5001, "c2.example.org");
    feed_flow(f, 5002, "TCP", "closed", TCP_HANDSHAKE);
    feed_flow(f, 5001, "TCP", "closed", TCP_HANDSHAKE);
    /* The name is taken once: a second flow record of the same id has none. */
    feed_flow(f, 5001, "TCP", "closed", TCP_HANDSHAKE);

    assert_int_equal(f->nconns, 3);
    assert_false(f->conns[0].remote_name.known);
    assert_true(f->conns[1].remote_name.known);
    assert_string_equal(f->conns[1].remote_name.text, "c2.example.org");
    assert_false(f->conns[2].remote_name.known);
    assert_int_equal(records_read(f, "suricata-tls"), 1);
}

static void test_http_host_names_flow(void **state)
{
    fixture *f = *state;

    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":6001,\"event_type\":\"http\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":49152,\"dest_ip\":\"203.0.113.10\","
            "\"dest_port\":80,\"proto\":\"TCP\",\"tx_id\":0,\"http\":{\"hostname\":"
            "\"update.example.net\",\"url\":\"/\",\"http_method\":\"GET\"}}");
    /* A second transaction on the same flow does not replace the first name. */
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:01+0200\",\"flow_id\":6001,\"event_type\":\"http\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":49152,\"dest_ip\":\"203.0.113.10\","
            "\"dest_port\":80,\"proto\":\"TCP\",\"tx_id\":1,\"http\":{\"hostname\":"
            "\"other.example.net\"}}");
    /* A Host that is an address names nothing. */
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":6002,\"event_type\":\"http\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":49153,\"dest_ip\":\"203.0.113.10\","
            "\"dest_port\":80,\"proto\":\"TCP\",\"http\":{\"hostname\":\"203.0.113.10\"}}");
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":6003,\"event_type\":\"http\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":49154,\"dest_ip\":\"203.0.113.10\","
            "\"dest_port\":80,\"proto\":\"TCP\",\"http\":{\"url\":\"/\"}}");
    feed_flow(f, 6001, "TCP", "closed", TCP_HANDSHAKE);
    feed_flow(f, 6002, "TCP", "closed", TCP_HANDSHAKE);

    assert_int_equal(f->nconns, 2);
    assert_string_equal(f->conns[0].remote_name.text, "update.example.net");
    assert_false(f->conns[1].remote_name.known);
    assert_int_equal(skipped(f, "suricata-http", "server named by an address only"), 1);
    assert_int_equal(skipped(f, "suricata-http", "http without Host"), 1);
}

static void test_names_without_flow_counted(void **state)
{
    fixture *f = *state;

    feed_tls(f, 7001, "a.example.org");
    feed_tls(f, 7002, "b.example.org");
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"event_type\":\"tls\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"203.0.113.10\",\"tls\":{\"sni\":\"c.example\"}}");
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":7004,\"event_type\":\"tls\","
            "\"tls\":{\"version\":\"TLS 1.3\"}}");
    feed_flow(f, 7001, "TCP", "closed", TCP_HANDSHAKE);
    close_stream(f);

    assert_int_equal(f->nconns, 1);
    assert_string_equal(f->conns[0].remote_name.text, "a.example.org");
    assert_int_equal(skipped(f, "suricata", "remote name not linked: no flow record with its flow_id"),
                     1);
    assert_int_equal(skipped(f, "suricata-tls", "remote name not linked: no flow_id"), 1);
    assert_int_equal(skipped(f, "suricata-tls", "tls without SNI"), 1);
}

static void test_names_bounded(void **state)
{
    fixture *f = *state;
    const unsigned bound = 65536;

    /* The first name is dropped when 65536 later names have been kept. */
    for (unsigned i = 0; i <= bound; i++)
        feed_tls(f, 100000 + i, "n.example.org");
    feed_flow(f, 100000, "TCP", "closed", TCP_HANDSHAKE);
    feed_flow(f, 100001, "TCP", "closed", TCP_HANDSHAKE);
    feed_flow(f, 100000 + bound, "TCP", "closed", TCP_HANDSHAKE);

    assert_int_equal(f->nconns, 3);
    assert_false(f->conns[0].remote_name.known);
    assert_string_equal(f->conns[1].remote_name.text, "n.example.org");
    assert_string_equal(f->conns[2].remote_name.text, "n.example.org");
    assert_int_equal(
        skipped(f, "suricata", "remote name not linked: dropped after 65536 later names"), 1);
}

/* ---- dns ---- */

#define DNS_V2_QUERY                                                                               \
    "{\"timestamp\":\"2021-06-06T16:00:00.000000+0200\",\"flow_id\":8001,\"event_type\":\"dns\","  \
    "\"src_ip\":\"10.0.0.5\",\"src_port\":35790,\"dest_ip\":\"10.0.0.1\",\"dest_port\":53,"       \
    "\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":2,\"rrname\":\"www.example.com\","      \
    "\"rrtype\":\"A\",\"tx_id\":0}}"

#define DNS_V2_ANSWER                                                                              \
    "{\"timestamp\":\"2021-06-06T16:00:00.500000+0200\",\"flow_id\":8001,\"event_type\":\"dns\","  \
    "\"src_ip\":\"10.0.0.5\",\"src_port\":35790,\"dest_ip\":\"10.0.0.1\",\"dest_port\":53,"       \
    "\"proto\":\"UDP\",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":2,\"flags\":\"8180\","   \
    "\"qr\":true,\"rd\":true,\"ra\":true,\"rrname\":\"www.example.com\",\"rrtype\":\"A\","       \
    "\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"www.example.com\",\"rrtype\":\"CNAME\","    \
    "\"ttl\":580,\"rdata\":\"edge.example.net\"},{\"rrname\":\"edge.example.net\","               \
    "\"rrtype\":\"A\",\"ttl\":20,\"rdata\":\"198.51.100.7\"},{\"rrname\":\"edge.example.net\","   \
    "\"rrtype\":\"AAAA\",\"ttl\":20,\"rdata\":\"2001:0db8:0000:0000:0000:0000:0000:0007\"}],"     \
    "\"grouped\":{\"A\":[\"198.51.100.7\"],\"CNAME\":[\"edge.example.net\"]}}}"

static void assert_example_answers(const captured_dns *d)
{
    assert_int_equal(d->answer_count, 3);
    assert_int_equal(d->answers[0].kind, IH_ANSWER_CNAME);
    assert_string_equal(d->answers[0].text.text, "edge.example.net");
    assert_int_equal(d->answers[0].ttl_s, 580);
    assert_int_equal(d->answers[1].kind, IH_ANSWER_ADDR);
    assert_addr(&d->answers[1].addr, "198.51.100.7");
    assert_int_equal(d->answers[1].ttl_s, 20);
    assert_int_equal(d->answers[2].kind, IH_ANSWER_ADDR);
    assert_addr(&d->answers[2].addr, "2001:db8::7");
}

static void test_dns_v2_paired(void **state)
{
    fixture *f = *state;

    feed(f, DNS_V2_QUERY);
    assert_int_equal(f->ndns, 0);
    feed(f, DNS_V2_ANSWER);

    assert_int_equal(f->ndns, 1);
    captured_dns *d = &f->dns[0];
    assert_string_equal(d->format, "suricata-dns");
    assert_int_equal(d->time, T_1400);
    assert_int_equal(d->line, 1);
    assert_string_equal(d->device_id.text, "10.0.0.5");
    assert_addr(&d->client_addr, "10.0.0.5");
    assert_addr(&d->server_addr, "10.0.0.1");
    assert_string_equal(d->query_name.text, "www.example.com");
    assert_int_equal(d->query_type, 1);
    assert_string_equal(d->query_type_name.text, "A");
    assert_int_equal(d->rcode, 0);
    assert_string_equal(d->rcode_name.text, "NOERROR");
    assert_example_answers(d);
    assert_int_equal(records_read(f, "suricata-dns"), 2);
    assert_int_equal(f->diag.errors, 0);

    /* Nothing is left to emit at the end. */
    close_stream(f);
    assert_int_equal(f->ndns, 1);
}

static void test_dns_v2_grouped_only(void **state)
{
    fixture *f = *state;

    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":8101,\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"version\":2,"
            "\"type\":\"answer\",\"id\":9,\"rrname\":\"pool.example.org\",\"rrtype\":\"AAAA\","
            "\"rcode\":\"NOERROR\",\"grouped\":{\"AAAA\":[\"2001:db8::1\",\"2001:db8::2\"],"
            "\"SOA\":[{\"mname\":\"ns.example.org\"}]}}}");

    assert_int_equal(f->ndns, 1);
    captured_dns *d = &f->dns[0];
    assert_int_equal(d->query_type, 28);
    assert_int_equal(d->answer_count, 3);
    assert_int_equal(d->answers[0].kind, IH_ANSWER_ADDR);
    assert_int_equal(d->answers[0].ttl_s, -1);
    assert_addr(&d->answers[1].addr, "2001:db8::2");
    assert_int_equal(d->answers[2].kind, IH_ANSWER_OTHER);
    assert_false(d->answers[2].text.known);
}

/* Format 1: one record per answer, the question logged separately. */
static void test_dns_v1_per_answer(void **state)
{
    fixture *f = *state;

    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":8201,\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":1024,\"dest_ip\":\"10.0.0.1\",\"dest_port\":53,"
            "\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":77,\"rrname\":\"www.example.com\","
            "\"rrtype\":\"A\"}}");
    const char *answers[] = {
        "\"rrname\":\"www.example.com\",\"rrtype\":\"CNAME\",\"ttl\":580,\"rdata\":\"edge.example.net\"",
        "\"rrname\":\"edge.example.net\",\"rrtype\":\"A\",\"ttl\":20,\"rdata\":\"198.51.100.7\"",
        "\"rrname\":\"edge.example.net\",\"rrtype\":\"AAAA\",\"ttl\":20,\"rdata\":\"2001:db8::7\"",
    };
    for (size_t i = 0; i < 3; i++) {
        char line[512];
        snprintf(line, sizeof(line),
                 "{\"timestamp\":\"2021-06-06T16:00:01+0200\",\"flow_id\":8201,"
                 "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.5\",\"src_port\":1024,"
                 "\"dest_ip\":\"10.0.0.1\",\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{"
                 "\"type\":\"answer\",\"id\":77,\"rcode\":\"NOERROR\",%s}}",
                 answers[i]);
        feed(f, line);
    }
    assert_int_equal(f->ndns, 0);

    /* An answer of another message ends the first. It has no question, so its rrname is the name. */
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:02+0200\",\"flow_id\":8202,\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"answer\","
            "\"id\":78,\"rcode\":\"NXDOMAIN\",\"rrname\":\"missing.example.com\"}}");
    assert_int_equal(f->ndns, 1);
    captured_dns *d = &f->dns[0];
    assert_int_equal(d->time, T_1400);
    assert_int_equal(d->line, 1);
    assert_string_equal(d->query_name.text, "www.example.com");
    assert_int_equal(d->query_type, 1);
    assert_int_equal(d->rcode, 0);
    assert_example_answers(d);

    close_stream(f);
    assert_int_equal(f->ndns, 2);
    d = &f->dns[1];
    assert_string_equal(d->query_name.text, "missing.example.com");
    assert_int_equal(d->query_type, -1);
    assert_int_equal(d->rcode, 3);
    assert_string_equal(d->rcode_name.text, "NXDOMAIN");
    assert_int_equal(d->answer_count, 0);
    assert_int_equal(d->line, 5);
}

/* Format 3 (Suricata 8): request and response, queries in an array, responses from the server. */
static void test_dns_v3(void **state)
{
    fixture *f = *state;

    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":8301,\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.5\",\"src_port\":40000,\"dest_ip\":\"10.0.0.1\",\"dest_port\":53,"
            "\"proto\":\"UDP\",\"dns\":{\"version\":3,\"type\":\"request\",\"tx_id\":0,\"id\":4,"
            "\"flags\":\"100\",\"rd\":true,\"opcode\":0,\"rcode\":\"NOERROR\",\"queries\":"
            "[{\"rrname\":\"www.example.com\",\"rrtype\":\"A\"}]}}");
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00.2+0200\",\"flow_id\":8301,\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.1\",\"src_port\":53,\"dest_ip\":\"10.0.0.5\",\"dest_port\":40000,"
            "\"proto\":\"UDP\",\"dns\":{\"version\":3,\"type\":\"response\",\"tx_id\":1,\"id\":4,"
            "\"flags\":\"8180\",\"qr\":true,\"rcode\":\"SERVFAIL\",\"queries\":"
            "[{\"rrname\":\"www.example.com\",\"rrtype\":\"A\"}]}}");
    /* A response whose request was not logged: its own time, client still dest. */
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00.5+0200\",\"flow_id\":8302,\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.1\",\"src_port\":53,\"dest_ip\":\"10.0.0.6\",\"dest_port\":40001,"
            "\"proto\":\"UDP\",\"dns\":{\"version\":3,\"type\":\"response\",\"id\":5,"
            "\"rcode\":\"NOERROR\",\"queries\":[{\"rrname\":\"x.example.com\",\"rrtype\":\"TYPE65534\"}],"
            "\"answers\":[{\"rrname\":\"x.example.com\",\"rrtype\":\"65534\",\"ttl\":5,"
            "\"rdata\":\"opaque\"}]}}");

    assert_int_equal(f->ndns, 2);
    captured_dns *d = &f->dns[0];
    assert_int_equal(d->time, T_1400);
    assert_string_equal(d->device_id.text, "10.0.0.5");
    assert_addr(&d->client_addr, "10.0.0.5");
    assert_addr(&d->server_addr, "10.0.0.1");
    assert_string_equal(d->query_name.text, "www.example.com");
    assert_int_equal(d->rcode, 2);
    assert_int_equal(d->answer_count, 0);

    d = &f->dns[1];
    assert_int_equal(d->time, T_1400_5);
    assert_string_equal(d->device_id.text, "10.0.0.6");
    assert_int_equal(d->query_type, -1);
    assert_string_equal(d->query_type_name.text, "TYPE65534");
    assert_int_equal(d->answers[0].kind, IH_ANSWER_OTHER);
    assert_string_equal(d->answers[0].text.text, "opaque");
    assert_int_equal(d->answers[0].ttl_s, 5);
}

static void test_dns_unanswered_and_repeated(void **state)
{
    fixture *f = *state;

    /* The same query twice (a duplicated packet), then two responses: paired in order. */
    feed(f, DNS_V2_QUERY);
    feed(f, DNS_V2_QUERY);
    feed(f, DNS_V2_ANSWER);
    feed(f, DNS_V2_ANSWER);
    assert_int_equal(f->ndns, 2);
    assert_int_equal(f->dns[0].line, 1);
    assert_int_equal(f->dns[1].line, 2);
    assert_int_equal(f->dns[1].time, T_1400);

    /* A query without a response is emitted at the end, with the response fields unknown. */
    feed(f, DNS_V2_QUERY);
    assert_int_equal(f->ndns, 2);
    close_stream(f);
    assert_int_equal(f->ndns, 3);
    assert_string_equal(f->dns[2].query_name.text, "www.example.com");
    assert_int_equal(f->dns[2].rcode, -1);
    assert_false(f->dns[2].rcode_name.known);
    assert_int_equal(f->dns[2].line, 5);
}

static void test_dns_queries_bounded(void **state)
{
    fixture *f = *state;
    char line[512];

    /* 4097 outstanding queries: the first is emitted unanswered when the last is held. */
    for (unsigned i = 0; i <= 4096; i++) {
        snprintf(line, sizeof(line),
                 "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":%u,\"event_type\":\"dns\","
                 "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"query\","
                 "\"id\":1,\"rrname\":\"q%u.example.com\",\"rrtype\":\"A\"}}",
                 900000 + i, i);
        feed(f, line);
    }
    assert_int_equal(f->ndns, 1);
    assert_string_equal(f->dns[0].query_name.text, "q0.example.com");
    assert_int_equal(f->dns[0].rcode, -1);
    close_stream(f);
    assert_int_equal(f->ndns, 4097);
}

static void test_dns_skips(void **state)
{
    fixture *f = *state;

    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":8401,\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"authority\","
            "\"id\":1,\"rrname\":\"example.com\",\"rrtype\":\"SOA\",\"ttl\":60}}");
    /* A query without flow_id cannot be paired, so it is emitted alone. */
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"query\","
            "\"id\":1,\"rrname\":\"lonely.example.com\",\"rrtype\":\"MX\"}}");

    assert_int_equal(skipped(f, "suricata-dns", "dns record that is neither query nor answer"), 1);
    assert_int_equal(f->ndns, 1);
    assert_int_equal(f->dns[0].query_type, 15);
    assert_int_equal(f->dns[0].rcode, -1);
}

/* ---- Bad values and other records ---- */

static void test_bad_values(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *line, *message;
    } cases[] = {
        {"{\"timestamp\":\"2021-06-06 16:00\",\"event_type\":\"dns\",\"src_ip\":\"10.0.0.5\","
         "\"dest_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"query\",\"rrname\":\"a\"}}",
         "timestamp '2021-06-06 16:00'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.300\",\"dest_ip\":\"10.0.0.1\",\"flow\":{}}",
         "src_ip '10.0.0.300'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"src_port\":70000,\"dest_ip\":\"10.0.0.1\",\"flow\":{}}",
         "src_port '70000'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dest_port\":\"https\",\"flow\":{}}",
         "dest_port 'https'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"flow\":{\"bytes_toserver\":-5}}",
         "flow.bytes_toserver '-5'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"flow\":{},\"tcp\":{"
         "\"tcp_flags_ts\":\"zz\",\"tcp_flags_tc\":\"12\"}}",
         "tcp.tcp_flags_ts 'zz'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"flow\":{\"start\":\"yesterday\"}}",
         "flow.start 'yesterday'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":-1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"flow\":{}}",
         "flow_id '-1'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"flow\":[1]}",
         "flow '[1]'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"flow\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\"}",
         "flow is absent or null"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"dns\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"version\":2,"
         "\"type\":\"answer\",\"id\":1,\"answers\":[{\"rrtype\":\"A\",\"rdata\":\"not-an-ip\"}]}}",
         "dns.answers[0].rdata 'not-an-ip'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"dns\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"version\":2,"
         "\"type\":\"answer\",\"id\":1,\"answers\":[{\"rrtype\":\"A\",\"ttl\":-3,"
         "\"rdata\":\"198.51.100.1\"}]}}",
         "dns.answers[0].ttl '-3'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"dns\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"id\":1}}",
         "dns.type is absent or null"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"dns\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"version\":3,"
         "\"type\":\"request\",\"id\":1,\"queries\":[]}}",
         "dns.queries[0].rrname is absent or null"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"dns\","
         "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"version\":2,"
         "\"type\":\"answer\",\"id\":1,\"grouped\":{\"A\":\"198.51.100.1\"}}}",
         "dns.grouped.A '198.51.100.1'"},
        {"{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"tls\","
         "\"tls\":{\"sni\":42}}",
         "tls.sni '42'"},
    };
    size_t n = sizeof(cases) / sizeof(cases[0]);

    for (size_t i = 0; i < n; i++) {
        print_message("case %zu: %s\n", i, cases[i].message);
        ih_diag_free(&f->diag);
        ih_diag_init(&f->diag, false);
        feed(f, cases[i].line);
        assert_int_equal(f->diag.errors, 1);
        assert_true(f->diag.nmsgs == 1 && strstr(f->diag.msgs[0].text, cases[i].message));
    }
    assert_int_equal(f->nconns, 0);
    assert_int_equal(f->ndns, 0);
}

static void test_other_records(void **state)
{
    fixture *f = *state;

    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"alert\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"alert\":{\"signature_id\":1}}");
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"event_type\":\"stats\",\"stats\":{}}");
    feed(f, "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"event_type\":\"a very long and "
            "unusual event type name\"}");
    /* A Zeek record in the stream is read by its own layout; invalid JSON is reported. */
    feed(f, "{\"ts\":1622988000.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.5\",\"id.orig_p\":1,"
            "\"id.resp_h\":\"203.0.113.10\",\"id.resp_p\":443,\"proto\":\"tcp\","
            "\"conn_state\":\"SF\"}");
    feed(f, "{\"timestamp\":");
    feed(f, "");

    assert_int_equal(skipped(f, "suricata", "suricata event not used: alert"), 1);
    assert_int_equal(skipped(f, "suricata", "suricata event not used: stats"), 1);
    assert_int_equal(skipped(f, "suricata", "suricata event not used: other"), 1);
    assert_int_equal(records_read(f, "suricata"), 3);
    assert_int_equal(f->nconns, 1);
    assert_string_equal(f->conns[0].format, "zeek-conn-json");
    assert_int_equal(f->diag.errors, 1);
    assert_true(f->diag.nmsgs == 1 && strstr(f->diag.msgs[0].text, "byte 14 of the line"));
}

/* Eve records inside another JSON stream are read by the layout, each on its own. */
static void test_layout_in_mixed_json(void **state)
{
    fixture *f = *state;
    void *json = ih_reader_json.open(&f->ctx);
    char flow[1024];
    const char *lines[] = {
        "{\"ts\":1622988000.0,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.5\",\"id.orig_p\":1,"
        "\"id.resp_h\":\"203.0.113.10\",\"id.resp_p\":443,\"proto\":\"tcp\",\"conn_state\":\"SF\"}",
        "{\"timestamp\":\"2021-06-06T16:00:00+0200\",\"flow_id\":1,\"event_type\":\"tls\","
        "\"tls\":{\"sni\":\"c2.example.org\"}}",
        DNS_V2_QUERY,
        DNS_V2_ANSWER,
        flow,
    };

    assert_non_null(json);
    flow_line(flow, sizeof(flow), 1, "TCP", "closed", TCP_HANDSHAKE);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        f->ctx.origin.line = ++f->line;
        ih_read_reset(&f->ctx);
        assert_int_equal(ih_reader_json.line(json, lines[i], strlen(lines[i]), &f->ctx), 1);
    }
    ih_reader_json.close(json, &f->ctx);

    assert_true(ih_layout_suricata.match != NULL);
    assert_int_equal(f->nconns, 2);
    assert_string_equal(f->conns[1].format, "suricata-flow");
    assert_false(f->conns[1].remote_name.known);
    assert_int_equal(f->ndns, 1);
    assert_int_equal(f->dns[0].time, T_1400_5);
    assert_example_answers(&f->dns[0]);
    assert_int_equal(
        skipped(f, "suricata-tls", "remote name not linked: eve records mixed into other JSON"), 1);
    assert_int_equal(
        skipped(f, "suricata-dns", "dns query not paired: eve records mixed into other JSON"), 1);
}

/* ---- Real sample ---- */

/* Counting sink for the whole sample; keeps the one DNS event the test checks. */
typedef struct real_counts {
    size_t conns, dns, successes, failed, named;
    bool found_cname_chain;
} real_counts;

static int real_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    real_counts *r = s->ctx;
    (void)o;
    r->conns++;
    r->successes += c->action == IH_ACTION_SUCCESS;
    r->failed += c->action == IH_ACTION_FAILED;
    r->named += c->remote_name.ptr != NULL;
    return 0;
}

static int real_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    real_counts *r = s->ctx;
    (void)o;
    r->dns++;
    if (d->query_name.len == 16 && memcmp(d->query_name.ptr, "www.myedimax.com", 16) == 0 &&
        d->answer_count == 3 && d->answers[0].kind == IH_ANSWER_CNAME &&
        d->answers[2].kind == IH_ANSWER_ADDR && d->answers[0].ttl_s >= 0)
        r->found_cname_chain = true;
    return 0;
}

static void test_real_sample(void **state)
{
    (void)state;
    const char *dir = getenv("INFRAHUNT_DATA");
    char path[1024];
    snprintf(path, sizeof(path), "%s/suricata/test6-malicious.suricata.json",
             dir ? dir : "../shared/data");
    FILE *in = fopen(path, "rb");
    if (!in) {
        print_message("skipped: %s not found; set INFRAHUNT_DATA to the real data directory\n",
                      path);
        skip();
    }

    real_counts counts = {0};
    ih_sink sink = {real_conn, real_dns, &counts};
    ih_diag diag;
    ih_read_ctx ctx;
    ih_diag_init(&diag, false);
    ih_read_ctx_init(&ctx, &sink, &diag);
    ctx.origin.file = path;
    void *st = ih_reader_suricata.open(&ctx);
    assert_non_null(st);

    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t lineno = 0, offset = 0;
    while ((n = getline(&line, &cap, in)) > 0) {
        size_t len = (size_t)n;
        if (line[len - 1] == '\n')
            len--;
        ctx.origin.line = ++lineno;
        ctx.origin.offset = offset;
        offset += (uint64_t)n;
        ih_read_reset(&ctx);
        assert_int_equal(ih_reader_suricata.line(st, line, len, &ctx), 1);
    }
    free(line);
    fclose(in);
    ih_reader_suricata.close(st, &ctx);
    ih_read_ctx_flush(&ctx);

    /* Counted in the file: 3512 flow records, 340 queries and 340 responses. */
    assert_int_equal(lineno, 5000);
    assert_int_equal(diag.errors, 0);
    assert_int_equal(counts.conns, 3512);
    assert_int_equal(counts.dns, 340);
    assert_int_equal(counts.successes, 563);
    assert_int_equal(counts.failed, 1939);
    assert_int_equal(counts.named, 0);
    assert_true(counts.found_cname_chain);
    assert_int_equal(counter(diag.skipped, diag.nskipped, "suricata", "suricata event not used: alert"),
                     745);
    ih_read_ctx_free(&ctx);
    ih_diag_free(&diag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_scores),
        cmocka_unit_test_setup_teardown(test_flow_tcp_established, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_tcp_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_udp_icmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_unknowns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_sni_names_later_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_host_names_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_without_flow_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_v2_paired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_v2_grouped_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_v1_per_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_v3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_unanswered_and_repeated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_queries_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_skips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_in_mixed_json, setup, teardown),
        cmocka_unit_test(test_real_sample),
    };
    return cmocka_run_group_tests_name("input_suricata", tests, NULL, NULL);
}
