/*
 * cmd_hash.c: `latchkey hash`: make, check and describe password hashes
 * with the same policy the server uses.
 *
 *   latchkey hash new [--scheme S] [--cost N]   hash of the password on
 *                                               stdin, printed
 *   latchkey hash verify HASH                   exit 0 match, 1 mismatch,
 *                                               2 unusable hash
 *   latchkey hash info HASH                     scheme, parameters and
 *                                               whether it would upgrade
 *
 * Policy options come from LATCHKEY_PASSWORD_<NAME> and then from
 * --password-<name> V (or =V), as listed by lk_pwpolicy_options[]. The
 * password is read from stdin as exact bytes; one trailing newline is
 * dropped only when stdin is a terminal. Nothing secret is printed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "policy_cli.h"
#include "latchkey/lk_pwhash.h"

#define HASH_EXIT_USAGE 2

/* What the command line asked for. */
struct hash_args {
    const char *sub;       /* new, verify or info */
    const char *hash;      /* verify, info: the stored string */
    const char *scheme;    /* new: --scheme */
    const char *cost;      /* new: --cost */
    int help;              /* --help anywhere */
};

/* Parse argv into a and the policy; 0 on success. */
static int parse_args(int argc, char **argv, struct hash_args *a,
                      struct lk_pwpolicy *p, const char **def)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *s = argv[i];

        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            a->help = 1;
            continue;
        }
        if (strncmp(s, "--password-", 11) == 0) {
            if (policy_flag(p, argc, argv, &i, def, "hash") != 0)
                return -1;
        } else if ((strcmp(s, "--scheme") == 0 ||
                    strcmp(s, "--cost") == 0) && i + 1 < argc) {
            *(s[2] == 's' ? &a->scheme : &a->cost) = argv[++i];
        } else if (s[0] == '-') {
            fprintf(stderr, "latchkey hash: unknown option %s\n", s);
            return -1;
        } else if (a->sub == NULL) {
            a->sub = s;
        } else if (a->hash == NULL) {
            a->hash = s;
        } else {
            fprintf(stderr, "latchkey hash: too many arguments\n");
            return -1;
        }
    }
    return 0;
}

/* --scheme and --cost, then finish the policy. */
static int finish_policy(struct lk_pwpolicy *p, const struct hash_args *a,
                         const char *def)
{
    char err[LK_ERRBUF_SIZE] = "";
    const char *opt;

    if (a->scheme != NULL) {
        def = a->scheme;
        if (lk_pwpolicy_set(p, "default", def, err, sizeof(err)) != LK_OK)
            goto fail;
    }
    if (a->cost != NULL) {
        if ((opt = lk_pw_cost_option(def)) == NULL) {
            snprintf(err, sizeof(err), "--cost: no cost for scheme %s",
                     def);
            goto fail;
        }
        if (lk_pwpolicy_set(p, opt, a->cost, err, sizeof(err)) != LK_OK)
            goto fail;
    }
    if (lk_pwpolicy_finish(p, err, sizeof(err)) == LK_OK)
        return 0;
fail:
    fprintf(stderr, "latchkey hash: %s\n", err);
    return -1;
}

/* Read the password from stdin: exact bytes, up to cap. A terminal
 * gives one line, typed without echo, its newline dropped. */
