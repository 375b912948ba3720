"""The statistics, reviewed: numbers a clerk computes by hand from domain.md's definitions ("What gets measured")
and docs/statistics.md, on small committees built through the services. The tests marked "guard" keep edge cases no
other test covers; each other test failed on the code it was written against, for a defect since mended."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tian.deadlines import services as deadlines
from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.proposals.workflow import WorkflowError
from tian.stats import kpis
from tian.supervision import services as supervision

TZ = ZoneInfo("Asia/Shanghai")


def at(m, d, y=2023, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=TZ)


def submitted(world, title, member=None, cosigners=()):
    member = member or world.member
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=member, committee=world.committee, lead_member=member.member, title=title,
                                       body="建议。", category=category, at=at(2, 15))
    if cosigners:
        services.cosign_invite(proposal=p, by=member, members=[c.member for c in cosigners], at=at(2, 15))
        for c in cosigners:
            sig = p.cosignatures.get(member=c.member)
            services.cosign_respond(cosignature=sig, by=c, accept=True, at=at(2, 15, h=11))
    return services.proposal_submit(proposal=p, by=member, at=at(2, 15, h=12))


def assigned(world, title, lead=None, assisting=(), separate=(), member=None, cosigners=(), offices=True):
    p = submitted(world, title, member=member, cosigners=cosigners)
    p = services.proposal_register(proposal=p, by=world.staff, at=at(3, 1))
    p = handling.proposal_assign(
        proposal=p, by=world.staff, lead_units=[world.units[lead]] if lead else [],
        assisting_units=[world.units[u] for u in assisting], separate_units=[world.units[u] for u in separate],
        assigned_on=datetime.date(2023, 3, 16),
        supervising_offices=[world.offices["区政府办公室"]] if offices else [], at=at(3, 16))
    for a in p.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name), at=at(3, 17))
    p.refresh_from_db()
    return p


def reply(world, proposal, unit, outcome, when, supervised=True):
    a = proposal.assignments.get(unit=world.units[unit], status__in=["assigned", "signed", "reassignment_requested"])
    handler = world.handler_for(unit)
    r = handling.reply_save(assignment=a, by=handler, body="答复。", outcome=outcome, contact_name="贺威",
                            contact_phone="0839-8620000", reply_date=when.date(), at=when)
    r = handling.reply_submit(reply=r, by=handler, at=when)
    r.refresh_from_db()
    for sig in r.cosignatures.all():
        handling.reply_cosign(reply=r, by=world.handler_for(sig.unit.name), at=when)
    r.refresh_from_db()
    if r.status == "supervision":
        supervision.reply_approve(reply=r, by=world.supervisor, at=when)
    r.refresh_from_db()
    proposal.refresh_from_db()
    return r


def evaluate(proposal, by, result, when, member=None):
    proposal.refresh_from_db()
    e = handling.evaluation_submit(proposal=proposal, by=by, result=result, member=member, at=when)
    proposal.refresh_from_db()
    return e


def overall(world, **scope):
    scope = scope or {"year": 2023}
    return kpis.summary(kpis.gather(kpis.Scope(world.committee, **scope)))


def units(world):
    scope = kpis.Scope(world.committee, year=2023)
    return {(r["unit"], r["role"]): r for r in kpis.by_unit(scope, kpis.gather(scope))}



def _scope():
    return kpis.Scope(Proposal.objects.first().committee, year=2023)


def _text(response):
    import html
    import re

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _sheet(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


# --- guards: edge cases the definitions settle, not tested elsewhere ---------------------------------------------

def test_guard_lead_and_separate_unit_both_count(world):
    """A proposal with a lead and a separate unit is replied once both replies are out, on time only if both were;
    each reply's class counts (docs: shares of released first replies)."""
    p = assigned(world, "主办加分办", lead="区民政局", separate=["区司法局"])
    reply(world, p, "区民政局", "A", at(5, 1))
    assert overall(world)["replied"] == 0  # the separate unit has not replied yet
    reply(world, p, "区司法局", "B", at(7, 1))  # after the 2023-06-16 deadline
    f = overall(world)
    assert (f["assigned"], f["replied"], f["on_time"], f["on_time_rate"]) == (1, 1, 0, 0.0)
    assert f["classes"] == {"A": 1, "B": 1}
    rows = units(world)
    assert rows["区民政局", "lead"]["on_time"] == 1 and rows["区司法局", "separate"]["on_time"] == 0


