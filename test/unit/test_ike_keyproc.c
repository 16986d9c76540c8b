/* SPDX-License-Identifier: MIT */
/*
 * The keys process (src/ike/keyproc*.c): every request round trip through
 * keyproc_serve() on a thread over a socketpair; AUTH values against the
 * known answers of test/vectors/ike/auth-psk.txt (computed with Python's
 * cryptography by gen_ike_vectors.py) and against ike_authpsk_compute()
 * for each prf; refusal tables for malformed requests and replies (every
 * truncation, each header field, each range rule); multi-part reloads; a
 * silent and a vanished peer; SIGN with the private keys of KEY_FILE
 * secrets (test/vectors/ike-cert/), its AUTH data verified with the
 * certificate through ike_authsig_verify, on a thread and in the forked
 * process, keys swapped by a reload, every refusal status, malformed SIGN
 * requests and replies. The forked process otherwise:
 * test_ike_keyproc_fork.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cert_util.h"
#include "ike/authpsk.h"
#include "ike/authsig.h"
#include "ike/keyproc.h"
#include "ike/wire.h"
#include "ikevec.h"
#include "keyproc_util.h"
#include "test.h"
#include "util/bytes.h"

static const enum ike_prf_alg prfs[] = {
	IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_384, IKE_PRF_HMAC_SHA2_512,
};

/* ---- a keys side on a thread ---- */

struct srv {
	int sv[2];
	pthread_t th;
	int rc;
	struct keyproc_secret *table;
	unsigned n;
	struct keyproc kp;
};

static void *serve_run(void *arg)
{
	struct srv *s = arg;

	s->rc = keyproc_serve(s->sv[1], s->table, s->n);
	close(s->sv[1]);
	return NULL;
}

/* Serve table (wiped by the server) and wait until it answers. */
static bool srv_start(struct srv *s, struct keyproc_secret *table,
		      unsigned n)
{
	memset(s, 0, sizeof(*s));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s->sv))
		return false;
	s->table = table;
	s->n = n;
	s->kp = KEYPROC_NONE;
	s->kp.fd = s->sv[0];
	if (pthread_create(&s->th, NULL, serve_run, s))
		return false;
	return keyproc_ping(&s->kp, KU_TMO) == 0;
}

static int srv_stop(struct srv *s)
{
	keyproc_stop(&s->kp);
	pthread_join(s->th, NULL);
	return s->rc;
}

/* ---- round trips ---- */

struct vec_arg {
	struct srv *srv;
	int checked;
};

/* signed octets = message | nonce | prf(sk_p, id); reload the case's psk
 * as secret 7, ask for AUTH, compare with the file. */
static void vec_case(struct ikevec *v, void *arg)
{
	struct vec_arg *va = arg;
	enum ike_prf_alg prf = ikevec_prf(v, "prf");
	size_t pl, ml, nl, kl, il, al, plen = ike_prf_len(prf);
	uint8_t *psk = ikevec_hex(v, "psk", &pl);
	uint8_t *msg = ikevec_hex(v, "message", &ml);
	uint8_t *nonce = ikevec_hex(v, "nonce", &nl);
	uint8_t *sk_p = ikevec_hex(v, "sk_p", &kl);
	uint8_t *id = ikevec_hex(v, "id", &il);
	uint8_t *auth = ikevec_hex(v, "auth", &al);
	uint8_t *oct = NULL, out[IKE_PRF_LEN_MAX];
	struct keyproc_secret t[2];
	struct ike_bytes idb;

	if (!psk || !msg || !nonce || !sk_p || !id || !auth || !plen ||
	    pl > KEYPROC_SECRET_MAX)
		goto out;
	oct = malloc(ml + nl + plen);
	memcpy(oct, msg, ml);
	memcpy(oct + ml, nonce, nl);
	idb = (struct ike_bytes){ id, il };
	ike_prf(prf, sk_p, kl, &idb, 1, oct + ml + nl);
	t[0] = ku_secret(3, "other", 5);
	t[1] = ku_secret(7, psk, pl);
	if (keyproc_reload(&va->srv->kp, t, 2, KU_TMO))
		IKEVEC_FAIL(v, "reload failed");
	if (keyproc_auth_psk(&va->srv->kp, 7, prf, oct, ml + nl + plen, out,
			     plen, KU_TMO) ||
	    al != plen || memcmp(out, auth, al))
		IKEVEC_FAIL(v, "AUTH differs from the vector");
	else
		va->checked++;
out:
	free(psk);
	free(msg);
	free(nonce);
	free(sk_p);
	free(id);
	free(auth);
	free(oct);
}

TEST(keyproc_auth_vectors)
{
	struct keyproc_secret t[1];
	struct vec_arg va;
	struct srv s;

	ku_table(t, 1, 1);
	REQUIRE(srv_start(&s, t, 1));
	va = (struct vec_arg){ &s, 0 };
	CHECK_EQ(ikevec_read("auth-psk.txt", vec_case, &va), 4);
	CHECK_EQ(va.checked, 4);
	CHECK_EQ(srv_stop(&s), 0);
}

