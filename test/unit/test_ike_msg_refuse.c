/* SPDX-License-Identifier: MIT */
/*
 * What the IKE parser refuses, and what it lets through, written by hand
 * from RFC 7296 §3 (and RFC 7383 §2.5, RFC 7427 §3): a table of whole
 * messages for ike_msg_parse() and ike_inner_parse(), and a table of
 * payload bodies for each decoder. Each entry names the rule it breaks and
 * the reason expected; every input is an exact-size heap copy so a read
 * past it trips ASan.
 */
#include <stdlib.h>
#include <string.h>

#include "ike/msg.h"
#include "ike_util.h"
#include "test.h"
#include "util/bytes.h"

#define BUF_MAX 2048

struct msg_case {
	const char *what;
	uint8_t next, version, exchange;
	const char *payloads;        /* hex after the header */
	int len_delta;               /* added to the length field */
	enum ike_parse want;
	unsigned n, skipped;         /* payloads recorded, skipped (OK) */
	uint8_t bad_type;            /* CRITICAL */
};

#define V2 0x20
#define INIT IKE_EXCH_SA_INIT

static const struct msg_case msg_cases[] = {
	{ "empty message", 0, V2, INIT, "", 0, IKE_PARSE_OK, 0, 0, 0 },
	{ "IKEv1 version 1.0", 0, 0x10, INIT, "", 0, IKE_PARSE_VERSION },
	{ "major version 3", 0, 0x30, INIT, "", 0, IKE_PARSE_VERSION },
	{ "minor version ignored (§2.5)", 0, 0x2f, INIT, "", 0, IKE_PARSE_OK },
	{ "exchange 33 reserved", 0, V2, 33, "", 0, IKE_PARSE_EXCHANGE },
	{ "exchange 0", 0, V2, 0, "", 0, IKE_PARSE_EXCHANGE },
	{ "exchange 255", 0, V2, 255, "", 0, IKE_PARSE_EXCHANGE },
	{ "length field one more", 0, V2, INIT, "", 1, IKE_PARSE_LENGTH },
	{ "length field one less", 0, V2, INIT, "", -1, IKE_PARSE_LENGTH },
	{ "payload length 3", 43, V2, INIT, "00000003", 0,
	  IKE_PARSE_PAYLOAD_SHORT },
	{ "payload length 0", 43, V2, INIT, "00000000", 0,
	  IKE_PARSE_PAYLOAD_SHORT },
	{ "payload length past the end", 43, V2, INIT, "00000008aabb", 0,
	  IKE_PARSE_PAYLOAD_OVERRUN },
	{ "generic header cut", 43, V2, INIT, "000000", 0,
	  IKE_PARSE_PAYLOAD_OVERRUN },
	{ "next payload with no bytes left", 43, V2, INIT, "2b000004", 0,
	  IKE_PARSE_PAYLOAD_OVERRUN },
	{ "byte after the last payload", 43, V2, INIT, "0000000400", 0,
	  IKE_PARSE_TRAILING },
	{ "first payload NONE, bytes follow", 0, V2, INIT, "00000004", 0,
	  IKE_PARSE_TRAILING },
	{ "unknown critical payload 60", 60, V2, INIT, "00800004", 0,
	  IKE_PARSE_CRITICAL, 0, 0, 60 },
	{ "unknown critical after known", 43, V2, INIT, "fd00000400800004", 0,
	  IKE_PARSE_CRITICAL, 0, 0, 253 },
	{ "unknown non-critical skipped", 60, V2, INIT, "2b00000600ff00000004",
	  0, IKE_PARSE_OK, 1, 1 },
	{ "GSPM (49) unknown here, skipped", 49, V2, INIT, "00000004", 0,
	  IKE_PARSE_OK, 0, 1 },
	{ "critical bit on a known payload", 43, V2, INIT, "00800004", 0,
	  IKE_PARSE_OK, 1, 0 },
	{ "reserved flag bits ignored", 43, V2, INIT, "007f0004", 0,
	  IKE_PARSE_OK, 1, 0 },
	{ "SK last", 46, V2, INIT, "2100000801020304", 0, IKE_PARSE_OK, 1 },
	{ "SK not last", 46, V2, INIT, "2b0000080000000000000004", 0,
	  IKE_PARSE_SK_NOT_LAST },
	{ "SKF not last", 53, V2, INIT, "2b0000080001000100000004", 0,
	  IKE_PARSE_SK_NOT_LAST },
	{ "SK after a payload", 43, V2, INIT, "2e000004000000050a", 0,
	  IKE_PARSE_OK, 2 },
};

