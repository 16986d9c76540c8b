/* SPDX-License-Identifier: MIT */
/*
 * Two IKEv2 engines talking to each other in memory: the datagrams one
 * sends are handed to the other (or lost, duplicated, altered, as a test
 * says), the clock is the test's, the keys process is a function here.
 * What each side puts in force through child_up must mirror the other's.
 */
#include <errno.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "ike/authsig.h"
#include "ike/cert.h"
#include "ike/ike.h"
#include "ike/prf.h"
#include "test.h"
#include "util/bytes.h"

#define QMAX 64

struct dgram {
	int to;
	struct ike_endpoint from, dst;
	uint8_t buf[4096];
	size_t len;
};

#define SAS_MAX 16

/* An SA as the data plane would hold it. */
struct held {
	uint32_t spi;
	uint8_t key[64];
	uint32_t key_len;
};

struct side {
	int id;
	struct ike ike;
	struct ike_peer_cfg cfg;
	uint8_t psk[64];
	size_t psk_len;
	unsigned ups, downs;
	struct ike_child_sa up;   /* the last pair put in force */
	uint8_t in_key[64], out_key[64];
	uint32_t down_in, down_out;
	struct held in[SAS_MAX];  /* inbound SAs in force */
	unsigned nin;
	struct held out;          /* the outbound SA in force (spi 0: none) */
	EVP_PKEY *key;            /* certificates: what the keys process holds */
	struct ike_x509 *cert;
	struct ike_cert_store *cas;
};

static struct side sides[2];
static struct dgram queue[QMAX];
static unsigned qlen, sent_total;
static uint64_t clock_ms = 1000;
static int drop_next;        /* drop this many datagrams from now on */
static unsigned drop_at;     /* drop the datagram sent as this one (the
			      * first is 1); 0: none */
/* On the wire, whoever sent them: IKE fragments (RFC 7383), and those
 * making IP datagrams larger than their sender's fragment size. */
static unsigned wire_frags, wire_frags_over;
static unsigned broken;      /* deliveries after which a side sent into
			      * the void (make-before-break broken) */
static bool keep_copies;     /* remember every datagram delivered */
static uint16_t nat_shift;   /* A behind a NAT: B sees A's ports moved up
			      * by this much (0: no NAT) */
static unsigned keepalives[2]; /* NAT-keepalives each side sent */
static uint16_t moved_to[2]; /* peer_moved: the peer's new port */
static struct dgram delivered[QMAX];
static unsigned ndelivered;

static int env_send(void *ctx, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, bool marker,
		    const uint8_t *buf, size_t len)
{
	struct side *s = ctx;
	struct dgram *d;

	if (!marker && len == 1 && buf[0] == 0xff) {
		keepalives[s->id]++;
		return 0;
	}
	sent_total++;
	if (len > IKE_HDR_LEN && buf[16] == IKE_PL_SKF) {
		wire_frags++;
		if (20 + 8 + (marker ? 4 : 0) + len > s->cfg.frag_size)
			wire_frags_over++;
	}
	if (sent_total == drop_at)
		return 0;
	if (drop_next > 0) {
		drop_next--;
		return 0;
	}
	if (qlen == QMAX || len > sizeof(d->buf))
		return -ENOBUFS;
	d = &queue[qlen++];
	d->to = !s->id;
	d->from = *local;
	d->dst = *remote;
	if (nat_shift && s->id == 0)
		d->from.port = (uint16_t)(d->from.port + nat_shift);
	else if (nat_shift && d->dst.port > nat_shift)
		d->dst.port = (uint16_t)(d->dst.port - nat_shift);
	memcpy(d->buf, buf, len);
	d->len = len;
	return 0;
}

/* What the keys process computes (RFC 7296 §2.15). */
static int env_auth(void *ctx, unsigned peer, enum ike_prf_alg prf,
		    const uint8_t *octets, size_t len, uint8_t *out,
		    size_t out_len)
{
	static const char pad[] = "Key Pad for IKEv2";
	struct side *s = ctx;
	uint8_t k[IKE_PRF_LEN_MAX];
	struct ike_bytes p = { (const uint8_t *)pad, sizeof(pad) - 1 };
	struct ike_bytes o = { octets, len };

	(void)peer;
	if (out_len != ike_prf_len(prf) ||
	    ike_prf(prf, s->psk, s->psk_len, &p, 1, k))
		return -EINVAL;
	return ike_prf(prf, k, out_len, &o, 1, out);
}

static void hold(struct held *h, const struct esp_sa_config *c)
{
	h->spi = c->spi;
	memcpy(h->key, c->key, c->key_len);
	h->key_len = c->key_len;
}

static uint64_t usage_bytes, usage_left = UINT64_MAX;

static int env_usage(void *ctx, unsigned peer, uint32_t in, uint32_t out,
		     uint64_t *bytes, uint64_t *packets, uint64_t *left)
{
	(void)ctx;
	(void)peer;
	(void)in;
	(void)out;
	*bytes = usage_bytes;
	*packets = usage_bytes / 1000;
	*left = usage_left;
	return 0;
}

static int env_sign(void *ctx, unsigned peer, uint16_t hash, int scheme,
		    const uint8_t *octets, size_t len, uint8_t *sig, size_t cap,
		    size_t *sig_len)
{
	struct side *s = ctx;

	(void)peer;
	if (!s->key)
		return -ENOKEY;
	return ike_authsig_sign_key(s->key, hash, (enum ike_sig_scheme)scheme,
				    octets, len, sig, cap, sig_len);
}