/* Random parts for each prf: keyproc over assembled octets equals
 * ike_authpsk_compute() over the parts. */
static void authpsk_case(struct srv *s, enum ike_prf_alg prf, unsigned round)
{
	uint8_t msg[300], nonce[64], sk_p[64], id[40], psk[KEYPROC_SECRET_MAX];
	size_t plen = ike_prf_len(prf), ml = 1 + test_rand() % sizeof(msg);
	size_t pskl = 1 + test_rand() % sizeof(psk), nl = 16 + round % 49;
	uint8_t oct[sizeof(msg) + sizeof(nonce) + IKE_PRF_LEN_MAX];
	uint8_t want[IKE_PRF_LEN_MAX], got[IKE_PRF_LEN_MAX];
	struct ike_authpsk_in in = { prf, msg, ml, nonce, nl, sk_p, plen,
				     id, sizeof(id) };
	struct ike_bytes idb = { id, sizeof(id) };
	struct keyproc_secret t[3];

	test_rand_bytes(msg, sizeof(msg));
	test_rand_bytes(nonce, sizeof(nonce));
	test_rand_bytes(sk_p, sizeof(sk_p));
	test_rand_bytes(id, sizeof(id));
	test_rand_bytes(psk, sizeof(psk));
	memcpy(oct, msg, ml);
	memcpy(oct + ml, nonce, nl);
	ike_prf(prf, sk_p, plen, &idb, 1, oct + ml + nl);
	t[0] = ku_secret(1, "a", 1);
	t[1] = ku_secret(2 + round, psk, pskl);
	t[2] = ku_secret(1000, "b", 1);
	REQUIRE(keyproc_reload(&s->kp, t, 3, KU_TMO) == 0);
	REQUIRE(ike_authpsk_compute(&in, psk, pskl, want, plen) == 0);
	CHECK_EQ(keyproc_auth_psk(&s->kp, 2 + round, prf, oct, ml + nl + plen,
				  got, plen, KU_TMO), 0);
	CHECK_MEM(got, want, plen);
	CHECK_EQ(keyproc_auth_psk(&s->kp, 1, prf, oct, ml + nl + plen, got,
				  plen, KU_TMO), 0);
	CHECK(memcmp(got, want, plen) != 0);
}

TEST(keyproc_auth_matches_authpsk)
{
	struct keyproc_secret t[1];
	unsigned i, round;
	struct srv s;

	ku_table(t, 1, 1);
	REQUIRE(srv_start(&s, t, 1));
	for (i = 0; i < 3; i++)
		for (round = 0; round < 8; round++)
			authpsk_case(&s, prfs[i], round);
	CHECK_EQ(srv_stop(&s), 0);
}

TEST(keyproc_auth_refusals)
{
	static uint8_t big[KEYPROC_OCTETS_MAX + 1];
	uint8_t out[IKE_PRF_LEN_MAX], want[IKE_PRF_LEN_MAX];
	struct keyproc_secret t[4], copy[4];
	struct keyproc none = KEYPROC_NONE;
	struct srv s;

	ku_table(t, 4, 10);
	memcpy(copy, t, sizeof(t));
	REQUIRE(srv_start(&s, t, 4));
	CHECK(ku_all_zero(t, sizeof(t)));
	CHECK_EQ(keyproc_auth_psk(&s.kp, 11, IKE_PRF_HMAC_SHA2_256, big, 5,
				  out, 32, KU_TMO), -ENOENT);
	CHECK(ku_all_zero(out, 32));
	CHECK_EQ(keyproc_auth_psk(&s.kp, 10, IKE_PRF_HMAC_SHA2_256, big, 5,
				  out, 48, KU_TMO), -EINVAL);
	CHECK_EQ(keyproc_auth_psk(&s.kp, 10, (enum ike_prf_alg)4, big, 5, out,
				  32, KU_TMO), -EINVAL);
	CHECK_EQ(keyproc_auth_psk(&s.kp, 10, IKE_PRF_HMAC_SHA2_256, big, 0,
				  out, 32, KU_TMO), -EINVAL);
	CHECK_EQ(keyproc_auth_psk(&s.kp, 10, IKE_PRF_HMAC_SHA2_256, big,
				  sizeof(big), out, 32, KU_TMO), -EINVAL);
	/* The longest octets go through. */
	CHECK_EQ(keyproc_auth_psk(&s.kp, 30, IKE_PRF_HMAC_SHA2_512, big,
				  KEYPROC_OCTETS_MAX, out, 64, KU_TMO), 0);
	ku_ref_auth(IKE_PRF_HMAC_SHA2_512, &copy[3], big, KEYPROC_OCTETS_MAX,
		 want);
	CHECK_MEM(out, want, 64);
	CHECK_EQ(keyproc_auth_psk(&none, 30, IKE_PRF_HMAC_SHA2_256, big, 5,
				  out, 32, KU_TMO), -EPIPE);
	CHECK_EQ(keyproc_ping(&none, KU_TMO), -EPIPE);
	CHECK_EQ(srv_stop(&s), 0);
}

