/*
 * Fuzz harness of the JSON lines reader and its layouts (Defender advanced
 * hunting and streaming records, Sysmon in its three layouts, Zeek JSON):
 * the input is split into lines and read as a JSON lines file.
 */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run_line_reader(&ih_reader_json, data, size);
    return 0;
}
