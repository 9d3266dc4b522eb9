/*
 * sandlock.h: public C ABI of libsandlock.
 *
 * Binary- and source-compatible with the reference sandlock C ABI
 * (libsandlock_ffi, v0.8.6). Every declaration below is an interface
 * fact: do not change types or parameter lists.
 */
#ifndef SANDLOCK_H
#define SANDLOCK_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sandlock_builder_t sandlock_builder_t;
typedef struct sandlock_t sandlock_t;
typedef struct sandlock_sandbox_t sandlock_sandbox_t;
typedef struct sandlock_result_t sandlock_result_t;
typedef struct sandlock_handler_t sandlock_handler_t;
typedef struct sandlock_checkpoint_t sandlock_checkpoint_t;
typedef struct sandlock_ctx_t sandlock_ctx_t;
typedef struct sandlock_dry_run_result_t sandlock_dry_run_result_t;
typedef struct sandlock_fork_result_t sandlock_fork_result_t;
typedef struct sandlock_gather_t sandlock_gather_t;
typedef struct sandlock_handle_t sandlock_handle_t;
typedef struct sandlock_pipeline_t sandlock_pipeline_t;

#define SANDLOCK_INJECT_WRITABLE (1 << 0)
#define SANDLOCK_INJECT_NO_CLOEXEC (1 << 1)
enum sandlock_exit_reason
#ifdef __cplusplus
  : uint32_t
#endif
{
  SANDLOCK_EXIT_REASON_EXITED = 0,
  SANDLOCK_EXIT_REASON_SIGNALED = 1,
  SANDLOCK_EXIT_REASON_KILLED = 2,
  SANDLOCK_EXIT_REASON_TIMEOUT = 3,
};
#ifndef __cplusplus
typedef uint32_t sandlock_exit_reason;
#endif

enum sandlock_action
#ifdef __cplusplus
  : uint32_t
#endif
{
  SANDLOCK_ACTION_UNSET = 0,
  SANDLOCK_ACTION_CONTINUE = 1,
  SANDLOCK_ACTION_ERRNO = 2,
  SANDLOCK_ACTION_RETURN_VALUE = 3,
  SANDLOCK_ACTION_INJECT_FD_SEND = 4,
  SANDLOCK_ACTION_INJECT_FD_SEND_TRACKED = 5,
  SANDLOCK_ACTION_HOLD = 6,
  SANDLOCK_ACTION_KILL = 7,
};
#ifndef __cplusplus
typedef uint32_t sandlock_action;
#endif

enum sandlock_exception
#ifdef __cplusplus
  : uint32_t
#endif
{
  SANDLOCK_EXCEPTION_KILL = 0,
  SANDLOCK_EXCEPTION_DENY_EPERM = 1,
  SANDLOCK_EXCEPTION_CONTINUE = 2,
  SANDLOCK_EXCEPTION_DENY_EIO = 3,
};
#ifndef __cplusplus
typedef uint32_t sandlock_exception;
#endif

typedef struct {
  const char *syscall;
  uint8_t category;
  uint32_t pid;
  uint32_t parent_pid;
  const char *host;
  uint16_t port;
  bool denied;
  const char *const *argv;
  uint32_t argc;
} sandlock_event_t;

typedef int32_t (*sandlock_policy_fn_t)(const sandlock_event_t *event,
                                        sandlock_ctx_t *ctx,
                                        void *user_data);
typedef void (*sandlock_policy_ud_drop_t)(void *user_data);
typedef void (*sandlock_init_fn_t)(void);
typedef void (*sandlock_work_fn_t)(uint32_t clone_id);

typedef struct {
  int notif_fd;
  uint64_t notif_id;
  uint32_t pid;
} sandlock_mem_handle_t;                 /* size 24, align 8: notif_fd@0 notif_id@8 pid@16 */

typedef struct {
  int32_t srcfd;
  uint32_t newfd_flags;
} sandlock_action_inject_t;              /* size 8, align 4 */

typedef uint64_t sandlock_inject_tracker_t;

typedef struct {
  int32_t srcfd;
  uint32_t newfd_flags;
  sandlock_inject_tracker_t tracker;
} sandlock_action_inject_tracked_t;      /* size 16, align 8: tracker@8 */

