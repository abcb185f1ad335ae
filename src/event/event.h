/*
 * Normalized events: the one model that readers produce and detectors consume.
 *
 * Ownership: an event's strings are views (ih_str) into memory that belongs to
 * the reader and stays valid only for the duration of the sink call that
 * delivers the event. A consumer that keeps a string copies or interns it.
 *
 * Unknown is not zero: every optional field has an explicit unknown value
 * (IH_UNKNOWN_BYTES, IH_UNKNOWN_PORT, an ih_str with ptr == NULL, an address
 * of family IH_AF_NONE), and consumers must test for it.
 */
#ifndef IH_EVENT_H
#define IH_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nanoseconds since 1970-01-01T00:00:00Z. */
typedef int64_t ih_time;
#define IH_TIME_NONE INT64_MIN
#define IH_NS_PER_SEC INT64_C(1000000000)
#define IH_NS_PER_HOUR (INT64_C(3600) * IH_NS_PER_SEC)
#define IH_NS_PER_DAY (INT64_C(24) * IH_NS_PER_HOUR)

#define IH_UNKNOWN_BYTES UINT64_MAX
#define IH_UNKNOWN_PORT (-1)
#define IH_UNKNOWN_PID (-1)

/* A string view; ptr == NULL means unknown, len == 0 with ptr != NULL means empty. */
typedef struct ih_str {
    const char *ptr;
    size_t len;
} ih_str;

#define IH_STR_NONE ((ih_str){NULL, 0})
#define IH_STR_LIT(s) ((ih_str){(s), sizeof(s) - 1})

static inline bool ih_str_known(ih_str s)
{
    return s.ptr != NULL;
}

enum ih_addr_family { IH_AF_NONE = 0, IH_AF_INET = 4, IH_AF_INET6 = 6 };

/* An IP address in network byte order; IPv4 uses the first four bytes. */
typedef struct ih_addr {
    uint8_t family;
    uint8_t bytes[16];
} ih_addr;

enum ih_protocol { IH_PROTO_UNKNOWN = 0, IH_PROTO_TCP, IH_PROTO_UDP, IH_PROTO_ICMP, IH_PROTO_OTHER };

enum ih_direction { IH_DIR_UNKNOWN = 0, IH_DIR_OUTBOUND, IH_DIR_INBOUND, IH_DIR_LOCAL };

/*
 * What became of a connection. The names follow Defender's ActionType values,
 * which the reference rule filters on; other sources map onto them as
 * documented in docs/EVENTS.md.
 */
enum ih_action {
    IH_ACTION_UNKNOWN = 0,
    IH_ACTION_SUCCESS,   /* ConnectionSuccess: the connection was established */
    IH_ACTION_ATTEMPT,   /* ConnectionAttempt: tried, outcome not recorded */
    IH_ACTION_FAILED,    /* ConnectionFailed: refused or timed out */
    IH_ACTION_INBOUND,   /* InboundConnectionAccepted */
    IH_ACTION_LISTENING, /* ListeningConnectionCreated */
    IH_ACTION_OTHER,     /* any other ActionType, kept verbatim in action_name */
};

/* A network connection seen from one device. */
typedef struct ih_conn {
    ih_time time;
    ih_str device_id;   /* Defender DeviceId; other sources reuse the device name */
    ih_str device_name; /* host name, or the local address where only that is known */
    ih_str process_name; /* file name only, as Defender's InitiatingProcessFileName */
    ih_str process_path;
    int64_t process_id;
    ih_str user;
    ih_addr local_addr;
    ih_addr remote_addr;
    ih_str remote_ip_text; /* the remote address as the source wrote it */
    int32_t local_port;
    int32_t remote_port;
    uint8_t protocol;  /* enum ih_protocol */
    uint8_t direction; /* enum ih_direction */
    uint8_t action;    /* enum ih_action */
    ih_str action_name; /* the source's own word: ActionType, conn_state, ... */
    ih_str remote_name; /* RemoteUrl, DestinationHostname, SNI or Host */
    uint64_t bytes_sent;
    uint64_t bytes_received;
} ih_conn;

#define IH_DNS_MAX_ANSWERS 32

enum ih_answer_kind { IH_ANSWER_ADDR = 1, IH_ANSWER_CNAME, IH_ANSWER_OTHER };

typedef struct ih_dns_answer {
    uint8_t kind;   /* enum ih_answer_kind */
    ih_addr addr;   /* for IH_ANSWER_ADDR */
    ih_str text;    /* the answer as written (address, CNAME target, other data) */
    int64_t ttl_s;  /* -1 when unknown */
} ih_dns_answer;

/* A DNS query and, where the source has it, its response. */
typedef struct ih_dns {
    ih_time time;
    ih_str device_id;
    ih_str device_name;
    ih_str process_name;
    ih_str process_path;
    int64_t process_id;
    ih_str user;
    ih_addr client_addr;
    ih_addr server_addr;
    ih_str query_name;
    int32_t query_type; /* numeric QTYPE, -1 unknown */
    ih_str query_type_name;
    int32_t rcode;      /* numeric RCODE, -1 unknown */
    ih_str rcode_name;
    size_t answer_count; /* answers stored below */
    size_t answers_dropped; /* answers beyond IH_DNS_MAX_ANSWERS */
    ih_dns_answer answers[IH_DNS_MAX_ANSWERS];
} ih_dns;

#define IH_OFFSET_FILE UINT64_MAX

/* Where an event came from, for error messages and the events listing. */
typedef struct ih_origin {
    const char *file;  /* path as given, or "-" for standard input */
    const char *format; /* reader name, such as "zeek-conn-tsv" */
    uint64_t line;     /* 1-based line, or 0 for binary formats */
    uint64_t offset;   /* byte offset of the record in the (decompressed) stream,
                          or IH_OFFSET_FILE for a problem with the whole file */
} ih_origin;

/* Clear every field of an event to its unknown value. */
void ih_conn_init(ih_conn *c);
void ih_dns_init(ih_dns *d);

const char *ih_action_name(enum ih_action a);
const char *ih_direction_name(enum ih_direction d);
const char *ih_protocol_name(enum ih_protocol p);

#endif
