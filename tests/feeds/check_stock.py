#!/usr/bin/python3
"""Reads a running node's calendars and its feeds of events, library
documents and evaluations with the libraries people's tools are built on
(Debian's python3-icalendar and python3-feedparser) and checks they find
what the node holds.

    check_stock.py --url http://127.0.0.1:PORT --db "host=... dbname=..."

It first stores four events straight into the node's database (as a
peer's would arrive): two published, a draft and a cancelled one; then a
document with its first revision, and an evaluation saved the way the
evidence pages save one; then a listed member and two glossary terms, one
of which it deletes once published.  Every collection's feed, for readers
and for peers (?after=0), must read cleanly.  Ends with "N passed, N
failed".
"""

import argparse
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone

import feedparser
import icalendar

TITLE_A = ("Stock check: link workers, GPs; carers\nand friends \U0001F331 "
           "\u2014 Gwenll\u00efan's caf\u00e9, a title long enough to be "
           "folded, more than once; with commas, too \\ and a backslash")
TITLE_B = "Stock check: London webinar"
TITLE_C = "Stock check: draft nobody may see"
TITLE_D = "Stock check: cancelled meeting"
TITLE_DOC = ("Stock check: <b>referral</b> guide & caf\u00e9 \U0001F331 "
             "<script>alert(1)</script>")
TITLE_EVAL = "Stock check: <i>befriending</i> & wellbeing \u2014 RCT"
TITLE_MEMBER = "Stock Check Member, Caf\u00e9 & <Co>"
TITLE_TERM = "Stock check term & <synonyms>"
TITLE_GONE = "Stock check term soon deleted"
AUTHOR = "Stock Check Author"
SECRET = "https://meet.example.org/stock-check-secret"

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok - %s" % name)
    else:
        failed += 1
        print("not ok - %s%s" % (name, ": " + detail if detail else ""))


def store_events(conninfo):
    ids = {k: str(uuid.uuid4()) for k in "ABCD"}
    sql = """
INSERT INTO events (id, origin, title, kind, region, status, starts, ends,
    description, venue, address, online_url, organiser, organiser_email)
SELECT v.id::uuid, n.id, v.title, v.kind, v.region, v.status,
    v.starts::timestamp AT TIME ZONE 'Europe/London',
    v.ends::timestamp AT TIME ZONE 'Europe/London',
    :'description', 'Manchester Central', E'Windmill Street\\nManchester',
    :'secret', 'Ann Organiser', 'ann@example.org'
FROM node n, (VALUES
    (:'a', :'ta', 'conference', 'North West', 'published',
     '2031-03-14 09:30', '2031-03-14 17:00'),
    (:'b', :'tb', 'webinar', 'London', 'published',
     '2031-07-01 10:00', '2031-07-01 11:30'),
    (:'c', :'tc', 'conference', 'North West', 'draft',
     '2031-03-15 09:30', '2031-03-15 17:00'),
    (:'d', :'td', 'regional_meeting', 'North West', 'cancelled',
     '2031-04-01 14:00', '2031-04-01 16:00'))
    AS v (id, title, kind, region, status, starts, ends);
"""
    variables = {
        "a": ids["A"], "b": ids["B"], "c": ids["C"], "d": ids["D"],
        "ta": TITLE_A, "tb": TITLE_B, "tc": TITLE_C, "td": TITLE_D,
        "secret": SECRET,
        "description": "## Programme\n\n*Talks*, [a map](https://example."
                       "org/map) and <script>alert(1)</script>",
    }
    psql(conninfo, sql, variables)
    return ids


def psql(conninfo, sql, variables):
    cmd = ["psql", "-X", "-q", "-o", os.devnull, "-v", "ON_ERROR_STOP=1",
           "-d", conninfo]
    for k, v in variables.items():
        cmd += ["-v", "%s=%s" % (k, v)]
    subprocess.run(cmd, input=sql, text=True, check=True)


