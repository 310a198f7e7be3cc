/*
 * cmd_token.c: `latchkey token verify|sign`, the JOSE layer from the
 * shell. A token or claims set is read from stdin (bounded); verify
 * prints the claims JSON and exits 0, or prints one line on stderr
 * and exits 1; usage errors exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd.h"
#include "latchkey/lk_jose.h"

#define STDIN_MAX  (64u * 1024u)
#define MAX_KEYS   8

struct token_opts {
    const char *keys[MAX_KEYS];
    size_t nkeys;
    const char *alg, *kid, *iss, *aud, *require, *scope;
    int64_t now, leeway;
    int jws_only, help;
};

/* Parse a decimal int64 strictly. */
static int parse_i64(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (s == NULL || *s == '\0')
        return -1;
    v = strtoll(s, &end, 10);
    if (*end != '\0')
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* Store the value of option name into o; -1 for an unknown option. */
static int set_opt(struct token_opts *o, const char *name, const char *val)
{
    if (strcmp(name, "--key") == 0 && o->nkeys < MAX_KEYS)
        o->keys[o->nkeys++] = val;
    else if (strcmp(name, "--alg") == 0)
        o->alg = val;
    else if (strcmp(name, "--kid") == 0)
        o->kid = val;
    else if (strcmp(name, "--iss") == 0)
        o->iss = val;
    else if (strcmp(name, "--aud") == 0)
        o->aud = val;
    else if (strcmp(name, "--require") == 0)
        o->require = val;
    else if (strcmp(name, "--scope") == 0)
        o->scope = val;
    else if (strcmp(name, "--now") == 0)
        return parse_i64(val, &o->now);
    else if (strcmp(name, "--leeway") == 0)
        return parse_i64(val, &o->leeway) || o->leeway < 0 ? -1 : 0;
    else
        return -1;
    return 0;
}

/* Read the options after the action word; -1 on a usage error. */
static int parse_opts(int argc, char **argv, struct token_opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->now = lk_now();
    o->require = "exp,sub";
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            o->help = 1;
        else if (strcmp(argv[i], "--jws-only") == 0)
            o->jws_only = 1;
        else if (i + 1 >= argc || set_opt(o, argv[i], argv[i + 1]) != 0)
            return -1;
        else
            i++;
    }
    return 0;
}

