"""Review of the twenty-first session's features: the office's change of a handling unit (调整承办单位,
``handling.services.assignment_adjust``), the hand-over of a unit's open work (机构改革), and follow-ups (回头看).

Each test but those whose docstring starts "Holds" failed on the code reviewed, for the reason its docstring gives
(since mended, in the twenty-second session). "Holds" tests pin behaviour that was right and untested.

The standing case (``test_lifecycle_services.build``): 刘安泽's proposal co-signed by 徐丽娟, lead unit 区民政局 with
assisting unit 区教科局, reviewed by 区政府办公室."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from tests.test_api_protocol import Api
from tests.test_followup_collective_review import A_YEAR_ON, _b_replied
from tests.test_lifecycle_services import REPLY_BODY, at, build, fresh, snapshot
from tian.deadlines import services as deadlines
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.handling.models import Assignment, Reply, ReplyCoSignature
from tian.notifications.models import Notification
from tian.proposals.models import State
from tian.stats import kpis
from tian.supervision import services as supervision

NEW = "区司法局"
REASON = "机构改革,区民政局相关职能划入区司法局"


def _revisions(html: str) -> str:
    return re.search(r'name="revisions" value="([^"]*)"', html).group(1)


# --- statistics -----------------------------------------------------------------------------------------------------

def test_a_proposal_whose_lead_unit_was_changed_in_rehandling_still_counts_as_replied(world):
    """The lead proposer was dissatisfied with 区民政局's first reply; during rehandling the office gave the lead part to
    区司法局 (allowed: ``adjustment_refusal`` looks at the current round only), which answered the second round. The
    proposal is 已答复 on every page, yet the year's statistics say 办复 0 of 1 (办复率 0%, 按时办复率 0%) while
    counting the first reply's A class — the proposal was replied twice. ``stats.kpis.gather`` counts a proposal
    replied when every *active* replying assignment has a released *round-1* reply: 区民政局's round-1 reply sits on
    the removed assignment and 区司法局's assignment has only a round-2 reply. (The unit table is wrong with it:
    区民政局 disappears although it replied, 区司法局 shows 0 replied.)"""
    case = build(world, "replied")
    handling.evaluation_submit(proposal=case.proposal, by=world.member, result="dissatisfied", at=at(10, 25))
    assert fresh(case.proposal).state == State.REHANDLING
    new = handling.assignment_adjust(assignment=Assignment.objects.get(pk=case.lead.pk), by=world.staff,
                                     new_unit=world.units[NEW], reason=REASON, at=at(10, 26))
    handler = world.handler_for(NEW)
    handling.assignment_sign_for(assignment=new, by=handler, at=at(10, 27))
    second = handling.reply_save(assignment=new, by=handler, body=REPLY_BODY, outcome="A", contact_name="李明",
                                 contact_phone="0839-8620000", reply_date=datetime.date(2023, 12, 1), at=at(12, 1))
    second = handling.reply_submit(reply=second, by=handler, at=at(12, 1))
    handling.reply_cosign(reply=second, by=world.assisting_handler, at=at(12, 2))
    supervision.reply_approve(reply=second, by=world.supervisor, at=at(12, 5))
    assert fresh(case.proposal).state == State.REPLIED

    scope = kpis.Scope(committee=world.committee, year=case.proposal.year)
    figures = kpis.summary(kpis.gather(scope))
    assert figures["assigned"] == 1 and figures["rehandled"] == 1
    assert figures["replied"] == 1, figures
    assert figures["replied_rate"] == 100.0


# --- the proposal's state -------------------------------------------------------------------------------------------

def test_changing_the_lead_unit_does_not_leave_a_proposal_a_unit_is_signed_for_as_assigned(world):
    """Both units signed for; 区教科局 then asked to leave (its request pending, it keeps working: contact and opinion
    are open to it). The office gives 区民政局's lead part to 区司法局, then refuses 区教科局's request, so 区教科局 is
    signed for again. The proposal still reads 已交办 (assigned: waiting for its units to sign for), not 办理中, with a
    unit signed for and working on it, until the new lead unit happens to sign for. ``handling.services._reroute``
    decides "no unit is signed for any more" by ``status == signed``, overlooking a unit whose request is pending
    (its ``signed_at`` is set; the refusal puts it back to signed, ``lifecycle.status_after_refusal``), and nothing
    moves the proposal back when the refusal does."""
    case = build(world, "handling", request="pending")
    assert Assignment.objects.get(pk=case.assisting.pk).signed_at is not None
    handling.assignment_adjust(assignment=case.lead, by=world.staff, new_unit=world.units[NEW], reason=REASON,
                               at=at(3, 22))
    handling.reassignment_refuse(request=case.request, by=world.staff, note="属于协办职责", at=at(3, 23))
    assert Assignment.objects.get(pk=case.assisting.pk).status == Assignment.Status.SIGNED
    assert fresh(case.proposal).state == State.HANDLING


# --- co-signing -----------------------------------------------------------------------------------------------------

def test_giving_a_part_to_a_unit_that_already_cosigned_the_reply_is_not_a_server_error(world, client_for):
    """Assisting units 区教科局 and 区妇联; the lead's reply waits for co-signing and 区教科局 has signed. The office takes
    区教科局 off (its part to 区司法局), then notices the wrong choice and gives 区妇联's part to 区教科局 on the
    adjustment page (区教科局 no longer handles the proposal, so it is offered). The clerk gets a 500 server error page.
    ``_reroute`` moves 区妇联's unsigned co-signature to 区教科局, which already holds a (signed) co-signature of the
    same reply: the unique constraint ``reply_cosign_unique_unit`` fails. It must be refused with a clear message, or
    the move made (区教科局's signature standing), never a crash; the same crash ends a hand-over (``unit_hand_over``)
    half-way, its result lost."""
    case = build(world, "registered")
    handling.proposal_assign(proposal=case.proposal, by=world.staff, lead_units=[world.units["区民政局"]],
                             assisting_units=[world.units["区教科局"], world.units["区妇联"]],
                             assigned_on=datetime.date(2023, 3, 16), at=at(3, 16))
    p = fresh(case.proposal)
    for a in p.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name), at=at(3, 17))
    reply = handling.reply_save(assignment=p.assignments.get(role="lead"), by=world.lead_handler, body=REPLY_BODY,
                                outcome="A", contact_name="贺威", contact_phone="0839-8620000",
                                reply_date=datetime.date(2023, 10, 11), at=at(10, 11))
    reply = handling.reply_submit(reply=reply, by=world.lead_handler, at=at(10, 11, 11))
    handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(10, 12))  # 区教科局 signs
    handling.assignment_adjust(assignment=p.assignments.get(unit__name="区教科局"), by=world.staff,
                               new_unit=world.units[NEW], reason=REASON, at=at(10, 13))
    client = client_for(world.staff)
    client.raise_request_exception = False
    url = reverse("proposals:adjust", args=[p.pk])
    html = client.get(url).content.decode()
    assert f'<option value="{world.units["区教科局"].pk}"' in html  # offered as the new unit
    response = client.post(url, {"assignment": p.assignments.get(unit__name="区妇联").pk,
                                 "new_unit": world.units["区教科局"].pk, "reason": "调整有误,改回区教科局",
                                 "revisions": _revisions(html)})
    assert response.status_code in (302, 422), response.status_code
    # (Mended by refusing: the message says why, in Chinese, and nothing moved.)
    assert response.status_code == 422 and "区教科局已会签过正在会签中的答复" in response.content.decode()
    assert p.assignments.get(unit__name="区妇联").is_active
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.COSIGNING
    assert ReplyCoSignature.objects.filter(reply=reply, unit=world.units["区教科局"]).count() == 1


# --- follow-ups -----------------------------------------------------------------------------------------------------

def test_an_overdue_follow_up_of_a_proposal_being_handled_again_is_not_chased(world, assigned):
    """区民政局 released a B-class reply; a year later, the proposal not yet closed, the follow-up (回头看) is asked of
    it. Then the lead proposer rates the reply 不满意 (a late rating of a proposal not closed is taken) and the
    proposal goes back to the units. When the report's day has passed, 区民政局 and the office are told
    "回头看报告已逾期 … 应于…前提交" — but the unit cannot send it: the report is a step of an answered proposal
    (``report_follow_up``: ANSWERED), as decisions.md says follow-ups wait for an answered proposal.
    ``deadlines.services.chase_overdue_follow_ups`` chases every unreported follow-up past its day, whatever the
    proposal's state (and marks it chased, so it is never chased once the proposal is answered again)."""
    p, reply = _b_replied(world, assigned)
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    follow_up = FollowUp.objects.get(reply=reply)
    late = timezone.make_aware(datetime.datetime.combine(A_YEAR_ON + datetime.timedelta(days=1), datetime.time(10)))
    handling.evaluation_submit(proposal=fresh(p), by=world.member, result="dissatisfied", at=late)
    assert fresh(p).state == State.REHANDLING
    before = Notification.objects.filter(kind="reminder").count()
    assert deadlines.chase_overdue_follow_ups(follow_up.due_on + datetime.timedelta(days=10)) == 0
    assert Notification.objects.filter(kind="reminder").count() == before


def test_an_overdue_follow_up_of_a_reply_answered_anew_is_not_chased(world, assigned):
    """(Written with the mend.) As above, and the proposal is then answered anew (a second-round A reply): the first
    reply's follow-up is superseded (a follow-up is not created for such a reply either) and is not chased."""
    from tests.test_followup_collective_review import _release

    p, reply = _b_replied(world, assigned)
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    follow_up = FollowUp.objects.get(reply=reply)
    late = timezone.make_aware(datetime.datetime.combine(A_YEAR_ON + datetime.timedelta(days=1), datetime.time(10)))
    handling.evaluation_submit(proposal=fresh(p), by=world.member, result="dissatisfied", at=late)
    _release(world, fresh(p).assignments.get(role="lead"), "已全部解决。", "A")
    assert fresh(p).state == State.REPLIED
    assert deadlines.chase_overdue_follow_ups(follow_up.due_on + datetime.timedelta(days=10)) == 0


# --- who reads the reason (holds) -----------------------------------------------------------------------------------

def test_holds_the_reason_for_a_change_reaches_insiders_and_not_the_proposers_through_the_api(world):
    """Holds: after the office changes the lead unit, the API's history gives the reason to the office, the unit that
    took over and the supervising office, and not to the proposer or co-signer (who read which unit took over); the
    unit taken off no longer opens the proposal; nothing changed when the API refuses an unknown assignment."""
    case = build(world, "handling")
    Api(world.staff).post(f"/assignments/{case.lead.pk}/adjust", {"unit_id": world.units[NEW].pk, "reason": REASON})
    path = f"/proposals/{case.proposal.pk}"

    def adjusted(user):
        body = Api(user).get(path).json()
        [row] = [h for h in body["timeline"] if h["action"] == "assignment.adjusted"]
        return row

    for insider in (world.staff, world.handler_for(NEW), world.supervisor):
        assert adjusted(insider)["note"] == REASON, insider
    for proposer in (world.member, world.cosigner):
        row = adjusted(proposer)
        assert not row["note"] and any(NEW in d for d in row["details"])
        assert REASON not in Api(proposer).get(path).content.decode()
    assert Api(world.lead_handler).get(path).status_code == 404
    before = snapshot()
    assert Api(world.staff).post("/assignments/999999/adjust", {"unit_id": world.units["区妇联"].pk,
                                                                "reason": REASON}).status_code == 404
    assert snapshot() == before
