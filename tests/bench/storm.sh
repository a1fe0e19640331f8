# What the registration storms share (tests/bench/registrations.sh and
# tests/bench/remote.sh): the 400 people of tests/bench/registrations.sql
# signed in, fresh events with 200 places, reading what the load
# generator (storm.c) reports, and checking what a node holds after a
# storm.  Sourced after common.sh:
#
#   . "$here/storm.sh"
#
# Every function takes the conninfo of the node's database first.

people=400
places=200

# storm_sql CONNINFO [PSQL ARGS...]: runs the script on standard input.
storm_sql() {
	local db=$1; shift
	psql -X -q -At -v ON_ERROR_STOP=1 "$@" "$db"
}

# storm_sessions CONNINFO FILE: signs everybody in as the node itself
# would, a random token of 32 bytes in base64url in the cookie and only
# its SHA-256 in the sessions table, and writes the tokens to FILE, one
# a line in account order.  (The CSRF token each needs comes from the
# event page, as in a browser.)
storm_sessions() {
	local db=$1 file=$2
	umask 077
	storm_sql "$db" >"$file" <<-'EOF'
	DELETE FROM sessions WHERE account IN (SELECT id FROM accounts
	    WHERE email LIKE 'storm.%@bench.example.org');
	WITH t AS MATERIALIZED (
		SELECT a.id, translate(rtrim(encode(sha256(convert_to(
		    gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')),
		    'base64'), '='), '+/', '-_') AS token
		FROM accounts a
		WHERE a.email LIKE 'storm.%@bench.example.org'
	), s AS (
		INSERT INTO sessions (token_hash, account)
		SELECT sha256(convert_to(token, 'UTF8')), id FROM t
		RETURNING account
	)
	SELECT t.token FROM t JOIN s ON s.account = t.id ORDER BY t.id;
	EOF
	umask 022
	[ "$(grep -cE '^[A-Za-z0-9_-]{43}$' "$file")" -eq $people ] ||
		die "could not make $people sessions: was tests/bench/registrations.sql loaded?"
}

# storm_sessions_drop CONNINFO: removes the sessions storm_sessions made.
storm_sessions_drop() {
	storm_sql "$1" >/dev/null 2>&1 <<-'EOF' || true
	DELETE FROM sessions WHERE account IN (SELECT id FROM accounts
	    WHERE email LIKE 'storm.%@bench.example.org');
	EOF
}

# storm_event CONNINFO TITLE: makes a published conference of the node's
# own whose registration is open, with one kind of place; prints
# "EVENT_ID PLACE_TYPE_ID".
storm_event() {
	storm_sql "$1" -v title="$2" -v capacity=$places <<-'EOF' | tr '|' ' '
	WITH e AS (
		INSERT INTO events (id, origin, title, kind, description,
		    starts, ends, venue, address, organiser, organiser_email,
		    region, status)
		SELECT gen_random_uuid(), n.id, :'title', 'conference',
		    'A day of talks and workshops on social prescribing.',
		    date_trunc('hour', now()) + interval '60 days',
		    date_trunc('hour', now()) + interval '60 days 8 hours',
		    'Manchester Central', 'Windmill Street, Manchester M2 3GX',
		    n.region || ' network', 'events@bench.example.org',
		    n.region, 'published'
		FROM node n
		RETURNING id
	)
	INSERT INTO place_types (event, name, capacity)
	SELECT id, 'In person', :capacity FROM e
	RETURNING event, id;
	EOF
}

# storm_value KEY FILE: one "key value" line of what storm reported.
storm_value() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# storm_answers FILE LABEL: checks what everybody was told in one storm
# (a 200, places for 200, numbers 1 to 200 for the rest, each once);
# complains and returns 1 when anything is off.
storm_answers() {
	local out=$1 label=$2 ok bad=0
	ok=$(storm_value status_200 "$out")
	[ "$ok" -eq $people ] ||
		{ printf '  %s: %s answers were not 200\n' "$label" \
			$((people - ok)) >&2; bad=1; }
	[ "$(storm_value placed "$out")" -eq $places ] &&
		[ "$(storm_value waiting "$out")" -eq $((people - places)) ] ||
		{ printf '  %s: people were told %s places and %s waiting\n' \
			"$label" "$(storm_value placed "$out")" \
			"$(storm_value waiting "$out")" >&2; bad=1; }
	[ "$(storm_value told_positions "$out")" = ok ] ||
		{ printf '  %s: waiting positions told have gaps or repeats\n' \
			"$label" >&2; bad=1; }
	return $bad
}

# storm_check CONNINFO EVENT LABEL MAILS: checks what the node holds for
# one of its events after a storm, MAILS being how many mails it should
# have queued for it; prints "confirmed waiting", and complains and
# returns 1 when anything is off.
storm_check() {
	local db=$1 ev=$2 label=$3 want_mails=$4
	local out c w taken total pos arr order mails bad=0
	out=$(storm_sql "$db" -v ev="$ev" <<-'EOF'
	SELECT
	    (SELECT count(*) FROM registrations
	     WHERE event = :'ev' AND status = 'confirmed'),
	    (SELECT count(*) FROM registrations
	     WHERE event = :'ev' AND status = 'waiting'),
	    (SELECT taken FROM place_types WHERE event = :'ev'),
	    (SELECT count(*) FROM registrations WHERE event = :'ev'),
	    -- Waiting positions are 1, 2, 3 ... in arrival order.
	    (SELECT count(*) FROM (SELECT acorn_waiting_position(id) AS pos,
	        row_number() OVER (ORDER BY arrival) AS k FROM registrations
	        WHERE event = :'ev' AND status = 'waiting') x WHERE pos = k),
	    -- Arrival numbers: one each, no gaps (a failed registration
	    -- would leave one).
	    (SELECT count(DISTINCT arrival) = count(*) AND
	        max(arrival) - min(arrival) + 1 = count(*)
	     FROM registrations WHERE event = :'ev'),
	    -- Everyone with a place arrived before everyone waiting.
	    (SELECT count(*) FROM registrations c, registrations w
	     WHERE c.event = :'ev' AND w.event = :'ev' AND
	     c.status = 'confirmed' AND w.status = 'waiting' AND
	     c.arrival > w.arrival),
	    -- The mails queued for it.
	    (SELECT count(*) FROM outbox
	     WHERE body LIKE '%/events/' || :'ev' || E'\n%');
	EOF
	) || { printf '  %s: cannot read its registrations\n' "$label" >&2; return 1; }
	IFS='|' read -r c w taken total pos arr order mails <<<"$out"
	[ "$c" -eq $places ] ||
		{ printf '  %s: %s confirmed, expected %s\n' "$label" "$c" $places >&2; bad=1; }
	[ "$w" -eq $((people - places)) ] ||
		{ printf '  %s: %s waiting, expected %s\n' "$label" "$w" $((people - places)) >&2; bad=1; }
	[ "$taken" = "$places" ] ||
		{ printf '  %s: the place type counts %s taken\n' "$label" "$taken" >&2; bad=1; }
	[ "$total" -eq $people ] ||
		{ printf '  %s: %s registrations, expected %s\n' "$label" "$total" $people >&2; bad=1; }
	[ "$pos" -eq "$w" ] ||
		{ printf '  %s: waiting positions have gaps or repeats\n' "$label" >&2; bad=1; }
	[ "$arr" = t ] ||
		{ printf '  %s: arrival numbers have gaps or repeats\n' "$label" >&2; bad=1; }
	[ "$order" -eq 0 ] ||
		{ printf '  %s: %s pairs where a later arrival got a place\n' "$label" "$order" >&2; bad=1; }
	[ "$mails" -eq "$want_mails" ] ||
		{ printf '  %s: %s mails queued, expected %s\n' "$label" "$mails" "$want_mails" >&2; bad=1; }
	printf '%s %s\n' "$c" "$w"
	return $bad
}