/* Header fields, then the payloads; the length field is the total plus
 * delta. Returns the length, or 0 when it does not fit. */
static size_t make_msg(uint8_t *buf, size_t cap, uint8_t next, uint8_t ver,
		       uint8_t exch, const char *payloads, int delta)
{
	long n = iu_unhex(payloads, buf + IKE_HDR_LEN, cap - IKE_HDR_LEN);

	if (n < 0)
		return 0;
	memset(buf, 0, IKE_HDR_LEN);
	buf[0] = 0x42;
	buf[16] = next;
	buf[17] = ver;
	buf[18] = exch;
	buf[19] = IKE_FLAG_INITIATOR;
	put_be32(buf + 24, (uint32_t)(IKE_HDR_LEN + n + delta));
	return IKE_HDR_LEN + (size_t)n;
}

static enum ike_parse parse_copy(const uint8_t *b, size_t n,
				 struct ike_msg *m)
{
	uint8_t *p = malloc(n);
	enum ike_parse r;

	if (!p)
		abort();
	memcpy(p, b, n);
	r = ike_msg_parse(p, n, m);
	free(p);
	return r;
}

TEST(ike_msg_refuse_messages)
{
	static uint8_t buf[BUF_MAX];
	static struct ike_msg m;
	size_t i;

	for (i = 0; i < sizeof(msg_cases) / sizeof(msg_cases[0]); i++) {
		const struct msg_case *c = &msg_cases[i];
		size_t n = make_msg(buf, sizeof(buf), c->next, c->version,
				    c->exchange, c->payloads, c->len_delta);
		enum ike_parse r;

		REQUIRE(n);
		r = parse_copy(buf, n, &m);
		if (r != c->want) {
			test_fail(__FILE__, __LINE__, "%s: %s, want %s",
				  c->what, ike_parse_error_name(r),
				  ike_parse_error_name(c->want));
			continue;
		}
		CHECK(m.hdr.spi_i == 0x4200000000000000ULL);
		if (r == IKE_PARSE_CRITICAL)
			CHECK_EQ(m.chain.bad_type, c->bad_type);
		if (r == IKE_PARSE_OK && c->n)
			CHECK_EQ(m.chain.n, c->n);
		if (r == IKE_PARSE_OK)
			CHECK_EQ(m.chain.skipped, c->skipped);
	}
}

/* IKE_PAYLOADS_MAX payloads are accepted, one more is not (known or
 * unknown alike). */
TEST(ike_msg_refuse_too_many_payloads)
{
	static uint8_t buf[BUF_MAX];
	static char hex[BUF_MAX];
	static struct ike_msg m;
	unsigned i, k;

	for (k = IKE_PAYLOADS_MAX; k <= IKE_PAYLOADS_MAX + 1; k++) {
		hex[0] = 0;
		for (i = 0; i < k; i++)
			strcat(hex, i + 1 < k ? "2b000004" : "00000004");
		REQUIRE(make_msg(buf, sizeof(buf), 43, V2, INIT, hex, 0));
		CHECK_EQ(parse_copy(buf, IKE_HDR_LEN + 4 * k, &m),
			 k > IKE_PAYLOADS_MAX ? IKE_PARSE_TOO_MANY
					      : IKE_PARSE_OK);
		hex[0] = 0;
		for (i = 0; i < k; i++)
			strcat(hex, i + 1 < k ? "3c000004" : "00000004");
		REQUIRE(make_msg(buf, sizeof(buf), 60, V2, INIT, hex, 0));
		CHECK_EQ(parse_copy(buf, IKE_HDR_LEN + 4 * k, &m),
			 k > IKE_PAYLOADS_MAX ? IKE_PARSE_TOO_MANY
					      : IKE_PARSE_OK);
	}
}