static int read_password(uint8_t *buf, size_t cap, size_t *len)
{
    struct termios old, quiet;
    int tty = isatty(0), rc = 0, echo_off = 0;
    ssize_t r;

    if (tty && tcgetattr(0, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        echo_off = tcsetattr(0, TCSAFLUSH, &quiet) == 0;
        fputs("Password: ", stderr);
    }
    *len = 0;
    while (*len < cap && (r = read(0, buf + *len, cap - *len)) != 0) {
        if (r < 0) {
            perror("latchkey hash: stdin");
            rc = -1;
            break;
        }
        *len += (size_t)r;
        if (tty && buf[*len - 1] == '\n')
            break;
    }
    if (echo_off) {
        tcsetattr(0, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (tty && *len > 0 && buf[*len - 1] == '\n')
        (*len)--;
    return rc;
}

/* `hash new`: print a new hash of the password. */
static int do_new(struct lk_pwpolicy *p, const uint8_t *pw, size_t len)
{
    char out[LK_HASH_MAX + 1], err[LK_ERRBUF_SIZE] = "";

    if (lk_pw_hash(p, pw, len, out, sizeof(out), err, sizeof(err))
        != LK_OK) {
        fprintf(stderr, "latchkey hash: %s\n", err);
        return 1;
    }
    printf("%s\n", out);
    return 0;
}

/* `hash verify HASH`: 0 match, 1 mismatch, 2 unusable. */
static int do_verify(struct lk_pwpolicy *p, const char *hash,
                     const uint8_t *pw, size_t len)
{
    char err[LK_ERRBUF_SIZE] = "";
    enum lk_err rc;
    int up = 0;

    rc = lk_pw_verify(p, pw, len, hash, &up, err, sizeof(err));
    if (rc == LK_OK)
        return 0;
    if (rc == LK_ERR_MISMATCH || rc == LK_ERR_TOO_LARGE) {
        fprintf(stderr, "latchkey hash: password does not match%s%s\n",
                err[0] != '\0' ? ": " : "", err);
        return 1;
    }
    fprintf(stderr, "latchkey hash: %s\n",
            err[0] != '\0' ? err : lk_strerror(rc));
    return 2;
}

/* `hash info HASH`: parameters and the upgrade decision. */
static int do_info(struct lk_pwpolicy *p, const char *hash)
{
    char out[256], err[LK_ERRBUF_SIZE] = "";
    int up = 0;

    if (lk_pw_info(p, hash, out, sizeof(out), &up, err, sizeof(err))
        != LK_OK) {
        fprintf(stderr, "latchkey hash: %s\n", err);
        return 2;
    }
    printf("%s upgrade=%s\n", out, up ? "yes" : "no");
    return 0;
}

/* Run a subcommand once the policy is ready. */
static int dispatch(struct lk_pwpolicy *p, const struct hash_args *a)
{
    static uint8_t pw[LK_PW_MAX + 1];
    size_t len = 0;
    int rc = HASH_EXIT_USAGE;

    if (strcmp(a->sub, "info") == 0)
        return do_info(p, a->hash);
    if (read_password(pw, sizeof(pw), &len) != 0)
        goto out;
    if (strcmp(a->sub, "new") == 0)
        rc = do_new(p, pw, len);
    else
        rc = do_verify(p, a->hash, pw, len);
out:
    lk_secure_zero(pw, sizeof(pw));
    return rc;
}

static const char hash_usage[] =
    "usage: latchkey hash new [--scheme S] [--cost N] < password\n"
    "       latchkey hash verify HASH < password\n"
    "       latchkey hash info HASH\n"
    "policy options: --password-NAME VALUE or LATCHKEY_PASSWORD_NAME;\n"
    "  NAME is one of schemes, default, deprecated, bcrypt-cost,\n"
    "  bcrypt-min-cost, argon2-memory, argon2-time, argon2-parallelism,\n"
    "  argon2-min-memory, argon2-min-time, pbkdf2-iterations,\n"
    "  pbkdf2-min-iterations, allow-nul-verify\n"
    "exit status of verify: 0 match, 1 mismatch, 2 unusable hash\n"
    "the password is read from standard input as exact bytes: from a\n"
    "pipe nothing is stripped (use printf '%s' pw, not echo); on a\n"
    "terminal the line is read without echo and its newline dropped\n";

/* Check the shape of the command line. */
static int args_ok(const struct hash_args *a)
{
    if (a->sub == NULL)
        return 0;
    if (strcmp(a->sub, "new") == 0)
        return a->hash == NULL;
    if (strcmp(a->sub, "verify") == 0 || strcmp(a->sub, "info") == 0)
        return a->hash != NULL && a->scheme == NULL && a->cost == NULL;
    return 0;
}

/* Entry point of `latchkey hash`. */
static int hash_exec(int argc, char **argv)
{
    struct hash_args a = {NULL, NULL, NULL, NULL, 0};
    struct lk_pwpolicy *p = NULL;
    const char *def = "bcrypt";
    int rc = HASH_EXIT_USAGE;

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
                     strcmp(argv[1], "-h") == 0)) {
        fputs(hash_usage, stdout);
        return 0;
    }
    if (lk_pwpolicy_new_default(&p) != LK_OK) {
        fprintf(stderr, "latchkey hash: cannot set up the policy\n");
        return HASH_EXIT_USAGE;
    }
    if (policy_apply_env(p, &def, "hash") != 0 ||
        parse_args(argc, argv, &a, p, &def) != 0)
        goto out;
    if (a.help) {
        fputs(hash_usage, stdout);
        rc = 0;
        goto out;
    }
    if (!args_ok(&a)) {
        fputs(hash_usage, stderr);
        goto out;
    }
    if (finish_policy(p, &a, def) != 0)
        goto out;
    rc = dispatch(p, &a);
out:
    lk_pwpolicy_free(p);
    return rc;
}

const struct cmd_entry cmd_hash = {
    .name = "hash",
    .summary = "make, verify or describe a password hash",
    .usage = hash_usage,
    .exec = hash_exec,
};
