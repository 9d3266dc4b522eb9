#!/usr/bin/env bash
# Everything the README shows a newcomer, run as written (make check-readme,
# part of make test and so of CI):
#   1. the `sandlock run` examples of "CLI usage", read from the README
#      itself; only /tmp/work and port 8080 are replaced by a private
#      scratch directory and a free port, so parallel runs do not meet
#   2. the C ABI example, compiled and run each way the README links it:
#      against build/ with an rpath, with LD_LIBRARY_PATH, and through
#      pkg-config after a `make install` into a temporary PREFIX, shared
#      and fully static (--static)
#   3. the hardening the README states, on the built library and CLI
# BUILD selects the build directory (default build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
fails=0
step() { echo; echo "== check-readme: $*"; }
ok() { echo "  ok: $*"; }
bad() { echo "  FAILED: $*"; fails=$((fails + 1)); }

make -s -C "$root" BUILD="$build" all >/dev/null
tmp=$(mktemp -d /tmp/sandlock-readme.XXXXXX)
server=
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The lines of the fenced block of language $2 that follows the first line
# matching $1, with backslash continuations joined and comments dropped.
block() {
	awk -v start="$1" -v lang="$2" '
		!found && index($0, start) { found = 1; next }
		found == 1 && $0 == "```" lang { found = 2; next }
		found == 2 && $0 == "```" { exit }
		found == 2 { print }
	' README.md
}
commands() {
	block "$1" sh | sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' |
		awk '{ if (sub(/\\$/, "")) { line = line $0; next } print line $0; line = "" }'
}

step "CLI examples (README, CLI usage)"
work=$tmp/work
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::", 0)); print(s.getsockname()[1])')
export PATH="$build:$PATH"
mapfile -t cli < <(commands 'These examples run as written')
[ "${#cli[@]}" -eq 4 ] || bad "expected 4 commands in the CLI examples, found ${#cli[@]}: update this script"
for cmd in "${cli[@]}"; do
	run=${cmd//\/tmp\/work/$work}
	run=${run//8080/$port}
	echo "\$ $cmd"
	case $cmd in
	mkdir*)
		bash -c "$run" && ok "scratch directory prepared" || bad "setup failed"
		;;
	*"make -C"*)
		if out=$(bash -c "$run" 2>&1) && [ -x "$work/hello" ]; then
			ok "compiled $work/hello"
		else
			bad "make in the sandbox: $out"
		fi
		;;
	*http.server*)
		bash -c "exec $run" >"$tmp/server.log" 2>&1 &
		server=$!
		got=
		for _ in $(seq 100); do
			got=$(python3 - "$port" <<-'EOF' 2>/dev/null || true
				import sys, urllib.request
				url = "http://127.0.0.1:%s/hello.c" % sys.argv[1]
				print(urllib.request.urlopen(url, timeout=2).read().decode())
			EOF
			)
			[ -n "$got" ] && break
			kill -0 "$server" 2>/dev/null || break
			sleep 0.1
		done
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
		server=
		if [[ $got == *"int main(void)"* ]]; then
			ok "the sandboxed server served hello.c"
		else
			bad "no answer from the sandboxed server: $(cat "$tmp/server.log")"
		fi
		;;
	*"--fs-deny /etc/shadow"*)
		if out=$(bash -c "$run" 2>&1); then
			bad "cat /etc/shadow succeeded in the sandbox"
		elif [[ $out == *"Permission denied"* ]]; then
			ok "denied: $out"
		else
			bad "unexpected failure: $out"
		fi
		;;
	*)
		bad "no expectation for this README command: update this script"
		;;
	esac
done

step "C ABI example (README, The C ABI)"
block '## The C ABI' c >"$tmp/example.c"
prefix=$tmp/prefix
make -s -C "$root" BUILD="$build" PREFIX="$prefix" install >/dev/null
ln -s "$root/include" "$tmp/include"
ln -s "$build" "$tmp/build"
mapfile -t links < <(commands 'Build and link it')
[ "${#links[@]}" -eq 4 ] || bad "expected 4 link commands, found ${#links[@]}: update this script"
for cmd in "${links[@]}"; do
	echo "\$ $cmd"
	rm -f "$tmp/example"
	if out=$(cd "$tmp" && PKG_CONFIG_PATH="$prefix/lib/pkgconfig" bash -c "$cmd" 2>&1) &&
		[[ $out == *"exit 0, "* ]]; then
		ok "${out##*$'\n'}"
	else
		bad "$out"
	fi
	case $cmd in
	*-static*)
		if readelf -lW "$tmp/example" | grep -q 'program interpreter'; then
			bad "the --static build is dynamically linked"
		fi
		;;
	*)
		readelf -d "$tmp/example" | grep -q 'NEEDED.*libsandlock_ffi\.so' ||
			bad "the program does not record libsandlock_ffi.so"
		;;
	esac
done

step "hardening of the library and the CLI"
for bin in "$build/libsandlock.so" "$build/sandlock"; do
	dyn=$(readelf -dW "$bin")
	[[ $dyn == *BIND_NOW* || $dyn == *"Flags: NOW"* ]] && ok "$bin: BIND_NOW" ||
		bad "$bin: not linked with -z now"
	readelf -lW "$bin" | grep -q GNU_RELRO && ok "$bin: RELRO" || bad "$bin: no RELRO"
done
syms=$(nm -D "$build/libsandlock.so")
grep -q '__stack_chk_fail' <<<"$syms" && ok "stack protector" || bad "no stack protector"
grep -q '__.*_chk@' <<<"$syms" && ok "_FORTIFY_SOURCE" || bad "no fortified calls"
# The code between clone and exec must not read the creating thread's TLS
# (a canary) nor call the checked libc functions.
for f in child keeper; do
	if objdump -d "$build/obj/src/launch/$f.o" | grep -E '%fs:|_chk' ; then
		bad "src/launch/$f.c is instrumented (stack protector or fortify)"
	else
		ok "src/launch/$f.c carries no stack protector or fortify"
	fi
done

echo
if [ "$fails" -ne 0 ]; then
	echo "check-readme: $fails failure(s)"
	exit 1
fi
echo "check-readme: every README example works as written"
