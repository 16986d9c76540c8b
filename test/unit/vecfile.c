/* SPDX-License-Identifier: MIT */
/*
 * Reading the files in test/vectors/: "field = value" lines, indented
 * continuation lines, '#' comments, a blank line between cases (format:
 * test/vectors/README.md). Each case is decoded and checked against itself
 * before it is handed on; the first error ends the file.
 */
#include "vecfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp/wire.h"
#include "util/bytes.h"

#define VEC_TEXT_MAX 2048   /* largest raw value, in characters */

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

/* The ciphers vectors may name. */
static const struct vec_cipher ciphers[] = {
	{ "aes-gcm-128", AEAD_AES_GCM_128, 16, 4, true },
	{ "aes-gcm-256", AEAD_AES_GCM_256, 32, 4, true },
	{ "aes-ccm-128", AEAD_AES_CCM_128, 16, 3, false },
	{ "chacha20-poly1305", AEAD_CHACHA20_POLY1305, 32, 4, false },
};

/* One case as read: the raw text of each field. */
struct raw {
	char text[F_COUNT][VEC_TEXT_MAX];
	unsigned set;
	int line;
};

struct parser {
	int line;
	int last;        /* field a continuation line extends, or -1 */
	struct vecfile_result *res;
	vecfile_case_fn *fn;
	void *arg;
	struct raw raw;
};

/* Record the first error of a file, at line of the case named name (or
 * NULL); reading stops there. */
static void file_error(struct vecfile_result *res, int line, const char *name,
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
static bool decode_hex(const char *s, struct vec_bytes *out)
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

static const struct vec_cipher *cipher_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (!strcmp(ciphers[i].name, name))
			return &ciphers[i];
	return NULL;
}

static bool padding_valid(const struct vec_bytes *pad)
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
	struct vec_bytes *const dst[F_COUNT] = {
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

/* Decode the case collected so far, if any, and hand it on. */
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
		ps->fn(v, ps->arg);
		ps->res->cases++;
	}
	free(v);
	memset(&ps->raw, 0, sizeof(ps->raw));
	ps->last = -1;
}

void vecfile_read(const char *path, vecfile_case_fn *fn, void *arg,
		  struct vecfile_result *res)
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
	ps->fn = fn;
	ps->arg = arg;
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

int vecfile_count_names(const char *path)
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
