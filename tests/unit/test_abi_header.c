/*
 * The public header against the reference ABI: every prototype of
 * docs/abi.md sections 3 and 4.3 is redeclared below exactly as specified, so
 * a type that drifts in include/sandlock.h is a compile error here
 * ("conflicting types"). Struct layouts and enum values are checked with
 * static assertions (docs/abi.md 2.2, 2.5, 2.6).
 */
#include <assert.h>
#include <stddef.h>

#include "sandlock.h"
#include "harness.h"
#include "lib/abiheader.h"

/* ---- docs/abi.md 3 and 4.3, verbatim --------------------------------- */
sandlock_builder_t *sandlock_sandbox_builder_new(void);
sandlock_builder_t *sandlock_sandbox_builder_fs_read(sandlock_builder_t *b,
						     const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_write(sandlock_builder_t *b,
						      const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_deny(sandlock_builder_t *b,
						     const char *path);
sandlock_builder_t *sandlock_sandbox_builder_workdir(sandlock_builder_t *b,
						     const char *path);
sandlock_builder_t *sandlock_sandbox_builder_cwd(sandlock_builder_t *b,
						 const char *path);
sandlock_builder_t *sandlock_sandbox_builder_chroot(sandlock_builder_t *b,
						    const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_mount(sandlock_builder_t *b,
						      const char *virtual_path,
						      const char *host_path);
sandlock_builder_t *sandlock_sandbox_builder_fs_mount_ro(
	sandlock_builder_t *b, const char *virtual_path, const char *host_path);
sandlock_builder_t *sandlock_sandbox_builder_fs_storage(sandlock_builder_t *b,
							const char *path);
sandlock_builder_t *sandlock_sandbox_builder_on_exit(sandlock_builder_t *b,
						     uint8_t action);
sandlock_builder_t *sandlock_sandbox_builder_on_error(sandlock_builder_t *b,
						      uint8_t action);
sandlock_builder_t *sandlock_sandbox_builder_max_memory(sandlock_builder_t *b,
							uint64_t bytes);
sandlock_builder_t *sandlock_sandbox_builder_max_disk(sandlock_builder_t *b,
						      uint64_t bytes);
sandlock_builder_t *
sandlock_sandbox_builder_max_processes(sandlock_builder_t *b, uint32_t n);
sandlock_builder_t *
sandlock_sandbox_builder_max_open_files(sandlock_builder_t *b, unsigned int n);
sandlock_builder_t *sandlock_sandbox_builder_max_cpu(sandlock_builder_t *b,
						     uint8_t pct);
sandlock_builder_t *sandlock_sandbox_builder_num_cpus(sandlock_builder_t *b,
						      uint32_t n);
sandlock_builder_t *sandlock_sandbox_builder_cpu_cores(sandlock_builder_t *b,
						       const uint32_t *cores,
						       uint32_t len);
sandlock_builder_t *
sandlock_sandbox_builder_gpu_devices(sandlock_builder_t *b,
				     const uint32_t *devices, uint32_t len);
sandlock_builder_t *sandlock_sandbox_builder_net_allow(sandlock_builder_t *b,
						       const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_net_deny(sandlock_builder_t *b,
						      const char *spec);
sandlock_builder_t *
sandlock_sandbox_builder_net_allow_bind(sandlock_builder_t *b,
					const char *spec);
sandlock_builder_t *
sandlock_sandbox_builder_net_deny_bind(sandlock_builder_t *b, const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_port_remap(sandlock_builder_t *b,
							bool v);
sandlock_builder_t *sandlock_sandbox_builder_http_allow(sandlock_builder_t *b,
							const char *rule);
sandlock_builder_t *sandlock_sandbox_builder_http_deny(sandlock_builder_t *b,
						       const char *rule);
sandlock_builder_t *sandlock_sandbox_builder_http_port(sandlock_builder_t *b,
						       uint16_t port);
sandlock_builder_t *sandlock_sandbox_builder_http_ca(sandlock_builder_t *b,
						     const char *path);
sandlock_builder_t *sandlock_sandbox_builder_http_key(sandlock_builder_t *b,
						      const char *path);
sandlock_builder_t *
sandlock_sandbox_builder_http_inject_ca(sandlock_builder_t *b,
					const char *path);
sandlock_builder_t *sandlock_sandbox_builder_http_ca_out(sandlock_builder_t *b,
							 const char *path);
sandlock_builder_t *sandlock_sandbox_builder_random_seed(sandlock_builder_t *b,
							 uint64_t seed);
sandlock_builder_t *sandlock_sandbox_builder_time_start(sandlock_builder_t *b,
							uint64_t epoch_secs);
sandlock_builder_t *
sandlock_sandbox_builder_no_randomize_memory(sandlock_builder_t *b, bool v);
sandlock_builder_t *
sandlock_sandbox_builder_no_huge_pages(sandlock_builder_t *b, bool v);
sandlock_builder_t *
sandlock_sandbox_builder_deterministic_dirs(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_clean_env(sandlock_builder_t *b,
						       bool v);
sandlock_builder_t *sandlock_sandbox_builder_env_var(sandlock_builder_t *b,
						     const char *key,
						     const char *value);
sandlock_builder_t *
sandlock_sandbox_builder_extra_deny_syscalls(sandlock_builder_t *b,
					     const char *names);
sandlock_builder_t *
sandlock_sandbox_builder_extra_allow_syscalls(sandlock_builder_t *b,
					      const char *names);
sandlock_builder_t *sandlock_sandbox_builder_user(sandlock_builder_t *b,
						  uint32_t uid, uint32_t gid);
sandlock_builder_t *sandlock_sandbox_builder_no_coredump(sandlock_builder_t *b,
							 bool v);
sandlock_builder_t *
sandlock_sandbox_builder_allow_degraded(sandlock_builder_t *b,
					uint32_t protection);
sandlock_builder_t *sandlock_sandbox_builder_disable(sandlock_builder_t *b,
						     uint32_t protection);
sandlock_builder_t *
sandlock_sandbox_builder_policy_fn(sandlock_builder_t *b,
				   sandlock_policy_fn_t cb, void *user_data,
				   void (*user_data_drop)(void *user_data));
void sandlock_ctx_restrict_network(sandlock_ctx_t *ctx, const char *const *ips,
				   uint32_t count);
void sandlock_ctx_grant_network(sandlock_ctx_t *ctx, const char *const *ips,
				uint32_t count);
void sandlock_ctx_restrict_max_memory(sandlock_ctx_t *ctx, uint64_t bytes);
void sandlock_ctx_restrict_max_processes(sandlock_ctx_t *ctx, uint32_t n);
void sandlock_ctx_restrict_pid_network(sandlock_ctx_t *ctx, uint32_t pid,
				       const char *const *ips, uint32_t count);
void sandlock_ctx_deny_path(sandlock_ctx_t *ctx, const char *path);
void sandlock_ctx_allow_path(sandlock_ctx_t *ctx, const char *path);
sandlock_sandbox_t *sandlock_sandbox_build(sandlock_builder_t *b, int *err,
					   char **err_msg);
void sandlock_sandbox_free(sandlock_sandbox_t *p);
int sandlock_confine(const sandlock_sandbox_t *policy);
sandlock_result_t *sandlock_run(const sandlock_sandbox_t *policy,
				const char *name, const char *const *argv,
				unsigned int argc);
int sandlock_run_interactive(const sandlock_sandbox_t *policy, const char *name,
			     const char *const *argv, unsigned int argc);
sandlock_handle_t *sandlock_create(const sandlock_sandbox_t *policy,
				   const char *name, const char *const *argv,
				   unsigned int argc);
sandlock_handle_t *sandlock_create_for_run(const sandlock_sandbox_t *policy,
					   const char *name,
					   const char *const *argv,
					   unsigned int argc);
sandlock_handle_t *sandlock_popen(const sandlock_sandbox_t *policy,
				  const char *name, const char *const *argv,
				  unsigned int argc, uint32_t stdin_mode,
				  uint32_t stdout_mode, uint32_t stderr_mode,
				  int *out_stdin_fd, int *out_stdout_fd,
				  int *out_stderr_fd);
int sandlock_start(sandlock_handle_t *h);
int32_t sandlock_handle_pid(const sandlock_handle_t *h);
int sandlock_handle_kill(sandlock_handle_t *h);
sandlock_result_t *sandlock_handle_wait(sandlock_handle_t *h);
sandlock_result_t *sandlock_handle_wait_timeout(sandlock_handle_t *h,
						uint64_t timeout_ms);
char *sandlock_handle_port_mappings(const sandlock_handle_t *h);
void sandlock_handle_free(sandlock_handle_t *h);
int sandlock_result_exit_code(const sandlock_result_t *r);
sandlock_exit_reason sandlock_result_reason(const sandlock_result_t *r);
int sandlock_result_signal(const sandlock_result_t *r);
bool sandlock_result_success(const sandlock_result_t *r);
char *sandlock_result_stdout(const sandlock_result_t *r);
char *sandlock_result_stderr(const sandlock_result_t *r);
const uint8_t *sandlock_result_stdout_bytes(const sandlock_result_t *r,
					    uintptr_t *len);
const uint8_t *sandlock_result_stderr_bytes(const sandlock_result_t *r,
					    uintptr_t *len);
void sandlock_result_free(sandlock_result_t *r);
void sandlock_string_free(char *s);
sandlock_dry_run_result_t *sandlock_dry_run(const sandlock_sandbox_t *policy,
					    const char *name,
					    const char *const *argv,
					    unsigned int argc);
int sandlock_dry_run_result_exit_code(const sandlock_dry_run_result_t *r);
sandlock_exit_reason
sandlock_dry_run_result_reason(const sandlock_dry_run_result_t *r);
int sandlock_dry_run_result_signal(const sandlock_dry_run_result_t *r);
bool sandlock_dry_run_result_success(const sandlock_dry_run_result_t *r);
const uint8_t *
sandlock_dry_run_result_stdout_bytes(const sandlock_dry_run_result_t *r,
				     uintptr_t *len);
const uint8_t *
sandlock_dry_run_result_stderr_bytes(const sandlock_dry_run_result_t *r,
				     uintptr_t *len);
uintptr_t
sandlock_dry_run_result_changes_len(const sandlock_dry_run_result_t *r);
char sandlock_dry_run_result_change_kind(const sandlock_dry_run_result_t *r,
					 uintptr_t i);
char *sandlock_dry_run_result_change_path(const sandlock_dry_run_result_t *r,
					  uintptr_t i);
void sandlock_dry_run_result_free(sandlock_dry_run_result_t *r);
sandlock_pipeline_t *sandlock_pipeline_new(void);
void sandlock_pipeline_add_stage(sandlock_pipeline_t *pipe,
				 const sandlock_sandbox_t *policy,
				 const char *const *argv, unsigned int argc);
sandlock_result_t *sandlock_pipeline_run(sandlock_pipeline_t *pipe,
					 uint64_t timeout_ms);
void sandlock_pipeline_free(sandlock_pipeline_t *pipe);
sandlock_gather_t *sandlock_gather_new(void);
void sandlock_gather_add_source(sandlock_gather_t *g, const char *name,
				const sandlock_sandbox_t *policy,
				const char *const *argv, unsigned int argc);
void sandlock_gather_set_consumer(sandlock_gather_t *g,
				  const sandlock_sandbox_t *policy,
				  const char *const *argv, unsigned int argc);
sandlock_result_t *sandlock_gather_run(sandlock_gather_t *g,
				       uint64_t timeout_ms);
void sandlock_gather_free(sandlock_gather_t *g);
sandlock_t *sandlock_new_with_fns(const sandlock_sandbox_t *policy,
				  const char *name, sandlock_init_fn_t init_fn,
				  sandlock_work_fn_t work_fn);
sandlock_fork_result_t *sandlock_fork(sandlock_t *sb, uint32_t n);
uint32_t sandlock_fork_result_count(const sandlock_fork_result_t *r);
int32_t sandlock_fork_result_pid(const sandlock_fork_result_t *r,
				 uint32_t index);
sandlock_result_t *sandlock_reduce(sandlock_fork_result_t *fork_result,
				   const sandlock_sandbox_t *policy,
				   const char *name, const char *const *argv,
				   unsigned int argc);
void sandlock_fork_result_free(sandlock_fork_result_t *r);
int sandlock_wait(sandlock_t *sb);
void sandlock_sandbox_fns_free(sandlock_t *sb);
sandlock_checkpoint_t *sandlock_handle_checkpoint(sandlock_handle_t *h);
int sandlock_checkpoint_save(const sandlock_checkpoint_t *cp, const char *dir);
sandlock_checkpoint_t *sandlock_checkpoint_load(const char *dir);
void sandlock_checkpoint_set_name(sandlock_checkpoint_t *cp, const char *name);
char *sandlock_checkpoint_name(const sandlock_checkpoint_t *cp);
void sandlock_checkpoint_set_app_state(sandlock_checkpoint_t *cp,
				       const uint8_t *data, uintptr_t len);
const uint8_t *sandlock_checkpoint_app_state(const sandlock_checkpoint_t *cp,
					     uintptr_t *len);
void sandlock_checkpoint_free(sandlock_checkpoint_t *cp);
sandlock_handle_t *
sandlock_restore_interactive(const sandlock_sandbox_t *policy, const char *name,
			     const sandlock_checkpoint_t *cp);
uintptr_t sandlock_handle_restore_skipped_len(const sandlock_handle_t *h);
int sandlock_handle_restore_skipped_fd(const sandlock_handle_t *h, uintptr_t i);
char *sandlock_handle_restore_skipped_path(const sandlock_handle_t *h,
					   uintptr_t i);
int64_t sandlock_syscall_nr(const char *name);
sandlock_handler_t *sandlock_handler_new(
	int32_t (*handler_fn)(void *ud, const sandlock_notif_data_t *notif,
			      sandlock_mem_handle_t *mem,
			      sandlock_action_out_t *out),
	void *ud, void (*ud_drop)(void *ud), uint32_t on_exception);
void sandlock_handler_set_deferred(sandlock_handler_t *h, bool deferred);
void sandlock_handler_free(sandlock_handler_t *h);
sandlock_result_t *
sandlock_run_with_handlers(const sandlock_sandbox_t *policy, const char *name,
			   const char *const *argv, uint32_t argc,
			   const sandlock_handler_registration_t *registrations,
			   uintptr_t nregistrations);
sandlock_result_t *sandlock_run_interactive_with_handlers(
	const sandlock_sandbox_t *policy, const char *name,
	const char *const *argv, uint32_t argc,
	const sandlock_handler_registration_t *registrations,
	uintptr_t nregistrations);
void sandlock_action_set_continue(sandlock_action_out_t *out);
void sandlock_action_set_errno(sandlock_action_out_t *out, int32_t errno_value);
void sandlock_action_set_return_value(sandlock_action_out_t *out,
				      int64_t value);
void sandlock_action_set_inject_fd_send(sandlock_action_out_t *out, int srcfd,
					uint32_t newfd_flags);
void sandlock_action_set_inject_bytes(sandlock_action_out_t *out,
				      const uint8_t *data, uintptr_t len,
				      uint32_t flags);
void sandlock_action_set_hold(sandlock_action_out_t *out);
void sandlock_action_set_kill(sandlock_action_out_t *out, int32_t sig,
			      int32_t pgid);
int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle,
			       uint64_t addr, uint8_t *buf, uintptr_t max_len,
			       uintptr_t *out_len);
int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle, uint64_t addr,
			  uint8_t *buf, uintptr_t len, uintptr_t *out_len);
int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle, uint64_t addr,
			   const uint8_t *buf, uintptr_t len);
int sandlock_landlock_abi_version(void);
int sandlock_min_landlock_abi(void);
uint32_t sandlock_protection_min_abi(uint32_t protection);
sandlock_builder_t *
sandlock_sandbox_builder_net_bind_port(sandlock_builder_t *b, uint16_t port);
sandlock_builder_t *sandlock_sandbox_builder_uid(sandlock_builder_t *b,
						 uint32_t id);
sandlock_builder_t *
sandlock_sandbox_builder_net_allow_bind_port(sandlock_builder_t *b,
					     uint16_t port);
sandlock_builder_t *
sandlock_sandbox_builder_net_deny_bind_port(sandlock_builder_t *b,
					    uint16_t port);

/* ---- layouts (LP64) --------------------------------------------------- */
static_assert(sizeof(bool) == 1, "bool is one byte");

static_assert(sizeof(sandlock_event_t) == 56, "event size");
static_assert(_Alignof(sandlock_event_t) == 8, "event align");
static_assert(offsetof(sandlock_event_t, syscall) == 0, "event.syscall");
static_assert(offsetof(sandlock_event_t, category) == 8, "event.category");
static_assert(offsetof(sandlock_event_t, pid) == 12, "event.pid");
static_assert(offsetof(sandlock_event_t, parent_pid) == 16, "event.parent_pid");
static_assert(offsetof(sandlock_event_t, host) == 24, "event.host");
static_assert(offsetof(sandlock_event_t, port) == 32, "event.port");
static_assert(offsetof(sandlock_event_t, denied) == 34, "event.denied");
static_assert(offsetof(sandlock_event_t, argv) == 40, "event.argv");
static_assert(offsetof(sandlock_event_t, argc) == 48, "event.argc");

static_assert(sizeof(sandlock_mem_handle_t) == 24, "mem handle size");
static_assert(_Alignof(sandlock_mem_handle_t) == 8, "mem handle align");
static_assert(offsetof(sandlock_mem_handle_t, notif_fd) == 0, "mem.notif_fd");
static_assert(offsetof(sandlock_mem_handle_t, notif_id) == 8, "mem.notif_id");
static_assert(offsetof(sandlock_mem_handle_t, pid) == 16, "mem.pid");

static_assert(sizeof(sandlock_action_inject_t) == 8, "inject size");
static_assert(_Alignof(sandlock_action_inject_t) == 4, "inject align");
static_assert(offsetof(sandlock_action_inject_t, newfd_flags) == 4,
	      "inject.newfd_flags");

static_assert(sizeof(sandlock_inject_tracker_t) == 8, "tracker size");
static_assert(sizeof(sandlock_action_inject_tracked_t) == 16, "tracked size");
static_assert(_Alignof(sandlock_action_inject_tracked_t) == 8, "tracked align");
static_assert(offsetof(sandlock_action_inject_tracked_t, tracker) == 8,
	      "tracked.tracker");

static_assert(sizeof(sandlock_action_kill_t) == 8, "kill size");
static_assert(_Alignof(sandlock_action_kill_t) == 4, "kill align");
static_assert(offsetof(sandlock_action_kill_t, pgid) == 4, "kill.pgid");

static_assert(sizeof(sandlock_action_payload_t) == 16, "payload size");
static_assert(_Alignof(sandlock_action_payload_t) == 8, "payload align");

static_assert(sizeof(sandlock_action_out_t) == 24, "action out size");
static_assert(_Alignof(sandlock_action_out_t) == 8, "action out align");
static_assert(offsetof(sandlock_action_out_t, kind) == 0, "out.kind");
static_assert(offsetof(sandlock_action_out_t, payload) == 8, "out.payload");

static_assert(sizeof(sandlock_notif_data_t) == 80, "notif size");
static_assert(_Alignof(sandlock_notif_data_t) == 8, "notif align");
static_assert(offsetof(sandlock_notif_data_t, id) == 0, "notif.id");
static_assert(offsetof(sandlock_notif_data_t, pid) == 8, "notif.pid");
static_assert(offsetof(sandlock_notif_data_t, flags) == 12, "notif.flags");
static_assert(offsetof(sandlock_notif_data_t, syscall_nr) == 16,
	      "notif.syscall_nr");
static_assert(offsetof(sandlock_notif_data_t, arch) == 20, "notif.arch");
static_assert(offsetof(sandlock_notif_data_t, instruction_pointer) == 24,
	      "notif.ip");
static_assert(offsetof(sandlock_notif_data_t, args) == 32, "notif.args");

static_assert(sizeof(sandlock_handler_registration_t) == 16,
	      "registration size");
static_assert(_Alignof(sandlock_handler_registration_t) == 8,
	      "registration align");
static_assert(offsetof(sandlock_handler_registration_t, handler) == 8,
	      "reg.handler");

/* ---- enums and constants (docs/abi.md 2.1-2.3) ------------------------ */
static_assert(sizeof(sandlock_exit_reason) == 4, "exit reason is 32-bit");
static_assert(sizeof(sandlock_action) == 4, "action is 32-bit");
static_assert(sizeof(sandlock_exception) == 4, "exception is 32-bit");
static_assert((sandlock_exit_reason)-1 > 0, "exit reason is unsigned");

static_assert(SANDLOCK_EXIT_REASON_EXITED == 0, "EXITED");
static_assert(SANDLOCK_EXIT_REASON_SIGNALED == 1, "SIGNALED");
static_assert(SANDLOCK_EXIT_REASON_KILLED == 2, "KILLED");
static_assert(SANDLOCK_EXIT_REASON_TIMEOUT == 3, "TIMEOUT");

static_assert(SANDLOCK_ACTION_UNSET == 0, "UNSET");
static_assert(SANDLOCK_ACTION_CONTINUE == 1, "CONTINUE");
static_assert(SANDLOCK_ACTION_ERRNO == 2, "ERRNO");
static_assert(SANDLOCK_ACTION_RETURN_VALUE == 3, "RETURN_VALUE");
static_assert(SANDLOCK_ACTION_INJECT_FD_SEND == 4, "INJECT_FD_SEND");
static_assert(SANDLOCK_ACTION_INJECT_FD_SEND_TRACKED == 5,
	      "INJECT_FD_SEND_TRACKED");
static_assert(SANDLOCK_ACTION_HOLD == 6, "HOLD");
static_assert(SANDLOCK_ACTION_KILL == 7, "KILL");

static_assert(SANDLOCK_EXCEPTION_KILL == 0, "exc KILL");
static_assert(SANDLOCK_EXCEPTION_DENY_EPERM == 1, "exc DENY_EPERM");
static_assert(SANDLOCK_EXCEPTION_CONTINUE == 2, "exc CONTINUE");
static_assert(SANDLOCK_EXCEPTION_DENY_EIO == 3, "exc DENY_EIO");

static_assert(SANDLOCK_INJECT_WRITABLE == 1, "INJECT_WRITABLE");
static_assert(SANDLOCK_INJECT_NO_CLOEXEC == 2, "INJECT_NO_CLOEXEC");

static_assert(SANDLOCK_PROTECTION_FS_REFER == 0, "FS_REFER");
static_assert(SANDLOCK_PROTECTION_FS_TRUNCATE == 1, "FS_TRUNCATE");
static_assert(SANDLOCK_PROTECTION_NET_TCP == 2, "NET_TCP");
static_assert(SANDLOCK_PROTECTION_FS_IOCTL_DEV == 3, "FS_IOCTL_DEV");
static_assert(SANDLOCK_PROTECTION_SIGNAL_SCOPE == 4, "SIGNAL_SCOPE");
static_assert(SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE == 5,
	      "ABSTRACT_UNIX");

static_assert(SANDLOCK_BRANCH_COMMIT == 0 && SANDLOCK_BRANCH_ABORT == 1 &&
		      SANDLOCK_BRANCH_KEEP == 2,
	      "branch actions");
static_assert(SANDLOCK_STDIO_INHERIT == 0 && SANDLOCK_STDIO_PIPED == 1 &&
		      SANDLOCK_STDIO_NULL == 2,
	      "stdio modes");

/* The callback typedefs must accept functions of exactly these types. */
static int32_t policy_cb(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	return 0;
}
static void ud_drop(void *ud)
{
}
static void init_cb(void)
{
}
static void work_cb(uint32_t clone_id)
{
}

TEST(callback_types_match)
{
	sandlock_policy_fn_t p = policy_cb;
	sandlock_policy_ud_drop_t d = ud_drop;
	sandlock_init_fn_t i = init_cb;
	sandlock_work_fn_t w = work_cb;

	CHECK(p && d && i && w);
}

/* ---- the same prototypes as text: cgo compares type names, not types, so
 * `uint32_t argc` for `unsigned int argc` must be caught textually. ------ */
static const char *const spec_protos[] = {
	"sandlock_builder_t *sandlock_sandbox_builder_new(void)",
	"sandlock_builder_t *sandlock_sandbox_builder_fs_read(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_fs_write(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_fs_deny(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_workdir(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_cwd(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_chroot(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_fs_mount(sandlock_builder_t *b, const char *virtual_path, const char *host_path)",
	"sandlock_builder_t *sandlock_sandbox_builder_fs_mount_ro(sandlock_builder_t *b, const char *virtual_path, const char *host_path)",
	"sandlock_builder_t *sandlock_sandbox_builder_fs_storage(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_on_exit(sandlock_builder_t *b, uint8_t action)",
	"sandlock_builder_t *sandlock_sandbox_builder_on_error(sandlock_builder_t *b, uint8_t action)",
	"sandlock_builder_t *sandlock_sandbox_builder_max_memory(sandlock_builder_t *b, uint64_t bytes)",
	"sandlock_builder_t *sandlock_sandbox_builder_max_disk(sandlock_builder_t *b, uint64_t bytes)",
	"sandlock_builder_t *sandlock_sandbox_builder_max_processes(sandlock_builder_t *b, uint32_t n)",
	"sandlock_builder_t *sandlock_sandbox_builder_max_open_files(sandlock_builder_t *b, unsigned int n)",
	"sandlock_builder_t *sandlock_sandbox_builder_max_cpu(sandlock_builder_t *b, uint8_t pct)",
	"sandlock_builder_t *sandlock_sandbox_builder_num_cpus(sandlock_builder_t *b, uint32_t n)",
	"sandlock_builder_t *sandlock_sandbox_builder_cpu_cores(sandlock_builder_t *b, const uint32_t *cores, uint32_t len)",
	"sandlock_builder_t *sandlock_sandbox_builder_gpu_devices(sandlock_builder_t *b, const uint32_t *devices, uint32_t len)",
	"sandlock_builder_t *sandlock_sandbox_builder_net_allow(sandlock_builder_t *b, const char *spec)",
	"sandlock_builder_t *sandlock_sandbox_builder_net_deny(sandlock_builder_t *b, const char *spec)",
	"sandlock_builder_t *sandlock_sandbox_builder_net_allow_bind(sandlock_builder_t *b, const char *spec)",
	"sandlock_builder_t *sandlock_sandbox_builder_net_deny_bind(sandlock_builder_t *b, const char *spec)",
	"sandlock_builder_t *sandlock_sandbox_builder_port_remap(sandlock_builder_t *b, bool v)",
	"sandlock_builder_t *sandlock_sandbox_builder_http_allow(sandlock_builder_t *b, const char *rule)",
	"sandlock_builder_t *sandlock_sandbox_builder_http_deny(sandlock_builder_t *b, const char *rule)",
	"sandlock_builder_t *sandlock_sandbox_builder_http_port(sandlock_builder_t *b, uint16_t port)",
	"sandlock_builder_t *sandlock_sandbox_builder_http_ca(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_http_key(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_http_inject_ca(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_http_ca_out(sandlock_builder_t *b, const char *path)",
	"sandlock_builder_t *sandlock_sandbox_builder_random_seed(sandlock_builder_t *b, uint64_t seed)",
	"sandlock_builder_t *sandlock_sandbox_builder_time_start(sandlock_builder_t *b, uint64_t epoch_secs)",
	"sandlock_builder_t *sandlock_sandbox_builder_no_randomize_memory(sandlock_builder_t *b, bool v)",
	"sandlock_builder_t *sandlock_sandbox_builder_no_huge_pages(sandlock_builder_t *b, bool v)",
	"sandlock_builder_t *sandlock_sandbox_builder_deterministic_dirs(sandlock_builder_t *b, bool v)",
	"sandlock_builder_t *sandlock_sandbox_builder_clean_env(sandlock_builder_t *b, bool v)",
	"sandlock_builder_t *sandlock_sandbox_builder_env_var(sandlock_builder_t *b, const char *key, const char *value)",
	"sandlock_builder_t *sandlock_sandbox_builder_extra_deny_syscalls(sandlock_builder_t *b, const char *names)",
	"sandlock_builder_t *sandlock_sandbox_builder_extra_allow_syscalls(sandlock_builder_t *b, const char *names)",
	"sandlock_builder_t *sandlock_sandbox_builder_user(sandlock_builder_t *b, uint32_t uid, uint32_t gid)",
	"sandlock_builder_t *sandlock_sandbox_builder_no_coredump(sandlock_builder_t *b, bool v)",
	"sandlock_builder_t *sandlock_sandbox_builder_allow_degraded(sandlock_builder_t *b, uint32_t protection)",
	"sandlock_builder_t *sandlock_sandbox_builder_disable(sandlock_builder_t *b, uint32_t protection)",
	"sandlock_builder_t *sandlock_sandbox_builder_policy_fn(sandlock_builder_t *b, sandlock_policy_fn_t cb, void *user_data, void (*user_data_drop)(void *user_data))",
	"void sandlock_ctx_restrict_network(sandlock_ctx_t *ctx, const char *const *ips, uint32_t count)",
	"void sandlock_ctx_grant_network(sandlock_ctx_t *ctx, const char *const *ips, uint32_t count)",
	"void sandlock_ctx_restrict_max_memory(sandlock_ctx_t *ctx, uint64_t bytes)",
	"void sandlock_ctx_restrict_max_processes(sandlock_ctx_t *ctx, uint32_t n)",
	"void sandlock_ctx_restrict_pid_network(sandlock_ctx_t *ctx, uint32_t pid, const char *const *ips, uint32_t count)",
	"void sandlock_ctx_deny_path(sandlock_ctx_t *ctx, const char *path)",
	"void sandlock_ctx_allow_path(sandlock_ctx_t *ctx, const char *path)",
	"sandlock_sandbox_t *sandlock_sandbox_build(sandlock_builder_t *b, int *err, char **err_msg)",
	"void sandlock_sandbox_free(sandlock_sandbox_t *p)",
	"int sandlock_confine(const sandlock_sandbox_t *policy)",
	"sandlock_result_t *sandlock_run(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc)",
	"int sandlock_run_interactive(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc)",
	"sandlock_handle_t *sandlock_create(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc)",
	"sandlock_handle_t *sandlock_create_for_run(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc)",
	"sandlock_handle_t *sandlock_popen(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc, uint32_t stdin_mode, uint32_t stdout_mode, uint32_t stderr_mode, int *out_stdin_fd, int *out_stdout_fd, int *out_stderr_fd)",
	"int sandlock_start(sandlock_handle_t *h)",
	"int32_t sandlock_handle_pid(const sandlock_handle_t *h)",
	"int sandlock_handle_kill(sandlock_handle_t *h)",
	"sandlock_result_t *sandlock_handle_wait(sandlock_handle_t *h)",
	"sandlock_result_t *sandlock_handle_wait_timeout(sandlock_handle_t *h, uint64_t timeout_ms)",
	"char *sandlock_handle_port_mappings(const sandlock_handle_t *h)",
	"void sandlock_handle_free(sandlock_handle_t *h)",
	"int sandlock_result_exit_code(const sandlock_result_t *r)",
	"sandlock_exit_reason sandlock_result_reason(const sandlock_result_t *r)",
	"int sandlock_result_signal(const sandlock_result_t *r)",
	"bool sandlock_result_success(const sandlock_result_t *r)",
	"char *sandlock_result_stdout(const sandlock_result_t *r)",
	"char *sandlock_result_stderr(const sandlock_result_t *r)",
	"const uint8_t *sandlock_result_stdout_bytes(const sandlock_result_t *r, uintptr_t *len)",
	"const uint8_t *sandlock_result_stderr_bytes(const sandlock_result_t *r, uintptr_t *len)",
	"void sandlock_result_free(sandlock_result_t *r)",
	"void sandlock_string_free(char *s)",
	"sandlock_dry_run_result_t *sandlock_dry_run(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc)",
	"int sandlock_dry_run_result_exit_code(const sandlock_dry_run_result_t *r)",
	"sandlock_exit_reason sandlock_dry_run_result_reason(const sandlock_dry_run_result_t *r)",
	"int sandlock_dry_run_result_signal(const sandlock_dry_run_result_t *r)",
	"bool sandlock_dry_run_result_success(const sandlock_dry_run_result_t *r)",
	"const uint8_t *sandlock_dry_run_result_stdout_bytes(const sandlock_dry_run_result_t *r, uintptr_t *len)",
	"const uint8_t *sandlock_dry_run_result_stderr_bytes(const sandlock_dry_run_result_t *r, uintptr_t *len)",
	"uintptr_t sandlock_dry_run_result_changes_len(const sandlock_dry_run_result_t *r)",
	"char sandlock_dry_run_result_change_kind(const sandlock_dry_run_result_t *r, uintptr_t i)",
	"char *sandlock_dry_run_result_change_path(const sandlock_dry_run_result_t *r, uintptr_t i)",
	"void sandlock_dry_run_result_free(sandlock_dry_run_result_t *r)",
	"sandlock_pipeline_t *sandlock_pipeline_new(void)",
	"void sandlock_pipeline_add_stage(sandlock_pipeline_t *pipe, const sandlock_sandbox_t *policy, const char *const *argv, unsigned int argc)",
	"sandlock_result_t *sandlock_pipeline_run(sandlock_pipeline_t *pipe, uint64_t timeout_ms)",
	"void sandlock_pipeline_free(sandlock_pipeline_t *pipe)",
	"sandlock_gather_t *sandlock_gather_new(void)",
	"void sandlock_gather_add_source(sandlock_gather_t *g, const char *name, const sandlock_sandbox_t *policy, const char *const *argv, unsigned int argc)",
	"void sandlock_gather_set_consumer(sandlock_gather_t *g, const sandlock_sandbox_t *policy, const char *const *argv, unsigned int argc)",
	"sandlock_result_t *sandlock_gather_run(sandlock_gather_t *g, uint64_t timeout_ms)",
	"void sandlock_gather_free(sandlock_gather_t *g)",
	"sandlock_t *sandlock_new_with_fns(const sandlock_sandbox_t *policy, const char *name, sandlock_init_fn_t init_fn, sandlock_work_fn_t work_fn)",
	"sandlock_fork_result_t *sandlock_fork(sandlock_t *sb, uint32_t n)",
	"uint32_t sandlock_fork_result_count(const sandlock_fork_result_t *r)",
	"int32_t sandlock_fork_result_pid(const sandlock_fork_result_t *r, uint32_t index)",
	"sandlock_result_t *sandlock_reduce(sandlock_fork_result_t *fork_result, const sandlock_sandbox_t *policy, const char *name, const char *const *argv, unsigned int argc)",
	"void sandlock_fork_result_free(sandlock_fork_result_t *r)",
	"int sandlock_wait(sandlock_t *sb)",
	"void sandlock_sandbox_fns_free(sandlock_t *sb)",
	"sandlock_checkpoint_t *sandlock_handle_checkpoint(sandlock_handle_t *h)",
	"int sandlock_checkpoint_save(const sandlock_checkpoint_t *cp, const char *dir)",
	"sandlock_checkpoint_t *sandlock_checkpoint_load(const char *dir)",
	"void sandlock_checkpoint_set_name(sandlock_checkpoint_t *cp, const char *name)",
	"char *sandlock_checkpoint_name(const sandlock_checkpoint_t *cp)",
	"void sandlock_checkpoint_set_app_state(sandlock_checkpoint_t *cp, const uint8_t *data, uintptr_t len)",
	"const uint8_t *sandlock_checkpoint_app_state(const sandlock_checkpoint_t *cp, uintptr_t *len)",
	"void sandlock_checkpoint_free(sandlock_checkpoint_t *cp)",
	"sandlock_handle_t *sandlock_restore_interactive(const sandlock_sandbox_t *policy, const char *name, const sandlock_checkpoint_t *cp)",
	"uintptr_t sandlock_handle_restore_skipped_len(const sandlock_handle_t *h)",
	"int sandlock_handle_restore_skipped_fd(const sandlock_handle_t *h, uintptr_t i)",
	"char *sandlock_handle_restore_skipped_path(const sandlock_handle_t *h, uintptr_t i)",
	"int64_t sandlock_syscall_nr(const char *name)",
	"sandlock_handler_t *sandlock_handler_new(int32_t (*handler_fn)(void *ud, const sandlock_notif_data_t *notif, sandlock_mem_handle_t *mem, sandlock_action_out_t *out), void *ud, void (*ud_drop)(void *ud), uint32_t on_exception)",
	"void sandlock_handler_set_deferred(sandlock_handler_t *h, bool deferred)",
	"void sandlock_handler_free(sandlock_handler_t *h)",
	"sandlock_result_t *sandlock_run_with_handlers(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, uint32_t argc, const sandlock_handler_registration_t *registrations, uintptr_t nregistrations)",
	"sandlock_result_t *sandlock_run_interactive_with_handlers(const sandlock_sandbox_t *policy, const char *name, const char *const *argv, uint32_t argc, const sandlock_handler_registration_t *registrations, uintptr_t nregistrations)",
	"void sandlock_action_set_continue(sandlock_action_out_t *out)",
	"void sandlock_action_set_errno(sandlock_action_out_t *out, int32_t errno_value)",
	"void sandlock_action_set_return_value(sandlock_action_out_t *out, int64_t value)",
	"void sandlock_action_set_inject_fd_send(sandlock_action_out_t *out, int srcfd, uint32_t newfd_flags)",
	"void sandlock_action_set_inject_bytes(sandlock_action_out_t *out, const uint8_t *data, uintptr_t len, uint32_t flags)",
	"void sandlock_action_set_hold(sandlock_action_out_t *out)",
	"void sandlock_action_set_kill(sandlock_action_out_t *out, int32_t sig, int32_t pgid)",
	"int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle, uint64_t addr, uint8_t *buf, uintptr_t max_len, uintptr_t *out_len)",
	"int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle, uint64_t addr, uint8_t *buf, uintptr_t len, uintptr_t *out_len)",
	"int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle, uint64_t addr, const uint8_t *buf, uintptr_t len)",
	"int sandlock_landlock_abi_version(void)",
	"int sandlock_min_landlock_abi(void)",
	"uint32_t sandlock_protection_min_abi(uint32_t protection)",
	"sandlock_builder_t *sandlock_sandbox_builder_net_bind_port(sandlock_builder_t *b, uint16_t port)",
	"sandlock_builder_t *sandlock_sandbox_builder_uid(sandlock_builder_t *b, uint32_t id)",
	"sandlock_builder_t *sandlock_sandbox_builder_net_allow_bind_port(sandlock_builder_t *b, uint16_t port)",
	"sandlock_builder_t *sandlock_sandbox_builder_net_deny_bind_port(sandlock_builder_t *b, uint16_t port)",
};

TEST(header_prototypes_match_the_spec_text)
{
	struct sl_protos hdr;
	size_t nspec = sizeof(spec_protos) / sizeof(spec_protos[0]);

	if (sl_header_protos(&hdr) < 0)
		FAIL("cannot read include/sandlock.h (run from the repository root or set SANDLOCK_SRC)");
	CHECK_EQ_INT(nspec, 141);
	if (hdr.n != nspec) {
		size_t n = hdr.n;

		sl_protos_free(&hdr);
		FAIL("header declares %zu functions, the reference %zu", n,
		     nspec);
	}
	for (size_t i = 0; i < nspec; i++) {
		char *want = sl_proto_normalise(spec_protos[i]);
		bool found = false;

		for (size_t k = 0; want && k < hdr.n && !found; k++)
			found = strcmp(hdr.proto[k], want) == 0;
		if (!found) {
			fprintf(stderr, "  not in the header: %s\n",
				want ? want : "(oom)");
			free(want);
			sl_protos_free(&hdr);
			FAIL("prototype mismatch");
		}
		free(want);
	}
	sl_protos_free(&hdr);
}
