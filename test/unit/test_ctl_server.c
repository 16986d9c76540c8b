/* SPDX-License-Identifier: MIT */
/*
 * Control socket server and client over real unix sockets in a temporary
 * directory: a SHOW-like reply with nests, error replies, concurrent
 * clients, oversize and malformed requests, silent and non-reading clients,
 * the connection cap, socket file permissions, stale files, a second
 * server, peer credentials, and the client's handling of broken replies.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl/client.h"
#include "ctl/server.h"
#include "test.h"

#define TYPE_FILL 0x7001 /* test handler: overflow the reply */

struct env {
	char dir[64];
	char path[128];
	struct ctl_server *srv;
	pthread_t thread;
	atomic_bool stop;
	atomic_int handled;
	atomic_bool key_wiped;  /* server wiped the SA_ADD request */
	const uint8_t *key_at;  /* the KEY inside the server's buffer */
	size_t key_len;
};

static struct ctl_reply reply; /* large: one shared by the main thread */

static int show_reply(struct ctl_builder *r)
{
	struct ip_addr local, peer;

	addr_parse("192.0.2.1", &local);
	addr_parse("2001:db8::2", &peer);
	ctl_nest_begin(r, CTL_A_DAEMON);
	ctl_put_str(r, CTL_A_VERSION, "test-1");
	ctl_put_u64(r, CTL_A_UPTIME, 42);
	ctl_put_addr(r, CTL_A_LOCAL, &local);
	ctl_put_u16(r, CTL_A_PORT, 4500);
	ctl_put_str(r, CTL_A_TUN, "tsec0");
	ctl_nest_end(r);
	ctl_nest_begin(r, CTL_A_PEER);
	ctl_put_str(r, CTL_A_NAME, "east");
	ctl_put_addr(r, CTL_A_ADDR, &peer);
	ctl_put_str(r, CTL_A_SELECTOR, "10.1.0.0/16");
	ctl_put_str(r, CTL_A_SELECTOR, "10.2.0.0/16 tcp 443");
	ctl_nest_end(r);
	ctl_nest_begin(r, CTL_A_SA);
	ctl_put_u32(r, CTL_A_SPI, 0x1001);
	ctl_nest_begin(r, CTL_A_DROPS);
	ctl_nest_begin(r, CTL_A_DROP);
	ctl_put_str(r, CTL_A_REASON, "replay");
	ctl_put_u64(r, CTL_A_COUNT, 3);
	ctl_nest_end(r);
	ctl_nest_end(r);
	ctl_nest_end(r);
	return 0;
}

static int sa_add(struct env *e, const struct ctl_msg *req)
{
	struct ctl_attr tb[CTL_A_END];
	struct ctl_iter it;

	ctl_msg_iter(req, &it);
	if (!ctl_iter_index(&it, tb) || !tb[CTL_A_KEY].type ||
	    !ctl_attr_bytes(&tb[CTL_A_KEY], &e->key_at, &e->key_len))
		return -EINVAL;
	return 0;
}

static int handler(void *arg, const struct ctl_msg *req,
		   struct ctl_builder *r)
{
	struct env *e = arg;
	int i;

	atomic_fetch_add(&e->handled, 1);
	switch (req->type) {
	case CTL_SHOW:
		return show_reply(r);
	case CTL_SA_ADD:
		return sa_add(e, req);
	case CTL_SA_DEL:
		ctl_put_u32(r, CTL_A_SPI, 1); /* dropped by the error */
		return ctl_reply_error(r, -ENOENT, "no SA with SPI %#x", 0x1001);
	case CTL_RELOAD:
		return -EIO;
	case TYPE_FILL:
		for (i = 0; i < 100000 && !r->err; i++)
			ctl_put_str(r, CTL_A_SELECTOR, "0123456789abcdef");
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void serve_once(struct env *e, int timeout_ms)
{
	struct pollfd p = { .fd = ctl_server_fd(e->srv), .events = POLLIN };

	if (poll(&p, 1, timeout_ms) > 0)
		CHECK_EQ(ctl_server_handle(e->srv, handler, e), 0);
	if (e->key_at) {
		atomic_store(&e->key_wiped, all_zero(e->key_at, e->key_len));
		e->key_at = NULL;
	}
}

static void *serve(void *arg)
{
	struct env *e = arg;

	while (!atomic_load(&e->stop))
		serve_once(e, 20);
	return NULL;
}

static bool env_open(struct env *e, mode_t mode)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->dir, "/tmp/tunsec-ctl.XXXXXX");
	if (!mkdtemp(e->dir))
		return false;
	snprintf(e->path, sizeof(e->path), "%s/run/ctl.sock", e->dir);
	return ctl_server_open(&e->srv, e->path, mode) == 0;
}

