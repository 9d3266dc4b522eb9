package policy

import (
	"encoding/json"
	"strconv"
)

// ParsePortMappings decodes the library's port-remapping JSON, an object
// whose keys are the ports the sandbox asked for (decimal strings) and
// whose values are the host ports bound, e.g. {"80":9001}. Keys that are
// not integers are skipped. The map is never nil on success.
func ParsePortMappings(text string) (map[int]int, error) {
	var raw map[string]int
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, err
	}
	out := make(map[int]int, len(raw))
	for k, v := range raw {
		if port, err := strconv.Atoi(k); err == nil {
			out[port] = v
		}
	}
	return out, nil
}
