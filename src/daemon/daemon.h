/* SPDX-License-Identifier: MIT */
/*
 * tunsecd: one process, one thread, one epoll loop over the TUN device, the
 * ESP-in-UDP socket, the control socket and a signalfd. The loop owns every
 * structure here; SAs change only between packets.
 */
#ifndef TUNSEC_DAEMON_DAEMON_H
#define TUNSEC_DAEMON_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <time.h>

#include "conf/conf.h"
#include "ctl/server.h"
#include "dp/dp.h"
#include "io/netcfg.h"

#define DAEMON_BYPASS_MARK_XOR 0x1 /* bypass mark = fwmark ^ this */

/* What the host was configured with: kept so it can be removed. */
struct daemon_net {
	struct netcfg cfg;
	struct netcfg_sel *sels; /* owned */
	bool applied;
};

struct daemon {
	char conf_path[PATH_MAX];
	struct conf conf;        /* in force; holds the static keys */
	struct dp dp;
	struct daemon_net net;
	int tun_fd, udp_fd, ep_fd, sig_fd;
	unsigned tun_mtu;
	bool offload;            /* asked for: TUN segmentation offloads */
	bool vnet;               /* in force: TUN reads and writes carry a
				  * virtio-net header (TSO in, GRO out) */
	struct ctl_server *ctl;
	time_t started;
	bool stop;
};

/* setup.c */

/* Build a data plane from c: peers, policies and SAs. 0 or -errno with the
 * reason logged. */
int daemon_build_dp(const struct conf *c, struct dp *dp);

/* Describe the host configuration c needs; sels is allocated. */
int daemon_build_net(const struct conf *c, struct daemon_net *net);

/* The TUN MTU for c: the underlay MTU less the largest ESP overhead any of
 * its peers can need. */
unsigned daemon_tun_mtu(const struct conf *c);

/* Open devices and sockets, configure the host, start the control socket.
 * On failure everything done so far is undone. */
int daemon_start(struct daemon *d);

/* Undo daemon_start: host configuration removed, sockets closed. */
void daemon_stop(struct daemon *d);

/* Carry sequence numbers, replay windows and counters of SAs whose
 * configuration (direction, SPI, cipher, key, ...) is the same in both, so a
 * reload neither reuses a nonce nor forgets what was received. */
void daemon_carry_sa_state(struct dp *to, const struct conf *to_conf,
			   const struct dp *from, const struct conf *from_conf);

/* loop.c */
int daemon_run(struct daemon *d);

/* control.c */
int daemon_ctl_handle(void *arg, const struct ctl_msg *req,
		      struct ctl_builder *reply);

/* Re-read the configuration file and put it in force, or change nothing.
 * 0, or -errno with why (cap bytes) saying what was wrong. */
int daemon_reload(struct daemon *d, char *why, size_t cap);

#endif
