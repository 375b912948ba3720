"""重点提案 chosen after the assignment: the chair's meeting picks the year's key proposals once they are being
handled, and names their lead officials and supervising offices (domain.md, "Key proposals and supervision"). The
office does it on the proposal page or through the API (``handling.services.proposal_set_key``)."""

import re

from django.urls import reverse
from django.utils import translation

from tests.test_api import Api
from tests.test_lifecycle_services import build, fresh, refused, snapshot
from tian.accounts.services import token_create
from tian.handling import services as handling
from tian.notifications.models import Notification
from tian.organisations.models import LeadOfficial
from tian.proposals.models import Event
from tian.proposals.workflow import INVALID_INPUT, NOT_ALLOWED
from tian.supervision.selectors import followed_proposals


def _plain(world):
    """An assigned proposal that is not key, with no lead official and no supervising office."""
    p = build(world, "handling").proposal
    p.lead_officials.clear()
    p.supervising_offices.clear()
    return fresh(p)


def test_the_office_marks_a_handled_proposal_key_on_its_page(world, client_for, django_capture_on_commit_callbacks):
    p = _plain(world)
    office = world.offices["区委目标绩效办"]
    client = client_for(world.staff)
    html = client.get(p.get_absolute_url()).content.decode()
    assert reverse("proposals:key", args=[p.pk]) in html  # the way to its own page
    form_page = client.get(reverse("proposals:key", args=[p.pk])).content.decode()
    assert reverse("proposals:action", args=[p.pk, "set_key"]) in form_page and "杨金军" in form_page
    # a unit may not open it
    assert client_for(world.lead_handler).get(reverse("proposals:key", args=[p.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("proposals:action", args=[p.pk, "set_key"]), {
            "state": p.state, "is_key": "on", "lead_officials": [world.lead_official.pk],
            "supervising_offices": [office.pk], "note": "主席会议确定"}, follow=True)
    assert response.status_code == 200
    p = fresh(p)
    assert p.is_key and list(p.lead_officials.all()) == [world.lead_official]
    assert list(p.supervising_offices.all()) == [office]
    event = Event.objects.get(proposal=p, action="proposal.key_set")
    assert event.data["officials"] == ["杨金军"] and event.data["supervising"] == ["区委目标绩效办"]
    # the history says what was set; the lead official follows it and is told
    with translation.override("zh-hans"):
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(p.get_absolute_url()).content.decode()))
    assert "重点提案与督办" in page and "牵头领导: 杨金军" in page
    assert p in followed_proposals(world.official)
    assert Notification.objects.filter(user=world.official, kind="proposal.key_set").exists()
    assert not Notification.objects.filter(user=world.supervisor, kind="proposal.key_set").exists()  # not their office


def test_a_key_proposal_needs_a_lead_official_and_a_supervising_office(world, client_for):
    p = _plain(world)
    before = snapshot()
    client = client_for(world.staff)
    with translation.override("zh-hans"):
        response = client.post(reverse("proposals:action", args=[p.pk, "set_key"]), {
            "state": p.state, "is_key": "on", "lead_officials": [world.lead_official.pk]}, follow=True)
    assert "重点提案须至少确定一位牵头领导和一个督办单位。" in response.content.decode()
    assert snapshot() == before and not fresh(p).is_key


def test_unchanged_choices_and_foreign_officials_are_refused(world):
    p = _plain(world)
    refused(INVALID_INPUT, lambda: handling.proposal_set_key(proposal=p, by=world.staff, is_key=False))
    elsewhere = LeadOfficial.objects.create(committee=_other_committee(), name="外地领导")
    refused(INVALID_INPUT, lambda: handling.proposal_set_key(
        proposal=fresh(p), by=world.staff, is_key=True, lead_officials=[elsewhere],
        supervising_offices=[world.offices["区政府办公室"]]))
    retired = LeadOfficial.objects.create(committee=p.committee, name="退休领导", is_active=False)
    refused(INVALID_INPUT, lambda: handling.proposal_set_key(
        proposal=fresh(p), by=world.staff, is_key=True, lead_officials=[retired],
        supervising_offices=[world.offices["区政府办公室"]]))
    refused(NOT_ALLOWED, lambda: handling.proposal_set_key(
        proposal=fresh(p), by=world.lead_handler, is_key=True, lead_officials=[world.lead_official],
        supervising_offices=[world.offices["区政府办公室"]]))


