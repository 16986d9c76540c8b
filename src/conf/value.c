/* SPDX-License-Identifier: MIT */
/*
 * Single values of the configuration: numbers, ports, addresses, names,
 * words from a list and yes/no. Values given here are never key material,
 * so errors may quote them (cut to CONF_QUOTE_MAX).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/parse.h"

/* Quoted values are cut after this many bytes, at a character boundary. */
#define QUOTE_BYTES (CONF_QUOTE_MAX - 6)

const char *conf_quote(const char *s, char *buf)
{
	size_t n = strnlen(s, QUOTE_BYTES + 1);
	bool cut = n > QUOTE_BYTES;

	if (cut) {
		n = QUOTE_BYTES;
		/* Do not split a UTF-8 sequence: back up over continuations. */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(buf, CONF_QUOTE_MAX, "\"%.*s%s\"", (int)n, s,
		 cut ? "..." : "");
	return buf;
}

int conf_word_next(const char *s, size_t len, size_t *pos, char *word,
		   size_t size)
{
	size_t i = *pos, start, n;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	start = i;
	while (i < len && s[i] != ' ' && s[i] != '\t')
		i++;
	*pos = i;
	n = i - start;
	if (n >= size) {
		memcpy(word, s + start, size - 1);
		word[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(word, s + start, n);
	word[n] = '\0';
	return (int)n;
}

static int digit(char ch, unsigned base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (base == 16 && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (base == 16 && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decimal, or hex after "0x": digits only, no sign, no blanks. Values past
 * 2^32 saturate (they are out of range for every caller). */
int conf_number(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned base = 10;
	uint64_t n = 0;
	size_t i = 0;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (!v[i])
		return -EINVAL;
	for (; v[i]; i++) {
		int d = digit(v[i], base);

		if (d < 0)
			return -EINVAL;
		n = n * base + (unsigned)d;
		if (n > UINT32_MAX)
			n = (uint64_t)UINT32_MAX + 1;
	}
	if (n < min || n > max)
		return -ERANGE;
	*out = (uint32_t)n;
	return 0;
}

int conf_value_u32(struct conf_parser *p, const char *key, const char *v,
		   uint32_t min, uint32_t max, uint32_t *out)
{
	char q[CONF_QUOTE_MAX];
	int err = conf_number(v, min, max, out);

	if (err == -EINVAL)
		return conf_fail(p, p->line, "%s: %s is not a number", key,
				 conf_quote(v, q));
	if (err)
		return conf_fail(p, p->line, "%s: %s is out of range (%u..%u)",
				 key, conf_quote(v, q), min, max);
	return 0;
}

int conf_value_port(struct conf_parser *p, const char *key, const char *v,
		    uint16_t *out)
{
	uint32_t n;
	int err = conf_value_u32(p, key, v, 1, 65535, &n);

	if (!err)
		*out = (uint16_t)n;
	return err;
}

static bool addr_unicast(const struct ip_addr *a)
{
	static const uint8_t zero[16];

	if (!memcmp(a->bytes, zero, addr_len(a->family)))
		return false;
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xf0) != 0xe0 && a->bytes[0] != 0xff;
	return a->bytes[0] != 0xff;
}

int conf_value_addr(struct conf_parser *p, const char *key, const char *v,
		    struct ip_addr *out)
{
	char q[CONF_QUOTE_MAX];

	if (addr_parse(v, out))
		return conf_fail(p, p->line, "%s: %s is not an IPv4 or IPv6 "
				 "address", key, conf_quote(v, q));
	if (!addr_unicast(out))
		return conf_fail(p, p->line, "%s: %s is not a unicast address",
				 key, conf_quote(v, q));
	return 0;
}

bool conf_name_ok(const char *s, size_t max)
{
	size_t i, n = strnlen(s, max + 1);

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

int conf_value_name(struct conf_parser *p, const char *what, const char *v,
		    char *out)
{
	char q[CONF_QUOTE_MAX];

	if (!conf_name_ok(v, CONF_NAME_MAX))
		return conf_fail(p, p->line, "%s %s must be 1-%d characters "
				 "of A-Z a-z 0-9 . _ -", what,
				 conf_quote(v, q), CONF_NAME_MAX);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

int conf_value_word(struct conf_parser *p, const char *key, const char *v,
		    const char *const *words, unsigned n, unsigned *out)
{
	char q[CONF_QUOTE_MAX], list[128];
	size_t used = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!strcmp(v, words[i])) {
			*out = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (i = 0; i < n && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? (i + 1 == n ? " or " : ", ") : "",
				 words[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return conf_fail(p, p->line, "%s: %s is not %s", key,
			 conf_quote(v, q), list);
}

int conf_value_bool(struct conf_parser *p, const char *key, const char *v,
		    bool *out)
{
	static const char *const words[] = { "no", "yes" };
	unsigned i;
	int err = conf_value_word(p, key, v, words, 2, &i);

	if (!err)
		*out = i == 1;
	return err;
}

/* Leading decimal digits of v into *n (UINT64_MAX when too large); the
 * number of digits, 0 when there are none. */
static size_t digits_read(const char *v, uint64_t *n)
{
	size_t i;

	*n = 0;
	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++) {
		if (*n > (UINT64_MAX - 9) / 10)
			*n = UINT64_MAX;
		else
			*n = *n * 10 + (uint64_t)(v[i] - '0');
	}
	return i;
}

static const struct {
	const char *name;
	uint64_t ms;
} duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	{ "d", 86400000 }, { "", 1000 },
};

/* The duration ms as a short text: the largest unit that divides it. */
static const char *duration_text(uint64_t ms, char *buf, size_t size)
{
	unsigned i = ms ? 4 : 1; /* 0 is "0s" */

	while (i > 0 && ms % duration_units[i].ms)
		i--;
	snprintf(buf, size, "%llu%s",
		 (unsigned long long)(ms / duration_units[i].ms),
		 duration_units[i].name);
	return buf;
}

static int duration_parse(const char *v, uint64_t *ms)
{
	uint64_t n;
	size_t nd = digits_read(v, &n);
	unsigned i;

	if (!nd)
		return -EINVAL;
	for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
		if (!strcmp(v + nd, duration_units[i].name))
			break;
	if (i == sizeof(duration_units) / sizeof(duration_units[0]))
		return -EINVAL;
	*ms = n > UINT64_MAX / duration_units[i].ms ? UINT64_MAX
						    : n * duration_units[i].ms;
	return 0;
}

int conf_value_duration_ms(struct conf_parser *p, const char *key,
			   const char *v, uint64_t min_ms, uint64_t max_ms,
			   uint64_t *out_ms)
{
	char q[CONF_QUOTE_MAX], lo[24], hi[24];

	if (duration_parse(v, out_ms))
		return conf_fail(p, p->line, "%s: %s is not a duration (a "
				 "number with ms, s, m, h or d)", key,
				 conf_quote(v, q));
	if (*out_ms < min_ms || *out_ms > max_ms)
		return conf_fail(p, p->line, "%s: %s is out of range (%s..%s)",
				 key, conf_quote(v, q),
				 duration_text(min_ms, lo, sizeof(lo)),
				 duration_text(max_ms, hi, sizeof(hi)));
	return 0;
}

int conf_value_duration(struct conf_parser *p, const char *key, const char *v,
			uint32_t min, uint32_t max, uint32_t *out)
{
	char q[CONF_QUOTE_MAX];
	uint64_t ms;
	int err = conf_value_duration_ms(p, key, v, (uint64_t)min * 1000,
					 (uint64_t)max * 1000, &ms);

	if (err)
		return err;
	if (ms % 1000)
		return conf_fail(p, p->line, "%s: %s is not a whole number of "
				 "seconds", key, conf_quote(v, q));
	*out = (uint32_t)(ms / 1000);
	return 0;
}

int conf_value_count(struct conf_parser *p, const char *key, const char *v,
		     uint64_t *out)
{
	static const char suffixes[] = "KMG";
	char q[CONF_QUOTE_MAX];
	const char *s;
	uint64_t n;
	size_t nd = digits_read(v, &n);
	unsigned shift = 0;

	if (nd && v[nd] && !v[nd + 1] && (s = strchr(suffixes, v[nd])))
		shift = 10 * (unsigned)(s - suffixes + 1);
	if (!nd || (v[nd] && !shift))
		return conf_fail(p, p->line, "%s: %s is not a number (digits "
				 "with an optional K, M or G)", key,
				 conf_quote(v, q));
	if (n > (UINT64_MAX >> 1) >> shift)
		return conf_fail(p, p->line, "%s: %s is out of range (at most "
				 "2^63 - 1)", key, conf_quote(v, q));
	*out = n << shift;
	return 0;
}