static int env_child_up(void *ctx, const struct ike_child_sa *c,
			unsigned halves)
{
	struct side *s = ctx;

	if (halves & IKE_HALF_IN) {
		if (s->nin == SAS_MAX)
			return -ENOSPC;
		hold(&s->in[s->nin++], &c->in);
		memcpy(s->in_key, c->in.key, c->in.key_len);
		s->up.in = c->in;
	}
	if (halves & IKE_HALF_OUT) {
		hold(&s->out, &c->out);
		memcpy(s->out_key, c->out.key, c->out.key_len);
		s->up.out = c->out;
	}
	s->up.peer = c->peer;
	s->up.nsel = c->nsel;
	s->up.remote = c->remote;
	if (halves == (IKE_HALF_IN | IKE_HALF_OUT) || s->ups == 0)
		s->ups++;
	return 0;
}

static void env_child_down(void *ctx, unsigned peer, uint32_t in,
			   uint32_t out)
{
	struct side *s = ctx;
	unsigned i;

	(void)peer;
	if (out && s->out.spi == out) {
		s->downs++;
		s->down_out = out;
		s->out.spi = 0;
	}
	for (i = 0; in && i < s->nin; i++)
		if (s->in[i].spi == in) {
			s->down_in = in;
			s->in[i] = s->in[--s->nin];
			break;
		}
}

/* Make-before-break: what each side sends on, the other can open. */
static bool sendable(const struct side *from, const struct side *to)
{
	unsigned i;

	if (!from->out.spi)
		return true;
	for (i = 0; i < to->nin; i++)
		if (to->in[i].spi == from->out.spi)
			return to->in[i].key_len == from->out.key_len &&
			       !memcmp(to->in[i].key, from->out.key,
				       from->out.key_len);
	return false;
}

static void env_moved(void *ctx, unsigned peer,
		      const struct ike_endpoint *remote)
{
	struct side *s = ctx;

	(void)peer;
	moved_to[s->id] = remote->port;
}

static uint64_t env_now(void *ctx)
{
	(void)ctx;
	return clock_ms;
}

static void env_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	RAND_bytes(buf, (int)len);
}

static void endpoint(struct ike_endpoint *e, uint8_t last)
{
	memset(e, 0, sizeof(*e));
	e->addr.family = AF_INET;
	e->addr.bytes[0] = 10;
	e->addr.bytes[3] = last;
	e->port = IKE_PORT;
}

static void ident_ip(struct ike_ident *id, const struct ike_endpoint *e)
{
	id->type = IKE_ID_IPV4_ADDR;
	memcpy(id->data, e->addr.bytes, 4);
	id->len = 4;
}

/* A host selector: all traffic between the two underlay addresses. */
static void host_selector(struct spd_selector *sel,
			  const struct ike_endpoint *l,
			  const struct ike_endpoint *r)
{
	memset(sel, 0, sizeof(*sel));
	sel->src.addr = l->addr;
	sel->src.len = 32;
	sel->dst.addr = r->addr;
	sel->dst.len = 32;
	sel->sport_hi = sel->dport_hi = 0xffff;
}

static void set_props(struct side *s, const char *ike, const char *esp)
{
	const char *why;

	REQUIRE(ike_proposals_parse(ike, IKE_PROP_IKE, s->cfg.ike,
				    IKE_OFFERS_MAX, &s->cfg.nike, &why, NULL,
				    0) == 0);
	REQUIRE(ike_proposals_parse(esp, IKE_PROP_ESP, s->cfg.esp,
				    IKE_OFFERS_MAX, &s->cfg.nesp, &why, NULL,
				    0) == 0);
}

static void side_cfg(struct side *s, int id, const char *ike,
		     const char *esp, enum esp_mode mode)
{
	struct ike_peer_cfg *c = &s->cfg;

	memset(s, 0, sizeof(*s));
	s->id = id;
	snprintf(c->name, sizeof(c->name), "%c", id ? 'b' : 'a');
	endpoint(&c->local, (uint8_t)(1 + id));
	endpoint(&c->remote, (uint8_t)(2 - id));
	c->esp_port = c->natt_port = IKE_NATT_PORT;
	ident_ip(&c->local_id, &c->local);
	ident_ip(&c->remote_id, &c->remote);
	set_props(s, ike, esp);
	c->mode = mode;
	host_selector(&c->sel[0], &c->local, &c->remote);
	c->nsel = 1;
	c->start = IKE_START_WAIT;
	c->rtx_ms = 1000;
	c->rtx_tries = 3;
	c->dpd_s = 30;
	memset(s->psk, 0x5a, 32);
	s->psk_len = 32;
}

static void engines_start(void)
{
	struct ike_env env = {
		.send = env_send, .auth_psk = env_auth, .sign = env_sign,
		.child_usage = env_usage,
		.child_up = env_child_up, .child_down = env_child_down,
		.peer_moved = env_moved,
		.now_ms = env_now, .random = env_random,
	};
	int i;

	qlen = sent_total = ndelivered = broken = 0;
	keepalives[0] = keepalives[1] = 0;
	moved_to[0] = moved_to[1] = 0;
	drop_next = 0;
	drop_at = wire_frags = wire_frags_over = 0;
	keep_copies = false;
	for (i = 0; i < 2; i++) {
		env.ctx = &sides[i];
		REQUIRE(ike_init(&sides[i].ike, &env, &sides[i].cfg, 1) == 0);
	}
}

static void engines_stop(void)
{
	ike_free(&sides[0].ike);
	ike_free(&sides[1].ike);
}

/* Deliver queued datagrams until none is left (bounded). */

static void pump(void)
{
	unsigned rounds;

	for (rounds = 0; qlen && rounds < 200; rounds++) {
		struct dgram d = queue[0];

		memmove(queue, queue + 1, --qlen * sizeof(queue[0]));
		if (keep_copies && ndelivered < QMAX)
			delivered[ndelivered++] = d;
		ike_input(&sides[d.to].ike, &d.dst, &d.from, d.buf, d.len);
		if (!sendable(&sides[0], &sides[1]) ||
		    !sendable(&sides[1], &sides[0]))
			broken++;
	}
}

