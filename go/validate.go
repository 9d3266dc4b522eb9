package sandlock

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/multikernel/sandlock/go/internal/policy"
)

// errEmptyCommand is returned by every launcher given no command.
var errEmptyCommand = errors.New("sandlock: empty command")

// plan is a Sandbox that passed every Go-side check, with its string
// fields parsed. All validation happens before a native builder exists:
// the C ABI has no way to discard a builder, and a failed check must not
// leave a policy callback registered.
type plan struct {
	s          *Sandbox
	maxMemory  uint64
	maxDisk    uint64
	timeStart  uint64
	mountOrder []string
	envOrder   []string
}

// checkArgv rejects an empty command or an argument with a NUL byte.
func checkArgv(cmd []string) error {
	if len(cmd) == 0 {
		return errEmptyCommand
	}
	for _, a := range cmd {
		if strings.IndexByte(a, 0) >= 0 {
			return ErrInvalidString
		}
	}
	return nil
}

// check validates the configuration and parses its string fields. A NUL
// byte anywhere yields ErrInvalidString itself, never wrapped.
func (s *Sandbox) check() (*plan, error) {
	if s.hasNUL() {
		return nil, ErrInvalidString
	}
	if (s.UID == nil) != (s.GID == nil) {
		return nil, errors.New("sandlock: UID and GID must both be set (or both unset)")
	}
	if s.UID != nil && (!validID(*s.UID) || !validID(*s.GID)) {
		return nil, fmt.Errorf("sandlock: UID %d / GID %d out of range", *s.UID, *s.GID)
	}
	for _, a := range []struct {
		name string
		v    BranchAction
	}{{"OnExit", s.OnExit}, {"OnError", s.OnError}} {
		if a.v > BranchActionKeep {
			return nil, fmt.Errorf("sandlock: invalid %s %d (want 0..3)", a.name, a.v)
		}
	}
	for _, list := range [][]Protection{s.AllowDegraded, s.Disable} {
		for _, p := range list {
			if !p.known() {
				return nil, fmt.Errorf("sandlock: unknown Protection %d", uint32(p))
			}
		}
	}
	// An empty path would name the current directory: refused, as the
	// C core refuses it at build.
	for _, l := range []struct {
		name  string
		paths []string
	}{{"FSReadable", s.FSReadable}, {"FSWritable", s.FSWritable}, {"FSDenied", s.FSDenied}} {
		for _, v := range l.paths {
			if v == "" {
				return nil, fmt.Errorf("sandlock: %s: empty path", l.name)
			}
		}
	}
	for i, h := range s.Handlers {
		switch {
		case h.Func == nil:
			return nil, fmt.Errorf("sandlock: Handlers[%d]: no Func", i)
		case len(h.Syscalls) == 0:
			return nil, fmt.Errorf("sandlock: Handlers[%d]: no Syscalls", i)
		case h.OnException > ExceptionDenyEIO:
			return nil, fmt.Errorf("sandlock: Handlers[%d]: invalid OnException %d (want 0..3)",
				i, h.OnException)
		}
	}
	for _, port := range s.HTTPPorts {
		if port < 1 || port > 65535 {
			return nil, fmt.Errorf("sandlock: invalid HTTPPorts entry %d (want 1..65535)", port)
		}
	}
	p := &plan{s: s}
	var err error
	if p.mountOrder, err = policy.MountOrder(s.FSMount); err != nil {
		return nil, fmt.Errorf("sandlock: %w", err)
	}
	if s.MaxMemory != "" {
		if p.maxMemory, err = policy.ParseMemory(s.MaxMemory); err != nil {
			return nil, fmt.Errorf("sandlock: MaxMemory: %w", err)
		}
	}
	if s.MaxDisk != "" {
		if p.maxDisk, err = policy.ParseMemory(s.MaxDisk); err != nil {
			return nil, fmt.Errorf("sandlock: MaxDisk: %w", err)
		}
	}
	if s.TimeStart != "" {
		if p.timeStart, err = policy.ParseTimeStart(s.TimeStart); err != nil {
			return nil, fmt.Errorf("sandlock: %w", err)
		}
	}
	p.envOrder = make([]string, 0, len(s.Env))
	for k := range s.Env {
		p.envOrder = append(p.envOrder, k)
	}
	sort.Strings(p.envOrder)
	return p, nil
}

// validID accepts a uid or gid the kernel can map: 0..2^32-2 (2^32-1 is
// the "no id" marker).
func validID(v int) bool { return v >= 0 && uint64(v) < math.MaxUint32 }

