/*
 * The reading framework: expands paths into inputs, detects compression and
 * format, splits large plain files into chunks at line boundaries (or, for
 * binary formats, where the reader says), and runs the readers on a pool of
 * worker threads.
 *
 * Work is cut into jobs (a whole stream, or one chunk of a mapped file).
 * Workers take jobs in input order from a shared counter; each worker owns
 * its diagnostics, reader context and sink, so nothing is locked per record.
 */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

const ih_line_reader *const ih_line_readers[] = {
    &ih_reader_zeek_tsv,
    &ih_reader_defender_csv,
    &ih_reader_suricata,
    &ih_reader_json,
    NULL,
};

const ih_line_reader *ih_reader_find(const char *name)
{
    for (size_t i = 0; ih_line_readers[i]; i++)
        if (strcmp(ih_line_readers[i]->name, name) == 0)
            return ih_line_readers[i];
    return NULL;
}

const ih_binary_reader *const ih_binary_readers[] = {
    &ih_reader_evtx,
    &ih_reader_pcap,
    NULL,
};

const ih_binary_reader *ih_binary_reader_find(const char *name)
{
    for (size_t i = 0; ih_binary_readers[i]; i++)
        if (strcmp(ih_binary_readers[i]->name, name) == 0)
            return ih_binary_readers[i];
    return NULL;
}

/* Bytes of a stream's start that format detection looks at. */
#define PROBE_BYTES 65536

enum compression { COMP_NONE, COMP_GZIP, COMP_ZSTD };

typedef struct input_file {
    char *path;
    bool from_folder;         /* found by walking a folder, not named by the user */
    const char *map;          /* mapped contents of a plain regular file, or NULL */
    size_t size;
    const ih_line_reader *reader; /* detected on the main thread for mapped files */
    const ih_binary_reader *binary; /* set instead of reader for a binary format */
    bool chunked;                   /* text split at newlines, so line numbers come later */
} input_file;

/* A file or folder already taken, so links cannot make anything read twice. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

typedef struct job {
    uint32_t file;
    size_t start, end; /* byte range of a chunk; whole stream when the file is not chunked */
} job;

typedef struct run {
    input_file *files;
    size_t nfiles, cap_files;
    job *jobs;
    size_t njobs, cap_jobs;
    const ih_input_options *opt;
    const ih_sink_factory *sinks;
    atomic_size_t next_job;
    atomic_bool stop;
    atomic_int unreadable;
    ih_diag *worker_diags;
    file_id *seen;
    size_t nseen, cap_seen;
    const ih_progress_sink *progress; /* NULL when no progress is shown */
} run;

/*
 * Passes the bytes just read, and the events counted in ctx since the last
 * call, to the progress sink. ctx's counts drop to zero when they are
 * flushed, and then events from before the flush may go unreported.
 */
static void report_progress(const run *r, ih_read_ctx *ctx, uint64_t bytes)
{
    if (!r->progress)
        return;
    uint64_t events = 0;
    for (size_t i = 0; i < ctx->ncounts; i++)
        events += ctx->counts[i].conns + ctx->counts[i].dnss;
    uint64_t new_events = events >= ctx->progress_events ? events - ctx->progress_events : events;
    ctx->progress_events = events;
    if (bytes || new_events)
        r->progress->add(r->progress->arg, bytes, new_events);
}

/* Returns true when st names something already taken; remembers it otherwise. */
static bool seen_before(run *r, const struct stat *st)
{
    for (size_t i = 0; i < r->nseen; i++)
        if (r->seen[i].dev == st->st_dev && r->seen[i].ino == st->st_ino)
            return true;
    if (r->nseen == r->cap_seen) {
        size_t cap = r->cap_seen ? r->cap_seen * 2 : 64;
        file_id *grown = realloc(r->seen, cap * sizeof(*grown));
        if (!grown)
            return false;
        r->seen = grown;
        r->cap_seen = cap;
    }
    r->seen[r->nseen++] = (file_id){st->st_dev, st->st_ino};
    return false;
}

static int add_file(run *r, const char *path, bool from_folder)
{
    if (r->nfiles == r->cap_files) {
        size_t cap = r->cap_files ? r->cap_files * 2 : 16;
        input_file *f = realloc(r->files, cap * sizeof(*f));
        if (!f)
            return -1;
        r->files = f;
        r->cap_files = cap;
    }
    input_file *f = &r->files[r->nfiles];
    memset(f, 0, sizeof(*f));
    f->path = strdup(path);
    if (!f->path)
        return -1;
    f->from_folder = from_folder;
    r->nfiles++;
    return 0;
}

