"""Proof by a generated client: openapi-python-client generates a Python client from the schema the app publishes,
and the seed story runs against a live server through that client's functions only (no hand-written HTTP): create,
invite, accept, submit, register, assign, sign for, opinions, contact, reply, co-sign, approve, evaluate, close,
disclose, read publicly. Every id comes from an answer, a lookup or the inbox."""

import datetime
import importlib
import json
import subprocess
import sys

import pytest

from tests.conftest import submitted_on
from tian.accounts.services import token_create
from tian.proposals.models import Proposal

PACKAGE = "tian_api_client"


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """The client package, generated once per test session from the app's own schema."""
    from tian.api.api import api

    folder = tmp_path_factory.mktemp("generated_client")
    schema, config = folder / "openapi.json", folder / "config.json"
    schema.write_text(json.dumps(api.get_openapi_schema(), ensure_ascii=False), encoding="utf-8")
    # No post hooks: the generator would otherwise run ruff over the output, which is not ours to lint.
    config.write_text(json.dumps({"post_hooks": [], "package_name_override": PACKAGE,
                                  "project_name_override": "tian-api-client"}))
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema), "--output-path",
         str(folder / PACKAGE), "--meta", "none", "--config", str(config)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr  # every schema understood
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


def _ok(answer, kind):
    assert isinstance(answer, kind), answer
    return answer


