/*
 * policy_cli.h: the password policy as configured by LATCHKEY_PASSWORD_*
 * variables and --password-* flags, shared by serve, user and hash.
 */
#ifndef LATCHKEY_POLICY_CLI_H
#define LATCHKEY_POLICY_CLI_H

#include "latchkey/lk_pwhash.h"

/* Apply every LATCHKEY_PASSWORD_<NAME> that is set; *def receives the
 * "default" scheme if given. 0 on success; errors go to stderr. */
int policy_apply_env(struct lk_pwpolicy *p, const char **def,
                     const char *cmd);

/* Apply argv[*i] (--password-NAME[=V] [V]); *i moves past its value. */
int policy_flag(struct lk_pwpolicy *p, int argc, char **argv, int *i,
                const char **def, const char *cmd);

/* A finished policy from the environment and the --password-* flags
 * (removed from argv, *argc updated). 0 on success. */
int policy_from_args(struct lk_pwpolicy **out, int *argc, char **argv,
                     const char *cmd);

/* List the --password-* options on stdout. */
void policy_usage(void);

#endif
