/* The capture reader's flow table; see pcap_flow.h and docs/sources/pcap.md. */
#include "pcap_flow.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"
#include "pcap_app.h"
#include "pcap_dns.h"

const pcap_flow_limits pcap_flow_default_limits = {
    .tcp_idle = 300 * IH_NS_PER_SEC,
    .tcp_closed = 5 * IH_NS_PER_SEC,
    .udp_idle = 60 * IH_NS_PER_SEC,
    .max_flows = 262144,
    .max_queries = 64,
};

/* Client bytes gathered to find a server name; a ClientHello or request header beyond this is not read. */
#define MAX_APP_BYTES 16384
/* A DNS message over TCP has a 2-byte length, so it is at most this long with its prefix. */
#define MAX_TCP_DNS (65535 + 2)

/*
 * State of one side of a TCP connection, after the states Zeek's conn_state
 * function reads. UDP uses EP_INACTIVE and EP_ACTIVE.
 */
enum endpoint_state {
    EP_INACTIVE = 0,  /* nothing sent yet */
    EP_SYN_SENT,      /* the originator sent a SYN */
    EP_SYN_ACK_SENT,  /* the responder sent a SYN-ACK */
    EP_PARTIAL,       /* sent data or ACKs without a SYN seen: the capture began midstream */
    EP_ESTABLISHED,   /* the originator acknowledged the responder's SYN-ACK */
    EP_CLOSED,        /* sent a FIN */
    EP_RESET,         /* sent a RST */
    EP_ACTIVE,        /* UDP: sent a datagram */
};

/* Expiry lists, each ordered by the time of the last packet, with its own timeout. */
enum { LIST_UDP, LIST_TCP, LIST_CLOSED, NLISTS };

/* How far in-order tracking of one direction's TCP payload got. */
enum { SEQ_UNKNOWN, SEQ_KNOWN, SEQ_LOST };

/* A DNS query waiting for its response; name is not NUL-terminated. */
typedef struct held_query {
    struct held_query *next;
    uint16_t id, qtype;
    bool has_question;
    ih_time time;
    uint64_t offset;
    ih_addr client, server;
    size_t name_len;
    char name[];
} held_query;

typedef struct byte_buf {
    uint8_t *data;
    size_t len, cap;
} byte_buf;

typedef struct flow {
    struct flow *hash_next, *prev, *next;
    uint64_t hash;
    ih_addr addr[2]; /* [0] the originator, [1] the responder */
    uint16_t port[2];
    uint8_t proto, list;
    uint8_t state[2];
    bool handshake;      /* the originator acknowledged the responder's SYN-ACK */
    bool orig_syn, orig_acked; /* the originator sent a SYN; sent an ACK or FIN */
    bool is_dns;         /* either port is 53 */
    bool name_pending;   /* the client's first bytes may still name the server */
    ih_time first, last;
    uint64_t offset;     /* capture offset of the first packet */
    uint64_t bytes[2], pkts[2];
    uint32_t next_seq[2];
    uint8_t seq_state[2];
    char *name;
    size_t name_len;
    byte_buf app;        /* the client's first bytes, while name_pending */
    byte_buf dns[2];     /* DNS over TCP, per direction */
    held_query *queries; /* oldest first */
    size_t nqueries;
} flow;

struct pcap_flows {
    pcap_flow_sink sink;
    pcap_flow_limits limits;
    flow **buckets;
    size_t nbuckets, count;
    flow *head[NLISTS], *tail[NLISTS];
    ih_time now;
    bool stopped;
    pcap_dns_msg *msg; /* scratch for the message being parsed */
};

/* ---- Table ---- */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 31;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 29;
    h *= UINT64_C(0x94D049BB133111EB);
    return h ^ (h >> 32);
}

static uint64_t endpoint_hash(const ih_addr *a, uint16_t port)
{
    uint64_t w0, w1;

    memcpy(&w0, a->bytes, 8);
    memcpy(&w1, a->bytes + 8, 8);
    return mix(w0 ^ mix(w1 ^ ((uint64_t)port << 8 | a->family)));
}

