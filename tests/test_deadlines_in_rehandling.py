"""Deadlines in rehandling against domain.md: the inbox, extensions and the statistics' unit table say what the
unit's work page says. Each test failed on the code before its mend."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_deadlines import assigned, at
from tian.deadlines import services as deadlines
from tian.deadlines.models import ExtensionRequest
from tian.deadlines.status import unit_due
from tian.handling import services as handling
from tian.handling.models import Assignment, Reply
from tian.pages.handling.inbox import BY_KEY, all_items, first_items
from tian.proposals.models import Proposal
from tian.proposals.workflow import WorkflowError
from tian.stats import kpis
from tian.supervision import services as supervision

TODAY = timezone.localdate()


def first_reply_released(world, p):
    for a in p.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name), at=at(2023, 3, 17))
    handling.opinion_send(assignment=p.assignments.get(role="assisting"), by=world.assisting_handler, body="同意",
                          at=at(2023, 4, 1))
    reply = handling.reply_save(assignment=p.assignments.get(role="lead"), by=world.lead_handler, body="答复",
                                outcome="B", contact_name="贺威", contact_phone="0839-8620000",
                                reply_date=datetime.date(2023, 6, 1), at=at(2023, 6, 1))
    reply = handling.reply_submit(reply=reply, by=world.lead_handler, at=at(2023, 6, 1))
    reply = handling.reply_cosign(reply=reply, by=world.assisting_handler, at=at(2023, 6, 2)).reply
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor, at=at(2023, 6, 5))
    return Proposal.objects.get(pk=p.pk)


def in_rehandling_today(world):
    """Replied in 2023; the lead proposer is dissatisfied today, so rehandling runs from today (3 months)."""
    p = first_reply_released(world, assigned(world))
    handling.evaluation_submit(proposal=p, by=world.member, result="dissatisfied")
    p = Proposal.objects.get(pk=p.pk)
    assert p.state == "rehandling" and p.rehandling_deadline > TODAY
    return p


def test_unit_inbox_returned_group_shows_the_rehandling_deadline_not_the_old_one(world, client_for):
    """domain.md "The lifecycle"/"Deadlines": after dissatisfaction the proposal goes to rehandling "with a new
    deadline (e.g. 3 months)"; the unit's work page shows it (status.unit_due). A second reply returned by the
    supervising office sits in the inbox's "returned" group, which orders and badges it by the assignment's first
    reply deadline (2023-06-16): the inbox says "overdue" for work that is due months from now."""

    p = in_rehandling_today(world)
    lead = p.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="再次答复", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000")
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    reply = handling.reply_cosign(reply=reply, by=world.assisting_handler).reply
    supervision.reply_return(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor, comments="请补充")
    work_due = unit_due(Assignment.objects.get(pk=lead.pk))
    assert work_due.day == p.rehandling_deadline and not work_due.done
    _counts, items = first_items(world.units["区民政局"].pk)
    [task] = items["returned"]
    assert task.due == p.rehandling_deadline  # shows 2023-06-16
    api_rows = all_items(world.units["区民政局"].pk)["returned"]
    assert getattr(api_rows[0], f"due_{BY_KEY['returned'].due}") == p.rehandling_deadline  # what the API's task says
    page = client_for(world.lead_handler).get(reverse("handling:inbox")).content.decode()
    returned = page[page.index('<section id="returned"'):]
    returned = returned[:returned.index("</section>")]
    assert "2023-06-16" not in returned and "已逾期" not in returned


def test_no_extension_is_offered_or_taken_in_rehandling(world, client_for):
    """domain.md "Deadlines": a reply within 3 months, at most 6 with an approved extension; rehandling within 3
    months. An extension moves a unit's own reply deadline, capped from its assignment; in rehandling every unit
    works to the deadline the office set when it sent the proposal back (``unit_due`` reads it). The page offered an
    extension in rehandling, measured against the first deadline and capped at six months from the first assignment,
    and an approved one moved a deadline rehandling ignores: it is neither offered nor taken now."""
    p = in_rehandling_today(world)
    lead = p.assignments.get(role="lead")
    assert not deadlines.may_request_extension(world.lead_handler, p, lead)
    with pytest.raises(WorkflowError) as refused:
        deadlines.extension_request(assignment=lead, by=world.lead_handler, reason="需协调资金",
                                    requested_deadline=p.rehandling_deadline + datetime.timedelta(days=30))
    assert refused.value.code == "invalid_state"
    assert not ExtensionRequest.objects.filter(assignment=lead).exists()


def test_unit_statistics_count_a_unit_late_in_rehandling_as_overdue(world):
    """domain.md "Deadlines"/"What gets measured": rehandling has its own deadline (3 months) and overdue work is
    chased. The summary's "overdue now" counts a proposal whose rehandling deadline passed, and the unit's pages show
    the unit overdue (unit_due), but the per-unit table (kpis._unit_marks) says the unit is not overdue because its
    *first* reply was released."""

    p = in_rehandling_today(world)
    Proposal.objects.filter(pk=p.pk).update(rehandling_deadline=TODAY - datetime.timedelta(days=10))
    lead = Assignment.objects.get(proposal=p, role="lead")
    assert unit_due(lead).status(TODAY).level == "overdue"
    scope = kpis.Scope(committee=world.committee)
    facts = kpis.gather(scope)
    assert kpis.summary(facts)["overdue"] == 1
    [row] = [r for r in kpis.by_unit(scope, facts) if r["unit"] == "区民政局"]
    assert row["overdue"] == 1
