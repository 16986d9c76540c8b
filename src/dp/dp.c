/* SPDX-License-Identifier: MIT */
#include "dp/dp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/flow.h"
#include "dp/icmp.h"
#include "util/bytes.h"
#include "util/csum.h"
#include "util/log.h"
#include "util/secure.h"

#define POLICY_ID(peer, sel) ((uint32_t)(peer) << 16 | (uint32_t)(sel))
#define POLICY_PEER(id) ((id) >> 16)
#define SEL_MAX 0xffff

static const char *const drop_names[DP_DROP_COUNT] = {
	[DP_OK] = "ok",
	[DP_DROP_MALFORMED] = "unparsable",
	[DP_DROP_NO_POLICY] = "no-policy",
	[DP_DROP_DISCARD] = "discard",
	[DP_DROP_NO_SA] = "no-sa",
	[DP_DROP_TOO_BIG] = "too-big",
	[DP_DROP_OUTSIDE_TS] = "outside-ts",
	[DP_DROP_NOT_ESP] = "not-esp",
	[DP_DROP_UNKNOWN_SPI] = "unknown-spi",
	[DP_DROP_WRONG_PEER] = "wrong-peer",
	[DP_DROP_SA] = "sa",
	[DP_DROP_POLICY] = "policy",
	[DP_DROP_IO] = "io",
};

const char *dp_drop_name(enum dp_drop reason)
{
	if ((unsigned)reason >= DP_DROP_COUNT)
		return "unknown";
	return drop_names[reason];
}

int dp_init(struct dp *dp, const struct ip_addr *local, uint16_t port,
	    uint32_t underlay_mtu)
{
	memset(dp, 0, sizeof(*dp));
	dp->local = *local;
	dp->port = port;
	dp->underlay_mtu = underlay_mtu;
	if (spd_init(&dp->spd) || sadb_init(&dp->in) || sadb_init(&dp->out)) {
		dp_free(dp);
		return -ENOMEM;
	}
	return 0;
}

static void sa_destroy(struct dp_sa *sa)
{
	if (!sa)
		return;
	esp_sa_clear(&sa->esp);
	free(sa->sel);
	secure_zero(sa, sizeof(*sa));
	free(sa);
}

static void drop_all(struct sadb *db)
{
	uint32_t i;

	if (!db->slots)
		return;
	for (i = 0; i <= db->mask; i++)
		sa_destroy((struct dp_sa *)db->slots[i].sa);
}

void dp_free(struct dp *dp)
{
	unsigned i;

	drop_all(&dp->in);
	drop_all(&dp->out);
	sadb_free(&dp->in);
	sadb_free(&dp->out);
	spd_free(&dp->spd);
	for (i = 0; i < dp->npeers; i++)
		free(dp->peers[i].sel);
	free(dp->peers);
	memset(dp, 0, sizeof(*dp));
}

int dp_peer_find(const struct dp *dp, const char *name)
{
	unsigned i;

	for (i = 0; i < dp->npeers; i++)
		if (!strcmp(dp->peers[i].name, name))
			return (int)i;
	return -1;
}

static int add_policies(struct dp *dp, unsigned peer)
{
	const struct dp_peer *p = &dp->peers[peer];
	struct spd_policy pol;
	unsigned i;
	int err;

	for (i = 0; i < p->nsel; i++) {
		memset(&pol, 0, sizeof(pol));
		pol.id = POLICY_ID(peer, i);
		pol.priority = 100;
		pol.sel = p->sel[i];
		pol.action = SPD_PROTECT;
		err = spd_add(&dp->spd, &pol);
		if (err)
			return err;
	}
	return 0;
}

