#include "keymap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_key(const void *key, size_t n)
{
    const uint8_t *p = key;
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ n;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001B3);
    }
    h ^= h >> 29;
    return h * UINT64_C(0xBF58476D1CE4E5B9);
}

int keymap_init(keymap *m, size_t key_size)
{
    memset(m, 0, sizeof(*m));
    m->key_size = key_size;
    m->nslots = 256;
    m->slots = calloc(m->nslots, sizeof(*m->slots));
    return m->slots ? 0 : -1;
}

void keymap_free(keymap *m)
{
    free(m->keys);
    free(m->hashes);
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static size_t probe(const keymap *m, const void *key, uint64_t h, size_t *slot)
{
    size_t mask = m->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint32_t v = m->slots[i];
        if (v == 0) {
            *slot = i;
            return SIZE_MAX;
        }
        if (m->hashes[v - 1] == h && memcmp(m->keys + (v - 1) * m->key_size, key, m->key_size) == 0) {
            *slot = i;
            return v - 1;
        }
    }
}

static int rehash(keymap *m)
{
    size_t n = m->nslots * 2;
    uint32_t *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t k = 0; k < m->count; k++) {
        size_t i = (size_t)m->hashes[k] & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
        slots[i] = (uint32_t)(k + 1);
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    return 0;
}

size_t keymap_find(const keymap *m, const void *key)
{
    size_t slot;
    return probe(m, key, hash_key(key, m->key_size), &slot);
}

size_t keymap_get(keymap *m, const void *key, bool *added)
{
    uint64_t h = hash_key(key, m->key_size);
    size_t slot, i = probe(m, key, h, &slot);
    *added = false;
    if (i != SIZE_MAX)
        return i;
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint8_t *keys = realloc(m->keys, cap * m->key_size);
        if (keys)
            m->keys = keys;
        uint64_t *hashes = realloc(m->hashes, cap * sizeof(*hashes));
        if (hashes)
            m->hashes = hashes;
        if (!keys || !hashes)
            return SIZE_MAX;
        m->cap = cap;
    }
    if ((m->count + 1) * 2 > m->nslots) {
        if (rehash(m) < 0)
            return SIZE_MAX;
        probe(m, key, h, &slot);
    }
    i = m->count++;
    memcpy(m->keys + i * m->key_size, key, m->key_size);
    m->hashes[i] = h;
    m->slots[slot] = (uint32_t)(i + 1);
    *added = true;
    return i;
}
