/*
 * Unit tests of the capture reader. Captures are written by sim_pcap in
 * memory and read through the reader's mapped and stream paths. The tests
 * cover the TCP outcome and its label, server names from TLS and HTTP, DNS
 * over UDP and TCP, flow timeouts and limits, link types, fragments,
 * truncation and damage, and the DNS and name parsers on their own.
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
#include "../../src/input/pcap_app.h"
#include "../../src/input/pcap_dns.h"
#include "../../src/input/pcap_flow.h"
#include "../../src/simulate/sim_pcap.h"

/* ---- Capture sink ---- */

#define MAX_CONNS 32
#define MAX_DNS 16

typedef struct captured_conn {
    ih_time time;
    char device[48], remote[48], state[16], name[256];
    bool named;
    int32_t local_port, remote_port;
    uint8_t protocol, direction, action;
    uint64_t bytes_sent, bytes_received, offset;
} captured_conn;

typedef struct captured_dns {
    ih_time time;
    char client[48], server[48], query[256], type_name[16], rcode_name[16];
    int32_t query_type, rcode;
    size_t answer_count, answers_dropped;
    struct {
        uint8_t kind;
        char text[256];
        int64_t ttl;
    } answers[IH_DNS_MAX_ANSWERS];
    uint64_t offset;
} captured_dns;

typedef struct fixture {
    ih_sink sink;
    ih_diag diag;
    ih_read_ctx ctx;
    captured_conn conns[MAX_CONNS];
    size_t nconns;
    captured_dns dns[MAX_DNS];
    size_t ndns;
    /* The capture being written. */
    char *buf;
    size_t size;
    FILE *mem;
    sim_pcap *w;
} fixture;

static void copy_str(char *out, size_t cap, ih_str s)
{
    size_t n = 0;
    if (s.ptr)
        n = s.len < cap - 1 ? s.len : cap - 1;
    if (n)
        memcpy(out, s.ptr, n);
    out[n] = '\0';
}

static int capture_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    fixture *f = s->ctx;
    if (f->nconns < MAX_CONNS) {
        captured_conn *k = &f->conns[f->nconns];
        k->time = c->time;
        copy_str(k->device, sizeof(k->device), c->device_id);
        copy_str(k->remote, sizeof(k->remote), c->remote_ip_text);
        copy_str(k->state, sizeof(k->state), c->action_name);
        copy_str(k->name, sizeof(k->name), c->remote_name);
        k->named = c->remote_name.ptr != NULL;
        k->local_port = c->local_port;
        k->remote_port = c->remote_port;
        k->protocol = c->protocol;
        k->direction = c->direction;
        k->action = c->action;
        k->bytes_sent = c->bytes_sent;
        k->bytes_received = c->bytes_received;
        k->offset = o->offset;
        assert_string_equal(o->format, "pcap");
        assert_int_equal(o->line, 0);
    }
    f->nconns++;
    return 0;
}

static int capture_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    fixture *f = s->ctx;
    char addr[IH_ADDR_TEXT_MAX];
    if (f->ndns < MAX_DNS) {
        captured_dns *k = &f->dns[f->ndns];
        k->time = d->time;
        ih_addr_format(&d->client_addr, addr);
        snprintf(k->client, sizeof(k->client), "%s", addr);
        ih_addr_format(&d->server_addr, addr);
        snprintf(k->server, sizeof(k->server), "%s", addr);
        copy_str(k->query, sizeof(k->query), d->query_name);
        copy_str(k->type_name, sizeof(k->type_name), d->query_type_name);
        copy_str(k->rcode_name, sizeof(k->rcode_name), d->rcode_name);
        k->query_type = d->query_type;
        k->rcode = d->rcode;
        k->answer_count = d->answer_count;
        k->answers_dropped = d->answers_dropped;
        for (size_t i = 0; i < d->answer_count; i++) {
            k->answers[i].kind = d->answers[i].kind;
            copy_str(k->answers[i].text, sizeof(k->answers[i].text), d->answers[i].text);
            k->answers[i].ttl = d->answers[i].ttl_s;
        }
        k->offset = o->offset;
    }
    f->ndns++;
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->sink = (ih_sink){capture_conn, capture_dns, f};
    ih_diag_init(&f->diag, false);
    ih_read_ctx_init(&f->ctx, &f->sink, &f->diag);
    f->ctx.origin.file = "test.pcap";
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->w)
        sim_pcap_close(f->w);
    if (f->mem)
        fclose(f->mem);
    free(f->buf);
    ih_read_ctx_free(&f->ctx);
    ih_diag_free(&f->diag);
    free(f);
    return 0;
}

/* Starts a capture in memory. */
static void begin(fixture *f, enum sim_pcap_format format, enum sim_pcap_link link)
{
    sim_pcap_options opt = {format, link, 0, {0, 0}};
    f->mem = open_memstream(&f->buf, &f->size);
    assert_non_null(f->mem);
    f->w = sim_pcap_open(f->mem, &opt);
    assert_non_null(f->w);
}

static void begin_with(fixture *f, const sim_pcap_options *opt)
{
    f->mem = open_memstream(&f->buf, &f->size);
    assert_non_null(f->mem);
    f->w = sim_pcap_open(f->mem, opt);
    assert_non_null(f->w);
}

/* Ends the capture; its bytes are f->buf[0..f->size). */
static void end(fixture *f)
{
    assert_int_equal(sim_pcap_close(f->w), 0);
    f->w = NULL;
    assert_int_equal(fflush(f->mem), 0);
}

static ih_input_options no_options(void)
{
    ih_input_options opt;
    memset(&opt, 0, sizeof(opt));
    return opt;
}

/* Reads the capture as a mapped file is read. */
static void read_mapped(fixture *f)
{
    ih_input_options opt = no_options();
    assert_int_equal(ih_reader_pcap.read_range((const unsigned char *)f->buf, f->size, 0, f->size,
                                               &f->ctx, &opt),
                     0);
    ih_read_ctx_flush(&f->ctx);
}