def test_guard_after_rehandling_the_lead_proposers_second_rating_counts(world):
    """满意率 counts the lead proposer's latest rating (after rehandling, the second one), recorded on paper by staff
    or online; a co-signer's rating never counts; a supervisor's adjusted class counts; an extension approved before
    the reply makes a reply after the original deadline on time."""
    p = assigned(world, "重新办理", lead="区民政局", cosigners=[world.cosigner])
    a = p.assignments.get()
    extension = deadlines.extension_request(assignment=a, by=world.lead_handler, reason="需调研",
                                            requested_deadline=datetime.date(2023, 8, 16), at=at(5, 1))
    deadlines.extension_approve(extension=extension, by=world.staff, at=at(5, 2))
    p.refresh_from_db()
    reply(world, p, "区民政局", "A", at(7, 1))  # after 2023-06-16, before the extended 2023-08-16
    evaluate(p, world.cosigner, "dissatisfied", at(7, 5))
    evaluate(p, world.staff, "dissatisfied", at(7, 6), member=world.member.member)  # paper, for the lead
    assert p.state == "rehandling"
    reply(world, p, "区民政局", "B", at(9, 1))
    evaluate(p, world.member, "basically_satisfied", at(9, 5))
    f = overall(world)
    assert (f["on_time"], f["classes"], f["rehandled"]) == (1, {"A": 1}, 1)
    assert (f["evaluated"], f["basically_satisfied"], f["dissatisfied"], f["satisfaction_rate"]) == (1, 1, 0, 100.0)


def test_guard_zero_denominators(world, client_for):
    """Nothing assigned, replied or evaluated: rates are empty (None), not a division error, on page and in Excel."""
    submitted(world, "只收到")
    f = overall(world)
    assert (f["received"], f["registered_rate"], f["replied_rate"], f["contact_rate"],
            f["satisfaction_rate"]) == (1, 0.0, None, None, None)
    staff = client_for(world.staff)
    assert staff.get(reverse("stats:index") + "?year=2023").status_code == 200
    for table in ("overview", "units", "categories", "sectors", "parties", "members"):
        assert staff.get(reverse("stats:download", args=[table]) + "?year=2023").status_code == 200


# --- defects ---------------------------------------------------------------------------------------------------

def test_a_reply_released_late_stays_late_when_an_extension_is_approved_afterwards(world):
    """按时办复: "approved extensions count" means an extension of the time to reply. Here 区司法局 released its reply on
    2023-07-10, after its 2023-06-16 deadline, and only then (the proposal still handled: the separate unit had not
    replied) asked for an extension to 2023-08-16. A clerk counts this reply late: 0 on time. The statistics compare
    the release with the assignment's current deadline, so an extension granted then made the late reply on time:
    it is refused once the unit's reply is out."""
    p = assigned(world, "事后延期", lead="区司法局", separate=["区公安分局"])
    reply(world, p, "区司法局", "A", at(7, 10))
    p.refresh_from_db()
    late = p.assignments.get(unit=world.units["区司法局"])
    with pytest.raises(WorkflowError, match="答复已发出"):  # an extension is time to reply, not an excuse after it
        deadlines.extension_request(assignment=late, by=world.handler_for("区司法局"), reason="补办延期",
                                    requested_deadline=datetime.date(2023, 8, 16), at=at(7, 11))
    p.refresh_from_db()
    reply(world, p, "区公安分局", "A", at(6, 10))
    assert units(world)["区司法局", "lead"]["on_time"] == 0
    assert (overall(world)["on_time"], overall(world)["on_time_rate"]) == (0, 0.0)


