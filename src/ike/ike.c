/* SPDX-License-Identifier: MIT */
/*
 * The engine's entry points: a received datagram to its IKE SA and
 * exchange, the timers, bringing peers up and down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ikesa.h"
#include "util/log.h"
#include "util/secure.h"

/* A half-open responder SA not authenticated within this is dropped. */
#define HALF_OPEN_MS 30000
/* A peer with start = initiate whose attempt failed is tried again after
 * this. */
#define RETRY_MS 10000
/* Retransmission timeouts grow by doubling up to this. */
#define RTX_MAX_MS 60000

static const char *const drop_names[] = {
#define IKE_DROP_NAME(n, s) [IKE_DROP_##n] = s,
	IKE_DROPS(IKE_DROP_NAME)
#undef IKE_DROP_NAME
};

const char *ike_drop_name(enum ike_drop d)
{
	return (unsigned)d < IKE_DROP_COUNT ? drop_names[d] : "?";
}

int ike_init(struct ike *ike, const struct ike_env *env,
	     const struct ike_peer_cfg *peers, unsigned n)
{
	memset(ike, 0, sizeof(*ike));
	ike->env = *env;
	ike->peers = calloc(n ? n : 1, sizeof(*peers));
	ike->retry_at = calloc(n ? n : 1, sizeof(*ike->retry_at));
	ike->rx = malloc(IKE_MSG_MAX);
	if (!ike->peers || !ike->retry_at || !ike->rx) {
		ike_free(ike);
		return -ENOMEM;
	}
	memcpy(ike->peers, peers, n * sizeof(*peers));
	ike->npeers = n;
	return 0;
}

void ike_free(struct ike *ike)
{
	while (ike->sas)
		ikesa_free(ike, ike->sas);
	free(ike->peers);
	free(ike->retry_at);
	free(ike->rx);
	secure_zero(&ike->cookie, sizeof(ike->cookie));
	memset(ike, 0, sizeof(*ike));
}

/* A response to our request on sa. */
static void on_response(struct ike *ike, struct ike_sa *sa,
			const struct ike_msg *m)
{
	struct ike_chain inner;
	int err;

	if (m->hdr.exchange == IKE_EXCH_SA_INIT) {
		ike_init_response(ike, sa, m);
		return;
	}
	if (!sa->req.valid || m->hdr.msg_id != sa->req.msg_id) {
		ike_count_drop(ike, IKE_DROP_WINDOW);
		return;
	}
	err = ikesa_open(sa, ike->rx, m, &inner);
	if (err == -EAGAIN)
		return; /* a fragment: the rest is awaited */
	if (err) {
		ike_count_drop(ike, IKE_DROP_DECRYPT);
		return;
	}
	sa->last_rx = ike_now(ike);
	if (m->hdr.exchange == IKE_EXCH_AUTH)
		ike_auth_response(ike, sa, m, &inner);
	else if (m->hdr.exchange == IKE_EXCH_INFORMATIONAL)
		ike_info_response(ike, sa, m, &inner);
	else if (m->hdr.exchange == IKE_EXCH_CREATE_CHILD_SA)
		ike_child_response(ike, sa, m, &inner);
	else
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
}

/* Whether m is a whole message or the first of its fragments: a
 * retransmitted request in fragments is answered once, on its fragment 1
 * (RFC 7383 §2.6.1). */
static bool first_piece(const struct ike_msg *m)
{
	struct ike_skf skf;

	if (m->chain.sk < 0 || m->chain.pl[m->chain.sk].type != IKE_PL_SKF)
		return true;
	return ike_decode_skf(m->chain.pl[m->chain.sk].body, &skf) ==
		       IKE_PARSE_OK && skf.number == 1;
}

/* A request of the peer on sa: a retransmission gets the kept answer;
 * only the next message ID is processed (§2.3). */
