"""Review on a phone (375 x 740) and at 200 % zoom (a 1280 px desktop window at 200 %: 640 x 450 CSS px) of the
screens added or changed lately: the office's panel form for a follow-up report received on paper (纸质报送), the
paper proposal's co-signers recorded on the proposal page after submission (录入纸质提案联名人), the draft page's
attachments with their 删除 buttons and the attachment limit, the unit's proposal page linking to its work page while a
follow-up report is awaited, the follow-up list (回头看), the unit hand-over page (机构改革 移交) and the API token page.

Each test but the last two fails on the code reviewed, for the reason its comment gives; the last two pin what works
(the pages fit, pass axe-core, keep their buttons 44 px tall and their words Chinese; the flows end with a Chinese
message and the state changed). No screenshots are taken."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.e2e.test_accessibility import axe, violations  # noqa: F401 - the axe fixture
from tests.test_follow_up_list import _category, _followed_up
from tests.test_followup_collective_review import A_YEAR_ON, _release, _signed_for
from tests.test_unit_hand_over import Work
from tian.accounts.models import ApiToken
from tian.deadlines import services as deadlines
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.handling.models import Assignment
from tian.proposals import services
from tian.proposals.models import CoSignature, Proposal

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (375, 740, True)
ZOOM200 = (640, 450, False)
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(ZOOM200, id="zoom200")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FITS = "document.documentElement.scrollWidth <= window.innerWidth"

# Buttons (and links styled as buttons) of the page's main part shorter than 44 CSS px.
SHORT_BUTTONS = """() => [...document.querySelectorAll('main button, main .button')]
  .filter(b => { const r = b.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.height < 43.5
                 && !b.closest('.visually-hidden'); })
  .map(b => `${b.textContent.trim()} ${Math.round(b.getBoundingClientRect().height)} px`)"""

# Visible words of the main part, and its placeholders, titles and accessible names.
MAIN_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent.closest('script, style') || !parent.getClientRects().length) continue;
    out.push(walker.currentNode.textContent.trim());
  }
  for (const el of document.querySelectorAll('main [placeholder], main [title], main [aria-label]'))
    for (const a of ['placeholder', 'title', 'aria-label']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  return out.filter(Boolean);
}"""
# Words that are English by design: file formats, the API's header, a token's own characters, the file names.
NOT_ENGLISH = re.compile(r"Word|PDF|Excel|JPG|PNG|Authorization: Bearer|/api/v1/|tian_\S+|\S+\.pdf")


def english(page) -> list[str]:
    return [t for t in page.evaluate(MAIN_TEXTS) if re.search(r"[A-Za-z]{3,}", NOT_ENGLISH.sub("", t))]


def open_at(open_as, user, viewport):
    width, height, mobile = viewport
    return open_as(user, width=width, height=height, mobile=mobile, bypass_csp=True)


def checked(page, axe_path) -> list[str]:
    """What a phone or 200 % zoom user meets on the page: sideways scrolling, short buttons, English, axe-core."""
    found = []
    if not page.evaluate(FITS):
        found.append(f"scrolls sideways: {page.evaluate('document.documentElement.scrollWidth')} px")
    found += [f"short button: {b}" for b in page.evaluate(SHORT_BUTTONS)]
    found += [f"English: {t}" for t in english(page)]
    found += [f"axe: {v}" for v in violations(page, axe_path)]
    return [f"{page.url}: {f}" for f in found]


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def paper_proposal(world) -> Proposal:
    """A paper proposal of 徐丽娟's, entered and submitted by the office (代录), not registered yet."""
    p = services.proposal_create_draft(by=world.staff, committee=world.committee, lead_member=world.cosigner.member,
                                       title="关于完善农村客运班线的建议", body="建议。", category=_category(world))
    return services.proposal_submit(proposal=p, by=world.staff)


def draft_with_files(world, settings, tmp_path) -> Proposal:
    settings.MEDIA_ROOT = tmp_path
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于完善社区养老服务设施的建议", body="建议。", category=_category(world))
    services.attachment_add(proposal=p, by=world.member, file=SimpleUploadedFile("错传的文件.pdf", PDF))
    services.attachment_add(proposal=p, by=world.member, file=SimpleUploadedFile("调研报告.pdf", PDF))
    return p


