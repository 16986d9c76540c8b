/* SPDX-License-Identifier: MIT */
/*
 * X.509 certificates for IKEv2 (src/ike/cert.c) over the files of
 * test/vectors/ike-cert/ (made by its gen.sh with the openssl command):
 * loading and parsing (with truncations and trailing bytes refused); chain
 * verification at fixed times: good, not yet valid, expired, another CA,
 * through an intermediate, a broken signature; identity matching against
 * a table of IDs; the CERTREQ value against the SHA-1 hashes the openssl
 * command computed (certreq.txt).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert_util.h"
#include "ike/cert.h"
#include "ike/wire.h"
#include "test.h"

#define T2030 ((time_t)1893456000) /* 2030-01-01: inside every validity */
#define T2024 ((time_t)1704067200) /* 2024-01-01: before the host certs */
#define T2126 ((time_t)4923674400LL) /* 2126: after them */
#define T2020 ((time_t)1593561600) /* 2020-07-01: while expired.pem ran */

TEST(cert_load_and_parse)
{
	struct ike_x509 *c[IKE_CERT_FILE_MAX], *p;
	const uint8_t *der;
	uint8_t buf[4096];
	size_t len, cut;
	unsigned n;

	CHECK_EQ(ike_cert_load(cu_path("a.pem"), c, 4, &n), 0);
	REQUIRE(n == 1);
	der = ike_cert_der(c[0], &len);
	REQUIRE(len > 100 && len < sizeof(buf) - 1);
	CHECK_EQ(der[0], 0x30);
	CHECK_EQ(ike_cert_parse(der, len, &p), 0);
	{
		size_t l2;
		const uint8_t *d2 = ike_cert_der(p, &l2);

		CHECK(l2 == len && !memcmp(d2, der, len));
	}
	ike_cert_free(p);
	memcpy(buf, der, len);
	for (cut = 0; cut < len; cut++)
		CHECK_EQ(ike_cert_parse(buf, cut, &p), -EBADMSG);
	buf[len] = 0;
	CHECK_EQ(ike_cert_parse(buf, len + 1, &p), -EBADMSG);
	CHECK(p == NULL);
	buf[1] ^= 0x01; /* the outer length */
	CHECK_EQ(ike_cert_parse(buf, len, &p), -EBADMSG);
	CHECK_EQ(ike_cert_parse(NULL, 0, &p), -EBADMSG);
	CHECK_EQ(ike_cert_parse(buf, IKE_CERT_DER_MAX + 1, &p), -EBADMSG);
	ike_cert_free(c[0]);

	CHECK_EQ(ike_cert_load(cu_path("missing.pem"), c, 4, &n), -ENOENT);
	CHECK_EQ(ike_cert_load(cu_path("a.key"), c, 4, &n), -EBADMSG);
	CHECK_EQ(ike_cert_load(cu_path("gen.sh"), c, 4, &n), -EBADMSG);
	CHECK_EQ(ike_cert_load(cu_path("a.pem"), c, 0, &n), -EINVAL);
	CHECK_EQ(n, 0);
	ike_cert_free(NULL);
}

/* A file of two certificates: both come back, in order; with room for
 * one the file is refused. */
TEST(cert_load_chain_file)
{
	char path[] = "/tmp/tunsec-cert-XXXXXX";
	struct ike_x509 *c[2], *ca, *in;
	size_t la, li, l0, l1;
	uint8_t *a = cu_read("ca.pem", &la), *i = cu_read("inter.pem", &li);
	unsigned n;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	REQUIRE(a && i && f);
	CHECK_EQ(fwrite(i, 1, li, f), li);
	CHECK_EQ(fwrite(a, 1, la, f), la);
	fclose(f);
	ca = cu_cert("ca.pem");
	in = cu_cert("inter.pem");
	REQUIRE(ca && in);
	CHECK_EQ(ike_cert_load(path, c, 2, &n), 0);
	CHECK_EQ(n, 2);
	if (n == 2) {
		const uint8_t *d0 = ike_cert_der(c[0], &l0);
		const uint8_t *d1 = ike_cert_der(c[1], &l1);
		size_t x, y;
		const uint8_t *e0 = ike_cert_der(in, &x), *e1 = ike_cert_der(ca, &y);

		CHECK(l0 == x && !memcmp(d0, e0, x));
		CHECK(l1 == y && !memcmp(d1, e1, y));
		ike_cert_free(c[0]);
		ike_cert_free(c[1]);
	}
	CHECK_EQ(ike_cert_load(path, c, 1, &n), -EBADMSG);
	CHECK_EQ(n, 0);
	unlink(path);
	free(a);
	free(i);
	ike_cert_free(ca);
	ike_cert_free(in);
}

