/* SPDX-License-Identifier: MIT */
/*
 * Two data planes back to back: host A's TUN packets become ESP datagrams
 * that host B turns back into the same packets, with policy, SA lookup,
 * SA replacement and the drop reasons in between.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "dp/dp.h"
#include "dp/limits.h"
#include "test.h"
#include "util/bytes.h"
#include "util/csum.h"

#define CAP (ESP_HEADROOM + 2000 + ESP_TAILROOM)

struct host {
	struct dp dp;
	struct ip_addr addr;
};

static const uint8_t key_ab[36] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const uint8_t key_ba[36] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };

static void sa_cfg(struct esp_sa_config *c, uint32_t spi, const uint8_t *key,
		   uint64_t seq)
{
	memset(c, 0, sizeof(*c));
	c->spi = spi;
	c->cipher = ESP_CIPHER_AES_GCM_256;
	c->key = key;
	c->key_len = 36;
	c->mode = ESP_MODE_TRANSPORT;
	c->encap = ESP_ENCAP_UDP;
	c->sport = c->dport = 4500;
	c->seq = seq;
}

/* Host with one peer protecting TCP to/from the peer's port 5201. */
static void host_up(struct host *h, const char *self, const char *peer,
		    bool server)
{
	struct spd_selector sel;
	struct esp_sa_config c;
	struct ip_addr paddr;
	const char *why;

	addr_parse(self, &h->addr);
	addr_parse(peer, &paddr);
	REQUIRE(dp_init(&h->dp, &h->addr, 4500, 1500) == 0);
	spd_selector_any(&sel);
	prefix_parse(self, &sel.src);
	prefix_parse(peer, &sel.dst);
	sel.proto = IPPROTO_TCP;
	if (server)
		sel.sport_lo = sel.sport_hi = 5201;
	else
		sel.dport_lo = sel.dport_hi = 5201;
	REQUIRE(dp_peer_add(&h->dp, "peer", &paddr, 4500, ESP_MODE_TRANSPORT,
			    &sel, 1) == 0);
	sa_cfg(&c, server ? 0x200 : 0x100, server ? key_ba : key_ab, 1);
	REQUIRE(dp_sa_install(&h->dp, 0, false, "out", &c, &why) == 0);
	sa_cfg(&c, server ? 0x100 : 0x200, server ? key_ab : key_ba, 0);
	REQUIRE(dp_sa_install(&h->dp, 0, true, "in", &c, &why) == 0);
}

static void tcp4(struct pkt *p, uint8_t *mem, const char *src,
		 const char *dst, uint16_t sport, uint16_t dport, uint32_t len)
{
	uint8_t *d;

	pkt_init(p, mem, CAP, ESP_HEADROOM);
	d = pkt_put(p, len);
	test_rand_bytes(d, len);
	d[0] = 0x45;
	d[1] = 0;
	put_be16(d + 2, (uint16_t)len);
	put_be16(d + 6, 0x4000);
	d[9] = IPPROTO_TCP;
	inet_pton(AF_INET, src, d + 12);
	inet_pton(AF_INET, dst, d + 16);
	put_be16(d + 10, 0);
	put_be16(d + 10, csum_ipv4_header(d, 20));
	put_be16(d + 20, sport);
	put_be16(d + 22, dport);
}

/* A sends p through its data plane, B receives what came out. */
static enum dp_drop a_to_b(struct host *a, struct host *b, struct pkt *p)
{
	uint8_t reply[600];
	uint32_t reply_len;
	struct dp_dest dest;
	enum dp_drop r;

	r = dp_from_tun(&a->dp, p, &dest, reply, sizeof(reply), &reply_len);
	if (r != DP_OK)
		return r;
	if (!addr_equal(&dest.addr, &b->addr) || dest.port != 4500)
		return DP_DROP_COUNT;
	return dp_from_udp(&b->dp, p, &a->addr, 4500);
}

