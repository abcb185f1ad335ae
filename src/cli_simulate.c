/*
 * The simulate and selftest commands.
 *
 * simulate writes the telemetry of the reference rule's tests, alone or in
 * benign background traffic, in one of the formats of the simulate module.
 *
 * selftest simulates every test in every format this build can write, scans
 * each output with the seed and default profiles, and checks each result
 * against a stated expectation. The scans run as child processes of this
 * same program (/proc/self/exe scan ...), so they go through the real
 * command line: option parsing, format detection, threads and the JSON
 * lines alert writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "event/timeutil.h"
#include "input/json.h"
#include "profile/profile.h"
#include "simulate/sim.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* --- simulate --- */

static void usage_simulate(FILE *out)
{
    fputs("usage: infrahunt simulate --test NAME --format FORMAT -o PATH [options]\n"
          "\n"
          "Writes the telemetry that the reference rule's tests describe, as the named\n"
          "tool would log it, alone or inside benign background traffic.\n"
          "\n"
          "options:\n"
          "  -t, --test NAME         beacon, ddns, fastflux or all\n"
          "      --format NAME       output format; --list-formats shows them\n"
          "      --layout NAME       a layout of the format (default: its first)\n"
          "  -o, --output PATH       a file, '-' for standard output, or a folder for\n"
          "                          layouts that write one file per log\n"
          "  -s, --seed N            random seed (default 1); the same seed and options\n"
          "                          give byte-identical output\n"
          "  -b, --background N      embed the test in N benign events (default 0)\n"
          "      --start TIME        scenario start, RFC 3339 (default 2024-05-13T08:00:00Z)\n"
          "      --size BYTES        write about BYTES of output by choosing the background\n"
          "                          size; K, M and G suffixes are powers of 1024\n"
          "      --list-formats      print the formats and their layouts, then exit\n"
          "  -h, --help              show this help\n"
          "\n"
          "Exit status: 0 success, 1 write failure, 2 usage error or a format this build\n"
          "cannot write.\n",
          out);
}

static void list_formats(FILE *out)
{
    fprintf(out, "%-14s %-18s %s\n", "format", "layout", "writes");
    for (size_t i = 0; sim_formats[i]; i++) {
        const sim_format *f = sim_formats[i];
        for (size_t k = 0; k < f->nlayouts; k++) {
            const sim_layout *l = &f->layouts[k];
            fprintf(out, "%-14s %-18s %s%s\n", k ? "" : f->name, l->name, l->description,
                    l->folder ? " (PATH is a folder)" : "");
        }
        if (f->unavailable)
            fprintf(out, "%-14s %-18s not available: %s\n", "", "", f->unavailable);
    }
}

