/* SPDX-License-Identifier: MIT */
/*
 * Configuration parser, IKE-managed peers: the defaults, every key, each
 * form of every value, DER of DN identities against an independent
 * encoder, and the secrets' lifetime (wiped by conf_free and on failure).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "test.h"
#include "util/hex.h"

/* Lines 1-2, then an IKE peer on lines 3-7. */
#define DAEMON "[daemon]\nlocal-address = 10.0.0.1\n"
#define PSK_TEXT "correct horse battery staple"
#define IPEER "[peer b]\naddress = 10.0.0.2\nprotect = proto tcp\n" \
	      "auth = psk\npsk = \"" PSK_TEXT "\"\n"

static int parse(const char *text, struct conf *c, struct conf_error *e)
{
	int rc = conf_parse_text("t", text, strlen(text), NULL, c, e);

	if (rc)
		test_fail(__FILE__, __LINE__, "line %u: %s", e->line,
			  e->reason);
	return rc;
}

static bool id_is(const struct conf_ike_id *id, uint8_t type,
		  const void *data, size_t len)
{
	return id->type == type && id->len == len &&
	       !memcmp(id->data, data, len);
}

static bool names_are(const struct conf_ike_proposals *l,
		      const char *const *want, unsigned n)
{
	unsigned i;

	if (l->n != n)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(l->name[i], want[i]))
			return false;
	return true;
}

TEST(conf_ike_defaults)
{
	static const char *const ike[] = { "aes256gcm16-prfsha256-x25519",
					   "aes256gcm16-prfsha384-ecp256",
					   "aes128gcm16-prfsha256-modp2048" };
	static const char *const esp[] = { "aes256gcm16", "aes128gcm16",
					   "chacha20poly1305", "aes128ccm8" };
	static const uint8_t a1[] = { 10, 0, 0, 1 }, a2[] = { 10, 0, 0, 2 };
	static const struct conf_ike zero;
	static const char text[] = DAEMON IPEER
		"[peer s]\naddress = 10.0.0.3\nprotect = proto udp\n";
	const struct conf_ike *k;
	struct conf c;
	struct conf_error e;
	unsigned i;

	REQUIRE(parse(text, &c, &e) == 0);
	REQUIRE(c.npeers == 2 && c.nsas == 0);
	k = &c.peers[0].ike;
	CHECK(k->enabled && k->auth == CONF_IKE_AUTH_PSK);
	CHECK_EQ(k->psk_len, strlen(PSK_TEXT));
	CHECK_MEM(k->psk, PSK_TEXT, strlen(PSK_TEXT));
	CHECK(k->psk_inline);
	CHECK(id_is(&k->local_id, IKE_ID_IPV4_ADDR, a1, 4));
	CHECK(id_is(&k->remote_id, IKE_ID_IPV4_ADDR, a2, 4));
	CHECK(names_are(&k->ike_proposals, ike, 3));
	CHECK(names_are(&k->esp_proposals, esp, 4));
	CHECK_EQ(k->start, CONF_IKE_START_INITIATE);
	CHECK_EQ(k->ike_lifetime, 4 * 3600);
	CHECK_EQ(k->child_lifetime, 3600);
	CHECK_EQ(k->rekey_margin, 540);
	CHECK_EQ(k->rekey_jitter, 540);
	CHECK(k->child_lifetime_bytes == 0 && k->child_lifetime_packets == 0);
	CHECK_EQ(k->dpd_delay, 30);
	CHECK_EQ(k->retransmit_timeout_ms, 4000);
	CHECK_EQ(k->retransmit_tries, 5);
	CHECK(k->fragmentation && k->nat_traversal);
	CHECK_EQ(k->nat_keepalive, 20);
	CHECK_EQ(k->fragment_size, 1280);
	CHECK(k->key_line[CONF_IKE_AUTH] == 6 && k->key_line[CONF_IKE_PSK] == 7);
	for (i = CONF_IKE_PSK + 1; i < CONF_IKE_KEYS; i++)
		CHECK_EQ(k->key_line[i], 0);
	CHECK(!k->cert[0] && !k->key[0] && k->nca == 0 && !k->ca[0][0]);
	/* A peer without "auth" has no IKE settings at all. */
	CHECK(!memcmp(&c.peers[1].ike, &zero, sizeof(zero)));
	conf_free(&c);
}

