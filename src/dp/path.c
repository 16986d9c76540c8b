/* SPDX-License-Identifier: MIT */
/*
 * The two packet paths of the daemon's data plane, free of I/O: from TUN
 * (policy, the worker's SA and its selectors, MTU, one seal per SA of a
 * burst) and from the UDP socket (SA, peer, replay and ICV in one open per
 * SA of a burst, then the SA's selectors). The peers and SAs they use are
 * set up in dp.c.
 */
#include "dp/dp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/flow.h"
#include "dp/icmp.h"
#include "dp/policy_id.h"
#include "util/bytes.h"
#include "util/csum.h"
#include "util/log.h"
#include "util/secure.h"

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
	unsigned i;

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
	/* The worker's SA first (per-CPU SAs spread the workers); else the
	 * first of the peer's whose selectors take the flow (IKE Child SAs
	 * of different selectors). */
	for (i = 0; i < peer->nout; i++) {
		sa = peer->outv[(worker + i) % peer->nout];
		if (!sa->ts_check || any_match(sa->sel, sa->nsel, flow)) {
			*sa_out = sa;
			return DP_OK;
		}
	}
	return DP_DROP_OUTSIDE_TS;
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
