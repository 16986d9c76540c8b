/* SPDX-License-Identifier: MIT */
/*
 * Security policy database (see spd.h; RFC 4301 §4.4.1).
 *
 * Policies are partitioned into buckets by a key every matching flow shares:
 * the family of the selector's source prefix (or, when that is a wildcard,
 * of its destination prefix; or "any" when both are wildcards) and the
 * selector's protocol (0 = any). A flow can only match policies in the
 * buckets of (its source family, its destination family, any) x (its
 * protocol, any): at most four buckets for a real packet, whose source and
 * destination share one family.
 *
 * Invariants:
 *  - Every bucket's entries are sorted by (priority, seq); seq is the value
 *    of db->added when the policy was added, so it is unique and grows.
 *  - db->count is the total number of entries; policy ids are unique.
 *  - Stored selectors passed spd_selector_valid().
 *
 * Lookup scans each candidate bucket in order and stops at the first match,
 * or as soon as an entry cannot beat the best match found in an earlier
 * bucket: the result is the first match in global (priority, seq) order,
 * the same as one linear scan of all policies.
 */
#include "sadb/spd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define FAMILY_CLASSES 3   /* any, AF_INET, AF_INET6 */
#define PROTO_VALUES 256
#define SPD_NBUCKETS (FAMILY_CLASSES * PROTO_VALUES)
#define CANDIDATES_MAX (FAMILY_CLASSES * 2)

struct spd_entry {
	struct spd_policy pol; /* first member: lookup returns &entry->pol */
	uint64_t seq;
};

struct spd_bucket {
	struct spd_entry *entries;
	uint32_t len, cap;
};

void spd_selector_any(struct spd_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->sport_hi = 65535;
	sel->dport_hi = 65535;
}

static bool prefix_match(const struct ip_prefix *p, const struct ip_addr *a)
{
	return !p->addr.family || prefix_contains(p, a);
}

bool spd_selector_match(const struct spd_selector *sel,
			const struct spd_flow *flow)
{
	return (!sel->proto || sel->proto == flow->proto) &&
	       flow->sport >= sel->sport_lo && flow->sport <= sel->sport_hi &&
	       flow->dport >= sel->dport_lo && flow->dport <= sel->dport_hi &&
	       prefix_match(&sel->src, &flow->src) &&
	       prefix_match(&sel->dst, &flow->dst);
}

/* 0 for "any", 1 and 2 for IPv4 and IPv6, -1 for anything else. */
static int family_class(uint8_t family)
{
	switch (family) {
	case 0:
		return 0;
	case AF_INET:
		return 1;
	case AF_INET6:
		return 2;
	default:
		return -1;
	}
}

static uint32_t bucket_index(int fclass, uint8_t proto)
{
	return (uint32_t)fclass * PROTO_VALUES + proto;
}

/* The bucket a valid selector belongs in. */
static uint32_t selector_bucket(const struct spd_selector *sel)
{
	uint8_t family = sel->src.addr.family ? sel->src.addr.family
					      : sel->dst.addr.family;

	return bucket_index(family_class(family), sel->proto);
}

/* A prefix is valid when its family is 0 (then len is 0), AF_INET or
 * AF_INET6 with len within the address, and no bit past len is set. */