def two_reports_awaited(world) -> Proposal:
    """区民政局 (lead) and 区司法局 (separate) each replied B; the proposal is closed and, a year on, both reports are
    awaited."""
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于加强农村饮水安全保障工作的建议", body="建议。", category=_category(world))
    p = services.proposal_register(proposal=services.proposal_submit(proposal=p, by=world.member), by=world.staff)
    p = _signed_for(world, handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                                    separate_units=[world.units["区司法局"]]))
    for assignment in p.assignments.all():
        _release(world, assignment, "正在推进,列入明年计划。", "B")
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=p.pk), by=world.member, result="satisfied")
    services.proposal_close(proposal=Proposal.objects.get(pk=p.pk), by=world.staff)
    assert deadlines.create_due_follow_ups(A_YEAR_ON) == 2
    return Proposal.objects.get(pk=p.pk)


# --- 1. The office records a paper proposal's co-signers on its page after submission -----------------------------
# The office entered 徐丽娟's paper proposal and submitted it; the paper form carries 张三's signature too. On the
# proposal page, 录入纸质提案联名人 unfolds a list of members and 按纸质提案录入联名. Pressing it answers 403 "表单已过期"
# (the form carries no CSRF token), however often the clerk reloads: the co-signers cannot be recorded from this page
# at all. domain.md (co-signing): only accepted signatures count and the list is frozen at registration, so a paper
# form's co-signers missed here are lost for good. Cause: the form is in proposals/_detail_body.html, rendered by
# render_to_string without the request (pages/proposals/detail.py, ProposalPage.read_only_parts), so {% csrf_token %}
# writes nothing.
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_office_records_a_paper_proposals_cosigners_on_its_page(world, open_as, viewport):
    paper = paper_proposal(world)
    page = open_at(open_as, world.staff, viewport)
    page.goto(page.base + paper.get_absolute_url())
    page.locator("summary", has_text="录入纸质提案联名人").focus()
    page.keyboard.press("Enter")  # unfolded from the keyboard
    page.get_by_label("张三").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="按纸质提案录入联名").focus()
    with page.expect_navigation() as answered:
        page.keyboard.press("Enter")
    assert answered.value.status == 200, f"{answered.value.status}: {page.locator('main').inner_text()[:80]}"
    assert "已录入纸质提案的联名人。" in page.locator(".messages").inner_text()
    assert list(CoSignature.objects.filter(proposal=paper).values_list("member__name", "status")) == [
        ("张三", "accepted")]


# --- 2. The proposer withdraws a co-sign invitation on the page of a submitted proposal ----------------------------
# Same cause as 1: after submission the lead proposer's invitations are listed on the proposal page with 撤回邀请 (and
# 邀请联名 below them), both forms without a CSRF token; pressing 撤回邀请 answers 403 "表单已过期" and 张三 stays invited.
def test_the_proposer_withdraws_an_invitation_on_the_submitted_proposals_page(world, open_as):
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于完善社区养老服务设施的建议", body="建议。", category=_category(world))
    services.cosign_invite(proposal=p, by=world.member, members=[world.stranger.member])
    p = services.proposal_submit(proposal=p, by=world.member)
    page = open_at(open_as, world.member, PHONE)
    page.goto(page.base + p.get_absolute_url())
    with page.expect_navigation() as answered:
        page.get_by_role("button", name="撤回邀请").click()
    assert answered.value.status == 200, f"{answered.value.status}: {page.locator('main').inner_text()[:80]}"
    assert "邀请已撤回。" in page.locator(".messages").inner_text()
    assert CoSignature.objects.get(proposal=p).status == "withdrawn"


# --- 3. The draft page's attachment limit is never said --------------------------------------------------------------
# A member whose draft holds the most files a proposal may hold (ATTACHMENTS_PER_PROPOSAL, 20; 2 here) chooses one more
# and presses 上传 on the draft page. The file is refused, but the page says only "出错后已选的文件不会保留，请重新选择。":
# never why (每件提案最多上传 2 个附件。), so they choose it again and again. The same for the 100 MB total. Cause:
# pages/proposals/author.py _draft_page puts the service's refusal in section_errors["attachments"], which
# templates/proposals/edit.html never shows (only section_errors.cosigners is rendered).
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_draft_page_says_why_one_more_file_is_refused(world, open_as, viewport, settings, tmp_path):
    draft = draft_with_files(world, settings, tmp_path)
    settings.ATTACHMENTS_PER_PROPOSAL = 2
    third = tmp_path / "第三个.pdf"
    third.write_bytes(PDF)
    page = open_at(open_as, world.member, viewport)
    page.goto(page.base + f"/proposals/{draft.pk}/edit/")
    page.set_input_files("#id_file", str(third))
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    assert draft.attachments.count() == 2
    section = page.locator("#attachments")
    assert "每件提案最多上传 2 个附件" in section.inner_text(), section.inner_text()
    assert in_view(page, section.get_by_text("每件提案最多上传 2 个附件"))


