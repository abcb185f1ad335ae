/*
 * A validating JSON scanner for JSON lines.
 *
 * json_parse() checks one complete JSON text against RFC 8259 (grammar,
 * number syntax, string escapes, UTF-8, nesting depth) and records it as a
 * flat tape of tokens in document order. Strings are not unescaped during the
 * parse; json_string() does it on demand for the few values a reader needs.
 *
 * Ownership: a json_doc owns its token array and reuses it across parses. The
 * tokens point into the caller's text, which must outlive every lookup.
 */
#ifndef IH_JSON_H
#define IH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"

/* Nesting deeper than this is rejected, which bounds recursion in readers. */
#define JSON_MAX_DEPTH 64

typedef enum json_type {
    IH_JSON_NULL = 0,
    IH_JSON_FALSE,
    IH_JSON_TRUE,
    IH_JSON_NUMBER,
    IH_JSON_STRING,
    IH_JSON_ARRAY,
    IH_JSON_OBJECT,
} json_type;

/*
 * One value, or one object key (keys are IH_JSON_STRING tokens that precede
 * their value). For a string the span excludes the quotes.
 */
typedef struct json_token {
    uint32_t start;  /* byte offset in the text */
    uint32_t len;    /* byte length */
    uint32_t next;   /* index of the token after this value and all its children */
    uint32_t count;  /* members of an object, elements of an array */
    uint8_t type;    /* json_type */
    uint8_t escaped; /* a string that contains a backslash escape */
} json_token;

typedef struct json_doc {
    const char *text;
    size_t text_len;
    json_token *tokens;
    size_t ntokens;
    size_t cap;
} json_doc;

typedef struct json_error {
    size_t offset;      /* byte offset of the problem in the text */
    char reason[96];    /* such as "invalid escape \\q in string" */
} json_error;

void json_doc_init(json_doc *doc);
void json_doc_free(json_doc *doc);

/*
 * Parses text[0..len) as exactly one JSON value surrounded by optional white
 * space. Returns 0 and fills doc, or -1 and fills err. Texts of 4 GiB or more
 * are rejected because offsets are 32-bit.
 */
int json_parse(json_doc *doc, const char *text, size_t len, json_error *err);

/* Index of the value of member key in object obj, or -1 if absent or obj is no object. */
int json_get(const json_doc *doc, int obj, const char *key);

/* Like json_get() for a key of known length. */
int json_get_n(const json_doc *doc, int obj, const char *key, size_t key_len);

/* Follows a path of keys separated by '.', such as "event_data.DestinationIp". */
int json_get_path(const json_doc *doc, int obj, const char *path);

static inline json_type json_type_of(const json_doc *doc, int tok)
{
    return (json_type)doc->tokens[tok].type;
}

/*
 * Returns the text of string token tok as a view. An escaped string is
 * unescaped into buf (capacity cap) and the view points there; a string that
 * does not fit returns a view with ptr == NULL. A \\u escape needs 4 free
 * bytes however few it writes, so a capacity of the raw length plus 4 always
 * suffices. Unescaped U+0000 is kept.
 */
ih_str json_string(const json_doc *doc, int tok, char *buf, size_t cap);

/* Raw bytes of any token: the digits of a number, the inside of a string. */
ih_str json_raw(const json_doc *doc, int tok);

/*
 * Reads an integer token, or a string holding one (Sysmon writes numbers as
 * strings). Returns 0 on success, -1 if the value is not an integer in range.
 */
int json_int64(const json_doc *doc, int tok, int64_t *out);

/*
 * Iteration: json_first_child() returns an array's first element, or an
 * object's first key (its value is the next token); json_next() steps over a
 * value and its children. For an object, the next key after key k is
 * json_next(doc, k + 1). Returns -1 for an empty container.
 */
int json_first_child(const json_doc *doc, int tok);
static inline int json_next(const json_doc *doc, int tok)
{
    return (int)doc->tokens[tok].next;
}

#endif
