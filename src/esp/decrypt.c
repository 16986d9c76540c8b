/* SPDX-License-Identifier: MIT */
/*
 * ESP input processing (RFC 4303 §3.4): find ESP in the outer packet, check
 * the SPI and the replay window, open the whole burst in one pass of the
 * crypto engine, then — only for packets whose ICV verified — record the
 * sequence number, check the trailer and restore the original packet.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "dp/limits.h"
#include "esp/iphdr.h"
#include "esp/xform.h"
#include "util/cursor.h"

/* What input processing learnt about one packet before decryption. */
struct rx_state {
	struct iphdr_info ip; /* outer header chain */
	uint32_t esp_off;     /* offset of the ESP header */
	uint32_t text_len;    /* encrypted payload + trailer */
	uint64_t seq;         /* inferred 64-bit sequence number */
};

/* RFC 3948 §2.2: what a UDP payload on the ESP port is. */
static enum esp_drop classify_udp_payload(struct cursor c)
{
	uint8_t first;
	uint32_t marker;

	if (cursor_left(&c) == 1 && cursor_peek_u8(&c, 0, &first) &&
	    first == NAT_KEEPALIVE_BYTE)
		return ESP_DROP_KEEPALIVE;
	if (cursor_u32(&c, &marker) && marker == 0)
		return ESP_DROP_IKE;
	return ESP_OK;
}

/* Locate the ESP header in the outer packet: sets ip and esp_off. */
static enum esp_drop find_esp(const uint8_t *d, uint32_t len,
			      enum esp_encap encap, uint16_t dport,
			      struct rx_state *st)
{
	enum esp_drop r = iphdr_parse_outer(d, len, &st->ip);
	struct cursor c;
	uint16_t sport, udp_dport, udp_len;

	if (r != ESP_OK)
		return r;
	st->esp_off = st->ip.hdr_len;
	if (st->ip.nh == IPPROTO_ESP_NUM)
		return encap == ESP_ENCAP_NONE ? ESP_OK : ESP_DROP_NOT_ESP;
	if (encap != ESP_ENCAP_UDP)
		return ESP_DROP_NOT_ESP;
	c = cursor_make(d + st->ip.hdr_len, st->ip.len - st->ip.hdr_len);
	if (!cursor_u16(&c, &sport) || !cursor_u16(&c, &udp_dport) ||
	    !cursor_u16(&c, &udp_len) || !cursor_skip(&c, 2))
		return ESP_DROP_SHORT;
	if (udp_dport != dport)
		return ESP_DROP_NOT_ESP;
	if (udp_len != st->ip.len - st->ip.hdr_len)
		return ESP_DROP_MALFORMED;
	st->esp_off += UDP_HDR_LEN;
	return classify_udp_payload(c);
}

enum esp_drop esp_peek_spi(const struct pkt *p, enum esp_encap encap,
			   uint16_t dport, uint32_t *spi)
{
	struct rx_state st;
	enum esp_drop r = find_esp(pkt_data(p), p->len, encap, dport, &st);
	struct cursor c;

	if (r != ESP_OK)
		return r;
	c = cursor_make(pkt_data(p) + st.esp_off, st.ip.len - st.esp_off);
	return cursor_u32(&c, spi) ? ESP_OK : ESP_DROP_SHORT;
}

uint32_t esp_header_offset(const struct pkt *p, enum esp_encap encap,
			   uint16_t dport)
{
	struct rx_state st;

	if (find_esp(pkt_data(p), p->len, encap, dport, &st) != ESP_OK)
		return 0;
	return st.esp_off;
}

/* Check lengths, SPI and the replay window; sets text_len and seq. */
static enum esp_drop check_esp(const struct esp_sa *sa, const uint8_t *d,
			       struct rx_state *st)
{
	uint32_t esp_len = st->ip.len - st->esp_off;
	uint32_t fixed = ESP_HDR_LEN + sa->info->iv_len + sa->icv_len;
	struct cursor c = cursor_make(d + st->esp_off, esp_len);
	uint32_t spi, seq_lo;
	bool ok;

	if (!cursor_u32(&c, &spi) || !cursor_u32(&c, &seq_lo))
		return ESP_DROP_SHORT;
	if (spi != sa->spi)
		return ESP_DROP_UNKNOWN_SPI;
	if (esp_len < fixed + ESP_TRAILER_LEN)
		return ESP_DROP_SHORT;
	st->text_len = esp_len - fixed;
	if (st->text_len % ESP_ALIGN)
		return ESP_DROP_MALFORMED;
	st->seq = replay_infer(&sa->replay, seq_lo, sa->esn, &ok);
	if (!ok || !replay_check(&sa->replay, st->seq))
		return ESP_DROP_REPLAY;
	return ESP_OK;
}

static enum esp_drop rx_prepare(struct esp_sa *sa, struct pkt *p,
				struct rx_state *st, struct esp_scratch *s,
				struct aead_req *req)
{
	enum esp_drop r;
	uint8_t *d = pkt_data(p), *esp;

