/* SPDX-License-Identifier: MIT */
/*
 * IKE_AUTH (RFC 7296 §1.2, §2.15): identities, shared-key authentication
 * and the first Child SA, all inside the Encrypted payload.
 *
 * Identities and AUTH payloads are auth.c's (shared key or certificates);
 * this file runs the exchange and negotiates the first Child SA.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ikesa.h"
#include "ike/nego.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

static int put_notify(struct ike_writer *w, uint16_t type)
{
	struct ike_notify n = { .type = type };

	return ike_put_notify(w, &n);
}

/* ---- initiator ---- */

int ike_auth_start(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_proposal props[IKE_OFFERS_MAX];
	struct ike_ts_payload tsi, tsr;
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	unsigned n;
	int len;

	sa->child_spi_in = ike_child_new_spi(ike);
	nego_esp_offer(cfg, sa->child_spi_in, false, props, &n);
	if (nego_ts_offer(cfg, &tsi, &tsr))
		return -EINVAL;
	ikesa_begin(sa, IKE_EXCH_AUTH, &w, buf, sizeof(buf), false, 0);
	if (ike_auth_put(ike, sa, &w))
		return -EIO;
	ike_auth_put_certreq(ike, sa, &w);
	if (cfg->mode == ESP_MODE_TRANSPORT)
		put_notify(&w, IKE_N_USE_TRANSPORT_MODE);
	ike_put_sa(&w, props, n);
	ike_put_ts(&w, IKE_PL_TSI, tsi.ts, tsi.n);
	ike_put_ts(&w, IKE_PL_TSR, tsr.ts, tsr.n);
	len = ikesa_seal(sa, &w);
	if (len < 0)
		return len;
	sa->state = IKE_S_AUTH_SENT;
	ikesa_send_request(ike, sa, buf, (size_t)len);
	return 0;
}

/* ---- what IKE_AUTH carries ---- */

#define CERTS_MAX 5 /* a leaf and IKE_CERT_CHAIN_MAX intermediates */

struct auth_in {
	struct ike_id id;
	struct ike_auth auth;
	struct ike_cert certs[CERTS_MAX];
	unsigned ncerts;
	struct ike_sa_payload sa;
	struct ike_ts_payload tsi, tsr;
	uint16_t error;           /* first error notification */
	bool transport;
	bool has_id, has_auth, has_sa, has_tsi, has_tsr;
};

static enum ike_parse read_one(const struct ike_payload *p, uint8_t id_type,
			       struct auth_in *in)
{
	struct ike_notify n;
	enum ike_parse r = IKE_PARSE_OK;

	if (p->type == id_type) {
		r = ike_decode_id(p->body, &in->id);
		in->has_id = true;
	} else if (p->type == IKE_PL_AUTH) {
		r = ike_decode_auth(p->body, &in->auth);
		in->has_auth = true;
	} else if (p->type == IKE_PL_CERT && in->ncerts < CERTS_MAX) {
		r = ike_decode_cert(p->body, &in->certs[in->ncerts++]);
	} else if (p->type == IKE_PL_SA) {
		r = ike_decode_sa(p->body, &in->sa);
		in->has_sa = true;
	} else if (p->type == IKE_PL_TSI) {
		r = ike_decode_ts(p->body, &in->tsi);
		in->has_tsi = true;
	} else if (p->type == IKE_PL_TSR) {
		r = ike_decode_ts(p->body, &in->tsr);
		in->has_tsr = true;
	} else if (p->type == IKE_PL_NOTIFY) {
		r = ike_decode_notify(p->body, &n);
		if (r == IKE_PARSE_OK && n.type == IKE_N_USE_TRANSPORT_MODE)
			in->transport = true;
		else if (r == IKE_PARSE_OK && n.type < IKE_NOTIFY_STATUS_MIN &&
			 !in->error)
			in->error = n.type;
	}
	return r;
}

static bool read_auth(const struct ike_chain *c, uint8_t id_type,
		      struct auth_in *in)
{
	unsigned i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < c->n; i++)
		if (read_one(&c->pl[i], id_type, in) != IKE_PARSE_OK)
			return false;
	return true;
}

/* ---- responder ---- */

/* Negotiate the Child SA of the request; the payloads of the answer go to
 * w. A child refused leaves only its error notification (the IKE SA is
 * set up all the same, §1.2). */
