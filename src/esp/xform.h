/* SPDX-License-Identifier: MIT */
/* What esp/encrypt.c and esp/decrypt.c share. Private to src/esp. */
#ifndef TUNSEC_ESP_XFORM_H
#define TUNSEC_ESP_XFORM_H

#include <string.h>

#include "esp/esp.h"
#include "util/bytes.h"

/* Per-packet inputs and outputs of the AEAD call that do not live in the
 * packet. Not secret: nonce, AAD and ICV all cross the wire (the salt part
 * of the nonce is not sent, but it only whitens the nonce). */
struct esp_scratch {
	uint8_t nonce[AEAD_NONCE_MAX];
	uint8_t aad[12];
	uint8_t tag[AEAD_TAG_MAX];
};

static inline void esp_count_drop(struct esp_sa *sa, enum esp_drop reason)
{
	sa->stats.drops[reason]++;
}

/* Whether the SA's cipher is integrity-only (an HMAC over the whole ESP
 * packet) rather than an AEAD with ESP's 8- or 12-byte AAD. */
static inline bool esp_is_hmac(const struct esp_sa *sa)
{
	return sa->info->alg == AEAD_NULL_HMAC_SHA256;
}

/*
 * Fill req for the ESP packet at esp (header, IV, text_len bytes of payload
 * and trailer, then the ICV) with 64-bit sequence number seq.
 * AEADs (RFC 4106 §5, RFC 4309 §5, RFC 7634 §2.1): nonce = salt || IV, AAD =
 * SPI || [seq high] || seq low, the text is encrypted, the tag is the ICV.
 * Integrity-only (RFC 4303 §3.3.2.1 with §2.2.1): the HMAC covers header,
 * payload and trailer followed, with ESN, by the high 32 bits of the
 * sequence number, which are written where the ICV goes; the tag goes to
 * scratch, and the caller moves it afterwards.
 */
static inline void esp_fill_req(const struct esp_sa *sa, uint8_t *esp,
				uint32_t text_len, uint64_t seq,
				struct esp_scratch *s, struct aead_req *req)
{
	uint8_t iv_len = sa->info->iv_len;
	uint8_t *text = esp + ESP_HDR_LEN + iv_len;

	req->ctx = sa->aead;
	req->status = 0;
	if (esp_is_hmac(sa)) {
		uint32_t aad_len = ESP_HDR_LEN + text_len;

		if (sa->esn) {
			put_be32(esp + aad_len, (uint32_t)(seq >> 32));
			aad_len += 4;
		}
		req->nonce = NULL;
		req->nonce_len = 0;
		req->aad = esp;
		req->aad_len = aad_len;
		req->in = req->out = text + text_len;
		req->len = 0;
		req->tag = s->tag;
		return;
	}
	memcpy(s->nonce, sa->salt, sa->info->salt_len);
	memcpy(s->nonce + sa->info->salt_len, esp + ESP_HDR_LEN, iv_len);
	req->nonce = s->nonce;
	req->nonce_len = (size_t)sa->info->salt_len + iv_len;
	memcpy(s->aad, esp, 4);
	if (sa->esn) {
		put_be32(s->aad + 4, (uint32_t)(seq >> 32));
		memcpy(s->aad + 8, esp + 4, 4);
		req->aad_len = 12;
	} else {
		memcpy(s->aad + 4, esp + 4, 4);
		req->aad_len = 8;
	}
	req->aad = s->aad;
	req->in = req->out = text;
	req->len = text_len;
	req->tag = text + text_len;
}

#endif
