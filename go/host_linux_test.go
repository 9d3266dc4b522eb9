//go:build linux && cgo

package sandlock_test

// The SDK inside a long-running host: SIGCHLD ignored, goroutines whose
// threads exit, a signal storm, Confine with a live Process, the
// memory-limit cause.

import (
	"bytes"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sandlock "github.com/multikernel/sandlock/go"
)

const sigchldChildEnv = "SANDLOCK_GO_TEST_SIGCHLD_IGNORED"

// With SIGCHLD ignored (the kernel then reaps children by itself) every
// run still reports its own exit status. Run in a re-executed child: the
// rest of the test binary needs SIGCHLD.
func TestRunWithSIGCHLDIgnored(t *testing.T) {
	if os.Getenv(sigchldChildEnv) != "" {
		signal.Ignore(syscall.SIGCHLD)
		for i := 0; i < 20; i++ {
			r := mustRun(t, base(), "sh", "-c", "exit 7")
			if r.Reason != sandlock.ReasonExited || r.ExitCode != 7 {
				t.Fatalf("run %d with SIGCHLD ignored: %s", i, show(r))
			}
		}
		t.Log("SIGCHLD-OK")
		return
	}
	requireLandlock(t)
	out, err := execSelf("^TestRunWithSIGCHLDIgnored$", sigchldChildEnv+"=1").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("SIGCHLD-OK")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// Run from goroutines whose OS threads end right after (locked, never
// unlocked): a sandbox lives as long as its handle, whatever thread made
// it.
func TestRunOnThreadsThatExit(t *testing.T) {
	requireLandlock(t)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // the thread ends with the goroutine
			r, err := base().Run(ctxTimeout(t, hangGuard), "sh", "-c", "sleep 0.05; exit 3")
			if err != nil {
				errs <- err.Error()
			} else if r.Reason != sandlock.ReasonExited || r.ExitCode != 3 {
				errs <- show(r)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// A signal storm against runs whose opens the supervisor performs (a
// /proc grant): every byte cat printed is the file's.
func TestRunUnderSignalStorm(t *testing.T) {
	requireLandlock(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	want := strings.Repeat("0123456789abcdef\n", 256)
	if err := os.WriteFile(data, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := &sandlock.Sandbox{FSReadable: append(rootfs(), dir, "/proc")}
	var stop atomic.Bool
	var sent atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			_ = syscall.Kill(os.Getpid(), syscall.SIGURG) // Go handles it
			sent.Add(1)
			time.Sleep(100 * time.Microsecond)
		}
	}()
	bad := 0
	for i := 0; i < 100; i++ {
		r, err := sb.Run(ctxTimeout(t, hangGuard), "cat", data, data)
		if err != nil || !r.Success || string(r.Stdout) != want+want {
			bad++
		}
	}
	stop.Store(true)
	<-done
	if sent.Load() < 100 {
		t.Fatalf("only %d signals sent", sent.Load())
	}
	if bad != 0 {
		t.Fatalf("%d of 100 runs read something else than the file", bad)
	}
}

const confineLiveEnv = "SANDLOCK_GO_TEST_CONFINE_LIVE"

// Confine while a Process is live: refused before anything is confined
// (below Landlock ABI 8 the library's supervisor thread cannot be reached),
// and every goroutine can still read what the policy would deny.
func TestConfineWithLiveProcessIsAllOrNothing(t *testing.T) {
	if secret := os.Getenv(confineLiveEnv); secret != "" {
		p, err := base().Spawn("sleep", "30")
		if err != nil {
			t.Fatal(err)
		}
		err = sandlock.Confine(&sandlock.Sandbox{FSReadable: rootfs()})
		if sandlock.LandlockABIVersion() < 8 {
			if err == nil || !strings.Contains(err.Error(), "confine failed") {
				t.Fatalf("Confine with a live Process: %v", err)
			}
			var wg sync.WaitGroup
			var failed atomic.Int32
			for i := 0; i < 32; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := os.ReadFile(secret); err != nil {
						failed.Add(1)
					}
				}()
			}
			wg.Wait()
			if failed.Load() != 0 {
				t.Fatalf("%d goroutines were confined by a refused Confine", failed.Load())
			}
		} else if err != nil {
			t.Fatalf("Confine: %v", err)
		}
		p.Close()
		t.Log("CONFINE-LIVE-OK")
		return
	}
	requireLandlock(t)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := execSelf("^TestConfineWithLiveProcessIsAllOrNothing$", confineLiveEnv+"="+secret).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("CONFINE-LIVE-OK")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// A memory-limit kill says so.
func TestMemoryLimitCause(t *testing.T) {
	requireLandlock(t)
	sb := &sandlock.Sandbox{FSReadable: append(rootfs(), "/dev/zero"), FSWritable: []string{"/dev/null"}, MaxMemory: "64M"}
	r := mustRun(t, sb, "dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1")
	if r.Reason != sandlock.ReasonKilled || r.Cause != sandlock.CauseMemoryLimit {
		t.Fatalf("memory-limit kill: %s, cause %v", show(r), r.Cause)
	}
	if r := mustRun(t, base(), "true"); r.Cause != sandlock.CauseNone {
		t.Fatalf("plain run has cause %v", r.Cause)
	}
}
