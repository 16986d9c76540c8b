/* SPDX-License-Identifier: MIT */
/* Control requests: show the state, add and remove SAs, reload. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/proto.h"
#include "daemon/daemon.h"
#include "dp/limits.h"
#include "util/log.h"
#include "util/secure.h"

#ifndef TUNSEC_VERSION
#define TUNSEC_VERSION "0.1"
#endif

/* Drop counters by name, non-zero ones only; skip is a reason left out
 * (a total whose parts are listed under their own names), or 0. */
static void put_drop_list(struct ctl_builder *b, const uint64_t *counts,
			  unsigned n, const char *(*name)(unsigned),
			  unsigned skip)
{
	unsigned i;

	for (i = 1; i < n; i++) {
		if (!counts[i] || i == skip)
			continue;
		ctl_nest_begin(b, CTL_A_DROP);
		ctl_put_str(b, CTL_A_REASON, name(i));
		ctl_put_u64(b, CTL_A_COUNT, counts[i]);
		ctl_nest_end(b);
	}
}

static const char *esp_name(unsigned i)
{
	return esp_drop_name((enum esp_drop)i);
}

static const char *dp_name(unsigned i)
{
	return dp_drop_name((enum dp_drop)i);
}

/* The offloads in force, by their configuration names. */
static void put_offloads(const struct daemon *d, struct ctl_builder *b)
{
	bool gso = d->nworkers && d->workers[0].udp_gso;

	if (d->vnet)
		ctl_put_str(b, CTL_A_OFFLOAD, "tun-offload");
	if (d->vnet && d->tun_uso)
		ctl_put_str(b, CTL_A_OFFLOAD, "tun-uso");
	if (gso)
		ctl_put_str(b, CTL_A_OFFLOAD, "udp-gso");
	if (d->opts.udp_gro)
		ctl_put_str(b, CTL_A_OFFLOAD, "udp-gro");
	if (d->vnet && d->opts.coalesce)
		ctl_put_str(b, CTL_A_OFFLOAD, "coalesce");
	if (d->steered)
		ctl_put_str(b, CTL_A_OFFLOAD, "spi-steering");
	if (d->tun_steered)
		ctl_put_str(b, CTL_A_OFFLOAD, "flow-steering");
}

static void put_daemon(struct daemon *d, struct ctl_builder *b)
{
	ctl_nest_begin(b, CTL_A_DAEMON);
	ctl_put_str(b, CTL_A_VERSION, TUNSEC_VERSION);
	ctl_put_u64(b, CTL_A_UPTIME, (uint64_t)(time(NULL) - d->started));
	ctl_put_addr(b, CTL_A_LOCAL, &d->dp.local);
	ctl_put_u16(b, CTL_A_PORT, d->dp.port);
	ctl_put_str(b, CTL_A_TUN, d->conf.daemon.tun);
	put_offloads(d, b);
	ctl_nest_end(b);
}

/* Each worker's share of the traffic. */
static void put_workers(const struct daemon *d, struct ctl_builder *b)
{
	unsigned i;

	for (i = 0; i < d->nworkers; i++) {
		const struct dp_stats *s = &d->workers[i].stats;

		ctl_nest_begin(b, CTL_A_WORKER);
		ctl_put_u32(b, CTL_A_ID, i);
		ctl_put_u64(b, CTL_A_TUN_PACKETS, s->tun_packets);
		ctl_put_u64(b, CTL_A_UDP_PACKETS, s->udp_packets);
		ctl_nest_end(b);
	}
}

static void put_peer(struct daemon *d, unsigned i, struct ctl_builder *b)
{
	const struct dp_peer *p = &d->dp.peers[i];
	const struct conf_peer *cp = conf_find_peer(&d->conf, p->name);
	char text[CONF_SELECTOR_STRLEN];
	unsigned j;

	ctl_nest_begin(b, CTL_A_PEER);
	ctl_put_str(b, CTL_A_NAME, p->name);
	ctl_put_addr(b, CTL_A_ADDR, &p->addr);
	ctl_put_u16(b, CTL_A_PORT, p->port);
	ctl_put_u8(b, CTL_A_MODE, p->mode == ESP_MODE_TUNNEL ? CTL_MODE_TUNNEL
							     : CTL_MODE_TRANSPORT);
	for (j = 0; cp && j < cp->nsel; j++)
		ctl_put_str(b, CTL_A_SELECTOR,
			    conf_selector_format(&cp->sel[j], text, sizeof(text)));
	ctl_nest_end(b);
}

static void put_sa(struct daemon *d, const struct dp_sa *sa,
		   struct ctl_builder *b)
{
	const struct esp_sa *e = &sa->esp;

