/*
 * A hash index from fixed-size binary keys to dense indexes 0, 1, 2, ...,
 * for detectors that keep their groups in arrays. The caller stores the
 * group of index i in its own array and grows it when a key is added.
 *
 * Keys are compared byte-wise, so callers zero a key's padding before use.
 */
#ifndef IH_KEYMAP_H
#define IH_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct keymap {
    size_t key_size;
    uint8_t *keys;   /* count keys of key_size bytes, by index */
    uint64_t *hashes;
    size_t count, cap;
    uint32_t *slots; /* index + 1, 0 empty */
    size_t nslots;
} keymap;

int keymap_init(keymap *m, size_t key_size);
void keymap_free(keymap *m);

/* Returns the index of key, adding it as index count when new (*added is then true); SIZE_MAX when out of memory. */
size_t keymap_get(keymap *m, const void *key, bool *added);

/* Index of key, or SIZE_MAX when absent. */
size_t keymap_find(const keymap *m, const void *key);

static inline const void *keymap_key(const keymap *m, size_t i)
{
    return m->keys + i * m->key_size;
}

#endif
