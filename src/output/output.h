/*
 * Writers: alerts as a terminal table, JSON lines or CSV, and normalized
 * events as JSON lines. Writers read alerts and events; they never reach
 * back into readers or detectors.
 */
#ifndef IH_OUTPUT_H
#define IH_OUTPUT_H

#include <stdio.h>

#include "../detect/detect.h"
#include "../event/event.h"

typedef enum output_format { OUTPUT_TABLE, OUTPUT_JSONL, OUTPUT_CSV } output_format;

/* Parses "table", "jsonl" or "csv"; returns 0, or -1 for another name. */
int output_format_parse(const char *name, output_format *out);

/* Writes every alert in list order. Returns 0, or -1 when a write failed. */
int output_alerts(FILE *out, output_format format, const ih_alert_list *alerts);

/* Writes s as a JSON string, quotes included; invalid UTF-8 becomes U+FFFD. */
void output_json_string(FILE *out, const char *s, size_t len);

/* Writes one normalized event as a JSON line (the `events` schema). */
void output_conn_json(FILE *out, const ih_conn *c, const ih_origin *o);
void output_dns_json(FILE *out, const ih_dns *d, const ih_origin *o);

#endif
