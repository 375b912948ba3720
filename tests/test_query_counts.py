"""The benchmarked pages make the same number of queries on a small and on a larger dataset (no N+1), and at
most ``LIMIT`` each. Not timed: ``scripts/bench.py`` measures time.

Tests run inside a transaction, where no page part is kept between requests (``core/versions.cached``), so the
counts here are those of a first visit, the pages' worst case (the statistics' figures, shared by every viewer, are
kept: ``stats/freshness.py``).
"""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.demo.synthetic import generate
from tian.organisations.models import LeadOfficial
from tian.proposals.models import Proposal, State

TODAY = datetime.date(2026, 11, 28)
LIMIT = 15
SIZES = (120, 600)


def pages(staff, member, handler) -> dict:
    """The pages of scripts/bench.py, for the users it picks."""
    some = Proposal.objects.filter(state=State.HANDLING).order_by("pk").first()
    return {
        "staff list": (staff, "/proposals/?state=handling&page=2"),
        "proposal detail": (staff, f"/proposals/{some.pk}/"),
        "unit inbox": (handler, "/unit/"),
        "member home": (member, "/home/member/"),
        "portal list": (None, "/public/"),
        "public search": (None, "/public/search/?q=建设"),
        "stats session": (staff, f"/stats/?session={some.session_id}"),
        "stats term": (staff, f"/stats/?term={some.session.term_id}"),
    }


def queries_of(pages: dict) -> dict[str, int]:
    """The queries each of ``pages`` (name: (user or None, url)) makes."""
    result = {}
    for name, (user, url) in pages.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        # Twice first: the first visit stores the list's filters in the session and the second renews the
        # session's idle timeout; neither happens on the visits after.
        client.get(url)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        result[name] = len(queries)
    return result


def counts(size: int) -> dict[str, int]:
    generate(proposals=size, seed=11, today=TODAY)
    staff = User.objects.filter(role_grants__role="staff").first()
    member = User.objects.filter(member__led_proposals__isnull=False, role_grants__role="member").first()
    handler = User.objects.filter(unit__assignments__proposal__state="handling", role_grants__role="unit_handler").first()
    return queries_of(pages(staff, member, handler))


def list_counts(size: int) -> dict[str, int]:
    """Queries of the lists that say a deadline or a satisfaction per row (not benchmarked), for one dataset."""
    generate(proposals=size, seed=11, today=TODAY)
    staff = User.objects.filter(role_grants__role="staff").first()
    official = LeadOfficial.objects.annotate(n=Count("proposals")).order_by("-n").first()  # the most rows
    follower = User.objects.create(username=f"official-{size}", full_name=official.name, lead_official=official)
    follower.role_grants.create(role=Role.LEAD_OFFICIAL)
    session = Proposal.objects.filter(is_public=True).first().session
    return queries_of({
        "office queue": (staff, "/proposals/review/"),
        "key proposals": (follower, "/supervision/key/"),
        "open data": (None, f"/public/data/{session.pk}.csv"),
    })


def grown_with_the_data(count) -> tuple[dict, dict]:
    """The pages whose queries differ between the small and the large dataset, and the large one's counts."""
    measured = []
    for size in SIZES:
        with transaction.atomic():  # each dataset is rolled back before the next is made
            measured.append(count(size))
            transaction.set_rollback(True)
    small, large = measured
    return {name: (small[name], large[name]) for name in small if large[name] != small[name]}, large


@pytest.mark.django_db
def test_query_counts_are_flat_and_small():
    grown, large = grown_with_the_data(counts)
    assert not grown, f"query counts changed with the data (small, large): {grown}"
    too_many = {name: n for name, n in large.items() if n > LIMIT}
    assert not too_many, f"pages making more than {LIMIT} queries: {too_many}"


@pytest.mark.django_db
def test_lists_that_say_a_deadline_or_satisfaction_per_row_are_flat():
    grown, _large = grown_with_the_data(list_counts)
    assert not grown, f"query counts changed with the data (small, large): {grown}"
