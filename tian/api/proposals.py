"""Proposals: the lists, one proposal (with its ETag), the draft (create, partial update with If-Match) and one
operation per lifecycle action, each calling the service function the pages call."""

from typing import Annotated, ClassVar

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import BeforeValidator, Field

from tian.api import outputs
from tian.api.common import ERRORS, OPTIONAL, form_data, list_items, page, valid
from tian.api.errors import Refused
from tian.api.requests import (
    AssignRequest,
    CloseRequest,
    DeclineRequest,
    DiscloseRequest,
    EvaluateRequest,
    KeyRequest,
    MergeRequest,
    PaperEvaluationRequest,
    ProposalCreateRequest,
    ProposalPatchRequest,
    RegisterRequest,
    RehandleRequest,
    ReturnRequest,
    SubmitRequest,
    WithdrawRequest,
)
from tian.api.schemas import (
    ErrorOut,
    EvaluationOut,
    PageOut,
    ProposalDetailOut,
    ProposalKind,
    ProposalOut,
    ProposalState,
)
from tian.disclosure.policy import disclosure_for
from tian.handling import services as handling
from tian.handling.forms import EvaluationForm, PaperEvaluationForm
from tian.organisations.selectors import current_committee, member_of
from tian.portal.selectors import disclosed_proposals
from tian.proposals import services
from tian.proposals.forms import (
    AssignForm,
    DeclineForm,
    KeyProposalForm,
    MergeForm,
    NoteForm,
    ProposalForm,
    RehandleForm,
)
from tian.proposals.forms import ReturnForm as ProposalReturnForm
from tian.proposals.models import Proposal
from tian.proposals.selectors import (
    get_proposal_for,
    get_proposal_row_for,
    visible_proposals,
)
from tian.search.filters import API, FILTERS, PUBLIC_API, apply_filters, query_values, text_matches

router = Router(tags=["proposals"])
public = Router(tags=["public"], auth=None)
MSG_STALE = _("The proposal was changed since you read it (its ETag differs): read it again and redo your change.")


class PublicProposalFilters(Schema):
    """The filters of the public list (``tian/search/filters.py`` says what each means; ``PUBLIC_API`` names them):
    those the portal offers the public. ``q``: a word of the title, or a proposer's name."""

    q: str | None = Field(None, max_length=200)
    year: int | None = Field(None, ge=1949, le=2200)
    session: int | None = Field(None, ge=1, le=2**31 - 1)
    state: ProposalState | None = None
    # An empty value is no filter (a control character alone is removed before: core/request_limits.py).
    kind: Annotated[ProposalKind | None, BeforeValidator(lambda v: v or None)] = None
    category: int | None = Field(None, ge=1, le=2**31 - 1)
    unit: int | None = Field(None, ge=1, le=2**31 - 1)
    role: FILTERS["role"].api_type | None = None
    proposer: str | None = Field(None, max_length=50)
    outcome: str | None = Field(None, max_length=10)
    satisfaction: FILTERS["satisfaction"].api_type | None = None
    # Not a filter the public is offered (``PUBLIC_API``), but v1's public list took it: it stays, deprecated, until v2.
    deadline: FILTERS["deadline"].api_type | None = Field(None, deprecated=True)
    key: bool | None = None
    page: int = Field(1, ge=1)  # past the end: an empty page (``common.page`` reads nothing there)
    page_size: int = Field(30, ge=1, le=100)

    names: ClassVar[tuple[str, ...]] = (*PUBLIC_API, "deadline")  # the filters of ``search/filters.py`` it applies


class ProposalFilters(PublicProposalFilters):
    """The filters of the lists (``tian/search/filters.py`` says what each means; ``API`` names them): the same
    as the office's list and search, and those of the public list. ``q``: a word of the title, or a proposer's
    name."""

    deadline: FILTERS["deadline"].api_type | None = None

    names: ClassVar[tuple[str, ...]] = API


def _filtered(user, qs, f: PublicProposalFilters):
    values = f.dict()
    qs = apply_filters(qs, query_values(values, f.names), current_committee())
    qs = text_matches(user, qs, f.q)
    return qs.select_related("category", "lead_member", "collective").distinct().order_by("-year", "number", "-pk")


def _page(request, user, qs, filters: PublicProposalFilters) -> dict:
    public = outputs.is_public(user)  # the public list links to the public operations, the only ones it may call
    return page(request, _filtered(user, qs, filters), filters.page, filters.page_size,
                lambda rows: list_items(user, rows, lambda p, text: outputs.summary(p, text, public=public)))