@pytest.mark.django_db(transaction=True)
def test_the_seed_story_through_the_generated_client(generated, world, live_server):
    from tian_api_client import AuthenticatedClient, Client
    from tian_api_client.api.co_signing import invitation_accept, my_invitations_list, proposal_invite
    from tian_api_client.api.handling import (
        assignment_record_contact,
        assignment_save_reply,
        assignment_send_opinion,
        assignment_sign_for,
        reply_cosign,
    )
    from tian_api_client.api.lookups import (
        categories_list,
        lead_officials_list,
        members_list,
        supervising_offices_list,
        units_list,
    )
    from tian_api_client.api.people import inbox
    from tian_api_client.api.proposals import (
        proposal_assign,
        proposal_close,
        proposal_create,
        proposal_disclose,
        proposal_evaluate,
        proposal_get,
        proposal_register,
        proposal_submit,
    )
    from tian_api_client.api.public import public_proposal_get, public_proposals_list
    from tian_api_client.api.supervision import reply_approve
    from tian_api_client.models import (
        ApproveRequest,
        AssignmentOut,
        AssignRequest,
        ContactMethod,
        ContactOut,
        ContactRequest,
        ErrorOut,
        EvaluateRequest,
        EvaluationOut,
        InvitationOut,
        InvitationStatus,
        InviteRequest,
        OpinionOut,
        OpinionRequest,
        PageOut,
        ProposalCreateRequest,
        ProposalDetailOut,
        ProposalOut,
        ProposalState,
        Rating,
        ReplyOut,
        ReplyRequest,
        ReplyStatus,
    )

    def signed_in(user):
        return AuthenticatedClient(base_url=live_server.url, token=token_create(user=user, name="client")[1],
                                   raise_on_unexpected_status=True)

    member, cosigner, staff = signed_in(world.member), signed_in(world.cosigner), signed_in(world.staff)
    lead, assisting = signed_in(world.lead_handler), signed_in(world.assisting_handler)
    supervisor = signed_in(world.supervisor)

    def task(client, kind):
        return next(t.object_id for t in inbox.sync(client=client) if t.kind == kind)

    category = next(c.id for c in categories_list.sync(client=member) if c.name == "社会建设")
    draft = _ok(proposal_create.sync(client=member, idempotency_key="seed-story-1", body=ProposalCreateRequest(
        title="关于加强全区未成年人关爱保护工作的建议", body="建议建立关爱保护联席会议制度。", category=category,
        disclosure_consent=True)), ProposalOut)
    assert draft.state == ProposalState.DRAFT
    retried = proposal_create.sync(client=member, idempotency_key="seed-story-1", body=ProposalCreateRequest(
        title="关于加强全区未成年人关爱保护工作的建议", body="建议建立关爱保护联席会议制度。", category=category,
        disclosure_consent=True))
    assert retried.id == draft.id  # a retry makes no second proposal
    pk = draft.id

    xu = next(m.id for m in members_list.sync(client=member) if m.name == "徐丽娟")
    invitations = proposal_invite.sync(pk, client=member, body=InviteRequest(members=[xu]))
    assert [i.member.id for i in invitations] == [xu]
    mine = my_invitations_list.sync(client=cosigner)
    assert [i.id for i in mine] == [invitations[0].id] == [task(cosigner, "cosign_invitation")]
    accepted = _ok(invitation_accept.sync(mine[0].id, client=cosigner), InvitationOut)
    assert accepted.status == InvitationStatus.ACCEPTED

    assert _ok(proposal_submit.sync(pk, client=member), ProposalOut).state == ProposalState.SUBMITTED
    assert task(staff, "review") == pk
    registered = _ok(proposal_register.sync(pk, client=staff), ProposalOut)
    assert registered.state == ProposalState.REGISTERED and registered.number == 1

    units = {u.name: u.id for u in units_list.sync(client=staff)}
    office = next(o.id for o in supervising_offices_list.sync(client=staff) if o.name == "区政府办公室")
    official = next(o.id for o in lead_officials_list.sync(client=staff) if o.name == "杨金军")
    submitted_on(Proposal.objects.get(pk=pk), datetime.date(2026, 11, 1))  # assigned that day, so submitted by then
    assigned = _ok(proposal_assign.sync(pk, client=staff, body=AssignRequest(
        lead_unit=units["区民政局"], assisting_units=[units["区教科局"]], assigned_on=datetime.date(2026, 11, 1),
        supervising_offices=[office], lead_officials=[official])), ProposalOut)
    assert assigned.state == ProposalState.ASSIGNED

    lead_assignment, assisting_assignment = task(lead, "sign"), task(assisting, "sign")
    signed = _ok(assignment_sign_for.sync(lead_assignment, client=lead), AssignmentOut)
    assert signed.proposal_state == ProposalState.HANDLING
    _ok(assignment_sign_for.sync(assisting_assignment, client=assisting), AssignmentOut)
    _ok(assignment_send_opinion.sync(assisting_assignment, client=assisting,
                                     body=OpinionRequest(body="同意主办单位意见。")), OpinionOut)
    contact = _ok(assignment_record_contact.sync(lead_assignment, client=lead, body=ContactRequest(
        method=ContactMethod.PHONE, contacted_on=datetime.date(2026, 11, 2), summary="电话沟通办理思路")), ContactOut)
    assert contact.assignment_id == lead_assignment

    reply = _ok(assignment_save_reply.sync(lead_assignment, client=lead, body=ReplyRequest(
        body="首先感谢您对未成年人关爱保护工作的关心。\n现答复如下。", outcome="A", contact_name="贺威",
        contact_phone="13795952836", reply_date=datetime.date(2026, 11, 20), submit=True)), ReplyOut)
    assert reply.status == ReplyStatus.COSIGNING and task(assisting, "cosign") == reply.id
    cosigned = _ok(reply_cosign.sync(reply.id, client=assisting), ReplyOut)
    assert cosigned.status == ReplyStatus.SUPERVISION and task(supervisor, "supervision") == reply.id
    approved = _ok(reply_approve.sync(reply.id, client=supervisor, body=ApproveRequest(comments="同意")), ReplyOut)
    assert approved.status == ReplyStatus.RELEASED and approved.proposal_state == ProposalState.REPLIED

    evaluation = _ok(proposal_evaluate.sync(pk, client=member, body=EvaluateRequest(
        result=Rating.SATISFIED, contacted=True, feedback="非常满意")), EvaluationOut)
    assert evaluation.result == Rating.SATISFIED and evaluation.contacted is True
    assert _ok(proposal_close.sync(pk, client=staff), ProposalOut).state == ProposalState.CLOSED
    assert _ok(proposal_disclose.sync(pk, client=staff), ProposalOut).is_public is True

    public = Client(base_url=live_server.url, raise_on_unexpected_status=True)
    listing = _ok(public_proposals_list.sync(client=public), PageOut)
    assert [p.id for p in listing.items] == [pk]
    read = _ok(public_proposal_get.sync(pk, client=public), ProposalDetailOut)
    assert read.number_bracket == "第〔1〕号" and read.lead_rating == Rating.SATISFIED
    assert read.replies[0].contact_line.endswith("137****2836)")  # masked for the public
    assert read.timeline == [] and read.evaluations == []

    # A refusal is the documented error, typed too.
    refused = proposal_get.sync(pk + 1000, client=member)
    assert isinstance(refused, ErrorOut) and refused.code == "not_found"
