/* commands.h: the stoopc subcommands (argv[0] is the subcommand name). */
#ifndef STOOP_COMMANDS_H
#define STOOP_COMMANDS_H

int cmd_fields(int argc, char **argv);

#endif