TEST(ike_msg_refuse_inner)
{
	static struct ike_chain c;
	static const uint8_t sk[] = { 0, 0, 0, 4 };
	static const uint8_t crit[] = { 0, 0x80, 0, 4 };
	static const uint8_t ok[] = { 41, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0x40, 0 };

	CHECK_EQ(ike_inner_parse(sk, 4, IKE_PL_SK, &c), IKE_PARSE_SK_NESTED);
	CHECK_EQ(ike_inner_parse(sk, 4, IKE_PL_SKF, &c), IKE_PARSE_SK_NESTED);
	CHECK_EQ(ike_inner_parse(crit, 4, 77, &c), IKE_PARSE_CRITICAL);
	CHECK_EQ(c.bad_type, 77);
	CHECK_EQ(ike_inner_parse(ok, sizeof(ok), IKE_PL_VENDOR, &c),
		 IKE_PARSE_OK);
	CHECK_EQ(c.n, 2);
	CHECK_EQ(c.pl[1].off, 4);
	CHECK_EQ(c.sk, -1);
	CHECK_EQ(ike_inner_parse(ok, 0, IKE_PL_NONE, &c), IKE_PARSE_OK);
	CHECK_EQ(c.n, 0);
	CHECK_EQ(ike_inner_parse(ok, sizeof(ok) - 1, IKE_PL_VENDOR, &c),
		 IKE_PARSE_PAYLOAD_OVERRUN);
}

/* ---- payload bodies ---- */

enum dec { SA, KE, ID, CERT, CERTREQ, AUTH, NONCE, NOTIFY, DEL, TS, SKF };

struct body_case {
	const char *what;
	enum dec dec;
	const char *body;
	enum ike_parse want;
};

#define N16 "000102030405060708090a0b0c0d0e0f"
#define H20 "0102030405060708090a0b0c0d0e0f1011121314"
#define TS4(b) "07000010" b

