/* SPDX-License-Identifier: MIT */
/*
 * Building and parsing control messages (ctl/proto.h). No I/O, no
 * allocation: the caller owns every buffer, so the fuzzer and the tests link
 * the same code the daemon runs. Not thread-safe per object; distinct
 * builders and messages may be used from different threads.
 *
 * Building: ctl_builder_init() writes the header into the caller's buffer,
 * ctl_put_*() append attributes, ctl_nest_begin()/ctl_nest_end() bracket
 * nests, ctl_builder_finish() fills in the length. The first failure is
 * sticky: later calls fail with the same error and write nothing, so a
 * caller may append many attributes and check once. Nothing is ever written
 * past the buffer, and what a builder produces always passes
 * ctl_msg_parse().
 *
 * Parsing: ctl_msg_parse() validates the whole message (every rule in
 * ctl/proto.h, at every level) before anything reads it; the iterators and
 * typed getters then read through util/cursor.h. Parsed messages point into
 * the caller's buffer, which must outlive them.
 */
#ifndef TUNSEC_CTL_MSG_H
#define TUNSEC_CTL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/proto.h"
#include "util/addr.h"
#include "util/cursor.h"

struct ctl_builder {
	uint8_t *buf;
	size_t cap;                  /* usable bytes: min(size, CTL_MSG_MAX) */
	size_t len;                  /* bytes written; a multiple of 4 */
	size_t nest[CTL_NEST_MAX];   /* offsets of the open nests' headers */
	unsigned depth;              /* open nests */
	unsigned attrs;              /* attributes written, all levels */
	int err;                     /* first failure (-errno), or 0 */
	bool secret;                 /* a CTL_AF_SECRET attribute was written */
};

/* A builder position to return to with ctl_builder_rollback(). */
struct ctl_mark {
	size_t len;
	size_t nest[CTL_NEST_MAX];
	unsigned depth;
	unsigned attrs;
};

/* Start a message of |type| and |seq| in buf[0..size). Fails with -EMSGSIZE
 * (sticky) when size < CTL_HDR_LEN. The buffer is the caller's; it is not
 * cleared beyond what is written. */
int ctl_builder_init(struct ctl_builder *b, void *buf, size_t size,
		     uint16_t type, uint32_t seq);

void ctl_builder_set_flags(struct ctl_builder *b, uint16_t flags);

/* Append one attribute. 0, or: -EMSGSIZE when it does not fit in the buffer
 * (or CTL_ATTRS_MAX is reached); -EINVAL when |type| is unknown, is not of
 * the kind the function writes, or the value breaks the encoding (a string
 * with a control character or longer than CTL_STR_MAX - 1, bytes longer than
 * CTL_BYTES_MAX, an address of no family). On failure nothing is written
 * and the error sticks. */
int ctl_put_u8(struct ctl_builder *b, uint16_t type, uint8_t v);
int ctl_put_u16(struct ctl_builder *b, uint16_t type, uint16_t v);
int ctl_put_u32(struct ctl_builder *b, uint16_t type, uint32_t v);
int ctl_put_u64(struct ctl_builder *b, uint16_t type, uint64_t v);
int ctl_put_i32(struct ctl_builder *b, uint16_t type, int32_t v);
int ctl_put_str(struct ctl_builder *b, uint16_t type, const char *s);
int ctl_put_bytes(struct ctl_builder *b, uint16_t type, const void *p,
		  size_t n);
int ctl_put_addr(struct ctl_builder *b, uint16_t type,
		 const struct ip_addr *a);

/* Open a nest attribute of |type| (a CTL_KIND_NEST type); attributes put
 * until the matching ctl_nest_end() go inside it. -EINVAL when CTL_NEST_MAX
 * nests are open already or |type| is not a nest; -EMSGSIZE when full. */
int ctl_nest_begin(struct ctl_builder *b, uint16_t type);
/* Close the innermost open nest. -EINVAL when none is open. */
int ctl_nest_end(struct ctl_builder *b);

/* Remember the current position, and later drop everything appended after
 * it (the dropped bytes are wiped) and clear the sticky error: how a SHOW
 * reply leaves out an entry that does not fit. */
struct ctl_mark ctl_builder_mark(const struct ctl_builder *b);
void ctl_builder_rollback(struct ctl_builder *b, const struct ctl_mark *m);

/* Drop every attribute, keeping the header; clears the sticky error. */
void ctl_builder_reset(struct ctl_builder *b);

/* Write the length into the header. Returns the message length (at least
 * CTL_HDR_LEN), or the sticky error, or -EINVAL when a nest is still open.
 * May be called again after more attributes are appended. */
