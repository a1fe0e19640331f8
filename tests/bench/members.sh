#!/usr/bin/env bash
# Member directory benchmark: how fast a node serves /members, anonymous
# and to a signed-in member, and its stylesheet, as a ratio against nginx
# serving the very same bytes with the same headers, measured in the same
# run on the same machine.
#
#   tests/bench/members.sh BASE_URL
#
# BASE_URL is a running node loaded with tests/bench/members.sql, and the
# member of BENCH_MEMBER_EMAIL, BENCH_MEMBER_PASSWORD and BENCH_MEMBER_NAME
# one of its accounts (./run bench sets that up).  The measuring, its
# settings (BENCH_DURATION, BENCH_WARMUP, BENCH_THREADS, BENCH_CONNECTIONS,
# BENCH_NGINX_WORKERS) and what makes it fail are tests/bench/pages.sh's;
# output goes to var/bench/members, and a row per page to
# var/bench/summary.tsv.
set -euo pipefail

[ $# -eq 1 ] || { printf 'usage: %s BASE_URL\n' "${0##*/}" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/pages.sh"

pages_member "$1"
pages_fetch members "$1" members=/members +members-in=/members \
	static=/static/acorn.css

# The page must be the one the data set promises, to either viewer: 50
# listed members, the first 20 of them on it.
for p in members members-in; do
	grep -q '50 members found' "$(pages_body $p)" ||
		pages_die "/members does not report 50 members: was tests/bench/members.sql loaded?"
	shown=$(grep -o 'class="member-card"' "$(pages_body $p)" | wc -l || true)
	[ "$shown" -eq 20 ] || pages_die "/members shows $shown members, expected 20"
done
pages_signed_in members-in
# The stylesheet already serves as fast as nginx: it is to stay so.
page_name[static]='static CSS (/static/acorn.css)'
page_goal[static]='keep ≥ 0.9'

pages_measure 'Member directory benchmark'
