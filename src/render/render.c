/*
 * The target table, the profile reading shared by all renderers, and the
 * helpers that write comments, string literals and regular expressions
 * safely in each language.
 */
#include "render.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

const render_target *const render_targets[] = {
    &render_target_kql,   &render_target_spl,      &render_target_esql,
    &render_target_eql,   &render_target_aql,      &render_target_sumo,
    &render_target_yaral, &render_target_logscale, &render_target_sigma,
    &render_target_sql,   NULL,
};

const render_target *render_find(const char *name)
{
    for (size_t i = 0; render_targets[i]; i++)
        if (strcmp(render_targets[i]->name, name) == 0)
            return render_targets[i];
    return NULL;
}

/* ---- Text buffer ---- */

void rb_free(render_buf *b)
{
    free(b->data);
    *b = (render_buf){0};
}

void rb_putn(render_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) {
            rb_free(b);
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void rb_put(render_buf *b, const char *s)
{
    rb_putn(b, s, strlen(s));
}

void rb_putc(render_buf *b, char c)
{
    rb_putn(b, &c, 1);
}

void rb_printf(render_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        rb_putn(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        rb_free(b);
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rb_putn(b, big, (size_t)n);
    free(big);
}

/* ---- Profile reading ---- */

static const char *const action_names[] = {
    "ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed", "InboundConnectionAccepted",
    "ListeningConnectionCreated",
};

const char *render_action_name(unsigned bit)
{
    for (unsigned i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
        if (bit == 1u << i)
            return action_names[i];
    return "?";
}

static int read_actions(profile *p, profile_node *cfg, unsigned *out)
{
    const char **names;
    size_t n;

    if (profile_get_strings(p, cfg, "action_types", &names, &n) < 0)
        return -1;
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sizeof(action_names) / sizeof(action_names[0]) &&
               strcmp(action_names[k], names[i]) != 0)
            k++;
        if (k == sizeof(action_names) / sizeof(action_names[0])) {
            snprintf(p->error, sizeof(p->error),
                     "%s: action_types: unknown ActionType '%s' (expected ConnectionSuccess, "
                     "ConnectionAttempt, ConnectionFailed, InboundConnectionAccepted or "
                     "ListeningConnectionCreated)",
                     p->name, names[i]);
            free(names);
            return -1;
        }
        *out |= 1u << k;
    }
    free(names);
    return 0;
}

static int read_beaconing(profile *p, profile_node *cfg, render_seed *s)
{
    if (profile_get_duration(p, cfg, "lookback", &s->lookback_ns) < 0 ||
        read_actions(p, cfg, &s->beacon_actions) < 0 ||
        profile_get_ints(p, cfg, "ports", 0, 65535, &s->ports, &s->nports) < 0 ||
        profile_get_int(p, cfg, "min_connections", 0, INT64_MAX, &s->min_connections) < 0 ||
        profile_get_int(p, cfg, "bytes_sent_above", INT64_MIN, INT64_MAX, &s->bytes_sent_above) < 0 ||
        profile_get_int(p, cfg, "duration_hours_above", 0, INT64_MAX, &s->duration_hours_above) < 0 ||
        profile_get_double(p, cfg, "min_rate", &s->min_rate) < 0 ||
        profile_get_double(p, cfg, "max_rate", &s->max_rate) < 0 ||
        profile_get_int(p, cfg, "sample_processes", 0, 1000, &s->beacon_samples) < 0)
        return -1;
    return profile_check_unused(p, cfg, "seed.beaconing");
}

/* Compiles the pattern as the seed detector does, so both reject the same regexes. */
static int check_pcre(profile *p, const char *pattern)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
                                   &at, NULL);
    if (re) {
        pcre2_code_free(re);
        return 0;
    }
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof(msg));
    snprintf(p->error, sizeof(p->error), "%s: seed.dynamic_dns.pattern: invalid regex at offset %zu: %s",
             p->name, (size_t)at, (char *)msg);
    return -1;
}

