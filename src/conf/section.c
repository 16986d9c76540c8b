/* SPDX-License-Identifier: MIT */
/*
 * Sections and their keys: opening [daemon], [peer NAME] and [sa NAME],
 * and applying each "key = value" through the section's key table.
 *
 * Arrays grow to the next power of two when their count reaches one, so
 * their capacity follows from their count. The SA and peer arrays hold
 * keys (SA keys, pre-shared keys): they are moved by copy, wipe and free,
 * never by realloc().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parse.h"
#include "dp/limits.h"
#include "util/secure.h"

static bool full(unsigned n)
{
	return n == 0 || (n & (n - 1)) == 0;
}

/* Room for one more element in *arr of n elements of size bytes. */
static int grow(void **arr, unsigned n, size_t size, bool secret)
{
	size_t cap = n ? 2 * (size_t)n : 1;
	void *na;

	if (!full(n))
		return 0;
	if (!secret) {
		na = realloc(*arr, cap * size);
		if (!na)
			return -ENOMEM;
		*arr = na;
		return 0;
	}
	na = calloc(cap, size);
	if (!na)
		return -ENOMEM;
	if (n) {
		memcpy(na, *arr, n * size);
		secure_zero(*arr, n * size);
	}
	free(*arr);
	*arr = na;
	return 0;
}

/* [daemon] */

static int set_local(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_addr(p, "local-address", v,
			       &((struct conf_daemon *)item)->local);
}

static int set_dport(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_port(p, "port", v, &((struct conf_daemon *)item)->port);
}

static int set_socket(struct conf_parser *p, void *item, const char *v)
{
	struct conf_daemon *d = item;
	size_t n = strlen(v);

	if (n == 0 || n > CONF_SOCKET_PATH_MAX)
		return conf_fail(p, p->line, "control-socket: path must be "
				 "1-%d bytes long", CONF_SOCKET_PATH_MAX);
	memcpy(d->control_socket, v, n + 1);
	return 0;
}

static int set_tun(struct conf_parser *p, void *item, const char *v)
{
	struct conf_daemon *d = item;
	char q[CONF_QUOTE_MAX];

	if (!conf_name_ok(v, CONF_IFNAME_MAX) || !strcmp(v, ".") ||
	    !strcmp(v, ".."))
		return conf_fail(p, p->line, "tun: %s must be a device name of "
				 "1-%d characters of A-Z a-z 0-9 . _ -",
				 conf_quote(v, q), CONF_IFNAME_MAX);
	memcpy(d->tun, v, strlen(v) + 1);
	return 0;
}

static int set_mtu(struct conf_parser *p, void *item, const char *v)
{
	uint32_t n;
	int err = conf_value_u32(p, "mtu", v, 576, 65535, &n);

	if (!err)
		((struct conf_daemon *)item)->mtu = (uint16_t)n;
	return err;
}

static int set_log_level(struct conf_parser *p, void *item, const char *v)
{
	static const char *const words[] = { "error", "warning", "info",
					     "debug" };
	static const enum log_level levels[] = { LOG_ERR, LOG_WARN, LOG_INFO,
						 LOG_DEBUG };
	unsigned i;
	int err = conf_value_word(p, "log-level", v, words, 4, &i);

	if (!err)
		((struct conf_daemon *)item)->log_level = levels[i];
	return err;
}

static int set_fwmark(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_u32(p, "fwmark", v, 1, UINT32_MAX,
			      &((struct conf_daemon *)item)->fwmark);
}

/* Tables 253-255 are the kernel's default, main and local tables. */
static int set_table(struct conf_parser *p, void *item, const char *v)
{
	uint32_t n;
	int err = conf_value_u32(p, "table", v, 1, UINT32_MAX, &n);

	if (err)
		return err;
	if (n >= 253 && n <= 255)
		return conf_fail(p, p->line, "table: %u is reserved (253-255 "
				 "are the default, main and local tables)", n);
	((struct conf_daemon *)item)->table = n;
	return 0;
}

static int set_workers(struct conf_parser *p, void *item, const char *v)
{
	uint32_t n;
	int err = conf_value_u32(p, "workers", v, 0, CONF_WORKERS_MAX, &n);

	if (!err)
		((struct conf_daemon *)item)->workers = n;
	return err;
}

