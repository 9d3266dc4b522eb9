package sandlock

import "errors"

// ErrInvalidString is returned, unwrapped, when a string handed to the
// library (a configuration field, a map key or value, an argv element, a
// policy-context argument, a syscall name) contains a NUL byte, which C
// strings cannot carry.
var ErrInvalidString = errors.New("sandlock: string contains NUL byte")

// ErrNotRunning is returned by Process methods when there is nothing left
// to act on: a second concurrent Wait, a Wait after Wait or Close, Pause or
// Resume after the handle was released, or a process without a pid.
var ErrNotRunning = errors.New("sandlock: process is not running")
