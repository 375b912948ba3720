"""The public portal: what the public reads without signing in, and that nothing undisclosed leaks.

Two proposals of the 2023 session stand in every test: the seed story, replied and disclosed, whose reply
quotes the handler's mobile number; and a proposal that was registered, assigned and replied but never
disclosed, with a title and reply text that must never appear on any public page, feed or download."""

import csv
import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tian.handling import services as handling
from tian.handling.models import Reply
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.supervision import services as supervision

TZ = ZoneInfo("Asia/Shanghai")
TITLE = "关于加强全区未成年人关爱保护工作的建议"
BODY = "未成年人是祖国的未来、民族的希望。\n要尽快发展普惠托育服务,建设普惠托育机构。"
REPLY_BODY = ("首先感谢您对我区未成年人关爱保护工作的关注和支持。\n"
              "如需了解托育补贴办理进度,请联系13795952836,或拨打0839-8622541。")
MOBILE, MASKED, OFFICE_PHONE = "13795952836", "137****2836", "0839-8622541"

SECRET_TITLE = "不应公开的提案标题"
SECRET_BODY = "关于未成年人托育的内部意见,尚未同意公开。"
SECRET_REPLY = "不应公开的答复内容,涉及未成年人托育。"
SECRET_MOBILE = "13911112222"
INTERNAL = "电话沟通办理思路的内部记录"