int dp_peer_add(struct dp *dp, const char *name, const struct ip_addr *addr,
		uint16_t port, enum esp_mode mode,
		const struct spd_selector *sel, unsigned nsel)
{
	struct dp_peer *peers, *p;
	int err;

	if (dp->npeers >= SEL_MAX || nsel > SEL_MAX ||
	    strlen(name) >= DP_NAME_MAX)
		return -EINVAL;
	peers = realloc(dp->peers, (dp->npeers + 1) * sizeof(*peers));
	if (!peers)
		return -ENOMEM;
	dp->peers = peers;
	p = &peers[dp->npeers];
	memset(p, 0, sizeof(*p));
	p->sel = calloc(nsel ? nsel : 1, sizeof(*sel));
	if (!p->sel)
		return -ENOMEM;
	memcpy(p->sel, sel, nsel * sizeof(*sel));
	p->nsel = nsel;
	strcpy(p->name, name);
	p->addr = *addr;
	p->port = port;
	p->mode = mode;
	dp->npeers++;
	err = add_policies(dp, dp->npeers - 1);
	if (err) {
		unsigned i;

		for (i = 0; i < nsel; i++)
			spd_remove(&dp->spd, POLICY_ID(dp->npeers - 1, i));
		free(p->sel);
		dp->npeers--;
	}
	return err ? err : (int)(dp->npeers - 1);
}

/* Largest inner packet an outbound SA carries within the underlay MTU:
 * UDP, ESP header, IV, worst-case padding, trailer, ICV, and in tunnel mode
 * the outer IP header. */
static uint32_t sa_mtu(const struct dp *dp, const struct dp_sa *sa)
{
	uint32_t over = ESP_HDR_LEN + sa->esp.info->iv_len + ESP_ALIGN - 1 +
			ESP_TRAILER_LEN + sa->esp.icv_len;

	if (sa->esp.encap == ESP_ENCAP_UDP)
		over += UDP_HDR_LEN;
	if (sa->esp.mode == ESP_MODE_TUNNEL)
		over += sa->esp.tunnel_src.family == AF_INET6 ? IPV6_HDR_LEN
							      : IPV4_HDR_LEN;
	return dp->underlay_mtu > over ? dp->underlay_mtu - over : 0;
}

struct dp_sa *dp_sa_find(const struct dp *dp, bool inbound, uint32_t spi)
{
	return (struct dp_sa *)sadb_lookup_spi(inbound ? &dp->in : &dp->out,
					       spi);
}

/* Pack the peer's per-CPU outbound SAs in slot order. */
static void pack_out(struct dp_peer *p)
{
	unsigned i;

	p->nout = 0;
	for (i = 0; i < WORKERS_MAX; i++)
		if (p->out[i])
			p->outv[p->nout++] = p->out[i];
}

/*
 * Point the peer's outbound slot at sa. The SA it held before leaves the
 * table (unless it is being replaced there under the same SPI) and is
 * returned for freeing. Inbound SAs have no slot: earlier ones stay until
 * removed, as packets already sent on them may still arrive.
 */
static struct dp_sa *swap_slot(struct dp *dp, struct dp_sa *sa)
{
	struct dp_peer *p = &dp->peers[sa->peer];
	struct dp_sa *old;

	if (sa->inbound)
		return NULL;
	old = p->out[sa->cpu];
	p->out[sa->cpu] = sa;
	pack_out(p);
	if (old && old->esp.spi != sa->esp.spi) {
		sadb_remove(&dp->out, old->esp.spi);
		return old;
	}
	return NULL;
}

static void unlink_other_peer(struct dp *dp, struct dp_sa *old)
{
	struct dp_peer *p = &dp->peers[old->peer];

	if (old->inbound || p->out[old->cpu] != old)
		return;
	p->out[old->cpu] = NULL;
	pack_out(p);
}

/*
 * Whether an outbound SA must check each flow against its own selectors:
 * not when every selector of its peer lies inside one of them, as the SPD
 * sends the peer only flows of its selectors. (A peer selector covered
 * only by a union of the SA's is checked, which is merely slower.)
 */
static bool needs_ts_check(const struct dp *dp, const struct dp_sa *sa)
{
	const struct dp_peer *p = &dp->peers[sa->peer];
	unsigned i, j;

	if (!sa->sel || sa->inbound)
		return false;
	for (i = 0; i < p->nsel; i++) {
		for (j = 0; j < sa->nsel; j++)
			if (spd_selector_covers(&sa->sel[j], &p->sel[i]))
				break;
		if (j == sa->nsel)
			return true;
	}
	return false;
}

