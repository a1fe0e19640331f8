#!/usr/bin/env bash
# Remote registration benchmark: 400 members of a region press Confirm at
# the same moment, on their own node's pages, for a conference with 200
# places that the hub holds; each confirmation is handed to the region's
# courier, signed, posted to the hub's inbox, decided there under the
# place type's lock and answered with a signed outcome, and the storm is
# timed until the region's database holds every outcome (each member's
# time is when theirs was applied there); then every member's page is
# loaded once and must show it.  (Loading 400 pages again every tenth
# of a second until they did, as before, was itself thousands of page
# loads a second on the region while it delivered; a member's browser
# asks every three seconds.)  Beside it, in the same run
# and with the same load generator and concurrency, 400 of the hub's own
# members press Register on the hub for a second event made the same way.
# Prints registrations per second for both and their ratio, remote over
# local, and checks the outcome of every storm on both nodes: 200
# confirmed, 200 waiting, no gaps, the region holding what the hub holds.
#
#   tests/bench/remote.sh HUB_URL HUB_CONFIG REGION_URL REGION_CONFIG
#
# Both nodes are running, loaded with tests/bench/registrations.sql, and
# peered as ./run demo peers them (the hub pins the region, the region
# pins the hub with --hub); ./run bench sets that up.  Settings, from the
# environment:
#
#   BENCH_REMOTE_ROUNDS   measured rounds, each with two fresh events; the
#                         report gives the median (default 3)
#   BENCH_REMOTE_WARMUP   unmeasured rounds first (default 1)
#   BENCH_REMOTE_WAIT     seconds a new event may take to reach the region
#                         (default 60)
#   STORM                 the load generator (default
#                         var/build/tests/bench/storm)
#
# Each round alternates which side goes first.  Exits non-zero when any
# storm, measured or not, ends otherwise than as it must.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/common.sh"
. "$here/storm.sh"

usage() {
	printf 'usage: %s HUB_URL HUB_CONFIG REGION_URL REGION_CONFIG\n' \
		"$bench_prog" >&2
	exit 2
}
[ $# -eq 4 ] || usage
hub_url=${1%/}
region_url=${3%/}
for u in "$hub_url" "$region_url"; do
	case $u in http://*|https://*) ;; *) usage ;; esac
done
for conf in "$2" "$4"; do
	[ -r "$conf" ] || die "cannot read $conf"
done
hub_db=$(conf_get "$2" database)
region_db=$(conf_get "$4" database)
region_name=$(conf_get "$4" region)
[ -n "$hub_db" ] && [ -n "$region_db" ] || die "a configuration names no database"
[ -n "$region_name" ] || region_name=region

whole_setting() {	# NAME VALUE ZERO_OK
	case $2 in ''|*[!0-9]*) die "$1 must be a whole number" ;; esac
	[ "$3" = zero ] || [ "$2" -gt 0 ] || die "$1 must be positive"
	printf '%s' "$((10#$2))"
}
rounds=$(whole_setting BENCH_REMOTE_ROUNDS "${BENCH_REMOTE_ROUNDS:-3}" positive)
warmup=$(whole_setting BENCH_REMOTE_WARMUP "${BENCH_REMOTE_WARMUP:-1}" zero)
wait_s=$(whole_setting BENCH_REMOTE_WAIT "${BENCH_REMOTE_WAIT:-60}" positive)
storm=${STORM:-$top/var/build/tests/bench/storm}
[ -x "$storm" ] || die "$storm is missing (make check TESTS= builds it)"
for tool in psql timeout; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done

work=$top/var/bench/remote

