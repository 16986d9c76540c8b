/* SPDX-License-Identifier: MIT */
#include "io/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp/limits.h"
#include "util/log.h"

/* The socket address for a:port; 0 when a has no family. */
static socklen_t sockaddr_make(const struct ip_addr *a, uint16_t port,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof(*sin);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->bytes, 16);
		return sizeof(*sin6);
	}
	return 0;
}

/* The address the kernel reported; family 0 for anything else. */
static void sockaddr_read(const struct sockaddr_storage *ss,
			  struct ip_addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		a->family = AF_INET;
		memcpy(a->bytes, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		a->family = AF_INET6;
		memcpy(a->bytes, &sin6->sin6_addr, 16);
		*port = ntohs(sin6->sin6_port);
	}
}

static int set_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) ? -errno : 0;
}

/* Socket buffers of UDP_SOCKET_BUFFER bytes each way, beyond the system
 * limit where allowed (CAP_NET_ADMIN): a burst of a fast sender must not
 * overflow the default ~200 KiB while the loop serves the other side. Best
 * effort: failing leaves the defaults. */
static void set_buffers(int fd)
{
	if (set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, UDP_SOCKET_BUFFER))
		set_int(fd, SOL_SOCKET, SO_RCVBUF, UDP_SOCKET_BUFFER);
	if (set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, UDP_SOCKET_BUFFER))
		set_int(fd, SOL_SOCKET, SO_SNDBUF, UDP_SOCKET_BUFFER);
}

/*
 * Options set before bind; the error names what failed in *what.
 *
 * Path MTU: in transport mode the peer's underlay address is also the
 * destination of the protected traffic, so the kernel's path-MTU entry for
 * it takes the TUN device's smaller MTU as soon as a protected packet is too
 * big for TUN. ESP datagrams must not inherit it (they would leave as IP
 * fragments): the socket sends with DF set and sizes datagrams by the
 * interface MTU (IP_PMTUDISC_PROBE); the TUN MTU already leaves room for
 * ESP within the underlay MTU.
 */
static int udp_setup(int fd, int family, uint32_t mark, const char **what)
{
	int err;

	*what = "SO_REUSEADDR";
	err = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!err && family == AF_INET6) {
		*what = "IPV6_V6ONLY";
		err = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	}
	if (!err && mark) {
		*what = "SO_MARK";
		err = setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) ?
			      -errno : 0;
	}
	if (!err) {
		*what = "path MTU discovery mode";
		err = family == AF_INET6 ? set_int(fd, IPPROTO_IPV6,
						   IPV6_MTU_DISCOVER,
						   IPV6_PMTUDISC_PROBE)
					 : set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER,
						   IP_PMTUDISC_PROBE);
	}
	if (!err)
		set_buffers(fd);
	return err;
}

int udp_open(const struct ip_addr *local, uint16_t port, uint32_t mark,
	     int *fd_out)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_make(local, port, &ss);
	char abuf[ADDR_STRLEN];
	const char *what = "socket";
	int fd, err;

	if (!sl) {
		log_err("udp: local address without a family");
		return -EINVAL;
	}
	fd = socket(local->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	err = udp_setup(fd, local->family, mark, &what);
	if (!err) {
		what = "bind";
		err = bind(fd, (struct sockaddr *)&ss, sl) ? -errno : 0;
	}
	if (err) {
		close(fd);
		goto fail;
	}
	*fd_out = fd;
	return 0;
fail:
	log_err("udp %s port %u: %s: %s", addr_format(local, abuf), port, what,
		strerror(-err));
	return err;
}

ssize_t udp_recv(int fd, void *buf, size_t cap, struct ip_addr *from,
		 uint16_t *from_port)
{
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = {
		.msg_name = &ss,
		.msg_namelen = sizeof(ss),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	sockaddr_read(&ss, from, from_port);
	return n;
}

ssize_t udp_send(int fd, const void *buf, size_t len,
		 const struct ip_addr *to, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_make(to, port, &ss);
	ssize_t n;

	if (!sl)
		return -EINVAL;
	n = sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
	return n < 0 ? -errno : n;
}

/* Scratch for one burst: message headers, their buffers and addresses. */
struct mmsg_burst {
	struct mmsghdr m[BURST_MAX];
	struct iovec iov[BURST_MAX];
	struct sockaddr_storage ss[BURST_MAX];
};

static void burst_point(struct mmsg_burst *b, unsigned i, void *data,
			size_t len, socklen_t namelen)
{
	b->iov[i].iov_base = data;
	b->iov[i].iov_len = len;
	memset(&b->m[i], 0, sizeof(b->m[i]));
	b->m[i].msg_hdr.msg_name = &b->ss[i];
	b->m[i].msg_hdr.msg_namelen = namelen;
	b->m[i].msg_hdr.msg_iov = &b->iov[i];
	b->m[i].msg_hdr.msg_iovlen = 1;
}

int udp_recv_burst(int fd, struct udp_dgram *d, unsigned n)
{
	struct mmsg_burst b;
	unsigned i;
	int got;

	if (!n || n > BURST_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		burst_point(&b, i, d[i].data, d[i].cap, sizeof(b.ss[i]));
	do
		got = recvmmsg(fd, b.m, n, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	for (i = 0; i < (unsigned)got; i++) {
		const struct msghdr *mh = &b.m[i].msg_hdr;

		d[i].len = b.m[i].msg_len;
		d[i].trunc = (mh->msg_flags & MSG_TRUNC) != 0;
		d[i].err = 0;
		sockaddr_read(&b.ss[i], &d[i].addr, &d[i].port);
	}
	return got;
}

/* Mark d[from..n) as failed with err. */
static void burst_fail(struct udp_dgram *d, unsigned from, unsigned n, int err)
{
	for (; from < n; from++)
		d[from].err = err;
}

int udp_send_burst(int fd, struct udp_dgram *d, unsigned n)
{
	struct mmsg_burst b;
	unsigned i, sent = 0;
	int r;

	if (n > BURST_MAX)
		return -EINVAL;
	/* A datagram without a destination family gets a zero-length name,
	 * which the kernel refuses for it alone (-EDESTADDRREQ). */
	for (i = 0; i < n; i++) {
		burst_point(&b, i, d[i].data, d[i].len,
			    sockaddr_make(&d[i].addr, d[i].port, &b.ss[i]));
		d[i].err = 0;
	}
	for (i = 0; i < n;) {
		r = sendmmsg(fd, &b.m[i], n - i, MSG_DONTWAIT);
		if (r >= 0) {
			if (!r)
				break; /* not reached: n - i >= 1 */
			i += (unsigned)r;
			sent += (unsigned)r;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			burst_fail(d, i, n, -EAGAIN);
			break;
		} else if (errno != EINTR) {
			d[i++].err = -errno;
		}
	}
	return (int)sent;
}
