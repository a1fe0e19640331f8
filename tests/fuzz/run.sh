#!/bin/sh
# Fuzzes the federation library's reading of peers' feed pages
# (fuzz_feed.c) for a bounded time, starting from the seeds in corpus/.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
#
# Builds with clang's libFuzzer, AddressSanitizer and UBSan in
# BUILD_DIR/fuzz, where the inputs it finds and any crash are kept (the
# seeds in the source tree are only read).  Ends with "1 passed, 0 failed",
# or "0 passed, 1 failed" when it crashed, leaked or would not build.
#
# The seeds are signed with seed-key.pem, a key for these tests only;
# make_corpus.c writes them again:
#   cc -D_GNU_SOURCE -Ifeeds $(pkg-config --cflags xmlsec1-openssl) \
#       tests/fuzz/make_corpus.c feeds/xml.c feeds/sign.c feeds/verify.c \
#       feeds/record.c $(pkg-config --libs xmlsec1-openssl) -o make_corpus
#   ./make_corpus tests/fuzz/seed-key.pem tests/fuzz/corpus
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1/fuzz
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

mkdir -p "$out/corpus" || result 1
mods="xmlsec1-openssl libxml-2.0 libcrypto"
if ! flags=$(pkg-config --cflags $mods) || ! libs=$(pkg-config --libs $mods)
then
	echo "fuzz: pkg-config found no $mods" >&2
	result 1
fi

echo "fuzz: building $out/fuzz_feed" >&2
# shellcheck disable=SC2086 # the flags are word lists
if ! "$cc" -g -O1 -D_GNU_SOURCE -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$top/feeds" $flags -o "$out/fuzz_feed" \
    "$top/tests/fuzz/fuzz_feed.c" "$top/feeds/xml.c" "$top/feeds/sign.c" \
    "$top/feeds/verify.c" "$top/feeds/record.c" $libs; then
	echo "fuzz: the target did not build (clang and libclang-rt-dev?)" >&2
	result 1
fi

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
