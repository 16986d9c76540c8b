/* SPDX-License-Identifier: MIT */
/*
 * Stateless cookies (RFC 7296 §2.6) and the half-open bound per source
 * (src/ike/cookie.h), in memory: engine A (10.0.0.1) initiates to engine
 * B (10.0.0.2); B also knows NFLOOD peers 10.0.0.100.. that never run an
 * engine: the test forges their IKE_SA_INIT requests (A's first request,
 * captured once, with a new SPIi and, when asked, a COOKIE notification)
 * and collects what B answers them.
 */
#include <errno.h>
#include <openssl/rand.h>
#include <string.h>

#include "ike/cookie.h"
#include "ike/ike.h"
#include "ike/prf.h"
#include "test.h"
#include "util/bytes.h"

#define NFLOOD 40
#define FLOOD0 100               /* last byte of the first flood address */
#define QMAX 64
#define DGRAM_MAX 2048
#define FROM_A_MAX 8

struct dgram {
	struct ike_endpoint from, dst;
	uint8_t buf[DGRAM_MAX];
	size_t len;
};

static struct ike eng_a, eng_b;
static struct ike_peer_cfg cfg_a, cfg_b[1 + NFLOOD];
static struct dgram queue[QMAX];
static unsigned qlen;
static struct dgram sink;        /* B's last answer to a flood address */
static unsigned nsink;
static struct dgram from_a[FROM_A_MAX]; /* what A sent B, in order */
static unsigned nfrom_a;
static uint64_t clock_ms;
static bool fixed_random;        /* env.random gives 0xa0, 0xa1, ... */
static uint8_t tmpl[DGRAM_MAX];  /* A's first IKE_SA_INIT request */
static size_t tmpl_len;
static uint8_t tmpl_ni[IKE_NONCE_MAX];
static size_t tmpl_ni_len;

static void endpoint(struct ike_endpoint *e, uint8_t last)
{
	memset(e, 0, sizeof(*e));
	e->addr.family = AF_INET;
	e->addr.bytes[0] = 10;
	e->addr.bytes[3] = last;
	e->port = IKE_PORT;
}

static int env_send(void *ctx, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, bool marker,
		    const uint8_t *buf, size_t len)
{
	struct dgram *d;

	(void)ctx;
	(void)marker;
	if (len > DGRAM_MAX)
		return -EMSGSIZE;
	if (remote->addr.bytes[3] >= FLOOD0) {
		d = &sink;
		nsink++;
	} else if (qlen < QMAX) {
		d = &queue[qlen++];
	} else {
		return -ENOBUFS;
	}
	d->from = *local;
	d->dst = *remote;
	memcpy(d->buf, buf, len);
	d->len = len;
	return 0;
}

/* What the keys process computes (RFC 7296 §2.15); one key for all. */
static int env_auth(void *ctx, unsigned peer, enum ike_prf_alg prf,
		    const uint8_t *octets, size_t len, uint8_t *out,
		    size_t out_len)
{
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t psk[32], k[IKE_PRF_LEN_MAX];
	struct ike_bytes p = { (const uint8_t *)pad, sizeof(pad) - 1 };
	struct ike_bytes o = { octets, len };

	(void)ctx;
	(void)peer;
	memset(psk, 0x5a, sizeof(psk));
	if (out_len != ike_prf_len(prf) ||
	    ike_prf(prf, psk, sizeof(psk), &p, 1, k))
		return -EINVAL;
	return ike_prf(prf, k, out_len, &o, 1, out);
}

static int env_child_up(void *ctx, const struct ike_child_sa *c,
			unsigned halves)
{
	(void)ctx;
	(void)c;
	(void)halves;
	return 0;
}

static void env_child_down(void *ctx, unsigned peer, uint32_t in,
			   uint32_t out)
{
	(void)ctx;
	(void)peer;
	(void)in;
	(void)out;
}

static uint64_t env_now(void *ctx)
{
	(void)ctx;
	return clock_ms;
}

