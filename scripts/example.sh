#!/usr/bin/env bash
# A first look at sandlock: one allowed and four refused operations, each
# run for real and checked. Exits non-zero if any outcome is not the
# expected one, so CI runs it too.
#
#   make && ./scripts/example.sh        (SANDLOCK=path/to/sandlock to override)
set -u
cd "$(dirname "$0")/.."
sandlock=${SANDLOCK:-build/sandlock}
if [ ! -x "$sandlock" ]; then
	echo "example: $sandlock not found; build it first with 'make'" >&2
	exit 1
fi

scratch=$(mktemp -d /tmp/sandlock-example.XXXXXX) || exit 1
trap 'rm -rf "$scratch"' EXIT
work=$scratch/work
private=$scratch/private
mkdir "$work" "$private"
echo "hello from inside the sandbox" > "$work/hello.txt"
echo "nobody inside may read this" > "$private/secret.txt"

# The system directories a dynamically linked program needs, read-only.
# Only existing paths: a grant on a missing path refuses to start.
system=()
for dir in /usr /lib /lib64 /bin /etc; do
	[ -e "$dir" ] && system+=(-r "$dir")
done

failures=0
output=
status=0

# sandbox ARGS...: show "sandlock ARGS...", run it, keep its output and
# exit status.
sandbox() {
	printf '$ sandlock'
	printf ' %q' "$@"
	printf '\n'
	output=$("$sandlock" "$@" 2>&1)
	status=$?
	[ -n "$output" ] && printf '%s\n' "$output" | sed 's/^/  | /'
	printf '  (exit status %d)\n' "$status"
}

verdict() {
	if "$@"; then
		echo "  -> as expected"
	else
		echo "  -> UNEXPECTED"
		failures=$((failures + 1))
	fi
}

succeeded_with() { [ "$status" -eq 0 ] && [[ $output == *"$1"* ]]; }
failed_with() { [ "$status" -ne 0 ] && [[ $output == *"$1"* ]]; }

echo "$("$sandlock" --version) ($sandlock), scratch files in $scratch"
echo "Every command gets read-only access to the system directories"
echo "(${system[*]}) plus what it grants itself."

echo
echo "1. Reading a file inside a granted directory works:"
sandbox run "${system[@]}" -r "$work" -- cat "$work/hello.txt"
verdict succeeded_with "hello from inside the sandbox"

echo
echo "2. Reading a file outside the grants is denied by Landlock:"
sandbox run "${system[@]}" -r "$work" -- cat "$private/secret.txt"
verdict failed_with "Permission denied"

echo
echo "3. Writing into a read-only grant is denied, and nothing is created:"
sandbox run "${system[@]}" -r "$work" -- touch "$work/new.txt"
verdict failed_with "Permission denied"
verdict test ! -e "$work/new.txt"

echo
echo "4. Writing into a writable grant (-w) works:"
sandbox run "${system[@]}" -w "$work" -- \
	sh -c "echo written > '$work/new.txt' && cat '$work/new.txt'"
verdict succeeded_with "written"
verdict grep -qx written "$work/new.txt"

echo
echo "5. A dangerous syscall (unshare, to build a new user namespace) is"
echo "   refused by the seccomp filter:"
sandbox run "${system[@]}" -- unshare -U true
verdict failed_with "Operation not permitted"

echo
if [ "$failures" -ne 0 ]; then
	echo "example: $failures unexpected outcome(s)" >&2
	exit 1
fi
echo "All five outcomes are the expected ones."
