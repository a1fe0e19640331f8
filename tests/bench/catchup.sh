#!/usr/bin/env bash
# Catch-up benchmark: a new node pins a peer that holds 100,000 entries
# and pulls them all (pages of 200, every signature verified, each page
# merged in one transaction).  Reported in entries per second beside the
# ECDSA P-256 verifications per second `openssl speed` measures on the
# same machine in the same run: the ratio is how much of the bare
# signature check the whole of fetching, parsing, verifying and storing
# keeps.  Before that, the peer signs the entries it was given, reported
# the same way beside openssl's signatures per second.
#
#   tests/bench/catchup.sh SOURCE_URL SOURCE_CONFIG NEW_CONFIG
#
# SOURCE_URL and SOURCE_CONFIG are a running node's; NEW_CONFIG is a
# running node's that has no peers and holds nothing of the source's
# (./run bench sets both up).  The entries are glossary terms the script
# adds to the source's database; the source's own sync worker signs them.
# Settings, from the environment:
#
#   BENCH_CATCHUP_ENTRIES  entries (default 100000)
#   BENCH_CATCHUP_TIMEOUT  seconds the signing, and then the catch-up,
#                          may each take (default 900)
#   ACORN_BIN              the acorn program (default var/build/acorn),
#                          for the source's fingerprint and the peering
#
# Exits non-zero when either does not finish in time, or the new node
# refuses any entry.  Output: var/bench/catchup.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/common.sh"

[ $# -eq 3 ] || [ $# -eq 4 ] ||
	{ printf 'usage: %s SOURCE_URL SOURCE_CONFIG NEW_CONFIG [NEW_URL]\n' \
		"$bench_prog" >&2; exit 2; }
source_url=${1%/}
source_conf=$2
new_conf=$3
new_url=${4:-}	# its /metrics tell the bytes the catch-up took
case $source_url in http://*|https://*) ;; *) die "not a URL: $1" ;; esac
for conf in "$source_conf" "$new_conf"; do
	[ -r "$conf" ] || die "cannot read $conf"
	[ -n "$(conf_get "$conf" database)" ] || die "$conf names no database"
done
entries=${BENCH_CATCHUP_ENTRIES:-100000}
limit=${BENCH_CATCHUP_TIMEOUT:-900}
for v in "$entries" "$limit"; do
	case $v in ''|*[!0-9]*|0) die "settings are positive whole numbers, not: $v" ;; esac
done
acorn=${ACORN_BIN:-$top/var/build/acorn}
[ -x "$acorn" ] || die "$acorn is missing"
command -v openssl >/dev/null || die "openssl is missing"

work=$top/var/bench/catchup
rm -rf "$work"
mkdir -p "$work"

