#!/usr/bin/env bash
# Propagation benchmark: how long a change made on one regional node takes
# to be in another region's database, through the hub they both peer
# with (sign, ping the hub, the hub pulls and merges, pings the region,
# the region pulls and merges).  Beside it, in the same writes, the
# reference: the change read back from the writer's own database on a
# second connection, a write and a read with no federation in between.
#
#   tests/bench/propagation.sh WRITER_CONFIG HUB_CONFIG READER_CONFIG
#
# The three configuration files are of running nodes peered as ./run demo
# peers them (the hub pins both regions, each region pins the hub with
# --hub); ./run bench sets that up.  The writes are to one glossary term
# the probe adds on the writer.  Settings, from the environment:
#
#   BENCH_PROP_WRITES    changes timed, one after another (default 200)
#   BENCH_PROP_PAUSE_MS  quiet time before each, jittered by half either
#                        way (default 300: longer than the 100 ms a node
#                        leaves between two pulls of one peer)
#   BENCH_PROP_TIMEOUT   seconds one change may take to arrive (default 30)
#   PROPAGATE            the probe (default var/build/tests/bench/propagate)
#
# Exits non-zero when a change does not arrive in time or a database
# fails.  Output: var/bench/propagation (the probe's summary and every
# write's times).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/common.sh"

[ $# -eq 3 ] ||
	{ printf 'usage: %s WRITER_CONFIG HUB_CONFIG READER_CONFIG\n' \
		"$bench_prog" >&2; exit 2; }

writes=${BENCH_PROP_WRITES:-200}
pause=${BENCH_PROP_PAUSE_MS:-300}
timeout=${BENCH_PROP_TIMEOUT:-30}
for v in "$writes" "$pause" "$timeout"; do
	case $v in ''|*[!0-9]*) die "settings are whole numbers, not: $v" ;; esac
done
[ "$writes" -gt 0 ] || die "BENCH_PROP_WRITES must be positive"
probe=${PROPAGATE:-$top/var/build/tests/bench/propagate}
[ -x "$probe" ] || die "$probe is missing (make check TESTS= builds it)"

names=() dbs=()
for conf; do
	[ -r "$conf" ] || die "cannot read $conf"
	db=$(conf_get "$conf" database)
	[ -n "$db" ] || die "$conf names no database"
	dbs+=("$db")
	names+=("$(conf_get "$conf" region)")
done

work=$top/var/bench/propagation
rm -rf "$work"
mkdir -p "$work"

# Bounded as a whole: the warm-up, then every write at its worst.
limit=$((180 + writes * (timeout + pause / 1000 + 1)))
mem_reset
say "$writes changes on ${names[0]}, each timed until ${names[2]} holds it"
timeout "$limit" "$probe" -n "$writes" -p "$pause" -t "$timeout" \
	-s "$work/samples.txt" "${dbs[0]}" "${dbs[1]}" "${dbs[2]}" \
	>"$work/result.txt" || die "the probe failed (see above)"

get() {
	local v
	v=$(awk -v k="$1" '$1 == k { print $2; exit }' "$work/result.txt")
	[ -n "$v" ] || die "the probe did not report $1"
	printf '%s' "$v"
}
ms() { awk -v x="$1" 'BEGIN { printf (x < 10 ? "%.2f" : "%.1f"), x }'; }

row() {	# LABEL KEY
	printf '  %-44s %9s %9s %9s\n' "$1" "$(ms "$(get "$2_p50_ms")")" \
		"$(ms "$(get "$2_p99_ms")")" "$(ms "$(get "$2_max_ms")")"
}

printf '\nPropagation benchmark: %s changes to a glossary term on %s, each timed\n' \
	"$writes" "${names[0]}"
printf '  until visible in %s through the hub; %s ms apart (jittered); %s CPUs\n\n' \
	"${names[2]}" "$pause" "$(nproc)"
printf '  %-44s %9s %9s %9s\n' 'visible' 'p50 ms' 'p99 ms' 'max ms'
row "reference: on the writer, read back" reference
row "signed by the writer (in its feeds)" signed
row "in the hub's (${names[1]}) database" holder1
row "in ${names[2]}'s database" holder2
goal='≤ 4'
for q in p50 p99; do
	far=$(ms "$(get "holder2_${q}_ms")")
	near=$(ms "$(get "reference_${q}_ms")")
	r=$(ratio "$(get "holder2_${q}_ms")" "$(get "reference_${q}_ms")")
	printf '\n  ratio, region to region over the reference, %s: %s (goal %s: %s)' \
		"$q" "$r" "$goal" "$(verdict "$goal" "$far" "$r")"
	summary_row "region → hub → region $q" "$far" "read back $near" "$r" \
		"$goal" ms
done
printf '\n'
printf '  reference: the same UPDATE, then a SELECT on a second connection to\n'
printf '  the writer'"'"'s database seeing it.  Times per write: %s\n' \
	"var/bench/propagation/samples.txt"
mem_report propagation
