/* SPDX-License-Identifier: MIT */
/*
 * The AUTH payload value for shared-key authentication, Auth Method 2
 * "Shared Key Message Integrity Code" (RFC 7296 §2.15):
 *
 *   AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 *   SignedOctets = RealMessage | Nonce(peer) | prf(SK_p, RestOfIDPayload)
 *
 * For the initiator's AUTH: RealMessage is its IKE_SA_INIT request as sent,
 * the nonce the responder's Nr, SK_p SK_pi and the ID the IDi payload; for
 * the responder's AUTH: its IKE_SA_INIT response, Ni, SK_pr and IDr. The
 * key pad is the 17 ASCII octets without a terminating NUL.
 *
 * Pure functions; thread-safe. The intermediate keyed values are wiped.
 */
#ifndef TUNSEC_IKE_AUTHPSK_H
#define TUNSEC_IKE_AUTHPSK_H

#include <stddef.h>
#include <stdint.h>

#include "ike/prf.h"

/* The signed octets' parts; all pointers are the caller's, none kept. */
struct ike_authpsk_in {
	enum ike_prf_alg prf;
	const uint8_t *msg;   /* RealMessage: the whole IKE_SA_INIT message */
	size_t msg_len;
	const uint8_t *nonce; /* the peer's Nonce Data, no payload header */
	size_t nonce_len;
	const uint8_t *sk_p;  /* SK_pi or SK_pr, ike_prf_len(prf) bytes */
	size_t sk_p_len;
	const uint8_t *id;    /* RestOfIDPayload: ID Type | RESERVED | data,
			       * the ID payload after its generic header */
	size_t id_len;
};

/*
 * Compute AUTH for in with the shared secret psk into out (out_len bytes,
 * which must equal ike_prf_len(in->prf)). Returns 0; -EINVAL for a missing
 * part, an empty psk or message, or a wrong out_len; -EIO when the crypto
 * library fails (out is then zeroed). The caller keeps psk.
 */
int ike_authpsk_compute(const struct ike_authpsk_in *in, const uint8_t *psk,
			size_t psk_len, uint8_t *out, size_t out_len);

/*
 * Check the peer's Authentication Data auth (untrusted, auth_len bytes)
 * against the value computed for in and psk; the compare is constant time.
 * Returns 0 when they match; -EBADMSG when they differ or auth_len is not
 * ike_prf_len(in->prf); -EINVAL or -EIO as ike_authpsk_compute().
 */
int ike_authpsk_verify(const struct ike_authpsk_in *in, const uint8_t *psk,
		       size_t psk_len, const uint8_t *auth, size_t auth_len);

#endif
