"""联名: invitations of a proposal and of the signed-in member, with their ids, and the answers to them."""

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from tian.api import outputs
from tian.api.common import ERRORS, OPTIONAL, valid
from tian.api.requests import InvitationAnswerRequest, InvitationWithdrawRequest, InviteRequest
from tian.api.schemas import InvitationOut
from tian.disclosure.policy import ListDisclosure, disclosure_for
from tian.proposals import services, workflow
from tian.proposals.forms import InviteForm
from tian.proposals.models import CoSignature, Proposal
from tian.proposals.selectors import get_proposal_for, may_open, tie_prefetches, visible_proposals

router = Router(tags=["co-signing"])


def _invitations_of(request, proposal) -> list[dict]:
    policy = disclosure_for(request.user, proposal)
    may_withdraw = workflow.allowed(request.user, proposal, "invite_cosigners")
    rows = CoSignature.objects.filter(proposal=proposal).select_related("member").order_by("order", "id")
    return [outputs.invitation_out(request.user, c, policy.text(proposal.title), may_withdraw=may_withdraw)
            for c in policy.invitations(rows)]


@router.get("/proposals/{proposal_id}/invitations", response={200: list[InvitationOut], **ERRORS},
            operation_id="proposal_invitations_list")
def proposal_invitations(request, proposal_id: int):
    """Every invitation of the proposal, in order, with its id and state."""
    return _invitations_of(request, get_proposal_for(request.user, proposal_id))


@router.post("/proposals/{proposal_id}/invitations", response={201: list[InvitationOut], **ERRORS},
             operation_id="proposal_invite")
def proposal_invite(request, proposal_id: int, payload: InviteRequest):
    """Invite members to co-sign (the lead proposer); staff entering a paper proposal record the co-signers of the
    paper form as signed. Answers every invitation of the proposal (the new ones included)."""
    proposal = get_proposal_for(request.user, proposal_id)
    members = list(valid(InviteForm({"members": payload.members}, committee=proposal.committee,
                                    exclude=[proposal.lead_member_id or 0]))["members"])
    if workflow.on_paper_cosigners(request.user, proposal):
        services.cosign_record_on_paper(proposal=proposal, by=request.user, members=members)
    else:
        services.cosign_invite(proposal=proposal, by=request.user, members=members)
    return Status(201, _invitations_of(request, get_proposal_for(request.user, proposal_id)))


@router.get("/invitations", response={200: list[InvitationOut], **ERRORS}, operation_id="my_invitations_list")
def my_invitations(request, open_only: bool = False):
    """The signed-in member's invitations, newest first (``open_only``: those still to be answered)."""
    member_id = request.user.acting_member_id
    if not member_id:
        return []
    rows = list(CoSignature.objects.filter(member_id=member_id, proposal__in=visible_proposals(request.user))
                .select_related("member", "proposal").order_by("-invited_at", "-id")[:200])
    if open_only:
        rows = [c for c in rows if c.is_open_invitation]
    policy = ListDisclosure(request.user, [c.proposal for c in rows])
    return [outputs.invitation_out(request.user, c, policy.text(c.proposal, c.proposal.title)) for c in rows]


def invitation_for(request, invitation_id: int) -> CoSignature:
    """Fetch-and-authorize: the caller's own invitation (the invited member reaches it to answer, or to hear that it
    has lapsed, though a lapsed or declined one no longer opens the proposal), or an invitation of a proposal the
    caller may open; else 404. The proposal, as read, is kept on it."""
    cosignature = get_object_or_404(CoSignature.objects.select_related("member"), pk=invitation_id)
    member_id = getattr(request.user, "acting_member_id", None)
    if member_id and cosignature.member_id == member_id:
        cosignature.proposal = get_object_or_404(Proposal, pk=cosignature.proposal_id)
        prefetch_related_objects([cosignature.proposal], *tie_prefetches())
    else:
        cosignature.proposal = get_proposal_for(request.user, cosignature.proposal_id)
        if not disclosure_for(request.user, cosignature.proposal).invitations([cosignature]):
            raise Http404  # who declined, or was asked and did not answer, is the lead proposer's to know
    return cosignature


def _answer(request, cosignature: CoSignature, proposal=None):
    proposal = proposal or cosignature.proposal
    fresh = CoSignature.objects.select_related("member").get(pk=cosignature.pk)
    # An invitation that was declined, withdrawn or has lapsed no longer opens the draft: its answer says so
    # without the draft's title, which the lead proposer may have changed since.
    opens = may_open(request.user, proposal)
    title = disclosure_for(request.user, proposal).text(proposal.title) if opens else ""
    return outputs.invitation_out(request.user, fresh, title, opens=opens,
                                  may_withdraw=workflow.allowed(request.user, proposal, "invite_cosigners"))


@router.get("/invitations/{invitation_id}", response={200: InvitationOut, **ERRORS}, operation_id="invitation_get")
def invitation(request, invitation_id: int):
    return _answer(request, invitation_for(request, invitation_id))


@router.post("/invitations/{invitation_id}/accept", response={200: InvitationOut, **ERRORS},
             operation_id="invitation_accept")
def invitation_accept(request, invitation_id: int, payload: InvitationAnswerRequest = OPTIONAL):
    """同意联名, by the invited member, while the invitation is open."""
    invitation = invitation_for(request, invitation_id)
    services.cosign_respond(cosignature=invitation, by=request.user, accept=True)
    return _answer(request, invitation)


@router.post("/invitations/{invitation_id}/decline", response={200: InvitationOut, **ERRORS},
             operation_id="invitation_decline")
def invitation_decline(request, invitation_id: int, payload: InvitationAnswerRequest = OPTIONAL):
    """The invited member declines."""
    invitation = invitation_for(request, invitation_id)
    services.cosign_respond(cosignature=invitation, by=request.user, accept=False)
    return _answer(request, invitation)


@router.post("/invitations/{invitation_id}/withdraw", response={200: InvitationOut, **ERRORS},
             operation_id="invitation_withdraw")
def invitation_withdraw(request, invitation_id: int, payload: InvitationWithdrawRequest = OPTIONAL):
    """The lead proposer withdraws an open invitation."""
    invitation = invitation_for(request, invitation_id)
    services.cosign_withdraw_invitation(cosignature=invitation, by=request.user)
    return _answer(request, invitation)
