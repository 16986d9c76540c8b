/* SPDX-License-Identifier: MIT */
/*
 * Key exchange (src/ike/dh.c): RFC 7748 and RFC 5903 known answers, MODP
 * known answers computed with Python's pow(), both sides agreeing for every
 * group, and refusal of every invalid public value in
 * test/vectors/ike/dh-invalid.txt and of wrong lengths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/dh.h"
#include "ikevec.h"
#include "test.h"

static const enum ike_dh_group groups[] = {
	IKE_DH_MODP_2048, IKE_DH_ECP_256, IKE_DH_ECP_384, IKE_DH_CURVE25519,
};
#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static bool is_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void kat_case(struct ikevec *v, void *arg)
{
	enum ike_dh_group g = (enum ike_dh_group)ikevec_uint(v, "group");
	size_t plen, peerlen, slen, publen = 0;
	uint8_t *priv = ikevec_hex(v, "priv", &plen);
	uint8_t *peer = ikevec_hex(v, "peer", &peerlen);
	uint8_t *want = ikevec_hex(v, "shared", &slen);
	uint8_t *pub = ikevec_has(v, "pub") ? ikevec_hex(v, "pub", &publen)
					    : NULL;
	uint8_t got[IKE_DH_SHARED_MAX], mine[IKE_DH_PUBLIC_MAX];
	struct ike_dh *dh = NULL;
	int err;

	(void)arg;
	if (!priv || !peer || !want)
		goto out;
	err = ike_dh_new_fixed_for_test(&dh, g, priv, plen);
	if (err) {
		IKEVEC_FAIL(v, "ike_dh_new_fixed_for_test: %d", err);
		goto out;
	}
	CHECK_EQ(ike_dh_group_of(dh), g);
	if (pub && (ike_dh_get_public(dh, mine, publen) ||
		    memcmp(mine, pub, publen)))
		IKEVEC_FAIL(v, "wrong public value");
	if (slen != ike_dh_shared_len(g))
		IKEVEC_FAIL(v, "shared is %zu bytes", slen);
	err = ike_dh_compute_shared(dh, peer, peerlen, got, slen);
	if (err || memcmp(got, want, slen))
		IKEVEC_FAIL(v, "ike_dh_compute_shared: %d or wrong secret", err);
out:
	ike_dh_free(dh);
	free(priv);
	free(peer);
	free(want);
	free(pub);
}

TEST(ike_dh_x25519_rfc7748)
{
	CHECK_EQ(ikevec_read("dh-x25519-rfc7748.txt", kat_case, NULL), 4);
}

TEST(ike_dh_ecp_rfc5903)
{
	CHECK_EQ(ikevec_read("dh-ecp-rfc5903.txt", kat_case, NULL), 4);
}

TEST(ike_dh_modp2048_python)
{
	CHECK_EQ(ikevec_read("dh-modp2048.txt", kat_case, NULL), 4);
}

TEST(ike_dh_lengths)
{
	CHECK_EQ(ike_dh_public_len(IKE_DH_MODP_2048), 256);
	CHECK_EQ(ike_dh_shared_len(IKE_DH_MODP_2048), 256);
	CHECK_EQ(ike_dh_public_len(IKE_DH_ECP_256), 64);
	CHECK_EQ(ike_dh_shared_len(IKE_DH_ECP_256), 32);
	CHECK_EQ(ike_dh_public_len(IKE_DH_ECP_384), 96);
	CHECK_EQ(ike_dh_shared_len(IKE_DH_ECP_384), 48);
	CHECK_EQ(ike_dh_public_len(IKE_DH_CURVE25519), 32);
	CHECK_EQ(ike_dh_shared_len(IKE_DH_CURVE25519), 32);
	CHECK_EQ(ike_dh_public_len((enum ike_dh_group)15), 0);
	CHECK_EQ(ike_dh_shared_len((enum ike_dh_group)21), 0);
}

/* Two fresh keys per group agree; a third key gets another secret. */
TEST(ike_dh_round_trip_every_group)
{
	size_t i, pl, sl;

	for (i = 0; i < N_GROUPS; i++) {
		uint8_t pa[IKE_DH_PUBLIC_MAX], pb[IKE_DH_PUBLIC_MAX];
		uint8_t pc[IKE_DH_PUBLIC_MAX];
		uint8_t sa[IKE_DH_SHARED_MAX], sb[IKE_DH_SHARED_MAX];
		uint8_t sc[IKE_DH_SHARED_MAX];
		struct ike_dh *a = NULL, *b = NULL, *c = NULL;

		pl = ike_dh_public_len(groups[i]);
		sl = ike_dh_shared_len(groups[i]);
		REQUIRE(ike_dh_new(&a, groups[i]) == 0);
		REQUIRE(ike_dh_new(&b, groups[i]) == 0);
		REQUIRE(ike_dh_new(&c, groups[i]) == 0);
		CHECK_EQ(ike_dh_get_public(a, pa, pl), 0);
		CHECK_EQ(ike_dh_get_public(b, pb, pl), 0);
		CHECK_EQ(ike_dh_get_public(c, pc, pl), 0);
		CHECK(memcmp(pa, pb, pl) != 0);
		CHECK_EQ(ike_dh_compute_shared(a, pb, pl, sa, sl), 0);
		CHECK_EQ(ike_dh_compute_shared(b, pa, pl, sb, sl), 0);
		CHECK_EQ(ike_dh_compute_shared(c, pa, pl, sc, sl), 0);
		CHECK_MEM(sa, sb, sl);
		CHECK(memcmp(sa, sc, sl) != 0);
		CHECK(!is_zero(sa, sl));
		ike_dh_free(a);
		ike_dh_free(b);
		ike_dh_free(c);
	}
}