/* Deliver d now, out of the queue's order. */
static void deliver(const struct dgram *d)
{
	ike_input(&sides[d->to].ike, &d->dst, &d->from, d->buf, d->len);
	if (!sendable(&sides[0], &sides[1]) || !sendable(&sides[1], &sides[0]))
		broken++;
}

/* Take the first queued datagram out, into *d. */
static void take_first(struct dgram *d)
{
	REQUIRE(qlen > 0);
	*d = queue[0];
	memmove(queue, queue + 1, --qlen * sizeof(queue[0]));
}

static void advance(uint64_t ms)
{
	clock_ms += ms;
	ike_tick(&sides[0].ike);
	ike_tick(&sides[1].ike);
	pump();
}

static const char *state_of(int i)
{
	struct ike_sa_info info;

	return ike_sa_get(&sides[i].ike, 0, &info) ? info.state : "none";
}

/* Both sides up, with mirror-image Child SAs. */
static void check_mirrored(void)
{
	struct side *a = &sides[0], *b = &sides[1];

	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK_EQ(a->ups, 1);
	CHECK_EQ(b->ups, 1);
	CHECK_EQ(a->up.out.spi, b->up.in.spi);
	CHECK_EQ(a->up.in.spi, b->up.out.spi);
	CHECK(a->up.out.spi != a->up.in.spi);
	CHECK_EQ(a->up.out.cipher, b->up.in.cipher);
	CHECK_EQ(a->up.out.key_len, b->up.in.key_len);
	CHECK_EQ(a->up.in.key_len, b->up.out.key_len);
	CHECK_MEM(a->out_key, b->in_key, a->up.out.key_len);
	CHECK_MEM(a->in_key, b->out_key, a->up.in.key_len);
	CHECK(memcmp(a->out_key, a->in_key, a->up.in.key_len));
	CHECK_EQ(a->up.nsel, 1);
	CHECK_EQ(b->up.nsel, 1);
	CHECK(sendable(a, b));
	CHECK(sendable(b, a));
}

static void establish(const char *ike, const char *esp, enum esp_mode mode)
{
	side_cfg(&sides[0], 0, ike, esp, mode);
	side_cfg(&sides[1], 1, ike, esp, mode);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	/* A responder puts both halves of the first Child SA in force before
	 * the initiator has its inbound one: the one moment a side may send
	 * into the void (there is no older SA to use). Rekeys never do. */
	broken = 0;
}

TEST(ike_engine_establishes_every_suite)
{
	static const char *const ikes[] = {
		"aes256gcm16-prfsha256-x25519", "aes128gcm16-prfsha384-ecp256",
		"chacha20poly1305-prfsha512-ecp384",
		"aes256-sha256-modp2048", "aes128-sha512-x25519",
		"aes256gcm16-prfsha256-x25519",
	};
	static const char *const esps[] = {
		"aes256gcm16", "aes128gcm16", "aes128ccm8", "chacha20poly1305",
		"aes256gcm16-esn", "null-sha256",
	};
	static const enum esp_cipher ciphers[] = {
		ESP_CIPHER_AES_GCM_256, ESP_CIPHER_AES_GCM_128,
		ESP_CIPHER_AES_CCM_128, ESP_CIPHER_CHACHA20_POLY1305,
		ESP_CIPHER_AES_GCM_256, ESP_CIPHER_NULL_HMAC_SHA256,
	};
	unsigned i;

	for (i = 0; i < 6; i++) {
		establish(ikes[i], esps[i], i % 2 ? ESP_MODE_TUNNEL
						  : ESP_MODE_TRANSPORT);
		check_mirrored();
		CHECK_EQ(sides[0].up.out.cipher, ciphers[i]);
		CHECK_EQ(sides[0].up.out.mode, i % 2 ? ESP_MODE_TUNNEL
						     : ESP_MODE_TRANSPORT);
		CHECK_EQ(sides[0].up.out.esn, i == 4);
		CHECK_EQ(sides[0].up.out.encap, ESP_ENCAP_UDP);
		if (sides[0].up.out.cipher == ESP_CIPHER_AES_CCM_128)
			CHECK_EQ(sides[0].up.out.icv_len, 8);
		CHECK_EQ(sides[0].ike.stats.established, 1);
		CHECK_EQ(sides[1].ike.stats.established, 1);
		engines_stop();
	}
}

TEST(ike_engine_wrong_psk_fails_both)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	sides[1].psk[7] ^= 1;
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	advance(1);
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	CHECK(strcmp(state_of(0), "established"));
	CHECK(strcmp(state_of(1), "established"));
	CHECK_EQ(sides[1].ike.stats.failed, 1);
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	engines_stop();
}

TEST(ike_engine_no_common_proposal)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes128gcm16-prfsha384-ecp256", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	CHECK_EQ(sides[1].ike.stats.drops[IKE_DROP_REFUSED], 1);
	CHECK_EQ(sides[1].ike.nsas, 0);
	engines_stop();
}

/* B takes only ECP-256; A offers X25519 first: INVALID_KE_PAYLOAD, and A
 * tries again with B's group. */
TEST(ike_engine_invalid_ke_retry)
{
	side_cfg(&sides[0], 0,
		 "aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-ecp256",
		 "aes256gcm16", ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-ecp256", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	engines_stop();
}

TEST(ike_engine_child_refused_keeps_ike_sa)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
		 "chacha20poly1305", ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	engines_stop();

	/* Transport on one side, tunnel on the other: no Child SA either. */
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	engines_stop();
}

