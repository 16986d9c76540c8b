/* SPDX-License-Identifier: MIT */
/*
 * Control socket server: the socket file, connections, and request
 * dispatch (ctl/server.h).
 */
#include "ctl/server.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"
#include "util/secure.h"

/* epoll data of the listening socket; connections use ids from 1. */
#define LISTENER_ID 0

struct ctl_conn {
	int fd;        /* -1 when the slot is free */
	bool allowed;  /* SO_PEERCRED uid is 0 or the daemon's euid */
	uint64_t id;   /* unique per accepted connection: the epoll data */
	uint64_t used; /* tick of the last activity; lowest is evicted */
};

struct ctl_server {
	int listen_fd;
	int epfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;              /* identity of the socket file we created */
	ino_t ino;
	uint64_t tick;          /* source of ids and activity ticks */
	unsigned nconn;
	struct ctl_conn conns[CTL_CONN_MAX];
	uint8_t rx[CTL_MSG_MAX]; /* wiped after every request */
	uint8_t tx[CTL_MSG_MAX]; /* replies; never secret */
};

static int sun_make(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!path[0] || strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

/* Create the parent directory of |path| with mode 0700 when missing. */
static int parent_make(const char *path)
{
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	const char *dir;

	strcpy(copy, path); /* length checked by sun_make() */
	dir = dirname(copy);
	if (!stat(dir, &st))
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* 0 when nothing accepts connections on |sun|, -EADDRINUSE when something
 * does, or -errno. */
static int probe_listener(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)sun, sizeof(*sun)))
		err = -EADDRINUSE;
	else if (errno == EAGAIN || errno == EPROTOTYPE)
		err = -EADDRINUSE; /* a full backlog, or a stream listener */
	else if (errno != ECONNREFUSED)
		err = -errno;
	close(fd);
	return err;
}

/* Remove a socket file left by a server that is gone. A path that is not a
 * socket (a file, a symlink) is never removed. */
