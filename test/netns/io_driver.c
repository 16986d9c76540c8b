/* SPDX-License-Identifier: MIT */
/*
 * Test driver for test/netns/io_smoke.sh: exercises src/io (TUN, UDP,
 * netcfg) from inside a network namespace. Built by the script.
 *
 *   io_driver render CFG           print the nft ruleset for CFG
 *   io_driver remove CFG           netcfg_remove(CFG)
 *   io_driver run CFG [-S SECS] [-k] [-r PORT]
 *       open the TUN device, set its MTU, bring it up, netcfg_apply(CFG),
 *       print "ready", then print one line per packet read from the TUN
 *       device until SIGTERM or SECS (default 20) pass; a UDP packet to
 *       PORT is written back into the TUN device with source and
 *       destination swapped. Afterwards netcfg_remove(CFG), unless -k
 *       (leave everything behind, as a crash would).
 *   io_driver udp LOCAL PORT MARK PEER PEER_PORT COUNT
 *       send COUNT datagrams (one burst, then one more alone) from a socket
 *       with SO_MARK = MARK to PEER, receive the echoes (3 s at most) and
 *       print "udp echoed N".
 *
 * CFG: -t TUN -T TABLE -m FWMARK -b BYPASS -l LOCAL -p PORT, and -s SEL for
 * each selector, SEL = "MODE PROTO LOCAL REMOTE LPORTS RPORTS" with MODE
 * transport|tunnel, PROTO a number (0: any), prefixes or "any", ports
 * "any", "N" or "N-M".
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dp/limits.h"
#include "io/netcfg.h"
#include "io/tun.h"
#include "io/udp.h"
#include "util/bytes.h"
#include "util/log.h"

#define SEL_MAX 8
#define UNDERLAY_MTU 1500

struct opts {
	struct netcfg cfg;
	struct netcfg_sel sels[SEL_MAX];
	unsigned secs;
	int keep;
	int reflect;
};

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "io_driver: %s\n", what);
	exit(2);
}

static void parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned a, b;

	if (!strcmp(s, "any")) {
		*lo = 0;
		*hi = 65535;
	} else if (sscanf(s, "%u-%u", &a, &b) == 2 && a <= b && b < 65536) {
		*lo = (uint16_t)a;
		*hi = (uint16_t)b;
	} else if (sscanf(s, "%u", &a) == 1 && a < 65536) {
		*lo = *hi = (uint16_t)a;
	} else {
		die("bad ports");
	}
}

static void parse_prefix(const char *s, struct ip_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(s, "any") && prefix_parse(s, p))
		die("bad prefix");
}

static void parse_sel(struct opts *o, const char *s)
{
	char mode[16], l[64], r[64], lp[16], rp[16];
	struct netcfg_sel *sel;
	unsigned proto;

	if (o->cfg.nsels == SEL_MAX)
		die("too many selectors");
	sel = &o->sels[o->cfg.nsels++];
	if (sscanf(s, "%15s %u %63s %63s %15s %15s", mode, &proto, l, r, lp,
		   rp) != 6 || proto > 255)
		die("bad selector");
	sel->mode = strcmp(mode, "tunnel") ? NETCFG_TRANSPORT : NETCFG_TUNNEL;
	sel->proto = (uint8_t)proto;
	parse_prefix(l, &sel->local);
	parse_prefix(r, &sel->remote);
	parse_ports(lp, &sel->lport_lo, &sel->lport_hi);
	parse_ports(rp, &sel->rport_lo, &sel->rport_hi);
	sel->family = sel->local.len ? sel->local.addr.family :
		      sel->remote.len ? sel->remote.addr.family :
					o->cfg.local.family;
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	strcpy(o->cfg.tun, "tsio0");
	o->cfg.table = 100;
	o->cfg.fwmark = 0x100;
	o->cfg.bypass_mark = 0x101;
	o->cfg.port = 4500;
	o->cfg.sels = o->sels;
	o->secs = 20;
	o->reflect = -1;
	addr_parse("0.0.0.0", &o->cfg.local);
	while ((c = getopt(argc, argv, "t:T:m:b:l:p:s:S:kr:")) != -1) {
		switch (c) {
		case 't': snprintf(o->cfg.tun, sizeof(o->cfg.tun), "%s", optarg); break;
		case 'T': o->cfg.table = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'm': o->cfg.fwmark = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'b': o->cfg.bypass_mark = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'l': if (addr_parse(optarg, &o->cfg.local)) die("bad -l"); break;
		case 'p': o->cfg.port = (uint16_t)atoi(optarg); break;
		case 's': parse_sel(o, optarg); break;
		case 'S': o->secs = (unsigned)atoi(optarg); break;
		case 'k': o->keep = 1; break;
		case 'r': o->reflect = atoi(optarg); break;
		default: die("bad option");
		}
	}
}

/* What the printer and the reflector need from a packet. */
struct pkt_info {
	int family;
	uint8_t proto;
	size_t addr_off, addr_len, l4_off;
	uint16_t sport, dport;
	uint8_t tcp_flags;
};

