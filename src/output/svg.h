/*
 * Charts for the HTML report, drawn as inline SVG from an alert's evidence
 * series. The SVG uses classes that the report's style sheet defines, no
 * style attributes and no script, and escapes every text from the input.
 */
#ifndef IH_SVG_H
#define IH_SVG_H

#include <stdio.h>

#include "../detect/detect.h"

/*
 * Writes one <figure> with a caption and an <svg> chart of series[0..count):
 * a timeline, a histogram, points or bars, by series[0].chart. Point series
 * share the chart and get a legend; other kinds use series[0] only.
 */
void svg_chart(FILE *out, const alert_series *series, size_t count);

/*
 * Writes one <figure> with a timeline of the alert's events, one row per
 * event kind, such as a DNS resolution and the connections that followed.
 */
void svg_event_timeline(FILE *out, const alert_event *events, size_t count);

/* Writes seconds with a unit a person reads at a glance: "30 s", "4.5 min", "6 h". */
void svg_format_duration(double seconds, char out[32]);

#endif
