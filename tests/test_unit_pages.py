"""Unit handlers', supervisors' and lead officials' pages, driven through the test client."""

import datetime
import re

import pytest
from django.urls import reverse

from tian.handling import services as handling
from tian.handling.models import Assignment, Reply
from tian.proposals.models import Event, State


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_inbox_lists_what_to_sign_for_only_for_the_assigned_units(world, client_for, assigned):
    assert assigned.title in client_for(world.lead_handler).get(reverse("handling:inbox")).content.decode()
    assert assigned.title not in client_for(world.other_handler).get(reverse("handling:inbox")).content.decode()
    assert client_for(world.member).get(reverse("handling:inbox")).status_code == 403


def test_work_page_is_for_the_assigned_units_only(world, client_for, assigned):
    url = reverse("handling:work", args=[assigned.pk])
    assert client_for(world.lead_handler).get(url).status_code == 200
    assert client_for(world.other_handler).get(url).status_code == 404
    assert client_for(world.member).get(url).status_code == 403


def test_the_whole_handling_through_the_pages(world, client_for, assigned):
    lead, assisting, supervisor = (client_for(world.lead_handler), client_for(world.assisting_handler),
                                   client_for(world.supervisor))
    lead_a = assigned.assignments.get(role="lead")
    assist_a = assigned.assignments.get(role="assisting")
    lead.post(reverse("handling:sign", args=[lead_a.pk]))
    assisting.post(reverse("handling:sign", args=[assist_a.pk]))
    assigned.refresh_from_db()
    assert assigned.state == State.HANDLING
    lead.post(reverse("handling:contact", args=[lead_a.pk]), {
        "method": "phone", "contacted_on": datetime.date.today().isoformat(), "summary": "电话沟通"})
    assisting.post(reverse("handling:opinion", args=[assist_a.pk]), {"body": "同意主办单位意见"})
    assert "同意主办单位意见" in _text(lead.get(reverse("handling:work", args=[assigned.pk])))
    # submitting without a contact phone is refused beside the field, keeps what was typed and changes nothing
    response = lead.post(reverse("handling:reply", args=[lead_a.pk]), {
        "body": "首先感谢您的关注。\n现答复如下。", "outcome": "A", "contact_name": "贺威", "contact_phone": "",
        "reply_date": datetime.date.today().isoformat(), "submit": "1"}, follow=True)
    assert "这个字段是必填项。" in _text(response) and "首先感谢您的关注。" in _text(response)
    assert not Reply.objects.exists()
    lead.post(reverse("handling:reply", args=[lead_a.pk]), {
        "body": "首先感谢您的关注。\n现答复如下。", "outcome": "A", "contact_name": "贺威",
        "contact_phone": "13795952836", "reply_date": datetime.date.today().isoformat(), "submit": "1"})
    reply = Reply.objects.get()
    assert reply.status == Reply.Status.COSIGNING
    page = _text(assisting.get(reverse("handling:inbox")))
    assert "待会签" in page
    signature = reply.cosignatures.get()
    assisting.post(reverse("handling:cosign", args=[signature.pk]))
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION
    assert assigned.title in supervisor.get(reverse("supervision:queue")).content.decode()
    supervisor.post(reverse("supervision:review", args=[reply.pk]), {"decision": "return", "comments": ""})
    reply.refresh_from_db()
    assert reply.status == Reply.Status.SUPERVISION  # returning needs comments
    supervisor.post(reverse("supervision:review", args=[reply.pk]), {"decision": "return", "comments": "请补充数据"})
    reply.refresh_from_db()
    assert reply.status == Reply.Status.RETURNED
    assert "请补充数据" in _text(lead.get(reverse("handling:work", args=[assigned.pk])))
    lead.post(reverse("handling:reply", args=[lead_a.pk]), {
        "body": "首先感谢您的关注。\n补充了数据。", "outcome": "A", "contact_name": "贺威",
        "contact_phone": "13795952836", "reply_date": datetime.date.today().isoformat(), "submit": "1"})
    reply.refresh_from_db()
    assisting.post(reverse("handling:cosign", args=[reply.cosignatures.get().pk]))
    supervisor.post(reverse("supervision:review", args=[reply.pk]), {"decision": "approve", "outcome": "B",
                                                                    "comments": "同意"})
    reply.refresh_from_db()
    assigned.refresh_from_db()
    assert reply.status == Reply.Status.RELEASED and reply.outcome == "B"
    assert assigned.state == State.REPLIED
    actions = set(Event.objects.filter(proposal=assigned).values_list("action", flat=True))
    assert {"assignment.signed", "contact.recorded", "opinion.sent", "reply.submitted", "reply.cosigned",
            "supervision.returned", "supervision.approved", "reply.released", "proposal.replied"} <= actions