static void env_start(struct env *e)
{
	atomic_store(&e->stop, false);
	pthread_create(&e->thread, NULL, serve, e);
}

static void env_stop(struct env *e)
{
	atomic_store(&e->stop, true);
	pthread_join(e->thread, NULL);
}

static void env_close(struct env *e)
{
	char run[160];

	ctl_server_close(e->srv);
	e->srv = NULL;
	snprintf(run, sizeof(run), "%s/run", e->dir);
	unlink(e->path);
	rmdir(run);
	rmdir(e->dir);
}

static int call(struct env *e, uint16_t type, uint32_t seq)
{
	uint8_t b_buf[256];
	struct ctl_builder b;

	ctl_builder_init(&b, b_buf, sizeof(b_buf), type, seq);
	return ctl_client_call(e->path, &b, &reply, 2000);
}

/* A raw connection to the server. */
static int raw_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	strcpy(sun.sun_path, path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Wait up to 2 s for a datagram; its length, 0 at EOF, -1 on timeout. */
static ssize_t raw_recv(int fd, uint8_t *b, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, 2000) <= 0)
		return -1;
	return recv(fd, b, n, 0);
}

static int32_t reply_status(const uint8_t *b, size_t n, uint32_t *seq)
{
	struct ctl_attr tb[CTL_A_END];
	struct ctl_iter it;
	struct ctl_msg m;
	int32_t st = 1;

	if (ctl_msg_parse(&m, b, n) != CTL_PARSE_OK)
		return 1;
	ctl_msg_iter(&m, &it);
	if (!ctl_iter_index(&it, tb) || !ctl_attr_i32(&tb[CTL_A_STATUS], &st))
		return 1;
	*seq = m.seq;
	return st;
}

TEST(ctl_server_socket_file)
{
	struct env e;
	struct stat st;
	char run[160];

	REQUIRE(env_open(&e, 0600));
	REQUIRE(!lstat(e.path, &st));
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0600);
	snprintf(run, sizeof(run), "%s/run", e.dir);
	REQUIRE(!stat(run, &st));
	CHECK_EQ(st.st_mode & 07777, 0700);
	ctl_server_close(e.srv);
	CHECK(lstat(e.path, &st) && errno == ENOENT);
	e.srv = NULL;
	env_close(&e);
}

/* The SHOW reply arrives whole: nests, repeated attributes, values. */
TEST(ctl_server_show)
{
	struct ctl_attr tb[CTL_A_END], dn[CTL_A_END], a;
	struct ctl_iter it, sub;
	struct ip_addr ad;
	uint16_t port;
	uint64_t up;
	int peers = 0, sels = 0;
	struct env e;

	REQUIRE(env_open(&e, 0600));
	env_start(&e);
	CHECK_EQ(call(&e, CTL_SHOW, 77), 0);
	CHECK_EQ(reply.status, 0);
	CHECK_EQ(reply.msg.seq, 77);
	CHECK_EQ(reply.msg.type, CTL_REPLY);
	ctl_msg_iter(&reply.msg, &it);
	REQUIRE(ctl_iter_index(&it, tb));
	REQUIRE(ctl_attr_iter(&tb[CTL_A_DAEMON], &sub));
	REQUIRE(ctl_iter_index(&sub, dn));
	CHECK(!strcmp(ctl_attr_str(&dn[CTL_A_VERSION]), "test-1"));
	CHECK(ctl_attr_u64(&dn[CTL_A_UPTIME], &up) && up == 42);
	CHECK(ctl_attr_u16(&dn[CTL_A_PORT], &port) && port == 4500);
	CHECK(ctl_attr_addr(&dn[CTL_A_LOCAL], &ad) && ad.family == AF_INET &&
	      ad.bytes[0] == 192 && ad.bytes[3] == 1);
	while (ctl_iter_next(&it, &a)) {
		if (a.type != CTL_A_PEER)
			continue;
		peers++;
		ctl_attr_iter(&a, &sub);
		while (ctl_iter_next(&sub, &a))
			sels += a.type == CTL_A_SELECTOR;
	}
	CHECK_EQ(peers, 1);
	CHECK_EQ(sels, 2);
	CHECK(tb[CTL_A_SA].type == CTL_A_SA);
	env_stop(&e);
	env_close(&e);
}

