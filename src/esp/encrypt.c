/* SPDX-License-Identifier: MIT */
/*
 * ESP output processing (RFC 4303 §3.3): build the ESP packet around an IP
 * packet in place, reserve sequence numbers serially, then seal the whole
 * burst in one pass of the crypto engine.
 */
#include <netinet/in.h>
#include <string.h>

#include "dp/limits.h"
#include "esp/iphdr.h"
#include "esp/xform.h"

#define SEQ32_MAX 0xffffffffULL

/* The layout of one outbound packet, computed before anything is written. */
struct tx_plan {
	struct iphdr_info ip;  /* of the packet as handed in */
	uint32_t outer_len;    /* tunnel mode: the new outer IP header */
	uint32_t udp_len;      /* UDP header, or 0 */
	uint32_t text_len;     /* payload + TFC + padding + trailer */
	uint32_t tfc;          /* TFC padding bytes */
	uint32_t pad;          /* RFC 4303 §2.4 padding bytes */
	uint8_t nh;            /* next header carried in the trailer */
	uint8_t outer_version;
};

/* Sequence numbers left to send from next on (RFC 4303 §3.3.3: no wrap).
 * next starts at 1 and is 0 only after 2^64 - 1 was used. */
static uint64_t seq_left(const struct esp_sa *sa, uint64_t next)
{
	if (sa->esn)
		return next ? 0 - next : 0;
	return next <= SEQ32_MAX ? SEQ32_MAX - next + 1 : 0;
}

/*
 * Take *k consecutive sequence numbers for a burst in one atomic step and
 * return the first; *k becomes how many were left to take. Workers may
 * share an outbound SA (fewer per-CPU SAs than workers): each burst still
 * gets numbers no other burst has.
 */
static uint64_t seq_reserve(struct esp_sa *sa, unsigned *k)
{
	uint64_t next = __atomic_load_n(&sa->seq_next, __ATOMIC_RELAXED);
	uint64_t take;

	do {
		take = seq_left(sa, next);
		if (take > *k)
			take = *k;
	} while (take && !__atomic_compare_exchange_n(&sa->seq_next, &next,
						      next + take, false,
						      __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED));
	*k = (unsigned)take;
	return next;
}

static enum esp_drop plan_payload(const struct esp_sa *sa, struct pkt *p,
				  struct tx_plan *t)
{
	bool transport = sa->mode == ESP_MODE_TRANSPORT;
	enum esp_drop r;
	uint32_t payload;

	r = iphdr_parse_plain(pkt_data(p), p->len, transport, &t->ip);
	if (r != ESP_OK)
		return r;
	pkt_trim(p, t->ip.len);
	payload = t->ip.len - t->ip.hdr_len;
	if (transport) {
		t->nh = t->ip.nh;
		t->outer_len = 0;
		t->outer_version = t->ip.version;
	} else {
		t->nh = t->ip.version == 4 ? NEXT_HEADER_IPV4 : NEXT_HEADER_IPV6;
		t->outer_version = sa->tunnel_src.family == AF_INET6 ? 6 : 4;
		t->outer_len = t->outer_version == 4 ? IPV4_HDR_LEN
						     : IPV6_HDR_LEN;
	}
	t->tfc = sa->tfc_pad > payload ? sa->tfc_pad - payload : 0;
	t->pad = (ESP_ALIGN - (payload + t->tfc + ESP_TRAILER_LEN) % ESP_ALIGN) %
		 ESP_ALIGN;
	t->text_len = payload + t->tfc + t->pad + ESP_TRAILER_LEN;
	t->udp_len = sa->encap == ESP_ENCAP_UDP ? UDP_HDR_LEN : 0;
	return ESP_OK;
}

static enum esp_drop plan(const struct esp_sa *sa, struct pkt *p,
			  struct tx_plan *t)
{
	enum esp_drop r;
	uint32_t front, total;

	if (sa->mode == ESP_MODE_TUNNEL && !sa->tunnel_src.family)
		return ESP_DROP_MALFORMED; /* no outer addresses configured */
	r = plan_payload(sa, p, t);
	if (r != ESP_OK)
		return r;
	front = t->outer_len + t->udp_len + ESP_HDR_LEN + sa->info->iv_len;
	total = front + t->ip.len + t->tfc + t->pad + ESP_TRAILER_LEN +
		sa->icv_len;
	if (pkt_headroom(p) < front ||
	    pkt_tailroom(p) < total - front - t->ip.len + 4 ||
	    total - (t->outer_version == 6 ? IPV6_HDR_LEN : 0) > IP_PACKET_MAX)
		return ESP_DROP_TOO_BIG;
	return ESP_OK;
}

/* Append TFC padding, padding 1, 2, 3, ..., pad length and next header. */
static void write_trailer(struct pkt *p, const struct tx_plan *t)
{
	uint8_t *tr = pkt_put(p, t->tfc + t->pad + ESP_TRAILER_LEN);
	uint32_t i;

	memset(tr, 0, t->tfc);
	tr += t->tfc;
	for (i = 0; i < t->pad; i++)
		tr[i] = (uint8_t)(i + 1);
	tr[t->pad] = (uint8_t)t->pad;
	tr[t->pad + 1] = t->nh;
}

/* Make room in front of the payload for UDP, ESP header and IV (and the
 * tunnel header); returns the offset of the UDP or ESP header. */
