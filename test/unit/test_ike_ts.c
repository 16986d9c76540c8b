/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 traffic selectors: prefix covers against Python's
 * ipaddress.summarize_address_range, building, narrowing, checking and
 * conversion by known answers and refusals, and by properties against a
 * naive membership test (a packet is in a result exactly when it is in
 * every input) over small universes where random packets hit often.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/nego.h"
#include "ike/ts.h"
#include "ike/wire.h"
#include "test.h"

#define V4 IKE_TS_IPV4_ADDR_RANGE
#define V6 IKE_TS_IPV6_ADDR_RANGE

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;

	if (addr_parse(s, &a))
		test_fail(__FILE__, __LINE__, "bad address %s", s);
	return a;
}

static struct ip_prefix pfx(const char *s)
{
	struct ip_prefix p;

	memset(&p, 0, sizeof(p));
	if (s && prefix_parse(s, &p))
		test_fail(__FILE__, __LINE__, "bad prefix %s", s);
	return p;
}

static struct ike_ts ts_make(const char *lo, const char *hi, uint8_t proto,
			     uint16_t plo, uint16_t phi)
{
	struct ip_addr a = addr(lo), b = addr(hi);
	struct ike_ts t;

	memset(&t, 0, sizeof(t));
	t.type = a.family == AF_INET ? V4 : V6;
	t.ip_proto = proto;
	t.start_port = plo;
	t.end_port = phi;
	memcpy(t.start, a.bytes, addr_len(a.family));
	memcpy(t.end, b.bytes, addr_len(b.family));
	return t;
}

static struct spd_selector sel_make(const char *src, const char *dst,
				    uint8_t proto, uint16_t slo, uint16_t shi,
				    uint16_t dlo, uint16_t dhi)
{
	struct spd_selector s;

	memset(&s, 0, sizeof(s));
	s.src = pfx(src);
	s.dst = pfx(dst);
	s.proto = proto;
	s.sport_lo = slo;
	s.sport_hi = shi;
	s.dport_lo = dlo;
	s.dport_hi = dhi;
	return s;
}

/* "ADDR/LEN ADDR/LEN ..." */
static void cover_text(const struct ip_prefix *p, unsigned n, char *buf,
		       size_t cap)
{
	char a[ADDR_STRLEN];
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s/%u",
					i ? " " : "", addr_format(&p[i].addr, a),
					p[i].len);
}

/* Vectors: /usr/bin/python3, for each (lo, hi):
 *   " ".join(str(n) for n in ipaddress.summarize_address_range(
 *            ipaddress.ip_address(lo), ipaddress.ip_address(hi))) */
static const struct {
	const char *lo, *hi, *want;
} covers[] = {
	{ "10.0.0.1", "10.0.0.6",
	  "10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32" },
	{ "0.0.0.0", "255.255.255.255", "0.0.0.0/0" },
	{ "192.168.1.0", "192.168.1.255", "192.168.1.0/24" },
	{ "192.168.1.7", "192.168.1.7", "192.168.1.7/32" },
	{ "10.0.0.255", "10.0.1.0", "10.0.0.255/32 10.0.1.0/32" },
	{ "172.16.5.3", "172.16.9.200",
	  "172.16.5.3/32 172.16.5.4/30 172.16.5.8/29 172.16.5.16/28 "
	  "172.16.5.32/27 172.16.5.64/26 172.16.5.128/25 172.16.6.0/23 "
	  "172.16.8.0/24 172.16.9.0/25 172.16.9.128/26 172.16.9.192/29 "
	  "172.16.9.200/32" },
	{ "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0" },
	{ "2001:db8::1", "2001:db8::10",
	  "2001:db8::1/128 2001:db8::2/127 2001:db8::4/126 2001:db8::8/125 "
	  "2001:db8::10/128" },
	{ "2001:db8::", "2001:db8::ffff:ffff", "2001:db8::/96" },
	{ "fe80::3", "fe80::1:2",
	  "fe80::3/128 fe80::4/126 fe80::8/125 fe80::10/124 fe80::20/123 "
	  "fe80::40/122 fe80::80/121 fe80::100/120 fe80::200/119 "
	  "fe80::400/118 fe80::800/117 fe80::1000/116 fe80::2000/115 "
	  "fe80::4000/114 fe80::8000/113 fe80::1:0/127 fe80::1:2/128" },
};

TEST(ike_ts_cover_known)
{
	struct ip_prefix p[IKE_TS_COVER_MAX];
	char got[1024];
	unsigned i, n;

	for (i = 0; i < sizeof(covers) / sizeof(covers[0]); i++) {
		struct ike_ts t = ts_make(covers[i].lo, covers[i].hi, 0, 0,
					  65535);

		CHECK_EQ(ike_ts_range_to_prefixes(&t, p, IKE_TS_COVER_MAX, &n),
			 0);
		cover_text(p, n, got, sizeof(got));
		if (strcmp(got, covers[i].want))
			test_fail(__FILE__, __LINE__, "%s-%s: %s", covers[i].lo,
				  covers[i].hi, got);
	}
}

/* The worst cases (counts from the same Python call): 62 prefixes for
 * 0.0.0.1-255.255.255.254, 254 for ::1-ffff..fffe, 128 for ::1-ffff..ffff
 * (the last 8000::/1). */
