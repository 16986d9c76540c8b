/* SPDX-License-Identifier: MIT */
/*
 * Properties of the ESP transforms: round trips for every combination,
 * single-bit flips rejected, bursts equal single packets, sequence-number
 * exhaustion, and each inbound drop reason.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "dp/limits.h"
#include "esp/esp.h"
#include "test.h"
#include "util/bytes.h"
#include "util/csum.h"

#define BUF_CAP (ESP_HEADROOM + 2048 + ESP_TAILROOM + 512)

struct tbuf {
	uint8_t mem[BUF_CAP];
	struct pkt p;
};

static const uint8_t key_material[36] = {
	0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a, 0xc7,
	0x3c, 0x36, 0x13, 0xa6, 0x34, 0x22, 0x43, 0x3c, 0x64, 0x48, 0x55,
	0xec, 0x7d, 0x3a, 0x23, 0x4b, 0xfd, 0x23, 0x76, 0x57, 0x84, 0x2e,
	0x69, 0x4a, 0x5b,
};

/* Build an IPv4 or IPv6 packet: TCP, UDP or ICMP, payload_len random bytes,
 * and in IPv6 optionally a hop-by-hop header and destination options. */
static void make_packet(struct tbuf *b, int version, uint8_t proto,
			uint32_t payload_len, bool v6_ext)
{
	uint8_t *d;
	uint32_t hdr = version == 4 ? 20 : 40, ext = 0, len;

	pkt_init(&b->p, b->mem, BUF_CAP, ESP_HEADROOM);
	if (version == 6 && v6_ext)
		ext = 16; /* hop-by-hop (8) + destination options (8) */
	len = hdr + ext + payload_len;
	d = pkt_put(&b->p, len);
	test_rand_bytes(d, len);
	if (version == 4) {
		d[0] = 0x45;
		put_be16(d + 2, (uint16_t)len);
		put_be16(d + 6, 0x4000);
		d[9] = proto;
		put_be16(d + 10, csum_ipv4_header(d, 20));
		return;
	}
	d[0] = 0x60 | (d[0] & 15);
	put_be16(d + 4, (uint16_t)(len - 40));
	if (!ext) {
		d[6] = proto;
		return;
	}
	d[6] = IPPROTO_HOPOPTS;
	d[40] = IPPROTO_DSTOPTS;
	d[41] = 0;
	d[48] = proto;
	d[49] = 0;
}

struct combo {
	enum esp_cipher cipher;
	uint8_t icv;
	enum esp_mode mode;
	enum esp_encap encap;
	bool esn;
	int outer; /* tunnel: 4 or 6 */
};

static void config_for(const struct combo *c, struct esp_sa_config *cfg,
		       uint64_t seq)
{
	const struct esp_cipher_info *info = esp_cipher_info(c->cipher);

	memset(cfg, 0, sizeof(*cfg));
	cfg->spi = 0x1234abcd;
	cfg->cipher = c->cipher;
	cfg->icv_len = c->icv;
	cfg->key = key_material;
	cfg->key_len = (uint32_t)info->key_len + info->salt_len;
	cfg->mode = c->mode;
	cfg->encap = c->encap;
	cfg->sport = 4500;
	cfg->dport = 4500;
	cfg->esn = c->esn;
	cfg->seq = seq;
	if (c->mode == ESP_MODE_TUNNEL) {
		const char *s = c->outer == 4 ? "192.0.2.1" : "2001:db8::1";
		const char *t = c->outer == 4 ? "192.0.2.2" : "2001:db8::2";

		addr_parse(s, &cfg->tunnel_src);
		addr_parse(t, &cfg->tunnel_dst);
	}
}

static bool sa_pair(const struct combo *c, struct esp_sa *tx,
		    struct esp_sa *rx, uint64_t seq)
{
	struct esp_sa_config cfg;
	const char *why;

