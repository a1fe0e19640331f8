#!/bin/sh
# Fuzzes the federation library's reading of peers' feed pages
# (fuzz_feed.c) for a bounded time, starting from the seeds in corpus/.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
#
# BUILD_DIR is a build tree of its own for the fuzz target: the first run
# configures it with CC=clang --enable-fuzz (libFuzzer, AddressSanitizer
# and UBSan), and make builds tests/fuzz/fuzz_feed there, as by hand:
#   CC=clang ./configure --enable-fuzz && make tests/fuzz/fuzz_feed
# The inputs it finds and any crash are kept in BUILD_DIR/tests/fuzz (the
# seeds in the source tree are only read).  Ends with "1 passed, 0 failed",
# or "0 passed, 1 failed" when it crashed, leaked or would not build.
#
# The seeds are signed with seed-key.pem, a key for these tests only;
# make_corpus.c writes them again:
#   cc -D_GNU_SOURCE -Ifeeds -Iserver/core -I. \
#       $(pkg-config --cflags libxml-2.0 libpq) tests/fuzz/make_corpus.c \
#       feeds/xml.c feeds/canon.c feeds/atom.c feeds/sign.c feeds/verify.c \
#       feeds/record.c server/core/parallel.c server/core/strbuf.c \
#       server/core/util.c server/core/log.c \
#       $(pkg-config --libs libxml-2.0 libcrypto) \
#       -lpthread -o make_corpus
#   ./make_corpus tests/fuzz/seed-key.pem tests/fuzz/corpus
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
out=$1/tests/fuzz
seconds=$2
cc=${CLANG:-clang}

result() {
	if [ "$1" -eq 0 ]; then
		echo "1 passed, 0 failed"
	else
		echo "0 passed, 1 failed"
	fi
	exit "$1"
}

if [ ! -f "$build/Makefile" ]; then
	if [ ! -x "$top/configure" ]; then
		echo "fuzz: no configure script: run autoreconf -fi first" >&2
		result 1
	fi
	echo "fuzz: configuring $build with CC=$cc --enable-fuzz" >&2
	mkdir -p "$build" &&
	    (cd "$build" && "$top/configure" -q CC="$cc" --enable-fuzz) ||
	    result 1
fi
echo "fuzz: building $out/fuzz_feed" >&2
if ! make -s -C "$build" -j"$(nproc 2>/dev/null || echo 1)" \
    tests/fuzz/fuzz_feed >/dev/null; then
	echo "fuzz: the target did not build (clang and libclang-rt-dev?" \
	    "$build configured with --enable-fuzz?)" >&2
	result 1
fi
mkdir -p "$out/corpus" || result 1

echo "fuzz: running for $seconds s" >&2
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "$out/fuzz_feed" -max_total_time="$seconds" -max_len=262144 \
    -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/" "$out/corpus" "$top/tests/fuzz/corpus" \
    2>"$out/fuzz.log"
rc=$?
grep -E '^(stat::number_of_executed_units|Done|#[0-9]+.*DONE)' \
    "$out/fuzz.log" >&2
if [ $rc -ne 0 ]; then
	tail -n 60 "$out/fuzz.log" >&2
	echo "fuzz: failed, log in $out/fuzz.log" >&2
fi
result $rc
