/* SPDX-License-Identifier: MIT */
/*
 * The host configuration text (nftables ruleset) against rulesets written
 * out by hand from the design, the TUN MTU against hand-computed values,
 * and the command runner netcfg uses for ip and nft.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "io/netcfg.h"
#include "io/run.h"
#include "test.h"

#define ANY_PORTS 0, 65535

static struct ip_prefix pfx(const char *s)
{
	struct ip_prefix p;

	memset(&p, 0, sizeof(p));
	if (s && prefix_parse(s, &p))
		abort(); /* a typo in a table below */
	return p;
}

static struct netcfg base_cfg(const char *local)
{
	struct netcfg c;

	memset(&c, 0, sizeof(c));
	strcpy(c.tun, "tsio0");
	c.table = 100;
	c.fwmark = 0x100;
	c.bypass_mark = 0x101;
	c.port = 4500;
	if (addr_parse(local, &c.local))
		abort();
	return c;
}

/* Selectors in the order: family, local, remote (NULL: wildcard), proto,
 * lport range, rport range, mode. */
#define SEL(...) SEL_(__VA_ARGS__) /* expands ANY_PORTS first */
#define SEL_(fam, l, r, pr, llo, lhi, rlo, rhi, md)                       \
	{ .family = fam, .local = pfx(l), .remote = pfx(r), .proto = pr,    \
	  .lport_lo = llo, .lport_hi = lhi, .rport_lo = rlo,              \
	  .rport_hi = rhi, .mode = md }

#define HEAD(t)                                                            \
	"table inet tunsec_" t " {}\n"                                     \
	"delete table inet tunsec_" t "\n"                                 \
	"table inet tunsec_" t " {\n"
#define OUT_HEAD(bypass)                                                   \
	"\tchain out {\n"                                                  \
	"\t\ttype route hook output priority mangle; policy accept;\n"     \
	"\t\tmeta mark " bypass " return\n"                                \
	"\t\toifname \"lo\" return\n"
#define POST_HEAD(t, bypass)                                               \
	"\tchain post {\n"                                                 \
	"\t\ttype filter hook postrouting priority filter; policy accept;\n" \
	"\t\toifname \"" t "\" accept\n"                                    \
	"\t\toifname \"lo\" accept\n"                                       \
	"\t\tmeta mark " bypass " accept\n"
#define PRE_HEAD(t)                                                        \
	"\tchain pre {\n"                                                  \
	"\t\ttype filter hook prerouting priority mangle; policy accept;\n" \
	"\t\tiifname != \"" t "\" return\n"
#define IN_HEAD(t)                                                         \
	"\tchain in {\n"                                                   \
	"\t\ttype filter hook input priority filter; policy accept;\n"     \
	"\t\tiifname \"lo\" accept\n"                                      \
	"\t\tiifname \"" t "\" accept\n"
#define ND "icmpv6 type { nd-router-solicit, nd-router-advert, " \
	   "nd-neighbor-solicit, nd-neighbor-advert }"

/* Render c and compare with want; on a difference report where it starts. */
static void check_render(const struct netcfg *c, const char *want)
{
	static char buf[16384];
	int n = netcfg_render_nft(c, buf, sizeof(buf));
	size_t i = 0;

	if (n < 0) {
		test_fail(__FILE__, __LINE__, "render failed: %d", n);
		return;
	}
	while (buf[i] && buf[i] == want[i])
		i++;
	if (buf[i] || want[i])
		test_fail(__FILE__, __LINE__,
			  "ruleset differs at byte %zu:\n got: %.80s\nwant: %.80s",
			  i, buf + i, want + i);
	CHECK_EQ(n, (long long)strlen(want));
}

