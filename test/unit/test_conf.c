/* SPDX-License-Identifier: MIT */
/*
 * Configuration parser: valid files become the expected model (every field,
 * every default), key files, the example files, SA configurations for the
 * data plane, and selector text round trips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "test.h"

/* Byte i of this key material is 0x10 + i (36 bytes). */
#define KEY36 "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233"

static const char full_text[] =
	"# every key, set to something other than its default\n" /* 1 */
	"[daemon]\n"                                             /* 2 */
	"local-address = 192.0.2.1\n"                            /* 3 */
	"port = 4501\n"                                          /* 4 */
	"control-socket = /tmp/t s.sock\n"                       /* 5 */
	"tun = ts1\n"                                            /* 6 */
	"mtu = 9000\n"                                           /* 7 */
	"log-level = debug\n"                                    /* 8 */
	"fwmark = 0x10\n"                                        /* 9 */
	"table = 100\n"                                          /* 10 */
	"workers = 8\n"                                          /* 11 */
	"tun-offload = no\n"                                     /* 12 */
	"udp-gso = no\n"                                         /* 13 */
	"udp-gro = no\n"                                         /* 14 */
	"coalesce = no\n"                                        /* 15 */
	"\n"                                                     /* 16 */
	"[peer east]   # a comment after a header\n"             /* 17 */
	"address = 192.0.2.2\n"                                  /* 18 */
	"port = 4600\n"                                          /* 19 */
	"mode = tunnel\n"                                        /* 20 */
	"protect = local 10.1.0.0/16 remote 10.2.0.0/16 proto tcp lport 1000-2000 rport 443\n" /* 21 */
	"protect = remote 10.3.0.0/16\n"                         /* 22 */
	"protect = local fd00::/8 proto icmpv6\n"                /* 23 */
	"\n"                                                     /* 24 */
	"[sa north-out]\n"                                       /* 25: before its peer */
	"peer = north\n"                                         /* 26 */
	"direction = out\n"                                      /* 27 */
	"spi = 7\n"                                              /* 28 */
	"cipher = null\n"                                        /* 29 */
	"\n"                                                     /* 30 */
	"[peer west]\n"                                          /* 31 */
	"address = 192.0.2.3\n"                                  /* 32 */
	"protect = proto udp rport 4789\n"                       /* 33 */
	"\t protect =  lport 53 proto 17\t  # dns\n"             /* 34 */
	"[peer north]\n"                                         /* 35 */
	"address = 192.0.2.4\n"                                  /* 36 */
	"protect = proto 99 local 192.0.2.1/24\n"                /* 37 */
	"[sa east-out]\n"                                        /* 38 */
	"peer = east\n"                                          /* 39 */
	"direction = out\n"                                      /* 40 */
	"spi = 0x1001\n"                                         /* 41 */
	"cipher = aes-gcm-256\n"                                 /* 42 */
	"icv = 12\n"                                             /* 43 */
	"key = 0x" KEY36 "\n"                                    /* 44 */
	"esn = yes\n"                                            /* 45 */
	"tfc-pad = 128\n"                                        /* 46 */
	"cpu = 5\n"                                              /* 47 */
	"[sa east-in]\n"                                         /* 48 */
	"peer=east\n"                                            /* 49 */
	"direction=in\n"                                         /* 50 */
	"spi=0x1001\n"                                           /* 51: same SPI, other direction */
	"replay-window = 65536\n"                                /* 52 */
	"cipher = chacha20-poly1305\n"                           /* 53 */
	"key = " KEY36 "\n"                                      /* 54 */
	"esn = no\n"                                             /* 55 */
	"[sa west-out]\n"                                        /* 56 */
	"peer = west\n"                                          /* 57 */
	"direction = out\n"                                      /* 58 */
	"spi = 4294967295\n"                                     /* 59 */
	"cipher = aes-ccm-128\n"                                 /* 60 */
	"icv = 8\n"                                              /* 61 */
	"key = 101112131415161718191A1B1C1D1E1F202122\n"         /* 62 */
	"[sa west-in]\n"                                         /* 63 */
	"peer = west\n"                                          /* 64 */
	"direction = in\n"                                       /* 65 */
	"spi = 0x2002\n"                                         /* 66 */
	"cipher = null-hmac-sha256\n"                            /* 67 */
	"key = 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"; /* 68, no newline */

static struct ip_addr ip(const char *s)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	if (addr_parse(s, &a))
		test_fail(__FILE__, __LINE__, "bad address %s", s);
	return a;
}

static bool prefix_is(const struct ip_prefix *p, const char *addr,
		      unsigned len)
{
	struct ip_addr a = ip(addr);

	return p->len == len && addr_equal(&p->addr, &a);
}

static bool key_is_pattern(const struct conf_sa *sa, unsigned len)
{
	unsigned i;

	if (sa->key_len != len)
		return false;
	for (i = 0; i < len; i++)
		if (sa->key[i] != 0x10 + i)
			return false;
	return true;
}

