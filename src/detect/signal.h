/*
 * Helpers shared by the default profile's DNS-aware detectors (ddns, flux,
 * intel) and the pass that combines their alerts: bounded samples that
 * merge to the same result in any order, explanation text, and severity
 * words.
 */
#ifndef IH_SIGNAL_H
#define IH_SIGNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"
#include "../event/addr.h"
#include "intern.h"

/* Orders addresses by family, then bytes; only the family's bytes count. */
int signal_addr_cmp(const ih_addr *a, const ih_addr *b);

/*
 * Keeps the k smallest distinct values seen, sorted, so that a sample
 * built in one pass equals one merged from parts. Each returns false when
 * the value was new but did not fit (the sample is then saturated).
 */
bool signal_sample_addr(ih_addr *v, uint8_t *n, size_t k, const ih_addr *a);
bool signal_sample_text(const intern *t, uint32_t *v, uint8_t *n, size_t k, uint32_t id);

/* Interns the normalized form of a name; 0 when it is no valid name, UINT32_MAX out of memory. */
uint32_t signal_intern_name(intern *t, ih_str name);

/* A growable string for explanations; on out of memory it stops growing and sets failed. */
typedef struct signal_text {
    char *s;
    size_t len, cap;
    bool failed;
} signal_text;

void signal_text_printf(signal_text *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void signal_text_free(signal_text *b);

/* "high", "medium", "low" or "info" for a score and the thresholds high >= medium >= low. */
const char *signal_severity(int score, int64_t high, int64_t medium, int64_t low);

/* Formats an address into out (IH_ADDR_TEXT_MAX bytes). */
void signal_addr_text(const ih_addr *a, char *out);

#endif
