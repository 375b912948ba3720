"""The follow-up report (回头看) reaches its readers: the proposers and the office are told when a unit reports, and
the report is read as the released reply it follows is read (the disclosure policy) — by the people tied to the
proposal, and by the public and every signed-in user once the proposal is disclosed, with personal mobiles masked —
on the proposal page, the public portal, the API and the proposal's Word document. A follow-up not reported yet is
a task of the handling: only those tied to the proposal see it."""

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument

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
MOBILE, MASKED, OFFICE_PHONE = "13911112222", "139****2222", "0839-8622541"
REPORT = f"已建成12个社区儿童之家,详询{MOBILE}或{OFFICE_PHONE}。"
SAID = "已建成12个社区儿童之家"


def _category(world):
    return TopicCategory.objects.get(committee=world.committee, name="社会建设")


def _release_b(world, proposal):
    """Each unit signs for its part; the lead unit's B-class reply is released (co-signed, approved)."""
    for a in proposal.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    lead = proposal.assignments.get(role="lead")
    handler = world.handler_for(lead.unit.name)
    reply = handling.reply_save(assignment=lead, by=handler, body="正在推进,列入明年计划。", outcome="B",
                                contact_name="贺威", contact_phone=OFFICE_PHONE, reply_date=TODAY)
    reply = Reply.objects.get(pk=handling.reply_submit(reply=reply, by=handler).pk)
    if reply.status == Reply.Status.COSIGNING:
        reply = Reply.objects.get(pk=handling.reply_cosign(reply=reply, by=world.assisting_handler).reply.pk)
    if reply.status == Reply.Status.SUPERVISION:
        supervision.reply_approve(reply=reply, by=world.supervisor)
    assert Proposal.objects.get(pk=proposal.pk).state == "replied"
    return Reply.objects.get(pk=reply.pk)


def _followed_up(world, proposal, rater, *, disclose):
    """The B-class reply is rated, the proposal closed (and disclosed, if asked); a year later the unit is asked for its
    follow-up."""
    reply = _release_b(world, proposal)
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=proposal.pk), by=rater, result="satisfied")
    p = services.proposal_close(proposal=Proposal.objects.get(pk=proposal.pk), by=world.staff)
    if disclose:
        p = services.proposal_disclose(proposal=p, by=world.staff)
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 1
    return Proposal.objects.get(pk=p.pk), FollowUp.objects.get(reply=reply)


def _report(world, follow_up):
    return deadlines.follow_up_report(follow_up=follow_up, by=world.lead_handler, report=REPORT)


@pytest.fixture
def member_proposal(world):
    """刘安泽's proposal, co-signed by 徐丽娟, assigned to 区民政局 (lead) and 区教科局 (assisting), supervised."""
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于加强全区未成年人关爱保护工作的建议", body="建议。",
                                       category=_category(world))
    [invitation] = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True)
    p = services.proposal_register(proposal=services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk),
                                                                     by=world.member), by=world.staff)
    return handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                    assisting_units=[world.units["区教科局"]], is_key=True,
                                    lead_officials=[world.lead_official],
                                    supervising_offices=[world.offices["区政府办公室"]])


@pytest.fixture
def disclosed(world, member_proposal):
    return _followed_up(world, member_proposal, world.member, disclose=True)


@pytest.fixture
def undisclosed(world, member_proposal):
    return _followed_up(world, member_proposal, world.member, disclose=False)


def _told(user, proposal):
    return Notification.objects.filter(user=user, proposal=proposal, kind="follow_up.reported")


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _docx_text(response) -> str:
    assert response.status_code == 200
    return "\n".join(p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs)


# --- who is told -------------------------------------------------------------------------------------------------

def test_the_proposers_and_the_office_are_told_of_a_report_with_a_link_they_can_open(
        world, undisclosed, client_for, django_capture_on_commit_callbacks):
    p, follow_up = undisclosed
    with django_capture_on_commit_callbacks(execute=True):
        _report(world, follow_up)
    for user in (world.member, world.cosigner, world.staff):
        [notice] = _told(user, p)
        assert "区民政局" in notice.message and "落实情况" in notice.message
        assert MOBILE not in notice.message  # the report is read on the page, not sent by SMS
        assert notice.url == p.get_absolute_url()
        assert SAID in _page(client_for(user), notice.url)


