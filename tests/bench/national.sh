#!/usr/bin/env bash
# National network benchmark: every region of a network makes changes at
# once, and the clock runs until every node holds every one of them.
# Measured too: the hubs' processor time and peak memory, and the bytes
# the whole network sent for it (pulled pages as they came over the
# wire, pushes and pings).
#
#   tests/bench/national.sh measure LABEL NODES_FILE
#   tests/bench/national.sh summary NATIONAL_LABEL REFERENCE_LABEL
#
# NODES_FILE lists the running nodes ./run bench started, one a line:
# "NAME ROLE CONFIG URL PID", ROLE hub or region.  measure waits for the
# network to know itself (every node holds every node's entry), then
# each region adds BENCH_NATIONAL_CHANGES glossary terms (default 5), all
# regions at once, and writes var/bench/national/LABEL.tsv.  summary
# compares two such runs (a national network, and the reference of one
# hub and three regions measured in the same invocation) into
# var/bench/summary.tsv.
#
#   BENCH_NATIONAL_TIMEOUT  seconds the network may take, at each step
#                           (default 600)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/common.sh"

work=$top/var/bench/national
changes=${BENCH_NATIONAL_CHANGES:-5}
timeout=${BENCH_NATIONAL_TIMEOUT:-600}
for v in "$changes" "$timeout"; do
	case $v in ''|*[!0-9]*) die "settings are whole numbers, not: $v" ;; esac
done

