//go:build linux && cgo

package sandlock

import (
	"runtime"
	"sync"
)

// The sandboxed child gets PR_SET_PDEATHSIG=SIGKILL, which the kernel fires
// when the *thread* that created it exits. Go terminates an OS thread when
// a goroutine that called runtime.LockOSThread returns without unlocking,
// so a Process spawned from such a goroutine would die with it. Live
// handles (Spawn, Popen) are therefore created on one OS thread that is
// locked for the life of the program and never exits. One-shot calls (Run,
// RunInteractive, DryRun) block their own thread until the child is gone
// and need no hop.
var launcher struct {
	once sync.Once
	reqs chan func()
}

func onLauncherThread(f func()) {
	launcher.once.Do(func() {
		launcher.reqs = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked, see above
			for req := range launcher.reqs {
				req()
			}
		}()
	})
	done := make(chan struct{})
	launcher.reqs <- func() {
		defer close(done)
		f()
	}
	<-done
}
