/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 messages (RFC 7296 §3): parsing the header and the payload chain,
 * decoding each payload, and building messages. No I/O, no allocation and
 * no cryptography: the Encrypted payload (SK, §3.14) and the Encrypted
 * Fragment payload (SKF, RFC 7383 §2.5) are only located and framed here;
 * the caller encrypts, decrypts and verifies them.
 *
 * Parsing is in two steps, as iked validates before it acts:
 *  1. ike_msg_parse() checks the header and walks the generic payload chain,
 *     recording each payload's type and body (struct ike_payload). After an
 *     SK payload has been decrypted, ike_inner_parse() walks the payloads
 *     inside it the same way.
 *  2. ike_decode_*() decode one payload body, every field checked, into a
 *     struct the caller owns. Decoded structs may point into the message
 *     (the |data| members): the message buffer must outlive them.
 * Every read of message bytes goes through util/cursor.h. A refusal is an
 * enum ike_parse with a name for logs; nothing is refused by abort().
 *
 * Building: ike_writer_init() writes the header into the caller's buffer;
 * ike_put_*() append payloads, filling in each previous payload's Next
 * Payload field; ike_writer_finish() writes the length. For an encrypted
 * message, ike_sk_begin() reserves the IV, the inner payloads are put as
 * usual, and ike_sk_end() appends padding, the pad length and room for the
 * ICV and says which bytes to encrypt and authenticate. Nothing is written
 * past the buffer; the first failure sticks (later calls return it and
 * write nothing) so a caller may put many payloads and check once. What a
 * writer produces passes ike_msg_parse() (unless ike_put_raw() put an
 * unknown type with the critical bit), and each payload put by a typed
 * ike_put_*() decodes to the values it was built from.
 *
 * Thread-safety: none of these functions has state of its own; distinct
 * messages and writers may be used from different threads.
 */
#ifndef TUNSEC_IKE_MSG_H
#define TUNSEC_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/wire.h"
#include "util/cursor.h"

/* Why a message or payload was refused: X(name, reason for logs). */
#define IKE_PARSE_RESULTS(X)                                                 \
	X(OK, "valid")                                                       \
	X(SHORT, "shorter than the IKE header")                              \
	X(TOO_BIG, "longer than IKE_MSG_MAX")                                \
	X(VERSION, "major version not 2")                                    \
	X(EXCHANGE, "unknown exchange type")                                 \
	X(LENGTH, "length field differs from the message length")            \
	X(PAYLOAD_SHORT, "payload length below the generic header")          \
	X(PAYLOAD_OVERRUN, "payload extends past the message")               \
	X(TRAILING, "bytes after the last payload")                          \
	X(TOO_MANY, "more than IKE_PAYLOADS_MAX payloads")                   \
	X(CRITICAL, "unknown payload with the critical bit set")             \
	X(SK_NOT_LAST, "encrypted payload not the last payload")             \
	X(SK_NESTED, "encrypted payload inside an encrypted payload")        \
	X(NO_SK, "no encrypted payload")                                     \
	X(SK_SHORT, "encrypted payload too short for IV, data and ICV")      \
	X(SK_ALIGN, "encrypted data not a multiple of the block size")       \
	X(PAD, "pad length past the decrypted data")                         \
	X(BODY_SHORT, "payload shorter than its fixed fields")               \
	X(BODY_TRAILING, "bytes after the payload's last structure")         \
	X(EMPTY, "required data is empty")                                   \
	X(SUBSTRUC, "bad last-substructure field")                           \
	X(PROPOSAL_LEN, "proposal length outside the SA payload")            \
	X(PROPOSAL_NUM, "proposal numbers not 1, then same or next")         \
	X(PROPOSALS_MAX, "more than IKE_PROPOSALS_MAX proposals")            \
	X(PROTOCOL, "unknown protocol ID")                                   \
	X(SPI_SIZE, "SPI size not allowed here")                             \
	X(TRANSFORM_LEN, "transform length outside its proposal")            \
	X(TRANSFORM_COUNT, "transform count differs from transforms present")\
	X(TRANSFORMS_MAX, "more than IKE_TRANSFORMS_MAX transforms")         \
	X(ATTR_LEN, "attribute extends past its transform")                  \
	X(ATTR_FORMAT, "key length not a single TV attribute")               \
	X(NONCE_LEN, "nonce outside 16..256 bytes")                          \
	X(ID_LEN, "identity data of the wrong length for its type")          \
	X(AUTH_SIG, "malformed signature authentication data")               \
	X(NOTIFY_DATA, "notification data of the wrong length for its type") \
	X(CERT_HASH, "certificate request not a list of SHA-1 hashes")       \
	X(DELETE_COUNT, "SPI count differs from the SPIs present")           \
	X(TS_COUNT, "selector count 0 or different from selectors present")  \
	X(TS_MAX, "more than IKE_TS_MAX selectors")                          \
	X(TS_TYPE, "unknown traffic selector type")                          \
	X(TS_LEN, "selector length wrong for its type")                      \
	X(TS_RANGE, "selector start above its end")                          \
	X(SKF_NUMBER, "fragment number 0 or above the total")

