/* SPDX-License-Identifier: MIT */
/*
 * Key derivation (src/ike/keys.c) against values computed independently
 * by test/vectors/ike/gen_ike_vectors.py: IKE SA keys (RFC 7296 §2.14), a
 * rekeyed IKE SA (§2.18, old and new prf differing), Child SA KEYMAT
 * (§2.17, with and without a new key exchange), and refusals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keys.h"
#include "ikevec.h"
#include "test.h"

/* A field of bytes, freed by bytes_free(). */
struct field {
	uint8_t *p;
	size_t len;
};

static struct field get(struct ikevec *v, const char *key)
{
	struct field f = { NULL, 0 };

	f.p = ikevec_hex(v, key, &f.len);
	return f;
}

static void check_key(struct ikevec *v, const char *key, const uint8_t *got,
		      size_t got_len)
{
	struct field want = get(v, key);

	if (!want.p || want.len != got_len || memcmp(want.p, got, got_len))
		IKEVEC_FAIL(v, "%s: wrong value or length (%zu, want %zu)",
			    key, got_len, want.len);
	free(want.p);
}

static void check_seven(struct ikevec *v, const struct ike_keys *k)
{
	check_key(v, "sk_d", k->sk_d, k->prf_len);
	check_key(v, "sk_ai", k->sk_ai, k->integ_len);
	check_key(v, "sk_ar", k->sk_ar, k->integ_len);
	check_key(v, "sk_ei", k->sk_ei, k->encr_len);
	check_key(v, "sk_er", k->sk_er, k->encr_len);
	check_key(v, "sk_pi", k->sk_pi, k->prf_len);
	check_key(v, "sk_pr", k->sk_pr, k->prf_len);
}

struct sa_inputs {
	struct ike_suite suite;
	struct field g, ni, nr, spi_i, spi_r;
};

static bool sa_inputs_get(struct ikevec *v, struct sa_inputs *in)
{
	in->suite.prf = ikevec_prf(v, "prf");
	in->suite.encr = ikevec_encr(v, "encr");
	in->suite.encr_key_bits = (unsigned)ikevec_uint(v, "key_bits");
	in->suite.integ = ikevec_integ(v, "integ");
	in->g = get(v, "g_ir");
	in->ni = get(v, "ni");
	in->nr = get(v, "nr");
	in->spi_i = get(v, "spi_i");
	in->spi_r = get(v, "spi_r");
	return in->g.p && in->ni.p && in->nr.p && in->spi_i.len == 8 &&
	       in->spi_r.len == 8;
}

static void sa_inputs_free(struct sa_inputs *in)
{
	free(in->g.p);
	free(in->ni.p);
	free(in->nr.p);
	free(in->spi_i.p);
	free(in->spi_r.p);
}

static void ike_sa_case(struct ikevec *v, void *arg)
{
	struct sa_inputs in;
	struct ike_keys *k = NULL;
	int err;

	(void)arg;
	if (!sa_inputs_get(v, &in)) {
		IKEVEC_FAIL(v, "bad inputs");
		goto out;
	}
	err = ike_keys_derive(&k, &in.suite, in.g.p, in.g.len, in.ni.p,
			      in.ni.len, in.nr.p, in.nr.len, in.spi_i.p,
			      in.spi_r.p);
	if (err) {
		IKEVEC_FAIL(v, "ike_keys_derive: %d", err);
		goto out;
	}
	check_seven(v, k);
out:
	ike_keys_free(k);
	sa_inputs_free(&in);
}

TEST(ike_keys_ike_sa_vectors)
{
	CHECK_EQ(ikevec_read("keys-ike-sa.txt", ike_sa_case, NULL), 6);
}

/* An old SA holding only what a rekey reads: its prf and SK_d. */
static bool old_sa_get(struct ikevec *v, struct ike_keys *old)
{
	struct field d = get(v, "old_sk_d");

	memset(old, 0, sizeof(*old));
	old->suite.prf = ikevec_prf(v, "old_prf");
	old->prf_len = ike_prf_len(old->suite.prf);
	if (!d.p || d.len != old->prf_len) {
		free(d.p);
		return false;
	}
	memcpy(old->sk_d, d.p, d.len);
	free(d.p);
	return true;
}

static void rekey_case(struct ikevec *v, void *arg)
{
	struct ike_keys old, *k = NULL;
	struct sa_inputs in = { 0 };
	int err;

	(void)arg;
	if (!old_sa_get(v, &old) || !sa_inputs_get(v, &in)) {
		IKEVEC_FAIL(v, "bad inputs");
		sa_inputs_free(&in);
		return;
	}
	err = ike_keys_rekey(&k, &old, &in.suite, in.g.p, in.g.len, in.ni.p,
			     in.ni.len, in.nr.p, in.nr.len, in.spi_i.p,
			     in.spi_r.p);
	if (err)
		IKEVEC_FAIL(v, "ike_keys_rekey: %d", err);
	else
		check_seven(v, k);
	ike_keys_free(k);
	sa_inputs_free(&in);
}