/* A copy of sel[0..nsel) for an SA, or NULL with *err set. */
static struct spd_selector *copy_selectors(const struct spd_selector *sel,
					   unsigned nsel, const char **why,
					   int *err)
{
	struct spd_selector *out;
	unsigned i;

	*err = -EINVAL;
	if (!nsel || nsel > SEL_MAX) {
		*why = "an SA with its own selectors needs 1 to 65535 of them";
		return NULL;
	}
	for (i = 0; i < nsel; i++)
		if (!spd_selector_valid(&sel[i])) {
			*why = "invalid traffic selector";
			return NULL;
		}
	*err = -ENOMEM;
	out = malloc(nsel * sizeof(*out));
	if (out)
		memcpy(out, sel, nsel * sizeof(*out));
	return out;
}

/* A new SA from cfg (and its own selectors, if sel), not yet in any
 * table. NULL with *err (and *why) set. */
static struct dp_sa *sa_create(const struct esp_sa_config *cfg,
			       const struct spd_selector *sel, unsigned nsel,
			       const char **why, int *err)
{
	struct dp_sa *sa = calloc(1, sizeof(*sa));

	*err = -ENOMEM;
	if (!sa)
		return NULL;
	if (sel) {
		sa->sel = copy_selectors(sel, nsel, why, err);
		if (!sa->sel) {
			free(sa);
			return NULL;
		}
		sa->nsel = nsel;
	}
	*err = esp_sa_init(&sa->esp, cfg, why);
	if (*err) {
		free(sa->sel);
		free(sa);
		return NULL;
	}
	return sa;
}

int dp_sa_install_ts(struct dp *dp, unsigned peer, bool inbound,
		     unsigned cpu, const char *name,
		     const struct esp_sa_config *cfg,
		     const struct spd_selector *sel, unsigned nsel,
		     const char **why)
{
	struct dp_sa *sa, *old, *prev;
	int err;

	*why = NULL;
	if (peer >= dp->npeers)
		return -ENOENT;
	if (cpu >= WORKERS_MAX) {
		*why = "per-CPU slot out of range";
		return -EINVAL;
	}
	sa = sa_create(cfg, sel, nsel, why, &err);
	if (!sa)
		return err;
	snprintf(sa->name, sizeof(sa->name), "%s", name ? name : "");
	sa->peer = peer;
	sa->inbound = inbound;
	sa->cpu = inbound ? 0 : (uint8_t)cpu;
	sa->mtu = inbound ? 0 : sa_mtu(dp, sa);
	sa->ts_check = needs_ts_check(dp, sa);
	old = (struct dp_sa *)sadb_replace(inbound ? &dp->in : &dp->out,
					   cfg->spi, &sa->esp, &err);
	if (err) {
		sa_destroy(sa);
		return err;
	}
	if (old)
		unlink_other_peer(dp, old);
	prev = swap_slot(dp, sa);
	sa_destroy(old);
	sa_destroy(prev);
	return 0;
}

int dp_sa_install_cpu(struct dp *dp, unsigned peer, bool inbound,
		      unsigned cpu, const char *name,
		      const struct esp_sa_config *cfg, const char **why)
{
	return dp_sa_install_ts(dp, peer, inbound, cpu, name, cfg, NULL, 0,
				why);
}

int dp_sa_install(struct dp *dp, unsigned peer, bool inbound, const char *name,
		  const struct esp_sa_config *cfg, const char **why)
{
	return dp_sa_install_cpu(dp, peer, inbound, 0, name, cfg, why);
}

int dp_sa_remove(struct dp *dp, bool inbound, uint32_t spi)
{
	struct dp_sa *sa = (struct dp_sa *)sadb_remove(
		inbound ? &dp->in : &dp->out, spi);

	if (!sa)
		return -ENOENT;
	unlink_other_peer(dp, sa);
	sa_destroy(sa);
	return 0;
}

