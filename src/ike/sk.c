/* SPDX-License-Identifier: MIT */
/*
 * The Encrypted payload's cryptography (contract in ike/sk.h). The AEADs go
 * through the project's AEAD interface (crypto/aead.h) on its OpenSSL
 * engine, which checks the tag in constant time and wipes its output when
 * the check fails. AES-CBC uses EVP_CIPHER with OpenSSL's padding off (the
 * IKE padding is ours) and HMAC through EVP_MAC, compared with ct_equal()
 * before a byte is decrypted.
 */
#include "ike/sk.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto/aead.h"
#include "util/bytes.h"
#include "util/cursor.h"
#include "util/secure.h"

#define AEAD_IV_LEN 8   /* RFC 5282 §3.1, RFC 7634 §2 */
#define AEAD_ICV_LEN 16
#define AEAD_SALT_LEN 4
#define CBC_BLOCK 16

struct ike_sk {
	enum ike_encr_alg encr;
	enum ike_integ_alg integ;
	unsigned key_bits;
	struct ike_sk_overhead ov;
	struct aead_ctx *aead;              /* AEADs */
	uint8_t salt[AEAD_SALT_LEN];        /* AEADs; secret */
	uint8_t ekey[32];                   /* CBC; secret */
	uint8_t akey[IKE_INTEG_KEY_MAX];    /* CBC; secret */
	size_t akey_len;
};

int ike_sk_overhead(enum ike_encr_alg encr, unsigned key_bits,
		    enum ike_integ_alg integ, struct ike_sk_overhead *out)
{
	if (!out || encr == IKE_ENCR_AES_CCM_16 || encr == IKE_ENCR_AES_CCM_8 ||
	    encr == IKE_ENCR_NULL ||
	    !ike_alg_pair_ok(encr, key_bits, integ))
		return -EINVAL;
	if (ike_encr_is_aead(encr)) {
		out->iv_len = AEAD_IV_LEN;
		out->icv_len = AEAD_ICV_LEN;
		out->block_len = 1;
		out->pad_max = 0;
	} else {
		out->iv_len = CBC_BLOCK;
		out->icv_len = ike_integ_icv_len(integ);
		out->block_len = CBC_BLOCK;
		out->pad_max = CBC_BLOCK - 1;
	}
	out->total_max = out->iv_len + out->pad_max + 1 + out->icv_len;
	return 0;
}

static enum aead_alg aead_alg_of(enum ike_encr_alg encr, unsigned key_bits)
{
	if (encr == IKE_ENCR_CHACHA20_POLY1305)
		return AEAD_CHACHA20_POLY1305;
	return key_bits == 128 ? AEAD_AES_GCM_128 : AEAD_AES_GCM_256;
}

static int keys_load(struct ike_sk *sk, const uint8_t *ekey, size_t elen,
		     const uint8_t *akey, size_t alen)
{
	size_t klen = elen - ike_encr_salt_len(sk->encr);

	if (!ike_encr_is_aead(sk->encr)) {
		memcpy(sk->ekey, ekey, klen);
		memcpy(sk->akey, akey, alen);
		sk->akey_len = alen;
		return 0;
	}
	memcpy(sk->salt, ekey + klen, AEAD_SALT_LEN);
	return aead_new(&sk->aead, aead_alg_of(sk->encr, sk->key_bits),
			AEAD_ENGINE_OPENSSL, ekey, klen, AEAD_ICV_LEN);
}

int ike_sk_new(struct ike_sk **out, enum ike_encr_alg encr, unsigned key_bits,
	       enum ike_integ_alg integ, const uint8_t *encr_key,
	       size_t encr_key_len, const uint8_t *integ_key,
	       size_t integ_key_len)
{
	struct ike_sk *sk;
	int err;

	if (!out || !encr_key ||
	    encr_key_len != ike_encr_keymat_len(encr, key_bits) ||
	    integ_key_len != ike_integ_key_len(integ) ||
	    (integ_key_len && !integ_key))
		return -EINVAL;
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return -ENOMEM;
	sk->encr = encr;
	sk->integ = integ;
	sk->key_bits = key_bits;
	err = ike_sk_overhead(encr, key_bits, integ, &sk->ov);
	if (!err)
		err = keys_load(sk, encr_key, encr_key_len, integ_key,
				integ_key_len);
	if (err) {
		ike_sk_free(sk);
		return err;
	}
	*out = sk;
	return 0;
}

