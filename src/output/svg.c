/*
 * Charts for the HTML report as inline SVG. Coordinates are in a fixed
 * viewBox that the style sheet scales to the page width. Many marks go into
 * one <path> each, so a chart of 2048 points stays a few tens of kilobytes.
 */
#include "svg.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../event/timeutil.h"
#include "output.h"

#define WIDTH 560       /* viewBox width of a chart in a grid cell */
#define WIDE_WIDTH 1120 /* viewBox width of a chart across the page */
#define LEFT 64
#define RIGHT 20
#define TOP 18
#define BOTTOM 30
#define HISTOGRAM_BINS 48

/* Maps values of [lo, hi] onto pixels [px0, px1]. */
typedef struct axis {
    double lo, hi;
    double px0, px1;
} axis;

static double axis_map(const axis *a, double v)
{
    if (!(a->hi > a->lo))
        return (a->px0 + a->px1) / 2;
    return a->px0 + (v - a->lo) / (a->hi - a->lo) * (a->px1 - a->px0);
}

static void text(FILE *out, const char *s)
{
    output_html_text(out, s, strlen(s));
}

void svg_format_duration(double s, char out[32])
{
    if (s < 90)
        snprintf(out, 32, "%.3g s", s);
    else if (s < 90 * 60)
        snprintf(out, 32, "%.3g min", s / 60);
    else if (s < 48 * 3600)
        snprintf(out, 32, "%.3g h", s / 3600);
    else
        snprintf(out, 32, "%.3g d", s / 86400);
}

/* Writes v in the series' unit: durations for "s", k/M/G prefixes otherwise. */
static void format_value(double v, const char *unit, char out[32])
{
    if (unit && strcmp(unit, "s") == 0) {
        svg_format_duration(v, out);
        return;
    }
    const char *suffix = "";
    double a = fabs(v);
    if (a >= 1e9) {
        v /= 1e9;
        suffix = "G";
    } else if (a >= 1e6) {
        v /= 1e6;
        suffix = "M";
    } else if (a >= 1e4) {
        v /= 1e3;
        suffix = "k";
    } else if (a >= 1000) {
        snprintf(out, 32, "%.0f", v); /* %g would write 6000 as 6e+03 */
        return;
    }
    snprintf(out, 32, "%.3g%s", v, suffix);
}

/* A step of 1, 2 or 5 times a power of ten that cuts range into at most about target parts. */
static double nice_step(double range, int target)
{
    if (!(range > 0))
        return 1;
    double raw = range / target;
    double power = pow(10, floor(log10(raw)));
    double f = raw / power;
    if (f <= 1)
        return power;
    if (f <= 2)
        return 2 * power;
    if (f <= 5)
        return 5 * power;
    return 10 * power;
}

/* Steps for time axes, in seconds. */
static const double time_steps[] = {
    1,    2,    5,     10,    15,    30,    60,    120,   300,    600,    900,
    1800, 3600, 7200,  10800, 21600, 43200, 86400, 172800, 604800, 2592000,
};

/* A step from time_steps that cuts span_s into at most target parts. */
static double time_step(double span_s, int target)
{
    size_t n = sizeof(time_steps) / sizeof(time_steps[0]);
    if (span_s < target)
        return nice_step(span_s, target);
    for (size_t i = 0; i < n; i++)
        if (span_s / time_steps[i] <= target)
            return time_steps[i];
    return time_steps[n - 1] * ceil(span_s / time_steps[n - 1] / target);
}

/* A tick step for values of unit: round durations for seconds, 1-2-5 steps otherwise. */
static double value_step(double range, const char *unit, int target)
{
    if (unit && strcmp(unit, "s") == 0)
        return time_step(range, target);
    return nice_step(range, target);
}

static void format_tick_time(double t, double step, double span, char out[32])
{
    time_t sec = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&sec, &tm);
    if (step >= 86400)
        strftime(out, 32, "%m-%d", &tm);
    else if (span >= 86400)
        strftime(out, 32, "%m-%d %H:%M", &tm);
    else if (step >= 60)
        strftime(out, 32, "%H:%M", &tm);
    else
        strftime(out, 32, "%H:%M:%S", &tm);
}

static void svg_open(FILE *out, int width, int height, const char *label)
{
    fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height);
    text(out, label);
    fputs("\">", out);
}