/* The same for both directions of a flow, because XOR is symmetric. */
static uint64_t flow_hash(const pcap_packet *p)
{
    return mix(endpoint_hash(&p->src, p->sport) ^ endpoint_hash(&p->dst, p->dport) ^ p->proto);
}

static bool same_endpoint(const ih_addr *a, uint16_t pa, const ih_addr *b, uint16_t pb)
{
    return pa == pb && a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* Finds the flow of p and sets *dir to 0 when p comes from the originator, 1 otherwise. */
static flow *lookup(const pcap_flows *t, const pcap_packet *p, uint64_t hash, int *dir)
{
    for (flow *f = t->buckets[hash & (t->nbuckets - 1)]; f; f = f->hash_next) {
        if (f->hash != hash || f->proto != p->proto)
            continue;
        if (same_endpoint(&f->addr[0], f->port[0], &p->src, p->sport) &&
            same_endpoint(&f->addr[1], f->port[1], &p->dst, p->dport)) {
            *dir = 0;
            return f;
        }
        if (same_endpoint(&f->addr[1], f->port[1], &p->src, p->sport) &&
            same_endpoint(&f->addr[0], f->port[0], &p->dst, p->dport)) {
            *dir = 1;
            return f;
        }
    }
    return NULL;
}

static int grow(pcap_flows *t)
{
    size_t n = t->nbuckets * 2;
    flow **b = calloc(n, sizeof(*b));

    if (!b)
        return -1;
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (flow *f = t->buckets[i], *next; f; f = next) {
            next = f->hash_next;
            f->hash_next = b[f->hash & (n - 1)];
            b[f->hash & (n - 1)] = f;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
    return 0;
}

static void list_unlink(pcap_flows *t, flow *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        t->head[f->list] = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        t->tail[f->list] = f->prev;
    f->prev = f->next = NULL;
}

static void list_append(pcap_flows *t, flow *f, uint8_t list)
{
    f->list = list;
    f->prev = t->tail[list];
    f->next = NULL;
    if (t->tail[list])
        t->tail[list]->next = f;
    else
        t->head[list] = f;
    t->tail[list] = f;
}

static bool tcp_closed(const flow *f)
{
    return f->state[0] == EP_RESET || f->state[1] == EP_RESET ||
           (f->state[0] == EP_CLOSED && f->state[1] == EP_CLOSED);
}

/* Moves f to the end of the list its state belongs to, after a packet. */
static void touch(pcap_flows *t, flow *f)
{
    uint8_t list = f->proto == 17 ? LIST_UDP : tcp_closed(f) ? LIST_CLOSED : LIST_TCP;

    list_unlink(t, f);
    list_append(t, f, list);
}

static void hash_remove(pcap_flows *t, flow *f)
{
    flow **link = &t->buckets[f->hash & (t->nbuckets - 1)];

    while (*link != f)
        link = &(*link)->hash_next;
    *link = f->hash_next;
}

static void flow_free(flow *f)
{
    for (held_query *q = f->queries, *next; q; q = next) {
        next = q->next;
        free(q);
    }
    free(f->name);
    free(f->app.data);
    free(f->dns[0].data);
    free(f->dns[1].data);
    free(f);
}

/* ---- Events ---- */

static void stop_if(pcap_flows *t, int rc)
{
    if (rc < 0)
        t->stopped = true;
}

/* The label Zeek's conn_state function gives these endpoint states. */
static const char *tcp_label(const flow *f)
{
    uint8_t os = f->state[0], rs = f->state[1];
    bool o_inactive = os == EP_INACTIVE || os == EP_PARTIAL;
    bool r_inactive = rs == EP_INACTIVE || rs == EP_PARTIAL;

    if (rs == EP_RESET) {
        if (os == EP_SYN_SENT || os == EP_SYN_ACK_SENT ||
            (os == EP_RESET && f->bytes[0] == 0 && f->bytes[1] == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == EP_RESET) {
        if (r_inactive)
            return f->orig_syn && !f->orig_acked ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (rs == EP_CLOSED && os == EP_CLOSED)
        return "SF";
    if (os == EP_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == EP_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == EP_SYN_SENT && rs == EP_INACTIVE)
        return "S0";
    if (os == EP_ESTABLISHED && rs == EP_ESTABLISHED)
        return "S1";
    return "OTH";
}

static const char *udp_label(const flow *f)
{
    bool o = f->state[0] == EP_ACTIVE, r = f->state[1] == EP_ACTIVE;

    if (o)
        return r ? "SF" : "S0";
    return r ? "SHR" : "OTH";
}

static ih_str addr_text(const ih_addr *a, char buf[IH_ADDR_TEXT_MAX])
{
    ih_addr_format(a, buf);
    return (ih_str){buf, strlen(buf)};
}

/*
 * Emits f's connection. A TCP connection succeeded when its handshake
 * completed, failed when the responder replied to the SYN with a RST, and is
 * an attempt otherwise. A UDP flow succeeded when the responder sent anything.
 */
static void emit_conn(pcap_flows *t, const flow *f)
{
    char local[IH_ADDR_TEXT_MAX], remote[IH_ADDR_TEXT_MAX];
    const char *label = f->proto == 6 ? tcp_label(f) : udp_label(f);
    ih_conn c;

    ih_conn_init(&c);
    c.time = f->first;
    c.device_id = c.device_name = addr_text(&f->addr[0], local);
    c.local_addr = f->addr[0];
    c.remote_addr = f->addr[1];
    c.remote_ip_text = addr_text(&f->addr[1], remote);
    c.local_port = f->port[0];
    c.remote_port = f->port[1];
    c.protocol = f->proto == 6 ? IH_PROTO_TCP : IH_PROTO_UDP;
    c.direction = IH_DIR_UNKNOWN;
    c.action_name = (ih_str){label, strlen(label)};
    if (f->proto == 6)
        c.action = f->handshake              ? IH_ACTION_SUCCESS
                   : strcmp(label, "REJ") == 0 ? IH_ACTION_FAILED
                                               : IH_ACTION_ATTEMPT;
    else
        c.action = f->pkts[1] > 0 ? IH_ACTION_SUCCESS : IH_ACTION_ATTEMPT;
    if (f->name)
        c.remote_name = (ih_str){f->name, f->name_len};
    c.bytes_sent = f->bytes[0];
    c.bytes_received = f->bytes[1];
    stop_if(t, t->sink.conn(t->sink.arg, &c, f->offset));
}

/*
 * Emits a DNS event: a query q with the response m, or either alone. The
 * query fixes the time, the origin and the question; the response adds the
 * rcode and the answers. client and server are used when q is NULL.
 */
static void emit_dns(pcap_flows *t, const held_query *q, const pcap_dns_msg *m, ih_time time,
                     uint64_t offset, const ih_addr *client, const ih_addr *server)
{
    char device[IH_ADDR_TEXT_MAX];
    ih_dns d;

    ih_dns_init(&d);
    d.time = q ? q->time : time;
    d.client_addr = q ? q->client : *client;
    d.server_addr = q ? q->server : *server;
    d.device_id = d.device_name = addr_text(&d.client_addr, device);

    bool question = q ? q->has_question : m && m->has_question;
    uint16_t qtype = 0;
    if (q)
        qtype = q->qtype;
    else if (m)
        qtype = m->qtype;
    if (q && q->has_question)
        d.query_name = (ih_str){q->name, q->name_len};
    else if (m && m->has_question)
        d.query_name = m->qname;
    if (question) {
        const char *name = pcap_dns_type_name(qtype);
        d.query_type = qtype;
        d.query_type_name = name ? (ih_str){name, strlen(name)} : IH_STR_NONE;
    }
    if (m) {
        const char *name = pcap_dns_rcode_name(m->rcode);
        d.rcode = m->rcode;
        d.rcode_name = name ? (ih_str){name, strlen(name)} : IH_STR_NONE;
        d.answer_count = m->answer_count;
        d.answers_dropped = m->answers_dropped;
        memcpy(d.answers, m->answers, m->answer_count * sizeof(m->answers[0]));
    }
    stop_if(t, t->sink.dns(t->sink.arg, &d, q ? q->offset : offset));
}

/* Emits f's connection and its unanswered queries, then removes and frees it. */
static void end_flow(pcap_flows *t, flow *f)
{
    if (!t->stopped)
        emit_conn(t, f);
    for (held_query *q = f->queries; q && !t->stopped; q = q->next)
        emit_dns(t, q, NULL, 0, 0, NULL, NULL);
    list_unlink(t, f);
    hash_remove(t, f);
    t->count--;
    flow_free(f);
}

static ih_time list_timeout(const pcap_flows *t, int list)
{
    return list == LIST_UDP ? t->limits.udp_idle
           : list == LIST_TCP ? t->limits.tcp_idle
                              : t->limits.tcp_closed;
}

/* Ends the flows whose last packet is older than their list's timeout. */
static void expire(pcap_flows *t)
{
    for (int l = 0; l < NLISTS; l++) {
        ih_time timeout = list_timeout(t, l);
        while (t->head[l] && t->head[l]->last < t->now - timeout)
            end_flow(t, t->head[l]);
    }
}

/* Ends the least recently seen flow, to make room. */
static void evict_oldest(pcap_flows *t)
{
    flow *oldest = NULL;

    for (int l = 0; l < NLISTS; l++)
        if (t->head[l] && (!oldest || t->head[l]->last < oldest->last))
            oldest = t->head[l];
    if (oldest) {
        t->sink.skip(t->sink.arg, "connection ended early: flow table full");
        end_flow(t, oldest);
    }
}

/* ---- DNS ---- */

static void hold_query(pcap_flows *t, flow *f, const pcap_dns_msg *m, ih_time time,
                       uint64_t offset, const ih_addr *client, const ih_addr *server)
{
    if (f->nqueries >= t->limits.max_queries) {
        held_query *oldest = f->queries;
        f->queries = oldest->next;
        f->nqueries--;
        t->sink.skip(t->sink.arg, "DNS query ended unanswered: too many waiting on its flow");
        emit_dns(t, oldest, NULL, 0, 0, NULL, NULL);
        free(oldest);
    }

    size_t n = m->has_question ? m->qname.len : 0;
    held_query *q = malloc(sizeof(*q) + n);
    if (!q) {
        t->stopped = true;
        return;
    }
    q->next = NULL;
    q->id = m->id;
    q->qtype = m->qtype;
    q->has_question = m->has_question && m->qname.ptr;
    q->time = time;
    q->offset = offset;
    q->client = *client;
    q->server = *server;
    q->name_len = n;
    if (n)
        memcpy(q->name, m->qname.ptr, n);

    held_query **end = &f->queries;
    while (*end)
        end = &(*end)->next;
    *end = q;
    f->nqueries++;
}

/* Removes and returns the oldest query with id asked by client, or NULL. */
static held_query *take_query(flow *f, uint16_t id, const ih_addr *client)
{
    for (held_query **link = &f->queries; *link; link = &(*link)->next) {
        held_query *q = *link;
        if (q->id == id && ih_addr_equal(&q->client, client)) {
            *link = q->next;
            f->nqueries--;
            return q;
        }
    }
    return NULL;
}

/* Reads one DNS message that the side dir of f sent. */
static void dns_message(pcap_flows *t, flow *f, int dir, const uint8_t *msg, size_t len,
                        ih_time time, uint64_t offset)
{
    pcap_dns_msg *m = t->msg;
    const ih_addr *sender = &f->addr[dir], *receiver = &f->addr[!dir];

    if (pcap_dns_parse(msg, len, m) != 0) {
        t->sink.bad(t->sink.arg, offset, "invalid DNS message", m->problem);
        return;
    }
    if (m->opcode != 0) {
        t->sink.skip(t->sink.arg, "DNS message not a standard query");
        return;
    }
    if (!m->response) {
        hold_query(t, f, m, time, offset, sender, receiver);
        return;
    }
    held_query *q = take_query(f, m->id, receiver);
    emit_dns(t, q, m, time, offset, receiver, sender);
    free(q);
}

/* Appends bytes to a buffer of at most max bytes; returns false when they do not fit. */
static bool buf_append(byte_buf *b, const uint8_t *p, size_t n, size_t max)
{
    if (n == 0)
        return true;
    if (n > max - b->len)
        return false;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 2048;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > max)
            cap = max;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown)
            return false;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

static void buf_free(byte_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

/* Reads the length-prefixed DNS messages gathered from one direction of a TCP connection. */
static void tcp_dns_bytes(pcap_flows *t, flow *f, int dir, const uint8_t *p, size_t n,
                          ih_time time, uint64_t offset)
{
    byte_buf *b = &f->dns[dir];

    if (n == 0)
        return;
    if (!buf_append(b, p, n, MAX_TCP_DNS + 2048)) {
        t->sink.skip(t->sink.arg, "DNS over TCP not read past a missing segment");
        f->seq_state[dir] = SEQ_LOST;
        buf_free(b);
        return;
    }
    size_t at = 0;
    while (b->len - at >= 2) {
        size_t len = (size_t)(b->data[at] << 8 | b->data[at + 1]);
        if (b->len - at - 2 < len)
            break;
        dns_message(t, f, dir, b->data + at + 2, len, time, offset);
        at += 2 + len;
    }
    memmove(b->data, b->data + at, b->len - at);
    b->len -= at;
}

/* ---- Server names ---- */

/* Tries to read the server name from the client's first bytes; ends the search when decided. */
static void find_name(flow *f, const uint8_t *p, size_t n)
{
    char name[PCAP_APP_MAX_NAME];
    size_t len = 0;
    int rc = n && p[0] == 22 ? pcap_app_tls_sni(p, n, name, &len) : pcap_app_http_host(p, n, name, &len);

    if (rc < 0 && n < MAX_APP_BYTES)
        return;
    f->name_pending = false;
    buf_free(&f->app);
    ih_addr addr;
    const char *v = name;
    size_t vlen = len;
    if (vlen >= 2 && name[0] == '[' && name[vlen - 1] == ']') {
        v++;
        vlen -= 2;
    }
    /* An address in Host names nothing. */
    if (rc == 1 && ih_addr_parse(v, vlen, &addr) != 0) {
        f->name = malloc(len);
        if (f->name) {
            memcpy(f->name, name, len);
            f->name_len = len;
        }
    }
}

/* Reads the client's next in-order bytes; most often the first segment decides. */
static void app_bytes(flow *f, const uint8_t *p, size_t n)
{
    bool first = f->app.len == 0;

    if (first) {
        find_name(f, p, n);
        if (!f->name_pending)
            return;
    }
    size_t room = MAX_APP_BYTES - f->app.len;
    if (!buf_append(&f->app, p, n < room ? n : room, MAX_APP_BYTES)) {
        f->name_pending = false;
        buf_free(&f->app);
        return;
    }
    if (!first)
        find_name(f, f->app.data, f->app.len);
}

/* ---- TCP ---- */

/* True when direction dir still needs its payload bytes in order. */
static bool wants_bytes(const flow *f, int dir)
{
    return f->seq_state[dir] != SEQ_LOST && (f->is_dns || (dir == 0 && f->name_pending));
}

/* The payload is lost from here on: stop every reader of this direction. */
static void lose_bytes(pcap_flows *t, flow *f, int dir)
{
    if (f->is_dns && f->dns[dir].len > 0)
        t->sink.skip(t->sink.arg, "DNS over TCP not read past a missing segment");
    f->seq_state[dir] = SEQ_LOST;
    buf_free(&f->dns[dir]);
    if (dir == 0 && f->name_pending) {
        f->name_pending = false;
        buf_free(&f->app);
    }
}

/* Hands the new in-order payload of a segment to DNS or server-name reading. */
static void tcp_payload(pcap_flows *t, flow *f, int dir, const pcap_packet *p, ih_time time,
                        uint64_t offset)
{
    /* Data on a SYN (TCP Fast Open) starts after the SYN's sequence number. */
    uint32_t seq = p->seq + ((p->tcp_flags & PCAP_TCP_SYN) ? 1 : 0);
    if (f->seq_state[dir] == SEQ_UNKNOWN) {
        f->next_seq[dir] = seq;
        f->seq_state[dir] = SEQ_KNOWN;
    }
    int32_t ahead = (int32_t)(seq - f->next_seq[dir]);
    if (ahead > 0) {
        lose_bytes(t, f, dir);
        return;
    }
    uint32_t old = f->next_seq[dir] - seq; /* bytes at the start already seen (a retransmission) */
    if (old >= p->payload_len)
        return;

    size_t captured = p->payload_captured > old ? p->payload_captured - old : 0;
    const uint8_t *data = p->payload + old;
    if (f->is_dns)
        tcp_dns_bytes(t, f, dir, data, captured, time, offset);
    else
        app_bytes(f, data, captured);
    f->next_seq[dir] += p->payload_len - old;
    if (captured < p->payload_len - old)
        lose_bytes(t, f, dir); /* the capture cut the segment short */
}

static void tcp_packet(pcap_flows *t, flow *f, int dir, const pcap_packet *p, ih_time time,
                       uint64_t offset)
{
    uint8_t flags = p->tcp_flags, *me = &f->state[dir], *peer = &f->state[!dir];

    if (dir == 0 && (flags & PCAP_TCP_SYN) && !(flags & PCAP_TCP_ACK))
        f->orig_syn = true;
    if (dir == 0 && (flags & (PCAP_TCP_ACK | PCAP_TCP_FIN)))
        f->orig_acked = true;

    if (flags & PCAP_TCP_RST) {
        *me = EP_RESET;
    } else {
        if (flags & PCAP_TCP_SYN) {
            if (!(flags & PCAP_TCP_ACK) && dir == 0 && *me == EP_INACTIVE)
                *me = EP_SYN_SENT;
            else if ((flags & PCAP_TCP_ACK) && dir == 1 && (*me == EP_INACTIVE || *me == EP_PARTIAL))
                *me = EP_SYN_ACK_SENT;
            /* The SYN takes one sequence number; the data starts after it. */
            f->next_seq[dir] = p->seq + 1;
            f->seq_state[dir] = SEQ_KNOWN;
        } else if (dir == 0 && *me == EP_SYN_SENT && *peer == EP_SYN_ACK_SENT &&
                   (flags & PCAP_TCP_ACK)) {
            *me = *peer = EP_ESTABLISHED;
            f->handshake = true;
        } else if (*me == EP_INACTIVE) {
            *me = EP_PARTIAL;
        }
        if ((flags & PCAP_TCP_FIN) && *me != EP_RESET)
            *me = EP_CLOSED;
    }

    if (p->payload_len > 0 && wants_bytes(f, dir))
        tcp_payload(t, f, dir, p, time, offset);
}

/* ---- Packets ---- */

static flow *create(pcap_flows *t, const pcap_packet *p, uint64_t hash, ih_time time,
                    uint64_t offset, int *dir)
{
    if (t->count >= t->limits.max_flows)
        evict_oldest(t);
    if (t->count >= t->nbuckets && grow(t) < 0)
        return NULL;

    flow *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    /*
     * The originator sent the SYN; a SYN-ACK means its SYN was missed. For a
     * flow seen midstream, and for UDP, the sender of the first packet, unless
     * it sends from a port below 1024 to one above, as a server replying does.
     */
    bool flip;
    if (p->proto == 6 && (p->tcp_flags & PCAP_TCP_SYN))
        flip = (p->tcp_flags & PCAP_TCP_ACK) != 0;
    else
        flip = p->sport < 1024 && p->dport >= 1024;
    f->addr[0] = flip ? p->dst : p->src;
    f->addr[1] = flip ? p->src : p->dst;
    f->port[0] = flip ? p->dport : p->sport;
    f->port[1] = flip ? p->sport : p->dport;
    *dir = flip ? 1 : 0;
    f->proto = p->proto;
    f->hash = hash;
    f->first = f->last = time;
    f->offset = offset;
    f->is_dns = f->port[0] == 53 || f->port[1] == 53;
    f->name_pending = p->proto == 6 && !f->is_dns;

    size_t b = hash & (t->nbuckets - 1);
    f->hash_next = t->buckets[b];
    t->buckets[b] = f;
    list_append(t, f, p->proto == 17 ? LIST_UDP : LIST_TCP);
    t->count++;
    return f;
}

pcap_flows *pcap_flows_new(const pcap_flow_sink *sink, const pcap_flow_limits *limits)
{
    pcap_flows *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->sink = *sink;
    t->limits = limits ? *limits : pcap_flow_default_limits;
    t->nbuckets = 4096;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    t->msg = malloc(sizeof(*t->msg));
    t->now = INT64_MIN;
    if (!t->buckets || !t->msg) {
        pcap_flows_free(t);
        return NULL;
    }
    return t;
}

int pcap_flows_packet(pcap_flows *t, ih_time time, uint64_t offset, const pcap_packet *p)
{
    if (t->stopped)
        return -1;
    if (time > t->now) {
        t->now = time;
        expire(t);
    }

    uint64_t hash = flow_hash(p);
    int dir = 0;
    flow *f = lookup(t, p, hash, &dir);
    /* A SYN on a closed connection's ports starts a new connection. */
    if (f && p->proto == 6 && f->list == LIST_CLOSED && (p->tcp_flags & PCAP_TCP_SYN) &&
        !(p->tcp_flags & PCAP_TCP_ACK)) {
        end_flow(t, f);
        f = NULL;
    }
    if (!f && !(f = create(t, p, hash, time, offset, &dir))) {
        t->stopped = true;
        return -1;
    }

    if (time > f->last)
        f->last = time;
    f->pkts[dir]++;
    f->bytes[dir] += p->payload_len;
    if (p->proto == 6) {
        tcp_packet(t, f, dir, p, time, offset);
    } else {
        f->state[dir] = EP_ACTIVE;
        if (f->is_dns && p->payload_captured < p->payload_len)
            t->sink.skip(t->sink.arg, "DNS message cut short by the capture");
        else if (f->is_dns)
            dns_message(t, f, dir, p->payload, p->payload_captured, time, offset);
    }
    touch(t, f);
    return t->stopped ? -1 : 0;
}

static int by_offset(const void *a, const void *b)
{
    const flow *x = *(flow *const *)a, *y = *(flow *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int pcap_flows_finish(pcap_flows *t)
{
    flow **all = malloc((t->count ? t->count : 1) * sizeof(*all));
    size_t n = 0;

    if (!all)
        return -1;
    for (int l = 0; l < NLISTS; l++)
        for (flow *f = t->head[l]; f; f = f->next)
            all[n++] = f;
    if (n > 1)
        qsort(all, n, sizeof(*all), by_offset);
    for (size_t i = 0; i < n; i++)
        end_flow(t, all[i]);
    free(all);
    return t->stopped ? -1 : 0;
}

void pcap_flows_free(pcap_flows *t)
{
    if (!t)
        return;
    for (int l = 0; l < NLISTS; l++) {
        for (flow *f = t->head[l], *next; f; f = next) {
            next = f->next;
            flow_free(f);
        }
    }
    free(t->buckets);
    free(t->msg);
    free(t);
}
