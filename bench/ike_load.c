/* SPDX-License-Identifier: MIT */
/*
 * IKEv2 handshake load against one responder (tunsecd, charon, ...): a
 * number of initiator slots, each running IKE_SA_INIT then IKE_AUTH with
 * its Child SA (RFC 7296 §1.2), then deleting the IKE SA (§1.4.1), over and
 * over. Not a test: it measures handshakes completed per second and, from
 * /proc, the CPU time the responder's processes spent on them.
 *
 *   ike_load --local ADDR --remote ADDR --psk-file FILE [--addresses N]
 *            [--parallel C] [--workers P] [--warmup S] [--seconds S]
 *            [--ike NAMES] [--esp NAMES] [--local-ts PREFIX]
 *            [--remote-ts PREFIX] [--cpu-pid PID]... [--label NAME]
 *            [--json FILE] [--verbose]
 *
 * The initiators are tunsec's own IKE engine (src/ike/ike.h): each of P
 * worker processes runs one engine with C/P peer configurations ("slots"),
 * all naming the responder. Slot k of the C speaks from address ADDR + (k
 * mod N) (N addresses from ADDR up, which must be on a local interface),
 * with that address as its identity (ID_IPV4_ADDR / ID_IPV6_ADDR), through
 * a UDP socket of its worker bound to that address and an ephemeral port.
 * Many addresses keep each source under the responders' per-address
 * bounds on half-open SAs (and their cookie triggers, RFC 7296 §2.6). The
 * responder answers to the source port each request came from (§2.11;
 * port 4500 with the non-ESP marker after IKE_SA_INIT, RFC 3948 §2.2,
 * since the engine always claims a NAT). A slot whose Child SA is up sends
 * its DELETE and starts the next handshake at once.
 *
 * A handshake counts when the engine puts its Child SA in force: by then
 * it has verified the responder's AUTH payload (exchange_auth.c), so the
 * count is of handshakes really completed. Counted are those completed in
 * the measured window [warmup, warmup + seconds); the responder's CPU time
 * (utime + stime of /proc/PID/stat, which covers all of a process's
 * threads) is read at both ends of the window for every --cpu-pid.
 *
 * FILE holds the shared key in hex (an optional 0x); it is wiped from
 * memory after use. An alarm ends every worker within warmup + seconds
 * + 7 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ike/ike.h"
#include "ike/prf.h"
#include "io/udp.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/secure.h"

#define PIDS_MAX 16
#define ADDRS_MAX 256
#define WORKERS_MAX_LOAD 16
#define SLOTS_MAX 1024
#define PSK_MAX 256
#define DRAIN_MS 2000       /* after the window: DELETEs answered */
#define POLL_MS 20          /* longest sleep between timer runs */
#define SCAN_MS 200         /* how often stuck SAs are looked for */

struct opts {
	struct ip_addr local, remote;
	struct ip_prefix local_ts, remote_ts;
	const char *psk_file, *ike, *esp, *label, *json;
	unsigned parallel, workers, naddrs;
	bool verbose;             /* the engine's warnings on stderr */
	double warmup, seconds;
	pid_t pids[PIDS_MAX];
	unsigned npids;
};

/* What a worker counted in the measured window. */
struct counts {
	uint64_t handshakes;      /* Child SA in force: AUTH verified */
	uint64_t established;     /* the engine's count of IKE SAs up */
	uint64_t no_child;        /* IKE SA up, Child SA refused */
	uint64_t failed, retransmits, deleted;
	double latency_ms;        /* sum over the handshakes counted */
	double cpu_s;             /* the worker's own CPU time */
};

/* A worker's socket for one local address. */
struct sock {
	struct ip_addr addr;
	int fd;
};

struct worker {
	struct sock *socks;       /* one per local address the slots use */
	unsigned nsocks;
	struct ike ike;
	uint8_t psk[PSK_MAX];     /* secret */
	size_t psk_len;
	unsigned nslots;
	bool *done;               /* slot's Child SA up: delete it */
	uint64_t *started;        /* when the slot's handshake began */
	uint64_t t0, t1;          /* the window, CLOCK_MONOTONIC ms */
	struct ike_stats at0;     /* the engine's counters at t0 */
	double cpu0;
	struct counts c;
};

