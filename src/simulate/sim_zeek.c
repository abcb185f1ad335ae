/*
 * Zeek conn.log and dns.log, as a sensor on the LAN would write them with
 * Site::local_nets set to 10.0.0.0/8. Three encodings: TSV with Zeek's
 * header lines, JSON lines in one file per log (LogAscii::use_json), or one
 * JSON stream of both logs with _path and _write_ts, as the
 * json-streaming-logs package writes them.
 *
 * Every connection and every DNS lookup that reached the network (not those
 * the host's cache answered) is a conn.log record; each of those lookups is
 * also a dns.log record with the same uid. Records are written in order of
 * their start time; Zeek writes a connection when it ends, so real logs are
 * only roughly in that order.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_formats.h"
#include "sim_out.h"

static const char conn_fields[] =
    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\t"
    "resp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\t"
    "orig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents";
static const char conn_types[] =
    "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\t"
    "bool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]";
static const char dns_fields[] =
    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\t"
    "qclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected";
static const char dns_types[] =
    "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\t"
    "string\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool";

enum encoding { TSV, JSON_FILES, JSON_STREAM };

/* One log file: its output, and the time of its first and last record. */
typedef struct zeek_log {
    sim_out out;
    const char *path_name; /* "conn" or "dns" */
    const char *fields, *types;
    bool header_written;
    ih_time last;
} zeek_log;

struct sim_writer {
    enum encoding encoding;
    zeek_log conn, dns; /* the stream layout writes both into conn.out */
};

/* Values of one conn.log record, shared by the encodings. */
typedef struct conn_record {
    const char *state, *history;
    uint64_t orig_bytes, resp_bytes, orig_ip_bytes, resp_ip_bytes;
    uint32_t orig_pkts, resp_pkts;
    bool bytes_known;
} conn_record;

/* Zeek's connection uid: "C" and 17 base-62 digits. */
static void make_uid(uint64_t id, char out[20])
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t x = id, y = sim_hash("uid", id);
    out[0] = 'C';
    for (int i = 1; i <= 17; i++) {
        uint64_t *v = i <= 9 ? &x : &y;
        out[i] = digits[*v % 62];
        *v /= 62;
    }
    out[18] = '\0';
}

static void describe_conn(const sim_event *e, conn_record *c)
{
    memset(c, 0, sizeof(*c));
    c->orig_pkts = e->packets_sent;
    c->resp_pkts = e->packets_received;
    if (e->protocol == SIM_UDP) {
        c->state = "SF";
        c->history = "Dd";
        c->bytes_known = true;
        c->orig_bytes = e->bytes_sent;
        c->resp_bytes = e->bytes_received;
        c->orig_ip_bytes = e->bytes_sent + 28 * (uint64_t)c->orig_pkts;
        c->resp_ip_bytes = e->bytes_received + 28 * (uint64_t)c->resp_pkts;
        return;
    }
    switch (e->outcome) {
    case SIM_REFUSED:
        c->state = "REJ";
        c->history = "Sr";
        c->bytes_known = true;
        c->orig_ip_bytes = 52;
        c->resp_ip_bytes = 40;
        break;
    case SIM_NO_REPLY:
        c->state = "S0";
        c->history = "S";
        c->bytes_known = true;
        c->orig_ip_bytes = 52 * (uint64_t)c->orig_pkts;
        break;
    default:
        c->state = "SF";
        /* Which side sent its FIN first varies. */
        c->history = e->id & 1 ? "ShADadFf" : "ShADadfF";
        c->bytes_known = true;
        c->orig_bytes = e->bytes_sent;
        c->resp_bytes = e->bytes_received;
        /* 40 bytes of IP and TCP header per packet, 12 more of options on the SYNs. */
        c->orig_ip_bytes = e->bytes_sent + 40 * (uint64_t)c->orig_pkts + 12;
        c->resp_ip_bytes = e->bytes_received + 40 * (uint64_t)c->resp_pkts + 12;
        break;
    }
}

/* --- TSV --- */

static void write_tsv_header(zeek_log *log, ih_time opened)
{
    char t[40];
    sim_time_text(opened, SIM_TIME_ZEEK_OPEN, t);
    sim_out_printf(&log->out,
                   "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                   "#unset_field\t-\n#path\t%s\n#open\t%s\n#fields\t%s\n#types\t%s\n",
                   log->path_name, t, log->fields, log->types);
    log->header_written = true;
}

