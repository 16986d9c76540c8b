/* SPDX-License-Identifier: MIT */
/*
 * Configuration files on disk: conf_parse_file(), key files (@PATH) and
 * their permission checks, and the example files shipped in examples/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "ike/ts.h"
#include "test.h"

/* aes-gcm-128 key material: byte i is 0x40 + i (20 bytes). */
#define KEY20 "404142434445464748494a4b4c4d4e4f50515253"

#define HEAD "[daemon]\nlocal-address = 10.0.0.1\n"          /* 1-2 */ \
	     "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\n" /* 3-5 */ \
	     "[sa o]\npeer = b\ndirection = out\nspi = 1\n"       /* 6-9 */ \
	     "cipher = aes-gcm-128\n"                              /* 10 */

struct tmpdir {
	char path[64];
};

static bool tmpdir_make(struct tmpdir *t)
{
	snprintf(t->path, sizeof(t->path), "/tmp/tunsec-conf.XXXXXX");
	return mkdtemp(t->path) != NULL;
}

static void tmpdir_remove(struct tmpdir *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	if (system(cmd))
		test_fail(__FILE__, __LINE__, "cannot remove %s", t->path);
}

static void file_write(const struct tmpdir *t, const char *name,
		       const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->path, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || chmod(path, mode))
		test_fail(__FILE__, __LINE__, "cannot write %s", path);
}

static bool key_is_40(const struct conf_sa *sa)
{
	unsigned i;

	if (sa->key_len != 20)
		return false;
	for (i = 0; i < 20; i++)
		if (sa->key[i] != 0x40 + i)
			return false;
	return true;
}

/* Parse HEAD + "key = @name" with base_dir t; returns the result. */
static int parse_keyed(const struct tmpdir *t, const char *keyval,
		       struct conf *c, struct conf_error *e)
{
	char text[1024];

	snprintf(text, sizeof(text), HEAD "key = %s\n", keyval);
	return conf_parse_text("k.conf", text, strlen(text), t->path, c, e);
}

TEST(conf_key_file_good)
{
	struct tmpdir t;
	struct conf c;
	struct conf_error e;
	char abs[128];

	REQUIRE(tmpdir_make(&t));
	/* Whitespace and line breaks anywhere, and a 0x prefix. */
	file_write(&t, "a.key", "0x40414243 44454647\n48494a4b4c4d4e4f\r\n"
				"\t50515253\n\n", 0600);
	file_write(&t, "b.key", KEY20, 0400);
	CHECK_EQ(parse_keyed(&t, "@a.key", &c, &e), 0);
	CHECK(key_is_40(&c.sas[0]) && !c.sas[0].key_inline);
	conf_free(&c);
	snprintf(abs, sizeof(abs), "@%s/b.key", t.path);
	CHECK_EQ(parse_keyed(&t, abs, &c, &e), 0);
	CHECK(key_is_40(&c.sas[0]));
	conf_free(&c);
	tmpdir_remove(&t);
}

static const struct {
	const char *name, *content;
	mode_t mode;
	const char *reason;
} key_file_errors[] = {
	{ "missing.key", NULL, 0, "cannot be opened: No such file or directory" },
	{ "world.key", KEY20, 0644, "is readable by others (mode 0644" },
	{ "group.key", KEY20, 0640, "is readable by others (mode 0640" },
	{ "gwrite.key", KEY20, 0620, "is readable by others" },
	{ "badhex.key", "40414243zz\n", 0600, "not a hex string" },
	{ "odd.key", "404\n", 0600, "odd number of hex digits" },
	{ "binary.key", "4041\x01", 0600, "not a hex string" },
	{ "short.key", "4041424344454647\n", 0600, "sa \"o\": key is 8 bytes, aes-gcm-128 takes 20" },
	{ "empty.key", "", 0600, "key is 0 bytes" },
	{ "dir.key", NULL, 0700, "is not a regular file" },
};

