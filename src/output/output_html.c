/*
 * The HTML report: one self-contained page with a summary table and, per
 * alert, its facts, its explanation and the charts of its evidence.
 *
 * Safety: every value from the input goes through output_html_text(), which
 * escapes it for text and quoted attributes alike. Input values never become
 * element names, attribute names, URLs or CSS. The page has no script and no
 * event handler attributes, and its Content-Security-Policy allows nothing
 * but the style sheet below, by its SHA-256 hash, so even an escaping bug
 * could not run script or load anything from the network.
 */
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "../event/timeutil.h"
#include "sha256.h"
#include "svg.h"

/* Alerts past this many get a section without charts, to bound the file size. */
#define REPORT_MAX_CHARTED 200

static const char style_sheet[] =
    ":root{--bg:#f5f6f8;--card:#fff;--fg:#1d2330;--muted:#5b6475;--line:#dde1e8;"
    "--high:#c0392b;--medium:#d35400;--low:#a07d00;--info:#6b7280;--accent:#2f62c9}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}"
    "header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}"
    "header{padding-top:22px}"
    "h1{font-size:22px;margin:0 0 4px}h1 small{font-weight:400;color:var(--muted);font-size:15px}"
    "h2{font-size:17px;margin:0 0 8px}"
    ".meta{color:var(--muted);margin:0 0 12px;overflow-wrap:anywhere}"
    ".chips{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 18px;padding:0;list-style:none}"
    ".chips li{background:var(--card);border:1px solid var(--line);border-radius:14px;"
    "padding:3px 11px}.chips b{font-variant-numeric:tabular-nums}"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:8px;"
    "padding:16px 18px;margin:0 0 18px}"
    "table{border-collapse:collapse;width:100%}table.summary{table-layout:fixed}"
    "table.summary th:nth-child(1){width:44px}table.summary th:nth-child(2){width:110px}"
    "table.summary th:nth-last-child(3){width:100px}table.summary th:nth-last-child(2){width:80px}"
    "table.summary th:last-child{width:160px}"
    "th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);"
    "vertical-align:top;overflow-wrap:anywhere}"
    "th{font-size:12px;color:var(--muted);font-weight:600;white-space:nowrap}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tbody tr:hover{background:#f0f4fc}"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}"
    ".mono,code{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
    "font-size:12.5px}"
    ".sev{display:inline-block;min-width:62px;text-align:center;border-radius:10px;"
    "padding:0 8px;color:#fff;font-size:12px;font-weight:600;background:var(--info)}"
    ".sev.high{background:var(--high)}.sev.medium{background:var(--medium)}"
    ".sev.low{background:var(--low)}.sev.none{background:#fff;color:var(--muted);"
    "border:1px solid var(--line)}"
    ".alert{border-left:5px solid var(--info)}.alert.high{border-left-color:var(--high)}"
    ".alert.medium{border-left-color:var(--medium)}.alert.low{border-left-color:var(--low)}"
    ".alert h2 .sev{margin-right:8px;vertical-align:2px}"
    ".alert h2 .dest{overflow-wrap:anywhere}"
    ".why{margin:6px 0 12px;max-width:980px}"
    "dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));"
    "gap:6px 18px;margin:0 0 12px}"
    "dl.facts div{min-width:0}dt{font-size:12px;color:var(--muted)}"
    "dd{margin:0;overflow-wrap:anywhere}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:8px 18px}"
    "figure.chart{margin:0}figure.wide{grid-column:1/-1}figcaption{font-weight:600;font-size:13px;margin:4px 0 2px}"
    "figcaption .note{font-weight:400;color:var(--muted)}"
    "svg{width:100%;height:auto;display:block}"
    "svg text{font-family:system-ui,'DejaVu Sans',sans-serif}"
    ".tick{font-size:11px;fill:var(--muted)}.legend{font-size:12px;fill:var(--fg)}"
    ".axis{stroke:#9aa3b2;stroke-width:1;fill:none}.grid{stroke:#eceef3;stroke-width:1}"
    ".ticks{stroke:var(--accent);stroke-width:1.2;stroke-opacity:.85}"
    ".ticks.dense{stroke-width:.8;stroke-opacity:.45}"
    ".bar{fill:var(--accent)}.bar.over{fill:#98a9cf}"
    ".mark{stroke:var(--high);stroke-width:2;stroke-dasharray:5 3}"
    ".mark.faint{stroke-opacity:.45;stroke-width:1.4}"
    ".mark-label{font-size:12px;fill:var(--high);font-weight:600;paint-order:stroke;"
    "stroke:#fff;stroke-width:3px}"
    ".dots{stroke-width:3.2;stroke-linecap:round;fill:none;stroke-opacity:.7}"
    ".dots.s0{stroke:var(--accent)}.dots.s1{stroke:#16a085}"
    ".event{stroke:#fff;stroke-width:1.5}.event.e0{fill:#8e44ad}.event.e1{fill:var(--accent)}"
    ".event.e2{fill:#16a085}.event.e3{fill:var(--medium)}"
    "table.events td:nth-child(-n+2){white-space:nowrap}h3{font-size:14px;margin:14px 0 4px}"
    "details{margin-top:10px}summary{cursor:pointer;color:var(--accent)}"
    "details table{margin-top:6px}details td:first-child{white-space:nowrap;color:var(--muted)}"
    ".muted{color:var(--muted)}"
    "footer{color:var(--muted);font-size:12px;padding-bottom:28px}";