	ctl_nest_begin(b, CTL_A_SA);
	ctl_put_str(b, CTL_A_NAME, sa->name[0] ? sa->name : "-");
	ctl_put_str(b, CTL_A_PEER_NAME, d->dp.peers[sa->peer].name);
	ctl_put_u8(b, CTL_A_DIR, sa->inbound ? CTL_DIR_IN : CTL_DIR_OUT);
	ctl_put_u32(b, CTL_A_SPI, e->spi);
	ctl_put_str(b, CTL_A_CIPHER, e->info->name);
	ctl_put_u8(b, CTL_A_ICV, e->icv_len);
	ctl_put_u8(b, CTL_A_MODE, e->mode == ESP_MODE_TUNNEL ? CTL_MODE_TUNNEL
							     : CTL_MODE_TRANSPORT);
	ctl_put_u8(b, CTL_A_ENCAP, e->encap == ESP_ENCAP_UDP ? CTL_ENCAP_UDP
							     : CTL_ENCAP_NONE);
	ctl_put_u8(b, CTL_A_ESN, e->esn);
	if (!sa->inbound)
		ctl_put_u8(b, CTL_A_CPU, sa->cpu);
	ctl_put_u64(b, CTL_A_WORKER_MASK, sa->workers);
	ctl_put_u64(b, CTL_A_PACKETS, e->stats.packets);
	ctl_put_u64(b, CTL_A_BYTES, e->stats.bytes);
	ctl_put_u64(b, CTL_A_SEQ, sa->inbound ? e->replay.top : e->seq_next);
	ctl_put_u32(b, CTL_A_WINDOW, sa->inbound ? e->replay.window : 0);
	ctl_nest_begin(b, CTL_A_DROPS);
	put_drop_list(b, e->stats.drops, ESP_DROP_COUNT, esp_name, 0);
	ctl_nest_end(b);
	ctl_nest_end(b);
}

static void put_sas(struct daemon *d, const struct sadb *db,
		    struct ctl_builder *b)
{
	uint32_t i;

	for (i = 0; db->slots && i <= db->mask; i++) {
		struct ctl_mark m = ctl_builder_mark(b);

		if (!db->slots[i].sa)
			continue;
		put_sa(d, (const struct dp_sa *)db->slots[i].sa, b);
		if (b->err) {
			/* Out of room: leave this one out, say so. */
			ctl_builder_rollback(b, &m);
			ctl_builder_set_flags(b, CTL_F_TRUNCATED);
			return;
		}
	}
}

/* The algorithms of an IKE SA or Child SA as IANA names. */
static void alg_text(char *buf, size_t cap, uint16_t encr, unsigned bits,
		     uint16_t integ, uint16_t prf, uint16_t dh)
{
	int n = snprintf(buf, cap, "%s-%u", ike_xform_id_name(IKE_XF_ENCR, encr),
			 bits);

	if (integ && n > 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, " %s",
			      ike_xform_id_name(IKE_XF_INTEG, integ));
	if (prf && n > 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, " %s",
			      ike_xform_id_name(IKE_XF_PRF, prf));
	if (dh && n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, " %s",
			 ike_xform_id_name(IKE_XF_DH, dh));
}

/* A Child SA: its algorithms, SPIs and negotiated selectors (written as
 * the file writes a peer's). */
static void put_child(struct ctl_builder *b, const struct ike_child_info *c)
{
	const struct ike_suite_esp *e = &c->suite;
	char text[CONF_SELECTOR_STRLEN];
	struct conf_selector cs;
	char alg[160];
	unsigned j;

	alg_text(alg, sizeof(alg), e->encr, e->encr_key_bits, e->integ, 0,
		 e->dh);
	ctl_put_str(b, CTL_A_ESP_ALG, alg);
	ctl_put_u32(b, CTL_A_SPI_IN, c->spi_in);
	ctl_put_u32(b, CTL_A_SPI_OUT, c->spi_out);
	if (c->rekey_in_ms)
		ctl_put_u64(b, CTL_A_CHILD_REKEY, (c->rekey_in_ms + 999) / 1000);
	for (j = 0; j < c->nsel; j++) {
		conf_selector_from_spd(&c->sel[j], &cs);
		ctl_put_str(b, CTL_A_SELECTOR,
			    conf_selector_format(&cs, text, sizeof(text)));
	}
}

static void put_ike_sa(struct daemon *d, const struct ike_sa_info *i,
		       struct ctl_builder *b)
{
	const struct ike_suite *s = &i->suite.alg;
	char alg[160];
	unsigned k;

