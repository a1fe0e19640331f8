#!/usr/bin/env bash
# Registration benchmark: 400 people press Register at the same moment for
# a conference with 200 places, over HTTP against one node, and beside it
# pgbench sends the very statement the node's registration handler sends,
# straight to the same database, for a second event made the same way.
# Prints registrations per second for both and their ratio, and checks the
# outcome of every storm: 200 confirmed, 200 waiting, no gaps.
#
#   tests/bench/registrations.sh BASE_URL CONFIG
#
# BASE_URL is a running node loaded with tests/bench/registrations.sql and
# CONFIG its configuration file, for the database and the pool size
# (./run bench sets that up).  Settings, from the environment:
#
#   BENCH_REG_ROUNDS      measured rounds, each with two fresh events; the
#                     report gives the median (default 3)
#   BENCH_REG_WARMUP      unmeasured rounds first (default 1)
#   BENCH_PG_CLIENTS  pgbench clients (default: the node's database
#                     connections, db_connections or else threads); must
#                     divide 400
#   STORM             the load generator (default var/build/tests/bench/storm)
#   PGBENCH           pgbench (default: the newest PostgreSQL's)
#
# Each round makes two events and alternates which side goes first.  Exits
# non-zero when any storm, measured or not, ends otherwise than 200
# confirmed and 200 waiting in one unbroken arrival order.
set -euo pipefail

