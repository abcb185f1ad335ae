/*
 * Simulated telemetry for the reference rule's three tests, alone or inside
 * benign background traffic, in the formats infrahunt reads.
 *
 * The generator produces one time-ordered stream of activity events:
 * connections and DNS queries, as the host and the network saw them. A format
 * writer renders each event as the real tool would log it, as Defender rows,
 * Sysmon event IDs 3 and 22, or Zeek conn.log and dns.log records. Writers
 * never use infrahunt's readers, so reading simulated files back tests one
 * against the other.
 *
 * Determinism: the same options and seed give the same events, and the same
 * bytes from the same build. Each test and each background actor draws from
 * its own random stream, so a test's events do not change with --background.
 *
 * Ownership: the generator owns the hosts and processes that events point
 * to; they stay valid until sim_gen_free(). An event's names and answers are
 * arrays inside the caller's sim_event, and service names are static.
 */
#ifndef IH_SIM_H
#define IH_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../event/event.h"

/* The reference rule's tests, as a bit mask. */
enum sim_test {
    SIM_TEST_BEACON = 1u << 0,   /* powershell.exe calls one public IP on 8080 every 30 s */
    SIM_TEST_DDNS = 1u << 1,     /* lookups of duckdns.org, ddns.net, hopto.org names, then calls */
    SIM_TEST_FASTFLUX = 1u << 2, /* powershell.exe calls 10 or more IPs of one name on port 80 */
    SIM_TEST_ALL = 7u,
};

/* Parses "beacon", "ddns", "fastflux" or "all"; returns the mask, or 0 for another name. */
unsigned sim_test_parse(const char *name);

/* The name of one test bit ("beacon", "ddns", "fastflux"). */
const char *sim_test_name(unsigned test);

/* 2024-05-13T08:00:00Z, a Monday morning, in nanoseconds. */
#define SIM_DEFAULT_START (INT64_C(1715587200) * IH_NS_PER_SEC)
#define SIM_DEFAULT_SEED 1
/* The background covers this long after the start; the tests lie inside it. */
#define SIM_SPAN (INT64_C(6) * IH_NS_PER_HOUR)

typedef struct sim_options {
    unsigned tests;      /* mask of enum sim_test; 0 writes background only */
    uint64_t seed;
    uint64_t background; /* benign events around the tests */
    ih_time start;
} sim_options;

void sim_options_init(sim_options *o);

/* --- The simulated network --- */

/* A Windows device (workstation or server) on the monitored network. */
typedef struct sim_host {
    uint32_t index;        /* 0-based, dense: writers keep per-host counters in arrays */
    char computer[64];     /* FQDN as Windows event logs write it: "WS-FIN-07.acme.local" */
    char device_name[64];  /* FQDN as Defender writes DeviceName: lower case */
    char device_id[41];    /* Defender DeviceId, 40 hex digits */
    char ip[16];           /* IPv4 address on the LAN */
    char guid_prefix[9];   /* first group of Sysmon ProcessGuids on this host */
    uint32_t sysmon_pid;   /* Sysmon64.exe, the process that writes the events */
    uint32_t sysmon_tid;
} sim_host;

enum sim_account { SIM_ACCOUNT_USER = 1, SIM_ACCOUNT_SYSTEM, SIM_ACCOUNT_NETWORK_SERVICE,
                   SIM_ACCOUNT_LOCAL_SERVICE };

/* An executable image and what Windows reports about it. */
typedef struct sim_image {
    const char *path;        /* as Sysmon writes Image */
    const char *company;     /* version information */
    const char *product;
    const char *version;
    const char *description;
    const char *original_name;
    uint64_t file_size;
    const char *arguments;   /* command line after the quoted image path; "" for none */
    const char *parent;      /* file name of the usual parent process */
    uint8_t account;         /* enum sim_account */
} sim_image;

/* A running process on one host. */
typedef struct sim_process {
    const sim_host *host;
    const sim_image *image;
    const char *name;       /* file name part of image->path */
    uint32_t pid, parent_pid;
    ih_time created, parent_created;
    char guid[39];          /* Sysmon ProcessGuid, braces included */
    char user[48];          /* DOMAIN\name as Sysmon writes User */
    char user_sid[48];
} sim_process;

/* --- Events --- */

enum sim_event_kind { SIM_EVENT_CONN = 1, SIM_EVENT_DNS = 2 };
enum sim_protocol { SIM_TCP = 6, SIM_UDP = 17 };
enum sim_outcome {
    SIM_ESTABLISHED = 0, /* handshake completed, data exchanged, closed normally */
    SIM_REFUSED,         /* the server answered the SYN with a RST */
    SIM_NO_REPLY,        /* SYN sent, nothing came back */
};

#define SIM_MAX_ANSWERS 12
#define SIM_NAME_MAX 96

