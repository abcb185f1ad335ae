/*
 * Detectors and the alerts they produce.
 *
 * A detector is a row of ih_detectors[]: it reads its parameters from the
 * profile, keeps one state per worker thread, merges states, and turns the
 * merged state into alerts. Detectors see only normalized events.
 *
 * Ownership: an alert list owns its alerts and every string in them.
 */
#ifndef IH_DETECT_H
#define IH_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/diag.h"
#include "../event/event.h"
#include "../profile/profile.h"

/* An extra alert field beyond the common columns. */
typedef enum alert_value_kind {
    ALERT_INT,
    ALERT_DOUBLE,
    ALERT_TEXT,
    ALERT_TIME,
    ALERT_TEXTS, /* a list of strings */
} alert_value_kind;

typedef struct alert_field {
    const char *name; /* static */
    alert_value_kind kind;
    int64_t i;        /* ALERT_INT, ALERT_TIME */
    double d;
    char *text;
    char **texts;
    size_t ntexts;
} alert_field;

#define ALERT_MAX_FIELDS 32

/*
 * Evidence for the HTML report: bounded series and events that show why an
 * alert fired. Detectors fill them only when ih_scan_info.evidence is set;
 * the table, JSON lines and CSV writers leave them out.
 */
typedef enum alert_chart {
    ALERT_CHART_TIMELINE,  /* times only: one mark per event */
    ALERT_CHART_HISTOGRAM, /* values only: their distribution, with the mark as a line */
    ALERT_CHART_POINTS,    /* one value per time, such as bytes per connection */
    ALERT_CHART_BARS,      /* one count per time bin of bin_width, such as addresses per hour */
} alert_chart;

#define ALERT_MAX_SERIES 8
#define ALERT_SERIES_MAX_POINTS 2048
#define ALERT_MAX_EVENTS 64

/*
 * One chart's data. Series of ALERT_CHART_POINTS that follow each other with
 * the same unit share one chart.
 */
typedef struct alert_series {
    const char *title; /* static, such as "Connections" */
    const char *unit;  /* static unit of the values, such as "s" or "bytes"; NULL for none */
    alert_chart chart;
    ih_time *times;    /* NULL for ALERT_CHART_HISTOGRAM */
    double *values;    /* NULL for ALERT_CHART_TIMELINE */
    size_t n;          /* points kept, at most ALERT_SERIES_MAX_POINTS */
    size_t total;      /* points before thinning; n < total means evenly thinned */
    double mark;       /* a value marked on the chart, such as the inferred period; NAN for none */
    const char *mark_label; /* static, such as "period"; NULL for none */
    int64_t bin_width; /* ALERT_CHART_BARS: nanoseconds per bar */
} alert_series;

/*
 * One event behind an alert, such as the DNS resolution of a dynamic-DNS name
 * and each connection that followed it. Strings are owned; NULL is unknown.
 */
typedef struct alert_event {
    ih_time time;
    const char *kind; /* static: "resolution", "connection" or another short word */
    char *process;
    char *name;       /* the name queried or connected to */
    char *address;    /* the addresses a resolution returned, or the remote address and port */
    char *detail;     /* TTLs, response code, bytes: free text */
} alert_event;
#define ALERT_BYTES_NULL INT64_MIN
#define ALERT_NO_SCORE (-1)

/*
 * One alert with the reference rule's union columns, then the assessment of
 * the scored detectors (score, severity, confidence, techniques,
 * explanation), then extra fields. The reference rule's alerts carry no
 * assessment: score is ALERT_NO_SCORE and the assessment fields are NULL.
 */
typedef struct ih_alert {
    ih_time timestamp;
    char *device_name;
    char *remote_ip;
    char *remote_url;
    const char *alert_type; /* static */
    uint64_t connection_count;
    int64_t bytes_sent;     /* ALERT_BYTES_NULL when unknown */
    int64_t bytes_received;
    char **sample_processes;
    size_t nsample_processes;

    int score;              /* 0 to 100, higher is more suspicious; ALERT_NO_SCORE when unscored */
    const char *severity;   /* static: "high", "medium", "low" or "info" */
    const char *confidence; /* static: "high", "medium" or "low" */
    char **techniques;      /* MITRE ATT&CK technique ids, such as "T1584" */
    size_t ntechniques;
    char *explanation;      /* plain-language reasons with the evidence behind the score */

    alert_field fields[ALERT_MAX_FIELDS];
    size_t nfields;

    alert_series series[ALERT_MAX_SERIES]; /* report evidence, see alert_add_series() */
    size_t nseries;
    alert_event *events;                   /* report evidence, in time order */
    size_t nevents;
    size_t events_dropped;                 /* events past ALERT_MAX_EVENTS */
} ih_alert;