# --- 4. The 删除 buttons do not say which file they remove ------------------------------------------------------------
# Each file of the draft has a button named only "删除": a screen-reader user who lists the page's buttons (or a voice
# control user who says "删除") hears "删除, 删除" and cannot tell which removes 错传的文件.pdf (WCAG 2.4.6). Cause:
# templates/proposals/edit.html, the attachments' list: the button's name is the word alone.
def test_each_remove_button_names_its_file(world, open_as, settings, tmp_path):
    draft = draft_with_files(world, settings, tmp_path)
    page = open_at(open_as, world.member, PHONE)
    page.goto(page.base + f"/proposals/{draft.pk}/edit/")
    names = page.locator("#attachments button[name=remove_attachment]").evaluate_all(
        "bs => bs.map(b => (b.getAttribute('aria-label') || b.textContent).trim())")
    assert len(names) == 2
    assert any("错传的文件.pdf" in n for n in names) and any("调研报告.pdf" in n for n in names), names


# --- 5. The hand-over page's table on a phone and at 200 % zoom: answers without their question --------------------
# Below 44rem a table.list becomes one card per row, each cell saying its column through data-label. The hand-over
# page's cells have none: the card reads "2023年度第1号 / 关于…的建议 / 主办单位 / 是", and "是" (现在能否移交) or a
# refusal stands with nothing saying what it answers. Cause: templates/organisations/hand_over.html, the <td>s lack
# data-label (the tokens', follow-ups' and other lists have them).
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_hand_over_cards_name_each_answer(world, open_as, viewport):
    Work(world)
    page = open_at(open_as, world.staff, viewport)
    page.goto(page.base + f"/manage/units/{world.units['区民政局'].pk}/hand-over/")
    assert page.evaluate("getComputedStyle(document.querySelector('main table.list thead')).position") == "absolute"
    shown = page.locator("main table.list tbody td:nth-child(4)").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert len(shown) == 3
    assert all("现在能否移交" in s for s in shown), shown


# --- 6. The folded forms' 录入… rows are 26 px tall on a phone ---------------------------------------------------------
# 录入纸质回头看报告 (the office's proposal page) and 录入纸质提案联名人 (a paper proposal's page) are the controls that
# open the new forms; on a phone each is a 26 px line of text right above or below the next (退回修改, 不予立案, 并案 …),
# where every button of the page is at least 44 px tall (tian.css: button, .button { min-height: 2.75rem }). Older
# members of the office hit the neighbour. Cause: tian.css gives <summary> no height of its own.
def test_the_summaries_opening_the_paper_forms_are_44_px_tall_on_a_phone(world, open_as):
    follow_up = _followed_up(world, "关于加强全区未成年人关爱保护工作的建议", "区民政局")
    paper = paper_proposal(world)
    page = open_at(open_as, world.staff, PHONE)
    short = []
    for url, label in ((follow_up.reply.proposal.get_absolute_url(), "录入纸质回头看报告"),
                       (paper.get_absolute_url(), "录入纸质提案联名人")):
        page.goto(page.base + url)
        height = page.locator("summary", has_text=label).bounding_box()["height"]
        if height < 43.5:
            short.append(f"{label}: {round(height)} px")
    assert not short, short


# --- 7. After the first of two paper reports, the confirmation is out of sight ------------------------------------
# A proposal with two B-class units awaits two follow-up reports. The office records 区民政局's on a phone; the page
# comes back at #do-record_paper_follow_up (the form's address), which tian.js opens again for 区司法局's report, and
# the phone shows the same form again: "纸质回头看报告已录入。" is 380 px above, out of sight, so the clerk cannot tell
# whether anything was saved. Cause: the panel's forms post to an address ending in their own anchor
# (templates/proposals/_actions.html) and the success message is shown only at the top of the page (base.html).
def test_the_confirmation_shows_after_the_first_of_two_paper_reports(world, open_as):
    p = two_reports_awaited(world)
    page = open_at(open_as, world.staff, PHONE)
    page.goto(page.base + p.get_absolute_url())
    page.locator("summary", has_text="录入纸质回头看报告").click()
    page.get_by_label("回头看单位").select_option(value=str(FollowUp.objects.get(reply__unit__name="区民政局").pk))
    page.get_by_label("落实情况").fill("区民政局书面报告:已建成饮水安全工程2处。")
    with page.expect_navigation():
        page.get_by_role("button", name="录入").click()
    page.wait_for_timeout(300)  # the page has come to its anchor
    assert FollowUp.objects.get(reply__unit__name="区民政局").on_paper
    message = page.get_by_text("纸质回头看报告已录入。").first
    assert in_view(page, message), (message.bounding_box(), page.evaluate("window.scrollY"))


