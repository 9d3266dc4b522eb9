// Package sandlock runs commands in lightweight Linux sandboxes built from
// Landlock, seccomp-bpf and seccomp user notification, through the C
// library of this repository (include/sandlock.h).
//
// A Sandbox is plain configuration. Each launch (Run, RunInteractive,
// DryRun, Spawn, Popen) and Confine builds a fresh native policy from it,
// uses it and frees it, so one *Sandbox may be used from many goroutines at
// once as long as nobody mutates it meanwhile.
//
// Build modes (see README.md): by default cgo compiles the C core from this
// repository's sources, so no separate native install is needed; the build
// tag sandlock_pkgconfig links an installed libsandlock found through
// pkg-config instead, and sandlock_repo links the shared library built in
// the repository's build/ directory.
//
// On systems other than Linux, or without cgo, the package still compiles;
// every launcher then returns an "unsupported platform" error.
package sandlock

import (
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// BranchAction is the disposition of the copy-on-write layer of Workdir
// when the sandbox ends.
type BranchAction uint8

// Branch actions. BranchActionDefault leaves the library's default in place
// (commit after success, abort after an error).
const (
	BranchActionDefault BranchAction = iota
	BranchActionCommit
	BranchActionAbort
	BranchActionKeep
)

// String names the action ("default", "commit", "abort", "keep").
func (a BranchAction) String() string {
	switch a {
	case BranchActionDefault:
		return "default"
	case BranchActionCommit:
		return "commit"
	case BranchActionAbort:
		return "abort"
	case BranchActionKeep:
		return "keep"
	}
	return "BranchAction(" + strconv.Itoa(int(a)) + ")"
}

// SyscallCategory groups the syscall events given to a PolicyFunc.
type SyscallCategory uint8

// Syscall categories, as reported by the library.
const (
	CategoryFile SyscallCategory = iota
	CategoryNetwork
	CategoryProcess
	CategoryMemory
)

// String gives "file", "network", "process", "memory", else "unknown".
func (c SyscallCategory) String() string {
	switch c {
	case CategoryFile:
		return "file"
	case CategoryNetwork:
		return "network"
	case CategoryProcess:
		return "process"
	case CategoryMemory:
		return "memory"
	}
	return "unknown"
}

// SyscallEvent describes one syscall the supervisor reports to a PolicyFunc.
// Every field is a Go copy: the event stays valid after the callback.
type SyscallEvent struct {
	Syscall   string
	Category  SyscallCategory
	PID       uint32
	ParentPID uint32 // 0 when unknown
	Host      string // destination IP as text, "" when absent
	Port      uint16 // 0 when absent
	Denied    bool   // the built-in checks already refused the call
	Argv      []string
}

// ArgvContains reports whether any argv element contains sub.
func (e SyscallEvent) ArgvContains(sub string) bool {
	for _, a := range e.Argv {
		if strings.Contains(a, sub) {
			return true
		}
	}
	return false
}

// PolicyDecision is the verdict of a PolicyFunc: DecisionAllow,
// DecisionDeny (EPERM), DecisionAudit (allow and flag), or a positive errno
// to deny with (see DenyWith). Any other negative value denies.
type PolicyDecision int32

// Decisions with a name.
const (
	DecisionAllow PolicyDecision = 0
	DecisionDeny  PolicyDecision = -1
	DecisionAudit PolicyDecision = -2
)

// Allow lets the syscall proceed.
func Allow() PolicyDecision { return DecisionAllow }

// Deny refuses the syscall with EPERM.
func Deny() PolicyDecision { return DecisionDeny }

// Audit lets the syscall proceed and flags it.
func Audit() PolicyDecision { return DecisionAudit }

// DenyWith refuses the syscall with errnoValue; a value ≤ 0 means EPERM.
func DenyWith(errnoValue int) PolicyDecision {
	if errnoValue <= 0 || errnoValue > 1<<31-1 {
		return DecisionDeny
	}
	return PolicyDecision(errnoValue)
}

// PolicyContext lets a PolicyFunc adjust the running sandbox. It is valid
// only during the callback that received it; afterwards every method is a
// harmless no-op.
type PolicyContext struct {
	mu  sync.Mutex
	ptr unsafe.Pointer // *C.sandlock_ctx_t, nil once the callback returned
}

// PolicyFunc decides on syscall events. It is called from a library thread,
// one event at a time per sandbox but concurrently with the rest of the
// program, so state it captures must be synchronised. A panic denies.
type PolicyFunc func(event SyscallEvent, ctx *PolicyContext) PolicyDecision

// Protection names a Landlock protection that AllowDegraded or Disable can
// relax.
type Protection uint32

// Protections, with the Landlock ABI each needs (see ProtectionMinABI).
const (
	ProtectionFSRefer                 Protection = 0 // ABI 2
	ProtectionFSTruncate              Protection = 1 // ABI 3
	ProtectionNetTCP                  Protection = 2 // ABI 4
	ProtectionFSIoctlDev              Protection = 3 // ABI 5
	ProtectionSignalScope             Protection = 4 // ABI 6
	ProtectionAbstractUnixSocketScope Protection = 5 // ABI 6
)

var protectionNames = [...]string{
	"fs-refer", "fs-truncate", "net-tcp", "fs-ioctl-dev",
	"signal-scope", "abstract-unix-socket-scope",
}

// String gives the CLI token of the protection ("fs-refer", ...).
func (p Protection) String() string {
	if int(p) < len(protectionNames) {
		return protectionNames[p]
	}
	return "Protection(" + strconv.Itoa(int(p)) + ")"
}

func (p Protection) known() bool { return int(p) < len(protectionNames) }

// Sandbox is the configuration of a sandbox. Every field is optional; the
// zero value means "no grant / library default" (there are no implicit
// filesystem grants: a command needs FSReadable entries for its binary and
// libraries).
type Sandbox struct {
	FSReadable []string // paths readable and executable
	FSWritable []string // paths readable and writable
	FSDenied   []string // carve-outs inside allowed trees

	Workdir string // copy-on-write root (required by DryRun)
	Cwd     string // working directory of the child
	Chroot  string // emulated chroot root

	// FSMount maps virtual paths inside Chroot to host directories.
	FSMount map[string]string

	AllowDegraded []Protection // enforced only where the kernel has them
	Disable       []Protection // never enforced (wins over AllowDegraded)

	NetAllow     []string // outbound allow rules ("host:port", ":53", CIDR, ...)
	NetDeny      []string // default-allow deny list (exclusive with NetAllow)
	NetAllowBind []string // TCP ports the child may bind ("8080", "3000-3010", "*")
	NetDenyBind  []string // default-allow bind, deny these ports
	PortRemap    bool     // per-sandbox virtual TCP ports (see Process.Ports)

	HTTPAllow   []string // "METHOD host/path" allow rules
	HTTPDeny    []string // deny rules, evaluated before the allows
	HTTPPorts   []int    // intercepted ports, 1..65535
	HTTPCAFile  string   // PEM CA certificate for HTTPS interception
	HTTPKeyFile string   // its PEM key

	MaxMemory    string   // memory cap, e.g. "512M"
	MaxDisk      string   // copy-on-write storage quota
	MaxProcesses uint32   // peak concurrent processes (0: library default)
	MaxCPU       uint8    // percent of one core, 1..100 (0: unthrottled)
	MaxOpenFiles uint32   // RLIMIT_NOFILE (0: inherit)
	CPUCores     []uint32 // CPU affinity
	NumCPUs      uint32   // CPU count shown to the child (0: real)
	GPUDevices   []uint32 // nil: no GPU; empty non-nil: every GPU

	ExtraAllowSyscalls []string // syscall groups to re-allow
	ExtraDenySyscalls  []string // syscall names or groups to deny

	RandomSeed        *uint64 // deterministic getrandom seed
	TimeStart         string  // virtual clock start: RFC 3339 or Unix seconds
	NoRandomizeMemory bool
	NoHugePages       bool
	DeterministicDirs bool

	CleanEnv bool              // start from an empty environment
	Env      map[string]string // variables to set

	UID        *int // run as this uid (requires GID)
	GID        *int // run as this gid (requires UID)
	NoCoredump bool

	FSStorage string       // directory for copy-on-write deltas
	OnExit    BranchAction // layer disposition after success
	OnError   BranchAction // layer disposition after an error

	Name string // sandbox name and virtual hostname ("" = automatic)

	PolicyFn PolicyFunc // dynamic syscall-event callback

	// Handlers decide syscalls themselves [EXT] (see Handler); Run and
	// RunInteractive only.
	Handlers []Handler
}

// ExitReason tells how a sandboxed process ended.
type ExitReason uint32

// Exit reasons.
const (
	ReasonExited   ExitReason = 0 // normal exit, see ExitCode
	ReasonSignaled ExitReason = 1 // killed by a signal other than SIGKILL
	ReasonKilled   ExitReason = 2 // SIGKILL (Kill, memory limit, cancellation)
	ReasonTimeout  ExitReason = 3 // a deadline enforced by sandlock
)

// String names the reason ("exited", "signaled", "killed", "timeout").
func (r ExitReason) String() string {
	switch r {
	case ReasonExited:
		return "exited"
	case ReasonSignaled:
		return "signaled"
	case ReasonKilled:
		return "killed"
	case ReasonTimeout:
		return "timeout"
	}
	return "ExitReason(" + strconv.Itoa(int(r)) + ")"
}

// ExitCause says what ended a sandbox beyond its ExitReason.
type ExitCause uint32

// Exit causes.
const (
	CauseNone        ExitCause = 0 // nothing beyond the reason
	CauseMemoryLimit ExitCause = 1 // MaxMemory killed a process of the sandbox
	CauseStatusLost  ExitCause = 2 // the exit status could not be obtained (Reason is ReasonKilled)
)

// String names the cause ("none", "memory_limit", "status_lost").
func (c ExitCause) String() string {
	switch c {
	case CauseNone:
		return "none"
	case CauseMemoryLimit:
		return "memory_limit"
	case CauseStatusLost:
		return "status_lost"
	}
	return "ExitCause(" + strconv.Itoa(int(c)) + ")"
}

// Result is the outcome of a sandboxed command. ExitCode and Signal are -1
// when they do not apply; Stdout and Stderr are nil when nothing was
// captured. Cause tells a memory-limit kill (Reason ReasonKilled, or the
// exit code of a top-level process that survived its child's kill) from
// others.
type Result struct {
	ExitCode int
	Reason   ExitReason
	Signal   int
	Success  bool
	Cause    ExitCause
	Stdout   []byte
	Stderr   []byte
}

// StdioMode wires one standard stream of a Popen'd process.
type StdioMode uint32

// Stdio modes.
const (
	StdioInherit StdioMode = 0 // share the Go process's stream
	StdioPiped   StdioMode = 1 // the caller gets the other end of a pipe
	StdioNull    StdioMode = 2 // /dev/null
)

// String names the mode ("inherit", "piped", "null").
func (m StdioMode) String() string {
	switch m {
	case StdioInherit:
		return "inherit"
	case StdioPiped:
		return "piped"
	case StdioNull:
		return "null"
	}
	return "StdioMode(" + strconv.Itoa(int(m)) + ")"
}

// Stdio selects the wiring of the three standard streams for Popen. The
// zero value inherits all three.
type Stdio struct {
	Stdin  StdioMode
	Stdout StdioMode
	Stderr StdioMode
}

// ChangeKind is the kind of one filesystem change reported by DryRun.
type ChangeKind byte

// Change kinds.
const (
	ChangeAdded    ChangeKind = 'A'
	ChangeModified ChangeKind = 'M'
	ChangeDeleted  ChangeKind = 'D'
)

// String names the kind ("added", "modified", "deleted").
func (k ChangeKind) String() string {
	switch k {
	case ChangeAdded:
		return "added"
	case ChangeModified:
		return "modified"
	case ChangeDeleted:
		return "deleted"
	}
	return "ChangeKind(" + strconv.Itoa(int(k)) + ")"
}

// Change is one path a dry run would have changed, relative to Workdir.
type Change struct {
	Kind ChangeKind
	Path string
}

// DryRunResult is the Result of a dry run plus the changes it discarded.
type DryRunResult struct {
	Result
	Changes []Change
}