static struct ike_cert_store *store_of(const char *f1, const char *f2)
{
	struct ike_cert_store *st = ike_cert_store_new();

	if (st && f1 && ike_cert_store_add_file(st, cu_path(f1)))
		test_fail(__FILE__, __LINE__, "add %s", f1);
	if (st && f2 && ike_cert_store_add_file(st, cu_path(f2)))
		test_fail(__FILE__, __LINE__, "add %s", f2);
	return st;
}

/* Verify leaf (with intermediate inter, may be NULL) at t; the reason or
 * "ok". */
static const char *verdict(struct ike_cert_store *st, const char *leaf,
			   const char *inter, time_t t)
{
	struct ike_x509 *l = cu_cert(leaf), *i = inter ? cu_cert(inter) : NULL;
	const char *why = "setup";
	int err;

	if (l && (!inter || i)) {
		err = ike_cert_verify(st, l, &i, i ? 1 : 0, t, &why);
		if (!err)
			why = "ok";
		else if (err != -EACCES || !why)
			why = "bad error";
	}
	ike_cert_free(l);
	ike_cert_free(i);
	return why;
}

#define VERDICT(st, leaf, inter, t, want) \
	CHECK(!strcmp(verdict(st, leaf, inter, t), want))

TEST(cert_verify_chains)
{
	struct ike_cert_store *st = store_of("ca.pem", NULL);
	struct ike_cert_store *other = store_of("other-ca.pem", NULL);
	struct ike_cert_store *both = store_of("other-ca.pem", "ca.pem");

	REQUIRE(st && other && both);
	VERDICT(st, "a.pem", NULL, T2030, "ok");
	VERDICT(st, "b.pem", NULL, T2030, "ok");
	VERDICT(st, "rsa.pem", NULL, T2030, "ok");
	VERDICT(st, "a.pem", NULL, T2024, "certificate not yet valid");
	VERDICT(st, "a.pem", NULL, T2126, "certificate expired");
	VERDICT(st, "expired.pem", NULL, T2030, "certificate expired");
	/* In 2020 the test CA itself was not yet valid. */
	VERDICT(st, "expired.pem", NULL, T2020, "certificate not yet valid");
	VERDICT(st, "other.pem", NULL, T2030, "untrusted issuer");
	VERDICT(other, "other.pem", NULL, T2030, "ok");
	VERDICT(other, "a.pem", NULL, T2030, "untrusted issuer");
	VERDICT(both, "a.pem", NULL, T2030, "ok");
	VERDICT(both, "other.pem", NULL, T2030, "ok");
	/* Through the intermediate, which only the peer sends. */
	VERDICT(st, "c.pem", "inter.pem", T2030, "ok");
	VERDICT(st, "c.pem", NULL, T2030, "untrusted issuer");
	VERDICT(other, "c.pem", "inter.pem", T2030, "untrusted issuer");
	VERDICT(st, "c.pem", "a.pem", T2030, "untrusted issuer");
	/* A CA is not a host, but it chains to itself only if trusted. */
	VERDICT(other, "ca.pem", NULL, T2030, "untrusted issuer");
	ike_cert_store_free(st);
	ike_cert_store_free(other);
	ike_cert_store_free(both);
}

/* One bit of the signature value flipped (the last byte of the DER is in
 * the signature BIT STRING). */
