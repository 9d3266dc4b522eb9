//go:build linux && cgo

package sandlock

// Test-only views of internal state for the external test package.

// RegisteredPolicyFns counts the policy callbacks still registered.
func RegisteredPolicyFns() int { return registeredPolicyFns() }

// WaitInFlight reports whether a Wait currently owns the handle.
func (p *Process) WaitInFlight() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waiting
}

// RegisteredHandlers counts the custom handlers still registered.
func RegisteredHandlers() int { return registeredHandlers() }
