/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 messages built by an independent implementation, scapy's
 * scapy.contrib.ikev2 (test/vectors/ike-msg/scapy.txt, written by
 * test/vectors/ike-msg/gen_scapy.py): each is parsed, every payload
 * decoded and rendered, and the rendering compared with the values scapy
 * was given; then the message is built again with tunsec's writer from the
 * decoded values and must come out byte for byte as scapy built it
 * (messages with an encrypted or unknown payload, or a minor version other
 * than 0, excepted: the writer has no call for them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/msg.h"
#include "ike_util.h"
#include "test.h"

#define VEC_FILE "/test/vectors/ike-msg/scapy.txt"
#define LINE_MAX_LEN 4096
#define MSG_MAX 4096

static const char *const result_names[IKE_PARSE_COUNT] = {
#define RESULT_NAME(n, s) #n,
	IKE_PARSE_RESULTS(RESULT_NAME)
#undef RESULT_NAME
};

struct vcase {
	char name[128];
	char result[64];
	char msg_hex[2 * MSG_MAX + 1];
	struct iu_text expect;
	int line;
	bool open;
	bool in_msg;          /* continuation lines extend msg */
};

static void case_reset(struct vcase *c)
{
	c->name[0] = c->result[0] = c->msg_hex[0] = 0;
	iu_text_init(&c->expect);
	c->open = c->in_msg = false;
}

/* "CRITICAL 200" -> result CRITICAL, *arg 200. */
static int result_of(const char *s, unsigned *arg)
{
	int i;

	*arg = 0;
	for (i = 0; i < IKE_PARSE_COUNT; i++) {
		size_t n = strlen(result_names[i]);

		if (!strncmp(s, result_names[i], n) &&
		    (s[n] == 0 || s[n] == ' ')) {
			if (s[n])
				*arg = (unsigned)strtoul(s + n, NULL, 10);
			return i;
		}
	}
	return -1;
}

static void check_rebuild(const struct vcase *c, const struct ike_msg *m)
{
	static uint8_t out[MSG_MAX];
	int n;

	if (m->chain.sk >= 0 || m->chain.skipped ||
	    m->hdr.version != IKE_VERSION)
		return;
	n = iu_rebuild(m, out, sizeof(out));
	if (n != (int)m->len || memcmp(out, m->buf, m->len))
		test_fail(__FILE__, c->line, "%s: rebuilt message differs (%d)",
			  c->name, n);
}

static void run_case(const struct vcase *c, int *cases)
{
	static uint8_t tmp[MSG_MAX];
	static struct ike_msg m;
	struct iu_text got;
	unsigned arg;
	int want = result_of(c->result, &arg);
	long len = iu_unhex(c->msg_hex, tmp, sizeof(tmp));
	uint8_t *buf;
	enum ike_parse r;

	(*cases)++;
	if (want < 0 || len < 0) {
		test_fail(__FILE__, c->line, "%s: bad result or msg", c->name);
		return;
	}
	buf = malloc((size_t)len + 1);   /* exact size for ASan */
	REQUIRE(buf != NULL);
	memcpy(buf, tmp, (size_t)len);
	r = ike_msg_parse(buf, (size_t)len, &m);
	if ((int)r != want || (r == IKE_PARSE_CRITICAL && m.chain.bad_type != arg))
		test_fail(__FILE__, c->line, "%s: parse gave %s, want %s",
			  c->name, ike_parse_error_name(r), c->result);
	iu_text_init(&got);
	iu_render_hdr(&got, &m.hdr);
	if (r == IKE_PARSE_OK) {
		r = iu_render_chain(&got, &m.chain);
		if (r != IKE_PARSE_OK)
			test_fail(__FILE__, c->line, "%s: decode: %s", c->name,
				  ike_parse_error_name(r));
		check_rebuild(c, &m);
	}
	if (strcmp(got.s, c->expect.s))
		test_fail(__FILE__, c->line, "%s:\n got:\n%s want:\n%s",
			  c->name, got.s, c->expect.s);
	free(buf);
}

static void take_field(struct vcase *c, const char *key, const char *val,
		       int line)
{
	c->in_msg = false;
	if (!c->open) {
		c->open = true;
		c->line = line;
	}
	if (!strcmp(key, "name")) {
		snprintf(c->name, sizeof(c->name), "%s", val);
	} else if (!strcmp(key, "result")) {
		snprintf(c->result, sizeof(c->result), "%s", val);
	} else if (!strcmp(key, "msg")) {
		snprintf(c->msg_hex, sizeof(c->msg_hex), "%s", val);
		c->in_msg = true;
	} else if (!strcmp(key, "expect")) {
		iu_add(&c->expect, "%s\n", val);
	} else {
		test_fail(__FILE__, line, "unknown field %s", key);
	}
}

static void strip(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = 0;
}

static void read_line(struct vcase *c, char *s, int line, int *cases)
{
	char *eq;

	strip(s);
	if (s[0] == '#')
		return;
	if (!s[0]) {
		if (c->open)
			run_case(c, cases);
		case_reset(c);
		return;
	}
	if (s[0] == ' ' && c->in_msg) {
		size_t n = strlen(c->msg_hex);

		snprintf(c->msg_hex + n, sizeof(c->msg_hex) - n, "%s", s);
		return;
	}
	eq = strchr(s, '=');
	if (!eq) {
		test_fail(__FILE__, line, "no '=' in line");
		return;
	}
	*eq = 0;
	strip(s);
	eq++;
	while (*eq == ' ')
		eq++;
	take_field(c, s, eq, line);
}

TEST(ike_msg_scapy)
{
	static struct vcase c;
	char path[1024], line[LINE_MAX_LEN];
	int n = 0, cases = 0, names = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", test_srcdir(), VEC_FILE);
	f = fopen(path, "r");
	REQUIRE(f != NULL);
	case_reset(&c);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strncmp(line, "name", 4))
			names++;
		read_line(&c, line, n, &cases);
	}
	if (c.open)
		run_case(&c, &cases);
	fclose(f);
	CHECK(cases >= 16);
	CHECK_EQ(cases, names);
}
