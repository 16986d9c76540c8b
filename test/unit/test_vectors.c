/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests from published vectors kept as text in test/vectors/
 * (format and sources: test/vectors/README.md). Every expected value comes
 * from those files, never from the code under test.
 *
 * level = esp: the ESP packet, wrapped in an outer IPv4 header, is decrypted
 * by an inbound SA and must give back the vector's payload; the same packet
 * with one bit flipped in its IV, ciphertext or ICV must be dropped as
 * ESP_DROP_AUTH, and the packet replayed as ESP_DROP_REPLAY. The AEAD call
 * inside (nonce = salt || IV, ESP's AAD) must seal the vector's plaintext
 * and trailer to its ciphertext and ICV. AES-GCM vectors are also opened
 * with their ICV cut to 12 and 8 bytes (RFC 4106 §6: the shorter ICVs are
 * the leading bytes of the tag, NIST SP 800-38D §5.2.1.2). Where the IV
 * equals the sequence number and the padding is minimal, an outbound SA
 * must reproduce the packet byte for byte.
 * level = aead: aead_seal and aead_open directly.
 * Each case runs on every AEAD engine that implements its algorithm and is
 * available on this machine.
 *
 * A file that cannot be parsed, or holds no case, fails its test. The file
 * reader is vecfile.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp/limits.h"
#include "esp/esp.h"
#include "test.h"
#include "util/bytes.h"
#include "vecfile.h"

#define VEC_DIR "/test/vectors"
#define BUF_CAP (ESP_HEADROOM + IPV4_HDR_LEN + VEC_BYTES_MAX + ESP_TAILROOM)

static const enum aead_engine engines[] = {
	AEAD_ENGINE_IPSECMB,
	AEAD_ENGINE_OPENSSL,
};
#define ENGINE_COUNT (sizeof(engines) / sizeof(engines[0]))

/* Whether engine e can run the case on this machine; an engine that fails
 * its self-test is a failure of its own. */
static bool engine_usable(const struct vec *v, enum aead_engine e)
{
	int err;

	if (!aead_engine_has(e, v->cipher->alg))
		return false;
	err = aead_selftest(e);
	if (err == -ENOTSUP)
		return false;
	if (err)
		test_fail(__FILE__, __LINE__, "%s: engine %s failed its self-test",
			  v->name, aead_engine_name(e));
	return !err;
}

#define VFAIL(v, e, fmt, ...)                                              \
	test_fail(__FILE__, __LINE__, "%s [%s] (line %d): " fmt, (v)->name, \
		  aead_engine_name(e), (v)->line, ##__VA_ARGS__)

struct aead_io {
	const uint8_t *key;
	size_t key_len;
	uint8_t nonce[AEAD_NONCE_MAX];
	size_t nonce_len;
	const struct vec_bytes *aad, *pt, *ct, *tag;
};

static void aead_open_checks(const struct vec *v, enum aead_engine e,
			     struct aead_req *req, const struct aead_io *io,
			     uint8_t *out, uint8_t *tag)
{
	size_t i;
	int err;

	memcpy(out, io->ct->b, io->ct->n);
	memcpy(tag, io->tag->b, v->icv);
	req->in = req->out = out;
	err = aead_open(req);
	if (err || memcmp(out, io->pt->b, io->pt->n))
		VFAIL(v, e, "aead_open: %d or wrong plaintext", err);
	memcpy(out, io->ct->b, io->ct->n);
	tag[v->icv - 1] ^= 0x01;
	err = aead_open(req);
	if (err != -EBADMSG)
		VFAIL(v, e, "aead_open with a flipped tag bit: %d", err);
	for (i = 0; i < io->ct->n; i++)
		if (out[i]) {
			VFAIL(v, e, "failed aead_open left output unwiped");
			break;
		}
}

static void aead_run(const struct vec *v, enum aead_engine e,
		     const struct aead_io *io)
{
	uint8_t out[VEC_BYTES_MAX + 1], tag[AEAD_TAG_MAX];
	struct aead_ctx *ctx = NULL;
	struct aead_req req = { .nonce = io->nonce, .nonce_len = io->nonce_len,
				.aad = io->aad->b, .aad_len = io->aad->n,
				.in = io->pt->b, .out = out,
				.len = io->pt->n, .tag = tag };
	int err;

	err = aead_new(&ctx, v->cipher->alg, e, io->key, io->key_len, v->icv);
	if (err) {
		VFAIL(v, e, "aead_new: %d", err);
		return;
	}
	req.ctx = ctx;
	err = aead_seal(&req);
	if (err || memcmp(out, io->ct->b, io->ct->n) ||
	    memcmp(tag, io->tag->b, v->icv))
		VFAIL(v, e, "aead_seal: %d or wrong ciphertext/tag", err);
	aead_open_checks(v, e, &req, io, out, tag);
	aead_free(ctx);
}

/* The key, and the nonce: given whole, or salt (after the key) || IV. */
static void io_key_nonce(const struct vec *v, struct aead_io *io)
{
	io->key = v->key.b;
	io->key_len = v->cipher->key_len;
	if (v->nonce.n) {
		memcpy(io->nonce, v->nonce.b, v->nonce.n);
		io->nonce_len = v->nonce.n;
		return;
	}
	memcpy(io->nonce, v->key.b + io->key_len, v->cipher->salt_len);
	memcpy(io->nonce + v->cipher->salt_len, v->iv.b, ESP_IV_LEN);
	io->nonce_len = v->cipher->salt_len + ESP_IV_LEN;
}

static void aead_case(const struct vec *v, enum aead_engine e)
{
	struct aead_io io = { .aad = &v->aad, .pt = &v->plaintext,
			      .ct = &v->ct, .tag = &v->tag };

	io_key_nonce(v, &io);
	aead_run(v, e, &io);
}

/* The AEAD call inside an ESP vector: nonce = salt || IV; AAD = SPI ||
 * [seq high] || seq low (RFC 4106 §5, RFC 4309 §5, RFC 7634 §2.1); the text
 * is payload || padding || pad length || next header. */
static void esp_aead_case(const struct vec *v, enum aead_engine e)
{
	struct vec_bytes aad, pt, ct, tag;
	struct aead_io io = { .aad = &aad, .pt = &pt, .ct = &ct, .tag = &tag };
	size_t text = v->esp.n - ESP_HDR_LEN - ESP_IV_LEN - v->icv;

	put_be32(aad.b, v->spi);
	if (v->esn)
		put_be64(aad.b + 4, v->seq);
	else
		put_be32(aad.b + 4, (uint32_t)v->seq);
	aad.n = v->esn ? 12 : 8;
	memcpy(pt.b, v->plaintext.b, v->plaintext.n);
	memcpy(pt.b + v->plaintext.n, v->padding.b, v->padding.n);
	pt.b[text - 2] = (uint8_t)v->padding.n;
	pt.b[text - 1] = v->next_header;
	pt.n = ct.n = text;
	memcpy(ct.b, v->esp.b + ESP_HDR_LEN + ESP_IV_LEN, text);
	memcpy(tag.b, v->esp.b + v->esp.n - v->icv, v->icv);
	tag.n = v->icv;
	io_key_nonce(v, &io);
	aead_run(v, e, &io);
}

static const uint8_t outer_src[4] = { 192, 0, 2, 1 };
static const uint8_t outer_dst[4] = { 192, 0, 2, 2 };

static bool tunnel_mode(const struct vec *v)
{
	return v->next_header == NEXT_HEADER_IPV4 ||
	       v->next_header == NEXT_HEADER_IPV6;
}

/* RFC 1071 checksum of a 20-byte IPv4 header, computed the plain way. */
static uint16_t ipv4_sum(const uint8_t *h)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < IPV4_HDR_LEN; i += 2)
		sum += get_be16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void ipv4_build(uint8_t *h, uint16_t total_len, uint8_t proto)
{
	memset(h, 0, IPV4_HDR_LEN);
	h[0] = 0x45;
	put_be16(h + 2, total_len);
	put_be16(h + 4, 0x1234);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, outer_src, 4);
	memcpy(h + 16, outer_dst, 4);
	put_be16(h + 10, (uint16_t)~ipv4_sum(h));
}

