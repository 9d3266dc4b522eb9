//go:build linux && cgo

package sandlock

// The library's per-thread record of a failed call, read on the OS
// thread that made the call.

/*
#include "sandlock_ext.h"
*/
import "C"

import (
	"runtime"
	"syscall"
)

// onThread runs f with the goroutine wired to its OS thread: the library
// records why a call failed per OS thread, so a failed call and the
// lastError that reads its record must run on the same one.
func onThread(f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f()
}

// lastError is the failure the library recorded for this OS thread (call
// it inside onThread, right after the failed call), as an *Error of op.
func lastError(op string) *Error {
	return &Error{
		Op:    op,
		Errno: syscall.Errno(C.sandlock_last_errno()),
		Msg:   C.GoString(C.sandlock_last_error()),
	}
}
