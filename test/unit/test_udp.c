/* SPDX-License-Identifier: MIT */
/*
 * The UDP batching paths over real sockets on the loopback interface: runs
 * sent with UDP_SEGMENT arrive as the same datagrams, in order, whether the
 * receiver coalesces (UDP_GRO) or not; runs break where the destination,
 * the flow tag or the size says so; and a reuseport group steers each
 * datagram by its first word (the SPI) to socket SPI mod n.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp/limits.h"
#include "io/udp.h"
#include "test.h"

#define RX_MAX 128

static uint8_t payload[BURST_MAX][2048];

static struct ip_addr loopback(void)
{
	struct ip_addr a = { .family = AF_INET };

	a.bytes[0] = 127;
	a.bytes[3] = 1;
	return a;
}

/* The port the kernel gave fd. */
static uint16_t bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len))
		return 0;
	return ntohs(sin.sin_port);
}

static int open_any(void)
{
	struct ip_addr lo = loopback();
	int fd = -1;

	if (udp_open(&lo, 0, 0, &fd))
		return -1;
	return fd;
}

/* Datagram i: its index and a pattern, len bytes. */
static void fill(unsigned i, uint32_t len)
{
	uint32_t k;

	for (k = 0; k < len; k++)
		payload[i][k] = (uint8_t)(i * 31 + k);
	payload[i][0] = (uint8_t)i;
}

/* Received datagrams, split: lengths and copies. */
struct rx {
	uint32_t len[RX_MAX];
	uint8_t data[RX_MAX][2048];
	unsigned n, coalesced;
};

static void rx_take(struct rx *r, const struct udp_dgram *g)
{
	uint32_t off, len;

	if (g->seg && g->len > g->seg)
		r->coalesced++;
	for (off = 0; (len = udp_dgram_next(g, off)) > 0 && r->n < RX_MAX;
	     off += len) {
		r->len[r->n] = len;
		memcpy(r->data[r->n++], g->data + off, len < 2048 ? len : 2048);
	}
}

/* Receive until want datagrams arrived or nothing came for a second. */
static void rx_collect(int fd, struct rx *r, unsigned want)
{
	static uint8_t big[8][UDP_GRO_BUF];
	struct udp_dgram d[8];
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	int got, i;

	memset(r, 0, sizeof(*r));
	while (r->n < want && poll(&pf, 1, 1000) == 1) {
		for (i = 0; i < 8; i++)
			d[i] = (struct udp_dgram){ .data = big[i],
						   .cap = UDP_GRO_BUF };
		got = udp_recv_burst(fd, d, 8);
		for (i = 0; i < got; i++)
			rx_take(r, &d[i]);
	}
}

static void dgram_to(struct udp_dgram *d, unsigned i, uint32_t len,
		     uint16_t port, uint32_t flow)
{
	fill(i, len);
	*d = (struct udp_dgram){ .data = payload[i], .len = len,
				 .addr = loopback(), .port = port,
				 .flow = flow };
}

/* 20 of 1400 bytes and a last of 300, one flow: every datagram arrives
 * as sent, in order; with gro, some arrive coalesced. */
static void check_gso_run(bool gro)
{
	struct udp_dgram d[21];
	static struct rx r;
	bool gso = true;
	int tx = open_any(), rxfd = open_any();
	unsigned i;

	REQUIRE(tx >= 0 && rxfd >= 0);
	CHECK(udp_gso_available(tx));
	if (gro)
		CHECK_EQ(udp_enable_gro(rxfd), 0);
	for (i = 0; i < 21; i++)
		dgram_to(&d[i], i, i < 20 ? 1400 : 300, bound_port(rxfd), 7);
	CHECK_EQ(udp_send_burst_gso(tx, d, 21, &gso), 21);
	CHECK(gso);
	for (i = 0; i < 21; i++)
		CHECK_EQ(d[i].err, 0);
	rx_collect(rxfd, &r, 21);
	CHECK_EQ(r.n, 21);
	for (i = 0; i < r.n && i < 21; i++) {
		CHECK_EQ(r.len[i], d[i].len);
		CHECK_MEM(r.data[i], payload[i], d[i].len);
	}
	if (gro)
		CHECK(r.coalesced > 0);
	else
		CHECK_EQ(r.coalesced, 0);
	close(tx);
	close(rxfd);
}

