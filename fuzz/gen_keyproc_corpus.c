/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus for fuzz/fuzz_keyproc.c: every request and reply of the
 * keys-process protocol made with the builders, and builder output broken
 * in one place each, next to each refusal.
 *
 *   cc -std=gnu11 -D_GNU_SOURCE -Isrc -o /tmp/gen_keyproc_corpus \
 *       fuzz/gen_keyproc_corpus.c src/ike/keyproc_msg.c src/ike/prf.c \
 *       src/util/secure.c -lcrypto -pthread
 *   /tmp/gen_keyproc_corpus fuzz/corpus/keyproc
 *
 * The secret ids match the fuzz target's table (shared keys 1, 2, 0x10000;
 * KEY_FILE 3). The output
 * is deterministic; the secrets in the RELOAD seeds are fixed test
 * patterns. Rerun it when the format changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/keyproc_msg.h"
#include "util/bytes.h"

static uint8_t buf[KEYPROC_RELOAD_MAX];
static const char *outdir;

static void write_seed(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static size_t must(int len, const char *what)
{
	if (len < 0) {
		fprintf(stderr, "%s: builder failed: %d\n", what, len);
		exit(1);
	}
	return (size_t)len;
}

static size_t auth(uint32_t id, uint32_t sid, uint16_t prf, size_t octets)
{
	size_t i;

	keyproc_msg_put_auth(buf, id, sid, prf, octets);
	for (i = 0; i < octets; i++)
		buf[KEYPROC_HDR_LEN + KEYPROC_AUTH_FIXED + i] = (uint8_t)i;
	return KEYPROC_HDR_LEN + KEYPROC_AUTH_FIXED + octets;
}

static size_t sign(uint32_t id, uint32_t sid, uint16_t hash, uint8_t scheme,
		   size_t octets)
{
	size_t i;

	keyproc_msg_put_sign(buf, id, sid, hash, scheme, octets);
	for (i = 0; i < octets; i++)
		buf[KEYPROC_HDR_LEN + KEYPROC_SIGN_FIXED + i] = (uint8_t)(i * 7);
	return KEYPROC_HDR_LEN + KEYPROC_SIGN_FIXED + octets;
}

static struct keyproc_secret secret(uint32_t id, size_t len)
{
	struct keyproc_secret s = { .id = id, .kind = KEYPROC_KIND_PSK };

	memset(s.bytes, (int)(0x60 + id % 32), len);
	s.len = len;
	return s;
}

static size_t reload(uint32_t total, uint32_t first, unsigned count)
{
	struct keyproc_secret s[4];
	unsigned i;

	for (i = 0; i < count && i < 4; i++)
		s[i] = secret(10 * (first + i) + 1, 4 + 12 * i);
	return must(keyproc_msg_build_reload(buf, sizeof(buf), 0x1000 + first,
					     total, first, s, count),
		    "reload");
}

static size_t reply(uint8_t type, int32_t status, size_t auth_len)
{
	uint8_t mac[64];

	memset(mac, 0xa7, sizeof(mac));
	return must(keyproc_msg_build_reply(buf, sizeof(buf), type, 42,
					    status, mac, auth_len),
		    "reply");
}

static void requests(void)
{
	keyproc_msg_put_hdr(buf, KEYPROC_T_PING, 1, 0);
	write_seed("01-ping", buf, KEYPROC_HDR_LEN);
	write_seed("02-auth-sha256", buf, auth(2, 1, 5, 120));
	write_seed("03-auth-sha384", buf, auth(3, 2, 6, 200));
	write_seed("04-auth-sha512", buf, auth(4, 0x10000, 7, 64));
	write_seed("05-auth-unknown-id", buf, auth(5, 3, 5, 32));
	write_seed("06-reload-whole", buf, reload(3, 0, 3));
	write_seed("07-reload-first-part", buf, reload(5, 0, 2));
	write_seed("08-reload-empty", buf, reload(0, 0, 0));
	write_seed("09-reload-later-part", buf, reload(5, 2, 3));
}

static void replies(void)
{
	write_seed("10-reply-auth", buf, reply(KEYPROC_T_AUTH_PSK, 0, 48));
	write_seed("11-reply-error", buf,
		   reply(KEYPROC_T_AUTH_PSK, -ENOENT, 0));
	write_seed("12-reply-ping", buf, reply(KEYPROC_T_PING, 0, 0));
	write_seed("13-reply-unknown-type", buf,
		   reply(KEYPROC_T_NONE, -EOPNOTSUPP, 0));
	write_seed("14-reply-reload", buf, reply(KEYPROC_T_RELOAD, 0, 0));
}

/* Builder output with one field changed. */
static void broken_header(void)
{
	size_t n = auth(6, 1, 5, 16);

	buf[0] ^= 0x20;
	write_seed("20-bad-magic", buf, n);
	buf[0] ^= 0x20;
	buf[4] = 2;
	write_seed("21-bad-version", buf, n);
	buf[4] = KEYPROC_VERSION;
	buf[5] = 9;
	write_seed("22-unknown-type", buf, n);
	buf[5] = KEYPROC_T_AUTH_PSK;
	buf[6] = 1;
	write_seed("23-reserved", buf, n);
	buf[6] = 0;
	buf[15]++;
	write_seed("24-length-mismatch", buf, n);
	buf[15]--;
	write_seed("25-truncated", buf, n - 1);
	write_seed("26-header-only-part", buf, 10);
}

static void broken_body(void)
{
	size_t n = auth(7, 1, 4, 16);

	write_seed("27-auth-bad-prf", buf, n);
	write_seed("28-auth-empty-octets", buf, auth(8, 1, 5, 0));
	n = reload(3, 0, 3);
	buf[KEYPROC_HDR_LEN + KEYPROC_RELOAD_FIXED + 4] = 9;
	write_seed("29-reload-bad-kind", buf, n);
	n = reload(3, 0, 3);
	put_be32(buf + KEYPROC_HDR_LEN + KEYPROC_RELOAD_FIXED, 11);
	write_seed("30-reload-ids-not-increasing", buf, n);
	n = reload(3, 0, 3);
	put_be32(buf + KEYPROC_HDR_LEN, 2);
	write_seed("31-reload-count-over-total", buf, n);
	n = reload(3, 0, 3);
	put_be32(buf + 12, (uint32_t)(n + 1 - KEYPROC_HDR_LEN));
	buf[n] = 0;
	write_seed("32-reload-trailing", buf, n + 1);
	n = reload(1, 0, 1);
	put_be16(buf + KEYPROC_HDR_LEN + KEYPROC_RELOAD_FIXED + 6, 257);
	write_seed("33-reload-entry-overrun", buf, n);
	n = reply(KEYPROC_T_PING, 0, 0);
	put_be32(buf + KEYPROC_HDR_LEN, 1);
	write_seed("34-reply-positive-status", buf, n);
}

/* A whole-table RELOAD of one KEY_FILE entry naming path. */
static size_t reload_key_file(const char *path)
{
	struct keyproc_secret s = { .id = 3, .kind = KEYPROC_KIND_KEY_FILE };

	s.len = strlen(path);
	memcpy(s.bytes, path, s.len);
	return must(keyproc_msg_build_reload(buf, sizeof(buf), 0x2000, 1, 0,
					     &s, 1),
		    "reload key file");
}

static void signs(void)
{
	uint8_t sig[KEYPROC_SIG_MAX];
	size_t n;

	write_seed("40-sign-ecdsa-sha256", buf, sign(40, 3, 2, 1, 100));
	write_seed("41-sign-ecdsa-sha512", buf, sign(41, 3, 4, 1, 33));
	write_seed("42-sign-shared-key", buf, sign(42, 1, 2, 1, 20));
	write_seed("43-sign-rsa-pss-on-ec", buf, sign(43, 3, 2, 2, 20));
	write_seed("44-sign-unknown-id", buf, sign(44, 77, 3, 1, 20));
	write_seed("45-sign-bad-hash", buf, sign(45, 3, 1, 1, 20));
	write_seed("46-sign-bad-scheme", buf, sign(46, 3, 2, 0, 20));
	n = sign(47, 3, 2, 1, 20);
	buf[KEYPROC_HDR_LEN + 7] = 1;
	write_seed("47-sign-reserved", buf, n);
	write_seed("48-sign-empty-octets", buf, sign(48, 3, 2, 1, 0));
	memset(sig, 0x30, sizeof(sig));
	write_seed("49-reply-sign", buf,
		   must(keyproc_msg_build_reply(buf, sizeof(buf),
						KEYPROC_T_SIGN, 49, 0, sig,
						72),
			"reply sign"));
	write_seed("50-reply-sign-longest", buf,
		   must(keyproc_msg_build_reply(buf, sizeof(buf),
						KEYPROC_T_SIGN, 50, 0, sig,
						KEYPROC_SIG_MAX),
			"reply sign"));
	write_seed("51-reload-key-file", buf,
		   reload_key_file("/nonexistent/tunsec.key"));
	n = reload_key_file("relative.key");
	write_seed("52-reload-key-file-relative", buf, n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	requests();
	replies();
	broken_header();
	broken_body();
	signs();
	return 0;
}