	config_for(c, &cfg, seq);
	if (esp_sa_init(tx, &cfg, &why))
		return false;
	cfg.seq = seq - 1;
	if (esp_sa_init(rx, &cfg, &why)) {
		esp_sa_clear(tx);
		return false;
	}
	return true;
}

/* Every combination the engine supports, each round-tripping packets of
 * several sizes and kinds. */
static unsigned each_combo(void (*fn)(const struct combo *))
{
	static const enum esp_mode modes[] = { ESP_MODE_TRANSPORT,
					       ESP_MODE_TUNNEL };
	static const enum esp_encap encaps[] = { ESP_ENCAP_NONE, ESP_ENCAP_UDP };
	unsigned count = 0, ci, ii, mi, ei, esn, outer;

	for (ci = 0; ci < ESP_CIPHER_COUNT; ci++) {
		const struct esp_cipher_info *info = esp_cipher_info(ci);

		for (ii = 0; ii < 3; ii++) {
			uint8_t icv = info->icv_lens[ii];

			if (ii > 0 && !icv)
				break;
			for (mi = 0; mi < 2; mi++)
				for (ei = 0; ei < 2; ei++)
					for (esn = 0; esn < 2; esn++)
						for (outer = 4; outer <= 6; outer += 2) {
							struct combo c = { ci, icv, modes[mi], encaps[ei], esn, (int)outer };

							if (modes[mi] == ESP_MODE_TRANSPORT && outer == 6)
								continue;
							fn(&c);
							count++;
						}
		}
	}
	return count;
}

