/* SPDX-License-Identifier: MIT */
/*
 * ESP transform cost per packet against the bare AEAD call on the same
 * buffers, for each cipher and packet size, and the AEAD engines side by
 * side. Not a test: prints a Markdown table, and JSON with --json FILE.
 *
 *   esp_crypt [--quick] [--cipher NAME] [--json FILE]
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/aead.h"
#include "dp/limits.h"
#include "esp/esp.h"
#include "util/bytes.h"
#include "util/csum.h"
#include "util/log.h"

#define NPKT 256            /* packets per round: fits in L2 at 1400 B */
#define REPS 5              /* medians of REPS measurements */
#define SLOT (ESP_HEADROOM + 9000 + ESP_TAILROOM)

static const unsigned sizes[] = { 64, 576, 1400, 9000 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

struct row {
	const char *cipher;
	unsigned icv;
	unsigned size;
	double bare_seal, bare_open, esp_enc, esp_dec; /* ns per packet */
	double ossl_seal;                              /* OpenSSL engine */
};

static uint8_t *slab;         /* NPKT slots of SLOT bytes */
static uint8_t *orig;         /* the plain packets, NPKT * 9000 */
static struct pkt pkts[NPKT];
static double min_seconds = 0.2;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* IPv4/UDP packets of total length size, random payload. */
static void make_packets(unsigned size)
{
	unsigned i, j;

	for (i = 0; i < NPKT; i++) {
		uint8_t *d = orig + (size_t)i * 9000;

		for (j = 0; j < size; j++)
			d[j] = (uint8_t)(rand() >> 7);
		memset(d, 0, 28);
		d[0] = 0x45;
		put_be16(d + 2, (uint16_t)size);
		d[8] = 64;
		d[9] = IPPROTO_UDP;
		put_be16(d + 10, csum_ipv4_header(d, 20));
	}
}

static void reset_packets(unsigned size)
{
	unsigned i;

	for (i = 0; i < NPKT; i++) {
		pkt_init(&pkts[i], slab + (size_t)i * SLOT, SLOT, ESP_HEADROOM);
		memcpy(pkt_put(&pkts[i], size), orig + (size_t)i * 9000, size);
	}
}

static void sa_config(struct esp_sa_config *cfg, enum esp_cipher c,
		      unsigned icv, const uint8_t *key)
{
	const struct esp_cipher_info *info = esp_cipher_info(c);

	memset(cfg, 0, sizeof(*cfg));
	cfg->spi = 0x100;
	cfg->cipher = c;
	cfg->icv_len = (uint8_t)icv;
	cfg->key = key;
	cfg->key_len = (uint32_t)info->key_len + info->salt_len;
	cfg->mode = ESP_MODE_TRANSPORT;
	cfg->encap = ESP_ENCAP_UDP;
	cfg->sport = cfg->dport = 4500;
	cfg->esn = true;
	cfg->seq = 1;
	cfg->replay_window = REPLAY_WINDOW_MAX;
}

/* ESP encrypt then decrypt of NPKT packets per round; returns seconds of
 * each phase, summed over rounds until min_seconds of encryption. */
static void time_esp(enum esp_cipher c, unsigned icv, unsigned size,
		     double *enc_ns, double *dec_ns)
{
	static const uint8_t key[36] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct esp_sa_config cfg;
	struct esp_sa tx, rx;
	struct pkt *ptr[NPKT];
	struct esp_sa *sas[BURST_MAX];
	enum esp_drop v[BURST_MAX];
	double te = 0, td = 0, t0;
	unsigned long done = 0;
	const char *why;
	unsigned i, j;

	sa_config(&cfg, c, icv, key);
	if (esp_sa_init(&tx, &cfg, &why))
		abort();
	cfg.seq = 0;
	if (esp_sa_init(&rx, &cfg, &why))
		abort();
	for (i = 0; i < NPKT; i++)
		ptr[i] = &pkts[i];
	for (i = 0; i < BURST_MAX; i++)
		sas[i] = &rx;
	while (te < min_seconds) {
		reset_packets(size);
		t0 = now();
		for (i = 0; i < NPKT; i += BURST_MAX)
			esp_encrypt_burst(&tx, ptr + i, v, BURST_MAX);
		te += now() - t0;
		t0 = now();
		for (i = 0; i < NPKT; i += BURST_MAX) {
			esp_decrypt_burst(sas, ptr + i, v, BURST_MAX);
			for (j = 0; j < BURST_MAX; j++)
				if (v[j] != ESP_OK)
					abort();
		}
		td += now() - t0;
		done += NPKT;
	}
	*enc_ns = te * 1e9 / (double)done;
	*dec_ns = td * 1e9 / (double)done;
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
}

/* The bare AEAD on the same buffers: seal then open NPKT requests of the
 * ESP text length (payload + trailer) with ESP's 12-byte AAD. */
static void time_bare(enum esp_cipher c, unsigned icv, unsigned size,
		      enum aead_engine engine, double *seal_ns,
		      double *open_ns)
{
	static const uint8_t key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const struct esp_cipher_info *info = esp_cipher_info(c);
	static struct aead_req reqs[NPKT];
	uint8_t nonce[12] = { 0 }, aad[12] = { 0 }, tags[NPKT][16];
	unsigned text = (size + 2 + 3) & ~3u, i;
	struct aead_ctx *ctx;
	double ts = 0, to = 0, t0;
	unsigned long done = 0;

	if (aead_new(&ctx, info->alg, engine, key, info->key_len, icv)) {
		*seal_ns = *open_ns = -1;
		return;
	}
	reset_packets(size);
	for (i = 0; i < NPKT; i++) {
		struct aead_req *r = &reqs[i];

		memset(r, 0, sizeof(*r));
		r->ctx = ctx;
		r->nonce = nonce;
		r->nonce_len = (size_t)info->salt_len + info->iv_len;
		r->aad = aad;
		r->aad_len = 12;
		r->in = r->out = pkt_data(&pkts[i]);
		r->len = text;
		r->tag = tags[i];
	}
	while (ts < min_seconds) {
		t0 = now();
		for (i = 0; i < NPKT; i += BURST_MAX)
			aead_seal_burst(reqs + i, BURST_MAX);
		ts += now() - t0;
		t0 = now();
		for (i = 0; i < NPKT; i += BURST_MAX)
			aead_open_burst(reqs + i, BURST_MAX);
		to += now() - t0;
		for (i = 0; i < NPKT; i++)
			if (reqs[i].status)
				abort();
		done += NPKT;
	}
	*seal_ns = ts * 1e9 / (double)done;
	*open_ns = to * 1e9 / (double)done;
	aead_free(ctx);
}

static void measure(struct row *r, enum esp_cipher c)
{
	double bs[REPS], bo[REPS], ee[REPS], ed[REPS], os[REPS], dummy;
	unsigned k;

	make_packets(r->size);
	for (k = 0; k < REPS; k++) {
		time_bare(c, r->icv, r->size, AEAD_ENGINE_AUTO, &bs[k], &bo[k]);
		time_esp(c, r->icv, r->size, &ee[k], &ed[k]);
		time_bare(c, r->icv, r->size, AEAD_ENGINE_OPENSSL, &os[k],
			  &dummy);
	}
	r->bare_seal = median(bs, REPS);
	r->bare_open = median(bo, REPS);
	r->esp_enc = median(ee, REPS);
	r->esp_dec = median(ed, REPS);
	r->ossl_seal = median(os, REPS);
}

static void print_rows(const struct row *rows, unsigned n, FILE *json)
{
	unsigned i;

	printf("| cipher | ICV | bytes | AEAD seal | ESP encrypt | ratio | "
	       "AEAD open | ESP decrypt | ratio | OpenSSL seal |\n"
	       "|---|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		printf("| %s | %u | %u | %.0f | %.0f | %.2f | %.0f | %.0f | "
		       "%.2f | %.0f |\n",
		       r->cipher, r->icv, r->size, r->bare_seal, r->esp_enc,
		       r->esp_enc / r->bare_seal, r->bare_open, r->esp_dec,
		       r->esp_dec / r->bare_open, r->ossl_seal);
		if (json)
			fprintf(json,
				"%s{\"cipher\":\"%s\",\"icv\":%u,\"bytes\":%u,"
				"\"aead_seal_ns\":%.1f,\"esp_encrypt_ns\":%.1f,"
				"\"aead_open_ns\":%.1f,\"esp_decrypt_ns\":%.1f,"
				"\"openssl_seal_ns\":%.1f}\n",
				i ? "," : "[", r->cipher, r->icv, r->size,
				r->bare_seal, r->esp_enc, r->bare_open,
				r->esp_dec, r->ossl_seal);
	}
	if (json)
		fprintf(json, "]\n");
}

