/* SPDX-License-Identifier: MIT */
/*
 * Internals of the configuration parser, shared by the files of src/conf/
 * and used nowhere else.
 *
 * Flow: conf.c splits the text into lines; line.c checks the bytes of each
 * line and finds a section header or a "key = value" setting; section.c
 * opens sections and applies settings through the key tables (ike.c holds
 * the table of a peer's IKE keys); value.c, selector.c, key.c, psk.c,
 * path.c and ident.c parse single values; check.c and ike.c close
 * sections and cross-check the file at the end. Every function returning
 * int and taking the parser returns 0, or the negative errno of the first
 * error after recording it with conf_fail(). Values are NUL-terminated
 * copies of line bytes, never the caller's text.
 */
#ifndef TUNSEC_CONF_PARSE_H
#define TUNSEC_CONF_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

enum conf_section { CONF_SEC_NONE, CONF_SEC_DAEMON, CONF_SEC_PEER, CONF_SEC_SA };

struct conf_parser {
	struct conf *c;            /* the model being built */
	struct conf_error *err;    /* receives the first error */
	const char *base_dir;      /* for "key = @PATH"; NULL refuses them */
	unsigned line;             /* current line, from 1 */
	enum conf_section sec;     /* section being read */
	unsigned idx;              /* its index in c->peers or c->sas */
	bool failed;               /* an error is recorded */
};

/* One key of a section: set() parses v into item (the section's struct). */
struct conf_key_def {
	const char *name;
	int (*set)(struct conf_parser *p, void *item, const char *v);
	bool repeatable;
};

/* Record an error at line (0: the whole file) unless one is recorded
 * already. Returns -EINVAL. The reason must not contain key material. */
