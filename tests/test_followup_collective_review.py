"""Review: the follow-up a year later (回头看) and the collective proposer (集体提案), walked as their users walk them.

Tests whose docstring says "holds" pin behaviour that worked; each other test failed on the code reviewed, for the
reason its docstring gives (since mended). A merged collective is told of the reply and rates it as a merged member
does (``tests/test_merged_collective_rating.py``)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.test_api_integrator_review import Api
from tian.deadlines import services as deadlines
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.notifications.models import Notification
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.supervision import services as supervision

TODAY = datetime.date.today()
A_YEAR_ON = TODAY + datetime.timedelta(days=400)


def _signed_for(world, proposal):
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    return Proposal.objects.get(pk=proposal.pk)


def _release(world, assignment, body, outcome, handler=None):
    handler = handler or world.handler_for(assignment.unit.name)
    reply = handling.reply_save(assignment=assignment, by=handler, body=body, outcome=outcome,
                                contact_name="贺威", contact_phone="0839-8620000", reply_date=TODAY)
    reply = handling.reply_submit(reply=reply, by=handler)
    reply = Reply.objects.get(pk=reply.pk)
    if reply.status == Reply.Status.COSIGNING:
        reply = handling.reply_cosign(reply=reply, by=world.assisting_handler).reply
        reply = Reply.objects.get(pk=reply.pk)
    if reply.status == Reply.Status.SUPERVISION:
        reply = supervision.reply_approve(reply=reply, by=world.supervisor)
    return Reply.objects.get(pk=reply.pk)


def _b_replied(world, assigned):
    """The lead unit's B-class reply, released today."""
    p = _signed_for(world, assigned)
    lead = p.assignments.get(role="lead")
    reply = _release(world, lead, "正在推进,列入明年计划。", "B")
    assert Proposal.objects.get(pk=p.pk).state == "replied"
    return Proposal.objects.get(pk=p.pk), reply


def _closed_with_follow_up(world, assigned):
    p, reply = _b_replied(world, assigned)
    handling.evaluation_submit(proposal=p, by=world.member, result="satisfied")
    p = Proposal.objects.get(pk=p.pk)
    if p.state == "replied":
        p = services.proposal_close(proposal=p, by=world.staff)
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    return Proposal.objects.get(pk=p.pk), FollowUp.objects.get(reply=reply)


def _category(world):
    return TopicCategory.objects.get(committee=world.committee, name="社会建设")


