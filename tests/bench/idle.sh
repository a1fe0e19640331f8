#!/usr/bin/env bash
# Idle poll benchmark: the bytes one pull of every collection moves when
# nothing changed, sent as a node's puller sent it before it asked one
# question per peer: per collection,
# GET /feeds/COLLECTION?after=CURSOR with If-None-Match, the ETag of the
# answer before (a 304 each, no body).  The reference is the very same
# requests without If-None-Match: the pages the puller would be sent
# again without ETags.
#
#   tests/bench/idle.sh PULLER_CONFIG
#
# PULLER_CONFIG is a running node's configuration: its first hub peer
# (or else its first peer) is polled, from the cursors and ETags that node
# keeps.  The pull is repeated until the poller is caught up (no entry
# past its cursors), for at most BENCH_IDLE_WAIT seconds (default 60).
#
# Exits non-zero when the peer does not answer, the node does not catch
# up, or an idle poll is answered otherwise than with 304.  Bytes are as
# curl counts them: the request sent, the response's header and body
# (TCP and IP framing not included).  Then the one question a caught-up
# puller asks now (GET /feeds?since=..., docs/protocol.md section 6.1),
# beside that poll: the requests, headers-only answers and bytes of the
# table's row.  Then, the network being idle, the
# resident memory (VmRSS) of every node ./run started, after
# BENCH_IDLE_SETTLE seconds at rest (default 12), against the goal of 16
# MB each, and beside it each node's proportional set size (PSS, the
# largest also as a row of its own).  Output: var/bench/idle, and rows in
# var/bench/summary.tsv.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || { printf 'usage: %s PULLER_CONFIG\n' "$bench_prog" >&2; exit 2; }
conf=$1
[ -r "$conf" ] || die "cannot read $conf"
db=$(conf_get "$conf" database)
[ -n "$db" ] || die "$conf names no database"
wait_s=${BENCH_IDLE_WAIT:-60}
settle=${BENCH_IDLE_SETTLE:-12}
for v in "$wait_s" "$settle"; do
	case $v in ''|*[!0-9]*) die "BENCH_IDLE_WAIT and BENCH_IDLE_SETTLE are whole numbers" ;; esac
done

# In the order the puller takes them.
collections=(nodes members events evaluations documents glossary organisations
	locations services)

work=$top/var/bench/idle
rm -rf "$work"
mkdir -p "$work"

sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@" "$db"; }

