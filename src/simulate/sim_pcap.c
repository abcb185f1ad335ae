/*
 * The capture writer. Every multi-byte field of the file format is written in
 * little-endian order (the order of the writing machine does not matter), and
 * every field of a packet in network order.
 */
#include "sim_pcap.h"

#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"

struct sim_pcap {
    FILE *out;
    sim_pcap_options opt;
    uint64_t bytes;
    bool failed;
};

/* ---- Byte order ---- */

static void put16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- File ---- */

static void emit(sim_pcap *w, const void *data, size_t len)
{
    if (!w->failed && len && fwrite(data, 1, len, w->out) != len)
        w->failed = true;
    w->bytes += len;
}

static uint32_t snaplen(const sim_pcap *w)
{
    return w->opt.snaplen ? w->opt.snaplen : 262144;
}

sim_pcap *sim_pcap_open(FILE *out, const sim_pcap_options *opt)
{
    sim_pcap *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->out = out;
    w->opt = *opt;

    uint8_t h[64];
    if (opt->format == SIM_PCAP_NG) {
        /* Section header block: type, length, byte-order magic, version 1.0, unknown section length. */
        put32le(h, 0x0A0D0D0A);
        put32le(h + 4, 28);
        put32le(h + 8, 0x1A2B3C4D);
        put16le(h + 12, 1);
        put16le(h + 14, 0);
        put32le(h + 16, 0xFFFFFFFF);
        put32le(h + 20, 0xFFFFFFFF);
        put32le(h + 24, 28);
        emit(w, h, 28);
        /* Interface description block with if_tsresol = 9 (nanoseconds) and opt_endofopt. */
        put32le(h, 1);
        put32le(h + 4, 32);
        put16le(h + 8, (uint16_t)opt->link);
        put16le(h + 10, 0);
        put32le(h + 12, snaplen(w));
        put16le(h + 16, 9);
        put16le(h + 18, 1);
        h[20] = 9;
        h[21] = h[22] = h[23] = 0;
        put32le(h + 24, 0);
        put32le(h + 28, 32);
        emit(w, h, 32);
    } else {
        put32le(h, opt->format == SIM_PCAP_CLASSIC_NSEC ? 0xA1B23C4D : 0xA1B2C3D4);
        put16le(h + 4, 2);
        put16le(h + 6, 4);
        put32le(h + 8, 0);
        put32le(h + 12, 0);
        put32le(h + 16, snaplen(w));
        put32le(h + 20, (uint32_t)opt->link);
        emit(w, h, 24);
    }
    if (w->failed) {
        free(w);
        return NULL;
    }
    return w;
}

int sim_pcap_close(sim_pcap *w)
{
    int rc = w->failed ? -1 : 0;
    free(w);
    return rc;
}

uint64_t sim_pcap_bytes(const sim_pcap *w)
{
    return w->bytes;
}

int sim_pcap_write_frame(sim_pcap *w, ih_time t, const uint8_t *frame, size_t len)
{
    uint32_t caplen = len < snaplen(w) ? (uint32_t)len : snaplen(w);
    uint64_t secs = (uint64_t)(t / IH_NS_PER_SEC), ns = (uint64_t)(t % IH_NS_PER_SEC);
    uint8_t h[28];

    if (w->opt.format == SIM_PCAP_NG) {
        /* Enhanced packet block: time stamp in units of if_tsresol, split in two 32-bit halves. */
        uint64_t units = (uint64_t)t;
        uint32_t padded = (caplen + 3) & ~3u, total = 32 + padded;
        put32le(h, 6);
        put32le(h + 4, total);
        put32le(h + 8, 0);
        put32le(h + 12, (uint32_t)(units >> 32));
        put32le(h + 16, (uint32_t)units);
        put32le(h + 20, caplen);
        put32le(h + 24, (uint32_t)len);
        emit(w, h, 28);
        emit(w, frame, caplen);
        static const uint8_t zeros[4];
        emit(w, zeros, padded - caplen);
        put32le(h, total);
        emit(w, h, 4);
    } else {
        uint32_t sub = w->opt.format == SIM_PCAP_CLASSIC_NSEC ? (uint32_t)ns : (uint32_t)(ns / 1000);
        put32le(h, (uint32_t)secs);
        put32le(h + 4, sub);
        put32le(h + 8, caplen);
        put32le(h + 12, (uint32_t)len);
        emit(w, h, 16);
        emit(w, frame, caplen);
    }
    return w->failed ? -1 : 0;
}

