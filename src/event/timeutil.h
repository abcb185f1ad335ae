/*
 * Parsing and formatting of event times. All times are UTC nanoseconds since
 * the Unix epoch (ih_time); a text without a zone is taken as UTC.
 */
#ifndef IH_TIMEUTIL_H
#define IH_TIMEUTIL_H

#include <stddef.h>

#include "event.h"

/*
 * Parses "YYYY-MM-DD[T ]hh:mm:ss[.fraction][Z|+hh:mm|-hh:mm]". Digits of the
 * fraction past nanoseconds are dropped. Returns 0, or -1 if the text is not
 * such a time or names an impossible date.
 */
int ih_time_parse_iso(const char *s, size_t len, ih_time *out);

/* Parses decimal seconds since the epoch, such as Zeek's "1713484795.943239". */
int ih_time_parse_epoch(const char *s, size_t len, ih_time *out);

/* Parses either form. */
int ih_time_parse(const char *s, size_t len, ih_time *out);

/* Days since the epoch of a proleptic Gregorian date. */
int64_t ih_days_from_civil(int64_t y, unsigned m, unsigned d);

#define IH_TIME_TEXT_MAX 40

/*
 * Writes t as RFC 3339 UTC with as many fraction digits as needed in groups
 * of three (none, milliseconds, microseconds or nanoseconds), for example
 * "2024-04-19T00:00:01.5Z" is written "2024-04-19T00:00:01.500Z".
 */
void ih_time_format(ih_time t, char out[IH_TIME_TEXT_MAX]);

/* Writes t with exactly seven fraction digits, as Defender writes Timestamp. */
void ih_time_format_7(ih_time t, char out[IH_TIME_TEXT_MAX]);

#endif
