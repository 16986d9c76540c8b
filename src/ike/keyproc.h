/* SPDX-License-Identifier: MIT */
/*
 * The keys process: the one place tunsecd's long-term secrets live
 * (STYLE.md 12; the shape of OpenBSD iked's ca process).
 *
 * Right after reading its configuration, tunsecd builds a table of
 * struct keyproc_secret (one per IKE peer, id = the peer's index) and calls
 * keyproc_start(): a child process named "tunsecd-keys" takes the table,
 * the parent's copy is wiped, and from then on the parent (which parses
 * IKE packets) only asks for AUTH values and signatures over a
 * SOCK_SEQPACKET socketpair (messages in ike/keyproc_msg.h). The parent
 * keeps the session keys (SK_*), which are not long-term, and assembles
 * the signed octets itself.
 *
 * Private keys: a KEY_FILE secret is the path of the key file, not the
 * key. The keys process reads and parses the file itself whenever a table
 * takes effect (keyproc_start, the last part of a reload), so the process
 * that parses packets never holds the key's bytes, not even while a
 * reload reads the configuration again, and the table keeps its small
 * fixed-size entries (an RSA key in PEM is several times
 * KEYPROC_SECRET_MAX). The file is read at most KEYPROC_KEYFILE_MAX bytes,
 * only when it is a regular file, as PEM (PKCS#8 or traditional,
 * unencrypted: there is no one to ask for a passphrase) or DER; the read
 * buffer is wiped. A file that cannot be read or holds no usable key does
 * not stop the table: SIGN for that secret answers -ENOKEY (tunsecd can
 * ask once after start or reload to report it), the other secrets work.
 * A file changed on disk takes effect at the next reload.
 *
 * The child closes every descriptor but its socket (fd 3) and stderr
 * (stdin and stdout become /dev/null), ignores SIGHUP and SIGINT (the
 * parent handles them), gets SIGTERM when the parent dies, cannot be
 * ptrace'd or dumped by other processes (PR_SET_DUMPABLE 0), and exits
 * when the socket closes (or an empty datagram arrives, which reads the
 * same), wiping its table first.
 *
 * When the keys process dies, every request fails with -EPIPE and IKE
 * authentication fails until tunsecd restarts or reloads its
 * configuration: the parent no longer has the secrets to give a new child.
 * A reload reads the file again and passes the new table to
 * keyproc_reload(), which starts a new keys process with it when the old
 * one is gone.
 *
 * The client functions (keyproc_auth_psk, keyproc_sign, keyproc_ping,
 * keyproc_reload, keyproc_stop) are for one thread at a time: the IKE
 * engine's (tunsecd's main thread). Secrets are never logged; replies
 * carry only MACs and signatures.
 */
#ifndef TUNSEC_IKE_KEYPROC_H
#define TUNSEC_IKE_KEYPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/types.h>

#include "ike/keyproc_msg.h"
#include "ike/prf.h"

/* How long keyproc_stop() waits for the child to exit before SIGKILL. */
#define KEYPROC_STOP_MS 1000

/* The parent's handle. fd -1 and pid 0 when there is no keys process; a
 * handle may also name a socket served by keyproc_serve() on a thread of
 * the same process (pid 0), as the unit tests do. */
struct keyproc {
	int fd;
	pid_t pid;
	uint32_t next_id;           /* request ids; 0 is never sent */
};

#define KEYPROC_NONE ((struct keyproc){ .fd = -1, .pid = 0, .next_id = 1 })

/*
 * Fork the keys process with secrets[0..n-1] (n <= KEYPROC_SECRETS_MAX, ids
 * strictly increasing, each keyproc_msg_secret_ok()). Takes the secrets:
 * the table is wiped on every path, success or failure. Returns 0 with kp
 * set; -EINVAL for a bad table; -errno from socketpair() or fork(). kp
 * must not name a running keys process (keyproc_stop() it first).
 *
 * Call from the thread that lives as long as the process (the parent-death
 * signal follows the forking thread), before starting other threads where
 * possible: the child uses malloc and OpenSSL (HMAC; key decoders and
 * signatures for KEY_FILE secrets) after the fork.
 */
int keyproc_start(struct keyproc *kp, struct keyproc_secret *secrets,
		  unsigned n);

/* Liveness: one PING round trip within timeout_ms. 0, -ETIMEDOUT, -EPIPE
 * (no keys process, or it died), -EPROTO (a malformed reply). */
int keyproc_ping(struct keyproc *kp, int timeout_ms);

/*
 * The shared-key AUTH value (RFC 7296 §2.15) of secret secret_id over the
 * signed octets (octets, len: RealMessage | Nonce | prf(SK_p, ID body),
 * 1..KEYPROC_OCTETS_MAX bytes, assembled by the caller):
 *   AUTH = prf(prf(psk, "Key Pad for IKEv2"), octets)
 * into out, out_len = ike_prf_len(prf) bytes. Blocks at most timeout_ms.
 * Returns 0; -EINVAL for a bad argument (nothing sent); the keys process's
 * status (-ENOENT unknown secret id, -EKEYREJECTED not a shared key, -EIO);
 * -ETIMEDOUT; -EPIPE when there is no keys process or it died; -EPROTO for
 * a malformed reply. out is secret to the caller; zeroed on failure.
 */
int keyproc_auth_psk(struct keyproc *kp, uint32_t secret_id,
		     enum ike_prf_alg prf, const uint8_t *octets, size_t len,
		     uint8_t *out, size_t out_len, int timeout_ms);