static bool sel_ports(const struct conf_selector *s, unsigned llo,
		      unsigned lhi, unsigned rlo, unsigned rhi)
{
	return s->lport_lo == llo && s->lport_hi == lhi &&
	       s->rport_lo == rlo && s->rport_hi == rhi;
}

static void check_full_daemon(const struct conf *c)
{
	const struct conf_daemon *d = &c->daemon;
	struct ip_addr a = ip("192.0.2.1");

	CHECK(addr_equal(&d->local, &a));
	CHECK_EQ(d->port, 4501);
	CHECK(!strcmp(d->control_socket, "/tmp/t s.sock"));
	CHECK(!strcmp(d->tun, "ts1"));
	CHECK_EQ(d->mtu, 9000);
	CHECK_EQ(d->log_level, LOG_DEBUG);
	CHECK_EQ(d->fwmark, 16);
	CHECK_EQ(d->table, 100);
	CHECK_EQ(d->line, 2);
	CHECK_EQ(d->key_line[CONF_DAEMON_LOCAL_ADDRESS], 3);
	CHECK_EQ(d->key_line[CONF_DAEMON_TABLE], 10);
	CHECK_EQ(d->workers, 8);
	CHECK(!d->tun_offload && !d->udp_gso && !d->udp_gro && !d->coalesce);
	CHECK_EQ(d->key_line[CONF_DAEMON_WORKERS], 11);
	CHECK_EQ(d->key_line[CONF_DAEMON_COALESCE], 15);
}

static void check_full_east(const struct conf_peer *p)
{
	struct ip_addr a = ip("192.0.2.2");
	const struct conf_selector *s = p->sel;

	CHECK(!strcmp(p->name, "east"));
	CHECK(addr_equal(&p->addr, &a));
	CHECK_EQ(p->port, 4600);
	CHECK_EQ(p->mode, ESP_MODE_TUNNEL);
	CHECK_EQ(p->line, 17);
	REQUIRE(p->nsel == 3);
	CHECK(s[0].has_local && s[0].has_remote);
	CHECK(prefix_is(&s[0].local, "10.1.0.0", 16));
	CHECK(prefix_is(&s[0].remote, "10.2.0.0", 16));
	CHECK_EQ(s[0].proto, 6);
	CHECK(sel_ports(&s[0], 1000, 2000, 443, 443));
	CHECK_EQ(s[0].line, 21);
	/* Tunnel mode: the prefix not written is the whole family. */
	CHECK(!s[1].has_local && s[1].has_remote);
	CHECK(prefix_is(&s[1].local, "0.0.0.0", 0));
	CHECK(prefix_is(&s[1].remote, "10.3.0.0", 16));
	CHECK_EQ(s[1].proto, 0);
	CHECK(sel_ports(&s[1], 0, 65535, 0, 65535));
	CHECK(prefix_is(&s[2].local, "fd00::", 8));
	CHECK(prefix_is(&s[2].remote, "::", 0));
	CHECK_EQ(s[2].proto, 58);
	CHECK_EQ(s[2].line, 23);
}

static void check_full_west_north(const struct conf *c)
{
	const struct conf_peer *w = &c->peers[1], *n = &c->peers[2];

	CHECK(!strcmp(w->name, "west"));
	CHECK_EQ(w->port, 4500);
	CHECK_EQ(w->mode, ESP_MODE_TRANSPORT);
	REQUIRE(w->nsel == 2);
	/* Transport mode: the underlay addresses as host prefixes. */
	CHECK(prefix_is(&w->sel[0].local, "192.0.2.1", 32));
	CHECK(prefix_is(&w->sel[0].remote, "192.0.2.3", 32));
	CHECK(!w->sel[0].has_local && !w->sel[0].has_remote);
	CHECK_EQ(w->sel[0].proto, 17);
	CHECK(sel_ports(&w->sel[0], 0, 65535, 4789, 4789));
	CHECK_EQ(w->sel[1].proto, 17);
	CHECK(sel_ports(&w->sel[1], 53, 53, 0, 65535));
	CHECK_EQ(w->sel[1].line, 34);
	CHECK(!strcmp(n->name, "north"));
	REQUIRE(n->nsel == 1);
	CHECK_EQ(n->sel[0].proto, 99);
	/* Host bits past the prefix length are cut. */
	CHECK(prefix_is(&n->sel[0].local, "192.0.2.0", 24));
	CHECK(prefix_is(&n->sel[0].remote, "192.0.2.4", 32));
}