static void html(FILE *out, const char *s)
{
    if (s)
        output_html_text(out, s, strlen(s));
}

/* Writes n with thousands separators. */
static void count(FILE *out, uint64_t n)
{
    char digits[24];
    int len = snprintf(digits, sizeof(digits), "%" PRIu64, n);
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            fputc(',', out);
        fputc(digits[i], out);
    }
}

static void time_text(FILE *out, ih_time t)
{
    char buf[IH_TIME_TEXT_MAX];
    if (t == IH_TIME_NONE) {
        fputs("unknown", out);
        return;
    }
    ih_time_format(t, buf);
    fputs(buf, out);
}

static const alert_field *find_field(const ih_alert *a, const char *name)
{
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, name) == 0)
            return &a->fields[i];
    return NULL;
}

/* The remote side an alert is about: its name when it has one, else its address. */
static const char *destination(const ih_alert *a)
{
    if (a->remote_url && *a->remote_url)
        return a->remote_url;
    if (a->remote_ip && *a->remote_ip)
        return a->remote_ip;
    return "(none)";
}

static const char *severity_class(const ih_alert *a)
{
    if (a->score == ALERT_NO_SCORE)
        return "none";
    return a->severity ? a->severity : "info";
}

static void severity_badge(FILE *out, const ih_alert *a)
{
    fprintf(out, "<span class=\"sev %s\">", severity_class(a));
    if (a->score == ALERT_NO_SCORE)
        fputs("unscored", out);
    else
        fprintf(out, "%d %s", a->score, a->severity ? a->severity : "");
    fputs("</span>", out);
}

static void texts(FILE *out, char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        html(out, v[i]);
    }
}

static void bytes(FILE *out, int64_t v)
{
    if (v == ALERT_BYTES_NULL)
        fputs("<span class=\"muted\">unknown</span>", out);
    else
        count(out, (uint64_t)v);
}

static void field_value(FILE *out, const alert_field *f)
{
    switch (f->kind) {
    case ALERT_INT: fprintf(out, "%" PRId64, f->i); break;
    case ALERT_DOUBLE: fprintf(out, "%.6g", f->d); break;
    case ALERT_TEXT: html(out, f->text); break;
    case ALERT_TIME: time_text(out, f->i); break;
    case ALERT_TEXTS: texts(out, f->texts, f->ntexts); break;
    }
}

static void write_head(FILE *out, const ih_alert_list *alerts)
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    char hash[45];
    sha256_digest(style_sheet, sizeof(style_sheet) - 1, digest);
    sha256_base64(digest, hash);

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
    /* Nothing may load or run: no default source, only this page's own style sheet. */
    fprintf(out,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'sha256-%s'; base-uri 'none'; form-action 'none'\">\n",
            hash);
    fputs("<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
          out);
    fprintf(out, "<title>infrahunt report: %zu alert%s</title>\n", alerts->count,
            alerts->count == 1 ? "" : "s");
    fprintf(out, "<style>%s</style>\n</head>\n<body>\n", style_sheet);
}

