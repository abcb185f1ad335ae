/* RFC 4180 field splitting; see csv.h. */
#include "csv.h"

#include <stdio.h>
#include <string.h>

csv_state csv_scan(csv_state state, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        switch (state) {
        case CSV_FIELD_START:
            if (c == '"')
                state = CSV_QUOTED;
            else if (c != ',')
                state = CSV_UNQUOTED;
            break;
        case CSV_UNQUOTED:
            /* A stray quote here is an error for csv_split(), not the start of quoting. */
            if (c == ',')
                state = CSV_FIELD_START;
            break;
        case CSV_QUOTED:
            if (c == '"')
                state = CSV_QUOTED_QUOTE;
            break;
        case CSV_QUOTED_QUOTE:
            if (c == '"')
                state = CSV_QUOTED; /* a doubled quote */
            else if (c == ',')
                state = CSV_FIELD_START;
            else
                state = CSV_UNQUOTED; /* text after the closing quote: csv_split() rejects it */
            break;
        }
    }
    return state;
}

static long split_fail(csv_error *err, size_t offset, const char *reason)
{
    err->offset = offset;
    snprintf(err->reason, sizeof(err->reason), "%s", reason);
    return -1;
}

long csv_split(const char *rec, size_t len, char *out, ih_str *fields, size_t max_fields,
               csv_error *err)
{
    size_t nfields = 0, i = 0, o = 0;

    for (;;) {
        size_t start = o;

        if (i < len && rec[i] == '"') {
            /* Quoted field: copy up to the closing quote, turning "" into ". */
            size_t open = i++;
            for (;;) {
                if (i >= len)
                    return split_fail(err, open, "quoted field does not end");
                if (rec[i] != '"') {
                    out[o++] = rec[i++];
                } else if (i + 1 < len && rec[i + 1] == '"') {
                    out[o++] = '"';
                    i += 2;
                } else {
                    i++;
                    break;
                }
            }
            if (i < len && rec[i] != ',')
                return split_fail(err, i, "text after a closing quote");
        } else {
            while (i < len && rec[i] != ',') {
                if (rec[i] == '"')
                    return split_fail(err, i, "quote inside an unquoted field");
                out[o++] = rec[i++];
            }
        }

        if (nfields < max_fields)
            fields[nfields] = (ih_str){out + start, o - start};
        nfields++;

        if (i >= len)
            break;
        i++; /* the comma; a comma at the very end starts one more, empty field */
    }
    return (long)nfields;
}
