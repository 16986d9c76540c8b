/* SPDX-License-Identifier: MIT */
/*
 * prf and prf+ (src/ike/prf.c): RFC 4231 known answers, prf+ against
 * values computed by an independent implementation
 * (test/vectors/ike/prf-plus.txt), prf+ against a naive reference built
 * from prf itself up to the 255-block limit, and refusals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/prf.h"
#include "ikevec.h"
#include "test.h"

static const enum ike_prf_alg algs[] = {
	IKE_PRF_HMAC_SHA2_256, IKE_PRF_HMAC_SHA2_384, IKE_PRF_HMAC_SHA2_512,
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

static void rfc4231_case(struct ikevec *v, void *arg)
{
	enum ike_prf_alg alg = ikevec_prf(v, "prf");
	size_t klen, dlen, olen;
	uint8_t *key = ikevec_hex(v, "key", &klen);
	uint8_t *data = ikevec_hex(v, "data", &dlen);
	uint8_t *want = ikevec_hex(v, "out", &olen);
	struct ike_bytes in = { data, dlen };
	uint8_t out[IKE_PRF_LEN_MAX];
	int err;

	(void)arg;
	if (!key || !data || !want)
		goto out;
	if (olen != ike_prf_len(alg))
		IKEVEC_FAIL(v, "out is %zu bytes, prf gives %zu", olen,
			    ike_prf_len(alg));
	err = ike_prf(alg, key, klen, &in, 1, out);
	if (err || memcmp(out, want, olen))
		IKEVEC_FAIL(v, "ike_prf: %d or wrong output", err);
	key[0] ^= 0x80; /* a different key must give a different value */
	err = ike_prf(alg, key, klen, &in, 1, out);
	if (err || !memcmp(out, want, olen))
		IKEVEC_FAIL(v, "a changed key did not change the output");
out:
	free(key);
	free(data);
	free(want);
}

TEST(ike_prf_rfc4231)
{
	CHECK_EQ(ikevec_read("prf-rfc4231.txt", rfc4231_case, NULL), 18);
}

/* S given as one piece and as several must agree (prf+ feeds pieces). */
static void prf_plus_case(struct ikevec *v, void *arg)
{
	enum ike_prf_alg alg = ikevec_prf(v, "prf");
	size_t klen, slen, olen, cut;
	uint8_t *key = ikevec_hex(v, "key", &klen);
	uint8_t *seed = ikevec_hex(v, "seed", &slen);
	uint8_t *want = ikevec_hex(v, "out", &olen);
	uint8_t *out = malloc(olen + 1);
	struct ike_bytes in[3];
	int err;

	(void)arg;
	if (!key || !seed || !want || !out)
		goto out;
	in[0] = (struct ike_bytes){ seed, slen };
	err = ike_prf_plus(alg, key, klen, in, 1, out, olen);
	if (err || memcmp(out, want, olen))
		IKEVEC_FAIL(v, "ike_prf_plus: %d or wrong output", err);
	cut = slen / 3;
	in[0] = (struct ike_bytes){ seed, cut };
	in[1] = (struct ike_bytes){ NULL, 0 };
	in[2] = (struct ike_bytes){ seed + cut, slen - cut };
	memset(out, 0, olen);
	err = ike_prf_plus(alg, key, klen, in, 3, out, olen);
	if (err || memcmp(out, want, olen))
		IKEVEC_FAIL(v, "ike_prf_plus in pieces: %d or wrong output",
			    err);
out:
	free(key);
	free(seed);
	free(want);
	free(out);
}

TEST(ike_prf_plus_vectors)
{
	CHECK_EQ(ikevec_read("prf-plus.txt", prf_plus_case, NULL), 18);
}

/* T1 = prf(K, S | 0x01), Tk = prf(K, T(k-1) | S | k), with ike_prf(). */
static void naive_prf_plus(enum ike_prf_alg alg, const uint8_t *key,
			   size_t klen, const uint8_t *s, size_t slen,
			   uint8_t *out)
{
	size_t h = ike_prf_len(alg);
	uint8_t k;
	unsigned i;

	for (i = 1; i <= IKE_PRF_PLUS_BLOCKS_MAX; i++) {
		struct ike_bytes in[3] = {
			{ out + (i - 2) * h, i == 1 ? 0 : h },
			{ s, slen },
			{ &k, 1 },
		};

		k = (uint8_t)i;
		REQUIRE(ike_prf(alg, key, klen, in, 3, out + (i - 1) * h) == 0);
	}
}

