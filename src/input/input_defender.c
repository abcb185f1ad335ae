/*
 * Microsoft Defender for Endpoint DeviceNetworkEvents, in three shapes that
 * carry the same columns: advanced hunting results as JSON lines, the
 * streaming API's records (Event Hubs or a storage account), and the portal's
 * CSV export. Each shape fills a row of column values, and one mapping turns
 * a row into a connection event (docs/sources/defender.md lists the mapping).
 */
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"
#include "../event/timeutil.h"
#include "csv.h"

/* The columns the mapping reads. */
enum column {
    COL_TIMESTAMP,
    COL_DEVICE_ID,
    COL_DEVICE_NAME,
    COL_ACTION_TYPE,
    COL_REMOTE_IP,
    COL_REMOTE_PORT,
    COL_REMOTE_URL,
    COL_LOCAL_IP,
    COL_LOCAL_PORT,
    COL_PROTOCOL,
    COL_PROCESS_FILE_NAME,
    COL_PROCESS_FOLDER_PATH,
    COL_PROCESS_ID,
    COL_ACCOUNT_DOMAIN,
    COL_ACCOUNT_NAME,
    /* Not DeviceNetworkEvents columns: the reference rule sums them, so they are read if present.
     */
    COL_SENT_BYTES,
    COL_RECEIVED_BYTES,
    NCOLUMNS
};

static const char *const column_names[NCOLUMNS] = {
    [COL_TIMESTAMP] = "Timestamp",
    [COL_DEVICE_ID] = "DeviceId",
    [COL_DEVICE_NAME] = "DeviceName",
    [COL_ACTION_TYPE] = "ActionType",
    [COL_REMOTE_IP] = "RemoteIP",
    [COL_REMOTE_PORT] = "RemotePort",
    [COL_REMOTE_URL] = "RemoteUrl",
    [COL_LOCAL_IP] = "LocalIP",
    [COL_LOCAL_PORT] = "LocalPort",
    [COL_PROTOCOL] = "Protocol",
    [COL_PROCESS_FILE_NAME] = "InitiatingProcessFileName",
    [COL_PROCESS_FOLDER_PATH] = "InitiatingProcessFolderPath",
    [COL_PROCESS_ID] = "InitiatingProcessId",
    [COL_ACCOUNT_DOMAIN] = "InitiatingProcessAccountDomain",
    [COL_ACCOUNT_NAME] = "InitiatingProcessAccountName",
    [COL_SENT_BYTES] = "SentBytes",
    [COL_RECEIVED_BYTES] = "ReceivedBytes",
};

/* Source names; counts are keyed by these addresses, so each is used through one pointer. */
static const char defender_json_name[] = "defender-json";
static const char defender_stream_name[] = "defender-stream";
static const char defender_csv_name[] = "defender-csv";

static const char stream_category[] = "AdvancedHunting-DeviceNetworkEvents";

/* A column value as the source wrote it. CSV fields are always VAL_STRING. */
enum value_kind { VAL_ABSENT = 0, VAL_NULL, VAL_STRING, VAL_NUMBER, VAL_OTHER };

typedef struct value {
    uint8_t kind;      /* enum value_kind */
    uint8_t json_type; /* for VAL_OTHER: the JSON type, for the message */
    ih_str text;       /* the string, or the digits of a number */
} value;

typedef struct row {
    value col[NCOLUMNS];
} row;

/* --- Values --- */

/* JSON types in words, indexed by json_type. */
static const char *const json_type_words[] = {"null",     "false",    "true",     "a number",
                                              "a string", "an array", "an object"};

static bool value_empty(const value *v)
{
    return v->kind == VAL_ABSENT || v->kind == VAL_NULL ||
           (v->kind == VAL_STRING && v->text.len == 0);
}

