#!/usr/bin/env bash
# The suite as it runs inside a container (make check-container, part of
# make test and so of CI). tests/helpers/container_seccomp refuses what the
# default seccomp profiles of Docker and Podman refuse to a container
# without CAP_SYS_PTRACE (pidfd_getfd, ptrace, process_vm_readv/writev,
# kcmp with EPERM; clone3 with ENOSYS) and drops CAP_SYS_PTRACE; under it
# run:
#   1. `sandlock check`, which must see the restriction
#   2. the C tests but those of the features refused at build there (the
#      network rules, policy callbacks and the argv freeze, the workdir:
#      test_hosting checks the refusals); the tests that meet a difference
#      expect what the library does in a container
#      (tests/lib/hostenv.h)
#   3. the README's example, scripts/example.sh
# LeakSanitizer stops the world with ptrace, so it is off here.
# SANDLOCK_BUILD and SANDLOCK_LIB_BUILD as for tests/run.sh.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${SANDLOCK_BUILD:-$root/build-asan}
lib=${SANDLOCK_LIB_BUILD:-$root/build}
export SANDLOCK_BUILD=$build SANDLOCK_LIB_BUILD=$lib
wrap=$build/tests/helpers/container_seccomp
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
step() { echo; echo "== check-container: $*"; }

step "sandlock check under the container's filter"
out=$("$wrap" "$lib/sandlock" check) || { echo "$out"; exit 1; }
echo "$out" | sed -n '/^Supervisor calls/,$p'
if ! grep -q 'Environment: *restricted' <<<"$out"; then
	echo "check-container: the filter did not take effect"; exit 1
fi

step "C tests under the container's filter"
SANDLOCK_TEST_LABEL='C-tests (container)' SANDLOCK_TEST_SKIP='/test_(net_(bind|connect|icmp|unix)|cli_net|escape_net(|mem|proto)|policy_fn|escape_argv|cow_(cli|view)|escape_cow)$' \
	"$wrap" ./tests/run.sh "$build" || exit 1

step "the README's example under the container's filter"
SANDLOCK="$lib/sandlock" "$wrap" ./scripts/example.sh || exit 1

echo
echo "check-container: the suite and the example pass as in a container"
