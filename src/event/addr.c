#include "addr.h"

#include <arpa/inet.h>
#include <string.h>

int ih_addr_parse(const char *s, size_t len, ih_addr *out)
{
    char buf[IH_ADDR_TEXT_MAX + 1];

    memset(out, 0, sizeof(*out));
    if (len == 0 || len > IH_ADDR_TEXT_MAX)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (memchr(buf, '\0', len))
        return -1;

    if (inet_pton(AF_INET, buf, out->bytes) == 1) {
        out->family = IH_AF_INET;
        return 0;
    }
    char *zone = strchr(buf, '%');
    if (zone)
        *zone = '\0';
    if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
        out->family = IH_AF_INET6;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    return -1;
}

void ih_addr_format(const ih_addr *a, char out[IH_ADDR_TEXT_MAX])
{
    out[0] = '\0';
    if (a->family == IH_AF_INET)
        inet_ntop(AF_INET, a->bytes, out, IH_ADDR_TEXT_MAX);
    else if (a->family == IH_AF_INET6)
        inet_ntop(AF_INET6, a->bytes, out, IH_ADDR_TEXT_MAX);
}

bool ih_addr_equal(const ih_addr *a, const ih_addr *b)
{
    if (a->family != b->family)
        return false;
    return memcmp(a->bytes, b->bytes, a->family == IH_AF_INET ? 4 : 16) == 0;
}

bool ih_addr_is_rfc1918(const ih_addr *a)
{
    const uint8_t *b = a->bytes;

    if (a->family != IH_AF_INET)
        return false;
    return b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168);
}

bool ih_addr_in_prefix(const ih_addr *a, const ih_addr *prefix, unsigned bits)
{
    if (a->family != prefix->family)
        return false;
    unsigned max = a->family == IH_AF_INET ? 32 : 128;
    if (bits > max)
        return false;

    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(a->bytes, prefix->bytes, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (a->bytes[full] & mask) == (prefix->bytes[full] & mask);
}