/* Move one SA of from into to, under peer (an index of to). */
static void adopt(struct dp *to, struct dp *from, struct dp_sa *sa,
		  unsigned peer)
{
	struct sadb *db = sa->inbound ? &to->in : &to->out;
	int err;

	sadb_remove(sa->inbound ? &from->in : &from->out, sa->esp.spi);
	unlink_other_peer(from, sa);
	sa->peer = peer;
	if (!sa->inbound)
		sa->mtu = sa_mtu(to, sa);
	sa->ts_check = needs_ts_check(to, sa); /* the peer's may differ */
	sadb_replace(db, sa->esp.spi, &sa->esp, &err);
	if (err) {
		/* No memory: the SA is lost, and said so. */
		log_err("dp: sa %#x lost in a reload (%s)", sa->esp.spi,
			strerror(-err));
		sa_destroy(sa);
		return;
	}
	swap_slot(to, sa);
}

/* Whether sa of from belongs in to: to lacks it, has its peer (by name)
 * and, for an outbound SA, a free per-CPU slot. The peer's index in to,
 * or -1. */
static int adoptable(const struct dp *to, const struct dp *from,
		     const struct dp_sa *sa)
{
	int peer;

	if (dp_sa_find(to, sa->inbound, sa->esp.spi))
		return -1;
	peer = dp_peer_find(to, from->peers[sa->peer].name);
	if (peer < 0 || (!sa->inbound && to->peers[peer].out[sa->cpu]))
		return -1;
	return peer;
}

/* Every SA of db first (removals may move the others around the table),
 * then the adoptable ones moved. */
static unsigned adopt_table(struct dp *to, struct dp *from, struct sadb *db)
{
	struct dp_sa **list;
	unsigned n = 0, moved = 0, k;
	uint32_t i;
	int peer;

	if (!db->slots)
		return 0;
	list = calloc((size_t)db->mask + 1, sizeof(*list));
	if (!list)
		return 0;
	for (i = 0; i <= db->mask; i++)
		if (db->slots[i].sa)
			list[n++] = (struct dp_sa *)db->slots[i].sa;
	for (k = 0; k < n; k++) {
		peer = adoptable(to, from, list[k]);
		if (peer < 0)
			continue;
		adopt(to, from, list[k], (unsigned)peer);
		moved++;
	}
	free(list);
	return moved;
}

unsigned dp_adopt_sas(struct dp *to, struct dp *from)
{
	return adopt_table(to, from, &from->in) +
	       adopt_table(to, from, &from->out);
}

/* Count a drop, with a rate-limited debug line (STYLE: hostile input is
 * counted, not fatal, and never floods the log). */
static struct log_rate drop_rate;

static enum dp_drop count(struct dp_stats *st, enum dp_drop reason)
{
	st->drops[reason]++;
	if (log_get_level() >= LOG_DEBUG && log_rate_allow(&drop_rate))
		log_debug("drop: %s", dp_drop_name(reason));
	return reason;
}

/* A drop by the SA itself (counted in its esp_stats, and here). */
static enum dp_drop count_sa(struct dp_stats *st, const struct dp_sa *sa,
			     enum esp_drop why)
{
	st->drops[DP_DROP_SA]++;
	if (log_get_level() >= LOG_DEBUG && log_rate_allow(&drop_rate))
		log_debug("drop: sa %s (spi %#x): %s", sa->name, sa->esp.spi,
			  esp_drop_name(why));
	return DP_DROP_SA;
}

/* Whether one of sel[0..n) matches flow. */
static bool any_match(const struct spd_selector *sel, unsigned n,
		      const struct spd_flow *flow)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (spd_selector_match(&sel[i], flow))
			return true;
	return false;
}

static bool flow_equal(const struct spd_flow *a, const struct spd_flow *b)
{
	return a->proto == b->proto && a->sport == b->sport &&
	       a->dport == b->dport && addr_equal(&a->src, &b->src) &&
	       addr_equal(&a->dst, &b->dst);
}

/* Where the flow goes: policy, the peer's SA for this worker, and that
 * SA's own selectors. Depends on the flow alone (within a burst). */
