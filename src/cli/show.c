/* SPDX-License-Identifier: MIT */
/*
 * tunsec show [--json]: the state of the running tunsecd, from one SHOW
 * reply (ctl/proto.h): the daemon, its peers, its SAs with their counters,
 * and the drop counters by reason, per SA and global.
 *
 * The reply is untrusted input like any other: it is validated whole by
 * ctl_msg_parse(), then every nest is indexed once (a repeated attribute
 * makes the reply malformed) before anything is printed. Attributes that
 * are missing are left out of the output; values of an unknown enum are
 * shown as numbers. Strings are printed only as well-formed UTF-8 without
 * control characters (anything else becomes '?' in text, U+FFFD in JSON), so
 * a reply cannot put terminal escapes on the screen or break the JSON.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ctlopt.h"

#define LABEL_W 15 /* text layout: values start after this column */

enum { OPT_SOCKET, OPT_JSON, OPT_COUNT };

static const struct cli_opt show_opts[OPT_COUNT] = {
	[OPT_SOCKET] = CLI_CTL_SOCKET_OPT,
	[OPT_JSON] = { "json", false, false },
};

static void help_print(FILE *f)
{
	fputs(
"usage: tunsec show [--socket PATH] [--json]\n"
"\n"
"Show the state of the running tunsecd: the daemon, its peers and the\n"
"traffic they protect, its SAs with their packet, byte and sequence\n"
"counters, and the drop counters by reason, per SA and global.\n"
"\n"
"  --socket PATH   tunsecd's control socket (default " CONF_DEFAULT_SOCKET ")\n"
"  --json          one JSON document instead of text\n"
"\n"
"Exit status: 0 shown; 1 tunsecd not reachable, refused, or sent a\n"
"malformed reply; 2 bad usage; 3 the output could not be written.\n", f);
}

/* ---- Reading the reply --------------------------------------------- */

/* Every nest at every level indexes without a repeated attribute. */
static bool nest_valid(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END], a;
	struct ctl_iter it;

	if (!ctl_attr_iter(nest, &it) || !ctl_iter_index(&it, tb))
		return false;
	while (ctl_iter_next(&it, &a))
		if (ctl_attr_kind(a.type) == CTL_KIND_NEST && !nest_valid(&a))
			return false;
	return true;
}

static bool reply_valid(const struct ctl_msg *m)
{
	struct ctl_attr tb[CTL_A_END], a;
	struct ctl_iter it;

	ctl_msg_iter(m, &it);
	if (!ctl_iter_index(&it, tb))
		return false;
	while (ctl_iter_next(&it, &a))
		if (ctl_attr_kind(a.type) == CTL_KIND_NEST && !nest_valid(&a))
			return false;
	return true;
}

/* Index nest |a| into tb (validated by reply_valid()). */
static void nest_index(const struct ctl_attr *a, struct ctl_attr *tb)
{
	struct ctl_iter it;

	if (!ctl_attr_iter(a, &it) || !ctl_iter_index(&it, tb))
		memset(tb, 0, sizeof(struct ctl_attr) * CTL_A_END);
}

/* An unsigned attribute of any width, when present. */
static bool get_num(const struct ctl_attr *tb, enum ctl_attr_type t,
		    uint64_t *v)
{
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;
	bool ok;

	if (!tb[t].type)
		return false;
	switch (ctl_attr_kind(t)) {
	case CTL_KIND_U8:
		ok = ctl_attr_u8(&tb[t], &v8);
		*v = v8;
		return ok;
	case CTL_KIND_U16:
		ok = ctl_attr_u16(&tb[t], &v16);
		*v = v16;
		return ok;
	case CTL_KIND_U32:
		ok = ctl_attr_u32(&tb[t], &v32);
		*v = v32;
		return ok;
	case CTL_KIND_U64:
		return ctl_attr_u64(&tb[t], v);
	default:
		return false;
	}
}

