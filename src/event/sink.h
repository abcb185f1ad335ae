/*
 * The meeting point of readers and consumers: a reader hands each event to a
 * sink, and never learns what the sink does with it.
 */
#ifndef IH_SINK_H
#define IH_SINK_H

#include "event.h"

typedef struct ih_sink ih_sink;

struct ih_sink {
    /* Each returns 0, or -1 to ask the reader to stop (out of memory). */
    int (*conn)(ih_sink *s, const ih_conn *c, const ih_origin *o);
    int (*dns)(ih_sink *s, const ih_dns *d, const ih_origin *o);
    void *ctx;
};

#endif
