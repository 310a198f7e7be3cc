/*
 * cmd_db.c: `latchkey db migrate` brings the store's schema up to date
 * (what `serve` does at start unless --no-migrate), and `latchkey db
 * status` says whether it is, without changing anything.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "runtime.h"

static const struct opt db_opts[] = {
    {"data-dir", "LATCHKEY_DATA_DIR", OPT_VALUE, DEFAULT_DATA_DIR,
     "directory of the SQLite store (as for serve)"},
    {"database", "LATCHKEY_DATABASE_URL", OPT_VALUE, NULL,
     "store URL instead of DATA_DIR/latchkey.db"},
};
#define NOPTS (sizeof(db_opts) / sizeof(db_opts[0]))
#define OPT(name) opts_get(db_opts, NOPTS, &o, name)

static const char db_usage[] =
    "usage: latchkey db migrate   apply the missing schema migrations\n"
    "       latchkey db status    exit 0 if the schema is current, 1 if "
    "not\n\n"
    "Several processes may run `db migrate` (or start `serve`) at once: "
    "on\nPostgreSQL an advisory lock lets one migrate while the others "
    "wait.";

static int db_exec(int argc, char **argv)
{
    struct opts_result o;
    struct lk_store_config cfg;
    struct lk_store *s = NULL;
    char err[512] = "", desc[4200] = "";
    int rc = 2;

    if (opts_parse(db_opts, NOPTS, argc, argv, &o, err, sizeof(err))) {
        fprintf(stderr, "latchkey db: %s\n", err);
        return 2;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.pool_size = 1;
    if (o.help || o.npos != 1 || (strcmp(o.pos[0], "migrate") != 0 &&
                                  strcmp(o.pos[0], "status") != 0)) {
        opts_usage(db_usage, db_opts, NOPTS);
        rc = o.help ? 0 : 2;
        goto out;
    }
    cfg.no_migrate = strcmp(o.pos[0], "status") == 0;
    if (runtime_open_store_config(OPT("data-dir"), OPT("database"), &cfg,
                                  &s, desc, sizeof(desc), err,
                                  sizeof(err)) != 0) {
        fprintf(stderr, "latchkey db: %s: %s\n", desc, err);
        rc = 1;
        goto out;
    }
    printf("%s: schema is up to date\n", desc);
    rc = 0;
out:
    lk_store_close(s);
    opts_free(&o);
    return rc;
}

const struct cmd_entry cmd_db = {
    .name = "db",
    .summary = "migrate the store's schema, or check it",
    .usage = db_usage,
    .exec = db_exec,
};
