/*
 * Packet captures, pcap and pcapng, read with libpcap: each packet is decoded
 * (pcap_packet.c) and handed to a flow table (pcap_flow.c), which emits
 * connections and DNS events. docs/sources/pcap.md describes the mapping.
 *
 * libpcap reads from a FILE. A mapped capture file is read in place through
 * fmemopen(), as one job, because a connection spans the whole capture. A
 * capture that arrives as a stream (standard input, gzip or zstd) is first
 * copied to an unlinked temporary file, because libpcap cannot take bytes as
 * they come. Its events appear when the stream ends.
 */
#include "input.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap_flow.h"
#include "pcap_packet.h"

static const char pcap_source[] = "pcap";

/* ---- Probe ---- */

static uint32_t get32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* True for the magic number of a classic pcap file, in either byte order and time resolution. */
static bool classic_magic(uint32_t m)
{
    return m == 0xA1B2C3D4 || m == 0xD4C3B2A1 || m == 0xA1B23C4D || m == 0x4D3CB2A1;
}

static int capture_probe(const unsigned char *head, size_t len)
{
    if (len < 4)
        return 0;
    if (classic_magic(get32le(head)))
        return 100;
    /* pcapng: a section header block, whose byte-order magic follows type and length. */
    if (get32le(head) == 0x0A0D0D0A && len >= 12) {
        uint32_t bom = get32le(head + 8);
        if (bom == 0x1A2B3C4D || bom == 0x4D3C2B1A)
            return 100;
    }
    return 0;
}

/* ---- Reading one capture ---- */

/* What the flow table's sink needs: the reader context. */
typedef struct capture_reader {
    ih_read_ctx *ctx;
} capture_reader;

static int sink_conn(void *arg, const ih_conn *c, uint64_t offset)
{
    ih_read_ctx *ctx = ((capture_reader *)arg)->ctx;

    ctx->origin.offset = offset;
    return ih_read_emit_conn(ctx, c) < 0 ? -1 : 0;
}

static int sink_dns(void *arg, const ih_dns *d, uint64_t offset)
{
    ih_read_ctx *ctx = ((capture_reader *)arg)->ctx;

    ctx->origin.offset = offset;
    return ih_read_emit_dns(ctx, d) < 0 ? -1 : 0;
}

static void sink_skip(void *arg, const char *reason)
{
    ih_read_skip(((capture_reader *)arg)->ctx, reason);
}

static void sink_bad(void *arg, uint64_t offset, const char *reason, const char *detail)
{
    ih_read_ctx *ctx = ((capture_reader *)arg)->ctx;

    ctx->origin.offset = offset;
    ih_read_bad(ctx, reason, "%s", detail);
}

/* Counts or reports a packet that yields no TCP or UDP segment. */
static void packet_not_read(ih_read_ctx *ctx, int status, const pcap_packet *p)
{
    switch (status) {
    case PCAP_PACKET_NOT_IP:
        ih_read_skip(ctx, "packet not IPv4 or IPv6");
        break;
    case PCAP_PACKET_FRAGMENT:
        ih_read_skip(ctx, "IP fragment (not reassembled)");
        break;
    case PCAP_PACKET_TRUNCATED:
        ih_read_skip(ctx, "packet cut short by the capture");
        break;
    case PCAP_PACKET_OTHER:
        ih_read_skip(ctx, "IP protocol other than TCP and UDP");
        break;
    default:
        ih_read_bad(ctx, "invalid packet", "%s", p->problem);
        break;
    }
}

/*
 * Reads every packet of the capture in file f, which it closes. ng is true
 * for pcapng, whose records have no fixed header size, so their offsets come
 * from ftell(). Returns 0, or -1 when reading must stop.
 */