static int add_job(run *r, uint32_t file, size_t start, size_t end)
{
    if (r->njobs == r->cap_jobs) {
        size_t cap = r->cap_jobs ? r->cap_jobs * 2 : 64;
        job *j = realloc(r->jobs, cap * sizeof(*j));
        if (!j)
            return -1;
        r->jobs = j;
        r->cap_jobs = cap;
    }
    r->jobs[r->njobs++] = (job){file, start, end};
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reports an input that cannot be read; counts it so the exit status shows it. */
static void unreadable(run *r, ih_diag *diag, const char *path, uint32_t index, const char *what,
                       int err)
{
    ih_origin o = {path, "input", 0, IH_OFFSET_FILE};
    ih_diag_bad(diag, &o, index, "unreadable input", "%s: %s", what, strerror(err));
    atomic_fetch_add(&r->unreadable, 1);
}

/* Adds path, walking folders depth first in byte order of names; hidden entries are left out. */
static int expand(run *r, ih_diag *diag, const char *path, bool from_folder, int depth)
{
    struct stat st;

    if (strcmp(path, "-") == 0)
        return add_file(r, path, false);
    if (stat(path, &st) != 0) {
        unreadable(r, diag, path, (uint32_t)r->nfiles, "cannot open", errno);
        return 0;
    }
    if (seen_before(r, &st)) {
        ih_diag_skip(diag, "input", S_ISDIR(st.st_mode) ? "folder already read (a link to it)"
                                                         : "file already read (named twice or linked)");
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        /* A pipe or device found in a folder could block forever; one named by the user
           is read, as `<(zcat log.gz)` is a pipe. */
        if (from_folder && !S_ISREG(st.st_mode)) {
            ih_diag_skip(diag, "input", "not a regular file in a folder");
            return 0;
        }
        return add_file(r, path, from_folder);
    }
    if (depth > 32) {
        unreadable(r, diag, path, (uint32_t)r->nfiles, "folder nesting too deep", ELOOP);
        return 0;
    }

    DIR *dir = opendir(path);
    if (!dir) {
        unreadable(r, diag, path, (uint32_t)r->nfiles, "cannot open folder", errno);
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **grown = realloc(names, cap * sizeof(*names));
            if (!grown) {
                rc = -1;
                break;
            }
            names = grown;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) {
            rc = -1;
            break;
        }
        snprintf(names[n], len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
                 e->d_name);
        n++;
    }
    closedir(dir);
    if (n > 1)
        qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = expand(r, diag, names[i], true, depth + 1);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static enum compression detect_compression(const unsigned char *head, size_t len)
{
    if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        return COMP_GZIP;
    if (len >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
        return COMP_ZSTD;
    return COMP_NONE;
}

/* Finds the binary reader for a stream that starts with head, or NULL for text. */
static const ih_binary_reader *detect_binary(const ih_input_options *opt, const char *head,
                                             size_t len)
{
    if (opt->format)
        return ih_binary_reader_find(opt->format);

    const ih_binary_reader *best = NULL;
    int best_score = 0;
    for (size_t i = 0; ih_binary_readers[i]; i++) {
        int score = ih_binary_readers[i]->probe((const unsigned char *)head, len);
        if (score > best_score) {
            best = ih_binary_readers[i];
            best_score = score;
        }
    }
    return best;
}

static const ih_line_reader *detect_format(const ih_input_options *opt, const char *head,
                                           size_t len)
{
    if (opt->format)
        return ih_reader_find(opt->format);

    const ih_line_reader *best = NULL;
    int best_score = 0;
    for (size_t i = 0; ih_line_readers[i]; i++) {
        int score = ih_line_readers[i]->probe(head, len);
        if (score > best_score) {
            best = ih_line_readers[i];
            best_score = score;
        }
    }
    return best;
}

/*
 * Line splitting. A line_feed holds a partial line across buffer refills and
 * hands complete lines (without '\n' and a trailing '\r') to the reader.
 */
typedef struct line_feed {
    const ih_line_reader *reader;
    void *state;
    ih_read_ctx *ctx;
    char *pending;
    size_t npending, cap;
    bool overlong;       /* skipping the rest of a line longer than IH_MAX_LINE */
    uint64_t line;       /* lines started so far */
    uint64_t pos;        /* stream offset of the next byte fed */
    uint64_t line_start; /* stream offset of the current line */
    bool count_lines;    /* false in later chunks, whose line numbers are found at the end */
    const atomic_bool *stop;
} line_feed;

static int feed_line(line_feed *lf, const char *s, size_t len)
{
    ih_read_ctx *ctx = lf->ctx;

    if (len > 0 && s[len - 1] == '\r')
        len--;
    ctx->origin.line = lf->count_lines ? lf->line : 0;
    ctx->origin.offset = lf->line_start;
    ctx->origin.format = lf->reader->name;
    ih_read_reset(ctx);
    return lf->reader->line(lf->state, s, len, ctx) < 0 ? -1 : 0;
}

static void report_overlong(line_feed *lf)
{
    ih_read_ctx *ctx = lf->ctx;

    ctx->origin.line = lf->count_lines ? lf->line : 0;
    ctx->origin.offset = lf->line_start;
    ctx->origin.format = lf->reader->name;
    ih_read_count_record(ctx, lf->reader->name);
    ih_read_bad(ctx, "line too long", "longer than %u bytes; skipped to the next line",
                IH_MAX_LINE);
}

static bool stopping(const line_feed *lf)
{
    return atomic_load_explicit(lf->stop, memory_order_relaxed) || lf->ctx->diag->stop;
}

/* Feeds a block of bytes; lines may span blocks. Returns -1 to stop. */
static int feed(line_feed *lf, const char *buf, size_t len)
{
    size_t i = 0;

    while (i < len) {
        if (stopping(lf))
            return -1;
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        size_t piece = end - i;

        if (lf->overlong) {
            /* Discard the rest of an overlong line. */
        } else if (lf->npending == 0 && nl) {
            lf->line++;
            if (feed_line(lf, buf + i, piece) < 0)
                return -1;
        } else if (lf->npending + piece > IH_MAX_LINE) {
            lf->line++;
            report_overlong(lf);
            lf->overlong = true;
            lf->npending = 0;
        } else {
            if (lf->npending + piece > lf->cap) {
                size_t cap = lf->cap ? lf->cap : 65536;
                while (cap < lf->npending + piece)
                    cap *= 2;
                char *p = realloc(lf->pending, cap);
                if (!p)
                    return -1;
                lf->pending = p;
                lf->cap = cap;
            }
            memcpy(lf->pending + lf->npending, buf + i, piece);
            lf->npending += piece;
            if (nl) {
                lf->line++;
                if (feed_line(lf, lf->pending, lf->npending) < 0)
                    return -1;
                lf->npending = 0;
            }
        }
        lf->pos += piece;
        i = end;
        if (nl) {
            lf->pos++;
            i++;
            lf->overlong = false;
            lf->line_start = lf->pos;
        }
    }
    return 0;
}

/* Ends the stream: a last line without '\n' still counts. */
static int feed_end(line_feed *lf)
{
    int rc = 0;

    if (lf->npending > 0 && !lf->overlong && !stopping(lf)) {
        lf->line++;
        rc = feed_line(lf, lf->pending, lf->npending);
    }
    lf->npending = 0;
    return rc;
}

/*
 * A source of decompressed bytes. Raw bytes go through one input buffer,
 * which the caller may pre-fill with the head it read to detect the
 * compression, so standard input never needs to seek back.
 */
#define RAW_BLOCK (1u << 18)

typedef struct byte_source {
    enum compression comp;
    int fd;
    unsigned char *raw;
    size_t raw_pos, raw_len;
    uint64_t raw_total; /* compressed bytes taken from fd, for messages */
    uint64_t raw_reported; /* of raw_total, bytes already passed to the progress sink */
    bool raw_eof;
    z_stream z;
    bool z_ready;
    bool z_member_done; /* the last gzip member ended and no byte has followed yet */
    ZSTD_DCtx *zstd;
    size_t zstd_hint; /* last ZSTD_decompressStream() result: 0 when a frame is complete */
    bool failed;      /* error already in error[], returned by the next read */
    bool eof;
    char error[160];
} byte_source;

static int source_open(byte_source *src, int fd, enum compression comp, const char *head,
                       size_t nhead)
{
    memset(src, 0, sizeof(*src));
    src->fd = fd;
    src->comp = comp;
    src->raw = malloc(RAW_BLOCK > nhead ? RAW_BLOCK : nhead);
    if (!src->raw)
        return -1;
    memcpy(src->raw, head, nhead);
    src->raw_len = nhead;
    src->raw_total = nhead;
    if (comp == COMP_GZIP) {
        /* 15 + 32: a zlib or gzip header, detected automatically. */
        if (inflateInit2(&src->z, 15 + 32) != Z_OK)
            return -1;
        src->z_ready = true;
    } else if (comp == COMP_ZSTD) {
        src->zstd = ZSTD_createDCtx();
        if (!src->zstd)
            return -1;
    }
    return 0;
}

static void source_close(byte_source *src)
{
    if (src->z_ready)
        inflateEnd(&src->z);
    if (src->zstd)
        ZSTD_freeDCtx(src->zstd);
    free(src->raw);
    if (src->fd >= 0 && src->fd != STDIN_FILENO)
        close(src->fd);
    src->fd = -1;
}

/* Makes raw bytes available; returns 0 at the end of the file, -1 on error. */
static int raw_fill(byte_source *src)
{
    if (src->raw_pos < src->raw_len)
        return 1;
    if (src->raw_eof)
        return 0;
    ssize_t n;
    do
        n = read(src->fd, src->raw, RAW_BLOCK);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(src->error, sizeof(src->error), "read failed: %s", strerror(errno));
        return -1;
    }
    if (n == 0) {
        src->raw_eof = true;
        return 0;
    }
    src->raw_pos = 0;
    src->raw_len = (size_t)n;
    src->raw_total += (uint64_t)n;
    return 1;
}

static ssize_t read_plain(byte_source *src, char *buf, size_t cap)
{
    int rc = raw_fill(src);
    if (rc <= 0)
        return rc;
    size_t n = src->raw_len - src->raw_pos;
    if (n > cap)
        n = cap;
    memcpy(buf, src->raw + src->raw_pos, n);
    src->raw_pos += n;
    return (ssize_t)n;
}

static ssize_t read_gzip(byte_source *src, char *buf, size_t cap)
{
    z_stream *z = &src->z;

    z->next_out = (unsigned char *)buf;
    z->avail_out = (unsigned)(cap > (1u << 30) ? (1u << 30) : cap);
    while (z->avail_out > 0) {
        int more = raw_fill(src);
        if (more < 0)
            return -1;
        if (more == 0) {
            if (!src->z_member_done) {
                snprintf(src->error, sizeof(src->error),
                         "truncated gzip data: the stream ends inside a member after %llu bytes",
                         (unsigned long long)src->raw_total);
                /* Hand out what was inflated before the cut; fail on the next call. */
                if (z->avail_out < cap) {
                    src->failed = true;
                    break;
                }
                return -1;
            }
            break;
        }
        if (src->z_member_done) {
            /* Zero padding after the last member is ignored, as gzip does. */
            while (src->raw_pos < src->raw_len && src->raw[src->raw_pos] == 0)
                src->raw_pos++;
            if (src->raw_pos == src->raw_len)
                continue;
            /* Other bytes after a complete member start another member (gzip -c a b > c). */
            inflateReset(z);
            src->z_member_done = false;
        }
        z->next_in = src->raw + src->raw_pos;
        z->avail_in = (unsigned)(src->raw_len - src->raw_pos);
        int rc = inflate(z, Z_NO_FLUSH);
        src->raw_pos = src->raw_len - z->avail_in;
        if (rc == Z_STREAM_END) {
            src->z_member_done = true;
        } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && z->avail_in == 0)) {
            snprintf(src->error, sizeof(src->error), "corrupt gzip data near compressed byte %llu: %s",
                     (unsigned long long)(src->raw_total - (src->raw_len - src->raw_pos)),
                     z->msg ? z->msg : "inflate failed");
            /* Hand out what was inflated before the damage; fail on the next call. */
            if (z->avail_out < cap) {
                src->failed = true;
                break;
            }
            return -1;
        }
    }
    return (ssize_t)(cap - z->avail_out);
}

