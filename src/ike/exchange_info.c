/* SPDX-License-Identifier: MIT */
/*
 * INFORMATIONAL (RFC 7296 §1.4): deleting the IKE SA or a Child SA, and
 * liveness checks (an empty request, §2.4).
 */
#include <errno.h>
#include <string.h>

#include "ike/ikesa.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

/* Start an INFORMATIONAL message on sa; payloads go inside its SK. */
static void send_request(struct ike *ike, struct ike_sa *sa,
			 struct ike_writer *w)
{
	int len = ikesa_seal(sa, w);

	if (len > 0)
		ikesa_send_request(ike, sa, w->buf, (size_t)len);
}

void ike_info_send_delete(struct ike *ike, struct ike_sa *sa)
{
	struct ike_delete d = { .protocol = IKE_PROTO_IKE };
	uint8_t buf[512];
	struct ike_writer w;

	if (sa->req.valid || !sa->sk_out) {
		sa->state = IKE_S_DEAD; /* no room in the window: just go */
		return;
	}
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w, buf, sizeof(buf), false, 0);
	ike_put_delete(&w, &d);
	send_request(ike, sa, &w);
	sa->state = IKE_S_DELETING;
}

void ike_info_send_dpd(struct ike *ike, struct ike_sa *sa)
{
	uint8_t buf[256];
	struct ike_writer w;

	if (sa->req.valid)
		return;
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w, buf, sizeof(buf), false, 0);
	send_request(ike, sa, &w);
}

/* What the peer deletes: the IKE SA, or SPIs of its inbound ESP SAs. */
struct deletes {
	bool ike;
	unsigned children;        /* bit i: child[i]'s outbound SPI named */
	bool twin;                /* the twin's (its redundant pair) */
};

/* A retired inbound SPI is no Child SA's old one any more. */
static void forget_old_in(struct ike_sa *sa, uint32_t spi)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].old_spi_in == spi)
			sa->child[i].old_spi_in = 0;
}

void ike_info_send_child_delete(struct ike *ike, struct ike_sa *sa,
				uint32_t spi)
{
	uint8_t s[4], buf[512];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = s };
	struct ike_writer w;

	put_be32(s, spi);
	if (sa->req.valid) {
		/* No room in the window: the SA goes after its grace. */
		ike_child_retire(ike, sa, spi);
		forget_old_in(sa, spi);
		return;
	}
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w, buf, sizeof(buf), false, 0);
	ike_put_delete(&w, &d);
	sa->pend.kind = IKE_REQ_CHILD_DELETE;
	sa->pend.spi = spi;
	send_request(ike, sa, &w);
}

static bool read_deletes(struct ike_sa *sa, const struct ike_chain *c,
			 struct deletes *del)
{
	struct ike_delete d;
	unsigned i, k;

	memset(del, 0, sizeof(*del));
	for (i = 0; i < c->n; i++) {
		if (c->pl[i].type != IKE_PL_DELETE)
			continue;
		if (ike_decode_delete(c->pl[i].body, &d) != IKE_PARSE_OK)
			return false;
		if (d.protocol == IKE_PROTO_IKE)
			del->ike = true;
		for (k = 0; d.protocol == IKE_PROTO_ESP && k < d.count; k++) {
			uint32_t spi = get_be32(d.spis + 4 * k);
			const struct ike_child *ch = ike_child_by_out(sa, spi);

			if (ch)
				del->children |= 1u << ch->slot;
			else if (sa->twin.valid &&
				 spi == sa->twin.next.spi_out)
				del->twin = true;
		}
	}
	return true;
}

/* The peer deletes the old pair of a Child SA we answered a rekey for:
 * its new inbound SA is in force, so ours switches outbound now; we
 * delete our old inbound one in the answer, and keep it for the grace
 * time. */
static bool rekey_finished(struct ike *ike, struct ike_sa *sa,
			   struct ike_child *c, struct ike_writer *w,
			   uint32_t *old_in)
{
	uint8_t spi[4];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = spi };

	if (!c->out.valid)
		return false;
	ike_child_switch_out(ike, sa, c);
	*old_in = c->old_spi_in;
	c->old_spi_in = 0;
	if (*old_in) {
		put_be32(spi, *old_in);
		ike_put_delete(w, &d);
	}
	return true;
}

