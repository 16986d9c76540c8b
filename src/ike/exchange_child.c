/* SPDX-License-Identifier: MIT */
/*
 * CREATE_CHILD_SA rekeying a Child SA (RFC 7296 §1.3.3, §2.8), make-
 * before-break:
 *   initiator: request (REKEY_SA names our inbound SPI, a new SPI, Ni);
 *              on the answer both new halves go in force (the responder
 *              already has the new inbound one), then an INFORMATIONAL
 *              deletes the old pair; the old inbound SA stays for a grace
 *              time for what is still in flight.
 *   responder: the new inbound half at once; the new outbound half when
 *              the old pair's DELETE arrives (the initiator then surely
 *              has its new inbound half) or after IKE_SWITCH_MS.
 * IKE SA rekeys share the exchange; see exchange_rekey.c.
 */
#include <errno.h>
#include <string.h>

#include "ike/ikesa.h"
#include "ike/nego.h"
#include "util/bytes.h"
#include "util/log.h"

static int put_notify_spi(struct ike_writer *w, uint16_t type, uint32_t spi)
{
	uint8_t s[4];
	struct ike_notify n = { .type = type, .protocol = IKE_PROTO_ESP,
				.spi_size = 4 };

	put_be32(s, spi);
	memcpy(n.spi, s, 4);
	return ike_put_notify(w, &n);
}

static int put_notify(struct ike_writer *w, uint16_t type)
{
	struct ike_notify n = { .type = type };

	return ike_put_notify(w, &n);
}

int ike_child_rekey_start(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_proposal props[IKE_OFFERS_MAX];
	struct ike_ts_payload tsi, tsr;
	struct ike_rekey_state *p = &sa->pend;
	uint8_t buf[IKE_PKT_MAX];
	struct ike_writer w;
	unsigned n;
	int len;

	if (sa->state != IKE_S_ESTABLISHED || !sa->child.up)
		return -ENOENT;
	if (sa->req.valid)
		return -EBUSY;
	p->kind = IKE_REQ_CHILD_REKEY;
	p->spi = ike_child_new_spi(ike);
	p->nonce_len = IKE_NONCE_LEN;
	ike->env.random(ike->env.ctx, p->nonce, p->nonce_len);
	nego_esp_offer(cfg, p->spi, props, &n);
	if (nego_ts_offer(cfg, &tsi, &tsr))
		return -EINVAL;
	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), false, 0);
	put_notify_spi(&w, IKE_N_REKEY_SA, sa->child.spi_in);
	if (sa->child.transport)
		put_notify(&w, IKE_N_USE_TRANSPORT_MODE);
	ike_put_sa(&w, props, n);
	ike_put_nonce(&w, p->nonce, p->nonce_len);
	ike_put_ts(&w, IKE_PL_TSI, tsi.ts, tsi.n);
	ike_put_ts(&w, IKE_PL_TSR, tsr.ts, tsr.n);
	len = ikesa_seal(sa, &w);
	if (len < 0) {
		p->kind = IKE_REQ_NONE;
		return len;
	}
	ikesa_send_request(ike, sa, buf, (size_t)len);
	log_info("ike %s: rekeying the Child SA (new spi in %08x)", cfg->name,
		 p->spi);
	return 0;
}

/* ---- what CREATE_CHILD_SA carries ---- */

struct child_in {
	struct ike_sa_payload sa;
	struct ike_ts_payload tsi, tsr;
	const uint8_t *nonce;
	size_t nonce_len;
	uint32_t rekey_spi;       /* REKEY_SA for ESP, or 0 */
	uint16_t error;
	bool transport, has_sa, has_tsi, has_tsr, has_ke;
};

static void read_notify(const struct ike_notify *n, struct child_in *in)
{
	if (n->type == IKE_N_REKEY_SA && n->protocol == IKE_PROTO_ESP &&
	    n->spi_size == 4)
		in->rekey_spi = get_be32(n->spi);
	else if (n->type == IKE_N_USE_TRANSPORT_MODE)
		in->transport = true;
	else if (n->type < IKE_NOTIFY_STATUS_MIN && !in->error)
		in->error = n->type;
}

static enum ike_parse read_one(const struct ike_payload *p,
			       struct child_in *in)
{
	struct ike_notify n;
	enum ike_parse r = IKE_PARSE_OK;

