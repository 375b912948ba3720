"""What each role's home page shows: its pending work as counted tiles, and the most urgent items.

Each role has providers returning tiles; a tile is a label, a count and the list it links to.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tian.accounts.models import User
from tian.accounts.roles import Perm, Role, has_permission
from tian.accounts.services import accounts_here
from tian.core import versions
from tian.core.calendar_days import years_to_enter
from tian.deadlines.selectors import follow_up_counts
from tian.handling.services import awaiting_evaluation_by
from tian.organisations.models import Member, Unit
from tian.organisations.selectors import current_committee
from tian.pages.handling.inbox import GROUPS, group_counts
from tian.pages.proposals.queue import OFFICE_QUEUE
from tian.proposals.models import FINISHED, CoSignature, State, open_invitations
from tian.proposals.selectors import own_proposals
from tian.supervision.selectors import awaiting_review, followed_proposals


def tile(label, count, url, *, urgent=False):
    return {"label": label, "count": count, "url": url, "urgent": urgent and count > 0}


def unit_tiles(user, committee):
    """The unit inbox's groups with their counts, each linking to its list."""
    url = reverse("handling:inbox")
    counts = group_counts(user.unit_id)
    return [tile(str(g.label), counts[g.key], f"{url}?group={g.key}", urgent=g.urgent) for g in GROUPS]


def supervisor_tiles(user, committee):
    return [
        tile(_("Replies awaiting supervision review"), awaiting_review(user).count(), reverse("supervision:queue"),
             urgent=True),
        tile(_("Key proposals"), followed_proposals(user).count(), reverse("supervision:key_proposals")),  # its rows
    ]


def lead_official_tiles(user, committee):
    """Every proposal the official leads (the page marks the key ones)."""
    return [tile(_("Proposals under my lead"), followed_proposals(user).count(), reverse("supervision:key_proposals"))]


def _management_tiles(user, committee):
    return [
        tile(_("Members"), Member.objects.filter(committee=committee).count(),
             reverse("organisations:list", args=["members"])),
        tile(_("Units"), Unit.objects.filter(committee=committee).count(),
             reverse("organisations:list", args=["units"])),
        tile(_("Users"), accounts_here(User.objects.all()).count(), reverse("accounts:user_list")),
    ]


def _staff_tiles(user, committee):
    """A tile for each group of the office's queue (``OFFICE_QUEUE``, as its page lists them) the user works on, and
    the follow-ups (回头看) waiting for the units' reports."""
    page = reverse("proposals:review_queue")
    tiles = [tile(group.label, group.rows(committee).count(), f"{page}#{group.anchor}", urgent=group.urgent)
             for group in OFFICE_QUEUE if has_permission(user, group.perm)]
    if has_permission(user, Perm.VIEW_ALL_PROPOSALS):  # who may open the follow-ups' list
        tiles.append(_follow_up_tile(committee))
    return tiles


def _follow_up_tile(committee):
    """回头看 not reported yet (the overdue included; their list's first view), marked while any is past its day."""
    counts = follow_up_counts(committee, timezone.localdate())
    return {**tile(_("Follow-ups to report"), counts["pending"], reverse("proposals:follow_ups")),
            "urgent": counts["overdue"] > 0}


def _member_parts(user, committee) -> dict:
    """What a member's home shows of their own: open invitations to co-sign, replies to evaluate and the counts of
    their proposals, read once per request (the tiles count them, the page lists them). Every invitation, answer,
    submission, reply released or evaluation writes an event, which moves the committee's proposals version, and a
    renamed proposer moves its names version: kept under both, per account (core/versions.py), until the first
    open invitation lapses (a lapse is the clock's, not an event's)."""
    kept = getattr(user, "_tian_member_parts", None)
    if kept is None:
        key = ("member_home", user.pk, user.member_id, user.collective_id, user.roles,
               *versions.read(committee.pk if committee else None, versions.PROPOSALS, versions.NAMES))
        kept = user._tian_member_parts = versions.cached(
            key, lambda: _member_parts_now(user),
            still_good=lambda parts: parts["lapses"] is None or parts["lapses"] > timezone.now())
    return kept


def _member_parts_now(user) -> dict:
    invitations = list(_open_invitations_query(user))
    return {"invitations": invitations, "lapses": min((c.expires_at for c in invitations), default=None),
            "to_evaluate": [{"pk": p.pk, "get_absolute_url": p.get_absolute_url(), "number_year": p.number_year,
                             "title": p.title} for p in awaiting_evaluation_by(user)],
            "own": own_proposals(user).aggregate(  # one query for the three counts of the member's own proposals
                returned=Count("pk", filter=Q(state=State.RETURNED)), drafts=Count("pk", filter=Q(state=State.DRAFT)),
                in_progress=Count("pk", filter=~Q(state__in=[State.DRAFT, *FINISHED])))}


def _open_invitations_query(user):
    if not user.acting_member_id:
        return CoSignature.objects.none()
    return (CoSignature.objects.filter(open_invitations(), member_id=user.acting_member_id)
            .select_related("proposal__lead_member", "proposal__collective").order_by("invited_at"))


def _member_tiles(user, committee, *, invited: bool = True):
    """``invited``: whether the home's user can be invited to co-sign (a member; not a collective proposer, which
    invites members but is never invited)."""
    mine = reverse("proposals:mine")
    parts = _member_parts(user, committee)
    own = parts["own"]
    invitations = [tile(_("Invitations to co-sign"), len(parts["invitations"]),
                        reverse("dashboard:home_member") + "#inv", urgent=True)] if invited else []
    return [
        *invitations,
        tile(_("Replies to evaluate"), len(parts["to_evaluate"]), reverse("dashboard:home_member") + "#eval",
             urgent=True),
        tile(_("Returned for revision"), own["returned"], mine, urgent=True),
        tile(_("Drafts"), own["drafts"], mine),
        tile(_("Proposals in progress"), own["in_progress"], mine),
    ]


HOME_TILES = {
    Role.STAFF: [_staff_tiles, _management_tiles],
    Role.ADMIN: [_management_tiles],
    Role.MEMBER: [_member_tiles],
    Role.COLLECTIVE: [lambda user, committee: _member_tiles(user, committee, invited=False)],
    Role.UNIT_HANDLER: [unit_tiles],
    Role.SUPERVISOR: [supervisor_tiles],
    Role.LEAD_OFFICIAL: [lead_official_tiles],
}


def home_context(user, role: Role) -> dict:
    committee = current_committee()
    tiles = []
    for provider in HOME_TILES.get(role, []):
        tiles.extend(provider(user, committee))
    context = {"role": role, "role_label": role.label, "tiles": tiles, "sections": []}
    if has_permission(user, Perm.MANAGE_PEOPLE):  # who corrects the working-day calendar
        context["calendar_years"] = years_to_enter(timezone.localdate())
    if role in (Role.MEMBER, Role.COLLECTIVE):
        parts = _member_parts(user, committee)
        context["invitations"] = parts["invitations"] if role == Role.MEMBER else []
        context["to_evaluate"] = parts["to_evaluate"][:20]
        context["sections"] = [{"template": "dashboard/_member_sections.html"}]
    return context
