/* SPDX-License-Identifier: MIT */
#include "ike/ts.h"

#include <errno.h>
#include <string.h>

#include "ike/wire.h"

/* Addresses as integers, for the prefix cover (gnu11). */
typedef unsigned __int128 u128;

static unsigned ts_alen(uint8_t type)
{
	return type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
}

static uint8_t ts_type_of(uint8_t family)
{
	return family == AF_INET ? IKE_TS_IPV4_ADDR_RANGE :
				   IKE_TS_IPV6_ADDR_RANGE;
}

static bool zero_from(const uint8_t *b, unsigned from)
{
	unsigned i;

	for (i = from; i < 16; i++)
		if (b[i])
			return false;
	return true;
}

bool ike_ts_valid(const struct ike_ts *ts)
{
	unsigned alen;

	if (ts->type != IKE_TS_IPV4_ADDR_RANGE &&
	    ts->type != IKE_TS_IPV6_ADDR_RANGE)
		return false;
	alen = ts_alen(ts->type);
	return ts->start_port <= ts->end_port &&
	       memcmp(ts->start, ts->end, alen) <= 0 &&
	       zero_from(ts->start, alen) && zero_from(ts->end, alen);
}

/* The meet of two protocols, 0 being any: *out, or false when disjoint. */
static bool proto_meet(uint8_t a, uint8_t b, uint8_t *out)
{
	if (a && b && a != b)
		return false;
	*out = a ? a : b;
	return true;
}

bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b,
		      struct ike_ts *out)
{
	struct ike_ts r;
	unsigned alen = ts_alen(a->type);

	if (a->type != b->type || !proto_meet(a->ip_proto, b->ip_proto,
					       &r.ip_proto))
		return false;
	r.type = a->type;
	r.start_port = a->start_port > b->start_port ? a->start_port :
						       b->start_port;
	r.end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
	if (r.start_port > r.end_port)
		return false;
	memcpy(r.start, memcmp(a->start, b->start, alen) > 0 ? a->start :
							       b->start, 16);
	memcpy(r.end, memcmp(a->end, b->end, alen) < 0 ? a->end : b->end, 16);
	if (memcmp(r.start, r.end, alen) > 0)
		return false;
	*out = r;
	return true;
}

bool ike_ts_contains(const struct ike_ts *outer, const struct ike_ts *inner)
{
	unsigned alen = ts_alen(outer->type);

	return outer->type == inner->type &&
	       (!outer->ip_proto || outer->ip_proto == inner->ip_proto) &&
	       outer->start_port <= inner->start_port &&
	       inner->end_port <= outer->end_port &&
	       memcmp(outer->start, inner->start, alen) <= 0 &&
	       memcmp(inner->end, outer->end, alen) <= 0;
}

/* ---- Ranges and prefixes ------------------------------------------- */

static u128 load(const uint8_t *b, unsigned len)
{
	u128 v = 0;
	unsigned i;

	for (i = 0; i < len; i++)
		v = v << 8 | b[i];
	return v;
}

