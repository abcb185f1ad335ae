/*
 * A packet capture writer for classic pcap (microsecond or nanosecond time
 * stamps) and pcapng, with Ethernet (VLAN tags optional), Linux cooked (SLL,
 * SLL2) and raw IP link layers. Builders make the packets that infrahunt's
 * capture reader decodes: IPv4 and IPv6, TCP sessions with correct sequence
 * numbers and checksums, UDP, DNS queries and responses, and TLS ClientHello
 * with SNI. HTTP requests are plain TCP payload.
 *
 * The writer knows nothing of infrahunt's readers, so a capture written here
 * and read back tests one against the other, and tshark can read it too.
 *
 * Ownership: a sim_pcap writes to a FILE it does not own and does not close.
 * Builders write into buffers the caller owns and return the length written,
 * or 0 when the buffer is too small.
 */
#ifndef IH_SIM_PCAP_H
#define IH_SIM_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../event/event.h"

/* Link-layer header types, as numbered in capture files (LINKTYPE_* values). */
enum sim_pcap_link {
    SIM_PCAP_ETHERNET = 1,
    SIM_PCAP_RAW = 101,
    SIM_PCAP_SLL = 113,
    SIM_PCAP_SLL2 = 276,
};

enum sim_pcap_format {
    SIM_PCAP_CLASSIC_USEC, /* magic a1b2c3d4, microsecond time stamps */
    SIM_PCAP_CLASSIC_NSEC, /* magic a1b23c4d, nanosecond time stamps */
    SIM_PCAP_NG,           /* pcapng, one section, one interface with nanosecond time stamps */
};

typedef struct sim_pcap_options {
    enum sim_pcap_format format;
    enum sim_pcap_link link;
    uint32_t snaplen;     /* packets longer than this are cut, as a capture with -s would; 0: 262144 */
    uint16_t vlan[2];     /* VLAN IDs to tag Ethernet frames with, 0 for none; vlan[1] is inner */
} sim_pcap_options;

typedef struct sim_pcap sim_pcap;

/* Writes the file header. Returns NULL when out of memory or the header cannot be written. */
sim_pcap *sim_pcap_open(FILE *out, const sim_pcap_options *opt);

/* Frees w; the FILE stays open. Returns 0, or -1 when an earlier write failed. */
int sim_pcap_close(sim_pcap *w);

/*
 * Writes one packet whose network-layer bytes are ip[0..len), wrapped in the
 * writer's link-layer header. The IP version is read from the first byte.
 * Returns 0, or -1 when the write fails.
 */
int sim_pcap_write_ip(sim_pcap *w, ih_time t, const uint8_t *ip, size_t len);

/* Writes one frame as given, link-layer header included. */
int sim_pcap_write_frame(sim_pcap *w, ih_time t, const uint8_t *frame, size_t len);

/* Bytes written so far, headers included. */
uint64_t sim_pcap_bytes(const sim_pcap *w);

/* ---- Packets ---- */

/* TCP header flags. */
enum { SIM_TCP_FIN = 0x01, SIM_TCP_SYN = 0x02, SIM_TCP_RST = 0x04, SIM_TCP_PSH = 0x08,
       SIM_TCP_ACK = 0x10 };

/* Largest packet the builders make: an IPv6 header, a TCP header and 1400 bytes of payload. */
#define SIM_PCAP_MAX_IP 1500

/*
 * Builds an IPv4 or IPv6 packet (by the family of src, which dst must share)
 * around a transport header and payload: proto 6 with a 20-byte TCP header
 * from seq, ack and flags, or 17 with a UDP header. Checksums are computed.
 */
size_t sim_pcap_build_tcp(uint8_t *out, size_t cap, const ih_addr *src, const ih_addr *dst,
                          uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                          uint8_t flags, const uint8_t *payload, size_t len);
size_t sim_pcap_build_udp(uint8_t *out, size_t cap, const ih_addr *src, const ih_addr *dst,
                          uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len);

/* One resource record of a DNS response built by sim_pcap_build_dns(). */
typedef struct sim_dns_answer {
    const char *name;  /* owner name */
    uint16_t type;     /* 1 A, 28 AAAA, 5 CNAME, 16 TXT, or another type with empty data */
    uint32_t ttl;
    const char *data;  /* address text for A and AAAA, target name for CNAME, text for TXT */
} sim_dns_answer;

/*
 * Builds a DNS message: a query for name and qtype when answers is NULL and
 * rcode is -1, otherwise a response with rcode and the answers. Names are
 * written uncompressed, except that an owner name equal to the question is
 * a pointer to it.
 */
size_t sim_pcap_build_dns(uint8_t *out, size_t cap, uint16_t id, const char *name, uint16_t qtype,
                          int rcode, const sim_dns_answer *answers, size_t nanswers);

/* Builds a TLS 1.2 record holding a ClientHello, with a server_name extension when sni is not NULL. */
size_t sim_pcap_build_client_hello(uint8_t *out, size_t cap, const char *sni);

/* ---- Sessions ---- */

/* Both ends of a TCP or UDP exchange, and the next sequence number of each. */
typedef struct sim_pcap_flow {
    ih_addr client, server;
    uint16_t client_port, server_port;
    uint32_t client_seq, server_seq;
} sim_pcap_flow;

/* Writes SYN, SYN-ACK and ACK, each step_ns apart, starting at *t; *t ends after the last. */
int sim_pcap_tcp_open(sim_pcap *w, ih_time *t, ih_time step_ns, sim_pcap_flow *f);

/*
 * Writes data from one side as segments of at most 1400 bytes with PSH-ACK,
 * each followed by the other side's ACK.
 */
int sim_pcap_tcp_send(sim_pcap *w, ih_time *t, ih_time step_ns, sim_pcap_flow *f, bool from_client,
                      const uint8_t *data, size_t len);

/* Writes FIN-ACK from the client, FIN-ACK from the server and the client's last ACK. */
int sim_pcap_tcp_close(sim_pcap *w, ih_time *t, ih_time step_ns, sim_pcap_flow *f);

/* Writes one UDP datagram from either side. */
int sim_pcap_udp_send(sim_pcap *w, ih_time t, const sim_pcap_flow *f, bool from_client,
                      const uint8_t *data, size_t len);

#endif
