/* SPDX-License-Identifier: MIT */
/*
 * The keys process as tunsecd runs it (src/ike/keyproc.c): forked, named
 * "tunsecd-keys" (/proc/<pid>/comm), with only its socket, stderr and
 * /dev/null open (/proc/<pid>/fd; a descriptor the parent leaked without
 * CLOEXEC is closed), SIGHUP and SIGINT ignored (/proc/<pid>/status);
 * AUTH values, reload in place, the parent's table wiped, a crash answered
 * with -EPIPE until a reload starts a new process, stop and reaping, and
 * SIGTERM when its parent dies.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ike/keyproc.h"
#include "keyproc_util.h"
#include "test.h"

static bool read_proc(pid_t pid, const char *what, char *buf, size_t cap)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return true;
}

/* The child's descriptors: exactly 0 and 1 on /dev/null, 2, and 3 a
 * socket. Returns how many were as expected (4), or -1 when the directory
 * could not be read. */
static int check_fds(pid_t pid)
{
	char dir[64], path[384], target[256];
	struct dirent *d;
	int good = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		ssize_t n;
		int fd;

		if (d->d_name[0] == '.')
			continue;
		fd = atoi(d->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if ((fd <= 1 && !strcmp(target, "/dev/null")) || fd == 2 ||
		    (fd == 3 && !strncmp(target, "socket:", 7)))
			good++;
		else
			test_fail(__FILE__, __LINE__, "child fd %d -> %s", fd,
				  target);
	}
	closedir(dp);
	return good;
}

/* SIGHUP and SIGINT in the child's ignored set, SIGTERM not. */
static bool check_sigign(pid_t pid)
{
	char buf[2048], *p;
	unsigned long long mask;

	if (!read_proc(pid, "status", buf, sizeof(buf)))
		return false;
	p = strstr(buf, "SigIgn:");
	if (!p || sscanf(p + 7, "%llx", &mask) != 1)
		return false;
	return (mask >> (SIGHUP - 1) & 1) && (mask >> (SIGINT - 1) & 1) &&
	       !(mask >> (SIGTERM - 1) & 1);
}

static void check_auth(struct keyproc *kp, const struct keyproc_secret *s,
		       int want_err)
{
	uint8_t oct[100], out[48], want[48];

	test_rand_bytes(oct, sizeof(oct));
	CHECK_EQ(keyproc_auth_psk(kp, s->id, IKE_PRF_HMAC_SHA2_384, oct,
				  sizeof(oct), out, 48, KU_TMO), want_err);
	if (want_err)
		return;
	ku_ref_auth(IKE_PRF_HMAC_SHA2_384, s, oct, sizeof(oct), want);
	CHECK_MEM(out, want, 48);
}

static bool reaped(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD;
}

TEST(keyproc_fork)
{
	struct keyproc_secret t[3], copy[3], t2[2], copy2[2];
	struct keyproc kp;
	char comm[64];
	int leak[2];
	pid_t pid;

	REQUIRE(pipe(leak) == 0); /* no CLOEXEC: the child must close it */
	ku_table(t, 3, 4);
	memcpy(copy, t, sizeof(t));
	REQUIRE(keyproc_start(&kp, t, 3) == 0);
	pid = kp.pid;
	CHECK(pid > 0);
	CHECK(ku_all_zero(t, sizeof(t)));
	CHECK_EQ(keyproc_ping(&kp, KU_TMO), 0);
	check_auth(&kp, &copy[2], 0);
	check_auth(&kp, &copy[0], 0);
	CHECK(read_proc(pid, "comm", comm, sizeof(comm)));
	CHECK(!strcmp(comm, "tunsecd-keys\n"));
	CHECK_EQ(check_fds(pid), 4);
	CHECK(check_sigign(pid));

	ku_table(t2, 2, 1);
	t2[1].id = 100;
	memcpy(copy2, t2, sizeof(t2));
	CHECK_EQ(keyproc_reload(&kp, t2, 2, KU_TMO), 0);
	CHECK_EQ(kp.pid, pid);
	CHECK(ku_all_zero(t2, sizeof(t2)));
	check_auth(&kp, &copy2[1], 0);
	check_auth(&kp, &copy[2], -ENOENT);

	CHECK_EQ(keyproc_stop(&kp), 0);
	CHECK(reaped(pid));
	CHECK_EQ(kp.fd, -1);
	CHECK_EQ(kp.pid, 0);
	close(leak[0]);
	close(leak[1]);
}

/* A dead keys process: -EPIPE until a reload starts a new one. */
TEST(keyproc_fork_restart)
{
	struct keyproc_secret t[2], copy[2];
	struct keyproc kp;
	pid_t pid;

	ku_table(t, 2, 1);
	REQUIRE(keyproc_start(&kp, t, 2) == 0);
	pid = kp.pid;
	CHECK_EQ(keyproc_ping(&kp, KU_TMO), 0);
	kill(pid, SIGKILL);
	ku_table(copy, 2, 1);
	check_auth(&kp, &copy[1], -EPIPE);
	CHECK_EQ(keyproc_ping(&kp, KU_TMO), -EPIPE);

	ku_table(t, 2, 1);
	CHECK_EQ(keyproc_reload(&kp, t, 2, KU_TMO), 0);
	CHECK(reaped(pid));
	CHECK(kp.pid > 0 && kp.pid != pid);
	CHECK(ku_all_zero(t, sizeof(t)));
	check_auth(&kp, &copy[1], 0);
	pid = kp.pid;
	CHECK_EQ(keyproc_stop(&kp), 0);
	CHECK(reaped(pid));

	ku_table(t, 2, 1);
	t[1].id = 0;
	CHECK_EQ(keyproc_start(&kp, t, 2), -EINVAL);
	CHECK(ku_all_zero(t, sizeof(t)));
	CHECK_EQ(kp.fd, -1);
}

/* The parent dies without stopping it: the keys process gets SIGTERM.
 * A holder process keeps the parent's socket end open, so the keys
 * process does not see the socket close first. This process is made a
 * subreaper so both orphans come back to it. */
static void mid_run(int wfd)
{
	struct keyproc_secret t[1];
	struct keyproc kp;
	pid_t pids[2];

	ku_table(t, 1, 1);
	if (keyproc_start(&kp, t, 1) || keyproc_ping(&kp, KU_TMO))
		_exit(1);
	pids[0] = kp.pid;
	pids[1] = fork();
	if (pids[1] == 0)
		for (;;)
			pause();
	if (pids[1] < 0 || write(wfd, pids, sizeof(pids)) != sizeof(pids))
		_exit(1);
	_exit(0);
}

static pid_t wait_for(pid_t pid, int *status)
{
	pid_t r = 0;
	int i;

	for (i = 0; pid > 0 && i < 400 && r == 0; i++) {
		r = waitpid(pid, status, WNOHANG);
		if (r == 0)
			usleep(5000);
	}
	return r;
}

TEST(keyproc_fork_parent_death)
{
	pid_t mid, pids[2] = { 0, 0 };
	int p[2], status = 0;

	REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	REQUIRE(pipe(p) == 0);
	mid = fork();
	if (mid == 0)
		mid_run(p[1]);
	REQUIRE(mid > 0);
	close(p[1]);
	CHECK_EQ(read(p[0], pids, sizeof(pids)), (ssize_t)sizeof(pids));
	close(p[0]);
	CHECK_EQ(waitpid(mid, &status, 0), mid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(wait_for(pids[0], &status), pids[0]);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	if (pids[1] > 0) {
		kill(pids[1], SIGKILL);
		CHECK_EQ(waitpid(pids[1], NULL, 0), pids[1]);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}