TEST(netcfg_nft_ipv4_transport_tcp_port)
{
	struct netcfg_sel s[] = {
		SEL(AF_INET, "10.77.0.1", "10.77.0.2", IPPROTO_TCP, ANY_PORTS,
		    7000, 7000, NETCFG_TRANSPORT),
	};
	struct netcfg c = base_cfg("10.77.0.1");

	c.sels = s;
	c.nsels = 1;
	check_render(&c,
		HEAD("tsio0")
		OUT_HEAD("0x00000101")
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.1 ip daddr 10.77.0.2"
		" tcp dport 7000 meta mark set 0x00000100\n"
		"\t}\n"
		POST_HEAD("tsio0", "0x00000101")
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.1 ip daddr 10.77.0.2"
		" tcp dport 7000 counter drop\n"
		"\t}\n"
		PRE_HEAD("tsio0")
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.2 ip daddr 10.77.0.1"
		" tcp sport 7000 meta mark set 0x00000100\n"
		"\t}\n"
		IN_HEAD("tsio0")
		"\t\tip daddr 10.77.0.1 udp dport 4500 accept\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.2 ip daddr 10.77.0.1"
		" tcp sport 7000 counter drop\n"
		"\t}\n"
		"}\n");
}

/* With the TUN MTU known, SYNs steered into TUN get their MSS lowered. */
TEST(netcfg_nft_mss_clamp)
{
	struct netcfg_sel s[] = {
		SEL(AF_INET, "10.77.0.1", "10.77.0.2", IPPROTO_TCP, ANY_PORTS,
		    7000, 7000, NETCFG_TRANSPORT),
	};
	struct netcfg c = base_cfg("10.77.0.1");

	c.sels = s;
	c.nsels = 1;
	c.tun_mtu = 1455;
	check_render(&c,
		HEAD("tsio0")
		OUT_HEAD("0x00000101")
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.1 ip daddr 10.77.0.2"
		" tcp dport 7000 meta mark set 0x00000100\n"
		"\t\tmeta mark 0x00000100 meta nfproto ipv4 tcp flags & (syn | rst) == syn"
		" tcp option maxseg size > 1415 tcp option maxseg size set 1415\n"
		"\t\tmeta mark 0x00000100 meta nfproto ipv6 tcp flags & (syn | rst) == syn"
		" tcp option maxseg size > 1395 tcp option maxseg size set 1395\n"
		"\t}\n"
		POST_HEAD("tsio0", "0x00000101")
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.1 ip daddr 10.77.0.2"
		" tcp dport 7000 counter drop\n"
		"\t}\n"
		PRE_HEAD("tsio0")
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.2 ip daddr 10.77.0.1"
		" tcp sport 7000 meta mark set 0x00000100\n"
		"\t}\n"
		IN_HEAD("tsio0")
		"\t\tip daddr 10.77.0.1 udp dport 4500 accept\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.77.0.2 ip daddr 10.77.0.1"
		" tcp sport 7000 counter drop\n"
		"\t}\n"
		"}\n");
}

TEST(netcfg_nft_ipv6_transport_udp_range_wildcard)
{
	struct netcfg_sel s[] = {
		SEL(AF_INET6, "fd00:1::/64", NULL, IPPROTO_UDP, 5201, 5210,
		    ANY_PORTS, NETCFG_TRANSPORT),
	};
	struct netcfg c = base_cfg("::");

	strcpy(c.tun, "ts-6.x");
	c.fwmark = 0xdead0000;
	c.bypass_mark = 7;
	c.port = 4501;
	c.sels = s;
	c.nsels = 1;
	check_render(&c,
		HEAD("ts-6.x")
		OUT_HEAD("0x00000007")
		"\t\t" ND " return\n"
		"\t\tmeta nfproto ipv6 ip6 saddr fd00:1::/64"
		" udp sport 5201-5210 meta mark set 0xdead0000\n"
		"\t}\n"
		POST_HEAD("ts-6.x", "0x00000007")
		"\t\t" ND " accept\n"
		"\t\tmeta nfproto ipv6 ip6 saddr fd00:1::/64"
		" udp sport 5201-5210 counter drop\n"
		"\t}\n"
		PRE_HEAD("ts-6.x")
		"\t\tmeta nfproto ipv6 ip6 daddr fd00:1::/64"
		" udp dport 5201-5210 meta mark set 0xdead0000\n"
		"\t}\n"
		IN_HEAD("ts-6.x")
		"\t\tudp dport 4501 accept\n"
		"\t\t" ND " accept\n"
		"\t\tmeta nfproto ipv6 ip6 daddr fd00:1::/64"
		" udp dport 5201-5210 counter drop\n"
		"\t}\n"
		"}\n");
}

