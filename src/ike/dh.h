/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 key exchange (RFC 7296 §1.2, §3.4): an ephemeral private key for
 * one group, our public value for the KE payload, and the shared secret
 * g^ir from the peer's public value.
 *
 * Groups and their wire forms:
 *  14 MODP-2048 (RFC 3526 §3, generator 2): the public value and the shared
 *     secret are big-endian integers left-padded with zeros to 256 bytes
 *     (RFC 7296 §3.4, §2.14). The peer's value y must be in 2..p-2 and in
 *     the prime-order subgroup, y^q = 1 mod p with q = (p-1)/2 (NIST
 *     SP 800-56A §5.6.2.3.1), which every honest 2^x mod p is.
 *  19 ECP-256, 20 ECP-384 (RFC 5903 §7): the public value is x || y, each
 *     coordinate padded to the field size (64 or 96 bytes, no 0x04 prefix);
 *     the shared secret is x alone (32 or 48 bytes, RFC 5903 §7). The
 *     peer's point must lie on the curve and not be the point at infinity
 *     (RFC 5903 §7, SP 800-56A §5.6.2.3.3).
 *  31 Curve25519 (RFC 8031 §2): 32-byte public value and shared secret; an
 *     all-zero shared secret (the peer sent a low-order point) is refused
 *     (RFC 8031 §2.3, RFC 7748 §6.1).
 *
 * A struct ike_dh is written only by ike_dh_new*() and freed by
 * ike_dh_free(); between the two it is read-only, so one key may be used
 * from several threads at once. Private keys live inside OpenSSL EVP_PKEY
 * objects, which OpenSSL clears when they are freed; every shared-secret
 * buffer that passes through this module is wiped here.
 */
#ifndef TUNSEC_IKE_DH_H
#define TUNSEC_IKE_DH_H

#include <stddef.h>
#include <stdint.h>

/* Transform Type 4 identifiers (IANA "IKEv2 Transform Type 4"). */
enum ike_dh_group {
	IKE_DH_MODP_2048 = 14,
	IKE_DH_ECP_256 = 19,
	IKE_DH_ECP_384 = 20,
	IKE_DH_CURVE25519 = 31,
};

#define IKE_DH_PUBLIC_MAX 256
#define IKE_DH_SHARED_MAX 256

struct ike_dh;

/* Length of the public value in a KE payload for group: 256, 64, 96 or
 * 32; 0 for a group not implemented here. */
size_t ike_dh_public_len(enum ike_dh_group group);

/* Length of the shared secret g^ir: 256, 32, 48 or 32; 0 if unknown. */
size_t ike_dh_shared_len(enum ike_dh_group group);

/*
 * Make a fresh private key for group from OpenSSL's CSPRNG.
 * Returns 0 and sets *out (the caller owns it: ike_dh_free()), -EINVAL
 * for a group not implemented, -ENOMEM, or -EIO when the crypto library
 * fails. Thread-safe.
 */
int ike_dh_new(struct ike_dh **out, enum ike_dh_group group);

/*
 * FOR KNOWN-ANSWER TESTS ONLY: make a key from a fixed private value, so
 * that published vectors (RFC 7748 §6.1, RFC 5903 §8) can be checked. A
 * fixed private key has no forward secrecy; nothing outside test/ may call
 * this. priv is the X25519 scalar as 32 bytes (RFC 7748 §5), or a
 * big-endian integer for the ECP (field-size bytes) and MODP groups (1..256
 * bytes) that must lie in 1..order-1 (ECP) or 2..p-2 (MODP). The caller
 * keeps priv. Returns as ike_dh_new(), with -EINVAL for a value of the
 * wrong length or out of range.
 */
int ike_dh_new_fixed_for_test(struct ike_dh **out, enum ike_dh_group group,
			      const uint8_t *priv, size_t priv_len);

/* The group a key belongs to. */
enum ike_dh_group ike_dh_group_of(const struct ike_dh *dh);

/*
 * Copy our public value (ike_dh_public_len() bytes, the KE payload's Key
 * Exchange Data) to out, which holds out_len bytes. Returns 0, or -EINVAL
 * when out_len is not exactly the public length. The public value is not
 * secret. Thread-safe.
 */
int ike_dh_get_public(const struct ike_dh *dh, uint8_t *out, size_t out_len);

/*
 * Compute the shared secret g^ir from the peer's public value (untrusted
 * bytes from a KE payload, peer_len of them) into out (out_len bytes, which
 * must equal ike_dh_shared_len()). The peer's value is fully validated
 * first (see the list of groups above).
 * Returns 0; -EINVAL when out_len is wrong; -EBADMSG when the peer's value
 * is refused (wrong length, not on the curve, out of range, or an all-zero
 * X25519 result); -ENOMEM; -EIO when the crypto library fails otherwise.
 * On failure out is zeroed. The caller must wipe out once it is used.
 * Thread-safe for concurrent calls on the same dh.
 */
int ike_dh_compute_shared(const struct ike_dh *dh, const uint8_t *peer,
			  size_t peer_len, uint8_t *out, size_t out_len);

/* Free the key, wiping it. NULL is a no-op. */
void ike_dh_free(struct ike_dh *dh);

#endif
