#!/usr/bin/env bash
# Run the benchmarks; usage: bench/run.sh [BUILD_DIR]. Results on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
iters=${BENCH_ITERS:-300}
"$build/bench/abi_bench" --iters "$iters" --cli "$build/sandlock" \
	--notify-loop "$build/bench/notify_loop"
"$build/bench/net_bench" --requests "${BENCH_NET_REQUESTS:-20000}"
"$build/bench/cow_bench" --iters "${BENCH_COW_ITERS:-5}" \
	--size-mib "${BENCH_COW_MIB:-1024}"
"$build/bench/cow_view_bench" --iters "${BENCH_COW_VIEW_ITERS:-3}" \
	${BENCH_COW_REFLINK_DIR:+--reflink-dir "$BENCH_COW_REFLINK_DIR"}
"$build/bench/fs_bench" --open-loop "$build/bench/open_loop" \
	--tar-iters "${BENCH_TAR_ITERS:-10}" --cp-iters "${BENCH_CP_ITERS:-3}"
"$build/bench/policy_bench" --exec-loop "$build/bench/exec_loop" \
	--iters "${BENCH_POLICY_ITERS:-15}"
