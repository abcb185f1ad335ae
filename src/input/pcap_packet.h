/*
 * Decoding of one captured frame down to its TCP or UDP segment: the link
 * layer (Ethernet with VLAN tags, Linux cooked SLL and SLL2, raw IP, BSD
 * loopback), IPv4 and IPv6 with extension headers, and the transport header.
 *
 * The decoder keeps no state and allocates nothing; the payload view points
 * into the frame.
 */
#ifndef IH_PCAP_PACKET_H
#define IH_PCAP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"

/* Link-layer types as libpcap's pcap_datalink() returns them (DLT_* values on Linux). */
enum pcap_link {
    PCAP_LINK_NULL = 0,       /* BSD loopback: a 4-byte address family */
    PCAP_LINK_ETHERNET = 1,
    PCAP_LINK_RAW = 12,       /* raw IP; also 14 on some BSDs and 101 as a file's LINKTYPE */
    PCAP_LINK_LOOP = 108,     /* OpenBSD loopback: the family in network order */
    PCAP_LINK_SLL = 113,      /* Linux cooked capture, version 1 */
    PCAP_LINK_IPV4 = 228,
    PCAP_LINK_IPV6 = 229,
    PCAP_LINK_SLL2 = 276,     /* Linux cooked capture, version 2 */
};

/* True when the decoder reads this link type. */
int pcap_packet_link_supported(int link);

/* Outcome of decoding a frame. Every value but PCAP_PACKET_OK means no segment. */
enum pcap_packet_status {
    PCAP_PACKET_OK = 0,
    PCAP_PACKET_NOT_IP,     /* ARP, LLC and other non-IP frames */
    PCAP_PACKET_FRAGMENT,   /* an IPv4 or IPv6 fragment, which is not reassembled */
    PCAP_PACKET_TRUNCATED,  /* the capture ends inside a header */
    PCAP_PACKET_OTHER,      /* an IP protocol other than TCP and UDP, or ESP */
    PCAP_PACKET_MALFORMED,  /* a header with impossible values; see problem */
};

typedef struct pcap_packet {
    ih_addr src, dst;
    uint8_t proto;          /* 6 (TCP) or 17 (UDP) */
    uint16_t sport, dport;
    uint8_t tcp_flags;      /* FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10 */
    uint32_t seq, ack;
    uint32_t payload_len;   /* transport payload length on the wire, from the IP and UDP lengths */
    const uint8_t *payload; /* the captured part of the payload */
    size_t payload_captured;
    char problem[64];       /* for PCAP_PACKET_MALFORMED, such as "IPv4 header length 8" */
} pcap_packet;

/* TCP header flags, as in pcap_packet.tcp_flags. */
enum { PCAP_TCP_FIN = 0x01, PCAP_TCP_SYN = 0x02, PCAP_TCP_RST = 0x04, PCAP_TCP_ACK = 0x10 };

/* Decodes a frame of caplen captured bytes. Returns a pcap_packet_status. */
int pcap_packet_decode(int link, const uint8_t *frame, size_t caplen, pcap_packet *out);

#endif
