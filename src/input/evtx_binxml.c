/*
 * EVTX binary XML: finds the fields the reader needs in a record without
 * rendering it.
 *
 * Most records are a template instance: a template definition (an XML tree
 * with numbered substitutions) and a table of typed values. A definition is
 * written once per chunk, inside the first record that uses it, and later
 * records point back to it by chunk offset. Each definition is compiled once
 * per chunk into a list of references: "slot S is substitution N", "slot S
 * is this literal text". Resolving a record is then a walk over its value
 * table. Element and attribute names are stored the same way, once per
 * chunk, and are referred to by offset.
 *
 * Exported logs (Event Viewer, wevtutil) nest the EventData as a second
 * template instance inside a substitution value of type BinXml (0x21). The
 * compiler records where such values are, and they are resolved only when a
 * requested field was not found in the outer template.
 *
 * Every loop advances through a bounded byte range, element nesting is
 * limited to MAX_DEPTH and nested instances to MAX_NESTING.
 */
#include "evtx.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64     /* element nesting in one fragment */
#define MAX_NESTING 4    /* template instances inside substitution values */
#define MAX_REFS 48      /* references kept per compiled template */
#define MAX_NESTED 8     /* BinXml substitutions kept per compiled template */
#define CACHE_SLOTS 128  /* compiled templates kept per chunk */
#define OFFSETS_MAX 1024 /* value offsets computed up front; beyond, each is found by a scan */

/* Binary XML tokens ([MS-EVEN6] 2.2.12). 0x40 on some tokens means "more data follows". */
enum token {
    TOKEN_EOF = 0x00,
    TOKEN_OPEN_START_ELEMENT = 0x01,
    TOKEN_CLOSE_START_ELEMENT = 0x02,
    TOKEN_CLOSE_EMPTY_ELEMENT = 0x03,
    TOKEN_END_ELEMENT = 0x04,
    TOKEN_VALUE = 0x05,
    TOKEN_ATTRIBUTE = 0x06,
    TOKEN_CDATA = 0x07,
    TOKEN_CHAR_REF = 0x08,
    TOKEN_ENTITY_REF = 0x09,
    TOKEN_PI_TARGET = 0x0a,
    TOKEN_PI_DATA = 0x0b,
    TOKEN_TEMPLATE_INSTANCE = 0x0c,
    TOKEN_NORMAL_SUBSTITUTION = 0x0d,
    TOKEN_OPTIONAL_SUBSTITUTION = 0x0e,
    TOKEN_FRAGMENT_HEADER = 0x0f,
    TOKEN_MORE_FLAG = 0x40,
};

/* Element names that lead to a slot; every other name is TAG_OTHER. */
enum tag {
    TAG_OTHER,
    TAG_SYSTEM,
    TAG_PROVIDER,
    TAG_EVENT_ID,
    TAG_CHANNEL,
    TAG_COMPUTER,
    TAG_EVENT_DATA,
    TAG_DATA,
};

enum ref_kind {
    REF_TEXT,         /* literal UTF-16 text in the chunk: offset and byte length */
    REF_SUBSTITUTION, /* value number index */
    REF_OPTIONAL,     /* value number index; a NULL value means "no such field" */
    REF_CHAR,         /* one character, from a character or entity reference */
};

typedef struct ref {
    uint32_t a; /* REF_TEXT: chunk offset; substitutions: value index; REF_CHAR: character */
    uint32_t b; /* REF_TEXT: length in bytes */
    uint8_t kind;
    uint8_t slot;
} ref;

/* A compiled template definition, or the fields of one plain element tree. */
typedef struct compiled {
    uint32_t key;        /* definition offset * 16 + context tag; 0 for an empty cache slot */
    uint32_t generation; /* the cache generation it belongs to */
    uint32_t present;    /* slots whose element or attribute the tree contains */
    uint8_t nrefs;
    uint8_t nnested;
    ref refs[MAX_REFS];
    struct {
        uint16_t index;  /* substitution holding binary XML */
        uint8_t context; /* tag of the element around it */
    } nested[MAX_NESTED];
} compiled;

struct evtx_templates {
    uint32_t generation;
    size_t used; /* cache slots filled in this generation */
    compiled cache[CACHE_SLOTS];
    uint32_t offsets[OFFSETS_MAX + 1]; /* start of each value of the instance being resolved */
};

evtx_templates *evtx_templates_new(void)
{
    evtx_templates *t = calloc(1, sizeof(*t));
    if (t)
        t->generation = 1;
    return t;
}

void evtx_templates_free(evtx_templates *t)
{
    free(t);
}

void evtx_templates_reset(evtx_templates *t)
{
    t->generation++;
    t->used = 0;
    if (t->generation == 0) { /* wrapped: old entries could look current */
        memset(t->cache, 0, sizeof(t->cache));
        t->generation = 1;
    }
}

