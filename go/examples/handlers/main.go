//go:build linux

// Command handlers shows the two ways a Go program takes part in a
// sandbox's decisions while it runs:
//
//   - a PolicyFn sees each exec (with its argv), open, connect and
//     process creation, and allows or refuses it; here it refuses any
//     exec whose arguments mention "/etc/shadow", and logs the others;
//
//   - Handlers decide syscalls themselves; here uname(2) reports the
//     sandbox's own host name, written into the child's memory, and
//     opening /virtual/motd yields a file served from Go.
//
//     go run ./examples/handlers                        # uname -n; cat /virtual/motd
//     go run ./examples/handlers sh -c 'cat /etc/shadow' # refused
package main

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	sandlock "github.com/multikernel/sandlock/go"
)

func main() {
	if have, need := sandlock.LandlockABIVersion(), sandlock.MinLandlockABI(); have < need {
		fmt.Fprintf(os.Stderr, "Landlock ABI %d is too old (need %d)\n", have, need)
		os.Exit(2)
	}
	var readable []string
	for _, p := range []string{"/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/dev"} {
		if _, err := os.Stat(p); err == nil {
			readable = append(readable, p)
		}
	}
	sb := &sandlock.Sandbox{
		FSReadable: readable,
		// Called from a library thread, one event at a time per sandbox.
		PolicyFn: func(ev sandlock.SyscallEvent, ctx *sandlock.PolicyContext) sandlock.PolicyDecision {
			if ev.Syscall != "execve" {
				return sandlock.Allow()
			}
			if ev.ArgvContains("/etc/shadow") {
				fmt.Fprintf(os.Stderr, "policy: refused %q\n", ev.Argv)
				return sandlock.DenyWith(int(syscall.EACCES))
			}
			fmt.Fprintf(os.Stderr, "policy: exec %q (pid %d)\n", ev.Argv, ev.PID)
			return sandlock.Allow()
		},
		Handlers: []sandlock.Handler{
			{Syscalls: []string{"uname"}, Func: uname, OnException: sandlock.ExceptionDenyEIO},
			{Syscalls: []string{"openat"}, Func: motd, OnException: sandlock.ExceptionDenyEIO},
		},
	}

	cmd := os.Args[1:]
	if len(cmd) == 0 {
		cmd = []string{"sh", "-c", "uname -n; cat /virtual/motd"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := sb.Run(ctx, cmd...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
	fmt.Printf("exit: %d\nstdout: %s\nstderr: %s\n", res.ExitCode, res.Stdout, res.Stderr)
}

// uname fills the child's struct utsname (six 65-byte fields) with the
// host's values but a nodename of its own.
func uname(n *sandlock.SyscallNotif) (sandlock.HandlerAction, error) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return sandlock.HandlerAction{}, err
	}
	buf := make([]byte, 6*65)
	for i, f := range [][65]int8{u.Sysname, u.Nodename, u.Release, u.Version, u.Machine, u.Domainname} {
		for k, c := range f {
			buf[i*65+k] = byte(c)
		}
	}
	nodename := buf[65:130]
	copy(nodename, make([]byte, len(nodename)))
	copy(nodename, "sandboxed")
	if err := n.WriteMemory(n.Args[0], buf); err != nil {
		return sandlock.HandlerAction{}, err
	}
	return sandlock.ActionReturn(0), nil
}

// motd serves /virtual/motd from memory; every other open goes on.
func motd(n *sandlock.SyscallNotif) (sandlock.HandlerAction, error) {
	path, err := n.ReadString(n.Args[1], 4096)
	if err != nil {
		return sandlock.HandlerAction{}, err
	}
	if path != "/virtual/motd" {
		return sandlock.ActionContinue(), nil
	}
	text := fmt.Sprintf("Served by pid %d for pid %d\n", os.Getpid(), n.PID)
	return sandlock.ActionInjectBytes([]byte(text), 0), nil
}