static const struct body_case body_cases[] = {
	/* SA, §3.3 */
	{ "no proposal", SA, "", IKE_PARSE_EMPTY },
	{ "minimal proposal", SA, "0000000801010000", IKE_PARSE_OK },
	{ "first proposal numbered 2 (an accepted one)", SA,
	  "0000000802010000", IKE_PARSE_OK },
	{ "first proposal numbered 0", SA, "0000000800010000",
	  IKE_PARSE_PROPOSAL_NUM },
	{ "numbers 1 then 3", SA, "02000008010100000000000803010000",
	  IKE_PARSE_PROPOSAL_NUM },
	{ "numbers 1 then 1 (AND)", SA,
	  "0200000801010000" "0000000c0103040001020304", IKE_PARSE_OK },
	{ "numbers 1, 1 and 2", SA,
	  "0200000c0103040001020304" "0200000c0102040001020304"
	  "0000000802010000", IKE_PARSE_OK },
	{ "more announced, none follows", SA, "0200000801010000",
	  IKE_PARSE_SUBSTRUC },
	{ "last substruc 1", SA, "0100000801010000", IKE_PARSE_SUBSTRUC },
	{ "last substruc 3", SA, "0300000801010000", IKE_PARSE_SUBSTRUC },
	{ "bytes after the last proposal", SA,
	  "00000008010100000000000801010000", IKE_PARSE_BODY_TRAILING },
	{ "proposal length 7", SA, "00000007010100", IKE_PARSE_PROPOSAL_LEN },
	{ "proposal length past the payload", SA, "0000000c01010000",
	  IKE_PARSE_PROPOSAL_LEN },
	{ "proposal header cut", SA, "000000", IKE_PARSE_PROPOSAL_LEN },
	{ "protocol 0", SA, "0000000801000000", IKE_PARSE_PROTOCOL },
	{ "protocol 4", SA, "0000000801040000", IKE_PARSE_PROTOCOL },
	{ "IKE with a 4-byte SPI", SA, "0000000c0101040001020304",
	  IKE_PARSE_SPI_SIZE },
	{ "IKE with an 8-byte SPI (rekey)", SA,
	  "0000001001010800" "0102030405060708", IKE_PARSE_OK },
	{ "ESP without SPI", SA, "0000000801030000", IKE_PARSE_SPI_SIZE },
	{ "AH with a 3-byte SPI", SA, "0000000b01020300010203",
	  IKE_PARSE_SPI_SIZE },
	{ "SPI past the proposal", SA, "0000000801010800",
	  IKE_PARSE_PROPOSAL_LEN },
	{ "two transforms announced, one present", SA,
	  "00000010010100020300000801000014", IKE_PARSE_TRANSFORM_COUNT },
	{ "none announced, one present", SA,
	  "00000010010100000000000801000014", IKE_PARSE_TRANSFORM_COUNT },
	{ "last transform says more", SA,
	  "00000010010100010300000801000014", IKE_PARSE_SUBSTRUC },
	{ "first of two says last", SA,
	  "000000180101000200000008010000140000000802000005",
	  IKE_PARSE_SUBSTRUC },
	{ "transform length 7", SA, "0000000f0101000100000007010000",
	  IKE_PARSE_TRANSFORM_LEN },
	{ "transform length past the proposal", SA,
	  "00000010" "01010001" "0000000c" "01000014", IKE_PARSE_TRANSFORM_LEN },
	{ "transform header cut", SA, "0000000b01010001000000",
	  IKE_PARSE_TRANSFORM_LEN },
	{ "key length TV", SA, "00000014" "01010001" "0000000c" "01000014" "800e0100",
	  IKE_PARSE_OK },
	{ "key length TLV", SA,
	  "00000016010100010000000e01000014000e00020100",
	  IKE_PARSE_ATTR_FORMAT },
	{ "key length twice", SA,
	  "00000018010100010000001001000014800e0100800e0080",
	  IKE_PARSE_ATTR_FORMAT },
	{ "key length 0", SA, "00000014" "01010001" "0000000c" "01000014" "800e0000",
	  IKE_PARSE_ATTR_FORMAT },
	{ "attribute cut", SA, "00000012010100010000000a01000014800e",
	  IKE_PARSE_ATTR_LEN },
	{ "TLV attribute past its transform", SA,
	  "00000014" "01010001" "0000000c" "01000014" "00010004",
	  IKE_PARSE_ATTR_LEN },
	{ "unknown TLV attribute kept", SA,
	  "00000016010100010000000e010000140001000201ff", IKE_PARSE_OK },

	/* KE §3.4, ID §3.5, CERT §3.6, CERTREQ §3.7 */
	{ "KE cut", KE, "0013", IKE_PARSE_BODY_SHORT },
	{ "KE without data", KE, "00130000", IKE_PARSE_EMPTY },
	{ "KE", KE, "00130000aa", IKE_PARSE_OK },
	{ "ID cut", ID, "010000", IKE_PARSE_BODY_SHORT },
	{ "ID_IPV4_ADDR of 5 bytes", ID, "010000000a000001ff",
	  IKE_PARSE_ID_LEN },
	{ "ID_IPV4_ADDR", ID, "010000000a000001", IKE_PARSE_OK },
	{ "ID_IPV6_ADDR of 4 bytes", ID, "050000000a000001",
	  IKE_PARSE_ID_LEN },
	{ "empty ID_FQDN", ID, "02000000", IKE_PARSE_EMPTY },
	{ "empty ID_KEY_ID", ID, "0b000000", IKE_PARSE_EMPTY },
	{ "ID_NULL", ID, "0d000000", IKE_PARSE_OK },
	{ "CERT empty body", CERT, "", IKE_PARSE_BODY_SHORT },
	{ "CERT without data", CERT, "04", IKE_PARSE_EMPTY },
	{ "CERT", CERT, "0430", IKE_PARSE_OK },
	{ "CERTREQ of 21 bytes", CERTREQ, "04" H20 "15",
	  IKE_PARSE_CERT_HASH },
	{ "CERTREQ of one hash", CERTREQ, "04" H20, IKE_PARSE_OK },
	{ "CERTREQ empty", CERTREQ, "04", IKE_PARSE_OK },
	{ "CERTREQ other encoding", CERTREQ, "0c616263", IKE_PARSE_OK },

	/* AUTH §3.8, RFC 7427 §3 */
	{ "AUTH cut", AUTH, "020000", IKE_PARSE_BODY_SHORT },
	{ "AUTH without data", AUTH, "02000000", IKE_PARSE_EMPTY },
	{ "AUTH PSK", AUTH, "02000000" N16, IKE_PARSE_OK },
	{ "signature, algorithm length 0", AUTH, "0e00000000aa",
	  IKE_PARSE_AUTH_SIG },
	{ "signature missing", AUTH, "0e000000023000", IKE_PARSE_AUTH_SIG },
	{ "algorithm past the data", AUTH, "0e000000053000",
	  IKE_PARSE_AUTH_SIG },
	{ "signature", AUTH, "0e0000000130aa", IKE_PARSE_OK },

	/* Nonce §3.9 */
	{ "nonce of 0", NONCE, "", IKE_PARSE_NONCE_LEN },
	{ "nonce of 15", NONCE, "000102030405060708090a0b0c0d0e",
	  IKE_PARSE_NONCE_LEN },
	{ "nonce of 16", NONCE, N16, IKE_PARSE_OK },

	/* Notify §3.10 */
	{ "notify cut", NOTIFY, "000040", IKE_PARSE_BODY_SHORT },
	{ "SPI size 3", NOTIFY, "00034006aabbcc", IKE_PARSE_SPI_SIZE },
	{ "SPI past the payload", NOTIFY, "030440090102",
	  IKE_PARSE_BODY_SHORT },
	{ "SPI with protocol 5", NOTIFY, "0504400901020304",
	  IKE_PARSE_PROTOCOL },
	{ "no SPI: protocol ignored", NOTIFY, "05004000", IKE_PARSE_OK },
	{ "REKEY_SA", NOTIFY, "0304400901020304", IKE_PARSE_OK },
	{ "COOKIE empty", NOTIFY, "00004006", IKE_PARSE_NOTIFY_DATA },
	{ "COOKIE of 1", NOTIFY, "0000400601", IKE_PARSE_OK },
	{ "NAT_DETECTION_SOURCE_IP of 19", NOTIFY,
	  "00004004" "0102030405060708090a0b0c0d0e0f10111213",
	  IKE_PARSE_NOTIFY_DATA },
	{ "NAT_DETECTION_DESTINATION_IP of 20", NOTIFY, "00004005" H20,
	  IKE_PARSE_OK },
	{ "INVALID_KE_PAYLOAD of 3", NOTIFY, "00000011001300",
	  IKE_PARSE_NOTIFY_DATA },
	{ "SIGNATURE_HASH_ALGORITHMS odd", NOTIFY, "0000402f000200",
	  IKE_PARSE_NOTIFY_DATA },
	{ "SIGNATURE_HASH_ALGORITHMS empty", NOTIFY, "0000402f",
	  IKE_PARSE_NOTIFY_DATA },
	{ "unknown type, any data", NOTIFY, "00007777abcdef", IKE_PARSE_OK },

	/* Delete §3.11 */
	{ "delete cut", DEL, "030400", IKE_PARSE_BODY_SHORT },
	{ "two SPIs announced, one present", DEL, "0304000201020304",
	  IKE_PARSE_DELETE_COUNT },
	{ "one SPI and a byte", DEL, "030400010102030405",
	  IKE_PARSE_DELETE_COUNT },
	{ "ESP with 8-byte SPIs", DEL, "030800010102030405060708",
	  IKE_PARSE_SPI_SIZE },
	{ "IKE with 4-byte SPIs", DEL, "0104000101020304",
	  IKE_PARSE_SPI_SIZE },
	{ "protocol 4", DEL, "04040000", IKE_PARSE_PROTOCOL },
	{ "IKE SA", DEL, "01000000", IKE_PARSE_OK },
	{ "two ESP SPIs", DEL, "03040002" "0102030405060708", IKE_PARSE_OK },

	/* TS §3.13 */
	{ "TS cut", TS, "010000", IKE_PARSE_BODY_SHORT },
	{ "no selector", TS, "00000000", IKE_PARSE_TS_COUNT },
	{ "two announced, one present", TS,
	  "02000000" TS4("0000ffff0a0000000a0000ff"), IKE_PARSE_TS_COUNT },
	{ "one announced, two present", TS,
	  "01000000" TS4("0000ffff0a0000000a0000ff")
		  TS4("0000ffff0a0000000a0000ff"), IKE_PARSE_TS_COUNT },
	{ "17 announced", TS, "11000000", IKE_PARSE_TS_MAX },
	{ "selector cut", TS, "01000000070000", IKE_PARSE_TS_LEN },
	{ "selector body cut", TS, "01000000" "070000100000ffff0a000000",
	  IKE_PARSE_TS_LEN },
	{ "type 9 (FC)", TS,
	  "01000000" "090000100000ffff0a0000000a0000ff", IKE_PARSE_TS_TYPE },
	{ "IPv4 with length 40", TS,
	  "01000000" "070000280000ffff0a0000000a0000ff", IKE_PARSE_TS_LEN },
	{ "IPv6 with length 16", TS,
	  "01000000" "080000100000ffff0a0000000a0000ff", IKE_PARSE_TS_LEN },
	{ "ports 10 to 9", TS, "01000000" TS4("000a00090a0000000a0000ff"),
	  IKE_PARSE_TS_RANGE },
	{ "address start above end", TS,
	  "01000000" TS4("0000ffff0a0001000a0000ff"), IKE_PARSE_TS_RANGE },
	{ "IPv6 start above end in the last byte", TS,
	  "01000000" "08110028" "11941194"
	  "20010db8000000000000000000000002"
	  "20010db8000000000000000000000001", IKE_PARSE_TS_RANGE },
	{ "IPv6 single address", TS,
	  "01000000" "08110028" "11941194"
	  "20010db8000000000000000000000001"
	  "20010db8000000000000000000000001", IKE_PARSE_OK },
	{ "IPv4 single port and address", TS,
	  "01000000" TS4("01bb01bbc0000207c0000207"), IKE_PARSE_OK },

	/* SKF, RFC 7383 §2.5 */
	{ "SKF cut", SKF, "0001", IKE_PARSE_BODY_SHORT },
	{ "fragment 0", SKF, "00000001", IKE_PARSE_SKF_NUMBER },
	{ "fragment 3 of 2", SKF, "00030002", IKE_PARSE_SKF_NUMBER },
	{ "fragment 0 of 0", SKF, "00000000", IKE_PARSE_SKF_NUMBER },
	{ "fragment 1 of 1", SKF, "00010001", IKE_PARSE_OK },
	{ "fragment 65535 of 65535", SKF, "ffffffff", IKE_PARSE_OK },
};

