/*
 * The synthetic /etc/hosts a sandbox sees (docs/behaviour.md 5.7): loopback
 * names plus one line per pinned address of every net_allow hostname, so
 * the sandbox's resolver finds exactly the addresses its policy admits
 * without asking DNS.
 */
#ifndef SL_NET_HOSTSFILE_H
#define SL_NET_HOSTSFILE_H

#include <stddef.h>

#include "net/resolve.h"

/* Build the file. image is the content of the chroot image's /etc/hosts
 * (image_len bytes) or NULL outside a chroot or when it is unreadable: it
 * is kept verbatim, completed with the loopback lines it lacks. The result
 * is malloc'd into *out (*len bytes, NUL-terminated). */
int sl_net_hosts_file(const struct sl_net_hosts *hs, const char *image,
		      size_t image_len, char **out, size_t *len);

#endif