/* ---- time and CPU ---- */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_until_ms(uint64_t at)
{
	struct timespec ts = { .tv_sec = (time_t)(at / 1000),
			       .tv_nsec = (long)(at % 1000) * 1000000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* utime + stime of process pid, in clock ticks; -1 when it is gone. The
 * command name in parentheses may hold blanks: fields count from the last
 * ')'. */
static long long proc_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* Ticks of every --cpu-pid together; -1 when one of them is gone. */
static long long pids_ticks(const struct opts *o)
{
	long long sum = 0, t;
	unsigned i;

	for (i = 0; i < o->npids; i++) {
		t = proc_ticks(o->pids[i]);
		if (t < 0)
			return -1;
		sum += t;
	}
	return sum;
}

/* Busy ticks of the whole machine (/proc/stat: user nice system irq
 * softirq steal). */
static long long machine_ticks(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "re");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return -1;
	return (long long)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
}

/* ---- the engine's world ---- */

static int env_send(void *ctx, const struct ike_endpoint *local,
		    const struct ike_endpoint *remote, bool marker,
		    const uint8_t *buf, size_t len)
{
	struct worker *w = ctx;
	uint8_t out[4 + IKE_MSG_MAX];
	size_t off = marker ? 4 : 0;
	unsigned i;

	for (i = 0; i < w->nsocks; i++)
		if (addr_equal(&w->socks[i].addr, &local->addr))
			break;
	if (len > IKE_MSG_MAX || i == w->nsocks)
		return -EINVAL;
	memset(out, 0, off);
	memcpy(out + off, buf, len);
	return udp_send(w->socks[i].fd, out, off + len, &remote->addr,
			remote->port) < 0
		       ? -EIO
		       : 0;
}

/* AUTH for the shared key (RFC 7296 §2.15): prf(prf(psk, "Key Pad for
 * IKEv2"), octets). */
static int env_auth(void *ctx, unsigned peer, enum ike_prf_alg prf,
		    const uint8_t *octets, size_t len, uint8_t *out,
		    size_t out_len)
{
	static const char pad[] = "Key Pad for IKEv2";
	struct worker *w = ctx;
	uint8_t k[IKE_PRF_LEN_MAX];
	struct ike_bytes p = { (const uint8_t *)pad, sizeof(pad) - 1 };
	struct ike_bytes o = { octets, len };
	int err = -EINVAL;

	(void)peer;
	if (out_len != ike_prf_len(prf) ||
	    ike_prf(prf, w->psk, w->psk_len, &p, 1, k))
		goto out;
	err = ike_prf(prf, k, out_len, &o, 1, out);
out:
	secure_zero(k, sizeof(k));
	return err;
}

static bool in_window(const struct worker *w, uint64_t now)
{
	return now >= w->t0 && now < w->t1;
}

/* The initiator puts a Child SA in force only after IKE_AUTH's answer
 * verified: the handshake is complete. */
static int env_child_up(void *ctx, const struct ike_child_sa *c,
			unsigned halves)
{
	struct worker *w = ctx;
	uint64_t now = mono_ms();

	if (halves != (IKE_HALF_IN | IKE_HALF_OUT) || c->peer >= w->nslots)
		return 0;
	w->done[c->peer] = true;
	if (in_window(w, now)) {
		w->c.handshakes++;
		w->c.latency_ms += (double)(now - w->started[c->peer]);
	}
	return 0;
}

static void env_child_down(void *ctx, unsigned peer, uint32_t in,
			   uint32_t out)
{
	(void)ctx, (void)peer, (void)in, (void)out;
}

static uint64_t env_now(void *ctx)
{
	(void)ctx;
	return mono_ms();
}

static void env_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	if (RAND_bytes(buf, (int)len) != 1)
		abort(); /* no randomness: nothing safe can follow */
}

/* ---- configuration ---- */

static void ident_ip(struct ike_ident *id, const struct ip_addr *a)
{
	id->type = a->family == AF_INET6 ? IKE_ID_IPV6_ADDR : IKE_ID_IPV4_ADDR;
	id->len = addr_len(a->family);
	memcpy(id->data, a->bytes, id->len);
}

/* base + k: the address k places after base (carries over bytes). */
static struct ip_addr addr_nth(const struct ip_addr *base, unsigned k)
{
	struct ip_addr a = *base;
	unsigned i = addr_len(a.family), sum;

	while (k && i--) {
		sum = a.bytes[i] + (k & 0xff);
		a.bytes[i] = (uint8_t)sum;
		k = (k >> 8) + (sum >> 8);
	}
	return a;
}

