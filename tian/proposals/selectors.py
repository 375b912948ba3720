"""Reads of proposals, always scoped to what the user may see.

``visible_proposals`` is the one definition of scope; pages, exports, search and the API start from it,
so "doesn't exist" and "not yours" look the same (404).
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value, prefetch_related_objects
from django.http import Http404

from tian.accounts.backends import committee_here
from tian.accounts.roles import Perm, Role, has_permission
from tian.audit.log import NotShown
from tian.organisations.models import Member
from tian.proposals.models import EVER_SUBMITTED, CoSignature, Kind, Proposal, open_invitations
from tian.proposals.unit_parts import ACTIVE_ASSIGNMENT


def proposer_members(proposal: Proposal) -> list[Member]:
    """Every member credited on the proposal, in order: the lead proposer, the co-signers who agreed,
    then the proposers and co-signers of proposals merged into it (并案: everyone keeps credit)."""
    result: list[Member] = []

    def add(member):
        if member is not None and all(m.pk != member.pk for m in result):
            result.append(member)

    def credit(p):
        add(p.lead_member)
        for c in p.cosignatures.all():
            if c.status == CoSignature.Status.ACCEPTED:
                add(c.member)
        for merged in p.merged_proposals.all():  # a proposal merged into one that was then merged itself
            credit(merged)

    credit(proposal)
    return result


# What ``proposer_members`` reads of many proposals, as prefetch lookups (they extend what a list prefetched already):
# the lead proposers, the co-signatures with their members, and the proposals merged into them, two levels deep (a
# longer chain of merges reads the rest one proposal at a time).
CREDIT_LOOKUPS = ("lead_member", "cosignatures__member", "merged_proposals__lead_member",
                  "merged_proposals__cosignatures__member", "merged_proposals__collective",
                  "merged_proposals__merged_proposals")


def cosigner_members(proposal: Proposal) -> list[Member]:
    return [m for m in proposer_members(proposal) if m.pk != proposal.lead_member_id]


def credited_ids(member_id: int) -> list[int]:
    """The proposals a member is credited on (``proposer_members``, from the member's side): those they lead or
    agreed to co-sign, and those these were merged into, along the chain (``_merged_into_ids``)."""
    own, merged = _own_and_merged_into(member_id)
    return sorted(own | merged | _merged_further(merged))


def _merged_into_ids(member_id: int) -> set[int]:
    """Proposals the member is credited on through 并案: those their own proposals were merged into,
    following the chain when the surviving proposal was merged again."""
    _own, merged = _own_and_merged_into(member_id)
    return merged | _merged_further(merged)


def _own_and_merged_into(member_id: int) -> tuple[set[int], set[int]]:
    """The proposals the member leads or agreed to co-sign, and those these were merged into (one link), read as one
    union of index lookups, each row marked with what it is: joins through co-signatures repeat rows, and OR-ed
    subqueries make the database read every proposal of a state where the member has a few dozen to look up."""
    accepted = CoSignature.objects.filter(member_id=member_id, status=CoSignature.Status.ACCEPTED)
    rows = (Proposal.objects.filter(lead_member_id=member_id).values_list("pk", Value(False)).order_by().union(
        accepted.values_list("proposal_id", Value(False)).order_by(),
        Proposal.objects.filter(lead_member_id=member_id, merged_into__isnull=False)
        .values_list("merged_into_id", Value(True)).order_by(),
        accepted.filter(proposal__merged_into__isnull=False).values_list("proposal__merged_into_id", Value(True))
        .order_by()))
    own, merged = set(), set()
    for pk, through_merge in rows:
        (merged if through_merge else own).add(pk)
    return own, merged


def collective_merged_into_ids(collective_id: int) -> set[int]:
    """The proposals a collective proposer is credited on through 并案: those its own proposals were merged into, along
    the chain (as ``_merged_into_ids`` for a member)."""
    merged = set(Proposal.objects.filter(collective_id=collective_id, merged_into__isnull=False)
                 .values_list("merged_into_id", flat=True))
    return merged | _merged_further(merged)


def merged_in_collectives(proposal: Proposal) -> list:
    """The collective proposers (``CollectiveProposer``) of the proposals merged into ``proposal``, along the chain
    (its own collective proposer, if any, is its proposer, not merged in): they keep their credit on it (并案)."""
    result = []

    def credit(p):
        for merged in p.merged_proposals.all():
            if merged.collective_id and merged.collective_id != proposal.collective_id \
                    and all(c.pk != merged.collective_id for c in result):
                result.append(merged.collective)
            credit(merged)

    credit(proposal)
    return result


def merged_in_collective_ids(proposal: Proposal) -> list[int]:
    return [c.pk for c in merged_in_collectives(proposal)]


def credited_proposers(proposal: Proposal) -> list:
    """Everyone credited on the proposal, as its pages, letters and files name them, in order: its own organisation
    (a collective proposal), the members (``proposer_members``: the lead, the co-signers who agreed, those of the
    proposals merged into it), then the organisations whose proposals were merged into it. Each has a ``name``."""
    own = [proposal.collective] if proposal.kind == Kind.COLLECTIVE and proposal.collective_id else []
    return [*own, *proposer_members(proposal), *merged_in_collectives(proposal)]


def credited_cosigners(proposal: Proposal) -> list:
    """Who is credited on the proposal besides its proposer (联名人, as the page, the filed form, the portal, open data
    and the API list them): the members who co-signed or were merged in, then the organisations merged in."""
    return [*cosigner_members(proposal), *merged_in_collectives(proposal)]


def _merged_further(merged: set[int]) -> set[int]:
    """The proposals that those of ``merged`` were merged into in turn, along the chain."""
    found, frontier = set(merged), set(merged)
    while frontier:
        frontier = set(Proposal.objects.filter(pk__in=frontier).exclude(merged_into=None)
                       .values_list("merged_into_id", flat=True)) - found
        found |= frontier
    return found - merged


def proposal_years(committee) -> list[int]:
    """The years the committee's proposals were made in, newest first, drafts included: the years a list, a search
    or the statistics offer to choose from."""
    return list(Proposal.objects.filter(committee=committee).values_list("year", flat=True).distinct()
                .order_by("-year"))


def own_proposals(user) -> QuerySet[Proposal]:
    """The proposals ``user`` made: as a member, those they lead; as a collective proposer, its own (a user who is
    both has both). The "my proposals" page lists them and the home page counts them."""
    own = Q(pk__in=[])
    if user.acting_member_id:
        own |= Q(lead_member_id=user.acting_member_id)
    if user.acting_collective_id:
        own |= Q(collective_id=user.acting_collective_id)
    return Proposal.objects.filter(own)


def visible_proposals(user) -> QuerySet[Proposal]:
    """All proposals ``user`` may open: those they have a tie to (``tied_proposals``) and the disclosed ones.
    Drafts are seen only by their author."""
    return _scope(user, disclosed=True)


def tied_proposals(user) -> QuerySet[Proposal]:
    """The proposals ``user`` may open through a tie of their own (their proposals, invitations, assignments,
    offices, the office's view of everything), not merely because they are disclosed. What they may see of each
    is decided by ``tian.disclosure.policy``."""
    return _scope(user, disclosed=False)


def worked_on_proposals(user) -> QuerySet[Proposal]:
    """The proposals ``user`` works on: the office's, an assigned unit's, a supervising office's or lead official's
    (the disclosure policy's insiders, who read what others wrote about a proposal in full)."""
    return _scope(user, disclosed=False, proposers=False)


def _scope(user, *, disclosed: bool, proposers: bool = True) -> QuerySet[Proposal]:
    # The installation's committee's proposals alone (a database may hold many committees: domain.md, Scale); its
    # people are its own (``accounts.backends.serves_here``; ``committee_here``: read with the user), and no other committee's proposal exists for them.
    committee_id = committee_here(user)
    if committee_id is None:
        return Proposal.objects.none()
    qs = Proposal.objects.filter(committee_id=committee_id)
    if not user.is_authenticated or not user.is_active:
        return qs.filter(is_public=True) if disclosed else qs.none()
    condition = Q(is_public=True) if disclosed else Q(pk__in=[])
    if has_permission(user, Perm.VIEW_ALL_PROPOSALS):
        condition |= EVER_SUBMITTED | Q(created_by=user)
    # Conditions on the proposal's own columns filter it directly; those through co-signatures, assignments
    # and the like join rows that would repeat a proposal, so they go through a subquery of ids.
    joined = False
    if proposers and (member_id := user.acting_member_id):
        joined = True
        # Invitees read what they are asked to sign; a declined, lapsed or withdrawn invitation gives no
        # access.
        condition |= Q(lead_member_id=member_id) | Q(cosignatures__member_id=member_id) & (
            Q(cosignatures__status=CoSignature.Status.ACCEPTED) | open_invitations(through="cosignatures__"))
        condition |= Q(pk__in=_merged_into_ids(member_id))
    if proposers and user.acting_collective_id:
        # Its own proposals, and those they were merged into (并案: it keeps its credit there, as a member does).
        condition |= Q(collective_id=user.acting_collective_id) | Q(
            pk__in=collective_merged_into_ids(user.acting_collective_id))
    if user.unit_id and Role.UNIT_HANDLER in user.roles:
        joined = True
        # The unit's active assignments (``unit_parts.ACTIVE_ASSIGNMENT``, handling's ``Assignment.ACTIVE``).
        condition |= Q(assignments__unit_id=user.unit_id, assignments__status__in=ACTIVE_ASSIGNMENT)
    if office := user.acting_office_id:
        joined = True
        condition |= Q(supervising_offices__id=office)
    if official := user.acting_lead_official_id:
        joined = True
        condition |= Q(lead_officials__id=official)
    if not joined:
        return qs.filter(condition)
    ids = qs.filter(condition).values("pk")
    return Proposal.objects.filter(pk__in=ids)


def visibility_key(user) -> tuple:
    """Everything ``visible_proposals(user)`` depends on: two users with the same key see the same proposals. For a
    member this reads the proposals they are credited on through 并案, as ``visible_proposals`` does, and those they
    are invited to co-sign now: an invitation lapses with the clock, not with an event that would move a version."""
    merged = invited = None
    if member_id := user.acting_member_id:
        merged = frozenset(_merged_into_ids(member_id))
        invited = frozenset(CoSignature.objects.filter(open_invitations(), member_id=member_id)
                            .values_list("proposal_id", flat=True))
    return (user.pk, user.is_active, user.roles, user.member_id, user.collective_id, user.unit_id, user.office_id,
            user.lead_official_id, merged, invited)


def _visible_by_own_columns(user, proposal: Proposal) -> bool:
    """Whether one of ``visible_proposals``' conditions on the proposal's own columns lets ``user`` see it: a
    part of that condition, so True is certain and False means only that the rest must be asked."""
    if proposal.committee_id != committee_here(user):
        return False
    if proposal.is_public:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if user.acting_member_id and proposal.lead_member_id == user.acting_member_id:
        return True
    if user.acting_collective_id and proposal.collective_id == user.acting_collective_id:
        return True
    if has_permission(user, Perm.VIEW_ALL_PROPOSALS):
        return proposal.ever_submitted or proposal.created_by_id == user.pk
    return False


def tie_prefetches(assignments: QuerySet | None = None) -> list:
    """What the workflow (``workflow.available``) and the disclosure policy (``disclosure_for``) read of a proposal
    besides its own columns, as prefetches: the viewer's ties to it. ``assignments``: how to read its assignments
    (the proposal page's, annotated with what it shows)."""
    return [Prefetch("cosignatures", queryset=CoSignature.objects.select_related("member")),
            Prefetch("assignments", queryset=assignments) if assignments is not None else "assignments",
            "supervising_offices", "lead_officials"]


def may_open(user, proposal: Proposal) -> bool:
    """Whether ``user`` may open ``proposal`` (``visible_proposals``), asking the database only when the row's own
    columns do not already say so (their own proposal, a public one, staff)."""
    return _visible_by_own_columns(user, proposal) or visible_proposals(user).filter(pk=proposal.pk).exists()


def not_found(pk: int) -> Http404:
    """What to raise for a proposal the user may not open: a missing one and a hidden one are answered alike (404),
    the hidden one audited (``audit.log.NotShown``); only this answer asks which it was."""
    return NotShown() if Proposal.objects.filter(pk=pk).exists() else Http404()


def get_proposal_row_for(user, pk: int, *, ties: bool = False) -> Proposal:
    """Fetch-and-authorize the proposal alone, for an action on it (the services lock and re-read it, and the
    workflow reads what it checks): what ``get_proposal_for`` reads for the proposal page is not needed.
    The row is read by its key; only when its own columns do not already show that the user may see it
    (their own proposal, a public one, staff) is ``visible_proposals`` asked, with its joins and subqueries.
    ``ties``: with its proposer, category and ``tie_prefetches()``, for the answer of an action (the proposal as
    the viewer may read it and what they may do next): the proposal page's read, ten tables joined, takes longer to
    plan (~5 ms on PostgreSQL) than to run, and with it an API submission's request took 50 ms in-process instead
    of 34. An action that only needs to know the user may open the proposal calls it without ``ties``."""
    # The proposer too: the services check that the proposer is still active (submitting) and read it once.
    related = ("committee", "session", "lead_member", "collective", *(("category",) if ties else ()))
    rows = Proposal.objects.select_related(*related)
    if ties:  # whether others were merged into it (the answer says whether it may be withdrawn), with the row
        rows = rows.annotate(others_merged_in=Exists(Proposal.objects.filter(merged_into=OuterRef("pk"))))
    try:
        proposal = rows.get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404 from None
    if not may_open(user, proposal):
        raise NotShown
    if ties:
        prefetch_related_objects([proposal], *tie_prefetches())
    return proposal


def get_proposal_for(user, pk: int, *, merged: bool = True, assignments: QuerySet | None = None) -> Proposal:
    """Fetch-and-authorize: the proposal if the user may see it, else 404. ``merged=False``: the caller knows
    that no proposal was merged into this one, which saves reading them. ``assignments``: how to read its
    assignments (the proposal page's, annotated with what it shows); by default with their units."""
    if assignments is None:
        assignments = Proposal._meta.get_field("assignments").related_model.objects.select_related("unit")
    related = [*tie_prefetches(assignments), "suggested_units"]
    if merged:
        related += [Prefetch("merged_proposals", queryset=Proposal.objects.select_related("lead_member")),
                    "merged_proposals__cosignatures__member"]
    else:  # known to be none: an empty queryset, which asks the database nothing
        related.append(Prefetch("merged_proposals", queryset=Proposal.objects.none()))
    try:
        return (visible_proposals(user)
                .select_related("session__term", "lead_member", "collective", "category", "committee", "created_by",
                                "merged_into", "decline_ground")
                .prefetch_related(*related).get(pk=pk))
    except Proposal.DoesNotExist:
        raise not_found(pk) from None
