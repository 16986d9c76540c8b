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

/*
 * Point the peer's slot at sa. A peer sends on one outbound SA, so the one it
 * used before leaves the table (unless it is being replaced there under the
 * same SPI) and is returned for freeing. Earlier inbound SAs stay until
 * removed: packets already sent on them may still arrive.
 */
static struct dp_sa *swap_slot(struct dp *dp, struct dp_sa *sa)
{
	struct dp_peer *p = &dp->peers[sa->peer];
	struct dp_sa **slot = sa->inbound ? &p->in : &p->out;
	struct dp_sa *old = *slot;

	*slot = sa;
	if (!sa->inbound && old && old->esp.spi != sa->esp.spi) {
		sadb_remove(&dp->out, old->esp.spi);
		return old;
	}
	return NULL;
}

static void unlink_other_peer(struct dp *dp, struct dp_sa *old)
{
	struct dp_peer *p = &dp->peers[old->peer];
	struct dp_sa **slot = old->inbound ? &p->in : &p->out;

	if (*slot == old)
		*slot = NULL;
}

int dp_sa_install(struct dp *dp, unsigned peer, bool inbound, const char *name,
		  const struct esp_sa_config *cfg, const char **why)
{
	struct dp_sa *sa, *old, *prev;
	int err;

	*why = NULL;
	if (peer >= dp->npeers)
		return -ENOENT;
	sa = calloc(1, sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	err = esp_sa_init(&sa->esp, cfg, why);
	if (err) {
		free(sa);
		return err;
	}
	snprintf(sa->name, sizeof(sa->name), "%s", name ? name : "");
	sa->peer = peer;
	sa->inbound = inbound;
	sa->mtu = inbound ? 0 : sa_mtu(dp, sa);
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

/* Count a drop, with a rate-limited debug line (STYLE: hostile input is
 * counted, not fatal, and never floods the log). */
static struct log_rate drop_rate;

static enum dp_drop count(struct dp *dp, enum dp_drop reason)
{
	dp->stats.drops[reason]++;
	if (log_get_level() >= LOG_DEBUG && log_rate_allow(&drop_rate))
		log_debug("drop: %s", dp_drop_name(reason));
	return reason;
}

/* A drop by the SA itself (counted in its esp_stats, and here). */
static enum dp_drop count_sa(struct dp *dp, const struct dp_sa *sa,
			     enum esp_drop why)
{
	dp->stats.drops[DP_DROP_SA]++;
	if (log_get_level() >= LOG_DEBUG && log_rate_allow(&drop_rate))
		log_debug("drop: sa %s (spi %#x): %s", sa->name, sa->esp.spi,
			  esp_drop_name(why));
	return DP_DROP_SA;
}

/* Outbound: policy, SA, MTU, encrypt, then cut the packet down to the UDP
 * payload. */
enum dp_drop dp_from_tun(struct dp *dp, struct pkt *p, struct dp_dest *dest,
			 uint8_t *reply, uint32_t reply_cap,
			 uint32_t *reply_len)
{
	const struct spd_policy *pol;
	struct spd_flow flow;
	struct dp_peer *peer;
	enum esp_drop r;
	struct dp_sa *sa;
	uint32_t off;

	*reply_len = 0;
	dp->stats.tun_packets++;
	if (!flow_parse(pkt_data(p), p->len, &flow))
		return count(dp, DP_DROP_MALFORMED);
	pol = spd_lookup(&dp->spd, &flow);
	if (!pol)
		return count(dp, DP_DROP_NO_POLICY);
	if (pol->action != SPD_PROTECT)
		return count(dp, DP_DROP_DISCARD);
	peer = &dp->peers[POLICY_PEER(pol->id)];
	sa = peer->out;
	if (!sa)
		return count(dp, DP_DROP_NO_SA);
	if (p->len > sa->mtu) {
		*reply_len = icmp_too_big(pkt_data(p), p->len, sa->mtu, reply,
					  reply_cap);
		return count(dp, DP_DROP_TOO_BIG);
	}
	r = esp_encrypt(&sa->esp, p);
	if (r != ESP_OK)
		return count_sa(dp, sa, r);
	off = esp_header_offset(p, sa->esp.encap, sa->esp.dport);
	pkt_pull(p, off);
	dest->addr = peer->addr;
	dest->port = peer->port;
	return DP_OK;
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
 * one of its outbound selectors (RFC 4301 §5.2, step 4). */
static bool inbound_allowed(const struct dp_peer *peer, const struct pkt *p)
{
	struct spd_flow flow, rev;
	unsigned i;

	if (!flow_parse(pkt_data(p), p->len, &flow))
		return false;
	flow_reverse(&flow, &rev);
	for (i = 0; i < peer->nsel; i++)
		if (spd_selector_match(&peer->sel[i], &rev))
			return true;
	return false;
}

enum dp_drop dp_from_udp(struct dp *dp, struct pkt *p,
			 const struct ip_addr *from, uint16_t from_port)
{
	const struct dp_peer *peer;
	enum esp_drop r;
	struct dp_sa *sa;
	uint32_t spi;

	dp->stats.udp_packets++;
	if (from->family != dp->local.family ||
	    pkt_headroom(p) < IPV6_HDR_LEN + UDP_HDR_LEN ||
	    p->len + IPV6_HDR_LEN + UDP_HDR_LEN > 0xffff)
		return count(dp, DP_DROP_MALFORMED);
	push_outer(dp, p, from, from_port);
	r = esp_peek_spi(p, ESP_ENCAP_UDP, dp->port, &spi);
	if (r != ESP_OK) {
		dp->stats.esp_drops[r]++;
		return count(dp, DP_DROP_NOT_ESP);
	}
	sa = dp_sa_find(dp, true, spi);
	if (!sa)
		return count(dp, DP_DROP_UNKNOWN_SPI);
	peer = &dp->peers[sa->peer];
	if (!addr_equal(from, &peer->addr))
		return count(dp, DP_DROP_WRONG_PEER);
	r = esp_decrypt(&sa->esp, p);
	if (r != ESP_OK)
		return count_sa(dp, sa, r);
	if (!inbound_allowed(peer, p)) {
		sa->esp.stats.drops[ESP_DROP_POLICY]++;
		return count(dp, DP_DROP_POLICY);
	}
	return DP_OK;
}
