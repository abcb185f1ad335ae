/*
 * Writes a synthetic packet capture for benchmarks and for the tshark
 * comparison test. Clients on IPv4 and IPv6 make DNS lookups over UDP and
 * TCP, HTTPS connections with a TLS ClientHello, HTTP requests, refused
 * connections and UDP to NTP and syslog ports, one session after another in
 * time order.
 *
 * Usage: gen_pcap OUT SIZE [SEED] [FORMAT] [LINK] [beacon]
 *   OUT        the capture file, or - for standard output
 *   SIZE       stop after the file reaches this many MiB, or KiB with a K suffix ("64K")
 *   SEED       random seed, default 1; the same arguments give the same bytes
 *   FORMAT     pcap (microseconds, default), pcap-ns, pcapng
 *   LINK       ethernet (default), vlan (Ethernet with two VLAN tags), sll, sll2, raw
 *   beacon     instead of the mix: 40 lookups of c2.duckdns.org by 10.1.0.10, each
 *              followed by an HTTPS connection to 159.65.112.7 with that name as SNI,
 *              about every 300 s, and one small background session after each; SIZE
 *              is then only an upper bound. The address lies in DigitalOcean's
 *              159.65.0.0/16 (AS14061), where the simulator also puts its C2 servers;
 *              it is not known to belong to an attacker
 * A summary of what was written goes to standard error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/event/addr.h"
#include "../src/simulate/sim_pcap.h"

#define START_NS (INT64_C(1717200000) * IH_NS_PER_SEC) /* 2024-06-01T00:00:00Z */

static uint64_t rng_state;

/* xorshift64*: fast, and enough for choosing traffic. */
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static ih_addr addr4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    ih_addr x;
    memset(&x, 0, sizeof(x));
    x.family = IH_AF_INET;
    x.bytes[0] = (uint8_t)a;
    x.bytes[1] = (uint8_t)b;
    x.bytes[2] = (uint8_t)c;
    x.bytes[3] = (uint8_t)d;
    return x;
}

/* 2001:db8:<net>::<host> */
static ih_addr addr6(unsigned net, unsigned host)
{
    ih_addr x;
    memset(&x, 0, sizeof(x));
    x.family = IH_AF_INET6;
    x.bytes[0] = 0x20;
    x.bytes[1] = 0x01;
    x.bytes[2] = 0x0d;
    x.bytes[3] = 0xb8;
    x.bytes[4] = (uint8_t)(net >> 8);
    x.bytes[5] = (uint8_t)net;
    x.bytes[14] = (uint8_t)(host >> 8);
    x.bytes[15] = (uint8_t)host;
    return x;
}

static const char *const domains[] = {
    "example.com", "example.net", "example.org", "cdn.example.com", "api.example.net",
    "updates.example.org", "c2.duckdns.org", "files.example.com", "mail.example.net",
    "static.example.org",
};
#define NDOMAINS (sizeof(domains) / sizeof(domains[0]))

typedef struct gen {
    sim_pcap *w;
    ih_time t;
    uint16_t next_port;
    uint64_t sessions[6];
} gen;

static void fail(const char *what)
{
    fprintf(stderr, "gen_pcap: %s failed\n", what);
    exit(1);
}

/* A client of either family, and a server of the same family. */
static void endpoints(sim_pcap_flow *f, gen *g, bool server_is_resolver)
{
    bool v6 = below(5) == 0;
    unsigned c = below(200);
    memset(f, 0, sizeof(*f));
    f->client = v6 ? addr6(1, 0x100 + c) : addr4(10, 1, c / 100, 10 + c % 100);
    if (server_is_resolver)
        f->server = v6 ? addr6(1, 0x35) : addr4(10, 1, 0, 53);
    else
        f->server = v6 ? addr6(0xff, 1 + below(500)) : below(2) ? addr4(198, 51, 100, 1 + below(250))
                                                                : addr4(203, 0, 113, 1 + below(250));
    f->client_port = g->next_port;
    g->next_port = g->next_port >= 60999 ? 32768 : g->next_port + 1;
    f->client_seq = (uint32_t)rnd();
    f->server_seq = (uint32_t)rnd();
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + 7);
}

