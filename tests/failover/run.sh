#!/usr/bin/env bash
# Failover to a streaming replica, as a node sees it: a node whose
# database string names a primary and its replica
# (host=PRIMARY,REPLICA target_session_attrs=read-write) serves from the
# primary; the primary is lost (stopped at once, as a crash would); the
# replica is promoted.  The node must serve again from the new primary
# by itself, with what the replica held, and its feeds must have moved
# to a new stream: the replica may have lacked the primary's last
# commits, whose change numbers peers may have read.
#
#   tests/failover/run.sh ACORN_BIN DATADIR WORKDIR
#
# Two PostgreSQL clusters of its own under WORKDIR, on Unix sockets only,
# run as the user PG_USER names (postgres when root), and stopped at the
# end.  Ends with "N passed, N failed".
set -uo pipefail

[ $# -eq 3 ] || { echo "usage: $0 ACORN_BIN DATADIR WORKDIR" >&2; exit 2; }
bin=$1 datadir=$2 work=$3
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
passed=0 failed=0 node_pid=

say() { printf 'failover: %s\n' "$*" >&2; }
fatal() { say "$*"; failed=$((failed + 1)); exit 1; }
check() {	# check WHAT COMMAND...: one assertion, counted.
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		say "FAILED: $what"
	fi
}
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u "${PG_USER:-postgres}" -- "$@"
	else "$@"; fi
}

cleanup() {
	[ -z "$node_pid" ] || { kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null; }
	for c in primary replica; do
		[ -f "$work/$c/postmaster.pid" ] &&
			as_pg "$pgbin/pg_ctl" -D "$work/$c" -m immediate -w -s stop \
				>/dev/null 2>&1
	done
	rm -rf "$work"
}
finish() {
	cleanup
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
	exit $?
}
trap finish EXIT

rm -rf "$work"
mkdir -p "$work/run1" "$work/run2"
[ "$(id -u)" -ne 0 ] || chown -R "${PG_USER:-postgres}" "$work"

pg_up() {	# pg_up DIR SOCKET: starts a cluster on a socket of its own.
	local o="-c listen_addresses='' -c unix_socket_directories='$2'"
	o="$o -c fsync=off -c wal_level=replica -c max_wal_senders=4"
	as_pg "$pgbin/pg_ctl" -D "$1" -l "$1.log" -w -s \
		-o "$o -c hot_standby=on" start
}

say "a primary and its streaming replica"
as_pg "$pgbin/initdb" -D "$work/primary" -U postgres -A trust -E UTF8 \
	--locale=C.UTF-8 >/dev/null || fatal "initdb failed"
pg_up "$work/primary" "$work/run1" || fatal "the primary did not start"
as_pg "$pgbin/psql" -X -q -h "$work/run1" -U postgres -d postgres \
	-c "CREATE ROLE acorn LOGIN CREATEDB" \
	-c "CREATE DATABASE acorn_failover OWNER acorn" ||
	fatal "no database on the primary"
as_pg "$pgbin/pg_basebackup" -h "$work/run1" -U postgres -D "$work/replica" \
	-R -X stream >/dev/null || fatal "pg_basebackup failed"
pg_up "$work/replica" "$work/run2" || fatal "the replica did not start"

conf=$work/node.conf
db="host=$work/run1,$work/run2 user=acorn dbname=acorn_failover"
"$bin" -c "$conf" init --database "$db target_session_attrs=read-write" \
	--name "Failover node" --region "North West" --listen 127.0.0.1:0 \
	--datadir "$datadir" >/dev/null 2>&1 || fatal "acorn init failed"
printf 'sync_interval = 1\n' >>"$conf"
"$bin" -c "$conf" serve --port-file "$work/port" 2>>"$work/node.log" &
node_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fatal "the node did not start"
url=http://127.0.0.1:$(cat "$work/port")

sql() {	# sql SOCKET QUERY: one value.
	"$pgbin/psql" -X -q -tA -h "$1" -U acorn -d acorn_failover -c "$2" \
		2>/dev/null
}
stream_of_feed() {
	curl -fsS --max-time 5 "$url/feeds/glossary?after=0" |
		sed -n 's|.*<acorn:stream>urn:uuid:\([0-9a-f-]*\)</acorn:stream>.*|\1|p'
}
wait_for() {	# wait_for SECONDS COMMAND...: until it succeeds.
	local limit=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$limit" ] || return 1
		sleep 0.2
	done
}
signed() { [ "$(sql "$1" "SELECT count(*) FROM glossary_terms
    WHERE term = '$2' AND NOT pending")" = 1 ]; }
replayed() { [ "$(sql "$work/run2" "SELECT count(*) FROM glossary_terms
    WHERE term = '$1' AND NOT pending")" = 1 ]; }
healthy() { curl -fsS --max-time 2 "$url/healthz" >/dev/null 2>&1; }

sql "$work/run1" "INSERT INTO glossary_terms (id, origin, term, definition)
    VALUES (gen_random_uuid(), (SELECT id FROM node), 'Before the failover',
    'Held by both.')" >/dev/null
check "the change is signed on the primary" wait_for 20 signed "$work/run1" \
	'Before the failover'
check "the replica holds it" wait_for 20 replayed 'Before the failover'
before=$(stream_of_feed)
check "the feed names its stream" test -n "$before"

say "the primary is lost; the replica is promoted"
as_pg "$pgbin/pg_ctl" -D "$work/primary" -m immediate -w -s stop
as_pg "$pgbin/pg_ctl" -D "$work/replica" -w -s promote
check "the node serves again from the new primary" wait_for 30 healthy
after=$(stream_of_feed)
check "the feed moved to a new stream ($before, then ${after:-none})" \
	test -n "$after" -a "$after" != "$before"
check "the new primary's stream says why" test \
	"$(sql "$work/run2" "SELECT reason FROM feed_stream")" = \
	"a promoted replica or a recovery"
check "what the replica held is served" sh -c \
	"curl -fsS --max-time 5 '$url/feeds/glossary?after=0' |
	grep -q 'Before the failover'"
sql "$work/run2" "INSERT INTO glossary_terms (id, origin, term, definition)
    VALUES (gen_random_uuid(), (SELECT id FROM node), 'After the failover',
    'Written on the new primary.')" >/dev/null
check "a change on the new primary is signed by the node" wait_for 20 \
	signed "$work/run2" 'After the failover'
