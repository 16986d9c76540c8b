/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 key derivation (contract in ike/keys.h). SKEYSEED and the prf+
 * stream live in local buffers that the single exit of each function wipes.
 */
#include "ike/keys.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/secure.h"

/* Largest prf+ output needed: 3 prf keys + 2 integrity + 2 encryption. */
#define STREAM_MAX (3 * IKE_PRF_LEN_MAX + 2 * IKE_INTEG_KEY_MAX + \
		    2 * IKE_ENCR_KEY_MAX)

bool ike_suite_ok(const struct ike_suite *suite)
{
	return suite && ike_prf_len(suite->prf) &&
	       ike_alg_pair_ok(suite->encr, suite->encr_key_bits, suite->integ);
}

static bool nonces_ok(const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len)
{
	return ni && nr && ni_len >= IKE_KEYS_NONCE_MIN &&
	       ni_len <= IKE_KEYS_NONCE_MAX && nr_len >= IKE_KEYS_NONCE_MIN &&
	       nr_len <= IKE_KEYS_NONCE_MAX;
}

/* Take n bytes of the stream at *pos into dst. */
static void take(uint8_t *dst, const uint8_t *stream, size_t *pos, size_t n)
{
	memcpy(dst, stream + *pos, n);
	*pos += n;
}

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *     = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)            (RFC 7296 §2.14) */
static int keys_expand(struct ike_keys *k, const uint8_t *skeyseed,
		       size_t seed_len, const struct ike_bytes s[4])
{
	uint8_t stream[STREAM_MAX];
	size_t total = 3 * k->prf_len + 2 * k->integ_len + 2 * k->encr_len;
	size_t pos = 0;
	int err;

	err = ike_prf_plus(k->suite.prf, skeyseed, seed_len, s, 4, stream,
			   total);
	if (err)
		goto out;
	take(k->sk_d, stream, &pos, k->prf_len);
	take(k->sk_ai, stream, &pos, k->integ_len);
	take(k->sk_ar, stream, &pos, k->integ_len);
	take(k->sk_ei, stream, &pos, k->encr_len);
	take(k->sk_er, stream, &pos, k->encr_len);
	take(k->sk_pi, stream, &pos, k->prf_len);
	take(k->sk_pr, stream, &pos, k->prf_len);
out:
	secure_zero(stream, sizeof(stream));
	return err;
}

/* A zeroed key set for suite, its lengths filled; NULL if out of memory. */
static struct ike_keys *keys_alloc(const struct ike_suite *suite)
{
	struct ike_keys *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->suite = *suite;
	k->prf_len = ike_prf_len(suite->prf);
	k->integ_len = ike_integ_key_len(suite->integ);
	k->encr_len = ike_encr_keymat_len(suite->encr, suite->encr_key_bits);
	return k;
}

/* Common tail of derive and rekey: expand SKEYSEED into a new key set. */
static int keys_finish(struct ike_keys **out, const struct ike_suite *suite,
		       const uint8_t *skeyseed, size_t seed_len,
		       const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len,
		       const uint8_t *spi_i, const uint8_t *spi_r)
{
	const struct ike_bytes s[4] = {
		{ ni, ni_len }, { nr, nr_len },
		{ spi_i, IKE_KEYS_SPI_LEN }, { spi_r, IKE_KEYS_SPI_LEN },
	};
	struct ike_keys *k = keys_alloc(suite);
	int err;

	if (!k)
		return -ENOMEM;
	err = keys_expand(k, skeyseed, seed_len, s);
	if (err) {
		ike_keys_free(k);
		return err;
	}
	*out = k;
	return 0;
}

static bool args_ok(struct ike_keys **out, const struct ike_suite *suite,
		    const uint8_t *g_ir, size_t g_ir_len,
		    const uint8_t *ni, size_t ni_len,
		    const uint8_t *nr, size_t nr_len,
		    const uint8_t *spi_i, const uint8_t *spi_r)
{
	return out && ike_suite_ok(suite) && g_ir && g_ir_len &&
	       nonces_ok(ni, ni_len, nr, nr_len) && spi_i && spi_r;
}

