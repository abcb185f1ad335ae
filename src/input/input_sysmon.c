/*
 * Sysmon network events from Windows event logs exported as JSON lines:
 * event ID 3 (network connection) becomes a connection event and event ID 22
 * (DNS query) a DNS event. Three layouts are read:
 *
 *   flat (nxlog)       EventID, Channel, Hostname and the event fields at the top level
 *   winlogbeat 6       event_id, log_name, computer_name, fields under event_data
 *   ECS (winlogbeat 7+) winlog.event_id, winlog.channel, winlog.computer_name and
 *                      fields under winlog.event_data; where winlogbeat's Sysmon
 *                      module moved a field to ECS (source.ip, dns.question.name,
 *                      ...), the ECS field is read instead
 *
 * Records of other channels and other Sysmon event IDs are counted as
 * skipped, so whole host logs can be read. This file finds the fields in
 * each layout; sysmon_map.c, shared with the EVTX reader, maps them to
 * events. docs/sources/sysmon.md lists the field mapping.
 */
#include "input.h"

#include <stdio.h>
#include <string.h>

#include "sysmon_map.h"

static const char sysmon_name[] = "sysmon-json";

enum layout { LAYOUT_FLAT, LAYOUT_WINLOGBEAT, LAYOUT_ECS };

/* One record and where its event fields are. */
typedef struct record {
    const json_doc *doc;
    int root;
    enum layout layout;
    int data; /* the object with the Sysmon fields, or -1 */
} record;

/* Where winlogbeat's Sysmon module puts the fields it moves out of winlog.event_data. */
static const struct {
    const char *field;
    const char *ecs;
} ecs_fields[] = {
    {"UtcTime", "@timestamp"},
    {"ProcessId", "process.pid"},
    {"Image", "process.executable"},
    {"Protocol", "network.transport"},
    {"SourceIp", "source.ip"},
    {"SourcePort", "source.port"},
    {"SourceHostname", "source.domain"},
    {"DestinationIp", "destination.ip"},
    {"DestinationPort", "destination.port"},
    {"DestinationHostname", "destination.domain"},
    {"QueryName", "dns.question.name"},
    {"QueryStatus", "sysmon.dns.status"},
};

/* Looks up a dotted ECS name written either nested ({"source": {"ip": ...}}) or flat ("source.ip").
 */
static int get_ecs(const json_doc *doc, int root, const char *path)
{
    int tok = json_get(doc, root, path);
    return tok >= 0 ? tok : json_get_path(doc, root, path);
}

/* The token of Sysmon field name in rec, or -1. */
static int field(const record *rec, const char *name)
{
    int tok = json_get(rec->doc, rec->data, name);

    if (tok >= 0 || rec->layout != LAYOUT_ECS)
        return tok;
    for (size_t i = 0; i < sizeof(ecs_fields) / sizeof(ecs_fields[0]); i++)
        if (strcmp(ecs_fields[i].field, name) == 0)
            return get_ecs(rec->doc, rec->root, ecs_fields[i].ecs);
    return -1;
}

/*
 * Reads token tok as text: a string unescaped, a number as its digits, true
 * or false as those words. *out is IH_STR_NONE for an absent token or null.
 * Returns false after reporting an object or array, or when record memory
 * ran out (then *no_memory is set).
 */
static bool token_text(ih_read_ctx *ctx, const json_doc *doc, int tok, const char *name,
                       ih_str *out, bool *no_memory)
{
    *out = IH_STR_NONE;
    if (tok < 0)
        return true;
    switch (json_type_of(doc, tok)) {
    case IH_JSON_NULL:
        return true;
    case IH_JSON_FALSE:
        *out = IH_STR_LIT("false");
        return true;
    case IH_JSON_TRUE:
        *out = IH_STR_LIT("true");
        return true;
    case IH_JSON_NUMBER:
        *out = json_raw(doc, tok);
        return true;
    case IH_JSON_STRING:
        *out = ih_read_json_string(ctx, doc, tok);
        *no_memory = out->ptr == NULL;
        return out->ptr != NULL;
    default:
        ih_read_bad(ctx, "wrong value type", "%s is %s, expected a string or number", name,
                    json_type_of(doc, tok) == IH_JSON_ARRAY ? "an array" : "an object");
        return false;
    }
}

