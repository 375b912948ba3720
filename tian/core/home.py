"""What each role's home page shows: its pending work as counted tiles, oldest first.

Each role has one function returning tiles; a tile is a label, a count and the list it links to.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.organisations.models import Member, Unit
from tian.organisations.selectors import current_committee


def _tile(label, count, url, *, urgent=False):
    return {"label": label, "count": count, "url": url, "urgent": urgent and count > 0}


def _management_tiles(committee):
    return [
        _tile(_("Members"), Member.objects.filter(committee=committee).count(),
              reverse("organisations:list", args=["members"])),
        _tile(_("Units"), Unit.objects.filter(committee=committee).count(),
              reverse("organisations:list", args=["units"])),
        _tile(_("Users"), User.objects.count(), reverse("accounts:user_list")),
    ]


def _tiles_for(user, role, committee):
    providers = HOME_TILES.get(role, [])
    tiles = []
    for provider in providers:
        tiles.extend(provider(user, committee))
    return tiles


HOME_TILES = {
    Role.STAFF: [lambda user, committee: _management_tiles(committee)],
    Role.ADMIN: [lambda user, committee: _management_tiles(committee)],
}


def home_context(user, role: Role) -> dict:
    committee = current_committee()
    return {"role": role, "role_label": role.label, "tiles": _tiles_for(user, role, committee)}
