/*
 * Suricata eve.json: flow records for connections, dns query and answer
 * records (the format 2 answers of Suricata 7, with both the detailed and
 * the grouped layout), and the tls and http records that name a flow's
 * server, as a sensor on the LAN writes them with its clock on UTC.
 *
 * Suricata writes a flow record when the flow ends or times out, so its
 * timestamp is later than its start. Records are written in the order of
 * the events, so a file is only roughly in timestamp order, as real ones
 * are. Byte counts are whole frames (Ethernet header included), not
 * payload.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_formats.h"
#include "sim_out.h"

#define SENSOR "ids01.acme.local"
#define US 1000
#define ETHERNET 14

/* The User-Agent of Windows PowerShell's Invoke-WebRequest and of the browsers. */
static const char *user_agent(const sim_process *p)
{
    if (strcmp(p->name, "powershell.exe") == 0)
        return "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3996";
    if (strcmp(p->name, "svchost.exe") == 0)
        return "Microsoft-CryptoAPI/10.0";
    return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.0.0 Safari/537.36";
}

struct sim_writer {
    sim_out out;
};

/* A Suricata time: microseconds and the zone offset without a colon. */
static void eve_time(ih_time t, char out[40])
{
    sim_time_text(t, SIM_TIME_ISO_US, out);
    size_t n = strlen(out);
    memcpy(out + n - 1, "+0000", 6); /* in place of the Z */
}

/* The start of every record, up to and including "proto". */
static void record_start(sim_out *o, ih_time t, uint64_t flow_id, const char *type,
                         const sim_event *e)
{
    char ts[40];
    eve_time(t, ts);
    sim_out_printf(o,
                   "{\"timestamp\":\"%s\",\"flow_id\":%llu,\"event_type\":\"%s\",\"src_ip\":\"%s\","
                   "\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,\"proto\":\"%s\"",
                   ts, (unsigned long long)flow_id, type, e->process->host->ip, e->local_port,
                   e->remote_ip, e->remote_port, e->protocol == SIM_UDP ? "UDP" : "TCP");
}

/* The answers' data by record type, as Suricata's grouped layout lists them. */
static void write_grouped(sim_out *o, const sim_event *e)
{
    static const struct {
        uint16_t type;
        const char *name;
    } groups[] = {{1, "A"}, {5, "CNAME"}};
    bool first_group = true;

    sim_out_puts(o, ",\"grouped\":{");
    for (size_t g = 0; g < 2; g++) {
        size_t n = 0;
        for (size_t i = 0; i < e->nanswers; i++) {
            if (e->answers[i].type != groups[g].type)
                continue;
            if (n == 0)
                sim_out_printf(o, "%s\"%s\":[", first_group ? "" : ",", groups[g].name);
            else
                sim_out_puts(o, ",");
            sim_out_json(o, e->answers[i].data);
            first_group = false;
            n++;
        }
        if (n > 0)
            sim_out_puts(o, "]");
    }
    sim_out_puts(o, "}");
}

static void write_dns(sim_out *o, const sim_event *e, uint64_t flow_id)
{
    record_start(o, e->time, flow_id, "dns", e);
    sim_out_printf(o, ",\"dns\":{\"type\":\"query\",\"id\":%u,\"rrname\":", e->trans_id);
    sim_out_json(o, e->query);
    sim_out_printf(o, ",\"rrtype\":\"A\",\"tx_id\":0},\"host\":\"%s\"}\n", SENSOR);

    ih_time answered = e->time + e->rtt_us * US;
    record_start(o, answered, flow_id, "dns", e);
    sim_out_printf(o,
                   ",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":%u,\"flags\":\"%s\","
                   "\"qr\":true,\"rd\":true,\"ra\":true,\"rrname\":",
                   e->trans_id, e->rcode == 0 ? "8180" : "8183");
    sim_out_json(o, e->query);
    sim_out_printf(o, ",\"rrtype\":\"A\",\"rcode\":\"%s\"", e->rcode == 0 ? "NOERROR" : "NXDOMAIN");
    if (e->nanswers > 0) {
        /* Each record's owner is the query name or the CNAME target before it. */
        const char *owner = e->query;
        sim_out_puts(o, ",\"answers\":[");
        for (size_t i = 0; i < e->nanswers; i++) {
            const sim_answer *a = &e->answers[i];
            sim_out_puts(o, i ? ",{\"rrname\":" : "{\"rrname\":");
            sim_out_json(o, owner);
            sim_out_printf(o, ",\"rrtype\":\"%s\",\"ttl\":%u,\"rdata\":",
                           a->type == 5 ? "CNAME" : "A", a->ttl);
            sim_out_json(o, a->data);
            sim_out_puts(o, "}");
            if (a->type == 5)
                owner = a->data;
        }
        sim_out_puts(o, "]");
        write_grouped(o, e);
    }
    sim_out_printf(o, "},\"host\":\"%s\"}\n", SENSOR);
}

static void write_tls(sim_out *o, const sim_event *e, uint64_t flow_id)
{
    record_start(o, e->time + 40 * US, flow_id, "tls", e);
    sim_out_puts(o, ",\"tls\":{");
    if (e->remote_name[0]) {
        sim_out_puts(o, "\"sni\":");
        sim_out_json(o, e->remote_name);
        sim_out_puts(o, ",");
    }
    sim_out_printf(o, "\"version\":\"TLS 1.3\"},\"host\":\"%s\"}\n", SENSOR);
}

