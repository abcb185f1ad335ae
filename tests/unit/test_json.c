/*
 * Unit tests of the JSON scanner, with jansson as an independent oracle.
 * Valid documents must be accepted by both and decode to the same values.
 * Malformed documents must be rejected by both, and the scanner must report
 * the offset of the bad byte. A seeded random differential compares accept
 * and reject on mutated documents.
 *
 * jansson is called with JSON_DECODE_ANY, so that a scalar is a document, and
 * JSON_ALLOW_NUL, because RFC 8259 allows "\u0000" and jansson rejects it
 * otherwise. Where jansson 2.14 and RFC 8259 disagree, the scanner follows
 * the RFC, and the tests allow for jansson's behaviour:
 *   - numbers that do not fit an int64 or a double (99999999999999999999,
 *     1e400) are valid JSON, but jansson rejects them as numeric overflow;
 *   - jansson rejects "\u0000" in an object key even with JSON_ALLOW_NUL;
 *   - jansson ignores a NUL byte right after a number or a literal, so it
 *     accepts "3\0" and "true\0 ", which are invalid JSON;
 *   - jansson nests up to 2048 levels and the scanner up to JSON_MAX_DEPTH,
 *     a limit that RFC 8259 section 9 allows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/*
 * jansson's header declares a json_type and a json_string(), as json.h does,
 * so it is read with those two names moved aside.
 */
#define json_type jansson_type
#define json_string jansson_string_new
#include <jansson.h>
#undef json_type
#undef json_string

#include "../../src/input/json.h"

/* ---- Oracle helpers ---- */

static json_t *jansson_parse(const char *text, size_t len, json_error_t *err)
{
    return json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, err);
}

/* True when jansson rejected a valid number only because its types cannot hold it. */
static bool jansson_overflow(const json_error_t *err)
{
    return json_error_code(err) == json_error_numeric_overflow;
}

/* True when jansson rejected valid JSON for a limit of its own: a number or a key with NUL. */
static bool jansson_limit(const json_error_t *err)
{
    return jansson_overflow(err) || json_error_code(err) == json_error_null_byte_in_key;
}

/* Writes text with non-printable bytes escaped, so a failing input can be pasted back. */
static void print_escaped(const char *label, const char *text, size_t len)
{
    fprintf(stderr, "%s (%zu bytes): \"", label, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\')
            fprintf(stderr, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x\"\"", c);
    }
    fprintf(stderr, "\"\n");
}

/* True when the object member with key token key is the last member of that name. */
static bool last_of_its_name(const json_doc *doc, int obj, int key)
{
    char a[4096], b[4096];
    ih_str name = json_string(doc, key, a, sizeof(a));
    int k = json_first_child(doc, obj);

    assert_non_null(name.ptr);
    for (uint32_t i = 0; i < doc->tokens[obj].count; i++) {
        if (k > key) {
            ih_str other = json_string(doc, k, b, sizeof(b));
            if (other.ptr && other.len == name.len && memcmp(other.ptr, name.ptr, name.len) == 0)
                return false;
        }
        k = json_next(doc, k + 1);
    }
    return true;
}

static void compare_value(const json_doc *doc, int tok, const json_t *j);

static void compare_string(const json_doc *doc, int tok, const json_t *j)
{
    assert_int_equal(json_typeof(j), JSON_STRING);
    size_t cap = doc->tokens[tok].len + 4;
    char *buf = malloc(cap);
    assert_non_null(buf);
    ih_str s = json_string(doc, tok, buf, cap);
    assert_non_null(s.ptr);
    assert_int_equal(s.len, json_string_length(j));
    assert_memory_equal(s.ptr, json_string_value(j), s.len);
    free(buf);
}

static void compare_number(const json_doc *doc, int tok, const json_t *j)
{
    int64_t v = 0;
    int rc = json_int64(doc, tok, &v);

    if (json_typeof(j) == JSON_INTEGER) {
        assert_int_equal(rc, 0);
        assert_true(v == (int64_t)json_integer_value(j));
        return;
    }
    assert_int_equal(json_typeof(j), JSON_REAL);
    assert_int_equal(rc, -1); /* a fraction or an exponent is never an integer */
    ih_str raw = json_raw(doc, tok);
    char text[512];
    assert_true(raw.len < sizeof(text));
    memcpy(text, raw.ptr, raw.len);
    text[raw.len] = '\0';
    assert_true(strtod(text, NULL) == json_real_value(j));
}