/* More entries than one part; an empty table; a bad table changes
 * nothing and is wiped all the same. */
TEST(keyproc_reload_parts)
{
	static struct keyproc_secret t[200], copy[200];
	static struct keyproc_secret many[KEYPROC_SECRETS_MAX + 1];
	uint8_t out[32], want[32], oct[3] = { 1, 2, 3 };
	struct srv s;

	ku_table(t, 1, 1);
	REQUIRE(srv_start(&s, t, 1));
	ku_table(t, 200, 2);
	memcpy(copy, t, sizeof(t));
	CHECK_EQ(keyproc_reload(&s.kp, t, 200, KU_TMO), 0);
	CHECK(ku_all_zero(t, sizeof(t)));
	CHECK_EQ(keyproc_auth_psk(&s.kp, 398, IKE_PRF_HMAC_SHA2_256, oct, 3,
				  out, 32, KU_TMO), 0);
	ku_ref_auth(IKE_PRF_HMAC_SHA2_256, &copy[199], oct, 3, want);
	CHECK_MEM(out, want, 32);
	CHECK_EQ(keyproc_auth_psk(&s.kp, 128, IKE_PRF_HMAC_SHA2_256, oct, 3,
				  out, 32, KU_TMO), 0);
	ku_ref_auth(IKE_PRF_HMAC_SHA2_256, &copy[64], oct, 3, want);
	CHECK_MEM(out, want, 32);
	CHECK_EQ(keyproc_auth_psk(&s.kp, 397, IKE_PRF_HMAC_SHA2_256, oct, 3,
				  out, 32, KU_TMO), -ENOENT);

	ku_table(t, 3, 1);
	t[2].id = 1;
	CHECK_EQ(keyproc_reload(&s.kp, t, 3, KU_TMO), -EINVAL);
	CHECK(ku_all_zero(t, sizeof(t)));
	t[0] = ku_secret(1, "x", 1);
	t[0].kind = 9;
	CHECK_EQ(keyproc_reload(&s.kp, t, 1, KU_TMO), -EINVAL);
	ku_table(many, KEYPROC_SECRETS_MAX + 1, 1);
	CHECK_EQ(keyproc_reload(&s.kp, many, KEYPROC_SECRETS_MAX + 1, KU_TMO),
		 -EINVAL);
	CHECK(ku_all_zero(many, sizeof(many)));
	CHECK_EQ(keyproc_auth_psk(&s.kp, 0, IKE_PRF_HMAC_SHA2_256, oct, 3,
				  out, 32, KU_TMO), 0);
	ku_ref_auth(IKE_PRF_HMAC_SHA2_256, &copy[0], oct, 3, want);
	CHECK_MEM(out, want, 32);

	CHECK_EQ(keyproc_reload(&s.kp, NULL, 0, KU_TMO), 0);
	CHECK_EQ(keyproc_auth_psk(&s.kp, 0, IKE_PRF_HMAC_SHA2_256, oct, 3,
				  out, 32, KU_TMO), -ENOENT);
	CHECK_EQ(srv_stop(&s), 0);
}

/* A peer that never answers, then one that is gone; a stale reply is
 * dropped by its id. */
