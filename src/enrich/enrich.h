/*
 * Offline enrichment shared by the detectors of one scan: the IP-to-ASN
 * database, the threat-intel lists and the allowlist, and the lists that
 * ship inside the binary (builtin:NAME).
 *
 * The command line sets its options once with ih_enrich_set_options()
 * before the profile's detectors are configured. Each detector that needs
 * enrichment calls ih_enrich_acquire() in its configure function and
 * ih_enrich_release() when its parameters are freed. The first acquire
 * loads everything, and the last release frees it. Detectors configure and
 * free on the main thread; worker threads only read the loaded context.
 *
 * Nothing here calls the network.
 */
#ifndef IH_ENRICH_H
#define IH_ENRICH_H

#include <stdbool.h>
#include <stddef.h>

#include "asn.h"
#include "intel.h"

/* Options from the command line; the strings must outlive the scan. */
typedef struct ih_enrich_options {
    const char *asn_db;        /* --asn-db PATH, or "none" */
    const char *const *intel;  /* --intel PATH, repeatable */
    size_t nintel;
    const char *const *allow;  /* --allowlist PATH, repeatable */
    size_t nallow;
} ih_enrich_options;

typedef struct ih_enrich {
    asn_db *asn;            /* NULL when no database was found or "none" was given */
    char asn_source[4608];  /* where the database came from, or why there is none */
    intel_set intel;        /* threat-intel indicators */
    intel_set allow;        /* the global allowlist, which overrides intel and every alert */
    int refs;
} ih_enrich;

/* Environment variable that names an ASN database when --asn-db is not given. */
#define IH_ENV_ASN_DB "INFRAHUNT_ASN_DB"

/* Stores the command line's options for the next ih_enrich_acquire() that loads. */
void ih_enrich_set_options(const ih_enrich_options *o);

/*
 * Returns the shared context, loading it on first use: the ASN database
 * from --asn-db, else $INFRAHUNT_ASN_DB, else $INFRAHUNT_DATA/lists/asn;
 * the --intel and --allowlist files. A database that is named but cannot
 * be read is an error. None found is not an error, and asn_source then
 * states why there is none. Returns NULL with a message in err.
 */
ih_enrich *ih_enrich_acquire(char *err, size_t errlen);

/* Drops one reference; the last frees the context. NULL is ignored. */
void ih_enrich_release(ih_enrich *e);

/* Adds a list file (or builtin:NAME) to the intel set or the allowlist. 0, or -1 with err. */
int ih_enrich_add_list(intel_set *s, const char *path, char *err, size_t errlen);

/* Seals both indicator sets after every list is added. */
void ih_enrich_seal(ih_enrich *e);

/* True when a normalized name, or an address, is on the allowlist. */
bool ih_enrich_allowed_name(const ih_enrich *e, const char *name, size_t len);
bool ih_enrich_allowed_addr(const ih_enrich *e, const ih_addr *a);

/*
 * The text of a list: "builtin:NAME" for a list shipped in the binary
 * (data/NAME in the source tree), else a file path. On success *text is
 * malloc'ed (the caller frees it) and NUL-terminated. Returns 0, or -1 with
 * a message in err.
 */
int ih_list_read(const char *path, char **text, size_t *len, char *err, size_t errlen);

#endif