static int read_capture(FILE *f, bool ng, ih_read_ctx *ctx)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);

    ctx->origin.format = pcap_source;
    ctx->origin.line = 0;
    ctx->origin.offset = 0;
    if (!p) {
        fclose(f);
        ih_read_bad(ctx, "invalid capture", "%s", errbuf);
        return ctx->diag->stop ? -1 : 0;
    }
    int link = pcap_datalink(p);
    if (!pcap_packet_link_supported(link)) {
        const char *name = pcap_datalink_val_to_name(link);
        ih_read_bad(ctx, "unsupported link type", "%s (%d); Ethernet, Linux cooked, raw IP and "
                    "loopback captures are read", name ? name : "unknown", link);
        pcap_close(p);
        return ctx->diag->stop ? -1 : 0;
    }

    capture_reader cr = {ctx};
    pcap_flow_sink sink = {sink_conn, sink_dns, sink_skip, sink_bad, &cr};
    pcap_flows *flows = pcap_flows_new(&sink, NULL);
    if (!flows) {
        pcap_close(p);
        return -1;
    }

    int rc = 0, next;
    uint64_t offset = 24; /* the classic file header */
    struct pcap_pkthdr *h;
    const u_char *data;
    for (;;) {
        long at = ng ? ftell(f) : 0;
        if ((next = pcap_next_ex(p, &h, &data)) != 1)
            break;
        uint64_t record = offset;
        if (ng)
            record = at < 0 ? 0 : (uint64_t)at;
        offset += 16 + (uint64_t)h->caplen;

        ctx->origin.offset = record;
        ih_read_count_record(ctx, pcap_source);
        pcap_packet pkt;
        int status = PCAP_PACKET_MALFORMED;
        ih_time t = 0;
        /* 64-bit nanoseconds reach from 1677 to 2262; pcapng time stamps can go beyond. The
           margin leaves room for a fraction field of up to 4.3 s, which libpcap does not check. */
        if (h->ts.tv_sec > INT64_MIN / IH_NS_PER_SEC + 10 && h->ts.tv_sec < INT64_MAX / IH_NS_PER_SEC - 10) {
            t = (ih_time)h->ts.tv_sec * IH_NS_PER_SEC + (ih_time)h->ts.tv_usec;
            status = pcap_packet_decode(link, data, h->caplen, &pkt);
        } else {
            snprintf(pkt.problem, sizeof(pkt.problem), "time stamp %lld s from 1970, beyond 2262",
                     (long long)h->ts.tv_sec);
        }
        if (status != PCAP_PACKET_OK)
            packet_not_read(ctx, status, &pkt);
        else if (pcap_flows_packet(flows, t, record, &pkt) < 0)
            rc = -1;
        if (rc < 0 || ctx->diag->stop) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && next == PCAP_ERROR) {
        /* A damaged or cut record ends the capture; what was read before it stays. */
        ctx->origin.offset = ng ? (uint64_t)ftell(f) : offset;
        ih_read_bad(ctx, "invalid capture", "%s; the rest of the file is not read", pcap_geterr(p));
        if (ctx->diag->stop)
            rc = -1;
    }
    if (rc == 0 && pcap_flows_finish(flows) < 0)
        rc = -1;
    pcap_flows_free(flows);
    pcap_close(p);
    return rc;
}

/* ---- Mapped files: one job read in place ---- */

static int capture_split(const unsigned char *data, size_t size, ih_read_ctx *ctx,
                      const ih_input_options *opt, ih_add_range_fn add, void *arg)
{
    (void)data;
    (void)ctx;
    (void)opt;
    return add(arg, 0, size);
}

static int capture_read_range(const unsigned char *data, size_t size, size_t start, size_t end,
                           ih_read_ctx *ctx, const ih_input_options *opt)
{
    (void)size;
    (void)opt;
    size_t len = end - start;
    bool ng = len >= 4 && !classic_magic(get32le(data + start));

    /* fmemopen() only reads in mode "r"; the cast does not lead to a write. */
    FILE *f = len ? fmemopen((void *)(data + start), len, "r") : NULL;
    if (!f) {
        ctx->origin.format = pcap_source;
        ctx->origin.offset = 0;
        ih_read_bad(ctx, "invalid capture", "%s", len ? strerror(errno) : "the file is empty");
        return ctx->diag->stop ? -1 : 0;
    }
    return read_capture(f, ng, ctx);
}

/* ---- Streams: copied to a temporary file, then read ---- */

typedef struct spool {
    FILE *file;
    uint64_t bytes;
    bool failed; /* a write failed, reported once; the rest of the stream is dropped */
    unsigned char magic[4];
} spool;

static void *capture_open(ih_read_ctx *ctx, const ih_input_options *opt)
{
    (void)opt;
    spool *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;

    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/infrahunt-capture-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0) {
        unlink(path);
        s->file = fdopen(fd, "w+b");
        if (!s->file)
            close(fd);
    }
    if (!s->file) {
        ctx->origin.format = pcap_source;
        ctx->origin.offset = 0;
        ih_read_bad(ctx, "unreadable input", "cannot create a temporary file for the capture in %s: %s",
                    dir && *dir ? dir : "/tmp", strerror(errno));
        s->failed = true;
    }
    return s;
}

static int capture_feed(void *state, const unsigned char *buf, size_t len, ih_read_ctx *ctx)
{
    spool *s = state;

    if (s->failed)
        return 0;
    for (size_t i = 0; i < len && s->bytes + i < 4; i++)
        s->magic[s->bytes + i] = buf[i];
    if (fwrite(buf, 1, len, s->file) != len) {
        ctx->origin.format = pcap_source;
        ctx->origin.offset = s->bytes;
        ih_read_bad(ctx, "unreadable input", "cannot write the capture to a temporary file: %s",
                    strerror(errno));
        s->failed = true;
        return ctx->diag->stop ? -1 : 0;
    }
    s->bytes += len;
    return 0;
}

static int capture_finish(void *state, ih_read_ctx *ctx)
{
    spool *s = state;
    int rc = 0;

    if (!s->failed && fflush(s->file) == 0 && fseek(s->file, 0, SEEK_SET) == 0) {
        bool ng = s->bytes >= 4 && !classic_magic(get32le(s->magic));
        rc = read_capture(s->file, ng, ctx);
        s->file = NULL; /* closed by read_capture */
    }
    if (s->file)
        fclose(s->file);
    free(s);
    return rc;
}

const ih_binary_reader ih_reader_pcap = {
    .name = "pcap",
    .probe = capture_probe,
    .open = capture_open,
    .feed = capture_feed,
    .finish = capture_finish,
    .split = capture_split,
    .read_range = capture_read_range,
};
