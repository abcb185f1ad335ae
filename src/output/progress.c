/*
 * The progress bar. Reading threads only add to atomic counters. One
 * drawing thread reads them, keeps the recent samples for the rate, and
 * rewrites the terminal line with a carriage return and erase-line.
 */
#include "progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_NS 250000000L /* four redraws a second */
#define FIRST_DRAW_S 0.5     /* scans shorter than this print nothing */
#define RATE_SAMPLES 12      /* the rate is measured over the last 3 s */

struct output_progress {
    FILE *tty;
    atomic_uint_least64_t bytes, events, total;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop; /* under lock */
    bool drawn;
    bool unicode;
    double start;
    double sample_time[RATE_SAMPLES];
    uint64_t sample_bytes[RATE_SAMPLES];
    size_t nsamples, next_sample;
};

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True when the locale's character set is UTF-8, as the environment names it. */
static bool utf8_locale(void)
{
    const char *names[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return strstr(v, "UTF-8") || strstr(v, "utf-8") || strstr(v, "UTF8") ||
                   strstr(v, "utf8");
    }
    return false;
}

bool output_progress_supported(FILE *tty)
{
    const char *term = getenv("TERM");
    return isatty(fileno(tty)) && term && *term && strcmp(term, "dumb") != 0;
}

static void format_bytes(double v, char out[24])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(out, 24, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void format_count(double v, char out[24])
{
    if (v >= 1e9)
        snprintf(out, 24, "%.2fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(out, 24, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(out, 24, "%.1fk", v / 1e3);
    else
        snprintf(out, 24, "%.0f", v);
}

static void format_clock(double s, char out[24])
{
    long t = s > 0 && s < 1e8 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(out, 24, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, 24, "%ld:%02ld", t / 60, t % 60);
}

/* Bytes per second over the kept samples, or since the start while there is only one. */
static double rate_of(output_progress *p, double now, uint64_t bytes)
{
    p->sample_time[p->next_sample] = now;
    p->sample_bytes[p->next_sample] = bytes;
    p->next_sample = (p->next_sample + 1) % RATE_SAMPLES;
    if (p->nsamples < RATE_SAMPLES)
        p->nsamples++;
    if (p->nsamples == 1)
        return now > p->start ? (double)bytes / (now - p->start) : 0;
    size_t oldest = p->nsamples < RATE_SAMPLES ? 0 : p->next_sample;
    double dt = now - p->sample_time[oldest];
    return dt > 0 ? (double)(bytes - p->sample_bytes[oldest]) / dt : 0;
}

static int terminal_columns(FILE *tty)
{
    struct winsize ws;
    if (ioctl(fileno(tty), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Appends a bar of cells cells, filled to fraction. */
static size_t write_bar(char *line, size_t cap, double fraction, int cells, bool unicode)
{
    size_t len = 0;
    int filled = (int)(fraction * cells + 0.5);
    len += (size_t)snprintf(line + len, cap - len, "[");
    for (int i = 0; i < cells && len + 4 < cap; i++) {
        const char *cell;
        if (i < filled)
            cell = unicode ? "\u2588" : "#";
        else
            cell = unicode ? "\u2591" : "-";
        len += (size_t)snprintf(line + len, cap - len, "%s", cell);
    }
    len += (size_t)snprintf(line + len, cap - len, "] ");
    return len;
}

static void draw(output_progress *p, double now)
{
    uint64_t bytes = atomic_load_explicit(&p->bytes, memory_order_relaxed);
    uint64_t events = atomic_load_explicit(&p->events, memory_order_relaxed);
    uint64_t total = atomic_load_explicit(&p->total, memory_order_relaxed);
    double rate = rate_of(p, now, bytes);
    int columns = terminal_columns(p->tty);
    char done[24], all[24], count[24], speed[24], clock[24];
    format_bytes((double)bytes, done);
    format_count((double)events, count);
    format_bytes(rate, speed);

    char line[512];
    size_t len = (size_t)snprintf(line, sizeof(line), "infrahunt: ");
    if (total > 0) {
        double fraction = bytes >= total ? 1 : (double)bytes / (double)total;
        format_bytes((double)total, all);
        if (columns >= 96)
            len += write_bar(line + len, sizeof(line) - len, fraction, 24, p->unicode);
        len += (size_t)snprintf(line + len, sizeof(line) - len, "%3.0f%%  %s of %s  ",
                                100 * fraction, done, all);
    } else {
        len += (size_t)snprintf(line + len, sizeof(line) - len, "%s read  ", done);
    }
    len += (size_t)snprintf(line + len, sizeof(line) - len, "%s events  %s/s  ", count, speed);
    if (total > 0 && rate > 0 && bytes < total) {
        format_clock((double)(total - bytes) / rate, clock);
        snprintf(line + len, sizeof(line) - len, "%s left", clock);
    } else {
        format_clock(now - p->start, clock);
        snprintf(line + len, sizeof(line) - len, "%s elapsed", clock);
    }

    /* Cut to the terminal's width, so the line never wraps; the text before is ASCII
       but for the bar, whose cells are one column each. */
    size_t shown = 0, cut = 0;
    for (; line[cut] && shown + 1 < (size_t)columns; cut++)
        if (((unsigned char)line[cut] & 0xC0) != 0x80)
            shown++;
    while (line[cut] && ((unsigned char)line[cut] & 0xC0) == 0x80)
        cut++;
    fprintf(p->tty, "\r%.*s\x1b[K", (int)cut, line);
    fflush(p->tty);
    p->drawn = true;
}

static void *run_drawing(void *arg)
{
    output_progress *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_nsec += REDRAW_NS;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->wake, &p->lock, &deadline);
        double now = monotonic_seconds();
        if (!p->stop && now - p->start >= FIRST_DRAW_S)
            draw(p, now);
    }
    if (p->drawn) {
        fputs("\r\x1b[K", p->tty);
        fflush(p->tty);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

output_progress *output_progress_start(FILE *tty)
{
    output_progress *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->tty = tty;
    p->unicode = utf8_locale();
    p->start = monotonic_seconds();
    atomic_init(&p->bytes, 0);
    atomic_init(&p->events, 0);
    atomic_init(&p->total, 0);

    pthread_condattr_t attr;
    bool ready = pthread_condattr_init(&attr) == 0;
    ready = ready && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
            pthread_cond_init(&p->wake, &attr) == 0;
    pthread_condattr_destroy(&attr);
    if (!ready || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (pthread_create(&p->thread, NULL, run_drawing, p) != 0) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    return p;
}

void output_progress_total(void *progress, uint64_t bytes)
{
    output_progress *p = progress;
    atomic_store_explicit(&p->total, bytes, memory_order_relaxed);
}

void output_progress_add(void *progress, uint64_t bytes, uint64_t events)
{
    output_progress *p = progress;
    atomic_fetch_add_explicit(&p->bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->events, events, memory_order_relaxed);
}

void output_progress_stop(output_progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