	if (p->type == IKE_PL_SA) {
		r = ike_decode_sa(p->body, &in->sa);
		in->has_sa = true;
	} else if (p->type == IKE_PL_NONCE) {
		r = ike_decode_nonce(p->body, &in->nonce, &in->nonce_len);
	} else if (p->type == IKE_PL_TSI) {
		r = ike_decode_ts(p->body, &in->tsi);
		in->has_tsi = true;
	} else if (p->type == IKE_PL_TSR) {
		r = ike_decode_ts(p->body, &in->tsr);
		in->has_tsr = true;
	} else if (p->type == IKE_PL_KE) {
		in->has_ke = true;
	} else if (p->type == IKE_PL_NOTIFY) {
		r = ike_decode_notify(p->body, &n);
		if (r == IKE_PARSE_OK)
			read_notify(&n, in);
	}
	return r;
}

static bool read_child(const struct ike_chain *c, struct child_in *in)
{
	unsigned i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < c->n; i++)
		if (read_one(&c->pl[i], in) != IKE_PARSE_OK)
			return false;
	return true;
}

/* ---- responder ---- */

static void respond_notify(struct ike *ike, struct ike_sa *sa, uint32_t id,
			   uint16_t type)
{
	uint8_t buf[512];
	struct ike_writer w;
	int len;

	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), true, id);
	put_notify(&w, type);
	len = ikesa_seal(sa, &w);
	if (len > 0)
		ikesa_send_response(ike, sa, buf, (size_t)len, id);
}

/* Negotiate the rekeyed child into c (suite, SPIs, selectors) and write
 * the answer's payloads; a notification type on refusal. */
static uint16_t negotiate(struct ike *ike, struct ike_sa *sa,
			  const struct child_in *in, uint32_t new_in,
			  const uint8_t *nr, struct ike_writer *w,
			  struct ike_child *c)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_ts_payload tsi, tsr;
	struct ike_proposal reply;

	if (!in->has_sa || !in->has_tsi || !in->has_tsr || !in->nonce ||
	    in->transport != sa->child.transport || in->has_ke)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (nego_esp_select(cfg, &in->sa, new_in, &c->suite, &c->spi_out,
			    &reply))
		return IKE_N_NO_PROPOSAL_CHOSEN;
	if (nego_ts_narrow(cfg, &in->tsi, &in->tsr, &tsi, &tsr, c->sel,
			   &c->nsel))
		return IKE_N_TS_UNACCEPTABLE;
	if (c->transport)
		put_notify(w, IKE_N_USE_TRANSPORT_MODE);
	ike_put_sa(w, &reply, 1);
	ike_put_nonce(w, nr, IKE_NONCE_LEN);
	ike_put_ts(w, IKE_PL_TSI, tsi.ts, tsi.n);
	ike_put_ts(w, IKE_PL_TSR, tsr.ts, tsr.n);
	return 0;
}

static void rekey_respond(struct ike *ike, struct ike_sa *sa,
			  const struct ike_msg *m, const struct child_in *in)
{
	struct ike_child next = sa->child, old = sa->child;
	uint8_t buf[IKE_PKT_MAX], nr[IKE_NONCE_LEN];
	uint32_t new_in = ike_child_new_spi(ike);
	struct ike_writer w;
	uint16_t refuse;
	int len;

	if (!old.up || old.spi_out != in->rekey_spi) {
		respond_notify(ike, sa, m->hdr.msg_id, IKE_N_CHILD_SA_NOT_FOUND);
		return;
	}
	if (old.out.valid || ike_rekeying(sa)) {
		/* Colliding with a rekey of ours (or the last one is not
		 * finished): the peer tries again later (§2.25). */
		respond_notify(ike, sa, m->hdr.msg_id, IKE_N_TEMPORARY_FAILURE);
		return;
	}
	ike->env.random(ike->env.ctx, nr, sizeof(nr));
	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), true, m->hdr.msg_id);
	refuse = negotiate(ike, sa, in, new_in, nr, &w, &next);
	if (refuse) {
		respond_notify(ike, sa, m->hdr.msg_id, refuse);
		return;
	}
	len = ikesa_seal(sa, &w);
	if (len < 0)
		return;
	next.spi_in = new_in;
	next.old_spi_in = old.spi_in;
	next.up = false;
	sa->child = next;
	if (ike_child_install(ike, sa, false, in->nonce, in->nonce_len, nr,
			      sizeof(nr), IKE_HALF_IN)) {
		sa->child = old;
		respond_notify(ike, sa, m->hdr.msg_id,
			       IKE_N_TEMPORARY_FAILURE);
		return;
	}
	/* The old outbound SA carries on until the switch. */
	sa->child.spi_out = old.spi_out;
	sa->child.out.spi = next.spi_out;
	ike_child_schedule(ike, sa);
	ike->stats.child_rekeys++;
	ikesa_send_response(ike, sa, buf, (size_t)len, m->hdr.msg_id);
}

