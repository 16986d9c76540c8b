/* SPDX-License-Identifier: MIT */
/*
 * Protecting and unprotecting the body of an Encrypted payload (SK, RFC 7296
 * §3.14) or of an Encrypted Fragment payload (SKF, RFC 7383 §2.5). Framing
 * is the caller's: this module sees one buffer holding the whole message,
 *
 *   [ AAD ][ IV ][ inner payloads | Padding | Pad Length ][ ICV ]
 *   0      aad_len                                         end
 *
 * where the AAD is every byte from the start of the IKE header to the end of
 * the SK generic payload header (for SKF, to the end of its Total Fragments
 * field): RFC 5282 §5.1 for the AEADs; for AES-CBC the ICV covers the same
 * bytes plus the IV and the ciphertext (RFC 7296 §3.14). The caller fills
 * the header's Length fields before sealing, with ike_sk_body_len().
 *
 * Ciphers:
 *  AES-GCM-16, 128/256-bit (RFC 5282): 8-byte explicit IV, nonce = the
 *    4-byte salt from the key material || IV, 16-byte ICV, no padding.
 *  ChaCha20-Poly1305 (RFC 7634 §3, §2): the same shapes.
 *  AES-CBC-128/256 (RFC 3602) with HMAC-SHA2-256-128, -384-192 or
 *    -512-256 (RFC 4868): 16-byte random IV, padding to 16 bytes (zeros),
 *    ICV the truncated HMAC over AAD || IV || ciphertext.
 *
 * The IV: for the AEADs it is a 64-bit counter the caller supplies
 * (big-endian, RFC 5282 §3.1 and RFC 7634 §2 require only uniqueness per
 * key; the IKE Message ID of an SA's own direction is the natural choice,
 * and a retransmission re-sealed under the same ID must reuse exactly the
 * same bytes, i.e. send the stored packet). For AES-CBC the IV is random
 * (RAND_bytes) and the counter is ignored (RFC 7296 §3.14: unpredictable).
 *
 * A struct ike_sk holds one direction's keys (SK_ei/SK_ai to seal as
 * original initiator, etc.). It is immutable after ike_sk_new(), so seal and
 * open may run on it from several threads; keys are wiped by ike_sk_free().
 */
#ifndef TUNSEC_IKE_SK_H
#define TUNSEC_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

#include "ike/alg.h"

struct ike_sk;

/* Sizes a caller needs to lay out buffers for a cipher. */
struct ike_sk_overhead {
	size_t iv_len;    /* 8 (AEAD) or 16 (CBC) */
	size_t icv_len;   /* 16 (AEAD) or the integrity ICV length */
	size_t block_len; /* padded text is a multiple of this: 16 or 1 */
	size_t pad_max;   /* most Padding bytes added, Pad Length excluded */
	size_t total_max; /* iv_len + pad_max + 1 + icv_len */
};

/*
 * Fill *out for encr (key_bits) with integ. Returns 0, or -EINVAL when the
 * pairing is not one ike_sk_new() accepts (see ike_alg_pair_ok(); AES-CCM
 * is for ESP only). Pure; thread-safe.
 */
int ike_sk_overhead(enum ike_encr_alg encr, unsigned key_bits,
		    enum ike_integ_alg integ, struct ike_sk_overhead *out);

/*
 * Make a context for one direction from its encryption key material (key
 * || salt, ike_encr_keymat_len() bytes: SK_ei or SK_er) and integrity key
 * (ike_integ_key_len() bytes: SK_ai or SK_ar; NULL and 0 with an AEAD).
 * The keys are copied; the caller may wipe its own copies at once.
 * Returns 0 and sets *out (free with ike_sk_free()), -EINVAL for a bad
 * pairing or key length, -ENOTSUP when no AEAD engine passed its
 * self-test, -ENOMEM. Thread-safe.
 */
int ike_sk_new(struct ike_sk **out, enum ike_encr_alg encr, unsigned key_bits,
	       enum ike_integ_alg integ, const uint8_t *encr_key,
	       size_t encr_key_len, const uint8_t *integ_key,
	       size_t integ_key_len);

/* Wipe and free. NULL is a no-op. */
void ike_sk_free(struct ike_sk *sk);

/* The overhead of sk's cipher (as ike_sk_overhead()). */
const struct ike_sk_overhead *ike_sk_get_overhead(const struct ike_sk *sk);

/* Bytes after the AAD once inner_len bytes are sealed: IV, the padded
 * text with its Pad Length, ICV. Exact, for the Length fields. */
size_t ike_sk_body_len(const struct ike_sk *sk, size_t inner_len);

/*
 * Seal in place. buf holds cap bytes laid out as above: the AAD in
 * [0, aad_len) (its Length fields already final), the inner payloads at
 * [aad_len + iv_len, + inner_len); room up to cap. Writes the IV (counter
 * for the AEADs, random for CBC), padding, Pad Length, encrypts, and
 * appends the ICV; *msg_len is then aad_len + ike_sk_body_len().
 * Returns 0; -EMSGSIZE when cap is too small; -EINVAL for NULL pointers;
 * -EIO when the crypto library or RAND_bytes fails (buf's body then
 * wiped). Thread-safe on a shared sk; buf is the caller's.
 */
int ike_sk_seal(const struct ike_sk *sk, uint8_t *buf, size_t cap,
		size_t aad_len, size_t inner_len, uint64_t counter,
		size_t *msg_len);

/*
 * Open in place. buf holds msg_len bytes of an untrusted message whose AAD
 * is its first aad_len bytes. The ICV is checked (constant time) before
 * anything is decrypted or released; then the Pad Length.
 * Returns 0 and sets *inner_off, *inner_len to the inner payloads within
 * buf; or, with nothing released:
 *  -EMSGSIZE  the body is shorter than IV + ICV + one block, or the CBC
 *             ciphertext is not a multiple of 16 bytes;
 *  -EBADMSG   the ICV does not verify (wrong key, altered message);
 *  -EPROTO    the Pad Length points before the start of the text;
 *  -EINVAL    NULL pointers or aad_len > msg_len; -EIO (library failure).
 * On every failure but -EINVAL the body, buf[aad_len, msg_len), is
 * zeroed; the AAD is never changed. Thread-safe on a shared sk.
 */
int ike_sk_open(const struct ike_sk *sk, uint8_t *buf, size_t msg_len,
		size_t aad_len, size_t *inner_off, size_t *inner_len);

#endif
