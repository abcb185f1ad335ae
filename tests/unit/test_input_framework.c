/*
 * Unit tests of the reading framework through ih_input_read(): files and
 * folders, gzip and zstd streams, line splitting, format detection, the
 * exit status for unreadable input, and parallel chunks of one file giving
 * the same events and messages as one thread.
 *
 * Every input is written into a fresh mkdtemp() folder under /tmp. Records
 * are Defender JSON lines, the smallest layout the readers accept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "../../src/event/timeutil.h"
#include "../../src/input/input.h"

#define MAX_WORKERS 4

/* An event as the test keeps it, copied because the sink's views die with the call. */
typedef struct seen_event {
    char file[256];
    uint64_t line, offset;
    ih_time time;
    char device[64];
    const char *format;
} seen_event;

typedef struct worker_sink {
    ih_sink sink; /* first, so the sink pointer is the worker_sink */
    seen_event *events;
    size_t count, cap;
} worker_sink;

typedef struct capture {
    worker_sink workers[MAX_WORKERS];
    bool made[MAX_WORKERS]; /* one flag per worker, so workers write no shared word */
} capture;

/* The outcome of one ih_input_read() call. */
typedef struct read_result {
    int status;
    seen_event *events; /* all workers' events, sorted by file and offset */
    size_t count;
    char *messages;     /* ih_diag_print_messages() output */
    ih_diag diag;
} read_result;

static char tmpdir[64];

static void keep_event(worker_sink *w, ih_time t, ih_str device, const ih_origin *o)
{
    if (w->count == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->events = realloc(w->events, w->cap * sizeof(*w->events));
        assert_non_null(w->events);
    }
    seen_event *e = &w->events[w->count++];
    memset(e, 0, sizeof(*e));
    snprintf(e->file, sizeof(e->file), "%s", o->file ? o->file : "");
    e->line = o->line;
    e->offset = o->offset;
    e->time = t;
    e->format = o->format;
    size_t n = device.len < sizeof(e->device) - 1 ? device.len : sizeof(e->device) - 1;
    if (n)
        memcpy(e->device, device.ptr, n);
}

static int on_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    keep_event((worker_sink *)s, c->time, c->device_name, o);
    return 0;
}

static int on_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    keep_event((worker_sink *)s, d->time, d->device_name, o);
    return 0;
}

static ih_sink *make_sink(void *arg, unsigned worker)
{
    capture *c = arg;
    if (worker >= MAX_WORKERS)
        return NULL;
    c->made[worker] = true;
    c->workers[worker].sink = (ih_sink){on_conn, on_dns, c};
    return &c->workers[worker].sink;
}