/* Slot k's configuration (k counts over all workers): its address and
 * identity, a tunnel-mode Child SA local_ts <-> remote_ts, never rekeyed,
 * no liveness checks. */
static int slot_cfg(const struct opts *o, unsigned k, struct ike_peer_cfg *c)
{
	const char *why;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "slot%u", k);
	c->local.addr = addr_nth(&o->local, k % o->naddrs);
	c->remote.addr = o->remote;
	c->local.port = c->remote.port = IKE_PORT;
	c->esp_port = IKE_NATT_PORT;
	ident_ip(&c->local_id, &c->local.addr);
	ident_ip(&c->remote_id, &o->remote);
	if (ike_proposals_parse(o->ike, IKE_PROP_IKE, c->ike, IKE_OFFERS_MAX,
				&c->nike, &why, NULL, 0) ||
	    ike_proposals_parse(o->esp, IKE_PROP_ESP, c->esp, IKE_OFFERS_MAX,
				&c->nesp, &why, NULL, 0)) {
		fprintf(stderr, "ike_load: proposals: %s\n", why);
		return -EINVAL;
	}
	c->mode = ESP_MODE_TUNNEL;
	c->sel[0].src = o->local_ts;
	c->sel[0].dst = o->remote_ts;
	c->sel[0].sport_hi = c->sel[0].dport_hi = 0xffff;
	c->nsel = 1;
	c->start = IKE_START_WAIT;
	c->rtx_ms = 1000;
	c->rtx_tries = 3;
	return 0;
}

static int read_psk(const char *file, uint8_t *out, size_t *len)
{
	char text[2 * PSK_MAX + 8];
	FILE *f = fopen(file, "re");
	size_t n;
	int r;

	if (!f)
		return -errno;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	text[n] = 0;
	r = hex_decode(text, out, PSK_MAX);
	secure_zero(text, sizeof(text));
	if (r <= 0)
		return -EINVAL;
	*len = (size_t)r;
	return 0;
}

/* ---- one worker ---- */

/* A socket for the address of cfg unless the worker has one. */
static int worker_sock(struct worker *w, const struct ike_peer_cfg *cfg)
{
	struct sock *k;
	unsigned i;

	for (i = 0; i < w->nsocks; i++)
		if (addr_equal(&w->socks[i].addr, &cfg->local.addr))
			return 0;
	k = &w->socks[w->nsocks];
	k->addr = cfg->local.addr;
	k->fd = -1;
	w->nsocks++;
	return udp_open(&k->addr, 0, 0, &k->fd);
}

/* The engine over slots [first, first + n) and their sockets. */
static int worker_init(struct worker *w, const struct opts *o,
		       unsigned first, unsigned n)
{
	struct ike_env env = {
		.ctx = w, .send = env_send, .auth_psk = env_auth,
		.child_up = env_child_up, .child_down = env_child_down,
		.now_ms = env_now, .random = env_random,
	};
	struct ike_peer_cfg *cfg = calloc(n, sizeof(*cfg));
	unsigned i;
	int err = 0;

	w->nslots = n;
	w->done = calloc(n, sizeof(*w->done));
	w->started = calloc(n, sizeof(*w->started));
	w->socks = calloc(n, sizeof(*w->socks));
	if (!cfg || !w->done || !w->started || !w->socks)
		err = -ENOMEM;
	for (i = 0; !err && i < n; i++)
		err = slot_cfg(o, first + i, &cfg[i]);
	for (i = 0; !err && i < n; i++)
		err = worker_sock(w, &cfg[i]);
	if (!err)
		err = read_psk(o->psk_file, w->psk, &w->psk_len);
	if (!err)
		err = ike_init(&w->ike, &env, cfg, n);
	free(cfg);
	return err;
}

/* Datagrams for the engine on one socket; from port 4500 only behind the
 * non-ESP marker. */
static void worker_receive(struct worker *w, const struct sock *k)
{
	static uint8_t buf[4 + IKE_MSG_MAX];
	struct ike_endpoint l = { .addr = k->addr }, r;
	bool natt;
	ssize_t n;
	int i;

	for (i = 0; i < 64; i++) {
		n = udp_recv(k->fd, buf, sizeof(buf), &r.addr, &r.port);
		if (n == -EAGAIN)
			return;
		if (n < 0)
			continue;
		natt = r.port == IKE_NATT_PORT;
		if (natt && (n < 4 || buf[0] | buf[1] | buf[2] | buf[3]))
			continue;
		l.port = natt ? IKE_NATT_PORT : IKE_PORT;
		ike_input(&w->ike, &l, &r, buf + (natt ? 4 : 0),
			  (size_t)n - (natt ? 4 : 0));
	}
}

