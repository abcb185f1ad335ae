/*
 * Fuzz harness of the EVTX reader: the input is a whole EVTX file (or the
 * start of one), read the way the framework reads it, through
 * ih_reader_evtx: split() and read_range() over the buffer as for a mapped
 * file, or open(), feed() and finish() as for a stream.
 *
 * The input's size picks the mode, so that mutations reach every mode
 * without a control byte that would shift the file's offsets:
 *   size % 4 == 0  jobs as a mapped file, one chunk per job
 *   size % 4 == 1  the same with --verify-checksums
 *   size % 4 == 2  a stream, fed in blocks of 1, 7, 4096 and 65536 bytes in turn
 *   size % 4 == 3  jobs as a mapped file with --strict
 */
#include "harness.h"

typedef struct range_list {
    size_t start[4096], end[4096];
    size_t count;
} range_list;

static int add_range(void *arg, size_t start, size_t end)
{
    range_list *l = arg;

    if (start >= end)
        harness_fail("split() made an empty job");
    if (l->count > 0 && start != l->end[l->count - 1])
        harness_fail("split() left a gap between jobs");
    if (l->count == sizeof(l->start) / sizeof(l->start[0]))
        return -1;
    l->start[l->count] = start;
    l->end[l->count] = end;
    l->count++;
    return 0;
}

static void read_as_mapped(const uint8_t *data, size_t size, ih_read_ctx *ctx,
                           const ih_input_options *opt)
{
    static range_list jobs;

    jobs.count = 0;
    ctx->origin.format = ih_reader_evtx.name;
    if (ih_reader_evtx.split(data, size, ctx, opt, add_range, &jobs) < 0)
        harness_fail("split() failed on a small input");
    for (size_t i = 0; i < jobs.count && !ctx->diag->stop; i++) {
        if (jobs.end[i] > size)
            harness_fail("split() made a job past the end of the file");
        int rc = ih_reader_evtx.read_range(data, size, jobs.start[i], jobs.end[i], ctx, opt);
        if (rc < 0 && !opt->strict)
            harness_fail("read_range() stopped without --strict");
        ih_read_ctx_flush(ctx);
    }
}

static void read_as_stream(const uint8_t *data, size_t size, ih_read_ctx *ctx,
                           const ih_input_options *opt)
{
    static const size_t blocks[] = {1, 7, 4096, 65536};
    void *state = ih_reader_evtx.open(ctx, opt);

    if (!state)
        harness_fail("open() failed");
    size_t at = 0;
    for (size_t i = 0; at < size; i++) {
        size_t n = blocks[i % 4] < size - at ? blocks[i % 4] : size - at;
        if (ih_reader_evtx.feed(state, data + at, n, ctx) < 0)
            harness_fail("feed() stopped without --strict");
        at += n;
    }
    if (ih_reader_evtx.finish(state, ctx) < 0)
        harness_fail("finish() stopped without --strict");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned mode = (unsigned)(size % 4);
    ih_input_options opt = {NULL, 1, mode == 3, 65536, mode == 1};
    ih_diag diag;
    ih_read_ctx ctx;

    ih_diag_init(&diag, opt.strict);
    ih_read_ctx_init(&ctx, &harness_sink, &diag);
    ctx.origin.file = "fuzz-input.evtx";
    if (mode == 2)
        read_as_stream(data, size, &ctx, &opt);
    else
        read_as_mapped(data, size, &ctx, &opt);
    ih_read_ctx_free(&ctx);

    if (diag.nmsgs > IH_DIAG_KEEP)
        harness_fail("more messages kept than IH_DIAG_KEEP");
    ih_diag_print_messages(&diag, harness_null());
    ih_diag_print_stats(&diag, harness_null());
    ih_diag_free(&diag);
    return 0;
}
