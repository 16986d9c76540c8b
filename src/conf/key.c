/* SPDX-License-Identifier: MIT */
/*
 * SA key material: "key = HEX" in the file, or "key = @PATH" naming a file
 * that holds the hex; and the reading of such key files, which psk.c shares.
 * Errors never quote the hex or the bytes; every temporary buffer that held
 * either is wiped before returning.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/parse.h"
#include "util/hex.h"
#include "util/secure.h"

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* The longest key material of any cipher (key || salt). */
static unsigned longest_key(void)
{
	unsigned i, max = 0;

	for (i = 0; i < ESP_CIPHER_COUNT; i++) {
		const struct esp_cipher_info *info =
			esp_cipher_info((enum esp_cipher)i);
		unsigned n = (unsigned)info->key_len + info->salt_len;

		if (n > max)
			max = n;
	}
	return max;
}

/* Decode hex (an optional "0x", then pairs of digits) into sa->key. what
 * names the source in errors: "key", or "key: key file PATH". */
static int key_decode(struct conf_parser *p, struct conf_sa *sa,
		      const char *hex, const char *what)
{
	size_t i = 0, n;
	int len;

	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		i = 2;
	for (n = 0; hex[i + n]; n++)
		if (!is_hex(hex[i + n]))
			return conf_fail(p, p->line, "%s: not a hex string "
					 "(bad digit at position %zu)", what,
					 i + n + 1);
	if (n % 2)
		return conf_fail(p, p->line, "%s: odd number of hex digits",
				 what);
	if (n / 2 > CONF_KEY_MAX || n / 2 > longest_key())
		return conf_fail(p, p->line, "%s: key is %zu bytes; no cipher "
				 "takes more than %u", what, n / 2,
				 longest_key());
	len = hex_decode(hex, sa->key, sizeof(sa->key));
	if (len < 0)
		return conf_fail(p, p->line, "%s: not a hex string", what);
	sa->key_len = (uint32_t)len;
	return 0;
}

/* Drop blanks and line breaks from the n bytes at buf, in place, and
 * NUL-terminate (buf has n + 1 bytes). Refuses anything but printable
 * ASCII and whitespace. */
static bool blanks_drop(char *buf, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char ch = buf[i];

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		if (ch < 0x21 || ch > 0x7e)
			return false;
		buf[o++] = ch;
	}
	buf[o] = '\0';
	return true;
}

static int key_path(struct conf_parser *p, const char *key, const char *rel,
		    char *path, size_t size)
{
	if (!rel[0])
		return conf_fail(p, p->line, "%s: \"@\" needs a file name", key);
	if (!p->base_dir)
		return conf_fail(p, p->line, "%s: key files (@PATH) are not "
				 "allowed here", key);
	if (conf_path_join(p->base_dir, rel, false, path, size))
		return conf_fail(p, p->line, "%s: key file path is too long",
				 key);
	return 0;
}

/* Open path and check it is a regular file only its owner can read. */
static int key_file_open(struct conf_parser *p, const char *key,
			 const char *path, int *fd)
{
	struct stat st;
	int err;

	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0)
		return conf_fail(p, p->line, "%s: key file \"%s\" cannot be "
				 "opened: %s", key, path, strerror(errno));
	if (fstat(*fd, &st))
		err = conf_fail(p, p->line, "%s: key file \"%s\": %s", key,
				path, strerror(errno));
	else
		err = conf_file_check(p, key, "key file", path, &st, true);
	if (!err && st.st_size > CONF_KEY_FILE_MAX)
		err = conf_fail(p, p->line, "%s: key file \"%s\" is larger "
				"than %d bytes", key, path, CONF_KEY_FILE_MAX);
	if (!err)
		return 0;
	close(*fd);
	*fd = -1;
	return err;
}

/* Read at most CONF_KEY_FILE_MAX bytes; *n > CONF_KEY_FILE_MAX when the
 * file holds more. */
static int key_file_read(int fd, char *buf, size_t *n)
{
	*n = 0;
	while (*n <= CONF_KEY_FILE_MAX) {
		ssize_t r = read(fd, buf + *n, CONF_KEY_FILE_MAX + 1 - *n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		*n += (size_t)r;
	}
	return 0;
}

int conf_key_file_read(struct conf_parser *p, const char *key,
		       const char *rel, char *path, size_t path_size,
		       char *buf, size_t *n)
{
	int fd, err;

	*n = 0;
	err = key_path(p, key, rel, path, path_size);
	if (!err)
		err = key_file_open(p, key, path, &fd);
	if (err)
		return err;
	err = key_file_read(fd, buf, n);
	close(fd);
	if (err)
		return conf_fail(p, p->line, "%s: key file \"%s\" cannot be "
				 "read: %s", key, path, strerror(-err));
	if (*n > CONF_KEY_FILE_MAX)
		return conf_fail(p, p->line, "%s: key file \"%s\" is larger "
				 "than %d bytes", key, path, CONF_KEY_FILE_MAX);
	return 0;
}

static int key_from_file(struct conf_parser *p, struct conf_sa *sa,
			 const char *rel)
{
	char path[PATH_MAX], buf[CONF_KEY_FILE_MAX + 2], what[128];
	size_t n = 0;
	int err;

	err = conf_key_file_read(p, "key", rel, path, sizeof(path), buf, &n);
	if (err)
		goto out;
	snprintf(what, sizeof(what), "key: key file \"%.100s\"", path);
	if (!blanks_drop(buf, n))
		err = conf_fail(p, p->line, "%s: not a hex string", what);
	else
		err = key_decode(p, sa, buf, what);
out:
	secure_zero(buf, sizeof(buf));
	return err;
}

int conf_key_parse(struct conf_parser *p, struct conf_sa *sa, const char *v)
{
	if (v[0] == '@')
		return key_from_file(p, sa, v + 1);
	sa->key_inline = true;
	return key_decode(p, sa, v, "key");
}