/* Reads the capture as a stream is read, in pieces of piece bytes. */
static void read_stream(fixture *f, size_t piece)
{
    ih_input_options opt = no_options();
    void *st = ih_reader_pcap.open(&f->ctx, &opt);
    assert_non_null(st);
    for (size_t at = 0; at < f->size; at += piece) {
        size_t n = f->size - at < piece ? f->size - at : piece;
        assert_int_equal(ih_reader_pcap.feed(st, (const unsigned char *)f->buf + at, n, &f->ctx), 0);
    }
    assert_int_equal(ih_reader_pcap.finish(st, &f->ctx), 0);
    ih_read_ctx_flush(&f->ctx);
}

static uint64_t counter(const ih_counter *c, size_t n, const char *source, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].source, source) == 0 && strcmp(c[i].name, name) == 0)
            return c[i].count;
    return 0;
}

static uint64_t skipped(fixture *f, const char *reason)
{
    return counter(f->diag.skipped, f->diag.nskipped, "pcap", reason);
}

static bool message_contains(const fixture *f, const char *text)
{
    for (size_t i = 0; i < f->diag.nmsgs; i++)
        if (strstr(f->diag.msgs[i].text, text))
            return true;
    return false;
}

static ih_addr parse_addr(const char *text)
{
    ih_addr a;
    assert_int_equal(ih_addr_parse(text, strlen(text), &a), 0);
    return a;
}

/* 2024-06-01T00:00:00Z */
#define T0 (INT64_C(1717200000) * IH_NS_PER_SEC)
#define MS INT64_C(1000000)

static sim_pcap_flow make_flow(const char *client, uint16_t cport, const char *server, uint16_t sport)
{
    sim_pcap_flow fl;
    memset(&fl, 0, sizeof(fl));
    fl.client = parse_addr(client);
    fl.server = parse_addr(server);
    fl.client_port = cport;
    fl.server_port = sport;
    fl.client_seq = 1000;
    fl.server_seq = 900000;
    return fl;
}

/* Writes one TCP segment of fl from either side with explicit flags and sequence number. */
static void write_segment(fixture *f, ih_time t, const sim_pcap_flow *fl, bool from_client,
                          uint8_t flags, uint32_t seq, const void *data, size_t len)
{
    uint8_t ip[SIM_PCAP_MAX_IP + 64];
    size_t n = from_client ? sim_pcap_build_tcp(ip, sizeof(ip), &fl->client, &fl->server,
                                                fl->client_port, fl->server_port, seq,
                                                fl->server_seq, flags, data, len)
                           : sim_pcap_build_tcp(ip, sizeof(ip), &fl->server, &fl->client,
                                                fl->server_port, fl->client_port, seq,
                                                fl->client_seq, flags, data, len);
    assert_true(n > 0);
    assert_int_equal(sim_pcap_write_ip(f->w, t, ip, n), 0);
}

/* ---- Probe ---- */

static void test_probe(void **state)
{
    (void)state;
    static const unsigned char usec[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    static const unsigned char big[] = {0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4};
    static const unsigned char nsec[] = {0x4d, 0x3c, 0xb2, 0xa1};
    static const unsigned char ng[] = {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a};
    static const unsigned char text[] = "{\"event_type\":\"flow\"}";

    assert_int_equal(ih_reader_pcap.probe(usec, sizeof(usec)), 100);
    assert_int_equal(ih_reader_pcap.probe(big, sizeof(big)), 100);
    assert_int_equal(ih_reader_pcap.probe(nsec, sizeof(nsec)), 100);
    assert_int_equal(ih_reader_pcap.probe(ng, sizeof(ng)), 100);
    assert_int_equal(ih_reader_pcap.probe(ng, 8), 0);
    assert_int_equal(ih_reader_pcap.probe(text, sizeof(text) - 1), 0);
    assert_int_equal(ih_reader_pcap.probe(usec, 3), 0);
}

/* ---- TCP ---- */

static void test_tls_session(void **state)
{
    fixture *f = *state;
    uint8_t hello[512], body[3000];
    memset(body, 'x', sizeof(body));
    size_t n = sim_pcap_build_client_hello(hello, sizeof(hello), "c2.example.org");
    sim_pcap_flow fl = make_flow("10.0.0.5", 49152, "203.0.113.10", 443);
    ih_time t = T0;

    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl), 0);
    assert_int_equal(sim_pcap_tcp_send(f->w, &t, MS, &fl, true, hello, n), 0);
    assert_int_equal(sim_pcap_tcp_send(f->w, &t, MS, &fl, false, body, sizeof(body)), 0);
    assert_int_equal(sim_pcap_tcp_close(f->w, &t, MS, &fl), 0);
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, 1);
    captured_conn *c = &f->conns[0];
    assert_int_equal(c->time, T0);
    assert_int_equal(c->offset, 24);
    assert_string_equal(c->device, "10.0.0.5");
    assert_string_equal(c->remote, "203.0.113.10");
    assert_int_equal(c->local_port, 49152);
    assert_int_equal(c->remote_port, 443);
    assert_int_equal(c->protocol, IH_PROTO_TCP);
    assert_int_equal(c->direction, IH_DIR_UNKNOWN);
    assert_int_equal(c->action, IH_ACTION_SUCCESS);
    assert_string_equal(c->state, "SF");
    assert_true(c->named);
    assert_string_equal(c->name, "c2.example.org");
    assert_int_equal(c->bytes_sent, n);
    assert_int_equal(c->bytes_received, sizeof(body));
    /* 3 handshake, 2 for the hello, 2 × 3 for the body (1400, 1400, 200), 3 to close. */
    assert_int_equal(counter(f->diag.read, f->diag.nread, "pcap", "records"), 14);
    assert_int_equal(f->diag.errors, 0);
}

