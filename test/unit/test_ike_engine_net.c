/* SPDX-License-Identifier: MIT */
/*
 * The network around two engines in memory (ike_engine_util.c): start on
 * traffic, a NAT between them, IKE fragments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike_engine_util.h"
#include "test.h"
#include "util/bytes.h"

/* start = trap: nothing until the data plane reports traffic without an
 * SA (ike_acquire), then the IKE SA and Child SA come up; after a failed
 * start, not again for 10 s; after `down`, the next packet brings the
 * peer back; never a start for a peer that is not trap. */
TEST(ike_engine_trap)
{
	int i;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	sides[0].cfg.start = IKE_START_TRAP;
	engines_start();
	advance(20000);
	CHECK_EQ(sent_total, 0);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(ike_acquire(&sides[1].ike, 0), -EPERM);
	CHECK_EQ(ike_acquire(&sides[0].ike, 1), -ENOENT);

	drop_next = 1000; /* B unreachable: A gives up */
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), 0);
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), -EALREADY);
	for (i = 0; i < 60 && sides[0].ike.nsas; i++)
		advance(1000);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), -EAGAIN);
	drop_next = 0;
	advance(10000);
	CHECK_EQ(sides[0].ike.nsas, 0); /* no start by itself */
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), 0);
	pump();
	check_mirrored();

	REQUIRE(ike_down(&sides[0].ike, 0) == 0);
	pump();
	advance(1);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[1].ike.nsas, 0);
	CHECK_EQ(ike_acquire(&sides[0].ike, 0), 0);
	pump();
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	engines_stop();
}

/* A behind a NAT that moves its ports: A learns it from B's NAT detection
 * and sends NAT-keepalives, B does not; B's Child SA goes to the NAT's
 * port, and when the NAT's mapping changes, B follows A's next request. */
TEST(ike_engine_nat)
{
	struct ike_sa_info ia, ib;
	int i;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	sides[0].cfg.keepalive_s = sides[1].cfg.keepalive_s = 5;
	nat_shift = 10000;
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0; /* the first Child SA's moment: see establish() */
	REQUIRE(ike_sa_get(&sides[0].ike, 0, &ia));
	REQUIRE(ike_sa_get(&sides[1].ike, 0, &ib));
	CHECK(ia.nat_local);
	CHECK(!ib.nat_local);
	CHECK_EQ(ib.remote.port, IKE_NATT_PORT + 10000);
	CHECK_EQ(sides[1].up.remote.port, IKE_NATT_PORT + 10000);
	CHECK_EQ(sides[0].up.remote.port, IKE_NATT_PORT);
	for (i = 0; i < 4; i++)
		advance(5000);
	CHECK(keepalives[0] >= 4);
	CHECK_EQ(keepalives[1], 0);

	nat_shift = 20000; /* the NAT forgot: a new mapping */
	CHECK_EQ(moved_to[1], 0);
	child_rekey(0);
	CHECK_EQ(moved_to[1], IKE_NATT_PORT + 20000);
	CHECK_EQ(sides[1].up.remote.port, IKE_NATT_PORT + 20000);
	nat_shift = 0;
	engines_stop();
}

/* A's NAT takes another public address: B follows the first request of
 * A's that authenticates from there (§2.23), ESP included; one that does
 * not (a forged copy from yet another address) moves nothing. */
TEST(ike_engine_peer_new_address)
{
	struct ike_sa_info ib;
	struct ip_addr was;
	struct dgram d, forged;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TUNNEL);
	REQUIRE(ike_sa_get(&sides[1].ike, 0, &ib));
	was = ib.remote.addr;
	REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
	take_first(&d);
	REQUIRE(d.to == 1);
	forged = d;
	REQUIRE(addr_parse("198.51.100.9", &forged.from.addr) == 0);
	forged.buf[forged.len - 1] ^= 1;
	deliver(&forged);
	CHECK_EQ(qlen, 0); /* not answered */
	REQUIRE(ike_sa_get(&sides[1].ike, 0, &ib));
	CHECK(addr_equal(&ib.remote.addr, &was));
	CHECK_EQ(moved_to[1], 0);

	REQUIRE(addr_parse("198.51.100.7", &d.from.addr) == 0);
	deliver(&d);
	REQUIRE(ike_sa_get(&sides[1].ike, 0, &ib));
	CHECK(addr_equal(&ib.remote.addr, &d.from.addr));
	CHECK(addr_equal(&moved_addr[1], &d.from.addr));
	CHECK_EQ(moved_to[1], d.from.port);
	pump(); /* the rekey completes */
	CHECK(sendable(&sides[0], &sides[1]));
	CHECK(sendable(&sides[1], &sides[0]));
	CHECK_EQ(broken, 0);
	engines_stop();
}

