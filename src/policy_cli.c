/*
 * policy_cli.c: password-policy options for the program. Every option
 * of lk_pwpolicy_options[] is --password-<name> on the command line and
 * LATCHKEY_PASSWORD_<NAME> in the environment; flags win.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_cli.h"

/* Apply LATCHKEY_PASSWORD_<NAME> for every option that is set. */
int policy_apply_env(struct lk_pwpolicy *p, const char **def,
                     const char *cmd)
{
    char var[80], err[LK_ERRBUF_SIZE];
    const char *v, *name;
    size_t i, k;

    for (i = 0; (name = lk_pwpolicy_options[i].name) != NULL; i++) {
        snprintf(var, sizeof(var), "LATCHKEY_PASSWORD_%s", name);
        for (k = sizeof("LATCHKEY_PASSWORD_") - 1; var[k] != '\0'; k++)
            var[k] = var[k] == '-' ? '_' : (char)toupper((uint8_t)var[k]);
        if ((v = getenv(var)) == NULL)
            continue;
        if (lk_pwpolicy_set(p, name, v, err, sizeof(err)) != LK_OK) {
            fprintf(stderr, "latchkey %s: %s: %s\n", cmd, var, err);
            return -1;
        }
        if (strcmp(name, "default") == 0)
            *def = v;
    }
    return 0;
}

/* Set one --password-NAME option; *i moves past its value. */
int policy_flag(struct lk_pwpolicy *p, int argc, char **argv, int *i,
                const char **def, const char *cmd)
{
    const char *name = argv[*i] + sizeof("--password-") - 1;
    const char *eq = strchr(name, '='), *v;
    char key[64], err[LK_ERRBUF_SIZE];
    size_t k = eq != NULL ? (size_t)(eq - name) : strlen(name);

    if (k >= sizeof(key))
        k = sizeof(key) - 1;
    memcpy(key, name, k);
    key[k] = '\0';
    if (eq != NULL)
        v = eq + 1;
    else if (*i + 1 < argc)
        v = argv[++*i];
    else
        v = NULL;
    if (lk_pwpolicy_set(p, key, v, err, sizeof(err)) != LK_OK) {
        fprintf(stderr, "latchkey %s: --password-%s: %s\n", cmd, key,
                err);
        return -1;
    }
    if (strcmp(key, "default") == 0)
        *def = v;
    return 0;
}

/* Is arg --password-NAME[=V] for a known policy option NAME? */
static int is_policy_flag(const char *arg)
{
    const struct lk_pwpolicy_option *o;
    size_t n;

    if (strncmp(arg, "--password-", 11) != 0)
        return 0;
    arg += 11;
    n = strcspn(arg, "=");
    for (o = lk_pwpolicy_options; o->name != NULL; o++)
        if (strlen(o->name) == n && strncmp(o->name, arg, n) == 0)
            return 1;
    return 0;
}

/* Build the policy for a subcommand: environment, then the
 * --password-* flags, which are removed from argv. */
int policy_from_args(struct lk_pwpolicy **out, int *argc, char **argv,
                     const char *cmd)
{
    char err[LK_ERRBUF_SIZE] = "";
    const char *def = NULL;
    int i, o = 1;

    if (lk_pwpolicy_new_default(out) != LK_OK)
        return -1;
    if (policy_apply_env(*out, &def, cmd) != 0)
        goto fail;
    for (i = 1; i < *argc; i++) {
        if (is_policy_flag(argv[i])) {
            if (policy_flag(*out, *argc, argv, &i, &def, cmd) != 0)
                goto fail;
            continue;
        }
        argv[o++] = argv[i];
    }
    *argc = o;
    if (lk_pwpolicy_finish(*out, err, sizeof(err)) == LK_OK)
        return 0;
    fprintf(stderr, "latchkey %s: password policy: %s\n", cmd, err);
fail:
    lk_pwpolicy_free(*out);
    *out = NULL;
    return -1;
}

/* Print the policy options with their defaults. */
void policy_usage(void)
{
    const struct lk_pwpolicy_option *o;

    for (o = lk_pwpolicy_options; o->name != NULL; o++)
        printf("  --password-%-20s %s%s%s%s\n", o->name, o->help,
               o->def ? " (default " : "", o->def ? o->def : "",
               o->def ? ")" : "");
}
