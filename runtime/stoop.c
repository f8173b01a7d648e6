/* stoop: the runtime's command line. */
#include <stdio.h>
#include <string.h>

#include "program.h"

#define STOOP_VERSION "0.1.0"

static void usage(FILE *out)
{
    fputs("usage: stoop <command> [options]\n"
          "\n"
          "commands:\n"
          "  version\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
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