static void compare_object(const json_doc *doc, int tok, const json_t *j)
{
    assert_int_equal(json_typeof(j), JSON_OBJECT);
    int key = json_first_child(doc, tok);
    size_t unique = 0;

    for (uint32_t i = 0; i < doc->tokens[tok].count; i++) {
        assert_int_equal(json_type_of(doc, key), IH_JSON_STRING);
        int value = key + 1;
        /* jansson keeps the last of duplicate keys, so compare only that one. */
        if (last_of_its_name(doc, tok, key)) {
            size_t cap = doc->tokens[key].len + 4;
            char *buf = malloc(cap);
            assert_non_null(buf);
            ih_str name = json_string(doc, key, buf, cap);
            assert_non_null(name.ptr);
            const json_t *member = json_object_getn(j, name.ptr, name.len);
            assert_non_null(member);
            compare_value(doc, value, member);
            free(buf);
            unique++;
        }
        key = json_next(doc, value);
    }
    assert_int_equal(unique, json_object_size(j));
}

static void compare_array(const json_doc *doc, int tok, const json_t *j)
{
    assert_int_equal(json_typeof(j), JSON_ARRAY);
    assert_int_equal(doc->tokens[tok].count, json_array_size(j));
    int element = json_first_child(doc, tok);
    for (uint32_t i = 0; i < doc->tokens[tok].count; i++) {
        compare_value(doc, element, json_array_get(j, i));
        element = json_next(doc, element);
    }
}

/* Checks that token tok and everything under it decodes as jansson's value j. */
static void compare_value(const json_doc *doc, int tok, const json_t *j)
{
    switch (json_type_of(doc, tok)) {
    case IH_JSON_NULL:
        assert_int_equal(json_typeof(j), JSON_NULL);
        break;
    case IH_JSON_FALSE:
        assert_int_equal(json_typeof(j), JSON_FALSE);
        break;
    case IH_JSON_TRUE:
        assert_int_equal(json_typeof(j), JSON_TRUE);
        break;
    case IH_JSON_NUMBER:
        compare_number(doc, tok, j);
        break;
    case IH_JSON_STRING:
        compare_string(doc, tok, j);
        break;
    case IH_JSON_ARRAY:
        compare_array(doc, tok, j);
        break;
    case IH_JSON_OBJECT:
        compare_object(doc, tok, j);
        break;
    }
}

/* ---- (a) Valid documents ---- */

static const char *const valid_documents[] = {
    "null",
    "true",
    "false",
    "0",
    "-0",
    "42",
    "-17",
    "9223372036854775807",
    "-9223372036854775808",
    "3.25",
    "-0.5",
    "1e3",
    "1E+3",
    "2.5e-3",
    "-1.0E-2",
    "0e0",
    "1.7976931348623157e308",
    "\"\"",
    "\"plain text\"",
    "[]",
    "{}",
    "[ ]",
    "{ }",
    " \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n",
    "[[[[]]]]",
    "[{}, [], {\"a\": []}]",
    "[null, true, false, 0, \"x\", [], {}]",
    "{\"a\": 1, \"b\": [2, 3], \"c\": {\"d\": null}}",
    /* Escapes */
    "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
    "\"\\u0041\\u00e9\\u20AC\"",
    "\"\\u0000 inside\"",
    "\"\\uD83D\\uDE00 is U+1F600\"",
    "\"\\uDBFF\\uDFFF is U+10FFFF\"",
    "\"\\ud800\\udc00 is U+10000\"",
    "{\"\\u006bey\": \"value\"}",
    /* UTF-8 of 2, 3 and 4 bytes, and the boundaries of each length */
    "\"caf\xc3\xa9\"",
    "\"\xc2\x80 \xdf\xbf\"",
    "\"\xe2\x82\xac \xe0\xa0\x80 \xef\xbf\xbf \xed\x9f\xbf \xee\x80\x80\"",
    "\"\xf0\x9f\x98\x80 \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\"",
    "{\"\xe5\x90\x8d\": \"\xe5\x80\xbc\"}",
    /* A Defender record as advanced hunting exports it */
    "{\"Timestamp\":\"2024-05-01T10:23:45.1234567Z\",\"DeviceId\":\"a1b2\","
    "\"DeviceName\":\"ws-017.corp.example\",\"ActionType\":\"ConnectionSuccess\","
    "\"RemoteIP\":\"203.0.113.7\",\"RemotePort\":443,\"RemoteUrl\":\"\","
    "\"InitiatingProcessFileName\":\"powershell.exe\",\"InitiatingProcessId\":5172,"
    "\"InitiatingProcessFolderPath\":\"c:\\\\windows\\\\system32\"}",
    /* Integers that Sysmon writes as strings */
    "{\"ProcessId\": \"5172\", \"DestinationPort\": \"443\"}",
};