static void round_trip_combo(const struct combo *c)
{
	static const uint32_t sizes[] = { 0, 1, 2, 3, 4, 5, 63, 64, 1400 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	struct esp_sa tx, rx;
	uint64_t seq = c->esn ? 0xfffffffaULL : 1;
	unsigned v, si, ext;

	REQUIRE(sa_pair(c, &tx, &rx, seq));
	for (v = 4; v <= 6; v += 2)
		for (ext = 0; ext < (v == 6 ? 2u : 1u); ext++)
			for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
				struct tbuf a, orig;
				enum esp_drop r;

				make_packet(&a, (int)v, protos[si % 3], sizes[si], ext);
				orig = a;
				r = esp_encrypt(&tx, &a.p);
				CHECK_EQ(r, ESP_OK);
				CHECK(a.p.len > orig.p.len);
				r = esp_decrypt(&rx, &a.p);
				if (r != ESP_OK)
					test_fail(__FILE__, __LINE__,
						  "%s icv %u mode %d encap %d esn %d outer %d v%u size %u: %s",
						  esp_cipher_info(c->cipher)->name, c->icv, c->mode,
						  c->encap, c->esn, c->outer, v, sizes[si],
						  esp_drop_name(r));
				CHECK_EQ(a.p.len, orig.p.len);
				CHECK(!memcmp(pkt_data(&a.p), pkt_data(&orig.p), orig.p.len));
			}
	CHECK_EQ(rx.stats.packets, tx.stats.packets);
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

TEST(esp_round_trip_every_combination)
{
	/* 6 ciphers, their ICVs, 2 modes (tunnel with 2 outer families),
	 * 2 encapsulations, ESN on and off. */
	CHECK_EQ(each_combo(round_trip_combo), (1 + 1 + 3 + 3 + 3 + 1) * 3 * 2 * 2);
}

static void outer_checks_combo(const struct combo *c)
{
	struct esp_sa tx, rx;
	struct tbuf a;
	uint8_t *d;

	REQUIRE(sa_pair(c, &tx, &rx, 1));
	make_packet(&a, 4, IPPROTO_UDP, 100, false);
	REQUIRE(esp_encrypt(&tx, &a.p) == ESP_OK);
	d = pkt_data(&a.p);
	if (d[0] >> 4 == 4) {
		uint32_t sum = csum_add(0, d, 20);

		CHECK_EQ(csum_fold(sum), 0);
		CHECK_EQ(get_be16(d + 2), a.p.len);
		CHECK_EQ(d[9], c->encap == ESP_ENCAP_UDP ? IPPROTO_UDP : 50);
		if (c->encap == ESP_ENCAP_UDP)
			CHECK_EQ(get_be16(d + 26), 0); /* RFC 3948 zero */
	} else {
		uint8_t pseudo[8] = { 0 };
		uint32_t ulen = a.p.len - 40, sum;

		CHECK_EQ(get_be16(d + 4), ulen);
		if (c->encap == ESP_ENCAP_UDP) {
			put_be32(pseudo, ulen);
			pseudo[7] = IPPROTO_UDP;
			sum = csum_add(0, d + 8, 32);
			sum = csum_add(sum, pseudo, 8);
			sum = csum_add(sum, d + 40, ulen);
			CHECK_EQ(csum_fold(sum), 0);
			CHECK(get_be16(d + 46) != 0);
		}
	}
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

TEST(esp_outer_headers_valid)
{
	each_combo(outer_checks_combo);
}

/* Offset of the ESP header in an encrypted packet of the combo. */
static uint32_t esp_offset(const struct combo *c, const uint8_t *d)
{
	uint32_t off = d[0] >> 4 == 4 ? (uint32_t)(d[0] & 15) * 4 : 40;

	return off + (c->encap == ESP_ENCAP_UDP ? 8 : 0);
}

static void bit_flip_combo(const struct combo *c)
{
	struct esp_sa tx, rx;
	struct tbuf a, b;
	uint32_t off, bit, bits, ok = 0;

	if (!esp_cipher_info(c->cipher)->integrity || c->outer == 6)
		return;
	REQUIRE(sa_pair(c, &tx, &rx, 1));
	make_packet(&a, 4, IPPROTO_TCP, 37, false);
	REQUIRE(esp_encrypt(&tx, &a.p) == ESP_OK);
	off = esp_offset(c, pkt_data(&a.p));
	bits = (a.p.len - off) * 8;
	for (bit = 0; bit < bits; bit++) {
		enum esp_drop r;

		b = a;
		b.p.head = b.mem;
		pkt_data(&b.p)[off + bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		r = esp_decrypt(&rx, &b.p);
		if (r == ESP_OK)
			ok++;
	}
	CHECK_EQ(ok, 0);
	CHECK_EQ(rx.stats.packets, 0);
	/* The unmodified packet still passes: the drops did not move the
	 * window. */
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_OK);
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

TEST(esp_every_bit_flip_dropped)
{
	each_combo(bit_flip_combo);
}

static void burst_combo(const struct combo *c)
{
	struct esp_sa tx1, rx1, tx2, rx2;
	static struct tbuf one[BURST_MAX], many[BURST_MAX];
	struct pkt *ptrs[BURST_MAX];
	struct esp_sa *sas[BURST_MAX];
	enum esp_drop v[BURST_MAX];
	unsigned i, n = 40;

	if (c->outer == 6 || c->encap == ESP_ENCAP_NONE)
		return;
	REQUIRE(sa_pair(c, &tx1, &rx1, 7));
	REQUIRE(sa_pair(c, &tx2, &rx2, 7));
	for (i = 0; i < n; i++) {
		make_packet(&one[i], i % 2 ? 6 : 4, IPPROTO_TCP,
			    (uint32_t)(test_rand() % 1400), false);
		many[i] = one[i];
		many[i].p.head = many[i].mem;
		ptrs[i] = &many[i].p;
		sas[i] = &rx2;
	}
	/* Packet 5 is malformed: no sequence number may be spent on it. */
	pkt_data(&one[5].p)[0] = 0x35;
	pkt_data(&many[5].p)[0] = 0x35;
	for (i = 0; i < n; i++)
		CHECK_EQ(esp_encrypt(&tx1, &one[i].p), i == 5 ? ESP_DROP_MALFORMED : ESP_OK);
	esp_encrypt_burst(&tx2, ptrs, v, n);
	for (i = 0; i < n; i++) {
		CHECK_EQ(v[i], i == 5 ? ESP_DROP_MALFORMED : ESP_OK);
		CHECK_EQ(one[i].p.len, many[i].p.len);
		CHECK(!memcmp(pkt_data(&one[i].p), pkt_data(&many[i].p), one[i].p.len));
	}
	CHECK_EQ(tx1.seq_next, tx2.seq_next);
	/* Decrypt: a duplicate inside the burst is caught after the ICV. */
	many[6] = many[7];
	many[6].p.head = many[6].mem;
	one[6] = one[7];
	one[6].p.head = one[6].mem;
	esp_decrypt_burst(sas, ptrs, v, n);
	for (i = 0; i < n; i++) {
		enum esp_drop r = esp_decrypt(&rx1, &one[i].p);

		CHECK_EQ(v[i], r);
		CHECK_EQ(r, i == 5 ? ESP_DROP_MALFORMED : i == 7 ? ESP_DROP_REPLAY : ESP_OK);
		if (r == ESP_OK)
			CHECK(!memcmp(pkt_data(&one[i].p), pkt_data(&many[i].p), one[i].p.len));
	}
	CHECK(!memcmp(rx1.stats.drops, rx2.stats.drops, sizeof(rx1.stats.drops)));
	esp_sa_clear(&tx1);
	esp_sa_clear(&rx1);
	esp_sa_clear(&tx2);
	esp_sa_clear(&rx2);
}

TEST(esp_burst_equals_single)
{
	each_combo(burst_combo);
}

TEST(esp_seq_exhaustion)
{
	struct combo c = { ESP_CIPHER_AES_GCM_256, 16, ESP_MODE_TRANSPORT,
			   ESP_ENCAP_UDP, false, 4 };
	struct esp_sa tx, rx;
	struct tbuf a;

	/* Without ESN the last sequence number is 2^32 - 1. */
	REQUIRE(sa_pair(&c, &tx, &rx, 0xffffffffULL));
	make_packet(&a, 4, IPPROTO_UDP, 10, false);
	CHECK_EQ(esp_encrypt(&tx, &a.p), ESP_OK);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_OK);
	make_packet(&a, 4, IPPROTO_UDP, 10, false);
	CHECK_EQ(esp_encrypt(&tx, &a.p), ESP_DROP_SEQ_EXHAUSTED);
	CHECK_EQ(tx.stats.drops[ESP_DROP_SEQ_EXHAUSTED], 1);
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
	/* With ESN it is 2^64 - 1. */
	c.esn = true;
	REQUIRE(sa_pair(&c, &tx, &rx, 0xffffffffffffffffULL));
	make_packet(&a, 4, IPPROTO_UDP, 10, false);
	CHECK_EQ(esp_encrypt(&tx, &a.p), ESP_OK);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_OK);
	make_packet(&a, 4, IPPROTO_UDP, 10, false);
	CHECK_EQ(esp_encrypt(&tx, &a.p), ESP_DROP_SEQ_EXHAUSTED);
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

TEST(esp_iv_is_sequence_number)
{
	struct combo c = { ESP_CIPHER_AES_GCM_128, 16, ESP_MODE_TRANSPORT,
			   ESP_ENCAP_NONE, true, 4 };
	struct esp_sa tx, rx;
	struct tbuf a;
	uint8_t *esp;

	REQUIRE(sa_pair(&c, &tx, &rx, 0x123456789ULL));
	make_packet(&a, 4, IPPROTO_TCP, 20, false);
	REQUIRE(esp_encrypt(&tx, &a.p) == ESP_OK);
	esp = pkt_data(&a.p) + 20;
	CHECK_EQ(get_be32(esp), 0x1234abcd);
	CHECK_EQ(get_be32(esp + 4), 0x23456789);
	CHECK_EQ(get_be64(esp + 8), 0x123456789ULL);
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

/* With the null cipher the payload is in the clear, so a test can forge
 * trailers and check the checks that run after the ICV. */
static enum esp_drop forge_null(enum esp_mode mode, uint8_t nh,
				const uint8_t *pad, uint8_t padlen)
{
	struct combo c = { ESP_CIPHER_NULL, 0, mode, ESP_ENCAP_NONE, false, 4 };
	struct esp_sa tx, rx;
	struct tbuf a;
	enum esp_drop r;
	uint8_t *end;

	if (!sa_pair(&c, &tx, &rx, 1))
		return ESP_DROP_COUNT;
	make_packet(&a, 4, IPPROTO_UDP, 40, false);
	esp_encrypt(&tx, &a.p);
	/* 20 + 8 + 40 bytes: the trailer ends the packet; replace it. */
	a.p.len -= 2 + (uint32_t)((4 - (40 + 2) % 4) % 4);
	end = pkt_put(&a.p, padlen + 2u);
	memcpy(end, pad, padlen);
	end[padlen] = padlen;
	end[padlen + 1] = nh;
	put_be16(pkt_data(&a.p) + 2, (uint16_t)a.p.len);
	put_be16(pkt_data(&a.p) + 10, 0);
	put_be16(pkt_data(&a.p) + 10, csum_ipv4_header(pkt_data(&a.p), 20));
	r = esp_decrypt(&rx, &a.p);
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
	return r;
}

TEST(esp_trailer_checks)
{
	static const uint8_t good[] = { 1, 2 }, bad[] = { 1, 3 };
	static const uint8_t six[] = { 1, 2, 3, 4, 5, 6 };

	CHECK_EQ(forge_null(ESP_MODE_TRANSPORT, IPPROTO_UDP, good, 2), ESP_OK);
	CHECK_EQ(forge_null(ESP_MODE_TRANSPORT, IPPROTO_UDP, bad, 2), ESP_DROP_PAD);
	CHECK_EQ(forge_null(ESP_MODE_TRANSPORT, IPPROTO_UDP, six, 6), ESP_OK);
	CHECK_EQ(forge_null(ESP_MODE_TRANSPORT, NEXT_HEADER_DUMMY, good, 2), ESP_DROP_DUMMY);
	CHECK_EQ(forge_null(ESP_MODE_TUNNEL, IPPROTO_UDP, good, 2), ESP_DROP_NEXT_HEADER);
}

TEST(esp_tfc_padding_round_trip)
{
	struct combo c = { ESP_CIPHER_AES_GCM_256, 16, ESP_MODE_TUNNEL,
			   ESP_ENCAP_UDP, false, 4 };
	struct esp_sa_config cfg;
	struct esp_sa tx, rx;
	struct tbuf a, orig;
	const char *why;

	config_for(&c, &cfg, 1);
	cfg.tfc_pad = 300;
	REQUIRE(esp_sa_init(&tx, &cfg, &why) == 0);
	cfg.seq = 0;
	REQUIRE(esp_sa_init(&rx, &cfg, &why) == 0);
	make_packet(&a, 6, IPPROTO_TCP, 30, false);
	orig = a;
	REQUIRE(esp_encrypt(&tx, &a.p) == ESP_OK);
	/* outer 20 + UDP 8 + ESP 8 + IV 8 + 300 + 2 + ICV 16 */
	CHECK_EQ(a.p.len, 20 + 8 + 16 + 300 + 2 + 16 + 2);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_OK);
	CHECK_EQ(a.p.len, orig.p.len);
	CHECK(!memcmp(pkt_data(&a.p), pkt_data(&orig.p), orig.p.len));
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

/* Put a UDP payload on port 4500 inside an IPv4 packet. */
static void make_udp4(struct tbuf *b, uint16_t dport, const uint8_t *payload,
		      uint32_t len)
{
	uint8_t *d;

	pkt_init(&b->p, b->mem, BUF_CAP, ESP_HEADROOM);
	d = pkt_put(&b->p, 28 + len);
	memset(d, 0, 28);
	d[0] = 0x45;
	put_be16(d + 2, (uint16_t)(28 + len));
	d[8] = 64;
	d[9] = IPPROTO_UDP;
	put_be16(d + 20, 4500);
	put_be16(d + 22, dport);
	put_be16(d + 24, (uint16_t)(8 + len));
	memcpy(d + 28, payload, len);
}

TEST(esp_inbound_drop_reasons)
{
	struct combo c = { ESP_CIPHER_AES_GCM_256, 16, ESP_MODE_TRANSPORT,
			   ESP_ENCAP_UDP, false, 4 };
	static const uint8_t ike[] = { 0, 0, 0, 0, 1, 2, 3, 4 }, ka[] = { 0xff };
	uint8_t esp[64] = { 0x12, 0x34, 0xab, 0xcd, 0, 0, 0, 1 };
	uint8_t other_spi[64] = { 0x11, 0x11, 0x11, 0x11, 0, 0, 0, 1 };
	struct esp_sa tx, rx;
	struct tbuf a;
	uint32_t spi;

	REQUIRE(sa_pair(&c, &tx, &rx, 1));
	make_udp4(&a, 4500, ike, sizeof(ike));
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_IKE);
	make_udp4(&a, 4500, ka, sizeof(ka));
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_KEEPALIVE);
	make_udp4(&a, 4501, esp, sizeof(esp));
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_NOT_ESP);
	make_udp4(&a, 4500, esp, 20);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_SHORT);
	make_udp4(&a, 4500, esp, 46);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_MALFORMED);
	make_udp4(&a, 4500, esp, 48);
	CHECK_EQ(esp_peek_spi(&a.p, ESP_ENCAP_UDP, 4500, &spi), ESP_OK);
	CHECK_EQ(spi, 0x1234abcd);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_AUTH);
	make_udp4(&a, 4500, other_spi, 48);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_UNKNOWN_SPI);
	esp[7] = 0; /* sequence number 0 is never valid */
	make_udp4(&a, 4500, esp, 48);
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_REPLAY);
	make_udp4(&a, 4500, esp, 48);
	pkt_data(&a.p)[6] = 0x20; /* more fragments */
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_FRAGMENT);
	make_udp4(&a, 4500, esp, 48);
	put_be16(pkt_data(&a.p) + 24, 50); /* UDP length disagrees */
	CHECK_EQ(esp_decrypt(&rx, &a.p), ESP_DROP_MALFORMED);
	CHECK_EQ(rx.stats.drops[ESP_DROP_IKE], 1);
	CHECK_EQ(rx.stats.drops[ESP_DROP_MALFORMED], 2);
	CHECK_EQ(rx.stats.drops[ESP_DROP_AUTH], 1);
	CHECK_EQ(rx.stats.packets, 0);
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

TEST(esp_sa_config_rejected)
{
	struct combo c = { ESP_CIPHER_AES_CCM_128, 8, ESP_MODE_TRANSPORT,
			   ESP_ENCAP_UDP, false, 4 };
	struct esp_sa_config cfg;
	struct esp_sa sa;
	const char *why;

	config_for(&c, &cfg, 1);
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), 0);
	esp_sa_clear(&sa);
	cfg.key_len = 16;
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
	CHECK(why != NULL);
	config_for(&c, &cfg, 1);
	cfg.icv_len = 10;
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
	config_for(&c, &cfg, 1);
	cfg.spi = 0;
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
	config_for(&c, &cfg, 1);
	cfg.replay_window = 16;
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
	config_for(&c, &cfg, 1);
	cfg.replay_window = 65537;
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
	config_for(&c, &cfg, 1ULL << 32);
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
	config_for(&c, &cfg, 1);
	cfg.tfc_pad = 100; /* transport mode */
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
	c.mode = ESP_MODE_TUNNEL;
	config_for(&c, &cfg, 1);
	addr_parse("2001:db8::9", &cfg.tunnel_dst);
	CHECK_EQ(esp_sa_init(&sa, &cfg, &why), -EINVAL);
}