/* Draws the time axis along the bottom of a plot, with grid lines up to top. */
static void time_axis(FILE *out, const axis *x, double top, double bottom)
{
    double span = x->hi - x->lo;
    double step = time_step(span, 6);
    fprintf(out, "<path class=\"axis\" d=\"M%.1f %.1fH%.1f\"/>", x->px0, bottom, x->px1);
    for (double t = ceil(x->lo / step) * step; t <= x->hi + 1e-9; t += step) {
        char label[32];
        double px = axis_map(x, t);
        format_tick_time(t, step, span, label);
        /* A label at the right end is aligned to stay inside the chart; the left
           margin leaves room for half a label. */
        const char *anchor = px > x->px1 - 30 ? "end" : "middle";
        fprintf(out, "<path class=\"grid\" d=\"M%.1f %.1fV%.1f\"/>", px, top, bottom);
        fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
                px, bottom + 14, anchor, label);
    }
    if (span < 86400 && step < 86400) {
        /* The tick labels show times of day only, so name the day. */
        char day[32];
        time_t sec = (time_t)floor(x->lo);
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
        fprintf(out, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"start\">%s</text>",
                LEFT, bottom + 26, day);
    }
}

/* Draws a value axis on the left with grid lines across. */
static void value_axis(FILE *out, const axis *y, const char *unit)
{
    double step = value_step(y->hi - y->lo, unit, 4);
    for (double v = ceil(y->lo / step) * step; v <= y->hi + step * 1e-9; v += step) {
        char label[32];
        double py = axis_map(y, v);
        format_value(v, unit, label);
        fprintf(out, "<path class=\"grid\" d=\"M%d %.1fH%d\"/>", LEFT, py, WIDTH - RIGHT);
        fprintf(out, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                LEFT - 6, py + 4, label);
    }
}

/* Time range of a series' points in seconds; false when it has none. */
static bool time_range(const alert_series *s, size_t count, double *lo, double *hi)
{
    bool any = false;
    for (size_t k = 0; k < count; k++) {
        for (size_t i = 0; i < s[k].n; i++) {
            double t = (double)s[k].times[i] / 1e9;
            if (!any || t < *lo)
                *lo = t;
            if (!any || t > *hi)
                *hi = t;
            any = true;
        }
    }
    if (any && *hi - *lo < 1) {
        *lo -= 30;
        *hi += 30;
    }
    return any;
}

static void caption(FILE *out, const alert_series *s, const char *note)
{
    fprintf(out, "<figure class=\"chart%s\"><figcaption>",
            s->chart == ALERT_CHART_TIMELINE ? " wide" : "");
    text(out, s->title);
    if (note && *note) {
        fputs(" <span class=\"note\">", out);
        text(out, note);
        fputs("</span>", out);
    }
    fputs("</figcaption>", out);
}