cleanup() {
	rm -f "$work/hub.sessions" "$work/region.sessions"
	storm_sessions_drop "$hub_db"
	storm_sessions_drop "$region_db"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$work"
mkdir -p "$work"

region_id=$(storm_sql "$region_db" -c 'SELECT id FROM node')
storm_sql "$hub_db" -v id="$region_id" <<-'EOF' | grep -q 1 ||
	SELECT 1 FROM peers WHERE node = :'id';
	EOF
	die "the hub has not pinned the region"
say "signing in $people people on each node"
storm_sessions "$hub_db" "$work/hub.sessions"
storm_sessions "$region_db" "$work/region.sessions"

# Waits until the region holds the hub's event with its kind of place.
reaches_region() {	# EVENT
	local t=0
	while [ "$t" -lt $((wait_s * 10)) ]; do
		[ "$(storm_sql "$region_db" -v ev="$1" <<-'EOF'
		SELECT count(*) FROM place_types
		WHERE event = :'ev' AND ref IS NOT NULL;
		EOF
		)" = 1 ] && return 0
		sleep 0.1
		t=$((t + 1))
	done
	die "event $1 did not reach the region in ${wait_s}s"
}

# What the region holds for a storm of its members: every request
# answered, agreeing with the hub, each person told by mail once; and
# every registration at the hub marked as the region's.  Complains and
# returns 1 when anything is off.
region_check() {	# EVENT LABEL
	local out n pend c w mails mine bad=0
	out=$(storm_sql "$region_db" -v ev="$1" <<-'EOF'
	SELECT
	    (SELECT count(*) FROM away_registrations WHERE event = :'ev'),
	    (SELECT count(*) FROM away_registrations WHERE event = :'ev'
	     AND (status = 'pending' OR delivered < version)),
	    (SELECT string_agg(lower(email) || ' ' || status || ' ' ||
	     coalesce(position::text, '-'), ',' ORDER BY lower(email))
	     FROM away_registrations WHERE event = :'ev'),
	    (SELECT count(*) FROM outbox
	     WHERE body LIKE '%/events/' || :'ev' || E'\n%');
	EOF
	) || { printf '  %s: cannot read the region\n' "$2" >&2; return 1; }
	IFS='|' read -r n pend c mails <<<"$out"
	w=$(storm_sql "$hub_db" -v ev="$1" -v home="$region_id" <<-'EOF'
	SELECT string_agg(lower(email) || ' ' || status || ' ' ||
	    coalesce(acorn_waiting_position(id)::text, '-'), ','
	    ORDER BY lower(email))
	FROM registrations WHERE event = :'ev' AND home = :'home';
	EOF
	) || { printf '  %s: cannot read the hub\n' "$2" >&2; return 1; }
	mine=$(storm_sql "$hub_db" -v ev="$1" -v home="$region_id" <<-'EOF'
	SELECT count(*) FROM registrations
	WHERE event = :'ev' AND home = :'home';
	EOF
	) || return 1
	[ "$n" -eq $people ] ||
		{ printf '  %s: the region holds %s requests, expected %s\n' "$2" "$n" $people >&2; bad=1; }
	[ "$pend" -eq 0 ] ||
		{ printf '  %s: %s requests still unanswered\n' "$2" "$pend" >&2; bad=1; }
	[ "$mine" -eq $people ] ||
		{ printf '  %s: the hub marks %s as the region'"'"'s, expected %s\n' "$2" "$mine" $people >&2; bad=1; }
	[ "$c" = "$w" ] ||
		{ printf '  %s: the region and the hub disagree on who has what\n' "$2" >&2; bad=1; }
	[ "$mails" -eq $people ] ||
		{ printf '  %s: the region queued %s mails, expected %s\n' "$2" "$mails" $people >&2; bad=1; }
	return $bad
}

failed=0
declare -A rate lat ratio_r

run_storm() {	# ROUND SIDE EVENT
	local r=$1 side=$2 ev=$3 out=$work/round-$1-$2.txt label
	local flags=() url=$hub_url sessions=$work/hub.sessions mails=$people
	label="round $r $side"
	if [ "$side" = remote ]; then
		flags=(-c -d "$region_db")
		url=$region_url
		sessions=$work/region.sessions
		mails=0		# the home node tells its members, not the hub
	fi
	say "round $r: $people registrations, $side"
	timeout 300 "$storm" "${flags[@]}" "$url" "$ev" "$sessions" >"$out" ||
		die "the $side storm could not run (see above)"
	storm_answers "$out" "$label" || failed=1
	[ "$(storm_value pending "$out")" -eq 0 ] ||
		{ printf '  %s: %s people were told the hub had not answered yet\n' \
			"$label" "$(storm_value pending "$out")" >&2; failed=1; }
	storm_check "$hub_db" "$ev" "$label" $mails >/dev/null || failed=1
	if [ "$side" = remote ]; then region_check "$ev" "$label" || failed=1; fi
	rate[$r-$side]=$(storm_value per_second "$out")
	lat[$r-$side]="p50 $(storm_value latency_p50_ms "$out") ms, p99 $(storm_value latency_p99_ms "$out") ms"
}

mem_reset
total=$((warmup + rounds))
for ((k = 1; k <= total; k++)); do
	if [ $k -le "$warmup" ]; then r=w$k; else r=$((k - warmup)); fi
	read -r remote_ev _ <<<"$(storm_event "$hub_db" "Remote storm $r (from $region_name)")"
	read -r local_ev _ <<<"$(storm_event "$hub_db" "Remote storm $r (on the hub)")"
	[ -n "$remote_ev" ] && [ -n "$local_ev" ] || die "could not make the events"
	reaches_region "$remote_ev"
	# Alternate who goes first: neither side always meets the fuller
	# tables or the warmer caches.
	if [ $((k % 2)) -eq 1 ]; then
		run_storm "$r" remote "$remote_ev"
		run_storm "$r" local "$local_ev"
	else
		run_storm "$r" local "$local_ev"
		run_storm "$r" remote "$remote_ev"
	fi
	if [ $k -gt "$warmup" ]; then
		ratio_r[$r]=$(ratio "${rate[$r-remote]}" "${rate[$r-local]}")
	fi
done

printf '\nRemote registration benchmark: %s people, %s places, all sent at once; %s CPUs\n' \
	$people $places "$(nproc)"
printf '  remote: members of %s confirm on their node'"'"'s pages, which sends\n' "$region_name"
printf '          each to the hub'"'"'s inbox and waits for the signed outcome\n'
printf '  local:  the hub'"'"'s own members register on the hub'"'"'s pages\n'
printf '  everyone signed in and on the last step already; only the %s POSTs timed\n\n' $people
printf '  %-7s %15s %14s %7s   %-33s %s\n' round 'remote reg/s' 'local reg/s' \
	ratio 'remote latency' 'local latency'
for ((r = 1; r <= rounds; r++)); do
	printf '  %-7s %15s %14s %7s   %-33s %s\n' "$r" \
		"$(whole "${rate[$r-remote]}")" "$(whole "${rate[$r-local]}")" \
		"${ratio_r[$r]}" "${lat[$r-remote]}" "${lat[$r-local]}"
done
rs=() ls=() qs=()
for ((r = 1; r <= rounds; r++)); do
	rs+=("${rate[$r-remote]}") ls+=("${rate[$r-local]}") qs+=("${ratio_r[$r]}")
done
med_r=$(fmt "$(median "${rs[@]}")")
med_l=$(fmt "$(median "${ls[@]}")")
med_q=$(median "${qs[@]}")
printf '  %-7s %15s %14s %7s\n' median "$med_r" "$med_l" "$med_q"
printf '\n  ratio = remote/local within each round; the median ratio is the\n'
printf '  median of those.  Outputs: var/bench/remote/round-*\n'
goal='≥ 0.6'
printf '  goal: %s (%s)\n' "$goal" "$(verdict "$goal" "$med_r" "$med_q")"
summary_row 'remote vs local registration storm' "$med_r" "local $med_l" \
	"$med_q" "$goal" reg/s
mem_report remote

if [ $failed -ne 0 ]; then
	echo 'remote.sh: some storms did not end as they must (see above)' >&2
	exit 1
fi
