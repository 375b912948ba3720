"""What every request or action reads first, as plain ORM queries and always current: the signed-in user with
their roles, an API token's user, the committee, the year's session, an account's member and the row an action
locks; and what a page read already is not read again (the reply letter's units)."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from tian.accounts import services as accounts
from tian.accounts.roles import Role
from tian.organisations.models import Committee, Session
from tian.organisations.selectors import current_committee, member_of, session_for_date
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.proposals.workflow import CONFLICT, WorkflowError


def _draft(world):
    category = TopicCategory.objects.filter(committee=world.committee).first()
    return services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                          title="关于完善社区养老服务的建议", body="建议。", category=category)


def test_a_role_granted_or_taken_away_counts_from_the_next_request(world, client_for, settings):
    # A role that asks a second factor ends the sessions opened without one (tests/test_security_roles_and_admin.py);
    # here no role asks one, so the session goes on with the role it was given.
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    client = client_for(world.stranger)
    url = reverse("proposals:list")
    assert client.get(url).status_code == 403
    accounts.user_update(user=world.stranger, roles=[Role.MEMBER, Role.STAFF], full_name="张三")
    assert client.get(url).status_code == 200
    accounts.user_update(user=world.stranger, roles=[Role.MEMBER], full_name="张三")
    assert client.get(url).status_code == 403


def test_a_token_is_read_with_its_user_and_roles_in_one_query(world, django_assert_num_queries):
    token, raw = accounts.token_create(user=world.member, name="脚本")
    with django_assert_num_queries(2):  # the token with its user and roles, and the first use written down
        user = accounts.token_user(raw)
    assert user == world.member and user.roles == frozenset({Role.MEMBER})
    with django_assert_num_queries(1):  # used again within the minute: nothing written
        assert accounts.token_user(raw).roles == frozenset({Role.MEMBER})
    assert accounts.token_user(raw + "x") is None
    accounts.token_revoke(token=token, by=world.member)
    assert accounts.token_user(raw) is None


def test_the_committee_and_the_session_of_a_day(world, settings):
    assert current_committee() == world.committee
    other = Committee.objects.create(name="政协广元市利州区委员会", region="广元市利州区", short_name="利州政协")
    assert current_committee() == world.committee  # the first one, as before
    settings.TIAN_COMMITTEE_ID = other.pk
    assert current_committee() == other
    assert session_for_date(world.committee, datetime.date(2023, 5, 1)) == world.session
    assert session_for_date(world.committee, datetime.date(2024, 5, 1)) == world.session  # no 2024: the last before
    assert session_for_date(other, datetime.date(2023, 5, 1)) is None  # the committee's own sessions only
    Session.objects.create(term=world.term, number=4, year=2024, submissions_open_on=datetime.date(2024, 1, 8),
                           plenary_start=datetime.date(2024, 1, 20), plenary_end=datetime.date(2024, 1, 23),
                           plenary_deadline=datetime.date(2024, 1, 23))
    assert session_for_date(world.committee, datetime.date(2024, 5, 1)).number == 4


def test_the_member_of_an_account_is_read_once(world):
    user = type(world.member).objects.get(pk=world.member.pk)
    with CaptureQueriesContext(connection) as captured:
        assert member_of(user) == world.member.member
        assert member_of(user) is user.member
    assert len(captured) == 1
    assert member_of(type(world.staff).objects.get(pk=world.staff.pk)) is None


@override_settings(DEBUG=True)
def test_locking_reads_the_current_row_and_keeps_the_callers_committee_and_session(world):
    proposal = _draft(world)
    Proposal.objects.filter(pk=proposal.pk).update(title="关于改过的建议")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        fresh = services.lock(proposal)
        assert fresh.committee == world.committee and fresh.session == proposal.session
    assert fresh.title == "关于改过的建议" and fresh is not proposal
    assert len(captured) == 1  # the row alone: the committee and session are those the caller read
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in captured.captured_queries[-1]["sql"]


def test_locking_refuses_a_proposal_whose_state_moved(world):
    proposal = _draft(world)
    Proposal.objects.filter(pk=proposal.pk).update(state="submitted")
    with transaction.atomic(), pytest.raises(WorkflowError) as refused:
        services.lock(proposal)
    assert refused.value.code == CONFLICT


def test_the_reply_letter_names_the_assisting_units_from_what_the_proposal_page_read(world, assigned):
    from django.db.models import Prefetch

    from tests.test_handling_pages import REPLY, TODAY, signed
    from tian.handling import services as handling
    from tian.handling.letters import build_letter
    from tian.handling.models import ReplyCoSignature
    from tian.proposals.selectors import get_proposal_for

    lead = signed(world, assigned).assignments.get(role="lead")
    draft = handling.reply_save(assignment=lead, by=world.lead_handler, **{**REPLY, "reply_date": TODAY})
    # not sent yet: signed by the assisting units it will go to
    proposal = get_proposal_for(world.staff, assigned.pk)  # its assignments read with their units
    draft = proposal.replies.select_related("unit", "assignment").get(pk=draft.pk)
    draft.proposal = proposal
    with CaptureQueriesContext(connection) as captured:
        units = build_letter(draft).signature_units
    assert units == ["广元市朝天区民政局", "广元市朝天区教育和科学技术局"]
    assert not any("handling_assignment" in q["sql"] for q in captured.captured_queries)
    # Sent to be co-signed, signed by the units it went to: read with the page's replies, no query of them.
    reply = handling.reply_submit(reply=draft, by=world.lead_handler)
    reply = proposal.replies.select_related("unit", "assignment").prefetch_related(
        Prefetch("cosignatures", queryset=ReplyCoSignature.objects.select_related("unit"))).get(pk=reply.pk)
    reply.proposal = proposal
    with CaptureQueriesContext(connection) as captured:
        assert build_letter(reply).signature_units == units
    assert not any("handling_replycosignature" in q["sql"] for q in captured.captured_queries)
    # Read without them (an export of the letter alone), the units come in one query.
    alone = type(reply).objects.select_related("unit", "assignment", "proposal").get(pk=reply.pk)
    with CaptureQueriesContext(connection) as captured:
        assert build_letter(alone).signature_units == units
    assert sum("handling_replycosignature" in q["sql"] for q in captured.captured_queries) == 1


@pytest.mark.django_db(transaction=True)  # outside a test's transaction, as served: the results are kept
def test_a_signed_in_search_reads_the_committees_versions_once(world, client_for):
    """The search's kept filter bar, its kept results and the filter form's choices all hang on the committee's
    versions: one read of them serves all three."""
    client = client_for(world.staff)
    url = reverse("search:search") + "?q=养老"
    client.get(url)  # kept
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if '"core_version"' in q["sql"]]
    assert len(reads) == 1, reads