def test_each_unit_has_its_contact_rate_and_rehandled_count(world):
    """domain.md, What gets measured: "Per session, unit, category, sector and member: … contacted before reply
    (面商率) … rehandled". 区民政局 contacted the proposer before its one reply (面商率 100%), and that proposal was
    rehandled (1); 区司法局 never contacted anyone (0%), nothing rehandled. The unit table has neither figure."""
    p = assigned(world, "沟通后答复", lead="区民政局")
    handling.contact_record(assignment=p.assignments.get(), by=world.lead_handler, method="visit",
                            contacted_on=datetime.date(2023, 4, 1), summary="走访", at=at(4, 1))
    p.refresh_from_db()
    reply(world, p, "区民政局", "B", at(5, 1))
    evaluate(p, world.member, "dissatisfied", at(5, 10))
    q = assigned(world, "未沟通", lead="区司法局")
    reply(world, q, "区司法局", "A", at(5, 1))
    rows = units(world)
    mz, sf = rows["区民政局", "lead"], rows["区司法局", "lead"]
    assert (mz.get("contacted"), mz.get("contact_rate"), mz.get("rehandled")) == (1, 100.0, 1)
    assert (sf.get("contacted"), sf.get("contact_rate"), sf.get("rehandled")) == (0, 0.0, 0)


def test_each_member_has_the_measured_figures_of_the_proposals_they_led(world):
    """domain.md: "Per session, unit, category, sector and member: received, registered (立案率), not registered,
    merged, replied (办复率) … satisfaction (满意率) … rehandled." 刘安泽 led two proposals: one registered, replied
    and rated satisfied, one not registered. His row should say 立案率 50%, not registered 1, 办复率 100%, 满意率 100%;
    the members' table has only led, co-signed, registered and key."""
    p = assigned(world, "已办复", lead="区民政局")
    reply(world, p, "区民政局", "A", at(5, 1))
    evaluate(p, world.member, "satisfied", at(5, 10))
    d = submitted(world, "不予立案")
    services.proposal_decline(proposal=d, by=world.staff, ground=world.committee.decline_grounds.first(),
                              forward="opinion", at=at(3, 1))
    [row] = [r for r in kpis.by_member(kpis.gather(_scope())) if r["member"] == "刘安泽"]
    assert row["led"] == 2
    assert (row.get("registered_rate"), row.get("declined"), row.get("replied_rate"),
            row.get("satisfaction_rate")) == (50.0, 1, 100.0, 100.0)


def test_the_page_shows_every_member_of_the_duty_record_as_the_excel_does(world, client_for):
    """A district committee has 100–250 members. Here one paper proposal has 51 co-signers: the duty record has 52
    members, and its Excel lists 52; the page shows the first 50 (``page._figures_context``: members[:50]) and
    says nothing of the other two, so the page and its download differ."""
    from tian.organisations.models import Member

    signers = [Member.objects.create(committee=world.committee, name=f"委员{n:02d}") for n in range(51)]
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.staff, committee=world.committee, lead_member=world.member.member,
                                       title="纸质联名提案", body="建议。", category=category, at=at(2, 15))
    services.cosign_record_on_paper(proposal=p, by=world.staff, members=signers, at=at(2, 15))
    services.proposal_submit(proposal=p, by=world.staff, at=at(2, 15, h=12))
    staff = client_for(world.staff)
    excel = _sheet(staff.get(reverse("stats:download", args=["members"]) + "?year=2023"))
    assert len(excel) - 2 == 52  # title, headers, 52 members
    page = _text(staff.get(reverse("stats:index") + "?year=2023"))
    duty = page[page.index("委员履职统计"):]
    missing = [m.name for m in signers if m.name not in duty]
    assert not missing or "52" in duty, f"the page drops {missing} without saying so"


