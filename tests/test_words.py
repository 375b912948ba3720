"""Words: no English and no raw code on any page for any role (issue #22, point 3).

The demo committee is loaded once; each demo account (and an anonymous visitor) then walks every page it can
reach by following links from its home page, as a person clicking through would, and each page's visible text
(with its tooltips, placeholders and labels read aloud) is searched for English words and for raw codes:
values of the model enums (``satisfied``), event action names (``contact.recorded``), state transitions
(``handling→handling``). Besides the links, each account sends every form that asks for something with
nothing filled in, and reads the page that answers (its errors); the two-factor pages with a wrong code; and the
audit log once it holds a sign-in with the second factor, a refused page, a wrong code and entries written before
sentences existed. While the pages are made, every text looked up in the catalogue without a Chinese translation
is noted, and is a finding too.
"""

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.utils import translation

from tian.accounts import twofactor
from tian.accounts.models import User
from tian.audit.models import AuditEntry
from tian.proposals.models import Proposal, State
from tian.supervision.forms import ActivityForm
from tian.supervision.models import SupervisionActivity

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
        self.forms: list[dict] = []  # POST forms: action, hidden values, whether a field is required
        self._form: dict | None = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "data": {}, "required": False}
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select") and self._form is not None and attrs.get("name"):
            if attrs.get("type") == "hidden":
                self._form["data"][attrs["name"]] = attrs.get("value") or ""
            if "required" in attrs:
                self._form["required"] = True
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
        if tag == "form":
            self._form = None
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _enum_codes() -> set[str]:
    """Every value of every enum of the project's models (``satisfied``, ``unit_handler``, ``lead``): none may show
    where its label belongs."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("tian."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+(_[a-z]+)*", value):
                    codes.add(value)
    for enum in _subclasses(models.TextChoices):  # enums of forms and services too
        if enum.__module__.startswith("tian."):
            codes |= {v for v in enum.values if re.fullmatch(r"[a-z]+(_[a-z]+)*", v)}
    return codes


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


class Untranslated:
    """The catalogue's texts asked for in Chinese and given back in English: the msgids with no translation, noted
    while pages are made (templates, forms and messages all go through ``gettext``/``ngettext``/``pgettext``)."""

    def __init__(self, monkeypatch):
        self.found: set[str] = set()
        trans = translation._trans
        for name in ("gettext", "ngettext", "pgettext", "npgettext"):
            monkeypatch.setattr(trans, name, self._noting(getattr(trans, name)))

    def _noting(self, lookup):
        def noted(*args):
            result = lookup(*args)
            texts = args[1:] if lookup.__name__.startswith("p") else args  # without the context
            english = [text for text in texts[:2 if "ngettext" in lookup.__name__ else 1] if isinstance(text, str)]
            if (result in english and translation.get_language() == "zh-hans"
                    and [w for w in ENGLISH.findall(result) if w not in ALLOWED_WORDS]):
                self.found.add(english[0])
            return result

        noted.__name__ = lookup.__name__
        return noted


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


def crawl(client: Client, start: str = "/", extra=()) -> tuple[dict[str, str], list[dict]]:
    """Every page reachable from ``start`` (and the ``extra`` pages) by links (first ``MAX_PAGES``): address → its
    text; and the POST forms found on them."""
    seen, texts, queue, shapes, forms = {start, *extra}, {}, deque([start, *extra]), {}, []
    while queue and len(texts) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        texts[path] = re.sub(r"\s+", " ", " ".join(parser.parts))
        forms += [{**form, "action": urljoin(response.request["PATH_INFO"], form["action"]).split("#")[0]}
                  for form in parser.forms]
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
    return texts, forms


def send_empty(client: Client, forms: list[dict]) -> dict[str, str]:
    """Each kind of form that asks for something (a field marked required), sent with nothing filled in: the
    address it answered at → the text of the answer (the form again, with its errors). Nothing is changed by them."""
    texts, sent = {}, set()
    for form in forms:
        shape = re.sub(r"\d+", "N", form["action"])
        if not form["required"] or shape in sent or form["action"].startswith(SKIP_PATHS):
            continue
        sent.add(shape)
        response = client.post(form["action"], form["data"], follow=True)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            parser = _Text()
            parser.feed(response.content.decode())
            texts[f"POST {form['action']}"] = re.sub(r"\s+", " ", " ".join(parser.parts))
    return texts


def read(client: Client, response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def two_factor_errors(client: Client, user: User) -> dict[str, str]:
    """The two-factor pages after a wrong code and a code of the wrong shape: on the user's own page, at set-up (or,
    with an app, at the second step of signing in)."""
    texts = {}
    for code in ("000000", "abc"):
        texts[f"POST /accounts/2fa/ {code}"] = read(client, client.post("/accounts/2fa/", {"code": code}))
        if twofactor.enabled(user):
            session = client.session
            session[twofactor.PENDING] = True
            session.save()
            response = client.post("/accounts/2fa/verify/", {"code": code})
            session = client.session
            session.pop(twofactor.PENDING, None)
            session.save()
            texts[f"POST /accounts/2fa/verify/ {code}"] = read(client, response)
        else:
            texts[f"POST /accounts/2fa/setup/ {code}"] = read(client, client.post("/accounts/2fa/setup/", {"code": code}))
    return texts


def audit_story() -> None:
    """What the audit log must tell in Chinese: a page refused to a member, and entries written before sentences
    existed (their English details: a sign-in with the app's code, a wrong code, a contact recorded)."""
    member = User.objects.filter(member__isnull=False).order_by("id").first()
    refused = Client()
    refused.force_login(member)
    assert refused.get("/audit/").status_code == 403
    proposal = Proposal.objects.filter(state=State.HANDLING).order_by("pk").first()
    staff = User.objects.get(username="tiwei")
    AuditEntry.objects.bulk_create([
        AuditEntry(action=AuditEntry.Action.LOGIN, actor=staff, username="tiwei", detail="second factor: app code"),
        AuditEntry(action=AuditEntry.Action.LOGIN_FAILED, actor=staff, username="tiwei",
                   detail="wrong second-factor code"),
        AuditEntry(action=AuditEntry.Action.CHANGE, actor=staff, username="tiwei", object_type="proposal",
                   object_id=str(proposal.pk), detail="contact.recorded handling→handling"),
    ])


# The demo's accounts of each role; "member" and "collective": the first of each; None: the public.
ACCOUNTS = ["admin", "tiwei", "区民政局", "区政府办公室", "杨金军", "member", "collective", None]
# Pages a click away that the crawl might not come to within its pages: the awards, where the merge list is (a
# proposal waiting for review), the two-factor pages, the audit log's refusals.
EXTRA = {
    "tiwei": lambda: ["/stats/awards/", "/audit/?action=denied",
                      *[f"/proposals/{pk}/" for pk in Proposal.objects.filter(state=State.SUBMITTED)
                        .order_by("pk").values_list("pk", flat=True)[:1]]],
    "admin": lambda: ["/audit/?action=denied", "/audit/?action=login"],
}
SIGNED_IN_EXTRA = ["/accounts/2fa/", "/accounts/2fa/setup/", "/audit/history/", "/accounts/tokens/"]


@pytest.mark.parametrize("username", ACCOUNTS)
def test_no_english_and_no_raw_code_on_any_page(demo, db, monkeypatch, username):
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
    audit_story()
    usernames = set(User.objects.values_list("username", flat=True))
    codes = _enum_codes() - usernames
    untranslated = Untranslated(monkeypatch)
    extra = [*EXTRA.get(username, list)(), *SIGNED_IN_EXTRA] if user else []
    texts, forms = crawl(client, "/", extra)
    assert len(texts) >= 3, "the crawl reached too few pages to mean anything"
    texts |= send_empty(client, forms)
    if user is not None:
        texts |= two_factor_errors(client, user)
    report = {path: sorted(set(problems_in(text, codes, usernames))) for path, text in texts.items()}
    report = {path: words for path, words in report.items() if words}
    if untranslated.found:
        report["untranslated"] = sorted(untranslated.found)
    assert not report, f"{username or 'public'}: " + "; ".join(f"{p}: {w}" for p, w in report.items())
    if "/audit/?action=denied" in texts:  # a refused page is a refusal, not a "不同意" of a request
        assert "拒绝访问" in texts["/audit/?action=denied"] and "不同意" not in texts["/audit/?action=denied"]


def test_a_supervision_activity_is_named_by_its_form():
    """座谈, 视察, 调研 and 走访 are forms of activity (活动形式), not categories (所属类别) of proposals."""
    with translation.override("zh-hans"):
        assert str(ActivityForm().fields["kind"].label) == "活动形式"
        assert str(SupervisionActivity._meta.get_field("kind").verbose_name) == "活动形式"
