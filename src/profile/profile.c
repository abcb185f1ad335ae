#include "profile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct ih_embedded_profile {
    const char *name;
    const char *text;
};
extern const struct ih_embedded_profile ih_embedded_profiles[];

static const char *source_of(const profile *p)
{
    return p->name ? p->name : "profile";
}

static int perr(profile *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int perr(profile *p, unsigned line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line)
        snprintf(p->error, sizeof(p->error), "%s:%u: %s", source_of(p), line, msg);
    else
        snprintf(p->error, sizeof(p->error), "%s: %s", source_of(p), msg);
    return -1;
}

static void node_free(profile_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->count; i++) {
        node_free(n->items[i]);
        if (n->keys)
            free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->used);
    free(n->key_lines);
    free(n->text);
    free(n);
}

void profile_free(profile *p)
{
    node_free(p->root);
    free(p->name);
    p->root = NULL;
    p->name = NULL;
}

static int append(profile_node *n, char *key, unsigned key_line, profile_node *item)
{
    profile_node **items = realloc(n->items, (n->count + 1) * sizeof(*items));
    if (!items)
        return -1;
    n->items = items;
    if (n->kind == PROFILE_MAP) {
        char **keys = realloc(n->keys, (n->count + 1) * sizeof(*keys));
        bool *used = realloc(n->used, (n->count + 1) * sizeof(*used));
        unsigned *lines = realloc(n->key_lines, (n->count + 1) * sizeof(*lines));
        if (keys)
            n->keys = keys;
        if (used)
            n->used = used;
        if (lines)
            n->key_lines = lines;
        if (!keys || !used || !lines)
            return -1;
        n->keys[n->count] = key;
        n->used[n->count] = false;
        n->key_lines[n->count] = key_line;
    }
    n->items[n->count++] = item;
    return 0;
}

/* Builds the node that starts with event ev (already taken from the parser). */
static profile_node *build(profile *p, yaml_parser_t *y, yaml_event_t *ev, int depth)
{
    profile_node *n = calloc(1, sizeof(*n));
    if (!n) {
        perr(p, 0, "out of memory");
        return NULL;
    }
    n->line = (unsigned)ev->start_mark.line + 1;
    if (depth > 32) {
        perr(p, n->line, "nesting deeper than 32 levels");
        free(n);
        return NULL;
    }

    if (ev->type == YAML_SCALAR_EVENT) {
        n->kind = PROFILE_SCALAR;
        n->text = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        if (!n->text) {
            free(n);
            return NULL;
        }
        return n;
    }
    if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT) {
        perr(p, n->line, "aliases (*name) are not supported in profiles");
        free(n);
        return NULL;
    }
    n->kind = ev->type == YAML_SEQUENCE_START_EVENT ? PROFILE_LIST : PROFILE_MAP;
    yaml_event_type_t end = n->kind == PROFILE_LIST ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT;

    for (;;) {
        yaml_event_t child;
        if (!yaml_parser_parse(y, &child)) {
            perr(p, (unsigned)y->problem_mark.line + 1, "invalid YAML: %s",
                 y->problem ? y->problem : "parse error");
            node_free(n);
            return NULL;
        }
        if (child.type == end) {
            yaml_event_delete(&child);
            return n;
        }
        char *key = NULL;
        unsigned key_line = 0;
        if (n->kind == PROFILE_MAP) {
            if (child.type != YAML_SCALAR_EVENT) {
                perr(p, (unsigned)child.start_mark.line + 1, "map keys must be plain text");
                yaml_event_delete(&child);
                node_free(n);
                return NULL;
            }
            key = strndup((const char *)child.data.scalar.value, child.data.scalar.length);
            key_line = (unsigned)child.start_mark.line + 1;
            yaml_event_delete(&child);
            for (size_t i = 0; key && i < n->count; i++) {
                if (strcmp(n->keys[i], key) == 0) {
                    perr(p, key_line, "duplicate key '%s'", key);
                    free(key);
                    node_free(n);
                    return NULL;
                }
            }
            if (!yaml_parser_parse(y, &child)) {
                perr(p, (unsigned)y->problem_mark.line + 1, "invalid YAML: %s",
                     y->problem ? y->problem : "parse error");
                free(key);
                node_free(n);
                return NULL;
            }
        }
        profile_node *item = build(p, y, &child, depth + 1);
        yaml_event_delete(&child);
        if (!item || append(n, key, key_line, item) < 0) {
            free(key);
            node_free(item);
            node_free(n);
            return NULL;
        }
    }
}

