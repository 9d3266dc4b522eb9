/*
 * The named AF_UNIX gate (docs/behaviour.md 5.6). Landlock does not govern
 * connecting or sending to a pathname unix socket, so the supervisor does:
 * the socket must lie under an fs_write grant. The path is resolved once,
 * pinned with O_PATH, and the supervisor then reaches the socket through
 * the pin, so a rename or symlink swap after the check changes nothing.
 */
#ifndef SL_NET_UNIXGATE_H
#define SL_NET_UNIXGATE_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "util/vec.h"

/* Is ss (len bytes) a pathname unix address (not abstract, not unnamed)? */
bool sl_unix_is_pathname(const struct sockaddr_storage *ss, socklen_t len);

/* Canonical forms of the fs_write grants (missing paths are skipped). */
int sl_unix_gate_grants(const struct sl_strv *fs_write, struct sl_strv *out);

/*
 * Check the pathname address ss (len bytes) sent by task tid against the
 * canonical write grants. On success *pin is an O_PATH fd of the socket
 * file and *target (*tlen bytes) names it through /proc/self/fd, for the
 * supervisor's own connect/send. Errors: -ECONNREFUSED for a relative or
 * missing path, -EACCES outside every grant.
 */
int sl_unix_gate(pid_t tid, const struct sl_strv *grants,
		 const struct sockaddr_storage *ss, socklen_t len, int *pin,
		 struct sockaddr_un *target, socklen_t *tlen);

#endif
