/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 proposals: the configuration parser (every token, refusals with
 * the token named), the SA payload we offer, the responder's selection and
 * the initiator's check by tables, a round trip through the payload
 * encoder and decoder, and the ESP suite's data-plane form against the
 * sizes of RFC 4106 §8.1, RFC 4309 §7.1, RFC 7634 §2 and RFC 4868.
 *
 * Transforms are rendered "type:id[/keybits]" with the IANA numbers of
 * RFC 7296 §3.3.2 (ENCR 1, PRF 2, INTEG 3, KE 4, ESN 5) written out in the
 * tables, so a wrong constant in wire.h or in the token table fails here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/msg.h"
#include "ike/proposal.h"
#include "ike/wire.h"
#include "test.h"

static void render(const struct ike_transform *xf, unsigned n, char *buf,
		   size_t cap)
{
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && len < cap; i++) {
		len += (size_t)snprintf(buf + len, cap - len, "%s%u:%u",
					i ? " " : "", xf[i].type, xf[i].id);
		if (xf[i].key_len && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "/%u",
						xf[i].key_len);
	}
}

/* ---- Parsing ------------------------------------------------------- */

static const struct {
	enum ike_prop_kind kind;
	const char *text, *want;
} parse_ok[] = {
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519", "1:20/256 2:5 4:31" },
	{ IKE_PROP_IKE, "aes128gcm16-prfsha384-ecp256", "1:20/128 2:6 4:19" },
	{ IKE_PROP_IKE, "chacha20poly1305-prfsha512-modp2048",
	  "1:28 2:7 4:14" },
	{ IKE_PROP_IKE, "aes256-sha256-ecp384", "1:12/256 2:5 3:12 4:20" },
	{ IKE_PROP_IKE, "aes128-sha512-curve25519", "1:12/128 2:7 3:14 4:31" },
	{ IKE_PROP_IKE, "aes128-aes256-sha384-sha256-x25519-ecp256",
	  "1:12/128 1:12/256 2:6 2:5 3:13 3:12 4:31 4:19" },
	{ IKE_PROP_IKE, "aes256-sha512-prfsha256-modp2048",
	  "1:12/256 2:5 3:14 4:14" },
	{ IKE_PROP_IKE, "x25519-prfsha256-aes256gcm16-aes128gcm16",
	  "1:20/256 1:20/128 2:5 4:31" },
	{ IKE_PROP_IKE, "aes256gcm16-chacha20poly1305-prfsha384-prfsha256-"
	  "ecp384-modp2048", "1:20/256 1:28 2:6 2:5 4:20 4:14" },
	{ IKE_PROP_ESP, "aes256gcm16", "1:20/256 5:0" },
	{ IKE_PROP_ESP, "aes128gcm16", "1:20/128 5:0" },
	{ IKE_PROP_ESP, "aes128ccm8", "1:14/128 5:0" },
	{ IKE_PROP_ESP, "aes128ccm16", "1:16/128 5:0" },
	{ IKE_PROP_ESP, "chacha20poly1305", "1:28 5:0" },
	{ IKE_PROP_ESP, "null-sha256", "1:11 3:12 5:0" },
	{ IKE_PROP_ESP, "aes256gcm16-esn", "1:20/256 5:1" },
	{ IKE_PROP_ESP, "aes256gcm16-noesn", "1:20/256 5:0" },
	{ IKE_PROP_ESP, "esn-aes256gcm16-noesn", "1:20/256 5:1 5:0" },
	{ IKE_PROP_ESP, "aes128gcm16-aes128ccm8-x25519-ecp256",
	  "1:20/128 1:14/128 4:31 4:19 5:0" },
	{ IKE_PROP_ESP, "chacha20poly1305-modp2048-ecp384-esn",
	  "1:28 4:14 4:20 5:1" },
};

TEST(ike_proposal_parse_tokens)
{
	struct ike_prop_conf c;
	const char *why = NULL;
	char got[256], bad[IKE_PROP_TOKEN_MAX];
	unsigned i;

	for (i = 0; i < sizeof(parse_ok) / sizeof(parse_ok[0]); i++) {
		int err = ike_proposal_parse(parse_ok[i].text,
					     strlen(parse_ok[i].text),
					     parse_ok[i].kind, &c, &why, bad,
					     sizeof(bad));

		if (err) {
			test_fail(__FILE__, __LINE__, "%s: %s", parse_ok[i].text,
				  why);
			continue;
		}
		render(c.xf, c.nxf, got, sizeof(got));
		if (strcmp(got, parse_ok[i].want))
			test_fail(__FILE__, __LINE__, "%s: %s", parse_ok[i].text,
				  got);
		CHECK_EQ(c.protocol, parse_ok[i].kind == IKE_PROP_IKE ? 1 : 3);
	}
}

