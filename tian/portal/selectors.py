"""Reads for the public side. Everything starts from ``disclosed_proposals``: only proposals the office
has disclosed (信息公开), and of their replies only released ones."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from tian.handling.models import Assignment, Evaluation, OutcomeClass, Reply, UnitRole
from tian.organisations.models import Committee, Session, Unit
from tian.proposals.models import Proposal, TopicCategory


def disclosed_proposals(committee: Committee | None) -> QuerySet[Proposal]:
    if committee is None:
        return Proposal.objects.none()
    return Proposal.objects.filter(committee=committee, is_public=True)


def released_replies() -> QuerySet[Reply]:
    return Reply.objects.filter(status=Reply.Status.RELEASED)


def active_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.active().select_related("unit").order_by("role", "id")


def for_listing(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What a list row or an export row reads, fetched in a fixed number of queries."""
    return qs.select_related("session__term", "lead_member", "collective", "category", "committee").prefetch_related(
        Prefetch("assignments", queryset=active_assignments(), to_attr="public_assignments"),
        Prefetch("replies", queryset=released_replies().select_related("unit", "follow_up").order_by("round", "id"),
                 to_attr="public_replies"),
        "cosignatures__member", "merged_proposals__lead_member", "merged_proposals__cosignatures__member",
    )


def get_disclosed_proposal(committee: Committee | None, pk: int) -> Proposal:
    """404 alike for a missing id and for a proposal that is not disclosed."""
    return get_object_or_404(
        disclosed_proposals(committee)
        .select_related("session__term", "lead_member", "collective", "category", "committee")
        .prefetch_related("cosignatures__member", "supervising_offices", "lead_officials",
                          Prefetch("assignments", queryset=active_assignments(), to_attr="public_assignments"),
                          "merged_proposals__lead_member", "merged_proposals__cosignatures__member"),
        pk=pk,
    )


def public_replies(proposal: Proposal) -> list[Reply]:
    return list(released_replies().filter(proposal=proposal).select_related("unit", "assignment", "proposal")
                .prefetch_related("cosignatures", "reviews").order_by("round", "assignment__role", "id"))


def lead_evaluation(proposal: Proposal) -> Evaluation | None:
    """The lead proposer's rating of the latest round (the one the seed page shows as 满意评价)."""
    return Evaluation.objects.filter(proposal=proposal, is_lead=True).order_by("-round", "-at").first()


def lead_evaluations(proposals) -> dict[int, Evaluation]:
    """The same for many proposals at once: proposal id → evaluation."""
    result: dict[int, Evaluation] = {}
    for evaluation in Evaluation.objects.filter(proposal__in=proposals, is_lead=True).order_by("round", "at"):
        result[evaluation.proposal_id] = evaluation
    return result


def units_by_role(proposal: Proposal) -> dict[str, list[Unit]]:
    """Active units by role; reads the ``public_assignments`` prefetch."""
    units: dict[str, list[Unit]] = {role: [] for role in UnitRole.values}
    for assignment in proposal.public_assignments:
        units[assignment.role].append(assignment.unit)
    return units


def outcome_labels(committee: Committee | None) -> dict[str, str]:
    """A → 全部或主要问题已解决(A)."""
    if committee is None:
        return {}
    return {o.code: str(o) for o in OutcomeClass.objects.filter(committee=committee)}


# --- facets: the filter choices, each with how many disclosed proposals it holds -----------------------

def unit_counts(qs: QuerySet[Proposal]) -> list[tuple[int, str, int]]:
    """(id, name, count) of each unit handling proposals of ``qs``, in the units' order."""
    counts = {row["unit"]: row["n"] for row in Assignment.objects.filter(proposal__in=qs)
              .active().values("unit")
              .annotate(n=Count("proposal", distinct=True)).order_by()}
    return [(u.pk, u.name, counts[u.pk]) for u in Unit.objects.filter(pk__in=counts).order_by("order", "name")]


@dataclass(frozen=True)
class Facets:
    """Every filter's choices with their counts, and the total: plain values (id, name, count), cheap to keep in
    the cache and to read back (model instances cost ~4 ms to unpickle for a committee's 200 units)."""

    years: list[tuple[int, int]]
    sessions: list[tuple[int, str, int]]
    categories: list[tuple[int, str, int]]
    units: list[tuple[int, str, int]]
    total: int


def facets(qs: QuerySet[Proposal]) -> Facets:
    """The portal filters' choices with their counts: years, sessions, categories and the total from one
    query, units (a proposal counts once per unit) from another."""
    years: Counter = Counter()
    sessions: Counter = Counter()
    categories: Counter = Counter()
    for row in qs.values("year", "session", "category").annotate(n=Count("id")).order_by():
        years[row["year"]] += row["n"]
        sessions[row["session"]] += row["n"]
        if row["category"] is not None:
            categories[row["category"]] += row["n"]
    ordered_sessions = Session.objects.filter(pk__in=sessions).select_related("term").order_by(
        "-year", "-term__number", "-number")
    return Facets(
        years=sorted(years.items(), reverse=True),
        sessions=[(session.pk, session.name, sessions[session.pk]) for session in ordered_sessions],
        categories=[(c.pk, c.name, categories[c.pk]) for c in TopicCategory.objects.filter(pk__in=categories)],
        units=unit_counts(qs),
        total=sum(years.values()),
    )


def for_rows(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What a row of the portal's list reads (``for_listing`` reads more, for exports and feeds)."""
    return qs.select_related("session__term", "lead_member", "collective", "category", "committee").prefetch_related(
        Prefetch("assignments", queryset=active_assignments(), to_attr="public_assignments"),
        Prefetch("replies", queryset=released_replies().order_by("round", "id"), to_attr="public_replies"),
    )


def newest_first(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.order_by("-year", "-session__term__number", "-session__number", F("number").desc(nulls_last=True),
                       "-pk")