/* One answer record of a DNS response. */
typedef struct sim_answer {
    uint16_t type;             /* 1 A, 5 CNAME */
    uint32_t ttl;              /* seconds */
    char data[SIM_NAME_MAX];   /* dotted IPv4 for A, the target name for CNAME */
} sim_answer;

/*
 * One activity event. A connection is outbound from process->host to
 * remote_ip. A DNS event is a lookup by process through the host's resolver
 * at remote_ip:53.
 */
typedef struct sim_event {
    uint8_t kind;        /* enum sim_event_kind */
    uint8_t protocol;    /* enum sim_protocol */
    uint8_t outcome;     /* enum sim_outcome */
    uint8_t test;        /* the enum sim_test bit this event belongs to; 0 for background */
    ih_time time;        /* SYN sent, or query sent */
    uint64_t id;         /* random; Zeek writers derive the connection uid from it */
    const sim_process *process;
    char remote_ip[16];
    uint16_t local_port, remote_port;

    /* Connections. */
    char remote_name[SIM_NAME_MAX]; /* the name the process looked up (RemoteUrl); "" for an address */
    char remote_ptr[SIM_NAME_MAX];  /* reverse-DNS name of remote_ip, as Sysmon may show it; "" for none */
    const char *service;     /* what Zeek's analyzers would report: "http", "ssl", "dns" or NULL */
    int64_t duration_us;
    uint64_t bytes_sent;     /* payload bytes from the host (Zeek orig_bytes) */
    uint64_t bytes_received; /* payload bytes to the host (Zeek resp_bytes) */
    uint32_t packets_sent, packets_received;

    /* DNS. */
    bool cached;             /* answered from the host's cache: nothing went on the wire */
    char query[SIM_NAME_MAX];
    uint16_t qtype;          /* 1 A */
    uint8_t rcode;           /* 0 NOERROR, 3 NXDOMAIN */
    uint16_t trans_id;
    int64_t rtt_us;
    size_t nanswers;
    sim_answer answers[SIM_MAX_ANSWERS];
} sim_event;

/* --- The generator --- */

typedef struct sim_gen sim_gen;

/* Creates a generator; NULL when out of memory. */
sim_gen *sim_gen_new(const sim_options *o);
void sim_gen_free(sim_gen *g);

/* Fills e with the next event in time order. Returns 1 for an event, 0 at the end. */
int sim_gen_next(sim_gen *g, sim_event *e);

/*
 * Indicators of each test's activity in the output, for checking that a
 * detection names the right thing. They depend only on the seed.
 */
#define SIM_DDNS_NAMES 6
typedef struct sim_indicators {
    char victim_computer[64];    /* the infected workstation, as Sysmon names it */
    char victim_device_name[64]; /* as Defender names it */
    char victim_ip[16];          /* as Zeek names it */
    char c2_ip[16];              /* test 1 */
    uint16_t c2_port;
    const char *ddns_names[SIM_DDNS_NAMES]; /* test 2 */
    const char *flux_name;       /* test 3: the name whose addresses rotate */
} sim_indicators;

void sim_indicators_get(const sim_options *o, sim_indicators *out);

/* --- Formats --- */

typedef struct sim_writer sim_writer;

/* One way a format can be laid out, chosen with --layout. */
typedef struct sim_layout {
    const char *name;
    bool folder;             /* path is a folder that receives one file per log */
    const char *description;
} sim_layout;

/*
 * An output format, a row of the format table.
 *
 * open() creates the output at path: a file, "-" for standard output where
 * the layout is one file, a folder that it creates where the layout is a
 * folder, or NULL to only count the bytes it would write. write() renders one
 * event; formats skip what their tool would not log. close() flushes, stores
 * the bytes written in *bytes when bytes is not NULL, frees the writer, and
 * reports the first write error. open() and close() return 0, or -1 with a
 * message in err.
 */
typedef struct sim_format {
    const char *name;           /* --format value */
    const char *description;
    const sim_layout *layouts;  /* the first is the default */
    size_t nlayouts;
    const char *unavailable;    /* why this build cannot write it; NULL when it can */
    int (*open)(sim_writer **w, const char *path, const sim_layout *layout, char *err,
                size_t errlen);
    void (*write)(sim_writer *w, const sim_event *e);
    int (*close)(sim_writer *w, uint64_t *bytes, char *err, size_t errlen);
} sim_format;

/* Every format, in the order of the format table; NULL-terminated. */
extern const sim_format *const sim_formats[];

/* The format named name, or NULL. */
const sim_format *sim_format_find(const char *name);

/* The layout of f named name (NULL for the default), or NULL when f has none of that name. */
const sim_layout *sim_format_layout(const sim_format *f, const char *name);

/*
 * Generates the events of o and writes them with format f to path. With
 * size_bytes > 0, the background count is chosen so that the output is about
 * that large (o->background is ignored). Returns 0, or -1 with err set.
 */
int sim_run(const sim_options *o, const sim_format *f, const sim_layout *layout,
            const char *path, uint64_t size_bytes, char *err, size_t errlen);

#endif
