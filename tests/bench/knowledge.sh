#!/usr/bin/env bash
# Knowledge benchmark: how fast a node serves the evidence summary and a
# library document, anonymous and to a signed-in member, each as a ratio
# against nginx serving the very same bytes with the same headers,
# measured in the same run on the same machine.
#
#   tests/bench/knowledge.sh BASE_URL
#
# BASE_URL is a running node loaded with tests/bench/knowledge.sql, and
# the member of BENCH_MEMBER_EMAIL, BENCH_MEMBER_PASSWORD and
# BENCH_MEMBER_NAME one of its accounts (./run bench sets that up).  The
# measuring, its settings (BENCH_DURATION, BENCH_WARMUP, BENCH_THREADS,
# BENCH_CONNECTIONS, BENCH_NGINX_WORKERS) and what makes it fail are
# tests/bench/pages.sh's; output goes to var/bench/knowledge, and a row
# per page to var/bench/summary.tsv.
set -euo pipefail

[ $# -eq 1 ] || { printf 'usage: %s BASE_URL\n' "${0##*/}" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/pages.sh"

slug=social-prescribing-toolkit
title='Social prescribing toolkit for primary care networks'

pages_member "$1"
pages_fetch knowledge "$1" summary=/evidence/summary \
	+summary-in=/evidence/summary document=/library/$slug \
	+document-in=/library/$slug

# What a reader sees of PAGE: its text, without the markup.
text() { sed 's/<[^>]*>//g' "$(pages_body "$1")"; }

# The pages must be the ones the data set promises, to either viewer: the
# summary drawn from all 60 evaluations, 2015 to 2025, and the toolkit at
# its fourth revision with the 17 glossary terms it uses.
for p in summary summary-in; do
	summary=$(text $p)
	grep -q '^ *60 evaluations$' <<<"$summary" ||
		pages_die "/evidence/summary does not count 60 evaluations: was tests/bench/knowledge.sql loaded?"
	grep -q '^ *2015 to 2025 ' <<<"$summary" ||
		pages_die "/evidence/summary does not cover 2015 to 2025"
done
for p in document document-in; do
	document=$(text $p)
	grep -qF "<h1>$title</h1>" "$(pages_body $p)" ||
		pages_die "/library/$slug is not titled \"$title\": was tests/bench/knowledge.sql loaded?"
	grep -q '^Revision 4, last changed by' <<<"$document" ||
		pages_die "/library/$slug is not at revision 4"
	terms=$(grep -o '<dt>' "$(pages_body $p)" | wc -l || true)
	[ "$terms" -eq 17 ] ||
		pages_die "/library/$slug lists $terms glossary terms, expected 17"
done
pages_signed_in summary-in document-in

pages_measure 'Knowledge benchmark'