TEST(cert_verify_bad_signature)
{
	struct ike_cert_store *st = store_of("ca.pem", NULL);
	struct ike_x509 *a = cu_cert("a.pem"), *bad = NULL;
	uint8_t buf[4096];
	const uint8_t *der;
	const char *why = NULL;
	size_t len = 0;

	REQUIRE(st && a);
	der = ike_cert_der(a, &len);
	REQUIRE(len <= sizeof(buf));
	memcpy(buf, der, len);
	buf[len - 5] ^= 0x10;
	CHECK_EQ(ike_cert_parse(buf, len, &bad), 0);
	if (bad) {
		CHECK_EQ(ike_cert_verify(st, bad, NULL, 0, T2030, &why),
			 -EACCES);
		CHECK(why && !strcmp(why, "bad certificate signature"));
	}
	CHECK_EQ(ike_cert_verify(st, a, NULL, IKE_CERT_CHAIN_MAX + 1, T2030,
				 &why), -EINVAL);
	CHECK_EQ(ike_cert_verify(st, NULL, NULL, 0, T2030, &why), -EINVAL);
	ike_cert_free(bad);
	ike_cert_free(a);
	ike_cert_store_free(st);
}

TEST(cert_store_refusals)
{
	struct ike_cert_store *st = ike_cert_store_new();
	uint8_t out[20];
	size_t len = 7;

	REQUIRE(st);
	CHECK_EQ(ike_cert_store_certreq(st, out, sizeof(out), &len), -ENOENT);
	CHECK_EQ(len, 0);
	CHECK_EQ(ike_cert_store_add_file(st, cu_path("a.pem")), -EINVAL);
	CHECK_EQ(ike_cert_store_add_file(st, cu_path("nope.pem")), -ENOENT);
	CHECK_EQ(ike_cert_store_add_file(st, cu_path("ca.key")), -EBADMSG);
	CHECK_EQ(ike_cert_store_count(st), 0);
	CHECK_EQ(ike_cert_store_add_file(st, cu_path("ca.pem")), 0);
	CHECK_EQ(ike_cert_store_add_file(st, cu_path("inter.pem")), 0);
	CHECK_EQ(ike_cert_store_count(st), 2);
	CHECK_EQ(ike_cert_store_certreq(st, out, sizeof(out), &len), -ENOSPC);
	ike_cert_store_free(st);
	ike_cert_store_free(NULL);
}

/* CERTREQ (RFC 7296 §3.7) against the SHA-1 values openssl computed. */
TEST(cert_certreq_known_answer)
{
	struct ike_cert_store *st = store_of("ca.pem", "other-ca.pem");
	uint8_t want[3 * IKE_CERT_SHA1_LEN], out[3 * IKE_CERT_SHA1_LEN];
	size_t len = 0;

	REQUIRE(st);
	REQUIRE(cu_hex_field("certreq.txt", "ca", want, 20));
	REQUIRE(cu_hex_field("certreq.txt", "other-ca", want + 20, 20));
	REQUIRE(cu_hex_field("certreq.txt", "inter", want + 40, 20));
	CHECK_EQ(ike_cert_store_certreq(st, out, sizeof(out), &len), 0);
	CHECK_EQ(len, 40);
	CHECK_MEM(out, want, 40);
	REQUIRE(ike_cert_store_add_file(st, cu_path("inter.pem")) == 0);
	CHECK_EQ(ike_cert_store_certreq(st, out, sizeof(out), &len), 0);
	CHECK_EQ(len, 60);
	CHECK_MEM(out, want, 60);
	ike_cert_store_free(st);
}

/* ---- identities ---- */

struct id_case {
	const char *cert;
	uint8_t type;
	const char *data;      /* text, or raw bytes when len is set */
	size_t len;
	bool match;
};