/* Parses a decimal count; returns 0, or -1 when text is not one. */
static int parse_count(const char *text, uint64_t *out)
{
    char *end;
    if (!*text || *text == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Parses a byte size with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *text, uint64_t *out)
{
    char *end;
    if (!*text || *text == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift)
        end++;
    if (errno || *end || v == 0 || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int cli_simulate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"test", required_argument, NULL, 't'},     {"format", required_argument, NULL, 'F'},
        {"layout", required_argument, NULL, 'L'},   {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},     {"background", required_argument, NULL, 'b'},
        {"start", required_argument, NULL, 'S'},    {"size", required_argument, NULL, 'Z'},
        {"list-formats", no_argument, NULL, 'l'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sim_options opt;
    sim_options_init(&opt);
    const char *test = NULL, *format = NULL, *layout_name = NULL, *path = NULL;
    uint64_t size = 0;
    bool background_given = false;
    int c;

    optind = 1;
    argv[0] = "infrahunt simulate";
    while ((c = getopt_long(argc, argv, "t:o:s:b:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': test = optarg; break;
        case 'F': format = optarg; break;
        case 'L': layout_name = optarg; break;
        case 'o': path = optarg; break;
        case 's':
            if (parse_count(optarg, &opt.seed) < 0) {
                fprintf(stderr, "infrahunt: --seed: '%s' is not a whole number\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'b':
            if (parse_count(optarg, &opt.background) < 0) {
                fprintf(stderr, "infrahunt: --background: '%s' is not a count of events\n",
                        optarg);
                return EXIT_USAGE;
            }
            background_given = true;
            break;
        case 'S':
            if (ih_time_parse_iso(optarg, strlen(optarg), &opt.start) < 0) {
                fprintf(stderr,
                        "infrahunt: --start: '%s' is not an RFC 3339 time such as "
                        "2024-05-13T08:00:00Z\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'Z':
            if (parse_size(optarg, &size) < 0) {
                fprintf(stderr,
                        "infrahunt: --size: '%s' is not a size in bytes such as 500M or 2G\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'l': list_formats(stdout); return 0;
        case 'h': usage_simulate(stdout); return 0;
        default: usage_simulate(stderr); return EXIT_USAGE;
        }
    }

    if (optind < argc) {
        fprintf(stderr, "infrahunt: simulate: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!test || !format || !path) {
        fprintf(stderr, "infrahunt: simulate: --test, --format and -o are required\n");
        usage_simulate(stderr);
        return EXIT_USAGE;
    }
    opt.tests = sim_test_parse(test);
    if (!opt.tests) {
        fprintf(stderr, "infrahunt: --test: unknown test '%s' (beacon, ddns, fastflux, all)\n",
                test);
        return EXIT_USAGE;
    }
    if (size && background_given) {
        fprintf(stderr, "infrahunt: simulate: give --size or --background, not both\n");
        return EXIT_USAGE;
    }
    const sim_format *f = sim_format_find(format);
    if (!f) {
        fprintf(stderr, "infrahunt: --format: unknown format '%s'; --list-formats shows them\n",
                format);
        return EXIT_USAGE;
    }
    if (f->unavailable) {
        fprintf(stderr, "infrahunt: --format: %s is not available in this build: %s\n", f->name,
                f->unavailable);
        return EXIT_USAGE;
    }
    const sim_layout *layout = sim_format_layout(f, layout_name);
    if (!layout) {
        fprintf(stderr, "infrahunt: --layout: %s has no layout '%s'; --list-formats shows them\n",
                f->name, layout_name);
        return EXIT_USAGE;
    }
    if (layout->folder && strcmp(path, "-") == 0) {
        fprintf(stderr, "infrahunt: -o: %s (%s) writes a folder; give its path, not '-'\n",
                f->name, layout->name);
        return EXIT_USAGE;
    }

    char err[1200];
    if (sim_run(&opt, f, layout, path, size, err, sizeof(err)) < 0) {
        fprintf(stderr, "infrahunt: simulate: %s\n", err);
        return EXIT_FAILED;
    }
    return 0;
}

/* --- selftest --- */

#define SELFTEST_BACKGROUND 2000

/* What a profile is expected to do with one test in one family of formats. */
typedef struct expectation {
    bool alert;
    const char *reason; /* why there is no alert, when none is expected */
} expectation;

/* Sources by what the reference rule can use: byte counts, and names of connections. */
enum family {
    DEFENDER, /* names (RemoteUrl), no bytes */
    SYSMON,   /* neither */
    ZEEK,     /* bytes, no names in conn.log */
    SENSOR,   /* Suricata and packet captures: bytes, and names from TLS SNI and HTTP Host */
};

static enum family family_of(const sim_format *f)
{
    if (strncmp(f->name, "defender", 8) == 0)
        return DEFENDER;
    if (strncmp(f->name, "sysmon", 6) == 0)
        return SYSMON;
    if (strncmp(f->name, "zeek", 4) == 0)
        return ZEEK;
    return SENSOR;
}

/*
 * The expected outcome per profile, test and source. The reference rule's
 * follows from its definition. Part 1 needs byte counts, which only the
 * network sensors (Zeek, Suricata, captures) record. Part 2 reads the
 * RemoteUrl of connections, which Defender fills with the looked-up name,
 * and the Suricata and capture readers with the TLS server name or HTTP
 * Host. Part 3 counts addresses per device
 * and hour, which every source has. Every other profile is expected to
 * alert on every test it has a detector for.
 */
static expectation expect(const char *profile_name, unsigned test, enum family fam)
{
    if (strcmp(profile_name, "seed") != 0)
        return (expectation){true, NULL};
    if (test == SIM_TEST_BEACON && (fam == DEFENDER || fam == SYSMON))
        return (expectation){false, "no byte counts in this format"};
    if (test == SIM_TEST_DDNS && fam == SYSMON)
        return (expectation){false, "Sysmon connections carry no looked-up name, and the rule "
                                    "does not read DNS queries"};
    if (test == SIM_TEST_DDNS && fam == ZEEK)
        return (expectation){false, "conn.log carries no names, and the rule does not read "
                                    "dns.log"};
    return (expectation){true, NULL};
}

/* Whether an alert type belongs to a test: by the words of the type's name. */
static bool type_matches(const char *type, unsigned test)
{
    switch (test) {
    case SIM_TEST_BEACON: return strcasestr(type, "beacon") != NULL;
    case SIM_TEST_DDNS: return strcasestr(type, "dynamic") || strcasestr(type, "ddns");
    default: return strcasestr(type, "flux") != NULL;
    }
}

/*
 * The tests a profile's detectors cover. A detector is matched by its name:
 * seed covers all three, and other names by the words beacon, dns or ddns,
 * and flux.
 */
static unsigned profile_coverage(const char *name, char *detectors, size_t cap)
{
    profile p;
    unsigned tests = 0;
    profile_node *list;
    detectors[0] = '\0';
    if (profile_load(&p, name) < 0 || profile_get_map(&p, p.root, "detectors", &list) < 0) {
        profile_free(&p);
        return 0;
    }
    size_t used = 0;
    for (size_t i = 0; i < list->count; i++) {
        const char *d = list->keys[i];
        if (strcmp(d, "seed") == 0)
            tests |= SIM_TEST_ALL;
        if (strcasestr(d, "beacon"))
            tests |= SIM_TEST_BEACON;
        if (strcasestr(d, "dns"))
            tests |= SIM_TEST_DDNS;
        if (strcasestr(d, "flux"))
            tests |= SIM_TEST_FASTFLUX;
        int n = snprintf(detectors + used, cap - used, "%s%s", i ? ", " : "", d);
        if (n > 0 && (size_t)n < cap - used)
            used += (size_t)n;
    }
    profile_free(&p);
    return tests;
}

static bool profile_built_in(const char *name)
{
    const char *const *names = profile_builtin_names();
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* One alert line of `scan -f jsonl`, with the fields the checks read. */
typedef struct alert_line {
    char *text;
    char type[64];
} alert_line;

typedef struct alert_set {
    alert_line *items;
    size_t count;
} alert_set;

static void alert_set_free(alert_set *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->items[i].text);
    free(s->items);
    s->items = NULL;
    s->count = 0;
}

/* Reads the alerts of a JSON lines file. Returns 0, or -1 with err set. */
static int read_alerts(const char *path, alert_set *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    json_doc doc;
    json_doc_init(&doc);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        json_error jerr;
        int type_tok;
        alert_line a = {0};
        if (json_parse(&doc, line, (size_t)n, &jerr) < 0 ||
            (type_tok = json_get(&doc, 0, "AlertType")) < 0 ||
            json_type_of(&doc, type_tok) != IH_JSON_STRING) {
            snprintf(err, errlen, "%s: an alert line without AlertType", path);
            rc = -1;
            break;
        }
        ih_str t = json_string(&doc, type_tok, a.type, sizeof(a.type) - 1);
        if (t.ptr != a.type)
            snprintf(a.type, sizeof(a.type), "%.*s", (int)t.len, t.ptr ? t.ptr : "");
        else
            a.type[t.len] = '\0';
        alert_line *grown = realloc(out->items, (out->count + 1) * sizeof(*grown));
        a.text = strdup(line);
        if (!grown || !a.text) {
            free(a.text);
            if (grown)
                out->items = grown;
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        out->items = grown;
        out->items[out->count++] = a;
    }
    free(line);
    json_doc_free(&doc);
    fclose(f);
    return rc;
}

/* Runs `infrahunt scan` on input with a profile, alerts into out_path. Returns the exit status. */
static int run_scan(const char *profile_name, const char *input, const char *out_path,
                    const char *err_path)
{
    char *args[] = {"infrahunt", "scan", "--profile", (char *)profile_name, "-f", "jsonl",
                    "--threads", "2", "-o", (char *)out_path, (char *)input, NULL};
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv("/proc/self/exe", args);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The first line of a file, for error messages. */
static void first_line(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

/* Whether an alert names what the test did: its C2 address, a name, or the victim. */
static bool alert_names_test(const char *text, unsigned test, const sim_indicators *ind)
{
    char quoted[80];
    switch (test) {
    case SIM_TEST_BEACON:
        snprintf(quoted, sizeof(quoted), "\"%s\"", ind->c2_ip);
        return strstr(text, quoted) != NULL;
    case SIM_TEST_DDNS:
        for (size_t i = 0; i < SIM_DDNS_NAMES; i++)
            if (strcasestr(text, ind->ddns_names[i]))
                return true;
        return false;
    default: {
        const char *names[] = {ind->flux_name, ind->victim_computer, ind->victim_device_name,
                               ind->victim_ip};
        for (size_t i = 0; i < 4; i++) {
            snprintf(quoted, sizeof(quoted), "\"%s\"", names[i]);
            if (strcasestr(text, quoted))
                return true;
        }
        return false;
    }
    }
}

/*
 * Counts the alerts of the test's kind that name the test and that the
 * background alone does not produce, and describes the first in summary.
 */
static size_t test_alerts(const alert_set *alerts, const alert_set *baseline, unsigned test,
                          const sim_indicators *ind, char *summary, size_t cap)
{
    size_t found = 0;
    summary[0] = '\0';
    for (size_t i = 0; i < alerts->count; i++) {
        const alert_line *a = &alerts->items[i];
        if (!type_matches(a->type, test) || !alert_names_test(a->text, test, ind))
            continue;
        bool in_baseline = false;
        for (size_t k = 0; k < baseline->count && !in_baseline; k++)
            in_baseline = strcmp(baseline->items[k].text, a->text) == 0;
        if (in_baseline)
            continue;
        if (found++ == 0)
            snprintf(summary, cap, "%s", a->type);
    }
    return found;
}

typedef struct selftest_run {
    const char *dir;
    sim_options options;
    sim_indicators indicators;
    const char *profiles[4];
    unsigned coverage[4];
    char detectors[4][256];
    bool built[4];
    size_t nprofiles;
    bool keep; /* keep every generated file; otherwise each goes once it is scanned */
    unsigned passed, failed, not_run;
} selftest_run;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes a file, or a folder and everything in it. */
static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The usual file name extension of a format's output, "" for a folder. */
static const char *extension(const sim_format *f, const sim_layout *l)
{
    static const struct {
        const char *format, *extension;
    } table[] = {
        {"defender-csv", ".csv"},    {"sysmon-evtx", ".evtx"}, {"suricata-eve", ".json"},
        {"pcap", ".pcap"},
    };
    if (l->folder)
        return "";
    if (strcmp(l->name, "pcapng") == 0)
        return ".pcapng";
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(f->name, table[i].format) == 0)
            return table[i].extension;
    return ".jsonl";
}

/* The path of one generated output: a file or folder under the run's folder. */
static void output_path(const selftest_run *r, const char *what, const sim_format *f,
                        const sim_layout *l, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s-%s-%s%s", r->dir, what, f->name, l->name, extension(f, l));
}

static void print_line(const char *status, unsigned test, const char *variant,
                       const char *profile_name, const char *text)
{
    printf("%-8s %-9s %-23s %-8s %s\n", status, sim_test_name(test), variant, profile_name, text);
}

/* Scans one output with one profile and checks the expectation. */
static void check_one(selftest_run *r, unsigned test, const sim_format *f, const char *variant,
                      const char *data, const char *alerts_path, size_t p,
                      const alert_set *baseline)
{
    const char *prof = r->profiles[p];
    char text[600], err_path[1200], err[400], summary[80];
    if (!r->built[p]) {
        print_line("NOT RUN", test, variant, prof, "profile not in this build");
        r->not_run++;
        return;
    }
    if (!(r->coverage[p] & test)) {
        snprintf(text, sizeof(text), "the profile has no detector for this test (detectors: %s)",
                 r->detectors[p]);
        print_line("NOT RUN", test, variant, prof, text);
        r->not_run++;
        return;
    }

    snprintf(err_path, sizeof(err_path), "%s.stderr", alerts_path);
    int status = run_scan(prof, data, alerts_path, err_path);
    alert_set alerts = {0};
    if (status != 0 || read_alerts(alerts_path, &alerts, err, sizeof(err)) < 0) {
        if (status != 0)
            first_line(err_path, err, sizeof(err));
        snprintf(text, sizeof(text), "scan failed (exit status %d): %s", status, err);
        print_line("FAIL", test, variant, prof, text);
        r->failed++;
        alert_set_free(&alerts);
        return;
    }

    expectation want = expect(prof, test, family_of(f));
    size_t got = test_alerts(&alerts, baseline, test, &r->indicators, summary, sizeof(summary));
    bool ok = want.alert ? got > 0 : got == 0;
    char expected[300];
    if (want.alert)
        snprintf(expected, sizeof(expected), "expected alert");
    else
        snprintf(expected, sizeof(expected), "expected no alert: %s", want.reason);
    if (got)
        snprintf(text, sizeof(text), "%s; got %zu (%s)", expected, got, summary);
    else
        snprintf(text, sizeof(text), "%s; got none", expected);
    print_line(ok ? "PASS" : "FAIL", test, variant, prof, text);
    if (ok)
        r->passed++;
    else
        r->failed++;
    alert_set_free(&alerts);
}

/* Generates with o into path; prints a failure line and returns -1 when it fails. */
static int generate(const sim_options *o, const sim_format *f, const sim_layout *l,
                    const char *path, const char *variant, selftest_run *r, unsigned test)
{
    char err[1200];
    if (sim_run(o, f, l, path, 0, err, sizeof(err)) == 0)
        return 0;
    char text[1300];
    snprintf(text, sizeof(text), "simulate failed: %s", err);
    print_line("FAIL", test, variant, "-", text);
    r->failed++;
    return -1;
}

/* Runs every test of one format layout with every profile. */
static void check_variant(selftest_run *r, const sim_format *f, const sim_layout *l)
{
    char variant[64], data[1024], alerts_path[1100], err_path[1200], err[400];
    if (f->nlayouts > 1)
        snprintf(variant, sizeof(variant), "%s/%s", f->name, l->name);
    else
        snprintf(variant, sizeof(variant), "%s", f->name);

    /* The background alone, once per profile: alerts it raises do not count for a test. */
    alert_set baselines[4] = {{0}};
    sim_options o = r->options;
    o.tests = 0;
    output_path(r, "background", f, l, data, sizeof(data));
    if (generate(&o, f, l, data, variant, r, 0) < 0)
        return;
    for (size_t p = 0; p < r->nprofiles; p++) {
        if (!r->built[p])
            continue;
        snprintf(alerts_path, sizeof(alerts_path), "%s.%s.alerts.jsonl", data, r->profiles[p]);
        snprintf(err_path, sizeof(err_path), "%s.stderr", alerts_path);
        int status = run_scan(r->profiles[p], data, alerts_path, err_path);
        if (status != 0)
            first_line(err_path, err, sizeof(err));
        if (status == 0 && read_alerts(alerts_path, &baselines[p], err, sizeof(err)) == 0)
            continue;
        char text[600];
        snprintf(text, sizeof(text), "scan of the background alone failed (exit status %d): %s",
                 status, err);
        printf("%-8s %-9s %-23s %-8s %s\n", "FAIL", "none", variant, r->profiles[p], text);
        r->failed++;
    }
    if (!r->keep)
        remove_tree(data);

    for (unsigned test = SIM_TEST_BEACON; test <= SIM_TEST_FASTFLUX; test <<= 1) {
        o.tests = test;
        output_path(r, sim_test_name(test), f, l, data, sizeof(data));
        if (generate(&o, f, l, data, variant, r, test) < 0)
            continue;
        for (size_t p = 0; p < r->nprofiles; p++) {
            snprintf(alerts_path, sizeof(alerts_path), "%s.%s.alerts.jsonl", data,
                     r->profiles[p]);
            check_one(r, test, f, variant, data, alerts_path, p, &baselines[p]);
        }
        if (!r->keep)
            remove_tree(data);
    }
    for (size_t p = 0; p < r->nprofiles; p++)
        alert_set_free(&baselines[p]);
}

static void usage_selftest(FILE *out)
{
    fputs("usage: infrahunt selftest [options]\n"
          "\n"
          "Simulates every test in every format this build can write, inside benign\n"
          "background traffic, scans each output with the seed and default profiles,\n"
          "and prints one line per test, format and profile with the expected and the\n"
          "actual outcome. An alert counts for a test when it is of the test's kind,\n"
          "names the test's address, name or device, and the background alone does not\n"
          "raise it.\n"
          "\n"
          "options:\n"
          "      --keep DIR          write the generated files and alerts into DIR and\n"
          "                          keep them (default: a temporary folder, removed)\n"
          "  -s, --seed N            random seed (default 1)\n"
          "  -b, --background N      benign events around each test (default 2000)\n"
          "  -p, --profile NAME      check only this profile (repeatable; default: seed\n"
          "                          and default)\n"
          "  -h, --help              show this help\n"
          "\n"
          "Exit status: 0 when every expectation that ran held (lines marked NOT RUN\n"
          "do not count), 1 when one failed, 2 for usage errors.\n",
          out);
}

int cli_selftest(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"keep", required_argument, NULL, 'k'},       {"seed", required_argument, NULL, 's'},
        {"background", required_argument, NULL, 'b'}, {"profile", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
    };
    selftest_run r = {0};
    sim_options_init(&r.options);
    r.options.background = SELFTEST_BACKGROUND;
    const char *keep = NULL;
    int c;

    optind = 1;
    argv[0] = "infrahunt selftest";
    while ((c = getopt_long(argc, argv, "s:b:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': keep = optarg; break;
        case 's':
        case 'b':
            if (parse_count(optarg, c == 's' ? &r.options.seed : &r.options.background) < 0) {
                fprintf(stderr, "infrahunt: --%s: '%s' is not a whole number\n",
                        c == 's' ? "seed" : "background", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'p':
            if (r.nprofiles == 4) {
                fprintf(stderr, "infrahunt: --profile: at most 4 profiles\n");
                return EXIT_USAGE;
            }
            r.profiles[r.nprofiles++] = optarg;
            break;
        case 'h': usage_selftest(stdout); return 0;
        default: usage_selftest(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "infrahunt: selftest: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (r.nprofiles == 0) {
        r.profiles[r.nprofiles++] = "seed";
        r.profiles[r.nprofiles++] = "default";
    }
    for (size_t p = 0; p < r.nprofiles; p++) {
        r.built[p] = profile_built_in(r.profiles[p]) || strchr(r.profiles[p], '/');
        if (r.built[p])
            r.coverage[p] = profile_coverage(r.profiles[p], r.detectors[p], sizeof(r.detectors[p]));
    }

    char tmp[] = "/tmp/infrahunt-selftest.XXXXXX";
    if (keep) {
        if (mkdir(keep, 0777) < 0 && errno != EEXIST) {
            fprintf(stderr, "infrahunt: --keep: cannot create %s: %s\n", keep, strerror(errno));
            return EXIT_USAGE;
        }
        r.dir = keep;
        r.keep = true;
    } else if (!(r.dir = mkdtemp(tmp))) {
        fprintf(stderr, "infrahunt: selftest: cannot create a temporary folder: %s\n",
                strerror(errno));
        return EXIT_FAILED;
    }
    sim_indicators_get(&r.options, &r.indicators);

    printf("%-8s %-9s %-23s %-8s %s\n", "result", "test", "format", "profile", "outcome");
    for (size_t i = 0; sim_formats[i]; i++) {
        const sim_format *f = sim_formats[i];
        if (f->unavailable) {
            char text[300];
            snprintf(text, sizeof(text), "format not available: %s", f->unavailable);
            printf("%-8s %-9s %-23s %-8s %s\n", "NOT RUN", "all", f->name, "all", text);
            r.not_run++;
            continue;
        }
        for (size_t k = 0; k < f->nlayouts; k++)
            check_variant(&r, f, &f->layouts[k]);
    }
    printf("selftest: %u passed, %u failed, %u not run (seed %llu, %llu background events)\n",
           r.passed, r.failed, r.not_run, (unsigned long long)r.options.seed,
           (unsigned long long)r.options.background);
    if (keep)
        printf("selftest: files kept in %s\n", keep);
    else
        remove_tree(r.dir);
    return r.failed ? EXIT_FAILED : 0;
}
