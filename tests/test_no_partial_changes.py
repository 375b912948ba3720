"""A failure in the middle of a transition leaves nothing behind: the event write (the last step of every
service) is made to fail, and the proposal, its related rows and the event log must be as before."""

import datetime

import pytest

from tian.handling import services as handling
from tian.handling.models import Assignment, Reply
from tian.proposals import events, services
from tian.proposals.models import Event, Proposal, TopicCategory
from tian.supervision import services as supervision


class Boom(Exception):
    pass


def snapshot(proposal):
    proposal = Proposal.objects.get(pk=proposal.pk)
    return (proposal.state, proposal.number, proposal.assigned_on, Event.objects.count(),
            Assignment.objects.count(), Reply.objects.count(),
            list(Assignment.objects.values_list("status", flat=True)),
            list(Reply.objects.values_list("status", flat=True)),
            list(proposal.cosignatures.values_list("status", flat=True)))


def build(world, until):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于故障注入的建议", body="建议。", category=category)
    if until == "draft":
        return p
    services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
    p = services.proposal_submit(proposal=p, by=world.member)
    if until == "submitted":
        return p
    p = services.proposal_register(proposal=p, by=world.staff)
    if until == "registered":
        return p
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 supervising_offices=[world.offices["区政府办公室"]])
    if until == "assigned":
        return p
    handling.assignment_sign_for(assignment=p.assignments.get(), by=world.lead_handler)
    p.refresh_from_db()
    if until == "handling":
        return p
    reply = handling.reply_save(assignment=p.assignments.get(), by=world.lead_handler, body="答复", outcome="A",
                                contact_name="贺威", contact_phone="0839-1", reply_date=datetime.date.today())
    handling.reply_submit(reply=reply, by=world.lead_handler)
    p.refresh_from_db()
    return p


TRANSITIONS = {
    "submit": ("draft", lambda w, p: services.proposal_submit(proposal=p, by=w.member)),
    "register": ("submitted", lambda w, p: services.proposal_register(proposal=p, by=w.staff)),
    "return": ("submitted", lambda w, p: services.proposal_return(proposal=p, by=w.staff, note="改")),
    "decline": ("submitted", lambda w, p: services.proposal_decline(
        proposal=p, by=w.staff, ground=w.committee.decline_grounds.first(), forward="opinion")),
    "withdraw": ("submitted", lambda w, p: services.proposal_withdraw(proposal=p, by=w.member)),
    "assign": ("registered", lambda w, p: handling.proposal_assign(
        proposal=p, by=w.staff, lead_units=[w.units["区民政局"]], assisting_units=[w.units["区教科局"]])),
    "sign_for": ("assigned", lambda w, p: handling.assignment_sign_for(assignment=p.assignments.get(),
                                                                      by=w.lead_handler)),
    "reply_submit": ("handling", lambda w, p: handling.reply_submit(
        reply=handling.reply_save(assignment=p.assignments.get(), by=w.lead_handler, body="答复", outcome="A",
                                  contact_name="贺威", contact_phone="0839-1", reply_date=datetime.date.today()),
        by=w.lead_handler)),
    "supervision_approve": ("supervision", lambda w, p: supervision.reply_approve(reply=Reply.objects.get(),
                                                                                by=w.supervisor)),
}


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_a_failing_event_write_undoes_the_whole_transition(world, monkeypatch, name):
    stage, call = TRANSITIONS[name]
    proposal = build(world, stage)
    if name == "reply_submit":
        # the draft itself is saved first (its own step); only the submission must be all or nothing
        handling.reply_save(assignment=proposal.assignments.get(), by=world.lead_handler, body="答复", outcome="A",
                            contact_name="贺威", contact_phone="0839-1", reply_date=datetime.date.today())
    before = snapshot(proposal)
    original = events.Event.objects.create

    def failing_create(**kwargs):
        if kwargs.get("action", "").split(".")[0] in ("proposal", "reply", "assignment", "supervision", "cosign"):
            raise Boom("the database went away half-way")
        return original(**kwargs)

    monkeypatch.setattr(events.Event.objects, "create", failing_create)
    with pytest.raises(Boom):
        call(world, Proposal.objects.get(pk=proposal.pk))
    monkeypatch.undo()
    assert snapshot(proposal) == before