static int sa_make(const struct vec *v, enum aead_engine e, unsigned icv,
		   bool outbound, struct esp_sa *sa)
{
	struct esp_sa_config cfg = { 0 };
	const char *why = NULL;
	int err;

	cfg.spi = v->spi;
	if (esp_cipher_from_name(v->cipher->name, &cfg.cipher)) {
		VFAIL(v, e, "esp_cipher_from_name does not know the cipher");
		return -ENOENT;
	}
	cfg.icv_len = (uint8_t)icv;
	cfg.key = v->key.b;
	cfg.key_len = (uint32_t)v->key.n;
	cfg.mode = tunnel_mode(v) ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
	cfg.encap = ESP_ENCAP_NONE;
	cfg.esn = v->esn;
	/* Inbound: the highest number already received is the one before, so
	 * RFC 4303 Appendix A infers the vector's 64-bit number. */
	cfg.seq = outbound ? v->seq : v->seq - 1;
	if (cfg.mode == ESP_MODE_TUNNEL) {
		cfg.tunnel_src.family = cfg.tunnel_dst.family = AF_INET;
		memcpy(cfg.tunnel_src.bytes, outer_src, 4);
		memcpy(cfg.tunnel_dst.bytes, outer_dst, 4);
	}
	cfg.engine = e;
	err = esp_sa_init(sa, &cfg, &why);
	if (err)
		VFAIL(v, e, "esp_sa_init: %d (%s)", err, why ? why : "?");
	return err;
}

