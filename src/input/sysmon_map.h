/*
 * The Sysmon field mapping shared by the readers of Sysmon events: event ID 3
 * (network connection) becomes a connection event and event ID 22 (DNS
 * query) a DNS event, whatever the container (JSON lines, EVTX).
 *
 * A reader decides that a record is a Sysmon event 3 or 22, then calls
 * ih_sysmon_map_event() with an ih_sysmon_access that fetches each field of
 * that record as text. Field values, and the strings of the emitted event,
 * live in the reader's record memory (ih_read_alloc()) or in the record
 * itself. docs/sources/sysmon.md documents the mapping.
 */
#ifndef IH_SYSMON_MAP_H
#define IH_SYSMON_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "input.h"

/* The Sysmon event fields the mapping reads, named as in the Sysmon schema. */
enum ih_sysmon_field {
    IH_SYSMON_UTC_TIME,
    IH_SYSMON_IMAGE,
    IH_SYSMON_PROCESS_ID,
    IH_SYSMON_USER,
    IH_SYSMON_INITIATED,
    IH_SYSMON_PROTOCOL,
    IH_SYSMON_SOURCE_IP,
    IH_SYSMON_SOURCE_PORT,
    IH_SYSMON_SOURCE_HOSTNAME,
    IH_SYSMON_SOURCE_IS_IPV6,
    IH_SYSMON_DESTINATION_IP,
    IH_SYSMON_DESTINATION_PORT,
    IH_SYSMON_DESTINATION_HOSTNAME,
    IH_SYSMON_DESTINATION_IS_IPV6,
    IH_SYSMON_QUERY_NAME,
    IH_SYSMON_QUERY_STATUS,
    IH_SYSMON_QUERY_RESULTS,
    IH_SYSMON_FIELD_COUNT
};

/* Field names by enum ih_sysmon_field: "UtcTime", "Image", ... */
extern const char *const ih_sysmon_field_names[IH_SYSMON_FIELD_COUNT];

/* The outcome of reading one field: read, bad (already reported), or out of record memory. */
enum ih_field_result { IH_FIELD_OK, IH_FIELD_BAD, IH_FIELD_NO_MEMORY };

/*
 * How the mapping reaches one record's fields. text() and computer() are
 * required. The fallbacks are for layouts that keep a field somewhere else,
 * and are NULL where the layout has no such place; each is called only when
 * the Sysmon field is absent or "-".
 */
typedef struct ih_sysmon_access {
    /* Reads a field as text; *out is IH_STR_NONE when the record lacks it. */
    enum ih_field_result (*text)(void *rec, ih_read_ctx *ctx, enum ih_sysmon_field field,
                                 ih_str *out);
    /* Reads the name of the computer that logged the event; IH_STR_NONE when unknown. */
    enum ih_field_result (*computer)(void *rec, ih_read_ctx *ctx, ih_str *out);
    /* Returns the process id from elsewhere in the record, or -1. */
    int64_t (*process_id_fallback)(void *rec);
    enum ih_field_result (*user_fallback)(void *rec, ih_read_ctx *ctx, ih_str *user);
    /* Sets *initiated to 1 (outbound), 0 (inbound) or leaves it -1. */
    enum ih_field_result (*initiated_fallback)(void *rec, ih_read_ctx *ctx, int *initiated);
    enum ih_field_result (*answers_fallback)(void *rec, ih_read_ctx *ctx, ih_dns *d);
} ih_sysmon_access;

/*
 * Maps a Sysmon event 3 or 22 (event_id) to a connection or DNS event and
 * emits it, or reports the record as bad. Returns 1, or -1 when reading must
 * stop (out of record memory, or the sink asked to stop).
 */
int ih_sysmon_map_event(ih_read_ctx *ctx, const ih_sysmon_access *access, void *rec,
                        int64_t event_id);

/* Helpers the readers share with the mapping. */

/* Reports "invalid NAME": NAME is "VALUE", expected EXPECTED; the value is cut to 60 bytes. */
void ih_sysmon_report_text(ih_read_ctx *ctx, const char *name, ih_str s, const char *expected);

/* ASCII case-insensitive comparison of s with lit; false when s is unknown. */
bool ih_sysmon_text_equal_nocase(ih_str s, const char *lit);

/* Parses decimal digits only (no sign, no spaces) up to max. */
bool ih_sysmon_parse_decimal(ih_str s, uint64_t max, uint64_t *out);

/*
 * Parses a DNS answer address. Sysmon writes A records as IPv4-mapped IPv6
 * ("::ffff:1.2.3.4"), which are stored as IPv4 addresses.
 */
bool ih_sysmon_parse_answer_addr(ih_str s, ih_addr *addr);

/* Appends an answer, or counts it in answers_dropped when the array is full. */
void ih_sysmon_add_answer(ih_dns *d, uint8_t kind, const ih_addr *addr, ih_str text);

#endif