/* A lookup with 0 to 4 answers, sometimes through a CNAME, sometimes NXDOMAIN. */
static size_t dns_pair(uint8_t *query, size_t *qlen, uint8_t *resp, uint16_t id, char *name)
{
    const char *domain = domains[below(NDOMAINS)];
    snprintf(name, 128, "h%u.%s", below(1000), domain);
    bool aaaa = below(4) == 0;
    uint16_t qtype = aaaa ? 28 : 1;
    *qlen = sim_pcap_build_dns(query, 512, id, name, qtype, -1, NULL, 0);

    sim_dns_answer ans[5];
    char addrs[4][48], target[160];
    size_t n = 0;
    if (below(10) == 0)
        return sim_pcap_build_dns(resp, 1024, id, name, qtype, 3, NULL, 0);
    const char *owner = name;
    if (below(3) == 0) {
        snprintf(target, sizeof(target), "edge%u.cdn.example.net", below(50));
        ans[n++] = (sim_dns_answer){name, 5, 300 + below(3000), target};
        owner = target;
    }
    for (unsigned i = 0, k = 1 + below(4); i < k; i++) {
        if (aaaa)
            snprintf(addrs[i], sizeof(addrs[i]), "2001:db8:ff::%x", 1 + below(500));
        else
            snprintf(addrs[i], sizeof(addrs[i]), "198.51.100.%u", 1 + below(250));
        ans[n++] = (sim_dns_answer){owner, qtype, below(600), addrs[i]};
    }
    return sim_pcap_build_dns(resp, 1024, id, name, qtype, 0, ans, n);
}

static void udp_dns(gen *g)
{
    sim_pcap_flow f;
    uint8_t q[512], r[1024];
    size_t qlen;
    char name[128];
    endpoints(&f, g, true);
    f.server_port = 53;
    size_t rlen = dns_pair(q, &qlen, r, (uint16_t)rnd(), name);
    if (sim_pcap_udp_send(g->w, g->t, &f, true, q, qlen) < 0 ||
        sim_pcap_udp_send(g->w, g->t += 2000000, &f, false, r, rlen) < 0)
        fail("writing a DNS lookup");
    g->sessions[0]++;
}

static void tcp_dns(gen *g)
{
    sim_pcap_flow f;
    uint8_t q[514], r[1026];
    size_t qlen;
    char name[128];
    endpoints(&f, g, true);
    f.server_port = 53;
    size_t rlen = dns_pair(q + 2, &qlen, r + 2, (uint16_t)rnd(), name);
    q[0] = (uint8_t)(qlen >> 8);
    q[1] = (uint8_t)qlen;
    r[0] = (uint8_t)(rlen >> 8);
    r[1] = (uint8_t)rlen;
    ih_time t = g->t;
    if (sim_pcap_tcp_open(g->w, &t, 100000, &f) < 0 ||
        sim_pcap_tcp_send(g->w, &t, 100000, &f, true, q, qlen + 2) < 0 ||
        sim_pcap_tcp_send(g->w, &t, 100000, &f, false, r, rlen + 2) < 0 ||
        sim_pcap_tcp_close(g->w, &t, 100000, &f) < 0)
        fail("writing a DNS lookup over TCP");
    g->t = t;
    g->sessions[1]++;
}

/* An HTTPS or HTTP connection: handshake, the client's first bytes, a response, the close. */
static void tcp_session(gen *g, bool tls)
{
    static uint8_t body[65536];
    static bool filled;
    sim_pcap_flow f;
    uint8_t first[1500];
    size_t n;
    char host[160];

    if (!filled) {
        fill(body, sizeof(body));
        filled = true;
    }
    endpoints(&f, g, false);
    f.server_port = tls ? 443 : 80;
    snprintf(host, sizeof(host), "www%u.%s", below(20), domains[below(NDOMAINS)]);
    if (tls)
        n = sim_pcap_build_client_hello(first, sizeof(first), host);
    else
        n = (size_t)snprintf((char *)first, sizeof(first),
                             "GET /item/%u HTTP/1.1\r\nHost: %s\r\nUser-Agent: gen_pcap\r\n"
                             "Accept: */*\r\n\r\n",
                             below(100000), host);
    size_t response = 200 + below(24000);
    ih_time t = g->t;
    if (sim_pcap_tcp_open(g->w, &t, 300000, &f) < 0 ||
        sim_pcap_tcp_send(g->w, &t, 200000, &f, true, first, n) < 0)
        fail("writing a TCP connection");
    /* One connection in ten retransmits the client's first segment. */
    if (below(10) == 0) {
        uint8_t ip[SIM_PCAP_MAX_IP + 64];
        size_t len = sim_pcap_build_tcp(ip, sizeof(ip), &f.client, &f.server, f.client_port,
                                        f.server_port, f.client_seq - (uint32_t)n, f.server_seq,
                                        SIM_TCP_PSH | SIM_TCP_ACK, first, n);
        if (sim_pcap_write_ip(g->w, t += 200000, ip, len) < 0)
            fail("writing a retransmission");
    }
    if (sim_pcap_tcp_send(g->w, &t, 200000, &f, false, body, response) < 0 ||
        sim_pcap_tcp_close(g->w, &t, 200000, &f) < 0)
        fail("writing a TCP connection");
    g->t = t;
    g->sessions[tls ? 2 : 3]++;
}

