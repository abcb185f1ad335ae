/*
 * EVTX writer. A record is built straight into the chunk buffer. When it
 * does not fit, the chunk is written without it, and the record is built
 * again at the start of a fresh chunk, where its template and names are
 * defined anew.
 *
 * The System part follows the layout Windows uses in the logs under
 * $INFRAHUNT_DATA/evtx: optional substitutions 0 to 16 (Level, Opcode, Task,
 * EventID, Qualifiers, Keywords, TimeCreated, ActivityID, ProcessID,
 * ThreadID, EventRecordID, Version, UserID, RelatedActivityID, Provider Name
 * and Guid, Channel). Value 17 is the Computer (flat layout) or the nested
 * EventData instance (nested layout).
 */
#include "sim_evtx.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define FILE_HEADER_SIZE 4096
#define CHUNK_SIZE 65536
#define CHUNK_HEADER_SIZE 512
#define RECORD_HEADER_SIZE 24
#define MAX_NAMES 512
#define MAX_TEMPLATES 128
#define MAX_VALUES 64
#define STRING_BUCKETS 64
#define TEMPLATE_BUCKETS 32

/* Binary XML tokens and value types ([MS-EVEN6] 2.2.12). */
enum {
    T_EOF = 0x00,
    T_OPEN_START = 0x01,
    T_CLOSE_START = 0x02,
    T_CLOSE_EMPTY = 0x03,
    T_END_ELEMENT = 0x04,
    T_VALUE = 0x05,
    T_ATTRIBUTE = 0x06,
    T_TEMPLATE_INSTANCE = 0x0c,
    T_OPTIONAL_SUBSTITUTION = 0x0e,
    T_NORMAL_SUBSTITUTION = 0x0d,
    T_FRAGMENT_HEADER = 0x0f,
    T_HAS_MORE = 0x40,
};

enum {
    V_NULL = 0x00,
    V_STRING = 0x01,
    V_UINT8 = 0x04,
    V_UINT16 = 0x06,
    V_UINT32 = 0x08,
    V_UINT64 = 0x0a,
    V_BOOL = 0x0d,
    V_GUID = 0x0f,
    V_FILETIME = 0x11,
    V_SID = 0x13,
    V_HEX64 = 0x15,
    V_BINXML = 0x21,
};

/* Sysmon's provider GUID, {5770385F-C22A-43E0-BF4C-06F5698FFBD9}, in its stored byte order. */
static const uint8_t sysmon_guid[16] = {0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43,
                                        0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9};
/* S-1-5-18, the local system account. */
static const uint8_t system_sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};

/* A typed substitution value; data points into the writer's scratch memory or the caller's. */
typedef struct value {
    uint8_t type;
    uint16_t size;
    const uint8_t *data;
} value;

/* An EventData field of a template: its Data Name and value type. */
typedef struct field_spec {
    const char *name;
    uint8_t type;
} field_spec;

typedef struct name_entry {
    uint64_t hash; /* FNV-1a of the UTF-8 name */
    uint32_t offset;
} name_entry;

typedef struct template_entry {
    uint64_t key;
    uint32_t offset;
} template_entry;

/* What a chunk has defined so far: restored when a record does not fit. */
typedef struct chunk_tables {
    size_t nnames, ntemplates;
    uint32_t strings[STRING_BUCKETS];
    uint32_t templates[TEMPLATE_BUCKETS];
} chunk_tables;

struct sim_evtx {
    FILE *out;
    sim_evtx_options opt;
    bool failed;
    uint8_t chunk[CHUNK_SIZE];
    size_t pos;          /* where the next record goes */
    bool overflow;       /* the record being built does not fit */
    uint64_t nchunks;    /* chunks written */
    uint64_t chunk_records;
    uint64_t first_id;   /* first record of the chunk */
    size_t last_record;  /* chunk offset of the chunk's last record */
    uint64_t next_id;
    uint64_t record_offset;
    chunk_tables tables;
    name_entry names[MAX_NAMES];
    template_entry templates[MAX_TEMPLATES];
    uint8_t scratch[4 * CHUNK_SIZE]; /* UTF-16 and binary values of the record being built */
    size_t scratch_used;
};

