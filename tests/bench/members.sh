#!/usr/bin/env bash
# Member directory benchmark: how fast a node serves /members and its
# stylesheet, as a ratio against nginx serving the very same bytes with the
# same headers, measured in the same run on the same machine.
#
#   tests/bench/members.sh BASE_URL
#
# BASE_URL is a running node loaded with tests/bench/members.sql (./run bench
# sets that up).  Settings, from the environment:
#
#   BENCH_DURATION     each measured wrk run (default 10s)
#   BENCH_WARMUP       an unmeasured wrk run before each one (default 2s; 0 skips)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_CONNECTIONS  wrk connections, the same for every target (default 32)
#   BENCH_NGINX_WORKERS  nginx worker processes (default 2)
#
# Exits non-zero when a target answers with an error status, drops
# connections, or serves bytes different from the node's.
set -euo pipefail

usage() { printf 'usage: %s BASE_URL\n' "${0##*/}" >&2; exit 2; }
[ $# -eq 1 ] || usage
base=${1%/}
case $base in http://*|https://*) ;; *) usage ;; esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$top/var/bench/members

seconds() {	# "10", "10s", "1m" -> what wrk takes
	case $1 in
	*[!0-9smh]*|'') printf 'members.sh: bad duration: %s\n' "$1" >&2; exit 2 ;;
	*[smh]) printf '%s' "$1" ;;
	*) printf '%ss' "$1" ;;
	esac
}
count() {	# a positive whole number, or exit
	case $2 in
	''|*[!0-9]*|0) printf 'members.sh: %s must be a positive number\n' "$1" >&2
		exit 2 ;;
	esac
	printf '%s' "$2"
}
duration=$(seconds "${BENCH_DURATION:-10s}")
warmup=${BENCH_WARMUP:-2s}
[ "$warmup" = 0 ] || warmup=$(seconds "$warmup")
threads=$(count BENCH_THREADS "${BENCH_THREADS:-2}")
conns=$(count BENCH_CONNECTIONS "${BENCH_CONNECTIONS:-32}")
workers=$(count BENCH_NGINX_WORKERS "${BENCH_NGINX_WORKERS:-2}")
[ "$conns" -ge "$threads" ] || { echo 'members.sh: fewer connections than threads' >&2; exit 2; }

nginx=/usr/sbin/nginx
for tool in curl wrk "$nginx"; do
	command -v "$tool" >/dev/null ||
		{ printf 'members.sh: %s is missing (packages curl, wrk, nginx-light)\n' "$tool" >&2; exit 1; }
done

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'members.sh: %s\n' "$*" >&2; exit 1; }

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
trap stop_nginx EXIT
trap 'exit 130' INT TERM

rm -rf "$work"
mkdir -p "$work/www" "$work/tmp"

# --- what the node serves ----------------------------------------------------

# fetch URL BODY HEADERS: saves the exact bytes and the response headers;
# prints the status and the Content-Type.
fetch() {
	curl -sS --max-time 10 -o "$2" -D "$3" \
		-w '%{http_code} %{content_type}' "$1"
}

# The value of one response header, from a file curl -D wrote.
header() {
	awk -v want="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
		BEGIN { FS = ":" }
		{ sub(/\r$/, "") }
		tolower($1) == want { sub(/^[^:]*:[ \t]*/, ""); print; exit }' "$1"
}

# The headers the node adds to every answer besides the body's type; nginx
# adds the same ones, so both send as much.
# The node's Set-Cookie (a fresh pre-session token per anonymous request)
# is replayed as it was: the same number of bytes on the wire.
copied_headers=(Cache-Control Content-Security-Policy X-Content-Type-Options
	Referrer-Policy X-Frame-Options Set-Cookie)

