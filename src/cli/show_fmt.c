/* SPDX-License-Identifier: MIT */
/*
 * tunsec show: reading attributes out of a validated SHOW reply, and the
 * text and JSON writers every part of the output goes through (cli/show.h).
 * Untrusted strings are printed only as well-formed UTF-8 without control
 * characters: anything else becomes '?' in text and U+FFFD in JSON, so a
 * reply cannot put terminal escapes on the screen or break the JSON.
 */
#include "cli/show.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Reading the reply --------------------------------------------- */

void show_nest_index(const struct ctl_attr *a, struct ctl_attr *tb)
{
	struct ctl_iter it;

	if (!ctl_attr_iter(a, &it) || !ctl_iter_index(&it, tb))
		memset(tb, 0, sizeof(struct ctl_attr) * CTL_A_END);
}

bool show_get_num(const struct ctl_attr *tb, enum ctl_attr_type t,
		  uint64_t *v)
{
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;
	bool ok;

	if (!tb[t].type)
		return false;
	switch (ctl_attr_kind(t)) {
	case CTL_KIND_U8:
		ok = ctl_attr_u8(&tb[t], &v8);
		*v = v8;
		return ok;
	case CTL_KIND_U16:
		ok = ctl_attr_u16(&tb[t], &v16);
		*v = v16;
		return ok;
	case CTL_KIND_U32:
		ok = ctl_attr_u32(&tb[t], &v32);
		*v = v32;
		return ok;
	case CTL_KIND_U64:
		return ctl_attr_u64(&tb[t], v);
	default:
		return false;
	}
}

const char *show_get_str(const struct ctl_attr *tb, enum ctl_attr_type t)
{
	return tb[t].type ? ctl_attr_str(&tb[t]) : NULL;
}

/* ---- Text ------------------------------------------------------------ */

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629 §4), or 0. s is
 * NUL-terminated; no byte past the first failing one is read.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t i, n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A control character: C0, DEL, or C1 (U+0080-U+009F, 0xc2 0x80-0x9f). */
static bool is_control(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

const char *show_text_clean(const char *s, char *buf)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, k;

	while (u[i]) {
		n = utf8_len(u + i);
		if (n == 0 || is_control(u + i, n)) {
			for (k = n ? n : 1; k; k--)
				buf[i++] = '?';
			continue;
		}
		memcpy(buf + i, u + i, n);
		i += n;
	}
	buf[i] = '\0';
	return buf;
}

void show_text_line(unsigned indent, const char *label, const char *fmt, ...)
{
	char lab[SHOW_LABEL_W + 2];
	va_list ap;

	snprintf(lab, sizeof(lab), "%s%s", label, label[0] ? ":" : "");
	printf("%*s%-*s ", (int)indent, "", SHOW_LABEL_W, lab);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void show_text_str(unsigned indent, const char *label,
		   const struct ctl_attr *tb, enum ctl_attr_type t)
{
	char buf[CTL_STR_MAX];
	const char *s = show_get_str(tb, t);

	if (s)
		show_text_line(indent, label, "%s", show_text_clean(s, buf));
}

void show_text_strs(unsigned indent, const char *label,
		    const struct ctl_attr *nest, enum ctl_attr_type t)
{
	struct ctl_attr a;
	struct ctl_iter it;
	char buf[CTL_STR_MAX];
	bool first = true;

	if (!ctl_attr_iter(nest, &it))
		return;
	while (ctl_iter_next(&it, &a)) {
		const char *s = ctl_attr_str(&a);

		if (a.type != t || !s)
			continue;
		show_text_line(indent, first ? label : "", "%s",
			       show_text_clean(s, buf));
		first = false;
	}
}

/* "2 days, 3 hours, 4 minutes, 5 seconds", as wg(8) shows durations. */
void show_text_duration(uint64_t secs, char *buf, size_t cap)
{
	static const struct { const char *unit; uint64_t secs; } parts[] = {
		{ "day", 86400 }, { "hour", 3600 }, { "minute", 60 },
		{ "second", 1 },
	};
	size_t i, used = 0;
	uint64_t n;

	buf[0] = '\0';
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		n = secs / parts[i].secs;
		secs %= parts[i].secs;
		if ((n || (i == 3 && used == 0)) && used < cap)
			used += (size_t)snprintf(buf + used, cap - used,
						 "%s%" PRIu64 " %s%s",
						 used ? ", " : "", n,
						 parts[i].unit, n == 1 ? "" : "s");
	}
}

/* ---- JSON (RFC 8259) -------------------------------------------------- */

/* A JSON string: quotes, backslashes and control characters escaped,
 * malformed UTF-8 replaced by U+FFFD. */
static void json_string(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	putchar('"');
	while (*u) {
		n = utf8_len(u);
		if (n == 0) {
			fputs("\\ufffd", stdout);
			u++;
		} else if (*u == '"' || *u == '\\') {
			printf("\\%c", *u++);
		} else if (*u < 0x20 || *u == 0x7f) {
			printf("\\u%04x", *u++);
		} else {
			fwrite(u, 1, n, stdout);
			u += n;
		}
	}
	putchar('"');
}

void show_json_sep(struct show_json *j, const char *key)
{
	if (j->depth) {
		fputs(j->first ? "\n" : ",\n", stdout);
		printf("%*s", (int)(2 * j->depth), "");
	}
	if (key) {
		json_string(key);
		fputs(": ", stdout);
	}
	j->first = false;
}

void show_json_open(struct show_json *j, const char *key, char c)
{
	show_json_sep(j, key);
	putchar(c);
	j->depth++;
	j->first = true;
}

void show_json_close(struct show_json *j, char c)
{
	j->depth--;
	if (!j->first)
		printf("\n%*s", (int)(2 * j->depth), "");
	putchar(c);
	j->first = false;
}

void show_json_str(struct show_json *j, const char *key, const char *s)
{
	if (!s)
		return;
	show_json_sep(j, key);
	json_string(s);
}

void show_json_num(struct show_json *j, const char *key,
		   const struct ctl_attr *tb, enum ctl_attr_type t)
{
	uint64_t v;

	if (!show_get_num(tb, t, &v))
		return;
	show_json_sep(j, key);
	printf("%" PRIu64, v);
}

void show_json_strs(struct show_json *j, const char *key,
		    const struct ctl_attr *nest, enum ctl_attr_type t)
{
	struct ctl_attr a;
	struct ctl_iter it;

	show_json_open(j, key, '[');
	if (ctl_attr_iter(nest, &it))
		while (ctl_iter_next(&it, &a))
			if (a.type == t)
				show_json_str(j, NULL, ctl_attr_str(&a));
	show_json_close(j, ']');
}