static void write_header(FILE *out, const ih_alert_list *alerts, const output_report_info *info)
{
    fputs("<header>\n<h1>infrahunt report <small>compromised-infrastructure hunt</small></h1>\n",
          out);
    if (info) {
        fputs("<p class=\"meta\">Profile <b>", out);
        html(out, info->profile);
        fputs("</b> &middot; ", out);
        count(out, info->events);
        fputs(" events read", out);
        if (info->bad_records) {
            fputs(", ", out);
            count(out, info->bad_records);
            fputs(" bad records skipped", out);
        }
        fputs(" &middot; now ", out);
        time_text(out, info->now);
        fputs(" &middot; input: <span class=\"mono\">", out);
        for (size_t i = 0; i < info->ninputs; i++) {
            if (i)
                fputs(", ", out);
            html(out, info->inputs[i]);
        }
        fputs("</span></p>\n", out);
    }

    static const char *const levels[] = {"high", "medium", "low", "info"};
    size_t by_level[5] = {0};
    for (size_t i = 0; i < alerts->count; i++) {
        const ih_alert *a = &alerts->items[i];
        size_t k = 4;
        for (size_t l = 0; a->score != ALERT_NO_SCORE && l < 4; l++)
            if (a->severity && strcmp(a->severity, levels[l]) == 0)
                k = l;
        by_level[k]++;
    }
    fputs("<ul class=\"chips\">", out);
    fprintf(out, "<li><b>%zu</b> alert%s</li>", alerts->count, alerts->count == 1 ? "" : "s");
    for (size_t l = 0; l < 4; l++)
        if (by_level[l])
            fprintf(out, "<li><span class=\"sev %s\">%s</span> <b>%zu</b></li>", levels[l],
                    levels[l], by_level[l]);
    if (by_level[4])
        fprintf(out, "<li><span class=\"sev none\">unscored</span> <b>%zu</b></li>", by_level[4]);
    fputs("</ul>\n</header>\n<main>\n", out);
}

/* Writes t to the second, as the summary table shows it. */
static void short_time(FILE *out, ih_time t)
{
    char buf[IH_TIME_TEXT_MAX];
    if (t == IH_TIME_NONE) {
        fputs("unknown", out);
        return;
    }
    ih_time_format(t, buf);
    buf[10] = ' ';
    buf[19] = '\0';
    fputs(buf, out);
}

static void summary_head(FILE *out, bool processes)
{
    fprintf(out,
            "<table class=\"summary\">\n<thead><tr><th class=\"n\">#</th><th>Severity</th>"
            "<th>Type</th><th>Device</th><th>Destination</th>%s<th class=\"n\">Connections</th>"
            "<th class=\"n\">Period</th><th>Last seen (UTC)</th></tr></thead>\n<tbody>\n",
            processes ? "<th>Process</th>" : "");
}

/* The number of alerts listed before the rest of the summary is folded away. */
#define SUMMARY_OPEN_ROWS 10

