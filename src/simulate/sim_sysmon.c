/*
 * Sysmon event IDs 3 and 22 as JSON lines, in the two layouts of the OTRF
 * recordings:
 *
 * - nxlog: the 2020 recordings, collected by nxlog's im_msvistalog and
 *   shipped through Logstash. Event fields sit at the top level beside
 *   nxlog's own (EventTime, Hostname, RecordNumber, ...), numbers that
 *   Sysmon stores as integers are JSON strings, and the rendered Message uses
 *   CRLF line ends. Event ID 22 carries no User field, as Sysmon 10 and 11
 *   wrote it.
 * - winlogbeat: the 2019 recordings, winlogbeat 6.7. Event fields sit under
 *   event_data with empty values left out, and the message uses LF.
 *
 * The hosts' clocks are set to UTC, so nxlog's local times equal UTC.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_formats.h"
#include "sim_out.h"
#include "sim_sysmon.h"

#define MS (IH_NS_PER_SEC / 1000)

/* The forwarding collector of the nxlog and winlogbeat exports. */
#define COLLECTOR_HOST "wec01.acme.local"
#define COLLECTOR_BEAT "WEC01"

/* --- Events --- */

static void add_field(sim_sysmon_event *s, size_t *used, const char *name, const char *value)
{
    size_t n = strlen(value) + 1;
    if (s->nfields == SIM_SYSMON_MAX_FIELDS || *used + n > sizeof(s->text))
        return;
    memcpy(s->text + *used, value, n);
    s->names[s->nfields] = name;
    s->values[s->nfields++] = s->text + *used;
    *used += n;
}

static const char *empty_value(enum sim_sysmon_style style)
{
    return style == SIM_SYSMON_CURRENT ? "-" : "";
}

static const char *port_name(uint16_t port, enum sim_sysmon_style style)
{
    if (style == SIM_SYSMON_CURRENT)
        return "-";
    switch (port) {
    case 53: return "domain";
    case 80: return "http";
    case 443: return "https";
    default: return "";
    }
}

/* QueryResults: "type:  5 <name>;" for a CNAME, "::ffff:<IPv4>;" for an A record. */
static void query_results(const sim_event *e, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < e->nanswers && n < cap; i++) {
        const sim_answer *a = &e->answers[i];
        int k = a->type == 1 ? snprintf(out + n, cap - n, "::ffff:%s;", a->data)
                             : snprintf(out + n, cap - n, "type:  %u %s;", a->type, a->data);
        if (k < 0 || (size_t)k >= cap - n) {
            out[n] = '\0';
            break;
        }
        n += (size_t)k;
    }
    if (n == 0)
        snprintf(out, cap, "-");
}

static void fill_connection(const sim_event *e, enum sim_sysmon_style style, sim_sysmon_event *s,
                            size_t *used)
{
    const sim_process *p = e->process;
    char buf[16];

    add_field(s, used, "Image", p->image->path);
    add_field(s, used, "User", p->user);
    add_field(s, used, "Protocol", "tcp");
    add_field(s, used, "Initiated", "true");
    add_field(s, used, "SourceIsIpv6", "false");
    add_field(s, used, "SourceIp", p->host->ip);
    add_field(s, used, "SourceHostname",
              style == SIM_SYSMON_CURRENT ? "-" : p->host->computer);
    snprintf(buf, sizeof(buf), "%u", e->local_port);
    add_field(s, used, "SourcePort", buf);
    add_field(s, used, "SourcePortName", empty_value(style));
    add_field(s, used, "DestinationIsIpv6", "false");
    add_field(s, used, "DestinationIp", e->remote_ip);
    add_field(s, used, "DestinationHostname", e->remote_ptr[0] ? e->remote_ptr : empty_value(style));
    snprintf(buf, sizeof(buf), "%u", e->remote_port);
    add_field(s, used, "DestinationPort", buf);
    add_field(s, used, "DestinationPortName", port_name(e->remote_port, style));
}

static void fill_query(const sim_event *e, sim_sysmon_event *s, size_t *used)
{
    char results[1024];
    add_field(s, used, "QueryName", e->query);
    /* Windows reports DNS response codes as 9000 plus the code: 9003 is NXDOMAIN. */
    char status[8];
    snprintf(status, sizeof(status), "%u", e->rcode == 0 ? 0u : 9000u + e->rcode);
    add_field(s, used, "QueryStatus", status);
    query_results(e, results, sizeof(results));
    add_field(s, used, "QueryResults", results);
    add_field(s, used, "Image", e->process->image->path);
}

