"""The office's bulk work (pages/proposals/bulk.py): many proposals, one action, each through its own service."""

import datetime
import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import submitted_on
from tian.deadlines.models import Reminder
from tian.handling import services as handling
from tian.handling.models import Assignment, UnitRole
from tian.organisations.models import Committee
from tian.proposals import services
from tian.proposals.models import Event, Proposal, State, TopicCategory


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def submitted(world, title, *, member=None, consent=True):
    member = member or world.member
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=member, committee=world.committee, lead_member=member.member,
                                       title=title, body="建议。", category=category, disclosure_consent=consent,
                                       non_disclosure_reason="" if consent else "涉及个人情况")
    return services.proposal_submit(proposal=p, by=member)


def registered(world, title, **kw):
    return services.proposal_register(proposal=submitted(world, title, **kw), by=world.staff)


def assigned(world, title, *, assigned_on=None, **kw):
    p = registered(world, title, **kw)
    if assigned_on:
        submitted_on(p, assigned_on)
    return handling.proposal_assign(proposal=p, by=world.staff,
                                    lead_units=[world.units["区民政局"]], assisting_units=[world.units["区教科局"]],
                                    assigned_on=assigned_on)


def replied(world, title, **kw):
    p = handling.proposal_assign(proposal=registered(world, title, **kw), by=world.staff,
                                 lead_units=[world.units["区民政局"]])
    lead = p.assignments.get()
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000")
    handling.reply_submit(reply=reply, by=world.lead_handler)
    p.refresh_from_db()
    assert p.state == State.REPLIED
    return p


def run_bulk(client, action, ids, **fields):
    """The bar's button (the selection and its form), then the confirmation (``step=run``)."""
    first = client.post(reverse("proposals:bulk"), {"action": action, "ids": ids, **fields})
    assert first.status_code == 200, first.content[:500]
    chosen = re.findall(r'name="ids" value="(\d+)"', first.content.decode())
    return client.post(reverse("proposals:bulk"), {"action": action, "ids": chosen, "step": "run", **fields},
                       follow=True)


def test_staff_register_many_at_once_and_a_refused_one_is_named_with_its_reason(world, client_for):
    waiting = [submitted(world, f"关于第{i}件事的建议") for i in range(3)]
    already = registered(world, "关于已经立案的建议")
    staff = client_for(world.staff)
    confirm = staff.post(reverse("proposals:bulk"), {"action": "register", "ids": [p.pk for p in [*waiting, already]]})
    assert "立案 4 件提案" in _text(confirm)
    result = run_bulk(staff, "register", [p.pk for p in [*waiting, already]])
    page = _text(result)
    assert "3 件已完成，1 件未执行" in page
    # The refused one by its number and title, with the reason in Chinese; the done ones with their new numbers.
    assert f"{already.number_year} 关于已经立案的建议 提案处于“已立案”状态，不能执行此操作" in page
    assert "关于第0件事的建议" in page and "尚未编号 关于第0件事的建议" not in page
    for p in waiting:
        p.refresh_from_db()
        assert p.state == State.REGISTERED and p.number
        assert Event.objects.filter(proposal=p, action="proposal.registered", actor=world.staff).exists()
    assert sorted(p.number for p in waiting) == [2, 3, 4]  # gapless after the one already registered
    assert Event.objects.filter(proposal=already, action="proposal.registered").count() == 1


def test_the_review_queue_offers_bulk_registration_without_javascript(world, client_for):
    a, b = submitted(world, "关于甲的建议"), submitted(world, "关于乙的建议")
    staff = client_for(world.staff)
    queue = staff.get(reverse("proposals:review_queue")).content.decode()
    assert f'name="ids" value="{a.pk}" form="bulk-review"' in queue
    assert 'id="bulk-review"' in queue and 'value="register"' in queue
    # "All on this page" without JavaScript: the box and the page's rows go with the form.
    first = staff.post(reverse("proposals:bulk"), {"action": "register", "page": "1", "page_ids": [a.pk, b.pk],
                                                    "next": reverse("proposals:review_queue")})
    assert "关于甲的建议" in _text(first) and "关于乙的建议" in _text(first)
    staff.post(reverse("proposals:bulk"), {"action": "register", "ids": [a.pk, b.pk], "step": "run",
                                           "next": reverse("proposals:review_queue")})
    assert Proposal.objects.filter(pk__in=[a.pk, b.pk], state=State.REGISTERED).count() == 2
    result = staff.get(reverse("proposals:bulk_result"))
    assert reverse("proposals:review_queue") in result.content.decode()  # leads back where it came from


