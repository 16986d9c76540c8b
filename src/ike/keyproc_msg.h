/* SPDX-License-Identifier: MIT */
/*
 * The keys-process protocol, version 1: the messages between tunsecd and
 * the process that holds its long-term secrets (ike/keyproc.h). This
 * comment is the specification.
 *
 * TRANSPORT
 *   A SOCK_SEQPACKET socketpair made before the fork; one message per
 *   datagram. The parent sends a request and reads replies until the one
 *   carrying its request id arrives (a reply to an earlier request that
 *   timed out is dropped by id). The keys process answers every datagram
 *   with exactly one reply, in order, and never acts on a malformed one.
 *
 * MESSAGE (integers in network byte order)
 *   0       4     5      6         8        12         16
 *   +-------+-----+------+---------+--------+----------+-----------
 *   | magic | ver | type | reserved| req id | body len | body ...
 *   +-------+-----+------+---------+--------+----------+-----------
 *   magic     KEYPROC_MAGIC, "TSK1".
 *   ver       KEYPROC_VERSION.
 *   type      enum keyproc_type; a reply has KEYPROC_REPLY set.
 *   reserved  0.
 *   req id    chosen by the parent, never 0; a reply carries its request's.
 *   body len  the bytes after the header; equals the datagram's length less
 *             KEYPROC_HDR_LEN.
 *
 * REQUEST BODIES
 *   PING      empty.
 *   AUTH_PSK  secret id (4) | prf (2) | reserved (2) = 0 | signed octets.
 *             prf is a Transform Type 2 id (5, 6, 7; ike/prf.h); the signed
 *             octets, RealMessage | Nonce | prf(SK_p, RestOfIDPayload)
 *             (RFC 7296 §2.15), are the rest of the body:
 *             1..KEYPROC_OCTETS_MAX bytes.
 *   SIGN      secret id (4) | hash (2) | scheme (1) | reserved (1) = 0 |
 *             signed octets.
 *             A signature (RFC 7427 §3) of the octets (as for AUTH_PSK,
 *             1..KEYPROC_OCTETS_MAX bytes) with the private key of a
 *             KEY_FILE secret. hash is a SIGNATURE_HASH_ALGORITHMS id
 *             (RFC 7427 §4): 2 SHA-256, 3 SHA-384, 4 SHA-512; scheme is
 *             enum ike_sig_scheme (ike/authsig.h): 1 ECDSA, 2 RSASSA-PSS
 *             (MGF1 with the same hash, salt as long as the hash), 3
 *             RSASSA-PKCS1-v1_5.
 *   RELOAD    total (4) | first (4) | count (2) | reserved (2) = 0 |
 *             count entries of: id (4) | kind (1) | reserved (1) = 0 |
 *             len (2) | len secret bytes.
 *             A PSK entry holds the shared key; a KEY_FILE entry the
 *             absolute path of a private key file (no NUL), which the keys
 *             process reads itself when the table takes effect.
 *             One part of a new table of total entries (0..
 *             KEYPROC_SECRETS_MAX), holding entries first..first+count-1
 *             (count 0..KEYPROC_RELOAD_PART). kind is enum keyproc_kind, len
 *             1..KEYPROC_SECRET_MAX; ids strictly increase through the
 *             table. The entries fill the body exactly. Parts are sent in
 *             order, first = 0 starting a new table; the part that fills the
 *             table replaces the old one, all at once. A part out of order
 *             abandons the table being filled.
 *
 * REPLY BODY
 *   status (4, two's complement): 0 or -errno, then for AUTH_PSK with
 *   status 0 the AUTH value, ike_prf_len(prf) bytes, for SIGN with status
 *   0 the signature, 1..KEYPROC_SIG_MAX bytes (ECDSA: the DER
 *   Ecdsa-Sig-Value), and nothing else.
 *   The reply to a datagram too short to hold a req id has req id 0; one
 *   whose type is unknown has type KEYPROC_REPLY alone. An empty datagram
 *   cannot be told from the socket closing and ends the service.
 *
 * STATUS VALUES
 *   -EBADMSG          malformed: truncated, bad magic, non-zero reserved
 *                     field, body length not the datagram's, bytes left over
 *   -EPROTONOSUPPORT  another version
 *   -EOPNOTSUPP       unknown type, or a reply sent as a request
 *   -EMSGSIZE         request longer than KEYPROC_REQ_MAX
 *   -EINVAL           a field out of range (prf, hash, scheme, kind, a
 *                     KEY_FILE path not absolute or holding a NUL,
 *                     lengths, counts, ids not increasing, a RELOAD part
 *                     out of order)
 *   -ENOENT           AUTH_PSK or SIGN for a secret id not in the table
 *   -EKEYREJECTED     AUTH_PSK for a secret that is not a shared key; SIGN
 *                     for one that is not a KEY_FILE, or a scheme that does
 *                     not fit its key (ECDSA on an RSA key, an RSA key
 *                     under IKE_AUTHSIG_RSA_BITS_MIN bits, a curve other
 *                     than P-256/384/521)
 *   -ENOKEY           SIGN for a KEY_FILE whose file could not be read or
 *                     held no usable private key when the table took
 *                     effect
 *   -ENOMEM, -EIO     the keys process could not allocate or compute
 *
 * Secrets travel only in RELOAD requests; replies never carry a secret.
 * Private keys never travel at all: only their files' paths do.
 * Both ends wipe every buffer that held a RELOAD request or an AUTH value.
 */
