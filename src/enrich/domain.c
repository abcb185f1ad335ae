#include "domain.h"

#include <stdlib.h>
#include <string.h>

struct zone_slot {
    uint64_t hash; /* 0 marks an empty slot */
    uint32_t offset, len;
    uint32_t value;
};

int ih_name_normalize(const char *s, size_t len, char out[IH_NAME_MAX + 1])
{
    if (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0 || len > IH_NAME_MAX)
        return -1;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c == '.') {
            if (label == 0)
                return -1;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            label++;
        } else {
            return -1;
        }
        out[i] = (char)c;
    }
    if (label == 0)
        return -1;
    out[len] = '\0';
    return (int)len;
}

/* FNV-1a, forced non-zero because 0 marks an empty slot. */
static uint64_t hash_zone(const char *s, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h ? h : 1;
}

void zone_set_init(zone_set *z)
{
    memset(z, 0, sizeof(*z));
}

void zone_set_free(zone_set *z)
{
    free(z->slots);
    free(z->text);
    memset(z, 0, sizeof(*z));
}

static const zone_slot *find(const zone_set *z, const char *s, size_t len, uint64_t h)
{
    if (!z->nslots)
        return NULL;
    size_t mask = z->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const zone_slot *slot = &z->slots[i];
        if (slot->hash == 0)
            return NULL;
        if (slot->hash == h && slot->len == len && memcmp(z->text + slot->offset, s, len) == 0)
            return slot;
    }
}

static void place(zone_slot *slots, size_t nslots, const zone_slot *entry)
{
    size_t mask = nslots - 1;
    size_t i = (size_t)entry->hash & mask;
    while (slots[i].hash != 0)
        i = (i + 1) & mask;
    slots[i] = *entry;
}

/* Keeps the table at most half full, so probes stay short. */
static int grow(zone_set *z)
{
    size_t n = z->nslots ? z->nslots * 2 : 1024;
    zone_slot *slots = calloc(n, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < z->nslots; i++)
        if (z->slots[i].hash)
            place(slots, n, &z->slots[i]);
    free(z->slots);
    z->slots = slots;
    z->nslots = n;
    return 0;
}

int zone_set_add(zone_set *z, const char *zone, size_t len, uint32_t value)
{
    uint64_t h = hash_zone(zone, len);
    if (find(z, zone, len, h))
        return 0;
    if ((z->count + 1) * 2 > z->nslots && grow(z) < 0)
        return -1;
    if (z->text_len + len + 1 > z->text_cap) {
        size_t cap = z->text_cap ? z->text_cap * 2 : 65536;
        while (cap < z->text_len + len + 1)
            cap *= 2;
        char *text = realloc(z->text, cap);
        if (!text)
            return -1;
        z->text = text;
        z->text_cap = cap;
    }
    memcpy(z->text + z->text_len, zone, len);
    z->text[z->text_len + len] = '\0';
    zone_slot entry = {h, (uint32_t)z->text_len, (uint32_t)len, value};
    z->text_len += len + 1;
    place(z->slots, z->nslots, &entry);
    z->count++;
    return 1;
}

bool zone_set_match(const zone_set *z, const char *name, size_t len, bool subdomains_only,
                    zone_match *m)
{
    /* Suffixes from the longest to the shortest, so the most specific zone wins. */
    size_t start = 0;
    if (subdomains_only) {
        const char *dot = memchr(name, '.', len);
        if (!dot)
            return false;
        start = (size_t)(dot - name) + 1;
    }
    while (start < len) {
        const zone_slot *slot = find(z, name + start, len - start, hash_zone(name + start, len - start));
        if (slot) {
            m->value = slot->value;
            m->zone_offset = start;
            return true;
        }
        const char *dot = memchr(name + start, '.', len - start);
        if (!dot)
            break;
        start = (size_t)(dot - name) + 1;
    }
    return false;
}