/* Slots whose Child SA came up send their DELETE; with starting, every
 * slot without an IKE SA starts its next handshake. */
static void worker_slots(struct worker *w, bool starting)
{
	unsigned i;

	for (i = 0; i < w->nslots; i++) {
		if (w->done[i]) {
			w->done[i] = false;
			ike_down(&w->ike, i);
		}
		if (starting && ike_up(&w->ike, i) == 0)
			w->started[i] = mono_ms();
	}
}

/* An IKE SA up without a Child SA (the responder refused it) would hold
 * its slot for ever: delete it. */
static void worker_scan(struct worker *w, uint64_t now)
{
	struct ike_sa_info info;
	unsigned i;

	for (i = 0; ike_sa_get(&w->ike, i, &info); i++) {
		if (!info.initiator || info.children ||
		    strcmp(info.state, "established") || w->done[info.peer])
			continue;
		if (in_window(w, now))
			w->c.no_child++;
		w->done[info.peer] = true;
	}
}

/* The engine's counters at the window's start, and at its end the
 * differences. */
static void worker_mark(struct worker *w)
{
	w->at0 = w->ike.stats;
	w->cpu0 = self_cpu_s();
}

static void worker_tally(struct worker *w)
{
	const struct ike_stats *s = &w->ike.stats;

	w->c.established = s->established - w->at0.established;
	w->c.failed = s->failed - w->at0.failed;
	w->c.retransmits = s->retransmits - w->at0.retransmits;
	w->c.deleted = s->deleted - w->at0.deleted;
	w->c.cpu_s = self_cpu_s() - w->cpu0;
}

static void worker_step(struct worker *w, struct pollfd *p, uint64_t next,
			bool starting)
{
	uint64_t now = mono_ms();
	int wait = next <= now ? 0 : (int)(next - now);
	unsigned i;

	if (poll(p, w->nsocks, wait < POLL_MS ? wait : POLL_MS) > 0)
		for (i = 0; i < w->nsocks; i++)
			if (p[i].revents & POLLIN)
				worker_receive(w, &w->socks[i]);
	worker_slots(w, starting);
}

enum phase { WARMING, COUNTING, DRAINING };

/* Run the load until t1, then let the DELETEs be answered. */
static void worker_run(struct worker *w, struct pollfd *p)
{
	enum phase phase = WARMING;
	uint64_t scan = 0, next, now;

	worker_slots(w, true);
	while ((now = mono_ms()) < w->t1 + DRAIN_MS) {
		if (phase == WARMING && now >= w->t0) {
			phase = COUNTING;
			worker_mark(w);
		}
		if (phase == COUNTING && now >= w->t1) {
			phase = DRAINING;
			worker_tally(w);
		}
		if (now >= scan) {
			worker_scan(w, now);
			scan = now + SCAN_MS;
		}
		next = ike_tick(&w->ike);
		if (phase == DRAINING && !w->ike.nsas)
			break;
		worker_step(w, p, next, phase != DRAINING);
	}
}

static void worker_free(struct worker *w)
{
	unsigned i;

	ike_shutdown(&w->ike);
	ike_free(&w->ike);
	for (i = 0; i < w->nsocks; i++)
		if (w->socks[i].fd >= 0)
			close(w->socks[i].fd);
	secure_zero(w->psk, sizeof(w->psk));
	free(w->socks);
	free(w->done);
	free(w->started);
}

static int worker_go(struct worker *w)
{
	struct pollfd *p = calloc(w->nsocks, sizeof(*p));
	unsigned i;

	if (!p)
		return -ENOMEM;
	for (i = 0; i < w->nsocks; i++) {
		p[i].fd = w->socks[i].fd;
		p[i].events = POLLIN;
	}
	worker_run(w, p);
	free(p);
	return 0;
}

/* The child process of one worker, slots [first, first + n): its counts
 * to fd out. */
