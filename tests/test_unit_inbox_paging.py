"""The unit inbox a few items at a time: every group shows its exact count and its most urgent items, and a
group's pages reach every item exactly once. 区民政局 leads, 区教科局 assists, 区财政局 has nothing."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_handling_pages import assigned_proposal, signed, submitted_reply, text
from tian.accounts.models import User
from tian.dashboard.home import unit_tiles
from tian.demo.synthetic import generate
from tian.handling.models import Assignment, UnitRole
from tian.pages.handling import inbox as tasks
from tian.pages.handling.views import inbox_groups

INBOX = reverse("handling:inbox")
TITLES = [f"关于改善第{i}社区养老服务的建议" for i in range(1, 8)]  # more than PREVIEW


def titles_in(html: str) -> list[str]:
    """The proposal titles linked from the page, in page order."""
    return re.findall(r'<a href="/unit/proposals/\d+/">([^<]+)</a>', html)


@pytest.fixture
def seven(world):
    """Seven proposals for 区民政局 to sign for, with deadlines in the reverse order of their creation."""
    proposals = [assigned_proposal(world, title) for title in TITLES]
    today = datetime.date.today()
    for days, p in zip(range(70, 0, -10), proposals, strict=True):
        Assignment.objects.filter(proposal=p).update(deadline=today + datetime.timedelta(days=days))
    return proposals


def test_the_overview_shows_the_most_urgent_items_and_the_exact_count(world, client_for, seven):
    assert tasks.PREVIEW < len(TITLES)
    html = client_for(world.lead_handler).get(INBOX).content.decode()
    assert titles_in(html) == TITLES[::-1][:tasks.PREVIEW]  # the nearest deadline first
    assert f'<span class="badge badge--info">{len(TITLES)}</span>' in html
    assert 'href="?group=sign"' in html  # to all of them


def test_a_group_pages_through_every_item_exactly_once(world, client_for, seven, monkeypatch):
    monkeypatch.setattr(tasks, "PAGE_SIZE", 3)
    client = client_for(world.lead_handler)
    seen = []
    for number in (1, 2, 3):
        response = client.get(INBOX, {"group": "sign", "page": number})
        seen += titles_in(response.content.decode())
    assert seen == TITLES[::-1]
    page = text(client.get(INBOX, {"group": "sign", "page": 3}))
    assert "第 3 页" in page and "共 3 页" in page
    # a page past the end shows the last one; a page that is no number, the first
    assert titles_in(client.get(INBOX, {"group": "sign", "page": 9}).content.decode()) == [TITLES[0]]
    assert titles_in(client.get(INBOX, {"group": "sign", "page": "x"}).content.decode()) == TITLES[::-1][:3]


def test_a_group_page_lists_only_that_group(world, client_for, seven):
    signed(world, seven[0])
    client = client_for(world.lead_handler)
    assert titles_in(client.get(INBOX, {"group": "sign"}).content.decode()) == TITLES[1:][::-1]
    assert titles_in(client.get(INBOX, {"group": "reply"}).content.decode()) == [TITLES[0]]
    assert titles_in(client.get(INBOX, {"group": "cosign"}).content.decode()) == []
    assert f'href="{INBOX}"' in client.get(INBOX, {"group": "cosign"}).content.decode()  # back to the overview


def test_an_unknown_group_shows_the_overview(world, client_for, seven):
    html = client_for(world.lead_handler).get(INBOX, {"group": "nonsense"}).content.decode()
    assert titles_in(html) == TITLES[::-1][:tasks.PREVIEW]


def test_other_units_never_see_the_items(world, client_for, seven):
    other = client_for(world.other_handler)
    for params in ({}, {"group": "sign"}, {"group": "sign", "page": 2}, {"group": "opinion"}):
        assert titles_in(other.get(INBOX, params).content.decode()) == []
    assert all(count == 0 for count in tasks.group_counts(world.other_handler.unit_id).values())
    # the assisting unit sees them with its own role, never the lead unit's tasks
    assisting = client_for(world.assisting_handler)
    assert titles_in(assisting.get(INBOX, {"group": "sign"}).content.decode()) == TITLES[::-1]
    assert "协办单位" in text(assisting.get(INBOX, {"group": "sign"}))
    assert "主办单位" not in text(assisting.get(INBOX, {"group": "sign"}))


def test_counts_are_exact_in_every_group(world, seven):
    lead_unit = world.lead_handler.unit_id
    signed(world, seven[0])
    signed(world, seven[1])
    submitted_reply(world, seven[1])
    counts = tasks.group_counts(lead_unit)
    everything = {key: len(items) for key, items in tasks.all_items(lead_unit).items()}
    assert counts == everything
    # The second one's reply has left the unit: it is no longer asked to contact the proposer first.
    assert counts["sign"] == 5 and counts["contact"] == 1 and counts["reply"] == 1
    assistant = tasks.group_counts(world.assisting_handler.unit_id)
    assert assistant["cosign"] == 1 and assistant["opinion"] == 2 and assistant["sign"] == 5


def test_the_cosign_group_pages_too(world, client_for, monkeypatch):
    proposals = [signed(world, assigned_proposal(world, title)) for title in TITLES[:3]]
    for p in proposals:
        submitted_reply(world, p)
    monkeypatch.setattr(tasks, "PAGE_SIZE", 2)
    client = client_for(world.assisting_handler)
    seen = titles_in(client.get(INBOX, {"group": "cosign"}).content.decode())
    seen += titles_in(client.get(INBOX, {"group": "cosign", "page": 2}).content.decode())
    assert sorted(seen) == sorted(TITLES[:3])
    assert tasks.group_counts(world.assisting_handler.unit_id)["cosign"] == 3
    assert titles_in(client_for(world.lead_handler).get(INBOX, {"group": "cosign"}).content.decode()) == []


def test_home_tiles_link_to_each_group(world, seven):
    tiles = {t["label"]: t for t in unit_tiles(world.lead_handler, world.committee)}
    assert tiles["待签收"]["count"] == len(TITLES)
    assert tiles["待签收"]["url"] == f"{INBOX}?group=sign"


def test_the_api_task_list_still_lists_everything(world, seven):
    groups = {g["key"]: g for g in inbox_groups(world.lead_handler)}
    assert [a.proposal.title for a in groups["sign"]["items"]] == TITLES[::-1]


# --- a large and a small synthetic committee --------------------------------------------------------------

SIZES = (120, 600)
TODAY = datetime.date(2026, 11, 28)


def _measure(size: int) -> dict:
    generate(proposals=size, seed=11, today=TODAY)
    handler = User.objects.filter(unit__assignments__proposal__state="handling",
                                  role_grants__role="unit_handler").first()
    # The synthetic committee spreads the work over 200 units; give this one every lead assignment it is not on,
    # as a busy unit at 100,000 proposals has hundreds open.
    mine = Assignment.objects.filter(unit_id=handler.unit_id).values("proposal_id")
    Assignment.objects.filter(role=UnitRole.LEAD).exclude(proposal_id__in=mine).update(unit_id=handler.unit_id)
    counts = tasks.group_counts(handler.unit_id)
    biggest = max(counts, key=counts.get)
    client = Client()
    client.force_login(handler)
    result = {"counts": counts, "queries": {}, "rows": {}}
    urls = {"overview": INBOX, "group": f"{INBOX}?group={biggest}", "last page": f"{INBOX}?group={biggest}&page=999",
            "home": reverse("dashboard:home_unit")}
    for name, url in urls.items():
        client.get(url)
        client.get(url)  # the session's first writes, as in test_query_counts
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        result["queries"][name] = len(queries)
        result["rows"][name] = response.content.decode().count("<tr>")
    # every group's pages together are the group, each item once
    everything = tasks.all_items(handler.unit_id)
    for group in tasks.GROUPS:
        paged = []
        for number in range(1, (counts[group.key] + 6) // 7 + 1):
            total, page = tasks.group_page(handler.unit_id, group, page=number, size=7)
            assert total == counts[group.key], group.key
            paged += [t.proposal_id for t in page]
        expected = [(a.reply.proposal_id if group.kind == "cosign" else a.proposal_id) for a in everything[group.key]]
        assert sorted(paged) == sorted(expected), group.key
        assert len(paged) == len(set(paged)) == counts[group.key], group.key
    return result


@pytest.mark.django_db
def test_the_inbox_costs_the_same_with_more_data():
    measured = []
    for size in SIZES:
        with transaction.atomic():
            measured.append(_measure(size))
            transaction.set_rollback(True)
    small, large = measured
    assert sum(large["counts"].values()) > 2 * sum(small["counts"].values())  # the unit really has more open
    assert max(large["counts"].values()) > tasks.PREVIEW  # and the overview shows only part of a group
    assert large["queries"] == small["queries"]
    assert max(large["queries"].values()) <= 15
    most = len(tasks.GROUPS) * (tasks.PREVIEW + 1)  # a header row a group
    assert large["rows"]["overview"] <= most and large["rows"]["group"] <= tasks.PAGE_SIZE + 1