static void scanner_accepts_valid_documents(void **state)
{
    (void)state;
    json_doc doc;
    json_doc_init(&doc);

    for (size_t i = 0; i < sizeof(valid_documents) / sizeof(valid_documents[0]); i++) {
        const char *text = valid_documents[i];
        json_error err = {0};
        json_error_t jerr;
        json_t *j = jansson_parse(text, strlen(text), &jerr);

        if (!j)
            fprintf(stderr, "jansson rejects valid document %zu: %s\n", i, jerr.text);
        assert_non_null(j);
        if (json_parse(&doc, text, strlen(text), &err) != 0)
            fprintf(stderr, "scanner rejects valid document %zu at byte %zu: %s\n", i,
                    err.offset, err.reason);
        assert_int_equal(json_parse(&doc, text, strlen(text), &err), 0);
        compare_value(&doc, 0, j);
        assert_int_equal(doc.tokens[0].next, doc.ntokens);
        json_decref(j);
    }
    json_doc_free(&doc);
}

/* Sysmon writes numbers as strings, so json_int64() reads a string of digits too. */
static void int64_reads_numbers_and_digit_strings(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        int64_t value;
    } cases[] = {
        {"0", 0, 0},
        {"-0", 0, 0},
        {"9223372036854775807", 0, INT64_MAX},
        {"-9223372036854775808", 0, INT64_MIN},
        {"\"5172\"", 0, 5172},
        {"\"-3\"", 0, -3},
        {"9223372036854775808", -1, 0},
        {"-9223372036854775809", -1, 0},
        {"99999999999999999999", -1, 0},
        {"1.0", -1, 0},
        {"1e2", -1, 0},
        {"\"\"", -1, 0},
        {"\"-\"", -1, 0},
        {"\"12a\"", -1, 0},
        {"\" 1\"", -1, 0},
        {"\"\\u0031\"", -1, 0}, /* an escaped string is not read as a number */
        {"true", -1, 0},
        {"null", -1, 0},
        {"[1]", -1, 0},
    };
    json_doc doc;
    json_doc_init(&doc);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error err;
        int64_t v = 12345;
        assert_int_equal(json_parse(&doc, cases[i].text, strlen(cases[i].text), &err), 0);
        assert_int_equal(json_int64(&doc, 0, &v), cases[i].rc);
        if (cases[i].rc == 0)
            assert_true(v == cases[i].value);
        else
            assert_true(v == 12345); /* untouched on failure */
    }
    json_doc_free(&doc);
}

static void lookups_find_members(void **state)
{
    (void)state;
    static const char text[] = "{\"a\": 1, \"event_data\": {\"DestinationIp\": \"198.51.100.2\","
                               " \"k\\u0065y\": true}, \"a\": 2, \"list\": [1, {\"x\": 3}]}";
    json_doc doc;
    json_error err;

    json_doc_init(&doc);
    assert_int_equal(json_parse(&doc, text, sizeof(text) - 1, &err), 0);

    /* The first of duplicate keys wins. */
    int a = json_get(&doc, 0, "a");
    assert_true(a > 0);
    assert_memory_equal(json_raw(&doc, a).ptr, "1", 1);

    int ip = json_get_path(&doc, 0, "event_data.DestinationIp");
    assert_true(ip > 0);
    ih_str s = json_raw(&doc, ip);
    assert_int_equal(s.len, 12);
    assert_memory_equal(s.ptr, "198.51.100.2", 12);

    /* A key written with an escape matches its unescaped name. */
    int key = json_get_path(&doc, 0, "event_data.key");
    assert_true(key > 0);
    assert_int_equal(json_type_of(&doc, key), IH_JSON_TRUE);

    assert_int_equal(json_get(&doc, 0, "missing"), -1);
    assert_int_equal(json_get_path(&doc, 0, "event_data.missing"), -1);
    assert_int_equal(json_get_path(&doc, 0, "a.b"), -1); /* a is no object */
    assert_int_equal(json_get(&doc, a, "x"), -1);
    assert_int_equal(json_get(&doc, -1, "a"), -1);
    assert_int_equal(json_get_n(&doc, 0, "listing", 4), json_get(&doc, 0, "list"));

    /* Iteration over an array skips the children of each element. */
    int list = json_get(&doc, 0, "list");
    int first = json_first_child(&doc, list);
    assert_int_equal(json_type_of(&doc, first), IH_JSON_NUMBER);
    int second = json_next(&doc, first);
    assert_int_equal(json_type_of(&doc, second), IH_JSON_OBJECT);
    assert_int_equal(json_next(&doc, second), (int)doc.ntokens);
    json_doc_free(&doc);
}

