/* SPDX-License-Identifier: MIT */
/*
 * Internals of `tunsec show`, shared by its files and used nowhere else:
 * cli/show.c runs the command and prints the daemon, peers and SAs;
 * cli/show_fmt.c reads attributes out of the (validated) reply and writes
 * text and JSON; cli/show_ike.c prints the IKE SAs.
 *
 * Everything here writes to stdout and is called only after the whole reply
 * has passed ctl_msg_parse() and the command's check that no nest repeats an
 * attribute. Strings from the daemon are untrusted: they reach the output
 * only through show_text_clean() or the JSON writers. Not thread-safe (one
 * output stream, no locking); the CLI is single-threaded.
 */
#ifndef TUNSEC_CLI_SHOW_H
#define TUNSEC_CLI_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/msg.h"
#include "ctl/proto.h"

#define SHOW_LABEL_W 15 /* text layout: values start after this column */

/* ---- Reading the reply (cli/show_fmt.c) ------------------------------ */

/* Index nest |a| into tb[CTL_A_END]; all zero when it does not index. */
void show_nest_index(const struct ctl_attr *a, struct ctl_attr *tb);

/* The unsigned attribute t of tb, of any width, into *v. False when it is
 * absent or not an unsigned kind; *v is then unspecified. */
bool show_get_num(const struct ctl_attr *tb, enum ctl_attr_type t,
		  uint64_t *v);

/* The str attribute t of tb, or NULL when absent. Points into the reply;
 * untrusted text. */
const char *show_get_str(const struct ctl_attr *tb, enum ctl_attr_type t);

/* ---- Text --------------------------------------------------------------- */

/* s with every byte of a malformed UTF-8 or control sequence replaced by
 * '?'. buf holds at least strlen(s) + 1 bytes (CTL_STR_MAX for any str
 * attribute); returns buf. */
const char *show_text_clean(const char *s, char *buf);

/* "label:         value" at |indent| spaces, the value starting after
 * SHOW_LABEL_W columns; an empty label prints no colon. */
void show_text_line(unsigned indent, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The str attribute t of tb as a cleaned line; nothing when absent. */
void show_text_str(unsigned indent, const char *label,
		   const struct ctl_attr *tb, enum ctl_attr_type t);

/* Every str attribute t of nest (a repeated one), one line each, the
 * first with label. */
void show_text_strs(unsigned indent, const char *label,
		    const struct ctl_attr *nest, enum ctl_attr_type t);

/* The addr attribute at of tb with tb's PORT as "ADDR:PORT" ("[ADDR]:PORT"
 * for IPv6, "ADDR" without a PORT) into buf[cap]; false when absent. */
bool show_text_endpoint(const struct ctl_attr *tb, enum ctl_attr_type at,
			char *buf, size_t cap);

/* secs as "2 days, 3 hours, 4 minutes, 5 seconds" into buf[cap] (64 bytes
 * hold any value); zero units are left out, "0 seconds" for 0. */
void show_text_duration(uint64_t secs, char *buf, size_t cap);

/* ---- JSON (RFC 8259) ---------------------------------------------------- */

/* Where the writer is: nesting depth, and whether the innermost container
 * is still empty. Start with { 0, true }. */
struct show_json {
	unsigned depth;
	bool first;
};

/* Start a member named key, or an array element when key is NULL: the
 * separator, the indentation and the quoted key. */
void show_json_sep(struct show_json *j, const char *key);

/* Open a container c ('{' or '['), as member key or as an element. */
void show_json_open(struct show_json *j, const char *key, char c);

/* Close the innermost container with c ('}' or ']'). */
void show_json_close(struct show_json *j, char c);

/* A string member (escaped; malformed UTF-8 becomes U+FFFD); nothing when
 * s is NULL. */
void show_json_str(struct show_json *j, const char *key, const char *s);

/* The unsigned attribute t of tb as a number member; nothing when
 * absent. */
void show_json_num(struct show_json *j, const char *key,
		   const struct ctl_attr *tb, enum ctl_attr_type t);

/* The addr attribute t of tb as a string member; nothing when absent. */
void show_json_addr(struct show_json *j, const char *key,
		    const struct ctl_attr *tb, enum ctl_attr_type t);

/* Every str attribute t of nest as an array member key (empty when
 * there is none). */
void show_json_strs(struct show_json *j, const char *key,
		    const struct ctl_attr *nest, enum ctl_attr_type t);

/* ---- IKE SAs (cli/show_ike.c) ----------------------------------------- */

/* One IKE_SA nest as an "ike-sa: PEER" block of text. */
void show_text_ike_sa(const struct ctl_attr *nest);

/* One IKE_SA nest as a JSON object, an element of the "ike_sas" array. */
void show_json_ike_sa(struct show_json *j, const struct ctl_attr *nest);

#endif
