/*
 * The format table, and the loop that feeds generated events to a writer.
 * A format is a row here and a writer file. The sysmon-evtx row uses the EVTX
 * writer of sim_evtx.c, and reports the format as not available when that
 * file is not in the tree.
 */
#include <stdio.h>
#include <string.h>

#include "sim_formats.h"

#if defined(__has_include)
#if __has_include("sim_evtx.c")
#define HAVE_SIM_EVTX_WRITER 1
#endif
#if __has_include("sim_pcap.c")
#define HAVE_SIM_PCAP_WRITER 1
#endif
#endif

/* Background events generated to measure a format's bytes per event for --size. */
#define SIZE_SAMPLE_EVENTS 20000

static const sim_layout defender_json_layouts[] = {
    {"advanced-hunting", false, "one JSON object per row, as advanced hunting results"},
};
static const sim_layout defender_csv_layouts[] = {
    {"portal", false, "the portal's CSV export of advanced hunting results"},
};
static const sim_layout sysmon_json_layouts[] = {
    {"nxlog", false, "flat records with nxlog's fields, through Logstash (OTRF 2020)"},
    {"winlogbeat", false, "winlogbeat 6.7 records with the fields under event_data (OTRF 2019)"},
};
static const sim_layout zeek_tsv_layouts[] = {
    {"files", true, "conn.log and dns.log in a folder"},
};
static const sim_layout zeek_json_layouts[] = {
    {"files", true, "conn.log and dns.log as JSON lines in a folder"},
    {"stream", false, "both logs in one JSON lines file, each record naming its log in _path"},
};
static const sim_layout sysmon_evtx_layouts[] = {
    {"live", false, "records as Sysmon writes them to its log"},
    {"exported", false, "records as Event Viewer or wevtutil save them"},
};
static const sim_layout suricata_layouts[] = {
    {"eve", false, "eve.json lines: flow, dns, tls and http records"},
};
static const sim_layout pcap_layouts[] = {
    {"pcap", false, "classic pcap, microsecond time stamps, Ethernet, 1024-byte snapshots"},
    {"pcapng", false, "pcapng, one interface, Ethernet, 1024-byte snapshots"},
};

#define LAYOUTS(list) list, sizeof(list) / sizeof(list[0])

static const sim_format defender_json = {
    "defender-json", "Defender DeviceNetworkEvents, advanced hunting JSON lines",
    LAYOUTS(defender_json_layouts), NULL, sim_defender_json_open, sim_defender_write,
    sim_defender_close,
};
static const sim_format defender_csv = {
    "defender-csv", "Defender DeviceNetworkEvents, CSV", LAYOUTS(defender_csv_layouts), NULL,
    sim_defender_csv_open, sim_defender_write, sim_defender_close,
};
static const sim_format sysmon_json = {
    "sysmon-json", "Sysmon event IDs 3 and 22, JSON lines", LAYOUTS(sysmon_json_layouts), NULL,
    sim_sysmon_json_open, sim_sysmon_json_write, sim_sysmon_json_close,
};
#ifdef HAVE_SIM_EVTX_WRITER
static const sim_format sysmon_evtx = {
    "sysmon-evtx", "Sysmon event IDs 3 and 22, Windows event log file",
    LAYOUTS(sysmon_evtx_layouts), NULL, sim_sysmon_evtx_open, sim_sysmon_evtx_write,
    sim_sysmon_evtx_close,
};
#else
static const sim_format sysmon_evtx = {
    "sysmon-evtx", "Sysmon event IDs 3 and 22, Windows event log file",
    LAYOUTS(sysmon_evtx_layouts), "the EVTX writer is not part of this build yet", NULL, NULL,
    NULL,
};
#endif
static const sim_format zeek_tsv = {
    "zeek-tsv", "Zeek conn.log and dns.log, tab-separated", LAYOUTS(zeek_tsv_layouts), NULL,
    sim_zeek_tsv_open, sim_zeek_write, sim_zeek_close,
};
static const sim_format zeek_json = {
    "zeek-json", "Zeek conn.log and dns.log, JSON lines", LAYOUTS(zeek_json_layouts), NULL,
    sim_zeek_json_open, sim_zeek_write, sim_zeek_close,
};
static const sim_format suricata_eve = {
    "suricata-eve", "Suricata eve.json", LAYOUTS(suricata_layouts), NULL, sim_suricata_open,
    sim_suricata_write, sim_suricata_close,
};
#ifdef HAVE_SIM_PCAP_WRITER
static const sim_format pcap = {
    "pcap", "packet capture", LAYOUTS(pcap_layouts), NULL, sim_packets_open, sim_packets_write,
    sim_packets_close,
};
#else
static const sim_format pcap = {
    "pcap", "packet capture", LAYOUTS(pcap_layouts),
    "the capture writer is not part of this build yet", NULL, NULL, NULL,
};
#endif

const sim_format *const sim_formats[] = {
    &defender_json, &defender_csv, &sysmon_json, &sysmon_evtx,
    &zeek_tsv,      &zeek_json,    &suricata_eve, &pcap,
    NULL,
};

const sim_format *sim_format_find(const char *name)
{
    for (size_t i = 0; sim_formats[i]; i++)
        if (strcmp(sim_formats[i]->name, name) == 0)
            return sim_formats[i];
    return NULL;
}

const sim_layout *sim_format_layout(const sim_format *f, const char *name)
{
    if (!name)
        return &f->layouts[0];
    for (size_t i = 0; i < f->nlayouts; i++)
        if (strcmp(f->layouts[i].name, name) == 0)
            return &f->layouts[i];
    return NULL;
}

/* Generates o into path (NULL only counts); stores the bytes written in *bytes. */
static int generate(const sim_options *o, const sim_format *f, const sim_layout *layout,
                    const char *path, uint64_t *bytes, char *err, size_t errlen)
{
    sim_gen *g = sim_gen_new(o);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sim_writer *w;
    if (f->open(&w, path, layout, err, errlen) < 0) {
        sim_gen_free(g);
        return -1;
    }
    sim_event e;
    while (sim_gen_next(g, &e) == 1)
        f->write(w, &e);
    int rc = f->close(w, bytes, err, errlen);
    sim_gen_free(g);
    return rc;
}

int sim_run(const sim_options *o, const sim_format *f, const sim_layout *layout,
            const char *path, uint64_t size_bytes, char *err, size_t errlen)
{
    if (f->unavailable) {
        snprintf(err, errlen, "%s is not available: %s", f->name, f->unavailable);
        return -1;
    }
    if (size_bytes == 0)
        return generate(o, f, layout, path, NULL, err, errlen);

    /* Measure the tests alone and with a sample of background, then scale the
       background to the size asked for. */
    sim_options probe = *o;
    uint64_t base, sample;
    probe.background = 0;
    if (generate(&probe, f, layout, NULL, &base, err, errlen) < 0)
        return -1;
    probe.background = SIZE_SAMPLE_EVENTS;
    if (generate(&probe, f, layout, NULL, &sample, err, errlen) < 0)
        return -1;
    double per_event = (double)(sample - base) / SIZE_SAMPLE_EVENTS;
    sim_options sized = *o;
    sized.background =
        size_bytes > base && per_event > 0 ? (uint64_t)((double)(size_bytes - base) / per_event) : 0;
    return generate(&sized, f, layout, path, NULL, err, errlen);
}