static const struct {
	enum ike_prop_kind kind;
	const char *text, *why, *bad;
} parse_bad[] = {
	{ IKE_PROP_IKE, "", "empty proposal", "" },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256", "no key exchange group", "" },
	{ IKE_PROP_IKE, "aes256gcm16-x25519", "AEAD cipher without a prf", "" },
	{ IKE_PROP_IKE, "aes256-x25519", "cipher without an integrity", "" },
	{ IKE_PROP_IKE, "aes256-prfsha256-x25519",
	  "cipher without an integrity", "" },
	{ IKE_PROP_IKE, "aes256gcm16-sha256-prfsha256-x25519",
	  "integrity algorithm with an AEAD", "" },
	{ IKE_PROP_IKE, "aes256gcm16-aes256-sha256-x25519",
	  "AEAD and non-AEAD", "" },
	{ IKE_PROP_IKE, "prfsha256-x25519", "no cipher", "" },
	{ IKE_PROP_IKE, "AES256gcm16-prfsha256-x25519", "unknown algorithm",
	  "AES256gcm16" },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x448", "unknown algorithm",
	  "x448" },
	{ IKE_PROP_IKE, "aes192-sha256-x25519", "unknown algorithm", "aes192" },
	{ IKE_PROP_IKE, "aes256gcm16 -prfsha256-x25519", "unknown algorithm",
	  "aes256gcm16 " },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519-",
	  "empty algorithm name", "" },
	{ IKE_PROP_IKE, "-aes256gcm16-prfsha256-x25519",
	  "empty algorithm name", "" },
	{ IKE_PROP_IKE, "aes256gcm16--prfsha256-x25519",
	  "empty algorithm name", "" },
	{ IKE_PROP_IKE, "aes128ccm16-prfsha256-x25519",
	  "not allowed in IKE", "aes128ccm16" },
	{ IKE_PROP_IKE, "aes128ccm8-prfsha256-x25519", "not allowed in IKE",
	  "aes128ccm8" },
	{ IKE_PROP_IKE, "null-sha256-prfsha256-x25519", "not allowed in IKE",
	  "null" },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519-esn",
	  "not allowed in IKE", "esn" },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519-noesn",
	  "not allowed in IKE", "noesn" },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519-x25519", "repeated",
	  "x25519" },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519-curve25519", "repeated",
	  "curve25519" },
	{ IKE_PROP_ESP, "aes256", "not allowed in ESP", "aes256" },
	{ IKE_PROP_ESP, "aes128-sha256", "not allowed in ESP", "aes128" },
	{ IKE_PROP_ESP, "null", "cipher without an integrity", "" },
	{ IKE_PROP_ESP, "aes128gcm16-sha256",
	  "integrity algorithm with an AEAD", "" },
	{ IKE_PROP_ESP, "aes256gcm16-prfsha256", "not allowed in ESP",
	  "prfsha256" },
	{ IKE_PROP_ESP, "null-sha384", "not allowed in ESP", "sha384" },
	{ IKE_PROP_ESP, "null-sha512", "not allowed in ESP", "sha512" },
	{ IKE_PROP_ESP, "null-sha256-aes128gcm16", "AEAD and non-AEAD", "" },
	{ IKE_PROP_ESP, "aes256ccm16", "unknown algorithm", "aes256ccm16" },
	{ IKE_PROP_ESP, "aes128gcm8", "unknown algorithm", "aes128gcm8" },
	{ IKE_PROP_ESP, "esn", "no cipher", "" },
	{ IKE_PROP_ESP, "aes256gcm16-esn-esn", "repeated", "esn" },
	{ IKE_PROP_ESP, "aes256gcm16-ESN", "unknown algorithm", "ESN" },
};

TEST(ike_proposal_parse_refused)
{
	struct ike_prop_conf c;
	char bad[IKE_PROP_TOKEN_MAX];
	const char *why;
	unsigned i;

	for (i = 0; i < sizeof(parse_bad) / sizeof(parse_bad[0]); i++) {
		why = NULL;
		strcpy(bad, "?");
		CHECK_EQ(ike_proposal_parse(parse_bad[i].text,
					    strlen(parse_bad[i].text),
					    parse_bad[i].kind, &c, &why, bad,
					    sizeof(bad)), -EINVAL);
		if (!why || !strstr(why, parse_bad[i].why) ||
		    strcmp(bad, parse_bad[i].bad))
			test_fail(__FILE__, __LINE__, "%s: %s / %s",
				  parse_bad[i].text, why ? why : "(null)", bad);
	}
	/* The token is cut to the caller's buffer; no buffer is fine. */
	CHECK_EQ(ike_proposal_parse("aes192", 6, IKE_PROP_IKE, &c, &why, bad,
				    4), -EINVAL);
	CHECK(!strcmp(bad, "aes"));
	CHECK_EQ(ike_proposal_parse("aes192", 6, IKE_PROP_IKE, &c, NULL, NULL,
				    0), -EINVAL);
	/* Only len bytes are read. */
	CHECK_EQ(ike_proposal_parse("aes128gcm16-x25519", 11, IKE_PROP_ESP, &c,
				    &why, bad, sizeof(bad)), 0);
	CHECK_EQ(c.nxf, 2);
}

TEST(ike_proposal_parse_list)
{
	struct ike_prop_conf c[4];
	char bad[IKE_PROP_TOKEN_MAX], got[128];
	const char *why;
	unsigned n;

	CHECK_EQ(ike_proposals_parse("aes256gcm16-prfsha256-x25519, "
				     "aes128gcm16-prfsha384-ecp256,\t"
				     "chacha20poly1305-prfsha512-modp2048 ",
				     IKE_PROP_IKE, c, 4, &n, &why, bad,
				     sizeof(bad)), 0);
	REQUIRE(n == 3);
	render(c[2].xf, c[2].nxf, got, sizeof(got));
	CHECK(!strcmp(got, "1:28 2:7 4:14"));
	CHECK_EQ(ike_proposals_parse("aes256gcm16,aes128ccm8,chacha20poly1305",
				     IKE_PROP_ESP, c, 3, &n, &why, bad,
				     sizeof(bad)), 0);
	CHECK_EQ(n, 3);
	/* Refusals, naming the token of the failing item. */
	CHECK_EQ(ike_proposals_parse("aes256gcm16, aes128ccm9", IKE_PROP_ESP,
				     c, 4, &n, &why, bad, sizeof(bad)),
		 -EINVAL);
	CHECK(!strcmp(bad, "aes128ccm9"));
	CHECK_EQ(ike_proposals_parse("aes256gcm16, ,aes128ccm8", IKE_PROP_ESP,
				     c, 4, &n, &why, bad, sizeof(bad)),
		 -EINVAL);
	CHECK(!strcmp(why, "empty proposal"));
	CHECK_EQ(ike_proposals_parse("aes256gcm16,", IKE_PROP_ESP, c, 4, &n,
				     &why, bad, sizeof(bad)), -EINVAL);
	CHECK_EQ(ike_proposals_parse("", IKE_PROP_ESP, c, 4, &n, &why, bad,
				     sizeof(bad)), -EINVAL);
	CHECK_EQ(ike_proposals_parse("aes256gcm16,aes128gcm16,null-sha256",
				     IKE_PROP_ESP, c, 2, &n, &why, bad,
				     sizeof(bad)), -EINVAL);
	CHECK(!strcmp(why, "too many proposals"));
	CHECK(!strcmp(bad, "null-sha256"));
}

