/* SPDX-License-Identifier: MIT */
/*
 * Authentication in IKE_AUTH (RFC 7296 §2.15): over the signed octets —
 * the sender's IKE_SA_INIT message, the other side's nonce and
 * prf(SK_p, ID payload body) — either a shared-key MAC (computed by the
 * keys process, env.auth_psk) or a signature (RFC 7427 method 14, signed
 * by the keys process, env.sign) with the certificate sent in a CERT
 * payload. A peer's AUTH is checked by recomputing (shared key, compared
 * in constant time) or by verifying its signature with the public key of
 * its certificate, which must chain to a configured CA and carry the
 * configured identity.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/authsig.h"
#include "ike/cert.h"
#include "ike/ikesa.h"
#include "util/log.h"
#include "util/secure.h"

#define ID_BODY_MAX (4 + IKE_ID_MAX)

/* The ID payload body (§3.5): type, three reserved bytes, data. */
static size_t id_body(const struct ike_ident *id, uint8_t *out)
{
	out[0] = id->type;
	memset(out + 1, 0, 3);
	memcpy(out + 4, id->data, id->len);
	return 4 + id->len;
}

/* The signed octets of one side (ours, or the peer's), allocated. */
static uint8_t *octets_of(const struct ike_sa *sa, bool ours,
			  const struct ike_ident *id, size_t *len)
{
	bool by_i = ours == sa->initiator;
	const uint8_t *init = by_i ? sa->init_i : sa->init_r;
	size_t init_len = by_i ? sa->init_i_len : sa->init_r_len;
	const uint8_t *nonce = by_i ? sa->nr : sa->ni;
	size_t nonce_len = by_i ? sa->nr_len : sa->ni_len;
	const uint8_t *sk_p = by_i ? sa->keys->sk_pi : sa->keys->sk_pr;
	enum ike_prf_alg prf = sa->suite.alg.prf;
	size_t plen = ike_prf_len(prf);
	uint8_t body[ID_BODY_MAX], *o;
	struct ike_bytes idb = { body, id_body(id, body) };

	*len = init_len + nonce_len + plen;
	o = malloc(*len);
	if (!o)
		return NULL;
	memcpy(o, init, init_len);
	memcpy(o + init_len, nonce, nonce_len);
	if (ike_prf(prf, sk_p, plen, &idb, 1, o + init_len + nonce_len)) {
		free(o);
		return NULL;
	}
	return o;
}

/* ---- ours ---- */

static int put_psk(struct ike *ike, struct ike_sa *sa, const uint8_t *o,
		   size_t len, struct ike_writer *w)
{
	uint8_t mac[IKE_PRF_LEN_MAX];
	struct ike_auth a = { .method = IKE_AM_PSK, .data = mac,
			      .len = ike_prf_len(sa->suite.alg.prf) };
	int err = ike->env.auth_psk(ike->env.ctx, sa->peer, sa->suite.alg.prf,
				    o, len, mac, a.len);

	if (!err)
		err = ike_put_auth(w, &a);
	secure_zero(mac, sizeof(mac));
	return err;
}

struct sign_ctx {
	struct ike *ike;
	unsigned peer;
};

static int sign_cb(void *ctx, uint16_t hash, enum ike_sig_scheme scheme,
		   const uint8_t *octets, size_t len, uint8_t *sig, size_t cap,
		   size_t *sig_len)
{
	struct sign_ctx *c = ctx;

	return c->ike->env.sign(c->ike->env.ctx, c->peer, hash, (int)scheme,
				octets, len, sig, cap, sig_len);
}

/* A CERT payload (X.509 signature encoding) of c. */
static int put_cert(struct ike_writer *w, const struct ike_x509 *c)
{
	struct ike_cert cert = { .encoding = IKE_CERT_X509_SIG };

	cert.data = ike_cert_der(c, &cert.len);
	return ike_put_cert(w, IKE_PL_CERT, &cert);
}

/* Our certificate and the intermediates after it, then AUTH method 14
 * signed with its key in the hash the peer named (SHA-256 when it named
 * none). */
static int put_sig(struct ike *ike, struct ike_sa *sa, const uint8_t *o,
		   size_t len, struct ike_writer *w)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	static const uint16_t sha256 = IKE_HASH_SHA2_256;
	const struct ike_authsig_alg *alg;
	struct sign_ctx ctx = { ike, sa->peer };
	uint8_t data[1 + IKE_AUTHSIG_ALGID_MAX + IKE_AUTHSIG_SIG_MAX];
	struct ike_auth a = { .method = IKE_AM_DIGITAL_SIGNATURE, .data = data };
	unsigned i;
	int err;

	alg = ike_authsig_choose(ike_cert_pubkey(cfg->cert),
				 sa->n_peer_hashes ? sa->peer_hashes : &sha256,
				 sa->n_peer_hashes ? sa->n_peer_hashes : 1);
	if (!alg)
		return -ENOTSUP;
	err = ike_authsig_sign(alg, sign_cb, &ctx, o, len, data, sizeof(data),
			       &a.len);
	if (!err)
		err = put_cert(w, cfg->cert);
	for (i = 0; !err && i < cfg->nchain; i++)
		err = put_cert(w, cfg->chain[i]);
	if (!err)
		err = ike_put_auth(w, &a);
	return err;
}

