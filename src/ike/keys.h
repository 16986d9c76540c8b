/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 key derivation: the IKE SA's seven keys (RFC 7296 §2.14), their
 * rekeyed successors (§2.18), and Child SA keying material (§2.17).
 *
 * All functions are pure (no state), thread-safe, and wipe every
 * intermediate (SKEYSEED, the prf+ stream) before returning. Inputs:
 *  Ni, Nr     nonces stripped of their payload headers, 16..256 bytes each
 *             (RFC 7296 §3.9);
 *  SPIi, SPIr the 8-byte IKE SPIs as on the wire;
 *  g^ir       the shared secret from ike_dh_compute_shared(), in the
 *             group's padded form (RFC 7296 §2.14).
 */
#ifndef TUNSEC_IKE_KEYS_H
#define TUNSEC_IKE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "ike/alg.h"
#include "ike/prf.h"

/* The same bounds as IKE_SPI_LEN, IKE_NONCE_MIN/MAX in ike/wire.h, named
 * apart so that this header stands alone. */
#define IKE_KEYS_SPI_LEN 8
#define IKE_KEYS_NONCE_MIN 16  /* RFC 7296 §3.9 */
#define IKE_KEYS_NONCE_MAX 256

/* The transforms an IKE SA negotiated (its key exchange group is not
 * needed here). encr_key_bits is the Key Length attribute (128 or 256;
 * 256 for ChaCha20-Poly1305); integ is IKE_INTEG_NONE with an AEAD. */
struct ike_suite {
	enum ike_encr_alg encr;
	unsigned encr_key_bits;
	enum ike_integ_alg integ;
	enum ike_prf_alg prf;
};

/*
 * An IKE SA's keys. Lengths: SK_d, SK_pi, SK_pr are the prf's preferred
 * key length, ike_prf_len() (§2.14); SK_ai, SK_ar ike_integ_key_len()
 * (0 with an AEAD: there are none, RFC 5282 §7.1); SK_ei, SK_er
 * ike_encr_keymat_len(), the key followed by the salt for AEADs (4 bytes
 * for AES-GCM, RFC 5282 §7.1; 4 for ChaCha20-Poly1305, RFC 7634 §3).
 * SK_ai and SK_ei protect what the original initiator sends, SK_ar and
 * SK_er what the original responder sends. Only ike_keys_derive() and
 * ike_keys_rekey() make one; only ike_keys_free() frees one, wiping it.
 * Read-only after creation; may be read from several threads.
 */
struct ike_keys {
	struct ike_suite suite;
	size_t prf_len, integ_len, encr_len;
	uint8_t sk_d[IKE_PRF_LEN_MAX];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX], sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX], sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_LEN_MAX], sk_pr[IKE_PRF_LEN_MAX];
};

/* Whether suite names transforms implemented here (ike_alg_pair_ok(), a
 * known prf); AES-CCM is accepted (its keys are derivable). */
bool ike_suite_ok(const struct ike_suite *suite);

/*
 * The IKE SA keys after IKE_SA_INIT (RFC 7296 §2.14):
 *   SKEYSEED = prf(Ni | Nr, g^ir)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *       = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * Returns 0 and sets *out (the caller owns it: ike_keys_free()); -EINVAL
 * for an unknown suite, a nonce outside 16..256 bytes or an empty g^ir;
 * -ENOMEM; -EIO when the crypto library fails.
 */
int ike_keys_derive(struct ike_keys **out, const struct ike_suite *suite,
		    const uint8_t *g_ir, size_t g_ir_len,
		    const uint8_t *ni, size_t ni_len,
		    const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[IKE_KEYS_SPI_LEN],
		    const uint8_t spi_r[IKE_KEYS_SPI_LEN]);

/*
 * The keys of the IKE SA that replaces old in a CREATE_CHILD_SA exchange
 * (RFC 7296 §2.18):
 *   SKEYSEED = prf_old(SK_d (old), g^ir (new) | Ni | Nr)
 * with the old SA's prf ("the rekeying exchange belongs to the old IKE
 * SA"), then the seven keys as in §2.14 with the new suite's prf, the new
 * nonces and the new SPIs (from the SA payloads' Proposals). g^ir is
 * mandatory: an IKE SA rekey always runs a key exchange (§2.18).
 * Returns as ike_keys_derive(). old is only read.
 */
int ike_keys_rekey(struct ike_keys **out, const struct ike_keys *old,
		   const struct ike_suite *suite,
		   const uint8_t *g_ir, size_t g_ir_len,
		   const uint8_t *ni, size_t ni_len,
		   const uint8_t *nr, size_t nr_len,
		   const uint8_t spi_i[IKE_KEYS_SPI_LEN],
		   const uint8_t spi_r[IKE_KEYS_SPI_LEN]);

/* Wipe and free. NULL is a no-op. */
void ike_keys_free(struct ike_keys *keys);

/* The transforms of a Child SA (ESP): integ is IKE_INTEG_NONE with an
 * AEAD. */
struct ike_child_suite {
	enum ike_encr_alg encr;
	unsigned encr_key_bits;
	enum ike_integ_alg integ;
};

/*
 * A Child SA's keys, both directions. ESP keys for AEADs carry their salt
 * after the key (AES-GCM and ChaCha20-Poly1305: 4 bytes, RFC 4106 §8.1,
 * RFC 7634 §2; AES-CCM: 3 bytes, RFC 4309 §7.1), which is the form
 * crypto/aead.h and `tunsec esp --key` take. Wipe with
 * ike_child_keys_wipe() before it goes out of scope.
 *
 * KEYMAT is consumed in this order (RFC 7296 §2.17: every key of the SA
 * from initiator to responder before those of the SA back; within one SA
 * the encryption key first, then the integrity key, as RFC 4301 orders
 * them for ESP):
 *   i2r_encr (encr_len) | i2r_integ (integ_len) |
 *   r2i_encr (encr_len) | r2i_integ (integ_len)
 * i2r: the inbound SA of the responder, the outbound SA of the initiator.
 */
struct ike_child_keys {
	size_t encr_len, integ_len;
	uint8_t i2r_encr[IKE_ENCR_KEY_MAX], i2r_integ[IKE_INTEG_KEY_MAX];
	uint8_t r2i_encr[IKE_ENCR_KEY_MAX], r2i_integ[IKE_INTEG_KEY_MAX];
};

/*
 * Child SA keying material (RFC 7296 §2.17):
 *   KEYMAT = prf+(SK_d, Ni | Nr)            without a key exchange
 *   KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr) with one (g_ir non-NULL)
 * using ike's prf and SK_d; Ni, Nr from the exchange creating the Child SA
 * (IKE_AUTH: the IKE_SA_INIT nonces). Returns 0 and fills *out; -EINVAL
 * for an unknown child suite or a bad nonce length; -EIO. On failure *out
 * is wiped.
 */
int ike_keys_child(const struct ike_keys *ike,
		   const struct ike_child_suite *suite,
		   const uint8_t *g_ir, size_t g_ir_len,
		   const uint8_t *ni, size_t ni_len,
		   const uint8_t *nr, size_t nr_len,
		   struct ike_child_keys *out);

/* Zero a Child SA key set. */
void ike_child_keys_wipe(struct ike_child_keys *keys);

#endif
