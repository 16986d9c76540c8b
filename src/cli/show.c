/* SPDX-License-Identifier: MIT */
/*
 * tunsec show [--json]: the state of the running tunsecd, from one SHOW
 * reply (ctl/proto.h): the daemon, its workers, its peers, their IKE SAs
 * (cli/show_ike.c), its SAs with their counters, and the drop counters by
 * reason, per SA and global.
 *
 * The reply is untrusted input like any other: it is validated whole by
 * ctl_msg_parse(), then every nest is indexed once (a repeated attribute
 * makes the reply malformed) before anything is printed. Attributes that
 * are missing are left out of the output; values of an unknown enum are
 * shown as numbers. Strings reach the output only through cli/show_fmt.c,
 * which keeps terminal escapes off the screen and the JSON well-formed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ctlopt.h"
#include "cli/show.h"

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
"traffic they protect, the IKE SAs of IKE-managed peers, its SAs with\n"
"their packet, byte and sequence counters, and the drop counters by\n"
"reason, per SA and global.\n"
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

/* ---- Text ------------------------------------------------------------ */

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
bool show_text_endpoint(const struct ctl_attr *tb, enum ctl_attr_type at,
			char *buf, size_t cap)
{
	char a[ADDR_STRLEN];
	uint64_t port;

	if (!get_addr(tb, at, a))
		return false;
	if (!show_get_num(tb, CTL_A_PORT, &port))
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

	if (!show_get_num(tb, t, &v))
		return;
	if (name(v))
		show_text_line(indent, label, "%s", name(v));
	else
		show_text_line(indent, label, "unknown (%" PRIu64 ")", v);
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
	char lab[SHOW_LABEL_W + 2];
	bool any = false;

	if (!drops->type || !ctl_attr_iter(drops, &it))
		return;
	snprintf(lab, sizeof(lab), "%s:", label);
	printf("%*s%-*s", (int)indent, "", SHOW_LABEL_W + 1, lab);
	while (ctl_iter_next(&it, &d)) {
		if (d.type != CTL_A_DROP)
			continue;
		show_nest_index(&d, tb);
		reason = show_get_str(tb, CTL_A_REASON);
		if (!show_get_num(tb, CTL_A_COUNT, &count))
			count = 0;
		printf("%s%s %" PRIu64, any ? ", " : "",
		       reason ? show_text_clean(reason, buf) : "?", count);
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
		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 "%s%s", used ? ", " : "",
					 show_text_clean(s, buf));
	}
	show_text_line(2, "offloads", "%s", used ? line : "none");
}

static void text_daemon(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char buf[CTL_STR_MAX];
	const char *version;
	uint64_t uptime;

	show_nest_index(nest, tb);
	version = show_get_str(tb, CTL_A_VERSION);
	printf("daemon: tunsecd%s%s\n", version ? " " : "",
	       version ? show_text_clean(version, buf) : "");
	if (show_get_num(tb, CTL_A_UPTIME, &uptime)) {
		show_text_duration(uptime, buf, sizeof(buf));
		show_text_line(2, "uptime", "%s", buf);
	}
	if (show_text_endpoint(tb, CTL_A_LOCAL, buf, sizeof(buf)))
		show_text_line(2, "listening", "%s", buf);
	show_text_str(2, "tun", tb, CTL_A_TUN);
	text_offloads(nest);
}