static const char *get_str(const struct ctl_attr *tb, enum ctl_attr_type t)
{
	return tb[t].type ? ctl_attr_str(&tb[t]) : NULL;
}

static bool get_addr(const struct ctl_attr *tb, enum ctl_attr_type t,
		     char buf[ADDR_STRLEN])
{
	struct ip_addr a;

	if (!tb[t].type || !ctl_attr_addr(&tb[t], &a))
		return false;
	addr_format(&a, buf);
	return true;
}

/* Names of DIR, MODE and ENCAP values; NULL for values unknown here. */
static const char *dir_name(uint64_t v)
{
	return v == CTL_DIR_IN ? "in" : v == CTL_DIR_OUT ? "out" : NULL;
}

static const char *mode_name(uint64_t v)
{
	return v == CTL_MODE_TRANSPORT ? "transport"
	       : v == CTL_MODE_TUNNEL  ? "tunnel"
				       : NULL;
}

static const char *encap_name(uint64_t v)
{
	return v == CTL_ENCAP_UDP ? "udp" : v == CTL_ENCAP_NONE ? "none" : NULL;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629 §4), or 0. s is
 * NUL-terminated; no byte past the first failing one is read.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t i, n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A control character: C0, DEL, or C1 (U+0080-U+009F, 0xc2 0x80-0x9f). */
static bool is_control(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

/* ---- Text ------------------------------------------------------------ */

/* s with every byte of a malformed or control sequence replaced by '?';
 * buf holds at least strlen(s) + 1 bytes. */
static const char *text_clean(const char *s, char *buf)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, k;

	while (u[i]) {
		n = utf8_len(u + i);
		if (n == 0 || is_control(u + i, n)) {
			for (k = n ? n : 1; k; k--)
				buf[i++] = '?';
			continue;
		}
		memcpy(buf + i, u + i, n);
		i += n;
	}
	buf[i] = '\0';
	return buf;
}

/* "  label:       value" at |indent| spaces. */
__attribute__((format(printf, 3, 4)))
static void text_line(unsigned indent, const char *label, const char *fmt,
		      ...)
{
	char lab[LABEL_W + 2];
	va_list ap;

	snprintf(lab, sizeof(lab), "%s%s", label, label[0] ? ":" : "");
	printf("%*s%-*s ", (int)indent, "", LABEL_W, lab);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A string attribute as a line, when present. */
static void text_str(unsigned indent, const char *label,
		     const struct ctl_attr *tb, enum ctl_attr_type t)
{
	char buf[CTL_STR_MAX];
	const char *s = get_str(tb, t);

	if (s)
		text_line(indent, label, "%s", text_clean(s, buf));
}

/* "2 days, 3 hours, 4 minutes, 5 seconds", as wg(8) shows durations. */
static void text_duration(uint64_t secs, char *buf, size_t cap)
{
	static const struct { const char *unit; uint64_t secs; } parts[] = {
		{ "day", 86400 }, { "hour", 3600 }, { "minute", 60 },
		{ "second", 1 },
	};
	size_t i, used = 0;
	uint64_t n;

	buf[0] = '\0';
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		n = secs / parts[i].secs;
		secs %= parts[i].secs;
		if ((n || (i == 3 && used == 0)) && used < cap)
			used += (size_t)snprintf(buf + used, cap - used,
						 "%s%" PRIu64 " %s%s",
						 used ? ", " : "", n,
						 parts[i].unit, n == 1 ? "" : "s");
	}
}

/* "1.21 KiB" for byte counts from 1 KiB on; "512 B" below. */
static void text_bytes(uint64_t n, char *buf, size_t cap)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, cap, "%" PRIu64 " B", n);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, cap, "%.2f %s", v, units[u]);
}

/* "ADDR:PORT", with brackets around an IPv6 address. */
static bool text_endpoint(const struct ctl_attr *tb, enum ctl_attr_type at,
			  char *buf, size_t cap)
{
	char a[ADDR_STRLEN];
	uint64_t port;

	if (!get_addr(tb, at, a))
		return false;
	if (!get_num(tb, CTL_A_PORT, &port))
		snprintf(buf, cap, "%s", a);
	else if (strchr(a, ':'))
		snprintf(buf, cap, "[%s]:%" PRIu64, a, port);
	else
		snprintf(buf, cap, "%s:%" PRIu64, a, port);
	return true;
}