TEST(conf_key_file_errors)
{
	struct tmpdir t;
	struct conf c;
	struct conf_error e;
	char val[64], path[128];
	unsigned i;

	REQUIRE(tmpdir_make(&t));
	for (i = 0; i < sizeof(key_file_errors) / sizeof(key_file_errors[0]); i++) {
		const char *n = key_file_errors[i].name;

		if (key_file_errors[i].content)
			file_write(&t, n, key_file_errors[i].content,
				   key_file_errors[i].mode);
		if (!strcmp(n, "dir.key")) {
			snprintf(path, sizeof(path), "%s/%s", t.path, n);
			CHECK_EQ(mkdir(path, 0700), 0);
		}
		snprintf(val, sizeof(val), "@%s", n);
		if (parse_keyed(&t, val, &c, &e) != -EINVAL || e.line != 11 ||
		    !strstr(e.reason, key_file_errors[i].reason))
			test_fail(__FILE__, __LINE__, "%s: line %u: %s", n,
				  e.line, e.reason);
		CHECK(!strstr(e.reason, "40414243"));
		CHECK(c.nsas == 0 && c.sas == NULL);
	}
	/* A key file too large to be one. */
	{
		char big[CONF_KEY_FILE_MAX + 2];

		memset(big, ' ', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		file_write(&t, "big.key", big, 0600);
		CHECK_EQ(parse_keyed(&t, "@big.key", &c, &e), -EINVAL);
		CHECK(strstr(e.reason, "is larger than 4096 bytes") != NULL);
	}
	tmpdir_remove(&t);
}

TEST(conf_parse_file_relative_keys)
{
	struct tmpdir t;
	struct conf c;
	struct conf_error e;
	char path[128];

	REQUIRE(tmpdir_make(&t));
	snprintf(path, sizeof(path), "%s/keys", t.path);
	CHECK_EQ(mkdir(path, 0700), 0);
	file_write(&t, "keys/o.key", KEY20 "\n", 0600);
	file_write(&t, "tunsecd.conf", HEAD "key = @keys/o.key\n", 0644);
	snprintf(path, sizeof(path), "%s/tunsecd.conf", t.path);
	CHECK_EQ(conf_parse_file(path, &c, &e), 0);
	CHECK(c.nsas == 1 && key_is_40(&c.sas[0]));
	CHECK(!c.inline_keys_exposed);
	conf_free(&c);
	/* Inline keys in a file others may read: flagged. */
	file_write(&t, "tunsecd.conf", HEAD "key = " KEY20 "\n", 0644);
	CHECK_EQ(conf_parse_file(path, &c, &e), 0);
	CHECK(c.inline_keys_exposed);
	conf_free(&c);
	CHECK_EQ(chmod(path, 0600), 0);
	CHECK_EQ(conf_parse_file(path, &c, &e), 0);
	CHECK(!c.inline_keys_exposed);
	conf_free(&c);
	/* A bad file names itself in the error. */
	file_write(&t, "tunsecd.conf", HEAD "key = @keys/none.key\n", 0600);
	CHECK_EQ(conf_parse_file(path, &c, &e), -EINVAL);
	CHECK(!strcmp(e.file, path) && e.line == 11);
	CHECK(strstr(e.reason, "keys/none.key\" cannot be opened") != NULL);
	tmpdir_remove(&t);
}

TEST(conf_parse_file_errors)
{
	struct tmpdir t;
	struct conf c;
	struct conf_error e;
	char path[128];

	CHECK_EQ(conf_parse_file("/nonexistent/tunsecd.conf", &c, &e), -ENOENT);
	CHECK_EQ(e.line, 0);
	CHECK(!strcmp(e.reason, "cannot open: No such file or directory"));
	CHECK(!strcmp(e.file, "/nonexistent/tunsecd.conf"));
	CHECK(c.npeers == 0 && c.peers == NULL);
	CHECK_EQ(conf_parse_file("/tmp", &c, &e), -EINVAL);
	CHECK(!strcmp(e.reason, "not a regular file"));
	REQUIRE(tmpdir_make(&t));
	/* A FIFO is refused without blocking. */
	snprintf(path, sizeof(path), "%s/fifo", t.path);
	CHECK_EQ(mkfifo(path, 0600), 0);
	CHECK_EQ(conf_parse_file(path, &c, &e), -EINVAL);
	CHECK(!strcmp(e.reason, "not a regular file"));
	tmpdir_remove(&t);
}

/* An IKE-managed peer on lines 3-6; "psk = ..." follows on line 7. */
#define IHEAD "[daemon]\nlocal-address = 10.0.0.1\n"                      /* 1-2 */ \
	      "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\nauth = psk\n" /* 3-6 */

/* A pre-shared key of 24 bytes that no error may show. */
#define PSK24 "Zq8Wm-Zq8Wm-Zq8Wm-Zq8Wm!"

static int parse_psk(const struct tmpdir *t, const char *val, struct conf *c,
		     struct conf_error *e)
{
	char text[1024];

	snprintf(text, sizeof(text), IHEAD "psk = %s\n", val);
	return conf_parse_text("k.conf", text, strlen(text), t->path, c, e);
}

/* Key file contents and the key they hold: one newline at the end (LF or
 * CR LF) is not part of it; any other byte is. */
static const struct {
	const char *content;
	size_t len;
	const char *key;
	size_t key_len;
} psk_files[] = {
	{ PSK24 "\n", 25, PSK24, 24 },
	{ PSK24 "\r\n", 26, PSK24, 24 },
	{ PSK24, 24, PSK24, 24 },
	{ PSK24 "\n\n", 26, PSK24 "\n", 25 },
	{ PSK24 "\r", 25, PSK24 "\r", 25 },
	{ " " PSK24 " \n", 27, " " PSK24 " ", 26 },
	{ "\0\1\2\3\4\5\6\7\x80\xff\n\r\t #\"@\n", 18,
	  "\0\1\2\3\4\5\6\7\x80\xff\n\r\t #\"@", 17 },
};

static void bytes_write(const struct tmpdir *t, const char *name,
			const void *b, size_t n, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", t->path, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, b, n) != (ssize_t)n || close(fd) ||
	    chmod(path, mode))
		test_fail(__FILE__, __LINE__, "cannot write %s", path);
}

