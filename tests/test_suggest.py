"""Suggested units (智能交办): the unit mapping, the rules without history, the API's permission, the record of
taken and overridden suggestions, the training command and the suggestions page."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from tian.audit.models import AuditEntry
from tian.handling import services as handling
from tian.handling.models import Assignment, UnitRole
from tian.proposals import services
from tian.proposals.models import Proposal, State, TopicCategory
from tian.suggest import training
from tian.suggest.models import SuggestionOutcome, UnitMapping, UnitModel, UnitRule
from tian.suggest.selectors import MODEL, RULES, suggest_units
from tian.suggest.services import unit_model_train, unit_rule_save

CHILDREN = ("关于加强留守儿童关爱保护的建议", "留守儿童监护缺失，儿童督导员队伍不足，建议健全关爱保护机制。")
SCHOOL = ("关于整治校园周边交通秩序的建议", "上下学时段校园周边交通拥堵，建议增派警力疏导交通秩序。")
DISPUTE = ("关于完善矛盾纠纷多元化解机制的建议", "基层矛盾纠纷增多，建议加强人民调解和法律援助服务。")


def history(world, count=30, years=(2022, 2023)):
    """Past proposals, assigned: children's matters to 区民政局 (区妇联 assisting), school traffic to 区公安分局
    (区教科局 assisting), disputes to 区司法局."""
    u = world.units
    topics = [(CHILDREN, u["区民政局"], [u["区妇联"]]), (SCHOOL, u["区公安分局"], [u["区教科局"]]),
              (DISPUTE, u["区司法局"], [])]
    rows = []
    for i in range(count):
        (title, body), lead, assisting = topics[i % 3]
        year = years[0] if i < count * 2 // 3 else years[1]
        p = Proposal.objects.create(committee=world.committee, session=world.session, year=year, number=i + 1,
                                    lead_member=world.member.member, created_by=world.member, title=title,
                                    body=body, state=State.CLOSED, assigned_on=datetime.date(year, 3, 1))
        for role, unit in [(UnitRole.LEAD, lead)] + [(UnitRole.ASSISTING, a) for a in assisting]:
            Assignment.objects.create(proposal=p, unit=unit, role=role, assigned_on=p.assigned_on,
                                      deadline=datetime.date(year, 6, 1), reassignment_deadline=datetime.date(year, 3, 9),
                                      status="signed")
        rows.append(p)
    return rows


def registered(world, title, body):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=title, body=body, category=category)
    p = services.proposal_submit(proposal=p, by=world.member)
    return services.proposal_register(proposal=p, by=world.staff)


# The model ---------------------------------------------------------------------------------------------------------

def test_a_trained_model_suggests_the_unit_that_handled_similar_proposals_with_reasons(world):
    past = history(world)
    model = unit_model_train(committee=world.committee, by=world.staff)
    assert model.version == 1 and model.trained_from == 30
    assert model.metrics["held_out_year"] == 2023
    p = registered(world, "关于进一步加强困境儿童和留守儿童关爱的建议", "留守儿童关爱保护工作需要加强。")
    s = suggest_units(p)
    assert s.source == MODEL and s.version == 1
    assert s.lead[0].unit == world.units["区民政局"]
    assert "留守儿童" in s.lead[0].terms or "儿童" in s.lead[0].terms
    similar = s.lead[0].similar[0]
    assert similar.lead == "区民政局" and similar.proposal_id in {x.pk for x in past} and "号" in similar.number
    assert world.units["区妇联"] in [a.unit for a in s.assisting]


def test_the_train_command_makes_a_new_version_each_time(world):
    history(world)
    call_command("train_unit_model", "--committee", str(world.committee.pk), stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("train_unit_model", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(UnitModel.objects.filter(committee=world.committee).values_list("version", flat=True)) == [2, 1]
    assert suggest_units(registered(world, *SCHOOL)).version == 2


def test_too_little_history_makes_no_model(world):
    history(world, count=training.MIN_EXAMPLES - 1)
    assert unit_model_train(committee=world.committee) is None
    assert not UnitModel.objects.exists()


# The unit mapping (机构改革) ----------------------------------------------------------------------------------------

def test_a_merged_unit_is_learned_and_suggested_as_its_successor(world):
    history(world)
    merged = UnitMapping.objects.create(committee=world.committee, old_unit=world.units["区公安分局"])
    merged.new_units.set([world.units["区财政局"]])
    items = training.examples(world.committee)
    assert world.units["区公安分局"].pk not in {e.lead for e in items}
    unit_model_train(committee=world.committee)
    assert suggest_units(registered(world, *SCHOOL)).lead[0].unit == world.units["区财政局"]


def test_a_split_unit_shares_its_proposals_and_chains_are_followed(world):
    u = world.units
    split = UnitMapping.objects.create(committee=world.committee, old_unit=u["区民政局"])
    split.new_units.set([u["区司法局"], u["区妇联"]])
    renamed = UnitMapping.objects.create(committee=world.committee, old_unit=u["区司法局"])
    renamed.new_units.set([u["区财政局"]])
    successors = training.resolve_mapping(world.committee)[u["区民政局"].pk]
    assert sorted(successors) == sorted((u["区财政局"].pk, u["区妇联"].pk))
    # In the units' order, 区司法局's place taken by its own successor.
    direct = sorted((u["区司法局"], u["区妇联"]), key=lambda unit: (unit.order, unit.name))
    assert list(successors) == [u["区财政局"].pk if unit == u["区司法局"] else unit.pk for unit in direct]
    history(world)
    children = [e for e in training.examples(world.committee) if e.words and "儿童" in e.words]
    assert {e.lead for e in children} == {u["区财政局"].pk, u["区妇联"].pk}
    assert all(e.weight == 0.5 for e in children)
    # A model trained before the split suggests the successors, not the old unit.
    UnitMapping.objects.all().delete()
    unit_model_train(committee=world.committee)
    split = UnitMapping.objects.create(committee=world.committee, old_unit=u["区民政局"])
    split.new_units.set([u["区财政局"]])
    assert suggest_units(registered(world, *CHILDREN)).lead[0].unit == u["区财政局"]


# Rules when there is no history ---------------------------------------------------------------------------------------

def test_without_a_model_the_rules_suggest(world):
    UnitRule.objects.create(committee=world.committee, keywords="留守儿童 困境儿童", unit=world.units["区民政局"])
    UnitRule.objects.create(committee=world.committee, keywords="学校", unit=world.units["区教科局"],
                            role=UnitRole.ASSISTING)
    UnitRule.objects.create(committee=world.committee, keywords="交通", unit=world.units["区公安分局"])
    s = suggest_units(registered(world, "关于留守儿童上学安全的建议", "学校应当关心留守儿童。"))
    assert s.source == RULES
    assert [x.unit for x in s.lead] == [world.units["区民政局"]] and s.lead[0].terms == ["留守儿童"]
    assert [x.unit for x in s.assisting] == [world.units["区教科局"]]
    assert not suggest_units(registered(world, "关于发展茶叶产业的建议", "茶叶。"))


# The API ---------------------------------------------------------------------------------------------------------

def test_the_api_answers_staff_only(world, client_for):
    history(world)
    unit_model_train(committee=world.committee)
    p = registered(world, *DISPUTE)
    url = f"/api/v1/proposals/{p.pk}/suggested-units"
    answer = client_for(world.staff).get(url)
    assert answer.status_code == 200
    body = answer.json()
    assert body["source"] == "model" and body["lead"][0]["unit"] == "区司法局"
    assert body["lead"][0]["similar"][0]["lead_unit"] == "区司法局"
    for user in (world.member, world.lead_handler, world.supervisor):
        assert client_for(user).get(url).status_code == 403
    assert client_for(world.staff).get("/api/v1/proposals/999999/suggested-units").status_code == 404
    assert client_for(world.member).get("/api/v1/proposals/999999/suggested-units").status_code == 403


# Taken and overridden -------------------------------------------------------------------------------------------------

def test_an_assignment_records_whether_it_took_the_suggestions(world, django_capture_on_commit_callbacks):
    history(world)
    unit_model_train(committee=world.committee)
    u = world.units
    taken, overridden = registered(world, *SCHOOL), registered(world, *CHILDREN)
    with django_capture_on_commit_callbacks(execute=True):
        handling.proposal_assign(proposal=taken, by=world.staff, lead_units=[u["区公安分局"]], assisting_units=[])
        handling.proposal_assign(proposal=overridden, by=world.staff, lead_units=[u["区财政局"]],
                                 assisting_units=[u["区妇联"]])
    lead = SuggestionOutcome.objects.get(proposal=taken, role=UnitRole.LEAD)
    assert lead.unit == u["区公安分局"] and lead.taken and lead.version == 1
    dropped = SuggestionOutcome.objects.get(proposal=taken, role=UnitRole.ASSISTING, unit=u["区教科局"])
    assert not dropped.taken
    lead = SuggestionOutcome.objects.get(proposal=overridden, role=UnitRole.LEAD)
    assert lead.unit == u["区民政局"] and not lead.taken and lead.chosen == u["区财政局"]
    assert SuggestionOutcome.objects.get(proposal=overridden, role=UnitRole.ASSISTING, unit=u["区妇联"]).taken


def test_nothing_is_recorded_without_suggestions(world, django_capture_on_commit_callbacks):
    p = registered(world, *SCHOOL)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区公安分局"]])
    assert callbacks
    assert not SuggestionOutcome.objects.exists()


# The page --------------------------------------------------------------------------------------------------------

def test_the_page_shows_the_model_and_the_counts_per_unit(world, client_for, django_capture_on_commit_callbacks):
    history(world)
    unit_model_train(committee=world.committee, by=world.staff)
    p = registered(world, *SCHOOL)
    with django_capture_on_commit_callbacks(execute=True):
        handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区司法局"]])
    page = client_for(world.staff).get("/suggest/").content.decode()
    assert "30 件已交办提案" in page and "重新训练" in page
    assert "区公安分局" in page  # the overridden suggestion's unit, counted
    for user in (world.member, world.lead_handler):
        assert client_for(user).get("/suggest/").status_code == 403


def test_a_rule_with_errors_is_shown_again_with_what_was_typed(world, client_for):
    c = client_for(world.staff)
    answer = c.post("/suggest/rules/new/", {"rule-keywords": " ， ", "rule-unit": world.units["区民政局"].pk,
                                            "rule-role": "lead"})
    assert answer.status_code == 422 and "请至少填写一个关键词" in answer.content.decode()
    assert not UnitRule.objects.exists()
    long = "养老" * 11
    answer = c.post("/suggest/rules/new/", {"rule-keywords": f"低保 {long}", "rule-unit": world.units["区民政局"].pk,
                                            "rule-role": "lead"})
    assert answer.status_code == 422 and long in answer.content.decode()
    answer = c.post("/suggest/rules/new/", {"rule-keywords": "养老，低保", "rule-unit": world.units["区民政局"].pk,
                                            "rule-role": "lead"})
    assert answer.status_code == 302
    assert UnitRule.objects.get().keywords == "养老 低保"


def test_a_unit_cannot_be_mapped_to_itself_or_twice(world, client_for):
    c = client_for(world.staff)
    u = world.units
    answer = c.post("/suggest/mappings/new/", {"mapping-old_unit": u["区民政局"].pk,
                                               "mapping-new_units": [u["区民政局"].pk], "mapping-note": "改革"})
    assert answer.status_code == 422 and "单位不能对应到它自己" in answer.content.decode()
    assert c.post("/suggest/mappings/new/", {"mapping-old_unit": u["区民政局"].pk,
                                             "mapping-new_units": [u["区妇联"].pk]}).status_code == 302
    answer = c.post("/suggest/mappings/new/", {"mapping-old_unit": u["区民政局"].pk,
                                               "mapping-new_units": [u["区财政局"].pk]})
    assert answer.status_code == 422 and "该单位已有对应关系" in answer.content.decode()
    assert list(UnitMapping.objects.get().new_units.all()) == [u["区妇联"]]


@pytest.mark.parametrize("url", ["/suggest/retrain/"])
def test_retrain_from_the_page_makes_a_version(world, client_for, url):
    history(world)
    assert client_for(world.staff).post(url).status_code == 302
    assert UnitModel.objects.filter(committee=world.committee, version=1, trained_by=world.staff).exists()
    assert client_for(world.member).post(url).status_code == 403


def test_changes_to_the_suggestions_read_as_chinese_sentences_in_the_audit_log(world, client_for):
    unit_rule_save(rule=UnitRule(committee=world.committee, keywords="养老", unit=world.units["区民政局"]),
                   by=world.staff)
    entry = AuditEntry.objects.filter(object_type="unit_rule").get()
    assert entry.action == AuditEntry.Action.CHANGE
    page = client_for(world.staff).get(reverse("audit:search")).content.decode()
    assert "修改了建议承办单位：保存了一条关键词规则" in page
