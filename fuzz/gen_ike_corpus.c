/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus for fuzz/fuzz_ike.c: the messages of each exchange, built
 * with the writer (ike/msg.h), every payload type among them; encrypted
 * and fragmented messages whose "ciphertext" is the inner payloads in
 * clear (so the fuzzer reaches the inner chain); inner chains on their
 * own; and writer output broken in one place each, next to each refusal.
 *
 *   cc -std=gnu11 -D_GNU_SOURCE -Isrc -o /tmp/gen_ike_corpus \
 *       fuzz/gen_ike_corpus.c src/ike/wire.c src/ike/msg.c \
 *       src/ike/build.c src/ike/payload.c src/ike/payload_sa.c \
 *       src/ike/payload_ts.c
 *   /tmp/gen_ike_corpus fuzz/corpus/ike
 *
 * Each seed begins with fuzz_ike.c's mode byte. The output is
 * deterministic (fixed patterns); rerun it when the format changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/msg.h"
#include "util/bytes.h"

#define MODE_AEAD 0      /* IV 8, ICV 16, block 1 */
#define MODE_CBC 1       /* IV 16, ICV 16, block 16 */
#define MODE_INNER 4

static uint8_t buf[IKE_MSG_MAX + 1];
static const char *outdir;
static uint8_t pat[512];

static void write_seed(const char *name, uint8_t mode, const uint8_t *p,
		       size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fputc(mode, f) == EOF || fwrite(p, 1, n, f) != n ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
}

static size_t done(struct ike_writer *w, int len, const char *name)
{
	if (len < 0 || w->err) {
		fprintf(stderr, "%s: writer failed (%d)\n", name, w->err);
		exit(1);
	}
	return (size_t)len;
}

static void emit(struct ike_writer *w, const char *name, uint8_t mode)
{
	size_t n = done(w, ike_writer_finish(w), name);

	write_seed(name, mode, buf, n);
}

static const struct ike_hdr hdr_init = {
	.spi_i = 0x0123456789abcdefULL,
	.exchange = IKE_EXCH_SA_INIT,
	.flags = IKE_FLAG_INITIATOR,
};

static struct ike_hdr hdr(uint8_t exchange, uint8_t flags, uint32_t mid)
{
	struct ike_hdr h = hdr_init;

	h.spi_r = 0xfedcba9876543210ULL;
	h.exchange = exchange;
	h.flags = flags;
	h.msg_id = mid;
	return h;
}

static void xf(struct ike_proposal *p, uint8_t type, uint16_t id,
	       uint16_t key_len)
{
	p->xf[p->nxf++] = (struct ike_transform){ type, id, key_len, false };
}

static void ike_proposals(struct ike_proposal *p)
{
	memset(p, 0, 2 * sizeof(*p));
	p[0].num = 1;
	p[0].protocol = IKE_PROTO_IKE;
	xf(&p[0], IKE_XF_ENCR, IKE_TF_ENCR_AES_GCM_16, 256);
	xf(&p[0], IKE_XF_ENCR, IKE_TF_ENCR_CHACHA20_POLY1305, 0);
	xf(&p[0], IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_256, 0);
	xf(&p[0], IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_384, 0);
	xf(&p[0], IKE_XF_DH, IKE_TF_DH_CURVE25519, 0);
	xf(&p[0], IKE_XF_DH, IKE_TF_DH_ECP_256, 0);
	p[1].num = 2;
	p[1].protocol = IKE_PROTO_IKE;
	xf(&p[1], IKE_XF_ENCR, IKE_TF_ENCR_AES_CBC, 128);
	xf(&p[1], IKE_XF_PRF, IKE_TF_PRF_HMAC_SHA2_512, 0);
	xf(&p[1], IKE_XF_INTEG, IKE_TF_INTEG_HMAC_SHA2_256_128, 0);
	xf(&p[1], IKE_XF_DH, IKE_TF_DH_MODP_2048, 0);
}