void ike_sk_free(struct ike_sk *sk)
{
	if (!sk)
		return;
	aead_free(sk->aead);
	secure_zero(sk, sizeof(*sk));
	free(sk);
}

const struct ike_sk_overhead *ike_sk_get_overhead(const struct ike_sk *sk)
{
	return &sk->ov;
}

/* Padded text length (inner payloads, Padding, Pad Length). */
static size_t text_len(const struct ike_sk *sk, size_t inner_len)
{
	size_t b = sk->ov.block_len;

	return (inner_len + 1 + b - 1) / b * b;
}

size_t ike_sk_body_len(const struct ike_sk *sk, size_t inner_len)
{
	return sk->ov.iv_len + text_len(sk, inner_len) + sk->ov.icv_len;
}

/* The AEAD request for a message: nonce = salt || IV (RFC 5282,
 * RFC 7634 §2), AAD = everything before the IV (RFC 5282 §5.1). */
static void aead_req_init(const struct ike_sk *sk, struct aead_req *req,
			  uint8_t *nonce, uint8_t *buf, size_t aad_len,
			  size_t text)
{
	uint8_t *iv = buf + aad_len;

	memcpy(nonce, sk->salt, AEAD_SALT_LEN);
	memcpy(nonce + AEAD_SALT_LEN, iv, AEAD_IV_LEN);
	memset(req, 0, sizeof(*req));
	req->ctx = sk->aead;
	req->nonce = nonce;
	req->nonce_len = AEAD_SALT_LEN + AEAD_IV_LEN;
	req->aad = buf;
	req->aad_len = aad_len;
	req->in = req->out = iv + AEAD_IV_LEN;
	req->len = text;
	req->tag = iv + AEAD_IV_LEN + text;
}

static int aead_seal_msg(const struct ike_sk *sk, uint8_t *buf,
			 size_t aad_len, size_t text, uint64_t counter)
{
	uint8_t nonce[AEAD_SALT_LEN + AEAD_IV_LEN];
	struct aead_req req;
	int err;

	put_be64(buf + aad_len, counter);
	aead_req_init(sk, &req, nonce, buf, aad_len, text);
	err = aead_seal(&req);
	secure_zero(nonce, sizeof(nonce));
	return err ? -EIO : 0;
}

static int aead_open_msg(const struct ike_sk *sk, uint8_t *buf,
			 size_t aad_len, size_t text)
{
	uint8_t nonce[AEAD_SALT_LEN + AEAD_IV_LEN];
	struct aead_req req;
	int err;

	aead_req_init(sk, &req, nonce, buf, aad_len, text);
	err = aead_open(&req);
	secure_zero(nonce, sizeof(nonce));
	if (err == -EBADMSG)
		return -EBADMSG;
	return err ? -EIO : 0;
}

static const char *integ_digest(enum ike_integ_alg integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "SHA2-256";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "SHA2-384";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "SHA2-512";
	case IKE_INTEG_NONE:
		break;
	}
	return NULL;
}

