#!/usr/bin/env bash
# The Go SDK's checks (make check-go), run from anywhere in the repository:
#   1. the C core vendored into the module (go/internal/ccore) is in sync
#      with src/ and include/ (gen-go-core.sh --check)
#   2. go vet, gofmt, and go test -race in the default build mode (the C
#      core compiled through cgo), plus the no-cgo stub build
#   3. the sandlock_repo tag mode, linking the library built by make lib
#   4. the sandlock_pkgconfig tag mode against a temporary make install
#   5. the module as Go users get it: the module zip of go/ (the layout a
#      module proxy serves, made by scripts/modzip) in a file-system GOPROXY;
#      a fresh program outside the repository requires it by version and is
#      built and run, offline, with no checkout, no replace and no installed
#      library
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

step "C core vendored into the module, in sync with src/"
"$root/scripts/gen-go-core.sh" --check

cd "$root/go"
step "go vet (default mode)"
go vet ./...

step "gofmt"
unformatted=$(gofmt -l . "$root/scripts/modzip")
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

step "module zip: a fresh program requires the module from a file-system GOPROXY"
module=github.com/multikernel/sandlock/go
version=v$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
proxy=$tmp/proxy/$module/@v
mkdir -p "$proxy" "$tmp/app"
# The module zip, .mod, .info and list files, as a module proxy serves them.
(cd "$root/scripts/modzip" && go run . "$root/go" "$module" "$version" "$proxy/$version.zip")
cp "$root/go/go.mod" "$proxy/$version.mod"
printf '{"Version":"%s","Time":"2026-01-01T00:00:00Z"}\n' "$version" >"$proxy/$version.info"
echo "$version" >"$proxy/list"

cp "$root/go/examples/basic/main.go" "$tmp/app/main.go"
cat >"$tmp/app/go.mod" <<EOF
module example.com/sandlock-zip-check

go 1.21

require $module $version
EOF
# Nothing but the proxy directory: no checkout, no replace, no network, a
# module cache of its own, no library or pkg-config path of ours.
zip_env=(GOPROXY="file://$tmp/proxy" GOSUMDB=off GOFLAGS=-mod=mod
	GOMODCACHE="$tmp/modcache" CGO_CFLAGS= CGO_LDFLAGS= PKG_CONFIG_PATH=
	LD_LIBRARY_PATH=)
(cd "$tmp/app" && env "${zip_env[@]}" go build -o app .)
# The go command unpacks modules read-only; let the cleanup remove them.
chmod -R u+w "$tmp/modcache"
if ! grep -q "^$module $version h1:" "$tmp/app/go.sum"; then
	echo "module zip: the build did not take the module from the proxy"; exit 1
fi
if ldd "$tmp/app/app" | grep -q libsandlock; then
	echo "module zip: the binary links an installed libsandlock"; exit 1
fi
step "module zip: run the example"
(cd "$tmp" && "$tmp/app/app")

step "all Go checks passed"
