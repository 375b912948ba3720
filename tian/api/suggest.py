"""Suggested units of a proposal (智能交办), for the office: the same selector as the assignment form."""

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from tian.accounts.roles import Perm, has_permission
from tian.api.common import ERRORS
from tian.proposals.selectors import get_proposal_for
from tian.suggest.selectors import suggest_units

router = Router(tags=["proposals"])


class SimilarOut(Schema):
    proposal_id: int
    number: str
    title: str
    lead_unit: str
    assisting_units: list[str]
    similarity: float


class SuggestionOut(Schema):
    unit_id: int
    unit: str
    confidence: float
    terms: list[str]
    similar: list[SimilarOut]
    intended_by_proposer: bool


class SuggestionsOut(Schema):
    source: str  # "model", "rules" or "" (nothing to suggest from)
    model_version: int | None
    trained_from: int | None
    lead: list[SuggestionOut]
    assisting: list[SuggestionOut]
    intended_units: list[dict]


def _suggestion(s) -> dict:
    return {"unit_id": s.unit.pk, "unit": s.unit.name, "confidence": round(s.confidence, 3), "terms": s.terms,
            "intended_by_proposer": s.intended,
            "similar": [{"proposal_id": x.proposal_id, "number": x.number, "title": x.title, "lead_unit": x.lead,
                         "assisting_units": x.assisting, "similarity": x.similarity} for x in s.similar]}


@router.get("/proposals/{proposal_id}/suggested-units", response={200: SuggestionsOut, **ERRORS},
            operation_id="proposal_suggested_units")
def suggested_units(request, proposal_id: int):
    """The likely lead and assisting units, ranked with a confidence and the reasons (matching words, similar past
    proposals and who handled them), and the units the proposer intended. Office staff only; nothing is assigned."""
    if not has_permission(request.user, Perm.ASSIGN):
        raise PermissionDenied
    proposal = get_proposal_for(request.user, proposal_id)
    s = suggest_units(proposal)
    return {"source": s.source, "model_version": s.version, "trained_from": s.trained_from,
            "lead": [_suggestion(x) for x in s.lead], "assisting": [_suggestion(x) for x in s.assisting],
            "intended_units": [{"id": u.pk, "name": u.name} for u in s.intended]}