static ssize_t read_zstd(byte_source *src, char *buf, size_t cap)
{
    ZSTD_outBuffer out = {buf, cap, 0};

    while (out.pos == 0) {
        int more = raw_fill(src);
        if (more < 0)
            return -1;
        if (more == 0) {
            if (src->zstd_hint != 0) {
                snprintf(src->error, sizeof(src->error), "truncated zstd data after %llu bytes",
                         (unsigned long long)src->raw_total);
                return -1;
            }
            return 0;
        }
        ZSTD_inBuffer in = {src->raw, src->raw_len, src->raw_pos};
        size_t rc = ZSTD_decompressStream(src->zstd, &out, &in);
        src->raw_pos = in.pos;
        if (ZSTD_isError(rc)) {
            snprintf(src->error, sizeof(src->error), "corrupt zstd data: %s",
                     ZSTD_getErrorName(rc));
            return -1;
        }
        src->zstd_hint = rc;
    }
    return (ssize_t)out.pos;
}

/* Reads up to cap decompressed bytes; returns the count, 0 at the end, -1 with src->error. */
static ssize_t source_read(byte_source *src, char *buf, size_t cap)
{
    if (src->failed)
        return -1;
    if (src->eof)
        return 0;
    ssize_t n = src->comp == COMP_GZIP   ? read_gzip(src, buf, cap)
                : src->comp == COMP_ZSTD ? read_zstd(src, buf, cap)
                                         : read_plain(src, buf, cap);
    if (n == 0)
        src->eof = true;
    return n;
}

