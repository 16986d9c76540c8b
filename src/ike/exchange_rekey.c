/* SPDX-License-Identifier: MIT */
/*
 * CREATE_CHILD_SA rekeying the IKE SA (RFC 7296 §1.3.2, §2.18): a new IKE
 * SA with new SPIs, nonces and key exchange, keyed from the old SK_d; the
 * Child SA moves to it untouched (no packet notices), and the rekey's
 * initiator deletes the old IKE SA. The rekey's initiator is the new IKE
 * SA's original initiator; message IDs start again at 0. When both sides
 * rekey at once, both are answered and the lowest nonce settles which new
 * IKE SA stays (§2.8.2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ikesa.h"
#include "ike/nego.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

static uint64_t fresh_spi(struct ike *ike)
{
	uint64_t spi;

	do
		ike->env.random(ike->env.ctx, &spi, sizeof(spi));
	while (!spi || ikesa_find(ike, spi));
	return spi;
}

int ike_rekey_start(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);
	struct ike_proposal props[IKE_OFFERS_MAX];
	struct ike_rekey_state *p = &sa->pend;
	uint8_t buf[IKE_PKT_MAX], spi[8];
	struct ike_writer w;
	int len, n;

	if (sa->state != IKE_S_ESTABLISHED)
		return -ENOENT;
	if (sa->req.valid || ike_rekey_unsettled(ike, sa))
		return -EBUSY;
	ike_dh_free(p->dh);
	p->dh = NULL;
	if (ike_dh_new(&p->dh, sa->suite.dh))
		return -ENOTSUP;
	p->kind = IKE_REQ_IKE_REKEY;
	p->new_spi = fresh_spi(ike);
	p->nonce_len = IKE_NONCE_LEN;
	ike->env.random(ike->env.ctx, p->nonce, p->nonce_len);
	put_be64(spi, p->new_spi);
	n = ike_proposals_build(cfg->ike, cfg->nike, spi, 8, 0, props,
				IKE_OFFERS_MAX);
	ikesa_begin(sa, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), false, 0);
	ike_put_sa(&w, props, n > 0 ? (unsigned)n : 0);
	ike_put_nonce(&w, p->nonce, p->nonce_len);
	ikesa_put_ke(&w, p->dh);
	len = ikesa_seal(sa, &w);
	if (len < 0) {
		p->kind = IKE_REQ_NONE;
		return len;
	}
	ikesa_send_request(ike, sa, buf, (size_t)len);
	log_info("ike %s: rekeying the IKE SA", cfg->name);
	return 0;
}

/* ---- what an IKE SA rekey carries ---- */

struct rekey_in {
	struct ike_sa_payload sa;
	struct ike_ke ke;
	const uint8_t *nonce;
	size_t nonce_len;
	uint16_t error;
	bool has_sa, has_ke;
};

static bool read_rekey(const struct ike_chain *c, struct rekey_in *in)
{
	struct ike_notify n;
	unsigned i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < c->n; i++) {
		const struct ike_payload *p = &c->pl[i];
		enum ike_parse r = IKE_PARSE_OK;

		if (p->type == IKE_PL_SA) {
			r = ike_decode_sa(p->body, &in->sa);
			in->has_sa = true;
		} else if (p->type == IKE_PL_KE) {
			r = ike_decode_ke(p->body, &in->ke);
			in->has_ke = true;
		} else if (p->type == IKE_PL_NONCE) {
			r = ike_decode_nonce(p->body, &in->nonce,
					     &in->nonce_len);
		} else if (p->type == IKE_PL_NOTIFY) {
			r = ike_decode_notify(p->body, &n);
			if (r == IKE_PARSE_OK && n.type < IKE_NOTIFY_STATUS_MIN &&
			    !in->error)
				in->error = n.type;
		}
		if (r != IKE_PARSE_OK)
			return false;
	}
	return in->has_sa && in->has_ke && in->nonce;
}

/* The Child SAs, their retired SAs and the selectors asked for: from
 * src to dst, which had none. */