static int read_ddns(profile *p, profile_node *cfg, render_seed *s)
{
    if (read_actions(p, cfg, &s->ddns_actions) < 0 ||
        profile_get_string(p, cfg, "pattern", &s->pattern) < 0 ||
        profile_get_int(p, cfg, "sample_processes", 0, 1000, &s->ddns_process_samples) < 0 ||
        profile_get_int(p, cfg, "sample_ips", 0, 1000, &s->ddns_ip_samples) < 0 ||
        check_pcre(p, s->pattern) < 0)
        return -1;
    return profile_check_unused(p, cfg, "seed.dynamic_dns");
}

static int read_flux(profile *p, profile_node *cfg, render_seed *s)
{
    if (read_actions(p, cfg, &s->flux_actions) < 0 ||
        profile_get_strings(p, cfg, "excluded_processes", &s->excluded, &s->nexcluded) < 0 ||
        profile_get_duration(p, cfg, "bin", &s->bin_ns) < 0 ||
        profile_get_int(p, cfg, "min_unique_ips", 0, INT64_MAX, &s->min_unique_ips) < 0 ||
        profile_get_int(p, cfg, "min_connections", 0, INT64_MAX, &s->flux_min_connections) < 0 ||
        profile_get_int(p, cfg, "sample_urls", 0, 1000, &s->flux_url_samples) < 0 ||
        profile_get_int(p, cfg, "sample_processes", 0, 1000, &s->flux_process_samples) < 0)
        return -1;
    if (s->bin_ns <= 0) {
        snprintf(p->error, sizeof(p->error), "%s: seed.fast_flux.bin must be longer than 0",
                 p->name);
        return -1;
    }
    return profile_check_unused(p, cfg, "seed.fast_flux");
}

static int read_seed(profile *p, profile_node *cfg, render_seed *s)
{
    profile_node *part;

    if (profile_get_map(p, cfg, "beaconing", &part) < 0 || read_beaconing(p, part, s) < 0 ||
        profile_get_map(p, cfg, "dynamic_dns", &part) < 0 || read_ddns(p, part, s) < 0 ||
        profile_get_map(p, cfg, "fast_flux", &part) < 0 || read_flux(p, part, s) < 0)
        return -1;
    /* Declared and unused by the reference rule; read so it is not an unknown key. */
    profile_get(p, cfg, "suspicious_asns");
    return profile_check_unused(p, cfg, "seed");
}

int render_params_read(profile *p, render_params *out)
{
    profile_node *detectors;
    const char *text;

    *out = (render_params){.profile_name = p->name, .description = ""};
    if (profile_get_map(p, p->root, "detectors", &detectors) < 0)
        return -1;
    bool has_seed = false;
    for (size_t i = 0; i < detectors->count; i++)
        if (strcmp(detectors->keys[i], "seed") == 0)
            has_seed = true;
    for (size_t i = 0; i < detectors->count; i++) {
        const char *name = detectors->keys[i];
        detectors->used[i] = true;
        if (detectors->items[i]->kind != PROFILE_MAP) {
            snprintf(p->error, sizeof(p->error), "%s:%u: settings of '%s' must be a map", p->name,
                     detectors->items[i]->line, name);
            return -1;
        }
        if (strcmp(name, "seed") == 0) {
            if (read_seed(p, detectors->items[i], &out->seed) < 0)
                return -1;
            out->has_seed = true;
            continue;
        }
        /* With the seed detector, the query is the reference rule's and other detectors are
           only named; without it, the default profile's detectors are rendered. */
        int rc = has_seed ? 0 : render_default_read(p, name, detectors->items[i], &out->def);
        if (rc < 0)
            return -1;
        if (rc == 0 && out->nskipped < RENDER_MAX_SKIPPED)
            out->skipped[out->nskipped++] = name;
    }
    profile_node *n = profile_get(p, p->root, "name");
    if (n && n->kind == PROFILE_SCALAR && n->text[0])
        out->profile_name = n->text;
    if (profile_get(p, p->root, "description") &&
        profile_get_string(p, p->root, "description", &text) == 0)
        out->description = text;
    return profile_check_unused(p, p->root, "the profile");
}

void render_params_free(render_params *rp)
{
    free(rp->seed.ports);
    free(rp->seed.excluded);
    render_default_free(&rp->def);
    *rp = (render_params){0};
}