static const char every_text[] =
	"[daemon]\nlocal-address = fd00::1\n"                     /* 1-2 */
	"[peer east]\naddress = fd00::2\nmode = tunnel\n"         /* 3-5 */
	"protect = local 10.1.0.0/16 remote 10.2.0.0/16\n"        /* 6 */
	"psk = 0x000102030405060708090a0b0c0d0e0f1011121314151617\n" /* 7 */
	"auth = psk\n"                                            /* 8 */
	"local-id = fqdn:west.example.org\n"                      /* 9 */
	"remote-id = email:ops@east.example.org\n"                /* 10 */
	"ike-proposals = aes128gcm16-prfsha256-ecp256 , aes256-sha384-modp3072\n" /* 11 */
	"esp-proposals = aes128gcm16-esn\n"                       /* 12 */
	"start = trap\n"                                          /* 13 */
	"ike-lifetime = 1d\n"                                     /* 14 */
	"child-lifetime = 30m\n"                                  /* 15 */
	"rekey-margin = 5m\n"                                     /* 16 */
	"rekey-jitter = 120\n"                                    /* 17 */
	"child-lifetime-bytes = 4G\n"                             /* 18 */
	"child-lifetime-packets = 1000000\n"                      /* 19 */
	"dpd-delay = 0\n"                                         /* 20 */
	"retransmit-timeout = 500ms\n"                            /* 21 */
	"retransmit-tries = 0\n"                                  /* 22 */
	"fragmentation = no\n"                                    /* 23 */
	"fragment-size = 576\n"                                   /* 24 */
	"nat-traversal = no\n"                                    /* 25 */
	"nat-keepalive = 0\n";                                    /* 26 */

TEST(conf_ike_every_key)
{
	static const char *const ike[] = { "aes128gcm16-prfsha256-ecp256",
					   "aes256-sha384-modp3072" };
	static const char *const esp[] = { "aes128gcm16-esn" };
	const struct conf_ike *k;
	struct conf c;
	struct conf_error e;
	unsigned i;

	REQUIRE(parse(every_text, &c, &e) == 0);
	k = &c.peers[0].ike;
	CHECK(k->enabled);
	CHECK_EQ(k->psk_len, 24);
	for (i = 0; i < 24; i++)
		CHECK_EQ(k->psk[i], i);
	CHECK(id_is(&k->local_id, IKE_ID_FQDN, "west.example.org", 16));
	CHECK(id_is(&k->remote_id, IKE_ID_RFC822_ADDR, "ops@east.example.org",
		    20));
	CHECK(names_are(&k->ike_proposals, ike, 2));
	CHECK(names_are(&k->esp_proposals, esp, 1));
	CHECK_EQ(k->start, CONF_IKE_START_TRAP);
	CHECK_EQ(k->ike_lifetime, 86400);
	CHECK_EQ(k->child_lifetime, 1800);
	CHECK_EQ(k->rekey_margin, 300);
	CHECK_EQ(k->rekey_jitter, 120);
	CHECK(k->child_lifetime_bytes == 4ull << 30);
	CHECK(k->child_lifetime_packets == 1000000);
	CHECK_EQ(k->dpd_delay, 0);
	CHECK_EQ(k->retransmit_timeout_ms, 500);
	CHECK_EQ(k->retransmit_tries, 0);
	CHECK(!k->fragmentation && !k->nat_traversal);
	CHECK_EQ(k->nat_keepalive, 0);
	CHECK_EQ(k->fragment_size, 576);
	for (i = 0; i < CONF_IKE_KEYS; i++)
		CHECK_EQ(k->key_line[i], i == CONF_IKE_AUTH ? 8 : i == CONF_IKE_PSK
					 ? 7 : i >= CONF_IKE_LOCAL_ID
					 ? 9 + i - CONF_IKE_LOCAL_ID : 0);
	CHECK(!k->cert[0] && !k->key[0] && k->nca == 0);
	conf_free(&c);
}

/* One line in an IKE peer (line 8) and what it sets. The default rekey
 * margin and jitter (9m each) need lifetimes above 18m. */
struct one_case {
	const char *line;
	enum conf_ike_key key;
	uint64_t value; /* the field of key, as a number */
};

