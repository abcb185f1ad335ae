/*
 * An RFC 4180 field splitter for comma-separated text.
 *
 * A record is a list of fields separated by commas. A field is either plain
 * text without quotes, or enclosed in double quotes, in which case it may
 * contain commas, line breaks and doubled quotes ("") that stand for one
 * quote. Because a quoted field may span lines, a reader that gets one line
 * at a time tracks the quoting state with csv_scan() and calls csv_split()
 * once the record is complete.
 *
 * Ownership: csv_split() writes the field contents into a buffer the caller
 * owns and returns views into it; nothing is allocated here.
 */
#ifndef IH_CSV_H
#define IH_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "../event/event.h"

/* The scanner's position in one record, after the bytes seen so far. */
typedef enum csv_state {
    CSV_FIELD_START = 0, /* at the start of a field: the start of the record or after a comma */
    CSV_UNQUOTED,        /* inside a field that did not start with a quote */
    CSV_QUOTED,          /* inside a quoted field: the record continues past a line break */
    CSV_QUOTED_QUOTE,    /* just after a quote inside a quoted field: "" or the closing quote */
} csv_state;

typedef struct csv_error {
    size_t offset;   /* byte offset of the problem in the record */
    char reason[64]; /* such as "text after a closing quote" */
} csv_error;

/*
 * Advances the quoting state over text[0..len) of one record and returns the
 * new state. Start a record with CSV_FIELD_START. A line break seen in the
 * CSV_QUOTED state belongs to the field, so a record is complete when a line
 * ends in any state other than CSV_QUOTED.
 */
csv_state csv_scan(csv_state state, const char *text, size_t len);

/*
 * Splits the complete record rec[0..len) into fields. Field contents, with
 * the enclosing quotes removed and "" turned into ", are written to out,
 * which must have room for len bytes. fields[i] points into out, and at most
 * max_fields views are stored. Returns the number of fields in the record,
 * which may exceed max_fields. Returns -1 and fills err when the quoting is
 * invalid: a quote inside a field that did not start with one, text after a
 * closing quote, or a quoted field that does not end.
 */
long csv_split(const char *rec, size_t len, char *out, ih_str *fields, size_t max_fields,
               csv_error *err);

#endif