	ctl_nest_begin(b, CTL_A_IKE_SA);
	ctl_put_str(b, CTL_A_PEER_NAME, d->ike.engine.peers[i->peer].name);
	ctl_put_str(b, CTL_A_STATE, i->state);
	ctl_put_str(b, CTL_A_ROLE, i->initiator ? "initiator" : "responder");
	ctl_put_u64(b, CTL_A_SPI_I, i->spi_i);
	ctl_put_u64(b, CTL_A_SPI_R, i->spi_r);
	ctl_put_u64(b, CTL_A_AGE, i->age_ms / 1000);
	if (i->rekey_in_ms)
		ctl_put_u64(b, CTL_A_IKE_REKEY, (i->rekey_in_ms + 999) / 1000);
	ctl_put_u64(b, CTL_A_FRAGMENTS, i->frags_sent);
	ctl_put_addr(b, CTL_A_ADDR, &i->remote.addr);
	ctl_put_u16(b, CTL_A_PORT, i->remote.port);
	ctl_put_u8(b, CTL_A_NAT, i->nat_local);
	if (s->encr) {
		alg_text(alg, sizeof(alg), (uint16_t)s->encr, s->encr_key_bits,
			 (uint16_t)s->integ, (uint16_t)s->prf,
			 (uint16_t)i->suite.dh);
		ctl_put_str(b, CTL_A_IKE_ALG, alg);
	}
	/* The first Child SA in the IKE_SA nest itself, more in CHILD
	 * nests. */
	if (i->children)
		put_child(b, &i->child[0]);
	for (k = 1; k < i->children; k++) {
		ctl_nest_begin(b, CTL_A_CHILD);
		put_child(b, &i->child[k]);
		ctl_nest_end(b);
	}
	ctl_nest_end(b);
}

static void put_ike_sas(struct daemon *d, struct ctl_builder *b)
{
	struct ike_sa_info info;
	unsigned i;

	for (i = 0; d->ike.on && ike_sa_get(&d->ike.engine, i, &info); i++)
		put_ike_sa(d, &info, b);
}

/* The IKE engine's drops, as "ike-REASON", and its cookie answers. */
static void put_ike_drops(struct daemon *d, struct ctl_builder *b)
{
	const struct ike_stats *st = &d->ike.engine.stats;
	char name[48];
	unsigned i;

	for (i = 1; d->ike.on && i <= IKE_DROP_COUNT; i++) {
		uint64_t n = i < IKE_DROP_COUNT ? st->drops[i] : st->cookies_bad;

		if (!n)
			continue;
		snprintf(name, sizeof(name), "ike-%s",
			 i < IKE_DROP_COUNT ? ike_drop_name((enum ike_drop)i)
					    : "bad-cookie");
		ctl_nest_begin(b, CTL_A_DROP);
		ctl_put_str(b, CTL_A_REASON, name);
		ctl_put_u64(b, CTL_A_COUNT, n);
		ctl_nest_end(b);
	}
}

/* Called with the workers parked: their counters are still. */
static int handle_show(struct daemon *d, struct ctl_builder *b)
{
	struct dp_stats sum;
	unsigned i;

	daemon_stats_sum(d, &sum);
	ctl_put_i32(b, CTL_A_STATUS, 0);
	put_daemon(d, b);
	put_workers(d, b);
	ctl_nest_begin(b, CTL_A_DROPS);
	/* The data plane's not-esp total is listed by ESP reason instead, so
	 * every name in the nest is distinct. */
	put_drop_list(b, sum.drops, DP_DROP_COUNT, dp_name, DP_DROP_NOT_ESP);
	put_drop_list(b, sum.esp_drops, ESP_DROP_COUNT, esp_name, 0);
	put_ike_drops(d, b);
	ctl_nest_end(b);
	for (i = 0; i < d->dp.npeers; i++)
		put_peer(d, i, b);
	put_ike_sas(d, b);
	put_sas(d, &d->dp.out, b);
	put_sas(d, &d->dp.in, b);
	return b->err;
}

/* The peer an added SA belongs to: named, or found by its tunnel
 * destination, or the only one. */
static int sa_peer(struct daemon *d, const struct ctl_attr *tb)
{
	const char *name;

	if (tb[CTL_A_PEER_NAME].type) {
		name = ctl_attr_str(&tb[CTL_A_PEER_NAME]);
		return name ? dp_peer_find(&d->dp, name) : -1;
	}
	return d->dp.npeers == 1 ? 0 : -1;
}

static bool get_u8(const struct ctl_attr *tb, int t, uint8_t *v)
{
	return !tb[t].type || ctl_attr_u8(&tb[t], v);
}

