#include "event.h"

#include <string.h>

void ih_conn_init(ih_conn *c)
{
    memset(c, 0, sizeof(*c));
    c->time = IH_TIME_NONE;
    c->process_id = IH_UNKNOWN_PID;
    c->local_port = IH_UNKNOWN_PORT;
    c->remote_port = IH_UNKNOWN_PORT;
    c->bytes_sent = IH_UNKNOWN_BYTES;
    c->bytes_received = IH_UNKNOWN_BYTES;
}

void ih_dns_init(ih_dns *d)
{
    /* The answer array is left as is: answer_count says how much of it is valid. */
    memset(d, 0, offsetof(ih_dns, answers));
    d->time = IH_TIME_NONE;
    d->process_id = IH_UNKNOWN_PID;
    d->query_type = -1;
    d->rcode = -1;
}

const char *ih_action_name(enum ih_action a)
{
    switch (a) {
    case IH_ACTION_SUCCESS: return "success";
    case IH_ACTION_ATTEMPT: return "attempt";
    case IH_ACTION_FAILED: return "failed";
    case IH_ACTION_INBOUND: return "inbound";
    case IH_ACTION_LISTENING: return "listening";
    case IH_ACTION_OTHER: return "other";
    case IH_ACTION_UNKNOWN: break;
    }
    return "unknown";
}

const char *ih_direction_name(enum ih_direction d)
{
    switch (d) {
    case IH_DIR_OUTBOUND: return "outbound";
    case IH_DIR_INBOUND: return "inbound";
    case IH_DIR_LOCAL: return "local";
    case IH_DIR_UNKNOWN: break;
    }
    return "unknown";
}

const char *ih_protocol_name(enum ih_protocol p)
{
    switch (p) {
    case IH_PROTO_TCP: return "tcp";
    case IH_PROTO_UDP: return "udp";
    case IH_PROTO_ICMP: return "icmp";
    case IH_PROTO_OTHER: return "other";
    case IH_PROTO_UNKNOWN: break;
    }
    return "unknown";
}