static void string_too_long_for_buffer(void **state)
{
    (void)state;
    static const char text[] = "\"a\\nb\\u00e9\"";
    json_doc doc;
    json_error err;
    char buf[16];

    json_doc_init(&doc);
    assert_int_equal(json_parse(&doc, text, sizeof(text) - 1, &err), 0);
    ih_str s = json_string(&doc, 0, buf, sizeof(buf));
    assert_non_null(s.ptr);
    assert_int_equal(s.len, 5);
    assert_memory_equal(s.ptr, "a\nb\xc3\xa9", 5);

    /* Too small: the view is unknown, not a cut string. */
    s = json_string(&doc, 0, buf, 3);
    assert_null(s.ptr);

    /* An unescaped string is a view of the text and needs no buffer. */
    assert_int_equal(json_parse(&doc, "\"abc\"", 5, &err), 0);
    s = json_string(&doc, 0, NULL, 0);
    assert_non_null(s.ptr);
    assert_int_equal(s.len, 3);
    json_doc_free(&doc);
}

/* ---- (b) Malformed documents ---- */

typedef struct malformed {
    const char *name;
    const char *text;
    size_t len;    /* 0: strlen(text) */
    size_t offset; /* the byte the scanner must blame */
} malformed;

#define BAD(name, text, offset) {name, text, 0, offset}
#define BAD_N(name, text, offset) {name, text, sizeof(text) - 1, offset}

static const malformed malformed_documents[] = {
    /* Structure */
    BAD("trailing comma in array", "[1,]", 3),
    BAD("trailing comma in object", "{\"a\":1,}", 7),
    BAD("leading comma", "[,1]", 1),
    BAD("double comma", "[1,,2]", 3),
    BAD("missing comma", "[1 2]", 3),
    BAD("missing colon", "{\"a\" 1}", 5),
    BAD("missing value", "{\"a\":}", 5),
    BAD("number as key", "{1:2}", 1),
    BAD("bare word as key", "{a:1}", 1),
    BAD("single-quoted string", "['a']", 1),
    BAD("mismatched closer", "[1}", 2),
    BAD("closer only", "]", 0),
    BAD("unterminated array", "[1, 2", 5),
    BAD("unterminated object", "{\"a\": 1", 7),
    BAD("unterminated nested", "{\"a\": [1, {", 11),
    BAD("garbage after value", "{} x", 3),
    BAD("second value", "1 2", 2),
    BAD("two objects on one line", "{}{}", 2),
    BAD("empty input", "", 0),
    BAD("only white space", " \t\r\n", 4),
    BAD("vertical tab is not white space", "\v1", 0),
    BAD("byte order mark", "\xef\xbb\xbf{}", 0),
    BAD_N("NUL before the value", "\0" "1", 0),
    BAD_N("NUL after the value", "[1]\0", 3),
    /* Literals and bare words */
    BAD("bare word", "hello", 0),
    BAD("capitalized literal", "True", 0),
    BAD("truncated literal", "nul", 0),
    BAD("literal with suffix", "truex", 4),
    BAD("NaN", "NaN", 0),
    BAD("Infinity", "-Infinity", 0),
    /* Numbers */
    BAD("leading zero", "01", 0),
    BAD("negative leading zero", "-012", 0),
    BAD("plus sign", "+1", 0),
    BAD("lone minus", "-", 0),
    BAD("no digit after point", "1.", 0),
    BAD("no digit before point", ".5", 0),
    BAD("no digit in exponent", "1e", 0),
    BAD("sign only in exponent", "1e+", 0),
    BAD("hexadecimal", "0x1F", 1),
    BAD("two points", "1.2.3", 3),
    /* Strings */
    BAD("unterminated string", "\"abc", 0),
    BAD("unterminated string in object", "{\"a\": \"b}", 6),
    BAD("backslash at the end", "\"abc\\", 4),
    BAD("invalid escape", "\"a\\qb\"", 2),
    BAD("escaped single quote", "\"\\'\"", 1),
    BAD("short \\u escape", "\"\\u12\"", 1),
    BAD("non-hex \\u escape", "\"\\u12G4\"", 1),
    BAD("uppercase \\U escape", "\"\\U0041\"", 1),
    BAD("lone high surrogate", "\"\\uD800\"", 1),
    BAD("high surrogate then text", "\"\\uD83Dx\"", 1),
    BAD("high surrogate then BMP escape", "\"\\uD83D\\u0041\"", 1),
    BAD("two high surrogates", "\"\\uD83D\\uD83D\"", 1),
    BAD("lone low surrogate", "\"\\uDE00\"", 1),
    BAD("low surrogate first", "\"\\uDC00\\uD800\"", 1),
    BAD("raw tab in string", "\"a\tb\"", 2),
    BAD("raw newline in string", "\"a\nb\"", 2),
    BAD("raw control byte 0x1F", "\"\x1f\"", 1),
    BAD_N("NUL in string", "\"a\0b\"", 2),
    /* UTF-8 */
    BAD("continuation byte alone", "\"\x80\"", 1),
    BAD("overlong 2-byte NUL", "\"\xc0\x80\"", 1),
    BAD("overlong 2-byte slash", "\"\xc1\xaf\"", 1),
    BAD("overlong 3-byte", "\"\xe0\x80\xaf\"", 1),
    BAD("overlong 4-byte", "\"\xf0\x80\x80\xaf\"", 1),
    BAD("UTF-8 encoded surrogate", "\"\xed\xa0\x80\"", 1),
    BAD("above U+10FFFF", "\"\xf4\x90\x80\x80\"", 1),
    BAD("5-byte lead", "\"\xf8\x88\x80\x80\x80\"", 1),
    BAD("byte 0xFF", "\"\xff\"", 1),
    BAD("truncated 3-byte sequence", "\"\xe2\x82\"", 1),
    BAD("truncated 4-byte sequence at the end", "\"\xf0\x9f\x98", 1),
    BAD("invalid byte after a valid character", "\"\xc3\xa9\xc3\"", 3),
    BAD("non-ASCII outside a string", "[\xc3\xa9]", 1),
    /* Depth: jansson's own limit is 2048 levels */
    {"nesting beyond jansson's limit", NULL, 0, JSON_MAX_DEPTH},
};