static void check_full_sas(const struct conf *c)
{
	const struct conf_sa *s = c->sas;

	REQUIRE(c->nsas == 5);
	CHECK(!strcmp(s[0].name, "north-out") && s[0].peer == 2);
	CHECK(!s[0].inbound && s[0].spi == 7);
	CHECK_EQ(s[0].cipher, ESP_CIPHER_NULL);
	CHECK_EQ(s[0].icv, 0);
	CHECK_EQ(s[0].key_len, 0);
	CHECK(!strcmp(s[1].name, "east-out") && s[1].peer == 0);
	CHECK(!s[1].inbound && s[1].spi == 0x1001);
	CHECK_EQ(s[1].cipher, ESP_CIPHER_AES_GCM_256);
	CHECK_EQ(s[1].icv, 12);
	CHECK(key_is_pattern(&s[1], 36) && s[1].key_inline);
	CHECK(s[1].esn && s[1].tfc_pad == 128 && s[1].replay_window == 0);
	CHECK_EQ(s[1].line, 38);
	CHECK_EQ(s[1].key_line[CONF_SA_KEY], 44);
	CHECK_EQ(s[1].cpu, 5);
	CHECK_EQ(s[1].key_line[CONF_SA_CPU], 47);
	CHECK(s[0].cpu == 0 && s[0].key_line[CONF_SA_CPU] == 0);
	CHECK(s[2].inbound && s[2].spi == 0x1001 && s[2].peer == 0);
	CHECK_EQ(s[2].cipher, ESP_CIPHER_CHACHA20_POLY1305);
	CHECK_EQ(s[2].icv, 16);
	CHECK(key_is_pattern(&s[2], 36));
	CHECK(!s[2].esn && s[2].replay_window == 65536 && s[2].tfc_pad == 0);
	CHECK(!strcmp(s[3].peer_name, "west") && s[3].peer == 1);
	CHECK_EQ(s[3].spi, 0xffffffffu);
	CHECK_EQ(s[3].cipher, ESP_CIPHER_AES_CCM_128);
	CHECK_EQ(s[3].icv, 8);
	CHECK(key_is_pattern(&s[3], 19));
	CHECK(s[4].inbound && s[4].spi == 0x2002);
	CHECK_EQ(s[4].cipher, ESP_CIPHER_NULL_HMAC_SHA256);
	CHECK_EQ(s[4].icv, 16);
	CHECK(key_is_pattern(&s[4], 32));
	CHECK_EQ(s[4].replay_window, 1024);
	CHECK_EQ(s[4].key_line[CONF_SA_KEY], 68);
}

TEST(conf_full_file)
{
	struct conf c;
	struct conf_error e;

	REQUIRE(conf_parse_text("full.conf", full_text, strlen(full_text),
				NULL, &c, &e) == 0);
	check_full_daemon(&c);
	REQUIRE(c.npeers == 3);
	check_full_east(&c.peers[0]);
	check_full_west_north(&c);
	check_full_sas(&c);
	CHECK(conf_find_peer(&c, "west") == &c.peers[1]);
	CHECK(conf_find_peer(&c, "south") == NULL);
	CHECK(!c.inline_keys_exposed); /* only conf_parse_file sets it */
	conf_free(&c);
}

/* A "#" that does not follow a blank is part of the value. */
TEST(conf_hash_inside_word)
{
	static const char text[] =
		"[daemon]\nlocal-address = 10.0.0.1\n[peer b]\n"
		"address = 10.0.0.2\nprotect = proto tcp#x\n";
	struct conf c;
	struct conf_error e;

	CHECK_EQ(conf_parse_text("t", text, strlen(text), NULL, &c, &e),
		 -EINVAL);
	CHECK_EQ(e.line, 5);
	CHECK(strstr(e.reason, "proto \"tcp#x\""));
}

static const char minimal_text[] =
	"[daemon]\n"
	"local-address = 10.0.0.1\n"
	"[peer b]\n"
	"address = 10.0.0.2\n"
	"protect = proto tcp\n"
	"[sa o]\n"
	"peer = b\n"
	"direction = out\n"
	"spi = 0x1001\n"
	"cipher = aes-gcm-128\n"
	"key = 101112131415161718191a1b1c1d1e1f20212223\n"
	"[sa i]\n"
	"peer = b\n"
	"direction = in\n"
	"spi = 0x2001\n"
	"cipher = aes-gcm-128\n"
	"key = 101112131415161718191a1b1c1d1e1f20212223\n";

