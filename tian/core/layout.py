"""The layout around a signed-in page (header, user menu, navigation, footer), rendered once and kept per process.

Rendering ``base.html`` costs a signed-in request more than the page's own content once that is kept
(``proposals.derived``): a dozen URL reversals, the navigation worked out from the user's roles, the user menu,
the translated labels. None of it changes from one request to the next for the same user, roles, language,
committee and active navigation entry, so ``render_page`` keeps the rendered layout under those and puts each
request's own parts into it: the unread-notification bell, the messages, the page's address (the "next" of
the language and large-text switches) and the CSRF token.

Pages opt in by extending ``layout`` instead of ``base.html``: ``{% extends layout|default:"base.html" %}``.
Rendered with ``layout = "layout_parts.html"``, such a template gives its title and content blocks alone;
rendered the ordinary way (``render``, the tests' ``Client`` with ``layout`` unset) it is the whole page.
"""

import re
import secrets
import time
from collections import OrderedDict
from urllib.parse import quote

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.translation import get_language

from tian.core.context_processors import layout_committee
from tian.dashboard.navigation import nav_for, role_homes_for

MAX_KEPT = 500
TTL_SECONDS = 60
_kept: OrderedDict = OrderedDict()
enabled = True  # the tests compare the kept layout with the ordinary rendering by turning it off

# Random per process, so that nothing a user types can be taken for one of them.
_TOKEN = secrets.token_hex(12)
TITLE, CONTENT, SPLIT = f"title{_TOKEN}", f"content{_TOKEN}", f"split{_TOKEN}"
BELL, MESSAGES, PATH, CSRF = f"bell{_TOKEN}", f"messages{_TOKEN}", f"path{_TOKEN}", f"csrf{_TOKEN}"
_STAND_INS = re.compile("|".join(re.escape(part) for part in (f"{PATH}q", PATH, BELL, MESSAGES, CSRF)))


class _RequestStandIn:
    """What ``base.html`` reads of the request, with stand-ins for the per-request parts."""

    def __init__(self, request):
        self.COOKIES = request.COOKIES

    def get_full_path(self):
        return PATH


def _shell_key(request, nav_items) -> tuple:
    user = request.user
    active = next((i for i, item in enumerate(nav_items) if item["active"]), None)
    committee = layout_committee()
    shown = (committee.short_name, committee.name, committee.office_phones) if committee else None
    return (user.pk, str(user), user.roles, get_language(), request.COOKIES.get("tian_large_text") == "1", active,
            shown)


def _render_shell(request, nav_items) -> str:
    user = request.user
    html = get_template("layout_shell.html").render({
        "request": _RequestStandIn(request), "user": user, "committee": layout_committee(), "nav_items": nav_items,
        "role_homes": role_homes_for(user), "csrf_token": CSRF, "bell": BELL, "messages_stand_in": MESSAGES,
        "title_stand_in": TITLE, "content_stand_in": CONTENT, "kept_layout": True,
    })
    # The page's address appears twice: URL-encoded as the large-text switch's "next", and as a form value.
    return html.replace(f"next={PATH}", f"next={PATH}q")


def _shell(request) -> tuple[str, str, str]:
    """The kept layout, cut where the page's title and content go."""
    nav_items = nav_for(request.user, request.path)
    key = _shell_key(request, nav_items)
    now = time.monotonic()
    kept = _kept.get(key)
    if kept is not None and now - kept[0] < TTL_SECONDS:
        _kept.move_to_end(key)
        return kept[1]
    head, rest = _render_shell(request, nav_items).split(TITLE, 1)
    shell = (head, *rest.split(CONTENT, 1))
    _kept[key] = (now, shell)
    while len(_kept) > MAX_KEPT:
        _kept.popitem(last=False)
    return shell


_bells: dict = {}  # (unread count, language, script prefix) → the rendered bell


def _bell(request) -> str:
    from tian.notifications.context_processors import unread_count

    key = (unread_count(request.user), get_language(), get_script_prefix())
    if key not in _bells:
        if len(_bells) > 1000:
            _bells.clear()
        _bells[key] = get_template("includes/bell.html").render({"unread_notifications": key[0]})
    return _bells[key]


def _messages(request) -> str:
    shown = list(get_messages(request))  # marks them shown, as rendering base.html does
    return get_template("includes/messages.html").render({"messages": shown}) if shown else ""


def render_page(request, template_name: str, context: dict, *, status: int = 200) -> HttpResponse:
    """``render(request, template_name, context)`` for a page whose template extends ``layout``, with the
    layout kept (see the module's text). Anonymous visitors get the ordinary rendering."""
    if not enabled or not request.user.is_authenticated or getattr(request, "htmx", False):
        return render(request, template_name, context, status=status)
    token = get_token(request)
    parts = get_template(template_name).render({
        **context, "layout": "layout_parts.html", "split": SPLIT, "request": request, "user": request.user,
        "csrf_token": token, "committee": layout_committee()})
    title, content = parts.split(SPLIT, 1)
    full_path = request.get_full_path()
    values = {f"{PATH}q": escape(quote(full_path, safe="/")), PATH: escape(full_path), BELL: _bell(request),
              MESSAGES: _messages(request), CSRF: token}
    # One pass over the layout alone, so that nothing put in (the address, messages and the page carry what
    # users typed) is looked at again.
    head, middle, tail = (_STAND_INS.sub(lambda found: values[found.group(0)], part) for part in _shell(request))
    return HttpResponse(f"{head}{title}{middle}{content}{tail}", status=status)


def forget(**kwargs) -> None:
    _kept.clear()
    _bells.clear()