static uint32_t push_headers(const struct esp_sa *sa, struct pkt *p,
			     const struct tx_plan *t)
{
	uint32_t gap = t->udp_len + ESP_HDR_LEN + sa->info->iv_len;
	uint8_t tos = iphdr_tos(pkt_data(p));
	uint8_t *d;

	if (sa->mode == ESP_MODE_TRANSPORT) {
		d = pkt_push(p, gap);
		memmove(d, d + gap, t->ip.hdr_len);
		return t->ip.hdr_len;
	}
	d = pkt_push(p, t->outer_len + gap);
	iphdr_build_outer(d, sa->tunnel_src.bytes, sa->tunnel_dst.bytes,
			  t->outer_version,
			  t->udp_len ? IPPROTO_UDP : IPPROTO_ESP_NUM, tos,
			  p->len - t->outer_len + sa->icv_len);
	return t->outer_len;
}

static void write_udp(const struct esp_sa *sa, uint8_t *udp, uint32_t len)
{
	put_be16(udp, sa->sport);
	put_be16(udp + 2, sa->dport);
	put_be16(udp + 4, (uint16_t)len);
	/* RFC 3948 §2.1: zero over IPv4; IPv6 gets a real one after sealing. */
	put_be16(udp + 6, 0);
}

/*
 * Lay out one planned packet under sequence number seq and fill its AEAD
 * request; the ICV space is claimed but still empty.
 */
static void tx_build(const struct esp_sa *sa, struct pkt *p,
		     const struct tx_plan *t, uint64_t seq,
		     struct esp_scratch *s, struct aead_req *req)
{
	uint32_t off;
	uint8_t *d, *esp;

	write_trailer(p, t);
	off = push_headers(sa, p, t);
	d = pkt_data(p);
	esp = d + off + t->udp_len;
	put_be32(esp, sa->spi);
	put_be32(esp + 4, (uint32_t)seq);
	if (sa->info->iv_len)
		put_be64(esp + ESP_HDR_LEN, seq);
	pkt_put(p, sa->icv_len);
	if (t->udp_len)
		write_udp(sa, d + off, p->len - off);
	if (sa->mode == ESP_MODE_TRANSPORT)
		iphdr_rewrite(d, &t->ip,
			      t->udp_len ? IPPROTO_UDP : IPPROTO_ESP_NUM, p->len);
	esp_fill_req(sa, esp, t->text_len, seq, s, req);
}

/* After sealing: place an HMAC tag and the IPv6 UDP checksum. */
static void tx_finish(const struct esp_sa *sa, struct pkt *p,
		      const struct esp_scratch *s)
{
	uint8_t *d = pkt_data(p);
	struct iphdr_info outer;
	uint32_t udp_off;

	if (esp_is_hmac(sa))
		memcpy(d + p->len - sa->icv_len, s->tag, sa->icv_len);
	if (sa->encap != ESP_ENCAP_UDP || d[0] >> 4 != 6)
		return;
	/* Our own output: the walk cannot fail. */
	iphdr_parse_outer(d, p->len, &outer);
	udp_off = outer.hdr_len;
	put_be16(d + udp_off + 6,
		 iphdr_udp6_csum(d, udp_off, p->len - udp_off));
}

/* A drop on an outbound SA, which several workers may share. */
static void count_tx_drop(struct esp_sa *sa, enum esp_drop reason)
{
	__atomic_fetch_add(&sa->stats.drops[reason], 1, __ATOMIC_RELAXED);
}

/* Plan every packet; idx[] gets those that can be sent. Returns their
 * number. */
static unsigned plan_burst(struct esp_sa *sa, struct pkt *const *pkts,
			   enum esp_drop *verdicts, unsigned n,
			   struct tx_plan *plans, unsigned *idx)
{
	unsigned i, m = 0;

	for (i = 0; i < n; i++) {
		verdicts[i] = plan(sa, pkts[i], &plans[m]);
		if (verdicts[i] == ESP_OK)
			idx[m++] = i;
		else
			count_tx_drop(sa, verdicts[i]);
	}
	return m;
}

void esp_encrypt_burst(struct esp_sa *sa, struct pkt *const *pkts,
		       enum esp_drop *verdicts, unsigned n)
{
	struct esp_scratch scratch[BURST_MAX];
	struct aead_req reqs[BURST_MAX];
	struct tx_plan plans[BURST_MAX];
	unsigned idx[BURST_MAX];
	uint64_t seq, bytes = 0, sent = 0;
	unsigned i, m, k;

	m = k = plan_burst(sa, pkts, verdicts, n, plans, idx);
	seq = seq_reserve(sa, &k);
	for (i = k; i < m; i++) {
		verdicts[idx[i]] = ESP_DROP_SEQ_EXHAUSTED;
		count_tx_drop(sa, ESP_DROP_SEQ_EXHAUSTED);
	}
	for (i = 0; i < k; i++) {
		bytes += plans[i].ip.len;
		tx_build(sa, pkts[idx[i]], &plans[i], seq + i, &scratch[i],
			 &reqs[i]);
	}
	aead_seal_burst(reqs, k);
	for (i = 0; i < k; i++) {
		if (reqs[i].status) {
			verdicts[idx[i]] = ESP_DROP_CRYPTO;
			count_tx_drop(sa, ESP_DROP_CRYPTO);
			continue;
		}
		tx_finish(sa, pkts[idx[i]], &scratch[i]);
		sent++;
	}
	__atomic_fetch_add(&sa->stats.packets, sent, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sa->stats.bytes, bytes, __ATOMIC_RELAXED);
}

enum esp_drop esp_encrypt(struct esp_sa *sa, struct pkt *p)
{
	enum esp_drop verdict;
	struct pkt *one = p;

	esp_encrypt_burst(sa, &one, &verdict, 1);
	return verdict;
}