def store_knowledge(conninfo):
    """A document and an evaluation; their ids."""
    ids = {"doc": str(uuid.uuid4()), "eval": str(uuid.uuid4())}
    sql = """
INSERT INTO documents (id, origin, slug, title, category, tags, body)
SELECT :'doc'::uuid, n.id, 'stock-' || :'doc', :'tdoc', 'guide',
    ARRAY['stock check', 'feeds'], :'body'
FROM node n;
INSERT INTO document_revisions (document, number, title, body, author_name,
    summary)
VALUES (:'doc'::uuid, 1, :'tdoc', :'body', :'author', 'Stock check summary');
SELECT acorn_evaluation_save(:'eval'::uuid, (SELECT id FROM node), 0,
    jsonb_build_object('title', :'teval', 'scheme', 'Stock scheme',
    'area', 'Stock area', 'region', 'North West', 'year', 2023,
    'design', 'rct', 'sample_size', 240, 'follow_up', 12,
    'summary', :'body', 'outcomes', jsonb_build_array(
    jsonb_build_object('outcome', 'wellbeing', 'measure', 'WEMWBS',
    'direction', 'improved', 'figure', '+4.1 points'),
    jsonb_build_object('outcome', 'loneliness', 'measure', '<b>UCLA</b>',
    'direction', 'mixed', 'figure', ''))),
    NULL, :'author', 'first', NULL);
"""
    psql(conninfo, sql, {
        "doc": ids["doc"], "eval": ids["eval"], "tdoc": TITLE_DOC,
        "teval": TITLE_EVAL, "author": AUTHOR,
        "body": "## How\n\n*Refer* early. <script>alert(2)</script>",
    })
    return ids


def store_shared(conninfo):
    """A listed member profile and two glossary terms, so that every
    collection has an entry; their ids."""
    ids = {"member": str(uuid.uuid4()), "term": str(uuid.uuid4()),
           "gone": str(uuid.uuid4())}
    sql = """
INSERT INTO members (id, origin, name, stakeholder, region, organisation,
    listed)
SELECT :'member'::uuid, n.id, :'tmember', 'gp', 'North West',
    'Stock Check Practice', true
FROM node n;
INSERT INTO glossary_terms (id, origin, term, definition, synonyms)
SELECT v.id::uuid, n.id, v.term, :'body', ARRAY['stock synonym']
FROM node n, (VALUES (:'term', :'tterm'), (:'gone', :'tgone')) AS v (id, term);
"""
    psql(conninfo, sql, {
        "member": ids["member"], "term": ids["term"], "gone": ids["gone"],
        "tmember": TITLE_MEMBER, "tterm": TITLE_TERM, "tgone": TITLE_GONE,
        "body": "Stock *check* & <b>more</b>",
    })
    return ids


