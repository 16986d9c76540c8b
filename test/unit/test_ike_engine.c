/* SPDX-License-Identifier: MIT */
/*
 * The IKEv2 engine end to end between two engines in memory
 * (ike_engine_util.c): every suite, failures, retransmissions, deletion,
 * liveness, hostile input, certificates.
 */
#include <errno.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "ike_engine_util.h"
#include "test.h"
#include "util/bytes.h"

TEST(ike_engine_establishes_every_suite)
{
	static const char *const ikes[] = {
		"aes256gcm16-prfsha256-x25519", "aes128gcm16-prfsha384-ecp256",
		"chacha20poly1305-prfsha512-ecp384",
		"aes256-sha256-modp2048", "aes128-sha512-x25519",
		"aes256gcm16-prfsha256-x25519",
	};
	static const char *const esps[] = {
		"aes256gcm16", "aes128gcm16", "aes128ccm8", "chacha20poly1305",
		"aes256gcm16-esn", "null-sha256",
	};
	static const enum esp_cipher ciphers[] = {
		ESP_CIPHER_AES_GCM_256, ESP_CIPHER_AES_GCM_128,
		ESP_CIPHER_AES_CCM_128, ESP_CIPHER_CHACHA20_POLY1305,
		ESP_CIPHER_AES_GCM_256, ESP_CIPHER_NULL_HMAC_SHA256,
	};
	unsigned i;

	for (i = 0; i < 6; i++) {
		establish(ikes[i], esps[i], i % 2 ? ESP_MODE_TUNNEL
						  : ESP_MODE_TRANSPORT);
		check_mirrored();
		CHECK_EQ(sides[0].up.out.cipher, ciphers[i]);
		CHECK_EQ(sides[0].up.out.mode, i % 2 ? ESP_MODE_TUNNEL
						     : ESP_MODE_TRANSPORT);
		CHECK_EQ(sides[0].up.out.esn, i == 4);
		CHECK_EQ(sides[0].up.out.encap, ESP_ENCAP_UDP);
		if (sides[0].up.out.cipher == ESP_CIPHER_AES_CCM_128)
			CHECK_EQ(sides[0].up.out.icv_len, 8);
		CHECK_EQ(sides[0].ike.stats.established, 1);
		CHECK_EQ(sides[1].ike.stats.established, 1);
		engines_stop();
	}
}

TEST(ike_engine_wrong_psk_fails_both)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	sides[1].psk[7] ^= 1;
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	advance(1);
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	CHECK(strcmp(state_of(0), "established"));
	CHECK(strcmp(state_of(1), "established"));
	CHECK_EQ(sides[1].ike.stats.failed, 1);
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	engines_stop();
}

TEST(ike_engine_no_common_proposal)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes128gcm16-prfsha384-ecp256", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	CHECK_EQ(sides[1].ike.stats.drops[IKE_DROP_REFUSED], 1);
	CHECK_EQ(sides[1].ike.nsas, 0);
	engines_stop();
}

/* B takes only ECP-256; A offers X25519 first: INVALID_KE_PAYLOAD, and A
 * tries again with B's group. */
TEST(ike_engine_invalid_ke_retry)
{
	side_cfg(&sides[0], 0,
		 "aes256gcm16-prfsha256-x25519,aes256gcm16-prfsha256-ecp256",
		 "aes256gcm16", ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-ecp256", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	engines_stop();
}

TEST(ike_engine_child_refused_keeps_ike_sa)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
		 "chacha20poly1305", ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	engines_stop();

	/* Transport on one side, tunnel on the other: no Child SA either. */
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TUNNEL);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	engines_stop();
}

/* Lost datagrams are retransmitted; a retransmitted request gets the kept
 * answer, not a second SA. */
TEST(ike_engine_retransmits)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	drop_next = 1; /* IKE_SA_INIT request lost */
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	CHECK_EQ(sides[1].ike.nsas, 0);
	advance(1000); /* retransmitted; the answer arrives, IKE_AUTH goes */
	REQUIRE(qlen == 0);
	check_mirrored();
	CHECK_EQ(sides[0].ike.stats.retransmits, 1);
	engines_stop();

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	engines_stop();
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	/* Deliver IKE_SA_INIT, lose its answer: A retransmits, B answers
	 * from its cache. */
	REQUIRE(qlen == 1);
	drop_next = 1;
	pump();
	CHECK_EQ(sides[1].ike.nsas, 1);
	advance(1000);
	check_mirrored();
	CHECK_EQ(sides[1].ike.nsas, 1);
	engines_stop();
}

