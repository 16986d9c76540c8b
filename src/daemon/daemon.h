/* SPDX-License-Identifier: MIT */
/*
 * tunsecd: one process. The main thread serves the control socket and
 * signals; N worker threads each own one TUN queue and one UDP socket of a
 * SO_REUSEPORT group and run every burst to completion (read, segment,
 * seal, send; receive, open, coalesce, write). The main thread changes the
 * data plane only while every worker is parked between bursts
 * (daemon_park), so the packet paths take no lock but one per inbound SA.
 */
#ifndef TUNSEC_DAEMON_DAEMON_H
#define TUNSEC_DAEMON_DAEMON_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "conf/conf.h"
#include "ctl/server.h"
#include "dp/dp.h"
#include "ike/ike.h"
#include "ike/keyproc.h"
#include "io/netcfg.h"

#define DAEMON_BYPASS_MARK_XOR 0x1 /* bypass mark = fwmark ^ this */

/* What the host was configured with: kept so it can be removed. */
struct daemon_net {
	struct netcfg cfg;
	struct netcfg_sel *sels; /* owned */
	bool applied;
};

/* Data-plane switches: from the configuration, each may be turned off on
 * the command line. */
struct daemon_opts {
	unsigned workers;        /* 0: one per online CPU */
	bool tun_offload;        /* TUN super-packets (TSO in, GRO out) */
	bool udp_gso;            /* UDP_SEGMENT sends */
	bool udp_gro;            /* UDP_GRO receives */
	bool coalesce;           /* user-space GRO before the TUN write */
};

struct worker_bufs;

/* The IKE engine and what it runs on (daemon/ike.c); main thread only. */
struct daemon_ike {
	bool on;
	struct ike engine;
	struct keyproc kp;        /* holds the pre-shared and private keys */
	struct ike_x509 **certs;  /* per engine peer: ours (pubkey), or NULL */
	/* per engine peer, IKE_CHAIN_MAX each: the intermediates its file
	 * holds after ours, NULL after the last */
	struct ike_x509 **chains;
	struct ike_cert_store **cas; /* per engine peer: trusted CAs */
	unsigned ncreds;
	int fd500, fd4500, timer_fd;
	int acquire_fd;           /* eventfd: a worker found a trap peer's
				   * traffic without an SA */
	uint64_t wanted[CONF_PEERS_MAX / 64]; /* those data-plane peers */
};

/* One data-plane thread. Everything here is its own but the counters,
 * which the main thread reads while the worker is parked. */
struct worker {
	struct daemon *d;
	unsigned id;
	int tun_fd, udp_fd, ep_fd, wake_fd;
	pthread_t thread;
	bool running;
	bool udp_gso;            /* in force; cleared when the kernel refuses */
	struct dp_stats stats;
	struct worker_bufs *bufs;
};

struct daemon {
	char conf_path[PATH_MAX];
	struct conf conf;        /* in force; holds the static keys */
	struct dp dp;
	struct daemon_net net;
	int ep_fd, sig_fd;       /* the main thread's */
	unsigned tun_mtu;
	struct daemon_opts cli_off; /* true: turned off on the command line;
				     * workers != 0: set there */
	struct daemon_opts opts; /* in force */
	int cli_log_level;       /* --log-level, or -1: the configuration's */
	bool vnet;               /* in force: TUN reads and writes carry a
				  * virtio-net header (TSO in, GRO out) */
	bool tun_uso;            /* the TUN device also hands over UDP
				  * super-packets */
	bool steered;            /* the UDP group steers by SPI */
	bool tun_steered;        /* TUN queues chosen by flow (eBPF) */
	struct worker *workers;  /* nworkers of them */
	unsigned nworkers;
	/* Parking: the main thread raises park and waits for every running
	 * worker to count itself in parked. */
	pthread_mutex_t park_mu;
	pthread_cond_t park_cv;
	int park;
	unsigned parked;
	unsigned park_depth;     /* nested daemon_park() calls (main thread) */
	struct daemon_ike ike;
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

/* The switches in force for c with the command line's overrides. */
void daemon_opts_resolve(struct daemon *d);

/* worker.c */

/* Allocate the workers' buffers (fds already open). 0 or -ENOMEM. */
int workers_init(struct daemon *d);

/* Start every worker thread. 0 or -errno (those started are stopped). */
int workers_start(struct daemon *d);

/* Stop and join every worker; free their buffers. Safe to call twice. */
void workers_stop(struct daemon *d);

/* Hold every worker between bursts until daemon_unpark(): the data plane
 * may then be changed and the counters read. Main thread only; calls nest
 * (the workers go on at the outermost daemon_unpark()). */
void daemon_park(struct daemon *d);
void daemon_unpark(struct daemon *d);

/* The workers' counters summed (call parked). */
void daemon_stats_sum(const struct daemon *d, struct dp_stats *sum);

/* ike.c */

/* Whether any peer of c is IKE-managed. */
bool daemon_conf_has_ike(const struct conf *c);
/* The engine's view of c's IKE-managed peers (allocated; free()). 0,
 * -ENOMEM, or -EINVAL with the reason logged (a proposal it cannot use). */
int daemon_ike_peers(const struct conf *c, struct ike_peer_cfg **out,
		     unsigned *n);
/* Start the engine, its keys process (the configuration's pre-shared keys
 * move there and are wiped here), port 500 and the timer; fd4500 is the
 * IKE socket of the port-4500 group. 0 or -errno. */
int daemon_ike_start(struct daemon *d, int fd4500);
void daemon_ike_stop(struct daemon *d);
/* Load the certificates and CA stores of cfg[0..n)'s pubkey peers (kept
 * in d->ike, pointed at from cfg). 0 or -errno, logged. */
int daemon_ike_creds(struct daemon *d, struct ike_peer_cfg *cfg, unsigned n);
void daemon_ike_creds_free(struct daemon *d);
void daemon_ike_receive(struct daemon *d, int fd);
void daemon_ike_tick(struct daemon *d);
/* Let the data plane d->dp report traffic without an SA (start = trap);
 * again after a reload replaced it. */
void daemon_ike_hook_dp(struct daemon *d);
/* The workers reported such traffic: start those peers' IKE SAs. */
void daemon_ike_acquired(struct daemon *d);
/* A reload may change the IKE-managed peers' settings and keys, not the
 * set of them: 0, or -EINVAL with why. */
int daemon_ike_reload_check(struct daemon *d, const struct conf *next,
			    char *why, size_t cap);
/* Put next's IKE settings in force; its pre-shared keys move to the keys
 * process (next's copies wiped). */
void daemon_ike_reload_apply(struct daemon *d, struct conf *next);
/* tunsec rekey: 0, -ENOENT (no such peer or nothing established),
 * -EBUSY (an exchange in flight). */
int daemon_ike_rekey(struct daemon *d, const char *peer, bool ike_sa);
/* tunsec up/down: 0, -ENOENT (no such IKE peer), -EALREADY. */
int daemon_ike_up_down(struct daemon *d, const char *peer, bool up);

/* loop.c */
int daemon_run(struct daemon *d);

/* control.c */
int daemon_ctl_handle(void *arg, const struct ctl_msg *req,
		      struct ctl_builder *reply);

/* Re-read the configuration file and put it in force, or change nothing.
 * 0, or -errno with why (cap bytes) saying what was wrong. */
int daemon_reload(struct daemon *d, char *why, size_t cap);

#endif
