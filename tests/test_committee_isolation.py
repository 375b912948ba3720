"""Isolation between committees (a hosted service holds many in one database: domain.md "Scale").

The installation serves one committee (``organisations.selectors.current_committee``: the first, or
``TIAN_COMMITTEE_ID``); here that is the standing ``world`` committee (朝天, "A"). A second committee (利州, "B") is
stored beside it, with its own units, members, offices, a disclosed proposal and an undisclosed one, replied, rated,
with a 回头看, an attachment and the rest. Every test reads or acts as one of A's people and expects nothing of B:
no page, list, file, feed or API answer shows B's rows, and no form takes B's ids."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import PASSWORD
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.deadlines.models import FollowUp
from tian.deadlines.services import extension_request
from tian.handling import services as handling
from tian.handling.defaults import ensure_committee_lists
from tian.handling.models import Reply
from tian.organisations.models import (
    Committee,
    LeadOfficial,
    Member,
    Party,
    Sector,
    Session,
    SupervisingOffice,
    Term,
    Unit,
)
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.supervision import services as supervision

TZ = ZoneInfo("Asia/Shanghai")
B_PUBLIC = "关于利州区嘉陵江滨江步道建设的建议"
B_SECRET = "关于利州区内部人事安排的秘密建议"
B_REPLY = "利州区住建局答复:滨江步道已列入计划。"
B_SECRET_REPLY = "利州区财政局内部答复,不得外传。"
B_UNIT = "利州区住建局"
B_UNIT2 = "利州区财政局"
B_MEMBER = "欧阳利州"
B_OPEN = "关于利州区老旧小区加装电梯的建议"
B_WAITING = "关于利州区农贸市场改造的建议"


def at(month, day, hour=10):
    return datetime.datetime(2023, month, day, hour, tzinfo=TZ)


@dataclass
class Other:
    committee: Committee
    session: Session
    unit: Unit
    unit2: Unit
    office: SupervisingOffice
    official: LeadOfficial
    member: Member
    member_user: object
    handler: object
    handler2: object
    supervisor: object
    public: Proposal
    secret: Proposal
    category: TopicCategory
    follow_up: FollowUp
    open: Proposal = None  # assigned to 利州区住建局 (lead, signed for) and 利州区财政局 (assisting), in handling
    submitted: Proposal = None  # waiting for the office's review, with an attachment
    extension: object = None  # the lead unit's pending extension request on ``open``
    reassignment: object = None  # the assisting unit's pending reassignment request on ``open``
    attachment: object = None


def _user(username, roles, **bindings):
    return account_services.user_create(username=username, full_name=username, password=PASSWORD, roles=roles,
                                        validate=False, **bindings)


def _replied(o, world, title, unit, handler, reply_body, outcome="B"):
    p = services.proposal_create_draft(by=o.member_user, committee=o.committee, lead_member=o.member, title=title,
                                       body=title + "。正文。", category=o.category, contact_phone="13900000009",
                                       at=at(2, 14, 9))
    p = services.proposal_submit(proposal=Proposal.objects.get(pk=p.pk), by=o.member_user, at=at(2, 14, 10))
    p = services.proposal_register(proposal=p, by=world.staff, note="利州审查意见", at=at(3, 1))
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[unit], assigned_on=datetime.date(2023, 3, 16),
                                 supervising_offices=[o.office], lead_officials=[o.official], is_key=True, at=at(3, 16))
    assignment = p.assignments.get()
    handling.assignment_sign_for(assignment=assignment, by=handler, at=at(3, 17))
    handling.contact_record(assignment=assignment, by=handler, method="phone", contacted_on=datetime.date(2023, 9, 1),
                            summary="利州电话沟通记录", at=at(9, 1))
    reply = handling.reply_save(assignment=assignment, by=handler, body=reply_body, outcome=outcome,
                                contact_name="利州联系人", contact_phone="13900000008",
                                reply_date=datetime.date(2023, 10, 11), at=at(10, 11))
    handling.reply_submit(reply=reply, by=handler, at=at(10, 11, 11))
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=o.supervisor, at=at(10, 23))
    return Proposal.objects.get(pk=p.pk)


def build_other(world, capture) -> Other:
    committee = Committee.objects.create(name="政协广元市利州区委员会", region="广元市利州区", short_name="利州政协")
    term = Term.objects.create(committee=committee, number=7, start_date=datetime.date(2021, 1, 1),
                               end_date=datetime.date(2030, 12, 31))
    session = Session.objects.create(term=term, number=3, year=2023, submissions_open_on=datetime.date(2023, 1, 9),
                                     plenary_start=datetime.date(2023, 2, 14), plenary_end=datetime.date(2023, 2, 17),
                                     plenary_deadline=datetime.date(2023, 2, 17))
    ensure_committee_lists(committee)
    sector = Sector.objects.create(committee=committee, name="利州经济界")
    party = Party.objects.create(committee=committee, name="利州民革")
    unit = Unit.objects.create(committee=committee, name=B_UNIT, full_name="广元市利州区住房和城乡建设局")
    unit2 = Unit.objects.create(committee=committee, name=B_UNIT2, full_name="广元市利州区财政局")
    office = SupervisingOffice.objects.create(committee=committee, name="利州区政府督查室")
    official = LeadOfficial.objects.create(committee=committee, name="利州副区长", title="副区长")
    member = Member.objects.create(committee=committee, name=B_MEMBER, sector=sector, party=party, mobile="13900000009")
    member.terms.add(term)
    category = TopicCategory.objects.get(committee=committee, name="社会建设")
    o = Other(committee=committee, session=session, unit=unit, unit2=unit2, office=office, official=official,
              member=member, member_user=_user("lz_member", [Role.MEMBER], member=member),
              handler=_user("lz_unit", [Role.UNIT_HANDLER], unit=unit),
              handler2=_user("lz_unit2", [Role.UNIT_HANDLER], unit=unit2),
              supervisor=_user("lz_office", [Role.SUPERVISOR], office=office),
              public=None, secret=None, category=category, follow_up=None)
    with capture(execute=True):
        public = _replied(o, world, B_PUBLIC, unit, o.handler, B_REPLY)
        handling.evaluation_submit(proposal=public, by=o.member_user, result="satisfied", feedback="利州满意",
                                   at=at(10, 25))
        o.public = services.proposal_disclose(proposal=Proposal.objects.get(pk=public.pk), by=world.staff,
                                              at=at(11, 2))
        o.secret = _replied(o, world, B_SECRET, unit2, o.handler2, B_SECRET_REPLY)
    reply = o.secret.replies.get()
    o.follow_up = FollowUp.objects.create(reply=reply, due_on=datetime.date(2024, 11, 1))
    with capture(execute=True):
        p = services.proposal_create_draft(by=o.member_user, committee=committee, lead_member=member,
                                           title=B_OPEN, body="利州在办提案正文。", category=category)
        p = services.proposal_submit(proposal=p, by=o.member_user)
        p = services.proposal_register(proposal=p, by=world.staff)
        p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[unit], assisting_units=[unit2])
        lead, assisting = p.assignments.get(unit=unit), p.assignments.get(unit=unit2)
        handling.assignment_sign_for(assignment=lead, by=o.handler)
        o.reassignment = handling.reassignment_request(assignment=assisting, by=o.handler2, reason="利州不属职责")
        lead.refresh_from_db()
        o.extension = extension_request(assignment=lead, by=o.handler, requested_deadline=lead.deadline
                                        + datetime.timedelta(days=20), reason="利州需要更多时间")
        o.open = Proposal.objects.get(pk=p.pk)
        draft = services.proposal_create_draft(by=o.member_user, committee=committee, lead_member=member,
                                               title=B_WAITING, body="利州待审提案正文。", category=category)
        o.attachment = services.attachment_add(proposal=draft, by=o.member_user,
                                               file=SimpleUploadedFile("利州附件.pdf", b"%PDF-1.4 lizhou"))
        o.submitted = services.proposal_submit(proposal=Proposal.objects.get(pk=draft.pk), by=o.member_user)
    return o


@pytest.fixture
def other(world, django_capture_on_commit_callbacks):
    return build_other(world, django_capture_on_commit_callbacks)


LEAKS = (B_PUBLIC, B_SECRET, B_OPEN, B_WAITING, B_REPLY, B_SECRET_REPLY, B_UNIT, B_UNIT2, B_MEMBER, "利州区政府督查室",
         "利州副区长", "利州经济界", "利州民革", "利州电话沟通记录", "利州审查意见")


def _content(resp) -> str:
    """What a response says, as text: a page, a JSON answer (its Chinese unescaped), a Word file's paragraphs and
    tables."""
    import io
    import json
    kind = resp.get("Content-Type", "")
    body = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    if kind.startswith("application/json"):
        try:
            return json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            return body.decode("utf-8", "replace")
    if "wordprocessingml" in kind:
        import docx
        document = docx.Document(io.BytesIO(body))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    return body.decode("utf-8", "replace")


def _leaks(content: str) -> list[str]:
    """The names and texts of B found in ``content``."""
    return [leak for leak in LEAKS if leak in content]


def _snapshot(o):
    """What the office of A could change of B: its proposals' states, numbers, flags, its requests and reminders, its
    units' deadlines and the events written on its proposals."""
    from tian.deadlines.models import ExtensionRequest, Reminder
    from tian.handling.models import Assignment, ReassignmentRequest
    from tian.proposals.models import Event
    return (list(Proposal.objects.filter(committee=o.committee).order_by("pk")
                 .values_list("pk", "state", "number", "is_public", "is_key", "rehandling_deadline")),
            list(Assignment.objects.filter(proposal__committee=o.committee).order_by("pk")
                 .values_list("pk", "unit_id", "status", "deadline")),
            list(ReassignmentRequest.objects.filter(assignment__proposal__committee=o.committee).values_list("pk", "status")),
            list(ExtensionRequest.objects.filter(assignment__proposal__committee=o.committee).values_list("pk", "status")),
            Reminder.objects.filter(assignment__proposal__committee=o.committee).count(),
            Event.objects.filter(proposal__committee=o.committee).count())


