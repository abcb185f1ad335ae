/*
 * Readers: from bytes to normalized events.
 *
 * The framework (input.c) opens paths, folders, standard input, gzip and
 * zstd streams, splits text into lines, detects the format and runs one
 * reader per stream. A reader turns one line (or one JSON record) into zero
 * or more events handed to ctx->sink, and reports bad records through
 * ctx->diag with the origin the framework keeps in ctx->origin.
 *
 * Record readers return 1 when they produced or skipped a record, 0 when the
 * line carried no record (a comment, a header), and -1 only when reading
 * must stop (out of memory, or the sink asked to stop). A bad record is not a
 * -1: it is reported with ih_read_bad() and the reader returns 1.
 *
 * Binary formats (EVTX) have readers of their own type, ih_binary_reader,
 * chosen by the magic bytes at the start of a stream; they report bad
 * records by byte offset (origin.line is 0).
 */
#ifndef IH_INPUT_H
#define IH_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/diag.h"
#include "../event/sink.h"
#include "json.h"

/* Lines longer than this are reported and skipped without being buffered whole. */
#define IH_MAX_LINE (16u << 20)

typedef struct ih_read_ctx {
    ih_sink *sink;
    ih_diag *diag;
    ih_origin origin; /* file and format set per stream; line and offset per record */
    uint32_t file_index;
    json_doc json;    /* reused by JSON readers for each line */
    /* Per-record memory for unescaped strings, see ih_read_alloc(): a chain of
       blocks, so that growing never moves what was handed out. */
    struct ih_scratch_block *scratch;
    size_t scratch_used; /* bytes handed out by all blocks since the reset */

    /* Counts kept here and added to diag by ih_read_ctx_flush(): per-event
       string compares in diag would cost more than the parse. Keyed by the
       address of the static source name. */
    struct ih_read_count {
        const char *source;
        uint64_t records, conns, dnss;
    } counts[8];
    size_t ncounts;
    uint64_t progress_events; /* events in counts already passed to a progress sink */
} ih_read_ctx;

void ih_read_ctx_init(ih_read_ctx *ctx, ih_sink *sink, ih_diag *diag);
void ih_read_ctx_free(ih_read_ctx *ctx);

/* Adds the counts kept in ctx to ctx->diag and clears them. */
void ih_read_ctx_flush(ih_read_ctx *ctx);

/* Counts one record read by source (a static name, such as "zeek-conn-tsv"). */
void ih_read_count_record(ih_read_ctx *ctx, const char *source);

/* Starts a new record: frees everything ih_read_alloc() handed out. */
void ih_read_reset(ih_read_ctx *ctx);

/*
 * Allocates n bytes that stay valid until the next ih_read_reset(). Returns
 * NULL when n exceeds the per-record limit (IH_MAX_LINE * 2).
 */
char *ih_read_alloc(ih_read_ctx *ctx, size_t n);

/* Unescapes JSON string token tok into record scratch memory; ptr NULL if not a string. */
ih_str ih_read_json_string(ih_read_ctx *ctx, const json_doc *doc, int tok);