/* --- Bytes --- */

static void put(sim_evtx *w, const void *p, size_t n)
{
    if (n == 0)
        return;
    if (w->overflow || n > CHUNK_SIZE - w->pos) {
        w->overflow = true;
        return;
    }
    memcpy(w->chunk + w->pos, p, n);
    w->pos += n;
}

static void put8(sim_evtx *w, uint8_t v)
{
    put(w, &v, 1);
}

static void le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void put16(sim_evtx *w, uint16_t v)
{
    uint8_t b[2];
    le16(b, v);
    put(w, b, 2);
}

static void put32(sim_evtx *w, uint32_t v)
{
    uint8_t b[4];
    le32(b, v);
    put(w, b, 4);
}

/* Overwrites 4 bytes written earlier, at chunk offset at. */
static void patch32(sim_evtx *w, size_t at, uint32_t v)
{
    if (!w->overflow)
        le32(w->chunk + at, v);
}

static void patch16(sim_evtx *w, size_t at, uint16_t v)
{
    if (!w->overflow)
        le16(w->chunk + at, v);
}

/* Copies n bytes into the scratch memory of the record; NULL when it is full. */
static uint8_t *scratch(sim_evtx *w, size_t n)
{
    if (n > sizeof(w->scratch) - w->scratch_used)
        return NULL;
    uint8_t *p = w->scratch + w->scratch_used;
    w->scratch_used += n;
    return p;
}

/* Decodes one UTF-8 sequence at s; invalid bytes become U+FFFD. Returns the bytes used. */
static size_t utf8_decode(const unsigned char *s, uint32_t *ch)
{
    if (s[0] < 0x80) {
        *ch = s[0];
        return 1;
    }
    int n;
    if (s[0] >= 0xF0)
        n = 3;
    else if (s[0] >= 0xE0)
        n = 2;
    else if (s[0] >= 0xC0)
        n = 1;
    else
        n = -1;
    if (n < 0) {
        *ch = 0xFFFD;
        return 1;
    }
    uint32_t v = s[0] & (0x3F >> n);
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *ch = 0xFFFD;
            return (size_t)i;
        }
        v = v << 6 | (s[i] & 0x3F);
    }
    *ch = v;
    return (size_t)n + 1;
}

/* Encodes UTF-8 text as UTF-16LE in scratch memory; sets *units. NULL when it does not fit. */
static uint8_t *utf16(sim_evtx *w, const char *text, size_t *units)
{
    size_t len = strlen(text);
    uint8_t *out = scratch(w, 4 * len + 2);
    size_t n = 0;

    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        uint32_t ch;
        i += utf8_decode((const unsigned char *)text + i, &ch);
        if (ch >= 0x10000) {
            ch -= 0x10000;
            le16(out + 2 * n++, (uint16_t)(0xD800 + (ch >> 10)));
            le16(out + 2 * n++, (uint16_t)(0xDC00 + (ch & 0x3FF)));
        } else {
            le16(out + 2 * n++, (uint16_t)ch);
        }
    }
    *units = n;
    return out;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(1099511628211);
    return h;
}

#define FNV_START UINT64_C(14695981039346656037)

/* The name hash stored with each name: hash * 65599 + character, over UTF-16 units, low 16 bits. */
static uint16_t name_hash(const uint8_t *units, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 65599 + (uint32_t)(units[2 * i] | units[2 * i + 1] << 8);
    return (uint16_t)h;
}

/* --- Binary XML --- */

/*
 * Writes a reference to an element or attribute name: its chunk offset, and
 * the name itself right after when the chunk has not defined it yet.
 */
static void put_name(sim_evtx *w, const char *name)
{
    uint64_t h = fnv1a(FNV_START, name, strlen(name));

    for (size_t i = 0; i < w->tables.nnames; i++) {
        if (w->names[i].hash == h) {
            put32(w, w->names[i].offset);
            return;
        }
    }
    size_t units;
    uint8_t *text = utf16(w, name, &units);
    if (!text || w->tables.nnames == MAX_NAMES) {
        w->overflow = true;
        return;
    }
    uint32_t offset = (uint32_t)w->pos + 4;
    uint16_t hash = name_hash(text, units);
    size_t bucket = hash % STRING_BUCKETS;
    put32(w, offset);
    put32(w, w->tables.strings[bucket]); /* the next name of the bucket */
    put16(w, hash);
    put16(w, (uint16_t)units);
    put(w, text, 2 * units);
    put16(w, 0);
    w->names[w->tables.nnames++] = (name_entry){h, offset};
    w->tables.strings[bucket] = offset;
}