/* Lost datagrams are retransmitted; a retransmitted request gets the kept
 * answer, not a second SA. */
TEST(ike_engine_retransmits)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	drop_next = 1; /* IKE_SA_INIT request lost */
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK_EQ(sides[1].ike.nsas, 0);
	advance(1000); /* retransmitted; the answer arrives, IKE_AUTH goes */
	REQUIRE(qlen == 0);
	check_mirrored();
	CHECK_EQ(sides[0].ike.stats.retransmits, 1);
	engines_stop();

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	engines_stop();
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	/* Deliver IKE_SA_INIT, lose its answer: A retransmits, B answers
	 * from its cache. */
	REQUIRE(qlen == 1);
	drop_next = 1;
	pump();
	CHECK_EQ(sides[1].ike.nsas, 1);
	advance(1000);
	check_mirrored();
	CHECK_EQ(sides[1].ike.nsas, 1);
	engines_stop();
}

/* Without answers the initiator gives up after its tries. */
TEST(ike_engine_gives_up)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	drop_next = 100;
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	advance(1000);
	advance(2000);
	advance(4000);
	CHECK_EQ(sides[0].ike.stats.retransmits, 3);
	advance(8000);
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	CHECK_EQ(sides[0].ike.nsas, 0);
	engines_stop();
}

TEST(ike_engine_delete_from_each_side)
{
	int who;

	for (who = 0; who < 2; who++) {
		establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
			  ESP_MODE_TRANSPORT);
		check_mirrored();
		REQUIRE(ike_down(&sides[who].ike, 0) == 0);
		pump();
		advance(1);
		CHECK_EQ(sides[0].downs, 1);
		CHECK_EQ(sides[1].downs, 1);
		CHECK_EQ(sides[0].down_in, sides[0].up.in.spi);
		CHECK_EQ(sides[1].down_out, sides[1].up.out.spi);
		CHECK_EQ(sides[0].ike.nsas, 0);
		CHECK_EQ(sides[1].ike.nsas, 0);
		CHECK_EQ(sides[!who].ike.stats.deleted, 1);
		engines_stop();
	}
}

/* A quiet IKE SA is checked for liveness; the peer answers. */
TEST(ike_engine_liveness_check)
{
	unsigned before;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	before = sent_total;
	advance(31000);
	CHECK(sent_total >= before + 2); /* a check each way and answers */
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	/* Now the peer is gone: the check goes unanswered, the SA ends. */
	drop_next = 1000;
	advance(31000);
	advance(2000);
	advance(4000);
	advance(8000);
	advance(16000);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[0].downs, 1);
	engines_stop();
}

/* Replayed, altered and garbage datagrams change nothing. */
TEST(ike_engine_hostile_input)
{
	struct dgram copy[QMAX];
	unsigned n, i, bit;
	uint8_t junk[300];

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	keep_copies = true;
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	n = ndelivered;
	memcpy(copy, delivered, n * sizeof(copy[0]));
	/* Every message again, then every message with one bit flipped. */
	for (i = 0; i < n; i++)
		ike_input(&sides[copy[i].to].ike, &copy[i].dst, &copy[i].from,
			  copy[i].buf, copy[i].len);
	for (i = 0; i < n; i++)
		for (bit = 0; bit < copy[i].len * 8; bit += 7) {
			copy[i].buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
			ike_input(&sides[copy[i].to].ike, &copy[i].dst,
				  &copy[i].from, copy[i].buf, copy[i].len);
			copy[i].buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
		}
	/* The last request A sent (IKE_AUTH, ID 1) renumbered to the ID B
	 * expects next: the header is authenticated, so it cannot open. */
	for (i = n; i-- > 0;)
		if (copy[i].to == 1)
			break;
	put_be32(copy[i].buf + 20, 2);
	ike_input(&sides[1].ike, &copy[i].dst, &copy[i].from, copy[i].buf,
		  copy[i].len);
	for (i = 0; i < 200; i++) {
		RAND_bytes(junk, sizeof(junk));
		ike_input(&sides[i % 2].ike, &sides[i % 2].cfg.local,
			  &sides[i % 2].cfg.remote, junk, 1 + i % sizeof(junk));
	}
	qlen = 0; /* answers to replays are not delivered */
	CHECK_EQ(sides[0].ups, 1);
	CHECK_EQ(sides[1].ups, 1);
	CHECK_EQ(sides[0].downs + sides[1].downs, 0);
	CHECK(sides[1].ike.stats.drops[IKE_DROP_MALFORMED] > 0);
	CHECK(sides[1].ike.stats.drops[IKE_DROP_DECRYPT] > 0);
	/* Altered IKE_SA_INIT requests look like new initiators: half-open
	 * SAs, which time out; the real SAs stay. */
	CHECK_EQ(sides[0].ike.nsas, 1);
	advance(31000);
	CHECK_EQ(sides[1].ike.nsas, 1);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK_EQ(sides[0].ike.stats.established, 1);
	CHECK_EQ(sides[1].ike.stats.established, 1);
	engines_stop();
}

/* Rekey the Child SA from side who; returns once both sides hold the new
 * pair and the old inbound SAs are gone (after the grace time). */
static void child_rekey(int who)
{
	uint32_t old_a = sides[0].out.spi, old_b = sides[1].out.spi;

	REQUIRE(ike_rekey(&sides[who].ike, 0, false) == 0);
	pump();
	CHECK(sides[0].out.spi != old_a);
	CHECK(sides[1].out.spi != old_b);
	CHECK(sendable(&sides[0], &sides[1]));
	CHECK(sendable(&sides[1], &sides[0]));
	advance(3100); /* the grace time of the old inbound SAs */
	CHECK_EQ(sides[0].nin, 1);
	CHECK_EQ(sides[1].nin, 1);
	CHECK_EQ(sides[0].out.spi, sides[1].in[0].spi);
	CHECK_EQ(sides[1].out.spi, sides[0].in[0].spi);
	CHECK_EQ(broken, 0);
}

