//go:build linux && cgo

package sandlock_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sandlock "github.com/multikernel/sandlock/go"
)

// Numbers and labels in the comments below (12, A6, ...) are the test
// plan of docs/go.md 5.

// hangGuard bounds waits that must end; it is a deadlock guard, far above
// any expected duration, never a performance assertion.
const hangGuard = 30 * time.Second

// rootfs is the subset of the usual system directories that exists here
// (a missing grant path fails the launch; /lib64 is absent on arm64).
func rootfs() []string {
	var out []string
	for _, p := range []string{"/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/dev"} {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func requireLandlock(t testing.TB) {
	t.Helper()
	if v, need := sandlock.LandlockABIVersion(), sandlock.MinLandlockABI(); v < need {
		t.Skipf("Landlock ABI %d < %d required by the default policy", v, need)
	}
}

func base() *sandlock.Sandbox { return &sandlock.Sandbox{FSReadable: rootfs()} }

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func mustRun(t *testing.T, sb *sandlock.Sandbox, cmd ...string) *sandlock.Result {
	t.Helper()
	res, err := sb.Run(ctxTimeout(t, hangGuard), cmd...)
	if err != nil {
		t.Fatalf("Run %q: %v", cmd, err)
	}
	return res
}

// show renders a Result with its output as text.
func show(r *sandlock.Result) string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("reason %s exit %d signal %d success %v stdout %q stderr %q",
		r.Reason, r.ExitCode, r.Signal, r.Success, r.Stdout, r.Stderr)
}

// waitResult runs p.Wait in a goroutine and returns its outcome channel.
type waitOutcome struct {
	res *sandlock.Result
	err error
}

func waitAsync(p *sandlock.Process) <-chan waitOutcome {
	ch := make(chan waitOutcome, 1)
	go func() {
		r, err := p.Wait()
		ch <- waitOutcome{r, err}
	}()
	return ch
}

func await(t *testing.T, ch <-chan waitOutcome) waitOutcome {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(hangGuard):
		t.Fatal("Wait did not return")
	}
	return waitOutcome{}
}

