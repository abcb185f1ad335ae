/*
 * Indicator sets: IP addresses, CIDR prefixes and domains, read from lists
 * (one indicator a line, or CSV whose first column is the indicator). The
 * threat-intel lists and the allowlist are both indicator sets.
 *
 * A domain indicator matches the domain and every name below it on a label
 * boundary. An address matches a listed address or a prefix that contains it.
 *
 * Ownership: a set owns its entries and strings; it is read-only after
 * loading, so threads may match against it concurrently.
 */
#ifndef IH_INTEL_H
#define IH_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"
#include "domain.h"

typedef struct intel_prefix {
    ih_addr addr;
    unsigned bits;
    uint32_t note; /* index in notes */
} intel_prefix;

typedef struct intel_set {
    zone_set domains;     /* values index notes */
    intel_prefix *hosts;  /* single addresses, sorted by intel_set_seal() for bisection */
    size_t nhosts, hosts_cap;
    intel_prefix *nets;   /* shorter prefixes, scanned in order */
    size_t nnets, nets_cap;
    char **notes;         /* per indicator: "list: comment" */
    size_t nnotes, notes_cap;
    size_t skipped;       /* lines that are no indicator */
} intel_set;

void intel_set_init(intel_set *s);
void intel_set_free(intel_set *s);

/*
 * Adds one indicator: an IPv4 or IPv6 address, a CIDR prefix, a domain, or
 * a URL, whose host is taken. note names where it came from. Returns 1 when
 * added, 0 when text is no indicator, -1 when out of memory.
 */
int intel_set_add(intel_set *s, const char *text, size_t len, const char *note);

/*
 * Reads a list file: one indicator a line, or CSV with the indicator in
 * the first column (a second column, when present, is kept as the note).
 * Blank lines, '#' comments and a header line are skipped. Returns 0, or -1
 * with a message in err.
 */
int intel_set_load(intel_set *s, const char *path, char *err, size_t errlen);

/* Sorts the single addresses; call once after loading and before matching. */
void intel_set_seal(intel_set *s);

/* True when a is listed or in a listed prefix; *note is the entry's note. */
bool intel_match_addr(const intel_set *s, const ih_addr *a, const char **note);

/* True when a normalized name or a domain above it is listed. */
bool intel_match_name(const intel_set *s, const char *name, size_t len, const char **note);

static inline size_t intel_set_count(const intel_set *s)
{
    return s->domains.count + s->nhosts + s->nnets;
}

#endif
