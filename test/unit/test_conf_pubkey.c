/* SPDX-License-Identifier: MIT */
/*
 * Configuration parser, IKE peers with "auth = pubkey": certificate,
 * private-key and ca name files relative to the configuration's directory,
 * stored as absolute paths; the files must exist and be regular, the
 * private key one only its owner may access; the keys go with pubkey
 * only, and pubkey needs all three. None of the files' bytes are read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "test.h"

/* Lines 1-6; the keys of each case follow from line 7. */
#define HEAD "[daemon]\nlocal-address = 10.0.0.1\n"          /* 1-2 */ \
	     "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\n" /* 3-5 */ \
	     "auth = pubkey\n"                                     /* 6 */
#define CERT "certificate = a.pem\n"
#define PKEY "private-key = a.key\n"
#define CA "ca = ca.pem\n"
#define PSK "psk = \"Kx9Vq-Kx9Vq-Kx9Vq-Kx9Vq\"\n"

struct dir {
	char path[64];
};

static void file_put(const struct dir *d, const char *name, const char *text,
		     mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", d->path, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || chmod(path, mode))
		test_fail(__FILE__, __LINE__, "cannot write %s", path);
}

/* A temporary directory holding a.pem, ca.pem (0644), ca2.pem (0444),
 * a.key (0600), pub.key (0644), ca1..ca9.pem, and the directories dir.pem
 * and sub. */
static bool dir_make(struct dir *d)
{
	char name[32], path[128], sub[128];
	unsigned i;

	snprintf(d->path, sizeof(d->path), "/tmp/tunsec-pubkey.XXXXXX");
	if (!mkdtemp(d->path))
		return false;
	file_put(d, "a.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	file_put(d, "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	file_put(d, "ca2.pem", "-----BEGIN CERTIFICATE-----\n", 0444);
	file_put(d, "a.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
	file_put(d, "pub.key", "-----BEGIN PRIVATE KEY-----\n", 0644);
	for (i = 1; i <= CONF_CA_MAX + 1; i++) {
		snprintf(name, sizeof(name), "ca%u.pem", i);
		file_put(d, name, "", 0644);
	}
	snprintf(path, sizeof(path), "%s/dir.pem", d->path);
	snprintf(sub, sizeof(sub), "%s/sub", d->path);
	return mkdir(path, 0700) == 0 && mkdir(sub, 0755) == 0;
}

static void dir_remove(const struct dir *d)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd))
		test_fail(__FILE__, __LINE__, "cannot remove %s", d->path);
}

static int parse_in(const char *base, const char *keys, struct conf *c,
		    struct conf_error *e)
{
	char text[4096];

	snprintf(text, sizeof(text), HEAD "%s", keys);
	return conf_parse_text("p.conf", text, strlen(text), base, c, e);
}

/* d->path "/" name, for comparing with a stored path. */
static const char *in_dir(const struct dir *d, const char *name, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/%s", d->path, name);
	return buf;
}