def _json_post(client, url, body):
    import json
    return client.post(url, json.dumps(body), content_type="application/json")


# --- reading B's proposals ------------------------------------------------------------------------------------------

def test_the_office_cannot_open_another_committees_proposals(world, other, client_for):
    """A's proposal office opens /proposals/<pk>/ with the ids of B's proposals (undisclosed, in handling, waiting for
    review) and reads them whole: B's titles, replies, the unit's contact record, the office's review note, B's
    merge candidates. ``proposals.selectors._scope`` (``visible_proposals``) gives ``VIEW_ALL_PROPOSALS`` every
    committee's submitted proposals and never asks for the installation's committee (``current_committee``). A clerk
    of 朝天 expects 利州's proposals not to exist for them: 404, as any proposal they may not open (architecture.md,
    Scope; domain.md "Scale": one service for many committees)."""
    client = client_for(world.staff)
    for proposal in (other.secret, other.open, other.submitted):
        response = client.get(reverse("proposals:detail", args=[proposal.pk]))
        assert response.status_code == 404, (proposal.title, response.status_code, _leaks(_content(response)))


def test_another_committees_disclosed_proposal_is_not_opened_by_the_committees_people(world, other, client_for):
    """B's disclosed proposal opens on A's signed-in proposal page (/proposals/<pk>/) for every one of A's people — a
    member, a unit, a supervising office, a lead official — with B's reply, units, offices and proposer. The public
    portal of A refuses it (404, right), but ``visible_proposals``' "disclosed" condition (``Q(is_public=True)``) is
    not narrowed to the committee. A's people expect only their own committee's disclosed proposals."""
    for user in (world.member, world.lead_handler, world.supervisor, world.official):
        response = client_for(user).get(reverse("proposals:detail", args=[other.public.pk]))
        assert response.status_code == 404, (user.username, response.status_code, _leaks(_content(response)))


