/*
 * Sysmon event IDs 3 and 22 to connection and DNS events, for every reader
 * of Sysmon records. The reader supplies the field values as text through an
 * ih_sysmon_access; this file checks and maps them. docs/sources/sysmon.md
 * lists the mapping.
 */
#include "sysmon_map.h"

#include <stdio.h>
#include <string.h>

#include "../event/addr.h"
#include "../event/timeutil.h"

const char *const ih_sysmon_field_names[IH_SYSMON_FIELD_COUNT] = {
    [IH_SYSMON_UTC_TIME] = "UtcTime",
    [IH_SYSMON_IMAGE] = "Image",
    [IH_SYSMON_PROCESS_ID] = "ProcessId",
    [IH_SYSMON_USER] = "User",
    [IH_SYSMON_INITIATED] = "Initiated",
    [IH_SYSMON_PROTOCOL] = "Protocol",
    [IH_SYSMON_SOURCE_IP] = "SourceIp",
    [IH_SYSMON_SOURCE_PORT] = "SourcePort",
    [IH_SYSMON_SOURCE_HOSTNAME] = "SourceHostname",
    [IH_SYSMON_SOURCE_IS_IPV6] = "SourceIsIpv6",
    [IH_SYSMON_DESTINATION_IP] = "DestinationIp",
    [IH_SYSMON_DESTINATION_PORT] = "DestinationPort",
    [IH_SYSMON_DESTINATION_HOSTNAME] = "DestinationHostname",
    [IH_SYSMON_DESTINATION_IS_IPV6] = "DestinationIsIpv6",
    [IH_SYSMON_QUERY_NAME] = "QueryName",
    [IH_SYSMON_QUERY_STATUS] = "QueryStatus",
    [IH_SYSMON_QUERY_RESULTS] = "QueryResults",
};

/* One record as the mapping sees it: the reader's access functions and its record. */
typedef struct record {
    const ih_sysmon_access *access;
    void *rec;
} record;

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

void ih_sysmon_report_text(ih_read_ctx *ctx, const char *name, ih_str s, const char *expected)
{
    char reason[64], shown[80];

    snprintf(reason, sizeof(reason), "invalid %s", name);
    describe_text(s, shown, sizeof(shown));
    ih_read_bad(ctx, reason, "%s is %s, expected %s", name, shown, expected);
}

/* Sysmon writes "-" for a value it does not have. */
static ih_str dash_to_unknown(ih_str s)
{
    if (s.ptr && s.len == 1 && s.ptr[0] == '-')
        return IH_STR_NONE;
    return s;
}

bool ih_sysmon_text_equal_nocase(ih_str s, const char *lit)
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

bool ih_sysmon_parse_decimal(ih_str s, uint64_t max, uint64_t *out)
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

static enum ih_field_result get_text(ih_read_ctx *ctx, const record *rec,
                                     enum ih_sysmon_field field, ih_str *out)
{
    return rec->access->text(rec->rec, ctx, field, out);
}

/* Reads a port. Empty and "-" are unknown. */
static enum ih_field_result get_port(ih_read_ctx *ctx, const record *rec,
                                     enum ih_sysmon_field field, int32_t *port)
{
    ih_str s;
    uint64_t v;
    enum ih_field_result fr = get_text(ctx, rec, field, &s);

    *port = IH_UNKNOWN_PORT;
    s = dash_to_unknown(s);
    if (fr != IH_FIELD_OK || !s.ptr || s.len == 0)
        return fr;
    if (!ih_sysmon_parse_decimal(s, 65535, &v)) {
        ih_sysmon_report_text(ctx, ih_sysmon_field_names[field], s,
                              "a port number from 0 to 65535");
        return IH_FIELD_BAD;
    }
    *port = (int32_t)v;
    return IH_FIELD_OK;
}

/* Reads an address. Empty and "-" are unknown, and other text that is no address is bad. */
static enum ih_field_result get_addr(ih_read_ctx *ctx, const record *rec,
                                     enum ih_sysmon_field field, ih_addr *addr, ih_str *text)
{
    enum ih_field_result fr = get_text(ctx, rec, field, text);

