"""Changes of the unit suggestions: training a committee's model (a new version), the rules and the unit mapping
staff write, and the record of whether an assignment took the suggestion."""

import logging
import time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tian.audit.log import audit
from tian.audit.models import AuditEntry, Kind
from tian.handling.models import Assignment, UnitRole
from tian.proposals.models import Proposal
from tian.suggest import training
from tian.suggest.models import SuggestionOutcome, UnitMapping, UnitModel, UnitRule

logger = logging.getLogger("tian.suggest")
KEEP_VERSIONS = 5  # older models are deleted: their metrics are in the audit log


def unit_model_train(*, committee, by=None, evaluate: bool = True, stdout=None) -> UnitModel | None:
    """Learn the committee's unit model from its assigned proposals and save it as the next version; None when the
    committee has too little history (its rules suggest then). ``evaluate`` also measures a model trained on the
    years before the newest on the newest year (stored with the model as its metrics)."""
    started = time.monotonic()
    items = training.examples(committee, stdout=stdout)
    if len({e.proposal_id for e in items}) < training.MIN_EXAMPLES:
        return None
    reading = time.monotonic() - started
    metrics = training.evaluate(items) if evaluate else {}
    evaluating = time.monotonic() - started - reading
    trained = training.fit(items)
    data = training.dumps(trained)
    # Where the time went (docs/suggestions.md, "Speed"): reading the examples, the held-out evaluation, the fit.
    metrics["timing"] = {"reading": round(reading, 1), "evaluating": round(evaluating, 1),
                         "fitting": round(trained.info["seconds"], 1),
                         "total": round(time.monotonic() - started, 1)}
    with transaction.atomic():
        # The committee's row, locked: two trainings at once get two versions, one after the other.
        type(committee).objects.select_for_update().filter(pk=committee.pk).first()
        version = (UnitModel.objects.filter(committee=committee).aggregate(v=Max("version"))["v"] or 0) + 1
        model = UnitModel.objects.create(
            committee=committee, version=version, trained_at=timezone.now(), trained_by=by,
            trained_from=trained.info["examples"], first_date=trained.info["first_date"],
            last_date=trained.info["last_date"], seconds=trained.info["seconds"], metrics=metrics, data=data)
        old = UnitModel.objects.filter(committee=committee).order_by("-version").values_list("pk", flat=True)[
            KEEP_VERSIONS:]
        UnitModel.objects.filter(pk__in=list(old)).delete()
    _audit(by, "trained", "unit_model", model.pk, f"unit model v{version} from {model.trained_from} proposals",
           version=version, metrics=metrics)
    return model


@transaction.atomic
def unit_rule_save(*, rule: UnitRule, by) -> UnitRule:
    rule.save()
    _audit(by, "rule_saved", "unit_rule", rule.pk, f"{rule.keywords} -> {rule.unit_id} ({rule.role})")
    return rule


@transaction.atomic
def unit_rule_delete(*, rule: UnitRule, by) -> None:
    _audit(by, "rule_deleted", "unit_rule", rule.pk, rule.keywords)
    rule.delete()


@transaction.atomic
def unit_mapping_save(*, mapping: UnitMapping, new_units, by) -> UnitMapping:
    mapping.save()
    mapping.new_units.set(new_units)
    _audit(by, "mapping_saved", "unit_mapping", mapping.pk, f"{mapping.old_unit_id} -> {[u.pk for u in new_units]}")
    return mapping


@transaction.atomic
def unit_mapping_delete(*, mapping: UnitMapping, by) -> None:
    _audit(by, "mapping_deleted", "unit_mapping", mapping.pk, "")
    mapping.delete()


def suggestion_outcome_record(*, proposal: Proposal, suggestions) -> list[SuggestionOutcome]:
    """After an assignment: whether the lead unit was the top suggestion (else which unit was chosen) and which
    suggested assisting units were kept. ``suggestions`` are those the clerk was shown (``suggest_units``)."""
    if not suggestions.lead:
        return []
    assigned = dict(Assignment.objects.active().filter(proposal=proposal, role__in=(
        UnitRole.LEAD, UnitRole.ASSISTING)).values_list("unit_id", "role"))
    lead = next((unit_id for unit_id, role in assigned.items() if role == UnitRole.LEAD), None)
    now = timezone.now()
    top = suggestions.lead[0].unit
    rows = [(top, UnitRole.LEAD, lead == top.pk, lead)]
    rows += [(s.unit, UnitRole.ASSISTING, assigned.get(s.unit.pk) == UnitRole.ASSISTING, None)
             for s in suggestions.assisting[:3]]
    result = []
    with transaction.atomic():
        for unit, role, taken, chosen in rows:
            outcome, _created = SuggestionOutcome.objects.update_or_create(
                proposal=proposal, unit=unit, role=role,
                defaults={"committee_id": proposal.committee_id, "taken": taken, "chosen_id": chosen,
                          "source": suggestions.source, "version": suggestions.version, "at": now})
            result.append(outcome)
    return result


def _audit(by, change: str, object_type: str, object_id, detail: str, **data) -> None:
    """One entry in the audit log's own vocabulary (a change, of kind ``suggestions_changed``), which the log
    reads out as a sentence in Chinese."""
    audit(AuditEntry.Action.CHANGE, user=by, object_type=object_type, object_id=object_id, detail=detail,
          kind=Kind.SUGGESTIONS_CHANGED, data={"change": change, **data})