int conf_fail(struct conf_parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record "out of memory" at the current line; returns -ENOMEM. */
int conf_fail_nomem(struct conf_parser *p);

/* line.c: one line of text, without its line ending. */
int conf_line_feed(struct conf_parser *p, const char *text, size_t len);

/* section.c */
int conf_section_open(struct conf_parser *p, const char *kind,
		      const char *name);
int conf_setting_apply(struct conf_parser *p, const char *key,
		       const char *value);
/* The section being read as "daemon", "peer NAME" or "sa NAME". */
const char *conf_section_name(const struct conf_parser *p, char *buf,
			      size_t size);

/* value.c */
#define CONF_QUOTE_MAX 48 /* echoed value, with quotes, "..." and NUL */
/* s (a value, never key material) quoted and cut for a message. */
const char *conf_quote(const char *s, char *buf);
/* The next whitespace-separated word of s[0..len) from *pos into word
 * (NUL-terminated). Returns its length, 0 at the end, or -E2BIG when it
 * does not fit (word then holds its start). */
int conf_word_next(const char *s, size_t len, size_t *pos, char *word,
		   size_t size);
/* Decimal or 0x-hex unsigned number in [min, max]. */
int conf_value_u32(struct conf_parser *p, const char *key, const char *v,
		   uint32_t min, uint32_t max, uint32_t *out);
/* Like conf_value_u32 without an error: -EINVAL not a number, -ERANGE. */
int conf_number(const char *v, uint32_t min, uint32_t max, uint32_t *out);
int conf_value_port(struct conf_parser *p, const char *key, const char *v,
		    uint16_t *out);
/* A unicast IPv4 or IPv6 address. */
int conf_value_addr(struct conf_parser *p, const char *key, const char *v,
		    struct ip_addr *out);
/* A peer or SA name: 1-CONF_NAME_MAX of [A-Za-z0-9._-]. */
bool conf_name_ok(const char *s, size_t max);
int conf_value_name(struct conf_parser *p, const char *what, const char *v,
		    char *out);
/* One of words[0..n); *out is its index. */
int conf_value_word(struct conf_parser *p, const char *key, const char *v,
		    const char *const *words, unsigned n, unsigned *out);
/* "yes" or "no", as for esn. */
int conf_value_bool(struct conf_parser *p, const char *key, const char *v,
		    bool *out);
/* A duration: digits with a unit ms, s, m, h or d (none: seconds), in
 * [min_ms, max_ms], into *out_ms. */
int conf_value_duration_ms(struct conf_parser *p, const char *key,
			   const char *v, uint64_t min_ms, uint64_t max_ms,
			   uint64_t *out_ms);
/* The same in whole seconds (no "ms" fractions), bounds in seconds. */
int conf_value_duration(struct conf_parser *p, const char *key, const char *v,
			uint32_t min, uint32_t max, uint32_t *out);
/* A count: digits with an optional K, M or G (2^10, 2^20, 2^30). */
int conf_value_count(struct conf_parser *p, const char *key, const char *v,
		     uint64_t *out);

/* key.c: "key = HEX" or "key = @PATH" into sa->key. */
int conf_key_parse(struct conf_parser *p, struct conf_sa *sa, const char *v);
/* Key files: the file "@rel" of the setting |key| (rel relative to
 * base_dir; the resolved path into path[0..path_size)), a regular file of
 * at most CONF_KEY_FILE_MAX bytes that neither group nor others may
 * access, read into buf (at least CONF_KEY_FILE_MAX + 1 bytes) with its
 * length in *n. buf may hold secret bytes whatever the result: the caller
 * wipes it. */
int conf_key_file_read(struct conf_parser *p, const char *key,
		       const char *rel, char *path, size_t path_size,
		       char *buf, size_t *n);

/* path.c: files named in the configuration. */
struct stat;
/* rel below base_dir into path[0..size): rel itself when absolute, else
 * "base_dir/rel"; with absolute, a relative base_dir is taken from the
 * current directory. No file is looked at. Returns 0, -ENAMETOOLONG, or
 * the -errno of getcwd(). */
int conf_path_join(const char *base_dir, const char *rel, bool absolute,
		   char *path, size_t size);
/* st (of path, called "NOUN \"PATH\"" in errors of the setting key) is
 * a regular file and, when secret, one that neither group nor others may
 * access (mode & 077 == 0). */
int conf_file_check(struct conf_parser *p, const char *key, const char *noun,
		    const char *path, const struct stat *st, bool secret);
/* The value v of certificate, private-key or ca: a path relative to
 * base_dir (refused when it is NULL) naming a regular file (secret: with
 * conf_file_check's mode), whose absolute path of at most CONF_PATH_MAX
 * bytes goes into out[0..CONF_PATH_MAX]. Only stat()s the file. */
int conf_path_parse(struct conf_parser *p, const char *key, const char *v,
		    bool secret, char *out);

/* psk.c: "psk = 0xHEX | "STRING" | @PATH" into ike->psk. */
int conf_psk_parse(struct conf_parser *p, struct conf_ike *ike,
		   const char *v);

/* ident.c: "TYPE:VALUE" identities for local-id and remote-id. */
int conf_id_parse(struct conf_parser *p, const char *key, const char *v,
		  struct conf_ike_id *out);
/* The ID_IPV4_ADDR or ID_IPV6_ADDR identity of a. */
void conf_id_from_addr(const struct ip_addr *a, struct conf_ike_id *out);

/* ike.c: the IKE keys of a [peer], indexed by enum conf_ike_key. */
extern const struct conf_key_def conf_ike_keys[CONF_IKE_KEYS];
/* When a [peer] ends: IKE keys need "auth"; psk goes with auth = psk,
 * certificate, private-key and ca with auth = pubkey; fill the defaults. */
int conf_ike_check_section(struct conf_parser *p, struct conf_peer *peer);
/* After the last line: the default identities, from the addresses. */
void conf_ike_resolve(const struct conf *c, struct conf_peer *peer);

/* selector.c */
int conf_selector_parse(struct conf_parser *p, const char *v,
			struct conf_selector *out);
/* Fill the prefixes not written and check the families, once the peer's
 * mode and both underlay addresses are known. */
int conf_selector_resolve(struct conf_parser *p, const struct conf_peer *peer,
			  struct conf_selector *sel);
bool conf_selector_equal(const struct conf_selector *a,
			 const struct conf_selector *b);

/* check.c */
int conf_check_section(struct conf_parser *p); /* the section being read */
int conf_check_file(struct conf_parser *p);    /* after the last line */

#endif