def fetch(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def utc(*a):
    return datetime(*a, tzinfo=timezone.utc)


def events_by_uid(body):
    """The calendar, and its events by the event id their UID starts with."""
    cal = icalendar.Calendar.from_ical(body)
    return cal, {str(e["UID"]).split("@")[0]: e for e in cal.walk("VEVENT")}


def uid_names_the_node(ev):
    """A UID is the event's id at the host of the node's public address."""
    host = urllib.parse.urlsplit(str(ev.get("URL", ""))).hostname
    return host is not None and str(ev["UID"]).endswith("@" + host)


def same_time(prop, want):
    got = prop.dt if prop is not None else None
    return isinstance(got, datetime) and got.tzinfo is not None and \
        got.astimezone(timezone.utc) == want


def check_calendars(base, ids):
    status, headers, body = fetch(base + "/events.ics")
    check("events.ics answers 200", status == 200, str(status))
    check("events.ics is text/calendar",
          headers.get("Content-Type") == "text/calendar; charset=utf-8",
          headers.get("Content-Type", ""))
    try:
        cal, evs = events_by_uid(body)
    except Exception as e:  # what a calendar application would hit
        check("events.ics parses with icalendar", False, repr(e))
        return
    check("events.ics parses with icalendar", True)
    check("calendar is VERSION 2.0 and PUBLISH",
          str(cal.get("VERSION")) == "2.0" and
          str(cal.get("METHOD")) == "PUBLISH")
    uid = ids
    a = evs.get(uid["A"])
    check("published event A is in the calendar", a is not None)
    if a is not None:
        check("A's UID is its id at the node's host", uid_names_the_node(a),
              str(a["UID"]))
        check("A's summary survives escaping and folding",
              str(a.get("SUMMARY")) == TITLE_A, repr(str(a.get("SUMMARY"))))
        check("A starts 09:30 UTC on 14 March 2031",
              same_time(a.get("DTSTART"), utc(2031, 3, 14, 9, 30)))
        check("A ends 17:00 UTC", same_time(a.get("DTEND"),
                                            utc(2031, 3, 14, 17, 0)))
        check("A is CONFIRMED", str(a.get("STATUS")) == "CONFIRMED")
        check("A's location is its venue and address",
              str(a.get("LOCATION")) == "Manchester Central, Windmill "
              "Street, Manchester (or online)", str(a.get("LOCATION")))
        check("A's description is words, not markup",
              str(a.get("DESCRIPTION")).startswith(
                  "Programme\n\nTalks, a map (https://example.org/map) and"),
              repr(str(a.get("DESCRIPTION"))))
    b = evs.get(uid["B"])
    check("published event B is in the calendar", b is not None)
    if b is not None:
        check("B's summary", str(b.get("SUMMARY")) == TITLE_B)
        check("B starts 09:00 UTC (10:00 summer time in London)",
              same_time(b.get("DTSTART"), utc(2031, 7, 1, 9, 0)))
    check("the draft is not in the calendar", uid["C"] not in evs)
    check("the draft's title is nowhere", TITLE_C.encode() not in body)
    d = evs.get(uid["D"])
    check("the cancelled event is CANCELLED",
          d is not None and str(d.get("STATUS")) == "CANCELLED")
    check("no joining link in the calendar", SECRET.encode() not in body)

    status, _, body = fetch(base + "/events.ics?region=London")
    _, evs = events_by_uid(body)
    check("region=London keeps only London's events",
          status == 200 and uid["B"] in evs and uid["A"] not in evs)

    status, headers, body = fetch(base + "/events/%s.ics" % ids["A"])
    check("one event's .ics answers 200", status == 200, str(status))
    check("one event's .ics is named for saving",
          headers.get("Content-Disposition", "").startswith(
              'attachment; filename="'))
    try:
        _, evs = events_by_uid(body)
        ok = list(evs) == [uid["A"]] and \
            str(evs[uid["A"]].get("SUMMARY")) == TITLE_A and \
            same_time(evs[uid["A"]].get("DTSTART"), utc(2031, 3, 14, 9, 30))
        check("one event's .ics holds that event only", ok)
        url = str(evs[uid["A"]].get("URL", ""))
        check("its URL is the event page",
              url.endswith("/events/%s" % ids["A"]), url)
    except Exception as e:
        check("one event's .ics parses with icalendar", False, repr(e))
    status, _, _ = fetch(base + "/events/%s.ics" % ids["C"])
    check("a draft's .ics is not found", status == 404, str(status))


def read_feed(base, path):
    """The feed at path as feedparser reads it, its bytes, and its
    entries by id, after the checks every feed must pass."""
    status, headers, body = fetch(base + path)
    check("%s answers 200" % path, status == 200, str(status))
    check("%s is application/atom+xml" % path,
          headers.get("Content-Type") ==
          "application/atom+xml; charset=utf-8")
    f = feedparser.parse(body, response_headers={
        "content-type": headers.get("Content-Type", ""),
        "content-location": base + path})
    check("feedparser reports no bozo error in %s" % path, not f.bozo,
          repr(f.get("bozo_exception")))
    check("feedparser sees %s as Atom 1.0" % path, f.version == "atom10",
          f.version)
    check("%s links to itself" % path,
          any(link.get("rel") == "self" for link in f.feed.get("links", [])))
    etag = headers.get("ETag")
    status, _, again = fetch(base + path, {"If-None-Match": etag or ""})
    check("%s unchanged is a 304 without a body" % path,
          etag is not None and status == 304 and again == b"", str(status))
    return f, body, {e.get("id"): e for e in f.entries}


def check_feed(base, ids):
    f, body, entries = read_feed(base, "/feeds/events")
    a = entries.get("urn:uuid:" + ids["A"])
    check("A is in the feed", a is not None)
    if a is not None:
        check("A's title is as written", a.get("title") == TITLE_A,
              repr(a.get("title")))
        check("A has published and updated dates",
              a.get("published_parsed") is not None and
              a.get("updated_parsed") is not None)
        check("A links to its page", a.get("link", "").endswith(
            "/events/" + ids["A"]), a.get("link", ""))
        check("A's author is the organiser, without email",
              a.get("author") == "Ann Organiser" and
              "ann@example.org" not in body.decode())
        check("A's category is its kind", [t.get("term") for t in
                                           a.get("tags", [])] ==
              ["conference"])
        check("A's summary says when and where",
              "Friday 14 March 2031, 9:30am to 5pm" in a.get("summary", "")
              and "Manchester Central" in a.get("summary", ""),
              a.get("summary", ""))
        content = a.get("content", [{}])[0]
        check("A's content is the rendered description",
              content.get("type") == "text/html" and
              "<em>Talks</em>" in content.get("value", "") and
              "<script" not in content.get("value", ""),
              repr(content))
    d = entries.get("urn:uuid:" + ids["D"])
    check("the cancelled event says so",
          d is not None and d.get("title") == "Cancelled: " + TITLE_D)
    check("the draft is not in the feed",
          "urn:uuid:" + ids["C"] not in entries and
          TITLE_C.encode() not in body)
    check("no joining link in the feed", SECRET.encode() not in body)


def check_knowledge_feeds(base, ids):
    f, body, entries = read_feed(base, "/feeds/documents")
    check("the documents feed's author is the node",
          bool(f.feed.get("author")) and AUTHOR.encode() not in body,
          repr(f.feed.get("author")))
    doc = entries.get("urn:uuid:" + ids["doc"])
    check("the document is in its feed", doc is not None)
    if doc is not None:
        check("the document's title is as written",
              doc.get("title") == TITLE_DOC, repr(doc.get("title")))
        check("the document links to its page", doc.get("link", "").endswith(
            "/library/stock-" + ids["doc"]), doc.get("link", ""))
        check("the document has published and updated dates",
              doc.get("published_parsed") is not None and
              doc.get("updated_parsed") is not None)
        check("the document's categories are its category and tags",
              sorted(t.get("term") for t in doc.get("tags", [])) ==
              ["feeds", "guide", "stock check"], repr(doc.get("tags")))
        content = doc.get("content", [{}])[0]
        # The body travels once, as the Markdown typed: plain text to a
        # reader, markup and all, never HTML it would run.
        check("the document's content is its body as plain text",
              content.get("type") == "text/plain" and
              content.get("value", "") ==
              "## How\n\n*Refer* early. <script>alert(2)</script>",
              repr(content))

    f, body, entries = read_feed(base, "/feeds/evaluations")
    ev = entries.get("urn:uuid:" + ids["eval"])
    check("the evaluation is in its feed", ev is not None)
    if ev is not None:
        check("the evaluation's title is as written",
              ev.get("title") == TITLE_EVAL, repr(ev.get("title")))
        check("the evaluation links to its page", ev.get("link", "").endswith(
            "/evidence/" + ids["eval"]), ev.get("link", ""))
        check("the evaluation's category is its design",
              [t.get("term") for t in ev.get("tags", [])] == ["rct"])
        check("the evaluation's summary gives year, region, sample and "
              "follow-up", ev.get("summary", "").endswith(
                  ", 2023, North West, 240 participants, 12 months' "
                  "follow-up"), ev.get("summary", ""))
        content = ev.get("content", [{}])[0]
        value = content.get("value", "")
        check("the evaluation's content holds its outcomes",
              content.get("type") == "text/html" and
              "(WEMWBS): " in value and ", +4.1 points" in value and
              "<em>Refer</em>" in value, repr(content))
        check("markup typed in a measure stays text",
              "&lt;b&gt;UCLA&lt;/b&gt;" in value and "<b>" not in value and
              "<script" not in value, repr(value))
        check("no author's name in the evaluations feed",
              AUTHOR.encode() not in body)


COLLECTIONS = ("members", "events", "evaluations", "documents", "glossary",
               "nodes")


def check_every_collection(base, ids, conninfo):
    """Every collection's feed, for feed readers and for peers from the
    start, reads cleanly; every entry has a title and a link.  A deleted
    term's tombstone is in the peers' feed and spoils nothing."""
    # Published once (a feed signs what waits), then deleted: a tombstone.
    status, _, _ = fetch(base + "/feeds/glossary?after=0")
    check("the glossary feed for peers answers 200", status == 200,
          str(status))
    psql(conninfo, "UPDATE glossary_terms SET deleted = true, term = NULL,"
         " definition = NULL, synonyms = '{}' WHERE id = :'gone'::uuid;",
         {"gone": ids["gone"]})
    for coll in COLLECTIONS:
        for path in ("/feeds/" + coll, "/feeds/%s?after=0" % coll):
            f, body, entries = read_feed(base, path)
            check("%s has entries" % path, len(f.entries) > 0)
            untitled = [e.get("id") for e in f.entries
                        if not e.get("title")]
            check("every entry of %s has a title" % path, not untitled,
                  repr(untitled))
            unlinked = [e.get("id") for e in f.entries
                        if not e.get("link")]
            check("every entry of %s has a link" % path, not unlinked,
                  repr(unlinked))
            if path.endswith("?after=0"):
                check("%s carries its cursor" % path,
                      b"<acorn:cursor>" in body)
    f, body, entries = read_feed(base, "/feeds/members")
    m = entries.get("urn:uuid:" + ids["member"])
    check("the listed member is in the members feed",
          m is not None and m.get("title") == TITLE_MEMBER,
          repr(m.get("title") if m else None))
    f, body, entries = read_feed(base, "/feeds/glossary")
    t = entries.get("urn:uuid:" + ids["term"])
    check("the term is in the glossary feed",
          t is not None and t.get("title") == TITLE_TERM,
          repr(t.get("title") if t else None))
    check("the deleted term is not in the feed for readers",
          "urn:uuid:" + ids["gone"] not in entries and
          TITLE_GONE.encode() not in body)
    f, body, entries = read_feed(base, "/feeds/glossary?after=0")
    check("the deleted term's tombstone is in the feed for peers",
          ("ref=\"urn:uuid:%s\"" % ids["gone"]).encode() in body and
          b"<at:deleted-entry" in body)
    check("the tombstone is not taken for an entry",
          "urn:uuid:" + ids["gone"] not in entries)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="the node, http://HOST:PORT")
    ap.add_argument("--db", required=True, help="libpq conninfo of its data")
    args = ap.parse_args()
    base = args.url.rstrip("/")
    try:
        ids = store_events(args.db)
        ids.update(store_knowledge(args.db))
        ids.update(store_shared(args.db))
    except (OSError, subprocess.CalledProcessError) as e:
        check("store the records to check", False, repr(e))
        print("%d passed, %d failed" % (passed, failed))
        return 1
    parts = ((check_calendars, (base, ids)), (check_feed, (base, ids)),
             (check_knowledge_feeds, (base, ids)),
             (check_every_collection, (base, ids, args.db)))
    for part, part_args in parts:
        try:
            part(*part_args)
        except Exception as e:  # a crash is a failure, not a silence
            check(part.__name__ + " ran to the end", False, repr(e))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
