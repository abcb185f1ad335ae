/*
 * Offline IP-to-ASN lookup.
 *
 * Two kinds of database: CSV ranges "start,end,asn,org" (the layout of the
 * @ip-location-db/asn package, plain or gzip, IPv4 and IPv6 in one file or
 * in a folder holding asn-ipv4.csv[.gz] and asn-ipv6.csv[.gz]), built into
 * sorted range arrays searched by bisection; and MaxMind DB files (.mmdb,
 * such as GeoLite2-ASN), read through libmaxminddb.
 *
 * Ownership: a database owns its arrays and strings; the views in an
 * asn_info stay valid until asn_db_close(). Lookups do not modify the
 * database, so threads may share one.
 */
#ifndef IH_ASN_H
#define IH_ASN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"

typedef struct asn_info {
    uint32_t asn;   /* 0 when the range has no AS number */
    ih_str org;     /* the AS's organization, possibly empty */
    ih_str country; /* ISO 3166 code where the database has one, else unknown */
} asn_info;

typedef struct asn_db asn_db;

/* What a database holds, for --stats, benchmarks and messages. */
typedef struct asn_db_stats {
    const char *kind;     /* "csv" or "mmdb" */
    size_t ipv4_ranges, ipv6_ranges;
    size_t skipped_lines; /* malformed or overlapping lines left out */
    size_t index_bytes;   /* memory of the range index and its strings */
} asn_db_stats;

/*
 * Opens a database: a .mmdb file, a CSV file (".gz" is decompressed), or a
 * folder holding asn-ipv4.csv[.gz] and asn-ipv6.csv[.gz]. Returns 0, or -1
 * with a message naming the path in err.
 */
int asn_db_open(const char *path, asn_db **out, char *err, size_t errlen);

/*
 * Builds a CSV database from text in memory (tests use it). Lines that do
 * not parse, and ranges that overlap an earlier range, are counted in
 * skipped_lines and left out. Returns 0, or -1 when out of memory.
 */
int asn_db_from_csv(const char *text, size_t len, asn_db **out);

void asn_db_close(asn_db *db);

/* Finds the range holding a; false when none does or a is unknown. */
bool asn_db_lookup(const asn_db *db, const ih_addr *a, asn_info *out);

void asn_db_get_stats(const asn_db *db, asn_db_stats *out);

#endif