#define READ_BLOCK (1u << 20)

/* Sets up the feed and reader state for one job. */
static int feed_open(line_feed *lf, const ih_line_reader *reader, ih_read_ctx *ctx,
                     const atomic_bool *stop, uint64_t start)
{
    memset(lf, 0, sizeof(*lf));
    lf->reader = reader;
    lf->ctx = ctx;
    lf->stop = stop;
    lf->pos = lf->line_start = start;
    lf->count_lines = start == 0;
    ctx->origin.format = reader->name;
    lf->state = reader->open(ctx);
    return lf->state ? 0 : -1;
}

static void feed_close(line_feed *lf)
{
    if (lf->state)
        lf->reader->close(lf->state, lf->ctx);
    free(lf->pending);
}

static void report_unknown_format(run *r, ih_read_ctx *ctx, const input_file *f)
{
    ctx->origin.line = 0;
    ctx->origin.offset = IH_OFFSET_FILE;
    ctx->origin.format = "input";
    if (f->from_folder) {
        ih_diag_skip(ctx->diag, "input", "file of unknown format in a folder");
        return;
    }
    ih_read_bad(ctx, "unknown format", "%s",
                r->opt->format ? "no reader of that name"
                               : "not Defender, Sysmon or Zeek text, plain, gzip or zstd");
    atomic_fetch_add(&r->unreadable, 1);
}