static int event_order(const void *pa, const void *pb)
{
    const seen_event *a = pa, *b = pb;
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Reads paths with the given options, and sorts the events when sort is true. */
static read_result read_with(char *const *paths, size_t n, const ih_input_options *opt, bool sort)
{
    read_result r;
    capture cap;
    memset(&r, 0, sizeof(r));
    memset(&cap, 0, sizeof(cap));
    ih_sink_factory factory = {make_sink, &cap};

    ih_diag_init(&r.diag, opt->strict);
    r.status = ih_input_read(paths, n, opt, &factory, &r.diag);

    for (unsigned w = 0; w < MAX_WORKERS; w++)
        r.count += cap.workers[w].count;
    r.events = calloc(r.count ? r.count : 1, sizeof(*r.events));
    assert_non_null(r.events);
    size_t k = 0;
    for (unsigned w = 0; w < MAX_WORKERS; w++) {
        if (cap.workers[w].count)
            memcpy(r.events + k, cap.workers[w].events, cap.workers[w].count * sizeof(seen_event));
        k += cap.workers[w].count;
        free(cap.workers[w].events);
    }
    if (sort)
        qsort(r.events, r.count, sizeof(*r.events), event_order);

    size_t len = 0;
    FILE *mem = open_memstream(&r.messages, &len);
    assert_non_null(mem);
    ih_diag_print_messages(&r.diag, mem);
    fclose(mem);
    return r;
}

static read_result read_one(const char *path, unsigned threads)
{
    ih_input_options opt = {NULL, threads, false, 0, false};
    char *paths[] = {(char *)path};
    return read_with(paths, 1, &opt, threads > 1);
}

static void result_free(read_result *r)
{
    free(r->events);
    free(r->messages);
    ih_diag_free(&r->diag);
}

static uint64_t skipped_count(const ih_diag *d, const char *reason)
{
    uint64_t n = 0;
    for (size_t i = 0; i < d->nskipped; i++)
        if (strcmp(d->skipped[i].name, reason) == 0)
            n += d->skipped[i].count;
    return n;
}

/* A Defender record for device host<n> at 13:00:<n % 60> on 2024-04-19. */
static int record(char *out, size_t cap, unsigned n)
{
    return snprintf(out, cap,
                    "{\"Timestamp\":\"2024-04-19T13:%02u:%02uZ\",\"DeviceName\":\"host%u\","
                    "\"ActionType\":\"ConnectionSuccess\",\"RemoteIP\":\"198.51.100.1\","
                    "\"RemotePort\":443}",
                    n / 60 % 60, n % 60, n);
}

static ih_time record_time(unsigned n)
{
    char iso[32];
    ih_time t;
    snprintf(iso, sizeof(iso), "2024-04-19T13:%02u:%02uZ", n / 60 % 60, n % 60);
    assert_int_equal(ih_time_parse_iso(iso, strlen(iso), &t), 0);
    return t;
}

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Text of records first..first+n-1, one a line, each ended by eol. */
static char *records_text(unsigned first, unsigned n, const char *eol)
{
    size_t cap = (size_t)n * 200 + 1;
    char *buf = malloc(cap);
    size_t len = 0;
    assert_non_null(buf);
    buf[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        len += (size_t)record(buf + len, cap - len, first + i);
        len += (size_t)snprintf(buf + len, cap - len, "%s", eol);
    }
    return buf;
}

static void write_gzip(const char *path, const char *text, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, text, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

static char *read_file_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ih-input-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Checks that r contains records first..first+n-1 of path at index at, on lines from line1. */
static void assert_records(const read_result *r, size_t at, const char *path, unsigned first,
                           unsigned n, uint64_t line1)
{
    assert_true(r->count >= at + n);
    for (unsigned i = 0; i < n; i++) {
        const seen_event *e = &r->events[at + i];
        char device[32];
        snprintf(device, sizeof(device), "host%u", first + i);
        assert_string_equal(e->file, path);
        assert_string_equal(e->device, device);
        assert_int_equal(e->time, record_time(first + i));
        assert_int_equal(e->line, line1 + i);
    }
}

static void test_plain_file(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "plain.jsonl");
    char *text = records_text(0, 3, "\n");
    write_bytes(path, text, strlen(text));

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 3);
    assert_records(&r, 0, path, 0, 3, 1);
    assert_int_equal(r.events[0].offset, 0);
    assert_int_equal(r.events[1].offset, strchr(text, '\n') - text + 1);
    assert_string_equal(r.events[0].format, "defender-json");
    assert_string_equal(r.messages, "");
    free(text);
    result_free(&r);
}

static void test_crlf_lines(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "crlf.jsonl");
    char *text = records_text(0, 2, "\r\n");
    char *all = malloc(strlen(text) + 32);
    assert_non_null(all);
    sprintf(all, "%s{bad\r\n", text);
    write_bytes(path, all, strlen(all));

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 2);
    assert_records(&r, 0, path, 0, 2, 1);
    /* The second line starts after the first line's "\r\n". */
    assert_int_equal(r.events[1].offset, strstr(all, "\r\n") - all + 2);
    char want[300];
    snprintf(want, sizeof(want), "infrahunt: %s:3: invalid JSON", path);
    assert_non_null(strstr(r.messages, want));
    free(text);
    free(all);
    result_free(&r);
}

