/*
 * KQL for Microsoft Defender advanced hunting and Microsoft Sentinel, over
 * the documented DeviceNetworkEvents schema, which has no byte counts.
 */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const render_fields kql_fields = {
    .conn_source = "DeviceNetworkEvents",
    .time = "Timestamp",
    .device_id = "DeviceId",
    .device_name = "DeviceName",
    .action = "ActionType",
    .remote_ip = "RemoteIP",
    .remote_port = "RemotePort",
    .remote_url = "RemoteUrl",
    .process = "InitiatingProcessFileName",
    .bytes_sent = NULL,
    .bytes_received = NULL,
    .dns_source = "DeviceEvents where ActionType == \"DnsQueryResponse\"",
    .dns_query = "tostring(parse_json(AdditionalFields).DnsQueryString)",
    .dns_answers = "tostring(parse_json(AdditionalFields).DnsQueryResult)",
    .dns_process = "InitiatingProcessFileName",
};

static const char *const kql_notes[] = {
    "dcount() is a HyperLogLog estimate in Kusto; infrahunt counts exactly. Near a "
    "threshold (UniqueIPs, UniqueDevices) the two can disagree.",
    "make_set() order is undefined in Kusto; infrahunt keeps the values seen first. Sample "
    "columns and the RemoteIP and RemoteUrl picked from them may differ.",
    "Part 1's window is ago(lookback) from the time the query runs; infrahunt uses the newest "
    "event (or --now). Parts 2 and 3 have no time filter of their own, so the portal's time "
    "range applies.",
    "Part 3 groups by bin(Timestamp, bin): fixed, tumbling windows, as infrahunt does.",
    "The regex runs on RE2 with (?i); infrahunt uses PCRE2 with Unicode case folding.",
    NULL,
};

/* Writes let NAME = dynamic(["a", "b"]); with each string escaped. */
static int kql_string_list(render_job *job, const char *name, const char *const *items, size_t n)
{
    rb_printf(job->out, "let %s = dynamic([", name);
    for (size_t i = 0; i < n; i++) {
        if (i)
            rb_put(job->out, ", ");
        if (render_quote(job, job->out, QUOTE_C_DOUBLE, items[i]) < 0)
            return -1;
    }
    rb_put(job->out, "]);\n");
    return 0;
}

static int kql_actions(render_job *job, const char *name, unsigned actions)
{
    const char *names[8];
    size_t n = 0;
    for (unsigned bit = 1; bit <= RENDER_ACTION_LISTENING; bit <<= 1)
        if (actions & bit)
            names[n++] = render_action_name(bit);
    return kql_string_list(job, name, names, n);
}

/* A make_set() aggregate, or an empty array when the profile asks for no samples. */
static void kql_sample(render_buf *b, const char *column, const char *field, int64_t n)
{
    if (n > 0)
        rb_printf(b, "%s = make_set(%s, %lld)", column, field, (long long)n);
    else
        rb_printf(b, "%s = make_set_if(%s, false)", column, field);
}

static int kql_parameters(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    char text[64];

    render_duration(s->lookback_ns, text, sizeof(text));
    rb_printf(b, "let Lookback = %s;\n", text);
    if (kql_actions(job, "BeaconActionTypes", s->beacon_actions) < 0)
        return -1;
    rb_put(b, "let BeaconPorts = dynamic([");
    for (size_t i = 0; i < s->nports; i++)
        rb_printf(b, "%s%lld", i ? ", " : "", (long long)s->ports[i]);
    rb_put(b, "]);\n");
    if (kql_actions(job, "DynamicDnsActionTypes", s->ddns_actions) < 0)
        return -1;

    render_buf re = {0};
    rb_put(&re, "(?i)");
    if (render_regex(job, &re, s->pattern, REGEX_PORTABLE, 0) < 0) {
        rb_free(&re);
        return -1;
    }
    rb_put(b, "let DynamicDnsPattern = ");
    int rc = re.failed ? -1 : render_quote(job, b, QUOTE_C_DOUBLE, re.data);
    rb_free(&re);
    if (rc < 0)
        return -1;
    rb_put(b, ";\n");
    if (kql_actions(job, "FastFluxActionTypes", s->flux_actions) < 0 ||
        kql_string_list(job, "FastFluxExcludedProcesses", s->excluded, s->nexcluded) < 0)
        return -1;
    render_duration(s->bin_ns, text, sizeof(text));
    rb_printf(b, "let FastFluxBin = %s;\n", text);
    return 0;
}