/* Opens an element: returns the chunk offset of its start, for end_element(). */
static size_t start_element(sim_evtx *w, const char *name, bool has_attributes)
{
    size_t start = w->pos;
    put8(w, has_attributes ? T_OPEN_START | T_HAS_MORE : T_OPEN_START);
    put16(w, 0xFFFF); /* dependency identifier: none */
    put32(w, 0);      /* data size, set by end_element() */
    put_name(w, name);
    if (has_attributes)
        put32(w, 0); /* attribute list size, set by end_attributes() */
    return start;
}

/* The attribute list starts after the element start's 11 bytes and the inline name. */
static size_t attributes_start(sim_evtx *w)
{
    return w->pos;
}

static void end_attributes(sim_evtx *w, size_t list_start, bool empty)
{
    patch32(w, list_start - 4, (uint32_t)(w->pos - list_start));
    put8(w, empty ? T_CLOSE_EMPTY : T_CLOSE_START);
}

/* Closes an element opened at start (the caller wrote T_CLOSE_EMPTY for an empty one). */
static void end_element(sim_evtx *w, size_t start, bool empty)
{
    if (!empty)
        put8(w, T_END_ELEMENT);
    patch32(w, start + 3, (uint32_t)(w->pos - start - 7));
}

static void put_attribute(sim_evtx *w, const char *name, bool last)
{
    put8(w, last ? T_ATTRIBUTE : T_ATTRIBUTE | T_HAS_MORE);
    put_name(w, name);
}

static void put_substitution(sim_evtx *w, uint16_t index, uint8_t type, bool optional)
{
    put8(w, optional ? T_OPTIONAL_SUBSTITUTION : T_NORMAL_SUBSTITUTION);
    put16(w, index);
    put8(w, type);
}

static void put_text(sim_evtx *w, const char *text)
{
    size_t units;
    uint8_t *p = utf16(w, text, &units);
    if (!p) {
        w->overflow = true;
        return;
    }
    put8(w, T_VALUE);
    put8(w, V_STRING);
    put16(w, (uint16_t)units);
    put(w, p, 2 * units);
}

/* <name>%index</name> */
static void substituted_element(sim_evtx *w, const char *name, uint16_t index, uint8_t type)
{
    size_t e = start_element(w, name, false);
    put8(w, T_CLOSE_START);
    put_substitution(w, index, type, true);
    end_element(w, e, false);
}

/* <name a1=%i1 a2=%i2/>, with one or two attributes. */
static void attribute_element(sim_evtx *w, const char *name, const char *a1, uint16_t i1,
                              uint8_t t1, const char *a2, uint16_t i2, uint8_t t2)
{
    size_t e = start_element(w, name, true);
    size_t list = attributes_start(w);
    put_attribute(w, a1, a2 == NULL);
    put_substitution(w, i1, t1, true);
    if (a2) {
        put_attribute(w, a2, true);
        put_substitution(w, i2, t2, true);
    }
    end_attributes(w, list, true);
    end_element(w, e, true);
}