static int set_tun_offload(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_bool(p, "tun-offload", v,
			       &((struct conf_daemon *)item)->tun_offload);
}

static int set_udp_gso(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_bool(p, "udp-gso", v,
			       &((struct conf_daemon *)item)->udp_gso);
}

static int set_udp_gro(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_bool(p, "udp-gro", v,
			       &((struct conf_daemon *)item)->udp_gro);
}

static int set_coalesce(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_bool(p, "coalesce", v,
			       &((struct conf_daemon *)item)->coalesce);
}

static const struct conf_key_def daemon_keys[CONF_DAEMON_KEYS] = {
	[CONF_DAEMON_LOCAL_ADDRESS] = { "local-address", set_local, false },
	[CONF_DAEMON_PORT] = { "port", set_dport, false },
	[CONF_DAEMON_CONTROL_SOCKET] = { "control-socket", set_socket, false },
	[CONF_DAEMON_TUN] = { "tun", set_tun, false },
	[CONF_DAEMON_MTU] = { "mtu", set_mtu, false },
	[CONF_DAEMON_LOG_LEVEL] = { "log-level", set_log_level, false },
	[CONF_DAEMON_FWMARK] = { "fwmark", set_fwmark, false },
	[CONF_DAEMON_TABLE] = { "table", set_table, false },
	[CONF_DAEMON_WORKERS] = { "workers", set_workers, false },
	[CONF_DAEMON_TUN_OFFLOAD] = { "tun-offload", set_tun_offload, false },
	[CONF_DAEMON_UDP_GSO] = { "udp-gso", set_udp_gso, false },
	[CONF_DAEMON_UDP_GRO] = { "udp-gro", set_udp_gro, false },
	[CONF_DAEMON_COALESCE] = { "coalesce", set_coalesce, false },
};

/* [peer NAME] */

static int set_address(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_addr(p, "address", v,
			       &((struct conf_peer *)item)->addr);
}

static int set_pport(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_port(p, "port", v, &((struct conf_peer *)item)->port);
}

static int set_mode(struct conf_parser *p, void *item, const char *v)
{
	static const char *const words[] = { "transport", "tunnel" };
	unsigned i;
	int err = conf_value_word(p, "mode", v, words, 2, &i);

	if (!err)
		((struct conf_peer *)item)->mode =
			i ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
	return err;
}

static int set_protect(struct conf_parser *p, void *item, const char *v)
{
	struct conf_peer *peer = item;
	struct conf_selector sel;
	int err;

	if (peer->nsel >= CONF_SELECTORS_MAX)
		return conf_fail(p, p->line, "protect: more than %d selectors "
				 "for one peer", CONF_SELECTORS_MAX);
	err = conf_selector_parse(p, v, &sel);
	if (err)
		return err;
	if (grow((void **)&peer->sel, peer->nsel, sizeof(sel), false))
		return conf_fail_nomem(p);
	peer->sel[peer->nsel++] = sel;
	return 0;
}

static const struct conf_key_def peer_keys[CONF_PEER_KEYS] = {
	[CONF_PEER_ADDRESS] = { "address", set_address, false },
	[CONF_PEER_PORT] = { "port", set_pport, false },
	[CONF_PEER_MODE] = { "mode", set_mode, false },
	[CONF_PEER_PROTECT] = { "protect", set_protect, true },
};

/* [sa NAME] */

static int set_peer(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_name(p, "peer", v,
			       ((struct conf_sa *)item)->peer_name);
}

static int set_direction(struct conf_parser *p, void *item, const char *v)
{
	static const char *const words[] = { "in", "out" };
	unsigned i;
	int err = conf_value_word(p, "direction", v, words, 2, &i);

	if (!err)
		((struct conf_sa *)item)->inbound = i == 0;
	return err;
}

static int set_spi(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_u32(p, "spi", v, 1, UINT32_MAX,
			      &((struct conf_sa *)item)->spi);
}

static int set_cipher(struct conf_parser *p, void *item, const char *v)
{
	const char *names[ESP_CIPHER_COUNT];
	enum esp_cipher c;
	unsigned i;

	if (!esp_cipher_from_name(v, &c)) {
		((struct conf_sa *)item)->cipher = c;
		return 0;
	}
	for (i = 0; i < ESP_CIPHER_COUNT; i++)
		names[i] = esp_cipher_info((enum esp_cipher)i)->name;
	return conf_value_word(p, "cipher", v, names, ESP_CIPHER_COUNT, &i);
}

