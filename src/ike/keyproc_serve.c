/* SPDX-License-Identifier: MIT */
/*
 * The keys side of the keys process (ike/keyproc.h): the secret table,
 * the request handler, and the loop that serves the socket.
 *
 * Every table lives in memory of its own, wiped before it is freed, with
 * the private keys of its KEY_FILE entries beside it (keyproc_key.c); the
 * receive buffer is wiped after each request (a RELOAD carries secrets) and
 * the reply buffer after each reply (it may carry an AUTH value).
 */
#include "ike/keyproc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/authsig.h"
#include "util/secure.h"

static const uint8_t key_pad[] = "Key Pad for IKEv2";
#define KEY_PAD_LEN (sizeof(key_pad) - 1) /* 17: no NUL (RFC 7296 §2.15) */

bool keyproc_table_ok(const struct keyproc_secret *secrets, unsigned n)
{
	unsigned i;

	if (n > KEYPROC_SECRETS_MAX || (n && !secrets))
		return false;
	for (i = 0; i < n; i++)
		if (!keyproc_msg_secret_ok(&secrets[i]) ||
		    (i && secrets[i].id <= secrets[i - 1].id))
			return false;
	return true;
}

static void table_free(struct keyproc_secret *t, unsigned n)
{
	if (!t)
		return;
	secure_zero(t, (size_t)n * sizeof(*t));
	free(t);
}

/* A zeroed table of n entries (at least one, so calloc never returns NULL
 * for an empty table). */
static struct keyproc_secret *table_alloc(unsigned n)
{
	return calloc(n ? n : 1, sizeof(struct keyproc_secret));
}

int keyproc_server_init(struct keyproc_server *sv,
			struct keyproc_secret *secrets, unsigned n)
{
	int err = 0;

	memset(sv, 0, sizeof(*sv));
	if (!keyproc_table_ok(secrets, n)) {
		err = -EINVAL;
		goto out;
	}
	sv->table = table_alloc(n);
	if (!sv->table) {
		err = -ENOMEM;
		goto out;
	}
	if (n)
		memcpy(sv->table, secrets, (size_t)n * sizeof(*secrets));
	sv->n = n;
	sv->keys = keyproc_load_keys(sv->table, n);
	if (!sv->keys) {
		keyproc_server_free(sv);
		err = -ENOMEM;
	}
out:
	if (secrets)
		secure_zero(secrets, (size_t)n * sizeof(*secrets));
	return err;
}

static void pending_drop(struct keyproc_server *sv)
{
	table_free(sv->pending, sv->pending_total);
	sv->pending = NULL;
	sv->pending_total = 0;
	sv->pending_filled = 0;
}

void keyproc_server_free(struct keyproc_server *sv)
{
	pending_drop(sv);
	keyproc_free_keys(sv->keys, sv->n);
	table_free(sv->table, sv->n);
	sv->keys = NULL;
	sv->table = NULL;
	sv->n = 0;
}

