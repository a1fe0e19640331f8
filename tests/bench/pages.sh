#!/usr/bin/env bash
# Pages under load: how fast a node serves a set of pages, each as a ratio
# against nginx serving the very same bytes with the same headers, measured
# in the same run on the same machine.  The member directory, knowledge,
# list and feed benchmarks are this, each with checks that its data set is
# the one shown.
#
#   tests/bench/pages.sh NAME BASE_URL PAGE=PATH...
#
# or, from a benchmark that checks the pages before measuring them:
#
#   . tests/bench/pages.sh
#   pages_member BASE_URL                    (for pages seen signed in)
#   pages_fetch NAME BASE_URL PAGE=PATH... +PAGE=PATH...
#   grep -q 'what the data set promises' "$(pages_body PAGE)" || pages_die ...
#   pages_signed_in PAGE...                  (the member's own pages?)
#   page_goal[PAGE]='>= 0.8' page_name[PAGE]='...'   (when not the default)
#   pages_measure 'Title of the report'
#
# NAME names the output directory, var/bench/NAME.  PAGE is a short label
# for the report (lowercase letters, digits, hyphens) and PATH the page's
# path on the node, from its first slash.  A PAGE written +PAGE is fetched
# and measured signed in, with the session cookie pages_signin got (the
# same Cookie header goes to nginx, so both read as much; pages_member
# signs in as the member BENCH_MEMBER_EMAIL, BENCH_MEMBER_PASSWORD and
# BENCH_MEMBER_NAME say, pages_signin as anyone).  Every page is
# a row of var/bench/summary.tsv, named by its path and who views it, its
# goal by default the issue's: a ratio of at least 0.5 anonymous and 0.25
# signed in.  Settings, from the environment:
#
#   BENCH_DURATION     each measured wrk run (default 10s)
#   BENCH_WARMUP       an unmeasured wrk run before each one (default 2s; 0 skips)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_CONNECTIONS  wrk connections, the same for every target (default 32)
#   BENCH_NGINX_WORKERS  nginx worker processes (default 2)
#
# Exits non-zero when a page does not answer 200, differs from one request
# to the next, or when under load a target answers with an error status,
# drops connections, or serves bytes different from the node's.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pages_prog=$bench_prog

pages_die() { die "$@"; }

# --- settings ----------------------------------------------------------------

pages_seconds() {	# "10", "10s", "1m" -> what wrk takes
	case $1 in
	*[!0-9smh]*|'') printf '%s: bad duration: %s\n' "$pages_prog" "$1" >&2
		exit 2 ;;
	*[smh]) printf '%s' "$1" ;;
	*) printf '%ss' "$1" ;;
	esac
}
pages_count() {	# a positive whole number, or exit
	case $2 in
	''|*[!0-9]*|0) printf '%s: %s must be a positive number\n' \
		"$pages_prog" "$1" >&2
		exit 2 ;;
	esac
	printf '%s' "$2"
}

pages_settings() {
	duration=$(pages_seconds "${BENCH_DURATION:-10s}")
	warmup=${BENCH_WARMUP:-2s}
	[ "$warmup" = 0 ] || warmup=$(pages_seconds "$warmup")
	threads=$(pages_count BENCH_THREADS "${BENCH_THREADS:-2}")
	conns=$(pages_count BENCH_CONNECTIONS "${BENCH_CONNECTIONS:-32}")
	workers=$(pages_count BENCH_NGINX_WORKERS "${BENCH_NGINX_WORKERS:-2}")
	[ "$conns" -ge "$threads" ] ||
		{ printf '%s: fewer connections than threads\n' "$pages_prog" >&2
		  exit 2; }
	nginx=/usr/sbin/nginx
	local tool
	for tool in curl wrk "$nginx"; do
		command -v "$tool" >/dev/null ||
			pages_die "$tool is missing (packages curl, wrk, nginx-light)"
	done
}

# --- what the node serves ----------------------------------------------------

# fetch URL BODY HEADERS [COOKIE]: saves the exact bytes and the response
# headers; prints the status and the Content-Type.
fetch() {
	local cookie=()
	[ -z "${4:-}" ] || cookie=(-H "Cookie: $4")
	curl -sS --max-time 10 "${cookie[@]}" -o "$2" -D "$3" \
		-w '%{http_code} %{content_type}' "$1"
}

# The cookie PAGE is fetched with: the session's, or none.
page_cookie() {
	if [ "${signed[$1]}" = 1 ]; then printf '%s' "$session_cookie"; fi
}

