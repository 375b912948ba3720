"""The unit handler's home tiles: the inbox groups with their counts, each linking to its list."""

from django.urls import reverse

from tian.pages.handling.inbox import GROUPS, group_counts


def unit_tiles(user, committee) -> list[dict]:
    url = reverse("handling:inbox")
    counts = group_counts(user.unit_id)
    return [{"label": str(g.label), "count": counts[g.key], "url": f"{url}?group={g.key}",
             "urgent": g.urgent and counts[g.key] > 0} for g in GROUPS]
