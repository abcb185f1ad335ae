/*
 * sysmon-evtx: the Sysmon events of sim_sysmon.c written as a Windows event
 * log file by the EVTX writer of sim_evtx.c, with the values current Sysmon
 * writes ("-" for empty names). The file is compiled only when that writer is
 * in the tree; sim_format.c checks the same condition.
 */
#if defined(__has_include)
#if __has_include("sim_evtx.c")
#define HAVE_SIM_EVTX_WRITER 1
#endif
#endif

#ifdef HAVE_SIM_EVTX_WRITER
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_evtx.h"
#include "sim_formats.h"
#include "sim_sysmon.h"

struct sim_writer {
    FILE *file;
    bool owned;
    sim_evtx *evtx;
    bool failed;
    char path[1024];
    sim_sysmon_event event;
};

/* The value of field name in s, or "" when s has none. */
static const char *field(const sim_sysmon_event *s, const char *name)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->values[i];
    return "";
}

int sim_sysmon_evtx_open(sim_writer **out, const char *path, const sim_layout *layout, char *err,
                         size_t errlen)
{
    if (path && strcmp(path, "-") == 0) {
        snprintf(err, errlen, "sysmon-evtx cannot write to standard output: the file header "
                              "is rewritten at the end, so give a file name");
        return -1;
    }
    sim_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* Counting needs a real file too, because the writer seeks back to its header. */
    w->file = path ? fopen(path, "w+b") : tmpfile();
    if (!w->file) {
        snprintf(err, errlen, "cannot create %s: %s", path ? path : "a temporary file",
                 strerror(errno));
        free(w);
        return -1;
    }
    w->owned = true;
    snprintf(w->path, sizeof(w->path), "%s", path ? path : "a temporary file");
    sim_evtx_options opt = {0};
    opt.layout = layout && strcmp(layout->name, "exported") == 0 ? SIM_EVTX_NESTED : SIM_EVTX_FLAT;
    w->evtx = sim_evtx_open(w->file, &opt);
    if (!w->evtx) {
        snprintf(err, errlen, "writing %s failed", w->path);
        fclose(w->file);
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

void sim_sysmon_evtx_write(sim_writer *w, const sim_event *e)
{
    const sim_sysmon_event *s = &w->event;
    if (w->failed || !sim_sysmon_event_fill(e, SIM_SYSMON_CURRENT, &w->event))
        return;
    const sim_process *p = e->process;
    int rc;
    if (s->event_id == 3) {
        sim_evtx_conn c = {
            .time = s->utc_time,
            .computer = p->host->computer,
            .rule_name = field(s, "RuleName"),
            .process_id = p->pid,
            .image = p->image->path,
            .user = p->user,
            .protocol = "tcp",
            .initiated = true,
            .source_ip = field(s, "SourceIp"),
            .source_hostname = field(s, "SourceHostname"),
            .source_port = e->local_port,
            .source_port_name = field(s, "SourcePortName"),
            .destination_ip = field(s, "DestinationIp"),
            .destination_hostname = field(s, "DestinationHostname"),
            .destination_port = e->remote_port,
            .destination_port_name = field(s, "DestinationPortName"),
        };
        rc = sim_evtx_write_conn(w->evtx, &c);
    } else {
        sim_evtx_dns d = {
            .time = s->utc_time,
            .computer = p->host->computer,
            .rule_name = field(s, "RuleName"),
            .process_id = p->pid,
            .query_name = field(s, "QueryName"),
            .query_status = field(s, "QueryStatus"),
            .query_results = field(s, "QueryResults"),
            .image = p->image->path,
            .user = p->user,
        };
        rc = sim_evtx_write_dns(w->evtx, &d);
    }
    if (rc < 0)
        w->failed = true;
}

int sim_sysmon_evtx_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen)
{
    int rc = sim_evtx_close(w->evtx) < 0 || w->failed ? -1 : 0;
    if (bytes) {
        /* Closing the writer left the position after the rewritten file header. */
        off_t end = fseeko(w->file, 0, SEEK_END) == 0 ? ftello(w->file) : -1;
        *bytes = end > 0 ? (uint64_t)end : 0;
    }
    if (fclose(w->file) != 0)
        rc = -1;
    if (rc < 0)
        snprintf(err, errlen, "writing %s failed", w->path);
    free(w);
    return rc;
}
#endif
