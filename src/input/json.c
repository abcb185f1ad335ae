/*
 * Validating JSON scanner. One pass builds a tape of tokens; strings are
 * checked for control characters, escapes and UTF-8 but left escaped.
 * Containers are parsed with an explicit stack, so depth never recurses.
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void json_doc_init(json_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
}

void json_doc_free(json_doc *doc)
{
    free(doc->tokens);
    memset(doc, 0, sizeof(*doc));
}

typedef struct parser {
    json_doc *doc;
    const unsigned char *s;
    size_t len;
    size_t pos;
    json_error *err;
} parser;

static int fail(parser *p, size_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#include <stdarg.h>

static int fail(parser *p, size_t offset, const char *fmt, ...)
{
    va_list ap;

    p->err->offset = offset;
    va_start(ap, fmt);
    vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
    va_end(ap);
    return -1;
}

static int push_token(parser *p, json_type type, size_t start)
{
    json_doc *doc = p->doc;

    if (doc->ntokens == doc->cap) {
        size_t cap = doc->cap ? doc->cap * 2 : 256;
        json_token *t = realloc(doc->tokens, cap * sizeof(*t));
        if (!t)
            return fail(p, start, "out of memory");
        doc->tokens = t;
        doc->cap = cap;
    }
    if (doc->ntokens >= UINT32_MAX)
        return fail(p, start, "too many values");
    json_token *t = &doc->tokens[doc->ntokens];
    t->start = (uint32_t)start;
    t->len = 0;
    t->next = (uint32_t)doc->ntokens + 1;
    t->count = 0;
    t->type = (uint8_t)type;
    t->escaped = 0;
    return (int)doc->ntokens++;
}

static inline void skip_space(parser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];

    if (c >= 0xC2 && c <= 0xDF) {
        if (n >= 2 && (s[1] & 0xC0) == 0x80)
            return 2;
        return 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && s[1] >= 0x90)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Checks a \u escape at s (pointing at the backslash); returns its length or -1. */
static int check_unicode_escape(parser *p, size_t at)
{
    const unsigned char *s = p->s;
    unsigned u, lo;

    if (at + 6 > p->len || hex4(s + at + 2, &u) != 0)
        return fail(p, at, "invalid \\u escape in string");
    if (u >= 0xDC00 && u <= 0xDFFF)
        return fail(p, at, "unpaired low surrogate \\u%04X in string", u);
    if (u < 0xD800 || u > 0xDBFF)
        return 6;
    if (at + 12 > p->len || s[at + 6] != '\\' || s[at + 7] != 'u' || hex4(s + at + 8, &lo) != 0 ||
        lo < 0xDC00 || lo > 0xDFFF)
        return fail(p, at, "unpaired high surrogate \\u%04X in string", u);
    return 12;
}

/* Finds the first byte at or after i that is '"', '\\', a control byte or non-ASCII. */
static inline size_t scan_plain(const unsigned char *s, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        /* Signed compare: bytes >= 0x80 are negative, so they count as below 0x20 too. */
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                   _mm_cmplt_epi8(v, space));
        int mask = _mm_movemask_epi8(bad);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    while (i < len) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return i;
        i++;
    }
    return i;
}

static int parse_string(parser *p, json_type type)
{
    size_t open = p->pos;
    size_t i = open + 1;
    int tok = push_token(p, type, i);
    if (tok < 0)
        return -1;
    uint8_t escaped = 0;

    for (;;) {
        i = scan_plain(p->s, i, p->len);
        if (i >= p->len)
            return fail(p, open, "unterminated string");
        unsigned char c = p->s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            if (i + 1 >= p->len)
                return fail(p, i, "unterminated string");
            unsigned char e = p->s[i + 1];
            escaped = 1;
            if (e == 'u') {
                int n = check_unicode_escape(p, i);
                if (n < 0)
                    return -1;
                i += (size_t)n;
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                       e == 'r' || e == 't') {
                i += 2;
            } else {
                return fail(p, i, "invalid escape \\%c in string", e >= 0x20 && e < 0x7f ? e : '?');
            }
            continue;
        }
        if (c < 0x20)
            return fail(p, i, "unescaped control character 0x%02X in string", c);
        size_t n = utf8_sequence(p->s + i, p->len - i);
        if (n == 0)
            return fail(p, i, "invalid UTF-8 byte 0x%02X in string", c);
        i += n;
    }
    json_token *t = &p->doc->tokens[tok];
    t->len = (uint32_t)(i - open - 1);
    t->escaped = escaped;
    p->pos = i + 1;
    return tok;
}

