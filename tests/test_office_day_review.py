"""The proposal office clerk's day (提案委工作人员) walked through the web pages in the plenary week: the review
queue, assignment, bulk work, requests, evaluations on paper, closing and disclosure, the lists and the documents.
Each test showed a defect found on the way (since mended) and failed on the code it was written against."""

import datetime
import io
import re
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook

from tests.test_bulk import submitted
from tests.test_handling_pages import assigned_proposal, signed
from tian.deadlines import services as deadlines
from tian.deadlines.models import ExtensionRequest
from tian.handling import services as handling
from tian.handling.models import Assignment, ReassignmentRequest, Reply
from tian.proposals import services
from tian.proposals.models import Event, State, TopicCategory
from tian.supervision import services as supervision

TODAY = timezone.localdate()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _titles(html: str) -> list[str]:
    """The titles of a list's rows, in order."""
    return re.findall(r'<a href="/proposals/\d+/">([^<]+)</a>', html)


def _xlsx_titles(response) -> list[str]:
    rows = [[c.value for c in row] for row in load_workbook(BytesIO(response.content)).active.iter_rows()]
    header = next(i for i, row in enumerate(rows) if "案由" in row)
    column = rows[header].index("案由")
    return [row[column] for row in rows[header + 1:]]


# --- 审查 and 交办: review and assignment ------------------------------------------------------------------------------


def test_an_assignment_date_before_the_proposal_was_even_submitted_is_refused(world, client_for):
    """domain.md "Deadlines": the reply is due "within 3 months of assignment", counted from 交办时间. A clerk typing
    last year for this year assigns this year's proposal (年度第1号 of this year, submitted today) on a day before it
    existed: the form takes it, the unit's reply is at once hundreds of working days overdue, its 7-day reassignment
    window closed before it ever saw the proposal, and reminders escalate. Dates of a contact or a reply are refused
    before the assignment (``_not_before_assignment``); the assignment date itself is checked only against the year
    2000 (``handling.services.proposal_assign`` → ``plausible_day``)."""
    p = services.proposal_register(proposal=submitted(world, "关于加强社区养老服务的建议"), by=world.staff)
    before = p.submitted_at.date() - datetime.timedelta(days=400)
    response = client_for(world.staff).post(reverse("proposals:action", args=[p.pk, "assign"]), {
        "state": p.state, "lead_unit": world.units["区民政局"].pk, "assigned_on": before.isoformat()})
    p.refresh_from_db()
    assert p.state == State.REGISTERED and not Assignment.objects.filter(proposal=p).exists()
    assert response.status_code == 422
    assert f'value="{before.isoformat()}"' in response.content.decode()  # the form comes back as it was typed


# --- 延期, 退办, 催办 and paper evaluations on the proposal page ---------------------------------------------------------


def test_an_extension_asked_by_a_unit_reassigned_away_is_not_granted_to_nobody(world, client_for):
    """domain.md "Reassignment": staff "approve and re-route"; an extension (延期申请) moves a replying unit's own
    deadline. 区民政局 asks for an extension and then for reassignment; the office re-routes the proposal to 区财政局.
    The old unit's extension stays pending in the office's queue and on the proposal page, and approving it says
    "延期申请已批准" and writes an event while it moves the deadline of an assignment that no longer exists: the unit
    now handling it keeps its old deadline (``deadlines.services.extension_approve`` never asks whether the
    assignment is still active; ``extension_request`` does)."""
    p = signed(world, assigned_proposal(world))
    lead = p.assignments.get(role="lead")
    extension = deadlines.extension_request(assignment=lead, by=world.lead_handler, reason="需要开展专题调研",
                                            requested_deadline=lead.deadline + datetime.timedelta(days=30))
    request = handling.reassignment_request(assignment=lead, by=world.lead_handler, reason="不属于本单位职责")
    staff = client_for(world.staff)
    staff.post(reverse("proposals:reassignment_decide", args=[request.pk]),
               {"decision": "approve", "new_unit": world.units["区财政局"].pk, "note": ""})
    assert p.assignments.get(role="lead", status=Assignment.Status.ASSIGNED).unit == world.units["区财政局"]
    staff.post(reverse("proposals:extension_decide", args=[extension.pk]), {"decision": "approve", "deadline": "",
                                                                           "note": ""})
    extension.refresh_from_db()
    assert extension.status != ExtensionRequest.Status.APPROVED
    assert not Event.objects.filter(proposal=p, action="extension.approved").exists()


