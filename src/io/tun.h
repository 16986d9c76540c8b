/* SPDX-License-Identifier: MIT */
/*
 * The TUN device: layer-3 packets between the kernel and the daemon, one IP
 * packet per read or write, without a packet-information header.
 *
 * The device lives as long as its descriptor (it is not made persistent), so
 * a daemon that dies takes its TUN device, and the routes through it, with
 * it. Descriptors are non-blocking and close-on-exec. Functions return 0 or
 * -errno and log an error naming the device when the kernel refuses; the
 * read/write wrappers do not log (they are on the packet path).
 */
#ifndef TUNSEC_IO_TUN_H
#define TUNSEC_IO_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes of a device name buffer, including the NUL (IFNAMSIZ). */
#define TUN_NAME_MAX IFNAMSIZ

/*
 * Create (or attach to) the TUN device called name, which may be a pattern
 * such as "tun%d" or "" for the kernel's choice. name must hold TUN_NAME_MAX
 * bytes; on success it holds the device's actual name and *fd_out its
 * descriptor (the caller closes it). -EINVAL for a name too long, else the
 * kernel's error (-EPERM without CAP_NET_ADMIN, -EBUSY when the device is
 * already attached).
 */
int tun_open(char *name, int *fd_out);

/*
 * Open n (>= 1) queues of the device called name, as tun_open (vnet: with
 * IFF_VNET_HDR). With n > 1 the device is multi-queue (IFF_MULTI_QUEUE):
 * the kernel spreads the packets it sends by flow, each flow to one queue.
 * On success fds[0..n) hold the queues; on failure none is left open.
 */
int tun_open_queues(char *name, bool vnet, int *fds, unsigned n);

/*
 * Spread the packets the kernel sends to a multi-queue device by flow, each
 * flow always to one queue (an eBPF steering program, TUNSETSTEERINGEBPF):
 * the flow's hash, else its IP addresses. 0, or -errno when the kernel
 * refuses (the device then keeps its default, which may move a flow).
 */
int tun_steer_by_flow(int fd);

/*
 * Ask an open device to hand over and take large packets with a virtio-net
 * header (struct virtio_net_hdr, dp/vnet.h) in front of every packet:
 * IFF_VNET_HDR must have been set (tun_open_vnet) and the offloads
 * TUN_F_CSUM, TUN_F_TSO4 and TUN_F_TSO6 are enabled with TUNSETOFFLOAD,
 * with UDP segmentation (TUN_F_USO4|TUN_F_USO6) too where the kernel takes
 * it (*uso). 0, or -errno when the kernel refuses (logged once by the
 * caller).
 */
int tun_set_offload(int fd, bool *uso);

/* As tun_open, with IFF_VNET_HDR: every read and write then carries the
 * ten-byte virtio-net header first. */
int tun_open_vnet(char *name, int *fd_out);

/* Set the device's MTU (SIOCSIFMTU). 0 or -errno. */
int tun_set_mtu(const char *name, unsigned mtu);

/* Give the device a TUN_TXQUEUE_LEN-packet queue, no IPv6 link-local
 * address, and bring it up (SIOCSIFTXQLEN, addr_gen_mode 1, SIOCSIFFLAGS
 * with IFF_UP). 0 or -errno. */
int tun_set_up(const char *name);

/* Read one packet into buf: its length, or -errno (-EAGAIN when there is
 * none). A packet longer than cap is truncated by the kernel; callers pass
 * cap >= the device MTU. */
ssize_t tun_read(int fd, void *buf, size_t cap);

/* Write one IP packet: len, or -errno (-EINVAL for a malformed packet,
 * -EAGAIN when the device queue is full). */
ssize_t tun_write(int fd, const void *buf, size_t len);

#endif