/* An enum attribute by name, or as "unknown (N)". */
static void text_enum(unsigned indent, const char *label,
		      const struct ctl_attr *tb, enum ctl_attr_type t,
		      const char *(*name)(uint64_t))
{
	uint64_t v;

	if (!get_num(tb, t, &v))
		return;
	if (name(v))
		text_line(indent, label, "%s", name(v));
	else
		text_line(indent, label, "unknown (%" PRIu64 ")", v);
}

/* "reason N, reason N" of a DROPS nest; "none" when it is empty. */
static void text_drops(unsigned indent, const char *label,
		       const struct ctl_attr *drops)
{
	struct ctl_attr tb[CTL_A_END], d;
	char buf[CTL_STR_MAX];
	struct ctl_iter it;
	const char *reason;
	uint64_t count;
	char lab[LABEL_W + 2];
	bool any = false;

	if (!drops->type || !ctl_attr_iter(drops, &it))
		return;
	snprintf(lab, sizeof(lab), "%s:", label);
	printf("%*s%-*s", (int)indent, "", LABEL_W + 1, lab);
	while (ctl_iter_next(&it, &d)) {
		if (d.type != CTL_A_DROP)
			continue;
		nest_index(&d, tb);
		reason = get_str(tb, CTL_A_REASON);
		if (!get_num(tb, CTL_A_COUNT, &count))
			count = 0;
		printf("%s%s %" PRIu64, any ? ", " : "",
		       reason ? text_clean(reason, buf) : "?", count);
		any = true;
	}
	printf("%s\n", any ? "" : "none");
}

/* The offloads in force, on one line. */
static void text_offloads(const struct ctl_attr *nest)
{
	char buf[CTL_STR_MAX], line[512] = "";
	struct ctl_attr a;
	struct ctl_iter it;
	size_t used = 0;

	if (!ctl_attr_iter(nest, &it))
		return;
	while (ctl_iter_next(&it, &a)) {
		const char *s = ctl_attr_str(&a);

		if (a.type != CTL_A_OFFLOAD || !s || used >= sizeof(line))
			continue;
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
					 used ? ", " : "", text_clean(s, buf));
	}
	text_line(2, "offloads", "%s", used ? line : "none");
}

static void text_daemon(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char buf[CTL_STR_MAX];
	const char *version;
	uint64_t uptime;

	nest_index(nest, tb);
	version = get_str(tb, CTL_A_VERSION);
	printf("daemon: tunsecd%s%s\n", version ? " " : "",
	       version ? text_clean(version, buf) : "");
	if (get_num(tb, CTL_A_UPTIME, &uptime)) {
		text_duration(uptime, buf, sizeof(buf));
		text_line(2, "uptime", "%s", buf);
	}
	if (text_endpoint(tb, CTL_A_LOCAL, buf, sizeof(buf)))
		text_line(2, "listening", "%s", buf);
	text_str(2, "tun", tb, CTL_A_TUN);
	text_offloads(nest);
}

static void text_worker(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	uint64_t id, tun, udp;

	nest_index(nest, tb);
	if (!get_num(tb, CTL_A_ID, &id) || !get_num(tb, CTL_A_TUN_PACKETS, &tun) ||
	    !get_num(tb, CTL_A_UDP_PACKETS, &udp))
		return;
	printf("worker: %" PRIu64 "\n", id);
	text_line(2, "packets", "%" PRIu64 " from tun, %" PRIu64 " from udp",
		  tun, udp);
}

/* A worker bit mask as "0, 3, 5", or "none". */
static const char *mask_text(uint64_t mask, char *buf, size_t cap)
{
	size_t used = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < 64 && used < cap; i++)
		if (mask >> i & 1)
			used += (size_t)snprintf(buf + used, cap - used, "%s%u",
						 used ? ", " : "", i);
	return used ? buf : "none";
}

