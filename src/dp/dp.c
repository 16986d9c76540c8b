/* SPDX-License-Identifier: MIT */
/*
 * The data plane's state: peers and their policies in the SPD, and SAs
 * put in force, replaced, removed, and carried over to a new data plane by
 * a reload. The packet paths that use them are in path.c.
 */
#include "dp/dp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/policy_id.h"
#include "util/log.h"
#include "util/secure.h"

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