    memset(addr, 0, sizeof(*addr));
    *text = dash_to_unknown(*text);
    if (fr != IH_FIELD_OK || !text->ptr || text->len == 0)
        return fr;
    if (ih_addr_parse(text->ptr, text->len, addr) != 0) {
        ih_sysmon_report_text(ctx, ih_sysmon_field_names[field], *text,
                              "an IPv4 or IPv6 address");
        return IH_FIELD_BAD;
    }
    return IH_FIELD_OK;
}

/* Checks an address against its IsIpv6 flag, where the record has one. */
static enum ih_field_result check_family(ih_read_ctx *ctx, const record *rec,
                                         enum ih_sysmon_field flag_field,
                                         enum ih_sysmon_field addr_field, const ih_addr *addr)
{
    ih_str flag;
    enum ih_field_result fr = get_text(ctx, rec, flag_field, &flag);

    if (fr != IH_FIELD_OK || addr->family == IH_AF_NONE)
        return fr;
    bool v6 = addr->family == IH_AF_INET6;
    if ((ih_sysmon_text_equal_nocase(flag, "true") && !v6) ||
        (ih_sysmon_text_equal_nocase(flag, "false") && v6)) {
        const char *flag_name = ih_sysmon_field_names[flag_field];
        char reason[64], text[IH_ADDR_TEXT_MAX];
        snprintf(reason, sizeof(reason), "inconsistent %s", flag_name);
        ih_addr_format(addr, text);
        ih_read_bad(ctx, reason, "%s is %.*s but %s %s is an IPv%s address", flag_name,
                    (int)flag.len, flag.ptr, ih_sysmon_field_names[addr_field], text,
                    v6 ? "6" : "4");
        return IH_FIELD_BAD;
    }
    return IH_FIELD_OK;
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

static enum ih_field_result get_time(ih_read_ctx *ctx, const record *rec, ih_time *t)
{
    ih_str s;
    enum ih_field_result fr = get_text(ctx, rec, IH_SYSMON_UTC_TIME, &s);

    if (fr != IH_FIELD_OK)
        return fr;
    if (!s.ptr || s.len == 0) {
        ih_read_bad(ctx, "missing UtcTime", "the record has no UtcTime value");
        return IH_FIELD_BAD;
    }
    /* UtcTime is "2019-05-07 11:56:15.761" in UTC; the ECS copy is RFC 3339. */
    if (ih_time_parse_iso(s.ptr, s.len, t) != 0) {
        ih_sysmon_report_text(ctx, "UtcTime", s, "a time such as 2019-05-07 11:56:15.761");
        return IH_FIELD_BAD;
    }
    return IH_FIELD_OK;
}

static enum ih_field_result get_process(ih_read_ctx *ctx, const record *rec, common *c)
{
    ih_str pid;
    uint64_t v;
    enum ih_field_result fr = get_text(ctx, rec, IH_SYSMON_IMAGE, &c->process_path);

    if (fr != IH_FIELD_OK)
        return fr;
    c->process_path = dash_to_unknown(c->process_path);
    c->process_name = c->process_path;
    for (size_t i = 0; c->process_path.ptr && i < c->process_path.len; i++) {
        char ch = c->process_path.ptr[i];
        if (ch == '\\' || ch == '/')
            c->process_name = (ih_str){c->process_path.ptr + i + 1, c->process_path.len - i - 1};
    }

    if ((fr = get_text(ctx, rec, IH_SYSMON_PROCESS_ID, &pid)) != IH_FIELD_OK)
        return fr;
    pid = dash_to_unknown(pid);
    c->process_id = IH_UNKNOWN_PID;
    if (!pid.ptr) {
        if (rec->access->process_id_fallback)
            c->process_id = rec->access->process_id_fallback(rec->rec);
    } else if (pid.len > 0) {
        if (!ih_sysmon_parse_decimal(pid, INT64_MAX, &v)) {
            ih_sysmon_report_text(ctx, "ProcessId", pid, "a process id");
            return IH_FIELD_BAD;
        }
        c->process_id = (int64_t)v;
    }
    return IH_FIELD_OK;
}

static enum ih_field_result get_user(ih_read_ctx *ctx, const record *rec, ih_str *user)
{
    enum ih_field_result fr = get_text(ctx, rec, IH_SYSMON_USER, user);