TEST(conf_defaults_applied)
{
	struct conf c;
	struct conf_error e;
	const struct conf_daemon *d = &c.daemon;

	REQUIRE(conf_parse_text("min.conf", minimal_text, strlen(minimal_text),
				NULL, &c, &e) == 0);
	CHECK_EQ(d->port, 4500);
	CHECK(!strcmp(d->control_socket, "/run/tunsec/tunsecd.sock"));
	CHECK(!strcmp(d->tun, "tunsec0"));
	CHECK_EQ(d->mtu, 1500);
	CHECK_EQ(d->log_level, LOG_INFO);
	CHECK_EQ(d->fwmark, 0x7473);
	CHECK_EQ(d->table, 7473);
	CHECK_EQ(d->key_line[CONF_DAEMON_PORT], 0);
	CHECK_EQ(d->workers, 0);
	CHECK(d->tun_offload && d->udp_gso && d->udp_gro && d->coalesce);
	CHECK_EQ(d->key_line[CONF_DAEMON_WORKERS], 0);
	CHECK_EQ(d->key_line[CONF_DAEMON_TUN_OFFLOAD], 0);
	REQUIRE(c.npeers == 1 && c.nsas == 2);
	CHECK_EQ(c.peers[0].port, 4500);
	CHECK_EQ(c.peers[0].mode, ESP_MODE_TRANSPORT);
	CHECK(sel_ports(&c.peers[0].sel[0], 0, 65535, 0, 65535));
	CHECK_EQ(c.sas[0].icv, 16);
	CHECK(!c.sas[0].esn && !c.sas[1].esn);
	CHECK_EQ(c.sas[0].replay_window, 0);
	CHECK_EQ(c.sas[1].replay_window, 1024);
	CHECK(c.sas[0].tfc_pad == 0 && c.sas[1].tfc_pad == 0);
	CHECK(key_is_pattern(&c.sas[0], 20));
	CHECK(c.sas[0].cpu == 0 && c.sas[1].cpu == 0);
	CHECK_EQ(c.sas[0].key_line[CONF_SA_CPU], 0);
	conf_free(&c);
}

TEST(conf_defaults_function)
{
	struct conf c;

	memset(&c, 0x5a, sizeof(c));
	conf_defaults(&c);
	CHECK_EQ(c.daemon.port, 4500);
	CHECK_EQ(c.daemon.mtu, 1500);
	CHECK_EQ(c.daemon.fwmark, 0x7473);
	CHECK_EQ(c.daemon.table, 7473);
	CHECK_EQ(c.daemon.log_level, LOG_INFO);
	CHECK_EQ(c.daemon.local.family, 0);
	CHECK_EQ(c.daemon.workers, 0);
	CHECK(c.daemon.tun_offload && c.daemon.udp_gso && c.daemon.udp_gro &&
	      c.daemon.coalesce);
	CHECK(c.npeers == 0 && c.nsas == 0 && !c.peers && !c.sas);
	conf_free(&c);
}

/* The [daemon] speed switches: each key alone, at its bounds, with the
 * line it was set on; the others keep their defaults. */
static const struct {
	const char *line;
	unsigned workers;
	bool tun_offload, udp_gso, udp_gro, coalesce;
	enum conf_daemon_key key;
} speed_cases[] = {
	{ "workers = 0", 0, true, true, true, true, CONF_DAEMON_WORKERS },
	{ "workers = 1", 1, true, true, true, true, CONF_DAEMON_WORKERS },
	{ "workers = 64", 64, true, true, true, true, CONF_DAEMON_WORKERS },
	{ "workers = 0x10", 16, true, true, true, true, CONF_DAEMON_WORKERS },
	{ "tun-offload = no", 0, false, true, true, true, CONF_DAEMON_TUN_OFFLOAD },
	{ "tun-offload = yes", 0, true, true, true, true, CONF_DAEMON_TUN_OFFLOAD },
	{ "udp-gso = no", 0, true, false, true, true, CONF_DAEMON_UDP_GSO },
	{ "udp-gro = no", 0, true, true, false, true, CONF_DAEMON_UDP_GRO },
	{ "coalesce=no", 0, true, true, true, false, CONF_DAEMON_COALESCE },
	{ "coalesce = yes", 0, true, true, true, true, CONF_DAEMON_COALESCE },
};

TEST(conf_daemon_speed_keys)
{
	char text[256];
	struct conf c;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < sizeof(speed_cases) / sizeof(speed_cases[0]); i++) {
		const struct conf_daemon *d = &c.daemon;

		snprintf(text, sizeof(text), "[daemon]\nlocal-address = "
			 "10.0.0.1\n%s\n", speed_cases[i].line);
		if (conf_parse_text("t", text, strlen(text), NULL, &c, &e)) {
			test_fail(__FILE__, __LINE__, "%s: line %u: %s",
				  speed_cases[i].line, e.line, e.reason);
			continue;
		}
		CHECK_EQ(d->workers, speed_cases[i].workers);
		CHECK_EQ(d->tun_offload, speed_cases[i].tun_offload);
		CHECK_EQ(d->udp_gso, speed_cases[i].udp_gso);
		CHECK_EQ(d->udp_gro, speed_cases[i].udp_gro);
		CHECK_EQ(d->coalesce, speed_cases[i].coalesce);
		CHECK_EQ(d->key_line[speed_cases[i].key], 3);
		conf_free(&c);
	}
}