static void esp_proposal(struct ike_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->num = 1;
	p->protocol = IKE_PROTO_ESP;
	p->spi_size = 4;
	memcpy(p->spi, "\xc0\xff\xee\x01", 4);
	xf(p, IKE_XF_ENCR, IKE_TF_ENCR_AES_GCM_16, 128);
	xf(p, IKE_XF_ENCR, IKE_TF_ENCR_AES_CCM_8, 128);
	xf(p, IKE_XF_ESN, IKE_TF_ESN_NO, 0);
	xf(p, IKE_XF_ESN, IKE_TF_ESN_YES, 0);
}

static void put_natd(struct ike_writer *w)
{
	struct ike_notify n = { .type = IKE_N_NAT_DETECTION_SOURCE_IP,
				.data = pat, .len = IKE_NATD_HASH_LEN };

	ike_put_notify(w, &n);
	n.type = IKE_N_NAT_DETECTION_DESTINATION_IP;
	n.data = pat + 20;
	ike_put_notify(w, &n);
}

static void sa_init(void)
{
	static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4, 0, 5 };
	struct ike_notify frag = { .type =
					   IKE_N_IKEV2_FRAGMENTATION_SUPPORTED };
	struct ike_notify sigs = { .type = IKE_N_SIGNATURE_HASH_ALGORITHMS,
				   .data = hashes, .len = sizeof(hashes) };
	struct ike_notify cookie = { .type = IKE_N_COOKIE, .data = pat + 7,
				     .len = 32 };
	struct ike_notify ke_bad = { .type = IKE_N_INVALID_KE_PAYLOAD,
				     .data = (const uint8_t *)"\0\x13",
				     .len = 2 };
	struct ike_proposal p[2];
	struct ike_ke ke = { IKE_TF_DH_CURVE25519, pat + 100, 32 };
	struct ike_cert req = { IKE_CERT_X509_SIG, pat + 40, 40 };
	struct ike_writer w;
	struct ike_hdr h;

	ike_proposals(p);
	ike_writer_init(&w, buf, sizeof(buf), &hdr_init);
	ike_put_sa(&w, p, 2);
	ike_put_ke(&w, &ke);
	ike_put_nonce(&w, pat + 200, 32);
	put_natd(&w);
	ike_put_notify(&w, &frag);
	ike_put_notify(&w, &sigs);
	ike_put_vendor(&w, (const uint8_t *)"tunsec", 6);
	emit(&w, "01-sa-init-request", MODE_AEAD);

	h = hdr(IKE_EXCH_SA_INIT, IKE_FLAG_RESPONSE, 0);
	p[0].nxf = 3;       /* the chosen transforms only */
	p[0].xf[1] = p[0].xf[2];
	p[0].xf[2] = p[0].xf[4];
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_sa(&w, p, 1);
	ike_put_ke(&w, &ke);
	ike_put_nonce(&w, pat + 300, 16);
	ike_put_cert(&w, IKE_PL_CERTREQ, &req);
	put_natd(&w);
	ike_put_notify(&w, &frag);
	emit(&w, "02-sa-init-response", MODE_AEAD);

	h.spi_r = 0;
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_notify(&w, &cookie);
	emit(&w, "03-cookie", MODE_AEAD);
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_notify(&w, &ke_bad);
	emit(&w, "04-invalid-ke", MODE_AEAD);
}

static const uint8_t ecdsa_sha256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
};

static void put_ts(struct ike_writer *w)
{
	struct ike_ts ts[2];

	memset(ts, 0, sizeof(ts));
	ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	ts[0].end_port = 65535;
	memcpy(ts[0].start, "\x0a\x01\x00\x00", 4);
	memcpy(ts[0].end, "\x0a\x01\xff\xff", 4);
	ts[1].type = IKE_TS_IPV6_ADDR_RANGE;
	ts[1].ip_proto = 17;
	ts[1].start_port = ts[1].end_port = 4500;
	memcpy(ts[1].start, "\x20\x01\x0d\xb8", 4);
	memcpy(ts[1].end, "\x20\x01\x0d\xb8\xff\xff", 6);
	ike_put_ts(w, IKE_PL_TSI, ts, 2);
	ike_put_ts(w, IKE_PL_TSR, ts, 1);
}