def test_a_request_left_pending_when_the_reply_went_out_can_still_be_cleared_from_the_queue(world, client_for):
    """The lead unit asks for an extension and the assisting unit for reassignment; before the office decides, the
    assisting unit co-signs (allowed while its request is pending) and the reply is released, so the proposal is
    已答复. Both requests stay in the office's queue and on the home page's urgent tiles (退办申请 待处理 1, 延期申请
    待处理 1) for ever: the proposal page offers no decision, and the queue's decision is refused with "提案处于“已答复”
    状态，不能执行此操作" (``decide_reassignment``/``decide_extension`` start only from IN_HANDLING, while the
    requests outlive it). docs/decisions.md even says an extension asked while the reply was owed may still be
    granted after it went out."""
    p = signed(world, assigned_proposal(world))
    lead, assisting = p.assignments.get(role="lead"), p.assignments.get(role="assisting")
    deadlines.extension_request(assignment=lead, by=world.lead_handler, reason="需要开展专题调研",
                                requested_deadline=lead.deadline + datetime.timedelta(days=30))
    handling.reassignment_request(assignment=assisting, by=world.assisting_handler, reason="不属于本单位职责")
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意主办单位意见。")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="现答复如下。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000")
    handling.reply_submit(reply=reply, by=world.lead_handler)
    handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    p.refresh_from_db()
    assert p.state == State.REPLIED
    staff = client_for(world.staff)
    assert "退办申请" in _text(staff.get(reverse("proposals:review_queue")))
    # The clerk works off the queue: each pending request is decided (or no longer waits for a decision).
    for request in ReassignmentRequest.objects.filter(status=ReassignmentRequest.Status.PENDING):
        staff.post(reverse("proposals:reassignment_decide", args=[request.pk]),
                   {"decision": "refuse", "note": "协办单位已会签,不再调整"})
    for request in ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING):
        staff.post(reverse("proposals:extension_decide", args=[request.pk]), {"decision": "approve", "deadline": "",
                                                                             "note": ""})
    still = [str(r.assignment.unit) for model in (ReassignmentRequest, ExtensionRequest)
             for r in model.objects.filter(status=model.Status.PENDING)]
    assert not still, f"left pending in the office's queue for ever: {still}"