static void env_random(void *ctx, void *buf, size_t len)
{
	size_t i;

	(void)ctx;
	if (!fixed_random) {
		RAND_bytes(buf, (int)len);
		return;
	}
	for (i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(0xa0 + i);
}

static const struct ike_env test_env = {
	.send = env_send, .auth_psk = env_auth, .child_up = env_child_up,
	.child_down = env_child_down, .now_ms = env_now, .random = env_random,
};

static void peer_cfg(struct ike_peer_cfg *c, const char *name, uint8_t local,
		     uint8_t remote)
{
	struct spd_selector *sel = &c->sel[0];
	const char *why;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	endpoint(&c->local, local);
	endpoint(&c->remote, remote);
	c->esp_port = IKE_NATT_PORT;
	c->local_id.type = c->remote_id.type = IKE_ID_IPV4_ADDR;
	memcpy(c->local_id.data, c->local.addr.bytes, 4);
	memcpy(c->remote_id.data, c->remote.addr.bytes, 4);
	c->local_id.len = c->remote_id.len = 4;
	ike_proposals_parse("aes256gcm16-prfsha256-x25519", IKE_PROP_IKE,
			    c->ike, IKE_OFFERS_MAX, &c->nike, &why, NULL, 0);
	ike_proposals_parse("aes256gcm16", IKE_PROP_ESP, c->esp,
			    IKE_OFFERS_MAX, &c->nesp, &why, NULL, 0);
	c->mode = ESP_MODE_TRANSPORT;
	sel->src.addr = c->local.addr;
	sel->src.len = 32;
	sel->dst.addr = c->remote.addr;
	sel->dst.len = 32;
	sel->sport_hi = sel->dport_hi = 0xffff;
	c->nsel = 1;
	c->start = IKE_START_WAIT;
	c->rtx_ms = 1000;
	c->rtx_tries = 3;
	c->dpd_s = 30;
}

/* A's first request, captured from an engine of its own, and its nonce. */
static bool capture_template(void)
{
	struct ike t;
	struct ike_msg m;
	const uint8_t *ni;
	int at;

	if (ike_init(&t, &test_env, &cfg_a, 1) || ike_up(&t, 0) || qlen != 1)
		return false;
	tmpl_len = queue[0].len;
	memcpy(tmpl, queue[0].buf, tmpl_len);
	qlen = 0;
	ike_free(&t);
	if (ike_msg_parse(tmpl, tmpl_len, &m) != IKE_PARSE_OK)
		return false;
	at = ike_chain_find(&m.chain, IKE_PL_NONCE, 0);
	if (at < 0 || ike_decode_nonce(m.chain.pl[at].body, &ni,
				       &tmpl_ni_len) != IKE_PARSE_OK)
		return false;
	memcpy(tmpl_ni, ni, tmpl_ni_len);
	return true;
}

static bool engines_start(void)
{
	unsigned i;
	char name[16];

	qlen = nsink = nfrom_a = 0;
	clock_ms = 1000;
	fixed_random = false;
	peer_cfg(&cfg_a, "b", 1, 2);
	peer_cfg(&cfg_b[0], "a", 2, 1);
	for (i = 0; i < NFLOOD; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		peer_cfg(&cfg_b[1 + i], name, 2, (uint8_t)(FLOOD0 + i));
	}
	return capture_template() &&
	       !ike_init(&eng_a, &test_env, &cfg_a, 1) &&
	       !ike_init(&eng_b, &test_env, cfg_b, 1 + NFLOOD);
}

static void engines_stop(void)
{
	ike_free(&eng_a);
	ike_free(&eng_b);
}

/* Deliver queued datagrams (A's to B, B's to A) until none is left. */
static void pump(void)
{
	unsigned rounds;

	for (rounds = 0; qlen && rounds < 200; rounds++) {
		struct dgram d = queue[0];
		bool to_b = d.dst.addr.bytes[3] == 2;

		memmove(queue, queue + 1, --qlen * sizeof(queue[0]));
		if (to_b && nfrom_a < FROM_A_MAX)
			from_a[nfrom_a++] = d;
		ike_input(to_b ? &eng_b : &eng_a, &d.dst, &d.from, d.buf,
			  d.len);
	}
}

/* The template as from another initiator (SPIi spi), with a COOKIE
 * notification of cookie[0..clen) (none when clen is 0) as the first
 * payload, or else as the last. Returns the length. */
static size_t forge(uint8_t *out, uint64_t spi, const uint8_t *cookie,
		    size_t clen, bool first)
{
	size_t at = first ? 28 : tmpl_len, n = 8 + clen;
	uint8_t *p;
	struct ike_msg m;

	memcpy(out, tmpl, tmpl_len);
	put_be64(out, spi);
	if (!clen)
		return tmpl_len;
	if (first) {
		memmove(out + 28 + n, out + 28, tmpl_len - 28);
		out[28] = out[16];       /* the notification's Next Payload */
		out[16] = IKE_PL_NOTIFY;
	} else {
		ike_msg_parse(tmpl, tmpl_len, &m);
		out[m.chain.pl[m.chain.n - 1].off] = IKE_PL_NOTIFY;
		out[at] = 0;
	}
	p = out + at;
	p[1] = 0;
	put_be16(p + 2, (uint16_t)n);
	p[4] = p[5] = 0;                 /* no protocol, no SPI */
	put_be16(p + 6, IKE_N_COOKIE);
	memcpy(p + 8, cookie, clen);
	put_be32(out + 24, (uint32_t)(tmpl_len + n));
	return tmpl_len + n;
}

static void src_of(struct ike_endpoint *e, unsigned flood)
{
	endpoint(e, (uint8_t)(FLOOD0 + flood));
	e->port = 40000;
}

/* A forged request from flood address number flood to B. */
static void send_forged(unsigned flood, uint64_t spi, const uint8_t *cookie,
			size_t clen, bool first)
{
	static uint8_t buf[DGRAM_MAX];
	struct ike_endpoint from;
	size_t len = forge(buf, spi, cookie, clen, first);

	src_of(&from, flood);
	ike_input(&eng_b, &cfg_b[0].local, &from, buf, len);
	pump();
}

static void req_of(struct ike_cookie_req *r, unsigned flood, uint64_t spi)
{
	struct ike_endpoint e;

	src_of(&e, flood);
	r->spi_i = spi;
	r->ip = e.addr;
	r->ni = tmpl_ni;
	r->ni_len = tmpl_ni_len;
}

/* Our own cookie for a forged request: what B would give. */
static void cookie_for(unsigned flood, uint64_t spi,
		       uint8_t out[IKE_COOKIE_LEN])
{
	struct ike_cookie_req r;

	req_of(&r, flood, spi);
	CHECK(ike_cookie_make(&eng_b, &r, out) == 0);
}

/* Fill B with IKE_COOKIE_THRESHOLD half-open SAs from flood addresses
 * 0.., two each (below the per-source cookie trigger). */
static void fill_to_threshold(void)
{
	unsigned i;

	for (i = 0; i < IKE_COOKIE_THRESHOLD; i++)
		send_forged(i / IKE_COOKIE_PER_SOURCE, 0x1000 + i, NULL, 0,
			    true);
	CHECK_EQ(eng_b.half_open, IKE_COOKIE_THRESHOLD);
	CHECK_EQ(eng_b.stats.cookies_sent, 0);
}

/* B's last answer to a flood address is N(COOKIE) alone for SPIi spi;
 * the cookie is copied to out. */
static bool sink_is_cookie(uint64_t spi, uint8_t out[IKE_COOKIE_LEN])
{
	struct ike_msg m;
	struct ike_notify n;

	if (ike_msg_parse(sink.buf, sink.len, &m) != IKE_PARSE_OK ||
	    m.hdr.exchange != IKE_EXCH_SA_INIT || m.hdr.msg_id ||
	    !(m.hdr.flags & IKE_FLAG_RESPONSE) || m.hdr.spi_i != spi ||
	    m.hdr.spi_r || m.chain.n != 1 ||
	    m.chain.pl[0].type != IKE_PL_NOTIFY ||
	    ike_decode_notify(m.chain.pl[0].body, &n) != IKE_PARSE_OK ||
	    n.type != IKE_N_COOKIE || n.len != IKE_COOKIE_LEN)
		return false;
	memcpy(out, n.data, IKE_COOKIE_LEN);
	return true;
}

static const char *state_of_peer(const struct ike *ike, unsigned peer)
{
	struct ike_sa_info info;
	unsigned i;

	for (i = 0; ike_sa_get(ike, i, &info); i++)
		if (info.peer == peer)
			return info.state;
	return "none";
}

static bool first_is_cookie(const struct dgram *d)
{
	struct ike_msg m;
	struct ike_notify n;

	return ike_msg_parse(d->buf, d->len, &m) == IKE_PARSE_OK &&
	       m.chain.n && m.chain.pl[0].type == IKE_PL_NOTIFY &&
	       ike_decode_notify(m.chain.pl[0].body, &n) == IKE_PARSE_OK &&
	       n.type == IKE_N_COOKIE;
}

/* ---- the cookie itself ---- */

/* Known answers: HMAC-SHA-256 computed by Python's `cryptography`
 * (/usr/bin/python3, cryptography 38), independently of the C code:
 *
 *   from cryptography.hazmat.primitives import hashes, hmac
 *   import struct, ipaddress
 *   def cookie(secret, ver, spi, ni, ip):
 *       a = ipaddress.ip_address(ip)
 *       h = hmac.HMAC(secret, hashes.SHA256())
 *       h.update(bytes([ver, a.version]) + struct.pack('>QH', spi, len(ni))
 *                + ni + a.packed)
 *       return (bytes([ver]) + h.finalize()[:16]).hex()
 *   secret = bytes(0xa0 + i for i in range(32))
 *   cookie(secret, 1, 0x0102030405060708, bytes([0x11] * 32), '10.0.0.1')
 *   cookie(secret, 1, 0xfedcba9876543210, bytes([0x22] * 16), 'fd00::1')
 *
 * The secret is what the fixed env.random gives; version 1 is the first. */
static const struct {
	uint64_t spi;
	uint8_t ni_byte;
	size_t ni_len;
	const char *ip;
	const char *cookie;
} kat[] = {
	{ 0x0102030405060708ull, 0x11, 32, "10.0.0.1",
	  "017e4c4048943faca82e7d886e9dc55d63" },
	{ 0xfedcba9876543210ull, 0x22, 16, "fd00::1",
	  "010b052f4e220b1d8a13efb983df9b658b" },
};

static void unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i++) {
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

TEST(ike_cookie_known_answers)
{
	uint8_t ni[64], got[IKE_COOKIE_LEN], want[IKE_COOKIE_LEN];
	struct ike_cookie_req r;
	unsigned i;

	REQUIRE(engines_start());
	fixed_random = true;
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		memset(&r, 0, sizeof(r));
		memset(ni, kat[i].ni_byte, kat[i].ni_len);
		r.spi_i = kat[i].spi;
		r.ni = ni;
		r.ni_len = kat[i].ni_len;
		REQUIRE(addr_parse(kat[i].ip, &r.ip) == 0);
		unhex(kat[i].cookie, want, sizeof(want));
		CHECK(ike_cookie_make(&eng_b, &r, got) == 0);
		CHECK_MEM(got, want, sizeof(want));
		CHECK(ike_cookie_verify(&eng_b, &r, want, sizeof(want)));
	}
	engines_stop();
}

