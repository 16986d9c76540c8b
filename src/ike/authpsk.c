/* SPDX-License-Identifier: MIT */
/*
 * Shared-key AUTH values (RFC 7296 §2.15; contract in ike/authpsk.h).
 */
#include "ike/authpsk.h"

#include <errno.h>
#include <stdbool.h>

#include "util/secure.h"

static const uint8_t key_pad[] = "Key Pad for IKEv2";
#define KEY_PAD_LEN (sizeof(key_pad) - 1) /* 17: no NUL (§2.15) */

static bool in_ok(const struct ike_authpsk_in *in)
{
	size_t plen = in ? ike_prf_len(in->prf) : 0;

	return plen && in->msg && in->msg_len && in->nonce && in->nonce_len &&
	       in->sk_p && in->sk_p_len == plen && in->id && in->id_len;
}

int ike_authpsk_compute(const struct ike_authpsk_in *in, const uint8_t *psk,
			size_t psk_len, uint8_t *out, size_t out_len)
{
	uint8_t padkey[IKE_PRF_LEN_MAX], maced_id[IKE_PRF_LEN_MAX];
	const struct ike_bytes pad = { key_pad, KEY_PAD_LEN };
	struct ike_bytes id, signed_octets[3];
	size_t plen;
	int err = -EINVAL;

	if (!in_ok(in) || !psk || !psk_len || !out ||
	    out_len != ike_prf_len(in->prf))
		goto out;
	plen = out_len;
	id = (struct ike_bytes){ in->id, in->id_len };
	err = ike_prf(in->prf, in->sk_p, in->sk_p_len, &id, 1, maced_id);
	if (!err)
		err = ike_prf(in->prf, psk, psk_len, &pad, 1, padkey);
	signed_octets[0] = (struct ike_bytes){ in->msg, in->msg_len };
	signed_octets[1] = (struct ike_bytes){ in->nonce, in->nonce_len };
	signed_octets[2] = (struct ike_bytes){ maced_id, plen };
	if (!err)
		err = ike_prf(in->prf, padkey, plen, signed_octets, 3, out);
out:
	secure_zero(padkey, sizeof(padkey));
	secure_zero(maced_id, sizeof(maced_id));
	return err;
}

int ike_authpsk_verify(const struct ike_authpsk_in *in, const uint8_t *psk,
		       size_t psk_len, const uint8_t *auth, size_t auth_len)
{
	uint8_t want[IKE_PRF_LEN_MAX];
	size_t plen = in ? ike_prf_len(in->prf) : 0;
	int err;

	err = ike_authpsk_compute(in, psk, psk_len, want, plen);
	if (!err && (!auth || auth_len != plen || !ct_equal(want, auth, plen)))
		err = -EBADMSG;
	secure_zero(want, sizeof(want));
	return err;
}