# The value of one response header, from a file curl -D wrote.
header() {
	awk -v want="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
		BEGIN { FS = ":" }
		{ sub(/\r$/, "") }
		tolower($1) == want { sub(/^[^:]*:[ \t]*/, ""); print; exit }' "$1"
}

# pages_signin BASE_URL EMAIL PASSWORD: signs in as a browser does (the
# form's token from GET /signin, then the POST) and keeps the session's
# cookie for the pages marked +PAGE.
session_cookie=
pages_signin() {
	local base=${1%/} jar form csrf got
	jar=$(mktemp)
	form=$(curl -sS --max-time 10 -c "$jar" -b "$jar" "$base/signin") ||
		{ rm -f "$jar"; pages_die "cannot fetch $base/signin"; }
	csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$form" |
		head -n 1)
	[ -n "$csrf" ] || { rm -f "$jar"; pages_die "no CSRF token on $base/signin"; }
	got=$(curl -sS --max-time 30 -c "$jar" -b "$jar" -o /dev/null \
		-w '%{http_code}' --data-urlencode "csrf=$csrf" \
		--data-urlencode "email=$2" --data-urlencode "password=$3" \
		"$base/signin") ||
		{ rm -f "$jar"; pages_die "cannot post to $base/signin"; }
	session_cookie=$(awk '$6 == "acorn_session" && $7 != "" { print $7 }' "$jar")
	rm -f "$jar"
	[ "$got" = 303 ] && [ -n "$session_cookie" ] ||
		pages_die "signing in as $2 answered $got without a session"
	session_cookie="acorn_session=$session_cookie"
}

# pages_member BASE_URL: signs in as the member ./run bench made for
# the signed-in pages, from BENCH_MEMBER_EMAIL and BENCH_MEMBER_PASSWORD,
# and checks the session is theirs: their /profile shows their name and
# address.  Keeps the session's form token, which their pages carry.
member_csrf=
pages_member() {
	local profile
	[ -n "${BENCH_MEMBER_EMAIL:-}" ] && [ -n "${BENCH_MEMBER_PASSWORD:-}" ] &&
		[ -n "${BENCH_MEMBER_NAME:-}" ] ||
		pages_die "signed-in pages need BENCH_MEMBER_EMAIL, BENCH_MEMBER_PASSWORD and BENCH_MEMBER_NAME (./run bench sets them)"
	pages_signin "$1" "$BENCH_MEMBER_EMAIL" "$BENCH_MEMBER_PASSWORD"
	profile=$(curl -sS --max-time 10 -H "Cookie: $session_cookie" \
		"${1%/}/profile") || pages_die "cannot fetch ${1%/}/profile"
	grep -qF "$BENCH_MEMBER_NAME" <<<"$profile" &&
		grep -qF "$BENCH_MEMBER_EMAIL" <<<"$profile" ||
		pages_die "/profile signed in does not show $BENCH_MEMBER_NAME, $BENCH_MEMBER_EMAIL"
	member_csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' \
		<<<"$profile" | head -n 1)
	[ -n "$member_csrf" ] || pages_die "no form token on /profile"
}

# pages_signed_in PAGE...: each of these pages, fetched signed in, is the
# member's own: it offers to sign out with their session's token, not
# the anonymous page and not someone else's parts.
pages_signed_in() {
	local p
	for p; do
		grep -qF 'action="/signout"' "$(pages_body "$p")" ||
			pages_die "${path[$p]} signed in offers no sign-out"
		grep -qF "name=\"csrf\" value=\"$member_csrf\"" \
			"$(pages_body "$p")" ||
			pages_die "${path[$p]} signed in does not carry $BENCH_MEMBER_NAME's form token"
	done
}

pages=()
declare -A path type signed page_goal page_name