static int parse_number(parser *p)
{
    const unsigned char *s = p->s;
    size_t start = p->pos, i = start;

    if (i < p->len && s[i] == '-')
        i++;
    if (i >= p->len || s[i] < '0' || s[i] > '9')
        return fail(p, start, "invalid number");
    if (s[i] == '0') {
        i++;
        if (i < p->len && s[i] >= '0' && s[i] <= '9')
            return fail(p, start, "invalid number: leading zero");
    } else {
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->len && s[i] == '.') {
        i++;
        if (i >= p->len || s[i] < '0' || s[i] > '9')
            return fail(p, start, "invalid number: no digit after the decimal point");
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= p->len || s[i] < '0' || s[i] > '9')
            return fail(p, start, "invalid number: no digit in the exponent");
        while (i < p->len && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    int tok = push_token(p, IH_JSON_NUMBER, start);
    if (tok < 0)
        return -1;
    p->doc->tokens[tok].len = (uint32_t)(i - start);
    p->pos = i;
    return tok;
}

static int parse_literal(parser *p, const char *word, json_type type)
{
    size_t n = strlen(word);

    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail(p, p->pos, "invalid literal");
    int tok = push_token(p, type, p->pos);
    if (tok < 0)
        return -1;
    p->doc->tokens[tok].len = (uint32_t)n;
    p->pos += n;
    return tok;
}

/* Parses a scalar at p->pos; containers are handled by the caller's stack. */
static int parse_scalar(parser *p)
{
    unsigned char c = p->s[p->pos];

    switch (c) {
    case '"':
        return parse_string(p, IH_JSON_STRING);
    case 't':
        return parse_literal(p, "true", IH_JSON_TRUE);
    case 'f':
        return parse_literal(p, "false", IH_JSON_FALSE);
    case 'n':
        return parse_literal(p, "null", IH_JSON_NULL);
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return parse_number(p);
        if (c >= 0x20 && c < 0x7f)
            return fail(p, p->pos, "unexpected character '%c'", c);
        return fail(p, p->pos, "unexpected byte 0x%02X", c);
    }
}

int json_parse(json_doc *doc, const char *text, size_t len, json_error *err)
{
    parser p = {doc, (const unsigned char *)text, len, 0, err};
    int stack[JSON_MAX_DEPTH];
    int depth = 0;

    doc->text = text;
    doc->text_len = len;
    doc->ntokens = 0;
    if (len >= UINT32_MAX)
        return fail(&p, 0, "text of %zu bytes is too large", len);

    skip_space(&p);
    if (p.pos >= len)
        return fail(&p, p.pos, "empty input");

    /* Each iteration parses one value; after it, close finished containers. */
    for (;;) {
        skip_space(&p);
        if (p.pos >= len)
            return fail(&p, p.pos, "unexpected end of input");
        unsigned char c = p.s[p.pos];
        int tok;

        if (c == '{' || c == '[') {
            if (depth == JSON_MAX_DEPTH)
                return fail(&p, p.pos, "nesting deeper than %d", JSON_MAX_DEPTH);
            tok = push_token(&p, c == '{' ? IH_JSON_OBJECT : IH_JSON_ARRAY, p.pos);
            if (tok < 0)
                return -1;
            stack[depth++] = tok;
            p.pos++;
            skip_space(&p);
            if (p.pos < len && p.s[p.pos] == (c == '{' ? '}' : ']')) {
                p.pos++;
                depth--;
                doc->tokens[tok].next = (uint32_t)doc->ntokens;
                doc->tokens[tok].len = (uint32_t)(p.pos - doc->tokens[tok].start);
                goto after_value;
            }
            if (c == '{')
                goto object_key;
            continue;
        }
        tok = parse_scalar(&p);
        if (tok < 0)
            return -1;

    after_value:
        /* A value ended: expect ',' or the closer of the enclosing container. */
        for (;;) {
            if (depth == 0) {
                skip_space(&p);
                if (p.pos != len)
                    return fail(&p, p.pos, "unexpected data after the JSON value");
                return 0;
            }
            int top = stack[depth - 1];
            json_token *t = &doc->tokens[top];
            bool is_object = t->type == IH_JSON_OBJECT;
            t->count++;
            skip_space(&p);
            if (p.pos >= len)
                return fail(&p, p.pos, "unexpected end of input in %s",
                            is_object ? "object" : "array");
            c = p.s[p.pos];
            if (c == ',') {
                p.pos++;
                if (is_object)
                    goto object_key;
                break;
            }
            if (c == (is_object ? '}' : ']')) {
                p.pos++;
                depth--;
                t = &doc->tokens[top];
                t->next = (uint32_t)doc->ntokens;
                t->len = (uint32_t)(p.pos - t->start);
                continue;
            }
            return fail(&p, p.pos, "expected ',' or '%c' in %s", is_object ? '}' : ']',
                        is_object ? "object" : "array");
        }
        continue;

    object_key:
        skip_space(&p);
        if (p.pos >= len)
            return fail(&p, p.pos, "unexpected end of input in object");
        if (p.s[p.pos] != '"')
            return fail(&p, p.pos, "expected a string key in object");
        if (parse_string(&p, IH_JSON_STRING) < 0)
            return -1;
        skip_space(&p);
        if (p.pos >= len || p.s[p.pos] != ':')
            return fail(&p, p.pos, "expected ':' after object key");
        p.pos++;
    }
}

static bool key_equals(const json_doc *doc, const json_token *k, const char *key, size_t key_len)
{
    if (!k->escaped)
        return k->len == key_len && memcmp(doc->text + k->start, key, key_len) == 0;

    /* Unescaping never lengthens a string, so a key of len + 4 bytes always fits. */
    char small[256];
    size_t cap = (size_t)k->len + 4;
    char *buf = cap <= sizeof(small) ? small : malloc(cap);
    if (!buf)
        return false;
    ih_str s = json_string(doc, (int)(k - doc->tokens), buf, cap);
    bool equal = s.ptr && s.len == key_len && memcmp(s.ptr, key, key_len) == 0;
    if (buf != small)
        free(buf);
    return equal;
}

int json_get_n(const json_doc *doc, int obj, const char *key, size_t key_len)
{
    if (obj < 0 || (size_t)obj >= doc->ntokens || doc->tokens[obj].type != IH_JSON_OBJECT)
        return -1;

    const json_token *t = &doc->tokens[obj];
    uint32_t k = (uint32_t)obj + 1;
    for (uint32_t i = 0; i < t->count; i++) {
        if (key_equals(doc, &doc->tokens[k], key, key_len))
            return (int)k + 1;
        k = doc->tokens[k + 1].next;
    }
    return -1;
}

int json_get(const json_doc *doc, int obj, const char *key)
{
    return json_get_n(doc, obj, key, strlen(key));
}

int json_get_path(const json_doc *doc, int obj, const char *path)
{
    int tok = obj;

    while (tok >= 0) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        tok = json_get_n(doc, tok, path, n);
        if (!dot)
            break;
        path = dot + 1;
    }
    return tok;
}

