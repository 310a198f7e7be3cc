/*
 * cmd.h: the subcommands of the latchkey program. Each lives in its own
 * src/cmd_<name>.c and exports one const struct cmd_entry; main.c holds
 * the table. exec receives the arguments after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit status.
 */
#ifndef LATCHKEY_CMD_H
#define LATCHKEY_CMD_H

struct cmd_entry {
    const char *name;
    const char *summary;   /* one line for `latchkey --help` */
    const char *usage;     /* printed by `latchkey NAME --help` */
    int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry cmd_serve;
extern const struct cmd_entry cmd_user;
extern const struct cmd_entry cmd_hash;
extern const struct cmd_entry cmd_token;
extern const struct cmd_entry cmd_keys;
extern const struct cmd_entry cmd_db;

#endif
