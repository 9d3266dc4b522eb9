package sandlock_test

import (
	"context"
	"os"

	sandlock "github.com/multikernel/sandlock/go"
)

// The exact public signatures of the reference SDK (docs/go.md §2.1): code
// written against it must keep compiling, on every platform.
var (
	_ func(*sandlock.Sandbox, context.Context, ...string) (*sandlock.Result, error)       = (*sandlock.Sandbox).Run
	_ func(*sandlock.Sandbox, context.Context, ...string) (int, error)                    = (*sandlock.Sandbox).RunInteractive
	_ func(*sandlock.Sandbox, context.Context, ...string) (*sandlock.DryRunResult, error) = (*sandlock.Sandbox).DryRun
	_ func(*sandlock.Sandbox, ...string) (*sandlock.Process, error)                       = (*sandlock.Sandbox).Spawn
	_ func(*sandlock.Sandbox, sandlock.Stdio, ...string) (*sandlock.Process, error)       = (*sandlock.Sandbox).Popen

	_ func(*sandlock.Process) int                       = (*sandlock.Process).Pid
	_ func(*sandlock.Process) (*sandlock.Result, error) = (*sandlock.Process).Wait
	_ func(*sandlock.Process) error                     = (*sandlock.Process).Pause
	_ func(*sandlock.Process) error                     = (*sandlock.Process).Resume
	_ func(*sandlock.Process) error                     = (*sandlock.Process).Kill
	_ func(*sandlock.Process) (map[int]int, error)      = (*sandlock.Process).Ports
	_ func(*sandlock.Process) error                     = (*sandlock.Process).Close
	_                                                   = sandlock.Process{Stdin: (*os.File)(nil), Stdout: nil, Stderr: nil}

	_ func(*sandlock.PolicyContext, []string) error         = (*sandlock.PolicyContext).RestrictNetwork
	_ func(*sandlock.PolicyContext, []string) error         = (*sandlock.PolicyContext).GrantNetwork
	_ func(*sandlock.PolicyContext, uint64)                 = (*sandlock.PolicyContext).RestrictMaxMemory
	_ func(*sandlock.PolicyContext, uint32)                 = (*sandlock.PolicyContext).RestrictMaxProcesses
	_ func(*sandlock.PolicyContext, uint32, []string) error = (*sandlock.PolicyContext).RestrictPIDNetwork
	_ func(*sandlock.PolicyContext, string) error           = (*sandlock.PolicyContext).DenyPath
	_ func(*sandlock.PolicyContext, string) error           = (*sandlock.PolicyContext).AllowPath

	_ func(*sandlock.Sandbox) error            = sandlock.Confine
	_ func() int                               = sandlock.LandlockABIVersion
	_ func() int                               = sandlock.MinLandlockABI
	_ func(sandlock.Protection) int            = sandlock.ProtectionMinABI
	_ func(string) (int, error)                = sandlock.SyscallNr
	_ func(sandlock.SyscallCategory) string    = sandlock.SyscallCategory.String
	_ func(sandlock.SyscallEvent, string) bool = sandlock.SyscallEvent.ArgvContains
	_ func(int) sandlock.PolicyDecision        = sandlock.DenyWith
	_ sandlock.PolicyFunc                      = func(sandlock.SyscallEvent, *sandlock.PolicyContext) sandlock.PolicyDecision { return sandlock.Allow() }
	_                                          = sandlock.DryRunResult{Result: sandlock.Result{}, Changes: []sandlock.Change{{Kind: sandlock.ChangeAdded, Path: ""}}}
)
