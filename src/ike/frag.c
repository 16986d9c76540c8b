/* SPDX-License-Identifier: MIT */
/*
 * IKE fragmentation, receiving (RFC 7383): a message the peer sent as
 * Encrypted Fragment payloads is put back together. Each fragment is
 * authenticated and decrypted on its own (§2.5.3) before it is kept;
 * duplicates are ignored; the message is parsed once all have arrived,
 * its inner payloads pointing into the reassembly buffer, which lives
 * until the next message. Fragments of a message other than the one being
 * collected start the collection again (§2.6.1: only the newest).
 */
#include <errno.h>
#include <string.h>

#include "ike/ikesa.h"
#include "util/log.h"

/* The plaintext of one authenticated fragment (the caller opened it). */
static int keep(struct ike_frags *f, const struct ike_skf *skf,
		uint8_t first, const uint8_t *p, size_t len)
{
	unsigned i = skf->number - 1u;

	if (f->have[i])
		return -EAGAIN; /* a retransmitted fragment */
	if (f->used + len > sizeof(f->buf))
		return -EMSGSIZE;
	memcpy(f->buf + f->used, p, len);
	f->off[i] = f->used;
	f->len[i] = len;
	f->used += len;
	f->have[i] = true;
	f->count++;
	if (skf->number == 1)
		f->first = first;
	return f->count == f->total ? 0 : -EAGAIN;
}

/* Lay the fragments end to end in number order into the buffer's upper
 * half, where the parsed chain will point. */
static size_t assemble(struct ike_frags *f)
{
	uint8_t *out = f->buf + sizeof(f->buf) / 2;
	size_t n = 0;
	unsigned i;

	for (i = 0; i < f->total; i++) {
		memmove(out + n, f->buf + f->off[i], f->len[i]);
		n += f->len[i];
	}
	return n;
}

static void restart(struct ike_frags *f, uint32_t msg_id, bool response,
		    uint16_t total)
{
	memset(f, 0, sizeof(*f));
	f->msg_id = msg_id;
	f->response = response;
	f->total = total;
	f->active = true;
}

int ike_frag_add(struct ike_sa *sa, const struct ike_msg *m,
		 const struct ike_skf *skf, const uint8_t *plain, size_t len,
		 struct ike_chain *inner)
{
	struct ike_frags *f = &sa->frags;
	bool response = m->hdr.flags & IKE_FLAG_RESPONSE;
	size_t n;
	int err;

	if (skf->total > IKE_FRAGS_MAX || !skf->number ||
	    skf->number > skf->total)
		return -EBADMSG;
	if (!f->active || f->msg_id != m->hdr.msg_id ||
	    f->response != response || f->total != skf->total)
		restart(f, m->hdr.msg_id, response, skf->total);
	/* The upper half of the buffer is the assembly's: fragments fill
	 * the lower half only. */
	if (f->used + len > sizeof(f->buf) / 2)
		return -EMSGSIZE;
	err = keep(f, skf, m->chain.sk_next, plain, len);
	if (err)
		return err;
	n = assemble(f);
	f->active = false;
	log_debug("ike: message %u reassembled from %u fragments (RFC 7383)",
		  f->msg_id, f->total);
	if (ike_inner_parse(f->buf + sizeof(f->buf) / 2, n, f->first, inner) !=
	    IKE_PARSE_OK)
		return -EBADMSG;
	return 0;
}
