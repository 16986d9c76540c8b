/* SPDX-License-Identifier: MIT */
/*
 * Pre-shared keys of IKE-managed peers (RFC 7296 §2.15):
 *
 *   psk = 0xHEX       hex digits after "0x", an even number of them
 *   psk = "STRING"    the UTF-8 bytes between the quotes (none inside)
 *   psk = @PATH       the bytes of a key file, less one trailing newline
 *
 * Each gives CONF_PSK_MIN..CONF_PSK_MAX bytes. Anyone who records one
 * exchange, or poses as the responder to an initiator, holds an AUTH
 * payload (RFC 7296 §2.15) against which guesses of the key can be tested
 * offline, a few PRF computations per guess; so keys shorter than
 * CONF_PSK_MIN bytes are refused.
 * Errors never quote the value; every buffer that held it is wiped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/parse.h"
#include "util/hex.h"
#include "util/secure.h"

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* what names the source in errors: "psk" or "psk: key file PATH". */
static int psk_store(struct conf_parser *p, struct conf_ike *ike,
		     const void *b, size_t n, const char *what)
{
	if (n < CONF_PSK_MIN)
		return conf_fail(p, p->line, "%s: the key is %zu bytes; at "
				 "least %d are needed (a short key can be "
				 "guessed offline from one exchange)", what, n,
				 CONF_PSK_MIN);
	if (n > CONF_PSK_MAX)
		return conf_fail(p, p->line, "%s: the key is %zu bytes; at "
				 "most %d are allowed", what, n, CONF_PSK_MAX);
	memcpy(ike->psk, b, n);
	ike->psk_len = (uint32_t)n;
	return 0;
}

/* "0x" and hex digits. */
static int psk_hex(struct conf_parser *p, struct conf_ike *ike,
		   const char *hex)
{
	uint8_t buf[CONF_PSK_MAX];
	size_t n;
	int len, err;

	for (n = 0; hex[n]; n++)
		if (!is_hex(hex[n]))
			return conf_fail(p, p->line, "psk: not a hex string "
					 "(bad digit at position %zu)", n + 3);
	if (n % 2)
		return conf_fail(p, p->line, "psk: odd number of hex digits");
	if (n / 2 > CONF_PSK_MAX || n / 2 < CONF_PSK_MIN)
		return psk_store(p, ike, NULL, n / 2, "psk");
	len = hex_decode(hex, buf, sizeof(buf));
	if (len < 0)
		err = conf_fail(p, p->line, "psk: not a hex string");
	else
		err = psk_store(p, ike, buf, (size_t)len, "psk");
	secure_zero(buf, sizeof(buf));
	return err;
}

/* The bytes between a leading and a trailing quote. */
static int psk_quoted(struct conf_parser *p, struct conf_ike *ike,
		      const char *v)
{
	size_t n = strlen(v);

	if (n < 2 || v[n - 1] != '"' || memchr(v + 1, '"', n - 2))
		return conf_fail(p, p->line, "psk: a quoted key must end with "
				 "\" and hold no \" inside");
	return psk_store(p, ike, v + 1, n - 2, "psk");
}

static int psk_file(struct conf_parser *p, struct conf_ike *ike,
		    const char *rel)
{
	char path[PATH_MAX], buf[CONF_KEY_FILE_MAX + 1], what[128];
	size_t n = 0;
	int err;

	err = conf_key_file_read(p, "psk", rel, path, sizeof(path), buf, &n);
	if (err)
		goto out;
	if (n && buf[n - 1] == '\n') {
		n--;
		if (n && buf[n - 1] == '\r')
			n--;
	}
	snprintf(what, sizeof(what), "psk: key file \"%.100s\"", path);
	err = psk_store(p, ike, buf, n, what);
out:
	secure_zero(buf, sizeof(buf));
	return err;
}

int conf_psk_parse(struct conf_parser *p, struct conf_ike *ike,
		   const char *v)
{
	if (v[0] == '@')
		return psk_file(p, ike, v + 1);
	ike->psk_inline = true;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		return psk_hex(p, ike, v + 2);
	if (v[0] == '"')
		return psk_quoted(p, ike, v);
	return conf_fail(p, p->line, "psk: expected 0xHEX, \"STRING\" (in "
			 "quotes) or @FILE");
}