def at(month, day, hour=10, minute=0):
    return datetime.datetime(2023, month, day, hour, minute, tzinfo=TZ)


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def replied(world, *, title, body, lead, assisting, reply_body, phone, cosigner=True) -> Proposal:
    """A proposal by 刘安泽 taken through the services to 已答复 on 2023 dates."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body=body, category=category, contact_phone="13700000001",
                                       at=at(2, 14, 9))
    if cosigner:
        [invitation] = services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member],
                                              at=at(2, 14, 9, 5))
        services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True, at=at(2, 14, 9, 30))
    p = services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member, at=at(2, 14, 10))
    p = services.proposal_register(proposal=p, by=world.staff, note="审查意见(内部)", at=at(3, 1))
    units = world.units
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[units[lead]],
                                 assisting_units=[units[name] for name in assisting],
                                 assigned_on=datetime.date(2023, 3, 16),
                                 supervising_offices=[world.offices["区政府办公室"], world.offices["区委目标绩效办"]],
                                 lead_officials=[world.lead_official], at=at(3, 16))
    for assignment in p.assignments.select_related("unit"):
        handling.assignment_sign_for(assignment=assignment, by=world.handler_for(assignment.unit.name),
                                     at=at(3, 17))
    lead_assignment = p.assignments.get(role="lead")
    handler = world.handler_for(lead)
    handling.contact_record(assignment=lead_assignment, by=handler, method="phone",
                            contacted_on=datetime.date(2023, 9, 1), summary=INTERNAL, at=at(9, 1))
    reply = handling.reply_save(assignment=lead_assignment, by=handler, body=reply_body, outcome="A",
                                contact_name="贺威", contact_phone=phone, reply_date=datetime.date(2023, 10, 11),
                                at=at(10, 11))
    handling.reply_submit(reply=reply, by=handler, at=at(10, 11, 11))
    for name in assisting:
        handling.reply_cosign(reply=reply, by=world.handler_for(name), at=at(10, 20))
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor, at=at(10, 23))
    return Proposal.objects.get(pk=p.pk)


@dataclass
class Portal:
    public: Proposal
    secret: Proposal


@pytest.fixture
def portal(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is updated after commit
        public = replied(world, title=TITLE, body=BODY, lead="区民政局", assisting=["区教科局", "区司法局"],
                         reply_body=REPLY_BODY, phone=MOBILE)
        handling.evaluation_submit(proposal=public, by=world.member, result="satisfied", feedback="非常满意",
                                   at=at(10, 25))
        public = services.proposal_disclose(proposal=Proposal.objects.get(pk=public.pk), by=world.staff,
                                            at=at(11, 2))
        secret = replied(world, title=SECRET_TITLE, body=SECRET_BODY, lead="区财政局", assisting=[],
                         reply_body=SECRET_REPLY, phone=SECRET_MOBILE, cosigner=False)
    assert (public.number, public.is_public) == (1, True)
    assert (secret.number, secret.state, secret.is_public) == (2, "replied", False)
    return Portal(public=public, secret=secret)


def assert_no_secret(content: str):
    for leak in (SECRET_TITLE, SECRET_REPLY, SECRET_MOBILE, "第〔2〕号", "2023年度第2号", INTERNAL, "审查意见(内部)",
                 MOBILE, "13700000001", "13700000002"):
        assert leak not in content, leak


# --- every public page answers the anonymous public, in Chinese, without the undisclosed proposal ---------

def public_urls(portal, world):
    unit = world.units["区民政局"].pk
    return [
        reverse("portal:index"),
        reverse("portal:index") + f"?year=2023&session={world.session.pk}&unit={unit}&role=lead",
        reverse("portal:index") + f"?unit={world.units['区财政局'].pk}",  # only the secret's unit: matches nothing
        reverse("portal:detail", args=[portal.public.pk]),
        reverse("portal:search"),
        reverse("portal:data"),
    ]


def test_every_public_page_opens_without_signing_in_and_hides_the_undisclosed(world, portal):
    client = Client()
    for url in public_urls(portal, world):
        response = client.get(url)
        assert response.status_code == 200, url
        page = _text(response)
        assert_no_secret(page)
        assert "公开提案" in page and "开放数据" in page, url  # the portal's own navigation, in Chinese
        if "unit=" in url and "role=" not in url:
            assert TITLE not in page and "此项下没有公开的提案" in page, url
        else:
            assert TITLE in page or url in (reverse("portal:search"), reverse("portal:data")), url


def test_the_list_counts_only_disclosed_proposals(world, portal):
    response = Client().get(reverse("portal:index"))
    assert response.context["total"] == 1
    assert [row["proposal"].pk for row in response.context["rows"]] == [portal.public.pk]
    page = _text(response)
    assert "已公开提案 1 件" in page
    for option in ("2023(1)", f"{world.session.name}(1)", "社会建设(1)", "区民政局(1)", "区教科局(1)"):
        assert option in page, option
    assert "区财政局" not in page  # the unit of the undisclosed proposal is not even offered


def test_filters_narrow_the_list(world, portal):
    client = Client()
    url = reverse("portal:index")
    assert [r["proposal"] for r in client.get(url, {"unit": world.units["区教科局"].pk}).context["rows"]] == [
        portal.public]
    response = client.get(url, {"unit": world.units["区教科局"].pk, "role": "lead"})
    assert response.context["rows"] == []
    assert "没有符合条件的公开提案" in _text(response)


def test_the_proposal_page_shows_the_seed_facts_in_order(world, portal):
    response = Client().get(reverse("portal:detail", args=[portal.public.pk]))
    assert response.status_code == 200
    page = _text(response)
    expected_in_order = [
        "编号", "第〔1〕号", "所属类别", "委员提案", "提案类别", "社会建设", "提案人", "刘安泽", "联名人", "徐丽娟", TITLE,
        "未成年人是祖国的未来", "审查结果", "已立案", "信息公开", "是", "交办时间", "2023年3月16日", "是否重点", "否",
        "督办单位", "区政府办公室", "区委目标绩效办", "牵头领导", "杨金军", "主办单位", "区民政局", "协办单位", "区教科局",
        "区司法局", "( A )类", f"关于政协广元市朝天区{world.session.name}第1号委员提案的回复", "尊敬的刘安泽、徐丽娟委员:",
        "首先感谢您", f"请联系{MASKED},或拨打{OFFICE_PHONE}", "此复。", "广元市朝天区民政局", "2023年10月11日",
        f"(联系人:贺威 联系电话:{MASKED})", "广元市朝天区教育和科学技术局", "广元市朝天区司法局", "2023年10月20日",
        "落实情况", "全部或主要问题已解决(A)", "督办审核", "已通过", "满意评价", "满意",
        "提案编号", "2023年度第1号", "领衔委员", "刘安泽", "附议委员", "徐丽娟",
    ]
    position = 0
    for text in expected_in_order:
        found = page.find(text, position)
        assert found >= 0, f"{text!r} missing after position {position}: {page[position:position + 500]}"
        position = found
    assert MOBILE not in page and MASKED in page and OFFICE_PHONE in page
    assert_no_secret(page)
    # No timeline, no staff accounts, no contact records; of the evaluation the lead proposer's rating only
    # (the disclosure policy: the feedback has its home on the signed-in page).
    for internal in ("已提交", "已交办", "tiwei", "电话沟通", "反馈意见", "非常满意"):
        assert internal not in page, internal


def test_an_undisclosed_proposal_is_a_plain_404_like_a_missing_one(world, portal):
    client = Client()
    hidden = client.get(reverse("portal:detail", args=[portal.secret.pk]))
    missing = client.get(reverse("portal:detail", args=[portal.secret.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404

    def normalised(response):  # the same page but for the per-request token and the address it was asked at
        html = re.sub(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        return re.sub(r"/public/proposals/\d+/", "/public/proposals/N/", html)

    assert normalised(hidden) == normalised(missing)
    assert_no_secret(hidden.content.decode())


def test_signed_in_staff_see_only_disclosed_proposals_on_the_portal_too(world, portal, client_for):
    page = _text(client_for(world.staff).get(reverse("portal:index")))
    assert TITLE in page
    assert_no_secret(page)
    assert client_for(world.staff).get(reverse("portal:detail", args=[portal.secret.pk])).status_code == 404


def test_a_reply_still_being_written_never_shows(world, portal, django_capture_on_commit_callbacks):
    """After disclosure the office sends the proposal back; the unit's new draft stays private."""
    with django_capture_on_commit_callbacks(execute=True):
        proposal = handling.proposal_rehandle(proposal=portal.public, by=world.staff, at=at(11, 5))
        draft = "尚未发布的答复草稿:托育机构建设方案"
        handling.reply_save(assignment=proposal.assignments.get(role="lead"), by=world.lead_handler, body=draft,
                            outcome="B", contact_name="贺威", contact_phone=MOBILE,
                            reply_date=datetime.date(2023, 11, 20), at=at(11, 20))
    client = Client()
    session = world.session.pk
    for url in (reverse("portal:detail", args=[proposal.pk]), reverse("portal:feed"),
                reverse("portal:export", args=[session, "csv"]), reverse("portal:export", args=[session, "json"]),
                reverse("portal:search") + "?q=托育"):
        content = client.get(url).content.decode("utf-8-sig")
        assert "尚未发布的答复草稿" not in content, url
        assert "(B)" not in content and "重新办理后的答复" not in content, url