def test_no_reminder_button_for_a_unit_whose_part_is_done(world, client_for):
    """Two separate units (分办); 区民政局's reply is released, 区财政局 still works, so the proposal is 办理中. The
    office's unit table marks 区民政局 "答复 · 已完成" and still gives it a 催办 button, which answers "该单位在本提案上
    没有待办事项" (``deadlines.services.remind_manually`` refuses finished work, as the bulk reminder leaves it out;
    ``_detail_body.html`` shows the button for every unit whenever the proposal may be reminded at all)."""
    p = signed(world, assigned_proposal(world, separate=["区民政局", "区财政局"]))
    done = p.assignments.get(unit=world.units["区民政局"])
    reply = handling.reply_save(assignment=done, by=world.lead_handler, body="现答复如下。", outcome="A",
                                contact_name="贺威", contact_phone="0839-8620000")
    handling.reply_submit(reply=reply, by=world.lead_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    p.refresh_from_db()
    assert p.state == State.HANDLING
    html = client_for(world.staff).get(p.get_absolute_url()).content.decode()
    working = p.assignments.get(unit=world.units["区财政局"])
    assert f'form="remind-{working.pk}"' in html
    assert f'form="remind-{done.pk}"' not in html


def test_the_paper_evaluation_form_does_not_offer_a_member_who_has_already_rated(world, client_for):
    """domain.md "Evaluation": "Staff can record a paper evaluation on a member's behalf"; each proposer rates once
    a round (``evaluation_submit`` refuses a second rating). The co-signer 徐丽娟 rated the reply online; the office's
    录入纸质评价 form still offers her, and the clerk who enters her paper form (result, feedback) is sent back with
    "徐丽娟已评价过该答复" and "这期间已有他人处理" although nobody acted meanwhile, the choices typed lost
    (``PaperEvaluationForm`` is given every proposer, ``pages/proposals/detail.panel_forms``). The member's own
    form is not offered once she has rated; the paper form should leave her out the same way."""
    from tests.test_lifecycle_services import build

    p = build(world, "replied").proposal
    handling.evaluation_submit(proposal=p, by=world.cosigner, result="satisfied", feedback="满意")
    html = client_for(world.staff).get(p.get_absolute_url()).content.decode()
    form = html[html.index(reverse("proposals:action", args=[p.pk, "record_paper_evaluation"])):]
    form = form[:form.index("</form>")]
    offered = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form)
    assert (str(world.member.member.pk), "刘安泽") in offered  # the lead proposer has not rated: offered
    assert (str(world.cosigner.member.pk), "徐丽娟") not in offered


def test_the_paper_evaluation_form_asks_for_a_member_once_the_collective_has_rated(world, client_for):
    """A collective proposal's paper form records the organisation's own rating when no member is chosen; once the
    organisation has rated this round, a second rating of it is refused, so the form must ask for a member (a clerk
    who left the choice empty was sent back with "已评价过"), and offers the co-signer who has not rated."""
    from tests.test_lifecycle_services import _handle_to_replied, collective_cosigned
    from tian.handling.forms import PaperEvaluationForm

    p = _handle_to_replied(world, collective_cosigned(world))
    assert handling.rated_now(p) == (set(), set())
    handling.evaluation_submit(proposal=p, by=world.staff, result="satisfied", feedback="满意")
    assert handling.rated_now(p) == (set(), {p.collective_id})
    client = client_for(world.staff)
    response = client.get(p.get_absolute_url())
    form = response.context["forms"]["paper"]
    assert isinstance(form, PaperEvaluationForm) and form.fields["member"].required
    assert list(form.fields["member"].queryset) == [world.cosigner.member]


# --- the office's list: filters, order, pages and Excel ------------------------------------------------------------


def test_the_office_list_offers_its_title_or_proposer_box(world, client_for):
    """The office's list filters by "标题或提案人" (``office.filtered_proposals`` reads ``q``, as do its Excel file
    and "all matching the filter"), but the page renders its filter bar with ``includes/filter_fields.html``, which
    leaves ``q`` out: in the plenary week a clerk looking for 刘安泽's proposals among hundreds has no box to type in
    (it went with commit b59f304), and a ``q`` in the address filters the rows while the bar does not show it."""
    submitted(world, "关于加强社区养老服务的建议")
    html = client_for(world.staff).get(reverse("proposals:list"), {"q": "养老"}).content.decode()
    assert re.search(r'<input[^>]*name="q"', html), "no search box on the office's list"


def test_exporting_all_matching_the_filter_gives_the_rows_in_the_lists_order(world, client_for):
    """The list, its "下载 Excel" and the bulk bar's "export all matching the filter" are one selection and should be
    one order. The list (``office.filtered_proposals``) and its Excel read unnumbered proposals newest first; the
    bulk export (``bulk._chosen``) reads them oldest first, so the two Excel files of the same filter disagree row by
    row."""
    for i in range(4):
        submitted(world, f"关于第{i}件事的建议")
    staff = client_for(world.staff)
    listed = _titles(staff.get(reverse("proposals:list"), {"year": TODAY.year}).content.decode())
    assert _xlsx_titles(staff.get(reverse("proposals:list"), {"year": TODAY.year, "format": "xlsx"})) == listed
    exported = staff.post(reverse("proposals:bulk"), {"action": "export", "everything": "1",
                                                      "query": f"year={TODAY.year}"})
    assert _xlsx_titles(exported) == listed


