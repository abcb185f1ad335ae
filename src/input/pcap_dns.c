/* DNS messages in wire format; see pcap_dns.h. */
#include "pcap_dns.h"

#include <stdio.h>
#include <string.h>

#include "../event/addr.h"

/* Maximum name length in wire form (RFC 1035 section 2.3.4), and maximum compression pointers followed. */
#define MAX_WIRE_NAME 255
#define MAX_POINTERS 64

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail(pcap_dns_msg *m, const char *what, size_t offset)
{
    snprintf(m->problem, sizeof(m->problem), "%s at byte %zu of the message", what, offset);
    return -1;
}

/* Appends n bytes to the text area; returns their start, or NULL when the area is full. */
static char *text_reserve(pcap_dns_msg *m, size_t n)
{
    if (PCAP_DNS_TEXT - m->text_used < n)
        return NULL;
    char *p = m->text + m->text_used;
    m->text_used += n;
    return p;
}

/* True for bytes written as themselves in a name; the rest are written as \DDD, as dig does. */
static bool plain_name_byte(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '*';
}

/*
 * Reads the name at msg[*pos], following compression pointers, and writes
 * its presentation form into the text area when text is not NULL. Advances
 * *pos past the name as it appears at *pos. Returns 0, -1 for an invalid
 * name (problem set), or -2 when the text area is full.
 */
static int read_name(const uint8_t *msg, size_t len, size_t *pos, pcap_dns_msg *m, ih_str *text)
{
    char buf[MAX_WIRE_NAME * 4 + 2];
    size_t o = 0, at = *pos, wire = 1, end = 0;
    int pointers = 0;

    for (;;) {
        if (at >= len)
            return fail(m, "name runs past the end", at);
        uint8_t c = msg[at];
        if ((c & 0xC0) == 0xC0) {
            if (at + 1 >= len)
                return fail(m, "name runs past the end", at);
            size_t target = (size_t)(c & 0x3F) << 8 | msg[at + 1];
            /* A pointer must go backwards, which also rules out loops. */
            if (target >= at || ++pointers > MAX_POINTERS)
                return fail(m, "invalid compression pointer", at);
            if (!end)
                end = at + 2;
            at = target;
            continue;
        }
        if (c & 0xC0)
            return fail(m, "unknown label type", at);
        if (c == 0) {
            if (!end)
                end = at + 1;
            break;
        }
        if (at + 1 + c > len)
            return fail(m, "label runs past the end", at);
        wire += 1 + (size_t)c;
        if (wire > MAX_WIRE_NAME)
            return fail(m, "name longer than 255 bytes", *pos);
        if (o)
            buf[o++] = '.';
        for (size_t i = 0; i < c; i++) {
            uint8_t b = msg[at + 1 + i];
            if (plain_name_byte(b)) {
                buf[o++] = (char)b;
            } else if (b == '.' || b == '\\') {
                buf[o++] = '\\';
                buf[o++] = (char)b;
            } else {
                o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\%03u", b);
            }
        }
        at += 1 + (size_t)c;
    }
    *pos = end;
    if (!text)
        return 0;
    if (o == 0)
        buf[o++] = '.'; /* the root */
    char *out = text_reserve(m, o);
    if (!out)
        return -2;
    memcpy(out, buf, o);
    *text = (ih_str){out, o};
    return 0;
}

/* Writes the character-strings of TXT data, separated by spaces, non-printable bytes as \DDD. */
static int read_txt(const uint8_t *p, size_t len, pcap_dns_msg *m, ih_str *text)
{
    char buf[1024];
    size_t o = 0;

    for (size_t at = 0; at < len;) {
        size_t n = p[at++];
        if (at + n > len)
            return -1;
        if (o && o < sizeof(buf))
            buf[o++] = ' ';
        for (size_t i = 0; i < n && o + 4 < sizeof(buf); i++) {
            uint8_t b = p[at + i];
            if (b >= 0x20 && b < 0x7F)
                buf[o++] = (char)b;
            else
                o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\%03u", b);
        }
        at += n;
    }
    char *out = text_reserve(m, o ? o : 1);
    if (!out)
        return -2;
    memcpy(out, buf, o);
    *text = (ih_str){out, o};
    return 0;
}

