/* stoop_commands.h: the subcommands of the `stoop` runtime program. */
#ifndef STOOP_STOOP_COMMANDS_H
#define STOOP_STOOP_COMMANDS_H

#include "program.h"

int cmd_run(int argc, char **argv); /* stoop run: native code through the ruleset cache */

/* How `run` gets native code for rules loaded from files: stoop compiles
 * them with stoopc into its cache (native_cache.c), stoopc JIT-compiles
 * them in process (compiler/cmd_run_jit.c). */
struct native_code;
struct run_engine {
    const char *name; /* "native", "jit": also accepted by --engine */
    bool (*prepare)(const struct program *p, const char *const *paths, size_t npaths,
                    struct native_code *out, char **err);
};
int run_main(const char *prog, int argc, char **argv, const struct run_engine *engine);
int cmd_test(int argc, char **argv); /* test_cmd.c: stoop test CASES.yaml... */

/* Shared by the commands. */
const char *run_hostname(void); /* FALCO_HOSTNAME, else gethostname() */
/* Loads rules files; on errors prints them on stderr and returns the exit
 * status (1 errors, 2 unreadable file), else 0. */
int run_load_rules(struct program *p, const char *const *paths, size_t n);

#endif