enum ike_parse {
#define IKE_PARSE_ENUM(n, s) IKE_PARSE_##n,
	IKE_PARSE_RESULTS(IKE_PARSE_ENUM)
#undef IKE_PARSE_ENUM
	IKE_PARSE_COUNT
};

/* The reason for logs; "?" out of range. Static string; thread-safe. */
const char *ike_parse_error_name(enum ike_parse r);

/* The IKE header (§3.1). In a parsed message |version| keeps the minor
 * version as received; a writer always sends IKE_VERSION. */
struct ike_hdr {
	uint64_t spi_i, spi_r;
	uint8_t next;          /* first payload */
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;         /* IKE_FLAG_*; reserved bits kept, not checked */
	uint32_t msg_id;
	uint32_t len;
};

/* One payload of a chain. |off| is the offset of its generic header in the
 * buffer that was walked; |body| covers the bytes after that header. */
struct ike_payload {
	uint8_t type;
	bool critical;
	uint32_t off;
	struct cursor body;
};

/* A walked chain: the known payloads in order. Unknown payloads without the
 * critical bit are passed over and counted (§3.2). */
struct ike_chain {
	struct ike_payload pl[IKE_PAYLOADS_MAX];
	unsigned n;
	unsigned skipped;
	uint8_t bad_type;      /* IKE_PARSE_CRITICAL: the type to name in
				* UNSUPPORTED_CRITICAL_PAYLOAD's data */
	int sk;                /* index of the SK or SKF payload, or -1 */
	uint8_t sk_next;       /* its Next Payload: the first inner type */
};

struct ike_msg {
	struct ike_hdr hdr;
	struct ike_chain chain;
	const uint8_t *buf;    /* the caller's; must outlive the message */
	size_t len;
};

/* Parse the message buf[0..len): the header (major version 2, a known
 * exchange type, a length equal to len) and the payload chain (lengths,
 * critical bits, at most IKE_PAYLOADS_MAX payloads, an SK or SKF payload
 * only as the last). IKE_PARSE_OK or the first reason found. Whenever the
 * result is not IKE_PARSE_SHORT, out->hdr holds the header as received, so
 * the caller can answer (INVALID_MAJOR_VERSION, §2.5;
 * UNSUPPORTED_CRITICAL_PAYLOAD with out->chain.bad_type, §3.2). Payload
 * bodies are not decoded. out points into buf. */
enum ike_parse ike_msg_parse(const uint8_t *buf, size_t len,
			     struct ike_msg *out);

/* Walk decrypted inner payloads buf[0..len) whose first type is |first|
 * (the SK header's Next Payload). As ike_msg_parse()'s chain walk, but an
 * SK or SKF payload here is refused (IKE_PARSE_SK_NESTED). Offsets in out
 * are relative to buf. */
enum ike_parse ike_inner_parse(const uint8_t *buf, size_t len, uint8_t first,
			       struct ike_chain *out);

/* Index of the first payload of |type| at or after index |from|, or -1. */
int ike_chain_find(const struct ike_chain *c, uint8_t type, unsigned from);

