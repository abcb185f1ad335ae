/*
 * A progress bar on a terminal for long scans: bytes and events read, the
 * rate, and the time left when the total size is known. A thread of its own
 * redraws one line of the terminal four times a second, from counters that
 * the reading threads add to. It starts drawing only after half a second,
 * so short scans print nothing.
 */
#ifndef IH_PROGRESS_H
#define IH_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct output_progress output_progress;

/*
 * True when a progress bar belongs on tty: it is a terminal, and TERM is
 * set and not "dumb", so that carriage return and erase-line work.
 */
bool output_progress_supported(FILE *tty);

/* Starts the drawing thread on tty. NULL when out of memory or no thread could start. */
output_progress *output_progress_start(FILE *tty);

/* Sets the total input size in bytes; 0 means unknown. Thread-safe. */
void output_progress_total(void *progress, uint64_t bytes);

/* Adds bytes and events read. Thread-safe, and cheap enough to call per block. */
void output_progress_add(void *progress, uint64_t bytes, uint64_t events);

/* Stops the thread, erases the bar and frees p; NULL is allowed. */
void output_progress_stop(output_progress *p);

#endif