static void draw_timeline(FILE *out, const alert_series *s)
{
    const int height = 84;
    double lo = 0, hi = 0;
    char note[96];
    if (s->n < s->total)
        snprintf(note, sizeof(note), "%zu of %zu, evenly thinned", s->n, s->total);
    else
        snprintf(note, sizeof(note), "%zu", s->n);
    caption(out, s, note);
    svg_open(out, WIDE_WIDTH, height, s->title);
    if (time_range(s, 1, &lo, &hi)) {
        axis x = {lo, hi, LEFT, WIDE_WIDTH - RIGHT};
        double bottom = height - BOTTOM;
        time_axis(out, &x, TOP, bottom);
        fprintf(out, "<path class=\"ticks%s\" d=\"", s->n > 300 ? " dense" : "");
        for (size_t i = 0; i < s->n; i++)
            fprintf(out, "M%.1f %.1fv%d", axis_map(&x, (double)s->times[i] / 1e9), bottom - 30.0,
                    26);
        fputs("\"/>", out);
    }
    fputs("</svg></figure>\n", out);
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/*
 * Draws a histogram from 0 to a little past the 99th percentile, and at
 * least to 1.5 times the mark. Larger values go to one overflow bar.
 */
static void draw_histogram(FILE *out, const alert_series *s)
{
    const int height = 190;
    double *v = malloc((s->n ? s->n : 1) * sizeof(*v));
    if (!v)
        return;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->values[i]))
            v[n++] = s->values[i];
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_double);

    char note[96] = "";
    if (isfinite(s->mark) && s->mark_label) {
        char mark[32];
        format_value(s->mark, s->unit, mark);
        snprintf(note, sizeof(note), "%zu values; %s %s", n, s->mark_label, mark);
    } else {
        snprintf(note, sizeof(note), "%zu values", n);
    }
    caption(out, s, note);
    svg_open(out, WIDTH, height, s->title);
    if (n == 0) {
        fputs("</svg></figure>\n", out);
        free(v);
        return;
    }

    double hi = v[(size_t)floor(0.99 * (double)(n - 1))] * 1.1;
    if (isfinite(s->mark))
        hi = fmax(hi, s->mark * 1.5);
    hi = fmin(hi, v[n - 1] * 1.02);
    if (!(hi > 0))
        hi = 1;
    size_t bins[HISTOGRAM_BINS] = {0}, overflow = 0, top = 1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] > hi) {
            overflow++;
            continue;
        }
        size_t b = (size_t)(fmax(v[i], 0) / hi * HISTOGRAM_BINS);
        bins[b < HISTOGRAM_BINS ? b : HISTOGRAM_BINS - 1]++;
    }
    for (size_t b = 0; b < HISTOGRAM_BINS; b++)
        top = bins[b] > top ? bins[b] : top;
    top = overflow > top ? overflow : top;

    double bottom = height - BOTTOM, plot_right = WIDTH - RIGHT - (overflow ? 28 : 0);
    axis x = {0, hi, LEFT, plot_right};
    axis y = {0, (double)top, bottom, TOP};
    y.hi = nice_step((double)top, 4) * ceil((double)top / nice_step((double)top, 4));
    value_axis(out, &y, NULL);
    fprintf(out, "<path class=\"axis\" d=\"M%d %.1fH%d\"/>", LEFT, bottom, WIDTH - RIGHT);
    double xstep = value_step(hi, s->unit, 6);
    for (double t = 0; t <= hi + 1e-9; t += xstep) {
        char label[32];
        format_value(t, s->unit, label);
        fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                axis_map(&x, t), bottom + 14, label);
    }

    double bw = (plot_right - LEFT) / HISTOGRAM_BINS;
    for (size_t b = 0; b < HISTOGRAM_BINS; b++) {
        if (!bins[b])
            continue;
        double py = axis_map(&y, (double)bins[b]);
        char from[32], to[32];
        format_value(hi * (double)b / HISTOGRAM_BINS, s->unit, from);
        format_value(hi * (double)(b + 1) / HISTOGRAM_BINS, s->unit, to);
        fprintf(out,
                "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                "<title>%s to %s: %zu</title></rect>",
                LEFT + bw * (double)b + 0.5, py, bw - 1, bottom - py, from, to, bins[b]);
    }
    if (overflow) {
        double py = axis_map(&y, (double)overflow);
        char from[32];
        format_value(hi, s->unit, from);
        fprintf(out,
                "<rect class=\"bar over\" x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"%.1f\">"
                "<title>over %s: %zu</title></rect>"
                "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">more</text>",
                plot_right + 4, py, bottom - py, from, overflow, plot_right + 15, bottom + 14);
    }

    /* The mark, and its multiples: a beacon that misses beats shows intervals there. */
    for (int k = 1; isfinite(s->mark) && s->mark > 0 && k <= 4 && s->mark * k <= hi; k++) {
        double px = axis_map(&x, s->mark * k);
        char label[40];
        if (k == 1)
            snprintf(label, sizeof(label), "%s", s->mark_label ? s->mark_label : "");
        else
            snprintf(label, sizeof(label), "%dx", k);
        fprintf(out, "<path class=\"%s\" d=\"M%.1f %dV%.1f\"/>", k == 1 ? "mark" : "mark faint",
                px, TOP, bottom);
        fprintf(out, "<text class=\"mark-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
                px, TOP - 3);
        text(out, label);
        fputs("</text>", out);
    }
    fputs("</svg></figure>\n", out);
    free(v);
}

/*
 * Returns the top of a value axis for the finite values of series[0..count).
 * It lies a little past their 99th percentile, so that a few outliers do not
 * flatten the rest, and at least at 1.5 times the first series' mark, but
 * never past the largest value. It is 0 when no value is finite.
 */