int sim_pcap_write_ip(sim_pcap *w, ih_time t, const uint8_t *ip, size_t len)
{
    uint8_t frame[SIM_PCAP_MAX_IP + 64];
    uint16_t ethertype = len && (ip[0] >> 4) == 6 ? 0x86DD : 0x0800;
    size_t h = 0;

    if (len > SIM_PCAP_MAX_IP + 20)
        return -1;
    switch (w->opt.link) {
    case SIM_PCAP_ETHERNET:
        /* Locally administered MAC addresses. */
        memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
        h = 12;
        for (int i = 0; i < 2; i++) {
            if (!w->opt.vlan[i])
                continue;
            put16be(frame + h, i == 0 && w->opt.vlan[1] ? 0x88A8 : 0x8100);
            put16be(frame + h + 2, w->opt.vlan[i] & 0x0FFF);
            h += 4;
        }
        put16be(frame + h, ethertype);
        h += 2;
        break;
    case SIM_PCAP_SLL:
        /* Packet type 4 (sent by us), ARPHRD_ETHER, a 6-byte address, then the protocol. */
        put16be(frame, 4);
        put16be(frame + 2, 1);
        put16be(frame + 4, 6);
        memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
        put16be(frame + 14, ethertype);
        h = 16;
        break;
    case SIM_PCAP_SLL2:
        /* Protocol, reserved, interface index 2, ARPHRD_ETHER, packet type 4, address length 6. */
        put16be(frame, ethertype);
        put16be(frame + 2, 0);
        put32be(frame + 4, 2);
        put16be(frame + 8, 1);
        frame[10] = 4;
        frame[11] = 6;
        memcpy(frame + 12, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
        h = 20;
        break;
    case SIM_PCAP_RAW:
        break;
    }
    memcpy(frame + h, ip, len);
    return sim_pcap_write_frame(w, t, frame, h + len);
}

/* ---- Packets ---- */

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)(p[len - 1] << 8);
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/*
 * Writes the IP header for a transport segment of seg_len bytes at out and
 * returns its length; *pseudo receives the checksum sum of the pseudo-header.
 */
static size_t ip_header(uint8_t *out, const ih_addr *src, const ih_addr *dst, uint8_t proto,
                        size_t seg_len, uint32_t *pseudo)
{
    if (src->family == IH_AF_INET6) {
        out[0] = 0x60;
        out[1] = out[2] = out[3] = 0;
        put16be(out + 4, (uint16_t)seg_len);
        out[6] = proto;
        out[7] = 64;
        memcpy(out + 8, src->bytes, 16);
        memcpy(out + 24, dst->bytes, 16);
        *pseudo = sum16(out + 8, 32, 0) + (uint32_t)seg_len + proto;
        return 40;
    }
    out[0] = 0x45;
    out[1] = 0;
    put16be(out + 2, (uint16_t)(20 + seg_len));
    put16be(out + 4, 0);      /* identification, unused when fragmenting is forbidden */
    put16be(out + 6, 0x4000); /* don't fragment */
    out[8] = 64;
    out[9] = proto;
    put16be(out + 10, 0);
    memcpy(out + 12, src->bytes, 4);
    memcpy(out + 16, dst->bytes, 4);
    put16be(out + 10, fold(sum16(out, 20, 0)));
    *pseudo = sum16(out + 12, 8, 0) + (uint32_t)seg_len + proto;
    return 20;
}

size_t sim_pcap_build_tcp(uint8_t *out, size_t cap, const ih_addr *src, const ih_addr *dst,
                          uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                          uint8_t flags, const uint8_t *payload, size_t len)
{
    size_t ip_len = src->family == IH_AF_INET6 ? 40 : 20;
    if (cap < ip_len + 20 + len || 20 + len > 65535)
        return 0;

    uint32_t pseudo;
    size_t h = ip_header(out, src, dst, 6, 20 + len, &pseudo);
    uint8_t *t = out + h;
    put16be(t, sport);
    put16be(t + 2, dport);
    put32be(t + 4, seq);
    put32be(t + 8, flags & SIM_TCP_ACK ? ack : 0);
    t[12] = 5 << 4;
    t[13] = flags;
    put16be(t + 14, 64240);
    put16be(t + 16, 0);
    put16be(t + 18, 0);
    if (len)
        memcpy(t + 20, payload, len);
    put16be(t + 16, fold(sum16(t, 20 + len, pseudo)));
    return h + 20 + len;
}

size_t sim_pcap_build_udp(uint8_t *out, size_t cap, const ih_addr *src, const ih_addr *dst,
                          uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len)
{
    size_t ip_len = src->family == IH_AF_INET6 ? 40 : 20;
    if (cap < ip_len + 8 + len || 8 + len > 65535)
        return 0;

    uint32_t pseudo;
    size_t h = ip_header(out, src, dst, 17, 8 + len, &pseudo);
    uint8_t *u = out + h;
    put16be(u, sport);
    put16be(u + 2, dport);
    put16be(u + 4, (uint16_t)(8 + len));
    put16be(u + 6, 0);
    if (len)
        memcpy(u + 8, payload, len);
    uint16_t sum = fold(sum16(u, 8 + len, pseudo));
    put16be(u + 6, sum ? sum : 0xFFFF);
    return h + 8 + len;
}

