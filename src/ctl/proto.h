/* SPDX-License-Identifier: MIT */
/*
 * The tunsecd control protocol, version 1: the wire format between the
 * daemon and its clients (the `tunsec` CLI today, the IKEv2 control plane
 * later). This comment is the specification; docs/control-protocol.md is a
 * shorter guide for client authors.
 *
 * TRANSPORT
 *   A unix-domain SOCK_SEQPACKET socket, mode 0600, path from the
 *   configuration ([daemon] control-socket). One message per datagram, at
 *   most CTL_MSG_MAX bytes. The client sends one request and reads one reply
 *   before sending the next; the daemon answers requests on one connection
 *   in order and serves up to CTL_CONN_MAX connections at once (when a new
 *   one arrives with all slots in use, the least recently active connection
 *   is closed). Only peers whose SO_PEERCRED uid is 0 or the daemon's
 *   effective uid are served; any other gets STATUS -EPERM for every request.
 *
 * MESSAGE (all integers in network byte order)
 *   0       4       6       8      12      16
 *   +-------+-------+-------+-------+-------+---------------
 *   | magic | type  | flags |  seq  |  len  | attributes ...
 *   +-------+-------+-------+-------+-------+---------------
 *   magic  CTL_MAGIC, "TSC1".
 *   type   enum ctl_type. Replies have bit 15 set (CTL_REPLY).
 *   flags  CTL_F_*; unknown bits are ignored by receivers and sent as 0.
 *   seq    chosen by the client; the reply carries the request's seq. A
 *          reply to a request that could not be parsed (or was too large)
 *          carries seq 0 and a negative STATUS.
 *   len    the length of the whole message including this header; it must
 *          equal the datagram's length and be a multiple of 4.
 *
 * ATTRIBUTES (netlink-style TLVs)
 *   +--------+--------+----------------+---------+
 *   | type16 | len16  | value          | padding |
 *   +--------+--------+----------------+---------+
 *   len counts the 4-byte attribute header and the value, not the padding.
 *   Each attribute starts on a 4-byte boundary: 0-3 zero bytes of padding
 *   follow the value, and they must be zero. Every attribute, padding
 *   included, lies within its parent (the message, or the nest holding it).
 *   A nest attribute's value is a sequence of attributes; its len is
 *   therefore a multiple of 4. Nests go at most CTL_NEST_MAX levels deep and a
 *   message holds at most CTL_ATTRS_MAX attributes, counting every level.
 *
 *   The type alone determines how the value is encoded (enum ctl_kind):
 *     u8 u16 u32 u64 i32  exactly 1, 2, 4, 8, 4 bytes, big-endian; i32 is
 *                         two's complement.
 *     str     the text followed by exactly one NUL: 1..CTL_STR_MAX bytes, the
 *             last byte NUL, no NUL and no control character (0x01-0x1f,
 *             0x7f) before it. Strings are single lines of UTF-8 text.
 *     bytes   0..CTL_BYTES_MAX raw bytes.
 *     addr    one family byte, 4 or 6, then 4 or 16 address bytes (value
 *             length 5 or 17, agreeing with the family).
 *     nest    attributes.
 *   A message is refused as a whole (nothing in it is acted on) when any of
 *   these rules is broken anywhere in it. Attribute types this version does
 *   not know are checked for length and padding only and then ignored, so a
 *   newer peer may add attributes. Attributes marked "repeated" below may
 *   occur several times at their level; any other may occur at most once.
 *
 * REQUESTS
 *   CTL_SHOW     no attributes. The reply describes the daemon's state.
 *   CTL_SA_ADD   one SA, top-level attributes:
 *                  NAME (str, optional), PEER_NAME (str, optional),
 *                  DIR (u8: CTL_DIR_IN / CTL_DIR_OUT), SPI (u32, not 0),
 *                  CIPHER (str: "aes-gcm-256", ... as `tunsec esp`),
 *                  ICV (u8, bytes), KEY (bytes: key then salt, secret),
 *                  MODE (u8: CTL_MODE_*), ENCAP (u8: CTL_ENCAP_*),
 *                  SPORT, DPORT (u16, UDP encapsulation ports),
 *                  ESN (u8: 0 or 1), SEQ (u64: out, the next sequence
 *                  number to send; in, the highest already received),
 *                  WINDOW (u32, replay window in packets),
 *                  TUN_SRC, TUN_DST (addr, tunnel mode outer addresses),
 *                  TFC (u16, pad outbound packets to this length; 0 off).
 *                Adding an SA whose (DIR, SPI) already exists REPLACES the
 *                old one atomically: packets in flight finish on the old SA,
 *                every later packet uses the new one, none is dropped for
 *                the swap. This is how rekeying installs new keys.
 *                Both ends wipe every buffer that held the request.
 *   CTL_SA_DEL   DIR (u8), SPI (u32). -ENOENT when no such SA.
 *   CTL_RELOAD   no attributes. Re-reads the configuration file; an invalid
 *                file changes nothing and the reply's MESSAGE gives
 *                "file:line: reason".
 *   Unknown request types get STATUS -EOPNOTSUPP.
 *
 * REPLY (type CTL_REPLY)
 *   STATUS (i32)   exactly once at the top level: 0, or -errno.
 *   MESSAGE (str)  human-readable reason, present on errors.
 *   For CTL_SHOW, with STATUS 0:
 *   DAEMON nest    VERSION (str), UPTIME (u64, seconds), LOCAL (addr),
 *                  PORT (u16), TUN (str, interface name).
 *   PEER nest      repeated: NAME (str), ADDR (addr), PORT (u16), MODE (u8),
 *                  SELECTOR (str, repeated; rendered as in the config file).
 *   SA nest        repeated: NAME (str), PEER_NAME (str), DIR (u8), SPI (u32),
 *                  CIPHER (str), ICV (u8), MODE (u8), ENCAP (u8), ESN (u8),
 *                  PACKETS (u64), BYTES (u64), SEQ (u64: out, next to send;
 *                  in, highest received), WINDOW (u32),
 *                  DROPS nest: DROP nest, repeated: REASON (str), COUNT (u64);
 *                  only reasons with a non-zero count appear.
 *   DROPS nest     drops not tied to an SA (unknown-spi, not-esp, ...), same
 *                  layout as in an SA nest.
 *   KEY never appears in a reply.
 *   A SHOW reply that would exceed CTL_MSG_MAX omits the PEER and SA nests
 *   that do not fit and sets CTL_F_TRUNCATED in the header flags.
 *
 * ERRORS (STATUS values)
 *   -EBADMSG     malformed request (MESSAGE names the rule broken)
 *   -EMSGSIZE    request larger than CTL_MSG_MAX, or reply would not fit
 *   -EPERM       peer uid not allowed
 *   -EOPNOTSUPP  unknown request type
 *   -EINVAL      a missing, repeated or out-of-range attribute
 *   -ENOENT      CTL_SA_DEL of an SA that does not exist
 *   others       as the operation reports them (-ENOMEM, -EIO, ...)
 */
