/* SPDX-License-Identifier: MIT */
/*
 * IKE fragmentation, sending (RFC 7383 §2.5): when both sides announced
 * IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT and a sealed message would
 * make an IP datagram longer than our fragment size, its inner payloads are
 * cut into slices and each slice is sealed on its own, with its own IV and
 * ICV, as an Encrypted Fragment payload behind the message's header:
 * Fragment Number 1..N, Total Fragments N, Next Payload the first inner
 * payload's type in fragment 1 and 0 in the others. The fragments take the
 * place of the message in the writer's buffer, end to end; each IKE
 * header's Length says where the next one begins, which is how ikesa.c
 * sends them, keeps them, and sends them all again (§2.6.1).
 *
 * A message that would need more than IKE_FRAGS_MAX fragments (what we take
 * ourselves), or more room than the buffer has, goes whole; longer than
 * the path MTU, it leaves in IP fragments (the IKE sockets let the kernel
 * fragment: io/udp.c udp_allow_fragments).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/ikesa.h"
#include "util/bytes.h"
#include "util/log.h"
#include "util/secure.h"

/* The bytes of a fragment before its IV: the IKE header, the SKF generic
 * header and its Fragment Number and Total Fragments (its AAD). */
#define SKF_AAD (IKE_HDR_LEN + 4 + 4)

/* The longest IKE message (UDP payload, the non-ESP marker excluded) in
 * one datagram of sa->frag_size bytes. */
static size_t msg_limit(const struct ike_sa *sa)
{
	size_t hdrs = sa->remote.addr.family == AF_INET6 ? 40 + 8 : 20 + 8;

	if (sa->local.port != IKE_PORT)
		hdrs += 4; /* the non-ESP marker (RFC 3948 §2.2) */
	return sa->frag_size > hdrs ? sa->frag_size - hdrs : 0;
}

/* A fragment carrying len plaintext bytes, whole. */
static size_t frag_len(const struct ike_sa *sa, size_t len)
{
	return SKF_AAD + ike_sk_body_len(sa->sk_out, len);
}

/* How many fragments of *chunk plaintext bytes (the last shorter) the
 * inner payloads of w go in; 0: the message goes whole. */
static unsigned plan(const struct ike_sa *sa, const struct ike_writer *w,
		     size_t *chunk)
{
	const struct ike_sk_overhead *ov = ike_sk_get_overhead(sa->sk_out);
	size_t inner = w->len - w->ct_off, limit = msg_limit(sa), n;

	if (w->err || !w->sk_off || !sa->frag_offered || !sa->frag_size ||
	    w->ct_off + ike_sk_body_len(sa->sk_out, inner) <= limit)
		return 0;
	if (limit <= SKF_AAD + ov->total_max || inner > IKE_PKT_MAX)
		return 0;
	*chunk = limit - SKF_AAD - ov->total_max;
	n = (inner + *chunk - 1) / *chunk;
	if (n > IKE_FRAGS_MAX ||
	    (n - 1) * frag_len(sa, *chunk) +
			    frag_len(sa, inner - (n - 1) * *chunk) >
		    (w->cap < IKE_PKT_MAX ? w->cap : IKE_PKT_MAX)) {
		log_debug("ike: a %zu-byte message needs %zu fragments: "
			  "sent whole", inner, n);
		return 0;
	}
	return (unsigned)n;
}

/* The header fields of the message w began (RFC 7296 §3.1). */
static void header_of(const uint8_t *buf, struct ike_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->spi_i = get_be64(buf);
	h->spi_r = get_be64(buf + 8);
	h->exchange = buf[18];
	h->flags = buf[19];
	h->msg_id = get_be32(buf + 20);
}

/* Fragment number of total at at (cap bytes): the header, an SKF payload
 * with slice[0..len) sealed in it. Its length, or -errno. */
static int put_fragment(struct ike_sa *sa, const struct ike_hdr *h,
			uint8_t *at, size_t cap, uint16_t number,
			uint16_t total, uint8_t first, const uint8_t *slice,
			size_t len)
{
	const struct ike_sk_overhead *ov = ike_sk_get_overhead(sa->sk_out);
	struct ike_sk_layout lay;
	struct ike_writer f;
	size_t sealed;
	int l;

	ike_writer_init(&f, at, cap, h);
	ike_skf_begin(&f, number, total, number == 1 ? first : 0,
		      ov->iv_len);
	ike_sk_put_data(&f, slice, len);
	l = ike_sk_end(&f, ov->block_len, ov->icv_len, &lay);
	if (l < 0)
		return l;
	if (ike_sk_seal(sa->sk_out, at, cap, lay.aad_len, len,
			sa->iv_counter++, &sealed))
		return -EIO;
	if (sealed != (size_t)l)
		abort(); /* the writer's framing and the sealer disagree */
	return l;
}

int ike_frag_seal(struct ike_sa *sa, struct ike_writer *w)
{
	uint8_t plain[IKE_PKT_MAX]; /* secret: the inner payloads */
	size_t inner = w->len - w->ct_off, chunk = 0, off = 0, at = 0, len;
	unsigned i, n = plan(sa, w, &chunk);
	struct ike_hdr h;
	uint8_t first;
	int l = 0;

	if (!n)
		return -E2BIG; /* whole: the caller seals it, or reports w->err */
	first = w->buf[w->sk_off];
	memcpy(plain, w->buf + w->ct_off, inner);
	header_of(w->buf, &h);
	for (i = 1; i <= n; i++, off += len) {
		len = inner - off < chunk ? inner - off : chunk;
		l = put_fragment(sa, &h, w->buf + at, w->cap - at,
				 (uint16_t)i, (uint16_t)n, first, plain + off,
				 len);
		if (l < 0)
			goto out_wipe;
		at += (size_t)l;
	}
	/* The fragments are longer together than the message was: they
	 * covered every byte of its plaintext. */
	w->len = at;
	w->sk_off = 0;
	w->sealed = true;
	secure_zero(plain, inner);
	return (int)at;

out_wipe:
	secure_zero(w->buf, w->cap);
	secure_zero(plain, inner);
	return l;
}
