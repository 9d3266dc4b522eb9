//go:build linux && cgo

package sandlock

// Routing custom handlers (handler.go) from the library's threads to the
// Go functions, as policy callbacks are routed (policyfn_linux.go): each
// handler of a run is a numeric id in a process-wide registry, carried to
// C in a malloc'd cell (the container's user data); the library calls
// goHandlerDrop exactly once, when the container is destroyed.

/*
#include <stdint.h>
#include <stdlib.h>
#include "sandlock.h"
#include "sandlock_ext.h"

extern int32_t goHandlerCallback(void *ud, sandlock_notif_data_t *notif,
				 sandlock_mem_handle_t *mem, sandlock_action_out_t *out);
extern void goHandlerDrop(void *ud);
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

var (
	handlerFns    sync.Map      // uint64 id -> *Handler
	handlerNextID atomic.Uint64 // ids start at 1
)

var errChildMemory = errors.New("sandlock: child memory access failed")

// registeredHandlers counts live registrations (used by the tests).
func registeredHandlers() int {
	n := 0
	handlerFns.Range(func(any, any) bool { n++; return true })
	return n
}

//export goHandlerDrop
func goHandlerDrop(userData unsafe.Pointer) {
	if userData == nil {
		return
	}
	handlerFns.Delete(uint64(*(*C.uint64_t)(userData)))
	C.free(userData)
}

//export goHandlerCallback
func goHandlerCallback(userData unsafe.Pointer, notif *C.sandlock_notif_data_t,
	mem *C.sandlock_mem_handle_t, out *C.sandlock_action_out_t) C.int32_t {
	if userData == nil || notif == nil || out == nil {
		return 1
	}
	v, ok := handlerFns.Load(uint64(*(*C.uint64_t)(userData)))
	if !ok {
		return 1 // stale id: the exception policy decides
	}
	n := &SyscallNotif{
		ID:                 uint64(notif.id),
		PID:                uint32(notif.pid),
		Flags:              uint32(notif.flags),
		Syscall:            int(notif.syscall_nr),
		Arch:               uint32(notif.arch),
		InstructionPointer: uint64(notif.instruction_pointer),
		mem:                unsafe.Pointer(mem),
	}
	for i := range n.Args {
		n.Args[i] = uint64(notif.args[i])
	}
	act, err := callHandler(v.(*Handler).Func, n)
	// The native handle dies with this call: later use fails.
	n.mu.Lock()
	n.mem = nil
	n.mu.Unlock()
	if err != nil {
		return 1
	}
	return setAction(act, out)
}

// callHandler runs fn; a panic is an error.
func callHandler(fn HandlerFunc, n *SyscallNotif) (act HandlerAction, err error) {
	defer func() {
		if recover() != nil {
			err = errors.New("sandlock: handler panicked")
		}
	}()
	return fn(n)
}

// setAction fills out; 1 when act cannot be expressed (the exception
// policy then decides).
func setAction(act HandlerAction, out *C.sandlock_action_out_t) C.int32_t {
	switch act.kind {
	case actContinue:
		C.sandlock_action_set_continue(out)
	case actErrno:
		C.sandlock_action_set_errno(out, C.int32_t(act.errno))
	case actReturn:
		C.sandlock_action_set_return_value(out, C.int64_t(act.value))
	case actInjectFile:
		if act.file == nil {
			return 1
		}
		fd, err := dupCloexec(int(act.file.Fd()))
		if err != nil {
			return 1
		}
		// The library owns the duplicate from here.
		C.sandlock_action_set_inject_fd_send(out, C.int(fd), C.uint32_t(act.flags))
	case actInjectBytes:
		var p *C.uint8_t
		if len(act.data) > 0 {
			p = (*C.uint8_t)(unsafe.Pointer(&act.data[0]))
		}
		C.sandlock_action_set_inject_bytes(out, p, C.uintptr_t(len(act.data)),
			C.uint32_t(act.flags))
	case actHold:
		C.sandlock_action_set_hold(out)
	case actKill:
		C.sandlock_action_set_kill(out, C.int32_t(act.sig), C.int32_t(act.pgid))
	default:
		return 1
	}
	return 0
}

func dupCloexec(fd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// withMem calls fn with the native memory handle while the call that
// received n is still running.
func (n *SyscallNotif) withMem(fn func(*C.sandlock_mem_handle_t) C.int32_t) error {
	if n == nil {
		return ErrNotRunning
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mem == nil {
		return ErrNotRunning
	}
	if fn((*C.sandlock_mem_handle_t)(n.mem)) != 0 {
		return errChildMemory
	}
	return nil
}

// ReadString reads the NUL-terminated UTF-8 string at addr in the
// trapping process, at most max bytes of it (longer ones are cut).
func (n *SyscallNotif) ReadString(addr uint64, max int) (string, error) {
	if max < 0 {
		return "", fmt.Errorf("sandlock: negative length %d", max)
	}
	buf := make([]byte, max+1)
	var got C.uintptr_t
	err := n.withMem(func(m *C.sandlock_mem_handle_t) C.int32_t {
		return C.sandlock_mem_read_cstr(m, C.uint64_t(addr),
			(*C.uint8_t)(unsafe.Pointer(&buf[0])), C.uintptr_t(len(buf)), &got)
	})
	if err != nil {
		return "", err
	}
	return string(buf[:got]), nil
}

// ReadMemory reads up to len(buf) bytes at addr in the trapping process
// (fewer at the end of a mapping) and returns how many.
func (n *SyscallNotif) ReadMemory(addr uint64, buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	var got C.uintptr_t
	err := n.withMem(func(m *C.sandlock_mem_handle_t) C.int32_t {
		return C.sandlock_mem_read(m, C.uint64_t(addr),
			(*C.uint8_t)(unsafe.Pointer(&buf[0])), C.uintptr_t(len(buf)), &got)
	})
	return int(got), err
}

// WriteMemory writes data at addr in the trapping process, all of it or
// nothing.
func (n *SyscallNotif) WriteMemory(addr uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	return n.withMem(func(m *C.sandlock_mem_handle_t) C.int32_t {
		return C.sandlock_mem_write(m, C.uint64_t(addr),
			(*C.uint8_t)(unsafe.Pointer(&data[0])), C.uintptr_t(len(data)))
	})
}

// registrations are a run's handlers as the C library takes them.
type registrations struct {
	regs []C.sandlock_handler_registration_t
}

// newRegistrations makes one container per Handler (registered under a
// fresh id) and one registration per syscall. On error the containers
// made so far are destroyed.
func newRegistrations(hs []Handler) (*registrations, error) {
	r := &registrations{}
	for i := range hs {
		h := &hs[i]
		id := handlerNextID.Add(1)
		handlerFns.Store(id, h)
		cell := (*C.uint64_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uint64_t(0)))))
		*cell = C.uint64_t(id)
		c := C.sandlock_handler_new((*[0]byte)(C.goHandlerCallback), unsafe.Pointer(cell),
			(*[0]byte)(C.goHandlerDrop), C.uint32_t(h.OnException))
		if c == nil {
			goHandlerDrop(unsafe.Pointer(cell))
			r.free()
			return nil, fmt.Errorf("sandlock: invalid handler (OnException %d)", h.OnException)
		}
		C.sandlock_handler_set_deferred(c, C.bool(h.Deferred))
		for _, name := range h.Syscalls {
			nr, err := SyscallNr(name)
			if err != nil {
				if len(r.regs) == 0 || r.regs[len(r.regs)-1].handler != c {
					C.sandlock_handler_free(c)
				}
				r.free()
				return nil, err
			}
			r.regs = append(r.regs, C.sandlock_handler_registration_t{
				syscall_nr: C.int64_t(nr), handler: c})
		}
	}
	return r, nil
}

// free destroys the containers (each once) when no run took them.
func (r *registrations) free() {
	var last *C.sandlock_handler_t
	for _, reg := range r.regs {
		if reg.handler != last {
			C.sandlock_handler_free(reg.handler)
			last = reg.handler
		}
	}
	r.regs = nil
}

// spawnWithHandlers starts cmd with s.Handlers (captured output, or
// inherited streams); the library owns the handlers from here.
func (s *Sandbox) spawnWithHandlers(cmd []string, capture bool) (*C.sandlock_handle_t, error) {
	l, err := s.prepare(cmd)
	if err != nil {
		return nil, err
	}
	defer l.free()
	regs, err := newRegistrations(s.Handlers)
	if err != nil {
		return nil, err
	}
	var h *C.sandlock_handle_t
	onThread(func() {
		h = C.sandlock_spawn_with_handlers(l.pol, l.name, l.argv, C.uint32_t(l.argc),
			&regs.regs[0], C.uintptr_t(len(regs.regs)), C.bool(capture))
		if h == nil {
			err = lastError("create")
		}
	})
	if h == nil {
		return nil, err
	}
	return h, nil
}

// runWithHandlers is Run with custom handlers.
func (s *Sandbox) runWithHandlers(ctx context.Context, cmd []string) (*Result, error) {
	h, err := s.spawnWithHandlers(cmd, true)
	if err != nil {
		return nil, err
	}
	defer C.sandlock_handle_free(h)
	return waitResult(ctx, h)
}

// runInteractiveWithHandlers is RunInteractive with custom handlers.
func (s *Sandbox) runInteractiveWithHandlers(ctx context.Context, cmd []string) (int, error) {
	h, err := s.spawnWithHandlers(cmd, false)
	if err != nil {
		return -1, err
	}
	defer C.sandlock_handle_free(h)
	r, ctxErr, err := waitHandle(ctx, h)
	if r == nil {
		return -1, err
	}
	defer C.sandlock_result_free(r)
	return interactiveCode(r, ctxErr)
}