#ifndef TUNSEC_CTL_PROTO_H
#define TUNSEC_CTL_PROTO_H

#include <stdint.h>

#define CTL_MAGIC 0x54534331u /* "TSC1" */
#define CTL_HDR_LEN 16
#define CTL_ATTR_HDR_LEN 4
#define CTL_ALIGN 4

/* Largest message, header included. A larger request is answered with
 * STATUS -EMSGSIZE and otherwise ignored. */
#define CTL_MSG_MAX 65536
/* Levels of nests inside nests; a deeper nest makes the message invalid. */
#define CTL_NEST_MAX 4
/* Attributes in one message, all levels counted. */
#define CTL_ATTRS_MAX 8192
/* Longest str value, terminating NUL included. */
#define CTL_STR_MAX 1024
/* Longest bytes value. */
#define CTL_BYTES_MAX 256
/* Connections served at once; a new one beyond this closes the least
 * recently active. */
#define CTL_CONN_MAX 16

/* Header field offsets. */
#define CTL_HDR_OFF_MAGIC 0
#define CTL_HDR_OFF_TYPE 4
#define CTL_HDR_OFF_FLAGS 6
#define CTL_HDR_OFF_SEQ 8
#define CTL_HDR_OFF_LEN 12

/* Header flags. */
#define CTL_F_TRUNCATED 0x0001 /* reply: entries that did not fit omitted */