typedef struct {
  int32_t sig;
  int32_t pgid;
} sandlock_action_kill_t;                /* size 8, align 4 */

typedef union {
  uint64_t none;
  int32_t errno_value;
  int64_t return_value;
  sandlock_action_inject_t inject_send;
  sandlock_action_inject_tracked_t inject_send_tracked;
  sandlock_action_kill_t kill;
} sandlock_action_payload_t;             /* size 16, align 8 */

typedef struct {
  uint32_t kind;
  sandlock_action_payload_t payload;
} sandlock_action_out_t;                 /* size 24, align 8: kind@0, payload@8 */

typedef struct {
  uint64_t id;
  uint32_t pid;
  uint32_t flags;
  int32_t syscall_nr;
  uint32_t arch;
  uint64_t instruction_pointer;
  uint64_t args[6];
} sandlock_notif_data_t;                 /* size 80, align 8:
                                            id@0 pid@8 flags@12 syscall_nr@16
                                            arch@20 instruction_pointer@24 args@32 */

typedef struct {
  int64_t syscall_nr;
  sandlock_handler_t *handler;
} sandlock_handler_registration_t;       /* size 16, align 8 */

/* Protection values for sandlock_sandbox_builder_allow_degraded/disable. */
#define SANDLOCK_PROTECTION_FS_REFER 0u
#define SANDLOCK_PROTECTION_FS_TRUNCATE 1u
#define SANDLOCK_PROTECTION_NET_TCP 2u
#define SANDLOCK_PROTECTION_FS_IOCTL_DEV 3u
#define SANDLOCK_PROTECTION_SIGNAL_SCOPE 4u
#define SANDLOCK_PROTECTION_ABSTRACT_UNIX_SOCKET_SCOPE 5u

/* Branch actions for on_exit/on_error; stdio modes for sandlock_popen. */
#define SANDLOCK_BRANCH_COMMIT 0
#define SANDLOCK_BRANCH_ABORT 1
#define SANDLOCK_BRANCH_KEEP 2
#define SANDLOCK_STDIO_INHERIT 0u
#define SANDLOCK_STDIO_PIPED 1u
#define SANDLOCK_STDIO_NULL 2u

