/* SPDX-License-Identifier: MIT */
/*
 * X.509 certificates for IKEv2 authentication (RFC 7296 §3.6, §3.7;
 * RFC 4945 profile): the trusted CAs, this host's certificate, the peer's
 * certificate from a CERT payload (encoding 4, "X.509 Certificate -
 * Signature"), chain verification at a given time, matching a certificate
 * to an IKE identity, and the CERTREQ value naming the trusted CAs.
 *
 * Certificates and CA stores are public data; no private key is read here
 * (the keys process holds them, ike/keyproc.h).
 *
 * Thread-safety: a store or certificate is built by one thread; once built
 * it may be read (verify, match, certreq) from any thread. The functions
 * keep nothing between calls.
 */
#ifndef TUNSEC_IKE_CERT_H
#define TUNSEC_IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#define IKE_CERT_CAS_MAX 64        /* trusted CAs in one store */
#define IKE_CERT_FILE_MAX 8        /* certificates in one PEM file */
#define IKE_CERT_DER_MAX 65000     /* one certificate (a CERT payload) */
#define IKE_CERT_CHAIN_MAX 4       /* intermediates the peer may send */
#define IKE_CERT_SHA1_LEN 20       /* one CERTREQ CA value (§3.7) */

/* One certificate, parsed, with the DER it came from (to send in a CERT
 * payload). */
struct ike_x509;

/* The trusted CAs (trust anchors) of one configuration. */
struct ike_cert_store;

/* An empty store; NULL when out of memory. */
struct ike_cert_store *ike_cert_store_new(void);

/* Free st and everything in it; NULL is a no-op. */
void ike_cert_store_free(struct ike_cert_store *st);

/*
 * Trust every certificate of the PEM file path (1..IKE_CERT_FILE_MAX of
 * them; each must be a CA: basicConstraints cA TRUE). All or nothing: on
 * failure st is as it was (but for -ENOMEM from OpenSSL midway, after
 * which the store should be freed). Returns 0; -errno of opening the file; -EBADMSG
 * when it holds no certificate, too many or one that does not parse;
 * -EINVAL when one is not a CA; -E2BIG past IKE_CERT_CAS_MAX; -ENOMEM.
 */
int ike_cert_store_add_file(struct ike_cert_store *st, const char *path);

/* How many CAs st trusts. */
unsigned ike_cert_store_count(const struct ike_cert_store *st);

/*
 * The Certification Authority data of a CERTREQ payload (RFC 7296 §3.7):
 * for each trusted CA in the order added, the SHA-1 hash of its
 * SubjectPublicKeyInfo (DER), concatenated, into out (cap bytes); *len
 * set to IKE_CERT_SHA1_LEN * count. Returns 0; -ENOSPC when cap is short;
 * -ENOENT when st is empty; -EIO when OpenSSL fails.
 */
int ike_cert_store_certreq(const struct ike_cert_store *st, uint8_t *out,
			   size_t cap, size_t *len);

/*
 * Read this host's certificates from the PEM file path: out[0] its own,
 * out[1..] intermediates to send along, *n set (at most max, which is at
 * least 1). The caller frees each with ike_cert_free(). Returns 0;
 * -errno of opening; -EBADMSG for no certificate, more than max, or one
 * that does not parse; -ENOMEM. Nothing is left allocated on failure.
 */
int ike_cert_load(const char *path, struct ike_x509 **out, unsigned max,
		  unsigned *n);

/*
 * Parse the Certificate Data of a CERT payload of encoding 4 (untrusted:
 * der, len bytes): exactly one DER certificate, nothing after it. Returns
 * 0 with *out set (the caller frees it); -EBADMSG when it does not parse,
 * is empty, longer than IKE_CERT_DER_MAX or followed by bytes; -ENOMEM.
 */
int ike_cert_parse(const uint8_t *der, size_t len, struct ike_x509 **out);

/* Free c; NULL is a no-op. */
void ike_cert_free(struct ike_x509 *c);

/* c's DER (valid while c lives), *len its length. */
const uint8_t *ike_cert_der(const struct ike_x509 *c, size_t *len);

/* c's public key, owned by c (valid while c lives); for
 * ike_authsig_verify() and ike_authsig_choose(). */
EVP_PKEY *ike_cert_pubkey(const struct ike_x509 *c);

/*
 * Verify leaf up to a CA of st through the untrusted intermediates
 * inter[0..n-1] (n <= IKE_CERT_CHAIN_MAX, in any order) at time now:
 * signatures, validity periods, CA constraints (X.509 strict mode). No
 * revocation check. Returns 0 when it chains; -EACCES when it does not,
 * with *reason (may be NULL; a constant string): "certificate expired",
 * "certificate not yet valid", "untrusted issuer", "bad certificate
 * signature", or OpenSSL's text for anything else; -EINVAL for a bad
 * argument; -ENOMEM.
 */
int ike_cert_verify(const struct ike_cert_store *st,
		    const struct ike_x509 *leaf,
		    struct ike_x509 *const *inter, unsigned n, time_t now,
		    const char **reason);

/*
 * Whether c names the IKE identity of type (IKE_ID_*) with data
 * (untrusted, len bytes, the ID payload's Identification Data), as
 * RFC 4945 §3.1 reads them:
 *   FQDN          a subjectAltName dNSName, ASCII case-insensitive
 *   RFC822_ADDR   a subjectAltName rfc822Name: local part exact, domain
 *                 case-insensitive
 *   IPV4_ADDR     a subjectAltName iPAddress of 4 equal octets
 *   IPV6_ADDR     one of 16 equal octets
 *   DER_ASN1_DN   the subject Name, DER equal byte for byte
 * No wildcards, no fallback to the subject's CN; any other type is false.
 */
bool ike_cert_matches_id(const struct ike_x509 *c, uint8_t type,
			 const uint8_t *data, size_t len);

#endif