static enum ike_parse decode(enum dec d, struct cursor c)
{
	static struct ike_sa_payload sa;
	static struct ike_ts_payload ts;
	union {
		struct ike_ke ke;
		struct ike_id id;
		struct ike_cert cert;
		struct ike_auth auth;
		struct ike_notify n;
		struct ike_delete del;
		struct ike_skf skf;
	} u;
	const uint8_t *p;
	size_t n;

	switch (d) {
	case SA: return ike_decode_sa(c, &sa);
	case KE: return ike_decode_ke(c, &u.ke);
	case ID: return ike_decode_id(c, &u.id);
	case CERT: return ike_decode_cert(c, &u.cert);
	case CERTREQ: return ike_decode_certreq(c, &u.cert);
	case AUTH: return ike_decode_auth(c, &u.auth);
	case NONCE: return ike_decode_nonce(c, &p, &n);
	case NOTIFY: return ike_decode_notify(c, &u.n);
	case DEL: return ike_decode_delete(c, &u.del);
	case TS: return ike_decode_ts(c, &ts);
	case SKF: return ike_decode_skf(c, &u.skf);
	}
	return IKE_PARSE_COUNT;
}

TEST(ike_msg_refuse_bodies)
{
	static uint8_t tmp[BUF_MAX];
	size_t i;

	for (i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
		const struct body_case *bc = &body_cases[i];
		long n = iu_unhex(bc->body, tmp, sizeof(tmp));
		uint8_t *p;
		enum ike_parse r;

		if (n < 0) {
			test_fail(__FILE__, __LINE__, "%s: bad hex", bc->what);
			continue;
		}
		p = malloc((size_t)n + !n);
		REQUIRE(p != NULL);
		memcpy(p, tmp, (size_t)n);
		r = decode(bc->dec, cursor_make(p, (size_t)n));
		if (r != bc->want)
			test_fail(__FILE__, __LINE__, "%s: %s, want %s",
				  bc->what, ike_parse_error_name(r),
				  ike_parse_error_name(bc->want));
		free(p);
	}
}

