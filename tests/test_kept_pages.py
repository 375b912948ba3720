"""Pages rendered once and kept until something changes (``tian.proposals.derived``).

The changes here are made the way another worker process would make them: no signal reaches this process, so
only the change marker read on every request can notice them. Nothing is kept inside a transaction, so these
tests run without the one that wraps a test."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tian.proposals import services
from tian.proposals.models import Event, Proposal, State, TopicCategory

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "关于加强全区未成年人关爱保护工作的建议"
BODY = "未成年人是祖国的未来、民族的希望。\n一是要在提高认识上着力。\n二是要在加大保障上着力。"


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _submitted(world, title=TITLE):
    proposal = services.proposal_create_draft(by=world.member, committee=world.committee,
                                              lead_member=world.member.member, title=title, body=BODY,
                                              category=TopicCategory.objects.get(committee=world.committee,
                                                                                 name="社会建设"))
    return services.proposal_submit(proposal=proposal, by=world.member)


def test_the_kept_office_list_shows_a_transition_made_elsewhere(world, client_for):
    proposal = _submitted(world)
    staff = client_for(world.staff)
    assert "社会建设 待审查" in _text(staff.get(reverse("proposals:list") + "?page=1"))
    # The state moves but neither an event nor the edit time tells: the list is kept as it was.
    Proposal.objects.filter(pk=proposal.pk).update(state=State.REGISTERED, number=7)
    assert "社会建设 待审查" in _text(staff.get(reverse("proposals:list") + "?page=1"))
    Event.objects.bulk_create([Event(proposal=proposal, action="proposal.registered", from_state=State.SUBMITTED,
                                     to_state=State.REGISTERED, at=timezone.now())])
    text = _text(staff.get(reverse("proposals:list") + "?page=1"))
    assert "社会建设 已立案" in text and "社会建设 待审查" not in text


def test_the_kept_office_list_shows_an_edit_without_an_event(world, client_for):
    proposal = _submitted(world)
    staff = client_for(world.staff)
    assert TITLE in _text(staff.get(reverse("proposals:list") + "?page=1"))
    # A member correcting a returned proposal writes no event; the proposal's updated_at moves.
    Proposal.objects.filter(pk=proposal.pk).update(title="关于改进社区养老服务的建议", updated_at=timezone.now())
    text = _text(staff.get(reverse("proposals:list") + "?page=1"))
    assert "关于改进社区养老服务的建议" in text and TITLE not in text


def test_the_kept_office_list_shows_a_renamed_category(world, client_for):
    _submitted(world)
    staff = client_for(world.staff)
    assert "社会建设" in _text(staff.get(reverse("proposals:list") + "?page=1"))
    from tian.stats.freshness import bump

    TopicCategory.objects.filter(committee=world.committee, name="社会建设").update(name="社会事业")
    assert "刘安泽 社会建设" in _text(staff.get(reverse("proposals:list") + "?page=1"))  # kept: nothing told it
    bump()  # what saving a category in another process does after its commit
    assert "刘安泽 社会事业" in _text(staff.get(reverse("proposals:list") + "?page=1"))


def test_the_kept_office_list_is_per_user(world, client_for):
    from tian.accounts import services as account_services
    from tian.accounts.roles import Role

    _submitted(world)
    client_for(world.staff).get(reverse("proposals:list") + "?page=1")
    other = account_services.user_create(username="tiwei2", full_name="提案委二", password="x" * 12,
                                         roles=[Role.STAFF], validate=False)
    response = client_for(other).get(reverse("proposals:list") + "?page=1")
    assert response.status_code == 200 and TITLE in _text(response)
    # The unit handler has no office list at all, kept or not.
    assert client_for(world.lead_handler).get(reverse("proposals:list") + "?page=1").status_code == 403


def _disclosed_elsewhere(proposal, **fields):
    """Disclosure as another process would commit it: the row and its event, no signal here."""
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=timezone.now(), **fields)
    Event.objects.bulk_create([Event(proposal=proposal, action="proposal.disclosed", from_state=proposal.state,
                                     to_state=proposal.state, at=timezone.now())])


def test_the_kept_portal_list_shows_a_disclosure_and_drops_a_withdrawn_one(world):
    proposal = _submitted(world)
    public = Client()
    assert TITLE not in _text(public.get(reverse("portal:index")))
    _disclosed_elsewhere(proposal, is_public=True, state=State.CLOSED)
    assert TITLE in _text(public.get(reverse("portal:index")))
    assert TITLE in _text(public.get(reverse("portal:index")))  # kept
    # Taken back (the admin site saves the row): gone from the kept list at once, never shown again.
    Proposal.objects.filter(pk=proposal.pk).update(is_public=False, updated_at=timezone.now())
    assert TITLE not in _text(public.get(reverse("portal:index")))


def test_kept_values_are_in_djangos_cache_shared_by_every_process(world):
    """What one process keeps another reads: the values live in the cache ``CACHE_URL`` names, under a key that
    carries their marker, so a value computed before a change is never served after it."""
    from django.core.cache import cache

    from tian.proposals import derived

    proposal = _submitted(world)
    _disclosed_elsewhere(proposal, is_public=True, state=State.CLOSED)
    public = Client()
    assert TITLE in _text(public.get(reverse("portal:index")))
    marker = derived.change_marker()
    kept = [key for key in (derived.cache_key(("portal_facets", world.committee.pk), derived.events_marker()),)
            if cache.get(key) is not None]
    assert kept, "the portal's filter counts are in the shared cache"
    _disclosed_elsewhere(proposal, is_public=False)
    assert derived.change_marker() != marker
    assert TITLE not in _text(public.get(reverse("portal:index")))


def test_the_kept_portal_list_is_the_same_for_staff_and_public(world, client_for):
    proposal = _submitted(world)
    staff = client_for(world.staff)
    # Staff see the submitted proposal in the office; the portal, kept or not, never shows it to anyone.
    assert TITLE in _text(staff.get(reverse("proposals:list") + "?page=1"))
    assert TITLE not in _text(staff.get(reverse("portal:index")))
    assert TITLE not in _text(Client().get(reverse("portal:index")))
    _disclosed_elsewhere(proposal, is_public=True, state=State.CLOSED)
    assert TITLE in _text(Client().get(reverse("portal:index")))


def _assigned(world):
    from tian.handling import services as handling

    proposal = services.proposal_register(proposal=_submitted(world), by=world.staff)
    return handling.proposal_assign(proposal=proposal, by=world.staff, lead_units=[world.units["区民政局"]])


def _contact(world, assignment, summary, *, bulk=False):
    """A contact record through the service (an event: the revision moves), or ``bulk``: written behind the
    application's back (no event, no revision)."""
    from tian.handling import services as handling
    from tian.handling.models import Assignment, ContactRecord

    if bulk:
        ContactRecord.objects.bulk_create([ContactRecord(
            assignment=assignment, method=ContactRecord.Method.PHONE, contacted_on=timezone.localdate(),
            summary=summary, recorded_by=world.lead_handler)])
        return
    if assignment.status == Assignment.Status.ASSIGNED:
        handling.assignment_sign_for(assignment=assignment, by=world.lead_handler)
    handling.contact_record(assignment=Assignment.objects.get(pk=assignment.pk), by=world.lead_handler,
                            method="phone", contacted_on=timezone.localdate(), summary=summary)