static void conf_of(const char *text, enum ike_prop_kind kind,
		    struct ike_prop_conf *c, unsigned *n)
{
	const char *why = "";

	if (ike_proposals_parse(text, kind, c, IKE_PROP_CONF_MAX, n, &why,
				NULL, 0))
		test_fail(__FILE__, __LINE__, "%s: %s", text, why);
}

/* ---- Building ------------------------------------------------------ */

TEST(ike_proposal_build)
{
	struct ike_prop_conf c[IKE_PROP_CONF_MAX];
	struct ike_proposal p[IKE_PROPOSALS_MAX];
	const uint8_t spi[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char got[128];
	unsigned n;

	conf_of("aes256gcm16-prfsha256-x25519, aes256-sha256-ecp384",
		IKE_PROP_IKE, c, &n);
	CHECK_EQ(ike_proposals_build(c, n, NULL, 0, 0, p, IKE_PROPOSALS_MAX),
		 2);
	CHECK(p[0].num == 1 && p[1].num == 2);
	CHECK(p[0].protocol == 1 && p[0].spi_size == 0);
	render(p[1].xf, p[1].nxf, got, sizeof(got));
	CHECK(!strcmp(got, "1:12/256 2:5 3:12 4:20"));
	CHECK_EQ(ike_proposals_build(c, n, spi, 8, 0, p, 2), 2);
	CHECK(p[1].spi_size == 8 && !memcmp(p[1].spi, spi, 8));
	/* ESP: a 4-byte SPI; IKE_AUTH leaves the groups out. */
	conf_of("aes128gcm16-x25519-esn, chacha20poly1305", IKE_PROP_ESP, c,
		&n);
	CHECK_EQ(ike_proposals_build(c, n, spi, 4, 0, p, 2), 2);
	render(p[0].xf, p[0].nxf, got, sizeof(got));
	CHECK(!strcmp(got, "1:20/128 4:31 5:1"));
	CHECK(p[0].protocol == 3 && p[0].spi_size == 4 &&
	      !memcmp(p[0].spi, spi, 4));
	CHECK_EQ(ike_proposals_build(c, n, spi, 4, IKE_PROP_NO_KE, p, 2), 2);
	render(p[0].xf, p[0].nxf, got, sizeof(got));
	CHECK(!strcmp(got, "1:20/128 5:1"));
	/* Refusals. */
	CHECK_EQ(ike_proposals_build(c, 0, spi, 4, 0, p, 2), -EINVAL);
	CHECK_EQ(ike_proposals_build(c, n, spi, 4, 0, p, 1), -EINVAL);
	CHECK_EQ(ike_proposals_build(c, n, spi, 3, 0, p, 2), -EINVAL);
	CHECK_EQ(ike_proposals_build(c, n, NULL, 4, 0, p, 2), -EINVAL);
	CHECK_EQ(ike_proposals_build(c, IKE_PROPOSALS_MAX + 1, spi, 4, 0, p,
				     64), -EINVAL);
}

TEST(ike_proposal_dh_groups)
{
	struct ike_prop_conf c[IKE_PROP_CONF_MAX];
	unsigned n;

	conf_of("aes256gcm16-prfsha256-ecp256-x25519, aes256-sha256-modp2048",
		IKE_PROP_IKE, c, &n);
	CHECK_EQ(ike_proposals_first_dh(c, n), 19);
	CHECK(ike_proposals_offer_dh(c, n, 31));
	CHECK(ike_proposals_offer_dh(c, n, 14));
	CHECK(!ike_proposals_offer_dh(c, n, 20));
	CHECK(!ike_proposals_offer_dh(c, n, 0));
	conf_of("aes256gcm16, aes128gcm16-ecp384", IKE_PROP_ESP, c, &n);
	CHECK_EQ(ike_proposals_first_dh(c, n), 20);
	CHECK_EQ(ike_proposals_first_dh(c, 1), 0);
	CHECK(!ike_proposals_offer_dh(c, 1, 20));
}

/* ---- Selection ----------------------------------------------------- */

/* The peer's SA payload from its configuration text. */
static void peer_of(const char *text, enum ike_prop_kind kind,
		    struct ike_sa_payload *sa)
{
	static const uint8_t spi[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	struct ike_prop_conf c[IKE_PROP_CONF_MAX];
	unsigned n;
	int r;

	conf_of(text, kind, c, &n);
	r = ike_proposals_build(c, n, spi, kind == IKE_PROP_IKE ? 0 : 4, 0,
				sa->prop, IKE_PROPOSALS_MAX);
	sa->n = r > 0 ? (unsigned)r : 0;
}

static const struct {
	enum ike_prop_kind kind;
	const char *ours, *peer;
	unsigned flags;
	uint16_t ke;
	int rc;
	unsigned num, conf;
	const char *want;
} select_cases[] = {
	/* Our preference order over the peer's. */
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519, "
	  "aes128gcm16-prfsha256-ecp256", "aes128gcm16-prfsha256-ecp256, "
	  "aes256gcm16-prfsha256-x25519", 0, 0, 0, 2, 0, "1:20/256 2:5 4:31" },
	/* ... also within a proposal. */
	{ IKE_PROP_IKE, "aes128gcm16-aes256gcm16-prfsha384-prfsha256-x25519-"
	  "ecp256", "aes256gcm16-aes128gcm16-prfsha256-prfsha384-ecp256-"
	  "x25519", 0, 0, 0, 1, 0, "1:20/128 2:6 4:31" },
	/* The KE payload's group when acceptable, else ours. */
	{ IKE_PROP_IKE, "aes128gcm16-prfsha256-x25519-ecp256",
	  "aes128gcm16-prfsha256-ecp256-x25519", 0, 19, 0, 1, 0,
	  "1:20/128 2:5 4:19" },
	{ IKE_PROP_IKE, "aes128gcm16-prfsha256-x25519-ecp256",
	  "aes128gcm16-prfsha256-ecp256-x25519-modp2048", 0, 14, 0, 1, 0,
	  "1:20/128 2:5 4:31" },
	/* Key lengths must agree. */
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519",
	  "aes128gcm16-prfsha256-x25519", 0, 0, -ENOENT, 0, 0, NULL },
	{ IKE_PROP_IKE, "aes128-sha256-x25519", "aes256-sha256-x25519", 0, 0,
	  -ENOENT, 0, 0, NULL },
	{ IKE_PROP_IKE, "aes128-sha256-x25519, aes256-sha256-x25519",
	  "aes256-sha256-x25519", 0, 0, 0, 1, 1, "1:12/256 2:5 3:12 4:31" },
	/* Non-AEAD: integrity and prf by our order. */
	{ IKE_PROP_IKE, "aes256-sha256-sha384-x25519",
	  "aes256-sha384-sha256-x25519", 0, 0, 0, 1, 0,
	  "1:12/256 2:5 3:12 4:31" },
	{ IKE_PROP_IKE, "aes256-sha512-x25519", "aes256-sha256-x25519", 0, 0,
	  -ENOENT, 0, 0, NULL },
	{ IKE_PROP_IKE, "aes256gcm16-prfsha256-x25519",
	  "aes256gcm16-prfsha256-ecp384", 0, 0, -ENOENT, 0, 0, NULL },
	/* ESP: ESN by our order; both; one side without the other's. */
	{ IKE_PROP_ESP, "aes256gcm16-esn-noesn", "aes256gcm16-noesn-esn", 0,
	  0, 0, 1, 0, "1:20/256 5:1" },
	{ IKE_PROP_ESP, "aes256gcm16", "aes256gcm16-esn-noesn", 0, 0, 0, 1, 0,
	  "1:20/256 5:0" },
	{ IKE_PROP_ESP, "aes256gcm16", "aes256gcm16-esn", 0, 0, -ENOENT, 0, 0,
	  NULL },
	{ IKE_PROP_ESP, "aes256gcm16-esn", "aes256gcm16", 0, 0, -ENOENT, 0, 0,
	  NULL },
	/* ESP and PFS. */
	{ IKE_PROP_ESP, "aes256gcm16", "aes256gcm16-x25519", 0, 0, -ENOENT, 0,
	  0, NULL },
	{ IKE_PROP_ESP, "aes256gcm16", "aes256gcm16-x25519", IKE_PROP_NO_KE,
	  0, 0, 1, 0, "1:20/256 5:0" },
	{ IKE_PROP_ESP, "aes256gcm16-x25519", "aes256gcm16", 0, 0, -ENOENT, 0,
	  0, NULL },
	{ IKE_PROP_ESP, "aes256gcm16-x25519", "aes256gcm16", IKE_PROP_NO_KE,
	  0, 0, 1, 0, "1:20/256 5:0" },
	{ IKE_PROP_ESP, "aes256gcm16-ecp256-x25519",
	  "aes256gcm16-x25519-ecp256", 0, 0, 0, 1, 0, "1:20/256 4:19 5:0" },
	/* ESP ciphers. */
	{ IKE_PROP_ESP, "aes128ccm8, null-sha256", "null-sha256, aes128ccm16",
	  0, 0, 0, 1, 1, "1:11 3:12 5:0" },
	{ IKE_PROP_ESP, "chacha20poly1305", "aes128ccm8, chacha20poly1305", 0,
	  0, 0, 2, 0, "1:28 5:0" },
};