static void write_http(sim_out *o, const sim_event *e, uint64_t flow_id)
{
    record_start(o, e->time + 40 * US, flow_id, "http", e);
    sim_out_puts(o, ",\"tx_id\":0,\"http\":{\"hostname\":");
    sim_out_json(o, e->remote_name[0] ? e->remote_name : e->remote_ip);
    sim_out_printf(o, ",\"http_port\":%u,\"url\":\"%s\",\"http_user_agent\":", e->remote_port,
                   e->bytes_sent > 1000 ? "/news.php" : "/login/process.php");
    sim_out_json(o, user_agent(e->process));
    sim_out_printf(o,
                   ",\"http_content_type\":\"text/html\",\"http_method\":\"%s\",\"protocol\":"
                   "\"HTTP/1.1\",\"status\":200,\"length\":%llu},\"host\":\"%s\"}\n",
                   e->bytes_sent > 1000 ? "POST" : "GET",
                   (unsigned long long)(e->bytes_received > 200 ? e->bytes_received - 200 : 0),
                   SENSOR);
}

/* The flow record: counts of whole frames, its state and, for TCP, the flags each side sent. */
static void write_flow(sim_out *o, const sim_event *e, uint64_t flow_id, const char *app_proto)
{
    uint64_t to_server, to_client;
    uint32_t pkts_server = e->packets_sent, pkts_client = e->packets_received;
    const char *state = "closed", *tcp = NULL;
    ih_time end = e->time + e->duration_us * US;

    if (e->protocol == SIM_UDP) {
        state = "established";
        to_server = e->bytes_sent + (uint64_t)pkts_server * (ETHERNET + 28);
        to_client = e->bytes_received + (uint64_t)pkts_client * (ETHERNET + 28);
    } else if (e->outcome == SIM_REFUSED) {
        app_proto = NULL;
        to_server = 66;
        to_client = 60;
        tcp = "{\"tcp_flags\":\"16\",\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"14\",\"syn\":true,"
              "\"rst\":true,\"ack\":true,\"state\":\"closed\"}";
    } else if (e->outcome == SIM_NO_REPLY) {
        app_proto = NULL;
        state = "new";
        to_server = 66 * (uint64_t)pkts_server;
        to_client = 0;
        tcp = "{\"tcp_flags\":\"02\",\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"00\"}";
    } else {
        /* Payload, 40 bytes of IP and TCP header and 14 of Ethernet per frame, 12 of
           options on each SYN. */
        to_server = e->bytes_sent + (uint64_t)pkts_server * (ETHERNET + 40) + 12;
        to_client = e->bytes_received + (uint64_t)pkts_client * (ETHERNET + 40) + 12;
        tcp = "{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\",\"syn\":true,"
              "\"fin\":true,\"psh\":true,\"ack\":true,\"state\":\"closed\"}";
    }

    /* Suricata logs a flow once it has been idle for its timeout: 30 s for these. */
    char start[40], stop[40];
    eve_time(e->time, start);
    eve_time(end, stop);
    record_start(o, end + 30 * IH_NS_PER_SEC, flow_id, "flow", e);
    if (app_proto)
        sim_out_printf(o, ",\"app_proto\":\"%s\"", app_proto);
    sim_out_printf(o,
                   ",\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%llu,"
                   "\"bytes_toclient\":%llu,\"start\":\"%s\",\"end\":\"%s\",\"age\":%lld,"
                   "\"state\":\"%s\",\"reason\":\"timeout\",\"alerted\":false}",
                   pkts_server, pkts_client, (unsigned long long)to_server,
                   (unsigned long long)to_client, start, stop,
                   (long long)(end / IH_NS_PER_SEC - e->time / IH_NS_PER_SEC), state);
    if (tcp)
        sim_out_printf(o, ",\"tcp\":%s", tcp);
    sim_out_printf(o, ",\"host\":\"%s\"}\n", SENSOR);
}

void sim_suricata_write(sim_writer *w, const sim_event *e)
{
    if (e->kind == SIM_EVENT_DNS && e->cached)
        return;
    /* flow_id: a 51-bit number, as Suricata's hash of the flow's addresses. */
    uint64_t flow_id = (e->id >> 13) | 1;
    if (e->kind == SIM_EVENT_DNS) {
        write_dns(&w->out, e, flow_id);
        write_flow(&w->out, e, flow_id, "dns");
        return;
    }
    const char *app_proto = "failed";
    if (e->outcome == SIM_ESTABLISHED && e->service && strcmp(e->service, "ssl") == 0) {
        write_tls(&w->out, e, flow_id);
        app_proto = "tls";
    } else if (e->outcome == SIM_ESTABLISHED && e->service && strcmp(e->service, "http") == 0) {
        write_http(&w->out, e, flow_id);
        app_proto = "http";
    }
    write_flow(&w->out, e, flow_id, app_proto);
}

int sim_suricata_open(sim_writer **out, const char *path, const sim_layout *layout, char *err,
                      size_t errlen)
{
    (void)layout;
    sim_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (sim_out_open(&w->out, path, err, errlen) < 0) {
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

int sim_suricata_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen)
{
    if (bytes)
        *bytes = w->out.bytes;
    int rc = sim_out_close(&w->out, err, errlen);
    free(w);
    return rc;
}
