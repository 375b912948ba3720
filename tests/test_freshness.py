"""Fresh everywhere, at once (issue #20): after a change, the very next request shows it on every page, list and API
answer that shows what changed, however much of those pages was kept before.

Every page here is read once before the change, so that whatever it keeps is kept; the change is made the way a
server makes it (the services, the management pages), with real commits, as another process would. These tests
read what the pages show, never the cache."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_portal import portal  # noqa: F401 - a fixture: a replied, disclosed proposal and an undisclosed one
from tian.accounts import services as accounts
from tian.accounts.roles import Role
from tian.accounts.services import token_create
from tian.handling import services as handling
from tian.organisations.forms import managed_form_class
from tian.organisations.models import Session, Term
from tian.pages.manage.registry import MANAGED
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory

pytestmark = pytest.mark.django_db(transaction=True)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


class Pages:
    """The pages of the standing proposals as their usual readers see them: the office, the lead unit, a
    proposer, the public and an API client of the office."""

    def __init__(self, world, assigned, public):
        self.world, self.assigned, self.public = world, assigned, public
        self.staff, self.unit, self.member = (self._client(world.staff), self._client(world.lead_handler),
                                              self._client(world.member))
        self.api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.staff, name='test')[1]}")

    @staticmethod
    def _client(user):
        client = Client()
        client.force_login(user)
        return client

    def read(self) -> dict[str, str]:
        assigned, public = self.assigned.get_absolute_url(), self.public.get_absolute_url()
        return {
            "proposal page": _text(self.staff.get(assigned)),
            "disclosed proposal's page": _text(self.staff.get(public)),
            "proposer's page": _text(self.member.get(assigned)),
            "office's list": _text(self.staff.get(reverse("proposals:list") + "?page=1")),
            "unit inbox": _text(self.unit.get(reverse("handling:inbox"))),
            "unit's page": _text(self.unit.get(assigned)),
            "portal": _text(Client().get(reverse("portal:index"))),
            "portal search": _text(Client().get(reverse("portal:search") + "?q=提案")),
            "statistics": _text(self.staff.get(reverse("stats:index") + "?year=2023")),
            "API": _text(self.api.get(f"/api/v1/proposals/{self.assigned.pk}")),
            "API of the disclosed one": _text(self.api.get(f"/api/v1/proposals/{self.public.pk}")),
        }


@pytest.fixture
def pages(world, assigned, portal):  # noqa: F811
    return Pages(world, assigned, portal.public)


def _shown_everywhere(pages, new: str, where: list[str]) -> None:
    """``new`` on each of these pages, read right after the change (a page kept from before would not show it)."""
    after = pages.read()
    missing = [name for name in where if new not in after[name]]
    assert not missing, f"{new} is not shown at once on {missing}"


def _before(pages, old: str, where: list[str]) -> None:
    before = pages.read()  # read (and kept) before the change
    assert [name for name in where if old not in before[name]] == []


def _saved_through_the_management_page(world, slug: str, obj, **changes) -> None:
    """Edit a row of the managed lists as an administrator does, with the page's own form."""
    form = managed_form_class(MANAGED[slug], world.committee)(instance=obj)
    data = {}
    for name in form.fields:
        value = changes.get(name, form[name].value())
        if value is None or value is False:
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = [str(v) for v in value] if isinstance(value, list) else value
    client = Pages._client(world.admin)
    response = client.post(reverse("organisations:edit", args=[slug, obj.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


UNIT_SHOWN = ["proposal page", "disclosed proposal's page", "office's list", "unit inbox", "unit's page", "portal",
              "portal search", "statistics", "API", "API of the disclosed one"]


def test_a_renamed_unit_shows_at_once_everywhere(world, pages):
    _before(pages, "区民政局", UNIT_SHOWN)
    _saved_through_the_management_page(world, "units", world.units["区民政局"], name="区民政和社会事务局")
    _shown_everywhere(pages, "区民政和社会事务局", UNIT_SHOWN)


def test_a_renamed_supervising_office_shows_at_once_everywhere(world, pages):
    where = ["proposal page", "disclosed proposal's page", "API", "API of the disclosed one"]
    _before(pages, "区政府办公室", where)
    _saved_through_the_management_page(world, "supervising-offices", world.offices["区政府办公室"],
                                       name="区人民政府办公室")
    _shown_everywhere(pages, "区人民政府办公室", where)


def test_a_renamed_lead_official_shows_at_once_everywhere(world, pages):
    where = ["proposal page", "disclosed proposal's page", "API", "API of the disclosed one"]
    _before(pages, "杨金军", where)
    _saved_through_the_management_page(world, "lead-officials", world.lead_official, name="杨金君")
    _shown_everywhere(pages, "杨金君", where)


def test_a_renamed_member_shows_at_once_everywhere(world, pages):
    where = ["proposal page", "disclosed proposal's page", "proposer's page", "office's list", "portal",
             "statistics", "API", "API of the disclosed one"]
    _before(pages, "刘安泽", where)
    _saved_through_the_management_page(world, "members", world.member.member, name="刘安哲")
    _shown_everywhere(pages, "刘安哲", where)


def test_a_renamed_category_shows_at_once_everywhere(world, pages):
    where = ["proposal page", "disclosed proposal's page", "office's list", "portal", "portal search", "statistics",
             "API", "API of the disclosed one"]
    _before(pages, "社会建设", where)
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    _saved_through_the_management_page(world, "topic-categories", category, name="社会事业")
    _shown_everywhere(pages, "社会事业", where)


def test_a_renamed_user_shows_at_once_in_the_histories(world, pages):
    # The office registered and assigned the proposal: its history names the office's account.
    where = ["proposer's page", "API"]
    _before(pages, "提案委", where)
    accounts.user_update(user=world.staff, roles=[Role.STAFF], full_name="提案委员会办公室", by=world.admin)
    _shown_everywhere(pages, "提案委员会办公室", where)


def test_a_state_change_shows_at_once_everywhere(world, pages):
    row = "关于加强全区未成年人关爱保护工作的建议 刘安泽 社会建设 "  # the proposal's row in the office's list
    before = pages.read()
    assert "待签收" in before["unit inbox"] and row + "已交办" in before["office's list"]
    assignment = pages.assigned.assignments.get(unit=world.units["区民政局"])
    handling.assignment_sign_for(assignment=assignment, by=world.lead_handler)
    after = pages.read()
    assert "已签收" in after["proposal page"] and "已签收" in after["unit's page"]
    assert row + "办理中" in after["office's list"]
    assert "待签收" not in after["unit inbox"]
    assert '"state": "handling"' in after["API"]


def test_a_submission_counts_at_once_in_the_statistics_and_the_office_list(world, pages):
    before = pages.read()
    received = int(re.search(r"收到提案 (\d+)", before["statistics"]).group(1))
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    draft = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                           title="关于改善老旧小区停车条件的建议", body="建议。", category=category)
    services.proposal_submit(proposal=draft, by=world.member)
    Proposal.objects.filter(pk=draft.pk).update(year=2023)  # counted in the year the statistics show
    services.proposal_register(proposal=Proposal.objects.get(pk=draft.pk), by=world.staff)  # an event: committed
    after = pages.read()
    assert "关于改善老旧小区停车条件的建议" in after["office's list"]
    assert int(re.search(r"收到提案 (\d+)", after["statistics"]).group(1)) == received + 1


def test_a_disclosure_shows_at_once_on_the_portal(world, pages, portal):  # noqa: F811
    before = pages.read()
    # The search highlights the word in the title, so it is found by the reply's text.
    assert "不应公开的提案标题" not in before["portal"] and "不应公开的答复内容" not in before["portal search"]
    secret = Proposal.objects.get(pk=portal.secret.pk)
    Proposal.objects.filter(pk=secret.pk).update(disclosure_consent=True)
    services.proposal_disclose(proposal=Proposal.objects.get(pk=secret.pk), by=world.staff)
    after = pages.read()
    assert "不应公开的提案标题" in after["portal"] and "不应公开的答复内容" in after["portal search"]


def test_a_change_of_a_users_unit_shows_at_once(world, pages):
    handler = accounts.user_create(username="区妇联", full_name="区妇联", password=None, roles=[Role.UNIT_HANDLER],
                                   unit=world.units["区妇联"], validate=False)
    client = Pages._client(handler)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=handler, name='test')[1]}")
    page, api_page = pages.assigned.get_absolute_url(), f"/api/v1/proposals/{pages.assigned.pk}"
    title = pages.assigned.title
    assert title not in _text(client.get(reverse("handling:inbox")))
    assert client.get(page).status_code == 404 and api.get(api_page).status_code == 404
    accounts.user_update(user=handler, roles=[Role.UNIT_HANDLER], unit=world.units["区民政局"], by=world.admin)
    assert title in _text(client.get(reverse("handling:inbox")))
    assert title in _text(client.get(page)) and title in _text(api.get(api_page))
    accounts.user_update(user=handler, roles=[Role.UNIT_HANDLER], unit=world.units["区妇联"], by=world.admin)
    assert title not in _text(client.get(reverse("handling:inbox")))
    assert client.get(page).status_code == 404 and api.get(api_page).status_code == 404


