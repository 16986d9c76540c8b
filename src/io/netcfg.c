/* SPDX-License-Identifier: MIT */
#include "io/netcfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/run.h"
#include "util/log.h"

/* Routing tables the kernel reserves: default, main, local. */
#define TABLE_RESERVED_LO 253
#define TABLE_RESERVED_HI 255

/* Stale fwmark rules deleted per family before giving up (a crashed run
 * leaves one; repeated crashes with different priorities leave more). */
#define RULE_DEL_MAX 32

/* The ruleset text buffer starts at MIN and doubles up to MAX. */
#define NFT_TEXT_MIN 4096
#define NFT_TEXT_MAX (1u << 20)

#define IPV4_MIN_MTU 68
#define UDP_HDR_LEN 8
#define ESP_HDR_LEN 8        /* SPI and sequence number */
#define ESP_PAD_MAX 3        /* to a 4-byte boundary (RFC 4303 §2.4) */
#define ESP_TRAILER_LEN 2    /* pad length, next header */
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define ESP_FIELD_MAX 255    /* IV and ICV lengths beyond any cipher's */

/* Neighbour discovery that must pass in the clear (RFC 4861 §4.1-4.4). */
#define ND_TYPES "icmpv6 type { nd-router-solicit, nd-router-advert, " \
		 "nd-neighbor-solicit, nd-neighbor-advert }"

/* Which selectors a chain is built from. */
#define MODES_TRANSPORT (1u << NETCFG_TRANSPORT)
#define MODES_TUNNEL (1u << NETCFG_TUNNEL)
#define MODES_ALL (MODES_TRANSPORT | MODES_TUNNEL)

/* ---- validation ---- */

static bool port_any(uint16_t lo, uint16_t hi)
{
	return lo == 0 && hi == 65535;
}

static bool sel_ports_any(const struct netcfg_sel *s)
{
	return port_any(s->lport_lo, s->lport_hi) &&
	       port_any(s->rport_lo, s->rport_hi);
}

/* The nft keyword of a protocol with ports, or NULL. */
static const char *l4_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_DCCP:
		return "dccp";
	case IPPROTO_UDPLITE:
		return "udplite";
	}
	return NULL;
}

/* The name ends up in nft identifiers and /proc paths: keep it plain. */
static bool tun_name_ok(const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ), i;

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

static bool prefix_ok(const struct ip_prefix *p, uint8_t family)
{
	return !p->len || (p->addr.family == family &&
			   p->len <= addr_len(family) * 8);
}

static const char *sel_invalid(const struct netcfg_sel *s)
{
	if (s->family != AF_INET && s->family != AF_INET6)
		return "family is neither IPv4 nor IPv6";
	if (!prefix_ok(&s->local, s->family) || !prefix_ok(&s->remote, s->family))
		return "prefix of another family or too long";
	if (s->lport_lo > s->lport_hi || s->rport_lo > s->rport_hi)
		return "port range ends before it starts";
	if (!sel_ports_any(s) && !l4_name(s->proto))
		return "ports need TCP, UDP, SCTP, DCCP or UDP-Lite";
	if (s->mode != NETCFG_TRANSPORT && s->mode != NETCFG_TUNNEL)
		return "unknown mode";
	if (s->mode == NETCFG_TUNNEL && !s->remote.len)
		return "tunnel mode needs a remote prefix";
	return NULL;
}

static const char *cfg_invalid(const struct netcfg *c)
{
	if (!tun_name_ok(c->tun))
		return "TUN name empty, too long or not [A-Za-z0-9_.-]";
	if (!c->table ||
	    (c->table >= TABLE_RESERVED_LO && c->table <= TABLE_RESERVED_HI))
		return "routing table 0 or reserved (253-255)";
	if (!c->fwmark || !c->bypass_mark || c->fwmark == c->bypass_mark)
		return "fwmark and bypass mark must be non-zero and differ";
	if (c->local.family != AF_INET && c->local.family != AF_INET6)
		return "local address without a family";
	if (!c->port)
		return "UDP port 0";
	if (c->nsels && !c->sels)
		return "selector list missing";
	return NULL;
}

