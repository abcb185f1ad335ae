/* Server names from TLS ClientHello and HTTP requests; see pcap_app.h. */
#include "pcap_app.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* A ClientHello larger than this is not read; common ones are under 2 KiB. */
#define MAX_HELLO 16384

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* True for a host name of printable ASCII without spaces. */
static bool valid_name(const uint8_t *p, size_t n)
{
    if (n == 0 || n > PCAP_APP_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7F)
            return false;
    return true;
}

/* Finds the server_name extension in a ClientHello body; returns as pcap_app_tls_sni(). */
static int hello_sni(const uint8_t *h, size_t n, char *out, size_t *out_len)
{
    size_t at = 2 + 32; /* client version and random */
    if (at + 1 > n)
        return 0;
    at += 1 + (size_t)h[at]; /* session id */
    if (at + 2 > n)
        return 0;
    size_t suites = get16(h + at);
    at += 2 + suites;
    if (at + 1 > n)
        return 0;
    at += 1 + (size_t)h[at]; /* compression methods */
    if (at + 2 > n)
        return 0; /* no extensions */
    size_t ext_end = at + 2 + get16(h + at);
    at += 2;
    if (ext_end > n)
        return 0;

    while (at + 4 <= ext_end) {
        uint16_t type = get16(h + at);
        size_t len = get16(h + at + 2);
        at += 4;
        if (at + len > ext_end)
            return 0;
        if (type == 0) {
            /* server_name_list: entries of name type (0 is host_name), length, name. */
            if (len < 2)
                return 0;
            size_t list_end = at + 2 + get16(h + at);
            if (list_end > at + len)
                return 0;
            for (size_t e = at + 2; e + 3 <= list_end;) {
                size_t name_len = get16(h + e + 1);
                if (e + 3 + name_len > list_end)
                    return 0;
                if (h[e] == 0) {
                    if (!valid_name(h + e + 3, name_len))
                        return 0;
                    memcpy(out, h + e + 3, name_len);
                    *out_len = name_len;
                    return 1;
                }
                e += 3 + name_len;
            }
            return 0;
        }
        at += len;
    }
    return 0;
}

int pcap_app_tls_sni(const uint8_t *p, size_t len, char out[PCAP_APP_MAX_NAME], size_t *out_len)
{
    uint8_t hello[MAX_HELLO];
    size_t have = 0, need = 0;

    /* Gather the handshake message from consecutive handshake records. */
    for (size_t at = 0;;) {
        if (len - at < 5)
            return -1;
        if (p[at] != 22 || p[at + 1] != 3)
            return 0;
        size_t rec = get16(p + at + 3);
        if (rec == 0 || rec > 16384 + 2048)
            return 0;
        if (len - at - 5 < rec)
            return -1;
        size_t take = rec < MAX_HELLO - have ? rec : MAX_HELLO - have;
        memcpy(hello + have, p + at + 5, take);
        have += take;
        at += 5 + rec;

        if (have >= 4 && need == 0) {
            if (hello[0] != 1) /* not a ClientHello */
                return 0;
            need = 4 + ((size_t)hello[1] << 16 | (size_t)hello[2] << 8 | hello[3]);
            if (need > MAX_HELLO)
                return 0;
        }
        if (need && have >= need)
            return hello_sni(hello + 4, need - 4, out, out_len);
        if (have == MAX_HELLO)
            return 0;
    }
}

/* Request methods of RFC 9110 section 9 and PATCH; another first word is not HTTP. */
static const char *const methods[] = {"GET ",     "POST ",  "HEAD ",  "PUT ",   "DELETE ",
                                      "OPTIONS ", "CONNECT ", "PATCH ", "TRACE "};

/* 1 when p starts with a method and a space, 0 when it cannot, -1 when too short to tell. */
static int starts_with_method(const uint8_t *p, size_t len)
{
    bool could = false;

    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        size_t n = strlen(methods[i]);
        size_t cmp = len < n ? len : n;
        if (memcmp(p, methods[i], cmp) != 0)
            continue;
        if (len >= n)
            return 1;
        could = true;
    }
    return could ? -1 : 0;
}

int pcap_app_http_host(const uint8_t *p, size_t len, char out[PCAP_APP_MAX_NAME], size_t *out_len)
{
    int method = starts_with_method(p, len);
    if (method <= 0)
        return method;

    /* Header lines start after each line feed; the header ends at an empty line. */
    for (size_t at = 0;;) {
        const uint8_t *nl = memchr(p + at, '\n', len - at);
        if (!nl)
            return -1;
        size_t line = (size_t)(nl - p) + 1;
        size_t end = line;
        if (end < len && p[end] == '\r')
            end++;
        if (end < len && p[end] == '\n')
            return 0; /* empty line: the header ended without Host */
        if (end >= len)
            return -1;
        at = line;

        const uint8_t *eol = memchr(p + at, '\n', len - at);
        if (len - at >= 5 && strncasecmp((const char *)p + at, "host:", 5) == 0) {
            if (!eol)
                return -1;
            size_t v = at + 5, e = (size_t)(eol - p);
            while (v < e && (p[v] == ' ' || p[v] == '\t'))
                v++;
            while (e > v && (p[e - 1] == '\r' || p[e - 1] == ' ' || p[e - 1] == '\t'))
                e--;
            /* Drop a port: after the closing bracket of an IPv6 literal, or after the only colon. */
            const uint8_t *colon = NULL;
            if (e > v && p[v] == '[') {
                const uint8_t *close = memchr(p + v, ']', e - v);
                if (close && close + 1 < p + e && close[1] == ':')
                    colon = close + 1;
            } else {
                colon = memchr(p + v, ':', e - v);
            }
            if (colon)
                e = (size_t)(colon - p);
            if (!valid_name(p + v, e - v))
                return 0;
            memcpy(out, p + v, e - v);
            *out_len = e - v;
            return 1;
        }
    }
}
