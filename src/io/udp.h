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
 * Let the kernel cut what fd sends into IP fragments when it exceeds the
 * path MTU (DF clear), for IKE: a message a peer cannot take in RFC 7383
 * fragments must still leave whole. ESP sockets keep DF (udp_open). 0 or
 * -errno.
 */
int udp_allow_fragments(int fd, int family);

/*
 * Open n (1..WORKERS_MAX) sockets as udp_open() does, and with ike one
 * more, all bound to local:port in one SO_REUSEPORT group, into
 * fds[0..n + ike). When the group has more than one socket it steers each
 * datagram by the first 32-bit word of its payload — the ESP SPI (RFC 4303
 * §2.1) — to socket SPI mod n (a classic BPF program,
 * SO_ATTACH_REUSEPORT_CBPF), so one SA's packets always reach one socket;
 * the non-ESP marker (SPI 0: IKE, RFC 3948 §2.2) goes to socket n (the IKE
 * socket) with ike, else to socket 0; payloads shorter than 4 bytes (NAT
 * keepalives) go to socket 0. When the kernel refuses the program it is
 * logged and the kernel's own hash steers (by addresses and ports).
 * *steered tells which. 0, or -errno with every socket closed.
 */
int udp_open_group(const struct ip_addr *local, uint16_t port, uint32_t mark,
		   int *fds, unsigned n, bool ike, bool *steered);

/* Ask for coalesced receives (UDP_GRO): one receive may then return several
 * datagrams of one flow back to back (udp_dgram.seg). 0 or -errno
 * (-ENOPROTOOPT on kernels without it). */
int udp_enable_gro(int fd);

/* Whether the kernel takes UDP_SEGMENT (generic segmentation) on fd. */
bool udp_gso_available(int fd);

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
	uint32_t flow;        /* send: datagrams of one GSO run share it */
	uint16_t seg;         /* receive: with UDP_GRO, data holds datagrams of
			       * seg bytes back to back (the last may be
			       * shorter); 0: data is one datagram */
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

/*
 * Send d[0..n) (n <= BURST_MAX) in order like udp_send_burst(), and while
 * *gso is true with generic segmentation offload: each run of consecutive
 * datagrams with one destination and flow tag, all of one length but the
 * last (which may be shorter), within UDP_GSO_SEGS_MAX datagrams and
 * UDP_GSO_BYTES_MAX bytes, leaves in one sendmsg() with UDP_SEGMENT and
 * crosses the stack once. A run fails or succeeds as a whole (its
 * datagrams' err). When the kernel refuses segmentation itself — the run is
 * then sent datagram by datagram and succeeds — *gso is cleared and every
 * later call sends without it. Returns the number sent, or -EINVAL for a
 * bad n.
 */
int udp_send_burst_gso(int fd, struct udp_dgram *d, unsigned n, bool *gso);

/* Split a received super-datagram: the length of the datagram starting at
 * off within d (0 past the end). */
static inline uint32_t udp_dgram_next(const struct udp_dgram *d, uint32_t off)
{
	uint32_t left = off < d->len ? d->len - off : 0;

	if (!d->seg || left < d->seg)
		return left;
	return d->seg;
}

#endif
