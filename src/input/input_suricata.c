/*
 * Suricata eve.json: flow records become connections, dns records become DNS
 * events, and tls and http records name the server of their flow.
 *
 * Suricata writes one record per event and links the records of one flow by
 * flow_id. The names from tls (SNI) and http (Host) records usually come
 * before the flow record, which is written when the flow ends, and a DNS
 * query and its response are separate records. So the reader keeps, per
 * stream, two bounded tables keyed by flow_id: names waiting for their flow,
 * and queries waiting for their response. docs/sources/suricata.md describes
 * the mapping, the bounds and what happens past them.
 *
 * Two entry points share the code: the "suricata" line reader, which owns
 * those tables and is chosen when a stream starts with an eve.json record,
 * and the "suricata" layout of the JSON lines reader, which receives eve
 * records mixed into other JSON and reads each record on its own.
 */
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"
#include "../event/timeutil.h"

/* Source names in statistics, per event type. Types that carry no event count under the plain name. */
static const char eve_source[] = "suricata";
static const char flow_source[] = "suricata-flow";
static const char dns_source[] = "suricata-dns";
static const char tls_source[] = "suricata-tls";
static const char http_source[] = "suricata-http";

/* Status of the steps that turn one record into an event. */
enum { EVE_OK = 0, EVE_BAD = -1, EVE_NOMEM = -2 };

/* Names waiting for their flow record: the last this many tls and http records per stream. */
#define EVE_MAX_NAMES 65536
/* Queries waiting for their response: the last this many queries per stream. */
#define EVE_MAX_QUERIES 4096

/* ---- Values ---- */

static bool str_equal(ih_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.ptr && s.len == n && memcmp(s.ptr, lit, n) == 0;
}

