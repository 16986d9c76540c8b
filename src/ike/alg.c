/* SPDX-License-Identifier: MIT */
#include "ike/alg.h"

bool ike_encr_is_aead(enum ike_encr_alg encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_AES_CCM_8 ||
	       encr == IKE_ENCR_AES_CCM_16 ||
	       encr == IKE_ENCR_CHACHA20_POLY1305;
}

size_t ike_encr_salt_len(enum ike_encr_alg encr)
{
	switch (encr) {
	case IKE_ENCR_AES_GCM_16:
	case IKE_ENCR_CHACHA20_POLY1305:
		return 4;
	case IKE_ENCR_AES_CCM_8:
	case IKE_ENCR_AES_CCM_16:
		return 3;
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_NULL:
		break;
	}
	return 0;
}

size_t ike_encr_keymat_len(enum ike_encr_alg encr, unsigned key_bits)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_16:
	case IKE_ENCR_AES_CCM_8:
	case IKE_ENCR_AES_CCM_16:
		if (key_bits != 128 && key_bits != 256)
			return 0;
		return key_bits / 8 + ike_encr_salt_len(encr);
	case IKE_ENCR_CHACHA20_POLY1305:
		return key_bits == 256 ? 32 + ike_encr_salt_len(encr) : 0;
	case IKE_ENCR_NULL:
		break;
	}
	return 0;
}

size_t ike_integ_key_len(enum ike_integ_alg integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return 32;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return 48;
	case IKE_INTEG_HMAC_SHA2_512_256:
		return 64;
	case IKE_INTEG_NONE:
		break;
	}
	return 0;
}

size_t ike_integ_icv_len(enum ike_integ_alg integ)
{
	return ike_integ_key_len(integ) / 2;
}

bool ike_alg_pair_ok(enum ike_encr_alg encr, unsigned key_bits,
		     enum ike_integ_alg integ)
{
	if (encr == IKE_ENCR_NULL) /* no key; integrity carries it all */
		return !key_bits && ike_integ_key_len(integ) != 0;
	if (!ike_encr_keymat_len(encr, key_bits))
		return false;
	if (ike_encr_is_aead(encr))
		return integ == IKE_INTEG_NONE;
	return ike_integ_key_len(integ) != 0;
}
