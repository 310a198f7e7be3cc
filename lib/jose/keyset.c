/*
 * keyset.c: key sets and the one key-file loader. A set owns its keys;
 * one of them signs, all of them verify. The loader recognises PEM,
 * JWKS, single JWK and raw secret files by their content, never by
 * their name, and caps what it reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "jose/jose_internal.h"

#define LK_KEYFILE_MAX (1u << 20)   /* largest key file we read */

enum lk_err lk_keyset_new(struct lk_keyset **out)
{
    *out = calloc(1, sizeof(**out));
    return *out == NULL ? LK_ERR_NOMEM : LK_OK;
}

enum lk_err lk_keyset_add(struct lk_keyset *ks, struct lk_jwk *key,
                          int signing)
{
    size_t i;

    if (ks->count == LK_KEYSET_MAX)
        return LK_ERR_TOO_LARGE;
    for (i = 0; key->kid[0] != '\0' && i < ks->count; i++) {
        if (strcmp(ks->keys[i]->kid, key->kid) == 0)
            return LK_ERR_EXISTS;
    }
    if (signing && !lk_jwk_is_private(key))
        return LK_ERR_INVALID;
    ks->keys[ks->count] = key;
    if (signing && ks->signing == NULL)
        ks->signing = key;
    ks->count++;
    return LK_OK;
}

const struct lk_jwk *lk_keyset_signing_key(const struct lk_keyset *ks)
{
    return ks->signing;
}

size_t lk_keyset_count(const struct lk_keyset *ks)
{
    return ks->count;
}

const struct lk_jwk *lk_keyset_get(const struct lk_keyset *ks, size_t i)
{
    return i < ks->count ? ks->keys[i] : NULL;
}

void lk_keyset_free(struct lk_keyset *ks)
{
    size_t i;

    if (ks == NULL)
        return;
    for (i = 0; i < ks->count; i++)
        lk_jwk_free(ks->keys[i]);
    free(ks);
}

/* Add a new key, freeing it if the set refuses it. */
static enum lk_err add_or_free(struct lk_keyset *ks, struct lk_jwk *k,
                               int signing, char *err, size_t errlen)
{
    enum lk_err rc = lk_keyset_add(ks, k, signing);

    if (rc == LK_OK)
        return LK_OK;
    lk_jwk_free(k);
    if (rc == LK_ERR_EXISTS)
        return lk_seterr(err, errlen, rc, "duplicate kid in key set");
    if (rc == LK_ERR_INVALID)
        return lk_seterr(err, errlen, rc, "a public key cannot sign");
    return lk_seterr(err, errlen, rc, "too many keys (at most %d)",
                     LK_KEYSET_MAX);
}

/* Every signature key of a JWKS; keys for other uses are skipped. */
static enum lk_err load_jwks(struct lk_keyset *ks, json_t *keys,
                             enum lk_jws_alg alg, int signing,
                             char *err, size_t errlen)
{
    struct lk_jwk *k;
    json_t *e, *use;
    size_t i, added = 0;
    enum lk_err rc = LK_OK;

    if (!json_is_array(keys))
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "JWKS keys is not an array");
    json_array_foreach(keys, i, e) {
        use = json_object_get(e, "use");
        if (use != NULL && (!json_is_string(use) ||
                            strcmp(json_string_value(use), "sig") != 0))
            continue;
        if ((rc = lk_jwk_from_jwk_obj(e, alg, &k, err, errlen)) != LK_OK)
            return rc;
        rc = add_or_free(ks, k, signing && added == 0 &&
                         lk_jwk_is_private(k), err, errlen);
        if (rc != LK_OK)
            return rc;
        added++;
    }
    if (added == 0)
        return lk_seterr(err, errlen, LK_ERR_INVALID,
                         "JWKS holds no signature key");
    return LK_OK;
}