static void test_last_line_without_newline(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "nonl.jsonl");
    char *text = records_text(0, 3, "\n");
    text[strlen(text) - 1] = '\0';
    write_bytes(path, text, strlen(text));

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 3);
    assert_records(&r, 0, path, 0, 3, 1);
    free(text);
    result_free(&r);
}

static void test_blank_lines_skipped(void **state)
{
    (void)state;
    char path[256], rec[256], text[1024];
    path_in(path, sizeof(path), "blank.jsonl");
    record(rec, sizeof(rec), 5);
    snprintf(text, sizeof(text), "\n\n%s\n\n", rec);
    write_bytes(path, text, strlen(text));

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 1);
    assert_records(&r, 0, path, 5, 1, 3);
    assert_int_equal(r.events[0].offset, 2);
    result_free(&r);
}

static void test_empty_file(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "empty.jsonl");
    write_bytes(path, "", 0);

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.diag.errors, 0);
    assert_int_equal(skipped_count(&r.diag, "empty file"), 1);
    assert_string_equal(r.messages, "");
    result_free(&r);
}

static void test_missing_file(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "does-not-exist.jsonl");

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 1);
    assert_int_equal(r.count, 0);
    assert_non_null(strstr(r.messages, path));
    assert_non_null(strstr(r.messages, "No such file"));
    result_free(&r);
}

static void test_folder_name_order(void **state)
{
    (void)state;
    char dir[200], sub[256], path[300];
    path_in(dir, sizeof(dir), "tree");
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    char hidden_dir[300];
    snprintf(hidden_dir, sizeof(hidden_dir), "%s/.git", dir);
    assert_int_equal(mkdir(hidden_dir, 0700), 0);

    /* Written out of order and read as B.jsonl, b.jsonl, c.jsonl, sub/a.jsonl (byte order
       of names). Hidden files and folders are left out. */
    static const struct {
        const char *name;
        unsigned first;
    } files[] = {{"sub/a.jsonl", 20}, {"c.jsonl", 10}, {"b.jsonl", 0},
                 {".hidden.jsonl", 90}, {".git/x.jsonl", 95}, {"B.jsonl", 30}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
        char *text = records_text(files[i].first, 2, "\n");
        write_bytes(path, text, strlen(text));
        free(text);
    }

    read_result r = read_one(dir, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 8);
    snprintf(path, sizeof(path), "%s/B.jsonl", dir);
    assert_records(&r, 0, path, 30, 2, 1);
    snprintf(path, sizeof(path), "%s/b.jsonl", dir);
    assert_records(&r, 2, path, 0, 2, 1);
    snprintf(path, sizeof(path), "%s/c.jsonl", dir);
    assert_records(&r, 4, path, 10, 2, 1);
    snprintf(path, sizeof(path), "%s/sub/a.jsonl", dir);
    assert_records(&r, 6, path, 20, 2, 1);
    result_free(&r);
}

static void test_paths_in_given_order(void **state)
{
    (void)state;
    char one[256], two[256];
    path_in(one, sizeof(one), "z-first.jsonl");
    path_in(two, sizeof(two), "a-second.jsonl");
    char *text = records_text(0, 1, "\n");
    write_bytes(one, text, strlen(text));
    free(text);
    text = records_text(1, 1, "\n");
    write_bytes(two, text, strlen(text));
    free(text);

    char *paths[] = {one, two};
    ih_input_options opt = {NULL, 1, false, 0, false};
    read_result r = read_with(paths, 2, &opt, false);
    assert_int_equal(r.count, 2);
    assert_string_equal(r.events[0].file, one);
    assert_string_equal(r.events[1].file, two);
    result_free(&r);
}