int json_first_child(const json_doc *doc, int tok)
{
    if (doc->tokens[tok].count == 0)
        return -1;
    return tok + 1;
}

ih_str json_raw(const json_doc *doc, int tok)
{
    const json_token *t = &doc->tokens[tok];
    return (ih_str){doc->text + t->start, t->len};
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

ih_str json_string(const json_doc *doc, int tok, char *buf, size_t cap)
{
    const json_token *t = &doc->tokens[tok];
    const unsigned char *s = (const unsigned char *)doc->text + t->start;
    size_t n = t->len, o = 0;

    if (!t->escaped)
        return (ih_str){(const char *)s, n};

    /* The parse validated every escape, so only the output size is checked here. */
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            if (o + 1 > cap)
                return IH_STR_NONE;
            buf[o++] = (char)s[i++];
            continue;
        }
        /* An escape writes at most 4 bytes (a surrogate pair as UTF-8). */
        if (o + (s[i + 1] == 'u' ? 4 : 1) > cap)
            return IH_STR_NONE;
        unsigned char e = s[i + 1];
        unsigned cp, lo;
        switch (e) {
        case 'b': buf[o++] = '\b'; i += 2; break;
        case 'f': buf[o++] = '\f'; i += 2; break;
        case 'n': buf[o++] = '\n'; i += 2; break;
        case 'r': buf[o++] = '\r'; i += 2; break;
        case 't': buf[o++] = '\t'; i += 2; break;
        case 'u':
            hex4(s + i + 2, &cp);
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                hex4(s + i + 2, &lo);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            o += put_utf8(buf + o, cp);
            break;
        default: buf[o++] = (char)e; i += 2; break;
        }
    }
    return (ih_str){buf, o};
}

int json_int64(const json_doc *doc, int tok, int64_t *out)
{
    const json_token *t = &doc->tokens[tok];
    if (t->type != IH_JSON_NUMBER && !(t->type == IH_JSON_STRING && !t->escaped))
        return -1;

    const char *s = doc->text + t->start;
    size_t n = t->len, i = 0;
    bool neg = false;
    if (n > 0 && s[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i == n)
        return -1;

    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_C(9223372036854775808) - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (!neg && v > INT64_MAX)
        return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}
