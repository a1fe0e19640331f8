#!/usr/bin/python3
"""Checks a node's Open Referral UK 3.0 read API (BASE/api/oruk) as a client
and the ORUK validator see it: responses against the ORUK 3.0 JSON Schemas
in tests/oruk/schema (resolved offline), listings and records by id, each
filter with values from real records, and bad input.

    check_oruk.py --url http://127.0.0.1:8081

Prints "ok - NAME" or "not ok - NAME: why" per check, then "N passed, N
failed"; exits 1 if any failed.  Needs python3-jsonschema; no other network.
"""

import argparse
import collections
import json
import math
import os
import pathlib
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
import warnings
from datetime import datetime, timedelta, timezone

import jsonschema

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "schema")
PUBLISHED = "https://openreferraluk.org/specifications/3.0/schema/"
API = "/api/oruk"
PAGE_KEYS = ("total_items", "total_pages", "page_number", "size",
             "first_page", "last_page", "empty", "contents")
NIL_ID = "00000000-0000-4000-8000-000000000000"
FETCH_CAP = 60          # records fetched while looking for filter values

passed = failed = 0
base_url = ""
# No proxies: the only network touched is the node.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
seen = {"responses": 0, "bad_type": [], "bad_cors": [], "nulls": []}
full_cache = {}
Resp = collections.namedtuple("Resp", "url status data text")


def check(name, ok, why=""):
    global passed, failed
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    print("ok - %s" % name if ok else
          "not ok - %s%s" % (name, ": " + why if why else ""))


def load_validators():
    """A validator for each vendored file, keyed by its path under schema/,
    all sharing a store that maps every file's $id, published URL and file
    URL to its content, so that each $ref resolves offline."""
    docs, store = {}, {}
    for root, _dirs, files in os.walk(SCHEMA_DIR):
        for name in (f for f in files if f.endswith(".json")):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, SCHEMA_DIR).replace(os.sep, "/")
            with open(path, encoding="utf-8") as f:
                docs[rel] = doc = json.load(f)
            for uri in (doc.get("$id"), PUBLISHED + rel,
                        pathlib.Path(path).as_uri()):
                if uri:
                    store[uri] = doc
    validators = {}
    for rel, doc in docs.items():
        cls = jsonschema.validators.validator_for(
            doc, default=jsonschema.Draft202012Validator)
        # A file without an $id lives at its published URL.
        resolver = jsonschema.RefResolver(doc.get("$id", PUBLISHED + rel),
                                          doc, store=store)
        validators[rel] = cls(doc, resolver=resolver,
                              format_checker=jsonschema.FormatChecker())
    return validators


# jsonschema after 4.17 deprecates RefResolver; Debian 12's 4.10.3 needs it.
warnings.filterwarnings("ignore", category=DeprecationWarning)
VALIDATORS = load_validators()


def schema_problem(rel, instance):
    """The first way instance breaks schema file rel, or "" if it fits."""
    errors = sorted(VALIDATORS[rel].iter_errors(instance),
                    key=lambda e: list(e.absolute_path))
    if not errors:
        return ""
    where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
    return "%s: %s" % (where, errors[0].message[:160])


def first_null(value, where="$"):
    """Path to the first key holding null: empty optional fields must be
    left out, not sent as null."""
    if isinstance(value, dict):
        for k, v in value.items():
            found = where + "." + k if v is None else first_null(
                v, where + "." + k)
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = first_null(v, "%s[%d]" % (where, i))
            if found:
                return found
    return ""


def get(path, **params):
    """GET BASE+path, noting header and null problems for the last checks."""
    url = base_url + urllib.parse.quote(path, safe="/%:@{}")
    if params:
        url += "?" + urllib.parse.urlencode(params,
                                            quote_via=urllib.parse.quote)
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(req, timeout=30) as r:
            status, headers, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    except (urllib.error.URLError, OSError) as e:
        return Resp(url, 0, None, str(e))
    seen["responses"] += 1
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "application/json":
        seen["bad_type"].append("%s (%s)" % (url, ctype or "none"))
    if headers.get("Access-Control-Allow-Origin") != "*":
        seen["bad_cors"].append(url)
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if first_null(data):
        seen["nulls"].append("%s at %s" % (url, first_null(data)))
    return Resp(url, status, data, text)


