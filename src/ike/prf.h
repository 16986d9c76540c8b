/* SPDX-License-Identifier: MIT */
/*
 * The IKEv2 pseudo-random functions (RFC 7296 §2.13) over HMAC-SHA2
 * (RFC 4868 §2.1): prf(K, S) and the key-stretching prf+(K, S).
 *
 * Every function here is pure: no state is kept between calls, so all are
 * safe to call from any thread. Inputs are given as a list of byte ranges
 * (struct ike_bytes) that are hashed as their concatenation, so callers
 * never build "Ni | Nr | SPIi | SPIr" in a buffer of their own. Outputs are
 * secret: callers wipe them with secure_zero() (util/secure.h).
 */
#ifndef TUNSEC_IKE_PRF_H
#define TUNSEC_IKE_PRF_H

#include <stddef.h>
#include <stdint.h>

/* Transform Type 2 identifiers (IANA "IKEv2 Transform Type 2"). */
enum ike_prf_alg {
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

#define IKE_PRF_LEN_MAX 64          /* largest prf output (SHA-512) */
#define IKE_PRF_PLUS_BLOCKS_MAX 255 /* RFC 7296 §2.13: the counter is one octet */

/* One piece of a concatenated input. p may be NULL when len is 0. */
struct ike_bytes {
	const uint8_t *p;
	size_t len;
};

/* Output length of prf in bytes, which is also its preferred key length
 * (RFC 4868 §2.1.1): 32, 48 or 64; 0 for an algorithm not implemented. */
size_t ike_prf_len(enum ike_prf_alg alg);

/* The most prf+ can produce: 255 prf outputs; 0 for an unknown alg. */
size_t ike_prf_plus_max(enum ike_prf_alg alg);

/*
 * out = prf(key, in[0] | in[1] | ... | in[n - 1]); ike_prf_len(alg) bytes
 * are written to out. Any key length of at least one byte is taken (HMAC
 * hashes long keys, RFC 2104 §2).
 * Returns 0; -EINVAL for an unknown alg, an empty key or a NULL piece with
 * a length; -EIO when the crypto library fails. On failure out is zeroed.
 * Nothing is kept; thread-safe.
 */
int ike_prf(enum ike_prf_alg alg, const uint8_t *key, size_t key_len,
	    const struct ike_bytes *in, size_t n, uint8_t *out);

/*
 * out = the first out_len bytes of prf+(key, S), S = in[0] | ... | in[n-1]
 * (RFC 7296 §2.13):
 *   T1 = prf(K, S | 0x01), Tk = prf(K, T(k-1) | S | k), out = T1 | T2 | ...
 * out_len may be 0..ike_prf_plus_max(alg); beyond that the RFC's 255-block
 * limit is reached and the call fails with -EINVAL, as it does for the
 * reasons of ike_prf(); -EIO when the crypto library fails. On failure out
 * (out_len bytes) is zeroed. out must not overlap the inputs. Thread-safe.
 */
int ike_prf_plus(enum ike_prf_alg alg, const uint8_t *key, size_t key_len,
		 const struct ike_bytes *in, size_t n, uint8_t *out,
		 size_t out_len);

#endif