static void invalid_case(struct ikevec *v, void *arg)
{
	enum ike_dh_group g = (enum ike_dh_group)ikevec_uint(v, "group");
	size_t len;
	uint8_t *peer = ikevec_hex(v, "peer", &len);
	uint8_t out[IKE_DH_SHARED_MAX];
	struct ike_dh *dh = NULL;
	int err;

	(void)arg;
	(void)ikevec_text(v, "why");
	if (!peer || ike_dh_new(&dh, g)) {
		IKEVEC_FAIL(v, "setup failed");
		goto out;
	}
	memset(out, 0xa5, sizeof(out));
	err = ike_dh_compute_shared(dh, peer, len, out, ike_dh_shared_len(g));
	if (err != -EBADMSG)
		IKEVEC_FAIL(v, "accepted or wrong error: %d", err);
	if (!is_zero(out, ike_dh_shared_len(g)))
		IKEVEC_FAIL(v, "output not zeroed after refusal");
out:
	ike_dh_free(dh);
	free(peer);
}

TEST(ike_dh_invalid_public_values)
{
	CHECK_EQ(ikevec_read("dh-invalid.txt", invalid_case, NULL), 22);
}

TEST(ike_dh_wrong_lengths)
{
	uint8_t peer[IKE_DH_PUBLIC_MAX + 1], out[IKE_DH_SHARED_MAX + 1];
	size_t i, pl, sl;

	for (i = 0; i < N_GROUPS; i++) {
		struct ike_dh *a = NULL, *b = NULL;

		pl = ike_dh_public_len(groups[i]);
		sl = ike_dh_shared_len(groups[i]);
		REQUIRE(ike_dh_new(&a, groups[i]) == 0);
		REQUIRE(ike_dh_new(&b, groups[i]) == 0);
		REQUIRE(ike_dh_get_public(b, peer, pl) == 0);
		peer[pl] = 0;
		CHECK_EQ(ike_dh_compute_shared(a, peer, pl - 1, out, sl), -EBADMSG);
		CHECK_EQ(ike_dh_compute_shared(a, peer, pl + 1, out, sl), -EBADMSG);
		CHECK_EQ(ike_dh_compute_shared(a, peer, 0, out, sl), -EBADMSG);
		CHECK_EQ(ike_dh_compute_shared(a, NULL, pl, out, sl), -EBADMSG);
		CHECK_EQ(ike_dh_compute_shared(a, peer, pl, out, sl - 1), -EINVAL);
		CHECK_EQ(ike_dh_compute_shared(a, peer, pl, out, sl + 1), -EINVAL);
		CHECK_EQ(ike_dh_get_public(a, out, pl + 1), -EINVAL);
		CHECK_EQ(ike_dh_get_public(a, out, pl - 1), -EINVAL);
		CHECK_EQ(ike_dh_compute_shared(a, peer, pl, out, sl), 0);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	ike_dh_free(NULL);
}

TEST(ike_dh_fixed_private_refusals)
{
	static const uint8_t n256[32] = {   /* the order of P-256 */
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
		0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
	};
	uint8_t zero[256] = { 0 }, one[1] = { 1 }, ff[256];
	struct ike_dh *dh = NULL;

	memset(ff, 0xff, sizeof(ff));
	CHECK_EQ(ike_dh_new(&dh, (enum ike_dh_group)15), -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_ECP_256, n256, 32),
		 -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_ECP_256, zero, 32),
		 -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_ECP_256, ff, 31),
		 -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_ECP_384, ff, 48),
		 -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_MODP_2048, one, 1),
		 -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_MODP_2048, ff, 256),
		 -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_MODP_2048, ff, 257),
		 -EINVAL);
	CHECK_EQ(ike_dh_new_fixed_for_test(&dh, IKE_DH_CURVE25519, ff, 31),
		 -EINVAL);
	CHECK(dh == NULL);
}
