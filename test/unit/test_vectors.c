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
 * A file that cannot be parsed, or holds no case, fails its test.
 */
#include <ctype.h>
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

#define VEC_DIR "/test/vectors"
#define VEC_BYTES_MAX 512   /* largest hex value, in bytes */
#define VEC_TEXT_MAX 2048   /* largest raw value, in characters */
#define BUF_CAP (ESP_HEADROOM + IPV4_HDR_LEN + VEC_BYTES_MAX + ESP_TAILROOM)

enum field {
	F_NAME, F_SOURCE, F_LEVEL, F_CIPHER, F_ICV, F_KEY, F_SPI, F_SEQ,
	F_ESN, F_IV, F_NONCE, F_AAD, F_PLAINTEXT, F_PADDING, F_NEXT_HEADER,
	F_ESP, F_CIPHERTEXT, F_TAG, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"name", "source", "level", "cipher", "icv", "key", "spi", "seq",
	"esn", "iv", "nonce", "aad", "plaintext", "padding", "next_header",
	"esp", "ciphertext", "tag",
};

#define BIT(f) (1u << (f))
#define COMMON_FIELDS (BIT(F_NAME) | BIT(F_SOURCE) | BIT(F_LEVEL) | \
		       BIT(F_CIPHER) | BIT(F_ICV) | BIT(F_KEY))
#define ESP_FIELDS (COMMON_FIELDS | BIT(F_SPI) | BIT(F_SEQ) | BIT(F_ESN) | \
		    BIT(F_IV) | BIT(F_PLAINTEXT) | BIT(F_PADDING) |         \
		    BIT(F_NEXT_HEADER) | BIT(F_ESP))
#define AEAD_FIELDS (COMMON_FIELDS | BIT(F_AAD) | BIT(F_PLAINTEXT) | \
		     BIT(F_CIPHERTEXT) | BIT(F_TAG))

/* The ciphers vectors may name, with what their key material holds. */
struct cipher_desc {
	const char *name;
	enum aead_alg alg;
	size_t key_len, salt_len;
	bool gcm;
};

static const struct cipher_desc ciphers[] = {
	{ "aes-gcm-128", AEAD_AES_GCM_128, 16, 4, true },
	{ "aes-gcm-256", AEAD_AES_GCM_256, 32, 4, true },
	{ "aes-ccm-128", AEAD_AES_CCM_128, 16, 3, false },
	{ "chacha20-poly1305", AEAD_CHACHA20_POLY1305, 32, 4, false },
};

struct bytes {
	uint8_t b[VEC_BYTES_MAX];
	size_t n;
};

/* One case, decoded. Keys in vectors are published test keys, not secrets. */
struct vec {
	char name[128];
	int line;
	bool esp_level;
	const struct cipher_desc *cipher;
	unsigned icv;
	struct bytes key, iv, nonce, aad, plaintext, padding, esp, ct, tag;
	uint32_t spi;
	uint64_t seq;
	bool esn;
	uint8_t next_header;
};

/* One case as read: the raw text of each field. */
struct raw {
	char text[F_COUNT][VEC_TEXT_MAX];
	unsigned set;
	int line;
};

/* What reading one file came to. */
struct file_result {
	int cases;       /* cases decoded and run */
	bool failed;     /* the file is malformed; why and line say where */
	int line;
	char why[256];
};

struct parser {
	int line;
	int last;        /* field a continuation line extends, or -1 */
	struct file_result *res;
	struct raw raw;
};

/* Record the first error of a file, at line of the case named name (or
 * NULL); reading stops there. */
static void file_error(struct file_result *res, int line, const char *name,
		       const char *what)
{
	if (res->failed)
		return;
	res->failed = true;
	res->line = line;
	snprintf(res->why, sizeof(res->why), "%s%.100s%s%.120s",
		 name ? "case \"" : "", name ? name : "", name ? "\": " : "", what);
}

