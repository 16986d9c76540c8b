/* SPDX-License-Identifier: MIT */
/*
 * Security policy database (RFC 4301 §4.4.1): ordered policies whose
 * selectors match a packet's addresses, protocol and ports, and an action
 * for what matches.
 *
 * Lookup returns the matching policy with the lowest priority value; among
 * equal priorities, the one added first. Not thread-safe: the owner
 * serialises writers and readers (the data plane reads a database nobody
 * writes, and swaps in a new one).
 */
#ifndef TUNSEC_SADB_SPD_H
#define TUNSEC_SADB_SPD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/addr.h"

enum spd_action { SPD_PROTECT, SPD_BYPASS, SPD_DISCARD };

/* A selector. A prefix with family 0 matches any address of any family;
 * otherwise the packet must be of that family and inside the prefix (len 0
 * matches the whole family). proto 0 matches any protocol. Port ranges are
 * inclusive; 0..65535 matches any port, and packets without ports (ICMP,
 * ...) carry port 0. */
struct spd_selector {
	struct ip_prefix src, dst;
	uint8_t proto;
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
};

struct spd_policy {
	uint32_t id;        /* unique, chosen by the caller */
	uint32_t priority;  /* lower wins */
	struct spd_selector sel;
	enum spd_action action;
	uint32_t spi;       /* SPD_PROTECT: the outbound SA */
};

/* What a packet offers to selectors. */
struct spd_flow {
	struct ip_addr src, dst;
	uint8_t proto;
	uint16_t sport, dport;
};

struct spd_bucket;

struct spd {
	struct spd_bucket *buckets; /* private to spd.c */
	uint32_t nbuckets;
	uint32_t count;
	uint64_t added;             /* insertion counter, breaks ties */
};

/* A selector matching everything. */
void spd_selector_any(struct spd_selector *sel);

/* Whether sel matches flow. */
bool spd_selector_match(const struct spd_selector *sel,
			const struct spd_flow *flow);

/* Whether sel can be stored: port ranges not upside down, prefixes of a
 * known family (or family 0 with length 0) without host bits. */
bool spd_selector_valid(const struct spd_selector *sel);

/* Whether every flow inner matches also matches outer (both valid). Exact
 * per selector; a selector covered only by a union of several is not. */
bool spd_selector_covers(const struct spd_selector *outer,
			 const struct spd_selector *inner);

int spd_init(struct spd *db);
void spd_free(struct spd *db);

/* Add a copy of pol. 0, -EEXIST (id in use), -EINVAL (bad ranges or
 * prefixes), -ENOMEM. */
int spd_add(struct spd *db, const struct spd_policy *pol);

/* Remove policy id: 0 or -ENOENT. */
int spd_remove(struct spd *db, uint32_t id);

/* The policy that applies to flow, or NULL when none matches. The pointer is
 * valid until the database next changes. */
const struct spd_policy *spd_lookup(const struct spd *db,
				    const struct spd_flow *flow);

#endif
