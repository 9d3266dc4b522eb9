/*
 * The file an open-family notification (open, openat, openat2) names, as
 * an absolute, lexically normalized path: for modules that serve a
 * synthetic file in place of a well-known path. The path is the one the
 * filesystem view decoded (read from the child once for the whole chain);
 * symlinks are not followed (a synthetic file is served for its canonical
 * name only).
 */
#ifndef SL_HANDLERS_OPENTARGET_H
#define SL_HANDLERS_OPENTARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "supervisor/dispatch.h"

/* Add open, openat and openat2 to set. */
void sl_open_family_add(struct sl_nrset *set);
bool sl_is_open_family(int nr);

/* Read the target and open flags of an open-family notification; the
 * caller frees *path. */
int sl_open_target(const struct sl_notif *n, char **path, uint64_t *flags);

/* A read-only sealed memory file holding data (len bytes), at offset 0. */
int sl_sealed_memfd(const char *name, const void *data, size_t len);

/* Answer n with a synthetic file: inject fd (taken) with the child's
 * O_CLOEXEC choice. */
void sl_open_answer_fd(struct sl_action *out, int fd, uint64_t flags);

#endif