static uint64_t ike_spi_of(int i)
{
	struct ike_sa_info info;

	return ike_sa_get(&sides[i].ike, 0, &info) ? info.spi_i : 0;
}

/* Rekey the IKE SA from side who: new SPIs on both sides, the Child SA
 * untouched, the old IKE SA gone. */
static void ike_sa_rekey(int who)
{
	uint64_t old = ike_spi_of(0);
	uint32_t out_a = sides[0].out.spi, out_b = sides[1].out.spi;

	REQUIRE(ike_rekey(&sides[who].ike, 0, true) == 0);
	pump();
	advance(1);
	CHECK(ike_spi_of(0) != old);
	CHECK_EQ(ike_spi_of(0), ike_spi_of(1));
	CHECK_EQ(sides[0].ike.nsas, 1);
	CHECK_EQ(sides[1].ike.nsas, 1);
	CHECK_EQ(sides[0].out.spi, out_a);
	CHECK_EQ(sides[1].out.spi, out_b);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK_EQ(broken, 0);
}

TEST(ike_engine_child_rekey_each_side)
{
	int i;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	for (i = 0; i < 6; i++)
		child_rekey(i % 2);
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 12);
	CHECK_EQ(sides[0].nin + sides[1].nin, 2); /* the old ones are gone */
	engines_stop();
}

TEST(ike_engine_ike_rekey_each_side)
{
	int i;

	establish("aes128gcm16-prfsha384-ecp256", "chacha20poly1305",
		  ESP_MODE_TUNNEL);
	for (i = 0; i < 4; i++) {
		ike_sa_rekey(i % 2);
		child_rekey((i + 1) % 2); /* the new IKE SA carries on */
	}
	/* And a deletion over the latest IKE SA still reaches the peer. */
	REQUIRE(ike_down(&sides[1].ike, 0) == 0);
	pump();
	advance(1);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[1].ike.nsas, 0);
	CHECK_EQ(sides[0].nin + sides[1].nin, 0);
	engines_stop();
}

/* The old pair's DELETE is lost for good: the responder switches by
 * itself after IKE_SWITCH_MS; nothing is ever sent into the void. */
TEST(ike_engine_child_rekey_lost_delete)
{
	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
	REQUIRE(qlen == 1);
	pump();             /* request and answer; A sends the DELETE */
	qlen = 0;           /* ... which is lost, with its retransmissions */
	drop_next = 100;
	advance(5100);
	CHECK(sendable(&sides[0], &sides[1]));
	CHECK(sendable(&sides[1], &sides[0]));
	CHECK_EQ(sides[1].out.spi, sides[0].in[sides[0].nin - 1].spi);
	CHECK_EQ(broken, 0);
	engines_stop();
}

/* ---- certificates (test/vectors/ike-cert: CA, a.lab.example,
 * b.lab.example, and a certificate of another CA) ---- */

static void vec_path(char *buf, size_t cap, const char *name)
{
	const char *src = getenv("TUNSEC_SRCDIR");

	snprintf(buf, cap, "%s/test/vectors/ike-cert/%s", src ? src : ".",
		 name);
}

static EVP_PKEY *load_key(const char *name)
{
	char path[512];
	EVP_PKEY *k = NULL;
	FILE *f;

	vec_path(path, sizeof(path), name);
	f = fopen(path, "r");
	if (f) {
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	return k;
}

/* Side i authenticates with cert/key, trusts ca, calls itself fqdn me and
 * expects the peer to be fqdn them. */
static void use_cert(struct side *s, const char *cert, const char *key,
		     const char *ca, const char *me, const char *them)
{
	char path[512];
	unsigned n = 0;

	vec_path(path, sizeof(path), cert);
	REQUIRE(ike_cert_load(path, &s->cert, 1, &n) == 0 && n == 1);
	s->key = load_key(key);
	REQUIRE(s->key != NULL);
	s->cas = ike_cert_store_new();
	vec_path(path, sizeof(path), ca);
	REQUIRE(s->cas && ike_cert_store_add_file(s->cas, path) == 0);
	s->cfg.auth = IKE_AUTH_PUBKEY;
	s->cfg.cert = s->cert;
	s->cfg.cas = s->cas;
	s->cfg.local_id.type = s->cfg.remote_id.type = IKE_ID_FQDN;
	s->cfg.local_id.len = strlen(me);
	memcpy(s->cfg.local_id.data, me, s->cfg.local_id.len);
	s->cfg.remote_id.len = strlen(them);
	memcpy(s->cfg.remote_id.data, them, s->cfg.remote_id.len);
}

static void drop_certs(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		EVP_PKEY_free(sides[i].key);
		ike_cert_free(sides[i].cert);
		ike_cert_store_free(sides[i].cas);
		sides[i].key = NULL;
		sides[i].cert = NULL;
		sides[i].cas = NULL;
	}
}

static void cert_pair(const char *a_cert, const char *a_key,
		      const char *b_ca, const char *b_expects)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	use_cert(&sides[0], a_cert, a_key, "ca.pem", "a.lab.example",
		 "b.lab.example");
	use_cert(&sides[1], "b.pem", "b.key", b_ca, "b.lab.example",
		 b_expects);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	advance(1);
	broken = 0; /* the first Child SA: see establish() */
}