static const struct keyproc_secret *lookup(const struct keyproc_server *sv,
					   uint32_t id)
{
	unsigned lo = 0, hi = sv->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (sv->table[mid].id == id)
			return &sv->table[mid];
		if (sv->table[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* AUTH = prf(prf(psk, "Key Pad for IKEv2"), octets) (RFC 7296 §2.15);
 * the octets come assembled. */
static int auth_psk(const struct keyproc_server *sv,
		    const struct keyproc_req *req, uint8_t *auth)
{
	const struct keyproc_secret *s = lookup(sv, req->secret_id);
	enum ike_prf_alg prf = (enum ike_prf_alg)req->prf;
	const struct ike_bytes pad = { key_pad, KEY_PAD_LEN };
	struct ike_bytes octets = { req->octets.p, req->octets.len };
	uint8_t padkey[IKE_PRF_LEN_MAX];
	int err;

	if (!s)
		return -ENOENT;
	if (s->kind != KEYPROC_KIND_PSK)
		return -EKEYREJECTED;
	err = ike_prf(prf, s->bytes, s->len, &pad, 1, padkey);
	if (!err)
		err = ike_prf(prf, padkey, ike_prf_len(prf), &octets, 1, auth);
	secure_zero(padkey, sizeof(padkey));
	return err ? -EIO : 0;
}

/* A signature with the key of a KEY_FILE secret (RFC 7427 §3); the
 * octets come assembled. */
static int sign(const struct keyproc_server *sv,
		const struct keyproc_req *req, uint8_t *sig, size_t cap,
		size_t *sig_len)
{
	const struct keyproc_secret *s = lookup(sv, req->secret_id);
	EVP_PKEY *key;
	int err;

	*sig_len = 0;
	if (!s)
		return -ENOENT;
	if (s->kind != KEYPROC_KIND_KEY_FILE)
		return -EKEYREJECTED;
	key = sv->keys ? sv->keys[s - sv->table] : NULL;
	if (!key)
		return -ENOKEY;
	err = ike_authsig_sign_key(key, req->hash,
				   (enum ike_sig_scheme)req->scheme,
				   req->octets.p, req->octets.len, sig, cap,
				   sig_len);
	if (err == -EKEYREJECTED)
		return err;
	return err ? -EIO : 0;
}

/* Whether a RELOAD part may go on: it starts a table (first 0), or it
 * continues the one being filled where that stopped, with the same total
 * and a first id above the last one filled. */
static bool part_in_order(const struct keyproc_server *sv,
			  const struct keyproc_req *req)
{
	struct cursor c = req->entries;
	struct keyproc_secret s;
	bool ok = true;

	if (req->first == 0)
		return true;
	if (!sv->pending || req->first != sv->pending_filled ||
	    req->total != sv->pending_total)
		return false;
	if (req->count && keyproc_msg_next_secret(&c, &s))
		ok = s.id > sv->pending[sv->pending_filled - 1].id;
	secure_zero(&s, sizeof(s));
	return ok;
}

/* The filled table takes effect with its keys loaded; -ENOMEM keeps the
 * old one. */
static int pending_commit(struct keyproc_server *sv)
{
	EVP_PKEY **keys = keyproc_load_keys(sv->pending, sv->pending_total);

	if (!keys) {
		pending_drop(sv);
		return -ENOMEM;
	}
	keyproc_free_keys(sv->keys, sv->n);
	table_free(sv->table, sv->n);
	sv->keys = keys;
	sv->table = sv->pending;
	sv->n = sv->pending_total;
	sv->pending = NULL;
	sv->pending_total = 0;
	sv->pending_filled = 0;
	return 0;
}

/* One RELOAD part (format in ike/keyproc_msg.h). */
static int reload(struct keyproc_server *sv, const struct keyproc_req *req)
{
	struct cursor c = req->entries;

	if (!part_in_order(sv, req)) {
		pending_drop(sv);
		return -EINVAL;
	}
	if (req->first == 0) {
		pending_drop(sv);
		sv->pending = table_alloc(req->total);
		if (!sv->pending)
			return -ENOMEM;
		sv->pending_total = req->total;
	}
	/* The parser checked first + count <= total. */
	while (sv->pending_filled < sv->pending_total &&
	       keyproc_msg_next_secret(&c, &sv->pending[sv->pending_filled]))
		sv->pending_filled++;
	if (sv->pending_filled == sv->pending_total)
		return pending_commit(sv);
	return 0;
}

static size_t put_reply(const struct keyproc_req *req, int status,
			const uint8_t *auth, size_t auth_len, uint8_t *reply,
			size_t cap)
{
	int n = keyproc_msg_build_reply(reply, cap, req->type, req->id,
					status, status ? NULL : auth,
					status ? 0 : auth_len);

	/* cap >= KEYPROC_REPLY_MAX is the caller's contract. */
	if (n < 0)
		abort();
	return (size_t)n;
}

size_t keyproc_server_handle(struct keyproc_server *sv, const uint8_t *req,
			     size_t len, uint8_t *reply, size_t cap)
{
	uint8_t auth[KEYPROC_SIG_MAX]; /* an AUTH value or a signature */
	size_t auth_len = 0, n;
	struct keyproc_req r;
	int err;

	err = keyproc_msg_parse_request(req, len, &r);
	if (!err && r.type == KEYPROC_T_AUTH_PSK) {
		err = auth_psk(sv, &r, auth);
		auth_len = ike_prf_len((enum ike_prf_alg)r.prf);
	} else if (!err && r.type == KEYPROC_T_SIGN) {
		err = sign(sv, &r, auth, sizeof(auth), &auth_len);
	} else if (!err && r.type == KEYPROC_T_RELOAD) {
		err = reload(sv, &r);
	}
	n = put_reply(&r, err, auth, auth_len, reply, cap);
	secure_zero(auth, sizeof(auth));
	return n;
}

/* One datagram into buf (KEYPROC_REQ_MAX + 1 bytes: a longer one arrives
 * cut and is refused by its length). 0 when the peer closed. */
static ssize_t recv_req(int fd, uint8_t *buf)
{
	ssize_t n;

	do
		n = recv(fd, buf, KEYPROC_REQ_MAX + 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == ECONNRESET)
		return 0;
	return n < 0 ? -errno : n;
}

static int send_reply(int fd, const uint8_t *reply, size_t len)
{
	ssize_t n;

	do
		n = send(fd, reply, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE || errno == ECONNRESET ? 1 : -errno;
	return 0;
}

static int serve_loop(int fd, struct keyproc_server *sv, uint8_t *buf)
{
	uint8_t reply[KEYPROC_REPLY_MAX];
	size_t rlen;
	ssize_t n;
	int err = 0;

	for (;;) {
		n = recv_req(fd, buf);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		rlen = keyproc_server_handle(sv, buf, (size_t)n, reply,
					     sizeof(reply));
		secure_zero(buf, (size_t)n);
		err = send_reply(fd, reply, rlen);
		secure_zero(reply, sizeof(reply));
		if (err)
			break;
	}
	return err > 0 ? 0 : err;
}

int keyproc_serve(int fd, struct keyproc_secret *secrets, unsigned n)
{
	struct keyproc_server sv;
	uint8_t *buf = NULL;
	int err;

	err = keyproc_server_init(&sv, secrets, n);
	if (err)
		goto out;
	buf = malloc(KEYPROC_REQ_MAX + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	err = serve_loop(fd, &sv, buf);
out:
	if (buf) {
		secure_zero(buf, KEYPROC_REQ_MAX + 1);
		free(buf);
	}
	keyproc_server_free(&sv);
	return err;
}
