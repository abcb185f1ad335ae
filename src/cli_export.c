/*
 * infrahunt export: prints a profile's detections as a query for one SIEM,
 * Sigma or SQL. Exit codes as in main.c: 0 success, 1 internal failure
 * (out of memory, write error), 2 usage or profile error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile/profile.h"
#include "render/render.h"

#define EXIT_INTERNAL 1
#define EXIT_USAGE 2

static void usage_export(FILE *out)
{
    fputs("usage: infrahunt export --target NAME [options]\n"
          "\n"
          "Prints the profile's detections as a query for a SIEM, Sigma or SQL, from the\n"
          "same parameters that 'infrahunt scan' runs. A comment header names the field\n"
          "map and what the target expresses differently from scan.\n"
          "\n"
          "options:\n"
          "  -T, --target NAME        the query language (required), one of:\n",
          out);
    for (size_t i = 0; render_targets[i]; i++)
        fprintf(out, "                             %-9s %s\n", render_targets[i]->name,
                render_targets[i]->title);
    fputs("  -p, --profile NAME|FILE  a built-in profile (seed) or a YAML file\n"
          "                           (default: seed)\n"
          "      --table NAME         the table, index or search scope to read instead of\n"
          "                           the target's default (letters, digits, _ . : * -)\n"
          "      --bytes-column SENT[,RECEIVED]\n"
          "                           columns of bytes sent and received, for sources that\n"
          "                           have them; adds part 1's byte filter where the\n"
          "                           target's default source has no byte counts\n"
          "  -o FILE                  write the query to FILE instead of standard output\n"
          "  -h, --help               show this help\n"
          "\n"
          "Exit status: 0 success, 1 internal error, 2 usage or profile error, or a\n"
          "profile value that the target language cannot hold.\n",
          out);
}

/* Accepts the characters that every target allows unquoted in a table or index name. */
static bool valid_name(const char *s, const char *extra)
{
    if (!*s || strlen(s) > 200)
        return false;
    for (const char *c = s; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || strchr(extra, *c);
        if (!ok)
            return false;
    }
    return true;
}

/* Splits SENT[,RECEIVED] into o; the text is modified in place. */
static int parse_bytes_columns(char *text, render_options *o)
{
    char *comma = strchr(text, ',');
    if (comma)
        *comma = '\0';
    o->bytes_sent = text;
    o->bytes_received = comma ? comma + 1 : NULL;
    if (!valid_name(o->bytes_sent, ".") || (o->bytes_received && !valid_name(o->bytes_received, "."))) {
        fprintf(stderr,
                "infrahunt: --bytes-column: column names may contain only letters, digits, '_' "
                "and '.'\n");
        return -1;
    }
    return 0;
}

static int write_query(const char *path, const render_buf *query)
{
    FILE *out = stdout;
    if (path && strcmp(path, "-") != 0) {
        out = fopen(path, "w");
        if (!out) {
            fprintf(stderr, "infrahunt: cannot write %s: %s\n", path, strerror(errno));
            return EXIT_USAGE;
        }
    }
    fwrite(query->data, 1, query->len, out);
    int failed = fflush(out) != 0 || ferror(out);
    if (out != stdout && fclose(out) != 0)
        failed = 1;
    if (failed) {
        fprintf(stderr, "infrahunt: writing %s failed: %s\n", path ? path : "standard output",
                strerror(errno));
        return EXIT_INTERNAL;
    }
    return 0;
}

int cli_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 'T'},       {"profile", required_argument, NULL, 'p'},
        {"table", required_argument, NULL, 'B'},        {"bytes-column", required_argument, NULL, 'Y'},
        {"help", no_argument, NULL, 'h'},               {NULL, 0, NULL, 0},
    };
    const char *target_name = NULL, *profile_name = "seed", *out_path = NULL;
    render_options options = {0};
    int c;

    optind = 1;
    argv[0] = "infrahunt export"; /* getopt names argv[0] in its messages */
    while ((c = getopt_long(argc, argv, "T:p:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'T': target_name = optarg; break;
        case 'p': profile_name = optarg; break;
        case 'o': out_path = optarg; break;
        case 'B':
            if (!valid_name(optarg, ".:*-")) {
                fprintf(stderr,
                        "infrahunt: --table: '%s' is not a plain name (letters, digits, _ . : * -)\n",
                        optarg);
                return EXIT_USAGE;
            }
            options.table = optarg;
            break;
        case 'Y':
            if (parse_bytes_columns(optarg, &options) < 0)
                return EXIT_USAGE;
            break;
        case 'h': usage_export(stdout); return 0;
        default: usage_export(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "infrahunt: export: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!target_name) {
        fprintf(stderr, "infrahunt: export: --target is required (one of");
        for (size_t i = 0; render_targets[i]; i++)
            fprintf(stderr, " %s", render_targets[i]->name);
        fprintf(stderr, ")\n");
        return EXIT_USAGE;
    }
    const render_target *target = render_find(target_name);
    if (!target) {
        fprintf(stderr, "infrahunt: --target: unknown target '%s' (one of", target_name);
        for (size_t i = 0; render_targets[i]; i++)
            fprintf(stderr, " %s", render_targets[i]->name);
        fprintf(stderr, ")\n");
        return EXIT_USAGE;
    }

    profile prof;
    render_params params;
    if (profile_load(&prof, profile_name) < 0 || render_params_read(&prof, &params) < 0) {
        fprintf(stderr, "infrahunt: %s\n", prof.error[0] ? prof.error : "out of memory");
        profile_free(&prof);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < params.nskipped; i++)
        fprintf(stderr, "infrahunt: export: detector '%s' has no renderer; the query leaves it out\n",
                params.skipped[i]);

    render_buf query = {0};
    render_job job = {.target = target, .params = &params, .options = &options, .out = &query};
    int status;
    if (render_run(&job) < 0) {
        fprintf(stderr, "infrahunt: export --target %s: %s\n", target->name, job.err);
        status = query.failed ? EXIT_INTERNAL : EXIT_USAGE;
    } else {
        status = write_query(out_path, &query);
    }
    rb_free(&query);
    render_params_free(&params);
    profile_free(&prof);
    return status;
}
