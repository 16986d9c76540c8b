/* SPDX-License-Identifier: MIT */
#include "io/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

/* The whole environment of a command: messages in English so callers can
 * recognise "not found" answers, and the directories ip and nft live in. */
static char *const run_env[] = {
	"LC_ALL=C",
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	NULL,
};

/* One running command and our ends of its stdin and output. */
struct child {
	pid_t pid;
	int in_fd;            /* -1 once all of stdin is written or refused */
	int out_fd;           /* -1 at end of output */
	const char *in;
	size_t in_left;
	char *out;            /* out_cap > 0: room for a terminating NUL */
	size_t out_cap, out_len;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int spawn_attrs(posix_spawnattr_t *attr)
{
	sigset_t none, all;
	int err;

	sigemptyset(&none);
	sigfillset(&all);
	err = posix_spawnattr_init(attr);
	if (err)
		return -err;
	err = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK |
					     POSIX_SPAWN_SETSIGDEF |
					     POSIX_SPAWN_SETPGROUP);
	if (!err)
		err = posix_spawnattr_setpgroup(attr, 0);
	if (!err)
		err = posix_spawnattr_setsigmask(attr, &none);
	if (!err)
		err = posix_spawnattr_setsigdefault(attr, &all);
	if (err)
		posix_spawnattr_destroy(attr);
	return -err;
}

static int spawn_files(posix_spawn_file_actions_t *fa, int in, int out)
{
	int err = posix_spawn_file_actions_init(fa);

	if (err)
		return -err;
	err = posix_spawn_file_actions_adddup2(fa, in, STDIN_FILENO);
	if (!err)
		err = posix_spawn_file_actions_adddup2(fa, out, STDOUT_FILENO);
	if (!err)
		err = posix_spawn_file_actions_adddup2(fa, out, STDERR_FILENO);
	if (err)
		posix_spawn_file_actions_destroy(fa);
	return -err;
}

/*
 * Start argv with a socket as stdin (so writing to a command that exited
 * gives EPIPE, not SIGPIPE) and a pipe as stdout and stderr. All our
 * descriptors are close-on-exec; only the dup2() copies reach the command.
 */
static int child_start(struct child *c, const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int in[2], out[2], err;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		err = -errno;
		goto out_in;
	}
	err = spawn_files(&fa, in[1], out[1]);
	if (err)
		goto out_out;
	err = spawn_attrs(&attr);
	if (!err) {
		err = -posix_spawnp(&c->pid, argv[0], &fa, &attr,
				    (char *const *)argv, run_env);
		posix_spawnattr_destroy(&attr);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		goto out_out;
	close(in[1]);
	close(out[1]);
	c->in_fd = in[0];
	c->out_fd = out[0];
	return 0;
out_out:
	close(out[0]);
	close(out[1]);
out_in:
	close(in[0]);
	close(in[1]);
	return err;
}

static void child_feed(struct child *c)
{
	ssize_t n = send(c->in_fd, c->in, c->in_left,
			 MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			close_fd(&c->in_fd); /* the command stopped reading */
		return;
	}
	c->in += n;
	c->in_left -= (size_t)n;
	if (!c->in_left)
		close_fd(&c->in_fd);
}

/* Keep what fits in c->out, discard the rest, close at end of output. */
static void child_drain(struct child *c)
{
	char sink[512];
	size_t room = c->out_cap > c->out_len + 1 ? c->out_cap - c->out_len - 1 : 0;
	char *dst = room ? c->out + c->out_len : sink;
	ssize_t n = read(c->out_fd, dst, room ? room : sizeof(sink));

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			close_fd(&c->out_fd);
		return;
	}
	if (!n) {
		close_fd(&c->out_fd);
		return;
	}
	if (room) {
		c->out_len += (size_t)n;
		c->out[c->out_len] = '\0';
	}
}

/* Pump stdin and output until both are done or the deadline passes. */
static int child_pump(struct child *c, long long deadline)
{
	while (c->in_fd >= 0 || c->out_fd >= 0) {
		struct pollfd pfd[2] = {
			{ .fd = c->in_fd, .events = POLLOUT },
			{ .fd = c->out_fd, .events = POLLIN },
		};
		long long left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(pfd, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (c->in_fd >= 0 && pfd[0].revents)
			child_feed(c);
		if (c->out_fd >= 0 && pfd[1].revents)
			child_drain(c);
	}
	return 0;
}

/* Reap the command: its status as run_argv() reports it. */
static int child_wait(struct child *c, long long deadline)
{
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(c->pid, &status, WNOHANG);
		if (r == c->pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return RUN_SIGNALED + WTERMSIG(status);
}

static void child_kill(struct child *c)
{
	int status;

	kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
}

int run_argv_quiet(const char *const argv[], const char *stdin_text,
		   char *out, size_t out_cap)
{
	struct child c = {
		.in = stdin_text ? stdin_text : "",
		.in_left = stdin_text ? strlen(stdin_text) : 0,
		.out = out,
		.out_cap = out ? out_cap : 0,
	};
	long long deadline = now_ms() + RUN_TIMEOUT_MS;
	int err;

	if (out && out_cap)
		out[0] = '\0';
	if (!argv || !argv[0])
		return -EINVAL;
	err = child_start(&c, argv);
	if (err)
		return err;
	if (!c.in_left)
		close_fd(&c.in_fd);
	err = child_pump(&c, deadline);
	close_fd(&c.in_fd);
	close_fd(&c.out_fd);
	if (err) {
		child_kill(&c); /* its output cannot be read: give up on it */
		return err;
	}
	err = child_wait(&c, deadline);
	if (err == -ETIMEDOUT)
		child_kill(&c);
	return err;
}

/* "ip -6 rule add ..." for the log, truncated to fit. */
static void format_argv(const char *const argv[], char *buf, size_t cap)
{
	size_t len = 0;
	int n;

	buf[0] = '\0';
	for (; *argv && len < cap; argv++) {
		n = snprintf(buf + len, cap - len, "%s%s", len ? " " : "", *argv);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/* One log line: newlines and tabs become spaces, trailing ones go. */
static void flatten(char *s)
{
	size_t len = strlen(s);

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	for (; *s; s++)
		if (*s == '\n' || *s == '\t')
			*s = ' ';
}

void run_log_failure(const char *const argv[], int r, const char *out)
{
	char cmd[256], text[RUN_LOG_MAX];

	format_argv(argv, cmd, sizeof(cmd));
	if (r < 0) {
		log_err("%s: %s", cmd, strerror(-r));
		return;
	}
	snprintf(text, sizeof(text), "%s", out ? out : "");
	flatten(text);
	if (r >= RUN_SIGNALED)
		log_err("%s: killed by signal %d: %s", cmd, r - RUN_SIGNALED, text);
	else
		log_err("%s: exit status %d: %s", cmd, r, text);
}

int run_argv(const char *const argv[], const char *stdin_text, char *out,
	     size_t out_cap)
{
	char own[RUN_LOG_MAX];
	char *buf = out ? out : own;
	size_t cap = out ? out_cap : sizeof(own);
	int r = run_argv_quiet(argv, stdin_text, buf, cap);

	if (r)
		run_log_failure(argv, r, cap ? buf : NULL);
	return r;
}
