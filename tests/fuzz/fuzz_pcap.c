/*
 * Fuzz harness of the capture reader. Each input is read twice:
 *
 * 1. as a capture file, through the reader's mapped path (libpcap over
 *    fmemopen, the packet decoder, the flow table, DNS, TLS and HTTP);
 * 2. as a list of frames for the decoder and a flow table directly, so that
 *    mutations reach them without first having to form a valid file: each
 *    frame is a link-type selector byte, a 2-byte length and the frame.
 */
#include "harness.h"

#include "../../src/input/pcap_flow.h"
#include "../../src/input/pcap_packet.h"

static const ih_origin frame_origin = {"fuzz-input", "pcap", 0, 0};

static int frame_conn(void *arg, const ih_conn *c, uint64_t offset)
{
    (void)arg;
    (void)offset;
    return harness_conn(NULL, c, &frame_origin);
}

static int frame_dns(void *arg, const ih_dns *d, uint64_t offset)
{
    (void)arg;
    (void)offset;
    return harness_dns(NULL, d, &frame_origin);
}

static void frame_skip(void *arg, const char *reason)
{
    (void)arg;
    harness_touch_text(reason);
}

static void frame_bad(void *arg, uint64_t offset, const char *reason, const char *detail)
{
    (void)arg;
    (void)offset;
    harness_touch_text(reason);
    harness_touch_text(detail);
}

static void read_frames(const uint8_t *data, size_t size)
{
    static const int links[] = {PCAP_LINK_ETHERNET, PCAP_LINK_SLL, PCAP_LINK_SLL2, PCAP_LINK_RAW,
                                PCAP_LINK_NULL, PCAP_LINK_LOOP, PCAP_LINK_IPV4, PCAP_LINK_IPV6};
    pcap_flow_sink sink = {frame_conn, frame_dns, frame_skip, frame_bad, NULL};
    /* Short timeouts and a small table, so that expiry and eviction run too. */
    pcap_flow_limits limits = {IH_NS_PER_SEC, IH_NS_PER_SEC / 10, IH_NS_PER_SEC / 2, 8, 2};
    pcap_flows *t = pcap_flows_new(&sink, &limits);
    if (!t)
        harness_fail("out of memory");

    ih_time time = 0;
    for (size_t at = 0; size - at >= 3;) {
        int link = links[data[at] & 7];
        size_t len = (size_t)(data[at + 1] << 8 | data[at + 2]);
        at += 3;
        if (len > size - at)
            len = size - at;
        /* Each frame copied to its own allocation, so reading past it is caught. */
        uint8_t *frame = malloc(len ? len : 1);
        if (!frame)
            harness_fail("out of memory");
        memcpy(frame, data + at, len);
        pcap_packet p;
        time += (ih_time)(data[at - 3] >> 3) * (IH_NS_PER_SEC / 20);
        if (pcap_packet_decode(link, frame, len, &p) == PCAP_PACKET_OK) {
            if (p.payload_captured > p.payload_len)
                harness_fail("more payload captured than sent");
            if (pcap_flows_packet(t, time, at, &p) < 0)
                harness_fail("the flow table asked to stop");
        }
        free(frame);
        at += len;
    }
    if (pcap_flows_finish(t) < 0)
        harness_fail("the flow table asked to stop at the end");
    pcap_flows_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ih_diag diag;
    ih_read_ctx ctx;
    ih_input_options opt;

    memset(&opt, 0, sizeof(opt));
    ih_diag_init(&diag, false);
    ih_read_ctx_init(&ctx, &harness_sink, &diag);
    ctx.origin.file = "fuzz-input";
    if (ih_reader_pcap.read_range(data, size, 0, size, &ctx, &opt) < 0)
        harness_fail("read_range() asked to stop without a reason");
    ih_read_ctx_free(&ctx);
    ih_diag_print_messages(&diag, harness_null());
    ih_diag_free(&diag);

    read_frames(data, size);
    return 0;
}
