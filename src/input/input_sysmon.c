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
 * skipped, so whole host logs can be read. docs/sources/sysmon.md lists the
 * field mapping.
 */
#include "input.h"

#include <stdio.h>
#include <string.h>

#include "../event/addr.h"
#include "../event/timeutil.h"

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

/* --- Values --- */

/* Writes s for a message: quoted, cut to 60 bytes, control bytes as '?'. */
static void describe_text(ih_str s, char *out, size_t cap)
{
    size_t o = 0;

    out[o++] = '"';
    for (size_t i = 0; i < s.len && o + 5 < cap; i++) {
        if (i == 60) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)s.ptr[i];
        out[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static void report_text(ih_read_ctx *ctx, const char *name, ih_str s, const char *expected)
{
    char reason[64], shown[80];

    snprintf(reason, sizeof(reason), "invalid %s", name);
    describe_text(s, shown, sizeof(shown));
    ih_read_bad(ctx, reason, "%s is %s, expected %s", name, shown, expected);
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

/* Sysmon writes "-" for a value it does not have. */
static ih_str dash_to_unknown(ih_str s)
{
    if (s.ptr && s.len == 1 && s.ptr[0] == '-')
        return IH_STR_NONE;
    return s;
}

static bool text_equal_nocase(ih_str s, const char *lit)
{
    size_t n = strlen(lit);

    if (!s.ptr || s.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s.ptr[i], b = lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

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

/* The outcome of reading one field: read, bad (reported), or out of record memory. */
enum field_result { FIELD_OK, FIELD_BAD, FIELD_NO_MEMORY };

static enum field_result get_text(ih_read_ctx *ctx, const record *rec, const char *name,
                                  ih_str *out)
{
    bool no_memory = false;

    if (token_text(ctx, rec->doc, field(rec, name), name, out, &no_memory))
        return FIELD_OK;
    return no_memory ? FIELD_NO_MEMORY : FIELD_BAD;
}

/* Reads a port. Empty and "-" are unknown. */
static enum field_result get_port(ih_read_ctx *ctx, const record *rec, const char *name,
                                  int32_t *port)
{
    ih_str s;
    uint64_t v;
    enum field_result fr = get_text(ctx, rec, name, &s);

    *port = IH_UNKNOWN_PORT;
    s = dash_to_unknown(s);
    if (fr != FIELD_OK || !s.ptr || s.len == 0)
        return fr;
    if (!parse_decimal(s, 65535, &v)) {
        report_text(ctx, name, s, "a port number from 0 to 65535");
        return FIELD_BAD;
    }
    *port = (int32_t)v;
    return FIELD_OK;
}

/* Reads an address. Empty and "-" are unknown, and other text that is no address is bad. */
static enum field_result get_addr(ih_read_ctx *ctx, const record *rec, const char *name,
                                  ih_addr *addr, ih_str *text)
{
    enum field_result fr = get_text(ctx, rec, name, text);

    memset(addr, 0, sizeof(*addr));
    *text = dash_to_unknown(*text);
    if (fr != FIELD_OK || !text->ptr || text->len == 0)
        return fr;
    if (ih_addr_parse(text->ptr, text->len, addr) != 0) {
        report_text(ctx, name, *text, "an IPv4 or IPv6 address");
        return FIELD_BAD;
    }
    return FIELD_OK;
}

/* Checks an address against its IsIpv6 flag, where the record has one. */
static enum field_result check_family(ih_read_ctx *ctx, const record *rec, const char *flag_name,
                                      const char *addr_name, const ih_addr *addr)
{
    ih_str flag;
    enum field_result fr = get_text(ctx, rec, flag_name, &flag);

    if (fr != FIELD_OK || addr->family == IH_AF_NONE)
        return fr;
    bool v6 = addr->family == IH_AF_INET6;
    if ((text_equal_nocase(flag, "true") && !v6) || (text_equal_nocase(flag, "false") && v6)) {
        char reason[64], text[IH_ADDR_TEXT_MAX];
        snprintf(reason, sizeof(reason), "inconsistent %s", flag_name);
        ih_addr_format(addr, text);
        ih_read_bad(ctx, reason, "%s is %.*s but %s %s is an IPv%s address", flag_name,
                    (int)flag.len, flag.ptr, addr_name, text, v6 ? "6" : "4");
        return FIELD_BAD;
    }
    return FIELD_OK;
}

/* --- Fields common to both events --- */

/* The Sysmon fields that both event IDs carry. */
typedef struct common {
    ih_time time;
    ih_str device;
    ih_str process_path;
    ih_str process_name;
    int64_t process_id;
    ih_str user;
} common;

static enum field_result get_time(ih_read_ctx *ctx, const record *rec, ih_time *t)
{
    ih_str s;
    enum field_result fr = get_text(ctx, rec, "UtcTime", &s);

    if (fr != FIELD_OK)
        return fr;
    if (!s.ptr || s.len == 0) {
        ih_read_bad(ctx, "missing UtcTime", "the record has no UtcTime value");
        return FIELD_BAD;
    }
    /* UtcTime is "2019-05-07 11:56:15.761" in UTC; the ECS copy is RFC 3339. */
    if (ih_time_parse_iso(s.ptr, s.len, t) != 0) {
        report_text(ctx, "UtcTime", s, "a time such as 2019-05-07 11:56:15.761");
        return FIELD_BAD;
    }
    return FIELD_OK;
}

/* The computer that logged the event, by the first name each layout uses. */
static enum field_result get_device(ih_read_ctx *ctx, const record *rec, ih_str *device)
{
    static const char *const names[] = {"winlog.computer_name", "computer_name", "Computer",
                                        "Hostname"};
    bool no_memory = false;

    *device = IH_STR_NONE;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !device->ptr; i++) {
        int tok = get_ecs(rec->doc, rec->root, names[i]);
        if (!token_text(ctx, rec->doc, tok, names[i], device, &no_memory))
            return no_memory ? FIELD_NO_MEMORY : FIELD_BAD;
    }
    /* In winlogbeat 6 host.name is the forwarding collector, so only ECS reads it. */
    if (!device->ptr && rec->layout == LAYOUT_ECS &&
        !token_text(ctx, rec->doc, get_ecs(rec->doc, rec->root, "host.name"), "host.name", device,
                    &no_memory))
        return no_memory ? FIELD_NO_MEMORY : FIELD_BAD;
    return FIELD_OK;
}

/*
 * Finds "ProcessId: N" in the rendered message. Some nxlog exports write the
 * sender's own "ProcessID" key, whose name differs only in case, and lose the
 * event's ProcessId; the message still has it. Returns -1 when not found.
 */
static int64_t process_id_from_message(const record *rec)
{
    static const char marker[] = "\\nProcessId: "; /* the JSON escape of a line break */
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
    return parse_decimal((ih_str){p, n}, INT64_MAX, &v) ? (int64_t)v : -1;
}

static enum field_result get_process(ih_read_ctx *ctx, const record *rec, common *c)
{
    ih_str pid;
    uint64_t v;
    enum field_result fr = get_text(ctx, rec, "Image", &c->process_path);

    if (fr != FIELD_OK)
        return fr;
    c->process_path = dash_to_unknown(c->process_path);
    c->process_name = c->process_path;
    for (size_t i = 0; c->process_path.ptr && i < c->process_path.len; i++) {
        char ch = c->process_path.ptr[i];
        if (ch == '\\' || ch == '/')
            c->process_name = (ih_str){c->process_path.ptr + i + 1, c->process_path.len - i - 1};
    }

    if ((fr = get_text(ctx, rec, "ProcessId", &pid)) != FIELD_OK)
        return fr;
    pid = dash_to_unknown(pid);
    c->process_id = IH_UNKNOWN_PID;
    if (!pid.ptr) {
        c->process_id = process_id_from_message(rec);
    } else if (pid.len > 0) {
        if (!parse_decimal(pid, INT64_MAX, &v)) {
            report_text(ctx, "ProcessId", pid, "a process id");
            return FIELD_BAD;
        }
        c->process_id = (int64_t)v;
    }
    return FIELD_OK;
}

/* User is DOMAIN\name; winlogbeat's Sysmon module splits it into user.domain and user.name. */
static enum field_result get_user(ih_read_ctx *ctx, const record *rec, ih_str *user)
{
    ih_str domain, name;
    bool no_memory = false;
    enum field_result fr = get_text(ctx, rec, "User", user);

    *user = dash_to_unknown(*user);
    if (fr != FIELD_OK || user->ptr || rec->layout != LAYOUT_ECS)
        return fr;
    if (!token_text(ctx, rec->doc, get_ecs(rec->doc, rec->root, "user.domain"), "user.domain",
                    &domain, &no_memory) ||
        !token_text(ctx, rec->doc, get_ecs(rec->doc, rec->root, "user.name"), "user.name", &name,
                    &no_memory))
        return no_memory ? FIELD_NO_MEMORY : FIELD_BAD;
    if (!name.ptr || name.len == 0)
        return FIELD_OK;
    if (!domain.ptr || domain.len == 0) {
        *user = name;
        return FIELD_OK;
    }
    char *buf = ih_read_alloc(ctx, domain.len + 1 + name.len);
    if (!buf)
        return FIELD_NO_MEMORY;
    memcpy(buf, domain.ptr, domain.len);
    buf[domain.len] = '\\';
    memcpy(buf + domain.len + 1, name.ptr, name.len);
    *user = (ih_str){buf, domain.len + 1 + name.len};
    return FIELD_OK;
}

static enum field_result get_common(ih_read_ctx *ctx, const record *rec, common *c)
{
    enum field_result fr;

    if ((fr = get_time(ctx, rec, &c->time)) != FIELD_OK ||
        (fr = get_device(ctx, rec, &c->device)) != FIELD_OK ||
        (fr = get_process(ctx, rec, c)) != FIELD_OK ||
        (fr = get_user(ctx, rec, &c->user)) != FIELD_OK)
        return fr;
    return FIELD_OK;
}

/* --- Event ID 3: network connection --- */

/*
 * Reads Initiated as 1 (true), 0 (false) or -1 (absent). The ECS layout may
 * carry it as network.direction instead: egress or outbound, ingress or
 * inbound.
 */
static enum field_result get_initiated(ih_read_ctx *ctx, const record *rec, int *initiated)
{
    ih_str s;
    enum field_result fr = get_text(ctx, rec, "Initiated", &s);

    *initiated = -1;
    if (fr != FIELD_OK)
        return fr;
    if (s.ptr) {
        if (text_equal_nocase(s, "true")) {
            *initiated = 1;
        } else if (text_equal_nocase(s, "false")) {
            *initiated = 0;
        } else {
            report_text(ctx, "Initiated", s, "true or false");
            return FIELD_BAD;
        }
        return FIELD_OK;
    }
    if (rec->layout != LAYOUT_ECS)
        return FIELD_OK;

    bool no_memory = false;
    int tok = get_ecs(rec->doc, rec->root, "network.direction");
    if (!token_text(ctx, rec->doc, tok, "network.direction", &s, &no_memory))
        return no_memory ? FIELD_NO_MEMORY : FIELD_BAD;
    if (text_equal_nocase(s, "egress") || text_equal_nocase(s, "outbound"))
        *initiated = 1;
    else if (text_equal_nocase(s, "ingress") || text_equal_nocase(s, "inbound"))
        *initiated = 0;
    return FIELD_OK;
}

static uint8_t map_protocol(ih_str p)
{
    if (!p.ptr || p.len == 0)
        return IH_PROTO_UNKNOWN;
    if (text_equal_nocase(p, "tcp"))
        return IH_PROTO_TCP;
    if (text_equal_nocase(p, "udp"))
        return IH_PROTO_UDP;
    if (text_equal_nocase(p, "icmp") || text_equal_nocase(p, "icmpv6"))
        return IH_PROTO_ICMP;
    return IH_PROTO_OTHER;
}

/* One side of a connection as Sysmon records it. */
typedef struct endpoint {
    ih_addr addr;
    ih_str ip_text;
    int32_t port;
    ih_str hostname;
} endpoint;

static enum field_result get_endpoint(ih_read_ctx *ctx, const record *rec, bool source, endpoint *e)
{
    const char *ip = source ? "SourceIp" : "DestinationIp";
    enum field_result fr;

    if ((fr = get_addr(ctx, rec, ip, &e->addr, &e->ip_text)) != FIELD_OK ||
        (fr = get_port(ctx, rec, source ? "SourcePort" : "DestinationPort", &e->port)) !=
            FIELD_OK ||
        (fr = get_text(ctx, rec, source ? "SourceHostname" : "DestinationHostname",
                       &e->hostname)) != FIELD_OK)
        return fr;
    e->hostname = dash_to_unknown(e->hostname);
    return check_family(ctx, rec, source ? "SourceIsIpv6" : "DestinationIsIpv6", ip, &e->addr);
}

static bool names_equal_nocase(ih_str a, ih_str b)
{
    if (!a.ptr || !b.ptr || a.len != b.len || a.len == 0)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        char x = a.ptr[i], y = b.ptr[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

/* Start of the IANA dynamic port range, which Windows uses for client ports. */
#define DYNAMIC_PORT_MIN 49152

/*
 * Decides whether the Source side of an accepted connection (Initiated=false)
 * is the device. Sysmon versions disagree: in the OTRF recordings of 2019 and
 * in UDP events the Source is the local socket, but in later TCP events it is
 * the peer that connected. So the device is the side whose host name is the
 * computer's name. Failing that, it is the side with the listening port, when
 * exactly one port is below the dynamic range. Failing that, it is the
 * Destination, as current Sysmon writes TCP.
 */
static bool inbound_source_is_local(ih_str device, const endpoint *src, const endpoint *dst)
{
    bool src_named = names_equal_nocase(src->hostname, device);
    bool dst_named = names_equal_nocase(dst->hostname, device);

    if (src_named != dst_named)
        return src_named;
    if (src->port >= 0 && dst->port >= 0) {
        bool src_listening = src->port < DYNAMIC_PORT_MIN,
             dst_listening = dst->port < DYNAMIC_PORT_MIN;
        if (src_listening != dst_listening)
            return src_listening;
    }
    return false;
}

/*
 * Initiated=true: the device opened the connection, so it is the Source side
 * and the remote end is the Destination. Initiated=false: the device accepted
 * it, and inbound_source_is_local() decides which side it is.
 */
static int read_connection(ih_read_ctx *ctx, const record *rec, const common *cm)
{
    endpoint src, dst;
    ih_str protocol;
    int initiated;
    ih_conn c;
    enum field_result fr;

    if ((fr = get_initiated(ctx, rec, &initiated)) != FIELD_OK ||
        (fr = get_text(ctx, rec, "Protocol", &protocol)) != FIELD_OK ||
        (fr = get_endpoint(ctx, rec, true, &src)) != FIELD_OK ||
        (fr = get_endpoint(ctx, rec, false, &dst)) != FIELD_OK)
        return fr == FIELD_NO_MEMORY ? -1 : 1;

    ih_conn_init(&c);
    bool source_local = initiated != 0 || inbound_source_is_local(cm->device, &src, &dst);
    const endpoint *local = source_local ? &src : &dst;
    const endpoint *remote = source_local ? &dst : &src;
    c.time = cm->time;
    c.device_name = cm->device.ptr ? cm->device : local->ip_text;
    c.device_id = c.device_name;
    c.process_name = cm->process_name;
    c.process_path = cm->process_path;
    c.process_id = cm->process_id;
    c.user = cm->user;
    c.local_addr = local->addr;
    c.local_port = local->port;
    c.remote_addr = remote->addr;
    c.remote_ip_text = remote->ip_text;
    c.remote_port = remote->port;
    c.remote_name = remote->hostname;
    c.protocol = map_protocol(dash_to_unknown(protocol));

    /* Sysmon logs a connection once the TCP/IP stack reports it, so an outbound one succeeded. */
    if (initiated == 1) {
        c.direction = IH_DIR_OUTBOUND;
        c.action = IH_ACTION_SUCCESS;
    } else if (initiated == 0) {
        c.direction = IH_DIR_INBOUND;
        c.action = IH_ACTION_INBOUND;
    }
    return ih_read_emit_conn(ctx, &c) < 0 ? -1 : 1;
}

/* --- Event ID 22: DNS query --- */

/*
 * QueryStatus is a Windows status code. DNS_ERROR_RCODE_* codes are 9000 plus
 * the response code, and the others name a failure without one. The names are
 * the Windows constants as listed in winlogbeat's Sysmon module (elastic/beats,
 * x-pack/winlogbeat/module/sysmon/config/winlogbeat-sysmon.js).
 */
static const struct {
    uint32_t status;
    int8_t rcode;
    const char *rcode_name;  /* the DNS name of rcode, or NULL */
    const char *status_name; /* the Windows constant */
} query_statuses[] = {
    {0, 0, "NOERROR", "SUCCESS"},
    {9001, 1, "FORMERR", "DNS_ERROR_RCODE_FORMAT_ERROR"},
    {9002, 2, "SERVFAIL", "DNS_ERROR_RCODE_SERVER_FAILURE"},
    {9003, 3, "NXDOMAIN", "DNS_ERROR_RCODE_NAME_ERROR"},
    {9004, 4, "NOTIMP", "DNS_ERROR_RCODE_NOT_IMPLEMENTED"},
    {9005, 5, "REFUSED", "DNS_ERROR_RCODE_REFUSED"},
    {9006, 6, "YXDOMAIN", "DNS_ERROR_RCODE_YXDOMAIN"},
    {9007, 7, "YXRRSET", "DNS_ERROR_RCODE_YXRRSET"},
    {9008, 8, "NXRRSET", "DNS_ERROR_RCODE_NXRRSET"},
    {9009, 9, "NOTAUTH", "DNS_ERROR_RCODE_NOTAUTH"},
    {9010, 10, "NOTZONE", "DNS_ERROR_RCODE_NOTZONE"},
    {9016, 16, "BADSIG", "DNS_ERROR_RCODE_BADSIG"},
    {9017, 17, "BADKEY", "DNS_ERROR_RCODE_BADKEY"},
    {9018, 18, "BADTIME", "DNS_ERROR_RCODE_BADTIME"},
    {123, -1, NULL, "ERROR_INVALID_NAME"},
    {1214, -1, NULL, "ERROR_INVALID_NETNAME"},
    {1460, -1, NULL, "ERROR_TIMEOUT"},
    {9501, -1, NULL, "DNS_INFO_NO_RECORDS"},
    {9502, -1, NULL, "DNS_ERROR_BAD_PACKET"},
    {9503, -1, NULL, "DNS_ERROR_NO_PACKET"},
    {9504, -1, NULL, "DNS_ERROR_RCODE"},
    {9505, -1, NULL, "DNS_ERROR_UNSECURE_PACKET"},
    {9560, -1, NULL, "DNS_ERROR_INVALID_NAME_CHAR"},
    {10054, -1, NULL, "WSAECONNRESET"},
    {10060, -1, NULL, "WSAETIMEDOUT"},
};

/*
 * Sets rcode and rcode_name from QueryStatus, a number or, after winlogbeat's
 * Sysmon module, the status name. A number not in the table keeps its digits
 * as the name and an unknown rcode.
 */
static enum field_result map_query_status(ih_read_ctx *ctx, const record *rec, ih_dns *d)
{
    ih_str s;
    uint64_t code;
    enum field_result fr = get_text(ctx, rec, "QueryStatus", &s);

    s = dash_to_unknown(s);
    if (fr != FIELD_OK || !s.ptr || s.len == 0)
        return fr;
    bool numeric = parse_decimal(s, UINT32_MAX, &code);
    for (size_t i = 0; i < sizeof(query_statuses) / sizeof(query_statuses[0]); i++) {
        if (numeric ? query_statuses[i].status == code
                    : text_equal_nocase(s, query_statuses[i].status_name)) {
            const char *name = query_statuses[i].rcode_name ? query_statuses[i].rcode_name
                                                            : query_statuses[i].status_name;
            d->rcode = query_statuses[i].rcode;
            d->rcode_name = (ih_str){name, strlen(name)};
            return FIELD_OK;
        }
    }
    if (!numeric) {
        report_text(ctx, "QueryStatus", s, "a Windows status code");
        return FIELD_BAD;
    }
    d->rcode_name = s;
    return FIELD_OK;
}

static void add_answer(ih_dns *d, uint8_t kind, const ih_addr *addr, ih_str text)
{
    if (d->answer_count == IH_DNS_MAX_ANSWERS) {
        d->answers_dropped++;
        return;
    }
    ih_dns_answer *a = &d->answers[d->answer_count++];
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    if (addr)
        a->addr = *addr;
    a->text = text;
    a->ttl_s = -1; /* Sysmon records no TTLs */
}

static ih_str trim(ih_str s)
{
    while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/*
 * Parses an address answer. Sysmon writes A records as IPv4-mapped IPv6
 * ("::ffff:1.2.3.4"), which are stored as IPv4 addresses with the text as
 * written.
 */
static bool parse_answer_addr(ih_str s, ih_addr *addr)
{
    static const char mapped[] = "::ffff:";
    size_t n = sizeof(mapped) - 1;

    if (s.len > n && memcmp(s.ptr, mapped, n) == 0 && memchr(s.ptr + n, '.', s.len - n) &&
        ih_addr_parse(s.ptr + n, s.len - n, addr) == 0)
        return true;
    return ih_addr_parse(s.ptr, s.len, addr) == 0;
}

/* Parses one QueryResults entry: "type:  5 name" (5 is a CNAME) or an address. */
static bool parse_result_entry(ih_str e, ih_dns *d)
{
    static const char type_prefix[] = "type:";
    size_t n = sizeof(type_prefix) - 1;
    ih_addr addr;

    if (e.len >= n && memcmp(e.ptr, type_prefix, n) == 0) {
        ih_str rest = trim((ih_str){e.ptr + n, e.len - n});
        size_t digits = 0;
        uint64_t type;
        while (digits < rest.len && rest.ptr[digits] >= '0' && rest.ptr[digits] <= '9')
            digits++;
        if (!parse_decimal((ih_str){rest.ptr, digits}, 65535, &type))
            return false;
        ih_str data = trim((ih_str){rest.ptr + digits, rest.len - digits});
        add_answer(d, type == 5 ? IH_ANSWER_CNAME : IH_ANSWER_OTHER, NULL, data);
        return true;
    }
    if (!parse_answer_addr(e, &addr))
        return false;
    add_answer(d, IH_ANSWER_ADDR, &addr, e);
    return true;
}

/* QueryResults: entries separated by ';', "-" when there are none. */
static bool parse_query_results(ih_read_ctx *ctx, ih_str results, ih_dns *d)
{
    size_t i = 0;

    while (i < results.len) {
        const char *semi = memchr(results.ptr + i, ';', results.len - i);
        size_t end = semi ? (size_t)(semi - results.ptr) : results.len;
        ih_str e = trim((ih_str){results.ptr + i, end - i});
        i = end + 1;
        if (e.len == 0)
            continue;
        if (!parse_result_entry(e, d)) {
            char shown[80];
            describe_text(e, shown, sizeof(shown));
            ih_read_bad(ctx, "invalid QueryResults",
                        "entry %s is neither an address nor \"type: N data\"", shown);
            return false;
        }
    }
    return true;
}

/* dns.answers as winlogbeat's Sysmon module writes it: [{"type": "CNAME", "data": "..."}]. */
static enum field_result read_ecs_answers(ih_read_ctx *ctx, const record *rec, ih_dns *d)
{
    const json_doc *doc = rec->doc;
    int answers = get_ecs(doc, rec->root, "dns.answers");

    if (answers < 0 || json_type_of(doc, answers) != IH_JSON_ARRAY)
        return FIELD_OK;
    int a = json_first_child(doc, answers);
    for (uint32_t i = 0; i < doc->tokens[answers].count; i++, a = json_next(doc, a)) {
        if (json_type_of(doc, a) != IH_JSON_OBJECT)
            continue;
        ih_str type = ih_read_json_string(ctx, doc, json_get(doc, a, "type"));
        ih_str data = ih_read_json_string(ctx, doc, json_get(doc, a, "data"));
        ih_addr addr;
        if (!data.ptr)
            continue;
        if (text_equal_nocase(type, "A") || text_equal_nocase(type, "AAAA")) {
            if (!parse_answer_addr(data, &addr)) {
                report_text(ctx, "dns.answers", data, "an IPv4 or IPv6 address");
                return FIELD_BAD;
            }
            add_answer(d, IH_ANSWER_ADDR, &addr, data);
        } else {
            add_answer(d, text_equal_nocase(type, "CNAME") ? IH_ANSWER_CNAME : IH_ANSWER_OTHER,
                       NULL, data);
        }
    }
    return FIELD_OK;
}

static int read_dns_query(ih_read_ctx *ctx, const record *rec, const common *cm)
{
    ih_dns d;
    ih_str results;
    enum field_result fr;

    ih_dns_init(&d);
    if ((fr = get_text(ctx, rec, "QueryName", &d.query_name)) != FIELD_OK)
        return fr == FIELD_NO_MEMORY ? -1 : 1;
    if (!d.query_name.ptr) {
        ih_read_bad(ctx, "missing QueryName", "the DNS query event has no QueryName value");
        return 1;
    }
    if ((fr = map_query_status(ctx, rec, &d)) != FIELD_OK ||
        (fr = get_text(ctx, rec, "QueryResults", &results)) != FIELD_OK)
        return fr == FIELD_NO_MEMORY ? -1 : 1;
    results = dash_to_unknown(results);
    if (results.ptr) {
        if (!parse_query_results(ctx, results, &d))
            return 1;
    } else if (rec->layout == LAYOUT_ECS && (fr = read_ecs_answers(ctx, rec, &d)) != FIELD_OK) {
        return fr == FIELD_NO_MEMORY ? -1 : 1;
    }

    d.time = cm->time;
    d.device_name = cm->device;
    d.device_id = cm->device;
    d.process_name = cm->process_name;
    d.process_path = cm->process_path;
    d.process_id = cm->process_id;
    d.user = cm->user;
    return ih_read_emit_dns(ctx, &d) < 0 ? -1 : 1;
}

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
    return text_equal_nocase(json_raw(doc, tok), lit);
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
            report_text(ctx, names[i], s.ptr ? s : IH_STR_LIT("null"), "an event ID");
        return false;
    }
    ih_read_bad(ctx, "missing EventID", "the record has no event ID");
    return false;
}

static int sysmon_record(const json_doc *doc, int root, ih_read_ctx *ctx)
{
    record rec;
    common cm;
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

    enum field_result fr = get_common(ctx, &rec, &cm);
    if (fr != FIELD_OK)
        return fr == FIELD_NO_MEMORY ? -1 : 1;
    return eid == 3 ? read_connection(ctx, &rec, &cm) : read_dns_query(ctx, &rec, &cm);
}

const ih_json_layout ih_layout_sysmon = {
    .name = sysmon_name,
    .match = sysmon_match,
    .record = sysmon_record,
};
