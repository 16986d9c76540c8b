/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus for fuzz/fuzz_ctl.c: every request and reply of the control
 * protocol made with the builder, plus a few that break one rule each
 * (made by corrupting builder output) so the fuzzer starts next to every
 * refusal path.
 *
 *   cc -std=gnu11 -D_GNU_SOURCE -Isrc -o /tmp/gen_ctl_corpus \
 *       fuzz/gen_ctl_corpus.c src/ctl/build.c src/ctl/parse.c \
 *       src/ctl/proto.c src/util/addr.c src/util/secure.c
 *   /tmp/gen_ctl_corpus fuzz/corpus/ctl
 *
 * The output is deterministic; rerun it when the protocol changes and
 * commit the files. The keys in the SA_ADD seeds are fixed test patterns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/msg.h"
#include "util/bytes.h"

static uint8_t buf[CTL_MSG_MAX];
static const char *outdir;

static void write_seed(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Finish |b| and write it; exit when the builder failed. */
static int emit(struct ctl_builder *b, const char *name)
{
	int len = ctl_builder_finish(b);

	if (len < 0) {
		fprintf(stderr, "%s: builder failed: %d\n", name, len);
		exit(1);
	}
	write_seed(name, buf, (size_t)len);
	return len;
}

static struct ip_addr addr(const char *s)
{
	struct ip_addr a;

	if (addr_parse(s, &a))
		abort();
	return a;
}

static void sa_add(struct ctl_builder *b, bool v6)
{
	uint8_t key[36];
	struct ip_addr src = addr(v6 ? "2001:db8::1" : "192.0.2.1");
	struct ip_addr dst = addr(v6 ? "2001:db8::2" : "192.0.2.2");
	int i;

	for (i = 0; i < 36; i++)
		key[i] = (uint8_t)(0x10 + i);
	ctl_builder_init(b, buf, sizeof(buf), CTL_SA_ADD, 2);
	ctl_put_str(b, CTL_A_NAME, v6 ? "east-in" : "west-out");
	ctl_put_str(b, CTL_A_PEER_NAME, v6 ? "east" : "west");
	ctl_put_u8(b, CTL_A_DIR, v6 ? CTL_DIR_IN : CTL_DIR_OUT);
	ctl_put_u32(b, CTL_A_SPI, v6 ? 0x2002 : 0x1001);
	ctl_put_str(b, CTL_A_CIPHER, v6 ? "chacha20-poly1305" : "aes-gcm-256");
	ctl_put_u8(b, CTL_A_ICV, 16);
	ctl_put_bytes(b, CTL_A_KEY, key, 36);
	ctl_put_u8(b, CTL_A_MODE, v6 ? CTL_MODE_TUNNEL : CTL_MODE_TRANSPORT);
	ctl_put_u8(b, CTL_A_ENCAP, CTL_ENCAP_UDP);
	ctl_put_u16(b, CTL_A_SPORT, 4500);
	ctl_put_u16(b, CTL_A_DPORT, 4500);
	ctl_put_u8(b, CTL_A_ESN, v6);
	ctl_put_u64(b, CTL_A_SEQ, v6 ? 0x1fffffff0ULL : 1);
	ctl_put_u32(b, CTL_A_WINDOW, v6 ? 65536 : 1024);
	if (v6) {
		ctl_put_addr(b, CTL_A_TUN_SRC, &src);
		ctl_put_addr(b, CTL_A_TUN_DST, &dst);
		ctl_put_u16(b, CTL_A_TFC, 1280);
	}
}

static void drops(struct ctl_builder *b, const char *reason, uint64_t n)
{
	ctl_nest_begin(b, CTL_A_DROPS);
	ctl_nest_begin(b, CTL_A_DROP);
	ctl_put_str(b, CTL_A_REASON, reason);
	ctl_put_u64(b, CTL_A_COUNT, n);
	ctl_nest_end(b);
	ctl_nest_end(b);
}

static void show_sa(struct ctl_builder *b, uint32_t spi, uint8_t dir)
{
	ctl_nest_begin(b, CTL_A_SA);
	ctl_put_str(b, CTL_A_NAME, "west-out");
	ctl_put_str(b, CTL_A_PEER_NAME, "west");
	ctl_put_u8(b, CTL_A_DIR, dir);
	ctl_put_u32(b, CTL_A_SPI, spi);
	ctl_put_str(b, CTL_A_CIPHER, "aes-gcm-256");
	ctl_put_u8(b, CTL_A_ICV, 16);
	ctl_put_u8(b, CTL_A_MODE, CTL_MODE_TRANSPORT);
	ctl_put_u8(b, CTL_A_ENCAP, CTL_ENCAP_UDP);
	ctl_put_u8(b, CTL_A_ESN, 1);
	ctl_put_u64(b, CTL_A_PACKETS, 123456);
	ctl_put_u64(b, CTL_A_BYTES, 987654321);
	ctl_put_u64(b, CTL_A_SEQ, 123457);
	ctl_put_u32(b, CTL_A_WINDOW, 1024);
	drops(b, "replay", 3);
	ctl_nest_end(b);
}

static void show_reply(struct ctl_builder *b, bool truncated)
{
	struct ip_addr local = addr("192.0.2.1"), peer = addr("192.0.2.2");

	ctl_builder_init(b, buf, sizeof(buf), CTL_REPLY, 1);
	if (truncated)
		ctl_builder_set_flags(b, CTL_F_TRUNCATED);
	ctl_nest_begin(b, CTL_A_DAEMON);
	ctl_put_str(b, CTL_A_VERSION, "0.1");
	ctl_put_u64(b, CTL_A_UPTIME, 3600);
	ctl_put_addr(b, CTL_A_LOCAL, &local);
	ctl_put_u16(b, CTL_A_PORT, 4500);
	ctl_put_str(b, CTL_A_TUN, "tsec0");
	ctl_nest_end(b);
	ctl_nest_begin(b, CTL_A_PEER);
	ctl_put_str(b, CTL_A_NAME, "west");
	ctl_put_addr(b, CTL_A_ADDR, &peer);
	ctl_put_u16(b, CTL_A_PORT, 4500);
	ctl_put_u8(b, CTL_A_MODE, CTL_MODE_TRANSPORT);
	ctl_put_str(b, CTL_A_SELECTOR, "10.0.0.0/8");
	ctl_put_str(b, CTL_A_SELECTOR, "192.0.2.0/24 udp 4789");
	ctl_nest_end(b);
	show_sa(b, 0x1001, CTL_DIR_OUT);
	show_sa(b, 0x2002, CTL_DIR_IN);
	drops(b, "unknown-spi", 17);
	ctl_put_i32(b, CTL_A_STATUS, 0);
}

static void requests(void)
{
	struct ctl_builder b;

	ctl_builder_init(&b, buf, sizeof(buf), CTL_SHOW, 1);
	emit(&b, "01-show");
	sa_add(&b, false);
	emit(&b, "02-sa-add-v4-transport");
	sa_add(&b, true);
	emit(&b, "03-sa-add-v6-tunnel-tfc");
	ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_DEL, 3);
	ctl_put_u8(&b, CTL_A_DIR, CTL_DIR_IN);
	ctl_put_u32(&b, CTL_A_SPI, 0x2002);
	emit(&b, "04-sa-del");
	ctl_builder_init(&b, buf, sizeof(buf), CTL_RELOAD, 4);
	emit(&b, "05-reload");
}

