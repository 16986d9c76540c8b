/* SPDX-License-Identifier: MIT */
/*
 * EVP_PKEY objects from and to IKE's byte forms of the key-exchange groups
 * (RFC 3526, RFC 5903 §7, RFC 8031 §2). The peer's bytes are untrusted:
 * each form is checked for its exact length and range here, and OpenSSL's
 * full public-key check runs again when the secret is derived (dh.c).
 * Private values (test-only path) are held in BIGNUMs cleared on free and
 * in parameter arrays wiped before they are freed.
 */
#include "ike/dh_pkey.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "util/secure.h"

#define ECP_POINT_MAX (1 + 96) /* 0x04 || x || y for ECP-384 */

static const struct dh_group_info groups[] = {
	{ IKE_DH_MODP_2048, DH_KIND_MODP, "DH", "modp_2048", 256, 256 },
	{ IKE_DH_ECP_256, DH_KIND_ECP, "EC", "prime256v1", 64, 32 },
	{ IKE_DH_ECP_384, DH_KIND_ECP, "EC", "secp384r1", 96, 48 },
	{ IKE_DH_CURVE25519, DH_KIND_X25519, "X25519", NULL, 32, 32 },
};

const struct dh_group_info *dh_group_find(enum ike_dh_group group)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].group == group)
			return &groups[i];
	return NULL;
}

int dh_pkey_generate(const struct dh_group_info *g, EVP_PKEY **out)
{
	OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	EVP_PKEY *key = NULL;
	int err = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (g->name)
		params[0] = OSSL_PARAM_construct_utf8_string(
			OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->name, 0);
	if (EVP_PKEY_keygen_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_params(ctx, params) > 0 &&
	    EVP_PKEY_generate(ctx, &key) > 0) {
		*out = key;
		err = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	return err;
}

/* Wipe every value in a built parameter array, then free it. */
static void params_clear_free(OSSL_PARAM *params)
{
	OSSL_PARAM *p;

	for (p = params; p && p->key; p++)
		secure_zero(p->data, p->data_size);
	OSSL_PARAM_free(params);
}

/* A key of g's type from bld's parameters: selection says which parts. */
static int pkey_build(const struct dh_group_info *g, OSSL_PARAM_BLD *bld,
		      int selection, EVP_PKEY **out)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	int err = -ENOMEM;

	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     g->name, 0))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	if (!params || !ctx)
		goto out;
	err = -EBADMSG;
	if (EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &key, selection, params) > 0) {
		*out = key;
		err = 0;
	}
out:
	params_clear_free(params);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

/* 2 <= v <= p - 2 for the MODP-2048 prime p (RFC 3526 §3). */
static int modp_range_check(const BIGNUM *v)
{
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	int err = -ENOMEM;

	if (p && BN_sub_word(p, 2)) {
		err = BN_cmp(v, p) <= 0 && !BN_is_zero(v) && !BN_is_one(v)
			      ? 0 : -EBADMSG;
	}
	BN_free(p);
	return err;
}

static int modp_from_peer(const struct dh_group_info *g, const uint8_t *peer,
			  EVP_PKEY **out)
{
	BIGNUM *y = BN_bin2bn(peer, (int)g->pub_len, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	int err = -ENOMEM;

	if (!y || !bld)
		goto out;
	err = modp_range_check(y);
	if (err)
		goto out;
	err = -ENOMEM;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		err = pkey_build(g, bld, EVP_PKEY_PUBLIC_KEY, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	return err;
}

static int ecp_from_peer(const struct dh_group_info *g, const uint8_t *peer,
			 EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t point[ECP_POINT_MAX];
	int err = -ENOMEM;

	/* RFC 5903 §7: x || y, which is SEC 1 §2.3.3's form less 0x04. */
	point[0] = 0x04;
	memcpy(point + 1, peer, g->pub_len);
	if (bld && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						    point, 1 + g->pub_len))
		err = pkey_build(g, bld, EVP_PKEY_PUBLIC_KEY, out);
	OSSL_PARAM_BLD_free(bld);
	return err;
}

int dh_pkey_from_peer(const struct dh_group_info *g, const uint8_t *peer,
		      size_t len, EVP_PKEY **out)
{
	if (!peer || len != g->pub_len)
		return -EBADMSG;
	switch (g->kind) {
	case DH_KIND_MODP:
		return modp_from_peer(g, peer, out);
	case DH_KIND_ECP:
		return ecp_from_peer(g, peer, out);
	case DH_KIND_X25519:
		*out = EVP_PKEY_new_raw_public_key_ex(NULL, g->type, NULL,
						      peer, len);
		return *out ? 0 : -EBADMSG;
	}
	return -EINVAL;
}

/* What pair_from_private() pushes by reference: OSSL_PARAM_BLD keeps
 * pointers to BIGNUMs and buffers until OSSL_PARAM_BLD_to_param(). */
struct pair_parts {
	BIGNUM *x, *y;                  /* private (cleared on free), public */
	uint8_t point[ECP_POINT_MAX];   /* ECP public point, not secret */
};

/* x in 2..p-2 and y = 2^x mod p, both pushed to bld. */
static int modp_push_pair(OSSL_PARAM_BLD *bld, struct pair_parts *pp,
			  BN_CTX *bn)
{
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL), *two = BN_new();
	int err = -ENOMEM;

	if (!p || !two || !BN_set_word(two, 2))
		goto out;
	err = modp_range_check(pp->x);
	if (err) {
		err = err == -EBADMSG ? -EINVAL : err;
		goto out;
	}
	err = -EIO;
	BN_set_flags(pp->x, BN_FLG_CONSTTIME);
	if (BN_mod_exp(pp->y, two, pp->x, p, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, pp->x) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pp->y))
		err = 0;
