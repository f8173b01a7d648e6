/* commands.h: the stoopc subcommands (argv[0] is the subcommand name). */
#ifndef STOOP_COMMANDS_H
#define STOOP_COMMANDS_H

int cmd_fields(int argc, char **argv);
int cmd_compile(int argc, char **argv); /* cmd_compile.c */
int cmd_dump(int argc, char **argv);    /* cmd_compile.c */
int cmd_run_jit(int argc, char **argv); /* cmd_run_jit.c */

#endif