TEST(keyproc_client_timeout_and_pipe)
{
	uint8_t out[32], oct[1] = { 0 }, hdr[KEYPROC_HDR_LEN];
	struct keyproc kp = KEYPROC_NONE;
	struct keyproc_secret t[1];
	struct timespec a, b;
	struct srv s;
	int sv[2];

	REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	kp.fd = sv[0];
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(keyproc_auth_psk(&kp, 1, IKE_PRF_HMAC_SHA2_256, oct, 1, out,
				  32, 50), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(b.tv_sec - a.tv_sec < 2);
	close(sv[1]);
	CHECK_EQ(keyproc_ping(&kp, KU_TMO), -EPIPE);
	CHECK_EQ(keyproc_auth_psk(&kp, 1, IKE_PRF_HMAC_SHA2_256, oct, 1, out,
				  32, KU_TMO), -EPIPE);
	CHECK_EQ(keyproc_stop(&kp), 0);
	CHECK_EQ(kp.fd, -1);

	ku_table(t, 1, 1);
	REQUIRE(srv_start(&s, t, 1));
	keyproc_msg_put_hdr(hdr, KEYPROC_T_PING, 0x7777, 0);
	CHECK_EQ(send(s.kp.fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	CHECK_EQ(keyproc_ping(&s.kp, KU_TMO), 0);
	CHECK_EQ(srv_stop(&s), 0);
}

/* ---- the handler's refusal table ---- */

struct hsrv {
	struct keyproc_server sv;
	uint8_t reply[KEYPROC_REPLY_MAX];
	struct keyproc_reply r;
};

/* Handle req; the reply must parse. Returns its status. */
static int handle(struct hsrv *h, const uint8_t *req, size_t len)
{
	size_t n = keyproc_server_handle(&h->sv, req, len, h->reply,
					 sizeof(h->reply));

	if (keyproc_msg_parse_reply(h->reply, n, &h->r))
		return 1;
	return h->r.status;
}

static size_t auth_req(uint8_t *p, uint32_t id, uint32_t sid, uint16_t prf,
		       size_t octets)
{
	keyproc_msg_put_auth(p, id, sid, prf, octets);
	memset(p + KEYPROC_HDR_LEN + KEYPROC_AUTH_FIXED, 0xa5, octets);
	return KEYPROC_HDR_LEN + KEYPROC_AUTH_FIXED + octets;
}

static void truncations(struct hsrv *h, const uint8_t *req, size_t len,
			uint32_t id)
{
	size_t cut;

	for (cut = 0; cut < len; cut++) {
		CHECK_EQ(handle(h, req, cut), -EBADMSG);
		CHECK_EQ(h->r.id, cut >= 12 ? id : 0);
	}
	CHECK_EQ(handle(h, req, len), 0);
	CHECK_EQ(h->r.id, id);
}

TEST(keyproc_handle_truncations)
{
	static uint8_t req[KEYPROC_RELOAD_MAX];
	struct keyproc_secret t[3];
	struct hsrv h;
	int len;

	ku_table(t, 3, 5);
	REQUIRE(keyproc_server_init(&h.sv, t, 3) == 0);
	keyproc_msg_put_hdr(req, KEYPROC_T_PING, 0x01020304, 0);
	truncations(&h, req, KEYPROC_HDR_LEN, 0x01020304);
	truncations(&h, req, auth_req(req, 9, 5, 6, 40), 9);
	CHECK_EQ(cursor_left(&h.r.auth), 48);
	ku_table(t, 3, 5);
	len = keyproc_msg_build_reload(req, sizeof(req), 11, 3, 0, t, 3);
	REQUIRE(len > 0);
	truncations(&h, req, (size_t)len, 11);
	keyproc_server_free(&h.sv);
}

/* Each header rule broken once. */
TEST(keyproc_handle_bad_header)
{
	static uint8_t req[KEYPROC_REQ_MAX + 1];
	struct hsrv h;
	size_t len;

	REQUIRE(keyproc_server_init(&h.sv, NULL, 0) == 0);
	len = auth_req(req, 5, 1, 5, 8);
	req[0] ^= 1;
	CHECK_EQ(handle(&h, req, len), -EBADMSG);
	req[0] ^= 1;
	req[4] = 2;
	CHECK_EQ(handle(&h, req, len), -EPROTONOSUPPORT);
	req[4] = KEYPROC_VERSION;
	req[5] = 9;
	CHECK_EQ(handle(&h, req, len), -EOPNOTSUPP);
	CHECK_EQ(h.r.type, KEYPROC_T_NONE);
	CHECK_EQ(h.r.id, 5);
	req[5] = KEYPROC_T_AUTH_PSK | KEYPROC_REPLY;
	CHECK_EQ(handle(&h, req, len), -EOPNOTSUPP);
	req[5] = KEYPROC_T_AUTH_PSK;
	req[7] = 1;
	CHECK_EQ(handle(&h, req, len), -EBADMSG);
	req[7] = 0;
	req[15]++;
	CHECK_EQ(handle(&h, req, len), -EBADMSG);
	req[15]--;
	CHECK_EQ(handle(&h, req, len), -ENOENT);
	CHECK_EQ(h.r.type, KEYPROC_T_AUTH_PSK);
	CHECK_EQ(handle(&h, req, KEYPROC_REQ_MAX + 1), -EMSGSIZE);
	CHECK_EQ(h.r.id, 5);
	keyproc_msg_put_hdr(req, KEYPROC_T_PING, 6, 1);
	CHECK_EQ(handle(&h, req, KEYPROC_HDR_LEN + 1), -EBADMSG);
	keyproc_server_free(&h.sv);
}

TEST(keyproc_handle_bad_auth)
{
	static uint8_t req[KEYPROC_REQ_MAX + 1];
	struct keyproc_secret t[2];
	struct hsrv h;
	size_t len;

	ku_table(t, 2, 1);
	REQUIRE(keyproc_server_init(&h.sv, t, 2) == 0);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 1, 4, 8)), -EINVAL);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 1, 8, 8)), -EINVAL);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 1, 5, 0)), -EINVAL);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 2, 5, 8)), -ENOENT);
	len = auth_req(req, 1, 1, 5, 8);
	req[KEYPROC_HDR_LEN + 7] = 1;
	CHECK_EQ(handle(&h, req, len), -EBADMSG);
	len = auth_req(req, 1, 1, 5, KEYPROC_OCTETS_MAX + 1);
	CHECK_EQ(handle(&h, req, len), -EMSGSIZE);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 1, 7, KEYPROC_OCTETS_MAX)),
		 0);
	CHECK_EQ(cursor_left(&h.r.auth), 64);
	keyproc_server_free(&h.sv);
}

