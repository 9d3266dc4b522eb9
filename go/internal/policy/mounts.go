package policy

import (
	"fmt"
	"sort"
)

// MountOrder validates a virtual-path → host-path mount table and returns
// its keys sorted, so the native calls are issued in a stable order. Empty
// paths on either side are rejected: the library would ignore them.
func MountOrder(mounts map[string]string) ([]string, error) {
	keys := make([]string, 0, len(mounts))
	for virt, host := range mounts {
		if virt == "" || host == "" {
			return nil, fmt.Errorf("invalid FSMount entry %q -> %q: empty path", virt, host)
		}
		keys = append(keys, virt)
	}
	sort.Strings(keys)
	return keys, nil
}
