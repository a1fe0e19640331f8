#!/usr/bin/env bash
# The Debian package, as an administrator installs it: built from the
# files the repository tracks (dpkg-buildpackage, debian/), it must hold
# the program, its templates and migrations, the manual and the hardened
# systemd unit running the node as its own user, depend on the
# libraries it links and on pg_dump's package, and its program must run.
#
#   tests/package/check.sh WORKDIR
#
# Ends with "N passed, N failed".
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$1
passed=0 failed=0

check() {	# check WHAT COMMAND...: one assertion, counted.
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'package: FAILED: %s\n' "$what" >&2
	fi
}
finish() {
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ]
}

rm -rf "$work"
mkdir -p "$work/src"
(cd "$top" && git ls-files -z | xargs -0 tar -cf -) | tar -xf - -C "$work/src"
echo "package: dpkg-buildpackage (a full build)" >&2
if ! (cd "$work/src" && dpkg-buildpackage -b -us -uc \
    -j"$(nproc 2>/dev/null || echo 1)") >"$work/build.log" 2>&1; then
	tail -n 30 "$work/build.log" >&2
	failed=$((failed + 1))
	finish
	exit 1
fi
deb=$(ls "$work"/acorn_*.deb 2>/dev/null | head -n 1)
check "a .deb was made" test -f "$deb"
contents=$work/contents
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$contents"
has() { grep -qx "$1" "$contents"; }
check "the program" has ./usr/bin/acorn
check "the templates" has ./usr/share/acorn/templates/layout.html
check "the migrations" has ./usr/share/acorn/schema/061_feed_stream.sql
check "the manual" has ./usr/share/man/man8/acorn.8.gz
check "the systemd unit" has ./lib/systemd/system/acorn.service

mkdir -p "$work/root"
dpkg-deb -x "$deb" "$work/root"
unit=$work/root/lib/systemd/system/acorn.service
for line in User=acorn NoNewPrivileges=yes ProtectSystem=strict \
    PrivateTmp=yes ExecStart=/usr/bin/acorn\ serve \
    Environment=ACORN_CONFIG=/etc/acorn/acorn.conf; do
	check "the unit says $line" grep -qx "$line" "$unit"
done
depends=$(dpkg-deb -f "$deb" Depends)
for d in libpq5 libmicrohttpd postgresql-client adduser; do
	check "it depends on $d" grep -q "$d" <<<"$depends"
done
check "its program runs" "$work/root/usr/bin/acorn" -V
check "its program looks for its files where the package put them" \
	grep -q /usr/share/acorn "$work/root/usr/bin/acorn"
dpkg-deb -e "$deb" "$work/control"
check "installing it makes the node's user" grep -q "adduser --system" \
	"$work/control/postinst"
finish
