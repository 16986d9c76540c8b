/* SPDX-License-Identifier: MIT */
/*
 * X.509 certificates for IKEv2 (ike/cert.h) over OpenSSL's X509 API.
 * Nothing here is secret: certificates, CA keys' public halves, hashes.
 */
#include "ike/cert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ike/wire.h"

struct ike_x509 {
	X509 *x;
	uint8_t *der;
	size_t der_len;
};

struct ike_cert_store {
	X509_STORE *store;
	X509 *cas[IKE_CERT_CAS_MAX]; /* for CERTREQ, in the order added */
	unsigned n;
};

/* ---- one certificate ---- */

void ike_cert_free(struct ike_x509 *c)
{
	if (!c)
		return;
	X509_free(c->x);
	free(c->der);
	free(c);
}

/* Wrap x (taken on every path) with its DER. */
static struct ike_x509 *wrap(X509 *x)
{
	struct ike_x509 *c = calloc(1, sizeof(*c));
	int n = x ? i2d_X509(x, NULL) : -1;
	unsigned char *p;

	if (!c || n <= 0 || n > IKE_CERT_DER_MAX)
		goto fail;
	c->der = malloc((size_t)n);
	p = c->der;
	if (!c->der || i2d_X509(x, &p) != n)
		goto fail;
	c->x = x;
	c->der_len = (size_t)n;
	return c;
fail:
	X509_free(x);
	if (c)
		free(c->der);
	free(c);
	return NULL;
}

int ike_cert_parse(const uint8_t *der, size_t len, struct ike_x509 **out)
{
	const unsigned char *p = der;
	X509 *x;

	*out = NULL;
	if (!der || !len || len > IKE_CERT_DER_MAX)
		return -EBADMSG;
	x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		return -EBADMSG;
	}
	*out = wrap(x);
	return *out ? 0 : -ENOMEM;
}

const uint8_t *ike_cert_der(const struct ike_x509 *c, size_t *len)
{
	*len = c->der_len;
	return c->der;
}

EVP_PKEY *ike_cert_pubkey(const struct ike_x509 *c)
{
	return X509_get0_pubkey(c->x);
}

/* ---- PEM files ---- */

/* Read 1..max certificates of path into xs; *n set. Nothing is left
 * allocated on failure. */
static int read_pem(const char *path, X509 **xs, unsigned max, unsigned *n)
{
	FILE *f = fopen(path, "re");
	unsigned long e;
	X509 *x;
	int err = 0;

	*n = 0;
	if (!f)
		return -errno;
	while ((x = PEM_read_X509(f, NULL, NULL, NULL))) {
		if (*n == max) {
			X509_free(x);
			err = -EBADMSG;
			break;
		}
		xs[(*n)++] = x;
	}
	e = ERR_peek_last_error();
	/* The loop ends with "no start line" at the end of the file. */
	if (!err && (!*n || (e && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)))
		err = -EBADMSG;
	ERR_clear_error();
	fclose(f);
	while (err && *n)
		X509_free(xs[--*n]);
	return err;
}

int ike_cert_load(const char *path, struct ike_x509 **out, unsigned max,
		  unsigned *n)
{
	X509 *xs[IKE_CERT_FILE_MAX];
	unsigned i, got;
	int err;

	*n = 0;
	if (!max)
		return -EINVAL;
	err = read_pem(path, xs,
		       max < IKE_CERT_FILE_MAX ? max : IKE_CERT_FILE_MAX, &got);
	if (err)
		return err;
	for (i = 0; i < got; i++) {
		out[i] = wrap(xs[i]);
		if (!out[i])
			err = -ENOMEM;
	}
	if (err) {
		for (i = 0; i < got; i++)
			ike_cert_free(out[i]);
		return err;
	}
	*n = got;
	return 0;
}

/* ---- the store ---- */

struct ike_cert_store *ike_cert_store_new(void)
{
	struct ike_cert_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->store = X509_STORE_new();
	if (!st->store) {
		free(st);
		return NULL;
	}
	return st;
}

void ike_cert_store_free(struct ike_cert_store *st)
{
	unsigned i;

	if (!st)
		return;
	for (i = 0; i < st->n; i++)
		X509_free(st->cas[i]);
	X509_STORE_free(st->store);
	free(st);
}

unsigned ike_cert_store_count(const struct ike_cert_store *st)
{
	return st->n;
}

static bool is_ca(X509 *x)
{
	return X509_check_ca(x) == 1;
}

int ike_cert_store_add_file(struct ike_cert_store *st, const char *path)
{
	X509 *xs[IKE_CERT_FILE_MAX];
	unsigned i, n;
	int err = read_pem(path, xs, IKE_CERT_FILE_MAX, &n);

	if (err)
		return err;
	for (i = 0; i < n && !err; i++)
		if (!is_ca(xs[i]))
			err = -EINVAL;
	if (!err && n > IKE_CERT_CAS_MAX - st->n)
		err = -E2BIG;
	/* X509_STORE_add_cert takes a reference of its own; ours stays in
	 * cas[]. A failure there leaves earlier ones added: rare (ENOMEM). */
	for (i = 0; i < n && !err; i++)
		if (!X509_STORE_add_cert(st->store, xs[i]))
			err = -ENOMEM;
	for (i = 0; i < n; i++) {
		if (err)
			X509_free(xs[i]);
		else
			st->cas[st->n++] = xs[i];
	}
	ERR_clear_error();
	return err;
}

