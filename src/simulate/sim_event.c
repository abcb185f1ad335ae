/*
 * Building events: DNS lookups with wire sizes, and connections with payload,
 * packet counts and durations drawn from a service's ranges.
 */
#include <stdio.h>
#include <string.h>

#include "sim_catalog.h"

void sim_ipv4_text(uint32_t addr, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(addr >> 24), (unsigned)((addr >> 16) & 0xff),
             (unsigned)((addr >> 8) & 0xff), (unsigned)(addr & 0xff));
}

uint16_t sim_ephemeral_port(sim_rng *r)
{
    return (uint16_t)sim_rng_range(r, 49152, 65535);
}

void sim_event_start(sim_event *e, uint8_t kind, ih_time t, const sim_process *p, sim_rng *r)
{
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->time = t;
    e->process = p;
    e->id = sim_rng_next(r);
    e->local_port = sim_ephemeral_port(r);
}

/* Bytes of a name in DNS wire format: a length byte per label, the labels, the root byte. */
static uint64_t wire_name_length(const char *name)
{
    return strlen(name) + 2;
}

void sim_event_dns(sim_event *e, sim_rng *r, const char *name, const char *const *cname,
                   uint32_t cname_ttl, const uint32_t *addrs, size_t naddrs, uint32_t ttl)
{
    e->protocol = SIM_UDP;
    e->remote_port = 53;
    e->service = "dns";
    snprintf(e->remote_ip, sizeof(e->remote_ip), "%s", SIM_RESOLVER_IP);
    snprintf(e->query, sizeof(e->query), "%s", name);
    e->qtype = 1;
    e->rcode = 0;
    e->trans_id = (uint16_t)sim_rng_below(r, 65536);
    e->rtt_us = (int64_t)sim_rng_log_range(r, 400, 45000);
    e->duration_us = e->rtt_us;

    /* Header, question; each answer adds a compressed owner name, type, class, TTL,
       length and data. */
    uint64_t question = 12 + wire_name_length(name) + 4;
    uint64_t response = question;
    for (size_t i = 0; cname && cname[i] && e->nanswers < SIM_MAX_ANSWERS; i++) {
        sim_answer *a = &e->answers[e->nanswers++];
        a->type = 5;
        a->ttl = cname_ttl;
        snprintf(a->data, sizeof(a->data), "%s", cname[i]);
        response += 12 + wire_name_length(cname[i]);
    }
    for (size_t i = 0; i < naddrs && e->nanswers < SIM_MAX_ANSWERS; i++) {
        sim_answer *a = &e->answers[e->nanswers++];
        a->type = 1;
        a->ttl = ttl;
        sim_ipv4_text(addrs[i], a->data);
        response += 16;
    }
    e->bytes_sent = question;
    e->bytes_received = response;
    e->packets_sent = 1;
    e->packets_received = 1;
}

/* Full-size TCP segments needed for n payload bytes. */
static uint32_t segments(uint64_t n)
{
    return (uint32_t)((n + 1459) / 1460);
}

void sim_event_conn(sim_event *e, sim_rng *r, const sim_service *s, uint32_t addr,
                    const char *remote_name)
{
    e->protocol = s->protocol;
    e->remote_port = s->port;
    e->service = s->zeek_service;
    e->outcome = SIM_ESTABLISHED;
    sim_ipv4_text(addr, e->remote_ip);
    snprintf(e->remote_name, sizeof(e->remote_name), "%s", remote_name ? remote_name : "");
    sim_ptr_name(s->ptr_style, addr, e->remote_ptr);
    uint64_t sent = sim_rng_log_range(r, s->sent_min, s->sent_max);
    uint64_t received = sim_rng_log_range(r, s->received_min, s->received_max);
    sim_event_payload(e, sent, received);
    e->duration_us = (int64_t)sim_rng_log_range(r, s->duration_min_ms, s->duration_max_ms) * 1000 +
                     (int64_t)sim_rng_below(r, 1000);
}

void sim_event_payload(sim_event *e, uint64_t sent, uint64_t received)
{
    e->bytes_sent = sent;
    e->bytes_received = received;
    /* SYN, handshake ACK, data, one ACK per two segments received, FIN and last ACK. */
    uint32_t out = segments(sent), in = segments(received);
    e->packets_sent = 4 + out + (in + 1) / 2;
    e->packets_received = 2 + in + (out + 1) / 2;
}

void sim_ptr_name(uint8_t style, uint32_t addr, char out[SIM_NAME_MAX])
{
    unsigned a = addr >> 24, b = (addr >> 16) & 0xff, c = (addr >> 8) & 0xff, d = addr & 0xff;
    switch (style) {
    case SIM_PTR_AWS:
        snprintf(out, SIM_NAME_MAX, "ec2-%u-%u-%u-%u.compute-1.amazonaws.com", a, b, c, d);
        break;
    case SIM_PTR_AKAMAI:
        snprintf(out, SIM_NAME_MAX, "a%u-%u-%u-%u.deploy.static.akamaitechnologies.com", a, b, c,
                 d);
        break;
    case SIM_PTR_CLOUDFRONT:
        snprintf(out, SIM_NAME_MAX, "server-%u-%u-%u-%u.fra56.r.cloudfront.net", a, b, c, d);
        break;
    default:
        out[0] = '\0';
        break;
    }
}

size_t sim_service_pick(const sim_service *s, sim_rng *r, uint32_t *out, size_t n)
{
    size_t npools = 0;
    uint64_t total = 0;
    while (npools < 4 && s->pools[npools].count) {
        total += s->pools[npools].count;
        npools++;
    }
    if (n > total)
        n = (size_t)total;

    size_t picked = 0;
    for (int attempt = 0; picked < n && attempt < 64 * (int)n + 64; attempt++) {
        /* A pool is chosen in proportion to its size, then an address inside it. */
        uint64_t k = sim_rng_below(r, total);
        size_t p = 0;
        while (k >= s->pools[p].count) {
            k -= s->pools[p].count;
            p++;
        }
        uint32_t a = sim_pool_pick(&s->pools[p], r);
        bool seen = false;
        for (size_t i = 0; i < picked; i++)
            seen |= out[i] == a;
        if (!seen)
            out[picked++] = a;
    }
    return picked;
}