/* Where the parts of an encrypted payload lie, as offsets from the start of
 * the message (RFC 7296 §3.14; RFC 5282 §5.1 and RFC 7383 §2.5.3 for what
 * an AEAD authenticates):
 *   [0, aad_len)              associated data: the IKE header and every
 *                             payload before the IV, the SK/SKF generic
 *                             header (and fragment fields) included
 *   [iv_off, iv_off+iv_len)   IV
 *   [ct_off, ct_off+ct_len)   encrypted: inner payloads, padding, pad length
 *   [icv_off, icv_off+icv_len) integrity checksum
 * aad_len == iv_off and icv_off + icv_len is the message length. A
 * non-AEAD integrity check covers [0, icv_off). */
struct ike_sk_layout {
	size_t aad_len;
	size_t iv_off, iv_len;
	size_t ct_off, ct_len;
	size_t icv_off, icv_len;
};

/* Locate the parts of a parsed message's SK or SKF payload for a cipher
 * with |iv_len| bytes of IV, |icv_len| of ICV and block size |block| (1 for
 * AEAD ciphers). IKE_PARSE_NO_SK, IKE_PARSE_SK_SHORT (no room for one byte
 * of pad length between IV and ICV) or IKE_PARSE_SK_ALIGN; *out is valid
 * only on IKE_PARSE_OK. block 0 is taken as 1. */
enum ike_parse ike_sk_locate(const struct ike_msg *m, size_t iv_len,
			     size_t icv_len, size_t block,
			     struct ike_sk_layout *out);

/* After decryption: the length of the inner payloads in plain[0..len),
 * which ends in padding and a pad length byte (§3.14). IKE_PARSE_PAD when
 * len is 0 or the pad length reaches past the start. The padding's
 * contents are not checked (§3.14: any value). */
enum ike_parse ike_sk_unpad(const uint8_t *plain, size_t len,
			    size_t *inner_len);

/* ---- Decoded payloads ---------------------------------------------- */

/* A transform (§3.3.2). key_len is the Key Length attribute in bits, 0
 * when absent. unknown_attr: the transform carried another attribute;
 * §3.3.6 makes its proposal unacceptable, which negotiation decides. */
struct ike_transform {
	uint8_t type;
	uint16_t id;
	uint16_t key_len;
	bool unknown_attr;
};

/* A proposal (§3.3.1): spi[0..spi_size) is the SPI as sent. */
struct ike_proposal {
	uint8_t num;
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t spi[IKE_PROPOSAL_SPI_MAX];
	struct ike_transform xf[IKE_TRANSFORMS_MAX];
	unsigned nxf;
};

struct ike_sa_payload {
	struct ike_proposal prop[IKE_PROPOSALS_MAX];
	unsigned n;
};