def test_the_overview_excel_has_the_contacted_count_the_page_shows(world, client_for):
    """The overview card shows "1 办前沟通 · 100.0%"; the overview download (stats:download overview) has the rate but
    no count of proposals contacted before the reply: the file does not show the same numbers as the page."""
    p = assigned(world, "沟通", lead="区民政局")
    handling.contact_record(assignment=p.assignments.get(), by=world.lead_handler, method="phone",
                            contacted_on=datetime.date(2023, 4, 1), summary="电话沟通", at=at(4, 1))
    p.refresh_from_db()
    reply(world, p, "区民政局", "A", at(5, 1))
    staff = client_for(world.staff)
    assert "1 办前沟通 · 100.0%" in _text(staff.get(reverse("stats:index") + "?year=2023"))
    title, headers, row = _sheet(staff.get(reverse("stats:download", args=["overview"]) + "?year=2023"))
    assert any(h and "沟通" in h and "率" not in h for h in headers), headers


def test_the_list_behind_a_separate_units_number_names_the_unit_in_its_excel(world, client_for):
    """A proposal assigned to two separate units (分办, no lead unit): the list behind 区司法局's "assigned" number,
    downloaded, has columns for the lead unit and the assisting units only (``exports.PROPOSALS``), so the row names
    no unit at all; separate units are handling units and must appear."""
    assigned(world, "分办提案", separate=["区司法局", "区公安分局"])
    unit = world.units["区司法局"]
    response = client_for(world.staff).get(reverse("stats:behind"), {
        "year": 2023, "measure": "assigned", "unit": unit.pk, "role": "separate", "format": "xlsx"})
    rows = _sheet(response)
    [row] = [r for r in rows[2:] if "分办提案" in r]
    assert any(isinstance(v, str) and "区司法局" in v for v in row), (rows[1], row)


def test_the_list_behind_contacted_does_not_reveal_contacts_to_who_may_not_see_them(world, client_for):
    """domain.md: contact records are seen by proposers, the office, assigned units and *their* supervisor, not by
    others, even on a disclosed proposal. 区委目标绩效办 (a supervising office, not this proposal's) may open the
    disclosed proposal but not its contact records; the list behind "contacted" still counts and lists it for them,
    telling them the unit contacted the proposer (the same for the administrator)."""
    from tian.accounts import services as account_services
    from tian.accounts.roles import Role

    p = assigned(world, "关于增设路灯的建议", lead="区民政局")
    handling.contact_record(assignment=p.assignments.get(), by=world.lead_handler, method="visit",
                            contacted_on=datetime.date(2023, 4, 1), summary="走访座谈", at=at(4, 1))
    p.refresh_from_db()
    reply(world, p, "区民政局", "A", at(5, 1))
    services.proposal_disclose(proposal=p, by=world.staff, at=at(5, 20))
    other_office = account_services.user_create(username="区委目标绩效办", full_name="区委目标绩效办",
                                                password="x" * 12, roles=[Role.SUPERVISOR],
                                                office=world.offices["区委目标绩效办"], validate=False)
    assert "走访座谈" not in _text(client_for(other_office).get(p.get_absolute_url()))  # the policy holds there
    assert "关于增设路灯的建议" in _text(client_for(world.staff).get(reverse("stats:behind"), {"year": 2023,
                                                                                 "measure": "contacted"}))
    for user in (other_office, world.admin):
        listing = _text(client_for(user).get(reverse("stats:behind"), {"year": 2023, "measure": "contacted"}))
        assert "关于增设路灯的建议" not in listing, user


def test_an_empty_rate_reads_as_a_dash_not_dash_percent(world, client_for):
    """Zero denominators: nothing evaluated yet, so 满意率 has no value. The card shows "—%" (the template appends %
    to default_if_none:"—"), as do the reply, on-time and contact rates before anything is assigned or replied; a
    clerk expects "—"."""
    submitted(world, "只收到")
    page = _text(client_for(world.staff).get(reverse("stats:index") + "?year=2023"))
    assert "满意率" in page and "—%" not in page