static void write_summary(FILE *out, const ih_alert_list *alerts)
{
    fputs("<section class=\"card\" id=\"summary\">\n<h2>Alerts</h2>\n", out);
    if (alerts->count == 0) {
        fputs("<p>No alerts.</p>\n</section>\n", out);
        return;
    }
    bool processes = false;
    for (size_t i = 0; i < alerts->count; i++)
        processes |= alerts->items[i].nsample_processes > 0;
    summary_head(out, processes);
    for (size_t i = 0; i < alerts->count; i++) {
        const ih_alert *a = &alerts->items[i];
        if (i == SUMMARY_OPEN_ROWS) {
            fprintf(out, "</tbody>\n</table>\n<details><summary>%zu more alerts</summary>\n",
                    alerts->count - i);
            summary_head(out, processes);
        }
        fprintf(out, "<tr><td class=\"n\"><a href=\"#alert-%zu\">%zu</a></td><td>", i + 1, i + 1);
        severity_badge(out, a);
        fputs("</td><td>", out);
        html(out, a->alert_type);
        fputs("</td><td>", out);
        html(out, a->device_name);
        fputs("</td><td class=\"mono\">", out);
        html(out, destination(a));
        if (processes) {
            fputs("</td><td>", out);
            texts(out, a->sample_processes, a->nsample_processes);
        }
        fputs("</td><td class=\"n\">", out);
        count(out, a->connection_count);
        fputs("</td><td class=\"n\">", out);
        const alert_field *period = find_field(a, "PeriodSeconds");
        if (period && period->kind == ALERT_DOUBLE) {
            char d[32];
            svg_format_duration(period->d, d);
            fputs(d, out);
        }
        fputs("</td><td class=\"mono\">", out);
        short_time(out, a->timestamp);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
    if (alerts->count > SUMMARY_OPEN_ROWS)
        fputs("</details>\n", out);
    fputs("</section>\n", out);
}

static void fact_start(FILE *out, const char *name)
{
    fprintf(out, "<div><dt>%s</dt><dd>", name);
}

static void fact_text(FILE *out, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    fact_start(out, name);
    html(out, value);
    fputs("</dd></div>", out);
}

static void fact_duration(FILE *out, const ih_alert *a, const char *field, const char *name)
{
    const alert_field *f = find_field(a, field);
    if (!f || f->kind != ALERT_DOUBLE)
        return;
    char d[32];
    svg_format_duration(f->d, d);
    fact_start(out, name);
    fputs(d, out);
    fputs("</dd></div>", out);
}

static void fact_percent(FILE *out, const ih_alert *a, const char *field, const char *name)
{
    const alert_field *f = find_field(a, field);
    if (f && f->kind == ALERT_DOUBLE)
        fprintf(out, "<div><dt>%s</dt><dd>%.3g %%</dd></div>", name, f->d);
}

static void write_facts(FILE *out, const ih_alert *a)
{
    fputs("<dl class=\"facts\">", out);
    fact_start(out, "Device");
    html(out, a->device_name);
    const alert_field *id = find_field(a, "DeviceId");
    if (id && id->kind == ALERT_TEXT && id->text && a->device_name &&
        strcmp(id->text, a->device_name) != 0) {
        fputs(" <span class=\"muted mono\">", out);
        html(out, id->text);
        fputs("</span>", out);
    }
    fputs("</dd></div>", out);
    fact_text(out, "Remote name", a->remote_url);
    fact_text(out, "Remote address", a->remote_ip);
    const alert_field *ports = find_field(a, "RemotePorts");
    if (ports && ports->kind == ALERT_TEXTS && ports->ntexts) {
        fact_start(out, "Remote ports");
        texts(out, ports->texts, ports->ntexts);
        fputs("</dd></div>", out);
    }
    if (a->nsample_processes) {
        fact_start(out, "Processes");
        texts(out, a->sample_processes, a->nsample_processes);
        fputs("</dd></div>", out);
    }
    fact_start(out, "Connections");
    count(out, a->connection_count);
    fputs("</dd></div>", out);
    fact_start(out, "Bytes sent / received");
    bytes(out, a->bytes_sent);
    fputs(" / ", out);
    bytes(out, a->bytes_received);
    fputs("</dd></div>", out);
    fact_duration(out, a, "PeriodSeconds", "Period");
    fact_percent(out, a, "JitterPercent", "Jitter (+/-)");
    fact_percent(out, a, "MissedBeatPercent", "Missed beats");
    const alert_field *first = find_field(a, "FirstSeen"), *last = find_field(a, "LastSeen");
    if (first && last && first->kind == ALERT_TIME && last->kind == ALERT_TIME) {
        fact_start(out, "First seen / last seen");
        fputs("<span class=\"mono\">", out);
        time_text(out, first->i);
        fputs("<br>", out);
        time_text(out, last->i);
        fputs("</span></dd></div>", out);
    } else {
        fact_start(out, "Timestamp");
        fputs("<span class=\"mono\">", out);
        time_text(out, a->timestamp);
        fputs("</span></dd></div>", out);
    }
    fact_text(out, "Confidence", a->confidence);
    if (a->ntechniques) {
        fact_start(out, "ATT&amp;CK techniques");
        texts(out, a->techniques, a->ntechniques);
        fputs("</dd></div>", out);
    }
    fputs("</dl>\n", out);
}

static void write_charts(FILE *out, const ih_alert *a)
{
    if (a->nseries == 0 && a->nevents == 0)
        return;
    fputs("<div class=\"charts\">\n", out);
    for (size_t i = 0; i < a->nseries;) {
        size_t n = 1;
        /* Point series in a row with the same unit share one chart. */
        while (a->series[i].chart == ALERT_CHART_POINTS && i + n < a->nseries &&
               a->series[i + n].chart == ALERT_CHART_POINTS && a->series[i].unit &&
               a->series[i + n].unit && strcmp(a->series[i].unit, a->series[i + n].unit) == 0)
            n++;
        svg_chart(out, &a->series[i], n);
        i += n;
    }
    if (a->nevents)
        svg_event_timeline(out, a->events, a->nevents);
    fputs("</div>\n", out);
}

static void write_events(FILE *out, const ih_alert *a)
{
    if (a->nevents == 0)
        return;
    fputs("<h3>Events</h3>\n<table class=\"events\"><thead><tr><th>Time</th><th>Event</th><th>Process</th>"
          "<th>Name</th><th>Address</th><th>Detail</th></tr></thead><tbody>\n",
          out);
    for (size_t i = 0; i < a->nevents; i++) {
        const alert_event *e = &a->events[i];
        fputs("<tr><td class=\"mono\">", out);
        time_text(out, e->time);
        const char *cells[] = {e->kind, e->process, e->name, e->address, e->detail};
        for (size_t c = 0; c < sizeof(cells) / sizeof(cells[0]); c++) {
            fputs(c == 2 || c == 3 ? "</td><td class=\"mono\">" : "</td><td>", out);
            html(out, cells[c]);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    if (a->events_dropped)
        fprintf(out, "<p class=\"muted\">%zu more events not kept.</p>\n", a->events_dropped);
}

static void write_fields(FILE *out, const ih_alert *a)
{
    if (a->nfields == 0)
        return;
    fputs("<details><summary>All fields</summary><table><tbody>\n", out);
    for (size_t i = 0; i < a->nfields; i++) {
        fputs("<tr><td>", out);
        html(out, a->fields[i].name);
        fputs("</td><td class=\"mono\">", out);
        field_value(out, &a->fields[i]);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table></details>\n", out);
}

static void write_alert(FILE *out, const ih_alert *a, size_t index, bool charts)
{
    fprintf(out, "<section class=\"card alert %s\" id=\"alert-%zu\">\n<h2>",
            severity_class(a), index + 1);
    severity_badge(out, a);
    fprintf(out, "%zu. ", index + 1);
    html(out, a->alert_type);
    fputs(": ", out);
    html(out, a->device_name);
    fputs(" &rarr; <span class=\"dest\">", out);
    html(out, destination(a));
    fputs("</span></h2>\n", out);
    if (a->explanation) {
        fputs("<p class=\"why\">", out);
        html(out, a->explanation);
        fputs("</p>\n", out);
    }
    write_facts(out, a);
    if (charts)
        write_charts(out, a);
    else if (a->nseries || a->nevents)
        fprintf(out, "<p class=\"muted\">Charts are drawn for the first %d alerts only.</p>\n",
                REPORT_MAX_CHARTED);
    write_events(out, a);
    write_fields(out, a);
    fputs("</section>\n", out);
}

int output_html(FILE *out, const ih_alert_list *alerts, const output_report_info *info)
{
    write_head(out, alerts);
    write_header(out, alerts, info);
    write_summary(out, alerts);
    for (size_t i = 0; i < alerts->count; i++)
        write_alert(out, &alerts->items[i], i, i < REPORT_MAX_CHARTED);
    fputs("</main>\n<footer>", out);
    if (info && info->version) {
        fputs("infrahunt ", out);
        html(out, info->version);
        fputs(". ", out);
    }
    fputs("Times are UTC. This page runs no script and loads nothing.</footer>\n"
          "</body>\n</html>\n",
          out);
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