#ifndef TUNSEC_IKE_KEYPROC_MSG_H
#define TUNSEC_IKE_KEYPROC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/cursor.h"

#define KEYPROC_MAGIC 0x54534b31u /* "TSK1" */
#define KEYPROC_VERSION 1
#define KEYPROC_HDR_LEN 16
#define KEYPROC_REPLY 0x80

/* Every bound of the protocol. */
#define KEYPROC_SECRET_MAX 256      /* bytes of one secret */
#define KEYPROC_SECRETS_MAX 1024    /* entries in a table (CONF_PEERS_MAX) */
#define KEYPROC_OCTETS_MAX 65536    /* signed octets of one AUTH_PSK */
#define KEYPROC_RELOAD_PART 64      /* entries in one RELOAD part */
#define KEYPROC_AUTH_FIXED 8        /* AUTH_PSK body before the octets */
#define KEYPROC_SIGN_FIXED 8        /* SIGN body before the octets */
#define KEYPROC_SIG_MAX 512         /* a signature: RSA 4096 */
#define KEYPROC_KEYFILE_MAX 16384   /* bytes of a private key file */
#define KEYPROC_RELOAD_FIXED 12     /* RELOAD body before the entries */
#define KEYPROC_ENTRY_FIXED 8       /* RELOAD entry before its bytes */
#define KEYPROC_STATUS_LEN 4
/* Longest request: an AUTH_PSK or SIGN with the most octets (a full
 * RELOAD part, 16 + 12 + 64 * 264 bytes, is shorter). Longer datagrams get
 * -EMSGSIZE. */
#define KEYPROC_REQ_MAX \
	(KEYPROC_HDR_LEN + KEYPROC_AUTH_FIXED + KEYPROC_OCTETS_MAX)
#define KEYPROC_RELOAD_MAX                               \
	(KEYPROC_HDR_LEN + KEYPROC_RELOAD_FIXED +        \
	 KEYPROC_RELOAD_PART * (KEYPROC_ENTRY_FIXED + KEYPROC_SECRET_MAX))
/* Longest reply: status and the longest signature (a SHA-512 prf output
 * is shorter). */
#define KEYPROC_REPLY_MAX \
	(KEYPROC_HDR_LEN + KEYPROC_STATUS_LEN + KEYPROC_SIG_MAX)

enum keyproc_type {
	KEYPROC_T_NONE = 0,     /* only in replies to an unknown type */
	KEYPROC_T_PING = 1,
	KEYPROC_T_AUTH_PSK = 2,
	KEYPROC_T_RELOAD = 3,
	KEYPROC_T_SIGN = 4,
};

/* What a secret is; values this version does not know are refused. */
enum keyproc_kind {
	KEYPROC_KIND_PSK = 1,   /* a pre-shared key, RFC 7296 §2.15 */
	KEYPROC_KIND_KEY_FILE = 2, /* a private key file's absolute path */
};

/* One long-term secret: the parent builds a table of these, one per IKE
 * peer (id = the peer's index), ids strictly increasing. bytes is secret. */
struct keyproc_secret {
	uint32_t id;
	uint8_t kind;               /* enum keyproc_kind */
	uint8_t bytes[KEYPROC_SECRET_MAX];
	size_t len;                 /* 1..KEYPROC_SECRET_MAX */
};