static void tsv_conn(zeek_log *log, const sim_event *e, const char *uid)
{
    conn_record c;
    char ts[40];
    describe_conn(e, &c);
    sim_time_text(e->time, SIM_TIME_EPOCH_US, ts);
    sim_out_printf(&log->out, "%s\t%s\t%s\t%u\t%s\t%u\t%s\t%s\t%lld.%06lld\t%llu\t%llu\t%s\tT\tF\t0\t"
                              "%s\t%u\t%llu\t%u\t%llu\t-\n",
                   ts, uid, e->process->host->ip, e->local_port, e->remote_ip, e->remote_port,
                   e->protocol == SIM_UDP ? "udp" : "tcp", e->service ? e->service : "-",
                   (long long)(e->duration_us / 1000000), (long long)(e->duration_us % 1000000),
                   (unsigned long long)c.orig_bytes, (unsigned long long)c.resp_bytes, c.state,
                   c.history, c.orig_pkts, (unsigned long long)c.orig_ip_bytes, c.resp_pkts,
                   (unsigned long long)c.resp_ip_bytes);
}

static void tsv_dns(zeek_log *log, const sim_event *e, const char *uid)
{
    sim_out *o = &log->out;
    char ts[40];
    sim_time_text(e->time, SIM_TIME_EPOCH_US, ts);
    sim_out_printf(o, "%s\t%s\t%s\t%u\t%s\t53\tudp\t%u\t%lld.%06lld\t%s\t1\tC_INTERNET\t1\tA\t%u\t%s\t"
                      "F\tF\tT\tT\t0\t",
                   ts, uid, e->process->host->ip, e->local_port, e->remote_ip, e->trans_id,
                   (long long)(e->rtt_us / 1000000), (long long)(e->rtt_us % 1000000), e->query,
                   e->rcode, e->rcode == 0 ? "NOERROR" : "NXDOMAIN");
    if (e->nanswers == 0) {
        sim_out_puts(o, "-\t-\tF\n");
        return;
    }
    for (size_t i = 0; i < e->nanswers; i++) {
        sim_out_puts(o, i ? "," : "");
        sim_out_puts(o, e->answers[i].data);
    }
    sim_out_puts(o, "\t");
    for (size_t i = 0; i < e->nanswers; i++)
        sim_out_printf(o, "%s%u.000000", i ? "," : "", e->answers[i].ttl);
    sim_out_puts(o, "\tF\n");
}

/* --- JSON --- */

/* The start of a record: _path and _write_ts in the stream layout, then ts and the ids. */
static void json_start(sim_writer *w, sim_out *o, const char *path, const sim_event *e,
                       const char *uid)
{
    char ts[40];
    if (w->encoding == JSON_STREAM) {
        ih_time written = e->time + e->duration_us * 1000 + 1000000;
        sim_time_text(written, SIM_TIME_ISO_US, ts);
        sim_out_printf(o, "{\"_path\":\"%s\",\"_write_ts\":\"%s\",", path, ts);
        sim_time_text(e->time, SIM_TIME_ISO_US, ts);
        sim_out_printf(o, "\"ts\":\"%s\"", ts);
    } else {
        sim_time_text(e->time, SIM_TIME_EPOCH_US, ts);
        sim_out_printf(o, "{\"ts\":%s", ts);
    }
    sim_out_printf(o, ",\"uid\":\"%s\",\"id.orig_h\":\"%s\",\"id.orig_p\":%u,\"id.resp_h\":\"%s\","
                      "\"id.resp_p\":%u,\"proto\":\"%s\"",
                   uid, e->process->host->ip, e->local_port, e->remote_ip, e->remote_port,
                   e->protocol == SIM_UDP ? "udp" : "tcp");
}

static void json_conn(sim_writer *w, sim_out *o, const sim_event *e, const char *uid)
{
    conn_record c;
    describe_conn(e, &c);
    json_start(w, o, "conn", e, uid);
    if (e->service)
        sim_out_printf(o, ",\"service\":\"%s\"", e->service);
    sim_out_printf(o, ",\"duration\":%lld.%06lld,\"orig_bytes\":%llu,\"resp_bytes\":%llu,"
                      "\"conn_state\":\"%s\",\"local_orig\":true,\"local_resp\":false,"
                      "\"missed_bytes\":0,\"history\":\"%s\",\"orig_pkts\":%u,\"orig_ip_bytes\":%llu,"
                      "\"resp_pkts\":%u,\"resp_ip_bytes\":%llu}\n",
                   (long long)(e->duration_us / 1000000), (long long)(e->duration_us % 1000000),
                   (unsigned long long)c.orig_bytes, (unsigned long long)c.resp_bytes, c.state,
                   c.history, c.orig_pkts, (unsigned long long)c.orig_ip_bytes, c.resp_pkts,
                   (unsigned long long)c.resp_ip_bytes);
}