/* Message types: X(name, value, log name). */
#define CTL_TYPES(X)                         \
	X(SHOW, 0x0001, "show")              \
	X(SA_ADD, 0x0002, "sa-add")          \
	X(SA_DEL, 0x0003, "sa-del")          \
	X(RELOAD, 0x0004, "reload")          \
	X(UP, 0x0005, "up")                  \
	X(DOWN, 0x0006, "down")              \
	X(REKEY, 0x0007, "rekey")            \
	X(REPLY, 0x8000, "reply")

enum ctl_type {
#define CTL_TYPE_ENUM(name, val, str) CTL_##name = val,
	CTL_TYPES(CTL_TYPE_ENUM)
#undef CTL_TYPE_ENUM
};

/* Value encodings; see "ATTRIBUTES" above. */
enum ctl_kind {
	CTL_KIND_UNKNOWN, /* a type this version does not know: opaque */
	CTL_KIND_U8,
	CTL_KIND_U16,
	CTL_KIND_U32,
	CTL_KIND_U64,
	CTL_KIND_I32,
	CTL_KIND_STR,
	CTL_KIND_BYTES,
	CTL_KIND_ADDR,
	CTL_KIND_NEST,
};

/* Attribute properties. */
#define CTL_AF_MULTI 0x1  /* may repeat at its level */
#define CTL_AF_SECRET 0x2 /* key material: buffers holding it are wiped */

/* Attribute types: X(name, value, log name, kind, flags). One enum for every
 * level; values are part of the protocol and never reused. */