static void on_request(struct ike *ike, struct ike_sa *sa,
		       const struct ike_msg *m,
		       const struct ike_endpoint *local,
		       const struct ike_endpoint *remote)
{
	struct ike_chain inner;
	bool moved;
	int err;

	if (sa->resp.valid && m->hdr.msg_id == sa->resp.msg_id &&
	    m->hdr.msg_id + 1 == sa->next_peer_req) {
		if (first_piece(m))
			ikesa_resend(ike, sa, &sa->resp);
		return;
	}
	if (m->hdr.msg_id != sa->next_peer_req) {
		ike_count_drop(ike, IKE_DROP_WINDOW);
		return;
	}
	err = ikesa_open(sa, ike->rx, m, &inner);
	if (err == -EAGAIN)
		return; /* a fragment: the rest is awaited */
	if (err) {
		ike_count_drop(ike, IKE_DROP_DECRYPT);
		return;
	}
	sa->next_peer_req++;
	sa->last_rx = ike_now(ike);
	/* Authenticated: answer where it came from (the move to 4500, or a
	 * NAT's new mapping, port or address: the Child SA's ESP follows,
	 * §2.23). */
	moved = ike_children_up(sa) && sa->natt &&
		(remote->port != sa->remote.port ||
		 !addr_equal(&remote->addr, &sa->remote.addr));
	sa->local = *local;
	sa->remote = *remote;
	sa->natt = local->port != IKE_PORT;
	if (moved && ike->env.peer_moved) {
		char a[ADDR_STRLEN];

		log_info("ike %s: the peer moved to %s port %u",
			 ikesa_cfg(ike, sa)->name,
			 addr_format(&remote->addr, a), remote->port);
		ike->env.peer_moved(ike->env.ctx, sa->peer, remote);
	}
	if (m->hdr.exchange == IKE_EXCH_AUTH)
		ike_auth_request(ike, sa, m, &inner);
	else if (m->hdr.exchange == IKE_EXCH_INFORMATIONAL)
		ike_info_request(ike, sa, m, &inner);
	else if (m->hdr.exchange == IKE_EXCH_CREATE_CHILD_SA)
		ike_child_request(ike, sa, m, &inner);
	else
		ike_count_drop(ike, IKE_DROP_UNEXPECTED);
}

void ike_input(struct ike *ike, const struct ike_endpoint *local,
	       const struct ike_endpoint *remote, const uint8_t *buf,
	       size_t len)
{
	struct ike_msg m;
	struct ike_sa *sa;
	uint64_t spi;

	ike->stats.rx++;
	if (len > IKE_MSG_MAX) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		return;
	}
	memcpy(ike->rx, buf, len);
	if (ike_msg_parse(ike->rx, len, &m) != IKE_PARSE_OK) {
		ike_count_drop(ike, IKE_DROP_MALFORMED);
		return;
	}
	if (m.hdr.exchange == IKE_EXCH_SA_INIT &&
	    !(m.hdr.flags & IKE_FLAG_RESPONSE)) {
		ike_init_request(ike, &m, local, remote);
		return;
	}
	spi = m.hdr.flags & IKE_FLAG_INITIATOR ? m.hdr.spi_r : m.hdr.spi_i;
	sa = ikesa_find(ike, spi);
	/* Over UDP 4500 a NAT may give the peer another address: what
	 * authenticates from there is the peer's (§2.23, on_request). */
	if (!sa || (!sa->natt && !addr_equal(&sa->remote.addr, &remote->addr))) {
		ike_count_drop(ike, IKE_DROP_NO_SA);
		return;
	}
	if (m.hdr.flags & IKE_FLAG_RESPONSE)
		on_response(ike, sa, &m);
	else
		on_request(ike, sa, &m, local, remote);
}

/* ---- timers ---- */

static void give_up(struct ike *ike, struct ike_sa *sa)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);

	log_warn("ike %s: no answer after %u retransmissions: %s", cfg->name,
		 sa->tries, sa->state == IKE_S_ESTABLISHED ? "peer dead"
							   : "giving up");
	if (sa->state != IKE_S_DELETING)
		ike->stats.failed++;
	sa->state = IKE_S_DEAD;
	ike->retry_at[sa->peer] = ike_now(ike) + RETRY_MS;
}

static uint64_t rtx_delay(const struct ike_peer_cfg *cfg, unsigned tries)
{
	uint64_t d = cfg->rtx_ms;

	while (tries-- && d < RTX_MAX_MS)
		d *= 2;
	return d < RTX_MAX_MS ? d : RTX_MAX_MS;
}