/* The System element, with the computer as literal text or as substitution 17. */
static void put_system(sim_evtx *w, const char *computer_text)
{
    size_t system = start_element(w, "System", false);
    put8(w, T_CLOSE_START);
    attribute_element(w, "Provider", "Name", 14, V_STRING, "Guid", 15, V_GUID);

    size_t eid = start_element(w, "EventID", true);
    size_t list = attributes_start(w);
    put_attribute(w, "Qualifiers", true);
    put_substitution(w, 4, V_UINT16, true);
    end_attributes(w, list, false);
    put_substitution(w, 3, V_UINT16, true);
    end_element(w, eid, false);

    substituted_element(w, "Version", 11, V_UINT8);
    substituted_element(w, "Level", 0, V_UINT8);
    substituted_element(w, "Task", 2, V_UINT16);
    substituted_element(w, "Opcode", 1, V_UINT8);
    substituted_element(w, "Keywords", 5, V_HEX64);
    attribute_element(w, "TimeCreated", "SystemTime", 6, V_FILETIME, NULL, 0, 0);
    substituted_element(w, "EventRecordID", 10, V_UINT64);
    attribute_element(w, "Correlation", "ActivityID", 7, V_GUID, "RelatedActivityID", 13, V_GUID);
    attribute_element(w, "Execution", "ProcessID", 8, V_UINT32, "ThreadID", 9, V_UINT32);
    substituted_element(w, "Channel", 16, V_STRING);

    size_t computer = start_element(w, "Computer", false);
    put8(w, T_CLOSE_START);
    if (computer_text)
        put_text(w, computer_text);
    else
        put_substitution(w, 17, V_STRING, true);
    end_element(w, computer, false);

    attribute_element(w, "Security", "UserID", 12, V_SID, NULL, 0, 0);
    end_element(w, system, false);
}

/* <EventData><Data Name="...">%first+i</Data>...</EventData> */
static void put_event_data(sim_evtx *w, const field_spec *fields, size_t n, uint16_t first)
{
    size_t data = start_element(w, "EventData", false);
    put8(w, T_CLOSE_START);
    for (size_t i = 0; i < n; i++) {
        size_t e = start_element(w, "Data", true);
        size_t list = attributes_start(w);
        put_attribute(w, "Name", true);
        put_text(w, fields[i].name);
        end_attributes(w, list, false);
        put_substitution(w, (uint16_t)(first + i), fields[i].type, false);
        end_element(w, e, false);
    }
    end_element(w, data, false);
}

/* The element tree of a template. */
enum tree { TREE_FLAT, TREE_OUTER, TREE_INNER };

static uint64_t template_key(enum tree tree, const char *computer, const field_spec *fields,
                             size_t n)
{
    uint64_t h = fnv1a(FNV_START, &tree, sizeof(tree));
    if (computer)
        h = fnv1a(h, computer, strlen(computer) + 1);
    for (size_t i = 0; i < n; i++) {
        h = fnv1a(h, fields[i].name, strlen(fields[i].name) + 1);
        h = fnv1a(h, &fields[i].type, 1);
    }
    return h;
}

/*
 * Writes a template instance's header and, the first time in the chunk, the
 * template definition right after it.
 */
static void put_instance(sim_evtx *w, enum tree tree, const char *computer,
                         const field_spec *fields, size_t n)
{
    uint64_t key = template_key(tree, computer, fields, n);
    uint32_t id = (uint32_t)key; /* the first 4 bytes of the template's GUID */

    put8(w, T_TEMPLATE_INSTANCE);
    put8(w, 1);
    put32(w, id);
    for (size_t i = 0; i < w->tables.ntemplates; i++) {
        if (w->templates[i].key == key) {
            put32(w, w->templates[i].offset);
            return;
        }
    }
    if (w->tables.ntemplates == MAX_TEMPLATES) {
        w->overflow = true;
        return;
    }

    uint32_t def = (uint32_t)w->pos + 4;
    size_t bucket = id % TEMPLATE_BUCKETS;
    uint8_t guid[16];
    le64(guid, key);
    le64(guid + 8, key * UINT64_C(0x9E3779B97F4A7C15));
    put32(w, def);
    put32(w, w->tables.templates[bucket]); /* the next template of the bucket */
    put(w, guid, 16);
    size_t size_at = w->pos;
    put32(w, 0);
    size_t body = w->pos;

    put8(w, T_FRAGMENT_HEADER);
    put8(w, 1);
    put8(w, 1);
    put8(w, 0);
    if (tree == TREE_INNER) {
        put_event_data(w, fields, n, 0);
    } else {
        size_t event = start_element(w, "Event", true);
        size_t list = attributes_start(w);
        put_attribute(w, "xmlns", true);
        put_text(w, "http://schemas.microsoft.com/win/2004/08/events/event");
        end_attributes(w, list, false);
        put_system(w, tree == TREE_OUTER ? computer : NULL);
        if (tree == TREE_OUTER)
            put_substitution(w, 17, V_BINXML, true);
        else
            put_event_data(w, fields, n, 18);
        end_element(w, event, false);
    }
    put8(w, T_EOF);
    patch32(w, size_at, (uint32_t)(w->pos - body));
    w->templates[w->tables.ntemplates++] = (template_entry){key, def};
    w->tables.templates[bucket] = def;
}