#define CTL_ATTRS(X)                                                      \
	X(NAME, 1, "name", STR, 0)                                        \
	X(PEER_NAME, 2, "peer-name", STR, 0)                              \
	X(DIR, 3, "dir", U8, 0)                                           \
	X(SPI, 4, "spi", U32, 0)                                          \
	X(CIPHER, 5, "cipher", STR, 0)                                    \
	X(ICV, 6, "icv", U8, 0)                                           \
	X(KEY, 7, "key", BYTES, CTL_AF_SECRET)                            \
	X(MODE, 8, "mode", U8, 0)                                         \
	X(ENCAP, 9, "encap", U8, 0)                                       \
	X(SPORT, 10, "sport", U16, 0)                                     \
	X(DPORT, 11, "dport", U16, 0)                                     \
	X(ESN, 12, "esn", U8, 0)                                          \
	X(SEQ, 13, "seq", U64, 0)                                         \
	X(WINDOW, 14, "window", U32, 0)                                   \
	X(TUN_SRC, 15, "tun-src", ADDR, 0)                                \
	X(TUN_DST, 16, "tun-dst", ADDR, 0)                                \
	X(TFC, 17, "tfc", U16, 0)                                         \
	X(STATUS, 18, "status", I32, 0)                                   \
	X(MESSAGE, 19, "message", STR, 0)                                 \
	X(DAEMON, 20, "daemon", NEST, 0)                                  \
	X(VERSION, 21, "version", STR, 0)                                 \
	X(UPTIME, 22, "uptime", U64, 0)                                   \
	X(LOCAL, 23, "local", ADDR, 0)                                    \
	X(PORT, 24, "port", U16, 0)                                       \
	X(TUN, 25, "tun", STR, 0)                                         \
	X(PEER, 26, "peer", NEST, CTL_AF_MULTI)                           \
	X(ADDR, 27, "addr", ADDR, 0)                                      \
	X(SELECTOR, 28, "selector", STR, CTL_AF_MULTI)                    \
	X(SA, 29, "sa", NEST, CTL_AF_MULTI)                               \
	X(PACKETS, 30, "packets", U64, 0)                                 \
	X(BYTES, 31, "bytes", U64, 0)                                     \
	X(DROPS, 32, "drops", NEST, 0)                                    \
	X(DROP, 33, "drop", NEST, CTL_AF_MULTI)                           \
	X(REASON, 34, "reason", STR, 0)                                   \
	X(COUNT, 35, "count", U64, 0)                                     \
	X(CPU, 36, "cpu", U8, 0)                                          \
	X(WORKER, 37, "worker", NEST, CTL_AF_MULTI)                       \
	X(ID, 38, "id", U32, 0)                                           \
	X(TUN_PACKETS, 39, "tun-packets", U64, 0)                         \
	X(UDP_PACKETS, 40, "udp-packets", U64, 0)                         \
	X(WORKER_MASK, 41, "workers", U64, 0)                             \
	X(OFFLOAD, 42, "offload", STR, CTL_AF_MULTI)                      \
	X(IKE_SA, 43, "ike-sa", NEST, CTL_AF_MULTI)                       \
	X(STATE, 44, "state", STR, 0)                                     \
	X(ROLE, 45, "role", STR, 0)                                       \
	X(SPI_I, 46, "spi-i", U64, 0)                                     \
	X(SPI_R, 47, "spi-r", U64, 0)                                     \
	X(IKE_ALG, 48, "ike-alg", STR, 0)                                 \
	X(AGE, 49, "age", U64, 0)                                         \
	X(ESP_ALG, 50, "esp-alg", STR, 0)                                 \
	X(SPI_IN, 51, "spi-in", U32, 0)                                   \
	X(SPI_OUT, 52, "spi-out", U32, 0)                                 \
	X(IKE, 53, "ike", U8, 0)                                          \
	X(FRAGMENTS, 54, "fragments", U64, 0)                             \
	X(NAT, 55, "nat", U8, 0)                                          \
	X(CHILD, 56, "child", NEST, CTL_AF_MULTI)                         \
	X(IKE_REKEY, 57, "ike-rekey", U64, 0)                             \
	X(CHILD_REKEY, 58, "child-rekey", U64, 0)

enum ctl_attr_type {
	CTL_A_UNSPEC = 0, /* never sent */
#define CTL_ATTR_ENUM(name, val, str, kind, flags) CTL_A_##name = val,
	CTL_ATTRS(CTL_ATTR_ENUM)
#undef CTL_ATTR_ENUM
	CTL_A_END /* one past the highest known type */
};

/* Values of DIR, MODE and ENCAP. */
#define CTL_DIR_IN 0
#define CTL_DIR_OUT 1
#define CTL_MODE_TRANSPORT 0
#define CTL_MODE_TUNNEL 1
#define CTL_ENCAP_NONE 0
#define CTL_ENCAP_UDP 1

/* addr values: family byte and total value lengths. */
#define CTL_ADDR_FAMILY4 4
#define CTL_ADDR_FAMILY6 6
#define CTL_ADDR4_LEN 5
#define CTL_ADDR6_LEN 17

/* Names for logs: "show", "spi", ...; "?" for an unknown value. */
const char *ctl_type_name(uint16_t type);
const char *ctl_attr_name(uint16_t type);

/* The encoding of attribute |type|; CTL_KIND_UNKNOWN for unknown types. */
enum ctl_kind ctl_attr_kind(uint16_t type);

/* CTL_AF_* of attribute |type|; 0 for unknown types. */
unsigned ctl_attr_flags(uint16_t type);

#endif
