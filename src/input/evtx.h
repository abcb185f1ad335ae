/*
 * Windows XML Event Log (EVTX) internals shared by the EVTX reader
 * (input_evtx.c: file, chunks, records) and its binary XML part
 * (evtx_binxml.c: templates and substitution values).
 *
 * Layout, after libyal's "Windows XML Event Log (EVTX) format" and
 * Microsoft's [MS-EVEN6] section 2.2.12 (BinXml): a 4096-byte file header,
 * then chunks of 65536 bytes. A chunk has a 512-byte header and records of
 * 24 header bytes, binary XML, and a copy of the size. Offsets inside binary
 * XML (names, template definitions) are relative to the chunk, which is why
 * chunks can be read independently.
 *
 * The reader never renders XML. It compiles each template once per chunk
 * into "slots": where in the substitution values the few fields it needs
 * are (EventID, Channel, Provider, Computer, the Sysmon EventData fields),
 * and resolves those per record.
 */
#ifndef IH_EVTX_H
#define IH_EVTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysmon_map.h"

#define EVTX_FILE_HEADER_SIZE 4096
#define EVTX_CHUNK_SIZE 65536
#define EVTX_CHUNK_HEADER_SIZE 512
#define EVTX_RECORD_HEADER_SIZE 24
/* The smallest record: its header and the copy of its size. */
#define EVTX_RECORD_MIN_SIZE (EVTX_RECORD_HEADER_SIZE + 4)

/* Little-endian integers at p. */
static inline uint16_t evtx_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t evtx_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t evtx_u64(const uint8_t *p)
{
    return (uint64_t)evtx_u32(p) | (uint64_t)evtx_u32(p + 4) << 32;
}

/* Binary XML value types used by the reader ([MS-EVEN6] 2.2.12, libyal "Value types"). */
enum evtx_value_type {
    EVTX_TYPE_NULL = 0x00,
    EVTX_TYPE_STRING = 0x01, /* UTF-16LE */
    EVTX_TYPE_ANSI_STRING = 0x02,
    EVTX_TYPE_INT8 = 0x03,
    EVTX_TYPE_UINT8 = 0x04,
    EVTX_TYPE_INT16 = 0x05,
    EVTX_TYPE_UINT16 = 0x06,
    EVTX_TYPE_INT32 = 0x07,
    EVTX_TYPE_UINT32 = 0x08,
    EVTX_TYPE_INT64 = 0x09,
    EVTX_TYPE_UINT64 = 0x0a,
    EVTX_TYPE_REAL32 = 0x0b,
    EVTX_TYPE_REAL64 = 0x0c,
    EVTX_TYPE_BOOL = 0x0d,
    EVTX_TYPE_BINARY = 0x0e,
    EVTX_TYPE_GUID = 0x0f,
    EVTX_TYPE_SIZE = 0x10,
    EVTX_TYPE_FILETIME = 0x11,
    EVTX_TYPE_SYSTIME = 0x12,
    EVTX_TYPE_SID = 0x13,
    EVTX_TYPE_HEX32 = 0x14,
    EVTX_TYPE_HEX64 = 0x15,
    EVTX_TYPE_BINXML = 0x21,
    EVTX_TYPE_ARRAY = 0x80, /* flag: an array of the type in the low bits */
};

/* The fields a record is searched for. Sysmon EventData fields follow EVTX_SLOT_DATA. */
enum evtx_slot {
    EVTX_SLOT_EVENT_ID,  /* System/EventID */
    EVTX_SLOT_CHANNEL,   /* System/Channel */
    EVTX_SLOT_PROVIDER,  /* System/Provider/@Name */
    EVTX_SLOT_COMPUTER,  /* System/Computer */
    EVTX_SLOT_DATA,      /* EventData/Data[@Name=...], one per enum ih_sysmon_field */
    EVTX_SLOT_COUNT = EVTX_SLOT_DATA + IH_SYSMON_FIELD_COUNT
};

#define EVTX_SLOT_BIT(slot) (UINT32_C(1) << (slot))
#define EVTX_SLOTS_SYSTEM                                                                     \
    (EVTX_SLOT_BIT(EVTX_SLOT_EVENT_ID) | EVTX_SLOT_BIT(EVTX_SLOT_CHANNEL) |                   \
     EVTX_SLOT_BIT(EVTX_SLOT_PROVIDER))
#define EVTX_SLOTS_ALL ((UINT32_C(1) << EVTX_SLOT_COUNT) - 1)

/* Parts a field may be made of (text, substitutions, character references). */
#define EVTX_MAX_PARTS 4

/* One piece of a field's value: typed bytes inside the chunk, or one character. */
typedef struct evtx_part {
    const uint8_t *data; /* NULL for a character reference */
    uint32_t size;       /* bytes; for a character reference, the character */
    uint8_t type;        /* enum evtx_value_type, possibly with EVTX_TYPE_ARRAY */
} evtx_part;

/* A field of a record; present is false when the record lacks it. */
typedef struct evtx_field {
    bool present;
    uint8_t nparts;
    evtx_part parts[EVTX_MAX_PARTS];
} evtx_field;

typedef struct evtx_fields {
    evtx_field slot[EVTX_SLOT_COUNT];
} evtx_fields;

/* What went wrong in a record's binary XML, for the message. */
typedef struct evtx_error {
    const char *reason; /* a fixed phrase, such as "invalid binary XML" */
    char detail[160];
} evtx_error;

typedef struct evtx_templates evtx_templates;

/* Allocates an empty template cache; NULL when out of memory. */
evtx_templates *evtx_templates_new(void);
void evtx_templates_free(evtx_templates *t);

/* Forgets every template: offsets belong to one chunk, so this runs at each new chunk. */
void evtx_templates_reset(evtx_templates *t);

/*
 * Finds the fields named in mask in one record's binary XML, data[start,
 * end), where data is the chunk (so that chunk offsets resolve) and limit is
 * the end of the readable chunk bytes. Fields already present in out are
 * kept, so a second call with more slots completes the first. Returns 0, or
 * -1 with err filled when the binary XML is invalid.
 */
int evtx_find_fields(evtx_templates *t, const uint8_t *data, size_t limit, size_t start,
                     size_t end, uint32_t mask, evtx_fields *out, evtx_error *err);

/*
 * Writes a field as UTF-8 text into buf of cap bytes, the way evtxexport
 * and python-evtx print values. Returns the length, or -1 when cap is too
 * small (evtx_field_text_max() is always enough) or the value is of a type
 * that has no text here (an array or binary XML).
 */
long evtx_field_text(const evtx_field *f, char *buf, size_t cap);

/* Bytes evtx_field_text() may need for f. */
size_t evtx_field_text_max(const evtx_field *f);

/* Reads a field that is one number (an integer type, or decimal text); false otherwise. */
bool evtx_field_uint(const evtx_field *f, uint64_t *out);

/* ASCII case-insensitive comparison of a text field with lit. */
bool evtx_field_equals_nocase(const evtx_field *f, const char *lit);

#endif
