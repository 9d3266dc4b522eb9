//go:build !linux || !cgo

package sandlock_test

import (
	"context"
	"strings"
	"testing"

	sandlock "github.com/multikernel/sandlock/go"
)

// Without the native library every launcher fails clearly at run time.
func TestStubsReportUnsupportedPlatform(t *testing.T) {
	sb := &sandlock.Sandbox{}
	_, runErr := sb.Run(context.Background(), "true")
	_, spawnErr := sb.Spawn("true")
	_, popenErr := sb.Popen(sandlock.Stdio{}, "true")
	for _, err := range []error{runErr, spawnErr, popenErr, sandlock.Confine(sb)} {
		if err == nil || !strings.Contains(err.Error(), "unsupported platform") {
			t.Fatalf("err = %v, want an unsupported-platform error", err)
		}
	}
	if sandlock.LandlockABIVersion() != -1 || sandlock.ProtectionMinABI(sandlock.ProtectionNetTCP) != 4 {
		t.Fatal("platform queries")
	}
}