/* A RELOAD part written field by field: total, first, count, then
 * (id, kind, reserved, len) entries with len bytes of 0x33. */
static size_t raw_reload(uint8_t *p, uint32_t total, uint32_t first,
			 uint16_t count, const uint32_t (*e)[4])
{
	size_t off = KEYPROC_HDR_LEN + KEYPROC_RELOAD_FIXED;
	unsigned i;

	put_be32(p + KEYPROC_HDR_LEN, total);
	put_be32(p + KEYPROC_HDR_LEN + 4, first);
	put_be16(p + KEYPROC_HDR_LEN + 8, count);
	put_be16(p + KEYPROC_HDR_LEN + 10, 0);
	for (i = 0; i < count; i++) {
		put_be32(p + off, e[i][0]);
		p[off + 4] = (uint8_t)e[i][1];
		p[off + 5] = (uint8_t)e[i][2];
		put_be16(p + off + 6, (uint16_t)e[i][3]);
		memset(p + off + 8, 0x33, e[i][3]);
		off += 8 + e[i][3];
	}
	keyproc_msg_put_hdr(p, KEYPROC_T_RELOAD, 1,
			    (uint32_t)(off - KEYPROC_HDR_LEN));
	return off;
}

TEST(keyproc_handle_bad_reload)
{
	static uint8_t req[KEYPROC_RELOAD_MAX + 300];
	static const uint32_t ok[2][4] = { { 1, 1, 0, 4 }, { 2, 1, 0, 256 } };
	static const uint32_t kind[1][4] = { { 1, 9, 0, 4 } };
	static const uint32_t empty[1][4] = { { 1, 1, 0, 0 } };
	static const uint32_t huge[1][4] = { { 1, 1, 0, 257 } };
	static const uint32_t rsv[1][4] = { { 1, 1, 1, 4 } };
	static const uint32_t dup[2][4] = { { 3, 1, 0, 4 }, { 3, 1, 0, 4 } };
	static const uint32_t low[1][4] = { { 0, 1, 0, 4 } };
	static const uint32_t next[1][4] = { { 9, 1, 0, 4 } };
	struct hsrv h;
	size_t len;

	REQUIRE(keyproc_server_init(&h.sv, NULL, 0) == 0);
	CHECK_EQ(handle(&h, req, raw_reload(req, 2, 0, 1, kind)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 2, 0, 1, empty)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 2, 0, 1, huge)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 2, 0, 1, rsv)), -EBADMSG);
	CHECK_EQ(handle(&h, req, raw_reload(req, 2, 0, 2, dup)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 1, 0, 2, ok)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 2, 1, 2, ok)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, KEYPROC_SECRETS_MAX + 1, 0, 2,
					     ok)), -EINVAL);
	len = raw_reload(req, 200, 0, 0, NULL);
	put_be16(req + KEYPROC_HDR_LEN + 8, KEYPROC_RELOAD_PART + 1);
	CHECK_EQ(handle(&h, req, len), -EINVAL);
	len = raw_reload(req, 2, 0, 2, ok);
	req[len] = 0;
	put_be32(req + 12, (uint32_t)(len + 1 - KEYPROC_HDR_LEN));
	CHECK_EQ(handle(&h, req, len + 1), -EBADMSG);
	len = raw_reload(req, 2, 0, 2, ok);
	req[KEYPROC_HDR_LEN + 11] = 1;
	CHECK_EQ(handle(&h, req, len), -EBADMSG);
	CHECK_EQ(h.sv.n, 0);
	CHECK_EQ(handle(&h, req, raw_reload(req, 2, 0, 2, ok)), 0);
	CHECK_EQ(h.sv.n, 2);
	/* Parts out of order: no table open, a gap, an id not above. */
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 1, 1, next)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 0, 2, ok)), 0);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 1, 1, next)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 0, 2, ok)), 0);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 2, 1, low)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 2, 1, next)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 0, 2, ok)), 0);
	CHECK_EQ(handle(&h, req, raw_reload(req, 4, 2, 1, next)), -EINVAL);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 2, 1, next)), -EINVAL);
	/* None of it replaced the table of {1, 2} from the part that was
	 * whole. */
	CHECK_EQ(h.sv.n, 2);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 2, 5, 1)), 0);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 9, 5, 1)), -ENOENT);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 0, 2, ok)), 0);
	CHECK_EQ(handle(&h, req, raw_reload(req, 3, 2, 1, next)), 0);
	CHECK_EQ(h.sv.n, 3);
	CHECK_EQ(handle(&h, req, auth_req(req, 1, 9, 5, 1)), 0);
	keyproc_server_free(&h.sv);
}