typedef struct ih_alert_list {
    ih_alert *items;
    size_t count, cap;
} ih_alert_list;

/* Appends a zeroed alert without a score; NULL when out of memory. */
ih_alert *alert_list_add(ih_alert_list *l);
void alert_list_free(ih_alert_list *l);

/*
 * Sorts scored alerts first, highest score first; then, and for unscored
 * alerts (the reference rule's), newest first; ties by AlertType, DeviceName, RemoteIP, RemoteUrl,
 * ConnectionCount, BytesSent, BytesReceived, SampleProcesses, then the extra
 * fields in order, strings compared byte-wise. Alerts equal in all of these
 * are identical, so the output does not depend on input order or threads.
 */
void alert_list_sort(ih_alert_list *l);

/* Field setters; they copy strings. Return 0, or -1 when out of memory. */
int alert_set_strings(char ***dst, size_t *n, const ih_str *src, size_t count);
int alert_add_int(ih_alert *a, const char *name, int64_t v);
int alert_add_double(ih_alert *a, const char *name, double v);
int alert_add_text(ih_alert *a, const char *name, ih_str v);
int alert_add_time(ih_alert *a, const char *name, ih_time v);
int alert_add_texts(ih_alert *a, const char *name, const ih_str *v, size_t n);
char *alert_strdup(ih_str s);

/*
 * Adds a series of total points for chart, thinned evenly to at most
 * ALERT_SERIES_MAX_POINTS: the caller fills times and values (as the chart
 * needs them) for k below n from its point alert_series_source(s, k).
 * mark is NAN and the other fields zero. NULL when out of memory or when
 * the alert has ALERT_MAX_SERIES series already.
 */
alert_series *alert_add_series(ih_alert *a, const char *title, const char *unit,
                               alert_chart chart, size_t total);

/* The index among the caller's total points that point k of s shows. */
size_t alert_series_source(const alert_series *s, size_t k);

/*
 * Appends an event, copying the strings (ptr NULL for unknown). Events past
 * ALERT_MAX_EVENTS are counted in events_dropped, not kept. Returns 0, or -1
 * when out of memory.
 */
int alert_add_event(ih_alert *a, ih_time time, const char *kind, ih_str process, ih_str name,
                    ih_str address, ih_str detail);

/*
 * Sets the assessment of a scored alert: score from 0 to 100, static severity
 * and confidence words, and copies of the technique ids and the explanation.
 * Returns 0, or -1 when out of memory.
 */
int alert_set_assessment(ih_alert *a, int score, const char *severity, const char *confidence,
                         const char *const *techniques, size_t ntechniques,
                         const char *explanation);

/* What every detector learns at the end of the read. */
typedef struct ih_scan_info {
    ih_time now; /* --now, or the newest event time; IH_TIME_NONE when no event had a time */
    bool evidence; /* fill the alerts' series and events, for the HTML report */
} ih_scan_info;

typedef struct ih_detector {
    const char *name; /* the profile's key for its settings */
    /* Reads settings from cfg (the profile map under name); -1 with p->error set. */
    int (*configure)(profile *p, profile_node *cfg, void **params);
    void (*params_free)(void *params);
    void *(*state_new)(const void *params);
    void (*state_free)(void *state);
    /* Each returns 0, or -1 when out of memory. */
    int (*conn)(void *state, const ih_conn *c);
    int (*dns)(void *state, const ih_dns *d);
    /* Folds src into dst; src is freed by the caller afterwards. */
    int (*merge)(void *dst, void *src);
    int (*finish)(void *state, const ih_scan_info *info, ih_alert_list *out, ih_diag *diag);
} ih_detector;

extern const ih_detector ih_detector_seed;
extern const ih_detector ih_detector_beacon;
extern const ih_detector ih_detector_intel;
extern const ih_detector ih_detector_ddns;
extern const ih_detector ih_detector_flux;
/* Rewrites the alerts of the detectors listed before it in the profile; list it last. */
extern const ih_detector ih_detector_combine;

/* All detectors, NULL-terminated. */
extern const ih_detector *const ih_detectors[];

#endif
