/*
 * floor_args.h: the command-line numbers of the measuring sticks in
 * bench/floor/ (each is one .c file; this is their shared piece).
 */
#ifndef LATCHKEY_FLOOR_ARGS_H
#define LATCHKEY_FLOOR_ARGS_H

#include <stdlib.h>

/* The fixed /users/me answer, the same size as latchkey's. */
#define FLOOR_BODY "{\"username\":\"janedoe\"," \
                   "\"email\":\"janedoe@example.com\"," \
                   "\"full_name\":\"Jane Doe\",\"disabled\":false}"

/* argv[i] as a number in [lo, hi], dflt when absent, -1 when bad. */
static inline long arg_num(int argc, char **argv, int i, long lo, long hi,
                           long dflt)
{
    char *end;
    long v;

    if (i >= argc)
        return dflt;
    v = strtol(argv[i], &end, 10);
    return *end == '\0' && end != argv[i] && v >= lo && v <= hi ? v : -1;
}

#endif