// until polls cond (a kernel-visible state change) until it holds.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// procState is the state letter of /proc/<pid>/stat, "" when gone.
func procState(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

// execSelf re-executes this test binary for one test, with env added.
func execSelf(pattern string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run="+pattern, "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// ---- 1-11: basics -----------------------------------------------------

func TestLandlockABI(t *testing.T) {
	need := sandlock.MinLandlockABI()
	t.Logf("kernel Landlock ABI %d, default policy needs %d", sandlock.LandlockABIVersion(), need)
	if need < 1 {
		t.Fatalf("MinLandlockABI() = %d, want >= 1", need)
	}
}

func TestRunEcho(t *testing.T) {
	requireLandlock(t)
	res := mustRun(t, base(), "echo", "hello")
	if !res.Success || res.ExitCode != 0 || string(res.Stdout) != "hello\n" {
		t.Fatalf("got %s", show(res))
	}
}

func TestRunExitCode(t *testing.T) {
	requireLandlock(t)
	res := mustRun(t, base(), "sh", "-c", "exit 3")
	if res.Success || res.ExitCode != 3 {
		t.Fatalf("got %s", show(res))
	}
}

func TestExitReason(t *testing.T) {
	requireLandlock(t)
	t.Run("exited", func(t *testing.T) {
		res := mustRun(t, base(), "sh", "-c", "exit 7")
		if res.Reason != sandlock.ReasonExited || res.ExitCode != 7 || res.Signal != -1 || res.Success {
			t.Fatalf("got %s", show(res))
		}
	})
	t.Run("timeout", func(t *testing.T) {
		res, err := base().Run(ctxTimeout(t, time.Second), "sleep", "60")
		if err != nil {
			t.Fatalf("deadline must not be an error: %v", err)
		}
		if res.Reason != sandlock.ReasonTimeout || res.Success || res.ExitCode != -1 || res.Signal != -1 {
			t.Fatalf("got %s", show(res))
		}
	})
	t.Run("signaled", func(t *testing.T) {
		res := mustRun(t, base(), "sh", "-c", "kill -TERM $$")
		if res.Reason != sandlock.ReasonSignaled || res.Signal != 15 || res.ExitCode != -1 || res.Success {
			t.Fatalf("got %s", show(res))
		}
	})
	t.Run("killed", func(t *testing.T) {
		res := mustRun(t, base(), "sh", "-c", "kill -KILL $$")
		if res.Reason != sandlock.ReasonKilled || res.Signal != -1 || res.Success {
			t.Fatalf("got %s", show(res))
		}
	})
}

// docs/decisions.md decision 4: cancelling the context preempts the run.
func TestRunCancelKills(t *testing.T) {
	requireLandlock(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	sb := base()
	sb.FSWritable = []string{dir}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel once the child provably runs.
		for i := 0; i < 6000; i++ {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	res, err := sb.Run(ctx, "sh", "-c", "echo > "+marker+"; exec sleep 60")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res == nil || res.Reason != sandlock.ReasonKilled || res.Success {
		t.Fatalf("result %s, want ReasonKilled", show(res))
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("the child never started: %v", err)
	}
}

func TestRunContextDoneOnEntry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := base().Run(ctx, "true"); res != nil || err != context.Canceled {
		t.Fatalf("Run = %v, %v; want nil, context.Canceled", res, err)
	}
	dctx, dcancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer dcancel()
	if res, err := base().Run(dctx, "true"); res != nil || err != context.DeadlineExceeded {
		t.Fatalf("Run = %v, %v; want nil, context.DeadlineExceeded", res, err)
	}
	if code, err := base().RunInteractive(ctx, "true"); code != -1 || err != context.Canceled {
		t.Fatalf("RunInteractive = %d, %v", code, err)
	}
	if res, err := base().DryRun(ctx, "true"); res != nil || err != context.Canceled {
		t.Fatalf("DryRun = %v, %v", res, err)
	}
}

func TestRunEmptyCommand(t *testing.T) {
	sb := &sandlock.Sandbox{}
	if _, err := sb.Run(context.Background()); err == nil || err.Error() != "sandlock: empty command" {
		t.Fatalf("Run() = %v", err)
	}
	if _, err := sb.Spawn(); err == nil {
		t.Fatal("Spawn() accepted an empty command")
	}
	if _, err := sb.Popen(sandlock.Stdio{}); err == nil {
		t.Fatal("Popen() accepted an empty command")
	}
	if code, err := sb.RunInteractive(context.Background()); err == nil || code != -1 {
		t.Fatalf("RunInteractive() = %d, %v", code, err)
	}
}

func TestRunNULRejected(t *testing.T) {
	sb := &sandlock.Sandbox{}
	if _, err := sb.Run(context.Background(), "a\x00b"); err != sandlock.ErrInvalidString {
		t.Fatalf("err = %v, want ErrInvalidString", err)
	}
	if _, err := sb.Spawn("echo", "x\x00"); err != sandlock.ErrInvalidString {
		t.Fatalf("Spawn err = %v", err)
	}
	if _, err := sandlock.SyscallNr("open\x00at"); err != sandlock.ErrInvalidString {
		t.Fatalf("SyscallNr err = %v", err)
	}
}

func TestSyscallEventArgvContains(t *testing.T) {
	ev := sandlock.SyscallEvent{Syscall: "execve", Argv: []string{"python3", "-c", "print(1)"}}
	if !ev.ArgvContains("python") || ev.ArgvContains("ruby") {
		t.Fatal("ArgvContains")
	}
	if (sandlock.SyscallEvent{}).ArgvContains("") {
		t.Fatal("nil Argv contains nothing")
	}
}

func TestPolicyDecisionValues(t *testing.T) {
	if sandlock.Allow() != sandlock.DecisionAllow || sandlock.Deny() != sandlock.DecisionDeny ||
		sandlock.Audit() != sandlock.DecisionAudit {
		t.Fatal("decision helpers")
	}
	if sandlock.DenyWith(13) == sandlock.DecisionAllow || sandlock.DenyWith(13) != 13 {
		t.Fatal("DenyWith(13)")
	}
	if sandlock.DenyWith(0) != sandlock.DecisionDeny {
		t.Fatal("DenyWith(0)")
	}
}

// ---- 12, 13, A6, A7: policy callbacks ----------------------------------

// requireNoRegistrations checks that every callback registered so far was
// dropped by the library once its native objects were gone.
func requireNoRegistrations(t *testing.T) {
	t.Helper()
	if n := sandlock.RegisteredPolicyFns(); n != 0 {
		t.Fatalf("%d policy callbacks still registered", n)
	}
	if n := sandlock.RegisteredHandlers(); n != 0 {
		t.Fatalf("%d custom handlers still registered", n)
	}
}

func TestPolicyFnDenyByArgv(t *testing.T) {
	requireLandlock(t)
	sb := base()
	sb.PolicyFn = func(ev sandlock.SyscallEvent, _ *sandlock.PolicyContext) sandlock.PolicyDecision {
		if ev.Syscall == "execve" && ev.ArgvContains("forbidden-token") {
			return sandlock.Deny()
		}
		return sandlock.Allow()
	}
	res, err := sb.Run(ctxTimeout(t, hangGuard), "sh", "-c", "echo forbidden-token")
	if err != nil {
		t.Fatal(err)
	}
	if res.Success || strings.Contains(string(res.Stdout), "forbidden-token") {
		t.Fatalf("the denied exec ran: %s", show(res))
	}
	requireNoRegistrations(t)
}

func TestPolicyFnReceivesExecveArgv(t *testing.T) {
	requireLandlock(t)
	got := make(chan []string, 1)
	sb := base()
	sb.PolicyFn = func(ev sandlock.SyscallEvent, _ *sandlock.PolicyContext) sandlock.PolicyDecision {
		if ev.Syscall == "execve" && len(ev.Argv) > 0 {
			select {
			case got <- ev.Argv:
			default:
			}
		}
		return sandlock.Allow()
	}
	res := mustRun(t, sb, "echo", "argv-probe")
	if !res.Success || string(res.Stdout) != "argv-probe\n" {
		t.Fatalf("Run: %s", show(res))
	}
	select {
	case a := <-got:
		if len(a) != 2 || a[0] != "echo" || a[1] != "argv-probe" {
			t.Fatalf("argv = %q", a)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no execve event")
	}
	requireNoRegistrations(t)
}

// A6: two sandboxes with their own callbacks, at the same time: each sees
// its own events only, and every registration is dropped at the end.
func TestPolicyFnConcurrentRegistrations(t *testing.T) {
	requireLandlock(t)
	var wg sync.WaitGroup
	type seen struct {
		mu    sync.Mutex
		argvs []string
	}
	results := make([]*seen, 4)
	errs := make([]error, len(results))
	for i := range results {
		i := i
		results[i] = &seen{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sb := base()
			sb.PolicyFn = func(ev sandlock.SyscallEvent, _ *sandlock.PolicyContext) sandlock.PolicyDecision {
				if ev.Syscall == "execve" {
					results[i].mu.Lock()
					results[i].argvs = append(results[i].argvs, strings.Join(ev.Argv, " "))
					results[i].mu.Unlock()
				}
				return sandlock.Allow()
			}
			var res *sandlock.Result
			res, errs[i] = sb.Run(context.Background(), "echo", fmt.Sprintf("sandbox-%d", i))
			if errs[i] == nil && !res.Success {
				errs[i] = fmt.Errorf("run %d: %s", i, show(res))
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		r.mu.Lock()
		if len(r.argvs) == 0 {
			t.Fatalf("sandbox %d: no execve event", i)
		}
		for _, a := range r.argvs {
			if a != fmt.Sprintf("echo sandbox-%d", i) {
				t.Fatalf("sandbox %d saw %q", i, a)
			}
		}
		r.mu.Unlock()
	}
	requireNoRegistrations(t)
}

// A7: a panicking callback denies (EPERM); DenyWith(13) gives EACCES.
func TestPolicyFnPanicAndErrno(t *testing.T) {
	requireLandlock(t)
	for _, c := range []struct {
		fn   sandlock.PolicyFunc
		want string
	}{
		{func(ev sandlock.SyscallEvent, _ *sandlock.PolicyContext) sandlock.PolicyDecision {
			if ev.Syscall == "execve" && len(ev.Argv) == 2 && ev.Argv[1] == "tok-a7" {
				panic("boom")
			}
			return sandlock.Allow()
		}, "Operation not permitted"},
		{func(ev sandlock.SyscallEvent, _ *sandlock.PolicyContext) sandlock.PolicyDecision {
			if ev.Syscall == "execve" && len(ev.Argv) == 2 && ev.Argv[1] == "tok-a7" {
				return sandlock.DenyWith(13)
			}
			return sandlock.Allow()
		}, "Permission denied"},
	} {
		sb := base()
		sb.PolicyFn = c.fn
		res := mustRun(t, sb, "sh", "-c", "/bin/echo tok-a7; echo rc=$?")
		if strings.Contains(string(res.Stdout), "tok-a7\n") ||
			!strings.Contains(string(res.Stdout), "rc=126") ||
			!strings.Contains(string(res.Stderr), c.want) {
			t.Fatalf("want %q: %s", c.want, show(res))
		}
	}
	requireNoRegistrations(t)
}

// The context changes the running sandbox: a denied path, then a lower
// process limit.
func TestPolicyContextChangesTheSandbox(t *testing.T) {
	requireLandlock(t)
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := base()
	sb.FSReadable = append(sb.FSReadable, dir)
	var mu sync.Mutex
	var ctxErr error
	var saved *sandlock.PolicyContext
	sb.PolicyFn = func(ev sandlock.SyscallEvent, ctx *sandlock.PolicyContext) sandlock.PolicyDecision {
		mu.Lock()
		defer mu.Unlock()
		if ev.Syscall == "execve" && ev.ArgvContains(secret) {
			ctxErr = ctx.DenyPath(secret)
			saved = ctx
		}
		if ev.Syscall == "execve" && ev.ArgvContains("bad-ip") {
			ctxErr = ctx.RestrictNetwork([]string{"bad-ip"})
		}
		return sandlock.Allow()
	}
	res := mustRun(t, sb, "sh", "-c", "cat "+secret+" || echo refused")
	mu.Lock()
	defer mu.Unlock()
	if ctxErr != nil {
		t.Fatal(ctxErr)
	}
	if strings.Contains(string(res.Stdout), "s3cret") || !strings.Contains(string(res.Stdout), "refused") {
		t.Fatalf("the denied path was read: %s", show(res))
	}
	// after its callback returned the context does nothing
	if err := saved.AllowPath(secret); err != nil {
		t.Fatal(err)
	}
	mu.Unlock()
	mustRun(t, sb, "/bin/true", "bad-ip")
	mu.Lock()
	if ctxErr == nil || !strings.Contains(ctxErr.Error(), "invalid IP") {
		t.Fatalf("RestrictNetwork(bad-ip) = %v", ctxErr)
	}
	requireNoRegistrations(t)
}

// ---- custom handlers [EXT] ------------------------------------------------

func TestHandlerAnswersGetpid(t *testing.T) {
	requireLandlock(t)
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("needs /usr/bin/python3")
	}
	sb := base()
	sb.Handlers = []sandlock.Handler{{
		Syscalls: []string{"getpid"},
		Func: func(n *sandlock.SyscallNotif) (sandlock.HandlerAction, error) {
			return sandlock.ActionReturn(4242), nil
		},
	}}
	res := mustRun(t, sb, "python3", "-c", "import os; print(os.getpid())")
	if string(res.Stdout) != "4242\n" {
		t.Fatalf("Run: %s", show(res))
	}
	requireNoRegistrations(t)
}

func TestHandlerInjectsBytesAndReadsMemory(t *testing.T) {
	requireLandlock(t)
	sb := base()
	sb.Handlers = []sandlock.Handler{{
		Syscalls: []string{"openat"},
		Func: func(n *sandlock.SyscallNotif) (sandlock.HandlerAction, error) {
			path, err := n.ReadString(n.Args[1], 4096)
			if err != nil {
				return sandlock.HandlerAction{}, err
			}
			if path == "/virtual/greeting" {
				return sandlock.ActionInjectBytes([]byte("hello from Go\n"), 0), nil
			}
			return sandlock.ActionContinue(), nil
		},
	}}
	res := mustRun(t, sb, "cat", "/virtual/greeting")
	if !res.Success || string(res.Stdout) != "hello from Go\n" {
		t.Fatalf("Run: %s", show(res))
	}
	requireNoRegistrations(t)
}

func TestHandlerErrorFallsToItsExceptionPolicy(t *testing.T) {
	requireLandlock(t)
	dir := t.TempDir()
	for _, c := range []struct {
		on   sandlock.ExceptionPolicy
		want string
	}{
		{sandlock.ExceptionDenyEIO, "Input/output error"},
		{sandlock.ExceptionDenyEPERM, "Operation not permitted"},
	} {
		sb := base()
		sb.FSWritable = []string{dir}
		sb.Handlers = []sandlock.Handler{{
			Syscalls:    []string{"mkdir", "mkdirat"},
			OnException: c.on,
			Func: func(n *sandlock.SyscallNotif) (sandlock.HandlerAction, error) {
				panic("handler bug")
			},
		}}
		res := mustRun(t, sb, "mkdir", filepath.Join(dir, "x"))
		if res.Success || !strings.Contains(string(res.Stderr), c.want) {
			t.Fatalf("want %q: %s", c.want, show(res))
		}
	}
	requireNoRegistrations(t)
}

func TestHandlersNeedAOneShotRun(t *testing.T) {
	sb := base()
	sb.Handlers = []sandlock.Handler{{Syscalls: []string{"getpid"},
		Func: func(*sandlock.SyscallNotif) (sandlock.HandlerAction, error) {
			return sandlock.ActionContinue(), nil
		}}}
	if _, err := sb.Spawn("true"); err == nil {
		t.Fatal("Spawn with Handlers succeeded")
	}
	sb.Handlers[0].Syscalls = []string{"not_a_syscall"}
	if _, err := sb.Run(context.Background(), "true"); err == nil ||
		!strings.Contains(err.Error(), "unknown syscall") {
		t.Fatalf("unknown syscall: %v", err)
	}
	sb.Handlers[0].Func = nil
	if _, err := sb.Run(context.Background(), "true"); err == nil {
		t.Fatal("a Handler without Func ran")
	}
	requireNoRegistrations(t)
}

// ---- 14: dry run ---------------------------------------------------------

// The reference test: the command's write is staged in the copy-on-write
// layer of Workdir, reported, and discarded; the host file never exists.
func TestDryRun(t *testing.T) {
	requireLandlock(t)
	dir := t.TempDir()
	sb := base()
	sb.FSWritable = []string{dir}
	sb.Workdir = dir
	out := filepath.Join(dir, "out.txt")
	res, err := sb.DryRun(ctxTimeout(t, hangGuard), "sh", "-c", "echo hi > "+out)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success {
		t.Fatalf("DryRun = %+v", res)
	}
	t.Logf("changes: %+v", res.Changes)
	if len(res.Changes) != 1 || res.Changes[0].Kind != sandlock.ChangeAdded ||
		res.Changes[0].Path != "out.txt" {
		t.Fatalf("Changes = %+v, want [{A out.txt}]", res.Changes)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("dry run changed the host: %v", err)
	}
}

// Without a Workdir the dry run still runs the command, captures its
// output, and has no changes to report.
func TestDryRunWithoutWorkdir(t *testing.T) {
	requireLandlock(t)
	res, err := base().DryRun(ctxTimeout(t, hangGuard), "sh", "-c", "echo hi; exit 4")
	if err != nil {
		t.Fatal(err)
	}
	if res.Success || res.Reason != sandlock.ReasonExited || res.ExitCode != 4 ||
		string(res.Stdout) != "hi\n" || res.Changes != nil {
		t.Fatalf("DryRun = %+v", res)
	}
}

// ---- 15, A1-A4: Spawn and the Process contract ---------------------------

func TestProcessKillInterruptsWait(t *testing.T) {
	requireLandlock(t)
	p, err := base().Spawn("sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	ch := waitAsync(p)
	if err := p.Kill(); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	o := await(t, ch)
	if o.err != nil || o.res.Reason != sandlock.ReasonKilled || o.res.Success {
		t.Fatalf("Wait = %s, %v", show(o.res), o.err)
	}
}

func TestProcessLifecycleErrors(t *testing.T) {
	requireLandlock(t)
	p, err := base().Spawn("sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	pid := p.Pid()
	if pid <= 0 {
		t.Fatalf("Pid() = %d", pid)
	}
	ch := waitAsync(p)
	until(t, "the first Wait to own the handle", p.WaitInFlight)
	if r, err := p.Wait(); r != nil || err != sandlock.ErrNotRunning {
		t.Fatalf("second concurrent Wait = %v, %v", r, err)
	}
	if m, err := p.Ports(); err != nil || m == nil || len(m) != 0 {
		t.Fatalf("Ports during Wait = %v, %v", m, err)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if o := await(t, ch); o.err != nil || o.res.Reason != sandlock.ReasonKilled {
		t.Fatalf("Wait = %s, %v", show(o.res), o.err)
	}
	if _, err := p.Wait(); err != sandlock.ErrNotRunning {
		t.Fatalf("Wait after Wait = %v", err)
	}
	if err := p.Pause(); err != sandlock.ErrNotRunning {
		t.Fatalf("Pause after Wait = %v", err)
	}
	if err := p.Resume(); err != sandlock.ErrNotRunning {
		t.Fatalf("Resume after Wait = %v", err)
	}
	if err := p.Kill(); err != nil {
		t.Fatalf("Kill after Wait = %v", err)
	}
	if m, err := p.Ports(); err != nil || m == nil || len(m) != 0 {
		t.Fatalf("Ports after Wait = %v, %v", m, err)
	}
	if p.Pid() != pid {
		t.Fatalf("Pid changed %d -> %d", pid, p.Pid())
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	q, err := base().Spawn("sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil || q.Close() != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := q.Wait(); err != sandlock.ErrNotRunning {
		t.Fatalf("Wait after Close = %v", err)
	}
	if procState(q.Pid()) != "" {
		t.Fatalf("Close left pid %d behind (state %s)", q.Pid(), procState(q.Pid()))
	}
}

func TestProcessCloseDuringWait(t *testing.T) {
	requireLandlock(t)
	p, err := base().Spawn("sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	ch := waitAsync(p)
	until(t, "Wait to own the handle", p.WaitInFlight)
	if err := p.Close(); err != nil {
		t.Fatalf("Close during Wait: %v", err)
	}
	if o := await(t, ch); o.err != nil || o.res.Reason != sandlock.ReasonKilled {
		t.Fatalf("Wait = %s, %v", show(o.res), o.err)
	}
}

// A3 and A4: pause and resume are visible in the kernel's task state, and
// Spawn captures the output for Wait.
func TestProcessPauseResumeAndCapture(t *testing.T) {
	requireLandlock(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sb := base()
	sb.FSWritable = []string{dir}
	p, err := sb.Spawn("sh", "-c", `read x < `+fifo+`; echo "got $x"; echo err >&2; exit 4`)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Pause(); err != nil {
		t.Fatalf("Pause: %v", err)
	}
	until(t, "the child to stop", func() bool { return procState(p.Pid()) == "T" })
	if err := p.Resume(); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	until(t, "the child to continue", func() bool { s := procState(p.Pid()); return s != "T" && s != "" })
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.WriteString("go\n")
	w.Close()
	res, err := p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 4 || string(res.Stdout) != "got go\n" || string(res.Stderr) != "err\n" {
		t.Fatalf("Wait = %s", show(res))
	}
}

// ---- 16-27: Popen --------------------------------------------------------

func readAll(t *testing.T, f *os.File) string {
	t.Helper()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", f.Name(), err)
	}
	return string(b)
}

func TestPopenStreamsStdout(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdout: sandlock.StdioPiped}, "echo", "go-hi")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Stdin != nil || p.Stderr != nil || p.Stdout == nil {
		t.Fatalf("streams %v %v %v", p.Stdin, p.Stdout, p.Stderr)
	}
	flags, _, e := syscall.Syscall(syscall.SYS_FCNTL, p.Stdout.Fd(), syscall.F_GETFD, 0)
	if e != 0 || flags&syscall.FD_CLOEXEC == 0 {
		t.Fatalf("stdout pipe lacks FD_CLOEXEC (flags %#x, %v)", flags, e)
	}
	if got := readAll(t, p.Stdout); got != "go-hi\n" {
		t.Fatalf("stdout %q", got)
	}
	res, err := p.Wait()
	if err != nil || !res.Success || res.ExitCode != 0 || res.Stdout != nil {
		t.Fatalf("Wait = %s, %v", show(res), err)
	}
}

func TestPopenStdinStdoutRoundtrip(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdin: sandlock.StdioPiped, Stdout: sandlock.StdioPiped}, "cat")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Stdin.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	p.Stdin.Close()
	if got := readAll(t, p.Stdout); got != "ping\n" {
		t.Fatalf("stdout %q", got)
	}
	if res, err := p.Wait(); err != nil || !res.Success {
		t.Fatalf("Wait = %s, %v", show(res), err)
	}
}

func TestPopenWaitClosesUnclosedStdin(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdin: sandlock.StdioPiped, Stdout: sandlock.StdioPiped}, "cat")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	drained := make(chan string, 1)
	go func() { b, _ := io.ReadAll(p.Stdout); drained <- string(b) }()
	ch := waitAsync(p)
	if o := await(t, ch); o.err != nil || !o.res.Success {
		t.Fatalf("Wait = %s, %v", show(o.res), o.err)
	}
	if got := <-drained; got != "" {
		t.Fatalf("stdout %q", got)
	}
}

func TestPopenStdoutAndStderrBothPiped(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdout: sandlock.StdioPiped, Stderr: sandlock.StdioPiped},
		"sh", "-c", "echo out; echo err 1>&2")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	errCh := make(chan string, 1)
	go func() { b, _ := io.ReadAll(p.Stderr); errCh <- string(b) }()
	if got := readAll(t, p.Stdout); got != "out\n" {
		t.Fatalf("stdout %q", got)
	}
	if got := <-errCh; got != "err\n" {
		t.Fatalf("stderr %q", got)
	}
	if res, err := p.Wait(); err != nil || !res.Success {
		t.Fatalf("Wait = %s, %v", show(res), err)
	}
}

func TestPopenNullStdoutNoStream(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdout: sandlock.StdioNull}, "echo", "to-null")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Stdout != nil {
		t.Fatal("Stdout set for StdioNull")
	}
	if res, err := p.Wait(); err != nil || res.ExitCode != 0 {
		t.Fatalf("Wait = %s, %v", show(res), err)
	}
}