/* Every change to the cookie or to what it binds is refused. */
TEST(ike_cookie_refusals)
{
	uint8_t c[IKE_COOKIE_LEN], bad[IKE_COOKIE_MAX], ni[IKE_NONCE_MAX];
	struct ike_cookie_req r, r2;
	unsigned bit, len;

	REQUIRE(engines_start());
	req_of(&r, 0, 0x1234);
	REQUIRE(ike_cookie_make(&eng_b, &r, c) == 0);
	CHECK(ike_cookie_verify(&eng_b, &r, c, sizeof(c)));
	for (bit = 0; bit < sizeof(c) * 8; bit++) {
		memcpy(bad, c, sizeof(c));
		bad[bit / 8] ^= (uint8_t)(1u << bit % 8);
		CHECK(!ike_cookie_verify(&eng_b, &r, bad, sizeof(c)));
	}
	memset(bad, 0, sizeof(bad));
	memcpy(bad, c, sizeof(c));
	for (len = 0; len <= IKE_COOKIE_MAX; len++)
		if (len != IKE_COOKIE_LEN)
			CHECK(!ike_cookie_verify(&eng_b, &r, bad, len));
	r2 = r;
	r2.spi_i ^= 1;
	CHECK(!ike_cookie_verify(&eng_b, &r2, c, sizeof(c)));
	r2 = r;
	r2.ip.bytes[3] ^= 1;
	CHECK(!ike_cookie_verify(&eng_b, &r2, c, sizeof(c)));
	r2 = r;
	r2.ip.family = AF_INET6;         /* the same bytes, another family */
	CHECK(!ike_cookie_verify(&eng_b, &r2, c, sizeof(c)));
	memcpy(ni, tmpl_ni, tmpl_ni_len);
	ni[tmpl_ni_len - 1] ^= 0x80;
	r2 = r;
	r2.ni = ni;
	CHECK(!ike_cookie_verify(&eng_b, &r2, c, sizeof(c)));
	r2 = r;
	r2.ni_len--;                     /* a prefix of the same nonce */
	CHECK(!ike_cookie_verify(&eng_b, &r2, c, sizeof(c)));
	/* Inputs the cookie cannot be made for. */
	r2 = r;
	r2.ni_len = IKE_NONCE_MIN - 1;
	CHECK(ike_cookie_make(&eng_b, &r2, bad) == -EINVAL);
	CHECK(!ike_cookie_verify(&eng_b, &r2, c, sizeof(c)));
	r2 = r;
	r2.ip.family = 0;
	CHECK(ike_cookie_make(&eng_b, &r2, bad) == -EINVAL);
	engines_stop();
}