int ctl_builder_finish(struct ctl_builder *b);

/* Wipe the whole buffer with secure_zero() and leave the builder unusable
 * (sticky -EINVAL) until ctl_builder_init(). Every buffer that held a
 * CTL_A_KEY attribute goes through this (b->secret says whether one did). */
void ctl_builder_wipe(struct ctl_builder *b);

/* Replace what |reply| holds by STATUS |err| and a MESSAGE formatted from
 * |fmt| (cut to fit CTL_STR_MAX; control characters become '?'). Returns
 * |err|, so a handler can end with `return ctl_reply_error(reply, ...)`. */
int ctl_reply_error(struct ctl_builder *reply, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Outcome of ctl_msg_parse(): X(name, reason for logs). */
#define CTL_PARSE_RESULTS(X)                                              \
	X(OK, "valid")                                                    \
	X(SHORT, "shorter than the message header")                       \
	X(MAGIC, "bad magic")                                             \
	X(TOO_BIG, "longer than the maximum message size")                \
	X(LENGTH, "length field differs from the message length")         \
	X(ALIGN, "length not a multiple of 4")                            \
	X(ATTR_SHORT, "attribute length below its header size")           \
	X(ATTR_OVERRUN, "attribute extends past its parent")              \
	X(PADDING, "non-zero attribute padding")                          \
	X(DEPTH, "nests nested too deep")                                 \
	X(TOO_MANY, "too many attributes")                               \
	X(SIZE, "fixed-size attribute of the wrong size")                 \
	X(STRING, "malformed string attribute")                           \
	X(BYTES, "bytes attribute too long")                              \
	X(ADDR, "malformed address attribute")

enum ctl_parse_result {
#define CTL_PARSE_ENUM(name, str) CTL_PARSE_##name,
	CTL_PARSE_RESULTS(CTL_PARSE_ENUM)
#undef CTL_PARSE_ENUM
	CTL_PARSE_COUNT
};

const char *ctl_parse_reason(enum ctl_parse_result r);

/* A validated message. |attrs| covers the top-level attributes. */
struct ctl_msg {
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t len;
	struct cursor attrs;
};

/* One attribute: its type and its value (without header or padding). */
struct ctl_attr {
	uint16_t type;
	struct cursor val;
};

struct ctl_iter {
	struct cursor rest;
};

/* Validate buf[0..len) as a whole message and fill |m| (pointing into buf).
 * CTL_PARSE_OK, or the first rule broken; |m| is meaningful only on OK.
 * Reads nothing outside buf[0..len). */
enum ctl_parse_result ctl_msg_parse(struct ctl_msg *m, const void *buf,
				    size_t len);

/* Iterate over the top-level attributes of |m|, or over the attributes in
 * nest |a| (false when |a|'s type is not a nest type). */
void ctl_msg_iter(const struct ctl_msg *m, struct ctl_iter *it);
bool ctl_attr_iter(const struct ctl_attr *a, struct ctl_iter *it);

/* The next attribute, or false at the end. */
bool ctl_iter_next(struct ctl_iter *it, struct ctl_attr *a);

/* Collect one level into tb[type] (tb[t].type == t when present, 0 when
 * absent; unknown types are skipped). Of a CTL_AF_MULTI type the first is
 * kept. False when a type without CTL_AF_MULTI occurs twice. Test
 * tb[t].type before reading an entry: on an absent one every getter fails
 * except ctl_attr_bytes(), which gives 0 bytes. */
bool ctl_iter_index(const struct ctl_iter *it, struct ctl_attr tb[CTL_A_END]);

/* Typed getters. Each fails (false, or NULL) when the value is not exactly
 * the size (and, for str and addr, the encoding) it reads; they do not look
 * at the attribute's type. */
bool ctl_attr_u8(const struct ctl_attr *a, uint8_t *v);
bool ctl_attr_u16(const struct ctl_attr *a, uint16_t *v);
bool ctl_attr_u32(const struct ctl_attr *a, uint32_t *v);
bool ctl_attr_u64(const struct ctl_attr *a, uint64_t *v);
bool ctl_attr_i32(const struct ctl_attr *a, int32_t *v);
/* The NUL-terminated string inside the message buffer, or NULL. */
const char *ctl_attr_str(const struct ctl_attr *a);
/* Point *p at the value (which may be secret: see CTL_AF_SECRET); fails
 * when it is longer than CTL_BYTES_MAX. */
bool ctl_attr_bytes(const struct ctl_attr *a, const uint8_t **p, size_t *n);
/* AF_INET or AF_INET6 address. */
bool ctl_attr_addr(const struct ctl_attr *a, struct ip_addr *out);

#endif
