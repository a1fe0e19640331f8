#!/usr/bin/env bash
# List page benchmark: how fast a node serves its three long lists, the
# upcoming events, the evidence and the library, anonymous and to a
# signed-in member, each as a ratio against nginx serving the very same
# bytes with the same headers, measured in the same run on the same
# machine.
#
#   tests/bench/lists.sh BASE_URL
#
# BASE_URL is a running node loaded with tests/bench/knowledge.sql and
# tests/bench/events.sql, and the member of BENCH_MEMBER_EMAIL,
# BENCH_MEMBER_PASSWORD and BENCH_MEMBER_NAME one of its accounts (./run
# bench sets that up).  The measuring, its settings (BENCH_DURATION,
# BENCH_WARMUP, BENCH_THREADS, BENCH_CONNECTIONS, BENCH_NGINX_WORKERS) and
# what makes it fail are tests/bench/pages.sh's; output goes to
# var/bench/lists, and a row per page to var/bench/summary.tsv.
set -euo pipefail

[ $# -eq 1 ] || { printf 'usage: %s BASE_URL\n' "${0##*/}" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/pages.sh"

pages_member "$1"
pages_fetch lists "$1" events=/events +events-in=/events \
	evidence=/evidence +evidence-in=/evidence \
	library=/library +library-in=/library

# How many times PAGE holds the fixed string S.
count() { grep -oF "$2" "$(pages_body "$1")" | wc -l || true; }

# The pages must be the ones the data set promises, to either viewer:
# the first twenty of 24 upcoming events, the first twenty of 60
# evaluations, and all twelve documents under their five categories.
for v in '' -in; do
	n=$(count "events$v" 'class="member-card"')
	[ "$n" -eq 20 ] ||
		pages_die "/events shows $n events, expected 20: was tests/bench/events.sql loaded?"
	grep -qF 'Page 1 of 2' "$(pages_body "events$v")" ||
		pages_die "/events is not page 1 of 2 (24 upcoming events)"
	grep -qF 'Showing 60 evaluations' "$(pages_body "evidence$v")" &&
		grep -qF 'Page 1 of 3' "$(pages_body "evidence$v")" ||
		pages_die "/evidence does not show page 1 of 3 of 60 evaluations: was tests/bench/knowledge.sql loaded?"
	n=$(count "evidence$v" 'class="member-card"')
	[ "$n" -eq 20 ] || pages_die "/evidence shows $n evaluations, expected 20"
	grep -qF 'Showing 12 documents' "$(pages_body "library$v")" ||
		pages_die "/library does not show 12 documents: was tests/bench/knowledge.sql loaded?"
	n=$(count "library$v" 'class="member-card"')
	[ "$n" -eq 12 ] || pages_die "/library lists $n documents, expected 12"
done
pages_signed_in events-in evidence-in library-in

pages_measure 'List page benchmark'
