/*
 * Splunk SPL over Sysmon event 3 as the Splunk Add-on for Sysmon extracts it
 * (XmlWinEventLog source, Sysmon's own field names). The three parts are one
 * search: part 1 is the main search and parts 2 and 3 are appended.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields spl_fields = {
    .conn_source = "*",
    .time = "_time",
    .device_id = "Computer (Sysmon has no device id)",
    .device_name = "Computer",
    .action = "Initiated (true: outbound)",
    .remote_ip = "DestinationIp",
    .remote_port = "DestinationPort",
    .remote_url = "DestinationHostname",
    .process = "Image (file name taken after the last backslash)",
    .bytes_sent = NULL,
    .bytes_received = NULL,
    .dns_source = "source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\" EventCode=22",
    .dns_query = "QueryName",
    .dns_answers = "QueryResults",
    .dns_process = "Image",
};

static const char *const spl_notes[] = {
    "Sysmon logs a connection without telling success from attempt, so both ActionTypes are "
    "Initiated=true events.",
    "values() returns samples in lexicographic order, not first seen; the first N are kept.",
    "dc() is exact in Splunk. Part 1's window is earliest=-lookback from the search time; "
    "infrahunt uses the newest event (or --now).",
    "Parts 2 and 3 run as append subsearches, which Splunk limits (by default 50,000 results "
    "and 60 seconds each); scheduled searches may need higher limits.",
    "Part 3 groups by bin _time span=bin: fixed, tumbling windows, as infrahunt does.",
    "For data models, the CIM Network_Traffic names are dest_ip, dest_port, dest, src and "
    "app, with bytes_out and bytes_in; Network_Resolution has query and answer.",
    NULL,
};

static const char *const private_check =
    "| where cidrmatch(\"0.0.0.0/0\", DestinationIp) AND NOT (cidrmatch(\"10.0.0.0/8\", DestinationIp)"
    "\n    OR cidrmatch(\"172.16.0.0/12\", DestinationIp) OR cidrmatch(\"192.168.0.0/16\", DestinationIp))\n";

/* Writes the base search for connection events in the given directions. */
static int spl_base(render_job *job, unsigned actions, const char *indent)
{
    bool outbound, inbound;
    if (render_directions(job, actions, &outbound, &inbound) < 0)
        return -1;
    rb_printf(job->out,
              "%sindex=%s source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\" "
              "EventCode=3",
              indent, render_source(job));
    if (outbound && !inbound)
        rb_put(job->out, " Initiated=true");
    else if (inbound && !outbound)
        rb_put(job->out, " Initiated=false");
    return 0;
}

/* Writes | eval NAME=mvindex(NAME, 0, N-1), or an empty value for N = 0. */
static void spl_keep_first(render_buf *b, const char *name, int64_t n)
{
    if (n > 0)
        rb_printf(b, "| eval %s=mvindex(%s, 0, %lld)\n", name, name, (long long)n - 1);
    else
        rb_printf(b, "| eval %s=null()\n", name);
}

static int spl_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    const char *sent = render_bytes_sent(job), *received = render_bytes_received(job);
    char lookback[64], min_rate[40], max_rate[40];

    render_duration(s->lookback_ns, lookback, sizeof(lookback));
    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    if (spl_base(job, s->beacon_actions, "") < 0)
        return -1;
    rb_printf(b, " earliest=-%s\n", lookback);
    rb_put(b, "| where ");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%sDestinationPort=%lld", i ? " OR " : "", (long long)s->ports[i]);
    if (s->nports == 0)
        rb_put(b, "false()");
    rb_put(b, "\n");
    rb_put(b, private_check);
    rb_put(b, "| eval Process=replace(coalesce(Image, \"\"), \"^.*\\\\\\\\\", \"\")\n"
              "| fillnull value=\"\" Computer DestinationHostname\n"
              "| stats count AS ConnectionCount, dc(DestinationPort) AS UniqueRemotePorts,\n"
              "    min(_time) AS FirstSeen, max(_time) AS LastSeen, values(Process) AS SampleProcesses");
    if (sent)
        rb_printf(b, ",\n    sum(%s) AS BytesSent", sent);
    if (received)
        rb_printf(b, ", sum(%s) AS BytesReceived", received);
    rb_put(b, "\n    BY Computer, DestinationIp, DestinationHostname\n");
    rb_put(b, "| eval DurationHours=floor(LastSeen / 3600) - floor(FirstSeen / 3600)\n");
    rb_printf(b, "| where ConnectionCount >= %lld AND DurationHours > %lld\n",
              (long long)s->min_connections, (long long)s->duration_hours_above);
    if (sent)
        rb_printf(b, "| where BytesSent > %lld\n", (long long)s->bytes_sent_above);
    rb_printf(b, "| eval BeaconRate=floor(ConnectionCount / DurationHours)\n"
                 "| where BeaconRate >= %s AND BeaconRate <= %s\n",
              min_rate, max_rate);
    spl_keep_first(b, "SampleProcesses", s->beacon_samples);
    rb_put(b, "| eval Timestamp=LastSeen, AlertType=\"PotentialBeaconing\"");
    if (!sent)
        rb_put(b, ", BytesSent=null()");
    if (!received)
        rb_put(b, ", BytesReceived=null()");
    rb_put(b, "\n| rename Computer AS DeviceName, DestinationIp AS RemoteIP, "
              "DestinationHostname AS RemoteUrl\n");
    return 0;
}

