// Command basic runs one command in a sandbox: the system directories
// read-only, /tmp writable, 256 MiB of memory, at most 10 seconds.
//
//	go run ./examples/basic                   # echo hello from sandlock
//	go run ./examples/basic sh -c 'id; ls /'  # any command
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	sandlock "github.com/multikernel/sandlock/go"
)

func main() {
	if have, need := sandlock.LandlockABIVersion(), sandlock.MinLandlockABI(); have < need {
		fmt.Fprintf(os.Stderr, "Landlock ABI %d is too old (need %d)\n", have, need)
		os.Exit(2)
	}

	// Grant only the system directories that exist here: a missing grant
	// path fails the launch (/lib64, for one, is absent on arm64).
	var readable []string
	for _, p := range []string{"/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/dev"} {
		if _, err := os.Stat(p); err == nil {
			readable = append(readable, p)
		}
	}
	sb := &sandlock.Sandbox{
		FSReadable: readable,
		FSWritable: []string{"/tmp"},
		MaxMemory:  "256M",
	}

	cmd := os.Args[1:]
	if len(cmd) == 0 {
		cmd = []string{"echo", "hello from sandlock"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := sb.Run(ctx, cmd...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
	fmt.Printf("exit: %d (%s)\nsuccess: %v\nstdout: %s\nstderr: %s\n",
		res.ExitCode, res.Reason, res.Success, res.Stdout, res.Stderr)
	if !res.Success {
		os.Exit(1)
	}
}
