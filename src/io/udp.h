/* SPDX-License-Identifier: MIT */
/*
 * The daemon's UDP socket (ESP in UDP, RFC 3948): one datagram is one ESP
 * packet without its outer IP and UDP headers.
 *
 * The socket carries a firewall mark (SO_MARK) so the host's policy routing
 * never steers the daemon's own datagrams back into the TUN device, even
 * when a protected selector covers all traffic to the peer. Sockets are
 * non-blocking and close-on-exec; an IPv6 socket is IPv6-only. Link-local
 * peers (which need a scope id) are not supported.
 *
 * Send and receive functions do not log (they are on the packet path) and
 * pass the kernel's errors through as -errno, -EAGAIN included.
 */
#ifndef TUNSEC_IO_UDP_H
#define TUNSEC_IO_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/addr.h"

/*
 * Open a UDP socket bound to local:port with SO_REUSEADDR and SO_MARK =
 * mark (0: leave the socket unmarked). local must be an address of either
 * family (the unspecified address binds to all). Setting the mark needs
 * CAP_NET_ADMIN: its failure fails the call. 0 and the descriptor in *fd, or -errno (logged).
 */
int udp_open(const struct ip_addr *local, uint16_t port, uint32_t mark,
	     int *fd);

/*
 * Receive one datagram into buf: its length, with the sender in *from and
 * *from_port; -EMSGSIZE when it was longer than cap (the datagram is
 * consumed and must be dropped); else -errno (-EAGAIN when none waits).
 */
ssize_t udp_recv(int fd, void *buf, size_t cap, struct ip_addr *from,
		 uint16_t *from_port);

/* Send len bytes to to:port: len, or -errno (-EAGAIN when the socket
 * buffer is full; -EINVAL for a destination without a family; the kernel's
 * error for one of the other family). */
ssize_t udp_send(int fd, const void *buf, size_t len,
		 const struct ip_addr *to, uint16_t port);

/* One datagram of a burst. */
struct udp_dgram {
	uint8_t *data;        /* receive: storage of cap bytes; send: payload */
	uint32_t cap;         /* receive: bytes of storage at data */
	uint32_t len;         /* receive: bytes received; send: bytes to send */
	struct ip_addr addr;  /* receive: the sender; send: the destination */
	uint16_t port;
	bool trunc;           /* receive: longer than cap, cut: drop it */
	int err;              /* send: 0, or -errno when it was not sent */
};

/*
 * Receive up to n (1..BURST_MAX) datagrams with one recvmmsg() call without
 * waiting for more than are queued. Fills d[0..ret) and returns their
 * number (>= 1), or -errno (-EAGAIN when none waits, -EINVAL for a bad n).
 */
int udp_recv_burst(int fd, struct udp_dgram *d, unsigned n);

/*
 * Send d[0..n) (n <= BURST_MAX) with sendmmsg(), in order, and set each
 * d[i].err. A datagram the kernel refuses is skipped and the rest are still
 * sent, except after -EAGAIN: then the socket buffer is full and every
 * later datagram gets -EAGAIN too. Returns the number sent, or -EINVAL for
 * a bad n.
 */
int udp_send_burst(int fd, struct udp_dgram *d, unsigned n);

#endif