TEST(ike_prf_plus_naive_reference_to_the_limit)
{
	uint8_t key[40], s[70];
	size_t i, max, len;

	for (i = 0; i < N_ALGS; i++) {
		uint8_t *want, *got;

		max = ike_prf_plus_max(algs[i]);
		CHECK_EQ(max, 255 * ike_prf_len(algs[i]));
		want = malloc(max);
		got = malloc(max + 1);
		REQUIRE(want && got);
		test_rand_bytes(key, sizeof(key));
		test_rand_bytes(s, sizeof(s));
		naive_prf_plus(algs[i], key, sizeof(key), s, sizeof(s), want);
		struct ike_bytes in = { s, sizeof(s) };
		CHECK_EQ(ike_prf_plus(algs[i], key, sizeof(key), &in, 1, got,
				      max), 0);
		CHECK_MEM(got, want, max);
		/* Every shorter output is a prefix of the longest. */
		len = 1 + test_rand() % (max - 1);
		memset(got, 0, max);
		CHECK_EQ(ike_prf_plus(algs[i], key, sizeof(key), &in, 1, got,
				      len), 0);
		CHECK_MEM(got, want, len);
		CHECK(got[len] == 0);
		/* One byte past 255 blocks is refused, output zeroed. */
		memset(got, 0xa5, max + 1);
		CHECK_EQ(ike_prf_plus(algs[i], key, sizeof(key), &in, 1, got,
				      max + 1), -EINVAL);
		CHECK(got[0] == 0 && got[max] == 0);
		free(want);
		free(got);
	}
}

TEST(ike_prf_refusals)
{
	uint8_t key[16] = { 1 }, out[IKE_PRF_LEN_MAX], big[64];
	struct ike_bytes bad = { NULL, 4 }, ok = { key, sizeof(key) };

	CHECK_EQ(ike_prf_len((enum ike_prf_alg)2), 0);  /* HMAC-SHA1 */
	CHECK_EQ(ike_prf_len((enum ike_prf_alg)4), 0);  /* AES128-XCBC */
	CHECK_EQ(ike_prf_len(IKE_PRF_HMAC_SHA2_256), 32);
	CHECK_EQ(ike_prf_len(IKE_PRF_HMAC_SHA2_384), 48);
	CHECK_EQ(ike_prf_len(IKE_PRF_HMAC_SHA2_512), 64);
	memset(out, 0xa5, sizeof(out));
	CHECK_EQ(ike_prf((enum ike_prf_alg)2, key, sizeof(key), &ok, 1, out),
		 -EINVAL);
	CHECK_EQ(ike_prf(IKE_PRF_HMAC_SHA2_256, key, 0, &ok, 1, out), -EINVAL);
	CHECK(out[0] == 0 && out[31] == 0);
	CHECK_EQ(ike_prf(IKE_PRF_HMAC_SHA2_256, NULL, 4, &ok, 1, out), -EINVAL);
	CHECK_EQ(ike_prf(IKE_PRF_HMAC_SHA2_256, key, 4, &bad, 1, out), -EINVAL);
	CHECK_EQ(ike_prf(IKE_PRF_HMAC_SHA2_256, key, 4, NULL, 1, out), -EINVAL);
	CHECK_EQ(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 4, &bad, 1, big,
			      sizeof(big)), -EINVAL);
	CHECK_EQ(ike_prf_plus((enum ike_prf_alg)9, key, 4, &ok, 1, big, 1),
		 -EINVAL);
	/* Zero-length output and an empty S are fine. */
	CHECK_EQ(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 4, NULL, 0, big, 0),
		 0);
	CHECK_EQ(ike_prf(IKE_PRF_HMAC_SHA2_256, key, 4, NULL, 0, out), 0);
}
