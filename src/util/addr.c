/* SPDX-License-Identifier: MIT */
#include "util/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int addr_parse(const char *s, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int prefix_parse(const char *s, struct ip_prefix *out)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, i;
	long len;
	char *end;

	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (addr_parse(buf, &out->addr))
		return -EINVAL;
	max = addr_len(out->addr.family) * 8;
	len = max;
	if (slash) {
		if (!slash[1])
			return -EINVAL;
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || len < 0 || len > (long)max)
			return -EINVAL;
	}
	out->len = (uint8_t)len;
	for (i = (unsigned)len; i < max; i++)
		out->addr.bytes[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return 0;
}

const char *addr_format(const struct ip_addr *a, char *buf)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, buf, ADDR_STRLEN))
		snprintf(buf, ADDR_STRLEN, "?");
	return buf;
}

bool prefix_contains(const struct ip_prefix *p, const struct ip_addr *a)
{
	unsigned full = p->len / 8, rem = p->len % 8;

	if (p->addr.family != a->family)
		return false;
	if (memcmp(p->addr.bytes, a->bytes, full))
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		if ((p->addr.bytes[full] ^ a->bytes[full]) & mask)
			return false;
	}
	return true;
}

bool addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, addr_len(a->family));
}
