"""The navigation bar, declared once: each entry names the permission or role that may see it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from tian.accounts.roles import ROLE_HOME, Perm, Role, has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm | None = None
    role: Role | None = None

    def visible_to(self, user) -> bool:
        if self.perm is not None:
            return has_permission(user, self.perm)
        if self.role is not None:
            return self.role in user.roles
        return True


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "dashboard:home"),
    NavItem(_("My proposals"), "proposals:mine", perm=Perm.SUBMIT_PROPOSALS),
    NavItem(_("Review"), "proposals:review_queue", perm=Perm.REVIEW),
    NavItem(_("Proposals"), "proposals:list", perm=Perm.VIEW_ALL_PROPOSALS),
    NavItem(_("Suggested units"), "suggest:manage", perm=Perm.ASSIGN),
    NavItem(_("Unit inbox"), "handling:inbox", perm=Perm.HANDLE),
    NavItem(_("Supervision"), "supervision:queue", perm=Perm.SUPERVISE),
    NavItem(_("Key proposals"), "supervision:key_proposals", perm=Perm.SUPERVISE),
    # A lead official's page lists every proposal they lead, key ones marked.
    NavItem(_("Proposals under my lead"), "supervision:key_proposals", role=Role.LEAD_OFFICIAL),
    NavItem(_("Search"), "search:search"),
    NavItem(_("Statistics"), "stats:index", perm=Perm.VIEW_STATISTICS),
    NavItem(_("People and units"), "organisations:index", perm=Perm.MANAGE_PEOPLE),
    NavItem(_("Users"), "accounts:user_list", perm=Perm.MANAGE_USERS),
    NavItem(_("Settings"), "organisations:settings", perm=Perm.MANAGE_SETTINGS),
    NavItem(_("Audit log"), "audit:search", perm=Perm.VIEW_AUDIT),
    # Django's admin (/admin/) is not offered: everything the committee's administrators do has a page of TiAn's
    # own, in Chinese and through the audited services; it stays for the operator (docs/operations.md).
]


_urls: dict = {}  # (script prefix, URL name) → address, or None where the entry's app is not installed


def _url(url_name: str) -> str | None:
    """``reverse(url_name)``, worked out once per process: every signed-in page shows the navigation."""
    key = (get_script_prefix(), url_name)
    if key not in _urls:
        try:
            _urls[key] = reverse(url_name)
        except NoReverseMatch:
            _urls[key] = None
    return _urls[key]


def nav_for(user, current_path: str) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if not item.visible_to(user):
            continue
        url = _url(item.url_name)
        if url is None:  # an entry whose app is not installed is simply not shown
            continue
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items


def role_homes_for(user) -> list[dict]:
    """Links to each of the user's role home pages, for people holding several roles."""
    return [
        {"role": Role(role).label, "url": reverse(url_name)}
        for role, url_name in ROLE_HOME.items()
        if role in user.roles
    ]
