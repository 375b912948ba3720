"""The signed-in search page keeps a query's results per viewer and its filter fields per the filters chosen
(search/views.search): what one viewer may see never shows to another, and a change shows on the very next search.
Each change commits, as on a server (a kept page is only kept outside a transaction)."""

import re

import pytest
from django.urls import reverse

from tests.test_search import submitted
from tian.organisations.services import named_save

pytestmark = pytest.mark.django_db(transaction=True)


def _found(client, query: str) -> str:
    response = client.get(reverse("search:search"), {"q": query})
    assert response.status_code == 200
    return re.sub(r"<mark>|</mark>", "", response.content.decode())  # titles read whole, without highlights


def test_a_kept_search_shows_each_viewer_only_what_they_may_see_and_a_change_at_once(world, client_for):
    own = submitted(world, "关于发展普惠托育服务的建议", "建议建设普惠托育机构。")
    others = submitted(world, "关于托育机构监管的建议", "建议加强托育机构日常监管。", by=world.cosigner)
    staff, member = client_for(world.staff), client_for(world.member)
    page = _found(staff, "托育")
    assert own.title in page and others.title in page
    # The same query by a member who may not see the co-signer's proposal: not the staff's kept results.
    page = _found(member, "托育")
    assert own.title in page and others.title not in page
    assert others.title in _found(staff, "托育")
    # A new proposal shows on the very next search of each viewer who may see it.
    newer = submitted(world, "关于托育补贴的建议", "建议完善婴幼儿照护补贴。", by=world.cosigner)
    assert newer.title in _found(staff, "托育")
    assert newer.title not in _found(member, "托育")
    newest = submitted(world, "关于社区托育点的建议", "建议在社区设立托育点。")
    assert newest.title in _found(member, "托育")


def test_the_kept_filter_fields_show_a_renamed_unit_at_once(world, client_for):
    submitted(world, "关于发展普惠托育服务的建议", "建议建设普惠托育机构。")
    staff = client_for(world.staff)
    assert "区民政局" in _found(staff, "托育")
    unit = world.units["区民政局"]
    unit.name = "区民政和社会事务局"
    named_save(unit)  # as the management pages save it
    page = _found(staff, "养老")  # another query: the filter fields were kept from the first
    assert "区民政和社会事务局" in page and "区民政局<" not in page


def test_the_kept_filter_fields_offer_a_new_year_at_once(world, client_for):
    import datetime
    from zoneinfo import ZoneInfo

    submitted(world, "关于发展普惠托育服务的建议", "建议建设普惠托育机构。")
    staff = client_for(world.staff)
    year = world.current_session.year
    assert f'<option value="{year}"' not in _found(staff, "托育")
    submitted(world, "关于社区托育点的建议", "建议在社区设立托育点。",
              when=datetime.datetime(year, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert f'<option value="{year}"' in _found(staff, "养老")