/* icv = the first icv_len bytes of HMAC(SK_a, buf[0, len)) (RFC 4868 §2.1). */
static int cbc_icv(const struct ike_sk *sk, const uint8_t *buf, size_t len,
		   uint8_t *icv)
{
	uint8_t full[IKE_INTEG_KEY_MAX];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(
			OSSL_MAC_PARAM_DIGEST, (char *)integ_digest(sk->integ), 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *m = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t got = 0;
	int err = -EIO;

	if (m && EVP_MAC_init(m, sk->akey, sk->akey_len, params) &&
	    EVP_MAC_update(m, buf, len) &&
	    EVP_MAC_final(m, full, &got, sizeof(full)) &&
	    got == sk->akey_len) {
		memcpy(icv, full, sk->ov.icv_len);
		err = 0;
	}
	EVP_MAC_CTX_free(m);
	EVP_MAC_free(mac);
	secure_zero(full, sizeof(full));
	return err;
}

/* AES-CBC over text bytes at p, in place; enc: 1 encrypt, 0 decrypt. */
static int cbc_crypt(const struct ike_sk *sk, const uint8_t *iv, uint8_t *p,
		     size_t text, int enc)
{
	const char *name = sk->key_bits == 128 ? "AES-128-CBC" : "AES-256-CBC";
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0, err = -EIO;

	if (c && x && EVP_CipherInit_ex2(x, c, sk->ekey, iv, enc, NULL) &&
	    EVP_CIPHER_CTX_set_padding(x, 0) &&
	    EVP_CipherUpdate(x, p, &n, p, (int)text) &&
	    EVP_CipherFinal_ex(x, p + n, &fin) && (size_t)(n + fin) == text)
		err = 0;
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(c);
	return err;
}

static int cbc_seal_msg(const struct ike_sk *sk, uint8_t *buf,
			size_t aad_len, size_t text)
{
	uint8_t *iv = buf + aad_len, *ct = iv + CBC_BLOCK;
	int err;

	if (RAND_bytes(iv, CBC_BLOCK) != 1)
		return -EIO;
	err = cbc_crypt(sk, iv, ct, text, 1);
	if (!err)
		err = cbc_icv(sk, buf, aad_len + CBC_BLOCK + text, ct + text);
	return err;
}

static int cbc_open_msg(const struct ike_sk *sk, uint8_t *buf,
			size_t aad_len, size_t text)
{
	uint8_t icv[IKE_INTEG_ICV_MAX];
	uint8_t *iv = buf + aad_len, *ct = iv + CBC_BLOCK;
	int err;

	err = cbc_icv(sk, buf, aad_len + CBC_BLOCK + text, icv);
	if (!err && !ct_equal(icv, ct + text, sk->ov.icv_len))
		err = -EBADMSG;
	if (!err)
		err = cbc_crypt(sk, iv, ct, text, 0);
	secure_zero(icv, sizeof(icv));
	return err;
}

int ike_sk_seal(const struct ike_sk *sk, uint8_t *buf, size_t cap,
		size_t aad_len, size_t inner_len, uint64_t counter,
		size_t *msg_len)
{
	size_t text, body, pad, start;
	int err;

	if (!sk || !buf || !msg_len)
		return -EINVAL;
	text = text_len(sk, inner_len);
	body = ike_sk_body_len(sk, inner_len);
	if (inner_len > cap || aad_len > cap - inner_len ||
	    body > cap - aad_len)
		return -EMSGSIZE;
	start = aad_len + sk->ov.iv_len;
	pad = text - inner_len - 1;
	memset(buf + start + inner_len, 0, pad); /* RFC 7296 §3.14: any value */
	buf[start + text - 1] = (uint8_t)pad;
	if (sk->aead)
		err = aead_seal_msg(sk, buf, aad_len, text, counter);
	else
		err = cbc_seal_msg(sk, buf, aad_len, text);
	if (err) {
		secure_zero(buf + aad_len, body);
		return err;
	}
	*msg_len = aad_len + body;
	return 0;
}

/* The text length of a body of body bytes, or 0 when it cannot be one. */
static size_t text_of_body(const struct ike_sk *sk, size_t body)
{
	size_t fixed = sk->ov.iv_len + sk->ov.icv_len, text;

	if (body < fixed + sk->ov.block_len)
		return 0;
	text = body - fixed;
	return text % sk->ov.block_len ? 0 : text;
}

/* The Pad Length, the text's last byte, must leave the text non-negative:
 * pad + 1 <= text (RFC 7296 §3.14). */
static int pad_read(const uint8_t *p, size_t text, uint8_t *pad)
{
	struct cursor c = cursor_make(p, text);

	if (!cursor_peek_u8(&c, text - 1, pad) || (size_t)*pad + 1 > text)
		return -EPROTO;
	return 0;
}

int ike_sk_open(const struct ike_sk *sk, uint8_t *buf, size_t msg_len,
		size_t aad_len, size_t *inner_off, size_t *inner_len)
{
	size_t text, start;
	uint8_t pad = 0;
	int err;

	if (!sk || !buf || !inner_off || !inner_len || aad_len > msg_len)
		return -EINVAL;
	text = text_of_body(sk, msg_len - aad_len);
	start = aad_len + sk->ov.iv_len;
	if (!text)
		err = -EMSGSIZE;
	else if (sk->aead)
		err = aead_open_msg(sk, buf, aad_len, text);
	else
		err = cbc_open_msg(sk, buf, aad_len, text);
	if (!err)
		err = pad_read(buf + start, text, &pad);
	if (err) {
		secure_zero(buf + aad_len, msg_len - aad_len);
		return err;
	}
	*inner_off = start;
	*inner_len = text - pad - 1;
	return 0;
}