TEST(ike_engine_certificates)
{
	cert_pair("a.pem", "a.key", "ca.pem", "a.lab.example");
	check_mirrored();
	child_rekey(1);
	ike_sa_rekey(0);
	engines_stop();
	drop_certs();

	/* B trusts another CA only: A's certificate is refused. */
	cert_pair("a.pem", "a.key", "other-ca.pem", "a.lab.example");
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	CHECK_EQ(sides[1].ike.stats.failed, 1);
	engines_stop();
	drop_certs();

	/* B expects another name than A's certificate carries. */
	cert_pair("a.pem", "a.key", "ca.pem", "c.lab.example");
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	engines_stop();
	drop_certs();

	/* A signs with a key that is not its certificate's. */
	cert_pair("a.pem", "b.key", "ca.pem", "a.lab.example");
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	CHECK_EQ(sides[1].ike.stats.failed, 1);
	engines_stop();
	drop_certs();
}

/* A host certificate under an intermediate CA: A sends the intermediate
 * after its own (RFC 7296 §3.6), B trusting only the root takes the chain;
 * without it B refuses A. */
TEST(ike_engine_certificate_chain)
{
	struct ike_x509 *inter = NULL;
	char path[512];
	unsigned n = 0;
	int with;

	vec_path(path, sizeof(path), "inter.pem");
	REQUIRE(ike_cert_load(path, &inter, 1, &n) == 0 && n == 1);
	for (with = 1; with >= 0; with--) {
		side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519",
			 "aes256gcm16", ESP_MODE_TRANSPORT);
		side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
			 "aes256gcm16", ESP_MODE_TRANSPORT);
		use_cert(&sides[0], "c.pem", "c.key", "ca.pem",
			 "c.lab.example", "b.lab.example");
		use_cert(&sides[1], "b.pem", "b.key", "ca.pem",
			 "b.lab.example", "c.lab.example");
		sides[0].cfg.chain[0] = inter;
		sides[0].cfg.nchain = (unsigned)with;
		engines_start();
		REQUIRE(ike_up(&sides[0].ike, 0) == 0);
		pump();
		broken = 0; /* the first Child SA: see establish() */
		if (with) {
			check_mirrored();
		} else {
			CHECK_EQ(sides[0].ups + sides[1].ups, 0);
			CHECK_EQ(sides[1].ike.stats.failed, 1);
		}
		engines_stop();
		drop_certs();
	}
	ike_cert_free(inter);
}

/* Byte limits: at 90% the Child SA is rekeyed (its counters start anew),
 * at 100% without a rekey it is deleted on both sides; a non-ESN SA
 * running out of sequence numbers is rekeyed. */
TEST(ike_engine_child_limits)
{
	uint32_t out;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	sides[0].ike.peers[0].child_bytes = 1000000;
	usage_bytes = 800000;
	advance(11000);
	CHECK_EQ(sides[0].ike.stats.child_rekeys, 0);
	out = sides[0].out.spi;
	usage_bytes = 950000; /* past 90% */
	advance(2100);
	usage_bytes = 0; /* the new SA's counters */
	advance(3100);
	CHECK(sides[0].out.spi != out);
	CHECK_EQ(sides[0].ike.stats.child_rekeys, 1);
	CHECK_EQ(broken, 0);
	usage_left = 1000; /* sequence numbers nearly gone */
	out = sides[0].out.spi;
	advance(2100);
	usage_left = UINT64_MAX;
	advance(3100);
	CHECK(sides[0].out.spi != out);
	CHECK_EQ(sides[0].ike.stats.child_rekeys, 2);
	/* Past the hard limit at once (no rekey in between): deleted, and
	 * the peer told. */
	usage_bytes = 2000000;
	advance(2100);
	advance(1);
	CHECK_EQ(sides[0].ike.stats.expired, 1);
	CHECK_EQ(sides[0].nin, 0);
	CHECK_EQ(sides[1].nin, 0);
	CHECK_EQ(sides[0].out.spi, 0);
	CHECK_EQ(sides[1].out.spi, 0);
	engines_stop();
	usage_bytes = 0;
}

/* Both sides rekey at once (RFC 7296 §2.8.1, §2.25): each refuses the
 * other's request with TEMPORARY_FAILURE and tries again after a random
 * delay; in the end one rekey goes through, and at no moment does a side
 * send on an SA the other cannot open. The same for the IKE SA. */
TEST(ike_engine_simultaneous_rekeys)
{
	uint32_t out_a, out_b;
	uint64_t spi;
	int i;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	/* Child SA: both requests are answered (§2.25.1), the pair with the
	 * lowest nonce goes (§2.8.1), all within the exchanges: no retry. */
	for (i = 0; i < 8; i++) {
		out_a = sides[0].out.spi;
		out_b = sides[1].out.spi;
		REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
		REQUIRE(ike_rekey(&sides[1].ike, 0, false) == 0);
		pump();
		CHECK(sides[0].out.spi != out_a);
		CHECK(sides[1].out.spi != out_b);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
		advance(3100); /* the grace time */
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
	}
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 16);
	CHECK_EQ(broken, 0);

	spi = ike_spi_of(0);
	REQUIRE(ike_rekey(&sides[0].ike, 0, true) == 0);
	REQUIRE(ike_rekey(&sides[1].ike, 0, true) == 0);
	pump();
	for (i = 0; i < 600; i++)
		advance(100);
	CHECK(ike_spi_of(0) != spi);
	CHECK_EQ(ike_spi_of(0), ike_spi_of(1));
	CHECK_EQ(sides[0].ike.nsas, 1);
	CHECK_EQ(sides[1].ike.nsas, 1);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK(sendable(&sides[0], &sides[1]));
	CHECK_EQ(broken, 0);
	engines_stop();
}

/* ---- PFS: a key exchange in Child SA rekeys (RFC 7296 §1.3.3) ---- */

static uint16_t child_dh(int i)
{
	struct ike_sa_info info;

	return ike_sa_get(&sides[i].ike, 0, &info) ? info.child_suite.dh : 0;
}