/* Coalescing without TUN offload has no effect, and is not an error. */
TEST(conf_coalesce_without_tun_offload)
{
	static const char text[] = "[daemon]\nlocal-address = 10.0.0.1\n"
				   "tun-offload = no\ncoalesce = yes\n";
	struct conf c;
	struct conf_error e;

	REQUIRE(conf_parse_text("t", text, strlen(text), NULL, &c, &e) == 0);
	CHECK(!c.daemon.tun_offload && c.daemon.coalesce);
	CHECK_EQ(c.daemon.key_line[CONF_DAEMON_COALESCE], 4);
	conf_free(&c);
}

/* Per-CPU SAs (RFC 9611): several outbound SAs of one peer with distinct
 * cpu values, in any order; several inbound SAs with distinct SPIs; the
 * same cpu for another peer. */
static const char per_cpu_text[] =
	"[daemon]\nlocal-address = 10.0.0.1\nworkers = 4\n"        /* 1-3 */
	"[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\n"      /* 4-6 */
	"[peer c]\naddress = 10.0.0.3\nprotect = proto tcp\n"      /* 7-9 */
	"[sa o2]\npeer = b\ndirection = out\ncpu = 2\nspi = 0x1002\n" /* 10-14 */
	"cipher = null\n"                                           /* 15 */
	"[sa o0]\npeer = b\ndirection = out\nspi = 0x1000\ncipher = null\n" /* 16-20 */
	"[sa o63]\npeer = b\ndirection = out\ncpu = 63\nspi = 0x1003\n" /* 21-25 */
	"cipher = null\n"                                           /* 26 */
	"[sa i0]\npeer = b\ndirection = in\nspi = 0x2000\ncipher = null\n" /* 27-31 */
	"[sa i1]\npeer = b\ndirection = in\nspi = 0x2001\ncipher = null\n" /* 32-36 */
	"[sa i2]\npeer = b\ndirection = in\nspi = 0x1000\ncipher = null\n" /* 37-41 */
	"[sa c2]\npeer = c\ndirection = out\ncpu = 2\nspi = 0x3000\n" /* 42-46 */
	"cipher = null\n";                                          /* 47 */

TEST(conf_per_cpu_sas)
{
	static const struct {
		const char *name;
		unsigned peer, cpu, cpu_line;
		bool inbound;
	} want[] = {
		{ "o2", 0, 2, 13, false }, { "o0", 0, 0, 0, false },
		{ "o63", 0, 63, 24, false }, { "i0", 0, 0, 0, true },
		{ "i1", 0, 0, 0, true }, { "i2", 0, 0, 0, true },
		{ "c2", 1, 2, 45, false },
	};
	struct esp_sa_config cfg;
	struct conf c;
	struct conf_error e;
	unsigned i;

	if (conf_parse_text("t", per_cpu_text, strlen(per_cpu_text), NULL, &c,
			    &e))
		test_fail(__FILE__, __LINE__, "line %u: %s", e.line, e.reason);
	REQUIRE(c.nsas == sizeof(want) / sizeof(want[0]));
	CHECK_EQ(c.daemon.workers, 4);
	for (i = 0; i < c.nsas; i++) {
		const struct conf_sa *sa = &c.sas[i];

		CHECK(!strcmp(sa->name, want[i].name));
		CHECK_EQ(sa->peer, want[i].peer);
		CHECK_EQ(sa->cpu, want[i].cpu);
		CHECK_EQ(sa->key_line[CONF_SA_CPU], want[i].cpu_line);
		CHECK_EQ(sa->inbound, want[i].inbound);
		CHECK_EQ(conf_sa_config(&c, sa, &cfg), 0);
		CHECK_EQ(cfg.spi, sa->spi);
	}
	/* An inbound SA may reuse an outbound SPI (another direction). */
	CHECK(c.sas[5].spi == c.sas[1].spi);
	conf_free(&c);
}

/* A daemon-only file is valid: peers and SAs may come later. */
TEST(conf_daemon_only_and_peer_without_sas)
{
	static const char t1[] = "[daemon]\nlocal-address = fd00::1\n";
	static const char t2[] = "[daemon]\nlocal-address = fd00::1\n"
				 "[peer p]\naddress = fd00::2\nprotect = proto tcp\n";
	struct conf c;
	struct conf_error e;

	REQUIRE(conf_parse_text("t", t1, strlen(t1), NULL, &c, &e) == 0);
	CHECK(c.npeers == 0 && c.nsas == 0);
	CHECK_EQ(c.daemon.local.family, AF_INET6);
	conf_free(&c);
	REQUIRE(conf_parse_text("t", t2, strlen(t2), NULL, &c, &e) == 0);
	REQUIRE(c.npeers == 1);
	CHECK(prefix_is(&c.peers[0].sel[0].local, "fd00::1", 128));
	CHECK(prefix_is(&c.peers[0].sel[0].remote, "fd00::2", 128));
	conf_free(&c);
}

