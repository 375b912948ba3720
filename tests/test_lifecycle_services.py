"""The proposal lifecycle through its service functions only (no pages): the seed story end to end, every
transition refused for the wrong people and in the wrong state, merges, co-sign expiry, rehandling,
decline/return/withdraw, reassignment, paper evaluation, separate units and who sees what."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.core.calendar import add_months
from tian.handling import services as handling
from tian.handling.letters import build_letter
from tian.handling.models import (
    Assignment,
    AssistingOpinion,
    ContactRecord,
    Evaluation,
    ReassignmentRequest,
    Reply,
    ReplyCoSignature,
)
from tian.organisations.models import Member
from tian.proposals import services
from tian.proposals.models import CoSignature, DeclineGround, Event, NumberSequence, Proposal, TopicCategory
from tian.proposals.selectors import get_proposal_row_for, proposer_members, visible_proposals
from tian.proposals.workflow import WorkflowError
from tian.supervision import services as supervision
from tian.supervision.models import SupervisionReview

TZ = ZoneInfo("Asia/Shanghai")
TITLE = "关于加强全区未成年人关爱保护工作的建议"
BODY = ("未成年人是祖国的未来、民族的希望,做好未成年人关爱保相关护工作,是坚持以人为本、加强和创新社会治理的"
        "一项基础性工作。为此,提出如下建议:\n一是要在提高认识上着力。\n二是要在加大保障上着力。")
REPLY_BODY = ("首先感谢您对我区未成年人关爱保护工作的关注和支持,现将有关办理情况答复如下:\n"
              "一是加强组织领导。二是加强阵地建设。")
ASSISTING = ["区教科局", "区司法局", "区公安分局", "区妇联"]


def at(month, day, hour=10, minute=0, year=2023):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def category(world, name="社会建设"):
    return TopicCategory.objects.get(committee=world.committee, name=name)


def new_member(world, name):
    member = Member.objects.create(committee=world.committee, name=name)
    return account_services.user_create(username=name, full_name=name, password=None, roles=[Role.MEMBER],
                                        member=member, validate=False)


def draft(world, by=None, *, title=TITLE, when=None):
    by = by or world.member
    return services.proposal_create_draft(by=by, committee=world.committee, lead_member=by.member,
                                          title=title, body=BODY, category=category(world),
                                          at=when or at(2, 14, 9))


def submitted(world, by=None, *, title=TITLE, when=None):
    by = by or world.member
    return services.proposal_submit(proposal=draft(world, by, title=title, when=when), by=by,
                                    at=when or at(2, 14, 10))


def actions(proposal) -> list[str]:
    return list(Event.objects.filter(proposal=proposal).values_list("action", flat=True))


def fresh(proposal) -> Proposal:
    return Proposal.objects.get(pk=proposal.pk)


# Everything a transition could touch; a refused transition must leave all of it as it was.
TRACKED = [Proposal, Proposal.lead_officials.through, Proposal.supervising_offices.through, CoSignature,
           NumberSequence, Event, Assignment, ReassignmentRequest, ContactRecord, AssistingOpinion, Reply,
           ReplyCoSignature, Evaluation, SupervisionReview]


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TRACKED}


def refused(code: str, call) -> WorkflowError:
    before = snapshot()
    with pytest.raises(WorkflowError) as caught:
        call()
    assert caught.value.code == code, f"{caught.value.code}: {caught.value.message}"
    assert str(caught.value.message)
    assert snapshot() == before
    return caught.value


# --- building a proposal up to a stage -------------------------------------------------------------------

STAGES = ["draft", "submitted", "registered", "assigned", "handling", "reply_draft", "cosigning",
          "supervision", "replied", "closed"]


@dataclass
class Case:
    """A proposal by 刘安泽 co-signed by 徐丽娟, lead unit 区民政局 with assisting 区教科局, reviewed by 区政府办公室."""

    proposal: Proposal
    invitation: CoSignature
    lead: Assignment | None = None
    assisting: Assignment | None = None
    reply: Reply | None = None
    request: ReassignmentRequest | None = None
    other: Proposal | None = None

    def reload(self):
        self.proposal = fresh(self.proposal)
        for obj in (self.invitation, self.lead, self.assisting, self.reply, self.request):
            if obj is not None:
                obj.refresh_from_db()
        return self


def build(world, upto: str, *, request: str = "", other: bool = False) -> Case:
    """The proposal as it is after stage ``upto``. ``request``: "pending" or "refused" adds a reassignment
    request by the assisting unit once handling started; ``other`` adds a second submitted proposal."""
    stop = STAGES.index(upto)
    p = draft(world)
    [invitation] = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member],
                                          at=at(2, 14, 9, 5))
    case = Case(proposal=p, invitation=invitation)
    if stop == 0:
        return case.reload()
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True, at=at(2, 14, 9, 30))
    p = services.proposal_submit(proposal=fresh(p), by=world.member, at=at(2, 14, 10))
    if other:
        case.other = submitted(world, world.stranger, title="关于建设未成年人保护工作站的建议")
    if stop == 1:
        return case.reload()
    p = services.proposal_register(proposal=p, by=world.staff, at=at(3, 1))
    if stop == 2:
        return case.reload()
    handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                             assisting_units=[world.units["区教科局"]], assigned_on=datetime.date(2023, 3, 16),
                             supervising_offices=[world.offices["区政府办公室"]],
                             lead_officials=[world.lead_official], at=at(3, 16))
    case.lead = p.assignments.get(role="lead")
    case.assisting = p.assignments.get(role="assisting")
    if stop == 3:
        return case.reload()
    handling.assignment_sign_for(assignment=case.lead, by=world.lead_handler, at=at(3, 17))
    handling.assignment_sign_for(assignment=case.assisting, by=world.assisting_handler, at=at(3, 17))
    if request:
        case.request = handling.reassignment_request(assignment=case.assisting, by=world.assisting_handler,
                                                     reason="本单位不负责此项工作", at=at(3, 20))
        if request == "refused":
            handling.reassignment_refuse(request=case.request, by=world.staff, note="属于协办职责", at=at(3, 21))
    if stop == 4:
        return case.reload()
    case.reply = handling.reply_save(assignment=case.lead, by=world.lead_handler, body=REPLY_BODY,
                                     outcome="A", contact_name="贺威", contact_phone="13795952836",
                                     reply_date=datetime.date(2023, 10, 11), at=at(10, 11))
    if stop == 5:
        return case.reload()
    handling.reply_submit(reply=case.reply, by=world.lead_handler, at=at(10, 11, 11))
    if stop == 6:
        return case.reload()
    handling.reply_cosign(reply=case.reply, by=world.assisting_handler, at=at(10, 20))
    if stop == 7:
        return case.reload()
    supervision.reply_approve(reply=case.reply, by=world.supervisor, at=at(10, 23))
    if stop == 8:
        return case.reload()
    for evaluator in (world.member, world.cosigner):
        handling.evaluation_submit(proposal=fresh(p), by=evaluator, result="satisfied", at=at(10, 25))
    services.proposal_close(proposal=fresh(p), by=world.staff, at=at(11, 1))
    return case.reload()


# --- 1. the seed story ------------------------------------------------------------------------------------

def test_the_seed_story_end_to_end(world):
    member, cosigner, staff = world.member, world.cosigner, world.staff
    lead_handler = world.lead_handler
    assisting_handlers = [world.handler_for(name) for name in ASSISTING]

    p = services.proposal_create_draft(by=member, committee=world.committee, lead_member=member.member,
                                       title=TITLE, body=BODY, category=category(world), at=at(2, 14, 9))
    assert p.state == "draft" and p.session == world.session and p.year == 2023
    [invitation] = services.cosign_invite(proposal=p, by=member, members=[cosigner.member],
                                          at=at(2, 14, 9, 5))
    assert invitation.status == "invited"
    invitation = services.cosign_respond(cosignature=invitation, by=cosigner, accept=True,
                                         at=at(2, 14, 9, 30))
    assert invitation.status == "accepted"
    assert fresh(p).state == "draft"

    p = services.proposal_submit(proposal=fresh(p), by=member, at=at(2, 14, 10))
    assert p.state == "submitted" and p.is_plenary

    p = services.proposal_register(proposal=p, by=staff, at=at(3, 1))
    assert p.state == "registered" and p.number == 1
    assert p.number_bracket == "第〔1〕号"
    assert p.number_year == "2023年度第1号"
    assert p.number_session == "七届三次全会第1号委员提案"

    p = handling.proposal_assign(
        proposal=p, by=staff, lead_units=[world.units["区民政局"]],
        assisting_units=[world.units[name] for name in ASSISTING], assigned_on=datetime.date(2023, 3, 16),
        supervising_offices=[world.offices["区政府办公室"], world.offices["区委目标绩效办"]],
        lead_officials=[world.lead_official], is_key=False, at=at(3, 16))
    assert p.state == "assigned" and p.assigned_on == datetime.date(2023, 3, 16) and not p.is_key
    assert [o.name for o in p.supervising_offices.all()] == ["区政府办公室", "区委目标绩效办"]
    assert [o.name for o in p.lead_officials.all()] == ["杨金军"]
    lead = p.assignments.get(role="lead")
    assert lead.unit.name == "区民政局"
    assisting = {a.unit.name: a for a in p.assignments.filter(role="assisting")}
    assert list(assisting) == ASSISTING

    handling.assignment_sign_for(assignment=lead, by=lead_handler, at=at(3, 17))
    assert fresh(p).state == "handling"
    for handler in assisting_handlers:
        handling.assignment_sign_for(assignment=assisting[handler.unit.name], by=handler, at=at(3, 17, 11))
    assert set(p.assignments.values_list("status", flat=True)) == {"signed"}
    assert fresh(p).state == "handling"

    handling.contact_record(assignment=lead, by=lead_handler, method="phone",
                            contacted_on=datetime.date(2023, 4, 10), summary="电话沟通办理思路", at=at(4, 10))
    for handler in assisting_handlers:
        handling.opinion_send(assignment=assisting[handler.unit.name], by=handler, body="同意主办单位意见。",
                              at=at(4, 12))
    assert AssistingOpinion.objects.filter(assignment__proposal=p).count() == 4
    assert fresh(p).state == "handling"

    reply = handling.reply_save(assignment=lead, by=lead_handler, body=REPLY_BODY, outcome="A",
                                contact_name="贺威", contact_phone="13795952836",
                                reply_date=datetime.date(2023, 10, 11), at=at(10, 11))
    assert reply.status == "draft" and reply.round == 1
    reply = handling.reply_submit(reply=reply, by=lead_handler, at=at(10, 11, 11))
    assert reply.status == "cosigning"
    assert build_letter(reply).cosign_pending
    for day, handler in enumerate(assisting_handlers[:3], start=12):
        handling.reply_cosign(reply=reply, by=handler, at=at(10, day))
        reply.refresh_from_db()
        assert reply.status == "cosigning"
    handling.reply_cosign(reply=reply, by=assisting_handlers[3], at=at(10, 20))
    reply.refresh_from_db()
    assert reply.status == "supervision" and reply.cosigned_on == datetime.date(2023, 10, 20)
    assert fresh(p).state == "handling"

    supervision.reply_approve(reply=reply, by=world.supervisor, at=at(10, 23))
    reply.refresh_from_db()
    assert reply.status == "released" and reply.outcome == "A"
    assert fresh(p).state == "replied"
    letter = build_letter(reply)
    assert letter.title == "关于政协广元市朝天区七届三次全会第1号委员提案的回复"
    assert letter.salutation == "尊敬的刘安泽、徐丽娟委员:"
    assert letter.contact_line == "(联系人:贺威 联系电话:13795952836)"
    assert letter.date_text == "2023年10月11日" and letter.cosign_date_text == "2023年10月20日"
    assert letter.signature_units == ["广元市朝天区民政局", "广元市朝天区教育和科学技术局", "广元市朝天区司法局",
                                      "广元市公安局朝天区分局", "广元市朝天区妇女联合会"]

    first = handling.evaluation_submit(proposal=fresh(p), by=member, result="satisfied", feedback="非常满意",
                                       at=at(10, 25))
    assert (first.member, first.is_lead, first.on_paper) == (member.member, True, False)
    handling.evaluation_submit(proposal=fresh(p), by=cosigner, result="satisfied", feedback="非常满意",
                               at=at(10, 26))
    assert fresh(p).state == "replied"
    assert list(Evaluation.objects.filter(proposal=p).values_list("member__name", "result", "feedback")) == [
        ("刘安泽", "satisfied", "非常满意"), ("徐丽娟", "satisfied", "非常满意")]

    p = services.proposal_close(proposal=fresh(p), by=staff, at=at(11, 1))
    assert p.state == "closed"
    p = services.proposal_disclose(proposal=p, by=staff, at=at(11, 2))
    assert p.is_public and p.state == "closed"

    assert actions(p) == [
        "proposal.drafted", "cosign.invited", "cosign.accepted", "proposal.submitted", "proposal.registered",
        "proposal.assigned", *["assignment.signed"] * 5, "contact.recorded", *["opinion.sent"] * 4,
        "reply.drafted", "reply.submitted", *["reply.cosigned"] * 4, "supervision.approved", "reply.released",
        "proposal.replied", "evaluation.recorded", "evaluation.recorded", "proposal.closed",
        "proposal.disclosed",
    ]
    events = list(Event.objects.filter(proposal=p))
    assert all(e.actor_id and e.to_state for e in events)
    assert all(e.from_state for e in events if e.action != "proposal.drafted")
    transitions = [(e.action, e.from_state, e.to_state) for e in events if e.from_state != e.to_state]
    assert transitions == [
        ("proposal.drafted", "", "draft"), ("proposal.submitted", "draft", "submitted"),
        ("proposal.registered", "submitted", "registered"), ("proposal.assigned", "registered", "assigned"),
        ("assignment.signed", "assigned", "handling"), ("proposal.replied", "handling", "replied"),
        ("proposal.closed", "replied", "closed"),
    ]
    assert Event.objects.get(proposal=p, action="proposal.registered").actor == staff
    assert Event.objects.get(proposal=p, action="supervision.approved").actor == world.supervisor
    assert Event.objects.get(proposal=p, action="proposal.registered").at == at(3, 1)


# --- 2. every transition refused for the wrong people and in the wrong state ----------------------------

ROLES = ["member", "stranger", "cosigner", "staff", "lead_handler", "assisting_handler", "other_handler",
         "supervisor", "official", "collective", "admin"]


@dataclass(frozen=True)
class Action:
    stage: str
    call: object  # (world, case, by) -> the service call
    allowed: frozenset
    wrong_stage: str
    wrong_code: str = "invalid_state"
    build: tuple = ()  # extra keyword arguments for build()


def _ground(world):
    return DeclineGround.objects.filter(committee=world.committee).first()


ACTIONS = {
    "edit": Action("draft", lambda w, c, by: services.proposal_update_draft(proposal=c.proposal, by=by,
                                                                            title="改"),
                   frozenset({"member"}), "submitted"),
    "submit": Action("draft", lambda w, c, by: services.proposal_submit(proposal=c.proposal, by=by,
                                                                        at=at(2, 14, 10)),
                     frozenset({"member"}), "submitted"),
    "withdraw": Action("draft", lambda w, c, by: services.proposal_withdraw(proposal=c.proposal, by=by),
                       frozenset({"member"}), "registered"),
    "invite_cosigners": Action(
        "draft", lambda w, c, by: services.cosign_invite(proposal=c.proposal, by=by,
                                                         members=[w.stranger.member], at=at(2, 14, 9, 10)),
        frozenset({"member"}), "registered"),
    "withdraw_invitation": Action(
        "draft", lambda w, c, by: services.cosign_withdraw_invitation(cosignature=c.invitation, by=by,
                                                                      at=at(2, 14, 9, 10)),
        frozenset({"member"}), "submitted"),
    "respond_cosign": Action(
        "draft", lambda w, c, by: services.cosign_respond(cosignature=c.invitation, by=by, accept=True,
                                                          at=at(2, 14, 9, 30)),
        frozenset({"cosigner"}), "registered"),
    "register": Action("submitted", lambda w, c, by: services.proposal_register(proposal=c.proposal, by=by),
                       frozenset({"staff"}), "registered"),
    "decline": Action("submitted", lambda w, c, by: services.proposal_decline(
        proposal=c.proposal, by=by, ground=_ground(w), forward="opinion"),
        frozenset({"staff"}), "registered"),
    "merge": Action("submitted", lambda w, c, by: services.proposal_merge(proposal=c.proposal, into=c.other,
                                                                          by=by),
                    frozenset({"staff"}), "registered", build=(("other", True),)),
    "return": Action("submitted", lambda w, c, by: services.proposal_return(proposal=c.proposal, by=by,
                                                                            note="请补充具体建议"),
                     frozenset({"staff"}), "registered"),
    "assign": Action("registered", lambda w, c, by: handling.proposal_assign(
        proposal=c.proposal, by=by, lead_units=[w.units["区民政局"]], assigned_on=datetime.date(2023, 3, 16)),
        frozenset({"staff"}), "assigned"),
    "sign_for": Action("assigned", lambda w, c, by: handling.assignment_sign_for(assignment=c.lead, by=by),
                       frozenset({"lead_handler"}), "replied"),
    "request_reassignment": Action("handling", lambda w, c, by: handling.reassignment_request(
        assignment=c.lead, by=by, reason="不属于本单位职责", at=at(3, 20)), frozenset({"lead_handler"}), "replied"),
    "approve_reassignment": Action("handling", lambda w, c, by: handling.reassignment_approve(
        request=c.request, by=by, new_unit=w.units["区司法局"], at=at(3, 22)), frozenset({"staff"}), "handling",
        wrong_code="conflict", build=(("request", "pending"),)),
    "refuse_reassignment": Action("handling", lambda w, c, by: handling.reassignment_refuse(
        request=c.request, by=by, note="属于协办职责", at=at(3, 22)), frozenset({"staff"}), "handling",
        wrong_code="conflict", build=(("request", "pending"),)),
    "adjust_assignment": Action("handling", lambda w, c, by: handling.assignment_adjust(
        assignment=c.lead, by=by, new_unit=w.units["区司法局"], reason="机构改革,职能划转", at=at(3, 22)),
        frozenset({"staff"}), "replied"),
    "record_contact": Action("handling", lambda w, c, by: handling.contact_record(
        assignment=c.lead, by=by, method="visit", contacted_on=datetime.date(2023, 4, 1), summary="走访",
        at=at(4, 1)), frozenset({"lead_handler"}), "replied"),
    "send_opinion": Action("handling", lambda w, c, by: handling.opinion_send(assignment=c.assisting, by=by,
                                                                              body="同意", at=at(4, 1)),
                           frozenset({"assisting_handler"}), "replied"),
    "save_reply": Action("handling", lambda w, c, by: handling.reply_save(
        assignment=c.lead, by=by, body=REPLY_BODY, outcome="A", contact_name="贺威",
        contact_phone="13795952836", at=at(10, 11)), frozenset({"lead_handler"}), "replied"),
    "submit_reply": Action("reply_draft", lambda w, c, by: handling.reply_submit(reply=c.reply, by=by),
                           frozenset({"lead_handler"}), "replied"),
    "cosign_reply": Action("cosigning", lambda w, c, by: handling.reply_cosign(reply=c.reply, by=by),
                           frozenset({"assisting_handler"}), "supervision"),
    "approve_reply": Action("supervision", lambda w, c, by: supervision.reply_approve(reply=c.reply, by=by),
                            frozenset({"supervisor"}), "cosigning"),
    "return_reply": Action("supervision", lambda w, c, by: supervision.reply_return(reply=c.reply, by=by,
                                                                                    comments="请补充数据"),
                           frozenset({"supervisor"}), "cosigning"),
    "evaluate": Action("replied", lambda w, c, by: handling.evaluation_submit(proposal=c.proposal, by=by,
                                                                              result="satisfied"),
                       frozenset({"member", "cosigner"}), "handling"),
    "paper_evaluation": Action("replied", lambda w, c, by: handling.evaluation_submit(
        proposal=c.proposal, by=by, member=w.cosigner.member, result="satisfied"), frozenset({"staff"}),
        "handling"),
    "rehandle": Action("replied", lambda w, c, by: handling.proposal_rehandle(proposal=c.proposal, by=by,
                                                                              at=at(10, 30)),
                       frozenset({"staff"}), "handling"),
    "close": Action("replied", lambda w, c, by: services.proposal_close(proposal=c.proposal, by=by),
                    frozenset({"staff"}), "handling"),
    "disclose": Action("replied", lambda w, c, by: services.proposal_disclose(proposal=c.proposal, by=by),
                       frozenset({"staff"}), "handling"),
}
# Reassignment decisions in the "wrong state" are decisions on a request that was already decided.
WRONG_STAGE_BUILD = {"approve_reassignment": (("request", "refused"),),
                     "refuse_reassignment": (("request", "refused"),)}


@pytest.mark.parametrize("name,role", [(name, role) for name, action in ACTIONS.items() for role in ROLES
                                       if role not in action.allowed])
def test_transition_is_refused_for_every_other_role(world, name, role):
    action = ACTIONS[name]
    case = build(world, action.stage, **dict(action.build))
    refused("not_allowed", lambda: action.call(world, case, getattr(world, role)))


@pytest.mark.parametrize("name", list(ACTIONS))
def test_transition_is_refused_in_the_wrong_state(world, name):
    action = ACTIONS[name]
    case = build(world, action.wrong_stage, **dict(WRONG_STAGE_BUILD.get(name, action.build)))
    for role in sorted(action.allowed):
        refused(action.wrong_code, lambda role=role: action.call(world, case, getattr(world, role)))


@pytest.mark.parametrize("name", list(ACTIONS))
def test_transition_succeeds_for_its_role_and_writes_events(world, name):
    action = ACTIONS[name]
    role = sorted(action.allowed)[0]
    by = getattr(world, role)
    case = build(world, action.stage, **dict(action.build))
    before = Event.objects.count()
    action.call(world, case, by)
    new_events = list(Event.objects.order_by("id")[before:])
    if name == "edit":  # saving a draft (also the autosave) is private and leaves no event
        assert new_events == []
        return
    assert new_events and new_events[0].actor == by
    assert all(e.to_state and e.from_state for e in new_events)


def test_a_stale_page_gets_a_conflict(world):
    case = build(world, "submitted")
    first, second = fresh(case.proposal), fresh(case.proposal)
    services.proposal_register(proposal=first, by=world.staff)
    refused("conflict", lambda: services.proposal_decline(proposal=second, by=world.staff,
                                                          ground=_ground(world), forward="opinion"))
    assert fresh(case.proposal).state == "registered"


def test_input_is_checked_after_the_role(world):
    """A stranger learns nothing about what the input should have been."""
    case = build(world, "submitted")
    p = case.proposal
    refused("not_allowed", lambda: services.proposal_return(proposal=p, by=world.stranger, note=""))
    refused("invalid_input", lambda: services.proposal_return(proposal=p, by=world.staff, note=" "))


# --- 3. merging -------------------------------------------------------------------------------------------

def test_merged_proposers_and_cosigners_are_credited_and_evaluate(world):
    wang = new_member(world, "王五")
    zhao = new_member(world, "赵六")
    case = build(world, "submitted")
    b = draft(world, world.stranger, title="关于建设未成年人保护工作站的建议")
    services.cosign_invite(proposal=b, by=world.stranger, members=[wang.member, zhao.member],
                           at=at(2, 14, 9, 5))
    services.cosign_respond(cosignature=b.cosignatures.get(member=wang.member), by=wang, accept=True,
                            at=at(2, 14, 9, 20))
    b = services.proposal_submit(proposal=fresh(b), by=world.stranger, at=at(2, 14, 10))

    b = services.proposal_merge(proposal=b, into=case.proposal, by=world.staff, note="内容相近", at=at(2, 20))
    assert b.state == "merged" and b.merged_into_id == case.proposal.pk
    assert b.cosignatures.get(member=zhao.member).status == "expired"  # the open invitation lapsed
    assert actions(b)[-1] == "proposal.merged" and actions(case.proposal)[-1] == "proposal.merged_in"
    a = fresh(case.proposal)
    assert [m.name for m in proposer_members(a)] == ["刘安泽", "徐丽娟", "张三", "王五"]
    assert a in visible_proposals(wang) and a in visible_proposals(world.stranger)
    assert a not in visible_proposals(zhao)

    a = _handle_to_replied(world, a)
    for evaluator, result in [(world.stranger, "basically_satisfied"), (wang, "dissatisfied")]:
        evaluation = handling.evaluation_submit(proposal=fresh(a), by=evaluator, result=result, at=at(10, 25))
        assert not evaluation.is_lead
    refused("not_allowed", lambda: handling.evaluation_submit(proposal=fresh(a), by=zhao, result="satisfied"))
    # a co-signer's dissatisfaction does not send the proposal back
    assert fresh(a).state == "replied"


def _handle_to_replied(world, p):
    p = services.proposal_register(proposal=fresh(p), by=world.staff, at=at(3, 1))
    handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                             assigned_on=datetime.date(2023, 3, 16), at=at(3, 16))
    lead = p.assignments.get()
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler, at=at(3, 17))
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body=REPLY_BODY, outcome="B",
                                contact_name="贺威", contact_phone="0839-8620000", at=at(10, 11))
    handling.reply_submit(reply=reply, by=world.lead_handler, at=at(10, 11))  # no assisting, no supervision
    p = fresh(p)
    assert p.state == "replied"
    return p


def test_credit_follows_a_chain_of_merges(world):
    wang = new_member(world, "王五")
    a = submitted(world)
    b = submitted(world, world.stranger, title="关于增加儿童主任的建议")
    c = submitted(world, wang, title="关于配齐儿童督导员的建议")
    services.proposal_merge(proposal=c, into=b, by=world.staff)
    services.proposal_merge(proposal=fresh(b), into=a, by=world.staff)
    assert [m.name for m in proposer_members(fresh(a))] == ["刘安泽", "张三", "王五"]
    assert a in visible_proposals(wang)


def test_merge_needs_a_live_target(world):
    a = submitted(world)
    b = submitted(world, world.stranger, title="关于增加儿童主任的建议")
    services.proposal_withdraw(proposal=b, by=world.stranger)
    refused("invalid_input", lambda: services.proposal_merge(proposal=fresh(a), into=b, by=world.staff))
    refused("invalid_input", lambda: services.proposal_merge(proposal=fresh(a), into=a, by=world.staff))



# --- 4. co-signing ----------------------------------------------------------------------------------------

def test_invitation_past_the_recess_window_expires(world):
    p = draft(world, when=at(5, 10, 9))
    [invitation] = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member],
                                          at=at(5, 10, 10))
    window = datetime.timedelta(hours=world.committee.cosign_window_recess_hours)
    assert invitation.expires_at == at(5, 10, 10) + window
    events = Event.objects.count()
    with pytest.raises(WorkflowError) as caught:
        services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True, at=at(5, 11, 10, 1))
    assert caught.value.code == "invalid_state"
    invitation.refresh_from_db()
    assert invitation.status == "expired" and invitation.responded_at is None
    assert Event.objects.count() == events
    assert proposer_members(fresh(p)) == [world.member.member]


def test_invitation_during_the_plenary_has_the_short_window(world):
    p = draft(world, when=at(2, 15, 9))
    first, second = services.cosign_invite(proposal=p, by=world.member,
                                           members=[world.cosigner.member, world.stranger.member],
                                           at=at(2, 15, 10))
    window = datetime.timedelta(hours=world.committee.cosign_window_plenary_hours)
    assert first.expires_at == at(2, 15, 10) + window
    services.cosign_respond(cosignature=first, by=world.cosigner, accept=True, at=at(2, 15, 12, 59))
    with pytest.raises(WorkflowError) as caught:
        services.cosign_respond(cosignature=second, by=world.stranger, accept=True, at=at(2, 15, 13, 1))
    assert caught.value.code == "invalid_state"
    second.refresh_from_db()
    assert second.status == "expired"
    assert [m.name for m in proposer_members(fresh(p))] == ["刘安泽", "徐丽娟"]


def test_withdrawn_and_declined_invitations_cannot_be_accepted(world):
    p = draft(world)
    first, second = services.cosign_invite(proposal=p, by=world.member,
                                           members=[world.cosigner.member, world.stranger.member],
                                           at=at(2, 14, 9, 5))
    services.cosign_withdraw_invitation(cosignature=first, by=world.member, at=at(2, 14, 9, 10))
    first.refresh_from_db()
    assert first.status == "withdrawn"
    refused("invalid_state", lambda: services.cosign_respond(cosignature=first, by=world.cosigner,
                                                             accept=True, at=at(2, 14, 9, 20)))
    services.cosign_respond(cosignature=second, by=world.stranger, accept=False, at=at(2, 14, 9, 20))
    refused("invalid_state", lambda: services.cosign_respond(cosignature=second, by=world.stranger,
                                                             accept=True, at=at(2, 14, 9, 25)))
    assert proposer_members(fresh(p)) == [world.member.member]
    assert actions(p) == ["proposal.drafted", "cosign.invited", "cosign.invitation_withdrawn",
                          "cosign.declined"]


def test_inviting_the_same_member_twice_is_one_invitation(world):
    p = draft(world)
    created = services.cosign_invite(proposal=p, by=world.member,
                                     members=[world.cosigner.member, world.cosigner.member],
                                     at=at(2, 14, 9, 5))
    assert len(created) == 1
    assert services.cosign_invite(proposal=fresh(p), by=world.member, members=[world.cosigner.member],
                                  at=at(2, 14, 9, 6)) == []
    refused("invalid_input", lambda: services.cosign_invite(proposal=fresh(p), by=world.member,
                                                            members=[world.member.member]))


def test_the_cosigner_list_freezes_at_registration(world):
    wang = new_member(world, "王五")
    case = build(world, "submitted")
    [late] = services.cosign_invite(proposal=case.proposal, by=world.member, members=[wang.member],
                                    at=at(2, 14, 11))
    p = services.proposal_register(proposal=case.proposal, by=world.staff, at=at(2, 14, 12))
    late.refresh_from_db()
    assert late.status == "expired"
    refused("invalid_state", lambda: services.cosign_respond(cosignature=late, by=wang, accept=True,
                                                             at=at(2, 14, 12, 30)))
    refused("invalid_state", lambda: services.cosign_invite(proposal=p, by=world.member,
                                                            members=[world.stranger.member]))
    assert [m.name for m in proposer_members(fresh(p))] == ["刘安泽", "徐丽娟"]


# --- 5. rehandling ----------------------------------------------------------------------------------------

def test_dissatisfied_lead_proposer_gets_a_second_reply_and_both_are_kept(world):
    case = build(world, "replied")
    handling.evaluation_submit(proposal=case.proposal, by=world.member, result="dissatisfied",
                               feedback="未解决实际问题", at=at(10, 25))
    p = fresh(case.proposal)
    assert p.state == "rehandling"
    assert p.rehandling_deadline == add_months(datetime.date(2023, 10, 25), 3) == datetime.date(2024, 1, 25)
    rehandling = Event.objects.get(proposal=p, action="proposal.rehandling")
    assert (rehandling.from_state, rehandling.to_state) == ("replied", "rehandling")
    assert rehandling.actor == world.member
    # the co-signer can no longer evaluate the first reply once it is being redone
    refused("invalid_state", lambda: handling.evaluation_submit(proposal=fresh(p), by=world.cosigner,
                                                                result="satisfied"))

    second = handling.reply_save(assignment=case.lead, by=world.lead_handler, body="经再次研究,答复如下:\n已落实。",
                                 outcome="A", contact_name="贺威", contact_phone="13795952836", at=at(12, 1))
    assert second.round == 2 and second.pk != case.reply.pk
    second = handling.reply_submit(reply=second, by=world.lead_handler, at=at(12, 1))
    assert second.status == "cosigning"
    handling.reply_cosign(reply=second, by=world.assisting_handler, at=at(12, 2))
    second.refresh_from_db()
    assert second.status == "supervision"
    supervision.reply_approve(reply=second, by=world.supervisor, at=at(12, 5))
    p = fresh(p)
    assert p.state == "replied"
    assert list(p.replies.values_list("round", "status")) == [(1, "released"), (2, "released")]

    handling.evaluation_submit(proposal=p, by=world.member, result="dissatisfied", at=at(12, 10))
    p = fresh(p)
    assert p.state == "replied"  # rehandled once only
    lead_evaluations = Evaluation.objects.filter(proposal=p, member=world.member.member)
    assert list(lead_evaluations.values_list("round", "result")) == [(1, "dissatisfied"), (2, "dissatisfied")]
    refused("invalid_state", lambda: handling.proposal_rehandle(proposal=fresh(p), by=world.staff))
    p = services.proposal_close(proposal=p, by=world.staff, at=at(12, 20))
    assert p.state == "closed"


def test_supervision_returns_a_reply_and_the_unit_resubmits(world):
    case = build(world, "supervision")
    refused("invalid_input", lambda: supervision.reply_return(reply=case.reply, by=world.supervisor,
                                                              comments=""))
    supervision.reply_return(reply=case.reply, by=world.supervisor, comments="请补充数据", at=at(10, 21))
    case.reply.refresh_from_db()
    assert case.reply.status == "returned"
    handling.reply_save(assignment=case.lead, by=world.lead_handler, body=REPLY_BODY + "\n补充数据。",
                        at=at(10, 22))
    handling.reply_submit(reply=case.reply, by=world.lead_handler, at=at(10, 22))
    case.reply.refresh_from_db()
    assert case.reply.status == "cosigning"  # co-signed again
    assert case.reply.cosignatures.get().signed_at is None
    handling.reply_cosign(reply=case.reply, by=world.assisting_handler, at=at(10, 23))
    supervision.reply_approve(reply=case.reply, by=world.supervisor, outcome="B", at=at(10, 24))
    case.reply.refresh_from_db()
    assert case.reply.outcome == "B"
    assert list(SupervisionReview.objects.values_list("decision", "outcome_before", "outcome_after")) == [
        ("returned", "A", "A"), ("approved", "A", "B")]
    assert fresh(case.proposal).state == "replied"


# --- 6. decline, return, withdraw -------------------------------------------------------------------------

def test_decline_with_a_ground_and_where_it_is_forwarded(world):
    case = build(world, "submitted")
    ground = DeclineGround.objects.get(committee=world.committee, text="没有具体建议或建议不可行的")
    refused("invalid_input", lambda: services.proposal_decline(proposal=case.proposal, by=world.staff,
                                                               ground=ground, forward="elsewhere"))
    retired = DeclineGround.objects.create(committee=world.committee, text="已停用的理由", is_active=False)
    refused("invalid_input", lambda: services.proposal_decline(proposal=case.proposal, by=world.staff,
                                                               ground=retired, forward="opinion"))
    p = services.proposal_decline(proposal=case.proposal, by=world.staff, ground=ground, forward="opinion",
                                  note="转为意见建议", at=at(2, 20))
    assert (p.state, p.decline_ground, p.decline_forward, p.number) == ("declined", ground, "opinion", None)
    event = Event.objects.get(proposal=p, action="proposal.declined")
    assert event.data["ground"] == ground.text and event.data["forward"] == "opinion"
    assert not NumberSequence.objects.exists()


def test_returned_proposal_is_revised_and_resubmitted(world):
    case = build(world, "submitted")
    refused("invalid_input", lambda: services.proposal_return(proposal=case.proposal, by=world.staff,
                                                              note=""))
    p = services.proposal_return(proposal=case.proposal, by=world.staff, note="请一事一案", at=at(2, 16))
    assert p.state == "returned" and p.review_note == "请一事一案"
    p = services.proposal_update_draft(proposal=p, by=world.member, title="关于完善未成年人关爱保护联席会议制度的建议")
    p = services.proposal_submit(proposal=p, by=world.member, at=at(2, 17))
    assert p.state == "submitted" and p.title == "关于完善未成年人关爱保护联席会议制度的建议"
    assert p.submitted_at == at(2, 17)
    assert actions(p)[-3:] == ["proposal.submitted", "proposal.returned", "proposal.submitted"]


def test_withdraw_before_registration_only(world):
    case = build(world, "submitted")
    p = services.proposal_withdraw(proposal=case.proposal, by=world.member, note="另行提交", at=at(2, 15))
    assert p.state == "withdrawn"
    assert Event.objects.get(proposal=p, action="proposal.withdrawn").note == "另行提交"
    later = build(world, "registered")
    refused("invalid_state", lambda: services.proposal_withdraw(proposal=later.proposal, by=world.member))


def test_withdrawing_a_draft_withdraws_its_open_invitations(world):
    case = build(world, "draft")
    services.proposal_withdraw(proposal=case.proposal, by=world.member, at=at(2, 14, 9, 10))
    case.invitation.refresh_from_db()
    assert case.invitation.status == "withdrawn"


# --- 7. reassignment --------------------------------------------------------------------------------------

def test_reassignment_request_needs_a_reason_and_the_window(world):
    case = build(world, "handling")
    assert case.assisting.reassignment_deadline == datetime.date(2023, 3, 27)  # 7 working days after 3-16
    refused("invalid_input", lambda: handling.reassignment_request(assignment=case.assisting,
                                                                   by=world.assisting_handler, reason=" ",
                                                                   at=at(3, 20)))
    refused("invalid_state", lambda: handling.reassignment_request(assignment=case.assisting,
                                                                   by=world.assisting_handler,
                                                                   reason="不是本单位职责", at=at(3, 28)))
    request = handling.reassignment_request(assignment=case.assisting, by=world.assisting_handler,
                                            reason="不是本单位职责", suggested_unit="区司法局", at=at(3, 27))
    case.assisting.refresh_from_db()
    assert case.assisting.status == "reassignment_requested" and request.status == "pending"
    refused("invalid_state", lambda: handling.reassignment_request(assignment=case.assisting,
                                                                   by=world.assisting_handler, reason="再次申请",
                                                                   at=at(3, 27)))


def test_approved_reassignment_reroutes_to_another_unit_with_the_same_role(world):
    case = build(world, "handling", request="pending")
    justice = world.units["区司法局"]
    refused("invalid_input", lambda: handling.reassignment_approve(request=case.request, by=world.staff,
                                                                   new_unit=world.units["区民政局"]))
    new = handling.reassignment_approve(request=case.request, by=world.staff, new_unit=justice,
                                        note="改由区司法局协办", at=at(3, 22))
    case.reload()
    assert case.assisting.status == "removed" and case.request.status == "approved"
    assert (new.unit, new.role, new.status, new.assigned_on) == (justice, "assisting", "assigned",
                                                                datetime.date(2023, 3, 22))
    assert new.deadline == case.assisting.deadline
    assert case.proposal.state == "handling"
    event = Event.objects.get(proposal=case.proposal, action="reassignment.approved")
    assert (event.data["unit"], event.data["new_unit"], event.actor) == ("区教科局", "区司法局", world.staff)
    # the unit that left no longer sees the proposal; the units still on it do
    assert case.proposal not in visible_proposals(world.assisting_handler)
    assert case.proposal in visible_proposals(world.lead_handler)
    assert case.proposal in visible_proposals(world.handler_for("区司法局"))
    refused("not_allowed", lambda: handling.opinion_send(assignment=case.assisting,
                                                         by=world.assisting_handler, body="同意"))


def test_reassignment_while_a_reply_awaits_cosigning_moves_the_signature(world):
    case = build(world, "handling")
    reply = handling.reply_save(assignment=case.lead, by=world.lead_handler, body=REPLY_BODY, outcome="A",
                                contact_name="贺威", contact_phone="13795952836", at=at(3, 20))
    handling.reply_submit(reply=reply, by=world.lead_handler, at=at(3, 20))
    request = handling.reassignment_request(assignment=case.assisting, by=world.assisting_handler,
                                            reason="不是本单位职责", at=at(3, 21))
    handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"], at=at(3, 22))
    justice = world.handler_for("区司法局")
    handling.assignment_sign_for(assignment=Assignment.objects.get(unit__name="区司法局"), by=justice,
                                 at=at(3, 23))
    handling.reply_cosign(reply=reply, by=justice, at=at(3, 24))
    reply.refresh_from_db()
    assert reply.status == "supervision"


def test_refused_reassignment_puts_the_assignment_back(world):
    case = build(world, "handling", request="pending")
    refused("invalid_input", lambda: handling.reassignment_refuse(request=case.request, by=world.staff,
                                                                  note=""))
    handling.reassignment_refuse(request=case.request, by=world.staff, note="属于协办职责", at=at(3, 22))
    case.reload()
    assert case.assisting.status == "signed" and case.request.status == "refused"
    assert case.request.decision_note == "属于协办职责"

    unsigned = build(world, "assigned")
    request = handling.reassignment_request(assignment=unsigned.lead, by=world.lead_handler, reason="非本单位职责",
                                            at=at(3, 17))
    handling.reassignment_refuse(request=request, by=world.staff, note="属本单位职责", at=at(3, 18))
    unsigned.lead.refresh_from_db()
    assert unsigned.lead.status == "assigned"
    assert fresh(unsigned.proposal).state == "assigned"


# --- 8. paper evaluation ----------------------------------------------------------------------------------

def test_staff_record_a_paper_evaluation_for_a_cosigner_only(world):
    case = build(world, "replied")
    evaluation = handling.evaluation_submit(proposal=case.proposal, by=world.staff,
                                            member=world.cosigner.member, result="basically_satisfied",
                                            attitude="satisfied", contacted=True, feedback="纸质评价表",
                                            at=at(10, 30))
    assert (evaluation.member, evaluation.on_paper, evaluation.entered_by, evaluation.is_lead) == (
        world.cosigner.member, True, world.staff, False)
    event = Event.objects.get(proposal=case.proposal, action="evaluation.recorded")
    assert event.actor == world.staff and event.data["on_paper"] is True
    p = fresh(case.proposal)
    stranger = world.stranger.member
    refused("invalid_input", lambda: handling.evaluation_submit(proposal=p, by=world.staff, member=stranger,
                                                                result="satisfied"))
    refused("invalid_state", lambda: handling.evaluation_submit(proposal=p, by=world.cosigner,
                                                                result="satisfied"))
    refused("invalid_input", lambda: handling.evaluation_submit(proposal=p, by=world.member, result="great"))


# --- 9. separate units ------------------------------------------------------------------------------------

def test_separate_units_reply_on_their_own(world):
    case = build(world, "registered")
    finance = world.units["区财政局"]
    p = handling.proposal_assign(proposal=case.proposal, by=world.staff,
                                 separate_units=[world.units["区民政局"], finance],
                                 assigned_on=datetime.date(2023, 3, 16), at=at(3, 16))
    replies = []
    for assignment, handler in [(p.assignments.get(unit__name="区民政局"), world.lead_handler),
                                (p.assignments.get(unit=finance), world.other_handler)]:
        assert assignment.role == "separate"
        handling.assignment_sign_for(assignment=assignment, by=handler, at=at(3, 17))
        replies.append(handling.reply_save(assignment=assignment, by=handler, body=REPLY_BODY, outcome="B",
                                           contact_name="经办人", contact_phone="0839-8620000", at=at(6, 1)))
    handling.reply_submit(reply=replies[0], by=world.lead_handler, at=at(6, 1))
    replies[0].refresh_from_db()
    assert replies[0].status == "released" and not replies[0].cosignatures.exists()
    assert fresh(p).state == "handling"
    handling.reply_submit(reply=replies[1], by=world.other_handler, at=at(6, 2))
    assert fresh(p).state == "replied"
    assert build_letter(replies[1]).signature_units == ["广元市朝天区财政局"]
    assert actions(p)[-1] == "proposal.replied"


def test_separate_units_wait_for_each_others_supervision(world):
    case = build(world, "registered")
    p = handling.proposal_assign(proposal=case.proposal, by=world.staff,
                                 separate_units=[world.units["区民政局"], world.units["区财政局"]],
                                 supervising_offices=[world.offices["区政府办公室"]],
                                 assigned_on=datetime.date(2023, 3, 16), at=at(3, 16))
    replies = []
    for assignment in p.assignments.all():
        handler = world.handler_for(assignment.unit.name)
        handling.assignment_sign_for(assignment=assignment, by=handler, at=at(3, 17))
        reply = handling.reply_save(assignment=assignment, by=handler, body=REPLY_BODY, outcome="A",
                                    contact_name="经办人", contact_phone="0839-8620000", at=at(6, 1))
        replies.append(handling.reply_submit(reply=reply, by=handler, at=at(6, 1)))
    assert [r.status for r in replies] == ["supervision", "supervision"]
    supervision.reply_approve(reply=replies[0], by=world.supervisor, at=at(6, 5))
    assert fresh(p).state == "handling"
    supervision.reply_approve(reply=replies[1], by=world.supervisor, at=at(6, 6))
    assert fresh(p).state == "replied"


def test_assisting_units_need_a_lead_unit(world):
    case = build(world, "registered")
    refused("invalid_input", lambda: handling.proposal_assign(
        proposal=case.proposal, by=world.staff, assisting_units=[world.units["区教科局"]]))
    refused("invalid_input", lambda: handling.proposal_assign(
        proposal=case.proposal, by=world.staff, lead_units=[world.units["区民政局"]],
        assisting_units=[world.units["区民政局"]]))


# --- 10. who sees what ------------------------------------------------------------------------------------

def test_who_sees_which_proposal(world):
    case = build(world, "handling")
    mine = case.proposal
    others_draft = draft(world, world.stranger, title="关于改善农村道路的建议")
    others_submitted = submitted(world, world.stranger, title="关于增设公交线路的建议")
    thrown_away = services.proposal_withdraw(proposal=draft(world, world.stranger, title="作废的草稿"),
                                             by=world.stranger)
    staff_draft = services.proposal_create_draft(by=world.staff, committee=world.committee,
                                                 lead_member=world.stranger.member, title="纸质提案",
                                                 at=at(2, 14, 9))
    public = build(world, "closed").proposal
    services.proposal_disclose(proposal=public, by=world.staff)
    other_staff = account_services.user_create(username="tiwei2", full_name="提案委2", password=None,
                                               roles=[Role.STAFF], validate=False)

    def sees(user):
        return set(visible_proposals(user).values_list("pk", flat=True))

    everything = {mine.pk, others_draft.pk, others_submitted.pk, thrown_away.pk, staff_draft.pk, public.pk}
    assert sees(world.member) == {mine.pk, public.pk}
    assert sees(world.cosigner) == {mine.pk, public.pk}
    # their own drafts (one thrown away), the submitted one, the one staff entered for them, the public one
    assert sees(world.stranger) == everything - {mine.pk}
    assert sees(world.staff) == everything - {others_draft.pk, thrown_away.pk}
    assert sees(other_staff) == everything - {others_draft.pk, thrown_away.pk, staff_draft.pk}
    assert sees(world.lead_handler) == {mine.pk, public.pk}
    assert sees(world.assisting_handler) == {mine.pk, public.pk}
    assert sees(world.other_handler) == {public.pk}
    assert sees(world.supervisor) == {mine.pk, public.pk}
    assert sees(world.official) == {mine.pk, public.pk}
    assert sees(world.collective) == {public.pk}
    assert sees(world.admin) == {public.pk}

    # a supervising office or lead official sees only its own proposals
    other_office = account_services.user_create(username="绩效办", full_name="绩效办", password=None,
                                                roles=[Role.SUPERVISOR], office=world.offices["区委目标绩效办"],
                                                validate=False)
    assert sees(other_office) == {public.pk}

    # Opening one proposal (its page, an action on it) decides as the lists do, for every user and proposal: the
    # rule for what was never submitted is declared once (proposals.models.EVER_SUBMITTED and ever_submitted).
    for user in (world.member, world.stranger, world.staff, other_staff, world.lead_handler, world.other_handler,
                 world.supervisor, world.collective, world.admin):
        for pk in everything:
            try:
                get_proposal_row_for(user, pk)
                opened = True
            except Http404:
                opened = False
            assert opened == (pk in sees(user)), (user.username, pk)


def test_invitees_see_the_draft_while_they_are_asked_and_lose_it_when_declined_or_lapsed(world):
    from tian.disclosure.policy import Tie, ties_of
    from tian.proposals.selectors import visibility_key

    def opens(proposal) -> bool:
        try:
            get_proposal_row_for(world.cosigner, proposal.pk)
        except Http404:
            return False
        return True

    case = build(world, "draft")
    # Invited on 14 February 2023 for a window long past: lapsed by the clock, though nothing has marked it.
    assert case.invitation.status == CoSignature.Status.INVITED
    assert case.proposal not in visible_proposals(world.cosigner) and not opens(case.proposal)
    key = visibility_key(world.cosigner)
    # Invited again now: the draft is readable while the window is open, as an invitee's, on every way in.
    [invitation] = services.cosign_invite(proposal=fresh(case.proposal), by=world.member,
                                          members=[world.cosigner.member])
    assert case.proposal in visible_proposals(world.cosigner) and opens(case.proposal)
    assert Tie.INVITEE in ties_of(world.cosigner, fresh(case.proposal))
    assert visibility_key(world.cosigner) != key  # what is kept per viewer is not the lapsed one's
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=False)
    assert case.proposal not in visible_proposals(world.cosigner) and not opens(case.proposal)


def collective_cosigned(world) -> Proposal:
    """A collective proposal of 民盟朝天区支部, co-signed by 徐丽娟, submitted on 2023-02-14."""
    p = services.proposal_create_draft(by=world.collective, committee=world.committee,
                                       collective=world.collective_org, title="关于发展普惠托育服务的建议",
                                       body=BODY, category=category(world), at=at(2, 14, 9))
    [invitation] = services.cosign_invite(proposal=p, by=world.collective, members=[world.cosigner.member],
                                          at=at(2, 14, 9, 5))
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True, at=at(2, 14, 9, 30))
    return services.proposal_submit(proposal=fresh(p), by=world.collective, at=at(2, 14, 10))


def test_collective_proposal_is_evaluated_by_the_organisation_and_its_cosigners(world):
    p = collective_cosigned(world)
    assert p.number is None and p.kind == "collective"
    p = _handle_to_replied(world, p)
    assert fresh(p).number_session == "七届三次全会第1号集体提案"

    mine = handling.evaluation_submit(proposal=p, by=world.cosigner, result="satisfied", at=at(10, 25))
    assert (mine.member, mine.on_paper, mine.is_lead) == (world.cosigner.member, False, False)
    refused("not_allowed", lambda: handling.evaluation_submit(proposal=fresh(p), by=world.stranger,
                                                              result="satisfied"))
    theirs = handling.evaluation_submit(proposal=fresh(p), by=world.staff, result="dissatisfied",
                                        at=at(10, 26))
    assert (theirs.collective, theirs.on_paper, theirs.is_lead) == (world.collective_org, True, True)
    assert fresh(p).state == "rehandling"


def test_an_action_reads_only_proposals_the_user_may_see(world, assigned):
    """``get_proposal_row_for`` decides from the row's own columns where it can (own, public, staff) and asks
    ``visible_proposals`` otherwise: for every user and every kind of proposal it lets through exactly what
    ``visible_proposals`` lets through."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from tian.proposals.selectors import get_proposal_row_for

    own_draft = draft(world)
    staff_draft = services.proposal_create_draft(by=world.staff, committee=world.committee,
                                                 lead_member=world.stranger.member, title=TITLE, body=BODY,
                                                 category=category(world))
    invited = submitted(world, world.stranger, title="关于增加儿童主任的建议")
    services.cosign_invite(proposal=invited, by=world.stranger, members=[world.cosigner.member])
    merged = submitted(world, world.cosigner, title="关于配齐儿童督导员的建议")
    services.proposal_merge(proposal=merged, into=fresh(assigned), by=world.staff)
    withdrawn = submitted(world, world.stranger, title="关于撤回的建议")
    services.proposal_withdraw(proposal=withdrawn, by=world.stranger)
    thrown_away = draft(world, world.stranger, title="关于放弃的建议")
    services.proposal_withdraw(proposal=thrown_away, by=world.stranger)
    collective = services.proposal_create_draft(by=world.collective, committee=world.committee,
                                                collective=world.collective_org, title=TITLE, body=BODY,
                                                category=category(world))
    public = fresh(assigned)
    Proposal.objects.filter(pk=public.pk).update(is_public=True)
    proposals = [own_draft, staff_draft, invited, merged, withdrawn, thrown_away, collective, assigned]
    users = [AnonymousUser(), world.member, world.cosigner, world.stranger, world.collective, world.staff,
             world.lead_handler, world.assisting_handler, world.other_handler, world.supervisor, world.official,
             world.admin]
    seen = 0
    for is_public in (False, True):
        Proposal.objects.filter(pk=assigned.pk).update(is_public=is_public)
        for user in users:
            if user.is_authenticated:
                user = type(user).objects.get(pk=user.pk)  # fresh roles
            allowed = set(visible_proposals(user).values_list("pk", flat=True))
            for p in proposals:
                try:
                    row = get_proposal_row_for(user, p.pk)
                except Http404:
                    row = None
                assert (row is not None) == (p.pk in allowed), (user, p.title, p.state, is_public)
                seen += row is not None
    assert 20 < seen < 2 * len(users) * len(proposals)  # both outcomes occur