/* The IKE_AUTH request's inner payloads. */
static void auth_inner(struct ike_writer *w)
{
	struct ike_id idi = { IKE_ID_FQDN, (const uint8_t *)"a.example", 9 };
	struct ike_id idr = { IKE_ID_IPV4_ADDR, (const uint8_t *)"\xc0\0\2\1",
			      4 };
	struct ike_cert cert = { IKE_CERT_X509_SIG, pat, 120 };
	struct ike_auth_sig sig = { ecdsa_sha256, sizeof(ecdsa_sha256),
				    pat + 128, 72 };
	struct ike_notify ic = { .type = IKE_N_INITIAL_CONTACT };
	struct ike_notify tm = { .type = IKE_N_USE_TRANSPORT_MODE };
	struct ike_proposal esp;

	esp_proposal(&esp);
	ike_put_id(w, IKE_PL_IDI, &idi);
	ike_put_cert(w, IKE_PL_CERT, &cert);
	ike_put_notify(w, &ic);
	ike_put_id(w, IKE_PL_IDR, &idr);
	ike_put_auth_sig(w, &sig);
	ike_put_raw(w, IKE_PL_CP, false, "\x01\0\0\0\0\x01\0\0", 8);
	ike_put_notify(w, &tm);
	ike_put_sa(w, &esp, 1);
	put_ts(w);
}

static void ike_auth(void)
{
	struct ike_hdr h = hdr(IKE_EXCH_AUTH, IKE_FLAG_INITIATOR, 1);
	struct ike_auth psk = { IKE_AM_PSK, pat + 50, 32 };
	struct ike_writer w;
	size_t n, half;

	ike_writer_init(&w, buf, sizeof(buf), &h);
	auth_inner(&w);
	emit(&w, "05-auth-in-clear", MODE_AEAD);

	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_sk_begin(&w, 8);
	auth_inner(&w);
	n = done(&w, ike_sk_end(&w, 1, 16, NULL), "auth-sk-aead");
	write_seed("06-auth-sk-aead", MODE_AEAD, buf, n);

	h.flags = IKE_FLAG_RESPONSE;
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_sk_begin(&w, 16);
	ike_put_auth(&w, &psk);
	put_ts(&w);
	n = done(&w, ike_sk_end(&w, 16, 16, NULL), "auth-sk-cbc");
	write_seed("07-auth-sk-cbc", MODE_CBC, buf, n);

	/* Fragments 1 and 2 of 2: halves of the inner payloads. */
	ike_writer_init(&w, buf, sizeof(buf), &h);
	auth_inner(&w);
	n = done(&w, ike_writer_finish(&w), "inner");
	memcpy(pat + 256, buf + IKE_HDR_LEN, 200);   /* a slice to carry */
	half = 100;
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_skf_begin(&w, 1, 2, IKE_PL_IDI, 8);
	ike_sk_put_data(&w, pat + 256, half);
	n = done(&w, ike_sk_end(&w, 1, 16, NULL), "skf-1");
	write_seed("08-auth-skf-1-of-2", MODE_AEAD, buf, n);
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_skf_begin(&w, 2, 2, 0, 8);
	ike_sk_put_data(&w, pat + 256 + half, half);
	n = done(&w, ike_sk_end(&w, 1, 16, NULL), "skf-2");
	write_seed("09-auth-skf-2-of-2", MODE_AEAD, buf, n);
	/* A middle fragment as tunsecd cuts them with AES-CBC (RFC 7383
	 * §2.5): Next Payload 0, a slice starting inside a payload, padded. */
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_skf_begin(&w, 2, 3, 0, 16);
	ike_sk_put_data(&w, pat + 256 + 70, 67);
	n = done(&w, ike_sk_end(&w, 16, 16, NULL), "skf-cbc");
	write_seed("09-auth-skf-2-of-3-cbc", MODE_CBC, buf, n);
}

