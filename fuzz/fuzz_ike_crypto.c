/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the untrusted inputs of the IKE crypto: the body of
 * an Encrypted payload (ike_sk_open(), src/ike/sk.c) and a peer's key
 * exchange value (ike_dh_compute_shared(), src/ike/dh.c).
 *
 * Input: byte 0 picks a cipher or a group; for a cipher, byte 1 is the AAD
 * length and the rest the message, opened with fixed keys (bytes 0x01.. for
 * the encryption key material, 0x41.. for the integrity key), the keys
 * fuzz/gen_ike_crypto_corpus.py seals its seeds with; for a group, the rest
 * is the peer's public value, against a fixed private key.
 * Invariants: only the documented errors; a success returns the inner
 * payloads inside the text; a failure leaves the AAD as it was and zeroes
 * the body, or the shared secret.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ike/dh.h"
#include "ike/sk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cipher {
	enum ike_encr_alg encr;
	unsigned bits;
	enum ike_integ_alg integ;
};

static const struct cipher ciphers[] = {
	{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE },
	{ IKE_ENCR_CHACHA20_POLY1305, 256, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256 },
};
#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

static const enum ike_dh_group groups[] = {
	IKE_DH_MODP_2048, IKE_DH_ECP_256, IKE_DH_ECP_384, IKE_DH_CURVE25519,
};
#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void open_one(const struct cipher *c, const uint8_t *data, size_t size)
{
	uint8_t ekey[IKE_ENCR_KEY_MAX], akey[IKE_INTEG_KEY_MAX], *buf;
	size_t i, aad, off = 0, len = 0, al = ike_integ_key_len(c->integ);
	const struct ike_sk_overhead *ov;
	struct ike_sk *sk = NULL;
	int err;

	for (i = 0; i < sizeof(ekey); i++)
		ekey[i] = (uint8_t)(0x01 + i);
	for (i = 0; i < sizeof(akey); i++)
		akey[i] = (uint8_t)(0x41 + i);
	if (size < 1)
		return;
	if (ike_sk_new(&sk, c->encr, c->bits, c->integ, ekey,
				   ike_encr_keymat_len(c->encr, c->bits),
				   al ? akey : NULL, al))
		abort();
	aad = data[0];
	buf = malloc(size - 1 + 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	err = ike_sk_open(sk, buf, size - 1, aad, &off, &len);
	ov = ike_sk_get_overhead(sk);
	if (err == 0 && (off != aad + ov->iv_len ||
			 off + len + 1 + ov->icv_len > size - 1))
		abort();
	if (err == -EINVAL && aad <= size - 1)
		abort();
	if (err && err != -EINVAL &&
	    (!all_zero(buf + aad, size - 1 - aad) || memcmp(buf, data + 1, aad)))
		abort();
	if (err && err != -EINVAL && err != -EMSGSIZE && err != -EBADMSG &&
	    err != -EPROTO)
		abort();
	free(buf);
	ike_sk_free(sk);
}

static void exchange_one(enum ike_dh_group g, const uint8_t *data,
			 size_t size)
{
	uint8_t priv[48], out[IKE_DH_SHARED_MAX];
	size_t sl = ike_dh_shared_len(g);
	struct ike_dh *dh = NULL;
	int err;

	/* ECP private keys are field-sized; 0x5a.. is below every order. */
	memset(priv, 0x5a, sizeof(priv));
	if (ike_dh_new_fixed_for_test(&dh, g, priv,
				      g == IKE_DH_ECP_384 ? 48 : 32))
		abort();
	err = ike_dh_compute_shared(dh, data, size, out, sl);
	if (err != 0 && err != -EBADMSG)
		abort();
	if (err && !all_zero(out, sl))
		abort();
	if (!err && size != ike_dh_public_len(g))
		abort();
	ike_dh_free(dh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned pick;

	if (size < 1 || size > 70000)
		return 0;
	pick = data[0] % (N_CIPHERS + N_GROUPS);
	if (pick < N_CIPHERS)
		open_one(&ciphers[pick], data + 1, size - 1);
	else
		exchange_one(groups[pick - N_CIPHERS], data + 1, size - 1);
	return 0;
}
