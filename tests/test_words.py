"""Words: no English and no raw code on any page for any role (issue #22, point 3).

The demo committee is loaded once; each demo account (and an anonymous visitor) then walks every page it can
reach by following links from its home page, as a person clicking through would, and each page's visible text
(with its tooltips, placeholders and labels read aloud) is searched for English words and for raw codes:
values of the model enums (``satisfied``), event action names (``contact.recorded``), state transitions
(``handling→handling``).
"""

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tian.accounts.models import User

# Words that are names, not English: the product, file formats and standards users see as such.
ALLOWED_WORDS = {"TiAn", "PDF", "Word", "Excel", "CSV", "JSON", "API", "Atom", "RSS", "URL", "OpenAPI", "ID", "IP",
                 "ZIP", "HTTP", "HTTPS", "SMS", "OTP",
                 "TOTP", "JPG", "PNG", "UTF", "Authorization", "Bearer",  # standards named as such
                 "English"}  # the language switch names the other language in that language
SKIP_PATHS = ("/accounts/logout", "/large-text/", "/static/", "/i18n/", "/admin/", "/api/", "/documents/", "/media/")
SKIP_SUFFIXES = (".xlsx", ".csv", ".json", ".xml", ".docx", ".pdf", ".zip", "/feed/", "/export/")
MAX_PAGES = 150  # per account: enough to reach every kind of page the account has
PER_SHAPE = 3  # pages of one shape (/proposals/<id>/) read per account: the first three tell as much as all


# Not read as words: scripts and styles, and code shown as code (an HTTP header to copy, an encoding's name).
HIDDEN = ("script", "style", "template", "code", "pre", "kbd", "samp")


class _Text(HTMLParser):
    """Visible text, the texts read aloud (title, aria-label, placeholder, alt) and the links of a page."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN:
            self._hidden += 1
        for name in ("title", "aria-label", "placeholder", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _enum_codes() -> set[str]:
    """Every value of every enum of the project's models that reads like a code (lower case, underscores)."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("tian."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+", value):
                    codes.add(value)
    return codes


ENGLISH = re.compile(r"(?<![/.\w])[A-Za-z][A-Za-z'’-]{2,}")  # not a path's part (/api/) nor a file's type (.xlsx)
ACTION_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")  # an event's action name: contact.recorded
TRANSITION = re.compile(r"\b[a-z_]+→[a-z_]+\b")


def problems_in(text: str, codes: set[str], usernames: set[str]) -> list[str]:
    found = []
    for word in ENGLISH.findall(text):
        word = word.rstrip("-'’")  # UTF-8: the name without its number
        if word in ALLOWED_WORDS or word in usernames or word.lower() in usernames:
            continue
        found.append(word)
    found += ACTION_CODE.findall(text) + TRANSITION.findall(text)
    found += [code for code in codes if re.search(rf"(?<![\w/.-]){re.escape(code)}(?![\w/.-])", text)]
    return found


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def crawl(client: Client, start: str = "/") -> dict[str, str]:
    """Every page reachable from ``start`` by links (first ``MAX_PAGES``): address → its text."""
    seen, texts, queue, shapes = {start}, {}, deque([start]), {}
    while queue and len(texts) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        texts[path] = re.sub(r"\s+", " ", " ".join(parser.parts))
        for href in parser.links:
            target = urlsplit(urljoin(path, href))
            if target.scheme not in ("", "http", "https") or target.netloc not in ("", "testserver"):
                continue
            address = target.path + (f"?{target.query}" if target.query else "")
            if (address in seen or address.startswith(SKIP_PATHS) or target.path.endswith(SKIP_SUFFIXES)
                    or "page=" in target.query or "sort=" in target.query):
                continue
            seen.add(address)
            shape = re.sub(r"\d+", "N", address)
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] <= PER_SHAPE:
                queue.append(address)
    return texts


# The demo's accounts of each role; "member" and "collective": the first of each; None: the public.
ACCOUNTS = ["admin", "tiwei", "区民政局", "区政府办公室", "杨金军", "member", "collective", None]


@pytest.mark.parametrize("username", ACCOUNTS)
def test_no_english_and_no_raw_code_on_any_page(demo, db, username):
    client = Client()
    if username == "member":
        user = User.objects.filter(member__isnull=False).order_by("id").first()
    elif username == "collective":
        user = User.objects.filter(collective__isnull=False).order_by("id").first()
    elif username:
        user = User.objects.get(username=username)
    else:
        user = None
    if user is not None:
        client.force_login(user)
    usernames = set(User.objects.values_list("username", flat=True))
    codes = _enum_codes()
    texts = crawl(client, "/" if user else "/public/")
    assert len(texts) >= 3, "the crawl reached too few pages to mean anything"
    report = {path: sorted(set(problems_in(text, codes, usernames))) for path, text in texts.items()}
    report = {path: words for path, words in report.items() if words}
    assert not report, f"{username or 'public'}: " + "; ".join(f"{p}: {w}" for p, w in report.items())