static void json_dns(sim_writer *w, sim_out *o, const sim_event *e, const char *uid)
{
    json_start(w, o, "dns", e, uid);
    sim_out_printf(o, ",\"trans_id\":%u,\"rtt\":%lld.%06lld,\"query\":", e->trans_id,
                   (long long)(e->rtt_us / 1000000), (long long)(e->rtt_us % 1000000));
    sim_out_json(o, e->query);
    sim_out_printf(o, ",\"qclass\":1,\"qclass_name\":\"C_INTERNET\",\"qtype\":1,\"qtype_name\":"
                      "\"A\",\"rcode\":%u,\"rcode_name\":\"%s\",\"AA\":false,\"TC\":false,"
                      "\"RD\":true,\"RA\":true,\"Z\":0",
                   e->rcode, e->rcode == 0 ? "NOERROR" : "NXDOMAIN");
    if (e->nanswers > 0) {
        sim_out_puts(o, ",\"answers\":[");
        for (size_t i = 0; i < e->nanswers; i++) {
            sim_out_puts(o, i ? "," : "");
            sim_out_json(o, e->answers[i].data);
        }
        sim_out_puts(o, "],\"TTLs\":[");
        for (size_t i = 0; i < e->nanswers; i++)
            sim_out_printf(o, "%s%u.0", i ? "," : "", e->answers[i].ttl);
        sim_out_puts(o, "]");
    }
    sim_out_puts(o, ",\"rejected\":false}\n");
}

/* --- The writer --- */

static void record(sim_writer *w, zeek_log *log, const sim_event *e, const char *uid, bool dns)
{
    if (w->encoding == TSV) {
        if (!log->header_written)
            write_tsv_header(log, e->time);
        if (dns)
            tsv_dns(log, e, uid);
        else
            tsv_conn(log, e, uid);
    } else {
        sim_out *o = w->encoding == JSON_STREAM ? &w->conn.out : &log->out;
        if (dns)
            json_dns(w, o, e, uid);
        else
            json_conn(w, o, e, uid);
    }
    log->last = e->time;
}

void sim_zeek_write(sim_writer *w, const sim_event *e)
{
    if (e->kind == SIM_EVENT_DNS && e->cached)
        return;
    char uid[20];
    make_uid(e->id, uid);
    record(w, &w->conn, e, uid, false);
    if (e->kind == SIM_EVENT_DNS)
        record(w, &w->dns, e, uid, true);
}

static int open_log(zeek_log *log, const char *folder, const char *name, char *err, size_t errlen)
{
    char path[1024];
    if (!folder)
        return sim_out_open(&log->out, NULL, err, errlen);
    if (sim_path_join(path, sizeof(path), folder, name) < 0) {
        snprintf(err, errlen, "path too long: %s/%s", folder, name);
        return -1;
    }
    return sim_out_open(&log->out, path, err, errlen);
}

static int open_writer(sim_writer **out, const char *path, enum encoding encoding, char *err,
                       size_t errlen)
{
    sim_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    w->encoding = encoding;
    w->conn = (zeek_log){.path_name = "conn", .fields = conn_fields, .types = conn_types};
    w->dns = (zeek_log){.path_name = "dns", .fields = dns_fields, .types = dns_types};

    int rc;
    if (encoding == JSON_STREAM) {
        rc = sim_out_open(&w->conn.out, path, err, errlen);
    } else {
        /* Zeek names JSON logs .log as well. */
        rc = path ? sim_make_folder(path, err, errlen) : 0;
        if (rc == 0)
            rc = open_log(&w->conn, path, "conn.log", err, errlen);
        if (rc == 0 && open_log(&w->dns, path, "dns.log", err, errlen) < 0) {
            char ignored[8];
            sim_out_close(&w->conn.out, ignored, sizeof(ignored));
            rc = -1;
        }
    }
    if (rc < 0) {
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

int sim_zeek_tsv_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                      size_t errlen)
{
    (void)layout;
    return open_writer(w, path, TSV, err, errlen);
}

int sim_zeek_json_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                       size_t errlen)
{
    bool stream = layout && strcmp(layout->name, "stream") == 0;
    return open_writer(w, path, stream ? JSON_STREAM : JSON_FILES, err, errlen);
}

/* Ends a TSV log with its #close line; a log without records still gets its header. */
static void finish_tsv(zeek_log *log, ih_time fallback)
{
    char t[40];
    if (!log->header_written)
        write_tsv_header(log, fallback);
    sim_time_text((log->last ? log->last : fallback) + IH_NS_PER_SEC, SIM_TIME_ZEEK_OPEN, t);
    sim_out_printf(&log->out, "#close\t%s\n", t);
}

int sim_zeek_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen)
{
    if (w->encoding == TSV) {
        /* A log without records gets the time of the other one in its header. */
        ih_time any = SIM_DEFAULT_START;
        if (w->conn.last)
            any = w->conn.last;
        else if (w->dns.last)
            any = w->dns.last;
        finish_tsv(&w->conn, any);
        finish_tsv(&w->dns, any);
    }
    if (bytes)
        *bytes = w->conn.out.bytes + w->dns.out.bytes;
    int rc = sim_out_close(&w->conn.out, err, errlen);
    if (w->encoding != JSON_STREAM) {
        char second[256];
        if (sim_out_close(&w->dns.out, second, sizeof(second)) < 0 && rc == 0) {
            snprintf(err, errlen, "%s", second);
            rc = -1;
        }
    }
    free(w);
    return rc;
}
