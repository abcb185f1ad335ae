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

/* Writes the header as SPL comments (triple backticks), breaking up any ``` in the text. */
static void spl_header(render_job *job, const char *const *notes, bool default_profile)
{
    render_buf header = {0};
    render_job inner = *job;
    inner.out = &header;
    if (default_profile)
        render_default_header(&inner, "```", notes);
    else
        render_header(&inner, "```", notes);
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
}

static int spl_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    spl_header(job, spl_notes, false);
    if (spl_beaconing(job, s) < 0 || spl_dynamic_dns(job, s) < 0 || spl_fast_flux(job, s) < 0)
        return -1;
    rb_put(job->out, "| table Timestamp, DeviceName, RemoteIP, RemoteUrl, AlertType, ConnectionCount,\n"
                     "    BytesSent, BytesReceived, SampleProcesses\n"
                     "| sort 0 - Timestamp\n");
    return 0;
}

/* ---- The default profile ---- */

static const char *const spl_default_notes[] = {
    "The detectors are separate searches, one per paragraph, because their results have "
    "different columns.",
    "Beaconing intervals: streamstats over events sorted by device, process and destination "
    "gives each connection's interval to the one before; eventstats and stats give the median, "
    "the median absolute deviation, the mean and the standard deviation.",
    "Sysmon logs no failed connections, so max_failed_share is not tested.",
    "Internal networks: cidrmatch() over the profile's IPv4 prefixes; IPv6 destinations are "
    "kept.",
    "DNS answers: IPv4 addresses are taken from QueryResults with rex, so IPv6 answers are "
    "not counted.",
    "No time range in the searches: the time picker applies.",
    "The fan-out's KnownGood column is true for fanout_known_good processes.",
    NULL,
};

/* Writes cidrmatch() tests of field against the IPv4 prefixes joined by OR, or "false()". */
static int spl_cidrs(render_job *job, const char *field, const render_strings *prefixes)
{
    size_t written = 0;
    for (size_t i = 0; i < prefixes->n; i++) {
        uint32_t first, last;
        if (render_ipv4_prefix(prefixes->items[i], &first, &last) < 0)
            continue;
        rb_put(job->out, written++ ? " OR cidrmatch(" : "cidrmatch(");
        if (render_quote(job, job->out, QUOTE_C_DOUBLE_NO_U, prefixes->items[i]) < 0)
            return -1;
        rb_printf(job->out, ", %s)", field);
    }
    if (!written)
        rb_put(job->out, "false()");
    return 0;
}

/* Writes match(field, "regex") for a zone list, or "false()" for none. */
static int spl_zones(render_job *job, const char *field, const render_strings *zones)
{
    if (zones->n == 0) {
        rb_put(job->out, "false()");
        return 0;
    }
    render_buf re = {0};
    render_zone_regex(job, &re, zones, REGEX_PORTABLE, REGEX_LOWERCASE | REGEX_HEX_QUOTES);
    rb_printf(job->out, "match(%s, ", field);
    int rc = re.failed ? -1 : render_quote(job, job->out, QUOTE_C_DOUBLE_NO_U, re.data);
    rb_free(&re);
    rb_put(job->out, ")");
    return rc;
}

/* Writes the search for external outbound connections, with Process and Name set. */
static int spl_connections(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_printf(b, "index=%s source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\" "
                 "EventCode=3 Initiated=true\n",
              render_source(job));
    rb_put(b, "| eval Process=replace(coalesce(Image, \"\"), \"^.*\\\\\\\\\", \"\"), "
              "Name=lower(coalesce(DestinationHostname, \"\"))\n"
              "| where NOT (");
    if (spl_cidrs(job, "DestinationIp", &d->internal_v4) < 0)
        return -1;
    rb_put(b, ")\n| where NOT (");
    if (spl_cidrs(job, "DestinationIp", &d->allow_prefixes) < 0)
        return -1;
    rb_put(b, " OR ");
    if (spl_zones(job, "Name", &d->allow_domains) < 0)
        return -1;
    rb_put(b, ")\n");
    return 0;
}

static int spl_default_beaconing(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (spl_connections(job, d) < 0)
        return -1;
    rb_put(b, "| sort 0 Computer, Process, DestinationIp, Name, _time\n"
              "| streamstats current=f last(_time) AS PreviousTime BY Computer, Process, "
              "DestinationIp, Name\n"
              "| eval IntervalSeconds=_time-PreviousTime\n");
    rb_printf(b, "| where isnull(IntervalSeconds) OR IntervalSeconds>=%.3f\n",
              (double)d->burst_window_ns / 1e9);
    rb_put(b, "| eventstats median(IntervalSeconds) AS MedianSeconds BY Computer, Process, "
              "DestinationIp, Name\n"
              "| eval Deviation=abs(IntervalSeconds-MedianSeconds)\n"
              "| stats count AS Count, min(_time) AS FirstSeen, max(_time) AS LastSeen,\n"
              "    first(MedianSeconds) AS MedianSeconds, median(Deviation) AS MadSeconds,\n"
              "    avg(IntervalSeconds) AS MeanSeconds, stdev(IntervalSeconds) AS StdevSeconds\n"
              "    BY Computer, Process, DestinationIp, Name\n");
    rb_printf(b, "| where Count>=%lld AND MedianSeconds>=%.3f AND MedianSeconds<=%.3f\n",
              (long long)d->beacon_min_connections, (double)d->min_period_ns / 1e9,
              (double)d->max_period_ns / 1e9);
    rb_put(b, "| eval SpanSeconds=LastSeen-FirstSeen, AlertType=\"Beaconing\"\n"
              "| sort 0 - Count\n\n");
    return 0;
}

