/* SPDX-License-Identifier: MIT */
/*
 * Traffic selectors of "protect = ..." lines:
 *
 *   SELECTOR := ITEM { ITEM }       each ITEM kind at most once, any order
 *   ITEM     := "local" PREFIX | "remote" PREFIX
 *             | "proto" ("tcp" | "udp" | "icmp" | "icmpv6" | "sctp" | 1-255)
 *             | "lport" RANGE | "rport" RANGE
 *   RANGE    := PORT [ "-" PORT ]   first <= last; ports 0-65535
 *
 * Ports need proto tcp, udp or sctp; local and remote are of one family.
 * Defaults for the prefixes not written depend on the peer's mode and the
 * underlay addresses, so they are filled in after the whole file is read
 * (conf_selector_resolve).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/parse.h"

#define WORD_MAX 64

enum item { ITEM_LOCAL, ITEM_REMOTE, ITEM_PROTO, ITEM_LPORT, ITEM_RPORT,
	    ITEM_COUNT };

static const char *const item_names[ITEM_COUNT] = {
	"local", "remote", "proto", "lport", "rport",
};

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
	{ "sctp", 132 },
};

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

static const char *family_name(uint8_t family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static int proto_parse(struct conf_parser *p, const char *w, uint8_t *out)
{
	char q[CONF_QUOTE_MAX];
	uint32_t n;
	unsigned i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcmp(w, protos[i].name)) {
			*out = protos[i].proto;
			return 0;
		}
	}
	if (conf_number(w, 1, 255, &n))
		return conf_fail(p, p->line, "protect: proto %s is not tcp, "
				 "udp, icmp, icmpv6, sctp or a number 1-255",
				 conf_quote(w, q));
	*out = (uint8_t)n;
	return 0;
}

/* "N" or "N-M" with N <= M. The word is a copy: it may be cut at "-". */
static int range_parse(struct conf_parser *p, const char *item, char *w,
		       uint16_t *lo, uint16_t *hi)
{
	char q[CONF_QUOTE_MAX];
	char *dash = strchr(w, '-');
	const char *last = dash ? dash + 1 : w;
	uint32_t a, b;

	conf_quote(w, q);
	if (dash)
		*dash = '\0';
	if (conf_number(w, 0, 65535, &a) || conf_number(last, 0, 65535, &b))
		return conf_fail(p, p->line, "protect: %s %s is not a port "
				 "0-65535 or a range N-M", item, q);
	if (a > b)
		return conf_fail(p, p->line, "protect: %s %s is an empty range "
				 "(N-M needs N <= M)", item, q);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int prefix_item(struct conf_parser *p, const char *item,
		       const char *w, struct ip_prefix *out)
{
	char q[CONF_QUOTE_MAX];

	if (prefix_parse(w, out))
		return conf_fail(p, p->line, "protect: %s %s is not an address "
				 "or prefix", item, conf_quote(w, q));
	return 0;
}

static int item_parse(struct conf_parser *p, enum item it, char *w,
		      struct conf_selector *s)
{
	switch (it) {
	case ITEM_LOCAL:
		s->has_local = true;
		return prefix_item(p, "local", w, &s->local);
	case ITEM_REMOTE:
		s->has_remote = true;
		return prefix_item(p, "remote", w, &s->remote);
	case ITEM_PROTO:
		return proto_parse(p, w, &s->proto);
	case ITEM_LPORT:
		return range_parse(p, "lport", w, &s->lport_lo, &s->lport_hi);
	default:
		return range_parse(p, "rport", w, &s->rport_lo, &s->rport_hi);
	}
}

static int item_find(struct conf_parser *p, const char *w, int wl,
		     unsigned seen, enum item *out)
{
	char q[CONF_QUOTE_MAX];
	unsigned i;

	for (i = 0; wl > 0 && i < ITEM_COUNT; i++)
		if (!strcmp(w, item_names[i]))
			break;
	if (wl <= 0 || i == ITEM_COUNT)
		return conf_fail(p, p->line, "protect: unknown word %s; "
				 "expected local, remote, proto, lport or "
				 "rport", conf_quote(w, q));
	if (seen & (1u << i))
		return conf_fail(p, p->line, "protect: \"%s\" given twice",
				 item_names[i]);
	*out = (enum item)i;
	return 0;
}

/* Checks that need the whole line. */
static int selector_check(struct conf_parser *p, unsigned seen,
			  const struct conf_selector *s)
{
	if (!seen)
		return conf_fail(p, p->line, "protect: empty selector");
	if ((seen & (1u << ITEM_LPORT | 1u << ITEM_RPORT)) &&
	    !has_ports(s->proto))
		return conf_fail(p, p->line, "protect: %s needs proto tcp, udp "
				 "or sctp", seen & 1u << ITEM_LPORT ? "lport"
								 : "rport");
	if (s->has_local && s->has_remote &&
	    s->local.addr.family != s->remote.addr.family)
		return conf_fail(p, p->line, "protect: local is %s but remote "
				 "is %s; one selector is of one family",
				 family_name(s->local.addr.family),
				 family_name(s->remote.addr.family));
	return 0;
}

int conf_selector_parse(struct conf_parser *p, const char *v,
			struct conf_selector *out)
{
	size_t pos = 0, len = strlen(v);
	char w[WORD_MAX];
	unsigned seen = 0;
	int wl, err;

	memset(out, 0, sizeof(*out));
	out->lport_hi = out->rport_hi = 65535;
	out->line = p->line;
	while ((wl = conf_word_next(v, len, &pos, w, sizeof(w))) != 0) {
		enum item it = ITEM_LOCAL;

		err = item_find(p, w, wl, seen, &it);
		if (err)
			return err;
		seen |= 1u << it;
		wl = conf_word_next(v, len, &pos, w, sizeof(w));
		if (wl == 0)
			return conf_fail(p, p->line, "protect: \"%s\" needs a "
					 "value", item_names[it]);
		err = wl < 0 ? conf_fail(p, p->line, "protect: value of \"%s\" "
					 "is too long", item_names[it])
			     : item_parse(p, it, w, out);
		if (err)
			return err;
	}
	return selector_check(p, seen, out);
}

static void host_prefix(struct ip_prefix *out, const struct ip_addr *a)
{
	out->addr = *a;
	out->len = (uint8_t)(addr_len(a->family) * 8);
}

static int resolve_transport(struct conf_parser *p,
			     const struct conf_peer *peer,
			     struct conf_selector *s)
{
	const struct ip_addr *local = &p->c->daemon.local;
	uint8_t fam = s->has_local ? s->local.addr.family
				   : s->has_remote ? s->remote.addr.family : 0;

	if (fam && fam != local->family)
		return conf_fail(p, s->line, "protect: peer \"%s\" is in "
				 "transport mode over %s, but this selector is "
				 "%s", peer->name, family_name(local->family),
				 family_name(fam));
	if (!s->has_local)
		host_prefix(&s->local, local);
	if (!s->has_remote)
		host_prefix(&s->remote, &peer->addr);
	return 0;
}

/* Tunnel mode: a prefix not written is the whole family of the other one,
 * or any address of any family (family 0) when neither is written. */
static void resolve_tunnel(struct conf_selector *s)
{
	if (!s->has_local) {
		memset(&s->local, 0, sizeof(s->local));
		if (s->has_remote)
			s->local.addr.family = s->remote.addr.family;
	}
	if (!s->has_remote) {
		memset(&s->remote, 0, sizeof(s->remote));
		if (s->has_local)
			s->remote.addr.family = s->local.addr.family;
	}
}

int conf_selector_resolve(struct conf_parser *p, const struct conf_peer *peer,
			  struct conf_selector *s)
{
	uint8_t fam;
	int err = 0;

	if (peer->mode == ESP_MODE_TRANSPORT)
		err = resolve_transport(p, peer, s);
	else
		resolve_tunnel(s);
	if (err)
		return err;
	fam = s->local.addr.family;
	if ((s->proto == 1 && fam == AF_INET6) ||
	    (s->proto == 58 && fam == AF_INET))
		return conf_fail(p, s->line, "protect: proto %s does not go "
				 "with %s addresses", s->proto == 1 ? "icmp"
								    : "icmpv6",
				 family_name(fam));
	return 0;
}

static bool prefix_equal(const struct ip_prefix *a, const struct ip_prefix *b)
{
	return a->len == b->len && a->addr.family == b->addr.family &&
	       (!a->addr.family || addr_equal(&a->addr, &b->addr));
}

bool conf_selector_equal(const struct conf_selector *a,
			 const struct conf_selector *b)
{
	return prefix_equal(&a->local, &b->local) &&
	       prefix_equal(&a->remote, &b->remote) && a->proto == b->proto &&
	       a->lport_lo == b->lport_lo && a->lport_hi == b->lport_hi &&
	       a->rport_lo == b->rport_lo && a->rport_hi == b->rport_hi;
}

/* Append to buf[size) at *used; output past the end is dropped. */
static void put(char *buf, size_t size, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

static void put_prefix(char *buf, size_t size, size_t *used,
		       const char *item, const struct ip_prefix *pf)
{
	char a[ADDR_STRLEN];

	if (pf->addr.family)
		put(buf, size, used, " %s %s/%u", item,
		    addr_format(&pf->addr, a), pf->len);
}

static void put_range(char *buf, size_t size, size_t *used, const char *item,
		      uint16_t lo, uint16_t hi)
{
	if (lo == 0 && hi == 65535)
		return;
	if (lo == hi)
		put(buf, size, used, " %s %u", item, lo);
	else
		put(buf, size, used, " %s %u-%u", item, lo, hi);
}

static void put_proto(char *buf, size_t size, size_t *used, uint8_t proto)
{
	unsigned i;

	if (!proto)
		return;
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (protos[i].proto == proto) {
			put(buf, size, used, " proto %s", protos[i].name);
			return;
		}
	}
	put(buf, size, used, " proto %u", proto);
}

const char *conf_selector_format(const struct conf_selector *sel, char *buf,
				 size_t size)
{
	char tmp[CONF_SELECTOR_STRLEN + 1];
	size_t used = 0;

	if (!size)
		return buf;
	tmp[0] = '\0';
	put_prefix(tmp, sizeof(tmp), &used, "local", &sel->local);
	put_prefix(tmp, sizeof(tmp), &used, "remote", &sel->remote);
	put_proto(tmp, sizeof(tmp), &used, sel->proto);
	put_range(tmp, sizeof(tmp), &used, "lport", sel->lport_lo,
		  sel->lport_hi);
	put_range(tmp, sizeof(tmp), &used, "rport", sel->rport_lo,
		  sel->rport_hi);
	/* tmp starts with a blank when anything was written. */
	snprintf(buf, size, "%s", used ? tmp + 1 : "any");
	return buf;
}

void conf_selector_to_spd(const struct conf_selector *sel, bool outbound,
			  struct spd_selector *out)
{
	memset(out, 0, sizeof(*out));
	out->proto = sel->proto;
	if (outbound) {
		out->src = sel->local;
		out->dst = sel->remote;
		out->sport_lo = sel->lport_lo;
		out->sport_hi = sel->lport_hi;
		out->dport_lo = sel->rport_lo;
		out->dport_hi = sel->rport_hi;
	} else {
		out->src = sel->remote;
		out->dst = sel->local;
		out->sport_lo = sel->rport_lo;
		out->sport_hi = sel->rport_hi;
		out->dport_lo = sel->lport_lo;
		out->dport_hi = sel->lport_hi;
	}
}

void conf_selector_from_spd(const struct spd_selector *sel,
			    struct conf_selector *out)
{
	memset(out, 0, sizeof(*out));
	out->local = sel->src;
	out->remote = sel->dst;
	out->has_local = out->has_remote = true;
	out->proto = sel->proto;
	out->lport_lo = sel->sport_lo;
	out->lport_hi = sel->sport_hi;
	out->rport_lo = sel->dport_lo;
	out->rport_hi = sel->dport_hi;
}
