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

/* All detectors, NULL-terminated. */
extern const ih_detector *const ih_detectors[];

#endif
