//go:build linux && cgo

package sandlock

// Copying native results into Go values.

/*
#include "sandlock_ext.h"
*/
import "C"

import "unsafe"

// goBytes copies a borrowed C buffer; nil for NULL or empty.
func goBytes(p *C.uint8_t, n C.uintptr_t) []byte {
	if p == nil || n == 0 {
		return nil
	}
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))...)
}

// convertResult copies a native result (which the caller still frees).
func convertResult(r *C.sandlock_result_t) *Result {
	var outLen, errLen C.uintptr_t
	out := C.sandlock_result_stdout_bytes(r, &outLen)
	errOut := C.sandlock_result_stderr_bytes(r, &errLen)
	return &Result{
		ExitCode: int(C.sandlock_result_exit_code(r)),
		Reason:   ExitReason(C.sandlock_result_reason(r)),
		Signal:   int(C.sandlock_result_signal(r)),
		Success:  bool(C.sandlock_result_success(r)),
		Cause:    ExitCause(C.sandlock_result_cause(r)),
		Stdout:   goBytes(out, outLen),
		Stderr:   goBytes(errOut, errLen),
	}
}

// convertDryRun copies a native dry-run result and its change list.
func convertDryRun(r *C.sandlock_dry_run_result_t) *DryRunResult {
	var outLen, errLen C.uintptr_t
	out := C.sandlock_dry_run_result_stdout_bytes(r, &outLen)
	errOut := C.sandlock_dry_run_result_stderr_bytes(r, &errLen)
	res := &DryRunResult{Result: Result{
		ExitCode: int(C.sandlock_dry_run_result_exit_code(r)),
		Reason:   ExitReason(C.sandlock_dry_run_result_reason(r)),
		Signal:   int(C.sandlock_dry_run_result_signal(r)),
		Success:  bool(C.sandlock_dry_run_result_success(r)),
		Stdout:   goBytes(out, outLen),
		Stderr:   goBytes(errOut, errLen),
	}}
	n := C.sandlock_dry_run_result_changes_len(r)
	for i := C.uintptr_t(0); i < n; i++ {
		path := C.sandlock_dry_run_result_change_path(r, i)
		res.Changes = append(res.Changes, Change{
			Kind: ChangeKind(C.sandlock_dry_run_result_change_kind(r, i)),
			Path: C.GoString(path),
		})
		C.sandlock_string_free(path)
	}
	return res
}
