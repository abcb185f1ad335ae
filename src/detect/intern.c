#include "intern.h"

#include <stdlib.h>
#include <string.h>

struct intern_block {
    intern_block *next;
    size_t used, cap;
    char data[];
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v * UINT64_C(0x9E3779B97F4A7C15);
    h = (h << 31) | (h >> 33);
    return h * UINT64_C(0xC2B2AE3D27D4EB4F);
}

/* A word-at-a-time multiplicative hash: interning runs once per event field. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = len * UINT64_C(0x165667B19E3779F9);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        h = mix(h, v);
    }
    if (i < len) {
        uint64_t v = 0;
        memcpy(&v, s + i, len - i);
        h = mix(h, v);
    }
    return h ^ (h >> 32);
}

int intern_init(intern *t)
{
    memset(t, 0, sizeof(*t));
    t->nslots = 1024;
    t->slots = calloc(t->nslots, sizeof(*t->slots));
    if (!t->slots)
        return -1;
    return intern_add(t, "", 0) == 0 ? 0 : -1;
}

void intern_free(intern *t)
{
    intern_block *b = t->blocks;
    while (b) {
        intern_block *next = b->next;
        free(b);
        b = next;
    }
    free(t->slots);
    free(t->texts);
    free(t->hashes);
    memset(t, 0, sizeof(*t));
}

static char *copy_text(intern *t, const char *s, size_t len)
{
    intern_block *b = t->blocks;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > 65536 ? len + 1 : 65536;
        intern_block *nb = malloc(sizeof(*nb) + cap);
        if (!nb)
            return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        t->blocks = b = nb;
    }
    char *p = b->data + b->used;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

/* A slot keeps the hash's high half beside the id, so probing a mismatch
   touches neither the text nor the hash arrays. */
static uint64_t slot_of(uint64_t h, uint32_t id)
{
    return (h & UINT64_C(0xFFFFFFFF00000000)) | ((uint64_t)id + 1);
}

static int grow(intern *t)
{
    size_t n = t->nslots * 2;
    uint64_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t id = 0; id < t->count; id++) {
        size_t i = t->hashes[id] & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = slot_of(t->hashes[id], (uint32_t)id);
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return 0;
}

uint32_t intern_add(intern *t, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    uint64_t high = h & UINT64_C(0xFFFFFFFF00000000);
    size_t mask = t->nslots - 1;

    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t slot = t->slots[i];
        if (slot == 0)
            break;
        if ((slot & UINT64_C(0xFFFFFFFF00000000)) != high)
            continue;
        uint32_t id = (uint32_t)(slot & 0xFFFFFFFF) - 1;
        if (t->texts[id].len == len && memcmp(t->texts[id].ptr, s, len) == 0)
            return id;
    }

    if (t->count >= UINT32_MAX - 1)
        return UINT32_MAX;
    if ((t->count + 1) * 2 > t->nslots && grow(t) < 0)
        return UINT32_MAX;
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        ih_str *texts = realloc(t->texts, cap * sizeof(*texts));
        if (texts)
            t->texts = texts;
        uint64_t *hashes = realloc(t->hashes, cap * sizeof(*hashes));
        if (hashes)
            t->hashes = hashes;
        if (!texts || !hashes)
            return UINT32_MAX;
        t->cap = cap;
    }
    char *copy = copy_text(t, s, len);
    if (!copy)
        return UINT32_MAX;

    uint32_t id = (uint32_t)t->count++;
    t->texts[id] = (ih_str){copy, len};
    t->hashes[id] = h;
    mask = t->nslots - 1;
    size_t i = h & mask;
    while (t->slots[i])
        i = (i + 1) & mask;
    t->slots[i] = slot_of(h, id);
    return id;
}