/* Without answers the initiator gives up after its tries. */
TEST(ike_engine_gives_up)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	drop_next = 100;
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	advance(1000);
	advance(2000);
	advance(4000);
	CHECK_EQ(sides[0].ike.stats.retransmits, 3);
	advance(8000);
	CHECK_EQ(sides[0].ike.stats.failed, 1);
	CHECK_EQ(sides[0].ike.nsas, 0);
	engines_stop();
}

TEST(ike_engine_delete_from_each_side)
{
	int who;

	for (who = 0; who < 2; who++) {
		establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
			  ESP_MODE_TRANSPORT);
		check_mirrored();
		REQUIRE(ike_down(&sides[who].ike, 0) == 0);
		pump();
		advance(1);
		CHECK_EQ(sides[0].downs, 1);
		CHECK_EQ(sides[1].downs, 1);
		CHECK_EQ(sides[0].down_in, sides[0].up.in.spi);
		CHECK_EQ(sides[1].down_out, sides[1].up.out.spi);
		CHECK_EQ(sides[0].ike.nsas, 0);
		CHECK_EQ(sides[1].ike.nsas, 0);
		CHECK_EQ(sides[!who].ike.stats.deleted, 1);
		engines_stop();
	}
}

/* A quiet IKE SA is checked for liveness; the peer answers. */
TEST(ike_engine_liveness_check)
{
	unsigned before;

	establish("aes256gcm16-prfsha256-x25519", "aes256gcm16",
		  ESP_MODE_TRANSPORT);
	before = sent_total;
	advance(31000);
	CHECK(sent_total >= before + 2); /* a check each way and answers */
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	/* Now the peer is gone: the check goes unanswered, the SA ends. */
	drop_next = 1000;
	advance(31000);
	advance(2000);
	advance(4000);
	advance(8000);
	advance(16000);
	CHECK_EQ(sides[0].ike.nsas, 0);
	CHECK_EQ(sides[0].downs, 1);
	engines_stop();
}

/* Replayed, altered and garbage datagrams change nothing. */
TEST(ike_engine_hostile_input)
{
	struct dgram copy[QMAX];
	unsigned n, i, bit;
	uint8_t junk[300];

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	engines_start();
	keep_copies = true;
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	check_mirrored();
	n = ndelivered;
	memcpy(copy, delivered, n * sizeof(copy[0]));
	/* Every message again, then every message with one bit flipped. */
	for (i = 0; i < n; i++)
		ike_input(&sides[copy[i].to].ike, &copy[i].dst, &copy[i].from,
			  copy[i].buf, copy[i].len);
	for (i = 0; i < n; i++)
		for (bit = 0; bit < copy[i].len * 8; bit += 7) {
			copy[i].buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
			ike_input(&sides[copy[i].to].ike, &copy[i].dst,
				  &copy[i].from, copy[i].buf, copy[i].len);
			copy[i].buf[bit / 8] ^= (uint8_t)(1u << bit % 8);
		}
	/* The last request A sent (IKE_AUTH, ID 1) renumbered to the ID B
	 * expects next: the header is authenticated, so it cannot open. */
	for (i = n; i-- > 0;)
		if (copy[i].to == 1)
			break;
	put_be32(copy[i].buf + 20, 2);
	ike_input(&sides[1].ike, &copy[i].dst, &copy[i].from, copy[i].buf,
		  copy[i].len);
	for (i = 0; i < 200; i++) {
		RAND_bytes(junk, sizeof(junk));
		ike_input(&sides[i % 2].ike, &sides[i % 2].cfg.local,
			  &sides[i % 2].cfg.remote, junk, 1 + i % sizeof(junk));
	}
	qlen = 0; /* answers to replays are not delivered */
	CHECK_EQ(sides[0].ups, 1);
	CHECK_EQ(sides[1].ups, 1);
	CHECK_EQ(sides[0].downs + sides[1].downs, 0);
	CHECK(sides[1].ike.stats.drops[IKE_DROP_MALFORMED] > 0);
	CHECK(sides[1].ike.stats.drops[IKE_DROP_DECRYPT] > 0);
	/* Altered IKE_SA_INIT requests look like new initiators: half-open
	 * SAs, which time out; the real SAs stay. */
	CHECK_EQ(sides[0].ike.nsas, 1);
	advance(31000);
	CHECK_EQ(sides[1].ike.nsas, 1);
	CHECK(!strcmp(state_of(0), "established"));
	CHECK(!strcmp(state_of(1), "established"));
	CHECK_EQ(sides[0].ike.stats.established, 1);
	CHECK_EQ(sides[1].ike.stats.established, 1);
	engines_stop();
}