int ike_keys_derive(struct ike_keys **out, const struct ike_suite *suite,
		    const uint8_t *g_ir, size_t g_ir_len,
		    const uint8_t *ni, size_t ni_len,
		    const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[IKE_KEYS_SPI_LEN],
		    const uint8_t spi_r[IKE_KEYS_SPI_LEN])
{
	uint8_t skeyseed[IKE_PRF_LEN_MAX], key[2 * IKE_KEYS_NONCE_MAX];
	const struct ike_bytes gir = { g_ir, g_ir_len };
	int err = -EINVAL;

	if (!args_ok(out, suite, g_ir, g_ir_len, ni, ni_len, nr, nr_len,
		     spi_i, spi_r))
		goto out;
	/* SKEYSEED = prf(Ni | Nr, g^ir): the nonces are the key. */
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	err = ike_prf(suite->prf, key, ni_len + nr_len, &gir, 1, skeyseed);
	if (!err)
		err = keys_finish(out, suite, skeyseed,
				  ike_prf_len(suite->prf), ni, ni_len, nr,
				  nr_len, spi_i, spi_r);
out:
	secure_zero(skeyseed, sizeof(skeyseed));
	secure_zero(key, sizeof(key));
	return err;
}

int ike_keys_rekey(struct ike_keys **out, const struct ike_keys *old,
		   const struct ike_suite *suite,
		   const uint8_t *g_ir, size_t g_ir_len,
		   const uint8_t *ni, size_t ni_len,
		   const uint8_t *nr, size_t nr_len,
		   const uint8_t spi_i[IKE_KEYS_SPI_LEN],
		   const uint8_t spi_r[IKE_KEYS_SPI_LEN])
{
	uint8_t skeyseed[IKE_PRF_LEN_MAX];
	const struct ike_bytes s[3] = {
		{ g_ir, g_ir_len }, { ni, ni_len }, { nr, nr_len },
	};
	int err = -EINVAL;

	if (!old || !args_ok(out, suite, g_ir, g_ir_len, ni, ni_len, nr,
			     nr_len, spi_i, spi_r))
		goto out;
	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), the old SA's
	 * prf (RFC 7296 §2.18). */
	err = ike_prf(old->suite.prf, old->sk_d, old->prf_len, s, 3, skeyseed);
	if (!err)
		err = keys_finish(out, suite, skeyseed,
				  ike_prf_len(old->suite.prf), ni, ni_len, nr,
				  nr_len, spi_i, spi_r);
out:
	secure_zero(skeyseed, sizeof(skeyseed));
	return err;
}

void ike_keys_free(struct ike_keys *keys)
{
	if (!keys)
		return;
	secure_zero(keys, sizeof(*keys));
	free(keys);
}

static bool child_suite_ok(const struct ike_child_suite *suite)
{
	return suite && ike_alg_pair_ok(suite->encr, suite->encr_key_bits,
					 suite->integ);
}

int ike_keys_child(const struct ike_keys *ike,
		   const struct ike_child_suite *suite,
		   const uint8_t *g_ir, size_t g_ir_len,
		   const uint8_t *ni, size_t ni_len,
		   const uint8_t *nr, size_t nr_len,
		   struct ike_child_keys *out)
{
	uint8_t stream[2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX)];
	const struct ike_bytes s[3] = {
		{ g_ir, g_ir ? g_ir_len : 0 }, { ni, ni_len }, { nr, nr_len },
	};
	size_t pos = 0;
	int err = -EINVAL;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!ike || !child_suite_ok(suite) || (g_ir && !g_ir_len) ||
	    !nonces_ok(ni, ni_len, nr, nr_len))
		goto out;
	out->encr_len = ike_encr_keymat_len(suite->encr, suite->encr_key_bits);
	out->integ_len = ike_integ_key_len(suite->integ);
	err = ike_prf_plus(ike->suite.prf, ike->sk_d, ike->prf_len, s, 3,
			   stream, 2 * (out->encr_len + out->integ_len));
	if (err)
		goto out;
	take(out->i2r_encr, stream, &pos, out->encr_len);
	take(out->i2r_integ, stream, &pos, out->integ_len);
	take(out->r2i_encr, stream, &pos, out->encr_len);
	take(out->r2i_integ, stream, &pos, out->integ_len);
out:
	secure_zero(stream, sizeof(stream));
	if (err)
		ike_child_keys_wipe(out);
	return err;
}

void ike_child_keys_wipe(struct ike_child_keys *keys)
{
	if (keys)
		secure_zero(keys, sizeof(*keys));
}