# rollup_kb PID FIELD: a /proc/PID/smaps_rollup figure in kB (Pss, Rss).
rollup_kb() { awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/smaps_rollup" 2>/dev/null; }

read -r peer url < <(sql -F ' ' -c "SELECT id, url FROM peers
	ORDER BY hub DESC, id LIMIT 1") || true
[ -n "${url:-}" ] || die "the node in $conf has no peer"

declare -A cursor etag
# The puller's state, as it would start its next pull; 1 while some
# collection has not been pulled yet (the node has only just started).
missing=
load_cursors() {
	local c s e
	cursor=() etag=()
	while IFS='|' read -r c s e; do
		cursor[$c]=$s
		etag[$c]=$e
	done < <(sql -c "SELECT collection, seq, coalesce(etag, '')
		FROM peer_cursors WHERE peer = $peer")
	for c in "${collections[@]}"; do
		[ -n "${cursor[$c]:-}" ] || { missing=$c; return 1; }
	done
}

# The version in the peer's User-Agent: the node's own.
version=$(curl -sS --max-time 10 "$url/feeds/nodes?after=0" |
	sed -n 's/.*<generator version="\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$version" ] || die "$url/feeds/nodes has no generator version"

# pull LABEL WITH_ETAGS: one request per collection on one connection,
# with the puller's headers; "COLLECTION STATUS REQUEST HEADER BODY" lines
# in $work/LABEL.txt, bodies in $work/LABEL-COLLECTION.xml, ETags from
# the response headers in $work/LABEL-COLLECTION.headers.
pull() {
	local label=$1 with=$2 c args=() first=1
	for c in "${collections[@]}"; do
		[ $first -eq 1 ] || args+=(--next)
		first=0
		args+=(-sS --max-time 10 --compressed -A "Acorn/$version"
			-H 'Accept: application/atom+xml, */*;q=0.1'
			-o "$work/$label-$c.xml" -D "$work/$label-$c.headers"
			-w "$c %{http_code} %{size_request} %{size_header} %{size_download}\n")
		if [ "$with" = yes ] && [ -n "${etag[$c]}" ]; then
			args+=(-H "If-None-Match: ${etag[$c]}")
		fi
		args+=("$url/feeds/$c?after=${cursor[$c]}")
	done
	curl "${args[@]}" >"$work/$label.txt" || die "cannot poll $url"
}

status() { awk -v c="$2" '$1 == c { print $2 }' "$work/$1.txt"; }
bytes() { awk -v c="$2" '$1 == c { print $3 + $4 + $5 }' "$work/$1.txt"; }
total() { awk '{ t += $3 + $4 + $5 } END { print t }' "$work/$1.txt"; }

# Caught up: no page past the cursors holds an entry.  A 200 without
# entries is the puller's next answer after a change; it keeps that
# answer's ETag, as the puller does when it merges the empty page.
mem_reset
deadline=$((SECONDS + wait_s))
while :; do
	if ! load_cursors; then
		[ $SECONDS -lt $deadline ] ||
			die "the node has not pulled $missing from $url within ${wait_s}s"
		sleep 1
		continue
	fi
	pull first yes
	behind=0 matched=0
	for c in "${collections[@]}"; do
		case $(status first "$c") in
		304) matched=$((matched + 1)) ;;
		200)
			if grep -q '<acorn:cursor>' "$work/first-$c.xml"; then
				behind=1
			else
				etag[$c]=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' \
					"$work/first-$c.headers")
			fi ;;
		*) die "$url/feeds/$c answered $(status first "$c")" ;;
		esac
	done
	[ $behind -eq 1 ] || break
	[ $SECONDS -lt $deadline ] ||
		die "the node did not catch up with $url within ${wait_s}s"
	sleep 1
done

say "polling $url as its idle puller would, then without ETags"
pull idle yes
pull reference no

failed=0
for c in "${collections[@]}"; do
	[ "$(status idle "$c")" = 304 ] || {
		printf '%s: the idle poll of %s answered %s, not 304\n' \
			"$bench_prog" "$c" "$(status idle "$c")" >&2
		failed=1; }
	[ "$(status reference "$c")" = 200 ] ||
		die "$url/feeds/$c without an ETag answered $(status reference "$c")"
done

printf '\nIdle poll benchmark: %s pulling %s, caught up;\n' \
	"$(conf_get "$conf" node_name)" "$url"
printf '  one request per collection, on one connection, as its puller sends them\n\n'
printf '  %-12s %8s   %-22s %-22s\n' collection cursor \
	'idle (If-None-Match)' 'reference (without)'
for c in "${collections[@]}"; do
	printf '  %-12s %8s   %3s %12s bytes   %3s %12s bytes\n' "$c" \
		"${cursor[$c]}" "$(status idle "$c")" "$(fmt "$(bytes idle "$c")")" \
		"$(status reference "$c")" "$(fmt "$(bytes reference "$c")")"
done
printf '  %-12s %8s   %3s %12s bytes   %3s %12s bytes\n' total '' '' \
	"$(fmt "$(total idle)")" '' "$(fmt "$(total reference)")"
idle_ratio=$(ratio "$(total idle)" "$(total reference)")
printf '\n  ratio idle/reference: %s\n' "$idle_ratio"
printf '  bytes: request + response header + body, as curl counts them.\n'
printf '  The ETags the node kept from its own last pull matched for %s of %s\n' \
	"$matched" "${#collections[@]}"
printf '  collections (where one did not, its next poll gets a page without entries).\n'

# The row of the table: what a caught-up puller sends now, the one
# question of docs/protocol.md section 6.1 ("anything after these
# cursors?"), sent as the puller sends it, against the poll above, one
# request per collection with ETags, as pullers polled before it.  The
# goal: one request per peer, answered with headers only.
since=
for c in "${collections[@]}"; do
	since+=${since:+,}$c:${cursor[$c]}
done
curl -sS --max-time 10 --compressed -A "Acorn/$version" \
	-o "$work/question.body" -D "$work/question.headers" \
	-w 'question %{http_code} %{size_request} %{size_header} %{size_download}\n' \
	"$url/feeds?since=$since" >"$work/question.txt" ||
	die "cannot ask $url/feeds?since=$since"
asked=$(status question question)
case $asked in
204|304) ;;
404) die "$url does not answer /feeds?since= (an older node?)" ;;
*) printf '%s: the caught-up question answered %s, not 204 or 304\n' \
	"$bench_prog" "$asked" >&2
   failed=1 ;;
