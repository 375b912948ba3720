"""Suggested units in the browser, at 1280 px and on a 390 px phone: the office writes a rule and a unit mapping
(an error first, shown beside its field with what was typed), retrains, takes the suggestions into the assignment
form with "采用" and assigns; the page counts the suggestion as taken."""

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, shot
from tests.test_suggest import SCHOOL, history, registered
from tian.suggest.models import SuggestionOutcome, UnitModel, UnitRule
from tian.suggest.selectors import suggest_units

pytestmark = pytest.mark.django_db(transaction=True)
DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
VIEWPORTS = [pytest.param({"width": 1280, "height": 900}, id="desktop"),
             pytest.param({"width": 390, "height": 844, "mobile": True}, id="phone")]


def keep(page, name):
    shot(page, name)
    DOCS.mkdir(exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", DOCS / f"{name}.png")


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_office_writes_rules_and_mappings_and_retrains(world, open_as, viewport):
    history(world)
    page = open_as(world.staff, **viewport)
    page.goto(page.base + "/suggest/")
    assert "尚无模型" in page.content()
    page.fill("#id_rule-keywords", "，")
    page.select_option("#id_rule-unit", label="区民政局")
    page.click("#rule-form button[type=submit]")
    assert page.locator("#id_rule-keywords_errors").inner_text() == "请至少填写一个关键词。"
    page.fill("#id_rule-keywords", "留守儿童 养老")
    page.click("#rule-form button[type=submit]")
    assert UnitRule.objects.get().keywords == "留守儿童 养老"
    page.select_option("#id_mapping-old_unit", label="区公安分局")
    page.check("#mapping-form input[type=checkbox] >> nth=0")
    page.click("#mapping-form button[type=submit]")
    assert page.locator("#mappings table").is_visible()
    page.click("text=重新训练")
    assert page.locator("#model-version").inner_text() == "1"
    assert UnitModel.objects.filter(committee=world.committee).count() == 1
    assert fits(page)
    keep(page, f"suggest-page-{'phone' if viewport.get('mobile') else 'desktop'}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_clerk_takes_the_suggestions_and_assigns(world, open_as, viewport):
    history(world)
    from tian.suggest.services import unit_model_train

    unit_model_train(committee=world.committee)
    proposal = registered(world, *SCHOOL)
    assert suggest_units(proposal)
    page = open_as(world.staff, **viewport)
    page.goto(page.base + proposal.get_absolute_url())
    form = "#do-assign form"
    page.wait_for_selector(f"{form} [data-suggestions]", state="attached")  # inside the assignment form
    page.wait_for_function("window.tianSuggestions === true")
    assert "区公安分局" in page.locator("[data-suggestions]").inner_text()
    page.click(f"[data-take-lead='{world.units['区公安分局'].pk}']")
    assert page.locator(f"{form} select[name=lead_unit]").input_value() == str(world.units["区公安分局"].pk)
    page.click(f"[data-take-assisting='{world.units['区教科局'].pk}']")
    assert page.locator(f"{form} input[name=assisting_units][value='{world.units['区教科局'].pk}']").is_checked()
    assert "已勾选为协办单位：区教科局" in page.locator("[data-take-status]").inner_text()
    assert fits(page)
    keep(page, f"suggest-assign-{'phone' if viewport.get('mobile') else 'desktop'}")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.assignments.get(role="lead").unit == world.units["区公安分局"]
    assert SuggestionOutcome.objects.get(proposal=proposal, role="lead").taken
    page.goto(page.base + "/suggest/")
    assert page.locator("#outcomes-h ~ div table").inner_text().count("区公安分局") == 1
