/*
 * opts.h: command-line flags with LATCHKEY_* environment fallbacks.
 * Each subcommand declares a table of struct opt; opts_parse fills one
 * value per entry: the flag if given, else the environment variable,
 * else the default.
 */
#ifndef LATCHKEY_OPTS_H
#define LATCHKEY_OPTS_H

#include <stddef.h>

enum opt_kind {
    OPT_VALUE,    /* --name VALUE or --name=VALUE */
    OPT_BOOL,     /* --name; value "1" when set */
    OPT_REPEAT    /* --name V, repeatable; values joined by spaces */
};

struct opt {
    const char *name;     /* flag without the leading dashes */
    const char *env;      /* environment variable, or NULL */
    enum opt_kind kind;
    const char *def;      /* default value, or NULL */
    const char *help;
};

#define OPTS_MAX 48
#define POS_MAX 16

struct opts_result {
    const char *value[OPTS_MAX];   /* per table entry; may be NULL */
    char *owned[OPTS_MAX];         /* joined OPT_REPEAT values */
    const char *pos[POS_MAX];      /* positional arguments */
    int npos;
    int help;                      /* --help or -h was given */
};

/* Parse argv[1..argc) against the table. Returns 0, or -1 with a
 * message in err. */
int opts_parse(const struct opt *t, size_t n, int argc, char **argv,
               struct opts_result *r, char *err, size_t errlen);
void opts_free(struct opts_result *r);

/* The value of the entry named name (NULL if unset). */
const char *opts_get(const struct opt *t, size_t n,
                     const struct opts_result *r, const char *name);

/* Print the table as help text after usage. */
void opts_usage(const char *usage, const struct opt *t, size_t n);

/* Parse a whole unsigned number in [min, max]; -1 on error. */
int opts_uint(const char *s, unsigned long long min, unsigned long long max,
              unsigned long long *out);

#endif