static void test_gzip(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "one.jsonl.gz");
    char *text = records_text(0, 50, "\n");
    write_gzip(path, text, strlen(text));

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 50);
    assert_records(&r, 0, path, 0, 50, 1);
    /* Offsets count decompressed bytes. */
    assert_int_equal(r.events[1].offset, strchr(text, '\n') - text + 1);
    free(text);
    result_free(&r);
}

static void test_gzip_concatenated_members(void **state)
{
    (void)state;
    char part1[256], part2[256], path[256];
    path_in(part1, sizeof(part1), "m1.gz.part");
    path_in(part2, sizeof(part2), "m2.gz.part");
    path_in(path, sizeof(path), "members.jsonl.gz");
    char *a = records_text(0, 3, "\n"), *b = records_text(3, 4, "\n");
    write_gzip(part1, a, strlen(a));
    write_gzip(part2, b, strlen(b));

    /* The same as `gzip -c a > f; gzip -c b >> f`. */
    size_t la, lb;
    char *ga = read_file_bytes(part1, &la), *gb = read_file_bytes(part2, &lb);
    char *both = malloc(la + lb);
    assert_non_null(both);
    memcpy(both, ga, la);
    memcpy(both + la, gb, lb);
    write_bytes(path, both, la + lb);

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 7);
    assert_records(&r, 0, path, 0, 7, 1);
    assert_string_equal(r.messages, "");
    free(a);
    free(b);
    free(ga);
    free(gb);
    free(both);
    result_free(&r);
}

static void test_zstd(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "one.jsonl.zst");
    char *text = records_text(0, 40, "\n");
    size_t len = strlen(text);
    size_t bound = ZSTD_compressBound(len);
    char *z = malloc(bound);
    assert_non_null(z);
    size_t zlen = ZSTD_compress(z, bound, text, len, 3);
    assert_false(ZSTD_isError(zlen));
    write_bytes(path, z, zlen);

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 40);
    assert_records(&r, 0, path, 0, 40, 1);
    free(text);
    free(z);
    result_free(&r);
}

static void test_truncated_gzip_reported(void **state)
{
    (void)state;
    char full[256], path[256];
    path_in(full, sizeof(full), "full.gz.part");
    path_in(path, sizeof(path), "cut.jsonl.gz");
    char *text = records_text(0, 200, "\n");
    write_gzip(full, text, strlen(text));
    size_t len;
    char *gz = read_file_bytes(full, &len);
    /* Drop the 8-byte trailer and the end of the deflate data. */
    write_bytes(path, gz, len - 20);

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.messages, path));
    assert_non_null(strstr(r.messages, "truncated gzip"));
    assert_true(r.diag.errors >= 1);
    free(text);
    free(gz);
    result_free(&r);
}

static void test_truncated_gzip_keeps_prefix(void **state)
{
    (void)state;
    char full[256], path[256];
    path_in(full, sizeof(full), "full2.gz.part");
    path_in(path, sizeof(path), "cut2.jsonl.gz");
    char *text = records_text(0, 200, "\n");
    write_gzip(full, text, strlen(text));
    free(text);
    size_t len;
    char *gz = read_file_bytes(full, &len);
    write_bytes(path, gz, len / 2);
    free(gz);

    /* Records decompressed before the cut are read, as `zcat` prints them. */
    read_result r = read_one(path, 1);
    int status = r.status;
    size_t count = r.count;
    bool first_ok = count > 0 && strcmp(r.events[0].device, "host0") == 0 && r.events[0].line == 1;
    result_free(&r);
    assert_int_equal(status, 1);
    assert_true(count > 0);
    assert_true(first_ok);
}

static void test_truncated_zstd_reported(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "cut.jsonl.zst");
    char *text = records_text(0, 200, "\n");
    size_t len = strlen(text);
    size_t bound = ZSTD_compressBound(len);
    char *z = malloc(bound);
    assert_non_null(z);
    size_t zlen = ZSTD_compress(z, bound, text, len, 3);
    assert_false(ZSTD_isError(zlen));
    write_bytes(path, z, zlen - 10);

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.messages, path));
    assert_non_null(strstr(r.messages, "zstd"));
    free(text);
    free(z);
    result_free(&r);
}