/* Test traffic from our own namespaces; every read is length-checked. */
static int parse_packet(const uint8_t *p, size_t len, struct pkt_info *pi)
{
	size_t ihl;

	memset(pi, 0, sizeof(*pi));
	if (len >= 20 && p[0] >> 4 == 4) {
		ihl = (size_t)(p[0] & 15) * 4;
		if (ihl < 20 || ihl > len)
			return -1;
		pi->family = AF_INET;
		pi->proto = p[9];
		pi->addr_off = 12;
		pi->addr_len = 4;
		pi->l4_off = ihl;
	} else if (len >= 40 && p[0] >> 4 == 6) {
		pi->family = AF_INET6;
		pi->proto = p[6]; /* no extension headers in these tests */
		pi->addr_off = 8;
		pi->addr_len = 16;
		pi->l4_off = 40;
	} else {
		return -1;
	}
	if ((pi->proto == 6 || pi->proto == 17) && len - pi->l4_off >= 4) {
		pi->sport = get_be16(p + pi->l4_off);
		pi->dport = get_be16(p + pi->l4_off + 2);
	}
	if (pi->proto == 6 && len - pi->l4_off >= 14)
		pi->tcp_flags = p[pi->l4_off + 13];
	return 0;
}

static void print_packet(const uint8_t *p, const struct pkt_info *pi)
{
	struct ip_addr s = { .family = (uint8_t)pi->family };
	struct ip_addr d = { .family = (uint8_t)pi->family };
	char sb[ADDR_STRLEN], db[ADDR_STRLEN];
	const char *name = pi->proto == 6 ? "tcp" : pi->proto == 17 ? "udp" :
			   pi->proto == 1 ? "icmp" : pi->proto == 58 ? "icmp6" :
			   "other";

	memcpy(s.bytes, p + pi->addr_off, pi->addr_len);
	memcpy(d.bytes, p + pi->addr_off + pi->addr_len, pi->addr_len);
	if (pi->proto == 6 || pi->proto == 17)
		printf("pkt %s %s:%u > %s:%u flags 0x%02x\n", name,
		       addr_format(&s, sb), pi->sport, addr_format(&d, db),
		       pi->dport, pi->tcp_flags);
	else
		printf("pkt %s %s > %s\n", name, addr_format(&s, sb),
		       addr_format(&d, db));
	fflush(stdout);
}

/* Swap addresses and ports: the IP and UDP checksums stay valid, since
 * both sum the same 16-bit words in another order. */
static void reflect(int fd, uint8_t *p, size_t len, const struct pkt_info *pi)
{
	uint8_t tmp[16];
	uint8_t *a = p + pi->addr_off, *b = a + pi->addr_len;

	memcpy(tmp, a, pi->addr_len);
	memcpy(a, b, pi->addr_len);
	memcpy(b, tmp, pi->addr_len);
	put_be16(p + pi->l4_off, pi->dport);
	put_be16(p + pi->l4_off + 2, pi->sport);
	if (tun_write(fd, p, len) == (ssize_t)len)
		printf("reflected %u\n", pi->dport);
	else
		printf("reflect failed\n");
	fflush(stdout);
}

static void tun_loop(int fd, const struct opts *o)
{
	static uint8_t buf[IP_PACKET_MAX];
	time_t end = time(NULL) + o->secs;
	struct pkt_info pi;
	ssize_t n;

	while (!stopping && time(NULL) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((n = tun_read(fd, buf, sizeof(buf))) > 0) {
			if (parse_packet(buf, (size_t)n, &pi))
				continue;
			print_packet(buf, &pi);
			if (pi.proto == 17 && pi.l4_off + 4 <= (size_t)n &&
			    o->reflect >= 0 &&
			    pi.dport == o->reflect)
				reflect(fd, buf, (size_t)n, &pi);
		}
	}
}

