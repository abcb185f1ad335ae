/*
 * Profiles: YAML files of rule parameters, read into a small tree that
 * detectors and renderers query with typed getters. Every getter reports a
 * wrong type or value as "file:line: key: problem" in the profile's error
 * buffer, so a typo in a profile is an error, not a silent default.
 *
 * Ownership: a profile owns its whole tree; node pointers stay valid until
 * profile_free().
 */
#ifndef IH_PROFILE_H
#define IH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum profile_node_kind { PROFILE_SCALAR, PROFILE_LIST, PROFILE_MAP };

typedef struct profile_node profile_node;
struct profile_node {
    enum profile_node_kind kind;
    unsigned line;
    char *text;            /* scalar value */
    char **keys;           /* map keys, parallel to items */
    profile_node **items;  /* list elements or map values */
    bool *used;            /* map keys read by a getter, for the unknown-key check */
    unsigned *key_lines;   /* line of each map key */
    size_t count;
};

typedef struct profile {
    char *name;   /* built-in name, or the path it was read from */
    profile_node *root;
    char error[512];
} profile;

/*
 * Loads a built-in profile by name ("seed"), or a YAML file when name
 * contains a '/' or ends in ".yaml". Returns 0, or -1 with p->error set.
 */
int profile_load(profile *p, const char *name);

/* Parses YAML text; source names it in messages. */
int profile_parse(profile *p, const char *source, const char *text, size_t len);

void profile_free(profile *p);

/* Names of the built-in profiles, NULL-terminated. */
const char *const *profile_builtin_names(void);

/* Member key of map node, or NULL; marks it used. */
profile_node *profile_get(profile *p, profile_node *map, const char *key);

/* Typed getters on map members. Each returns 0, or -1 with p->error set. A
   missing key is an error unless the getter says otherwise. */
int profile_get_map(profile *p, profile_node *map, const char *key, profile_node **out);
int profile_get_int(profile *p, profile_node *map, const char *key, int64_t min, int64_t max,
                    int64_t *out);
int profile_get_double(profile *p, profile_node *map, const char *key, double *out);
int profile_get_string(profile *p, profile_node *map, const char *key, const char **out);
/* A duration such as "7d", "1h", "30s" or "500ms", in nanoseconds. */
int profile_get_duration(profile *p, profile_node *map, const char *key, int64_t *out);
/* A list of scalars; *out points into the tree (do not free the strings). */
int profile_get_strings(profile *p, profile_node *map, const char *key, const char ***out,
                        size_t *n);
int profile_get_ints(profile *p, profile_node *map, const char *key, int64_t min, int64_t max,
                     int64_t **out, size_t *n);

/* Fails on the first key of map that no getter asked for (a likely typo). */
int profile_check_unused(profile *p, profile_node *map, const char *where);

#endif
