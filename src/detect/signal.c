#include "signal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../enrich/domain.h"
#include "../event/addr.h"

int signal_addr_cmp(const ih_addr *a, const ih_addr *b)
{
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return memcmp(a->bytes, b->bytes, a->family == IH_AF_INET ? 4 : 16);
}

bool signal_sample_addr(ih_addr *v, uint8_t *n, size_t k, const ih_addr *a)
{
    size_t i = 0;
    while (i < *n && signal_addr_cmp(&v[i], a) < 0)
        i++;
    if (i < *n && signal_addr_cmp(&v[i], a) == 0)
        return true;
    if (i == k)
        return false;
    size_t keep = *n < k ? *n : k - 1;
    memmove(&v[i + 1], &v[i], (keep - i) * sizeof(*v));
    v[i] = *a;
    bool fitted = *n < k;
    if (*n < k)
        (*n)++;
    return fitted;
}

static int cmp_interned(const intern *t, uint32_t a, uint32_t b)
{
    ih_str x = intern_text(t, a), y = intern_text(t, b);
    size_t n = x.len < y.len ? x.len : y.len;
    int c = n ? memcmp(x.ptr, y.ptr, n) : 0;
    return c ? c : (x.len < y.len ? -1 : x.len > y.len);
}

bool signal_sample_text(const intern *t, uint32_t *v, uint8_t *n, size_t k, uint32_t id)
{
    size_t i = 0;
    while (i < *n && cmp_interned(t, v[i], id) < 0)
        i++;
    if (i < *n && v[i] == id)
        return true;
    if (i == k)
        return false;
    size_t keep = *n < k ? *n : k - 1;
    memmove(&v[i + 1], &v[i], (keep - i) * sizeof(*v));
    v[i] = id;
    bool fitted = *n < k;
    if (*n < k)
        (*n)++;
    return fitted;
}

uint32_t signal_intern_name(intern *t, ih_str name)
{
    char buf[IH_NAME_MAX + 1];
    if (!name.ptr)
        return 0;
    int n = ih_name_normalize(name.ptr, name.len, buf);
    if (n < 0)
        return 0;
    return intern_add(t, buf, (size_t)n);
}

void signal_text_printf(signal_text *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 512;
        while (cap <= b->len + (size_t)n)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = true;
            return;
        }
        if (!b->s)
            s[0] = '\0';
        b->s = s;
        b->cap = cap;
    }
}

void signal_text_free(signal_text *b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}

const char *signal_severity(int score, int64_t high, int64_t medium, int64_t low)
{
    if (score >= high)
        return "high";
    if (score >= medium)
        return "medium";
    if (score >= low)
        return "low";
    return "info";
}

void signal_addr_text(const ih_addr *a, char *out)
{
    ih_addr_format(a, out);
}