def etag(p: Proposal) -> str:
    """The proposal's version: its revision (moved by every event) and its last save (a draft's edits write no
    event). It names the version, not the bytes: every viewer's rendering of one version has the same ETag."""
    return f'"{p.pk}-{p.revision}-{int(p.updated_at.timestamp() * 1_000_000)}"'


# Reads -----------------------------------------------------------------------------------------------------------

@public.get("/public/proposals", response={200: PageOut, **ERRORS}, operation_id="public_proposals_list")
def public_proposals(request, filters: Query[PublicProposalFilters]):
    """Disclosed proposals only: the portal's (``portal.selectors.disclosed_proposals``)."""
    return _page(request, AnonymousUser(), disclosed_proposals(current_committee()), filters)


@public.get("/public/proposals/{proposal_id}", response={200: ProposalDetailOut, **ERRORS},
            operation_id="public_proposal_get")
def public_proposal(request, proposal_id: int):
    proposal = get_object_or_404(disclosed_proposals(current_committee()).select_related("committee", "session__term"),
                                 pk=proposal_id)
    return outputs.detail(AnonymousUser(), proposal)


@router.get("/proposals", response={200: PageOut, **ERRORS}, operation_id="proposals_list")
def proposals(request, filters: Query[ProposalFilters]):
    """Proposals the caller may see, with the filters of the proposal list. A page past the end is empty."""
    return _page(request, request.user, visible_proposals(request.user), filters)


@router.get("/proposals/{proposal_id}", response={200: ProposalDetailOut, **ERRORS}, operation_id="proposal_get")
def proposal(request, proposal_id: int, response: HttpResponse):
    """One proposal as the caller may see it. The ``ETag`` header names its version (send it back as
    ``If-Match`` with a PATCH)."""
    p = get_proposal_for(request.user, proposal_id)
    response["ETag"] = etag(p)
    return outputs.detail(request.user, p)


# The draft -------------------------------------------------------------------------------------------------------

def _draft_fields(cleaned: dict) -> tuple[dict, list | None]:
    units = cleaned.pop("suggested_units", None)
    fields = {k: (v if v is not None else "") if k != "category" else v for k, v in cleaned.items()}
    fields["disclosure_consent"] = bool(fields.get("disclosure_consent"))
    return fields, units


@router.post("/proposals", response={201: ProposalOut, **ERRORS}, operation_id="proposal_create")
def proposal_create(request, payload: ProposalCreateRequest, response: HttpResponse):
    """Start a draft (the caller's own; a collective proposer's account drafts for its organisation). Answers the
    proposal (GET its ``links.self`` for all of it). Send an ``Idempotency-Key`` so that a retry does not make a
    second proposal."""
    committee = current_committee()
    data = form_data(payload, category=payload.category or "")
    fields, units = _draft_fields(dict(valid(ProposalForm(data, committee=committee))))
    user = request.user
    who = ({"collective": user.collective} if user.acting_collective_id and not user.acting_member_id
           else {"lead_member": member_of(user)})
    p = services.proposal_create_draft(by=user, committee=committee, suggested_units=units or [], **who, **fields)
    response["ETag"] = etag(p)
    response["Location"] = outputs.proposal_url(p.pk)
    # The new draft as the service made it (the caller is its author: nothing to mask), not read again.
    return Status(201, {**outputs.summary(p), "links": outputs.proposal_links(user, p)})


@router.patch("/proposals/{proposal_id}", response={200: ProposalDetailOut, 412: ErrorOut, **ERRORS},
              operation_id="proposal_update")
def proposal_update(request, proposal_id: int, payload: ProposalPatchRequest, response: HttpResponse,
                    if_match: str | None = Header(None, alias="If-Match", description=(
                        "The ETag of the proposal as last read: the change is refused (412) if it moved since. "
                        "Without it the change is made whatever happened meanwhile."))):
    """Change some fields of a draft or returned proposal. Fields not sent keep their values; ``null`` clears a
    field (text to empty, no category, no suggested units). PUT is not offered."""
    proposal = get_proposal_for(request.user, proposal_id)
    sent = payload.model_dump(exclude_unset=True)
    current = outputs.draft(proposal)
    cleared = {k: ([] if k == "suggested_units" else "") for k, v in sent.items() if v is None}
    data = {**current, **sent, **cleared}
    data["category"] = data["category"] or ""
    with transaction.atomic():
        if if_match is not None:
            fresh = Proposal.objects.select_for_update().get(pk=proposal.pk)
            if if_match.strip() != "*" and etag(fresh) not in [t.strip() for t in if_match.split(",")]:
                raise Refused(412, "precondition_failed", MSG_STALE)
        fields, units = _draft_fields(dict(valid(ProposalForm(data, instance=proposal, committee=proposal.committee))))
        services.proposal_update_draft(proposal=proposal, by=request.user,
                                       suggested_units=units if "suggested_units" in sent else None, **fields)
    p = get_proposal_for(request.user, proposal_id)
    response["ETag"] = etag(p)
    return outputs.detail(request.user, p)