/* The peer deletes the pair of its own rekey that lost to ours
 * (§2.8.1), before our answer told us: it may have sent on it, so our
 * inbound half goes after the grace time. */
static uint32_t twin_deleted(struct ike_sa *sa, struct ike_writer *w)
{
	uint32_t spi_in = sa->twin.next.spi_in;
	uint8_t spi[4];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = spi };

	put_be32(spi, spi_in);
	ike_put_delete(w, &d);
	secure_zero(&sa->twin, sizeof(sa->twin));
	return spi_in;
}

static void child_deleted(struct ike *ike, struct ike_sa *sa,
			  struct ike_child *c, struct ike_writer *w)
{
	uint8_t spi[4];
	struct ike_delete d = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				.count = 1, .spis = spi };

	put_be32(spi, c->spi_in);
	ike_put_delete(w, &d);
	log_info("ike %s: the peer deleted a Child SA",
		 ikesa_cfg(ike, sa)->name);
	ike_child_drop(ike, sa, c);
}

/* Child SA c, named by the peer's DELETE: the end of a rekey (ours
 * switches) or the Child SA deleted. The inbound SPI to retire once the
 * answer is out, or 0. */
static uint32_t child_named(struct ike *ike, struct ike_sa *sa,
			    struct ike_child *c, struct ike_writer *w)
{
	uint32_t old_in = 0;

	if (!c->out.valid && sa->twin.valid && sa->twin.idx == c->slot) {
		/* The peer finished its rekey of the pair ours is rekeying
		 * too, and deletes the old pair: its pair stays (§2.25.1),
		 * ours will go when its answer comes. */
		ike_child_twin_promote(ike, sa);
		if (ike_rekeying(sa) && sa->pend.kind == IKE_REQ_CHILD_REKEY &&
		    sa->pend.idx == c->slot)
			sa->pend.superseded = true;
	}
	if (rekey_finished(ike, sa, c, w, &old_in))
		return old_in;
	child_deleted(ike, sa, c, w);
	return 0;
}

void ike_info_request(struct ike *ike, struct ike_sa *sa,
		      const struct ike_msg *m, const struct ike_chain *in)
{
	uint32_t retire[IKE_CHILDREN_MAX + 1] = { 0 };
	uint8_t buf[512];
	struct deletes del;
	struct ike_writer w;
	unsigned i;
	int len;

	if (!read_deletes(sa, in, &del)) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		return;
	}
	ikesa_begin(sa, IKE_EXCH_INFORMATIONAL, &w,
		    buf, sizeof(buf), true, m->hdr.msg_id);
	for (i = 0; i < IKE_CHILDREN_MAX && !del.ike; i++)
		if (del.children & 1u << i)
			retire[i] = child_named(ike, sa, &sa->child[i], &w);
	if (del.twin && !del.ike)
		retire[IKE_CHILDREN_MAX] = twin_deleted(sa, &w);
	len = ikesa_seal(sa, &w);
	if (len > 0)
		ikesa_send_response(ike, sa, buf, (size_t)len, m->hdr.msg_id);
	for (i = 0; i <= IKE_CHILDREN_MAX; i++)
		if (retire[i])
			ike_child_retire(ike, sa, retire[i]);
	if (del.ike) {
		log_info("ike %s: the peer deleted the IKE SA",
			 ikesa_cfg(ike, sa)->name);
		if (sa->state != IKE_S_REKEYED)
			ike->stats.deleted++;
		ike_rekey_twin_gone(ike, sa);
		sa->state = IKE_S_DEAD;
	}
}

void ike_info_response(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m, const struct ike_chain *in)
{
	(void)in;
	if (!sa->req.valid || m->hdr.msg_id != sa->req.msg_id) {
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
		return;
	}
	sa->req.valid = false;
	sa->rtx_at = 0;
	sa->next_req++;
	if (sa->pend.kind == IKE_REQ_CHILD_DELETE) {
		/* Our old inbound SA of a rekey: it goes after its grace. */
		ike_child_retire(ike, sa, sa->pend.spi);
		forget_old_in(sa, sa->pend.spi);
	}
	sa->pend.kind = IKE_REQ_NONE;
	if (sa->state == IKE_S_DELETING) {
		ike->stats.deleted++;
		sa->state = IKE_S_DEAD;
	}
}