int netcfg_validate(const struct netcfg *c)
{
	const char *why = cfg_invalid(c);
	size_t i;

	if (why) {
		log_err("netcfg %.*s: %s", IFNAMSIZ, c->tun, why);
		return -EINVAL;
	}
	for (i = 0; i < c->nsels; i++) {
		why = sel_invalid(&c->sels[i]);
		if (why) {
			log_err("netcfg %s: selector %zu: %s", c->tun, i, why);
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether any selector of family (0: any) has a mode in modes. */
static bool has_sel(const struct netcfg *c, int family, unsigned modes)
{
	size_t i;

	for (i = 0; i < c->nsels; i++)
		if ((!family || c->sels[i].family == family) &&
		    ((1u << c->sels[i].mode) & modes))
			return true;
	return false;
}

/* ---- nftables text ---- */

/* Appends to a fixed buffer; once something does not fit, nothing more is
 * written and full stays set. */
struct sbuf {
	char *p;
	size_t cap, len;
	bool full;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->full = true;
		return;
	}
	b->len += (size_t)n;
}

/* One end of a flow as a rule matches it. */
struct side {
	const struct ip_prefix *pfx;
	uint16_t port_lo, port_hi;
};

static void sb_prefix(struct sbuf *b, const char *fam, const char *dir,
		      const struct ip_prefix *p)
{
	char a[ADDR_STRLEN];

	if (!p->len)
		return;
	addr_format(&p->addr, a);
	if (p->len == addr_len(p->addr.family) * 8)
		sb_printf(b, " %s %s %s", fam, dir, a);
	else
		sb_printf(b, " %s %s %s/%u", fam, dir, a, p->len);
}

static void sb_ports(struct sbuf *b, const char *l4, const char *dir,
		     uint16_t lo, uint16_t hi)
{
	if (port_any(lo, hi))
		return;
	if (lo == hi)
		sb_printf(b, " %s %s %u", l4, dir, lo);
	else
		sb_printf(b, " %s %s %u-%u", l4, dir, lo, hi);
}

/* The match of one rule for s, as packets from local to remote see it, or
 * from remote to local when reverse is set. */
static void sb_match(struct sbuf *b, const struct netcfg_sel *s, bool reverse)
{
	struct side l = { &s->local, s->lport_lo, s->lport_hi };
	struct side r = { &s->remote, s->rport_lo, s->rport_hi };
	const struct side *src = reverse ? &r : &l, *dst = reverse ? &l : &r;
	bool v4 = s->family == AF_INET;
	const char *fam = v4 ? "ip" : "ip6";

	sb_printf(b, "\t\tmeta nfproto %s", v4 ? "ipv4" : "ipv6");
	sb_prefix(b, fam, "saddr", src->pfx);
	sb_prefix(b, fam, "daddr", dst->pfx);
	if (sel_ports_any(s)) {
		if (s->proto)
			sb_printf(b, " meta l4proto %u", s->proto);
		return;
	}
	sb_ports(b, l4_name(s->proto), "sport", src->port_lo, src->port_hi);
	sb_ports(b, l4_name(s->proto), "dport", dst->port_lo, dst->port_hi);
}

/* A drop rule, reversed, for every selector with a mode in modes. */
static void sb_drops(struct sbuf *b, const struct netcfg *c, unsigned modes)
{
	size_t i;

	for (i = 0; i < c->nsels; i++) {
		if (!((1u << c->sels[i].mode) & modes))
			continue;
		sb_match(b, &c->sels[i], true);
		sb_printf(b, " counter drop\n");
	}
}

/*
 * A TCP connection chooses its MSS from the route it had before its packets
 * were marked into TUN, i.e. for the underlay MTU: its first full-size
 * segments would not fit TUN. Lower the MSS option of the SYNs steered into
 * TUN to what fits (IPv4 and TCP headers 40 bytes, IPv6 60).
 */
static void render_mss_clamp(struct sbuf *b, const struct netcfg *c)
{
	static const struct { const char *proto; unsigned hdrs; } fam[] = {
		{ "ipv4", 40 }, { "ipv6", 60 },
	};
	size_t i;

	if (!c->tun_mtu)
		return;
	for (i = 0; i < 2; i++) {
		unsigned mss = c->tun_mtu > fam[i].hdrs ? c->tun_mtu - fam[i].hdrs
						       : 0;

		if (!mss)
			continue;
		sb_printf(b, "\t\tmeta mark 0x%08x meta nfproto %s "
			     "tcp flags & (syn | rst) == syn "
			     "tcp option maxseg size > %u "
			     "tcp option maxseg size set %u\n",
			  c->fwmark, fam[i].proto, mss, mss);
	}
}

static void render_out(struct sbuf *b, const struct netcfg *c)
{
	size_t i;

	sb_printf(b, "\tchain out {\n"
		     "\t\ttype route hook output priority mangle; policy accept;\n"
		     "\t\tmeta mark 0x%08x return\n"
		     "\t\toifname \"lo\" return\n", c->bypass_mark);
	if (has_sel(c, AF_INET6, MODES_TRANSPORT))
		sb_printf(b, "\t\t" ND_TYPES " return\n");
	for (i = 0; i < c->nsels; i++) {
		if (c->sels[i].mode != NETCFG_TRANSPORT)
			continue;
		sb_match(b, &c->sels[i], false);
		sb_printf(b, " meta mark set 0x%08x\n", c->fwmark);
	}
	render_mss_clamp(b, c);
	sb_printf(b, "\t}\n");
}

static bool addr_unspecified(const struct ip_addr *a)
{
	unsigned i;

	for (i = 0; i < addr_len(a->family); i++)
		if (a->bytes[i])
			return false;
	return true;
}

static void render_in(struct sbuf *b, const struct netcfg *c)
{
	char a[ADDR_STRLEN];

	sb_printf(b, "\tchain in {\n"
		     "\t\ttype filter hook input priority filter; policy accept;\n"
		     "\t\tiifname \"lo\" accept\n"
		     "\t\tiifname \"%s\" accept\n", c->tun);
	if (addr_unspecified(&c->local))
		sb_printf(b, "\t\tudp dport %u accept\n", c->port);
	else
		sb_printf(b, "\t\t%s daddr %s udp dport %u accept\n",
			  c->local.family == AF_INET ? "ip" : "ip6",
			  addr_format(&c->local, a), c->port);
	if (has_sel(c, AF_INET6, MODES_ALL))
		sb_printf(b, "\t\t" ND_TYPES " accept\n");
	sb_drops(b, c, MODES_ALL);
	sb_printf(b, "\t}\n");
}

/* Protected traffic leaves only through the TUN device, or as the daemon's
 * own ESP: a fail-closed net for the moments the rule or the routes are
 * missing (netcfg_apply() replacing them, a crash taking the TUN device and
 * its routes away). */
static void render_post(struct sbuf *b, const struct netcfg *c)
{
	size_t i;

	if (!c->nsels)
		return;
	sb_printf(b, "\tchain post {\n"
		     "\t\ttype filter hook postrouting priority filter; policy accept;\n"
		     "\t\toifname \"%s\" accept\n"
		     "\t\toifname \"lo\" accept\n"
		     "\t\tmeta mark 0x%08x accept\n", c->tun, c->bypass_mark);
	if (has_sel(c, AF_INET6, MODES_ALL))
		sb_printf(b, "\t\t" ND_TYPES " accept\n");
	for (i = 0; i < c->nsels; i++) {
		sb_match(b, &c->sels[i], false);
		sb_printf(b, " counter drop\n");
	}
	sb_printf(b, "\t}\n");
}

/* Marks decrypted transport-mode packets so the reverse-path check finds
 * the TUN route (see netcfg.h). */
static void render_pre(struct sbuf *b, const struct netcfg *c)
{
	size_t i;

	if (!has_sel(c, 0, MODES_TRANSPORT))
		return;
	sb_printf(b, "\tchain pre {\n"
		     "\t\ttype filter hook prerouting priority mangle; policy accept;\n"
		     "\t\tiifname != \"%s\" return\n", c->tun);
	for (i = 0; i < c->nsels; i++) {
		if (c->sels[i].mode != NETCFG_TRANSPORT)
			continue;
		sb_match(b, &c->sels[i], true);
		sb_printf(b, " meta mark set 0x%08x\n", c->fwmark);
	}
	sb_printf(b, "\t}\n");
}

/* Tunnel mode may protect subnets behind this host: forwarded packets. */
static void render_fwd(struct sbuf *b, const struct netcfg *c)
{
	if (!has_sel(c, 0, MODES_TUNNEL))
		return;
	sb_printf(b, "\tchain forward {\n"
		     "\t\ttype filter hook forward priority filter; policy accept;\n"
		     "\t\tiifname \"%s\" accept\n", c->tun);
	sb_drops(b, c, MODES_TUNNEL);
	sb_printf(b, "\t}\n");
}

int netcfg_render_nft(const struct netcfg *c, char *buf, size_t cap)
{
	struct sbuf b = { .p = buf, .cap = cap };
	int err = netcfg_validate(c);

	if (err)
		return err;
	if (!cap)
		return -ENOSPC;
	/* Declaring before deleting makes the delete succeed whether or not
	 * a table was left behind; nft -f applies the file atomically. */
	sb_printf(&b, "table inet tunsec_%s {}\n"
		      "delete table inet tunsec_%s\n"
		      "table inet tunsec_%s {\n", c->tun, c->tun, c->tun);
	render_out(&b, c);
	render_post(&b, c);
	render_pre(&b, c);
	render_in(&b, c);
	render_fwd(&b, c);
	sb_printf(&b, "}\n");
	if (b.full || b.len > (size_t)__INT_MAX__) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)b.len;
}

/* ---- running ip and nft ---- */

/* 0 when the command succeeded, else -errno or -EIO (logged by run_argv). */
static int run_ok(const char *const argv[], const char *stdin_text)
{
	int r = run_argv(argv, stdin_text, NULL, 0);

	return r > 0 ? -EIO : r;
}

/* The answers of ip and nft (under LC_ALL=C) when what is to be deleted is
 * not there, or went away with the device. */
static bool output_absent(const char *out)
{
	static const char *const absent[] = {
		"No such file or directory", "No such process",
		"Cannot find device", "FIB table does not exist",
	};
	size_t i;

	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		if (strstr(out, absent[i]))
			return true;
	return false;
}

/* Delete something: 0 deleted, 1 absent, or -EIO/-errno (logged). */
static int run_del(const char *const argv[])
{
	char out[RUN_LOG_MAX];
	int r = run_argv_quiet(argv, NULL, out, sizeof(out));

	if (!r)
		return 0;
	if (r > 0 && output_absent(out))
		return 1;
	run_log_failure(argv, r, out);
	return r > 0 ? -EIO : r;
}

/* Delete something that may be absent: 0, or -EIO/-errno (logged). */
static int run_del_ok(const char *const argv[])
{
	int r = run_del(argv);

	return r < 0 ? r : 0;
}

static const char *fam_opt(int family)
{
	return family == AF_INET6 ? "-6" : "-4";
}

static int route_default(const struct netcfg *c, int family, bool add)
{
	char table[16];
	const char *argv[] = { "ip", fam_opt(family), "route",
			       add ? "replace" : "del", "default", "dev",
			       c->tun, "table", table, NULL };

	snprintf(table, sizeof(table), "%u", c->table);
	if (add)
		return run_ok(argv, NULL);
	return run_del_ok(argv);
}

static int rule_add(const struct netcfg *c, int family)
{
	char mark[16], table[16], prio[16];
	const char *argv[] = { "ip", fam_opt(family), "rule", "add", "fwmark",
			       mark, "lookup", table, "priority", prio, NULL };

	snprintf(mark, sizeof(mark), "0x%08x", c->fwmark);
	snprintf(table, sizeof(table), "%u", c->table);
	snprintf(prio, sizeof(prio), "%u",
		 c->rule_priority ? c->rule_priority : NETCFG_RULE_PRIORITY);
	return run_ok(argv, NULL);
}

/* Every rule "fwmark F lookup T", whatever its priority. */
static int rules_delete(const struct netcfg *c, int family)
{
	char mark[16], table[16];
	const char *argv[] = { "ip", fam_opt(family), "rule", "del", "fwmark",
			       mark, "lookup", table, NULL };
	int i, r;

	snprintf(mark, sizeof(mark), "0x%08x", c->fwmark);
	snprintf(table, sizeof(table), "%u", c->table);
	for (i = 0; i < RULE_DEL_MAX; i++) {
		r = run_del(argv);
		if (r)
			return r < 0 ? r : 0;
	}
	log_err("netcfg %s: more than %d fwmark rules to delete", c->tun,
		RULE_DEL_MAX);
	return -EIO;
}

static int tunnel_route_add(const struct netcfg *c,
			    const struct netcfg_sel *s)
{
	char a[ADDR_STRLEN], pfx[ADDR_STRLEN + 4];
	const char *argv[] = { "ip", fam_opt(s->family), "route", "replace",
			       pfx, "dev", c->tun, NULL };

	snprintf(pfx, sizeof(pfx), "%s/%u", addr_format(&s->remote.addr, a),
		 s->remote.len);
	return run_ok(argv, NULL);
}

/* Every route through the TUN device in the main table that was added by
 * hand (proto boot, as tunnel_route_add() adds them; the kernel's own are
 * proto kernel), including those of selectors an earlier configuration had
 * and this one has not. */
static int tunnel_routes_flush(const struct netcfg *c, int family)
{
	const char *argv[] = { "ip", fam_opt(family), "route", "flush", "dev",
			       c->tun, "proto", "boot", NULL };

	return run_del_ok(argv);
}

static int nft_delete(const struct netcfg *c)
{
	char table[IFNAMSIZ + 8];
	const char *argv[] = { "nft", "delete", "table", "inet", table, NULL };

	snprintf(table, sizeof(table), "tunsec_%s", c->tun);
	return run_del_ok(argv);
}

static int nft_load(const struct netcfg *c)
{
	const char *argv[] = { "nft", "-f", "-", NULL };
	size_t cap;
	char *text;
	int r = -ENOSPC;

	for (cap = NFT_TEXT_MIN; r == -ENOSPC && cap <= NFT_TEXT_MAX; cap *= 2) {
		text = malloc(cap);
		if (!text)
			return -ENOMEM;
		r = netcfg_render_nft(c, text, cap);
		if (r >= 0)
			r = run_ok(argv, text);
		free(text);
	}
	return r;
}

/* Write value to /proc/sys/net/ipv4/conf/<tun>/<key>. */
static int sysctl_set(const struct netcfg *c, const char *key,
		      const char *value)
{
	char path[128];
	size_t len = strlen(value);
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", c->tun,
		 key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
	} else {
		ssize_t n = write(fd, value, len);

		if (n != (ssize_t)len)
			err = n < 0 ? -errno : -EIO;
		close(fd);
	}
	if (err)
		log_err("netcfg %s: %s = %s: %s", c->tun, path, value,
			strerror(-err));
	return err;
}