def test_a_reply_awaiting_supervision_keeps_an_office_to_review_it(world):
    case = build(world, "supervision")
    before = snapshot()
    with translation.override("zh-hans"):
        error = refused(INVALID_INPUT, lambda: handling.proposal_set_key(
            proposal=case.proposal, by=world.staff, is_key=False, lead_officials=[world.lead_official]))
        assert "督办审核" in str(error.message)
    assert snapshot() == before
    # another office in its place is fine: the reply waits for that one
    handling.proposal_set_key(proposal=fresh(case.proposal), by=world.staff, is_key=False,
                              lead_officials=[world.lead_official], supervising_offices=[world.offices["区委目标绩效办"]])
    assert list(fresh(case.proposal).supervising_offices.all()) == [world.offices["区委目标绩效办"]]


def test_the_api_sets_a_key_proposal_and_refuses_bad_input_in_chinese(world):
    p = _plain(world)
    api = Api(token_create(user=world.staff, name="test")[1])
    office = world.offices["区政府办公室"]
    answer = api.get(f"/proposals/{p.pk}").json()
    assert answer["links"]["set_key"] == f"/api/v1/proposals/{p.pk}/key"
    response = api.post(f"/proposals/{p.pk}/key", {"is_key": True, "lead_officials": [], "supervising_offices": [office.pk]})
    assert response.status_code == 422, response.content
    assert response.json()["message"] == "重点提案须至少确定一位牵头领导和一个督办单位。"
    response = api.post(f"/proposals/{p.pk}/key", {"is_key": True, "lead_officials": [world.lead_official.pk],
                                                   "supervising_offices": [office.pk]})
    assert response.status_code == 200, response.content
    assert response.json()["is_key"]
    body = api.get(f"/proposals/{p.pk}").json()
    assert body["is_key"] and body["lead_officials"] == ["杨金军"] and body["supervising_offices"] == ["区政府办公室"]
    unit_api = Api(token_create(user=world.lead_handler, name="test")[1])
    assert unit_api.post(f"/proposals/{p.pk}/key", {"is_key": False}).status_code == 403


def _other_committee():
    from tian.organisations.models import Committee

    return Committee.objects.create(name="政协某县委员会", region="某县", short_name="某县政协")


def test_a_key_form_opened_before_another_clerk_set_it_does_not_overwrite_it(world, client_for):
    """Two clerks open the key-proposal page; one names 区政府办公室 and saves. The other's form, from before, would put
    the proposal back as it was: it is refused (已被他人处理) and the first clerk's choice stays."""
    import re as regex

    p = _plain(world)
    first, second = client_for(world.staff), client_for(world.staff)
    page = second.get(reverse("proposals:key", args=[p.pk])).content.decode()
    stale = regex.search(r'name="revision" value="([^"]*)"', page).group(1)
    office = world.offices["区政府办公室"]
    first.post(reverse("proposals:action", args=[p.pk, "set_key"]), {
        "state": p.state, "supervising_offices": [office.pk],
        "revision": handling.key_revision(p)})
    assert list(fresh(p).supervising_offices.all()) == [office]
    response = second.post(reverse("proposals:action", args=[p.pk, "set_key"]), {
        "state": p.state, "is_key": "on", "lead_officials": [world.lead_official.pk],
        "supervising_offices": [world.offices["区委目标绩效办"].pk], "revision": stale}, follow=True)
    assert "已被他人处理" in response.content.decode()
    assert list(fresh(p).supervising_offices.all()) == [office] and not fresh(p).is_key
