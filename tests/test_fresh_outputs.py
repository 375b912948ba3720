"""Issue #20 point 2: a change made through one server process shows on the very next request to the other, on every
output that shows it. Each test reads an output first (so whatever it keeps is kept), makes the change the way a user
makes it (a page, or the service the page calls), with real commits, and reads the output again.

Each test was a kept output whose key missed the change, found by a review of the sixteenth session: a new draft, a
draft's new title for its invitees, a merge target's number, the calendar in a search's deadline filter, the search
index written after the change, a unit's full name an import completes."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.test_portal import portal  # noqa: F401 - a fixture: a replied, disclosed proposal and an undisclosed one
from tian.core.calendar import add_working_days, is_workday
from tian.proposals import services
from tian.proposals.models import Proposal, State, TopicCategory

pytestmark = pytest.mark.django_db(transaction=True)  # kept pages are kept only outside a transaction, as served

TITLE = "关于完善社区养老服务设施的建议"
BODY = "社区养老服务设施不足。建议加大投入。"


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    html = re.sub(r"</?mark>", "", response.content.decode())  # a search's highlights: titles read whole
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _tiles(response) -> dict:
    assert response.status_code == 200, response.status_code
    return {str(t["label"]): t["count"] for t in response.context["tiles"]}


@pytest.fixture
def category(world):
    return TopicCategory.objects.get(committee=world.committee, name="社会建设")


def _fields(category_, **extra):
    return {"title": TITLE, "body": BODY, "category": category_.pk, "disclosure_consent": "on", **extra}


# 1. Member home: a new draft -------------------------------------------------------------------------------------

def test_a_new_draft_counts_at_once_on_the_members_home(world, client_for, category):
    """The member's home counts their drafts (``dashboard/home._member_parts``), kept under the committee's PROPOSALS
    and NAMES versions; a new draft's event (``proposal.drafted``) moves no version (``events.record``)."""
    member = client_for(world.member)
    assert _tiles(member.get(reverse("dashboard:home_member")))["草稿"] == 0
    response = member.post(reverse("proposals:new"), _fields(category))  # the draft page's save
    assert response.status_code == 302
    assert Proposal.objects.filter(lead_member=world.member.member, state=State.DRAFT).count() == 1
    assert _tiles(member.get(reverse("dashboard:home_member")))["草稿"] == 1


# 2. Member home: an invitation's proposal retitled -----------------------------------------------------------------

def test_a_draft_retitled_after_inviting_shows_its_new_title_in_the_invitees_home(world, client_for, category):
    """The invitee's home lists open invitations with the proposal's title, kept under PROPOSALS and NAMES; the
    author's edit of the draft (the page's save and the autosave, ``proposal_update_draft``) moves nothing for a
    draft ("drafts are private"), though the draft's title is shown to the invitee."""
    author, invitee = client_for(world.member), client_for(world.cosigner)
    response = author.post(reverse("proposals:new"), _fields(category, members=[world.cosigner.member.pk], invite="1"))
    assert response.status_code == 302
    draft = Proposal.objects.get(lead_member=world.member.member)
    assert TITLE in _text(invitee.get(reverse("dashboard:home_member")))
    new_title = "关于加快社区嵌入式养老服务设施建设的建议"
    response = author.post(reverse("proposals:autosave", args=[draft.pk]), _fields(category, title=new_title))
    assert response.status_code == 200 and Proposal.objects.get(pk=draft.pk).title == new_title
    page = _text(invitee.get(reverse("dashboard:home_member")))
    assert new_title in page, "the invitee's home still shows the draft's old title"


# 3. A merged proposal's page: the proposal it was merged into is registered --------------------------------------