static void run_select_case(unsigned i)
{
	struct ike_prop_conf c[IKE_PROP_CONF_MAX];
	struct ike_sa_payload peer;
	struct ike_choice ch;
	char got[128];
	unsigned n;
	int rc;

	conf_of(select_cases[i].ours, select_cases[i].kind, c, &n);
	peer_of(select_cases[i].peer, select_cases[i].kind, &peer);
	rc = ike_proposal_select(&peer, c, n, select_cases[i].flags,
				 select_cases[i].ke, &ch);
	if (rc != select_cases[i].rc) {
		test_fail(__FILE__, __LINE__, "case %u: rc %d", i, rc);
		return;
	}
	if (rc)
		return;
	render(ch.prop.xf, ch.prop.nxf, got, sizeof(got));
	if (strcmp(got, select_cases[i].want) ||
	    ch.prop.num != select_cases[i].num ||
	    ch.conf != select_cases[i].conf)
		test_fail(__FILE__, __LINE__, "case %u: #%u conf %u %s", i,
			  ch.prop.num, ch.conf, got);
	/* The peer's SPI is carried; the suite is the choice. */
	CHECK(ch.prop.spi_size == peer.prop[0].spi_size &&
	      !memcmp(ch.prop.spi, peer.prop[0].spi, ch.prop.spi_size));
}