TEST(ike_engine_certificates)
{
	cert_pair("a.pem", "a.key", "ca.pem", "a.lab.example");
	check_mirrored();
	child_rekey(1);
	ike_sa_rekey(0);
	engines_stop();
	drop_certs();

	/* B trusts another CA only: A's certificate is refused. */
	cert_pair("a.pem", "a.key", "other-ca.pem", "a.lab.example");
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	CHECK_EQ(sides[1].ike.stats.failed, 1);
	engines_stop();
	drop_certs();

	/* B expects another name than A's certificate carries. */
	cert_pair("a.pem", "a.key", "ca.pem", "c.lab.example");
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	engines_stop();
	drop_certs();

	/* A signs with a key that is not its certificate's. */
	cert_pair("a.pem", "b.key", "ca.pem", "a.lab.example");
	CHECK_EQ(sides[0].ups + sides[1].ups, 0);
	CHECK_EQ(sides[1].ike.stats.failed, 1);
	engines_stop();
	drop_certs();
}

/* A host certificate under an intermediate CA: A sends the intermediate
 * after its own (RFC 7296 §3.6), B trusting only the root takes the chain;
 * without it B refuses A. */
TEST(ike_engine_certificate_chain)
{
	struct ike_x509 *inter = NULL;
	char path[512];
	unsigned n = 0;
	int with;

	vec_path(path, sizeof(path), "inter.pem");
	REQUIRE(ike_cert_load(path, &inter, 1, &n) == 0 && n == 1);
	for (with = 1; with >= 0; with--) {
		side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519",
			 "aes256gcm16", ESP_MODE_TRANSPORT);
		side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519",
			 "aes256gcm16", ESP_MODE_TRANSPORT);
		use_cert(&sides[0], "c.pem", "c.key", "ca.pem",
			 "c.lab.example", "b.lab.example");
		use_cert(&sides[1], "b.pem", "b.key", "ca.pem",
			 "b.lab.example", "c.lab.example");
		sides[0].cfg.chain[0] = inter;
		sides[0].cfg.nchain = (unsigned)with;
		engines_start();
		REQUIRE(ike_up(&sides[0].ike, 0) == 0);
		pump();
		broken = 0; /* the first Child SA: see establish() */
		if (with) {
			check_mirrored();
		} else {
			CHECK_EQ(sides[0].ups + sides[1].ups, 0);
			CHECK_EQ(sides[1].ike.stats.failed, 1);
		}
		engines_stop();
		drop_certs();
	}
	ike_cert_free(inter);
}

/* ---- more Child SAs (CREATE_CHILD_SA, RFC 7296 §1.3.1) ---- */

/* UDP from local port 4789, and to remote port 4789: one protocol on
 * opposite ports, which one Child SA cannot carry together (the TS cross
 * product would be wider). With only, just the first one, and to remote
 * ports 5000-6000 only. */
static void udp_port_pair(struct side *s, bool only)
{
	struct spd_selector base = s->cfg.sel[0];

	s->cfg.sel[0] = base;
	s->cfg.sel[0].proto = 17;
	s->cfg.sel[0].sport_lo = s->cfg.sel[0].sport_hi = 4789;
	s->cfg.sel[1] = base;
	s->cfg.sel[1].proto = 17;
	s->cfg.sel[1].dport_lo = s->cfg.sel[1].dport_hi = 4789;
	s->cfg.nsel = only ? 1 : 2;
	if (only) {
		s->cfg.sel[0].dport_lo = 5000;
		s->cfg.sel[0].dport_hi = 6000;
	}
	s->cfg.dpd_s = 0; /* no liveness checks among the counted datagrams */
}