def test_the_lists_excel_has_the_deadline_the_list_shows(world, client_for):
    """The office's list shows each proposal's 期限 and filters by it (已逾期 / 即将到期); its Excel file
    (``stats.exports.PROPOSALS``) has no deadline column, so the clerk who filters the overdue proposals and
    downloads them to chase the units gets a file that does not say which deadline was missed."""
    p = assigned_proposal(world)
    deadline = p.assignments.get(role="lead").deadline
    staff = client_for(world.staff)
    assert deadline.isoformat() in _text(staff.get(reverse("proposals:list"), {"year": TODAY.year}))
    response = staff.get(reverse("proposals:list"), {"year": TODAY.year, "format": "xlsx"})
    cells = [str(c.value) for row in load_workbook(BytesIO(response.content)).active.iter_rows() for c in row
             if c.value is not None]
    assert any(deadline.isoformat() in cell or f"{deadline.year}年{deadline.month}月{deadline.day}日" in cell
               for cell in cells), cells


# --- documents -----------------------------------------------------------------------------------------------------


def test_the_proposal_form_prints_the_number_of_the_year(world, client_for):
    """Seed page: ``提案编号:2023年度第15号`` (with 领衔委员 and 附议委员). domain.md: "The same number is rendered three
    ways, all seen on the seed page: 第〔15〕号, 2023年度第15号, 七届三次全会第15号委员提案." The proposal page shows
    all three; the Word/PDF proposal form and the print view built from it (``documents.content.proposal_blocks``)
    print only 第〔N〕号 and …全会第N号委员提案: the year's number, which the office files and lists by, appears only
    inside a released reply's title, so the form of a proposal still being handled does not carry it at all."""
    p = assigned_proposal(world)
    assert p.number_year
    staff = client_for(world.staff)
    response = staff.get(reverse("documents:proposal_form", args=[p.pk, "docx"]))
    text = "\n".join(paragraph.text for paragraph in WordDocument(io.BytesIO(response.content)).paragraphs)
    assert "第〔1〕号" in text  # the form is the proposal's
    assert p.number_year in text
    assert p.number_year in _text(staff.get(reverse("documents:proposal_print", args=[p.pk])))


def test_a_collective_proposals_sub_kind_is_printed_and_exported_as_the_page_shows_it(world, client_for):
    """domain.md "The proposal": "kind (委员提案 member proposal, 集体提案 collective proposal with its sub-kind)".
    The proposal page says 所属类别 集体提案(党派); the Word/PDF proposal form (``documents.content.proposal_blocks``)
    prints 所属类别:集体提案 and the list's Excel 集体提案, so the printed and exported record lose whether a party, a
    people's organisation, a special committee or a sector group made it."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.collective, committee=world.committee,
                                       collective=world.collective_org, title="关于加强民主监督的建议",
                                       body="建议。", category=category)
    p = services.proposal_register(proposal=services.proposal_submit(proposal=p, by=world.collective), by=world.staff)
    staff = client_for(world.staff)
    assert "集体提案(党派)" in _text(staff.get(p.get_absolute_url()))
    response = staff.get(reverse("documents:proposal_form", args=[p.pk, "docx"]))
    text = "\n".join(paragraph.text for paragraph in WordDocument(io.BytesIO(response.content)).paragraphs)
    workbook = staff.get(reverse("proposals:list"), {"format": "xlsx"})
    cells = [str(c.value) for row in load_workbook(BytesIO(workbook.content)).active.iter_rows() for c in row]
    kind_line = next(line for line in text.splitlines() if "所属类别" in line)
    assert "党派" in kind_line and any("党派" in cell for cell in cells), (kind_line, cells)