static void retransmit(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	const struct ike_peer_cfg *cfg = ikesa_cfg(ike, sa);

	if (sa->tries >= cfg->rtx_tries) {
		give_up(ike, sa);
		return;
	}
	sa->tries++;
	sa->rtx_at = now + rtx_delay(cfg, sa->tries);
	ike->stats.retransmits++;
	ikesa_resend(ike, sa, &sa->req);
}

static void liveness(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	uint64_t every = ikesa_cfg(ike, sa)->dpd_s * 1000ull;

	if (now - sa->last_rx >= every)
		ike_info_send_dpd(ike, sa);
	sa->dpd_at = now + every;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return b && b < a ? b : a;
}

/* A REKEYED IKE SA the peer never deleted goes after this. */
#define REKEYED_MS 30000

/* One Child SA's lifetime, limits and pending switch; true when it was
 * deleted (a request may be out). */
static bool child_timers(struct ike *ike, struct ike_sa *sa,
			 struct ike_child *c, uint64_t now)
{
	if (c->up && c->expire_at && now >= c->expire_at && !c->out.valid) {
		log_warn("ike %s: Child SA past its lifetime: deleted",
			 ikesa_cfg(ike, sa)->name);
		ike->stats.expired++;
		ike_info_send_child_delete(ike, sa, c->spi_in);
		ike->env.child_down(ike->env.ctx, sa->peer, c->spi_in,
				    c->spi_out);
		c->up = false;
	}
	if (ike_child_limits(ike, sa, c, now))
		return true;
	if (c->out.valid && now >= c->out.at) {
		/* The rekey's initiator never deleted the old pair. */
		ike_child_switch_out(ike, sa, c);
		if (c->old_spi_in)
			ike_child_retire(ike, sa, c->old_spi_in);
		c->old_spi_in = 0;
	}
	return false;
}

/* Rekeys due on an established SA, one exchange at a time; then the
 * Child SAs still to ask for. */
static void rekeys(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (child_timers(ike, sa, &sa->child[i], now))
			return;
	for (i = 0; i < IKE_CHILDREN_MAX && !sa->req.valid; i++) {
		struct ike_child *c = &sa->child[i];

		if (c->up && c->rekey_at && now >= c->rekey_at &&
		    !c->out.valid &&
		    ike_child_rekey_start(ike, sa, c) == -EBUSY)
			return;
	}
	if (!sa->req.valid && sa->rekey_at && now >= sa->rekey_at &&
	    !ike_children_settling(sa))
		ike_rekey_start(ike, sa);
	if (!sa->req.valid && sa->initiator && sa->child[0].up)
		ike_child_new_start(ike, sa);
}

/* Behind a NAT, a one-byte datagram now and then keeps its mapping of
 * our port 4500 alive (RFC 3948 §2.3); 0 when none is due. */
static uint64_t nat_keepalive(struct ike *ike, struct ike_sa *sa,
			      uint64_t now)
{
	static const uint8_t ka = 0xff;
	uint32_t every = ikesa_cfg(ike, sa)->keepalive_s;

	if (sa->state != IKE_S_ESTABLISHED || !sa->nat_local || !sa->natt ||
	    !every)
		return 0;
	if (now >= sa->keepalive_at) {
		ike->env.send(ike->env.ctx, &sa->local, &sa->remote, false,
			      &ka, 1);
		sa->keepalive_at = now + 1000ull * every;
	}
	return sa->keepalive_at;
}

/* A rekey that is due but cannot start (our request in flight, an
 * unsettled IKE SA of a collision, a Child SA still switching over) waits
 * for what ends that: an answer (the daemon ticks after each input) or a
 * timer of its own; not for its own time again, which would have the
 * engine ticked in a loop meanwhile. 0: no tick for it. */
static uint64_t due_unless(uint64_t at, uint64_t now, bool blocked)
{
	return blocked && at && at <= now ? 0 : at;
}

/* Whether the IKE SA's rekey or one of its Child SAs' is due. */
static bool rekey_due(const struct ike_sa *sa, uint64_t now)
{
	unsigned i;

	if (sa->rekey_at && sa->rekey_at <= now)
		return true;
	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].up && sa->child[i].rekey_at &&
		    sa->child[i].rekey_at <= now)
			return true;
	return false;
}