static uint64_t field_of(const struct conf_ike *k, enum conf_ike_key key)
{
	switch (key) {
	case CONF_IKE_START: return k->start;
	case CONF_IKE_IKE_LIFETIME: return k->ike_lifetime;
	case CONF_IKE_CHILD_LIFETIME: return k->child_lifetime;
	case CONF_IKE_REKEY_MARGIN: return k->rekey_margin;
	case CONF_IKE_REKEY_JITTER: return k->rekey_jitter;
	case CONF_IKE_CHILD_LIFETIME_BYTES: return k->child_lifetime_bytes;
	case CONF_IKE_CHILD_LIFETIME_PACKETS: return k->child_lifetime_packets;
	case CONF_IKE_DPD_DELAY: return k->dpd_delay;
	case CONF_IKE_RETRANSMIT_TIMEOUT: return k->retransmit_timeout_ms;
	case CONF_IKE_RETRANSMIT_TRIES: return k->retransmit_tries;
	case CONF_IKE_FRAGMENTATION: return k->fragmentation;
	case CONF_IKE_FRAGMENT_SIZE: return k->fragment_size;
	case CONF_IKE_NAT_TRAVERSAL: return k->nat_traversal;
	case CONF_IKE_NAT_KEEPALIVE: return k->nat_keepalive;
	default: return UINT64_MAX;
	}
}

static const struct one_case one_cases[] = {
	{ "start = initiate", CONF_IKE_START, CONF_IKE_START_INITIATE },
	{ "start = wait", CONF_IKE_START, CONF_IKE_START_WAIT },
	{ "ike-lifetime = 1081", CONF_IKE_IKE_LIFETIME, 1081 },
	{ "ike-lifetime = 2h", CONF_IKE_IKE_LIFETIME, 7200 },
	{ "ike-lifetime = 30d", CONF_IKE_IKE_LIFETIME, 30 * 86400 },
	{ "ike-lifetime = 3600000ms", CONF_IKE_IKE_LIFETIME, 3600 },
	{ "child-lifetime = 19m", CONF_IKE_CHILD_LIFETIME, 1140 },
	{ "child-lifetime = 1081s", CONF_IKE_CHILD_LIFETIME, 1081 },
	{ "rekey-margin = 1s", CONF_IKE_REKEY_MARGIN, 1 },
	{ "rekey-margin = 10m", CONF_IKE_REKEY_MARGIN, 600 },
	{ "rekey-jitter = 0", CONF_IKE_REKEY_JITTER, 0 },
	{ "rekey-jitter = 0s", CONF_IKE_REKEY_JITTER, 0 },
	{ "child-lifetime-bytes = 0", CONF_IKE_CHILD_LIFETIME_BYTES, 0 },
	{ "child-lifetime-bytes = 1K", CONF_IKE_CHILD_LIFETIME_BYTES, 1024 },
	{ "child-lifetime-bytes = 3M", CONF_IKE_CHILD_LIFETIME_BYTES, 3u << 20 },
	{ "child-lifetime-bytes = 9223372036854775807", CONF_IKE_CHILD_LIFETIME_BYTES, INT64_MAX },
	{ "child-lifetime-bytes = 8589934591G", CONF_IKE_CHILD_LIFETIME_BYTES, 8589934591ull << 30 },
	{ "child-lifetime-packets = 2G", CONF_IKE_CHILD_LIFETIME_PACKETS, 2ull << 30 },
	{ "child-lifetime-packets = 007", CONF_IKE_CHILD_LIFETIME_PACKETS, 7 },
	{ "dpd-delay = 1d", CONF_IKE_DPD_DELAY, 86400 },
	{ "dpd-delay = 5", CONF_IKE_DPD_DELAY, 5 },
	{ "retransmit-timeout = 100ms", CONF_IKE_RETRANSMIT_TIMEOUT, 100 },
	{ "retransmit-timeout = 2", CONF_IKE_RETRANSMIT_TIMEOUT, 2000 },
	{ "retransmit-timeout = 1m", CONF_IKE_RETRANSMIT_TIMEOUT, 60000 },
	{ "retransmit-tries = 16", CONF_IKE_RETRANSMIT_TRIES, 16 },
	{ "fragmentation = yes", CONF_IKE_FRAGMENTATION, 1 },
	{ "fragment-size = 576", CONF_IKE_FRAGMENT_SIZE, 576 },
	{ "fragment-size = 65535", CONF_IKE_FRAGMENT_SIZE, 65535 },
	{ "nat-traversal = yes", CONF_IKE_NAT_TRAVERSAL, 1 },
	{ "nat-traversal=no", CONF_IKE_NAT_TRAVERSAL, 0 },
	{ "nat-keepalive = 1h", CONF_IKE_NAT_KEEPALIVE, 3600 },
	{ "nat-keepalive = 20s", CONF_IKE_NAT_KEEPALIVE, 20 },
};