/* Outer IPv4 header (raw ESP) || the first esp_len bytes of esp. */
static void packet_wrap(struct pkt *p, uint8_t *buf, const uint8_t *esp,
			size_t esp_len)
{
	uint8_t *d;

	pkt_init(p, buf, BUF_CAP, ESP_HEADROOM);
	d = pkt_put(p, (uint32_t)(IPV4_HDR_LEN + esp_len));
	ipv4_build(d, (uint16_t)(IPV4_HDR_LEN + esp_len), IPPROTO_ESP_NUM);
	memcpy(d + IPV4_HDR_LEN, esp, esp_len);
}

/* Tunnel mode gives back the inner packet; transport mode the outer header
 * with protocol, length and checksum restored, then the payload. */
static void check_recovered(const struct vec *v, enum aead_engine e,
			    const struct pkt *p)
{
	const uint8_t *d = pkt_data(p);
	uint8_t want[IPV4_HDR_LEN];
	size_t n = v->plaintext.n;

	if (tunnel_mode(v)) {
		if (p->len != n || memcmp(d, v->plaintext.b, n))
			VFAIL(v, e, "decrypt: inner packet differs");
		return;
	}
	if (p->len != IPV4_HDR_LEN + n ||
	    memcmp(d + IPV4_HDR_LEN, v->plaintext.b, n)) {
		VFAIL(v, e, "decrypt: payload differs (%u bytes)", p->len);
		return;
	}
	ipv4_build(want, (uint16_t)(IPV4_HDR_LEN + n), v->next_header);
	if (memcmp(d, want, 10) || memcmp(d + 12, want + 12, 8) ||
	    ipv4_sum(d) != 0xffff)
		VFAIL(v, e, "decrypt: IPv4 header not restored");
}

/* Decrypt the vector's packet cut to icv bytes of ICV, with one bit of byte
 * flip_at (counted from the SPI) flipped when flip_at >= 0. */
static enum esp_drop decrypt_one(struct esp_sa *sa, const struct vec *v,
				 unsigned icv, long flip_at, struct pkt *p,
				 uint8_t *buf)
{
	size_t len = v->esp.n - (v->icv - icv);

	packet_wrap(p, buf, v->esp.b, len);
	if (flip_at >= 0)
		pkt_data(p)[IPV4_HDR_LEN + flip_at] ^= 0x10;
	return esp_decrypt(sa, p);
}