TEST(keyproc_reply_refusals)
{
	uint8_t rep[KEYPROC_REPLY_MAX + 1], auth[64] = { 1 };
	struct keyproc_reply r;
	int len;
	size_t cut;

	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_AUTH_PSK, 3,
				      0, auth, 48);
	REQUIRE(len == KEYPROC_HDR_LEN + 4 + 48);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), 0);
	CHECK_EQ(r.id, 3);
	CHECK_EQ(cursor_left(&r.auth), 48);
	for (cut = 0; cut < (size_t)len; cut++)
		CHECK(keyproc_msg_parse_reply(rep, cut, &r) != 0);
	CHECK(keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_AUTH_PSK, 3,
				      0, auth, 40) > 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, KEYPROC_HDR_LEN + 44, &r),
		 -EBADMSG);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_PING, 3, 1,
				      NULL, 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_PING, 3, 0,
				      auth, 32);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_AUTH_PSK, 3,
				      0, NULL, 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_NONE, 0,
				      -EBADMSG, NULL, 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), 0);
	rep[5] = KEYPROC_T_PING;
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
	CHECK_EQ(keyproc_msg_build_reply(rep, 20, KEYPROC_T_AUTH_PSK, 3, 0,
					 auth, 32), -ENOSPC);
}

/* Garbage and an oversized datagram over a real socket: each refused with
 * a reply, the server goes on. */
TEST(keyproc_serve_malformed)
{
	static uint8_t big[KEYPROC_REQ_MAX + 100];
	uint8_t rep[KEYPROC_REPLY_MAX];
	struct keyproc_secret t[1];
	struct keyproc_reply r;
	ssize_t n;
	struct srv s;

	ku_table(t, 1, 1);
	REQUIRE(srv_start(&s, t, 1));
	CHECK_EQ(send(s.kp.fd, "junk", 4, 0), 4);
	n = recv(s.kp.fd, rep, sizeof(rep), 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, n > 0 ? (size_t)n : 0, &r), 0);
	CHECK_EQ(r.status, -EBADMSG);
	CHECK_EQ(r.id, 0);
	auth_req(big, 77, 0, 5, KEYPROC_OCTETS_MAX + 50);
	CHECK_EQ(send(s.kp.fd, big, sizeof(big) - 50, 0),
		 (ssize_t)(sizeof(big) - 50));
	n = recv(s.kp.fd, rep, sizeof(rep), 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, n > 0 ? (size_t)n : 0, &r), 0);
	CHECK_EQ(r.status, -EMSGSIZE);
	CHECK_EQ(r.id, 77);
	CHECK_EQ(keyproc_ping(&s.kp, KU_TMO), 0);
	CHECK_EQ(srv_stop(&s), 0);
}

/* ---- SIGN with KEY_FILE secrets ---- */

static struct keyproc_secret key_secret(uint32_t id, const char *path)
{
	struct keyproc_secret s = { .id = id,
				    .kind = KEYPROC_KIND_KEY_FILE };
	size_t n = strlen(path);

	memcpy(s.bytes, path, n);
	s.len = n;
	return s;
}

/* 1 a shared key; 2 a.key (P-256), 3 rsa.key, 4 b.key (P-384); files
 * that give no key: 5 missing, 6 a script, 7 a directory, 8 a
 * certificate. Returns the count. */
static unsigned sign_table(struct keyproc_secret *t)
{
	t[0] = ku_secret(1, "psk", 3);
	t[1] = key_secret(2, cu_path("a.key"));
	t[2] = key_secret(3, cu_path("rsa.key"));
	t[3] = key_secret(4, cu_path("b.key"));
	t[4] = key_secret(5, cu_path("missing.key"));
	t[5] = key_secret(6, cu_path("gen.sh"));
	t[6] = key_secret(7, cu_path(""));
	t[7] = key_secret(8, cu_path("ca.pem"));
	return 8;
}

struct kp_signer {
	struct keyproc *kp;
	uint32_t id;
};

static int kp_sign(void *ctx, uint16_t hash, enum ike_sig_scheme scheme,
		   const uint8_t *octets, size_t len, uint8_t *sig,
		   size_t cap, size_t *sig_len)
{
	struct kp_signer *s = ctx;

	return keyproc_sign(s->kp, s->id, hash, (uint8_t)scheme, octets, len,
			    sig, cap, sig_len, KU_TMO);
}

/* AUTH data signed by secret id through the keys process with alg,
 * verified (or, want_ok false, refused) with cert's key. */
static void sign_check(struct keyproc *kp, uint32_t id, const char *alg,
		       const char *cert, bool want_ok)
{
	const struct ike_authsig_alg *a = cu_alg(alg);
	struct ike_x509 *c = cu_cert(cert);
	uint8_t out[1 + IKE_AUTHSIG_ALGID_MAX + IKE_AUTHSIG_SIG_MAX];
	struct kp_signer ks = { kp, id };
	uint8_t oct[500];
	struct ike_auth au;
	struct ike_auth_sig s;
	const char *why;
	size_t len = 0;

	REQUIRE(a && c);
	test_rand_bytes(oct, sizeof(oct));
	CHECK_EQ(ike_authsig_sign(a, kp_sign, &ks, oct, sizeof(oct), out,
				  sizeof(out), &len), 0);
	au = (struct ike_auth){ IKE_AM_DIGITAL_SIGNATURE, out, len };
	CHECK(ike_decode_auth_sig(&au, &s) == IKE_PARSE_OK);
	CHECK_EQ(ike_authsig_verify(&s, oct, sizeof(oct), ike_cert_pubkey(c),
				    &why), want_ok ? 0 : -EACCES);
	oct[100] ^= 4;
	CHECK_EQ(ike_authsig_verify(&s, oct, sizeof(oct), ike_cert_pubkey(c),
				    &why), -EACCES);
	ike_cert_free(c);
}

