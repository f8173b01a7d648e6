/* stoop: the runtime's command line. */
#include <stdio.h>
#include <string.h>

#include "program.h"
#include "stoop_commands.h"


static void usage(FILE *out)
{
    fputs("usage: stoop <command> [options]\n"
          "\n"
          "commands:\n"
          "  run -r RULES... [--source SRC] (--input PATH|-)... [--json] ...\n"
          "      evaluate rules over events and write alerts ('stoop run --help')\n"
          "  test CASES.yaml...\n"
          "      run rule tests: events and the alerts they must give ('stoop test --help')\n"
          "  version\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "test") == 0)
        return cmd_test(argc - 1, argv + 1);
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("stoop %s (Falco rules engine version %s)\n", STOOP_VERSION, STOOP_ENGINE_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "stoop: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