/* Fill cfg from the SA_ADD attributes; key points into the request. */
static int sa_config(struct daemon *d, const struct ctl_attr *tb,
		     const struct dp_peer *peer, bool inbound,
		     struct esp_sa_config *cfg)
{
	const char *cipher = ctl_attr_str(&tb[CTL_A_CIPHER]);
	uint8_t mode = CTL_MODE_TRANSPORT, encap = CTL_ENCAP_UDP, esn = 0;
	const uint8_t *key = NULL;
	size_t key_len = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (!cipher || esp_cipher_from_name(cipher, &cfg->cipher) ||
	    !ctl_attr_u32(&tb[CTL_A_SPI], &cfg->spi) ||
	    !get_u8(tb, CTL_A_ICV, &cfg->icv_len) ||
	    !get_u8(tb, CTL_A_MODE, &mode) || !get_u8(tb, CTL_A_ENCAP, &encap) ||
	    !get_u8(tb, CTL_A_ESN, &esn) ||
	    (tb[CTL_A_KEY].type && !ctl_attr_bytes(&tb[CTL_A_KEY], &key, &key_len)))
		return -EINVAL;
	cfg->key = key;
	cfg->key_len = (uint32_t)key_len;
	cfg->mode = mode == CTL_MODE_TUNNEL ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
	cfg->encap = encap == CTL_ENCAP_NONE ? ESP_ENCAP_NONE : ESP_ENCAP_UDP;
	cfg->esn = esn;
	cfg->sport = inbound ? peer->port : d->dp.port;
	cfg->dport = inbound ? d->dp.port : peer->port;
	if ((tb[CTL_A_SPORT].type && !ctl_attr_u16(&tb[CTL_A_SPORT], &cfg->sport)) ||
	    (tb[CTL_A_DPORT].type && !ctl_attr_u16(&tb[CTL_A_DPORT], &cfg->dport)) ||
	    (tb[CTL_A_SEQ].type && !ctl_attr_u64(&tb[CTL_A_SEQ], &cfg->seq)) ||
	    (tb[CTL_A_WINDOW].type && !ctl_attr_u32(&tb[CTL_A_WINDOW], &cfg->replay_window)) ||
	    (tb[CTL_A_TFC].type && !ctl_attr_u16(&tb[CTL_A_TFC], &cfg->tfc_pad)))
		return -EINVAL;
	if (cfg->mode == ESP_MODE_TUNNEL) {
		cfg->tunnel_src = inbound ? peer->addr : d->dp.local;
		cfg->tunnel_dst = inbound ? d->dp.local : peer->addr;
		if ((tb[CTL_A_TUN_SRC].type && !ctl_attr_addr(&tb[CTL_A_TUN_SRC], &cfg->tunnel_src)) ||
		    (tb[CTL_A_TUN_DST].type && !ctl_attr_addr(&tb[CTL_A_TUN_DST], &cfg->tunnel_dst)))
			return -EINVAL;
	}
	if (!cfg->seq && !inbound)
		cfg->seq = 1;
	return 0;
}

static int handle_sa_add(struct daemon *d, const struct ctl_iter *it,
			 struct ctl_builder *b)
{
	struct ctl_attr tb[CTL_A_END];
	struct esp_sa_config cfg;
	const char *why = NULL, *name = NULL;
	uint8_t dir, cpu = 0;
	uint32_t spi;
	int peer, err;

	if (!ctl_iter_index(it, tb) || !ctl_attr_u8(&tb[CTL_A_DIR], &dir) ||
	    dir > CTL_DIR_OUT || !tb[CTL_A_SPI].type || !tb[CTL_A_CIPHER].type)
		return ctl_reply_error(b, -EINVAL, "sa add needs DIR, SPI and CIPHER");
	if (!get_u8(tb, CTL_A_CPU, &cpu) || cpu >= WORKERS_MAX ||
	    (cpu && dir == CTL_DIR_IN))
		return ctl_reply_error(b, -EINVAL, "cpu: 0..%d, outbound SAs "
				       "only", WORKERS_MAX - 1);
	peer = sa_peer(d, tb);
	if (peer < 0)
		return ctl_reply_error(b, -ENOENT, "no such peer (name it with --peer)");
	if (tb[CTL_A_NAME].type)
		name = ctl_attr_str(&tb[CTL_A_NAME]);
	err = sa_config(d, tb, &d->dp.peers[peer], dir == CTL_DIR_IN, &cfg);
	if (err) {
		secure_zero(&cfg, sizeof(cfg));
		return ctl_reply_error(b, err, "malformed SA attributes");
	}
	spi = cfg.spi;
	err = dp_sa_install_cpu(&d->dp, (unsigned)peer, dir == CTL_DIR_IN, cpu,
				name, &cfg, &why);
	secure_zero(&cfg, sizeof(cfg));
	if (err)
		return ctl_reply_error(b, err, "%s", why ? why : strerror(-err));
	log_info("sa %s %#x installed for peer %s", dir == CTL_DIR_IN ? "in" : "out",
		 spi, d->dp.peers[peer].name);
	return 0;
}