static void test_http_hosts(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *request;
        const char *name; /* NULL: no name */
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: update.example.net\r\n\r\n", "update.example.net"},
        {"POST /x HTTP/1.1\r\nUser-Agent: t\r\nhOsT:   api.example.com:8080  \r\n\r\n",
         "api.example.com"},
        {"GET / HTTP/1.1\r\nHost: 203.0.113.10\r\n\r\n", NULL},
        {"GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", NULL},
        {"GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", NULL},
        {"SSH-2.0-OpenSSH_9.2\r\n", NULL},
    };
    size_t ncases = sizeof(cases) / sizeof(cases[0]);

    begin(f, SIM_PCAP_CLASSIC_NSEC, SIM_PCAP_ETHERNET);
    ih_time t = T0;
    for (size_t i = 0; i < ncases; i++) {
        sim_pcap_flow fl = make_flow("10.0.0.5", (uint16_t)(40000 + i), "203.0.113.10", 80);
        assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl), 0);
        assert_int_equal(sim_pcap_tcp_send(f->w, &t, MS, &fl, true, (const uint8_t *)cases[i].request,
                                           strlen(cases[i].request)),
                         0);
        assert_int_equal(sim_pcap_tcp_close(f->w, &t, MS, &fl), 0);
    }
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, ncases);
    for (size_t i = 0; i < ncases; i++) {
        print_message("case %zu\n", i);
        assert_int_equal(f->conns[i].local_port, 40000 + i);
        assert_int_equal(f->conns[i].named, cases[i].name != NULL);
        if (cases[i].name)
            assert_string_equal(f->conns[i].name, cases[i].name);
    }
}

/* A request or ClientHello split over segments, a retransmission and a lost segment. */
static void test_names_across_segments(void **state)
{
    fixture *f = *state;
    const char *req = "GET /long HTTP/1.1\r\nUser-Agent: test\r\nHost: split.example.org\r\n\r\n";
    uint8_t hello[512];
    size_t hn = sim_pcap_build_client_hello(hello, sizeof(hello), "tls-split.example.org");
    ih_time t = T0;

    begin(f, SIM_PCAP_NG, SIM_PCAP_ETHERNET);
    /* HTTP in two segments, the first retransmitted before the second. */
    sim_pcap_flow a = make_flow("10.0.0.5", 40001, "203.0.113.10", 80);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &a), 0);
    write_segment(f, t += MS, &a, true, 0x18, a.client_seq, req, 20);
    write_segment(f, t += MS, &a, true, 0x18, a.client_seq, req, 20);
    write_segment(f, t += MS, &a, true, 0x18, a.client_seq + 20, req + 20, strlen(req) - 20);
    /* TLS in two segments. */
    sim_pcap_flow b = make_flow("10.0.0.5", 40002, "203.0.113.11", 443);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &b), 0);
    write_segment(f, t += MS, &b, true, 0x18, b.client_seq, hello, 30);
    write_segment(f, t += MS, &b, true, 0x18, b.client_seq + 30, hello + 30, hn - 30);
    /* A gap before the rest of the hello: the name is not read. */
    sim_pcap_flow c = make_flow("10.0.0.5", 40003, "203.0.113.12", 443);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &c), 0);
    write_segment(f, t += MS, &c, true, 0x18, c.client_seq, hello, 30);
    write_segment(f, t += MS, &c, true, 0x18, c.client_seq + 40, hello + 40, hn - 40);
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, 3);
    assert_string_equal(f->conns[0].name, "split.example.org");
    assert_int_equal(f->conns[0].bytes_sent, strlen(req) + 20);
    assert_string_equal(f->conns[1].name, "tls-split.example.org");
    assert_false(f->conns[2].named);
    assert_string_equal(f->conns[0].state, "S1");
}

static void test_tcp_outcomes(void **state)
{
    fixture *f = *state;
    ih_time t = T0;
    static const struct {
        const char *state;
        enum ih_action action;
    } want[] = {
        {"REJ", IH_ACTION_FAILED},   {"S0", IH_ACTION_ATTEMPT},     {"RSTO", IH_ACTION_ATTEMPT},
        {"RSTO", IH_ACTION_SUCCESS}, {"RSTR", IH_ACTION_SUCCESS},   {"OTH", IH_ACTION_ATTEMPT},
        {"SH", IH_ACTION_ATTEMPT},   {"RSTOS0", IH_ACTION_ATTEMPT}, {"S2", IH_ACTION_SUCCESS},
    };
    sim_pcap_flow fl[9];
    for (int i = 0; i < 9; i++)
        fl[i] = make_flow("10.0.0.5", (uint16_t)(41000 + i), "198.51.100.7", 8080);

    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_RAW);
    /* 0: SYN answered by RST-ACK. */
    write_segment(f, t += MS, &fl[0], true, 0x02, 1000, NULL, 0);
    write_segment(f, t += MS, &fl[0], false, 0x14, 0, NULL, 0);
    /* 1: SYN, retransmitted, never answered. */
    write_segment(f, t += MS, &fl[1], true, 0x02, 1000, NULL, 0);
    write_segment(f, t += MS, &fl[1], true, 0x02, 1000, NULL, 0);
    /* 2: SYN, SYN-ACK, RST from the client without its ACK: a half-open scan. */
    write_segment(f, t += MS, &fl[2], true, 0x02, 1000, NULL, 0);
    write_segment(f, t += MS, &fl[2], false, 0x12, 900000, NULL, 0);
    write_segment(f, t += MS, &fl[2], true, 0x04, 1001, NULL, 0);
    /* 3: established, then reset by the client. */
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl[3]), 0);
    write_segment(f, t += MS, &fl[3], true, 0x04, fl[3].client_seq, NULL, 0);
    /* 4: established, then reset by the server. */
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl[4]), 0);
    write_segment(f, t += MS, &fl[4], false, 0x04, fl[4].server_seq, NULL, 0);
    /* 5: midstream data, no SYN seen. */
    write_segment(f, t += MS, &fl[5], true, 0x18, 5000, "abc", 3);
    write_segment(f, t += MS, &fl[5], false, 0x10, 7000, NULL, 0);
    /* 6: SYN, then FIN from the client. */
    write_segment(f, t += MS, &fl[6], true, 0x02, 1000, NULL, 0);
    write_segment(f, t += MS, &fl[6], true, 0x01, 1001, NULL, 0);
    /* 7: SYN, then RST from the client. */
    write_segment(f, t += MS, &fl[7], true, 0x02, 1000, NULL, 0);
    write_segment(f, t += MS, &fl[7], true, 0x04, 1001, NULL, 0);
    /* 8: established, the client closes, the server never does. */
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl[8]), 0);
    write_segment(f, t += MS, &fl[8], true, 0x11, fl[8].client_seq, NULL, 0);
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, 9);
    for (int i = 0; i < 9; i++) {
        print_message("case %d\n", i);
        assert_int_equal(f->conns[i].local_port, 41000 + i);
        assert_string_equal(f->conns[i].state, want[i].state);
        assert_int_equal(f->conns[i].action, want[i].action);
    }
    assert_string_equal(f->conns[5].device, "10.0.0.5");
}

