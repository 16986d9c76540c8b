/* SPDX-License-Identifier: MIT */
#include "io/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dp/limits.h"
#include "util/log.h"

#define TUN_DEV_PATH "/dev/net/tun"

/* Every flag the device is created with: layer 3, no packet-information
 * header (the IP version nibble tells IPv4 from IPv6). */
static const short tun_flags = IFF_TUN | IFF_NO_PI;

static int open_flags(char *name, short flags, int *fd_out)
{
	struct ifreq ifr;
	int fd, err;

	if (strnlen(name, TUN_NAME_MAX) >= TUN_NAME_MAX) {
		log_err("tun: device name too long");
		return -EINVAL;
	}
	fd = open(TUN_DEV_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_err("tun %s: open %s: %s", name, TUN_DEV_PATH, strerror(-err));
		return err;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		log_err("tun %s: TUNSETIFF: %s", name, strerror(-err));
		close(fd);
		return err;
	}
	/* The kernel NUL-terminates ifr_name. */
	snprintf(name, TUN_NAME_MAX, "%s", ifr.ifr_name);
	*fd_out = fd;
	return 0;
}

int tun_open(char *name, int *fd_out)
{
	return open_flags(name, tun_flags, fd_out);
}

int tun_open_vnet(char *name, int *fd_out)
{
	return open_flags(name, tun_flags | IFF_VNET_HDR, fd_out);
}

int tun_open_queues(char *name, bool vnet, int *fds, unsigned n)
{
	short flags = tun_flags | (vnet ? IFF_VNET_HDR : 0) |
		      (n > 1 ? IFF_MULTI_QUEUE : 0);
	unsigned i;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = open_flags(name, flags, &fds[i]);
	if (err)
		while (--i > 0)
			close(fds[i - 1]);
	return err;
}

/* An eBPF program under construction. */
struct prog {
	struct bpf_insn code[32];
	unsigned n;
};

static unsigned emit(struct prog *p, uint8_t op, uint8_t dst, uint8_t src,
		     int16_t off, int32_t imm)
{
	p->code[p->n] = (struct bpf_insn){ .code = op, .dst_reg = dst,
					   .src_reg = src, .off = off,
					   .imm = imm };
	return p->n++;
}

/* r7 ^= the 32-bit word at offset off of the packet (classic load into
 * r0, which needs the context in r6). */
static void xor_word(struct prog *p, int32_t off)
{
	emit(p, BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, off);
	emit(p, BPF_ALU64 | BPF_XOR | BPF_X, BPF_REG_7, BPF_REG_0, 0, 0);
}

/* Point the jump at index at to the next instruction to be emitted. */
static void land(struct prog *p, unsigned at)
{
	p->code[at].off = (int16_t)(p->n - at - 1);
}

/*
 * The queue of each packet the kernel sends to the device: the flow's hash
 * (skb->hash, set for local TCP and UDP sockets), else the IP addresses
 * folded; the kernel takes it mod the number of queues. A pure function of
 * the flow, unlike the default (which follows the queue the flow's last
 * packet was written on): a flow never moves between workers, so two
 * workers' bursts never reorder it.
 */
static int steering_prog(void)
{
	struct prog p = { .n = 0 };
	union bpf_attr attr;
	unsigned has_hash, is_v6, v4_done, i;
	int fd;

	emit(&p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0);
	emit(&p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1,
	     offsetof(struct __sk_buff, hash), 0);
	has_hash = emit(&p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_7, 0, 0, 0);
	emit(&p, BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 0);
	emit(&p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_0, 0, 0, 4);
	is_v6 = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 6);
	xor_word(&p, 12); /* IPv4 source and destination */
	xor_word(&p, 16);
	v4_done = emit(&p, BPF_JMP | BPF_JA, 0, 0, 0, 0);
	land(&p, is_v6);
	for (i = 0; i < 8; i++)
		xor_word(&p, 8 + 4 * (int32_t)i); /* both IPv6 addresses */
	land(&p, v4_done);
	emit(&p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_7, 0, 0);
	land(&p, has_hash);
	emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uintptr_t)p.code;
	attr.insn_cnt = p.n;
	attr.license = (uintptr_t)"GPL";
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int tun_steer_by_flow(int fd)
{
	int prog = steering_prog(), err = 0;

	if (prog < 0)
		return prog;
	if (ioctl(fd, TUNSETSTEERINGEBPF, &prog) < 0)
		err = -errno;
	close(prog);
	return err;
}

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

int tun_set_offload(int fd, bool *uso)
{
	unsigned long off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	int hdr = 10; /* struct virtio_net_hdr */

	*uso = false;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return -errno;
	/* UDP segmentation comes as a pair: the kernel refuses USO4 alone. */
	if (!ioctl(fd, TUNSETOFFLOAD, off | TUN_F_USO4 | TUN_F_USO6)) {
		*uso = true;
		return 0;
	}
	return ioctl(fd, TUNSETOFFLOAD, off) < 0 ? -errno : 0;
}

/* Apply one SIOCSIF* request to the device through a throw-away socket. */
static int ifreq_set(const char *name, unsigned long req, struct ifreq *ifr,
		     const char *what)
{
	int fd, err = 0;

	if (strnlen(name, TUN_NAME_MAX) >= TUN_NAME_MAX)
		return -EINVAL;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		log_err("tun %s: socket: %s", name, strerror(-err));
		return err;
	}
	if (ioctl(fd, req, ifr) < 0) {
		err = -errno;
		log_err("tun %s: %s: %s", name, what, strerror(-err));
	}
	close(fd);
	return err;
}

int tun_set_mtu(const char *name, unsigned mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = (int)mtu;
	return ifreq_set(name, SIOCSIFMTU, &ifr, "set MTU");
}

/* No IPv6 link-local address on the device (addr_gen_mode 1, set before it
 * comes up): the kernel would otherwise send router solicitations and
 * multicast reports into the tunnel. IPv6 still flows through it. Best
 * effort: without IPv6 there is nothing to set. */
static void no_link_local(const char *name)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/addr_gen_mode",
		 name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1\n", 2) != 2)
		log_debug("tun %s: cannot set addr_gen_mode", name);
	close(fd);
}

int tun_set_up(const char *name)
{
	struct ifreq ifr;
	int err;

	/* The kernel drops what does not fit the device's queue while the
	 * loop is busy with the other direction: make it deep. */
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_qlen = TUN_TXQUEUE_LEN;
	err = ifreq_set(name, SIOCSIFTXQLEN, &ifr, "set queue length");
	if (err)
		return err;
	no_link_local(name);
	memset(&ifr, 0, sizeof(ifr));
	err = ifreq_set(name, SIOCGIFFLAGS, &ifr, "get flags");
	if (err)
		return err;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_set(name, SIOCSIFFLAGS, &ifr, "set up");
}

ssize_t tun_read(int fd, void *buf, size_t cap)
{
	ssize_t n = read(fd, buf, cap);

	return n < 0 ? -errno : n;
}

ssize_t tun_write(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}