TEST(ctl_server_errors)
{
	struct env e;

	REQUIRE(env_open(&e, 0600));
	env_start(&e);
	CHECK_EQ(call(&e, CTL_SA_DEL, 1), 0);
	CHECK_EQ(reply.status, -ENOENT);
	CHECK(reply.message && !strcmp(reply.message, "no SA with SPI 0x1001"));
	CHECK_EQ(call(&e, CTL_RELOAD, 2), 0);
	CHECK_EQ(reply.status, -EIO);
	CHECK(reply.message && !strcmp(reply.message, strerror(EIO)));
	CHECK_EQ(call(&e, 0x0777, 3), 0);
	CHECK_EQ(reply.status, -EOPNOTSUPP);
	CHECK_EQ(call(&e, TYPE_FILL, 4), 0);
	CHECK_EQ(reply.status, -EMSGSIZE);
	CHECK_EQ(call(&e, CTL_SHOW, 5), 0); /* still serving */
	CHECK_EQ(reply.status, 0);
	env_stop(&e);
	env_close(&e);
}

/* The key reaches the handler, then is wiped in both processes' buffers. */
TEST(ctl_server_sa_add_wipes_key)
{
	static const uint8_t key[36] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc };
	uint8_t b_buf[256];
	struct ctl_builder b;
	struct env e;

	REQUIRE(env_open(&e, 0600));
	env_start(&e);
	ctl_builder_init(&b, b_buf, sizeof(b_buf), CTL_SA_ADD, 9);
	ctl_put_u8(&b, CTL_A_DIR, CTL_DIR_IN);
	ctl_put_u32(&b, CTL_A_SPI, 0x1001);
	ctl_put_bytes(&b, CTL_A_KEY, key, sizeof(key));
	CHECK_EQ(ctl_client_call(e.path, &b, &reply, 2000), 0);
	CHECK_EQ(reply.status, 0);
	CHECK(all_zero(b_buf, sizeof(b_buf)));
	env_stop(&e);
	CHECK(atomic_load(&e.key_wiped));
	env_close(&e);
}

struct worker {
	struct env *e;
	int id;
	int ok;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct ctl_reply *r = malloc(sizeof(*r));
	uint8_t b_buf[64];
	struct ctl_builder b;
	int i;

	for (i = 0; r && i < 25; i++) {
		uint32_t seq = (uint32_t)(w->id << 16 | i);

		ctl_builder_init(&b, b_buf, sizeof(b_buf), CTL_SHOW, seq);
		if (!ctl_client_call(w->e->path, &b, r, 5000) &&
		    r->status == 0 && r->msg.seq == seq)
			w->ok++;
	}
	free(r);
	return NULL;
}

TEST(ctl_server_concurrent_clients)
{
	struct worker w[8];
	pthread_t t[8];
	struct env e;
	int i;

	REQUIRE(env_open(&e, 0600));
	env_start(&e);
	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){ &e, i + 1, 0 };
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(w[i].ok, 25);
	}
	env_stop(&e);
	CHECK_EQ(atomic_load(&e.handled), 200);
	env_close(&e);
}

/* Oversize and malformed requests get an error reply with seq 0 and the
 * connection keeps working. */