# Lifecycle actions -----------------------------------------------------------------------------------------------
# Each performs one service call (``PERFORM``: also what the deprecated generic operation runs) and answers the
# proposal with its new state and the addresses of what the caller may do next.

def _submit(request, p, payload):
    return services.proposal_submit(proposal=p, by=request.user)


def _withdraw(request, p, payload):
    d = valid(NoteForm(form_data(payload or WithdrawRequest())))
    return services.proposal_withdraw(proposal=p, by=request.user, note=d["note"])


def _register(request, p, payload):
    d = valid(NoteForm(form_data(payload or RegisterRequest())))
    return services.proposal_register(proposal=p, by=request.user, note=d["note"])


def _decline(request, p, payload):
    d = valid(DeclineForm(form_data(payload), committee=p.committee))
    return services.proposal_decline(proposal=p, by=request.user, ground=d["ground"], forward=d["forward"],
                                     note=d["note"])


def _merge(request, p, payload):
    d = valid(MergeForm(form_data(payload), proposal=p))
    return services.proposal_merge(proposal=p, into=d["into"], by=request.user, note=d["note"])


def _return(request, p, payload):
    d = valid(ProposalReturnForm(form_data(payload)))
    return services.proposal_return(proposal=p, by=request.user, note=d["note"])


def _assign(request, p, payload):
    d = valid(AssignForm(form_data(payload), committee=p.committee, proposal=p))
    return handling.proposal_assign(
        proposal=p, by=request.user, lead_units=[d["lead_unit"]] if d["lead_unit"] else [],
        assisting_units=list(d["assisting_units"]), separate_units=list(d["separate_units"]),
        assigned_on=d["assigned_on"], reply_deadline=d["reply_deadline"], assisting_deadline=d["assisting_deadline"],
        is_key=d["is_key"], lead_officials=list(d["lead_officials"]), supervising_offices=list(d["supervising_offices"]))


def _set_key(request, p, payload):
    d = valid(KeyProposalForm(form_data(payload), proposal=p))
    return handling.proposal_set_key(proposal=p, by=request.user, is_key=d["is_key"],
                                     lead_officials=list(d["lead_officials"]),
                                     supervising_offices=list(d["supervising_offices"]), note=d["note"])


def _rehandle(request, p, payload):
    d = valid(RehandleForm(form_data(payload or RehandleRequest())))
    return handling.proposal_rehandle(proposal=p, by=request.user, deadline=d["deadline"], note=d["note"])


def _close(request, p, payload):
    return services.proposal_close(proposal=p, by=request.user)


def _disclose(request, p, payload):
    return services.proposal_disclose(proposal=p, by=request.user)


def _evaluation_data(payload: EvaluateRequest) -> dict:
    contacted = {True: "yes", False: "no", None: ""}[payload.contacted]
    return form_data(payload, contacted=contacted, attitude=payload.attitude or "")


def _evaluate(request, p, payload):
    d = valid(EvaluationForm(_evaluation_data(payload)))
    return handling.evaluation_submit(proposal=p, by=request.user, result=d["result"], attitude=d["attitude"] or "",
                                      contacted=d["contacted"], feedback=d["feedback"], seen_round=d["round"])


def _paper_evaluation(request, p, payload):
    d = valid(PaperEvaluationForm.for_proposal(p, _evaluation_data(payload)))
    return handling.evaluation_submit(proposal=p, by=request.user, result=d["result"], attitude=d["attitude"] or "",
                                      contacted=d["contacted"], feedback=d["feedback"], member=d["member"],
                                      collective=d["collective"], seen_round=d["round"])


# The action's name (the workflow's), what performs it and its request schema.
PERFORM = {
    "submit": (_submit, SubmitRequest), "withdraw": (_withdraw, WithdrawRequest),
    "register": (_register, RegisterRequest), "decline": (_decline, DeclineRequest), "merge": (_merge, MergeRequest),
    "return": (_return, ReturnRequest), "assign": (_assign, AssignRequest), "set_key": (_set_key, KeyRequest),
    "rehandle": (_rehandle, RehandleRequest),
    "close": (_close, CloseRequest), "disclose": (_disclose, DiscloseRequest), "evaluate": (_evaluate, EvaluateRequest),
    "record_paper_evaluation": (_paper_evaluation, PaperEvaluationRequest),
}


