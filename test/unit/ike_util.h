/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the IKE message tests (test_ike_msg.c,
 * test_ike_msg_scapy.c): a text rendering of decoded payloads, one line per
 * payload, that prints every field (two values render the same exactly
 * when they are equal), and a rebuild of a parsed message with the writer.
 * Names carry iu_ (ike_util). The line formats are those of
 * test/vectors/ike-msg/scapy.txt (see its header and gen_scapy.py there).
 */
#ifndef TUNSEC_TEST_IKE_UTIL_H
#define TUNSEC_TEST_IKE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ike/msg.h"

/* Text of at most IU_TEXT_MAX bytes; longer renderings are cut. */
#define IU_TEXT_MAX 8192

struct iu_text {
	char s[IU_TEXT_MAX];
	size_t n;
};

void iu_text_init(struct iu_text *t);
void iu_add(struct iu_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One line per value, ending in '\n'. */
void iu_render_hdr(struct iu_text *t, const struct ike_hdr *h);
void iu_render_sa(struct iu_text *t, const struct ike_sa_payload *sa);
void iu_render_ke(struct iu_text *t, const struct ike_ke *ke);
void iu_render_id(struct iu_text *t, uint8_t type, const struct ike_id *id);
void iu_render_cert(struct iu_text *t, uint8_t type, const struct ike_cert *c);
void iu_render_auth(struct iu_text *t, const struct ike_auth *a);
void iu_render_nonce(struct iu_text *t, const uint8_t *n, size_t len);
void iu_render_notify(struct iu_text *t, const struct ike_notify *n);
void iu_render_delete(struct iu_text *t, const struct ike_delete *d);
void iu_render_vendor(struct iu_text *t, const uint8_t *v, size_t len);
void iu_render_ts(struct iu_text *t, uint8_t type,
		  const struct ike_ts_payload *ts);

/* Decode every payload of chain c (walked over buf) and render it; the SK
 * or SKF payload as "SK next len" / "SKF n/t next len"; CP and EAP as their
 * raw body; then "skipped N" when unknown payloads were passed over.
 * Returns IKE_PARSE_OK or the first decoder's refusal. */
enum ike_parse iu_render_chain(struct iu_text *t, const struct ike_chain *c);

/* Build m again with the writer from its decoded payloads (CP and EAP
 * raw; SK and SKF not supported: -ENOTSUP) into out[0..cap). Returns the
 * length, or -errno. */
int iu_rebuild(const struct ike_msg *m, uint8_t *out, size_t cap);

/* Hex digits (spaces allowed) to bytes; returns the count, or -1 on a bad
 * digit, an odd count or more than cap bytes. */
long iu_unhex(const char *s, uint8_t *out, size_t cap);

#endif
