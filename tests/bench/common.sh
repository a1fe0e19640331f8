# What the benchmark scripts share: messages, reading a node's
# configuration file, and numbers as the reports print them.  Sourced:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bench_prog=${0##*/}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$bench_prog" "$*" >&2; exit 1; }

# conf_get CONFIG KEY: the value of one "key = value" line of a node's
# configuration file, or nothing.
conf_get() {
	awk -v want="$2" '
		/^[ \t]*#/ { next }
		{ k = $0; sub(/[ \t]*=.*/, "", k); gsub(/^[ \t]+/, "", k) }
		k == want { v = $0; sub(/^[^=]*=[ \t]*/, "", v)
			sub(/[ \t\r]+$/, "", v); print v; exit }' "$1"
}

# A over B to three places; 0 when B is not positive.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

# A whole number, rounded.
whole() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }

# A whole number with thousands separators.
fmt() {
	awk -v x="$1" 'BEGIN {
		s = sprintf("%.0f", x); out = ""
		while (length(s) > 3) {
			out = "," substr(s, length(s) - 2) out
			s = substr(s, 1, length(s) - 3)
		}
		print s out }'
}

# The median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	END { if (NR % 2) printf "%s", v[(NR + 1) / 2]
	      else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- the summary: one line per row of the table --------------------------------

bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Every benchmark writes its rows through summary_row, into
# var/bench/summary.tsv (or BENCH_SUMMARY): tab-separated, a header line
# first, the figures as the benchmark printed them, and whether the goal
# was met.  ./run bench starts it afresh with summary_start; a benchmark
# run on its own adds to what is there, starting the file if need be.
summary_file=${BENCH_SUMMARY:-$bench_top/var/bench/summary.tsv}
summary_header=$'name\tacorn\treference\tratio\tgoal\tunit\tverdict'

summary_start() {
	mkdir -p "$(dirname "$summary_file")"
	printf '%s\n' "$summary_header" >"$summary_file"
}

# A figure as a plain number ("2,041" -> 2041), or nothing.
plain() {
	local x=${1//,/}
	case $x in
	*[0-9]*) ;;
	*) return 0 ;;
	esac
	case $x in
	*[!0-9.-]*|*.*.*|?*-*) return 0 ;;
	esac
	printf '%s' "$x"
}

# verdict GOAL ACORN RATIO: "met", "not met", or "-" when the goal is no
# bound ("keep" alone, or none).  A goal is "[keep] >= X" or "<= X" (also
# written with the signs ≥ and ≤); it bounds the ratio where there is
# one, or else Acorn's own figure.
verdict() {
	local goal=$1 value op bound
	value=$(plain "$3")
	[ -n "$value" ] || value=$(plain "$2")
	case $goal in
	*'≥'*|*'>='*) op=ge ;;
	*'≤'*|*'<='*) op=le ;;
	*) printf -- '-'; return 0 ;;
	esac
	bound=$(sed 's/.*[≥≤=][ ]*//' <<<"$goal")
	bound=$(plain "${bound%% *}")
	if [ -z "$bound" ] || [ -z "$value" ]; then printf -- '-'; return 0; fi
	awk -v v="$value" -v b="$bound" -v op="$op" 'BEGIN {
		ok = (op == "ge") ? (v >= b) : (v <= b)
		printf "%s", (ok ? "met" : "not met") }'
}

# summary_row NAME ACORN REFERENCE RATIO GOAL UNIT: one row of the table,
# each figure as printed ("-" where there is none).
summary_row() {
	[ $# -eq 6 ] || die "summary_row NAME ACORN REFERENCE RATIO GOAL UNIT"
	local f line
	for f; do
		case $f in
		*$'\t'*|*$'\n'*) die "summary_row: a field holds a tab or newline: $f" ;;
		esac
	done
	line=$(printf '%s\t' "$@")
	[ -s "$summary_file" ] || summary_start
	printf '%s%s\n' "$line" "$(verdict "$5" "$2" "$4")" >>"$summary_file"
}

# summary_print: the whole summary as a table, and how many goals were
# met of those that have one.
summary_print() {
	[ -s "$summary_file" ] || return 0
	printf '\nSummary (%s):\n\n' "${summary_file#"$bench_top"/}"
	awk -F '\t' '
		{ for (i = 1; i <= NF; i++) {
			cell[NR, i] = $i
			# Width in characters, not bytes: ≥ and ≤ are three.
			n = length($i); t = $i
			n -= 2 * gsub(/≥|≤|—|→/, "", t)
			len[NR, i] = n
			if (n > w[i]) w[i] = n }
		  nf[NR] = NF
		  if (NR > 1 && $NF == "met") met++
		  if (NR > 1 && $NF != "-") goals++ }
		END {
			for (r = 1; r <= NR; r++) {
				line = "  "
				for (i = 1; i <= nf[r]; i++) {
					pad = (i < nf[r]) ? w[i] - len[r, i] + 2 : 0
					line = line cell[r, i] sprintf("%*s", pad, "")
				}
				print line
			}
			printf "\n  goals met: %d of %d\n", met, goals
		}' "$summary_file"
}

# --- memory: each node's peak resident set ------------------------------------

# The nodes ./run started that still serve, "NAME PID" a line: each
# writes var/nodes/NAME.pid, and its command line names NAME.conf.
bench_nodes() {
	local f name pid
	for f in "$bench_top"/var/nodes/*.pid; do
		[ -f "$f" ] || continue
		name=${f##*/}
		name=${name%.pid}
		pid=$(cat "$f")
		case $pid in ''|*[!0-9]*) continue ;; esac
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
			grep -qF "/$name.conf serve" || continue
		printf '%s %s\n' "$name" "$pid"
	done
}

# status_kb PID FIELD: a /proc/PID/status figure in kB (VmRSS, VmHWM).
status_kb() { awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null; }

# Megabytes to one place, from kB.
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# mem_reset: each node's peak starts again from what it holds now (the
# kernel's clear_refs 5), so a benchmark's peak is its own and not that
# of the one before it on the same node.
mem_reset() {
	local name pid
	while read -r name pid; do
		printf '5' >"/proc/$pid/clear_refs" 2>/dev/null ||
			printf '%s: cannot reset the peak of %s (pid %s)\n' \
				"$bench_prog" "$name" "$pid" >&2
	done < <(bench_nodes)
}

# mem_report BENCHMARK: prints each node's peak resident memory (VmHWM)
# since mem_reset, and writes it to the summary as a row per node.
mem_report() {
	local name pid kb printed=0
	while read -r name pid; do
		kb=$(status_kb "$pid" VmHWM)
		[ -n "$kb" ] || continue
		[ $printed -eq 1 ] || printf '\n  peak resident memory (VmHWM):\n'
		printed=1
		printf '  %-20s %8s MB\n' "$name" "$(mb "$kb")"
		summary_row "$1: peak resident memory, $name" "$(mb "$kb")" \
			- - - MB
	done < <(bench_nodes)
}