int profile_parse(profile *p, const char *source, const char *text, size_t len)
{
    yaml_parser_t y;
    yaml_event_t ev;
    int rc = -1;

    memset(p, 0, sizeof(*p));
    p->name = strdup(source);
    if (!yaml_parser_initialize(&y))
        return perr(p, 0, "out of memory");
    yaml_parser_set_input_string(&y, (const unsigned char *)text, len);

    /* Skip the stream and document starts, then build the root. */
    for (;;) {
        if (!yaml_parser_parse(&y, &ev)) {
            perr(p, (unsigned)y.problem_mark.line + 1, "invalid YAML: %s",
                 y.problem ? y.problem : "parse error");
            break;
        }
        if (ev.type == YAML_STREAM_START_EVENT || ev.type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            perr(p, 0, "the profile is empty");
            break;
        }
        p->root = build(p, &y, &ev, 0);
        yaml_event_delete(&ev);
        if (p->root && p->root->kind != PROFILE_MAP)
            perr(p, p->root->line, "the profile must be a map of settings");
        else if (p->root)
            rc = 0;
        break;
    }
    yaml_parser_delete(&y);
    return rc;
}

const char *const *profile_builtin_names(void)
{
    static const char *names[16];
    size_t n = 0;
    for (size_t i = 0; ih_embedded_profiles[i].name && n < 15; i++)
        names[n++] = ih_embedded_profiles[i].name;
    names[n] = NULL;
    return names;
}

static int load_file(profile *p, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(p, 0, sizeof(*p));
        snprintf(p->error, sizeof(p->error), "%s: cannot open profile: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (16u << 20)) {
                free(buf);
                fclose(f);
                memset(p, 0, sizeof(*p));
                snprintf(p->error, sizeof(p->error), "%s: profile larger than 16 MiB", path);
                return -1;
            }
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    int rc = profile_parse(p, path, buf, len);
    free(buf);
    return rc;
}

int profile_load(profile *p, const char *name)
{
    size_t n = strlen(name);
    if (strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
        (n > 4 && strcmp(name + n - 4, ".yml") == 0))
        return load_file(p, name);
    for (size_t i = 0; ih_embedded_profiles[i].name; i++)
        if (strcmp(ih_embedded_profiles[i].name, name) == 0)
            return profile_parse(p, name, ih_embedded_profiles[i].text,
                                 strlen(ih_embedded_profiles[i].text));
    memset(p, 0, sizeof(*p));
    snprintf(p->error, sizeof(p->error),
             "unknown profile '%s': give a built-in name (seed) or a path to a .yaml file", name);
    return -1;
}

profile_node *profile_get(profile *p, profile_node *map, const char *key)
{
    (void)p;
    if (!map || map->kind != PROFILE_MAP)
        return NULL;
    for (size_t i = 0; i < map->count; i++) {
        if (strcmp(map->keys[i], key) == 0) {
            map->used[i] = true;
            return map->items[i];
        }
    }
    return NULL;
}

static profile_node *need(profile *p, profile_node *map, const char *key,
                          enum profile_node_kind kind)
{
    static const char *const kinds[] = {"a single value", "a list", "a map"};
    profile_node *n = profile_get(p, map, key);
    if (!n) {
        perr(p, map ? map->line : 0, "missing setting '%s'", key);
        return NULL;
    }
    if (n->kind != kind) {
        unsigned line = n->line;
        for (size_t i = 0; i < map->count; i++)
            if (map->items[i] == n)
                line = map->key_lines[i];
        perr(p, line, "'%s' must be %s", key, kinds[kind]);
        return NULL;
    }
    return n;
}

int profile_get_map(profile *p, profile_node *map, const char *key, profile_node **out)
{
    *out = need(p, map, key, PROFILE_MAP);
    return *out ? 0 : -1;
}