TEST(conf_ike_each_value)
{
	char text[512];
	struct conf c;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < sizeof(one_cases) / sizeof(one_cases[0]); i++) {
		const struct one_case *oc = &one_cases[i];

		snprintf(text, sizeof(text), DAEMON IPEER "%s\n", oc->line);
		if (conf_parse_text("t", text, strlen(text), NULL, &c, &e)) {
			test_fail(__FILE__, __LINE__, "%s: %s", oc->line,
				  e.reason);
			continue;
		}
		if (field_of(&c.peers[0].ike, oc->key) != oc->value)
			test_fail(__FILE__, __LINE__, "%s: %llu", oc->line,
				  (unsigned long long)field_of(&c.peers[0].ike,
							       oc->key));
		CHECK_EQ(c.peers[0].ike.key_line[oc->key], 8);
		conf_free(&c);
	}
}

/* Rekeying fits exactly: margin + jitter one second below a lifetime. */
TEST(conf_ike_rekey_bounds)
{
	static const char text[] = DAEMON IPEER "child-lifetime = 1m\n"
		"rekey-margin = 59\nrekey-jitter = 0\nike-lifetime = 60\n";
	struct conf c;
	struct conf_error e;

	REQUIRE(parse(text, &c, &e) == 0);
	CHECK(c.peers[0].ike.rekey_margin == 59 && c.peers[0].ike.rekey_jitter == 0);
	conf_free(&c);
}

/* Identities: "local-id = VALUE" and the type and bytes it gives. */
static const struct {
	const char *value;
	uint8_t type;
	const char *hex; /* NULL: the text after the prefix */
} id_cases[] = {
	{ "fqdn:gw.example.org", IKE_ID_FQDN, NULL },
	{ "fqdn:a", IKE_ID_FQDN, NULL },
	{ "fqdn:under_score-1.example", IKE_ID_FQDN, NULL },
	{ "fqdn:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b", IKE_ID_FQDN, NULL },
	{ "email:ops@example.org", IKE_ID_RFC822_ADDR, NULL },
	{ "email:first.last+tag@mail.example", IKE_ID_RFC822_ADDR, NULL },
	{ "ip:192.0.2.7", IKE_ID_IPV4_ADDR, "c0000207" },
	{ "ip:2001:db8::1", IKE_ID_IPV6_ADDR, "20010db8000000000000000000000001" },
	/*
	 * DER of X.501 Names, made by Python's cryptography 38 with explicit
	 * string types (PrintableString P, UTF8String U, IA5String I):
	 *   x509.Name([x509.NameAttribute(OID, value, _type=T), ...])
	 *       .public_bytes().hex()
	 * C/O/CN = CH/Example/gw.example.org, all P:
	 */
	{ "dn:C=CH, O=Example, CN=gw.example.org", IKE_ID_DER_ASN1_DN,
	  "3038310b30090603550406130243483110300e060355040a13074578616d706c6531"
	  "1730150603550403130e67772e6578616d706c652e6f7267" },
	/* DC=org (I), DC=example (I), OU=Zürich (U), E=ops@example.org (I),
	 * serialNumber=1234, ST=Bern, L=Thun (P); type names in any case. */
	{ "dn:dc=org,DC=example , ou = Zürich,E=ops@example.org,serialnumber=1234,ST=Bern,l=Thun",
	  IKE_ID_DER_ASN1_DN,
	  "30818d31133011060a0992268993f22c64011916036f726731173015060a099226"
	  "8993f22c64011916076578616d706c653110300e060355040b0c075ac3bc726963"
	  "68311e301c06092a864886f70d010901160f6f7073406578616d706c652e6f7267"
	  "310d300b0603550405130431323334310d300b060355040813044265726e310d30"
	  "0b060355040713045468756e" },
	/* CN = 100 x "a", O = 30 x "b" (P): long-form lengths. */
	{ "dn:CN=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
	  "O=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", IKE_ID_DER_ASN1_DN,
	  "308198316d306b0603550403136461616161616161616161616161616161616161"
	  "616161616161616161616161616161616161616161616161616161616161616161"
	  "616161616161616161616161616161616161616161616161616161616161616161"
	  "61616161616161616161616161616131273025060355040a131e62626262626262"
	  "6262626262626262626262626262626262626262626262" },
};