# --- feed -----------------------------------------------------------------------------------------------

def test_the_feed_lists_disclosed_proposals_newest_first(world, portal):
    response = Client().get(reverse("portal:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    content = response.content.decode()
    assert_no_secret(content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)  # noqa: S314 - our own feed
    assert [e.find("a:title", ns).text for e in entries] == [f"2023年度第1号 {TITLE}"]
    link = entries[0].find("a:link", ns).get("href")
    assert link.endswith(reverse("portal:detail", args=[portal.public.pk]))
    assert entries[0].find("a:published", ns).text.startswith("2023-11-02")
    assert MASKED in content


# --- open data ------------------------------------------------------------------------------------------

def test_the_data_page_counts_disclosed_proposals_per_session(world, portal):
    response = Client().get(reverse("portal:data"))
    assert [(s.pk, s.disclosed) for s in response.context["sessions"]] == [(world.session.pk, 1)]
    assert response.context["total"] == 1
    assert reverse("portal:export", args=[world.session.pk, "csv"]) in response.content.decode()


def test_csv_is_excel_friendly_and_holds_only_disclosed_proposals(world, portal):
    response = Client().get(reverse("portal:export", args=[world.session.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    content = response.content.decode("utf-8-sig")
    assert_no_secret(content)
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["编号"], r["案由"]) for r in rows] == [("1", TITLE)]
    row = rows[0]
    assert (row["年度"], row["会议"], row["所属类别"], row["提案类别"]) == ("2023", world.session.name, "委员提案",
                                                                  "社会建设")
    assert (row["提案人"], row["联名人"], row["主办单位"], row["协办单位"]) == ("刘安泽", "徐丽娟", "区民政局",
                                                                    "区教科局、区司法局")
    assert (row["交办时间"], row["办理结果"], row["满意评价"]) == ("2023-03-16", "A", "满意")
    assert MASKED in row["答复"] and OFFICE_PHONE in row["答复"] and MOBILE not in content
    assert row["公开时间"].startswith("2023-11-02T10:00")


def test_json_holds_only_disclosed_proposals_with_their_replies(world, portal):
    response = Client().get(reverse("portal:export", args=[world.session.pk, "json"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    content = response.content.decode()
    assert_no_secret(content)
    document = json.loads(content)
    assert document["count"] == 1
    [item] = document["proposals"]
    assert item["number"] == 1 and item["year"] == 2023 and item["title"] == TITLE
    assert item["cosigners"] == ["徐丽娟"] and item["lead_units"] == ["区民政局"]
    assert item["outcome_classes"] == ["A"] and item["satisfaction"] == "满意"
    [reply] = item["replies"]
    assert (reply["unit"], reply["date"]) == ("区民政局", "2023-10-11")
    assert MASKED in reply["body"] and OFFICE_PHONE in reply["body"]


def test_downloads_of_other_committees_or_formats_are_404(world, portal):
    client = Client()
    assert client.get(reverse("portal:export", args=[world.session.pk, "xml"])).status_code == 404
    assert client.get(reverse("portal:export", args=[world.session.pk + 1000, "csv"])).status_code == 404


def test_a_session_with_nothing_disclosed_gives_an_empty_file(world, portal):
    Proposal.objects.filter(pk=portal.public.pk).update(is_public=False)
    content = Client().get(reverse("portal:export", args=[world.session.pk, "csv"])).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(content)))) == 1  # the header row only
    assert TITLE not in content
    assert Client().get(reverse("portal:data")).context["sessions"] == []


# --- search ---------------------------------------------------------------------------------------------

def test_empty_search_shows_the_form_and_a_hint(world, portal):
    response = Client().get(reverse("portal:search"))
    assert response.status_code == 200
    assert "hits" not in response.context
    assert "托育" in _text(response)


def test_public_search_finds_only_disclosed_proposals(world, portal):
    pytest.importorskip("tian.search.query")
    response = Client().get(reverse("portal:search"), {"q": "托育"})
    assert response.status_code == 200
    assert [hit["proposal"].pk for hit in response.context["hits"]] == [portal.public.pk]
    assert response.context["total"] == 1
    html = response.content.decode()
    assert "<mark>托育</mark>" in html
    assert reverse("portal:detail", args=[portal.public.pk]) in html
    assert_no_secret(_text(response))


def test_public_search_never_matches_undisclosed_text(world, portal):
    pytest.importorskip("tian.search.query")
    response = Client().get(reverse("portal:search"), {"q": "不应公开"})
    assert response.context["total"] == 0 and response.context["hits"] == []
    assert_no_secret(_text(response))


def test_public_search_masks_mobile_numbers_in_snippets(world, portal):
    pytest.importorskip("tian.search.query")
    response = Client().get(reverse("portal:search"), {"q": "补贴 进度"})
    assert [hit["proposal"].pk for hit in response.context["hits"]] == [portal.public.pk]
    assert MOBILE not in response.content.decode()


def test_public_search_filters_apply(world, portal):
    pytest.importorskip("tian.search.query")
    url = reverse("portal:search")
    assert Client().get(url, {"q": "托育", "year": 2023}).context["total"] == 1
    assert Client().get(url, {"q": "托育", "unit": world.units["区教科局"].pk, "role": "lead"}).context["total"] == 0


def test_public_search_caps_its_count_within_disclosed_proposals(world, portal, client_for, monkeypatch):
    from django.utils.translation import gettext

    from tian.search import query

    more = gettext("More than %(n)s proposals found: the newest %(n)s are listed, most relevant first. Add words "
                   "or filters to narrow the search.") % {"n": 1}
    monkeypatch.setattr(query, "RANKED_MATCHES", 1)
    # 托育 is in both proposals; the undisclosed one neither counts nor makes the count "more than".
    response = Client().get(reverse("portal:search"), {"q": "托育"})
    assert (response.context["total"], response.context["more"]) == (1, False)
    assert more not in response.content.decode()
    staff_page = client_for(world.staff).get(reverse("search:search"), {"q": "托育"}).content.decode()
    assert more in staff_page


def test_open_data_reads_each_rows_reply_day_with_the_list(world, portal, django_assert_max_num_queries):
    """Disclosed before the proposer rated the reply, a row says 未表态 once the window passed, from the day its
    replies were out: that day is read with the rows, so the download asks the same queries for one such row or
    three."""
    def disclose_unrated(title):
        p = replied(world, title=title, body=BODY, lead="区财政局", assisting=[], reply_body="已研究办理。",
                    phone=OFFICE_PHONE, cosigner=False)
        services.proposal_disclose(proposal=p, by=world.staff, at=at(11, 3))

    url = reverse("portal:export", args=[world.session.pk, "json"])
    disclose_unrated("第一件未评价提案")
    with CaptureQueriesContext(connection) as one:
        document = json.loads(Client().get(url).content)
    assert [item["satisfaction"] for item in document["proposals"]] == ["满意", "未表态"]
    disclose_unrated("第二件未评价提案")
    disclose_unrated("第三件未评价提案")
    with django_assert_max_num_queries(len(one)):
        document = json.loads(Client().get(url).content)
    assert [item["satisfaction"] for item in document["proposals"]] == ["满意", "未表态", "未表态", "未表态"]
