/* SPDX-License-Identifier: MIT */
/*
 * Security policy database: selector cases, validation, ordering, and a
 * differential test against a linear scan with its own bit-by-bit matcher.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sadb/spd.h"
#include "test.h"

#define ANY_PORTS 0, 65535

static struct ip_prefix pfx(const char *s)
{
	struct ip_prefix p;

	memset(&p, 0, sizeof(p));
	if (s && prefix_parse(s, &p))
		test_fail(__FILE__, __LINE__, "bad prefix %s", s);
	return p;
}

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	if (addr_parse(s, &a))
		test_fail(__FILE__, __LINE__, "bad address %s", s);
	return a;
}

struct sel_case {
	const char *src, *dst; /* NULL: wildcard */
	uint8_t proto;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	const char *fsrc, *fdst;
	uint8_t fproto;
	uint16_t fsport, fdport;
	bool want;
};

static const struct sel_case sel_cases[] = {
	/* Wildcards. */
	{ NULL, NULL, 0, ANY_PORTS, ANY_PORTS, "1.2.3.4", "5.6.7.8", 6, 1, 2, true },
	{ NULL, NULL, 0, ANY_PORTS, ANY_PORTS, "::1", "2001:db8::9", 17, 0, 65535, true },
	/* Length 0 matches the whole family, and only it. */
	{ "0.0.0.0/0", NULL, 0, ANY_PORTS, ANY_PORTS, "255.255.255.255", "1.1.1.1", 6, 1, 1, true },
	{ "0.0.0.0/0", NULL, 0, ANY_PORTS, ANY_PORTS, "::", "::", 6, 1, 1, false },
	{ "::/0", NULL, 0, ANY_PORTS, ANY_PORTS, "ffff::1", "::2", 6, 1, 1, true },
	{ "::/0", NULL, 0, ANY_PORTS, ANY_PORTS, "0.0.0.0", "1.1.1.1", 6, 1, 1, false },
	{ NULL, "::/0", 0, ANY_PORTS, ANY_PORTS, "1.1.1.1", "1.1.1.1", 6, 1, 1, false },
	/* /8 edges. */
	{ "10.0.0.0/8", NULL, 0, ANY_PORTS, ANY_PORTS, "10.0.0.0", "1.1.1.1", 6, 1, 1, true },
	{ "10.0.0.0/8", NULL, 0, ANY_PORTS, ANY_PORTS, "10.255.255.255", "1.1.1.1", 6, 1, 1, true },
	{ "10.0.0.0/8", NULL, 0, ANY_PORTS, ANY_PORTS, "9.255.255.255", "1.1.1.1", 6, 1, 1, false },
	{ "10.0.0.0/8", NULL, 0, ANY_PORTS, ANY_PORTS, "11.0.0.0", "1.1.1.1", 6, 1, 1, false },
	/* /12: not on a byte boundary. */
	{ "172.16.0.0/12", NULL, 0, ANY_PORTS, ANY_PORTS, "172.31.255.255", "1.1.1.1", 6, 1, 1, true },
	{ "172.16.0.0/12", NULL, 0, ANY_PORTS, ANY_PORTS, "172.32.0.0", "1.1.1.1", 6, 1, 1, false },
	{ "172.16.0.0/12", NULL, 0, ANY_PORTS, ANY_PORTS, "172.15.255.255", "1.1.1.1", 6, 1, 1, false },
	/* /24 edges, on the destination. */
	{ NULL, "192.168.1.0/24", 0, ANY_PORTS, ANY_PORTS, "1.1.1.1", "192.168.1.0", 6, 1, 1, true },
	{ NULL, "192.168.1.0/24", 0, ANY_PORTS, ANY_PORTS, "1.1.1.1", "192.168.1.255", 6, 1, 1, true },
	{ NULL, "192.168.1.0/24", 0, ANY_PORTS, ANY_PORTS, "1.1.1.1", "192.168.0.255", 6, 1, 1, false },
	{ NULL, "192.168.1.0/24", 0, ANY_PORTS, ANY_PORTS, "1.1.1.1", "192.168.2.0", 6, 1, 1, false },
	/* /32 and /31. */
	{ "192.168.1.7/32", NULL, 0, ANY_PORTS, ANY_PORTS, "192.168.1.7", "1.1.1.1", 6, 1, 1, true },
	{ "192.168.1.7/32", NULL, 0, ANY_PORTS, ANY_PORTS, "192.168.1.6", "1.1.1.1", 6, 1, 1, false },
	{ "192.168.1.7/32", NULL, 0, ANY_PORTS, ANY_PORTS, "192.168.1.8", "1.1.1.1", 6, 1, 1, false },
	{ "192.168.1.6/31", NULL, 0, ANY_PORTS, ANY_PORTS, "192.168.1.7", "1.1.1.1", 6, 1, 1, true },
	{ "192.168.1.6/31", NULL, 0, ANY_PORTS, ANY_PORTS, "192.168.1.8", "1.1.1.1", 6, 1, 1, false },
	/* IPv6 /32, /127, /128. */
	{ "2001:db8::/32", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "::1", 6, 1, 1, true },
	{ "2001:db8::/32", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db9::", "::1", 6, 1, 1, false },
	{ "2001:db8::/32", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "::1", 6, 1, 1, false },
	{ "2001:db8::/127", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db8::1", "::1", 6, 1, 1, true },
	{ "2001:db8::/127", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db8::2", "::1", 6, 1, 1, false },
	{ "2001:db8::1/128", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db8::1", "::1", 6, 1, 1, true },
	{ "2001:db8::1/128", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db8::", "::1", 6, 1, 1, false },
	{ "2001:db8::1/128", NULL, 0, ANY_PORTS, ANY_PORTS, "2001:db8::3", "::1", 6, 1, 1, false },
	/* Family mismatch: an IPv4 prefix never matches an IPv6 address, even
	 * the v4-mapped one, nor the reverse. */
	{ "10.0.0.0/8", NULL, 0, ANY_PORTS, ANY_PORTS, "::ffff:10.0.0.1", "::1", 6, 1, 1, false },
	{ "::/8", NULL, 0, ANY_PORTS, ANY_PORTS, "0.0.0.1", "1.1.1.1", 6, 1, 1, false },
	{ "10.0.0.0/8", "2001:db8::/32", 0, ANY_PORTS, ANY_PORTS, "10.0.0.1", "10.0.0.1", 6, 1, 1, false },
	/* Both sides. */
	{ "10.0.0.0/8", "10.1.0.0/16", 0, ANY_PORTS, ANY_PORTS, "10.9.9.9", "10.1.2.3", 6, 1, 1, true },
	{ "10.0.0.0/8", "10.1.0.0/16", 0, ANY_PORTS, ANY_PORTS, "10.9.9.9", "10.2.2.3", 6, 1, 1, false },
	{ "10.0.0.0/8", "10.1.0.0/16", 0, ANY_PORTS, ANY_PORTS, "11.9.9.9", "10.1.2.3", 6, 1, 1, false },
	/* Protocol. */
	{ NULL, NULL, 6, ANY_PORTS, ANY_PORTS, "1.1.1.1", "2.2.2.2", 6, 1, 1, true },
	{ NULL, NULL, 6, ANY_PORTS, ANY_PORTS, "1.1.1.1", "2.2.2.2", 17, 1, 1, false },
	{ NULL, NULL, 0, ANY_PORTS, ANY_PORTS, "1.1.1.1", "2.2.2.2", 58, 0, 0, true },
	{ NULL, NULL, 58, ANY_PORTS, ANY_PORTS, "::1", "::2", 58, 0, 0, true },
	/* Port range edges. */
	{ NULL, NULL, 17, 1000, 2000, ANY_PORTS, "1.1.1.1", "2.2.2.2", 17, 999, 7, false },
	{ NULL, NULL, 17, 1000, 2000, ANY_PORTS, "1.1.1.1", "2.2.2.2", 17, 1000, 7, true },
	{ NULL, NULL, 17, 1000, 2000, ANY_PORTS, "1.1.1.1", "2.2.2.2", 17, 2000, 7, true },
	{ NULL, NULL, 17, 1000, 2000, ANY_PORTS, "1.1.1.1", "2.2.2.2", 17, 2001, 7, false },
	{ NULL, NULL, 6, ANY_PORTS, 443, 443, "1.1.1.1", "2.2.2.2", 6, 5, 443, true },
	{ NULL, NULL, 6, ANY_PORTS, 443, 443, "1.1.1.1", "2.2.2.2", 6, 5, 442, false },
	{ NULL, NULL, 6, ANY_PORTS, 443, 443, "1.1.1.1", "2.2.2.2", 6, 5, 444, false },
	{ NULL, NULL, 6, ANY_PORTS, ANY_PORTS, "1.1.1.1", "2.2.2.2", 6, 0, 65535, true },
	{ NULL, NULL, 6, ANY_PORTS, 1, 65535, "1.1.1.1", "2.2.2.2", 6, 5, 0, false },
	{ NULL, NULL, 6, ANY_PORTS, 0, 65534, "1.1.1.1", "2.2.2.2", 6, 5, 65535, false },
	/* Packets without ports carry 0. */
	{ NULL, NULL, 1, 0, 0, 0, 0, "1.1.1.1", "2.2.2.2", 1, 0, 0, true },
	{ NULL, NULL, 1, 0, 0, 0, 0, "1.1.1.1", "2.2.2.2", 1, 0, 1, false },
};

static void sel_build(struct spd_selector *sel, const struct sel_case *c)
{
	memset(sel, 0, sizeof(*sel));
	sel->src = pfx(c->src);
	sel->dst = pfx(c->dst);
	sel->proto = c->proto;
	sel->sport_lo = c->sport_lo;
	sel->sport_hi = c->sport_hi;
	sel->dport_lo = c->dport_lo;
	sel->dport_hi = c->dport_hi;
}

static void flow_build(struct spd_flow *f, const struct sel_case *c)
{
	memset(f, 0, sizeof(*f));
	f->src = addr(c->fsrc);
	f->dst = addr(c->fdst);
	f->proto = c->fproto;
	f->sport = c->fsport;
	f->dport = c->fdport;
}

TEST(spd_selector_cases)
{
	struct spd_selector sel;
	struct spd_flow flow;
	size_t i;

	for (i = 0; i < sizeof(sel_cases) / sizeof(sel_cases[0]); i++) {
		sel_build(&sel, &sel_cases[i]);
		flow_build(&flow, &sel_cases[i]);
		if (spd_selector_match(&sel, &flow) != sel_cases[i].want)
			test_fail(__FILE__, __LINE__, "selector case %zu", i);
	}
}

/* Each selector case, as the only policy of a database: lookup agrees. */
TEST(spd_selector_cases_lookup)
{
	struct spd_policy pol;
	struct spd_flow flow;
	struct spd db;
	size_t i;

	for (i = 0; i < sizeof(sel_cases) / sizeof(sel_cases[0]); i++) {
		REQUIRE(spd_init(&db) == 0);
		memset(&pol, 0, sizeof(pol));
		pol.id = 7;
		sel_build(&pol.sel, &sel_cases[i]);
		CHECK_EQ(spd_add(&db, &pol), 0);
		flow_build(&flow, &sel_cases[i]);
		if ((spd_lookup(&db, &flow) != NULL) != sel_cases[i].want)
			test_fail(__FILE__, __LINE__, "lookup case %zu", i);
		spd_free(&db);
	}
}

TEST(spd_selector_any)
{
	struct spd_selector sel;
	struct spd_flow flow;

	memset(&sel, 0xa5, sizeof(sel));
	spd_selector_any(&sel);
	CHECK_EQ(sel.src.addr.family, 0);
	CHECK_EQ(sel.dst.addr.family, 0);
	CHECK_EQ(sel.proto, 0);
	CHECK_EQ(sel.sport_lo, 0);
	CHECK_EQ(sel.sport_hi, 65535);
	CHECK_EQ(sel.dport_lo, 0);
	CHECK_EQ(sel.dport_hi, 65535);
	memset(&flow, 0, sizeof(flow));
	flow.src = addr("2001:db8::1");
	flow.dst = addr("2001:db8::2");
	flow.proto = 132;
	flow.sport = 65535;
	CHECK(spd_selector_match(&sel, &flow));
}

struct add_case {
	const char *src, *dst;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	int action;
	int want;
};

static const struct add_case add_cases[] = {
	{ NULL, NULL, ANY_PORTS, ANY_PORTS, SPD_BYPASS, 0 },
	{ NULL, NULL, 2, 1, ANY_PORTS, SPD_BYPASS, -EINVAL },
	{ NULL, NULL, ANY_PORTS, 65535, 0, SPD_BYPASS, -EINVAL },
	{ NULL, NULL, 5, 5, 6, 6, SPD_BYPASS, 0 },
	{ "10.0.0.0/8", NULL, ANY_PORTS, ANY_PORTS, SPD_PROTECT, 0 },
	{ NULL, "2001:db8::/32", ANY_PORTS, ANY_PORTS, SPD_DISCARD, 0 },
	/* Only one side constrained, or the two in different families: both
	 * are well-formed selectors. */
	{ "10.0.0.0/8", "2001:db8::/32", ANY_PORTS, ANY_PORTS, SPD_DISCARD, 0 },
	{ NULL, NULL, ANY_PORTS, ANY_PORTS, 3, -EINVAL },
	{ NULL, NULL, ANY_PORTS, ANY_PORTS, -1, -EINVAL },
};

TEST(spd_add_validation)
{
	struct spd_policy pol;
	struct spd db;
	size_t i;

	REQUIRE(spd_init(&db) == 0);
	for (i = 0; i < sizeof(add_cases) / sizeof(add_cases[0]); i++) {
		const struct add_case *c = &add_cases[i];

		memset(&pol, 0, sizeof(pol));
		pol.id = (uint32_t)i + 1;
		pol.sel.src = pfx(c->src);
		pol.sel.dst = pfx(c->dst);
		pol.sel.sport_lo = c->sport_lo;
		pol.sel.sport_hi = c->sport_hi;
		pol.sel.dport_lo = c->dport_lo;
		pol.sel.dport_hi = c->dport_hi;
		pol.action = (enum spd_action)c->action;
		if (spd_add(&db, &pol) != c->want)
			test_fail(__FILE__, __LINE__, "add case %zu", i);
	}
	spd_free(&db);
}

/* Malformed prefixes, each on the source and on the destination side. */
TEST(spd_add_bad_prefix)
{
	struct ip_prefix bad[6];
	struct spd_policy pol;
	struct spd db;
	unsigned i, side;

	memset(bad, 0, sizeof(bad));
	bad[0] = pfx("10.0.0.0/8");
	bad[0].len = 33;
	bad[1] = pfx("2001:db8::/32");
	bad[1].len = 129;
	bad[2].len = 8;                     /* family 0 with a length */
	bad[3] = pfx("10.0.0.0/8");
	bad[3].addr.family = 99;
	bad[4] = pfx("10.0.0.0/8");
	bad[4].addr.bytes[3] = 1;           /* host bit past the length */
	bad[5] = pfx("2001:db8::/64");
	bad[5].addr.bytes[15] = 0x80;
	REQUIRE(spd_init(&db) == 0);
	for (side = 0; side < 2; side++) {
		for (i = 0; i < 6; i++) {
			memset(&pol, 0, sizeof(pol));
			spd_selector_any(&pol.sel);
			pol.id = i;
			*(side ? &pol.sel.dst : &pol.sel.src) = bad[i];
			if (spd_add(&db, &pol) != -EINVAL)
				test_fail(__FILE__, __LINE__, "prefix %u side %u",
					  i, side);
		}
	}
	CHECK_EQ(db.count, 0);
	spd_free(&db);
}

static struct spd_policy policy(uint32_t id, uint32_t prio, const char *src,
				const char *dst, uint8_t proto)
{
	struct spd_policy pol;

	memset(&pol, 0, sizeof(pol));
	pol.id = id;
	pol.priority = prio;
	spd_selector_any(&pol.sel);
	pol.sel.src = pfx(src);
	pol.sel.dst = pfx(dst);
	pol.sel.proto = proto;
	pol.action = (enum spd_action)(id % 3);
	pol.spi = 0x1000 + id;
	return pol;
}

static int add(struct spd *db, uint32_t id, uint32_t prio, const char *src,
	       const char *dst, uint8_t proto)
{
	struct spd_policy pol = policy(id, prio, src, dst, proto);

	return spd_add(db, &pol);
}

/* The id of the policy lookup picks for a TCP flow, or 0 for none. */
static uint32_t pick(const struct spd *db, const char *src, const char *dst,
		     uint8_t proto)
{
	const struct spd_policy *p;
	struct spd_flow flow;

	memset(&flow, 0, sizeof(flow));
	flow.src = addr(src);
	flow.dst = addr(dst);
	flow.proto = proto;
	flow.sport = 1234;
	flow.dport = 80;
	p = spd_lookup(db, &flow);
	return p ? p->id : 0;
}

TEST(spd_first_match)
{
	const struct spd_policy *p;
	struct spd_flow flow;
	struct spd db;

	REQUIRE(spd_init(&db) == 0);
	CHECK_EQ(pick(&db, "10.1.2.3", "1.1.1.1", 6), 0);
	CHECK_EQ(add(&db, 1, 10, "10.0.0.0/8", NULL, 0), 0);
	CHECK_EQ(add(&db, 2, 5, "10.1.0.0/16", NULL, 6), 0);
	CHECK_EQ(add(&db, 3, 5, NULL, NULL, 0), 0);
	CHECK_EQ(add(&db, 3, 1, "10.1.0.0/16", NULL, 6), -EEXIST);
	CHECK_EQ(db.count, 3);
	CHECK_EQ(pick(&db, "10.1.2.3", "1.1.1.1", 6), 2);
	CHECK_EQ(pick(&db, "10.1.2.3", "1.1.1.1", 17), 3);
	CHECK_EQ(pick(&db, "10.2.0.0", "1.1.1.1", 6), 3);
	CHECK_EQ(pick(&db, "2001:db8::1", "::1", 6), 3);
	/* The returned policy is a copy of what was added. */
	memset(&flow, 0, sizeof(flow));
	flow.src = addr("10.1.0.0");
	flow.dst = addr("1.1.1.1");
	flow.proto = 6;
	p = spd_lookup(&db, &flow);
	REQUIRE(p != NULL);
	CHECK_EQ(p->id, 2);
	CHECK_EQ(p->priority, 5);
	CHECK_EQ(p->action, SPD_DISCARD);
	CHECK_EQ(p->spi, 0x1002);
	CHECK_EQ(p->sel.src.len, 16);
	CHECK_EQ(p->sel.proto, 6);
	CHECK_EQ(spd_remove(&db, 3), 0);
	CHECK_EQ(spd_remove(&db, 3), -ENOENT);
	CHECK_EQ(db.count, 2);
	CHECK_EQ(pick(&db, "10.2.0.0", "1.1.1.1", 6), 1);
	CHECK_EQ(pick(&db, "2001:db8::1", "::1", 6), 0);
	CHECK_EQ(spd_remove(&db, 2), 0);
	CHECK_EQ(pick(&db, "10.1.2.3", "1.1.1.1", 6), 1);
	/* A removed id can be used again; the new policy comes last among its
	 * priority. */
	CHECK_EQ(add(&db, 2, 10, NULL, NULL, 0), 0);
	CHECK_EQ(pick(&db, "10.1.2.3", "1.1.1.1", 6), 1);
	CHECK_EQ(pick(&db, "11.1.2.3", "1.1.1.1", 6), 2);
	spd_free(&db);
	CHECK(db.buckets == NULL);
	spd_free(&db);
}

/* Equal priorities go by insertion order, also across policies of different
 * families and protocols (which the database may keep apart). */
TEST(spd_equal_priority)
{
	struct spd a, b;

	REQUIRE(spd_init(&a) == 0);
	REQUIRE(spd_init(&b) == 0);
	CHECK_EQ(add(&a, 10, 7, NULL, NULL, 0), 0);
	CHECK_EQ(add(&a, 11, 7, "10.0.0.0/8", NULL, 6), 0);
	CHECK_EQ(add(&a, 12, 7, NULL, "1.0.0.0/8", 0), 0);
	CHECK_EQ(pick(&a, "10.0.0.1", "1.1.1.1", 6), 10);
	CHECK_EQ(add(&b, 11, 7, "10.0.0.0/8", NULL, 6), 0);
	CHECK_EQ(add(&b, 12, 7, NULL, "1.0.0.0/8", 0), 0);
	CHECK_EQ(add(&b, 10, 7, NULL, NULL, 0), 0);
	CHECK_EQ(pick(&b, "10.0.0.1", "1.1.1.1", 6), 11);
	CHECK_EQ(pick(&b, "10.0.0.1", "1.1.1.1", 17), 12);
	CHECK_EQ(pick(&b, "11.0.0.1", "1.1.1.1", 6), 12);
	CHECK_EQ(pick(&b, "11.0.0.1", "2.1.1.1", 6), 10);
	/* A lower priority value wins over earlier insertion. */
	CHECK_EQ(add(&b, 13, 6, NULL, NULL, 6), 0);
	CHECK_EQ(pick(&b, "10.0.0.1", "1.1.1.1", 6), 13);
	CHECK_EQ(pick(&b, "10.0.0.1", "1.1.1.1", 17), 12);
	CHECK_EQ(spd_remove(&b, 11), 0);
	CHECK_EQ(spd_remove(&b, 13), 0);
	CHECK_EQ(pick(&b, "10.0.0.1", "1.1.1.1", 6), 12);
	spd_free(&a);
	spd_free(&b);
}

TEST(spd_empty)
{
	struct spd db;

	memset(&db, 0, sizeof(db));
	CHECK_EQ(pick(&db, "10.0.0.1", "1.1.1.1", 6), 0);
	CHECK_EQ(spd_remove(&db, 1), -ENOENT);
	spd_free(&db);
	REQUIRE(spd_init(&db) == 0);
	CHECK_EQ(pick(&db, "10.0.0.1", "1.1.1.1", 6), 0);
	CHECK_EQ(spd_remove(&db, 1), -ENOENT);
	spd_free(&db);
}

/*
 * Differential test. The reference keeps live policies in insertion order
 * and scans them all with its own matcher, keeping the first match of the
 * lowest priority value.
 */
#define REF_MAX 256

struct ref_spd {
	struct spd_policy pol[REF_MAX];
	unsigned n;
};

static bool ref_bit(const uint8_t *b, unsigned i)
{
	return (b[i / 8] >> (7 - i % 8)) & 1;
}

static bool ref_prefix(const struct ip_prefix *p, const struct ip_addr *a)
{
	unsigned i;

	if (p->addr.family == 0)
		return true;
	if (p->addr.family != a->family)
		return false;
	for (i = 0; i < p->len; i++)
		if (ref_bit(p->addr.bytes, i) != ref_bit(a->bytes, i))
			return false;
	return true;
}

static bool ref_match(const struct spd_selector *s, const struct spd_flow *f)
{
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (f->sport < s->sport_lo || f->sport > s->sport_hi)
		return false;
	if (f->dport < s->dport_lo || f->dport > s->dport_hi)
		return false;
	return ref_prefix(&s->src, &f->src) && ref_prefix(&s->dst, &f->dst);
}

static const struct spd_policy *ref_lookup(const struct ref_spd *r,
					   const struct spd_flow *f)
{
	const struct spd_policy *best = NULL;
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (ref_match(&r->pol[i].sel, f) &&
		    (!best || r->pol[i].priority < best->priority))
			best = &r->pol[i];
	return best;
}

static int ref_find(const struct ref_spd *r, uint32_t id)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->pol[i].id == id)
			return (int)i;
	return -1;
}

static void ref_remove(struct ref_spd *r, unsigned i)
{
	memmove(&r->pol[i], &r->pol[i + 1], (r->n - i - 1) * sizeof(r->pol[0]));
	r->n--;
}

/* Base addresses that random prefixes are cut from: pairs share all but
 * their last bytes, and one address cut at several lengths gives nested
 * prefixes. */
#define NBASES 8
static struct ip_addr bases[NBASES]; /* even: IPv4, odd: IPv6 */

static void bases_draw(void)
{
	unsigned i;

	for (i = 0; i < NBASES; i++) {
		memset(&bases[i], 0, sizeof(bases[i]));
		bases[i].family = i % 2 ? AF_INET6 : AF_INET;
		if (i >= 2 && test_rand() % 2)
			memcpy(bases[i].bytes, bases[i - 2].bytes, 16);
		test_rand_bytes(bases[i].bytes + addr_len(bases[i].family) - 2, 2);
		if (i < 2 || test_rand() % 2)
			test_rand_bytes(bases[i].bytes,
					addr_len(bases[i].family) - 2);
	}
}

static uint8_t rand_family(void)
{
	return test_rand() % 2 ? AF_INET6 : AF_INET;
}

static void clear_host_bits(struct ip_prefix *p)
{
	unsigned i;

	for (i = p->len; i < addr_len(p->addr.family) * 8; i++)
		p->addr.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static uint8_t rand_len(uint8_t family)
{
	static const uint8_t v4[] = { 0, 8, 16, 24, 31, 32 };
	static const uint8_t v6[] = { 0, 8, 32, 48, 64, 120, 127, 128 };
	unsigned max = addr_len(family) * 8;

	if (test_rand() % 3 == 0)
		return (uint8_t)(test_rand() % (max + 1));
	if (family == AF_INET)
		return v4[test_rand() % sizeof(v4)];
	return v6[test_rand() % sizeof(v6)];
}

static struct ip_addr rand_base(uint8_t family)
{
	return bases[(test_rand() % (NBASES / 2)) * 2 + (family == AF_INET6)];
}

static void rand_prefix(struct ip_prefix *p, uint8_t family)
{
	memset(p, 0, sizeof(*p));
	if (!family)
		return;
	p->addr = rand_base(family);
	p->len = rand_len(family);
	clear_host_bits(p);
}

static uint16_t rand_port(void)
{
	static const uint16_t edges[] = { 0, 1, 53, 80, 443, 1023, 1024, 65534,
					  65535 };

	if (test_rand() % 2)
		return edges[test_rand() % (sizeof(edges) / sizeof(edges[0]))];
	return (uint16_t)(test_rand() % 1100);
}

static void rand_ports(uint16_t *lo, uint16_t *hi)
{
	uint16_t a = rand_port(), b = rand_port();

	switch (test_rand() % 4) {
	case 0:
		*lo = 0;
		*hi = 65535;
		break;
	case 1:
		*lo = *hi = a;
		break;
	default:
		*lo = a < b ? a : b;
		*hi = a < b ? b : a;
		break;
	}
}

static uint8_t rand_proto(void)
{
	static const uint8_t protos[] = { 0, 0, 6, 6, 17, 1, 58, 50 };

	return protos[test_rand() % sizeof(protos)];
}

/* Which sides a random selector constrains, and in which families. */
static void rand_families(uint8_t *src, uint8_t *dst)
{
	unsigned r = test_rand() % 10;
	uint8_t f = rand_family();

	*src = r >= 2 && r != 4 && r != 5 ? f : 0;
	*dst = r >= 4 ? f : 0;
	if (r == 9)
		*dst = f == AF_INET ? AF_INET6 : AF_INET;
}

static void rand_policy(struct spd_policy *pol, uint32_t id)
{
	uint8_t fs, fd;

	memset(pol, 0, sizeof(*pol));
	pol->id = id;
	pol->priority = (uint32_t)(test_rand() % 6);
	rand_families(&fs, &fd);
	rand_prefix(&pol->sel.src, fs);
	rand_prefix(&pol->sel.dst, fd);
	pol->sel.proto = rand_proto();
	rand_ports(&pol->sel.sport_lo, &pol->sel.sport_hi);
	rand_ports(&pol->sel.dport_lo, &pol->sel.dport_hi);
	pol->action = (enum spd_action)(test_rand() % 3);
	pol->spi = (uint32_t)test_rand();
}

/* Add one to (or, with down, subtract one from) a as a big-endian number;
 * wraps at the ends of the family. */
static void addr_step(struct ip_addr *a, bool down)
{
	int i;

	for (i = (int)addr_len(a->family) - 1; i >= 0; i--) {
		uint8_t before = a->bytes[i];

		a->bytes[i] = (uint8_t)(down ? before - 1 : before + 1);
		if (down ? before != 0 : before != 0xff)
			return;
	}
}

/* An address at or just past an edge of p, or anywhere in it. */
static struct ip_addr edge_addr(const struct ip_prefix *p)
{
	struct ip_addr a = p->addr;
	unsigned i, max = addr_len(a.family) * 8;
	unsigned r = (unsigned)(test_rand() % 5);

	if (r == 1 || r == 3 || r == 4) {
		/* Last address, or random host bits. */
		for (i = p->len; i < max; i++)
			if (r != 4 || test_rand() % 2)
				a.bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	}
	if (r == 2)
		addr_step(&a, true);
	if (r == 3)
		addr_step(&a, false);
	return a;
}

/* An address of family near the bases, with random low bits. */
static struct ip_addr near_addr(uint8_t family)
{
	struct ip_prefix p;

	p.addr = rand_base(family);
	p.len = rand_len(family);
	clear_host_bits(&p);
	return edge_addr(&p);
}

static struct ip_addr flow_addr(const struct ip_prefix *p, uint8_t family)
{
	if (p->addr.family && p->addr.family == family)
		return edge_addr(p);
	return near_addr(family);
}

static uint16_t edge_port(uint16_t lo, uint16_t hi)
{
	switch (test_rand() % 5) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return (uint16_t)(lo - 1);
	case 3:
		return (uint16_t)(hi + 1);
	default:
		return rand_port();
	}
}

/* A flow aimed at the edges of pol's selector (or a random one when pol is
 * NULL). Source and destination share a family, except now and then. */
static void rand_flow(struct spd_flow *f, const struct spd_policy *pol)
{
	struct spd_policy any;
	uint8_t fs, fd;

	if (!pol) {
		memset(&any, 0, sizeof(any));
		spd_selector_any(&any.sel);
		pol = &any;
	}
	fs = pol->sel.src.addr.family ? pol->sel.src.addr.family
				      : pol->sel.dst.addr.family;
	if (!fs || test_rand() % 16 == 0)
		fs = rand_family();
	fd = fs;
	if (pol->sel.dst.addr.family && test_rand() % 2)
		fd = pol->sel.dst.addr.family; /* differs for mixed selectors */
	if (test_rand() % 16 == 0)
		fd = rand_family();
	memset(f, 0, sizeof(*f));
	f->src = flow_addr(&pol->sel.src, fs);
	f->dst = flow_addr(&pol->sel.dst, fd);
	f->proto = pol->sel.proto && test_rand() % 4 ? pol->sel.proto
						     : rand_proto();
	f->sport = edge_port(pol->sel.sport_lo, pol->sel.sport_hi);
	f->dport = edge_port(pol->sel.dport_lo, pol->sel.dport_hi);
}

static unsigned diff_lookups(const struct spd *db, const struct ref_spd *ref,
			     unsigned n, unsigned *hits)
{
	const struct spd_policy *got, *want;
	struct spd_flow f;
	unsigned i, bad = 0;

	for (i = 0; i < n; i++) {
		rand_flow(&f, ref->n && test_rand() % 8 ?
				      &ref->pol[test_rand() % ref->n] : NULL);
		got = spd_lookup(db, &f);
		want = ref_lookup(ref, &f);
		if (!got != !want || (got && (got->id != want->id ||
					      got->action != want->action ||
					      got->spi != want->spi)))
			bad++;
		*hits += want != NULL;
	}
	return bad;
}

/* Add up to n random policies (sometimes reusing a live id) to both. */
static unsigned diff_add(struct spd *db, struct ref_spd *ref, unsigned n,
			 uint32_t *next_id)
{
	struct spd_policy pol;
	unsigned i, bad = 0;
	int want;

	for (i = 0; i < n && ref->n < REF_MAX; i++) {
		bool dup = ref->n && test_rand() % 10 == 0;

		rand_policy(&pol, dup ? ref->pol[test_rand() % ref->n].id
				      : (*next_id)++);
		want = dup ? -EEXIST : 0;
		bad += spd_add(db, &pol) != want;
		if (!dup)
			ref->pol[ref->n++] = pol;
	}
	return bad;
}

/* Remove about a third of the policies, and try an absent id. */
static unsigned diff_remove(struct spd *db, struct ref_spd *ref,
			    uint32_t next_id)
{
	unsigned i, bad = 0;

	for (i = 0; i < ref->n; i++) {
		if (test_rand() % 3)
			continue;
		bad += spd_remove(db, ref->pol[i].id) != 0;
		ref_remove(ref, i--);
	}
	bad += spd_remove(db, next_id) != -ENOENT;
	bad += ref_find(ref, next_id) >= 0;
	return bad;
}

TEST(spd_differential)
{
	static struct ref_spd ref;
	unsigned round, phase, bad = 0, hits = 0, lookups = 0;
	uint32_t next_id;
	struct spd db;

	for (round = 0; round < 40; round++) {
		bases_draw();
		memset(&ref, 0, sizeof(ref));
		next_id = 1 + (uint32_t)(test_rand() % 1000);
		REQUIRE(spd_init(&db) == 0);
		for (phase = 0; phase < 4; phase++) {
			bad += diff_add(&db, &ref,
					1 + (unsigned)(test_rand() % 120),
					&next_id);
			bad += db.count != ref.n;
			bad += diff_lookups(&db, &ref, 1500, &hits);
			bad += diff_remove(&db, &ref, next_id);
			bad += db.count != ref.n;
			bad += diff_lookups(&db, &ref, 500, &hits);
			lookups += 2000;
		}
		spd_free(&db);
	}
	CHECK_EQ(bad, 0);
	/* The flows must exercise both outcomes substantially. */
	CHECK(hits > lookups / 5);
	CHECK(hits < lookups - lookups / 20);
}

/* A small random selector within 10.0.0.0/29 (or any address) and ports
 * 0..7, so random flows hit and miss it often. */
static void small_sel(struct spd_selector *s)
{
	static const char *const pfxs[] = { NULL, "10.0.0.0/29", "10.0.0.0/30",
					    "10.0.0.4/30", "10.0.0.1/32" };
	uint16_t a, b;

	spd_selector_any(s);
	s->src = pfx(pfxs[test_rand() % 5]);
	s->dst = pfx(pfxs[test_rand() % 5]);
	s->proto = (uint8_t)(test_rand() % 3 ? 0 : 6 + 11 * (test_rand() % 2));
	a = (uint16_t)(test_rand() % 8);
	b = (uint16_t)(test_rand() % 8);
	s->sport_lo = a < b ? a : b;
	s->sport_hi = a < b ? b : a;
	if (test_rand() % 2) {
		s->dport_lo = (uint16_t)(test_rand() % 4);
		s->dport_hi = (uint16_t)(4 + test_rand() % 4);
	}
}

/* covers(o, i) against the flows: when it says yes, every flow i matches
 * matches o; when no, some flow of the small space tells them apart. */
TEST(spd_selector_covers_against_flows)
{
	static const char *const addrs[] = { "10.0.0.0", "10.0.0.1",
					     "10.0.0.5", "10.0.0.9" };
	struct spd_selector o, i;
	struct spd_flow f;
	unsigned k, yes = 0, no = 0;

	for (k = 0; k < 4000; k++) {
		bool covers, witness = false;
		unsigned s, d, sp, dp, pr;

		small_sel(&o);
		small_sel(&i);
		covers = spd_selector_covers(&o, &i);
		for (s = 0; s < 4; s++)
			for (d = 0; d < 4; d++)
				for (sp = 0; sp < 8; sp++)
					for (dp = 0; dp < 9; dp++)
						for (pr = 0; pr < 3; pr++) {
			memset(&f, 0, sizeof(f));
			f.src = addr(addrs[s]);
			f.dst = addr(addrs[d]);
			f.sport = (uint16_t)sp;
			f.dport = (uint16_t)(dp == 8 ? 9999 : dp);
			f.proto = (uint8_t)(pr == 0 ? 1 : pr == 1 ? 6 : 17);
			if (spd_selector_match(&i, &f) &&
			    !spd_selector_match(&o, &f))
				witness = true;
						}
		/* A "yes" must never have a witness; a "no" is exact here
		 * (address families and the space are small enough) except
		 * where i's prefix reaches beyond the addresses tried. */
		if (covers)
			CHECK(!witness);
		yes += covers;
		no += !covers && witness;
	}
	CHECK(yes > 100);
	CHECK(no > 100);
}
