/*
 * opts.c: the flag parser shared by all subcommands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

static long find(const struct opt *t, size_t n, const char *name,
                 size_t len)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0)
            return (long)i;
    return -1;
}

/* Append v to the space-joined list of a repeatable option. */
static int append(struct opts_result *r, size_t i, const char *v)
{
    size_t old = r->owned[i] ? strlen(r->owned[i]) : 0;
    char *nb = realloc(r->owned[i], old + strlen(v) + 2);

    if (nb == NULL)
        return -1;
    if (old)
        nb[old++] = ' ';
    memcpy(nb + old, v, strlen(v) + 1);
    r->owned[i] = nb;
    r->value[i] = nb;
    return 0;
}

/* Environment and defaults first; flags override them. */
static void seed(const struct opt *t, size_t n, struct opts_result *r)
{
    size_t i;

    memset(r, 0, sizeof(*r));
    for (i = 0; i < n && i < OPTS_MAX; i++) {
        const char *e = t[i].env ? getenv(t[i].env) : NULL;
        r->value[i] = e != NULL ? e : t[i].def;
    }
}

int opts_parse(const struct opt *t, size_t n, int argc, char **argv,
               struct opts_result *r, char *err, size_t errlen)
{
    int a, flags_done = 0;
    char seen[OPTS_MAX] = {0};

    seed(t, n, r);
    for (a = 1; a < argc; a++) {
        const char *arg = argv[a], *eq, *val;
        size_t len;
        long i;
        if (flags_done || arg[0] != '-' || arg[1] == '\0') {
            if (r->npos == POS_MAX)
                goto toomany;
            r->pos[r->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            flags_done = 1;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            r->help = 1;
            continue;
        }
        if (arg[1] != '-')
            goto unknown;
        eq = strchr(arg + 2, '=');
        len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if ((i = find(t, n, arg + 2, len)) < 0)
            goto unknown;
        if (t[i].kind == OPT_BOOL) {
            if (eq != NULL)
                goto unknown;
            r->value[i] = "1";
            continue;
        }
        val = eq ? eq + 1 : (a + 1 < argc ? argv[++a] : NULL);
        if (val == NULL) {
            snprintf(err, errlen, "--%s needs a value", t[i].name);
            return -1;
        }
        if (t[i].kind == OPT_REPEAT) {
            if (!seen[i]) {      /* flags replace the environment */
                free(r->owned[i]);
                r->owned[i] = NULL;
            }
            if (append(r, (size_t)i, val) != 0)
                return -1;
        } else {
            r->value[i] = val;
        }
        seen[i] = 1;
    }
    return 0;
unknown:
    snprintf(err, errlen, "unknown option '%s' (see --help)", argv[a]);
    return -1;
toomany:
    snprintf(err, errlen, "too many arguments");
    return -1;
}

void opts_free(struct opts_result *r)
{
    size_t i;

    for (i = 0; i < OPTS_MAX; i++)
        free(r->owned[i]);
    memset(r, 0, sizeof(*r));
}

const char *opts_get(const struct opt *t, size_t n,
                     const struct opts_result *r, const char *name)
{
    long i = find(t, n, name, strlen(name));

    return i < 0 ? NULL : r->value[i];
}

void opts_usage(const char *usage, const struct opt *t, size_t n)
{
    size_t i;

    printf("%s\n", usage);
    if (n > 0)
        printf("\nOptions (each also read from its environment "
               "variable):\n");
    for (i = 0; i < n; i++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s", t[i].name,
                 t[i].kind == OPT_BOOL ? "" : " V");
        printf("  %-26s %s", left, t[i].help);
        if (t[i].env)
            printf(" [%s]", t[i].env);
        if (t[i].def)
            printf(" (default %s)", t[i].def);
        putchar('\n');
    }
}

int opts_uint(const char *s, unsigned long long min, unsigned long long max,
              unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
