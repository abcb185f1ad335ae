/*
 * Fuzz harness of the Defender CSV reader: the header, quoted fields that
 * span lines, and the mapping of each row to a connection event.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run_line_reader(&ih_reader_defender_csv, data, size);
    return 0;
}