static int cmd_run(struct opts *o)
{
	int fd, mtu = netcfg_tun_mtu(UNDERLAY_MTU, NETCFG_TRANSPORT, AF_INET,
				     8, 16);
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (mtu < 0 || tun_open(o->cfg.tun, &fd) || tun_set_mtu(o->cfg.tun, (unsigned)mtu) ||
	    tun_set_up(o->cfg.tun))
		return 1;
	if (netcfg_apply(&o->cfg))
		return 1;
	printf("ready %s mtu %d\n", o->cfg.tun, mtu);
	fflush(stdout);
	tun_loop(fd, o);
	if (o->keep)
		_exit(0); /* as if killed: nothing removed */
	if (netcfg_remove(&o->cfg))
		return 1;
	close(fd);
	printf("removed\n");
	return 0;
}

static void fill_dgram(struct udp_dgram *d, uint8_t *buf, unsigned i,
		       const struct ip_addr *peer, uint16_t port)
{
	snprintf((char *)buf, 32, "tunsec-io-%u", i);
	d->data = buf;
	d->len = (uint32_t)strlen((char *)buf);
	d->addr = *peer;
	d->port = port;
}

/* Echoes of "tunsec-io-N" back from the peer within 3 seconds. */
static unsigned udp_collect(int fd, const struct ip_addr *peer, unsigned want)
{
	static uint8_t rx[BURST_MAX][64];
	struct udp_dgram d[BURST_MAX];
	time_t end = time(NULL) + 3;
	unsigned got = 0, i;
	int n;

	while (got < want && time(NULL) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		for (i = 0; i < BURST_MAX; i++)
			d[i] = (struct udp_dgram){ .data = rx[i], .cap = 64 };
		n = udp_recv_burst(fd, d, BURST_MAX);
		for (i = 0; n > 0 && i < (unsigned)n; i++)
			if (!d[i].trunc && addr_equal(&d[i].addr, peer) &&
			    d[i].len > 10 && !memcmp(rx[i], "tunsec-io-", 10))
				got++;
	}
	return got;
}

static int cmd_udp(char **argv)
{
	static uint8_t tx[BURST_MAX][32];
	struct udp_dgram d[BURST_MAX];
	struct ip_addr local, peer;
	unsigned count = (unsigned)atoi(argv[5]), i, got;
	uint16_t port = (uint16_t)atoi(argv[1]), pport = (uint16_t)atoi(argv[4]);
	int fd, sent;

	if (addr_parse(argv[0], &local) || addr_parse(argv[3], &peer) ||
	    count < 1 || count > BURST_MAX)
		die("bad udp arguments");
	if (udp_open(&local, port, (uint32_t)strtoul(argv[2], NULL, 0), &fd))
		return 1;
	for (i = 0; i < count; i++)
		fill_dgram(&d[i], tx[i], i, &peer, pport);
	sent = udp_send_burst(fd, d, count);
	fill_dgram(&d[0], tx[0], count, &peer, pport);
	if (udp_send(fd, d[0].data, d[0].len, &peer, pport) == (ssize_t)d[0].len)
		sent++;
	got = udp_collect(fd, &peer, count + 1);
	printf("udp sent %d echoed %u\n", sent, got);
	close(fd);
	return got == count + 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o;
	const char *cmd = argc > 1 ? argv[1] : "";
	static char text[65536];

	log_set_ident("io_driver");
	if (!strcmp(cmd, "udp")) {
		if (argc != 8)
			die("udp needs 6 arguments");
		return cmd_udp(argv + 2);
	}
	parse_opts(&o, argc - 1, argv + 1);
	if (!strcmp(cmd, "render")) {
		if (netcfg_render_nft(&o.cfg, text, sizeof(text)) < 0)
			return 1;
		fputs(text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "remove"))
		return netcfg_remove(&o.cfg) ? 1 : 0;
	if (!strcmp(cmd, "run"))
		return cmd_run(&o);
	die("unknown command");
	return 2;
}
