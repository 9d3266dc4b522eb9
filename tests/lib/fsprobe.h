/*
 * The filesystem probes (tests/helpers/fs_probe.c, fs_race.c) run in
 * sandboxes built from a builder, and bare for the races' unconfined
 * control runs. Each macro returns the probe's stdout (free it).
 */
#ifndef SL_TESTLIB_FSPROBE_H
#define SL_TESTLIB_FSPROBE_H

#include <stdbool.h>
#include <stdlib.h>

#include "lib/cli.h"
#include "lib/paths.h"
#include "lib/run.h"

#define PROBE(b, ...)                                                    \
	({                                                               \
		const char *_argv[] = { helper("fs_probe"), __VA_ARGS__, \
					NULL };                          \
		run_in((b), _argv);                                      \
	})
#define RACE(b, ...)                                                    \
	({                                                              \
		const char *_argv[] = { helper("fs_race"), __VA_ARGS__, \
					NULL };                         \
		run_in((b), _argv);                                     \
	})
#define RACE_BARE(...)                                                  \
	({                                                              \
		const char *_argv[] = { helper("fs_race"), __VA_ARGS__, \
					NULL };                         \
		run_bare(_argv);                                        \
	})
/* The unconfined control of a race: run it (into out, a char * freed
 * here) up to 5 times until hit holds; whether it did. */
#define RACE_CONTROL(out, hit, ...)                       \
	({                                                \
		bool _hit = false;                        \
		for (int _k = 0; _k < 5 && !_hit; _k++) { \
			free(out);                        \
			(out) = RACE_BARE(__VA_ARGS__);   \
			_hit = (hit);                     \
		}                                         \
		_hit;                                     \
	})
#define SH(b, script)                                                      \
	({                                                                 \
		const char *_argv[] = { "/bin/sh", "-c", (script), NULL }; \
		run_in((b), _argv);                                        \
	})

/* fs_race's "done=<n> leaked=<n>"; -1 when it printed something else. */
long race_count(const char *out, bool leaks);

#endif