/* Without a SYN, a first packet from a port below 1024 to one above comes from the server. */
static void test_midstream_direction(void **state)
{
    fixture *f = *state;
    sim_pcap_flow fl = make_flow("10.0.0.5", 50000, "198.51.100.7", 443);
    uint8_t data[3] = {1, 2, 3};

    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET);
    write_segment(f, T0, &fl, false, 0x18, 7000, data, 3);
    write_segment(f, T0 + MS, &fl, true, 0x10, 5000, NULL, 0);
    assert_int_equal(sim_pcap_udp_send(f->w, T0 + 2 * MS, &fl, false, data, 3), 0);
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, 2);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(f->conns[i].device, "10.0.0.5");
        assert_int_equal(f->conns[i].remote_port, 443);
        assert_int_equal(f->conns[i].bytes_received, 3);
    }
    assert_string_equal(f->conns[0].state, "OTH");
    assert_string_equal(f->conns[1].state, "SHR");
}

/* A SYN-ACK seen first: its receiver opened the connection. */
static void test_syn_ack_first(void **state)
{
    fixture *f = *state;
    sim_pcap_flow fl = make_flow("10.0.0.5", 50000, "198.51.100.7", 22);
    ih_time t = T0;

    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET);
    write_segment(f, t += MS, &fl, false, 0x12, 900000, NULL, 0);
    write_segment(f, t += MS, &fl, true, 0x10, 1001, NULL, 0);
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, 1);
    assert_string_equal(f->conns[0].device, "10.0.0.5");
    assert_int_equal(f->conns[0].remote_port, 22);
    assert_int_equal(f->conns[0].action, IH_ACTION_ATTEMPT);
}

/* ---- Flow ends ---- */

static void test_flow_ends(void **state)
{
    fixture *f = *state;
    uint8_t data[10] = {0};
    ih_time t = T0;

    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET);
    /* UDP: silent for 61 s, so two flows; then 59 s, still the second flow. */
    sim_pcap_flow u = make_flow("10.0.0.5", 5000, "198.51.100.9", 123);
    assert_int_equal(sim_pcap_udp_send(f->w, t, &u, true, data, 10), 0);
    assert_int_equal(sim_pcap_udp_send(f->w, t += 61 * IH_NS_PER_SEC, &u, true, data, 10), 0);
    assert_int_equal(sim_pcap_udp_send(f->w, t += 59 * IH_NS_PER_SEC, &u, false, data, 5), 0);
    /* TCP: closed, then the same ports again with a new SYN: two connections. */
    sim_pcap_flow a = make_flow("10.0.0.5", 6000, "198.51.100.9", 443);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &a), 0);
    assert_int_equal(sim_pcap_tcp_close(f->w, &t, MS, &a), 0);
    sim_pcap_flow b = make_flow("10.0.0.5", 6000, "198.51.100.9", 443);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &b), 0);
    end(f);
    read_mapped(f);

    /* Emitted as they end: the first UDP flow at the timeout, the first TCP connection at the
       new SYN, the rest at the end of the capture in the order of their first packets. */
    assert_int_equal(f->nconns, 4);
    assert_int_equal(f->conns[0].protocol, IH_PROTO_UDP);
    assert_string_equal(f->conns[0].state, "S0");
    assert_int_equal(f->conns[0].action, IH_ACTION_ATTEMPT);
    assert_int_equal(f->conns[0].time, T0);
    assert_int_equal(f->conns[1].protocol, IH_PROTO_TCP);
    assert_string_equal(f->conns[1].state, "SF");
    assert_int_equal(f->conns[2].protocol, IH_PROTO_UDP);
    assert_string_equal(f->conns[2].state, "SF");
    assert_int_equal(f->conns[2].time, T0 + 61 * IH_NS_PER_SEC);
    assert_int_equal(f->conns[2].bytes_sent, 10);
    assert_int_equal(f->conns[2].bytes_received, 5);
    assert_int_equal(f->conns[3].protocol, IH_PROTO_TCP);
    assert_string_equal(f->conns[3].state, "S1");
    assert_true(f->conns[3].offset > f->conns[1].offset);
}

/* Only closed connections end after 5 s; open ones wait 300 s. */
static void test_tcp_timeouts(void **state)
{
    fixture *f = *state;
    uint8_t data[10] = {0};
    ih_time t = T0;

    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET);
    sim_pcap_flow open = make_flow("10.0.0.5", 7000, "198.51.100.9", 443);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &open), 0);
    sim_pcap_flow closed = make_flow("10.0.0.5", 7001, "198.51.100.9", 443);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &closed), 0);
    assert_int_equal(sim_pcap_tcp_close(f->w, &t, MS, &closed), 0);
    /* Unrelated traffic 6 s later ends the closed one; 301 s later the open one. */
    sim_pcap_flow u = make_flow("10.0.0.6", 5000, "198.51.100.9", 514);
    assert_int_equal(sim_pcap_udp_send(f->w, t += 6 * IH_NS_PER_SEC, &u, true, data, 10), 0);
    assert_int_equal(sim_pcap_udp_send(f->w, t += 30 * IH_NS_PER_SEC, &u, true, data, 10), 0);
    assert_int_equal(f->nconns, 0);
    assert_int_equal(sim_pcap_udp_send(f->w, t += 290 * IH_NS_PER_SEC, &u, true, data, 10), 0);
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, 4);
    assert_int_equal(f->conns[0].local_port, 7001);
    assert_int_equal(f->conns[1].protocol, IH_PROTO_UDP); /* idle for 290 s */
    assert_int_equal(f->conns[2].local_port, 7000);
    assert_string_equal(f->conns[2].state, "S1");
}

