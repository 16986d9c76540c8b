/* SPDX-License-Identifier: MIT */
/* Control socket client: connect, send one request, read one reply. */
#include "ctl/client.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/bytes.h"

struct call {
	const char *path;
	int timeout_ms;
	int64_t deadline; /* CLOCK_MONOTONIC, milliseconds */
	struct ctl_reply *r;
};

static int fail(struct call *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct call *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->r->error, sizeof(c->r->error), fmt, ap);
	va_end(ap);
	return err;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until |fd| has |events| or the deadline passes: 0 or -errno. */
static int wait_fd(const struct call *c, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int n;

	for (;;) {
		left = c->deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 0; /* also on POLLHUP/POLLERR: the I/O says why */
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int connect_fail(struct call *c, int err)
{
	switch (err) {
	case ENOENT:
		return fail(c, -err, "tunsecd is not running "
			    "(no control socket at %s)", c->path);
	case ECONNREFUSED:
		return fail(c, -err, "tunsecd is not running "
			    "(nothing is listening on %s)", c->path);
	case EACCES:
	case EPERM:
		return fail(c, -EACCES, "permission denied on %s "
			    "(run as root or as the daemon's user)", c->path);
	case EAGAIN:
		return fail(c, -err, "tunsecd is not accepting connections "
			    "on %s (too many pending)", c->path);
	default:
		return fail(c, -err, "cannot connect to %s: %s", c->path,
			    strerror(err));
	}
}

static int conn_open(struct call *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (!c->path[0] || strlen(c->path) >= sizeof(sun.sun_path))
		return fail(c, -ENAMETOOLONG, "control socket path too long: "
			    "%s", c->path);
	strcpy(sun.sun_path, c->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(c, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno;
		close(fd);
		return connect_fail(c, err);
	}
	return fd;
}

static int request_send(struct call *c, int fd, const uint8_t *buf, int len)
{
	ssize_t n;
	int err;

	for (;;) {
		n = send(fd, buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == len)
			return 0;
		if (n >= 0)
			return fail(c, -EIO, "short send on %s", c->path);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return fail(c, -errno, "sending to %s: %s", c->path,
				    strerror(errno));
		err = wait_fd(c, fd, POLLOUT);
		if (err)
			return fail(c, err, "tunsecd on %s did not take the "
				    "request within %d ms", c->path,
				    c->timeout_ms);
	}
}

/* Receive one datagram into c->r->buf: its length, or -errno. */
static int reply_recv(struct call *c, int fd)
{
	ssize_t n;
	int err;

	for (;;) {
		err = wait_fd(c, fd, POLLIN);
		if (err)
			return fail(c, err, "no reply from tunsecd on %s "
				    "within %d ms", c->path, c->timeout_ms);
		n = recv(fd, c->r->buf, sizeof(c->r->buf),
			 MSG_DONTWAIT | MSG_TRUNC);
		if (n > (ssize_t)sizeof(c->r->buf))
			return fail(c, -EMSGSIZE, "reply from %s larger than "
				    "%d bytes", c->path, CTL_MSG_MAX);
		if (n > 0)
			return (int)n;
		if (n == 0 || errno == ECONNRESET)
			return fail(c, -ECONNRESET, "tunsecd closed the "
				    "connection on %s without replying",
				    c->path);
		if (errno != EAGAIN && errno != EINTR)
			return fail(c, -errno, "receiving from %s: %s",
				    c->path, strerror(errno));
	}
}

/* Validate the n-byte reply to request |seq| and fill status and message. */
static int reply_check(struct call *c, size_t n, uint32_t seq)
{
	struct ctl_reply *r = c->r;
	struct ctl_attr tb[CTL_A_END];
	enum ctl_parse_result pr;
	struct ctl_iter it;
	int32_t status;

	pr = ctl_msg_parse(&r->msg, r->buf, n);
	if (pr != CTL_PARSE_OK)
		return fail(c, -EBADMSG, "malformed reply from %s: %s",
			    c->path, ctl_parse_reason(pr));
	ctl_msg_iter(&r->msg, &it);
	if (r->msg.type != CTL_REPLY || !ctl_iter_index(&it, tb) ||
	    !ctl_attr_i32(&tb[CTL_A_STATUS], &status) || status > 0)
		return fail(c, -EBADMSG, "malformed reply from %s: "
			    "no status", c->path);
	/* seq 0 with an error: the daemon could not read our request. */
	if (r->msg.seq != seq && !(r->msg.seq == 0 && status < 0))
		return fail(c, -EBADMSG, "reply from %s is for another "
			    "request", c->path);
	r->status = status;
	if (tb[CTL_A_MESSAGE].type)
		r->message = ctl_attr_str(&tb[CTL_A_MESSAGE]);
	return 0;
}

static int call_run(struct call *c, struct ctl_builder *req)
{
	int len = ctl_builder_finish(req);
	uint32_t seq;
	int fd, err;

	if (len < 0)
		return fail(c, len, "request could not be built: %s",
			    strerror(-len));
	seq = get_be32(req->buf + CTL_HDR_OFF_SEQ);
	fd = conn_open(c);
	if (fd < 0)
		return fd;
	err = request_send(c, fd, req->buf, len);
	if (req->secret)
		ctl_builder_wipe(req);
	if (!err)
		err = reply_recv(c, fd);
	close(fd);
	if (err < 0)
		return err;
	return reply_check(c, (size_t)err, seq);
}

int ctl_client_call(const char *path, struct ctl_builder *req,
		    struct ctl_reply *reply, int timeout_ms)
{
	struct call c = { .path = path, .r = reply };
	int err;

	c.timeout_ms = timeout_ms > 0 ? timeout_ms : CTL_CALL_TIMEOUT_MS;
	c.deadline = now_ms() + c.timeout_ms;

	memset(&reply->msg, 0, sizeof(reply->msg));
	reply->status = 0;
	reply->message = NULL;
	reply->error[0] = '\0';
	err = call_run(&c, req);
	/* Whatever happened, no key stays in the request buffer. */
	if (req->secret)
		ctl_builder_wipe(req);
	return err;
}
