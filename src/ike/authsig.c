/* SPDX-License-Identifier: MIT */
/*
 * AUTH method 14, Digital Signature (RFC 7427): the AlgorithmIdentifier
 * table, choosing, building, signing and verifying (ike/authsig.h).
 *
 * Nothing here is secret but the private key given to
 * ike_authsig_sign_key(), which OpenSSL only reads; signatures, octets and
 * identifiers are public.
 */
#include "ike/authsig.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ike/wire.h"
#include "util/secure.h"

/* RFC 7427 Appendix A, byte for byte (A.3.2-A.3.4, A.4.3 less the
 * DEFAULT trailerField, A.1.2-A.1.4). */
static const uint8_t der_ecdsa256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
};
static const uint8_t der_ecdsa384[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
};
static const uint8_t der_ecdsa512[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04,
};
/* id-RSASSA-PSS { [0] sha256, [1] mgf1(sha256), [2] saltLength 32 } */
#define PSS256_BODY                                                        \
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,  \
	0x30, PSS256_PARAMS_LEN, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, \
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1,  \
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,  \
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,  \
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01,  \
	0x20
#define PSS256_PARAMS_LEN 0x34
static const uint8_t der_pss256[] = { 0x30, 0x41, PSS256_BODY };
#undef PSS256_PARAMS_LEN
/* As A.4.3 prints it: trailerField [3] INTEGER 1 written out. */
#define PSS256_PARAMS_LEN 0x39
static const uint8_t der_pss256_rfc[] = {
	0x30, 0x46, PSS256_BODY, 0xa3, 0x03, 0x02, 0x01, 0x01,
};
#undef PSS256_PARAMS_LEN
static const uint8_t der_rsa256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
};
static const uint8_t der_rsa384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00,
};
static const uint8_t der_rsa512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00,
};

#define ALG(n, h, s, d) { n, h, s, d, sizeof(d) }
enum { A_ECDSA256, A_ECDSA384, A_ECDSA512, A_PSS256, A_RSA256, A_RSA384,
       A_RSA512, A_COUNT };
static const struct ike_authsig_alg algs[A_COUNT] = {
	[A_ECDSA256] = ALG("ecdsa-with-SHA256", IKE_HASH_SHA2_256,
			   IKE_SIG_ECDSA, der_ecdsa256),
	[A_ECDSA384] = ALG("ecdsa-with-SHA384", IKE_HASH_SHA2_384,
			   IKE_SIG_ECDSA, der_ecdsa384),
	[A_ECDSA512] = ALG("ecdsa-with-SHA512", IKE_HASH_SHA2_512,
			   IKE_SIG_ECDSA, der_ecdsa512),
	[A_PSS256] = ALG("RSASSA-PSS-SHA256", IKE_HASH_SHA2_256,
			 IKE_SIG_RSA_PSS, der_pss256),
	[A_RSA256] = ALG("sha256WithRSAEncryption", IKE_HASH_SHA2_256,
			 IKE_SIG_RSA_PKCS1, der_rsa256),
	[A_RSA384] = ALG("sha384WithRSAEncryption", IKE_HASH_SHA2_384,
			 IKE_SIG_RSA_PKCS1, der_rsa384),
	[A_RSA512] = ALG("sha512WithRSAEncryption", IKE_HASH_SHA2_512,
			 IKE_SIG_RSA_PKCS1, der_rsa512),
};
#undef ALG

const struct ike_authsig_alg *ike_authsig_algs(size_t *n)
{
	*n = A_COUNT;
	return algs;
}

const struct ike_authsig_alg *ike_authsig_find(const uint8_t *der,
					       size_t len)
{
	unsigned i;

	if (!der)
		return NULL;
	for (i = 0; i < A_COUNT; i++)
		if (len == algs[i].der_len && !memcmp(der, algs[i].der, len))
			return &algs[i];
	if (len == sizeof(der_pss256_rfc) &&
	    !memcmp(der, der_pss256_rfc, len))
		return &algs[A_PSS256];
	return NULL;
}

/* ---- keys ---- */

static const char *md_name(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_SHA2_256:
		return "SHA256";
	case IKE_HASH_SHA2_384:
		return "SHA384";
	case IKE_HASH_SHA2_512:
		return "SHA512";
	}
	return NULL;
}

