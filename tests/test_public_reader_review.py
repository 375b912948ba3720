"""Review: the public reader's day (an anonymous citizen, and a journalist) on the portal, its search, its open data
and feed, and the anonymous part of the API.

Each test but those marked "holds" failed on the code it was written against, for the reason its docstring gives (since
mended). The tests marked "holds" guard something important that was checked and found right.

The fixture ``portal`` (tests/test_portal.py) stands two proposals of the 2023 session: the seed story, replied and
disclosed (its reply quotes the handler's mobile), and one replied but never disclosed."""

import csv
import datetime
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_portal import MASKED, MOBILE, SECRET_TITLE, _text, at, portal  # noqa: F401 - portal is a fixture
from tian.handling import services as handling
from tian.portal import views as portal_views
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _detail_links(html: str) -> list[int]:
    """The proposals a portal page links to, in order."""
    return [int(pk) for pk in re.findall(r'href="/public/proposals/(\d+)/"', html)]


def _disclose(world, proposal) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk).update(disclosure_consent=True)
    return services.proposal_disclose(proposal=Proposal.objects.get(pk=proposal.pk), by=world.staff)


def _collective_disclosed(world) -> Proposal:
    """A collective proposal of 民盟朝天区支部 (a party, 党派), taken through the services to 已答复 and disclosed."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.collective, committee=world.committee,
                                       collective=world.collective_org, title="关于发展普惠托育服务的建议",
                                       body="建议增加普惠托育机构。", category=category, at=at(2, 14, 9))
    p = services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.collective, at=at(2, 14, 10))
    p = services.proposal_register(proposal=p, by=world.staff, at=at(3, 1))
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assigned_on=datetime.date(2023, 3, 16), at=at(3, 16))
    assignment = p.assignments.get()
    handler = world.handler_for("区民政局")
    handling.assignment_sign_for(assignment=assignment, by=handler, at=at(3, 17))
    handling.contact_record(assignment=assignment, by=handler, method="phone",
                            contacted_on=datetime.date(2023, 9, 1), summary="电话沟通", at=at(9, 1))
    reply = handling.reply_save(assignment=assignment, by=handler, body="已收悉,正在推进普惠托育。", outcome="B",
                                contact_name="贺威", contact_phone="0839-8620000",
                                reply_date=datetime.date(2023, 10, 11), at=at(10, 11))
    handling.reply_submit(reply=reply, by=handler, at=at(10, 11, 11))
    p = Proposal.objects.get(pk=p.pk)
    assert p.state == "replied", p.state
    return services.proposal_disclose(proposal=p, by=world.staff, at=at(11, 2))


# --- search: paging ------------------------------------------------------------------------------------------------

def test_a_search_page_past_the_last_does_not_say_nothing_matches(world, portal, monkeypatch,  # noqa: F811
                                                                  django_capture_on_commit_callbacks):
    """A journalist following a bookmarked "page 5" of a public search (or a link made before proposals moved) reads
    "共找到 2 件提案", then "没有找到匹配的提案", under "第 2 页，共 2 页": the page contradicts itself and shows no
    proposal. The portal's list shows its last page in that case; the search must too (or at least not claim both)."""
    with django_capture_on_commit_callbacks(execute=True):  # both proposals disclosed, both about 未成年人
        _disclose(world, portal.secret)
    monkeypatch.setattr(portal_views, "PAGE_SIZE", 1)
    html = Client().get(reverse("portal:search"), {"q": "未成年人", "page": 5}).content.decode()
    text = _text_of(html)
    assert "共找到 2 件提案" in text
    assert "第 2 页，共 2 页" in text
    assert "没有找到匹配的提案" not in text, "the page says two proposals were found and that nothing matches"
    assert _detail_links(html), "the page it says it shows lists no proposal"


def test_a_search_page_within_range_lists_its_proposals(world, portal, monkeypatch,  # noqa: F811
                                                       django_capture_on_commit_callbacks):
    """holds: pages 1 and 2 of a public search list one proposal each, the undisclosed one never before it is
    disclosed."""
    monkeypatch.setattr(portal_views, "PAGE_SIZE", 1)
    before = Client().get(reverse("portal:search"), {"q": "未成年人", "page": 1}).content.decode()
    assert _detail_links(before) == [portal.public.pk] and "不应公开" not in before
    with django_capture_on_commit_callbacks(execute=True):
        _disclose(world, portal.secret)
    first = Client().get(reverse("portal:search"), {"q": "未成年人", "page": 1}).content.decode()
    second = Client().get(reverse("portal:search"), {"q": "未成年人", "page": 2}).content.decode()
    assert sorted(_detail_links(first) + _detail_links(second)) == sorted([portal.public.pk, portal.secret.pk])