struct ike_ke {                  /* §3.4 */
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

struct ike_id {                  /* §3.5; the body is what AUTH signs */
	uint8_t type;
	const uint8_t *data;
	size_t len;
};

struct ike_cert {                /* CERT §3.6 and CERTREQ §3.7 */
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

struct ike_auth {                /* §3.8 */
	uint8_t method;
	const uint8_t *data;
	size_t len;
};

/* The data of AUTH method 14 (RFC 7427 §3): a DER AlgorithmIdentifier
 * (after its one-byte length) and the signature. */
struct ike_auth_sig {
	const uint8_t *alg;
	size_t alg_len;
	const uint8_t *sig;
	size_t sig_len;
};

struct ike_notify {              /* §3.10 */
	uint8_t protocol;        /* meaningful only with an SPI */
	uint8_t spi_size;        /* 0, 4 or 8 */
	uint16_t type;
	uint8_t spi[8];
	const uint8_t *data;
	size_t len;
};

/* §3.11: count SPIs of spi_size bytes each at spis (read with get_be32 for
 * AH and ESP). */
struct ike_delete {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t count;
	const uint8_t *spis;
};

/* A traffic selector (§3.13.1); addresses are 4 (type 7) or 16 (type 8)
 * bytes in network order, the rest of the arrays zero. */
struct ike_ts {
	uint8_t type;
	uint8_t ip_proto;        /* 0: any */
	uint16_t start_port, end_port;
	uint8_t start[16], end[16];
};

struct ike_ts_payload {
	struct ike_ts ts[IKE_TS_MAX];
	unsigned n;
};

struct ike_skf {                 /* RFC 7383 §2.5 */
	uint16_t number, total;
};

/* Decode one payload body (struct ike_payload.body). IKE_PARSE_OK and *out
 * filled, or the reason and *out unspecified. Checks beyond the layout:
 *  SA      proposals numbered 1, then same or next (§3.3.1); protocol 1-3;
 *          SPI size 0, 4 or 8; Last Substruc values; transform counts and
 *          lengths; attributes within their transform; Key Length TV and at
 *          most once; bounded by IKE_PROPOSALS_MAX, IKE_TRANSFORMS_MAX.
 *  KE      data not empty.
 *  ID      IPV4_ADDR 4 bytes, IPV6_ADDR 16, FQDN, RFC822, DN, GN, KEY_ID
 *          not empty.
 *  CERT    data not empty. CERTREQ: X509_SIG data a multiple of 20.
 *  AUTH    data not empty; method 14: see ike_decode_auth_sig().
 *  Nonce   IKE_NONCE_MIN..IKE_NONCE_MAX bytes (§3.9).
 *  Notify  SPI size 0, 4 or 8 and, with an SPI, protocol 1-3; data length
 *          of COOKIE 1-64, NAT_DETECTION_* 20, INVALID_KE_PAYLOAD 2,
 *          SIGNATURE_HASH_ALGORITHMS even and not 0.
 *  Delete  protocol 1-3; SPI size 0 for IKE, 4 for AH/ESP; count * size
 *          equal to the data.
 *  TS      1..IKE_TS_MAX selectors, as counted; type 7 or 8 with its
 *          length; start port <= end port, start address <= end address.
 *  SKF     1 <= number <= total.
 * Vendor ID is opaque: ike_decode_vendor() only returns its bytes. */
enum ike_parse ike_decode_sa(struct cursor body, struct ike_sa_payload *out);
enum ike_parse ike_decode_ke(struct cursor body, struct ike_ke *out);
enum ike_parse ike_decode_id(struct cursor body, struct ike_id *out);
enum ike_parse ike_decode_cert(struct cursor body, struct ike_cert *out);
enum ike_parse ike_decode_certreq(struct cursor body, struct ike_cert *out);
enum ike_parse ike_decode_auth(struct cursor body, struct ike_auth *out);
enum ike_parse ike_decode_nonce(struct cursor body, const uint8_t **nonce,
				size_t *len);
enum ike_parse ike_decode_notify(struct cursor body, struct ike_notify *out);
enum ike_parse ike_decode_delete(struct cursor body, struct ike_delete *out);
enum ike_parse ike_decode_vendor(struct cursor body, const uint8_t **data,
				 size_t *len);
enum ike_parse ike_decode_ts(struct cursor body, struct ike_ts_payload *out);
enum ike_parse ike_decode_skf(struct cursor body, struct ike_skf *out);

/* Split AUTH method 14 data (RFC 7427 §3): a length byte of at least 1,
 * that many bytes of AlgorithmIdentifier, and a signature of at least one
 * byte. IKE_PARSE_AUTH_SIG otherwise. The DER itself is not parsed. */
enum ike_parse ike_decode_auth_sig(const struct ike_auth *a,
				   struct ike_auth_sig *out);

/* ---- Building ------------------------------------------------------ */

struct ike_writer {
	uint8_t *buf;
	size_t cap;            /* min(size, IKE_MSG_MAX) */
	size_t len;            /* bytes written */
	size_t link;           /* the Next Payload byte the next payload's type
				* goes into */
	size_t open;           /* generic header of the payload being written */
	size_t sk_off;         /* SK/SKF generic header, 0 when none */
	size_t ct_off;         /* start of the SK plaintext */
	size_t iv_len;
	unsigned payloads;     /* in the current chain (outer, or inner) */
	bool sealed;           /* an SK payload was ended: nothing may follow */
	int err;               /* first failure (-errno), or 0 */
};

/* Start a message with header |h| (next, version and len are ignored) in
 * buf[0..size). -ENOSPC (sticky) when size < IKE_HDR_LEN, -EINVAL when
 * h->exchange is not one of IKE_EXCHANGES. The buffer is the caller's;
 * only what is written is changed. */
int ike_writer_init(struct ike_writer *w, void *buf, size_t size,
		    const struct ike_hdr *h);

/* Append a payload. 0, or (sticky; what was written of the failed payload
 * is left in the buffer but the writer refuses everything after):
 *  -ENOSPC  it does not fit in the buffer or IKE_MSG_MAX;
 *  -E2BIG   the chain already holds IKE_PAYLOADS_MAX payloads;
 *  -EINVAL  a value the decoder would refuse (the checks listed at
 *           ike_decode_*), a transform with unknown_attr (it has no
 *           encoding here), a payload type a function does not write (SK
 *           and SKF only through ike_sk_begin()/ike_skf_begin()), or the
 *           message was sealed by ike_sk_end().
 * Pointers in the arguments are read during the call only. */
int ike_put_raw(struct ike_writer *w, uint8_t type, bool critical,
		const void *body, size_t len);
int ike_put_sa(struct ike_writer *w, const struct ike_proposal *props,
	       unsigned n);
int ike_put_ke(struct ike_writer *w, const struct ike_ke *ke);
/* type: IKE_PL_IDI or IKE_PL_IDR. */
int ike_put_id(struct ike_writer *w, uint8_t type, const struct ike_id *id);
/* type: IKE_PL_CERT or IKE_PL_CERTREQ. */
int ike_put_cert(struct ike_writer *w, uint8_t type,
		 const struct ike_cert *c);
int ike_put_auth(struct ike_writer *w, const struct ike_auth *a);
/* AUTH method 14 from its parts (RFC 7427 §3); alg_len 1..255. */
int ike_put_auth_sig(struct ike_writer *w, const struct ike_auth_sig *s);
int ike_put_nonce(struct ike_writer *w, const uint8_t *nonce, size_t len);
int ike_put_notify(struct ike_writer *w, const struct ike_notify *n);
int ike_put_delete(struct ike_writer *w, const struct ike_delete *d);
int ike_put_vendor(struct ike_writer *w, const uint8_t *data, size_t len);
/* type: IKE_PL_TSI or IKE_PL_TSR; n: 1..IKE_TS_MAX. */
int ike_put_ts(struct ike_writer *w, uint8_t type, const struct ike_ts *ts,
	       unsigned n);

/* Open an SK payload (§3.14) with iv_len bytes of IV, written as zeros for
 * the caller to fill. Payloads put until ike_sk_end() go inside it, in a
 * chain of their own (its first type lands in the SK Next Payload field).
 * -EINVAL when one is open or the message is sealed; -ENOSPC. */
int ike_sk_begin(struct ike_writer *w, size_t iv_len);

/* Open an SKF payload (RFC 7383 §2.5): fragment |number| of |total|
 * (1 <= number <= total), with |first| as Next Payload (the first inner
 * type in fragment 1, 0 in the others). Its content is put with
 * ike_sk_put_data() — a slice of the inner payloads, not payloads. */
int ike_skf_begin(struct ike_writer *w, uint16_t number, uint16_t total,
		  uint8_t first, size_t iv_len);

/* Append raw plaintext bytes inside an open SK or SKF payload. */
int ike_sk_put_data(struct ike_writer *w, const void *data, size_t len);

/* Close the open SK/SKF payload: pad with zeros so that plaintext, padding
 * and the pad length byte make a multiple of |block| (1 for AEAD; at most
 * 256), append icv_len zero bytes, set the payload and message lengths and
 * seal the message. *out (may be NULL) gets the layout to encrypt. Returns
 * the message length, or the sticky error (-EINVAL with no open SK). */
int ike_sk_end(struct ike_writer *w, size_t block, size_t icv_len,
	       struct ike_sk_layout *out);

/* Write the message length into the header. Returns the length, or the
 * sticky error; -EINVAL while an SK payload is open. May be called again
 * after more payloads. */
int ike_writer_finish(struct ike_writer *w);

#endif
