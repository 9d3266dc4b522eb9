#!/usr/bin/env bash
# The include rules of docs/architecture.md ("Include rules"), checked
# (make check-c runs this first):
#
#   every `#include "dir/file.h"` in cli/*.[ch] and src/<dir>/*.[ch] names
#   the file's own directory or an entry of that directory's allow-list
#   below. An entry "dir/" allows every header of dir, "dir/file.h" that
#   header only. System headers and the public headers (include/) need no
#   entry; nor do the CLI's own headers (cli/*.h, included by bare name).
#
# A directory without a rule is refused too: a new module says what it
# may use. Keep this list and the doc's in step.
#
#   scripts/check-layers.sh     exit 1 and name every forbidden include
set -euo pipefail
cd "$(dirname "$0")/.."

# What the handler modules are written against: the module interface,
# the notification helpers, event sources, workers, the process table and
# the freezer. The serving loop (supervisor.h, loop.h) stays above them.
module_api="supervisor/dispatch.h supervisor/notif.h supervisor/notif_kcompat.h
	supervisor/evsrc.h supervisor/worker.h supervisor/proctab.h
	supervisor/freezer.h"

declare -A allow=(
	[cli]="abi/tool.h util/"
	[abi]="launch/ landlock/ cow/ policy/ supervisor/notif.h
		handlers/user.h handlers/live.h util/"
	[launch]="supervisor/ seccomp/ landlock/ fs/holes.h cow/ policy/ util/"
	[seccomp]="supervisor/dispatch.h policy/ util/"
	[landlock]="fs/holes.h policy/ util/"
	[supervisor]="handlers/ policy/ util/"
	[handlers]="$module_api landlock/landlock.h landlock/landlock_uapi.h
		fs/ net/ cow/ policy/ util/"
	[fs]="$module_api handlers/procinfo.h policy/ util/"
	[net]="policy/ util/"
	[cow]="policy/ util/"
	[policy]="util/"
	[util]=""
)

allowed() { # allowed <dir> <included path>
	local e
	[ "${2%%/*}" = "$1" ] && return 0
	for e in ${allow[$1]}; do
		case $e in
		*/) [ "${2#"$e"}" != "$2" ] && return 0 ;;
		*) [ "$e" = "$2" ] && return 0 ;;
		esac
	done
	return 1
}

bad=0
for dir in cli src/*/; do
	dir=${dir%/}
	name=${dir#src/}
	if [ -z "${allow[$name]+set}" ]; then
		echo "check-layers: $dir has no include rule" \
			"(scripts/check-layers.sh, docs/architecture.md)" >&2
		bad=1
		continue
	fi
	while IFS=: read -r file line inc; do
		inc=${inc#*\"}
		inc=${inc%%\"*}
		case $inc in
		*../*)
			echo "check-layers: $file:$line:" \
				"relative include \"$inc\"" >&2
			bad=1 ;;
		*/*)
			if ! allowed "$name" "$inc"; then
				echo "check-layers: $file:$line: $name/ may" \
					"not include \"$inc\"" \
					"(allowed: $(echo ${allow[$name]}))" >&2
				bad=1
			fi ;;
		esac
	done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
		"$dir"/*.[ch] 2>/dev/null || true)
done
if [ "$bad" -ne 0 ]; then
	echo "check-layers: the include graph breaks the rules of" \
		"docs/architecture.md" >&2
	exit 1
fi
echo "check-layers: every include follows docs/architecture.md"
