#include <stdio.h>

#include "cli.h"

int cli_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    /* TODO: render the profile's rules as SIEM queries. */
    fprintf(stderr, "infrahunt: export is not available in this build\n");
    return 2;
}