TEST(conf_psk_file_good)
{
	struct tmpdir t;
	struct conf c;
	struct conf_error e;
	char abs[128];
	unsigned i;

	REQUIRE(tmpdir_make(&t));
	for (i = 0; i < sizeof(psk_files) / sizeof(psk_files[0]); i++) {
		bytes_write(&t, "a.psk", psk_files[i].content, psk_files[i].len,
			    i % 2 ? 0400 : 0600);
		if (parse_psk(&t, "@a.psk", &c, &e)) {
			test_fail(__FILE__, __LINE__, "case %u: %s", i, e.reason);
			continue;
		}
		CHECK_EQ(c.peers[0].ike.psk_len, psk_files[i].key_len);
		CHECK_MEM(c.peers[0].ike.psk, psk_files[i].key,
			  psk_files[i].key_len);
		CHECK(!c.peers[0].ike.psk_inline);
		CHECK_EQ(c.peers[0].ike.key_line[CONF_IKE_PSK], 7);
		conf_free(&c);
	}
	snprintf(abs, sizeof(abs), "@%s/a.psk", t.path);
	CHECK_EQ(parse_psk(&t, abs, &c, &e), 0);
	conf_free(&c);
	tmpdir_remove(&t);
}

static const struct {
	const char *name, *content;
	mode_t mode;
	const char *reason;
} psk_file_errors[] = {
	{ "missing.psk", NULL, 0, "psk: key file \"" },
	{ "world.psk", PSK24 "\n", 0644, "is readable by others (mode 0644; it must be 0600" },
	{ "group.psk", PSK24, 0640, "is readable by others (mode 0640" },
	{ "gwrite.psk", PSK24, 0620, "is readable by others" },
	{ "oexec.psk", PSK24, 0601, "is readable by others" },
	{ "short.psk", "Zq8Wm-Zq8Wm-Zq8\n", 0600, "psk: key file \"" },
	{ "empty.psk", "", 0600, "the key is 0 bytes; at least 16" },
	{ "newline.psk", "\n", 0600, "the key is 0 bytes" },
	{ "dir.psk", NULL, 0700, "is not a regular file" },
};