TEST(conf_pubkey_good)
{
	static const uint8_t a1[] = { 10, 0, 0, 1 }, a2[] = { 10, 0, 0, 2 };
	char want[PATH_MAX], keys[1024];
	const struct conf_ike *k;
	struct dir d;
	struct conf c;
	struct conf_error e;
	size_t i;

	REQUIRE(dir_make(&d));
	/* Relative paths, and "ca" twice. */
	if (parse_in(d.path, CERT PKEY CA "ca = ./ca2.pem\n", &c, &e))
		test_fail(__FILE__, __LINE__, "line %u: %s", e.line, e.reason);
	REQUIRE(c.npeers == 1);
	k = &c.peers[0].ike;
	CHECK(k->enabled && k->auth == CONF_IKE_AUTH_PUBKEY);
	CHECK(k->psk_len == 0 && !k->psk_inline);
	CHECK(!strcmp(k->cert, in_dir(&d, "a.pem", want)));
	CHECK(!strcmp(k->key, in_dir(&d, "a.key", want)));
	CHECK_EQ(k->nca, 2);
	CHECK(!strcmp(k->ca[0], in_dir(&d, "ca.pem", want)));
	CHECK(!strcmp(k->ca[1], in_dir(&d, "./ca2.pem", want)));
	CHECK(!k->ca[2][0]);
	/* Nothing after the paths: equal files give equal models. */
	for (i = strlen(k->ca[0]); i <= CONF_PATH_MAX; i++)
		CHECK_EQ(k->ca[0][i], 0);
	for (i = strlen(k->ca[1]); i <= CONF_PATH_MAX; i++)
		CHECK_EQ(k->ca[1][i], 0);
	for (i = strlen(k->cert); i <= CONF_PATH_MAX; i++)
		CHECK_EQ(k->cert[i], 0);
	CHECK(k->key_line[CONF_IKE_AUTH] == 6 &&
	      k->key_line[CONF_IKE_CERTIFICATE] == 7 &&
	      k->key_line[CONF_IKE_PRIVATE_KEY] == 8 &&
	      k->key_line[CONF_IKE_CA] == 9 && !k->key_line[CONF_IKE_PSK]);
	/* The identities keep their defaults; the other keys theirs. */
	CHECK(k->local_id.type == IKE_ID_IPV4_ADDR &&
	      !memcmp(k->local_id.data, a1, 4));
	CHECK(k->remote_id.type == IKE_ID_IPV4_ADDR &&
	      !memcmp(k->remote_id.data, a2, 4));
	CHECK(k->ike_lifetime == 4 * 3600 && k->ike_proposals.n == 3);
	conf_free(&c);

	/* Absolute paths, in any order, with auth last and a dn: id. */
	snprintf(keys, sizeof(keys),
		 "ca = %s/ca.pem\nprivate-key = %s/a.key\n"
		 "certificate = %s/a.pem\nlocal-id = dn:C=CH, CN=a\n",
		 d.path, d.path, d.path);
	if (parse_in("/nonexistent", keys, &c, &e))
		test_fail(__FILE__, __LINE__, "line %u: %s", e.line, e.reason);
	k = &c.peers[0].ike;
	CHECK(!strcmp(k->cert, in_dir(&d, "a.pem", want)));
	CHECK(!strcmp(k->key, in_dir(&d, "a.key", want)));
	CHECK(k->nca == 1 && !strcmp(k->ca[0], in_dir(&d, "ca.pem", want)));
	CHECK(k->key_line[CONF_IKE_CA] == 7);
	CHECK_EQ(k->local_id.type, IKE_ID_DER_ASN1_DN);
	conf_free(&c);
	dir_remove(&d);
}

/* The private key file is not read: a large one, or one holding no key at
 * all, is accepted (the keys process reads and checks it). A mode of 0400
 * is as good as 0600; the certificates may have any mode. */