/* Read all of stdin up to STDIN_MAX bytes, less trailing whitespace. */
static char *read_stdin(size_t *len)
{
    char *buf = malloc(STDIN_MAX + 1);
    size_t n = 0, r;

    if (buf == NULL)
        return NULL;
    while (n <= STDIN_MAX &&
           (r = fread(buf + n, 1, STDIN_MAX + 1 - n, stdin)) > 0)
        n += r;
    if (n > STDIN_MAX) {
        free(buf);
        return NULL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
                     buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Required-claim flags from a comma- or space-separated list. */
static int req_flags(const char *list, unsigned *out)
{
    static const char *const names[] = {"exp", "iat", "nbf", "sub", "iss",
                                        "aud", "jti"};
    const char *p = list;
    size_t l, i;

    *out = 0;
    while (*p != '\0') {
        l = strcspn(p, ", ");
        for (i = 0; l > 0 && i < 7; i++) {
            if (strlen(names[i]) == l && memcmp(names[i], p, l) == 0)
                break;
        }
        if (l > 0 && i == 7)
            return -1;
        if (l > 0)
            *out |= 1u << i;
        p += l;
        p += strspn(p, ", ");
    }
    return 0;
}

/* Load every --key file into a new set. */
static struct lk_keyset *load_keys(const struct token_opts *o, int sign)
{
    struct lk_keyset *ks = NULL;
    char err[LK_ERRBUF_SIZE];
    enum lk_jws_alg alg = LK_ALG_INVALID;
    size_t i;

    if (o->alg != NULL &&
        (alg = lk_jws_alg_parse(o->alg, strlen(o->alg))) == LK_ALG_INVALID) {
        fprintf(stderr, "latchkey: unknown algorithm %s\n", o->alg);
        return NULL;
    }
    if (o->nkeys == 0 || lk_keyset_new(&ks) != LK_OK) {
        fprintf(stderr, "latchkey: --key FILE is required\n");
        return NULL;
    }
    for (i = 0; i < o->nkeys; i++) {
        if (lk_keyset_load_file(ks, o->keys[i], alg, o->kid, sign && i == 0,
                                err, sizeof(err)) != LK_OK) {
            fprintf(stderr, "latchkey: %s: %s\n", o->keys[i], err);
            lk_keyset_free(ks);
            return NULL;
        }
    }
    return ks;
}

/* A verifier over ks configured from the options. */
static struct lk_jwt_verifier *make_verifier(const struct lk_keyset *ks,
                                             const struct token_opts *o)
{
    struct lk_jwt_verifier *v = NULL;
    unsigned req = 0;

    if (req_flags(o->require, &req) != 0) {
        fprintf(stderr, "latchkey: --require takes exp,iat,nbf,sub,iss,"
                "aud,jti\n");
        return NULL;
    }
    if (lk_jwt_verifier_new(ks, &v) != LK_OK ||
        lk_jwt_verifier_set_issuer(v, o->iss) != LK_OK ||
        lk_jwt_verifier_set_audience(v, o->aud) != LK_OK) {
        lk_jwt_verifier_free(v);
        return NULL;
    }
    lk_jwt_verifier_set_leeway(v, o->leeway);
    lk_jwt_verifier_set_required(v, req);
    return v;
}

/* Check the token on stdin; print its payload if it is good. */
static int do_verify(const struct token_opts *o, struct lk_keyset *ks)
{
    struct lk_jwt_verifier *v = NULL;
    struct lk_claims cl;
    char err[LK_ERRBUF_SIZE] = "", *tok, *pay = NULL;
    size_t len = 0, plen = 0;
    enum lk_err rc;
    int status = 1;

    if ((tok = read_stdin(&len)) == NULL) {
        fprintf(stderr, "invalid token: larger than %u bytes\n", STDIN_MAX);
        return 1;
    }
    if (o->jws_only) {
        rc = lk_jws_verify(ks, tok, len, LK_JWT_MAX_DEFAULT,
                           (uint8_t **)&pay, &plen, err, sizeof(err));
    } else if ((v = make_verifier(ks, o)) == NULL) {
        status = 2;
        goto out;
    } else {
        rc = lk_jwt_verify_payload(v, tok, len, o->now, &cl, &pay, &plen,
                                   err, sizeof(err));
        if (rc == LK_OK && o->scope != NULL &&
            (rc = lk_claims_check_scopes(&cl, o->scope)) != LK_OK)
            snprintf(err, sizeof(err), "token lacks a required scope");
    }
    if (rc != LK_OK) {
        fprintf(stderr, "invalid token: %s\n", err);
        goto out;
    }
    fwrite(pay, 1, plen, stdout);
    putchar('\n');
    status = 0;
out:
    free(pay);
    free(tok);
    lk_jwt_verifier_free(v);
    return status;
}

/* Sign the claims JSON object on stdin with the first key. */
static int do_sign(struct lk_keyset *ks)
{
    const struct lk_jwk *key = lk_keyset_signing_key(ks);
    char err[LK_ERRBUF_SIZE] = "", *claims, *tok = NULL;
    size_t len = 0, tlen = 0;
    json_error_t jerr;
    json_t *j = NULL;
    int status = 1;

    if ((claims = read_stdin(&len)) == NULL) {
        fprintf(stderr, "latchkey: claims larger than %u bytes\n",
                STDIN_MAX);
        return 1;
    }
    j = json_loadb(claims, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(j))
        fprintf(stderr, "latchkey: stdin is not a JSON object\n");
    else if (key == NULL)
        fprintf(stderr, "latchkey: the key file holds no private key\n");
    else if (lk_jwt_sign(key, claims, len, &tok, &tlen, err, sizeof(err))
             != LK_OK)
        fprintf(stderr, "latchkey: %s\n", err);
    else
        status = printf("%s\n", tok) < 0;
    json_decref(j);
    free(tok);
    free(claims);
    return status;
}

static const char token_usage[] =
    "usage: latchkey token verify --key FILE [--key FILE...] [--alg A]\n"
    "           [--now EPOCH] [--leeway S] [--iss I] [--aud A]\n"
    "           [--require exp,sub,...] [--scope \"S...\"] [--jws-only]\n"
    "       latchkey token sign --key FILE --alg A [--kid K]\n"
    "\n"
    "verify reads a compact JWS from stdin. A valid token: exit 0, the\n"
    "claims JSON on stdout. Otherwise: exit 1, one line on stderr.\n"
    "--require defaults to exp,sub; --scope lists scopes that must all\n"
    "be granted; --jws-only checks structure and signature of any\n"
    "payload. sign reads a JSON object from stdin and prints the token.\n"
    "\n"
    "Key files are recognised by their content, not their name:\n"
    "  -----BEGIN ...      PEM private key (PKCS#8 or traditional) or\n"
    "                      public key (SPKI); RSA, EC or Ed25519\n"
    "  {\"keys\": [...]}     JWKS; keys with a use other than sig skipped\n"
    "  {\"kty\": ...}        one JWK (oct, RSA, EC, OKP Ed25519)\n"
    "  anything else       raw HMAC secret: the bytes less one trailing\n"
    "                      newline, at least 32; --alg HS256/384/512\n"
    "The key decides the algorithm: RSA keys default to RS256 (use\n"
    "--alg for RS384/512 or PS*), EC keys follow their curve, Ed25519\n"
    "is EdDSA. The token header never picks the key or algorithm.\n";

/* Entry point: token verify|sign. */
static int token_exec(int argc, char **argv)
{
    struct token_opts o;
    struct lk_keyset *ks = NULL;
    int sign, status;

    if (argc < 2 || parse_opts(argc - 2, argv + 2, &o) != 0 || o.help ||
        (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "sign") != 0)) {
        int help = argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                                 (parse_opts(argc - 2, argv + 2, &o) == 0
                                  && o.help));
        fputs(token_usage, help ? stdout : stderr);
        return help ? 0 : 2;
    }
    sign = strcmp(argv[1], "sign") == 0;
    if ((ks = load_keys(&o, sign)) == NULL)
        return 2;
    status = sign ? do_sign(ks) : do_verify(&o, ks);
    lk_keyset_free(ks);
    return status;
}

const struct cmd_entry cmd_token = {
    .name = "token",
    .summary = "verify or sign JWTs with key files",
    .usage = token_usage,
    .exec = token_exec,
};