/* Builds depth nested empty arrays, such as [[]] for 2. */
static char *deep_arrays(size_t depth, size_t *len)
{
    char *text = malloc(2 * depth);
    assert_non_null(text);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    *len = 2 * depth;
    return text;
}

static void scanner_rejects_malformed_documents(void **state)
{
    (void)state;
    json_doc doc;
    size_t n = sizeof(malformed_documents) / sizeof(malformed_documents[0]);

    assert_true(n >= 40);
    json_doc_init(&doc);
    for (size_t i = 0; i < n; i++) {
        const malformed *m = &malformed_documents[i];
        char *owned = NULL;
        const char *text = m->text;
        size_t len = m->len ? m->len : (text ? strlen(text) : 0);
        if (!text)
            text = owned = deep_arrays(2049, &len);

        json_error err = {0};
        json_error_t jerr;
        json_t *j = jansson_parse(text, len, &jerr);
        if (j)
            fprintf(stderr, "jansson accepts \"%s\"\n", m->name);
        assert_null(j);

        int rc = json_parse(&doc, text, len, &err);
        if (rc == 0 || err.offset != m->offset)
            fprintf(stderr, "\"%s\": rc %d, offset %zu (expected %zu): %s\n", m->name, rc,
                    err.offset, m->offset, err.reason);
        assert_int_equal(rc, -1);
        assert_int_equal(err.offset, m->offset);
        assert_true(err.reason[0] != '\0');
        free(owned);
    }
    json_doc_free(&doc);
}

/* The scanner's depth limit is lower than jansson's, which RFC 8259 section 9 allows. */
static void depth_limit_is_json_max_depth(void **state)
{
    (void)state;
    json_doc doc;
    json_error err;
    size_t len;

    json_doc_init(&doc);
    char *text = deep_arrays(JSON_MAX_DEPTH, &len);
    assert_int_equal(json_parse(&doc, text, len, &err), 0);
    assert_int_equal(doc.ntokens, JSON_MAX_DEPTH);
    free(text);

    text = deep_arrays(JSON_MAX_DEPTH + 1, &len);
    assert_int_equal(json_parse(&doc, text, len, &err), -1);
    assert_int_equal(err.offset, JSON_MAX_DEPTH);
    assert_non_null(strstr(err.reason, "nesting"));
    free(text);

    /* Objects count toward the same limit. */
    char obj[8 * (JSON_MAX_DEPTH + 1) + 8];
    size_t o = 0;
    for (int i = 0; i <= JSON_MAX_DEPTH; i++)
        o += (size_t)sprintf(obj + o, "{\"k\":");
    o += (size_t)sprintf(obj + o, "1");
    for (int i = 0; i <= JSON_MAX_DEPTH; i++)
        obj[o++] = '}';
    assert_int_equal(json_parse(&doc, obj, o, &err), -1);
    assert_int_equal(err.offset, 5 * JSON_MAX_DEPTH);
    json_doc_free(&doc);
}