on_source() { psql -X -q -At -v ON_ERROR_STOP=1 "$@" "$(conf_get "$source_conf" database)"; }
on_new() { psql -X -q -At -v ON_ERROR_STOP=1 "$@" "$(conf_get "$new_conf" database)"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
per_second() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.1f", (t > 0 ? n / t : 0) }'; }

# wait_for WHAT QUERY_FUNCTION SQL: until the query answers t, asked
# every 0.2 s over one connection; seconds since the start in $waited.
# A new psql and server process for each look cost the machine about a
# tenth of what the signing it watched had.
wait_for() {
	local what=$1 fn=$2 query=$3 start answer until=$((EPOCHSECONDS + limit))
	start=$(date +%s.%N)
	coproc LOOK { "$fn" 2>&1; }
	while :; do
		printf '%s;\n' "$query" >&"${LOOK[1]}"
		IFS= read -r answer <&"${LOOK[0]}" ||
			die "$what: the database connection closed"
		[ "$answer" = t ] && break
		[ "$answer" = f ] || die "$what: the database answered: $answer"
		[ "$EPOCHSECONDS" -le "$until" ] ||
			die "$what did not finish within ${limit}s"
		sleep 0.2
	done
	waited=$(elapsed "$start")
	printf '\\q\n' >&"${LOOK[1]}"
	wait "$LOOK_PID" || true
}

# --- the reference: openssl on this machine, now ------------------------------

say "openssl speed -seconds 3 ecdsap256"
openssl speed -seconds 3 ecdsap256 >"$work/openssl.txt" 2>&1 ||
	{ cat "$work/openssl.txt" >&2; die "openssl speed failed"; }
# "256 bits ecdsa (nistp256)   0.0000s   0.0001s  40000.0  13000.0":
# the last two columns are sign/s and verify/s.
read -r ssl_sign ssl_verify < <(awk '/256 bits ecdsa \(nistp256\)/ {
	print $(NF - 1), $NF }' "$work/openssl.txt" | tail -n 1) || true
[ -n "${ssl_verify:-}" ] ||
	{ cat "$work/openssl.txt" >&2; die "no nistp256 line from openssl speed"; }

# --- the source: entries, signed by its worker ----------------------------------

source_id=$(on_source -c "SELECT id FROM node")
[ -n "$source_id" ] || die "the source has no node id: was it initialised?"
[ "$(on_new -c "SELECT count(*) FROM peers")" = 0 ] ||
	die "the new node has peers already"

mem_reset
say "adding $entries glossary terms to the source"
start=$(date +%s.%N)
on_source -v n="$entries" <<-'EOF'
	INSERT INTO glossary_terms (id, origin, term, definition, synonyms)
	SELECT gen_random_uuid(), (SELECT id FROM node),
	    'Catch-up term ' || i,
	    'Catch-up term ' || i || ' is one of the terms a new node'
	    || ' reads when it first pins this one: a definition of about'
	    || ' the length a real glossary entry has, with a link to the'
	    || ' [glossary](/glossary).',
	    ARRAY['synonym ' || i]
	FROM generate_series(1, :n) AS i;
	EOF
insert_s=$(elapsed "$start")

say "waiting for the source to sign them"
# Each look is cheap (the partial index on pending rows answers it), so
# that looking takes nothing from what is measured.
wait_for "signing" on_source \
	"SELECT (SELECT min(seq) FROM glossary_terms WHERE pending) IS NULL"
sign_s=$waited
signed=$(on_source -c "SELECT count(*) FROM glossary_terms
	WHERE origin = '$source_id' AND entry IS NOT NULL AND NOT pending")
[ "$signed" -ge "$entries" ] || die "the source signed $signed entries, not $entries"
last_seq=$(on_source -c "SELECT max(seq) FROM glossary_terms
	WHERE entry IS NOT NULL AND NOT pending")

# --- the new node catches up --------------------------------------------------------

fp=$("$acorn" -c "$source_conf" keygen 2>/dev/null | sed -n 's/^fingerprint: //p')
[ -n "$fp" ] || die "cannot read the source's fingerprint"
say "the new node pins $source_url and pulls"
start=$(date +%s.%N)
"$acorn" -c "$new_conf" peer add "$source_url" --fingerprint "$fp" \
	>"$work/peer-add.txt" 2>&1 ||
	{ cat "$work/peer-add.txt" >&2; die "the new node could not pin the source"; }
# The new node's cursor on the source reaches the source's last change
# (one row to read); then every entry is counted once.
wait_for "the catch-up" on_new "SELECT coalesce(max(seq), 0) >= $last_seq
	FROM peer_cursors WHERE collection = 'glossary'"
catchup_s=$(elapsed "$start")
held=$(on_new -c "SELECT count(*) FROM glossary_terms
	WHERE origin = '$source_id'")
[ "$held" -ge "$signed" ] ||
	die "the new node holds $held of the source's $signed entries"
rejected=$(on_new -c "SELECT count(*) FROM rejections")
[ "$rejected" = 0 ] || {
	on_new -c "SELECT reason, count(*) FROM rejections GROUP BY 1" >&2
	die "the new node refused $rejected entries"; }

sign_rate=$(per_second "$entries" "$sign_s")
catch_rate=$(per_second "$signed" "$catchup_s")

sign_ratio=$(ratio "$sign_rate" "$ssl_sign")
catch_ratio=$(ratio "$catch_rate" "$ssl_verify")
sign_goal='≥ 0.25'
catch_goal='≥ 0.5'
printf '\nCatch-up benchmark: %s entries (glossary terms); %s CPUs\n\n' \
	"$(fmt "$signed")" "$(nproc)"
printf '  the source adds them (one INSERT)       %9ss\n' "$insert_s"
printf '  the source signs them                   %9ss  %9s entries/s\n' \
	"$sign_s" "$(fmt "$sign_rate")"
printf '    openssl ECDSA P-256 signatures                   %9s /s   ratio %s (goal %s: %s)\n' \
	"$(fmt "$ssl_sign")" "$sign_ratio" "$sign_goal" \
	"$(verdict "$sign_goal" "$sign_rate" "$sign_ratio")"
printf '  a new node pins it and holds them all   %9ss  %9s entries/s\n' \
	"$catchup_s" "$(fmt "$catch_rate")"
printf '    openssl ECDSA P-256 verifications                %9s /s   ratio %s (goal %s: %s)\n' \
	"$(fmt "$ssl_verify")" "$catch_ratio" "$catch_goal" \
	"$(verdict "$catch_goal" "$catch_rate" "$catch_ratio")"
summary_row "catch-up of a new node, $(fmt "$signed") entries" \
	"$(fmt "$catch_rate")" "ECDSA verify $(fmt "$ssl_verify")" \
	"$catch_ratio" "$catch_goal" entries/s
summary_row 'signing on the origin' "$(fmt "$sign_rate")" \
	"ECDSA sign $(fmt "$ssl_sign")" "$sign_ratio" "$sign_goal" entries/s
printf '\n  reference: openssl speed -seconds 3 ecdsap256, one core, this run\n'
printf '  (%s/openssl.txt); the catch-up counts from the peer add to the\n' \
	"var/bench/catchup"
printf '  new node'"'"'s cursor reaching the source'"'"'s last change, looked for\n'
printf '  every 0.2 s.\n'
# The feed bytes the new node pulled, as sent (compressed) and decoded.
if [ -n "$new_url" ]; then
	metrics=$(curl -sS --max-time 10 "${new_url%/}/metrics") ||
		die "cannot read the new node's /metrics"
	wire=$(printf '%s\n' "$metrics" |
		awk '/^acorn_federation_pulled_bytes_total\{as="wire"\}/ { print $2 }')
	decoded=$(printf '%s\n' "$metrics" |
		awk '/^acorn_federation_pulled_bytes_total\{as="decoded"\}/ { print $2 }')
	[ -n "$wire" ] && [ -n "$decoded" ] ||
		die "the new node's /metrics say nothing of the bytes pulled"
	printf '  bytes pulled: %s on the wire for %s decoded (%s saved by gzip)\n' \
		"$(fmt "$wire")" "$(fmt "$decoded")" "$(awk -v w="$wire" -v d="$decoded" \
		'BEGIN { printf "%.0f%%", (d > 0 ? 100 * (1 - w / d) : 0) }')"
	summary_row 'catch-up: bytes on the wire' "$wire" "decoded $decoded" \
		"$(awk -v w="$wire" -v d="$decoded" 'BEGIN { printf "%.3f", (d > 0 ? w / d : 0) }')" \
		- bytes
fi
mem_report catchup
