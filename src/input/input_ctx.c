/* The reader context: scratch memory, counters and error reporting for readers. */
#include "input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ih_read_ctx_init(ih_read_ctx *ctx, ih_sink *sink, ih_diag *diag)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->sink = sink;
    ctx->diag = diag;
    json_doc_init(&ctx->json);
}

void ih_read_ctx_free(ih_read_ctx *ctx)
{
    ih_read_ctx_flush(ctx);
    json_doc_free(&ctx->json);
    ih_read_reset(ctx);
    free(ctx->scratch);
    ctx->scratch = NULL;
}

void ih_read_ctx_flush(ih_read_ctx *ctx)
{
    for (size_t i = 0; i < ctx->ncounts; i++) {
        struct ih_read_count *c = &ctx->counts[i];
        ih_diag_count_read(ctx->diag, c->source, c->records);
        ih_diag_count_event(ctx->diag, c->source, "conn", c->conns);
        ih_diag_count_event(ctx->diag, c->source, "dns", c->dnss);
    }
    ctx->ncounts = 0;
}

static struct ih_read_count *count_slot(ih_read_ctx *ctx, const char *source)
{
    if (!source)
        source = "input";
    for (size_t i = 0; i < ctx->ncounts; i++)
        if (ctx->counts[i].source == source)
            return &ctx->counts[i];
    if (ctx->ncounts == sizeof(ctx->counts) / sizeof(ctx->counts[0]))
        ih_read_ctx_flush(ctx);
    struct ih_read_count *c = &ctx->counts[ctx->ncounts++];
    memset(c, 0, sizeof(*c));
    c->source = source;
    return c;
}

void ih_read_count_record(ih_read_ctx *ctx, const char *source)
{
    count_slot(ctx, source)->records++;
}

struct ih_scratch_block {
    struct ih_scratch_block *next;
    size_t cap, used;
    char data[];
};

void ih_read_reset(ih_read_ctx *ctx)
{
    struct ih_scratch_block *b = ctx->scratch;

    /* Keep the newest (largest) block for the next record and free the rest. */
    if (b) {
        struct ih_scratch_block *rest = b->next;
        while (rest) {
            struct ih_scratch_block *next = rest->next;
            free(rest);
            rest = next;
        }
        b->next = NULL;
        b->used = 0;
    }
    ctx->scratch_used = 0;
}

char *ih_read_alloc(ih_read_ctx *ctx, size_t n)
{
    const size_t limit = (size_t)IH_MAX_LINE * 2;

    if (n > limit || ctx->scratch_used > limit - n)
        return NULL;

    struct ih_scratch_block *b = ctx->scratch;
    if (!b || b->cap - b->used < n) {
        size_t cap = b ? b->cap * 2 : 4096;
        while (cap < n)
            cap *= 2;
        struct ih_scratch_block *nb = malloc(sizeof(*nb) + cap);
        if (!nb)
            return NULL;
        nb->next = b;
        nb->cap = cap;
        nb->used = 0;
        ctx->scratch = b = nb;
    }
    char *p = b->data + b->used;
    b->used += n;
    ctx->scratch_used += n;
    return p;
}

ih_str ih_read_json_string(ih_read_ctx *ctx, const json_doc *doc, int tok)
{
    if (tok < 0 || json_type_of(doc, tok) != IH_JSON_STRING)
        return IH_STR_NONE;
    if (!doc->tokens[tok].escaped)
        return json_raw(doc, tok);

    /* Unescaping never makes a string longer, but json_string() wants 4 bytes of slack. */
    size_t need = doc->tokens[tok].len + 4;
    char *buf = ih_read_alloc(ctx, need);
    if (!buf)
        return IH_STR_NONE;
    ih_str s = json_string(doc, tok, buf, need);
    /* Give back what the unescaped text did not use. */
    if (s.ptr) {
        ctx->scratch->used -= need - s.len;
        ctx->scratch_used -= need - s.len;
    }
    return s;
}

void ih_read_bad(ih_read_ctx *ctx, const char *reason, const char *fmt, ...)
{
    char detail[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    ih_diag_bad(ctx->diag, &ctx->origin, ctx->file_index, reason, "%s", detail);
}

void ih_read_skip(ih_read_ctx *ctx, const char *reason)
{
    ih_diag_skip(ctx->diag, ctx->origin.format ? ctx->origin.format : "input", reason);
}

int ih_read_emit_conn(ih_read_ctx *ctx, const ih_conn *c)
{
    count_slot(ctx, ctx->origin.format)->conns++;
    return ctx->sink->conn(ctx->sink, c, &ctx->origin);
}

int ih_read_emit_dns(ih_read_ctx *ctx, const ih_dns *d)
{
    count_slot(ctx, ctx->origin.format)->dnss++;
    return ctx->sink->dns(ctx->sink, d, &ctx->origin);
}
