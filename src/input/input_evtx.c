/*
 * EVTX files (Windows XML Event Log): Sysmon event 3 becomes a connection
 * event and event 22 a DNS event, with the field mapping of the JSON reader
 * (sysmon_map.c). Every other record is counted as skipped.
 *
 * A file is a 4096-byte header and chunks of 65536 bytes, each of which can
 * be read on its own, so split() makes jobs of whole chunks and the workers
 * read them in parallel. Streams (standard input, compressed files) are read
 * chunk by chunk through feed().
 *
 * For each record the reader first finds only the event ID, the channel and
 * the provider (evtx_binxml.c). A record that is not a Sysmon event 3 or 22
 * is skipped before any other field is looked at.
 *
 * Damage is reported by file offset and reading goes on: a chunk with a bad
 * signature or a bad checksum (with --verify-checksums) is skipped whole, and
 * after a bad record the reader looks for the next record signature in the
 * same chunk. docs/sources/evtx.md lists every check.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "evtx.h"

static const char evtx_name[] = "evtx";          /* the format: file and chunk problems */
static const char source_name[] = "sysmon-evtx"; /* records and their events */

static const uint8_t file_signature[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};
static const uint8_t chunk_signature[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};
#define RECORD_SIGNATURE UINT32_C(0x00002a2a)

/* File header flags (libyal, "File flags"). */
#define FILE_FLAG_DIRTY 0x0001

/* Bytes of chunks per job when the options do not set a size. */
#define DEFAULT_JOB_BYTES ((size_t)4 << 20)

/* State for reading chunks: one per job or per stream. */
typedef struct reader {
    evtx_templates *templates;
    const ih_input_options *opt;
    uint32_t listed_chunks; /* chunks the file header lists, 0 when the header is unusable */
} reader;

/*
 * Reports a problem at file offset `offset` under `format` (the format name
 * for file and chunk problems, the source name for records). Returns -1 when
 * reading must stop (--strict), else 0.
 */