def test_a_change_of_a_users_roles_shows_at_once(world, pages):
    title, page = pages.assigned.title, pages.assigned.get_absolute_url()
    office_list = reverse("proposals:list") + "?page=1"
    assert title in _text(pages.staff.get(office_list)) and title in _text(pages.staff.get(page))
    accounts.user_update(user=world.staff, roles=[], by=world.admin)
    assert pages.staff.get(office_list).status_code == 403
    assert pages.staff.get(page).status_code == 404  # not theirs any more, kept or not
    accounts.user_update(user=world.staff, roles=[Role.STAFF], by=world.admin)
    assert title in _text(pages.staff.get(office_list)) and title in _text(pages.staff.get(page))


def test_a_rename_rolled_back_shows_nothing(world, pages):
    from django.db import transaction

    from tian.organisations.services import named_save

    pages.read()
    unit = world.units["区民政局"]
    try:
        with transaction.atomic():
            unit.name = "区民政和社会事务局"
            named_save(unit)
            raise RuntimeError
    except RuntimeError:
        pass
    assert all("区民政和社会事务局" not in text for text in pages.read().values())


def test_kept_pages_are_each_viewers_own(world, pages, portal):  # noqa: F811
    """What one reader's kept page shows never reaches another's: the office's review note, another unit's tasks."""
    page = portal.public.get_absolute_url()
    assert "审查意见(内部)" in _text(pages.staff.get(page))  # read and kept by the office
    assert "审查意见(内部)" not in _text(pages.member.get(page))
    assert "审查意见(内部)" not in _text(Pages._client(world.supervisor).get(page))
    assert pages.assigned.title in _text(pages.unit.get(reverse("handling:inbox")))  # kept for 区民政局
    other = Pages._client(world.handler_for("区公安分局"))
    assert pages.assigned.title not in _text(other.get(reverse("handling:inbox")))
    assert other.get(pages.assigned.get_absolute_url()).status_code == 404