/* Reports a bad record at the current origin; see ih_diag_bad(). */
void ih_read_bad(ih_read_ctx *ctx, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Counts a record that is read correctly but carries no event the detectors use. */
void ih_read_skip(ih_read_ctx *ctx, const char *reason);

/* Delivers an event to the sink and counts it under ctx->origin.format;
   returns the sink's status. */
int ih_read_emit_conn(ih_read_ctx *ctx, const ih_conn *c);
int ih_read_emit_dns(ih_read_ctx *ctx, const ih_dns *d);

/*
 * A reader of a line-oriented text format. One state per stream, made by
 * open(); header lines update it. For independent_lines readers, the lines of
 * a large file may be split into chunks read in parallel, each with its own
 * state.
 */
typedef struct ih_line_reader {
    const char *name;
    /* Confidence from 0 to 100 that a stream starting with head is this format. */
    int (*probe)(const char *head, size_t len);
    void *(*open)(ih_read_ctx *ctx);
    int (*line)(void *state, const char *line, size_t len, ih_read_ctx *ctx);
    void (*close)(void *state, ih_read_ctx *ctx);
    bool independent_lines;
} ih_line_reader;

/*
 * A JSON record layout handled by the JSON lines reader, which parses each
 * line once and hands the document to the first layout whose match() accepts
 * it. Layouts are tried in table order, the last matching one first.
 */
typedef struct ih_json_layout {
    const char *name; /* source name in statistics, such as "sysmon-json" */
    bool (*match)(const json_doc *doc, int root);
    int (*record)(const json_doc *doc, int root, ih_read_ctx *ctx);
} ih_json_layout;

/* Readers and layouts, defined in their input_*.c files. */
extern const ih_line_reader ih_reader_json;
extern const ih_line_reader ih_reader_zeek_tsv;
extern const ih_line_reader ih_reader_defender_csv;
extern const ih_line_reader ih_reader_suricata;
extern const ih_json_layout ih_layout_defender;
extern const ih_json_layout ih_layout_defender_stream;
extern const ih_json_layout ih_layout_sysmon;
extern const ih_json_layout ih_layout_zeek;
extern const ih_json_layout ih_layout_suricata;

struct ih_input_options;

/* Adds the byte range [start, end) of a file as one job; returns 0, or -1 when out of memory. */
typedef int (*ih_add_range_fn)(void *arg, size_t start, size_t end);

/*
 * A reader of a binary format. Every binary reader reads a whole stream in
 * order: open(), then feed() with consecutive blocks, then finish(). This
 * serves standard input, pipes and compressed files, and a format that must
 * be read from start to end (a packet capture). A format made of
 * independent blocks (EVTX chunks) also provides split() and read_range():
 * a mapped file is then cut into jobs that the workers read in parallel, and
 * the result must not depend on how the jobs are spread over the workers.
 *
 * The reader sets ctx->origin.offset to the file offset of each record and
 * leaves origin.line at 0. Each function returns 0, or -1 only when reading
 * must stop (out of memory, or the sink or --strict asked to stop); bad
 * input is reported with ih_read_bad() and is not a -1.
 */
typedef struct ih_binary_reader {
    const char *name;
    /* Confidence from 0 to 100 that a stream starting with head is this format. */
    int (*probe)(const unsigned char *head, size_t len);

    /* Sequential reading. finish() reports a truncated end and frees the state,
       which open() returns (NULL when out of memory). */
    void *(*open)(ih_read_ctx *ctx, const struct ih_input_options *opt);
    int (*feed)(void *state, const unsigned char *buf, size_t len, ih_read_ctx *ctx);
    int (*finish)(void *state, ih_read_ctx *ctx);

    /* Parallel reading of a mapped file, optional (both NULL or both set).
       split() runs once per file, before the workers start, and may report
       problems of the file header; read_range() reads one job. */
    int (*split)(const unsigned char *data, size_t size, ih_read_ctx *ctx,
                 const struct ih_input_options *opt, ih_add_range_fn add, void *arg);
    int (*read_range)(const unsigned char *data, size_t size, size_t start, size_t end,
                      ih_read_ctx *ctx, const struct ih_input_options *opt);
} ih_binary_reader;

extern const ih_binary_reader ih_reader_evtx;
extern const ih_binary_reader ih_reader_pcap;

/* All binary readers, in probe order, NULL-terminated. */
extern const ih_binary_reader *const ih_binary_readers[];

/* Looks a binary reader up by name; NULL if unknown. */
const ih_binary_reader *ih_binary_reader_find(const char *name);

/* All line readers, in probe order, NULL-terminated. */
extern const ih_line_reader *const ih_line_readers[];

/* Looks a reader up by name, for --format; NULL if unknown. */
const ih_line_reader *ih_reader_find(const char *name);

typedef struct ih_input_options {
    const char *format; /* NULL: detect per stream */
    unsigned threads;
    bool strict;
    size_t chunk_size; /* bytes per parallel chunk of a large plain file */
    bool verify_checksums; /* check CRC32 checksums of binary formats (EVTX) */
} ih_input_options;

/*
 * Factory for per-worker sinks: make() is called once per worker thread and
 * returns the sink that worker feeds; the caller merges them afterwards.
 */
typedef struct ih_sink_factory {
    ih_sink *(*make)(void *arg, unsigned worker);
    void *arg;
} ih_sink_factory;

/*
 * Reads every path (files, folders recursively in name order, "-" for
 * standard input) with up to opt->threads workers. Per-worker diagnostics
 * are merged into diag. Returns 0 when every input could be opened and read,
 * 1 when some input was unreadable (reported and counted), -1 when reading
 * stopped early (strict mode or out of memory).
 */
int ih_input_read(char *const *paths, size_t npaths, const ih_input_options *opt,
                  const ih_sink_factory *sinks, ih_diag *diag);

/*
 * Receives the progress of a read, for a progress display. total() is
 * called once, before the workers start, with the summed size of the input
 * files, or 0 when some input is a stream of unknown size (standard input,
 * a pipe). add() is called from any worker thread, after each block of
 * about 1 to 16 MiB, with the bytes and events read since that worker's
 * last call, so it must be thread-safe. Bytes are counted as stored: a
 * compressed file counts its compressed bytes.
 */
typedef struct ih_progress_sink {
    void (*total)(void *arg, uint64_t bytes);
    void (*add)(void *arg, uint64_t bytes, uint64_t events);
    void *arg;
} ih_progress_sink;

/* ih_input_read() that also reports its progress to progress (NULL for none). */
int ih_input_read_progress(char *const *paths, size_t npaths, const ih_input_options *opt,
                           const ih_sink_factory *sinks, ih_diag *diag,
                           const ih_progress_sink *progress);

#endif
