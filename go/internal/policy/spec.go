// Package policy holds the pure parsers of the SDK: size strings, the
// virtual clock start, the port-mapping JSON and the mount table. Nothing
// here touches the kernel or cgo, so it is tested on any OS.
package policy

import (
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// sizePattern: a decimal number with an optional fraction, optional
// blanks, then at most one unit letter. Signs and two-letter units such as
// "KB" or "MiB" do not match.
var sizePattern = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?[ \t]*([KkMmGgTt]?)$`)

var unitShift = map[string]uint{"": 0, "k": 10, "m": 20, "g": 30, "t": 40}

// ParseMemory converts a human size ("512M", "1.5G", " 256m ", "1024") to
// bytes. Units are powers of 1024; a fractional value is truncated.
// Results that do not fit in 64 bits are rejected.
func ParseMemory(s string) (uint64, error) {
	bad := fmt.Errorf("invalid memory size: %q", s)
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, bad
	}
	shift := unitShift[strings.ToLower(m[3])]
	if m[2] == "" {
		// Integers are computed exactly, not through a float.
		n, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			return 0, bad
		}
		if hi, _ := bits.Mul64(n, 1<<shift); hi != 0 {
			return 0, bad
		}
		return n << shift, nil
	}
	f, err := strconv.ParseFloat(m[1]+m[2], 64)
	if err != nil {
		return 0, bad
	}
	v := math.Trunc(f * float64(uint64(1)<<shift))
	if v >= math.Ldexp(1, 64) {
		return 0, bad
	}
	return uint64(v), nil
}

// ParseTimeStart converts a virtual clock start to whole seconds since the
// Unix epoch. It accepts Unix seconds (fraction truncated) or an RFC 3339
// timestamp with an explicit offset. Negative, NaN, infinite, too large and
// pre-epoch values are rejected.
func ParseTimeStart(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(t, 64); err == nil || isRangeError(err) {
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 ||
			f >= math.Ldexp(1, 64) {
			return 0, fmt.Errorf("invalid time_start: %q", s)
		}
		return uint64(f), nil
	}
	ts, err := time.Parse(time.RFC3339, t)
	if err != nil {
		return 0, fmt.Errorf("invalid time_start: %q (want RFC3339 or unix seconds)", s)
	}
	if ts.Unix() < 0 {
		return 0, fmt.Errorf("invalid time_start: %q (before the Unix epoch)", s)
	}
	return uint64(ts.Unix()), nil
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
