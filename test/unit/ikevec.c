/* SPDX-License-Identifier: MIT */
/*
 * Reading the .txt files in test/vectors/ike/ (see ikevec.h). Lines:
 * "field = value", continuation lines (leading blank), '#' comments, a
 * blank line between cases.
 */
#include "ikevec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vecfile.h"

#define IKE_VEC_DIR "/test/vectors/ike/"

struct reader {
	struct ikevec v;
	char path[1024];
	int line, cases;
	bool failed;
	ikevec_case_fn *fn;
	void *arg;
};

static void case_clear(struct ikevec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->f[i].text);
	v->n = 0;
	v->name = "?";
}

static void read_fail(struct reader *r, const char *what)
{
	test_fail(r->path, r->line, "malformed vector file: %s", what);
	r->failed = true;
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

static void append(struct reader *r, struct ikevec_field *f, const char *s)
{
	size_t have = strlen(f->text), add = strlen(s);
	char *t = realloc(f->text, have + add + 2);

	if (!t) {
		read_fail(r, "out of memory");
		return;
	}
	if (have && add)
		t[have++] = ' ';
	memcpy(t + have, s, add + 1);
	f->text = t;
}

static void field_line(struct reader *r, char *line)
{
	char *eq = strchr(line, '='), *key;
	struct ikevec_field *f;
	size_t i;

	if (!eq || r->v.n == IKEVEC_FIELDS_MAX) {
		read_fail(r, "not 'field = value', or too many fields");
		return;
	}
	*eq = 0;
	key = trim(line);
	for (i = 0; i < r->v.n; i++)
		if (!strcmp(r->v.f[i].key, key)) {
			read_fail(r, "field given twice in one case");
			return;
		}
	if (!r->v.n)
		r->v.line = r->line;
	f = &r->v.f[r->v.n++];
	snprintf(f->key, sizeof(f->key), "%s", key);
	f->text = calloc(1, 1);
	f->used = false;
	if (f->text)
		append(r, f, trim(eq + 1));
	else
		read_fail(r, "out of memory");
}

static void unused_check(struct ikevec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!v->f[i].used)
			IKEVEC_FAIL(v, "field \"%s\" not used by the test",
				    v->f[i].key);
}

static void finish(struct reader *r)
{
	if (!r->v.n || r->failed) {
		case_clear(&r->v);
		return;
	}
	r->v.name = "?";
	r->v.name = ikevec_text(&r->v, "name");
	(void)ikevec_text(&r->v, "source");
	r->fn(&r->v, r->arg);
	unused_check(&r->v);
	r->cases++;
	case_clear(&r->v);
}

static void one_line(struct reader *r, char *line)
{
	char *t = trim(line);

	if (!*t) {
		finish(r);
		return;
	}
	if (*t == '#')
		return;
	if (isspace((unsigned char)line[0])) {
		if (!r->v.n)
			read_fail(r, "continuation line outside a field");
		else
			append(r, &r->v.f[r->v.n - 1], t);
		return;
	}
	field_line(r, line);
}

int ikevec_read(const char *file, ikevec_case_fn *fn, void *arg)
{
	struct reader *r = calloc(1, sizeof(*r));
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int cases;

	if (!r) {
		test_fail(file, 0, "out of memory");
		return 0;
	}
	snprintf(r->path, sizeof(r->path), "%s%s%s", test_srcdir(),
		 IKE_VEC_DIR, file);
	r->fn = fn;
	r->arg = arg;
	r->v.file = r->path;
	f = fopen(r->path, "r");
	if (!f)
		read_fail(r, strerror(errno));
	while (f && !r->failed && getline(&line, &cap, f) >= 0) {
		r->line++;
		one_line(r, line);
	}
	finish(r);
	if (!r->failed && (!r->cases ||
			   r->cases != vecfile_count_names(r->path)))
		test_fail(r->path, 0, "%d cases run, %d named", r->cases,
			  vecfile_count_names(r->path));
	cases = r->failed ? 0 : r->cases;
	free(line);
	if (f)
		fclose(f);
	free(r);
	return cases;
}

static struct ikevec_field *field_get(struct ikevec *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->f[i].key, key)) {
			v->f[i].used = true;
			return &v->f[i];
		}
	return NULL;
}

bool ikevec_has(struct ikevec *v, const char *key)
{
	return field_get(v, key) != NULL;
}

const char *ikevec_text(struct ikevec *v, const char *key)
{
	struct ikevec_field *f = field_get(v, key);

	if (!f) {
		IKEVEC_FAIL(v, "field \"%s\" missing", key);
		return "";
	}
	return f->text;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

uint8_t *ikevec_hex(struct ikevec *v, const char *key, size_t *len)
{
	const char *s = ikevec_text(v, key);
	uint8_t *out = malloc(strlen(s) / 2 + 1);
	int hi = -1, d;

	*len = 0;
	for (; out && *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		d = hex_digit(*s);
		if (d < 0)
			break;
		if (hi < 0) {
			hi = d;
			continue;
		}
		out[(*len)++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	if (!out || *s || hi >= 0) {
		IKEVEC_FAIL(v, "field \"%s\" is not hex", key);
		free(out);
		*len = 0;
		return NULL;
	}
	return out;
}

unsigned long ikevec_uint(struct ikevec *v, const char *key)
{
	const char *s = ikevec_text(v, key);
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (!*s || *end || errno) {
		IKEVEC_FAIL(v, "field \"%s\" is not a number", key);
		return 0;
	}
	return n;
}

struct name_id {
	const char *name;
	int id;
};

static int name_find(struct ikevec *v, const char *key,
		     const struct name_id *t, size_t n)
{
	const char *s = ikevec_text(v, key);
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, s))
			return t[i].id;
	IKEVEC_FAIL(v, "unknown %s \"%s\"", key, s);
	return 0;
}

#define N(t) (sizeof(t) / sizeof(t[0]))

enum ike_prf_alg ikevec_prf(struct ikevec *v, const char *key)
{
	static const struct name_id t[] = {
		{ "hmac-sha2-256", IKE_PRF_HMAC_SHA2_256 },
		{ "hmac-sha2-384", IKE_PRF_HMAC_SHA2_384 },
		{ "hmac-sha2-512", IKE_PRF_HMAC_SHA2_512 },
	};

	return (enum ike_prf_alg)name_find(v, key, t, N(t));
}

enum ike_encr_alg ikevec_encr(struct ikevec *v, const char *key)
{
	static const struct name_id t[] = {
		{ "aes-cbc", IKE_ENCR_AES_CBC },
		{ "aes-ccm-16", IKE_ENCR_AES_CCM_16 },
		{ "aes-gcm-16", IKE_ENCR_AES_GCM_16 },
		{ "chacha20-poly1305", IKE_ENCR_CHACHA20_POLY1305 },
	};

	return (enum ike_encr_alg)name_find(v, key, t, N(t));
}

enum ike_integ_alg ikevec_integ(struct ikevec *v, const char *key)
{
	static const struct name_id t[] = {
		{ "none", IKE_INTEG_NONE },
		{ "hmac-sha2-256-128", IKE_INTEG_HMAC_SHA2_256_128 },
		{ "hmac-sha2-384-192", IKE_INTEG_HMAC_SHA2_384_192 },
		{ "hmac-sha2-512-256", IKE_INTEG_HMAC_SHA2_512_256 },
	};

	return (enum ike_integ_alg)name_find(v, key, t, N(t));
}