esac
requests=$(wc -l <"$work/question.txt")
headers_only=$(awk '($2 == 204 || $2 == 304) && $5 == 0 { n++ }
	END { print n + 0 }' "$work/question.txt")
body=$(awk '{ t += $5 } END { print t + 0 }' "$work/question.txt")
asked_ratio=$(ratio "$(total question)" "$(total idle)")
printf '\n  one idle poll, as the puller asks it: %s request, answered %s, %s bytes,\n' \
	"$requests" "$asked" "$(fmt "$(total question)")"
printf '  %s of them body; per collection with ETags it was %s requests, %s bytes\n' \
	"$(fmt "$body")" "${#collections[@]}" "$(fmt "$(total idle)")"
printf '  (ratio %s)\n' "$asked_ratio"
summary_row 'idle poll of a caught-up peer: requests' "$requests" \
	"per collection ${#collections[@]}" - '≤ 1' requests
summary_row 'idle poll of a caught-up peer: headers only' "$headers_only" \
	- - - responses
summary_row 'idle poll of a caught-up peer: bytes' "$(fmt "$(total question)")" \
	"per collection $(fmt "$(total idle)")" "$asked_ratio" - bytes
summary_row 'idle poll of a caught-up peer: body bytes' "$(fmt "$body")" \
	- - '≤ 0' bytes
mem_report idle

# Every node at rest: what it holds resident now, and of that how much is
# its own (anonymous: heap, stacks) and how much the pages of the shared
# libraries it runs (file-backed, shared with every process using them).
# Beside it, its proportional set size (PSS): each shared page counted
# as the share of it this process holds, so that the pages of libcrypto
# or libc, which PostgreSQL and every other process map too, count once
# across them all rather than whole in each.
# At rest means a while without requests: a node gives back what its
# allocator holds free every 10 seconds (server/main.c, TRIM_IDLE).
sleep "$settle"
printf '\n  idle resident memory after %ss at rest, goal ≤ 16 MB each:\n' "$settle"
printf '  %-20s %8s %10s %17s %9s\n' node VmRSS 'own (anon)' \
	'libraries (file)' PSS
most=0 most_anon=0 most_file=0 most_pss=0
while read -r name pid; do
	kb=$(status_kb "$pid" VmRSS)
	[ -n "$kb" ] || continue
	anon=$(status_kb "$pid" RssAnon)
	file=$(status_kb "$pid" RssFile)
	pss=$(rollup_kb "$pid" Pss)
	printf '  %-20s %5s MB %7s MB %14s MB %6s MB\n' "$name" "$(mb "$kb")" \
		"$(mb "$anon")" "$(mb "$file")" "$(mb "${pss:-0}")"
	[ "$kb" -le "$most" ] || { most=$kb most_anon=$anon most_file=$file; }
	[ "${pss:-0}" -le "$most_pss" ] || most_pss=$pss
done < <(bench_nodes)
if [ "$most" -gt 0 ]; then
	summary_row 'idle node resident memory (the largest)' "$(mb "$most")" \
		- - '≤ 16' MB
	summary_row 'idle node resident memory: its own (anon)' \
		"$(mb "$most_anon")" - - - MB
	summary_row 'idle node resident memory: libraries (file)' \
		"$(mb "$most_file")" - - - MB
	summary_row 'idle node proportional memory (PSS)' \
		"$(mb "$most_pss")" - - - MB
fi

[ $failed -eq 0 ] || die 'an idle poll was answered with a body (see above)'