/* The flow table ends the least recently seen flow when full. */
static int limit_conn(void *arg, const ih_conn *c, uint64_t offset)
{
    (void)offset;
    int *ports = arg;
    ports[ports[0]++ + 1] = c->local_port;
    return 0;
}

static int limit_dns(void *arg, const ih_dns *d, uint64_t offset)
{
    (void)arg;
    (void)d;
    (void)offset;
    return 0;
}

static int limit_skips;

static void limit_skip(void *arg, const char *reason)
{
    (void)arg;
    if (strcmp(reason, "connection ended early: flow table full") == 0)
        limit_skips++;
}

static void limit_bad(void *arg, uint64_t offset, const char *reason, const char *detail)
{
    (void)arg;
    (void)offset;
    (void)reason;
    (void)detail;
    fail();
}

static void test_flow_limit(void **state)
{
    (void)state;
    int ports[16] = {0};
    pcap_flow_sink sink = {limit_conn, limit_dns, limit_skip, limit_bad, ports};
    pcap_flow_limits limits = pcap_flow_default_limits;
    limits.max_flows = 2;
    pcap_flows *t = pcap_flows_new(&sink, &limits);
    assert_non_null(t);

    pcap_packet p;
    memset(&p, 0, sizeof(p));
    p.src = parse_addr("10.0.0.5");
    p.dst = parse_addr("198.51.100.9");
    p.proto = 17;
    p.dport = 514;
    for (int i = 0; i < 3; i++) {
        p.sport = (uint16_t)(5000 + i);
        assert_int_equal(pcap_flows_packet(t, T0 + i * MS, (uint64_t)i, &p), 0);
    }
    /* The second flow gets another packet, so the third new flow ends the first. */
    assert_int_equal(ports[0], 1);
    assert_int_equal(ports[1], 5000);
    assert_int_equal(limit_skips, 1);
    assert_int_equal(pcap_flows_finish(t), 0);
    assert_int_equal(ports[0], 3);
    assert_int_equal(ports[2], 5001);
    assert_int_equal(ports[3], 5002);
    pcap_flows_free(t);
}

/* ---- DNS ---- */

static void write_udp(fixture *f, ih_time t, const sim_pcap_flow *fl, bool from_client,
                      const uint8_t *data, size_t len)
{
    assert_int_equal(sim_pcap_udp_send(f->w, t, fl, from_client, data, len), 0);
}

static void test_dns_udp(void **state)
{
    fixture *f = *state;
    uint8_t q[512], r[1024];
    const sim_dns_answer answers[] = {
        {"www.example.com", 5, 580, "edge.example.net"},
        {"edge.example.net", 1, 20, "198.51.100.7"},
        {"edge.example.net", 1, 0x80000001u, "198.51.100.8"},
    };
    sim_pcap_flow fl = make_flow("10.0.0.5", 35790, "10.0.0.1", 53);

    begin(f, SIM_PCAP_CLASSIC_NSEC, SIM_PCAP_SLL);
    size_t qn = sim_pcap_build_dns(q, sizeof(q), 77, "www.example.com", 1, -1, NULL, 0);
    size_t rn = sim_pcap_build_dns(r, sizeof(r), 77, "www.example.com", 1, 0, answers, 3);
    write_udp(f, T0, &fl, true, q, qn);
    write_udp(f, T0 + 5 * MS, &fl, false, r, rn);
    /* A response whose query is not in the capture. */
    sim_pcap_flow g = make_flow("2001:db8::5", 35791, "2001:db8::1", 53);
    rn = sim_pcap_build_dns(r, sizeof(r), 78, "missing.example.com", 28, 3, NULL, 0);
    write_udp(f, T0 + 6 * MS, &g, false, r, rn);
    /* A query that is never answered. */
    qn = sim_pcap_build_dns(q, sizeof(q), 79, "never.example.com", 16, -1, NULL, 0);
    write_udp(f, T0 + 7 * MS, &fl, true, q, qn);
    end(f);
    read_mapped(f);

    assert_int_equal(f->ndns, 3);
    captured_dns *d = &f->dns[0];
    assert_int_equal(d->time, T0);
    assert_string_equal(d->client, "10.0.0.5");
    assert_string_equal(d->server, "10.0.0.1");
    assert_string_equal(d->query, "www.example.com");
    assert_int_equal(d->query_type, 1);
    assert_string_equal(d->type_name, "A");
    assert_int_equal(d->rcode, 0);
    assert_string_equal(d->rcode_name, "NOERROR");
    assert_int_equal(d->answer_count, 3);
    assert_int_equal(d->answers[0].kind, IH_ANSWER_CNAME);
    assert_string_equal(d->answers[0].text, "edge.example.net");
    assert_int_equal(d->answers[0].ttl, 580);
    assert_int_equal(d->answers[1].kind, IH_ANSWER_ADDR);
    assert_string_equal(d->answers[1].text, "198.51.100.7");
    assert_int_equal(d->answers[2].ttl, 0); /* the top bit set reads as 0 */

    d = &f->dns[1];
    assert_int_equal(d->time, T0 + 6 * MS);
    assert_string_equal(d->client, "2001:db8::5");
    assert_string_equal(d->query, "missing.example.com");
    assert_int_equal(d->query_type, 28);
    assert_int_equal(d->rcode, 3);
    assert_string_equal(d->rcode_name, "NXDOMAIN");

    d = &f->dns[2];
    assert_string_equal(d->query, "never.example.com");
    assert_int_equal(d->query_type, 16);
    assert_int_equal(d->rcode, -1);
    assert_int_equal(d->answer_count, 0);

    /* The DNS flows are connections too. */
    assert_int_equal(f->nconns, 2);
    assert_int_equal(f->conns[0].remote_port, 53);
    assert_string_equal(f->conns[0].state, "SF");
    assert_string_equal(f->conns[1].device, "2001:db8::5");
    assert_string_equal(f->conns[1].state, "SHR");
}