/* A SYN answered by RST-ACK. */
static void refused(gen *g)
{
    sim_pcap_flow f;
    uint8_t ip[128];
    endpoints(&f, g, false);
    f.server_port = (uint16_t)(1 + below(1023));
    size_t n = sim_pcap_build_tcp(ip, sizeof(ip), &f.client, &f.server, f.client_port,
                                  f.server_port, f.client_seq, 0, SIM_TCP_SYN, NULL, 0);
    if (sim_pcap_write_ip(g->w, g->t, ip, n) < 0)
        fail("writing a SYN");
    n = sim_pcap_build_tcp(ip, sizeof(ip), &f.server, &f.client, f.server_port, f.client_port, 0,
                           f.client_seq + 1, SIM_TCP_RST | SIM_TCP_ACK, NULL, 0);
    if (sim_pcap_write_ip(g->w, g->t += 500000, ip, n) < 0)
        fail("writing a RST");
    g->sessions[4]++;
}

/* UDP datagrams to port 123 or 514, answered or not. */
static void udp_other(gen *g)
{
    sim_pcap_flow f;
    uint8_t data[256];
    fill(data, sizeof(data));
    endpoints(&f, g, false);
    f.server_port = below(2) ? 123 : 514;
    size_t n = 48 + below(200);
    if (sim_pcap_udp_send(g->w, g->t, &f, true, data, n) < 0)
        fail("writing a datagram");
    if (f.server_port == 123 && sim_pcap_udp_send(g->w, g->t += 1000000, &f, false, data, 48) < 0)
        fail("writing a datagram");
    g->sessions[5]++;
}

/* The beacon of the "beacon" mode: a lookup, then a short HTTPS connection to the answer. */
static void beacon(gen *g)
{
    sim_pcap_flow f;
    uint8_t q[512], r[512], hello[512], reply[300];
    const sim_dns_answer answer = {"c2.duckdns.org", 1, 60, "159.65.112.7"};

    memset(&f, 0, sizeof(f));
    f.client = addr4(10, 1, 0, 10);
    f.server = addr4(10, 1, 0, 53);
    f.client_port = g->next_port++;
    f.server_port = 53;
    uint16_t id = (uint16_t)rnd();
    size_t qn = sim_pcap_build_dns(q, sizeof(q), id, "c2.duckdns.org", 1, -1, NULL, 0);
    size_t rn = sim_pcap_build_dns(r, sizeof(r), id, "c2.duckdns.org", 1, 0, &answer, 1);
    if (sim_pcap_udp_send(g->w, g->t, &f, true, q, qn) < 0 ||
        sim_pcap_udp_send(g->w, g->t += 15000000, &f, false, r, rn) < 0)
        fail("writing the beacon's lookup");

    f.server = addr4(159, 65, 112, 7);
    f.client_port = g->next_port++;
    f.server_port = 443;
    f.client_seq = (uint32_t)rnd();
    f.server_seq = (uint32_t)rnd();
    size_t n = sim_pcap_build_client_hello(hello, sizeof(hello), "c2.duckdns.org");
    fill(reply, sizeof(reply));
    ih_time t = g->t + 5000000;
    if (sim_pcap_tcp_open(g->w, &t, 20000000, &f) < 0 ||
        sim_pcap_tcp_send(g->w, &t, 20000000, &f, true, hello, n) < 0 ||
        sim_pcap_tcp_send(g->w, &t, 20000000, &f, false, reply, sizeof(reply)) < 0 ||
        sim_pcap_tcp_close(g->w, &t, 20000000, &f) < 0)
        fail("writing the beacon's connection");
    g->t = t;
}

