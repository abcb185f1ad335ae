/*
 * The flow table of the capture reader. It turns decoded TCP and UDP packets
 * into connection events (TCP handshake state, payload bytes each way) and
 * DNS events (a query paired with its response, over UDP and TCP). It names
 * the server of a TCP connection from the client's TLS SNI or HTTP Host.
 *
 * A connection is emitted when it ends: after the idle timeout of its
 * protocol, shortly after it closes, when its port pair is reused by a new
 * SYN, when the table is full, or at the end of the capture. Packets must be
 * handed over in capture order; time stamps that go backwards are tolerated.
 *
 * Ownership: the table owns every flow and copies what it keeps of a packet.
 * Strings of the events it hands to the sink live only during the call.
 */
#ifndef IH_PCAP_FLOW_H
#define IH_PCAP_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"
#include "pcap_packet.h"

/* Where the table delivers events and reports problems. offset is the capture offset of the packet. */
typedef struct pcap_flow_sink {
    int (*conn)(void *arg, const ih_conn *c, uint64_t offset); /* 0, or -1 to stop */
    int (*dns)(void *arg, const ih_dns *d, uint64_t offset);   /* 0, or -1 to stop */
    void (*skip)(void *arg, const char *reason);
    void (*bad)(void *arg, uint64_t offset, const char *reason, const char *detail);
    void *arg;
} pcap_flow_sink;

typedef struct pcap_flow_limits {
    ih_time tcp_idle;     /* an open TCP connection ends after this long without packets */
    ih_time tcp_closed;   /* a TCP connection ends this long after its FINs or RST */
    ih_time udp_idle;     /* a UDP flow ends after this long without packets */
    size_t max_flows;     /* flows kept at once; the least recently seen ends first */
    size_t max_queries;   /* DNS queries awaiting a response per flow */
} pcap_flow_limits;

/* 300 s, 5 s, 60 s, 262144 flows, 64 queries. */
extern const pcap_flow_limits pcap_flow_default_limits;

typedef struct pcap_flows pcap_flows;

/* Makes a table; limits NULL means the defaults. Returns NULL when out of memory. */
pcap_flows *pcap_flows_new(const pcap_flow_sink *sink, const pcap_flow_limits *limits);

/*
 * Adds one decoded packet (status PCAP_PACKET_OK) captured at time t from
 * capture offset offset. Returns 0, or -1 when the sink asked to stop or
 * memory ran out.
 */
int pcap_flows_packet(pcap_flows *t, ih_time time, uint64_t offset, const pcap_packet *p);

/* Ends every flow still open, in the order of their first packets. Returns 0 or -1 as above. */
int pcap_flows_finish(pcap_flows *t);

/* Frees the table and every flow still in it, without emitting them. */
void pcap_flows_free(pcap_flows *t);

#endif