def test_bulk_assign_gives_every_proposal_the_same_units_and_deadlines(world, client_for):
    ready = [registered(world, f"关于交办{i}的建议") for i in range(2)]
    not_registered = submitted(world, "关于尚未立案的建议")
    staff = client_for(world.staff)
    today = timezone.localdate()
    form = {"lead_unit": world.units["区民政局"].pk, "assisting_units": [world.units["区教科局"].pk],
            "assigned_on": today.isoformat(), "reply_deadline": (today + datetime.timedelta(days=60)).isoformat(),
            "supervising_offices": [world.offices["区政府办公室"].pk]}
    page = _text(run_bulk(staff, "assign", [p.pk for p in [*ready, not_registered]], **form))
    assert "2 件已完成，1 件未执行" in page and "关于尚未立案的建议" in page
    for p in ready:
        p.refresh_from_db()
        assert p.state == State.ASSIGNED
        lead = p.assignments.get(role=UnitRole.LEAD)
        assert lead.unit == world.units["区民政局"] and lead.deadline == today + datetime.timedelta(days=60)
        assert p.assignments.get(role=UnitRole.ASSISTING).unit == world.units["区教科局"]
        assert list(p.supervising_offices.all()) == [world.offices["区政府办公室"]]
    assert not Assignment.objects.filter(proposal=not_registered).exists()


