/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: ESP input processing (esp_peek_spi, esp_decrypt,
 * esp_decrypt_burst) on hostile outer packets.
 *
 * Input: three configuration bytes, then the outer IP packet.
 *
 *   byte 0  bits 0-2 cipher (mod ESP_CIPHER_COUNT)
 *           bits 3-4 ICV length: index into the cipher's allowed lengths
 *           bits 5-6 crypto engine (mod AEAD_ENGINE_COUNT)
 *           bit  7   ESN
 *   byte 1  bit  0   tunnel mode          bit 1  UDP encapsulation (4500)
 *           bits 2-4 replay window: windows[]
 *           bits 5-7 highest sequence number already received: tops[]
 *   byte 2  bits 0-1 pieces - 1 for the burst
 *           bit  2   repeat the first piece at the end of the burst
 *           bits 3-7 which of two SAs each burst packet is for
 *
 * The SA has SPI FUZZ_SPI and key material FUZZ_KEY_BYTE + i for byte i
 * (key || salt); fuzz/gen_corpus.py builds its packets with the same.
 *
 * Checked for every input (abort() on failure):
 *  - every verdict is below ESP_DROP_COUNT;
 *  - on ESP_OK the packet lies within its buffer and is no longer than the
 *    input, and esp_peek_spi() found the SA's SPI;
 *  - the SA's counters moved by exactly the verdicts: one packet (and its
 *    bytes) per ESP_OK, one drop under its reason per drop;
 *  - a burst of the packet split into pieces gives what the same pieces give
 *    one at a time: the same packets accepted with the same bytes, the same
 *    counters.
 *
 * Differences allowed between burst and single calls: a burst checks replay
 * and infers ESN high halves against the window as it stood before the
 * burst, and moves the window only after all its ICVs are checked. So a
 * packet that an earlier packet of the burst pushed out of the window can be
 * dropped for its ICV in one case and as a replay in the other (a drop
 * either way, counted under ESP_DROP_AUTH or ESP_DROP_REPLAY). With ESN and
 * the "null" cipher, where no ICV catches a wrongly inferred high half, the
 * two may even disagree on accepting it; such configurations skip the
 * comparison.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp/limits.h"
#include "esp/esp.h"
#include "util/cursor.h"

#define FUZZ_SPI 0x00001001u
#define FUZZ_PORT ESP_UDP_PORT
#define FUZZ_KEY_BYTE 0x10
#define CONFIG_LEN 3
#define PIECES_MAX 5 /* up to four pieces and one repeat */

static const uint32_t windows[8] = { 32, 64, 100, 1024,
				     65536, 1000, 128, 4096 };
static const uint64_t tops[8] = { 0, 1, 1000, 0xfffffff0ULL,
				  0xffffffffULL, 0x100000005ULL,
				  0x1fffffff0ULL, 0xffffffffffffff00ULL };

#define check(cond)                                                        \
	do {                                                               \
		if (!(cond))                                               \
			abort();                                           \
	} while (0)

static uint8_t pick_icv(const struct esp_cipher_info *info, unsigned idx)
{
	unsigned n = 0;

	while (n < sizeof(info->icv_lens) && info->icv_lens[n])
		n++;
	return n ? info->icv_lens[idx % n] : 0;
}

/* The SA configuration the first two bytes name; key is the caller's. */
static void config_make(struct esp_sa_config *cfg, uint8_t b0, uint8_t b1,
			uint8_t *key)
{
	enum esp_cipher c = (enum esp_cipher)((b0 & 7) % ESP_CIPHER_COUNT);
	const struct esp_cipher_info *info = esp_cipher_info(c);
	unsigned i;

	check(info);
	memset(cfg, 0, sizeof(*cfg));
	cfg->spi = FUZZ_SPI;
	cfg->cipher = c;
	cfg->icv_len = pick_icv(info, b0 >> 3 & 3);
	cfg->key_len = (uint32_t)info->key_len + info->salt_len;
	check(cfg->key_len <= AEAD_KEY_MAX);
	for (i = 0; i < cfg->key_len; i++)
		key[i] = (uint8_t)(FUZZ_KEY_BYTE + i);
	cfg->key = key;
	cfg->engine = (enum aead_engine)((b0 >> 5 & 3) % AEAD_ENGINE_COUNT);
	cfg->esn = b0 >> 7;
	cfg->mode = b1 & 1 ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
	cfg->encap = b1 & 2 ? ESP_ENCAP_UDP : ESP_ENCAP_NONE;
	cfg->sport = cfg->dport = FUZZ_PORT;
	cfg->replay_window = windows[b1 >> 2 & 7];
	cfg->seq = tops[b1 >> 5 & 7];
	if (!cfg->esn)
		cfg->seq &= 0xffffffffULL;
}