/* Writes name as DNS labels; returns the length, or 0 if it does not fit or a label is too long. */
static size_t put_name(uint8_t *out, size_t cap, const char *name)
{
    size_t o = 0;

    while (*name) {
        const char *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        if (n == 0 || n > 63 || o + 1 + n + 1 > cap)
            return 0;
        out[o++] = (uint8_t)n;
        memcpy(out + o, name, n);
        o += n;
        name += n + (dot ? 1 : 0);
    }
    if (o + 1 > cap)
        return 0;
    out[o++] = 0;
    return o;
}

/* Writes the data of one answer into out; returns its length, or -1 when it does not fit. */
static long put_rdata(uint8_t *out, size_t cap, const sim_dns_answer *a)
{
    ih_addr addr;
    size_t n;

    switch (a->type) {
    case 1:
    case 28:
        if (!a->data || ih_addr_parse(a->data, strlen(a->data), &addr) != 0 ||
            (a->type == 1) != (addr.family == IH_AF_INET))
            return -1;
        n = addr.family == IH_AF_INET ? 4 : 16;
        if (cap < n)
            return -1;
        memcpy(out, addr.bytes, n);
        return (long)n;
    case 5:
        n = a->data ? put_name(out, cap, a->data) : 0;
        return n ? (long)n : -1;
    case 16:
        n = a->data ? strlen(a->data) : 0;
        if (n > 255 || cap < n + 1)
            return -1;
        out[0] = (uint8_t)n;
        memcpy(out + 1, a->data, n);
        return (long)(n + 1);
    default:
        return 0;
    }
}

size_t sim_pcap_build_dns(uint8_t *out, size_t cap, uint16_t id, const char *name, uint16_t qtype,
                          int rcode, const sim_dns_answer *answers, size_t nanswers)
{
    bool response = answers != NULL || rcode >= 0;
    if (cap < 12)
        return 0;

    /* Header: id, flags (QR and RA on responses, RD always), one question, the answers. */
    uint16_t flags = 0x0100;
    if (response)
        flags = (uint16_t)(0x8180 | (rcode > 0 ? rcode & 0xF : 0));
    put16be(out, id);
    put16be(out + 2, flags);
    put16be(out + 4, 1);
    put16be(out + 6, (uint16_t)nanswers);
    put16be(out + 8, 0);
    put16be(out + 10, 0);
    size_t o = 12, n = put_name(out + o, cap - o, name);
    if (!n || cap - o - n < 4)
        return 0;
    o += n;
    put16be(out + o, qtype);
    put16be(out + o + 2, 1);
    o += 4;

    for (size_t i = 0; i < nanswers; i++) {
        const sim_dns_answer *a = &answers[i];
        if (strcmp(a->name, name) == 0) {
            if (cap - o < 2)
                return 0;
            put16be(out + o, 0xC000 | 12); /* a pointer to the question's name */
            o += 2;
        } else {
            n = put_name(out + o, cap - o, a->name);
            if (!n)
                return 0;
            o += n;
        }
        if (cap - o < 10)
            return 0;
        put16be(out + o, a->type);
        put16be(out + o + 2, 1);
        put32be(out + o + 4, a->ttl);
        long rdlen = put_rdata(out + o + 10, cap - o - 10, a);
        if (rdlen < 0)
            return 0;
        put16be(out + o + 8, (uint16_t)rdlen);
        o += 10 + (size_t)rdlen;
    }
    return o;
}