def why(r):
    return "HTTP %d from %s: %s" % (r.status, r.url, r.text[:120])


def body(r):
    """The response's JSON object, or {} when it is anything else."""
    return r.data if isinstance(r.data, dict) else {}


def get_object(name, path, rel):
    """GET one record and check it against schema rel; returns it or {}."""
    r = get(path)
    problem = (why(r) if r.status != 200 else
               "not a JSON object" if not isinstance(r.data, dict) else
               schema_problem(rel, r.data))
    check(name, not problem, problem)
    return body(r) if r.status == 200 else {}


def page_problems(r, item_rel, page, per_page=None):
    """What is wrong with one list page: its shape, page.json, each item
    against item_rel, and the paging arithmetic."""
    d = body(r)
    if r.status != 200 or not d:
        return [why(r)]
    missing = [k for k in PAGE_KEYS if k not in d]
    if missing:
        return ["missing " + ", ".join(missing)]
    probs = ["page.json " + p for p in [schema_problem("page.json", d)] if p]
    items = d["contents"]
    if not isinstance(items, list):
        return probs + ["contents is not an array"]
    for i, item in enumerate(items):
        problem = schema_problem(item_rel, item)
        if problem:
            probs.append("contents[%d] vs %s %s" % (i, item_rel, problem))
            break
    n, total, pages = d["size"], d["total_items"], d["total_pages"]
    if not all(type(x) is int for x in (n, total, pages)):
        return probs
    expect = [("page_number", d["page_number"] == page),
              ("size vs len(contents)", n == len(items)),
              ("first_page", d["first_page"] == (page == 1)),
              ("last_page",
               d["last_page"] == (page == pages or pages == 0)),
              ("empty", d["empty"] == (n == 0))]
    # With per_page unknown, the default shows as a non-last page's size.
    pp = per_page or (n if page < pages else None)
    if pp:
        expect += [("total_pages vs ceil(total_items/%d)" % pp,
                    pages == math.ceil(total / pp)),
                   ("size for this page",
                    n == max(0, min(pp, total - (page - 1) * pp)))]
    elif page == 1:
        expect.append(("total_pages", pages == (1 if total else 0)))
    probs += ["wrong %s (page %d: size %d, total_items %d, total_pages %d)"
              % (what, page, n, total, pages) for what, ok in expect if not ok]
    return probs


def check_page(name, path, item_rel, page, per_page=None):
    """One list page as a check; returns it, or {}."""
    params = {"page": page}
    if per_page:
        params["per_page"] = per_page
    r = get(path, **params)
    probs = page_problems(r, item_rel, page, per_page)
    check(name, not probs, "; ".join(probs[:3]))
    return body(r) if isinstance(body(r).get("contents"), list) else {}


def collect(path, item_rel, max_pages=20, **params):
    """All items over pages of 100, and any problems met on the way."""
    items, probs = [], []
    for page in range(1, max_pages + 1):
        r = get(path, page=page, per_page=100, **params)
        probs += ["page %d: %s" % (page, p)
                  for p in page_problems(r, item_rel, page, 100)]
        contents = body(r).get("contents")
        if not isinstance(contents, list):
            break
        items += [i for i in contents if isinstance(i, dict)]
        if body(r).get("last_page") is not False:
            break
    return items, probs


def check_filter(name, path, params, source_id, each=None,
                 item_rel="service_list.json"):
    """A filter must find something, include the record its value came
    from, and every result must satisfy it where the result shows it."""
    items, probs = collect(path, item_rel, **params)
    problems = probs[:2]
    if not items:
        problems.append("no results")
    elif source_id not in [i.get("id") for i in items]:
        problems.append("%s not among the %d results"
                        % (source_id, len(items)))
    bad = [i.get("id") for i in items if each and not each(i)]
    if bad:
        problems.append("%d results do not match, e.g. %s"
                        % (len(bad), bad[0]))
    check(name, not problems, "; ".join(problems))


def need(name, value):
    """Fail, rather than skip, when no record offers a value to test."""
    if not value:
        check(name, False, "no record in the data provides one")
    return value