# --- 8. The paper co-signers' list is labelled as invitations ----------------------------------------------------
# Under 录入纸质提案联名人 the office ticks the members who signed the paper form: they are recorded as having agreed
# (domain.md: staff enter paper proposals on a member's behalf; architecture.md: record_on_paper, recorded as
# accepted). The list is labelled "邀请联名的委员" (members to invite), and a clerk may take it that invitations go out
# and wait for answers. Cause: proposals/forms.py InviteForm's one label, used for both.
def test_the_paper_cosigners_list_is_not_labelled_as_invitations(world, open_as):
    paper = paper_proposal(world)
    page = open_at(open_as, world.staff, PHONE)
    page.goto(page.base + paper.get_absolute_url())
    page.locator("summary", has_text="录入纸质提案联名人").click()
    form = page.locator("form[action$='/invite/']")
    label = form.locator(".field > label, .field legend").first.inner_text()
    assert "邀请" not in label, label


# --- 8b. The list of members to tick has no name a screen reader reads ------------------------------------------
# The members' boxes (forms.Checklist) are rendered with <label for="">邀请联名的委员</label> above them: the label
# leads to nothing, so tapping it does nothing, and a screen reader announces "刘安泽 复选框" with no word of what the
# boxes are for (WCAG 1.3.1, 3.3.2; axe-core does not see it). The same on the draft page's 联名人 section. Cause:
# templates/includes/form.html gives a fieldset and legend to 'checkboxselectmultiple' and 'radioselect' only, and the
# Checklist widget's widget_type is 'checklist'.
def test_the_paper_cosigners_boxes_are_a_named_group(world, open_as):
    paper = paper_proposal(world)
    page = open_at(open_as, world.staff, PHONE)
    page.goto(page.base + paper.get_absolute_url())
    page.locator("summary", has_text="录入纸质提案联名人").click()
    form = page.locator("form[action$='/invite/']")
    assert form.locator("label[for='']").count() == 0, "the list's label leads to no box: <label for=\"\">"
    group = page.get_by_label("张三").evaluate("""cb => { const g = cb.closest('fieldset, [role=group]');
        if (!g) return ''; const legend = g.querySelector('legend');
        return legend ? legend.textContent.trim() : (g.getAttribute('aria-label') || ''); }""")
    assert group, "the boxes are in no named group"


# --- 9. The draft page tells the attachment limits only after they are broken -----------------------------------
# The help under 附件 says "可上传 PDF、Word、Excel、JPG 或 PNG 文件。" and nothing of how large a file or how many files
# may be sent (20 MB a file, 20 files and 100 MB a proposal): a member on a phone uploads a 30 MB scan over a slow line
# to learn it only then (WCAG 3.3.2, instructions before input). Cause: proposals/forms.py AttachmentForm's help_text.
def test_the_draft_page_says_the_attachment_limits_before_an_upload(world, open_as, settings, tmp_path):
    draft = draft_with_files(world, settings, tmp_path)
    page = open_at(open_as, world.member, PHONE)
    page.goto(page.base + f"/proposals/{draft.pk}/edit/")
    help_text = page.locator("#attachments .help").first.inner_text()
    assert "20 MB" in help_text and "20 个" in help_text, help_text