static int parse_int(profile *p, const profile_node *n, const char *key, int64_t min, int64_t max,
                     int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(n->text, &end, 10);
    if (errno || end == n->text || *end != '\0')
        return perr(p, n->line, "'%s': '%s' is not an integer", key, n->text);
    if (v < min || v > max)
        return perr(p, n->line, "'%s': %lld is outside %lld to %lld", key, v, (long long)min,
                    (long long)max);
    *out = v;
    return 0;
}

int profile_get_int(profile *p, profile_node *map, const char *key, int64_t min, int64_t max,
                    int64_t *out)
{
    profile_node *n = need(p, map, key, PROFILE_SCALAR);
    return n ? parse_int(p, n, key, min, max, out) : -1;
}

int profile_get_double(profile *p, profile_node *map, const char *key, double *out)
{
    profile_node *n = need(p, map, key, PROFILE_SCALAR);
    if (!n)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(n->text, &end);
    if (errno || end == n->text || *end != '\0' || !isfinite(v))
        return perr(p, n->line, "'%s': '%s' is not a number", key, n->text);
    *out = v;
    return 0;
}

int profile_get_string(profile *p, profile_node *map, const char *key, const char **out)
{
    profile_node *n = need(p, map, key, PROFILE_SCALAR);
    if (!n)
        return -1;
    *out = n->text;
    return 0;
}

int profile_get_duration(profile *p, profile_node *map, const char *key, int64_t *out)
{
    static const struct {
        const char *suffix;
        int64_t ns;
    } units[] = {{"ms", 1000000}, {"s", 1000000000}, {"m", INT64_C(60000000000)},
                 {"h", INT64_C(3600000000000)}, {"d", INT64_C(86400000000000)}};
    profile_node *n = need(p, map, key, PROFILE_SCALAR);
    if (!n)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(n->text, &end, 10);
    if (errno || end == n->text || v < 0)
        return perr(p, n->line, "'%s': '%s' is not a duration such as 30s, 1h or 7d", key,
                    n->text);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            if (v > INT64_MAX / units[i].ns)
                return perr(p, n->line, "'%s': %s is too long", key, n->text);
            *out = v * units[i].ns;
            return 0;
        }
    }
    if (*end == '\0')
        return perr(p, n->line, "'%s': '%s' needs a unit: ms, s, m, h or d", key, n->text);
    return perr(p, n->line, "'%s': unknown unit '%s' in '%s' (use ms, s, m, h or d, as in 30s)",
                key, end, n->text);
}

int profile_get_strings(profile *p, profile_node *map, const char *key, const char ***out,
                        size_t *count)
{
    profile_node *n = need(p, map, key, PROFILE_LIST);
    if (!n)
        return -1;
    const char **v = calloc(n->count + 1, sizeof(*v));
    if (!v)
        return perr(p, n->line, "out of memory");
    for (size_t i = 0; i < n->count; i++) {
        if (n->items[i]->kind != PROFILE_SCALAR) {
            free(v);
            return perr(p, n->items[i]->line, "'%s' must be a list of values", key);
        }
        v[i] = n->items[i]->text;
    }
    *out = v;
    *count = n->count;
    return 0;
}

int profile_get_ints(profile *p, profile_node *map, const char *key, int64_t min, int64_t max,
                     int64_t **out, size_t *count)
{
    profile_node *n = need(p, map, key, PROFILE_LIST);
    if (!n)
        return -1;
    int64_t *v = calloc(n->count + 1, sizeof(*v));
    if (!v)
        return perr(p, n->line, "out of memory");
    for (size_t i = 0; i < n->count; i++) {
        if (n->items[i]->kind != PROFILE_SCALAR || parse_int(p, n->items[i], key, min, max, &v[i]) < 0) {
            free(v);
            if (n->items[i]->kind != PROFILE_SCALAR)
                perr(p, n->items[i]->line, "'%s' must be a list of integers", key);
            return -1;
        }
    }
    *out = v;
    *count = n->count;
    return 0;
}

int profile_check_unused(profile *p, profile_node *map, const char *where)
{
    for (size_t i = 0; map && i < map->count; i++)
        if (!map->used[i])
            return perr(p, map->key_lines[i], "unknown setting '%s' in %s", map->keys[i], where);
    return 0;
}