void ike_child_request(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *inner)
{
	struct child_in in;

	if (sa->state != IKE_S_ESTABLISHED) {
		respond_notify(ike, sa, m->hdr.msg_id, IKE_N_TEMPORARY_FAILURE);
		return;
	}
	if (!read_child(inner, &in)) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		respond_notify(ike, sa, m->hdr.msg_id, IKE_N_INVALID_SYNTAX);
		return;
	}
	if (in.has_sa && in.sa.n && in.sa.prop[0].protocol == IKE_PROTO_IKE) {
		ike_rekey_request(ike, sa, m, inner);
		return;
	}
	if (!in.rekey_spi) {
		/* One Child SA per peer: no more (§1.3.1). */
		respond_notify(ike, sa, m->hdr.msg_id, IKE_N_NO_ADDITIONAL_SAS);
		return;
	}
	rekey_respond(ike, sa, m, &in);
}

/* ---- initiator: the answer ---- */

static void rekey_failed(struct ike *ike, struct ike_sa *sa, const char *why)
{
	log_warn("ike %s: Child SA rekey failed: %s", ikesa_cfg(ike, sa)->name,
		 why);
	/* Try again later: the old SA goes on meanwhile. */
	sa->child.rekey_at = ike->env.now_ms(ike->env.ctx) +
			     ike_retry_delay(ike);
}

static void rekey_done(struct ike *ike, struct ike_sa *sa,
		       const struct child_in *in)
{
	struct ike_child next = sa->child, old = sa->child;
	const struct ike_rekey_state *p = &sa->pend;

	if (nego_esp_check(ikesa_cfg(ike, sa), &in->sa, &next.suite,
			   &next.spi_out) ||
	    nego_ts_check(ikesa_cfg(ike, sa), &in->tsi, &in->tsr, next.sel,
			  &next.nsel) ||
	    in->transport != old.transport || !in->nonce) {
		rekey_failed(ike, sa, "unacceptable answer");
		return;
	}
	next.spi_in = p->spi;
	next.old_spi_in = old.spi_in;
	sa->child = next;
	if (ike_child_install(ike, sa, true, p->nonce, p->nonce_len, in->nonce,
			      in->nonce_len, IKE_HALF_IN | IKE_HALF_OUT)) {
		sa->child = old;
		rekey_failed(ike, sa, "the data plane refused the new SAs");
		return;
	}
	ike_child_schedule(ike, sa);
	ike->stats.child_rekeys++;
	/* The old pair goes; its inbound half after the grace time. */
	ike_info_send_child_delete(ike, sa, old.spi_in);
}

void ike_child_response(struct ike *ike, struct ike_sa *sa,
			const struct ike_msg *m, const struct ike_chain *inner)
{
	struct child_in in;
	enum ike_req_kind kind = sa->pend.kind;

	(void)m;
	sa->req.valid = false;
	sa->rtx_at = 0;
	sa->next_req++;
	sa->pend.kind = IKE_REQ_NONE;
	if (kind == IKE_REQ_IKE_REKEY) {
		ike_rekey_response(ike, sa, inner);
		return;
	}
	if (kind != IKE_REQ_CHILD_REKEY) {
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
		return;
	}
	if (!read_child(inner, &in)) {
		rekey_failed(ike, sa, "malformed answer");
		return;
	}
	if (in.error) {
		rekey_failed(ike, sa, ike_notify_name(in.error));
		return;
	}
	rekey_done(ike, sa, &in);
}