# Writes add_header lines for one of the node's answers.
nginx_headers() {
	local name value
	for name in "${copied_headers[@]}"; do
		value=$(header "$1" "$name")
		[ -n "$value" ] || continue
		case $value in
		*[\"\\\${}]*)
			die "cannot copy $name into the nginx config: $value" ;;
		esac
		printf '\t\t\tadd_header %s "%s" always;\n' "$name" "$value"
	done
}

pages=(members static)
declare -A path file type
path[members]=/members
file[members]=members.html
path[static]=/static/acorn.css
file[static]=acorn.css

for p in "${pages[@]}"; do
	say "fetching $base${path[$p]}"
	got=$(fetch "$base${path[$p]}" "$work/www/${file[$p]}" "$work/$p.acorn-headers") ||
		die "cannot fetch $base${path[$p]}"
	[ "${got%% *}" = 200 ] || die "$base${path[$p]} answered ${got%% *}, not 200"
	type[$p]=${got#* }
	[ -n "${type[$p]}" ] || die "$base${path[$p]} has no Content-Type"
	[ -s "$work/www/${file[$p]}" ] ||
		printf 'members.sh: warning: %s is empty; measuring it anyway\n' \
			"$base${path[$p]}" >&2
	# The same page twice must be the same bytes: nothing per request
	# (a token, a time) may hide in what nginx will replay.
	fetch "$base${path[$p]}" "$work/$p.again" /dev/null >/dev/null ||
		die "cannot fetch $base${path[$p]} again"
	cmp -s "$work/www/${file[$p]}" "$work/$p.again" ||
		die "$base${path[$p]} differs from one request to the next"
done

# The page must be the one the data set promises: 50 listed members, the
# first 20 of them on it.
grep -q '50 members found' "$work/www/members.html" ||
	die "/members does not report 50 members: was tests/bench/members.sql loaded?"
shown=$(grep -o 'class="member-card"' "$work/www/members.html" | wc -l)
[ "$shown" -eq 20 ] || die "/members shows $shown members, expected 20"

# --- nginx serving the same bytes ---------------------------------------------

declare -A add_headers
for p in "${pages[@]}"; do
	add_headers[$p]=$(nginx_headers "$work/$p.acorn-headers")
done

write_nginx_conf() {	# PORT
	local user=
	# Workers of a root master would run as nobody, who may not read
	# var/; on a loopback-only benchmark they may as well stay root.
	[ "$(id -u)" -ne 0 ] || user='user root;'
	cat >"$work/nginx.conf" <<EOF
# Generated by tests/bench/members.sh; rewritten on every run.
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
	types {}

	server {
		listen 127.0.0.1:$1;
		server_name localhost;
		root $work/www;

		location = /members.html {
			default_type "${type[members]}";
${add_headers[members]}
		}
		location = /acorn.css {
			default_type "${type[static]}";
${add_headers[static]}
		}
		location / {
			return 404;
		}
	}
}
EOF
}

# Picks a free port by trying: a random one, and another if nginx cannot
# bind it.
nginx_port=
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
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/acorn.css" &&
			{ nginx_port=$port; break; }
		sleep 0.1
	done
	[ -n "$nginx_port" ] && break
	stop_nginx
	grep -q 'Address already in use' "$work/nginx-error.log" ||
		{ tail -n 20 "$work/nginx-error.log" >&2; die "nginx did not start"; }
done
[ -n "$nginx_port" ] || die "found no free port for nginx"
ref=http://127.0.0.1:$nginx_port
say "nginx ($workers workers) serving the same bytes on $ref"

declare -A ref_path
ref_path[members]=/members.html
ref_path[static]=/acorn.css

# Same bytes, same type: otherwise the ratio compares different work.
check_same() {	# PAGE
	local p=$1 got
	got=$(fetch "$ref${ref_path[$p]}" "$work/$p.nginx" "$work/$p.nginx-headers") ||
		die "cannot fetch $ref${ref_path[$p]}"
	[ "${got%% *}" = 200 ] || die "nginx answered ${got%% *} for ${ref_path[$p]}"
	[ "${got#* }" = "${type[$p]}" ] ||
		die "nginx sends Content-Type ${got#* } for ${ref_path[$p]}, the node ${type[$p]}"
	cmp "$work/www/${file[$p]}" "$work/$p.nginx" >&2 ||
		die "nginx's ${ref_path[$p]} differs from the node's ${path[$p]}"
}
for p in "${pages[@]}"; do check_same "$p"; done

# --- measuring ---------------------------------------------------------------------

failed=0
declare -A rps

# bench LABEL URL: one wrk run; keeps its output and the requests/s.
bench() {
	local label=$1 url=$2 out=$work/wrk-$1.txt
	local r n s

	if [ "$warmup" != 0 ]; then
		wrk -t"$threads" -c"$conns" -d"$warmup" "$url" >/dev/null 2>&1 ||
			die "wrk failed against $url"
	fi
	say "wrk -t$threads -c$conns -d$duration $url"
	wrk -t"$threads" -c"$conns" -d"$duration" --latency "$url" >"$out" 2>&1 ||
		{ cat "$out" >&2; die "wrk failed against $url"; }
	r=$(awk '$1 == "Requests/sec:" { print $2 }' "$out")
	[ -n "$r" ] || { cat "$out" >&2; die "no Requests/sec from wrk for $url"; }
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

bench acorn-members "$base${path[members]}"
bench nginx-members "$ref${ref_path[members]}"
bench acorn-static "$base${path[static]}"
bench nginx-static "$ref${ref_path[static]}"

# Still serving the same bytes after the load?
for p in "${pages[@]}"; do
	fetch "$base${path[$p]}" "$work/$p.after" /dev/null >/dev/null ||
		{ echo "members.sh: the node stopped answering ${path[$p]}" >&2; failed=1; continue; }
	cmp -s "$work/www/${file[$p]}" "$work/$p.after" ||
		{ echo "members.sh: the node's ${path[$p]} changed under load" >&2; failed=1; }
	check_same "$p"
done

# --- report ----------------------------------------------------------------------

# Requests/s with thousands separators, whole.
fmt() {
	awk -v x="$1" 'BEGIN {
		s = sprintf("%.0f", x); out = ""
		while (length(s) > 3) {
			out = "," substr(s, length(s) - 2) out
			s = substr(s, 1, length(s) - 3)
		}
		print s out }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
latency() {	# LABEL: "avg 1.2ms, 99% 4.5ms, max 9ms"
	awk '$1 == "Latency" && avg == "" { avg = $2; max = $4 }
		$1 == "99%" { p99 = $2 }
		END { printf "avg %s, 99%% %s, max %s", avg, p99, max }' \
		"$work/wrk-$1.txt"
}

printf '\nMember directory benchmark: wrk -t%s -c%s -d%s, nginx %s workers, %s CPUs\n' \
	"$threads" "$conns" "$duration" "$workers" "$(nproc)"
printf '  /members: %s bytes (%s), /static/acorn.css: %s bytes (%s)\n\n' \
	"$(wc -c <"$work/www/members.html")" "${type[members]}" \
	"$(wc -c <"$work/www/acorn.css")" "${type[static]}"
row() {	# NAME KEY
	printf '  %-13s acorn %9s req/s, nginx %9s req/s, ratio %s\n' "$1:" \
		"$(fmt "${rps[acorn-$2]}")" "$(fmt "${rps[nginx-$2]}")" \
		"$(ratio "${rps[acorn-$2]}" "${rps[nginx-$2]}")"
}
row 'members page' members
row 'static asset' static
printf '\n  latency under load:\n'
for label in acorn-members nginx-members acorn-static nginx-static; do
	printf '  %-14s %s\n' "$label" "$(latency "$label")"
done
printf '\n  wrk output: var/bench/members/wrk-*.txt\n'

if [ $failed -ne 0 ]; then
	echo 'members.sh: some targets returned errors (see above)' >&2
	exit 1
fi