TEST(ike_proposal_select_table)
{
	unsigned i;

	for (i = 0; i < sizeof(select_cases) / sizeof(select_cases[0]); i++)
		run_select_case(i);
}

static void add_xf(struct ike_proposal *p, uint8_t type, uint16_t id,
		   uint16_t key, bool unknown)
{
	struct ike_transform *t = &p->xf[p->nxf++];

	t->type = type;
	t->id = id;
	t->key_len = key;
	t->unknown_attr = unknown;
}

static void del_type(struct ike_proposal *p, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < p->nxf; i++)
		if (p->xf[i].type != type)
			p->xf[n++] = p->xf[i];
	p->nxf = n;
}

static int sel(const char *ours, enum ike_prop_kind kind,
	       const struct ike_sa_payload *peer, struct ike_choice *ch)
{
	struct ike_prop_conf c[IKE_PROP_CONF_MAX];
	unsigned n;

	conf_of(ours, kind, c, &n);
	return ike_proposal_select(peer, c, n, 0, 0, ch);
}

/* Received proposals no configuration string can make. */
TEST(ike_proposal_select_odd)
{
	const char *ike = "aes256gcm16-prfsha256-x25519";
	struct ike_sa_payload peer;
	struct ike_choice ch;
	char got[128];

	/* AEAD with a real integrity algorithm: refused; with NONE: taken,
	 * and NONE answered. */
	peer_of(ike, IKE_PROP_IKE, &peer);
	add_xf(&peer.prop[0], 3, 12, 0, false);
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	peer_of(ike, IKE_PROP_IKE, &peer);
	add_xf(&peer.prop[0], 3, 0, 0, false);
	REQUIRE(sel(ike, IKE_PROP_IKE, &peer, &ch) == 0);
	render(ch.prop.xf, ch.prop.nxf, got, sizeof(got));
	CHECK(!strcmp(got, "1:20/256 2:5 3:0 4:31"));
	add_xf(&peer.prop[0], 3, 12, 0, false);
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	/* An unknown transform type skips its proposal (§3.3.6). */
	peer_of("aes256gcm16-prfsha256-x25519, aes256gcm16-prfsha256-x25519",
		IKE_PROP_IKE, &peer);
	add_xf(&peer.prop[0], 6, 1, 0, false);
	REQUIRE(sel(ike, IKE_PROP_IKE, &peer, &ch) == 0);
	CHECK_EQ(ch.prop.num, 2);
	add_xf(&peer.prop[1], 241, 1, 0, false);
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	/* So does a type that does not apply: ESN in IKE, PRF in ESP. */
	peer_of(ike, IKE_PROP_IKE, &peer);
	add_xf(&peer.prop[0], 5, 0, 0, false);
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	peer_of("aes256gcm16", IKE_PROP_ESP, &peer);
	add_xf(&peer.prop[0], 2, 5, 0, false);
	CHECK_EQ(sel("aes256gcm16", IKE_PROP_ESP, &peer, &ch), -ENOENT);
	/* A transform with an unknown attribute is not acceptable. */
	peer_of("aes256gcm16-aes128gcm16-prfsha256-x25519", IKE_PROP_IKE,
		&peer);
	peer.prop[0].xf[0].unknown_attr = true;
	REQUIRE(sel("aes256gcm16-aes128gcm16-prfsha256-x25519", IKE_PROP_IKE,
		    &peer, &ch) == 0);
	CHECK(ch.prop.xf[0].key_len == 128 && !ch.prop.xf[0].unknown_attr);
	peer.prop[0].xf[1].unknown_attr = true;
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	/* AES without a Key Length attribute. */
	peer_of(ike, IKE_PROP_IKE, &peer);
	peer.prop[0].xf[0].key_len = 0;
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	/* IKE without a group or a prf. */
	peer_of(ike, IKE_PROP_IKE, &peer);
	del_type(&peer.prop[0], 4);
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	peer_of(ike, IKE_PROP_IKE, &peer);
	del_type(&peer.prop[0], 2);
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	/* ESP without ESN transforms: NO_ESN, and no ESN answered. */
	peer_of("aes128gcm16-esn-noesn", IKE_PROP_ESP, &peer);
	del_type(&peer.prop[0], 5);
	REQUIRE(sel("aes128gcm16-esn-noesn", IKE_PROP_ESP, &peer, &ch) == 0);
	render(ch.prop.xf, ch.prop.nxf, got, sizeof(got));
	CHECK(!strcmp(got, "1:20/128"));
	CHECK(!ch.esp.esn);
	CHECK_EQ(sel("aes128gcm16-esn", IKE_PROP_ESP, &peer, &ch), -ENOENT);
	/* ESP with KE NONE and no PFS of ours: answered NONE. */
	peer_of("aes128gcm16", IKE_PROP_ESP, &peer);
	add_xf(&peer.prop[0], 4, 0, 0, false);
	REQUIRE(sel("aes128gcm16", IKE_PROP_ESP, &peer, &ch) == 0);
	render(ch.prop.xf, ch.prop.nxf, got, sizeof(got));
	CHECK(!strcmp(got, "1:20/128 4:0 5:0"));
	CHECK_EQ(ch.esp.dh, 0);
	/* SPI sizes: ESP 4 only; IKE 0 or 8. */
	peer_of("aes128gcm16", IKE_PROP_ESP, &peer);
	peer.prop[0].spi_size = 8;
	CHECK_EQ(sel("aes128gcm16", IKE_PROP_ESP, &peer, &ch), -ENOENT);
	peer_of(ike, IKE_PROP_IKE, &peer);
	peer.prop[0].spi_size = 8;
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), 0);
	peer.prop[0].spi_size = 4;
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	/* Protocols do not mix. */
	peer_of(ike, IKE_PROP_IKE, &peer);
	CHECK_EQ(sel("aes256gcm16", IKE_PROP_ESP, &peer, &ch), -ENOENT);
	peer_of("aes256gcm16", IKE_PROP_ESP, &peer);
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
	/* Nothing offered. */
	peer.n = 0;
	CHECK_EQ(sel(ike, IKE_PROP_IKE, &peer, &ch), -ENOENT);
}