TEST(conf_bom_crlf_and_blank_lines)
{
	static const char text[] = "\xef\xbb\xbf[daemon]\r\n\r\n  \t\r\n"
				   "local-address = 10.0.0.1\r\nport = 7\r\n";
	struct conf c;
	struct conf_error e;

	REQUIRE(conf_parse_text("t", text, strlen(text), NULL, &c, &e) == 0);
	CHECK_EQ(c.daemon.port, 7);
	CHECK_EQ(c.daemon.key_line[CONF_DAEMON_PORT], 5);
	conf_free(&c);
}

/* Parse, free, parse again: nothing leaks (under ASan) and the freed conf
 * is zeroed, keys included. */
TEST(conf_parse_free_parse)
{
	static const struct conf zero;
	struct conf c;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < 3; i++) {
		REQUIRE(conf_parse_text("full.conf", full_text,
					strlen(full_text), NULL, &c, &e) == 0);
		conf_free(&c);
		CHECK(!memcmp(&c, &zero, sizeof(c)));
		conf_free(&c); /* twice is harmless */
	}
}

/* Many peers, selectors and SAs: the arrays grow past several powers of
 * two and keep their contents. */
TEST(conf_many_items)
{
	size_t cap = 1 << 20, n = 0;
	char *t = malloc(cap);
	struct conf c;
	struct conf_error e;
	unsigned i, j;

	REQUIRE(t);
	n += (size_t)snprintf(t + n, cap - n, "[daemon]\nlocal-address = 10.0.0.1\n");
	for (i = 0; i < 300; i++) {
		n += (size_t)snprintf(t + n, cap - n, "[peer p%u]\naddress = 10.%u.%u.2\n",
				      i, i / 256 + 1, i % 256);
		for (j = 0; j < (i % 5) + 1; j++)
			n += (size_t)snprintf(t + n, cap - n,
					      "protect = proto tcp rport %u\n", j);
		n += (size_t)snprintf(t + n, cap - n,
				      "[sa s%u]\npeer = p%u\ndirection = in\nspi = %u\n"
				      "cipher = aes-gcm-128\nkey = %040x\n",
				      i, i, i + 1, i);
	}
	i = (unsigned)conf_parse_text("t", t, n, NULL, &c, &e);
	free(t);
	if (i)
		test_fail(__FILE__, __LINE__, "line %u: %s", e.line, e.reason);
	REQUIRE(c.npeers == 300 && c.nsas == 300);
	for (i = 0; i < 300; i++) {
		CHECK_EQ(c.peers[i].nsel, (i % 5) + 1);
		CHECK_EQ(c.peers[i].sel[c.peers[i].nsel - 1].rport_lo, i % 5);
		CHECK_EQ(c.sas[i].peer, i);
		CHECK_EQ(c.sas[i].spi, i + 1);
		CHECK_EQ(c.sas[i].key[19], i & 0xff);
	}
	conf_free(&c);
}

/* conf_sa_config: what the data plane gets, and that it accepts it. */
static void check_esp_init(const struct esp_sa_config *cfg)
{
	struct esp_sa sa;
	const char *why = NULL;
	int err = esp_sa_init(&sa, cfg, &why);

	if (err)
		test_fail(__FILE__, __LINE__, "esp_sa_init: %d %s", err,
			  why ? why : "");
	else
		esp_sa_clear(&sa);
}

TEST(conf_sa_config_transport)
{
	struct conf c;
	struct conf_error e;
	struct esp_sa_config out, in;

	REQUIRE(conf_parse_text("min.conf", minimal_text, strlen(minimal_text),
				NULL, &c, &e) == 0);
	REQUIRE(conf_sa_config(&c, &c.sas[0], &out) == 0);
	REQUIRE(conf_sa_config(&c, &c.sas[1], &in) == 0);
	CHECK_EQ(out.spi, 0x1001);
	CHECK_EQ(out.cipher, ESP_CIPHER_AES_GCM_128);
	CHECK_EQ(out.icv_len, 16);
	CHECK(out.key == c.sas[0].key && out.key_len == 20);
	CHECK_EQ(out.mode, ESP_MODE_TRANSPORT);
	CHECK_EQ(out.encap, ESP_ENCAP_UDP);
	CHECK(out.sport == 4500 && out.dport == 4500);
	CHECK_EQ(out.seq, 1);
	CHECK(!out.tunnel_src.family && !out.tunnel_dst.family);
	CHECK_EQ(in.spi, 0x2001);
	CHECK_EQ(in.seq, 0);
	CHECK_EQ(in.replay_window, 1024);
	CHECK(!in.tunnel_src.family && !in.tunnel_dst.family);
	check_esp_init(&out);
	check_esp_init(&in);
	conf_free(&c);
}