func TestPopenZeroStdioInheritsAllLikeSpawn(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{}, "true")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Stdin != nil || p.Stdout != nil || p.Stderr != nil {
		t.Fatal("streams set for inherited stdio")
	}
	if res, err := p.Wait(); err != nil || !res.Success || res.ExitCode != 0 {
		t.Fatalf("Wait = %s, %v", show(res), err)
	}
}

func TestPopenKillAfterWaitIsNil(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{}, "true")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil {
		t.Fatalf("Kill after Wait = %v", err)
	}
}

func TestPopenInvalidStdioMode(t *testing.T) {
	_, err := (&sandlock.Sandbox{}).Popen(sandlock.Stdio{Stdout: sandlock.StdioMode(99)}, "true")
	if err == nil || err.Error() != "sandlock: invalid StdioMode 99" {
		t.Fatalf("err = %v", err)
	}
}

func TestPopenKillInterruptsWait(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdout: sandlock.StdioPiped}, "sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ch := waitAsync(p)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if o := await(t, ch); o.err != nil || o.res.Reason != sandlock.ReasonKilled {
		t.Fatalf("Wait = %s, %v", show(o.res), o.err)
	}
}

func TestPopenCloseClosesStreamsAndReaps(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdout: sandlock.StdioPiped}, "sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	out, pid := p.Stdout, p.Pid()
	// [EXT] the pipe end is on Go's poller: deadlines work and Close wakes
	// a blocked reader.
	if err := out.SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	if _, err := out.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past deadline = %v", err)
	}
	_ = out.SetReadDeadline(time.Time{})
	readErr := make(chan error, 1)
	go func() { _, err := out.Read(make([]byte, 1)); readErr <- err }()
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("blocked read returned data after Close")
		}
	case <-time.After(hangGuard):
		t.Fatal("Close did not wake the blocked read")
	}
	if _, err := out.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after Close succeeded")
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if s := procState(pid); s != "" {
		t.Fatalf("pid %d still present after Close (state %s)", pid, s)
	}
}

