/*
 * The policy model: everything a sandbox is configured with.
 *
 * One struct serves both as the mutable builder (sandlock_builder_t) and,
 * once validated by sl_policy_build(), as the immutable built policy held by
 * sandlock_sandbox_t. Builder setters only store raw input; every parse and
 * every cross-field check happens in sl_policy_build() so that errors reach
 * the caller as one clear message before anything is forked.
 *
 * This module performs no syscalls (apart from resolving syscall names
 * through libseccomp, which is a table lookup).
 */
#ifndef SL_POLICY_POLICY_H
#define SL_POLICY_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"
#include "util/vec.h"

/* ---- Landlock protections (values are ABI facts) --------------------- */
enum sl_protection {
	SL_PROT_FS_REFER = 0,
	SL_PROT_FS_TRUNCATE = 1,
	SL_PROT_NET_TCP = 2,
	SL_PROT_FS_IOCTL_DEV = 3,
	SL_PROT_SIGNAL_SCOPE = 4,
	SL_PROT_ABSTRACT_UNIX_SOCKET_SCOPE = 5,
	SL_NPROT = 6,
};

enum sl_prot_state {
	SL_PROT_STRICT = 0,   /* default: kernel lacks it -> refuse to run */
	SL_PROT_DEGRADED = 1, /* enforce when available, skip otherwise */
	SL_PROT_DISABLED = 2, /* never enforce */
};

/* Minimum Landlock ABI of a protection; 0 for an unknown value. */
uint32_t sl_protection_min_abi(uint32_t prot);
/* API name ("FsRefer") and CLI token ("fs-refer"); NULL if unknown. */
const char *sl_protection_name(uint32_t prot);
const char *sl_protection_token(uint32_t prot);
/* Parse a CLI token, case-insensitive; -EINVAL if unknown. */
int sl_protection_parse(const char *token, uint32_t *out);
/* Why a protection cannot be disabled (only degraded); NULL if it can. */
const char *sl_protection_undisableable(uint32_t prot);

enum sl_branch_action {
	SL_BRANCH_COMMIT = 0,
	SL_BRANCH_ABORT = 1,
	SL_BRANCH_KEEP = 2,
};

/* ---- Network rules (docs/behaviour.md 5.1), parsed form -------------- */
enum sl_net_proto {
	SL_PROTO_TCP = 1,
	SL_PROTO_UDP = 2,
	SL_PROTO_ICMP = 3,
};

enum sl_net_target_kind {
	SL_TARGET_ANY = 0,  /* "", "*": any IP */
	SL_TARGET_CIDR = 1, /* IP literal (/32, /128) or CIDR */
	SL_TARGET_HOST = 2, /* hostname, resolved at start */
};

struct sl_net_rule {
	uint8_t proto;	  /* enum sl_net_proto */
	uint8_t kind;	  /* enum sl_net_target_kind */
	uint8_t family;	  /* AF_INET / AF_INET6 for CIDR, else 0 */
	uint8_t prefix;	  /* CIDR prefix length */
	uint8_t addr[16]; /* network address, host bits cleared */
	char *host;	  /* SL_TARGET_HOST only */
	bool all_ports;	  /* no port list, ":*" or ICMP */
	uint16_t *ports;  /* sorted, unique; NULL when all_ports */
	uint32_t nports;
};

struct sl_net_rules {
	struct sl_net_rule *v;
	uint32_t n, cap;
};

/* Parse one spec and append 1 (scheme given) or 2 (TCP+UDP) rules.
 * allow_hosts = false for --net-deny (hostnames rejected). */
int sl_net_rule_parse(const char *spec, bool allow_hosts,
		      struct sl_net_rules *out, struct sl_error *e);
/* Canonical rendering with explicit scheme (5.1); caller frees. */
char *sl_net_rule_render(const struct sl_net_rule *r);
void sl_net_rules_free(struct sl_net_rules *rs);

/* ---- Bind port specs (docs/behaviour.md 5.5) ------------------------- */
struct sl_port_set {
	bool all;	      /* "*" (allow side only) */
	struct sl_u32v ports; /* sorted, unique, 1..65535 */
};

/* Parse "22,8000-8010" or "*" (when allow_star) and merge into out. */
int sl_ports_parse(const char *spec, bool allow_star, struct sl_port_set *out,
		   struct sl_error *e);
void sl_port_set_free(struct sl_port_set *ps);

/* ---- Sandbox names (docs/abi.md 1.6, docs/behaviour.md 11.4) --------- */
int sl_name_validate(const char *name, struct sl_error *e);

/* ---- Syscall names and groups (docs/behaviour.md 2.1-2.3) ------------ */
/* Number of a syscall on the host arch (libc spelling, "newfstatat"
 * accepted everywhere); -1 if unknown. */
