package sandlock

import (
	"errors"
	"strings"
	"testing"
)

func intp(v int) *int { return &v }

// Go-side validation: every [WEAK] silent-loss case fails closed before
// anything native happens (docs/go.md 6.2 item 9).
func TestCheckRejectsInvalidFields(t *testing.T) {
	cases := []struct {
		name string
		s    Sandbox
		want string
	}{
		{"uid without gid", Sandbox{UID: intp(1000)}, "UID and GID must both be set"},
		{"gid without uid", Sandbox{GID: intp(1000)}, "UID and GID must both be set"},
		{"negative uid", Sandbox{UID: intp(-1), GID: intp(0)}, "out of range"},
		{"negative gid", Sandbox{UID: intp(0), GID: intp(-5)}, "out of range"},
		{"uid 2^31-1", Sandbox{UID: intp(1<<31 - 1), GID: intp(0)}, ""},
		{"on_exit 4", Sandbox{OnExit: 4}, "invalid OnExit 4"},
		{"on_error 9", Sandbox{OnError: 9}, "invalid OnError 9"},
		{"unknown degraded", Sandbox{AllowDegraded: []Protection{6}}, "unknown Protection 6"},
		{"unknown disable", Sandbox{Disable: []Protection{99}}, "unknown Protection 99"},
		{"empty mount key", Sandbox{FSMount: map[string]string{"": "/srv"}}, "empty path"},
		{"empty mount value", Sandbox{FSMount: map[string]string{"/data": ""}}, "empty path"},
		{"empty readable path", Sandbox{FSReadable: []string{"/usr", ""}}, "sandlock: FSReadable: empty path"},
		{"empty writable path", Sandbox{FSWritable: []string{""}}, "sandlock: FSWritable: empty path"},
		{"empty denied path", Sandbox{FSDenied: []string{""}}, "sandlock: FSDenied: empty path"},
		{"http port 0", Sandbox{HTTPPorts: []int{0}}, "invalid HTTPPorts entry 0"},
		{"http port 70000", Sandbox{HTTPPorts: []int{80, 70000}}, "invalid HTTPPorts entry 70000"},
		{"http port negative", Sandbox{HTTPPorts: []int{-80}}, "invalid HTTPPorts entry -80"},
		{"bad memory", Sandbox{MaxMemory: "10X"}, `sandlock: MaxMemory: invalid memory size: "10X"`},
		{"memory overflow", Sandbox{MaxMemory: "99999999999T"}, "invalid memory size"},
		{"bad disk", Sandbox{MaxDisk: "1MiB"}, `sandlock: MaxDisk: invalid memory size: "1MiB"`},
		{"time NaN", Sandbox{TimeStart: "NaN"}, `sandlock: invalid time_start: "NaN"`},
		{"time pre-epoch", Sandbox{TimeStart: "1960-01-01T00:00:00Z"}, "invalid time_start"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.s.check()
			if c.want == "" {
				if err != nil {
					t.Fatalf("check() = %v, want success", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("check() = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestCheckNULIsSentinel(t *testing.T) {
	for _, s := range []Sandbox{
		{FSReadable: []string{"/usr", "/b\x00"}},
		{Workdir: "a\x00"},
		{Name: "x\x00y"},
		{Env: map[string]string{"K\x00": "v"}},
		{Env: map[string]string{"K": "v\x00"}},
		{FSMount: map[string]string{"/v\x00": "/h"}},
		{ExtraDenySyscalls: []string{"\x00"}},
		{HTTPCAFile: "\x00"},
	} {
		if _, err := s.check(); err != ErrInvalidString {
			t.Errorf("check(%+v) = %v, want ErrInvalidString itself", s, err)
		}
	}
	if err := checkArgv([]string{"echo", "a\x00b"}); err != ErrInvalidString {
		t.Errorf("checkArgv = %v, want ErrInvalidString", err)
	}
	if err := checkArgv(nil); err == nil || err.Error() != "sandlock: empty command" {
		t.Errorf("checkArgv(nil) = %v", err)
	}
}

func TestCheckParsesAndOrders(t *testing.T) {
	s := Sandbox{MaxMemory: "1.5G", MaxDisk: "2T", TimeStart: "2000-01-01T00:00:00Z",
		FSMount: map[string]string{"/b": "/x", "/a": "/y"},
		Env:     map[string]string{"Z": "1", "A": "2"}}
	p, err := s.check()
	if err != nil {
		t.Fatal(err)
	}
	if p.maxMemory != 1610612736 || p.maxDisk != 2<<40 || p.timeStart != 946684800 {
		t.Errorf("parsed %d %d %d", p.maxMemory, p.maxDisk, p.timeStart)
	}
	if strings.Join(p.mountOrder, ",") != "/a,/b" || strings.Join(p.envOrder, ",") != "A,Z" {
		t.Errorf("orders %v %v", p.mountOrder, p.envOrder)
	}
}

func TestConfineOffendersNamesFields(t *testing.T) {
	if off := (&Sandbox{FSReadable: []string{"/usr"}, FSWritable: []string{"/tmp"},
		AllowDegraded: []Protection{ProtectionNetTCP}, OnExit: BranchActionCommit,
		OnError: BranchActionAbort}).confineOffenders(); len(off) != 0 {
		t.Fatalf("paths-only sandbox has offenders %v", off)
	}
	s := &Sandbox{MaxMemory: "256M", Env: map[string]string{"A": "b"}, GPUDevices: []uint32{},
		OnError: BranchActionKeep, PolicyFn: func(SyscallEvent, *PolicyContext) PolicyDecision { return Allow() }}
	err := s.confineError()
	if err == nil {
		t.Fatal("confineError accepted MaxMemory")
	}
	for _, name := range []string{"confine", "MaxMemory", "Env", "GPUDevices", "OnError", "PolicyFn"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestStringMethods(t *testing.T) {
	checks := map[string]string{
		CategoryNetwork.String():                   "network",
		SyscallCategory(9).String():                "unknown",
		ReasonTimeout.String():                     "timeout",
		ExitReason(7).String():                     "ExitReason(7)",
		StdioPiped.String():                        "piped",
		ProtectionAbstractUnixSocketScope.String(): "abstract-unix-socket-scope",
		Protection(6).String():                     "Protection(6)",
		BranchActionKeep.String():                  "keep",
		ChangeDeleted.String():                     "deleted",
	}
	for got, want := range checks {
		if got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestDenyWith(t *testing.T) {
	if DenyWith(13) != PolicyDecision(13) || DenyWith(0) != DecisionDeny ||
		DenyWith(-13) != DecisionDeny || DenyWith(1<<40) != DecisionDeny {
		t.Fatal("DenyWith mapping")
	}
	if !errors.Is(ErrNotRunning, ErrNotRunning) {
		t.Fatal("sentinel identity")
	}
}
