"""The benchmarked pages make the same number of queries on a small and on a larger dataset: no N+1."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tian.accounts.models import User
from tian.core.synthetic import generate
from tian.proposals.models import Proposal, State

TODAY = datetime.date(2026, 11, 28)


def pages(staff, member, handler):
    some = Proposal.objects.filter(state=State.HANDLING).order_by("pk").first()
    session = some.session_id
    return {
        "staff list": (staff, "/proposals/?state=handling&page=1"),
        "proposal detail": (staff, f"/proposals/{some.pk}/"),
        "unit inbox": (handler, "/unit/"),
        "member home": (member, "/home/member/"),
        "portal list": (None, "/public/"),
        "public search": (None, "/public/search/?q=建议"),
        "stats session": (staff, f"/stats/?session={session}"),
    }


def counts(size):
    generate(proposals=size, seed=11, today=TODAY)
    staff = User.objects.filter(role_grants__role="staff").first()
    member = User.objects.filter(member__led_proposals__isnull=False, role_grants__role="member").first()
    handler = User.objects.filter(unit__assignments__isnull=False, role_grants__role="unit_handler").first()
    result = {}
    for name, (user, url) in pages(staff, member, handler).items():
        client = Client()
        if user is not None:
            client.force_login(user)
        client.get(url)  # warm caches (committee, calendar corrections)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        result[name] = len(queries)
    return result


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data():
    from django.db import transaction

    measured = []
    for size in (120, 600):
        with transaction.atomic():
            measured.append(counts(size))
            transaction.set_rollback(True)
    small, large = measured
    grown = {name: (small[name], large[name]) for name in small if large[name] > small[name]}
    assert not grown, f"queries grew with the data (small, large): {grown}"
