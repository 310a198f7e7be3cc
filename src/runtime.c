/*
 * runtime.c: data directory, store and secret set-up for the program.
 * The secret file must not be readable by group or others: a key that
 * any local user can read signs tokens for anyone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"

#define SECRET_FILE "secret.key"
#define SECRET_MAX 4096

int runtime_data_dir(const char *dir, char *err, size_t errlen)
{
    struct stat sb;

    if (mkdir(dir, 0700) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    snprintf(err, errlen, "cannot create data directory '%s': %s", dir,
             strerror(errno));
    return -1;
}

int runtime_open_store_config(const char *dir, const char *database_url,
                              const struct lk_store_config *cfg,
                              struct lk_store **out, char *desc,
                              size_t desclen, char *err, size_t errlen)
{
    char path[4096];
    enum lk_err rc;

    if (database_url != NULL && *database_url != '\0') {
        lk_store_describe(database_url, desc, desclen);
        rc = lk_store_open_config(database_url, cfg, out, err, errlen);
        return rc == LK_OK ? 0 : -1;
    }
    if (runtime_data_dir(dir, err, errlen) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/latchkey.db", dir);
    rc = lk_store_open_sqlite(path, out, err, errlen);
    snprintf(desc, desclen, "sqlite:%s", path);
    return rc == LK_OK ? 0 : -1;
}

int runtime_open_store(const char *dir, const char *database_url,
                       struct lk_store **out, char *desc, size_t desclen,
                       char *err, size_t errlen)
{
    return runtime_open_store_config(dir, database_url, NULL, out, desc,
                                     desclen, err, errlen);
}

int runtime_read_file(const char *path, size_t max, char **out,
                      size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    char *buf = NULL;
    size_t n = 0;
    ssize_t r;

    *out = NULL;
    if (fd < 0)
        goto fail;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        /* a FIFO or a device would block or never end */
        snprintf(err, errlen, "'%s' is not a regular file", path);
        close(fd);
        return -1;
    }
    if ((buf = malloc(max + 1)) == NULL)
        goto fail;
    while ((r = read(fd, buf + n, max + 1 - n)) > 0 && n <= max)
        n += (size_t)r;
    if (r < 0)
        goto fail;
    if (n > max) {
        errno = EFBIG;
        goto fail;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
fail:
    snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (buf != NULL)
        free(buf);
    return -1;
}

/* Refuse a key file that group or others may read. */
static int check_private(const char *path, char *err, size_t errlen)
{
    struct stat sb;

    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "cannot open key file '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    if (sb.st_mode & 077) {
        snprintf(err, errlen, "key file '%s' is readable by other users "
                 "(mode %03o); run: chmod 600 %s", path,
                 (unsigned)(sb.st_mode & 0777), path);
        return -1;
    }
    return 0;
}

/* Write a new random secret (64 hex characters) to path, mode 0600. */
static int create_secret(const char *path, char *err, size_t errlen)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[32];
    char text[66];
    int fd, i, ok;

    if (lk_random(raw, sizeof(raw)) != LK_OK) {
        snprintf(err, errlen, "no randomness available");
        return -1;
    }
    for (i = 0; i < 32; i++) {
        text[2 * i] = hex[raw[i] >> 4];
        text[2 * i + 1] = hex[raw[i] & 15];
    }
    text[64] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ok = fd >= 0 && write(fd, text, 65) == 65 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    lk_secure_zero(raw, sizeof(raw));
    lk_secure_zero(text, sizeof(text));
    if (!ok)
        snprintf(err, errlen, "cannot create '%s': %s", path,
                 strerror(errno));
    return ok ? 0 : -1;
}

/* Build a key set holding one HS256 key from secret bytes. */
static int keyset_from_secret(const char *s, size_t n,
                              struct lk_keyset **out,
                              char *err, size_t errlen)
{
    struct lk_jwk *k = NULL;
    enum lk_err rc;

    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    rc = lk_jwk_from_secret((const uint8_t *)s, n, LK_ALG_HS256, NULL, &k,
                            err, errlen);
    if (rc == LK_OK)
        rc = lk_keyset_new(out);
    if (rc == LK_OK)
        rc = lk_keyset_add(*out, k, 1);
    if (rc != LK_OK) {
        lk_jwk_free(k);
        return -1;
    }
    return 0;
}

int runtime_load_secret(const char *dir, const char *key_file,
                        struct lk_keyset **out, char *source,
                        size_t srclen, char *err, size_t errlen)
{
    const char *env = getenv("LATCHKEY_SECRET_KEY");
    char path[4096], *buf = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (env != NULL && *env != '\0') {
        snprintf(source, srclen, "environment LATCHKEY_SECRET_KEY");
        return keyset_from_secret(env, strlen(env), out, err, errlen);
    }
    if (key_file != NULL && *key_file != '\0') {
        snprintf(path, sizeof(path), "%s", key_file);
        snprintf(source, srclen, "file %s", path);
    } else {
        snprintf(path, sizeof(path), "%s/" SECRET_FILE, dir);
        if (access(path, F_OK) != 0) {
            if (runtime_data_dir(dir, err, errlen) != 0 ||
                create_secret(path, err, errlen) != 0)
                return -1;
            snprintf(source, srclen, "generated %s", path);
        } else {
            snprintf(source, srclen, "file %s", path);
        }
    }
    if (check_private(path, err, errlen) != 0 ||
        runtime_read_file(path, SECRET_MAX, &buf, &len, err, errlen) != 0)
        return -1;
    rc = keyset_from_secret(buf, len, out, err, errlen);
    lk_secure_free(buf, len + 1);
    return rc;
}

/* Load one key file into ks, refusing private keys others can read. */
static int load_one(struct lk_keyset *ks, const char *path,
                    enum lk_jws_alg alg, int signing,
                    char *err, size_t errlen)
{
    size_t before = lk_keyset_count(ks), i;
    struct stat sb;

    if (lk_keyset_load_file(ks, path, alg, NULL, signing, err,
                            errlen) != LK_OK)
        return -1;
    if (stat(path, &sb) != 0)
        return -1;
    for (i = before; i < lk_keyset_count(ks); i++)
        if (lk_jwk_is_private(lk_keyset_get(ks, i)) && (sb.st_mode & 077))
            return check_private(path, err, errlen);
    return 0;
}

int runtime_load_keys(const char *files, const char *alg,
                      struct lk_keyset **out, char *source, size_t srclen,
                      char *err, size_t errlen)
{
    enum lk_jws_alg a = LK_ALG_INVALID;
    char path[4096];
    const char *p = files;
    int first = 1;

    if (alg != NULL && *alg != '\0' &&
        (a = lk_jws_alg_parse(alg, strlen(alg))) == LK_ALG_INVALID) {
        snprintf(err, errlen, "unknown --alg '%s'", alg);
        return -1;
    }
    if (lk_keyset_new(out) != LK_OK)
        return -1;
    while (*p != '\0') {
        size_t n = strcspn(p, " ");
        if (n > 0 && n < sizeof(path)) {
            memcpy(path, p, n);
            path[n] = '\0';
            if (load_one(*out, path, a, first, err, errlen) != 0)
                goto fail;
            first = 0;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    if (lk_keyset_signing_key(*out) == NULL) {
        snprintf(err, errlen, "no private key to sign with in --key-file");
        goto fail;
    }
    snprintf(source, srclen, "key files %s (%zu keys, signing alg %s)",
             files, lk_keyset_count(*out),
             lk_jws_alg_name(lk_jwk_alg(lk_keyset_signing_key(*out))));
    return 0;
fail:
    lk_keyset_free(*out);
    *out = NULL;
    return -1;
}