/* Bytes of a mapped file handed to a reader at a time, and then released. */
#define MAP_SEGMENT ((size_t)16 << 20)

/* Releases the whole pages of [from, to) of a mapped file, which has been read. */
static void release_pages(const input_file *f, size_t from, size_t to)
{
    const size_t page = 4096;
    size_t done_from = (from + page - 1) / page * page, done_to = to / page * page;

    if (done_to > done_from)
        madvise((void *)(f->map + done_from), done_to - done_from, MADV_DONTNEED);
}

/*
 * Reads one job of a mapped file in a binary format: a range the reader's
 * split() chose, or the whole file through the sequential interface.
 */
static int read_binary_mapped(run *r, const job *j, ih_read_ctx *ctx)
{
    const input_file *f = &r->files[j->file];
    const ih_binary_reader *b = f->binary;
    const unsigned char *data = (const unsigned char *)f->map;

    ctx->origin.format = b->name;
    ctx->origin.line = 0;
    if (b->read_range) {
        int rc = b->read_range(data, f->size, j->start, j->end, ctx, r->opt);
        release_pages(f, j->start, j->end);
        report_progress(r, ctx, j->end - j->start);
        return rc;
    }

    void *state = b->open(ctx, r->opt);
    if (!state)
        return -1;
    int rc = 0;
    for (size_t at = j->start; rc == 0 && at < j->end;) {
        size_t n = j->end - at < MAP_SEGMENT ? j->end - at : MAP_SEGMENT;
        rc = b->feed(state, data + at, n, ctx);
        release_pages(f, at, at + n);
        report_progress(r, ctx, n);
        at += n;
        if (atomic_load_explicit(&r->stop, memory_order_relaxed))
            rc = -1;
    }
    int finish_rc = b->finish(state, ctx);
    return rc < 0 ? rc : finish_rc;
}

/* Reads one chunk, or the whole, of a mapped file. */
static int read_mapped(run *r, const job *j, ih_read_ctx *ctx)
{
    const input_file *f = &r->files[j->file];
    line_feed lf;

    if (f->binary)
        return read_binary_mapped(r, j, ctx);
    if (feed_open(&lf, f->reader, ctx, &r->stop, j->start) < 0)
        return -1;

    /* Feed in segments and drop each from memory once read: mapped pages
       would otherwise stay resident and count as the process's memory. */
    const size_t segment = (size_t)16 << 20;
    const size_t page = 4096;
    int rc = 0;
    for (size_t at = j->start; rc == 0 && at < j->end;) {
        size_t n = j->end - at < segment ? j->end - at : segment;
        rc = feed(&lf, f->map + at, n);
        size_t done_from = (at + page - 1) / page * page, done_to = (at + n) / page * page;
        if (done_to > done_from)
            madvise((void *)(f->map + done_from), done_to - done_from, MADV_DONTNEED);
        report_progress(r, ctx, n);
        at += n;
    }
    if (rc == 0)
        rc = feed_end(&lf);
    feed_close(&lf);
    return rc;
}

