/* SPDX-License-Identifier: MIT */
/* Helpers of the certificate tests (cert_util.h). */
#include "cert_util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "test.h"

const char *cu_path(const char *name)
{
	static char path[PATH_MAX + 256], dir[PATH_MAX];

	if (!realpath(test_srcdir(), dir))
		snprintf(dir, sizeof(dir), "%s", test_srcdir());
	if (snprintf(path, sizeof(path), "%s/test/vectors/ike-cert/%.200s",
		     dir, name) >= (int)sizeof(path))
		path[0] = '\0';
	return path;
}

EVP_PKEY *cu_key(const char *name)
{
	FILE *f = fopen(cu_path(name), "r");
	EVP_PKEY *k;

	if (!f)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

struct ike_x509 *cu_cert(const char *name)
{
	struct ike_x509 *c[1];
	unsigned n;

	return ike_cert_load(cu_path(name), c, 1, &n) ? NULL : c[0];
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

bool cu_hex_field(const char *file, const char *field, uint8_t *out,
		  size_t len)
{
	FILE *f = fopen(cu_path(file), "r");
	char line[512], *p = NULL;
	size_t fl = strlen(field), i;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, fl) && !strncmp(line + fl, " = ", 3)) {
			p = line + fl + 3;
			break;
		}
	fclose(f);
	for (i = 0; p && i < len; i++) {
		int hi = hexval(p[2 * i]), lo = hi < 0 ? -1 : hexval(p[2 * i + 1]);

		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return p && (p[2 * len] == '\n' || p[2 * len] == '\0');
}

uint8_t *cu_read(const char *name, size_t *len)
{
	FILE *f = fopen(cu_path(name), "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
			*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

const struct ike_authsig_alg *cu_alg(const char *name)
{
	const struct ike_authsig_alg *t;
	size_t n, i;

	t = ike_authsig_algs(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}
