#!/usr/bin/env bash
# Bounded libFuzzer runs of every parser target in tests/fuzz/.
#
#   scripts/fuzz.sh                 every target, FUZZ_SECONDS (default 20) each
#   scripts/fuzz.sh netspec ports   only these targets
#
# Each target is built with clang -fsanitize=fuzzer,address,undefined against
# the policy and util sources into build-fuzz/ (FUZZ_BUILD overrides). The
# corpus grows in build-fuzz/corpus/<target>; it starts from the seeds below.
# Exits non-zero when any target fails to build, crashes, leaks or trips a
# sanitizer; the reproducer is left as build-fuzz/<target>-crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${FUZZ_BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-20}
cc=${FUZZ_CC:-clang}
flags=(-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=all -fno-omit-frame-pointer
       -D_GNU_SOURCE -Iinclude -Isrc)
srcs=(src/policy/*.c src/util/*.c src/cow/*.c)

seeds_netspec=('api.openai.com:443' 'github.com:22,443' ':8080' '*:8080'
	'10.0.0.0/8:443' '[2606:4700::/32]:443' '[::1]:443' '::1' '1.2.3.4'
	'udp://1.1.1.1:53' 'tcp://:443' 'icmp://github.com' '*' 'icmp://::1'
	'tcp://host:80,443' 'udp://*:*')
seeds_ports=('22' '22,8000-8010' '*' '1-65535' '80,80' ' 443 , 8443 ')
seeds_bytesize=('0' '512' '1K' '2m' ' 3G ' '18446744073709551615' '1.5G')
seeds_cowmarker=('reason=kept\nworkdir=/w\nupper=/w/u\ndeleted=a\\nb\npid=1\n'
	'reason=merge-interrupted\nworkdir=/tmp/x\npid=42\n' 'a\\\\b\\n' 'pid=1')
seeds_name=('web' 'sandbox-1-1' '..' 'a/b' 'h\xc3\xa9llo')
seeds_httprule=('GET example.com' 'POST api.example.com/v1/*' '* */admin/*'
	'get Example.COM/a/../b/./c' 'GET h/%2e%2E/x%00y' 'PUT h/a%2A' ' GET  h/ '
	'DELETE h//x//*')
seeds_time_parse=('2026-01-01T00:00:00Z' '1970-01-01t00:00:00z'
	'2000-02-29 12:34:56.789+05:30' '1999-12-31T23:59:60-00:01'
	'9999-12-31T23:59:59-23:59' '1969-12-31T23:59:59Z')
# Sources a target needs beyond src/policy and src/util.
extra_time_parse=(cli/time_parse.c)

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for f in tests/fuzz/fuzz_*.c; do
		f=${f##*/fuzz_}
		targets+=("${f%.c}")
	done
fi

mkdir -p "$out"
failed=()
for t in "${targets[@]}"; do
	bin="$out/fuzz_$t"
	corpus="$out/corpus/$t"
	echo "== fuzz_$t: build"
	extra=()
	if declare -p "extra_$t" >/dev/null 2>&1; then
		declare -n extra_ref="extra_$t"
		extra=(-Icli "${extra_ref[@]}")
		unset -n extra_ref
	fi
	if ! "$cc" "${flags[@]}" -o "$bin" "tests/fuzz/fuzz_$t.c" "${srcs[@]}" \
		"${extra[@]+"${extra[@]}"}" -lseccomp; then
		failed+=("fuzz_$t (build)")
		continue
	fi
	mkdir -p "$corpus"
	if [ -z "$(ls -A "$corpus")" ]; then
		declare -n seeds="seeds_$t"
		for i in "${!seeds[@]}"; do
			printf '%b' "${seeds[$i]}" >"$corpus/seed-$i"
		done
		unset -n seeds
	fi
	echo "== fuzz_$t: ${secs}s"
	if ! "$bin" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$out/fuzz_$t-" "$corpus" >"$out/fuzz_$t.log" 2>&1; then
		tail -n 40 "$out/fuzz_$t.log"
		failed+=("fuzz_$t")
		continue
	fi
	grep -E '^stat::number_of_executed_units' "$out/fuzz_$t.log" || true
done

if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}"
	exit 1
fi
echo "fuzz: ${#targets[@]} targets passed"