def test_the_api_lists_only_the_committees_own_proposals(world, other, client_for):
    """GET /api/v1/proposals lists B's proposals to A's office (all four, undisclosed ones included) and B's disclosed
    one to A's member: ``api/proposals.proposals`` starts from ``visible_proposals(user)``, and ``apply_filters``
    takes the committee only to read filter choices. An integrator of 朝天 expects 朝天's proposals only (the public
    list, ``/public/proposals``, already reads ``disclosed_proposals(current_committee())``)."""
    for user in (world.staff, world.member):
        content = _content(client_for(user).get("/api/v1/proposals"))
        assert _leaks(content) == [], user.username


def test_the_api_does_not_read_another_committees_proposal_assignment_or_reply(world, other, client_for):
    """As A's office, GET /api/v1/proposals/<B's>, /assignments/<B's>, /replies/<B's> and
    /proposals/<B's>/invitations answer 200 with B's undisclosed title, reply text, units and offices
    (``api/api.py``/``api/handling.py`` read through ``get_proposal_for``, which is not narrowed to the committee).
    Expected: 404 not_found for each, as for any row the caller may not read."""
    client = client_for(world.staff)
    secret_reply = other.secret.replies.get()
    lead = other.open.assignments.get(unit=other.unit)
    urls = [f"/api/v1/proposals/{other.secret.pk}", f"/api/v1/assignments/{lead.pk}",
            f"/api/v1/replies/{secret_reply.pk}", f"/api/v1/proposals/{other.secret.pk}/invitations"]
    answers = {url: client.get(url).status_code for url in urls}
    assert answers == {url: 404 for url in urls}


