package policy

import (
	"reflect"
	"testing"
)

func TestParsePortMappings(t *testing.T) {
	cases := []struct {
		in   string
		want map[int]int
	}{
		{`{"80":9001}`, map[int]int{80: 9001}},
		{`{"80":9001,"443":9002}`, map[int]int{80: 9001, 443: 9002}},
		{`{}`, map[int]int{}},
		{`{"x":1,"8080":40000}`, map[int]int{8080: 40000}},
	}
	for _, c := range cases {
		got, err := ParsePortMappings(c.in)
		if err != nil || got == nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParsePortMappings(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{``, `{`, `[]`, `{"80":"x"}`, `null x`} {
		if got, err := ParsePortMappings(in); err == nil {
			t.Errorf("ParsePortMappings(%q) = %v, want an error", in, got)
		}
	}
}
