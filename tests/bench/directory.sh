#!/usr/bin/env bash
# Directory benchmark: how fast a node answers a link worker's search of
# the directory of services (words, a need and a postcode within 5 km)
# on 5,000 services, anonymous and signed in, and the first page of its
# Open Referral UK API, each as a ratio against nginx serving the very
# same bytes with the same headers, in the same run on the same machine.
#
#   tests/bench/directory.sh BASE_URL
#
# BASE_URL is a running node loaded with tests/demo/postcodes.csv (acorn
# postcodes import) and tests/bench/directory.sql, and the member of
# BENCH_MEMBER_EMAIL, BENCH_MEMBER_PASSWORD and BENCH_MEMBER_NAME one of
# its accounts (./run bench sets that up).  The measuring and its
# settings are tests/bench/pages.sh's; the goal of each row is a ratio of
# at least 0.25.  Output goes to var/bench/directory, and a row per page
# to var/bench/summary.tsv.
set -euo pipefail

[ $# -eq 1 ] || { printf 'usage: %s BASE_URL\n' "${0##*/}" >&2; exit 2; }

. "$(dirname "${BASH_SOURCE[0]}")/pages.sh"

search='/services?q=group&need=befriending&postcode=BL1+2BF&distance=5'
pages_member "$1"
pages_fetch directory "$1" "search=$search" "+search-in=$search" \
	'api=/api/oruk/services?page=1'

# The pages must be the ones the data set promises: a search that finds
# befriending groups near BL1 2BF, nearest first, twenty to a page; and
# the API's first page of 50 of the 5,000 services.
for v in search search-in; do
	grep -qE 'Showing [0-9]+ services: search .group., need Loneliness and befriending, near BL1 2BF, within 5 km' \
		"$(pages_body "$v")" ||
		pages_die "$search does not say what it found: was tests/bench/directory.sql loaded?"
	n=$(grep -oF 'km away (' "$(pages_body "$v")" | wc -l || true)
	[ "$n" -eq 20 ] ||
		pages_die "$search shows $n services with a distance, expected 20"
done
python3 - "$(pages_body api)" <<'PY' || pages_die "/api/oruk/services?page=1 is not the first page of 5,000 services"
import json, sys
page = json.load(open(sys.argv[1]))
assert page["total_items"] >= 5000 and page["page_number"] == 1
assert page["size"] == 50 and len(page["contents"]) == 50
assert all("id" in s and "name" in s for s in page["contents"])
PY
pages_signed_in search-in
for p in search search-in api; do
	page_goal[$p]='>= 0.25'
done

pages_measure 'Directory benchmark'