/* Writes the value count, descriptors and data; the descriptor of a later value is patched. */
static void put_values(sim_evtx *w, const value *v, size_t n)
{
    put32(w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put16(w, v[i].size);
        put8(w, v[i].type);
        put8(w, 0);
    }
    for (size_t i = 0; i < n; i++)
        put(w, v[i].data, v[i].size);
}

/* --- Values --- */

static value null_value(void)
{
    return (value){V_NULL, 0, NULL};
}

static value bytes_value(sim_evtx *w, uint8_t type, const void *data, size_t n)
{
    uint8_t *p = scratch(w, n);
    if (!p) {
        w->overflow = true;
        return null_value();
    }
    memcpy(p, data, n);
    return (value){type, (uint16_t)n, p};
}

static value uint_value(sim_evtx *w, uint8_t type, uint64_t v, size_t n)
{
    uint8_t b[8];
    le64(b, v);
    return bytes_value(w, type, b, n);
}

static value string_value(sim_evtx *w, const char *text)
{
    size_t units;
    if (!text)
        text = "";
    uint8_t *p = utf16(w, text, &units);
    if (!p || 2 * units > UINT16_MAX) {
        w->overflow = true;
        return null_value();
    }
    return (value){V_STRING, (uint16_t)(2 * units), p};
}

/* FILETIME: 100-nanosecond intervals since 1601-01-01. */
static uint64_t filetime(ih_time t)
{
    return (uint64_t)(t / 100) + UINT64_C(116444736000000000);
}

/* A GUID made from a number, for ProcessGuid. */
static value guid_value(sim_evtx *w, uint64_t seed)
{
    uint8_t g[16];
    le64(g, seed * UINT64_C(0x9E3779B97F4A7C15));
    le64(g + 8, seed ^ UINT64_C(0xA57649D1A03B61A6));
    return bytes_value(w, V_GUID, g, 16);
}

/* The 17 System values (0 to 16). */
static void system_values(sim_evtx *w, value *v, const char *provider, const char *channel,
                          uint16_t event_id, ih_time time, uint64_t record_id)
{
    bool sysmon = provider && strcmp(provider, "Microsoft-Windows-Sysmon") == 0;

    v[0] = uint_value(w, V_UINT8, 4, 1);           /* Level: information */
    v[1] = uint_value(w, V_UINT8, 0, 1);           /* Opcode */
    v[2] = uint_value(w, V_UINT16, event_id, 2);   /* Task */
    v[3] = uint_value(w, V_UINT16, event_id, 2);   /* EventID */
    v[4] = null_value();                           /* Qualifiers */
    v[5] = uint_value(w, V_HEX64, UINT64_C(0x8000000000000000), 8); /* Keywords */
    v[6] = uint_value(w, V_FILETIME, filetime(time), 8);
    v[7] = null_value(); /* ActivityID */
    v[8] = uint_value(w, V_UINT32, 2000, 4); /* the logging service's process and thread */
    v[9] = uint_value(w, V_UINT32, 3000, 4);
    v[10] = uint_value(w, V_UINT64, record_id, 8);
    v[11] = uint_value(w, V_UINT8, 5, 1); /* Version */
    v[12] = bytes_value(w, V_SID, system_sid, sizeof(system_sid));
    v[13] = null_value(); /* RelatedActivityID */
    v[14] = provider ? string_value(w, provider) : null_value();
    v[15] = sysmon ? bytes_value(w, V_GUID, sysmon_guid, 16) : null_value();
    v[16] = channel ? string_value(w, channel) : null_value();
}

/* --- Chunks and records --- */

static uint32_t crc(const uint8_t *p, size_t n)
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