def test_the_kept_proposal_page_follows_its_revision(world, client_for):
    proposal = _assigned(world)
    assignment = proposal.assignments.get()
    staff = client_for(world.staff)
    url = reverse("proposals:detail", args=[proposal.pk])
    assert staff.get(url).status_code == 200
    _contact(world, assignment, "未经应用写入的沟通记录", bulk=True)
    assert "未经应用写入的沟通记录" not in _text(staff.get(url))  # kept: no event, the revision did not move
    revision = Proposal.objects.get(pk=proposal.pk).revision
    _contact(world, assignment, "电话沟通了办理思路")  # through the service: its event moves the revision
    assert Proposal.objects.get(pk=proposal.pk).revision > revision
    text = _text(staff.get(url))
    assert "电话沟通了办理思路" in text and "未经应用写入的沟通记录" in text


def test_the_kept_proposal_page_is_per_viewer(world, client_for):
    proposal = _assigned(world)
    url = reverse("proposals:detail", args=[proposal.pk])
    staff_page = _text(client_for(world.staff).get(url))
    member_page = _text(client_for(world.member).get(url))
    assert "提案 ›" in staff_page and "提案 ›" not in member_page  # the office's way back to its list
    assert client_for(world.other_handler).get(url).status_code == 404  # another unit: not theirs, kept or not
    assert client_for(world.stranger).get(url).status_code == 404


