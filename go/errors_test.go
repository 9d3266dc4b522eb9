package sandlock_test

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"

	sandlock "github.com/multikernel/sandlock/go"
)

// The text of each operation is the reference SDK's, with the reason
// after it when there is one.
func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		e    sandlock.Error
		want string
	}{
		{sandlock.Error{Op: "create"}, "sandlock: failed to create sandbox"},
		{sandlock.Error{Op: "create", Msg: "chdir: x"}, "sandlock: failed to create sandbox: chdir: x"},
		{sandlock.Error{Op: "start"}, "sandlock: failed to start sandbox"},
		{sandlock.Error{Op: "wait"}, "sandlock: wait failed"},
		{sandlock.Error{Op: "popen"}, "sandlock: popen failed"},
		{sandlock.Error{Op: "confine", Msg: "m"}, "sandlock: confine failed: m"},
		{sandlock.Error{Op: "build"}, "sandlock: failed to build sandbox policy"},
		{sandlock.Error{Op: "build", Msg: "max_cpu must be 1-100"}, "sandlock: max_cpu must be 1-100"},
		{sandlock.Error{Op: "dry run"}, "sandlock: dry run failed (Workdir is required; check that readable paths exist)"},
		{sandlock.Error{Op: "dry run", Msg: "m"}, "sandlock: dry run failed: m"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
}

func TestErrorUnwrapsToErrno(t *testing.T) {
	err := error(&sandlock.Error{Op: "create", Errno: syscall.EACCES})
	if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, syscall.EACCES) {
		t.Fatal("errno not seen through the error")
	}
	if errors.Unwrap(&sandlock.Error{Op: "create"}) != nil {
		t.Fatal("no errno must unwrap to nil")
	}
}