TEST(conf_pubkey_files_not_read)
{
	char big[CONF_KEY_FILE_MAX * 3];
	struct dir d;
	struct conf c;
	struct conf_error e;

	REQUIRE(dir_make(&d));
	memset(big, 'Z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	file_put(&d, "big.key", big, 0400);
	CHECK_EQ(parse_in(d.path, CERT "private-key = big.key\n" CA, &c, &e),
		 0);
	CHECK(!strstr(c.peers[0].ike.key, "ZZ"));
	conf_free(&c);
	file_put(&d, "empty.key", "", 0600);
	file_put(&d, "w.pem", "", 0666);
	CHECK_EQ(parse_in(d.path, "certificate = w.pem\nprivate-key = "
			  "empty.key\nca = w.pem\n", &c, &e), 0);
	conf_free(&c);
	dir_remove(&d);
}

/* A configuration directory given relative to the current one: the
 * stored paths are still absolute. */
TEST(conf_pubkey_relative_base_dir)
{
	char cwd[PATH_MAX], want[PATH_MAX];
	struct dir d;
	struct conf c;
	struct conf_error e;
	int rc1, rc2;

	REQUIRE(dir_make(&d));
	REQUIRE(getcwd(cwd, sizeof(cwd)));
	REQUIRE(chdir(d.path) == 0);
	rc1 = parse_in(".", CERT PKEY CA, &c, &e);
	if (!rc1) {
		CHECK(!strcmp(c.peers[0].ike.cert, in_dir(&d, "a.pem", want)));
		conf_free(&c);
	}
	rc2 = parse_in("sub", "certificate = ../a.pem\nprivate-key = "
		       "../a.key\nca = ../ca.pem\n", &c, &e);
	if (!rc2) {
		CHECK(!strcmp(c.peers[0].ike.cert,
			      in_dir(&d, "sub/../a.pem", want)));
		CHECK(!strcmp(c.peers[0].ike.ca[0],
			      in_dir(&d, "sub/../ca.pem", want)));
		conf_free(&c);
	}
	REQUIRE(chdir(cwd) == 0);
	CHECK_EQ(rc1, 0);
	CHECK_EQ(rc2, 0);
	dir_remove(&d);
}

struct pk_case {
	const char *keys;
	unsigned line;
	const char *reason;
};

static const struct pk_case pk_cases[] = {
	/* Missing files and directories, for each key. */
	{ "certificate = none.pem\n" PKEY CA, 7, "certificate: file \"" },
	{ CERT "private-key = none.key\n" CA, 8, "none.key\": No such file or directory" },
	{ CERT PKEY "ca = none.pem\n", 9, "ca: file \"" },
	{ CERT PKEY CA "ca = none.pem\n", 10, "none.pem\": No such file" },
	{ "certificate = dir.pem\n" PKEY CA, 7, "dir.pem\" is not a regular file" },
	{ CERT "private-key = dir.pem\n" CA, 8, "private-key: file \"" },
	{ CERT PKEY "ca = dir.pem\n", 9, "ca: file \"" },
	{ CERT PKEY "ca = .\n", 9, "is not a regular file" },
	{ CERT PKEY "ca = a.pem/\n", 9, "Not a directory" },
	/* The private key's mode. */
	{ CERT "private-key = pub.key\n" CA, 8, "pub.key\" is readable by others (mode 0644; it must be 0600 or stricter)" },
	/* Each needed key missing; keys of the other auth. */
	{ PKEY CA, 3, "peer \"b\": \"auth = pubkey\" needs \"certificate\"" },
	{ CERT CA, 3, "peer \"b\": \"auth = pubkey\" needs \"private-key\"" },
	{ CERT PKEY, 3, "peer \"b\": \"auth = pubkey\" needs \"ca\"" },
	{ "", 3, "needs \"certificate\"" },
	{ CERT PKEY CA PSK, 10, "psk: not used with auth = pubkey" },
	{ PSK CERT PKEY CA, 7, "psk: not used with auth = pubkey" },
	{ CERT PKEY CA "psk = @pub.key\n", 10, "psk: key file \"" },
	{ CERT PKEY CA "psk = @a.key\n", 10, "psk: not used with auth = pubkey" },
	/* Duplicates. */
	{ CERT PKEY CA CERT, 10, "duplicate key \"certificate\" (first set on line 7)" },
	{ CERT PKEY CA PKEY, 10, "duplicate key \"private-key\" (first set on line 8)" },
	{ CERT PKEY CA CA, 10, "ca: \"" },
	{ CERT PKEY CA "ca = ./ca.pem\n" CA, 11, "ca.pem\" is listed twice" },
	{ CERT PKEY CA "auth = psk\n", 10, "duplicate key \"auth\"" },
	/* Empty values. */
	{ "certificate =\n", 7, "certificate: needs a file name" },
	{ CERT "private-key =\n", 8, "private-key: needs a file name" },
};

static void check_pk_case(const struct dir *d, const struct pk_case *pc)
{
	static const struct conf zero;
	struct conf c;
	struct conf_error e;
	int rc;

	memset(&c, 0x5a, sizeof(c));
	rc = parse_in(d->path, pc->keys, &c, &e);
	if (rc != -EINVAL || e.line != pc->line ||
	    !strstr(e.reason, pc->reason))
		test_fail(__FILE__, __LINE__, "case \"%s\": rc %d line %u "
			  "(want %u): %s", pc->reason, rc, e.line, pc->line,
			  e.reason);
	if (memcmp(&c, &zero, sizeof(c)))
		test_fail(__FILE__, __LINE__, "case \"%s\": output not zeroed",
			  pc->reason);
	CHECK(!strstr(e.reason, "Kx9"));
}

TEST(conf_pubkey_errors)
{
	struct dir d;
	unsigned i;

	REQUIRE(dir_make(&d));
	for (i = 0; i < sizeof(pk_cases) / sizeof(pk_cases[0]); i++)
		check_pk_case(&d, &pk_cases[i]);
	dir_remove(&d);
}

/* Every mode with a group or other bit refuses the private key; the
 * owner's bits alone are fine. Certificates take any mode. */
TEST(conf_pubkey_private_key_modes)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0620, 0602, 0610,
				      0601, 0660, 0666, 0700 | 0070 };
	static const mode_t good[] = { 0600, 0400, 0200, 0700 };
	struct dir d;
	struct conf c;
	struct conf_error e;
	char path[128], want[32];
	unsigned i;

	REQUIRE(dir_make(&d));
	snprintf(path, sizeof(path), "%s/a.key", d.path);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		REQUIRE(chmod(path, bad[i]) == 0);
		snprintf(want, sizeof(want), "(mode %04o;", (unsigned)bad[i]);
		if (parse_in(d.path, CERT PKEY CA, &c, &e) != -EINVAL ||
		    e.line != 8 || !strstr(e.reason, want))
			test_fail(__FILE__, __LINE__, "mode %04o: line %u: %s",
				  (unsigned)bad[i], e.line, e.reason);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		REQUIRE(chmod(path, good[i]) == 0);
		if (parse_in(d.path, CERT PKEY CA, &c, &e))
			test_fail(__FILE__, __LINE__, "mode %04o: %s",
				  (unsigned)good[i], e.reason);
		else
			conf_free(&c);
	}
	dir_remove(&d);
}

