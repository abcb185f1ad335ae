/*
 * infrahunt: commands and options. The only file that prints usage, turns
 * errors into exit codes, and exits.
 *
 * Exit codes: 0 success (alerts or not), 1 internal failure (out of memory,
 * write error), 2 usage or profile error, 3 input unreadable or --strict
 * stopped at a bad record, 4 alerts found with --fail-on-alerts.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect.h"
#include "enrich/enrich.h"
#include "event/timeutil.h"
#include "input/input.h"
#include "output/output.h"
#include "output/progress.h"
#include "profile/profile.h"
#include "cli.h"

#define EXIT_INTERNAL 1
#define EXIT_USAGE 2
#define EXIT_INPUT 3
#define EXIT_ALERTS 4

#ifndef INFRAHUNT_VERSION
#define INFRAHUNT_VERSION "0.1.0"
#endif

static void usage_main(FILE *out)
{
    fputs("usage: infrahunt COMMAND [options]\n"
          "\n"
          "Finds C2 beaconing, dynamic-DNS use and fast-flux behaviour in exported\n"
          "network telemetry (Defender DeviceNetworkEvents, Sysmon, Zeek).\n"
          "\n"
          "commands:\n"
          "  scan [options] PATH...    read telemetry, run a profile's detections, print alerts\n"
          "  events [options] PATH...  print the normalized events read, as JSON lines\n"
          "  export --target NAME      print the profile's rules as a SIEM query (kql, spl,\n"
          "                            esql, eql, aql, sumo, yaral, logscale, sigma, sql)\n"
          "  simulate --test NAME      write telemetry that exercises the reference rule's tests\n"
          "  selftest                  simulate every test in every format, scan, and check\n"
          "\n"
          "Run 'infrahunt COMMAND --help' for a command's options.\n",
          out);
}

static void usage_scan(FILE *out)
{
    fputs("usage: infrahunt scan [options] PATH...\n"
          "\n"
          "PATH is a file, a folder (read recursively) or - for standard input. Files may\n"
          "be plain, gzip or zstd; the format is detected per file.\n"
          "\n"
          "options:\n"
          "  -p, --profile NAME|FILE  detections to run: a built-in profile (default or\n"
          "                           seed) or a YAML file (default: default)\n"
          "      --now TIME           the query's now(), RFC 3339 (default: the newest\n"
          "                           event time in the input)\n"
          "  -t, --threads N          worker threads (default: all cores)\n"
          "  -f, --output FORMAT      table, jsonl, csv or html (default: table)\n"
          "  -o FILE                  write alerts to FILE instead of standard output\n"
          "      --format NAME        skip detection and read every file as NAME:\n"
          "                           json, zeek-tsv, defender-csv, suricata, evtx\n"
          "                           or pcap\n"
          "      --stats              print records read, used and skipped to stderr\n"
          "      --no-progress        draw no progress bar (drawn on stderr when it is\n"
          "                           a terminal and the scan takes over half a second)\n"
          "      --strict             stop at the first bad record (exit status 3)\n"
          "      --verify-checksums   check the CRC32 checksums of EVTX files and skip\n"
          "                           the chunks that fail\n"
          "      --fail-on-alerts     exit with status 4 when there are alerts\n"
          "      --asn-db PATH        IP-to-ASN database: a .mmdb file, a start,end,asn,org\n"
          "                           CSV (.gz too) or a folder of asn-ipv4.csv.gz and\n"
          "                           asn-ipv6.csv.gz; 'none' for no ASN features (default:\n"
          "                           $INFRAHUNT_ASN_DB, else $INFRAHUNT_DATA/lists/asn)\n"
          "      --intel PATH         threat-intel list: addresses, CIDR prefixes and\n"
          "                           domains, one a line or CSV (repeatable)\n"
          "      --allowlist PATH     addresses, prefixes and domains that no alert may\n"
          "                           name; overrides --intel (repeatable)\n"
          "  -h, --help               show this help\n"
          "\n"
          "Exit status: 0 success, 1 internal error, 2 usage or profile error,\n"
          "3 unreadable input or --strict stop, 4 alerts with --fail-on-alerts.\n",
          out);
}

/* How many --intel and --allowlist options a scan takes. */
#define MAX_LIST_OPTIONS 64

/* The reader names --format takes, for messages. */
#define FORMAT_NAMES "json, zeek-tsv, defender-csv, suricata, evtx, pcap"

