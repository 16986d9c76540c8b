/* SPDX-License-Identifier: MIT */
/*
 * The daemon's end of the control socket (protocol in ctl/proto.h).
 *
 * The server owns a listening SOCK_SEQPACKET socket, up to CTL_CONN_MAX
 * connections and an epoll instance holding all of them. The daemon adds
 * ctl_server_fd() (that epoll fd) to its own epoll and calls
 * ctl_server_handle() whenever it is readable; nothing else is needed, and
 * no call ever blocks: a peer that does not read its reply is disconnected.
 *
 * One request is handled per ready connection per call, so a busy client
 * cannot starve the others or the data path; level-triggered readiness
 * brings the daemon back for the rest. Not thread-safe: one thread owns a
 * server.
 */
#ifndef TUNSEC_CTL_SERVER_H
#define TUNSEC_CTL_SERVER_H

#include <sys/types.h>

#include "ctl/msg.h"

struct ctl_server;

/*
 * Handle one valid request from an allowed peer. |req| and its buffer are
 * valid only during the call, and the buffer is wiped afterwards (it may hold
 * a KEY): a handler keeping key bytes copies them and wipes its copy. The
 * handler appends the reply's attributes to |reply| (type CTL_REPLY, the
 * request's seq, already started) and returns 0 or -errno:
 *  - 0: the server appends STATUS 0 unless the handler put a STATUS;
 *  - -errno: unless the handler put a STATUS (ctl_reply_error() does), the
 *    server replaces the reply by STATUS -errno and a MESSAGE naming it.
 * A reply that overflowed is replaced by STATUS -EMSGSIZE. The handler must
 * answer unknown request types with -EOPNOTSUPP.
 */
typedef int (*ctl_handler_fn)(void *arg, const struct ctl_msg *req,
			      struct ctl_builder *reply);

/*
 * Listen on the unix socket |path| with permissions |mode| (0600 for the
 * daemon). The parent directory is created with mode 0700 when missing (one
 * level only). An existing socket file is removed only when nothing accepts
 * connections on it. The socket is created under a umask that grants no
 * one else access and then set to |mode|, so it is never more open than
 * that; the umask change is process-wide, so call this before starting
 * threads that create files.
 * Returns 0 and *out, or: -EADDRINUSE when a server answers on |path|;
 * -EEXIST when |path| exists and is not a socket (it is left alone);
 * -ENAMETOOLONG; -ENOTDIR; -ENOMEM; or the -errno of a failed system call.
 */
int ctl_server_open(struct ctl_server **out, const char *path, mode_t mode);

/* An fd that is readable whenever ctl_server_handle() has work. */
int ctl_server_fd(const struct ctl_server *s);

/*
 * Accept new connections and serve one request on each ready connection,
 * replying before it returns. Connections that hang up, fail, or cannot
 * take their reply at once are closed. Returns 0, or -errno when the
 * server's epoll instance itself fails (the server stays usable).
 */
int ctl_server_handle(struct ctl_server *s, ctl_handler_fn handler,
		      void *arg);

/* Connections currently open (for tests and `tunsec show`). */
unsigned ctl_server_conn_count(const struct ctl_server *s);

/* Close every connection and the socket, and remove the socket file when
 * it is still the one this server created. NULL is a no-op. */
void ctl_server_close(struct ctl_server *s);

#endif
