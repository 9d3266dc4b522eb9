//go:build linux && cgo

package sandlock

import (
	"strings"
	"testing"
)

// The fail-closed wrapper: a panicking PolicyFunc denies.
func TestCallPolicyPanicDenies(t *testing.T) {
	d := callPolicy(func(SyscallEvent, *PolicyContext) PolicyDecision { panic("boom") },
		SyscallEvent{Syscall: "execve"}, &PolicyContext{})
	if d != DecisionDeny {
		t.Fatalf("panicking callback gave %d, want deny", d)
	}
	d = callPolicy(func(SyscallEvent, *PolicyContext) PolicyDecision { return DenyWith(13) },
		SyscallEvent{}, &PolicyContext{})
	if d != 13 {
		t.Fatalf("DenyWith(13) routed as %d", d)
	}
}

// A context whose callback returned (ptr cleared) or a nil one is a no-op,
// while input validation still reports errors.
func TestPolicyContextAfterReturn(t *testing.T) {
	for _, c := range []*PolicyContext{nil, {}} {
		if err := c.RestrictNetwork([]string{"10.0.0.1", "::1"}); err != nil {
			t.Errorf("RestrictNetwork on a dead context: %v", err)
		}
		c.RestrictMaxMemory(1 << 20)
		c.RestrictMaxProcesses(4)
		if err := c.DenyPath("/etc"); err != nil {
			t.Errorf("DenyPath: %v", err)
		}
		if err := c.GrantNetwork([]string{"bad"}); err == nil || !strings.Contains(err.Error(), `invalid IP address "bad"`) {
			t.Errorf("GrantNetwork(bad) = %v", err)
		}
		if err := c.RestrictPIDNetwork(1, []string{"1.2.3.4\x00"}); err != ErrInvalidString {
			t.Errorf("RestrictPIDNetwork(NUL) = %v", err)
		}
		if err := c.AllowPath("/a\x00"); err != ErrInvalidString {
			t.Errorf("AllowPath(NUL) = %v", err)
		}
	}
}