static void move_children(struct ike_sa *dst, struct ike_sa *src)
{
	unsigned i;

	memcpy(dst->child, src->child, sizeof(dst->child));
	dst->child_asked = src->child_asked;
	memcpy(dst->retired, src->retired, sizeof(dst->retired));
	for (i = 0; i < IKE_CHILDREN_MAX; i++) {
		secure_zero(&src->child[i], sizeof(src->child[i]));
		src->child[i].slot = (uint8_t)i;
	}
	memset(src->retired, 0, sizeof(src->retired));
}

/*
 * The new IKE SA beside old: spi_i is the rekey initiator's SPI; we_init
 * whether that is us. Keys from old's SK_d (§2.18); the Child SA moves.
 */
static struct ike_sa *successor(struct ike *ike, struct ike_sa *old,
				bool we_init, uint64_t spi_i, uint64_t spi_r,
				const struct ike_suite_ike *suite,
				const uint8_t *shared, size_t slen,
				const uint8_t *ni, size_t ni_len,
				const uint8_t *nr, size_t nr_len)
{
	struct ike_sa *sa = ikesa_new(ike, old->peer, we_init);
	uint8_t si[8], sr[8];

	if (!sa)
		return NULL;
	sa->spi_i = spi_i;
	sa->spi_r = spi_r;
	sa->local = old->local;
	sa->remote = old->remote;
	sa->natt = old->natt;
	sa->nat_local = old->nat_local;
	sa->frag_offered = old->frag_offered;
	sa->suite = *suite;
	memcpy(sa->ni, ni, ni_len);
	sa->ni_len = ni_len;
	memcpy(sa->nr, nr, nr_len);
	sa->nr_len = nr_len;
	put_be64(si, spi_i);
	put_be64(sr, spi_r);
	if (ike_keys_rekey(&sa->keys, old->keys, &suite->alg, shared, slen, ni,
			   ni_len, nr, nr_len, si, sr) ||
	    ikesa_rekeyed_sk(sa)) {
		ikesa_free(ike, sa);
		return NULL;
	}
	move_children(sa, old);
	sa->state = IKE_S_ESTABLISHED;
	sa->established = ike->env.now_ms(ike->env.ctx);
	sa->dpd_at = old->dpd_at;
	ikesa_schedule(ike, sa);
	ike->stats.ike_rekeys++;
	return sa;
}

/* The lower of sa's two nonces, into lo (IKE_NONCE_MAX). */
static void lower_nonce(const struct ike_sa *sa, uint8_t *lo, size_t *len)
{
	bool i_lower = ike_nonces_lowest(sa->ni, sa->ni_len, sa->ni,
					 sa->ni_len, sa->nr, sa->nr_len,
					 sa->nr, sa->nr_len);

	*len = i_lower ? sa->ni_len : sa->nr_len;
	memcpy(lo, i_lower ? sa->ni : sa->nr, *len);
}

bool ike_rekey_unsettled(const struct ike *ike, const struct ike_sa *sa)
{
	uint64_t spi = ikesa_our_spi(sa);
	const struct ike_sa *old;

	for (old = ike->sas; old; old = old->next)
		if (old != sa && old->rekey_twin == spi)
			return true;
	return false;
}

/* ---- responder ---- */

/* Choose, or answer why not: 0 with *ch set, or -1 (answered). */
static int choose(struct ike *ike, struct ike_sa *old, const struct ike_msg *m,
		  const struct rekey_in *in, struct ike_choice *ch)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, old);
	uint8_t g[2];

	if (ike_proposal_select(&in->sa, cfg->ike, cfg->nike, 0, in->ke.group,
				ch) || ch->prop.spi_size != 8 ||
	    !get_be64(ch->prop.spi)) {
		ike_child_refuse(ike, old, m->hdr.msg_id,
				 IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return -1;
	}
	if (in->ke.group != (uint16_t)ch->ike.dh) {
		put_be16(g, (uint16_t)ch->ike.dh);
		ike_child_refuse(ike, old, m->hdr.msg_id,
				 IKE_N_INVALID_KE_PAYLOAD, g, 2);
		return -1;
	}
	return 0;
}

