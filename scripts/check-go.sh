#!/usr/bin/env bash
# The Go SDK's checks (make check-go), run from anywhere in the repository:
#   1. the cgo wrappers of the C core are in sync with src/ (gen-go-core.sh)
#   2. go vet, gofmt, and go test -race in the default build mode (the C
#      core compiled through cgo), plus the no-cgo stub build
#   3. the sandlock_repo tag mode, linking the library built by make lib
#   4. the sandlock_pkgconfig tag mode against a temporary make install
#   5. the clean-module check: a fresh module outside the repository that
#      requires the SDK through a replace to a copy of the repository (no
#      build/ directory, no installed library) builds and runs the example,
#      offline
# SANDLOCK_LIB_BUILD selects the make build directory for step 3 (default
# build/ at the repository root, the directory cgo_repo.go points at);
# SANDLOCK_GO_TEST_FLAGS adds go test flags (e.g. "-run TestPopen -v").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
libbuild=${SANDLOCK_LIB_BUILD:-$root/build}
step() { echo; echo "== check-go: $*"; }

# Everything here is standard library only: never reach for the network,
# and never swap the toolchain.
export GOPROXY=off GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false"

step "C core wrappers in sync with src/"
"$root/scripts/gen-go-core.sh" --check

cd "$root/go"
step "go vet (default mode)"
go vet ./...

step "gofmt"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt: these files need formatting:"; echo "$unformatted"
	exit 1
fi

step "stub build without cgo, and for another OS"
CGO_ENABLED=0 go vet ./... && CGO_ENABLED=0 go test -count=1 ./...
GOOS=darwin GOARCH=arm64 go build ./...

step "go test -race (default mode: C core compiled through cgo)"
go test -race -count=1 ${SANDLOCK_GO_TEST_FLAGS:-} ./...

step "make lib ($libbuild)"
make -C "$root" --no-print-directory BUILD="$libbuild" lib >/dev/null

step "go vet + go test, tag sandlock_repo (links $libbuild)"
repo_env=()
if [ "$(cd "$libbuild" && pwd)" != "$root/build" ]; then
	# cgo_repo.go names ../build; point the linker and loader elsewhere.
	repo_env=(CGO_LDFLAGS="-L$libbuild" LD_LIBRARY_PATH="$libbuild")
fi
env "${repo_env[@]+"${repo_env[@]}"}" go vet -tags sandlock_repo ./...
env "${repo_env[@]+"${repo_env[@]}"}" go test -tags sandlock_repo -count=1 ${SANDLOCK_GO_TEST_FLAGS:-} ./...

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "go test, tag sandlock_pkgconfig (make install PREFIX=$tmp/prefix)"
make -C "$root" --no-print-directory BUILD="$libbuild" PREFIX="$tmp/prefix" install >/dev/null
# Go's build cache does not key on pkg-config's output: name the prefix in
# CGO_CFLAGS (which it does key on) so a package built against an earlier,
# since-deleted prefix is not reused.
pc_env=(PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig" CGO_CFLAGS="-g -O2 -I$tmp/prefix/include")
env "${pc_env[@]}" go vet -tags sandlock_pkgconfig ./...
env "${pc_env[@]}" go test -tags sandlock_pkgconfig -count=1 \
	-run 'TestRunEcho|TestPopenStreamsStdout|TestSyscallNr' ./...

step "clean module: go build of examples/basic against a copy of the repository"
mkdir "$tmp/sandlock" "$tmp/app"
tar -C "$root" --exclude=./.git --exclude=./build --exclude='./build-*' -cf - . |
	tar -C "$tmp/sandlock" -xf -
cp "$root/go/examples/basic/main.go" "$tmp/app/main.go"
cat >"$tmp/app/go.mod" <<EOF
module example.com/sandlock-clean-check

go 1.21

require github.com/multikernel/sandlock/go v0.0.0

replace github.com/multikernel/sandlock/go => $tmp/sandlock/go
EOF
(cd "$tmp/app" && go build -o app .)
if ldd "$tmp/app/app" | grep -q libsandlock; then
	echo "clean module: the binary links an installed libsandlock"; exit 1
fi
step "clean module: run the example"
"$tmp/app/app"

step "all Go checks passed"
