/*
 * main.c: the latchkey program: finds the subcommand and runs it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"

static const struct cmd_entry *const commands[] = {
    &cmd_serve,
    &cmd_user,
    &cmd_hash,
    &cmd_token,
    &cmd_keys,
    &cmd_db,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "latchkey %s: OAuth2 password flow and JWT bearer tokens\n\n"
            "usage: latchkey COMMAND [options]   "
            "(latchkey COMMAND --help for details)\n\ncommands:\n",
            LATCHKEY_VERSION);
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
}

int main(int argc, char **argv)
{
    size_t i;

    umask(077);     /* the store, keys and logs are nobody else's */
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("latchkey %s\n", LATCHKEY_VERSION);
        return 0;
    }
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i]->name) == 0)
            return commands[i]->exec(argc - 1, argv + 1);
    fprintf(stderr, "latchkey: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