sandlock_builder_t *sandlock_sandbox_builder_new(void);
sandlock_builder_t *sandlock_sandbox_builder_fs_read(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_write(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_deny(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_workdir(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_cwd(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_chroot(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_fs_mount(sandlock_builder_t *b,
                                                      const char *virtual_path,
                                                      const char *host_path);
sandlock_builder_t *sandlock_sandbox_builder_fs_mount_ro(sandlock_builder_t *b,
                                                         const char *virtual_path,
                                                         const char *host_path);
sandlock_builder_t *sandlock_sandbox_builder_fs_storage(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_on_exit(sandlock_builder_t *b, uint8_t action);
sandlock_builder_t *sandlock_sandbox_builder_on_error(sandlock_builder_t *b, uint8_t action);
sandlock_builder_t *sandlock_sandbox_builder_max_memory(sandlock_builder_t *b, uint64_t bytes);
sandlock_builder_t *sandlock_sandbox_builder_max_disk(sandlock_builder_t *b, uint64_t bytes);
sandlock_builder_t *sandlock_sandbox_builder_max_processes(sandlock_builder_t *b, uint32_t n);
sandlock_builder_t *sandlock_sandbox_builder_max_open_files(sandlock_builder_t *b, unsigned int n);
sandlock_builder_t *sandlock_sandbox_builder_max_cpu(sandlock_builder_t *b, uint8_t pct);
sandlock_builder_t *sandlock_sandbox_builder_num_cpus(sandlock_builder_t *b, uint32_t n);
sandlock_builder_t *sandlock_sandbox_builder_cpu_cores(sandlock_builder_t *b,
                                                       const uint32_t *cores,
                                                       uint32_t len);
sandlock_builder_t *sandlock_sandbox_builder_gpu_devices(sandlock_builder_t *b,
                                                         const uint32_t *devices,
                                                         uint32_t len);
sandlock_builder_t *sandlock_sandbox_builder_net_allow(sandlock_builder_t *b, const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_net_deny(sandlock_builder_t *b, const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_net_allow_bind(sandlock_builder_t *b,
                                                            const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_net_deny_bind(sandlock_builder_t *b, const char *spec);
sandlock_builder_t *sandlock_sandbox_builder_port_remap(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_http_allow(sandlock_builder_t *b, const char *rule);
sandlock_builder_t *sandlock_sandbox_builder_http_deny(sandlock_builder_t *b, const char *rule);
sandlock_builder_t *sandlock_sandbox_builder_http_port(sandlock_builder_t *b, uint16_t port);
sandlock_builder_t *sandlock_sandbox_builder_http_ca(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_http_key(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_http_inject_ca(sandlock_builder_t *b,
                                                            const char *path);
sandlock_builder_t *sandlock_sandbox_builder_http_ca_out(sandlock_builder_t *b, const char *path);
sandlock_builder_t *sandlock_sandbox_builder_random_seed(sandlock_builder_t *b, uint64_t seed);
sandlock_builder_t *sandlock_sandbox_builder_time_start(sandlock_builder_t *b, uint64_t epoch_secs);
sandlock_builder_t *sandlock_sandbox_builder_no_randomize_memory(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_no_huge_pages(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_deterministic_dirs(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_clean_env(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_env_var(sandlock_builder_t *b,
                                                     const char *key,
                                                     const char *value);
sandlock_builder_t *sandlock_sandbox_builder_extra_deny_syscalls(sandlock_builder_t *b,
                                                                 const char *names);
sandlock_builder_t *sandlock_sandbox_builder_extra_allow_syscalls(sandlock_builder_t *b,
                                                                  const char *names);
sandlock_builder_t *sandlock_sandbox_builder_user(sandlock_builder_t *b,
                                                  uint32_t uid,
                                                  uint32_t gid);
sandlock_builder_t *sandlock_sandbox_builder_no_coredump(sandlock_builder_t *b, bool v);
sandlock_builder_t *sandlock_sandbox_builder_allow_degraded(sandlock_builder_t *b,
                                                            uint32_t protection);
sandlock_builder_t *sandlock_sandbox_builder_disable(sandlock_builder_t *b, uint32_t protection);
sandlock_builder_t *sandlock_sandbox_builder_policy_fn(sandlock_builder_t *b,
                                                       sandlock_policy_fn_t cb,
                                                       void *user_data,
                                                       void (*user_data_drop)(void *user_data));
void sandlock_ctx_restrict_network(sandlock_ctx_t *ctx, const char *const *ips, uint32_t count);
void sandlock_ctx_grant_network(sandlock_ctx_t *ctx, const char *const *ips, uint32_t count);
void sandlock_ctx_restrict_max_memory(sandlock_ctx_t *ctx, uint64_t bytes);
void sandlock_ctx_restrict_max_processes(sandlock_ctx_t *ctx, uint32_t n);
void sandlock_ctx_restrict_pid_network(sandlock_ctx_t *ctx,
                                       uint32_t pid,
                                       const char *const *ips,
                                       uint32_t count);
void sandlock_ctx_deny_path(sandlock_ctx_t *ctx, const char *path);
void sandlock_ctx_allow_path(sandlock_ctx_t *ctx, const char *path);
sandlock_sandbox_t *sandlock_sandbox_build(sandlock_builder_t *b, int *err, char **err_msg);
void sandlock_sandbox_free(sandlock_sandbox_t *p);
int sandlock_confine(const sandlock_sandbox_t *policy);
sandlock_result_t *sandlock_run(const sandlock_sandbox_t *policy,
                                const char *name,
                                const char *const *argv,
                                unsigned int argc);
int sandlock_run_interactive(const sandlock_sandbox_t *policy,
                             const char *name,
                             const char *const *argv,
                             unsigned int argc);
sandlock_handle_t *sandlock_create(const sandlock_sandbox_t *policy,
                                   const char *name,
                                   const char *const *argv,
                                   unsigned int argc);
sandlock_handle_t *sandlock_create_for_run(const sandlock_sandbox_t *policy,
                                           const char *name,
                                           const char *const *argv,
                                           unsigned int argc);
sandlock_handle_t *sandlock_popen(const sandlock_sandbox_t *policy,
                                  const char *name,
                                  const char *const *argv,
                                  unsigned int argc,
                                  uint32_t stdin_mode,
                                  uint32_t stdout_mode,
                                  uint32_t stderr_mode,
                                  int *out_stdin_fd,
                                  int *out_stdout_fd,
                                  int *out_stderr_fd);
int sandlock_start(sandlock_handle_t *h);
int32_t sandlock_handle_pid(const sandlock_handle_t *h);
int sandlock_handle_kill(sandlock_handle_t *h);
sandlock_result_t *sandlock_handle_wait(sandlock_handle_t *h);
sandlock_result_t *sandlock_handle_wait_timeout(sandlock_handle_t *h, uint64_t timeout_ms);
char *sandlock_handle_port_mappings(const sandlock_handle_t *h);
void sandlock_handle_free(sandlock_handle_t *h);
int sandlock_result_exit_code(const sandlock_result_t *r);
sandlock_exit_reason sandlock_result_reason(const sandlock_result_t *r);
int sandlock_result_signal(const sandlock_result_t *r);
bool sandlock_result_success(const sandlock_result_t *r);
char *sandlock_result_stdout(const sandlock_result_t *r);
char *sandlock_result_stderr(const sandlock_result_t *r);
const uint8_t *sandlock_result_stdout_bytes(const sandlock_result_t *r, uintptr_t *len);
const uint8_t *sandlock_result_stderr_bytes(const sandlock_result_t *r, uintptr_t *len);
void sandlock_result_free(sandlock_result_t *r);
void sandlock_string_free(char *s);
sandlock_dry_run_result_t *sandlock_dry_run(const sandlock_sandbox_t *policy,
                                            const char *name,
                                            const char *const *argv,
                                            unsigned int argc);
int sandlock_dry_run_result_exit_code(const sandlock_dry_run_result_t *r);
sandlock_exit_reason sandlock_dry_run_result_reason(const sandlock_dry_run_result_t *r);
int sandlock_dry_run_result_signal(const sandlock_dry_run_result_t *r);
bool sandlock_dry_run_result_success(const sandlock_dry_run_result_t *r);
const uint8_t *sandlock_dry_run_result_stdout_bytes(const sandlock_dry_run_result_t *r,
                                                    uintptr_t *len);
const uint8_t *sandlock_dry_run_result_stderr_bytes(const sandlock_dry_run_result_t *r,
                                                    uintptr_t *len);
uintptr_t sandlock_dry_run_result_changes_len(const sandlock_dry_run_result_t *r);
char sandlock_dry_run_result_change_kind(const sandlock_dry_run_result_t *r, uintptr_t i);
char *sandlock_dry_run_result_change_path(const sandlock_dry_run_result_t *r, uintptr_t i);
void sandlock_dry_run_result_free(sandlock_dry_run_result_t *r);
sandlock_pipeline_t *sandlock_pipeline_new(void);
void sandlock_pipeline_add_stage(sandlock_pipeline_t *pipe,
                                 const sandlock_sandbox_t *policy,
                                 const char *const *argv,
                                 unsigned int argc);
sandlock_result_t *sandlock_pipeline_run(sandlock_pipeline_t *pipe, uint64_t timeout_ms);
void sandlock_pipeline_free(sandlock_pipeline_t *pipe);
sandlock_gather_t *sandlock_gather_new(void);
void sandlock_gather_add_source(sandlock_gather_t *g,
                                const char *name,
                                const sandlock_sandbox_t *policy,
                                const char *const *argv,
                                unsigned int argc);
void sandlock_gather_set_consumer(sandlock_gather_t *g,
                                  const sandlock_sandbox_t *policy,
                                  const char *const *argv,
                                  unsigned int argc);
sandlock_result_t *sandlock_gather_run(sandlock_gather_t *g, uint64_t timeout_ms);
void sandlock_gather_free(sandlock_gather_t *g);
sandlock_t *sandlock_new_with_fns(const sandlock_sandbox_t *policy,
                                  const char *name,
                                  sandlock_init_fn_t init_fn,
                                  sandlock_work_fn_t work_fn);
sandlock_fork_result_t *sandlock_fork(sandlock_t *sb, uint32_t n);
uint32_t sandlock_fork_result_count(const sandlock_fork_result_t *r);
int32_t sandlock_fork_result_pid(const sandlock_fork_result_t *r, uint32_t index);
sandlock_result_t *sandlock_reduce(sandlock_fork_result_t *fork_result,
                                   const sandlock_sandbox_t *policy,
                                   const char *name,
                                   const char *const *argv,
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
                                       const uint8_t *data,
                                       uintptr_t len);
const uint8_t *sandlock_checkpoint_app_state(const sandlock_checkpoint_t *cp, uintptr_t *len);
void sandlock_checkpoint_free(sandlock_checkpoint_t *cp);
sandlock_handle_t *sandlock_restore_interactive(const sandlock_sandbox_t *policy,
                                                const char *name,
                                                const sandlock_checkpoint_t *cp);
uintptr_t sandlock_handle_restore_skipped_len(const sandlock_handle_t *h);
int sandlock_handle_restore_skipped_fd(const sandlock_handle_t *h, uintptr_t i);
char *sandlock_handle_restore_skipped_path(const sandlock_handle_t *h, uintptr_t i);
int64_t sandlock_syscall_nr(const char *name);
sandlock_handler_t *sandlock_handler_new(int32_t (*handler_fn)(void *ud,
                                                               const sandlock_notif_data_t *notif,
                                                               sandlock_mem_handle_t *mem,
                                                               sandlock_action_out_t *out),
                                         void *ud,
                                         void (*ud_drop)(void *ud),
                                         uint32_t on_exception);
void sandlock_handler_set_deferred(sandlock_handler_t *h, bool deferred);
void sandlock_handler_free(sandlock_handler_t *h);
sandlock_result_t *sandlock_run_with_handlers(const sandlock_sandbox_t *policy,
                                              const char *name,
                                              const char *const *argv,
                                              uint32_t argc,
                                              const sandlock_handler_registration_t *registrations,
                                              uintptr_t nregistrations);
sandlock_result_t *sandlock_run_interactive_with_handlers(const sandlock_sandbox_t *policy,
                                                          const char *name,
                                                          const char *const *argv,
                                                          uint32_t argc,
                                                          const sandlock_handler_registration_t *registrations,
                                                          uintptr_t nregistrations);
void sandlock_action_set_continue(sandlock_action_out_t *out);
void sandlock_action_set_errno(sandlock_action_out_t *out, int32_t errno_value);
void sandlock_action_set_return_value(sandlock_action_out_t *out, int64_t value);
void sandlock_action_set_inject_fd_send(sandlock_action_out_t *out,
                                        int srcfd,
                                        uint32_t newfd_flags);
void sandlock_action_set_inject_bytes(sandlock_action_out_t *out,
                                      const uint8_t *data,
                                      uintptr_t len,
                                      uint32_t flags);
void sandlock_action_set_hold(sandlock_action_out_t *out);
void sandlock_action_set_kill(sandlock_action_out_t *out, int32_t sig, int32_t pgid);
int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle,
                               uint64_t addr,
                               uint8_t *buf,
                               uintptr_t max_len,
                               uintptr_t *out_len);
int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle,
                          uint64_t addr,
                          uint8_t *buf,
                          uintptr_t len,
                          uintptr_t *out_len);
int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle,
                           uint64_t addr,
                           const uint8_t *buf,
                           uintptr_t len);
int sandlock_landlock_abi_version(void);
int sandlock_min_landlock_abi(void);
uint32_t sandlock_protection_min_abi(uint32_t protection);

/* ---- Legacy names (first Go SDK and intermediate headers) ---------- */
sandlock_builder_t *sandlock_sandbox_builder_net_bind_port(sandlock_builder_t *b, uint16_t port);
sandlock_builder_t *sandlock_sandbox_builder_uid(sandlock_builder_t *b, uint32_t id);
sandlock_builder_t *sandlock_sandbox_builder_net_allow_bind_port(sandlock_builder_t *b, uint16_t port);
sandlock_builder_t *sandlock_sandbox_builder_net_deny_bind_port(sandlock_builder_t *b, uint16_t port);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SANDLOCK_H */
