/* SPDX-License-Identifier: MIT */
/*
 * Running the host's configuration tools (ip, nft) without a shell.
 *
 * The command is started with posix_spawnp() from an argument vector, so no
 * argument is ever interpreted by a shell. It runs with an empty signal mask,
 * default signal dispositions, a fixed environment (LC_ALL=C, so error
 * messages can be matched; PATH with the sbin directories), and in a process
 * group of its own, so a signal sent to the caller's group (a terminal's ^C)
 * does not cut short the cleanup the caller runs in response. Its stdin is
 * fed from a string (or is empty); its stdout and stderr are captured
 * together into a bounded buffer. A command still running after
 * RUN_TIMEOUT_MS is killed. Nothing that passes through here is secret.
 *
 * Blocking; not for the packet path. Thread-safe (no shared state). The
 * caller must not set SIGCHLD to SIG_IGN (the command could not be reaped
 * for its status).
 */
#ifndef TUNSEC_IO_RUN_H
#define TUNSEC_IO_RUN_H

#include <stddef.h>

/* A command that has not exited by then is killed with SIGKILL. */
#define RUN_TIMEOUT_MS 10000

/* Added to the signal number of a command killed by a signal. */
#define RUN_SIGNALED 256

/* Captured output kept for the log when the caller passes no buffer. */
#define RUN_LOG_MAX 512

/*
 * Run argv[0] (looked up in PATH) with arguments argv (NULL-terminated).
 * stdin_text, when not NULL, is written to the command's stdin, which is
 * then closed. The combined stdout and stderr are stored NUL-terminated in
 * out (at most out_cap - 1 bytes; the rest is read and discarded) when out
 * is not NULL.
 *
 * Returns the exit status (0..255), RUN_SIGNALED + the signal number when
 * the command was killed by a signal, -ETIMEDOUT when it was killed for running too
 * long, or -errno when it could not be started. A non-zero result is logged
 * as an error with the command line and its output.
 */
int run_argv(const char *const argv[], const char *stdin_text, char *out,
	     size_t out_cap);

/* As run_argv(), but never logs: for callers that expect failures (deleting
 * what may be absent) and judge the output themselves. */
int run_argv_quiet(const char *const argv[], const char *stdin_text,
		   char *out, size_t out_cap);

/* Log a command that failed with result r (as run_argv() returned it) and
 * its output (may be NULL), on one line. */
void run_log_failure(const char *const argv[], int r, const char *out);

#endif
