"""A supervising office's (督办单位, 区政府办公室) and a lead official's (牵头领导, 杨金军) day through the pages: the
escalation of an overdue unit, the supervision review of a reply, the key proposals they follow and the
supervision activities they record. Each test showed a defect found on the way, since mended (domain.md quoted beside it)."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from tests.test_supervision_pages import assigned_proposal, text
from tian.accounts import services as accounts
from tian.accounts.roles import Role
from tian.deadlines import services as deadlines
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.notifications.models import Notification
from tian.proposals.models import Event
from tian.supervision.models import SupervisionActivity

TODAY = datetime.date.today()


def _activity(proposal, **fields) -> dict:
    data = {"kind": "inspection", "held_on": TODAY.isoformat(), "participants": "杨金军、区政府办公室",
            "notes": "实地视察未成年人保护工作站"}
    data.update(fields)
    return {f"p{proposal.pk}-{name}": value for name, value in data.items()}


# --- 催办 and escalation --------------------------------------------------------------------------------------


def test_an_overdue_unit_escalated_to_the_supervising_office_can_be_chased_from_the_page_it_is_sent_to(
        world, client_for, django_capture_on_commit_callbacks):
    """domain.md: the supervising office "chase[s] late units"; overdue work is "chased (催办): reminders before the
    deadline, then escalation to the supervising office". The escalation's notification leads the office to the
    proposal page, and ``deadlines.remind_manually`` accepts the office's 催办 (``workflow.chases_units``), but the
    page shows the units' table, with its deadlines and 催办 buttons, to staff and assigned units only."""
    proposal = assigned_proposal(world)  # not key: it is on no list of the office's
    lead = proposal.assignments.get(role="lead")
    late = timezone.make_aware(datetime.datetime.combine(lead.deadline + datetime.timedelta(days=20),
                                                         datetime.time(9)))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.scan(now=late)
    escalated = Notification.objects.get(user=world.supervisor, message__contains="区民政局承办")
    assert escalated.url == proposal.get_absolute_url()

    page = client_for(world.supervisor).get(escalated.url).content.decode()
    assert "区民政局" in page and re.search(r"<button[^>]*>\s*催办\s*</button>", page)  # a 催办 button for the unit


# --- who follows what -------------------------------------------------------------------------------------------


def test_a_former_lead_official_no_longer_follows_nor_records_on_the_proposals_he_led(world, client_for):
    """杨金军 stops being a lead official and now works for 区委目标绩效办 (his account keeps its binding, as roles are
    rows and bindings columns). He may no longer open the key proposal he led (the proposal page answers 404), yet
    ``supervision.selectors.followed_proposals`` reads ``lead_official_id`` without the role: his key proposals page
    lists it with its units' progress, and ``workflow.is_lead_official`` lets him record activities on it."""
    proposal = assigned_proposal(world, "关于完善社区养老服务的建议", key=True)  # 杨金军 leads, 区政府办公室 supervises
    former = world.official
    former.office = world.offices["区委目标绩效办"]
    former.save(update_fields=["office"])
    accounts.user_roles_set(user=former, roles=[Role.SUPERVISOR], by=world.admin)
    client = client_for(former)
    assert client.get(proposal.get_absolute_url()).status_code == 404

    assert proposal.title not in text(client.get(reverse("supervision:key_proposals")))
    client.post(reverse("supervision:record_activity", args=[proposal.pk]), _activity(proposal))
    assert not SupervisionActivity.objects.exists()
    assert "supervision.activity" not in set(Event.objects.filter(proposal=proposal).values_list("action", flat=True))


# --- supervision activities ------------------------------------------------------------------------------------


def test_a_supervision_activity_cannot_be_dated_before_the_proposal_existed(world, client_for):
    """A supervision activity is held on a key proposal being handled: a date years before the proposal was even
    submitted is a typo (the refusal of 1990 says so: "不是本提案办理中可能的日期"), as it is for a unit's contact and
    reply date (decisions.md, nineteenth session). ``deadlines.services.supervision_activity_record`` checks only
    ``plausible_day`` (2000 to a year ahead), so the typo is recorded and shown as supervision done."""
    proposal = assigned_proposal(world, "关于完善社区养老服务的建议", key=True)
    typo = proposal.assigned_on.replace(year=proposal.assigned_on.year - 3)
    client = client_for(world.official)
    response = client.post(reverse("supervision:record_activity", args=[proposal.pk]),
                           _activity(proposal, held_on=typo.isoformat(), notes="座谈会记录（日期误填）"))
    assert not SupervisionActivity.objects.exists()
    assert "supervision.activity" not in set(Event.objects.filter(proposal=proposal).values_list("action", flat=True))
    # The form comes back with what was typed (and the reason beside it), as for a date in the future.
    assert response.status_code in (200, 422) and "座谈会记录（日期误填）" in text(response)


# --- what they may read -----------------------------------------------------------------------------------------


def test_the_supervising_office_reads_the_assisting_opinion_of_the_reply_it_reviews(world, client_for):
    """domain.md, "Who sees what": "contact records, assisting opinions" — supervisor, lead official: "theirs" (the
    policy's ``Disclosure.contacts`` says so too). The assisting unit's opinion is what the lead unit's reply should
    have taken in, yet no page the office reviews on shows it (the review page, the proposal page, the key
    proposals' progress view): only the units' work page does."""
    proposal = assigned_proposal(world, key=True)
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    handling.opinion_send(assignment=proposal.assignments.get(role="assisting"), by=world.assisting_handler,
                          body="校园周边的关爱服务由区教科局牵头落实，建议纳入答复。")
    reply = handling.reply_save(assignment=proposal.assignments.get(role="lead"), by=world.lead_handler,
                                body="首先感谢您的关心。", outcome="A", contact_name="贺威",
                                contact_phone="0839-8620000", reply_date=TODAY)
    handling.reply_submit(reply=reply, by=world.lead_handler)
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION

    client = client_for(world.supervisor)
    pages = [text(client.get(url)) for url in (reverse("supervision:review", args=[reply.pk]),
                                               proposal.get_absolute_url(), reverse("supervision:key_proposals"))]
    assert any("由区教科局牵头落实" in page for page in pages)