static enum dp_drop tx_route(struct dp *dp, unsigned worker,
			     const struct spd_flow *flow, struct dp_sa **sa_out)
{
	const struct spd_policy *pol;
	const struct dp_peer *peer;
	struct dp_sa *sa;

	*sa_out = NULL;
	pol = spd_lookup(&dp->spd, flow);
	if (!pol)
		return DP_DROP_NO_POLICY;
	if (pol->action != SPD_PROTECT)
		return DP_DROP_DISCARD;
	peer = &dp->peers[POLICY_PEER(pol->id)];
	if (!peer->nout) {
		if (dp->acquire)
			dp->acquire(dp->acquire_ctx, POLICY_PEER(pol->id));
		return DP_DROP_NO_SA;
	}
	sa = peer->outv[worker % peer->nout];
	if (sa->ts_check && !any_match(sa->sel, sa->nsel, flow))
		return DP_DROP_OUTSIDE_TS;
	*sa_out = sa;
	return DP_OK;
}

/*
 * The last flow routed in a burst. The segments of a super-packet (and a
 * run of one flow's packets) follow each other in a burst and share the
 * answer: the policy lookup and the selector check run once for them.
 * Valid for one burst only: the data plane does not change within one.
 */
struct tx_memo {
	bool valid;
	struct spd_flow flow;
	enum dp_drop verdict;
	struct dp_sa *sa;
};

/* Outbound, before sealing: policy, the worker's SA and its selectors,
 * MTU. */
static enum dp_drop tx_classify(struct dp *dp, unsigned worker,
				struct dp_stats *st, const struct pkt *p,
				struct tx_memo *memo, struct dp_sa **sa_out,
				struct dp_dest *dest)
{
	const struct dp_peer *peer;
	struct spd_flow flow;
	struct dp_sa *sa;

	*sa_out = NULL;
	st->tun_packets++;
	if (!flow_parse(pkt_data(p), p->len, &flow))
		return count(st, DP_DROP_MALFORMED);
	if (!memo->valid || !flow_equal(&memo->flow, &flow)) {
		memo->verdict = tx_route(dp, worker, &flow, &memo->sa);
		memo->flow = flow;
		memo->valid = true;
	}
	if (memo->verdict != DP_OK)
		return count(st, memo->verdict);
	sa = memo->sa;
	peer = &dp->peers[sa->peer];
	if (p->len > sa->mtu) {
		dest->mtu = sa->mtu;
		return count(st, DP_DROP_TOO_BIG);
	}
	dest->addr = peer->addr;
	dest->port = peer->port;
	dest->spi = sa->esp.spi;
	*sa_out = sa;
	return DP_OK;
}

/* Gather the packets of sas[i]'s SA from i on into the group, clearing
 * their sas[] entries; returns the group's size. */
static unsigned take_group(struct dp_sa **sas, unsigned i, unsigned n,
			   unsigned *idx)
{
	struct dp_sa *sa = sas[i];
	unsigned m = 0;

	for (; i < n; i++)
		if (sas[i] == sa) {
			idx[m++] = i;
			sas[i] = NULL;
		}
	return m;
}

/* Seal one SA's packets, then cut each down to the UDP payload. */
static void tx_seal_group(unsigned worker, struct dp_stats *st,
			  struct dp_sa *sa, struct pkt *const *pkts,
			  const unsigned *idx, unsigned m,
			  enum dp_drop *verdicts)
{
	struct pkt *group[BURST_MAX];
	enum esp_drop r[BURST_MAX];
	unsigned j;

	for (j = 0; j < m; j++)
		group[j] = pkts[idx[j]];
	__atomic_fetch_or(&sa->workers, 1ull << (worker % 64),
			  __ATOMIC_RELAXED);
	esp_encrypt_burst(&sa->esp, group, r, m);
	for (j = 0; j < m; j++) {
		if (r[j] != ESP_OK) {
			verdicts[idx[j]] = count_sa(st, sa, r[j]);
			continue;
		}
		pkt_pull(group[j], esp_header_offset(group[j], sa->esp.encap,
						     sa->esp.dport));
	}
}

