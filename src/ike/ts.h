/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 traffic selectors (RFC 7296 §2.9, §3.13) and their relation to
 * the SPD's selectors (sadb/spd.h).
 *
 * A TS is an address range, an IP protocol (0: any) and a port range; a
 * TS payload is a list of them. A Child SA covers every packet whose
 * source lies in some TSi entry and destination in some TSr entry (from
 * the initiator's point of view), with protocol and ports matching both
 * entries: the cross product of the two lists, not pairs of entries.
 * An spd_selector (prefix + ports + protocol) is written from this host's
 * point of view, src = local side, as conf_selector_to_spd(outbound)
 * gives it; a prefix of family 0 means any address of either family and
 * becomes two TS entries, the whole IPv4 and the whole IPv6 range.
 *
 * ICMP and ICMPv6: RFC 7296 §3.13.1 puts the type and code into the port
 * fields; here they are plain 16-bit ranges. The data plane gives packets
 * without ports port 0 (sadb/spd.h), so an ICMP range that does not hold
 * 0 selects no ICMP packet there; only "any" (0..65535) is meaningful.
 * The OPAQUE encoding (start 65535, end 0) is refused by the decoder.
 *
 * Everything here is pure (no state, no I/O, no allocation; thread-safe).
 * Results are exact: a range that no list of prefixes within the caller's
 * bound covers is an error (-E2BIG), never widened.
 */
#ifndef TUNSEC_IKE_TS_H
#define TUNSEC_IKE_TS_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/msg.h"
#include "sadb/spd.h"
#include "util/addr.h"

/* Prefixes needed to cover one address range exactly: at most 2 * bits - 2
 * (254 for IPv6, 62 for IPv4), so this bound always suffices. */
#define IKE_TS_COVER_MAX 256

/* Whether ts is well formed: type 7 or 8, start <= end (addresses and
 * ports), address bytes past the family's length zero. */
bool ike_ts_valid(const struct ike_ts *ts);

/* a ∩ b: same type, address and port ranges overlapping, protocols equal
 * or one of them 0 (any). true with *out (may alias a or b) set, or false
 * when the intersection is empty (out untouched). Both must be valid. */
bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b,
		      struct ike_ts *out);

/* Whether inner ⊆ outer (every address, port and protocol of inner). */
bool ike_ts_contains(const struct ike_ts *outer, const struct ike_ts *inner);

/*
 * The fewest prefixes whose union is exactly ts's address range, in
 * ascending order, into out[0..cap), count in *n. Returns 0, -EINVAL for
 * an invalid ts, or -E2BIG when more than cap are needed (out then holds
 * the first cap; never a wider prefix). Ports and protocol are ignored.
 */
int ike_ts_range_to_prefixes(const struct ike_ts *ts, struct ip_prefix *out,
			     unsigned cap, unsigned *n);

/*
 * Initiator: TSi (local sides: src prefix, sport range) and TSr (remote
 * sides: dst prefix, dport range) from sels[0..n), our configured
 * selectors of one Child SA; identical entries once. Transport mode needs
 * nothing special: its selectors are host prefixes (/32, /128), which
 * become one-address ranges. The Child SA then covers the cross product
 * (see above), which equals the selectors' union for one selector, or
 * when they share one side. Returns 0, -EINVAL (n 0, a prefix longer than
 * its family, a port range upside down) or -E2BIG (more than IKE_TS_MAX
 * entries on a side).
 */
int ike_ts_build(const struct spd_selector *sels, unsigned n,
		 struct ike_ts_payload *tsi, struct ike_ts_payload *tsr);

/*
 * Responder: narrow the initiator's TSi/TSr (RFC 7296 §2.9) with our
 * configured selectors conf[0..n) (ours: src = our side, so TSr meets
 * src/sport and TSi meets dst/dport). The configured selectors are tried
 * in order and the first that leaves traffic wins (*which = its index):
 * out_tsi = every TSi entry ∩ that selector's remote side, out_tsr every
 * TSr entry ∩ its local side, empty intersections dropped, and entries
 * with no partner of the same family and a compatible protocol on the
 * other side dropped. That is exactly the traffic both the initiator's
 * cross product and that one selector allow. The result of each later
 * selector is joined to it when none of its entries pairs with an entry
 * of what is already there (other protocols or another family: "proto
 * icmp" and "proto tcp rport 80"), so that the cross product of the
 * joined lists is still exactly their union; a result that would pair
 * (two TCP selectors) is left out, as joining it would widen the Child SA,
 * and so is one that does not fit IKE_TS_MAX. Returns 0, -ENOENT
 * (TS_UNACCEPTABLE) when no selector leaves traffic, or -EINVAL for an
 * invalid entry or selector.
 */
int ike_ts_narrow(const struct ike_ts_payload *tsi,
		  const struct ike_ts_payload *tsr,
		  const struct spd_selector *conf, unsigned n,
		  struct ike_ts_payload *out_tsi,
		  struct ike_ts_payload *out_tsr, unsigned *which);

/*
 * Initiator: whether the responder's tsi/tsr are within what we proposed
 * (our_tsi/our_tsr): each entry inside one entry we sent on the same side,
 * no list empty. 0, or -EBADMSG (the Child SA is refused). An entry that
 * spans two adjacent entries of ours is refused too: a responder narrows
 * entry by entry (§2.9), so it never sends one.
 */
int ike_ts_check(const struct ike_ts_payload *our_tsi,
		 const struct ike_ts_payload *our_tsr,
		 const struct ike_ts_payload *tsi,
		 const struct ike_ts_payload *tsr);

/*
 * The SPD selectors (ours: src = local) of the traffic the negotiated
 * lists allow: local is our side's list (TSi for the initiator, TSr for
 * the responder), remote the other. For each pair of entries of one
 * family and compatible protocols, the product of their prefix covers,
 * into out[0..cap), each selector once, count in *n. Returns 0; -ENOENT
 * when no pair allows traffic; -E2BIG when more than cap selectors would
 * be needed (the caller refuses the Child SA; nothing is widened);
 * -EINVAL for an invalid entry.
 */
int ike_ts_to_selectors(const struct ike_ts_payload *local,
			const struct ike_ts_payload *remote,
			struct spd_selector *out, unsigned cap, unsigned *n);

#endif
