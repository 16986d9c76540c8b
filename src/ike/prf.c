/* SPDX-License-Identifier: MIT */
/*
 * prf and prf+ (RFC 7296 §2.13) with OpenSSL's EVP_MAC HMAC. One MAC
 * context per call, freed (and with it OpenSSL's copy of the key, which
 * OpenSSL clears) before returning; the working block of prf+ is wiped here.
 */
#include "ike/prf.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util/secure.h"

static EVP_MAC *hmac;  /* fetched once, kept for the life of the process */
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static const char *digest_name(enum ike_prf_alg alg)
{
	switch (alg) {
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA2-256";
	case IKE_PRF_HMAC_SHA2_384:
		return "SHA2-384";
	case IKE_PRF_HMAC_SHA2_512:
		return "SHA2-512";
	}
	return NULL;
}

size_t ike_prf_len(enum ike_prf_alg alg)
{
	switch (alg) {
	case IKE_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_PRF_HMAC_SHA2_384:
		return 48;
	case IKE_PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

size_t ike_prf_plus_max(enum ike_prf_alg alg)
{
	return ike_prf_len(alg) * IKE_PRF_PLUS_BLOCKS_MAX;
}

static int args_check(enum ike_prf_alg alg, const uint8_t *key,
		      size_t key_len, const struct ike_bytes *in, size_t n)
{
	size_t i;

	if (!digest_name(alg) || !key || !key_len || (n && !in))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (in[i].len && !in[i].p)
			return -EINVAL;
	return 0;
}

/* A MAC context keyed for one prf computation; NULL on failure. */
static EVP_MAC_CTX *mac_new(enum ike_prf_alg alg, const uint8_t *key,
			    size_t key_len)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)digest_name(alg), 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *m;

	pthread_once(&hmac_once, hmac_fetch);
	if (!hmac)
		return NULL;
	m = EVP_MAC_CTX_new(hmac);
	if (m && !EVP_MAC_init(m, key, key_len, params)) {
		EVP_MAC_CTX_free(m);
		m = NULL;
	}
	return m;
}

static bool mac_update(EVP_MAC_CTX *m, const struct ike_bytes *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (in[i].len && !EVP_MAC_update(m, in[i].p, in[i].len))
			return false;
	return true;
}

static bool mac_final(EVP_MAC_CTX *m, uint8_t *out, size_t len)
{
	size_t got = 0;

	return EVP_MAC_final(m, out, &got, len) && got == len;
}

int ike_prf(enum ike_prf_alg alg, const uint8_t *key, size_t key_len,
	    const struct ike_bytes *in, size_t n, uint8_t *out)
{
	size_t len = ike_prf_len(alg);
	EVP_MAC_CTX *m;
	int err;

	err = args_check(alg, key, key_len, in, n);
	if (err)
		goto out;
	err = -EIO;
	m = mac_new(alg, key, key_len);
	if (m && mac_update(m, in, n) && mac_final(m, out, len))
		err = 0;
	EVP_MAC_CTX_free(m);
out:
	if (err && len)
		secure_zero(out, len);
	return err;
}

/* Tk = prf(K, T(k-1) | S | k); prev is empty for k = 1. out may be prev:
 * prev is fed to the MAC before out is written. */
static int plus_block(enum ike_prf_alg alg, const uint8_t *key,
		      size_t key_len, const struct ike_bytes *in, size_t n,
		      const uint8_t *prev, size_t prev_len, uint8_t k,
		      uint8_t *out)
{
	struct ike_bytes edge = { prev, prev_len };
	EVP_MAC_CTX *m = mac_new(alg, key, key_len);
	int err = -EIO;

	if (m && mac_update(m, &edge, 1) && mac_update(m, in, n) &&
	    EVP_MAC_update(m, &k, 1) && mac_final(m, out, ike_prf_len(alg)))
		err = 0;
	EVP_MAC_CTX_free(m);
	return err;
}

int ike_prf_plus(enum ike_prf_alg alg, const uint8_t *key, size_t key_len,
		 const struct ike_bytes *in, size_t n, uint8_t *out,
		 size_t out_len)
{
	uint8_t t[IKE_PRF_LEN_MAX];
	size_t hlen = ike_prf_len(alg), done = 0, take;
	unsigned k;
	int err;

	err = args_check(alg, key, key_len, in, n);
	if (!err && out_len > ike_prf_plus_max(alg))
		err = -EINVAL;
	for (k = 1; !err && done < out_len; k++) {
		err = plus_block(alg, key, key_len, in, n, t,
				 k == 1 ? 0 : hlen, (uint8_t)k, t);
		take = out_len - done < hlen ? out_len - done : hlen;
		if (!err)
			memcpy(out + done, t, take);
		done += take;
	}
	secure_zero(t, sizeof(t));
	if (err && out_len)
		secure_zero(out, out_len);
	return err;
}