def _at(day: datetime.date, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# A. The follow-up (回头看) ----------------------------------------------------------------------------------------

def test_holds_a_b_class_reply_is_followed_up_a_year_later_reported_and_read(world, assigned, client_for):
    """Holds: 区民政局 releases a B-class reply; a year later the scan asks it for a follow-up, it is told (bell), the
    proposal is in its inbox's "follow-up reports due", it reports on its work page; the office reads the report on the
    proposal page and the proposer reads it with a handler's personal mobile masked."""
    p, follow_up = _closed_with_follow_up(world, assigned)
    assert p.state == "closed"
    assert Notification.objects.filter(user=world.lead_handler, kind="follow_up").exists()
    unit = client_for(world.lead_handler)
    assert p.title in unit.get(reverse("handling:inbox") + "?group=follow_up").content.decode()
    work = unit.get(reverse("handling:work", args=[p.pk]))
    assert work.status_code == 200 and "提交报告" in work.content.decode()
    unit.post(reverse("handling:follow_up", args=[follow_up.pk]),
              {f"f{follow_up.pk}-report": "已建成12个工作站,详询13911112222"}, follow=True)
    assert FollowUp.objects.get(pk=follow_up.pk).report.startswith("已建成12个工作站")
    assert "已建成12个工作站,详询13911112222" in client_for(world.staff).get(p.get_absolute_url()).content.decode()
    member_page = client_for(world.member).get(p.get_absolute_url()).content.decode()
    assert "已建成12个工作站" in member_page and "13911112222" not in member_page


def test_a_follow_up_listed_while_the_proposal_is_rehandled_can_be_reported(world, assigned, client_for):
    """The proposer was dissatisfied with the B-class reply, so the proposal is rehandled; the unit's second reply is
    not out a year later. The scan still creates the follow-up of the first (B) reply and tells the unit, whose inbox
    lists it under "follow-up reports due" — but sending the report is refused ("提案处于'重新办理'状态"): the task
    can be neither done nor got rid of. ``deadlines.services.create_due_follow_ups`` asks only whether a *released*
    later reply supersedes the B one, while the workflow's ``report_follow_up`` allows only ANSWERED states."""
    p, reply = _b_replied(world, assigned)
    handling.evaluation_submit(proposal=p, by=world.member, result="dissatisfied")
    assert Proposal.objects.get(pk=p.pk).state == "rehandling"
    created = deadlines.create_due_follow_ups(A_YEAR_ON)
    if created:  # asked of the unit: then it must be something the unit can answer
        follow_up = FollowUp.objects.get(reply=reply)
        assert p.title in client_for(world.lead_handler).get(
            reverse("handling:inbox") + "?group=follow_up").content.decode()
        deadlines.follow_up_report(follow_up=follow_up, by=world.lead_handler, report="已列入年度计划并完成一半。")
        assert FollowUp.objects.get(pk=follow_up.pk).reported_at is not None


def test_no_follow_up_for_a_b_reply_superseded_by_another_units_a_reply_after_an_adjustment(world, assigned,
                                                                                            client_for):
    """区民政局 replied B; the proposer was dissatisfied; during rehandling the office moved the lead part to 区司法局
    (``assignment_adjust``, 机构改革), which answered A. A year later the scan still creates a follow-up of 区民政局's
    superseded B reply and notifies 区民政局 — a unit taken off the proposal: it cannot open the proposal, its inbox
    does not list the task and its report is refused, so the office's page shows "尚未报告" forever. The
    "superseded" test in ``deadlines.services.create_due_follow_ups`` compares replies of the same assignment only,
    not the proposal's later released reply of the same part."""
    p, reply = _b_replied(world, assigned)
    handling.evaluation_submit(proposal=p, by=world.member, result="dissatisfied")
    p = Proposal.objects.get(pk=p.pk)
    handling.assignment_adjust(assignment=p.assignments.get(role="lead"), by=world.staff,
                               new_unit=world.units["区司法局"], reason="机构改革,职能划转")
    new = Proposal.objects.get(pk=p.pk).assignments.get(role="lead", unit=world.units["区司法局"])
    handling.assignment_sign_for(assignment=new, by=world.handler_for("区司法局"))
    second = _release(world, new, "已全部解决。", "A")
    assert second.round == 2 and Proposal.objects.get(pk=p.pk).state == "replied"
    deadlines.create_due_follow_ups(A_YEAR_ON)
    assert not FollowUp.objects.filter(reply=reply).exists(), "a follow-up was asked of the unit taken off"


def test_an_overdue_follow_up_is_chased(world, assigned):
    """The unit was asked for its follow-up report and let the due date pass. Ten days later the reminder scan
    (``manage.py send_reminders``) sends nothing: no reminder, no escalation, nobody told — overdue work is
    chased everywhere else (domain: 催办). ``deadlines.services.scan`` walks only assignments of proposals IN_HANDLING
    and ``unit_due`` knows nothing of follow-ups, so a closed proposal's open follow-up is never chased."""
    p, follow_up = _closed_with_follow_up(world, assigned)
    before = Notification.objects.filter(user=world.lead_handler).count()
    deadlines.scan(now=_at(follow_up.due_on + datetime.timedelta(days=10)))
    assert FollowUp.objects.get(pk=follow_up.pk).reported_at is None
    assert Notification.objects.filter(user=world.lead_handler).count() > before, "no reminder of the overdue report"


def test_the_api_proposal_shows_the_follow_up_the_page_shows(world, assigned, client_for):
    """The office (and the unit) read a proposal through the API: the proposal page shows the "回头看" section with
    the unit's report, the API's ``GET /proposals/{id}`` has no follow-up at all (no field, not even the report in
    its timeline). An integrator building the office's follow-up board cannot read what the unit reported or when it
    is due. ``api/outputs.py`` / ``ProposalDetailOut`` (api/schemas.py) carry no follow-ups."""
    p, follow_up = _closed_with_follow_up(world, assigned)
    deadlines.follow_up_report(follow_up=follow_up, by=world.lead_handler, report="已建成12个工作站")
    assert "已建成12个工作站" in client_for(world.staff).get(p.get_absolute_url()).content.decode()
    r = Api(world.staff).get(f"/proposals/{p.pk}")
    assert r.status_code == 200
    [said] = r.json()["follow_ups"]
    assert said["report"] == "已建成12个工作站" and said["unit"] == "区民政局" and said["reported_at"]


def test_holds_a_rehandled_proposal_whose_second_reply_is_a_gets_no_follow_up(world, assigned):
    """Holds: the same unit answers again after rehandling, this time A; the B reply is superseded and nobody is asked
    for a follow-up a year later."""
    p, reply = _b_replied(world, assigned)
    handling.evaluation_submit(proposal=p, by=world.member, result="dissatisfied")
    lead = Proposal.objects.get(pk=p.pk).assignments.get(role="lead")
    _release(world, lead, "已全部解决。", "A")
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 0


# B. The collective proposer (集体提案) ----------------------------------------------------------------------------

def _collective_submitted(world, title="关于养老服务体系建设的建议"):
    p = services.proposal_create_draft(by=world.collective, committee=world.committee, collective=world.collective_org,
                                       title=title, body="建议。", category=_category(world))
    return services.proposal_submit(proposal=p, by=world.collective)


def _merged_into_members(world):
    """The collective's proposal merged (并案) into 刘安泽's, which is then assigned."""
    mine = _collective_submitted(world)
    target = services.proposal_create_draft(by=world.member, committee=world.committee,
                                            lead_member=world.member.member, title="关于发展养老服务的建议",
                                            body="建议。", category=_category(world))
    target = services.proposal_register(proposal=services.proposal_submit(proposal=target, by=world.member),
                                        by=world.staff)
    services.proposal_merge(proposal=mine, into=target, by=world.staff, note="同一事项")
    return Proposal.objects.get(pk=mine.pk), Proposal.objects.get(pk=target.pk)


def test_holds_a_collective_drafts_invites_a_member_and_both_evaluate(world, client_for,
                                                                     django_capture_on_commit_callbacks):
    """Holds: 民盟朝天区支部 drafts on the page as the organisation and invites 徐丽娟; she accepts; once answered both
    the organisation and 徐丽娟 are told and find the reply to evaluate on their home; the organisation's
    dissatisfied rating (it is the lead proposer) sends the proposal to rehandling."""
    c = client_for(world.collective)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("proposals:new"), {"title": "关于加强基层民主监督的建议", "category": _category(world).pk,
                                          "body": "建议加强基层民主监督。", "disclosure_consent": "on",
                                          "contact_name": "王敏", "contact_phone": "13800000000",
                                          "members": [world.cosigner.member_id], "invite": "1"}, follow=True)
    p = Proposal.objects.get()
    assert p.kind == "collective" and p.collective_id == world.collective_org.pk and p.lead_member_id is None
    with django_capture_on_commit_callbacks(execute=True):
        services.cosign_respond(cosignature=p.cosignatures.get(), by=world.cosigner, accept=True)
        p = services.proposal_register(proposal=services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk),
                                                                         by=world.collective), by=world.staff)
        p = _signed_for(world, handling.proposal_assign(proposal=p, by=world.staff,
                                                        lead_units=[world.units["区民政局"]]))
        _release(world, p.assignments.get(role="lead"), "答复如下。", "B")
    for user in (world.collective, world.cosigner):
        assert Notification.objects.filter(user=user, message__contains="请对办理结果进行评价").exists()
        assert p.title in client_for(user).get(reverse("dashboard:home"), follow=True).content.decode()
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.collective, result="dissatisfied")
    assert Proposal.objects.get(pk=p.pk).state == "rehandling"


