/*
 * Job control of `sandlock run` in a terminal (a pseudo-terminal driven
 * like a user would): Ctrl-Z stops the sandbox and the tool with it, so
 * the outer shell gets its prompt back; fg continues both; Ctrl-C ends the
 * command. In an interactive shell inside the sandbox, Ctrl-Z and Ctrl-C
 * act on that shell's own jobs and leave the tool running.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/procs.h"

struct term {
	int fd;
	pid_t shell;
	char buf[65536];
	size_t len;
};

/* An interactive bash with job control on a fresh pseudo-terminal. */
static bool term_open(struct term *t)
{
	char *slave;

	memset(t, 0, sizeof(*t));
	t->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->fd < 0 || grantpt(t->fd) < 0 || unlockpt(t->fd) < 0 ||
	    !(slave = ptsname(t->fd)))
		return false;
	t->shell = fork();
	if (t->shell < 0)
		return false;
	if (t->shell == 0) {
		int s;

		setsid();
		s = open(slave, O_RDWR);
		if (s < 0)
			_exit(127);
		ioctl(s, TIOCSCTTY, 0);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		setenv("PS1", "OUTER> ", 1);
		setenv("TERM", "dumb", 1);
		execlp("bash", "bash", "--norc", "--noprofile", "-i",
		       (char *)NULL);
		_exit(127);
	}
	return true;
}

/* Read until text appears (everything up to it is consumed, and copied
 * to seen when not NULL); false after 20 s without it. */
static bool expect_seen(struct term *t, const char *text, char *seen,
			size_t cap)
{
	long long end = cli_now_ms() + 20000;

	for (;;) {
		char *hit = memmem(t->buf, t->len, text, strlen(text));
		struct pollfd pf = { .fd = t->fd, .events = POLLIN };
		ssize_t n;

		if (hit) {
			size_t used = (size_t)(hit - t->buf) + strlen(text);

			if (seen && cap) {
				size_t k = used < cap - 1 ? used : cap - 1;

				memcpy(seen, t->buf, k);
				seen[k] = '\0';
			}
			memmove(t->buf, t->buf + used, t->len - used);
			t->len -= used;
			return true;
		}
		if (cli_now_ms() > end || t->len == sizeof(t->buf) - 1) {
			t->buf[t->len] = '\0';
			fprintf(stderr, "  no \"%s\" in: %s\n", text, t->buf);
			return false;
		}
		if (poll(&pf, 1, 200) <= 0)
			continue;
		n = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
		if (n <= 0)
			continue;
		t->len += (size_t)n;
	}
}

static bool expect(struct term *t, const char *text)
{
	return expect_seen(t, text, NULL, 0);
}

static void say(struct term *t, const char *s)
{
	(void)!write(t->fd, s, strlen(s));
}

/* Does the shell still list a job? */
static bool jobs_left(struct term *t)
{
	static char seen[sizeof(t->buf)];

	say(t, "jobs; echo J''END\n");
	if (!expect_seen(t, "\nJEND", seen, sizeof(seen)))
		return false;
	return strstr(seen, "Stopped") != NULL;
}

static void term_close(struct term *t)
{
	if (t->shell > 0) {
		kill(t->shell, SIGKILL);
		waitpid(t->shell, NULL, 0);
	}
	if (t->fd >= 0)
		close(t->fd);
}

/* `sandlock run` with grants for a shell on the terminal, then cmd. */
static void run_line(struct term *t, const char *cmd)
{
	char line[PATH_MAX + 4096];

	snprintf(line, sizeof(line),
		 "%s run -r /usr -r /lib -r /lib64 -r /bin -r /etc -r /dev "
		 "-w /dev/pts -w /dev/tty -w /dev/null -- %s\n",
		 cli_path(), cmd);
	say(t, line);
}

/* Whether a child of the shell (the tool) is running, not stopped, and
 * the shell has given the terminal away (to the tool, or to the sandbox,
 * which the tool puts in the foreground). */
static bool job_in_foreground(pid_t shell)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	bool fg = false;

	if (!d)
		return false;
	while (!fg && (de = readdir(d))) {
		char buf[512], state;
		const char *p;
		int ppid, pgrp, session, tty, tpgid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		p = lu_proc_stat(atoi(de->d_name), buf, sizeof(buf));
		if (p &&
		    sscanf(p, "%c %d %d %d %d %d", &state, &ppid, &pgrp,
			   &session, &tty, &tpgid) == 6 &&
		    ppid == shell && tpgid != shell && state != 'T')
			fg = true;
	}
	closedir(d);
	return fg;
}

/* After fg: a key typed before the shell has handed the terminal back to
 * the job would go to the shell, not to the job. */
static bool wait_foreground(struct term *t)
{
	if (lu_until(job_in_foreground, t->shell))
		return true;
	fprintf(stderr, "  the job never came back to the foreground\n");
	return false;
}

static bool have_bash(void)
{
	return access("/bin/bash", X_OK) == 0 ||
	       access("/usr/bin/bash", X_OK) == 0;
}

TEST(ctrl_z_stops_the_tool_and_fg_continues_it)
{
	struct term t;

	if (!have_bash())
		SKIP("no bash to play the user's shell");
	CHECK(term_open(&t));
	CHECK(expect(&t, "OUTER> "));
	run_line(&t, "sh -c 'echo STARTED; exec sleep 100'");
	CHECK(expect(&t, "\nSTARTED")); /* its output, not the echo */
	say(&t, "\x1a");		/* Ctrl-Z */
	CHECK(expect(&t, "Stopped"));
	CHECK(expect(&t, "OUTER> "));
	say(&t, "fg\n");
	CHECK(expect(&t, "sleep 100'"));
	CHECK(wait_foreground(&t));
	/* fg printed the command: the tool runs again; Ctrl-C ends the
	 * command (through the terminal or forwarded by the tool). */
	say(&t, "\x03");
	CHECK(expect(&t, "OUTER> "));
	say(&t, "echo DONE-$?\n");
	CHECK(expect(&t, "DONE-1"));
	term_close(&t);
}

TEST(ctrl_z_and_ctrl_c_in_an_interactive_sandboxed_shell)
{
	struct term t;

	if (!have_bash())
		SKIP("no bash to play the user's shell");
	CHECK(term_open(&t));
	CHECK(expect(&t, "OUTER> "));
	/* Quoted so that the echo of the typed line never matches. */
	run_line(&t, "env PS1='IN''NER> ' sh -i");
	CHECK(expect(&t, "INNER> "));
	/* Each job says when it runs (in its own process group). */
	say(&t, "sh -c 'echo JOB''ONE; exec sleep 100'\n");
	CHECK(expect(&t, "\nJOBONE"));
	say(&t, "\x1a"); /* stops the inner job, not the tool */
	CHECK(expect(&t, "INNER> "));
	say(&t, "sh -c 'echo JOB''TWO; exec sleep 101'\n");
	CHECK(expect(&t, "\nJOBTWO"));
	say(&t, "\x03"); /* ends the inner job */
	CHECK(expect(&t, "INNER> "));
	say(&t, "kill -9 %1; echo INNER-''ALIVE\n");
	CHECK(expect(&t, "INNER-ALIVE"));
	/* The shell forgets the killed job once it has seen it die. */
	for (int i = 0; i < 100 && jobs_left(&t); i++)
		usleep(50000);
	say(&t, "exit 4\n");
	CHECK(expect(&t, "OUTER> "));
	say(&t, "echo DONE-$?\n");
	CHECK(expect(&t, "DONE-4"));
	term_close(&t);
}