void dp_from_tun_burst(struct dp *dp, unsigned worker, struct dp_stats *st,
		       struct pkt *const *pkts, unsigned n,
		       enum dp_drop *verdicts, struct dp_dest *dests)
{
	struct tx_memo memo = { .valid = false };
	struct dp_sa *sas[BURST_MAX];
	unsigned idx[BURST_MAX];
	unsigned i, m;

	for (i = 0; i < n; i++)
		verdicts[i] = tx_classify(dp, worker, st, pkts[i], &memo,
					  &sas[i], &dests[i]);
	for (i = 0; i < n; i++) {
		struct dp_sa *sa = sas[i];

		if (!sa)
			continue;
		m = take_group(sas, i, n, idx);
		tx_seal_group(worker, st, sa, pkts, idx, m, verdicts);
	}
}

uint32_t dp_too_big_reply(const struct pkt *p, uint32_t mtu, uint8_t *reply,
			  uint32_t cap)
{
	return icmp_too_big(pkt_data(p), p->len, mtu, reply, cap);
}

/* Outbound: policy, SA, MTU, encrypt, then cut the packet down to the UDP
 * payload. */
enum dp_drop dp_from_tun(struct dp *dp, struct pkt *p, struct dp_dest *dest,
			 uint8_t *reply, uint32_t reply_cap,
			 uint32_t *reply_len)
{
	enum dp_drop verdict;

	memset(dest, 0, sizeof(*dest));
	dp_from_tun_burst(dp, 0, &dp->stats, &p, 1, &verdict, dest);
	*reply_len = verdict == DP_DROP_TOO_BIG ?
		dp_too_big_reply(p, dest->mtu, reply, reply_cap) : 0;
	return verdict;
}

/* Rebuild the outer IP and UDP headers the socket took off, so the ESP
 * transforms see the packet as it crossed the wire. */
static void push_outer(struct dp *dp, struct pkt *p, const struct ip_addr *from,
		       uint16_t from_port)
{
	uint32_t udp_len = p->len + UDP_HDR_LEN;
	uint8_t *d, *udp;

	if (from->family == AF_INET6) {
		d = pkt_push(p, IPV6_HDR_LEN + UDP_HDR_LEN);
		memset(d, 0, IPV6_HDR_LEN);
		d[0] = 0x60;
		put_be16(d + 4, (uint16_t)udp_len);
		d[6] = IPPROTO_UDP;
		d[7] = 64;
		memcpy(d + 8, from->bytes, 16);
		memcpy(d + 24, dp->local.bytes, 16);
		udp = d + IPV6_HDR_LEN;
	} else {
		d = pkt_push(p, IPV4_HDR_LEN + UDP_HDR_LEN);
		memset(d, 0, IPV4_HDR_LEN);
		d[0] = 0x45;
		put_be16(d + 2, (uint16_t)(udp_len + IPV4_HDR_LEN));
		put_be16(d + 6, 0x4000);
		d[8] = 64;
		d[9] = IPPROTO_UDP;
		memcpy(d + 12, from->bytes, 4);
		memcpy(d + 16, dp->local.bytes, 4);
		put_be16(d + 10, csum_ipv4_header(d, IPV4_HDR_LEN));
		udp = d + IPV4_HDR_LEN;
	}
	put_be16(udp, from_port);
	put_be16(udp + 2, dp->port);
	put_be16(udp + 4, (uint16_t)udp_len);
	put_be16(udp + 6, 0);
}

/* The decrypted packet must be one the SA's peer may send: the reverse of
 * one of the SA's selectors — its own (negotiated), else the peer's
 * (RFC 4301 §5.2, step 4). */
static bool inbound_allowed(const struct dp *dp, const struct dp_sa *sa,
			    const struct pkt *p)
{
	const struct dp_peer *peer = &dp->peers[sa->peer];
	struct spd_flow flow, rev;

	if (!flow_parse(pkt_data(p), p->len, &flow))
		return false;
	flow_reverse(&flow, &rev);
	if (sa->sel)
		return any_match(sa->sel, sa->nsel, &rev);
	return any_match(peer->sel, peer->nsel, &rev);
}