/* True when name is a line reader or a binary reader. */
static bool format_known(const char *name)
{
    return ih_reader_find(name) || ih_binary_reader_find(name);
}

static void usage_events(FILE *out)
{
    fputs("usage: infrahunt events [options] PATH...\n"
          "\n"
          "Prints every normalized event as one JSON object per line, in input order.\n"
          "\n"
          "options:\n"
          "  -o FILE          write to FILE instead of standard output\n"
          "      --format NAME  read every file as NAME: json, zeek-tsv, defender-csv,\n"
          "                   suricata, evtx or pcap\n"
          "      --stats      print records read and skipped to stderr\n"
          "      --no-progress  draw no progress bar (drawn on stderr when it is a\n"
          "                   terminal, standard output is not, and reading takes\n"
          "                   over half a second)\n"
          "      --strict     stop at the first bad record (exit status 3)\n"
          "      --verify-checksums  check the CRC32 checksums of EVTX files and skip\n"
          "                   the chunks that fail\n"
          "  -h, --help       show this help\n",
          out);
}

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 1024 ? (unsigned)n : 1;
}

/* Per-worker state of a scan: one state per detector, and the newest event time. */
typedef struct scan_worker {
    ih_sink sink;
    void **states;
    ih_time newest;
    int failed;
} scan_worker;

typedef struct scan_run {
    const ih_detector **detectors;
    void **params;
    size_t ndetectors;
    scan_worker *workers;
    unsigned nworkers;
} scan_run;

static void note_time(scan_worker *w, ih_time t)
{
    if (t != IH_TIME_NONE && (w->newest == IH_TIME_NONE || t > w->newest))
        w->newest = t;
}

static int scan_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    scan_run *r = s->ctx;
    scan_worker *w = (scan_worker *)s;
    (void)o;
    note_time(w, c->time);
    for (size_t i = 0; i < r->ndetectors; i++)
        if (r->detectors[i]->conn(w->states[i], c) < 0)
            return -1;
    return 0;
}

static int scan_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    scan_run *r = s->ctx;
    scan_worker *w = (scan_worker *)s;
    (void)o;
    note_time(w, d->time);
    for (size_t i = 0; i < r->ndetectors; i++)
        if (r->detectors[i]->dns(w->states[i], d) < 0)
            return -1;
    return 0;
}

static ih_sink *scan_make_sink(void *arg, unsigned worker)
{
    scan_run *r = arg;
    scan_worker *w = &r->workers[worker];

    w->sink = (ih_sink){scan_conn, scan_dns, r};
    w->newest = IH_TIME_NONE;
    w->states = calloc(r->ndetectors ? r->ndetectors : 1, sizeof(*w->states));
    if (!w->states)
        return NULL;
    for (size_t i = 0; i < r->ndetectors; i++) {
        w->states[i] = r->detectors[i]->state_new(r->params[i]);
        if (!w->states[i])
            return NULL;
    }
    return &w->sink;
}

/* Finds the detectors a profile enables and configures them. */
static int configure_detectors(profile *p, scan_run *r)
{
    profile_node *list;
    if (profile_get_map(p, p->root, "detectors", &list) < 0)
        return -1;
    r->detectors = calloc(list->count + 1, sizeof(*r->detectors));
    r->params = calloc(list->count + 1, sizeof(*r->params));
    if (!r->detectors || !r->params)
        return -1;
    for (size_t i = 0; i < list->count; i++) {
        const ih_detector *d = NULL;
        for (size_t k = 0; ih_detectors[k]; k++)
            if (strcmp(ih_detectors[k]->name, list->keys[i]) == 0)
                d = ih_detectors[k];
        if (!d) {
            snprintf(p->error, sizeof(p->error), "%s:%u: unknown detector '%s'", p->name,
                     list->key_lines[i], list->keys[i]);
            return -1;
        }
        list->used[i] = true;
        if (list->items[i]->kind != PROFILE_MAP) {
            snprintf(p->error, sizeof(p->error), "%s:%u: settings of '%s' must be a map",
                     p->name, list->items[i]->line, list->keys[i]);
            return -1;
        }
        if (d->configure(p, list->items[i], &r->params[r->ndetectors]) < 0)
            return -1;
        r->detectors[r->ndetectors++] = d;
    }
    profile_get(p, p->root, "name");
    profile_get(p, p->root, "description");
    return profile_check_unused(p, p->root, "the profile");
}