def test_documents_of_another_committees_proposal_are_not_made(world, other, client_for):
    """A's office downloads B's undisclosed proposal form (Word), its reply letter (Word) and its print view, with
    B's reply text and proposer: ``documents/views.proposal_form``/``reply_letter``/``proposal_print`` check only
    ``get_proposal_for``/``may_open``. (The assignment notice and compilation ask for the committee and answer 404:
    right.) Expected: 404 for B's proposal and reply."""
    client = client_for(world.staff)
    reply = other.secret.replies.get()
    urls = [reverse("documents:proposal_form", args=[other.secret.pk, "docx"]),
            reverse("documents:reply_letter", args=[reply.pk, "docx"]),
            reverse("documents:proposal_print", args=[other.secret.pk])]
    answers = {url: client.get(url).status_code for url in urls}
    assert answers == {url: 404 for url in urls}


def test_another_committees_attachment_is_not_downloaded(world, other, client_for):
    """A's office downloads the attachment of B's proposal waiting for review (/proposals/attachments/<pk>/, 200 with
    the file): ``pages/proposals/author.attachment_download`` asks whether the user may open the proposal, and the
    scope holds every committee's. Expected: 404."""
    response = client_for(world.staff).get(reverse("proposals:attachment", args=[other.attachment.pk]))
    assert response.status_code == 404


def test_the_similar_proposals_panel_names_only_the_committees_own(world, other, client_for):
    """While writing a proposal (or reviewing one), the similar-proposals panel (/search/similar/?title=…) names B's
    proposals with their proposer: to A's office even B's undisclosed ones, to A's member B's disclosed one.
    ``search/views.similar`` starts from ``visible_proposals(user)`` without the committee (``candidates`` beside it
    narrows to the proposal's committee). A member of 朝天 expects to be told of 朝天's proposals only."""
    for user in (world.staff, world.member):
        response = client_for(user).get(reverse("search:similar"), {"title": "关于利州区嘉陵江滨江步道建设和内部人事安排的建议"})
        assert response.status_code == 200
        assert _leaks(_content(response)) == [], user.username


def test_the_audit_log_shows_only_the_committees_own_entries(world, other, client_for):
    """A's office opens the audit log (/audit/) and reads B's history: registrations, assignments, replies of B's
    proposals with their titles. ``pages/audit/views.search`` reads every ``AuditEntry`` (entries carry no
    committee, and the search by number, ``_about_proposals``, reads ``Proposal.objects`` of every committee).
    Expected: A's entries only."""
    client = client_for(world.staff)
    for query in ({}, {"proposal": "2023-2"}):
        content = _content(client.get(reverse("audit:search"), query))
        assert _leaks(content) == [], query


# --- acting on B's proposals ----------------------------------------------------------------------------------------

def test_the_office_pages_do_not_act_on_another_committees_proposals(world, other, client_for):
    """A's office registers B's proposal waiting for review (POST /proposals/<B's>/do/register/: it takes the next
    number of B's sequence) and marks B's proposal in handling key with B's lead official and office
    (/do/set_key/). Every action of ``pages/proposals/office.proposal_action`` reads the proposal through
    ``get_proposal_row_for`` → ``may_open``, true for staff on any committee's submitted proposal; its forms then take
    B's ids, being built from the proposal's committee. Expected: 404, nothing of B changed."""
    client = client_for(world.staff)
    before = _snapshot(other)
    client.post(reverse("proposals:action", args=[other.submitted.pk, "register"]), {"state": "submitted", "note": ""})
    client.post(reverse("proposals:action", args=[other.open.pk, "set_key"]), {
        "state": other.open.state, "is_key": "on", "lead_officials": [other.official.pk],
        "supervising_offices": [other.office.pk], "revision": handling.key_revision(other.open)})
    assert _snapshot(other) == before
    assert client.get(reverse("proposals:key", args=[other.open.pk])).status_code == 404
    assert client.get(reverse("proposals:adjust", args=[other.open.pk])).status_code == 404


