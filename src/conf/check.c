/* SPDX-License-Identifier: MIT */
/*
 * Checks that need more than one line: a section's required keys and the
 * keys that depend on each other (when the section ends), and the checks
 * across sections (after the last line). Each error is reported at the line
 * of the offending key, or of the section header for a missing key.
 * Defaults that depend on other keys (ICV, replay window, selector
 * prefixes, IKE identities) are filled in here or, for the IKE keys of a
 * peer, in ike.c.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "conf/parse.h"
#include "dp/limits.h"

#define IPV6_MIN_MTU 1280 /* RFC 8200 §5 */

static const char *family_name(uint8_t family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static int daemon_check(struct conf_parser *p)
{
	const struct conf_daemon *d = &p->c->daemon;

	if (!d->key_line[CONF_DAEMON_LOCAL_ADDRESS])
		return conf_fail(p, d->line, "[daemon]: missing "
				 "\"local-address\"");
	if (d->local.family == AF_INET6 && d->mtu < IPV6_MIN_MTU)
		return conf_fail(p, d->key_line[CONF_DAEMON_MTU], "mtu: %u is "
				 "below the IPv6 minimum of %d", d->mtu,
				 IPV6_MIN_MTU);
	return 0;
}

static int peer_section_check(struct conf_parser *p, struct conf_peer *peer)
{
	if (!peer->key_line[CONF_PEER_ADDRESS])
		return conf_fail(p, peer->line, "peer \"%s\": missing "
				 "\"address\"", peer->name);
	if (!peer->nsel)
		return conf_fail(p, peer->line, "peer \"%s\": needs at least "
				 "one \"protect\" line", peer->name);
	return conf_ike_check_section(p, peer);
}

static int sa_required(struct conf_parser *p, const struct conf_sa *sa)
{
	static const struct {
		enum conf_sa_key key;
		const char *name;
	} req[] = {
		{ CONF_SA_PEER, "peer" }, { CONF_SA_DIRECTION, "direction" },
		{ CONF_SA_SPI, "spi" }, { CONF_SA_CIPHER, "cipher" },
	};
	unsigned i;

	for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (!sa->key_line[req[i].key])
			return conf_fail(p, sa->line, "sa \"%s\": missing "
					 "\"%s\"", sa->name, req[i].name);
	return 0;
}

static int sa_icv_check(struct conf_parser *p, struct conf_sa *sa,
			const struct esp_cipher_info *info)
{
	char allowed[32];
	size_t used = 0;
	unsigned i;

	if (!sa->key_line[CONF_SA_ICV]) {
		sa->icv = info->default_icv;
		return 0;
	}
	if (esp_cipher_icv_ok(info, sa->icv))
		return 0;
	if (!info->integrity)
		return conf_fail(p, sa->key_line[CONF_SA_ICV], "sa \"%s\": "
				 "cipher %s has no ICV; leave \"icv\" out",
				 sa->name, info->name);
	allowed[0] = '\0';
	for (i = 0; i < sizeof(info->icv_lens) && info->icv_lens[i]; i++)
		used += (size_t)snprintf(allowed + used, sizeof(allowed) - used,
					 "%s%u", i ? ", " : "",
					 info->icv_lens[i]);
	return conf_fail(p, sa->key_line[CONF_SA_ICV], "sa \"%s\": %s does "
			 "not allow icv %u (allowed: %s)", sa->name, info->name,
			 sa->icv, allowed);
}

static int sa_key_check(struct conf_parser *p, const struct conf_sa *sa,
			const struct esp_cipher_info *info)
{
	unsigned need = (unsigned)info->key_len + info->salt_len;
	unsigned line = sa->key_line[CONF_SA_KEY];
	char salt[32] = "";

	if (!need && sa->key_len)
		return conf_fail(p, line, "sa \"%s\": cipher %s takes no key; "
				 "leave \"key\" out or empty", sa->name,
				 info->name);
	if (!need)
		return 0;
	if (!line)
		return conf_fail(p, sa->line, "sa \"%s\": missing \"key\"",
				 sa->name);
	if (sa->key_len == need)
		return 0;
	if (info->salt_len)
		snprintf(salt, sizeof(salt), " + %u-byte salt", info->salt_len);
	return conf_fail(p, line, "sa \"%s\": key is %u bytes, %s takes %u "
			 "(%u-byte key%s)", sa->name, sa->key_len, info->name,
			 need, info->key_len, salt);
}

static int sa_direction_check(struct conf_parser *p, struct conf_sa *sa)
{
	unsigned rw = sa->key_line[CONF_SA_REPLAY_WINDOW];
	unsigned tfc = sa->key_line[CONF_SA_TFC_PAD];
	unsigned cpu = sa->key_line[CONF_SA_CPU];

	if (!sa->inbound && rw)
		return conf_fail(p, rw, "sa \"%s\": replay-window applies to "
				 "inbound SAs only", sa->name);
	if (sa->inbound && tfc)
		return conf_fail(p, tfc, "sa \"%s\": tfc-pad applies to "
				 "outbound SAs only", sa->name);
	if (sa->inbound && cpu)
		return conf_fail(p, cpu, "sa \"%s\": cpu applies to outbound "
				 "SAs only", sa->name);
	if (!sa->inbound)
		sa->replay_window = 0;
	else if (!rw)
		sa->replay_window = REPLAY_WINDOW_DEFAULT;
	return 0;
}

static int sa_section_check(struct conf_parser *p, struct conf_sa *sa)
{
	const struct esp_cipher_info *info;
	int err = sa_required(p, sa);

	if (err)
		return err;
	info = esp_cipher_info(sa->cipher);
	err = sa_icv_check(p, sa, info);
	if (!err)
		err = sa_key_check(p, sa, info);
	if (!err)
		err = sa_direction_check(p, sa);
	return err;
}

int conf_check_section(struct conf_parser *p)
{
	switch (p->sec) {
	case CONF_SEC_DAEMON:
		return daemon_check(p);
	case CONF_SEC_PEER:
		return peer_section_check(p, &p->c->peers[p->idx]);
	case CONF_SEC_SA:
		return sa_section_check(p, &p->c->sas[p->idx]);
	default:
		return 0;
	}
}

static int peer_addr_check(struct conf_parser *p, unsigned i)
{
	const struct conf *c = p->c;
	const struct conf_peer *peer = &c->peers[i];
	unsigned line = peer->key_line[CONF_PEER_ADDRESS], j;

	if (peer->addr.family != c->daemon.local.family)
		return conf_fail(p, line, "peer \"%s\": address is %s but "
				 "local-address is %s", peer->name,
				 family_name(peer->addr.family),
				 family_name(c->daemon.local.family));
	if (addr_equal(&peer->addr, &c->daemon.local))
		return conf_fail(p, line, "peer \"%s\": address is this host's "
				 "local-address", peer->name);
	for (j = 0; j < i; j++)
		if (addr_equal(&peer->addr, &c->peers[j].addr))
			return conf_fail(p, line, "peer \"%s\": address is "
					 "already peer \"%s\"'s (line %u)",
					 peer->name, c->peers[j].name,
					 c->peers[j].key_line[CONF_PEER_ADDRESS]);
	return 0;
}

static int peer_selectors_check(struct conf_parser *p, struct conf_peer *peer)
{
	unsigned i, j;
	int err;

	for (i = 0; i < peer->nsel; i++) {
		err = conf_selector_resolve(p, peer, &peer->sel[i]);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if (conf_selector_equal(&peer->sel[i], &peer->sel[j]))
				return conf_fail(p, peer->sel[i].line,
						 "protect: same traffic as on "
						 "line %u", peer->sel[j].line);
	}
	return 0;
}

/*
 * A peer may have several SAs per direction (per-resource SAs, RFC 9611):
 * outbound ones are told apart by cpu, inbound ones by SPI, which is
 * unique per direction in any case. The error is at the cpu line, or at
 * the direction line when cpu is not written (it is then 0).
 */
static int sa_pair_check(struct conf_parser *p, const struct conf_sa *sa,
			 const struct conf_sa *o)
{
	const char *dir = sa->inbound ? "inbound" : "outbound";
	unsigned line = sa->key_line[CONF_SA_CPU];

	if (o->inbound != sa->inbound)
		return 0;
	if (!line)
		line = sa->key_line[CONF_SA_DIRECTION];
	if (!sa->inbound && o->peer == sa->peer && o->cpu == sa->cpu)
		return conf_fail(p, line, "sa \"%s\": peer \"%s\" already has "
				 "an outbound SA for cpu %u, \"%s\" (line %u)",
				 sa->name, sa->peer_name, (unsigned)sa->cpu, o->name,
				 o->line);
	if (o->spi == sa->spi)
		return conf_fail(p, sa->key_line[CONF_SA_SPI], "sa \"%s\": spi "
				 "0x%08x is already used by %s sa \"%s\" (line "
				 "%u)", sa->name, sa->spi, dir, o->name, o->line);
	return 0;
}

static int sa_link(struct conf_parser *p, unsigned i)
{
	struct conf *c = p->c;
	struct conf_sa *sa = &c->sas[i];
	const struct conf_peer *peer = conf_find_peer(c, sa->peer_name);
	unsigned j;
	int err;

	if (!peer)
		return conf_fail(p, sa->key_line[CONF_SA_PEER], "sa \"%s\": no "
				 "[peer %s] in this file", sa->name,
				 sa->peer_name);
	if (peer->ike.enabled)
		return conf_fail(p, sa->line, "sa \"%s\": peer \"%s\" is "
				 "managed by IKE (auth on line %u): its SAs "
				 "come from IKE, not from [sa] sections",
				 sa->name, peer->name,
				 peer->ike.key_line[CONF_IKE_AUTH]);
	sa->peer = (unsigned)(peer - c->peers);
	for (j = 0; j < i; j++) {
		err = sa_pair_check(p, sa, &c->sas[j]);
		if (err)
			return err;
	}
	if (sa->key_line[CONF_SA_TFC_PAD] && peer->mode != ESP_MODE_TUNNEL)
		return conf_fail(p, sa->key_line[CONF_SA_TFC_PAD], "sa \"%s\": "
				 "tfc-pad needs a tunnel-mode peer; peer \"%s\" "
				 "is in transport mode", sa->name, peer->name);
	return 0;
}

int conf_check_file(struct conf_parser *p)
{
	struct conf *c = p->c;
	unsigned i;
	int err = conf_check_section(p);

	p->sec = CONF_SEC_NONE;
	if (!err && !c->daemon.line)
		err = conf_fail(p, 0, "no [daemon] section (it must give "
				"local-address)");
	for (i = 0; !err && i < c->npeers; i++) {
		err = peer_addr_check(p, i);
		if (!err)
			err = peer_selectors_check(p, &c->peers[i]);
		if (!err)
			conf_ike_resolve(c, &c->peers[i]);
	}
	for (i = 0; !err && i < c->nsas; i++)
		err = sa_link(p, i);
	return err;
}
