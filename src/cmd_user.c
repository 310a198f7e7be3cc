/*
 * cmd_user.c: `latchkey user ...`, managing accounts in the same store
 * that `serve` uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "opts.h"
#include "policy_cli.h"
#include "runtime.h"

static const struct opt user_opts[] = {
    {"data-dir", "LATCHKEY_DATA_DIR", OPT_VALUE, DEFAULT_DATA_DIR,
     "directory of the store (as for serve)"},
    {"database", "LATCHKEY_DATABASE_URL", OPT_VALUE, NULL,
     "store URL instead of DATA_DIR/latchkey.db"},
    {"email", NULL, OPT_VALUE, NULL, "add: e-mail address"},
    {"full-name", NULL, OPT_VALUE, NULL, "add: full name"},
    {"disabled", NULL, OPT_BOOL, NULL, "add: create the user disabled"},
    {"scope", NULL, OPT_REPEAT, NULL, "add: grant a scope (repeatable)"},
    {"password-hash", NULL, OPT_VALUE, NULL,
     "add: store this existing hash instead of reading a password"},
};
#define NOPTS (sizeof(user_opts) / sizeof(user_opts[0]))
#define OPT(name) opts_get(user_opts, NOPTS, o, name)

static const char user_usage[] =
    "usage: latchkey user add NAME [--email E] [--full-name N] "
    "[--disabled]\n"
    "                         [--scope S]... [--password-hash HASH]\n"
    "       latchkey user disable NAME | enable NAME\n"
    "       latchkey user scopes NAME [SCOPE...]\n"
    "       latchkey user add-item NAME ITEM_ID\n"
    "       latchkey user show NAME\n\n"
    "`user add` reads the password from standard input (without echo on "
    "a\nterminal); one trailing newline is removed.";

/* Read a password from stdin; no echo when it is a terminal. */
static int read_password(char *buf, size_t cap, size_t *len)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    size_t n = 0;
    int c;

    if (tty) {
        fprintf(stderr, "Password: ");
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    while ((c = getchar()) != EOF && n < cap) {
        if (tty && c == '\n')
            break;
        buf[n++] = (char)c;
    }
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (n == cap)
        return -1;
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    *len = n;
    return 0;
}

/* Copy an optional string field into the user record. */
static int set_field(char *dst, size_t cap, int *has, const char *v,
                     const char *what)
{
    if (v == NULL)
        return 0;
    if (strlen(v) >= cap) {
        fprintf(stderr, "latchkey user: %s is too long (at most %zu "
                "bytes)\n", what, cap - 1);
        return -1;
    }
    memcpy(dst, v, strlen(v) + 1);
    *has = 1;
    return 0;
}

/* Fill the new user's hash: imported (checked) or from a password. */
static int user_hash(struct lk_user *u, const char *imported,
                     const struct lk_pwpolicy *p)
{
    char pw[LK_PW_MAX + 1], err[LK_ERRBUF_SIZE] = "", info[256];
    size_t pwlen = 0;
    enum lk_err rc;

    if (imported != NULL) {
        rc = lk_pw_info(p, imported, info, sizeof(info), NULL, err,
                        sizeof(err));
        if (rc == LK_OK)
            rc = set_field(u->password_hash, sizeof(u->password_hash),
                           &(int){0}, imported, "hash") ? LK_ERR_INVALID
                                                        : LK_OK;
        else
            fprintf(stderr, "latchkey user: --password-hash is not a "
                    "usable hash: %s\n", err);
    } else if (read_password(pw, sizeof(pw), &pwlen) != 0) {
        fprintf(stderr, "latchkey user: password longer than %d bytes\n",
                LK_PW_MAX);
        rc = LK_ERR_TOO_LARGE;
    } else if (pwlen == 0) {
        fprintf(stderr, "latchkey user: empty password refused\n");
        rc = LK_ERR_INVALID;
    } else {
        rc = lk_pw_hash(p, (const uint8_t *)pw, pwlen, u->password_hash,
                        sizeof(u->password_hash), err, sizeof(err));
        if (rc != LK_OK)
            fprintf(stderr, "latchkey user: %s\n", err);
    }
    lk_secure_zero(pw, sizeof(pw));
    return rc == LK_OK ? 0 : -1;
}