TEST(ctl_server_bad_requests)
{
	static uint8_t big[70000];
	uint8_t b_buf[64], r[4096];
	struct ctl_builder b;
	uint32_t seq = 1;
	struct env e;
	ssize_t n;
	int fd;

	REQUIRE(env_open(&e, 0600));
	env_start(&e);
	fd = raw_connect(e.path);
	REQUIRE(fd >= 0);
	ctl_builder_init(&b, big, sizeof(big), CTL_SHOW, 5);
	ctl_builder_finish(&b);
	CHECK_EQ(send(fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
	n = raw_recv(fd, r, sizeof(r));
	CHECK_EQ(reply_status(r, (size_t)(n > 0 ? n : 0), &seq), -EMSGSIZE);
	CHECK_EQ(seq, 0);
	memset(b_buf, 0, sizeof(b_buf));
	memcpy(b_buf, "TSC2", 4);
	CHECK_EQ(send(fd, b_buf, 16, 0), 16);
	n = raw_recv(fd, r, sizeof(r));
	CHECK_EQ(reply_status(r, (size_t)(n > 0 ? n : 0), &seq), -EBADMSG);
	CHECK(n > 0 && memmem(r, (size_t)n, "bad magic", 9));
	ctl_builder_init(&b, b_buf, sizeof(b_buf), CTL_SHOW, 6);
	n = ctl_builder_finish(&b);
	CHECK_EQ(send(fd, b_buf, (size_t)n, 0), n);
	n = raw_recv(fd, r, sizeof(r));
	CHECK_EQ(reply_status(r, (size_t)(n > 0 ? n : 0), &seq), 0);
	CHECK_EQ(seq, 6);
	close(fd);
	env_stop(&e);
	env_close(&e);
}

/* Until the server has accepted |want| connections (bounded wait). */
static void wait_conns(struct env *e, unsigned want)
{
	int i;

	for (i = 0; i < 200 && ctl_server_conn_count(e->srv) != want; i++)
		serve_once(e, 10);
}

/* Silent clients do not block others; past the cap the least recently
 * active one is closed. Driven from this thread: no server thread. */
TEST(ctl_server_silent_clients_and_cap)
{
	int fds[CTL_CONN_MAX + 2], i, n;
	struct env e;
	uint8_t r[64];

	REQUIRE(env_open(&e, 0600));
	for (i = 0; i < CTL_CONN_MAX; i++) {
		fds[i] = raw_connect(e.path);
		REQUIRE(fds[i] >= 0);
		wait_conns(&e, (unsigned)i + 1);
	}
	CHECK_EQ(ctl_server_conn_count(e.srv), CTL_CONN_MAX);
	/* Two more: the two oldest silent ones are closed. */
	for (; i < CTL_CONN_MAX + 2; i++) {
		fds[i] = raw_connect(e.path);
		REQUIRE(fds[i] >= 0);
		serve_once(&e, 100);
	}
	CHECK_EQ(ctl_server_conn_count(e.srv), CTL_CONN_MAX);
	CHECK_EQ(raw_recv(fds[0], r, sizeof(r)), 0);
	CHECK_EQ(raw_recv(fds[1], r, sizeof(r)), 0);
	n = 0;
	for (i = 2; i < CTL_CONN_MAX + 2; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };

		n += poll(&p, 1, 0) > 0; /* still open and quiet */
	}
	CHECK_EQ(n, 0);
	env_start(&e);
	CHECK_EQ(call(&e, CTL_SHOW, 1), 0); /* served despite 16 silent */
	CHECK_EQ(reply.status, 0);
	env_stop(&e);
	for (i = 0; i < CTL_CONN_MAX + 2; i++)
		close(fds[i]);
	wait_conns(&e, 0);
	CHECK_EQ(ctl_server_conn_count(e.srv), 0);
	env_close(&e);
}

/* A client that sends requests but never reads is disconnected rather
 * than making the server wait. */
TEST(ctl_server_drops_non_reader)
{
	uint8_t b_buf[64], r[4096];
	struct ctl_builder b;
	int fd, i, replies = 0, len;
	struct env e;
	ssize_t n;

	REQUIRE(env_open(&e, 0600));
	fd = raw_connect(e.path);
	REQUIRE(fd >= 0);
	ctl_builder_init(&b, b_buf, sizeof(b_buf), CTL_SHOW, 1);
	len = ctl_builder_finish(&b);
	for (i = 0; i < 20000; i++) {
		if (send(fd, b_buf, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) !=
		    len)
			break;
		serve_once(&e, 50);
	}
	CHECK(i < 20000);
	while ((n = raw_recv(fd, r, sizeof(r))) > 0)
		replies++;
	CHECK_EQ(n, 0); /* end of file: the server closed it */
	CHECK(replies > 0 && replies < i);
	wait_conns(&e, 0);
	CHECK_EQ(ctl_server_conn_count(e.srv), 0);
	close(fd);
	env_close(&e);
}

/* A socket file nobody listens on is replaced; a live server is not. */
TEST(ctl_server_stale_and_second)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_server *second = NULL;
	struct env e;
	struct stat st;
	int fd;

	REQUIRE(env_open(&e, 0600));
	ctl_server_close(e.srv);
	e.srv = NULL;
	/* Leave a stale socket file behind. */
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	strcpy(sun.sun_path, e.path);
	REQUIRE(!bind(fd, (struct sockaddr *)&sun, sizeof(sun)));
	close(fd);
	REQUIRE(!lstat(e.path, &st) && S_ISSOCK(st.st_mode));
	CHECK_EQ(call(&e, CTL_SHOW, 1), -ECONNREFUSED);
	CHECK(strstr(reply.error, "not running") &&
	      strstr(reply.error, e.path));
	REQUIRE(ctl_server_open(&e.srv, e.path, 0600) == 0);
	CHECK_EQ(ctl_server_open(&second, e.path, 0600), -EADDRINUSE);
	CHECK(second == NULL);
	env_start(&e);
	CHECK_EQ(call(&e, CTL_SHOW, 2), 0); /* the first still serves */
	env_stop(&e);
	env_close(&e);
}