int ike_auth_put(struct ike *ike, struct ike_sa *sa, struct ike_writer *w)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	const struct ike_ident *me = &cfg->local_id;
	struct ike_id id = { .type = me->type, .data = me->data,
			     .len = me->len };
	size_t len;
	uint8_t *o = octets_of(sa, true, me, &len);
	int err;

	if (!o)
		return -ENOMEM;
	ike_put_id(w, sa->initiator ? IKE_PL_IDI : IKE_PL_IDR, &id);
	err = cfg->auth == IKE_AUTH_PUBKEY ? put_sig(ike, sa, o, len, w)
					   : put_psk(ike, sa, o, len, w);
	free(o);
	return err;
}

void ike_auth_put_certreq(struct ike *ike, const struct ike_sa *sa,
			  struct ike_writer *w)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	uint8_t hashes[IKE_CERT_CAS_MAX * IKE_CERT_SHA1_LEN];
	struct ike_cert req = { .encoding = IKE_CERT_X509_SIG, .data = hashes };

	if (cfg->auth != IKE_AUTH_PUBKEY || !cfg->cas ||
	    ike_cert_store_certreq(cfg->cas, hashes, sizeof(hashes), &req.len) ||
	    !req.len)
		return;
	ike_put_cert(w, IKE_PL_CERTREQ, &req);
}

/* ---- the peer's ---- */

static int verify_psk(struct ike *ike, const struct ike_sa *sa,
		      const struct ike_auth *auth, const uint8_t *o,
		      size_t len)
{
	uint8_t expect[IKE_PRF_LEN_MAX];
	size_t plen = ike_prf_len(sa->suite.alg.prf);
	int err = -EACCES;

	if (auth->method != IKE_AM_PSK || auth->len != plen)
		return -EACCES;
	if (!ike->env.auth_psk(ike->env.ctx, sa->peer, sa->suite.alg.prf, o,
			       len, expect, plen) &&
	    ct_equal(expect, auth->data, plen))
		err = 0;
	secure_zero(expect, sizeof(expect));
	return err;
}

/* The peer's certificate (the first CERT) chained to our CAs, naming its
 * configured identity; *leaf set (the caller frees it). */
static int check_cert(const struct ike_peer_cfg *cfg,
		      const struct ike_cert *certs, unsigned n,
		      struct ike_x509 **leaf, const char **why)
{
	struct ike_x509 *inter[IKE_CERT_CHAIN_MAX];
	const struct ike_ident *want = &cfg->remote_id;
	unsigned i, ni = 0;
	int err = -EACCES;

	*leaf = NULL;
	*why = "no X.509 certificate";
	if (!n || certs[0].encoding != IKE_CERT_X509_SIG ||
	    ike_cert_parse(certs[0].data, certs[0].len, leaf))
		return -EACCES;
	for (i = 1; i < n && ni < IKE_CERT_CHAIN_MAX; i++)
		if (certs[i].encoding == IKE_CERT_X509_SIG &&
		    !ike_cert_parse(certs[i].data, certs[i].len, &inter[ni]))
			ni++;
	if (ike_cert_verify(cfg->cas, *leaf, inter, ni, time(NULL), why))
		goto out;
	*why = "the certificate does not name the configured identity";
	if (ike_cert_matches_id(*leaf, want->type, want->data, want->len))
		err = 0;
out:
	for (i = 0; i < ni; i++)
		ike_cert_free(inter[i]);
	return err;
}

static int verify_sig(struct ike *ike, const struct ike_sa *sa,
		      const struct ike_auth *auth, const struct ike_cert *certs,
		      unsigned n, const uint8_t *o, size_t len)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	const char *why = "not a digital signature (RFC 7427)";
	struct ike_x509 *leaf = NULL;
	struct ike_auth_sig sig;
	int err = -EACCES;

	if (auth->method != IKE_AM_DIGITAL_SIGNATURE ||
	    ike_decode_auth_sig(auth, &sig) != IKE_PARSE_OK)
		goto out;
	if (check_cert(cfg, certs, n, &leaf, &why))
		goto out;
	if (!ike_authsig_verify(&sig, o, len, ike_cert_pubkey(leaf), &why))
		err = 0;
out:
	ike_cert_free(leaf);
	if (err)
		log_warn("ike %s: the peer's signature: %s", cfg->name, why);
	return err;
}

int ike_auth_verify(struct ike *ike, const struct ike_sa *sa,
		    const struct ike_id *id, const struct ike_auth *auth,
		    const struct ike_cert *certs, unsigned ncerts)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	const struct ike_ident *want = &cfg->remote_id;
	size_t len;
	uint8_t *o;
	int err;

	if (id->type != want->type || id->len != want->len ||
	    memcmp(id->data, want->data, id->len))
		return -EACCES;
	o = octets_of(sa, false, want, &len);
	if (!o)
		return -ENOMEM;
	err = cfg->auth == IKE_AUTH_PUBKEY ?
		verify_sig(ike, sa, auth, certs, ncerts, o, len) :
		verify_psk(ike, sa, auth, o, len);
	free(o);
	return err;
}