static void store(u128 v, uint8_t *b, unsigned len)
{
	unsigned i;

	for (i = len; i-- > 0;) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The low n bits set. */
static u128 low_mask(unsigned n)
{
	return n >= 128 ? ~(u128)0 : ((u128)1 << n) - 1;
}

/* Host bits of the largest aligned block starting at lo that ends at or
 * before hi (lo <= hi). */
static unsigned block_bits(u128 lo, u128 hi, unsigned bits)
{
	unsigned h;

	for (h = bits; h > 0; h--)
		if (!(lo & low_mask(h)) && (lo | low_mask(h)) <= hi)
			return h;
	return 0;
}

int ike_ts_range_to_prefixes(const struct ike_ts *ts, struct ip_prefix *out,
			     unsigned cap, unsigned *n)
{
	unsigned alen, bits, h;
	u128 lo, hi, last;

	*n = 0;
	if (!ike_ts_valid(ts))
		return -EINVAL;
	alen = ts_alen(ts->type);
	bits = alen * 8;
	lo = load(ts->start, alen);
	hi = load(ts->end, alen);
	for (;;) {
		if (*n >= cap)
			return -E2BIG;
		h = block_bits(lo, hi, bits);
		memset(&out[*n], 0, sizeof(out[*n]));
		out[*n].addr.family = ts->type == IKE_TS_IPV4_ADDR_RANGE ?
					      AF_INET : AF_INET6;
		store(lo, out[*n].addr.bytes, alen);
		out[*n].len = (uint8_t)(bits - h);
		(*n)++;
		last = lo | low_mask(h);
		if (last == hi)
			return 0;
		lo = last + 1;
	}
}

/* ---- Selectors to TS ----------------------------------------------- */

static bool prefix_ok(const struct ip_prefix *p)
{
	if (!p->addr.family)
		return true;
	if (p->addr.family != AF_INET && p->addr.family != AF_INET6)
		return false;
	return p->len <= addr_len(p->addr.family) * 8;
}

/* The range of prefix p of family |family| (p's own, or the whole family
 * when p is of family 0). */
static void prefix_range(const struct ip_prefix *p, uint8_t family,
			 struct ike_ts *ts)
{
	unsigned alen = addr_len(family), bits = alen * 8;
	unsigned len = p->addr.family ? p->len : 0;
	u128 mask = low_mask(bits - len), v;

	v = p->addr.family ? load(p->addr.bytes, alen) : 0;
	memset(ts->start, 0, sizeof(ts->start));
	memset(ts->end, 0, sizeof(ts->end));
	store(v & ~mask, ts->start, alen);
	store((v | mask) & low_mask(bits), ts->end, alen);
	ts->type = ts_type_of(family);
}

/* One side of a selector as TS entries: 1, or 2 for family 0 (IPv4 then
 * IPv6). */
static unsigned side_to_ts(const struct ip_prefix *p, uint8_t proto,
			   uint16_t lo, uint16_t hi, struct ike_ts out[2])
{
	static const uint8_t families[2] = { AF_INET, AF_INET6 };
	unsigned i, n = p->addr.family ? 1 : 2;

	for (i = 0; i < n; i++) {
		prefix_range(p, n == 1 ? p->addr.family : families[i], &out[i]);
		out[i].ip_proto = proto;
		out[i].start_port = lo;
		out[i].end_port = hi;
	}
	return n;
}

static bool selector_ok(const struct spd_selector *s)
{
	return prefix_ok(&s->src) && prefix_ok(&s->dst) &&
	       s->sport_lo <= s->sport_hi && s->dport_lo <= s->dport_hi;
}

static bool ts_same(const struct ike_ts *a, const struct ike_ts *b)
{
	return a->type == b->type && a->ip_proto == b->ip_proto &&
	       a->start_port == b->start_port && a->end_port == b->end_port &&
	       !memcmp(a->start, b->start, 16) && !memcmp(a->end, b->end, 16);
}

/* Append the entries ts[0..n) not yet in list. */
static int list_add(struct ike_ts_payload *list, const struct ike_ts *ts,
		    unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < list->n && !ts_same(&list->ts[j], &ts[i]); j++)
			;
		if (j < list->n)
			continue;
		if (list->n >= IKE_TS_MAX)
			return -E2BIG;
		list->ts[list->n++] = ts[i];
	}
	return 0;
}

int ike_ts_build(const struct spd_selector *sels, unsigned n,
		 struct ike_ts_payload *tsi, struct ike_ts_payload *tsr)
{
	struct ike_ts side[2];
	unsigned i, k;
	int err;

	tsi->n = 0;
	tsr->n = 0;
	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!selector_ok(&sels[i]))
			return -EINVAL;
		k = side_to_ts(&sels[i].src, sels[i].proto, sels[i].sport_lo,
			       sels[i].sport_hi, side);
		err = list_add(tsi, side, k);
		if (err)
			return err;
		k = side_to_ts(&sels[i].dst, sels[i].proto, sels[i].dport_lo,
			       sels[i].dport_hi, side);
		err = list_add(tsr, side, k);
		if (err)
			return err;
	}
	return 0;
}

/* ---- Narrowing and checking ---------------------------------------- */

static bool list_valid(const struct ike_ts_payload *l)
{
	unsigned i;

	if (l->n > IKE_TS_MAX)
		return false;
	for (i = 0; i < l->n; i++)
		if (!ike_ts_valid(&l->ts[i]))
			return false;
	return true;
}