int64_t sl_syscall_nr(const char *name);
/* Is name a syscall group ("sysv_ipc")? Fills members when non-NULL. */
bool sl_syscall_group(const char *name, const char *const **members,
		      size_t *nmembers);
/* Name of the i-th syscall group; NULL past the last one. */
const char *sl_syscall_group_at(size_t i);
/* The default supervised deny list, resolved to numbers for this arch
 * (names unknown here skipped). sysv_ipc members included unless
 * allow_sysv_ipc. Sorted, unique. */
int sl_default_deny_list(bool allow_sysv_ipc, struct sl_u32v *out);

/* ---- Policy callbacks (shared, refcounted across policy copies) ------ */
struct sl_policy_cb; /* defined in policy/callback.h */

/* Drop one reference; the user-data drop fires with the last one. */
void sl_policy_cb_unref(struct sl_policy_cb *cb);

/* ---- The policy -------------------------------------------------------- */
struct sl_mount {
	char *virtual_path;
	char *host_path;
	bool read_only;
};

struct sl_policy {
	/* filesystem */
	struct sl_strv fs_read, fs_write, fs_deny;
	char *workdir, *cwd, *chroot, *fs_storage;
	struct sl_mount *mounts;
	uint32_t nmounts;

	/* network (raw specs as given; parsed into the fields below) */
	struct sl_strv net_allow, net_deny, net_allow_bind, net_deny_bind;
	bool port_remap;

	/* HTTP */
	struct sl_strv http_allow, http_deny, http_inject_ca;
	struct sl_u32v http_ports;
	char *http_ca, *http_key, *http_ca_out;

	/* limits */
	bool has_max_memory, has_max_disk, has_max_open_files, has_max_cpu;
	bool has_num_cpus, has_cpu_cores, has_gpu_devices;
	uint64_t max_memory, max_disk;
	uint32_t max_processes; /* default 64 */
	unsigned int max_open_files;
	uint8_t max_cpu;
	uint32_t num_cpus;
	struct sl_u32v cpu_cores, gpu_devices;

	/* syscall filter (raw comma lists, one entry per setter call) */
	struct sl_strv extra_allow_syscalls, extra_deny_syscalls;

	/* determinism */
	bool has_random_seed, has_time_start;
	uint64_t random_seed, time_start;
	bool no_randomize_memory, no_huge_pages, deterministic_dirs;

	/* environment and identity */
	bool clean_env;
	struct sl_strv env_keys, env_values; /* map: same index; last wins */
	bool has_user;
	uint32_t uid, gid;
	bool no_coredump;

	/* copy-on-write branch actions */
	bool on_exit_set, on_error_set;
	uint8_t on_exit, on_error;

	/* Landlock posture, indexed by enum sl_protection */
	uint8_t protection[SL_NPROT];

	/* policy callback (NULL = none) */
	struct sl_policy_cb *cb;

	/* ---- derived by sl_policy_build() -------------------------------- */
	bool built;
	struct sl_net_rules allow_rules, deny_rules;
	struct sl_port_set allow_bind, deny_bind; /* allow_bind.all = "*" */
	bool has_allow_bind;			  /* any net_allow_bind call */
	struct sl_u32v deny_syscalls; /* resolved deny list (default+extra) */
	bool allow_sysv_ipc;
	/* ---- derived by the sandbox's build (launch/sandbox.c) ----------- */
	/* a grant reaches procfs or sysfs mounted elsewhere: a hole
	 * (fs/holes.h), read once from the mount table */
	bool grants_reach_kernel_mounts;
};

/* Fresh builder with defaults (max_processes 64, all protections strict). */
struct sl_policy *sl_policy_new(void);
void sl_policy_free(struct sl_policy *p);

/* Validate and derive (docs/behaviour.md 0, docs/abi.md 3.13). Returns 0 or -errno
 * with a message in e. Unsupported features are reported here by name. */
int sl_policy_build(struct sl_policy *p, struct sl_error *e);
/* Release what sl_policy_build() derived (built becomes false). */
void sl_policy_clear_derived(struct sl_policy *p);

/* Settings that exist in the ABI but whose feature is not implemented yet:
 * returns the feature name of the first one the policy uses, else NULL. */
const char *sl_policy_unsupported_feature(const struct sl_policy *p);
/* The feature name when the `sandlock run` flag `setting` (without "--")
 * sets one of those settings, else NULL. */
const char *sl_policy_setting_unsupported(const char *setting);

/* Environment map helper (last value wins). */
int sl_policy_set_env(struct sl_policy *p, const char *key, const char *value);

#endif