int sim_sysmon_event_fill(const sim_event *e, enum sim_sysmon_style style, sim_sysmon_event *s)
{
    bool connection = e->kind == SIM_EVENT_CONN;
    if (connection && (e->protocol != SIM_TCP || e->outcome != SIM_ESTABLISHED))
        return 0;

    size_t used = 0;
    char buf[40];
    s->nfields = 0;
    s->event_id = connection ? 3 : 22;
    s->version = 5;
    s->utc_time = e->time - e->time % MS;
    s->time_created = s->utc_time + (ih_time)(1 + e->id % 20) * MS;
    s->host = e->process->host;

    add_field(s, &used, "RuleName", empty_value(style));
    sim_time_text(s->utc_time, SIM_TIME_SYSMON, buf);
    add_field(s, &used, "UtcTime", buf);
    add_field(s, &used, "ProcessGuid", e->process->guid);
    snprintf(buf, sizeof(buf), "%u", e->process->pid);
    add_field(s, &used, "ProcessId", buf);
    if (connection)
        fill_connection(e, style, s, &used);
    else
        fill_query(e, s, &used);
    return 1;
}

const char *sim_sysmon_message_title(const sim_sysmon_event *s)
{
    return s->event_id == 3 ? "Network connection detected:" : "Dns query:";
}

/* --- JSON writer --- */

struct sim_writer {
    sim_out out;
    bool winlogbeat;
    uint64_t *records; /* the next EventRecordID per host */
    size_t nrecords;
    sim_sysmon_event event;
};

static uint64_t next_record(sim_writer *w, const sim_host *h)
{
    if (h->index >= w->nrecords) {
        size_t n = (size_t)h->index + 64;
        uint64_t *r = realloc(w->records, n * sizeof(*r));
        if (!r)
            return 0;
        for (size_t i = w->nrecords; i < n; i++)
            r[i] = 0;
        w->records = r;
        w->nrecords = n;
    }
    /* Each host's log starts at a record number of its own. */
    if (w->records[h->index] == 0)
        w->records[h->index] = 400000 + sim_hash(h->computer, 0) % 4000000;
    return w->records[h->index]++;
}

static void write_message(sim_out *o, const sim_sysmon_event *s, const char *newline)
{
    size_t len = strlen(sim_sysmon_message_title(s));
    char msg[4096];
    memcpy(msg, sim_sysmon_message_title(s), len);
    for (size_t i = 0; i < s->nfields; i++) {
        int k = snprintf(msg + len, sizeof(msg) - len, "%s%s: %s", newline, s->names[i],
                         s->values[i]);
        if (k < 0 || (size_t)k >= sizeof(msg) - len)
            break;
        len += (size_t)k;
    }
    msg[len] = '\0';
    sim_out_json(o, msg);
}

/* When the collector received the record: 0.5 to 3.5 s after Sysmon wrote it. */
static ih_time received_time(const sim_event *e, const sim_sysmon_event *s)
{
    return s->time_created + (ih_time)(500 + (e->id >> 20) % 3000) * MS;
}

static void write_nxlog(sim_writer *w, const sim_event *e, const sim_sysmon_event *s)
{
    sim_out *o = &w->out;
    char t[40];

    sim_time_text(s->time_created, SIM_TIME_SECONDS, t);
    sim_out_printf(o, "{\"EventTime\":\"%s\",\"Hostname\":", t);
    sim_out_json(o, s->host->computer);
    sim_out_printf(o,
                   ",\"Keywords\":-9223372036854775808,\"EventType\":\"INFO\",\"SeverityValue\":2,"
                   "\"Severity\":\"INFO\",\"EventID\":%u,\"SourceName\":\"%s\",\"ProviderGuid\":"
                   "\"%s\",\"Version\":%u,\"Task\":%u,\"OpcodeValue\":0,\"RecordNumber\":%llu,"
                   "\"ExecutionProcessID\":%u,\"ThreadID\":%u,\"Channel\":\"%s\",\"Domain\":"
                   "\"NT AUTHORITY\",\"AccountName\":\"SYSTEM\",\"UserID\":\"S-1-5-18\","
                   "\"AccountType\":\"User\",\"Message\":",
                   s->event_id, SIM_SYSMON_PROVIDER, SIM_SYSMON_PROVIDER_GUID, s->version,
                   s->event_id, (unsigned long long)next_record(w, s->host), s->host->sysmon_pid,
                   s->host->sysmon_tid, SIM_SYSMON_CHANNEL);
    write_message(o, s, "\r\n");
    for (size_t i = 0; i < s->nfields; i++) {
        sim_out_printf(o, ",\"%s\":", s->names[i]);
        sim_out_json(o, s->values[i]);
    }
    ih_time received = received_time(e, s);
    sim_time_text(received, SIM_TIME_SECONDS, t);
    sim_out_printf(o,
                   ",\"EventReceivedTime\":\"%s\",\"SourceModuleName\":\"eventlog\","
                   "\"SourceModuleType\":\"im_msvistalog\",\"port\":61514,\"@version\":\"1\"",
                   t);
    sim_time_text(received + 40 * MS, SIM_TIME_ISO_MS, t);
    sim_out_printf(o, ",\"@timestamp\":\"%s\",\"host\":\"%s\",\"tags\":[\"simulated\"]}\n", t,
                   COLLECTOR_HOST);
}