int main(int argc, char **argv)
{
	static const struct { enum esp_cipher c; unsigned icv; } list[] = {
		{ ESP_CIPHER_NULL, 0 },
		{ ESP_CIPHER_NULL_HMAC_SHA256, 16 },
		{ ESP_CIPHER_AES_GCM_256, 16 },
		{ ESP_CIPHER_AES_GCM_128, 16 },
		{ ESP_CIPHER_AES_CCM_128, 8 },
		{ ESP_CIPHER_CHACHA20_POLY1305, 16 },
	};
	static struct row rows[sizeof(list) / sizeof(list[0]) * NSIZES];
	const char *json_path = NULL, *only = NULL;
	FILE *json = NULL;
	unsigned i, s, n = 0;

	for (i = 1; i < (unsigned)argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			min_seconds = 0.02;
		else if (!strcmp(argv[i], "--json") && i + 1 < (unsigned)argc)
			json_path = argv[++i];
		else if (!strcmp(argv[i], "--cipher") && i + 1 < (unsigned)argc)
			only = argv[++i];
	}
	slab = aligned_alloc(64, (size_t)NPKT * SLOT);
	orig = malloc((size_t)NPKT * 9000);
	if (!slab || !orig)
		return 1;
	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (only && strcmp(only, esp_cipher_info(list[i].c)->name))
			continue;
		for (s = 0; s < NSIZES; s++) {
			struct row *r = &rows[n++];

			r->cipher = esp_cipher_info(list[i].c)->name;
			r->icv = list[i].icv;
			r->size = sizes[s];
			measure(r, list[i].c);
		}
	}
	if (json_path && !(json = fopen(json_path, "w"))) {
		fprintf(stderr, "esp_crypt: %s: %s\n", json_path, strerror(errno));
		return 1;
	}
	printf("Nanoseconds per packet (median of %d); ESP: transport mode, "
	       "UDP encapsulation, ESN, bursts of %d.\n\n", REPS, BURST_MAX);
	print_rows(rows, n, json);
	if (json)
		fclose(json);
	free(slab);
	free(orig);
	return 0;
}