func TestPopenFinalizerReapsAbandonedProcess(t *testing.T) {
	requireLandlock(t)
	pid := func() int {
		p, err := base().Popen(sandlock.Stdio{}, "sleep", "60")
		if err != nil {
			t.Fatal(err)
		}
		return p.Pid()
	}()
	until(t, "the finalizer to reap the abandoned process", func() bool {
		runtime.GC()
		s := procState(pid)
		return s == "" || s == "Z" || s == "X"
	})
}

func TestPopenCloseAfterWaitClosesLeftoverStream(t *testing.T) {
	requireLandlock(t)
	p, err := base().Popen(sandlock.Stdio{Stdout: sandlock.StdioPiped}, "echo", "leftover")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := p.Wait(); err != nil || !res.Success {
		t.Fatalf("Wait = %s, %v", show(res), err)
	}
	buf := make([]byte, 64)
	n, err := p.Stdout.Read(buf)
	if err != nil || string(buf[:n]) != "leftover\n" {
		t.Fatalf("read after Wait = %q, %v", buf[:n], err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stdout.Read(buf); err == nil {
		t.Fatal("read after Close succeeded")
	}
}

// ---- 28-32: platform queries, Confine, protections, bind -----------------

func TestSyscallNr(t *testing.T) {
	if nr, err := sandlock.SyscallNr("openat"); err != nil || nr < 0 {
		t.Fatalf("openat = %d, %v", nr, err)
	}
	nr, err := sandlock.SyscallNr("definitely_not_a_real_syscall")
	if err == nil || nr != -1 || err.Error() != `sandlock: unknown syscall "definitely_not_a_real_syscall"` {
		t.Fatalf("= %d, %v", nr, err)
	}
}

func TestConfineRejectsSupervisorConfig(t *testing.T) {
	probe := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(probe, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := sandlock.Confine(&sandlock.Sandbox{FSReadable: rootfs(), MaxMemory: "256M"})
	if err == nil || !strings.Contains(err.Error(), "confine") || !strings.Contains(err.Error(), "MaxMemory") {
		t.Fatalf("Confine = %v, want a refusal naming MaxMemory", err)
	}
	// Still unconfined: a path outside rootfs is readable and writable.
	if _, err := os.ReadFile(probe); err != nil {
		t.Fatalf("the test process got confined: %v", err)
	}
	if err := os.WriteFile(probe+"2", nil, 0o600); err != nil {
		t.Fatalf("the test process got confined: %v", err)
	}
}

func TestProtectionMinABI(t *testing.T) {
	want := map[sandlock.Protection]int{
		sandlock.ProtectionFSRefer: 2, sandlock.ProtectionFSTruncate: 3, sandlock.ProtectionNetTCP: 4,
		sandlock.ProtectionFSIoctlDev: 5, sandlock.ProtectionSignalScope: 6,
		sandlock.ProtectionAbstractUnixSocketScope: 6, sandlock.Protection(6): 0,
	}
	for p, v := range want {
		if got := sandlock.ProtectionMinABI(p); got != v {
			t.Errorf("ProtectionMinABI(%d) = %d, want %d", p, got, v)
		}
	}
	if sandlock.ProtectionAbstractUnixSocketScope != 5 || sandlock.ProtectionFSRefer != 0 {
		t.Fatal("protection discriminants moved")
	}
}

func TestRunDegradedBelowV6(t *testing.T) {
	if sandlock.LandlockABIVersion() < 1 {
		t.Skip("no Landlock")
	}
	strict, err := base().Run(ctxTimeout(t, hangGuard), "echo", "ok")
	if sandlock.LandlockABIVersion() < 6 {
		if err == nil {
			t.Fatalf("strict policy below ABI 6 ran: %s", show(strict))
		}
	} else if err != nil || !strict.Success {
		t.Fatalf("strict policy at ABI %d: %s, %v", sandlock.LandlockABIVersion(), show(strict), err)
	}
	sb := base()
	sb.AllowDegraded = []sandlock.Protection{0, 1, 2, 3, 4, 5}
	res := mustRun(t, sb, "echo", "ok")
	if !res.Success || strings.TrimSpace(string(res.Stdout)) != "ok" {
		t.Fatalf("degraded run: %s", show(res))
	}
}

const bindScript = `
import json, socket
def try_bind(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return 0
    except OSError as e:
        return e.errno
    finally:
        s.close()
print(json.dumps({"fixed": try_bind(18493), "any": try_bind(0)}))
`

func TestNetAllowBindWildcard(t *testing.T) {
	requireLandlock(t)
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	res := mustRun(t, base(), "/usr/bin/python3", "-c", bindScript)
	if !res.Success || !bytes.Contains(res.Stdout, []byte(`"fixed": 13`)) {
		t.Fatalf("default bind: %s", show(res))
	}
	sb := base()
	sb.NetAllowBind = []string{"*"}
	res = mustRun(t, sb, "/usr/bin/python3", "-c", bindScript)
	if !res.Success || !bytes.Contains(res.Stdout, []byte(`{"fixed": 0, "any": 0}`)) {
		t.Fatalf("wildcard bind: %s", show(res))
	}
}

// ---- A5: ports -----------------------------------------------------------

const perlBind = `use Socket;
socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
bind($s, pack_sockaddr_in($ARGV[0], inet_aton("127.0.0.1"))) or die "bind: $!";
listen($s, 1) or die "listen: $!";
$| = 1; print "bound\n"; <STDIN>;`

// With PortRemap, a bind to a port that is taken on the host lands on
// another real port and Ports reports virtual -> real; without a live
// handle (during and after Wait) the map is empty but never nil.
func TestPorts(t *testing.T) {
	requireLandlock(t)
	if _, err := os.Stat("/usr/bin/perl"); err != nil {
		t.Skip("no /usr/bin/perl")
	}
	taken, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	virt := taken.Addr().(*net.TCPAddr).Port
	sb := base()
	sb.PortRemap = true
	sb.NetAllowBind = []string{"*"}
	p, err := sb.Popen(sandlock.Stdio{Stdin: sandlock.StdioPiped, Stdout: sandlock.StdioPiped},
		"/usr/bin/perl", "-e", perlBind, strconv.Itoa(virt))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	line, err := bufio.NewReader(p.Stdout).ReadString('\n')
	if err != nil || line != "bound\n" {
		t.Fatalf("child did not bind: %q, %v", line, err)
	}
	m, err := p.Ports()
	if err != nil || len(m) != 1 || m[virt] <= 0 || m[virt] == virt {
		t.Fatalf("Ports = %v, %v; want {%d: <another port>}", m, err, virt)
	}
	if res, err := p.Wait(); err != nil || !res.Success {
		t.Fatalf("Wait = %s, %v", show(res), err)
	}
	if m, err := p.Ports(); err != nil || m == nil || len(m) != 0 {
		t.Fatalf("Ports after Wait = %v, %v", m, err)
	}

	q, err := base().Spawn("sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if m, err := q.Ports(); err != nil || m == nil || len(m) != 0 {
		t.Fatalf("Ports without PortRemap = %v, %v", m, err)
	}
	ch := waitAsync(q)
	until(t, "Wait to own the handle", q.WaitInFlight)
	if m, err := q.Ports(); err != nil || m == nil || len(m) != 0 {
		t.Fatalf("Ports during Wait = %v, %v", m, err)
	}
	_ = q.Kill()
	await(t, ch)
}

// ---- A8: field mapping ---------------------------------------------------

func TestFieldMapping(t *testing.T) {
	requireLandlock(t)
	t.Run("env", func(t *testing.T) {
		sb := base()
		sb.CleanEnv = true
		sb.Env = map[string]string{"SANDLOCK_PROBE": "bar"}
		res := mustRun(t, sb, "/bin/sh", "-c", `echo "$SANDLOCK_PROBE:${SANDLOCK_OUTER-unset}"`)
		if string(res.Stdout) != "bar:unset\n" {
			t.Fatalf("clean env: %q %q", res.Stdout, res.Stderr)
		}
		t.Setenv("SANDLOCK_OUTER", "outer")
		sb.CleanEnv = false
		res = mustRun(t, sb, "/bin/sh", "-c", `echo "$SANDLOCK_PROBE:${SANDLOCK_OUTER-unset}"`)
		if string(res.Stdout) != "bar:outer\n" {
			t.Fatalf("inherited env: %q %q", res.Stdout, res.Stderr)
		}
	})
	t.Run("cwd", func(t *testing.T) {
		sb := base()
		sb.Cwd = "/usr"
		if res := mustRun(t, sb, "sh", "-c", "pwd"); string(res.Stdout) != "/usr\n" {
			t.Fatalf("pwd %q", res.Stdout)
		}
	})
	t.Run("uid without gid", func(t *testing.T) {
		uid := 1000
		sb := base()
		sb.UID = &uid
		if _, err := sb.Run(context.Background(), "true"); err == nil ||
			!strings.Contains(err.Error(), "UID and GID must both be set") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("gpu nil and empty", func(t *testing.T) {
		for _, devs := range [][]uint32{nil, {}} {
			sb := base()
			sb.GPUDevices = devs
			if res := mustRun(t, sb, "true"); !res.Success {
				t.Fatalf("GPUDevices %v: %s", devs, show(res))
			}
		}
	})
	t.Run("branch actions with workdir", func(t *testing.T) {
		// OnExit abort: a success is thrown away; OnError keep: a
		// failure leaves its branch in FSStorage, the workdir untouched.
		dir, store := t.TempDir(), t.TempDir()
		sb := base()
		sb.FSWritable = []string{dir}
		sb.Workdir = dir
		sb.FSStorage = store
		sb.OnExit, sb.OnError = sandlock.BranchActionAbort, sandlock.BranchActionKeep
		f := filepath.Join(dir, "f")
		if res := mustRun(t, sb, "sh", "-c", "echo x > "+f+" && cat "+f); !res.Success ||
			string(res.Stdout) != "x\n" {
			t.Fatalf("run = %s", show(res))
		}
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("aborted write reached the workdir: %v", err)
		}
		if res := mustRun(t, sb, "sh", "-c", "echo x > "+f+"; exit 3"); res.ExitCode != 3 {
			t.Fatalf("run = %s", show(res))
		}
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("kept write reached the workdir: %v", err)
		}
		if kept, err := os.ReadDir(store); err != nil || len(kept) != 1 {
			t.Fatalf("storage after keep: %v, %v", kept, err)
		}
	})
	t.Run("max cpu 101", func(t *testing.T) {
		sb := base()
		sb.MaxCPU = 101
		if _, err := sb.Run(context.Background(), "true"); err == nil || !strings.Contains(err.Error(), "max_cpu") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("bad bind spec", func(t *testing.T) {
		sb := base()
		sb.NetAllowBind = []string{"80-x"}
		if _, err := sb.Run(context.Background(), "true"); err == nil || !strings.HasPrefix(err.Error(), "sandlock: ") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("NUL in env key", func(t *testing.T) {
		sb := base()
		sb.Env = map[string]string{"A\x00B": "x"}
		if _, err := sb.Run(context.Background(), "true"); err != sandlock.ErrInvalidString {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("max memory", func(t *testing.T) {
		sb := base()
		sb.MaxMemory = "256M"
		if res := mustRun(t, sb, "echo", "ok"); !res.Success {
			t.Fatalf("%s", show(res))
		}
	})
	t.Run("fs denied and writable", func(t *testing.T) {
		dir := t.TempDir()
		sb := base()
		sb.FSWritable = []string{dir}
		sb.FSReadable = append(rootfs(), "/tmp")
		res := mustRun(t, sb, "sh", "-c", "echo w > "+filepath.Join(dir, "ok")+" && ! echo x > /tmp/sandlock-go-denied-$$")
		if !res.Success {
			t.Fatalf("%s", show(res))
		}
		if b, err := os.ReadFile(filepath.Join(dir, "ok")); err != nil || string(b) != "w\n" {
			t.Fatalf("granted write: %q %v", b, err)
		}
	})
}

// ---- A9: Confine confines every thread -------------------------------------

const confineChildEnv = "SANDLOCK_GO_TEST_CONFINE_SECRET"

func TestConfineConfinesEveryThread(t *testing.T) {
	if secret := os.Getenv(confineChildEnv); secret != "" {
		confineChild(t, secret)
		return
	}
	requireLandlock(t)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := execSelf("^TestConfineConfinesEveryThread$", confineChildEnv+"="+secret)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("CONFINE-OK")) {
		t.Fatalf("confined child failed: %v\n%s", err, out)
	}
	// The parent is untouched.
	if _, err := os.ReadFile(secret); err != nil {
		t.Fatal(err)
	}
}

// confineChild runs in the re-executed test binary: a goroutine pinned to
// its own OS thread before Confine must be confined as well.
func confineChild(t *testing.T, secret string) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, err := os.ReadFile(secret); err != nil {
		t.Fatalf("secret unreadable before Confine: %v", err)
	}
	type probe struct {
		tid int
		err error
	}
	start, tidCh, result := make(chan struct{}), make(chan int), make(chan probe)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		tidCh <- syscall.Gettid()
		<-start
		_, err := os.ReadFile(secret)
		result <- probe{syscall.Gettid(), err}
	}()
	otherTid := <-tidCh
	if otherTid == syscall.Gettid() {
		t.Fatal("the pinned goroutine shares the main thread")
	}
	if err := sandlock.Confine(&sandlock.Sandbox{FSReadable: rootfs()}); err != nil {
		t.Fatalf("Confine: %v", err)
	}
	close(start)
	if p := <-result; p.tid != otherTid || !errors.Is(p.err, fs.ErrPermission) {
		t.Fatalf("thread %d read the secret after Confine: %v", p.tid, p.err)
	}
	if _, err := os.ReadFile(secret); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("main thread read the secret after Confine: %v", err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = os.ReadFile(secret)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("goroutine %d read the secret: %v", i, err)
		}
	}
	if err := os.WriteFile(secret+".new", nil, 0o600); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("write after Confine: %v", err)
	}
	// Every task of the process went through the confinement.
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		st, err := os.ReadFile("/proc/self/task/" + task.Name() + "/status")
		if err == nil && !bytes.Contains(st, []byte("NoNewPrivs:\t1")) {
			t.Fatalf("thread %s has no NoNewPrivs", task.Name())
		}
	}
	t.Logf("CONFINE-OK (%d threads)", len(tasks))
}

// ---- A10 and RunInteractive ------------------------------------------------

func TestRunDeadlineAfterOutput(t *testing.T) {
	requireLandlock(t)
	res, err := base().Run(ctxTimeout(t, time.Second), "sh", "-c", "echo partial; exec sleep 60")
	if err != nil || res.Reason != sandlock.ReasonTimeout || res.Success {
		t.Fatalf("Run = %s, %v", show(res), err)
	}
	if res.Stdout != nil && string(res.Stdout) != "partial\n" {
		t.Fatalf("partial output %q", res.Stdout)
	}
}

// withStdinNull points fd 0 at /dev/null for the duration of fn, so the
// cancellable RunInteractive path is taken even from a terminal.
func withStdinNull(t *testing.T, fn func()) {
	saved, err := syscall.Dup(0)
	if err != nil {
		t.Fatal(err)
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if err := syscall.Dup3(int(null.Fd()), 0, 0); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = syscall.Dup3(saved, 0, 0)
		syscall.Close(saved)
	}()
	fn()
}

func TestRunInteractive(t *testing.T) {
	requireLandlock(t)
	if code, err := base().RunInteractive(context.Background(), "sh", "-c", "exit 5"); code != 5 || err != nil {
		t.Fatalf("exit 5: %d, %v", code, err)
	}
	if code, err := base().RunInteractive(context.Background(), "sh", "-c", "kill -TERM $$"); code != -1 || err != nil {
		t.Fatalf("signal: %d, %v", code, err)
	}
	withStdinNull(t, func() {
		if code, err := base().RunInteractive(ctxTimeout(t, hangGuard), "sh", "-c", "exit 6"); code != 6 || err != nil {
			t.Fatalf("bounded exit 6: %d, %v", code, err)
		}
		code, err := base().RunInteractive(ctxTimeout(t, time.Second), "sleep", "60")
		if code != -1 || err != context.DeadlineExceeded {
			t.Fatalf("deadline: %d, %v", code, err)
		}
	})
}

// A Process must survive the exit of the OS thread of the goroutine that
// spawned it (the child's parent-death signal is tied to the creating
// thread; a goroutine that returns while locked terminates its thread).
func TestSpawnSurvivesExitOfLockedSpawningThread(t *testing.T) {
	requireLandlock(t)
	got := make(chan *sandlock.Process, 1)
	errc := make(chan error, 1)
	var spawn func()
	spawn = func() {
		runtime.LockOSThread() // not unlocked: the thread ends with the goroutine
		if syscall.Gettid() == os.Getpid() {
			// The main thread is never terminated; use another one.
			go spawn()
			return
		}
		p, err := base().Spawn("sh", "-c", "sleep 0.5; echo alive")
		if err != nil {
			errc <- err
			return
		}
		got <- p
	}
	go spawn()
	var p *sandlock.Process
	select {
	case err := <-errc:
		t.Fatal(err)
	case p = <-got:
	}
	r, err := p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Success || string(r.Stdout) != "alive\n" {
		t.Fatalf("child did not survive its spawning thread: %s", show(r))
	}
}