/* CONF_CA_MAX "ca" lines are accepted, one more is refused on its line. */
TEST(conf_pubkey_too_many_ca)
{
	char keys[1024], want[PATH_MAX], name[16];
	size_t o;
	struct dir d;
	struct conf c;
	struct conf_error e;
	unsigned i;

	REQUIRE(dir_make(&d));
	o = (size_t)snprintf(keys, sizeof(keys), CERT PKEY);
	for (i = 1; i <= CONF_CA_MAX; i++)
		o += (size_t)snprintf(keys + o, sizeof(keys) - o,
				      "ca = ca%u.pem\n", i);
	REQUIRE(parse_in(d.path, keys, &c, &e) == 0);
	CHECK_EQ(c.peers[0].ike.nca, CONF_CA_MAX);
	for (i = 0; i < CONF_CA_MAX; i++) {
		snprintf(name, sizeof(name), "ca%u.pem", i + 1);
		CHECK(!strcmp(c.peers[0].ike.ca[i], in_dir(&d, name, want)));
	}
	CHECK_EQ(c.peers[0].ike.key_line[CONF_IKE_CA], 9);
	conf_free(&c);
	snprintf(keys + o, sizeof(keys) - o, "ca = ca%u.pem\n", CONF_CA_MAX + 1);
	CHECK_EQ(parse_in(d.path, keys, &c, &e), -EINVAL);
	CHECK_EQ(e.line, 9 + CONF_CA_MAX);
	CHECK(strstr(e.reason, "ca: more than 8 CA certificates") != NULL);
	dir_remove(&d);
}

/* prefix, then slashes, then "a.pem": total bytes in all, which names
 * prefix's a.pem (repeated slashes count as one). */
static void slashed(const char *prefix, size_t total, char *out, size_t size)
{
	size_t n = strlen(prefix), k;

	REQUIRE(total >= n + 1 + 5 && total < size);
	memcpy(out, prefix, n);
	for (k = n; k < total - 5; k++)
		out[k] = '/';
	memcpy(out + k, "a.pem", 6);
}

static int parse_cert(const struct dir *d, const char *v, struct conf *c,
		      struct conf_error *e)
{
	char keys[1200];

	snprintf(keys, sizeof(keys), "certificate = %s\n" PKEY CA, v);
	return parse_in(d->path, keys, c, e);
}