/* The result of token_text() as a field result. */
static enum ih_field_result read_token(ih_read_ctx *ctx, const json_doc *doc, int tok,
                                       const char *name, ih_str *out)
{
    bool no_memory = false;

    if (token_text(ctx, doc, tok, name, out, &no_memory))
        return IH_FIELD_OK;
    return no_memory ? IH_FIELD_NO_MEMORY : IH_FIELD_BAD;
}

/* --- Access for the shared mapping --- */

static enum ih_field_result json_field_text(void *rec_data, ih_read_ctx *ctx,
                                            enum ih_sysmon_field f, ih_str *out)
{
    const record *rec = rec_data;
    const char *name = ih_sysmon_field_names[f];

    return read_token(ctx, rec->doc, field(rec, name), name, out);
}

/* The computer that logged the event, by the first name each layout uses. */
static enum ih_field_result json_computer(void *rec_data, ih_read_ctx *ctx, ih_str *device)
{
    static const char *const names[] = {"winlog.computer_name", "computer_name", "Computer",
                                        "Hostname"};
    const record *rec = rec_data;
    enum ih_field_result fr;

    *device = IH_STR_NONE;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !device->ptr; i++) {
        int tok = get_ecs(rec->doc, rec->root, names[i]);
        if ((fr = read_token(ctx, rec->doc, tok, names[i], device)) != IH_FIELD_OK)
            return fr;
    }
    /* In winlogbeat 6 host.name is the forwarding collector, so only ECS reads it. */
    if (!device->ptr && rec->layout == LAYOUT_ECS)
        return read_token(ctx, rec->doc, get_ecs(rec->doc, rec->root, "host.name"), "host.name",
                          device);
    return IH_FIELD_OK;
}

/*
 * Finds "ProcessId: N" in the rendered message. Some nxlog exports write the
 * sender's own "ProcessID" key, whose name differs only in case, and lose the
 * event's ProcessId; the message still has it. Returns -1 when not found.
 */
static int64_t process_id_from_message(void *rec_data)
{
    static const char marker[] = "\\nProcessId: "; /* the JSON escape of a line break */
    const record *rec = rec_data;
    int tok = json_get(rec->doc, rec->root, "Message");

    if (tok < 0)
        tok = json_get(rec->doc, rec->root, "message");
    if (tok < 0 || json_type_of(rec->doc, tok) != IH_JSON_STRING)
        return -1;

    ih_str m = json_raw(rec->doc, tok);
    const char *hit = memmem(m.ptr, m.len, marker, sizeof(marker) - 1);
    if (!hit)
        return -1;
    const char *p = hit + sizeof(marker) - 1, *end = m.ptr + m.len;
    size_t n = 0;
    while (p + n < end && p[n] >= '0' && p[n] <= '9')
        n++;
    uint64_t v;
    return ih_sysmon_parse_decimal((ih_str){p, n}, INT64_MAX, &v) ? (int64_t)v : -1;
}

/* User is DOMAIN\name; winlogbeat's Sysmon module splits it into user.domain and user.name. */
static enum ih_field_result ecs_user(void *rec_data, ih_read_ctx *ctx, ih_str *user)
{
    const record *rec = rec_data;
    ih_str domain, name;
    enum ih_field_result fr;