/* When Child SA c next needs a tick, or next if earlier; blocked: no
 * exchange can start on sa now. */
static uint64_t child_next(const struct ike_sa *sa, const struct ike_child *c,
			   uint64_t next, uint64_t now, bool blocked)
{
	next = earliest(next, c->out.valid ? c->out.at : 0);
	if (sa->state != IKE_S_ESTABLISHED || !c->up)
		return next;
	next = earliest(next, due_unless(c->rekey_at, now,
					 blocked || c->out.valid));
	next = earliest(next, c->expire_at);
	return earliest(next, c->usage_at);
}

/* One SA's timers; returns when it next needs a tick. */
static uint64_t tick_sa(struct ike *ike, struct ike_sa *sa, uint64_t now)
{
	uint64_t half_open_end = sa->created + HALF_OPEN_MS, next;
	bool blocked;
	unsigned i;

	if (sa->rtx_at && now >= sa->rtx_at && sa->req.valid)
		retransmit(ike, sa, now);
	if (sa->state == IKE_S_INIT_DONE && now >= half_open_end)
		sa->state = IKE_S_DEAD;
	if (sa->state == IKE_S_REKEYED && now >= sa->established + REKEYED_MS)
		sa->state = IKE_S_DEAD;
	if (sa->state == IKE_S_ESTABLISHED && sa->dpd_at && now >= sa->dpd_at)
		liveness(ike, sa, now);
	if (sa->state == IKE_S_ESTABLISHED && sa->expire_at &&
	    now >= sa->expire_at) {
		log_warn("ike %s: IKE SA past its lifetime: deleted",
			 ikesa_cfg(ike, sa)->name);
		ike->stats.expired++;
		ike_info_send_delete(ike, sa);
	}
	if (sa->state == IKE_S_ESTABLISHED)
		rekeys(ike, sa, now);
	if (sa->state == IKE_S_DEAD)
		return now;
	/* ike_rekey_unsettled walks every IKE SA: only for a rekey due. */
	blocked = sa->req.valid ||
		  (rekey_due(sa, now) && ike_rekey_unsettled(ike, sa));
	next = earliest(UINT64_MAX, ike_child_reap(ike, sa, now));
	next = earliest(next, nat_keepalive(ike, sa, now));
	next = earliest(next, sa->req.valid ? sa->rtx_at : 0);
	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		next = child_next(sa, &sa->child[i], next, now, blocked);
	if (sa->state == IKE_S_ESTABLISHED) {
		next = earliest(next, due_unless(sa->rekey_at, now,
						 blocked ||
						 ike_children_settling(sa)));
		next = earliest(next, sa->expire_at);
	}
	return earliest(next, sa->state == IKE_S_INIT_DONE ? half_open_end
							   : sa->dpd_at);
}

static void reap(struct ike *ike)
{
	struct ike_sa *sa = ike->sas, *next;

	for (; sa; sa = next) {
		next = sa->next;
		if (sa->state == IKE_S_DEAD)
			ikesa_free(ike, sa);
	}
}

static uint64_t start_peers(struct ike *ike, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	unsigned i;

	for (i = 0; i < ike->npeers; i++) {
		if (ike->peers[i].start != IKE_START_INITIATE ||
		    ikesa_of_peer(ike, i))
			continue;
		if (now >= ike->retry_at[i]) {
			ike->retry_at[i] = now + RETRY_MS;
			ike_init_start(ike, i);
		}
		next = earliest(next, ike->retry_at[i]);
	}
	return next;
}

uint64_t ike_tick(struct ike *ike)
{
	uint64_t now = ike_now(ike), next = UINT64_MAX;
	struct ike_sa *sa;

	for (sa = ike->sas; sa; sa = sa->next)
		next = earliest(next, tick_sa(ike, sa, now));
	reap(ike);
	next = earliest(next, start_peers(ike, now));
	return next;
}

int ike_up(struct ike *ike, unsigned peer)
{
	if (peer >= ike->npeers)
		return -ENOENT;
	if (ikesa_of_peer(ike, peer))
		return -EALREADY;
	return ike_init_start(ike, peer);
}