static double robust_top(const alert_series *s, size_t count)
{
    size_t total = 0, n = 0;
    for (size_t k = 0; k < count; k++)
        total += s[k].n;
    double *v = malloc((total ? total : 1) * sizeof(*v));
    if (!v)
        return 0;
    for (size_t k = 0; k < count; k++)
        for (size_t i = 0; i < s[k].n; i++)
            if (isfinite(s[k].values[i]))
                v[n++] = s[k].values[i];
    if (n == 0) {
        free(v);
        return 0;
    }
    qsort(v, n, sizeof(*v), cmp_double);
    double top = v[(size_t)floor(0.99 * (double)(n - 1))] * 1.15;
    if (isfinite(s[0].mark))
        top = fmax(top, s[0].mark * 1.5);
    top = fmin(top, v[n - 1]);
    free(v);
    return top;
}

/* Draws values over time; values above the axis top are drawn on it, as outliers. */
static void draw_points(FILE *out, const alert_series *s, size_t count)
{
    const int height = 190;
    double lo = 0, hi = 0;
    size_t n = 0, above = 0;
    double top = robust_top(s, count);
    if (isfinite(s[0].mark))
        top = fmax(top, s[0].mark * 1.2);
    for (size_t k = 0; k < count; k++) {
        n += s[k].n;
        for (size_t i = 0; i < s[k].n; i++)
            above += isfinite(s[k].values[i]) && s[k].values[i] > top;
    }
    char note[96];
    if (above)
        snprintf(note, sizeof(note), "%zu points, %zu above the axis drawn on its top", n, above);
    else
        snprintf(note, sizeof(note), "%zu points", n);
    alert_series title = s[0];
    if (count > 1)
        title.title = "Bytes per connection";
    caption(out, &title, note);
    svg_open(out, WIDTH, height, title.title);
    if (!time_range(s, count, &lo, &hi)) {
        fputs("</svg></figure>\n", out);
        return;
    }
    double bottom = height - BOTTOM;
    axis x = {lo, hi, LEFT, WIDTH - RIGHT};
    double step = value_step(top > 0 ? top : 1, s[0].unit, 4);
    axis y = {0, step * ceil((top > 0 ? top : 1) / step), bottom, TOP};
    value_axis(out, &y, s[0].unit);
    time_axis(out, &x, TOP, bottom);
    if (isfinite(s[0].mark)) {
        double py = axis_map(&y, s[0].mark);
        fprintf(out, "<path class=\"mark\" d=\"M%d %.1fH%d\"/>", LEFT, py, WIDTH - RIGHT);
        fprintf(out, "<text class=\"mark-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
                WIDTH - RIGHT, py - 4);
        text(out, s[0].mark_label ? s[0].mark_label : "");
        fputs("</text>", out);
    }
    for (size_t k = 0; k < count; k++) {
        fprintf(out, "<path class=\"dots s%zu\" d=\"", k);
        for (size_t i = 0; i < s[k].n; i++) {
            double v = s[k].values[i];
            if (!isfinite(v))
                continue;
            fprintf(out, "M%.1f %.1fh0", axis_map(&x, (double)s[k].times[i] / 1e9),
                    axis_map(&y, fmin(v, y.hi)));
        }
        fputs("\"/>", out);
    }
    if (count > 1) {
        for (size_t k = 0; k < count; k++) {
            double lx = LEFT + 10 + 140.0 * (double)k;
            fprintf(out, "<path class=\"dots s%zu\" d=\"M%.1f %dh12\"/>", k, lx, TOP - 8);
            fprintf(out, "<text class=\"legend\" x=\"%.1f\" y=\"%d\">", lx + 18, TOP - 4);
            text(out, s[k].title);
            fputs("</text>", out);
        }
    }
    fputs("</svg></figure>\n", out);
}