    if (rec->layout != LAYOUT_ECS)
        return IH_FIELD_OK;
    if ((fr = read_token(ctx, rec->doc, get_ecs(rec->doc, rec->root, "user.domain"),
                         "user.domain", &domain)) != IH_FIELD_OK ||
        (fr = read_token(ctx, rec->doc, get_ecs(rec->doc, rec->root, "user.name"), "user.name",
                         &name)) != IH_FIELD_OK)
        return fr;
    if (!name.ptr || name.len == 0)
        return IH_FIELD_OK;
    if (!domain.ptr || domain.len == 0) {
        *user = name;
        return IH_FIELD_OK;
    }
    char *buf = ih_read_alloc(ctx, domain.len + 1 + name.len);
    if (!buf)
        return IH_FIELD_NO_MEMORY;
    memcpy(buf, domain.ptr, domain.len);
    buf[domain.len] = '\\';
    memcpy(buf + domain.len + 1, name.ptr, name.len);
    *user = (ih_str){buf, domain.len + 1 + name.len};
    return IH_FIELD_OK;
}

/* The ECS layout may carry Initiated as network.direction: egress or outbound, ingress or inbound. */
static enum ih_field_result ecs_initiated(void *rec_data, ih_read_ctx *ctx, int *initiated)
{
    const record *rec = rec_data;
    ih_str s;
    enum ih_field_result fr;

    if (rec->layout != LAYOUT_ECS)
        return IH_FIELD_OK;
    int tok = get_ecs(rec->doc, rec->root, "network.direction");
    if ((fr = read_token(ctx, rec->doc, tok, "network.direction", &s)) != IH_FIELD_OK)
        return fr;
    if (ih_sysmon_text_equal_nocase(s, "egress") || ih_sysmon_text_equal_nocase(s, "outbound"))
        *initiated = 1;
    else if (ih_sysmon_text_equal_nocase(s, "ingress") ||
             ih_sysmon_text_equal_nocase(s, "inbound"))
        *initiated = 0;
    return IH_FIELD_OK;
}

/* dns.answers as winlogbeat's Sysmon module writes it: [{"type": "CNAME", "data": "..."}]. */
static enum ih_field_result ecs_answers(void *rec_data, ih_read_ctx *ctx, ih_dns *d)
{
    const record *rec = rec_data;
    const json_doc *doc = rec->doc;

    if (rec->layout != LAYOUT_ECS)
        return IH_FIELD_OK;
    int answers = get_ecs(doc, rec->root, "dns.answers");
    if (answers < 0 || json_type_of(doc, answers) != IH_JSON_ARRAY)
        return IH_FIELD_OK;
    int a = json_first_child(doc, answers);
    for (uint32_t i = 0; i < doc->tokens[answers].count; i++, a = json_next(doc, a)) {
        if (json_type_of(doc, a) != IH_JSON_OBJECT)
            continue;
        ih_str type = ih_read_json_string(ctx, doc, json_get(doc, a, "type"));
        ih_str data = ih_read_json_string(ctx, doc, json_get(doc, a, "data"));
        ih_addr addr;
        if (!data.ptr)
            continue;
        if (ih_sysmon_text_equal_nocase(type, "A") || ih_sysmon_text_equal_nocase(type, "AAAA")) {
            if (!ih_sysmon_parse_answer_addr(data, &addr)) {
                ih_sysmon_report_text(ctx, "dns.answers", data, "an IPv4 or IPv6 address");
                return IH_FIELD_BAD;
            }
            ih_sysmon_add_answer(d, IH_ANSWER_ADDR, &addr, data);
        } else {
            ih_sysmon_add_answer(d,
                                 ih_sysmon_text_equal_nocase(type, "CNAME") ? IH_ANSWER_CNAME
                                                                            : IH_ANSWER_OTHER,
                                 NULL, data);
        }
    }
    return IH_FIELD_OK;
}

static const ih_sysmon_access json_access = {
    .text = json_field_text,
    .computer = json_computer,
    .process_id_fallback = process_id_from_message,
    .user_fallback = ecs_user,
    .initiated_fallback = ecs_initiated,
    .answers_fallback = ecs_answers,
};

/* --- The layout --- */

/*
 * Accepts any Windows event log record of the three layouts, Sysmon or not,
 * so that records of other channels are counted as skipped rather than as
 * unrecognized.
 */
