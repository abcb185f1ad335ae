#include "intel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../event/addr.h"

void intel_set_init(intel_set *s)
{
    memset(s, 0, sizeof(*s));
    zone_set_init(&s->domains);
}

void intel_set_free(intel_set *s)
{
    zone_set_free(&s->domains);
    free(s->hosts);
    free(s->nets);
    for (size_t i = 0; i < s->nnotes; i++)
        free(s->notes[i]);
    free(s->notes);
    memset(s, 0, sizeof(*s));
}

static int add_note(intel_set *s, const char *note, uint32_t *out)
{
    if (s->nnotes == s->notes_cap) {
        size_t cap = s->notes_cap ? s->notes_cap * 2 : 64;
        char **v = realloc(s->notes, cap * sizeof(*v));
        if (!v)
            return -1;
        s->notes = v;
        s->notes_cap = cap;
    }
    s->notes[s->nnotes] = strdup(note ? note : "");
    if (!s->notes[s->nnotes])
        return -1;
    *out = (uint32_t)s->nnotes++;
    return 0;
}

static int push_prefix(intel_prefix **v, size_t *n, size_t *cap, intel_prefix p)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        intel_prefix *nv = realloc(*v, c * sizeof(*nv));
        if (!nv)
            return -1;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = p;
    return 0;
}

/* Parses "address" or "address/bits"; -1 when it is neither. */
static int parse_prefix(const char *t, size_t len, intel_prefix *p)
{
    const char *slash = memchr(t, '/', len);
    size_t alen = slash ? (size_t)(slash - t) : len;
    if (ih_addr_parse(t, alen, &p->addr) < 0)
        return -1;
    unsigned max = p->addr.family == IH_AF_INET ? 32 : 128;
    p->bits = max;
    if (slash) {
        size_t n = len - alen - 1;
        unsigned bits = 0;
        if (n == 0 || n > 3)
            return -1;
        for (size_t i = 0; i < n; i++) {
            char c = slash[1 + i];
            if (c < '0' || c > '9')
                return -1;
            bits = bits * 10 + (unsigned)(c - '0');
        }
        if (bits > max)
            return -1;
        p->bits = bits;
    }
    return 0;
}

/* The host of a URL ("scheme://host:port/path"), or text itself. */
static void url_host(const char **t, size_t *len)
{
    const char *p = *t, *end = *t + *len;
    const char *scheme = NULL;
    for (const char *q = p; q + 2 < end; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            scheme = q;
            break;
        }
        if (*q == '/' || *q == '.')
            break;
    }
    if (!scheme)
        return;
    p = scheme + 3;
    const char *host_end = p;
    while (host_end < end && *host_end != '/' && *host_end != ':' && *host_end != '?' && *host_end != '#')
        host_end++;
    *t = p;
    *len = (size_t)(host_end - p);
}

int intel_set_add(intel_set *s, const char *text, size_t len, const char *note)
{
    while (len > 0 && (*text == ' ' || *text == '\t')) {
        text++;
        len--;
    }
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
        len--;
    url_host(&text, &len);
    if (len >= 2 && text[0] == '*' && text[1] == '.') { /* "*.example.com" lists example.com and below */
        text += 2;
        len -= 2;
    }

    intel_prefix p;
    uint32_t idx;
    if (parse_prefix(text, len, &p) == 0) {
        if (add_note(s, note, &idx) < 0)
            return -1;
        p.note = idx;
        bool host = p.bits == (p.addr.family == IH_AF_INET ? 32u : 128u);
        int rc = host ? push_prefix(&s->hosts, &s->nhosts, &s->hosts_cap, p)
                      : push_prefix(&s->nets, &s->nnets, &s->nets_cap, p);
        return rc < 0 ? -1 : 1;
    }
    char name[IH_NAME_MAX + 1];
    int n = ih_name_normalize(text, len, name);
    if (n < 0 || !memchr(name, '.', (size_t)n))
        return 0;
    if (add_note(s, note, &idx) < 0)
        return -1;
    return zone_set_add(&s->domains, name, (size_t)n, idx) < 0 ? -1 : 1;
}

/* Splits the first CSV cell (quotes removed) and the second, if any, from a line. */
static void split_cells(char *line, char **first, char **second)
{
    char *p = line;
    *second = NULL;
    if (*p == '"') {
        char *close = strchr(p + 1, '"');
        if (close) {
            *close = '\0';
            *first = p + 1;
            p = close + 1;
        } else {
            *first = p;
        }
    } else {
        *first = p;
    }
    char *comma = strchr(p, ',');
    if (comma) {
        *comma = '\0';
        *second = comma + 1;
        char *end = strchr(*second, ',');
        if (end)
            *end = '\0';
        if (**second == '"') {
            (*second)++;
            char *q = strchr(*second, '"');
            if (q)
                *q = '\0';
        }
    }
}

int intel_set_load(intel_set *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open list %s: %s", path, strerror(errno));
        return -1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char line[4096], note[4096 + 256];
    int rc = 0;
    unsigned long lineno = 0;
    while (rc >= 0 && fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        char *first, *second;
        split_cells(p, &first, &second);
        if (second && *second)
            snprintf(note, sizeof(note), "%s: %s", base, second);
        else
            snprintf(note, sizeof(note), "%s", base);
        rc = intel_set_add(s, first, strlen(first), note);
        if (rc == 0 && lineno > 1)
            s->skipped++; /* the first line may be a CSV header */
    }
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read list %s: %s", path, strerror(errno));
        rc = -1;
    } else if (rc < 0) {
        snprintf(err, errlen, "reading list %s: out of memory", path);
    }
    fclose(f);
    return rc < 0 ? -1 : 0;
}

static int cmp_host(const void *pa, const void *pb)
{
    const intel_prefix *a = pa, *b = pb;
    if (a->addr.family != b->addr.family)
        return a->addr.family < b->addr.family ? -1 : 1;
    int c = memcmp(a->addr.bytes, b->addr.bytes, a->addr.family == IH_AF_INET ? 4 : 16);
    if (c)
        return c;
    return a->note < b->note ? -1 : a->note > b->note;
}

void intel_set_seal(intel_set *s)
{
    if (s->nhosts > 1)
        qsort(s->hosts, s->nhosts, sizeof(*s->hosts), cmp_host);
}

bool intel_match_addr(const intel_set *s, const ih_addr *a, const char **note)
{
    if (a->family == IH_AF_NONE)
        return false;
    /* The first entry for the address, so the earliest-added note wins. */
    size_t lo = 0, hi = s->nhosts;
    intel_prefix key = {*a, 0, 0};
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_host(&s->hosts[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->nhosts && ih_addr_equal(&s->hosts[lo].addr, a)) {
        *note = s->notes[s->hosts[lo].note];
        return true;
    }
    for (size_t i = 0; i < s->nnets; i++) {
        if (ih_addr_in_prefix(a, &s->nets[i].addr, s->nets[i].bits)) {
            *note = s->notes[s->nets[i].note];
            return true;
        }
    }
    return false;
}

bool intel_match_name(const intel_set *s, const char *name, size_t len, const char **note)
{
    zone_match m;
    if (!zone_set_match(&s->domains, name, len, false, &m))
        return false;
    *note = s->notes[m.value];
    return true;
}
