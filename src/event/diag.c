#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ih_diag_init(ih_diag *d, bool strict)
{
    memset(d, 0, sizeof(*d));
    d->strict = strict;
}

static void free_counters(ih_counter *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].source);
        free(c[i].name);
    }
    free(c);
}

void ih_diag_free(ih_diag *d)
{
    for (size_t i = 0; i < d->nmsgs; i++) {
        free(d->msgs[i].file);
        free(d->msgs[i].text);
    }
    free_counters(d->read, d->nread);
    free_counters(d->events, d->nevents);
    free_counters(d->skipped, d->nskipped);
    free_counters(d->used, d->nused);
    memset(d, 0, sizeof(*d));
}

/* Adds n to the counter (source, name), creating it. Allocation failure loses the count only. */
static void bump(ih_counter **list, size_t *n, const char *source, const char *name, uint64_t by)
{
    for (size_t i = 0; i < *n; i++) {
        ih_counter *c = &(*list)[i];
        if (strcmp(c->name, name) == 0 && strcmp(c->source, source) == 0) {
            c->count += by;
            return;
        }
    }
    ih_counter *grown = realloc(*list, (*n + 1) * sizeof(**list));
    if (!grown)
        return;
    *list = grown;
    ih_counter *c = &grown[*n];
    c->source = strdup(source);
    c->name = strdup(name);
    if (!c->source || !c->name) {
        free(c->source);
        free(c->name);
        return;
    }
    c->count = by;
    (*n)++;
}

/* Order of messages: input order, so output is the same for any thread count. */
static int msg_cmp(const ih_diag_msg *a, const ih_diag_msg *b)
{
    if (a->file_index != b->file_index)
        return a->file_index < b->file_index ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return strcmp(a->text, b->text);
}

/* Keeps msg if it is among the first IH_DIAG_KEEP in input order; takes ownership. */
static void keep_msg(ih_diag *d, ih_diag_msg msg)
{
    if (d->nmsgs < IH_DIAG_KEEP) {
        d->msgs[d->nmsgs++] = msg;
        return;
    }
    size_t last = 0;
    for (size_t i = 1; i < d->nmsgs; i++)
        if (msg_cmp(&d->msgs[i], &d->msgs[last]) > 0)
            last = i;
    if (msg_cmp(&msg, &d->msgs[last]) < 0) {
        free(d->msgs[last].file);
        free(d->msgs[last].text);
        d->msgs[last] = msg;
    } else {
        free(msg.file);
        free(msg.text);
    }
}

void ih_diag_bad(ih_diag *d, const ih_origin *o, uint32_t file_index, const char *reason,
                 const char *fmt, ...)
{
    char detail[512];
    va_list ap;

    d->errors++;
    if (d->strict)
        d->stop = true;
    bump(&d->skipped, &d->nskipped, o->format ? o->format : "input", reason, 1);

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);

    size_t n = strlen(reason) + strlen(detail) + 3;
    ih_diag_msg msg = {file_index, o->line, o->offset, strdup(o->file ? o->file : "-"),
                       malloc(n)};
    if (!msg.file || !msg.text) {
        free(msg.file);
        free(msg.text);
        return;
    }
    snprintf(msg.text, n, "%s%s%s", reason, detail[0] ? ": " : "", detail);
    keep_msg(d, msg);
}

void ih_diag_skip(ih_diag *d, const char *source, const char *reason)
{
    bump(&d->skipped, &d->nskipped, source, reason, 1);
}

void ih_diag_count_read(ih_diag *d, const char *source, uint64_t n)
{
    if (n)
        bump(&d->read, &d->nread, source, "records", n);
}

void ih_diag_count_event(ih_diag *d, const char *source, const char *kind, uint64_t n)
{
    if (n)
        bump(&d->events, &d->nevents, source, kind, n);
}

void ih_diag_count_used(ih_diag *d, const char *detector, uint64_t n)
{
    bump(&d->used, &d->nused, detector, "events", n);
}

