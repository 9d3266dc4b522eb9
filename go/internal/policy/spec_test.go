package policy

import (
	"strings"
	"testing"
)

// U1 and U2 are the test plan of docs/go.md 5.

// U1: the size grammar, including the reference's permissive forms.
func TestParseMemory(t *testing.T) {
	ok := []struct {
		in   string
		want uint64
	}{
		{"1024", 1024},
		{"512M", 512 << 20},
		{"1G", 1 << 30},
		{"100K", 100 << 10},
		{"2T", 2 << 40},
		{"1g", 1 << 30},
		{" 256M ", 256 << 20},
		{"1.5G", 1610612736},
		{"0", 0},
		{"10 k", 10 << 10},
		{"0.5K", 512},
		{"1.9", 1},
		{"16777215T", 16777215 << 40},
		{"18446744073709551615", 1<<64 - 1},
	}
	for _, c := range ok {
		got, err := ParseMemory(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []string{
		"", "   ", "abc", "10X", "KB", "1KB", "1MiB", "-1", "+1", "-1M",
		"1.", ".5G", "1..5", "1 2", "NaN", "Inf", "1e3",
		// 2^64 and beyond: overflow is rejected, never wrapped.
		"16777216T", "99999999999T", "18446744073709551616", "17179869184.0G",
		"99999999999999999999999",
	}
	for _, in := range bad {
		got, err := ParseMemory(in)
		if err == nil {
			t.Errorf("ParseMemory(%q) = %d, want an error", in, got)
			continue
		}
		if want := "invalid memory size: "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseMemory(%q) error %q lacks %q", in, err, want)
		}
	}
}

// U2: Unix seconds or RFC 3339; the [WEAK] inputs are rejected.
func TestParseTimeStart(t *testing.T) {
	ok := []struct {
		in   string
		want uint64
	}{
		{"0", 0},
		{"946684800", 946684800},
		{"2000-01-01T00:00:00Z", 946684800},
		{" 946684800.9 ", 946684800},
		{"2000-01-01T02:00:00+02:00", 946684800},
		{"2000-01-01T00:00:00.75Z", 946684800},
		{"1970-01-01T00:00:00Z", 0},
	}
	for _, c := range ok {
		got, err := ParseTimeStart(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseTimeStart(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []string{
		"", "not-a-time", "-5", "-0.5", "NaN", "nan", "Inf", "+Inf", "-Inf",
		"infinity", "1e400", "18446744073709551616", "1e20",
		"1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
		"2000-01-01T00:00:00", "2000-01-01", "2000-01-01 00:00:00Z",
	}
	for _, in := range bad {
		got, err := ParseTimeStart(in)
		if err == nil {
			t.Errorf("ParseTimeStart(%q) = %d, want an error", in, got)
			continue
		}
		if want := "invalid time_start: "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseTimeStart(%q) error %q lacks %q", in, err, want)
		}
	}
	_, err := ParseTimeStart("not-a-time")
	if want := `invalid time_start: "not-a-time" (want RFC3339 or unix seconds)`; err == nil || err.Error() != want {
		t.Errorf("error text %v, want %q", err, want)
	}
	_, err = ParseTimeStart("-5")
	if want := `invalid time_start: "-5"`; err == nil || err.Error() != want {
		t.Errorf("error text %v, want %q", err, want)
	}
}