/* Each entry of in ∩ one side of a selector, into out: at most one per
 * entry of in (the one or two side entries differ in family), so out never
 * holds more than in. */
static void narrow_side(const struct ike_ts_payload *in,
			const struct ip_prefix *p, uint8_t proto,
			uint16_t lo, uint16_t hi, struct ike_ts_payload *out)
{
	struct ike_ts side[2], r;
	unsigned i, j, k = side_to_ts(p, proto, lo, hi, side);

	out->n = 0;
	for (i = 0; i < in->n; i++)
		for (j = 0; j < k; j++)
			if (out->n < IKE_TS_MAX &&
			    ike_ts_intersect(&in->ts[i], &side[j], &r))
				out->ts[out->n++] = r;
}

/* Whether some packet could match a and b as its two ends. */
static bool pair_ok(const struct ike_ts *a, const struct ike_ts *b)
{
	uint8_t p;

	return a->type == b->type && proto_meet(a->ip_proto, b->ip_proto, &p);
}

static bool has_partner(const struct ike_ts *t,
			const struct ike_ts_payload *other)
{
	unsigned i;

	for (i = 0; i < other->n; i++)
		if (pair_ok(t, &other->ts[i]))
			return true;
	return false;
}

/* Drop the entries of a and b that pair with nothing on the other side. */
static void drop_unpaired(struct ike_ts_payload *a, struct ike_ts_payload *b)
{
	bool keep_a[IKE_TS_MAX], keep_b[IKE_TS_MAX];
	unsigned i, n;

	for (i = 0; i < a->n; i++)
		keep_a[i] = has_partner(&a->ts[i], b);
	for (i = 0; i < b->n; i++)
		keep_b[i] = has_partner(&b->ts[i], a);
	for (i = 0, n = 0; i < a->n; i++)
		if (keep_a[i])
			a->ts[n++] = a->ts[i];
	a->n = n;
	for (i = 0, n = 0; i < b->n; i++)
		if (keep_b[i])
			b->ts[n++] = b->ts[i];
	b->n = n;
}

/* The initiator's lists narrowed to one selector s (ours), entries
 * without a partner dropped. */
static void narrow_one(const struct ike_ts_payload *tsi,
		       const struct ike_ts_payload *tsr,
		       const struct spd_selector *s, struct ike_ts_payload *oi,
		       struct ike_ts_payload *or)
{
	narrow_side(tsi, &s->dst, s->proto, s->dport_lo, s->dport_hi, oi);
	narrow_side(tsr, &s->src, s->proto, s->sport_lo, s->sport_hi, or);
	drop_unpaired(oi, or);
}

/* Whether some entry of a pairs with some entry of b. */
static bool lists_pair(const struct ike_ts_payload *a,
		       const struct ike_ts_payload *b)
{
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (has_partner(&a->ts[i], b))
			return true;
	return false;
}

/* Join (ai, ar) to (oi, or) when no entry of one pairs with an entry of
 * the other across them: the cross product of the joined lists is then
 * exactly the union of the two, never wider. Whether it joined. */
static bool join(struct ike_ts_payload *oi, struct ike_ts_payload *or,
		 const struct ike_ts_payload *ai,
		 const struct ike_ts_payload *ar)
{
	if (!ai->n || oi->n + ai->n > IKE_TS_MAX ||
	    or->n + ar->n > IKE_TS_MAX || lists_pair(oi, ar) ||
	    lists_pair(ai, or))
		return false;
	memcpy(&oi->ts[oi->n], ai->ts, ai->n * sizeof(ai->ts[0]));
	oi->n += ai->n;
	memcpy(&or->ts[or->n], ar->ts, ar->n * sizeof(ar->ts[0]));
	or->n += ar->n;
	return true;
}

/* Whether every entry of got lies inside one entry of ours. */
static bool list_within(const struct ike_ts_payload *ours,
			const struct ike_ts_payload *got)
{
	unsigned i, j;

	if (!got->n || !list_valid(got))
		return false;
	for (i = 0; i < got->n; i++) {
		for (j = 0; j < ours->n; j++)
			if (ike_ts_contains(&ours->ts[j], &got->ts[i]))
				break;
		if (j == ours->n)
			return false;
	}
	return true;
}