static void text_worker(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	uint64_t id, tun, udp;

	show_nest_index(nest, tb);
	if (!show_get_num(tb, CTL_A_ID, &id) ||
	    !show_get_num(tb, CTL_A_TUN_PACKETS, &tun) ||
	    !show_get_num(tb, CTL_A_UDP_PACKETS, &udp))
		return;
	printf("worker: %" PRIu64 "\n", id);
	show_text_line(2, "packets", "%" PRIu64 " from tun, %" PRIu64
		       " from udp", tun, udp);
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

static void text_peer(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char buf[CTL_STR_MAX];
	const char *name;

	show_nest_index(nest, tb);
	name = show_get_str(tb, CTL_A_NAME);
	printf("peer: %s\n", name ? show_text_clean(name, buf) : "?");
	if (show_text_endpoint(tb, CTL_A_ADDR, buf, sizeof(buf)))
		show_text_line(2, "address", "%s", buf);
	text_enum(2, "mode", tb, CTL_A_MODE, mode_name);
	show_text_strs(2, "protect", nest, CTL_A_SELECTOR);
}

static void text_traffic(const struct ctl_attr *tb, bool out)
{
	char human[32];
	uint64_t packets, bytes;

	if (!show_get_num(tb, CTL_A_PACKETS, &packets) ||
	    !show_get_num(tb, CTL_A_BYTES, &bytes))
		return;
	text_bytes(bytes, human, sizeof(human));
	if (bytes < 1024)
		show_text_line(2, "traffic", "%" PRIu64 " packet%s, %" PRIu64
			       " bytes %s", packets, packets == 1 ? "" : "s",
			       bytes, out ? "sent" : "received");
	else
		show_text_line(2, "traffic", "%" PRIu64 " packet%s, %s (%"
			       PRIu64 " bytes) %s", packets,
			       packets == 1 ? "" : "s", human, bytes,
			       out ? "sent" : "received");
}

/* Sequence number and replay window: what they mean depends on the
 * direction (ctl/proto.h). */
static void text_seq(const struct ctl_attr *tb, bool out)
{
	uint64_t seq, window;

	if (show_get_num(tb, CTL_A_SEQ, &seq))
		show_text_line(2, out ? "next seq" : "highest seq", "%" PRIu64,
			       seq);
	if (!out && show_get_num(tb, CTL_A_WINDOW, &window))
		show_text_line(2, "replay window", "%" PRIu64 " packets", window);
}

static void text_cipher(const struct ctl_attr *tb)
{
	char buf[CTL_STR_MAX];
	const char *cipher = show_get_str(tb, CTL_A_CIPHER);
	uint64_t icv;

	if (!cipher)
		return;
	show_text_clean(cipher, buf);
	if (show_get_num(tb, CTL_A_ICV, &icv) && icv)
		show_text_line(2, "cipher", "%s, %" PRIu64 "-byte ICV", buf,
			       icv);
	else
		show_text_line(2, "cipher", "%s", buf);
}

static void text_sa(const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char buf[CTL_STR_MAX];
	const char *name;
	uint64_t dir = CTL_DIR_IN, spi, esn, v;
	bool out;

	show_nest_index(nest, tb);
	name = show_get_str(tb, CTL_A_NAME);
	printf("sa: %s\n", name ? show_text_clean(name, buf) : "?");
	show_text_str(2, "peer", tb, CTL_A_PEER_NAME);
	text_enum(2, "direction", tb, CTL_A_DIR, dir_name);
	out = show_get_num(tb, CTL_A_DIR, &dir) && dir == CTL_DIR_OUT;
	if (show_get_num(tb, CTL_A_SPI, &spi))
		show_text_line(2, "spi", "0x%08" PRIx64 " (%" PRIu64 ")", spi,
			       spi);
	text_cipher(tb);
	text_enum(2, "mode", tb, CTL_A_MODE, mode_name);
	text_enum(2, "encap", tb, CTL_A_ENCAP, encap_name);
	if (show_get_num(tb, CTL_A_ESN, &esn))
		show_text_line(2, "esn", "%s", esn ? "on (64-bit)" : "off");
	if (show_get_num(tb, CTL_A_CPU, &v))
		show_text_line(2, "cpu", "%" PRIu64, v);
	if (show_get_num(tb, CTL_A_WORKER_MASK, &v))
		show_text_line(2, "workers", "%s",
			       mask_text(v, buf, sizeof(buf)));
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
	text_each(m, CTL_A_IKE_SA, show_text_ike_sa, &printed);
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

/* An enum by name, or as its number when unknown here. */
static void json_enum(struct show_json *j, const char *key,
		      const struct ctl_attr *tb, enum ctl_attr_type t,
		      const char *(*name)(uint64_t))
{
	uint64_t v;

	if (!show_get_num(tb, t, &v))
		return;
	if (name(v))
		show_json_str(j, key, name(v));
	else
		show_json_num(j, key, tb, t);
}

void show_json_addr(struct show_json *j, const char *key,
		    const struct ctl_attr *tb, enum ctl_attr_type t)
{
	char a[ADDR_STRLEN];

	if (get_addr(tb, t, a))
		show_json_str(j, key, a);
}

/* A DROPS nest as {"reason": count, ...}. */
static void json_drops(struct show_json *j, const struct ctl_attr *drops)
{
	struct ctl_attr tb[CTL_A_END], d;
	struct ctl_iter it;

	if (!drops->type || !ctl_attr_iter(drops, &it))
		return;
	show_json_open(j, "drops", '{');
	while (ctl_iter_next(&it, &d)) {
		if (d.type != CTL_A_DROP)
			continue;
		show_nest_index(&d, tb);
		if (!show_get_str(tb, CTL_A_REASON) || !tb[CTL_A_COUNT].type)
			continue;
		show_json_num(j, show_get_str(tb, CTL_A_REASON), tb,
			      CTL_A_COUNT);
	}
	show_json_close(j, '}');
}

static void json_daemon(struct show_json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END], a;
	struct ctl_iter it;

	show_nest_index(nest, tb);
	show_json_open(j, "daemon", '{');
	show_json_str(j, "version", show_get_str(tb, CTL_A_VERSION));
	show_json_num(j, "uptime", tb, CTL_A_UPTIME);
	show_json_addr(j, "local", tb, CTL_A_LOCAL);
	show_json_num(j, "port", tb, CTL_A_PORT);
	show_json_str(j, "tun", show_get_str(tb, CTL_A_TUN));
	show_json_open(j, "offloads", '[');
	if (ctl_attr_iter(nest, &it))
		while (ctl_iter_next(&it, &a))
			if (a.type == CTL_A_OFFLOAD)
				show_json_str(j, NULL, ctl_attr_str(&a));
	show_json_close(j, ']');
	show_json_close(j, '}');
}

static void json_worker(struct show_json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];

	show_nest_index(nest, tb);
	show_json_open(j, NULL, '{');
	show_json_num(j, "id", tb, CTL_A_ID);
	show_json_num(j, "tun_packets", tb, CTL_A_TUN_PACKETS);
	show_json_num(j, "udp_packets", tb, CTL_A_UDP_PACKETS);
	show_json_close(j, '}');
}

