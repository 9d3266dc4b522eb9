//go:build linux && cgo

package sandlock

// Launchers, Confine and platform queries.

/*
#include <stdlib.h>
#include "sandlock_ext.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// launch is one native launch in preparation: the built policy plus the
// C copies of the name and argv. Release with free.
type launch struct {
	pol  *C.sandlock_sandbox_t
	a    cArena
	name *C.char
	argv **C.char
	argc C.uint
}

// prepare validates argv and the configuration and builds the policy.
func (s *Sandbox) prepare(cmd []string) (*launch, error) {
	if err := checkArgv(cmd); err != nil {
		return nil, err
	}
	pol, err := s.buildPolicy()
	if err != nil {
		return nil, err
	}
	l := &launch{pol: pol}
	l.name = l.a.optStr(s.Name)
	l.argv = l.a.strArray(cmd)
	l.argc = C.uint(len(cmd))
	return l, nil
}

// free releases the policy; handles made from it keep their own reference.
func (l *launch) free() {
	C.sandlock_sandbox_free(l.pol)
	l.a.free()
}

// Run runs cmd to completion with stdin inherited and stdout/stderr
// captured into the Result.
//
// The context bounds the run. A deadline is enforced by the library: the
// sandbox is killed and Run returns a Result with ReasonTimeout and a nil
// error. Cancellation (without or before the deadline) kills the sandbox
// too, and Run returns the Result (ReasonKilled) together with ctx.Err().
// A context already done on entry returns (nil, ctx.Err()).
func (s *Sandbox) Run(ctx context.Context, cmd ...string) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.Handlers) > 0 {
		return s.runWithHandlers(ctx, cmd)
	}
	l, err := s.prepare(cmd)
	if err != nil {
		return nil, err
	}
	var h *C.sandlock_handle_t
	onThread(func() {
		h = C.sandlock_create_for_run(l.pol, l.name, l.argv, l.argc)
		if h == nil {
			err = lastError("create")
		} else if C.sandlock_start(h) != 0 {
			err = lastError("start")
		}
	})
	l.free()
	if h == nil {
		return nil, err
	}
	defer C.sandlock_handle_free(h)
	if err != nil {
		return nil, err
	}
	return waitResult(ctx, h)
}

// waitResult waits for the started handle h under ctx (waitHandle) and
// converts its result.
func waitResult(ctx context.Context, h *C.sandlock_handle_t) (*Result, error) {
	r, ctxErr, err := waitHandle(ctx, h)
	if r == nil {
		return nil, err
	}
	defer C.sandlock_result_free(r)
	return convertResult(r), ctxErr
}

// waitHandle waits for h under ctx: a deadline becomes the library's
// timeout (at least 1 ms, so a passed deadline never means "forever"), and
// a cancellation kills the sandbox from a watcher goroutine. The first
// error is ctx.Err() when the watcher killed the sandbox, else nil; the
// second says why the wait failed when the result is nil.
func waitHandle(ctx context.Context, h *C.sandlock_handle_t) (*C.sandlock_result_t, error, error) {
	var ms C.uint64_t
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		left := time.Until(deadline).Milliseconds()
		if left < 1 {
			left = 1
		}
		ms = C.uint64_t(left)
	}
	done := ctx.Done()
	if done == nil {
		r, err := waitTimeout(h, ms)
		return r, nil, err
	}
	stop := make(chan struct{})
	killed := make(chan error, 1)
	go func() {
		select {
		case <-done:
			err := ctx.Err()
			if hasDeadline && errors.Is(err, context.DeadlineExceeded) {
				killed <- nil // the library's timeout reports it
				return
			}
			// Safe while the wait below blocks on h: h is freed only
			// after this goroutine has answered.
			C.sandlock_handle_kill(h)
			killed <- err
		case <-stop:
			killed <- nil
		}
	}()
	r, err := waitTimeout(h, ms)
	close(stop)
	return r, <-killed, err
}

// waitTimeout is the library's wait, with the reason of a failure.
func waitTimeout(h *C.sandlock_handle_t, ms C.uint64_t) (r *C.sandlock_result_t, err error) {
	onThread(func() {
		r = C.sandlock_handle_wait_timeout(h, ms)
		if r == nil {
			err = lastError("wait")
		}
	})
	return r, err
}

// RunInteractive runs cmd with all three standard streams inherited and
// returns its exit code, or -1 when it died from a signal.
//
// A context done on entry returns (-1, ctx.Err()). When stdin is not a
// terminal and ctx can be cancelled, the run is bounded like Run: a
// deadline or a cancellation kills the sandbox and returns (-1, ctx.Err()).
// When stdin is a terminal the library hands the terminal's foreground to
// the sandbox for the duration, which needs its one-shot interactive call;
// the context is then only checked on entry.
func (s *Sandbox) RunInteractive(ctx context.Context, cmd ...string) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	if len(s.Handlers) > 0 {
		return s.runInteractiveWithHandlers(ctx, cmd)
	}
	l, err := s.prepare(cmd)
	if err != nil {
		return -1, err
	}
	if ctx.Done() == nil || isTerminal(0) {
		defer l.free()
		code := -1
		onThread(func() {
			code = int(C.sandlock_run_interactive(l.pol, l.name, l.argv, l.argc))
			// -1 is also a death by signal: only a recorded
			// failure is an error.
			if code == -1 && C.sandlock_last_errno() != 0 {
				err = lastError("create")
			}
		})
		return code, err
	}
	var h *C.sandlock_handle_t
	onThread(func() {
		h = C.sandlock_popen(l.pol, l.name, l.argv, l.argc,
			C.SANDLOCK_STDIO_INHERIT, C.SANDLOCK_STDIO_INHERIT, C.SANDLOCK_STDIO_INHERIT,
			nil, nil, nil)
		if h == nil {
			err = lastError("start")
		}
	})
	l.free()
	if h == nil {
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

// interactiveCode is RunInteractive's answer for the result r of a
// bounded wait.
func interactiveCode(r *C.sandlock_result_t, ctxErr error) (int, error) {
	switch reason := ExitReason(C.sandlock_result_reason(r)); {
	case reason == ReasonTimeout:
		return -1, context.DeadlineExceeded
	case ctxErr != nil:
		return -1, ctxErr
	case reason == ReasonExited:
		return int(C.sandlock_result_exit_code(r)), nil
	}
	return -1, nil
}

// errHandlersOneShot: the C library runs custom handlers in one-shot
// runs only.
var errHandlersOneShot = errors.New("sandlock: Handlers work with Run and RunInteractive only")

// isTerminal reports whether fd is a terminal.
func isTerminal(fd int) bool {
	var t syscall.Termios
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return e == 0
}

// DryRun runs cmd over a temporary copy-on-write layer of Workdir, then
// reports the filesystem changes it made and discards them: the host is
// never modified. The library's dry run is a single blocking call, so the
// context is checked on entry only.
func (s *Sandbox) DryRun(ctx context.Context, cmd ...string) (*DryRunResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.Handlers) > 0 {
		return nil, errHandlersOneShot
	}
	l, err := s.prepare(cmd)
	if err != nil {
		return nil, err
	}
	var r *C.sandlock_dry_run_result_t
	onThread(func() {
		r = C.sandlock_dry_run(l.pol, l.name, l.argv, l.argc)
		if r == nil {
			err = lastError("dry run")
		}
	})
	l.free()
	if r == nil {
		return nil, err
	}
	defer C.sandlock_dry_run_result_free(r)
	return convertDryRun(r), nil
}

// Spawn starts cmd and returns at once. Stdin is inherited; stdout and
// stderr are captured and returned by Wait. Release the Process with Wait
// or Close (a finalizer kills and reaps an abandoned one).
func (s *Sandbox) Spawn(cmd ...string) (*Process, error) {
	if len(s.Handlers) > 0 {
		return nil, errHandlersOneShot
	}
	l, err := s.prepare(cmd)
	if err != nil {
		return nil, err
	}
	// Any thread may create it: the sandbox lives as long as its handle
	// (its keeper process watches this process, not the thread).
	var h *C.sandlock_handle_t
	onThread(func() {
		h = C.sandlock_create(l.pol, l.name, l.argv, l.argc)
		if h == nil {
			err = lastError("create")
		}
	})
	l.free()
	if h == nil {
		return nil, err
	}
	// The child is parked before exec, so its pid cannot be recycled yet.
	p := newProcess(h)
	onThread(func() {
		if C.sandlock_start(h) != 0 {
			err = lastError("start")
		}
	})
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Popen starts cmd with each standard stream inherited, piped or
// connected to /dev/null. For every piped stream the matching Process
// field is the caller's end (Stdin is written to, Stdout and Stderr are
// read from); the others stay nil. The ends are non-blocking files on Go's
// poller, so Close interrupts a blocked Read and deadlines work. Drain
// piped output while waiting, or the child may block; Wait closes Stdin.
// Wait's Result carries no output for Popen'd processes.
func (s *Sandbox) Popen(stdio Stdio, cmd ...string) (*Process, error) {
	if err := checkArgv(cmd); err != nil {
		return nil, err
	}
	for _, m := range []StdioMode{stdio.Stdin, stdio.Stdout, stdio.Stderr} {
		if m > StdioNull {
			return nil, fmt.Errorf("sandlock: invalid StdioMode %d", uint32(m))
		}
	}
	if len(s.Handlers) > 0 {
		return nil, errHandlersOneShot
	}
	l, err := s.prepare(cmd)
	if err != nil {
		return nil, err
	}
	fds := [3]C.int{-1, -1, -1}
	var h *C.sandlock_handle_t
	onThread(func() {
		h = C.sandlock_popen(l.pol, l.name, l.argv, l.argc,
			C.uint32_t(stdio.Stdin), C.uint32_t(stdio.Stdout), C.uint32_t(stdio.Stderr),
			&fds[0], &fds[1], &fds[2])
		if h == nil {
			err = lastError("popen")
		}
	})
	l.free()
	if h == nil {
		return nil, err
	}
	p := newProcess(h)
	p.Stdin = wrapPipe(fds[0], "sandlock-stdin")
	p.Stdout = wrapPipe(fds[1], "sandlock-stdout")
	p.Stderr = wrapPipe(fds[2], "sandlock-stderr")
	return p, nil
}

// wrapPipe turns a pipe end received from the library into a pollable
// *os.File that owns it; nil for -1.
func wrapPipe(fd C.int, name string) *os.File {
	if fd < 0 {
		return nil
	}
	syscall.CloseOnExec(int(fd))
	// Only our end's open file description becomes non-blocking; the
	// child's end is separate. On failure the file still works, blocking.
	_ = syscall.SetNonblock(int(fd), true)
	return os.NewFile(uintptr(fd), name)
}

// Confine applies the filesystem grants of s (FSReadable, FSWritable, and
// the protection opt-outs) to the calling process itself, every thread of
// it, irreversibly: no fork, no exec, no supervisor. Any other field makes
// Confine fail before anything is applied.
func Confine(s *Sandbox) error {
	if s.hasNUL() {
		return ErrInvalidString
	}
	if err := s.confineError(); err != nil {
		return err
	}
	pol, err := s.buildPolicy()
	if err != nil {
		return err
	}
	defer C.sandlock_sandbox_free(pol)
	onThread(func() {
		if C.sandlock_confine(pol) != 0 {
			err = lastError("confine")
		}
	})
	return err
}

// LandlockABIVersion returns the kernel's Landlock ABI version (≥ 1), or
// -1 when Landlock is unavailable.
func LandlockABIVersion() int { return int(C.sandlock_landlock_abi_version()) }

// MinLandlockABI returns the Landlock ABI the default, all-strict policy
// needs.
func MinLandlockABI() int { return int(C.sandlock_min_landlock_abi()) }

// ProtectionMinABI returns the Landlock ABI protection p needs, or 0 for
// an unknown value.
func ProtectionMinABI(p Protection) int {
	return int(C.sandlock_protection_min_abi(C.uint32_t(p)))
}

// SyscallNr returns the number of the named syscall on this architecture.
func SyscallNr(name string) (int, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return -1, ErrInvalidString
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	nr := C.sandlock_syscall_nr(cname)
	if nr < 0 {
		return -1, fmt.Errorf("sandlock: unknown syscall %q", name)
	}
	return int(nr), nil
}