static void replies(void)
{
	struct ctl_builder b;
	int i;

	ctl_builder_init(&b, buf, sizeof(buf), CTL_REPLY, 4);
	ctl_put_i32(&b, CTL_A_STATUS, 0);
	emit(&b, "06-reply-ok");
	ctl_builder_init(&b, buf, sizeof(buf), CTL_REPLY, 4);
	ctl_reply_error(&b, -22, "tunsecd.conf:12: unknown cipher 'aes-xts'");
	emit(&b, "07-reply-error");
	show_reply(&b, false);
	emit(&b, "08-reply-show");
	show_reply(&b, true);
	emit(&b, "09-reply-show-truncated");
	ctl_builder_init(&b, buf, sizeof(buf), CTL_REPLY, 0);
	for (i = 0; i < 40; i++)
		drops(&b, i & 1 ? "auth" : "not-esp", (uint64_t)i << 33);
	ctl_put_i32(&b, CTL_A_STATUS, 0);
	emit(&b, "10-reply-many-drops");
}

/* Valid but unusual: maximum depth, longest string, unknown types. */
static void edges(void)
{
	static char longstr[CTL_STR_MAX];
	struct ctl_builder b;
	int len;

	ctl_builder_init(&b, buf, sizeof(buf), CTL_REPLY, 5);
	ctl_nest_begin(&b, CTL_A_PEER);
	ctl_nest_begin(&b, CTL_A_SA);
	ctl_nest_begin(&b, CTL_A_DROPS);
	ctl_nest_begin(&b, CTL_A_DROP);
	ctl_put_str(&b, CTL_A_REASON, "");
	ctl_nest_end(&b);
	ctl_nest_end(&b);
	ctl_nest_end(&b);
	ctl_nest_end(&b);
	emit(&b, "11-nest-depth-4");
	memset(longstr, 'm', sizeof(longstr) - 1);
	ctl_builder_init(&b, buf, sizeof(buf), CTL_REPLY, 6);
	ctl_put_i32(&b, CTL_A_STATUS, -5);
	ctl_put_str(&b, CTL_A_MESSAGE, longstr);
	emit(&b, "12-longest-string");
	/* An unknown attribute (type 0x100, 3 bytes) after a known one. */
	ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_DEL, 7);
	ctl_put_u32(&b, CTL_A_SPI, 1);
	len = ctl_builder_finish(&b);
	memcpy(buf + len, "\x01\x00\x00\x07\xaa\xbb\xcc\x00", 8);
	put_be32(buf + CTL_HDR_OFF_LEN, (uint32_t)len + 8);
	write_seed("13-unknown-attr", buf, (size_t)len + 8);
}

/* Builder output broken in one place each. */
static void broken(void)
{
	struct ctl_builder b;
	int len;

	ctl_builder_init(&b, buf, sizeof(buf), CTL_SA_DEL, 8);
	ctl_put_u8(&b, CTL_A_DIR, 1);
	ctl_put_str(&b, CTL_A_NAME, "abc");
	len = ctl_builder_finish(&b);
	buf[0] = 'X';
	write_seed("14-bad-magic", buf, (size_t)len);
	buf[0] = 'T';
	buf[CTL_HDR_LEN + 5] = 1; /* DIR padding */
	write_seed("15-bad-padding", buf, (size_t)len);
	buf[CTL_HDR_LEN + 5] = 0;
	buf[CTL_HDR_LEN + 8 + 7] = 'd'; /* NAME's NUL */
	write_seed("16-string-no-nul", buf, (size_t)len);
	buf[CTL_HDR_LEN + 8 + 7] = 0;
	buf[CTL_HDR_LEN + 3] = 6; /* DIR claims two bytes */
	write_seed("17-wrong-size", buf, (size_t)len);
	buf[CTL_HDR_LEN + 3] = 5;
	write_seed("18-truncated", buf, (size_t)len - 4);
}

int main(int argc, char **argv)
{
	outdir = argc > 1 ? argv[1] : "fuzz/corpus/ctl";
	requests();
	replies();
	edges();
	broken();
	return 0;
}
