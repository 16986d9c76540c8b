/* SPDX-License-Identifier: MIT */
/*
 * The parent's side of the keys process (ike/keyproc.h): starting and
 * confining the child, the blocking client calls, stopping.
 *
 * Not secret here: the signed octets (the parent built them), request
 * headers, signatures and key file paths. Secret: the table until it is
 * wiped, RELOAD buffers, AUTH values in reply buffers.
 */
#include "ike/keyproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/secure.h"

#define CHILD_FD 3             /* the child's socket, after setup */
#define CHILD_NAME "tunsecd-keys"

/* ---- the child ---- */

/* Default SIGTERM (the parent-death signal; the parent's handler must not
 * run here), ignore what the parent handles and SIGPIPE, unblock all. */
static int child_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t none;

	if (sigaction(SIGTERM, &dfl, NULL) || sigaction(SIGHUP, &ign, NULL) ||
	    sigaction(SIGINT, &ign, NULL) || sigaction(SIGPIPE, &ign, NULL))
		return -errno;
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL) ? -errno : 0;
}

static void close_from(unsigned first)
{
	struct rlimit rl;
	unsigned fd, end = 65536;

	if (!syscall(SYS_close_range, first, ~0U, 0))
		return;
	/* Kernels before 5.9: every descriptor the limit allows. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < end)
		end = (unsigned)rl.rlim_cur;
	for (fd = first; fd < end; fd++)
		close((int)fd);
}

/* The socket onto CHILD_FD, /dev/null onto stdin and stdout (and stderr
 * when it was not open or was the socket), nothing else open. */
static int child_fds(int sock)
{
	int null, fd;

	if (sock != CHILD_FD && dup2(sock, CHILD_FD) < 0)
		return -errno;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return -errno;
	for (fd = 0; fd <= 2; fd++)
		if ((fd < 2 || fd == sock || fcntl(fd, F_GETFD) < 0) &&
		    null != fd && dup2(null, fd) < 0)
			return -errno;
	close_from(CHILD_FD + 1);
	return 0;
}

/* Confine the child; parent is the pid it was forked from. */
static int child_setup(int sock, pid_t parent)
{
	int err;

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
		return -ESRCH; /* the parent died before the signal was set */
	if (prctl(PR_SET_NAME, CHILD_NAME) || prctl(PR_SET_DUMPABLE, 0))
		return -errno;
	err = child_signals();
	return err ? err : child_fds(sock);
}

static void __attribute__((noreturn))
child_run(int sock, pid_t parent, struct keyproc_secret *secrets, unsigned n)
{
	int err = child_setup(sock, parent);

	if (!err)
		err = keyproc_serve(CHILD_FD, secrets, n);
	secure_zero(secrets, (size_t)n * sizeof(*secrets));
	_exit(err ? 1 : 0);
}

/* ---- starting and stopping ---- */

/* One prf in the parent, so the child inherits OpenSSL's HMAC already
 * fetched rather than fetching it after the fork. */
static void warm_prf(void)
{
	static const uint8_t k = 1;
	uint8_t out[IKE_PRF_LEN_MAX];

	ike_prf(IKE_PRF_HMAC_SHA2_256, &k, 1, NULL, 0, out);
	secure_zero(out, sizeof(out));
}

int keyproc_start(struct keyproc *kp, struct keyproc_secret *secrets,
		  unsigned n)
{
	pid_t parent = getpid(), pid;
	int sv[2], err = 0;

	*kp = KEYPROC_NONE;
	if (!keyproc_table_ok(secrets, n)) {
		err = -EINVAL;
		goto out;
	}
	warm_prf();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		err = -errno;
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child_run(sv[1], parent, secrets, n);
	}
	if (pid < 0)
		err = -errno;
	close(sv[1]);
	if (pid < 0)
		close(sv[0]);
	else
		*kp = (struct keyproc){ .fd = sv[0], .pid = pid, .next_id = 1 };
out:
	if (secrets)
		secure_zero(secrets, (size_t)n * sizeof(*secrets));
	return err;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reap pid within KEYPROC_STOP_MS; SIGKILL it after that. */
static int reap(pid_t pid)
{
	const struct timespec tick = { 0, 5 * 1000 * 1000 };
	int64_t deadline = now_ms() + KEYPROC_STOP_MS;
	int status = 0;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0 &&
	       now_ms() < deadline)
		nanosleep(&tick, NULL);
	if (r == 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return -ETIMEDOUT;
	}
	if (r < 0)
		return -EIO;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int keyproc_stop(struct keyproc *kp)
{
	int err = 0;

	if (kp->fd >= 0)
		close(kp->fd);
	if (kp->pid > 0)
		err = reap(kp->pid);
	*kp = KEYPROC_NONE;
	return err;
}

/* ---- requests ---- */

static uint32_t next_id(struct keyproc *kp)
{
	if (kp->next_id == 0)
		kp->next_id = 1;
	return kp->next_id++;
}

static int send_req(struct keyproc *kp, const struct iovec *iov, int iovcnt)
{
	struct msghdr mh = { .msg_iov = (struct iovec *)iov,
			     .msg_iovlen = (size_t)iovcnt };
	ssize_t n;

	if (kp->fd < 0)
		return -EPIPE;
	do
		n = sendmsg(kp->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	return 0;
}

/* One datagram within the time left; 0 when the child closed. */
static ssize_t recv_within(int fd, uint8_t *buf, size_t cap, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t left = deadline - now_ms();
	ssize_t n;
	int r;

	r = poll(&pfd, 1, left > 0 ? (int)left : 0);
	if (r < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	if (r == 0)
		return -ETIMEDOUT;
	n = recv(fd, buf, cap, MSG_DONTWAIT);
	if (n < 0 && errno == ECONNRESET)
		return 0;
	if (n < 0)
		return errno == EINTR || errno == EWOULDBLOCK ? -EAGAIN
							     : -errno;
	return n;
}

/*
 * Wait for the reply to request id of type, dropping replies to earlier
 * requests. buf (cap bytes) receives it and r points into it; on failure
 * buf is wiped. Returns 0, -ETIMEDOUT, -EPIPE or -EPROTO.
 */
static int wait_reply(struct keyproc *kp, uint8_t type, uint32_t id,
		      int timeout_ms, uint8_t *buf, size_t cap,
		      struct keyproc_reply *r)
{
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	ssize_t n;

	for (;;) {
		n = recv_within(kp->fd, buf, cap, deadline);
		if (n == -EAGAIN)
			continue;
		if (n <= 0)
			return n == 0 ? -EPIPE : (int)n;
		if (keyproc_msg_parse_reply(buf, (size_t)n, r)) {
			secure_zero(buf, cap);
			return -EPROTO;
		}
		if (r->id == id)
			return r->type == type ? 0 : -EPROTO;
		secure_zero(buf, cap); /* a reply to a request that timed out */
	}
}

/* Send iov as request id of type and wait for its reply into buf. */
static int call(struct keyproc *kp, const struct iovec *iov, int iovcnt,
		uint8_t type, uint32_t id, int timeout_ms, uint8_t *buf,
		size_t cap, struct keyproc_reply *r)
{
	int err = send_req(kp, iov, iovcnt);

	if (!err)
		err = wait_reply(kp, type, id, timeout_ms, buf, cap, r);
	if (!err && r->status)
		err = r->status;
	return err == -ECONNREFUSED || err == -ENOTCONN ? -EPIPE : err;
}

int keyproc_ping(struct keyproc *kp, int timeout_ms)
{
	uint8_t hdr[KEYPROC_HDR_LEN], buf[KEYPROC_REPLY_MAX + 1];
	uint32_t id = next_id(kp);
	struct iovec iov = { hdr, sizeof(hdr) };
	struct keyproc_reply r;

	keyproc_msg_put_hdr(hdr, KEYPROC_T_PING, id, 0);
	return call(kp, &iov, 1, KEYPROC_T_PING, id, timeout_ms, buf,
		    sizeof(buf), &r);
}

int keyproc_auth_psk(struct keyproc *kp, uint32_t secret_id,
		     enum ike_prf_alg prf, const uint8_t *octets, size_t len,
		     uint8_t *out, size_t out_len, int timeout_ms)
{
	uint8_t head[KEYPROC_HDR_LEN + KEYPROC_AUTH_FIXED];
	uint8_t buf[KEYPROC_REPLY_MAX + 1];
	struct iovec iov[2] = { { head, sizeof(head) },
				{ (void *)octets, len } };
	struct keyproc_reply r;
	uint32_t id;
	int err = -EINVAL;

	if (!out || !out_len || out_len != ike_prf_len(prf) || !octets ||
	    !len || len > KEYPROC_OCTETS_MAX)
		goto out;
	id = next_id(kp);
	keyproc_msg_put_auth(head, id, secret_id, (uint16_t)prf, len);
	err = call(kp, iov, 2, KEYPROC_T_AUTH_PSK, id, timeout_ms, buf,
		   sizeof(buf), &r);
	if (!err && cursor_left(&r.auth) != out_len)
		err = -EPROTO;
	if (!err)
		memcpy(out, r.auth.p, out_len);
out:
	secure_zero(buf, sizeof(buf));
	if (err && out)
		secure_zero(out, out_len);
	return err;
}

int keyproc_sign(struct keyproc *kp, uint32_t secret_id, uint16_t hash,
		 uint8_t scheme, const uint8_t *octets, size_t len,
		 uint8_t *sig, size_t cap, size_t *sig_len, int timeout_ms)
{
	uint8_t head[KEYPROC_HDR_LEN + KEYPROC_SIGN_FIXED];
	uint8_t buf[KEYPROC_REPLY_MAX + 1];
	struct iovec iov[2] = { { head, sizeof(head) },
				{ (void *)octets, len } };
	struct keyproc_reply r;
	uint32_t id;
	int err = -EINVAL;

	if (sig_len)
		*sig_len = 0;
	if (!sig || !cap || !sig_len || !octets || !len ||
	    len > KEYPROC_OCTETS_MAX)
		goto out;
	id = next_id(kp);
	keyproc_msg_put_sign(head, id, secret_id, hash, scheme, len);
	err = call(kp, iov, 2, KEYPROC_T_SIGN, id, timeout_ms, buf,
		   sizeof(buf), &r);
	if (!err && cursor_left(&r.auth) > cap)
		err = -ENOSPC;
	if (!err) {
		memcpy(sig, r.auth.p, cursor_left(&r.auth));
		*sig_len = cursor_left(&r.auth);
	}
out:
	secure_zero(buf, sizeof(buf));
	if (err && sig)
		secure_zero(sig, cap);
	return err;
}

/* One RELOAD part of entries first..first+count-1. */
static int reload_part(struct keyproc *kp, const struct keyproc_secret *s,
		       unsigned n, unsigned first, unsigned count,
		       int timeout_ms, uint8_t *msg)
{
	uint8_t buf[KEYPROC_REPLY_MAX + 1];
	uint32_t id = next_id(kp);
	struct keyproc_reply r;
	struct iovec iov;
	int len, err;

	len = keyproc_msg_build_reload(msg, KEYPROC_RELOAD_MAX, id, n, first,
				       s + first, count);
	if (len < 0)
		return len;
	iov = (struct iovec){ msg, (size_t)len };
	err = call(kp, &iov, 1, KEYPROC_T_RELOAD, id, timeout_ms, buf,
		   sizeof(buf), &r);
	secure_zero(msg, (size_t)len);
	secure_zero(buf, sizeof(buf));
	return err;
}

/* The table in parts, to the running child. */
static int reload_send(struct keyproc *kp, const struct keyproc_secret *s,
		       unsigned n, int timeout_ms)
{
	uint8_t *msg = malloc(KEYPROC_RELOAD_MAX);
	unsigned first = 0, count;
	int err = 0;

	if (!msg)
		return -ENOMEM;
	do {
		count = n - first < KEYPROC_RELOAD_PART ? n - first
							: KEYPROC_RELOAD_PART;
		err = reload_part(kp, s, n, first, count, timeout_ms, msg);
		first += count;
	} while (!err && first < n);
	secure_zero(msg, KEYPROC_RELOAD_MAX);
	free(msg);
	return err;
}

int keyproc_reload(struct keyproc *kp, struct keyproc_secret *secrets,
		   unsigned n, int timeout_ms)
{
	int err = -EINVAL;

	if (!keyproc_table_ok(secrets, n))
		goto out;
	err = reload_send(kp, secrets, n, timeout_ms);
	if (err) {
		/* No answer from the keys process: replace it. */
		keyproc_stop(kp);
		return keyproc_start(kp, secrets, n);
	}
out:
	if (secrets)
		secure_zero(secrets, (size_t)n * sizeof(*secrets));
	return err;
}
