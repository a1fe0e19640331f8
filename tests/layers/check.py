#!/usr/bin/env python3
"""Acorn's layers, checked two ways: headers and built objects.

    tests/layers/check.py SRCDIR BUILDDIR CC

1. Includes.  A probe file per rule is compiled with the flags its layer's
   library gets in Makefile.am (-DACORN_LAYER_* and that layer's include
   paths): a header of a layer above must not compile, whether named
   (the include path lacks it) or reached by its full path (the header
   refuses the layer); the headers a layer may use must compile.
2. Objects.  Read with nm: no layer's objects call code defined in a
   layer above them; the core and the federation library call nothing of
   libmicrohttpd; and no group of more than MAX_CYCLE files depends on
   itself.
3. Names.  Every handler in the route table (server/routes.c) is defined
   in the file its name starts with: events_show in events.c.

Ends with "N passed, N failed"; exits 1 when anything failed.
"""
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

MAX_CYCLE = 1

# Where each layer's sources are, the include folders its library gets,
# and the headers (by the folder that holds them) it may not include.
LAYERS = {
    "core": ("server/core", ["server/core"], []),
    "web": ("server/web", ["server/core", "server/web"], []),
    "feeds": ("feeds", ["server/core", "feeds"], []),
    "pages": ("server/pages",
              ["server/core", "server/web", "feeds", "server/pages"], []),
}
HEADERS = {
    "core": "server/core/core.h",
    "web": "server/web/web.h",
    "feeds": "feeds/federation.h",
    "pages": "server/pages/pages.h",
}
# Which layers each may use; main.c and routes.c may use them all.
MAY_USE = {
    "core": {"core"},
    "web": {"core", "web"},
    "feeds": {"core", "feeds"},
    "pages": {"core", "web", "feeds", "pages"},
}

passed = failed = 0


def result(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def pkg_cflags():
    mods = "libxml-2.0 xmlsec1-openssl libcrypto libpq libmicrohttpd"
    r = subprocess.run(["pkg-config", "--cflags"] + mods.split(),
                       capture_output=True, text=True)
    return r.stdout.split()


def compiles(cc, src, build, layer, include):
    flags = ["-D_GNU_SOURCE", "-DACORN_LAYER_" + layer.upper(),
             "-I" + build]
    flags += ["-I" + os.path.join(src, d) for d in LAYERS[layer][1]]
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.c")
        with open(probe, "w") as f:
            f.write('#include "%s"\nint probe(void);\n'
                    'int probe(void) { return 0; }\n' % include)
        r = subprocess.run([cc] + flags + pkg_cflags() +
                           ["-fsyntax-only", probe],
                           capture_output=True, text=True)
    return r.returncode == 0


def check_includes(cc, src, build):
    for layer in LAYERS:
        for other, header in HEADERS.items():
            name = os.path.basename(header)
            path = os.path.join(src, header)
            if other in MAY_USE[layer]:
                result(compiles(cc, src, build, layer, name),
                       "%s cannot include %s" % (layer, name))
            else:
                result(not compiles(cc, src, build, layer, name),
                       "%s includes %s by name" % (layer, name))
                result(not compiles(cc, src, build, layer, path),
                       "%s includes %s by its path" % (layer, name))


def layer_of(rel):
    for layer, (d, _, _) in LAYERS.items():
        if rel.startswith(d + "/"):
            return layer
    return "main"


def read_objects(build):
    defs, undefs = {}, defaultdict(set)
    for d, _, fs in os.walk(build):
        for f in fs:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, build)
            if not f.endswith(".o") or rel.startswith("tests"):
                continue
            out = subprocess.run(["nm", p], capture_output=True,
                                 text=True).stdout
            undefs[rel]
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "TDBRC":
                    defs.setdefault(parts[2], rel)
                elif len(parts) == 2 and parts[0] == "U":
                    undefs[rel].add(parts[1])
    return defs, undefs


def largest_cycle(files, edges):
    index, low, stack, on, best = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        nonlocal best
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > len(best):
                best = sorted(group)

    for f in files:
        if f not in index:
            visit(f)
    return best


def check_objects(build):
    defs, undefs = read_objects(build)
    files = sorted(undefs)
    result(any(layer_of(f) == "core" for f in files),
           "no objects of the core found under " + build)
    edges = defaultdict(set)
    wrong = defaultdict(list)
    for f in files:
        for s in undefs[f]:
            g = defs.get(s)
            if g is None or g == f:
                continue
            edges[f].add(g)
            a, b = layer_of(f), layer_of(g)
            if a != "main" and b not in MAY_USE[a]:
                wrong[a].append("%s calls %s of %s" % (f, s, g))
    for layer in LAYERS:
        result(not wrong[layer], "%s calls a layer above it: %s" %
               (layer, "; ".join(wrong[layer])))
    for layer in ("core", "feeds"):
        mhd = sorted("%s: %s" % (f, s) for f in files
                     if layer_of(f) == layer
                     for s in undefs[f] if s.startswith("MHD_"))
        result(not mhd, "%s calls libmicrohttpd: %s" % (layer,
               "; ".join(mhd)))
    big = largest_cycle(files, edges)
    result(len(big) <= MAX_CYCLE,
           "%d files depend on each other: %s" % (len(big), " ".join(big)))
    print("largest group of files that depend on each other: %d (%s)" %
          (len(big), " ".join(big) or "none"))


def source_of(obj):
    """server/pages/libpages_a-events.o -> events"""
    base = os.path.basename(obj)[:-2]
    return base.split("-", 1)[1] if "-" in base else base


def check_handlers(src, build):
    import re
    with open(os.path.join(src, "server", "routes.c")) as f:
        handlers = sorted(set(re.findall(r"\.handler = (\w+)", f.read())))
    defs, _ = read_objects(build)
    result(len(handlers) > 0, "no handlers found in server/routes.c")
    wrong = []
    for h in handlers:
        obj = defs.get(h)
        if obj is None or not h.startswith(source_of(obj) + "_") and \
                h != source_of(obj):
            wrong.append("%s in %s" % (h, obj))
    result(not wrong, "handlers not named for their file: " +
           "; ".join(wrong))


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    src, build, cc = sys.argv[1:]
    check_includes(cc, src, build)
    check_objects(build)
    check_handlers(src, build)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
