/*
 * Fuzz harness of the Suricata eve.json reader: flow, dns, tls and http
 * records split into lines. The per-stream tables link names to flows and
 * responses to queries, and what they still hold is emitted at the end.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run_line_reader(&ih_reader_suricata, data, size);
    return 0;
}