/* Side i's Child SAs as "in/out" SPI pairs, for mirroring checks. */
static unsigned child_spis(int i, uint32_t in[], uint32_t out[])
{
	struct ike_sa_info info;
	unsigned k;

	if (!ike_sa_get(&sides[i].ike, 0, &info))
		return 0;
	for (k = 0; k < info.children; k++) {
		in[k] = info.child[k].spi_in;
		out[k] = info.child[k].spi_out;
	}
	return info.children;
}

/* Both sides hold n Child SAs, each one's inbound the other's outbound. */
static void check_children_mirrored(unsigned n)
{
	uint32_t ain[IKE_CHILDREN_MAX], aout[IKE_CHILDREN_MAX];
	uint32_t bin[IKE_CHILDREN_MAX], bout[IKE_CHILDREN_MAX];
	unsigned k, j, found = 0;

	REQUIRE(child_spis(0, ain, aout) == n);
	REQUIRE(child_spis(1, bin, bout) == n);
	for (k = 0; k < n; k++)
		for (j = 0; j < n; j++)
			if (ain[k] == bout[j] && aout[k] == bin[j])
				found++;
	CHECK_EQ(found, n);
}

/* Whether one of info's Child SAs carries every flow of sel. */
static bool carried_by(const struct ike_sa_info *info,
		       const struct spd_selector *sel)
{
	unsigned k, j;

	for (k = 0; k < info->children; k++)
		for (j = 0; j < info->child[k].nsel; j++)
			if (spd_selector_covers(&info->child[k].sel[j], sel))
				return true;
	return false;
}

/* Whether Child SA c alone carries sel[0..n). */
static bool covers_all(const struct ike_child_info *c,
		       const struct spd_selector *sel, unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < c->nsel; j++)
			if (spd_selector_covers(&c->sel[j], &sel[i]))
				break;
		if (j == c->nsel)
			return false;
	}
	return true;
}

/* Both sides with udp_port_pair's two selectors, up: A gets the first
 * Child SA with IKE_AUTH and asks for the second (what the first leaves)
 * at its next tick. */
static void two_child_sas_up(void)
{
	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	udp_port_pair(&sides[0], false);
	udp_port_pair(&sides[1], false);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	advance(1);
	check_children_mirrored(2);
}

TEST(ike_engine_more_child_sas)
{
	uint32_t in0[IKE_CHILDREN_MAX], out0[IKE_CHILDREN_MAX];
	uint32_t in1[IKE_CHILDREN_MAX], out1[IKE_CHILDREN_MAX];
	struct ike_sa_info info;
	unsigned k;

	two_child_sas_up();
	/* Between them, A's two Child SAs carry both selectors. */
	REQUIRE(ike_sa_get(&sides[0].ike, 0, &info));
	CHECK(carried_by(&info, &sides[0].cfg.sel[0]));
	CHECK(carried_by(&info, &sides[0].cfg.sel[1]));
	CHECK(!covers_all(&info.child[0], sides[0].cfg.sel, 2));

	/* Rekeyed from B: both Child SAs get new SPIs, still mirrored. */
	REQUIRE(child_spis(0, in0, out0) == 2);
	REQUIRE(ike_rekey(&sides[1].ike, 0, false) == 0);
	pump();
	advance(1);
	advance(3100);
	check_children_mirrored(2);
	REQUIRE(child_spis(0, in1, out1) == 2);
	for (k = 0; k < 2; k++)
		CHECK(in1[k] != in0[0] && in1[k] != in0[1]);
	CHECK_EQ(sides[1].ike.stats.child_rekeys, 2);

	/* Deleted with the IKE SA: nothing left in either data plane. */
	REQUIRE(ike_down(&sides[0].ike, 0) == 0);
	pump();
	advance(3100);
	CHECK_EQ(sides[0].nin, 0);
	CHECK_EQ(sides[1].nin, 0);
	CHECK_EQ(sides[0].ike.nsas + sides[1].ike.nsas, 0);
	engines_stop();
}

/* UDP from and to each of local ports 5000-5002 on both sides: six
 * selectors, none of which one Child SA can carry beside another (all
 * UDP, so any two would pair). The first Child SA takes one; A asks for
 * three more, which fills the IKE SA (IKE_CHILDREN_MAX); the last two are
 * not carried, and not asked for again. */
