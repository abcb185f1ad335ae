/*
 * pcap: the simulated traffic as packets, through the capture writer of
 * sim_pcap.c, as a sensor on the LAN would capture it with tcpdump -s 1024.
 * The file is compiled only when that writer is in the tree; sim_format.c
 * checks the same condition.
 *
 * A lookup that reached the network is a DNS query and its response. A
 * connection is a TCP handshake, the client's data (a TLS ClientHello with
 * the server name, or an HTTP request with its Host header), the server's
 * data, and the close. Packets are cut to 1024 bytes, which keeps every DNS
 * message, ClientHello and request whole, and their IP lengths keep the full
 * payload. Payload above 64 KiB per direction is left out, so the byte
 * counts of larger connections are smaller than in the other formats. Each
 * connection's packets lie 1 ms apart from its start, so a long-lived
 * connection appears short.
 */
#if defined(__has_include)
#if __has_include("sim_pcap.c")
#define HAVE_SIM_PCAP_WRITER 1
#endif
#endif

#ifdef HAVE_SIM_PCAP_WRITER
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"
#include "sim_formats.h"
#include "sim_pcap.h"

#define SNAPLEN 1024
#define MAX_PAYLOAD (64u << 10)
#define STEP (IH_NS_PER_SEC / 1000)
#define CHUNK 65536

struct sim_writer {
    FILE *file;
    bool owned;
    sim_pcap *pcap;
    bool failed;
    char path[1024];
    uint8_t filler[CHUNK];
    uint8_t buf[CHUNK];
};

int sim_packets_open(sim_writer **out, const char *path, const sim_layout *layout, char *err,
                     size_t errlen)
{
    sim_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(w->path, sizeof(w->path), "%s", path ? path : "/dev/null");
    if (path && strcmp(path, "-") == 0) {
        w->file = stdout;
    } else {
        /* Counting writes to /dev/null, because the writer takes a FILE. */
        w->file = fopen(w->path, "wb");
        w->owned = true;
    }
    if (!w->file) {
        snprintf(err, errlen, "cannot create %s: %s", w->path, strerror(errno));
        free(w);
        return -1;
    }
    sim_pcap_options opt = {0};
    opt.format = layout && strcmp(layout->name, "pcapng") == 0 ? SIM_PCAP_NG : SIM_PCAP_CLASSIC_USEC;
    opt.link = SIM_PCAP_ETHERNET;
    opt.snaplen = SNAPLEN;
    w->pcap = sim_pcap_open(w->file, &opt);
    if (!w->pcap) {
        snprintf(err, errlen, "writing %s failed", w->path);
        if (w->owned)
            fclose(w->file);
        free(w);
        return -1;
    }
    /* Encrypted application data looks random; a fixed pattern replaces it. */
    for (size_t i = 0; i < CHUNK; i++)
        w->filler[i] = (uint8_t)(i * 131 + 7);
    *out = w;
    return 0;
}

static void write_dns(sim_writer *w, const sim_event *e, const sim_pcap_flow *f)
{
    sim_dns_answer answers[SIM_MAX_ANSWERS];
    const char *owner = e->query;
    for (size_t i = 0; i < e->nanswers; i++) {
        answers[i] = (sim_dns_answer){owner, e->answers[i].type, e->answers[i].ttl,
                                      e->answers[i].data};
        if (e->answers[i].type == 5)
            owner = e->answers[i].data;
    }
    size_t n = sim_pcap_build_dns(w->buf, sizeof(w->buf), e->trans_id, e->query, e->qtype, -1,
                                  NULL, 0);
    if (n == 0 || sim_pcap_udp_send(w->pcap, e->time, f, true, w->buf, n) < 0)
        w->failed = true;
    n = sim_pcap_build_dns(w->buf, sizeof(w->buf), e->trans_id, e->query, e->qtype, e->rcode,
                           answers, e->nanswers);
    if (n == 0 || sim_pcap_udp_send(w->pcap, e->time + e->rtt_us * 1000, f, false, w->buf, n) < 0)
        w->failed = true;
}

