//go:build linux && cgo

package sandlock

// Process: a live sandbox and its concurrency contract.
//
// The native handle is never used by two goroutines in a way the library
// does not allow: while Wait blocks in the native wait (without holding
// the mutex), the other methods only use calls that are safe concurrently
// with it (the library's kill, pause and resume, which reach every process
// of the sandbox through pidfds), and Wait frees the handle only after
// re-taking the mutex and clearing it, so no method can reach a freed
// handle or signal a recycled pid.

/*
#include "sandlock_ext.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"

	"github.com/multikernel/sandlock/go/internal/policy"
)

// Process is a sandboxed process started by Spawn or Popen. Every method
// is safe for concurrent use. Stdin, Stdout and Stderr are the caller's
// ends of piped streams (Popen only), nil otherwise.
type Process struct {
	mu      sync.Mutex
	h       *C.sandlock_handle_t // nil once Wait or Close released it
	pid     int                  // fixed at creation, kept after release
	waiting bool

	Stdin  *os.File
	Stdout *os.File
	Stderr *os.File
}

// newProcess wraps a live handle and arms the finalizer that kills and
// reaps the sandbox if the Process is dropped without Wait or Close.
func newProcess(h *C.sandlock_handle_t) *Process {
	p := &Process{h: h, pid: int(C.sandlock_handle_pid(h))}
	runtime.SetFinalizer(p, (*Process).finalize)
	return p
}

// Pid returns the pid of the sandbox's top-level process (also its process
// group id), or 0 if the library reported none. It stays the same after
// the process is released.
func (p *Process) Pid() int { return p.pid }

// Wait blocks until the process exits, releases the handle and returns the
// Result (for Spawn, with the captured stdout and stderr). It closes a
// piped Stdin first so that a reading child sees EOF. A concurrent second
// Wait, or a Wait after Wait or Close, returns ErrNotRunning at once.
func (p *Process) Wait() (*Result, error) {
	p.mu.Lock()
	if p.h == nil || p.waiting {
		p.mu.Unlock()
		return nil, ErrNotRunning
	}
	p.waiting = true
	h, stdin := p.h, p.Stdin
	p.mu.Unlock()

	if stdin != nil {
		_ = stdin.Close()
	}
	var err error
	var r *C.sandlock_result_t
	onThread(func() {
		r = C.sandlock_handle_wait(h)
		if r == nil {
			err = lastError("wait")
		}
	})

	p.mu.Lock()
	p.waiting = false
	p.h = nil
	p.mu.Unlock()
	runtime.SetFinalizer(p, nil)
	C.sandlock_handle_free(h)
	if r == nil {
		return nil, err
	}
	defer C.sandlock_result_free(r)
	return convertResult(r), nil
}

// Kill sends SIGKILL to the whole sandbox. A blocked Wait then returns
// with ReasonKilled. Killing a process that already ended, or was
// released, returns nil.
func (p *Process) Kill() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.h == nil {
		return nil
	}
	if p.pid <= 0 {
		return ErrNotRunning
	}
	return p.killLocked()
}

// killLocked uses the library's kill, which reaches every process of the
// sandbox through pidfds (no recycled pid is ever signalled) and may run
// concurrently with a blocked wait.
func (p *Process) killLocked() (err error) {
	onThread(func() {
		if C.sandlock_handle_kill(p.h) != 0 &&
			syscall.Errno(C.sandlock_last_errno()) != syscall.ESRCH {
			err = lastError("kill")
		}
	})
	return err
}

// Pause stops every process of the sandbox, whatever its process group or
// session (SIGSTOP through pidfds). It returns ErrNotRunning after release
// and the raw errno on failure.
func (p *Process) Pause() error { return p.signalAll(false) }

// Resume continues a paused sandbox (SIGCONT to every process of it).
func (p *Process) Resume() error { return p.signalAll(true) }

func (p *Process) signalAll(resume bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.h == nil || p.pid <= 0 {
		return ErrNotRunning
	}
	var rc C.int
	var errno error
	if resume {
		rc, errno = C.sandlock_handle_resume(p.h)
	} else {
		rc, errno = C.sandlock_handle_pause(p.h)
	}
	if rc != 0 {
		if errno != nil {
			return errno
		}
		return syscall.EINVAL
	}
	return nil
}

// Ports returns the sandbox's port remapping (virtual port -> real port),
// non-empty only with PortRemap after the child bound a port. During a
// Wait and after release it returns an empty map.
func (p *Process) Ports() (map[int]int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.h == nil || p.waiting {
		return map[int]int{}, nil
	}
	js := C.sandlock_handle_port_mappings(p.h)
	if js == nil {
		return map[int]int{}, nil
	}
	text := C.GoString(js)
	C.sandlock_string_free(js)
	m, err := policy.ParsePortMappings(text)
	if err != nil {
		return nil, fmt.Errorf("sandlock: parsing port mappings: %w", err)
	}
	return m, nil
}

// Close closes the piped streams and releases the sandbox, killing it if
// it still runs. During a blocked Wait it only kills (the Wait releases).
// Close may be called any number of times and returns nil.
func (p *Process) Close() error {
	p.mu.Lock()
	for _, f := range []*os.File{p.Stdin, p.Stdout, p.Stderr} {
		if f != nil {
			_ = f.Close()
		}
	}
	if p.h == nil {
		p.mu.Unlock()
		return nil
	}
	if p.waiting {
		_ = p.killLocked()
		p.mu.Unlock()
		return nil
	}
	h := p.h
	p.h = nil
	p.mu.Unlock()
	runtime.SetFinalizer(p, nil)
	C.sandlock_handle_free(h) // kills and reaps; may block briefly
	return nil
}

// finalize releases an abandoned Process. Its piped files became
// unreachable with it and are closed by their own finalizers.
func (p *Process) finalize() {
	p.mu.Lock()
	h := p.h
	p.h = nil
	p.mu.Unlock()
	if h != nil {
		C.sandlock_handle_kill(h)
		C.sandlock_handle_free(h)
	}
}
