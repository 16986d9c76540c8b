/* SPDX-License-Identifier: MIT */
/*
 * Two IKEv2 engines talking to each other in memory, for the engine tests
 * (test_ike_engine*.c): the datagrams one sends are handed to the other
 * (or lost, duplicated, altered, as a test says), the clock is the test's,
 * the keys process is a function here. What each side puts in force
 * through child_up must mirror the other's.
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
#include "ike_engine_util.h"
#include "test.h"
#include "util/bytes.h"

struct side sides[2];
struct dgram queue[QMAX];
unsigned qlen, sent_total;
uint64_t clock_ms = 1000;
int drop_next;        /* drop this many datagrams from now on */
unsigned drop_at;     /* drop the datagram sent as this one (the
		       * first is 1); 0: none */
/* On the wire, whoever sent them: IKE fragments (RFC 7383), and those
 * making IP datagrams larger than their sender's fragment size. */
unsigned wire_frags, wire_frags_over;
unsigned broken;      /* deliveries after which a side sent into
		       * the void (make-before-break broken) */
bool keep_copies;     /* remember every datagram delivered */
uint16_t nat_shift;   /* A behind a NAT: B sees A's ports moved up
		       * by this much (0: no NAT) */
unsigned keepalives[2]; /* NAT-keepalives each side sent */
uint16_t moved_to[2]; /* peer_moved: the peer's new port */
struct ip_addr moved_addr[2];
struct dgram delivered[QMAX];
unsigned ndelivered;

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

uint64_t usage_bytes, usage_left = UINT64_MAX;

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
bool sendable(const struct side *from, const struct side *to)
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
	moved_addr[s->id] = remote->addr;
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

void set_props(struct side *s, const char *ike, const char *esp)
{
	const char *why;

	REQUIRE(ike_proposals_parse(ike, IKE_PROP_IKE, s->cfg.ike,
				    IKE_OFFERS_MAX, &s->cfg.nike, &why, NULL,
				    0) == 0);
	REQUIRE(ike_proposals_parse(esp, IKE_PROP_ESP, s->cfg.esp,
				    IKE_OFFERS_MAX, &s->cfg.nesp, &why, NULL,
				    0) == 0);
}

void side_cfg(struct side *s, int id, const char *ike,
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

void engines_start(void)
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
	memset(moved_addr, 0, sizeof(moved_addr));
	drop_next = 0;
	drop_at = wire_frags = wire_frags_over = 0;
	keep_copies = false;
	for (i = 0; i < 2; i++) {
		env.ctx = &sides[i];
		REQUIRE(ike_init(&sides[i].ike, &env, &sides[i].cfg, 1) == 0);
	}
}

void engines_stop(void)
{
	ike_free(&sides[0].ike);
	ike_free(&sides[1].ike);
}

/* Deliver queued datagrams until none is left (bounded). */

void pump(void)
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
void deliver(const struct dgram *d)
{
	ike_input(&sides[d->to].ike, &d->dst, &d->from, d->buf, d->len);
	if (!sendable(&sides[0], &sides[1]) || !sendable(&sides[1], &sides[0]))
		broken++;
}

/* Take the first queued datagram out, into *d. */
void take_first(struct dgram *d)
{
	REQUIRE(qlen > 0);
	*d = queue[0];
	memmove(queue, queue + 1, --qlen * sizeof(queue[0]));
}

void advance(uint64_t ms)
{
	clock_ms += ms;
	ike_tick(&sides[0].ike);
	ike_tick(&sides[1].ike);
	pump();
}

const char *state_of(int i)
{
	struct ike_sa_info info;

	return ike_sa_get(&sides[i].ike, 0, &info) ? info.state : "none";
}

/* Both sides up, with mirror-image Child SAs. */
void check_mirrored(void)
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

void establish(const char *ike, const char *esp, enum esp_mode mode)
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

/* Rekey the Child SA from side who; returns once both sides hold the new
 * pair and the old inbound SAs are gone (after the grace time). */
void child_rekey(int who)
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

uint64_t ike_spi_of(int i)
{
	struct ike_sa_info info;

	return ike_sa_get(&sides[i].ike, 0, &info) ? info.spi_i : 0;
}

/* Rekey the IKE SA from side who: new SPIs on both sides, the Child SA
 * untouched, the old IKE SA gone. */
void ike_sa_rekey(int who)
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

/* ---- certificates (test/vectors/ike-cert: CA, a.lab.example,
 * b.lab.example, and a certificate of another CA) ---- */

void vec_path(char *buf, size_t cap, const char *name)
{
	const char *src = getenv("TUNSEC_SRCDIR");

	snprintf(buf, cap, "%s/test/vectors/ike-cert/%s", src ? src : ".",
		 name);
}

EVP_PKEY *load_key(const char *name)
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
void use_cert(struct side *s, const char *cert, const char *key,
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

void drop_certs(void)
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

void cert_pair(const char *a_cert, const char *a_key,
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