    *user = dash_to_unknown(*user);
    if (fr != IH_FIELD_OK || user->ptr || !rec->access->user_fallback)
        return fr;
    return rec->access->user_fallback(rec->rec, ctx, user);
}

static enum ih_field_result get_common(ih_read_ctx *ctx, const record *rec, common *c)
{
    enum ih_field_result fr;

    if ((fr = get_time(ctx, rec, &c->time)) != IH_FIELD_OK ||
        (fr = rec->access->computer(rec->rec, ctx, &c->device)) != IH_FIELD_OK ||
        (fr = get_process(ctx, rec, c)) != IH_FIELD_OK ||
        (fr = get_user(ctx, rec, &c->user)) != IH_FIELD_OK)
        return fr;
    return IH_FIELD_OK;
}

/* --- Event ID 3: network connection --- */

/* Reads Initiated as 1 (true), 0 (false) or -1 (absent). */
static enum ih_field_result get_initiated(ih_read_ctx *ctx, const record *rec, int *initiated)
{
    ih_str s;
    enum ih_field_result fr = get_text(ctx, rec, IH_SYSMON_INITIATED, &s);

    *initiated = -1;
    if (fr != IH_FIELD_OK)
        return fr;
    if (s.ptr) {
        if (ih_sysmon_text_equal_nocase(s, "true")) {
            *initiated = 1;
        } else if (ih_sysmon_text_equal_nocase(s, "false")) {
            *initiated = 0;
        } else {
            ih_sysmon_report_text(ctx, "Initiated", s, "true or false");
            return IH_FIELD_BAD;
        }
        return IH_FIELD_OK;
    }
    if (!rec->access->initiated_fallback)
        return IH_FIELD_OK;
    return rec->access->initiated_fallback(rec->rec, ctx, initiated);
}

static uint8_t map_protocol(ih_str p)
{
    if (!p.ptr || p.len == 0)
        return IH_PROTO_UNKNOWN;
    if (ih_sysmon_text_equal_nocase(p, "tcp"))
        return IH_PROTO_TCP;
    if (ih_sysmon_text_equal_nocase(p, "udp"))
        return IH_PROTO_UDP;
    if (ih_sysmon_text_equal_nocase(p, "icmp") || ih_sysmon_text_equal_nocase(p, "icmpv6"))
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

static enum ih_field_result get_endpoint(ih_read_ctx *ctx, const record *rec, bool source,
                                         endpoint *e)
{
    enum ih_sysmon_field ip = source ? IH_SYSMON_SOURCE_IP : IH_SYSMON_DESTINATION_IP;
    enum ih_field_result fr;

    if ((fr = get_addr(ctx, rec, ip, &e->addr, &e->ip_text)) != IH_FIELD_OK ||
        (fr = get_port(ctx, rec, source ? IH_SYSMON_SOURCE_PORT : IH_SYSMON_DESTINATION_PORT,
                       &e->port)) != IH_FIELD_OK ||
        (fr = get_text(ctx, rec,
                       source ? IH_SYSMON_SOURCE_HOSTNAME : IH_SYSMON_DESTINATION_HOSTNAME,
                       &e->hostname)) != IH_FIELD_OK)
        return fr;
    e->hostname = dash_to_unknown(e->hostname);
    return check_family(ctx, rec,
                        source ? IH_SYSMON_SOURCE_IS_IPV6 : IH_SYSMON_DESTINATION_IS_IPV6, ip,
                        &e->addr);
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
    enum ih_field_result fr;

    if ((fr = get_initiated(ctx, rec, &initiated)) != IH_FIELD_OK ||
        (fr = get_text(ctx, rec, IH_SYSMON_PROTOCOL, &protocol)) != IH_FIELD_OK ||
        (fr = get_endpoint(ctx, rec, true, &src)) != IH_FIELD_OK ||
        (fr = get_endpoint(ctx, rec, false, &dst)) != IH_FIELD_OK)
        return fr == IH_FIELD_NO_MEMORY ? -1 : 1;

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
static enum ih_field_result map_query_status(ih_read_ctx *ctx, const record *rec, ih_dns *d)
{
    ih_str s;
    uint64_t code;
    enum ih_field_result fr = get_text(ctx, rec, IH_SYSMON_QUERY_STATUS, &s);

    s = dash_to_unknown(s);
    if (fr != IH_FIELD_OK || !s.ptr || s.len == 0)
        return fr;
    bool numeric = ih_sysmon_parse_decimal(s, UINT32_MAX, &code);
    for (size_t i = 0; i < sizeof(query_statuses) / sizeof(query_statuses[0]); i++) {
        if (numeric ? query_statuses[i].status == code
                    : ih_sysmon_text_equal_nocase(s, query_statuses[i].status_name)) {
            const char *name = query_statuses[i].rcode_name ? query_statuses[i].rcode_name
                                                            : query_statuses[i].status_name;
            d->rcode = query_statuses[i].rcode;
            d->rcode_name = (ih_str){name, strlen(name)};
            return IH_FIELD_OK;
        }
    }
    if (!numeric) {
        ih_sysmon_report_text(ctx, "QueryStatus", s, "a Windows status code");
        return IH_FIELD_BAD;
    }
    d->rcode_name = s;
    return IH_FIELD_OK;
}

void ih_sysmon_add_answer(ih_dns *d, uint8_t kind, const ih_addr *addr, ih_str text)
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

bool ih_sysmon_parse_answer_addr(ih_str s, ih_addr *addr)
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
        if (!ih_sysmon_parse_decimal((ih_str){rest.ptr, digits}, 65535, &type))
            return false;
        ih_str data = trim((ih_str){rest.ptr + digits, rest.len - digits});
        ih_sysmon_add_answer(d, type == 5 ? IH_ANSWER_CNAME : IH_ANSWER_OTHER, NULL, data);
        return true;
    }
    if (!ih_sysmon_parse_answer_addr(e, &addr))
        return false;
    ih_sysmon_add_answer(d, IH_ANSWER_ADDR, &addr, e);
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

static int read_dns_query(ih_read_ctx *ctx, const record *rec, const common *cm)
{
    ih_dns d;
    ih_str results;
    enum ih_field_result fr;

    ih_dns_init(&d);
    if ((fr = get_text(ctx, rec, IH_SYSMON_QUERY_NAME, &d.query_name)) != IH_FIELD_OK)
        return fr == IH_FIELD_NO_MEMORY ? -1 : 1;
    if (!d.query_name.ptr) {
        ih_read_bad(ctx, "missing QueryName", "the DNS query event has no QueryName value");
        return 1;
    }
    if ((fr = map_query_status(ctx, rec, &d)) != IH_FIELD_OK ||
        (fr = get_text(ctx, rec, IH_SYSMON_QUERY_RESULTS, &results)) != IH_FIELD_OK)
        return fr == IH_FIELD_NO_MEMORY ? -1 : 1;
    results = dash_to_unknown(results);
    if (results.ptr) {
        if (!parse_query_results(ctx, results, &d))
            return 1;
    } else if (rec->access->answers_fallback &&
               (fr = rec->access->answers_fallback(rec->rec, ctx, &d)) != IH_FIELD_OK) {
        return fr == IH_FIELD_NO_MEMORY ? -1 : 1;
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

int ih_sysmon_map_event(ih_read_ctx *ctx, const ih_sysmon_access *access, void *rec_data,
                        int64_t event_id)
{
    record rec = {access, rec_data};
    common cm;

    enum ih_field_result fr = get_common(ctx, &rec, &cm);
    if (fr != IH_FIELD_OK)
        return fr == IH_FIELD_NO_MEMORY ? -1 : 1;
    return event_id == 3 ? read_connection(ctx, &rec, &cm) : read_dns_query(ctx, &rec, &cm);
}