TEST(ike_proposal_select_suites)
{
	struct ike_sa_payload peer;
	struct ike_choice ch;

	peer_of("aes256-sha384-ecp384", IKE_PROP_IKE, &peer);
	REQUIRE(sel("aes256-sha384-ecp384", IKE_PROP_IKE, &peer, &ch) == 0);
	CHECK(ch.ike.alg.encr == IKE_ENCR_AES_CBC &&
	      ch.ike.alg.encr_key_bits == 256 &&
	      ch.ike.alg.integ == IKE_INTEG_HMAC_SHA2_384_192 &&
	      ch.ike.alg.prf == IKE_PRF_HMAC_SHA2_384 &&
	      ch.ike.dh == IKE_DH_ECP_384);
	CHECK(ike_suite_ok(&ch.ike.alg));
	CHECK_EQ(ch.esp.encr, 0);
	peer_of("chacha20poly1305-prfsha512-x25519", IKE_PROP_IKE, &peer);
	REQUIRE(sel("chacha20poly1305-prfsha512-x25519", IKE_PROP_IKE, &peer,
		    &ch) == 0);
	CHECK(ch.ike.alg.encr == IKE_ENCR_CHACHA20_POLY1305 &&
	      ch.ike.alg.encr_key_bits == 256 &&
	      ch.ike.alg.integ == IKE_INTEG_NONE &&
	      ch.ike.alg.prf == IKE_PRF_HMAC_SHA2_512 &&
	      ch.ike.dh == IKE_DH_CURVE25519);
	CHECK(ike_suite_ok(&ch.ike.alg));
	peer_of("chacha20poly1305-modp2048-esn", IKE_PROP_ESP, &peer);
	REQUIRE(sel("chacha20poly1305-modp2048-esn", IKE_PROP_ESP, &peer,
		    &ch) == 0);
	CHECK(ch.esp.encr == 28 && ch.esp.encr_key_bits == 256 &&
	      ch.esp.integ == 0 && ch.esp.dh == 14 && ch.esp.esn);
	CHECK_EQ(ch.ike.alg.encr, 0);
}

/* ---- The initiator's check ----------------------------------------- */

static void reply1(struct ike_sa_payload *r, uint8_t num, uint8_t proto,
		   uint8_t spi_size)
{
	memset(r, 0, sizeof(*r));
	r->n = 1;
	r->prop[0].num = num;
	r->prop[0].protocol = proto;
	r->prop[0].spi_size = spi_size;
}

static int chk(const char *ours, enum ike_prop_kind kind, unsigned flags,
	       const struct ike_sa_payload *r, struct ike_choice *ch)
{
	struct ike_prop_conf c[IKE_PROP_CONF_MAX];
	unsigned n;

	conf_of(ours, kind, c, &n);
	return ike_proposal_check(r, c, n, flags, ch);
}

TEST(ike_proposal_check_ike)
{
	const char *ours = "aes256gcm16-aes128gcm16-prfsha256-x25519-ecp256, "
			   "aes256-sha256-modp2048";
	struct ike_sa_payload r;
	struct ike_choice ch;

	reply1(&r, 1, 1, 0);
	add_xf(&r.prop[0], 1, 20, 128, false);
	add_xf(&r.prop[0], 2, 5, 0, false);
	add_xf(&r.prop[0], 4, 19, 0, false);
	REQUIRE(chk(ours, IKE_PROP_IKE, 0, &r, &ch) == 0);
	CHECK(ch.conf == 0 && ch.ike.dh == 19 &&
	      ch.ike.alg.encr_key_bits == 128);
	/* INTEG NONE with an AEAD is tolerated; anything else is not. */
	add_xf(&r.prop[0], 3, 0, 0, false);
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), 0);
	r.prop[0].xf[3].id = 12;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].nxf = 3;
	/* Two of a type, one missing, one not offered, a key length not
	 * offered, an unknown attribute, an unknown type. */
	add_xf(&r.prop[0], 4, 31, 0, false);
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].nxf = 2;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	add_xf(&r.prop[0], 4, 14, 0, false);
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].xf[2].id = 31;
	r.prop[0].xf[0].key_len = 192;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].xf[0].key_len = 256;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), 0);
	r.prop[0].xf[1].unknown_attr = true;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].xf[1].unknown_attr = false;
	add_xf(&r.prop[0], 6, 1, 0, false);
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].nxf = 3;
	/* Numbers, protocol, SPI size, proposal count. */
	r.prop[0].num = 2;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].num = 3;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].num = 0;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].num = 1;
	r.prop[0].spi_size = 8;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), 0);
	r.prop[0].spi_size = 4;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].spi_size = 0;
	r.prop[0].protocol = 3;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.prop[0].protocol = 1;
	r.n = 2;
	r.prop[1] = r.prop[0];
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	r.n = 0;
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
	/* The second proposal: CBC with HMAC. */
	reply1(&r, 2, 1, 0);
	add_xf(&r.prop[0], 1, 12, 256, false);
	add_xf(&r.prop[0], 2, 5, 0, false);
	add_xf(&r.prop[0], 3, 12, 0, false);
	add_xf(&r.prop[0], 4, 14, 0, false);
	REQUIRE(chk(ours, IKE_PROP_IKE, 0, &r, &ch) == 0);
	CHECK(ch.conf == 1 && ch.ike.alg.integ == IKE_INTEG_HMAC_SHA2_256_128);
	del_type(&r.prop[0], 3);
	CHECK_EQ(chk(ours, IKE_PROP_IKE, 0, &r, &ch), -EBADMSG);
}