TEST(conf_psk_file_errors)
{
	static const struct conf zero;
	char val[64], path[128], big[CONF_KEY_FILE_MAX + 2];
	struct tmpdir t;
	struct conf c;
	struct conf_error e;
	unsigned i;

	REQUIRE(tmpdir_make(&t));
	for (i = 0; i < sizeof(psk_file_errors) / sizeof(psk_file_errors[0]); i++) {
		const char *n = psk_file_errors[i].name;

		if (psk_file_errors[i].content)
			file_write(&t, n, psk_file_errors[i].content,
				   psk_file_errors[i].mode);
		if (!strcmp(n, "dir.psk")) {
			snprintf(path, sizeof(path), "%s/%s", t.path, n);
			CHECK_EQ(mkdir(path, 0700), 0);
		}
		snprintf(val, sizeof(val), "@%s", n);
		if (parse_psk(&t, val, &c, &e) != -EINVAL || e.line != 7 ||
		    !strstr(e.reason, psk_file_errors[i].reason))
			test_fail(__FILE__, __LINE__, "%s: line %u: %s", n,
				  e.line, e.reason);
		CHECK(!strstr(e.reason, "Zq8"));
		CHECK(!memcmp(&c, &zero, sizeof(c)));
	}
	CHECK_EQ(parse_psk(&t, "@missing.psk", &c, &e), -EINVAL);
	CHECK(strstr(e.reason, "missing.psk\" cannot be opened: No such file"));
	CHECK_EQ(parse_psk(&t, "@short.psk", &c, &e), -EINVAL);
	CHECK(strstr(e.reason, "short.psk\": the key is 15 bytes; at least 16"));
	/* 257 bytes; then a file too large to be a key file. */
	memset(big, 'Z', sizeof(big));
	bytes_write(&t, "long.psk", big, CONF_PSK_MAX + 1, 0600);
	CHECK_EQ(parse_psk(&t, "@long.psk", &c, &e), -EINVAL);
	CHECK(strstr(e.reason, "the key is 257 bytes; at most 256") != NULL);
	bytes_write(&t, "long.psk", big, CONF_PSK_MAX, 0600);
	CHECK_EQ(parse_psk(&t, "@long.psk", &c, &e), 0);
	conf_free(&c);
	bytes_write(&t, "big.psk", big, sizeof(big), 0600);
	CHECK_EQ(parse_psk(&t, "@big.psk", &c, &e), -EINVAL);
	CHECK(strstr(e.reason, "psk: key file") && strstr(e.reason,
	      "is larger than 4096 bytes"));
	CHECK(!strstr(e.reason, "ZZZ"));
	tmpdir_remove(&t);
}

/* A pre-shared key written inline in a file others may read is flagged,
 * as inline SA keys are; one in a key file is not. */
TEST(conf_psk_inline_exposed)
{
	struct tmpdir t;
	struct conf c;
	struct conf_error e;
	char path[128];

	REQUIRE(tmpdir_make(&t));
	snprintf(path, sizeof(path), "%s/tunsecd.conf", t.path);
	file_write(&t, "tunsecd.conf", IHEAD "psk = \"" PSK24 "\"\n", 0644);
	CHECK_EQ(conf_parse_file(path, &c, &e), 0);
	CHECK(c.inline_keys_exposed && c.peers[0].ike.psk_inline);
	conf_free(&c);
	file_write(&t, "tunsecd.conf", IHEAD "psk = 0x000102030405060708090a0b0c0d0e0f\n", 0640);
	CHECK_EQ(conf_parse_file(path, &c, &e), 0);
	CHECK(c.inline_keys_exposed);
	conf_free(&c);
	CHECK_EQ(chmod(path, 0600), 0);
	CHECK_EQ(conf_parse_file(path, &c, &e), 0);
	CHECK(!c.inline_keys_exposed);
	conf_free(&c);
	file_write(&t, "a.psk", PSK24 "\n", 0600);
	file_write(&t, "tunsecd.conf", IHEAD "psk = @a.psk\n", 0644);
	CHECK_EQ(conf_parse_file(path, &c, &e), 0);
	CHECK(!c.inline_keys_exposed && !c.peers[0].ike.psk_inline);
	CHECK_MEM(c.peers[0].ike.psk, PSK24, 24);
	conf_free(&c);
	tmpdir_remove(&t);
}