static int spl_default_ddns(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (spl_connections(job, d) < 0)
        return -1;
    rb_put(b, "| where ");
    if (spl_zones(job, "Name", &d->zones) < 0)
        return -1;
    rb_put(b, "\n| stats count AS Count, min(_time) AS FirstSeen, max(_time) AS LastSeen,\n"
              "    values(DestinationIp) AS Addresses BY Computer, Process, Name\n"
              "| eval AlertType=\"DynamicDNS\", Source=\"connection\"\n"
              "| sort 0 - Count\n\n");
    rb_printf(b, "index=%s source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\" "
                 "EventCode=22\n",
              render_source(job));
    rb_put(b, "| eval Process=replace(coalesce(Image, \"\"), \"^.*\\\\\\\\\", \"\"), "
              "Name=lower(coalesce(QueryName, \"\"))\n"
              "| where ");
    if (spl_zones(job, "Name", &d->zones) < 0)
        return -1;
    rb_put(b, " AND NOT ");
    if (spl_zones(job, "Name", &d->allow_domains) < 0)
        return -1;
    rb_put(b, "\n| stats count AS Count, min(_time) AS FirstSeen, max(_time) AS LastSeen "
              "BY Computer, Process, Name\n"
              "| eval AlertType=\"DynamicDNS\", Source=\"DNS query\"\n"
              "| sort 0 - Count\n\n");
    return 0;
}

static int spl_default_flux(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_printf(b, "index=%s source=\"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational\" "
                 "EventCode=22\n",
              render_source(job));
    rb_put(b, "| eval Name=lower(coalesce(QueryName, \"\"))\n"
              "| where Name!=\"\" AND NOT ");
    if (spl_zones(job, "Name", &d->allow_domains) < 0)
        return -1;
    rb_put(b, "\n| rex field=QueryResults max_match=0 "
              "\"(?<Address>\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b)\"\n"
              "| stats dc(Address) AS UniqueAddresses, count AS Count, values(Address) AS "
              "Addresses,\n"
              "    values(Computer) AS Devices BY Name\n");
    rb_printf(b, "| where UniqueAddresses>=%lld\n", (long long)d->flux_min_addresses);
    rb_put(b, "| eval AlertType=\"FastFlux\", ServerPool=if(");
    if (spl_zones(job, "Name", &d->server_pools) < 0)
        return -1;
    rb_put(b, ", 1, 0)\n| sort 0 - UniqueAddresses\n\n");

    if (spl_connections(job, d) < 0)
        return -1;
    rb_put(b, "| bin _time span=1h\n"
              "| stats dc(DestinationIp) AS UniqueIPs, count AS Count, values(Name) AS Names\n"
              "    BY Computer, Process, _time\n");
    rb_printf(b, "| where UniqueIPs>=%lld AND Count>=%lld\n", (long long)d->fanout_min_addresses,
              (long long)d->fanout_min_connections);
    rb_put(b, "| eval AlertType=\"FastFluxFanOut\", KnownGood=if(match(lower(Process), ");
    render_buf set = {0};
    rb_put(&set, "^");
    render_regex_literals(job, &set, (const char *const *)d->fanout_known_good.items,
                          d->fanout_known_good.n, REGEX_PORTABLE, REGEX_LOWERCASE | REGEX_HEX_QUOTES);
    rb_put(&set, "$");
    int rc = set.failed ? -1 : render_quote(job, b, QUOTE_C_DOUBLE_NO_U, set.data);
    rb_free(&set);
    rb_put(b, "), 1, 0)\n| sort 0 - UniqueIPs\n\n");
    return rc;
}

static int spl_default_intel(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (spl_connections(job, d) < 0)
        return -1;
    rb_put(b, "| where ");
    for (size_t i = 0; i < d->intel_addresses.n; i++) {
        rb_put(b, "DestinationIp=");
        if (render_quote(job, b, QUOTE_C_DOUBLE_NO_U, d->intel_addresses.items[i]) < 0)
            return -1;
        rb_put(b, " OR ");
    }
    if (spl_cidrs(job, "DestinationIp", &d->intel_prefixes) < 0)
        return -1;
    rb_put(b, " OR ");
    if (spl_zones(job, "Name", &d->intel_domains) < 0)
        return -1;
    rb_put(b, "\n| stats count AS Count, min(_time) AS FirstSeen, max(_time) AS LastSeen\n"
              "    BY Computer, Process, DestinationIp, Name\n"
              "| eval AlertType=\"ThreatIntel\"\n"
              "| sort 0 - Count\n\n");
    return 0;
}

static int spl_render_default(render_job *job)
{
    const render_default *d = &job->params->def;

    spl_header(job, spl_default_notes, true);
    if ((d->has_beacon && spl_default_beaconing(job, d) < 0) ||
        (d->has_ddns && spl_default_ddns(job, d) < 0) ||
        (d->has_flux && spl_default_flux(job, d) < 0) ||
        (d->has_intel && spl_default_intel(job, d) < 0))
        return -1;
    return 0;
}

const render_target render_target_spl = {
    .name = "spl",
    .title = "Splunk SPL over Sysmon events from the Splunk Add-on for Sysmon",
    .comment_line = "```",
    .fields = &spl_fields,
    .render_seed = spl_render,
    .render_default = spl_render_default,
};