/* Passes the raw bytes a stream consumed since the last call to the progress sink. */
static void report_stream_progress(const run *r, ih_read_ctx *ctx, byte_source *src)
{
    report_progress(r, ctx, src->raw_total - src->raw_reported);
    src->raw_reported = src->raw_total;
}

/*
 * Reads a stream in a binary format through the reader's sequential
 * interface: first the have bytes already in buf, then the rest of src.
 * *n is the last source_read() result, and *fed counts the bytes handed to
 * the reader.
 */
static int read_binary_stream(run *r, const ih_binary_reader *b, ih_read_ctx *ctx,
                              byte_source *src, char *buf, size_t have, ssize_t *n,
                              uint64_t *fed)
{
    ctx->origin.format = b->name;
    ctx->origin.line = 0;
    void *state = b->open(ctx, r->opt);
    if (!state)
        return -1;

    int rc = b->feed(state, (const unsigned char *)buf, have, ctx);
    *fed = have;
    while (rc == 0 && *n > 0 && !atomic_load_explicit(&r->stop, memory_order_relaxed) &&
           (*n = source_read(src, buf, READ_BLOCK)) > 0) {
        rc = b->feed(state, (const unsigned char *)buf, (size_t)*n, ctx);
        *fed += (uint64_t)*n;
        report_stream_progress(r, ctx, src);
    }
    int finish_rc = b->finish(state, ctx);
    return rc < 0 ? rc : finish_rc;
}

/* Reads a stream that is not mapped: standard input, a pipe, or compressed data. */
static int read_stream(run *r, const job *j, ih_read_ctx *ctx)
{
    const input_file *f = &r->files[j->file];
    bool is_stdin = strcmp(f->path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        unreadable(r, ctx->diag, f->path, j->file, "cannot open", errno);
        return 0;
    }

    /* Read the first raw bytes to tell the compression. */
    unsigned char magic[4];
    size_t nmagic = 0;
    while (nmagic < sizeof(magic)) {
        ssize_t n = read(fd, magic + nmagic, sizeof(magic) - nmagic);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        nmagic += (size_t)n;
    }
    byte_source src;
    char *buf = malloc(READ_BLOCK);
    if (!buf || source_open(&src, fd, detect_compression(magic, nmagic), (char *)magic, nmagic) < 0) {
        free(buf);
        if (!is_stdin)
            close(fd);
        return -1;
    }

    /* Fill the first block to detect the format. */
    size_t have = 0;
    ssize_t n = 0;
    while (have < PROBE_BYTES && (n = source_read(&src, buf + have, READ_BLOCK - have)) > 0)
        have += (size_t)n;

    int rc = 0;
    line_feed lf = {0};
    uint64_t binary_fed = 0;
    const ih_binary_reader *binary = have ? detect_binary(r->opt, buf, have) : NULL;
    const ih_line_reader *reader = have && !binary ? detect_format(r->opt, buf, have) : NULL;
    ctx->origin.file = f->path;
    if (have == 0 && n == 0) {
        ih_diag_skip(ctx->diag, "input", "empty file");
    } else if (binary) {
        rc = read_binary_stream(r, binary, ctx, &src, buf, have, &n, &binary_fed);
    } else if (!reader && n >= 0) {
        report_unknown_format(r, ctx, f);
    } else if (reader && feed_open(&lf, reader, ctx, &r->stop, 0) == 0) {
        rc = feed(&lf, buf, have);
        report_stream_progress(r, ctx, &src);
        while (rc == 0 && n > 0 && (n = source_read(&src, buf, READ_BLOCK)) > 0) {
            rc = feed(&lf, buf, (size_t)n);
            report_stream_progress(r, ctx, &src);
        }
        if (rc == 0)
            rc = feed_end(&lf);
    } else if (reader) {
        rc = -1;
    }
    if (n < 0) {
        uint64_t pos = binary ? binary_fed : lf.pos;
        ctx->origin.line = 0;
        ctx->origin.offset = pos;
        ctx->origin.format = "input";
        ih_read_bad(ctx, "unreadable input", "%s; read stopped after %llu decompressed bytes",
                    src.error, (unsigned long long)pos);
        atomic_fetch_add(&r->unreadable, 1);
    }
    feed_close(&lf);
    report_stream_progress(r, ctx, &src);
    source_close(&src);
    free(buf);
    return rc;
}