# pages_fetch NAME BASE_URL PAGE=PATH...: reads the settings, then fetches
# every page twice into var/bench/NAME and stops unless each answered 200
# with the same bytes both times.
pages_fetch() {
	[ $# -ge 3 ] || pages_die 'pages_fetch NAME BASE_URL PAGE=PATH...'
	local name=$1 arg p s got again top
	base=${2%/}
	shift 2
	case $name in
	''|*[!a-z0-9-]*) pages_die "bad benchmark name: $name" ;;
	esac
	case $base in
	http://*|https://*) ;;
	*) pages_die "the base URL must start with http:// or https://: $base" ;;
	esac
	for arg; do
		p=${arg%%=*}
		s=0
		case $p in +*) p=${p#+}; s=1 ;; esac
		case $arg in
		*=/*) ;;
		*) pages_die "pages are PAGE=/path, not: $arg" ;;
		esac
		case $p in
		''|*[!a-z0-9-]*) pages_die "page labels are lowercase letters, digits and hyphens: $p" ;;
		esac
		[ -z "${path[$p]:-}" ] || pages_die "page $p given twice"
		pages+=("$p")
		path[$p]=${arg#*=}
		signed[$p]=$s
		[ $s -eq 0 ] || [ -n "$session_cookie" ] ||
			pages_die "page +$p is signed in: pages_signin first"
	done
	pages_settings

	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	work=$top/var/bench/$name
	rel=var/bench/$name
	bench_name=$name
	rm -rf "$work"
	mkdir -p "$work/www" "$work/tmp"

	for p in "${pages[@]}"; do
		say "fetching $base${path[$p]}"
		got=$(fetch "$base${path[$p]}" "$work/www/$p" \
			"$work/$p.acorn-headers" "$(page_cookie "$p")") ||
			pages_die "cannot fetch $base${path[$p]}"
		[ "${got%% *}" = 200 ] ||
			pages_die "$base${path[$p]} answered ${got%% *}, not 200; nothing measured"
		type[$p]=${got#* }
		[ -n "${type[$p]}" ] || pages_die "$base${path[$p]} has no Content-Type"
		[ -s "$work/www/$p" ] ||
			printf '%s: warning: %s is empty; measuring it anyway\n' \
				"$pages_prog" "$base${path[$p]}" >&2
		# The same page twice must be the same bytes: nothing per
		# request (a token, a time) may hide in what nginx will replay.
		again=$(fetch "$base${path[$p]}" "$work/$p.again" /dev/null \
			"$(page_cookie "$p")") ||
			pages_die "cannot fetch $base${path[$p]} again"
		[ "$again" = "$got" ] ||
			pages_die "$base${path[$p]} answered $got, then $again"
		cmp -s "$work/www/$p" "$work/$p.again" ||
			pages_die "$base${path[$p]} differs from one request to the next"
	done
}

# The file holding the bytes the node served for PAGE, for a caller's checks.
pages_body() { printf '%s/www/%s' "$work" "$1"; }

# --- nginx serving the same bytes ---------------------------------------------

# The headers the node adds to every answer besides the body's type; nginx
# adds the same ones, so both send as much.
# The node's Set-Cookie (a fresh pre-session token per anonymous request)
# is replayed as it was: the same number of bytes on the wire.  So is its
# ETag (feeds and static files have one), in place of nginx's own.
copied_headers=(Cache-Control Content-Security-Policy X-Content-Type-Options
	Referrer-Policy X-Frame-Options Set-Cookie ETag)

# Writes add_header lines for one of the node's answers.
nginx_headers() {
	local name value
	for name in "${copied_headers[@]}"; do
		value=$(header "$1" "$name")
		[ -n "$value" ] || continue
		case $value in
		*[\\\${}]*)
			pages_die "cannot copy $name into the nginx config: $value" ;;
		esac
		# An ETag's quotes, escaped inside nginx's quoted string.
		printf '\t\t\tadd_header %s "%s" always;\n' "$name" \
			"${value//\"/\\\"}"
	done
}

# One exact location per page, at /PAGE, with the node's type and headers.
nginx_locations() {
	local p
	for p in "${pages[@]}"; do
		printf '\t\tlocation = /%s {\n' "$p"
		printf '\t\t\tdefault_type "%s";\n' "${type[$p]}"
		nginx_headers "$work/$p.acorn-headers"
		printf '\t\t}\n'
	done
}

write_nginx_conf() {	# PORT
	local user=
	# Workers of a root master would run as nobody, who may not read
	# var/; on a loopback-only benchmark they may as well stay root.
	[ "$(id -u)" -ne 0 ] || user='user root;'
	cat >"$work/nginx.conf" <<EOF
# Generated by tests/bench/pages.sh; rewritten on every run.
$user
daemon off;
master_process on;
worker_processes $workers;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;

events {
	worker_connections 1024;
}

http {
	access_log off;
	client_body_temp_path $work/tmp/client;
	proxy_temp_path $work/tmp/proxy;
	fastcgi_temp_path $work/tmp/fastcgi;
	uwsgi_temp_path $work/tmp/uwsgi;
	scgi_temp_path $work/tmp/scgi;

	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	open_file_cache max=16 inactive=60s;
	open_file_cache_valid 60s;
	keepalive_timeout 60s;
	keepalive_requests 10000000;
	server_tokens off;
	etag off;
	types {}

	server {
		listen 127.0.0.1:$1;
		server_name localhost;
		root $work/www;

$locations
		location / {
			return 404;
		}
	}
}
EOF
}

nginx_pid=
stop_nginx() {
	[ -n "$nginx_pid" ] || return 0
	kill -TERM "$nginx_pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$nginx_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$nginx_pid" 2>/dev/null; then
		pkill -KILL -P "$nginx_pid" 2>/dev/null || true
		kill -KILL "$nginx_pid" 2>/dev/null || true
	fi
	wait "$nginx_pid" 2>/dev/null || true
	nginx_pid=
}

# Starts nginx on a free port, found by trying: a random one, and another
# if nginx cannot bind it.  Sets ref to its base URL.
start_nginx() {
	local port locations
	locations=$(nginx_locations)
	trap stop_nginx EXIT
	trap 'exit 130' INT TERM
	for _ in $(seq 20); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		# Someone answers there already: try another.
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
		write_nginx_conf "$port"
		: >"$work/nginx-error.log"
		"$nginx" -p "$work" -e "$work/nginx-error.log" -c "$work/nginx.conf" &
		nginx_pid=$!
		for _ in $(seq 50); do
			kill -0 "$nginx_pid" 2>/dev/null || break
			if curl -s -o /dev/null --max-time 1 \
			    "http://127.0.0.1:$port/${pages[0]}"; then
				ref=http://127.0.0.1:$port
				say "nginx ($workers workers) serving the same bytes on $ref"
				return 0
			fi
			sleep 0.1
		done
		stop_nginx
		grep -q 'Address already in use' "$work/nginx-error.log" ||
			{ tail -n 20 "$work/nginx-error.log" >&2
			  pages_die "nginx did not start"; }
	done
	pages_die "found no free port for nginx"
}

# Same bytes, same type: otherwise the ratio compares different work.
check_same() {	# PAGE
	local p=$1 got
	got=$(fetch "$ref/$p" "$work/$p.nginx" "$work/$p.nginx-headers" \
		"$(page_cookie "$p")") ||
		pages_die "cannot fetch $ref/$p"
	[ "${got%% *}" = 200 ] || pages_die "nginx answered ${got%% *} for /$p"
	[ "${got#* }" = "${type[$p]}" ] ||
		pages_die "nginx sends Content-Type ${got#* } for /$p, the node ${type[$p]}"
	cmp "$work/www/$p" "$work/$p.nginx" >&2 ||
		pages_die "nginx's /$p differs from the node's ${path[$p]}"
}

# --- measuring ---------------------------------------------------------------------

failed=0
declare -A rps

# wrk_run LABEL URL [COOKIE]: one wrk run after its warm-up; keeps its
# output and the requests/s.
wrk_run() {
	local label=$1 url=$2 out=$work/wrk-$1.txt
	local r n s cookie=()
	[ -z "${3:-}" ] || cookie=(-H "Cookie: $3")

	if [ "$warmup" != 0 ]; then
		wrk -t"$threads" -c"$conns" -d"$warmup" "${cookie[@]}" "$url" \
			>/dev/null 2>&1 ||
			pages_die "wrk failed against $url"
	fi
	say "wrk -t$threads -c$conns -d$duration $url${3:+ (signed in)}"
	wrk -t"$threads" -c"$conns" -d"$duration" --latency "${cookie[@]}" \
		"$url" >"$out" 2>&1 ||
		{ cat "$out" >&2; pages_die "wrk failed against $url"; }
	r=$(awk '$1 == "Requests/sec:" { print $2 }' "$out")
	[ -n "$r" ] || { cat "$out" >&2; pages_die "no Requests/sec from wrk for $url"; }
	rps[$label]=$r
	n=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$out")
	s=$(sed -n 's/^ *Socket errors: *//p' "$out")
	if [ -n "$n" ] && [ "$n" != 0 ]; then
		printf '  %s: %s responses with an error status\n' "$label" "$n" >&2
		failed=1
	fi
	if [ -n "$s" ]; then
		printf '  %s: socket errors: %s\n' "$label" "$s" >&2
		failed=1
	fi
}