/* The curve's preferred hash (RFC 5656 §6.2.1 pairing); 0 for a curve
 * not taken. */
static uint16_t ec_hash(const EVP_PKEY *key)
{
	char group[32];

	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
					    group, sizeof(group), NULL))
		return 0;
	if (!strcmp(group, "prime256v1"))
		return IKE_HASH_SHA2_256;
	if (!strcmp(group, "secp384r1"))
		return IKE_HASH_SHA2_384;
	if (!strcmp(group, "secp521r1"))
		return IKE_HASH_SHA2_512;
	return 0;
}

/* Whether key can make or check signatures of scheme. */
static bool key_fits(const EVP_PKEY *key, enum ike_sig_scheme scheme)
{
	if (scheme == IKE_SIG_ECDSA)
		return EVP_PKEY_is_a(key, "EC") && ec_hash(key);
	if (scheme == IKE_SIG_RSA_PSS || scheme == IKE_SIG_RSA_PKCS1)
		return EVP_PKEY_is_a(key, "RSA");
	return false;
}

static bool key_strong(const EVP_PKEY *key)
{
	return !EVP_PKEY_is_a(key, "RSA") ||
	       EVP_PKEY_get_bits(key) >= IKE_AUTHSIG_RSA_BITS_MIN;
}

static bool announced(uint16_t hash, const uint16_t *hashes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hashes[i] == hash)
			return true;
	return false;
}

/* The first of prefs[0..n-1] whose hash the peer announced. */
static const struct ike_authsig_alg *first_announced(const unsigned *prefs,
						     size_t n,
						     const uint16_t *hashes,
						     size_t nh)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (announced(algs[prefs[i]].hash, hashes, nh))
			return &algs[prefs[i]];
	return NULL;
}

const struct ike_authsig_alg *ike_authsig_choose(const EVP_PKEY *key,
						 const uint16_t *hashes,
						 size_t n)
{
	static const unsigned p256[] = { A_ECDSA256, A_ECDSA512, A_ECDSA384 };
	static const unsigned p384[] = { A_ECDSA384, A_ECDSA512, A_ECDSA256 };
	static const unsigned p521[] = { A_ECDSA512, A_ECDSA384, A_ECDSA256 };
	static const unsigned rsa[] = { A_PSS256, A_RSA512, A_RSA384 };

	if (!key || !hashes || !key_strong(key))
		return NULL;
	if (key_fits(key, IKE_SIG_RSA_PSS))
		return first_announced(rsa, 3, hashes, n);
	if (!key_fits(key, IKE_SIG_ECDSA))
		return NULL;
	switch (ec_hash(key)) {
	case IKE_HASH_SHA2_256:
		return first_announced(p256, 3, hashes, n);
	case IKE_HASH_SHA2_384:
		return first_announced(p384, 3, hashes, n);
	default:
		return first_announced(p521, 3, hashes, n);
	}
}

/* ---- signing and verifying ---- */

/* Padding for the RSA schemes: PSS with MGF1 over the same hash and a
 * salt as long as the hash (RFC 7427 A.4.3; RFC 8247 §3.2). */
static bool set_padding(EVP_PKEY_CTX *pctx, enum ike_sig_scheme scheme)
{
	if (scheme == IKE_SIG_RSA_PKCS1)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
	if (scheme != IKE_SIG_RSA_PSS)
		return true;
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) >
		       0;
}

/* A digest-sign or digest-verify context for key, hash and scheme, the
 * arguments checked: NULL with *err set otherwise. */
static EVP_MD_CTX *md_ctx(EVP_PKEY *key, uint16_t hash,
			 enum ike_sig_scheme scheme, bool sign, int *err)
{
	const char *md = md_name(hash);
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	int ok;

	*err = -EINVAL;
	if (!md || scheme < IKE_SIG_ECDSA || scheme > IKE_SIG_RSA_PKCS1)
		return NULL;
	*err = -EKEYREJECTED;
	if (!key_fits(key, scheme) || !key_strong(key))
		return NULL;
	*err = -EIO;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return NULL;
	ok = sign ? EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key,
					  NULL)
		  : EVP_DigestVerifyInit_ex(ctx, &pctx, md, NULL, NULL, key,
					    NULL);
	if (ok != 1 || !set_padding(pctx, scheme)) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	*err = 0;
	return ctx;
}

