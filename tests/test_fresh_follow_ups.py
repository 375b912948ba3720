"""Issue #20 point 2 for this session's outputs: a follow-up report (回头看), a merged organisation's rating and a unit
taken off a proposal show on the very next request, outside a test's transaction (as served: kept pages are kept
only there), on the pages that keep what they render."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_follow_up_outputs import (  # noqa: F401 - fixtures
    MASKED,
    SAID,
    _report,
    disclosed,
    member_proposal,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_follow_up_report_shows_at_once_on_the_portal_and_the_proposal_page(world, disclosed, client_for):  # noqa: F811
    p, follow_up = disclosed
    portal, page = reverse("portal:detail", args=[p.pk]), p.get_absolute_url()
    public, member, stranger = Client(), client_for(world.member), client_for(world.stranger)
    for client, url in ((public, portal), (member, page), (stranger, page)):
        assert SAID not in _page(client, url)  # read (and kept) before the report
    _report(world, follow_up)
    for client, url in ((public, portal), (member, page), (stranger, page)):
        text = _page(client, url)
        assert SAID in text and MASKED in text, url


def test_a_merged_organisations_rating_leaves_its_home_at_once(world, client_for):
    from tests.test_merged_collective_rating import _answered

    _mine, target = _answered(world)
    client = client_for(world.collective)
    home = reverse("dashboard:home")
    assert target.title in client.get(home, follow=True).content.decode()  # read (and kept) before the rating
    response = client.post(reverse("proposals:action", args=[target.pk, "evaluate"]),
                           {"result": "satisfied", "round": 1, "state": "replied"})
    assert response.status_code == 302
    response = client.get(home, follow=True)
    assert target.title not in response.content.decode()
