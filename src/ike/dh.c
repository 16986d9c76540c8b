/* SPDX-License-Identifier: MIT */
/*
 * Key exchange for IKEv2 (contract in ike/dh.h): key objects and the
 * derivation of g^ir with OpenSSL's EVP_PKEY_derive(). The group-specific
 * byte forms are in dh_pkey.c.
 */
#include "ike/dh.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ike/dh_pkey.h"
#include "util/secure.h"

struct ike_dh {
	const struct dh_group_info *g;
	EVP_PKEY *key;                   /* holds the private key */
	uint8_t pub[IKE_DH_PUBLIC_MAX];  /* not secret */
};

size_t ike_dh_public_len(enum ike_dh_group group)
{
	const struct dh_group_info *g = dh_group_find(group);

	return g ? g->pub_len : 0;
}

size_t ike_dh_shared_len(enum ike_dh_group group)
{
	const struct dh_group_info *g = dh_group_find(group);

	return g ? g->shared_len : 0;
}

/* Wrap key (ownership passes here on every path) in a struct ike_dh. */
static int dh_wrap(struct ike_dh **out, const struct dh_group_info *g,
		   EVP_PKEY *key)
{
	struct ike_dh *dh = calloc(1, sizeof(*dh));
	int err;

	if (!dh) {
		EVP_PKEY_free(key);
		return -ENOMEM;
	}
	dh->g = g;
	dh->key = key;
	err = dh_pkey_get_public(g, key, dh->pub);
	if (err) {
		ike_dh_free(dh);
		return err;
	}
	*out = dh;
	return 0;
}

int ike_dh_new(struct ike_dh **out, enum ike_dh_group group)
{
	const struct dh_group_info *g = dh_group_find(group);
	EVP_PKEY *key = NULL;
	int err;

	if (!out || !g)
		return -EINVAL;
	err = dh_pkey_generate(g, &key);
	return err ? err : dh_wrap(out, g, key);
}

int ike_dh_new_fixed_for_test(struct ike_dh **out, enum ike_dh_group group,
			      const uint8_t *priv, size_t priv_len)
{
	const struct dh_group_info *g = dh_group_find(group);
	EVP_PKEY *key = NULL;
	int err;

	if (!out || !g)
		return -EINVAL;
	err = dh_pkey_from_private(g, priv, priv_len, &key);
	return err ? err : dh_wrap(out, g, key);
}

enum ike_dh_group ike_dh_group_of(const struct ike_dh *dh)
{
	return dh->g->group;
}

int ike_dh_get_public(const struct ike_dh *dh, uint8_t *out, size_t out_len)
{
	if (!out || out_len != dh->g->pub_len)
		return -EINVAL;
	memcpy(out, dh->pub, out_len);
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* A derive context for our key against peer, which OpenSSL checks in
 * full (EVP_PKEY_public_check()) before accepting it: -EBADMSG if not. */
static int derive_ctx(const struct ike_dh *dh, EVP_PKEY *peer,
		      EVP_PKEY_CTX **out)
{
	unsigned int pad = 1;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);

	if (!ctx)
		return -ENOMEM;
	/* MODP: keep leading zeros, g^ir padded to 256 bytes (§2.14). */
	if (EVP_PKEY_derive_init(ctx) <= 0 ||
	    (dh->g->kind == DH_KIND_MODP &&
	     EVP_PKEY_CTX_set_params(ctx, params) <= 0)) {
		EVP_PKEY_CTX_free(ctx);
		return -EIO;
	}
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return -EBADMSG;
	}
	*out = ctx;
	return 0;
}

static int derive(const struct ike_dh *dh, EVP_PKEY *peer, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = dh->g->shared_len;
	int err;

	err = derive_ctx(dh, peer, &ctx);
	if (err)
		return err;
	if (EVP_PKEY_derive(ctx, out, &len) <= 0)
		/* OpenSSL's X25519 fails on an all-zero result itself. */
		err = dh->g->kind == DH_KIND_X25519 ? -EBADMSG : -EIO;
	else if (len != dh->g->shared_len)
		err = -EIO;
	else if (dh->g->kind == DH_KIND_X25519 && all_zero(out, len))
		err = -EBADMSG; /* RFC 8031 §2.3, RFC 7748 §6.1 */
	EVP_PKEY_CTX_free(ctx);
	return err;
}

int ike_dh_compute_shared(const struct ike_dh *dh, const uint8_t *peer,
			  size_t peer_len, uint8_t *out, size_t out_len)
{
	EVP_PKEY *key = NULL;
	int err;

	if (!out || out_len != dh->g->shared_len)
		return -EINVAL;
	err = dh_pkey_from_peer(dh->g, peer, peer_len, &key);
	if (!err)
		err = derive(dh, key, out);
	EVP_PKEY_free(key);
	if (err)
		secure_zero(out, out_len);
	return err;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key);
	secure_zero(dh, sizeof(*dh));
	free(dh);
}
