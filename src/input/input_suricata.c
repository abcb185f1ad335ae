/* Suricata eve.json: not read yet; the layout accepts no record. */
#include "input.h"

static bool suricata_match(const json_doc *doc, int root)
{
    (void)doc;
    (void)root;
    return false;
}

static int suricata_record(const json_doc *doc, int root, ih_read_ctx *ctx)
{
    (void)doc;
    (void)root;
    (void)ctx;
    return 0;
}

const ih_json_layout ih_layout_suricata = {"suricata-json", suricata_match, suricata_record};
