/*
 * Directories of the copy-on-write workdir (docs/behaviour.md 9.3): merged
 * listings for getdents, and the working directory.
 *
 * A listing of a directory whose merged view differs from the workdir's
 * (staged entries, whiteouts) is served from the merged list
 * (sl_cow_list), taken when the child starts reading (position 0) and
 * kept per (process, descriptor) until it reads on from another position
 * it did not get from us or the descriptor names another directory; the
 * descriptor's position is the index of the next entry (lseek on our copy
 * of it moves the child's, which shares the open file).
 *
 * The kernel cannot enter a directory that exists only in the upper under
 * the name the child uses. chdir there records a virtual working
 * directory for the process (inherited by its children): the view
 * resolves the process's relative paths from it and getcwd reports it,
 * while the kernel's own working directory stays where it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handlers/cow.h"
#include "handlers/fsview.h"
#include "supervisor/notif.h"
#include "util/cleanup.h"

#define SL_COW_LISTS_MAX 64 /* listings kept at once */

struct cow_list {
	struct cow_list *next;
	pid_t tgid;
	int fd;	   /* the child's descriptor */
	dev_t dev; /* ... which names this directory */
	ino_t ino;
	struct sl_cow_dirents d; /* "." and ".." first */
	size_t served;		 /* the position we left it at */
};

/* ---- the virtual working directory ----------------------------------------- */

static struct cow_cwd *cwd_find(struct cow *s, pid_t tgid)
{
	for (size_t i = 0; i < s->ncwds; i++)
		if (s->cwds[i].tgid == tgid)
			return &s->cwds[i];
	return NULL;
}

char *cow_cwd_get(struct cow *s, pid_t tgid)
{
	struct cow_cwd *w;
	char *rel = NULL;

	pthread_mutex_lock(&s->lock);
	w = cwd_find(s, tgid);
	if (w)
		rel = strdup(w->rel);
	pthread_mutex_unlock(&s->lock);
	return rel;
}

