"""The suggestions where the clerk assigns: on the proposal page's assignment form, and beside each proposal of a
bulk assignment (issue #23, point 1)."""

import re

from django.urls import reverse

from tests.test_suggest import registered
from tian.suggest.models import UnitRule


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_assignment_form_offers_the_suggested_units_with_a_button_that_fills_it(world, client_for):
    UnitRule.objects.create(committee=world.committee, keywords="留守儿童", unit=world.units["区民政局"])
    proposal = registered(world, "关于留守儿童上学安全的建议", "学校应当关心留守儿童。")
    html = client_for(world.staff).get(proposal.get_absolute_url()).content.decode()
    form = html[html.index('id="do-assign"'):]
    form = form[:form.index("</form>")]
    # Inside the assignment form, before its fields: the suggestion, why, and a button naming the unit's id.
    assert "建议承办单位" in form or "Suggested units" in form
    assert f'data-take-lead="{world.units["区民政局"].pk}"' in form and "留守儿童" in form
    assert form.index("data-take-lead") < form.index('name="lead_unit"')


def test_a_member_never_sees_suggestions(world, client_for):
    UnitRule.objects.create(committee=world.committee, keywords="留守儿童", unit=world.units["区民政局"])
    proposal = registered(world, "关于留守儿童上学安全的建议", "学校应当关心留守儿童。")
    assert "data-take-lead" not in client_for(world.member).get(proposal.get_absolute_url()).content.decode()


def test_a_bulk_assignment_shows_each_proposals_suggested_lead(world, client_for):
    UnitRule.objects.create(committee=world.committee, keywords="留守儿童", unit=world.units["区民政局"])
    first = registered(world, "关于留守儿童上学安全的建议", "学校应当关心留守儿童。")
    second = registered(world, "关于发展茶叶产业的建议", "茶叶。")
    page = client_for(world.staff).post(reverse("proposals:bulk"), {"action": "assign", "ids": [first.pk, second.pk]})
    assert page.status_code == 200
    text = _text(page)
    assert "建议主办：区民政局" in text and text.count("建议主办") == 1
    # The batch's suggested lead, with a button that fills the bulk form's lead unit.
    html = page.content.decode()
    form = html[html.index('action="/proposals/bulk/"'):]
    form = form[:form.index("</form>")]
    assert f'data-take-lead="{world.units["区民政局"].pk}"' in form and "2 件中有 1 件建议由其主办" in _text(page)
