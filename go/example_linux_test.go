//go:build linux && cgo

package sandlock_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	sandlock "github.com/multikernel/sandlock/go"
)

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