/* The values behind some accepted bodies. */
TEST(ike_msg_refuse_accepted_values)
{
	static struct ike_sa_payload sa;
	static const uint8_t unk[] = {
		0, 0, 0, 0x16, 1, 1, 0, 1,
		0, 0, 0, 0x0e, 1, 0, 0, 0x14, 0, 1, 0, 2, 1, 0xff,
	};
	static const uint8_t keylen[] = {
		0, 0, 0, 0x14, 1, 1, 0, 1,
		0, 0, 0, 0x0c, 1, 0, 0, 0x14, 0x80, 0x0e, 0x01, 0x00,
	};
	static const uint8_t tv_unknown[] = {
		0, 0, 0, 0x18, 1, 1, 0, 1,
		0, 0, 0, 0x10, 1, 0, 0, 0x0c, 0x80, 0x0e, 0x00, 0x80,
		0x80, 0x01, 0x00, 0x01,
	};

	REQUIRE(ike_decode_sa(cursor_make(unk, sizeof(unk)), &sa) ==
		IKE_PARSE_OK);
	CHECK(sa.n == 1 && sa.prop[0].nxf == 1);
	CHECK(sa.prop[0].xf[0].unknown_attr && !sa.prop[0].xf[0].key_len);
	REQUIRE(ike_decode_sa(cursor_make(keylen, sizeof(keylen)), &sa) ==
		IKE_PARSE_OK);
	CHECK(!sa.prop[0].xf[0].unknown_attr);
	CHECK_EQ(sa.prop[0].xf[0].key_len, 256);
	CHECK_EQ(sa.prop[0].xf[0].id, IKE_TF_ENCR_AES_GCM_16);
	REQUIRE(ike_decode_sa(cursor_make(tv_unknown, sizeof(tv_unknown)),
			      &sa) == IKE_PARSE_OK);
	CHECK(sa.prop[0].xf[0].unknown_attr);
	CHECK_EQ(sa.prop[0].xf[0].key_len, 128);
	CHECK_EQ(sa.prop[0].xf[0].id, IKE_TF_ENCR_AES_CBC);
}