/* Both sides take X25519: IKE_AUTH's Child SA has no group (§1.2), every
 * rekey from either side does, and the keys still mirror. */
TEST(ike_engine_child_rekey_pfs)
{
	int i;

	establish("aes256gcm16-prfsha256-ecp256", "aes256gcm16-x25519",
		  ESP_MODE_TUNNEL);
	check_mirrored();
	CHECK_EQ(child_dh(0), 0);
	for (i = 0; i < 4; i++) {
		child_rekey(i % 2);
		CHECK_EQ(child_dh(0), IKE_DH_CURVE25519);
		CHECK_EQ(child_dh(1), IKE_DH_CURVE25519);
	}
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 8);
	engines_stop();
}

/* A offers X25519 then ECP-256 in one proposal, B only ECP-256: A's rekey
 * is answered INVALID_KE_PAYLOAD and goes through at once with ECP-256;
 * B's own rekey sends ECP-256 from the start. */
TEST(ike_engine_child_rekey_pfs_invalid_ke)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519",
		 "aes256gcm16-x25519-ecp256", ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
		 "aes256gcm16-ecp256", ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0; /* the first Child SA's moment: see establish() */
	sent_total = 0;
	child_rekey(0);
	/* request, INVALID_KE_PAYLOAD, request, answer, DELETE, its answer */
	CHECK_EQ(sent_total, 6);
	CHECK_EQ(child_dh(0), IKE_DH_ECP_256);
	CHECK_EQ(child_dh(1), IKE_DH_ECP_256);
	sent_total = 0;
	child_rekey(1);
	CHECK_EQ(sent_total, 4);
	CHECK_EQ(child_dh(0), IKE_DH_ECP_256);
	engines_stop();
}

/* B insists on PFS, A has none: neither side's rekey is accepted, and the
 * first Child SA carries on, unchanged, on both sides. */
TEST(ike_engine_child_rekey_pfs_refused)
{
	uint32_t out_a, out_b;
	int who;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
		 "aes256gcm16-x25519", ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0;
	out_a = sides[0].out.spi;
	out_b = sides[1].out.spi;
	for (who = 0; who < 2; who++) {
		REQUIRE(ike_rekey(&sides[who].ike, 0, false) == 0);
		pump();
		CHECK_EQ(sides[0].out.spi, out_a);
		CHECK_EQ(sides[1].out.spi, out_b);
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
	}
	CHECK_EQ(broken, 0);
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 0);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	engines_stop();
}

/* start = trap: nothing until the data plane reports traffic without an
 * SA (ike_acquire), then the IKE SA and Child SA come up; after a failed
 * start, not again for 10 s; after `down`, the next packet brings the
 * peer back; never a start for a peer that is not trap. */
TEST(ike_engine_trap)
{
	int i;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	sides[0].cfg.start = IKE_START_TRAP;
	engines_start();
	advance(20000);
	CHECK_EQ(sent_total, 0);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(ike_acquire(&sides[1].ike, 0), -EPERM);
	CHECK_EQ(ike_acquire(&sides[0].ike, 1), -ENOENT);

	drop_next = 1000; /* B unreachable: A gives up */
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), 0);
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), -EALREADY);
	for (i = 0; i < 60 && sides[0].ike.nsas; i++)
		advance(1000);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), -EAGAIN);
	drop_next = 0;
	advance(10000);
	CHECK_EQ(sides[0].ike.nsas, 0); /* no start by itself */
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), 0);
	pump();
	check_mirrored();

	REQUIRE(ike_down(&sides[0].ike, 0) == 0);
	pump();
	advance(1);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[1].ike.nsas, 0);
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), 0);
	pump();
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	engines_stop();
}

/* A behind a NAT that moves its ports: A learns it from B's NAT detection
 * and sends NAT-keepalives, B does not; B's Child SA goes to the NAT's
 * port, and when the NAT's mapping changes, B follows A's next request. */
TEST(ike_engine_nat)
{
	struct ike_sa_info ia, ib;
	int i;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	sides[0].cfg.keepalive_s = sides[1].cfg.keepalive_s = 5;
	nat_shift = 10000;
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0; /* the first Child SA's moment: see establish() */
	REQUIRE(ike_sa_get(&sides[0].ike, 0, &ia));
	REQUIRE(ike_sa_get(&sides[1].ike, 0, &ib));
	CHECK(ia.nat_local);
	CHECK(!ib.nat_local);
	CHECK_EQ(ib.remote.port, IKE_NATT_PORT + 10000);
	CHECK_EQ(sides[1].up.remote.port, IKE_NATT_PORT + 10000);
	CHECK_EQ(sides[0].up.remote.port, IKE_NATT_PORT);
	for (i = 0; i < 4; i++)
		advance(5000);
	CHECK(keepalives[0] >= 4);
	CHECK_EQ(keepalives[1], 0);

	nat_shift = 20000; /* the NAT forgot: a new mapping */
	CHECK_EQ(moved_to[1], 0);
	child_rekey(0);
	CHECK_EQ(moved_to[1], IKE_NATT_PORT + 20000);
	CHECK_EQ(sides[1].up.remote.port, IKE_NATT_PORT + 20000);
	nat_shift = 0;
	engines_stop();
}

/* Without a NAT neither side sends keepalives or sees the peer move. */
TEST(ike_engine_no_nat)
{
	struct ike_sa_info ia;
	int i;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	sides[0].cfg.keepalive_s = sides[1].cfg.keepalive_s = 5;
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0; /* the first Child SA's moment: see establish() */
	REQUIRE(ike_sa_get(&sides[0].ike, 0, &ia));
	CHECK(!ia.nat_local);
	for (i = 0; i < 4; i++)
		advance(5000);
	child_rekey(1);
	CHECK_EQ(keepalives[0] + keepalives[1], 0);
	CHECK_EQ(moved_to[0] + moved_to[1], 0);
	engines_stop();
}