def full_service(sid):
    if sid not in full_cache:
        full_cache[sid] = body(get(API + "/services/" + sid))
    return full_cache[sid]


def find_full(ids, pick):
    """The first full service for which pick gives a value, and the value."""
    for sid in ids[:FETCH_CAP]:
        value = pick(full_service(sid))
        if value:
            return full_service(sid), value
    return {}, None


def dicts(value):
    return [x for x in value or [] if isinstance(x, dict)]


def term_id_of(svc):
    return next((a["taxonomy_term_id"] for a in dicts(svc.get("attributes"))
                 if a.get("taxonomy_term_id")), None)


def weekly_slot(svc):
    """(day, opens HH:MM, closes HH:MM) from a weekly schedule, if any."""
    for s in dicts(svc.get("schedules")):
        day = re.search(r"MO|TU|WE|TH|FR|SA|SU", str(s.get("byday")))
        opens, closes = s.get("opens_at"), s.get("closes_at")
        if day and s.get("freq", "WEEKLY") == "WEEKLY" and opens and closes:
            return day.group(0), str(opens)[:5], str(closes)[:5]
    return None


def parse_time(text):
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def postcode_of(sal):
    location = sal.get("location")
    location = location if isinstance(location, dict) else {}
    first = (dicts(location.get("addresses")) or [{}])[0]
    return first.get("postal_code")


def check_root():
    details = {}
    for path in (API, API + "/"):
        d = get_object("GET %s matches api_details.json" % path, path,
                       "api_details.json")
        check("GET %s says version 3.0" % path, d.get("version") == "3.0",
              "version %r" % d.get("version"))
        details = details or d
    url = details.get("openapi_url")
    if not need("an openapi_url to fetch", isinstance(url, str) and url):
        return
    parts = urllib.parse.urlsplit(url)
    r = get(parts.path, **dict(urllib.parse.parse_qsl(parts.query)))
    paths = body(r).get("paths")
    ok = (r.status == 200 and "openapi" in body(r)
          and isinstance(paths, dict)
          and "/services" in paths and "/services/{id}" in paths)
    check("openapi_url's path %s is OpenAPI with /services and "
          "/services/{id}" % parts.path, ok, why(r))