TEST(dp_round_trip_both_ways)
{
	static uint8_t mem[CAP], copy[CAP];
	struct host a, b;
	struct pkt p;
	int i;

	host_up(&a, "10.201.0.1", "10.201.0.2", false);
	host_up(&b, "10.201.0.2", "10.201.0.1", true);
	for (i = 0; i < 50; i++) {
		tcp4(&p, mem, "10.201.0.1", "10.201.0.2", 40000, 5201,
		     40 + (uint32_t)(test_rand() % 1400));
		memcpy(copy, mem, CAP);
		CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
		/* Transport mode over a UDP socket carries the addresses,
		 * protocol and payload; the rest of the IP header is the
		 * receiving side's own (RFC 4303 §3.1.1: not protected). */
		CHECK_EQ(p.len, get_be16(copy + ESP_HEADROOM + 2));
		CHECK(!memcmp(pkt_data(&p) + 12, copy + ESP_HEADROOM + 12, 8));
		CHECK_EQ(pkt_data(&p)[9], IPPROTO_TCP);
		CHECK(!memcmp(pkt_data(&p) + 20, copy + ESP_HEADROOM + 20, p.len - 20));
		CHECK_EQ(csum_fold(csum_add(0, pkt_data(&p), 20)), 0);
		tcp4(&p, mem, "10.201.0.2", "10.201.0.1", 5201, 40000, 200);
		CHECK_EQ(a_to_b(&b, &a, &p), DP_OK);
	}
	CHECK_EQ(dp_sa_find(&b.dp, true, 0x100)->esp.stats.packets, 50);
	CHECK_EQ(dp_sa_find(&a.dp, true, 0x200)->esp.stats.packets, 50);
	dp_free(&a.dp);
	dp_free(&b.dp);
}

TEST(dp_drops_by_reason)
{
	static uint8_t mem[CAP];
	struct host a, b, c;
	struct ip_addr other;
	struct dp_dest dest;
	uint8_t reply[600];
	uint32_t reply_len;
	struct pkt p;

	host_up(&a, "10.201.0.1", "10.201.0.2", false);
	host_up(&b, "10.201.0.2", "10.201.0.1", true);
	/* Not covered by a policy: port 5202. */
	tcp4(&p, mem, "10.201.0.1", "10.201.0.2", 40000, 5202, 60);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_DROP_NO_POLICY);
	/* Too big for the SA: an ICMP reply for the local sender. */
	tcp4(&p, mem, "10.201.0.1", "10.201.0.2", 40000, 5201, 1480);
	CHECK_EQ(dp_from_tun(&a.dp, &p, &dest, reply, sizeof(reply), &reply_len),
		 DP_DROP_TOO_BIG);
	CHECK(reply_len > 0);
	CHECK_EQ(get_be16(reply + 26), a.dp.peers[0].out[0]->mtu);
	CHECK(a.dp.peers[0].out[0]->mtu <= 1500 - 8 - 8 - 8 - 3 - 2 - 16);
	/* From an address that is not the SA's peer. */
	tcp4(&p, mem, "10.201.0.1", "10.201.0.2", 40000, 5201, 60);
	REQUIRE(dp_from_tun(&a.dp, &p, &dest, reply, sizeof(reply), &reply_len) == DP_OK);
	addr_parse("10.201.0.9", &other);
	CHECK_EQ(dp_from_udp(&b.dp, &p, &other, 4500), DP_DROP_WRONG_PEER);
	/* Decrypts, but the inner packet is not what the SA may carry. */
	host_up(&c, "10.201.0.1", "10.201.0.2", true); /* mirrored selector */
	tcp4(&p, mem, "10.201.0.1", "10.201.0.2", 5201, 40000, 60);
	REQUIRE(dp_from_tun(&c.dp, &p, &dest, reply, sizeof(reply), &reply_len) == DP_OK);
	/* c's out SA is 0x200 with key_ba, which b takes in only from... b
	 * has no inbound 0x200: unknown SPI. */
	CHECK_EQ(dp_from_udp(&b.dp, &p, &a.addr, 4500), DP_DROP_UNKNOWN_SPI);
	/* An IKE message on the port is not ESP. */
	pkt_init(&p, mem, CAP, ESP_HEADROOM);
	memset(pkt_put(&p, 40), 0, 40);
	CHECK_EQ(dp_from_udp(&b.dp, &p, &a.addr, 4500), DP_DROP_NOT_ESP);
	CHECK_EQ(b.dp.stats.esp_drops[ESP_DROP_IKE], 1);
	CHECK_EQ(a.dp.stats.drops[DP_DROP_NO_POLICY], 1);
	CHECK_EQ(a.dp.stats.drops[DP_DROP_TOO_BIG], 1);
	dp_free(&a.dp);
	dp_free(&b.dp);
	dp_free(&c.dp);
}