out:
	BN_free(p);
	BN_free(two);
	return err;
}

/* d in 1..n-1 and Q = dG (SEC 1 §3.2.1), both pushed to bld. */
static int ecp_push_pair(const struct dh_group_info *g, OSSL_PARAM_BLD *bld,
			 struct pair_parts *pp, BN_CTX *bn)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(OBJ_sn2nid(g->name));
	EC_POINT *q = grp ? EC_POINT_new(grp) : NULL;
	int err = -ENOMEM;

	if (!q)
		goto out;
	err = -EINVAL;
	if (BN_is_zero(pp->x) || BN_cmp(pp->x, EC_GROUP_get0_order(grp)) >= 0)
		goto out;
	err = -EIO;
	if (EC_POINT_mul(grp, q, pp->x, NULL, NULL, bn) &&
	    EC_POINT_point2oct(grp, q, POINT_CONVERSION_UNCOMPRESSED, pp->point,
			       sizeof(pp->point), bn) == 1 + g->pub_len &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, pp->x) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
					     pp->point, 1 + g->pub_len))
		err = 0;
out:
	EC_POINT_free(q);
	EC_GROUP_free(grp);
	return err;
}

static int pair_from_private(const struct dh_group_info *g,
			     const uint8_t *priv, size_t len, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	struct pair_parts pp = { BN_secure_new(), BN_new(), { 0 } };
	BN_CTX *bn = BN_CTX_secure_new();
	int err = -ENOMEM;

	if (!bld || !pp.x || !pp.y || !bn || !BN_bin2bn(priv, (int)len, pp.x))
		goto out;
	if (g->kind == DH_KIND_MODP)
		err = modp_push_pair(bld, &pp, bn);
	else
		err = ecp_push_pair(g, bld, &pp, bn);
	if (!err)
		err = pkey_build(g, bld, EVP_PKEY_KEYPAIR, out);
	if (err == -EBADMSG)
		err = -EIO;
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(pp.x);
	BN_free(pp.y);
	BN_CTX_free(bn);
	return err;
}

int dh_pkey_from_private(const struct dh_group_info *g, const uint8_t *priv,
			 size_t len, EVP_PKEY **out)
{
	if (!priv)
		return -EINVAL;
	switch (g->kind) {
	case DH_KIND_MODP:
		if (!len || len > g->pub_len)
			return -EINVAL;
		return pair_from_private(g, priv, len, out);
	case DH_KIND_ECP:
		if (len != g->shared_len)
			return -EINVAL;
		return pair_from_private(g, priv, len, out);
	case DH_KIND_X25519:
		if (len != 32)
			return -EINVAL;
		*out = EVP_PKEY_new_raw_private_key_ex(NULL, g->type, NULL,
						       priv, len);
		return *out ? 0 : -EIO;
	}
	return -EINVAL;
}

static int modp_get_public(const struct dh_group_info *g, const EVP_PKEY *key,
			   uint8_t *out)
{
	BIGNUM *y = NULL;
	int err = -EIO;

	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
	    BN_bn2binpad(y, out, (int)g->pub_len) == (int)g->pub_len)
		err = 0;
	BN_free(y);
	return err;
}

static int ecp_get_public(const struct dh_group_info *g, const EVP_PKEY *key,
			  uint8_t *out)
{
	uint8_t point[ECP_POINT_MAX];
	size_t len = 0;

	if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY,
					     point, sizeof(point), &len) ||
	    len != 1 + g->pub_len || point[0] != 0x04)
		return -EIO;
	memcpy(out, point + 1, g->pub_len);
	return 0;
}

int dh_pkey_get_public(const struct dh_group_info *g, const EVP_PKEY *key,
		       uint8_t *out)
{
	size_t len = g->pub_len;

	switch (g->kind) {
	case DH_KIND_MODP:
		return modp_get_public(g, key, out);
	case DH_KIND_ECP:
		return ecp_get_public(g, key, out);
	case DH_KIND_X25519:
		return EVP_PKEY_get_raw_public_key(key, out, &len) &&
		       len == g->pub_len ? 0 : -EIO;
	}
	return -EINVAL;
}