static void text_selectors(const struct ctl_attr *nest)
{
	struct ctl_attr a;
	struct ctl_iter it;
	char buf[CTL_STR_MAX];
	bool first = true;

	if (!ctl_attr_iter(nest, &it))
		return;
	while (ctl_iter_next(&it, &a)) {
		const char *s = ctl_attr_str(&a);

		if (a.type != CTL_A_SELECTOR || !s)
			continue;
		text_line(2, first ? "protect" : "", "%s", text_clean(s, buf));
		first = false;
	}
}

static void text_peer(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char buf[CTL_STR_MAX];
	const char *name;

	nest_index(nest, tb);
	name = get_str(tb, CTL_A_NAME);
	printf("peer: %s\n", name ? text_clean(name, buf) : "?");
	if (text_endpoint(tb, CTL_A_ADDR, buf, sizeof(buf)))
		text_line(2, "address", "%s", buf);
	text_enum(2, "mode", tb, CTL_A_MODE, mode_name);
	text_selectors(nest);
}

static void text_traffic(const struct ctl_attr *tb, bool out)
{
	char human[32];
	uint64_t packets, bytes;

	if (!get_num(tb, CTL_A_PACKETS, &packets) ||
	    !get_num(tb, CTL_A_BYTES, &bytes))
		return;
	text_bytes(bytes, human, sizeof(human));
	if (bytes < 1024)
		text_line(2, "traffic", "%" PRIu64 " packet%s, %" PRIu64
			  " bytes %s", packets, packets == 1 ? "" : "s", bytes,
			  out ? "sent" : "received");
	else
		text_line(2, "traffic", "%" PRIu64 " packet%s, %s (%" PRIu64
			  " bytes) %s", packets, packets == 1 ? "" : "s",
			  human, bytes, out ? "sent" : "received");
}

/* Sequence number and replay window: what they mean depends on the
 * direction (ctl/proto.h). */
static void text_seq(const struct ctl_attr *tb, bool out)
{
	uint64_t seq, window;

	if (get_num(tb, CTL_A_SEQ, &seq))
		text_line(2, out ? "next seq" : "highest seq", "%" PRIu64, seq);
	if (!out && get_num(tb, CTL_A_WINDOW, &window))
		text_line(2, "replay window", "%" PRIu64 " packets", window);
}

static void text_cipher(const struct ctl_attr *tb)
{
	char buf[CTL_STR_MAX];
	const char *cipher = get_str(tb, CTL_A_CIPHER);
	uint64_t icv;

	if (!cipher)
		return;
	text_clean(cipher, buf);
	if (get_num(tb, CTL_A_ICV, &icv) && icv)
		text_line(2, "cipher", "%s, %" PRIu64 "-byte ICV", buf, icv);
	else
		text_line(2, "cipher", "%s", buf);
}

static void text_sa(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char buf[CTL_STR_MAX];
	const char *name;
	uint64_t dir = CTL_DIR_IN, spi, esn, v;
	bool out;

	nest_index(nest, tb);
	name = get_str(tb, CTL_A_NAME);
	printf("sa: %s\n", name ? text_clean(name, buf) : "?");
	text_str(2, "peer", tb, CTL_A_PEER_NAME);
	text_enum(2, "direction", tb, CTL_A_DIR, dir_name);
	out = get_num(tb, CTL_A_DIR, &dir) && dir == CTL_DIR_OUT;
	if (get_num(tb, CTL_A_SPI, &spi))
		text_line(2, "spi", "0x%08" PRIx64 " (%" PRIu64 ")", spi, spi);
	text_cipher(tb);
	text_enum(2, "mode", tb, CTL_A_MODE, mode_name);
	text_enum(2, "encap", tb, CTL_A_ENCAP, encap_name);
	if (get_num(tb, CTL_A_ESN, &esn))
		text_line(2, "esn", "%s", esn ? "on (64-bit)" : "off");
	if (get_num(tb, CTL_A_CPU, &v))
		text_line(2, "cpu", "%" PRIu64, v);
	if (get_num(tb, CTL_A_WORKER_MASK, &v))
		text_line(2, "workers", "%s", mask_text(v, buf, sizeof(buf)));
	text_traffic(tb, out);
	text_seq(tb, out);
	text_drops(2, "drops", &tb[CTL_A_DROPS]);
}