TEST(dp_inbound_policy_checked)
{
	static uint8_t mem[CAP];
	struct host a, b;
	struct spd_selector sel;
	struct dp_dest dest;
	uint8_t reply[600];
	uint32_t reply_len;
	struct pkt p;

	host_up(&a, "10.201.0.1", "10.201.0.2", false);
	host_up(&b, "10.201.0.2", "10.201.0.1", true);
	/* A also protects port 6000 with the same SA; B does not accept it. */
	spd_selector_any(&sel);
	prefix_parse("10.201.0.1", &sel.src);
	prefix_parse("10.201.0.2", &sel.dst);
	sel.proto = IPPROTO_TCP;
	sel.dport_lo = sel.dport_hi = 6000;
	a.dp.peers[0].sel[0] = sel;
	spd_free(&a.dp.spd);
	spd_init(&a.dp.spd);
	{
		struct spd_policy pol = { .id = 0, .priority = 1, .sel = sel,
					  .action = SPD_PROTECT };

		REQUIRE(spd_add(&a.dp.spd, &pol) == 0);
	}
	tcp4(&p, mem, "10.201.0.1", "10.201.0.2", 40000, 6000, 60);
	REQUIRE(dp_from_tun(&a.dp, &p, &dest, reply, sizeof(reply), &reply_len) == DP_OK);
	CHECK_EQ(dp_from_udp(&b.dp, &p, &a.addr, 4500), DP_DROP_POLICY);
	CHECK_EQ(dp_sa_find(&b.dp, true, 0x100)->esp.stats.drops[ESP_DROP_POLICY], 1);
	dp_free(&a.dp);
	dp_free(&b.dp);
}

TEST(dp_sa_replace_loses_nothing)
{
	static uint8_t mem[CAP];
	struct host a, b;
	struct esp_sa_config c;
	const char *why;
	struct pkt p;
	int i, ok = 0;

	host_up(&a, "10.201.0.1", "10.201.0.2", false);
	host_up(&b, "10.201.0.2", "10.201.0.1", true);
	for (i = 0; i < 30; i++) {
		if (i == 10) {
			/* Make before break: B learns the new inbound SA, then
			 * A switches its outbound SA to it. */
			sa_cfg(&c, 0x101, key_ba, 0);
			REQUIRE(dp_sa_install(&b.dp, 0, true, "in2", &c, &why) == 0);
			sa_cfg(&c, 0x101, key_ba, 1);
			REQUIRE(dp_sa_install(&a.dp, 0, false, "out2", &c, &why) == 0);
			CHECK(dp_sa_find(&a.dp, false, 0x100) == NULL);
			CHECK(dp_sa_find(&b.dp, true, 0x100) != NULL);
		}
		if (i == 20) {
			/* The same SPI replaced in place (new key on both). */
			sa_cfg(&c, 0x101, key_ab, 0);
			REQUIRE(dp_sa_install(&b.dp, 0, true, "in3", &c, &why) == 0);
			sa_cfg(&c, 0x101, key_ab, 1);
			REQUIRE(dp_sa_install(&a.dp, 0, false, "out3", &c, &why) == 0);
		}
		tcp4(&p, mem, "10.201.0.1", "10.201.0.2", 40000, 5201, 100);
		ok += a_to_b(&a, &b, &p) == DP_OK;
	}
	CHECK_EQ(ok, 30);
	CHECK_EQ(dp_sa_remove(&b.dp, true, 0x100), 0);
	CHECK_EQ(dp_sa_remove(&b.dp, true, 0x100), -ENOENT);
	sa_cfg(&c, 0x300, key_ab, 1);
	c.icv_len = 7;
	CHECK_EQ(dp_sa_install(&a.dp, 0, false, "bad", &c, &why), -EINVAL);
	CHECK(why != NULL);
	CHECK_EQ(dp_sa_install(&a.dp, 5, false, "bad", &c, &why), -ENOENT);
	dp_free(&a.dp);
	dp_free(&b.dp);
}

/* ---- SAs with their own (negotiated) selectors ---- */

/* A selector of host self's view: TCP from self to peer, destination
 * ports dlo..dhi, source ports slo..shi. */