/* Simultaneous Child SA rekeys whose messages cross in the orders the
 * network may choose: each side's request held back while the other's
 * exchange (and its DELETE) goes through, or an answer overtaken by the
 * DELETE that follows it. Whatever the nonces decide, both sides end on
 * one pair, and nothing is sent on an SA the other cannot open. */
static struct dgram held_dg;

TEST(ike_engine_simultaneous_rekeys_reordered)
{
	int i;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	for (i = 0; i < 8; i++) {
		/* A's request waits until B's rekey is complete. */
		REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
		take_first(&held_dg);
		REQUIRE(ike_rekey(&sides[1].ike, 0, false) == 0);
		pump();
		deliver(&held_dg);
		pump();
		advance(3100);
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);

		/* Both requests cross; B's answer to A is overtaken. */
		REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
		REQUIRE(ike_rekey(&sides[1].ike, 0, false) == 0);
		take_first(&held_dg);  /* A's request */
		deliver(&held_dg);     /* B answers it: B's twin */
		take_first(&held_dg);  /* B's request */
		deliver(&held_dg);     /* A answers it: A's twin */
		take_first(&held_dg);  /* B's answer to A: held */
		pump();                /* A's answer to B, and what follows */
		deliver(&held_dg);
		pump();
		advance(3100);
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
	}
	CHECK_EQ(broken, 0);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	engines_stop();
}

/* ---- IKE fragments (RFC 7383): A with an RSA certificate, B with a
 * P-384 one, both with 576-byte fragments (IPv4: IKE messages of at most
 * 544 bytes behind the non-ESP marker): IKE_AUTH takes several each way.
 * A side with fragmentation = no sends whole messages. ---- */

static void frag_pair(bool a_frag, bool b_frag, unsigned drop)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	use_cert(&sides[0], "rsa.pem", "rsa.key", "ca.pem", "rsa.lab.example",
		 "b.lab.example");
	use_cert(&sides[1], "b.pem", "b.key", "ca.pem", "b.lab.example",
		 "rsa.lab.example");
	sides[0].cfg.fragmentation = a_frag;
	sides[1].cfg.fragmentation = b_frag;
	sides[0].cfg.frag_size = sides[1].cfg.frag_size = 576;
	engines_start();
	drop_at = drop;
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	broken = 0; /* the first Child SA: see establish() */
}

TEST(ike_engine_sends_fragments)
{
	frag_pair(true, true, 0);
	check_mirrored();
	CHECK(sides[0].ike.stats.frags_sent > 1);
	CHECK(sides[1].ike.stats.frags_sent > 1);
	CHECK_EQ(wire_frags, sides[0].ike.stats.frags_sent +
				     sides[1].ike.stats.frags_sent);
	CHECK_EQ(wire_frags_over, 0);
	CHECK_EQ(sides[0].ike.stats.drops[IKE_DROP_DECRYPT] +
			 sides[1].ike.stats.drops[IKE_DROP_DECRYPT], 0);
	/* Later exchanges are small: whole. Rekeys still work. */
	child_rekey(1);
	ike_sa_rekey(0);
	CHECK_EQ(wire_frags, sides[0].ike.stats.frags_sent +
				     sides[1].ike.stats.frags_sent);
	engines_stop();
	drop_certs();
}

/* A lost fragment of the request: A resends them all, B completes the
 * message with the missing one. */
TEST(ike_engine_fragment_lost_request)
{
	uint64_t first;

	frag_pair(true, true, 4); /* 1, 2: IKE_SA_INIT; 3..: IKE_AUTH */
	CHECK(!strcmp(state_of(0), "authenticating"));
	first = sides[0].ike.stats.frags_sent;
	REQUIRE(first > 1);
	advance(1000);
	check_mirrored();
	CHECK_EQ(sides[0].ike.stats.retransmits, 1);
	CHECK_EQ(sides[0].ike.stats.frags_sent, 2 * first);
	CHECK_EQ(wire_frags_over, 0);
	engines_stop();
	drop_certs();
}

/* A lost fragment of the response: A retransmits its request in
 * fragments; B answers it once, on fragment 1 (RFC 7383 §2.6.1), with all
 * of its kept fragments, and A completes. */
TEST(ike_engine_fragment_lost_response)
{
	uint64_t a_first, b_first;

	/* A's request goes in three fragments (3..5), B's answer from 6. */
	frag_pair(true, true, 7);
	a_first = sides[0].ike.stats.frags_sent;
	b_first = sides[1].ike.stats.frags_sent;
	REQUIRE(a_first == 3 && b_first > 1);
	CHECK(!strcmp(state_of(0), "authenticating"));
	CHECK(!strcmp(state_of(1), "established"));
	advance(1000);
	check_mirrored();
	CHECK_EQ(sides[0].ike.stats.frags_sent, 2 * a_first);
	CHECK_EQ(sides[1].ike.stats.frags_sent, 2 * b_first);
	CHECK_EQ(sides[1].ike.nsas, 1);
	engines_stop();
	drop_certs();
}

/* Fragmentation off on either side: whole messages only, still up. */
TEST(ike_engine_fragmentation_off)
{
	int off;

	for (off = 0; off < 2; off++) {
		frag_pair(off != 0, off == 0, 0);
		check_mirrored();
		CHECK_EQ(wire_frags, 0);
		CHECK_EQ(sides[0].ike.stats.frags_sent +
				 sides[1].ike.stats.frags_sent, 0);
		engines_stop();
		drop_certs();
	}
}
