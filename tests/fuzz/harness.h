/*
 * Shared parts of the fuzz harnesses: a sink that reads every field of every
 * event and checks the event model's invariants, and a driver that runs one
 * line reader over a buffer the way the reading framework does.
 *
 * Each line is copied into its own allocation of exactly its length, so that
 * AddressSanitizer reports a reader that reads past the end of a line (the
 * framework hands out lines inside a larger buffer, which would hide it).
 *
 * A violated invariant calls abort(), which libFuzzer and the replay driver
 * both report as a crash with the input that caused it.
 */
#ifndef IH_FUZZ_HARNESS_H
#define IH_FUZZ_HARNESS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/input/input.h"
#include "../../src/output/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void harness_fail(const char *invariant)
{
    fprintf(stderr, "fuzz harness: invariant violated: %s\n", invariant);
    abort();
}

/* The null device, where events and messages are written so the writers run too. */
static inline FILE *harness_null(void)
{
    static FILE *null_out;

    if (!null_out) {
        null_out = fopen("/dev/null", "w");
        if (!null_out)
            harness_fail("cannot open /dev/null");
    }
    return null_out;
}

/* Reads every byte of a string view. A known string has a pointer, an unknown one has length 0. */
static inline unsigned harness_touch(ih_str s)
{
    unsigned sum = 0;

    if (!s.ptr) {
        if (s.len != 0)
            harness_fail("unknown string with a length");
        return 0;
    }
    for (size_t i = 0; i < s.len; i++)
        sum = sum * 31 + (unsigned char)s.ptr[i];
    return sum;
}

static inline unsigned harness_touch_text(const char *s)
{
    return s ? harness_touch((ih_str){s, strlen(s)}) : 0;
}

static inline void harness_check_addr(const ih_addr *a)
{
    if (a->family != IH_AF_NONE && a->family != IH_AF_INET && a->family != IH_AF_INET6)
        harness_fail("address family");
}

static inline void harness_check_port(int32_t port)
{
    if (port < IH_UNKNOWN_PORT || port > 65535)
        harness_fail("port out of range");
}

static inline void harness_check_origin(const ih_origin *o)
{
    if (!o->file || !o->format)
        harness_fail("origin without file or format");
    harness_touch_text(o->file);
    harness_touch_text(o->format);
}

/* Sum of every byte read, kept so that the compiler cannot drop the reads. Workers share it. */
static _Atomic unsigned harness_sum;

static inline int harness_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    (void)s;
    harness_check_origin(o);
    unsigned sum = harness_touch(c->device_id) + harness_touch(c->device_name) +
                   harness_touch(c->process_name) + harness_touch(c->process_path) +
                   harness_touch(c->user) + harness_touch(c->remote_ip_text) +
                   harness_touch(c->action_name) + harness_touch(c->remote_name);
    harness_check_addr(&c->local_addr);
    harness_check_addr(&c->remote_addr);
    harness_check_port(c->local_port);
    harness_check_port(c->remote_port);
    if (c->protocol > IH_PROTO_OTHER)
        harness_fail("protocol out of range");
    if (c->direction > IH_DIR_LOCAL)
        harness_fail("direction out of range");
    if (c->action > IH_ACTION_OTHER)
        harness_fail("action out of range");
    if (c->process_id < IH_UNKNOWN_PID)
        harness_fail("negative process id");
    output_conn_json(harness_null(), c, o);
    atomic_fetch_add_explicit(&harness_sum, sum, memory_order_relaxed);
    return 0;
}

static inline int harness_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    (void)s;
    harness_check_origin(o);
    unsigned sum = harness_touch(d->device_id) + harness_touch(d->device_name) +
                   harness_touch(d->process_name) + harness_touch(d->process_path) +
                   harness_touch(d->user) + harness_touch(d->query_name) +
                   harness_touch(d->query_type_name) + harness_touch(d->rcode_name);
    harness_check_addr(&d->client_addr);
    harness_check_addr(&d->server_addr);
    if (d->answer_count > IH_DNS_MAX_ANSWERS)
        harness_fail("answer count above IH_DNS_MAX_ANSWERS");
    if (d->answers_dropped > 0 && d->answer_count != IH_DNS_MAX_ANSWERS)
        harness_fail("answers dropped before the array is full");
    for (size_t i = 0; i < d->answer_count; i++) {
        const ih_dns_answer *a = &d->answers[i];
        if (a->kind < IH_ANSWER_ADDR || a->kind > IH_ANSWER_OTHER)
            harness_fail("answer kind out of range");
        if (a->kind == IH_ANSWER_ADDR && a->addr.family == IH_AF_NONE)
            harness_fail("address answer without an address");
        harness_check_addr(&a->addr);
        sum += harness_touch(a->text);
    }
    output_dns_json(harness_null(), d, o);
    atomic_fetch_add_explicit(&harness_sum, sum, memory_order_relaxed);
    return 0;
}

static ih_sink harness_sink = {harness_conn, harness_dns, NULL};

/*
 * Runs reader over data as the framework would: split at '\n', a trailing
 * '\r' removed, a last line without '\n' still read.
 */
static inline void harness_run_line_reader(const ih_line_reader *reader, const uint8_t *data, size_t size)
{
    ih_diag diag;
    ih_read_ctx ctx;

    ih_diag_init(&diag, false);
    ih_read_ctx_init(&ctx, &harness_sink, &diag);
    ctx.origin.file = "fuzz-input";
    ctx.origin.format = reader->name;
    void *state = reader->open(&ctx);
    if (!state)
        harness_fail("reader open() failed");

    size_t start = 0;
    uint64_t line = 0;
    while (start < size) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size;
        size_t len = end - start;
        if (len > 0 && data[start + len - 1] == '\r')
            len--;

        char *copy = malloc(len ? len : 1);
        if (!copy)
            harness_fail("out of memory");
        memcpy(copy, data + start, len);
        ctx.origin.line = ++line;
        ctx.origin.offset = start;
        ctx.origin.format = reader->name;
        ih_read_reset(&ctx);
        int rc = reader->line(state, copy, len, &ctx);
        free(copy);
        /* The sink never requests a stop, and these inputs are far below every size limit. */
        if (rc < -1 || rc > 1)
            harness_fail("line() returned a status other than -1, 0 or 1");
        if (rc < 0)
            harness_fail("line() asked to stop without a reason");
        start = end + 1;
    }
    reader->close(state, &ctx);
    ih_read_ctx_free(&ctx);
    ih_diag_print_messages(&diag, harness_null());
    ih_diag_print_stats(&diag, harness_null());
    ih_diag_free(&diag);
}

#endif
