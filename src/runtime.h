/*
 * runtime.h: what every subcommand that touches state needs: the data
 * directory, the store inside it, and the signing secret.
 */
#ifndef LATCHKEY_RUNTIME_H
#define LATCHKEY_RUNTIME_H

#include <stddef.h>

#include "latchkey/lk_jose.h"
#include "latchkey/lk_store.h"

#define DEFAULT_DATA_DIR "latchkey-data"

/* Create the data directory (mode 0700) if missing. */
int runtime_data_dir(const char *dir, char *err, size_t errlen);

/* Open the store: database_url if given, else DIR/latchkey.db.
 * desc receives a printable description (no credentials). */
int runtime_open_store(const char *dir, const char *database_url,
                       struct lk_store **out, char *desc, size_t desclen,
                       char *err, size_t errlen);

/* runtime_open_store with a store configuration (NULL: defaults). */
int runtime_open_store_config(const char *dir, const char *database_url,
                              const struct lk_store_config *cfg,
                              struct lk_store **out, char *desc,
                              size_t desclen, char *err, size_t errlen);

/* Load the HS256 secret into a new key set: LATCHKEY_SECRET_KEY, else
 * key_file, else DIR/secret.key (created with 256 random bits, mode
 * 0600, when missing). source describes where it came from. */
int runtime_load_secret(const char *dir, const char *key_file,
                        struct lk_keyset **out, char *source,
                        size_t srclen, char *err, size_t errlen);

/* Load key files (space-separated paths; PEM, JWK, JWKS or raw
 * secret, see lk_keyset_load_mem) into a new key set: the first file's
 * private key signs, every key verifies. alg names the algorithm of raw
 * secrets and PEM keys (NULL: by key type). A file holding a private
 * key must not be readable by group or others. */
int runtime_load_keys(const char *files, const char *alg,
                      struct lk_keyset **out, char *source, size_t srclen,
                      char *err, size_t errlen);

/* Read a whole small file (at most max bytes) into a new buffer. */
int runtime_read_file(const char *path, size_t max, char **out,
                      size_t *len, char *err, size_t errlen);

#endif