def test_other_units_members_and_overseers_are_not_told_of_a_report(world, undisclosed,
                                                                     django_capture_on_commit_callbacks):
    p, follow_up = undisclosed
    with django_capture_on_commit_callbacks(execute=True):
        _report(world, follow_up)
    assert _told(world.member, p).exists()
    for user in (world.lead_handler, world.assisting_handler, world.other_handler, world.stranger,
                 world.supervisor, world.official, world.collective):
        assert not _told(user, p).exists(), user


def test_a_collective_proposer_is_told_of_the_report_on_its_proposal(world, django_capture_on_commit_callbacks):
    p = services.proposal_create_draft(by=world.collective, committee=world.committee,
                                       collective=world.collective_org, title="关于养老服务体系建设的建议",
                                       body="建议。", category=_category(world))
    p = services.proposal_register(proposal=services.proposal_submit(proposal=p, by=world.collective),
                                   by=world.staff)
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]])
    p, follow_up = _followed_up(world, p, world.collective, disclose=False)
    with django_capture_on_commit_callbacks(execute=True):
        _report(world, follow_up)
    assert _told(world.collective, p).exists() and _told(world.staff, p).exists()
    assert not _told(world.member, p).exists()


def test_a_collective_whose_proposal_was_merged_in_is_told_as_it_was_of_the_reply(
        world, client_for, django_capture_on_commit_callbacks):
    mine = services.proposal_submit(proposal=services.proposal_create_draft(
        by=world.collective, committee=world.committee, collective=world.collective_org,
        title="关于养老服务体系建设的建议", body="建议。", category=_category(world)), by=world.collective)
    target = services.proposal_create_draft(by=world.member, committee=world.committee,
                                            lead_member=world.member.member, title="关于发展养老服务的建议",
                                            body="建议。", category=_category(world))
    target = services.proposal_register(proposal=services.proposal_submit(proposal=target, by=world.member),
                                        by=world.staff)
    services.proposal_merge(proposal=mine, into=target, by=world.staff, note="同一事项")
    target = handling.proposal_assign(proposal=Proposal.objects.get(pk=target.pk), by=world.staff,
                                      lead_units=[world.units["区民政局"]])
    target, follow_up = _followed_up(world, target, world.member, disclose=False)
    with django_capture_on_commit_callbacks(execute=True):
        _report(world, follow_up)
    [notice] = _told(world.collective, target)
    assert client_for(world.collective).get(notice.url).status_code == 200


# --- the public portal ---------------------------------------------------------------------------------------------

def test_the_portal_shows_a_reported_follow_up_of_a_disclosed_proposal_with_the_mobile_masked(world, disclosed):
    p, follow_up = disclosed
    url = reverse("portal:detail", args=[p.pk])
    before = _page(Client(), url)
    assert "回头看" not in before and "尚未报告" not in before  # asked of the unit, not reported: not the public's
    follow_up = _report(world, follow_up)
    page = _page(Client(), url)
    assert "回头看" in page and "区民政局" in page
    assert SAID in page and MASKED in page and OFFICE_PHONE in page and MOBILE not in page
    assert timezone.localdate(follow_up.reported_at).strftime("%Y-%m-%d") in page
    assert page.index("回头看") > page.index("正在推进,列入明年计划")  # under the reply


def test_an_undisclosed_proposals_portal_page_is_still_a_404(world, undisclosed):
    p, follow_up = undisclosed
    _report(world, follow_up)
    response = Client().get(reverse("portal:detail", args=[p.pk]))
    assert response.status_code == 404 and SAID not in response.content.decode()


# --- signed-in readers: the proposal page and the API ------------------------------------------------------------

def test_a_member_not_tied_reads_the_report_of_a_disclosed_proposal_masked(world, disclosed, client_for):
    p, follow_up = disclosed
    stranger = client_for(world.stranger)
    assert "尚未报告" not in _page(stranger, p.get_absolute_url())  # the unit's open task is not theirs to read
    assert "尚未报告" in _page(client_for(world.member), p.get_absolute_url())  # those tied see it, as before
    _report(world, follow_up)
    page = _page(stranger, p.get_absolute_url())
    assert SAID in page and MASKED in page and OFFICE_PHONE in page and MOBILE not in page


def test_a_member_not_tied_cannot_read_the_report_of_an_undisclosed_proposal(world, undisclosed, client_for):
    p, follow_up = undisclosed
    _report(world, follow_up)
    response = client_for(world.stranger).get(p.get_absolute_url())
    assert response.status_code == 404 and SAID not in response.content.decode()
    assert Api(world.stranger).get(f"/proposals/{p.pk}").status_code == 404
    document = client_for(world.stranger).get(reverse("documents:proposal_form", args=[p.pk, "docx"]))
    assert document.status_code == 404


