/*
 * An EVTX (Windows XML Event Log) writer for tests and benchmarks: Sysmon
 * event 3 (network connection) and event 22 (DNS query) records with the
 * field types Sysmon uses, and events of any provider with text fields.
 *
 * The writer follows libyal's "Windows XML Event Log (EVTX) format": a
 * 4096-byte file header, 65536-byte chunks with CRC32 checksums and the
 * string and template hash tables, records whose binary XML is a template
 * instance. Each chunk defines a template and each element name once, in
 * the first record that uses it, and later records refer back to them. It
 * shares no code with infrahunt's EVTX reader, and evtxexport and
 * python-evtx read its files.
 *
 * Ownership: a sim_evtx writes to a FILE it does not own and does not close.
 * The FILE must be seekable: sim_evtx_close() rewrites the file header.
 */
#ifndef IH_SIM_EVTX_H
#define IH_SIM_EVTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../event/event.h"

enum sim_evtx_layout {
    /* EventData in the record's template, next to System. */
    SIM_EVTX_FLAT,
    /* EventData as a second template instance inside a binary XML value of the
       first, with the computer name as literal text: the layout of logs saved by
       Event Viewer or wevtutil. */
    SIM_EVTX_NESTED,
};

typedef struct sim_evtx_options {
    enum sim_evtx_layout layout;
    unsigned records_per_chunk; /* start a new chunk after this many records; 0: only when full */
    bool dirty;                 /* set the file header's dirty flag */
} sim_evtx_options;

typedef struct sim_evtx sim_evtx;

/* Writes a placeholder file header. Returns NULL when out of memory or the write fails. */
sim_evtx *sim_evtx_open(FILE *out, const sim_evtx_options *opt);

/*
 * Writes the last chunk and the final file header, and frees w; the FILE
 * stays open. Returns 0, or -1 when a write or the seek back to the header
 * failed, now or earlier.
 */
int sim_evtx_close(sim_evtx *w);

/* A Sysmon event 3, in the fields and value types of Sysmon's schema. */
typedef struct sim_evtx_conn {
    ih_time time;         /* UtcTime, and the time the record was written */
    const char *computer;
    const char *rule_name; /* NULL writes an empty string, as Sysmon does */
    uint32_t process_id;
    const char *image;
    const char *user;
    const char *protocol; /* "tcp" or "udp" */
    bool initiated;
    bool source_is_ipv6;
    const char *source_ip;
    const char *source_hostname;
    uint16_t source_port;
    const char *source_port_name;
    bool destination_is_ipv6;
    const char *destination_ip;
    const char *destination_hostname;
    uint16_t destination_port;
    const char *destination_port_name;
} sim_evtx_conn;

/* A Sysmon event 22. */
typedef struct sim_evtx_dns {
    ih_time time;
    const char *computer;
    const char *rule_name;
    uint32_t process_id;
    const char *query_name;
    const char *query_status;  /* a Windows status code as text, "0" for success */
    const char *query_results; /* "type:  5 name;::ffff:1.2.3.4;" or "-" */
    const char *image;
    const char *user;
} sim_evtx_dns;

/* A field of the EventData of sim_evtx_write_event(): a Data element with a text value. */
typedef struct sim_evtx_field {
    const char *name;
    const char *text; /* UTF-8; NULL writes a NULL value, which readers show as empty */
} sim_evtx_field;

/* Any event: its System fields and EventData fields that are all text. */
typedef struct sim_evtx_event {
    const char *provider; /* Provider Name, such as "Microsoft-Windows-Sysmon" */
    const char *channel;  /* such as "Microsoft-Windows-Sysmon/Operational" */
    uint16_t event_id;
    const char *computer;
    ih_time time;
    const sim_evtx_field *fields;
    size_t nfields;
} sim_evtx_event;

/* Each writes one record; returns 0, or -1 when the record does not fit a chunk or a write fails. */
int sim_evtx_write_conn(sim_evtx *w, const sim_evtx_conn *c);
int sim_evtx_write_dns(sim_evtx *w, const sim_evtx_dns *d);
int sim_evtx_write_event(sim_evtx *w, const sim_evtx_event *e);

/* File offset of the record written last, for tests that damage it. */
uint64_t sim_evtx_record_offset(const sim_evtx *w);

/* Records written so far. */
uint64_t sim_evtx_records(const sim_evtx *w);

#endif
