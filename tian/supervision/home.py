"""Home tiles of supervisors and lead officials."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tian.supervision.selectors import awaiting_review, followed_proposals


def supervisor_tiles(user, committee) -> list[dict]:
    return [
        {"label": _("Replies awaiting supervision review"), "count": awaiting_review(user).count(),
         "url": reverse("supervision:queue"), "urgent": True},
        {"label": _("Key proposals"), "count": followed_proposals(user).count(),  # what the page lists
         "url": reverse("supervision:key_proposals"), "urgent": False},
    ]


def lead_official_tiles(user, committee) -> list[dict]:
    """Every proposal the official leads (the page marks the key ones)."""
    return [{"label": _("Proposals under my lead"), "count": followed_proposals(user).count(),
             "url": reverse("supervision:key_proposals"), "urgent": False}]