static void write_winlogbeat(sim_writer *w, const sim_event *e, const sim_sysmon_event *s)
{
    sim_out *o = &w->out;
    char t[40];

    sim_time_text(received_time(e, s), SIM_TIME_ISO_MS, t);
    sim_out_printf(o,
                   "{\"@timestamp\":\"%s\",\"@metadata\":{\"beat\":\"winlogbeat\",\"type\":\"doc\","
                   "\"version\":\"6.7.0\",\"topic\":\"winlogbeat\"},\"beat\":{\"name\":\"%s\","
                   "\"hostname\":\"%s\",\"version\":\"6.7.0\"},\"host\":{\"name\":\"%s\"},"
                   "\"computer_name\":",
                   t, COLLECTOR_BEAT, COLLECTOR_BEAT, COLLECTOR_BEAT);
    sim_out_json(o, s->host->computer);
    sim_out_printf(o,
                   ",\"log_name\":\"%s\",\"source_name\":\"%s\",\"provider_guid\":"
                   "\"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}\",\"event_id\":%u,\"version\":%u,"
                   "\"level\":\"Information\",\"task\":\"%s\",\"opcode\":\"Info\","
                   "\"record_number\":\"%llu\",\"process_id\":%u,\"thread_id\":%u,"
                   "\"type\":\"wineventlog\",\"user\":{\"identifier\":\"S-1-5-18\",\"name\":"
                   "\"SYSTEM\",\"domain\":\"NT AUTHORITY\",\"type\":\"User\"},\"event_data\":{",
                   SIM_SYSMON_CHANNEL, SIM_SYSMON_PROVIDER, s->event_id, s->version,
                   s->event_id == 3 ? "Network connection detected (rule: NetworkConnect)"
                                    : "Dns query (rule: DnsQuery)",
                   (unsigned long long)next_record(w, s->host), s->host->sysmon_pid,
                   s->host->sysmon_tid);
    /* winlogbeat 6 leaves out empty values. */
    bool first = true;
    for (size_t i = 0; i < s->nfields; i++) {
        if (!s->values[i][0])
            continue;
        sim_out_printf(o, "%s\"%s\":", first ? "" : ",", s->names[i]);
        sim_out_json(o, s->values[i]);
        first = false;
    }
    sim_out_puts(o, "},\"message\":");
    write_message(o, s, "\n");
    sim_out_puts(o, "}\n");
}

int sim_sysmon_json_open(sim_writer **out, const char *path, const sim_layout *layout, char *err,
                         size_t errlen)
{
    sim_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (sim_out_open(&w->out, path, err, errlen) < 0) {
        free(w);
        return -1;
    }
    w->winlogbeat = layout && strcmp(layout->name, "winlogbeat") == 0;
    *out = w;
    return 0;
}

void sim_sysmon_json_write(sim_writer *w, const sim_event *e)
{
    enum sim_sysmon_style style = w->winlogbeat ? SIM_SYSMON_2019 : SIM_SYSMON_CURRENT;
    if (!sim_sysmon_event_fill(e, style, &w->event))
        return;
    if (w->winlogbeat)
        write_winlogbeat(w, e, &w->event);
    else
        write_nxlog(w, e, &w->event);
}

int sim_sysmon_json_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen)
{
    if (bytes)
        *bytes = w->out.bytes;
    int rc = sim_out_close(&w->out, err, errlen);
    free(w->records);
    free(w);
    return rc;
}
