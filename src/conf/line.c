/* SPDX-License-Identifier: MIT */
/*
 * One configuration line: byte checks, comments, and the split into a
 * section header or a "key = value" setting.
 *
 * The line is copied into a local buffer of CONF_LINE_MAX + 1 bytes, which
 * may hold key hex and is wiped before returning. All positions are indices
 * checked against the line's length.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "conf/parse.h"
#include "util/secure.h"

#define KEY_NAME_MAX 32

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Length of the UTF-8 sequence starting at s[i], 0 when it is not valid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const uint8_t *s, size_t len, size_t i)
{
	uint8_t b = s[i], lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4;
	else
		return 0;
	if (len - i < n)
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (s[i + 1] < lo || s[i + 1] > hi)
		return 0;
	for (k = 2; k < n; k++)
		if (s[i + k] < 0x80 || s[i + k] > 0xbf)
			return 0;
	return n;
}

/* Refuse NUL bytes, control characters other than tab, and bytes that are
 * not UTF-8. */
static int bytes_check(struct conf_parser *p, const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (s[i] == 0)
			return conf_fail(p, p->line, "NUL byte in line "
					 "(column %zu)", i + 1);
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return conf_fail(p, p->line, "invalid character: "
					 "control byte 0x%02x (column %zu)",
					 s[i], i + 1);
		n = utf8_len(s, len, i);
		if (!n)
			return conf_fail(p, p->line, "invalid character: not "
					 "UTF-8 (column %zu)", i + 1);
		i += n;
	}
	return 0;
}

static void trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_space(s[*start]))
		(*start)++;
	while (*end > *start && is_space(s[*end - 1]))
		(*end)--;
}

/* Just past the closing quote of a quoted value ("psk = \"...\""), so
 * that a "#" inside the quotes starts no comment; start when the line has
 * no such value. */
static size_t quote_end(const char *s, size_t start, size_t end)
{
	size_t i = start;

	if (s[start] == '[')
		return start;
	while (i < end && s[i] != '=')
		i++;
	if (i < end)
		i++;
	while (i < end && is_space(s[i]))
		i++;
	if (i == end || s[i] != '"')
		return start;
	for (i++; i < end; i++)
		if (s[i] == '"')
			return i + 1;
	return start;
}

/* A "#" at the start or after a blank, but not inside a quoted value,
 * starts a comment: the new end. */
static size_t comment_cut(const char *s, size_t start, size_t end)
{
	size_t i;

	for (i = quote_end(s, start, end); i < end; i++)
		if (s[i] == '#' && (i == start || is_space(s[i - 1])))
			return i;
	return end;
}

/* "[kind]" or "[kind NAME]" in buf[start..end), end > start. */
static int header_parse(struct conf_parser *p, char *buf, size_t start,
			size_t end)
{
	char kind[16], name[CONF_NAME_MAX + 2], extra[2];
	size_t pos = start + 1;
	int kl, nl;

	if (end - start < 2 || buf[end - 1] != ']')
		return conf_fail(p, p->line, "section header must end with "
				 "\"]\"");
	end--;
	kl = conf_word_next(buf, end, &pos, kind, sizeof(kind));
	nl = kl > 0 ? conf_word_next(buf, end, &pos, name, sizeof(name)) : 0;
	if (kl <= 0)
		return conf_fail(p, p->line, "%s section name; expected "
				 "[daemon], [peer NAME] or [sa NAME]",
				 kl ? "unknown" : "empty");
	if (nl < 0)
		return conf_fail(p, p->line, "name in [%s ...] is longer than "
				 "%d characters", kind, CONF_NAME_MAX);
	if (conf_word_next(buf, end, &pos, extra, sizeof(extra)))
		return conf_fail(p, p->line, "section header has more than "
				 "two words");
	return conf_section_open(p, kind, nl ? name : NULL);
}

static bool key_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > KEY_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* "key = value" in buf[start..end); the value may be empty. */
static int setting_parse(struct conf_parser *p, char *buf, size_t start,
			 size_t end)
{
	char quoted[CONF_QUOTE_MAX];
	size_t eq = start, kend, vstart, vend = end;

	while (eq < end && buf[eq] != '=')
		eq++;
	if (eq == end)
		return conf_fail(p, p->line, "expected \"key = value\" or a "
				 "[section] header");
	kend = eq;
	trim(buf, &start, &kend);
	vstart = eq + 1;
	trim(buf, &vstart, &vend);
	buf[kend] = '\0';
	buf[vend] = '\0'; /* vend <= line length < buffer size */
	/* A short word is quoted; anything longer might be pasted key hex. */
	if (!key_name_ok(buf + start, kend - start))
		return conf_fail(p, p->line, "bad key name %s; keys are "
				 "lower-case letters, digits and \"-\"",
				 kend - start <= KEY_NAME_MAX &&
				 !memchr(buf + start, ' ', kend - start) &&
				 !memchr(buf + start, '\t', kend - start)
				 ? conf_quote(buf + start, quoted) : "");
	if (p->sec == CONF_SEC_NONE)
		return conf_fail(p, p->line, "key \"%s\" outside any section",
				 buf + start);
	return conf_setting_apply(p, buf + start, buf + vstart);
}

static int line_parse(struct conf_parser *p, char *buf, size_t len)
{
	size_t start = 0, end = len;

	trim(buf, &start, &end);
	end = comment_cut(buf, start, end);
	trim(buf, &start, &end);
	if (start == end)
		return 0;
	if (buf[start] == '[')
		return header_parse(p, buf, start, end);
	return setting_parse(p, buf, start, end);
}

int conf_line_feed(struct conf_parser *p, const char *text, size_t len)
{
	char buf[CONF_LINE_MAX + 1];
	int err;

	if (len > CONF_LINE_MAX)
		return conf_fail(p, p->line, "line is longer than %d bytes",
				 CONF_LINE_MAX);
	err = bytes_check(p, (const uint8_t *)text, len);
	if (err)
		return err;
	memcpy(buf, text, len);
	buf[len] = '\0';
	err = line_parse(p, buf, len);
	secure_zero(buf, len + 1);
	return err;
}