static int set_icv(struct conf_parser *p, void *item, const char *v)
{
	static const char *const words[] = { "8", "12", "16" };
	static const uint8_t lens[] = { 8, 12, 16 };
	unsigned i;
	int err = conf_value_word(p, "icv", v, words, 3, &i);

	if (!err)
		((struct conf_sa *)item)->icv = lens[i];
	return err;
}

static int set_key(struct conf_parser *p, void *item, const char *v)
{
	return conf_key_parse(p, item, v);
}

static int set_esn(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_bool(p, "esn", v, &((struct conf_sa *)item)->esn);
}

static int set_window(struct conf_parser *p, void *item, const char *v)
{
	return conf_value_u32(p, "replay-window", v, REPLAY_WINDOW_MIN,
			      REPLAY_WINDOW_MAX,
			      &((struct conf_sa *)item)->replay_window);
}

static int set_tfc(struct conf_parser *p, void *item, const char *v)
{
	uint32_t n;
	int err = conf_value_u32(p, "tfc-pad", v, 0, IP_PACKET_MAX / 2, &n);

	if (!err)
		((struct conf_sa *)item)->tfc_pad = (uint16_t)n;
	return err;
}

_Static_assert(CONF_WORKERS_MAX <= UINT8_MAX + 1, "cpu is a uint8_t");

static int set_cpu(struct conf_parser *p, void *item, const char *v)
{
	uint32_t n;
	int err = conf_value_u32(p, "cpu", v, 0, CONF_WORKERS_MAX - 1, &n);

	if (!err)
		((struct conf_sa *)item)->cpu = (uint8_t)n;
	return err;
}

static const struct conf_key_def sa_keys[CONF_SA_KEYS] = {
	[CONF_SA_PEER] = { "peer", set_peer, false },
	[CONF_SA_DIRECTION] = { "direction", set_direction, false },
	[CONF_SA_SPI] = { "spi", set_spi, false },
	[CONF_SA_CIPHER] = { "cipher", set_cipher, false },
	[CONF_SA_ICV] = { "icv", set_icv, false },
	[CONF_SA_KEY] = { "key", set_key, false },
	[CONF_SA_ESN] = { "esn", set_esn, false },
	[CONF_SA_REPLAY_WINDOW] = { "replay-window", set_window, false },
	[CONF_SA_TFC_PAD] = { "tfc-pad", set_tfc, false },
	[CONF_SA_CPU] = { "cpu", set_cpu, false },
};

const char *conf_section_name(const struct conf_parser *p, char *buf,
			      size_t size)
{
	if (p->sec == CONF_SEC_PEER)
		snprintf(buf, size, "peer %s", p->c->peers[p->idx].name);
	else if (p->sec == CONF_SEC_SA)
		snprintf(buf, size, "sa %s", p->c->sas[p->idx].name);
	else
		snprintf(buf, size, "daemon");
	return buf;
}

/* The keys of a section: one or two tables, each with its struct. */
struct key_group {
	const struct conf_key_def *defs;
	unsigned n;
	void *item;
	unsigned *lines;
};

static unsigned section_groups(struct conf_parser *p, struct key_group *g)
{
	struct conf_peer *peer;
	struct conf_sa *sa;

	switch (p->sec) {
	case CONF_SEC_PEER:
		peer = &p->c->peers[p->idx];
		g[0] = (struct key_group){ peer_keys, CONF_PEER_KEYS, peer,
					   peer->key_line };
		g[1] = (struct key_group){ conf_ike_keys, CONF_IKE_KEYS,
					   &peer->ike, peer->ike.key_line };
		return 2;
	case CONF_SEC_SA:
		sa = &p->c->sas[p->idx];
		g[0] = (struct key_group){ sa_keys, CONF_SA_KEYS, sa,
					   sa->key_line };
		return 1;
	default:
		g[0] = (struct key_group){ daemon_keys, CONF_DAEMON_KEYS,
					   &p->c->daemon, p->c->daemon.key_line };
		return 1;
	}
}