TEST(keyproc_sign_round_trips)
{
	struct keyproc_secret t[8];
	struct srv s;
	unsigned n = sign_table(t);

	REQUIRE(srv_start(&s, t, n));
	CHECK(ku_all_zero(t, sizeof(t)));
	sign_check(&s.kp, 2, "ecdsa-with-SHA256", "a.pem", true);
	sign_check(&s.kp, 2, "ecdsa-with-SHA512", "a.pem", true);
	sign_check(&s.kp, 4, "ecdsa-with-SHA384", "b.pem", true);
	sign_check(&s.kp, 3, "RSASSA-PSS-SHA256", "rsa.pem", true);
	sign_check(&s.kp, 3, "sha384WithRSAEncryption", "rsa.pem", true);
	sign_check(&s.kp, 2, "ecdsa-with-SHA256", "b.pem", false);
	sign_check(&s.kp, 4, "ecdsa-with-SHA384", "other.pem", false);
	CHECK_EQ(srv_stop(&s), 0);
}

TEST(keyproc_sign_refusals)
{
	uint8_t oct[40] = { 7 }, sig[KEYPROC_SIG_MAX], out[32];
	struct keyproc_secret t[8];
	struct keyproc none = KEYPROC_NONE;
	size_t len = 1;
	struct srv s;
	unsigned n = sign_table(t), id;

	REQUIRE(srv_start(&s, t, n));
#define SIGN(id, h, sc, cap) \
	keyproc_sign(&s.kp, id, h, sc, oct, sizeof(oct), sig, cap, &len, \
		     KU_TMO)
	CHECK_EQ(SIGN(2, IKE_HASH_SHA2_256, IKE_SIG_ECDSA, sizeof(sig)), 0);
	CHECK(len > 60 && len < 80 && sig[0] == 0x30);
	CHECK_EQ(SIGN(3, IKE_HASH_SHA2_512, IKE_SIG_RSA_PSS, sizeof(sig)), 0);
	CHECK_EQ(len, 256);
	CHECK_EQ(SIGN(9, IKE_HASH_SHA2_256, IKE_SIG_ECDSA, sizeof(sig)),
		 -ENOENT);
	CHECK_EQ(len, 0);
	CHECK_EQ(SIGN(1, IKE_HASH_SHA2_256, IKE_SIG_ECDSA, sizeof(sig)),
		 -EKEYREJECTED);
	CHECK_EQ(SIGN(2, IKE_HASH_SHA2_256, IKE_SIG_RSA_PSS, sizeof(sig)),
		 -EKEYREJECTED);
	CHECK_EQ(SIGN(3, IKE_HASH_SHA2_256, IKE_SIG_ECDSA, sizeof(sig)),
		 -EKEYREJECTED);
	for (id = 5; id <= 8; id++)
		CHECK_EQ(SIGN(id, IKE_HASH_SHA2_256, IKE_SIG_ECDSA,
			      sizeof(sig)), -ENOKEY);
	CHECK_EQ(SIGN(2, IKE_HASH_SHA1, IKE_SIG_ECDSA, sizeof(sig)), -EINVAL);
	CHECK_EQ(SIGN(2, IKE_HASH_SHA2_256, 4, sizeof(sig)), -EINVAL);
	CHECK_EQ(SIGN(3, IKE_HASH_SHA2_256, IKE_SIG_RSA_PSS, 255), -ENOSPC);
	CHECK(ku_all_zero(sig, 255));
	CHECK_EQ(SIGN(2, IKE_HASH_SHA2_256, IKE_SIG_ECDSA, 0), -EINVAL);
	CHECK_EQ(keyproc_sign(&s.kp, 2, IKE_HASH_SHA2_256, IKE_SIG_ECDSA, oct,
			      0, sig, sizeof(sig), &len, KU_TMO), -EINVAL);
	CHECK_EQ(keyproc_sign(&none, 2, IKE_HASH_SHA2_256, IKE_SIG_ECDSA, oct,
			      8, sig, sizeof(sig), &len, KU_TMO), -EPIPE);
#undef SIGN
	/* A key file is not a shared key, and the reverse. */
	CHECK_EQ(keyproc_auth_psk(&s.kp, 2, IKE_PRF_HMAC_SHA2_256, oct, 8, out,
				  32, KU_TMO), -EKEYREJECTED);
	/* Paths that cannot be key files are refused with the table. */
	t[0] = key_secret(1, "a.key");
	CHECK_EQ(keyproc_reload(&s.kp, t, 1, KU_TMO), -EINVAL);
	t[0] = key_secret(1, "/tmp/x\0y");
	t[0].len = 8;
	CHECK_EQ(keyproc_reload(&s.kp, t, 1, KU_TMO), -EINVAL);
	CHECK_EQ(keyproc_ping(&s.kp, KU_TMO), 0);
	CHECK_EQ(srv_stop(&s), 0);
}