/* Call fn on each top-level attribute of |type|, a blank line before each
 * entry but the first printed. */
static void text_each(const struct ctl_msg *m, uint16_t type,
		      void (*fn)(const struct ctl_attr *), bool *printed)
{
	struct ctl_iter it;
	struct ctl_attr a;

	ctl_msg_iter(m, &it);
	while (ctl_iter_next(&it, &a)) {
		if (a.type != type)
			continue;
		if (*printed)
			putchar('\n');
		fn(&a);
		*printed = true;
	}
}

static void text_print(const struct ctl_msg *m)
{
	struct ctl_attr tb[CTL_A_END];
	struct ctl_iter it;
	bool printed = false;

	text_each(m, CTL_A_DAEMON, text_daemon, &printed);
	text_each(m, CTL_A_WORKER, text_worker, &printed);
	text_each(m, CTL_A_PEER, text_peer, &printed);
	text_each(m, CTL_A_SA, text_sa, &printed);
	ctl_msg_iter(m, &it);
	ctl_iter_index(&it, tb);
	if (tb[CTL_A_DROPS].type) {
		if (printed)
			putchar('\n');
		text_drops(0, "drops (no SA)", &tb[CTL_A_DROPS]);
	}
	if (m->flags & CTL_F_TRUNCATED)
		printf("\n(truncated: the reply had no room for every peer "
		       "and SA; some are not shown)\n");
}

/* ---- JSON (RFC 8259) -------------------------------------------------- */

struct json {
	unsigned depth;
	bool first; /* nothing written yet in the innermost container */
};

/* A JSON string: quotes, backslashes and control characters escaped,
 * malformed UTF-8 replaced by U+FFFD. */
static void json_string(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	putchar('"');
	while (*u) {
		n = utf8_len(u);
		if (n == 0) {
			fputs("\\ufffd", stdout);
			u++;
		} else if (*u == '"' || *u == '\\') {
			printf("\\%c", *u++);
		} else if (*u < 0x20 || *u == 0x7f) {
			printf("\\u%04x", *u++);
		} else {
			fwrite(u, 1, n, stdout);
			u += n;
		}
	}
	putchar('"');
}

/* Start a member (with |key|) or an array element (key NULL). */
static void json_sep(struct json *j, const char *key)
{
	if (j->depth) {
		fputs(j->first ? "\n" : ",\n", stdout);
		printf("%*s", (int)(2 * j->depth), "");
	}
	if (key) {
		json_string(key);
		fputs(": ", stdout);
	}
	j->first = false;
}

static void json_open(struct json *j, const char *key, char c)
{
	json_sep(j, key);
	putchar(c);
	j->depth++;
	j->first = true;
}

static void json_close(struct json *j, char c)
{
	j->depth--;
	if (!j->first)
		printf("\n%*s", (int)(2 * j->depth), "");
	putchar(c);
	j->first = false;
}

static void json_str(struct json *j, const char *key, const char *s)
{
	if (!s)
		return;
	json_sep(j, key);
	json_string(s);
}

static void json_num(struct json *j, const char *key,
		     const struct ctl_attr *tb, enum ctl_attr_type t)
{
	uint64_t v;

	if (!get_num(tb, t, &v))
		return;
	json_sep(j, key);
	printf("%" PRIu64, v);
}