/* The secret changes every IKE_COOKIE_SECRET_MS; a cookie of the
 * previous one is still taken, one older is not. */
TEST(ike_cookie_secret_rotation)
{
	uint8_t c0[IKE_COOKIE_LEN], c1[IKE_COOKIE_LEN], c2[IKE_COOKIE_LEN];
	struct ike_cookie_req r;

	REQUIRE(engines_start());
	req_of(&r, 0, 0x77);
	REQUIRE(ike_cookie_make(&eng_b, &r, c0) == 0);
	clock_ms += IKE_COOKIE_SECRET_MS - 1;
	CHECK(ike_cookie_verify(&eng_b, &r, c0, sizeof(c0)));
	clock_ms += 1;                   /* the first change */
	REQUIRE(ike_cookie_make(&eng_b, &r, c1) == 0);
	CHECK(c1[0] != c0[0]);
	CHECK(memcmp(c1, c0, sizeof(c0)));
	CHECK(ike_cookie_verify(&eng_b, &r, c0, sizeof(c0)));
	CHECK(ike_cookie_verify(&eng_b, &r, c1, sizeof(c1)));
	/* A cookie with c0's version but c1's MAC, and the reverse. */
	c2[0] = c0[0];
	memcpy(c2 + 1, c1 + 1, IKE_COOKIE_MAC_LEN);
	CHECK(!ike_cookie_verify(&eng_b, &r, c2, sizeof(c2)));
	c2[0] = c1[0];
	memcpy(c2 + 1, c0 + 1, IKE_COOKIE_MAC_LEN);
	CHECK(!ike_cookie_verify(&eng_b, &r, c2, sizeof(c2)));
	clock_ms += IKE_COOKIE_SECRET_MS; /* the second: c0 is gone */
	CHECK(!ike_cookie_verify(&eng_b, &r, c0, sizeof(c0)));
	CHECK(ike_cookie_verify(&eng_b, &r, c1, sizeof(c1)));
	/* After a long quiet time no old cookie is taken. */
	clock_ms += 10 * IKE_COOKIE_SECRET_MS;
	CHECK(!ike_cookie_verify(&eng_b, &r, c1, sizeof(c1)));
	engines_stop();
}