	r = find_esp(d, p->len, sa->encap, sa->dport, st);
	if (r == ESP_OK)
		r = check_esp(sa, d, st);
	if (r != ESP_OK)
		return r;
	pkt_trim(p, st->ip.len);
	esp = d + st->esp_off;
	if (esp_is_hmac(sa))
		memcpy(s->tag, esp + ESP_HDR_LEN + st->text_len, sa->icv_len);
	esp_fill_req(sa, esp, st->text_len, st->seq, s, req);
	return ESP_OK;
}

/* RFC 4303 §2.4: padding bytes are 1, 2, 3, ... Returns the payload length
 * before padding, or -1. Runs only on authenticated data. */
static int64_t strip_trailer(const uint8_t *text, uint32_t text_len,
			     uint8_t *nh)
{
	uint32_t padlen = text[text_len - 2], i;
	const uint8_t *pad;

	*nh = text[text_len - 1];
	if (padlen + ESP_TRAILER_LEN > text_len)
		return -1;
	pad = text + text_len - ESP_TRAILER_LEN - padlen;
	for (i = 0; i < padlen; i++)
		if (pad[i] != (uint8_t)(i + 1))
			return -1;
	return text_len - ESP_TRAILER_LEN - padlen;
}

/* Tunnel mode: the payload is an IP packet, possibly followed by TFC
 * padding (RFC 4303 §2.7); keep exactly the packet. */
static enum esp_drop restore_tunnel(struct pkt *p, uint32_t text_off,
				    uint32_t payload_len, uint8_t nh)
{
	struct iphdr_info inner;
	enum esp_drop r;

	if (nh != NEXT_HEADER_IPV4 && nh != NEXT_HEADER_IPV6)
		return ESP_DROP_NEXT_HEADER;
	pkt_pull(p, text_off);
	pkt_trim(p, payload_len);
	r = iphdr_parse_plain(pkt_data(p), payload_len, false, &inner);
	if (r != ESP_OK)
		return ESP_DROP_MALFORMED;
	if (inner.version != (nh == NEXT_HEADER_IPV4 ? 4 : 6))
		return ESP_DROP_NEXT_HEADER;
	pkt_trim(p, inner.len);
	return ESP_OK;
}

/* Transport mode: slide the outer header chain up to the payload and give
 * it back the protocol, length and checksum it had before encryption. */
static void restore_transport(struct pkt *p, const struct rx_state *st,
			      uint32_t text_off, uint32_t payload_len,
			      uint8_t nh)
{
	uint32_t hdr_len = st->ip.hdr_len;
	uint8_t *from = pkt_data(p);

	pkt_pull(p, text_off - hdr_len);
	memmove(pkt_data(p), from, hdr_len);
	pkt_trim(p, hdr_len + payload_len);
	iphdr_rewrite(pkt_data(p), &st->ip, nh, p->len);
}

static enum esp_drop rx_finish(struct esp_sa *sa, struct pkt *p,
			       const struct rx_state *st, int status)
{
	uint32_t text_off = st->esp_off + ESP_HDR_LEN + sa->info->iv_len;
	int64_t payload_len;
	uint8_t nh;

	if (status)
		return status == -EBADMSG ? ESP_DROP_AUTH : ESP_DROP_CRYPTO;
	if (!replay_update(&sa->replay, st->seq))
		return ESP_DROP_REPLAY;
	payload_len = strip_trailer(pkt_data(p) + text_off, st->text_len, &nh);
	if (payload_len < 0)
		return ESP_DROP_PAD;
	if (nh == NEXT_HEADER_DUMMY)
		return ESP_DROP_DUMMY;
	if (sa->mode == ESP_MODE_TUNNEL)
		return restore_tunnel(p, text_off, (uint32_t)payload_len, nh);
	restore_transport(p, st, text_off, (uint32_t)payload_len, nh);
	return ESP_OK;
}

void esp_decrypt_burst(struct esp_sa *const *sas, struct pkt *const *pkts,
		       enum esp_drop *verdicts, unsigned n)
{
	struct esp_scratch scratch[BURST_MAX];
	struct aead_req reqs[BURST_MAX];
	struct rx_state st[BURST_MAX];
	unsigned idx[BURST_MAX];
	unsigned i, m = 0;

	for (i = 0; i < n; i++) {
		verdicts[i] = rx_prepare(sas[i], pkts[i], &st[m], &scratch[m],
					 &reqs[m]);
		if (verdicts[i] == ESP_OK)
			idx[m++] = i;
	}
	aead_open_burst(reqs, m);
	for (i = 0; i < m; i++)
		verdicts[idx[i]] = rx_finish(sas[idx[i]], pkts[idx[i]], &st[i],
					     reqs[i].status);
	for (i = 0; i < n; i++) {
		struct esp_sa *sa = sas[i];

		if (verdicts[i] != ESP_OK) {
			esp_count_drop(sa, verdicts[i]);
			continue;
		}
		sa->stats.packets++;
		sa->stats.bytes += pkts[i]->len;
	}
}

enum esp_drop esp_decrypt(struct esp_sa *sa, struct pkt *p)
{
	enum esp_drop verdict;
	struct pkt *one = p;

	esp_decrypt_burst(&sa, &one, &verdict, 1);
	return verdict;
}