# --- the list's filters --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["session", "year"])
def test_a_filter_with_nothing_disclosed_does_not_list_every_proposal(world, portal, field):  # noqa: F811
    """A citizen opening the portal's list for this year's session (or year), where nothing is disclosed yet, is shown
    every disclosed proposal of 2023 with no word that the filter was dropped: the filter bar stays folded, no
    "符合条件的提案" line, and the select points (aria-describedby) at an error message the page never renders. The
    public API answers the same question with an empty list, so portal and API disagree."""
    value = world.current_session.pk if field == "session" else world.current_session.year
    api = Client().get("/api/v1/public/proposals", {field: value}).json()
    assert api["total"] == 0  # the API: no disclosed proposal of that session/year
    html = Client().get(reverse("portal:index"), {field: value}).content.decode()
    assert portal.public.title not in html, "a 2023 proposal is listed as if it were of the session asked for"
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    for target in described:
        assert f'id="{target}"' in html, f"aria-describedby points at #{target}, which the page does not hold"


def test_filters_with_disclosed_proposals_narrow_the_list_as_the_api_does(world, portal):  # noqa: F811
    """holds: a filter holding disclosed proposals narrows the portal's list and the public API alike, and a unit
    that handles only the undisclosed proposal never names it."""
    unit = world.units["区民政局"].pk
    api = Client().get("/api/v1/public/proposals", {"unit": unit, "role": "lead"}).json()
    assert [item["id"] for item in api["items"]] == [portal.public.pk]
    text = _text(Client().get(reverse("portal:index"), {"unit": unit, "role": "lead"}))
    assert "符合条件的提案 1 件" in text and portal.public.title in text
    hidden = Client().get("/api/v1/public/proposals", {"unit": world.units["区财政局"].pk}).json()
    assert hidden["total"] == 0 and SECRET_TITLE not in json.dumps(hidden, ensure_ascii=False)


# --- the public API: its links --------------------------------------------------------------------------------------