static void esp_decrypt_case(const struct vec *v, enum aead_engine e)
{
	long flips[3] = { ESP_HDR_LEN, ESP_HDR_LEN + ESP_IV_LEN,
			  (long)v->esp.n - 1 };
	uint8_t buf[BUF_CAP];
	struct esp_sa sa;
	struct pkt p;
	enum esp_drop r;
	int i;

	if (sa_make(v, e, v->icv, false, &sa))
		return;
	for (i = 0; i < 3; i++) {
		r = decrypt_one(&sa, v, v->icv, flips[i], &p, buf);
		if (r != ESP_DROP_AUTH)
			VFAIL(v, e, "bit flipped at byte %ld: %s, not auth",
			      flips[i], esp_drop_name(r));
	}
	r = decrypt_one(&sa, v, v->icv, -1, &p, buf);
	if (r != ESP_OK)
		VFAIL(v, e, "decrypt: dropped as %s", esp_drop_name(r));
	else
		check_recovered(v, e, &p);
	r = decrypt_one(&sa, v, v->icv, -1, &p, buf);
	if (r != ESP_DROP_REPLAY)
		VFAIL(v, e, "replayed packet: %s, not replay", esp_drop_name(r));
	if (sa.stats.drops[ESP_DROP_AUTH] != 3 || sa.stats.packets != 1)
		VFAIL(v, e, "counters: auth %llu, packets %llu",
		      (unsigned long long)sa.stats.drops[ESP_DROP_AUTH],
		      (unsigned long long)sa.stats.packets);
	esp_sa_clear(&sa);
}

/* AES-GCM ICVs of 12 and 8 bytes are the tag's leading bytes. */
static void esp_truncated_case(const struct vec *v, enum aead_engine e)
{
	static const unsigned icvs[] = { 12, 8 };
	uint8_t buf[BUF_CAP];
	struct esp_sa sa;
	struct pkt p;
	enum esp_drop r;
	size_t i;

	for (i = 0; i < sizeof(icvs) / sizeof(icvs[0]); i++) {
		size_t last = v->esp.n - (v->icv - icvs[i]) - 1;

		if (sa_make(v, e, icvs[i], false, &sa))
			return;
		r = decrypt_one(&sa, v, icvs[i], (long)last, &p, buf);
		if (r != ESP_DROP_AUTH)
			VFAIL(v, e, "ICV %u, last bit flipped: %s", icvs[i],
			      esp_drop_name(r));
		r = decrypt_one(&sa, v, icvs[i], -1, &p, buf);
		if (r != ESP_OK)
			VFAIL(v, e, "ICV %u: dropped as %s", icvs[i],
			      esp_drop_name(r));
		else
			check_recovered(v, e, &p);
		esp_sa_clear(&sa);
	}
}

/* Only a packet whose IV is its sequence number, padded minimally, is what
 * this encrypter sends (RFC 4106 §3.1, RFC 4303 §2.4). */
static bool encrypt_reproducible(const struct vec *v)
{
	size_t min_pad = (ESP_ALIGN - (v->plaintext.n + ESP_TRAILER_LEN) %
					      ESP_ALIGN) % ESP_ALIGN;

	return get_be64(v->iv.b) == v->seq && v->padding.n == min_pad;
}

static void esp_encrypt_case(const struct vec *v, enum aead_engine e)
{
	uint8_t buf[BUF_CAP];
	struct esp_sa sa;
	struct pkt p;
	enum esp_drop r;
	uint8_t *d;
	size_t n = v->plaintext.n;

	if (sa_make(v, e, v->icv, true, &sa))
		return;
	pkt_init(&p, buf, BUF_CAP, ESP_HEADROOM);
	if (tunnel_mode(v)) {
		memcpy(pkt_put(&p, (uint32_t)n), v->plaintext.b, n);
	} else {
		d = pkt_put(&p, (uint32_t)(IPV4_HDR_LEN + n));
		ipv4_build(d, (uint16_t)(IPV4_HDR_LEN + n), v->next_header);
		memcpy(d + IPV4_HDR_LEN, v->plaintext.b, n);
	}
	r = esp_encrypt(&sa, &p);
	d = pkt_data(&p);
	if (r != ESP_OK)
		VFAIL(v, e, "encrypt: dropped as %s", esp_drop_name(r));
	else if (p.len != IPV4_HDR_LEN + v->esp.n || d[9] != IPPROTO_ESP_NUM ||
		 memcmp(d + IPV4_HDR_LEN, v->esp.b, v->esp.n))
		VFAIL(v, e, "encrypt: ESP packet differs from the vector");
	esp_sa_clear(&sa);
}