def test_a_merged_proposals_page_shows_the_number_its_target_gets_at_registration(world, client_for, category):
    """A proposal merged into one still awaiting review (MERGE_TARGETS holds ``submitted``) names that proposal on its
    page ("merged into …", ``_detail_body.html``); the page is kept under its own revision, and registering the
    other proposal moves only that one's revision."""
    def submitted(by, title):
        draft = services.proposal_create_draft(by=by, committee=world.committee, lead_member=by.member, title=title,
                                               body=BODY, category=category)
        return services.proposal_submit(proposal=draft, by=by)

    target = submitted(world.member, "关于加强社区养老服务的建议")
    merged = submitted(world.cosigner, "关于发展社区居家养老的建议")
    staff = client_for(world.staff)
    response = staff.post(reverse("proposals:action", args=[merged.pk, "merge"]),
                          {"into": target.pk, "note": "内容相近", "state": State.SUBMITTED})
    assert response.status_code == 302 and Proposal.objects.get(pk=merged.pk).state == State.MERGED
    assert "关于加强社区养老服务的建议" in _text(staff.get(merged.get_absolute_url()))  # read and kept
    response = staff.post(reverse("proposals:action", args=[target.pk, "register"]),
                          {"note": "", "state": State.SUBMITTED})
    assert response.status_code == 302
    target = Proposal.objects.get(pk=target.pk)
    assert target.state == State.REGISTERED and target.number
    assert target.number_year in _text(staff.get(target.get_absolute_url()))
    assert target.number_year in _text(staff.get(merged.get_absolute_url())), \
        "the merged proposal's page still names its target without the number it was registered under"


# 4. Signed-in search: a calendar correction moves a proposal into "due soon" ------------------------------------

def test_a_calendar_correction_shows_at_once_in_a_searchs_deadline_filter(world, assigned, client_for):
    """Signed-in search keeps a query's results (``search/views.search``) under PROPOSALS, NAMES, the viewer, the
    language and the query: not the calendar's version nor the day, though its ``deadline`` filter (overdue, due
    soon: ``deadlines/filters.deadline_filter``, working days) changes with both. The office's list, which applies
    the same filter, carries them and follows."""
    today = timezone.localdate()
    due_soon_days = world.committee.due_soon_days
    deadline = add_working_days(today, due_soon_days + 1)  # one working day too far to be due soon
    assigned.assignments.filter(unit=world.units["区民政局"]).update(deadline=deadline)
    assigned.assignments.filter(unit=world.units["区教科局"]).update(deadline=deadline)
    staff = client_for(world.staff)
    search = reverse("search:search") + "?q=未成年人&deadline=due_soon"
    office = reverse("proposals:list") + "?deadline=due_soon"
    assert assigned.title not in _text(staff.get(search))
    assert assigned.title not in _text(staff.get(office))
    # The office makes a working day before the deadline a day off, on the calendar's own list.
    day = next(d for d in (today + datetime.timedelta(days=n) for n in range(1, 30)) if is_workday(d))
    response = client_for(world.admin).post(reverse("organisations:create", args=["calendar-days"]),
                                            {"date": day.isoformat(), "note": "临时调整"})  # unticked: a day off
    assert response.status_code == 302
    assert assigned.title in _text(staff.get(office))  # the office's list follows the correction
    assert assigned.title in _text(staff.get(search)), "the kept search results ignore the calendar correction"


# 5. Search results kept before the index caught up ------------------------------------------------------------------

class TaskQueue:
    """The task queue as deployed (``TASKS_BACKEND`` defaults to django_tasks_db): what follows an event waits in the
    database for the worker (``manage.py db_worker``), which runs it a moment after the change that queued it."""

    def __init__(self, settings):
        self.settings = settings

    def deferred(self):
        self.settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

    @staticmethod
    def worker_runs():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def task_queue(settings):
    return TaskQueue(settings)


