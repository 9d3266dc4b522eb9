//go:build linux && cgo && sandlock_pkgconfig && !sandlock_repo

package sandlock

// Build tag sandlock_pkgconfig: link an installed libsandlock found through
// pkg-config (make install puts sandlock.pc in $(PREFIX)/lib/pkgconfig; set
// PKG_CONFIG_PATH for a non-standard prefix).

// #cgo pkg-config: sandlock
import "C"