/* Inbound, before opening: outer headers back, SPI, SA, peer. */
static enum dp_drop rx_classify(struct dp *dp, struct dp_stats *st,
				struct pkt *p, const struct dp_dest *from,
				struct dp_sa **sa_out)
{
	enum esp_drop r;
	struct dp_sa *sa;
	uint32_t spi;

	*sa_out = NULL;
	st->udp_packets++;
	if (from->addr.family != dp->local.family ||
	    pkt_headroom(p) < IPV6_HDR_LEN + UDP_HDR_LEN ||
	    p->len + IPV6_HDR_LEN + UDP_HDR_LEN > 0xffff)
		return count(st, DP_DROP_MALFORMED);
	push_outer(dp, p, &from->addr, from->port);
	r = esp_peek_spi(p, ESP_ENCAP_UDP, dp->port, &spi);
	if (r != ESP_OK) {
		st->esp_drops[r]++;
		return count(st, DP_DROP_NOT_ESP);
	}
	sa = dp_sa_find(dp, true, spi);
	if (!sa)
		return count(st, DP_DROP_UNKNOWN_SPI);
	if (!addr_equal(&from->addr, &dp->peers[sa->peer].addr))
		return count(st, DP_DROP_WRONG_PEER);
	*sa_out = sa;
	return DP_OK;
}

/* The SA's lock: uncontended while steering keeps each SA on one worker. */
static void sa_lock(struct dp_sa *sa)
{
	while (__atomic_exchange_n(&sa->busy, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&sa->busy, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static void sa_unlock(struct dp_sa *sa)
{
	__atomic_store_n(&sa->busy, 0, __ATOMIC_RELEASE);
}

/* Open one SA's packets, then check each against the SA's selectors. */
static void rx_open_group(struct dp *dp, unsigned worker,
			  struct dp_stats *st, struct dp_sa *sa,
			  struct pkt *const *pkts,
			  const unsigned *idx, unsigned m,
			  enum dp_drop *verdicts)
{
	struct esp_sa *esas[BURST_MAX];
	struct pkt *group[BURST_MAX];
	enum esp_drop r[BURST_MAX];
	unsigned j;

	for (j = 0; j < m; j++) {
		esas[j] = &sa->esp;
		group[j] = pkts[idx[j]];
	}
	sa_lock(sa);
	sa->workers |= 1ull << (worker % 64);
	esp_decrypt_burst(esas, group, r, m);
	for (j = 0; j < m; j++) {
		if (r[j] != ESP_OK)
			verdicts[idx[j]] = count_sa(st, sa, r[j]);
		else if (!inbound_allowed(dp, sa, group[j])) {
			sa->esp.stats.drops[ESP_DROP_POLICY]++;
			verdicts[idx[j]] = count(st, DP_DROP_POLICY);
		}
	}
	sa_unlock(sa);
}

void dp_from_udp_burst(struct dp *dp, unsigned worker, struct dp_stats *st,
		       struct pkt *const *pkts, const struct dp_dest *from,
		       unsigned n, enum dp_drop *verdicts)
{
	struct dp_sa *sas[BURST_MAX];
	unsigned idx[BURST_MAX];
	unsigned i, m;

	for (i = 0; i < n; i++)
		verdicts[i] = rx_classify(dp, st, pkts[i], &from[i], &sas[i]);
	for (i = 0; i < n; i++) {
		struct dp_sa *sa = sas[i];

		if (!sa)
			continue;
		m = take_group(sas, i, n, idx);
		rx_open_group(dp, worker, st, sa, pkts, idx, m, verdicts);
	}
}

enum dp_drop dp_from_udp(struct dp *dp, struct pkt *p,
			 const struct ip_addr *from, uint16_t from_port)
{
	struct dp_dest src = { .addr = *from, .port = from_port };
	enum dp_drop verdict;

	dp_from_udp_burst(dp, 0, &dp->stats, &p, &src, 1, &verdict);
	return verdict;
}