/* ---- Small helpers ---- */

void render_duration(int64_t ns, char *buf, size_t len)
{
    static const struct {
        const char *unit;
        int64_t ns;
    } units[] = {{"d", INT64_C(86400000000000)}, {"h", INT64_C(3600000000000)},
                 {"m", INT64_C(60000000000)},    {"s", 1000000000},
                 {"ms", 1000000}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (ns % units[i].ns == 0) {
            snprintf(buf, len, "%lld%s", (long long)(ns / units[i].ns), units[i].unit);
            return;
        }
    }
    snprintf(buf, len, "%lldms", (long long)(ns / 1000000));
}

void render_real(double v, char *buf, size_t len)
{
    /* The fewest decimals that read back as the same double, in plain notation. */
    for (int decimals = 0; decimals <= 17; decimals++) {
        snprintf(buf, len, "%.*f", decimals, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".n")) /* n: inf and nan, which profiles reject */
        strncat(buf, ".0", len - strlen(buf) - 1);
}

const char *render_bytes_sent(const render_job *job)
{
    return job->options->bytes_sent ? job->options->bytes_sent : job->target->fields->bytes_sent;
}

const char *render_bytes_received(const render_job *job)
{
    if (job->options->bytes_sent)
        return job->options->bytes_received;
    return job->target->fields->bytes_received;
}

const char *render_source(const render_job *job)
{
    return job->options->table ? job->options->table : job->target->fields->conn_source;
}

char *render_lower(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)((unsigned char)s[i] < 0x80 ? tolower((unsigned char)s[i]) : s[i]);
    return out;
}

/* Writes one comment line of text[0..n) with control characters and block-comment ends escaped. */
static void comment_line(render_buf *b, const char *prefix, const char *indent, const char *text,
                         size_t n)
{
    rb_put(b, prefix);
    if (n)
        rb_putc(b, ' ');
    rb_put(b, indent);
    for (size_t i = 0; i < n; i++) {
        unsigned char u = (unsigned char)text[i];
        if (u < 0x20 || u == 0x7f)
            rb_printf(b, "\\x%02x", u);
        else if (text[i] == '*' && i + 1 < n && text[i + 1] == '/')
            rb_put(b, "*\\"); /* keeps a block comment open */
        else
            rb_putc(b, text[i]);
    }
    rb_putc(b, '\n');
}

void render_comment(render_buf *b, const char *prefix, const char *text)
{
    enum { WIDTH = 92 };
    size_t n = strlen(text);
    const char *indent = "";

    /* Wraps at spaces; a continuation line is indented by two spaces. */
    while (n > WIDTH) {
        size_t cut = WIDTH;
        while (cut > 20 && text[cut] != ' ')
            cut--;
        if (text[cut] != ' ')
            cut = WIDTH;
        comment_line(b, prefix, indent, text, cut);
        while (cut < n && text[cut] == ' ')
            cut++;
        text += cut;
        n -= cut;
        indent = "  ";
    }
    comment_line(b, prefix, indent, text, n);
}

void render_commentf(render_buf *b, const char *prefix, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    render_comment(b, prefix, text);
}

static void field_line(render_buf *b, const char *prefix, const char *what, const char *field)
{
    render_commentf(b, prefix, "  %-16s %s", what, field ? field : "(none in this source)");
}

