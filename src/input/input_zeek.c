/*
 * Zeek conn.log and dns.log, in Zeek's tab-separated format (the "zeek-tsv"
 * line reader) and as JSON lines (the "zeek-json" layout of the JSON reader).
 *
 * Both formats are first reduced to the text of each column this reader uses
 * (zeek_values), so one set of rules turns a record into an event whatever the
 * format. docs/sources/zeek.md describes the mapping and the reasons for it.
 */
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"
#include "../event/timeutil.h"

/* Source names. Records of Zeek logs other than conn and dns count under the plain name. */
static const char zeek_tsv_source[] = "zeek-tsv";
static const char zeek_conn_tsv_source[] = "zeek-conn-tsv";
static const char zeek_dns_tsv_source[] = "zeek-dns-tsv";
static const char zeek_json_source[] = "zeek-json";
static const char zeek_conn_json_source[] = "zeek-conn-json";
static const char zeek_dns_json_source[] = "zeek-dns-json";

/* Status of the steps that turn one record into an event. */
enum { ZEEK_OK = 0, ZEEK_BAD = -1, ZEEK_NOMEM = -2 };

enum zeek_path { PATH_NONE = 0, PATH_CONN, PATH_DNS, PATH_OTHER };

/* The columns this reader uses, of conn.log and dns.log together. */
enum zeek_field {
    ZF_TS,
    ZF_ORIG_H,
    ZF_ORIG_P,
    ZF_RESP_H,
    ZF_RESP_P,
    ZF_PROTO,
    ZF_ORIG_BYTES,
    ZF_RESP_BYTES,
    ZF_RESP_PKTS,
    ZF_CONN_STATE,
    ZF_LOCAL_ORIG,
    ZF_LOCAL_RESP,
    ZF_QUERY,
    ZF_QTYPE,
    ZF_QTYPE_NAME,
    ZF_RCODE,
    ZF_RCODE_NAME,
    ZF_ANSWERS,
    ZF_TTLS,
    ZF_COUNT
};

/* Column names as Zeek writes them, and the '_' spelling that some JSON exports use. */
static const struct zeek_column {
    const char *name;
    const char *alt_name;
} zeek_columns[ZF_COUNT] = {
    [ZF_TS] = {"ts", NULL},
    [ZF_ORIG_H] = {"id.orig_h", "id_orig_h"},
    [ZF_ORIG_P] = {"id.orig_p", "id_orig_p"},
    [ZF_RESP_H] = {"id.resp_h", "id_resp_h"},
    [ZF_RESP_P] = {"id.resp_p", "id_resp_p"},
    [ZF_PROTO] = {"proto", NULL},
    [ZF_ORIG_BYTES] = {"orig_bytes", NULL},
    [ZF_RESP_BYTES] = {"resp_bytes", NULL},
    [ZF_RESP_PKTS] = {"resp_pkts", NULL},
    [ZF_CONN_STATE] = {"conn_state", NULL},
    [ZF_LOCAL_ORIG] = {"local_orig", NULL},
    [ZF_LOCAL_RESP] = {"local_resp", NULL},
    [ZF_QUERY] = {"query", NULL},
    [ZF_QTYPE] = {"qtype", NULL},
    [ZF_QTYPE_NAME] = {"qtype_name", NULL},
    [ZF_RCODE] = {"rcode", NULL},
    [ZF_RCODE_NAME] = {"rcode_name", NULL},
    [ZF_ANSWERS] = {"answers", NULL},
    [ZF_TTLS] = {"TTLs", NULL},
};

/*
 * The text of the used columns of one record: a view into the line, or into
 * record scratch memory once unescaped. ptr is NULL when the column is absent
 * or unset; len is 0 for Zeek's empty value. In TSV, answers and TTLs stay
 * raw (still escaped) until they are split at the set separator.
 */
typedef struct zeek_values {
    ih_str text[ZF_COUNT];
} zeek_values;

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

static int bad_value(ih_read_ctx *ctx, const char *reason, enum zeek_field f, ih_str value)
{
    char text[72];

    ih_read_bad(ctx, reason, "%s '%s'", zeek_columns[f].name, printable(value, text));
    return ZEEK_BAD;
}