int ike_ts_narrow(const struct ike_ts_payload *tsi,
		  const struct ike_ts_payload *tsr,
		  const struct spd_selector *conf, unsigned n,
		  struct ike_ts_payload *out_tsi,
		  struct ike_ts_payload *out_tsr, unsigned *which)
{
	struct ike_ts_payload ai, ar;
	unsigned k;

	if (!list_valid(tsi) || !list_valid(tsr))
		return -EINVAL;
	for (k = 0; k < n; k++)
		if (!selector_ok(&conf[k]))
			return -EINVAL;
	/* A configured selector that takes the whole request: no narrowing
	 * (the others could only add what was not asked for). */
	for (k = 0; k < n; k++) {
		narrow_one(tsi, tsr, &conf[k], out_tsi, out_tsr);
		if (list_within(out_tsi, tsi) && list_within(out_tsr, tsr)) {
			*which = k;
			return 0;
		}
	}
	for (k = 0; k < n; k++) {
		narrow_one(tsi, tsr, &conf[k], out_tsi, out_tsr);
		if (out_tsi->n && out_tsr->n)
			break;
	}
	if (k == n) {
		out_tsi->n = 0;
		out_tsr->n = 0;
		return -ENOENT;
	}
	*which = k;
	for (k++; k < n; k++) {
		narrow_one(tsi, tsr, &conf[k], &ai, &ar);
		join(out_tsi, out_tsr, &ai, &ar);
	}
	return 0;
}

int ike_ts_check(const struct ike_ts_payload *our_tsi,
		 const struct ike_ts_payload *our_tsr,
		 const struct ike_ts_payload *tsi,
		 const struct ike_ts_payload *tsr)
{
	if (!list_within(our_tsi, tsi) || !list_within(our_tsr, tsr))
		return -EBADMSG;
	return 0;
}

/* ---- TS to selectors ----------------------------------------------- */

/* Whether s is already one of out[0..n). */
static bool have_selector(const struct spd_selector *out, unsigned n,
			  const struct spd_selector *s)
{
	unsigned k;

	for (k = 0; k < n; k++)
		if (!memcmp(&out[k], s, sizeof(*s)))
			return true;
	return false;
}

/* The selectors of one pair of entries: the product of their covers, each
 * once (a peer may list an entry twice, or two pairs may meet alike). */
static int pair_to_selectors(const struct ike_ts *l, const struct ike_ts *r,
			     uint8_t proto, struct spd_selector *out,
			     unsigned cap, unsigned *n)
{
	struct ip_prefix pl[IKE_TS_COVER_MAX], pr[IKE_TS_COVER_MAX];
	struct spd_selector s;
	unsigned nl, nr, i, j;

	if (ike_ts_range_to_prefixes(l, pl, IKE_TS_COVER_MAX, &nl) ||
	    ike_ts_range_to_prefixes(r, pr, IKE_TS_COVER_MAX, &nr))
		return -EINVAL;
	for (i = 0; i < nl; i++) {
		for (j = 0; j < nr; j++) {
			memset(&s, 0, sizeof(s));
			s.src = pl[i];
			s.dst = pr[j];
			s.proto = proto;
			s.sport_lo = l->start_port;
			s.sport_hi = l->end_port;
			s.dport_lo = r->start_port;
			s.dport_hi = r->end_port;
			if (have_selector(out, *n, &s))
				continue;
			if (*n >= cap)
				return -E2BIG;
			out[(*n)++] = s;
		}
	}
	return 0;
}

int ike_ts_to_selectors(const struct ike_ts_payload *local,
			const struct ike_ts_payload *remote,
			struct spd_selector *out, unsigned cap, unsigned *n)
{
	const struct ike_ts *l, *r;
	unsigned i, j;
	uint8_t proto;
	int err;

	*n = 0;
	if (!list_valid(local) || !list_valid(remote))
		return -EINVAL;
	for (i = 0; i < local->n; i++) {
		for (j = 0; j < remote->n; j++) {
			l = &local->ts[i];
			r = &remote->ts[j];
			if (l->type != r->type ||
			    !proto_meet(l->ip_proto, r->ip_proto, &proto))
				continue;
			err = pair_to_selectors(l, r, proto, out, cap, n);
			if (err)
				return err;
		}
	}
	return *n ? 0 : -ENOENT;
}
