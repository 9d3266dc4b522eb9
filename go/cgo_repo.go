//go:build linux && cgo && sandlock_repo

package sandlock

// Build tag sandlock_repo: link the shared library built in this
// repository's build/ directory (make lib), with an rpath to it. Used to
// test the SDK against exactly what the C build produced.

// #cgo CFLAGS: -I${SRCDIR}/../include
// #cgo LDFLAGS: -L${SRCDIR}/../build -Wl,-rpath,${SRCDIR}/../build -lsandlock -lseccomp -lpthread
import "C"
