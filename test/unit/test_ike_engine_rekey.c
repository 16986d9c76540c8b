/* SPDX-License-Identifier: MIT */
/*
 * Rekeying between two engines in memory (ike_engine_util.c): Child SA
 * and IKE SA rekeys from each side, lifetimes and limits, simultaneous
 * rekeys in any order of their messages, PFS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ikesa.h"
#include "ike_engine_util.h"
#include "test.h"
#include "util/bytes.h"

TEST(ike_engine_child_rekey_each_side)
{
	int i;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	for (i = 0; i < 6; i++)
		child_rekey(i % 2);
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 12);
	CHECK_EQ(sides[0].nin + sides[1].nin, 2); /* the old ones are gone */
	engines_stop();
}

TEST(ike_engine_ike_rekey_each_side)
{
	int i;

	establish("aes128gcm16-prfsha384-ecp256", "chacha20poly1305",
		  ESP_MODE_TUNNEL);
	for (i = 0; i < 4; i++) {
		ike_sa_rekey(i % 2);
		child_rekey((i + 1) % 2); /* the new IKE SA carries on */
	}
	/* And a deletion over the latest IKE SA still reaches the peer. */
	REQUIRE(ike_down(&sides[1].ike, 0) == 0);
	pump();
	advance(1);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[1].ike.nsas, 0);
	CHECK_EQ(sides[0].nin + sides[1].nin, 0);
	engines_stop();
}

/* The old pair's DELETE is lost for good: the responder switches by
 * itself after IKE_SWITCH_MS; nothing is ever sent into the void. */
TEST(ike_engine_child_rekey_lost_delete)
{
	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
	REQUIRE(qlen == 1);
	pump();             /* request and answer; A sends the DELETE */
	qlen = 0;           /* ... which is lost, with its retransmissions */
	drop_next = 100;
	advance(5100);
	CHECK(sendable(&sides[0], &sides[1]));
	CHECK(sendable(&sides[1], &sides[0]));
	CHECK_EQ(sides[1].out.spi, sides[0].in[sides[0].nin - 1].spi);
	CHECK_EQ(broken, 0);
	engines_stop();
}

/* Byte limits: at 90% the Child SA is rekeyed (its counters start anew),
 * at 100% without a rekey it is deleted on both sides; a non-ESN SA
 * running out of sequence numbers is rekeyed. */
TEST(ike_engine_child_limits)
{
	uint32_t out;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	sides[0].ike.peers[0].child_bytes = 1000000;
	usage_bytes = 800000;
	advance(11000);
	CHECK_EQ(sides[0].ike.stats.child_rekeys, 0);
	out = sides[0].out.spi;
	usage_bytes = 950000; /* past 90% */
	advance(2100);
	usage_bytes = 0; /* the new SA's counters */
	advance(3100);
	CHECK(sides[0].out.spi != out);
	CHECK_EQ(sides[0].ike.stats.child_rekeys, 1);
	CHECK_EQ(broken, 0);
	usage_left = 1000; /* sequence numbers nearly gone */
	out = sides[0].out.spi;
	advance(2100);
	usage_left = UINT64_MAX;
	advance(3100);
	CHECK(sides[0].out.spi != out);
	CHECK_EQ(sides[0].ike.stats.child_rekeys, 2);
	/* Past the hard limit at once (no rekey in between): deleted, and
	 * the peer told. */
	usage_bytes = 2000000;
	advance(2100);
	advance(1);
	CHECK_EQ(sides[0].ike.stats.expired, 1);
	CHECK_EQ(sides[0].nin, 0);
	CHECK_EQ(sides[1].nin, 0);
	CHECK_EQ(sides[0].out.spi, 0);
	CHECK_EQ(sides[1].out.spi, 0);
	engines_stop();
	usage_bytes = 0;
}

/* Both sides rekey the Child SA at once, eight times (RFC 7296 §2.8.1):
 * at no moment does a side send on an SA the other cannot open. Then the
 * IKE SA (§2.8.2, below in detail). */
