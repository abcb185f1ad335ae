/*
 * Renderers: the detections of a profile written as queries for SIEMs,
 * Sigma and SQL, from the same profile parameters that the detectors read.
 *
 * A target is a row of render_targets[]: a name, its field map for
 * connection and DNS events, and a function that writes the query. Every
 * value from the profile or the command line reaches the query through the
 * target's escaping helper, never pasted raw; a value that a language cannot
 * hold is an error, not a silent change.
 *
 * Ownership: render_params points into the profile tree it was read from and
 * is valid until that profile is freed; render_buf owns its text.
 */
#ifndef IH_RENDER_H
#define IH_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../profile/profile.h"

/* A growing text buffer. After an allocation failure it stays empty and failed is set. */
typedef struct render_buf {
    char *data;
    size_t len, cap;
    bool failed;
} render_buf;

void rb_free(render_buf *b);
void rb_put(render_buf *b, const char *s);
void rb_putn(render_buf *b, const char *s, size_t n);
void rb_putc(render_buf *b, char c);
void rb_printf(render_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Connection actions of Defender's ActionType column, as bits. */
enum render_action {
    RENDER_ACTION_SUCCESS = 1,   /* ConnectionSuccess */
    RENDER_ACTION_ATTEMPT = 2,   /* ConnectionAttempt */
    RENDER_ACTION_FAILED = 4,    /* ConnectionFailed */
    RENDER_ACTION_INBOUND = 8,   /* InboundConnectionAccepted */
    RENDER_ACTION_LISTENING = 16 /* ListeningConnectionCreated */
};

/* The Defender ActionType name of one action bit. */
const char *render_action_name(unsigned bit);

/* Parameters of the seed detector: the reference rule's three parts. */
typedef struct render_seed {
    int64_t lookback_ns;
    unsigned beacon_actions; /* enum render_action bits */
    int64_t *ports;
    size_t nports;
    int64_t min_connections;
    int64_t bytes_sent_above;
    int64_t duration_hours_above;
    double min_rate, max_rate;
    int64_t beacon_samples;

    unsigned ddns_actions;
    const char *pattern; /* PCRE syntax, matched caselessly and unanchored */
    int64_t ddns_process_samples, ddns_ip_samples;

    unsigned flux_actions;
    const char **excluded; /* compared caselessly */
    size_t nexcluded;
    int64_t bin_ns;
    int64_t min_unique_ips, flux_min_connections;
    int64_t flux_url_samples, flux_process_samples;
} render_seed;

/* A list of strings owned by render_params; each item and the array are freed. */
typedef struct render_strings {
    char **items;
    size_t n;
} render_strings;

/*
 * Parameters of the default profile's detectors (beacon, ddns, flux, intel)
 * that a query can express. What scan does beyond them (periodicity test,
 * missed beats, prevalence, ASN features, the combining pass, scoring) is
 * named in each query's header.
 */
typedef struct render_default {
    bool has_beacon, has_ddns, has_flux, has_intel, has_combine;

    /* beacon */
    int64_t beacon_min_connections;
    int64_t min_period_ns, max_period_ns, burst_window_ns;
    int64_t max_timestamps;
    double max_failed_share;
    render_strings internal_v4, internal_v6; /* CIDR prefixes of internal_networks */

    /* ddns: provider zones, lowercased, from provider_lists */
    render_strings zones;
    size_t shared_zones; /* zones of shared_lists, counted but not rendered */

    /* flux */
    int64_t flux_min_addresses;
    int64_t fanout_min_addresses, fanout_min_connections;
    render_strings fanout_known_good, server_pools;

    /* intel: indicators and the allowlist, split by kind */
    render_strings intel_addresses, intel_domains, intel_prefixes;
    render_strings allow_addresses, allow_domains, allow_prefixes;
} render_default;

#define RENDER_MAX_SKIPPED 16

/* What a profile asks for, as far as renderers can express it. */
typedef struct render_params {
    const char *profile_name;
    const char *description; /* "" when the profile has none */
    bool has_seed;
    render_seed seed;
    render_default def; /* read only when the profile has no seed detector */
    /* Detectors without a renderer; each query's header names them. */
    const char *skipped[RENDER_MAX_SKIPPED];
    size_t nskipped;
} render_params;

/*
 * Reads the render parameters of every detector in the profile. The checks
 * are those of `scan`, so a profile that scan rejects is rejected here with
 * the same message. Detectors without a renderer are listed in skipped.
 * Returns 0, or -1 with p->error set.
 */
int render_params_read(profile *p, render_params *out);

/*
 * Reads one of the default profile's detectors (beacon, ddns, flux, intel,
 * combine) into d, loading its list files. Returns 1 when name is one of
 * them, 0 when it is not, or -1 with p->error set.
 */
int render_default_read(profile *p, const char *name, profile_node *cfg, render_default *d);
void render_default_free(render_default *d);
void render_params_free(render_params *rp);

/* Command-line settings that change the source a query reads. */
typedef struct render_options {
    const char *table;          /* table, index or search scope; NULL for the target's default */
    const char *bytes_sent;     /* column of bytes sent; NULL to use the field map's */
    const char *bytes_received; /* column of bytes received; NULL to use the field map's */
} render_options;

/*
 * Field names of one target. NULL means the source has no such field; the
 * renderer then drops or changes what needs it and says so in the header.
 */
typedef struct render_fields {
    const char *conn_source; /* table, index, search or event type of connections */
    const char *time;
    const char *device_id;
    const char *device_name;
    const char *action;
    const char *remote_ip;
    const char *remote_port;
    const char *remote_url;
    const char *process;
    const char *bytes_sent;
    const char *bytes_received;
    const char *dns_source;
    const char *dns_query;
    const char *dns_answers;
    const char *dns_process;
} render_fields;

typedef struct render_target render_target;

/* Everything a renderer needs; err receives a message when it returns -1. */
typedef struct render_job {
    const render_target *target;
    const render_params *params;
    const render_options *options;
    render_buf *out;
    char err[512];
} render_job;

struct render_target {
    const char *name;
    const char *title;        /* product and language, for --help and headers */
    const char *comment_line; /* line comment marker, such as "//" */
    const render_fields *fields;
    /* Writes the seed detector's query. Returns 0, or -1 with job->err set. */
    int (*render_seed)(render_job *job);
    /* Writes the default detectors' queries. Returns 0, or -1 with job->err set. */
    int (*render_default)(render_job *job);
    /* Reason the per-domain fast-flux count over DNS answers is not rendered, or NULL. */
    const char *flux_domain_gap;
};

/* All targets, NULL-terminated, in the order --help lists them. */
extern const render_target *const render_targets[];

/* The target named name, or NULL. */
const render_target *render_find(const char *name);

/*
 * Writes the query for the profile's renderable detectors. Returns 0, or -1
 * with job->err set when a value cannot be written in the target language or
 * the profile has nothing to render.
 */
int render_run(render_job *job);

/* ---- Helpers shared by the renderers (render.c) ---- */

/* Formats a duration as the largest whole unit: "7d", "1h", "90s", "500ms". */
void render_duration(int64_t ns, char *buf, size_t len);

/* Formats a double so that every target reads it as a real number: "0.5", "200.0". */
void render_real(double v, char *buf, size_t len);

/* The bytes-sent and bytes-received columns after --bytes-column, or NULL. */
const char *render_bytes_sent(const render_job *job);
const char *render_bytes_received(const render_job *job);
/* The table, index or search scope after --table. */
const char *render_source(const render_job *job);

/* Writes text as one comment line: prefix, a space, and text with every
   control character, and the sequence that would end a block comment,
   replaced by a visible escape. */
void render_comment(render_buf *b, const char *prefix, const char *text);
void render_commentf(render_buf *b, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Writes the header shared by every target: what the query is, the profile,
 * the field map, skipped detectors, and then the target's own notes (NULL
 * terminated). Each line starts with prefix.
 */
void render_header(render_job *job, const char *prefix, const char *const *notes);

/*
 * Writes the header of a default-profile query: render_header's lines, then
 * what the query keeps and drops relative to infrahunt scan with the default
 * profile, then the target's own notes (NULL terminated).
 */
void render_default_header(render_job *job, const char *prefix, const char *const *notes);

/* Parses an IPv4 CIDR prefix into its first and last address. Returns 0, or -1
   when cidr is not "a.b.c.d/n". */
int render_ipv4_prefix(const char *cidr, uint32_t *first, uint32_t *last);

/* String literal styles. Each returns 0, or -1 with job->err set when the
   language cannot hold a character of s. */
enum render_quote {
    QUOTE_C_DOUBLE,    /* "..." with \\ \" \n \r \t and \uXXXX for other controls */
    QUOTE_C_DOUBLE_NO_U, /* "..." with \\ \" \n \r \t; other controls rejected */
    QUOTE_C_SINGLE,    /* '...' with \\ \' \n \r \t; other controls rejected */
    QUOTE_SQL,         /* '...' with '' doubled; every other byte kept */
    QUOTE_YAML,        /* YAML double-quoted scalar with \\ \" \n \t \xNN escapes */
};
int render_quote(render_job *job, render_buf *b, enum render_quote style, const char *s);

/* Regular expression dialects for render_regex(). */
enum render_regex_dialect {
    REGEX_PORTABLE, /* PCRE, RE2 and Java accept it; control characters become \xNN */
    REGEX_LUCENE,   /* Lucene RegExp: whole-value match, no shorthands, no \x escapes */
};

/* Options of render_regex() and render_regex_literals(), as bits. */
enum {
    REGEX_LOWERCASE = 1,  /* ASCII letters lowercase, for use on a lowercased field */
    REGEX_HEX_QUOTES = 2, /* ' " and ` as \x27 \x22 \x60 (REGEX_PORTABLE only), for
                             languages whose string quoting is not documented well enough */
};

/*
 * Checks a profile regex and writes it for a dialect. The accepted syntax is
 * what PCRE, RE2, Java and Lucene share: literals, escaped punctuation,
 * '.', classes, groups, non-capturing groups, alternation, the greedy
 * quantifiers, \d \w \s, \t \n \r \xHH, and ^ and $ at the very ends of a
 * pattern without top-level alternation. For REGEX_LUCENE the pattern is
 * wrapped in ".*(...).*" so it matches anywhere. Returns 0, or -1 with
 * job->err naming the offset and the construct.
 */
int render_regex(render_job *job, render_buf *b, const char *pattern,
                 enum render_regex_dialect dialect, unsigned flags);

/* Writes the strings as a regex group "(a|b|c)" of escaped literals; "(?!)"-free
   empty lists become "()" so callers must skip them. */
void render_regex_literals(render_job *job, render_buf *b, const char *const *items, size_t n,
                           enum render_regex_dialect dialect, unsigned flags);

/*
 * Writes a regex that matches a name equal to one of the zones or ending in
 * "." and one of them: "(?i)^(.*\.)?(z1|z2)$" for REGEX_PORTABLE (without
 * "(?i)" when REGEX_LOWERCASE is set) and "(.*\.)?(z1|z2)" for REGEX_LUCENE,
 * which matches whole values. Callers skip empty lists.
 */
void render_zone_regex(render_job *job, render_buf *b, const render_strings *zones,
                       enum render_regex_dialect dialect, unsigned flags);

/* Writes render_zone_regex()'s regex as one string literal of the given style. */
int render_zone_literal(render_job *job, const render_strings *zones,
                        enum render_regex_dialect dialect, unsigned flags, enum render_quote style);

/* Writes each item as a string literal, with separator between them. */
int render_quoted_list(render_job *job, const render_strings *items, enum render_quote style,
                       const char *separator);

/*
 * Maps Defender ActionTypes onto sources that only know the direction of a
 * connection (Sysmon's Initiated, ECS network.direction): success and
 * attempt are outbound, InboundConnectionAccepted is inbound. Returns 0, or
 * -1 with job->err set for ConnectionFailed or ListeningConnectionCreated,
 * which such sources do not record.
 */
int render_directions(render_job *job, unsigned actions, bool *outbound, bool *inbound);

/* Writes a duration in words for ES|QL and similar: "7 days", "1 hour", "30 minutes". */
void render_duration_words(int64_t ns, char *buf, size_t len);

/* Appends s lowercased in ASCII to a fresh string; NULL when out of memory. */
char *render_lower(const char *s);

/* The renderers, one per file. */
extern const render_target render_target_kql;
extern const render_target render_target_spl;
extern const render_target render_target_esql;
extern const render_target render_target_eql;
extern const render_target render_target_aql;
extern const render_target render_target_sumo;
extern const render_target render_target_yaral;
extern const render_target render_target_logscale;
extern const render_target render_target_sigma;
extern const render_target render_target_sql;

#endif