/* ---- apply and remove ---- */

static int apply_family(const struct netcfg *c, int family)
{
	int err;

	if (!has_sel(c, family, MODES_TRANSPORT))
		return 0;
	err = route_default(c, family, true);
	if (!err)
		err = rule_add(c, family);
	return err;
}

static int apply_steps(const struct netcfg *c)
{
	size_t i;
	int err = 0;

	if (has_sel(c, AF_INET, MODES_ALL)) {
		err = sysctl_set(c, "rp_filter", "2");
		if (!err)
			err = sysctl_set(c, "accept_local", "1");
		if (!err)
			err = sysctl_set(c, "src_valid_mark", "1");
	}
	if (!err)
		err = apply_family(c, AF_INET);
	if (!err)
		err = apply_family(c, AF_INET6);
	for (i = 0; !err && i < c->nsels; i++)
		if (c->sels[i].mode == NETCFG_TUNNEL)
			err = tunnel_route_add(c, &c->sels[i]);
	/* Last: from here on packets are marked and dropped. */
	if (!err)
		err = nft_load(c);
	return err;
}

/* The rules and routes; the nft table stays. */
static int remove_routing(const struct netcfg *c)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int err = 0, e;
	size_t i;

	for (i = 0; i < 2; i++) {
		e = rules_delete(c, families[i]);
		err = err ? err : e;
		e = route_default(c, families[i], false);
		err = err ? err : e;
		e = tunnel_routes_flush(c, families[i]);
		err = err ? err : e;
	}
	return err;
}