static void test_unknown_format_named(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "notes.txt");
    const char *text = "just some prose\nnothing a reader knows\n";
    write_bytes(path, text, strlen(text));

    read_result r = read_one(path, 1);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.messages, path));
    assert_non_null(strstr(r.messages, "unknown format"));
    result_free(&r);
}

static void test_unknown_format_in_folder(void **state)
{
    (void)state;
    char dir[256], path[300];
    path_in(dir, sizeof(dir), "mixed");
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(path, sizeof(path), "%s/README", dir);
    write_bytes(path, "prose\n", 6);
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    char *text = records_text(0, 2, "\n");
    write_bytes(path, text, strlen(text));
    free(text);

    /* A file found in a folder that no reader knows is counted, not an error. */
    read_result r = read_one(dir, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.diag.errors, 0);
    assert_int_equal(skipped_count(&r.diag, "file of unknown format in a folder"), 1);
    assert_string_equal(r.messages, "");
    result_free(&r);
}

static void test_format_forced(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "forced.log");
    char *text = records_text(0, 2, "\n");
    write_bytes(path, text, strlen(text));
    free(text);

    char *paths[] = {path};
    ih_input_options json = {"json", 1, false, 0, false};
    read_result r = read_with(paths, 1, &json, false);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 2);
    result_free(&r);

    /* Forcing the Zeek reader on JSON lines reads no events. */
    ih_input_options zeek = {"zeek-tsv", 1, false, 0, false};
    r = read_with(paths, 1, &zeek, false);
    assert_int_equal(r.count, 0);
    result_free(&r);
}

static void test_stdin(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "stdin.jsonl.gz");
    char *text = records_text(0, 5, "\n");
    write_gzip(path, text, strlen(text));
    free(text);

    /* Standard input is read as a stream, compressed or not, and named "-". */
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    assert_true(dup2(fileno(in), STDIN_FILENO) >= 0);
    fclose(in);
    read_result r = read_one("-", 1);
    assert_true(dup2(saved, STDIN_FILENO) >= 0);
    close(saved);

    assert_int_equal(r.status, 0);
    assert_int_equal(r.count, 5);
    assert_records(&r, 0, "-", 0, 5, 1);
    result_free(&r);
}

static void test_strict_stops(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "strict.jsonl");
    char *text = records_text(0, 2, "\n");
    char all[2048];
    snprintf(all, sizeof(all), "{bad\n%s", text);
    write_bytes(path, all, strlen(all));
    free(text);

    char *paths[] = {path};
    ih_input_options opt = {NULL, 1, true, 0, false};
    read_result r = read_with(paths, 1, &opt, false);
    assert_int_equal(r.status, -1);
    assert_true(r.diag.stop);
    assert_int_equal(r.count, 0);
    result_free(&r);
}

/* Writes a file of n records where every 97th line is invalid JSON. */
static char *write_chunky(const char *name, unsigned n, char *path, size_t cap)
{
    path_in(path, cap, name);
    size_t bufcap = (size_t)n * 200;
    char *buf = malloc(bufcap);
    size_t len = 0;
    assert_non_null(buf);
    for (unsigned i = 0; i < n; i++) {
        if (i % 97 == 50)
            len += (size_t)snprintf(buf + len, bufcap - len, "{\"broken\": [%u}\n", i);
        else
            len += (size_t)record(buf + len, bufcap - len, i);
        if (i % 97 != 50)
            buf[len++] = '\n';
    }
    write_bytes(path, buf, len);
    return buf;
}