size_t sim_pcap_build_client_hello(uint8_t *out, size_t cap, const char *sni)
{
    size_t sni_len = sni ? strlen(sni) : 0;
    /* Extensions: server_name (when sni is set) and supported_groups with x25519. */
    size_t ext_len = (sni ? 9 + sni_len : 0) + 8;
    size_t hello_len = 2 + 32 + 1 + 4 + 2 + 2 + ext_len;
    size_t total = 5 + 4 + hello_len;
    if (cap < total || sni_len > 1024)
        return 0;

    uint8_t *p = out;
    p[0] = 22; /* handshake record */
    put16be(p + 1, 0x0301);
    put16be(p + 3, (uint16_t)(4 + hello_len));
    p += 5;
    p[0] = 1; /* ClientHello */
    p[1] = (uint8_t)(hello_len >> 16);
    put16be(p + 2, (uint16_t)hello_len);
    p += 4;
    put16be(p, 0x0303);
    for (int i = 0; i < 32; i++)
        p[2 + i] = (uint8_t)(i * 7 + 1); /* client random, fixed so captures are reproducible */
    p += 34;
    *p++ = 0;           /* empty session id */
    put16be(p, 2);      /* one cipher suite */
    put16be(p + 2, 0xC02F);
    p += 4;
    *p++ = 1;           /* one compression method: null */
    *p++ = 0;
    put16be(p, (uint16_t)ext_len);
    p += 2;
    if (sni) {
        put16be(p, 0);  /* server_name */
        put16be(p + 2, (uint16_t)(5 + sni_len));
        put16be(p + 4, (uint16_t)(3 + sni_len));
        p[6] = 0;       /* host_name */
        put16be(p + 7, (uint16_t)sni_len);
        memcpy(p + 9, sni, sni_len);
        p += 9 + sni_len;
    }
    put16be(p, 10);     /* supported_groups */
    put16be(p + 2, 4);
    put16be(p + 4, 2);
    put16be(p + 6, 29);
    p += 8;
    return (size_t)(p - out);
}

/* ---- Sessions ---- */

static int write_tcp(sim_pcap *w, ih_time t, const sim_pcap_flow *f, bool from_client,
                     uint8_t flags, const uint8_t *data, size_t len)
{
    uint8_t ip[SIM_PCAP_MAX_IP + 64];
    const ih_addr *src = from_client ? &f->client : &f->server;
    const ih_addr *dst = from_client ? &f->server : &f->client;
    uint16_t sport = from_client ? f->client_port : f->server_port;
    uint16_t dport = from_client ? f->server_port : f->client_port;
    uint32_t seq = from_client ? f->client_seq : f->server_seq;
    uint32_t ack = from_client ? f->server_seq : f->client_seq;

    size_t n = sim_pcap_build_tcp(ip, sizeof(ip), src, dst, sport, dport, seq, ack, flags, data, len);
    return n ? sim_pcap_write_ip(w, t, ip, n) : -1;
}

int sim_pcap_tcp_open(sim_pcap *w, ih_time *t, ih_time step_ns, sim_pcap_flow *f)
{
    if (write_tcp(w, *t, f, true, SIM_TCP_SYN, NULL, 0) < 0)
        return -1;
    f->client_seq++;
    *t += step_ns;
    if (write_tcp(w, *t, f, false, SIM_TCP_SYN | SIM_TCP_ACK, NULL, 0) < 0)
        return -1;
    f->server_seq++;
    *t += step_ns;
    return write_tcp(w, *t, f, true, SIM_TCP_ACK, NULL, 0);
}

int sim_pcap_tcp_send(sim_pcap *w, ih_time *t, ih_time step_ns, sim_pcap_flow *f, bool from_client,
                      const uint8_t *data, size_t len)
{
    for (size_t at = 0; at < len;) {
        size_t n = len - at < 1400 ? len - at : 1400;
        *t += step_ns;
        if (write_tcp(w, *t, f, from_client, SIM_TCP_PSH | SIM_TCP_ACK, data + at, n) < 0)
            return -1;
        if (from_client)
            f->client_seq += (uint32_t)n;
        else
            f->server_seq += (uint32_t)n;
        *t += step_ns;
        if (write_tcp(w, *t, f, !from_client, SIM_TCP_ACK, NULL, 0) < 0)
            return -1;
        at += n;
    }
    return 0;
}

int sim_pcap_tcp_close(sim_pcap *w, ih_time *t, ih_time step_ns, sim_pcap_flow *f)
{
    *t += step_ns;
    if (write_tcp(w, *t, f, true, SIM_TCP_FIN | SIM_TCP_ACK, NULL, 0) < 0)
        return -1;
    f->client_seq++;
    *t += step_ns;
    if (write_tcp(w, *t, f, false, SIM_TCP_FIN | SIM_TCP_ACK, NULL, 0) < 0)
        return -1;
    f->server_seq++;
    *t += step_ns;
    return write_tcp(w, *t, f, true, SIM_TCP_ACK, NULL, 0);
}

int sim_pcap_udp_send(sim_pcap *w, ih_time t, const sim_pcap_flow *f, bool from_client,
                      const uint8_t *data, size_t len)
{
    uint8_t ip[SIM_PCAP_MAX_IP + 64];
    size_t n = from_client ? sim_pcap_build_udp(ip, sizeof(ip), &f->client, &f->server,
                                                f->client_port, f->server_port, data, len)
                           : sim_pcap_build_udp(ip, sizeof(ip), &f->server, &f->client,
                                                f->server_port, f->client_port, data, len);
    return n ? sim_pcap_write_ip(w, t, ip, n) : -1;
}
