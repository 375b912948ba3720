"""Deadlines tell the truth (issue #22 point 5): finished work never reads as running or overdue, the same deadline
reads the same on every page, and queues are sorted by urgency and say so."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.conftest import submitted_on
from tian.deadlines.status import COSIGN, OPINION, proposal_due, unit_due
from tian.handling import services as handling
from tian.handling.models import Assignment, Reply
from tian.proposals import services
from tian.proposals.models import TopicCategory
from tian.supervision import services as supervision

CAPTION = "按紧迫程度排序：已逾期的在前，其次是期限最近的"
TODAY = timezone.localdate()


def assign(world, title, *, days_ago=10, reply_days=None, assisting=True):
    """A proposal assigned ``days_ago`` days ago; the reply due ``reply_days`` from today if given."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body="建议。", category=category)
    p = services.proposal_submit(proposal=p, by=world.member)
    p = services.proposal_register(proposal=p, by=world.staff)
    assigned_on = TODAY - datetime.timedelta(days=days_ago)
    submitted_on(p, assigned_on)
    reply_deadline = TODAY + datetime.timedelta(days=reply_days) if reply_days is not None else None
    return handling.proposal_assign(
        proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
        assisting_units=[world.units["区教科局"]] if assisting else [], assigned_on=assigned_on,
        reply_deadline=reply_deadline, assisting_deadline=assigned_on + datetime.timedelta(days=5),
        supervising_offices=[world.offices["区政府办公室"]], is_key=True, lead_officials=[world.lead_official])


def sign_all(world, p):
    for a in p.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))


def submit_reply(world, p):
    lead = p.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8622541", reply_date=TODAY)
    return handling.reply_submit(reply=reply, by=world.lead_handler)


def test_an_assisting_unit_co_signing_works_to_the_replys_deadline_on_both_pages(world, client_for):
    p = assign(world, "关于完善社区养老服务的建议", reply_days=40)
    sign_all(world, p)
    assisting = p.assignments.get(role="assisting")
    assert unit_due(assisting).task == OPINION and unit_due(assisting).day == assisting.deadline
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意。")
    submit_reply(world, p)
    due = unit_due(Assignment.objects.get(pk=assisting.pk))
    lead_deadline = p.assignments.get(role="lead").deadline
    assert due.task == COSIGN and due.day == lead_deadline and not due.done
    client = client_for(world.assisting_handler)
    inbox = client.get(reverse("handling:inbox")).content.decode()
    work = client.get(reverse("handling:work", args=[p.pk])).content.decode()
    assert lead_deadline.isoformat() in inbox and lead_deadline.isoformat() in work
    assert assisting.deadline.isoformat() not in inbox  # its own opinion deadline is met: not what it works to


def test_finished_work_reads_done_and_never_overdue(world, client_for):
    p = assign(world, "关于完善社区养老服务的建议", days_ago=200, reply_days=-100)
    sign_all(world, p)
    handling.opinion_send(assignment=p.assignments.get(role="assisting"), by=world.assisting_handler, body="同意。")
    reply = submit_reply(world, p)
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    p.refresh_from_db()
    assert p.state == "replied"
    assert all(unit_due(a, p).done for a in p.assignments.all())
    assert proposal_due(p).done
    page = client_for(world.official).get(reverse("supervision:key_proposals")).content.decode()
    section = page[page.index(f'id="p{p.pk}"'):]
    section = section[:section.index("</section>")]
    assert "已逾期" not in section and "按期办理中" not in section and section.count("已完成") == 3  # proposal, 2 units
    # The proposal page's table of units reads the same: each unit's part is done.
    page = client_for(world.staff).get(p.get_absolute_url()).content.decode()
    table = page[page.index("<table class=\"list small\">"):]
    table = table[:table.index("</table>")]
    assert "已逾期" not in table and "按期办理中" not in table and table.count("已完成") == 2


def test_an_open_overdue_reply_still_reads_overdue(world):
    p = assign(world, "关于完善社区养老服务的建议", days_ago=150, reply_days=-10)
    due = proposal_due(p)
    assert not due.done and due.status(TODAY).level == "overdue"


def test_follow_up_rows_show_the_reports_due_date_not_the_old_reply_deadline(world, client_for):
    from tian.deadlines.models import FollowUp

    p = assign(world, "关于完善社区养老服务的建议", days_ago=400, reply_days=-300, assisting=False)
    sign_all(world, p)
    reply = submit_reply(world, p)
    reply = supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    due_on = TODAY + datetime.timedelta(days=12)
    FollowUp.objects.create(reply=Reply.objects.get(pk=reply.pk if hasattr(reply, "pk") else reply), due_on=due_on)
    page = client_for(world.lead_handler).get(reverse("handling:inbox") + "?group=follow_up").content.decode()
    assert due_on.isoformat() in page and "badge--danger" not in page
    assert (TODAY - datetime.timedelta(days=300)).isoformat() not in page


def test_the_supervisors_queue_puts_the_most_overdue_reply_first_and_says_so(world, client_for):
    later = assign(world, "关于建设口袋公园的建议", days_ago=30, reply_days=30, assisting=False)
    late = assign(world, "关于整治占道经营的建议", days_ago=100, reply_days=-12, assisting=False)
    soon = assign(world, "关于增设公交站台的建议", days_ago=60, reply_days=3, assisting=False)
    for p in (later, soon, late):  # submitted in this order: the old queue listed the overdue one third
        sign_all(world, p)
        submit_reply(world, p)
    page = client_for(world.supervisor).get(reverse("supervision:queue")).content.decode()
    assert CAPTION in page
    positions = [page.index(p.title) for p in (late, soon, later)]
    assert positions == sorted(positions)


def test_the_unit_inbox_says_how_it_is_sorted_and_puts_the_earliest_deadline_first(world, client_for):
    later = assign(world, "关于建设口袋公园的建议", reply_days=30)
    late = assign(world, "关于整治占道经营的建议", days_ago=100, reply_days=-5)
    page = client_for(world.lead_handler).get(reverse("handling:inbox")).content.decode()
    assert CAPTION in page and page.index(late.title) < page.index(later.title)


def test_the_disclosure_queue_is_ordered_by_its_deadline_and_reads_as_finished_handling(world, client_for):
    from tian.deadlines.selectors import disclosure_urgency
    from tian.proposals.models import Event, Proposal

    older = assign(world, "关于建设口袋公园的建议", days_ago=100, reply_days=-50, assisting=False)
    newer = assign(world, "关于整治占道经营的建议", days_ago=100, reply_days=-50, assisting=False)
    for p in (newer, older):
        sign_all(world, p)
        supervision.reply_approve(reply=Reply.objects.get(pk=submit_reply(world, p).pk), by=world.supervisor)
    Event.objects.filter(proposal=older, action="proposal.replied").update(
        at=timezone.now() - datetime.timedelta(days=90))
    ordered = list(Proposal.objects.filter(pk__in=[older.pk, newer.pk]).order_by(*disclosure_urgency()))
    assert ordered == [Proposal.objects.get(pk=older.pk), Proposal.objects.get(pk=newer.pk)]
    # The office's queue lists them in that order and says how it is sorted.
    Proposal.objects.filter(pk__in=[older.pk, newer.pk]).update(disclosure_consent=True)
    page = client_for(world.staff).get(reverse("proposals:review_queue")).content.decode()
    section = page[page.index('id="r6"'):]
    assert "按紧迫程度排序" in section
    assert section.index("关于建设口袋公园的建议") < section.index("关于整治占道经营的建议")