/* SHA-1 of x's SubjectPublicKeyInfo, DER (RFC 7296 §3.7). */
static int spki_sha1(X509 *x, uint8_t *out)
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	int ok;

	if (n <= 0)
		return -EIO;
	ok = EVP_Digest(der, (size_t)n, out, &mdlen, EVP_sha1(), NULL);
	OPENSSL_free(der);
	return ok == 1 && mdlen == IKE_CERT_SHA1_LEN ? 0 : -EIO;
}

int ike_cert_store_certreq(const struct ike_cert_store *st, uint8_t *out,
			   size_t cap, size_t *len)
{
	unsigned i;
	int err;

	*len = 0;
	if (!st->n)
		return -ENOENT;
	if (cap < (size_t)st->n * IKE_CERT_SHA1_LEN)
		return -ENOSPC;
	for (i = 0; i < st->n; i++) {
		err = spki_sha1(st->cas[i], out + i * IKE_CERT_SHA1_LEN);
		if (err)
			return err;
	}
	*len = (size_t)st->n * IKE_CERT_SHA1_LEN;
	return 0;
}

/* ---- verification ---- */

static const char *verify_reason(int e)
{
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "certificate expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "certificate not yet valid";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return "untrusted issuer";
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
		return "bad certificate signature";
	}
	return X509_verify_cert_error_string(e);
}

/* The intermediates as an OpenSSL stack (references of their own). */
static STACK_OF(X509) *chain_stack(struct ike_x509 *const *inter,
				   unsigned n)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	unsigned i;

	for (i = 0; sk && i < n; i++)
		if (!X509_add_cert(sk, inter[i]->x, X509_ADD_FLAG_UP_REF)) {
			sk_X509_pop_free(sk, X509_free);
			return NULL;
		}
	return sk;
}

int ike_cert_verify(const struct ike_cert_store *st,
		    const struct ike_x509 *leaf,
		    struct ike_x509 *const *inter, unsigned n, time_t now,
		    const char **reason)
{
	STACK_OF(X509) *sk = NULL;
	X509_STORE_CTX *ctx = NULL;
	int err = -ENOMEM;

	if (reason)
		*reason = NULL;
	if (!st || !leaf || n > IKE_CERT_CHAIN_MAX || (n && !inter))
		return -EINVAL;
	sk = chain_stack(inter, n);
	ctx = X509_STORE_CTX_new();
	if (!sk || !ctx || !X509_STORE_CTX_init(ctx, st->store, leaf->x, sk))
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, now);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
	err = 0;
	if (X509_verify_cert(ctx) != 1) {
		err = -EACCES;
		if (reason)
			*reason = verify_reason(X509_STORE_CTX_get_error(ctx));
	}
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(sk, X509_free);
	ERR_clear_error();
	return err;
}

/* ---- identities ---- */

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static bool caseeq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool dns_eq(const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen)
{
	return alen == blen && caseeq(a, b, alen);
}

/* The offset of the last '@', or len when there is none. */
static size_t at_sign(const uint8_t *p, size_t len)
{
	size_t i = len;

	while (i--)
		if (p[i] == '@')
			return i;
	return len;
}

/* RFC 5321 §2.4: the local part is case-sensitive, the domain not. */
static bool email_eq(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen)
{
	size_t at = at_sign(a, alen);

	if (alen != blen || at == alen || at != at_sign(b, blen))
		return false;
	return !memcmp(a, b, at) && caseeq(a + at, b + at, alen - at);
}

static bool raw_eq(const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

typedef bool (*name_eq_fn)(const uint8_t *, size_t, const uint8_t *,
			   size_t);

/* Whether a subjectAltName entry of gen_type equals data by eq. */
static bool san_match(X509 *x, int gen_type, const uint8_t *data,
		      size_t len, name_eq_fn eq)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
						NULL);
	bool found = false;
	int i;

	for (i = 0; names && !found && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		const ASN1_STRING *s;
		int type;

		s = GENERAL_NAME_get0_value(g, &type);
		if (type == gen_type && s && ASN1_STRING_length(s) > 0)
			found = eq(ASN1_STRING_get0_data(s),
				   (size_t)ASN1_STRING_length(s), data, len);
	}
	GENERAL_NAMES_free(names);
	ERR_clear_error();
	return found;
}

static bool dn_match(X509 *x, const uint8_t *data, size_t len)
{
	const unsigned char *der = NULL;
	size_t der_len = 0;

	if (!X509_NAME_get0_der(X509_get_subject_name(x), &der, &der_len))
		return false;
	return raw_eq(der, der_len, data, len);
}

bool ike_cert_matches_id(const struct ike_x509 *c, uint8_t type,
			 const uint8_t *data, size_t len)
{
	if (!c || !data || !len)
		return false;
	switch (type) {
	case IKE_ID_FQDN:
		return !memchr(data, 0, len) &&
		       san_match(c->x, GEN_DNS, data, len, dns_eq);
	case IKE_ID_RFC822_ADDR:
		return !memchr(data, 0, len) &&
		       san_match(c->x, GEN_EMAIL, data, len, email_eq);
	case IKE_ID_IPV4_ADDR:
		return len == 4 && san_match(c->x, GEN_IPADD, data, len, raw_eq);
	case IKE_ID_IPV6_ADDR:
		return len == 16 &&
		       san_match(c->x, GEN_IPADD, data, len, raw_eq);
	case IKE_ID_DER_ASN1_DN:
		return dn_match(c->x, data, len);
	}
	return false;
}
