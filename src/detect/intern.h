/*
 * String interning: equal byte strings get equal 32-bit ids, so detectors
 * key their groups by small integers. Id 0 is the empty string.
 *
 * Ownership: the table owns copies of its strings; views from intern_text()
 * stay valid until intern_free().
 */
#ifndef IH_INTERN_H
#define IH_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"

typedef struct intern_block intern_block;

typedef struct intern {
    uint64_t *slots;   /* open addressing: high 32 hash bits << 32 | id + 1; 0 is empty */
    size_t nslots;
    ih_str *texts;     /* by id */
    uint64_t *hashes;  /* by id */
    size_t count, cap;
    intern_block *blocks;
} intern;

int intern_init(intern *t);
void intern_free(intern *t);

/* Id of s, adding a copy when new. Returns UINT32_MAX when out of memory. */
uint32_t intern_add(intern *t, const char *s, size_t len);

static inline ih_str intern_text(const intern *t, uint32_t id)
{
    return t->texts[id];
}

#endif
