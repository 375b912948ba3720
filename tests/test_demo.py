"""The demo committee: ``manage.py load_demo`` builds the seed page's proposal No. 15 of 2023 and a few
hundred others in every state, and running it again changes nothing.

Loading takes seconds, so it happens once for this module, inside a transaction that is rolled back when
the module is done; each test reads it inside its own (nested) test transaction.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tian.accounts.models import User
from tian.demo import data as demo_data
from tian.handling.models import Assignment, Evaluation, Reply, ReplyCoSignature, UnitRole
from tian.organisations.models import LeadOfficial, Member, SupervisingOffice, Unit
from tian.proposals.models import CoSignature, Event, Proposal, State
from tian.proposals.selectors import cosigner_members
from tian.supervision.models import SupervisionReview

SEED_TITLE = "关于加强全区未成年人关爱保护工作的建议"


def counts() -> dict:
    return {model.__name__: model.objects.count()
            for model in (User, Member, Unit, Proposal, Event, CoSignature, Assignment, Reply, ReplyCoSignature,
                          Evaluation, SupervisionReview)}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        first, second = io.StringIO(), io.StringIO()
        call_command("load_demo", stdout=first)
        after_first = counts()
        call_command("load_demo", stdout=second)
        yield {"first": first.getvalue(), "second": second.getvalue(), "after_first": after_first,
               "after_second": counts()}
        transaction.set_rollback(True)


@pytest.fixture
def seed(demo, db):
    return Proposal.objects.get(year=2023, number=15)


def test_loading_again_duplicates_nothing(demo, db):
    assert demo["after_first"] == demo["after_second"]
    assert demo["after_first"]["Proposal"] >= 240
    assert f"Demo proposals: {demo['after_first']['Proposal']} (0 created)" in demo["second"]
    assert "tian-demo-2023" in demo["second"] and "区民政局" in demo["second"]  # the logins are still printed


def test_the_committee_has_the_people_and_organisations_of_the_seed_page(demo, db):
    units = set(Unit.objects.values_list("name", flat=True))
    assert {"区民政局", "区教科局", "区司法局", "区公安分局", "区妇联"} <= units
    assert len(units) == len(demo_data.UNITS) >= 40
    assert {"区政府办公室", "区委目标绩效办"} <= set(SupervisingOffice.objects.values_list("name", flat=True))
    assert LeadOfficial.objects.filter(name="杨金军").exists()
    members = set(Member.objects.values_list("name", flat=True))
    assert {"刘安泽", "徐丽娟"} <= members and len(members) == len(demo_data.MEMBERS) >= 120


def test_proposal_15_of_2023_is_the_seed_proposal(seed):
    assert (seed.title, seed.year, seed.number) == (SEED_TITLE, 2023, 15)
    assert seed.number_bracket == "第〔15〕号" and seed.number_year == "2023年度第15号"
    assert seed.number_session == "七届三次全会第15号委员提案"
    assert seed.proposer_name == "刘安泽" and [m.name for m in cosigner_members(seed)] == ["徐丽娟"]
    assert seed.category.name == "社会建设" and seed.disclosure_consent and seed.is_plenary
    paragraphs = seed.body_paragraphs
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("未成年人是祖国的未来、民族的希望,做好未成年人关爱保相关护工作,")
    assert paragraphs[0].endswith("为此,提出如下建议:")
    assert [p[:2] for p in paragraphs[1:]] == ["一是", "二是", "三是", "四是"]
    assert paragraphs[4].endswith("吸引一批有情怀懂专业的人士投身到未保工作中来。")
    assert seed.assigned_on == datetime.date(2023, 3, 16) and not seed.is_key
    roles = {role: sorted(seed.assignments.filter(role=role).values_list("unit__name", flat=True))
             for role in UnitRole.values}
    assert roles == {"lead": ["区民政局"], "assisting": sorted(["区教科局", "区司法局", "区公安分局", "区妇联"]),
                     "separate": []}
    assert sorted(seed.supervising_offices.values_list("name", flat=True)) == sorted(["区政府办公室", "区委目标绩效办"])
    assert list(seed.lead_officials.values_list("name", flat=True)) == ["杨金军"]
    assert seed.state == State.CLOSED and seed.is_public
    registered = seed.events.get(action="proposal.registered").at
    assert datetime.date(2023, 3, 1) <= timezone.localdate(registered) < datetime.date(2023, 3, 16)


def test_the_seed_reply_is_the_seed_pages_reply(seed):
    reply = seed.replies.get()
    assert (reply.unit.name, reply.round, reply.status) == ("区民政局", 1, Reply.Status.RELEASED)
    assert (reply.outcome, reply.contact_name, reply.contact_phone) == ("A", "贺威", "13795952836")
    assert reply.reply_date == datetime.date(2023, 10, 11) and reply.cosigned_on == datetime.date(2023, 10, 20)
    paragraphs = reply.body_paragraphs
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("首先感谢您对我区未成年人关爱保护工作的关注和支持,")
    assert paragraphs[-1].endswith("予以关注关心。")
    assert not any("尊敬的" in p or p == "此复。" for p in paragraphs)  # the letter adds those
    assert sorted(reply.cosignatures.values_list("unit__name", flat=True)) == sorted(
        ["区教科局", "区司法局", "区公安分局", "区妇联"])
    assert all(timezone.localdate(s.signed_at) == datetime.date(2023, 10, 20) for s in reply.cosignatures.all())
    review = SupervisionReview.objects.get(reply=reply)
    assert review.decision == "approved" and review.outcome_after == "A"
    evaluations = {e.member.name: e for e in seed.evaluations.select_related("member")}
    assert evaluations["刘安泽"].result == "satisfied" and evaluations["刘安泽"].feedback == "非常满意"
    assert evaluations["刘安泽"].is_lead and evaluations["徐丽娟"].result == "satisfied"


def test_the_seed_proposals_page_shows_the_seed_pages_facts_in_order(seed, client_for):
    response = client_for(User.objects.get(username="刘安泽")).get(seed.get_absolute_url())
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    expected_in_order = [
        "第〔15〕号", "刘安泽", "徐丽娟", SEED_TITLE, "未成年人是祖国的未来、民族的希望,做好未成年人关爱保相关护工作",
        "已立案", "2023年3月16日", "区政府办公室", "区委目标绩效办", "杨金军", "区民政局", "区教科局", "区司法局",
        "区公安分局", "区妇联", "( A )类", "关于政协广元市朝天区七届三次全会第15号委员提案的回复",
        "尊敬的刘安泽、徐丽娟委员:", "首先感谢您对我区未成年人关爱保护工作的关注和支持", "予以关注关心。", "此复。",
        "广元市朝天区民政局", "2023年10月11日", "联系人:贺威", "广元市朝天区妇女联合会", "2023年10月20日",
        "全部或主要问题已解决(A)", "已通过", "满意", "非常满意", "2023年度第15号",
    ]
    position = 0
    for text in expected_in_order:
        found = page.find(text, position)
        assert found >= 0, f"{text!r} missing after position {position}: {page[position:position + 300]}"
        position = found


def test_every_state_occurs_and_numbers_are_gapless_per_year(demo, db):
    assert set(Proposal.objects.values_list("state", flat=True)) == set(State.values)
    assert Proposal.objects.filter(is_public=True).count() > 100
    assert Proposal.objects.filter(kind="collective").exists() and Proposal.objects.filter(is_key=True).exists()
    assert Reply.objects.filter(round=2, status=Reply.Status.RELEASED).exists()  # rehandled after 不满意
    for year in range(2021, 2027):
        numbers = list(Proposal.objects.filter(year=year, number__isnull=False).order_by("number")
                       .values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 20, year


def test_history_is_dated_in_the_past_and_earlier_years_are_finished(demo, db):
    assert not Event.objects.filter(at__gt=timezone.now()).exists()
    unfinished = Proposal.objects.filter(year__lt=2026).exclude(
        state__in=[State.CLOSED, State.DECLINED, State.MERGED, State.WITHDRAWN, State.RETURNED, State.DRAFT])
    assert not unfinished.exists()
    assert Proposal.objects.filter(year=2026, state__in=[State.HANDLING, State.REPLIED]).count() >= 10


def test_every_demo_login_has_work_waiting_today(demo, db):
    this_year = Proposal.objects.filter(year=2026)
    # Member 刘安泽: an invitation to co-sign, a reply to evaluate, a draft.
    liu = Member.objects.get(name="刘安泽")
    assert CoSignature.objects.filter(member=liu, status=CoSignature.Status.INVITED,
                                      expires_at__gt=timezone.now()).exists()
    assert this_year.filter(lead_member=liu, state=State.REPLIED).exclude(evaluations__member=liu).exists()
    assert this_year.filter(lead_member=liu, state=State.DRAFT).exists()
    # Collective 民革朝天区支部: a reply to evaluate.
    assert this_year.filter(collective__name="民革朝天区支部", state=State.REPLIED, evaluations__isnull=True).exists()
    # Unit 区民政局: a proposal to sign for, one to reply to, a reply to co-sign.
    mine = Assignment.objects.filter(unit__name="区民政局", proposal__year=2026)
    assert mine.filter(status=Assignment.Status.ASSIGNED).exists()
    assert mine.filter(role=UnitRole.LEAD, status=Assignment.Status.SIGNED, replies__isnull=True,
                       proposal__state=State.HANDLING).exists()
    assert ReplyCoSignature.objects.filter(unit__name="区民政局", signed_at__isnull=True,
                                           reply__status=Reply.Status.COSIGNING).exists()
    # Supervisor 区政府办公室: replies awaiting review; lead official 杨金军: key proposals being handled.
    assert Reply.objects.filter(status=Reply.Status.SUPERVISION, proposal__supervising_offices__name="区政府办公室")
    assert this_year.filter(is_key=True, lead_officials__name="杨金军", state=State.HANDLING).exists()
    # Proposal office: proposals to review, to assign, a reassignment request, replies to close.
    for state in (State.SUBMITTED, State.REGISTERED, State.REPLIED):
        assert this_year.filter(state=state).exists(), state
    assert Assignment.objects.filter(status=Assignment.Status.REASSIGNMENT_REQUESTED).exists()


def test_demo_staff_sign_in_with_the_printed_key(demo, db):
    from django.test import Client

    from tian.accounts import twofactor
    from tian.demo.committee import DEMO_PASSWORD, DEMO_TOTP_KEY

    key = twofactor.base32(DEMO_TOTP_KEY)
    assert key in demo["first"] and "make demo-code" in demo["first"]
    client = Client()
    response = client.post("/accounts/login/", {"username": "tiwei", "password": DEMO_PASSWORD})
    assert response["Location"] == "/accounts/2fa/verify/"
    response = client.post("/accounts/2fa/verify/", {"code": twofactor.current_code(DEMO_TOTP_KEY)})
    assert response.status_code == 302 and client.get("/proposals/").status_code == 200