/* Make n SAs for cfg. Returns false when the configured engine cannot run
 * the cipher here; any other refusal of a valid configuration aborts. */
static bool sas_init(struct esp_sa *sas, unsigned n,
		     const struct esp_sa_config *cfg)
{
	const char *why;
	unsigned i;

	for (i = 0; i < n; i++) {
		int err = esp_sa_init(&sas[i], cfg, &why);

		if (err) {
			check(err == -ENOTSUP);
			while (i--)
				esp_sa_clear(&sas[i]);
			return false;
		}
	}
	return true;
}

static void sas_clear(struct esp_sa *sas, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		esp_sa_clear(&sas[i]);
}

/* A packet in a buffer of its own with exactly the room ESP asks for. */
static void pkt_load(struct pkt *p, const uint8_t *data, uint32_t len)
{
	uint32_t cap = ESP_HEADROOM + len + ESP_TAILROOM;
	uint8_t *buf = malloc(cap);

	check(buf);
	pkt_init(p, buf, cap, ESP_HEADROOM);
	if (len)
		memcpy(pkt_put(p, len), data, len);
}

static void check_output(const struct pkt *p, enum esp_drop v,
			 uint32_t in_len)
{
	check((unsigned)v < ESP_DROP_COUNT);
	if (v != ESP_OK)
		return;
	check(p->off <= p->cap && p->len <= p->cap - p->off);
	check(p->len <= in_len);
}

/* The counters of sa moved from before by exactly the verdicts of the
 * packets in pkts[0..n) that were for it. */
static void check_stats(const struct esp_sa *sa, const struct esp_stats *before,
			struct esp_sa *const *sas, struct pkt *const *pkts,
			const enum esp_drop *v, unsigned n)
{
	struct esp_stats want = *before;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (sas[i] != sa)
			continue;
		if (v[i] == ESP_OK) {
			want.packets++;
			want.bytes += pkts[i]->len;
		} else {
			want.drops[v[i]]++;
		}
	}
	check(!memcmp(&want, &sa->stats, sizeof(want)));
}

/* esp_peek_spi() agrees with what decryption made of the packet. */
static void check_peek(const struct esp_sa *sa, enum esp_drop peek,
		       uint32_t spi, enum esp_drop v)
{
	check((unsigned)peek < ESP_DROP_COUNT);
	if (v == ESP_OK)
		check(peek == ESP_OK && spi == sa->spi);
	if (peek != ESP_OK)
		check(v != ESP_OK);
}

/* The whole input as one packet through esp_decrypt(). */
static void fuzz_single(const struct esp_sa_config *cfg, const uint8_t *data,
			uint32_t len)
{
	struct esp_sa sa;
	struct esp_sa *sap = &sa;
	struct esp_stats before;
	struct pkt p, *pp = &p;
	enum esp_drop v, peek;
	uint32_t spi = 0;

	if (!sas_init(&sa, 1, cfg))
		return;
	pkt_load(&p, data, len);
	peek = esp_peek_spi(&p, sa.encap, sa.dport, &spi);
	before = sa.stats;
	v = esp_decrypt(&sa, &p);
	check_output(&p, v, len);
	check_stats(&sa, &before, &sap, &pp, &v, 1);
	check_peek(&sa, peek, spi, v);
	free(p.head);
	sas_clear(&sa, 1);
}

/* Bytes of the next piece: the length its IP header claims when that fits,
 * else all that is left. */
static uint32_t piece_len(struct cursor c)
{
	uint8_t b0 = 0, hi = 0, lo = 0;
	uint32_t n = 0;

	if (!cursor_peek_u8(&c, 0, &b0))
		return 0;
	if (b0 >> 4 == 4 && cursor_peek_u8(&c, 2, &hi) &&
	    cursor_peek_u8(&c, 3, &lo))
		n = (uint32_t)hi << 8 | lo;
	else if (b0 >> 4 == 6 && cursor_peek_u8(&c, 4, &hi) &&
		 cursor_peek_u8(&c, 5, &lo))
		n = IPV6_HDR_LEN + ((uint32_t)hi << 8 | lo);
	if (n == 0 || n > cursor_left(&c))
		n = (uint32_t)cursor_left(&c);
	return n;
}

struct burst {
	unsigned n;
	struct cursor piece[PIECES_MAX];
	unsigned sa_idx[PIECES_MAX];
};