def test_the_office_does_not_decide_another_committees_requests_or_remind_its_units(world, other, client_for):
    """A's office refuses B's unit's reassignment request (POST /proposals/reassignments/<B's>/), refuses its
    extension request (/proposals/extensions/<B's>/) and sends B's unit a reminder (/proposals/assignments/<B's>/
    remind/): each works, written as done by A's clerk on B's proposal. ``office.reassignment_decide``,
    ``extension_decide`` and ``assignment_remind`` fetch the row by its key with no committee. Expected: 404, B's
    requests still pending, no reminder sent."""
    client = client_for(world.staff)
    lead = other.open.assignments.get(unit=other.unit)
    before = _snapshot(other)
    answers = [
        client.post(reverse("proposals:reassignment_decide", args=[other.reassignment.pk]),
                    {"decision": "refuse", "note": "朝天拒绝"}).status_code,
        client.post(reverse("proposals:extension_decide", args=[other.extension.pk]),
                    {"decision": "refuse", "note": "朝天拒绝"}).status_code,
        client.post(reverse("proposals:remind", args=[lead.pk]), {"note": "朝天催办"}).status_code,
    ]
    assert _snapshot(other) == before
    assert answers == [404, 404, 404]


def test_the_api_does_not_act_on_another_committees_proposals(world, other, client_for):
    """Through the API, A's office discloses B's undisclosed proposal (POST /api/v1/proposals/<B's>/disclose → 200,
    now on B's public portal), registers B's proposal waiting for review and reminds B's unit
    (/assignments/<B's>/remind → 201). ``api/proposals`` and ``api/handling`` read the proposal with
    ``get_proposal_row_for``/``get_proposal_for`` and the assignment by its key. Expected: 404 not_found each, and
    nothing of B changed."""
    client = client_for(world.staff)
    lead = other.open.assignments.get(unit=other.unit)
    before = _snapshot(other)
    answers = [
        _json_post(client, f"/api/v1/proposals/{other.secret.pk}/disclose", {}).status_code,
        _json_post(client, f"/api/v1/proposals/{other.submitted.pk}/register", {}).status_code,
        _json_post(client, f"/api/v1/assignments/{lead.pk}/remind", {"note": "朝天催办"}).status_code,
    ]
    assert _snapshot(other) == before
    assert answers == [404, 404, 404]


# --- B's people and calendar ----------------------------------------------------------------------------------------

def test_the_user_list_shows_only_the_committees_accounts(world, other, client_for):
    """/accounts/users/ lists, to A's office and administrator, the accounts of B's units and supervising office
    with their unit's names (``accounts/views.user_list`` reads every ``User``). A clerk of 朝天 learns which units
    利州 has. Expected: the accounts bound to A's members, units, offices and officials, and A's staff (decisions.md
    calls scoping users to committees future work; the brief's rule for a hosted service needs it now)."""
    for user in (world.staff, world.admin):
        content = _content(client_for(user).get(reverse("accounts:user_list")))
        assert _leaks(content) == [] and "lz_unit" not in content, user.username


def test_user_management_cannot_take_over_another_committees_account(world, other, client_for):
    """A's office opens B's unit account (/accounts/users/<B's>/, 200 with its name, phone and e-mail) and, posting
    the form with one of A's units and a new password, takes it over: B's handler is now bound to A's unit and B's
    person can no longer sign in with their password. ``accounts/views._user_for`` is ``get_object_or_404(User,
    pk=pk)`` with ``may_change`` (roles only, no committee). Expected: 404 for an account bound to another
    committee, and it unchanged."""
    client = client_for(world.staff)
    target = other.handler
    response = client.get(reverse("accounts:user_edit", args=[target.pk]))
    client.post(reverse("accounts:user_edit", args=[target.pk]), {
        "username": target.username, "full_name": target.full_name, "roles": [Role.UNIT_HANDLER],
        "unit": world.units["区司法局"].pk, "is_active": "on", "password": "Taken-over-horse-2026"})
    target.refresh_from_db()
    assert (target.unit_id, target.check_password(PASSWORD)) == (other.unit.pk, True)
    assert response.status_code == 404


