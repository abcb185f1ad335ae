#include <stdio.h>

#include "cli.h"

int cli_simulate(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    /* TODO: write telemetry for the reference rule's tests. */
    fprintf(stderr, "infrahunt: simulate is not available in this build\n");
    return 2;
}

int cli_selftest(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "infrahunt: selftest is not available in this build\n");
    return 2;
}
