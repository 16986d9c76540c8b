/* SPDX-License-Identifier: MIT */
#include "io/udp.h"

#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/udp.h>
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
static int udp_setup(int fd, int family, uint32_t mark, bool group,
		     const char **what)
{
	int err;

	*what = "SO_REUSEADDR";
	err = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!err && group) {
		*what = "SO_REUSEPORT";
		err = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	}
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

int udp_allow_fragments(int fd, int family)
{
	return family == AF_INET6 ? set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
					    IPV6_PMTUDISC_DONT)
				  : set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER,
					    IP_PMTUDISC_DONT);
}

static int open_one(const struct ip_addr *local, uint16_t port, uint32_t mark,
		    bool group, int *fd_out)
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
	err = udp_setup(fd, local->family, mark, group, &what);
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

int udp_open(const struct ip_addr *local, uint16_t port, uint32_t mark,
	     int *fd)
{
	return open_one(local, port, mark, false, fd);
}

/*
 * The reuseport program sees the UDP payload: A = its first word (the SPI;
 * a payload too short to load ends the program with 0); with an IKE
 * socket, the non-ESP marker (A = 0) picks socket n; otherwise A mod n.
 */
static int attach_spi_steering(int fd, unsigned n, bool ike)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, n),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	if (!ike) /* no marker branch: straight to the modulo */
		code[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 1, 0,
							0);
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
			  sizeof(prog)) ? -errno : 0;
}

int udp_open_group(const struct ip_addr *local, uint16_t port, uint32_t mark,
		   int *fds, unsigned n, bool ike, bool *steered)
{
	unsigned i, total = n + ike;
	int err = 0;

	*steered = false;
	if (!n || n > WORKERS_MAX)
		return -EINVAL;
	for (i = 0; i < total && !err; i++)
		err = open_one(local, port, mark, total > 1, &fds[i]);
	if (err) {
		while (--i > 0)
			close(fds[i - 1]);
		return err;
	}
	if (total == 1)
		return 0;
	err = attach_spi_steering(fds[0], n, ike);
	if (err)
		log_warn("udp: the kernel refused SPI steering (%s): datagrams "
			 "are spread by address and port", strerror(-err));
	*steered = !err;
	return 0;
}

int udp_enable_gro(int fd)
{
	return set_int(fd, IPPROTO_UDP, UDP_GRO, 1);
}

bool udp_gso_available(int fd)
{
	socklen_t len = sizeof(int);
	int size;

	return !getsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &size, &len);
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

/* Room for the one control message a receive can carry (UDP_GRO). */
#define RX_CMSG_SPACE CMSG_SPACE(sizeof(int))

/* Scratch for one burst: message headers, their buffers and addresses. */
struct mmsg_burst {
	struct mmsghdr m[BURST_MAX];
	struct iovec iov[BURST_MAX];
	struct sockaddr_storage ss[BURST_MAX];
	union {
		char buf[RX_CMSG_SPACE];
		struct cmsghdr align;
	} ctl[BURST_MAX];
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

/* The datagram size of a coalesced receive (UDP_GRO control message), or
 * 0 for a single datagram. */
static uint16_t gro_size(struct msghdr *mh)
{
	struct cmsghdr *c;
	int size;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != IPPROTO_UDP || c->cmsg_type != UDP_GRO ||
		    c->cmsg_len < CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&size, CMSG_DATA(c), sizeof(size));
		return size > 0 && size <= 0xffff ? (uint16_t)size : 0;
	}
	return 0;
}

int udp_recv_burst(int fd, struct udp_dgram *d, unsigned n)
{
	struct mmsg_burst b;
	unsigned i;
	int got;

	if (!n || n > BURST_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		burst_point(&b, i, d[i].data, d[i].cap, sizeof(b.ss[i]));
		b.m[i].msg_hdr.msg_control = b.ctl[i].buf;
		b.m[i].msg_hdr.msg_controllen = sizeof(b.ctl[i].buf);
	}
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
		d[i].seg = gro_size(&b.m[i].msg_hdr);
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

/* Length of the GSO run starting at d[0]: same destination and flow, one
 * size but for the last, within the segment and byte bounds. */
static unsigned gso_run(const struct udp_dgram *d, unsigned n)
{
	uint32_t size = d[0].len, bytes = size;
	unsigned i;

	for (i = 1; i < n && i < UDP_GSO_SEGS_MAX; i++) {
		if (d[i].flow != d[0].flow || d[i].port != d[0].port ||
		    !addr_equal(&d[i].addr, &d[0].addr) || d[i].len > size ||
		    bytes + d[i].len > UDP_GSO_BYTES_MAX)
			break;
		bytes += d[i].len;
		if (d[i].len < size)
			return i + 1; /* a shorter datagram ends a run */
	}
	return i;
}

/* One sendmsg() of d[0..n) cut into datagrams of d[0].len bytes. */
static int send_segmented(int fd, struct udp_dgram *d, unsigned n)
{
	struct iovec iov[UDP_GSO_SEGS_MAX];
	struct sockaddr_storage ss;
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {
		.msg_name = &ss,
		.msg_namelen = sockaddr_make(&d[0].addr, d[0].port, &ss),
		.msg_iov = iov,
		.msg_iovlen = n,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	uint16_t size = (uint16_t)d[0].len;
	unsigned i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = d[i].data;
		iov[i].iov_len = d[i].len;
	}
	c->cmsg_level = IPPROTO_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(size));
	memcpy(CMSG_DATA(c), &size, sizeof(size));
	do
		r = sendmsg(fd, &mh, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* Errors by which the kernel refuses segmentation itself rather than the
 * datagrams. */
static bool gso_refused(int err)
{
	return err == -EINVAL || err == -EIO || err == -ENOPROTOOPT ||
	       err == -EOPNOTSUPP;
}

/* Send one run; returns the number sent. */
static unsigned send_run(int fd, struct udp_dgram *d, unsigned n, bool *gso)
{
	unsigned i, sent;
	int err;

	if (n == 1)
		return (unsigned)udp_send_burst(fd, d, 1);
	err = send_segmented(fd, d, n);
	if (!err) {
		for (i = 0; i < n; i++)
			d[i].err = 0;
		return n;
	}
	if (!gso_refused(err)) {
		burst_fail(d, 0, n, err);
		return 0;
	}
	sent = (unsigned)udp_send_burst(fd, d, n);
	if (sent == n) {
		*gso = false;
		log_warn("udp: the kernel refused UDP_SEGMENT (%s): sending "
			 "datagram by datagram", strerror(-err));
	}
	return sent;
}

int udp_send_burst_gso(int fd, struct udp_dgram *d, unsigned n, bool *gso)
{
	unsigned i = 0, run, sent = 0;

	if (n > BURST_MAX)
		return -EINVAL;
	if (!*gso)
		return udp_send_burst(fd, d, n);
	while (i < n && *gso) {
		run = gso_run(&d[i], n - i);
		sent += send_run(fd, &d[i], run, gso);
		i += run;
	}
	if (i < n)
		sent += (unsigned)udp_send_burst(fd, &d[i], n - i);
	return (int)sent;
}
