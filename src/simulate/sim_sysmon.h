/*
 * Sysmon events for simulated activity: which event a simulated event
 * produces, and its data fields as Sysmon renders them. The JSON writer
 * (sim_sysmon.c) and an EVTX writer share this, so both formats carry the
 * same events.
 *
 * Sysmon logs an established outbound TCP connection as event ID 3
 * (NetworkConnect) and every lookup a process makes through the Windows DNS
 * API as event ID 22 (DnsQuery), whether the resolver cache answered it or
 * not. It records no failed connections, no byte counts and no TTLs.
 */
#ifndef IH_SIM_SYSMON_H
#define IH_SIM_SYSMON_H

#include "sim.h"

/* The way a Sysmon version writes empty values. */
enum sim_sysmon_style {
    /* Sysmon 10 and later (the 2020 OTRF recordings): "-" for an empty rule name, host
       name or port name. */
    SIM_SYSMON_CURRENT,
    /* Sysmon 8 and 9 (the 2019 OTRF recordings): empty strings, and a service name for
       ports 53, 80 and 443. */
    SIM_SYSMON_2019,
};

#define SIM_SYSMON_PROVIDER "Microsoft-Windows-Sysmon"
#define SIM_SYSMON_PROVIDER_GUID "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"
#define SIM_SYSMON_CHANNEL "Microsoft-Windows-Sysmon/Operational"
#define SIM_SYSMON_MAX_FIELDS 18

/*
 * One Sysmon event. Field values are text as Sysmon renders them. In the
 * event's template, ProcessId is UInt32, SourcePort and DestinationPort are
 * UInt16, Initiated, SourceIsIpv6 and DestinationIsIpv6 are Boolean, and
 * ProcessGuid is a GUID. The others are strings.
 */
typedef struct sim_sysmon_event {
    uint16_t event_id;      /* 3 or 22; also the task number */
    uint8_t version;        /* 5, the template version of both events */
    ih_time utc_time;       /* UtcTime, whole milliseconds */
    ih_time time_created;   /* System/TimeCreated: when Sysmon wrote the record */
    const sim_host *host;   /* Computer and the writing process (Sysmon64.exe) */
    size_t nfields;
    const char *names[SIM_SYSMON_MAX_FIELDS];
    const char *values[SIM_SYSMON_MAX_FIELDS];
    char text[2048];        /* storage for values */
} sim_sysmon_event;

/*
 * Fills s with the Sysmon event that e produces, fields in template order.
 * Returns 1, or 0 when Sysmon logs nothing for e.
 */
int sim_sysmon_event_fill(const sim_event *e, enum sim_sysmon_style style, sim_sysmon_event *s);

/* The first line of the event's rendered message, such as "Network connection detected:". */
const char *sim_sysmon_message_title(const sim_sysmon_event *s);

#endif