static void burst_split(struct burst *b, uint8_t b2, const uint8_t *data,
			uint32_t len)
{
	struct cursor c = cursor_make(data, len);
	unsigned want = (b2 & 3) + 1, i;

	b->n = 0;
	while (b->n < want && cursor_left(&c)) {
		uint32_t n = b->n + 1 == want ? (uint32_t)cursor_left(&c)
					      : piece_len(c);

		check(cursor_sub(&c, &b->piece[b->n], n));
		b->n++;
	}
	if (b->n == 0)
		b->piece[b->n++] = c;
	if (b2 & 4)
		b->piece[b->n++] = b->piece[0];
	for (i = 0; i < b->n; i++)
		b->sa_idx[i] = b2 >> (3 + i) & 1;
}

static bool same_counters(const struct esp_stats *a, const struct esp_stats *b)
{
	unsigned r;

	if (a->packets != b->packets || a->bytes != b->bytes)
		return false;
	for (r = 0; r < ESP_DROP_COUNT; r++)
		if (r != ESP_DROP_AUTH && r != ESP_DROP_REPLAY &&
		    a->drops[r] != b->drops[r])
			return false;
	return a->drops[ESP_DROP_AUTH] + a->drops[ESP_DROP_REPLAY] ==
	       b->drops[ESP_DROP_AUTH] + b->drops[ESP_DROP_REPLAY];
}

static bool auth_or_replay(enum esp_drop v)
{
	return v == ESP_DROP_AUTH || v == ESP_DROP_REPLAY;
}

/* Burst verdict vb against single verdict vs for the same packet. */
static void check_same(enum esp_drop vb, enum esp_drop vs,
		       const struct pkt *pb, const struct pkt *ps)
{
	if (auth_or_replay(vb) && auth_or_replay(vs))
		return;
	check(vb == vs);
	if (vb == ESP_OK)
		check(pb->len == ps->len &&
		      !memcmp(pkt_data(pb), pkt_data(ps), pb->len));
}

/* The pieces as one esp_decrypt_burst() over two SAs (sas[0..2)) and as
 * single esp_decrypt() calls over two more (sas[2..4)). */
static void fuzz_burst(struct esp_sa *sas, const struct burst *b)
{
	struct esp_sa *bsa[PIECES_MAX];
	struct pkt pb[PIECES_MAX], ps[PIECES_MAX], *pbp[PIECES_MAX];
	enum esp_drop vb[PIECES_MAX], vs[PIECES_MAX];
	struct esp_stats before[2];
	bool comparable = sas[0].info->integrity || !sas[0].esn;
	unsigned i;

	for (i = 0; i < b->n; i++) {
		const uint8_t *d = b->piece[i].p;
		uint32_t len = (uint32_t)b->piece[i].len;

		pkt_load(&pb[i], d, len);
		pkt_load(&ps[i], d, len);
		pbp[i] = &pb[i];
		bsa[i] = &sas[b->sa_idx[i]];
	}
	before[0] = sas[0].stats;
	before[1] = sas[1].stats;
	esp_decrypt_burst(bsa, pbp, vb, b->n);
	for (i = 0; i < b->n; i++) {
		vs[i] = esp_decrypt(&sas[2 + b->sa_idx[i]], &ps[i]);
		check_output(&pb[i], vb[i], (uint32_t)b->piece[i].len);
		check_output(&ps[i], vs[i], (uint32_t)b->piece[i].len);
		if (comparable)
			check_same(vb[i], vs[i], &pb[i], &ps[i]);
	}
	for (i = 0; i < 2; i++) {
		check_stats(&sas[i], &before[i], bsa, pbp, vb, b->n);
		if (comparable)
			check(same_counters(&sas[i].stats, &sas[2 + i].stats));
	}
	for (i = 0; i < b->n; i++) {
		free(pb[i].head);
		free(ps[i].head);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[AEAD_KEY_MAX];
	struct esp_sa_config cfg;
	struct esp_sa sas[4];
	struct burst b;
	uint32_t len;

	if (size < CONFIG_LEN || size - CONFIG_LEN > IP_PACKET_MAX)
		return 0;
	len = (uint32_t)(size - CONFIG_LEN);
	config_make(&cfg, data[0], data[1], key);
	fuzz_single(&cfg, data + CONFIG_LEN, len);
	burst_split(&b, data[2], data + CONFIG_LEN, len);
	if (sas_init(sas, 4, &cfg)) {
		fuzz_burst(sas, &b);
		sas_clear(sas, 4);
	}
	return 0;
}
