#!/usr/bin/env bash
# Run every C test binary of a build directory and print one summary line.
# Usage: tests/run.sh [BUILD_DIR]   (default build-asan)
# Each test binary gets SANDLOCK_TEST_TIMEOUT seconds (default 300): a hung
# sandbox fails its test instead of hanging the suite. SANDLOCK_TEST_SKIP
# (an extended regex) leaves out the binaries whose name matches it;
# SANDLOCK_TEST_LABEL names the summary line (default C-tests).
set -u
build=${1:-build-asan}
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
case $build in /*) ;; *) build=$PWD/$build ;; esac
export SANDLOCK_CLI=${SANDLOCK_CLI:-$build/sandlock}
pass=0 fail=0 skip=0 broken=()
for t in $(find "$build/tests/unit" "$build/tests/integration" "$build/tests/escape" \
		-maxdepth 1 -type f -perm -u+x -name 'test_*' 2>/dev/null | sort |
	grep -Ev "${SANDLOCK_TEST_SKIP:-^$}"); do
	echo "== $t"
	out=$(timeout -k 10 "${SANDLOCK_TEST_TIMEOUT:-300}" "$t" 2>&1); rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		out+=$'\n'"TIMEOUT: $t did not finish within ${SANDLOCK_TEST_TIMEOUT:-300}s"
	fi
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^# .*: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -1)
	if [ -z "$line" ]; then
		broken+=("$t (exit $rc, no summary)"); fail=$((fail + 1)); continue
	fi
	read -r p f s < <(printf '%s\n' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		broken+=("$t (exit $rc)"); fail=$((fail + 1))
	fi
done
for b in "${broken[@]+"${broken[@]}"}"; do echo "BROKEN: $b"; done
echo "${SANDLOCK_TEST_LABEL:-C-tests}: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