TEST(udp_gso_run_arrives_intact_with_gro)
{
	check_gso_run(true);
}

TEST(udp_gso_run_arrives_intact_without_gro)
{
	check_gso_run(false);
}

/* Runs break at a new flow, a new destination, a larger datagram, after a
 * shorter one, and at UDP_GSO_SEGS_MAX; everything still arrives in
 * order at each receiver. */
TEST(udp_gso_runs_break_where_they_must)
{
	static const uint32_t lens[] = { 1000, 1000, 1000, 1200, 1200, 800,
					 1000, 1000, 1000, 1000 };
	static const uint32_t flows[] = { 1, 1, 2, 2, 2, 2, 2, 2, 2, 2 };
	static const unsigned to2[] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 0 };
	struct udp_dgram d[BURST_MAX];
	static struct rx r1, r2;
	int tx = open_any(), a = open_any(), b = open_any();
	unsigned i, n1 = 0, n2 = 0;
	bool gso = true;

	REQUIRE(tx >= 0 && a >= 0 && b >= 0);
	CHECK_EQ(udp_enable_gro(a), 0);
	CHECK_EQ(udp_enable_gro(b), 0);
	for (i = 0; i < 10; i++)
		dgram_to(&d[i], i, lens[i], bound_port(to2[i] ? b : a),
			 flows[i]);
	CHECK_EQ(udp_send_burst_gso(tx, d, 10, &gso), 10);
	rx_collect(a, &r1, 8);
	rx_collect(b, &r2, 2);
	CHECK_EQ(r1.n, 8);
	CHECK_EQ(r2.n, 2);
	for (i = 0; i < 10; i++) {
		struct rx *r = to2[i] ? &r2 : &r1;
		unsigned k = to2[i] ? n2++ : n1++;

		if (k < r->n) {
			CHECK_EQ(r->len[k], lens[i]);
			CHECK_EQ(r->data[k][0], i);
		}
	}
	/* 64 equal datagrams of 1000 bytes: more than a run's bytes. */
	for (i = 0; i < BURST_MAX; i++)
		dgram_to(&d[i], i, 1000, bound_port(a), 3);
	CHECK_EQ(udp_send_burst_gso(tx, d, BURST_MAX, &gso), BURST_MAX);
	rx_collect(a, &r1, BURST_MAX);
	CHECK_EQ(r1.n, BURST_MAX);
	for (i = 0; i < r1.n; i++)
		CHECK_EQ(r1.data[i][0], i);
	close(tx);
	close(a);
	close(b);
}

/* With gso off the same call sends one datagram per entry. */
TEST(udp_gso_off_sends_each)
{
	struct udp_dgram d[5];
	static struct rx r;
	int tx = open_any(), rxfd = open_any();
	bool gso = false;
	unsigned i;

	REQUIRE(tx >= 0 && rxfd >= 0);
	CHECK_EQ(udp_enable_gro(rxfd), 0);
	for (i = 0; i < 5; i++)
		dgram_to(&d[i], i, 1400, bound_port(rxfd), 1);
	CHECK_EQ(udp_send_burst_gso(tx, d, 5, &gso), 5);
	CHECK(!gso);
	rx_collect(rxfd, &r, 5);
	CHECK_EQ(r.n, 5);
	CHECK_EQ(r.coalesced, 0);
	close(tx);
	close(rxfd);
}

TEST(udp_dgram_next_splits)
{
	struct udp_dgram g = { .len = 2500, .seg = 1000 };

	CHECK_EQ(udp_dgram_next(&g, 0), 1000);
	CHECK_EQ(udp_dgram_next(&g, 2000), 500);
	CHECK_EQ(udp_dgram_next(&g, 2500), 0);
	CHECK_EQ(udp_dgram_next(&g, 9999), 0);
	g.seg = 0;
	CHECK_EQ(udp_dgram_next(&g, 0), 2500);
	g.len = 0;
	CHECK_EQ(udp_dgram_next(&g, 0), 0);
}

