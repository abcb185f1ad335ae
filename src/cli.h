/*
 * Commands that live in their own cli_*.c files. Each takes the arguments
 * after the command name (argv[0] is the command) and returns the exit
 * status, with the codes documented in main.c.
 */
#ifndef IH_CLI_H
#define IH_CLI_H

int cli_export(int argc, char **argv);
int cli_simulate(int argc, char **argv);
int cli_selftest(int argc, char **argv);

#endif