static int fail(evtx_error *err, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills err and returns -1. */
static int fail(evtx_error *err, const char *reason, const char *fmt, ...)
{
    va_list ap;

    err->reason = reason;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
    return -1;
}


/* --- Compiling an element tree --- */

typedef struct walker {
    const uint8_t *chunk;
    size_t limit; /* readable bytes of the chunk */
    size_t pos, end;
    bool substitutions; /* a template definition, where substitutions are allowed */
    compiled *out;
    evtx_error *err;
    struct {
        uint8_t tag;
        uint8_t parent; /* tag of the enclosing element */
        int8_t slot;    /* slot of the element's content, or -1 */
    } stack[MAX_DEPTH];
    int depth;
    int target;      /* slot receiving values now, TARGET_DATA_NAME, or -1 */
    uint8_t context; /* tag of the element around the tree */
    char data_name[24]; /* the Name attribute of the current Data element, ASCII */
    size_t data_name_len;
    bool data_name_bad; /* that Name is not short plain ASCII text */
} walker;

#define TARGET_DATA_NAME (-2)

static bool need(const walker *w, size_t n)
{
    return w->end - w->pos >= n;
}

static int truncated(walker *w, const char *what)
{
    return fail(w->err, "invalid binary XML", "%s truncated at chunk offset %zu", what, w->pos);
}

/* Compares the UTF-16LE name of n characters at p with an ASCII word. */
static bool name_is(const uint8_t *p, size_t n, const char *word)
{
    if (n != strlen(word))
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[2 * i] != (uint8_t)word[i] || p[2 * i + 1] != 0)
            return false;
    return true;
}

/*
 * Reads the name at chunk offset off into *chars and *nchars. A name
 * defined in place, at the walker's position, is stepped over.
 */
static int read_name(walker *w, uint32_t off, const uint8_t **chars, size_t *nchars)
{
    if (off < EVTX_CHUNK_HEADER_SIZE || (size_t)off + 8 > w->limit)
        return fail(w->err, "invalid name offset",
                    "name offset %" PRIu32 " is outside the chunk's records", off);
    size_t n = evtx_u16(w->chunk + off + 6);
    size_t size = 8 + 2 * n + 2;
    if (off + size > w->limit)
        return fail(w->err, "invalid name offset",
                    "name at chunk offset %" PRIu32 " runs past the chunk", off);
    *chars = w->chunk + off + 8;
    *nchars = n;
    if (off == w->pos) {
        if (!need(w, size))
            return truncated(w, "name");
        w->pos += size;
    } else if (off > w->pos) {
        /* A name is defined where it is first used, so a later offset is no name. */
        return fail(w->err, "invalid name offset",
                    "name offset %" PRIu32 " points past the token at chunk offset %zu", off,
                    w->pos);
    }
    return 0;
}