def _act(request, proposal_id: int, name: str, payload):
    perform = PERFORM[name][0]
    perform(request, get_proposal_row_for(request.user, proposal_id), payload)
    return outputs.changed_proposal(request.user, get_proposal_row_for(request.user, proposal_id, ties=True))


ACTION = {200: ProposalOut, **ERRORS}


@router.post("/proposals/{proposal_id}/submit", response=ACTION, operation_id="proposal_submit")
def proposal_submit(request, proposal_id: int, payload: SubmitRequest = OPTIONAL):
    """提交: send the proposal to the proposal office (the author)."""
    return _act(request, proposal_id, "submit", payload)


@router.post("/proposals/{proposal_id}/withdraw", response=ACTION, operation_id="proposal_withdraw")
def proposal_withdraw(request, proposal_id: int, payload: WithdrawRequest = OPTIONAL):
    """撤案, by the author, before registration."""
    return _act(request, proposal_id, "withdraw", payload)


@router.post("/proposals/{proposal_id}/register", response=ACTION, operation_id="proposal_register")
def proposal_register(request, proposal_id: int, payload: RegisterRequest = OPTIONAL):
    """立案 (the proposal office): the proposal gets its number."""
    return _act(request, proposal_id, "register", payload)


@router.post("/proposals/{proposal_id}/decline", response=ACTION, operation_id="proposal_decline")
def proposal_decline(request, proposal_id: int, payload: DeclineRequest):
    """不予立案 on a ground of GET /decline-grounds."""
    return _act(request, proposal_id, "decline", payload)


@router.post("/proposals/{proposal_id}/merge", response=ACTION, operation_id="proposal_merge")
def proposal_merge(request, proposal_id: int, payload: MergeRequest):
    """并案 into another proposal of the same year (``into``)."""
    return _act(request, proposal_id, "merge", payload)


@router.post("/proposals/{proposal_id}/return", response=ACTION, operation_id="proposal_return")
def proposal_return(request, proposal_id: int, payload: ReturnRequest):
    """退回修改, saying what to revise."""
    return _act(request, proposal_id, "return", payload)


@router.post("/proposals/{proposal_id}/assign", response=ACTION, operation_id="proposal_assign")
def proposal_assign(request, proposal_id: int, payload: AssignRequest):
    """交办 to units, with deadlines, key flag, lead officials and supervising offices."""
    return _act(request, proposal_id, "assign", payload)


@router.post("/proposals/{proposal_id}/key", response=ACTION, operation_id="proposal_set_key")
def proposal_set_key(request, proposal_id: int, payload: KeyRequest):
    """重点提案与督办 after the assignment: mark it key or not, name its lead officials and supervising offices."""
    return _act(request, proposal_id, "set_key", payload)


@router.post("/proposals/{proposal_id}/rehandle", response=ACTION, operation_id="proposal_rehandle")
def proposal_rehandle(request, proposal_id: int, payload: RehandleRequest = OPTIONAL):
    """重新办理: back to the units with a new deadline."""
    return _act(request, proposal_id, "rehandle", payload)


@router.post("/proposals/{proposal_id}/close", response=ACTION, operation_id="proposal_close")
def proposal_close(request, proposal_id: int, payload: CloseRequest = OPTIONAL):
    """办结."""
    return _act(request, proposal_id, "close", payload)


@router.post("/proposals/{proposal_id}/disclose", response=ACTION, operation_id="proposal_disclose")
def proposal_disclose(request, proposal_id: int, payload: DiscloseRequest = OPTIONAL):
    """信息公开: publish it and its replies on the portal (where the proposer consented)."""
    return _act(request, proposal_id, "disclose", payload)


def _evaluated(request, proposal_id: int, name: str, payload):
    evaluation = PERFORM[name][0](request, get_proposal_for(request.user, proposal_id), payload)
    fresh = get_proposal_for(request.user, proposal_id)
    return Status(201, outputs.evaluation_out(evaluation, disclosure_for(request.user, fresh), fresh.state))


@router.post("/proposals/{proposal_id}/evaluate", response={201: EvaluationOut, **ERRORS},
             operation_id="proposal_evaluate")
def proposal_evaluate(request, proposal_id: int, payload: EvaluateRequest):
    """满意度评价 by a proposer (the lead proposer's dissatisfaction sends it to rehandling once)."""
    return _evaluated(request, proposal_id, "evaluate", payload)


@router.post("/proposals/{proposal_id}/paper-evaluation", response={201: EvaluationOut, **ERRORS},
             operation_id="proposal_paper_evaluation")
def proposal_paper_evaluation(request, proposal_id: int, payload: PaperEvaluationRequest):
    """The office records a proposer's paper evaluation."""
    return _evaluated(request, proposal_id, "record_paper_evaluation", payload)
