/* SPDX-License-Identifier: MIT */
/*
 * Digital Signature authentication, AUTH method 14 (RFC 7427 §3):
 *
 *   Authentication Data = ASN.1 Length (1 octet) | AlgorithmIdentifier
 *                         (DER) | Signature Value
 *
 * signed over the same octets as a shared key (RFC 7296 §2.15):
 * RealMessage | Nonce(peer) | prf(SK_p, RestOfIDPayload), which the engine
 * assembles. For ECDSA the Signature Value is the DER Ecdsa-Sig-Value
 * (RFC 7427 §3, RFC 3279 §2.2.3); for RSA it is the RSASSA-PSS or
 * RSASSA-PKCS1-v1_5 signature (RFC 8017 §8).
 *
 * The algorithm table (authsig.c) holds the AlgorithmIdentifiers tunsec
 * sends and accepts: ecdsa-with-SHA256/384/512 (RFC 7427 A.3.2-A.3.4),
 * RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (A.4.3), and
 * sha256/384/512WithRSAEncryption (A.1.2-A.1.4). RSASSA-PSS is sent in
 * DER (the DEFAULT trailerField left out, as RFC 4055 §3.1 and X.690 want)
 * and also accepted as A.4.3 prints it (trailerField written out).
 * Identifiers are compared byte for byte: the DER is never parsed.
 *
 * The private key never lives in the process that calls ike_authsig_sign:
 * the signature comes from a callback (in tunsecd: the keys process,
 * ike/keyproc.h). ike_authsig_sign_key() is the one signing primitive; the
 * keys process runs it.
 *
 * Everything here is pure and thread-safe: the table is constant and
 * OpenSSL contexts are made per call. Keys are the caller's and are only
 * read.
 */
#ifndef TUNSEC_IKE_AUTHSIG_H
#define TUNSEC_IKE_AUTHSIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "ike/msg.h"

/* Largest Signature Value: RSA 4096 (512 bytes); ECDSA P-521 is 139. */
#define IKE_AUTHSIG_SIG_MAX 512
/* Largest AlgorithmIdentifier in the table (RSASSA-PSS as A.4.3 prints
 * it); the wire allows 255 (one length octet). */
#define IKE_AUTHSIG_ALGID_MAX 72
/* Smallest RSA modulus signed with or accepted (RFC 8247 §3.2). */
#define IKE_AUTHSIG_RSA_BITS_MIN 2048

/* How a hash becomes a signature. */
enum ike_sig_scheme {
	IKE_SIG_ECDSA = 1,       /* DER Ecdsa-Sig-Value; P-256/384/521 keys */
	IKE_SIG_RSA_PSS = 2,     /* MGF1 with the same hash, salt = hash len */
	IKE_SIG_RSA_PKCS1 = 3,   /* RSASSA-PKCS1-v1_5 */
};

/* One AlgorithmIdentifier of the table. */
struct ike_authsig_alg {
	const char *name;        /* for logs: "ecdsa-with-SHA256" ... */
	uint16_t hash;           /* IKE_HASH_SHA2_256/384/512 (RFC 7427 §4) */
	uint8_t scheme;          /* enum ike_sig_scheme */
	const uint8_t *der;      /* the AlgorithmIdentifier as sent */
	size_t der_len;
};

/*
 * The signer: put the signature of octets (len bytes) with hash and scheme
 * into sig (cap bytes) and its length into *sig_len. Returns 0 or -errno
 * (passed on). In tunsecd it asks the keys process (keyproc_sign()).
 */
typedef int (*ike_authsig_sign_fn)(void *ctx, uint16_t hash,
				   enum ike_sig_scheme scheme,
				   const uint8_t *octets, size_t len,
				   uint8_t *sig, size_t cap, size_t *sig_len);

/* The algorithms this side sends, n set to their count; constant. */
const struct ike_authsig_alg *ike_authsig_algs(size_t *n);

/* The table entry whose AlgorithmIdentifier is der (untrusted, len
 * bytes), accepting RFC 7427 A.4.3's spelling of RSASSA-PSS too; NULL when
 * there is none. */
const struct ike_authsig_alg *ike_authsig_find(const uint8_t *der,
					       size_t len);

/*
 * The algorithm to sign with key (our own; only its public half is read,
 * so the certificate's key does) given the hashes the peer announced in
 * SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4; hashes[0..n-1], host order):
 * ECDSA with the hash that matches the curve (SHA-256 for P-256, SHA-384
 * for P-384, SHA-512 for P-521) or else the strongest one announced; RSA:
 * RSASSA-PSS with SHA-256, or else sha512 then sha384WithRSAEncryption.
 * NULL when the key is of another kind or too weak, or nothing announced
 * fits (method 14 cannot be used then).
 */
const struct ike_authsig_alg *ike_authsig_choose(const EVP_PKEY *key,
						 const uint16_t *hashes,
						 size_t n);

/*
 * The signing primitive: sign octets (1..len bytes) with the private key
 * key, hash and scheme into sig (cap bytes; EVP_PKEY_get_size(key) is
 * enough), setting *sig_len. Returns 0; -EINVAL for a bad argument or an
 * unknown hash or scheme; -EKEYREJECTED when the scheme does not fit the
 * key (ECDSA needs an EC key on P-256/384/521, RSA schemes an RSA key of
 * at least IKE_AUTHSIG_RSA_BITS_MIN bits); -ENOSPC when cap is short; -EIO
 * when OpenSSL fails. sig is zeroed on failure.
 */
int ike_authsig_sign_key(EVP_PKEY *key, uint16_t hash,
			 enum ike_sig_scheme scheme, const uint8_t *octets,
			 size_t len, uint8_t *sig, size_t cap,
			 size_t *sig_len);

/*
 * Authentication Data from alg and a signature made elsewhere (by the
 * keys process; sig_len 1..IKE_AUTHSIG_SIG_MAX bytes) into out (cap bytes), *out_len
 * set. 0; -EINVAL for a bad argument; -ENOSPC when cap is short.
 */
int ike_authsig_build(const struct ike_authsig_alg *alg, const uint8_t *sig,
		      size_t sig_len, uint8_t *out, size_t cap,
		      size_t *out_len);

/*
 * Authentication Data for octets (len bytes): sign through sign(ctx, ...)
 * with alg's hash and scheme and build it into out (cap bytes; 1 +
 * IKE_AUTHSIG_ALGID_MAX + IKE_AUTHSIG_SIG_MAX is always enough), *out_len
 * set. Returns 0, -EINVAL, -ENOSPC, or the signer's error (out is then
 * zeroed).
 */
int ike_authsig_sign(const struct ike_authsig_alg *alg,
		     ike_authsig_sign_fn sign, void *ctx,
		     const uint8_t *octets, size_t len, uint8_t *out,
		     size_t cap, size_t *out_len);

/*
 * Verify the peer's method-14 data s (split by ike_decode_auth_sig();
 * untrusted) over octets (len bytes) with the peer's public key peer (from
 * its verified certificate). Returns 0 when it verifies; -EACCES when it
 * does not, with *reason (may be NULL; a constant string) saying why:
 * "unsupported signature algorithm", "algorithm does not fit the key",
 * "key too weak", "bad signature"; -EINVAL for a missing argument.
 */
int ike_authsig_verify(const struct ike_auth_sig *s, const uint8_t *octets,
		       size_t len, EVP_PKEY *peer, const char **reason);

#endif