static void kql_beaconing(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;
    const char *sent = render_bytes_sent(job), *received = render_bytes_received(job);
    char min_rate[40], max_rate[40];

    render_real(s->min_rate, min_rate, sizeof(min_rate));
    render_real(s->max_rate, max_rate, sizeof(max_rate));
    rb_printf(b, "let Beaconing = %s\n", render_source(job));
    rb_put(b, "    | where Timestamp > ago(Lookback)\n"
              "    | where ActionType in (BeaconActionTypes)\n"
              "    | where RemotePort in (BeaconPorts)\n"
              "    // ipv4_is_private() is null for anything but IPv4, and where drops nulls.\n"
              "    | where ipv4_is_private(RemoteIP) == false\n"
              "    | summarize ConnectionCount = count(), UniqueRemotePorts = dcount(RemotePort),\n"
              "        FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n");
    if (sent)
        rb_printf(b, "        BytesSent = sum(%s),\n", sent);
    if (received)
        rb_printf(b, "        BytesReceived = sum(%s),\n", received);
    rb_put(b, "        ");
    kql_sample(b, "SampleProcesses", "InitiatingProcessFileName", s->beacon_samples);
    rb_put(b, "\n        by DeviceId, DeviceName, RemoteIP, RemoteUrl\n");
    if (!sent)
        rb_put(b, "    | extend BytesSent = long(null)\n");
    if (!received)
        rb_put(b, "    | extend BytesReceived = long(null)\n");
    rb_put(b, "    // Counts hour boundaries crossed, not elapsed hours.\n"
              "    | extend DurationHours = datetime_diff('hour', LastSeen, FirstSeen)\n");
    rb_printf(b, "    | where ConnectionCount >= %lld and DurationHours > %lld\n",
              (long long)s->min_connections, (long long)s->duration_hours_above);
    if (sent)
        rb_printf(b, "    | where BytesSent > %lld\n", (long long)s->bytes_sent_above);
    rb_put(b, "    // long / long truncates to a long, as in the reference rule.\n"
              "    | extend BeaconRate = ConnectionCount / DurationHours\n");
    rb_printf(b, "    | where BeaconRate >= %s and BeaconRate <= %s\n", min_rate, max_rate);
    rb_put(b, "    | project Timestamp = LastSeen, DeviceName, RemoteIP, RemoteUrl,\n"
              "        AlertType = \"PotentialBeaconing\", ConnectionCount, BytesSent, BytesReceived,\n"
              "        SampleProcesses;\n");
}

static void kql_dynamic_dns(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_printf(b, "let DynamicDns = %s\n", render_source(job));
    rb_put(b, "    | where ActionType in (DynamicDnsActionTypes)\n"
              "    | where isnotempty(RemoteUrl) and RemoteUrl matches regex DynamicDnsPattern\n"
              "    | summarize ConnectionCount = count(), UniqueDevices = dcount(DeviceId),\n"
              "        ");
    kql_sample(b, "SampleProcesses", "InitiatingProcessFileName", s->ddns_process_samples);
    rb_put(b, ", ");
    kql_sample(b, "SampleIPs", "RemoteIP", s->ddns_ip_samples);
    rb_put(b, "\n        by RemoteUrl\n"
              "    | project Timestamp = now(), DeviceName = \"Multiple\",\n"
              "        RemoteIP = tostring(SampleIPs[0]), RemoteUrl, AlertType = \"SuspiciousDynamicDNS\",\n"
              "        ConnectionCount, BytesSent = 0, BytesReceived = 0, SampleProcesses;\n");
}

static void kql_fast_flux(render_job *job, const render_seed *s)
{
    render_buf *b = job->out;

    rb_printf(b, "let FastFlux = %s\n", render_source(job));
    rb_put(b, "    | where ActionType in (FastFluxActionTypes)\n"
              "    | where ipv4_is_private(RemoteIP) == false\n"
              "    | where InitiatingProcessFileName !in~ (FastFluxExcludedProcesses)\n"
              "    | summarize UniqueIPs = dcount(RemoteIP), ConnectionCount = count(),\n"
              "        ");
    kql_sample(b, "SampleURLs", "RemoteUrl", s->flux_url_samples);
    rb_put(b, ", ");
    kql_sample(b, "SampleProcesses", "InitiatingProcessFileName", s->flux_process_samples);
    rb_put(b, "\n        by DeviceId, DeviceName, Bin = bin(Timestamp, FastFluxBin)\n");
    rb_printf(b, "    | where UniqueIPs >= %lld and ConnectionCount >= %lld\n",
              (long long)s->min_unique_ips, (long long)s->flux_min_connections);
    rb_put(b, "    | project Timestamp = Bin, DeviceName, RemoteIP = \"\",\n"
              "        RemoteUrl = tostring(SampleURLs[0]), AlertType = \"PotentialFastFluxActivity\",\n"
              "        ConnectionCount, BytesSent = 0, BytesReceived = 0, SampleProcesses;\n");
}