void render_header(render_job *job, const char *prefix, const char *const *notes)
{
    const render_fields *f = job->target->fields;
    const render_params *rp = job->params;
    render_buf *b = job->out;

    render_commentf(b, prefix, "Generated by infrahunt export --target %s from profile '%s'.",
                    job->target->name, rp->profile_name);
    if (rp->description[0])
        render_commentf(b, prefix, "Profile: %s", rp->description);
    render_commentf(b, prefix, "Target: %s.", job->target->title);
    render_comment(b, prefix, "Detection: MITRE ATT&CK T1584, compromised infrastructure: C2 beaconing,");
    if (rp->has_seed)
        render_comment(b, prefix,
                       "dynamic-DNS names and fast-flux fan-out (the reference rule's three parts).");
    else
        render_comment(b, prefix, "dynamic-DNS names, fast flux and threat intel.");
    render_comment(b, prefix, "");
    render_comment(b, prefix, "Field map, connection events:");
    field_line(b, prefix, "source", render_source(job));
    field_line(b, prefix, "time", f->time);
    field_line(b, prefix, "device id", f->device_id);
    field_line(b, prefix, "device name", f->device_name);
    field_line(b, prefix, "action", f->action);
    field_line(b, prefix, "remote address", f->remote_ip);
    field_line(b, prefix, "remote port", f->remote_port);
    field_line(b, prefix, "remote name", f->remote_url);
    field_line(b, prefix, "process", f->process);
    field_line(b, prefix, "bytes sent", render_bytes_sent(job));
    field_line(b, prefix, "bytes received", render_bytes_received(job));
    render_comment(b, prefix, rp->has_seed ? "Field map, DNS events (not read by the seed rule):"
                                           : "Field map, DNS events:");
    field_line(b, prefix, "source", f->dns_source);
    field_line(b, prefix, "query name", f->dns_query);
    field_line(b, prefix, "answers", f->dns_answers);
    field_line(b, prefix, "process", f->dns_process);
    for (size_t i = 0; i < rp->nskipped; i++)
        render_commentf(b, prefix,
                        "Not rendered: detector '%s' of the profile has no renderer yet; run it "
                        "with infrahunt scan.",
                        rp->skipped[i]);
    render_comment(b, prefix, "");
    if (!rp->has_seed)
        return; /* render_default_header writes what the default queries keep and drop */
    render_comment(b, prefix, "What this target expresses differently from infrahunt scan:");
    if (!render_bytes_sent(job))
        render_comment(b, prefix,
                       "- No byte counts in this source, so part 1's filter BytesSent > N is "
                       "dropped and BytesSent and BytesReceived are null. infrahunt scan never "
                       "keeps a beacon without bytes, so this query returns beacons that scan "
                       "does not. Use --bytes-column for a source that has them.");
    for (size_t i = 0; notes && notes[i]; i++)
        render_commentf(b, prefix, "- %s", notes[i]);
    render_comment(b, prefix, "");
}

/* ---- String literals ---- */

static int quote_reject(render_job *job, unsigned char c)
{
    snprintf(job->err, sizeof(job->err),
             "a profile value contains the control character 0x%02x, which a %s string literal "
             "cannot hold; remove it from the profile",
             c, job->target->name);
    return -1;
}

int render_quote(render_job *job, render_buf *b, enum render_quote style, const char *s)
{
    char q = style == QUOTE_C_SINGLE || style == QUOTE_SQL ? '\'' : '"';

    rb_putc(b, q);
    for (const char *c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (style == QUOTE_SQL) {
            if (u == '\'')
                rb_putc(b, '\'');
            rb_putc(b, *c);
            continue;
        }
        if (u == (unsigned char)q || u == '\\') {
            rb_putc(b, '\\');
            rb_putc(b, *c);
        } else if (u == '\n') {
            rb_put(b, "\\n");
        } else if (u == '\r' && style != QUOTE_YAML) {
            rb_put(b, "\\r");
        } else if (u == '\t') {
            rb_put(b, "\\t");
        } else if (u < 0x20 || u == 0x7f) {
            if (style == QUOTE_YAML)
                rb_printf(b, "\\x%02x", u);
            else if (style == QUOTE_C_DOUBLE)
                rb_printf(b, "\\u%04x", u);
            else
                return quote_reject(job, u);
        } else {
            rb_putc(b, *c);
        }
    }
    rb_putc(b, q);
    return 0;
}

/* ---- Regular expressions ---- */

typedef struct regex_writer {
    render_job *job;
    render_buf *b;
    const char *pattern;
    enum render_regex_dialect dialect;
    bool lowercase;
    bool hex_quotes;
} regex_writer;