usage() { printf 'usage: %s BASE_URL CONFIG\n' "${0##*/}" >&2; exit 2; }
[ $# -eq 2 ] || usage
base=${1%/}
conf=$2
case $base in http://*|https://*) ;; *) usage ;; esac
[ -r "$conf" ] || { printf 'registrations.sh: cannot read %s\n' "$conf" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$top/var/bench/registrations

. "$here/common.sh"
. "$here/storm.sh"

count() {	# a whole number, or exit; $3 says whether 0 is allowed
	case $2 in
	''|*[!0-9]*) printf 'registrations.sh: %s must be a number\n' "$1" >&2
		exit 2 ;;
	esac
	[ "$3" = zero ] || [ "$2" -gt 0 ] ||
		{ printf 'registrations.sh: %s must be positive\n' "$1" >&2; exit 2; }
	printf '%s' "$((10#$2))"
}

conninfo=$(conf_get "$conf" database)
public_url=$(conf_get "$conf" public_url)
[ -n "$conninfo" ] || die "$conf names no database"
[ -n "$public_url" ] || public_url=$base	# the address the node bound
pool=$(conf_get "$conf" db_connections)
[ -n "$pool" ] || pool=$(conf_get "$conf" threads)
[ -n "$pool" ] || pool=4	# the node's default: one per HTTP thread

rounds=$(count BENCH_REG_ROUNDS "${BENCH_REG_ROUNDS:-3}" positive)
warmup=$(count BENCH_REG_WARMUP "${BENCH_REG_WARMUP:-1}" zero)
clients=$(count BENCH_PG_CLIENTS "${BENCH_PG_CLIENTS:-$pool}" positive)
[ $((people % clients)) -eq 0 ] ||
	die "BENCH_PG_CLIENTS ($clients) must divide $people"
per_client=$((people / clients))
jobs=$(nproc)
[ "$jobs" -le "$clients" ] || jobs=$clients

storm=${STORM:-$top/var/build/tests/bench/storm}
pgbench=${PGBENCH:-}
if [ -z "$pgbench" ]; then
	pgbench=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pgbench
	[ -x "$pgbench" ] || pgbench=$(command -v pgbench || true)
fi
[ -x "$storm" ] || die "$storm is missing (make check TESTS= builds it)"
[ -n "$pgbench" ] && [ -x "$pgbench" ] ||
	die "pgbench is missing (it comes with the postgresql packages)"
for tool in psql timeout; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done

sql() { storm_sql "$conninfo" "$@"; }

# Removes the sessions this run made, and their tokens, however it ends.
cleanup() {
	rm -f "$work/sessions"
	storm_sessions_drop "$conninfo"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$work"
mkdir -p "$work"

# --- the people -------------------------------------------------------------

first_account=$(sql <<-EOF
	SELECT min(id) FROM accounts WHERE email LIKE 'storm.%@bench.example.org'
	HAVING count(*) = $people AND max(id) - min(id) + 1 = $people;
	EOF
)
[ -n "$first_account" ] ||
	die "expected $people storm accounts: was tests/bench/registrations.sql loaded?"

say "signing in $people people"
storm_sessions "$conninfo" "$work/sessions"

# --- the pgbench side -------------------------------------------------------------

# The statement events_register() in server/registrations.c sends for a
# member, word for word, with pgbench variables where the handler passes
# $1..$12.  What the handler has from the person's session (account id,
# member id, email) is made here from the person's number, as
# registrations.sql made them; the event asks no questions, so the answers
# are empty; the request key is as unique as the form's.
cat >"$work/register.sql" <<'EOF'
\set i :i + 1
\set n :client_id * :per + :i
\set account :first + :n - 1
WITH reg AS (SELECT g.* FROM place_types pt, members m,
 acorn_register(pt.id, :account, m.name,
 'storm.' || :n || '@bench.example.org', m.organisation, :places::integer,
 :public::boolean, 'pgbench-' || :event || '-' || :n) AS g
 WHERE pt.id = :place AND pt.event = :event
 AND m.id = (SELECT member FROM accounts WHERE id = :account)),
 ans AS (INSERT INTO answers (registration, question, value)
 SELECT reg.registration, a.q, a.v FROM reg,
 unnest('{}'::bigint[], '{}'::text[]) AS a(q, v) WHERE NOT reg.repeated),
 told AS (SELECT acorn_tell(reg.registration, reg.status,
 :url) FROM reg WHERE NOT reg.repeated)
 SELECT reg.status, reg.waiting_position, e.title,
 (SELECT count(*) FROM told)
 FROM reg, events e WHERE e.id = :event;
EOF

# --- measuring ----------------------------------------------------------------------

failed=0
declare -A http_rate pg_rate ratio_r http_cw pg_cw http_lat

run_http() {	# ROUND EVENT: fills http_rate etc.
	local r=$1 ev=$2 out=$work/round-$1-http.txt cw
	say "round $r: $people registrations over HTTP"
	timeout 300 "$storm" "$base" "$ev" "$work/sessions" >"$out" ||
		die "the HTTP storm could not run (see above)"
	storm_answers "$out" "round $r HTTP" || failed=1
	cw=$(storm_check "$conninfo" "$ev" "round $r HTTP" $people) || failed=1
	http_rate[$r]=$(storm_value per_second "$out")
	http_cw[$r]=$cw
	http_lat[$r]="p50 $(storm_value latency_p50_ms "$out") ms, p99 $(storm_value latency_p99_ms "$out") ms"
}

run_pgbench() {	# ROUND EVENT PLACE_TYPE
	local r=$1 ev=$2 pt=$3 out=$work/round-$1-pgbench.txt cw tps
	say "round $r: $people registrations by pgbench, $clients clients"
	timeout 300 "$pgbench" -n -M extended -c "$clients" -j "$jobs" \
		-t "$per_client" -f "$work/register.sql" \
		-D i=0 -D per="$per_client" -D first="$first_account" \
		-D event="$ev" -D place="$pt" -D url="$public_url" \
		-D places=1 -D public=false \
		"$conninfo" >"$out" 2>&1 ||
		{ cat "$out" >&2; die "pgbench failed"; }
	grep -q "number of transactions actually processed: $people/$people" "$out" ||
		{ cat "$out" >&2; printf '  round %s pgbench: not all %s transactions ran\n' "$r" $people >&2; failed=1; }
	if grep -q 'number of failed transactions' "$out"; then
		grep -q 'number of failed transactions: 0 ' "$out" ||
			{ printf '  round %s pgbench: failed transactions\n' "$r" >&2; failed=1; }
	fi
	tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$out")
	[ -n "$tps" ] || tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out" | tail -n 1)
	[ -n "$tps" ] || { cat "$out" >&2; die "no tps from pgbench"; }
	cw=$(storm_check "$conninfo" "$ev" "round $r pgbench" $people) || failed=1
	pg_rate[$r]=$tps
	pg_cw[$r]=$cw
}

mem_reset
total=$((warmup + rounds))
for ((k = 1; k <= total; k++)); do
	if [ $k -le "$warmup" ]; then r=w$k; else r=$((k - warmup)); fi
	read -r http_ev _ <<<"$(storm_event "$conninfo" "Registration storm $r (HTTP)")"
	read -r pg_ev pg_pt <<<"$(storm_event "$conninfo" "Registration storm $r (pgbench)")"
	[ -n "$http_ev" ] && [ -n "$pg_pt" ] || die "could not make the events"
	# Alternate who goes first: neither side always meets the fuller
	# tables or the warmer caches.
	if [ $((k % 2)) -eq 1 ]; then
		run_http "$r" "$http_ev"
		run_pgbench "$r" "$pg_ev" "$pg_pt"
	else
		run_pgbench "$r" "$pg_ev" "$pg_pt"
		run_http "$r" "$http_ev"
	fi
	if [ $k -gt "$warmup" ]; then
		ratio_r[$r]=$(ratio "${http_rate[$r]}" "${pg_rate[$r]}")
	fi
done

# --- report --------------------------------------------------------------------------

printf '\nRegistration benchmark: %s people, %s places, all sent at once; %s CPUs\n' \
	$people $places "$(nproc)"
printf '  HTTP: one node, %s database connections; every person signed in and\n' "$pool"
printf '        on the event page already, only the %s POSTs timed\n' $people
printf '  pgbench: the handler'"'"'s registration statement, -M extended, %s clients\n' \
	"$clients"
printf '        x %s transactions, rate without connection time\n\n' "$per_client"
printf '  %-7s %14s %14s %7s   %-17s %-17s %s\n' round 'HTTP reg/s' \
	'pgbench reg/s' ratio 'HTTP conf/wait' 'pgbench conf/wait' 'HTTP latency'
for ((r = 1; r <= rounds; r++)); do
	printf '  %-7s %14s %14s %7s   %-17s %-17s %s\n' "$r" \
		"$(whole "${http_rate[$r]}")" "$(whole "${pg_rate[$r]}")" \
		"${ratio_r[$r]}" "${http_cw[$r]/ //}" "${pg_cw[$r]/ //}" \
		"${http_lat[$r]}"
done
hs=() ps=() rs=()
for ((r = 1; r <= rounds; r++)); do
	hs+=("${http_rate[$r]}") ps+=("${pg_rate[$r]}") rs+=("${ratio_r[$r]}")
done
med_h=$(fmt "$(median "${hs[@]}")")
med_p=$(fmt "$(median "${ps[@]}")")
med_r=$(median "${rs[@]}")
printf '  %-7s %14s %14s %7s\n' median "$med_h" "$med_p" "$med_r"
printf '\n  ratio = HTTP/pgbench within each round; the median ratio is the\n'
printf '  median of those.  Outputs: var/bench/registrations/round-*\n'
goal='keep ≥ 0.8'
printf '  goal: %s (%s)\n' "$goal" "$(verdict "$goal" "$med_h" "$med_r")"
summary_row 'local registration storm vs pgbench' "$med_h" "pgbench $med_p" \
	"$med_r" "$goal" reg/s
mem_report registrations

if [ $failed -ne 0 ]; then
	echo 'registrations.sh: some storms did not end as they must (see above)' >&2
	exit 1
fi
