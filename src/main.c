/*
 * main.c: the latchkey program: parses the subcommand and hands off.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    puts("latchkey " LATCHKEY_VERSION);
    return 0;
}