/* An enum by name, or as its number when unknown here. */
static void json_enum(struct json *j, const char *key,
		      const struct ctl_attr *tb, enum ctl_attr_type t,
		      const char *(*name)(uint64_t))
{
	uint64_t v;

	if (!get_num(tb, t, &v))
		return;
	if (name(v))
		json_str(j, key, name(v));
	else
		json_num(j, key, tb, t);
}

static void json_addr(struct json *j, const char *key,
		      const struct ctl_attr *tb, enum ctl_attr_type t)
{
	char a[ADDR_STRLEN];

	if (get_addr(tb, t, a))
		json_str(j, key, a);
}

/* A DROPS nest as {"reason": count, ...}. */
static void json_drops(struct json *j, const struct ctl_attr *drops)
{
	struct ctl_attr tb[CTL_A_END], d;
	struct ctl_iter it;

	if (!drops->type || !ctl_attr_iter(drops, &it))
		return;
	json_open(j, "drops", '{');
	while (ctl_iter_next(&it, &d)) {
		if (d.type != CTL_A_DROP)
			continue;
		nest_index(&d, tb);
		if (!get_str(tb, CTL_A_REASON) || !tb[CTL_A_COUNT].type)
			continue;
		json_num(j, get_str(tb, CTL_A_REASON), tb, CTL_A_COUNT);
	}
	json_close(j, '}');
}

static void json_daemon(struct json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END], a;
	struct ctl_iter it;

	nest_index(nest, tb);
	json_open(j, "daemon", '{');
	json_str(j, "version", get_str(tb, CTL_A_VERSION));
	json_num(j, "uptime", tb, CTL_A_UPTIME);
	json_addr(j, "local", tb, CTL_A_LOCAL);
	json_num(j, "port", tb, CTL_A_PORT);
	json_str(j, "tun", get_str(tb, CTL_A_TUN));
	json_open(j, "offloads", '[');
	if (ctl_attr_iter(nest, &it))
		while (ctl_iter_next(&it, &a))
			if (a.type == CTL_A_OFFLOAD)
				json_str(j, NULL, ctl_attr_str(&a));
	json_close(j, ']');
	json_close(j, '}');
}

static void json_worker(struct json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];

	nest_index(nest, tb);
	json_open(j, NULL, '{');
	json_num(j, "id", tb, CTL_A_ID);
	json_num(j, "tun_packets", tb, CTL_A_TUN_PACKETS);
	json_num(j, "udp_packets", tb, CTL_A_UDP_PACKETS);
	json_close(j, '}');
}

/* A worker bit mask as an array of worker ids. */
static void json_mask(struct json *j, const char *key,
		      const struct ctl_attr *tb, int t)
{
	uint64_t mask;
	char id[8];
	unsigned i;

	if (!get_num(tb, t, &mask))
		return;
	json_open(j, key, '[');
	for (i = 0; i < 64; i++)
		if (mask >> i & 1) {
			json_sep(j, NULL);
			snprintf(id, sizeof(id), "%u", i);
			fputs(id, stdout);
		}
	json_close(j, ']');
}

static void json_peer(struct json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END], a;
	struct ctl_iter it;

	nest_index(nest, tb);
	json_open(j, NULL, '{');
	json_str(j, "name", get_str(tb, CTL_A_NAME));
	json_addr(j, "address", tb, CTL_A_ADDR);
	json_num(j, "port", tb, CTL_A_PORT);
	json_enum(j, "mode", tb, CTL_A_MODE, mode_name);
	json_open(j, "selectors", '[');
	if (ctl_attr_iter(nest, &it))
		while (ctl_iter_next(&it, &a))
			if (a.type == CTL_A_SELECTOR)
				json_str(j, NULL, ctl_attr_str(&a));
	json_close(j, ']');
	json_close(j, '}');
}