/* ---- the responder's policy ---- */

/* Below the threshold nothing asks for a cookie; a bad one is ignored
 * (§2.6: processed as if none had been included). */
TEST(ike_cookie_below_threshold_none)
{
	uint8_t junk[IKE_COOKIE_LEN];

	REQUIRE(engines_start());
	REQUIRE(ike_up(&eng_a, 0) == 0);
	pump();
	CHECK(!strcmp(state_of_peer(&eng_a, 0), "established"));
	CHECK(!strcmp(state_of_peer(&eng_b, 0), "established"));
	CHECK_EQ(eng_b.stats.cookies_sent, 0);
	REQUIRE(nfrom_a >= 1);
	CHECK(!first_is_cookie(&from_a[0]));
	memset(junk, 0xee, sizeof(junk));
	send_forged(0, 0x99, junk, sizeof(junk), true);
	CHECK_EQ(eng_b.stats.cookies_bad, 1);
	CHECK_EQ(eng_b.stats.cookies_sent, 0);
	CHECK_EQ(eng_b.half_open, 1);
	CHECK_EQ(nsink, 1);              /* the IKE_SA_INIT answer */
	engines_stop();
}

/* At the threshold a request without a cookie gets N(COOKIE) and leaves
 * nothing behind; the engine as initiator echoes it and gets in; the
 * cookie B sent a forged address works once echoed. */