static void child_and_info(void)
{
	struct ike_hdr h = hdr(IKE_EXCH_CREATE_CHILD_SA, IKE_FLAG_INITIATOR, 2);
	struct ike_notify rekey = { .protocol = IKE_PROTO_ESP, .spi_size = 4,
				    .type = IKE_N_REKEY_SA,
				    .spi = { 0xc0, 0xff, 0xee, 0x01 } };
	struct ike_notify gone = rekey;
	struct ike_delete del = { IKE_PROTO_ESP, 4, 2, pat + 64 };
	struct ike_delete del_ike = { IKE_PROTO_IKE, 0, 0, NULL };
	struct ike_ke ke = { IKE_TF_DH_ECP_256, pat + 10, 64 };
	struct ike_proposal esp;
	struct ike_writer w;

	esp_proposal(&esp);
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_notify(&w, &rekey);
	ike_put_sa(&w, &esp, 1);
	ike_put_nonce(&w, pat, IKE_NONCE_MAX);
	ike_put_ke(&w, &ke);
	put_ts(&w);
	emit(&w, "10-create-child-in-clear", MODE_AEAD);

	h = hdr(IKE_EXCH_INFORMATIONAL, IKE_FLAG_RESPONSE, 3);
	gone.type = IKE_N_CHILD_SA_NOT_FOUND;
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_sk_begin(&w, 8);
	ike_put_delete(&w, &del);
	ike_put_delete(&w, &del_ike);
	ike_put_notify(&w, &gone);
	write_seed("11-informational-sk", MODE_AEAD, buf,
		   done(&w, ike_sk_end(&w, 1, 16, NULL), "info"));
	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_sk_begin(&w, 8);
	write_seed("12-liveness-sk-empty", MODE_AEAD, buf,
		   done(&w, ike_sk_end(&w, 1, 16, NULL), "liveness"));
}

/* Inner chains on their own (mode bit 2): first type, then payloads. */
static void inner(void)
{
	struct ike_hdr h = hdr(IKE_EXCH_AUTH, 0, 1);
	struct ike_writer w;
	size_t n;

	ike_writer_init(&w, buf, sizeof(buf), &h);
	auth_inner(&w);
	n = done(&w, ike_writer_finish(&w), "inner");
	buf[IKE_HDR_LEN - 1] = buf[16];       /* first type before them */
	write_seed("13-inner-auth", MODE_INNER, buf + IKE_HDR_LEN - 1,
		   n - IKE_HDR_LEN + 1);
}

/* Writer output broken in one place each. */
static void broken(void)
{
	struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, IKE_FLAG_INITIATOR, 4);
	struct ike_writer w;
	size_t n;

	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_vendor(&w, pat, 8);
	ike_put_raw(&w, 200, true, "critical", 8);
	emit(&w, "14-critical-unknown", MODE_AEAD);

	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_raw(&w, 49, false, "skip me", 7);
	ike_put_vendor(&w, pat, 8);
	emit(&w, "15-noncritical-unknown", MODE_AEAD);

	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_sk_begin(&w, 8);
	n = done(&w, ike_sk_end(&w, 1, 16, NULL), "sk");
	memcpy(buf + n, "\0\0\0\x08tail", 8);   /* a payload after SK */
	put_be32(buf + 24, (uint32_t)(n + 8));
	write_seed("16-sk-not-last", MODE_AEAD, buf, n + 8);

	ike_writer_init(&w, buf, sizeof(buf), &h);
	ike_put_nonce(&w, pat, 16);
	n = done(&w, ike_writer_finish(&w), "nonce");
	put_be16(buf + 30, 4 + 15);              /* a 15-byte nonce */
	put_be32(buf + 24, (uint32_t)n - 1);
	write_seed("17-nonce-short", MODE_AEAD, buf, n - 1);

	ike_writer_init(&w, buf, sizeof(buf), &h);
	put_ts(&w);
	n = done(&w, ike_writer_finish(&w), "ts");
	/* First selector's ports: start 512, end 256. */
	put_be16(buf + IKE_HDR_LEN + 8 + 4, 512);
	put_be16(buf + IKE_HDR_LEN + 8 + 6, 256);
	write_seed("18-ts-reversed", MODE_AEAD, buf, n);

	ike_writer_init(&w, buf, sizeof(buf), &hdr_init);
	n = done(&w, ike_writer_finish(&w), "empty");
	buf[17] = 0x30;
	write_seed("19-version-3", MODE_AEAD, buf, n);
}

int main(int argc, char **argv)
{
	unsigned i;

	outdir = argc > 1 ? argv[1] : "fuzz/corpus/ike";
	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 13 + 5);
	sa_init();
	ike_auth();
	child_and_info();
	inner();
	broken();
	return 0;
}
