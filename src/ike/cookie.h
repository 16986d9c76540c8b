/* SPDX-License-Identifier: MIT */
/*
 * Stateless cookies (RFC 7296 §2.6) and the bound on half-open IKE SAs per
 * source address: what the responder does with an IKE_SA_INIT request
 * before it keeps any state for it.
 *
 * A cookie is <version> | MAC, RFC 7296 §2.6's suggested form
 * "<VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>)" with HMAC-SHA-256
 * keyed by the secret and cut to IKE_COOKIE_MAC_LEN bytes:
 *
 *   MAC = HMAC-SHA-256(secret, version | family | SPIi | len(Ni) | Ni | IPi)
 *
 * version (one byte) names the secret; family is 4 or 6; SPIi is 8 bytes
 * and len(Ni) 2 bytes, big-endian; IPi is the 4 or 16 address bytes. The
 * family and nonce length make the input unambiguous (without them a
 * 32-byte nonce and an IPv4 address would read as a 20-byte nonce and an
 * IPv6 address, and a cookie earned from an IPv6 address could stand for
 * a spoofed IPv4 one). The source port is not bound: a NAT may change it.
 *
 * The secret changes every IKE_COOKIE_SECRET_MS; the one before stays
 * valid until the next change, so a cookie made just before a change is
 * still taken (it lives between one and two periods). Secrets come from
 * env.random, live in struct ike and are wiped when replaced.
 *
 * The responder's policy (RFC 7296 §2.6 leaves the trigger to the
 * implementation):
 *  - while fewer than IKE_COOKIE_THRESHOLD responder SAs are half-open, and
 *    the source holds fewer than IKE_COOKIE_PER_SOURCE of them, no cookie
 *    is needed; a request carrying one that does not verify is taken as
 *    if it carried none (§2.6: "MUST ignore the cookie");
 *  - otherwise a request needs a valid COOKIE notification as its first
 *    payload; without one it is answered with N(COOKIE) alone (SPIr 0) and
 *    nothing is kept;
 *  - a source already holding IKE_HALF_OPEN_PER_SOURCE half-open SAs is
 *    refused (dropped, counted as IKE_DROP_HALF_OPEN) even with a valid
 *    cookie: a cookie proves the address, and the bound per proven address
 *    bounds what one attacker holds. The per-source cookie trigger below it
 *    keeps an off-path attacker who spoofs a peer's address (and so never
 *    sees the cookies) from filling that peer's quota: it gets
 *    IKE_COOKIE_PER_SOURCE at most, the peer the rest.
 * IKE_HALF_OPEN_MAX (ike.h) still bounds the whole table.
 *
 * Single-threaded, as the whole engine (ike.h).
 */
#ifndef TUNSEC_IKE_COOKIE_H
#define TUNSEC_IKE_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

/* Half-open responder SAs at which every request must carry a cookie. */
#define IKE_COOKIE_THRESHOLD 32
/* Half-open SAs from one address at which that address must carry one. */
#define IKE_COOKIE_PER_SOURCE 2
/* Half-open SAs from one address past which its requests are dropped. */
#define IKE_HALF_OPEN_PER_SOURCE 8
/* How long one secret makes cookies; it verifies them for twice that. */
#define IKE_COOKIE_SECRET_MS 60000
#define IKE_COOKIE_SECRET_LEN 32
#define IKE_COOKIE_MAC_LEN 16
#define IKE_COOKIE_LEN (1 + IKE_COOKIE_MAC_LEN) /* version | MAC */

_Static_assert(IKE_COOKIE_THRESHOLD < IKE_HALF_OPEN_MAX,
	       "cookies must come in before the table is full");
_Static_assert(IKE_COOKIE_PER_SOURCE < IKE_HALF_OPEN_PER_SOURCE,
	       "a spoofer must not fill a peer's quota");
_Static_assert(IKE_COOKIE_LEN <= IKE_COOKIE_MAX, "RFC 7296 §2.6: 1-64");
_Static_assert(IKE_COOKIE_SECRET_LEN == sizeof(((struct ike *)0)->cookie.cur),
	       "struct ike holds the secrets");

/* What a cookie binds (§2.6): the initiator's SPI, address and nonce.
 * ni points into the request; nothing is kept. */
struct ike_cookie_req {
	uint64_t spi_i;
	struct ip_addr ip;
	const uint8_t *ni;
	size_t ni_len;            /* IKE_NONCE_MIN..IKE_NONCE_MAX */
};

/*
 * Our cookie for req, made with the current secret (changed first when its
 * time is up), into out. 0; -EINVAL for a nonce length out of range or an
 * address family other than AF_INET/AF_INET6; -EIO when the crypto library
 * fails (out is then zeroed).
 */
int ike_cookie_make(struct ike *ike, const struct ike_cookie_req *req,
		    uint8_t out[IKE_COOKIE_LEN]);

/*
 * True when cookie[0..len) (untrusted: the data of a COOKIE notification)
 * is one ike_cookie_make() gave for req with the current or the previous
 * secret. The MAC compare is constant time. False for anything else,
 * including a length other than IKE_COOKIE_LEN.
 */
bool ike_cookie_verify(struct ike *ike, const struct ike_cookie_req *req,
		       const uint8_t *cookie, size_t len);

/*
 * The gate of an IKE_SA_INIT request m (well-formed, from a configured
 * peer, not a retransmission) that arrived on local from remote, req being
 * its SPIi, source address and nonce. True: go on and answer it. False: it
 * was answered with N(COOKIE) (counted in stats.cookies_sent) or dropped
 * (counted as IKE_DROP_HALF_OPEN); keep nothing. A COOKIE notification
 * that is present but does not verify, or is not the first payload, is
 * counted in stats.cookies_bad and otherwise ignored.
 */
bool ike_cookie_admit(struct ike *ike, const struct ike_msg *m,
		      const struct ike_endpoint *local,
		      const struct ike_endpoint *remote,
		      const struct ike_cookie_req *req);

/* Half-open responder SAs whose peer address is ip. Walks the SA list. */
unsigned ike_cookie_half_open_from(const struct ike *ike,
				   const struct ip_addr *ip);

#endif
