//go:build linux && cgo

package sandlock_test

import (
	"context"
	"os/exec"
	"runtime"
	"testing"

	sandlock "github.com/multikernel/sandlock/go"
)

// Run /bin/true in a sandbox, against a bare exec of the same binary in
// the same process: the difference is the sandbox's launch overhead.
func BenchmarkRunTrue(b *testing.B) {
	requireLandlock(b)
	sb := base()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := sb.Run(ctx, "/bin/true")
		if err != nil || !res.Success {
			b.Fatalf("Run = %+v, %v", res, err)
		}
	}
}

// The policy of the C benchmark (bench/abi_bench.c): system directories
// readable, /tmp and /dev/null writable. base() also grants /proc, which
// routes every open through the supervisor (sensitive /proc entries are
// guarded), so it measures that path instead.
func BenchmarkRunTrueTypicalPolicy(b *testing.B) {
	requireLandlock(b)
	var read []string
	for _, p := range rootfs() {
		if p != "/proc" && p != "/dev" {
			read = append(read, p)
		}
	}
	sb := &sandlock.Sandbox{FSReadable: read, FSWritable: []string{"/tmp", "/dev/null"}}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := sb.Run(ctx, "/bin/true")
		if err != nil || !res.Success {
			b.Fatalf("Run = %+v, %v", res, err)
		}
	}
}

func BenchmarkExecTrue(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if err := exec.Command("/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

// Spawn+Wait from a process whose heap is small, then 1 GiB resident: a
// launcher that copies the parent's page tables (fork) slows down with the
// heap, one that shares the address space until exec does not.
func BenchmarkSpawnWaitSmallHeap(b *testing.B) { benchSpawnWait(b, 0) }

func BenchmarkSpawnWaitLargeHeap(b *testing.B) { benchSpawnWait(b, 1<<30) }

func benchSpawnWait(b *testing.B, heap int) {
	requireLandlock(b)
	ballast := make([]byte, heap)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1 // make every page resident
	}
	sb := base()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := sb.Spawn("/bin/true")
		if err != nil {
			b.Fatal(err)
		}
		if res, err := p.Wait(); err != nil || !res.Success {
			b.Fatalf("Wait = %+v, %v", res, err)
		}
	}
	b.StopTimer()
	runtime.KeepAlive(ballast)
}
