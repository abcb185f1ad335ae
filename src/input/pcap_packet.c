/* Decoding of captured frames; see pcap_packet.h. */
#include "pcap_packet.h"

#include <stdio.h>
#include <string.h>

enum { ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86DD };

/* VLAN tags nested deeper than this are not followed. */
#define MAX_VLAN_TAGS 4

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int pcap_packet_link_supported(int link)
{
    switch (link) {
    case PCAP_LINK_NULL:
    case PCAP_LINK_ETHERNET:
    case PCAP_LINK_RAW:
    case 14:
    case 101:
    case PCAP_LINK_LOOP:
    case PCAP_LINK_SLL:
    case PCAP_LINK_IPV4:
    case PCAP_LINK_IPV6:
    case PCAP_LINK_SLL2:
        return 1;
    default:
        return 0;
    }
}

static int malformed(pcap_packet *out, const char *what, unsigned value)
{
    snprintf(out->problem, sizeof(out->problem), "%s %u", what, value);
    return PCAP_PACKET_MALFORMED;
}

/* ---- Transport ---- */

static int decode_tcp(const uint8_t *p, size_t captured, uint32_t len, pcap_packet *out)
{
    if (len < 20)
        return malformed(out, "TCP segment of length", len);
    if (captured < 20)
        return PCAP_PACKET_TRUNCATED;
    unsigned header = (unsigned)(p[12] >> 4) * 4;
    if (header < 20 || header > len)
        return malformed(out, "TCP header length", header);
    if (captured < header)
        return PCAP_PACKET_TRUNCATED;
    out->sport = get16(p);
    out->dport = get16(p + 2);
    out->seq = get32(p + 4);
    out->ack = get32(p + 8);
    out->tcp_flags = p[13];
    out->payload_len = len - header;
    out->payload = p + header;
    out->payload_captured = captured - header < out->payload_len ? captured - header : out->payload_len;
    return PCAP_PACKET_OK;
}

static int decode_udp(const uint8_t *p, size_t captured, uint32_t len, pcap_packet *out)
{
    if (len < 8)
        return malformed(out, "UDP datagram of length", len);
    if (captured < 8)
        return PCAP_PACKET_TRUNCATED;
    unsigned udp_len = get16(p + 4);
    /* The IP length may include link-layer padding; the UDP length field may not exceed it. */
    if (udp_len < 8 || udp_len > len)
        return malformed(out, "UDP length", udp_len);
    out->sport = get16(p);
    out->dport = get16(p + 2);
    out->payload_len = udp_len - 8;
    out->payload = p + 8;
    out->payload_captured = captured - 8 < out->payload_len ? captured - 8 : out->payload_len;
    return PCAP_PACKET_OK;
}

/* Decodes the transport header of proto; len is the transport length from the IP header. */
static int decode_transport(uint8_t proto, const uint8_t *p, size_t captured, uint32_t len,
                            pcap_packet *out)
{
    out->proto = proto;
    if (proto == 6)
        return decode_tcp(p, captured, len, out);
    if (proto == 17)
        return decode_udp(p, captured, len, out);
    return PCAP_PACKET_OTHER;
}

/* ---- Network ---- */

static int decode_ipv4(const uint8_t *p, size_t captured, pcap_packet *out)
{
    if (captured < 20)
        return PCAP_PACKET_TRUNCATED;
    if (p[0] >> 4 != 4)
        return malformed(out, "IP version", p[0] >> 4);
    unsigned header = (unsigned)(p[0] & 0x0F) * 4;
    unsigned total = get16(p + 2);
    if (header < 20)
        return malformed(out, "IPv4 header length", header);
    if (total < header)
        return malformed(out, "IPv4 total length", total);
    if (captured < header)
        return PCAP_PACKET_TRUNCATED;

    out->src.family = out->dst.family = IH_AF_INET;
    memcpy(out->src.bytes, p + 12, 4);
    memcpy(out->dst.bytes, p + 16, 4);
    /* More fragments set, or a fragment offset: a piece of a larger datagram. */
    if (get16(p + 6) & 0x3FFF)
        return PCAP_PACKET_FRAGMENT;
    size_t avail = captured < total ? captured : total;
    return decode_transport(p[9], p + header, avail - header, total - header, out);
}

