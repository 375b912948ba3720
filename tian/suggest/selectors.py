"""Reading the unit suggestions: ``suggest_units(proposal)`` for the assignment form, the API and the record of
outcomes; the committee's models, rules and mapping; how often suggestions were taken per unit."""

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q

from tian.handling.models import Assignment, UnitRole
from tian.organisations.models import Unit
from tian.proposals.models import Proposal
from tian.suggest import training
from tian.suggest.features import TEXT_FIELDS, is_word, proposal_tokens, text_of
from tian.suggest.models import SuggestionOutcome, UnitModel, UnitRule

logger = logging.getLogger("tian.suggest")
LEADS, ASSISTING, SIMILAR = 3, 4, 3
MIN_ASSISTING = 0.08  # an assisting unit below this score is not worth a clerk's glance
MODEL, RULES = "model", "rules"


@dataclass
class Similar:
    proposal_id: int
    number: str
    title: str
    lead: str
    assisting: list[str]
    similarity: float


@dataclass
class Suggestion:
    unit: Unit
    confidence: float
    terms: list[str] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)
    intended: bool = False  # the proposer intended this unit too

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass
class Suggestions:
    lead: list[Suggestion] = field(default_factory=list)
    assisting: list[Suggestion] = field(default_factory=list)
    intended: list[Unit] = field(default_factory=list)  # the proposer's intended units, beside the suggestions
    source: str = ""  # MODEL, RULES or "" (nothing to suggest from)
    version: int | None = None
    trained_from: int | None = None
    trained_at: object = None

    def __bool__(self):
        return bool(self.lead or self.assisting)

    @property
    def from_model(self) -> bool:
        return self.source == MODEL

    @property
    def from_rules(self) -> bool:
        return self.source == RULES


_loaded: dict[int, tuple[tuple, training.Trained]] = {}
_lock = threading.Lock()


def current_model(committee_id: int) -> tuple[UnitModel | None, training.Trained | None]:
    """The committee's newest model: its row (without the bytes) and the loaded model, kept in this process for its
    version (the version is read from the database on every call, so a retrained model is used at once)."""
    row = UnitModel.objects.filter(committee_id=committee_id).defer("data").order_by("-version").first()
    if row is None:
        return None, None
    # The version names the model; its row and training time too, so that a database made afresh (tests) whose
    # committee has a version 1 again never meets another's version 1.
    key = (row.pk, row.version, row.trained_at)
    kept = _loaded.get(committee_id)
    if kept and kept[0] == key:
        return row, kept[1]
    data = UnitModel.objects.filter(pk=row.pk).values_list("data", flat=True).first()
    try:
        model = training.loads(data)
    except Exception:  # a model pickled by another library version: suggest from the rules until retrained
        logger.exception("unit model %s of committee %s cannot be read", row.version, committee_id)
        return None, None
    with _lock:
        _loaded[committee_id] = (key, model)
    return row, model


def suggest_units(proposal: Proposal) -> Suggestions:
    """The likely lead and assisting units of a proposal, ranked with a confidence and the reasons: from the
    committee's model if it has one, else from its rules. Nothing is assigned here."""
    intended = list(proposal.suggested_units.all())
    row, model = current_model(proposal.committee_id)
    if model is not None:
        suggestions = _from_model(proposal, model, intended)
        suggestions.version, suggestions.trained_from, suggestions.trained_at = (
            row.version, row.trained_from, row.trained_at)
    else:
        suggestions = _from_rules(proposal)
    suggestions.intended = intended
    marked = {u.pk for u in intended}
    for s in suggestions.lead + suggestions.assisting:
        s.intended = s.unit.pk in marked
    return suggestions


def _from_model(proposal: Proposal, model: training.Trained, intended: list[Unit]) -> Suggestions:
    words = proposal_tokens(title=proposal.title, body=proposal.full_body, category_id=proposal.category_id,
                            intended=tuple(u.pk for u in intended))
    scores = training.score(model, [words])
    mapping = training.resolve_mapping(proposal.committee)
    lead_scores = defaultdict(float)
    lead_class = {}
    for c in np.argsort(-scores.lead[0])[:LEADS * 3]:
        old = int(model.units[model.classes[c]])
        news = mapping.get(old, (old,))
        for new in news:
            lead_scores[new] += float(scores.lead[0][c]) / len(news)
            lead_class.setdefault(new, c)
    assisting_scores = defaultdict(float)
    for u in np.argsort(-scores.assisting[0])[:ASSISTING * 3]:
        if scores.assisting[0][u] <= 0:
            continue
        old = int(model.units[u])
        news = mapping.get(old, (old,))
        for new in news:
            assisting_scores[new] += float(scores.assisting[0][u]) / len(news)
    units = {u.pk: u for u in Unit.objects.filter(committee_id=proposal.committee_id, is_active=True,
                                                  pk__in=set(lead_scores) | set(assisting_scores))}
    similar = _similar(model, scores.similar[0], mapping)
    leads = [(pk, value) for pk, value in sorted(lead_scores.items(), key=lambda p: -p[1]) if pk in units][:LEADS]
    result = Suggestions(source=MODEL)
    row = scores.matrix[0]
    for pk, value in leads:
        contributions = row.data * model.coef[lead_class[pk], row.indices]
        terms = [str(model.features[row.indices[i]]) for i in np.argsort(-contributions)
                 if contributions[i] > 0 and is_word(str(model.features[row.indices[i]]))][:5]
        name = units[pk].name
        result.lead.append(Suggestion(unit=units[pk], confidence=value, terms=terms,
                                      similar=[s for s in similar if s.lead == name][:SIMILAR]))
    top = leads[0][0] if leads else None
    for pk, value in sorted(assisting_scores.items(), key=lambda p: -p[1]):
        if pk in units and pk != top and value >= MIN_ASSISTING and len(result.assisting) < ASSISTING:
            name = units[pk].name
            result.assisting.append(Suggestion(unit=units[pk], confidence=min(value, 1.0),
                                               similar=[s for s in similar if name in s.assisting][:SIMILAR]))
    return result