/* A worker bit mask as an array of worker ids. */
static void json_mask(struct show_json *j, const char *key,
		      const struct ctl_attr *tb, int t)
{
	uint64_t mask;
	char id[8];
	unsigned i;

	if (!show_get_num(tb, t, &mask))
		return;
	show_json_open(j, key, '[');
	for (i = 0; i < 64; i++)
		if (mask >> i & 1) {
			show_json_sep(j, NULL);
			snprintf(id, sizeof(id), "%u", i);
			fputs(id, stdout);
		}
	show_json_close(j, ']');
}

static void json_peer(struct show_json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];

	show_nest_index(nest, tb);
	show_json_open(j, NULL, '{');
	show_json_str(j, "name", show_get_str(tb, CTL_A_NAME));
	show_json_addr(j, "address", tb, CTL_A_ADDR);
	show_json_num(j, "port", tb, CTL_A_PORT);
	json_enum(j, "mode", tb, CTL_A_MODE, mode_name);
	show_json_strs(j, "selectors", nest, CTL_A_SELECTOR);
	show_json_close(j, '}');
}

static void json_sa(struct show_json *j, const struct ctl_attr *nest)
{
	struct ctl_attr tb[CTL_A_END];
	char hex[16];
	uint64_t spi, esn;

	show_nest_index(nest, tb);
	show_json_open(j, NULL, '{');
	show_json_str(j, "name", show_get_str(tb, CTL_A_NAME));
	show_json_str(j, "peer", show_get_str(tb, CTL_A_PEER_NAME));
	json_enum(j, "direction", tb, CTL_A_DIR, dir_name);
	show_json_num(j, "spi", tb, CTL_A_SPI);
	if (show_get_num(tb, CTL_A_SPI, &spi)) {
		snprintf(hex, sizeof(hex), "0x%08" PRIx64, spi);
		show_json_str(j, "spi_hex", hex);
	}
	show_json_str(j, "cipher", show_get_str(tb, CTL_A_CIPHER));
	show_json_num(j, "icv", tb, CTL_A_ICV);
	json_enum(j, "mode", tb, CTL_A_MODE, mode_name);
	json_enum(j, "encap", tb, CTL_A_ENCAP, encap_name);
	if (show_get_num(tb, CTL_A_ESN, &esn)) {
		show_json_sep(j, "esn");
		fputs(esn ? "true" : "false", stdout);
	}
	show_json_num(j, "cpu", tb, CTL_A_CPU);
	json_mask(j, "workers", tb, CTL_A_WORKER_MASK);
	show_json_num(j, "packets", tb, CTL_A_PACKETS);
	show_json_num(j, "bytes", tb, CTL_A_BYTES);
	show_json_num(j, "seq", tb, CTL_A_SEQ);
	show_json_num(j, "replay_window", tb, CTL_A_WINDOW);
	json_drops(j, &tb[CTL_A_DROPS]);
	show_json_close(j, '}');
}

/* Members of the entries of |type| in a JSON array called |key|. */
static void json_each(struct show_json *j, const struct ctl_msg *m,
		      const char *key, uint16_t type,
		      void (*fn)(struct show_json *, const struct ctl_attr *))
{
	struct ctl_iter it;
	struct ctl_attr a;

	show_json_open(j, key, '[');
	ctl_msg_iter(m, &it);
	while (ctl_iter_next(&it, &a))
		if (a.type == type)
			fn(j, &a);
	show_json_close(j, ']');
}

static void json_print(const struct ctl_msg *m)
{
	struct ctl_attr tb[CTL_A_END];
	struct show_json j = { 0, true };
	struct ctl_iter it;

	ctl_msg_iter(m, &it);
	ctl_iter_index(&it, tb);
	show_json_open(&j, NULL, '{');
	show_json_sep(&j, "truncated");
	fputs(m->flags & CTL_F_TRUNCATED ? "true" : "false", stdout);
	if (tb[CTL_A_DAEMON].type)
		json_daemon(&j, &tb[CTL_A_DAEMON]);
	json_each(&j, m, "workers", CTL_A_WORKER, json_worker);
	json_each(&j, m, "peers", CTL_A_PEER, json_peer);
	json_each(&j, m, "ike_sas", CTL_A_IKE_SA, show_json_ike_sa);
	json_each(&j, m, "sas", CTL_A_SA, json_sa);
	json_drops(&j, &tb[CTL_A_DROPS]);
	show_json_close(&j, '}');
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