static void test_dns_tcp(void **state)
{
    fixture *f = *state;
    uint8_t q[600], r[600], both[1200];
    const sim_dns_answer a = {"big.example.com", 16, 60, "v=spf1 -all"};
    sim_pcap_flow fl = make_flow("10.0.0.5", 40000, "10.0.0.1", 53);
    ih_time t = T0;

    size_t qn = sim_pcap_build_dns(q + 2, sizeof(q) - 2, 5, "big.example.com", 16, -1, NULL, 0);
    q[0] = 0;
    q[1] = (uint8_t)qn;
    size_t rn = sim_pcap_build_dns(r + 2, sizeof(r) - 2, 5, "big.example.com", 16, 0, &a, 1);
    r[0] = 0;
    r[1] = (uint8_t)rn;
    /* Two queries in one segment, the responses split at an odd place. */
    memcpy(both, q, qn + 2);
    memcpy(both + qn + 2, q, qn + 2);
    both[qn + 2 + 2 + 1] = 6; /* the second query has id 6 */

    begin(f, SIM_PCAP_NG, SIM_PCAP_SLL2);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl), 0);
    assert_int_equal(sim_pcap_tcp_send(f->w, &t, MS, &fl, true, both, 2 * (qn + 2)), 0);
    uint8_t resp[1200];
    memcpy(resp, r, rn + 2);
    memcpy(resp + rn + 2, r, rn + 2);
    resp[rn + 2 + 2 + 1] = 6;
    write_segment(f, t += MS, &fl, false, 0x18, fl.server_seq, resp, 7);
    write_segment(f, t += MS, &fl, false, 0x18, fl.server_seq + 7, resp + 7, 2 * (rn + 2) - 7);
    end(f);
    read_mapped(f);

    assert_int_equal(f->ndns, 2);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(f->dns[i].query, "big.example.com");
        assert_int_equal(f->dns[i].answer_count, 1);
        assert_int_equal(f->dns[i].answers[0].kind, IH_ANSWER_OTHER);
        assert_string_equal(f->dns[i].answers[0].text, "v=spf1 -all");
    }
    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->diag.errors, 0);
}

static void test_dns_invalid(void **state)
{
    fixture *f = *state;
    const uint8_t garbage[] = {0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1};
    sim_pcap_flow fl = make_flow("10.0.0.5", 35790, "10.0.0.1", 53);

    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET);
    write_udp(f, T0, &fl, false, garbage, sizeof(garbage));
    end(f);
    read_mapped(f);

    assert_int_equal(f->ndns, 0);
    assert_int_equal(f->diag.errors, 1);
    assert_true(message_contains(f, "invalid compression pointer at byte 12 of the message"));
}

/* ---- Link layers and damage ---- */

/* One TCP connection with a name, written with the given options, read both ways. */
static void check_link(fixture *f, const sim_pcap_options *opt, const char *client,
                       const char *server)
{
    uint8_t hello[512];
    size_t n = sim_pcap_build_client_hello(hello, sizeof(hello), "link.example.org");
    sim_pcap_flow fl = make_flow(client, 45000, server, 443);
    ih_time t = T0 + 123456789;

    begin_with(f, opt);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl), 0);
    assert_int_equal(sim_pcap_tcp_send(f->w, &t, MS, &fl, true, hello, n), 0);
    assert_int_equal(sim_pcap_tcp_close(f->w, &t, MS, &fl), 0);
    end(f);
    read_mapped(f);
    read_stream(f, 7);

    assert_int_equal(f->nconns, 2);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(f->conns[i].device, client);
        assert_string_equal(f->conns[i].remote, server);
        assert_string_equal(f->conns[i].name, "link.example.org");
        assert_string_equal(f->conns[i].state, "SF");
        /* Microsecond captures lose the last three digits. */
        ih_time want = opt->format == SIM_PCAP_CLASSIC_USEC ? T0 + 123456000 : T0 + 123456789;
        assert_int_equal(f->conns[i].time, want);
    }
    assert_int_equal(f->diag.errors, 0);
}

static void test_link_types(void **state)
{
    fixture *f = *state;
    static const sim_pcap_options variants[] = {
        {SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET, 0, {100, 200}},
        {SIM_PCAP_CLASSIC_NSEC, SIM_PCAP_SLL, 0, {0, 0}},
        {SIM_PCAP_NG, SIM_PCAP_SLL2, 0, {0, 0}},
        {SIM_PCAP_NG, SIM_PCAP_RAW, 0, {0, 0}},
        {SIM_PCAP_CLASSIC_NSEC, SIM_PCAP_ETHERNET, 0, {42, 0}},
    };
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        print_message("variant %zu\n", i);
        check_link(f, &variants[i], i % 2 ? "2001:db8::5" : "10.0.0.5",
                   i % 2 ? "2001:db8:ff::1" : "203.0.113.10");
        fclose(f->mem);
        f->mem = NULL;
        free(f->buf);
        f->buf = NULL;
        f->nconns = 0;
    }
}

