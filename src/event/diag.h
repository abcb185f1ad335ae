/*
 * Diagnostics for bad input: per-reason counters and the first few messages.
 *
 * Each worker thread owns one ih_diag; ih_diag_merge() folds them together at
 * the end of a run, and ih_diag_print() writes the kept messages in input
 * order (file, then line) followed by the totals, so the output does not
 * depend on the thread count.
 */
#ifndef IH_DIAG_H
#define IH_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

/* Messages kept per worker and printed in all; the rest are only counted. */
#define IH_DIAG_KEEP 10

typedef struct ih_diag_msg {
    uint32_t file_index; /* position of the file in the input list */
    uint64_t line;       /* 1-based, 0 for binary formats */
    uint64_t offset;     /* byte offset in the decompressed stream */
    char *file;
    char *text;
} ih_diag_msg;

typedef struct ih_counter {
    char *source; /* reader name, such as "sysmon-json" */
    char *name;   /* "conn", "dns", or a skip reason */
    uint64_t count;
} ih_counter;

typedef struct ih_diag {
    ih_diag_msg msgs[IH_DIAG_KEEP];
    size_t nmsgs;
    uint64_t errors; /* bad records and unreadable input, all counted */
    bool strict;     /* stop at the first error */
    bool stop;       /* set when strict mode saw an error */

    /* Counters, small and linearly searched: a run has few sources and reasons. */
    ih_counter *read; /* records read per source */
    size_t nread;
    ih_counter *events; /* events produced per source and kind */
    size_t nevents;
    ih_counter *skipped; /* records skipped per source and reason */
    size_t nskipped;
    ih_counter *used; /* events used per detector part */
    size_t nused;
} ih_diag;

void ih_diag_init(ih_diag *d, bool strict);
void ih_diag_free(ih_diag *d);

/*
 * Records a bad record at origin o: counts it as skipped under reason (a
 * short fixed phrase such as "invalid JSON") and keeps the formatted detail
 * message if fewer than IH_DIAG_KEEP are kept. The message is printed as
 * "file:line: reason: detail".
 */
void ih_diag_bad(ih_diag *d, const ih_origin *o, uint32_t file_index, const char *reason,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Counts a record that was read fine but is not used, such as a Sysmon event 1. */
void ih_diag_skip(ih_diag *d, const char *source, const char *reason);

void ih_diag_count_read(ih_diag *d, const char *source, uint64_t n);
void ih_diag_count_event(ih_diag *d, const char *source, const char *kind, uint64_t n);
void ih_diag_count_used(ih_diag *d, const char *detector, uint64_t n);

/* Adds the counters and messages of src to dst; src stays valid. */
void ih_diag_merge(ih_diag *dst, const ih_diag *src);

/* Prints the kept messages in input order and "... N more" for the rest. */
void ih_diag_print_messages(const ih_diag *d, FILE *out);

/* Prints the --stats table. */
void ih_diag_print_stats(const ih_diag *d, FILE *out);

/* Total number of records skipped for a reason of any kind. */
uint64_t ih_diag_total_skipped(const ih_diag *d);

#endif
