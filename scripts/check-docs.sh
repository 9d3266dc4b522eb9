#!/usr/bin/env bash
# The project's docs are self-contained (make check-docs, run early by
# make check-c and make test). Fails when
#   1. a comment, doc, test, script or Go file cites a document that is
#      not in the repository (behavior.md, c-abi, go-sdk, spec/, the
#      specification's decisions, an "Appendix" of it): cite docs/ instead
#      (docs/behaviour.md, docs/abi.md, docs/go.md, docs/decisions.md);
#   2. a cited docs/*.md file does not exist;
#   3. a cited section does not exist: "docs/behaviour.md 9.3" needs a
#      heading "9.3" there (likewise docs/abi.md and docs/go.md), and
#      "docs/decisions.md decision 3" / "docs/decisions.md A14" a heading
#      "Decision 3" / "A14".
# The generated Go copy of the C core is left out (scripts/gen-go-core.sh
# --check keeps it identical to src/).
set -euo pipefail
cd "$(dirname "$0")/.."

paths=(. ':!go/internal/ccore' ':!go/cgo_core.go' ':!scripts/check-docs.sh')
fails=0
bad() { echo "check-docs: $*" >&2; fails=$((fails + 1)); }
# git grep, failing loudly on an error (status > 1), not on "no match".
ggrep() {
	local rc=0
	git grep "$@" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "check-docs: git grep failed (status $rc)" >&2
		exit 2
	fi
}
# The patterns need Perl-compatible regexes in git grep.
if ! git grep -q -P '^(?<!x)#' -- Makefile; then
	echo "check-docs: git grep -P does not work here (git without PCRE?)" >&2
	exit 2
fi

# 1. Citations of documents outside the repository. A markdown link
# between docs ("[behaviour.md](behaviour.md)") is no citation, nor is
# docs/decisions.md naming its own Appendix A.
nb='(?<![\w/.\[-])(?<!\]\()'
outside="${nb}behaviou?r\.md|${nb}behaviou?r[ \t]*(?:§|\d)|docs/behavior\.md"
outside+="|(?<![\w-])c-abi(?![\w-])|(?<![\w-])go-sdk(?![\w-])|\bspec/"
outside+="|\bspec(?:ification)?(?:'s)? (?:README(?:'s)? )?decision \d|\bspec README\b"
outside+="|\(decision \d+\)|//\s*Decision \d+:|\bthe specifications?\b"
appendix='(?<!decisions\.md )\bAppendix [A-Z]\b'
hits=$(ggrep -n -I -P "$outside" -- "${paths[@]}"
	ggrep -n -I -P "$appendix" -- "${paths[@]}" ':!docs/decisions.md')
while IFS= read -r h; do
	[ -z "$h" ] || bad "cites a document outside the repository: $h"
done <<<"$hits"

# 2. and 3. Cited docs and sections.
heading() { # file, heading text (a regex): is there such a heading?
	grep -q -E "^#+ $2( |:|\$)" "$1"
}
where() { # the files citing $1 (exactly: "9.3" is not "9.31")
	git grep -l -P "\\Q$1\\E(?![\\d.]*\\d)" -- "${paths[@]}" | head -3 | tr '\n' ' '
}
while IFS= read -r doc; do
	[ -f "$doc" ] || bad "cited but missing: $doc, cited in: $(where "$doc")"
done < <(ggrep -h -o -I -P '(?<![\w.-])docs/[\w.-]+\.md' -- "${paths[@]}" | LC_ALL=C sort -u)

while IFS= read -r cite; do
	doc=${cite%%.md*}.md
	num=${cite##* }
	num=${num#§}
	[ -f "$doc" ] || continue
	heading "$doc" "${num//./\\.}" ||
		bad "no section $num in $doc, cited in: $(where "$cite")"
done < <(ggrep -h -o -I -P 'docs/(?:behaviour|abi|go)\.md`? §?\d+(?:\.\d+)?' -- "${paths[@]}" |
	sed 's/`//' | LC_ALL=C sort -u)

while IFS= read -r cite; do
	what=${cite#docs/decisions.md }
	case $what in
	decision*) want="Decision ${what#decision }" ;;
	*) want=$what ;;
	esac
	heading docs/decisions.md "$want" ||
		bad "no entry '$want' in docs/decisions.md, cited in: $(where "$cite")"
done < <(ggrep -h -o -I -P 'docs/decisions\.md (?:decision \d+|A\d+)\b' -- "${paths[@]}" | LC_ALL=C sort -u)

if [ "$fails" -ne 0 ]; then
	echo "check-docs: $fails problem(s): cite the repository's docs/ (docs/behaviour.md," \
		"docs/abi.md, docs/go.md, docs/decisions.md) with sections that exist" >&2
	exit 1
fi
echo "check-docs: citations resolve within the repository"