def test_other_offices_cannot_review(world, client_for, assigned):
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role

    for a in assigned.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    lead_a = assigned.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead_a, by=world.lead_handler, body="答复", outcome="A",
                                contact_name="贺威", contact_phone="0839-1", reply_date=datetime.date.today())
    handling.reply_submit(reply=reply, by=world.lead_handler)
    other = accounts.user_create(username="区委目标绩效办", full_name="绩效办", password=None,
                                 roles=[Role.SUPERVISOR], office=world.offices["区委目标绩效办"])
    assert client_for(other).get(reverse("supervision:review", args=[reply.pk])).status_code == 404


def test_reassignment_request_from_the_work_page(world, client_for, assigned):
    lead_a = assigned.assignments.get(role="lead")
    client = client_for(world.lead_handler)
    client.post(reverse("handling:reassign", args=[lead_a.pk]), {"reason": ""})
    lead_a.refresh_from_db()
    assert lead_a.status == Assignment.Status.ASSIGNED
    client.post(reverse("handling:reassign", args=[lead_a.pk]), {"reason": "属于区财政局职责",
                                                                 "suggested_unit": "区财政局"})
    lead_a.refresh_from_db()
    assert lead_a.status == Assignment.Status.REASSIGNMENT_REQUESTED
    assert "属于区财政局职责" in _text(client_for(world.staff).get(assigned.get_absolute_url()))


def test_lead_official_follows_own_key_proposals_and_records_activities(world, client_for, assigned):
    client = client_for(world.official)
    page = _text(client.get(reverse("supervision:key_proposals")))
    assert assigned.title in page
    prefix = f"p{assigned.pk}-"  # each proposal's activity form has its own fields (its errors come back to it)
    client.post(reverse("supervision:record_activity", args=[assigned.pk]), {
        f"{prefix}kind": "inspection", f"{prefix}held_on": datetime.date.today().isoformat(),
        f"{prefix}participants": "杨金军等", f"{prefix}notes": "现场视察办理情况"})
    assert assigned.supervision_activities.count() == 1
    assert "现场视察办理情况" in _text(client.get(reverse("supervision:key_proposals")))
    assert client_for(world.lead_handler).get(reverse("supervision:key_proposals")).status_code == 403


@pytest.mark.parametrize("who,url", [("lead_handler", "dashboard:home_unit"), ("supervisor", "dashboard:home_supervisor"),
                                     ("official", "dashboard:home_lead_official")])
def test_role_homes_show_pending_work(world, client_for, assigned, who, url):
    response = client_for(getattr(world, who)).get(reverse(url))
    assert response.status_code == 200
    text = _text(response)
    assert {"lead_handler": "待签收", "supervisor": "待督办审核的答复", "official": "我牵头的提案"}[who] in text


def test_a_reply_typed_after_it_was_submitted_is_shown_to_copy(world, client_for):
    """Another handler of the unit submitted the reply meanwhile: the text typed is not taken, and not lost either."""
    from tests.test_lifecycle_services import STAGES, build

    case = build(world, STAGES[5])  # the reply drafted by the lead unit
    handling.reply_submit(reply=case.reply, by=world.lead_handler)
    response = client_for(world.lead_handler).post(reverse("handling:reply", args=[case.lead.pk]), {
        "body": "我们补充了新的落实数据。", "outcome": "A", "contact_name": "贺威", "contact_phone": "13795952836",
        "reply_date": "2023-10-11"})
    page = response.content.decode()
    assert response.status_code == 200 and "您填写的内容没有保存" in page and "我们补充了新的落实数据。" in page