static int stale_remove(const struct sockaddr_un *sun)
{
	struct stat st;
	int err;

	if (lstat(sun->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	err = probe_listener(sun);
	if (err)
		return err;
	log_info("removing stale control socket %s", sun->sun_path);
	if (unlink(sun->sun_path) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Bind so that the file is never more open than |mode|, then set |mode|. */
static int bind_private(struct ctl_server *s, const struct sockaddr_un *sun,
			mode_t mode)
{
	mode_t old = umask(0177);
	struct stat st;
	int err = 0;

	if (bind(s->listen_fd, (const struct sockaddr *)sun, sizeof(*sun)))
		err = -errno;
	umask(old);
	if (err)
		return err;
	if (chmod(sun->sun_path, mode & 0777) || lstat(sun->sun_path, &st)) {
		err = -errno;
		unlink(sun->sun_path);
		return err;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	return 0;
}

static int epoll_add(int epfd, int fd, uint64_t id)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = id };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int listen_start(struct ctl_server *s, mode_t mode)
{
	struct sockaddr_un sun;
	int err = sun_make(&sun, s->path);

	if (!err)
		err = parent_make(s->path);
	if (!err)
		err = stale_remove(&sun);
	if (err)
		return err;
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
					       SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return -errno;
	err = bind_private(s, &sun, mode);
	if (err)
		return err;
	if (listen(s->listen_fd, CTL_CONN_MAX))
		return -errno;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return -errno;
	return epoll_add(s->epfd, s->listen_fd, LISTENER_ID);
}

int ctl_server_open(struct ctl_server **out, const char *path, mode_t mode)
{
	struct ctl_server *s;
	unsigned i;
	int err;

	*out = NULL;
	if (!path[0] || strlen(path) >= sizeof(s->path))
		return -ENAMETOOLONG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->listen_fd = -1;
	s->epfd = -1;
	for (i = 0; i < CTL_CONN_MAX; i++)
		s->conns[i].fd = -1;
	strcpy(s->path, path);
	err = listen_start(s, mode);
	if (err) {
		ctl_server_close(s);
		return err;
	}
	*out = s;
	return 0;
}

int ctl_server_fd(const struct ctl_server *s)
{
	return s->epfd;
}

unsigned ctl_server_conn_count(const struct ctl_server *s)
{
	return s->nconn;
}

static void conn_close(struct ctl_server *s, struct ctl_conn *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->id = 0;
	s->nconn--;
}

void ctl_server_close(struct ctl_server *s)
{
	struct stat st;
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < CTL_CONN_MAX; i++)
		conn_close(s, &s->conns[i]);
	if (s->listen_fd >= 0) {
		/* Remove the file only if it is still ours, not a newer
		 * server's that replaced it. */
		if (!lstat(s->path, &st) && st.st_dev == s->dev &&
		    st.st_ino == s->ino)
			unlink(s->path);
		close(s->listen_fd);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	secure_zero(s->rx, sizeof(s->rx));
	free(s);
}

/* A free slot, after closing the least recently active connection when
 * every slot is taken. */
static struct ctl_conn *slot_take(struct ctl_server *s)
{
	struct ctl_conn *lru = &s->conns[0];
	unsigned i;

	for (i = 0; i < CTL_CONN_MAX; i++) {
		if (s->conns[i].fd < 0)
			return &s->conns[i];
		if (s->conns[i].used < lru->used)
			lru = &s->conns[i];
	}
	log_warn("control socket: %u connections, closing the least recently "
		 "active", CTL_CONN_MAX);
	conn_close(s, lru);
	return lru;
}

static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    len != sizeof(cred))
		return false;
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	log_warn("control socket: refusing requests from uid %u pid %d",
		 (unsigned)cred.uid, (int)cred.pid);
	return false;
}

static void conn_add(struct ctl_server *s, int fd)
{
	struct ctl_conn *c = slot_take(s);

	c->id = ++s->tick;
	c->used = c->id;
	c->allowed = peer_allowed(fd);
	if (epoll_add(s->epfd, fd, c->id)) {
		log_warn("control socket: epoll: %s", strerror(errno));
		close(fd);
		c->id = 0;
		return;
	}
	c->fd = fd;
	s->nconn++;
}

/* Accept what is pending, at most CTL_CONN_MAX per call. On EMFILE and the
 * like the listener stays readable; the next call retries. */
static void accept_pending(struct ctl_server *s)
{
	unsigned i;
	int fd;

	for (i = 0; i < CTL_CONN_MAX; i++) {
		fd = accept4(s->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control socket: accept: %s",
					 strerror(errno));
			return;
		}
		conn_add(s, fd);
	}
}

static bool reply_has_status(struct ctl_builder *b)
{
	struct ctl_attr tb[CTL_A_END];
	struct ctl_iter it;
	struct ctl_msg m;
	int len = ctl_builder_finish(b);

	if (len < 0 || ctl_msg_parse(&m, b->buf, (size_t)len) != CTL_PARSE_OK)
		return false;
	ctl_msg_iter(&m, &it);
	return ctl_iter_index(&it, tb) && tb[CTL_A_STATUS].type;
}

/* Complete the handler's reply according to its result |ret|. */
static void reply_complete(struct ctl_builder *b, int ret)
{
	if (b->err == -EMSGSIZE) {
		ctl_reply_error(b, -EMSGSIZE, "reply larger than %d bytes",
				CTL_MSG_MAX);
	} else if (b->err || b->depth) {
		log_err("control socket: reply built wrongly (%d)", b->err);
		ctl_reply_error(b, -EIO, "internal error building the reply");
	} else if (reply_has_status(b)) {
		return;
	} else if (ret < 0) {
		ctl_reply_error(b, ret, "%s", strerror(-ret));
	} else {
		ctl_put_i32(b, CTL_A_STATUS, 0);
	}
}

/* Build the reply to the n-byte request in s->rx into s->tx. */
static int request_serve(struct ctl_server *s, const struct ctl_conn *c,
			 size_t n, ctl_handler_fn handler, void *arg)
{
	enum ctl_parse_result r = CTL_PARSE_TOO_BIG;
	struct ctl_builder b;
	struct ctl_msg req;

	if (n <= CTL_MSG_MAX)
		r = ctl_msg_parse(&req, s->rx, n);
	ctl_builder_init(&b, s->tx, sizeof(s->tx), CTL_REPLY,
			 r == CTL_PARSE_OK ? req.seq : 0);
	if (r == CTL_PARSE_TOO_BIG) {
		ctl_reply_error(&b, -EMSGSIZE, "request larger than %d bytes",
				CTL_MSG_MAX);
	} else if (r != CTL_PARSE_OK) {
		log_debug("control socket: malformed request: %s",
			  ctl_parse_reason(r));
		ctl_reply_error(&b, -EBADMSG, "malformed request: %s",
				ctl_parse_reason(r));
	} else if (!c->allowed) {
		ctl_reply_error(&b, -EPERM, "permission denied");
	} else {
		log_debug("control socket: request %s seq %u",
			  ctl_type_name(req.type), req.seq);
		reply_complete(&b, handler(arg, &req, &b));
	}
	return ctl_builder_finish(&b);
}

/* Receive and answer one request on |c|; false when |c| must be closed. */
static bool conn_serve(struct ctl_server *s, struct ctl_conn *c,
		       ctl_handler_fn handler, void *arg)
{
	ssize_t n = recv(c->fd, s->rx, sizeof(s->rx), MSG_DONTWAIT | MSG_TRUNC);
	int len;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false; /* end of file (or an empty datagram) */
	c->used = ++s->tick;
	len = request_serve(s, c, (size_t)n, handler, arg);
	secure_zero(s->rx, (size_t)n < sizeof(s->rx) ? (size_t)n
						       : sizeof(s->rx));
	if (len < 0)
		return false;
	/* The peer must have room for the whole reply now: never block. */
	return send(c->fd, s->tx, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	       len;
}

static struct ctl_conn *conn_find(struct ctl_server *s, uint64_t id)
{
	unsigned i;

	for (i = 0; i < CTL_CONN_MAX; i++)
		if (s->conns[i].fd >= 0 && s->conns[i].id == id)
			return &s->conns[i];
	return NULL;
}

int ctl_server_handle(struct ctl_server *s, ctl_handler_fn handler,
		      void *arg)
{
	struct epoll_event ev[CTL_CONN_MAX + 1];
	struct ctl_conn *c;
	int i, n;

	n = epoll_wait(s->epfd, ev, CTL_CONN_MAX + 1, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		if (ev[i].data.u64 == LISTENER_ID) {
			accept_pending(s);
			continue;
		}
		/* A connection closed earlier in this batch is not found. */
		c = conn_find(s, ev[i].data.u64);
		if (!c)
			continue;
		if (!(ev[i].events & EPOLLIN) ||
		    !conn_serve(s, c, handler, arg))
			conn_close(s, c);
	}
	return 0;
}
