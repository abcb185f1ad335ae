/*
 * The JSON lines reader: parses each line once and hands the document to the
 * first layout (Defender, Defender streaming, Sysmon, Zeek) that accepts it,
 * so one file may mix layouts.
 */
#include "input.h"

#include <stdlib.h>
#include <string.h>

static const ih_json_layout *const layouts[] = {
    &ih_layout_defender_stream,
    &ih_layout_defender,
    &ih_layout_sysmon,
    &ih_layout_zeek,
    &ih_layout_suricata,
};
#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

static const char json_source[] = "json";

typedef struct json_state {
    const ih_json_layout *last; /* the layout that took the previous record */
} json_state;

static size_t skip_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* JSON lines: the first non-blank line opens an object, or, when damage such
   as NUL padding precedes, a later line in the head does. */
static int json_probe(const char *head, size_t len)
{
    size_t i = skip_bom(head, len);

    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (i < len && head[i] == '{')
        return 60;
    for (const char *nl = memchr(head + i, '\n', len - i); nl && nl + 1 < head + len;
         nl = memchr(nl + 1, '\n', (size_t)(head + len - nl - 1)))
        if (nl[1] == '{' && nl + 2 < head + len && (nl[2] == '"' || nl[2] == ' ' || nl[2] == '}'))
            return 40;
    return 0;
}

static void *json_open(ih_read_ctx *ctx)
{
    (void)ctx;
    return calloc(1, sizeof(json_state));
}

static void json_close(void *state, ih_read_ctx *ctx)
{
    (void)ctx;
    free(state);
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Names the first keys of an object, for the message about an unknown record. */
static void describe_keys(const json_doc *doc, char *out, size_t cap)
{
    size_t o = 0;
    int k = json_first_child(doc, 0);

    out[0] = '\0';
    for (int i = 0; k >= 0 && i < 4 && (uint32_t)i < doc->tokens[0].count; i++) {
        ih_str key = json_raw(doc, k);
        int n = snprintf(out + o, cap - o, "%s\"%.*s\"", i ? ", " : "",
                         (int)(key.len > 40 ? 40 : key.len), key.ptr);
        if (n < 0 || (size_t)n >= cap - o)
            break;
        o += (size_t)n;
        k = json_next(doc, k + 1);
    }
}

static int json_line(void *state, const char *line, size_t len, ih_read_ctx *ctx)
{
    json_state *st = state;
    json_error err;

    if (ctx->origin.offset == 0) {
        size_t bom = skip_bom(line, len);
        line += bom;
        len -= bom;
    }
    if (blank(line, len))
        return 0;

    ctx->origin.format = json_source;
    if (json_parse(&ctx->json, line, len, &err) != 0) {
        ih_read_count_record(ctx, json_source);
        ih_read_bad(ctx, "invalid JSON", "byte %zu of the line: %s", err.offset + 1, err.reason);
        return 1;
    }
    if (json_type_of(&ctx->json, 0) != IH_JSON_OBJECT) {
        ih_read_count_record(ctx, json_source);
        ih_read_bad(ctx, "not a JSON object", "the line holds a JSON %s",
                    json_type_of(&ctx->json, 0) == IH_JSON_ARRAY ? "array" : "scalar");
        return 1;
    }

    if (st->last && st->last->match(&ctx->json, 0))
        return st->last->record(&ctx->json, 0, ctx);
    for (size_t i = 0; i < NLAYOUTS; i++) {
        if (layouts[i]->match(&ctx->json, 0)) {
            st->last = layouts[i];
            return layouts[i]->record(&ctx->json, 0, ctx);
        }
    }

    char keys[200];
    describe_keys(&ctx->json, keys, sizeof(keys));
    ih_read_count_record(ctx, json_source);
    ih_read_bad(ctx, "unrecognized JSON record",
                "no Defender, Sysmon or Zeek fields; first keys %s", keys);
    return 1;
}

const ih_line_reader ih_reader_json = {
    .name = "json",
    .probe = json_probe,
    .open = json_open,
    .line = json_line,
    .close = json_close,
    .independent_lines = true,
};