/* Sends len bytes from one side: first bytes, then filler up to len (at most 64 KiB). */
static int send_data(sim_writer *w, ih_time *t, sim_pcap_flow *f, bool from_client,
                     const uint8_t *first, size_t nfirst, uint64_t len)
{
    if (len > MAX_PAYLOAD)
        len = MAX_PAYLOAD;
    if (nfirst > len)
        len = nfirst;
    if (nfirst && sim_pcap_tcp_send(w->pcap, t, STEP, f, from_client, first, nfirst) < 0)
        return -1;
    for (uint64_t left = len - nfirst; left > 0;) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        if (sim_pcap_tcp_send(w->pcap, t, STEP, f, from_client, w->filler, n) < 0)
            return -1;
        left -= n;
    }
    return 0;
}

static void write_tcp(sim_writer *w, const sim_event *e, sim_pcap_flow *f)
{
    ih_time t = e->time;
    uint8_t ip[SIM_PCAP_MAX_IP];

    if (e->outcome != SIM_ESTABLISHED) {
        size_t n = sim_pcap_build_tcp(ip, sizeof(ip), &f->client, &f->server, f->client_port,
                                      f->server_port, f->client_seq, 0, SIM_TCP_SYN, NULL, 0);
        if (sim_pcap_write_ip(w->pcap, t, ip, n) < 0)
            w->failed = true;
        if (e->outcome == SIM_REFUSED) {
            n = sim_pcap_build_tcp(ip, sizeof(ip), &f->server, &f->client, f->server_port,
                                   f->client_port, 0, f->client_seq + 1,
                                   SIM_TCP_RST | SIM_TCP_ACK, NULL, 0);
            if (sim_pcap_write_ip(w->pcap, t + e->duration_us * 1000, ip, n) < 0)
                w->failed = true;
        }
        return;
    }

    /* The client's first bytes name the server, as a sensor captures them. */
    size_t nfirst = 0;
    bool http = e->service && strcmp(e->service, "http") == 0;
    bool tls = e->service && strcmp(e->service, "ssl") == 0;
    const char *host = e->remote_name[0] ? e->remote_name : e->remote_ip;
    if (http) {
        int k = snprintf((char *)w->buf, sizeof(w->buf),
                         "%s /index.php HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (Windows "
                         "NT 10.0; Win64; x64)\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                         e->bytes_sent > 1000 ? "POST" : "GET", host);
        nfirst = k > 0 ? (size_t)k : 0;
    } else if (tls) {
        nfirst = sim_pcap_build_client_hello(w->buf, sizeof(w->buf),
                                             e->remote_name[0] ? e->remote_name : NULL);
    }
    if (sim_pcap_tcp_open(w->pcap, &t, STEP, f) < 0 ||
        send_data(w, &t, f, true, w->buf, nfirst, e->bytes_sent) < 0 ||
        send_data(w, &t, f, false, NULL, 0, e->bytes_received) < 0 ||
        sim_pcap_tcp_close(w->pcap, &t, STEP, f) < 0)
        w->failed = true;
}

void sim_packets_write(sim_writer *w, const sim_event *e)
{
    if (w->failed || (e->kind == SIM_EVENT_DNS && e->cached))
        return;
    sim_pcap_flow f = {0};
    if (ih_addr_parse(e->process->host->ip, strlen(e->process->host->ip), &f.client) < 0 ||
        ih_addr_parse(e->remote_ip, strlen(e->remote_ip), &f.server) < 0) {
        w->failed = true;
        return;
    }
    f.client_port = e->local_port;
    f.server_port = e->remote_port;
    f.client_seq = (uint32_t)e->id;
    f.server_seq = (uint32_t)(e->id >> 32);
    if (e->kind == SIM_EVENT_DNS)
        write_dns(w, e, &f);
    else
        write_tcp(w, e, &f);
}

int sim_packets_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen)
{
    if (bytes)
        *bytes = sim_pcap_bytes(w->pcap);
    int rc = sim_pcap_close(w->pcap) < 0 || w->failed ? -1 : 0;
    if (fflush(w->file) != 0)
        rc = -1;
    if (w->owned && fclose(w->file) != 0)
        rc = -1;
    if (rc < 0)
        snprintf(err, errlen, "writing %s failed", w->path);
    free(w);
    return rc;
}
#endif