static void parse_error(struct parser *ps, const char *what)
{
	file_error(ps->res, ps->line, NULL, what);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex digits with any whitespace between them. */
static bool decode_hex(const char *s, struct bytes *out)
{
	int hi = -1, d;

	out->n = 0;
	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		d = hex_digit(*s);
		if (d < 0 || (hi < 0 && out->n == VEC_BYTES_MAX))
			return false;
		if (hi < 0) {
			hi = d;
			continue;
		}
		out->b[out->n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	return hi < 0;
}

static bool decode_uint(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || !isalnum((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static const struct cipher_desc *cipher_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (!strcmp(ciphers[i].name, name))
			return &ciphers[i];
	return NULL;
}

static bool padding_valid(const struct bytes *pad)
{
	size_t i;

	for (i = 0; i < pad->n; i++)
		if (pad->b[i] != (uint8_t)(i + 1))
			return false;
	return pad->n <= 255;
}

/* The ESP packet must be SPI || seq low || IV || text || ICV for the
 * vector's own fields: catches a transcription slip before any crypto. */
static const char *check_esp_case(const struct vec *v)
{
	size_t text = v->plaintext.n + v->padding.n + ESP_TRAILER_LEN;
	const uint8_t *e = v->esp.b;

	if (v->key.n != v->cipher->key_len + v->cipher->salt_len)
		return "key is not key || salt for the cipher";
	if (v->iv.n != ESP_IV_LEN)
		return "iv is not 8 bytes";
	if (!padding_valid(&v->padding))
		return "padding is not 1, 2, 3, ...";
	if (v->spi == 0 || v->seq == 0 || (!v->esn && v->seq >> 32))
		return "SPI or sequence number impossible on the wire";
	if (v->esp.n != ESP_HDR_LEN + ESP_IV_LEN + text + v->icv)
		return "esp length does not match plaintext, padding and icv";
	if (get_be32(e) != v->spi || get_be32(e + 4) != (uint32_t)v->seq ||
	    memcmp(e + 8, v->iv.b, ESP_IV_LEN))
		return "esp does not begin with spi, seq and iv";
	if (text % ESP_ALIGN)
		return "payload and trailer not 4-byte aligned";
	return NULL;
}

static const char *check_aead_case(const struct vec *v, unsigned set)
{
	size_t salt = v->cipher->salt_len;

	if (!(set & BIT(F_IV)) == !(set & BIT(F_NONCE)))
		return "give exactly one of iv (key || salt) and nonce";
	if (set & BIT(F_IV) ? v->key.n != v->cipher->key_len + salt ||
				      v->iv.n != ESP_IV_LEN
			    : v->key.n != v->cipher->key_len)
		return "key, iv or nonce of the wrong length";
	if (v->ct.n != v->plaintext.n || v->tag.n != v->icv)
		return "ciphertext or tag of the wrong length";
	return NULL;
}

static const char *decode_numbers(const struct raw *r, struct vec *v)
{
	uint64_t n;

	if (!decode_uint(r->text[F_ICV], 10, AEAD_TAG_MAX, &n) || n < 4)
		return "icv is not a tag length";
	v->icv = (unsigned)n;
	if (!(r->set & BIT(F_SPI)))
		return NULL;
	if (strlen(r->text[F_SPI]) != 8 ||
	    !decode_uint(r->text[F_SPI], 16, UINT32_MAX, &n))
		return "spi is not 8 hex digits";
	v->spi = (uint32_t)n;
	n = strlen(r->text[F_SEQ]);
	if ((n != 8 && n != 16) ||
	    !decode_uint(r->text[F_SEQ], 16, UINT64_MAX, &v->seq))
		return "seq is not 8 or 16 hex digits";
	if (!decode_uint(r->text[F_NEXT_HEADER], 10, 255, &n))
		return "next_header is not 0..255";
	v->next_header = (uint8_t)n;
	if (strcmp(r->text[F_ESN], "yes") && strcmp(r->text[F_ESN], "no"))
		return "esn is not yes or no";
	v->esn = !strcmp(r->text[F_ESN], "yes");
	return NULL;
}

static const char *decode_bytes(const struct raw *r, struct vec *v)
{
	struct bytes *const dst[F_COUNT] = {
		[F_KEY] = &v->key, [F_IV] = &v->iv, [F_NONCE] = &v->nonce,
		[F_AAD] = &v->aad, [F_PLAINTEXT] = &v->plaintext,
		[F_PADDING] = &v->padding, [F_ESP] = &v->esp,
		[F_CIPHERTEXT] = &v->ct, [F_TAG] = &v->tag,
	};
	int f;

	for (f = 0; f < F_COUNT; f++)
		if (dst[f] && (r->set & BIT(f)) && !decode_hex(r->text[f], dst[f]))
			return "bad hex value";
	return NULL;
}

static const char *decode_case(const struct raw *r, struct vec *v)
{
	const char *why;
	unsigned want;

	memset(v, 0, sizeof(*v));
	v->line = r->line;
	snprintf(v->name, sizeof(v->name), "%.100s", r->text[F_NAME]);
	if (!strcmp(r->text[F_LEVEL], "esp"))
		v->esp_level = true;
	else if (strcmp(r->text[F_LEVEL], "aead"))
		return "level is not esp or aead";
	want = v->esp_level ? ESP_FIELDS : AEAD_FIELDS;
	if ((r->set & want) != want)
		return "a required field is missing";
	if (r->set & ~(want | BIT(F_IV) | BIT(F_NONCE)) ||
	    (v->esp_level && (r->set & BIT(F_NONCE))))
		return "a field that does not belong to this level";
	if (!*r->text[F_NAME] || !*r->text[F_SOURCE])
		return "empty name or source";
	v->cipher = cipher_find(r->text[F_CIPHER]);
	if (!v->cipher)
		return "unknown cipher";
	why = decode_numbers(r, v);
	if (!why)
		why = decode_bytes(r, v);
	if (!why)
		why = v->esp_level ? check_esp_case(v) : check_aead_case(v, r->set);
	return why;
}

static bool append_text(struct parser *ps, int f, const char *s)
{
	char *t = ps->raw.text[f];
	size_t have = strlen(t), add = strlen(s);

	if (have + add + 2 > VEC_TEXT_MAX) {
		parse_error(ps, "value too long");
		return false;
	}
	if (have && add)
		t[have++] = ' ';
	memcpy(t + have, s, add + 1);
	return true;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static void parse_field_line(struct parser *ps, char *line)
{
	char *eq = strchr(line, '='), *key;
	int f;

	if (!eq) {
		parse_error(ps, "line is neither 'field = value', a "
				"continuation nor a comment");
		return;
	}
	*eq = 0;
	key = trim(line);
	for (f = 0; f < F_COUNT; f++)
		if (!strcmp(key, field_names[f]))
			break;
	if (f == F_COUNT) {
		parse_error(ps, "unknown field");
		return;
	}
	if (ps->raw.set & BIT(f)) {
		parse_error(ps, "field given twice in one case");
		return;
	}
	if (!ps->raw.set)
		ps->raw.line = ps->line;
	ps->raw.set |= BIT(f);
	ps->last = f;
	append_text(ps, f, trim(eq + 1));
}

/* One line; returns true at the end of a case (a blank line after fields). */
static bool parse_line(struct parser *ps, char *line)
{
	char *t = trim(line);

	if (!*t)
		return ps->raw.set != 0;
	if (*t == '#')
		return false;
	if (isspace((unsigned char)line[0])) {
		if (ps->last < 0)
			parse_error(ps, "continuation line outside a field");
		else
			append_text(ps, ps->last, t);
		return false;
	}
	parse_field_line(ps, line);
	return false;
}

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
	const struct bytes *aad, *pt, *ct, *tag;
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
	struct bytes aad, pt, ct, tag;
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

static void run_case(const struct vec *v)
{
	size_t i, used = 0;

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

/* Decode and run the case collected so far, if any. */
static void finish_case(struct parser *ps)
{
	struct vec *v;
	const char *why;

	if (!ps->raw.set)
		return;
	v = calloc(1, sizeof(*v));
	why = v ? decode_case(&ps->raw, v) : "out of memory";
	if (why) {
		file_error(ps->res, ps->raw.line, ps->raw.text[F_NAME], why);
	} else {
		run_case(v);
		ps->res->cases++;
	}
	free(v);
	memset(&ps->raw, 0, sizeof(ps->raw));
	ps->last = -1;
}

/* Parse path and run every case in it, up to the first error. */
static void run_file_path(const char *path, struct file_result *res)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	memset(res, 0, sizeof(*res));
	if (!ps || !f) {
		res->failed = true;
		snprintf(res->why, sizeof(res->why), "cannot read: %s",
			 strerror(errno));
		goto out;
	}
	ps->res = res;
	ps->last = -1;
	while (!res->failed && getline(&line, &cap, f) >= 0) {
		ps->line++;
		if (parse_line(ps, line))
			finish_case(ps);
	}
	if (!res->failed)
		finish_case(ps);
out:
	free(line);
	if (f)
		fclose(f);
	free(ps);
}

/* Lines that begin a "name = ..." field, counted without the parser, so a
 * parser that skipped cases would be caught. */
static int count_names(const char *path)
{
	char line[256];
	int n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		n += !strncmp(line, "name", 4) &&
		     line[4 + strspn(line + 4, " \t")] == '=';
	if (f)
		fclose(f);
	return n;
}

static void run_file(const char *name)
{
	struct file_result res;
	char path[1024];
	int names;

	snprintf(path, sizeof(path), "%s%s/%s", test_srcdir(), VEC_DIR, name);
	run_file_path(path, &res);
	names = count_names(path);
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
	struct file_result res;
	char path[] = "/tmp/tunsec-vectors-XXXXXX";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

		REQUIRE(f != NULL);
		fputs(bad[i], f);
		fclose(f);
		run_file_path(path, &res);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		if (!res.failed && res.cases)
			test_fail(__FILE__, __LINE__, "bad file %zu accepted", i);
	}
}