int netcfg_remove(const struct netcfg *c)
{
	int err = netcfg_validate(c), e;

	if (err)
		return err;
	/* The table first: once nothing is marked, no rule is needed. */
	err = nft_delete(c);
	e = remove_routing(c);
	return err ? err : e;
}

int netcfg_apply(const struct netcfg *c)
{
	int err = netcfg_validate(c);

	if (err)
		return err;
	/* A table left in place keeps protected traffic from leaking while
	 * rules and routes are rebuilt; loading the new one replaces it. */
	if (remove_routing(c))
		log_warn("netcfg %s: leftovers of an earlier run not all removed",
			 c->tun);
	err = apply_steps(c);
	if (err) {
		log_err("netcfg %s: not applied; undoing", c->tun);
		netcfg_remove(c);
	}
	return err;
}

/* ---- MTU ---- */

unsigned netcfg_esp_overhead(enum netcfg_mode mode, int outer_family,
			     unsigned iv_len, unsigned icv_len)
{
	unsigned n = UDP_HDR_LEN + ESP_HDR_LEN + iv_len + ESP_PAD_MAX +
		     ESP_TRAILER_LEN + icv_len;

	if (mode == NETCFG_TUNNEL)
		n += outer_family == AF_INET6 ? IPV6_HDR_LEN : IPV4_HDR_LEN;
	return n;
}

int netcfg_tun_mtu(unsigned underlay_mtu, enum netcfg_mode mode,
		   int outer_family, unsigned iv_len, unsigned icv_len)
{
	unsigned over;

	if (iv_len > ESP_FIELD_MAX || icv_len > ESP_FIELD_MAX)
		return -EINVAL;
	over = netcfg_esp_overhead(mode, outer_family, iv_len, icv_len);
	if (underlay_mtu > 65535 || underlay_mtu < over + IPV4_MIN_MTU)
		return -EINVAL;
	return (int)(underlay_mtu - over);
}