TEST(netcfg_nft_ipv4_tunnel_any_proto)
{
	struct netcfg_sel s[] = {
		SEL(AF_INET, "10.1.0.0/24", "10.2.0.0/16", 0, ANY_PORTS,
		    ANY_PORTS, NETCFG_TUNNEL),
	};
	struct netcfg c = base_cfg("192.0.2.1");

	c.sels = s;
	c.nsels = 1;
	check_render(&c,
		HEAD("tsio0")
		OUT_HEAD("0x00000101")
		"\t}\n"
		POST_HEAD("tsio0", "0x00000101")
		"\t\tmeta nfproto ipv4 ip saddr 10.1.0.0/24 ip daddr 10.2.0.0/16"
		" counter drop\n"
		"\t}\n"
		IN_HEAD("tsio0")
		"\t\tip daddr 192.0.2.1 udp dport 4500 accept\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.2.0.0/16 ip daddr 10.1.0.0/24"
		" counter drop\n"
		"\t}\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter; policy accept;\n"
		"\t\tiifname \"tsio0\" accept\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.2.0.0/16 ip daddr 10.1.0.0/24"
		" counter drop\n"
		"\t}\n"
		"}\n");
}

/* Mixed families and modes keep the selectors' order in every chain. */
TEST(netcfg_nft_several_selectors)
{
	struct netcfg_sel s[] = {
		SEL(AF_INET, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP, ANY_PORTS,
		    ANY_PORTS, NETCFG_TRANSPORT),
		SEL(AF_INET6, "2001:db8::1", "2001:db8::2", IPPROTO_TCP, 1000,
		    1001, 22, 22, NETCFG_TRANSPORT),
		SEL(AF_INET6, "fd01::/48", "fd02::/48", IPPROTO_SCTP, ANY_PORTS,
		    9, 9, NETCFG_TUNNEL),
		SEL(AF_INET, "10.0.0.1", NULL, IPPROTO_TCP, ANY_PORTS,
		    ANY_PORTS, NETCFG_TRANSPORT),
	};
	struct netcfg c = base_cfg("2001:db8::1");

	c.sels = s;
	c.nsels = 4;
	check_render(&c,
		HEAD("tsio0")
		OUT_HEAD("0x00000101")
		"\t\t" ND " return\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.0.0.1 ip daddr 10.0.0.2"
		" meta l4proto 1 meta mark set 0x00000100\n"
		"\t\tmeta nfproto ipv6 ip6 saddr 2001:db8::1 ip6 daddr 2001:db8::2"
		" tcp sport 1000-1001 tcp dport 22 meta mark set 0x00000100\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.0.0.1"
		" meta l4proto 6 meta mark set 0x00000100\n"
		"\t}\n"
		POST_HEAD("tsio0", "0x00000101")
		"\t\t" ND " accept\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.0.0.1 ip daddr 10.0.0.2"
		" meta l4proto 1 counter drop\n"
		"\t\tmeta nfproto ipv6 ip6 saddr 2001:db8::1 ip6 daddr 2001:db8::2"
		" tcp sport 1000-1001 tcp dport 22 counter drop\n"
		"\t\tmeta nfproto ipv6 ip6 saddr fd01::/48 ip6 daddr fd02::/48"
		" sctp dport 9 counter drop\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.0.0.1"
		" meta l4proto 6 counter drop\n"
		"\t}\n"
		PRE_HEAD("tsio0")
		"\t\tmeta nfproto ipv4 ip saddr 10.0.0.2 ip daddr 10.0.0.1"
		" meta l4proto 1 meta mark set 0x00000100\n"
		"\t\tmeta nfproto ipv6 ip6 saddr 2001:db8::2 ip6 daddr 2001:db8::1"
		" tcp sport 22 tcp dport 1000-1001 meta mark set 0x00000100\n"
		"\t\tmeta nfproto ipv4 ip daddr 10.0.0.1"
		" meta l4proto 6 meta mark set 0x00000100\n"
		"\t}\n"
		IN_HEAD("tsio0")
		"\t\tip6 daddr 2001:db8::1 udp dport 4500 accept\n"
		"\t\t" ND " accept\n"
		"\t\tmeta nfproto ipv4 ip saddr 10.0.0.2 ip daddr 10.0.0.1"
		" meta l4proto 1 counter drop\n"
		"\t\tmeta nfproto ipv6 ip6 saddr 2001:db8::2 ip6 daddr 2001:db8::1"
		" tcp sport 22 tcp dport 1000-1001 counter drop\n"
		"\t\tmeta nfproto ipv6 ip6 saddr fd02::/48 ip6 daddr fd01::/48"
		" sctp sport 9 counter drop\n"
		"\t\tmeta nfproto ipv4 ip daddr 10.0.0.1"
		" meta l4proto 6 counter drop\n"
		"\t}\n"
		"\tchain forward {\n"
		"\t\ttype filter hook forward priority filter; policy accept;\n"
		"\t\tiifname \"tsio0\" accept\n"
		"\t\tmeta nfproto ipv6 ip6 saddr fd02::/48 ip6 daddr fd01::/48"
		" sctp sport 9 counter drop\n"
		"\t}\n"
		"}\n");
}