static int kql_render(render_job *job)
{
    const render_seed *s = &job->params->seed;

    render_header(job, "//", kql_notes);
    if (kql_parameters(job, s) < 0)
        return -1;
    kql_beaconing(job, s);
    kql_dynamic_dns(job, s);
    kql_fast_flux(job, s);
    rb_put(job->out, "union Beaconing, DynamicDns, FastFlux\n"
                     "| sort by Timestamp desc\n");
    return 0;
}

/* ---- The default profile ---- */

static const char *const kql_default_notes[] = {
    "Beaconing intervals: rows are sorted by device, process and destination and serialized, "
    "so prev() gives each connection's interval to the one before; MedianSeconds and "
    "MadSeconds (median absolute deviation) use percentile(), an estimate in Kusto, and "
    "series_stats_dynamic() adds the mean and standard deviation.",
    "Internal networks: ipv4_is_in_any_range() and ipv6_is_in_any_range() over the profile's "
    "prefixes.",
    "dcount() is a HyperLogLog estimate; infrahunt counts exactly.",
    "DNS answers: IPv4 addresses are taken from DnsQueryResult with a regex, so IPv6 answers "
    "are not counted.",
    "No time filter: the portal's time range applies.",
    "The fan-out's KnownGood column is true for fanout_known_good processes.",
    NULL,
};

static int kql_strings(render_job *job, const char *name, const render_strings *l)
{
    return kql_string_list(job, name, (const char *const *)l->items, l->n);
}

/* Writes let NAME = "regex"; from a zone list, or an empty-match-free pattern for none. */
static int kql_zone_pattern(render_job *job, const char *name, const render_strings *zones)
{
    render_buf re = {0};
    if (zones->n)
        render_zone_regex(job, &re, zones, REGEX_PORTABLE, 0);
    else
        rb_put(&re, "[^\\s\\S]"); /* matches nothing */
    rb_printf(job->out, "let %s = ", name);
    int rc = re.failed ? -1 : render_quote(job, job->out, QUOTE_C_DOUBLE, re.data);
    rb_free(&re);
    rb_put(job->out, ";\n");
    return rc;
}

static int kql_default_parameters(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    if (kql_strings(job, "InternalV4", &d->internal_v4) < 0 ||
        kql_strings(job, "InternalV6", &d->internal_v6) < 0 ||
        kql_strings(job, "FanOutKnownGood", &d->fanout_known_good) < 0 ||
        kql_zone_pattern(job, "ProviderZones", &d->zones) < 0 ||
        kql_zone_pattern(job, "ServerPools", &d->server_pools) < 0 ||
        kql_strings(job, "IntelAddresses", &d->intel_addresses) < 0 ||
        kql_strings(job, "IntelPrefixes", &d->intel_prefixes) < 0 ||
        kql_zone_pattern(job, "IntelDomains", &d->intel_domains) < 0 ||
        kql_strings(job, "AllowAddresses", &d->allow_addresses) < 0 ||
        kql_strings(job, "AllowPrefixes", &d->allow_prefixes) < 0 ||
        kql_zone_pattern(job, "AllowDomains", &d->allow_domains) < 0)
        return -1;
    rb_put(b, "let Connections = DeviceNetworkEvents\n"
              "    | where ActionType in (\"ConnectionSuccess\", \"ConnectionAttempt\", "
              "\"ConnectionFailed\")\n"
              "    | where isnotempty(RemoteIP)\n"
              "    | where not(coalesce(ipv4_is_in_any_range(RemoteIP, InternalV4), false))\n"
              "        and not(coalesce(ipv6_is_in_any_range(RemoteIP, InternalV6), false))\n"
              "    | where RemoteIP !in (AllowAddresses)\n"
              "        and not(coalesce(ipv4_is_in_any_range(RemoteIP, AllowPrefixes), false))\n"
              "    | where not(RemoteUrl matches regex AllowDomains)\n"
              "    | extend Process = InitiatingProcessFileName;\n");
    return 0;
}