TEST(conf_ike_ids)
{
	char text[1024];
	uint8_t want[CONF_ID_MAX];
	struct conf c;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		const char *v = id_cases[i].value;
		const char *body = strchr(v, ':') + 1;
		int n;

		snprintf(text, sizeof(text), DAEMON IPEER "remote-id = %s\n"
			 "local-id = %s\n", v, v);
		if (conf_parse_text("t", text, strlen(text), NULL, &c, &e)) {
			test_fail(__FILE__, __LINE__, "%s: %s", v, e.reason);
			continue;
		}
		if (id_cases[i].hex) {
			n = hex_decode(id_cases[i].hex, want, sizeof(want));
		} else {
			n = (int)strlen(body);
			memcpy(want, body, (size_t)n);
		}
		REQUIRE(n > 0);
		if (!id_is(&c.peers[0].ike.local_id, id_cases[i].type, want,
			   (size_t)n) ||
		    !id_is(&c.peers[0].ike.remote_id, id_cases[i].type, want,
			   (size_t)n))
			test_fail(__FILE__, __LINE__, "%s: type %u len %u", v,
				  c.peers[0].ike.local_id.type,
				  c.peers[0].ike.local_id.len);
		conf_free(&c);
	}
}

/* Default identities follow the family of the underlay, not of the
 * selectors. */
TEST(conf_ike_default_ids_ipv6)
{
	static const char text[] = "[daemon]\nlocal-address = fd00::1\n"
		"[peer b]\naddress = fd00::2\nmode = tunnel\n"
		"protect = local 10.1.0.0/16 remote 10.2.0.0/16\n"
		"auth = psk\npsk = \"" PSK_TEXT "\"\n";
	uint8_t a1[16] = { 0xfd }, a2[16] = { 0xfd };
	struct conf c;
	struct conf_error e;

	a1[15] = 1;
	a2[15] = 2;
	REQUIRE(parse(text, &c, &e) == 0);
	CHECK(id_is(&c.peers[0].ike.local_id, IKE_ID_IPV6_ADDR, a1, 16));
	CHECK(id_is(&c.peers[0].ike.remote_id, IKE_ID_IPV6_ADDR, a2, 16));
	conf_free(&c);
}

/* The forms of psk and the bytes each gives. */
static const struct {
	const char *value;
	const char *bytes; /* hex */
} psk_cases[] = {
	{ "0x00112233445566778899aabbccddeeff", "00112233445566778899aabbccddeeff" },
	{ "0X00112233445566778899AABBCCDDEEFF", "00112233445566778899aabbccddeeff" },
	{ "\"0123456789abcdef\"", "30313233343536373839616263646566" },
	/* Blanks inside the quotes are kept, and a "#" there is no comment. */
	{ "\" pass # phrase \t\"   # a comment", "20706173732023207068726173652009" },
	/* UTF-8: 8 x "é" is 16 bytes. */
	{ "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"",
	  "c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3a9" },
	/* Quotes elsewhere in a value are plain bytes of it. */
	{ "\"it's = 'quoted'#\"", "69742773203d202771756f7465642723" },
};

TEST(conf_ike_psk_forms)
{
	char text[1024];
	uint8_t want[CONF_PSK_MAX];
	struct conf c;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < sizeof(psk_cases) / sizeof(psk_cases[0]); i++) {
		int n = hex_decode(psk_cases[i].bytes, want, sizeof(want));

		snprintf(text, sizeof(text), DAEMON "[peer b]\naddress = "
			 "10.0.0.2\nprotect = proto tcp\nauth = psk\npsk = %s\n",
			 psk_cases[i].value);
		if (conf_parse_text("t", text, strlen(text), NULL, &c, &e)) {
			test_fail(__FILE__, __LINE__, "case %u: %s", i, e.reason);
			continue;
		}
		if (n < 0 || c.peers[0].ike.psk_len != (uint32_t)n ||
		    memcmp(c.peers[0].ike.psk, want, (size_t)n))
			test_fail(__FILE__, __LINE__, "case %u: %u bytes", i,
				  c.peers[0].ike.psk_len);
		CHECK(c.peers[0].ike.psk_inline);
		conf_free(&c);
	}
}