TEST(ike_ts_cover_bounds)
{
	struct ip_prefix p[IKE_TS_COVER_MAX];
	struct ike_ts t;
	char a[ADDR_STRLEN];
	unsigned n;

	t = ts_make("0.0.0.1", "255.255.255.254", 0, 0, 65535);
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, IKE_TS_COVER_MAX, &n), 0);
	CHECK_EQ(n, 62);
	t = ts_make("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 0, 0, 9);
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, IKE_TS_COVER_MAX, &n), 0);
	CHECK_EQ(n, 254);
	CHECK(!strcmp(addr_format(&p[253].addr, a),
		      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	CHECK_EQ(p[253].len, 128);
	t = ts_make("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, 0, 9);
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, IKE_TS_COVER_MAX, &n), 0);
	CHECK_EQ(n, 128);
	CHECK(!strcmp(addr_format(&p[127].addr, a), "8000::"));
	CHECK_EQ(p[127].len, 1);
	/* Beyond the caller's bound: an error and the first cap prefixes,
	 * none wider than the exact ones. */
	t = ts_make("10.0.0.1", "10.0.0.6", 0, 0, 65535);
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, 3, &n), -E2BIG);
	CHECK_EQ(n, 3);
	CHECK_EQ(p[2].len, 31);
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, 0, &n), -E2BIG);
	/* Refusals. */
	t = ts_make("10.0.0.6", "10.0.0.1", 0, 0, 65535);
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, 8, &n), -EINVAL);
	t = ts_make("10.0.0.1", "10.0.0.6", 0, 7, 6);
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, 8, &n), -EINVAL);
	t = ts_make("10.0.0.1", "10.0.0.6", 0, 0, 65535);
	t.type = 9;
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, 8, &n), -EINVAL);
	t.type = V4;
	t.start[4] = 1;
	CHECK_EQ(ike_ts_range_to_prefixes(&t, p, 8, &n), -EINVAL);
}

/* ---- Naive references ---------------------------------------------- */

/* A packet: family, addresses, protocol (never 0), ports. */
struct flow {
	uint8_t type;
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;
};

static bool in_range(const uint8_t *x, const uint8_t *lo, const uint8_t *hi,
		     unsigned len)
{
	return memcmp(lo, x, len) <= 0 && memcmp(x, hi, len) <= 0;
}

static bool ts_has(const struct ike_ts *t, uint8_t type, const uint8_t *a,
		   uint8_t proto, uint16_t port)
{
	return t->type == type && in_range(a, t->start, t->end,
					   type == V4 ? 4 : 16) &&
	       (!t->ip_proto || t->ip_proto == proto) &&
	       t->start_port <= port && port <= t->end_port;
}

static bool list_has(const struct ike_ts_payload *l, uint8_t type,
		     const uint8_t *a, uint8_t proto, uint16_t port)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (ts_has(&l->ts[i], type, a, proto, port))
			return true;
	return false;
}

/* The flow from src (in the first list) to dst (in the second). */
static bool cross_has(const struct ike_ts_payload *a,
		      const struct ike_ts_payload *b, const struct flow *f)
{
	return list_has(a, f->type, f->src, f->proto, f->sport) &&
	       list_has(b, f->type, f->dst, f->proto, f->dport);
}

static struct spd_flow spd_flow_of(const struct flow *f, bool reverse)
{
	struct spd_flow s;
	unsigned len = f->type == V4 ? 4 : 16;

	memset(&s, 0, sizeof(s));
	s.src.family = s.dst.family = f->type == V4 ? AF_INET : AF_INET6;
	memcpy(s.src.bytes, reverse ? f->dst : f->src, len);
	memcpy(s.dst.bytes, reverse ? f->src : f->dst, len);
	s.proto = f->proto;
	s.sport = reverse ? f->dport : f->sport;
	s.dport = reverse ? f->sport : f->dport;
	return s;
}

/* ---- Small random universes ---------------------------------------- */

static unsigned rnd(unsigned n)
{
	return (unsigned)(test_rand() % n);
}

/* An address of the universe: 10.0.0.x or 2001:db8::x, x < 64. */
static void uaddr(uint8_t type, unsigned x, uint8_t *out)
{
	memset(out, 0, 16);
	if (type == V4) {
		out[0] = 10;
		out[3] = (uint8_t)x;
	} else {
		out[0] = 0x20;
		out[1] = 0x01;
		out[2] = 0x0d;
		out[3] = 0xb8;
		out[15] = (uint8_t)x;
	}
}

static const uint8_t protos[] = { 0, 6, 17 };

static void rand_ports(uint16_t *lo, uint16_t *hi)
{
	unsigned a = rnd(16), b = rnd(16);

	if (!rnd(4)) {
		*lo = 0;
		*hi = 65535;
		return;
	}
	*lo = (uint16_t)(a < b ? a : b);
	*hi = (uint16_t)(a < b ? b : a);
}

static struct ike_ts rand_ts(void)
{
	struct ike_ts t;
	unsigned a = rnd(64), b = rnd(64);