/* Fragments, a cut packet, a bad header, IPv6 extension headers and non-IP frames. */
static void test_odd_packets(void **state)
{
    fixture *f = *state;
    uint8_t ip[200], data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ih_addr a4 = parse_addr("10.0.0.5"), b4 = parse_addr("198.51.100.9");
    ih_addr a6 = parse_addr("2001:db8::5"), b6 = parse_addr("2001:db8::9");
    sim_pcap_options opt = {SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET, 0, {0, 0}};

    begin_with(f, &opt);
    /* An IPv4 fragment: more-fragments set. */
    size_t n = sim_pcap_build_udp(ip, sizeof(ip), &a4, &b4, 1000, 2000, data, 8);
    ip[6] = 0x20;
    assert_int_equal(sim_pcap_write_ip(f->w, T0, ip, n), 0);
    /* An IPv4 header length of 16 bytes. */
    n = sim_pcap_build_udp(ip, sizeof(ip), &a4, &b4, 1000, 2000, data, 8);
    ip[0] = 0x44;
    assert_int_equal(sim_pcap_write_ip(f->w, T0, ip, n), 0);
    /* An IPv6 datagram behind a hop-by-hop header and an atomic fragment header. */
    uint8_t v6[200];
    n = sim_pcap_build_udp(ip, sizeof(ip), &a6, &b6, 40000, 2000, data, 8);
    memcpy(v6, ip, 40);
    v6[6] = 0;                                           /* next: hop-by-hop */
    const uint8_t hop[8] = {44, 0, 1, 4, 0, 0, 0, 0};    /* next: fragment, PadN */
    const uint8_t frag[8] = {17, 0, 0, 0, 0, 0, 0, 1};   /* next: UDP, offset 0, no more */
    memcpy(v6 + 40, hop, 8);
    memcpy(v6 + 48, frag, 8);
    memcpy(v6 + 56, ip + 40, n - 40);
    v6[4] = 0;
    v6[5] = (uint8_t)(n - 40 + 16);
    assert_int_equal(sim_pcap_write_ip(f->w, T0, v6, n + 16), 0);
    /* The same with a real fragment: more fragments set. */
    v6[48 + 7] = 1;
    v6[48 + 3] = 1;
    assert_int_equal(sim_pcap_write_ip(f->w, T0, v6, n + 16), 0);
    /* ICMP. */
    n = sim_pcap_build_udp(ip, sizeof(ip), &a4, &b4, 1000, 2000, data, 8);
    ip[9] = 1;
    assert_int_equal(sim_pcap_write_ip(f->w, T0, ip, n), 0);
    /* An ARP frame, and an Ethernet frame cut inside the IP header. */
    uint8_t arp[42] = {0};
    arp[12] = 0x08;
    arp[13] = 0x06;
    assert_int_equal(sim_pcap_write_frame(f->w, T0, arp, sizeof(arp)), 0);
    uint8_t cut[24] = {0};
    cut[12] = 0x08;
    cut[14] = 0x45;
    assert_int_equal(sim_pcap_write_frame(f->w, T0, cut, sizeof(cut)), 0);
    end(f);
    read_mapped(f);

    assert_int_equal(skipped(f, "IP fragment (not reassembled)"), 2);
    assert_int_equal(skipped(f, "IP protocol other than TCP and UDP"), 1);
    assert_int_equal(skipped(f, "packet not IPv4 or IPv6"), 1);
    assert_int_equal(skipped(f, "packet cut short by the capture"), 1);
    assert_int_equal(f->diag.errors, 1);
    assert_true(message_contains(f, "IPv4 header length 16"));
    assert_int_equal(f->nconns, 1);
    assert_string_equal(f->conns[0].device, "2001:db8::5");
    assert_int_equal(f->conns[0].bytes_sent, 8);
}

/* A capture whose snapshot length cuts packets: bytes still count from the IP header. */
static void test_snaplen(void **state)
{
    fixture *f = *state;
    uint8_t body[1000];
    memset(body, 'y', sizeof(body));
    sim_pcap_options opt = {SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET, 96, {0, 0}};
    sim_pcap_flow fl = make_flow("10.0.0.5", 45000, "203.0.113.10", 80);
    const char *req = "GET / HTTP/1.1\r\nHost: a-rather-long-name-that-is-cut.example.org\r\n\r\n";
    ih_time t = T0;

    begin_with(f, &opt);
    assert_int_equal(sim_pcap_tcp_open(f->w, &t, MS, &fl), 0);
    assert_int_equal(sim_pcap_tcp_send(f->w, &t, MS, &fl, true, (const uint8_t *)req, strlen(req)), 0);
    assert_int_equal(sim_pcap_tcp_send(f->w, &t, MS, &fl, false, body, sizeof(body)), 0);
    end(f);
    read_mapped(f);

    assert_int_equal(f->nconns, 1);
    assert_int_equal(f->conns[0].bytes_sent, strlen(req));
    assert_int_equal(f->conns[0].bytes_received, sizeof(body));
    assert_false(f->conns[0].named);
    assert_int_equal(f->diag.errors, 0);
}

static void test_damaged_captures(void **state)
{
    fixture *f = *state;
    uint8_t data[10] = {0};
    sim_pcap_flow fl = make_flow("10.0.0.5", 5000, "198.51.100.9", 123);

    /* Cut inside the third record: the first two are read, then the damage is reported. */
    begin(f, SIM_PCAP_CLASSIC_USEC, SIM_PCAP_ETHERNET);
    for (int i = 0; i < 3; i++)
        write_udp(f, T0 + i * MS, &fl, true, data, sizeof(data));
    end(f);
    f->size -= 5;
    read_mapped(f);
    assert_int_equal(f->nconns, 1);
    assert_int_equal(counter(f->diag.read, f->diag.nread, "pcap", "records"), 2);
    assert_int_equal(f->diag.errors, 1);
    assert_true(message_contains(f, "the rest of the file is not read"));

    /* A header of an unknown version, and a link type that is not read. */
    uint8_t bad[24] = {0xd4, 0xc3, 0xb2, 0xa1, 9, 0, 4, 0};
    ih_input_options opt = no_options();
    assert_int_equal(ih_reader_pcap.read_range(bad, sizeof(bad), 0, sizeof(bad), &f->ctx, &opt), 0);
    assert_int_equal(f->diag.errors, 2);
    uint8_t wifi[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 4, 0, 105, 0, 0, 0};
    assert_int_equal(ih_reader_pcap.read_range(wifi, sizeof(wifi), 0, sizeof(wifi), &f->ctx, &opt),
                     0);
    assert_int_equal(f->diag.errors, 3);
    assert_true(message_contains(f, "IEEE802_11 (105)"));
    assert_int_equal(ih_reader_pcap.read_range(wifi, 0, 0, 0, &f->ctx, &opt), 0);
    assert_int_equal(f->diag.errors, 4);
}

/* ---- Parsers on their own ---- */