def _links(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "links" and isinstance(item, dict):
                yield from item.values()
            else:
                yield from _links(item)
    elif isinstance(value, list):
        for item in value:
            yield from _links(item)


def test_the_public_apis_links_open_for_the_public(world, portal):  # noqa: F811
    """A journalist's script reading GET /api/v1/public/proposals follows each item's ``links.self`` (docs/api.md:
    "each carries its id and links: the addresses of what the caller may do next") and gets 401 "请登录或提供有效
    的接口令牌" for a disclosed proposal: the public answers link to /api/v1/proposals/{id}, /invitations,
    /assignments/{id} and /replies/{id}, none of which answer an anonymous caller."""
    client = Client()
    listed = client.get("/api/v1/public/proposals").json()
    detail = client.get(f"/api/v1/public/proposals/{portal.public.pk}").json()
    links = sorted(set(_links(listed)) | set(_links(detail)))
    assert links
    refused = {link: client.get(link).status_code for link in links}
    refused = {link: status for link, status in refused.items() if status != 200}
    assert not refused, f"links of the public answers the public cannot open: {refused}"


def test_the_public_api_reads_a_disclosed_proposal_as_the_portal_does(world, portal):  # noqa: F811
    """holds: the anonymous API's proposal carries the portal's masking (the handler's mobile masked in the letter and
    its contact line), the lead proposer's rating only, no history, no feedback, and the undisclosed one is a 404."""
    client = Client()
    answer = client.get(f"/api/v1/public/proposals/{portal.public.pk}")
    body = answer.content.decode()
    data = answer.json()
    assert MOBILE not in body and MASKED in data["replies"][0]["contact_line"]
    assert data["evaluations"] == [] and data["timeline"] == [] and data["lead_rating"] == "satisfied"
    assert "非常满意" not in body and "电话沟通办理思路的内部记录" not in body and "审查意见(内部)" not in body
    assert client.get(f"/api/v1/public/proposals/{portal.secret.pk}").status_code == 404


# --- collective proposals: 所属类别 with its sub-kind ---------------------------------------------------------------

def test_a_collective_proposal_says_its_sub_kind_on_the_portal_and_in_open_data(world):
    """A citizen reading a disclosed collective proposal of 民盟朝天区支部 sees 所属类别 "集体提案" where every signed-in
    page says "集体提案(党派)" (domain.md: "集体提案 collective proposal with its sub-kind"; ``Proposal.kind_label``:
    "所属类别 as every output says it"); the open data's 所属类别 column drops the sub-kind too."""
    p = _collective_disclosed(world)
    assert p.kind_label == "集体提案(党派)"
    text = _text(Client().get(reverse("portal:detail", args=[p.pk])))
    assert "所属类别 集体提案(党派)" in text, "the portal's page drops the collective proposal's sub-kind"
    rows = list(csv.DictReader(io.StringIO(
        Client().get(reverse("portal:export", args=[world.session.pk, "csv"])).content.decode("utf-8-sig"))))
    assert [row["所属类别"] for row in rows] == ["集体提案(党派)"]


# --- open data: what the proposal page shows -------------------------------------------------------------------------

def test_open_data_carries_the_key_flag_supervising_offices_and_lead_officials(world, portal):  # noqa: F811
    """A journalist downloading a session's open data (JSON or CSV) finds no 是否重点, 督办单位 or 牵头领导, though
    the portal's page of the same proposal shows them (the seed page's "是否重点:否 督办单位:区政府办公室 区委目标绩效办
    牵头领导:杨金军"; domain.md: everything on that page must be "shown and exported")."""
    document = json.loads(Client().get(reverse("portal:export", args=[world.session.pk, "json"])).content)
    [row] = document["proposals"]
    text = json.dumps(row, ensure_ascii=False)
    assert "区政府办公室" in text and "区委目标绩效办" in text, "no 督办单位 in the open data"
    assert "杨金军" in text, "no 牵头领导 in the open data"
    assert any(key in row for key in ("is_key", "key")), "no 是否重点 in the open data"


# --- the reply letter's signature block -----------------------------------------------------------------------------

def test_the_public_letter_names_the_units_that_co_signed_it(world, django_capture_on_commit_callbacks):
    """区教科局 asked to leave the proposal and, as it may meanwhile, co-signed the lead unit's reply; the office then
    re-routed its part to 区司法局 while the reply was with supervision. The released letter the public reads lists
    区司法局 in its signature block (会签) — a unit that never saw nor signed it — and drops 区教科局, which did."""
    from tian.handling.models import Reply
    from tian.supervision import services as supervision

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    with django_capture_on_commit_callbacks(execute=True):
        p = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于完善社区养老服务的建议",
                                           body="建议完善社区养老服务。", category=category, at=at(2, 14, 9))
        p = services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member, at=at(2, 14, 10))
        p = services.proposal_register(proposal=p, by=world.staff, at=at(3, 1))
        p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                     assisting_units=[world.units["区教科局"]],
                                     supervising_offices=[world.offices["区政府办公室"]],
                                     assigned_on=datetime.date(2023, 3, 16), at=at(3, 16))
        lead, assisting = p.assignments.get(role="lead"), p.assignments.get(role="assisting")
        handling.assignment_sign_for(assignment=lead, by=world.lead_handler, at=at(3, 17))
        handling.assignment_sign_for(assignment=assisting, by=world.assisting_handler, at=at(3, 17))
        request = handling.reassignment_request(assignment=assisting, by=world.assisting_handler,
                                                reason="不属于本单位职责", at=at(3, 20))
        handling.contact_record(assignment=lead, by=world.lead_handler, method="phone",
                                contacted_on=datetime.date(2023, 9, 1), summary="电话沟通", at=at(9, 1))
        reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="正在推进社区养老服务。",
                                    outcome="B", contact_name="贺威", contact_phone="0839-8620000",
                                    reply_date=datetime.date(2023, 10, 11), at=at(10, 11))
        handling.reply_submit(reply=reply, by=world.lead_handler, at=at(10, 11, 11))
        handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler, at=at(10, 12))
        assert Reply.objects.get(pk=reply.pk).status == "supervision"
        handling.reassignment_approve(request=request, by=world.staff, new_unit=world.units["区司法局"],
                                      at=at(10, 13))
        supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor, at=at(10, 16))
        p = _disclose(world, Proposal.objects.get(pk=p.pk))
    assert p.state == "replied"
    letter = Client().get(f"/api/v1/public/proposals/{p.pk}").json()["replies"][0]
    signed = [s["unit"]["name"] for s in letter["cosignatures"] if s["signed_at"]]
    assert signed == ["区教科局"]
    assert "广元市朝天区司法局" not in letter["signature_units"], "the letter names a unit that never co-signed it"
    assert "广元市朝天区教育和科学技术局" in letter["signature_units"], "the letter drops the unit that co-signed it"
    text = _text(Client().get(reverse("portal:detail", args=[p.pk])))
    assert "广元市朝天区司法局" not in text


def test_a_visitors_missing_page_leads_back_to_the_portal_and_to_sign_in(world):
    """A visitor following an old link to a proposal no longer public reads "返回我的首页" on the 404 page, though
    they have no home page: the page leads them back to the disclosed proposals and offers signing in."""
    response = Client().get(reverse("portal:detail", args=[999999]))
    assert response.status_code == 404
    text = _text(response)
    assert "返回公开提案" in text and "返回我的首页" not in text
    assert reverse("portal:index") in response.content.decode() and reverse("accounts:login") in response.content.decode()


def test_the_feed_says_the_outcome_as_the_list_does(world, portal):  # noqa: F811
    """The portal's list says 全部或主要问题已解决(A); its feed said "落实情况:A", a letter a reader of the feed cannot
    decode."""
    feed = Client().get(reverse("portal:feed")).content.decode()
    assert "全部或主要问题已解决(A)" in feed