static void kql_default_beaconing(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_put(b, "let Beaconing = Connections\n"
              "    | sort by DeviceId asc, Process asc, RemoteIP asc, RemoteUrl asc, Timestamp asc\n"
              "    | serialize\n"
              "    | extend SameSeries = DeviceId == prev(DeviceId) and Process == prev(Process)\n"
              "        and RemoteIP == prev(RemoteIP) and RemoteUrl == prev(RemoteUrl)\n"
              "    | extend IntervalSeconds = iff(SameSeries, (Timestamp - prev(Timestamp)) / 1s, "
              "real(null))\n");
    rb_printf(b, "    // Connections within burst_window of the one before form one beat.\n"
                 "    | where isnull(IntervalSeconds) or IntervalSeconds >= %.3f\n",
              (double)d->burst_window_ns / 1e9);
    rb_put(b, "    | summarize ConnectionCount = count(), FailedCount = countif(ActionType == "
              "\"ConnectionFailed\"),\n"
              "        FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n"
              "        MedianSeconds = percentile(IntervalSeconds, 50),\n");
    rb_printf(b, "        Intervals = make_list_if(IntervalSeconds, isnotnull(IntervalSeconds), %lld)\n",
              (long long)d->max_timestamps);
    rb_put(b, "        by DeviceId, DeviceName, Process, RemoteIP, RemoteUrl\n");
    rb_printf(b, "    | where ConnectionCount >= %lld\n", (long long)d->beacon_min_connections);
    rb_printf(b, "    | where todouble(FailedCount) / ConnectionCount <= %.6g\n", d->max_failed_share);
    rb_printf(b, "    | where MedianSeconds between (%.3f .. %.3f)\n", (double)d->min_period_ns / 1e9,
              (double)d->max_period_ns / 1e9);
    rb_put(b, "    | mv-apply Interval = Intervals to typeof(real) on (\n"
              "        summarize MadSeconds = percentile(abs(Interval - MedianSeconds), 50))\n"
              "    | extend Stats = series_stats_dynamic(Intervals)\n"
              "    | project Timestamp = LastSeen, DeviceName, Process, RemoteIP, RemoteUrl,\n"
              "        AlertType = \"Beaconing\", Count = ConnectionCount,\n"
              "        Details = bag_pack(\"FirstSeen\", FirstSeen, \"SpanSeconds\", (LastSeen - "
              "FirstSeen) / 1s,\n"
              "            \"MedianSeconds\", MedianSeconds, \"MadSeconds\", MadSeconds,\n"
              "            \"MeanSeconds\", Stats.avg, \"StdevSeconds\", Stats.stdev, "
              "\"FailedCount\", FailedCount);\n");
}

static void kql_default_ddns(render_job *job)
{
    rb_put(job->out,
           "let DynamicDnsConnections = Connections\n"
           "    | where isnotempty(RemoteUrl) and RemoteUrl matches regex ProviderZones\n"
           "    | summarize Count = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp),\n"
           "        Addresses = make_set(RemoteIP, 10) by DeviceName, Process, RemoteUrl\n"
           "    | project Timestamp = LastSeen, DeviceName, Process, RemoteIP = tostring(Addresses[0]),\n"
           "        RemoteUrl, AlertType = \"DynamicDNS\", Count,\n"
           "        Details = bag_pack(\"FirstSeen\", FirstSeen, \"Addresses\", Addresses, \"Source\", "
           "\"connection\");\n"
           "let DnsAnswers = DeviceEvents\n"
           "    | where ActionType == \"DnsQueryResponse\"\n"
           "    | extend QueryName = tostring(parse_json(AdditionalFields).DnsQueryString),\n"
           "        Answers = tostring(parse_json(AdditionalFields).DnsQueryResult)\n"
           "    | where isnotempty(QueryName) and not(QueryName matches regex AllowDomains)\n"
           "    | extend Process = InitiatingProcessFileName;\n"
           "let DynamicDnsQueries = DnsAnswers\n"
           "    | where QueryName matches regex ProviderZones\n"
           "    | summarize Count = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp)\n"
           "        by DeviceName, Process, QueryName\n"
           "    | project Timestamp = LastSeen, DeviceName, Process, RemoteIP = \"\", RemoteUrl = "
           "QueryName,\n"
           "        AlertType = \"DynamicDNS\", Count,\n"
           "        Details = bag_pack(\"FirstSeen\", FirstSeen, \"Source\", \"DNS query\");\n");
}