static bool prefix_valid(const struct ip_prefix *p)
{
	unsigned max, i;

	if (!p->addr.family)
		return p->len == 0;
	if (family_class(p->addr.family) < 0)
		return false;
	max = addr_len(p->addr.family) * 8;
	if (p->len > max)
		return false;
	for (i = p->len; i < max; i++)
		if (p->addr.bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool spd_selector_valid(const struct spd_selector *sel)
{
	return sel->sport_lo <= sel->sport_hi &&
	       sel->dport_lo <= sel->dport_hi &&
	       prefix_valid(&sel->src) && prefix_valid(&sel->dst);
}

/* Every address of inner is in outer. */
static bool prefix_covers(const struct ip_prefix *outer,
			  const struct ip_prefix *inner)
{
	if (!outer->addr.family)
		return true;
	return inner->addr.family == outer->addr.family &&
	       inner->len >= outer->len &&
	       prefix_contains(outer, &inner->addr);
}

bool spd_selector_covers(const struct spd_selector *outer,
			 const struct spd_selector *inner)
{
	return (!outer->proto || outer->proto == inner->proto) &&
	       outer->sport_lo <= inner->sport_lo &&
	       inner->sport_hi <= outer->sport_hi &&
	       outer->dport_lo <= inner->dport_lo &&
	       inner->dport_hi <= outer->dport_hi &&
	       prefix_covers(&outer->src, &inner->src) &&
	       prefix_covers(&outer->dst, &inner->dst);
}

static bool policy_valid(const struct spd_policy *pol)
{
	return (pol->action == SPD_PROTECT || pol->action == SPD_BYPASS ||
		pol->action == SPD_DISCARD) &&
	       spd_selector_valid(&pol->sel);
}

int spd_init(struct spd *db)
{
	memset(db, 0, sizeof(*db));
	db->buckets = calloc(SPD_NBUCKETS, sizeof(*db->buckets));
	if (!db->buckets)
		return -ENOMEM;
	db->nbuckets = SPD_NBUCKETS;
	return 0;
}

void spd_free(struct spd *db)
{
	uint32_t i;

	for (i = 0; db->buckets && i < db->nbuckets; i++)
		free(db->buckets[i].entries);
	free(db->buckets);
	memset(db, 0, sizeof(*db));
}

/* Find policy id: its bucket and position. */
static bool entry_find(const struct spd *db, uint32_t id, uint32_t *bucket,
		       uint32_t *pos)
{
	uint32_t b, i;

	for (b = 0; db->buckets && b < db->nbuckets; b++) {
		const struct spd_bucket *bk = &db->buckets[b];

		for (i = 0; i < bk->len; i++) {
			if (bk->entries[i].pol.id == id) {
				*bucket = b;
				*pos = i;
				return true;
			}
		}
	}
	return false;
}

static int bucket_reserve(struct spd_bucket *bk)
{
	struct spd_entry *e;
	uint32_t cap;

	if (bk->len < bk->cap)
		return 0;
	if (bk->cap > UINT32_MAX / 2)
		return -ENOMEM;
	cap = bk->cap ? bk->cap * 2 : 4;
	e = reallocarray(bk->entries, cap, sizeof(*e));
	if (!e)
		return -ENOMEM;
	bk->entries = e;
	bk->cap = cap;
	return 0;
}

/* Position after every entry of priority <= prio: where a policy added now
 * goes, since its seq exceeds all others. */
static uint32_t bucket_upper_bound(const struct spd_bucket *bk, uint32_t prio)
{
	uint32_t lo = 0, hi = bk->len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (bk->entries[mid].pol.priority <= prio)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int spd_add(struct spd *db, const struct spd_policy *pol)
{
	struct spd_bucket *bk;
	uint32_t b, pos;

	if (!policy_valid(pol))
		return -EINVAL;
	if (entry_find(db, pol->id, &b, &pos))
		return -EEXIST;
	if (!db->buckets && spd_init(db))
		return -ENOMEM;
	bk = &db->buckets[selector_bucket(&pol->sel)];
	if (bucket_reserve(bk))
		return -ENOMEM;
	pos = bucket_upper_bound(bk, pol->priority);
	memmove(&bk->entries[pos + 1], &bk->entries[pos],
		(bk->len - pos) * sizeof(*bk->entries));
	bk->entries[pos].pol = *pol;
	bk->entries[pos].seq = db->added++;
	bk->len++;
	db->count++;
	return 0;
}

int spd_remove(struct spd *db, uint32_t id)
{
	struct spd_bucket *bk;
	uint32_t b, pos;

	if (!entry_find(db, id, &b, &pos))
		return -ENOENT;
	bk = &db->buckets[b];
	memmove(&bk->entries[pos], &bk->entries[pos + 1],
		(bk->len - pos - 1) * sizeof(*bk->entries));
	bk->len--;
	db->count--;
	return 0;
}

/* Whether entry a comes before entry b in (priority, seq) order. */
static bool entry_before(const struct spd_entry *a, const struct spd_entry *b)
{
	if (a->pol.priority != b->pol.priority)
		return a->pol.priority < b->pol.priority;
	return a->seq < b->seq;
}

/* Add bucket index b to the candidate list unless it is already there. */
static void candidate_add(uint32_t *cand, unsigned *n, uint32_t b)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (cand[i] == b)
			return;
	cand[(*n)++] = b;
}

/* The buckets that may hold a policy matching flow, most specific first. */
static unsigned candidates(const struct spd_flow *flow, uint32_t *cand)
{
	int fc[FAMILY_CLASSES] = {
		family_class(flow->src.family),
		family_class(flow->dst.family),
		0,
	};
	unsigned n = 0, i;

	for (i = 0; i < FAMILY_CLASSES; i++) {
		if (fc[i] < 0)
			continue;
		candidate_add(cand, &n, bucket_index(fc[i], flow->proto));
		candidate_add(cand, &n, bucket_index(fc[i], 0));
	}
	return n;
}

/* The first entry of bk matching flow that comes before best (or any, when
 * best is NULL); else best. */
static const struct spd_entry *bucket_scan(const struct spd_bucket *bk,
					   const struct spd_flow *flow,
					   const struct spd_entry *best)
{
	uint32_t i;

	for (i = 0; i < bk->len; i++) {
		const struct spd_entry *e = &bk->entries[i];

		if (best && !entry_before(e, best))
			break;
		if (spd_selector_match(&e->pol.sel, flow))
			return e;
	}
	return best;
}

const struct spd_policy *spd_lookup(const struct spd *db,
				    const struct spd_flow *flow)
{
	uint32_t cand[CANDIDATES_MAX];
	const struct spd_entry *best = NULL;
	unsigned n, i;

	if (!db->buckets || !db->count)
		return NULL;
	n = candidates(flow, cand);
	for (i = 0; i < n; i++)
		best = bucket_scan(&db->buckets[cand[i]], flow, best);
	return best ? &best->pol : NULL;
}