# --- report ----------------------------------------------------------------------

latency() {	# LABEL: "avg 1.2ms, 99% 4.5ms, max 9ms"
	awk '$1 == "Latency" && avg == "" { avg = $2; max = $4 }
		$1 == "99%" { p99 = $2 }
		END { printf "avg %s, 99%% %s, max %s", avg, p99, max }' \
		"$work/wrk-$1.txt"
}

# The row's name, goal and viewer for PAGE.
viewer() { if [ "${signed[$1]}" = 1 ]; then printf 'signed in'; else printf 'anonymous'; fi; }
row_name() { printf '%s' "${page_name[$1]:-${path[$1]} $(viewer "$1")}"; }
row_goal() {
	if [ -n "${page_goal[$1]:-}" ]; then printf '%s' "${page_goal[$1]}"
	elif [ "${signed[$1]}" = 1 ]; then printf '≥ 0.25'
	else printf '≥ 0.5'; fi
}

report() {	# TITLE
	local p w=4 pw=4 a n q
	for p in "${pages[@]}"; do
		[ "${#p}" -le "$w" ] || w=${#p}
		[ "${#path[$p]}" -le "$pw" ] || pw=${#path[$p]}
	done
	printf '\n%s: wrk -t%s -c%s -d%s, nginx %s workers, %s CPUs\n\n' \
		"$1" "$threads" "$conns" "$duration" "$workers" "$(nproc)"
	for p in "${pages[@]}"; do
		printf '  %-*s  %-*s  %-9s  %9s bytes, %s\n' "$w" "$p" "$pw" \
			"${path[$p]}" "$(viewer "$p")" \
			"$(fmt "$(wc -c <"$work/www/$p")")" "${type[$p]}"
	done
	printf '\n  %-*s  %11s  %11s  %-6s  %s\n' "$w" page 'acorn req/s' \
		'nginx req/s' ratio goal
	for p in "${pages[@]}"; do
		a=$(fmt "${rps[acorn-$p]}")
		n=$(fmt "${rps[nginx-$p]}")
		q=$(ratio "${rps[acorn-$p]}" "${rps[nginx-$p]}")
		printf '  %-*s  %11s  %11s  %-6s  %s (%s)\n' "$w" "$p" "$a" "$n" \
			"$q" "$(row_goal "$p")" \
			"$(verdict "$(row_goal "$p")" "$a" "$q")"
		summary_row "$(row_name "$p")" "$a" "nginx $n" "$q" \
			"$(row_goal "$p")" req/s
	done
	printf '\n  latency under load:\n'
	for p in "${pages[@]}"; do
		printf '  %-*s  acorn  %s\n' "$w" "$p" "$(latency "acorn-$p")"
		printf '  %-*s  nginx  %s\n' "$w" '' "$(latency "nginx-$p")"
	done
	printf '\n  wrk output: %s/wrk-*.txt\n' "$rel"
}

# pages_measure TITLE: serves the fetched bytes from nginx, measures every
# page on the node and on nginx in turn, checks both still serve the same
# bytes, and prints the report under TITLE.
pages_measure() {
	local p
	start_nginx
	for p in "${pages[@]}"; do check_same "$p"; done

	mem_reset
	for p in "${pages[@]}"; do
		wrk_run "acorn-$p" "$base${path[$p]}" "$(page_cookie "$p")"
		wrk_run "nginx-$p" "$ref/$p" "$(page_cookie "$p")"
	done

	# Still serving the same bytes after the load?
	for p in "${pages[@]}"; do
		if ! fetch "$base${path[$p]}" "$work/$p.after" /dev/null \
		    "$(page_cookie "$p")" >/dev/null; then
			printf '%s: the node stopped answering %s\n' "$pages_prog" \
				"${path[$p]}" >&2
			failed=1
			continue
		fi
		cmp -s "$work/www/$p" "$work/$p.after" ||
			{ printf "%s: the node's %s changed under load\n" \
				"$pages_prog" "${path[$p]}" >&2; failed=1; }
		check_same "$p"
	done
	stop_nginx

	report "$1"
	mem_report "$bench_name"
	[ $failed -eq 0 ] ||
		pages_die 'some targets returned errors (see above)'
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# -ge 3 ] ||
		{ printf 'usage: %s NAME BASE_URL PAGE=PATH...\n' "$pages_prog" >&2
		  exit 2; }
	pages_fetch "$@"
	pages_measure "Page benchmark ($1)"
fi
