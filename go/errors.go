package sandlock

import (
	"errors"
	"syscall"
)

// ErrInvalidString is returned, unwrapped, when a string handed to the
// library (a configuration field, a map key or value, an argv element, a
// policy-context argument, a syscall name) contains a NUL byte, which C
// strings cannot carry.
var ErrInvalidString = errors.New("sandlock: string contains NUL byte")

// ErrNotRunning is returned by Process methods when there is nothing left
// to act on: a second concurrent Wait, a Wait after Wait or Close, Pause or
// Resume after the handle was released, or a process without a pid.
var ErrNotRunning = errors.New("sandlock: process is not running")

// Error is a failure the native library reported: the operation (Op), the
// errno the library recorded for it (0 when it recorded none) and its
// reason (Msg, "" when it gave none). Nothing is printed on the process's
// stderr; the reason travels in the error.
//
// Its text is the reference SDK's message for the operation followed by
// the reason, e.g. "sandlock: failed to create sandbox: chdir: No such
// file or directory"; for a build it is "sandlock: " and the reason.
// errors.Is sees the errno: errors.Is(err, fs.ErrNotExist),
// errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EBUSY).
type Error struct {
	// Op is one of "build", "create", "start", "wait", "popen",
	// "dry run", "confine", "kill", "policy context".
	Op    string
	Errno syscall.Errno
	Msg   string
}

// The reference SDK's message for each operation (its only text).
var opText = map[string]string{
	"build":   "sandlock: failed to build sandbox policy",
	"create":  "sandlock: failed to create sandbox",
	"start":   "sandlock: failed to start sandbox",
	"wait":    "sandlock: wait failed",
	"popen":   "sandlock: popen failed",
	"dry run": "sandlock: dry run failed",
	"confine": "sandlock: confine failed",
	"kill":    "sandlock: kill failed",
}

func (e *Error) Error() string {
	base, ok := opText[e.Op]
	if !ok {
		base = "sandlock: " + e.Op + " failed"
	}
	switch {
	case e.Op == "build" && e.Msg != "":
		return "sandlock: " + e.Msg
	case e.Op == "dry run" && e.Msg == "":
		return base + " (Workdir is required; check that readable paths exist)"
	case e.Msg == "":
		return base
	}
	return base + ": " + e.Msg
}

// Unwrap returns the errno (nil when none was recorded), for errors.Is and
// errors.As.
func (e *Error) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}