static int parse_args(int argc, char **argv, sim_pcap_options *opt, uint64_t *limit, bool *beacons)
{
    memset(opt, 0, sizeof(*opt));
    opt->format = SIM_PCAP_CLASSIC_USEC;
    opt->link = SIM_PCAP_ETHERNET;
    *beacons = argc == 7 && strcmp(argv[6], "beacon") == 0;
    if (argc < 3 || argc > 7 || (argc == 7 && !*beacons))
        return -1;
    char *end;
    uint64_t size = strtoull(argv[2], &end, 10);
    if (size == 0 || (*end && strcmp(end, "K") != 0))
        return -1;
    *limit = *end ? size << 10 : size << 20;
    rng_state = argc > 3 ? strtoull(argv[3], &end, 10) * 2 + 1 : 3;
    if (argc > 4) {
        if (strcmp(argv[4], "pcap-ns") == 0)
            opt->format = SIM_PCAP_CLASSIC_NSEC;
        else if (strcmp(argv[4], "pcapng") == 0)
            opt->format = SIM_PCAP_NG;
        else if (strcmp(argv[4], "pcap") != 0)
            return -1;
    }
    if (argc > 5) {
        if (strcmp(argv[5], "vlan") == 0) {
            opt->vlan[0] = 100;
            opt->vlan[1] = 200;
        } else if (strcmp(argv[5], "sll") == 0) {
            opt->link = SIM_PCAP_SLL;
        } else if (strcmp(argv[5], "sll2") == 0) {
            opt->link = SIM_PCAP_SLL2;
        } else if (strcmp(argv[5], "raw") == 0) {
            opt->link = SIM_PCAP_RAW;
        } else if (strcmp(argv[5], "ethernet") != 0) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    sim_pcap_options opt;
    uint64_t limit;
    bool beacons;

    if (parse_args(argc, argv, &opt, &limit, &beacons) < 0) {
        fprintf(stderr, "usage: gen_pcap OUT SIZE[K] [SEED] [pcap|pcap-ns|pcapng] "
                        "[ethernet|vlan|sll|sll2|raw] [beacon]\n");
        return 2;
    }
    FILE *out = strcmp(argv[1], "-") == 0 ? stdout : fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof(buf));
    gen g = {.t = START_NS, .next_port = 32768};
    g.w = sim_pcap_open(out, &opt);
    if (!g.w)
        fail("writing the file header");

    for (int i = 0; beacons && i < 40 && sim_pcap_bytes(g.w) < limit; i++) {
        ih_time start = START_NS + (ih_time)i * 300 * IH_NS_PER_SEC + (ih_time)below(20) * IH_NS_PER_SEC;
        if (start > g.t)
            g.t = start;
        beacon(&g);
        g.t += (ih_time)(5 + below(100)) * IH_NS_PER_SEC;
        if (below(2))
            udp_dns(&g);
        else
            refused(&g);
    }
    while (!beacons && sim_pcap_bytes(g.w) < limit) {
        unsigned pick = below(100);
        if (pick < 35)
            udp_dns(&g);
        else if (pick < 40)
            tcp_dns(&g);
        else if (pick < 70)
            tcp_session(&g, true);
        else if (pick < 85)
            tcp_session(&g, false);
        else if (pick < 92)
            refused(&g);
        else
            udp_other(&g);
        /* Each session starts 0 to 4 ms after the previous one ended, so packets are in time order. */
        g.t += (ih_time)below(4000000);
    }
    uint64_t bytes = sim_pcap_bytes(g.w);
    if (sim_pcap_close(g.w) < 0 || fflush(out) != 0 || (out != stdout && fclose(out) != 0))
        fail("writing the capture");
    fprintf(stderr,
            "gen_pcap: %" PRIu64 " bytes; %" PRIu64 " DNS over UDP, %" PRIu64 " DNS over TCP, %" PRIu64
            " HTTPS, %" PRIu64 " HTTP, %" PRIu64 " refused, %" PRIu64 " other UDP\n",
            bytes, g.sessions[0], g.sessions[1], g.sessions[2], g.sessions[3], g.sessions[4],
            g.sessions[5]);
    return 0;
}