static void free_scan(scan_run *r)
{
    for (unsigned w = 0; w < r->nworkers; w++) {
        for (size_t i = 0; r->workers[w].states && i < r->ndetectors; i++)
            if (r->workers[w].states[i])
                r->detectors[i]->state_free(r->workers[w].states[i]);
        free(r->workers[w].states);
    }
    for (size_t i = 0; i < r->ndetectors; i++)
        r->detectors[i]->params_free(r->params[i]);
    free(r->workers);
    free(r->detectors);
    free(r->params);
}

typedef struct common_options {
    const char *out_path;
    const char *format;
    bool stats;
    bool strict;
    bool verify_checksums;
    bool no_progress;
} common_options;

/*
 * Reads the inputs, with a progress bar on stderr when it is a terminal
 * (and stdout, when results go there as they are read, is not) unless
 * --no-progress. The bar is erased before any message is printed.
 */
static int read_inputs(char *const *paths, size_t npaths, const ih_input_options *opt,
                       const ih_sink_factory *factory, ih_diag *diag, const common_options *co,
                       bool streams_to_stdout)
{
    output_progress *bar = NULL;
    if (!co->no_progress && output_progress_supported(stderr) &&
        !(streams_to_stdout && isatty(STDOUT_FILENO)))
        bar = output_progress_start(stderr);
    ih_progress_sink sink = {output_progress_total, output_progress_add, bar};
    int rc = ih_input_read_progress(paths, npaths, opt, factory, diag, bar ? &sink : NULL);
    output_progress_stop(bar);
    return rc;
}