typedef struct range_target {
    run *r;
    uint32_t file;
} range_target;

static int add_range(void *arg, size_t start, size_t end)
{
    range_target *t = arg;
    return add_job(t->r, t->file, start, end);
}

/* Cuts a mapped file in a binary format into jobs where its reader says. */
static void plan_binary(run *r, uint32_t index, ih_diag *diag)
{
    input_file *f = &r->files[index];

    if (!f->binary->split) {
        add_job(r, index, 0, f->size);
        return;
    }
    ih_read_ctx ctx;
    ih_read_ctx_init(&ctx, NULL, diag);
    ctx.origin = (ih_origin){f->path, f->binary->name, 0, IH_OFFSET_FILE};
    ctx.file_index = index;
    range_target target = {r, index};
    if (f->binary->split((const unsigned char *)f->map, f->size, &ctx, r->opt, add_range,
                         &target) < 0 &&
        !diag->stop) {
        ctx.origin = (ih_origin){f->path, "input", 0, IH_OFFSET_FILE};
        ih_read_bad(&ctx, "unreadable input", "out of memory while splitting the file into jobs");
        atomic_fetch_add(&r->unreadable, 1);
    }
    ih_read_ctx_free(&ctx);
}

/* Maps a plain regular file; compressed and empty files, and pipes, stay streams. */
static void plan_file(run *r, uint32_t index, ih_diag *diag)
{
    input_file *f = &r->files[index];
    struct stat st;

    if (strcmp(f->path, "-") == 0) {
        add_job(r, index, 0, 0);
        return;
    }
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        /* Errors are reported by the worker that tries the stream. */
        if (fd >= 0)
            close(fd);
        add_job(r, index, 0, 0);
        return;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        add_job(r, index, 0, 0);
        return;
    }
    size_t size = (size_t)st.st_size;
    const char *head = map;
    size_t nhead = size < PROBE_BYTES ? size : PROBE_BYTES;
    if (detect_compression((const unsigned char *)head, nhead) != COMP_NONE) {
        munmap(map, size);
        add_job(r, index, 0, 0);
        return;
    }
    madvise(map, size, MADV_SEQUENTIAL);
    f->map = map;
    f->size = size;
    f->binary = detect_binary(r->opt, head, nhead);
    if (f->binary) {
        plan_binary(r, index, diag);
        return;
    }
    f->reader = detect_format(r->opt, head, nhead);
    if (!f->reader) {
        ih_read_ctx ctx;
        ih_read_ctx_init(&ctx, NULL, diag);
        ctx.origin.file = f->path;
        ctx.file_index = index;
        report_unknown_format(r, &ctx, f);
        ih_read_ctx_free(&ctx);
        return;
    }

    /* Chunks end at newlines; a file too small to split stays one job. */
    size_t chunk = r->opt->chunk_size ? r->opt->chunk_size : (size_t)64 << 20;
    if (!f->reader->independent_lines || size <= chunk || r->opt->threads <= 1) {
        add_job(r, index, 0, size);
        return;
    }
    f->chunked = true;
    size_t start = 0;
    while (start < size) {
        size_t end = start + chunk;
        if (end >= size) {
            end = size;
        } else {
            const char *nl = memchr(head + end, '\n', size - end);
            end = nl ? (size_t)(nl - head) + 1 : size;
        }
        add_job(r, index, start, end);
        start = end;
    }
}

typedef struct worker_arg {
    run *r;
    unsigned id;
    int status;
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *w = p;
    run *r = w->r;
    ih_diag *diag = &r->worker_diags[w->id];
    ih_sink *sink = r->sinks->make(r->sinks->arg, w->id);
    ih_read_ctx ctx;

    w->status = 0;
    if (!sink) {
        w->status = -1;
        atomic_store(&r->stop, true);
        return NULL;
    }
    ih_read_ctx_init(&ctx, sink, diag);
    for (;;) {
        size_t j = atomic_fetch_add(&r->next_job, 1);
        if (j >= r->njobs || atomic_load(&r->stop))
            break;
        const job *jb = &r->jobs[j];
        ctx.origin.file = r->files[jb->file].path;
        ctx.file_index = jb->file;
        int rc = r->files[jb->file].map ? read_mapped(r, jb, &ctx) : read_stream(r, jb, &ctx);
        report_progress(r, &ctx, 0);
        ih_read_ctx_flush(&ctx);
        ctx.progress_events = 0;
        if (rc < 0 || diag->stop) {
            w->status = -1;
            atomic_store(&r->stop, true);
            break;
        }
    }
    ih_read_ctx_free(&ctx);
    return NULL;
}