def _body_form(html: str) -> tuple[str, str]:
    """The action and token of the first form of the page's content (the layout's sign-out form is not kept)."""
    action, token = re.search(r'<form method="post" action="(/proposals/[^"]+)">'
                              r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', html).groups()
    return action, token


def test_a_kept_proposal_page_carries_a_valid_csrf_token(world, client_for):
    proposal = _assigned(world)
    url = reverse("proposals:detail", args=[proposal.pk])
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(world.staff)
    staff.get(url)
    first = _body_form(staff.get(url).content.decode())  # the kept rendering
    other = Client(enforce_csrf_checks=True)  # another browser of the same person has its own secret
    other.force_login(world.staff)
    second = _body_form(other.get(url).content.decode())
    # Both read before either posts (a post changes the proposal, and so its page).
    for client, (action, token) in ((other, second), (staff, first)):
        assert client.post(action, {"csrfmiddlewaretoken": token}).status_code != 403


def test_the_revision_moves_after_the_commit_and_not_for_a_rollback(world):
    from django.db import transaction

    from tian.handling.models import Assignment

    proposal = _assigned(world)
    assignment = proposal.assignments.get()
    _contact(world, assignment, "第一次沟通")
    assignment = Assignment.objects.get(pk=assignment.pk)
    revision = Proposal.objects.get(pk=proposal.pk).revision
    with transaction.atomic():
        for n in range(3):
            _contact(world, assignment, f"第{n}次沟通")
        assert Proposal.objects.get(pk=proposal.pk).revision == revision  # not before the commit
    assert Proposal.objects.get(pk=proposal.pk).revision == revision + 3  # once per event
    try:
        with transaction.atomic():
            _contact(world, assignment, "撤销的记录")
            raise RuntimeError
    except RuntimeError:
        pass
    assert Proposal.objects.get(pk=proposal.pk).revision == revision + 3


def test_a_reply_draft_saved_again_moves_the_revision(world, client_for):
    from tian.handling import services as handling
    from tian.handling.models import Assignment

    proposal = _assigned(world)
    assignment = proposal.assignments.get()
    handling.assignment_sign_for(assignment=assignment, by=world.lead_handler)
    assignment = Assignment.objects.get(pk=assignment.pk)
    handling.reply_save(assignment=assignment, by=world.lead_handler, body="答复初稿")
    unit = client_for(world.lead_handler)
    url = reverse("proposals:detail", args=[proposal.pk])
    assert "答复初稿" in _text(unit.get(url))
    handling.reply_save(assignment=assignment, by=world.lead_handler, body="答复修改稿")  # no event
    assert "答复修改稿" in _text(unit.get(url))


def test_the_kept_unit_inbox_shows_a_change_made_elsewhere(world, client_for):
    from tian.handling.models import Assignment

    proposal = _assigned(world)
    handler = client_for(world.lead_handler)
    url = reverse("handling:inbox")
    assert "待签收 1" in _text(handler.get(url))
    # Signed for behind the application's back, with no event: the kept inbox is still served.
    Assignment.objects.filter(proposal=proposal).update(status=Assignment.Status.SIGNED)
    Proposal.objects.filter(pk=proposal.pk).update(state=State.HANDLING)
    assert "待签收 1" in _text(handler.get(url))
    Event.objects.bulk_create([Event(proposal=proposal, action="assignment.signed", from_state=State.ASSIGNED,
                                     to_state=State.HANDLING, at=timezone.now())])
    text = _text(handler.get(url))
    assert "待签收" not in text and "待办前沟通 1" in text
    # Another unit's handler has an inbox of their own, kept or not.
    assert proposal.title not in _text(client_for(world.other_handler).get(url))


def test_the_kept_statistics_filter_offers_a_session_added_elsewhere(world, client_for):
    import datetime

    from tian.organisations.models import Session

    staff = client_for(world.staff)
    url = reverse("stats:index") + "?term=" + str(world.current_term.pk)
    assert "八届五次全会" not in _text(staff.get(url))
    assert "八届五次全会" not in _text(staff.get(url))  # kept
    Session.objects.create(term=world.current_term, number=5, year=2030,
                           submissions_open_on=datetime.date(2030, 1, 5), plenary_start=datetime.date(2030, 1, 13),
                           plenary_end=datetime.date(2030, 1, 16), plenary_deadline=datetime.date(2030, 1, 16))
    assert "八届五次全会" in _text(staff.get(url))


def test_an_event_committed_out_of_id_order_is_seen_at_once(world):
    """A slower transaction took an event id before a faster one took the next, and commits after it: the newest
    id is unchanged, but the count of the newest ids is not, so nothing waits for the safety net."""
    proposal = _submitted(world)
    _disclosed_elsewhere(proposal, is_public=True, state=State.CLOSED)
    public = Client()
    assert TITLE in _text(public.get(reverse("portal:index")))
    taken = Event.objects.order_by("-id").first().pk + 1  # the slower transaction's id
    Event.objects.bulk_create([Event(pk=taken + 1, proposal=proposal, action="proposal.noted", from_state=State.CLOSED,
                                     to_state=State.CLOSED, at=timezone.now())])  # the faster one commits first
    assert TITLE in _text(public.get(reverse("portal:index")))
    # The slower transaction commits: the proposal taken back from the public, with the lower id.
    Proposal.objects.filter(pk=proposal.pk).update(is_public=False)
    Event.objects.bulk_create([Event(pk=taken, proposal=proposal, action="proposal.noted", from_state=State.CLOSED,
                                     to_state=State.CLOSED, at=timezone.now())])
    assert TITLE not in _text(public.get(reverse("portal:index")))