int conf_setting_apply(struct conf_parser *p, const char *key,
		       const char *value)
{
	struct key_group groups[2];
	unsigned ng = section_groups(p, groups), gi, i = 0;
	const struct key_group *g = NULL;
	char sec[CONF_NAME_MAX + 8];
	int err;

	for (gi = 0; gi < ng && !g; gi++) {
		for (i = 0; i < groups[gi].n &&
			    strcmp(groups[gi].defs[i].name, key); i++)
			;
		if (i < groups[gi].n)
			g = &groups[gi];
	}
	if (!g)
		return conf_fail(p, p->line, "unknown key \"%s\" in [%s]", key,
				 conf_section_name(p, sec, sizeof(sec)));
	if (g->lines[i] && !g->defs[i].repeatable)
		return conf_fail(p, p->line, "duplicate key \"%s\" (first set "
				 "on line %u)", key, g->lines[i]);
	err = g->defs[i].set(p, g->item, value);
	if (!err && !g->lines[i])
		g->lines[i] = p->line;
	return err;
}

static int peer_open(struct conf_parser *p, const char *name)
{
	struct conf *c = p->c;
	struct conf_peer *peer;
	const struct conf_peer *dup = conf_find_peer(c, name);

	if (dup)
		return conf_fail(p, p->line, "duplicate [peer %s] (first on "
				 "line %u)", name, dup->line);
	if (c->npeers >= CONF_PEERS_MAX)
		return conf_fail(p, p->line, "more than %d peers",
				 CONF_PEERS_MAX);
	if (grow((void **)&c->peers, c->npeers, sizeof(*peer), true))
		return conf_fail_nomem(p);
	peer = &c->peers[c->npeers];
	memset(peer, 0, sizeof(*peer));
	memcpy(peer->name, name, strlen(name) + 1);
	peer->port = CONF_DEFAULT_PORT;
	peer->mode = ESP_MODE_TRANSPORT;
	peer->line = p->line;
	p->sec = CONF_SEC_PEER;
	p->idx = c->npeers++;
	return 0;
}

static int sa_open(struct conf_parser *p, const char *name)
{
	struct conf *c = p->c;
	struct conf_sa *sa;
	unsigned i;

	for (i = 0; i < c->nsas; i++)
		if (!strcmp(c->sas[i].name, name))
			return conf_fail(p, p->line, "duplicate [sa %s] (first "
					 "on line %u)", name, c->sas[i].line);
	if (c->nsas >= CONF_SAS_MAX)
		return conf_fail(p, p->line, "more than %d SAs", CONF_SAS_MAX);
	if (grow((void **)&c->sas, c->nsas, sizeof(*sa), true))
		return conf_fail_nomem(p);
	sa = &c->sas[c->nsas];
	memset(sa, 0, sizeof(*sa));
	memcpy(sa->name, name, strlen(name) + 1);
	sa->line = p->line;
	p->sec = CONF_SEC_SA;
	p->idx = c->nsas++;
	return 0;
}

static int daemon_open(struct conf_parser *p)
{
	if (p->c->daemon.line)
		return conf_fail(p, p->line, "duplicate [daemon] (first on "
				 "line %u)", p->c->daemon.line);
	p->c->daemon.line = p->line;
	p->sec = CONF_SEC_DAEMON;
	return 0;
}

int conf_section_open(struct conf_parser *p, const char *kind,
		      const char *name)
{
	char q[CONF_QUOTE_MAX];
	int err = conf_check_section(p);
	bool is_daemon = !strcmp(kind, "daemon");

	if (err)
		return err;
	if (!is_daemon && strcmp(kind, "peer") && strcmp(kind, "sa"))
		return conf_fail(p, p->line, "unknown section %s; expected "
				 "[daemon], [peer NAME] or [sa NAME]",
				 conf_quote(kind, q));
	if (is_daemon && name)
		return conf_fail(p, p->line, "[daemon] takes no name");
	if (is_daemon)
		return daemon_open(p);
	if (!name)
		return conf_fail(p, p->line, "[%s] needs a name: [%s NAME]",
				 kind, kind);
	if (!conf_name_ok(name, CONF_NAME_MAX))
		return conf_fail(p, p->line, "%s name %s must be 1-%d "
				 "characters of A-Z a-z 0-9 . _ -", kind,
				 conf_quote(name, q), CONF_NAME_MAX);
	return !strcmp(kind, "peer") ? peer_open(p, name) : sa_open(p, name);
}