/* Which socket of the group got a datagram whose first word is spi. */
static int steered_to(const int *fds, unsigned n, int tx, uint16_t port,
		      uint32_t spi, uint32_t len)
{
	struct udp_dgram d;
	uint8_t buf[64];
	struct ip_addr from;
	uint16_t from_port;
	unsigned i;

	dgram_to(&d, 0, len, port, 0);
	payload[0][0] = (uint8_t)(spi >> 24);
	payload[0][1] = (uint8_t)(spi >> 16);
	payload[0][2] = (uint8_t)(spi >> 8);
	payload[0][3] = (uint8_t)spi;
	if (udp_send(tx, payload[0], len, &d.addr, port) != (ssize_t)len)
		return -2;
	for (i = 0; i < n; i++) {
		struct pollfd pf = { .fd = fds[i], .events = POLLIN };

		if (poll(&pf, 1, 200) == 1 &&
		    udp_recv(fds[i], buf, sizeof(buf), &from, &from_port) ==
			    (ssize_t)len)
			return (int)i;
	}
	return -1;
}

/* SPI mod n picks the socket; short payloads and SPI 0 go to socket 0. */
TEST(udp_group_steers_by_spi)
{
	static const uint32_t spis[] = { 1, 2, 3, 4, 5, 0x1000, 0x1001,
					 0xfffffffe, 0xffffffff, 7, 11, 12 };
	struct ip_addr lo = loopback();
	int fds[3], tx = open_any(), probe = open_any();
	uint16_t port;
	bool steered = false;
	unsigned i;

	REQUIRE(tx >= 0 && probe >= 0);
	/* A free port: the one the kernel just gave probe. */
	port = bound_port(probe);
	close(probe);
	REQUIRE(udp_open_group(&lo, port, 0, fds, 3, false, &steered) == 0);
	CHECK(steered);
	for (i = 0; i < sizeof(spis) / sizeof(spis[0]); i++)
		CHECK_EQ(steered_to(fds, 3, tx, port, spis[i], 40),
			 (int)(spis[i] % 3));
	CHECK_EQ(steered_to(fds, 3, tx, port, 0, 40), 0);  /* IKE marker */
	CHECK_EQ(steered_to(fds, 3, tx, port, 0x05, 1), 0); /* keepalive-sized */
	for (i = 0; i < 3; i++)
		close(fds[i]);
	close(tx);
}

/* With an IKE socket: the non-ESP marker (SPI 0) goes to it, the rest
 * by SPI mod n among the others; even a group of one worker steers. */
TEST(udp_group_ike_socket)
{
	struct ip_addr lo = loopback();
	int fds[3], tx = open_any(), probe = open_any();
	uint16_t port;
	bool steered = false;
	uint32_t spi;

	REQUIRE(tx >= 0 && probe >= 0);
	port = bound_port(probe);
	close(probe);
	REQUIRE(udp_open_group(&lo, port, 0, fds, 2, true, &steered) == 0);
	CHECK(steered);
	CHECK_EQ(steered_to(fds, 3, tx, port, 0, 40), 2);
	for (spi = 1; spi < 9; spi++)
		CHECK_EQ(steered_to(fds, 3, tx, port, spi, 40), (int)(spi % 2));
	CHECK_EQ(steered_to(fds, 3, tx, port, 0xff, 1), 0);
	close(fds[0]);
	close(fds[1]);
	close(fds[2]);
	REQUIRE(udp_open_group(&lo, port, 0, fds, 1, true, &steered) == 0);
	CHECK(steered);
	CHECK_EQ(steered_to(fds, 2, tx, port, 0, 40), 1);
	CHECK_EQ(steered_to(fds, 2, tx, port, 0x1234, 40), 0);
	close(fds[0]);
	close(fds[1]);
	close(tx);
}

TEST(udp_group_refuses_bad_counts)
{
	struct ip_addr lo = loopback();
	int fds[2];
	bool steered;

	CHECK_EQ(udp_open_group(&lo, 0, 0, fds, 0, false, &steered), -EINVAL);
	CHECK_EQ(udp_open_group(&lo, 0, 0, fds, WORKERS_MAX + 1, false,
				&steered), -EINVAL);
}
