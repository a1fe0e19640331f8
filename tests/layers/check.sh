#!/bin/sh
# make check's run of tests/layers/check.py on the objects just built.
exec python3 "$ACORN_SRCDIR/tests/layers/check.py" "$ACORN_SRCDIR" \
    "$ACORN_BUILDDIR" "${CC:-cc}"