static void start_chunk(sim_evtx *w)
{
    memset(w->chunk, 0, sizeof(w->chunk));
    memset(&w->tables, 0, sizeof(w->tables));
    w->pos = CHUNK_HEADER_SIZE;
    w->chunk_records = 0;
}

/* Fills in the chunk header and writes the chunk. Does nothing for a chunk without records. */
static int write_chunk(sim_evtx *w)
{
    uint8_t *c = w->chunk;

    if (w->chunk_records == 0)
        return 0;
    memcpy(c, "ElfChnk", 8);
    uint64_t last_id = w->first_id + w->chunk_records - 1;
    le64(c + 8, w->first_id);  /* first event record number */
    le64(c + 16, last_id);     /* last event record number */
    le64(c + 24, w->first_id); /* first event record identifier */
    le64(c + 32, last_id);
    le32(c + 40, 128);
    le32(c + 44, (uint32_t)w->last_record);
    le32(c + 48, (uint32_t)w->pos); /* free space offset */
    le32(c + 52, crc(c + CHUNK_HEADER_SIZE, w->pos - CHUNK_HEADER_SIZE));
    for (size_t i = 0; i < STRING_BUCKETS; i++)
        le32(c + 128 + 4 * i, w->tables.strings[i]);
    for (size_t i = 0; i < TEMPLATE_BUCKETS; i++)
        le32(c + 384 + 4 * i, w->tables.templates[i]);
    uint32_t header_crc = (uint32_t)crc32(crc(c, 120), c + 128, CHUNK_HEADER_SIZE - 128);
    le32(c + 124, header_crc);
    if (fwrite(c, CHUNK_SIZE, 1, w->out) != 1)
        return -1;
    w->nchunks++;
    start_chunk(w);
    return 0;
}

static void put_record_values(sim_evtx *w, const value *system, const char *computer,
                              const field_spec *fields, const value *data, size_t n)
{
    value all[MAX_VALUES];

    memcpy(all, system, 17 * sizeof(value));
    if (w->opt.layout == SIM_EVTX_FLAT) {
        all[17] = string_value(w, computer);
        memcpy(all + 18, data, n * sizeof(value));
        put_instance(w, TREE_FLAT, NULL, fields, n);
        put_values(w, all, 18 + n);
        return;
    }

    /* Value 17 is a binary XML fragment: the EventData instance, built in place. */
    all[17] = (value){V_BINXML, 0, NULL};
    put_instance(w, TREE_OUTER, computer, NULL, 0);
    size_t descriptors = w->pos + 4;
    put_values(w, all, 18);
    size_t nested = w->pos;
    put8(w, T_FRAGMENT_HEADER);
    put8(w, 1);
    put8(w, 1);
    put8(w, 0);
    put_instance(w, TREE_INNER, NULL, fields, n);
    put_values(w, data, n);
    put8(w, T_EOF);
    if (w->pos - nested > UINT16_MAX)
        w->overflow = true;
    patch16(w, descriptors + 4 * 17, (uint16_t)(w->pos - nested));
}

/*
 * Builds one record at the chunk's write position. Returns true when it
 * fits; otherwise the chunk is as it was.
 */
static bool build_record(sim_evtx *w, const char *provider, const char *channel,
                         uint16_t event_id, const char *computer, ih_time time,
                         const field_spec *fields, const value *data, size_t n)
{
    size_t start = w->pos;
    chunk_tables saved = w->tables;
    value system[17];

    w->overflow = false;
    system_values(w, system, provider, channel, event_id, time, w->next_id);
    put32(w, 0x00002a2a);
    put32(w, 0); /* size, set below */
    uint8_t id_time[16];
    le64(id_time, w->next_id);
    le64(id_time + 8, filetime(time));
    put(w, id_time, 16);
    put8(w, T_FRAGMENT_HEADER);
    put8(w, 1);
    put8(w, 1);
    put8(w, 0);
    put_record_values(w, system, computer, fields, data, n);
    put8(w, T_EOF);
    while (!w->overflow && (w->pos + 4) % 8 != 0)
        put8(w, 0);
    put32(w, (uint32_t)(w->pos - start + 4));
    patch32(w, start + 4, (uint32_t)(w->pos - start));
    if (w->overflow) {
        memset(w->chunk + start, 0, w->pos - start);
        w->pos = start;
        w->tables = saved;
        return false;
    }
    return true;
}