static int regex_fail(regex_writer *w, const char *at, const char *what)
{
    snprintf(w->job->err, sizeof(w->job->err),
             "the dynamic_dns pattern uses %s at offset %zu, which infrahunt cannot write for %s "
             "(it accepts literals, escaped punctuation, '.', classes, groups, alternation, "
             "greedy quantifiers, \\d \\w \\s \\t \\n \\r \\xHH, and ^ $ at the ends)",
             what, (size_t)(at - w->pattern), w->job->target->name);
    return -1;
}

/* Writes one literal byte: lowercased when asked, escaped where the dialect needs it. */
static void regex_literal(regex_writer *w, unsigned char c, bool in_class)
{
    if (w->lowercase && c < 0x80)
        c = (unsigned char)tolower(c);
    if (w->hex_quotes && w->dialect == REGEX_PORTABLE && (c == '\'' || c == '"' || c == '`')) {
        rb_printf(w->b, "\\x%02x", c);
        return;
    }
    if (c < 0x20 || c == 0x7f) {
        if (w->dialect == REGEX_PORTABLE)
            rb_printf(w->b, "\\x%02x", c);
        else
            rb_putc(w->b, (char)c); /* Lucene has no \x escape; the raw byte is literal */
        return;
    }
    bool escape;
    if (w->dialect == REGEX_LUCENE)
        escape = !isalnum(c) && c < 0x80 && c != '_' && c != ' '; /* Lucene reserves many */
    else if (in_class)
        escape = strchr("]\\^-[", c) != NULL;
    else
        escape = strchr(".^$|?*+()[]{}\\/\"'", c) != NULL; /* / and quotes for literal forms */
    if (escape)
        rb_putc(w->b, '\\');
    rb_putc(w->b, (char)c);
}

/* Writes \d, \w or \s. Lucene has no shorthands, so they become classes. */
static int regex_shorthand(regex_writer *w, const char *at, char c, bool in_class)
{
    static const struct {
        char name;
        const char *body;
    } classes[] = {{'d', "0-9"}, {'w', "0-9A-Za-z_"}, {'s', " \t\n\r\f\v"}};
    if (w->dialect == REGEX_PORTABLE) {
        rb_putc(w->b, '\\');
        rb_putc(w->b, c);
        return 0;
    }
    for (size_t i = 0; i < 3; i++) {
        if (classes[i].name == c) {
            if (!in_class)
                rb_putc(w->b, '[');
            rb_put(w->b, w->lowercase && c == 'w' ? "0-9a-z_" : classes[i].body);
            if (!in_class)
                rb_putc(w->b, ']');
            return 0;
        }
    }
    return regex_fail(w, at, "a negated shorthand class (\\D, \\W or \\S)");
}

/* Handles the escape at *p (a backslash). Advances *p past it. */
static int regex_escape(regex_writer *w, const char **p, bool in_class)
{
    const char *at = *p;
    char c = at[1];
    *p += 2;
    if (c == '\0')
        return regex_fail(w, at, "a trailing backslash");
    if (strchr("dwsDWS", c))
        return regex_shorthand(w, at, c, in_class);
    if (c == 't' || c == 'n' || c == 'r') {
        char literal = '\r';
        if (c == 't')
            literal = '\t';
        else if (c == 'n')
            literal = '\n';
        regex_literal(w, literal, in_class);
        return 0;
    }
    if (c == 'x') {
        if (!isxdigit((unsigned char)at[2]) || !isxdigit((unsigned char)at[3]))
            return regex_fail(w, at, "\\x without two hex digits");
        char hex[3] = {at[2], at[3], 0};
        unsigned v = (unsigned)strtoul(hex, NULL, 16);
        if (v >= 0x80)
            return regex_fail(w, at, "\\x above 7f");
        regex_literal(w, (unsigned char)v, in_class);
        *p += 2;
        return 0;
    }
    if (isalnum((unsigned char)c))
        return regex_fail(w, at, "an escape sequence other than \\d \\w \\s \\t \\n \\r \\x");
    regex_literal(w, (unsigned char)c, in_class);
    return 0;
}