static int report(ih_read_ctx *ctx, const char *format, uint64_t offset, const char *reason,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int report(ih_read_ctx *ctx, const char *format, uint64_t offset, const char *reason,
                  const char *fmt, ...)
{
    char detail[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    ctx->origin.format = format;
    ctx->origin.line = 0;
    ctx->origin.offset = offset;
    ih_read_bad(ctx, reason, "%s", detail);
    return ctx->diag->stop ? -1 : 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* CRC32 of RFC 1952 (zlib's crc32), over data[0, n). */
static uint32_t crc(const uint8_t *data, size_t n)
{
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)n);
}

/* --- File header --- */

/*
 * Checks the file header in the first `size` bytes of the file and reports
 * what is wrong. Sets *listed to the number of chunks the header lists, or
 * 0 when the header cannot be used. Chunks are read at their fixed offsets
 * even when the header is wrong.
 */
static int check_file_header(const uint8_t *data, size_t size, ih_read_ctx *ctx,
                             const ih_input_options *opt, uint32_t *listed)
{
    *listed = 0;
    if (size < 128 || memcmp(data, file_signature, sizeof(file_signature)) != 0) {
        if (size < 128)
            return report(ctx, evtx_name, 0, "truncated file header",
                          "the file has %zu bytes, fewer than the 128 of the header's fields",
                          size);
        return report(ctx, evtx_name, 0, "invalid file signature",
                      "the file does not start with \"ElfFile\"");
    }

    uint32_t header_size = evtx_u32(data + 32);
    uint16_t minor = evtx_u16(data + 36), major = evtx_u16(data + 38);
    uint16_t block_size = evtx_u16(data + 40);
    uint32_t flags = evtx_u32(data + 120);
    if (header_size != 128 || major != 3 || block_size != EVTX_FILE_HEADER_SIZE) {
        if (report(ctx, evtx_name, 0, "invalid file header",
                   "header size %" PRIu32 ", version %u.%u, header block size %u (expected "
                   "128, 3.x, 4096); chunks are read at their usual places",
                   header_size, major, minor, block_size) < 0)
            return -1;
    } else {
        *listed = evtx_u16(data + 42);
    }
    if (opt->verify_checksums) {
        uint32_t stored = evtx_u32(data + 124), computed = crc(data, 120);
        if (stored != computed &&
            report(ctx, evtx_name, 0, "checksum mismatch",
                   "file header CRC32 is 0x%08" PRIx32 ", computed 0x%08" PRIx32, stored,
                   computed) < 0)
            return -1;
    }
    if (flags & FILE_FLAG_DIRTY &&
        report(ctx, evtx_name, 120, "dirty file",
               "the header's dirty flag is set: the log was not closed, so the header may "
               "list too few chunks and the last chunk may be incomplete; every chunk is read") <
            0)
        return -1;
    if (size < EVTX_FILE_HEADER_SIZE)
        return report(ctx, evtx_name, size, "truncated file header",
                      "the file ends after %zu of the header's 4096 bytes", size);
    return 0;
}

/* Reports a file that ends before the chunks its header lists. */
static int check_file_size(uint64_t size, uint32_t listed, ih_read_ctx *ctx)
{
    uint64_t expected = EVTX_FILE_HEADER_SIZE + (uint64_t)listed * EVTX_CHUNK_SIZE;

    if (size >= expected)
        return 0;
    return report(ctx, evtx_name, size, "truncated file",
                  "the header lists %" PRIu32 " chunks (%" PRIu64 " bytes), the file has %" PRIu64
                  " bytes",
                  listed, expected, size);
}

/* --- Records --- */

/* The fields of one record, handed to the Sysmon mapping. */
typedef struct evtx_record {
    evtx_fields fields;
} evtx_record;

/* A slot as text in record memory; reports a value that has no text. */
static enum ih_field_result slot_text(ih_read_ctx *ctx, const evtx_field *f, const char *name,
                                      ih_str *out)
{
    *out = IH_STR_NONE;
    if (!f->present)
        return IH_FIELD_OK;
    size_t cap = evtx_field_text_max(f);
    char *buf = ih_read_alloc(ctx, cap);
    if (!buf)
        return IH_FIELD_NO_MEMORY;
    long n = evtx_field_text(f, buf, cap);
    if (n < 0) {
        ih_read_bad(ctx, "wrong value type", "%s has value type 0x%02x, expected a string or number",
                    name, f->parts[0].type);
        return IH_FIELD_BAD;
    }
    *out = (ih_str){buf, (size_t)n};
    return IH_FIELD_OK;
}

static enum ih_field_result evtx_text(void *rec, ih_read_ctx *ctx, enum ih_sysmon_field field,
                                      ih_str *out)
{
    const evtx_record *r = rec;
    return slot_text(ctx, &r->fields.slot[EVTX_SLOT_DATA + field], ih_sysmon_field_names[field],
                     out);
}

static enum ih_field_result evtx_computer(void *rec, ih_read_ctx *ctx, ih_str *out)
{
    const evtx_record *r = rec;
    return slot_text(ctx, &r->fields.slot[EVTX_SLOT_COMPUTER], "Computer", out);
}

static const ih_sysmon_access evtx_access = {
    .text = evtx_text,
    .computer = evtx_computer,
};

static bool is_sysmon(const evtx_fields *f)
{
    return evtx_field_equals_nocase(&f->slot[EVTX_SLOT_CHANNEL],
                                    "Microsoft-Windows-Sysmon/Operational") ||
           evtx_field_equals_nocase(&f->slot[EVTX_SLOT_PROVIDER], "Microsoft-Windows-Sysmon");
}

/*
 * Reads the record of `size` bytes at chunk offset pos: its binary XML lies
 * between the 24-byte header and the copy of the size. Returns 0, or -1 when
 * reading must stop.
 */
static int read_record(reader *rd, const uint8_t *chunk, size_t limit, size_t pos, uint32_t size,
                       uint64_t chunk_offset, ih_read_ctx *ctx)
{
    evtx_record rec;
    evtx_error err;
    uint64_t id = evtx_u64(chunk + pos + 8);

    ctx->origin.format = source_name;
    ctx->origin.line = 0;
    ctx->origin.offset = chunk_offset + pos;
    ih_read_count_record(ctx, source_name);
    ih_read_reset(ctx);
    for (int s = 0; s < EVTX_SLOT_COUNT; s++)
        rec.fields.slot[s].present = false;

    size_t start = pos + EVTX_RECORD_HEADER_SIZE, end = pos + size - 4;
    if (evtx_find_fields(rd->templates, chunk, limit, start, end, EVTX_SLOTS_SYSTEM, &rec.fields,
                         &err) < 0) {
        ih_read_bad(ctx, err.reason, "record %" PRIu64 ": %s", id, err.detail);
        return ctx->diag->stop ? -1 : 0;
    }
    if (!is_sysmon(&rec.fields)) {
        ih_read_skip(ctx, "not a Sysmon event");
        return 0;
    }
    uint64_t eid;
    const evtx_field *eid_field = &rec.fields.slot[EVTX_SLOT_EVENT_ID];
    if (!eid_field->present) {
        ih_read_bad(ctx, "missing EventID", "record %" PRIu64 " has no event ID", id);
        return ctx->diag->stop ? -1 : 0;
    }
    if (!evtx_field_uint(eid_field, &eid) || eid > 65535) {
        ih_str text;
        if (slot_text(ctx, eid_field, "EventID", &text) == IH_FIELD_OK)
            ih_sysmon_report_text(ctx, "EventID", text, "an event ID");
        return ctx->diag->stop ? -1 : 0;
    }
    if (eid != 3 && eid != 22) {
        ih_read_skip(ctx, "not a Sysmon network event");
        return 0;
    }

    if (evtx_find_fields(rd->templates, chunk, limit, start, end, EVTX_SLOTS_ALL, &rec.fields,
                         &err) < 0) {
        ih_read_bad(ctx, err.reason, "record %" PRIu64 ": %s", id, err.detail);
        return ctx->diag->stop ? -1 : 0;
    }
    if (ih_sysmon_map_event(ctx, &evtx_access, &rec, (int64_t)eid) < 0)
        return -1;
    return ctx->diag->stop ? -1 : 0;
}

/* True when a valid record header of a size that fits starts at chunk offset pos. */
static bool record_at(const uint8_t *chunk, size_t limit, size_t pos)
{
    if (limit - pos < EVTX_RECORD_MIN_SIZE || evtx_u32(chunk + pos) != RECORD_SIGNATURE)
        return false;
    uint32_t size = evtx_u32(chunk + pos + 4);
    return size >= EVTX_RECORD_MIN_SIZE && size <= limit - pos &&
           evtx_u32(chunk + pos + size - 4) == size;
}

/* The next offset from pos on where a record starts, or limit. Records are 8-byte aligned. */
static size_t find_next_record(const uint8_t *chunk, size_t limit, size_t pos)
{
    pos = (pos + 7) & ~(size_t)7;
    while (pos < limit && !record_at(chunk, limit, pos))
        pos += 8;
    return pos < limit ? pos : limit;
}

/* Checks one record header at chunk offset pos; reports it and returns false when bad. */
static bool check_record(const uint8_t *chunk, size_t limit, size_t pos, uint64_t chunk_offset,
                         ih_read_ctx *ctx, int *stop)
{
    uint64_t offset = chunk_offset + pos;

    if (limit - pos < EVTX_RECORD_MIN_SIZE) {
        *stop = report(ctx, source_name, offset, "record size past its chunk",
                       "%zu bytes before the end of the chunk's records, fewer than a record "
                       "header",
                       limit - pos);
        return false;
    }
    if (evtx_u32(chunk + pos) != RECORD_SIGNATURE) {
        *stop = report(ctx, source_name, offset, "invalid record signature",
                       "0x%08" PRIx32 " where a record starts, expected 0x00002a2a",
                       evtx_u32(chunk + pos));
        return false;
    }
    uint32_t size = evtx_u32(chunk + pos + 4);
    if (size < EVTX_RECORD_MIN_SIZE) {
        *stop = report(ctx, source_name, offset, "invalid record size",
                       "record size %" PRIu32 " is below the %d bytes of an empty record", size,
                       EVTX_RECORD_MIN_SIZE);
        return false;
    }
    if (size > limit - pos) {
        *stop = report(ctx, source_name, offset, "record size past its chunk",
                       "a record of %" PRIu32 " bytes at chunk offset %zu ends past the chunk's "
                       "records, which end at %zu",
                       size, pos, limit);
        return false;
    }
    uint32_t copy = evtx_u32(chunk + pos + size - 4);
    if (copy != size) {
        *stop = report(ctx, source_name, offset, "record size copy mismatch",
                       "record size %" PRIu32 ", copy of the size at its end %" PRIu32, size, copy);
        return false;
    }
    return true;
}

/* --- Chunks --- */

/* Checks the CRC32 checksums of a chunk's header and records; false after reporting a mismatch. */
static bool chunk_checksums_match(const uint8_t *chunk, size_t len, uint64_t offset,
                                  uint64_t index, ih_read_ctx *ctx, int *stop)
{
    /* The header checksum covers bytes 0 to 120 and 128 to 512. */
    uint32_t stored = evtx_u32(chunk + 124);
    uint32_t computed = (uint32_t)crc32(crc(chunk, 120), chunk + 128, 512 - 128);
    if (stored != computed) {
        *stop = report(ctx, evtx_name, offset, "checksum mismatch",
                       "chunk %" PRIu64 " header CRC32 is 0x%08" PRIx32 ", computed 0x%08" PRIx32
                       "; chunk skipped",
                       index, stored, computed);
        return false;
    }
    uint32_t free_offset = evtx_u32(chunk + 48);
    if (free_offset < EVTX_CHUNK_HEADER_SIZE || free_offset > len)
        return true; /* reported by the record checks */
    stored = evtx_u32(chunk + 52);
    computed = crc(chunk + EVTX_CHUNK_HEADER_SIZE, free_offset - EVTX_CHUNK_HEADER_SIZE);
    if (stored != computed) {
        *stop = report(ctx, evtx_name, offset, "checksum mismatch",
                       "chunk %" PRIu64 " records CRC32 is 0x%08" PRIx32 ", computed 0x%08" PRIx32
                       "; chunk skipped",
                       index, stored, computed);
        return false;
    }
    return true;
}

/* Compares the chunk header's record identifiers and last record offset with the records read. */
static int check_chunk_summary(const uint8_t *chunk, uint64_t offset, uint64_t index,
                               uint64_t first_id, uint64_t last_id, size_t last_pos,
                               ih_read_ctx *ctx)
{
    uint64_t header_first = evtx_u64(chunk + 24), header_last = evtx_u64(chunk + 32);
    uint32_t header_last_pos = evtx_u32(chunk + 44);

    if ((header_first != first_id || header_last != last_id) &&
        report(ctx, evtx_name, offset, "chunk record ids mismatch",
               "chunk %" PRIu64 " header lists event records %" PRIu64 " to %" PRIu64
               ", its records are %" PRIu64 " to %" PRIu64,
               index, header_first, header_last, first_id, last_id) < 0)
        return -1;
    if (header_last_pos != last_pos &&
        report(ctx, evtx_name, offset, "last record offset mismatch",
               "chunk %" PRIu64 " header puts its last record at chunk offset %" PRIu32
               ", it is at %zu",
               index, header_last_pos, last_pos) < 0)
        return -1;
    return 0;
}

/*
 * Reads one chunk: len bytes at file offset `offset`, fewer than 65536 when
 * the file ends inside it. index counts chunks from 0. Returns 0, or -1
 * when reading must stop.
 */
static int read_chunk(reader *rd, const uint8_t *chunk, size_t len, uint64_t offset,
                      uint64_t index, ih_read_ctx *ctx)
{
    int stop = 0;
    size_t header_len = len < EVTX_CHUNK_HEADER_SIZE ? len : EVTX_CHUNK_HEADER_SIZE;

    if (memcmp(chunk, chunk_signature, len < 8 ? len : 8) != 0 || len < 8) {
        /* Space the log has not used yet is zeroed; past the chunks the header lists, that is normal. */
        if (all_zero(chunk, header_len) && index >= rd->listed_chunks)
            return 0;
        return report(ctx, evtx_name, offset, "invalid chunk signature",
                      "chunk %" PRIu64 " does not start with \"ElfChnk\"%s; chunk skipped", index,
                      all_zero(chunk, header_len) ? " (it is zeroed)" : "");
    }
    if (len < EVTX_CHUNK_HEADER_SIZE)
        return report(ctx, evtx_name, offset, "truncated chunk",
                      "the file ends %zu bytes into chunk %" PRIu64 ", inside its header", len,
                      index);
    if (rd->opt->verify_checksums && !chunk_checksums_match(chunk, len, offset, index, ctx, &stop))
        return stop;

    /* Records lie between the header and the free space offset. Without a usable
       offset they are read until zeroed space or the end of the chunk. */
    size_t limit = evtx_u32(chunk + 48);
    bool truncated = false, until_zero = false;
    if (limit < EVTX_CHUNK_HEADER_SIZE || limit > EVTX_CHUNK_SIZE) {
        if (report(ctx, evtx_name, offset + 48, "invalid free space offset",
                   "chunk %" PRIu64 " free space offset %zu is outside 512 to 65536; records "
                   "are read to the end of the chunk",
                   index, limit) < 0)
            return -1;
        limit = len;
        until_zero = true;
    }
    if (limit > len) {
        truncated = true;
        if (report(ctx, evtx_name, offset + len, "truncated chunk",
                   "the file ends %zu bytes into chunk %" PRIu64 ", before its free space offset %zu",
                   len, index, limit) < 0)
            return -1;
        limit = len;
    }

    evtx_templates_reset(rd->templates);
    uint64_t first_id = 0, last_id = 0;
    size_t last_pos = 0, count = 0;
    bool damaged = truncated;
    size_t pos = EVTX_CHUNK_HEADER_SIZE;
    while (pos < limit) {
        if (until_zero && limit - pos >= 8 && all_zero(chunk + pos, 8))
            break;
        /* A record cut by the end of the file belongs to the truncation reported above. */
        if (truncated && (limit - pos < 8 || evtx_u32(chunk + pos + 4) > limit - pos))
            break;
        if (!check_record(chunk, limit, pos, offset, ctx, &stop)) {
            if (stop < 0)
                return -1;
            damaged = true;
            pos = find_next_record(chunk, limit, pos + 1);
            continue;
        }
        uint32_t size = evtx_u32(chunk + pos + 4);
        uint64_t id = evtx_u64(chunk + pos + 8);
        if (count++ == 0)
            first_id = id;
        last_id = id;
        last_pos = pos;
        if (read_record(rd, chunk, limit, pos, size, offset, ctx) < 0)
            return -1;
        pos += size;
    }
    if (damaged || count == 0)
        return 0;
    return check_chunk_summary(chunk, offset, index, first_id, last_id, last_pos, ctx);
}

static int reader_init(reader *rd, const ih_input_options *opt)
{
    rd->templates = evtx_templates_new();
    rd->opt = opt;
    rd->listed_chunks = 0;
    return rd->templates ? 0 : -1;
}

/* --- The binary reader interface --- */

static int evtx_probe(const unsigned char *head, size_t len)
{
    return len >= sizeof(file_signature) &&
                   memcmp(head, file_signature, sizeof(file_signature)) == 0
               ? 100
               : 0;
}

/* The number of chunks the header of a mapped file lists, without reporting anything. */
static uint32_t listed_chunks(const uint8_t *data, size_t size)
{
    if (size < 128 || memcmp(data, file_signature, sizeof(file_signature)) != 0 ||
        evtx_u32(data + 32) != 128 || evtx_u16(data + 38) != 3 ||
        evtx_u16(data + 40) != EVTX_FILE_HEADER_SIZE)
        return 0;
    return evtx_u16(data + 42);
}

static int evtx_split(const unsigned char *data, size_t size, ih_read_ctx *ctx,
                      const ih_input_options *opt, ih_add_range_fn add, void *arg)
{
    uint32_t listed;

    if (check_file_header(data, size, ctx, opt, &listed) < 0 ||
        check_file_size(size, listed, ctx) < 0)
        return 0; /* --strict stops before the workers start */

    size_t job_bytes = opt->chunk_size ? opt->chunk_size : DEFAULT_JOB_BYTES;
    size_t per_job = job_bytes / EVTX_CHUNK_SIZE ? job_bytes / EVTX_CHUNK_SIZE : 1;
    for (size_t start = EVTX_FILE_HEADER_SIZE; start < size;) {
        size_t span = per_job * EVTX_CHUNK_SIZE;
        size_t end = size - start > span ? start + span : size;
        if (add(arg, start, end) < 0)
            return -1;
        start = end;
    }
    return 0;
}

static int evtx_read_range(const unsigned char *data, size_t size, size_t start, size_t end,
                           ih_read_ctx *ctx, const ih_input_options *opt)
{
    reader rd;

    if (reader_init(&rd, opt) < 0)
        return -1;
    rd.listed_chunks = listed_chunks(data, size);
    int rc = 0;
    for (size_t at = start; rc == 0 && at < end; at += EVTX_CHUNK_SIZE) {
        size_t len = end - at < EVTX_CHUNK_SIZE ? end - at : EVTX_CHUNK_SIZE;
        rc = read_chunk(&rd, data + at, len, at, (at - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE,
                        ctx);
    }
    evtx_templates_free(rd.templates);
    return rc;
}

/* A stream read in order: the header, then one chunk at a time. */
typedef struct stream {
    reader rd;
    ih_read_ctx *ctx;
    uint8_t header[EVTX_FILE_HEADER_SIZE];
    size_t nheader;
    bool header_done;
    uint8_t chunk[EVTX_CHUNK_SIZE];
    size_t nchunk;
    uint64_t index; /* of the chunk being filled */
} stream;

static void *evtx_open(ih_read_ctx *ctx, const ih_input_options *opt)
{
    stream *s = malloc(sizeof(*s));

    if (!s)
        return NULL;
    if (reader_init(&s->rd, opt) < 0) {
        free(s);
        return NULL;
    }
    s->ctx = ctx;
    s->nheader = 0;
    s->header_done = false;
    s->nchunk = 0;
    s->index = 0;
    return s;
}

static uint64_t chunk_offset(uint64_t index)
{
    return EVTX_FILE_HEADER_SIZE + index * EVTX_CHUNK_SIZE;
}

static int evtx_feed(void *state, const unsigned char *buf, size_t len, ih_read_ctx *ctx)
{
    stream *s = state;

    while (len > 0) {
        if (!s->header_done) {
            size_t n = EVTX_FILE_HEADER_SIZE - s->nheader < len ? EVTX_FILE_HEADER_SIZE - s->nheader
                                                                : len;
            memcpy(s->header + s->nheader, buf, n);
            s->nheader += n;
            buf += n;
            len -= n;
            if (s->nheader == EVTX_FILE_HEADER_SIZE) {
                s->header_done = true;
                if (check_file_header(s->header, s->nheader, ctx, s->rd.opt,
                                      &s->rd.listed_chunks) < 0)
                    return -1;
            }
            continue;
        }
        size_t n = EVTX_CHUNK_SIZE - s->nchunk < len ? EVTX_CHUNK_SIZE - s->nchunk : len;
        memcpy(s->chunk + s->nchunk, buf, n);
        s->nchunk += n;
        buf += n;
        len -= n;
        if (s->nchunk == EVTX_CHUNK_SIZE) {
            int rc = read_chunk(&s->rd, s->chunk, s->nchunk, chunk_offset(s->index), s->index, ctx);
            s->nchunk = 0;
            s->index++;
            if (rc < 0)
                return -1;
        }
    }
    return 0;
}

static int evtx_finish(void *state, ih_read_ctx *ctx)
{
    stream *s = state;
    int rc = 0;

    if (!s->header_done) {
        rc = check_file_header(s->header, s->nheader, ctx, s->rd.opt, &s->rd.listed_chunks);
    } else {
        uint64_t size = chunk_offset(s->index) + s->nchunk;
        if (s->nchunk > 0)
            rc = read_chunk(&s->rd, s->chunk, s->nchunk, chunk_offset(s->index), s->index, ctx);
        if (rc == 0)
            rc = check_file_size(size, s->rd.listed_chunks, ctx);
    }
    evtx_templates_free(s->rd.templates);
    free(s);
    return rc;
}

const ih_binary_reader ih_reader_evtx = {
    .name = evtx_name,
    .probe = evtx_probe,
    .open = evtx_open,
    .feed = evtx_feed,
    .finish = evtx_finish,
    .split = evtx_split,
    .read_range = evtx_read_range,
};