/* The forked keys process reads the key files itself; a reload points
 * secret 2 at another key. */
TEST(keyproc_sign_fork)
{
	struct keyproc_secret t[8];
	struct keyproc kp;
	unsigned n = sign_table(t);

	REQUIRE(keyproc_start(&kp, t, n) == 0);
	CHECK(ku_all_zero(t, sizeof(t)));
	sign_check(&kp, 2, "ecdsa-with-SHA256", "a.pem", true);
	sign_check(&kp, 3, "RSASSA-PSS-SHA256", "rsa.pem", true);
	t[0] = key_secret(2, cu_path("b.key"));
	t[1] = key_secret(3, cu_path("c.key"));
	CHECK_EQ(keyproc_reload(&kp, t, 2, KU_TMO), 0);
	sign_check(&kp, 2, "ecdsa-with-SHA384", "b.pem", true);
	sign_check(&kp, 2, "ecdsa-with-SHA384", "a.pem", false);
	sign_check(&kp, 3, "ecdsa-with-SHA256", "c.pem", true);
	CHECK_EQ(keyproc_stop(&kp), 0);
}

static size_t sign_req(uint8_t *p, uint32_t id, uint32_t sid, uint16_t hash,
		       uint8_t scheme, size_t octets)
{
	keyproc_msg_put_sign(p, id, sid, hash, scheme, octets);
	memset(p + KEYPROC_HDR_LEN + KEYPROC_SIGN_FIXED, 0x3c, octets);
	return KEYPROC_HDR_LEN + KEYPROC_SIGN_FIXED + octets;
}

TEST(keyproc_handle_bad_sign)
{
	static uint8_t req[KEYPROC_REQ_MAX + 1];
	struct keyproc_secret t[8];
	struct hsrv h;
	size_t len;

	REQUIRE(keyproc_server_init(&h.sv, t, sign_table(t)) == 0);
	truncations(&h, req, sign_req(req, 21, 2, IKE_HASH_SHA2_384,
				      IKE_SIG_ECDSA, 30), 21);
	CHECK(cursor_left(&h.r.auth) > 60); /* P-256: 70 or so */
	CHECK_EQ(h.r.type, KEYPROC_T_SIGN);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 2, 1, 1, 8)), -EINVAL);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 2, 5, 1, 8)), -EINVAL);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 2, 2, 0, 8)), -EINVAL);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 2, 2, 4, 8)), -EINVAL);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 2, 2, 1, 0)), -EINVAL);
	len = sign_req(req, 1, 2, 2, 1, 8);
	req[KEYPROC_HDR_LEN + 7] = 1;
	CHECK_EQ(handle(&h, req, len), -EBADMSG);
	len = sign_req(req, 1, 2, 2, 1, KEYPROC_OCTETS_MAX + 1);
	CHECK_EQ(handle(&h, req, len), -EMSGSIZE);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 3, 4, 2,
					  KEYPROC_OCTETS_MAX)), 0);
	CHECK_EQ(cursor_left(&h.r.auth), 256);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 1, 2, 1, 8)),
		 -EKEYREJECTED);
	CHECK_EQ(handle(&h, req, sign_req(req, 1, 6, 2, 1, 8)), -ENOKEY);
	keyproc_server_free(&h.sv);
}

TEST(keyproc_reply_sign)
{
	static uint8_t rep[KEYPROC_REPLY_MAX + 2], sig[KEYPROC_SIG_MAX + 1];
	struct keyproc_reply r;
	int len;

	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_SIGN, 5, 0,
				      sig, KEYPROC_SIG_MAX);
	CHECK_EQ(len, KEYPROC_REPLY_MAX);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), 0);
	CHECK_EQ(cursor_left(&r.auth), KEYPROC_SIG_MAX);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_SIGN, 5, 0,
				      sig, 1);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), 0);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_SIGN, 5, 0,
				      sig, KEYPROC_SIG_MAX + 1);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_SIGN, 5, 0,
				      NULL, 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_SIGN, 5,
				      -ENOKEY, NULL, 0);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), 0);
	CHECK_EQ(r.status, -ENOKEY);
	/* A status with a value after it. */
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_SIGN, 5, 0,
				      sig, 8);
	put_be32(rep + KEYPROC_HDR_LEN, (uint32_t)-EIO);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
	/* A PING reply carries nothing, an AUTH_PSK one no 8 bytes. */
	len = keyproc_msg_build_reply(rep, sizeof(rep), KEYPROC_T_AUTH_PSK, 5,
				      0, sig, 8);
	CHECK_EQ(keyproc_msg_parse_reply(rep, (size_t)len, &r), -EBADMSG);
}