static int write_record(sim_evtx *w, const char *provider, const char *channel,
                        uint16_t event_id, const char *computer, ih_time time,
                        const field_spec *fields, const value *data, size_t n)
{
    if (w->failed || n + 18 > MAX_VALUES)
        return -1;
    if (w->opt.records_per_chunk && w->chunk_records == w->opt.records_per_chunk &&
        write_chunk(w) < 0) {
        w->failed = true;
        return -1;
    }
    size_t start = w->pos;
    if (!build_record(w, provider, channel, event_id, computer, time, fields, data, n)) {
        /* Values in scratch memory stay valid: only the chunk is started anew. */
        if (w->chunk_records == 0 || write_chunk(w) < 0) {
            w->failed = w->chunk_records != 0;
            return -1;
        }
        start = w->pos;
        if (!build_record(w, provider, channel, event_id, computer, time, fields, data, n))
            return -1;
    }
    if (w->chunk_records++ == 0)
        w->first_id = w->next_id;
    w->last_record = start;
    w->record_offset = FILE_HEADER_SIZE + w->nchunks * CHUNK_SIZE + start;
    w->next_id++;
    return 0;
}

/* --- The interface --- */

sim_evtx *sim_evtx_open(FILE *out, const sim_evtx_options *opt)
{
    sim_evtx *w = calloc(1, sizeof(*w));
    uint8_t header[FILE_HEADER_SIZE] = {0};

    if (!w)
        return NULL;
    w->out = out;
    if (opt)
        w->opt = *opt;
    w->next_id = 1;
    start_chunk(w);
    if (fwrite(header, sizeof(header), 1, out) != 1) {
        free(w);
        return NULL;
    }
    return w;
}

int sim_evtx_close(sim_evtx *w)
{
    uint8_t h[FILE_HEADER_SIZE] = {0};
    int rc = w->failed ? -1 : 0;

    if (rc == 0 && write_chunk(w) < 0)
        rc = -1;
    memcpy(h, "ElfFile", 8);
    le64(h + 8, 0);                                    /* first chunk number */
    le64(h + 16, w->nchunks ? w->nchunks - 1 : 0);     /* last chunk number */
    le64(h + 24, w->next_id);                          /* next record identifier */
    le32(h + 32, 128);                                 /* header size */
    le16(h + 36, 1);                                   /* minor version */
    le16(h + 38, 3);                                   /* major version */
    le16(h + 40, FILE_HEADER_SIZE);                    /* header block size */
    le16(h + 42, (uint16_t)w->nchunks);
    le32(h + 120, w->opt.dirty ? 1 : 0);
    le32(h + 124, crc(h, 120));
    if (rc == 0 && (fseek(w->out, 0, SEEK_SET) != 0 || fwrite(h, sizeof(h), 1, w->out) != 1 ||
                    fseek(w->out, 0, SEEK_END) != 0 || fflush(w->out) != 0))
        rc = -1;
    free(w);
    return rc;
}

/* The EventData fields of Sysmon event 3, in Sysmon's order and types. */
static const field_spec conn_fields[] = {
    {"RuleName", V_STRING},          {"UtcTime", V_STRING},
    {"ProcessGuid", V_GUID},         {"ProcessId", V_UINT32},
    {"Image", V_STRING},             {"User", V_STRING},
    {"Protocol", V_STRING},          {"Initiated", V_BOOL},
    {"SourceIsIpv6", V_BOOL},        {"SourceIp", V_STRING},
    {"SourceHostname", V_STRING},    {"SourcePort", V_UINT16},
    {"SourcePortName", V_STRING},    {"DestinationIsIpv6", V_BOOL},
    {"DestinationIp", V_STRING},     {"DestinationHostname", V_STRING},
    {"DestinationPort", V_UINT16},   {"DestinationPortName", V_STRING},
};

