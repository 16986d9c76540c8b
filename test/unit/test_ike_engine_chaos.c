/* SPDX-License-Identifier: MIT */
/*
 * Two engines (ike_engine_util.c) under a disorderly network: both sides
 * rekey the Child SA and the IKE SA at random moments while the datagrams
 * between them are delivered out of order, some twice, some never, and
 * time moves in random steps. Whatever happens, neither engine crashes or
 * leaks (the ASan build), and once the network is orderly again and the
 * retransmissions, liveness checks and reconnections have run their
 * course, the two sides agree: one established IKE SA each, the same one,
 * whose Child SA carries traffic both ways. Transport mode, and tunnel
 * mode with PFS in Child SA rekeys, in turn.
 */
#include <string.h>

#include "ike_engine_util.h"
#include "test.h"

#define ROUNDS 200
#define STEPS 60

/* Side i's established IKE SAs: how many, and the spi_i of the last. */
static unsigned established(int i, uint64_t *spi)
{
	struct ike_sa_info info;
	unsigned k, n = 0;

	*spi = 0;
	for (k = 0; ike_sa_get(&sides[i].ike, k, &info); k++) {
		if (!strcmp(info.state, "established")) {
			*spi = info.spi_i;
			n++;
		}
	}
	return n;
}

/* Take queued datagram i out, into *d. */
static void take_at(unsigned i, struct dgram *d)
{
	*d = queue[i];
	memmove(queue + i, queue + i + 1, (--qlen - i) * sizeof(queue[0]));
}

/* The clock moves and both engines tick; nothing is delivered. */
static void tick_only(uint64_t ms)
{
	clock_ms += ms;
	ike_tick(&sides[0].ike);
	ike_tick(&sides[1].ike);
}

/* One random thing: a rekey from either side, a queued datagram delivered
 * out of order, delivered twice, or lost, or time passing. */
static void chaos_step(void)
{
	unsigned r = (unsigned)(test_rand() % 100), who = r & 1;
	struct dgram d;

	if (r < 24) {
		(void)ike_rekey(&sides[who].ike, 0, r >= 16);
	} else if (r < 60 && qlen) {
		take_at((unsigned)(test_rand() % qlen), &d);
		deliver(&d);
	} else if (r < 70 && qlen) {
		deliver(&queue[test_rand() % qlen]); /* and again later */
	} else if (r < 78 && qlen) {
		take_at((unsigned)(test_rand() % qlen), &d); /* lost */
	} else {
		tick_only(test_rand() % 4000);
	}
}

TEST(ike_engine_chaos)
{
	uint64_t spi_a, spi_b;
	unsigned round, i, na, nb;

	for (round = 0; round < ROUNDS; round++) {
		/* Every other round: tunnel mode, and a key exchange in each
		 * Child SA rekey (PFS). */
		const char *esp = round & 1 ? "aes256gcm16-x25519" : "aes256gcm16";
		enum esp_mode mode = round & 1 ? ESP_MODE_TUNNEL
					       : ESP_MODE_TRANSPORT;

		side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", esp,
			 mode);
		side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", esp,
			 mode);
		sides[0].cfg.start = IKE_START_INITIATE; /* comes back */
		sides[0].cfg.dpd_s = sides[1].cfg.dpd_s = 10;
		engines_start();
		REQUIRE(ike_up(&sides[0].ike, 0) == 0);
		pump();
		for (i = 0; i < STEPS; i++) {
			chaos_step();
			if (qlen >= QMAX - 4)
				pump();
		}
		/* Order again: everything delivered, time for retransmissions
		 * to end, dead IKE SAs to be found and A to connect again. */
		for (i = 0; i < 30; i++)
			advance(5000);
		na = established(0, &spi_a);
		nb = established(1, &spi_b);
		CHECK_EQ(na, 1);
		CHECK_EQ(nb, 1);
		CHECK_EQ(spi_a, spi_b);
		CHECK(sendable(&sides[0], &sides[1]));
		CHECK(sendable(&sides[1], &sides[0]));
		engines_stop();
	}
}
