/* SPDX-License-Identifier: MIT */
/* IPv4/IPv6 addresses and prefixes as plain values. */
#ifndef TUNSEC_UTIL_ADDR_H
#define TUNSEC_UTIL_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct ip_addr {
	uint8_t family;    /* AF_INET or AF_INET6; 0 = unset */
	uint8_t bytes[16]; /* network order; IPv4 uses the first 4 bytes */
};

struct ip_prefix {
	struct ip_addr addr; /* bits past len are zero */
	uint8_t len;         /* 0..32 or 0..128 */
};

#define ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

static inline unsigned addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Parse a literal IPv4 or IPv6 address. 0 or -EINVAL. */
int addr_parse(const char *s, struct ip_addr *out);

/* Parse "ADDR" or "ADDR/LEN"; host bits past LEN are cleared. 0 or -EINVAL. */
int prefix_parse(const char *s, struct ip_prefix *out);

/* Format into buf (ADDR_STRLEN bytes); returns buf. */
const char *addr_format(const struct ip_addr *a, char *buf);

/* True when a is of p's family and its first p->len bits equal p's. */
bool prefix_contains(const struct ip_prefix *p, const struct ip_addr *a);

bool addr_equal(const struct ip_addr *a, const struct ip_addr *b);

#endif