static int user_add(struct lk_store *s, const char *name,
                    const struct opts_result *o,
                    const struct lk_pwpolicy *pol)
{
    struct lk_user u;
    char err[512] = "";
    int dummy = 0;
    enum lk_err rc;

    memset(&u, 0, sizeof(u));
    if (set_field(u.username, sizeof(u.username), &dummy, name, "NAME") ||
        set_field(u.email, sizeof(u.email), &u.has_email, OPT("email"),
                  "--email") ||
        set_field(u.full_name, sizeof(u.full_name), &u.has_full_name,
                  OPT("full-name"), "--full-name") ||
        set_field(u.scopes, sizeof(u.scopes), &dummy,
                  OPT("scope") ? OPT("scope") : "", "--scope"))
        return 1;
    if (name[0] == '\0' || strpbrk(name, " \t\r\n") != NULL) {
        fprintf(stderr, "latchkey user: NAME must be non-empty without "
                "spaces\n");
        return 2;
    }
    u.disabled = OPT("disabled") != NULL;
    if (user_hash(&u, OPT("password-hash"), pol) != 0)
        return 1;
    rc = s->ops->add_user(s, &u, err, sizeof(err));
    lk_secure_zero(u.password_hash, sizeof(u.password_hash));
    if (rc != LK_OK) {
        fprintf(stderr, "latchkey user: %s\n", err);
        return 1;
    }
    printf("added user %s\n", name);
    return 0;
}

/* Join positional arguments from index i as a scope list. */
static int join_scopes(const struct opts_result *o, int i, char *out,
                       size_t cap)
{
    size_t used = 0;

    out[0] = '\0';
    for (; i < o->npos; i++) {
        size_t n = strlen(o->pos[i]);
        if (n == 0 || strchr(o->pos[i], ' ') || used + n + 2 > cap)
            return -1;
        if (used)
            out[used++] = ' ';
        memcpy(out + used, o->pos[i], n + 1);
        used += n;
    }
    return 0;
}

static int user_show(struct lk_store *s, const char *name)
{
    struct lk_user u;
    char err[512] = "";

    if (s->ops->get_user(s, name, &u, err, sizeof(err)) != LK_OK) {
        fprintf(stderr, "latchkey user: no user '%s' %s\n", name, err);
        return 1;
    }
    printf("username: %s\nemail: %s\nfull_name: %s\ndisabled: %s\n"
           "scopes: %s\n", u.username, u.has_email ? u.email : "-",
           u.has_full_name ? u.full_name : "-",
           u.disabled ? "yes" : "no", u.scopes);
    lk_secure_zero(u.password_hash, sizeof(u.password_hash));
    return 0;
}

/* Run one user subcommand on an open store. */
static int user_run(struct lk_store *s, const struct opts_result *o,
                    const struct lk_pwpolicy *pol)
{
    const char *verb = o->pos[0], *name = o->pos[1];
    char err[512] = "", scopes[LK_SCOPES_MAX + 1];
    enum lk_err rc;

    if (strcmp(verb, "add") == 0 && o->npos == 2)
        return user_add(s, name, o, pol);
    if (strcmp(verb, "show") == 0 && o->npos == 2)
        return user_show(s, name);
    if ((strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) &&
        o->npos == 2)
        rc = s->ops->set_disabled(s, name, verb[0] == 'd', err,
                                  sizeof(err));
    else if (strcmp(verb, "scopes") == 0 && o->npos >= 2 &&
             join_scopes(o, 2, scopes, sizeof(scopes)) == 0)
        rc = s->ops->set_scopes(s, name, scopes, err, sizeof(err));
    else if (strcmp(verb, "add-item") == 0 && o->npos == 3)
        rc = s->ops->add_item(s, name, o->pos[2], err, sizeof(err));
    else {
        fprintf(stderr, "%s\n", user_usage);
        return 2;
    }
    if (rc == LK_ERR_NOT_FOUND)
        fprintf(stderr, "latchkey user: no user '%s'\n", name);
    else if (rc != LK_OK)
        fprintf(stderr, "latchkey user: %s\n", err);
    else
        printf("%s: %s done\n", name, verb);
    return rc == LK_OK ? 0 : 1;
}

static int user_exec(int argc, char **argv)
{
    struct opts_result ores, *o = &ores;
    struct lk_store *s = NULL;
    struct lk_pwpolicy *pol = NULL;
    char err[512] = "", desc[4200];
    int rc;

    if (policy_from_args(&pol, &argc, argv, "user") != 0)
        return 2;
    if (opts_parse(user_opts, NOPTS, argc, argv, o, err, sizeof(err))) {
        fprintf(stderr, "latchkey user: %s\n", err);
        lk_pwpolicy_free(pol);
        return 2;
    }
    if (o->help || o->npos < 2) {
        rc = o->help ? 0 : 2;
        opts_usage(user_usage, user_opts, NOPTS);
        opts_free(o);
        lk_pwpolicy_free(pol);
        return rc;
    }
    if (runtime_open_store(OPT("data-dir"), OPT("database"), &s, desc,
                           sizeof(desc), err, sizeof(err)) != 0) {
        fprintf(stderr, "latchkey user: %s\n", err);
        opts_free(o);
        lk_pwpolicy_free(pol);
        return 1;
    }
    rc = user_run(s, o, pol);
    lk_store_close(s);
    opts_free(o);
    lk_pwpolicy_free(pol);
    return rc;
}

const struct cmd_entry cmd_user = {
    .name = "user",
    .summary = "add, disable, enable and grant scopes to users",
    .usage = user_usage,
    .exec = user_exec,
};