/* Valid JSON that jansson rejects for its own limits: the scanner accepts it, as RFC 8259 allows. */
static void scanner_accepts_past_jansson_limits(void **state)
{
    (void)state;
    static const char *const texts[] = {"1e400", "-1e400", "99999999999999999999",
                                        "-9223372036854775809", "[123456789012345678901234]",
                                        "{\"\\u0000\": 1}", "{\"a\\u0000b\": 2}"};
    json_doc doc;

    json_doc_init(&doc);
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        json_error err;
        json_error_t jerr;
        assert_null(jansson_parse(texts[i], strlen(texts[i]), &jerr));
        assert_true(jansson_limit(&jerr));
        assert_int_equal(json_parse(&doc, texts[i], strlen(texts[i]), &err), 0);
    }

    /* A key holding U+0000 is found by its unescaped bytes. */
    int value = json_get_n(&doc, 0, "a\0b", 3);
    assert_true(value > 0);
    assert_memory_equal(json_raw(&doc, value).ptr, "2", 1);
    json_doc_free(&doc);
}

/* jansson ignores a NUL byte right after a number or a literal, which RFC 8259 does not allow. */
static void scanner_rejects_nul_jansson_ignores(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len, offset;
    } cases[] = {{"3\0", 2, 1}, {"-12.5\0 ", 7, 5}, {"true\0 ", 6, 4}};
    json_doc doc;

    json_doc_init(&doc);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error err;
        json_error_t jerr;
        json_t *j = jansson_parse(cases[i].text, cases[i].len, &jerr);
        assert_non_null(j);
        json_decref(j);
        assert_int_equal(json_parse(&doc, cases[i].text, cases[i].len, &err), -1);
        assert_int_equal(err.offset, cases[i].offset);
    }
    json_doc_free(&doc);
}

/* ---- (c) Random differential ---- */

/* Both can be set with -D to search longer or elsewhere. */
#ifndef DIFF_CASES
#define DIFF_CASES 20000
#endif
#ifndef DIFF_SEED
#define DIFF_SEED UINT64_C(0x1f2e3d4c5b6a7988)
#endif

typedef struct rng {
    uint64_t s;
} rng;

/* xorshift64*: small, fast and the same sequence on every platform. */
static uint64_t rng_next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * UINT64_C(2685821657736338717);
}

