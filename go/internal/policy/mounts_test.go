package policy

import (
	"reflect"
	"testing"
)

func TestMountOrder(t *testing.T) {
	keys, err := MountOrder(map[string]string{"/b": "/srv/b", "/a": "/srv/a", "/c": "/srv/c"})
	if err != nil || !reflect.DeepEqual(keys, []string{"/a", "/b", "/c"}) {
		t.Fatalf("MountOrder = %v, %v", keys, err)
	}
	if keys, err := MountOrder(nil); err != nil || len(keys) != 0 {
		t.Fatalf("MountOrder(nil) = %v, %v", keys, err)
	}
	for _, m := range []map[string]string{{"": "/srv"}, {"/data": ""}} {
		if _, err := MountOrder(m); err == nil {
			t.Errorf("MountOrder(%v) accepted an empty path", m)
		}
	}
}
