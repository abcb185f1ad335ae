#include "enrich.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ih_embedded_data {
    const char *name;
    const char *text;
    size_t len;
};

/* Generated from data/ by tools/embed_data.sh. */
extern const struct ih_embedded_data ih_embedded_data[];

static ih_enrich_options options;
static ih_enrich *shared;

void ih_enrich_set_options(const ih_enrich_options *o)
{
    options = *o;
}

int ih_list_read(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    if (strncmp(path, "builtin:", 8) == 0) {
        for (size_t i = 0; ih_embedded_data[i].name; i++) {
            if (strcmp(ih_embedded_data[i].name, path + 8) == 0) {
                *text = malloc(ih_embedded_data[i].len + 1);
                if (!*text) {
                    snprintf(err, errlen, "reading %s: out of memory", path);
                    return -1;
                }
                memcpy(*text, ih_embedded_data[i].text, ih_embedded_data[i].len + 1);
                *len = ih_embedded_data[i].len;
                return 0;
            }
        }
        snprintf(err, errlen, "no built-in list named %s", path);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open list %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        snprintf(err, errlen, "cannot read list %s: %s", path, buf ? strerror(errno) : "out of memory");
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int ih_enrich_add_list(intel_set *s, const char *path, char *err, size_t errlen)
{
    if (strncmp(path, "builtin:", 8) != 0)
        return intel_set_load(s, path, err, errlen);
    char *text;
    size_t len;
    if (ih_list_read(path, &text, &len, err, errlen) < 0)
        return -1;
    int rc = 0;
    for (char *line = strtok(text, "\n"); line && rc >= 0; line = strtok(NULL, "\n")) {
        if (*line == '#')
            continue;
        char *comma = strchr(line, ',');
        if (comma)
            *comma = '\0';
        rc = intel_set_add(s, line, strlen(line), path);
    }
    free(text);
    if (rc < 0)
        snprintf(err, errlen, "reading %s: out of memory", path);
    return rc < 0 ? -1 : 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds and opens the ASN database; *db stays NULL when none is configured or found. */
static int open_asn(ih_enrich *e, char *err, size_t errlen)
{
    const char *path = options.asn_db, *from = "--asn-db";
    if (!path && getenv(IH_ENV_ASN_DB) && *getenv(IH_ENV_ASN_DB)) {
        path = getenv(IH_ENV_ASN_DB);
        from = "$" IH_ENV_ASN_DB;
    }
    char data_path[4096];
    if (!path && getenv("INFRAHUNT_DATA") && *getenv("INFRAHUNT_DATA")) {
        snprintf(data_path, sizeof(data_path), "%s/lists/asn", getenv("INFRAHUNT_DATA"));
        if (is_dir(data_path)) {
            path = data_path;
            from = "$INFRAHUNT_DATA";
        }
    }
    if (!path) {
        snprintf(e->asn_source, sizeof(e->asn_source),
                 "no ASN database (none given with --asn-db or $%s, and no "
                 "$INFRAHUNT_DATA/lists/asn)",
                 IH_ENV_ASN_DB);
        return 0;
    }
    if (strcmp(path, "none") == 0) {
        snprintf(e->asn_source, sizeof(e->asn_source), "no ASN database (%s none)", from);
        return 0;
    }
    char why[4608];
    if (asn_db_open(path, &e->asn, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "%s: %s", from, why);
        return -1;
    }
    asn_db_stats st;
    asn_db_get_stats(e->asn, &st);
    snprintf(e->asn_source, sizeof(e->asn_source), "%s (%s, %s)", path, st.kind, from);
    return 0;
}

static void free_context(ih_enrich *e)
{
    asn_db_close(e->asn);
    intel_set_free(&e->intel);
    intel_set_free(&e->allow);
    free(e);
}

ih_enrich *ih_enrich_acquire(char *err, size_t errlen)
{
    if (shared) {
        shared->refs++;
        return shared;
    }
    ih_enrich *e = calloc(1, sizeof(*e));
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    intel_set_init(&e->intel);
    intel_set_init(&e->allow);
    int rc = open_asn(e, err, errlen);
    for (size_t i = 0; rc == 0 && i < options.nintel; i++)
        rc = ih_enrich_add_list(&e->intel, options.intel[i], err, errlen);
    for (size_t i = 0; rc == 0 && i < options.nallow; i++)
        rc = ih_enrich_add_list(&e->allow, options.allow[i], err, errlen);
    if (rc < 0) {
        free_context(e);
        return NULL;
    }
    ih_enrich_seal(e);
    e->refs = 1;
    shared = e;
    return e;
}

void ih_enrich_release(ih_enrich *e)
{
    if (!e || --e->refs > 0)
        return;
    if (e == shared)
        shared = NULL;
    free_context(e);
}

void ih_enrich_seal(ih_enrich *e)
{
    intel_set_seal(&e->intel);
    intel_set_seal(&e->allow);
}

bool ih_enrich_allowed_name(const ih_enrich *e, const char *name, size_t len)
{
    const char *note;
    return e && intel_match_name(&e->allow, name, len, &note);
}

bool ih_enrich_allowed_addr(const ih_enrich *e, const ih_addr *a)
{
    const char *note;
    return e && intel_match_addr(&e->allow, a, &note);
}
