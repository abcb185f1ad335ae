/*
 * The format writers of sim_defender.c, sim_sysmon.c and sim_zeek.c, which
 * sim_format.c lists in the format table. Each follows the contract of
 * sim_format in sim.h.
 */
#ifndef IH_SIM_FORMATS_H
#define IH_SIM_FORMATS_H

#include "sim_internal.h"

int sim_defender_json_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                           size_t errlen);
int sim_defender_csv_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                          size_t errlen);
void sim_defender_write(sim_writer *w, const sim_event *e);
int sim_defender_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen);

/* Layout names "nxlog" and "winlogbeat". */
int sim_sysmon_json_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                         size_t errlen);
void sim_sysmon_json_write(sim_writer *w, const sim_event *e);
int sim_sysmon_json_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen);

/* zeek-tsv (layout "files") and zeek-json (layouts "files" and "stream"). */
int sim_zeek_tsv_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                      size_t errlen);
int sim_zeek_json_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                       size_t errlen);
void sim_zeek_write(sim_writer *w, const sim_event *e);
int sim_zeek_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen);

/* suricata-eve: flow, dns, tls and http records of eve.json. */
int sim_suricata_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                      size_t errlen);
void sim_suricata_write(sim_writer *w, const sim_event *e);
int sim_suricata_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen);

/* pcap (layouts "pcap" and "pcapng"), through the capture writer of sim_pcap.c. */
int sim_packets_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                     size_t errlen);
void sim_packets_write(sim_writer *w, const sim_event *e);
int sim_packets_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen);

/* sysmon-evtx (layouts "live" and "exported"), through the EVTX writer of sim_evtx.c. */
int sim_sysmon_evtx_open(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                         size_t errlen);
void sim_sysmon_evtx_write(sim_writer *w, const sim_event *e);
int sim_sysmon_evtx_close(sim_writer *w, uint64_t *bytes, char *err, size_t errlen);

#endif