static struct spd_selector tcp_sel(const char *self, const char *peer,
				   uint16_t slo, uint16_t shi, uint16_t dlo,
				   uint16_t dhi)
{
	struct spd_selector sel;

	spd_selector_any(&sel);
	prefix_parse(self, &sel.src);
	prefix_parse(peer, &sel.dst);
	sel.proto = IPPROTO_TCP;
	sel.sport_lo = slo;
	sel.sport_hi = shi;
	sel.dport_lo = dlo;
	sel.dport_hi = dhi;
	return sel;
}

/*
 * Host whose peer is configured for all TCP between the two, with an SA
 * pair as IKE would install it: each direction carries sel[0..n) (this
 * host's view), or the peer's selectors when n is 0 (static SAs).
 */
static void host_ts(struct host *h, const char *self, const char *peer,
		    bool server, const struct spd_selector *sel, unsigned n)
{
	struct spd_selector conf = tcp_sel(self, peer, 0, 65535, 0, 65535);
	struct esp_sa_config c;
	struct ip_addr paddr;
	const char *why;

	addr_parse(self, &h->addr);
	addr_parse(peer, &paddr);
	REQUIRE(dp_init(&h->dp, &h->addr, 4500, 1500) == 0);
	REQUIRE(dp_peer_add(&h->dp, "peer", &paddr, 4500, ESP_MODE_TRANSPORT,
			    &conf, 1) == 0);
	sa_cfg(&c, server ? 0x200 : 0x100, server ? key_ba : key_ab, 1);
	REQUIRE(dp_sa_install_ts(&h->dp, 0, false, 0, "out", &c,
				 n ? sel : NULL, n, &why) == 0);
	sa_cfg(&c, server ? 0x100 : 0x200, server ? key_ab : key_ba, 0);
	REQUIRE(dp_sa_install_ts(&h->dp, 0, true, 0, "in", &c,
				 n ? sel : NULL, n, &why) == 0);
}

#define A4 "10.201.0.1"
#define B4 "10.201.0.2"