static unsigned rng_below(rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

static void put_bytes(buffer *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        b->data = realloc(b->data, cap);
        assert_non_null(b->data);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void put_text(buffer *b, const char *s)
{
    put_bytes(b, s, strlen(s));
}

static void put_space(rng *r, buffer *b)
{
    static const char *const spaces[] = {"", "", "", " ", "\t", "\n", "\r\n", "  "};
    put_text(b, spaces[rng_below(r, 8)]);
}

static void put_digits(rng *r, buffer *b, unsigned n, bool nonzero_first)
{
    for (unsigned i = 0; i < n; i++) {
        char c = (char)('0' + rng_below(r, 10));
        if (i == 0 && nonzero_first)
            c = (char)('1' + rng_below(r, 9));
        put_bytes(b, &c, 1);
    }
}

static void gen_number(rng *r, buffer *b)
{
    if (rng_below(r, 3) == 0)
        put_text(b, "-");
    if (rng_below(r, 4) == 0)
        put_text(b, "0");
    else /* up to 22 digits, so some overflow an int64 */
        put_digits(r, b, 1 + rng_below(r, rng_below(r, 4) == 0 ? 22 : 6), true);
    if (rng_below(r, 3) == 0) {
        put_text(b, ".");
        put_digits(r, b, 1 + rng_below(r, 8), false);
    }
    if (rng_below(r, 4) == 0) {
        static const char *const marks[] = {"e", "E", "e+", "e-", "E-"};
        put_text(b, marks[rng_below(r, 5)]);
        put_digits(r, b, 1 + rng_below(r, 3), false);
    }
}

static void put_utf8(buffer *b, unsigned cp)
{
    char out[4];
    size_t n;

    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    put_bytes(b, out, n);
}

/* A code point that is no surrogate, from one of the four UTF-8 lengths. */
static unsigned random_code_point(rng *r)
{
    switch (rng_below(r, 4)) {
    case 0:
        return 0x20 + rng_below(r, 0x5F);
    case 1:
        return 0x80 + rng_below(r, 0x780);
    case 2: {
        unsigned cp = 0x800 + rng_below(r, 0xF800);
        return cp >= 0xD800 && cp <= 0xDFFF ? cp - 0x800 : cp;
    }
    default:
        return 0x10000 + rng_below(r, 0x100000);
    }
}

/* Keys get "\u0000" rarely: jansson rejects it there, so such documents compare nothing. */
static void gen_string(rng *r, buffer *b, bool key)
{
    static const char *const escapes[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f",
                                          "\\n",  "\\r",  "\\t", "\\u0000"};
    unsigned n = rng_below(r, 12);

    put_text(b, "\"");
    for (unsigned i = 0; i < n; i++) {
        unsigned kind = rng_below(r, 10);
        char esc[16];
        if (kind < 4) {
            char c = (char)('a' + rng_below(r, 26));
            put_bytes(b, &c, 1);
        } else if (kind < 6) {
            put_utf8(b, random_code_point(r));
        } else if (kind < 8) {
            put_text(b, escapes[rng_below(r, key && rng_below(r, 8) ? 8 : 9)]);
        } else if (kind == 8) {
            unsigned cp = random_code_point(r) & 0xFFFF;
            if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0x41;
            snprintf(esc, sizeof(esc), rng_below(r, 2) ? "\\u%04x" : "\\u%04X", cp);
            put_text(b, esc);
        } else {
            unsigned cp = rng_below(r, 0x100000); /* U+10000 to U+10FFFF, less 0x10000 */
            snprintf(esc, sizeof(esc), "\\u%04X\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            put_text(b, esc);
        }
    }
    put_text(b, "\"");
}

static void gen_value(rng *r, buffer *b, unsigned depth)
{
    unsigned kind = rng_below(r, depth >= 6 ? 6 : 9);

    put_space(r, b);
    switch (kind) {
    case 0: put_text(b, "null"); break;
    case 1: put_text(b, "true"); break;
    case 2: put_text(b, "false"); break;
    case 3:
    case 4: gen_number(r, b); break;
    case 5: gen_string(r, b, false); break;
    case 6:
    case 7: {
        unsigned n = rng_below(r, 5);
        put_text(b, "[");
        for (unsigned i = 0; i < n; i++) {
            if (i)
                put_text(b, ",");
            gen_value(r, b, depth + 1);
        }
        put_space(r, b);
        put_text(b, "]");
        break;
    }
    default: {
        unsigned n = rng_below(r, 5);
        put_text(b, "{");
        for (unsigned i = 0; i < n; i++) {
            if (i)
                put_text(b, ",");
            put_space(r, b);
            gen_string(r, b, true);
            put_space(r, b);
            put_text(b, ":");
            gen_value(r, b, depth + 1);
        }
        put_space(r, b);
        put_text(b, "}");
        break;
    }
    }
    put_space(r, b);
}

/* Wraps a value in JSON_MAX_DEPTH - 2 to JSON_MAX_DEPTH + 2 arrays, around the scanner's limit. */
static void gen_deep(rng *r, buffer *b)
{
    unsigned depth = JSON_MAX_DEPTH - 2 + rng_below(r, 5);

    for (unsigned i = 0; i < depth; i++)
        put_text(b, "[");
    gen_value(r, b, 6);
    for (unsigned i = 0; i < depth; i++)
        put_text(b, "]");
}

/* Bytes that matter to a JSON parser, to mutate with. */
static char interesting_byte(rng *r)
{
    static const char bytes[] = "\"\\{}[],:-+.eE0123456789tfnu \t\r\n\x00\x01\x1f\x7f\x80\xbf\xc0"
                                "\xc2\xdf\xe0\xed\xef\xf0\xf4\xf5\xff/'abxDd";
    if (rng_below(r, 4) == 0)
        return (char)rng_below(r, 256);
    return bytes[rng_below(r, sizeof(bytes) - 1)];
}

static void mutate(rng *r, buffer *b)
{
    unsigned n = 1 + rng_below(r, 4);

    for (unsigned m = 0; m < n; m++) {
        size_t at = b->len ? rng_below(r, (unsigned)b->len + 1) : 0;
        char c = interesting_byte(r);
        switch (rng_below(r, 6)) {
        case 0: /* replace */
            if (at < b->len)
                b->data[at] = c;
            break;
        case 1: /* insert */
            put_bytes(b, &c, 1);
            memmove(b->data + at + 1, b->data + at, b->len - 1 - at);
            b->data[at] = c;
            break;
        case 2: /* delete */
            if (at < b->len) {
                memmove(b->data + at, b->data + at + 1, b->len - at - 1);
                b->len--;
            }
            break;
        case 3: /* truncate */
            b->len = at;
            break;
        case 4: { /* duplicate a short run */
            size_t run = 1 + rng_below(r, 6);
            if (at + run <= b->len) {
                char tmp[8];
                memcpy(tmp, b->data + at, run);
                put_bytes(b, tmp, run);
                memmove(b->data + at + run, b->data + at, b->len - run - at);
                memcpy(b->data + at, tmp, run);
            }
            break;
        }
        default: /* swap two bytes */
            if (at + 1 < b->len) {
                char t = b->data[at];
                b->data[at] = b->data[at + 1];
                b->data[at + 1] = t;
            }
            break;
        }
    }
}

typedef struct diff_counts {
    size_t accepted, rejected, jansson_limit, jansson_nul, deeper_than_limit, disagreements;
} diff_counts;

/* Runs both parsers on one input, and counts and prints any disagreement. */
static void differ_one(json_doc *doc, const buffer *b, diff_counts *counts)
{
    json_error err = {0};
    json_error_t jerr;
    json_t *j = jansson_parse(b->data, b->len, &jerr);
    int rc = json_parse(doc, b->data, b->len, &err);

    if (rc != 0)
        assert_true(err.offset <= b->len);
    if (j && rc == 0) {
        compare_value(doc, 0, j);
        counts->accepted++;
    } else if (!j && rc != 0) {
        counts->rejected++;
    } else if (!j && jansson_limit(&jerr)) {
        counts->jansson_limit++; /* valid JSON, see the file comment */
    } else if (j && err.offset < b->len && b->data[err.offset] == '\0') {
        counts->jansson_nul++; /* invalid JSON that jansson accepts, see the file comment */
    } else if (j && strstr(err.reason, "nesting deeper") != NULL) {
        counts->deeper_than_limit++;
    } else {
        counts->disagreements++;
        print_escaped(j ? "jansson accepts, scanner rejects" : "scanner accepts, jansson rejects",
                      b->data, b->len);
        if (j)
            fprintf(stderr, "    scanner: byte %zu: %s\n", err.offset, err.reason);
        else
            fprintf(stderr, "    jansson: %s\n", jerr.text);
    }
    json_decref(j);
}

static void random_differential_with_jansson(void **state)
{
    (void)state;
    rng r = {DIFF_SEED};
    buffer b = {0};
    json_doc doc;
    diff_counts counts = {0};

    json_doc_init(&doc);
    for (unsigned i = 0; i < DIFF_CASES; i++) {
        b.len = 0;
        if (rng_below(&r, 50) == 0)
            gen_deep(&r, &b);
        else
            gen_value(&r, &b, 0);
        /* A quarter stay valid, so the accepting path is compared too. */
        if (rng_below(&r, 4) != 0)
            mutate(&r, &b);
        differ_one(&doc, &b, &counts);
    }
    fprintf(stderr,
            "differential: %zu cases, %zu both accept, %zu both reject, %zu past jansson's "
            "limits, %zu NUL bytes jansson ignores, %zu past the depth limit, %zu disagreements\n",
            (size_t)DIFF_CASES, counts.accepted, counts.rejected, counts.jansson_limit,
            counts.jansson_nul, counts.deeper_than_limit, counts.disagreements);
    assert_int_equal(counts.disagreements, 0);
    /* The generator must exercise both outcomes for the comparison to mean anything. */
    assert_true(counts.accepted > DIFF_CASES / 5);
    assert_true(counts.rejected > DIFF_CASES / 5);
    free(b.data);
    json_doc_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scanner_accepts_valid_documents),
        cmocka_unit_test(int64_reads_numbers_and_digit_strings),
        cmocka_unit_test(lookups_find_members),
        cmocka_unit_test(string_too_long_for_buffer),
        cmocka_unit_test(scanner_rejects_malformed_documents),
        cmocka_unit_test(depth_limit_is_json_max_depth),
        cmocka_unit_test(scanner_accepts_past_jansson_limits),
        cmocka_unit_test(scanner_rejects_nul_jansson_ignores),
        cmocka_unit_test(random_differential_with_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
