//go:build linux && cgo

package sandlock

// Translating a Sandbox into a native policy (sandlock_sandbox_t).

/*
#include <stdlib.h>
#include "sandlock.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// cArena owns the C strings and arrays of one native call sequence; the
// library copies everything it keeps, so they are freed right after.
type cArena struct{ ptrs []unsafe.Pointer }

func (a *cArena) str(s string) *C.char {
	p := C.CString(s)
	a.ptrs = append(a.ptrs, unsafe.Pointer(p))
	return p
}

// optStr is str, or NULL for "".
func (a *cArena) optStr(s string) *C.char {
	if s == "" {
		return nil
	}
	return a.str(s)
}

// strArray builds a C array of C strings (not NULL-terminated); NULL for
// an empty list.
func (a *cArena) strArray(list []string) **C.char {
	if len(list) == 0 {
		return nil
	}
	arr := C.malloc(C.size_t(len(list)) * C.size_t(unsafe.Sizeof((*C.char)(nil))))
	a.ptrs = append(a.ptrs, arr)
	elems := unsafe.Slice((**C.char)(arr), len(list))
	for i, s := range list {
		elems[i] = a.str(s)
	}
	return (**C.char)(arr)
}

func (a *cArena) free() {
	for _, p := range a.ptrs {
		C.free(p)
	}
	a.ptrs = nil
}

// buildPolicy checks the configuration in Go, then builds a fresh native
// policy; the caller frees it with sandlock_sandbox_free. Every Go-side
// error surfaces before a builder exists (the ABI cannot discard one).
func (s *Sandbox) buildPolicy() (*C.sandlock_sandbox_t, error) {
	p, err := s.check()
	if err != nil {
		return nil, err
	}
	var a cArena
	defer a.free()
	b := p.issueSetters(C.sandlock_sandbox_builder_new(), &a)
	if b != nil && s.PolicyFn != nil {
		// Last, right before the build: from here the library owns the
		// registration and drops it exactly once, whatever the outcome.
		b = setPolicyFn(b, s.PolicyFn)
	}
	var cerr C.int
	var msg *C.char
	var pol *C.sandlock_sandbox_t
	var failed *Error
	onThread(func() {
		pol = C.sandlock_sandbox_build(b, &cerr, &msg)
		if pol == nil {
			failed = lastError("build")
		}
	})
	if msg != nil {
		// The whole message (the thread's record is bounded).
		failed.Msg = C.GoString(msg)
		C.sandlock_string_free(msg)
	}
	if failed != nil {
		return nil, failed
	}
	return pol, nil
}

// issueSetters translates every field into builder calls, in the order of
// the reference SDK (Disable after AllowDegraded, so Disable wins).
func (p *plan) issueSetters(b *C.sandlock_builder_t, a *cArena) *C.sandlock_builder_t {
	s := p.s
	for _, v := range s.FSReadable {
		b = C.sandlock_sandbox_builder_fs_read(b, a.str(v))
	}
	for _, v := range s.FSWritable {
		b = C.sandlock_sandbox_builder_fs_write(b, a.str(v))
	}
	for _, v := range s.FSDenied {
		b = C.sandlock_sandbox_builder_fs_deny(b, a.str(v))
	}
	if s.Workdir != "" {
		b = C.sandlock_sandbox_builder_workdir(b, a.str(s.Workdir))
	}
	if s.Cwd != "" {
		b = C.sandlock_sandbox_builder_cwd(b, a.str(s.Cwd))
	}
	if s.Chroot != "" {
		b = C.sandlock_sandbox_builder_chroot(b, a.str(s.Chroot))
	}
	for _, virt := range p.mountOrder {
		b = C.sandlock_sandbox_builder_fs_mount(b, a.str(virt), a.str(s.FSMount[virt]))
	}
	for _, prot := range s.AllowDegraded {
		b = C.sandlock_sandbox_builder_allow_degraded(b, C.uint32_t(prot))
	}
	for _, prot := range s.Disable {
		b = C.sandlock_sandbox_builder_disable(b, C.uint32_t(prot))
	}
	b = p.issueNetwork(b, a)
	if s.MaxMemory != "" {
		b = C.sandlock_sandbox_builder_max_memory(b, C.uint64_t(p.maxMemory))
	}
	if s.MaxDisk != "" {
		b = C.sandlock_sandbox_builder_max_disk(b, C.uint64_t(p.maxDisk))
	}
	if s.MaxProcesses > 0 {
		b = C.sandlock_sandbox_builder_max_processes(b, C.uint32_t(s.MaxProcesses))
	}
	if s.MaxCPU > 0 {
		b = C.sandlock_sandbox_builder_max_cpu(b, C.uint8_t(s.MaxCPU))
	}
	if s.MaxOpenFiles > 0 {
		b = C.sandlock_sandbox_builder_max_open_files(b, C.uint(s.MaxOpenFiles))
	}
	if len(s.CPUCores) > 0 {
		b = C.sandlock_sandbox_builder_cpu_cores(b,
			(*C.uint32_t)(unsafe.Pointer(&s.CPUCores[0])), C.uint32_t(len(s.CPUCores)))
	}
	if s.NumCPUs > 0 {
		b = C.sandlock_sandbox_builder_num_cpus(b, C.uint32_t(s.NumCPUs))
	}
	switch {
	case s.GPUDevices == nil: // no GPU
	case len(s.GPUDevices) == 0: // every GPU, like the CLI's --gpu all
		b = C.sandlock_sandbox_builder_gpu_devices(b, nil, 0)
	default:
		b = C.sandlock_sandbox_builder_gpu_devices(b,
			(*C.uint32_t)(unsafe.Pointer(&s.GPUDevices[0])), C.uint32_t(len(s.GPUDevices)))
	}
	if len(s.ExtraAllowSyscalls) > 0 {
		b = C.sandlock_sandbox_builder_extra_allow_syscalls(b, a.str(strings.Join(s.ExtraAllowSyscalls, ",")))
	}
	if len(s.ExtraDenySyscalls) > 0 {
		b = C.sandlock_sandbox_builder_extra_deny_syscalls(b, a.str(strings.Join(s.ExtraDenySyscalls, ",")))
	}
	return p.issueProcess(b, a)
}

// issueNetwork: network and HTTP rules, passed verbatim; the library's
// grammar is the single source of truth and rejects bad specs at build.
func (p *plan) issueNetwork(b *C.sandlock_builder_t, a *cArena) *C.sandlock_builder_t {
	s := p.s
	for _, v := range s.NetAllow {
		b = C.sandlock_sandbox_builder_net_allow(b, a.str(v))
	}
	for _, v := range s.NetDeny {
		b = C.sandlock_sandbox_builder_net_deny(b, a.str(v))
	}
	for _, v := range s.NetAllowBind {
		b = C.sandlock_sandbox_builder_net_allow_bind(b, a.str(v))
	}
	for _, v := range s.NetDenyBind {
		b = C.sandlock_sandbox_builder_net_deny_bind(b, a.str(v))
	}
	if s.PortRemap {
		b = C.sandlock_sandbox_builder_port_remap(b, true)
	}
	for _, v := range s.HTTPAllow {
		b = C.sandlock_sandbox_builder_http_allow(b, a.str(v))
	}
	for _, v := range s.HTTPDeny {
		b = C.sandlock_sandbox_builder_http_deny(b, a.str(v))
	}
	for _, port := range s.HTTPPorts {
		b = C.sandlock_sandbox_builder_http_port(b, C.uint16_t(port))
	}
	if s.HTTPCAFile != "" {
		b = C.sandlock_sandbox_builder_http_ca(b, a.str(s.HTTPCAFile))
	}
	if s.HTTPKeyFile != "" {
		b = C.sandlock_sandbox_builder_http_key(b, a.str(s.HTTPKeyFile))
	}
	return b
}

// issueProcess: determinism, environment, identity and the COW branch.
func (p *plan) issueProcess(b *C.sandlock_builder_t, a *cArena) *C.sandlock_builder_t {
	s := p.s
	if s.RandomSeed != nil {
		b = C.sandlock_sandbox_builder_random_seed(b, C.uint64_t(*s.RandomSeed))
	}
	if s.TimeStart != "" {
		b = C.sandlock_sandbox_builder_time_start(b, C.uint64_t(p.timeStart))
	}
	if s.NoRandomizeMemory {
		b = C.sandlock_sandbox_builder_no_randomize_memory(b, true)
	}
	if s.NoHugePages {
		b = C.sandlock_sandbox_builder_no_huge_pages(b, true)
	}
	if s.DeterministicDirs {
		b = C.sandlock_sandbox_builder_deterministic_dirs(b, true)
	}
	if s.CleanEnv {
		b = C.sandlock_sandbox_builder_clean_env(b, true)
	}
	for _, k := range p.envOrder {
		b = C.sandlock_sandbox_builder_env_var(b, a.str(k), a.str(s.Env[k]))
	}
	if s.UID != nil {
		b = C.sandlock_sandbox_builder_user(b, C.uint32_t(*s.UID), C.uint32_t(*s.GID))
	}
	if s.NoCoredump {
		b = C.sandlock_sandbox_builder_no_coredump(b, true)
	}
	if s.FSStorage != "" {
		b = C.sandlock_sandbox_builder_fs_storage(b, a.str(s.FSStorage))
	}
	// The C values are the Go enum minus one: commit 0, abort 1, keep 2.
	if s.OnExit != BranchActionDefault {
		b = C.sandlock_sandbox_builder_on_exit(b, C.uint8_t(s.OnExit-1))
	}
	if s.OnError != BranchActionDefault {
		b = C.sandlock_sandbox_builder_on_error(b, C.uint8_t(s.OnError-1))
	}
	return b
}