/* Copies at most 60 bytes of s for a message, with '?' for control bytes. */
static const char *printable(ih_str s, char out[72])
{
    size_t n = s.len < 60 ? s.len : 60, o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (s.len > n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

static int bad_value(ih_read_ctx *ctx, const char *reason, const char *key, ih_str value)
{
    char text[72];

    ih_read_bad(ctx, reason, "%s '%s'", key, printable(value, text));
    return EVE_BAD;
}

static int bad_token(ih_read_ctx *ctx, const char *reason, const char *key, const json_doc *doc,
                     int tok)
{
    return bad_value(ctx, reason, key, json_raw(doc, tok));
}

static int missing_value(ih_read_ctx *ctx, const char *key)
{
    ih_read_bad(ctx, "missing value", "%s is absent or null", key);
    return EVE_BAD;
}

/* Member key of obj, or -1 when absent or null. */
static int member(const json_doc *doc, int obj, const char *key)
{
    int tok = obj >= 0 ? json_get(doc, obj, key) : -1;

    return tok >= 0 && json_type_of(doc, tok) != IH_JSON_NULL ? tok : -1;
}

/*
 * Reads an optional string member: *out is unknown when absent or null.
 * Reports any other type as an invalid value.
 */
static int get_string(ih_read_ctx *ctx, const json_doc *doc, int obj, const char *key,
                      const char *name, ih_str *out)
{
    int tok = member(doc, obj, key);

    *out = IH_STR_NONE;
    if (tok < 0)
        return EVE_OK;
    if (json_type_of(doc, tok) != IH_JSON_STRING)
        return bad_token(ctx, "invalid value", name, doc, tok);
    *out = ih_read_json_string(ctx, doc, tok);
    return out->ptr ? EVE_OK : EVE_NOMEM;
}

/* Reads an optional whole number from 0 to max, written as a number or a string of digits. */
static int get_uint(ih_read_ctx *ctx, const json_doc *doc, int obj, const char *key,
                    const char *name, const char *reason, int64_t max, int64_t *out, bool *known)
{
    int tok = member(doc, obj, key);
    int64_t v;

    *known = false;
    if (tok < 0)
        return EVE_OK;
    if (json_int64(doc, tok, &v) != 0 || v < 0 || v > max)
        return bad_token(ctx, reason, name, doc, tok);
    *out = v;
    *known = true;
    return EVE_OK;
}

/* Reads an optional byte or packet count, IH_UNKNOWN_BYTES when absent. */
static int get_count(ih_read_ctx *ctx, const json_doc *doc, int obj, const char *key,
                     const char *name, uint64_t *out)
{
    int64_t v;
    bool known;

    *out = IH_UNKNOWN_BYTES;
    if (get_uint(ctx, doc, obj, key, name, "invalid count", INT64_MAX, &v, &known) != EVE_OK)
        return EVE_BAD;
    if (known)
        *out = (uint64_t)v;
    return EVE_OK;
}

static int get_port(ih_read_ctx *ctx, const json_doc *doc, int obj, const char *key, int32_t *out)
{
    int64_t v;
    bool known;

    *out = IH_UNKNOWN_PORT;
    if (get_uint(ctx, doc, obj, key, key, "invalid port", 65535, &v, &known) != EVE_OK)
        return EVE_BAD;
    if (known)
        *out = (int32_t)v;
    return EVE_OK;
}

/*
 * Parses an eve.json time. Suricata writes the zone offset without a colon
 * ("2021-06-06T15:59:46.457984+0200"), so one is inserted before the text goes
 * to the ISO 8601 parser. "Z" and "+hh:mm" are read too.
 */
static int parse_eve_time(ih_str s, ih_time *out)
{
    char buf[64];

    if (s.len >= 6 && s.len < sizeof(buf) - 1 && (s.ptr[s.len - 5] == '+' || s.ptr[s.len - 5] == '-')) {
        bool digits = true;
        for (size_t i = s.len - 4; i < s.len; i++)
            digits = digits && s.ptr[i] >= '0' && s.ptr[i] <= '9';
        if (digits) {
            memcpy(buf, s.ptr, s.len - 2);
            buf[s.len - 2] = ':';
            memcpy(buf + s.len - 1, s.ptr + s.len - 2, 2);
            return ih_time_parse_iso(buf, s.len + 1, out);
        }
    }
    return ih_time_parse_iso(s.ptr, s.len, out);
}

/* Reads a time member; a missing one is reported when required. */
static int get_time(ih_read_ctx *ctx, const json_doc *doc, int obj, const char *key,
                    const char *name, bool required, ih_time *out)
{
    ih_str s;
    int status = get_string(ctx, doc, obj, key, name, &s);

    *out = IH_TIME_NONE;
    if (status != EVE_OK)
        return status;
    if (!s.ptr)
        return required ? missing_value(ctx, name) : EVE_OK;
    if (parse_eve_time(s, out) != 0)
        return bad_value(ctx, "invalid time", name, s);
    return EVE_OK;
}

static int get_addr(ih_read_ctx *ctx, const json_doc *doc, int root, const char *key, ih_str *text,
                    ih_addr *out)
{
    int status = get_string(ctx, doc, root, key, key, text);

    if (status != EVE_OK)
        return status;
    if (!text->ptr)
        return missing_value(ctx, key);
    if (ih_addr_parse(text->ptr, text->len, out) != 0)
        return bad_value(ctx, "invalid address", key, *text);
    return EVE_OK;
}

/* Suricata writes the protocol by name (TCP, UDP, ICMP, IPv6-ICMP, SCTP) or as its number. */
static enum ih_protocol parse_proto(ih_str s)
{
    if (!s.ptr)
        return IH_PROTO_UNKNOWN;
    if (str_equal(s, "TCP") || str_equal(s, "6"))
        return IH_PROTO_TCP;
    if (str_equal(s, "UDP") || str_equal(s, "17"))
        return IH_PROTO_UDP;
    if (str_equal(s, "ICMP") || str_equal(s, "IPv6-ICMP") || str_equal(s, "1") ||
        str_equal(s, "58"))
        return IH_PROTO_ICMP;
    return IH_PROTO_OTHER;
}

/* ---- Common fields ---- */

/* The fields every record of a flow shares. */
typedef struct eve_common {
    ih_time time; /* "timestamp": when the record was written */
    bool has_flow_id;
    uint64_t flow_id;
} eve_common;

/* The addresses, ports and protocol of a flow or dns record. */
typedef struct eve_tuple {
    ih_str src_text, dest_text;
    ih_addr src, dest;
    int32_t src_port, dest_port;
    enum ih_protocol proto;
} eve_tuple;

static int get_flow_id(ih_read_ctx *ctx, const json_doc *doc, int root, eve_common *c)
{
    int64_t v;

    c->flow_id = 0;
    if (get_uint(ctx, doc, root, "flow_id", "flow_id", "invalid value", INT64_MAX, &v,
                 &c->has_flow_id) != EVE_OK)
        return EVE_BAD;
    if (c->has_flow_id)
        c->flow_id = (uint64_t)v;
    return EVE_OK;
}

static int get_tuple(ih_read_ctx *ctx, const json_doc *doc, int root, eve_tuple *t)
{
    ih_str proto;
    int status;

    if ((status = get_addr(ctx, doc, root, "src_ip", &t->src_text, &t->src)) != EVE_OK ||
        (status = get_addr(ctx, doc, root, "dest_ip", &t->dest_text, &t->dest)) != EVE_OK)
        return status;
    if (get_port(ctx, doc, root, "src_port", &t->src_port) != EVE_OK ||
        get_port(ctx, doc, root, "dest_port", &t->dest_port) != EVE_OK)
        return EVE_BAD;
    if ((status = get_string(ctx, doc, root, "proto", "proto", &proto)) != EVE_OK)
        return status;
    t->proto = parse_proto(proto);
    return EVE_OK;
}

/* ---- Link tables ---- */

/*
 * A table from a flow key to a pending item, bounded by insertion order: the
 * items live in a ring of cap slots, and inserting into a slot still in use
 * evicts its item, which was inserted cap insertions earlier. An open
 * addressing index (linear probing, twice the ring's size) finds an item by
 * key. Memory is allocated on the first insertion.
 */
typedef struct link_slot {
    uint64_t flow_id;
    uint32_t sub; /* a second key part, such as the DNS message id */
    bool used;
    void *item;
} link_slot;

typedef struct link_table {
    link_slot *slots;
    size_t cap, next; /* ring capacity, and the slot of the next insertion */
    uint32_t *index;  /* ring slot + 1 per index bucket, 0 for an empty bucket */
    size_t index_mask;
} link_table;

static size_t link_hash(uint64_t flow_id, uint32_t sub)
{
    uint64_t h = (flow_id ^ ((uint64_t)sub << 32 | sub)) * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> 17);
}

static int link_init(link_table *t, size_t cap)
{
    size_t buckets = 1;

    while (buckets < cap * 2)
        buckets *= 2;
    t->slots = calloc(cap, sizeof(*t->slots));
    t->index = calloc(buckets, sizeof(*t->index));
    if (!t->slots || !t->index) {
        free(t->slots);
        free(t->index);
        t->slots = NULL;
        t->index = NULL;
        return -1;
    }
    t->cap = cap;
    t->next = 0;
    t->index_mask = buckets - 1;
    return 0;
}

/* Index bucket that contains the item of key, or the empty bucket where it would go. */
static size_t link_bucket(const link_table *t, uint64_t flow_id, uint32_t sub)
{
    size_t b = link_hash(flow_id, sub) & t->index_mask;

    while (t->index[b]) {
        const link_slot *s = &t->slots[t->index[b] - 1];
        if (s->flow_id == flow_id && s->sub == sub)
            break;
        b = (b + 1) & t->index_mask;
    }
    return b;
}

/* Returns the item of key and removes it from the table, or NULL. */
static void *link_take(link_table *t, uint64_t flow_id, uint32_t sub)
{
    if (!t->slots)
        return NULL;
    size_t b = link_bucket(t, flow_id, sub);
    if (!t->index[b])
        return NULL;
    link_slot *s = &t->slots[t->index[b] - 1];
    void *item = s->item;
    s->used = false;
    s->item = NULL;

    /* Backward-shift deletion keeps every remaining key reachable without tombstones. */
    size_t hole = b;
    for (size_t j = (b + 1) & t->index_mask; t->index[j]; j = (j + 1) & t->index_mask) {
        const link_slot *o = &t->slots[t->index[j] - 1];
        size_t home = link_hash(o->flow_id, o->sub) & t->index_mask;
        /* Move entry j into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            t->index[hole] = t->index[j];
            hole = j;
        }
    }
    t->index[hole] = 0;
    return item;
}

/* Returns the slot of key, or NULL. The slot's item may be replaced in place. */
static link_slot *link_find(const link_table *t, uint64_t flow_id, uint32_t sub)
{
    if (!t->slots)
        return NULL;
    uint32_t at = t->index[link_bucket(t, flow_id, sub)];
    return at ? &t->slots[at - 1] : NULL;
}

/*
 * Adds item under key, which must not be in the table. When the ring slot is
 * still in use, its item is removed and returned in *evicted, and the caller
 * disposes of it. Otherwise *evicted is NULL. Returns -1 when out of memory.
 */
static int link_put(link_table *t, size_t cap, uint64_t flow_id, uint32_t sub, void *item,
                    void **evicted)
{
    *evicted = NULL;
    if (!t->slots && link_init(t, cap) < 0)
        return -1;

    link_slot *s = &t->slots[t->next];
    if (s->used)
        *evicted = link_take(t, s->flow_id, s->sub);
    s->flow_id = flow_id;
    s->sub = sub;
    s->used = true;
    s->item = item;
    t->index[link_bucket(t, flow_id, sub)] = (uint32_t)(t->next + 1);
    t->next = (t->next + 1) % t->cap;
    return 0;
}

/* Calls dispose on every item still in the table, in insertion order, and frees the table. */
static void link_drain(link_table *t, void (*dispose)(void *item, void *arg), void *arg)
{
    if (!t->slots)
        return;
    for (size_t n = 0; n < t->cap; n++) {
        link_slot *s = &t->slots[(t->next + n) % t->cap];
        if (s->used && dispose)
            dispose(s->item, arg);
        else if (s->used)
            free(s->item);
    }
    free(t->slots);
    free(t->index);
    memset(t, 0, sizeof(*t));
}

/* ---- Owned copies ---- */

/* Copies s into malloc'd memory; unknown stays unknown. Sets *failed when out of memory. */
static ih_str str_copy(ih_str s, bool *failed)
{
    if (!s.ptr)
        return IH_STR_NONE;
    char *p = malloc(s.len ? s.len : 1);
    if (!p) {
        *failed = true;
        return IH_STR_NONE;
    }
    if (s.len)
        memcpy(p, s.ptr, s.len);
    return (ih_str){p, s.len};
}

static void str_free(ih_str s)
{
    free((void *)s.ptr);
}

/* A name from a tls or http record, waiting for its flow record. */
typedef struct pending_name {
    size_t len;
    char text[];
} pending_name;

/*
 * A DNS query, or a response of the per-answer layout, held with owned copies
 * of its strings. Answers are kept only for responses.
 */
typedef struct pending_dns {
    ih_dns dns;
    uint64_t flow_id;
    int32_t dns_id;
    uint64_t line, offset;    /* origin of the first record */
    struct pending_dns *next; /* a later query with the same flow_id and DNS id */
} pending_dns;

/* Frees every string of d, which must have been filled by dns_copy(). */
static void dns_free_strings(ih_dns *d)
{
    str_free(d->device_id);
    str_free(d->query_name);
    str_free(d->query_type_name);
    str_free(d->rcode_name);
    for (size_t i = 0; i < d->answer_count; i++)
        str_free(d->answers[i].text);
}

/* Copies src into dst with owned strings. device_name shares device_id's copy. */
static int dns_copy(ih_dns *dst, const ih_dns *src)
{
    bool failed = false;

    *dst = *src;
    dst->device_id = str_copy(src->device_id, &failed);
    dst->device_name = dst->device_id;
    dst->query_name = str_copy(src->query_name, &failed);
    dst->query_type_name = str_copy(src->query_type_name, &failed);
    dst->rcode_name = str_copy(src->rcode_name, &failed);
    for (size_t i = 0; i < src->answer_count; i++)
        dst->answers[i].text = str_copy(src->answers[i].text, &failed);
    if (failed) {
        dns_free_strings(dst);
        return -1;
    }
    return 0;
}

/* Frees p alone; the queries chained after it are left to the caller. */
static void pending_dns_free(pending_dns *p)
{
    if (p) {
        dns_free_strings(&p->dns);
        free(p);
    }
}

/* ---- Stream state ---- */

typedef struct eve_stream {
    link_table names;   /* pending_name by flow_id */
    link_table queries; /* pending_dns by flow_id and DNS id */
    pending_dns *group; /* a response of the per-answer layout being gathered, or NULL */
    void *json;         /* state of the JSON lines reader, for lines that are not eve records */
} eve_stream;

/* Delivers a held DNS event at the origin of its first record. Returns the sink's status. */
static int emit_pending(ih_read_ctx *ctx, const pending_dns *p)
{
    ih_origin saved = ctx->origin;

    ctx->origin.format = dns_source;
    ctx->origin.line = p->line;
    ctx->origin.offset = p->offset;
    int rc = ih_read_emit_dns(ctx, &p->dns);
    ctx->origin = saved;
    return rc;
}

/* Emits the queries of one key that got no response, when evicted or at the end of the stream. */
static void dispose_query(void *item, void *arg)
{
    ih_read_ctx *ctx = arg;

    for (pending_dns *p = item, *next; p; p = next) {
        next = p->next;
        emit_pending(ctx, p);
        pending_dns_free(p);
    }
}

/* Removes and returns the oldest held query of a key, or NULL. */
static pending_dns *take_query(eve_stream *st, uint64_t flow_id, int32_t dns_id)
{
    link_slot *s = link_find(&st->queries, flow_id, (uint32_t)dns_id);

    if (!s)
        return NULL;
    pending_dns *q = s->item;
    if (q->next)
        s->item = q->next;
    else
        link_take(&st->queries, flow_id, (uint32_t)dns_id);
    q->next = NULL;
    return q;
}

/* Counts a name that no flow record took, under the plain source name, and frees it. */
static void drop_name(ih_read_ctx *ctx, void *item, const char *reason)
{
    const char *saved = ctx->origin.format;

    ctx->origin.format = eve_source;
    ih_read_skip(ctx, reason);
    ctx->origin.format = saved;
    free(item);
}

/* Disposes of a name still waiting at the end of the stream. */
static void dispose_name(void *item, void *arg)
{
    drop_name(arg, item, "remote name not linked: no flow record with its flow_id");
}

/* Emits the gathered per-answer response, if any. Returns the sink's status. */
static int flush_group(eve_stream *st, ih_read_ctx *ctx)
{
    int rc = 0;

    if (st && st->group) {
        rc = emit_pending(ctx, st->group);
        pending_dns_free(st->group);
        st->group = NULL;
    }
    return rc;
}

/* ---- flow ---- */

/* TCP header flags as Suricata ORs them per direction in tcp_flags_ts and tcp_flags_tc. */
enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10 };

/* Parses a hex flags byte such as "1b". */
static bool parse_flags(ih_str s, unsigned *out)
{
    unsigned v = 0;

    if (s.len == 0 || s.len > 2)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return true;
}

/* The TCP details of a flow record, from its "tcp" object. */
typedef struct eve_tcp {
    bool has_flags;
    unsigned to_server, to_client; /* flags seen from the client and from the server */
    ih_str state;                  /* Suricata's TCP state at the end, such as "close_wait" */
} eve_tcp;

static int get_tcp(ih_read_ctx *ctx, const json_doc *doc, int root, eve_tcp *t)
{
    int tcp = member(doc, root, "tcp");
    ih_str ts, tc;
    int status;

    memset(t, 0, sizeof(*t));
    if (tcp < 0)
        return EVE_OK;
    if (json_type_of(doc, tcp) != IH_JSON_OBJECT)
        return bad_token(ctx, "invalid value", "tcp", doc, tcp);
    if ((status = get_string(ctx, doc, tcp, "tcp_flags_ts", "tcp.tcp_flags_ts", &ts)) != EVE_OK ||
        (status = get_string(ctx, doc, tcp, "tcp_flags_tc", "tcp.tcp_flags_tc", &tc)) != EVE_OK ||
        (status = get_string(ctx, doc, tcp, "state", "tcp.state", &t->state)) != EVE_OK)
        return status;
    if (ts.ptr && !parse_flags(ts, &t->to_server))
        return bad_value(ctx, "invalid value", "tcp.tcp_flags_ts", ts);
    if (tc.ptr && !parse_flags(tc, &t->to_client))
        return bad_value(ctx, "invalid value", "tcp.tcp_flags_tc", tc);
    t->has_flags = ts.ptr && tc.ptr;
    return EVE_OK;
}

/* True for Suricata TCP states that only follow a completed handshake. */
static bool tcp_state_established(ih_str state)
{
    static const char *const after_handshake[] = {
        "established", "fin_wait1", "fin_wait2", "closing", "time_wait", "close_wait", "last_ack",
    };

    for (size_t i = 0; i < sizeof(after_handshake) / sizeof(after_handshake[0]); i++)
        if (str_equal(state, after_handshake[i]))
            return true;
    return false;
}

/*
 * Action of a TCP flow. Established: the client sent SYN and then ACK, and
 * the server answered with SYN-ACK, or Suricata's TCP state is one that only
 * follows a handshake. Failed: the server sent a RST and never a SYN, as in
 * a refused connection. Attempt: anything else, including a flow seen
 * without its start.
 */
static enum ih_action tcp_action(const eve_tcp *t, ih_str flow_state)
{
    if (t->has_flags) {
        bool client_handshake = (t->to_server & TCP_SYN) && (t->to_server & TCP_ACK);
        bool server_handshake = (t->to_client & TCP_SYN) && (t->to_client & TCP_ACK);
        if ((client_handshake && server_handshake) || tcp_state_established(t->state))
            return IH_ACTION_SUCCESS;
        if ((t->to_client & TCP_RST) && !(t->to_client & TCP_SYN))
            return IH_ACTION_FAILED;
        return IH_ACTION_ATTEMPT;
    }
    /* Without the tcp object only the flow state is known, and "closed" may follow a RST. */
    if (tcp_state_established(t->state) || str_equal(flow_state, "established"))
        return IH_ACTION_SUCCESS;
    return IH_ACTION_ATTEMPT;
}

static int flow_record(const json_doc *doc, int root, ih_read_ctx *ctx, eve_stream *st,
                       const eve_common *common)
{
    int flow = member(doc, root, "flow");
    eve_tuple t;
    eve_tcp tcp;
    ih_time start, end;
    uint64_t pkts_ts, pkts_tc, bytes_ts, bytes_tc;
    ih_str state;
    int status;

    if (flow < 0)
        return missing_value(ctx, "flow");
    if (json_type_of(doc, flow) != IH_JSON_OBJECT)
        return bad_token(ctx, "invalid value", "flow", doc, flow);
    if ((status = get_tuple(ctx, doc, root, &t)) != EVE_OK ||
        (status = get_time(ctx, doc, flow, "start", "flow.start", false, &start)) != EVE_OK ||
        (status = get_time(ctx, doc, flow, "end", "flow.end", false, &end)) != EVE_OK ||
        (status = get_string(ctx, doc, flow, "state", "flow.state", &state)) != EVE_OK ||
        (status = get_tcp(ctx, doc, root, &tcp)) != EVE_OK)
        return status;
    if (get_count(ctx, doc, flow, "pkts_toserver", "flow.pkts_toserver", &pkts_ts) != EVE_OK ||
        get_count(ctx, doc, flow, "pkts_toclient", "flow.pkts_toclient", &pkts_tc) != EVE_OK ||
        get_count(ctx, doc, flow, "bytes_toserver", "flow.bytes_toserver", &bytes_ts) != EVE_OK ||
        get_count(ctx, doc, flow, "bytes_toclient", "flow.bytes_toclient", &bytes_tc) != EVE_OK)
        return EVE_BAD;
    if (start == IH_TIME_NONE && common->time == IH_TIME_NONE)
        return missing_value(ctx, "flow.start");
    /* flow.end and pkts_toserver are checked, but the event model has no field for them. */
    (void)pkts_ts;
    (void)end;

    /* eve.json marks no side as local, so the client (src) is the device; see
       docs/sources/suricata.md. */
    ih_conn c;
    ih_conn_init(&c);
    c.time = start != IH_TIME_NONE ? start : common->time;
    c.device_id = c.device_name = t.src_text;
    c.local_addr = t.src;
    c.remote_addr = t.dest;
    c.remote_ip_text = t.dest_text;
    if (t.proto != IH_PROTO_ICMP) {
        c.local_port = t.src_port;
        c.remote_port = t.dest_port;
    }
    c.protocol = (uint8_t)t.proto;
    c.direction = IH_DIR_UNKNOWN;
    c.action_name = state;
    c.bytes_sent = bytes_ts;
    c.bytes_received = bytes_tc;
    if (t.proto == IH_PROTO_TCP || t.proto == IH_PROTO_UNKNOWN) {
        c.action = (uint8_t)tcp_action(&tcp, state);
    } else {
        bool replied = (pkts_tc != IH_UNKNOWN_BYTES && pkts_tc > 0) ||
                       (bytes_tc != IH_UNKNOWN_BYTES && bytes_tc > 0);
        c.action = replied ? IH_ACTION_SUCCESS : IH_ACTION_ATTEMPT;
    }

    pending_name *name = st && common->has_flow_id ? link_take(&st->names, common->flow_id, 0) : NULL;
    if (name)
        c.remote_name = (ih_str){name->text, name->len};
    int rc = ih_read_emit_conn(ctx, &c);
    free(name);
    return rc < 0 ? EVE_NOMEM : EVE_OK;
}

/* ---- tls and http ---- */

/* True when text is an IPv4 or IPv6 address, bracketed or not: an address is not a name. */
static bool is_address(ih_str s)
{
    ih_addr a;

    if (s.len >= 2 && s.ptr[0] == '[' && s.ptr[s.len - 1] == ']')
        s = (ih_str){s.ptr + 1, s.len - 2};
    return ih_addr_parse(s.ptr, s.len, &a) == 0;
}

/*
 * Keeps the server name of a tls (SNI) or http (Host) record for the flow
 * record with the same flow_id. The first name of a flow is kept.
 */
static int name_record(const json_doc *doc, int root, ih_read_ctx *ctx, eve_stream *st,
                       const eve_common *common, const char *object, const char *key,
                       const char *field)
{
    int obj = member(doc, root, object);
    ih_str name;
    int status;

    if (obj < 0)
        return missing_value(ctx, object);
    if (json_type_of(doc, obj) != IH_JSON_OBJECT)
        return bad_token(ctx, "invalid value", object, doc, obj);
    if ((status = get_string(ctx, doc, obj, key, field, &name)) != EVE_OK)
        return status;

    if (!name.ptr || name.len == 0) {
        ih_read_skip(ctx, strcmp(object, "tls") == 0 ? "tls without SNI" : "http without Host");
        return EVE_OK;
    }
    if (is_address(name)) {
        ih_read_skip(ctx, "server named by an address only");
        return EVE_OK;
    }
    if (!st) {
        ih_read_skip(ctx, "remote name not linked: eve records mixed into other JSON");
        return EVE_OK;
    }
    if (!common->has_flow_id) {
        ih_read_skip(ctx, "remote name not linked: no flow_id");
        return EVE_OK;
    }
    if (link_find(&st->names, common->flow_id, 0))
        return EVE_OK;

    pending_name *p = malloc(sizeof(*p) + name.len);
    if (!p)
        return EVE_NOMEM;
    p->len = name.len;
    memcpy(p->text, name.ptr, name.len);
    void *evicted;
    if (link_put(&st->names, EVE_MAX_NAMES, common->flow_id, 0, p, &evicted) < 0) {
        free(p);
        return EVE_NOMEM;
    }
    if (evicted)
        drop_name(ctx, evicted, "remote name not linked: dropped after 65536 later names");
    return EVE_OK;
}

/* ---- dns ---- */

static const struct dns_code {
    const char *name;
    int32_t code;
} rr_types[] = {
    {"A", 1},          {"NS", 2},        {"MD", 3},        {"MF", 4},        {"CNAME", 5},
    {"SOA", 6},        {"MB", 7},        {"MG", 8},        {"MR", 9},        {"NULL", 10},
    {"WKS", 11},       {"PTR", 12},      {"HINFO", 13},    {"MINFO", 14},    {"MX", 15},
    {"TXT", 16},       {"RP", 17},       {"AFSDB", 18},    {"X25", 19},      {"ISDN", 20},
    {"RT", 21},        {"NSAP", 22},     {"NSAPPTR", 23},  {"SIG", 24},      {"KEY", 25},
    {"PX", 26},        {"GPOS", 27},     {"AAAA", 28},     {"LOC", 29},      {"NXT", 30},
    {"SRV", 33},       {"ATMA", 34},     {"NAPTR", 35},    {"KX", 36},       {"CERT", 37},
    {"A6", 38},        {"DNAME", 39},    {"OPT", 41},      {"APL", 42},      {"DS", 43},
    {"SSHFP", 44},     {"IPSECKEY", 45}, {"RRSIG", 46},    {"NSEC", 47},     {"DNSKEY", 48},
    {"DHCID", 49},     {"NSEC3", 50},    {"NSEC3PARAM", 51}, {"TLSA", 52},   {"HIP", 55},
    {"CDS", 59},       {"CDNSKEY", 60},  {"SVCB", 64},     {"HTTPS", 65},    {"SPF", 99},
    {"TKEY", 249},     {"TSIG", 250},    {"IXFR", 251},    {"AXFR", 252},    {"MAILB", 253},
    {"MAILA", 254},    {"ANY", 255},     {"URI", 256},     {"CAA", 257},
};

static const struct dns_code rcodes[] = {
    {"NOERROR", 0},  {"FORMERR", 1},  {"SERVFAIL", 2}, {"NXDOMAIN", 3}, {"NOTIMP", 4},
    {"REFUSED", 5},  {"YXDOMAIN", 6}, {"YXRRSET", 7},  {"NXRRSET", 8},  {"NOTAUTH", 9},
    {"NOTZONE", 10}, {"BADVERS", 16}, {"BADSIG", 16},  {"BADKEY", 17},  {"BADTIME", 18},
    {"BADMODE", 19}, {"BADNAME", 20}, {"BADALG", 21},  {"BADTRUNC", 22}, {"BADCOOKIE", 23},
};

/*
 * Returns the number of a type or rcode name, or of a decimal number, which
 * Suricata writes for values it has no name for. -1 when unknown.
 */
static int32_t dns_code(ih_str s, const struct dns_code *table, size_t n)
{
    if (!s.ptr || s.len == 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (str_equal(s, table[i].name))
            return table[i].code;

    int32_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9' || v > 6553)
            return -1;
        v = v * 10 + (s.ptr[i] - '0');
    }
    return v <= 65535 ? v : -1;
}

static int32_t rr_type_code(ih_str s)
{
    return dns_code(s, rr_types, sizeof(rr_types) / sizeof(rr_types[0]));
}

/* What a dns record is, from dns.type. Format 3 (Suricata 8) names them request and response. */
enum dns_kind { DNS_QUERY, DNS_RESPONSE, DNS_OTHER };

/*
 * Appends one answer. An A or AAAA record must carry an address, a CNAME its
 * target; any other type is kept as other data. ttl is -1 when unknown.
 */
static int add_answer(ih_read_ctx *ctx, ih_dns *d, ih_str type, ih_str data, int64_t ttl,
                      const char *key)
{
    if (d->answer_count == IH_DNS_MAX_ANSWERS) {
        d->answers_dropped++;
        return EVE_OK;
    }
    ih_dns_answer a;
    memset(&a, 0, sizeof(a));
    a.text = data;
    a.ttl_s = ttl;
    a.kind = IH_ANSWER_OTHER;
    if (str_equal(type, "A") || str_equal(type, "AAAA")) {
        if (!data.ptr || ih_addr_parse(data.ptr, data.len, &a.addr) != 0)
            return bad_value(ctx, "invalid address", key, data.ptr ? data : IH_STR_LIT(""));
        a.kind = IH_ANSWER_ADDR;
    } else if (str_equal(type, "CNAME") && data.ptr) {
        a.kind = IH_ANSWER_CNAME;
    }
    d->answers[d->answer_count++] = a;
    return EVE_OK;
}

/* Reads an optional TTL of a record, -1 when absent. */
static int get_ttl(ih_read_ctx *ctx, const json_doc *doc, int obj, const char *name, int64_t *ttl)
{
    bool known;

    *ttl = -1;
    if (get_uint(ctx, doc, obj, "ttl", name, "invalid TTL", INT64_MAX, ttl, &known) != EVE_OK)
        return EVE_BAD;
    if (!known)
        *ttl = -1;
    return EVE_OK;
}

/* Reads the "answers" array of the detailed layout: rrname, rrtype, ttl and rdata per record. */
static int detailed_answers(ih_read_ctx *ctx, const json_doc *doc, int list, ih_dns *d)
{
    char key[48];
    int element = json_first_child(doc, list);

    for (uint32_t n = 0; n < doc->tokens[list].count; n++, element = json_next(doc, element)) {
        ih_str type, data;
        int64_t ttl;
        int status;

        snprintf(key, sizeof(key), "dns.answers[%u]", n);
        if (json_type_of(doc, element) != IH_JSON_OBJECT)
            return bad_token(ctx, "invalid value", key, doc, element);
        snprintf(key, sizeof(key), "dns.answers[%u].rrtype", n);
        if ((status = get_string(ctx, doc, element, "rrtype", key, &type)) != EVE_OK)
            return status;
        snprintf(key, sizeof(key), "dns.answers[%u].rdata", n);
        if ((status = get_string(ctx, doc, element, "rdata", key, &data)) != EVE_OK)
            return status;
        snprintf(key, sizeof(key), "dns.answers[%u].ttl", n);
        if (get_ttl(ctx, doc, element, key, &ttl) != EVE_OK)
            return EVE_BAD;
        snprintf(key, sizeof(key), "dns.answers[%u].rdata", n);
        if (add_answer(ctx, d, type, data, ttl, key) != EVE_OK)
            return EVE_BAD;
    }
    return EVE_OK;
}

/*
 * Reads the "grouped" object: record data by type, without TTLs. Values that
 * are objects (SOA, SRV, SSHFP) are kept as other data without text.
 */
static int grouped_answers(ih_read_ctx *ctx, const json_doc *doc, int grouped, ih_dns *d)
{
    char key[80], type_text[72];
    int k = json_first_child(doc, grouped);

    for (uint32_t i = 0; i < doc->tokens[grouped].count; i++, k = json_next(doc, k + 1)) {
        ih_str type = json_raw(doc, k);
        int list = k + 1;
        snprintf(key, sizeof(key), "dns.grouped.%.40s", printable(type, type_text));
        if (json_type_of(doc, list) != IH_JSON_ARRAY)
            return bad_token(ctx, "invalid value", key, doc, list);

        int element = json_first_child(doc, list);
        for (uint32_t n = 0; n < doc->tokens[list].count; n++, element = json_next(doc, element)) {
            ih_str data = IH_STR_NONE;
            if (json_type_of(doc, element) == IH_JSON_STRING) {
                data = ih_read_json_string(ctx, doc, element);
                if (!data.ptr)
                    return EVE_NOMEM;
            } else if (json_type_of(doc, element) != IH_JSON_OBJECT) {
                return bad_token(ctx, "invalid value", key, doc, element);
            }
            if (add_answer(ctx, d, type, data, -1, key) != EVE_OK)
                return EVE_BAD;
        }
    }
    return EVE_OK;
}

/* The question of a dns record: from "queries" (format 3), else from rrname and rrtype. */
static int dns_question(ih_read_ctx *ctx, const json_doc *doc, int dns, ih_str *name, ih_str *type)
{
    int queries = member(doc, dns, "queries");
    int status;

    if (queries >= 0) {
        if (json_type_of(doc, queries) != IH_JSON_ARRAY)
            return bad_token(ctx, "invalid value", "dns.queries", doc, queries);
        *name = *type = IH_STR_NONE;
        if (doc->tokens[queries].count == 0)
            return EVE_OK;
        /* NOTE: only the first question is read; DNS servers answer one question per message. */
        int q = json_first_child(doc, queries);
        if (json_type_of(doc, q) != IH_JSON_OBJECT)
            return bad_token(ctx, "invalid value", "dns.queries[0]", doc, q);
        if ((status = get_string(ctx, doc, q, "rrname", "dns.queries[0].rrname", name)) != EVE_OK)
            return status;
        return get_string(ctx, doc, q, "rrtype", "dns.queries[0].rrtype", type);
    }
    if ((status = get_string(ctx, doc, dns, "rrname", "dns.rrname", name)) != EVE_OK)
        return status;
    return get_string(ctx, doc, dns, "rrtype", "dns.rrtype", type);
}

/* The fields of a dns record that decide how it is paired and read. */
typedef struct dns_head {
    enum dns_kind kind;
    ih_str kind_text;
    int64_t version; /* 1 when dns.version is absent */
    bool has_id;
    int32_t id;
    bool per_answer; /* a response of format 1: one record per answer, the answer inline */
} dns_head;

static int get_dns_head(ih_read_ctx *ctx, const json_doc *doc, int dns, dns_head *h)
{
    int64_t v;
    bool known;
    int status;

    if ((status = get_string(ctx, doc, dns, "type", "dns.type", &h->kind_text)) != EVE_OK)
        return status;
    if (!h->kind_text.ptr)
        return missing_value(ctx, "dns.type");
    h->kind = str_equal(h->kind_text, "query") || str_equal(h->kind_text, "request") ? DNS_QUERY
              : str_equal(h->kind_text, "answer") || str_equal(h->kind_text, "response")
                  ? DNS_RESPONSE
                  : DNS_OTHER;
    if (get_uint(ctx, doc, dns, "version", "dns.version", "invalid value", 1000, &v, &known) !=
        EVE_OK)
        return EVE_BAD;
    h->version = known ? v : 1;
    if (get_uint(ctx, doc, dns, "id", "dns.id", "invalid value", 65535, &v, &h->has_id) != EVE_OK)
        return EVE_BAD;
    h->id = h->has_id ? (int32_t)v : -1;
    h->per_answer = h->kind == DNS_RESPONSE && !known && member(doc, dns, "answers") < 0 &&
                    member(doc, dns, "grouped") < 0;
    return EVE_OK;
}

/*
 * Fills d from a dns record: time, device, client and server, question,
 * rcode and answers. In formats 1 and 2 every record runs from the
 * client (src) to the server (dest). Format 3 writes responses from the
 * server, so there the client is dest.
 */
static int dns_fill(ih_read_ctx *ctx, const json_doc *doc, int root, int dns, const dns_head *h,
                    const eve_common *common, ih_dns *d)
{
    eve_tuple t;
    ih_str name, type, rcode;
    int status;

    ih_dns_init(d);
    if ((status = get_tuple(ctx, doc, root, &t)) != EVE_OK)
        return status;
    if (common->time == IH_TIME_NONE)
        return missing_value(ctx, "timestamp");
    bool client_is_dest = h->kind == DNS_RESPONSE && h->version >= 3;
    d->time = common->time;
    d->device_id = d->device_name = client_is_dest ? t.dest_text : t.src_text;
    d->client_addr = client_is_dest ? t.dest : t.src;
    d->server_addr = client_is_dest ? t.src : t.dest;

    if (h->per_answer) {
        /* The record is one answer: its rrname and rrtype are the answer's, not the question's. */
        ih_str data;
        int64_t ttl;
        if ((status = get_string(ctx, doc, dns, "rrname", "dns.rrname", &name)) != EVE_OK ||
            (status = get_string(ctx, doc, dns, "rrtype", "dns.rrtype", &type)) != EVE_OK ||
            (status = get_string(ctx, doc, dns, "rdata", "dns.rdata", &data)) != EVE_OK)
            return status;
        if (get_ttl(ctx, doc, dns, "dns.ttl", &ttl) != EVE_OK)
            return EVE_BAD;
        d->query_name = name;
        if (data.ptr && add_answer(ctx, d, type, data, ttl, "dns.rdata") != EVE_OK)
            return EVE_BAD;
    } else {
        if ((status = dns_question(ctx, doc, dns, &name, &type)) != EVE_OK)
            return status;
        d->query_name = name;
        d->query_type_name = type;
        d->query_type = rr_type_code(type);
    }

    if (h->kind == DNS_RESPONSE) {
        if ((status = get_string(ctx, doc, dns, "rcode", "dns.rcode", &rcode)) != EVE_OK)
            return status;
        d->rcode_name = rcode;
        d->rcode = dns_code(rcode, rcodes, sizeof(rcodes) / sizeof(rcodes[0]));
    }
    if (h->kind != DNS_RESPONSE || h->per_answer)
        return EVE_OK;

    int answers = member(doc, dns, "answers"), grouped = member(doc, dns, "grouped");
    if (answers >= 0 && json_type_of(doc, answers) != IH_JSON_ARRAY)
        return bad_token(ctx, "invalid value", "dns.answers", doc, answers);
    if (grouped >= 0 && json_type_of(doc, grouped) != IH_JSON_OBJECT)
        return bad_token(ctx, "invalid value", "dns.grouped", doc, grouped);
    /* Both layouts may be on; the detailed one has the TTLs. */
    if (answers >= 0)
        return detailed_answers(ctx, doc, answers, d);
    if (grouped >= 0)
        return grouped_answers(ctx, doc, grouped, d);
    return EVE_OK;
}

/* Makes a held copy of d with the origin of the current record. */
static pending_dns *hold_dns(ih_read_ctx *ctx, const ih_dns *d, const eve_common *common,
                             const dns_head *h)
{
    pending_dns *p = malloc(sizeof(*p));

    if (!p)
        return NULL;
    if (dns_copy(&p->dns, d) < 0) {
        free(p);
        return NULL;
    }
    p->flow_id = common->flow_id;
    p->dns_id = h->id;
    p->line = ctx->origin.line;
    p->offset = ctx->origin.offset;
    return p;
}

/* Gives the response r the question and time of its held query q. */
static void merge_query(ih_dns *r, const ih_dns *q)
{
    r->time = q->time;
    if (!r->query_name.ptr)
        r->query_name = q->query_name;
    if (!r->query_type_name.ptr || r->query_type < 0) {
        r->query_type_name = q->query_type_name;
        r->query_type = q->query_type;
    }
}

/*
 * Holds a query until its response. Queries that share a flow and a DNS id
 * (a retransmission, or a duplicated packet) are chained, and responses take
 * them in order.
 */
static int hold_query(ih_read_ctx *ctx, eve_stream *st, const ih_dns *d, const eve_common *common,
                      const dns_head *h)
{
    pending_dns *p = hold_dns(ctx, d, common, h);
    if (!p)
        return EVE_NOMEM;
    p->next = NULL;

    link_slot *s = link_find(&st->queries, common->flow_id, (uint32_t)h->id);
    if (s) {
        pending_dns *last = s->item;
        while (last->next)
            last = last->next;
        last->next = p;
        return EVE_OK;
    }
    void *evicted;
    if (link_put(&st->queries, EVE_MAX_QUERIES, common->flow_id, (uint32_t)h->id, p, &evicted) <
        0) {
        pending_dns_free(p);
        return EVE_NOMEM;
    }
    if (evicted)
        dispose_query(evicted, ctx);
    return EVE_OK;
}

/* Adds one record of the per-answer layout to the gathered response, starting one if needed. */
static int gather_answer(ih_read_ctx *ctx, eve_stream *st, ih_dns *d, const eve_common *common,
                         const dns_head *h)
{
    pending_dns *g = st->group;

    if (g && (g->flow_id != common->flow_id || g->dns_id != h->id) && flush_group(st, ctx) < 0)
        return EVE_NOMEM;
    g = st->group;
    if (!g) {
        pending_dns *q = take_query(st, common->flow_id, h->id);
        if (q)
            merge_query(d, &q->dns);
        st->group = hold_dns(ctx, d, common, h);
        if (q && st->group) {
            st->group->line = q->line;
            st->group->offset = q->offset;
        }
        pending_dns_free(q);
        return st->group ? EVE_OK : EVE_NOMEM;
    }
    for (size_t i = 0; i < d->answer_count; i++) {
        bool failed = false;
        if (g->dns.answer_count == IH_DNS_MAX_ANSWERS) {
            g->dns.answers_dropped++;
            continue;
        }
        ih_dns_answer a = d->answers[i];
        a.text = str_copy(a.text, &failed);
        if (failed)
            return EVE_NOMEM;
        g->dns.answers[g->dns.answer_count++] = a;
    }
    g->dns.answers_dropped += d->answers_dropped;
    return EVE_OK;
}

static int dns_record(const json_doc *doc, int root, ih_read_ctx *ctx, eve_stream *st,
                      const eve_common *common)
{
    int dns = member(doc, root, "dns");
    dns_head h;
    ih_dns d;
    int status;

    if (dns < 0)
        return missing_value(ctx, "dns");
    if (json_type_of(doc, dns) != IH_JSON_OBJECT)
        return bad_token(ctx, "invalid value", "dns", doc, dns);
    if ((status = get_dns_head(ctx, doc, dns, &h)) != EVE_OK)
        return status;
    if (h.kind == DNS_OTHER) {
        /* Format 1 also wrote authority and additional records, one per line. */
        ih_read_skip(ctx, "dns record that is neither query nor answer");
        return EVE_OK;
    }
    if ((status = dns_fill(ctx, doc, root, dns, &h, common, &d)) != EVE_OK)
        return status;

    bool pairable = st && common->has_flow_id && h.has_id;
    if (!(h.per_answer && pairable) && flush_group(st, ctx) < 0)
        return EVE_NOMEM;
    if (h.kind == DNS_QUERY) {
        if (!d.query_name.ptr)
            return missing_value(ctx, h.version >= 3 ? "dns.queries[0].rrname" : "dns.rrname");
        if (pairable)
            return hold_query(ctx, st, &d, common, &h);
        if (!st) {
            ih_read_skip(ctx, "dns query not paired: eve records mixed into other JSON");
            return EVE_OK;
        }
        return ih_read_emit_dns(ctx, &d) < 0 ? EVE_NOMEM : EVE_OK;
    }

    if (h.per_answer && pairable)
        return gather_answer(ctx, st, &d, common, &h);

    pending_dns *q = pairable ? take_query(st, common->flow_id, h.id) : NULL;
    ih_origin saved = ctx->origin;
    if (q) {
        merge_query(&d, &q->dns);
        ctx->origin.line = q->line;
        ctx->origin.offset = q->offset;
    }
    int rc = ih_read_emit_dns(ctx, &d);
    ctx->origin = saved;
    pending_dns_free(q);
    return rc < 0 ? EVE_NOMEM : EVE_OK;
}

/* ---- Records ---- */

/*
 * Builds the skip reason for an event type this reader does not use. A long
 * or unusual name becomes "other", so that one file cannot create many counters.
 */
static void make_skip_reason(ih_str name, char *out, size_t cap)
{
    bool plain = name.len > 0 && name.len <= 32;

    for (size_t i = 0; plain && i < name.len; i++) {
        char c = name.ptr[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.';
    }
    snprintf(out, cap, "suricata event not used: %.*s", plain ? (int)name.len : 5,
             plain ? name.ptr : "other");
}

static bool suricata_match(const json_doc *doc, int root)
{
    int type = json_get(doc, root, "event_type");

    return type >= 0 && json_type_of(doc, type) == IH_JSON_STRING &&
           json_get(doc, root, "timestamp") >= 0;
}

/* Reads one eve record. st is NULL for records mixed into other JSON, which are read alone. */
static int eve_record(const json_doc *doc, int root, ih_read_ctx *ctx, eve_stream *st)
{
    ih_str type = json_raw(doc, json_get(doc, root, "event_type"));
    const char *source = str_equal(type, "flow")  ? flow_source
                         : str_equal(type, "dns") ? dns_source
                         : str_equal(type, "tls") ? tls_source
                         : str_equal(type, "http") ? http_source
                                                   : eve_source;
    eve_common common;
    int status;

    ctx->origin.format = source;
    ih_read_count_record(ctx, source);
    if (source == eve_source) {
        char reason[64];
        make_skip_reason(type, reason, sizeof(reason));
        ih_read_skip(ctx, reason);
        return 1;
    }

    /* A record between the answers of a per-answer response ends that response. */
    if (source != dns_source && flush_group(st, ctx) < 0)
        return -1;
    if ((status = get_time(ctx, doc, root, "timestamp", "timestamp", false, &common.time)) !=
            EVE_OK ||
        (status = get_flow_id(ctx, doc, root, &common)) != EVE_OK)
        return status == EVE_NOMEM ? -1 : 1;

    if (source == flow_source)
        status = flow_record(doc, root, ctx, st, &common);
    else if (source == dns_source)
        status = dns_record(doc, root, ctx, st, &common);
    else if (source == tls_source)
        status = name_record(doc, root, ctx, st, &common, "tls", "sni", "tls.sni");
    else
        status = name_record(doc, root, ctx, st, &common, "http", "hostname", "http.hostname");
    return status == EVE_NOMEM ? -1 : 1;
}

static int suricata_layout_record(const json_doc *doc, int root, ih_read_ctx *ctx)
{
    return eve_record(doc, root, ctx, NULL);
}

const ih_json_layout ih_layout_suricata = {
    .name = "suricata",
    .match = suricata_match,
    .record = suricata_layout_record,
};

/* ---- The eve.json line reader ---- */

static size_t skip_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* True when s[0..n) contains the bytes of lit. */
static bool contains(const char *s, size_t n, const char *lit)
{
    return memmem(s, n, lit, strlen(lit)) != NULL;
}

/*
 * Scores a stream whose first record is an eve.json record above the JSON
 * lines reader, which would also read it but without linking records.
 */
static int suricata_probe(const char *head, size_t len)
{
    size_t i = skip_bom(head, len);

    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i == len || head[i] != '{')
        return 0;
    const char *nl = memchr(head + i, '\n', len - i);
    size_t n = nl ? (size_t)(nl - (head + i)) : len - i;
    if (contains(head + i, n, "\"event_type\":") && contains(head + i, n, "\"timestamp\":"))
        return 80;
    return 0;
}

static void *suricata_open(ih_read_ctx *ctx)
{
    eve_stream *st = calloc(1, sizeof(*st));

    if (!st)
        return NULL;
    st->json = ih_reader_json.open(ctx);
    if (!st->json) {
        free(st);
        return NULL;
    }
    return st;
}

static void suricata_close(void *state, ih_read_ctx *ctx)
{
    eve_stream *st = state;

    flush_group(st, ctx);
    link_drain(&st->queries, dispose_query, ctx);
    link_drain(&st->names, dispose_name, ctx);
    ih_reader_json.close(st->json, ctx);
    free(st);
}

static int suricata_line(void *state, const char *line, size_t len, ih_read_ctx *ctx)
{
    eve_stream *st = state;
    json_error err;
    const char *text = line;
    size_t n = len;

    if (ctx->origin.offset == 0) {
        size_t bom = skip_bom(text, n);
        text += bom;
        n -= bom;
    }
    /* Blank lines, invalid JSON and records of other layouts go to the JSON lines reader. */
    if (json_parse(&ctx->json, text, n, &err) != 0 || json_type_of(&ctx->json, 0) != IH_JSON_OBJECT ||
        !suricata_match(&ctx->json, 0))
        return ih_reader_json.line(st->json, line, len, ctx);
    return eve_record(&ctx->json, 0, ctx, st);
}

const ih_line_reader ih_reader_suricata = {
    .name = "suricata",
    .probe = suricata_probe,
    .open = suricata_open,
    .line = suricata_line,
    .close = suricata_close,
    /* Records are linked only within one stream or chunk (docs/sources/suricata.md). */
    .independent_lines = true,
};
