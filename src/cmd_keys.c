/*
 * cmd_keys.c: `latchkey keys generate|jwks`: make a new signing key
 * file (mode 0600, never overwriting one) and print the public JWKS
 * of key files. Private material is never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "latchkey/lk_jose.h"

#define MAX_KEYS 8

struct keys_opts {
    const char *alg, *out, *kid;
    const char *keys[MAX_KEYS];
    size_t nkeys;
    int help;
};

/* Read the options after the action word; -1 on a usage error. */
static int parse_opts(int argc, char **argv, struct keys_opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 0; i < argc; i++) {
        const char *n = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(n, "--help") == 0 || strcmp(n, "-h") == 0) {
            o->help = 1;
            continue;
        }
        if (v == NULL)
            return -1;
        if (strcmp(n, "--alg") == 0)
            o->alg = v;
        else if (strcmp(n, "--out") == 0)
            o->out = v;
        else if (strcmp(n, "--kid") == 0)
            o->kid = v;
        else if (strcmp(n, "--key") == 0 && o->nkeys < MAX_KEYS)
            o->keys[o->nkeys++] = v;
        else
            return -1;
        i++;
    }
    return 0;
}

/* The --alg value, or LK_ALG_INVALID with a message when required. */
static enum lk_jws_alg alg_opt(const struct keys_opts *o, int required)
{
    enum lk_jws_alg a = LK_ALG_INVALID;

    if (o->alg != NULL)
        a = lk_jws_alg_parse(o->alg, strlen(o->alg));
    if ((o->alg != NULL || required) && a == LK_ALG_INVALID)
        fprintf(stderr, "latchkey: --alg must be one of HS256 HS384 "
                "HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 "
                "ES512 EdDSA\n");
    return a;
}

/* keys generate: a new private key file. */
static int do_generate(const struct keys_opts *o)
{
    enum lk_jws_alg a = alg_opt(o, 1);
    struct lk_jwk *k = NULL;
    char err[LK_ERRBUF_SIZE] = "";
    int status = 1;

    if (a == LK_ALG_INVALID)
        return 2;
    if (o->out == NULL) {
        fprintf(stderr, "latchkey: --out FILE is required\n");
        return 2;
    }
    if (lk_jwk_generate(a, o->kid, &k, err, sizeof(err)) != LK_OK ||
        lk_jwk_write_private(k, o->out, err, sizeof(err)) != LK_OK)
        fprintf(stderr, "latchkey: %s\n", err);
    else
        status = printf("wrote %s key to %s (mode 0600)\n",
                        lk_jws_alg_name(a), o->out) < 0;
    lk_jwk_free(k);
    return status;
}

/* keys jwks: the public JWKS of the given key files. */
static int do_jwks(const struct keys_opts *o)
{
    enum lk_jws_alg a = alg_opt(o, 0);
    struct lk_keyset *ks = NULL;
    char err[LK_ERRBUF_SIZE] = "", *out = NULL;
    size_t i;
    int status = 1;

    if (o->alg != NULL && a == LK_ALG_INVALID)
        return 2;
    if (o->nkeys == 0 || lk_keyset_new(&ks) != LK_OK) {
        fprintf(stderr, "latchkey: --key FILE is required\n");
        return 2;
    }
    for (i = 0; i < o->nkeys; i++) {
        if (lk_keyset_load_file(ks, o->keys[i], a, o->kid, 0, err,
                                sizeof(err)) != LK_OK) {
            fprintf(stderr, "latchkey: %s: %s\n", o->keys[i], err);
            goto out;
        }
    }
    if (lk_keyset_jwks_json(ks, &out) == LK_OK)
        status = printf("%s\n", out) < 0;
out:
    free(out);
    lk_keyset_free(ks);
    return status;
}

static const char keys_usage[] =
    "usage: latchkey keys generate --alg A --out FILE [--kid K]\n"
    "       latchkey keys jwks --key FILE [--key FILE...] [--alg A]\n"
    "\n"
    "generate writes a new private key to FILE with mode 0600 and never\n"
    "overwrites an existing file: PKCS#8 PEM for RS*, PS* (RSA 2048 for\n"
    "*256, 3072 otherwise), ES* (P-256, P-384, P-521) and EdDSA\n"
    "(Ed25519); for HS* a random secret of hash-length entropy written\n"
    "as base64url text and one newline (the text is the secret).\n"
    "jwks prints the public JWKS of the key files; HMAC secrets are\n"
    "never published. Key files are recognised by content: PEM\n"
    "(-----BEGIN), JWKS ({\"keys\":...}), JWK ({\"kty\":...}), else a raw\n"
    "secret (one trailing newline stripped).\n";

/* Entry point: keys generate|jwks. */
static int keys_exec(int argc, char **argv)
{
    struct keys_opts o;
    int bad = argc < 2 || parse_opts(argc - 2, argv + 2, &o) != 0;

    if (!bad && strcmp(argv[1], "generate") == 0 && !o.help)
        return do_generate(&o);
    if (!bad && strcmp(argv[1], "jwks") == 0 && !o.help)
        return do_jwks(&o);
    bad = bad || (!o.help && strcmp(argv[1], "--help") != 0);
    fputs(keys_usage, bad ? stderr : stdout);
    return bad ? 2 : 0;
}

const struct cmd_entry cmd_keys = {
    .name = "keys",
    .summary = "generate signing keys and print public JWKS",
    .usage = keys_usage,
    .exec = keys_exec,
};