static int regex_class(regex_writer *w, const char **p)
{
    const char *at = *p;
    const char *c = at + 1;

    rb_putc(w->b, '[');
    if (*c == '^') {
        rb_putc(w->b, '^');
        c++;
    }
    bool first = true;
    while (*c && (*c != ']' || first)) {
        if (c[0] == '[' && c[1] == ':')
            return regex_fail(w, c, "a POSIX class");
        if (*c == '\\') {
            if (regex_escape(w, &c, true) < 0)
                return -1;
        } else if (*c == '-' && !first && c[1] != ']') {
            rb_putc(w->b, '-'); /* a range */
            c++;
        } else {
            regex_literal(w, (unsigned char)*c, true);
            c++;
        }
        first = false;
    }
    if (*c != ']')
        return regex_fail(w, at, "an unterminated class");
    rb_putc(w->b, ']');
    *p = c + 1;
    return 0;
}

/* Writes {m}, {m,} or {m,n} when *p starts one; otherwise a literal brace. */
static int regex_braces(regex_writer *w, const char **p, bool after_atom)
{
    const char *c = *p + 1;
    const char *digits = c;
    while (isdigit((unsigned char)*c))
        c++;
    bool quantifier = c > digits;
    if (quantifier && *c == ',') {
        c++;
        while (isdigit((unsigned char)*c))
            c++;
    }
    if (!quantifier || *c != '}') {
        regex_literal(w, '{', false);
        *p += 1;
        return 0;
    }
    if (!after_atom)
        return regex_fail(w, *p, "a quantifier with nothing before it");
    rb_putn(w->b, *p, (size_t)(c + 1 - *p));
    *p = c + 1;
    return 0;
}