TEST(ike_engine_simultaneous_rekeys)
{
	uint32_t out_a, out_b;
	uint64_t spi;
	int i;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	/* Child SA: both requests are answered (§2.25.1), the pair with the
	 * lowest nonce goes (§2.8.1), all within the exchanges: no retry. */
	for (i = 0; i < 8; i++) {
		out_a = sides[0].out.spi;
		out_b = sides[1].out.spi;
		REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
		REQUIRE(ike_rekey(&sides[1].ike, 0, false) == 0);
		pump();
		CHECK(sides[0].out.spi != out_a);
		CHECK(sides[1].out.spi != out_b);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
		advance(3100); /* the grace time */
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
	}
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 16);
	CHECK_EQ(broken, 0);

	spi = ike_spi_of(0);
	REQUIRE(ike_rekey(&sides[0].ike, 0, true) == 0);
	REQUIRE(ike_rekey(&sides[1].ike, 0, true) == 0);
	pump();
	for (i = 0; i < 600; i++)
		advance(100);
	CHECK(ike_spi_of(0) != spi);
	CHECK_EQ(ike_spi_of(0), ike_spi_of(1));
	CHECK_EQ(sides[0].ike.nsas, 1);
	CHECK_EQ(sides[1].ike.nsas, 1);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK(sendable(&sides[0], &sides[1]));
	CHECK_EQ(broken, 0);
	engines_stop();
}

/* Side i's one established IKE SA's spi_i: 0 when none, or several. */
static uint64_t established_spi(int i)
{
	struct ike_sa_info info;
	uint64_t spi = 0;
	unsigned k, n = 0;

	for (k = 0; ike_sa_get(&sides[i].ike, k, &info); k++) {
		if (!strcmp(info.state, "established")) {
			spi = info.spi_i;
			n++;
		}
	}
	return n == 1 ? spi : 0;
}

/* On side i, every new IKE SA of this round (spi_i other than old's) but
 * the established one has, in its exchange, the lowest of the four nonces
 * (§2.8.2: it is the redundant one). Returns how many were checked. */
static unsigned losers_lowest(int i, uint64_t old)
{
	const struct ike_sa *won = NULL, *sa;
	unsigned n = 0;

	for (sa = sides[i].ike.sas; sa; sa = sa->next)
		if (sa->state == IKE_S_ESTABLISHED)
			won = sa;
	CHECK(won != NULL);
	if (!won)
		return 0;
	for (sa = sides[i].ike.sas; sa; sa = sa->next) {
		if (sa == won || sa->spi_i == old)
			continue;
		CHECK(ike_nonces_lowest(sa->ni, sa->ni_len, sa->nr, sa->nr_len,
					won->ni, won->ni_len, won->nr,
					won->nr_len));
		n++;
	}
	return n;
}

static struct dgram held_dg;

/* Both sides rekey the IKE SA at once (§2.8.2): both requests are answered
 * and the new IKE SA of the exchange with the lowest of the four nonces is
 * deleted by its initiator, within the exchanges (no TEMPORARY_FAILURE, no
 * retry: no time passes). Each side ends with one established IKE SA, the
 * same, which holds the Child SA; the Child SA carries on throughout, and
 * the replaced IKE SAs are gone after REKEYED_MS. Every other round, B's
 * answer to A is overtaken by what follows A's answer to B: B settles
 * first, and its DELETE (of the old IKE SA, or of its own new one, whose
 * Child SA A then takes back) reaches A before A's answer. Each side's
 * exchange wins some rounds. */
TEST(ike_engine_simultaneous_ike_rekeys)
{
	unsigned wins[2][2] = { { 0, 0 }, { 0, 0 } }, losers = 0;
	struct ike_sa_info info;
	uint64_t spi;
	int i;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	for (i = 0; i < 40; i++) {
		spi = established_spi(0);
		REQUIRE(ike_rekey(&sides[0].ike, 0, true) == 0);
		REQUIRE(ike_rekey(&sides[1].ike, 0, true) == 0);
		if (i % 2) {
			take_first(&held_dg);  /* A's request */
			deliver(&held_dg);     /* B answers it */
			take_first(&held_dg);  /* B's request */
			deliver(&held_dg);     /* A answers it */
			take_first(&held_dg);  /* B's answer to A: held */
			pump();                /* A's answer to B; B settles */
			deliver(&held_dg);
		}
		pump();
		CHECK(established_spi(0) && established_spi(0) != spi);
		CHECK_EQ(established_spi(0), established_spi(1));
		losers += losers_lowest(0, spi) + losers_lowest(1, spi);
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
		advance(31000); /* REKEYED_MS */
		CHECK_EQ(sides[0].ike.nsas, 1);
		CHECK_EQ(sides[1].ike.nsas, 1);
		REQUIRE(ike_sa_get(&sides[0].ike, 0, &info));
		CHECK(info.children == 1);
		wins[i % 2][info.initiator]++;
		CHECK(sendable(&sides[0], &sides[1]));
	}
	CHECK(wins[0][0] && wins[0][1] && wins[1][0] && wins[1][1]);
	CHECK(losers >= 40); /* both sides of every straight round, at least */
	CHECK_EQ(sides[0].ups, 1);
	CHECK_EQ(sides[1].ups, 1);
	CHECK_EQ(broken, 0);
	engines_stop();
}