static void json_sa(struct json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char hex[16];
	uint64_t spi, esn;

	nest_index(nest, tb);
	json_open(j, NULL, '{');
	json_str(j, "name", get_str(tb, CTL_A_NAME));
	json_str(j, "peer", get_str(tb, CTL_A_PEER_NAME));
	json_enum(j, "direction", tb, CTL_A_DIR, dir_name);
	json_num(j, "spi", tb, CTL_A_SPI);
	if (get_num(tb, CTL_A_SPI, &spi)) {
		snprintf(hex, sizeof(hex), "0x%08" PRIx64, spi);
		json_str(j, "spi_hex", hex);
	}
	json_str(j, "cipher", get_str(tb, CTL_A_CIPHER));
	json_num(j, "icv", tb, CTL_A_ICV);
	json_enum(j, "mode", tb, CTL_A_MODE, mode_name);
	json_enum(j, "encap", tb, CTL_A_ENCAP, encap_name);
	if (get_num(tb, CTL_A_ESN, &esn)) {
		json_sep(j, "esn");
		fputs(esn ? "true" : "false", stdout);
	}
	json_num(j, "cpu", tb, CTL_A_CPU);
	json_mask(j, "workers", tb, CTL_A_WORKER_MASK);
	json_num(j, "packets", tb, CTL_A_PACKETS);
	json_num(j, "bytes", tb, CTL_A_BYTES);
	json_num(j, "seq", tb, CTL_A_SEQ);
	json_num(j, "replay_window", tb, CTL_A_WINDOW);
	json_drops(j, &tb[CTL_A_DROPS]);
	json_close(j, '}');
}

/* Members of the entries of |type| in a JSON array called |key|. */
static void json_each(struct json *j, const struct ctl_msg *m,
		      const char *key, uint16_t type,
		      void (*fn)(struct json *, const struct ctl_attr *))
{
	struct ctl_iter it;
	struct ctl_attr a;

	json_open(j, key, '[');
	ctl_msg_iter(m, &it);
	while (ctl_iter_next(&it, &a))
		if (a.type == type)
			fn(j, &a);
	json_close(j, ']');
}

static void json_print(const struct ctl_msg *m)
{
	struct ctl_attr tb[CTL_A_END];
	struct json j = { 0, true };
	struct ctl_iter it;

	ctl_msg_iter(m, &it);
	ctl_iter_index(&it, tb);
	json_open(&j, NULL, '{');
	json_sep(&j, "truncated");
	fputs(m->flags & CTL_F_TRUNCATED ? "true" : "false", stdout);
	if (tb[CTL_A_DAEMON].type)
		json_daemon(&j, &tb[CTL_A_DAEMON]);
	json_each(&j, m, "workers", CTL_A_WORKER, json_worker);
	json_each(&j, m, "peers", CTL_A_PEER, json_peer);
	json_each(&j, m, "sas", CTL_A_SA, json_sa);
	json_drops(&j, &tb[CTL_A_DROPS]);
	json_close(&j, '}');
	putchar('\n');
}

/* ---- The command ------------------------------------------------------ */

static int show_print(const struct ctl_reply *reply, bool json)
{
	if (!reply_valid(&reply->msg)) {
		fprintf(stderr, "tunsec show: malformed reply from tunsecd: "
				"an attribute is repeated\n");
		return CLI_EXIT_FAILED;
	}
	if (json)
		json_print(&reply->msg);
	else
		text_print(&reply->msg);
	if (fflush(stdout) || ferror(stdout)) {
		perror("tunsec show: writing the output");
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}

static int show_print_cb(const struct ctl_reply *reply, void *arg)
{
	return show_print(reply, *(const bool *)arg);
}

int cli_show(int argc, char **argv)
{
	char *vals[OPT_COUNT];
	unsigned npos;
	bool json;
	int rc;

	rc = cli_ctl_parse("show", argc, argv, show_opts, OPT_COUNT, vals,
			   NULL, 0, &npos);
	if (rc < 0) {
		help_print(stdout);
		return CLI_EXIT_OK;
	}
	if (rc)
		return rc;
	json = vals[OPT_JSON] != NULL;
	return cli_ctl_request("show", cli_ctl_socket(vals[OPT_SOCKET]),
			       CTL_SHOW, show_print_cb, &json);
}
