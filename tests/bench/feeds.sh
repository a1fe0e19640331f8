#!/usr/bin/env bash
# Feed benchmark: how fast a node serves the Atom feeds feed readers
# subscribe to (newest first, the latest 50 signed entries), as a ratio
# against nginx serving the very same bytes with the same headers,
# measured in the same run on the same machine.
#
#   tests/bench/feeds.sh BASE_URL
#
# BASE_URL is a running node loaded with tests/bench/members.sql and
# tests/bench/knowledge.sql: 50 listed members and 60 evaluations (./run
# bench sets that up).  The measuring, its settings (BENCH_DURATION,
# BENCH_WARMUP, BENCH_THREADS, BENCH_CONNECTIONS, BENCH_NGINX_WORKERS) and
# what makes it fail are tests/bench/pages.sh's; output goes to
# var/bench/feeds.
set -euo pipefail

[ $# -eq 1 ] || { printf 'usage: %s BASE_URL\n' "${0##*/}" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/pages.sh"

feeds=(members evaluations)

# A node signs what waits to be signed when a feed is first asked for:
# that happens here, not during the measuring.
for f in "${feeds[@]}"; do
	curl -sS -f --max-time 120 -o /dev/null "${1%/}/feeds/$f" ||
		pages_die "cannot fetch ${1%/}/feeds/$f"
done

pages_fetch feeds "$1" members=/feeds/members evaluations=/feeds/evaluations

# Each feed must hold 50 entries, each signed: the data set's, not fewer.
for f in "${feeds[@]}"; do
	entries=$(grep -o '<entry[ >]' "$(pages_body "$f")" | wc -l || true)
	signed=$(grep -o '<ds:Signature[ >]' "$(pages_body "$f")" | wc -l || true)
	[ "$entries" -eq 50 ] ||
		pages_die "/feeds/$f holds $entries entries, expected 50: were tests/bench/members.sql and knowledge.sql loaded?"
	[ "$signed" -eq 50 ] ||
		pages_die "/feeds/$f holds $signed signatures for its 50 entries"
done

pages_measure 'Feed benchmark'
