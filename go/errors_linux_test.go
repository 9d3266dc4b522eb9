//go:build linux && cgo

package sandlock_test

// Launch failures come back as *sandlock.Error with the operation, the
// errno and the library's reason; nothing reaches the process's stderr.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"

	sandlock "github.com/multikernel/sandlock/go"
)

// silently runs f with fd 2 redirected and returns what was written there.
func silently(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(w.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	f()
	syscall.Dup2(saved, 2)
	syscall.Close(saved)
	w.Close()
	got, _ := io.ReadAll(r)
	r.Close()
	return string(got)
}

func TestCreateErrorCarriesTheReason(t *testing.T) {
	requireLandlock(t)
	sb := base()
	sb.FSReadable = append(sb.FSReadable, "/nonexistent-sandlock-go-grant")
	var p *sandlock.Process
	var err error
	printed := silently(t, func() { p, err = sb.Spawn("true") })
	if p != nil {
		p.Close()
		t.Fatal("Spawn succeeded with a missing grant")
	}
	var se *sandlock.Error
	if !errors.As(err, &se) || se.Op != "create" {
		t.Fatalf("err = %#v, want a *sandlock.Error of create", err)
	}
	if !errors.Is(err, fs.ErrNotExist) || se.Errno != syscall.ENOENT {
		t.Fatalf("errno %v does not say the path is missing", se.Errno)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "sandlock: failed to create sandbox: ") ||
		!strings.Contains(msg, "/nonexistent-sandlock-go-grant") ||
		strings.Contains(msg, "sandlock: sandlock") {
		t.Fatalf("message %q", msg)
	}
	if printed != "" {
		t.Fatalf("the library printed %q", printed)
	}
}

// A step of the child that fails is named, with its errno, for Run as well.
func TestRunSetupErrorNamesTheStep(t *testing.T) {
	requireLandlock(t)
	sb := base()
	sb.Cwd = "/nonexistent-sandlock-go-cwd"
	var err error
	printed := silently(t, func() { _, err = sb.Run(context.Background(), "true") })
	if err == nil || !errors.Is(err, syscall.ENOENT) ||
		err.Error() != "sandlock: failed to create sandbox: chdir: No such file or directory" {
		t.Fatalf("err = %v", err)
	}
	if printed != "" {
		t.Fatalf("the library printed %q", printed)
	}
}

func TestBuildErrorIsTyped(t *testing.T) {
	sb := base()
	sb.MaxCPU = 101
	_, err := sb.Run(context.Background(), "true")
	var se *sandlock.Error
	if !errors.As(err, &se) || se.Op != "build" || se.Errno == 0 ||
		err.Error() != "sandlock: "+se.Msg || !strings.Contains(se.Msg, "max_cpu") {
		t.Fatalf("err = %#v", err)
	}
}