TEST(netcfg_nft_no_selectors)
{
	struct netcfg c = base_cfg("10.0.0.1");

	check_render(&c,
		HEAD("tsio0")
		OUT_HEAD("0x00000101")
		"\t}\n"
		IN_HEAD("tsio0")
		"\t\tip daddr 10.0.0.1 udp dport 4500 accept\n"
		"\t}\n"
		"}\n");
}

/* Every buffer shorter than the text plus its NUL fails whole: -ENOSPC
 * and an empty string, never a prefix of the ruleset. */
TEST(netcfg_nft_buffer_too_small)
{
	struct netcfg_sel s[] = {
		SEL(AF_INET, "10.77.0.1", "10.77.0.2", IPPROTO_TCP, ANY_PORTS,
		    7000, 7010, NETCFG_TRANSPORT),
		SEL(AF_INET6, "fd01::/48", "fd02::/48", 0, ANY_PORTS,
		    ANY_PORTS, NETCFG_TUNNEL),
	};
	struct netcfg c = base_cfg("10.77.0.1");
	char full[4096], small[4096];
	int n, len, r;

	c.sels = s;
	c.nsels = 2;
	len = netcfg_render_nft(&c, full, sizeof(full));
	REQUIRE(len > 0 && (size_t)len == strlen(full));
	CHECK_EQ(netcfg_render_nft(&c, small, 0), -ENOSPC);
	for (n = 1; n <= len; n++) {
		memset(small, 'x', sizeof(small));
		r = netcfg_render_nft(&c, small, (size_t)n);
		CHECK_EQ(r, -ENOSPC);
		CHECK_EQ(small[0], '\0');
		CHECK_EQ(small[n], 'x'); /* nothing written past cap */
	}
	r = netcfg_render_nft(&c, small, (size_t)len + 1);
	CHECK_EQ(r, len);
	CHECK(!strcmp(small, full));
}

static bool renders(const struct netcfg *c)
{
	char buf[4096];

	return netcfg_render_nft(c, buf, sizeof(buf)) > 0;
}