int ike_authsig_sign_key(EVP_PKEY *key, uint16_t hash,
			 enum ike_sig_scheme scheme, const uint8_t *octets,
			 size_t len, uint8_t *sig, size_t cap,
			 size_t *sig_len)
{
	EVP_MD_CTX *ctx = NULL;
	size_t n = 0;
	int err = -EINVAL;

	if (!key || !octets || !len || !sig || !sig_len)
		goto out;
	ctx = md_ctx(key, hash, scheme, true, &err);
	if (!ctx)
		goto out;
	err = -EIO;
	if (EVP_DigestSign(ctx, NULL, &n, octets, len) != 1)
		goto out;
	err = -ENOSPC;
	if (n > cap)
		goto out;
	err = EVP_DigestSign(ctx, sig, &n, octets, len) == 1 ? 0 : -EIO;
out:
	EVP_MD_CTX_free(ctx);
	if (err && sig)
		secure_zero(sig, cap);
	if (sig_len)
		*sig_len = err ? 0 : n;
	return err;
}

int ike_authsig_build(const struct ike_authsig_alg *alg, const uint8_t *sig,
		      size_t sig_len, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	size_t n;

	if (!alg || !sig || !sig_len || sig_len > IKE_AUTHSIG_SIG_MAX ||
	    !out || !out_len)
		return -EINVAL;
	n = 1 + alg->der_len + sig_len;
	if (n > cap)
		return -ENOSPC;
	out[0] = (uint8_t)alg->der_len;
	memcpy(out + 1, alg->der, alg->der_len);
	memmove(out + 1 + alg->der_len, sig, sig_len);
	*out_len = n;
	return 0;
}

int ike_authsig_sign(const struct ike_authsig_alg *alg,
		     ike_authsig_sign_fn sign, void *ctx,
		     const uint8_t *octets, size_t len, uint8_t *out,
		     size_t cap, size_t *out_len)
{
	size_t head, sig_len = 0;
	int err;

	if (!alg || !sign || !octets || !len || !out || !out_len)
		return -EINVAL;
	head = 1 + alg->der_len;
	if (cap <= head)
		return -ENOSPC;
	/* Sign straight into place after the identifier. */
	err = sign(ctx, alg->hash, (enum ike_sig_scheme)alg->scheme, octets,
		   len, out + head, cap - head, &sig_len);
	if (!err && (!sig_len || sig_len > cap - head ||
		     sig_len > IKE_AUTHSIG_SIG_MAX))
		err = -EIO;
	if (!err)
		err = ike_authsig_build(alg, out + head, sig_len, out, cap,
					out_len);
	if (err)
		secure_zero(out, cap);
	return err;
}

/* A refusal: the reason out, OpenSSL's error queue emptied (a bad
 * signature leaves entries there). */
static int refuse(const char **reason, const char *why)
{
	ERR_clear_error();
	if (reason)
		*reason = why;
	return -EACCES;
}

int ike_authsig_verify(const struct ike_auth_sig *s, const uint8_t *octets,
		       size_t len, EVP_PKEY *peer, const char **reason)
{
	const struct ike_authsig_alg *alg;
	EVP_MD_CTX *ctx;
	int err, ok;

	if (reason)
		*reason = NULL;
	if (!s || !octets || !len || !peer)
		return -EINVAL;
	alg = ike_authsig_find(s->alg, s->alg_len);
	if (!alg)
		return refuse(reason, "unsupported signature algorithm");
	if (!key_fits(peer, (enum ike_sig_scheme)alg->scheme))
		return refuse(reason, "algorithm does not fit the key");
	if (!key_strong(peer))
		return refuse(reason, "key too weak");
	if (!s->sig || !s->sig_len)
		return refuse(reason, "bad signature");
	ctx = md_ctx(peer, alg->hash, (enum ike_sig_scheme)alg->scheme, false,
		     &err);
	if (!ctx)
		return refuse(reason, "bad signature");
	ok = EVP_DigestVerify(ctx, s->sig, s->sig_len, octets, len);
	EVP_MD_CTX_free(ctx);
	return ok == 1 ? 0 : refuse(reason, "bad signature");
}
