//go:build !linux || !cgo

package sandlock

// Where the native library cannot be used (another OS, or a build without
// cgo) the whole API still compiles and fails at run time with a clear
// error, instead of leaving callers with compile errors.

import (
	"context"
	"errors"
	"os"
)

var errUnsupportedPlatform = errors.New("sandlock: unsupported platform (needs Linux and cgo)")

// Process is a sandboxed process; on this platform none can be started.
type Process struct {
	Stdin  *os.File
	Stdout *os.File
	Stderr *os.File
}

// Run is unsupported on this platform.
func (s *Sandbox) Run(ctx context.Context, cmd ...string) (*Result, error) {
	return nil, errUnsupportedPlatform
}

// RunInteractive is unsupported on this platform.
func (s *Sandbox) RunInteractive(ctx context.Context, cmd ...string) (int, error) {
	return -1, errUnsupportedPlatform
}

// DryRun is unsupported on this platform.
func (s *Sandbox) DryRun(ctx context.Context, cmd ...string) (*DryRunResult, error) {
	return nil, errUnsupportedPlatform
}

// Spawn is unsupported on this platform.
func (s *Sandbox) Spawn(cmd ...string) (*Process, error) { return nil, errUnsupportedPlatform }

// Popen is unsupported on this platform.
func (s *Sandbox) Popen(stdio Stdio, cmd ...string) (*Process, error) {
	return nil, errUnsupportedPlatform
}

// Pid returns 0: no process exists on this platform.
func (p *Process) Pid() int { return 0 }

// Wait reports ErrNotRunning.
func (p *Process) Wait() (*Result, error) { return nil, ErrNotRunning }

// Pause reports ErrNotRunning.
func (p *Process) Pause() error { return ErrNotRunning }

// Resume reports ErrNotRunning.
func (p *Process) Resume() error { return ErrNotRunning }

// Kill has nothing to kill.
func (p *Process) Kill() error { return nil }

// Ports returns an empty map.
func (p *Process) Ports() (map[int]int, error) { return map[int]int{}, nil }

// Close has nothing to release.
func (p *Process) Close() error { return nil }

// RestrictNetwork is a no-op: no callback runs on this platform.
func (c *PolicyContext) RestrictNetwork(ips []string) error { return errUnsupportedPlatform }

// GrantNetwork is a no-op: no callback runs on this platform.
func (c *PolicyContext) GrantNetwork(ips []string) error { return errUnsupportedPlatform }

// RestrictMaxMemory is a no-op: no callback runs on this platform.
func (c *PolicyContext) RestrictMaxMemory(bytes uint64) {}

// RestrictMaxProcesses is a no-op: no callback runs on this platform.
func (c *PolicyContext) RestrictMaxProcesses(n uint32) {}

// RestrictPIDNetwork is a no-op: no callback runs on this platform.
func (c *PolicyContext) RestrictPIDNetwork(pid uint32, ips []string) error {
	return errUnsupportedPlatform
}

// DenyPath is a no-op: no callback runs on this platform.
func (c *PolicyContext) DenyPath(path string) error { return errUnsupportedPlatform }

// AllowPath is a no-op: no callback runs on this platform.
func (c *PolicyContext) AllowPath(path string) error { return errUnsupportedPlatform }

// Confine is unsupported on this platform.
func Confine(s *Sandbox) error { return errUnsupportedPlatform }

// LandlockABIVersion returns -1: Landlock is unavailable here.
func LandlockABIVersion() int { return -1 }

// MinLandlockABI returns the ABI the default policy needs on Linux.
func MinLandlockABI() int { return 6 }

// ProtectionMinABI returns the Landlock ABI protection p needs, or 0 for
// an unknown value.
func ProtectionMinABI(p Protection) int {
	if !p.known() {
		return 0
	}
	return [...]int{2, 3, 4, 5, 6, 6}[p]
}

// SyscallNr is unsupported on this platform.
func SyscallNr(name string) (int, error) { return -1, errUnsupportedPlatform }

// ReadString is unsupported on this platform.
func (n *SyscallNotif) ReadString(addr uint64, max int) (string, error) {
	return "", errUnsupportedPlatform
}

// ReadMemory is unsupported on this platform.
func (n *SyscallNotif) ReadMemory(addr uint64, buf []byte) (int, error) {
	return 0, errUnsupportedPlatform
}

// WriteMemory is unsupported on this platform.
func (n *SyscallNotif) WriteMemory(addr uint64, data []byte) error {
	return errUnsupportedPlatform
}
