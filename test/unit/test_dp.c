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
