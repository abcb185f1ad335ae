/*
 * Fuzz harness of the Zeek TSV reader: header lines (#separator, #fields,
 * #path and the markers) and conn.log and dns.log records, split into lines.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run_line_reader(&ih_reader_zeek_tsv, data, size);
    return 0;
}