/* rel NULL: back to the kernel's working directory. */
int cow_cwd_set(struct cow *s, pid_t tgid, const char *rel)
{
	struct cow_cwd *w, *v;
	char *copy = rel ? strdup(rel) : NULL;
	int r = 0;

	if (rel && !copy)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	w = cwd_find(s, tgid);
	if (w && !rel) {
		free(w->rel);
		*w = s->cwds[--s->ncwds];
	} else if (w) {
		free(w->rel);
		w->rel = copy;
	} else if (rel) {
		v = realloc(s->cwds, (s->ncwds + 1) * sizeof(*v));
		if (v) {
			s->cwds = v;
			v[s->ncwds++] = (struct cow_cwd){ tgid, copy };
		} else {
			free(copy);
			r = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void cow_cwd_inherit(struct cow *s, pid_t child, pid_t parent)
{
	char *rel = cow_cwd_get(s, parent);

	if (rel)
		(void)cow_cwd_set(s, child, rel);
	free(rel);
}

static void list_free(struct cow_list *l)
{
	sl_cow_dirents_free(&l->d);
	free(l);
}

void cow_forget(struct cow *s, pid_t pid)
{
	struct cow_list **p;

	(void)cow_cwd_set(s, pid, NULL);
	pthread_mutex_lock(&s->lock);
	for (p = &s->lists; *p;) {
		struct cow_list *l = *p;

		if (l->tgid == pid) {
			*p = l->next;
			list_free(l);
		} else {
			p = &l->next;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

void cow_lists_free(struct cow *s)
{
	while (s->lists) {
		struct cow_list *l = s->lists;

		s->lists = l->next;
		list_free(l);
	}
}

/* ---- chdir, fchdir, getcwd -------------------------------------------------- */

/*
 * A relative chdir from a virtual working directory to a directory
 * outside the workdir: the kernel, which starts from its own working
 * directory, is given the target's absolute path instead, written over
 * the child's path when it fits there (a longer one would overwrite
 * what follows it in the child's memory, which lives on after a chdir).
 */
static int leave_virtual(struct sl_fs_call *c, const struct cow_loc *l)
{
	const __u64 *a = c->n->req->data.args;
	_cleanup_(freep) char *path = NULL;
	int r;

	if (!S_ISDIR(l->res->obj.mode))
		return -ENOTDIR;
	r = sl_fd_path(c->fddir, l->res->fd, &path);
	if (r < 0)
		return r;
	if (path[0] != '/' || strlen(path) > strlen(c->req->a[0].path))
		return -ENAMETOOLONG;
	r = cow_force_write(c->n, a[0], path, strlen(path) + 1);
	if (r == 0)
		r = cow_cwd_set(cow_of(c), c->creds->tgid, NULL);
	return r; /* 0: CONTINUE */
}

int cow_op_chdir(struct sl_fs_call *c, unsigned flags, struct sl_action *out)
{
	struct cow *s = cow_of(c);
	pid_t tgid = c->creds->tgid;
	struct cow_loc l = { 0 };
	struct stat lst;
	bool virt = c->req->base_rel[0] != NULL;
	int r = sl_fs_call_as_child(c);

	(void)flags;
	if (r == 0)
		r = cow_locate(c, 0, SL_RES_FOLLOW, &l);
	if (r < 0)
		goto out;
	if (!l.in) {
		/* elsewhere: the kernel enters it, from where it is (from
		 * a virtual working directory, by its absolute path) */
		if (l.foreign) {
			cow_settle(c);
			r = l.err < 0 ? l.err : leave_virtual(c, &l);
		} else if (l.err == 0) {
			r = cow_cwd_set(s, tgid, NULL);
		}
		goto out;
	}
	cow_settle(c);
	r = l.err < 0 ? l.err : l.rel ? 0 : -ENOENT;
	if (r == 0 && !S_ISDIR(l.res->obj.mode))
		r = -ENOTDIR;
	if (r == 0)
		r = cow_access(l.res->fd, X_OK);
	if (r < 0)
		goto out;
	if (cow_kernel_agrees(c, &l) ||
	    (l.side == SL_COW_UPPER && !virt && !l.res->touched &&
	     !sl_cow_covered(s->b, l.rel) &&
	     sl_cow_lower_stat(s->b, l.rel, &lst) == 0 &&
	     S_ISDIR(lst.st_mode))) {
		/* the kernel enters the workdir's own directory */
		r = cow_cwd_set(s, tgid, NULL);
		goto out;
	}
	r = cow_cwd_set(s, tgid, l.rel);
	if (r == 0)
		sl_fs_answer_value(out, 0);
out:
	cow_loc_free(&l);
	return r;
}

int cow_fchdir(struct cow *s, const struct sl_notif *n, struct sl_action *out)
{
	pid_t tgid;

	(void)out;
	/* the kernel enters the descriptor's directory, whatever it is (an
	 * upper directory too: resolving from it maps back to the workdir) */
	if (cow_active(s) && cow_tgid(s, n, &tgid) == 0)
		(void)cow_cwd_set(s, tgid, NULL);
	return 0;
}

int cow_getcwd(struct cow *s, const struct sl_notif *n, struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	_cleanup_(freep) char *rel = NULL;
	_cleanup_(freep) char *path = NULL;
	char link[64], kpath[4096];
	const char *r;
	pid_t tgid;
	ssize_t len;
	int e;

	if (!cow_active(s) || cow_tgid(s, n, &tgid) < 0)
		return 0;
	rel = cow_cwd_get(s, tgid);
	if (!rel) {
		/* the kernel's, unless it lies in the upper */
		snprintf(link, sizeof(link), "/proc/%u/cwd", n->req->pid);
		len = readlink(link, kpath, sizeof(kpath) - 1);
		if (len < 0 || sl_notif_id_valid(n->listener, n->req->id) < 0)
			return 0;
		kpath[len] = '\0';
		if (strncmp(kpath, sl_cow_upper(s->b),
			    strlen(sl_cow_upper(s->b))) != 0 ||
		    !sl_cow_scope(s->b, kpath, &r))
			return 0;
		rel = strdup(r);
		if (!rel)
			return -ENOMEM;
	}
	if (asprintf(&path, "%s%s%s", sl_cow_workdir(s->b), *rel ? "/" : "",
		     rel) < 0)
		return -ENOMEM;
	len = (ssize_t)strlen(path) + 1;
	if ((uint64_t)len > a[1])
		return -ERANGE;
	e = sl_notif_write(n, a[0], path, (size_t)len);
	if (e < 0)
		return e;
	sl_fs_answer_value(out, len);
	return 0;
}

/* ---- getdents ------------------------------------------------------------------ */

/* The merged listing of rel with "." and ".." first. */
static int build_list(struct cow *s, const char *rel, int dirfd,
		      struct sl_cow_dirents *out)
{
	struct sl_cow_dirents d;
	struct stat self, up;
	size_t n;
	int r = sl_cow_list(s->b, rel, &d);

	if (r < 0)
		return r;
	memset(out, 0, sizeof(*out));
	n = d.n + 2;
	out->v = calloc(n, sizeof(*out->v));
	if (!out->v) {
		sl_cow_dirents_free(&d);
		return -ENOMEM;
	}
	out->cap = n;
	if (fstat(dirfd, &self) < 0 || fstatat(dirfd, "..", &up, 0) < 0)
		up = self;
	out->v[0] = (struct sl_cow_dirent){ strdup("."), DT_DIR, self.st_ino,
					    false };
	out->v[1] = (struct sl_cow_dirent){ strdup(".."), DT_DIR, up.st_ino,
					    false };
	out->n = 2;
	if (!out->v[0].name || !out->v[1].name)
		r = -ENOMEM;
	memcpy(out->v + 2, d.v, d.n * sizeof(*d.v));
	out->n += d.n;
	free(d.v); /* the names moved */
	if (r < 0)
		sl_cow_dirents_free(out);
	return r;
}

struct linux_dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
};

/* Records from position pos into buf (cap bytes): bytes used, *next. */
static size_t fill(const struct sl_cow_dirents *d, size_t pos, bool is64,
		   char *buf, size_t cap, size_t *next)
{
	size_t used = 0;

	for (; pos < d->n; pos++) {
		const struct sl_cow_dirent *e = &d->v[pos];
		size_t nl = strlen(e->name);
		size_t rec =
			is64 ? (offsetof(struct linux_dirent64_hdr, d_type) +
				1 + nl + 1 + 7) &
					~(size_t)7 :
			       (2 * sizeof(unsigned long) +
				sizeof(unsigned short) + nl + 2 + sizeof(long) -
				1) & ~(sizeof(long) - 1);
		char *p = buf + used;

		if (used + rec > cap)
			break;
		memset(p, 0, rec);
		if (is64) {
			struct linux_dirent64_hdr h = {
				e->ino,
				(int64_t)pos + 1,
				(unsigned short)rec,
				e->type,
			};

			memcpy(p, &h,
			       offsetof(struct linux_dirent64_hdr, d_type) + 1);
			memcpy(p + offsetof(struct linux_dirent64_hdr, d_type) +
				       1,
			       e->name, nl);
		} else {
			unsigned long ino = e->ino, off = pos + 1;
			unsigned short rl = (unsigned short)rec;

			memcpy(p, &ino, sizeof(ino));
			memcpy(p + sizeof(ino), &off, sizeof(off));
			memcpy(p + 2 * sizeof(long), &rl, sizeof(rl));
			memcpy(p + 2 * sizeof(long) + sizeof(rl), e->name, nl);
			p[rec - 1] = (char)e->type;
		}
		used += rec;
	}
	*next = pos;
	return used;
}

static struct cow_list *list_find(struct cow *s, pid_t tgid, int fd)
{
	for (struct cow_list *l = s->lists; l; l = l->next)
		if (l->tgid == tgid && l->fd == fd)
			return l;
	return NULL;
}

/* Keep l (replacing any listing of the same descriptor), at most
 * SL_COW_LISTS_MAX of them: the oldest go. */
static void list_keep(struct cow *s, struct cow_list *l)
{
	struct cow_list **p, *old;
	size_t n = 0;

	old = list_find(s, l->tgid, l->fd);
	for (p = &s->lists; *p; p = &(*p)->next)
		if (*p == old) {
			*p = old->next;
			list_free(old);
			break;
		}
	l->next = s->lists;
	s->lists = l;
	for (p = &s->lists; *p; n++) {
		if (n >= SL_COW_LISTS_MAX) {
			old = *p;
			*p = NULL;
			while (old) {
				struct cow_list *nx = old->next;

				list_free(old);
				old = nx;
			}
			break;
		}
		p = &(*p)->next;
	}
}

int cow_getdents(struct cow *s, const struct sl_notif *n, struct sl_action *out)
{
	const __u64 *a = n->req->data.args;
	bool is64 = n->req->data.nr == __NR_getdents64;
	int childfd = (int)a[0];
	size_t cap = (size_t)(unsigned)a[2], next;
	_cleanup_(closep) int fd = -1;
	_cleanup_(freep) char *rel = NULL;
	_cleanup_(freep) char *buf = NULL;
	struct cow_list *l, *fresh = NULL;
	struct stat st;
	bool upper;
	off_t pos;
	size_t used;
	pid_t tgid;
	int r;

	if (!cow_active(s) || s->slow)
		return 0; /* (on a filesystem that may wait: the kernel's) */
	fd = sl_notif_getfd(n, childfd);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0; /* the kernel's answer (EBADF, ENOTDIR) */
	if (cow_rel_of_fd(s, fd, &rel, &upper) <= 0 || cow_tgid(s, n, &tgid))
		return 0;
	/* a directory only the upper has lists right in the kernel */
	if (!sl_cow_dir_changed(s->b, rel) ||
	    (upper && *rel &&
	     (sl_cow_covered(s->b, rel) ||
	      sl_cow_lower_stat(s->b, rel, NULL) < 0)))
		return 0;
	pos = lseek(fd, 0, SEEK_CUR);
	if (pos < 0)
		return 0;
	pthread_mutex_lock(&s->lock);
	l = list_find(s, tgid, childfd);
	if (l && (l->dev != st.st_dev || l->ino != st.st_ino ||
		  (size_t)pos != l->served))
		l = NULL; /* another directory, or a position not ours */
	pthread_mutex_unlock(&s->lock);
	if (!l && pos != 0)
		return 0; /* the kernel's own listing, begun before */
	if (!l) {
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh)
			return -ENOMEM;
		r = build_list(s, rel, fd, &fresh->d);
		if (r < 0) {
			free(fresh);
			return r;
		}
		*fresh = (struct cow_list){ .tgid = tgid,
					    .fd = childfd,
					    .dev = st.st_dev,
					    .ino = st.st_ino,
					    .d = fresh->d };
		l = fresh;
	}
	buf = malloc(cap ? cap : 1);
	if (!buf) {
		if (fresh)
			list_free(fresh);
		return -ENOMEM;
	}
	used = fill(&l->d, (size_t)pos, is64, buf, cap, &next);
	r = used == 0 && next < l->d.n ? -EINVAL : 0; /* too small */
	if (r == 0 && used)
		r = sl_notif_write(n, a[1], buf, used);
	if (r == 0 && lseek(fd, (off_t)next, SEEK_SET) < 0)
		r = -errno;
	pthread_mutex_lock(&s->lock);
	if (r == 0) {
		l->served = next;
		if (fresh)
			list_keep(s, fresh);
	} else if (fresh) {
		list_free(fresh);
	}
	pthread_mutex_unlock(&s->lock);
	if (r < 0)
		return r;
	sl_fs_answer_value(out, (int64_t)used);
	return 0;
}