static void kql_default_flux(render_job *job, const render_default *d)
{
    render_buf *b = job->out;

    rb_put(b, "let FastFlux = DnsAnswers\n"
              "    | mv-expand Address = extract_all(@\"\\b(\\d{1,3}(?:\\.\\d{1,3}){3})\\b\", "
              "Answers) to typeof(string)\n"
              "    | where isnotempty(Address) and Address !in (AllowAddresses)\n"
              "    | summarize UniqueAddresses = dcount(Address), Count = count(),\n"
              "        FirstSeen = min(Timestamp), LastSeen = max(Timestamp), Addresses = "
              "make_set(Address, 10),\n"
              "        Devices = make_set(DeviceName, 10) by QueryName\n");
    rb_printf(b, "    | where UniqueAddresses >= %lld\n", (long long)d->flux_min_addresses);
    rb_put(b, "    | project Timestamp = LastSeen, DeviceName = tostring(Devices[0]), Process = \"\",\n"
              "        RemoteIP = tostring(Addresses[0]), RemoteUrl = QueryName, AlertType = "
              "\"FastFlux\", Count,\n"
              "        Details = bag_pack(\"UniqueAddresses\", UniqueAddresses, \"Addresses\", "
              "Addresses,\n"
              "            \"ServerPool\", QueryName matches regex ServerPools);\n"
              "let FastFluxFanOut = Connections\n"
              "    | summarize UniqueIPs = dcount(RemoteIP), Count = count(), Urls = make_set(RemoteUrl, "
              "10)\n"
              "        by DeviceName, Process, Hour = bin(Timestamp, 1h)\n");
    rb_printf(b, "    | where UniqueIPs >= %lld and Count >= %lld\n",
              (long long)d->fanout_min_addresses, (long long)d->fanout_min_connections);
    rb_put(b, "    | project Timestamp = Hour, DeviceName, Process, RemoteIP = \"\",\n"
              "        RemoteUrl = tostring(Urls[0]), AlertType = \"FastFluxFanOut\", Count,\n"
              "        Details = bag_pack(\"UniqueIPs\", UniqueIPs, \"Urls\", Urls,\n"
              "            \"KnownGood\", Process in~ (FanOutKnownGood));\n");
}

static void kql_default_intel(render_job *job)
{
    rb_put(job->out,
           "let IntelHits = Connections\n"
           "    | where RemoteIP in (IntelAddresses) or ipv4_is_in_any_range(RemoteIP, IntelPrefixes)\n"
           "        or RemoteUrl matches regex IntelDomains\n"
           "    | summarize Count = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp)\n"
           "        by DeviceName, Process, RemoteIP, RemoteUrl\n"
           "    | project Timestamp = LastSeen, DeviceName, Process, RemoteIP, RemoteUrl,\n"
           "        AlertType = \"ThreatIntel\", Count, Details = bag_pack(\"FirstSeen\", FirstSeen);\n");
}

static int kql_render_default(render_job *job)
{
    const render_default *d = &job->params->def;
    render_buf *b = job->out;
    const char *parts[8];
    size_t n = 0;

    render_default_header(job, "//", kql_default_notes);
    if (kql_default_parameters(job, d) < 0)
        return -1;
    if (d->has_beacon) {
        kql_default_beaconing(job, d);
        parts[n++] = "Beaconing";
    }
    if (d->has_ddns || d->has_flux)
        kql_default_ddns(job);
    if (d->has_ddns) {
        parts[n++] = "DynamicDnsConnections";
        parts[n++] = "DynamicDnsQueries";
    }
    if (d->has_flux) {
        kql_default_flux(job, d);
        parts[n++] = "FastFlux";
        parts[n++] = "FastFluxFanOut";
    }
    if (d->has_intel) {
        kql_default_intel(job);
        parts[n++] = "IntelHits";
    }
    rb_put(b, "union ");
    for (size_t i = 0; i < n; i++)
        rb_printf(b, "%s%s", i ? ", " : "", parts[i]);
    if (n == 0)
        rb_put(b, "(print Timestamp = now() | where false)");
    rb_put(b, "\n| sort by Timestamp desc\n");
    return 0;
}

const render_target render_target_kql = {
    .name = "kql",
    .title = "Microsoft Defender advanced hunting and Microsoft Sentinel, KQL over "
             "DeviceNetworkEvents",
    .comment_line = "//",
    .fields = &kql_fields,
    .render_seed = kql_render,
    .render_default = kql_render_default,
};