/* A path that is not a socket is never removed. */
TEST(ctl_server_refuses_non_socket)
{
	struct ctl_server *s = NULL;
	char dir[] = "/tmp/tunsec-ctl.XXXXXX", path[64];
	struct stat st;
	FILE *f;

	REQUIRE(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	f = fopen(path, "w");
	REQUIRE(f);
	fputs("keep", f);
	fclose(f);
	CHECK_EQ(ctl_server_open(&s, path, 0600), -EEXIST);
	CHECK(!lstat(path, &st) && S_ISREG(st.st_mode) && st.st_size == 4);
	unlink(path);
	CHECK_EQ(symlink("/nonexistent", path), 0);
	CHECK_EQ(ctl_server_open(&s, path, 0600), -EEXIST);
	CHECK(!lstat(path, &st) && S_ISLNK(st.st_mode));
	unlink(path);
	rmdir(dir);
}

/* Closing does not remove a socket file that another server now owns. */
TEST(ctl_server_close_keeps_foreign_file)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct env e;
	struct stat st;
	int fd;

	REQUIRE(env_open(&e, 0600));
	unlink(e.path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	strcpy(sun.sun_path, e.path);
	REQUIRE(!bind(fd, (struct sockaddr *)&sun, sizeof(sun)));
	ctl_server_close(e.srv);
	e.srv = NULL;
	CHECK(!lstat(e.path, &st) && S_ISSOCK(st.st_mode));
	close(fd);
	env_close(&e);
}

/* No daemon: a clear message naming the path; a KEY is wiped anyway. */
TEST(ctl_client_not_running)
{
	static const uint8_t key[20] = { 0x42, 0x42, 0x42, 0x42 };
	char path[] = "/tmp/tunsec-ctl-none/ctl.sock";
	uint8_t b_buf[64];
	struct ctl_builder b;

	ctl_builder_init(&b, b_buf, sizeof(b_buf), CTL_SA_ADD, 1);
	ctl_put_bytes(&b, CTL_A_KEY, key, sizeof(key));
	CHECK_EQ(ctl_client_call(path, &b, &reply, 500), -ENOENT);
	CHECK(strstr(reply.error, "not running"));
	CHECK(strstr(reply.error, path));
	CHECK(all_zero(b_buf, sizeof(b_buf)));
}

/* A server that never answers: the call returns after its timeout. */
TEST(ctl_client_timeout)
{
	struct timespec t0, t1;
	uint8_t b_buf[64];
	struct ctl_builder b;
	struct env e;
	long ms;

	REQUIRE(env_open(&e, 0600));
	ctl_builder_init(&b, b_buf, sizeof(b_buf), CTL_SHOW, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(ctl_client_call(e.path, &b, &reply, 150), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 140 && ms < 1500);
	CHECK(strstr(reply.error, "no reply") && strstr(reply.error, e.path));
	env_close(&e);
}

/* Run call(SHOW) as uid/gid 65534 in a child while serving; the child's
 * exit status: 0 when the call returned |want_rc| and, on 0, STATUS
 * |want_status|. */
static int call_as_nobody(struct env *e, int want_rc, int want_status)
{
	int status = -1, i, rc;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		rc = call(e, CTL_SHOW, 1);
		_exit(rc == want_rc && (rc || reply.status == want_status) ?
			      0 : 1);
	}
	for (i = 0; i < 300 && waitpid(pid, &status, WNOHANG) == 0; i++)
		serve_once(e, 10);
	if (i == 300) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A peer with another uid gets -EPERM when the file lets it connect, and
 * cannot connect to a 0600 socket (needs root to change uid). */
TEST(ctl_server_peer_uid)
{
	char run[160];
	struct env e;

	if (geteuid() != 0) {
		printf("  skipped: needs root\n");
		return;
	}
	REQUIRE(env_open(&e, 0666));
	snprintf(run, sizeof(run), "%s/run", e.dir);
	chmod(e.dir, 0755);
	chmod(run, 0755);
	CHECK_EQ(call_as_nobody(&e, 0, -EPERM), 0);
	CHECK_EQ(atomic_load(&e.handled), 0);
	chmod(e.path, 0600);
	CHECK_EQ(call_as_nobody(&e, -EACCES, 0), 0);
	env_close(&e);
}

/* A fake daemon answering with canned bytes, to test the client's checks. */
struct fake {
	int lfd;
	const uint8_t *reply;
	size_t len;   /* 0: close without replying */
	bool echo_seq;
};

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	uint8_t req[256], out[256];
	int fd = accept(f->lfd, NULL, NULL);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = recv(fd, req, sizeof(req), 0);
	if (n >= 16 && f->len) {
		memcpy(out, f->reply, f->len);
		if (f->echo_seq)
			memcpy(out + 8, req + 8, 4);
		send(fd, out, f->len, MSG_NOSIGNAL);
	}
	close(fd);
	return NULL;
}

static int fake_call(const char *path, int lfd, const char *hex, bool echo)
{
	struct fake f = { .lfd = lfd, .echo_seq = echo };
	static uint8_t canned[256];
	uint8_t b_buf[64];
	struct ctl_builder b;
	pthread_t t;
	unsigned v;
	int rc;

	for (; *hex; hex++) {
		if (*hex == ' ' || sscanf(hex++, "%2x", &v) != 1)
			continue;
		canned[f.len++] = (uint8_t)v;
	}
	f.reply = canned;
	pthread_create(&t, NULL, fake_run, &f);
	ctl_builder_init(&b, b_buf, sizeof(b_buf), CTL_SHOW, 0x01020304);
	rc = ctl_client_call(path, &b, &reply, 2000);
	pthread_join(t, NULL);
	return rc;
}

TEST(ctl_client_checks_reply)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/tunsec-ctl.XXXXXX";
	int lfd;

	REQUIRE(mkdtemp(dir));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/fake.sock", dir);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	REQUIRE(!bind(lfd, (struct sockaddr *)&sun, sizeof(sun)));
	REQUIRE(!listen(lfd, 4));
#define REPLY_HDR(len) "54534331 8000 0000 00000000 " len
	/* Valid: STATUS -2 and a MESSAGE. */
	CHECK_EQ(fake_call(sun.sun_path, lfd, REPLY_HDR("00000020")
			   "0012 0008 fffffffe 0013 0007 616200 00", true), 0);
	CHECK_EQ(reply.status, -ENOENT);
	CHECK(reply.message && !strcmp(reply.message, "ab"));
	/* Wrong seq with status 0. */
	CHECK_EQ(fake_call(sun.sun_path, lfd, REPLY_HDR("00000018")
			   "0012 0008 00000000", false), -EBADMSG);
	CHECK(strstr(reply.error, "another request"));
	/* seq 0 with an error: accepted as the daemon's answer. */
	CHECK_EQ(fake_call(sun.sun_path, lfd, REPLY_HDR("00000018")
			   "0012 0008 ffffffb6", false), 0);
	CHECK_EQ(reply.status, -EBADMSG);
	/* No STATUS; a positive STATUS; a request type; bad magic. */
	CHECK_EQ(fake_call(sun.sun_path, lfd, REPLY_HDR("00000010"), true),
		 -EBADMSG);
	CHECK_EQ(fake_call(sun.sun_path, lfd, REPLY_HDR("00000018")
			   "0012 0008 00000001", true), -EBADMSG);
	CHECK_EQ(fake_call(sun.sun_path, lfd,
			   "54534331 0001 0000 00000000 00000018"
			   "0012 0008 00000000", true), -EBADMSG);
	CHECK_EQ(fake_call(sun.sun_path, lfd,
			   "00000000 8000 0000 00000000 00000018"
			   "0012 0008 00000000", true), -EBADMSG);
	CHECK(strstr(reply.error, "malformed reply") &&
	      strstr(reply.error, "bad magic"));
	/* Closed without a reply. */
	CHECK_EQ(fake_call(sun.sun_path, lfd, "", true), -ECONNRESET);
	CHECK(strstr(reply.error, "without replying"));
#undef REPLY_HDR
	close(lfd);
	unlink(sun.sun_path);
	rmdir(dir);
}
