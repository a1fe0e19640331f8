#!/usr/bin/env python3
"""North West members register for the hub's conference from home.

    tests/demo/register_away.py URL LOGIN PLACE [LOGIN PLACE]...

URL is the North West node; each LOGIN is the file `acorn user add`
printed a member's address and password into, and PLACE the kind of
place they ask for.  Each member signs in there and registers as a
person would in a browser: the conference's page from the events list,
its form with that place, one place, the name shown, and the first
choice for every question that is not optional; then the page that
shows what will be shared, sent as it is.  North West signs the request
and its courier sends it to the hub, which decides; the member's page
shows the decision once it is in.

It first waits (a minute at most) for the conference to reach North
West with its places.  Prints each member's outcome; exits 1 unless the
hub gave every one of them a place or a place on the waiting list.
Standard library only: pages are read with html.parser.
"""
import html.parser
import http.cookiejar
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# The hub's conference in tests/demo/events.sql.
TITLE = "National social prescribing conference 2027"
OUTCOMES = ("You have a place", "You\u2019re on the waiting list",
            "You are on the waiting list")
WAIT = 60


class Page(html.parser.HTMLParser):
    """A page's forms (their fields, in order), links, labels and h1."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.links = []         # [href, text]
        self.labels = {}        # id of the field -> its label's text
        self.h1 = ""
        self._form = None
        self._legend = ""       # the enclosing fieldset's legend
        self._text = None       # [kind, key, text] being collected
        self._select = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""),
                          "method": a.get("method", "get").lower(),
                          "fields": []}
            self.forms.append(self._form)
        elif tag == "fieldset":
            self._legend = ""
        elif tag == "a" and "href" in a:
            self._text = ["a", a["href"], ""]
        elif tag == "label" and "for" in a:
            self._text = ["label", a["for"], ""]
        elif tag in ("legend", "h1"):
            self._text = [tag, None, ""]
        elif self._form is not None and tag in ("input", "textarea",
                                                "select"):
            field = {"tag": tag, "type": a.get("type", "text").lower(),
                     "name": a.get("name"), "id": a.get("id"),
                     "value": a.get("value", ""),
                     "checked": "checked" in a, "legend": self._legend,
                     "options": []}
            if tag == "input" and field["type"] in ("radio", "checkbox") \
                    and "value" not in a:
                field["value"] = "on"
            self._form["fields"].append(field)
            if tag == "textarea":
                self._text = ["textarea", field, ""]
            elif tag == "select":
                self._select = field
        elif tag == "option" and self._select is not None:
            self._select["options"].append(
                (a.get("value"), "selected" in a))

    def handle_data(self, data):
        if self._text is not None:
            self._text[2] += data

    def handle_endtag(self, tag):
        t = self._text
        if tag == "form":
            self._form = None
        elif tag == "fieldset":
            self._legend = ""
        elif tag == "select":
            self._select = None
        elif t is not None and tag == t[0]:
            text = " ".join(t[2].split())
            if tag == "a":
                self.links.append((t[1], text))
            elif tag == "label":
                self.labels[t[1]] = text
            elif tag == "legend":
                self._legend = text
            elif tag == "h1":
                self.h1 = text
            elif tag == "textarea":
                t[1]["value"] = t[2]
            self._text = None

    def form_with(self, name):
        """The first form with a field called name."""
        for form in self.forms:
            if any(f["name"] == name for f in form["fields"]):
                return form
        return None

    def label(self, field):
        return self.labels.get(field["id"], "") if field["id"] else ""


def optional(page, field):
    text = field["legend"] if field["type"] == "radio" else page.label(field)
    return text.endswith("(optional)")


def defaults(form):
    """What a browser sends for a form left as it is: (name, value)s."""
    out = []
    for f in form["fields"]:
        if not f["name"] or f["type"] in ("submit", "button", "file"):
            continue
        if f["type"] in ("radio", "checkbox") and not f["checked"]:
            continue
        if f["tag"] == "select":
            opts = f["options"]
            chosen = [v for v, sel in opts if sel] or [v for v, _ in opts[:1]]
            out += [(f["name"], v) for v in chosen if v is not None]
            continue
        out.append((f["name"], f["value"]))
    return out


class Browser:
    """One person's visits to a node, with their own cookies."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        url = urllib.parse.urljoin(self.base, path)
        with self.opener.open(url, timeout=30) as resp:
            return resp.geturl(), Page(resp.read().decode("utf-8"))

    def submit(self, where, form, values):
        """Posts values to form's action, as its page at where would."""
        url = urllib.parse.urljoin(where, form["action"] or where)
        data = urllib.parse.urlencode(values).encode("utf-8")
        req = urllib.request.Request(url, data=data, headers={
            "Origin": self.base, "Referer": where})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.geturl(), Page(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return url, Page(e.read().decode("utf-8", "replace"))


def read_login(path):
    """The address and password in what `acorn user add` printed."""
    email = password = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if line.startswith("created ") and len(words) > 1:
                email = words[1]
            elif line.startswith("password: "):
                password = line[len("password: "):].strip()
    if not email or not password:
        raise SystemExit(f"register_away: no sign-in in {path}")
    return email, password


def sign_in(browser, email, password):
    where, page = browser.get("/signin")
    form = page.form_with("password")
    if form is None:
        return False
    values = [(n, v) for n, v in defaults(form)
              if n not in ("email", "password")]
    values += [("email", email), ("password", password)]
    _, page = browser.submit(where, form, values)
    return page.form_with("password") is None


def place_choice(page, form, place):
    """The value of the place radio labelled place, or None."""
    for f in form["fields"]:
        if f["name"] == "place" and f["type"] == "radio":
            text = page.label(f)
            if text == place or text.startswith(place + ":"):
                return f["value"]
    return None


def find_conference(browser, place):
    """The conference's page and register form once it offers place."""
    deadline = time.monotonic() + WAIT
    while True:
        _, events = browser.get("/events")
        for href, text in events.links:
            if text != TITLE:
                continue
            where, page = browser.get(href)
            form = page.form_with("place")
            if form is not None and place_choice(page, form, place):
                return where, page, form
        if time.monotonic() > deadline:
            return None
        time.sleep(1)


def fill(page, form, place):
    """The register form as the member fills it in."""
    values = []
    answered = set()
    for f in form["fields"]:
        name = f["name"]
        if not name or f["type"] in ("submit", "button"):
            continue
        if name == "place":
            if name not in answered:
                values.append((name, place_choice(page, form, place)))
                answered.add(name)
        elif name == "places":
            values.append((name, f["value"] or "1"))
        elif name == "public":
            values.append((name, f["value"]))
        elif f["type"] == "radio":
            # The first choice, unless one is already ticked.
            if name in answered:
                continue
            group = [g for g in form["fields"] if g["name"] == name]
            ticked = [g for g in group if g["checked"]]
            if ticked:
                values.append((name, ticked[0]["value"]))
            elif not optional(page, f):
                values.append((name, f["value"]))
            answered.add(name)
        elif f["type"] == "checkbox":
            if f["checked"]:
                values.append((name, f["value"]))
        elif f["type"] == "hidden" or f["value"]:
            values.append((name, f["value"]))
        elif not optional(page, f):
            values.append((name, "None"))
    return values


def register(base, login, place):
    """0 when the hub answered this member with a place or a wait."""
    email, password = read_login(login)
    browser = Browser(base)
    if not sign_in(browser, email, password):
        print(f"register_away: {email} could not sign in", file=sys.stderr)
        return 1
    found = find_conference(browser, place)
    if found is None:
        print(f"register_away: {TITLE} with {place} places did not reach "
              f"{base}", file=sys.stderr)
        return 1
    where, page, form = found
    where, page = browser.submit(where, form, fill(page, form, place))
    form = page.form_with("confirm")
    if form is None:
        print(f"register_away: {email}: the form came back: {page.h1}",
              file=sys.stderr)
        return 1
    sent, page = browser.submit(where, form, defaults(form))
    # North West hands the request to its courier and shows the
    # registration's own page, which says it is being sent until the hub
    # has answered: read it again, as the page itself does.
    deadline = time.monotonic() + WAIT
    while page.h1.startswith("Sending your registration") and \
            time.monotonic() < deadline:
        time.sleep(1)
        _, page = browser.get(sent)
    print(f"{email} ({place}): {page.h1}", file=sys.stderr)
    return 0 if page.h1 in OUTCOMES else 1


def main(argv):
    if len(argv) < 4 or len(argv) % 2 != 0:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    base = argv[1].rstrip("/") + "/"
    rc = 0
    for login, place in zip(argv[2::2], argv[3::2]):
        rc |= register(base, login, place)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