static void test_chunks_match_one_thread(void **state)
{
    (void)state;
    char path[256];
    char *text = write_chunky("chunky.jsonl", 3000, path, sizeof(path));
    char *paths[] = {path};

    ih_input_options single = {NULL, 1, false, 0, false};
    ih_input_options chunked = {NULL, 2, false, 4096, false};
    read_result one = read_with(paths, 1, &single, true);
    read_result two = read_with(paths, 1, &chunked, true);

    assert_int_equal(one.status, 0);
    assert_int_equal(two.status, 0);
    /* 3000 lines, 31 of them broken (i % 97 == 50 for i < 3000). */
    assert_int_equal(one.count, 3000 - 31);
    assert_int_equal(two.count, one.count);
    for (size_t i = 0; i < one.count; i++) {
        assert_int_equal(two.events[i].offset, one.events[i].offset);
        assert_int_equal(two.events[i].time, one.events[i].time);
        assert_string_equal(two.events[i].device, one.events[i].device);
    }
    /* The same first ten messages, with the same line numbers. */
    assert_string_equal(two.messages, one.messages);
    assert_non_null(strstr(one.messages, ":51: invalid JSON"));
    assert_non_null(strstr(one.messages, ":924: invalid JSON"));
    assert_int_equal(two.diag.errors, one.diag.errors);
    assert_int_equal(one.diag.errors, 31);
    free(text);
    result_free(&one);
    result_free(&two);
}

static void test_chunks_used_both_workers(void **state)
{
    (void)state;
    char path[256];
    char *text = write_chunky("chunky2.jsonl", 3000, path, sizeof(path));
    char *paths[] = {path};
    capture cap;
    memset(&cap, 0, sizeof(cap));
    ih_sink_factory factory = {make_sink, &cap};
    ih_diag diag;
    ih_diag_init(&diag, false);
    ih_input_options opt = {NULL, 2, false, 4096, false};

    assert_int_equal(ih_input_read(paths, 1, &opt, &factory, &diag), 0);
    /* Both workers made a sink, because 4 KiB chunks of a file of several hundred KiB
       make many jobs. */
    assert_true(cap.made[0]);
    assert_true(cap.made[1]);
    assert_false(cap.made[2]);
    size_t total = cap.workers[0].count + cap.workers[1].count;
    assert_int_equal(total, 3000 - 31);
    for (unsigned w = 0; w < MAX_WORKERS; w++)
        free(cap.workers[w].events);
    ih_diag_free(&diag);
    free(text);
}

static void test_messages_from_later_chunks_have_lines(void **state)
{
    (void)state;
    char path[256];
    path_in(path, sizeof(path), "late-bad.jsonl");
    /* 500 good records, then a bad one at line 501: far into a later chunk. */
    char *text = records_text(0, 500, "\n");
    size_t len = strlen(text);
    char *all = malloc(len + 16);
    assert_non_null(all);
    memcpy(all, text, len);
    memcpy(all + len, "[1,2]\n", 7);
    write_bytes(path, all, strlen(all));

    char *paths[] = {path};
    ih_input_options opt = {NULL, 2, false, 4096, false};
    read_result r = read_with(paths, 1, &opt, true);
    char want[300];
    snprintf(want, sizeof(want), "infrahunt: %s:501: not a JSON object", path);
    assert_non_null(strstr(r.messages, want));
    free(text);
    free(all);
    result_free(&r);
}

#define T(name) cmocka_unit_test(name)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_plain_file),
        T(test_crlf_lines),
        T(test_last_line_without_newline),
        T(test_blank_lines_skipped),
        T(test_empty_file),
        T(test_missing_file),
        T(test_folder_name_order),
        T(test_paths_in_given_order),
        T(test_gzip),
        T(test_gzip_concatenated_members),
        T(test_zstd),
        T(test_truncated_gzip_reported),
        T(test_truncated_gzip_keeps_prefix),
        T(test_truncated_zstd_reported),
        T(test_unknown_format_named),
        T(test_unknown_format_in_folder),
        T(test_format_forced),
        T(test_stdin),
        T(test_strict_stops),
        T(test_chunks_match_one_thread),
        T(test_chunks_used_both_workers),
        T(test_messages_from_later_chunks_have_lines),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