/* Two hosts' files describe one IKE peering: each one's local-id is the
 * other's remote-id, the proposals are equal, both are in transport mode,
 * A initiates and B waits. The credentials are the caller's to check. */
static void check_pair(const struct conf *a, const struct conf *b)
{
	const struct conf_ike *x, *y;

	REQUIRE(a->npeers == 1 && b->npeers == 1);
	x = &a->peers[0].ike;
	y = &b->peers[0].ike;
	CHECK(x->enabled && y->enabled && a->nsas == 0 && b->nsas == 0);
	CHECK(a->peers[0].mode == ESP_MODE_TRANSPORT &&
	      b->peers[0].mode == ESP_MODE_TRANSPORT);
	CHECK(addr_equal(&a->peers[0].addr, &b->daemon.local));
	CHECK(addr_equal(&b->peers[0].addr, &a->daemon.local));
	CHECK(x->local_id.type == y->remote_id.type &&
	      x->local_id.len == y->remote_id.len &&
	      !memcmp(x->local_id.data, y->remote_id.data, x->local_id.len));
	CHECK(y->local_id.type == x->remote_id.type &&
	      y->local_id.len == x->remote_id.len &&
	      !memcmp(y->local_id.data, x->remote_id.data, y->local_id.len));
	CHECK_EQ(x->local_id.type, IKE_ID_FQDN);
	CHECK(!memcmp(&x->ike_proposals, &y->ike_proposals,
		      sizeof(x->ike_proposals)));
	CHECK(!memcmp(&x->esp_proposals, &y->esp_proposals,
		      sizeof(x->esp_proposals)));
	CHECK(x->start == CONF_IKE_START_INITIATE &&
	      y->start == CONF_IKE_START_WAIT);
}

/* The same with one pre-shared key. */
static void check_ike_pair(const struct conf *a, const struct conf *b)
{
	const struct conf_ike *x, *y;

	check_pair(a, b);
	x = &a->peers[0].ike;
	y = &b->peers[0].ike;
	CHECK(x->auth == CONF_IKE_AUTH_PSK && y->auth == CONF_IKE_AUTH_PSK);
	CHECK(x->psk_len >= CONF_PSK_MIN && x->psk_len == y->psk_len &&
	      !memcmp(x->psk, y->psk, x->psk_len));
}

/* One Child SA between the two example hosts, A initiating, carries
 * everything A's protect lines name (and so B's, their mirror): the
 * negotiated selectors cover each of A's. Either may initiate (rekeys):
 * checked both ways. */
static void check_negotiates_all(const struct conf *x, const struct conf *y)
{
	struct spd_selector xs[8], ys[8], got[16];
	struct ike_ts_payload tsi, tsr, oi, orr;
	const struct conf_peer *px = &x->peers[0], *py = &y->peers[0];
	unsigned i, j, n, which;

	REQUIRE(px->nsel <= 8 && py->nsel <= 8);
	for (i = 0; i < px->nsel; i++)
		conf_selector_to_spd(&px->sel[i], true, &xs[i]);
	for (i = 0; i < py->nsel; i++)
		conf_selector_to_spd(&py->sel[i], true, &ys[i]);
	REQUIRE(ike_ts_build(xs, px->nsel, &tsi, &tsr) == 0);
	REQUIRE(ike_ts_narrow(&tsi, &tsr, ys, py->nsel, &oi, &orr,
			      &which) == 0);
	REQUIRE(ike_ts_to_selectors(&oi, &orr, got, 16, &n) == 0);
	for (i = 0; i < px->nsel; i++) {
		for (j = 0; j < n; j++)
			if (spd_selector_covers(&got[j], &xs[i]))
				break;
		CHECK(j < n);
	}
}