def test_a_calendar_correction_moves_every_committees_deadline_but_names_nobody_of_another(world, other):
    """A's clerk marks a day a day off (``core.calendar_days.calendar_days_set``). The calendar is the database's,
    shared by the committees it holds (the statutory days are national; decisions.md): B's unit's reply deadline on
    that day moves to the next working day as A's does, since B's deadlines are counted on the same calendar. But B's
    proposal's history must not name A's clerk: the move is the system's there."""
    from tian.core.calendar import is_workday, next_workday
    from tian.core.calendar_days import calendar_days_set
    from tian.proposals.models import Event
    lead = other.open.assignments.get(unit=other.unit)
    day = lead.deadline if is_workday(lead.deadline) else next_workday(lead.deadline)
    type(lead).objects.filter(pk=lead.pk).update(deadline=day)
    calendar_days_set(days={day: (False, "本地假日")}, by=world.staff, source="range")
    lead.refresh_from_db()
    assert lead.deadline > day
    moved = Event.objects.get(proposal__committee=other.committee, action="deadline.moved")
    assert moved.actor is None


def test_the_deliveries_page_shows_only_the_committees_messages(world, other, client_for):
    """The office's deliveries page (/notifications/deliveries/) lists every e-mail and SMS of every committee: to A's
    office, an SMS to B's unit handler's mobile about B's undisclosed proposal, with its message (B's proposal is one
    they "may open", ``visible_proposals``). ``notifications/views.delivery_list`` reads ``Delivery.objects`` whole.
    Expected: the deliveries of A's people and proposals only."""
    from tian.notifications.models import Delivery, Notification
    note = Notification.objects.create(user=other.handler2, proposal=other.secret, key="lz-test", kind="reminder",
                                       message=f"请尽快办理《{B_SECRET}》。")
    Delivery.objects.create(notification=note, channel="sms", address="13900000007")
    content = _content(client_for(world.staff).get(reverse("notifications:deliveries")))
    assert "13900000007" not in content and _leaks(content) == []




def test_an_account_of_another_committee_signs_in_nowhere_here(world, other, client_for):
    """The accounts of B held in the same database belong to B (``User.committee``, ``backends.serves_here``): on A's
    installation B's unit cannot sign in with its password (answered as a wrong name or password), a session it holds
    reads no user, its API token is refused; A's own accounts sign in as ever."""
    from django.test import Client

    from tian.accounts.services import token_create
    assert other.handler.committee_id == other.committee.pk and world.staff.committee_id == world.committee.pk
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": other.handler.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    session = client_for(other.handler)  # a session made by force: it reads no user
    assert session.get(reverse("handling:inbox")).status_code == 302
    token = token_create(user=other.handler, name="lz")[1]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").status_code == 401
    mine = Client()
    mine.post(reverse("accounts:login"), {"username": world.staff.username, "password": PASSWORD})
    assert "_auth_user_id" in mine.session


def test_the_audit_log_does_not_name_another_committees_accounts(world, other, client_for):
    """The creation of B's accounts is B's history: A's administrator reading the audit log does not learn their names."""
    content = _content(client_for(world.admin).get(reverse("audit:search")))
    assert "lz_unit" not in content and "lz_member" not in content


def test_the_django_admin_is_the_operators_where_the_database_holds_several_committees(world, other, client_for):
    """The Django admin lists every table whole: with 利州 beside 朝天 in the database, 朝天's administrator is sent to
    sign in again there (the management pages are theirs), an operator's account (of no committee) opens it."""
    from tian.accounts.models import User
    assert client_for(world.admin).get("/admin/accounts/user/").status_code == 302
    User.objects.filter(pk=world.admin.pk).update(committee=None)
    response = client_for(User.objects.get(pk=world.admin.pk)).get("/admin/accounts/user/")
    assert response.status_code == 200 and "lz_unit" in response.content.decode()


def test_an_event_of_the_committee_tells_its_own_people_only(world, other, django_capture_on_commit_callbacks):
    """A member of 朝天 submits a proposal: 朝天's office is told; 利州's office, whose staff role is the same role, is
    not (``notifications.rules.users`` of a committee's proposal: that committee's accounts)."""
    from tian.accounts.models import User
    from tian.notifications.models import Notification
    lz_staff = _user("lz_staff", [Role.STAFF])
    User.objects.filter(pk=lz_staff.pk).update(committee=other.committee)
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于朝天区河道治理的建议",
                                           body="建议。", category=TopicCategory.objects.get(committee=world.committee,
                                                                                         name="社会建设"))
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_submit(proposal=draft, by=world.member)
    assert Notification.objects.filter(user=world.staff, proposal=draft).exists()
    assert not Notification.objects.filter(user=lz_staff).exists()
