/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 encryption and integrity transforms: their IANA identifiers and the
 * key, salt, IV and ICV sizes the key derivation (ike/keys.h) and the
 * Encrypted payload (ike/sk.h) need. A table, no state; thread-safe.
 *
 * The PRF identifiers are in ike/prf.h, the key-exchange groups in
 * ike/dh.h.
 */
#ifndef TUNSEC_IKE_ALG_H
#define TUNSEC_IKE_ALG_H

#include <stdbool.h>
#include <stddef.h>

/* Transform Type 1 identifiers (IANA "IKEv2 Transform Type 1"). */
enum ike_encr_alg {
	IKE_ENCR_AES_CBC = 12,          /* RFC 3602; Key Length 128 or 256 */
	IKE_ENCR_NULL = 11,             /* RFC 2410: ESP integrity only */
	IKE_ENCR_AES_CCM_8 = 14,        /* RFC 4309, 8-byte ICV; ESP only */
	IKE_ENCR_AES_CCM_16 = 16,       /* RFC 4309; ESP only here */
	IKE_ENCR_AES_GCM_16 = 20,       /* RFC 4106, RFC 5282 */
	IKE_ENCR_CHACHA20_POLY1305 = 28, /* RFC 7634; 256-bit key only */
};

/* Transform Type 3 identifiers (IANA "IKEv2 Transform Type 3"). */
enum ike_integ_alg {
	IKE_INTEG_NONE = 0,               /* with an AEAD cipher */
	IKE_INTEG_HMAC_SHA2_256_128 = 12, /* RFC 4868 */
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

#define IKE_ENCR_KEY_MAX 36   /* AES-256 key || 4-byte salt */
#define IKE_INTEG_KEY_MAX 64  /* HMAC-SHA2-512-256 */
#define IKE_INTEG_ICV_MAX 32

/* Whether encr is an AEAD (integrity built in; no INTEG transform). */
bool ike_encr_is_aead(enum ike_encr_alg encr);

/* Bytes of key material the cipher takes from a key derivation for a Key
 * Length attribute of key_bits: the key, then for AEADs the salt (4 bytes
 * for AES-GCM, RFC 4106 §8.1 and RFC 5282 §7.1; 4 for ChaCha20-Poly1305,
 * RFC 7634 §3; 3 for AES-CCM, RFC 4309 §7.1). 0 when the combination is
 * not one implemented here (key_bits other than 128/256; ChaCha20 other
 * than 256). */
size_t ike_encr_keymat_len(enum ike_encr_alg encr, unsigned key_bits);

/* The salt at the end of that key material: 4, 3 or 0 bytes. */
size_t ike_encr_salt_len(enum ike_encr_alg encr);

/* Key length of the integrity algorithm (RFC 4868 §2.1: 32, 48, 64), and
 * its truncated ICV length (16, 24, 32); 0 for IKE_INTEG_NONE or unknown. */
size_t ike_integ_key_len(enum ike_integ_alg integ);
size_t ike_integ_icv_len(enum ike_integ_alg integ);

/* Whether encr (key_bits) with integ is a valid pairing: an AEAD with
 * IKE_INTEG_NONE, any other cipher with a real integrity algorithm
 * (RFC 7296 §3.3.3, RFC 5282 §8). */
bool ike_alg_pair_ok(enum ike_encr_alg encr, unsigned key_bits,
		     enum ike_integ_alg integ);

#endif