static int decode_ipv6(const uint8_t *p, size_t captured, pcap_packet *out)
{
    if (captured < 40)
        return PCAP_PACKET_TRUNCATED;
    if (p[0] >> 4 != 6)
        return malformed(out, "IP version", p[0] >> 4);
    uint32_t payload = get16(p + 4);
    if (payload == 0)
        return malformed(out, "IPv6 payload length", 0); /* jumbograms are not read */
    out->src.family = out->dst.family = IH_AF_INET6;
    memcpy(out->src.bytes, p + 8, 16);
    memcpy(out->dst.bytes, p + 24, 16);

    size_t avail = captured - 40 < payload ? captured - 40 : payload;
    const uint8_t *h = p + 40;
    uint8_t next = p[6];
    /* Walk the extension headers to the transport header. */
    for (int n = 0; n < 16; n++) {
        size_t len;
        switch (next) {
        case 0:  /* hop-by-hop options */
        case 43: /* routing */
        case 60: /* destination options */
            if (avail < 8)
                return payload < 8 ? malformed(out, "IPv6 payload length", payload)
                                   : PCAP_PACKET_TRUNCATED;
            len = ((size_t)h[1] + 1) * 8;
            break;
        case 44: /* fragment: offset 0 with no more fragments is an atomic fragment, read on */
            if (avail < 8)
                return PCAP_PACKET_TRUNCATED;
            if (get16(h + 2) & 0xFFF9)
                return PCAP_PACKET_FRAGMENT;
            len = 8;
            break;
        case 51: /* authentication header */
            if (avail < 8)
                return PCAP_PACKET_TRUNCATED;
            len = ((size_t)h[1] + 2) * 4;
            break;
        default:
            return decode_transport(next, h, avail, payload, out);
        }
        if (len > payload)
            return malformed(out, "IPv6 extension header length", (unsigned)len);
        if (len > avail)
            return PCAP_PACKET_TRUNCATED;
        next = h[0];
        h += len;
        avail -= len;
        payload -= (uint32_t)len;
    }
    return PCAP_PACKET_OTHER;
}

static int decode_ip(uint16_t ethertype, const uint8_t *p, size_t captured, pcap_packet *out)
{
    if (ethertype == ETHERTYPE_IPV4)
        return decode_ipv4(p, captured, out);
    if (ethertype == ETHERTYPE_IPV6)
        return decode_ipv6(p, captured, out);
    return PCAP_PACKET_NOT_IP;
}

/* Follows 802.1Q and 802.1ad tags: ethertype is the field just before p. */
static int decode_tagged(uint16_t ethertype, const uint8_t *p, size_t captured, pcap_packet *out)
{
    for (int tags = 0; ethertype == 0x8100 || ethertype == 0x88A8 || ethertype == 0x9100; tags++) {
        if (tags == MAX_VLAN_TAGS)
            return PCAP_PACKET_NOT_IP;
        if (captured < 4)
            return PCAP_PACKET_TRUNCATED;
        ethertype = get16(p + 2);
        p += 4;
        captured -= 4;
    }
    return decode_ip(ethertype, p, captured, out);
}

/* The IP version from the first byte, for link types without a protocol field. */
static int decode_raw(const uint8_t *p, size_t captured, pcap_packet *out)
{
    if (captured < 1)
        return PCAP_PACKET_TRUNCATED;
    if (p[0] >> 4 == 4)
        return decode_ipv4(p, captured, out);
    if (p[0] >> 4 == 6)
        return decode_ipv6(p, captured, out);
    return PCAP_PACKET_NOT_IP;
}

/* BSD loopback: AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 depending on the system. */
static int decode_loopback(uint32_t family, const uint8_t *p, size_t captured, pcap_packet *out)
{
    if (family == 2)
        return decode_ipv4(p, captured, out);
    if (family == 24 || family == 28 || family == 30)
        return decode_ipv6(p, captured, out);
    return PCAP_PACKET_NOT_IP;
}

int pcap_packet_decode(int link, const uint8_t *frame, size_t caplen, pcap_packet *out)
{
    memset(out, 0, sizeof(*out));
    switch (link) {
    case PCAP_LINK_ETHERNET:
        if (caplen < 14)
            return PCAP_PACKET_TRUNCATED;
        /* Values up to 1500 are an 802.3 length, with LLC after it. */
        return decode_tagged(get16(frame + 12), frame + 14, caplen - 14, out);
    case PCAP_LINK_SLL:
        if (caplen < 16)
            return PCAP_PACKET_TRUNCATED;
        return decode_tagged(get16(frame + 14), frame + 16, caplen - 16, out);
    case PCAP_LINK_SLL2:
        if (caplen < 20)
            return PCAP_PACKET_TRUNCATED;
        return decode_tagged(get16(frame), frame + 20, caplen - 20, out);
    case PCAP_LINK_RAW:
    case 14:
    case 101:
        return decode_raw(frame, caplen, out);
    case PCAP_LINK_IPV4:
        return decode_ipv4(frame, caplen, out);
    case PCAP_LINK_IPV6:
        return decode_ipv6(frame, caplen, out);
    case PCAP_LINK_NULL: {
        if (caplen < 4)
            return PCAP_PACKET_TRUNCATED;
        /* The family is in the byte order of the capturing machine; try both. */
        uint32_t le = (uint32_t)frame[0] | (uint32_t)frame[1] << 8 | (uint32_t)frame[2] << 16 |
                      (uint32_t)frame[3] << 24;
        return decode_loopback(le < 256 ? le : get32(frame), frame + 4, caplen - 4, out);
    }
    case PCAP_LINK_LOOP:
        if (caplen < 4)
            return PCAP_PACKET_TRUNCATED;
        return decode_loopback(get32(frame), frame + 4, caplen - 4, out);
    default:
        return PCAP_PACKET_NOT_IP;
    }
}
