/*
 * Domain names: normalization and a set of zones matched on label
 * boundaries.
 *
 * A zone set stores each zone once, in a hash table keyed by the zone's
 * text. Matching a name hashes each of its suffixes that starts at a label
 * boundary ("a.b.duckdns.org", "b.duckdns.org", "duckdns.org", "org") and
 * looks each one up, so a lookup costs one hash probe per label whatever
 * the number of zones.
 *
 * Ownership: a zone set owns copies of its zones; it is read-only after
 * loading, so threads may match against it concurrently.
 */
#ifndef IH_DOMAIN_H
#define IH_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Maximum length of a domain name in text form, without the trailing dot (RFC 1035). */
#define IH_NAME_MAX 253

/*
 * Writes the normalized form of a name to out: ASCII lower case, one
 * trailing dot removed. Returns its length, or -1 when the name is empty,
 * longer than IH_NAME_MAX, has an empty label ("a..b", ".a") or contains a
 * byte that is not a letter, digit, '-', '_' or '.'.
 */
int ih_name_normalize(const char *s, size_t len, char out[IH_NAME_MAX + 1]);

typedef struct zone_slot zone_slot;

typedef struct zone_set {
    zone_slot *slots; /* open addressing, power-of-two size */
    size_t nslots;
    size_t count;
    char *text;       /* every zone, NUL-separated */
    size_t text_len, text_cap;
} zone_set;

/* A match: the zone's value and where the zone starts in the name. */
typedef struct zone_match {
    uint32_t value;
    size_t zone_offset; /* 0 when the name equals the zone */
} zone_match;

void zone_set_init(zone_set *z);
void zone_set_free(zone_set *z);

/*
 * Adds a normalized zone with a caller-defined value. A zone already in the
 * set keeps its first value. Returns 1 when added, 0 when already present,
 * -1 when out of memory.
 */
int zone_set_add(zone_set *z, const char *zone, size_t len, uint32_t value);

/*
 * Finds the longest zone that a normalized name equals or ends with on a
 * label boundary. With subdomains_only, the name itself is not tried, so a
 * zone matches only names below it. Returns true and fills m on a match.
 */
bool zone_set_match(const zone_set *z, const char *name, size_t len, bool subdomains_only,
                    zone_match *m);

#endif