void ike_rekey_request(struct ike *ike, struct ike_sa *old,
		       const struct ike_msg *m, const struct ike_chain *inner)
{
	uint8_t buf[IKE_PKT_MAX], nr[IKE_NONCE_LEN];
	uint8_t shared[IKE_DH_SHARED_MAX];
	struct ike_dh *dh = NULL;
	struct ike_choice ch;
	struct rekey_in in;
	struct ike_writer w;
	struct ike_sa *sa = NULL;
	uint64_t peer_spi, our_spi;
	size_t slen;
	bool collide;
	int len;

	if (!read_rekey(inner, &in)) {
		ike_child_refuse(ike, old, m->hdr.msg_id, IKE_N_INVALID_SYNTAX,
				 NULL, 0);
		return;
	}
	/* Our own IKE SA rekey in flight: both are answered and settled
	 * by their nonces when ours is (§2.8.2). A Child SA rekey of ours,
	 * or one still switching over: the peer tries again later (§2.25). */
	collide = ike_rekeying(old) && old->pend.kind == IKE_REQ_IKE_REKEY;
	if ((ike_rekeying(old) && !collide) || ike_children_switching(old)) {
		ike_child_refuse(ike, old, m->hdr.msg_id,
				 IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if (choose(ike, old, m, &in, &ch))
		return;
	if (ikesa_dh_answer((uint16_t)ch.ike.dh, &in.ke, &dh, shared, &slen)) {
		ike_dh_free(dh);
		ike_child_refuse(ike, old, m->hdr.msg_id, IKE_N_INVALID_SYNTAX,
				 NULL, 0);
		return;
	}
	peer_spi = get_be64(ch.prop.spi);
	our_spi = fresh_spi(ike);
	ike->env.random(ike->env.ctx, nr, sizeof(nr));
	put_be64(ch.prop.spi, our_spi);
	ikesa_begin(old, IKE_EXCH_CREATE_CHILD_SA, &w,
		    buf, sizeof(buf), true, m->hdr.msg_id);
	ike_put_sa(&w, &ch.prop, 1);
	ike_put_nonce(&w, nr, sizeof(nr));
	ikesa_put_ke(&w, dh);
	ike_dh_free(dh);
	len = ikesa_seal(old, &w);
	if (len > 0)
		sa = successor(ike, old, false, peer_spi, our_spi, &ch.ike,
			       shared, slen, in.nonce, in.nonce_len, nr,
			       sizeof(nr));
	secure_zero(shared, sizeof(shared));
	if (!sa)
		return;
	ikesa_send_response(ike, old, buf, (size_t)len, m->hdr.msg_id);
	old->state = IKE_S_REKEYED;
	old->established = ike->env.now_ms(ike->env.ctx); /* since: REKEYED_MS */
	if (collide) {
		old->rekey_twin = our_spi;
		lower_nonce(sa, old->twin_lo, &old->twin_lo_len);
	}
	log_info("ike %s: IKE SA rekeyed by the peer (new spi %016llx/%016llx)%s",
		 ikesa_cfg(ike, sa)->name, (unsigned long long)sa->spi_i,
		 (unsigned long long)sa->spi_r,
		 collide ? ", while our rekey is in flight" : "");
}

void ike_rekey_twin_gone(struct ike *ike, struct ike_sa *twin)
{
	uint64_t spi = ikesa_our_spi(twin);
	struct ike_sa *old;

	for (old = ike->sas; old; old = old->next) {
		if (old == twin || old->rekey_twin != spi)
			continue;
		/* The peer settled first and closed its own new IKE SA: old
		 * is the IKE SA again, and its Child SAs wait there for our
		 * rekey's answer. (A twin the peer rekeyed in the meantime
		 * handed its Child SAs on already: nothing comes back.) */
		old->rekey_twin = 0;
		if (old->state != IKE_S_REKEYED ||
		    twin->state != IKE_S_ESTABLISHED)
			return;
		move_children(old, twin);
		old->state = IKE_S_ESTABLISHED;
		return;
	}
}

/* Both sides rekeyed the IKE SA at once (§2.8.2): of mine (our request's
 * new IKE SA) and the peer's (whose lower nonce old kept), the one whose
 * exchange has the lowest of the four nonces is redundant and deleted by
 * its initiator; the Child SAs go to the other. twin is the peer's while
 * it stands as made (NULL once the peer deleted it, its Child SAs back on
 * old and so on mine, or rekeyed it on). Whether mine lost (the peer then
 * deletes old). Mine holding the Child SAs (the peer deleted its own
 * whatever the rule said) is never deleted. */
static bool settle(struct ike *ike, const struct ike_sa *old,
		   struct ike_sa *mine, struct ike_sa *twin)
{
	const char *name = ikesa_cfg(ike, mine)->name;

	if (ike_nonces_lowest(mine->ni, mine->ni_len, mine->nr, mine->nr_len,
			      old->twin_lo, old->twin_lo_len, old->twin_lo,
			      old->twin_lo_len) &&
	    !ike_children_up(mine)) {
		log_info("ike %s: simultaneous IKE SA rekeys: ours is "
			 "redundant, deleted", name);
		ike_info_send_delete(ike, mine);
		return true;
	}
	if (twin) {
		move_children(mine, twin);
		twin->state = IKE_S_REKEYED;
		twin->established = ike->env.now_ms(ike->env.ctx);
	}
	log_info("ike %s: simultaneous IKE SA rekeys: the peer's is "
		 "redundant", name);
	return false;
}

/* ---- initiator: the answer ---- */

void ike_rekey_response(struct ike *ike, struct ike_sa *old,
			const struct ike_chain *inner)
{
	struct ike_rekey_state *p = &old->pend;
	uint8_t shared[IKE_DH_SHARED_MAX];
	struct ike_sa *sa = NULL, *twin;
	struct ike_choice ch;
	struct rekey_in in;
	bool collided;
	size_t slen;

	collided = old->rekey_twin != 0;
	twin = collided ? ikesa_find(ike, old->rekey_twin) : NULL;
	if (twin && twin->state != IKE_S_ESTABLISHED)
		twin = NULL;
	old->rekey_twin = 0;

	if (!read_rekey(inner, &in) ||
	    ike_proposal_check(&in.sa, ikesa_cfg(ike, old)->ike,
			       ikesa_cfg(ike, old)->nike, 0, &ch) ||
	    ch.prop.spi_size != 8 || !get_be64(ch.prop.spi) || !p->dh ||
	    in.ke.group != (uint16_t)ike_dh_group_of(p->dh) ||
	    ch.ike.dh != ike_dh_group_of(p->dh)) {
		log_warn("ike %s: IKE SA rekey failed: %s",
			 ikesa_cfg(ike, old)->name,
			 in.error ? ike_notify_name(in.error)
				  : "unacceptable answer");
		old->rekey_at = ike->env.now_ms(ike->env.ctx) +
				ike_retry_delay(ike);
		return;
	}
	slen = ike_dh_shared_len(ch.ike.dh);
	if (!ike_dh_compute_shared(p->dh, in.ke.data, in.ke.len, shared, slen))
		sa = successor(ike, old, true, p->new_spi, get_be64(ch.prop.spi),
			       &ch.ike, shared, slen, p->nonce, p->nonce_len,
			       in.nonce, in.nonce_len);
	secure_zero(shared, sizeof(shared));
	ike_dh_free(p->dh);
	p->dh = NULL;
	if (!sa) {
		old->rekey_at = ike->env.now_ms(ike->env.ctx) +
				ike_retry_delay(ike);
		return;
	}
	log_info("ike %s: IKE SA rekeyed (new spi %016llx/%016llx)",
		 ikesa_cfg(ike, sa)->name, (unsigned long long)sa->spi_i,
		 (unsigned long long)sa->spi_r);
	if (collided && settle(ike, old, sa, twin))
		return;
	ike_info_send_delete(ike, old);
}