def check_listing(path, list_rel, rel, deep=False):
    """Page 1 (and, when deep, the middle and last pages, as the validator
    does), then a record from each by id; returns page 1's items."""
    first = check_page("GET %s?page=1 is a valid page of %s"
                       % (path, list_rel), API + path, list_rel, 1)
    items = dicts(first.get("contents"))
    check("%s list is not empty" % path, bool(items), "no items")
    probe, pages, size = items[:1], first.get("total_pages"), first.get("size")
    deep = (deep and items and type(pages) is int and pages > 1
            and type(size) is int)
    for page in sorted({(pages + 1) // 2, pages} - {1}) if deep else ():
        d = check_page("GET %s?page=%d of %d is valid" % (path, page, pages),
                       API + path, list_rel, page, size)
        probe += dicts(d.get("contents"))[-1:]
    for oid in [i.get("id") for i in probe]:
        d = get_object("GET %s/%s matches %s" % (path, oid, rel),
                       API + "%s/%s" % (path, oid), rel)
        check("GET %s/%s returns that id" % (path, oid), d.get("id") == oid,
              "id %r" % d.get("id"))
    return items


def check_taxonomy_filters(ids):
    """taxonomy_term_id, then taxonomy_id, from a full service's attribute;
    results are judged by their full records, which show attributes."""
    svc, term_id = find_full(ids, term_id_of)
    if not need("a service attribute with a taxonomy_term_id", term_id):
        return

    def has_term(item):
        attrs = dicts(full_service(item["id"]).get("attributes"))
        return term_id in [a.get("taxonomy_term_id") for a in attrs]
    check_filter("taxonomy_term_id=%s finds %s and only services with it"
                 % (term_id, svc["id"]), API + "/services",
                 {"taxonomy_term_id": term_id}, svc["id"], has_term)
    term = next(a.get("taxonomy_term") for a in dicts(svc["attributes"])
                if a.get("taxonomy_term_id") == term_id)
    tax_id = (term.get("taxonomy_id") if isinstance(term, dict) else None) \
        or body(get(API + "/taxonomy_terms/" + term_id)).get("taxonomy_id")

    def in_taxonomy(item):  # judged where a nested term shows its taxonomy
        attrs = dicts(full_service(item["id"]).get("attributes"))
        shown = [t.get("taxonomy_id")
                 for t in dicts([a.get("taxonomy_term") for a in attrs])]
        return tax_id in shown or not any(shown)
    if need("a taxonomy_id for taxonomy term %s" % term_id, tax_id):
        check_filter("taxonomy_id=%s finds %s" % (tax_id, svc["id"]),
                     API + "/services", {"taxonomy_id": tax_id}, svc["id"],
                     in_taxonomy)


def check_service_filters(listed):
    """Each /services filter, with values taken from listed services."""
    svcs = API + "/services"
    # search: the longest word of a listed service's name
    src = next((i for i in listed
                if re.search(r"[^\W_]{3,}", str(i.get("name")))), None)
    if need("a listed service name with a word to search for", src):
        word = max(re.findall(r"[^\W_]{3,}", src["name"]), key=len)
        check_filter("search=%s finds %s" % (word, src["id"]), svcs,
                     {"search": word}, src["id"])
    ids = [i["id"] for i in listed if isinstance(i.get("id"), str)]
    check_taxonomy_filters(ids)
    # organization_id: every result belongs to that organization
    src = next((i for i in listed if i.get("organization_id")), None)
    if need("a listed service with an organization_id", src):
        oid = src["organization_id"]
        check_filter("organization_id=%s gives only its services" % oid,
                     svcs, {"organization_id": oid}, src["id"],
                     lambda i: i.get("organization_id") == oid)
    # minimum_age and maximum_age from a service that has them
    for key in ("minimum_age", "maximum_age"):
        src = next((i for i in listed if type(i.get(key)) in (int, float)),
                   None)
        if need("a listed service with %s" % key, src):
            n = int(src[key]) if src[key] == int(src[key]) else src[key]
            check_filter("%s=%s finds %s" % (key, n, src["id"]), svcs,
                         {key: n}, src["id"])
    # day, start_time and end_time from a weekly schedule
    svc, slot = find_full(ids, weekly_slot)
    if need("a weekly schedule with byday, opens_at and closes_at", slot):
        check_filter("day=%s&start_time=%s&end_time=%s finds %s"
                     % (slot + (svc["id"],)), svcs,
                     dict(zip(("day", "start_time", "end_time"), slot)),
                     svc["id"])
    # modified_after one second before the newest last_modified, so that
    # ignoring the filter would bring in older services
    dated = [i for i in listed if parse_time(i.get("last_modified"))]
    src = max(dated, key=lambda i: parse_time(i["last_modified"]), default={})
    if need("a listed service with a readable last_modified", src):
        since = parse_time(src["last_modified"]) - timedelta(seconds=1)
        stamp = since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        cut = parse_time(stamp)

        def modified_since(item):  # judged where the item shows the time
            t = parse_time(item.get("last_modified"))
            return "last_modified" not in item or (t is not None and t >= cut)
        check_filter("modified_after=%s finds %s and nothing older"
                     % (stamp, src["id"]), svcs, {"modified_after": stamp},
                     src["id"], modified_since)
    r = get(svcs, modified_after="2999-01-01T00:00:00Z")
    d = body(r)
    check("modified_after in the far future gives an empty page",
          r.status == 200 and d.get("empty") is True
          and d.get("total_items") == 0 and d.get("contents") == [], why(r))


def check_postcode(sals):
    """Proximity search around a real location; returns the postcode."""
    for sal in sals[:FETCH_CAP]:
        pc = postcode_of(sal) or postcode_of(
            body(get(API + "/service_at_locations/%s" % sal.get("id"))))
        if pc:
            for metres in (1000, 0):
                check_filter("postcode=%s&proximity=%d finds %s"
                             % (pc, metres, sal["id"]),
                             API + "/service_at_locations",
                             {"postcode": pc, "proximity": metres},
                             sal["id"],
                             item_rel="service_at_location_list.json")
            return pc
    need("a service_at_location whose location has a postal_code", None)
    return None


def check_bad_input(postcode):
    """Bad input must get 400 and unknown ids 404, with error and message
    strings."""
    svcs, sals = API + "/services", API + "/service_at_locations"
    cases = [("/services?%s=%s" % kv, svcs, (400,), dict([kv])) for kv in (
        ("page", "0"), ("page", "abc"), ("per_page", "1000"),
        ("taxonomy_term_id", "not-a-uuid"), ("modified_after", "yesterday"),
        ("day", "XX"), ("start_time", "25:00"))]
    cases += [("proximity=-5", sals, (400,),
               {"postcode": postcode or "SW1A 1AA", "proximity": "-5"}),
              ("an unknown service id", svcs + "/" + NIL_ID, (404,), {}),
              ("a malformed service id", svcs + "/not-a-uuid", (404, 400),
               {})]
    for name, path, statuses, params in cases:
        r = get(path, **params)
        d = body(r)
        check("%s gets %s with error and message"
              % (name, " or ".join(map(str, statuses))),
              r.status in statuses and isinstance(d.get("error"), str)
              and isinstance(d.get("message"), str), why(r))


def check_every_response():
    n = seen["responses"]
    for name, bad in (
            ("every response is application/json", seen["bad_type"]),
            ("every response has Access-Control-Allow-Origin: *",
             seen["bad_cors"]),
            ("no JSON object holds a null", seen["nulls"])):
        check("%s (%d responses)" % (name, n), n > 0 and not bad,
              "%d bad, e.g. %s" % (len(bad), bad[0]) if bad
              else "no responses")


def guarded(step, *args):
    """Run one group of checks; a reply too oddly shaped to follow counts
    as a failure rather than ending the run."""
    try:
        return step(*args)
    except Exception as e:  # reported, not hidden
        check("%s ran to the end" % step.__name__, False,
              "%s: %s" % (type(e).__name__, e))
        return None


def check_organizations():
    """The optional /organizations: a valid page, each by id with its
    services, whose organization_id is that organisation; and search."""
    items = check_listing("/organizations", "organization_list.json",
                          "organization.json")
    listed = 0
    for org in (items or [])[:3]:
        d = body(get(API + "/organizations/%s" % org.get("id")))
        svcs = dicts(d.get("services"))
        listed += len(svcs)
        check("GET /organizations/%s lists only its own services"
              % org.get("id"),
              all(v.get("organization_id") == org.get("id") for v in svcs),
              "%d services" % len(svcs))
    check("the first organizations list services", listed > 0,
          "none of them lists a service")
    src = next((i for i in items or []
                if re.search(r"[^\W_]{3,}", str(i.get("name")))), None)
    if need("a listed organization name with a word to search for", src):
        word = max(re.findall(r"[^\W_]{3,}", src["name"]), key=len)
        check_filter("organizations search=%s finds %s" % (word, src["id"]),
                     API + "/organizations", {"search": word}, src["id"],
                     item_rel="organization_list.json")
    r = get(API + "/organizations/" + NIL_ID)
    d = body(r)
    check("an unknown organization id gets 404 with error and message",
          r.status == 404 and isinstance(d.get("error"), str)
          and isinstance(d.get("message"), str), why(r))


def check_services():
    if check_listing("/services", "service_list.json", "service.json",
                     deep=True):
        listed, probs = collect(API + "/services", "service_list.json",
                                max_pages=5)
        check("GET /services?per_page=100 pages are valid", not probs,
              "; ".join(probs[:2]))
        check_service_filters(listed)


def main():
    global base_url
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True,
                    help="the node, e.g. http://127.0.0.1:8081")
    base_url = ap.parse_args().url.rstrip("/")
    guarded(check_root)
    guarded(check_services)
    guarded(check_listing, "/taxonomies", "taxonomy.json", "taxonomy.json")
    guarded(check_listing, "/taxonomy_terms", "taxonomy_term.json",
            "taxonomy_term.json")
    guarded(check_organizations)
    sals = guarded(check_listing, "/service_at_locations",
                   "service_at_location_list.json", "service_at_location.json")
    guarded(check_bad_input, guarded(check_postcode, sals or []))
    check_every_response()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