static bool has_top_level_alternation(const char *s)
{
    int depth = 0;
    for (const char *c = s; *c; c++) {
        if (*c == '\\' && c[1]) {
            c++;
        } else if (*c == '[') {
            c++;
            if (*c == '^')
                c++;
            if (*c == ']')
                c++;
            while (*c && *c != ']')
                c += (*c == '\\' && c[1]) ? 2 : 1;
            if (!*c)
                return false;
        } else if (*c == '(') {
            depth++;
        } else if (*c == ')') {
            depth--;
        } else if (*c == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

void render_regex_literals(render_job *job, render_buf *b, const char *const *items, size_t n,
                           enum render_regex_dialect dialect, unsigned flags)
{
    regex_writer w = {job, b, "", dialect, flags & REGEX_LOWERCASE, flags & REGEX_HEX_QUOTES};

    rb_putc(b, '(');
    for (size_t i = 0; i < n; i++) {
        if (i)
            rb_putc(b, '|');
        for (const char *c = items[i]; *c; c++)
            regex_literal(&w, (unsigned char)*c, false);
    }
    rb_putc(b, ')');
}

int render_directions(render_job *job, unsigned actions, bool *outbound, bool *inbound)
{
    unsigned unsupported = actions & (RENDER_ACTION_FAILED | RENDER_ACTION_LISTENING);
    if (unsupported) {
        snprintf(job->err, sizeof(job->err),
                 "action type %s has no equivalent in the %s field map, which records only the "
                 "direction of a connection; remove it from action_types",
                 render_action_name(unsupported & -unsupported), job->target->name);
        return -1;
    }
    *outbound = actions & (RENDER_ACTION_SUCCESS | RENDER_ACTION_ATTEMPT);
    *inbound = actions & RENDER_ACTION_INBOUND;
    return 0;
}

void render_duration_words(int64_t ns, char *buf, size_t len)
{
    static const struct {
        const char *unit;
        int64_t ns;
    } units[] = {{"day", INT64_C(86400000000000)}, {"hour", INT64_C(3600000000000)},
                 {"minute", INT64_C(60000000000)}, {"second", 1000000000},
                 {"millisecond", 1000000}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (ns % units[i].ns == 0 || i + 1 == sizeof(units) / sizeof(units[0])) {
            long long v = (long long)(ns / units[i].ns);
            snprintf(buf, len, "%lld %s%s", v, units[i].unit, v == 1 ? "" : "s");
            return;
        }
    }
}

int render_regex(render_job *job, render_buf *b, const char *pattern,
                 enum render_regex_dialect dialect, unsigned flags)
{
    regex_writer w = {job, b, pattern, dialect, flags & REGEX_LOWERCASE, flags & REGEX_HEX_QUOTES};
    const char *c = pattern;
    const char *end = pattern + strlen(pattern);
    bool anchored_start = false, anchored_end = false;
    bool after_atom = false;
    int depth = 0;

    if (c[0] == '(' && c[1] == '?' && c[2] == 'i' && c[3] == ')')
        c += 4; /* matching is caseless anyway */
    bool alternation = has_top_level_alternation(c);
    if (*c == '^') {
        if (alternation)
            return regex_fail(&w, c, "^ before a top-level alternation");
        anchored_start = true;
        c++;
    }
    if (end > c && end[-1] == '$' && !(end - 1 > c && end[-2] == '\\')) {
        if (alternation)
            return regex_fail(&w, end - 1, "$ after a top-level alternation");
        anchored_end = true;
        end--;
    }
    if (dialect == REGEX_PORTABLE && anchored_start)
        rb_putc(b, '^');
    if (dialect == REGEX_LUCENE)
        rb_put(b, anchored_start ? "(" : ".*(");

    while (c < end) {
        switch (*c) {
        case '\\':
            if (regex_escape(&w, &c, false) < 0)
                return -1;
            after_atom = true;
            break;
        case '[':
            if (regex_class(&w, &c) < 0)
                return -1;
            after_atom = true;
            break;
        case '(':
            if (c[1] == '?') {
                if (c[2] != ':')
                    return regex_fail(&w, c, "an inline flag, lookaround or named group");
                c += 2;
            }
            rb_putc(b, '(');
            c++;
            depth++;
            after_atom = false;
            break;
        case ')':
            if (depth == 0)
                return regex_fail(&w, c, "an unbalanced ')'");
            rb_putc(b, ')');
            c++;
            depth--;
            after_atom = true;
            break;
        case '|':
            rb_putc(b, '|');
            c++;
            after_atom = false;
            break;
        case '*':
        case '+':
        case '?':
            if (!after_atom)
                return regex_fail(&w, c, "a quantifier with nothing before it");
            rb_putc(b, *c);
            c++;
            if (*c == '+')
                return regex_fail(&w, c, "a possessive quantifier");
            if (*c == '?')
                c++; /* laziness does not change whether a pattern matches */
            after_atom = false;
            break;
        case '{':
            if (regex_braces(&w, &c, after_atom) < 0)
                return -1;
            after_atom = true;
            break;
        case '.':
            rb_putc(b, '.');
            c++;
            after_atom = true;
            break;
        case '^':
        case '$':
            return regex_fail(&w, c, "an anchor inside the pattern");
        default:
            regex_literal(&w, (unsigned char)*c, false);
            c++;
            after_atom = true;
            break;
        }
    }
    if (depth != 0)
        return regex_fail(&w, end, "an unclosed group");
    if (dialect == REGEX_PORTABLE && anchored_end)
        rb_putc(b, '$');
    if (dialect == REGEX_LUCENE)
        rb_put(b, anchored_end ? ")" : ").*");
    return 0;
}

/* ---- Running a target ---- */

int render_run(render_job *job)
{
    const render_params *rp = job->params;
    const render_default *d = &rp->def;
    if (!rp->has_seed && !d->has_beacon && !d->has_ddns && !d->has_flux && !d->has_intel) {
        snprintf(job->err, sizeof(job->err),
                 "profile '%s' has no detector that export can render (export renders: seed, "
                 "beacon, ddns, flux, intel)",
                 rp->profile_name);
        return -1;
    }
    if (!rp->has_seed && !job->target->render_default) {
        snprintf(job->err, sizeof(job->err),
                 "target %s has no renderer for the detectors of profile '%s'; use a profile "
                 "with the seed detector",
                 job->target->name, rp->profile_name);
        return -1;
    }
    int rc = rp->has_seed ? job->target->render_seed(job) : job->target->render_default(job);
    if (rc < 0)
        return -1;
    if (job->out->failed) {
        snprintf(job->err, sizeof(job->err), "out of memory");
        return -1;
    }
    return 0;
}