/* §3.9: nonces of 16 to 256 bytes. */
TEST(ike_msg_refuse_nonce_bounds)
{
	static uint8_t b[IKE_NONCE_MAX + 1];
	const uint8_t *p;
	size_t n, len;

	for (n = 0; n <= sizeof(b); n++) {
		uint8_t *q = malloc(n + !n);
		enum ike_parse r;

		REQUIRE(q != NULL);
		memcpy(q, b, n);
		r = ike_decode_nonce(cursor_make(q, n), &p, &len);
		CHECK_EQ(r, n >= IKE_NONCE_MIN && n <= IKE_NONCE_MAX
				    ? IKE_PARSE_OK : IKE_PARSE_NONCE_LEN);
		if (r == IKE_PARSE_OK)
			CHECK(p == q && len == n);
		free(q);
	}
}

/* The bounds: IKE_PROPOSALS_MAX proposals and IKE_TRANSFORMS_MAX
 * transforms are accepted, one more of either is not. */
TEST(ike_msg_refuse_sa_bounds)
{
	static struct ike_sa_payload sa;
	static uint8_t b[BUF_MAX];
	size_t n, i, k;

	for (k = IKE_PROPOSALS_MAX; k <= IKE_PROPOSALS_MAX + 1; k++) {
		for (i = n = 0; i < k; i++, n += 8) {
			memcpy(b + n, "\x02\0\0\x08\0\x01\0\0", 8);
			b[n + 4] = (uint8_t)(i + 1);
		}
		b[n - 8] = 0;
		CHECK_EQ(ike_decode_sa(cursor_make(b, n), &sa),
			 k > IKE_PROPOSALS_MAX ? IKE_PARSE_PROPOSALS_MAX
					       : IKE_PARSE_OK);
	}
	for (k = IKE_TRANSFORMS_MAX; k <= IKE_TRANSFORMS_MAX + 1; k++) {
		n = 8 + 8 * k;
		memcpy(b, "\0\0\0\0\x01\x01\0\0", 8);
		put_be16(b + 2, (uint16_t)n);
		b[7] = (uint8_t)k;
		for (i = 0; i < k; i++)
			memcpy(b + 8 + 8 * i, "\x03\0\0\x08\x04\0\0\x13", 8);
		b[8 + 8 * (k - 1)] = 0;
		CHECK_EQ(ike_decode_sa(cursor_make(b, n), &sa),
			 k > IKE_TRANSFORMS_MAX ? IKE_PARSE_TRANSFORMS_MAX
						: IKE_PARSE_OK);
	}
}