static int handle_sa_del(struct daemon *d, const struct ctl_iter *it,
			 struct ctl_builder *b)
{
	struct ctl_attr tb[CTL_A_END];
	uint32_t spi;
	uint8_t dir;

	if (!ctl_iter_index(it, tb) || !ctl_attr_u8(&tb[CTL_A_DIR], &dir) ||
	    dir > CTL_DIR_OUT || !ctl_attr_u32(&tb[CTL_A_SPI], &spi))
		return ctl_reply_error(b, -EINVAL, "sa del needs DIR and SPI");
	if (dp_sa_remove(&d->dp, dir == CTL_DIR_IN, spi))
		return ctl_reply_error(b, -ENOENT, "no %s SA with SPI %#x",
				       dir == CTL_DIR_IN ? "inbound" : "outbound",
				       spi);
	log_info("sa %s %#x removed", dir == CTL_DIR_IN ? "in" : "out", spi);
	return 0;
}

static int handle_up_down(struct daemon *d, const struct ctl_iter *it,
			  struct ctl_builder *b, bool up)
{
	struct ctl_attr tb[CTL_A_END];
	const char *peer;
	int err;

	if (!ctl_iter_index(it, tb) || !tb[CTL_A_PEER_NAME].type)
		return ctl_reply_error(b, -EINVAL, "%s needs a peer name",
				       up ? "up" : "down");
	peer = ctl_attr_str(&tb[CTL_A_PEER_NAME]);
	err = peer ? daemon_ike_up_down(d, peer, up) : -EINVAL;
	if (err == -ENOENT)
		return ctl_reply_error(b, err, "no IKE-managed peer \"%s\"",
				       peer);
	if (err == -EALREADY)
		return ctl_reply_error(b, err, "peer \"%s\" is already %s",
				       peer, up ? "up or coming up" : "down");
	if (err)
		return ctl_reply_error(b, err, "%s: %s", up ? "up" : "down",
				       strerror(-err));
	log_info("ike %s: %s requested", peer, up ? "up" : "down");
	return 0;
}

/* REKEY: PEER_NAME, and IKE = 1 for the IKE SA (else the Child SA). */
static int handle_rekey(struct daemon *d, const struct ctl_iter *it,
			struct ctl_builder *b)
{
	struct ctl_attr tb[CTL_A_END];
	const char *peer;
	uint8_t ike_sa = 0;
	int err;

	if (!ctl_iter_index(it, tb) || !tb[CTL_A_PEER_NAME].type ||
	    (tb[CTL_A_IKE].type && !ctl_attr_u8(&tb[CTL_A_IKE], &ike_sa)))
		return ctl_reply_error(b, -EINVAL, "rekey needs a peer name");
	peer = ctl_attr_str(&tb[CTL_A_PEER_NAME]);
	err = peer ? daemon_ike_rekey(d, peer, ike_sa) : -EINVAL;
	if (err == -ENOENT)
		return ctl_reply_error(b, err, "no established IKE SA with "
				       "\"%s\"", peer);
	if (err == -EBUSY)
		return ctl_reply_error(b, err, "an exchange with \"%s\" is "
				       "in flight: try again", peer);
	if (err)
		return ctl_reply_error(b, err, "rekey: %s", strerror(-err));
	return 0;
}

int daemon_ctl_handle(void *arg, const struct ctl_msg *req,
		      struct ctl_builder *reply)
{
	struct daemon *d = arg;
	struct ctl_iter it;
	char why[320];

	ctl_msg_iter(req, &it);
	switch (req->type) {
	case CTL_SHOW:
		return handle_show(d, reply);
	case CTL_SA_ADD:
		return handle_sa_add(d, &it, reply);
	case CTL_SA_DEL:
		return handle_sa_del(d, &it, reply);
	case CTL_UP:
	case CTL_DOWN:
		return handle_up_down(d, &it, reply, req->type == CTL_UP);
	case CTL_REKEY:
		return handle_rekey(d, &it, reply);
	case CTL_RELOAD:
		if (daemon_reload(d, why, sizeof(why)))
			return ctl_reply_error(reply, -EINVAL, "%s", why);
		log_info("configuration reloaded");
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