	memset(&t, 0, sizeof(t));
	t.type = rnd(2) ? V4 : V6;
	uaddr(t.type, a < b ? a : b, t.start);
	uaddr(t.type, a < b ? b : a, t.end);
	t.ip_proto = protos[rnd(3)];
	rand_ports(&t.start_port, &t.end_port);
	return t;
}

static void rand_list(struct ike_ts_payload *l, unsigned max)
{
	unsigned i;

	l->n = 1 + rnd(max);
	for (i = 0; i < l->n; i++)
		l->ts[i] = rand_ts();
}

/* A prefix of the universe (or family 0), as a selector side. */
static struct ip_prefix rand_prefix(void)
{
	struct ip_prefix p;
	unsigned k = rnd(8), bits, i;
	uint8_t type = rnd(2) ? V4 : V6;

	memset(&p, 0, sizeof(p));
	if (!k)
		return p;
	p.addr.family = type == V4 ? AF_INET : AF_INET6;
	p.len = (uint8_t)((type == V4 ? 26 : 122) + rnd(7));
	uaddr(type, rnd(64), p.addr.bytes);
	bits = addr_len(p.addr.family) * 8;
	for (i = p.len; i < bits; i++)
		p.addr.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return p;
}

static struct spd_selector rand_selector(void)
{
	struct spd_selector s;

	memset(&s, 0, sizeof(s));
	s.src = rand_prefix();
	s.dst = rand_prefix();
	s.proto = protos[rnd(3)];
	rand_ports(&s.sport_lo, &s.sport_hi);
	rand_ports(&s.dport_lo, &s.dport_hi);
	return s;
}

static void rand_flow(struct flow *f)
{
	static const uint8_t fprotos[] = { 1, 6, 17 };

	memset(f, 0, sizeof(*f));
	f->type = rnd(2) ? V4 : V6;
	uaddr(f->type, rnd(64), f->src);
	uaddr(f->type, rnd(64), f->dst);
	f->proto = fprotos[rnd(3)];
	f->sport = (uint16_t)(rnd(8) ? rnd(18) : test_rand());
	f->dport = (uint16_t)(rnd(8) ? rnd(18) : test_rand());
}

/* ---- Properties ---------------------------------------------------- */

TEST(ike_ts_intersect_property)
{
	struct ike_ts a, b, r;
	struct flow f;
	unsigned i, j;
	bool any;

	for (i = 0; i < 2000; i++) {
		a = rand_ts();
		b = rand_ts();
		any = ike_ts_intersect(&a, &b, &r);
		if (any)
			CHECK(ike_ts_valid(&r));
		for (j = 0; j < 200; j++) {
			bool want, got;

			rand_flow(&f);
			want = ts_has(&a, f.type, f.src, f.proto, f.sport) &&
			       ts_has(&b, f.type, f.src, f.proto, f.sport);
			got = any && ts_has(&r, f.type, f.src, f.proto,
					    f.sport);
			if (want != got) {
				test_fail(__FILE__, __LINE__,
					  "intersection differs (seed %llu)",
					  (unsigned long long)test_seed());
				return;
			}
		}
		if (any) {
			CHECK(ike_ts_contains(&a, &r));
			CHECK(ike_ts_contains(&b, &r));
		}
	}
}

/* One more than a big-endian number; false on overflow. */
static bool inc(uint8_t *b, unsigned len)
{
	unsigned i;

	for (i = len; i-- > 0;)
		if (++b[i])
			return true;
	return false;
}