static int worker_main(const struct opts *o, unsigned first, unsigned n,
		       uint64_t t0, uint64_t t1, int out)
{
	struct worker w = { .t0 = t0, .t1 = t1 };
	int err;

	alarm((unsigned)((t1 - mono_ms()) / 1000) + DRAIN_MS / 1000 + 5);
	err = worker_init(&w, o, first, n);
	if (!err)
		err = worker_go(&w);
	if (err)
		fprintf(stderr, "ike_load: worker: %s\n", strerror(-err));
	worker_free(&w);
	if (!err && write(out, &w.c, sizeof(w.c)) != (ssize_t)sizeof(w.c))
		err = -EIO;
	return err ? 1 : 0;
}

/* ---- the run ---- */

/* What the parent measured around the window. */
struct sample {
	long long resp0, resp1;   /* the responder's ticks; -1: gone */
	long long mach0, mach1;   /* the machine's busy ticks */
};

/* Fork the workers, slots spread over them; pipes[i] reads worker i. */
static int spawn(const struct opts *o, uint64_t t0, uint64_t t1,
		 pid_t *kids, int *pipes)
{
	unsigned i, n, first = 0;
	int fds[2];

	for (i = 0; i < o->workers; i++, first += n) {
		n = o->parallel / o->workers + (i < o->parallel % o->workers);
		if (pipe2(fds, O_CLOEXEC))
			return -errno;
		fflush(NULL);
		kids[i] = fork();
		if (kids[i] < 0)
			return -errno;
		if (kids[i] == 0) {
			close(fds[0]);
			_exit(worker_main(o, first, n, t0, t1, fds[1]));
		}
		close(fds[1]);
		pipes[i] = fds[0];
	}
	return 0;
}

/* Wait for every worker and add up what they counted. */
static int collect(const struct opts *o, const pid_t *kids, const int *pipes,
		   struct counts *sum)
{
	struct counts c;
	unsigned i;
	int st, bad = 0;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < o->workers; i++) {
		if (read(pipes[i], &c, sizeof(c)) != (ssize_t)sizeof(c))
			bad = -EIO;
		else {
			sum->handshakes += c.handshakes;
			sum->established += c.established;
			sum->no_child += c.no_child;
			sum->failed += c.failed;
			sum->retransmits += c.retransmits;
			sum->deleted += c.deleted;
			sum->latency_ms += c.latency_ms;
			sum->cpu_s += c.cpu_s;
		}
		close(pipes[i]);
		if (waitpid(kids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			bad = -EIO;
	}
	return bad;
}

static void report(const struct opts *o, const struct counts *c,
		   const struct sample *s, FILE *f)
{
	double hz = (double)sysconf(_SC_CLK_TCK);
	double resp = s->resp0 < 0 || s->resp1 < 0
			      ? -1
			      : (double)(s->resp1 - s->resp0) / hz;
	double mach = (double)(s->mach1 - s->mach0) / hz;
	double rate = (double)c->handshakes / o->seconds;

	fprintf(f, "{\"label\": \"%s\", \"parallel\": %u, \"workers\": %u, "
		   "\"addresses\": %u, \"warmup_s\": %.1f, \"seconds\": %.1f, ",
		o->label, o->parallel, o->workers, o->naddrs, o->warmup,
		o->seconds);
	fprintf(f, "\"handshakes\": %" PRIu64 ", \"established\": %" PRIu64
		   ", \"no_child\": %" PRIu64 ", \"failed\": %" PRIu64
		   ", \"retransmits\": %" PRIu64 ", \"deleted\": %" PRIu64 ", ",
		c->handshakes, c->established, c->no_child, c->failed,
		c->retransmits, c->deleted);
	fprintf(f, "\"rate\": %.1f, \"latency_ms\": %.2f, "
		   "\"responder_cpu_s\": %.2f, \"per_cpu_s\": %.1f, "
		   "\"generator_cpu_s\": %.2f, \"machine_cpu_s\": %.2f}\n",
		rate, c->handshakes ? c->latency_ms / (double)c->handshakes : 0,
		resp, resp > 0 ? (double)c->handshakes / resp : 0, c->cpu_s,
		mach);
}

static int run(const struct opts *o)
{
	uint64_t start = mono_ms() + 100;
	uint64_t t0 = start + (uint64_t)(o->warmup * 1000);
	uint64_t t1 = t0 + (uint64_t)(o->seconds * 1000);
	pid_t kids[WORKERS_MAX_LOAD];
	int pipes[WORKERS_MAX_LOAD];
	struct sample s;
	struct counts c;
	FILE *f;
	int err;

	err = spawn(o, t0, t1, kids, pipes);
	if (err)
		return err; /* the workers end by their alarm */
	sleep_until_ms(t0);
	s.resp0 = pids_ticks(o);
	s.mach0 = machine_ticks();
	sleep_until_ms(t1);
	s.resp1 = pids_ticks(o);
	s.mach1 = machine_ticks();
	err = collect(o, kids, pipes, &c);
	report(o, &c, &s, stdout);
	if (o->json && (f = fopen(o->json, "we"))) {
		report(o, &c, &s, f);
		fclose(f);
	}
	if (!err && o->npids && (s.resp0 < 0 || s.resp1 < 0))
		err = -ESRCH; /* the responder died */
	return err;
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: ike_load --local ADDR --remote ADDR --psk-file FILE\n"
		   "  [--addresses N] [--parallel C] [--workers P] [--warmup S] [--seconds S]\n"
		   "  [--ike NAMES] [--esp NAMES] [--local-ts PREFIX]\n"
		   "  [--remote-ts PREFIX] [--cpu-pid PID]... [--label NAME]\n"
		   "  [--json FILE] [--verbose]\n");
}