def test_a_released_reply_shows_in_public_search_once_the_index_has_it(world, portal, task_queue):  # noqa: F811
    """``events.record`` moves PUBLIC after the commit, at once; the search index follows in the worker's task
    (``search/followers.py``). A public search in between is answered from the old index and kept under the new
    PUBLIC version (``portal/views.search``), and the index's update moves no version: the search stays without
    the new text until some other change of a disclosed proposal."""
    from tian.handling import services as handling
    from tian.handling.models import Reply
    from tian.supervision import services as supervision

    # The disclosed proposal is handled again; the lead unit's second reply waits for supervision.
    proposal = handling.proposal_rehandle(proposal=portal.public, by=world.staff)
    reply = handling.reply_save(assignment=proposal.assignments.get(role="lead"), by=world.lead_handler,
                                body="已在全区设立托育驿站十二处。", outcome="A", contact_name="贺威",
                                contact_phone="0839-8622541", reply_date=timezone.localdate())
    handling.reply_submit(reply=reply, by=world.lead_handler)
    for name in ("区教科局", "区司法局"):
        handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.handler_for(name))
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.SUPERVISION
    url = reverse("portal:search") + "?q=驿站"
    assert "托育驿站十二处" not in _text(Client().get(url))
    task_queue.deferred()
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)  # released: public now
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.RELEASED
    Client().get(url)  # a visitor searches before the worker has re-indexed the proposal
    task_queue.worker_runs()  # the worker brings the index up to date
    assert "托育驿站十二处" in _text(Client().get(url)), "public search kept what the old index answered"


def test_a_submission_shows_in_signed_in_search_once_the_index_has_it(world, client_for, category, task_queue):
    """The same for signed-in search (``search/views.search``), kept under PROPOSALS."""
    staff, member = client_for(world.staff), client_for(world.member)
    url = reverse("search:search") + "?q=养老"
    assert TITLE not in _text(staff.get(url))
    task_queue.deferred()
    response = member.post(reverse("proposals:new"), _fields(category, submit="1"))
    assert response.status_code == 302
    assert Proposal.objects.get(title=TITLE).state == State.SUBMITTED
    staff.get(url)  # the office searches before the worker has indexed the proposal
    task_queue.worker_runs()
    assert TITLE in _text(staff.get(url)), "signed-in search kept what the old index answered"


# 6. A legacy page's import completes a unit's full name -----------------------------------------------------------

def test_a_unit_full_name_an_import_completes_shows_at_once_in_other_proposals_letters(world, client_for):
    """Importing an old page (``importers/legacy_import.Importer.assign``) fills in a unit's full name from the
    page's co-signature block where it was the short name, with ``unit.save(update_fields=["full_name"])``: the
    NAMES version moves only when the import created someone (``Importer.run``). Other proposals' pages show that
    full name in their reply letters (``handling/letters.py``) and are kept under NAMES."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_portal import REPLY_BODY, replied
    from tian.accounts import services as accounts
    from tian.accounts.roles import Role
    from tian.organisations.services import named_save

    seed = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "000_e27d693f035c4dc2.txt"
    if not seed.exists():
        pytest.skip("the seed page is not beside the repository")
    # 区妇联 was entered with its short name as its full name; every unit and office of the page has its account.
    unit = world.units["区妇联"]
    unit.full_name = "区妇联"
    named_save(unit, by=world.admin)
    for name in ("区司法局", "区公安分局", "区妇联"):
        world.handler_for(name)
    accounts.user_create(username="区委目标绩效办", full_name="区委目标绩效办", password=None, roles=[Role.SUPERVISOR],
                         office=world.offices["区委目标绩效办"], validate=False)
    other = replied(world, title="关于关爱农村留守妇女儿童的建议", body=BODY, lead="区民政局", assisting=["区妇联"],
                    reply_body=REPLY_BODY, phone="0839-8620000")
    staff = client_for(world.staff)
    assert "广元市朝天区妇女联合会" not in _text(staff.get(other.get_absolute_url()))  # read and kept
    page = SimpleUploadedFile("15.txt", seed.read_bytes(), content_type="text/plain")
    response = staff.post(reverse("importers:legacy"), {"files": [page]})
    assert response.status_code == 200 and "2023年度第15号" in response.content.decode()
    assert "新增" not in response.content.decode()  # it created no one: nothing moved the names version
    unit.refresh_from_db()
    assert unit.full_name == "广元市朝天区妇女联合会"
    assert "广元市朝天区妇女联合会" in _text(staff.get(other.get_absolute_url())), \
        "the other proposal's letter still names the unit by the full name it had before the import"