TEST(ike_proposal_check_esp)
{
	struct ike_sa_payload r;
	struct ike_choice ch;

	reply1(&r, 1, 3, 4);
	add_xf(&r.prop[0], 1, 20, 128, false);
	add_xf(&r.prop[0], 5, 1, 0, false);
	REQUIRE(chk("aes128gcm16-esn-noesn", IKE_PROP_ESP, 0, &r, &ch) == 0);
	CHECK(ch.esp.esn && ch.esp.encr_key_bits == 128);
	CHECK_EQ(chk("aes128gcm16", IKE_PROP_ESP, 0, &r, &ch), -EBADMSG);
	/* KE NONE without PFS tolerated; a group we did not offer not. */
	add_xf(&r.prop[0], 4, 0, 0, false);
	CHECK_EQ(chk("aes128gcm16-esn", IKE_PROP_ESP, 0, &r, &ch), 0);
	r.prop[0].xf[2].id = 31;
	CHECK_EQ(chk("aes128gcm16-esn", IKE_PROP_ESP, 0, &r, &ch), -EBADMSG);
	CHECK_EQ(chk("aes128gcm16-esn-x25519", IKE_PROP_ESP, 0, &r, &ch), 0);
	CHECK_EQ(ch.esp.dh, 31);
	/* IKE_AUTH: we sent no group, so none may come back. */
	CHECK_EQ(chk("aes128gcm16-esn-x25519", IKE_PROP_ESP, IKE_PROP_NO_KE,
		     &r, &ch), -EBADMSG);
	del_type(&r.prop[0], 4);
	CHECK_EQ(chk("aes128gcm16-esn-x25519", IKE_PROP_ESP, IKE_PROP_NO_KE,
		     &r, &ch), 0);
	CHECK_EQ(chk("aes128gcm16-esn-x25519", IKE_PROP_ESP, 0, &r, &ch),
		 -EBADMSG);
	/* ESN missing; SPI size other than 4. */
	del_type(&r.prop[0], 5);
	CHECK_EQ(chk("aes128gcm16-esn-noesn", IKE_PROP_ESP, 0, &r, &ch),
		 -EBADMSG);
	add_xf(&r.prop[0], 5, 0, 0, false);
	r.prop[0].spi_size = 8;
	CHECK_EQ(chk("aes128gcm16-esn-noesn", IKE_PROP_ESP, 0, &r, &ch),
		 -EBADMSG);
}

/* ---- Round trip through the payload encoder ------------------------ */

static int wire_sa(const struct ike_proposal *p, unsigned n,
		   struct ike_sa_payload *out)
{
	static uint8_t buf[8192];
	const struct ike_hdr h = { .spi_i = 1, .exchange = IKE_EXCH_SA_INIT };
	struct ike_writer w;
	struct ike_msg m;
	int len, i;

	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_sa(&w, p, n);
	len = ike_writer_finish(&w);
	if (len < 0 || ike_msg_parse(buf, (size_t)len, &m) != IKE_PARSE_OK)
		return -1;
	i = ike_chain_find(&m.chain, IKE_PL_SA, 0);
	if (i < 0 || ike_decode_sa(m.chain.pl[i].body, out) != IKE_PARSE_OK)
		return -1;
	return 0;
}

static const char *const ike_pool[] = {
	"aes256gcm16-prfsha256-x25519", "aes128gcm16-prfsha384-ecp256",
	"chacha20poly1305-prfsha512-modp2048", "aes256-sha256-ecp384",
	"aes128-aes256-sha384-sha512-ecp256-x25519",
	"aes256gcm16-aes128gcm16-prfsha256-prfsha512-modp2048-ecp384",
};

static const char *const esp_pool[] = {
	"aes256gcm16", "aes128gcm16-esn", "aes128ccm8-noesn-esn",
	"aes128ccm16", "chacha20poly1305-x25519", "null-sha256-esn",
	"aes256gcm16-aes128gcm16-ecp256-modp2048",
};

/* A random list of 1..3 pool entries. */
static void rand_conf(const char *const *pool, unsigned size,
		      enum ike_prop_kind kind, struct ike_prop_conf *c,
		      unsigned *n)
{
	char text[512];
	unsigned i, k = 1 + (unsigned)(test_rand() % 3);

	text[0] = '\0';
	for (i = 0; i < k; i++) {
		if (i)
			strcat(text, ",");
		strcat(text, pool[test_rand() % size]);
	}
	conf_of(text, kind, c, n);
}

/* Initiator offers, responder selects, initiator checks: through the
 * encoder and decoder each time; both ends then hold the same suite. */