/* A request as parsed: the fields of its type; cursors point into the
 * datagram. type and id are set as far as the header could be read, also
 * when parsing fails, so the error reply can carry them. */
struct keyproc_req {
	uint8_t type;               /* enum keyproc_type; NONE when unknown */
	uint32_t id;
	uint32_t secret_id;         /* AUTH_PSK and SIGN */
	uint16_t prf;               /* AUTH_PSK */
	uint16_t hash;              /* SIGN */
	uint8_t scheme;
	struct cursor octets;       /* AUTH_PSK and SIGN */
	uint32_t total, first;      /* RELOAD */
	uint16_t count;
	struct cursor entries;      /* count validated entries */
};

struct keyproc_reply {
	uint8_t type;               /* the request's type, KEYPROC_REPLY clear */
	uint32_t id;
	int32_t status;
	struct cursor auth;         /* the AUTH value or the signature: empty
				     * unless an AUTH_PSK or SIGN succeeded */
};

/* ---- parsing (no I/O, no allocation; thread-safe) ---- */

/*
 * Validate the request datagram p (untrusted, len bytes) fully and fill
 * req. Returns 0, or the negative status its reply carries (list above).
 */
int keyproc_msg_parse_request(const uint8_t *p, size_t len,
			      struct keyproc_req *req);

/*
 * Take the next entry of a parsed RELOAD into out (bytes copied, the rest
 * of out.bytes zeroed). Returns false when none is left. The entries were
 * validated by keyproc_msg_parse_request(); out is secret.
 */
bool keyproc_msg_next_secret(struct cursor *entries,
			     struct keyproc_secret *out);

/*
 * Validate the reply datagram p (len bytes) fully and fill r: magic,
 * version, reply bit, status 0 or negative, an AUTH value only after
 * status 0 and then of a prf length (32, 48, 64) for AUTH_PSK or
 * 1..KEYPROC_SIG_MAX bytes for SIGN. Returns 0 or -EBADMSG
 * (-EPROTONOSUPPORT for another version).
 */
int keyproc_msg_parse_reply(const uint8_t *p, size_t len,
			    struct keyproc_reply *r);

/* Whether secret s can go into a table: a known kind and 1..SECRET_MAX
 * bytes, for a KEY_FILE an absolute path with no NUL. */
bool keyproc_msg_secret_ok(const struct keyproc_secret *s);

/* ---- building (into the caller's buffer; thread-safe) ---- */

/* The KEYPROC_HDR_LEN-byte header of a message with body_len body bytes. */
void keyproc_msg_put_hdr(uint8_t *p, uint8_t type, uint32_t id,
			 uint32_t body_len);

/*
 * The header and fixed part of an AUTH_PSK request (KEYPROC_HDR_LEN +
 * KEYPROC_AUTH_FIXED bytes into p) for octets_len signed octets, which the
 * caller sends right after them. No check of the values.
 */
void keyproc_msg_put_auth(uint8_t *p, uint32_t id, uint32_t secret_id,
			  uint16_t prf, size_t octets_len);

/*
 * The header and fixed part of a SIGN request (KEYPROC_HDR_LEN +
 * KEYPROC_SIGN_FIXED bytes into p) for octets_len signed octets, which the
 * caller sends right after them. No check of the values.
 */
void keyproc_msg_put_sign(uint8_t *p, uint32_t id, uint32_t secret_id,
			  uint16_t hash, uint8_t scheme, size_t octets_len);

/*
 * A RELOAD part holding s[0..count-1] as entries first.. of a table of
 * total, into p (cap bytes). Returns the message length, or -ENOSPC when it
 * does not fit (p is then wiped). The output holds the secrets: the caller
 * wipes it.
 */
int keyproc_msg_build_reload(uint8_t *p, size_t cap, uint32_t id,
			     uint32_t total, uint32_t first,
			     const struct keyproc_secret *s, unsigned count);

/*
 * A reply to a request of type (KEYPROC_T_*) with status and, when status
 * is 0, auth (the AUTH value or signature, auth_len bytes; NULL and 0
 * otherwise), into p (cap bytes, at least KEYPROC_REPLY_MAX is always
 * enough). Returns the length, or -ENOSPC.
 */
int keyproc_msg_build_reply(uint8_t *p, size_t cap, uint8_t type,
			    uint32_t id, int32_t status, const uint8_t *auth,
			    size_t auth_len);

#endif