/* Writes v for a message: a string quoted and cut to 60 bytes, control bytes as '?'. */
static void describe_value(const value *v, char *out, size_t cap)
{
    size_t o = 0;

    switch (v->kind) {
    case VAL_ABSENT:
        snprintf(out, cap, "absent");
        return;
    case VAL_NULL:
        snprintf(out, cap, "null");
        return;
    case VAL_OTHER:
        snprintf(out, cap, "%s", json_type_words[v->json_type <= IH_JSON_OBJECT ? v->json_type : 0]);
        return;
    case VAL_NUMBER:
        snprintf(out, cap, "%.*s", (int)(v->text.len > 60 ? 60 : v->text.len), v->text.ptr);
        return;
    }
    out[o++] = '"';
    for (size_t i = 0; i < v->text.len && o + 5 < cap; i++) {
        if (i == 60) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)v->text.ptr[i];
        out[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static void report_value(ih_read_ctx *ctx, enum column col, const value *v, const char *expected)
{
    char reason[64], shown[80];

    snprintf(reason, sizeof(reason), "invalid %s", column_names[col]);
    describe_value(v, shown, sizeof(shown));
    ih_read_bad(ctx, reason, "%s is %s, expected %s", column_names[col], shown, expected);
}

/*
 * Parses decimal digits into *out. Returns false for anything else, including
 * an empty text, a sign, a fraction or a value above max.
 */
static bool parse_decimal(ih_str s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
        unsigned d = (unsigned)(s.ptr[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/*
 * Reads a string column into *out, which is IH_STR_NONE when the column is
 * absent or null. Returns false after reporting a value of another JSON type.
 */
static bool get_string(ih_read_ctx *ctx, const row *r, enum column col, ih_str *out)
{
    const value *v = &r->col[col];

    *out = IH_STR_NONE;
    if (v->kind == VAL_ABSENT || v->kind == VAL_NULL)
        return true;
    if (v->kind != VAL_STRING) {
        report_value(ctx, col, v, "a string");
        return false;
    }
    *out = v->text;
    return true;
}

/*
 * Reads a whole number from 0 to max, written as a JSON number or a string of
 * digits. Absent, null and empty leave *known false. Returns false after
 * reporting any other value.
 */
static bool get_number(ih_read_ctx *ctx, const row *r, enum column col, uint64_t max,
                       const char *expected, uint64_t *out, bool *known)
{
    const value *v = &r->col[col];

    *known = false;
    if (value_empty(v))
        return true;
    if ((v->kind != VAL_STRING && v->kind != VAL_NUMBER) || !parse_decimal(v->text, max, out)) {
        report_value(ctx, col, v, expected);
        return false;
    }
    *known = true;
    return true;
}

static bool get_port(ih_read_ctx *ctx, const row *r, enum column col, int32_t *port)
{
    uint64_t v;
    bool known;

    if (!get_number(ctx, r, col, 65535, "a port number from 0 to 65535", &v, &known))
        return false;
    *port = known ? (int32_t)v : IH_UNKNOWN_PORT;
    return true;
}

static bool get_bytes(ih_read_ctx *ctx, const row *r, enum column col, uint64_t *bytes)
{
    uint64_t v;
    bool known;

    /* UINT64_MAX itself is IH_UNKNOWN_BYTES, so the largest count is one less. */
    if (!get_number(ctx, r, col, UINT64_MAX - 1, "a byte count", &v, &known))
        return false;
    *bytes = known ? v : IH_UNKNOWN_BYTES;
    return true;
}

/* --- The mapping shared by all three shapes --- */

/*
 * Compares ActionType exactly, as KQL's == does, because the reference rule
 * filters on these values. Any other value is kept only by name.
 */
static void map_action(ih_str action, ih_conn *c)
{
    static const struct {
        const char *name;
        uint8_t action, direction;
    } actions[] = {
        {"ConnectionSuccess", IH_ACTION_SUCCESS, IH_DIR_OUTBOUND},
        {"ConnectionAttempt", IH_ACTION_ATTEMPT, IH_DIR_OUTBOUND},
        {"ConnectionFailed", IH_ACTION_FAILED, IH_DIR_OUTBOUND},
        {"InboundConnectionAccepted", IH_ACTION_INBOUND, IH_DIR_INBOUND},
        {"ListeningConnectionCreated", IH_ACTION_LISTENING, IH_DIR_UNKNOWN},
    };

    c->action_name = action;
    if (!ih_str_known(action))
        return;
    c->action = IH_ACTION_OTHER;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strlen(actions[i].name) == action.len &&
            memcmp(actions[i].name, action.ptr, action.len) == 0) {
            c->action = actions[i].action;
            c->direction = actions[i].direction;
            return;
        }
    }
}

static bool prefix_nocase(ih_str s, const char *prefix)
{
    size_t n = strlen(prefix);

    if (s.len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != prefix[i])
            return false;
    }
    return true;
}

/* Defender writes Tcp, Udp and Icmp, and for listening sockets TcpV4, TcpV6 and the like. */
static uint8_t map_protocol(ih_str p)
{
    if (!ih_str_known(p) || p.len == 0)
        return IH_PROTO_UNKNOWN;
    if (prefix_nocase(p, "tcp"))
        return IH_PROTO_TCP;
    if (prefix_nocase(p, "udp"))
        return IH_PROTO_UDP;
    if (prefix_nocase(p, "icmp"))
        return IH_PROTO_ICMP;
    return IH_PROTO_OTHER;
}

/* Joins domain and account name as DOMAIN\name, or gives the name alone when there is no domain. */
static bool map_user(ih_read_ctx *ctx, ih_str domain, ih_str name, ih_str *user)
{
    *user = IH_STR_NONE;
    if (!ih_str_known(name) || name.len == 0)
        return true;
    if (!ih_str_known(domain) || domain.len == 0) {
        *user = name;
        return true;
    }
    char *buf = ih_read_alloc(ctx, domain.len + 1 + name.len);
    if (!buf)
        return false;
    memcpy(buf, domain.ptr, domain.len);
    buf[domain.len] = '\\';
    memcpy(buf + domain.len + 1, name.ptr, name.len);
    *user = (ih_str){buf, domain.len + 1 + name.len};
    return true;
}

static bool map_time(ih_read_ctx *ctx, const row *r, ih_time *t)
{
    const value *v = &r->col[COL_TIMESTAMP];

    if (value_empty(v)) {
        ih_read_bad(ctx, "missing Timestamp", "the record has no Timestamp value");
        return false;
    }
    if (v->kind != VAL_STRING || ih_time_parse_iso(v->text.ptr, v->text.len, t) != 0) {
        report_value(ctx, COL_TIMESTAMP, v,
                     "an ISO 8601 time such as 2024-05-01T10:23:45.1234567Z");
        return false;
    }
    return true;
}

/* Parses an address column. Text that is no address leaves the family IH_AF_NONE. */
static void map_addr(ih_str text, ih_addr *addr)
{
    if (ih_str_known(text) && text.len > 0)
        ih_addr_parse(text.ptr, text.len, addr);
}

enum map_result { MAP_OK, MAP_BAD, MAP_NO_MEMORY };

/* Fills c from r. Returns MAP_BAD after reporting the record as bad. */
static enum map_result map_row(ih_read_ctx *ctx, const row *r, ih_conn *c)
{
    ih_str action, local_ip, domain, name;
    uint64_t pid;
    bool pid_known;

    ih_conn_init(c);
    if (!map_time(ctx, r, &c->time))
        return MAP_BAD;

    if (!get_string(ctx, r, COL_DEVICE_ID, &c->device_id) ||
        !get_string(ctx, r, COL_DEVICE_NAME, &c->device_name) ||
        !get_string(ctx, r, COL_ACTION_TYPE, &action) ||
        !get_string(ctx, r, COL_REMOTE_IP, &c->remote_ip_text) ||
        !get_string(ctx, r, COL_REMOTE_URL, &c->remote_name) ||
        !get_string(ctx, r, COL_LOCAL_IP, &local_ip) ||
        !get_string(ctx, r, COL_PROCESS_FILE_NAME, &c->process_name) ||
        !get_string(ctx, r, COL_PROCESS_FOLDER_PATH, &c->process_path) ||
        !get_string(ctx, r, COL_ACCOUNT_DOMAIN, &domain) ||
        !get_string(ctx, r, COL_ACCOUNT_NAME, &name))
        return MAP_BAD;

    ih_str protocol;
    if (!get_string(ctx, r, COL_PROTOCOL, &protocol) ||
        !get_port(ctx, r, COL_REMOTE_PORT, &c->remote_port) ||
        !get_port(ctx, r, COL_LOCAL_PORT, &c->local_port) ||
        !get_number(ctx, r, COL_PROCESS_ID, INT64_MAX, "a process id", &pid, &pid_known) ||
        !get_bytes(ctx, r, COL_SENT_BYTES, &c->bytes_sent) ||
        !get_bytes(ctx, r, COL_RECEIVED_BYTES, &c->bytes_received))
        return MAP_BAD;

    /* A projection without DeviceId still groups by device through its name. */
    if (r->col[COL_DEVICE_ID].kind == VAL_ABSENT)
        c->device_id = c->device_name;
    map_action(action, c);
    c->protocol = map_protocol(protocol);
    map_addr(c->remote_ip_text, &c->remote_addr);
    map_addr(local_ip, &c->local_addr);
    if (pid_known)
        c->process_id = (int64_t)pid;
    if (!map_user(ctx, domain, name, &c->user))
        return MAP_NO_MEMORY;
    return MAP_OK;
}

/* Maps and delivers one row. Returns 1, or -1 when reading must stop. */
static int emit_row(ih_read_ctx *ctx, const row *r)
{
    ih_conn c;

    switch (map_row(ctx, r, &c)) {
    case MAP_BAD:
        return 1;
    case MAP_NO_MEMORY:
        return -1;
    case MAP_OK:
        break;
    }
    return ih_read_emit_conn(ctx, &c) < 0 ? -1 : 1;
}

/* --- JSON: advanced hunting results and streaming records --- */

/* The column named by object key token key, or -1. */
static int column_of_key(const json_doc *doc, int key)
{
    char buf[64];
    ih_str k = json_string(doc, key, buf, sizeof(buf));

    if (!k.ptr || k.len == 0)
        return -1;
    for (int c = 0; c < NCOLUMNS; c++)
        if (column_names[c][0] == k.ptr[0] && strlen(column_names[c]) == k.len &&
            memcmp(column_names[c], k.ptr, k.len) == 0)
            return c;
    return -1;
}

/* Fills r from the members of object obj in one pass. The first of duplicate keys wins. */
static bool row_from_json(ih_read_ctx *ctx, const json_doc *doc, int obj, row *r)
{
    int key = obj + 1;

    memset(r, 0, sizeof(*r));
    for (uint32_t i = 0; i < doc->tokens[obj].count; i++) {
        int val = key + 1;
        int col = column_of_key(doc, key);
        key = json_next(doc, val);
        if (col < 0 || r->col[col].kind != VAL_ABSENT)
            continue;

        value *v = &r->col[col];
        switch (json_type_of(doc, val)) {
        case IH_JSON_NULL:
            v->kind = VAL_NULL;
            break;
        case IH_JSON_STRING:
            v->kind = VAL_STRING;
            v->text = ih_read_json_string(ctx, doc, val);
            if (!v->text.ptr)
                return false; /* out of record memory */
            break;
        case IH_JSON_NUMBER:
            v->kind = VAL_NUMBER;
            v->text = json_raw(doc, val);
            break;
        default:
            v->kind = VAL_OTHER;
            v->json_type = (uint8_t)json_type_of(doc, val);
            break;
        }
    }
    return true;
}

static bool defender_match(const json_doc *doc, int root)
{
    return json_get(doc, root, "ActionType") >= 0 &&
           (json_get(doc, root, "RemoteIP") >= 0 || json_get(doc, root, "DeviceName") >= 0);
}

static int defender_record(const json_doc *doc, int root, ih_read_ctx *ctx)
{
    row r;

    ctx->origin.format = defender_json_name;
    ih_read_count_record(ctx, defender_json_name);
    if (!row_from_json(ctx, doc, root, &r))
        return -1;
    return emit_row(ctx, &r);
}

const ih_json_layout ih_layout_defender = {
    .name = defender_json_name,
    .match = defender_match,
    .record = defender_record,
};

static bool is_string_with_prefix(const json_doc *doc, int tok, const char *prefix)
{
    if (tok < 0 || json_type_of(doc, tok) != IH_JSON_STRING)
        return false;
    ih_str s = json_raw(doc, tok);
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

/* A single streaming record: {"time", "tenantId", "category", "properties": {...}}. */
static bool is_stream_record(const json_doc *doc, int obj)
{
    if (json_type_of(doc, obj) != IH_JSON_OBJECT)
        return false;
    int props = json_get(doc, obj, "properties");
    return props >= 0 && json_type_of(doc, props) == IH_JSON_OBJECT &&
           is_string_with_prefix(doc, json_get(doc, obj, "category"), "AdvancedHunting-");
}

/* Either {"records": [record, ...]} whose first record is a hunting table's, or one record. */
static bool stream_match(const json_doc *doc, int root)
{
    int records = json_get(doc, root, "records");

    if (records < 0)
        return is_stream_record(doc, root);
    if (json_type_of(doc, records) != IH_JSON_ARRAY)
        return false;
    int first = json_first_child(doc, records);
    return first >= 0 && is_stream_record(doc, first);
}

/* Reads one element of a streaming line, at position index of "records" (0 for a single record). */
static int stream_one(const json_doc *doc, int rec, size_t index, ih_read_ctx *ctx)
{
    row r;

    ih_read_count_record(ctx, defender_stream_name);
    if (json_type_of(doc, rec) != IH_JSON_OBJECT) {
        ih_read_bad(ctx, "invalid streaming record", "record %zu of \"records\" is %s", index,
                    json_type_words[json_type_of(doc, rec)]);
        return 1;
    }

    ih_str category = ih_read_json_string(ctx, doc, json_get(doc, rec, "category"));
    if (!category.ptr) {
        ih_read_bad(ctx, "invalid streaming record", "record %zu has no \"category\" string",
                    index);
        return 1;
    }
    if (category.len != strlen(stream_category) ||
        memcmp(category.ptr, stream_category, category.len) != 0) {
        char reason[128];
        snprintf(reason, sizeof(reason), "defender table not used: %.*s",
                 (int)(category.len > 80 ? 80 : category.len), category.ptr);
        ih_read_skip(ctx, reason);
        return 1;
    }

    int props = json_get(doc, rec, "properties");
    if (props < 0 || json_type_of(doc, props) != IH_JSON_OBJECT) {
        ih_read_bad(ctx, "invalid streaming record", "record %zu has no \"properties\" object",
                    index);
        return 1;
    }
    if (!row_from_json(ctx, doc, props, &r))
        return -1;
    return emit_row(ctx, &r);
}

static int stream_record(const json_doc *doc, int root, ih_read_ctx *ctx)
{
    int records = json_get(doc, root, "records");
    int result = 0;

    ctx->origin.format = defender_stream_name;
    if (records < 0)
        return stream_one(doc, root, 0, ctx);

    int rec = json_first_child(doc, records);
    for (uint32_t i = 0; i < doc->tokens[records].count; i++) {
        if (stream_one(doc, rec, i, ctx) < 0)
            return -1;
        result = 1;
        rec = json_next(doc, rec);
    }
    return result;
}

const ih_json_layout ih_layout_defender_stream = {
    .name = defender_stream_name,
    .match = stream_match,
    .record = stream_record,
};

/* --- CSV: the portal's advanced hunting export --- */

static const char utf8_bom[] = "\xEF\xBB\xBF";

/* Per-stream state: the header's column positions and a record that spans lines. */
typedef struct csv_stream {
    bool started; /* a line was seen, so a byte order mark can no longer come */
    bool have_header;
    bool header_bad;          /* the header could not be split, so rows cannot be mapped */
    size_t ncols;             /* fields in the header */
    long col_index[NCOLUMNS]; /* header position of each mapped column, or -1 */

    csv_state state; /* quoting state of the record being assembled */
    char *rec;       /* the record so far, lines joined by '\n', when it spans lines */
    size_t rec_len, rec_cap;
    bool rec_too_long;             /* the record passed IH_MAX_LINE: skip to its end */
    uint64_t rec_line, rec_offset; /* origin of the record's first line */

    char *out; /* unescaped field contents of the current record */
    size_t out_cap;
    ih_str *fields;
    size_t fields_cap;
} csv_stream;

static bool grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t cap2 = *cap ? *cap : 256;
    while (cap2 < need)
        cap2 *= 2;
    char *p = realloc(*buf, cap2);
    if (!p)
        return false;
    *buf = p;
    *cap = cap2;
    return true;
}

/* Splits text into s->fields. Returns the field count, -1 on bad quoting, -2 out of memory. */
static long split_record(csv_stream *s, const char *text, size_t len, csv_error *err)
{
    if (!grow(&s->out, &s->out_cap, len + 1))
        return -2;
    for (;;) {
        long n = csv_split(text, len, s->out, s->fields, s->fields_cap, err);
        if (n < 0 || (size_t)n <= s->fields_cap)
            return n;
        ih_str *f = realloc(s->fields, (size_t)n * sizeof(*f));
        if (!f)
            return -2;
        s->fields = f;
        s->fields_cap = (size_t)n;
    }
}

static int read_header(csv_stream *s, const char *text, size_t len, ih_read_ctx *ctx)
{
    csv_error err;
    long n = split_record(s, text, len, &err);

    if (n == -2)
        return -1;
    s->have_header = true;
    if (n < 0) {
        s->header_bad = true;
        ih_read_bad(ctx, "invalid CSV header", "byte %zu: %s", err.offset + 1, err.reason);
        return 0;
    }
    s->ncols = (size_t)n;
    for (int c = 0; c < NCOLUMNS; c++) {
        s->col_index[c] = -1;
        for (size_t i = 0; i < s->ncols; i++) {
            ih_str f = s->fields[i];
            if (strlen(column_names[c]) == f.len && memcmp(column_names[c], f.ptr, f.len) == 0) {
                s->col_index[c] = (long)i;
                break;
            }
        }
    }
    return 0;
}

static int read_row(csv_stream *s, const char *text, size_t len, ih_read_ctx *ctx)
{
    csv_error err;
    row r;

    ih_read_count_record(ctx, defender_csv_name);
    if (s->header_bad) {
        ih_read_bad(ctx, "no valid CSV header", "the header line could not be read");
        return 1;
    }
    long n = split_record(s, text, len, &err);
    if (n == -2)
        return -1;
    if (n < 0) {
        ih_read_bad(ctx, "invalid CSV quoting", "byte %zu: %s", err.offset + 1, err.reason);
        return 1;
    }
    if ((size_t)n != s->ncols) {
        ih_read_bad(ctx, "wrong column count", "%ld fields, the header has %zu", n, s->ncols);
        return 1;
    }

    memset(&r, 0, sizeof(r));
    for (int c = 0; c < NCOLUMNS; c++) {
        if (s->col_index[c] < 0)
            continue;
        r.col[c].kind = VAL_STRING;
        r.col[c].text = s->fields[s->col_index[c]];
    }
    return emit_row(ctx, &r);
}

static int read_record(csv_stream *s, const char *text, size_t len, ih_read_ctx *ctx)
{
    if (!s->have_header)
        return read_header(s, text, len, ctx);
    return read_row(s, text, len, ctx);
}

/* Appends a line of a record that spans lines, keeping the record within IH_MAX_LINE. */
static int append_line(csv_stream *s, const char *line, size_t len, bool more, ih_read_ctx *ctx)
{
    if (s->rec_too_long)
        return 0;
    if (s->rec_len + len + 1 > IH_MAX_LINE) {
        uint64_t line_no = ctx->origin.line, offset = ctx->origin.offset;
        ctx->origin.line = s->rec_line;
        ctx->origin.offset = s->rec_offset;
        ih_read_count_record(ctx, defender_csv_name);
        ih_read_bad(ctx, "record too long",
                    "a quoted field makes the record longer than %u bytes; skipped", IH_MAX_LINE);
        ctx->origin.line = line_no;
        ctx->origin.offset = offset;
        s->rec_too_long = true;
        s->rec_len = 0;
        return 0;
    }
    if (!grow(&s->rec, &s->rec_cap, s->rec_len + len + 1))
        return -1;
    memcpy(s->rec + s->rec_len, line, len);
    s->rec_len += len;
    if (more)
        s->rec[s->rec_len++] = '\n';
    return 0;
}

/*
 * Takes one line. The framework strips the line's "\n" and a trailing "\r",
 * so a line break inside a quoted field is read back as a single "\n".
 */
static int csv_line(void *state, const char *line, size_t len, ih_read_ctx *ctx)
{
    csv_stream *s = state;

    ctx->origin.format = defender_csv_name;
    if (!s->started) {
        s->started = true;
        if (len >= 3 && memcmp(line, utf8_bom, 3) == 0) {
            line += 3;
            len -= 3;
        }
    }

    /* The common case: a record on one line, read in place. */
    if (s->state == CSV_FIELD_START && s->rec_len == 0 && !s->rec_too_long) {
        if (len == 0)
            return 0;
        csv_state end = csv_scan(CSV_FIELD_START, line, len);
        if (end != CSV_QUOTED)
            return read_record(s, line, len, ctx);
        s->state = end;
        s->rec_line = ctx->origin.line;
        s->rec_offset = ctx->origin.offset;
        return append_line(s, line, len, true, ctx);
    }

    /* A line that continues a quoted field. */
    s->state = csv_scan(s->state, line, len);
    bool more = s->state == CSV_QUOTED;
    if (append_line(s, line, len, more, ctx) < 0)
        return -1;
    if (more)
        return 0;

    s->state = CSV_FIELD_START;
    if (s->rec_too_long) {
        s->rec_too_long = false;
        return 1;
    }
    uint64_t line_no = ctx->origin.line, offset = ctx->origin.offset;
    ctx->origin.line = s->rec_line;
    ctx->origin.offset = s->rec_offset;
    int rc = read_record(s, s->rec, s->rec_len, ctx);
    ctx->origin.line = line_no;
    ctx->origin.offset = offset;
    s->rec_len = 0;
    return rc;
}

static void *csv_open(ih_read_ctx *ctx)
{
    (void)ctx;
    return calloc(1, sizeof(csv_stream));
}

static void csv_close(void *state, ih_read_ctx *ctx)
{
    csv_stream *s = state;

    if (s->state == CSV_QUOTED && !s->rec_too_long) {
        ctx->origin.format = defender_csv_name;
        ctx->origin.line = s->rec_line;
        ctx->origin.offset = s->rec_offset;
        ih_read_count_record(ctx, defender_csv_name);
        ih_read_bad(ctx, "unterminated quoted field",
                    "the input ends inside a quoted field of the record that starts here");
    }
    free(s->rec);
    free(s->out);
    free(s->fields);
    free(s);
}

/* Confidence that head starts with an export header naming Timestamp, ActionType and RemoteIP. */
static int csv_probe(const char *head, size_t len)
{
    enum { MAX_PROBE_FIELDS = 1024 };
    bool found[3] = {false, false, false};
    static const char *const wanted[3] = {"Timestamp", "ActionType", "RemoteIP"};
    csv_error err;

    if (len >= 3 && memcmp(head, utf8_bom, 3) == 0) {
        head += 3;
        len -= 3;
    }
    const char *nl = memchr(head, '\n', len);
    if (nl)
        len = (size_t)(nl - head);
    if (len > 0 && head[len - 1] == '\r')
        len--;

    char *out = malloc(len + 1);
    ih_str *fields = malloc(MAX_PROBE_FIELDS * sizeof(*fields));
    long n = out && fields ? csv_split(head, len, out, fields, MAX_PROBE_FIELDS, &err) : -1;
    for (long i = 0; i < n && i < MAX_PROBE_FIELDS; i++)
        for (int w = 0; w < 3; w++)
            if (fields[i].len == strlen(wanted[w]) &&
                memcmp(fields[i].ptr, wanted[w], fields[i].len) == 0)
                found[w] = true;
    free(out);
    free(fields);
    return found[0] && found[1] && found[2] ? 90 : 0;
}

const ih_line_reader ih_reader_defender_csv = {
    .name = defender_csv_name,
    .probe = csv_probe,
    .open = csv_open,
    .line = csv_line,
    .close = csv_close,
    .independent_lines = false,
};