static int spl_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_put(b, "| append [\n");
    if (spl_base(job, s->ddns_actions, "    search ") < 0)
        return -1;
    rb_put(b, " DestinationHostname=*\n    | where match(DestinationHostname, ");
    render_buf re = {0};
    rb_put(&re, "(?i)");
    if (render_regex(job, &re, s->pattern, REGEX_PORTABLE, 0) < 0 || re.failed) {
        rb_free(&re);
        return -1;
    }
    int rc = render_quote(job, b, QUOTE_C_DOUBLE_NO_U, re.data);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_put(b, ")\n"
              "    | eval Process=replace(coalesce(Image, \"\"), \"^.*\\\\\\\\\", \"\")\n"
              "    | stats count AS ConnectionCount, dc(Computer) AS UniqueDevices,\n"
              "        values(Process) AS SampleProcesses, values(DestinationIp) AS SampleIPs\n"
              "        BY DestinationHostname\n    ");
    spl_keep_first(b, "SampleProcesses", s->ddns_process_samples);
    rb_put(b, "    ");
    spl_keep_first(b, "SampleIPs", s->ddns_ip_samples);
    rb_put(b, "    | eval Timestamp=now(), DeviceName=\"Multiple\", RemoteIP=coalesce(mvindex(SampleIPs, 0), \"\"),\n"
              "        AlertType=\"SuspiciousDynamicDNS\", BytesSent=0, BytesReceived=0\n"
              "    | rename DestinationHostname AS RemoteUrl\n"
              "]\n");
    return 0;
}

static int spl_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char bin[64];

    render_duration(s->bin_ns, bin, sizeof(bin));
    rb_put(b, "| append [\n");
    if (spl_base(job, s->flux_actions, "    search ") < 0)
        return -1;
    rb_put(b, "\n    ");
    rb_put(b, private_check);
    rb_put(b, "    | eval Process=replace(coalesce(Image, \"\"), \"^.*\\\\\\\\\", \"\")\n");
    if (s->nexcluded > 0) {
        render_buf set = {0};
        rb_put(&set, "(?i)^");
        render_regex_literals(job, &set, s->excluded, s->nexcluded, REGEX_PORTABLE, 0);
        rb_put(&set, "$");
        rb_put(b, "    | where NOT match(Process, ");
        int rc = set.failed ? -1 : render_quote(job, b, QUOTE_C_DOUBLE_NO_U, set.data);
        rb_free(&set);
        if (rc < 0)
            return -1;
        rb_put(b, ")\n");
    }
    rb_printf(b, "    | bin _time span=%s\n", bin);
    rb_put(b, "    | fillnull value=\"\" Computer DestinationHostname\n"
              "    | stats dc(DestinationIp) AS UniqueIPs, count AS ConnectionCount,\n"
              "        values(DestinationHostname) AS SampleURLs, values(Process) AS SampleProcesses\n"
              "        BY Computer, _time\n");
    rb_printf(b, "    | where UniqueIPs >= %lld AND ConnectionCount >= %lld\n    ",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    spl_keep_first(b, "SampleURLs", s->flux_url_samples);
    rb_put(b, "    ");
    spl_keep_first(b, "SampleProcesses", s->flux_process_samples);
    rb_put(b, "    | eval Timestamp=_time, RemoteIP=\"\", RemoteUrl=coalesce(mvindex(SampleURLs, 0), \"\"),\n"
              "        AlertType=\"PotentialFastFluxActivity\", BytesSent=0, BytesReceived=0\n"
              "    | rename Computer AS DeviceName\n"
              "]\n");
    return 0;
}

static int spl_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    /* SPL comments are triple backticks; a ``` inside the text is broken up. */
    render_buf header = {0};
    render_job inner = *job;
    inner.out = &header;
    render_header(&inner, "```", spl_notes);
    for (char *line = header.data; line && *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        for (size_t i = 0; i < n; i++) {
            if (i > 3 && line[i] == '`' && line[i - 1] == '`' && i + 1 < n && line[i + 1] == '`')
                rb_put(job->out, "'");
            else
                rb_putc(job->out, line[i]);
        }
        rb_put(job->out, "```\n");
        line = end ? end + 1 : NULL;
    }
    if (header.failed)
        job->out->failed = true;
    rb_free(&header);

    if (spl_beaconing(job, s) < 0 || spl_dynamic_dns(job, s) < 0 || spl_fast_flux(job, s) < 0)
        return -1;
    rb_put(job->out, "| table Timestamp, DeviceName, RemoteIP, RemoteUrl, AlertType, ConnectionCount,\n"
                     "    BytesSent, BytesReceived, SampleProcesses\n"
                     "| sort 0 - Timestamp\n");
    return 0;
}

const render_target render_target_spl = {
    .name = "spl",
    .title = "Splunk SPL over Sysmon events from the Splunk Add-on for Sysmon",
    .comment_line = "```",
    .fields = &spl_fields,
    .render_seed = spl_render,
};
