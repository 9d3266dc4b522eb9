//go:build linux && cgo

package sandlock

// Routing policy callbacks from the library's threads to the right Go
// closure. C may not keep Go pointers, so each registration is a numeric
// id in a process-wide registry, carried to C in a malloc'd cell (the
// callback's user_data). The library calls goPolicyDrop exactly once when
// the last native object holding the callback is gone; the drop removes the
// entry and frees the cell.

/*
#include <stdint.h>
#include <stdlib.h>
#include "sandlock.h"
#include "sandlock_ext.h"

extern int32_t goPolicyCallback(sandlock_event_t *event, sandlock_ctx_t *ctx, void *user_data);
extern void goPolicyDrop(void *user_data);
*/
import "C"

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

var (
	policyFns    sync.Map      // uint64 id -> PolicyFunc
	policyNextID atomic.Uint64 // ids start at 1; 0 never names an entry
)

// setPolicyFn registers fn and hands it to the builder.
func setPolicyFn(b *C.sandlock_builder_t, fn PolicyFunc) *C.sandlock_builder_t {
	id := policyNextID.Add(1)
	policyFns.Store(id, fn)
	cell := (*C.uint64_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uint64_t(0)))))
	*cell = C.uint64_t(id)
	return C.sandlock_sandbox_builder_policy_fn(b,
		C.sandlock_policy_fn_t(C.goPolicyCallback),
		unsafe.Pointer(cell), (*[0]byte)(C.goPolicyDrop))
}

// registeredPolicyFns counts live registrations (used by the tests).
func registeredPolicyFns() int {
	n := 0
	policyFns.Range(func(any, any) bool { n++; return true })
	return n
}

//export goPolicyDrop
func goPolicyDrop(userData unsafe.Pointer) {
	if userData == nil {
		return
	}
	policyFns.Delete(uint64(*(*C.uint64_t)(userData)))
	C.free(userData)
}

//export goPolicyCallback
func goPolicyCallback(event *C.sandlock_event_t, ctx *C.sandlock_ctx_t, userData unsafe.Pointer) C.int32_t {
	if event == nil || userData == nil {
		return C.int32_t(DecisionDeny)
	}
	v, ok := policyFns.Load(uint64(*(*C.uint64_t)(userData)))
	if !ok {
		return C.int32_t(DecisionDeny) // stale or unknown id: fail closed
	}
	pc := &PolicyContext{ptr: unsafe.Pointer(ctx)}
	decision := callPolicy(v.(PolicyFunc), convertEvent(event), pc)
	// The native context dies with this call: later use is a no-op.
	pc.mu.Lock()
	pc.ptr = nil
	pc.mu.Unlock()
	return C.int32_t(decision)
}

// callPolicy runs the user's function; a panic denies.
func callPolicy(fn PolicyFunc, ev SyscallEvent, pc *PolicyContext) (d PolicyDecision) {
	defer func() {
		if recover() != nil {
			d = DecisionDeny
		}
	}()
	return fn(ev, pc)
}

// convertEvent copies the event: its C memory dies with the callback.
func convertEvent(e *C.sandlock_event_t) SyscallEvent {
	ev := SyscallEvent{
		Category:  SyscallCategory(e.category),
		PID:       uint32(e.pid),
		ParentPID: uint32(e.parent_pid),
		Port:      uint16(e.port),
		Denied:    bool(e.denied),
	}
	if e.syscall != nil {
		ev.Syscall = C.GoString(e.syscall)
	}
	if e.host != nil {
		ev.Host = C.GoString(e.host)
	}
	if (ev.Syscall == "execve" || ev.Syscall == "execveat") && e.argv != nil && e.argc > 0 {
		for _, a := range unsafe.Slice(e.argv, int(e.argc)) {
			if a != nil {
				ev.Argv = append(ev.Argv, C.GoString(a))
			}
		}
	}
	return ev
}