static void draw_bars(FILE *out, const alert_series *s)
{
    const int height = 170;
    double lo = 0, hi = 0, top = 0;
    for (size_t i = 0; i < s->n; i++)
        top = fmax(top, s->values[i]);
    double width_s = s->bin_width > 0 ? (double)s->bin_width / 1e9 : 3600;
    char note[96], bin[32];
    svg_format_duration(width_s, bin);
    snprintf(note, sizeof(note), "per %s", bin);
    caption(out, s, note);
    svg_open(out, WIDTH, height, s->title);
    if (!time_range(s, 1, &lo, &hi)) {
        fputs("</svg></figure>\n", out);
        return;
    }
    hi = fmax(hi, lo) + width_s;
    double bottom = height - BOTTOM;
    axis x = {lo, hi, LEFT, WIDTH - RIGHT};
    double step = value_step(top > 0 ? top : 1, s->unit, 4);
    axis y = {0, step * ceil((top > 0 ? top : 1) / step), bottom, TOP};
    value_axis(out, &y, s->unit);
    time_axis(out, &x, TOP, bottom);
    double bw = fmax(axis_map(&x, lo + width_s) - axis_map(&x, lo) - 1, 1);
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->values[i]))
            continue;
        double t = (double)s->times[i] / 1e9, py = axis_map(&y, s->values[i]);
        char when[32], value[32];
        format_tick_time(t, 60, 86400, when);
        format_value(s->values[i], s->unit, value);
        fprintf(out,
                "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                "<title>%s: %s</title></rect>",
                axis_map(&x, t), py, bw, bottom - py, when, value);
    }
    fputs("</svg></figure>\n", out);
}

void svg_chart(FILE *out, const alert_series *series, size_t count)
{
    if (count == 0)
        return;
    switch (series[0].chart) {
    case ALERT_CHART_TIMELINE: draw_timeline(out, &series[0]); break;
    case ALERT_CHART_HISTOGRAM: draw_histogram(out, &series[0]); break;
    case ALERT_CHART_POINTS: draw_points(out, series, count); break;
    case ALERT_CHART_BARS: draw_bars(out, &series[0]); break;
    }
}

/* Distinct event kinds in order of first appearance; at most max. */
static size_t event_kinds(const alert_event *e, size_t n, const char **kinds, size_t max)
{
    size_t nk = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nk && strcmp(kinds[k], e[i].kind ? e[i].kind : "") != 0)
            k++;
        if (k == nk && nk < max)
            kinds[nk++] = e[i].kind ? e[i].kind : "";
    }
    return nk;
}

static void event_title(FILE *out, const alert_event *e)
{
    char when[IH_TIME_TEXT_MAX];
    ih_time_format(e->time, when);
    fprintf(out, "<title>%s ", when);
    const char *parts[] = {e->kind, e->process, e->name, e->address, e->detail};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (!parts[i] || !*parts[i])
            continue;
        fputs(i ? " | " : "", out);
        text(out, parts[i]);
    }
    fputs("</title>", out);
}

void svg_event_timeline(FILE *out, const alert_event *events, size_t count)
{
    const char *kinds[4];
    size_t nk = event_kinds(events, count, kinds, 4);
    int height = TOP + 28 * (int)nk + BOTTOM;
    alert_series title = {.title = "Events in time order"};
    char note[64];
    snprintf(note, sizeof(note), "%zu", count);
    caption(out, &title, note);
    svg_open(out, WIDE_WIDTH, height, title.title);

    double lo = 0, hi = 0;
    for (size_t i = 0; i < count; i++) {
        double t = (double)events[i].time / 1e9;
        lo = i == 0 || t < lo ? t : lo;
        hi = i == 0 || t > hi ? t : hi;
    }
    if (hi - lo < 1) {
        lo -= 30;
        hi += 30;
    }
    double bottom = height - BOTTOM;
    axis x = {lo, hi, LEFT + 40, WIDE_WIDTH - RIGHT};
    time_axis(out, &x, TOP, bottom);
    for (size_t k = 0; k < nk; k++) {
        double py = TOP + 14 + 28.0 * (double)k;
        fprintf(out, "<text class=\"legend\" x=\"%d\" y=\"%.1f\">", 4, py + 4);
        text(out, kinds[k]);
        fputs("</text>", out);
        for (size_t i = 0; i < count; i++) {
            if (strcmp(events[i].kind ? events[i].kind : "", kinds[k]) != 0)
                continue;
            fprintf(out, "<circle class=\"event e%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\">", k,
                    axis_map(&x, (double)events[i].time / 1e9), py);
            event_title(out, &events[i]);
            fputs("</circle>", out);
        }
    }
    fputs("</svg></figure>\n", out);
}