def test_the_kept_header_follows_the_users_name_and_roles(world, pages):
    """The layout's menu and navigation are kept per user, name, roles, page and language: a rename or a role
    granted shows on the next page, and the sign-out button still posts the request's own token."""
    home = reverse("dashboard:home")
    header = _text(pages.staff.get(home, follow=True))
    assert world.staff.full_name in header and "系统设置" not in header
    accounts.user_update(user=world.staff, roles=[Role.STAFF, Role.ADMIN], full_name="提案委员会办公室",
                         by=world.admin)
    response = pages.staff.get(home, follow=True)
    header = _text(response)
    assert "提案委员会办公室" in header and "系统设置" in header
    # The menu's button submits the form outside the kept part, which carries this session's token.
    html = response.content.decode()
    assert 'form="sign-out"' in html and re.search(r'<form id="sign-out"[^>]*>\s*<input type="hidden" '
                                                   r'name="csrfmiddlewaretoken"', html)


def test_an_attachment_added_to_a_returned_proposal_shows_at_once_on_its_page(world, tmp_path, settings):
    """The proposer revises a proposal the office returned and attaches a file: the office's page of it, read
    before, lists the file on its next request."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    proposal = services.proposal_create_draft(by=world.member, committee=world.committee,
                                              lead_member=world.member.member, title="关于加强社区养老服务的建议",
                                              body="建议。", category=category)
    proposal = services.proposal_submit(proposal=proposal, by=world.member)
    proposal = services.proposal_return(proposal=proposal, by=world.staff, note="请补充调研材料")
    staff = Pages._client(world.staff)
    assert "调研报告.pdf" not in _text(staff.get(proposal.get_absolute_url()))
    response = Pages._client(world.member).post(reverse("proposals:upload", args=[proposal.pk]),
                                                {"file": SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 report")})
    assert response.status_code == 302
    assert "调研报告.pdf" in _text(staff.get(proposal.get_absolute_url()))


def test_a_session_renumbered_reorders_the_portal_list_at_once(world, portal):  # noqa: F811
    """The portal's list shows the disclosed proposals newest session first (``portal.selectors.newest_first``: year,
    then the term's and the session's numbers). After a session's number is corrected on the management page, the
    list must show the proposals in the order of the corrected numbers on the next request. The whole list's order is
    kept under ``("portal_order", committee, public)`` (``portal/views.py``), without the NAMES version that a
    session's or term's change moves, so the list keeps the old order (while its headings already show the new
    session names)."""
    # A term holds one session a year: the year's other session is the first of a term that began that year.
    other_term = Term.objects.create(committee=world.committee, number=9, start_date=datetime.date(2023, 6, 1),
                                     end_date=datetime.date(2028, 5, 31))
    extra = Session.objects.create(term=other_term, number=1, year=2023,
                                   submissions_open_on=datetime.date(2023, 6, 1),
                                   plenary_start=datetime.date(2023, 6, 10), plenary_end=datetime.date(2023, 6, 12),
                                   plenary_deadline=datetime.date(2023, 6, 12))
    # Set up before anything is read: the undisclosed proposal belongs to the extra session and is disclosed too.
    Proposal.objects.filter(pk=portal.secret.pk).update(session=extra, disclosure_consent=True)
    services.proposal_disclose(proposal=Proposal.objects.get(pk=portal.secret.pk), by=world.staff)
    first, second = portal.public.title, Proposal.objects.get(pk=portal.secret.pk).title

    page = Client().get(reverse("portal:index")).content.decode()
    assert page.index(second) < page.index(first)  # 九届一次 (the extra session) before 七届三次

    _saved_through_the_management_page(world, "terms", other_term, number=6)  # a slip corrected: it was the 6th
    assert Term.objects.get(pk=other_term.pk).number == 6

    page = Client().get(reverse("portal:index")).content.decode()
    assert page.index(first) < page.index(second), \
        "the portal's list keeps the order of the sessions' old numbers"