TEST(ike_cookie_above_threshold)
{
	uint8_t c[IKE_COOKIE_LEN];
	struct ike_cookie_req r;
	unsigned i, nsas;

	REQUIRE(engines_start());
	fill_to_threshold();
	nsas = eng_b.nsas;
	send_forged(20, 0x5000, NULL, 0, true);
	CHECK_EQ(eng_b.nsas, nsas);
	CHECK_EQ(eng_b.stats.cookies_sent, 1);
	REQUIRE(sink_is_cookie(0x5000, c));
	req_of(&r, 20, 0x5000);
	CHECK(ike_cookie_verify(&eng_b, &r, c, sizeof(c)));
	for (i = 0; i < 100; i++)
		send_forged(21 + i % 10, 0x6000 + i, NULL, 0, true);
	CHECK_EQ(eng_b.nsas, nsas);
	CHECK_EQ(eng_b.half_open, IKE_COOKIE_THRESHOLD);
	CHECK_EQ(eng_b.stats.cookies_sent, 101);

	REQUIRE(ike_up(&eng_a, 0) == 0);
	pump();
	CHECK(!strcmp(state_of_peer(&eng_a, 0), "established"));
	CHECK(!strcmp(state_of_peer(&eng_b, 0), "established"));
	CHECK_EQ(eng_b.stats.cookies_sent, 102);
	CHECK_EQ(eng_b.stats.cookies_bad, 0);
	REQUIRE(nfrom_a >= 2);
	CHECK(!first_is_cookie(&from_a[0]));
	CHECK(first_is_cookie(&from_a[1]));
	CHECK_EQ(eng_b.half_open, IKE_COOKIE_THRESHOLD);

	send_forged(20, 0x5000, c, sizeof(c), true);
	CHECK_EQ(eng_b.nsas, nsas + 2);  /* A's, and this one */
	CHECK_EQ(eng_b.half_open, IKE_COOKIE_THRESHOLD + 1);
	CHECK_EQ(eng_b.stats.cookies_sent, 102);
	engines_stop();
}

/* Cookies that are not B's for this request are refused (answered with a
 * fresh cookie, nothing kept); only the genuine one, first, gets in. */
TEST(ike_cookie_forged_refused)
{
	uint8_t c[IKE_COOKIE_LEN], bad[IKE_COOKIE_LEN], c2[IKE_COOKIE_LEN];
	unsigned nsas, sent, i;

	REQUIRE(engines_start());
	fill_to_threshold();
	nsas = eng_b.nsas;
	cookie_for(30, 0xc0c0, c);
	sent = (unsigned)eng_b.stats.cookies_sent;
	send_forged(30, 0xc0c1, c, sizeof(c), true);   /* another SPIi */
	send_forged(31, 0xc0c0, c, sizeof(c), true);   /* another address */
	send_forged(30, 0xc0c0, c, IKE_COOKIE_LEN - 1, true); /* cut short */
	send_forged(30, 0xc0c0, c, sizeof(c), false);  /* not first */
	for (i = 0; i < sizeof(c); i++) {
		memcpy(bad, c, sizeof(c));
		bad[i] ^= 0x01;
		send_forged(30, 0xc0c0, bad, sizeof(bad), true);
	}
	CHECK_EQ(eng_b.nsas, nsas);
	CHECK_EQ(eng_b.stats.cookies_bad, 4 + sizeof(c));
	CHECK_EQ(eng_b.stats.cookies_sent, sent + 4 + sizeof(c));
	/* The answer to the last is a genuine cookie again. */
	REQUIRE(sink_is_cookie(0xc0c0, c2));
	CHECK_MEM(c2, c, sizeof(c));
	/* An old cookie: made two secret changes ago. */
	cookie_for(32, 0xd0d0, bad);
	clock_ms += 2 * IKE_COOKIE_SECRET_MS;
	send_forged(32, 0xd0d0, bad, sizeof(bad), true);
	CHECK_EQ(eng_b.nsas, nsas);
	REQUIRE(sink_is_cookie(0xd0d0, c2));
	CHECK(memcmp(c2, bad, sizeof(c2)));
	/* The genuine ones get in; the same request again is the same SA. */
	send_forged(32, 0xd0d0, c2, sizeof(c2), true);
	cookie_for(30, 0xc0c0, c);
	send_forged(30, 0xc0c0, c, sizeof(c), true);
	send_forged(30, 0xc0c0, c, sizeof(c), true);
	CHECK_EQ(eng_b.nsas, nsas + 2);
	engines_stop();
}