def test_a_collective_whose_proposal_was_merged_can_open_the_proposal_it_was_merged_into(world, client_for):
    """The office merges 民盟朝天区支部's proposal into 刘安泽's on the same matter (并案: "every proposer keeps
    credit"). A member whose proposal is merged can open the surviving proposal; the organisation gets 404 there
    — it can no longer follow its own matter. ``proposals.selectors._scope`` follows merges for members only
    (``_merged_into_ids(member_id)``); collectives get ``collective_id`` alone."""
    mine, target = _merged_into_members(world)
    assert mine.state == "merged"
    assert client_for(world.collective).get(target.get_absolute_url()).status_code == 200


def test_a_collective_whose_proposal_was_merged_is_told_of_the_reply(world, client_for,
                                                                                  django_capture_on_commit_callbacks):
    """After the merge the surviving proposal is answered: its members are told "请对办理结果进行评价" and find it on
    their home, but the merged collective is neither told nor asked — its credit on the merged proposal is lost.
    ``notifications.rules.proposer_users`` / ``selectors.proposer_members`` and ``handling.services
    .awaiting_evaluation_by`` follow merges for members only."""
    mine, target = _merged_into_members(world)
    with django_capture_on_commit_callbacks(execute=True):
        target = _signed_for(world, handling.proposal_assign(proposal=target, by=world.staff,
                                                             lead_units=[world.units["区民政局"]]))
        _release(world, target.assignments.get(role="lead"), "答复如下。", "A")
    assert Notification.objects.filter(user=world.member, message__contains="已答复").exists()
    assert Notification.objects.filter(user=world.collective, message__contains="已答复").exists(), \
        "the merged collective was not told of the reply"


def test_holds_the_api_drafts_as_the_organisation(world):
    """Holds: the organisation's account drafts through the API and the draft is a collective proposal in its name,
    which it then submits."""
    api = Api(world.collective)
    r = api.post("/proposals", {"title": "关于加强民主监督的建议", "body": "建议。", "category": _category(world).pk})
    assert r.status_code == 201 and r.json()["kind"] == "collective" and r.json()["proposer"] == "民盟朝天区支部"
    assert api.post(f"/proposals/{r.json()['id']}/submit").json()["state"] == "submitted"
