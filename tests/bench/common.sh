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