static void test_dns_parser(void **state)
{
    (void)state;
    pcap_dns_msg *m = malloc(sizeof(*m));
    uint8_t msg[2048];
    assert_non_null(m);

    /* More answers than an event keeps: the rest are counted. */
    sim_dns_answer many[40];
    char addrs[40][24];
    for (int i = 0; i < 40; i++) {
        snprintf(addrs[i], sizeof(addrs[i]), "192.0.2.%d", i + 1);
        many[i] = (sim_dns_answer){"pool.example.org", 1, 5, addrs[i]};
    }
    size_t n = sim_pcap_build_dns(msg, sizeof(msg), 1, "pool.example.org", 1, 0, many, 40);
    assert_true(n > 0);
    assert_int_equal(pcap_dns_parse(msg, n, m), 0);
    assert_int_equal(m->answer_count, IH_DNS_MAX_ANSWERS);
    assert_int_equal(m->answers_dropped, 8);

    /* Names with bytes outside letters and digits are escaped as dig writes them. */
    static const uint8_t odd[] = {0, 2, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 0x07,
                                  7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1};
    assert_int_equal(pcap_dns_parse(odd, sizeof(odd), m), 0);
    assert_true(m->has_question);
    assert_int_equal(m->qname.len, strlen("a\\.\\007.example"));
    assert_memory_equal(m->qname.ptr, "a\\.\\007.example", m->qname.len);
    assert_false(m->response);

    /* Damage: a short header, a label past the end, a forward pointer, a long name. */
    assert_int_equal(pcap_dns_parse(msg, 11, m), -1);
    assert_non_null(strstr(m->problem, "12-byte header"));
    assert_int_equal(pcap_dns_parse(odd, sizeof(odd) - 8, m), -1);
    assert_non_null(strstr(m->problem, "label runs past the end"));
    uint8_t fwd[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 1, 'a', 0, 0, 1, 0, 1};
    assert_int_equal(pcap_dns_parse(fwd, sizeof(fwd), m), -1);
    assert_non_null(strstr(m->problem, "invalid compression pointer"));
    uint8_t longname[400] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    size_t at = 12;
    for (int i = 0; i < 5; i++) {
        longname[at++] = 60;
        memset(longname + at, 'a', 60);
        at += 60;
    }
    longname[at++] = 0;
    assert_int_equal(pcap_dns_parse(longname, at + 4, m), -1);
    assert_non_null(strstr(m->problem, "longer than 255 bytes"));
    free(m);
}

static void test_name_parsers(void **state)
{
    (void)state;
    uint8_t hello[512];
    char name[PCAP_APP_MAX_NAME];
    size_t len = 0;

    size_t n = sim_pcap_build_client_hello(hello, sizeof(hello), "sni.example.org");
    assert_int_equal(pcap_app_tls_sni(hello, n, name, &len), 1);
    assert_int_equal(len, strlen("sni.example.org"));
    assert_memory_equal(name, "sni.example.org", len);
    assert_int_equal(pcap_app_tls_sni(hello, n - 1, name, &len), -1);
    assert_int_equal(pcap_app_tls_sni(hello, 3, name, &len), -1);
    n = sim_pcap_build_client_hello(hello, sizeof(hello), NULL);
    assert_int_equal(pcap_app_tls_sni(hello, n, name, &len), 0);
    hello[5] = 2; /* a ServerHello */
    assert_int_equal(pcap_app_tls_sni(hello, n, name, &len), 0);
    assert_int_equal(pcap_app_tls_sni((const uint8_t *)"GET /", 5, name, &len), 0);

    const char *req = "GET / HTTP/1.1\r\nHost: h.example.com\r\n\r\n";
    assert_int_equal(pcap_app_http_host((const uint8_t *)req, strlen(req), name, &len), 1);
    assert_int_equal(pcap_app_http_host((const uint8_t *)req, 20, name, &len), -1);
    assert_int_equal(pcap_app_http_host((const uint8_t *)"GE", 2, name, &len), -1);
    assert_int_equal(pcap_app_http_host((const uint8_t *)"GET", 3, name, &len), -1);
    assert_int_equal(pcap_app_http_host((const uint8_t *)"", 3, name, &len), 0);
    const char *bare = "GET / HTTP/1.1\nHost: bare.example.com\n\n";
    assert_int_equal(pcap_app_http_host((const uint8_t *)bare, strlen(bare), name, &len), 1);
    assert_memory_equal(name, "bare.example.com", len);
    const char *spaced = "GET / HTTP/1.1\r\nHost: a b\r\n\r\n";
    assert_int_equal(pcap_app_http_host((const uint8_t *)spaced, strlen(spaced), name, &len), 0);
}

/* The stream path (a gzip file, standard input) gives what the mapped path gives. */
static void test_stream_matches_mapped(void **state)
{
    fixture *f = *state;
    uint8_t q[512], r[512];
    const sim_dns_answer a = {"s.example.com", 1, 30, "192.0.2.1"};
    sim_pcap_flow fl = make_flow("10.0.0.5", 35790, "10.0.0.1", 53);

    begin(f, SIM_PCAP_NG, SIM_PCAP_ETHERNET);
    size_t qn = sim_pcap_build_dns(q, sizeof(q), 1, "s.example.com", 1, -1, NULL, 0);
    size_t rn = sim_pcap_build_dns(r, sizeof(r), 1, "s.example.com", 1, 0, &a, 1);
    write_udp(f, T0, &fl, true, q, qn);
    write_udp(f, T0 + MS, &fl, false, r, rn);
    end(f);
    read_mapped(f);
    read_stream(f, 1);
    read_stream(f, 1 << 20);

    assert_int_equal(f->nconns, 3);
    assert_int_equal(f->ndns, 3);
    for (int i = 1; i < 3; i++) {
        assert_memory_equal(&f->conns[i], &f->conns[0], sizeof(f->conns[0]));
        assert_memory_equal(&f->dns[i], &f->dns[0], sizeof(f->dns[0]));
    }
    assert_int_equal(f->dns[0].offset, 28 + 32); /* after the section and interface blocks */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe),
        cmocka_unit_test_setup_teardown(test_tls_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_hosts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_across_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syn_ack_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_midstream_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_timeouts, setup, teardown),
        cmocka_unit_test(test_flow_limit),
        cmocka_unit_test_setup_teardown(test_dns_udp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_tcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_packets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snaplen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_captures, setup, teardown),
        cmocka_unit_test(test_dns_parser),
        cmocka_unit_test(test_name_parsers),
        cmocka_unit_test_setup_teardown(test_stream_matches_mapped, setup, teardown),
    };
    return cmocka_run_group_tests_name("input_pcap", tests, NULL, NULL);
}