/* Event 22, as Sysmon 11 and later write it. */
static const field_spec dns_fields[] = {
    {"RuleName", V_STRING},  {"UtcTime", V_STRING},     {"ProcessGuid", V_GUID},
    {"ProcessId", V_UINT32}, {"QueryName", V_STRING},   {"QueryStatus", V_STRING},
    {"QueryResults", V_STRING}, {"Image", V_STRING},    {"User", V_STRING},
};

/* UtcTime as Sysmon writes it: 2019-05-07 11:56:15.761. */
static value utc_time(sim_evtx *w, ih_time t)
{
    char text[40];
    int64_t secs = t / IH_NS_PER_SEC, ms = t % IH_NS_PER_SEC / 1000000;
    int64_t days = secs / 86400, rest = secs % 86400;
    if (rest < 0) {
        rest += 86400;
        days--;
    }
    /* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    snprintf(text, sizeof(text), "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%03lld",
             (long long)year, (long long)month, (long long)day, (long long)(rest / 3600),
             (long long)(rest / 60 % 60), (long long)(rest % 60), (long long)(ms < 0 ? 0 : ms));
    return string_value(w, text);
}

static void begin_record(sim_evtx *w)
{
    w->scratch_used = 0;
    w->overflow = false;
}

int sim_evtx_write_conn(sim_evtx *w, const sim_evtx_conn *c)
{
    value v[18];

    begin_record(w);
    v[0] = string_value(w, c->rule_name);
    v[1] = utc_time(w, c->time);
    v[2] = guid_value(w, c->process_id);
    v[3] = uint_value(w, V_UINT32, c->process_id, 4);
    v[4] = string_value(w, c->image);
    v[5] = string_value(w, c->user);
    v[6] = string_value(w, c->protocol);
    v[7] = uint_value(w, V_BOOL, c->initiated, 4);
    v[8] = uint_value(w, V_BOOL, c->source_is_ipv6, 4);
    v[9] = string_value(w, c->source_ip);
    v[10] = string_value(w, c->source_hostname);
    v[11] = uint_value(w, V_UINT16, c->source_port, 2);
    v[12] = string_value(w, c->source_port_name);
    v[13] = uint_value(w, V_BOOL, c->destination_is_ipv6, 4);
    v[14] = string_value(w, c->destination_ip);
    v[15] = string_value(w, c->destination_hostname);
    v[16] = uint_value(w, V_UINT16, c->destination_port, 2);
    v[17] = string_value(w, c->destination_port_name);
    if (w->overflow)
        return -1;
    return write_record(w, "Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", 3,
                        c->computer, c->time, conn_fields, v, 18);
}

int sim_evtx_write_dns(sim_evtx *w, const sim_evtx_dns *d)
{
    value v[9];

    begin_record(w);
    v[0] = string_value(w, d->rule_name);
    v[1] = utc_time(w, d->time);
    v[2] = guid_value(w, d->process_id);
    v[3] = uint_value(w, V_UINT32, d->process_id, 4);
    v[4] = string_value(w, d->query_name);
    v[5] = string_value(w, d->query_status);
    v[6] = string_value(w, d->query_results);
    v[7] = string_value(w, d->image);
    v[8] = string_value(w, d->user);
    if (w->overflow)
        return -1;
    return write_record(w, "Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", 22,
                        d->computer, d->time, dns_fields, v, 9);
}

int sim_evtx_write_event(sim_evtx *w, const sim_evtx_event *e)
{
    field_spec fields[MAX_VALUES];
    value v[MAX_VALUES];

    if (e->nfields + 18 > MAX_VALUES)
        return -1;
    begin_record(w);
    for (size_t i = 0; i < e->nfields; i++) {
        fields[i] = (field_spec){e->fields[i].name, V_STRING};
        v[i] = e->fields[i].text ? string_value(w, e->fields[i].text) : null_value();
    }
    if (w->overflow)
        return -1;
    return write_record(w, e->provider, e->channel, e->event_id, e->computer, e->time, fields, v,
                        e->nfields);
}

uint64_t sim_evtx_record_offset(const sim_evtx *w)
{
    return w->record_offset;
}

uint64_t sim_evtx_records(const sim_evtx *w)
{
    return w->next_id - 1;
}