/* A JSON key file: a JWKS ("keys") or one JWK ("kty"). */
static enum lk_err load_json(struct lk_keyset *ks, const uint8_t *data,
                             size_t len, enum lk_jws_alg alg, int signing,
                             char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *o = json_loadb((const char *)data, len,
                           JSON_REJECT_DUPLICATES, &jerr);
    struct lk_jwk *k = NULL;
    enum lk_err rc;

    if (o == NULL || !json_is_object(o)) {
        rc = lk_seterr(err, errlen, LK_ERR_INVALID,
                       "key file is not a JSON object");
    } else if (json_object_get(o, "keys") != NULL) {
        rc = load_jwks(ks, json_object_get(o, "keys"), alg, signing, err,
                       errlen);
    } else if (json_object_get(o, "kty") != NULL) {
        rc = lk_jwk_from_jwk_obj(o, alg, &k, err, errlen);
        if (rc == LK_OK)
            rc = add_or_free(ks, k, signing, err, errlen);
    } else {
        rc = lk_seterr(err, errlen, LK_ERR_INVALID,
                       "JSON key file has neither keys nor kty");
    }
    json_decref(o);
    return rc;
}

enum lk_err lk_keyset_load_mem(struct lk_keyset *ks, const uint8_t *data,
                               size_t len, enum lk_jws_alg alg,
                               const char *kid, int signing,
                               char *err, size_t errlen)
{
    struct lk_jwk *k = NULL;
    size_t i = 0;
    enum lk_err rc;

    while (i < len && (data[i] == ' ' || data[i] == '\n' ||
                       data[i] == '\r' || data[i] == '\t'))
        i++;
    if (len - i >= 10 && memcmp(data + i, "-----BEGIN", 10) == 0) {
        rc = lk_jwk_from_pem((const char *)data, len, alg, kid, &k, err,
                             errlen);
    } else if (i < len && data[i] == '{') {
        return load_json(ks, data, len, alg, signing, err, errlen);
    } else {
        if (len > 0 && data[len - 1] == '\n')
            len--;
        rc = lk_jwk_from_secret(data, len, alg == LK_ALG_INVALID ?
                                LK_ALG_HS256 : alg, kid, &k, err, errlen);
    }
    if (rc != LK_OK)
        return rc;
    return add_or_free(ks, k, signing, err, errlen);
}

/* Read a whole regular file of at most LK_KEYFILE_MAX bytes. */
static enum lk_err read_file(const char *path, uint8_t **out,
                             size_t *len, char *err, size_t errlen)
{
    struct stat st = {0};
    uint8_t *buf = NULL;
    size_t got = 0;
    ssize_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    enum lk_err rc = LK_ERR_IO;

    *out = NULL;
    if (fd < 0)
        return lk_seterr(err, errlen, LK_ERR_IO, "cannot open %s: %s",
                         path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > (off_t)LK_KEYFILE_MAX) {
        lk_seterr(err, errlen, rc, "%s is not a regular file of at most"
                  " %u bytes", path, LK_KEYFILE_MAX);
        goto out;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        rc = LK_ERR_NOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size &&
           (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
        got += (size_t)n;
    if (n < 0) {
        lk_seterr(err, errlen, rc, "cannot read %s", path);
        goto out;
    }
    *out = buf;
    *len = got;
    buf = NULL;
    rc = LK_OK;
out:
    lk_secure_free(buf, (size_t)st.st_size);
    close(fd);
    return rc;
}

enum lk_err lk_keyset_load_file(struct lk_keyset *ks, const char *path,
                                enum lk_jws_alg alg, const char *kid,
                                int signing, char *err, size_t errlen)
{
    uint8_t *data = NULL;
    size_t len = 0;
    enum lk_err rc = read_file(path, &data, &len, err, errlen);

    if (rc != LK_OK)
        return rc;
    rc = lk_keyset_load_mem(ks, data, len, alg, kid, signing, err, errlen);
    lk_secure_free(data, len);
    return rc;
}