# until_all QUERY WANT: waits until QUERY gives at least WANT on every
# node, asking again only those short of it, twice a second (asking
# every node's database 42 times a second would itself load the
# machine being measured).  1 when the timeout came first.
until_all() {
	local q=$1 want=$2 limit=$(( $(date +%s) + timeout )) left i
	local -a short=("${dbs[@]}") next
	while [ ${#short[@]} -gt 0 ]; do
		next=()
		mapfile -t left < <(for i in "${short[@]}"; do
			printf '\\connect %s\n%s;\n' "$i" "$q"
		done | psql -X -q -tA -h "$host" -U acorn -d postgres 2>/dev/null)
		for i in "${!short[@]}"; do
			[ "${left[$i]:-0}" -ge "$want" ] 2>/dev/null ||
				next+=("${short[$i]}")
		done
		short=("${next[@]}")
		[ ${#short[@]} -gt 0 ] || return 0
		[ "$(date +%s)" -lt "$limit" ] || return 1
		sleep 0.5
	done
}

now() { date +%s.%N; }

# A counter of /metrics, summed over every node (labels included).
metric_sum() {
	local pattern=$1 url total=0 v
	for url in "${urls[@]}"; do
		v=$(curl -fsS --max-time 10 "$url/metrics" |
			awk -v p="$pattern" 'index($0, p) == 1 { s += $NF }
			END { printf "%.0f", s }')
		total=$((total + ${v:-0}))
	done
	printf '%s' "$total"
}

wire_bytes() {
	echo $(( $(metric_sum 'acorn_federation_pulled_bytes_total{as="wire"}') +
		$(metric_sum 'acorn_federation_sent_bytes_total{') ))
}

# cpu_ticks PID: user and system time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

measure() {
	local label=$1 file=$2 name role conf url pid db
	names=() roles=() urls=() pids=() dbs=()
	while read -r name role conf url pid; do
		case $name in ''|'#'*) continue ;; esac
		db=$(conf_get "$conf" database)
		db=$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$db")
		[ -n "$db" ] || die "$conf names no database"
		names+=("$name") roles+=("$role") urls+=("$url") pids+=("$pid")
		dbs+=("$db")
		host=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$(conf_get "$conf" database)")
	done <"$file"
	local n=${#names[@]} regions=0 i
	for role in "${roles[@]}"; do
		[ "$role" = region ] && regions=$((regions + 1))
	done
	[ "$regions" -gt 0 ] || die "$file lists no region"
	mkdir -p "$work"

	say "$label: waiting for $n nodes to know each other and settle"
	until_all "SELECT count(*) FROM nodes WHERE NOT deleted" "$n" ||
		die "$label: the network never knew itself"
	# Settled: nothing waits to be signed, and no node is behind a peer.
	until_all "SELECT (NOT EXISTS (SELECT 1 FROM peer_cursors
	    WHERE behind > 0) AND NOT EXISTS (SELECT 1 FROM nodes
	    WHERE pending))::integer" 1 ||
		die "$label: the network never settled"

	local bytes0 t0 t1 total=$((regions * changes)) ticks0=() hz
	hz=$(getconf CLK_TCK)
	for i in "${!names[@]}"; do
		[ "${roles[$i]}" = hub ] || continue
		ticks0[$i]=$(cpu_ticks "${pids[$i]}")
		printf '5' >"/proc/${pids[$i]}/clear_refs" 2>/dev/null || true
	done
	bytes0=$(wire_bytes)

	say "$label: $regions regions make $changes changes each, at once"
	t0=$(now)
	for i in "${!names[@]}"; do
		[ "${roles[$i]}" = region ] || continue
		psql -X -q -h "$host" -U acorn -d "${dbs[$i]}" -v ON_ERROR_STOP=1 \
			-c "INSERT INTO glossary_terms (id, origin, term,
			    definition) SELECT gen_random_uuid(), (SELECT id FROM
			    node), '$label ' || (SELECT name FROM node) || ' ' || g,
			    'A change to share.' FROM generate_series(1, $changes) g" &
	done
	wait
	until_all "SELECT count(*) FROM glossary_terms WHERE term LIKE
	    '$label %'" "$total" ||
		die "$label: not every node held every change in ${timeout}s"
	t1=$(now)
	# What is still on its way (the last pings, a poll) is counted too.
	sleep 2
	local bytes1 secs hub_cpu=0 hub_mem=0 t kb
	bytes1=$(wire_bytes)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	for i in "${!names[@]}"; do
		[ "${roles[$i]}" = hub ] || continue
		t=$(( $(cpu_ticks "${pids[$i]}") - ticks0[$i] ))
		[ "$t" -gt "$hub_cpu" ] && hub_cpu=$t
		kb=$(status_kb "${pids[$i]}" VmHWM)
		[ "${kb:-0}" -gt "$hub_mem" ] && hub_mem=$kb
	done
	local per_change per_reach cpu_ms
	per_change=$(awk -v b="$((bytes1 - bytes0))" -v c="$total" \
		'BEGIN { printf "%.0f", b / c }')
	per_reach=$(awk -v b="$((bytes1 - bytes0))" -v c="$total" -v n="$n" \
		'BEGIN { printf "%.0f", b / (c * (n - 1)) }')
	cpu_ms=$(awk -v t="$hub_cpu" -v hz="$hz" -v c="$total" \
		'BEGIN { printf "%.2f", 1000 * t / hz / c }')
	printf 'nodes\t%s\nregions\t%s\nchanges\t%s\nseconds\t%s\n' \
		"$n" "$regions" "$total" "$secs" >"$work/$label.tsv"
	printf 'hub_cpu_ms_per_change\t%s\nhub_peak_mb\t%s\n' \
		"$cpu_ms" "$(mb "$hub_mem")" >>"$work/$label.tsv"
	printf 'bytes_per_change\t%s\nbytes_per_change_per_node\t%s\n' \
		"$per_change" "$per_reach" >>"$work/$label.tsv"
	printf '\n  %s: %s nodes, %s changes held everywhere in %s s\n' \
		"$label" "$n" "$total" "$secs"
	printf '  busiest hub: %s ms of processor per change, %s MB at most\n' \
		"$cpu_ms" "$(mb "$hub_mem")"
	printf '  on the wire: %s bytes per change, %s per change per node\n' \
		"$per_change" "$per_reach"
}

# get LABEL KEY: a figure measure wrote.
get() { awk -F '\t' -v k="$2" '$1 == k { print $2 }' "$work/$1.tsv"; }

summary() {
	local nat=$1 ref=$2 k what unit shape
	[ -r "$work/$nat.tsv" ] && [ -r "$work/$ref.tsv" ] ||
		die "measure both networks first"
	shape="$(get "$nat" nodes) nodes"
	for k in seconds hub_cpu_ms_per_change hub_peak_mb bytes_per_change \
		bytes_per_change_per_node; do
		case $k in
		seconds) what="every change held everywhere"; unit=s ;;
		hub_cpu_ms_per_change) what="busiest hub's processor per change"
			unit=ms ;;
		hub_peak_mb) what="busiest hub's peak memory"; unit=MB ;;
		bytes_per_change) what="bytes on the wire per change"
			unit=bytes ;;
		bytes_per_change_per_node) what="bytes per change per node reached"
			unit=bytes ;;
		esac
		summary_row "national network ($shape): $what" "$(get "$nat" "$k")" \
			"$(get "$ref" "$k")" "$(ratio "$(get "$nat" "$k")" \
			"$(get "$ref" "$k")")" - "$unit"
	done
}

case ${1:-} in
measure) [ $# -eq 3 ] || die "usage: measure LABEL NODES_FILE"; measure "$2" "$3" ;;
summary) [ $# -eq 3 ] || die "usage: summary NATIONAL REFERENCE"; summary "$2" "$3" ;;
*) die "usage: $bench_prog measure LABEL NODES_FILE | summary NATIONAL REFERENCE" ;;
esac