def _similar(model: training.Trained, pairs, mapping) -> list[Similar]:
    """The similar past proposals, with their numbers, titles and the units that handled them (as named now)."""
    ids = [int(model.neighbour_ids[row]) for row, _similarity in pairs]
    if not ids:
        return []
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=ids).only("pk", "year", "number", "title")}
    handled = defaultdict(lambda: {"lead": [], "assisting": []})
    for proposal_id, role, name in Assignment.objects.active().filter(
            proposal_id__in=ids, role__in=(UnitRole.LEAD, UnitRole.ASSISTING)).values_list(
            "proposal_id", "role", "unit__name").order_by("pk"):
        handled[proposal_id]["lead" if role == UnitRole.LEAD else "assisting"].append(name)
    result = []
    for (_row, similarity), pk in zip(pairs, ids, strict=True):
        if pk in proposals and handled[pk]["lead"]:
            p = proposals[pk]
            result.append(Similar(pk, p.number_year, p.title, handled[pk]["lead"][0], handled[pk]["assisting"],
                                  round(float(similarity), 2)))
    return result


def _from_rules(proposal: Proposal) -> Suggestions:
    """A committee without a model: the rules whose keywords the title or the text holds, the more words (a title's
    counting twice) the higher."""
    rules = list(UnitRule.objects.filter(committee_id=proposal.committee_id, unit__is_active=True)
                 .select_related("unit"))
    if not rules:
        return Suggestions()
    title, body = proposal.title.lower(), text_of(*(getattr(proposal, f) for f in TEXT_FIELDS)).lower()
    found = {UnitRole.LEAD: {}, UnitRole.ASSISTING: {}}
    for rule in rules:
        words = [w for w in rule.words if w.lower() in title or w.lower() in body]
        if words:
            hits = sum(2 if w.lower() in title else 1 for w in words)
            unit_hits, unit_words = found[rule.role].get(rule.unit.pk, (0, [], rule.unit))[:2]
            found[rule.role][rule.unit.pk] = (unit_hits + hits, unit_words + words, rule.unit)
    result = Suggestions(source=RULES)
    total = sum(h for h, _w, _u in found[UnitRole.LEAD].values()) or 1
    for hits, words, unit in sorted(found[UnitRole.LEAD].values(), key=lambda f: -f[0])[:LEADS]:
        result.lead.append(Suggestion(unit=unit, confidence=hits / total, terms=list(dict.fromkeys(words))))
    top = result.lead[0].unit.pk if result.lead else None
    total = sum(h for h, _w, _u in found[UnitRole.ASSISTING].values()) or 1
    for hits, words, unit in sorted(found[UnitRole.ASSISTING].values(), key=lambda f: -f[0]):
        if unit.pk != top and len(result.assisting) < ASSISTING:
            result.assisting.append(Suggestion(unit=unit, confidence=hits / total, terms=list(dict.fromkeys(words))))
    return result


def models_of(committee) -> list[UnitModel]:
    return list(UnitModel.objects.filter(committee=committee).defer("data").order_by("-version"))


def outcomes_by_unit(committee) -> list[dict]:
    """Per unit: how often it was the suggested lead and taken or overridden, and how often a suggested assisting
    unit was kept or dropped."""
    rows = (SuggestionOutcome.objects.filter(committee=committee).values("unit_id", "unit__name")
            .annotate(lead_taken=Count("pk", filter=Q(role=UnitRole.LEAD, taken=True)),
                      lead_overridden=Count("pk", filter=Q(role=UnitRole.LEAD, taken=False)),
                      assisting_kept=Count("pk", filter=Q(role=UnitRole.ASSISTING, taken=True)),
                      assisting_dropped=Count("pk", filter=Q(role=UnitRole.ASSISTING, taken=False)))
            .order_by("-lead_overridden", "-lead_taken", "unit__name"))
    return list(rows)
