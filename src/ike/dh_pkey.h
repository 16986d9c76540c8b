/* SPDX-License-Identifier: MIT */
/*
 * Inside ike/dh.c only: the groups' parameters and the OpenSSL EVP_PKEY
 * objects built from IKE's raw byte forms (dh.h gives the forms). No state;
 * thread-safe. Every function returns 0 or -errno and sets *out only on
 * success; the caller frees it with EVP_PKEY_free().
 */
#ifndef TUNSEC_IKE_DH_PKEY_H
#define TUNSEC_IKE_DH_PKEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ike/dh.h"

enum dh_kind { DH_KIND_MODP, DH_KIND_ECP, DH_KIND_X25519 };

struct dh_group_info {
	enum ike_dh_group group;
	enum dh_kind kind;
	const char *type;  /* OpenSSL key type */
	const char *name;  /* OpenSSL group name, or NULL */
	size_t pub_len, shared_len;
};

/* The group's parameters, or NULL when it is not implemented. */
const struct dh_group_info *dh_group_find(enum ike_dh_group group);

/* A fresh key pair: -ENOMEM or -EIO on failure. */
int dh_pkey_generate(const struct dh_group_info *g, EVP_PKEY **out);

/* A key pair from a fixed private value (ike_dh_new_fixed_for_test()):
 * -EINVAL for a value of the wrong length or out of range. */
int dh_pkey_from_private(const struct dh_group_info *g, const uint8_t *priv,
			 size_t len, EVP_PKEY **out);

/* A public key from the peer's KE data (untrusted): -EBADMSG when its
 * length is wrong, it is out of range or not a point on the curve. */
int dh_pkey_from_peer(const struct dh_group_info *g, const uint8_t *peer,
		      size_t len, EVP_PKEY **out);

/* Our public value in IKE's form, g->pub_len bytes: -EIO on failure. */
int dh_pkey_get_public(const struct dh_group_info *g, const EVP_PKEY *key,
		       uint8_t *out);

#endif
