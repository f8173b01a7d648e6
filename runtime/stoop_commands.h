/* stoop_commands.h: the subcommands of the `stoop` runtime program. */
#ifndef STOOP_STOOP_COMMANDS_H
#define STOOP_STOOP_COMMANDS_H

#include "program.h"

int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv); /* test_cmd.c: stoop test CASES.yaml... */

/* Shared by the commands. */
const char *run_hostname(void); /* FALCO_HOSTNAME, else gethostname() */
/* Loads rules files; on errors prints them on stderr and returns the exit
 * status (1 errors, 2 unreadable file), else 0. */
int run_load_rules(struct program *p, const char *const *paths, size_t n);

#endif
