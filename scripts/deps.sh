#!/usr/bin/env bash
# Install the Debian/Ubuntu packages sandlock needs to build and test.
# Idempotent: does nothing when everything is present.
set -euo pipefail
pkgs=(build-essential pkg-config libseccomp-dev clang clang-format libclang-rt-14-dev valgrind python3 golang-go iproute2)
# libclang-rt-14-dev carries libFuzzer and the sanitizer runtimes for clang 14
# (Debian 12); on other releases pick whatever version clang is.
if ! apt-cache show libclang-rt-14-dev >/dev/null 2>&1; then
	v=$(clang --version 2>/dev/null | sed -nE 's/.*version ([0-9]+).*/\1/p' | head -1)
	pkgs=("${pkgs[@]/libclang-rt-14-dev/libclang-rt-${v:-dev}-dev}")
fi
missing=()
for p in "${pkgs[@]}"; do
	# A Go toolchain already on PATH (e.g. /usr/local/go) is good enough.
	if [ "$p" = golang-go ] && command -v go >/dev/null 2>&1; then continue; fi
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