/* Gives messages from later chunks their line numbers, by counting newlines before them. */
static void resolve_lines(run *r, ih_diag *diag)
{
    for (size_t i = 0; i < diag->nmsgs; i++) {
        ih_diag_msg *m = &diag->msgs[i];
        if (m->line != 0 || m->file_index >= r->nfiles)
            continue;
        const input_file *f = &r->files[m->file_index];
        if (!f->chunked || m->offset > f->size)
            continue;
        uint64_t line = 1;
        const char *p = f->map, *end = f->map + m->offset;
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            line++;
            p++;
        }
        m->line = line;
    }
}

/* The summed size of the input files, or 0 when some input is a stream of unknown size. */
static uint64_t input_size(const run *r)
{
    uint64_t total = 0;
    for (size_t i = 0; i < r->nfiles; i++) {
        struct stat st;
        if (strcmp(r->files[i].path, "-") == 0 || stat(r->files[i].path, &st) != 0 ||
            !S_ISREG(st.st_mode))
            return 0;
        total += (uint64_t)st.st_size;
    }
    return total;
}

int ih_input_read(char *const *paths, size_t npaths, const ih_input_options *opt,
                  const ih_sink_factory *sinks, ih_diag *diag)
{
    return ih_input_read_progress(paths, npaths, opt, sinks, diag, NULL);
}

int ih_input_read_progress(char *const *paths, size_t npaths, const ih_input_options *opt,
                           const ih_sink_factory *sinks, ih_diag *diag,
                           const ih_progress_sink *progress)
{
    run r;
    int status = 0;

    memset(&r, 0, sizeof(r));
    r.opt = opt;
    r.sinks = sinks;
    r.progress = progress;
    atomic_init(&r.next_job, 0);
    atomic_init(&r.stop, false);
    atomic_init(&r.unreadable, 0);

    for (size_t i = 0; i < npaths && status == 0; i++)
        if (expand(&r, diag, paths[i], false, 0) < 0)
            status = -1;
    for (size_t i = 0; i < r.nfiles && status == 0; i++)
        plan_file(&r, (uint32_t)i, diag);
    if (progress)
        progress->total(progress->arg, input_size(&r));

    unsigned nthreads = opt->threads ? opt->threads : 1;
    if (nthreads > r.njobs)
        nthreads = r.njobs ? (unsigned)r.njobs : 1;
    r.worker_diags = calloc(nthreads, sizeof(*r.worker_diags));
    worker_arg *args = calloc(nthreads, sizeof(*args));
    pthread_t *threads = calloc(nthreads, sizeof(*threads));
    if (!r.worker_diags || !args || !threads)
        status = -1;

    if (status == 0 && !diag->stop) {
        unsigned started = 0;
        for (unsigned t = 0; t < nthreads; t++) {
            ih_diag_init(&r.worker_diags[t], opt->strict);
            args[t] = (worker_arg){&r, t, 0};
        }
        /* Worker 0 runs on this thread, so a single-threaded run starts no thread. */
        for (unsigned t = 1; t < nthreads; t++) {
            if (pthread_create(&threads[t], NULL, worker_main, &args[t]) != 0)
                break;
            started = t;
        }
        worker_main(&args[0]);
        for (unsigned t = 1; t <= started; t++)
            pthread_join(threads[t], NULL);
        for (unsigned t = 0; t < nthreads; t++) {
            if (args[t].status < 0)
                status = -1;
            ih_diag_merge(diag, &r.worker_diags[t]);
            ih_diag_free(&r.worker_diags[t]);
        }
    }
    resolve_lines(&r, diag);
    if (diag->stop)
        status = -1;
    if (status == 0 && atomic_load(&r.unreadable) > 0)
        status = 1;

    for (size_t i = 0; i < r.nfiles; i++) {
        if (r.files[i].map)
            munmap((void *)r.files[i].map, r.files[i].size);
        free(r.files[i].path);
    }
    free(r.files);
    free(r.jobs);
    free(r.seen);
    free(r.worker_diags);
    free(args);
    free(threads);
    return status;
}
