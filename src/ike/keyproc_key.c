/* SPDX-License-Identifier: MIT */
/*
 * The keys process's private keys (ike/keyproc.h): reading a KEY_FILE
 * secret's file and parsing it, run in the keys process only.
 *
 * Secret: the file's bytes (a heap buffer, wiped before it is freed) and
 * the parsed keys (OpenSSL clears a private key when it is freed). Not
 * secret: the path.
 */
#include "ike/keyproc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util/secure.h"

/* Read the regular file path into buf (KEYPROC_KEYFILE_MAX bytes), *len
 * set. O_NONBLOCK: a FIFO or device named by mistake must not block the
 * keys process (it is refused as not regular). */
static int read_file(const char *path, uint8_t *buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	ssize_t r = 0;
	int err = 0;

	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		err = -EINVAL;
	while (!err && *len <= KEYPROC_KEYFILE_MAX) {
		r = read(fd, buf + *len, KEYPROC_KEYFILE_MAX + 1 - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	if (!err && r < 0)
		err = -errno;
	if (!err && (*len == 0 || *len > KEYPROC_KEYFILE_MAX))
		err = -EFBIG;
	close(fd);
	return err;
}

/* No passphrase is ever given: an encrypted key does not load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* PEM first, then DER (PKCS#8 or traditional), the whole buffer. */
static EVP_PKEY *parse_key(const uint8_t *buf, size_t len)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	const unsigned char *p = buf;
	EVP_PKEY *key = NULL;

	if (bio)
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!key) {
		key = d2i_AutoPrivateKey(NULL, &p, (long)len);
		if (key && p != buf + len) {
			EVP_PKEY_free(key);
			key = NULL;
		}
	}
	ERR_clear_error();
	return key;
}

static bool key_usable(const EVP_PKEY *key)
{
	return (EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "RSA")) &&
	       EVP_PKEY_get_size(key) > 0 &&
	       EVP_PKEY_get_size(key) <= KEYPROC_SIG_MAX;
}

EVP_PKEY *keyproc_load_key(const struct keyproc_secret *s)
{
	char path[KEYPROC_SECRET_MAX + 1];
	EVP_PKEY *key = NULL;
	uint8_t *buf;
	size_t len;

	if (s->kind != KEYPROC_KIND_KEY_FILE || !keyproc_msg_secret_ok(s))
		return NULL;
	buf = malloc(KEYPROC_KEYFILE_MAX + 1);
	if (!buf)
		return NULL;
	memcpy(path, s->bytes, s->len);
	path[s->len] = '\0';
	if (!read_file(path, buf, &len))
		key = parse_key(buf, len);
	secure_zero(buf, KEYPROC_KEYFILE_MAX + 1);
	free(buf);
	if (key && !key_usable(key)) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

EVP_PKEY **keyproc_load_keys(const struct keyproc_secret *table,
			     unsigned n)
{
	EVP_PKEY **keys = calloc(n ? n : 1, sizeof(*keys));
	unsigned i;

	for (i = 0; keys && i < n; i++)
		if (table[i].kind == KEYPROC_KIND_KEY_FILE)
			keys[i] = keyproc_load_key(&table[i]);
	return keys;
}

void keyproc_free_keys(EVP_PKEY **keys, unsigned n)
{
	unsigned i;

	if (!keys)
		return;
	for (i = 0; i < n; i++)
		EVP_PKEY_free(keys[i]);
	free(keys);
}