static void round_trip(enum ike_prop_kind kind, unsigned flags)
{
	const char *const *pool = kind == IKE_PROP_IKE ? ike_pool : esp_pool;
	unsigned size = kind == IKE_PROP_IKE ? 6 : 7;
	struct ike_prop_conf ci[IKE_PROP_CONF_MAX], cr[IKE_PROP_CONF_MAX];
	struct ike_proposal offer[IKE_PROPOSALS_MAX];
	const uint8_t spi_i[4] = { 1, 2, 3, 4 }, spi_r[4] = { 5, 6, 7, 8 };
	struct ike_sa_payload sa, back;
	struct ike_choice chr, chi;
	unsigned ni, nr, spi_size = kind == IKE_PROP_IKE ? 0 : 4;
	int n;

	rand_conf(pool, size, kind, ci, &ni);
	rand_conf(pool, size, kind, cr, &nr);
	n = ike_proposals_build(ci, ni, spi_i, (uint8_t)spi_size, flags,
				offer, IKE_PROPOSALS_MAX);
	REQUIRE(n > 0 && wire_sa(offer, (unsigned)n, &sa) == 0);
	if (ike_proposal_select(&sa, cr, nr, flags,
				ike_proposals_first_dh(ci, ni), &chr))
		return;
	memcpy(chr.prop.spi, spi_r, sizeof(spi_r));
	REQUIRE(wire_sa(&chr.prop, 1, &back) == 0);
	REQUIRE(ike_proposal_check(&back, ci, ni, flags, &chi) == 0);
	CHECK(!memcmp(&chi.ike, &chr.ike, sizeof(chi.ike)));
	CHECK(!memcmp(&chi.esp, &chr.esp, sizeof(chi.esp)));
	CHECK(!memcmp(back.prop[0].spi, spi_r, spi_size));
	if (kind == IKE_PROP_IKE)
		CHECK(ike_suite_ok(&chi.ike.alg));
}

TEST(ike_proposal_round_trip)
{
	unsigned i;

	for (i = 0; i < 500; i++) {
		round_trip(IKE_PROP_IKE, 0);
		round_trip(IKE_PROP_ESP, 0);
		round_trip(IKE_PROP_ESP, IKE_PROP_NO_KE);
	}
}

/* ---- The data plane's form ----------------------------------------- */

/* Key material = key || salt: AES-GCM salt 4 (RFC 4106 §8.1), AES-CCM
 * salt 3 (RFC 4309 §7.1), ChaCha20-Poly1305 salt 4 (RFC 7634 §2),
 * HMAC-SHA2-256-128: 32-byte key, 16-byte ICV (RFC 4868 §2.1, §2.6). */
static const struct {
	struct ike_suite_esp s;
	int rc;
	enum esp_cipher cipher;
	unsigned icv, keymat;
} to_cipher[] = {
	{ { 20, 128, 0, 0, false }, 0, ESP_CIPHER_AES_GCM_128, 16, 20 },
	{ { 20, 256, 0, 0, true }, 0, ESP_CIPHER_AES_GCM_256, 16, 36 },
	{ { 14, 128, 0, 0, false }, 0, ESP_CIPHER_AES_CCM_128, 8, 19 },
	{ { 16, 128, 0, 31, false }, 0, ESP_CIPHER_AES_CCM_128, 16, 19 },
	{ { 28, 256, 0, 0, false }, 0, ESP_CIPHER_CHACHA20_POLY1305, 16, 36 },
	{ { 11, 0, 12, 0, false }, 0, ESP_CIPHER_NULL_HMAC_SHA256, 16, 32 },
	{ { 12, 256, 12, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 20, 192, 0, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 16, 256, 0, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 14, 256, 0, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 15, 128, 0, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 20, 128, 12, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 28, 128, 0, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 11, 0, 0, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 11, 0, 13, 0, false }, -ENOTSUP, 0, 0, 0 },
	{ { 0, 0, 0, 0, false }, -ENOTSUP, 0, 0, 0 },
};

TEST(ike_proposal_esp_to_cipher)
{
	enum esp_cipher c;
	uint8_t icv;
	size_t keymat;
	unsigned i;

	for (i = 0; i < sizeof(to_cipher) / sizeof(to_cipher[0]); i++) {
		c = ESP_CIPHER_COUNT;
		icv = 99;
		keymat = 99;
		if (ike_suite_esp_to_cipher(&to_cipher[i].s, &c, &icv,
					    &keymat) != to_cipher[i].rc) {
			test_fail(__FILE__, __LINE__, "case %u", i);
			continue;
		}
		if (to_cipher[i].rc) {
			CHECK(c == ESP_CIPHER_COUNT && icv == 99 &&
			      keymat == 99);
			continue;
		}
		CHECK_EQ(c, to_cipher[i].cipher);
		CHECK_EQ(icv, to_cipher[i].icv);
		CHECK_EQ(keymat, to_cipher[i].keymat);
		CHECK(esp_cipher_icv_ok(esp_cipher_info(c), icv));
	}
}

/* Every ESP token that parses maps to the data plane. */
TEST(ike_proposal_esp_tokens_map)
{
	static const char *const all[] = {
		"aes256gcm16", "aes128gcm16", "aes128ccm8", "aes128ccm16",
		"chacha20poly1305", "null-sha256",
	};
	struct ike_sa_payload peer;
	struct ike_choice ch;
	enum esp_cipher c;
	uint8_t icv;
	size_t keymat;
	unsigned i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		peer_of(all[i], IKE_PROP_ESP, &peer);
		REQUIRE(sel(all[i], IKE_PROP_ESP, &peer, &ch) == 0);
		CHECK_EQ(ike_suite_esp_to_cipher(&ch.esp, &c, &icv, &keymat),
			 0);
	}
}