/* A cookie made just before the secret changes is still taken after. */
TEST(ike_cookie_rotation_end_to_end)
{
	uint8_t c[IKE_COOKIE_LEN];
	unsigned nsas;

	REQUIRE(engines_start());
	fill_to_threshold();
	nsas = eng_b.nsas;
	send_forged(25, 0xabc, NULL, 0, true);
	REQUIRE(sink_is_cookie(0xabc, c));
	clock_ms += IKE_COOKIE_SECRET_MS;
	send_forged(25, 0xabc, c, sizeof(c), true);
	CHECK_EQ(eng_b.nsas, nsas + 1);
	CHECK_EQ(eng_b.stats.cookies_bad, 0);
	engines_stop();
}

/* A proven address holds at most IKE_HALF_OPEN_PER_SOURCE half-open SAs;
 * more are dropped unanswered and counted; other addresses go on. */
TEST(ike_cookie_per_source_limit)
{
	uint8_t c[IKE_COOKIE_LEN];
	struct ike_endpoint e;
	unsigned i, answers;

	REQUIRE(engines_start());
	fill_to_threshold();
	for (i = 0; i < IKE_HALF_OPEN_PER_SOURCE + 4; i++) {
		cookie_for(35, 0xe000 + i, c);
		answers = nsink;
		send_forged(35, 0xe000 + i, c, sizeof(c), true);
		if (i < IKE_HALF_OPEN_PER_SOURCE)
			CHECK_EQ(nsink, answers + 1); /* IKE_SA_INIT answer */
		else
			CHECK_EQ(nsink, answers);     /* dropped */
	}
	src_of(&e, 35);
	CHECK_EQ(ike_cookie_half_open_from(&eng_b, &e.addr),
		 IKE_HALF_OPEN_PER_SOURCE);
	CHECK_EQ(eng_b.stats.drops[IKE_DROP_HALF_OPEN], 4);
	CHECK_EQ(eng_b.half_open,
		 IKE_COOKIE_THRESHOLD + IKE_HALF_OPEN_PER_SOURCE);
	cookie_for(36, 0xf000, c);
	send_forged(36, 0xf000, c, sizeof(c), true);
	CHECK_EQ(eng_b.half_open,
		 IKE_COOKIE_THRESHOLD + IKE_HALF_OPEN_PER_SOURCE + 1);
	engines_stop();
}

/* Below the threshold an address holding IKE_COOKIE_PER_SOURCE half-open
 * SAs must prove itself: a spoofer of A's address (who never sees the
 * cookies) cannot lock A out; A echoes the cookie and gets in. */
TEST(ike_cookie_spoofed_peer_address)
{
	static uint8_t buf[DGRAM_MAX];
	unsigned i;

	REQUIRE(engines_start());
	for (i = 0; i < 20; i++) {
		size_t len = forge(buf, 0x3000 + i, NULL, 0, true);

		ike_input(&eng_b, &cfg_b[0].local, &cfg_b[0].remote, buf,
			  len);
	}
	CHECK_EQ(eng_b.half_open, IKE_COOKIE_PER_SOURCE);
	CHECK_EQ(eng_b.stats.cookies_sent, 20 - IKE_COOKIE_PER_SOURCE);
	qlen = 0;                        /* the answers went to A: lost */
	REQUIRE(ike_up(&eng_a, 0) == 0);
	pump();
	CHECK(!strcmp(state_of_peer(&eng_a, 0), "established"));
	REQUIRE(nfrom_a >= 2);
	CHECK(first_is_cookie(&from_a[1]));
	CHECK_EQ(eng_b.half_open, IKE_COOKIE_PER_SOURCE);
	engines_stop();
}
