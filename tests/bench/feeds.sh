#!/usr/bin/env bash
# Feed benchmark: how fast a node serves the Atom feeds feed readers
# subscribe to (newest first, the latest 50 signed entries), as a ratio
# against nginx serving the very same bytes with the same headers,
# measured in the same run on the same machine.
#
#   tests/bench/feeds.sh BASE_URL CONFIG
#
# BASE_URL is a running node loaded with tests/bench/members.sql and
# tests/bench/knowledge.sql: 50 listed members and 60 evaluations, and
# CONFIG its configuration file, for its key: every entry served must
# verify, taken out of the feed, with the stock xmlsec1 and the node's
# public key (./run bench sets that up).  The measuring, its settings (BENCH_DURATION,
# BENCH_WARMUP, BENCH_THREADS, BENCH_CONNECTIONS, BENCH_NGINX_WORKERS) and
# what makes it fail are tests/bench/pages.sh's; output goes to
# var/bench/feeds, and a row per feed to var/bench/summary.tsv.
set -euo pipefail

[ $# -eq 2 ] || { printf 'usage: %s BASE_URL CONFIG\n' "${0##*/}" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/pages.sh"

feeds=(members evaluations)

# A node signs what waits to be signed when a feed is first asked for:
# that happens here, not during the measuring.
for f in "${feeds[@]}"; do
	curl -sS -f --max-time 120 -o /dev/null "${1%/}/feeds/$f" ||
		pages_die "cannot fetch ${1%/}/feeds/$f"
done

pages_fetch feeds "$1" members=/feeds/members evaluations=/feeds/evaluations

# The node's public key, from its private key (the config's key, or
# the one beside the config file).
conf=$2
[ -r "$conf" ] || pages_die "cannot read $conf"
key=$(conf_get "$conf" key)
[ -n "$key" ] || key=${conf%.conf}.key
for tool in openssl xmlsec1 python3; do
	command -v "$tool" >/dev/null ||
		pages_die "$tool is missing (packages openssl, xmlsec1, python3)"
done
pub=$work/node-public.pem
openssl pkey -in "$key" -pubout -out "$pub" 2>/dev/null ||
	pages_die "cannot read the node's key $key"

# verify_entries FEED: each entry of the page, taken out into a document
# of its own as docs/protocol.md section 4 says, must verify with
# xmlsec1; prints how many did.
verify_entries() {
	local dir=$work/entries-$1 e n=0
	rm -rf "$dir"
	mkdir -p "$dir"
	python3 - "$(pages_body "$1")" "$dir" <<-'PY' ||
	import re, sys
	page = open(sys.argv[1], encoding='utf-8').read()
	for i, e in enumerate(re.findall(r'<entry[ >].*?</entry>', page, re.S)):
	    with open('%s/%03d.xml' % (sys.argv[2], i), 'w', encoding='utf-8') as f:
	        f.write(e)
	PY
		pages_die "cannot take the entries out of /feeds/$1"
	for e in "$dir"/*.xml; do
		[ -f "$e" ] || continue
		xmlsec1 --verify --pubkey-pem "$pub" "$e" >/dev/null 2>&1 ||
			pages_die "an entry of /feeds/$1 does not verify: $e"
		n=$((n + 1))
	done
	printf '%s' "$n"
}

# Each feed must hold 50 entries, each signed by the node: the data
# set's, not fewer, and not bytes that merely look like entries.
for f in "${feeds[@]}"; do
	entries=$(grep -o '<entry[ >]' "$(pages_body "$f")" | wc -l || true)
	[ "$entries" -eq 50 ] ||
		pages_die "/feeds/$f holds $entries entries, expected 50: were tests/bench/members.sql and knowledge.sql loaded?"
	verified=$(verify_entries "$f")
	[ "$verified" -eq 50 ] ||
		pages_die "/feeds/$f: $verified of its 50 entries verify"
	say "/feeds/$f: 50 entries, each verifies with the node's key"
	page_name[$f]="/feeds/$f (50 entries)"
	page_goal[$f]='≥ 0.8'
done

pages_measure 'Feed benchmark'
