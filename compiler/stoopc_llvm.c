/* stoopc-llvm: the commands of stoopc that need LLVM (native.h): compile,
 * run (JIT), dump and explain --dump. stoopc executes this program for
 * them, with its own arguments, so that the front-end commands never load
 * LLVM. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "compile") == 0)
        return cmd_compile(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cmd_run_jit(argc - 1, argv + 1);
    if (strcmp(cmd, "dump") == 0 || strcmp(cmd, "explain") == 0)
        return cmd_dump(argc - 1, argv + 1);
    fprintf(stderr, "stoopc-llvm: run by stoopc for compile, run, dump and explain --dump, "
                    "not '%s'\n", cmd);
    return 2;
}