/* A stored path has at most CONF_PATH_MAX bytes, relative or not. */
TEST(conf_pubkey_path_too_long)
{
	size_t dlen;
	char v[1024], keys[1200];
	struct dir d;
	struct conf c;
	struct conf_error e;

	REQUIRE(dir_make(&d));
	dlen = strlen(d.path) + 1; /* the directory and its "/" */
	/* Relative: the directory plus the value, at the bound and over. */
	slashed(".", CONF_PATH_MAX - dlen, v, sizeof(v));
	if (parse_cert(&d, v, &c, &e))
		test_fail(__FILE__, __LINE__, "%s", e.reason);
	else
		CHECK_EQ(strlen(c.peers[0].ike.cert), CONF_PATH_MAX);
	conf_free(&c);
	slashed(".", CONF_PATH_MAX + 1 - dlen, v, sizeof(v));
	CHECK_EQ(parse_cert(&d, v, &c, &e), -EINVAL);
	CHECK(e.line == 7 && strstr(e.reason, "certificate: the path of \"./") &&
	      strstr(e.reason, "is longer than 255 bytes"));
	/* Absolute: the value alone. */
	slashed(d.path, CONF_PATH_MAX, v, sizeof(v));
	if (parse_cert(&d, v, &c, &e))
		test_fail(__FILE__, __LINE__, "%s", e.reason);
	else
		CHECK(!strcmp(c.peers[0].ike.cert, v));
	conf_free(&c);
	slashed(d.path, CONF_PATH_MAX + 1, v, sizeof(v));
	CHECK_EQ(parse_cert(&d, v, &c, &e), -EINVAL);
	CHECK(e.line == 7 && strstr(e.reason, "is longer than 255 bytes"));
	/* Far longer, on another key. */
	memset(v, 'a', 1000);
	v[0] = '/';
	v[1000] = '\0';
	snprintf(keys, sizeof(keys), CERT PKEY "ca = %s\n", v);
	CHECK_EQ(parse_in(d.path, keys, &c, &e), -EINVAL);
	CHECK(e.line == 9 && strstr(e.reason, "ca: the path of \"/aaa"));
	dir_remove(&d);
}

/* The keys apply to IKE-managed peers only; with auth = psk they are
 * refused on their own lines. */
TEST(conf_pubkey_keys_need_pubkey)
{
	static const char *const which[] = { CERT, PKEY, CA };
	static const char *const name[] = { "certificate", "private-key",
					    "ca" };
	char text[1024], want[96];
	struct dir d;
	struct conf c;
	struct conf_error e;
	unsigned i;

	REQUIRE(dir_make(&d));
	for (i = 0; i < 3; i++) {
		/* auth = psk on line 6, psk on 7, the key on 8. */
		snprintf(text, sizeof(text),
			 "[daemon]\nlocal-address = 10.0.0.1\n[peer b]\n"
			 "address = 10.0.0.2\nprotect = proto tcp\n"
			 "auth = psk\n" PSK "%s", which[i]);
		snprintf(want, sizeof(want), "%s: not used with auth = psk",
			 name[i]);
		CHECK_EQ(conf_parse_text("p.conf", text, strlen(text), d.path,
					 &c, &e), -EINVAL);
		if (e.line != 8 || strcmp(e.reason, want))
			test_fail(__FILE__, __LINE__, "%s: line %u: %s",
				  name[i], e.line, e.reason);
		/* No auth at all. */
		snprintf(text, sizeof(text),
			 "[daemon]\nlocal-address = 10.0.0.1\n[peer b]\n"
			 "address = 10.0.0.2\nprotect = proto tcp\n%s",
			 which[i]);
		snprintf(want, sizeof(want), "peer \"b\": \"%s\" applies to "
			 "IKE-managed peers only (add \"auth = pubkey\")",
			 name[i]);
		CHECK_EQ(conf_parse_text("p.conf", text, strlen(text), d.path,
					 &c, &e), -EINVAL);
		if (e.line != 6 || strcmp(e.reason, want))
			test_fail(__FILE__, __LINE__, "%s: line %u: %s",
				  name[i], e.line, e.reason);
	}
	dir_remove(&d);
}