/* The last address of prefix p. */
static void prefix_last(const struct ip_prefix *p, uint8_t *out)
{
	unsigned bits = addr_len(p->addr.family) * 8, i;

	memcpy(out, p->addr.bytes, 16);
	for (i = p->len; i < bits; i++)
		out[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

/* Whether the bits of p's address past its length are zero. */
static bool aligned(const struct ip_prefix *p)
{
	unsigned bits = addr_len(p->addr.family) * 8, i;

	for (i = p->len; i < bits; i++)
		if (p->addr.bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* Random ranges, anywhere in the space and small ones: the prefixes are
 * aligned, follow each other without gap or overlap from start to end,
 * and no two neighbours are siblings that one shorter prefix would
 * replace. */
static void cover_check(const struct ike_ts *t)
{
	struct ip_prefix p[IKE_TS_COVER_MAX];
	unsigned len = t->type == V4 ? 4 : 16, i, n;
	uint8_t next[16], last[16] = { 0 };

	if (ike_ts_range_to_prefixes(t, p, IKE_TS_COVER_MAX, &n)) {
		test_fail(__FILE__, __LINE__, "cover failed");
		return;
	}
	memcpy(next, t->start, 16);
	for (i = 0; i < n; i++) {
		CHECK(!memcmp(p[i].addr.bytes, next, len));
		CHECK(aligned(&p[i]));
		prefix_last(&p[i], last);
		memcpy(next, last, 16);
		if (i + 1 < n)
			CHECK(inc(next, len));
		if (i && p[i].len == p[i - 1].len && p[i].len) {
			unsigned bit = p[i].len - 1;

			CHECK(p[i - 1].addr.bytes[bit / 8] &
			      (0x80 >> (bit % 8)));
		}
	}
	CHECK(!memcmp(last, t->end, len));
}

static void rand_wide_ts(struct ike_ts *t)
{
	unsigned len, i;

	memset(t, 0, sizeof(*t));
	t->type = rnd(2) ? V4 : V6;
	len = t->type == V4 ? 4 : 16;
	test_rand_bytes(t->start, len);
	test_rand_bytes(t->end, len);
	/* Share a random number of leading bytes so ranges of every width
	 * appear. */
	for (i = 0; i < rnd(len + 1); i++)
		t->end[i] = t->start[i];
	if (memcmp(t->start, t->end, len) > 0) {
		uint8_t tmp[16];

		memcpy(tmp, t->start, 16);
		memcpy(t->start, t->end, 16);
		memcpy(t->end, tmp, 16);
	}
	t->end_port = 65535;
}

TEST(ike_ts_cover_property)
{
	struct ip_prefix p[IKE_TS_COVER_MAX];
	struct ike_ts t;
	struct ip_addr x;
	unsigned i, j, k, n, len;
	bool want, got;

	for (i = 0; i < 3000; i++) {
		rand_wide_ts(&t);
		cover_check(&t);
		/* Membership near and inside the range. */
		len = t.type == V4 ? 4 : 16;
		if (ike_ts_range_to_prefixes(&t, p, IKE_TS_COVER_MAX, &n))
			continue;
		for (j = 0; j < 50; j++) {
			memset(&x, 0, sizeof(x));
			x.family = t.type == V4 ? AF_INET : AF_INET6;
			memcpy(x.bytes, rnd(2) ? t.start : t.end, len);
			x.bytes[len - 1 - rnd(2)] ^= (uint8_t)(1 + rnd(255));
			want = in_range(x.bytes, t.start, t.end, len);
			for (k = 0, got = false; k < n && !got; k++)
				got = prefix_contains(&p[k], &x);
			CHECK_EQ(want, got);
		}
	}
}

/* Responder narrowing: a packet (initiator -> responder) that is in the
 * initiator's cross product and allowed by the chosen configured selector
 * is in the result; a packet in the result is in the cross product and
 * allowed by the chosen selector or a later one (joined: never wider than
 * what the configuration allows); with -ENOENT no packet is in both for
 * any selector; selectors before the chosen one leave nothing. */
TEST(ike_ts_narrow_property)
{
	struct ike_ts_payload tsi, tsr, oi, orr;
	struct spd_selector conf[4];
	struct spd_flow sf;
	struct flow f;
	unsigned i, j, k, n, which;
	bool any;
	int err;

	for (i = 0; i < 1500; i++) {
		rand_list(&tsi, 4);
		rand_list(&tsr, 4);
		n = 1 + rnd(4);
		for (k = 0; k < n; k++)
			conf[k] = rand_selector();
		err = ike_ts_narrow(&tsi, &tsr, conf, n, &oi, &orr, &which);
		REQUIRE(err == 0 || err == -ENOENT);
		for (j = 0; j < 300; j++) {
			bool want, got;

			rand_flow(&f);
			sf = spd_flow_of(&f, true);
			if (err) {
				for (k = 0; k < n; k++)
					CHECK(!(cross_has(&tsi, &tsr, &f) &&
						spd_selector_match(&conf[k],
								   &sf)));
				continue;
			}
			for (k = 0; k < which; k++)
				CHECK(!(cross_has(&tsi, &tsr, &f) &&
					spd_selector_match(&conf[k], &sf)));
			want = cross_has(&tsi, &tsr, &f) &&
			       spd_selector_match(&conf[which], &sf);
			got = cross_has(&oi, &orr, &f);
			for (k = which + 1, any = false; k < n; k++)
				any = any || spd_selector_match(&conf[k], &sf);
			if ((want && !got) ||
			    (got && !(cross_has(&tsi, &tsr, &f) &&
				      (spd_selector_match(&conf[which], &sf) ||
				       any)))) {
				test_fail(__FILE__, __LINE__,
					  "narrowing differs (seed %llu)",
					  (unsigned long long)test_seed());
				return;
			}
		}
		if (!err)
			CHECK_EQ(ike_ts_check(&tsi, &tsr, &oi, &orr), 0);
	}
}

/* Conversion to SPD selectors: a packet in our outbound view (src local)
 * matches one of the selectors exactly when it is in local x remote. */
TEST(ike_ts_to_selectors_property)
{
	static struct spd_selector out[4096];
	struct ike_ts_payload l, r;
	struct spd_flow sf;
	struct flow f;
	unsigned i, j, k, n;
	int err;

	for (i = 0; i < 600; i++) {
		rand_list(&l, 3);
		rand_list(&r, 3);
		err = ike_ts_to_selectors(&l, &r, out, 4096, &n);
		REQUIRE(err == 0 || err == -ENOENT);
		for (j = 0; j < 300; j++) {
			bool want, got = false;

			rand_flow(&f);
			sf = spd_flow_of(&f, false);
			want = cross_has(&l, &r, &f);
			for (k = 0; !err && k < n && !got; k++)
				got = spd_selector_match(&out[k], &sf);
			if (want != got) {
				test_fail(__FILE__, __LINE__,
					  "selectors differ (seed %llu)",
					  (unsigned long long)test_seed());
				return;
			}
		}
	}
}

/* Build then convert back: the selector itself, once per family. */
TEST(ike_ts_build_round_trip)
{
	struct spd_selector s, out[64];
	struct ike_ts_payload tsi, tsr;
	unsigned i, n;

	for (i = 0; i < 2000; i++) {
		s = rand_selector();
		REQUIRE(ike_ts_build(&s, 1, &tsi, &tsr) == 0);
		if (ike_ts_to_selectors(&tsi, &tsr, out, 64, &n)) {
			/* Only sides of different families meet nowhere. */
			CHECK(s.src.addr.family && s.dst.addr.family &&
			      s.src.addr.family != s.dst.addr.family);
			continue;
		}
		if (s.src.addr.family && s.dst.addr.family) {
			CHECK_EQ(n, 1);
			CHECK(!memcmp(&out[0], &s, sizeof(s)));
			continue;
		}
		CHECK(n == 1 || n == 2);
		CHECK_EQ(out[0].proto, s.proto);
		CHECK_EQ(out[0].sport_lo, s.sport_lo);
		CHECK_EQ(out[0].dport_hi, s.dport_hi);
	}
}

/* ---- Known answers and refusals ------------------------------------ */

TEST(ike_ts_build_known)
{
	struct spd_selector s[IKE_TS_MAX + 1];
	struct ike_ts_payload tsi, tsr;
	struct ike_ts want;
	unsigned i;
	char buf[32];

	/* Tunnel: 10.0.0.0/24 -> 10.1.0.0/16, TCP to port 443. */
	s[0] = sel_make("10.0.0.0/24", "10.1.0.0/16", 6, 0, 65535, 443, 443);
	REQUIRE(ike_ts_build(s, 1, &tsi, &tsr) == 0);
	CHECK_EQ(tsi.n, 1);
	CHECK_EQ(tsr.n, 1);
	want = ts_make("10.0.0.0", "10.0.0.255", 6, 0, 65535);
	CHECK(!memcmp(&tsi.ts[0], &want, sizeof(want)));
	want = ts_make("10.1.0.0", "10.1.255.255", 6, 443, 443);
	CHECK(!memcmp(&tsr.ts[0], &want, sizeof(want)));
	/* Transport: host prefixes become single addresses. */
	s[0] = sel_make("192.0.2.1/32", "2001:db8::1/128", 0, 0, 65535, 0,
			65535);
	s[1] = sel_make("192.0.2.1/32", "198.51.100.7/32", 17, 500, 500, 0,
			65535);
	REQUIRE(ike_ts_build(s, 2, &tsi, &tsr) == 0);
	CHECK_EQ(tsi.n, 2);
	CHECK_EQ(tsr.n, 2);
	want = ts_make("2001:db8::1", "2001:db8::1", 0, 0, 65535);
	CHECK(!memcmp(&tsr.ts[0], &want, sizeof(want)));
	want = ts_make("198.51.100.7", "198.51.100.7", 17, 0, 65535);
	CHECK(!memcmp(&tsr.ts[1], &want, sizeof(want)));
	/* Family 0: the whole of both families; duplicates once. */
	s[0] = sel_make(NULL, "10.9.0.0/16", 0, 0, 65535, 0, 65535);
	s[1] = s[0];
	REQUIRE(ike_ts_build(s, 2, &tsi, &tsr) == 0);
	CHECK_EQ(tsi.n, 2);
	CHECK_EQ(tsr.n, 1);
	want = ts_make("0.0.0.0", "255.255.255.255", 0, 0, 65535);
	CHECK(!memcmp(&tsi.ts[0], &want, sizeof(want)));
	want = ts_make("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, 0,
		       65535);
	CHECK(!memcmp(&tsi.ts[1], &want, sizeof(want)));
	/* Refusals. */
	CHECK_EQ(ike_ts_build(s, 0, &tsi, &tsr), -EINVAL);
	s[0] = sel_make("10.0.0.0/8", "10.1.0.0/16", 0, 0, 65535, 9, 8);
	CHECK_EQ(ike_ts_build(s, 1, &tsi, &tsr), -EINVAL);
	s[0] = sel_make("10.0.0.0/8", "10.1.0.0/16", 0, 0, 65535, 0, 65535);
	s[0].src.len = 33;
	CHECK_EQ(ike_ts_build(s, 1, &tsi, &tsr), -EINVAL);
	s[0].src.len = 8;
	s[0].dst.addr.family = 99;
	CHECK_EQ(ike_ts_build(s, 1, &tsi, &tsr), -EINVAL);
	for (i = 0; i <= IKE_TS_MAX; i++) {
		snprintf(buf, sizeof(buf), "10.0.%u.0/24", i);
		s[i] = sel_make(buf, "10.200.0.0/16", 0, 0, 65535, 0, 65535);
	}
	CHECK_EQ(ike_ts_build(s, IKE_TS_MAX, &tsi, &tsr), 0);
	CHECK_EQ(tsi.n, IKE_TS_MAX);
	CHECK_EQ(ike_ts_build(s, IKE_TS_MAX + 1, &tsi, &tsr), -E2BIG);
}

static void list1(struct ike_ts_payload *l, struct ike_ts t)
{
	l->n = 1;
	l->ts[0] = t;
}

TEST(ike_ts_narrow_known)
{
	struct ike_ts_payload tsi, tsr, oi, orr;
	struct spd_selector conf[3];
	struct ike_ts want;
	unsigned which = 99;

	/* The initiator asks for 10.0.0.0/16 <-> 10.1.0.0/16, any protocol;
	 * we (responder: src = our side, 10.1.x) allow TCP 10.1.2.0/24
	 * port 80 and, second, anything for 10.1.0.0/16 <- 10.0.5.0/24. */
	list1(&tsi, ts_make("10.0.0.0", "10.0.255.255", 0, 0, 65535));
	list1(&tsr, ts_make("10.1.0.0", "10.1.255.255", 0, 0, 65535));
	conf[0] = sel_make("10.1.2.0/24", "10.0.0.0/8", 6, 80, 80, 0, 65535);
	conf[1] = sel_make("10.1.0.0/16", "10.0.5.0/24", 0, 0, 65535, 0,
			   65535);
	REQUIRE(ike_ts_narrow(&tsi, &tsr, conf, 2, &oi, &orr, &which) == 0);
	CHECK_EQ(which, 0);
	want = ts_make("10.0.0.0", "10.0.255.255", 6, 0, 65535);
	CHECK(oi.n == 1 && !memcmp(&oi.ts[0], &want, sizeof(want)));
	want = ts_make("10.1.2.0", "10.1.2.255", 6, 80, 80);
	CHECK(orr.n == 1 && !memcmp(&orr.ts[0], &want, sizeof(want)));
	/* UDP only: the TCP selector leaves nothing, the second wins. */
	list1(&tsi, ts_make("10.0.0.0", "10.0.255.255", 17, 0, 65535));
	list1(&tsr, ts_make("10.1.0.0", "10.1.255.255", 17, 0, 65535));
	REQUIRE(ike_ts_narrow(&tsi, &tsr, conf, 2, &oi, &orr, &which) == 0);
	CHECK_EQ(which, 1);
	want = ts_make("10.0.5.0", "10.0.5.255", 17, 0, 65535);
	CHECK(oi.n == 1 && !memcmp(&oi.ts[0], &want, sizeof(want)));
	/* Nothing in common: TS_UNACCEPTABLE. */
	list1(&tsi, ts_make("192.168.0.0", "192.168.0.255", 0, 0, 65535));
	CHECK_EQ(ike_ts_narrow(&tsi, &tsr, conf, 2, &oi, &orr, &which),
		 -ENOENT);
	CHECK_EQ(ike_ts_narrow(&tsi, &tsr, conf, 0, &oi, &orr, &which),
		 -ENOENT);
	/* Mixed families against a family-0 selector: the IPv6 pair is kept,
	 * the IPv4 TSi entry without an IPv4 TSr partner is dropped. */
	tsi.n = 2;
	tsi.ts[0] = ts_make("10.0.0.0", "10.0.0.255", 0, 0, 65535);
	tsi.ts[1] = ts_make("2001:db8::", "2001:db8::ff", 0, 0, 65535);
	list1(&tsr, ts_make("2001:db8:1::", "2001:db8:1::ff", 0, 0, 65535));
	conf[0] = sel_make(NULL, NULL, 0, 0, 65535, 0, 65535);
	REQUIRE(ike_ts_narrow(&tsi, &tsr, conf, 1, &oi, &orr, &which) == 0);
	CHECK(oi.n == 1 && !memcmp(&oi.ts[0], &tsi.ts[1], sizeof(tsi.ts[1])));
	CHECK(orr.n == 1 && !memcmp(&orr.ts[0], &tsr.ts[0],
				    sizeof(tsr.ts[0])));
	/* Protocols that cannot meet across the two sides. */
	list1(&tsi, ts_make("10.0.0.0", "10.0.0.255", 6, 0, 65535));
	list1(&tsr, ts_make("10.1.0.0", "10.1.0.255", 17, 0, 65535));
	CHECK_EQ(ike_ts_narrow(&tsi, &tsr, conf, 1, &oi, &orr, &which),
		 -ENOENT);
	/* ICMP type/code as a plain range: 8/0 (echo request) is 0x0800. */
	list1(&tsi, ts_make("10.0.0.1", "10.0.0.1", 1, 0x0800, 0x08ff));
	list1(&tsr, ts_make("10.1.0.1", "10.1.0.1", 1, 0, 65535));
	conf[0] = sel_make("10.1.0.0/24", "10.0.0.0/24", 1, 0, 65535, 0x0800,
			   0x0800);
	REQUIRE(ike_ts_narrow(&tsi, &tsr, conf, 1, &oi, &orr, &which) == 0);
	CHECK(oi.ts[0].start_port == 0x0800 && oi.ts[0].end_port == 0x0800);
	/* Refusals. */
	tsi.ts[0].start_port = 9;
	tsi.ts[0].end_port = 8;
	CHECK_EQ(ike_ts_narrow(&tsi, &tsr, conf, 1, &oi, &orr, &which),
		 -EINVAL);
	list1(&tsi, ts_make("10.0.0.1", "10.0.0.1", 1, 0, 65535));
	conf[0].dst.len = 40;
	CHECK_EQ(ike_ts_narrow(&tsi, &tsr, conf, 1, &oi, &orr, &which),
		 -EINVAL);
}

/* Selectors whose results cannot pair (other protocols) are joined into
 * one Child SA; one that would pair with what is there (TCP and TCP) is
 * left out, as the cross product would widen it. */
TEST(ike_ts_narrow_joins_disjoint)
{
	struct ike_ts_payload tsi, tsr, oi, orr;
	struct spd_selector conf[3], sel[16];
	struct ike_ts want;
	unsigned which = 99, n, k;

	/* The initiator (10.0.0.1) proposes ICMP, all TCP and UDP to any
	 * port of 10.1.0.1; we (10.1.0.1) allow ICMP, TCP to our port 80,
	 * then TCP from our port 80. */
	tsi.n = 3;
	tsi.ts[0] = ts_make("10.0.0.1", "10.0.0.1", 1, 0, 65535);
	tsi.ts[1] = ts_make("10.0.0.1", "10.0.0.1", 6, 0, 65535);
	tsi.ts[2] = ts_make("10.0.0.1", "10.0.0.1", 17, 0, 65535);
	tsr = tsi;
	for (k = 0; k < 3; k++) {
		memcpy(tsr.ts[k].start, (uint8_t[]){ 10, 1, 0, 1 }, 4);
		memcpy(tsr.ts[k].end, (uint8_t[]){ 10, 1, 0, 1 }, 4);
	}
	conf[0] = sel_make("10.1.0.1/32", "10.0.0.1/32", 1, 0, 65535, 0,
			   65535);
	conf[1] = sel_make("10.1.0.1/32", "10.0.0.1/32", 6, 80, 80, 0, 65535);
	conf[2] = sel_make("10.1.0.1/32", "10.0.0.1/32", 6, 0, 65535, 80, 80);
	REQUIRE(ike_ts_narrow(&tsi, &tsr, conf, 3, &oi, &orr, &which) == 0);
	CHECK_EQ(which, 0);
	REQUIRE(oi.n == 2 && orr.n == 2);
	want = ts_make("10.0.0.1", "10.0.0.1", 6, 0, 65535);
	CHECK(!memcmp(&oi.ts[1], &want, sizeof(want)));
	want = ts_make("10.1.0.1", "10.1.0.1", 6, 80, 80);
	CHECK(!memcmp(&orr.ts[1], &want, sizeof(want)));
	CHECK_EQ(ike_ts_check(&tsi, &tsr, &oi, &orr), 0);
	/* Our view: exactly ICMP and TCP from our port 80. */
	REQUIRE(ike_ts_to_selectors(&orr, &oi, sel, 16, &n) == 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(sel[0].proto, 1);
	CHECK(sel[1].proto == 6 && sel[1].sport_lo == 80 &&
	      sel[1].sport_hi == 80 && sel[1].dport_lo == 0 &&
	      sel[1].dport_hi == 65535);
	/* A selector of any protocol takes the whole request: granted as
	 * asked, whatever comes before it. */
	conf[1] = sel_make("10.1.0.1/32", "10.0.0.1/32", 0, 0, 65535, 0,
			   65535);
	REQUIRE(ike_ts_narrow(&tsi, &tsr, conf, 2, &oi, &orr, &which) == 0);
	CHECK_EQ(which, 1);
	CHECK(oi.n == 3 && orr.n == 3);
	CHECK_EQ(ike_ts_check(&oi, &orr, &tsi, &tsr), 0);
	/* Without it, ICMP alone: the first selector, and nothing joins
	 * an any-protocol request entry. */
	conf[1] = sel_make("10.1.0.1/32", "10.0.0.1/32", 17, 53, 53, 0, 65535);
	REQUIRE(ike_ts_narrow(&tsi, &tsr, conf, 1, &oi, &orr, &which) == 0);
	CHECK(oi.n == 1 && orr.n == 1 && oi.ts[0].ip_proto == 1);
}

TEST(ike_ts_check_known)
{
	struct ike_ts_payload oi, orr, gi, gr;

	oi.n = 2;
	oi.ts[0] = ts_make("10.0.0.0", "10.0.0.255", 0, 0, 65535);
	oi.ts[1] = ts_make("10.0.1.0", "10.0.1.255", 0, 0, 65535);
	list1(&orr, ts_make("10.1.0.0", "10.1.255.255", 6, 0, 65535));
	/* Narrower on every axis: accepted. */
	list1(&gi, ts_make("10.0.0.16", "10.0.0.31", 6, 1000, 2000));
	list1(&gr, ts_make("10.1.0.0", "10.1.0.0", 6, 443, 443));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), 0);
	CHECK_EQ(ike_ts_check(&oi, &orr, &oi, &orr), 0);
	/* Wider address, another protocol where ours was specific, wider
	 * ports, another family, empty: refused. */
	list1(&gi, ts_make("10.0.0.0", "10.0.2.0", 0, 0, 65535));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
	list1(&gi, ts_make("10.0.0.1", "10.0.0.1", 0, 0, 65535));
	list1(&gr, ts_make("10.1.0.0", "10.1.0.0", 17, 443, 443));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
	list1(&gr, ts_make("10.1.0.0", "10.1.0.0", 0, 443, 443));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
	list1(&gr, ts_make("::1", "::1", 6, 443, 443));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
	gr.n = 0;
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
	/* Ports past ours at either end. */
	list1(&orr, ts_make("10.1.0.0", "10.1.255.255", 6, 1000, 2000));
	list1(&gr, ts_make("10.1.0.0", "10.1.0.0", 6, 1500, 2001));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
	list1(&gr, ts_make("10.1.0.0", "10.1.0.0", 6, 999, 1500));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
	list1(&gr, ts_make("10.1.0.0", "10.1.0.0", 6, 1000, 2000));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), 0);
	/* Spanning two adjacent entries of ours: refused (documented). */
	list1(&gi, ts_make("10.0.0.128", "10.0.1.5", 0, 0, 65535));
	list1(&gr, ts_make("10.1.0.0", "10.1.0.0", 6, 443, 443));
	CHECK_EQ(ike_ts_check(&oi, &orr, &gi, &gr), -EBADMSG);
}

TEST(ike_ts_to_selectors_known)
{
	struct ike_ts_payload l, r;
	struct spd_selector out[8], want;
	unsigned n;

	/* 10.0.0.1-10.0.0.6 x 10.1.0.0/24: 4 selectors, ports kept. */
	list1(&l, ts_make("10.0.0.1", "10.0.0.6", 6, 1024, 65535));
	list1(&r, ts_make("10.1.0.0", "10.1.0.255", 0, 22, 22));
	REQUIRE(ike_ts_to_selectors(&l, &r, out, 8, &n) == 0);
	CHECK_EQ(n, 4);
	want = sel_make("10.0.0.4/31", "10.1.0.0/24", 6, 1024, 65535, 22, 22);
	CHECK(!memcmp(&out[2], &want, sizeof(want)));
	CHECK_EQ(ike_ts_to_selectors(&l, &r, out, 3, &n), -E2BIG);
	/* An entry listed twice gives its selectors once. */
	l.ts[1] = l.ts[0];
	l.n = 2;
	REQUIRE(ike_ts_to_selectors(&l, &r, out, 8, &n) == 0);
	CHECK_EQ(n, 4);
	CHECK(!memcmp(&out[2], &want, sizeof(want)));
	l.n = 1;
	/* Families or protocols that never meet: nothing. */
	list1(&r, ts_make("::", "::ff", 0, 0, 65535));
	CHECK_EQ(ike_ts_to_selectors(&l, &r, out, 8, &n), -ENOENT);
	list1(&r, ts_make("10.1.0.0", "10.1.0.255", 17, 0, 65535));
	CHECK_EQ(ike_ts_to_selectors(&l, &r, out, 8, &n), -ENOENT);
	r.ts[0].type = 0;
	CHECK_EQ(ike_ts_to_selectors(&l, &r, out, 8, &n), -EINVAL);
}

/* A join that would need more SPD selectors than a Child SA holds falls
 * back to the first selector alone (nego_ts_narrow). Address ranges that
 * are not prefixes take several each: 10.x.0.1 - 10.x.0.6 is four (/32,
 * /31, /31, /32), a pair of them sixteen, IKE_SEL_MAX. */
TEST(ike_ts_nego_join_fallback)
{
	static struct ike_peer_cfg cfg;
	struct ike_ts_payload tsi, tsr, oi, orr;
	struct spd_selector sel[IKE_SEL_MAX];
	unsigned n = 0;

	tsi.n = 2;
	tsi.ts[0] = ts_make("10.0.0.1", "10.0.0.6", 1, 0, 65535);
	tsi.ts[1] = ts_make("10.0.0.1", "10.0.0.6", 6, 0, 65535);
	tsr.n = 2;
	tsr.ts[0] = ts_make("10.1.0.1", "10.1.0.6", 1, 0, 65535);
	tsr.ts[1] = ts_make("10.1.0.1", "10.1.0.6", 6, 0, 65535);
	cfg.sel[0] = sel_make(NULL, NULL, 1, 0, 65535, 0, 65535);
	cfg.sel[1] = sel_make(NULL, NULL, 6, 0, 65535, 0, 65535);
	cfg.nsel = 2;
	REQUIRE(nego_ts_narrow(&cfg, &tsi, &tsr, &oi, &orr, sel, &n) == 0);
	CHECK_EQ(n, 16);
	CHECK(oi.n == 1 && orr.n == 1 && oi.ts[0].ip_proto == 1);
	/* Narrower ranges: ICMP one pair of prefixes, TCP two by two; both
	 * fit, joined. */
	tsi.ts[0] = ts_make("10.0.0.2", "10.0.0.3", 1, 0, 65535);
	tsr.ts[0] = ts_make("10.1.0.2", "10.1.0.3", 1, 0, 65535);
	tsi.ts[1] = ts_make("10.0.0.1", "10.0.0.3", 6, 0, 65535);
	tsr.ts[1] = ts_make("10.1.0.1", "10.1.0.3", 6, 0, 65535);
	REQUIRE(nego_ts_narrow(&cfg, &tsi, &tsr, &oi, &orr, sel, &n) == 0);
	CHECK_EQ(n, 5);
	CHECK(oi.n == 2 && orr.n == 2);
}