// withCtx calls fn with the native context while the callback that
// received c is still running; otherwise it does nothing. A change the
// library could not apply is returned as an *Error (Op "policy context").
func (c *PolicyContext) withCtx(fn func(*C.sandlock_ctx_t)) (err error) {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr != nil {
		onThread(func() {
			fn((*C.sandlock_ctx_t)(c.ptr))
			if C.sandlock_last_errno() != 0 {
				err = lastError("policy context")
			}
		})
	}
	return err
}

// checkIPs rejects NUL bytes and strings that are not IP addresses (the
// library would silently drop them, widening or narrowing the set).
func checkIPs(ips []string) error {
	for _, ip := range ips {
		if strings.IndexByte(ip, 0) >= 0 {
			return ErrInvalidString
		}
	}
	for _, ip := range ips {
		if _, err := netip.ParseAddr(ip); err != nil {
			return fmt.Errorf("sandlock: invalid IP address %q", ip)
		}
	}
	return nil
}

// withIPs validates ips and calls fn with them as a C array.
func (c *PolicyContext) withIPs(ips []string, fn func(*C.sandlock_ctx_t, **C.char, C.uint32_t)) error {
	if err := checkIPs(ips); err != nil {
		return err
	}
	return c.withCtx(func(ctx *C.sandlock_ctx_t) {
		var a cArena
		defer a.free()
		fn(ctx, a.strArray(ips), C.uint32_t(len(ips)))
	})
}

// RestrictNetwork permanently narrows the sandbox's allowed destination
// IPs to ips.
func (c *PolicyContext) RestrictNetwork(ips []string) error {
	return c.withIPs(ips, func(ctx *C.sandlock_ctx_t, arr **C.char, n C.uint32_t) {
		C.sandlock_ctx_restrict_network(ctx, arr, n)
	})
}

// GrantNetwork widens the allowed IPs within the static policy's ceiling;
// it has no effect after RestrictNetwork.
func (c *PolicyContext) GrantNetwork(ips []string) error {
	return c.withIPs(ips, func(ctx *C.sandlock_ctx_t, arr **C.char, n C.uint32_t) {
		C.sandlock_ctx_grant_network(ctx, arr, n)
	})
}

// RestrictMaxMemory permanently lowers the memory cap to bytes (nothing
// when the policy sets no MaxMemory: memory is not supervised then).
func (c *PolicyContext) RestrictMaxMemory(bytes uint64) {
	_ = c.withCtx(func(ctx *C.sandlock_ctx_t) {
		C.sandlock_ctx_restrict_max_memory(ctx, C.uint64_t(bytes))
	})
}

// RestrictMaxProcesses permanently lowers the process cap to n.
func (c *PolicyContext) RestrictMaxProcesses(n uint32) {
	_ = c.withCtx(func(ctx *C.sandlock_ctx_t) {
		C.sandlock_ctx_restrict_max_processes(ctx, C.uint32_t(n))
	})
}

// RestrictPIDNetwork gives process pid its own allowed-IP set.
func (c *PolicyContext) RestrictPIDNetwork(pid uint32, ips []string) error {
	return c.withIPs(ips, func(ctx *C.sandlock_ctx_t, arr **C.char, n C.uint32_t) {
		C.sandlock_ctx_restrict_pid_network(ctx, C.uint32_t(pid), arr, n)
	})
}

// DenyPath denies path (and its subtree) from now on.
func (c *PolicyContext) DenyPath(path string) error {
	return c.withPath(path, func(ctx *C.sandlock_ctx_t, p *C.char) {
		C.sandlock_ctx_deny_path(ctx, p)
	})
}

// AllowPath removes a denial added by DenyPath.
func (c *PolicyContext) AllowPath(path string) error {
	return c.withPath(path, func(ctx *C.sandlock_ctx_t, p *C.char) {
		C.sandlock_ctx_allow_path(ctx, p)
	})
}

func (c *PolicyContext) withPath(path string, fn func(*C.sandlock_ctx_t, *C.char)) error {
	if strings.IndexByte(path, 0) >= 0 {
		return ErrInvalidString
	}
	return c.withCtx(func(ctx *C.sandlock_ctx_t) {
		var a cArena
		defer a.free()
		fn(ctx, a.str(path))
	})
}