def test_an_attachment_is_added_only_by_whoever_may_edit_and_only_while_editable(world, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tian.proposals.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于加强社区养老服务的建议",
                                           body="建议。", category=category)
    with pytest.raises(WorkflowError):
        services.attachment_add(proposal=draft, by=world.stranger, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
    attachment = services.attachment_add(proposal=draft, by=world.member,
                                         file=SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 report"))
    assert (attachment.name, attachment.size, attachment.uploaded_by) == ("调研报告.pdf", 15, world.member)
    submitted = services.proposal_submit(proposal=draft, by=world.member)
    with pytest.raises(WorkflowError):
        services.attachment_add(proposal=submitted, by=world.member, file=SimpleUploadedFile("b.pdf", b"%PDF-1.4"))
    assert list(Attachment.objects.values_list("name", flat=True)) == ["调研报告.pdf"]


def test_a_contact_or_reply_date_that_cannot_be_one_is_refused(world):
    case = build(world, STAGES[4])  # signed for
    for day in (datetime.date(1900, 1, 1), datetime.date(9999, 12, 31)):
        refused("invalid_input", lambda day=day: handling.contact_record(
            assignment=case.lead, by=world.lead_handler, method="phone", contacted_on=day, summary="电话沟通"))
        refused("invalid_input", lambda day=day: handling.reply_save(
            assignment=case.lead, by=world.lead_handler, body="答复", reply_date=day))
    assert not case.lead.contacts.exists() and not case.lead.replies.exists()