TEST(dp_ts_outbound_outside_dropped)
{
	static uint8_t mem[CAP];
	struct spd_selector sa_sel = tcp_sel(A4, B4, 0, 65535, 5201, 5201);
	struct spd_selector sb_sel = tcp_sel(B4, A4, 5201, 5201, 0, 65535);
	struct host a, b;
	struct pkt p;

	host_ts(&a, A4, B4, false, &sa_sel, 1);
	host_ts(&b, B4, A4, true, &sb_sel, 1);
	/* Inside the negotiated selectors: both ways. */
	tcp4(&p, mem, A4, B4, 40000, 5201, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
	tcp4(&p, mem, B4, A4, 5201, 40000, 100);
	CHECK_EQ(a_to_b(&b, &a, &p), DP_OK);
	/* The peer's configured selector (all TCP) sends it to the SA, whose
	 * selectors do not take it: dropped before sealing, counted. */
	tcp4(&p, mem, A4, B4, 40000, 5202, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_DROP_OUTSIDE_TS);
	tcp4(&p, mem, B4, A4, 5202, 40000, 100);
	CHECK_EQ(a_to_b(&b, &a, &p), DP_DROP_OUTSIDE_TS);
	CHECK_EQ(a.dp.stats.drops[DP_DROP_OUTSIDE_TS], 1);
	CHECK_EQ(b.dp.stats.drops[DP_DROP_OUTSIDE_TS], 1);
	CHECK_EQ(dp_sa_find(&a.dp, false, 0x100)->esp.stats.packets, 1);
	CHECK_EQ(dp_sa_find(&a.dp, false, 0x100)->esp.seq_next, 2);
	CHECK(!strcmp(dp_drop_name(DP_DROP_OUTSIDE_TS), "outside-ts"));
	dp_free(&a.dp);
	dp_free(&b.dp);
}

TEST(dp_ts_inbound_outside_dropped_as_policy)
{
	static uint8_t mem[CAP];
	struct spd_selector sb_sel = tcp_sel(B4, A4, 5201, 5201, 0, 65535);
	struct host a, b;
	struct pkt p;

	/* A's SAs are static (all TCP); B's inbound SA was negotiated for
	 * port 5201 only. What A seals for another port opens at B and is
	 * dropped there. */
	host_ts(&a, A4, B4, false, NULL, 0);
	host_ts(&b, B4, A4, true, &sb_sel, 1);
	tcp4(&p, mem, A4, B4, 40000, 5202, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_DROP_POLICY);
	CHECK_EQ(dp_sa_find(&b.dp, true, 0x100)->esp.stats.drops[ESP_DROP_POLICY], 1);
	tcp4(&p, mem, A4, B4, 40000, 5201, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
	CHECK_EQ(b.dp.stats.drops[DP_DROP_POLICY], 1);
	dp_free(&a.dp);
	dp_free(&b.dp);
}

TEST(dp_ts_static_sas_use_peer_selectors)
{
	static uint8_t mem[CAP];
	struct host a, b;
	struct pkt p;
	uint16_t port;

	host_ts(&a, A4, B4, false, NULL, 0);
	host_ts(&b, B4, A4, true, NULL, 0);
	CHECK(dp_sa_find(&a.dp, false, 0x100)->sel == NULL);
	for (port = 5200; port < 5204; port++) {
		tcp4(&p, mem, A4, B4, 40000, port, 100);
		CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
		tcp4(&p, mem, B4, A4, port, 40000, 100);
		CHECK_EQ(a_to_b(&b, &a, &p), DP_OK);
	}
	CHECK_EQ(a.dp.stats.drops[DP_DROP_OUTSIDE_TS], 0);
	CHECK_EQ(b.dp.stats.drops[DP_DROP_POLICY], 0);
	dp_free(&a.dp);
	dp_free(&b.dp);
}

/* Negotiated selectors as wide as the peer's, in two pieces whose union
 * is the peer's: nothing is dropped (each piece is checked, as neither
 * covers the peer's selector alone). */
TEST(dp_ts_union_of_selectors)
{
	static uint8_t mem[CAP];
	struct spd_selector sa_sel[2] = {
		tcp_sel(A4, B4, 0, 65535, 0, 5201),
		tcp_sel(A4, B4, 0, 65535, 5202, 65535),
	};
	struct spd_selector sb_sel[2] = {
		tcp_sel(B4, A4, 0, 5201, 0, 65535),
		tcp_sel(B4, A4, 5202, 65535, 0, 65535),
	};
	struct host a, b;
	struct pkt p;
	unsigned i;

	host_ts(&a, A4, B4, false, sa_sel, 2);
	host_ts(&b, B4, A4, true, sb_sel, 2);
	CHECK(dp_sa_find(&a.dp, false, 0x100)->ts_check);
	for (i = 0; i < 20; i++) {
		uint16_t port = (uint16_t)test_rand();

		tcp4(&p, mem, A4, B4, 40000, port, 100);
		CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
	}
	dp_free(&a.dp);
	dp_free(&b.dp);
	/* One negotiated selector equal to the configured one: no check. */
	sa_sel[0] = tcp_sel(A4, B4, 0, 65535, 0, 65535);
	host_ts(&a, A4, B4, false, sa_sel, 1);
	CHECK(!dp_sa_find(&a.dp, false, 0x100)->ts_check);
	dp_free(&a.dp);
}

/* A burst of interleaved flows, runs of one flow among them (as the
 * segments of a super-packet come), gets the verdict each packet gets
 * alone: the per-burst memo of the last flow changes nothing. */
TEST(dp_ts_burst_equals_single_packets)
{
	static uint8_t mem[BURST_MAX][CAP], copy[BURST_MAX][CAP];
	static const uint16_t ports[] = { 5201, 5202, 5201, 80 };
	struct spd_selector sa_sel = tcp_sel(A4, B4, 0, 65535, 5201, 5201);
	enum dp_drop verdicts[BURST_MAX];
	struct dp_dest dests[BURST_MAX];
	struct pkt p[BURST_MAX], *pp[BURST_MAX];
	struct host a;
	unsigned i, n = BURST_MAX, run = 0;
	uint16_t port = 5201;

	host_ts(&a, A4, B4, false, &sa_sel, 1);
	for (i = 0; i < n; i++) {
		if (!run) {
			port = ports[test_rand() % 4];
			run = 1 + (unsigned)(test_rand() % 5);
		}
		run--;
		tcp4(&p[i], mem[i], A4, B4, 40000, port, 100);
		memcpy(copy[i], mem[i], CAP);
		pp[i] = &p[i];
	}
	dp_from_tun_burst(&a.dp, 0, &a.dp.stats, pp, n, verdicts, dests);
	for (i = 0; i < n; i++) {
		struct dp_dest dest;
		uint8_t reply[600];
		uint32_t reply_len;
		struct pkt q;
		uint16_t dport = get_be16(copy[i] + ESP_HEADROOM + 22);

		pkt_init(&q, copy[i], CAP, ESP_HEADROOM);
		pkt_put(&q, 100);
		CHECK_EQ(dp_from_tun(&a.dp, &q, &dest, reply, sizeof(reply),
				     &reply_len), verdicts[i]);
		CHECK_EQ(verdicts[i], dport == 5201 ? DP_OK
						     : DP_DROP_OUTSIDE_TS);
	}
	dp_free(&a.dp);
}

/* Rekey, make before break: the new inbound SA comes with its own
 * selectors while the old one, in its grace time, keeps its own. */
TEST(dp_ts_rekey_each_sa_its_own)
{
	static uint8_t mem[CAP];
	struct spd_selector old_sel = tcp_sel(B4, A4, 5201, 5201, 0, 65535);
	struct spd_selector new_sel = tcp_sel(B4, A4, 5202, 5202, 0, 65535);
	struct spd_selector a_new = tcp_sel(A4, B4, 0, 65535, 5202, 5202);
	struct esp_sa_config c;
	struct host a, b;
	const char *why;
	struct pkt p;

	host_ts(&a, A4, B4, false, NULL, 0);
	host_ts(&b, B4, A4, true, &old_sel, 1);
	sa_cfg(&c, 0x101, key_ab, 0);
	REQUIRE(dp_sa_install_ts(&b.dp, 0, true, 0, "in2", &c, &new_sel, 1,
				 &why) == 0);
	/* Sent on the old SA: still judged by the old selectors. */
	tcp4(&p, mem, A4, B4, 40000, 5201, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
	tcp4(&p, mem, A4, B4, 40000, 5202, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_DROP_POLICY);
	/* A switches to the new SA (with its new selectors). */
	sa_cfg(&c, 0x101, key_ab, 1);
	REQUIRE(dp_sa_install_ts(&a.dp, 0, false, 0, "out2", &c, &a_new, 1,
				 &why) == 0);
	tcp4(&p, mem, A4, B4, 40000, 5202, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
	tcp4(&p, mem, A4, B4, 40000, 5201, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_DROP_OUTSIDE_TS);
	CHECK_EQ(dp_sa_find(&b.dp, true, 0x101)->esp.stats.packets, 1);
	dp_free(&a.dp);
	dp_free(&b.dp);
}

TEST(dp_ts_refused_and_adopted)
{
	static uint8_t mem[CAP];
	struct spd_selector sel = tcp_sel(A4, B4, 0, 65535, 5201, 5201);
	struct spd_selector conf = tcp_sel(A4, B4, 0, 65535, 0, 65535);
	struct spd_selector bad = sel;
	struct esp_sa_config c;
	struct ip_addr paddr;
	struct host a, b;
	struct dp next;
	const char *why;
	struct pkt p;

	host_ts(&a, A4, B4, false, &sel, 1);
	host_ts(&b, B4, A4, true, NULL, 0);
	sa_cfg(&c, 0x300, key_ab, 1);
	CHECK_EQ(dp_sa_install_ts(&a.dp, 0, false, 0, "x", &c, &sel, 0, &why),
		 -EINVAL);
	CHECK(why != NULL);
	bad.dport_lo = 6000;
	bad.dport_hi = 5000;
	CHECK_EQ(dp_sa_install_ts(&a.dp, 0, false, 0, "x", &c, &bad, 1, &why),
		 -EINVAL);
	CHECK(dp_sa_find(&a.dp, false, 0x300) == NULL);
	/* A reload: the SAs move with their selectors. */
	addr_parse(B4, &paddr);
	REQUIRE(dp_init(&next, &a.addr, 4500, 1500) == 0);
	REQUIRE(dp_peer_add(&next, "peer", &paddr, 4500, ESP_MODE_TRANSPORT,
			    &conf, 1) == 0);
	CHECK_EQ(dp_adopt_sas(&next, &a.dp), 2);
	dp_free(&a.dp);
	a.dp = next;
	tcp4(&p, mem, A4, B4, 40000, 5202, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_DROP_OUTSIDE_TS);
	tcp4(&p, mem, A4, B4, 40000, 5201, 100);
	CHECK_EQ(a_to_b(&a, &b, &p), DP_OK);
	dp_free(&a.dp);
	dp_free(&b.dp);
}