static void esp_case(const struct vec *v, enum aead_engine e)
{
	esp_aead_case(v, e);
	esp_decrypt_case(v, e);
	if (v->cipher->gcm && v->icv == 16)
		esp_truncated_case(v, e);
	if (encrypt_reproducible(v))
		esp_encrypt_case(v, e);
}

/* A vecfile_case_fn: run one decoded case on every usable engine. */
static void run_case(const struct vec *v, void *arg)
{
	size_t i, used = 0;

	(void)arg;
	for (i = 0; i < ENGINE_COUNT; i++) {
		if (!engine_usable(v, engines[i]))
			continue;
		used++;
		if (v->esp_level)
			esp_case(v, engines[i]);
		else
			aead_case(v, engines[i]);
	}
	if (!used)
		test_fail(__FILE__, __LINE__, "%s: no engine runs %s", v->name,
			  v->cipher->name);
}

static void run_file(const char *name)
{
	struct vecfile_result res;
	char path[1024];
	int names;

	snprintf(path, sizeof(path), "%s%s/%s", test_srcdir(), VEC_DIR, name);
	vecfile_read(path, run_case, NULL, &res);
	names = vecfile_count_names(path);
	if (res.failed)
		test_fail(path, res.line, "malformed vector file: %s", res.why);
	else if (!res.cases || res.cases != names)
		test_fail(path, 0, "%d cases run, %d named", res.cases, names);
}

/* The files with a test of their own; vectors_other_files runs the rest. */
static const char *const named_files[] = {
	"aes-gcm-draft-mcgrew-gcm-test-01.txt",
	"chacha20-poly1305-rfc7634.txt",
	"aes-ccm-linux-testmgr.txt",
	"aes-ccm-wycheproof.txt",
};
#define NAMED_FILES (sizeof(named_files) / sizeof(named_files[0]))

TEST(vectors_aes_gcm_draft_mcgrew) { run_file(named_files[0]); }
TEST(vectors_chacha20_poly1305_rfc7634) { run_file(named_files[1]); }
TEST(vectors_aes_ccm_linux_testmgr) { run_file(named_files[2]); }
TEST(vectors_aes_ccm_wycheproof) { run_file(named_files[3]); }

static bool is_other_file(const char *name)
{
	size_t i, len = strlen(name);

	if (len < 4 || strcmp(name + len - 4, ".txt"))
		return false;
	for (i = 0; i < NAMED_FILES; i++)
		if (!strcmp(name, named_files[i]))
			return false;
	return true;
}

/* Every other .txt file in test/vectors, so a new file is never skipped. */
TEST(vectors_other_files)
{
	char dir[1024];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s%s", test_srcdir(), VEC_DIR);
	d = opendir(dir);
	REQUIRE(d != NULL);
	while ((de = readdir(d)))
		if (is_other_file(de->d_name))
			run_file(de->d_name);
	closedir(d);
}

/* The parser itself: each of these files must come out as an error or
 * as no case at all, which run_file() reports as a failure. */
TEST(vectors_parser_rejects)
{
	static const char *const bad[] = {
		"name = x\nsource = y\nlevel = aead\ncipher = aes-ccm-128\n"
		"icv = 16\nkey = 00\nnonce = 00\naad =\nplaintext =\n"
		"ciphertext =\ntag = 0\n",                /* odd hex */
		"name = x\nbogus = 1\n",                   /* unknown field */
		"name = x\nname = y\n",                    /* duplicate */
		"  0011\n",                                /* stray continuation */
		"just words\n",                            /* no '=' */
		"name = x\nsource = y\nlevel = esp\n",     /* missing fields */
		"name = x\nsource = y\nlevel = aead\ncipher = rot13\n"
		"icv = 16\nkey = 00\nnonce = 00\naad =\nplaintext =\n"
		"ciphertext =\ntag = 00\n",               /* unknown cipher */
		"# only a comment\n\n",                    /* no case */
	};
	struct vecfile_result res;
	char path[] = "/tmp/tunsec-vectors-XXXXXX";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

		REQUIRE(f != NULL);
		fputs(bad[i], f);
		fclose(f);
		vecfile_read(path, run_case, NULL, &res);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		if (!res.failed && res.cases)
			test_fail(__FILE__, __LINE__, "bad file %zu accepted", i);
	}
}