TEST(ike_keys_rekey_vectors)
{
	CHECK_EQ(ikevec_read("keys-rekey.txt", rekey_case, NULL), 4);
}

static void child_case(struct ikevec *v, void *arg)
{
	struct ike_child_suite cs;
	struct ike_child_keys ck;
	struct ike_keys ike;
	struct field d = get(v, "sk_d"), g = { NULL, 0 }, ni, nr;
	int err;

	(void)arg;
	memset(&ike, 0, sizeof(ike));
	ike.suite.prf = ikevec_prf(v, "prf");
	ike.prf_len = ike_prf_len(ike.suite.prf);
	cs.encr = ikevec_encr(v, "encr");
	cs.encr_key_bits = (unsigned)ikevec_uint(v, "key_bits");
	cs.integ = ikevec_integ(v, "integ");
	if (ikevec_has(v, "g_ir"))
		g = get(v, "g_ir");
	ni = get(v, "ni");
	nr = get(v, "nr");
	if (!d.p || d.len != ike.prf_len || !ni.p || !nr.p) {
		IKEVEC_FAIL(v, "bad inputs");
		goto out;
	}
	memcpy(ike.sk_d, d.p, d.len);
	err = ike_keys_child(&ike, &cs, g.p, g.len, ni.p, ni.len, nr.p,
			     nr.len, &ck);
	if (err) {
		IKEVEC_FAIL(v, "ike_keys_child: %d", err);
		goto out;
	}
	check_key(v, "i2r_encr", ck.i2r_encr, ck.encr_len);
	check_key(v, "i2r_integ", ck.i2r_integ, ck.integ_len);
	check_key(v, "r2i_encr", ck.r2i_encr, ck.encr_len);
	check_key(v, "r2i_integ", ck.r2i_integ, ck.integ_len);
	ike_child_keys_wipe(&ck);
out:
	free(d.p);
	free(g.p);
	free(ni.p);
	free(nr.p);
}

TEST(ike_keys_child_vectors)
{
	CHECK_EQ(ikevec_read("keys-child.txt", child_case, NULL), 6);
}

TEST(ike_keys_refusals)
{
	static const struct ike_suite good = {
		IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256,
	};
	static const struct ike_suite bad[] = {
		{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_HMAC_SHA2_256_128,
		  IKE_PRF_HMAC_SHA2_256 },               /* AEAD with integ */
		{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE,
		  IKE_PRF_HMAC_SHA2_256 },               /* CBC without */
		{ IKE_ENCR_CHACHA20_POLY1305, 128, IKE_INTEG_NONE,
		  IKE_PRF_HMAC_SHA2_256 },               /* 128-bit ChaCha */
		{ IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_256_128,
		  IKE_PRF_HMAC_SHA2_256 },               /* 192-bit AES */
		{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE,
		  (enum ike_prf_alg)2 },                 /* HMAC-SHA1 prf */
		{ (enum ike_encr_alg)3, 192, IKE_INTEG_HMAC_SHA2_256_128,
		  IKE_PRF_HMAC_SHA2_256 },               /* 3DES */
	};
	uint8_t g[32] = { 1 }, n[257] = { 2 }, spi[8] = { 3 };
	struct ike_child_suite cs = { IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE };
	struct ike_child_keys ck;
	struct ike_keys *k = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(ike_keys_derive(&k, &bad[i], g, 32, n, 16, n, 16, spi,
					 spi), -EINVAL);
	CHECK_EQ(ike_keys_derive(&k, &good, g, 32, n, 15, n, 16, spi, spi),
		 -EINVAL);
	CHECK_EQ(ike_keys_derive(&k, &good, g, 32, n, 16, n, 257, spi, spi),
		 -EINVAL);
	CHECK_EQ(ike_keys_derive(&k, &good, g, 0, n, 16, n, 16, spi, spi),
		 -EINVAL);
	CHECK(k == NULL);
	REQUIRE(ike_keys_derive(&k, &good, g, 32, n, 16, n, 256, spi, spi)
		== 0);
	CHECK_EQ(k->integ_len, 0);
	CHECK_EQ(k->encr_len, 36);
	CHECK_EQ(k->prf_len, 32);
	CHECK_EQ(ike_keys_child(k, &cs, NULL, 0, n, 8, n, 16, &ck), -EINVAL);
	CHECK_EQ(ike_keys_child(k, &cs, g, 0, n, 16, n, 16, &ck), -EINVAL);
	cs.integ = IKE_INTEG_HMAC_SHA2_256_128;
	CHECK_EQ(ike_keys_child(k, &cs, NULL, 0, n, 16, n, 16, &ck), -EINVAL);
	cs.encr = IKE_ENCR_AES_CCM_16;
	cs.integ = IKE_INTEG_NONE;
	CHECK_EQ(ike_keys_child(k, &cs, NULL, 0, n, 16, n, 16, &ck), 0);
	CHECK_EQ(ck.encr_len, 19); /* AES-128 key || 3-byte salt */
	ike_child_keys_wipe(&ck);
	ike_keys_free(k);
	ike_keys_free(NULL);
}
