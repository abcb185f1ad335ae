/*
 * Fuzz harness of the JSON scanner: json_parse() on any bytes, then every
 * lookup on what it accepted. It checks the tape's structure: each value's
 * next index and the member and element counts. Every key must be found
 * again by json_get() and json_get_n(). json_string() output must be valid
 * UTF-8 and never longer than the escaped text. A failed parse must name a
 * byte inside the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/input/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *invariant)
{
    fprintf(stderr, "fuzz_json: invariant violated: %s\n", invariant);
    abort();
}

/* True when s[0..n) is valid UTF-8 (U+0000 included, surrogates excluded). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = 0;
        if (c < 0x80)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4;
        if (len == 0 || i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))
            return 0;
        i += len;
    }
    return 1;
}

/* Unescapes a string token into buf (capacity cap), checks the result and returns it. */
static ih_str check_string(const json_doc *doc, int tok, char *buf, size_t cap)
{
    const json_token *t = &doc->tokens[tok];
    ih_str s = json_string(doc, tok, buf, cap);

    if (!s.ptr)
        fail("json_string() found no room with len + 4 bytes");
    if (s.len > t->len)
        fail("unescaped string longer than its escaped text");
    if (!valid_utf8((const unsigned char *)s.ptr, s.len))
        fail("json_string() returned invalid UTF-8");
    if (!t->escaped && (s.ptr != doc->text + t->start || s.len != t->len))
        fail("an unescaped string is not a view of the text");

    /* A buffer one byte short of the output must give no string rather than a cut one. */
    if (t->escaped && s.len > 0) {
        char *small = malloc(s.len - 1 ? s.len - 1 : 1);
        if (!small)
            fail("out of memory");
        if (json_string(doc, tok, small, s.len - 1).ptr)
            fail("json_string() returned a string longer than its buffer");
        free(small);
    }
    return s;
}

static void check_number(const json_doc *doc, int tok)
{
    ih_str raw = json_raw(doc, tok);
    int64_t v;

    if (raw.len == 0)
        fail("empty number");
    int is_int = raw.len <= 20 && !memchr(raw.ptr, '.', raw.len) && !memchr(raw.ptr, 'e', raw.len) &&
                 !memchr(raw.ptr, 'E', raw.len);
    if (json_int64(doc, tok, &v) == 0) {
        if (!is_int)
            fail("json_int64() read a fraction or an exponent");
        char text[32];
        snprintf(text, sizeof(text), "%lld", (long long)v);
        /* The digits must be the number's own, but "-0" reads as 0. */
        if (!(raw.len == 2 && memcmp(raw.ptr, "-0", 2) == 0) &&
            (strlen(text) != raw.len || memcmp(text, raw.ptr, raw.len) != 0))
            fail("json_int64() value differs from the digits");
    }
}

/* Checks the object at tok: every key is found again, as the first member of that name. */
static void check_object(const json_doc *doc, int tok)
{
    const json_token *t = &doc->tokens[tok];
    int key = json_first_child(doc, tok);

    if ((t->count == 0) != (key < 0))
        fail("json_first_child() disagrees with the member count");
    for (uint32_t i = 0; i < t->count; i++) {
        if (key <= tok || (size_t)key + 1 >= doc->ntokens || json_type_of(doc, key) != IH_JSON_STRING)
            fail("object member is not a string key followed by a value");
        size_t cap = doc->tokens[key].len + 4;
        char *buf = malloc(cap);
        if (!buf)
            fail("out of memory");
        ih_str name = check_string(doc, key, buf, cap);

        int found = json_get_n(doc, tok, name.ptr, name.len);
        if (found < 0 || found > key + 1)
            fail("json_get_n() misses a key or finds a later member");

        /* json_get() takes a C string, so only names without U+0000 can be compared. */
        if (!memchr(name.ptr, '\0', name.len)) {
            char *cstr = malloc(name.len + 1);
            if (!cstr)
                fail("out of memory");
            memcpy(cstr, name.ptr, name.len);
            cstr[name.len] = '\0';
            if (json_get(doc, tok, cstr) != found)
                fail("json_get() and json_get_n() disagree");
            free(cstr);
        }
        free(buf);
        key = json_next(doc, key + 1);
    }
    if (t->count > 0 && (uint32_t)key != t->next)
        fail("the members of an object do not end at its next index");
}

static void check_array(const json_doc *doc, int tok)
{
    const json_token *t = &doc->tokens[tok];
    int element = json_first_child(doc, tok);

    if ((t->count == 0) != (element < 0))
        fail("json_first_child() disagrees with the element count");
    for (uint32_t i = 0; i < t->count; i++) {
        if (element <= tok || (size_t)element >= doc->ntokens)
            fail("array element outside the tape");
        element = json_next(doc, element);
    }
    if (t->count > 0 && (uint32_t)element != t->next)
        fail("the elements of an array do not end at its next index");
}

static void check_tape(const json_doc *doc)
{
    if (doc->ntokens == 0 || doc->tokens[0].next != doc->ntokens)
        fail("the root value does not span the tape");
    for (size_t i = 0; i < doc->ntokens; i++) {
        const json_token *t = &doc->tokens[i];
        if (t->next <= i || t->next > doc->ntokens)
            fail("next index out of order");
        if ((size_t)t->start + t->len > doc->text_len)
            fail("token span past the text");
        switch (json_type_of(doc, (int)i)) {
        case IH_JSON_OBJECT:
            check_object(doc, (int)i);
            break;
        case IH_JSON_ARRAY:
            check_array(doc, (int)i);
            break;
        case IH_JSON_NUMBER:
            check_number(doc, (int)i);
            break;
        case IH_JSON_STRING: {
            size_t cap = t->len + 4;
            char *buf = malloc(cap);
            if (!buf)
                fail("out of memory");
            check_string(doc, (int)i, buf, cap);
            free(buf);
            break;
        }
        default:
            if (t->next != i + 1)
                fail("a literal has children");
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_doc doc; /* reused, as readers reuse theirs */
    json_error err;

    memset(&err, 0, sizeof(err));
    if (json_parse(&doc, (const char *)data, size, &err) != 0) {
        if (err.offset > size)
            fail("error offset past the input");
        if (err.reason[0] == '\0' || !memchr(err.reason, '\0', sizeof(err.reason)))
            fail("error without a reason");
        return 0;
    }
    check_tape(&doc);

    /* Lookups by paths made of the input's own bytes must not read out of bounds. */
    char path[64];
    size_t n = size < sizeof(path) - 1 ? size : sizeof(path) - 1;
    memcpy(path, data, n);
    path[n] = '\0';
    json_get_path(&doc, 0, path);
    json_get(&doc, 0, path);
    return 0;
}
