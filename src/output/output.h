/*
 * Writers: alerts as a terminal table, JSON lines, CSV or an HTML report,
 * and normalized events as JSON lines. Writers read alerts and events; they
 * never reach back into readers or detectors.
 */
#ifndef IH_OUTPUT_H
#define IH_OUTPUT_H

#include <stdio.h>

#include "../detect/detect.h"
#include "../event/event.h"

typedef enum output_format { OUTPUT_TABLE, OUTPUT_JSONL, OUTPUT_CSV, OUTPUT_HTML } output_format;

/* Parses "table", "jsonl", "csv" or "html"; returns 0, or -1 for another name. */
int output_format_parse(const char *name, output_format *out);

/* Writes every alert in list order. Returns 0, or -1 when a write failed. */
int output_alerts(FILE *out, output_format format, const ih_alert_list *alerts);

/* What the HTML report states about the scan besides its alerts. */
typedef struct output_report_info {
    const char *profile;  /* profile name or file */
    char *const *inputs;  /* paths as given */
    size_t ninputs;
    ih_time now;          /* the scan's now(); IH_TIME_NONE when no event had a time */
    uint64_t events;      /* events read */
    uint64_t bad_records; /* records skipped as bad */
    const char *version;
} output_report_info;

/*
 * Writes a self-contained HTML report: a summary table and, per alert, its
 * facts and the charts of its evidence, drawn as inline SVG. Every value is
 * escaped, the page runs no script and loads nothing (a Content-Security-
 * Policy allows only its own style sheet). info may be NULL. Returns 0, or
 * -1 when a write failed.
 */
int output_html(FILE *out, const ih_alert_list *alerts, const output_report_info *info);

/*
 * Writes s, len bytes, as HTML text that is also safe inside a quoted
 * attribute: & < > " ' become references, control characters, invalid
 * UTF-8 and bidirectional overrides become visible escapes such as \x1b.
 */
void output_html_text(FILE *out, const char *s, size_t len);

/*
 * Writes s as terminal text: control characters (C0, DEL and C1), invalid
 * UTF-8 and bidirectional overrides become escapes such as \x1b or \u202e,
 * so no value from the input can move the cursor or change the terminal.
 * Writes at most width columns, the last one an ellipsis when s is longer,
 * and pads to width; SIZE_MAX writes everything without padding.
 */
void output_term_text(FILE *out, const char *s, size_t width);

/* Writes s as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD. */
void output_json_string(FILE *out, const char *s, size_t len);

/* Writes one normalized event as a JSON line (the `events` schema). */
void output_conn_json(FILE *out, const ih_conn *c, const ih_origin *o);
void output_dns_json(FILE *out, const ih_dns *d, const ih_origin *o);

#endif