/* Fills answer a from the record data of type at msg[at..at+rdlen). */
static int read_rdata(const uint8_t *msg, size_t at, size_t rdlen, uint16_t type,
                      pcap_dns_msg *m, ih_dns_answer *a)
{
    size_t pos = at, skip = 0;
    int rc;

    a->kind = IH_ANSWER_OTHER;
    switch (type) {
    case 1:
    case 28: {
        size_t n = type == 1 ? 4 : 16;
        if (rdlen != n)
            return fail(m, type == 1 ? "A record data not 4 bytes" : "AAAA record data not 16 bytes",
                        at);
        a->kind = IH_ANSWER_ADDR;
        a->addr.family = type == 1 ? IH_AF_INET : IH_AF_INET6;
        memcpy(a->addr.bytes, msg + at, n);
        /* The text is the address as an event listing writes it. */
        char buf[IH_ADDR_TEXT_MAX];
        ih_addr_format(&a->addr, buf);
        size_t len = strlen(buf);
        char *out = text_reserve(m, len);
        if (!out)
            return -2;
        memcpy(out, buf, len);
        a->text = (ih_str){out, len};
        return 0;
    }
    case 15: /* MX: preference, then the exchange */
        skip = 2;
        break;
    case 33: /* SRV: priority, weight, port, then the target */
        skip = 6;
        break;
    case 2:  /* NS */
    case 5:  /* CNAME */
    case 12: /* PTR */
    case 39: /* DNAME */
        break;
    case 16: /* TXT */
        rc = read_txt(msg + at, rdlen, m, &a->text);
        return rc == -1 ? fail(m, "TXT string runs past the record", at) : rc;
    default:
        return 0;
    }

    if (rdlen < skip + 1)
        return fail(m, "record data too short", at);
    pos += skip;
    /* The name may point anywhere before it, but must end within the record. */
    rc = read_name(msg, at + rdlen, &pos, m, &a->text);
    if (rc != 0)
        return rc;
    if (pos != at + rdlen)
        return fail(m, "record data longer than its name", at);
    if (type == 5)
        a->kind = IH_ANSWER_CNAME;
    return 0;
}

int pcap_dns_parse(const uint8_t *msg, size_t len, pcap_dns_msg *m)
{
    m->has_question = false;
    m->qname = IH_STR_NONE;
    m->qtype = 0;
    m->answer_count = m->answers_dropped = 0;
    m->text_used = 0;
    m->problem[0] = '\0';

    if (len < 12)
        return fail(m, "message shorter than its 12-byte header", len);
    m->id = get16(msg);
    uint16_t flags = get16(msg + 2);
    m->response = flags & 0x8000;
    m->opcode = (uint8_t)(flags >> 11 & 0xF);
    m->rcode = (uint8_t)(flags & 0xF);
    size_t qdcount = get16(msg + 4), ancount = get16(msg + 6);

    /* The first question is kept; any others are only skipped. */
    size_t pos = 12;
    for (size_t q = 0; q < qdcount; q++) {
        ih_str name = IH_STR_NONE;
        int rc = read_name(msg, len, &pos, m, q == 0 ? &name : NULL);
        if (rc == -1)
            return -1;
        if (pos + 4 > len)
            return fail(m, "question runs past the end", pos);
        if (q == 0) {
            m->has_question = true;
            m->qname = rc == 0 ? name : IH_STR_NONE;
            m->qtype = get16(msg + pos);
        }
        pos += 4;
    }

    for (size_t i = 0; i < ancount; i++) {
        if (read_name(msg, len, &pos, m, NULL) != 0)
            return -1;
        if (pos + 10 > len)
            return fail(m, "answer runs past the end", pos);
        uint16_t type = get16(msg + pos);
        uint32_t ttl = get32(msg + pos + 4);
        size_t rdlen = get16(msg + pos + 8);
        pos += 10;
        if (pos + rdlen > len)
            return fail(m, "record data runs past the end", pos);

        if (m->answer_count == IH_DNS_MAX_ANSWERS) {
            m->answers_dropped++;
        } else {
            ih_dns_answer *a = &m->answers[m->answer_count];
            memset(a, 0, sizeof(*a));
            /* RFC 2181 section 8: a TTL with the top bit set is read as 0. */
            a->ttl_s = ttl & 0x80000000u ? 0 : (int64_t)ttl;
            int rc = read_rdata(msg, pos, rdlen, type, m, a);
            if (rc == -1)
                return -1;
            if (rc == -2)
                m->answers_dropped++;
            else
                m->answer_count++;
        }
        pos += rdlen;
    }
    return 0;
}

static const struct {
    uint16_t type;
    const char *name;
} type_names[] = {
    {1, "A"},      {2, "NS"},     {5, "CNAME"},  {6, "SOA"},    {12, "PTR"},    {13, "HINFO"},
    {15, "MX"},    {16, "TXT"},   {28, "AAAA"},  {33, "SRV"},   {35, "NAPTR"},  {39, "DNAME"},
    {41, "OPT"},   {43, "DS"},    {46, "RRSIG"}, {47, "NSEC"},  {48, "DNSKEY"}, {50, "NSEC3"},
    {52, "TLSA"},  {64, "SVCB"},  {65, "HTTPS"}, {99, "SPF"},   {252, "AXFR"},  {255, "ANY"},
    {256, "URI"},  {257, "CAA"},
};

const char *pcap_dns_type_name(uint16_t type)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return NULL;
}

const char *pcap_dns_rcode_name(uint8_t rcode)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}