static int missing_value(ih_read_ctx *ctx, enum zeek_field f)
{
    ih_read_bad(ctx, "missing value", "%s is absent or unset", zeek_columns[f].name);
    return ZEEK_BAD;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decodes Zeek's \xHH escapes of s[0..n) into out, which has room for n
 * bytes, and returns the decoded length. Zeek escapes a backslash, a control
 * byte or a separator inside a value this way. A backslash that does not
 * start such an escape is kept.
 */
static size_t decode_escapes(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x') {
            int hi = hex_digit(s[i + 2]), lo = hex_digit(s[i + 3]);
            if (hi >= 0 && lo >= 0) {
                out[o++] = (char)(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out[o++] = s[i];
    }
    return o;
}

/* Replaces s by its decoded text in record scratch memory, if it has a backslash. */
static int unescape_value(ih_read_ctx *ctx, ih_str *s)
{
    if (!s->ptr || s->len == 0 || !memchr(s->ptr, '\\', s->len))
        return ZEEK_OK;
    char *out = ih_read_alloc(ctx, s->len);
    if (!out)
        return ZEEK_NOMEM;
    s->len = decode_escapes(s->ptr, s->len, out);
    s->ptr = out;
    return ZEEK_OK;
}

/* Parses a Zeek count. Values from UINT64_MAX up are rejected, because that value means unknown. */
static bool parse_count(ih_str s, uint64_t *out)
{
    uint64_t v = 0;

    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
        unsigned d = (unsigned)(s.ptr[i] - '0');
        if (v > (UINT64_MAX - 1 - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Parses a Zeek interval such as "300.000000" as whole seconds, dropping the fraction. */
static bool parse_seconds(ih_str s, int64_t *out)
{
    int64_t v = 0;
    size_t i = 0;

    while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
        int d = s.ptr[i] - '0';
        if (v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
        i++;
    }
    if (i == 0)
        return false;
    if (i < s.len && s.ptr[i] == '.') {
        size_t start = ++i;
        while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i != s.len)
        return false;
    *out = v;
    return true;
}

/* Parses T or F, as Zeek writes booleans in TSV, and true or false from JSON. */
static bool parse_bool(ih_str s, int *out)
{
    if (str_equal(s, "T") || str_equal(s, "true")) {
        *out = 1;
        return true;
    }
    if (str_equal(s, "F") || str_equal(s, "false")) {
        *out = 0;
        return true;
    }
    return false;
}

static enum ih_protocol parse_proto(ih_str s)
{
    if (!s.ptr)
        return IH_PROTO_UNKNOWN;
    if (str_equal(s, "tcp"))
        return IH_PROTO_TCP;
    if (str_equal(s, "udp"))
        return IH_PROTO_UDP;
    if (str_equal(s, "icmp"))
        return IH_PROTO_ICMP;
    return IH_PROTO_OTHER; /* Zeek's unknown_transport, or anything newer */
}

/* The get_* functions read one column, report a bad value and return ZEEK_OK or ZEEK_BAD. */

static int get_time(ih_read_ctx *ctx, const zeek_values *v, ih_time *out)
{
    ih_str s = v->text[ZF_TS];

    if (!s.ptr)
        return missing_value(ctx, ZF_TS);
    /* TSV has epoch seconds. JSON has epoch seconds or ISO 8601, by Zeek's JSON settings. */
    if (ih_time_parse(s.ptr, s.len, out) != 0)
        return bad_value(ctx, "invalid time", ZF_TS, s);
    return ZEEK_OK;
}

static int get_addr(ih_read_ctx *ctx, const zeek_values *v, enum zeek_field f, ih_addr *out)
{
    ih_str s = v->text[f];

    if (!s.ptr)
        return missing_value(ctx, f);
    if (ih_addr_parse(s.ptr, s.len, out) != 0)
        return bad_value(ctx, "invalid address", f, s);
    return ZEEK_OK;
}

static int get_port(ih_read_ctx *ctx, const zeek_values *v, enum zeek_field f, int32_t *out)
{
    ih_str s = v->text[f];
    uint64_t port;

    *out = IH_UNKNOWN_PORT;
    if (!s.ptr)
        return ZEEK_OK;
    if (!parse_count(s, &port) || port > 65535)
        return bad_value(ctx, "invalid port", f, s);
    *out = (int32_t)port;
    return ZEEK_OK;
}

/* Reads an optional count, which is IH_UNKNOWN_BYTES when unset and never 0. */
static int get_count(ih_read_ctx *ctx, const zeek_values *v, enum zeek_field f, uint64_t *out)
{
    ih_str s = v->text[f];

    *out = IH_UNKNOWN_BYTES;
    if (!s.ptr)
        return ZEEK_OK;
    if (!parse_count(s, out))
        return bad_value(ctx, "invalid count", f, s);
    return ZEEK_OK;
}

/* Reads an optional count that fits an int32_t, such as qtype, or -1 when unset. */
static int get_code(ih_read_ctx *ctx, const zeek_values *v, enum zeek_field f, int32_t *out)
{
    ih_str s = v->text[f];
    uint64_t n;

    *out = -1;
    if (!s.ptr)
        return ZEEK_OK;
    if (!parse_count(s, &n) || n > INT32_MAX)
        return bad_value(ctx, "invalid count", f, s);
    *out = (int32_t)n;
    return ZEEK_OK;
}

/* Reads an optional boolean as 1 or 0, or -1 when unset. */
static int get_bool(ih_read_ctx *ctx, const zeek_values *v, enum zeek_field f, int *out)
{
    ih_str s = v->text[f];

    *out = -1;
    if (!s.ptr)
        return ZEEK_OK;
    if (!parse_bool(s, out))
        return bad_value(ctx, "invalid boolean", f, s);
    return ZEEK_OK;
}

/* ---- conn.log ---- */

/* Parsed columns of one conn.log record, with unknown values as in ih_conn. */
typedef struct zeek_conn {
    ih_time ts;
    ih_addr orig_h, resp_h;
    int32_t orig_p, resp_p;
    enum ih_protocol proto;
    uint64_t orig_bytes, resp_bytes, resp_pkts; /* IH_UNKNOWN_BYTES when unset */
    int local_orig, local_resp;                 /* 1, 0, or -1 when unset */
} zeek_conn;

/* Outcome of a connection's setup as the sensor saw it, whatever its direction. */
enum conn_outcome { OUTCOME_ATTEMPT, OUTCOME_ESTABLISHED, OUTCOME_REJECTED };

/*
 * Classifies a TCP conn_state by the meanings documented in Zeek's
 * base/protocols/conn/main.zeek. Only states in which Zeek saw the handshake
 * complete count as established.
 */
static enum conn_outcome tcp_outcome(ih_str state)
{
    /* S1: established and still open. SF: established and closed normally.
       S2, S3: established, then a close attempt by the originator (S2) or the
       responder (S3) went unanswered. RSTO: established, then reset by the
       originator. RSTR: reset by the responder after the handshake, because
       Zeek reports a RST in reply to a SYN as REJ. */
    static const char *const established[] = {"S1", "S2", "S3", "SF", "RSTO", "RSTR"};

    for (size_t i = 0; i < sizeof(established) / sizeof(established[0]); i++)
        if (str_equal(state, established[i]))
            return OUTCOME_ESTABLISHED;

    /* REJ: the responder replied to the SYN with a RST, so the attempt was rejected. */
    if (str_equal(state, "REJ"))
        return OUTCOME_REJECTED;

    /* The rest show no completed handshake. S0: a SYN and no reply. SH and
       RSTOS0: a SYN, then a FIN or RST from the originator, and no SYN-ACK.
       SHR and RSTRH: only the responder's SYN-ACK, then its FIN or RST. OTH: no
       SYN seen (midstream traffic). Unset and unknown states are not evidence
       of success either. */
    return OUTCOME_ATTEMPT;
}

/* UDP, ICMP and other flows have no handshake, so any reply from the responder counts. */
static enum conn_outcome flow_outcome(const zeek_conn *z, ih_str state)
{
    bool packets = z->resp_pkts != IH_UNKNOWN_BYTES && z->resp_pkts > 0;
    bool bytes = z->resp_bytes != IH_UNKNOWN_BYTES && z->resp_bytes > 0;

    /* For UDP, Zeek writes SF when both sides sent something. */
    if (packets || bytes || str_equal(state, "SF"))
        return OUTCOME_ESTABLISHED;
    return OUTCOME_ATTEMPT;
}

/* Direction from local_orig and local_resp, both unset when Site::local_nets is empty. */
static enum ih_direction conn_direction(int local_orig, int local_resp)
{
    if (local_orig == 1 && local_resp == 0)
        return IH_DIR_OUTBOUND;
    if (local_orig == 0 && local_resp == 1)
        return IH_DIR_INBOUND;
    if (local_orig == 1 && local_resp == 1)
        return IH_DIR_LOCAL;
    return IH_DIR_UNKNOWN;
}

static enum ih_action conn_action(enum conn_outcome outcome, enum ih_direction direction)
{
    switch (outcome) {
    case OUTCOME_ESTABLISHED:
        return direction == IH_DIR_INBOUND ? IH_ACTION_INBOUND : IH_ACTION_SUCCESS;
    case OUTCOME_REJECTED:
        return IH_ACTION_FAILED;
    case OUTCOME_ATTEMPT:
        break;
    }
    return IH_ACTION_ATTEMPT;
}

static int parse_conn(ih_read_ctx *ctx, const zeek_values *v, zeek_conn *z)
{
    if (get_time(ctx, v, &z->ts) != 0 || get_addr(ctx, v, ZF_ORIG_H, &z->orig_h) != 0 ||
        get_addr(ctx, v, ZF_RESP_H, &z->resp_h) != 0 ||
        get_port(ctx, v, ZF_ORIG_P, &z->orig_p) != 0 ||
        get_port(ctx, v, ZF_RESP_P, &z->resp_p) != 0)
        return ZEEK_BAD;
    if (get_count(ctx, v, ZF_ORIG_BYTES, &z->orig_bytes) != 0 ||
        get_count(ctx, v, ZF_RESP_BYTES, &z->resp_bytes) != 0 ||
        get_count(ctx, v, ZF_RESP_PKTS, &z->resp_pkts) != 0 ||
        get_bool(ctx, v, ZF_LOCAL_ORIG, &z->local_orig) != 0 ||
        get_bool(ctx, v, ZF_LOCAL_RESP, &z->local_resp) != 0)
        return ZEEK_BAD;
    z->proto = parse_proto(v->text[ZF_PROTO]);
    return ZEEK_OK;
}

/*
 * Fills c from one record, seen from the device. Zeek has no host names, so
 * the device is the local side's address. That is the responder for an
 * inbound connection and the originator otherwise, including when direction
 * is unknown.
 */
static void fill_conn(const zeek_values *v, const zeek_conn *z, ih_conn *c)
{
    ih_conn_init(c);
    c->time = z->ts;
    c->protocol = (uint8_t)z->proto;
    c->direction = (uint8_t)conn_direction(z->local_orig, z->local_resp);
    c->action_name = v->text[ZF_CONN_STATE];

    bool device_is_resp = c->direction == IH_DIR_INBOUND;
    c->device_id = c->device_name = v->text[device_is_resp ? ZF_RESP_H : ZF_ORIG_H];
    c->remote_ip_text = v->text[device_is_resp ? ZF_ORIG_H : ZF_RESP_H];
    c->local_addr = device_is_resp ? z->resp_h : z->orig_h;
    c->remote_addr = device_is_resp ? z->orig_h : z->resp_h;
    c->bytes_sent = device_is_resp ? z->resp_bytes : z->orig_bytes;
    c->bytes_received = device_is_resp ? z->orig_bytes : z->resp_bytes;

    /* For ICMP, Zeek writes the message type and code in the port columns. */
    if (z->proto != IH_PROTO_ICMP) {
        c->local_port = device_is_resp ? z->resp_p : z->orig_p;
        c->remote_port = device_is_resp ? z->orig_p : z->resp_p;
    }

    ih_str state = v->text[ZF_CONN_STATE];
    bool tcp = z->proto == IH_PROTO_TCP || z->proto == IH_PROTO_UNKNOWN;
    enum conn_outcome outcome = tcp ? tcp_outcome(state) : flow_outcome(z, state);
    c->action = (uint8_t)conn_action(outcome, (enum ih_direction)c->direction);
}

/* Builds and delivers the event of one conn.log record. Returns the line reader's status. */
static int emit_conn(ih_read_ctx *ctx, const zeek_values *v)
{
    zeek_conn z;
    ih_conn c;

    if (parse_conn(ctx, v, &z) != ZEEK_OK)
        return 1;
    fill_conn(v, &z, &c);
    return ih_read_emit_conn(ctx, &c) < 0 ? -1 : 1;
}

/* ---- dns.log ---- */

/* Fills the columns of d other than answers and TTLs. */
static int parse_dns(ih_read_ctx *ctx, const zeek_values *v, ih_dns *d)
{
    ih_dns_init(d);
    if (get_time(ctx, v, &d->time) != 0 || get_addr(ctx, v, ZF_ORIG_H, &d->client_addr) != 0 ||
        get_addr(ctx, v, ZF_RESP_H, &d->server_addr) != 0 ||
        get_code(ctx, v, ZF_QTYPE, &d->query_type) != 0 ||
        get_code(ctx, v, ZF_RCODE, &d->rcode) != 0)
        return ZEEK_BAD;

    /* The client is the device, named by its address because Zeek has no host names. */
    d->device_id = d->device_name = v->text[ZF_ORIG_H];
    d->query_name = v->text[ZF_QUERY];
    d->query_type_name = v->text[ZF_QTYPE_NAME];
    d->rcode_name = v->text[ZF_RCODE_NAME];
    return ZEEK_OK;
}

/* True for text shaped like a domain name: letters, digits, '-', '_', '*' and dots. */
static bool is_domain_name(ih_str s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '*' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

/*
 * True for query types whose own answer data is a name (NS, SOA, PTR, MX,
 * SRV, DNAME). Zeek logs only that name for each of them, so a name in their
 * answers cannot be distinguished from a CNAME target.
 */
static bool qtype_has_name_data(int32_t qtype)
{
    switch (qtype) {
    case 2:
    case 6:
    case 12:
    case 15:
    case 33:
    case 39:
        return true;
    default:
        return false;
    }
}

/*
 * Appends one answer as Zeek logged it. Zeek writes an address for A and
 * AAAA records and the bare target name for CNAME records, so a name in the
 * answers to an A or AAAA query is a CNAME target. TXT data, "<unknown
 * type=N>" and the like are kept as other.
 */
static void add_answer(ih_dns *d, ih_str text)
{
    if (d->answer_count == IH_DNS_MAX_ANSWERS) {
        d->answers_dropped++;
        return;
    }
    ih_dns_answer *a = &d->answers[d->answer_count++];
    memset(a, 0, sizeof(*a));
    a->text = text;
    a->ttl_s = -1;
    if (ih_addr_parse(text.ptr, text.len, &a->addr) == 0)
        a->kind = IH_ANSWER_ADDR;
    else if (is_domain_name(text) && !qtype_has_name_data(d->query_type))
        a->kind = IH_ANSWER_CNAME;
    else
        a->kind = IH_ANSWER_OTHER;
}

/* Sets the TTL of the answer at the same position. TTLs past the stored answers are only checked.
 */
static int set_ttl(ih_read_ctx *ctx, ih_dns *d, size_t position, ih_str text)
{
    int64_t ttl;

    if (!text.ptr)
        return ZEEK_OK;
    if (!parse_seconds(text, &ttl))
        return bad_value(ctx, "invalid TTL", ZF_TTLS, text);
    if (position < d->answer_count)
        d->answers[position].ttl_s = ttl;
    return ZEEK_OK;
}

/* ---- Zeek TSV ---- */

/* Maximum length in bytes of a separator or unset/empty marker. Zeek's defaults have 1 to 7. */
#define ZEEK_MAX_MARKER 16
/* Records with more columns than this are rejected. Zeek's conn.log has about 22. */
#define ZEEK_MAX_COLUMNS 1024

typedef struct zeek_marker {
    char text[ZEEK_MAX_MARKER];
    size_t len;
} zeek_marker;

/* Header of the log block being read, set by '#' lines and used by the records after them. */
typedef struct zeek_tsv {
    zeek_marker separator, set_separator, empty_field, unset_field;
    enum zeek_path path;                    /* from #path; PATH_NONE until one is seen */
    char skip_reason[64];                   /* "zeek log not used: <path>", for PATH_OTHER */
    size_t ncolumns;                        /* from #fields; 0 until one is seen */
    uint8_t column_field[ZEEK_MAX_COLUMNS]; /* per column: a zeek_field + 1, or 0 if not used */
    int field_column[ZF_COUNT];             /* column of each used field, -1 if absent */
} zeek_tsv;

static ih_str marker_str(const zeek_marker *m)
{
    return (ih_str){m->text, m->len};
}

static void marker_set(zeek_marker *m, const char *text)
{
    m->len = strlen(text);
    memcpy(m->text, text, m->len);
}

/* Returns the first occurrence of sep in s[0..n), or NULL. */
static const char *find_separator(const char *s, size_t n, ih_str sep)
{
    if (sep.len == 1)
        return memchr(s, sep.ptr[0], n);
    while (n >= sep.len) {
        const char *p = memchr(s, sep.ptr[0], n - sep.len + 1);
        if (!p)
            return NULL;
        if (memcmp(p, sep.ptr, sep.len) == 0)
            return p;
        n -= (size_t)(p - s) + 1;
        s = p + 1;
    }
    return NULL;
}

/*
 * Returns in *element the next element of list, split at sep, from offset
 * *pos; false after the last. An empty list must be skipped by the caller,
 * because it would yield one empty element.
 */
static bool next_element(ih_str list, ih_str sep, size_t *pos, ih_str *element)
{
    if (*pos > list.len)
        return false;
    const char *start = list.ptr + *pos;
    const char *end = find_separator(start, list.len - *pos, sep);
    size_t n = end ? (size_t)(end - start) : list.len - *pos;
    *element = (ih_str){start, n};
    *pos += n + (end ? sep.len : 1);
    return true;
}

static void tsv_reset(zeek_tsv *st)
{
    marker_set(&st->separator, "\t");
    marker_set(&st->set_separator, ",");
    marker_set(&st->empty_field, "(empty)");
    marker_set(&st->unset_field, "-");
    st->path = PATH_NONE;
    st->skip_reason[0] = '\0';
    st->ncolumns = 0;
    for (size_t f = 0; f < ZF_COUNT; f++)
        st->field_column[f] = -1;
}

/*
 * Builds the skip reason for a log this reader does not use. A long or unusual
 * name becomes "other", so that one file cannot create many counters.
 */
static void make_skip_reason(ih_str name, char *out, size_t cap)
{
    bool plain = name.len > 0 && name.len <= 32;

    for (size_t i = 0; plain && i < name.len; i++) {
        char c = name.ptr[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.';
    }
    if (plain)
        snprintf(out, cap, "zeek log not used: %.*s", (int)name.len, name.ptr);
    else
        snprintf(out, cap, "zeek log not used: %s", name.len ? "other" : "unknown");
}

/*
 * Sets a marker from a header value with \xHH escapes decoded, or reports a
 * value that does not fit. Only the unset and empty markers may be empty.
 */
static void tsv_set_marker(zeek_marker *m, const char *key, bool allow_empty, ih_str value,
                           ih_read_ctx *ctx)
{
    char text[72];

    if ((value.len == 0 && !allow_empty) || value.len > 4 * ZEEK_MAX_MARKER) {
        ih_read_bad(ctx, "invalid Zeek header", "%s '%s'", key, printable(value, text));
        return;
    }
    char decoded[4 * ZEEK_MAX_MARKER];
    size_t n = decode_escapes(value.ptr, value.len, decoded);
    if ((n == 0 && !allow_empty) || n > ZEEK_MAX_MARKER) {
        ih_read_bad(ctx, "invalid Zeek header", "%s '%s'", key, printable(value, text));
        return;
    }
    memcpy(m->text, decoded, n);
    m->len = n;
}

static enum zeek_field field_by_name(ih_str name)
{
    for (size_t f = 0; f < ZF_COUNT; f++) {
        const struct zeek_column *c = &zeek_columns[f];
        if (str_equal(name, c->name) || (c->alt_name && str_equal(name, c->alt_name)))
            return (enum zeek_field)f;
    }
    return ZF_COUNT;
}

/* Reads the column names of a #fields line. */
static void tsv_fields(zeek_tsv *st, ih_str names, ih_read_ctx *ctx)
{
    ih_str sep = marker_str(&st->separator);
    size_t pos = 0, n = 0;
    ih_str name;

    st->ncolumns = 0;
    for (size_t f = 0; f < ZF_COUNT; f++)
        st->field_column[f] = -1;

    while (next_element(names, sep, &pos, &name)) {
        if (n == ZEEK_MAX_COLUMNS) {
            ih_read_bad(ctx, "invalid Zeek header", "#fields has more than %d columns",
                        ZEEK_MAX_COLUMNS);
            return;
        }
        enum zeek_field f = field_by_name(name);
        st->column_field[n] = 0;
        /* A repeated name keeps its first column. */
        if (f != ZF_COUNT && st->field_column[f] < 0) {
            st->field_column[f] = (int)n;
            st->column_field[n] = (uint8_t)(f + 1);
        }
        n++;
    }
    st->ncolumns = n;
}

static bool starts_with(const char *s, size_t n, const char *prefix)
{
    size_t p = strlen(prefix);
    return n >= p && memcmp(s, prefix, p) == 0;
}

/*
 * Applies one header line. "#separator" is followed by a space and starts a
 * new block; the other keys are followed by the separator. #open, #close,
 * #types and unknown keys change nothing. Returns 0 because a header carries no record.
 */
static int tsv_header(zeek_tsv *st, const char *line, size_t len, ih_read_ctx *ctx)
{
    if (starts_with(line, len, "#separator") && len > 11 && (line[10] == ' ' || line[10] == '\t')) {
        tsv_reset(st);
        tsv_set_marker(&st->separator, "#separator", false, (ih_str){line + 11, len - 11}, ctx);
        return 0;
    }

    const char *end = find_separator(line, len, marker_str(&st->separator));
    if (!end)
        return 0;
    ih_str key = {line, (size_t)(end - line)};
    ih_str value = {end + st->separator.len, len - key.len - st->separator.len};

    if (str_equal(key, "#set_separator")) {
        tsv_set_marker(&st->set_separator, "#set_separator", false, value, ctx);
    } else if (str_equal(key, "#empty_field")) {
        tsv_set_marker(&st->empty_field, "#empty_field", true, value, ctx);
    } else if (str_equal(key, "#unset_field")) {
        tsv_set_marker(&st->unset_field, "#unset_field", true, value, ctx);
    } else if (str_equal(key, "#path")) {
        st->path = str_equal(value, "conn")  ? PATH_CONN
                   : str_equal(value, "dns") ? PATH_DNS
                                             : PATH_OTHER;
        make_skip_reason(value, st->skip_reason, sizeof(st->skip_reason));
    } else if (str_equal(key, "#fields")) {
        tsv_fields(st, value, ctx);
    }
    return 0;
}

/* Log of the current block, from #path or, when #path is missing, guessed from the columns. */
static enum zeek_path tsv_path(const zeek_tsv *st)
{
    if (st->path != PATH_NONE)
        return st->path;
    if (st->field_column[ZF_CONN_STATE] >= 0)
        return PATH_CONN;
    if (st->field_column[ZF_QUERY] >= 0)
        return PATH_DNS;
    return PATH_OTHER;
}

/* Splits a record at the separator, keeps the raw text of used columns, returns the column count.
 */
static size_t tsv_split(const zeek_tsv *st, const char *line, size_t len, ih_str raw[ZF_COUNT])
{
    ih_str sep = marker_str(&st->separator);
    size_t pos = 0, column = 0;
    ih_str text;

    while (next_element((ih_str){line, len}, sep, &pos, &text)) {
        if (column < st->ncolumns && st->column_field[column])
            raw[st->column_field[column] - 1] = text;
        column++;
    }
    return column;
}

/* Turns raw column text into values: unset to NONE, empty to "", escapes decoded. */
static int tsv_values(ih_read_ctx *ctx, const zeek_tsv *st, const ih_str raw[ZF_COUNT],
                      zeek_values *v)
{
    ih_str unset = marker_str(&st->unset_field), empty = marker_str(&st->empty_field);

    for (size_t f = 0; f < ZF_COUNT; f++) {
        ih_str s = raw[f];
        if (s.ptr && s.len == unset.len && memcmp(s.ptr, unset.ptr, s.len) == 0)
            s = IH_STR_NONE;
        else if (s.ptr && s.len == empty.len && memcmp(s.ptr, empty.ptr, s.len) == 0)
            s.len = 0;
        /* Lists are decoded element by element, after splitting at the set separator. */
        else if (f != ZF_ANSWERS && f != ZF_TTLS && unescape_value(ctx, &s) != ZEEK_OK)
            return ZEEK_NOMEM;
        v->text[f] = s;
    }
    return ZEEK_OK;
}

/* Adds the answers and TTLs of a TSV dns.log record to d. */
static int tsv_answers(ih_read_ctx *ctx, const zeek_tsv *st, const zeek_values *v, ih_dns *d)
{
    ih_str sep = marker_str(&st->set_separator), empty = marker_str(&st->empty_field);
    ih_str list = v->text[ZF_ANSWERS], element;
    size_t pos = 0, position = 0;

    while (list.len > 0 && next_element(list, sep, &pos, &element)) {
        if (element.len == empty.len && memcmp(element.ptr, empty.ptr, empty.len) == 0)
            element.len = 0;
        else if (unescape_value(ctx, &element) != ZEEK_OK)
            return ZEEK_NOMEM;
        add_answer(d, element);
    }

    list = v->text[ZF_TTLS];
    pos = 0;
    while (list.len > 0 && next_element(list, sep, &pos, &element))
        if (set_ttl(ctx, d, position++, element) != ZEEK_OK)
            return ZEEK_BAD;
    return ZEEK_OK;
}

static int tsv_emit_dns(ih_read_ctx *ctx, const zeek_tsv *st, const zeek_values *v)
{
    ih_dns d;

    if (parse_dns(ctx, v, &d) != ZEEK_OK)
        return 1;
    int status = tsv_answers(ctx, st, v, &d);
    if (status == ZEEK_NOMEM)
        return -1;
    if (status == ZEEK_BAD)
        return 1;
    return ih_read_emit_dns(ctx, &d) < 0 ? -1 : 1;
}

/* Reads one record line of the current block. */
static int tsv_record(zeek_tsv *st, const char *line, size_t len, ih_read_ctx *ctx)
{
    char text[72];

    if (st->ncolumns == 0) {
        ctx->origin.format = zeek_tsv_source;
        ih_read_count_record(ctx, zeek_tsv_source);
        ih_read_bad(ctx, "missing #fields header", "no valid #fields line before record '%s'",
                    printable((ih_str){line, len}, text));
        return 1;
    }

    enum zeek_path path = tsv_path(st);
    ctx->origin.format = path == PATH_CONN  ? zeek_conn_tsv_source
                         : path == PATH_DNS ? zeek_dns_tsv_source
                                            : zeek_tsv_source;
    ih_read_count_record(ctx, ctx->origin.format);
    if (path == PATH_OTHER) {
        ih_read_skip(ctx, st->skip_reason[0] ? st->skip_reason : "zeek log not used: unknown");
        return 1;
    }

    ih_str raw[ZF_COUNT];
    for (size_t f = 0; f < ZF_COUNT; f++)
        raw[f] = IH_STR_NONE;
    size_t ncolumns = tsv_split(st, line, len, raw);
    if (ncolumns != st->ncolumns) {
        ih_read_bad(ctx, "wrong column count", "%zu columns, expected %zu from #fields", ncolumns,
                    st->ncolumns);
        return 1;
    }

    zeek_values v;
    if (tsv_values(ctx, st, raw, &v) != ZEEK_OK)
        return -1;
    return path == PATH_CONN ? emit_conn(ctx, &v) : tsv_emit_dns(ctx, st, &v);
}

static int tsv_line(void *state, const char *line, size_t len, ih_read_ctx *ctx)
{
    size_t lead = 0;

    /* Blanks before '#' are skipped because a log in Slips' test data starts "\t#separator". */
    while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    if (lead == len)
        return 0;
    if (line[lead] == '#')
        return tsv_header(state, line + lead, len - lead, ctx);
    return tsv_record(state, line, len, ctx);
}

static int tsv_probe(const char *head, size_t len)
{
    size_t i = 0;

    while (i < len && (head[i] == ' ' || head[i] == '\t'))
        i++;
    head += i;
    len -= i;
    if (starts_with(head, len, "#separator"))
        return 100;
    /* A log cut by hand may have lost its first lines but still carry #fields. */
    if (starts_with(head, len, "#set_separator") || starts_with(head, len, "#path") ||
        starts_with(head, len, "#fields"))
        return 60;
    return 0;
}

static void *tsv_open(ih_read_ctx *ctx)
{
    (void)ctx;
    zeek_tsv *st = calloc(1, sizeof(*st));
    if (st)
        tsv_reset(st);
    return st;
}

static void tsv_close(void *state, ih_read_ctx *ctx)
{
    (void)ctx;
    free(state);
}

/* ---- Zeek JSON ---- */

/* Token of "@stream", else of "_path", naming the log of a record. -1 if neither is a string. */
static int json_stream_token(const json_doc *doc, int root)
{
    int tok = json_get(doc, root, "@stream");

    if (tok < 0)
        tok = json_get(doc, root, "_path");
    return tok >= 0 && json_type_of(doc, tok) == IH_JSON_STRING ? tok : -1;
}

static int json_column(const json_doc *doc, int root, enum zeek_field f)
{
    int tok = json_get(doc, root, zeek_columns[f].name);

    if (tok < 0 && zeek_columns[f].alt_name)
        tok = json_get(doc, root, zeek_columns[f].alt_name);
    return tok;
}

static bool zeek_json_match(const json_doc *doc, int root)
{
    int stream = json_stream_token(doc, root);

    if (stream >= 0) {
        ih_str name = json_raw(doc, stream);
        if (str_equal(name, "conn") || str_equal(name, "dns"))
            return true;
    }
    return json_get(doc, root, "uid") >= 0 && json_column(doc, root, ZF_ORIG_H) >= 0;
}

/* Log of a record, named by "@stream" or "_path", else guessed from columns only it has. */
static enum zeek_path json_path(const json_doc *doc, int root, ih_str *name)
{
    int stream = json_stream_token(doc, root);

    if (stream >= 0) {
        *name = json_raw(doc, stream);
        if (str_equal(*name, "conn"))
            return PATH_CONN;
        if (str_equal(*name, "dns"))
            return PATH_DNS;
        return PATH_OTHER;
    }
    if (json_get(doc, root, "query") >= 0 || json_get(doc, root, "qtype") >= 0)
        return PATH_DNS;
    if (json_get(doc, root, "conn_state") >= 0 || json_get(doc, root, "orig_bytes") >= 0)
        return PATH_CONN;
    *name = IH_STR_NONE;
    return PATH_OTHER;
}

/* Reads a scalar as text: strings unescaped, numbers and true/false as written, null as unset. */
static int json_text(ih_read_ctx *ctx, const json_doc *doc, int tok, ih_str *out)
{
    switch (json_type_of(doc, tok)) {
    case IH_JSON_NULL:
        *out = IH_STR_NONE;
        return ZEEK_OK;
    case IH_JSON_STRING:
        *out = ih_read_json_string(ctx, doc, tok);
        return out->ptr ? ZEEK_OK : ZEEK_NOMEM;
    case IH_JSON_ARRAY:
    case IH_JSON_OBJECT:
        return ZEEK_BAD;
    default:
        *out = json_raw(doc, tok);
        return ZEEK_OK;
    }
}

/* Fills v with every used column but answers and TTLs, which stay unset. */
static int json_values(ih_read_ctx *ctx, const json_doc *doc, int root, zeek_values *v)
{
    for (size_t f = 0; f < ZF_COUNT; f++) {
        v->text[f] = IH_STR_NONE;
        int tok = f == ZF_ANSWERS || f == ZF_TTLS ? -1 : json_column(doc, root, f);
        if (tok < 0)
            continue;
        int status = json_text(ctx, doc, tok, &v->text[f]);
        if (status == ZEEK_BAD)
            return bad_value(ctx, "invalid value", f, json_raw(doc, tok));
        if (status != ZEEK_OK)
            return status;
    }
    return ZEEK_OK;
}

/* Returns the array token of a list column, -1 when absent or null, or -2 for another type. */
static int json_list(const json_doc *doc, int root, enum zeek_field f)
{
    int tok = json_column(doc, root, f);

    if (tok < 0 || json_type_of(doc, tok) == IH_JSON_NULL)
        return -1;
    return json_type_of(doc, tok) == IH_JSON_ARRAY ? tok : -2;
}

static int json_answers(ih_read_ctx *ctx, const json_doc *doc, int root, ih_dns *d)
{
    int lists[2] = {json_list(doc, root, ZF_ANSWERS), json_list(doc, root, ZF_TTLS)};
    const enum zeek_field fields[2] = {ZF_ANSWERS, ZF_TTLS};

    for (int i = 0; i < 2; i++) {
        if (lists[i] == -2)
            return bad_value(ctx, "invalid value", fields[i],
                             json_raw(doc, json_column(doc, root, fields[i])));
        if (lists[i] < 0)
            continue;

        int element = json_first_child(doc, lists[i]);
        for (uint32_t n = 0; n < doc->tokens[lists[i]].count; n++) {
            ih_str text;
            int status = json_text(ctx, doc, element, &text);
            if (status == ZEEK_BAD)
                return bad_value(ctx, "invalid value", fields[i], json_raw(doc, element));
            if (status != ZEEK_OK)
                return status;
            if (fields[i] == ZF_ANSWERS)
                add_answer(d, text.ptr ? text : (ih_str){"", 0});
            else if (set_ttl(ctx, d, n, text) != ZEEK_OK)
                return ZEEK_BAD;
            element = json_next(doc, element);
        }
    }
    return ZEEK_OK;
}

static int zeek_json_record(const json_doc *doc, int root, ih_read_ctx *ctx)
{
    ih_str name = IH_STR_NONE;
    enum zeek_path path = json_path(doc, root, &name);

    ctx->origin.format = path == PATH_CONN  ? zeek_conn_json_source
                         : path == PATH_DNS ? zeek_dns_json_source
                                            : zeek_json_source;
    ih_read_count_record(ctx, ctx->origin.format);
    if (path == PATH_OTHER) {
        char reason[64];
        make_skip_reason(name, reason, sizeof(reason));
        ih_read_skip(ctx, reason);
        return 1;
    }

    zeek_values v;
    int status = json_values(ctx, doc, root, &v);
    if (status != ZEEK_OK)
        return status == ZEEK_NOMEM ? -1 : 1;
    if (path == PATH_CONN)
        return emit_conn(ctx, &v);

    ih_dns d;
    if (parse_dns(ctx, &v, &d) != ZEEK_OK)
        return 1;
    status = json_answers(ctx, doc, root, &d);
    if (status != ZEEK_OK)
        return status == ZEEK_NOMEM ? -1 : 1;
    return ih_read_emit_dns(ctx, &d) < 0 ? -1 : 1;
}

const ih_line_reader ih_reader_zeek_tsv = {
    .name = "zeek-tsv",
    .probe = tsv_probe,
    .open = tsv_open,
    .line = tsv_line,
    .close = tsv_close,
    /* Header lines define the columns of the records after them, so a chunk
       cut from the middle of a file cannot be read on its own. */
    .independent_lines = false,
};

const ih_json_layout ih_layout_zeek = {
    .name = "zeek-json",
    .match = zeek_json_match,
    .record = zeek_json_record,
};