TEST(conf_sa_config_tunnel)
{
	struct conf c;
	struct conf_error e;
	struct esp_sa_config cfg;
	struct ip_addr local = ip("192.0.2.1"), east = ip("192.0.2.2");

	REQUIRE(conf_parse_text("full.conf", full_text, strlen(full_text),
				NULL, &c, &e) == 0);
	/* east-out: daemon port 4501 to the peer's 4600. */
	REQUIRE(conf_sa_config(&c, &c.sas[1], &cfg) == 0);
	CHECK_EQ(cfg.mode, ESP_MODE_TUNNEL);
	CHECK(cfg.sport == 4501 && cfg.dport == 4600);
	CHECK(addr_equal(&cfg.tunnel_src, &local));
	CHECK(addr_equal(&cfg.tunnel_dst, &east));
	CHECK(cfg.esn && cfg.tfc_pad == 128 && cfg.icv_len == 12);
	CHECK_EQ(cfg.key_len, 36);
	CHECK_MEM(cfg.key, c.sas[1].key, 36);
	check_esp_init(&cfg);
	/* east-in: the reverse. */
	REQUIRE(conf_sa_config(&c, &c.sas[2], &cfg) == 0);
	CHECK(cfg.sport == 4600 && cfg.dport == 4501);
	CHECK(addr_equal(&cfg.tunnel_src, &east));
	CHECK(addr_equal(&cfg.tunnel_dst, &local));
	CHECK(cfg.replay_window == 65536 && cfg.tfc_pad == 0);
	check_esp_init(&cfg);
	/* The others, transport mode and other ciphers. */
	REQUIRE(conf_sa_config(&c, &c.sas[0], &cfg) == 0);
	CHECK(cfg.cipher == ESP_CIPHER_NULL && cfg.key_len == 0);
	check_esp_init(&cfg);
	REQUIRE(conf_sa_config(&c, &c.sas[3], &cfg) == 0);
	CHECK(cfg.icv_len == 8 && cfg.key_len == 19 && cfg.dport == 4500);
	check_esp_init(&cfg);
	REQUIRE(conf_sa_config(&c, &c.sas[4], &cfg) == 0);
	check_esp_init(&cfg);
	/* An SA whose peer index is not the conf's. */
	c.sas[4].peer = c.npeers;
	CHECK_EQ(conf_sa_config(&c, &c.sas[4], &cfg), -EINVAL);
	CHECK(cfg.key == NULL && cfg.spi == 0);
	conf_free(&c);
}

/* Selector text: format -> parse gives the same effective selector. */
static int parse_selector(const char *mode, const char *sel, struct conf *c,
			  struct conf_error *e)
{
	char text[512];

	snprintf(text, sizeof(text), "[daemon]\nlocal-address = 10.0.0.1\n"
		 "[peer b]\naddress = 10.0.0.2\nmode = %s\nprotect = %s\n",
		 mode, sel);
	return conf_parse_text("sel", text, strlen(text), NULL, c, e);
}

static const struct {
	const char *mode, *in, *out;
} format_cases[] = {
	{ "transport", "proto tcp", "local 10.0.0.1/32 remote 10.0.0.2/32 proto tcp" },
	{ "transport", "rport 4789 proto udp", "local 10.0.0.1/32 remote 10.0.0.2/32 proto udp rport 4789" },
	{ "tunnel", "remote 10.2.0.0/16 local 10.1.0.0/16", "local 10.1.0.0/16 remote 10.2.0.0/16" },
	{ "tunnel", "remote 10.2.0.0/16", "local 0.0.0.0/0 remote 10.2.0.0/16" },
	{ "tunnel", "proto 132 lport 0-1023", "proto sctp lport 0-1023" },
	{ "tunnel", "proto 47", "proto 47" },
	{ "tunnel", "local fd00::1/64 proto icmpv6", "local fd00::/64 remote ::/0 proto icmpv6" },
	{ "tunnel", "proto tcp lport 0-65535 rport 5-5", "proto tcp rport 5" },
};

TEST(conf_selector_format_cases)
{
	char buf[CONF_SELECTOR_STRLEN];
	struct conf c;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		if (parse_selector(format_cases[i].mode, format_cases[i].in,
				   &c, &e)) {
			test_fail(__FILE__, __LINE__, "%s: %s",
				  format_cases[i].in, e.reason);
			continue;
		}
		conf_selector_format(&c.peers[0].sel[0], buf, sizeof(buf));
		if (strcmp(buf, format_cases[i].out))
			test_fail(__FILE__, __LINE__, "\"%s\" -> \"%s\"",
				  format_cases[i].in, buf);
		conf_free(&c);
	}
}

