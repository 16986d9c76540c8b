/* SPDX-License-Identifier: MIT */
/*
 * Shared-key AUTH (src/ike/authpsk.c, RFC 7296 §2.15) against values
 * computed by test/vectors/ike/gen_ike_vectors.py; every bit of AUTH, a
 * wrong length and a wrong key refused by the verifier.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/authpsk.h"
#include "ikevec.h"
#include "test.h"

static void auth_case(struct ikevec *v, void *arg)
{
	struct ike_authpsk_in in = { .prf = ikevec_prf(v, "prf") };
	size_t pl, al, bit;
	uint8_t *psk = ikevec_hex(v, "psk", &pl);
	uint8_t *msg = ikevec_hex(v, "message", &in.msg_len);
	uint8_t *nonce = ikevec_hex(v, "nonce", &in.nonce_len);
	uint8_t *sk_p = ikevec_hex(v, "sk_p", &in.sk_p_len);
	uint8_t *id = ikevec_hex(v, "id", &in.id_len);
	uint8_t *auth = ikevec_hex(v, "auth", &al);
	uint8_t out[IKE_PRF_LEN_MAX];
	int err;

	(void)arg;
	if (!psk || !msg || !nonce || !sk_p || !id || !auth)
		goto out;
	in.msg = msg;
	in.nonce = nonce;
	in.sk_p = sk_p;
	in.id = id;
	err = ike_authpsk_compute(&in, psk, pl, out, al);
	if (err || memcmp(out, auth, al))
		IKEVEC_FAIL(v, "ike_authpsk_compute: %d or wrong AUTH", err);
	if (ike_authpsk_verify(&in, psk, pl, auth, al))
		IKEVEC_FAIL(v, "ike_authpsk_verify refused the right AUTH");
	for (bit = 0; bit < al * 8; bit++) {
		auth[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (ike_authpsk_verify(&in, psk, pl, auth, al) != -EBADMSG)
			IKEVEC_FAIL(v, "AUTH with bit %zu flipped accepted", bit);
		auth[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	if (ike_authpsk_verify(&in, psk, pl, auth, al - 1) != -EBADMSG)
		IKEVEC_FAIL(v, "short AUTH accepted");
	psk[0] ^= 1;
	if (ike_authpsk_verify(&in, psk, pl, auth, al) != -EBADMSG)
		IKEVEC_FAIL(v, "wrong shared secret accepted");
	id[in.id_len - 1] ^= 1;
	psk[0] ^= 1;
	if (ike_authpsk_verify(&in, psk, pl, auth, al) != -EBADMSG)
		IKEVEC_FAIL(v, "changed ID accepted");
out:
	free(psk);
	free(msg);
	free(nonce);
	free(sk_p);
	free(id);
	free(auth);
}

TEST(ike_authpsk_vectors)
{
	CHECK_EQ(ikevec_read("auth-psk.txt", auth_case, NULL), 4);
}

TEST(ike_authpsk_refusals)
{
	uint8_t b[64] = { 1 }, out[64];
	struct ike_authpsk_in in = {
		IKE_PRF_HMAC_SHA2_256, b, 10, b, 16, b, 32, b, 8,
	};

	CHECK_EQ(ike_authpsk_compute(&in, b, 0, out, 32), -EINVAL);
	CHECK_EQ(ike_authpsk_compute(&in, b, 4, out, 31), -EINVAL);
	in.sk_p_len = 31;
	CHECK_EQ(ike_authpsk_compute(&in, b, 4, out, 32), -EINVAL);
	in.sk_p_len = 32;
	in.prf = (enum ike_prf_alg)2;
	CHECK_EQ(ike_authpsk_verify(&in, b, 4, b, 20), -EINVAL);
	in.prf = IKE_PRF_HMAC_SHA2_256;
	in.msg = NULL;
	CHECK_EQ(ike_authpsk_compute(&in, b, 4, out, 32), -EINVAL);
	CHECK_EQ(ike_authpsk_compute(NULL, b, 4, out, 32), -EINVAL);
}
