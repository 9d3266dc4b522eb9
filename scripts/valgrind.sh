#!/usr/bin/env bash
# Leak check of the public ABI: runs tests/helpers/abi_lifecycle (every
# ownership path: build, run, handles, popen, error paths, stubs) under
# valgrind against the plain, non-sanitized build.
#
# Usage: scripts/valgrind.sh        BUILD=<dir> selects the build (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
prog="$build/tests/helpers/abi_lifecycle"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed (make deps)" >&2
	exit 1
fi
make -s SAN=0 BUILD="$build" "$prog"
# valgrind (3.19) implements neither seccomp(2) nor the landlock syscalls,
# so no sandbox can start under it: --valgrind makes the program expect
# every launch to fail, which still checks the launch error paths, and the
# unhandled-syscall warnings are filtered out. Sandboxed children are not
# followed.
# The library's own "sandlock: ..." lines about those failed launches are
# expected: they go to a log file, not among valgrind's findings.
log="$build/valgrind-abi_lifecycle.log"
echo "valgrind: every launch is expected to fail under valgrind (no seccomp(2),"
echo "valgrind: no landlock(2)); the library's messages about it go to $log"
set +e +o pipefail
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=1 --trace-children=no "$prog" --valgrind 2>&1 |
	grep -v -e '^--[0-9]*-- ' | tee "$log" | grep -v -e '^sandlock: '
status=${PIPESTATUS[0]}
echo "valgrind: $(grep -c '^sandlock: ' "$log") expected library messages in $log"
[ "$status" -eq 0 ] && echo "valgrind: no leaks, no errors" || echo "valgrind: FAILED ($status)"
exit "$status"