# --- Verified: what works, pinned -------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_office_records_a_paper_follow_up_and_the_unit_reports_its_own(world, open_as, axe, viewport):  # noqa: F811
    """Holds: the office's panel form (纸质报送) is reached from the follow-up list's link, unfolded, filled and sent
    from the keyboard, with a Chinese message and the report marked on paper; the unit's proposal page links to its
    work page (办理该提案) while its report is awaited, and no longer once it is sent. Each page fits, keeps its
    buttons 44 px tall on a phone, speaks Chinese and passes axe-core."""
    on_paper = _followed_up(world, "关于加强全区未成年人关爱保护工作的建议", "区民政局")
    own = _followed_up(world, "关于推进城乡义务教育均衡发展的建议", "区教科局")
    found = []
    office = open_at(open_as, world.staff, viewport)
    office.goto(office.base + "/proposals/follow-ups/")
    found += checked(office, axe)
    office.get_by_role("row", name=re.compile("关于加强全区未成年人关爱保护工作的建议")).get_by_role(
        "link", name="录入纸质报告").click()
    office.wait_for_load_state()
    details = office.locator("#do-record_paper_follow_up")
    assert details.evaluate("d => d.open")
    found += checked(office, axe)
    details.get_by_label("落实情况").focus()
    office.keyboard.type("区民政局书面报告:建成站点3个。")
    office.keyboard.press("Tab")
    assert office.evaluate("document.activeElement.textContent") == "录入"
    with office.expect_navigation():
        office.keyboard.press("Enter")
    assert "纸质回头看报告已录入。" in office.locator(".messages").inner_text()
    assert FollowUp.objects.get(pk=on_paper.pk).on_paper
    found += checked(office, axe)

    unit = open_at(open_as, world.assisting_handler, viewport)
    unit.goto(unit.base + own.reply.proposal.get_absolute_url())
    found += checked(unit, axe)
    unit.get_by_role("link", name="办理该提案").click()
    unit.wait_for_load_state()
    found += checked(unit, axe)
    unit.get_by_label("落实情况").fill("已建成学校食堂2所。")
    with unit.expect_navigation():
        unit.get_by_role("button", name="提交报告").click()
    assert "回头看情况已报告。" in unit.locator(".messages").inner_text()
    reported = FollowUp.objects.get(pk=own.pk)
    assert reported.reported_at is not None and not reported.on_paper
    unit.goto(unit.base + own.reply.proposal.get_absolute_url())
    assert unit.get_by_role("link", name="办理该提案").count() == 0
    assert not found, "\n".join(found)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_draft_hand_over_and_token_pages_fit_and_work(world, open_as, axe, viewport, settings,  # noqa: F811
                                                          tmp_path):
    """Holds: the draft page's 删除 removes a file from the keyboard (its confirmation in Chinese) with a Chinese
    message; the hand-over page says what is missing and then hands the unit's movable parts over; the token page
    creates and revokes a token. Each page fits, keeps its buttons 44 px tall on a phone, speaks Chinese and passes
    axe-core."""
    draft = draft_with_files(world, settings, tmp_path)
    found = []
    member = open_at(open_as, world.member, viewport)
    confirmations = []
    member.on("dialog", lambda dialog: confirmations.append(dialog.message))
    member.goto(member.base + f"/proposals/{draft.pk}/edit/")
    found += checked(member, axe)
    member.locator("#attachments li", has_text="错传的文件.pdf").get_by_role("button").focus()
    with member.expect_navigation():
        member.keyboard.press("Enter")
    assert confirmations == ["确定删除附件“错传的文件.pdf”吗？"]
    assert "已删除附件“错传的文件.pdf”。" in member.locator("#attachments").inner_text()
    assert list(draft.attachments.values_list("name", flat=True)) == ["调研报告.pdf"]
    found += checked(member, axe)

    Work(world)
    staff = open_at(open_as, world.staff, viewport)
    staff.goto(staff.base + f"/manage/units/{world.units['区民政局'].pk}/hand-over/")
    found += checked(staff, axe)
    staff.get_by_role("button", name="移交").click()
    staff.wait_for_load_state()
    assert "请选择改交的承办单位。" in staff.locator("main").inner_text()
    found += checked(staff, axe)
    staff.get_by_label("调整后的承办单位").select_option(label="区司法局")
    staff.get_by_label("理由").fill("机构改革,区民政局相关职能划入区司法局")
    staff.get_by_role("button", name="移交").click()
    staff.wait_for_load_state()
    assert "2件已移交区司法局，1件未移交。" in staff.locator("main").inner_text()
    assert sorted(Assignment.objects.filter(unit=world.units["区民政局"]).values_list("status", flat=True)) == [
        "removed", "removed", "signed"]
    found += checked(staff, axe)

    staff.goto(staff.base + "/accounts/tokens/")
    staff.get_by_label("名称").fill("大屏展示系统")
    staff.get_by_role("button", name="创建令牌").click()
    staff.wait_for_load_state()
    assert "请立即复制此令牌" in staff.locator("main").inner_text()
    found += checked(staff, axe)  # the new token, one long word, wraps within the screen
    staff.get_by_role("button", name="吊销").click()
    staff.wait_for_load_state()
    assert "令牌已吊销，立即失效。" in staff.locator(".messages").inner_text()
    assert ApiToken.objects.get(user=world.staff).revoked_at is not None
    found += checked(staff, axe)
    assert not found, "\n".join(found)
