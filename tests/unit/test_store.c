/*
 * test_store.c: the SQLite store: schema creation and reopening, users,
 * the compare-and-swap hash replacement, items, scopes and disabling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "latchkey/lk_store.h"
#include "tap.h"

static int collect(void *arg, const char *item)
{
    char *out = arg;

    strncat(out, item, 63 - strlen(out));
    strncat(out, ";", 63 - strlen(out));
    return 0;
}

static struct lk_user make_user(const char *name, const char *hash)
{
    struct lk_user u;

    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", hash);
    snprintf(u.email, sizeof(u.email), "%s@example.com", name);
    u.has_email = 1;
    snprintf(u.scopes, sizeof(u.scopes), "me");
    return u;
}

static void users(struct lk_store *s)
{
    struct lk_user u = make_user("ann", "h1"), got;
    char err[LK_ERRBUF_SIZE] = "";

    ok(s->ops->add_user(s, &u, err, sizeof(err)) == LK_OK, "add ann");
    ok(s->ops->add_user(s, &u, err, sizeof(err)) == LK_ERR_EXISTS &&
       strstr(err, "already exists") != NULL, "duplicate refused");
    ok(s->ops->get_user(s, "ann", &got, NULL, 0) == LK_OK &&
       strcmp(got.email, "ann@example.com") == 0 && got.has_email &&
       !got.has_full_name && !got.disabled &&
       strcmp(got.password_hash, "h1") == 0 &&
       strcmp(got.scopes, "me") == 0 && got.created_at > 0, "read back");
    ok(s->ops->get_user(s, "nobody", &got, NULL, 0) == LK_ERR_NOT_FOUND,
       "unknown user");
    ok(s->ops->get_user(s, "ANN", &got, NULL, 0) == LK_ERR_NOT_FOUND,
       "usernames are case-sensitive");
    ok(s->ops->set_disabled(s, "ann", 1, NULL, 0) == LK_OK &&
       s->ops->get_user(s, "ann", &got, NULL, 0) == LK_OK && got.disabled,
       "disable");
    ok(s->ops->set_disabled(s, "nobody", 1, NULL, 0) == LK_ERR_NOT_FOUND,
       "disable unknown");
    ok(s->ops->set_scopes(s, "ann", "me items", NULL, 0) == LK_OK &&
       s->ops->get_user(s, "ann", &got, NULL, 0) == LK_OK &&
       strcmp(got.scopes, "me items") == 0, "scopes");
}

static void hashes_and_items(struct lk_store *s)
{
    struct lk_user got;
    char items[64] = "";

    ok(s->ops->replace_hash(s, "ann", "h1", "h2", NULL, 0) == LK_OK,
       "replace when unchanged");
    ok(s->ops->replace_hash(s, "ann", "h1", "h3", NULL, 0) ==
       LK_ERR_MISMATCH, "stale replace refused");
    ok(s->ops->get_user(s, "ann", &got, NULL, 0) == LK_OK &&
       strcmp(got.password_hash, "h2") == 0, "one hash at the end");
    ok(s->ops->add_item(s, "ann", "Foo", NULL, 0) == LK_OK &&
       s->ops->add_item(s, "ann", "Bar", NULL, 0) == LK_OK, "add items");
    ok(s->ops->add_item(s, "ann", "Foo", NULL, 0) == LK_ERR_EXISTS,
       "duplicate item");
    ok(s->ops->add_item(s, "nobody", "X", NULL, 0) == LK_ERR_NOT_FOUND,
       "item for unknown user");
    ok(s->ops->list_items(s, "ann", collect, items, NULL, 0) == LK_OK &&
       strcmp(items, "Foo;Bar;") == 0, "items in order: %s", items);
}

int main(void)
{
    char dir[] = "/tmp/latchkey-store-XXXXXX", path[128], err[256] = "";
    struct lk_store *s = NULL;
    struct lk_user got;

    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof(path), "%s/t.db", dir);
    ok(lk_store_open_sqlite(path, &s, err, sizeof(err)) == LK_OK,
       "create %s", err);
    users(s);
    hashes_and_items(s);
    lk_store_close(s);
    ok(lk_store_open(path, &s, err, sizeof(err)) == LK_OK &&
       s->ops->get_user(s, "ann", &got, NULL, 0) == LK_OK &&
       strcmp(got.password_hash, "h2") == 0, "reopen keeps data");
    lk_store_close(s);
    ok(lk_store_open("/nonexistent-dir/x.db", &s, err, sizeof(err)) ==
       LK_ERR_STORE && strstr(err, "cannot open") != NULL,
       "bad path: %s", err);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    if (system(path) != 0)
        return 1;
    return tap_done();
}
