#!/usr/bin/env bash
# Member directory benchmark: how fast a node serves /members and its
# stylesheet, as a ratio against nginx serving the very same bytes with the
# same headers, measured in the same run on the same machine.
#
#   tests/bench/members.sh BASE_URL
#
# BASE_URL is a running node loaded with tests/bench/members.sql (./run bench
# sets that up).  The measuring, its settings (BENCH_DURATION, BENCH_WARMUP,
# BENCH_THREADS, BENCH_CONNECTIONS, BENCH_NGINX_WORKERS) and what makes it
# fail are tests/bench/pages.sh's; output goes to var/bench/members.
set -euo pipefail

[ $# -eq 1 ] || { printf 'usage: %s BASE_URL\n' "${0##*/}" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/pages.sh"

pages_fetch members "$1" members=/members static=/static/acorn.css

# The page must be the one the data set promises: 50 listed members, the
# first 20 of them on it.
grep -q '50 members found' "$(pages_body members)" ||
	pages_die "/members does not report 50 members: was tests/bench/members.sql loaded?"
shown=$(grep -o 'class="member-card"' "$(pages_body members)" | wc -l || true)
[ "$shown" -eq 20 ] || pages_die "/members shows $shown members, expected 20"

pages_measure 'Member directory benchmark'