/* Each row breaks one rule of netcfg.h; the base row is valid. */
TEST(netcfg_validate_refuses)
{
	const struct {
		const char *what;
		const char *tun;
		uint32_t table, fwmark, bypass;
		struct netcfg_sel sel;
	} rows[] = {
#define OK_SEL SEL(AF_INET, "10.0.0.1", "10.0.0.2", 6, ANY_PORTS, 80, 80, \
		   NETCFG_TRANSPORT)
		{ "base", "tsio0", 100, 1, 2, OK_SEL },
		{ "empty name", "", 100, 1, 2, OK_SEL },
		{ "space in name", "ts io", 100, 1, 2, OK_SEL },
		{ "quote in name", "ts\"0", 100, 1, 2, OK_SEL },
		{ "dot name", "..", 100, 1, 2, OK_SEL },
		{ "table 0", "tsio0", 0, 1, 2, OK_SEL },
		{ "table main", "tsio0", 254, 1, 2, OK_SEL },
		{ "fwmark 0", "tsio0", 100, 0, 2, OK_SEL },
		{ "marks equal", "tsio0", 100, 3, 3, OK_SEL },
		{ "ports, any proto", "tsio0", 100, 1, 2,
		  SEL(AF_INET, "10.0.0.1", "10.0.0.2", 0, ANY_PORTS, 80, 80,
		      NETCFG_TRANSPORT) },
		{ "ports, icmp", "tsio0", 100, 1, 2,
		  SEL(AF_INET, "10.0.0.1", "10.0.0.2", 1, 5, 5, ANY_PORTS,
		      NETCFG_TRANSPORT) },
		{ "range upside down", "tsio0", 100, 1, 2,
		  SEL(AF_INET, "10.0.0.1", "10.0.0.2", 6, ANY_PORTS, 90, 80,
		      NETCFG_TRANSPORT) },
		{ "family mix", "tsio0", 100, 1, 2,
		  SEL(AF_INET, "10.0.0.1", "fd00::1", 6, ANY_PORTS, ANY_PORTS,
		      NETCFG_TRANSPORT) },
		{ "no family", "tsio0", 100, 1, 2,
		  SEL(0, NULL, NULL, 6, ANY_PORTS, ANY_PORTS,
		      NETCFG_TRANSPORT) },
		{ "tunnel, no remote", "tsio0", 100, 1, 2,
		  SEL(AF_INET, "10.0.0.0/24", NULL, 0, ANY_PORTS, ANY_PORTS,
		      NETCFG_TUNNEL) },
#undef OK_SEL
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct netcfg c = base_cfg("10.0.0.1");

		snprintf(c.tun, sizeof(c.tun), "%s", rows[i].tun);
		c.table = rows[i].table;
		c.fwmark = rows[i].fwmark;
		c.bypass_mark = rows[i].bypass;
		c.sels = &rows[i].sel;
		c.nsels = 1;
		if (renders(&c) != (i == 0))
			test_fail(__FILE__, __LINE__, "row \"%s\"", rows[i].what);
		CHECK_EQ(netcfg_validate(&c), i == 0 ? 0 : -EINVAL);
	}
}

TEST(netcfg_validate_refuses_local_and_port)
{
	struct netcfg c = base_cfg("10.0.0.1");

	c.port = 0;
	CHECK_EQ(netcfg_validate(&c), -EINVAL);
	c = base_cfg("10.0.0.1");
	c.local.family = 0;
	CHECK_EQ(netcfg_validate(&c), -EINVAL);
	c = base_cfg("10.0.0.1");
	c.nsels = 1; /* and no array */
	CHECK_EQ(netcfg_validate(&c), -EINVAL);
	/* The bounds a 16-byte name buffer allows. */
	c = base_cfg("10.0.0.1");
	memset(c.tun, 'a', sizeof(c.tun));
	CHECK_EQ(netcfg_validate(&c), -EINVAL);
	c.tun[sizeof(c.tun) - 1] = '\0';
	CHECK_EQ(netcfg_validate(&c), 0);
}

/* Overheads worked out from RFC 4303 §2 and RFC 3948 §2.2 by hand:
 * UDP 8 + SPI/seq 8 + IV + pad <= 3 + 2 + ICV (+ outer header). */