TEST(conf_selector_format_edges)
{
	struct conf_selector s = { .lport_hi = 65535, .rport_hi = 65535 };
	char buf[CONF_SELECTOR_STRLEN];

	CHECK(!strcmp(conf_selector_format(&s, buf, sizeof(buf)), "any"));
	/* Truncation keeps a terminated string. */
	s.proto = 6;
	conf_selector_format(&s, buf, 5);
	CHECK(!strcmp(buf, "prot"));
	/* The longest selector fits. */
	memset(s.local.addr.bytes, 0xff, 16);
	memset(s.remote.addr.bytes, 0xff, 16);
	s.local.addr.family = s.remote.addr.family = AF_INET6;
	s.local.len = s.remote.len = 128;
	s.proto = 132;
	s.lport_lo = s.rport_lo = 65534;
	conf_selector_format(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "local ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128 "
		      "remote ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128 "
		      "proto sctp lport 65534-65535 rport 65534-65535"));
}

static void random_selector(char *buf, size_t size, bool v6)
{
	static const char *const protos[] = { "tcp", "udp", "sctp", "6", "17", "icmp", "50" };
	unsigned items = (unsigned)test_rand() % 31 + 1, pr;
	size_t n = 0;

	buf[0] = '\0';
	if (items & 1)
		n += (size_t)snprintf(buf + n, size - n, "local %s/%u ",
				      v6 ? "fd00:1::5" : "10.1.2.3",
				      (unsigned)(test_rand() % (v6 ? 129 : 33)));
	if (items & 2)
		n += (size_t)snprintf(buf + n, size - n, "remote %s/%u ",
				      v6 ? "fd00:2::5" : "10.4.5.6",
				      (unsigned)(test_rand() % (v6 ? 129 : 33)));
	pr = (unsigned)test_rand() % 7;
	if (v6 && pr == 5)
		pr = 6;
	if (items & 4 || items & 24)
		n += (size_t)snprintf(buf + n, size - n, "proto %s ",
				      items & 24 ? protos[pr % 5] : protos[pr]);
	if (items & 8)
		n += (size_t)snprintf(buf + n, size - n, "lport %u ",
				      (unsigned)(test_rand() % 65536));
	if (items & 16) {
		unsigned lo = (unsigned)(test_rand() % 65536);
		unsigned hi = lo + (unsigned)(test_rand() % (65536 - lo));

		snprintf(buf + n, size - n, "rport %u-%u", lo, hi);
	}
}

TEST(conf_selector_round_trip)
{
	char text[256], back[CONF_SELECTOR_STRLEN];
	struct conf a, b;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < 500; i++) {
		bool v6 = test_rand() & 1;

		random_selector(text, sizeof(text), v6);
		if (parse_selector("tunnel", text, &a, &e)) {
			test_fail(__FILE__, __LINE__, "\"%s\": %s", text,
				  e.reason);
			continue;
		}
		conf_selector_format(&a.peers[0].sel[0], back, sizeof(back));
		if (parse_selector("tunnel", back, &b, &e)) {
			test_fail(__FILE__, __LINE__, "\"%s\" -> \"%s\": %s",
				  text, back, e.reason);
		} else {
			const struct conf_selector *x = &a.peers[0].sel[0];
			const struct conf_selector *y = &b.peers[0].sel[0];

			CHECK(x->proto == y->proto && x->local.len == y->local.len &&
			      x->remote.len == y->remote.len &&
			      x->local.addr.family == y->local.addr.family &&
			      !memcmp(x->local.addr.bytes, y->local.addr.bytes, 16) &&
			      !memcmp(x->remote.addr.bytes, y->remote.addr.bytes, 16) &&
			      sel_ports(x, y->lport_lo, y->lport_hi, y->rport_lo,
					y->rport_hi));
			conf_free(&b);
		}
		conf_free(&a);
	}
}

TEST(conf_selector_to_spd_directions)
{
	struct conf c;
	struct conf_error e;
	struct spd_selector out, in;
	struct spd_flow f;

	REQUIRE(parse_selector("transport", "proto tcp lport 22 rport 1000-2000",
			       &c, &e) == 0);
	conf_selector_to_spd(&c.peers[0].sel[0], true, &out);
	conf_selector_to_spd(&c.peers[0].sel[0], false, &in);
	/* A packet this host sends from port 22 to the peer's 1500. */
	memset(&f, 0, sizeof(f));
	f.src = ip("10.0.0.1");
	f.dst = ip("10.0.0.2");
	f.proto = 6;
	f.sport = 22;
	f.dport = 1500;
	CHECK(spd_selector_match(&out, &f));
	CHECK(!spd_selector_match(&in, &f));
	/* The reply it receives. */
	f.src = ip("10.0.0.2");
	f.dst = ip("10.0.0.1");
	f.sport = 1500;
	f.dport = 22;
	CHECK(spd_selector_match(&in, &f));
	CHECK(!spd_selector_match(&out, &f));
	f.sport = 2001;
	CHECK(!spd_selector_match(&in, &f));
	conf_free(&c);
}