static void merge_counters(ih_counter **dst, size_t *ndst, const ih_counter *src, size_t nsrc)
{
    for (size_t i = 0; i < nsrc; i++)
        bump(dst, ndst, src[i].source, src[i].name, src[i].count);
}

void ih_diag_merge(ih_diag *dst, const ih_diag *src)
{
    dst->errors += src->errors;
    dst->stop = dst->stop || src->stop;
    merge_counters(&dst->read, &dst->nread, src->read, src->nread);
    merge_counters(&dst->events, &dst->nevents, src->events, src->nevents);
    merge_counters(&dst->skipped, &dst->nskipped, src->skipped, src->nskipped);
    merge_counters(&dst->used, &dst->nused, src->used, src->nused);
    for (size_t i = 0; i < src->nmsgs; i++) {
        ih_diag_msg copy = src->msgs[i];
        copy.file = strdup(copy.file);
        copy.text = strdup(copy.text);
        if (!copy.file || !copy.text) {
            free(copy.file);
            free(copy.text);
            continue;
        }
        keep_msg(dst, copy);
    }
}

static int msg_qsort_cmp(const void *a, const void *b)
{
    return msg_cmp(a, b);
}

/*
 * Writes text with control characters as \xNN: C0, DEL, and C1 in UTF-8
 * (0xC2 0x80 to 0x9F), which terminals act on. A file name found in a
 * scanned folder may contain them.
 */
static void print_escaped(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    for (; *s; s++) {
        if (*s < 0x20 || *s == 0x7F) {
            fprintf(out, "\\x%02x", *s);
        } else if (*s == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
            fprintf(out, "\\u%04x", s[1]);
            s++;
        } else {
            fputc(*s, out);
        }
    }
}

void ih_diag_print_messages(const ih_diag *d, FILE *out)
{
    ih_diag_msg sorted[IH_DIAG_KEEP];

    memcpy(sorted, d->msgs, d->nmsgs * sizeof(sorted[0]));
    qsort(sorted, d->nmsgs, sizeof(sorted[0]), msg_qsort_cmp);
    for (size_t i = 0; i < d->nmsgs; i++) {
        const ih_diag_msg *m = &sorted[i];
        fputs("infrahunt: ", out);
        print_escaped(out, m->file);
        if (m->line)
            fprintf(out, ":%llu: ", (unsigned long long)m->line);
        else if (m->offset == IH_OFFSET_FILE)
            fputs(": ", out);
        else
            fprintf(out, ": byte %llu: ", (unsigned long long)m->offset);
        print_escaped(out, m->text);
        fputc('\n', out);
    }
    if (d->errors > d->nmsgs)
        fprintf(out, "infrahunt: ... and %llu more bad records (see --stats)\n",
                (unsigned long long)(d->errors - d->nmsgs));
}

static int counter_cmp(const void *a, const void *b)
{
    const ih_counter *x = a, *y = b;
    int c = strcmp(x->source, y->source);
    return c ? c : strcmp(x->name, y->name);
}

static void print_counters(FILE *out, const char *title, ih_counter *c, size_t n)
{
    if (n > 1)
        qsort(c, n, sizeof(*c), counter_cmp);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-8s %-24s %-40s %12llu\n", title, c[i].source, c[i].name,
                (unsigned long long)c[i].count);
}

void ih_diag_print_stats(const ih_diag *d, FILE *out)
{
    fprintf(out, "infrahunt: statistics\n");
    fprintf(out, "  %-8s %-24s %-40s %12s\n", "what", "source", "kind or reason", "count");
    print_counters(out, "read", d->read, d->nread);
    print_counters(out, "events", d->events, d->nevents);
    print_counters(out, "skipped", d->skipped, d->nskipped);
    print_counters(out, "used", d->used, d->nused);
}

uint64_t ih_diag_total_skipped(const ih_diag *d)
{
    uint64_t total = 0;
    for (size_t i = 0; i < d->nskipped; i++)
        total += d->skipped[i].count;
    return total;
}