static bool sysmon_match(const json_doc *doc, int root)
{
    if (json_get(doc, root, "EventID") >= 0 &&
        (json_get(doc, root, "Channel") >= 0 || json_get(doc, root, "SourceName") >= 0))
        return true;
    if (json_get(doc, root, "event_id") >= 0 &&
        (json_get(doc, root, "log_name") >= 0 || json_get(doc, root, "source_name") >= 0))
        return true;
    int winlog = json_get(doc, root, "winlog");
    return winlog >= 0 && json_type_of(doc, winlog) == IH_JSON_OBJECT &&
           (json_get(doc, winlog, "event_id") >= 0 || json_get(doc, winlog, "channel") >= 0);
}

static void find_layout(const json_doc *doc, int root, record *rec)
{
    rec->doc = doc;
    rec->root = root;
    int winlog = json_get(doc, root, "winlog");
    if (winlog >= 0 && json_type_of(doc, winlog) == IH_JSON_OBJECT) {
        rec->layout = LAYOUT_ECS;
        rec->data = json_get(doc, winlog, "event_data");
    } else if (json_get(doc, root, "event_id") >= 0) {
        rec->layout = LAYOUT_WINLOGBEAT;
        rec->data = json_get(doc, root, "event_data");
    } else {
        rec->layout = LAYOUT_FLAT;
        rec->data = root;
    }
}

static bool string_is(const json_doc *doc, int tok, const char *lit)
{
    if (tok < 0 || json_type_of(doc, tok) != IH_JSON_STRING)
        return false;
    return ih_sysmon_text_equal_nocase(json_raw(doc, tok), lit);
}

/* True for the Sysmon channel, and for Sysmon's provider in another channel (ForwardedEvents). */
static bool is_sysmon(const record *rec)
{
    static const char *const channels[] = {"Channel", "log_name", "winlog.channel"};
    static const char *const providers[] = {"SourceName", "source_name", "winlog.provider_name",
                                            "event.provider"};

    for (size_t i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
        if (string_is(rec->doc, get_ecs(rec->doc, rec->root, channels[i]),
                      "Microsoft-Windows-Sysmon/Operational"))
            return true;
    for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
        if (string_is(rec->doc, get_ecs(rec->doc, rec->root, providers[i]),
                      "Microsoft-Windows-Sysmon"))
            return true;
    return false;
}

/* Reads the event ID; false after reporting a value that is no event ID. */
static bool get_event_id(ih_read_ctx *ctx, const record *rec, int64_t *eid)
{
    static const char *const names[] = {"EventID", "event_id", "winlog.event_id", "event.code"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int tok = get_ecs(rec->doc, rec->root, names[i]);
        if (tok < 0)
            continue;
        if (json_int64(rec->doc, tok, eid) == 0 && *eid >= 0 && *eid <= 65535)
            return true;
        bool no_memory = false;
        ih_str s;
        if (token_text(ctx, rec->doc, tok, names[i], &s, &no_memory))
            ih_sysmon_report_text(ctx, names[i], s.ptr ? s : IH_STR_LIT("null"), "an event ID");
        return false;
    }
    ih_read_bad(ctx, "missing EventID", "the record has no event ID");
    return false;
}

static int sysmon_record(const json_doc *doc, int root, ih_read_ctx *ctx)
{
    record rec;
    int64_t eid;

    ctx->origin.format = sysmon_name;
    ih_read_count_record(ctx, sysmon_name);
    find_layout(doc, root, &rec);
    if (!is_sysmon(&rec)) {
        ih_read_skip(ctx, "not a Sysmon event");
        return 1;
    }
    if (!get_event_id(ctx, &rec, &eid))
        return 1;
    if (eid != 3 && eid != 22) {
        ih_read_skip(ctx, "not a Sysmon network event");
        return 1;
    }
    return ih_sysmon_map_event(ctx, &json_access, &rec, eid);
}

const ih_json_layout ih_layout_sysmon = {
    .name = sysmon_name,
    .match = sysmon_match,
    .record = sysmon_record,
};
