#!/usr/bin/env bash
# The C sources follow .clang-format (kernel-like: tabs, 80 columns).
# `make format` applies it; this check (run by `make test`) fails on any
# difference. Skipped: the vendored copy of the core in go/internal/ (generated)
# and include/sandlock.h, which keeps the reference ABI header's layout.
# Usage: scripts/check-format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
	echo "check-format: clang-format is missing (make deps installs it)" >&2
	exit 1
fi
mapfile -t files < <(git ls-files '*.c' '*.h' |
	grep -v -e '^go/internal/' -e '^include/sandlock\.h$')
if [ "${1:-}" = --fix ]; then
	clang-format -i "${files[@]}"
	exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! clang-format --dry-run --Werror "${files[@]}" 2>"$log"; then
	grep -E '^[^ ].*: error:' "$log" | cut -d: -f1 | sort -u |
		sed 's/^/check-format: not formatted: /' >&2
	echo "check-format: run 'make format' ($(clang-format --version))" >&2
	exit 1
fi
echo "check-format: ${#files[@]} C files follow .clang-format"
