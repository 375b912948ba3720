"""Marking and unmarking year-end awards, with the statistics beside each candidate."""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tian.handling.models import Rating, UnitRole
from tian.proposals.events import record
from tian.proposals.models import CoSignature, Proposal, State
from tian.proposals.workflow import INVALID_INPUT, WorkflowError
from tian.stats import kpis
from tian.stats.models import Award


def markable(committee, year: int) -> QuerySet[Proposal]:
    """The proposals of the year the office may mark outstanding: registered (a number given, so never a member's
    draft, which the office may not open) and not merged into another; and those marked already, whose mark can
    always be taken back."""
    return Proposal.objects.filter(Q(number__isnull=False) & ~Q(state=State.MERGED) | Q(awards__isnull=False),
                                   committee=committee, year=year).distinct()


@transaction.atomic
def toggle_proposal(*, proposal: Proposal, by) -> bool:
    """Mark an outstanding proposal of its year (one of ``markable``), or take the mark back. Returns whether it
    is marked now."""
    existing = Award.objects.filter(year=proposal.year, proposal=proposal).first()
    if existing:
        existing.delete()
        record(proposal, by, "award.withdrawn", from_state=proposal.state)
        return False
    if not markable(proposal.committee, proposal.year).filter(pk=proposal.pk).exists():
        raise WorkflowError(INVALID_INPUT, _("Only a registered proposal of the year can be marked outstanding."))
    Award.objects.create(committee=proposal.committee, year=proposal.year, kind=Award.Kind.PROPOSAL,
                         proposal=proposal, decided_by=by)
    record(proposal, by, "award.granted", from_state=proposal.state)
    return True


@transaction.atomic
def toggle_unit(*, committee, unit, year: int, by) -> bool:
    existing = Award.objects.filter(committee=committee, year=year, unit=unit).first()
    if existing:
        existing.delete()
        return False
    Award.objects.create(committee=committee, year=year, kind=Award.Kind.UNIT, unit=unit, decided_by=by)
    return True


def proposal_candidates(committee, year: int) -> list[dict]:
    """Registered proposals of the year with what speaks for them: class, satisfaction, key, co-signers."""
    facts = kpis.gather(kpis.Scope(committee, year=year))
    awarded = set(Award.objects.filter(committee=committee, year=year, proposal__isnull=False)
                  .values_list("proposal_id", flat=True))
    proposals = (Proposal.objects.filter(pk__in=facts.registered).exclude(state=State.MERGED)
                 .select_related("lead_member", "collective").prefetch_related("cosignatures").order_by("number"))
    rows = []
    for p in proposals:
        rows.append({"proposal": p, "classes": facts.class_by_proposal.get(p.pk, []),
                     "rating": Rating(rating).label if (rating := facts.lead_rating.get(p.pk)) else None,
                     "cosigners": sum(1 for c in p.cosignatures.all() if c.status == CoSignature.Status.ACCEPTED),
                     "awarded": p.pk in awarded})
    return rows


def unit_candidates(committee, year: int) -> list[dict]:
    scope = kpis.Scope(committee, year=year)
    awarded = set(Award.objects.filter(committee=committee, year=year, unit__isnull=False)
                  .values_list("unit_id", flat=True))
    rows = [r for r in kpis.by_unit(scope, kpis.gather(scope)) if r["role"] == UnitRole.LEAD]
    for row in rows:
        row["awarded"] = row["unit_id"] in awarded
    return sorted(rows, key=lambda r: (-(r["on_time_rate"] or 0), -(r["satisfaction_rate"] or 0), r["unit"]))