def test_the_proposer_reads_the_handlers_mobile_masked_and_the_office_in_full(world, undisclosed, client_for):
    p, follow_up = undisclosed
    _report(world, follow_up)
    member_page = _page(client_for(world.member), p.get_absolute_url())
    assert SAID in member_page and MASKED in member_page and MOBILE not in member_page
    assert MOBILE in _page(client_for(world.staff), p.get_absolute_url())


def test_the_api_gives_every_reader_of_a_disclosed_proposal_the_reported_follow_up(world, disclosed):
    p, follow_up = disclosed
    [pending] = Api(world.staff).get(f"/proposals/{p.pk}").json()["follow_ups"]
    assert pending["reported_at"] is None
    assert Api(world.stranger).get(f"/proposals/{p.pk}").json()["follow_ups"] == []
    _report(world, follow_up)
    for answer in (Api(world.stranger).get(f"/proposals/{p.pk}"), Client().get(f"/api/v1/public/proposals/{p.pk}")):
        assert answer.status_code == 200
        [said] = answer.json()["follow_ups"]
        assert said["unit"] == "区民政局" and said["reported_at"]
        assert SAID in said["report"] and MASKED in said["report"] and MOBILE not in said["report"]


# --- the proposal's Word document ---------------------------------------------------------------------------------

def test_the_proposal_form_carries_the_reported_follow_up_as_the_policy_lets_each_read_it(world, disclosed,
                                                                                          client_for):
    p, follow_up = disclosed
    url = reverse("documents:proposal_form", args=[p.pk, "docx"])
    assert "回头看" not in _docx_text(client_for(world.staff).get(url))  # not reported: nothing to file yet
    _report(world, follow_up)
    office = _docx_text(client_for(world.staff).get(url))
    assert "回头看(区民政局," in office and REPORT in office
    assert office.index("回头看") > office.index("督办审核")  # after the letter it follows
    for reader in (world.member, world.stranger):
        text = _docx_text(client_for(reader).get(url))
        assert SAID in text and MASKED in text and OFFICE_PHONE in text and MOBILE not in text, reader


def test_the_sessions_compilation_carries_the_reported_follow_up(world, disclosed, client_for):
    p, follow_up = disclosed
    _report(world, follow_up)
    text = _docx_text(client_for(world.staff).get(reverse("documents:compilation", args=[p.session_id, "docx"])))
    assert REPORT in text


def test_the_open_data_carry_the_reported_follow_up_masked(world, disclosed):
    """The session's open data (CSV and JSON) carry a disclosed proposal's reported follow-ups as the portal shows
    them: nothing while none is reported, then the unit, the day and the report, a personal mobile masked."""
    import csv
    import json

    p, follow_up = disclosed
    csv_url, json_url = (reverse("portal:export", args=[p.session_id, fmt]) for fmt in ("csv", "json"))
    [row] = list(csv.DictReader(io.StringIO(Client().get(csv_url).content.decode("utf-8-sig"))))
    assert row["回头看"] == ""
    follow_up = _report(world, follow_up)
    [row] = list(csv.DictReader(io.StringIO(Client().get(csv_url).content.decode("utf-8-sig"))))
    day = timezone.localdate(follow_up.reported_at).isoformat()
    assert row["回头看"].startswith(f"区民政局({day}):") and SAID in row["回头看"] and MASKED in row["回头看"]
    document = json.loads(Client().get(json_url).content)
    assert document["proposals"][0]["follow_ups"] == [{"unit": "区民政局", "reported_on": day,
                                                      "report": REPORT.replace(MOBILE, MASKED)}]
    assert MOBILE not in json.dumps(document, ensure_ascii=False)


def test_the_feed_carries_the_reported_follow_up_and_says_the_entry_was_updated(world, disclosed):
    p, follow_up = disclosed
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)  # the report is later, whatever the clock's second
    Reply.objects.filter(proposal=p).update(released_at=an_hour_ago)
    Proposal.objects.filter(pk=p.pk).update(disclosed_at=an_hour_ago)
    before = Client().get(reverse("portal:feed")).content.decode()
    assert SAID not in before
    _report(world, follow_up)
    feed = Client().get(reverse("portal:feed")).content.decode()
    assert SAID in feed and MASKED in feed and MOBILE not in feed
    updated = re.findall(r"<updated>([^<]+)</updated>", feed)
    assert max(updated) > max(re.findall(r"<updated>([^<]+)</updated>", before))