/* The same with certificates: each host its own certificate and key
 * (dir/a.pem, dir/a.key for A; b for B), one CA (dir/ca.pem). */
static void check_cert_pair(const struct conf *a, const struct conf *b,
			    const char *dir)
{
	const struct conf_ike *x, *y;
	char want[512];

	check_pair(a, b);
	x = &a->peers[0].ike;
	y = &b->peers[0].ike;
	CHECK(x->auth == CONF_IKE_AUTH_PUBKEY &&
	      y->auth == CONF_IKE_AUTH_PUBKEY);
	CHECK(x->psk_len == 0 && y->psk_len == 0);
	snprintf(want, sizeof(want), "%s/a.pem", dir);
	CHECK(!strcmp(x->cert, want));
	snprintf(want, sizeof(want), "%s/a.key", dir);
	CHECK(!strcmp(x->key, want));
	snprintf(want, sizeof(want), "%s/b.pem", dir);
	CHECK(!strcmp(y->cert, want));
	snprintf(want, sizeof(want), "%s/b.key", dir);
	CHECK(!strcmp(y->key, want));
	snprintf(want, sizeof(want), "%s/ca.pem", dir);
	CHECK(x->nca == 1 && y->nca == 1 && !strcmp(x->ca[0], want) &&
	      !strcmp(y->ca[0], want));
}

/* Certificate files as the examples name them, in t: public ones 0644,
 * private keys 0600 (their contents do not matter to the parser). */
