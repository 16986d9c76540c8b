/* SPDX-License-Identifier: MIT */
/*
 * Host network configuration for the daemon: the nftables table, policy
 * routing rules and routes that steer protected traffic into the TUN device
 * and drop protected traffic that arrives, or would leave, in the clear.
 *
 * Transport mode (a selector's packets keep their addresses):
 *   nft table inet tunsec_<tun>, chain out (route hook, output): packets of
 *   the daemon's own socket (meta mark == bypass_mark) and loopback traffic
 *   return untouched; packets matching a selector local->remote get
 *   meta mark fwmark, which makes the kernel route them again;
 *   ip rule fwmark <fwmark> lookup <table> priority <rule_priority>;
 *   ip route default dev <tun> table <table>.
 * Tunnel mode (overlay subnets): ip route <remote prefix> dev <tun> in the
 *   main table.
 * Outbound, both modes: chain post (filter hook, postrouting) drops and
 *   counts packets matching a selector that leave through any other device
 *   than the TUN device, loopback excepted, unless they carry bypass_mark.
 *   So protected traffic is blocked, never sent in the clear, whenever the
 *   rule or the routes are missing: while netcfg_apply() rebuilds them,
 *   and after a crash (the TUN device and its routes are gone, the table
 *   stays) until the next netcfg_apply() or netcfg_remove().
 * Inbound, both modes: chain in (filter hook, input) accepts what comes
 *   through the TUN device, loopback, and the daemon's UDP port, then counts
 *   and drops packets matching a selector reversed (remote->local). For
 *   tunnel-mode selectors chain forward (filter hook, forward) does the same
 *   for forwarded packets.
 * With IPv6 selectors, neighbour discovery (RFC 4861 RS, RA, NS, NA) is
 *   exempt everywhere: it must cross the link in the clear, or addresses of
 *   the peer stop resolving and nothing, ESP included, reaches it.
 * Receive path: a decrypted transport-mode packet comes out of the TUN
 *   device from the peer's address, which is routed via the underlay, on a
 *   device without an IPv4 address, so the kernel's reverse-path filter
 *   (strict, and loose as well on an address-less device) would drop it.
 *   Chain pre (filter hook, prerouting) gives what arrives on the TUN device
 *   matching a transport selector reversed the mark fwmark, and
 *   net.ipv4.conf.<tun>.src_valid_mark = 1 makes the reverse-path lookup
 *   use that mark: it finds the TUN route in <table> and passes whatever
 *   rp_filter says. Also on the device: rp_filter = 2 (loose) and
 *   accept_local = 1 (packets from one of our own addresses). The mark does
 *   not change local delivery (the local table is looked up first).
 *
 * Everything installed is found again from the TUN name, fwmark and table
 * number alone, so a later run cleans up after one that crashed. Blocking
 * (runs ip and nft); not for the packet path; not thread-safe against
 * another run on the same configuration.
 */
#ifndef TUNSEC_IO_NETCFG_H
#define TUNSEC_IO_NETCFG_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"

/* Priority of the fwmark rule unless the configuration says otherwise. */
#define NETCFG_RULE_PRIORITY 1000

enum netcfg_mode { NETCFG_TRANSPORT, NETCFG_TUNNEL };

/*
 * Traffic that must cross only as ESP, seen from this host (local is here,
 * remote is the peer's side). A prefix of length 0 matches every address of
 * the family (a wildcard); otherwise its family must be the selector's.
 * Port ranges are inclusive; 0..65535 matches any port. Ports other than
 * "any" need a protocol with ports (TCP, UDP, SCTP, DCCP, UDP-Lite).
 * Tunnel mode needs a remote prefix (it becomes a route).
 */
struct netcfg_sel {
	uint8_t family;            /* AF_INET or AF_INET6 */
	struct ip_prefix local;
	struct ip_prefix remote;
	uint8_t proto;             /* IP protocol number; 0: any */
	uint16_t lport_lo, lport_hi;
	uint16_t rport_lo, rport_hi;
	enum netcfg_mode mode;
};

struct netcfg {
	char tun[IFNAMSIZ];        /* letters, digits, '_', '.', '-' */
	uint32_t table;            /* routing table: 1..252 or > 255 */
	uint32_t fwmark;           /* steers into TUN; non-zero */
	uint32_t bypass_mark;      /* the UDP socket's SO_MARK; non-zero,
				    * differs from fwmark */
	uint32_t rule_priority;    /* 0: NETCFG_RULE_PRIORITY */
	struct ip_addr local;      /* the daemon's underlay address (the
				    * unspecified address: all) */
	uint16_t port;             /* the daemon's UDP port */
	uint16_t tun_mtu;          /* TCP SYNs steered into TUN get their
				    * MSS lowered to fit it; 0: no clamp */
	const struct netcfg_sel *sels; /* not owned */
	size_t nsels;
};

/* 0, or -EINVAL with the reason logged. */
int netcfg_validate(const struct netcfg *c);

/*
 * Render the nftables ruleset for `nft -f -` into buf: the table is first
 * declared and deleted, then declared in full, so applying the text
 * replaces any previous table in one transaction. Returns the text's length
 * (buf NUL-terminated), -EINVAL for an invalid configuration (logged), or
 * -ENOSPC when it does not fit in cap bytes (buf then holds "").
 */
int netcfg_render_nft(const struct netcfg *c, char *buf, size_t cap);

/*
 * Install the configuration, or replace the one installed before with the
 * same TUN name, fwmark and table (a restart after a crash, a reload).
 * Rules and routes of the earlier run are removed first while its nft table
 * stays and blocks protected traffic; routes and rules go in next, and the
 * new table last, replacing the old one in one nft transaction. On failure
 * everything is removed (netcfg_remove()). The TUN device must exist.
 * 0, -EINVAL (invalid, nothing done), -EIO (a command failed; logged with
 * its output) or -errno.
 */
int netcfg_apply(const struct netcfg *c);

/*
 * Remove everything netcfg_apply() may have installed for c: the nft
 * table first (nothing is marked or blocked any more), then the fwmark
 * rules of both families, the default routes in the table, and every route
 * through the TUN device in the main table that the kernel did not add
 * itself (tunnel routes of selectors an earlier configuration had too).
 * Items already absent, or gone with the TUN device, are not errors. Every
 * step is tried; returns 0, or the first failure (-EIO or -errno, logged).
 */
int netcfg_remove(const struct netcfg *c);

/*
 * Worst-case bytes ESP in UDP adds to an inner packet: UDP header (8), ESP
 * header (8), IV, padding to a 4-byte boundary (at most 3), pad length and
 * next header (2), ICV; tunnel mode also adds the outer IP header (IPv4 20,
 * IPv6 40, by outer_family). Transport mode reuses the packet's own header.
 */
unsigned netcfg_esp_overhead(enum netcfg_mode mode, int outer_family,
			     unsigned iv_len, unsigned icv_len);

/*
 * The TUN MTU for an underlay MTU: underlay_mtu minus
 * netcfg_esp_overhead(), so any packet the TUN device accepts fits the
 * underlay once encapsulated. -EINVAL when underlay_mtu exceeds 65535 or
 * the result would be below 68 (the IPv4 minimum, RFC 791). A result below
 * 1280 leaves the device without IPv6 (RFC 8200 §5): callers with IPv6
 * selectors check for it.
 */
int netcfg_tun_mtu(unsigned underlay_mtu, enum netcfg_mode mode,
		   int outer_family, unsigned iv_len, unsigned icv_len);

#endif
