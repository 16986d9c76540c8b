/* SPDX-License-Identifier: MIT */
/*
 * The client's end of the control socket: one request, one reply
 * (protocol in ctl/proto.h). Blocks the calling thread for at most the
 * timeout given; thread-safe for distinct replies.
 */
#ifndef TUNSEC_CTL_CLIENT_H
#define TUNSEC_CTL_CLIENT_H

#include "ctl/msg.h"

/* A reasonable default for interactive commands. */
#define CTL_CALL_TIMEOUT_MS 5000

/* What a call brings back. Large (CTL_MSG_MAX bytes): allocate it on the
 * heap or statically. */
struct ctl_reply {
	struct ctl_msg msg;    /* the reply; points into buf */
	int status;            /* its STATUS: 0 or -errno from the daemon */
	const char *message;   /* its MESSAGE, or NULL; points into buf */
	char error[256];       /* why the call failed, when it returned < 0 */
	uint8_t buf[CTL_MSG_MAX];
};

/*
 * Send the request in |req| (finished here) to the daemon listening on
 * |path| and wait up to |timeout_ms| (CTL_CALL_TIMEOUT_MS when <= 0) for
 * the whole exchange.
 *
 * Returns 0 when a valid reply arrived; the daemon's verdict is then in
 * reply->status (and reply->message). Returns -errno when no valid reply
 * came, with a one-line explanation naming |path| in reply->error:
 * -ENOENT or -ECONNREFUSED when the daemon is not running, -EACCES when the
 * socket may not be opened, -ETIMEDOUT, -ECONNRESET when the daemon closed
 * the connection without replying, -EBADMSG for a malformed or unrelated
 * reply, -EMSGSIZE.
 *
 * When |req| holds a secret attribute (a KEY: req->secret), its buffer is
 * wiped with ctl_builder_wipe() before this returns, whatever the outcome.
 */
int ctl_client_call(const char *path, struct ctl_builder *req,
		    struct ctl_reply *reply, int timeout_ms);

#endif