static int opt_pid(struct opts *o, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v <= 0 || o->npids == PIDS_MAX)
		return -EINVAL;
	o->pids[o->npids++] = (pid_t)v;
	return 0;
}

static int opt_one(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 'l': return addr_parse(arg, &o->local) ? -EINVAL : 0;
	case 'r': return addr_parse(arg, &o->remote) ? -EINVAL : 0;
	case 'k': o->psk_file = arg; return 0;
	case 'a': o->naddrs = (unsigned)atoi(arg); return 0;
	case 'c': o->parallel = (unsigned)atoi(arg); return 0;
	case 'w': o->workers = (unsigned)atoi(arg); return 0;
	case 'W': o->warmup = atof(arg); return 0;
	case 's': o->seconds = atof(arg); return 0;
	case 'i': o->ike = arg; return 0;
	case 'e': o->esp = arg; return 0;
	case 'L': return prefix_parse(arg, &o->local_ts) ? -EINVAL : 0;
	case 'R': return prefix_parse(arg, &o->remote_ts) ? -EINVAL : 0;
	case 'p': return opt_pid(o, arg);
	case 'n': o->label = arg; return 0;
	case 'j': o->json = arg; return 0;
	case 'v': o->verbose = true; return 0;
	default: return -EINVAL;
	}
}

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ "psk-file", required_argument, NULL, 'k' },
		{ "addresses", required_argument, NULL, 'a' },
		{ "parallel", required_argument, NULL, 'c' },
		{ "workers", required_argument, NULL, 'w' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "seconds", required_argument, NULL, 's' },
		{ "ike", required_argument, NULL, 'i' },
		{ "esp", required_argument, NULL, 'e' },
		{ "local-ts", required_argument, NULL, 'L' },
		{ "remote-ts", required_argument, NULL, 'R' },
		{ "cpu-pid", required_argument, NULL, 'p' },
		{ "label", required_argument, NULL, 'n' },
		{ "json", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1)
		if (opt_one(o, c, optarg))
			return -EINVAL;
	if (optind != argc || !o->local.family || !o->remote.family ||
	    !o->psk_file || !o->local_ts.addr.family ||
	    !o->remote_ts.addr.family || !o->workers ||
	    o->workers > WORKERS_MAX_LOAD || !o->naddrs ||
	    o->naddrs > ADDRS_MAX || o->parallel < o->workers ||
	    o->parallel > SLOTS_MAX || o->seconds <= 0 || o->warmup < 0)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.ike = "aes256gcm16-prfsha256-x25519", .esp = "aes256gcm16",
		.label = "ike", .parallel = 16, .workers = 1,
		.naddrs = 1, .warmup = 2,
		.seconds = 10,
	};

	if (parse(&o, argc, argv)) {
		usage(stderr);
		return 2;
	}
	log_set_level(o.verbose ? LOG_WARN : LOG_ERR);
	signal(SIGPIPE, SIG_IGN);
	if (run(&o)) {
		fprintf(stderr, "ike_load: the run failed (a worker or the "
				"responder did not last)\n");
		return 1;
	}
	return 0;
}