/*
 * A signature (RFC 7427 §3) by the private key of KEY_FILE secret
 * secret_id over the signed octets (octets, len: 1..KEYPROC_OCTETS_MAX
 * bytes, RealMessage | Nonce | prf(SK_p, ID body), assembled by the
 * caller) with hash (IKE_HASH_SHA2_256/384/512) and scheme (enum
 * ike_sig_scheme), into sig (cap bytes), *sig_len set. ECDSA signatures
 * are DER Ecdsa-Sig-Value. Blocks at most timeout_ms. Returns 0; -EINVAL
 * for a bad argument (nothing sent); the keys process's status (-ENOENT
 * unknown secret id, -EKEYREJECTED not a key file or a scheme that does
 * not fit its key, -ENOKEY its file did not load, -EIO); -ENOSPC when the
 * signature is longer than cap; -ETIMEDOUT; -EPIPE; -EPROTO for a
 * malformed reply. sig is zeroed on failure.
 */
int keyproc_sign(struct keyproc *kp, uint32_t secret_id, uint16_t hash,
		 uint8_t scheme, const uint8_t *octets, size_t len,
		 uint8_t *sig, size_t cap, size_t *sig_len, int timeout_ms);

/*
 * Replace the keys process's table with secrets[0..n-1] (rules as
 * keyproc_start()), sent in RELOAD parts of KEYPROC_RELOAD_PART entries;
 * the new table takes effect with the last part, all at once. When there
 * is no keys process or the reload fails in any other way (it died, timed
 * out, answered wrongly), it is stopped, SIGKILLed if need be, and a new
 * one is started with the table instead. Takes the
 * secrets: the table is wiped on every path. Returns 0; -EINVAL for a bad
 * table (the old table stays); otherwise keyproc_start()'s error, after
 * which there is no keys process.
 */
int keyproc_reload(struct keyproc *kp, struct keyproc_secret *secrets,
		   unsigned n, int timeout_ms);

/*
 * Close the socket (the child wipes its table and exits), wait up to
 * KEYPROC_STOP_MS for it, SIGKILL it after that, and reap it; kp becomes
 * KEYPROC_NONE. Returns 0 when the child exited by itself with status 0 (or
 * there was none), -ETIMEDOUT when it had to be killed, -EIO when it exited
 * otherwise.
 */
int keyproc_stop(struct keyproc *kp);

/* ---- the keys side ---- */

/*
 * Serve requests on fd until the peer closes it: one reply per datagram,
 * malformed ones refused with an error reply. Copies secrets[0..n-1] into
 * a table of its own and wipes the caller's array first. Wipes everything
 * it holds before returning. Returns 0 when the peer closed the socket;
 * -EINVAL for a bad table, -ENOMEM, or -errno of a socket error. Runs in
 * the keys process, or on a thread of its own (unit tests); uses nothing
 * shared.
 */
int keyproc_serve(int fd, struct keyproc_secret *secrets, unsigned n);

/* The request handler keyproc_serve() runs, without I/O (fuzz target;
 * but a table holding KEY_FILE secrets reads their files). */
struct keyproc_server {
	struct keyproc_secret *table;     /* ids strictly increasing */
	EVP_PKEY **keys;                  /* per entry: the parsed private key
					   * of a KEY_FILE, else NULL */
	unsigned n;
	struct keyproc_secret *pending;   /* a RELOAD being filled */
	uint32_t pending_total, pending_filled;
};

/* Copy secrets[0..n-1] into sv, load the keys of its KEY_FILE entries,
 * and wipe the caller's array (on every path). 0; -EINVAL for a bad
 * table; -ENOMEM. */
int keyproc_server_init(struct keyproc_server *sv,
			struct keyproc_secret *secrets, unsigned n);

/*
 * Act on one request datagram (untrusted: req, len bytes; len above
 * KEYPROC_REQ_MAX means longer than that, and only the header is read) and
 * write its reply into reply (cap >= KEYPROC_REPLY_MAX). Returns the
 * reply's length; there is always a reply. The reply may hold an AUTH
 * value: the caller wipes it after sending.
 */
size_t keyproc_server_handle(struct keyproc_server *sv, const uint8_t *req,
			     size_t len, uint8_t *reply, size_t cap);

/* Wipe and free everything sv holds; sv may be zeroed or already freed. */
void keyproc_server_free(struct keyproc_server *sv);

/* Whether secrets[0..n-1] is a table keyproc_start() takes. */
bool keyproc_table_ok(const struct keyproc_secret *secrets, unsigned n);

/*
 * The private key in the file named by KEY_FILE secret s (keyproc_key.c):
 * a new EVP_PKEY the caller frees with EVP_PKEY_free() (which clears it),
 * or NULL when the file cannot be read (not a regular file, longer than
 * KEYPROC_KEYFILE_MAX) or holds no unencrypted EC or RSA private key whose
 * signatures fit KEYPROC_SIG_MAX. The read buffer is wiped.
 */
EVP_PKEY *keyproc_load_key(const struct keyproc_secret *s);

/* keys[0..n-1] for table[0..n-1]: keyproc_load_key() of each KEY_FILE,
 * NULL for the others and for files that do not load. NULL when out of
 * memory. */
EVP_PKEY **keyproc_load_keys(const struct keyproc_secret *table,
			     unsigned n);

/* Free keys[0..n-1] (clearing them) and the array; NULL is a no-op. */
void keyproc_free_keys(EVP_PKEY **keys, unsigned n);

#endif