def test_a_bad_deadline_on_the_bulk_form_keeps_every_input_and_the_selection(world, client_for):
    ready = [registered(world, f"关于交办{i}的建议") for i in range(2)]
    staff = client_for(world.staff)
    response = staff.post(reverse("proposals:bulk"), {
        "action": "assign", "step": "run", "ids": [p.pk for p in ready], "lead_unit": world.units["区民政局"].pk,
        "assisting_units": [world.units["区教科局"].pk], "assigned_on": "2024-05-10", "reply_deadline": "2024-05-01"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "答复期限必须晚于交办日期" in html
    assert f'value="{world.units["区民政局"].pk}" selected' in html
    assert re.search(rf'value="{world.units["区教科局"].pk}"[^>]*checked', html)
    assert 'value="2024-05-10"' in html and 'value="2024-05-01"' in html
    assert sorted(int(v) for v in re.findall(r'name="ids" value="(\d+)"', html)) == sorted(p.pk for p in ready)
    assert not Assignment.objects.filter(proposal__in=ready).exists()


def test_bulk_disclose_publishes_where_the_proposer_agreed(world, client_for):
    agreed = replied(world, "关于同意公开的建议")
    refused = replied(world, "关于不同意公开的建议", consent=False)
    page = _text(run_bulk(client_for(world.staff), "disclose", [agreed.pk, refused.pk]))
    assert "1 件已完成，1 件未执行" in page and "提案人不同意公开" in page
    agreed.refresh_from_db()
    refused.refresh_from_db()
    assert agreed.is_public and not refused.is_public


def test_bulk_remind_reaches_the_units_of_overdue_proposals_only(world, client_for):
    late = assigned(world, "关于逾期的建议", assigned_on=timezone.localdate() - datetime.timedelta(days=200))
    Assignment.objects.filter(proposal=late).update(deadline=timezone.localdate() - datetime.timedelta(days=3))
    on_time = assigned(world, "关于按期的建议")
    page = _text(run_bulk(client_for(world.staff), "remind", [late.pk, on_time.pk], note="请尽快办理"))
    assert "1 件已完成，1 件未执行" in page
    assert "没有逾期或即将到期的承办单位" in page
    reminded = Reminder.objects.filter(assignment__proposal=late, stage=Reminder.Stage.MANUAL)
    assert {r.assignment.unit.name for r in reminded} == {"区民政局", "区教科局"}
    assert all(r.note == "请尽快办理" for r in reminded)
    assert not Reminder.objects.filter(assignment__proposal=on_time).exists()


def test_export_gives_exactly_the_selection(world, client_for):
    chosen, _other = submitted(world, "关于选中的建议"), submitted(world, "关于未选中的建议")
    response = client_for(world.staff).post(reverse("proposals:bulk"), {"action": "export", "ids": [chosen.pk]})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    cells = [c.value for row in load_workbook(BytesIO(response.content)).active.iter_rows() for c in row]
    assert "关于选中的建议" in cells and "关于未选中的建议" not in cells


@pytest.mark.parametrize("who", ["member", "lead_handler", "supervisor", "admin"])
def test_only_the_office_may_work_in_bulk_and_nothing_changes(world, client_for, who):
    p = submitted(world, "关于不得批量的建议")
    user = getattr(world, who)
    response = client_for(user).post(reverse("proposals:bulk"), {"action": "register", "ids": [p.pk],
                                                                 "step": "run"})
    assert response.status_code == 403
    assert client_for(user).get(reverse("proposals:bulk_result")).status_code == 403
    p.refresh_from_db()
    assert p.state == State.SUBMITTED and p.number is None


def test_all_matching_the_filter_takes_the_filter_and_nothing_else(world, client_for):
    other_category = TopicCategory.objects.filter(committee=world.committee).exclude(name="社会建设").first()
    matching = [submitted(world, f"关于符合{i}的建议") for i in range(3)]
    outside = submitted(world, "关于其他类别的建议")
    Proposal.objects.filter(pk=outside.pk).update(category=other_category)
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于草稿的建议")
    staff = client_for(world.staff)
    category = matching[0].category_id
    listing = staff.get(reverse("proposals:list"), {"category": category})
    assert "符合筛选条件的全部 3 件" in _text(listing)
    assert f'name="query" value="category={category}"' in listing.content.decode()
    first = staff.post(reverse("proposals:bulk"), {"action": "register", "everything": "1",
                                                    "query": f"category={category}&page=1"})
    ids = {int(v) for v in re.findall(r'name="ids" value="(\d+)"', first.content.decode())}
    assert ids == {p.pk for p in matching}
    assert outside.pk not in ids and draft.pk not in ids


def test_the_bulk_selection_stays_within_what_the_user_may_see(world, client_for):
    """Named proposals outside the user's scope are left out (here: another committee's)."""
    mine = submitted(world, "关于本会的建议")
    elsewhere = Committee.objects.create(name="政协某县委员会", region="某县", short_name="某县政协")
    foreign = Proposal.objects.create(committee=elsewhere, session=mine.session, title="关于外会的建议",
                                      state=State.SUBMITTED, year=mine.year, lead_member=world.cosigner.member,
                                      created_by=world.staff)
    staff = client_for(world.staff)
    page = _text(run_bulk(staff, "register", [mine.pk, foreign.pk]))
    assert "1 件已完成，0 件未执行" in page and "关于外会的建议" not in page
    foreign.refresh_from_db()
    assert foreign.state == State.SUBMITTED and foreign.number is None


def test_nothing_ticked_goes_back_with_a_message(world, client_for):
    staff = client_for(world.staff)
    response = staff.post(reverse("proposals:bulk"), {"action": "register",
                                                      "next": reverse("proposals:review_queue")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("proposals:review_queue")
    assert "请先勾选至少一件提案" in _text(response)


def test_bulk_remind_leaves_out_a_unit_whose_part_is_done(world, client_for):
    late = assigned(world, "关于逾期的建议", assigned_on=timezone.localdate() - datetime.timedelta(days=200))
    Assignment.objects.filter(proposal=late).update(deadline=timezone.localdate() - datetime.timedelta(days=3))
    assisting = Assignment.objects.get(proposal=late, role="assisting")
    handling.assignment_sign_for(assignment=assisting, by=world.assisting_handler)
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意。")  # its part is done
    page = _text(run_bulk(client_for(world.staff), "remind", [late.pk], note=""))
    reminded = Reminder.objects.filter(assignment__proposal=late, stage=Reminder.Stage.MANUAL)
    assert {r.assignment.unit.name for r in reminded} == {"区民政局"}
    assert "区教科局" not in page  # not chosen, so not refused either
