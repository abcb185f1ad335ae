/*
 * Output for the format writers: a buffered file that counts the bytes it
 * writes (or only counts them), JSON and CSV escaping, and the time formats
 * the simulated tools use.
 *
 * Ownership: a sim_out owns its FILE unless it writes to standard output.
 */
#ifndef IH_SIM_OUT_H
#define IH_SIM_OUT_H

#include <stdio.h>

#include "sim.h"

typedef struct sim_out {
    FILE *file;    /* NULL when only counting */
    bool owned;    /* close file at the end */
    int error;     /* errno of the first failed write, 0 when none */
    uint64_t bytes;
    char path[1024];
} sim_out;

/* Opens path for writing ("-" is standard output, NULL only counts). Returns 0, or -1 with err. */
int sim_out_open(sim_out *o, const char *path, char *err, size_t errlen);

/* Flushes and closes. Returns 0, or -1 with err naming the first failure. */
int sim_out_close(sim_out *o, char *err, size_t errlen);

void sim_out_write(sim_out *o, const char *s, size_t n);
void sim_out_puts(sim_out *o, const char *s);
void sim_out_printf(sim_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes s as a JSON string with its quotes. */
void sim_out_json(sim_out *o, const char *s);

/* Writes s as a CSV field, quoted when it contains a comma, a quote or a line break. */
void sim_out_csv(sim_out *o, const char *s);

/* Creates folder path (one level) unless it exists. Returns 0, or -1 with err. */
int sim_make_folder(const char *path, char *err, size_t errlen);

/* Joins folder and name into out; -1 when it does not fit. */
int sim_path_join(char *out, size_t cap, const char *folder, const char *name);

/* Time formats. Each writes into out, which must have room for 40 bytes. */
enum sim_time_style {
    SIM_TIME_SYSMON,      /* 2024-05-13 08:47:12.345, as Sysmon's UtcTime */
    SIM_TIME_SECONDS,     /* 2024-05-13 08:47:12, as nxlog's EventTime */
    SIM_TIME_ISO_MS,      /* 2024-05-13T08:47:12.345Z, as @timestamp */
    SIM_TIME_ISO_US,      /* 2024-05-13T08:47:12.345678Z, as Zeek's JSON streaming logs */
    SIM_TIME_ISO_7,       /* 2024-05-13T08:47:12.3456789Z, as Defender's Timestamp */
    SIM_TIME_EPOCH_US,    /* 1715590032.345678, as Zeek's ts */
    SIM_TIME_ZEEK_OPEN,   /* 2024-05-13-08-47-12, as Zeek's #open and #close */
};
void sim_time_text(ih_time t, enum sim_time_style style, char *out);

#endif
