/*
 * The table of `sandlock run` options: one entry per flag of docs/behaviour.md
 * 14.2. Both the parser (run_args.c) and the help text (usage.c) are
 * generated from it, so they cannot drift apart.
 */
#ifndef SL_CLI_RUN_OPTIONS_H
#define SL_CLI_RUN_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the command line itself constrains a value. Integer types are
 * checked while parsing (a bad one is a usage error, exit 2); TEXT values
 * are interpreted later. */
enum cli_val_type {
	CLI_VAL_NONE, /* a switch */
	CLI_VAL_TEXT,
	CLI_VAL_U8,
	CLI_VAL_U16,
	CLI_VAL_U32,
	CLI_VAL_U64,
	CLI_VAL_FD,	  /* non-negative int */
	CLI_VAL_U32_LIST, /* N[,N...] */
};

enum cli_opt_role {
	CLI_ROLE_POLICY,      /* applied to the policy builder */
	CLI_ROLE_CLI,	      /* consumed by the tool itself */
	CLI_ROLE_UNSUPPORTED, /* accepted, then refused by name */
};

struct cli_opt_spec {
	const char *long_name; /* without the leading "--" */
	char short_name;       /* 0 if none */
	int id;		       /* enum cli_opt_id */
	uint8_t type;	       /* enum cli_val_type */
	uint8_t role;	       /* enum cli_opt_role */
	const char *metavar;   /* NULL for switches */
	const char *help;
	uint64_t min, max; /* accepted integers; max 0: the whole type */
};

extern const struct cli_opt_spec cli_run_opt_specs[];
extern const unsigned cli_run_opt_count;

/* The entry of an option id, or NULL. */
const struct cli_opt_spec *cli_run_opt_spec(int id);

/* Largest value of an integer type (enum cli_val_type); 0 for others. */
uint64_t cli_val_max(uint8_t type);

/* Is v inside the option's documented range? When not, why describes the
 * range ("must be between 1 and 100"). */
bool cli_opt_in_range(const struct cli_opt_spec *s, uint64_t v, char *why,
		      size_t size);

/* The feature a flag needs when the library does not have it yet (the
 * flag is then marked in the help and refused), else NULL. */
const char *cli_opt_unsupported(const struct cli_opt_spec *s);

#endif
