"""Queries compiled once per connection (``tian.core.compiled``): the same rows and objects as the ORM gives,
without building and compiling the query again."""

import datetime

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext, override_settings

from tian.core.compiled import fetch_objects
from tian.organisations.models import Committee, Session
from tian.organisations.selectors import current_committee, member_of, session_for_date
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory


@pytest.fixture
def compilations(monkeypatch):
    """How many times the ORM compiled a SELECT."""
    count = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        count.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return count


def _draft(world):
    category = TopicCategory.objects.filter(committee=world.committee).first()
    return services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                          title="关于完善社区养老服务的建议", body="建议。", category=category)


def test_objects_are_those_the_orm_gives_with_their_related_rows(world, compilations):
    proposal = _draft(world)
    build = lambda pk: Proposal.objects.select_related("committee", "session__term").filter(pk=pk)  # noqa: E731
    expected = build(proposal.pk).get()
    compilations.clear()
    first = fetch_objects("test.proposal", build, proposal.pk)
    again = fetch_objects("test.proposal", build, proposal.pk)
    assert len(compilations) == 1  # compiled once, then its SQL is run with the value in place
    for found in (first, again):
        assert len(found) == 1
        got = found[0]
        assert got == expected and got._state.adding is False and got._state.db == "default"
        assert {f.attname: getattr(got, f.attname) for f in Proposal._meta.concrete_fields} == \
            {f.attname: getattr(expected, f.attname) for f in Proposal._meta.concrete_fields}
        assert isinstance(got.created_at, datetime.datetime)  # converted as the ORM converts (SQLite: text)
        with CaptureQueriesContext(connection) as captured:
            assert got.committee == world.committee and got.session.term.number == expected.session.term.number
        assert len(captured) == 0  # read with the row
    assert fetch_objects("test.proposal", build, proposal.pk + 1000) == []


def test_a_query_without_a_value_and_one_with_a_stand_in_of_the_columns_range(world, settings):
    assert current_committee() == world.committee
    other = Committee.objects.create(name="政协广元市利州区委员会", region="广元市利州区", short_name="利州政协")
    assert current_committee() == world.committee  # the first one, as before
    settings.TIAN_COMMITTEE_ID = other.pk
    assert current_committee() == other
    # A session's year refuses a negative number: it has a stand-in of its own.
    assert session_for_date(world.committee, datetime.date(2023, 5, 1)) == world.session
    assert session_for_date(world.committee, datetime.date(2024, 5, 1)) == world.session  # no 2024: the last before
    assert session_for_date(other, datetime.date(2023, 5, 1)) is None  # keyed by committee
    Session.objects.create(term=world.term, number=4, year=2024, submissions_open_on=datetime.date(2024, 1, 8),
                           plenary_start=datetime.date(2024, 1, 20), plenary_end=datetime.date(2024, 1, 23),
                           plenary_deadline=datetime.date(2024, 1, 23))
    assert session_for_date(world.committee, datetime.date(2024, 5, 1)).number == 4


def test_a_query_that_does_not_take_its_value_is_refused(world):
    with pytest.raises(ValueError, match="does not take its value"):
        fetch_objects("test.unparameterised", lambda pk: Committee.objects.filter(pk=world.committee.pk), 5)


def test_the_member_of_an_account_is_read_once(world):
    user = type(world.member).objects.get(pk=world.member.pk)
    with CaptureQueriesContext(connection) as captured:
        assert member_of(user) == world.member.member
        assert member_of(user) is user.member
    assert len(captured) == 1
    assert member_of(type(world.staff).objects.get(pk=world.staff.pk)) is None


@override_settings(DEBUG=True)
def test_locking_reads_the_current_row(world):
    proposal = _draft(world)
    Proposal.objects.filter(pk=proposal.pk).update(title="关于改过的建议")
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        fresh = services.lock(proposal)
    assert fresh.title == "关于改过的建议" and fresh is not proposal
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in captured.captured_queries[-1]["sql"]
