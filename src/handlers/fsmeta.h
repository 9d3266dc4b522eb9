/*
 * The metadata writes of fsmeta.c (chmod, chown, utimes, xattrs), for a
 * module that performs them on another object than the one named (the
 * copy-on-write interception applies them to the staged copy).
 */
#ifndef SL_HANDLERS_FSMETA_H
#define SL_HANDLERS_FSMETA_H

#include <linux/limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "fs/decode.h"
#include "fs/object.h"

/* What a call writes, read from the child once, before anything else. */
struct sl_fs_meta {
	struct timespec ts[2];
	bool now; /* a NULL times argument */
	char name[XATTR_NAME_MAX + 1];
	void *value;
	size_t size;
	int xflags;
};

/* Read what req (a metadata write) writes; release with
 * sl_fs_meta_free. */
int sl_fs_meta_read(const struct sl_notif *n, const struct sl_fs_req *req,
		    struct sl_fs_meta *m);
void sl_fs_meta_free(struct sl_fs_meta *m);
/* The capabilities the kernel consults to change req's metadata (m: what
 * it writes) on an open file (fs/creds.h): ownership and the set-id bits
 * for chmod and chown, ownership or write permission for times and user.*
 * attributes, ownership and set-gid for ACLs; every one for other
 * attributes (trusted.*, security.*). A path is walked too, which
 * consults more: ask for every one then. */
uint64_t sl_fs_meta_consulted(const struct sl_fs_req *req,
			      const struct sl_fs_meta *m);
/* Apply it to the object held by fd (o: its statx). */
int sl_fs_meta_apply(const struct sl_fs_req *req, int fd,
		     const struct sl_fs_obj *o, const struct sl_fs_meta *m);

#endif
