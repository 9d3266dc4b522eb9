//go:build linux && cgo

package sandlock_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	sandlock "github.com/multikernel/sandlock/go"
)

// Run starts a command, waits for it and returns its output and exit
// status. The command reads its input from a directory granted readable;
// writing there is refused.
func ExampleSandbox_Run() {
	dir, _ := os.MkdirTemp("", "sandlock-example")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "note"), []byte("hello from the host\n"), 0o644)

	sb := &sandlock.Sandbox{
		FSReadable: append(rootfs(), dir), // the system directories and dir
		Cwd:        dir,
	}
	res, err := sb.Run(context.Background(), "sh", "-c", "cat note; touch new")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Stdout))
	fmt.Println("exit code:", res.ExitCode)
	// Output:
	// hello from the host
	// exit code: 1
}

// Spawn starts a command and returns at once; Wait collects its result and
// the output it wrote meanwhile.
func ExampleSandbox_Spawn() {
	sb := &sandlock.Sandbox{FSReadable: rootfs()}
	p, err := sb.Spawn("sh", "-c", "echo working; exit 7")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("started:", p.Pid() > 0)
	res, err := p.Wait()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Stdout))
	fmt.Println(res.Reason, res.ExitCode)
	// Output:
	// started: true
	// working
	// exited 7
}

// Popen wires each standard stream separately. Here the caller talks to
// the process through its stdin and stdout, one line at a time.
func ExampleSandbox_Popen() {
	sb := &sandlock.Sandbox{FSReadable: rootfs()}
	p, err := sb.Popen(sandlock.Stdio{
		Stdin:  sandlock.StdioPiped,
		Stdout: sandlock.StdioPiped,
		Stderr: sandlock.StdioNull,
	}, "sh", "-c", `while read -r word; do echo "got $word"; done`)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	answers := bufio.NewReader(p.Stdout)
	for _, word := range []string{"ping", "pong"} {
		fmt.Fprintln(p.Stdin, word)
		line, err := answers.ReadString('\n')
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(line)
	}
	res, err := p.Wait() // closes Stdin: the loop sees EOF and ends
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("exit code:", res.ExitCode)
	// Output:
	// got ping
	// got pong
	// exit code: 0
}

// Confine restricts the calling process itself, irreversibly: afterwards
// it reads only the granted directories and writes nowhere. So that the
// test process stays free, this example runs in a child copy of the test
// binary (inExampleChild).
func ExampleConfine() {
	if !inExampleChild("ExampleConfine") {
		return
	}
	err := sandlock.Confine(&sandlock.Sandbox{FSReadable: rootfs()})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = os.ReadFile("/etc/passwd")
	fmt.Println("read granted:", err == nil)
	f, err := os.CreateTemp("", "sandlock-example")
	if err == nil { // not confined: clean up
		f.Close()
		os.Remove(f.Name())
	}
	fmt.Println("write refused:", errors.Is(err, fs.ErrPermission))
	// Output:
	// read granted: true
	// write refused: true
}

// A string with a NUL byte cannot reach the C library: the launch fails
// before anything starts, with the sentinel ErrInvalidString.
func ExampleErrInvalidString() {
	sb := &sandlock.Sandbox{FSReadable: rootfs()}
	_, err := sb.Run(context.Background(), "echo", "a\x00b")
	fmt.Println(errors.Is(err, sandlock.ErrInvalidString))
	// Output:
	// true
}

// A Handler answers trapped syscalls from Go. This one serves a file that
// exists nowhere on disk: an open of /virtual/motd returns a memory file
// holding the text; every other open goes on to the kernel, where the
// sandbox's grants apply as usual.
func ExampleHandler() {
	motd := sandlock.Handler{
		Syscalls:    []string{"openat"},
		OnException: sandlock.ExceptionDenyEIO,
		Func: func(n *sandlock.SyscallNotif) (sandlock.HandlerAction, error) {
			path, err := n.ReadString(n.Args[1], 4096) // openat(dirfd, path, ...)
			if err != nil {
				return sandlock.HandlerAction{}, err
			}
			if path != "/virtual/motd" {
				return sandlock.ActionContinue(), nil
			}
			return sandlock.ActionInjectBytes([]byte("served from Go\n"), 0), nil
		},
	}
	sb := &sandlock.Sandbox{FSReadable: rootfs(), Handlers: []sandlock.Handler{motd}}
	res, err := sb.Run(context.Background(), "cat", "/virtual/motd")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Stdout))
	// Output:
	// served from Go
}

// exampleChildEnv names the example a re-executed test binary runs.
const exampleChildEnv = "SANDLOCK_GO_EXAMPLE_CHILD"

// A child started by inExampleChild runs its example before the testing
// framework starts, so its output reaches the parent unfiltered, and
// exits.
func init() {
	switch os.Getenv(exampleChildEnv) {
	case "":
	case "ExampleConfine":
		ExampleConfine()
		os.Exit(0)
	default:
		fmt.Fprintln(os.Stderr, "unknown example", os.Getenv(exampleChildEnv))
		os.Exit(2)
	}
}

// inExampleChild reports whether this process is the child that runs
// example name. In the test process it re-executes the test binary for
// name, prints what the child printed, and reports false.
func inExampleChild(name string) bool {
	if os.Getenv(exampleChildEnv) == name {
		return true
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), exampleChildEnv+"="+name)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	fmt.Print(string(out))
	if err != nil {
		fmt.Println(name, "child:", err)
	}
	return false
}

// A policy callback sees every exec with its argv, and decides.
func ExampleSandbox_policyFn() {
	sb := &sandlock.Sandbox{
		FSReadable: rootfs(),
		PolicyFn: func(ev sandlock.SyscallEvent, _ *sandlock.PolicyContext) sandlock.PolicyDecision {
			if ev.Syscall == "execve" && len(ev.Argv) > 0 && ev.Argv[0] == "/bin/date" {
				return sandlock.Deny()
			}
			return sandlock.Allow()
		},
	}
	res, err := sb.Run(context.Background(), "sh", "-c", "echo start; /bin/date || echo date refused")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Stdout))
	// Output:
	// start
	// date refused
}

// The context changes the running sandbox: from the first exec of cat on,
// the file is denied, by this name and by any other.
func ExamplePolicyContext_DenyPath() {
	dir, _ := os.MkdirTemp("", "sandlock-example")
	defer os.RemoveAll(dir)
	secret := filepath.Join(dir, "secret")
	_ = os.WriteFile(secret, []byte("s3cret\n"), 0o644)
	_ = os.Link(secret, filepath.Join(dir, "alias"))

	sb := &sandlock.Sandbox{
		FSReadable: append(rootfs(), dir),
		Cwd:        dir,
		PolicyFn: func(ev sandlock.SyscallEvent, ctx *sandlock.PolicyContext) sandlock.PolicyDecision {
			if ev.Syscall == "execve" && len(ev.Argv) > 0 && ev.Argv[0] == "cat" {
				_ = ctx.DenyPath(secret)
			}
			return sandlock.Allow()
		},
	}
	// No 2>/dev/null: /dev is only readable here, so the redirection would
	// fail by itself. cat's complaints end up in res.Stderr.
	res, err := sb.Run(context.Background(), "sh", "-c",
		"cat alias || echo alias refused; cat secret || echo secret refused")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(res.Stdout))
	// Output:
	// alias refused
	// secret refused
}
