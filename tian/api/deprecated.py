"""The v1 operations replaced by typed ones (docs/api-changelog.md), kept working and marked deprecated in the
published schema until v2: the generic ``/proposals/{id}/actions/{action}``, ``/proposals/{id}/cosigners`` and
``/cosignatures/{id}/…``. They take what they took (the pages' form codes: ``"yes"``/``"no"`` …), run the typed
operation and answer ``{ok, id, state}`` as before (``id`` of the proposal, or of the invitation)."""

from typing import Annotated, Any

from django.http import Http404
from ninja import Body, Router
from ninja.errors import ValidationError
from pydantic import ValidationError as PydanticError

from tian.api import cosigning, proposals, requests
from tian.api.common import ERRORS
from tian.api.schemas import OkOut
from tian.proposals.models import Proposal
from tian.proposals.selectors import get_proposal_row_for

router = Router(tags=["deprecated"])
FieldsBody = Annotated[dict[str, Any], Body(default_factory=dict)]

_YES_NO = {"yes": True, "no": False, "": None}


def _typed(schema, raw: dict):
    data = {k: (None if v == "" and k in ("attitude", "member", "deadline", "reply_deadline", "assisting_deadline",
                                          "lead_unit") else v) for k, v in raw.items()}
    if isinstance(data.get("contacted"), str):
        data["contacted"] = _YES_NO.get(data["contacted"], data["contacted"])
    try:
        return schema.model_validate(data)
    except PydanticError as e:
        raise ValidationError([{**err, "loc": ("body", "payload", *err["loc"])} for err in e.errors()]) from None


def _state(proposal_id: int) -> dict:
    return {"id": proposal_id, "state": Proposal.objects.values_list("state", flat=True).get(pk=proposal_id)}


@router.post("/proposals/{proposal_id}/actions/{action}", response={200: OkOut, **ERRORS}, deprecated=True,
             operation_id="proposal_action_deprecated")
def proposal_action(request, proposal_id: int, action: str, payload: FieldsBody):
    """Deprecated: use the action's own operation (POST /proposals/{id}/submit, /register, /decline …)."""
    found = proposals.PERFORM.get(action)
    if found is None:
        raise Http404
    perform, schema = found
    proposal = get_proposal_row_for(request.user, proposal_id)
    result = perform(request, proposal, _typed(schema, dict(payload)))
    if isinstance(result, Proposal) and result.pk == proposal.pk:
        return {"id": proposal.pk, "state": result.state}  # the copy the service changed, read under its lock
    return _state(proposal_id)


@router.post("/proposals/{proposal_id}/cosigners", response={200: OkOut, **ERRORS}, deprecated=True,
             operation_id="proposal_cosigners_deprecated")
def cosigners_invite(request, proposal_id: int, payload: FieldsBody):
    """Deprecated: use POST /proposals/{id}/invitations, which answers the invitations with their ids."""
    get_proposal_row_for(request.user, proposal_id)  # 404 before any check of the body, as before
    cosigning.proposal_invite(request, proposal_id, _typed(requests.InviteRequest, dict(payload)))
    return _state(proposal_id)


@router.post("/cosignatures/{cosignature_id}/accept", response={200: OkOut, **ERRORS}, deprecated=True,
             operation_id="cosignature_accept_deprecated")
def cosign_accept(request, cosignature_id: int):
    """Deprecated: use POST /invitations/{id}/accept."""
    cosigning.invitation_accept(request, cosignature_id)
    return {"id": cosignature_id, "state": None}


@router.post("/cosignatures/{cosignature_id}/decline", response={200: OkOut, **ERRORS}, deprecated=True,
             operation_id="cosignature_decline_deprecated")
def cosign_decline(request, cosignature_id: int):
    """Deprecated: use POST /invitations/{id}/decline."""
    cosigning.invitation_decline(request, cosignature_id)
    return {"id": cosignature_id, "state": None}


@router.post("/cosignatures/{cosignature_id}/withdraw", response={200: OkOut, **ERRORS}, deprecated=True,
             operation_id="cosignature_withdraw_deprecated")
def cosign_withdraw(request, cosignature_id: int):
    """Deprecated: use POST /invitations/{id}/withdraw."""
    cosigning.invitation_withdraw(request, cosignature_id)
    return {"id": cosignature_id, "state": None}
