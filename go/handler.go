package sandlock

import (
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// Custom syscall handlers [EXT]: Go functions that decide trapped
// syscalls themselves, bound to syscall names in Sandbox.Handlers. They
// run after every built-in check of the library (and after PolicyFn),
// only for calls those let through, in the order of Sandbox.Handlers;
// the first decision other than ActionContinue is final. The C library
// offers them for Run and RunInteractive only.

// ExceptionPolicy decides a trapped syscall when its Handler gives no
// usable answer: an error, a panic, or an action the library refuses.
type ExceptionPolicy uint32

// Exception policies (the C library's SANDLOCK_EXCEPTION_* values).
const (
	ExceptionKill      ExceptionPolicy = 0 // SIGKILL the trapped process's group
	ExceptionDenyEPERM ExceptionPolicy = 1 // the syscall fails with EPERM
	ExceptionContinue  ExceptionPolicy = 2 // the syscall proceeds
	ExceptionDenyEIO   ExceptionPolicy = 3 // the syscall fails with EIO
)

// InjectFlags modify ActionInjectBytes.
type InjectFlags uint32

// Inject flags (SANDLOCK_INJECT_*).
const (
	InjectWritable  InjectFlags = 1 << 0 // leave the memory file writable (default: sealed)
	InjectNoCloexec InjectFlags = 1 << 1 // no close-on-exec on the child's fd
)

type actionKind uint8

const (
	actNone actionKind = iota
	actContinue
	actErrno
	actReturn
	actInjectFile
	actInjectBytes
	actHold
	actKill
)

// HandlerAction is a Handler's decision, made with one of the Action
// functions; the zero value is no decision (the exception policy
// applies).
type HandlerAction struct {
	kind  actionKind
	errno syscall.Errno
	value int64
	file  *os.File
	flags uint32
	data  []byte
	sig   syscall.Signal
	pgid  int
}

// ActionContinue has no objection: the next handler decides, or the
// kernel runs the syscall.
func ActionContinue() HandlerAction { return HandlerAction{kind: actContinue} }

// ActionErrno fails the syscall with e (a positive errno).
func ActionErrno(e syscall.Errno) HandlerAction {
	return HandlerAction{kind: actErrno, errno: e}
}

// ActionReturn skips the syscall, which returns v.
func ActionReturn(v int64) HandlerAction { return HandlerAction{kind: actReturn, value: v} }

// ActionInjectFile installs a duplicate of f in the child as the syscall's
// return value, with newfdFlags (e.g. syscall.O_CLOEXEC) on the new fd.
// f stays the caller's.
func ActionInjectFile(f *os.File, newfdFlags uint32) HandlerAction {
	return HandlerAction{kind: actInjectFile, file: f, flags: newfdFlags}
}

// ActionInjectBytes installs a memory file holding data as the syscall's
// return value: sealed against changes and close-on-exec unless flags
// say otherwise.
func ActionInjectBytes(data []byte, flags InjectFlags) HandlerAction {
	return HandlerAction{kind: actInjectBytes, data: data, flags: uint32(flags)}
}

// ActionHold sends no answer: the trapped syscall stays blocked (a
// deferred handler's call is answered EIO after 30 s).
func ActionHold() HandlerAction { return HandlerAction{kind: actHold} }

// ActionKill sends sig to the trapped process's group (pgid 0, or that
// group's id; any other group is refused, as is the caller's own).
func ActionKill(sig syscall.Signal, pgid int) HandlerAction {
	return HandlerAction{kind: actKill, sig: sig, pgid: pgid}
}

// SyscallNotif is the trapped syscall a Handler decides on. It and its
// memory methods are valid only during the call that received it.
type SyscallNotif struct {
	ID                 uint64 // notification id
	PID                uint32 // the trapping thread
	Flags              uint32
	Syscall            int    // number on this architecture
	Arch               uint32 // AUDIT_ARCH_* value
	InstructionPointer uint64
	Args               [6]uint64

	mu  sync.Mutex
	mem unsafe.Pointer // *C.sandlock_mem_handle_t, nil once the call returned
}

// HandlerFunc decides one trapped syscall. A non-nil error (or a panic)
// hands the decision to the Handler's exception policy. It runs on a
// library thread, possibly for several calls at once: state it captures
// must be synchronised.
type HandlerFunc func(n *SyscallNotif) (HandlerAction, error)

// Handler binds a HandlerFunc to syscalls by name (SyscallNr's names).
type Handler struct {
	Syscalls    []string
	Func        HandlerFunc
	OnException ExceptionPolicy
	// Deferred runs Func off the supervisor's loop, so a slow one does
	// not stall other syscalls: at most 64 calls in flight (EAGAIN
	// beyond), each answered EIO after 30 s; refused (EPERM) for exec
	// and process creation. Its answer is final.
	Deferred bool
}