TEST(ike_engine_more_child_sas_past_max)
{
	struct ike_sa_info info;
	unsigned sent, i, k, carried;

	for (i = 0; i < 2; i++) {
		struct side *s = &sides[i];
		struct spd_selector base;

		side_cfg(s, (int)i, "aes256gcm16-prfsha256-x25519",
			 "aes256gcm16", ESP_MODE_TRANSPORT);
		base = s->cfg.sel[0];
		base.proto = 17;
		for (k = 0; k < 6; k++) {
			s->cfg.sel[k] = base;
			if (k % 2 == 0)
				s->cfg.sel[k].sport_lo = s->cfg.sel[k].sport_hi =
					(uint16_t)(5000 + k / 2);
			else
				s->cfg.sel[k].dport_lo = s->cfg.sel[k].dport_hi =
					(uint16_t)(5000 + k / 2);
		}
		s->cfg.nsel = 6;
		s->cfg.dpd_s = 0;
	}
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	for (i = 0; i < 8; i++)
		advance(1);
	check_children_mirrored(IKE_CHILDREN_MAX);
	REQUIRE(ike_sa_get(&sides[0].ike, 0, &info));
	for (k = 0, carried = 0; k < 6; k++)
		carried += carried_by(&info, &sides[0].cfg.sel[k]);
	CHECK_EQ(carried, IKE_CHILDREN_MAX);
	sent = sent_total;
	advance(20000);
	advance(20000);
	CHECK_EQ(sent_total, sent); /* nothing asked again */
	check_children_mirrored(IKE_CHILDREN_MAX);
	engines_stop();
}

/* tunsec rekey with two Child SAs: the first rekey goes out, the second
 * is due at once but must wait for its answer. Meanwhile the engine asks
 * for no tick before its retransmission time (the answer's arrival ticks
 * it), and once the answer is in, the second rekey follows. */
TEST(ike_engine_blocked_rekey_waits_quietly)
{
	uint32_t in0[IKE_CHILDREN_MAX], out0[IKE_CHILDREN_MAX];
	uint32_t in1[IKE_CHILDREN_MAX], out1[IKE_CHILDREN_MAX];
	uint64_t next;
	unsigned k;

	two_child_sas_up();
	REQUIRE(child_spis(0, in0, out0) == 2);
	REQUIRE(ike_rekey(&sides[0].ike, 0, false) == 0);
	next = ike_tick(&sides[0].ike);
	CHECK(next >= clock_ms + sides[0].cfg.rtx_ms);
	pump();  /* the first rekey's answer */
	advance(1);
	pump();  /* the second rekey */
	advance(1);
	advance(3100);
	check_children_mirrored(2);
	REQUIRE(child_spis(0, in1, out1) == 2);
	for (k = 0; k < 2; k++)
		CHECK(in1[k] != in0[0] && in1[k] != in0[1]);
	CHECK_EQ(sides[0].ike.stats.child_rekeys, 2);
	engines_stop();
}

/* The responder takes UDP from our port 4789 to its ports 5000-6000 only
 * (its view: from its port 4789): the Child SA for our first selector is
 * refused (TS_UNACCEPTABLE), the one for the second narrowed to what the
 * first Child SA carries already and deleted again; neither is asked for
 * again on this IKE SA. */
TEST(ike_engine_more_child_sas_refused)
{
	unsigned sent, i;

	side_cfg(&sides[0], 0, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	side_cfg(&sides[1], 1, "aes256gcm16-prfsha256-x25519", "aes256gcm16",
		 ESP_MODE_TRANSPORT);
	udp_port_pair(&sides[0], false);
	udp_port_pair(&sides[1], true);
	engines_start();
	REQUIRE(ike_up(&sides[0].ike, 0) == 0);
	pump();
	for (i = 0; i < 5; i++)
		advance(1);
	check_children_mirrored(1);
	CHECK_EQ(sides[0].nin, 1);
	CHECK_EQ(sides[1].nin, 1);
	sent = sent_total;
	advance(20000);
	advance(20000);
	CHECK_EQ(sent_total, sent); /* nothing asked again */
	check_children_mirrored(1);
	CHECK(!strcmp(state_of(0), "established"));
	engines_stop();
}