TEST(netcfg_tun_mtu_values)
{
	static const struct {
		unsigned underlay;
		enum netcfg_mode mode;
		int family;
		unsigned iv, icv;
		int want;
	} rows[] = {
		{ 1500, NETCFG_TRANSPORT, AF_INET, 8, 16, 1455 },  /* GCM */
		{ 1500, NETCFG_TRANSPORT, AF_INET6, 8, 16, 1455 },
		{ 1500, NETCFG_TUNNEL, AF_INET, 8, 16, 1435 },
		{ 1500, NETCFG_TUNNEL, AF_INET6, 8, 16, 1415 },
		{ 1500, NETCFG_TRANSPORT, AF_INET, 8, 8, 1463 },   /* GCM-8 */
		{ 1500, NETCFG_TRANSPORT, AF_INET, 0, 16, 1463 },  /* HMAC */
		{ 1500, NETCFG_TRANSPORT, AF_INET, 0, 0, 1479 },   /* null */
		{ 9000, NETCFG_TUNNEL, AF_INET, 8, 16, 8935 },
		{ 65535, NETCFG_TRANSPORT, AF_INET, 8, 16, 65490 },
		{ 133, NETCFG_TUNNEL, AF_INET, 8, 16, 68 },        /* minimum */
		{ 132, NETCFG_TUNNEL, AF_INET, 8, 16, -EINVAL },
		{ 0, NETCFG_TRANSPORT, AF_INET, 8, 16, -EINVAL },
		{ 65536, NETCFG_TRANSPORT, AF_INET, 8, 16, -EINVAL },
		{ 1500, NETCFG_TRANSPORT, AF_INET, 8, 1u << 31, -EINVAL },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = netcfg_tun_mtu(rows[i].underlay, rows[i].mode,
					 rows[i].family, rows[i].iv,
					 rows[i].icv);

		if (got != rows[i].want)
			test_fail(__FILE__, __LINE__, "row %zu: %d != %d", i,
				  got, rows[i].want);
	}
	CHECK_EQ(netcfg_esp_overhead(NETCFG_TRANSPORT, AF_INET, 8, 16), 45);
	CHECK_EQ(netcfg_esp_overhead(NETCFG_TUNNEL, AF_INET6, 8, 16), 85);
}

/* ---- run_argv(), through which netcfg runs ip and nft ---- */

TEST(run_argv_status_and_output)
{
	const char *ok[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	const char *three[] = { "sh", "-c", "exit 3", NULL };
	const char *sig[] = { "sh", "-c", "kill -9 $$", NULL };
	const char *missing[] = { "tunsec-no-such-command", NULL };
	char out[64];

	CHECK_EQ(run_argv_quiet(ok, NULL, out, sizeof(out)), 0);
	CHECK(!strcmp(out, "out\nerr\n"));
	CHECK_EQ(run_argv_quiet(three, NULL, out, sizeof(out)), 3);
	CHECK_EQ(run_argv_quiet(sig, NULL, NULL, 0), RUN_SIGNALED + 9);
	CHECK_EQ(run_argv_quiet(missing, NULL, out, sizeof(out)), -ENOENT);
}

/* The shell sees its arguments as data: no expansion, no word splitting. */
TEST(run_argv_no_shell)
{
	const char *argv[] = { "printf", "%s|", "$HOME; echo x", "a b", NULL };
	char out[64];

	CHECK_EQ(run_argv_quiet(argv, NULL, out, sizeof(out)), 0);
	CHECK(!strcmp(out, "$HOME; echo x|a b|"));
}

/* stdin larger than a pipe buffer while the command writes as much back:
 * neither side may block the other. */
TEST(run_argv_stdin_large_and_bounded_output)
{
	const char *cat[] = { "cat", NULL };
	const char *wc[] = { "wc", "-c", NULL };
	const char *head[] = { "head", "-c", "10", NULL };
	size_t n = 300000, i;
	char *in = malloc(n + 1), out[16];

	REQUIRE(in);
	for (i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	in[n] = '\0';
	CHECK_EQ(run_argv_quiet(cat, in, out, sizeof(out)), 0);
	CHECK(!memcmp(out, "abcdefghijklmno", 16)); /* 15 bytes and NUL */
	CHECK_EQ(run_argv_quiet(wc, in, out, sizeof(out)), 0);
	CHECK_EQ(strtol(out, NULL, 10), 300000);
	/* A command that stops reading early still finishes cleanly. */
	CHECK_EQ(run_argv_quiet(head, in, out, sizeof(out)), 0);
	CHECK(!strcmp(out, "abcdefghij"));
	free(in);
}