/* ---- PFS: a key exchange in Child SA rekeys (RFC 7296 §1.3.3) ---- */

static uint16_t child_dh(int i)
{
	struct ike_sa_info info;

	return ike_sa_get(&sides[i].ike, 0, &info) ? info.child[0].suite.dh : 0;
}

/* Both sides take X25519: IKE_AUTH's Child SA has no group (§1.2), every
 * rekey from either side does, and the keys still mirror. */
TEST(ike_engine_child_rekey_pfs)
{
	int i;

	establish("aes256gcm16-prfsha256-ecp256", "aes256gcm16-x25519",
		  ESP_MODE_TUNNEL);
	check_mirrored();
	CHECK_EQ(child_dh(0), 0);
	for (i = 0; i < 4; i++) {
		child_rekey(i % 2);
		CHECK_EQ(child_dh(0), IKE_DH_CURVE25519);
		CHECK_EQ(child_dh(1), IKE_DH_CURVE25519);
	}
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 8);
	engines_stop();
}

/* A offers X25519 then ECP-256 in one proposal, B only ECP-256: A's rekey
 * is answered INVALID_KE_PAYLOAD and goes through at once with ECP-256;
 * B's own rekey sends ECP-256 from the start. */
TEST(ike_engine_child_rekey_pfs_invalid_ke)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519",
		 "aes256gcm16-x25519-ecp256", ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
		 "aes256gcm16-ecp256", ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0; /* the first Child SA's moment: see establish() */
	sent_total = 0;
	child_rekey(0);
	/* request, INVALID_KE_PAYLOAD, request, answer, DELETE, its answer */
	CHECK_EQ(sent_total, 6);
	CHECK_EQ(child_dh(0), IKE_DH_ECP_256);
	CHECK_EQ(child_dh(1), IKE_DH_ECP_256);
	sent_total = 0;
	child_rekey(1);
	CHECK_EQ(sent_total, 4);
	CHECK_EQ(child_dh(0), IKE_DH_ECP_256);
	engines_stop();
}

/* B insists on PFS, A has none: neither side's rekey is accepted, and the
 * first Child SA carries on, unchanged, on both sides. */
TEST(ike_engine_child_rekey_pfs_refused)
{
	uint32_t out_a, out_b;
	int who;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
		 "aes256gcm16-x25519", ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	broken = 0;
	out_a = sides[0].out.spi;
	out_b = sides[1].out.spi;
	for (who = 0; who < 2; who++) {
		REQUIRE(ike_rekey(&sides[who].ike, 0, false) == 0);
		pump();
		CHECK_EQ(sides[0].out.spi, out_a);
		CHECK_EQ(sides[1].out.spi, out_b);
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
	}
	CHECK_EQ(broken, 0);
	CHECK_EQ(sides[0].ike.stats.child_rekeys + sides[1].ike.stats.child_rekeys,
		 0);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	engines_stop();
}

/* Simultaneous Child SA rekeys whose messages cross in the orders the
 * network may choose: each side's request held back while the other's
 * exchange (and its DELETE) goes through, or an answer overtaken by the
 * DELETE that follows it. Whatever the nonces decide, both sides end on
 * one pair, and nothing is sent on an SA the other cannot open. */
TEST(ike_engine_simultaneous_rekeys_reordered)
{
	int i;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	for (i = 0; i < 8; i++) {
		/* A's request waits until B's rekey is complete. */
		REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
		take_first(&held_dg);
		REQUIRE(ike_rekey(&sides[1].ike, 0, false) == 0);
		pump();
		deliver(&held_dg);
		pump();
		advance(3100);
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);

		/* Both requests cross; B's answer to A is overtaken. */
		REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
		REQUIRE(ike_rekey(&sides[1].ike, 0, false) == 0);
		take_first(&held_dg);  /* A's request */
		deliver(&held_dg);     /* B answers it: B's twin */
		take_first(&held_dg);  /* B's request */
		deliver(&held_dg);     /* A answers it: A's twin */
		take_first(&held_dg);  /* B's answer to A: held */
		pump();                /* A's answer to B, and what follows */
		deliver(&held_dg);
		pump();
		advance(3100);
		CHECK_EQ(sides[0].nin, 1);
		CHECK_EQ(sides[1].nin, 1);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
	}
	CHECK_EQ(broken, 0);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	engines_stop();
}