static void cert_files_write(const struct tmpdir *t)
{
	file_write(t, "a.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	file_write(t, "b.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	file_write(t, "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	file_write(t, "a.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
	file_write(t, "b.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
}

/* text with every "/etc/tunsec" replaced by dir, in a new buffer. */
static char *etc_moved(const char *text, const char *dir)
{
	static const char etc[] = "/etc/tunsec";
	size_t n = 0, o = 0, dl = strlen(dir), el = strlen(etc);
	const char *s;
	char *out;

	for (s = text; (s = strstr(s, etc)); s += el)
		n++;
	out = malloc(strlen(text) + n * dl + 1);
	if (!out)
		return NULL;
	for (s = text; *s;) {
		if (!strncmp(s, etc, el)) {
			memcpy(out + o, dir, dl);
			o += dl;
			s += el;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	return out;
}

/* Host B's file: the lines of text that start with "#|", without it. */
static char *b_file_of(const char *text)
{
	char *out = malloc(strlen(text) + 1);
	const char *line = text;
	size_t o = 0;

	if (!out)
		return NULL;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);

		if (n >= 2 && line[0] == '#' && line[1] == '|') {
			memcpy(out + o, line + 2, n - 2);
			o += n - 2;
		}
		line = nl ? nl + 1 : NULL;
	}
	out[o] = '\0';
	return out;
}

static char *slurp(const char *path);

/* examples/ike-cert.conf, with its files moved from /etc/tunsec to a
 * temporary directory: host A's file and host B's ("#|" lines). */
TEST(conf_example_ike_cert)
{
	struct conf a, b;
	struct conf_error e;
	struct tmpdir t;
	char path[512], msg[600], *text, *moved, *btext;

	snprintf(path, sizeof(path), "%s/examples/ike-cert.conf", test_srcdir());
	text = slurp(path);
	REQUIRE(text && tmpdir_make(&t));
	cert_files_write(&t);
	moved = etc_moved(text, t.path);
	btext = moved ? b_file_of(moved) : NULL;
	REQUIRE(moved && btext && !strstr(moved, "/etc/tunsec"));
	if (conf_parse_text("a.conf", moved, strlen(moved), t.path, &a, &e))
		test_fail(__FILE__, __LINE__, "%s", conf_error_format(&e, msg, sizeof(msg)));
	if (conf_parse_text("b.conf", btext, strlen(btext), t.path, &b, &e))
		test_fail(__FILE__, __LINE__, "%s", conf_error_format(&e, msg, sizeof(msg)));
	check_cert_pair(&a, &b, t.path);
	CHECK_EQ(a.peers[0].nsel, 2);
	check_negotiates_all(&a, &b);
	check_negotiates_all(&b, &a);
	CHECK_EQ(a.peers[0].ike.local_id.type, IKE_ID_FQDN);
	CHECK_EQ(a.peers[0].ike.dpd_delay, 30);
	conf_free(&a);
	conf_free(&b);
	/* Without the files the example is refused. */
	tmpdir_remove(&t);
	CHECK_EQ(conf_parse_text("a.conf", moved, strlen(moved), t.path, &a,
				 &e), -EINVAL);
	CHECK(strstr(e.reason, "certificate: file \"") != NULL);
	free(btext);
	free(moved);
	free(text);
}

TEST(conf_example_ike_psk)
{
	struct conf a, b;
	struct conf_error e;
	char path[512], msg[600], *text, *btext;

	snprintf(path, sizeof(path), "%s/examples/ike-psk.conf", test_srcdir());
	if (conf_parse_file(path, &a, &e))
		test_fail(__FILE__, __LINE__, "%s", conf_error_format(&e, msg, sizeof(msg)));
	text = slurp(path);
	REQUIRE(text);
	btext = b_file_of(text);
	REQUIRE(btext);
	if (conf_parse_text("b.conf", btext, strlen(btext), NULL, &b, &e))
		test_fail(__FILE__, __LINE__, "%s", conf_error_format(&e, msg, sizeof(msg)));
	check_ike_pair(&a, &b);
	/* What A's comments say about its settings. */
	CHECK_EQ(a.peers[0].nsel, 2);
	check_negotiates_all(&a, &b);
	check_negotiates_all(&b, &a);
	CHECK(a.peers[0].ike.ike_lifetime == 14400 &&
	      a.peers[0].ike.child_lifetime == 3600 &&
	      a.peers[0].ike.dpd_delay == 30);
	CHECK(a.peers[0].ike.ike_proposals.n == 3 &&
	      a.peers[0].ike.esp_proposals.n == 4);
	conf_free(&a);
	conf_free(&b);
	free(btext);
	free(text);
}

/* The shipped examples parse, and say what their comments say. */
TEST(conf_examples)
{
	struct conf c;
	struct conf_error e;
	struct esp_sa_config cfg;
	char path[512], msg[600];
	const struct conf_peer *p;

	snprintf(path, sizeof(path), "%s/examples/tunsecd.conf", test_srcdir());
	if (conf_parse_file(path, &c, &e))
		test_fail(__FILE__, __LINE__, "%s", conf_error_format(&e, msg, sizeof(msg)));
	p = conf_find_peer(&c, "b");
	REQUIRE(p && c.nsas == 2);
	CHECK_EQ(p->mode, ESP_MODE_TRANSPORT);
	CHECK_EQ(p->nsel, 5);
	CHECK_EQ(c.sas[0].cipher, ESP_CIPHER_AES_GCM_256);
	CHECK(!c.sas[0].inbound && c.sas[1].inbound);
	CHECK_EQ(conf_sa_config(&c, &c.sas[0], &cfg), 0);
	conf_free(&c);

	snprintf(path, sizeof(path), "%s/examples/tunnel.conf", test_srcdir());
	if (conf_parse_file(path, &c, &e))
		test_fail(__FILE__, __LINE__, "%s", conf_error_format(&e, msg, sizeof(msg)));
	p = conf_find_peer(&c, "site-b");
	REQUIRE(p && c.nsas == 2);
	CHECK_EQ(p->mode, ESP_MODE_TUNNEL);
	CHECK_EQ(p->nsel, 2);
	CHECK_EQ(c.sas[0].tfc_pad, 256);
	CHECK(c.sas[0].esn && c.sas[1].esn);
	CHECK_EQ(c.sas[1].replay_window, 4096);
	conf_free(&c);
}

/* Read the whole file at path into a new NUL-terminated buffer. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* The configuration between the .nf at *pos and its .fi, with the man
 * page's "\-" turned into "-"; NULL when no further example holds one. */
static char *man_example_next(const char **pos)
{
	const char *nf, *fi;
	char *out;
	size_t o = 0;

	while ((nf = strstr(*pos, "\n.nf\n")) && (fi = strstr(nf, "\n.fi\n"))) {
		*pos = fi + 4;
		if (!memmem(nf, (size_t)(fi - nf), "[daemon]", 8))
			continue;
		out = malloc((size_t)(fi - nf) + 1);
		if (!out)
			return NULL;
		for (nf += 5; nf < fi + 1; nf++) {
			if (nf[0] == '\\' && nf[1] == '-')
				nf++;
			out[o++] = *nf;
		}
		out[o] = '\0';
		return out;
	}
	return NULL;
}

/* The examples in docs/tunsecd.conf.5 parse, with their key files. */
TEST(conf_man_page_examples)
{
	static const char *const keys[] = { "b-out", "b-in", "site-b-out",
					    "site-b-in", "b-out0", "b-out1",
					    "b-in0", "b-in1" };
	/* SAs in each example, in page order: per-CPU SAs, IKE host A and
	 * host B with a pre-shared key, then with certificates, transport,
	 * tunnel. */
	static const unsigned nsas[] = { 4, 0, 0, 0, 0, 2, 2 };
	static const char hex36[] = "000102030405060708090a0b0c0d0e0f"
				    "101112131415161718191a1b1c1d1e1f20212223";
	char path[512], msg[600];
	const char *pos;
	char *man, *ex, *moved;
	struct tmpdir t;
	struct conf c, ike_a;
	struct conf_error e;
	unsigned i, n = 0;

	snprintf(path, sizeof(path), "%s/docs/tunsecd.conf.5", test_srcdir());
	man = slurp(path);
	REQUIRE(man);
	pos = man;
	REQUIRE(tmpdir_make(&t));
	snprintf(path, sizeof(path), "%s/keys", t.path);
	CHECK_EQ(mkdir(path, 0700), 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(path, sizeof(path), "keys/%s.key", keys[i]);
		file_write(&t, path, hex36, 0600);
	}
	file_write(&t, "keys/a-b.psk", hex36, 0600);
	cert_files_write(&t);
	memset(&ike_a, 0, sizeof(ike_a));
	snprintf(path, sizeof(path), "%s/ex.conf", t.path);
	while ((ex = man_example_next(&pos))) {
		moved = etc_moved(ex, t.path);
		REQUIRE(moved);
		file_write(&t, "ex.conf", moved, 0600);
		free(moved);
		if (conf_parse_file(path, &c, &e))
			test_fail(__FILE__, __LINE__, "example %u: %s", n,
				  conf_error_format(&e, msg, sizeof(msg)));
		if (n < sizeof(nsas) / sizeof(nsas[0]))
			CHECK_EQ(c.nsas, nsas[n]);
		if (n == 0 && c.nsas == 4) /* what its text says */
			CHECK(c.daemon.workers == 2 && c.sas[0].cpu == 0 &&
			      c.sas[1].cpu == 1 && c.sas[3].inbound);
		if (n == 1 || n == 3) { /* host A; B comes next */
			ike_a = c;
			free(ex);
			n++;
			continue;
		}
		if (n == 2 && ike_a.npeers)
			check_ike_pair(&ike_a, &c);
		if (n == 4 && ike_a.npeers)
			check_cert_pair(&ike_a, &c, t.path);
		if (n == 2 || n == 4)
			conf_free(&ike_a);
		conf_free(&c);
		free(ex);
		n++;
	}
	CHECK_EQ(n, sizeof(nsas) / sizeof(nsas[0]));
	conf_free(&ike_a);
	tmpdir_remove(&t);
	free(man);
}