static void child_respond(struct ike *ike, struct ike_sa *sa,
			  const struct auth_in *in, struct ike_writer *w)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_ts_payload tsi, tsr;
	struct ike_child *c = &sa->child[0];
	struct ike_proposal reply;

	if (!in->has_sa || !in->has_tsi || !in->has_tsr ||
	    in->transport != (cfg->mode == ESP_MODE_TRANSPORT)) {
		put_notify(w, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	sa->child_spi_in = ike_child_new_spi(ike);
	if (nego_esp_select(cfg, &in->sa, false, 0, sa->child_spi_in,
			    &c->suite, &c->spi_out, &reply)) {
		put_notify(w, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (nego_ts_narrow(cfg, &in->tsi, &in->tsr, &tsi, &tsr, c->sel,
			   &c->nsel)) {
		put_notify(w, IKE_N_TS_UNACCEPTABLE);
		return;
	}
	c->spi_in = sa->child_spi_in;
	c->transport = in->transport;
	if (c->transport)
		put_notify(w, IKE_N_USE_TRANSPORT_MODE);
	ike_put_sa(w, &reply, 1);
	ike_put_ts(w, IKE_PL_TSI, tsi.ts, tsi.n);
	ike_put_ts(w, IKE_PL_TSR, tsr.ts, tsr.n);
}

/* The first Child SA, from the IKE SA's own nonces. */
static int install(struct ike *ike, struct ike_sa *sa)
{
	struct ike_child_seed seed = {
		.ni = sa->ni, .ni_len = sa->ni_len,
		.nr = sa->nr, .nr_len = sa->nr_len,
	};
	int err = ike_child_install(ike, sa, &sa->child[0], sa->initiator,
				    &seed, IKE_HALF_IN | IKE_HALF_OUT);

	if (!err)
		ike_child_schedule(ike, sa, &sa->child[0]);
	return err;
}

static void established(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);

	sa->state = IKE_S_ESTABLISHED;
	sa->established = ike_now(ike);
	sa->dpd_at = cfg->dpd_s ? sa->established + cfg->dpd_s * 1000ull : 0;
	ikesa_schedule(ike, sa);
	ike->stats.established++;
	log_info("ike %s: IKE SA established (%s, spi %016llx/%016llx)",
		 cfg->name, sa->initiator ? "initiator" : "responder",
		 (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r);
}

void ike_auth_request(struct ike *ike, struct ike_sa *sa,
		      const struct ike_msg *m, const struct ike_chain *inner)
{
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	struct auth_in in;
	int len;

	if (sa->state != IKE_S_INIT_DONE) {
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
		return;
	}
	if (!read_auth(inner, IKE_PL_IDI, &in) || !in.has_id || !in.has_auth) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		ikesa_respond_notify(ike, sa, IKE_EXCH_AUTH, m->hdr.msg_id,
				     IKE_N_INVALID_SYNTAX, NULL, 0);
		sa->state = IKE_S_DEAD;
		return;
	}
	if (ike_auth_verify(ike, sa, &in.id, &in.auth, in.certs, in.ncerts)) {
		log_warn("ike %s: IKE_AUTH: the peer failed to authenticate",
			 ikesa_cfg(ike, sa)->name);
		ikesa_respond_notify(ike, sa, IKE_EXCH_AUTH, m->hdr.msg_id,
				     IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		ike->stats.failed++;
		sa->state = IKE_S_DEAD;
		return;
	}
	ikesa_begin(sa, IKE_EXCH_AUTH, &w, buf, sizeof(buf), true, m->hdr.msg_id);
	if (ike_auth_put(ike, sa, &w)) {
		sa->state = IKE_S_DEAD;
		return;
	}
	child_respond(ike, sa, &in, &w);
	len = ikesa_seal(sa, &w);
	if (len < 0) {
		sa->state = IKE_S_DEAD;
		return;
	}
	ike->half_open--;
	established(ike, sa);
	ikesa_send_response(ike, sa, buf, (size_t)len, m->hdr.msg_id);
	if (sa->child[0].spi_out && install(ike, sa))
		log_warn("ike %s: the Child SA could not be installed",
			 ikesa_cfg(ike, sa)->name);
}

/* ---- initiator: the answer ---- */

static void child_accept(struct ike *ike, struct ike_sa *sa,
			 const struct auth_in *in)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_child *c = &sa->child[0];

	if (in->error || !in->has_sa || !in->has_tsi || !in->has_tsr) {
		log_warn("ike %s: no Child SA: %s", cfg->name,
			 in->error ? ike_notify_name(in->error)
				   : "the answer carries none");
		return;
	}
	if (in->transport != (cfg->mode == ESP_MODE_TRANSPORT) ||
	    nego_esp_check(cfg, &in->sa, false, &c->suite, &c->spi_out) ||
	    nego_ts_check(cfg, &in->tsi, &in->tsr, c->sel, &c->nsel)) {
		log_warn("ike %s: the Child SA answer is unacceptable",
			 cfg->name);
		c->spi_out = 0;
		return;
	}
	c->spi_in = sa->child_spi_in;
	c->transport = in->transport;
	if (install(ike, sa))
		log_warn("ike %s: the Child SA could not be installed",
			 cfg->name);
}

void ike_auth_response(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *inner)
{
	struct auth_in in;

	if (sa->state != IKE_S_AUTH_SENT || m->hdr.msg_id != sa->req.msg_id) {
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
		return;
	}
	sa->req.valid = false;
	sa->rtx_at = 0;
	sa->next_req++;
	if (!read_auth(inner, IKE_PL_IDR, &in) || !in.has_id || !in.has_auth ||
	    ike_auth_verify(ike, sa, &in.id, &in.auth, in.certs, in.ncerts)) {
		log_warn("ike %s: IKE_AUTH failed: %s", ikesa_cfg(ike, sa)->name,
			 in.error ? ike_notify_name(in.error)
				  : "the responder did not authenticate");
		ike->stats.failed++;
		sa->state = IKE_S_DEAD;
		return;
	}
	established(ike, sa);
	child_accept(ike, sa, &in);
}