#define S(s) s, 0
static const struct id_case ids[] = {
	{ "a.pem", IKE_ID_FQDN, S("a.lab.example"), true },
	{ "a.pem", IKE_ID_FQDN, S("A.Lab.EXAMPLE"), true },
	{ "a.pem", IKE_ID_FQDN, S("b.lab.example"), false },
	{ "a.pem", IKE_ID_FQDN, S("a.lab.example."), false },
	{ "a.pem", IKE_ID_FQDN, S("lab.example"), false },
	{ "a.pem", IKE_ID_FQDN, S("a.lab.exampl"), false },
	{ "a.pem", IKE_ID_FQDN, "a.lab.example\0x", 15, false },
	{ "a.pem", IKE_ID_FQDN, S("*.lab.example"), false },
	{ "a.pem", IKE_ID_FQDN, S("admin@a.lab.example"), false },
	{ "a.pem", IKE_ID_FQDN, S(""), false },
	{ "b.pem", IKE_ID_FQDN, S("b.lab.example"), true },
	{ "b.pem", IKE_ID_FQDN, S("a.lab.example"), false },
	{ "rsa.pem", IKE_ID_FQDN, S("rsa.lab.example"), true },
	{ "other.pem", IKE_ID_FQDN, S("a.lab.example"), true },
	{ "ca.pem", IKE_ID_FQDN, S("tunsec test CA"), false }, /* no CN */
	{ "a.pem", IKE_ID_RFC822_ADDR, S("admin@a.lab.example"), true },
	{ "a.pem", IKE_ID_RFC822_ADDR, S("admin@A.LAB.example"), true },
	{ "a.pem", IKE_ID_RFC822_ADDR, S("Admin@a.lab.example"), false },
	{ "a.pem", IKE_ID_RFC822_ADDR, S("admin@b.lab.example"), false },
	{ "a.pem", IKE_ID_RFC822_ADDR, S("a.lab.example"), false },
	{ "a.pem", IKE_ID_RFC822_ADDR, S("admin@a.lab.example@x"), false },
	{ "b.pem", IKE_ID_RFC822_ADDR, S("admin@a.lab.example"), false },
	{ "a.pem", IKE_ID_IPV4_ADDR, "\xc0\x00\x02\x0a", 4, true },
	{ "a.pem", IKE_ID_IPV4_ADDR, "\xc0\x00\x02\x0b", 4, false },
	{ "a.pem", IKE_ID_IPV4_ADDR, "\xc0\x00\x02", 3, false },
	{ "b.pem", IKE_ID_IPV4_ADDR, "\xc0\x00\x02\x0a", 4, false },
	{ "a.pem", IKE_ID_IPV6_ADDR,
	  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10", 16, true },
	{ "a.pem", IKE_ID_IPV6_ADDR,
	  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x11", 16, false },
	/* The IPv4 address as IPv4-mapped IPv6: a different identity. */
	{ "a.pem", IKE_ID_IPV6_ADDR,
	  "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x0a", 16, false },
	{ "a.pem", IKE_ID_IPV4_ADDR,
	  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10", 16, false },
	{ "a.pem", IKE_ID_KEY_ID, S("a.lab.example"), false },
	{ "a.pem", IKE_ID_DER_ASN1_GN, S("a.lab.example"), false },
	{ "a.pem", IKE_ID_NULL, S("x"), false },
};
#undef S

TEST(cert_matches_id_table)
{
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct id_case *c = &ids[i];
		struct ike_x509 *x = cu_cert(c->cert);
		size_t len = c->len ? c->len : strlen(c->data);

		if (!x) {
			test_fail(__FILE__, __LINE__, "load %s", c->cert);
			continue;
		}
		if (ike_cert_matches_id(x, c->type, (const uint8_t *)c->data,
					len) != c->match)
			test_fail(__FILE__, __LINE__, "case %zu: %s type %u",
				  i, c->cert, c->type);
		ike_cert_free(x);
	}
}

/* ID_DER_ASN1_DN: the subject's DER as openssl asn1parse cut it out. */
TEST(cert_matches_dn)
{
	struct ike_x509 *a = cu_cert("a.pem"), *o = cu_cert("other.pem");
	struct ike_x509 *b = cu_cert("b.pem");
	size_t len, i;
	uint8_t *dn = cu_read("a.subject.der", &len);

	REQUIRE(a && o && b && dn && len > 10);
	CHECK(ike_cert_matches_id(a, IKE_ID_DER_ASN1_DN, dn, len));
	/* other.pem has the same subject under another CA. */
	CHECK(ike_cert_matches_id(o, IKE_ID_DER_ASN1_DN, dn, len));
	CHECK(!ike_cert_matches_id(b, IKE_ID_DER_ASN1_DN, dn, len));
	CHECK(!ike_cert_matches_id(a, IKE_ID_DER_ASN1_DN, dn, len - 1));
	CHECK(!ike_cert_matches_id(a, IKE_ID_FQDN, dn, len));
	for (i = 0; i < len; i++) {
		dn[i] ^= 0x20;
		CHECK(!ike_cert_matches_id(a, IKE_ID_DER_ASN1_DN, dn, len));
		dn[i] ^= 0x20;
	}
	CHECK(!ike_cert_matches_id(a, IKE_ID_DER_ASN1_DN, dn, 0));
	free(dn);
	ike_cert_free(a);
	ike_cert_free(o);
	ike_cert_free(b);
}