/* Without a NAT neither side sends keepalives or sees the peer move. */
TEST(ike_engine_no_nat)
{
	struct ike_sa_info ia;
	int i;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	sides[0].cfg.keepalive_s = sides[1].cfg.keepalive_s = 5;
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0; /* the first Child SA's moment: see establish() */
	REQUIRE(ike_sa_get(&sides[0].ike, 0, &ia));
	CHECK(!ia.nat_local);
	for (i = 0; i < 4; i++)
		advance(5000);
	child_rekey(1);
	CHECK_EQ(keepalives[0] + keepalives[1], 0);
	CHECK_EQ(moved_to[0] + moved_to[1], 0);
	engines_stop();
}

/* ---- IKE fragments (RFC 7383): A with an RSA certificate, B with a
 * P-384 one, both with 576-byte fragments (IPv4: IKE messages of at most
 * 544 bytes behind the non-ESP marker): IKE_AUTH takes several each way.
 * A side with fragmentation = no sends whole messages. ---- */

static void frag_pair(bool a_frag, bool b_frag, unsigned drop)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	use_cert(&sides[0], "rsa.pem", "rsa.key", "ca.pem", "rsa.lab.example",
		 "b.lab.example");
	use_cert(&sides[1], "b.pem", "b.key", "ca.pem", "b.lab.example",
		 "rsa.lab.example");
	sides[0].cfg.fragmentation = a_frag;
	sides[1].cfg.fragmentation = b_frag;
	sides[0].cfg.frag_size = sides[1].cfg.frag_size = 576;
	engines_start();
	drop_at = drop;
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	broken = 0; /* the first Child SA: see establish() */
}

TEST(ike_engine_sends_fragments)
{
	frag_pair(true, true, 0);
	check_mirrored();
	CHECK(sides[0].ike.stats.frags_sent > 1);
	CHECK(sides[1].ike.stats.frags_sent > 1);
	CHECK_EQ(wire_frags, sides[0].ike.stats.frags_sent +
				     sides[1].ike.stats.frags_sent);
	CHECK_EQ(wire_frags_over, 0);
	CHECK_EQ(sides[0].ike.stats.drops[IKE_DROP_DECRYPT] +
			 sides[1].ike.stats.drops[IKE_DROP_DECRYPT], 0);
	/* Later exchanges are small: whole. Rekeys still work. */
	child_rekey(1);
	ike_sa_rekey(0);
	CHECK_EQ(wire_frags, sides[0].ike.stats.frags_sent +
				     sides[1].ike.stats.frags_sent);
	engines_stop();
	drop_certs();
}

/* A lost fragment of the request: A resends them all, B completes the
 * message with the missing one. */
TEST(ike_engine_fragment_lost_request)
{
	uint64_t first;

	frag_pair(true, true, 4); /* 1, 2: IKE_SA_INIT; 3..: IKE_AUTH */
	CHECK(!strcmp(state_of(0), "authenticating"));
	first = sides[0].ike.stats.frags_sent;
	REQUIRE(first > 1);
	advance(1000);
	check_mirrored();
	CHECK_EQ(sides[0].ike.stats.retransmits, 1);
	CHECK_EQ(sides[0].ike.stats.frags_sent, 2 * first);
	CHECK_EQ(wire_frags_over, 0);
	engines_stop();
	drop_certs();
}

/* A lost fragment of the response: A retransmits its request in
 * fragments; B answers it once, on fragment 1 (RFC 7383 §2.6.1), with all
 * of its kept fragments, and A completes. */
TEST(ike_engine_fragment_lost_response)
{
	uint64_t a_first, b_first;

	/* A's request goes in three fragments (3..5), B's answer from 6. */
	frag_pair(true, true, 7);
	a_first = sides[0].ike.stats.frags_sent;
	b_first = sides[1].ike.stats.frags_sent;
	REQUIRE(a_first == 3 && b_first > 1);
	CHECK(!strcmp(state_of(0), "authenticating"));
	CHECK(!strcmp(state_of(1), "established"));
	advance(1000);
	check_mirrored();
	CHECK_EQ(sides[0].ike.stats.frags_sent, 2 * a_first);
	CHECK_EQ(sides[1].ike.stats.frags_sent, 2 * b_first);
	CHECK_EQ(sides[1].ike.nsas, 1);
	engines_stop();
	drop_certs();
}

/* Fragmentation off on either side: whole messages only, still up. */
TEST(ike_engine_fragmentation_off)
{
	int off;

	for (off = 0; off < 2; off++) {
		frag_pair(off != 0, off == 0, 0);
		check_mirrored();
		CHECK_EQ(wire_frags, 0);
		CHECK_EQ(sides[0].ike.stats.frags_sent +
				 sides[1].ike.stats.frags_sent, 0);
		engines_stop();
		drop_certs();
	}
}