/* The longest key: 256 bytes, as hex and as a string. */
TEST(conf_ike_psk_max)
{
	char text[1200], hex[2 * CONF_PSK_MAX + 1], str[CONF_PSK_MAX + 1];
	struct conf c;
	struct conf_error e;
	unsigned i;

	for (i = 0; i < CONF_PSK_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", i);
	memset(str, 'z', CONF_PSK_MAX);
	str[CONF_PSK_MAX] = '\0';
	snprintf(text, sizeof(text), DAEMON "[peer b]\naddress = 10.0.0.2\n"
		 "protect = proto tcp\nauth = psk\npsk = 0x%s\n", hex);
	REQUIRE(parse(text, &c, &e) == 0);
	CHECK_EQ(c.peers[0].ike.psk_len, CONF_PSK_MAX);
	CHECK(c.peers[0].ike.psk[255] == 255 && c.peers[0].ike.psk[1] == 1);
	conf_free(&c);
	snprintf(text, sizeof(text), DAEMON "[peer b]\naddress = 10.0.0.2\n"
		 "protect = proto tcp\nauth = psk\npsk = \"%s\"\n", str);
	REQUIRE(parse(text, &c, &e) == 0);
	CHECK_EQ(c.peers[0].ike.psk_len, CONF_PSK_MAX);
	conf_free(&c);
}

/* Static and IKE-managed peers side by side; the static one keeps its
 * [sa] sections. */
TEST(conf_ike_mixed_peers)
{
	static const char text[] = DAEMON IPEER
		"[peer s]\naddress = 10.0.0.3\nprotect = proto udp\n"
		"[sa s-out]\npeer = s\ndirection = out\nspi = 0x1001\n"
		"cipher = null\n";
	struct conf c;
	struct conf_error e;

	REQUIRE(parse(text, &c, &e) == 0);
	REQUIRE(c.npeers == 2 && c.nsas == 1);
	CHECK(c.peers[0].ike.enabled && !c.peers[1].ike.enabled);
	CHECK_EQ(c.sas[0].peer, 1);
	conf_free(&c);
}

/*
 * Many IKE peers: the peer array, which holds keys, grows by copy and wipe
 * past several powers of two and keeps every key; conf_free zeroes all.
 */
TEST(conf_ike_many_peers_and_free)
{
	static const struct conf zero;
	size_t cap = 1 << 18, n = 0;
	char *t = malloc(cap);
	struct conf c;
	struct conf_error e;
	unsigned i;

	REQUIRE(t);
	n += (size_t)snprintf(t + n, cap - n, DAEMON);
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(t + n, cap - n, "[peer p%u]\naddress = "
				      "10.1.%u.2\nprotect = proto tcp\nauth = "
				      "psk\npsk = \"key of peer %08u\"\n", i, i, i);
	i = (unsigned)conf_parse_text("t", t, n, NULL, &c, &e);
	free(t);
	REQUIRE(i == 0);
	REQUIRE(c.npeers == 100);
	for (i = 0; i < 100; i++) {
		char want[32];

		snprintf(want, sizeof(want), "key of peer %08u", i);
		CHECK(c.peers[i].ike.psk_len == 20 &&
		      !memcmp(c.peers[i].ike.psk, want, 20));
	}
	conf_free(&c);
	CHECK(!memcmp(&c, &zero, sizeof(c)));
}

/* A file that fails after its psk was read leaves no key behind: the
 * output is zeroed (the peer array is wiped before it is freed). */
TEST(conf_ike_failure_after_psk)
{
	static const struct conf zero;
	static const char text[] = DAEMON IPEER "start = never\n";
	struct conf c;
	struct conf_error e;

	memset(&c, 0x5a, sizeof(c));
	CHECK_EQ(conf_parse_text("t", text, strlen(text), NULL, &c, &e),
		 -EINVAL);
	CHECK_EQ(e.line, 8);
	CHECK(!memcmp(&c, &zero, sizeof(c)));
}