static FILE *open_output(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "infrahunt: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

static int finish_input(int rc, ih_diag *diag, const common_options *co)
{
    ih_diag_print_messages(diag, stderr);
    if (co->stats)
        ih_diag_print_stats(diag, stderr);
    if (diag->stop) {
        fprintf(stderr, "infrahunt: stopped at the first bad record (--strict)\n");
        return EXIT_INPUT;
    }
    if (rc < 0) {
        fprintf(stderr, "infrahunt: reading failed: out of memory\n");
        return EXIT_INTERNAL;
    }
    return rc > 0 ? EXIT_INPUT : 0;
}

/* Events read from every source, for the report. */
static uint64_t count_events(const ih_diag *diag)
{
    uint64_t n = 0;
    for (size_t i = 0; i < diag->nevents; i++)
        n += diag->events[i].count;
    return n;
}

static int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'}, {"now", required_argument, NULL, 'N'},
        {"threads", required_argument, NULL, 't'}, {"output", required_argument, NULL, 'f'},
        {"format", required_argument, NULL, 'F'},  {"stats", no_argument, NULL, 'S'},
        {"strict", no_argument, NULL, 'X'},        {"fail-on-alerts", no_argument, NULL, 'A'},
        {"verify-checksums", no_argument, NULL, 'C'},
        {"no-progress", no_argument, NULL, 'P'},
        {"asn-db", required_argument, NULL, 'D'},  {"intel", required_argument, NULL, 'I'},
        {"allowlist", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    /* --intel and --allowlist paths point into argv, which outlives the scan. */
    static const char *intel[MAX_LIST_OPTIONS], *allow[MAX_LIST_OPTIONS];
    ih_enrich_options enrich = {NULL, intel, 0, allow, 0};
    const char *profile_name = "default";
    const char *now_text = NULL;
    unsigned threads = default_threads();
    output_format format = OUTPUT_TABLE;
    common_options co = {0};
    bool fail_on_alerts = false;
    int c;

    optind = 1;
    argv[0] = "infrahunt scan"; /* getopt names argv[0] in its messages */
    while ((c = getopt_long(argc, argv, "p:t:f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': profile_name = optarg; break;
        case 'N': now_text = optarg; break;
        case 't': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 1024) {
                fprintf(stderr, "infrahunt: --threads: '%s' is not a number from 1 to 1024\n", optarg);
                return EXIT_USAGE;
            }
            threads = (unsigned)n;
            break;
        }
        case 'f':
            if (output_format_parse(optarg, &format) < 0) {
                fprintf(stderr, "infrahunt: --output: '%s' is not table, jsonl, csv or html\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o': co.out_path = optarg; break;
        case 'F': co.format = optarg; break;
        case 'S': co.stats = true; break;
        case 'X': co.strict = true; break;
        case 'C': co.verify_checksums = true; break;
        case 'A': fail_on_alerts = true; break;
        case 'P': co.no_progress = true; break;
        case 'D': enrich.asn_db = optarg; break;
        case 'I':
        case 'L':
            if ((c == 'I' ? enrich.nintel : enrich.nallow) == MAX_LIST_OPTIONS) {
                fprintf(stderr, "infrahunt: --%s: at most %d lists\n", c == 'I' ? "intel" : "allowlist",
                        MAX_LIST_OPTIONS);
                return EXIT_USAGE;
            }
            if (c == 'I')
                intel[enrich.nintel++] = optarg;
            else
                allow[enrich.nallow++] = optarg;
            break;
        case 'h': usage_scan(stdout); return 0;
        default: usage_scan(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "infrahunt: scan: no input given (a path, a folder, or - for standard input)\n");
        usage_scan(stderr);
        return EXIT_USAGE;
    }
    if (co.format && !format_known(co.format)) {
        fprintf(stderr, "infrahunt: --format: unknown reader '%s' (%s)\n", co.format, FORMAT_NAMES);
        return EXIT_USAGE;
    }
    ih_time now = IH_TIME_NONE;
    if (now_text && ih_time_parse_iso(now_text, strlen(now_text), &now) < 0) {
        fprintf(stderr, "infrahunt: --now: '%s' is not an RFC 3339 time such as 2024-04-21T00:00:00Z\n",
                now_text);
        return EXIT_USAGE;
    }

    ih_enrich_set_options(&enrich);

    profile prof;
    if (profile_load(&prof, profile_name) < 0) {
        fprintf(stderr, "infrahunt: %s\n", prof.error);
        profile_free(&prof);
        return EXIT_USAGE;
    }
    scan_run run = {0};
    if (configure_detectors(&prof, &run) < 0) {
        fprintf(stderr, "infrahunt: %s\n", prof.error[0] ? prof.error : "out of memory");
        free_scan(&run);
        profile_free(&prof);
        return EXIT_USAGE;
    }
    run.nworkers = threads;
    run.workers = calloc(threads, sizeof(*run.workers));
    FILE *out = run.workers ? open_output(co.out_path) : NULL;
    if (!out) {
        free_scan(&run);
        profile_free(&prof);
        return run.workers ? EXIT_USAGE : EXIT_INTERNAL;
    }

    ih_diag diag;
    ih_diag_init(&diag, co.strict);
    ih_input_options opt = {co.format, threads, co.strict, 0, co.verify_checksums};
    /* Tests set a small chunk size to exercise parallel chunks on small files. */
    const char *chunk = getenv("INFRAHUNT_CHUNK_SIZE");
    if (chunk)
        opt.chunk_size = (size_t)strtoull(chunk, NULL, 10);
    ih_sink_factory factory = {scan_make_sink, &run};
    int rc = read_inputs(argv + optind, (size_t)(argc - optind), &opt, &factory, &diag, &co,
                         false);
    int status = finish_input(rc, &diag, &co);

    /* Merge worker states into worker 0's, in worker order; results do not depend on it. */
    ih_alert_list alerts = {0};
    if (status == 0 || (status == EXIT_INPUT && !diag.stop)) {
        ih_time newest = IH_TIME_NONE;
        for (unsigned w = 0; w < run.nworkers; w++)
            if (run.workers[w].states && run.workers[w].newest != IH_TIME_NONE &&
                (newest == IH_TIME_NONE || run.workers[w].newest > newest))
                newest = run.workers[w].newest;
        ih_scan_info info = {now != IH_TIME_NONE ? now : newest, format == OUTPUT_HTML};
        for (size_t i = 0; i < run.ndetectors && status != EXIT_INTERNAL; i++) {
            void *dst = run.workers[0].states ? run.workers[0].states[i] : NULL;
            for (unsigned w = 1; dst && w < run.nworkers; w++) {
                if (!run.workers[w].states || !run.workers[w].states[i])
                    continue;
                if (run.detectors[i]->merge(dst, run.workers[w].states[i]) < 0)
                    status = EXIT_INTERNAL;
                run.detectors[i]->state_free(run.workers[w].states[i]);
                run.workers[w].states[i] = NULL;
            }
            if (dst && status != EXIT_INTERNAL &&
                run.detectors[i]->finish(dst, &info, &alerts, &diag) < 0)
                status = EXIT_INTERNAL;
        }
        if (co.stats) {
            for (size_t i = 0; i < diag.nused; i++)
                fprintf(stderr, "  %-8s %-24s %-40s %12llu\n", "used", diag.used[i].source,
                        diag.used[i].name, (unsigned long long)diag.used[i].count);
            char t[IH_TIME_TEXT_MAX] = "none";
            if (info.now != IH_TIME_NONE)
                ih_time_format(info.now, t);
            fprintf(stderr, "  now %s (%s)\n", t, now != IH_TIME_NONE ? "--now" : "newest event");
        }
        alert_list_sort(&alerts);
        output_report_info report = {profile_name, argv + optind, (size_t)(argc - optind),
                                     info.now, count_events(&diag), diag.errors,
                                     INFRAHUNT_VERSION};
        int written = format == OUTPUT_HTML ? output_html(out, &alerts, &report)
                                            : output_alerts(out, format, &alerts);
        if (status != EXIT_INTERNAL && written < 0) {
            fprintf(stderr, "infrahunt: writing alerts failed: %s\n", strerror(errno));
            status = EXIT_INTERNAL;
        }
        if (status == EXIT_INTERNAL)
            fprintf(stderr, "infrahunt: detection failed: out of memory\n");
    }
    if (status == 0 && fail_on_alerts && alerts.count > 0)
        status = EXIT_ALERTS;

    if (out != stdout && fclose(out) != 0 && status == 0) {
        fprintf(stderr, "infrahunt: writing %s failed: %s\n", co.out_path, strerror(errno));
        status = EXIT_INTERNAL;
    }
    alert_list_free(&alerts);
    ih_diag_free(&diag);
    free_scan(&run);
    profile_free(&prof);
    return status;
}

/* The events command writes from one thread, in input order. */
typedef struct events_sink {
    ih_sink sink;
    FILE *out;
} events_sink;

static int events_conn(ih_sink *s, const ih_conn *c, const ih_origin *o)
{
    output_conn_json(((events_sink *)s)->out, c, o);
    return 0;
}

static int events_dns(ih_sink *s, const ih_dns *d, const ih_origin *o)
{
    output_dns_json(((events_sink *)s)->out, d, o);
    return 0;
}

static ih_sink *events_make_sink(void *arg, unsigned worker)
{
    (void)worker;
    return &((events_sink *)arg)->sink;
}

static int cmd_events(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'F'}, {"stats", no_argument, NULL, 'S'},
        {"strict", no_argument, NULL, 'X'},       {"help", no_argument, NULL, 'h'},
        {"verify-checksums", no_argument, NULL, 'C'}, {"no-progress", no_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    common_options co = {0};
    int c;

    optind = 1;
    argv[0] = "infrahunt events";
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': co.out_path = optarg; break;
        case 'F': co.format = optarg; break;
        case 'S': co.stats = true; break;
        case 'X': co.strict = true; break;
        case 'C': co.verify_checksums = true; break;
        case 'P': co.no_progress = true; break;
        case 'h': usage_events(stdout); return 0;
        default: usage_events(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "infrahunt: events: no input given (a path, a folder, or - for standard input)\n");
        return EXIT_USAGE;
    }
    if (co.format && !format_known(co.format)) {
        fprintf(stderr, "infrahunt: --format: unknown reader '%s' (%s)\n", co.format, FORMAT_NAMES);
        return EXIT_USAGE;
    }
    FILE *out = open_output(co.out_path);
    if (!out)
        return EXIT_USAGE;

    events_sink es = {{events_conn, events_dns, NULL}, out};
    ih_diag diag;
    ih_diag_init(&diag, co.strict);
    /* NOTE: one thread keeps the output in input order; parallel chunks would need reordering. */
    ih_input_options opt = {co.format, 1, co.strict, 0, co.verify_checksums};
    ih_sink_factory factory = {events_make_sink, &es};
    int rc = read_inputs(argv + optind, (size_t)(argc - optind), &opt, &factory, &diag, &co,
                         out == stdout);
    int status = finish_input(rc, &diag, &co);
    if ((fflush(out) != 0 || ferror(out)) && status == 0) {
        fprintf(stderr, "infrahunt: writing events failed: %s\n", strerror(errno));
        status = EXIT_INTERNAL;
    }
    if (out != stdout)
        fclose(out);
    ih_diag_free(&diag);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "events") == 0)
        return cmd_events(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cli_export(argc - 1, argv + 1);
    if (strcmp(cmd, "simulate") == 0)
        return cli_simulate(argc - 1, argv + 1);
    if (strcmp(cmd, "selftest") == 0)
        return cli_selftest(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("infrahunt %s\n", INFRAHUNT_VERSION);
        return 0;
    }
    fprintf(stderr, "infrahunt: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return EXIT_USAGE;
}