int ike_acquire(struct ike *ike, unsigned peer)
{
	uint64_t now = ike_now(ike);

	if (peer >= ike->npeers)
		return -ENOENT;
	if (ike->peers[peer].start != IKE_START_TRAP)
		return -EPERM;
	if (ikesa_of_peer(ike, peer))
		return -EALREADY;
	if (now < ike->retry_at[peer])
		return -EAGAIN;
	ike->retry_at[peer] = now + RETRY_MS;
	log_info("ike %s: traffic without an SA: initiating",
		 ike->peers[peer].name);
	return ike_init_start(ike, peer);
}

int ike_down(struct ike *ike, unsigned peer)
{
	struct ike_sa *sa;
	unsigned i;

	if (peer >= ike->npeers)
		return -ENOENT;
	sa = ikesa_of_peer(ike, peer);
	if (!sa)
		return -EALREADY;
	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].up) {
			ike->env.child_down(ike->env.ctx, sa->peer,
					    sa->child[i].spi_in,
					    sa->child[i].spi_out);
			sa->child[i].up = false;
		}
	/* An initiating peer stays down until brought up; a trap peer's next
	 * packet brings it back, as a trap should. */
	ike->retry_at[peer] = ike->peers[peer].start == IKE_START_TRAP ?
				      0 : UINT64_MAX;
	if (sa->state == IKE_S_ESTABLISHED)
		ike_info_send_delete(ike, sa);
	else
		sa->state = IKE_S_DEAD;
	return 0;
}

void ike_shutdown(struct ike *ike)
{
	struct ike_sa *sa;

	for (sa = ike->sas; sa; sa = sa->next)
		if (sa->state == IKE_S_ESTABLISHED) {
			sa->req.valid = false; /* the DELETE goes regardless */
			ike_info_send_delete(ike, sa);
		}
}

static struct ike_child *first_up(struct ike_sa *sa)
{
	unsigned i;

	for (i = 0; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].up)
			return &sa->child[i];
	return &sa->child[0];
}

int ike_rekey(struct ike *ike, unsigned peer, bool ike_sa)
{
	struct ike_sa *sa;
	unsigned i;

	if (peer >= ike->npeers)
		return -ENOENT;
	sa = ikesa_of_peer(ike, peer);
	if (!sa || sa->state != IKE_S_ESTABLISHED)
		return -ENOENT;
	if (sa->req.valid)
		return -EBUSY;
	if (ike_sa)
		return ike_rekey_start(ike, sa);
	/* Every Child SA: the first now, the others one by one. */
	for (i = 1; i < IKE_CHILDREN_MAX; i++)
		if (sa->child[i].up)
			sa->child[i].rekey_at = ike_now(ike);
	return ike_child_rekey_start(ike, sa, first_up(sa));
}

/* From now to at, at least 1 (due); 0 for no time set. */
static uint64_t until(uint64_t at, uint64_t now)
{
	return !at ? 0 : at > now ? at - now : 1;
}

bool ike_sa_get(const struct ike *ike, unsigned i, struct ike_sa_info *out)
{
	const struct ike_sa *sa = ike->sas;
	uint64_t now = ike->env.now_ms(ike->env.ctx);
	unsigned k;

	while (sa && i--)
		sa = sa->next;
	if (!sa)
		return false;
	memset(out, 0, sizeof(*out));
	out->peer = sa->peer;
	out->spi_i = sa->spi_i;
	out->spi_r = sa->spi_r;
	out->initiator = sa->initiator;
	out->state = ike_state_name(sa->state);
	out->suite = sa->suite;
	out->age_ms = now - sa->created;
	if (sa->state == IKE_S_ESTABLISHED)
		out->rekey_in_ms = until(sa->rekey_at, now);
	for (k = 0; k < IKE_CHILDREN_MAX; k++) {
		const struct ike_child *c = &sa->child[k];
		struct ike_child_info *ci = &out->child[out->children];

		if (!c->up)
			continue;
		ci->spi_in = c->spi_in;
		ci->spi_out = c->spi_out;
		ci->rekey_in_ms = until(c->rekey_at, now);
		ci->suite = c->suite;
		ci->sel = c->sel;
		ci->nsel = c->nsel;
		out->children++;
	}
	out->remote = sa->remote;
	out->nat_local = sa->nat_local;
	out->frags_sent = sa->frags_sent;
	return true;
}