static enum tag classify(const uint8_t *p, size_t n)
{
    static const struct {
        const char *name;
        enum tag tag;
    } names[] = {
        {"System", TAG_SYSTEM},   {"Provider", TAG_PROVIDER},   {"EventID", TAG_EVENT_ID},
        {"Channel", TAG_CHANNEL}, {"Computer", TAG_COMPUTER},   {"EventData", TAG_EVENT_DATA},
        {"Data", TAG_DATA},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (name_is(p, n, names[i].name))
            return names[i].tag;
    return TAG_OTHER;
}

static uint8_t current_tag(const walker *w)
{
    return w->depth > 0 ? w->stack[w->depth - 1].tag : w->context;
}

static int add_ref(walker *w, uint8_t kind, uint32_t a, uint32_t b)
{
    if (w->target < 0)
        return 0;
    if (w->out->nrefs == MAX_REFS)
        return fail(w->err, "unsupported binary XML",
                    "more than %d field values in one template", MAX_REFS);
    w->out->refs[w->out->nrefs++] = (ref){a, b, kind, (uint8_t)w->target};
    return 0;
}

/* Appends characters to the Name attribute of a Data element. */
static void add_data_name(walker *w, const uint8_t *p, size_t nchars)
{
    for (size_t i = 0; i < nchars && !w->data_name_bad; i++) {
        uint16_t ch = evtx_u16(p + 2 * i);
        if (ch < 0x20 || ch > 0x7e || w->data_name_len + 1 >= sizeof(w->data_name))
            w->data_name_bad = true;
        else
            w->data_name[w->data_name_len++] = (char)ch;
    }
}

/* The slot of the Data element whose Name was collected, or -1. */
static int data_slot(walker *w)
{
    if (w->data_name_bad)
        return -1;
    w->data_name[w->data_name_len] = '\0';
    for (int f = 0; f < IH_SYSMON_FIELD_COUNT; f++)
        if (strcmp(ih_sysmon_field_names[f], w->data_name) == 0)
            return EVTX_SLOT_DATA + f;
    return -1;
}

/* Claims slot for the element or attribute being read; the first one of a slot wins. */
static int claim(walker *w, int slot)
{
    if (slot < 0 || (w->out->present & EVTX_SLOT_BIT(slot)))
        return -1;
    w->out->present |= EVTX_SLOT_BIT(slot);
    return slot;
}

/* The end of an element's start tag (token 0x02 or 0x03): its content follows. */
static int start_content(walker *w)
{
    if (w->depth == 0)
        return fail(w->err, "invalid binary XML",
                    "end of a start tag outside an element at chunk offset %zu", w->pos);
    int slot = -1;
    uint8_t tag = w->stack[w->depth - 1].tag, parent = w->stack[w->depth - 1].parent;
    if (tag == TAG_DATA && parent == TAG_EVENT_DATA)
        slot = data_slot(w);
    else if (parent == TAG_SYSTEM && tag == TAG_EVENT_ID)
        slot = EVTX_SLOT_EVENT_ID;
    else if (parent == TAG_SYSTEM && tag == TAG_CHANNEL)
        slot = EVTX_SLOT_CHANNEL;
    else if (parent == TAG_SYSTEM && tag == TAG_COMPUTER)
        slot = EVTX_SLOT_COMPUTER;
    slot = claim(w, slot);
    w->stack[w->depth - 1].slot = (int8_t)slot;
    w->target = slot;
    return 0;
}

static int end_element(walker *w)
{
    if (w->depth == 0)
        return fail(w->err, "invalid binary XML",
                    "end of an element that was not opened at chunk offset %zu", w->pos);
    w->depth--;
    w->target = w->depth > 0 ? w->stack[w->depth - 1].slot : -1;
    return 0;
}

static int open_element(walker *w, bool has_attributes)
{
    const uint8_t *name;
    size_t nchars;

    /* Token, dependency identifier (2), data size (4), name offset (4). */
    if (!need(w, 11))
        return truncated(w, "element start");
    uint32_t name_off = evtx_u32(w->chunk + w->pos + 7);
    w->pos += 11;
    if (read_name(w, name_off, &name, &nchars) < 0)
        return -1;
    if (has_attributes) {
        if (!need(w, 4))
            return truncated(w, "attribute list");
        w->pos += 4;
    }
    if (w->depth == MAX_DEPTH)
        return fail(w->err, "unsupported binary XML", "elements nested more than %d deep",
                    MAX_DEPTH);
    uint8_t parent = current_tag(w);
    w->stack[w->depth].tag = (uint8_t)classify(name, nchars);
    w->stack[w->depth].parent = parent;
    w->stack[w->depth].slot = -1;
    w->depth++;
    w->target = -1;
    w->data_name_len = 0;
    w->data_name_bad = true; /* until a Name attribute arrives */
    return 0;
}

static int attribute(walker *w)
{
    const uint8_t *name;
    size_t nchars;

    if (!need(w, 5))
        return truncated(w, "attribute");
    uint32_t name_off = evtx_u32(w->chunk + w->pos + 1);
    w->pos += 5;
    if (read_name(w, name_off, &name, &nchars) < 0)
        return -1;
    if (w->depth == 0)
        return fail(w->err, "invalid binary XML",
                    "attribute outside an element at chunk offset %zu", w->pos);
    uint8_t tag = w->stack[w->depth - 1].tag, parent = w->stack[w->depth - 1].parent;
    w->target = -1;
    if (tag == TAG_PROVIDER && parent == TAG_SYSTEM && name_is(name, nchars, "Name")) {
        w->target = claim(w, EVTX_SLOT_PROVIDER);
    } else if (tag == TAG_DATA && name_is(name, nchars, "Name")) {
        w->target = TARGET_DATA_NAME;
        w->data_name_len = 0;
        w->data_name_bad = false;
    }
    return 0;
}

/* Text: a value token (type, length, UTF-16) or a CDATA section (length, UTF-16). */
static int text(walker *w, bool cdata)
{
    size_t head = cdata ? 3 : 4;

    if (!need(w, head))
        return truncated(w, "text");
    if (!cdata && w->chunk[w->pos + 1] != EVTX_TYPE_STRING)
        return fail(w->err, "unsupported binary XML",
                    "text of value type 0x%02x at chunk offset %zu", w->chunk[w->pos + 1],
                    w->pos);
    size_t bytes = 2 * (size_t)evtx_u16(w->chunk + w->pos + head - 2);
    if (!need(w, head + bytes))
        return truncated(w, "text");
    size_t start = w->pos + head;
    w->pos += head + bytes;
    if (w->target == TARGET_DATA_NAME) {
        add_data_name(w, w->chunk + start, bytes / 2);
        return 0;
    }
    return add_ref(w, REF_TEXT, (uint32_t)start, (uint32_t)bytes);
}

static int char_ref(walker *w)
{
    if (!need(w, 3))
        return truncated(w, "character reference");
    uint32_t ch = evtx_u16(w->chunk + w->pos + 1);
    w->pos += 3;
    if (w->target == TARGET_DATA_NAME) {
        w->data_name_bad = true;
        return 0;
    }
    return add_ref(w, REF_CHAR, ch, 0);
}

/* An entity reference: the five XML entities become their character, others nothing. */
static int entity_ref(walker *w)
{
    static const struct {
        const char *name;
        char ch;
    } entities[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    const uint8_t *name;
    size_t nchars;

    if (!need(w, 5))
        return truncated(w, "entity reference");
    uint32_t name_off = evtx_u32(w->chunk + w->pos + 1);
    w->pos += 5;
    if (read_name(w, name_off, &name, &nchars) < 0)
        return -1;
    if (w->target == TARGET_DATA_NAME) {
        w->data_name_bad = true;
        return 0;
    }
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
        if (name_is(name, nchars, entities[i].name))
            return add_ref(w, REF_CHAR, (uint32_t)entities[i].ch, 0);
    return 0;
}

static int processing_instruction(walker *w, bool target)
{
    const uint8_t *name;
    size_t nchars;

    if (target) {
        if (!need(w, 5))
            return truncated(w, "processing instruction");
        uint32_t name_off = evtx_u32(w->chunk + w->pos + 1);
        w->pos += 5;
        return read_name(w, name_off, &name, &nchars);
    }
    if (!need(w, 3))
        return truncated(w, "processing instruction");
    size_t bytes = 2 * (size_t)evtx_u16(w->chunk + w->pos + 1);
    if (!need(w, 3 + bytes))
        return truncated(w, "processing instruction");
    w->pos += 3 + bytes;
    return 0;
}

static int substitution(walker *w, bool optional)
{
    if (!need(w, 4))
        return truncated(w, "substitution");
    uint16_t index = evtx_u16(w->chunk + w->pos + 1);
    uint8_t type = w->chunk[w->pos + 3];
    w->pos += 4;
    if (!w->substitutions)
        return fail(w->err, "invalid binary XML",
                    "substitution outside a template at chunk offset %zu", w->pos - 4);
    if (w->target == TARGET_DATA_NAME) {
        /* NOTE: a Data element named by a substitution is not matched to a Sysmon field. */
        w->data_name_bad = true;
        return 0;
    }
    if (type == EVTX_TYPE_BINXML) {
        if (w->out->nnested == MAX_NESTED)
            return fail(w->err, "unsupported binary XML",
                        "more than %d binary XML values in one template", MAX_NESTED);
        w->out->nested[w->out->nnested].index = index;
        w->out->nested[w->out->nnested].context = current_tag(w);
        w->out->nnested++;
        return 0;
    }
    return add_ref(w, optional ? REF_OPTIONAL : REF_SUBSTITUTION, index, 0);
}

/*
 * Walks one element tree (a template definition, or a plain fragment) from
 * w->pos to w->end, filling w->out. The tree ends at an end-of-fragment
 * token or at w->end.
 */
static int walk(walker *w)
{
    int rc = 0;

    while (rc == 0 && w->pos < w->end) {
        uint8_t token = w->chunk[w->pos];
        switch (token & ~TOKEN_MORE_FLAG) {
        case TOKEN_EOF:
            if (w->depth != 0)
                return fail(w->err, "invalid binary XML",
                            "end of fragment inside an element at chunk offset %zu", w->pos);
            w->pos++;
            return 0;
        case TOKEN_FRAGMENT_HEADER:
            if (!need(w, 4))
                return truncated(w, "fragment header");
            w->pos += 4;
            break;
        case TOKEN_OPEN_START_ELEMENT:
            rc = open_element(w, token & TOKEN_MORE_FLAG);
            break;
        case TOKEN_ATTRIBUTE:
            rc = attribute(w);
            break;
        case TOKEN_CLOSE_START_ELEMENT:
            rc = start_content(w);
            w->pos++;
            break;
        case TOKEN_CLOSE_EMPTY_ELEMENT:
            if ((rc = start_content(w)) == 0)
                rc = end_element(w);
            w->pos++;
            break;
        case TOKEN_END_ELEMENT:
            rc = end_element(w);
            w->pos++;
            break;
        case TOKEN_VALUE:
            rc = text(w, false);
            break;
        case TOKEN_CDATA:
            rc = text(w, true);
            break;
        case TOKEN_CHAR_REF:
            rc = char_ref(w);
            break;
        case TOKEN_ENTITY_REF:
            rc = entity_ref(w);
            break;
        case TOKEN_PI_TARGET:
            rc = processing_instruction(w, true);
            break;
        case TOKEN_PI_DATA:
            rc = processing_instruction(w, false);
            break;
        case TOKEN_NORMAL_SUBSTITUTION:
            rc = substitution(w, false);
            break;
        case TOKEN_OPTIONAL_SUBSTITUTION:
            rc = substitution(w, true);
            break;
        default:
            return fail(w->err, "invalid binary XML", "unexpected token 0x%02x at chunk offset %zu",
                        token, w->pos);
        }
    }
    if (rc == 0 && w->depth != 0)
        return truncated(w, "element");
    return rc;
}

/* Compiles the element tree in chunk[start, end) into out. */
static int compile(const uint8_t *chunk, size_t limit, size_t start, size_t end, bool template,
                   uint8_t context, compiled *out, evtx_error *err)
{
    walker w;

    memset(out, 0, offsetof(compiled, refs));
    w.chunk = chunk;
    w.limit = limit;
    w.pos = start;
    w.end = end;
    w.substitutions = template;
    w.out = out;
    w.err = err;
    w.depth = 0;
    w.target = -1;
    w.context = context;
    w.data_name_len = 0;
    w.data_name_bad = true;
    return walk(&w);
}

/* --- Resolving records --- */

/* The values of one template instance: descriptors (size, type) then the data. */
typedef struct values {
    const uint8_t *descriptors;
    const uint8_t *data;
    uint32_t count;
    const uint32_t *offsets; /* NULL when count > OFFSETS_MAX */
} values;

/* Finds value index; *part gets a NULL value when the instance has fewer values. */
static void get_value(const values *v, uint32_t index, evtx_part *part)
{
    part->data = NULL;
    part->size = 0;
    part->type = EVTX_TYPE_NULL;
    if (index >= v->count)
        return;
    size_t offset = 0;
    if (v->offsets) {
        offset = v->offsets[index];
    } else {
        for (uint32_t i = 0; i < index; i++)
            offset += evtx_u16(v->descriptors + 4 * i);
    }
    part->data = v->data + offset;
    part->size = evtx_u16(v->descriptors + 4 * index);
    part->type = v->descriptors[4 * index + 2];
}

/* Turns a compiled tree's references into the record's fields of the slots in want. */
static int apply(const compiled *c, const uint8_t *chunk, const values *v, uint32_t want,
                 evtx_fields *out, evtx_error *err)
{
    uint8_t skipped[EVTX_SLOT_COUNT] = {0}, seen[EVTX_SLOT_COUNT] = {0};

    want &= c->present;
    if (!want)
        return 0;
    for (int s = 0; s < EVTX_SLOT_COUNT; s++)
        if (want & EVTX_SLOT_BIT(s))
            out->slot[s] = (evtx_field){.present = true};

    for (size_t i = 0; i < c->nrefs; i++) {
        const ref *r = &c->refs[i];
        if (!(want & EVTX_SLOT_BIT(r->slot)))
            continue;
        evtx_part part;
        switch (r->kind) {
        case REF_TEXT:
            part = (evtx_part){chunk + r->a, r->b, EVTX_TYPE_STRING};
            break;
        case REF_CHAR:
            part = (evtx_part){NULL, r->a, EVTX_TYPE_STRING};
            break;
        default:
            get_value(v, r->a, &part);
            break;
        }
        seen[r->slot]++;
        if (part.type == EVTX_TYPE_NULL && r->kind != REF_CHAR) {
            skipped[r->slot] += r->kind == REF_OPTIONAL;
            continue;
        }
        evtx_field *f = &out->slot[r->slot];
        if (f->nparts == EVTX_MAX_PARTS)
            return fail(err, "unsupported binary XML", "a field made of more than %d parts",
                        EVTX_MAX_PARTS);
        f->parts[f->nparts++] = part;
    }

    /* An element whose only content is an optional substitution without a value is absent. */
    for (int s = 0; s < EVTX_SLOT_COUNT; s++)
        if ((want & EVTX_SLOT_BIT(s)) && seen[s] > 0 && skipped[s] == seen[s])
            out->slot[s].present = false;
    return 0;
}

static int find_fragment(evtx_templates *t, const uint8_t *chunk, size_t limit, size_t start,
                         size_t end, uint8_t context, uint32_t want, evtx_fields *out,
                         int nesting, evtx_error *err);

/* Finds or compiles the template defined at chunk offset def, as seen inside context. */
static const compiled *lookup(evtx_templates *t, const uint8_t *chunk, size_t limit, uint32_t def,
                              size_t def_end, uint8_t context, evtx_error *err)
{
    uint32_t key = def << 4 | context;
    size_t h = (size_t)((key * UINT32_C(2654435761)) >> 25) % CACHE_SLOTS;

    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        compiled *c = &t->cache[(h + i) % CACHE_SLOTS];
        if (c->generation == t->generation && c->key == key)
            return c;
        if (c->generation == t->generation)
            continue;
        /* An empty slot: compile into it, after making room if the cache is 3/4 full. */
        if (t->used >= CACHE_SLOTS * 3 / 4) {
            evtx_templates_reset(t);
            c = &t->cache[h];
        }
        if (compile(chunk, limit, def + 24, def_end, true, context, c, err) < 0)
            return NULL;
        c->key = key;
        c->generation = t->generation;
        t->used++;
        return c;
    }
    fail(err, "unsupported binary XML", "template cache full");
    return NULL;
}

/*
 * Resolves a template instance at chunk[pos] (token 0x0c) that ends by end:
 * its definition, then its values. Fields found in nested binary XML values
 * are looked for only while some slot of want is still missing.
 */
static int find_instance(evtx_templates *t, const uint8_t *chunk, size_t limit, size_t pos,
                         size_t end, uint8_t context, uint32_t want, evtx_fields *out,
                         int nesting, evtx_error *err)
{
    /* Token, an unknown byte, the template identifier, the definition's offset. */
    if (end - pos < 10)
        return fail(err, "invalid binary XML", "template instance truncated at chunk offset %zu",
                    pos);
    uint32_t def = evtx_u32(chunk + pos + 6);
    pos += 10;

    /* The definition: next offset (4), GUID (16), data size (4), then the data. */
    size_t def_end;
    if (def == pos) {
        if (end - pos < 24)
            return fail(err, "invalid binary XML",
                        "template definition truncated at chunk offset %zu", pos);
        uint32_t size = evtx_u32(chunk + pos + 20);
        if (size > end - pos - 24)
            return fail(err, "invalid binary XML",
                        "template definition at chunk offset %zu runs past its record", pos);
        def_end = pos + 24 + size;
        pos = def_end;
    } else {
        /* Defined by an earlier record: the offset must point back into the records. */
        if (def < EVTX_CHUNK_HEADER_SIZE || def > pos || (size_t)def + 24 > limit)
            return fail(err, "invalid template offset",
                        "template definition offset %" PRIu32 " at chunk offset %zu is not "
                        "an earlier template of this chunk",
                        def, pos - 4);
        uint32_t size = evtx_u32(chunk + def + 20);
        if (size > limit - def - 24)
            return fail(err, "invalid template offset",
                        "template definition at chunk offset %" PRIu32 " runs past the chunk",
                        def);
        def_end = def + 24 + (size_t)size;
    }

    /* The values: their count, a descriptor (size, type, 0) each, then their data. */
    if (end - pos < 4)
        return fail(err, "invalid binary XML", "template values truncated at chunk offset %zu",
                    pos);
    values v;
    v.count = evtx_u32(chunk + pos);
    v.descriptors = chunk + pos + 4;
    if (v.count > (end - pos - 4) / 4)
        return fail(err, "invalid binary XML",
                    "%" PRIu32 " template values do not fit their record at chunk offset %zu",
                    v.count, pos);
    v.data = v.descriptors + 4 * (size_t)v.count;
    v.offsets = v.count <= OFFSETS_MAX ? t->offsets : NULL;
    size_t total = 0;
    for (uint32_t i = 0; i < v.count; i++) {
        if (v.offsets)
            t->offsets[i] = (uint32_t)total;
        total += evtx_u16(v.descriptors + 4 * i);
    }
    if (total > (size_t)(chunk + end - v.data))
        return fail(err, "invalid binary XML",
                    "template values of %zu bytes run past their record at chunk offset %zu",
                    total, pos);

    const compiled *c = lookup(t, chunk, limit, def, def_end, context, err);
    if (!c)
        return -1;
    if (apply(c, chunk, &v, want, out, err) < 0)
        return -1;

    /* Nested binary XML, while a wanted slot is missing. Collect the values first:
       resolving them reuses t->offsets and may empty the cache. */
    uint32_t missing = want & ~c->present;
    if (!missing || c->nnested == 0)
        return 0;
    struct {
        size_t start, end;
        uint8_t context;
    } nested[MAX_NESTED];
    size_t nnested = 0;
    for (size_t i = 0; i < c->nnested; i++) {
        evtx_part part;
        get_value(&v, c->nested[i].index, &part);
        if (part.type != EVTX_TYPE_BINXML || part.size == 0)
            continue;
        size_t start = (size_t)(part.data - chunk);
        nested[nnested].start = start;
        nested[nnested].end = start + part.size;
        nested[nnested].context = c->nested[i].context;
        nnested++;
    }
    for (size_t i = 0; i < nnested && missing; i++) {
        if (find_fragment(t, chunk, limit, nested[i].start, nested[i].end, nested[i].context,
                          missing, out, nesting + 1, err) < 0)
            return -1;
        for (int s = 0; s < EVTX_SLOT_COUNT; s++)
            if (out->slot[s].present)
                missing &= ~EVTX_SLOT_BIT(s);
    }
    return 0;
}

/* Resolves a fragment: a template instance, or a plain element tree. */
static int find_fragment(evtx_templates *t, const uint8_t *chunk, size_t limit, size_t start,
                         size_t end, uint8_t context, uint32_t want, evtx_fields *out,
                         int nesting, evtx_error *err)
{
    if (nesting > MAX_NESTING)
        return fail(err, "unsupported binary XML",
                    "template instances nested more than %d deep at chunk offset %zu",
                    MAX_NESTING, start);

    size_t pos = start;
    while (end - pos >= 4 && chunk[pos] == TOKEN_FRAGMENT_HEADER)
        pos += 4;
    if (pos < end && chunk[pos] == TOKEN_TEMPLATE_INSTANCE)
        return find_instance(t, chunk, limit, pos, end, context, want, out, nesting, err);

    compiled plain;
    if (compile(chunk, limit, pos, end, false, context, &plain, err) < 0)
        return -1;
    values none = {NULL, NULL, 0, NULL};
    return apply(&plain, chunk, &none, want, out, err);
}

int evtx_find_fields(evtx_templates *t, const uint8_t *data, size_t limit, size_t start,
                     size_t end, uint32_t mask, evtx_fields *out, evtx_error *err)
{
    uint32_t want = mask;

    for (int s = 0; s < EVTX_SLOT_COUNT; s++)
        if (out->slot[s].present)
            want &= ~EVTX_SLOT_BIT(s);
    if (!want)
        return 0;
    return find_fragment(t, data, limit, start, end, TAG_OTHER, want, out, 0, err);
}

/* --- Values as text --- */

/* Windows-1252 characters 0x80 to 0x9F; the other bytes are Latin-1. 0 is undefined. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static size_t put_utf8(char *out, uint32_t ch)
{
    if (ch < 0x80) {
        out[0] = (char)ch;
        return 1;
    }
    if (ch < 0x800) {
        out[0] = (char)(0xC0 | ch >> 6);
        out[1] = (char)(0x80 | (ch & 0x3F));
        return 2;
    }
    if (ch < 0x10000) {
        out[0] = (char)(0xE0 | ch >> 12);
        out[1] = (char)(0x80 | (ch >> 6 & 0x3F));
        out[2] = (char)(0x80 | (ch & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | ch >> 18);
    out[1] = (char)(0x80 | (ch >> 12 & 0x3F));
    out[2] = (char)(0x80 | (ch >> 6 & 0x3F));
    out[3] = (char)(0x80 | (ch & 0x3F));
    return 4;
}

/* UTF-16LE to UTF-8; a lone surrogate becomes U+FFFD. Trailing NUL characters are dropped. */
static size_t utf16_text(const uint8_t *p, size_t bytes, char *out)
{
    size_t n = bytes / 2, o = 0;

    while (n > 0 && evtx_u16(p + 2 * (n - 1)) == 0)
        n--;
    for (size_t i = 0; i < n; i++) {
        uint32_t ch = evtx_u16(p + 2 * i);
        if (ch < 0x80) {
            out[o++] = (char)ch;
            continue;
        }
        if (ch >= 0xD800 && ch <= 0xDBFF && i + 1 < n) {
            uint32_t low = evtx_u16(p + 2 * (i + 1));
            if (low >= 0xDC00 && low <= 0xDFFF) {
                ch = 0x10000 + ((ch - 0xD800) << 10) + (low - 0xDC00);
                i++;
            } else {
                ch = 0xFFFD;
            }
        } else if (ch >= 0xD800 && ch <= 0xDFFF) {
            ch = 0xFFFD;
        }
        o += put_utf8(out + o, ch);
    }
    return o;
}

/* Windows-1252 text, as evtxexport reads ANSI strings by default, to UTF-8. */
static size_t ansi_text(const uint8_t *p, size_t bytes, char *out)
{
    size_t o = 0;

    while (bytes > 0 && p[bytes - 1] == 0)
        bytes--;
    for (size_t i = 0; i < bytes; i++) {
        uint32_t ch = p[i];
        if (ch >= 0x80 && ch <= 0x9F)
            ch = cp1252_high[ch - 0x80] ? cp1252_high[ch - 0x80] : 0xFFFD;
        o += put_utf8(out + o, ch);
    }
    return o;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* FILETIME (100 ns units since 1601) as 2021-11-30T22:05:47.229944400Z. */
static size_t filetime_text(uint64_t ft, char *out, size_t cap)
{
    const uint64_t per_day = UINT64_C(864000000000);
    int64_t days = (int64_t)(ft / per_day) - 134774; /* 1601-01-01 to 1970-01-01 */
    uint64_t rest = ft % per_day;
    int64_t y;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    unsigned secs = (unsigned)(rest / 10000000);
    unsigned frac = (unsigned)(rest % 10000000);
    int n = snprintf(out, cap, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%07u00Z", y, m, d,
                     secs / 3600, secs / 60 % 60, secs % 60, frac);
    return n > 0 ? (size_t)n : 0;
}

/* One part as text; -1 for a value without text here (an array, binary XML, a bad size). */
static long part_text(const evtx_part *p, char *out, size_t cap)
{
    const uint8_t *v = p->data;
    int n = 0;

    if (!v) /* a character reference */
        return (long)put_utf8(out, p->size);
    switch (p->type) {
    case EVTX_TYPE_NULL:
        return 0;
    case EVTX_TYPE_STRING:
        return (long)utf16_text(v, p->size, out);
    case EVTX_TYPE_ANSI_STRING:
        return (long)ansi_text(v, p->size, out);
    case EVTX_TYPE_INT8:
        n = p->size == 1 ? snprintf(out, cap, "%d", (int8_t)v[0]) : -1;
        break;
    case EVTX_TYPE_UINT8:
        n = p->size == 1 ? snprintf(out, cap, "%u", v[0]) : -1;
        break;
    case EVTX_TYPE_INT16:
        n = p->size == 2 ? snprintf(out, cap, "%d", (int16_t)evtx_u16(v)) : -1;
        break;
    case EVTX_TYPE_UINT16:
        n = p->size == 2 ? snprintf(out, cap, "%u", evtx_u16(v)) : -1;
        break;
    case EVTX_TYPE_INT32:
        n = p->size == 4 ? snprintf(out, cap, "%" PRId32, (int32_t)evtx_u32(v)) : -1;
        break;
    case EVTX_TYPE_UINT32:
        n = p->size == 4 ? snprintf(out, cap, "%" PRIu32, evtx_u32(v)) : -1;
        break;
    case EVTX_TYPE_INT64:
        n = p->size == 8 ? snprintf(out, cap, "%" PRId64, (int64_t)evtx_u64(v)) : -1;
        break;
    case EVTX_TYPE_UINT64:
        n = p->size == 8 ? snprintf(out, cap, "%" PRIu64, evtx_u64(v)) : -1;
        break;
    case EVTX_TYPE_REAL32: {
        float f;
        if (p->size != 4)
            return -1;
        memcpy(&f, v, 4);
        n = snprintf(out, cap, "%.9g", (double)f);
        break;
    }
    case EVTX_TYPE_REAL64: {
        double f;
        if (p->size != 8)
            return -1;
        memcpy(&f, v, 8);
        n = snprintf(out, cap, "%.17g", f);
        break;
    }
    case EVTX_TYPE_BOOL:
        if (p->size != 4 && p->size != 1)
            return -1;
        n = snprintf(out, cap, "%s", (p->size == 4 ? evtx_u32(v) : v[0]) ? "true" : "false");
        break;
    case EVTX_TYPE_BINARY:
        for (size_t i = 0; i < p->size; i++)
            n += snprintf(out + n, cap - (size_t)n, "%02X", v[i]);
        break;
    case EVTX_TYPE_GUID:
        if (p->size != 16)
            return -1;
        n = snprintf(out, cap,
                     "{%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", evtx_u32(v),
                     evtx_u16(v + 4), evtx_u16(v + 6), v[8], v[9], v[10], v[11], v[12], v[13], v[14],
                     v[15]);
        break;
    case EVTX_TYPE_SIZE:
    case EVTX_TYPE_HEX32:
    case EVTX_TYPE_HEX64:
        if (p->size == 4)
            n = snprintf(out, cap, "0x%08" PRIx32, evtx_u32(v));
        else if (p->size == 8)
            n = snprintf(out, cap, "0x%016" PRIx64, evtx_u64(v));
        else
            return -1;
        break;
    case EVTX_TYPE_FILETIME:
        if (p->size != 8)
            return -1;
        return (long)filetime_text(evtx_u64(v), out, cap);
    case EVTX_TYPE_SYSTIME:
        if (p->size != 16)
            return -1;
        n = snprintf(out, cap, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", evtx_u16(v), evtx_u16(v + 2),
                     evtx_u16(v + 6), evtx_u16(v + 8), evtx_u16(v + 10), evtx_u16(v + 12), evtx_u16(v + 14));
        break;
    case EVTX_TYPE_SID: {
        /* Revision, count of sub-authorities, a 48-bit big-endian authority, then the
           sub-authorities as 32-bit little-endian numbers. */
        if (p->size < 8 || p->size != 8 + 4 * (size_t)v[1])
            return -1;
        uint64_t authority = 0;
        for (int i = 2; i < 8; i++)
            authority = authority << 8 | v[i];
        n = snprintf(out, cap, "S-%u-%" PRIu64, v[0], authority);
        for (size_t i = 0; i < v[1]; i++)
            n += snprintf(out + n, cap - (size_t)n, "-%" PRIu32, evtx_u32(v + 8 + 4 * i));
        break;
    }
    default:
        return -1;
    }
    return n;
}

size_t evtx_field_text_max(const evtx_field *f)
{
    size_t max = 1;

    for (size_t i = 0; i < f->nparts; i++)
        max += 3 * (size_t)(f->parts[i].data ? f->parts[i].size : 1) + 64;
    return max;
}

long evtx_field_text(const evtx_field *f, char *buf, size_t cap)
{
    size_t len = 0;

    if (cap < evtx_field_text_max(f))
        return -1;
    for (size_t i = 0; i < f->nparts; i++) {
        long n = part_text(&f->parts[i], buf + len, cap - len);
        if (n < 0)
            return -1;
        len += (size_t)n;
    }
    return (long)len;
}

bool evtx_field_uint(const evtx_field *f, uint64_t *out)
{
    if (!f->present || f->nparts != 1 || !f->parts[0].data)
        return false;
    const evtx_part *p = &f->parts[0];
    switch (p->type) {
    case EVTX_TYPE_UINT8:
    case EVTX_TYPE_INT8:
        if (p->size != 1)
            return false;
        *out = p->data[0];
        return p->type == EVTX_TYPE_UINT8 || p->data[0] < 0x80;
    case EVTX_TYPE_UINT16:
    case EVTX_TYPE_INT16:
        if (p->size != 2)
            return false;
        *out = evtx_u16(p->data);
        return p->type == EVTX_TYPE_UINT16 || *out < 0x8000;
    case EVTX_TYPE_UINT32:
    case EVTX_TYPE_INT32:
        if (p->size != 4)
            return false;
        *out = evtx_u32(p->data);
        return p->type == EVTX_TYPE_UINT32 || *out < UINT64_C(0x80000000);
    case EVTX_TYPE_UINT64:
    case EVTX_TYPE_INT64:
        if (p->size != 8)
            return false;
        *out = evtx_u64(p->data);
        return p->type == EVTX_TYPE_UINT64 || *out < UINT64_C(0x8000000000000000);
    case EVTX_TYPE_STRING: {
        size_t n = p->size / 2;
        uint64_t v = 0;
        while (n > 0 && evtx_u16(p->data + 2 * (n - 1)) == 0)
            n--;
        if (n == 0 || n > 19)
            return false;
        for (size_t i = 0; i < n; i++) {
            uint16_t ch = evtx_u16(p->data + 2 * i);
            if (ch < '0' || ch > '9')
                return false;
            v = v * 10 + (ch - '0');
        }
        *out = v;
        return true;
    }
    default:
        return false;
    }
}

bool evtx_field_equals_nocase(const evtx_field *f, const char *lit)
{
    if (!f->present)
        return false;
    /* The usual case, one UTF-16 string, is compared in place. */
    if (f->nparts == 1 && f->parts[0].data && f->parts[0].type == EVTX_TYPE_STRING) {
        const evtx_part *p = &f->parts[0];
        size_t n = p->size / 2, len = strlen(lit);
        while (n > 0 && evtx_u16(p->data + 2 * (n - 1)) == 0)
            n--;
        if (n != len)
            return false;
        for (size_t i = 0; i < n; i++) {
            uint16_t a = evtx_u16(p->data + 2 * i);
            char b = lit[i];
            if (a >= 'A' && a <= 'Z')
                a = (uint16_t)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != (uint8_t)b)
                return false;
        }
        return true;
    }
    char buf[256];
    if (evtx_field_text_max(f) > sizeof(buf))
        return false;
    long n = evtx_field_text(f, buf, sizeof(buf));
    return n >= 0 && ih_sysmon_text_equal_nocase((ih_str){buf, (size_t)n}, lit);
}