// hasNUL reports whether any string the configuration carries has a NUL.
func (s *Sandbox) hasNUL() bool {
	scalars := []string{s.Workdir, s.Cwd, s.Chroot, s.FSStorage, s.MaxMemory,
		s.MaxDisk, s.TimeStart, s.HTTPCAFile, s.HTTPKeyFile, s.Name}
	lists := [][]string{scalars, s.FSReadable, s.FSWritable, s.FSDenied,
		s.NetAllow, s.NetDeny, s.NetAllowBind, s.NetDenyBind, s.HTTPAllow,
		s.HTTPDeny, s.ExtraAllowSyscalls, s.ExtraDenySyscalls}
	for _, l := range lists {
		for _, v := range l {
			if strings.IndexByte(v, 0) >= 0 {
				return true
			}
		}
	}
	for _, h := range s.Handlers {
		lists = append(lists, h.Syscalls)
	}
	for _, l := range lists[len(lists)-len(s.Handlers):] {
		for _, v := range l {
			if strings.IndexByte(v, 0) >= 0 {
				return true
			}
		}
	}
	for _, m := range []map[string]string{s.FSMount, s.Env} {
		for k, v := range m {
			if strings.IndexByte(k, 0) >= 0 || strings.IndexByte(v, 0) >= 0 {
				return true
			}
		}
	}
	return false
}

// confineOffenders names the fields Confine cannot honour: it applies only
// filesystem grants (and protection opt-outs) to the current process, with
// no supervisor, no seccomp and no fork.
func (s *Sandbox) confineOffenders() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(len(s.FSDenied) > 0, "FSDenied")
	add(s.Workdir != "", "Workdir")
	add(s.Cwd != "", "Cwd")
	add(s.Chroot != "", "Chroot")
	add(len(s.FSMount) > 0, "FSMount")
	add(len(s.NetAllow) > 0, "NetAllow")
	add(len(s.NetDeny) > 0, "NetDeny")
	add(len(s.NetAllowBind) > 0, "NetAllowBind")
	add(len(s.NetDenyBind) > 0, "NetDenyBind")
	add(s.PortRemap, "PortRemap")
	add(len(s.HTTPAllow) > 0, "HTTPAllow")
	add(len(s.HTTPDeny) > 0, "HTTPDeny")
	add(len(s.HTTPPorts) > 0, "HTTPPorts")
	add(s.HTTPCAFile != "", "HTTPCAFile")
	add(s.HTTPKeyFile != "", "HTTPKeyFile")
	add(s.MaxMemory != "", "MaxMemory")
	add(s.MaxDisk != "", "MaxDisk")
	add(s.MaxProcesses != 0, "MaxProcesses")
	add(s.MaxCPU != 0, "MaxCPU")
	add(s.MaxOpenFiles != 0, "MaxOpenFiles")
	add(len(s.CPUCores) > 0, "CPUCores")
	add(s.NumCPUs != 0, "NumCPUs")
	add(s.GPUDevices != nil, "GPUDevices")
	add(len(s.ExtraAllowSyscalls) > 0, "ExtraAllowSyscalls")
	add(len(s.ExtraDenySyscalls) > 0, "ExtraDenySyscalls")
	add(s.RandomSeed != nil, "RandomSeed")
	add(s.TimeStart != "", "TimeStart")
	add(s.NoRandomizeMemory, "NoRandomizeMemory")
	add(s.NoHugePages, "NoHugePages")
	add(s.DeterministicDirs, "DeterministicDirs")
	add(s.CleanEnv, "CleanEnv")
	add(len(s.Env) > 0, "Env")
	add(s.UID != nil, "UID")
	add(s.GID != nil, "GID")
	add(s.NoCoredump, "NoCoredump")
	add(s.FSStorage != "", "FSStorage")
	add(s.OnExit != BranchActionDefault && s.OnExit != BranchActionCommit, "OnExit")
	add(s.OnError != BranchActionDefault && s.OnError != BranchActionAbort, "OnError")
	add(s.PolicyFn != nil, "PolicyFn")
	add(len(s.Handlers) > 0, "Handlers")
	return out
}

// confineError explains why Confine refuses a configuration, or is nil.
func (s *Sandbox) confineError() error {
	if off := s.confineOffenders(); len(off) > 0 {
		return fmt.Errorf("sandlock: confine failed: only FSReadable, FSWritable, "+
			"AllowDegraded and Disable apply to Confine; unsupported fields set: %s",
			strings.Join(off, ", "))
	}
	return nil
}
