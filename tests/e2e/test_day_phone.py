"""Issue #22 point 4 in a real browser, on a desktop (1280 px) and a phone (390 px): the user menu fits the
screen, 大字模式 is one tap from every page, tap targets are big enough and pages hold at 200 % zoom; the
member's draft page offers co-signers and attachments before the first save and comes back to the section used, and
its autosave and 保存 never refuse each other while another author's save is not written over; nothing but signing
out shows before the second factor. (test_screenshots.py saves these pages for docs/.)"""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import authenticator_code
from tian.accounts.roles import Role
from tian.proposals import services
from tian.proposals.models import Attachment, CoSignature, Proposal, TopicCategory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1280, 900, False), "phone": (390, 844, True)}
TITLE = "关于完善社区养老服务设施的建议"

# Every visible control a finger may aim at; a box inside its label is aimed at through the label.
SMALL_TARGETS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, summary, input:not([type=hidden]), select')) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('.visually-hidden, .skip-link')) continue;
    let r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) {
      r = el.closest('label').getBoundingClientRect();
    }
    if (r.width < 23.5 || r.height < 23.5) {
      out.push(`${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    const primary = el.matches('button:not(.link-button), .button');
    if (primary && r.height < 43.5) out.push(`primary ${el.tagName} "${el.textContent.trim().slice(0, 20)}" ${Math.round(r.height)} px tall`);
  }
  return out;
}"""

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def in_view(page, selector) -> bool:
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] < height and box["y"] + box["height"] > 0


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("size", SIZES)
def test_the_user_menu_fits_and_large_text_is_one_tap_away(world, open_as, size):
    width, height, mobile = SIZES[size]
    page = open_as(world.member, width=width, height=height, mobile=mobile)
    page.goto(page.base + "/home/member/")
    page.click(".user-menu summary")
    panel = page.locator(".user-menu__panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width, panel
    for entry in ("修改密码", "退出登录"):
        box = page.get_by_text(entry, exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 43.5, (entry, box)
    assert not page.evaluate(SMALL_TARGETS)
    page.click(".user-menu summary")  # closed again
    page.click("a.header-button:has-text('大字模式')")
    page.wait_for_load_state()
    assert page.url.endswith("/home/member/")
    assert "large-text" in page.get_attribute("html", "class")
    page.goto(page.base + "/proposals/mine/")  # remembered on the next page
    assert "large-text" in page.get_attribute("html", "class")
    assert page.evaluate(FITS) and not page.evaluate(SMALL_TARGETS)
    page.click("a.header-button:has-text('标准字号')")
    page.wait_for_load_state()
    assert "large-text" not in (page.get_attribute("html", "class") or "")


@pytest.mark.parametrize("size", SIZES)
def test_the_member_drafts_with_cosigners_and_attachments_before_any_save(world, open_as, media, size):
    width, height, mobile = SIZES[size]
    page = open_as(world.member, width=width, height=height, mobile=mobile)
    page.goto(page.base + "/proposals/new/")
    assert page.locator("label[for=id_title]").inner_text().strip() == "案由/标题"
    submit_y = page.locator("button[name=submit]").bounding_box()["y"]
    assert page.locator("#cosigners").bounding_box()["y"] < submit_y
    assert page.locator("#attachments").bounding_box()["y"] < submit_y
    page.fill("#id_title", TITLE)
    page.select_option("#id_category", label="社会建设")
    page.fill("#id_body", "社区养老服务设施不足。建议加大投入。")
    # The first invitation saves the draft and comes back to the co-signers.
    page.locator("#id_members label", has_text="徐丽娟").click()
    page.click("button[name=invite]")
    page.wait_for_url("**/edit/#cosigners")
    page.wait_for_selector("#cosigners >> text=联名邀请已发送")
    assert in_view(page, "#cosigners .message")
    proposal = Proposal.objects.get(title=TITLE)
    assert CoSignature.objects.get(proposal=proposal).member == world.cosigner.member
    # A refused file: the error stands by the file field, in view; the edited text is still there.
    page.fill("#id_body", "社区养老服务设施不足。建议加大投入,补足短板。")
    page.set_input_files("#id_file", files=[{"name": "说明.pdf", "mimeType": "application/pdf",
                                             "buffer": b"<html>not a pdf</html>"}])
    page.click("button[name=upload]")
    page.wait_for_selector("#attachments >> text=文件内容与文件名不符")
    page.wait_for_timeout(300)  # the page's own scroll to the first error, after load
    assert in_view(page, "#id_file_errors")
    assert page.input_value("#id_body").endswith("补足短板。") and page.input_value("#id_title") == TITLE
    assert not Attachment.objects.exists()
    # A good file: uploaded, the text saved with it, back at the attachments.
    page.set_input_files("#id_file", files=[{"name": "调研报告.pdf", "mimeType": "application/pdf",
                                             "buffer": b"%PDF-1.4 report"}])
    page.click("button[name=upload]")
    page.wait_for_url("**/edit/#attachments")
    page.wait_for_selector("#attachments >> text=附件已上传")
    assert in_view(page, "#attachments a:has-text('调研报告.pdf')")
    proposal.refresh_from_db()
    assert proposal.body.endswith("补足短板。")
    assert page.evaluate(FITS) and not page.evaluate(SMALL_TARGETS)
    # The text saves itself as the author types (only the text: no file or invitation goes with it).
    page.fill("#id_title", TITLE + "(二稿)")
    page.wait_for_selector("#autosave-status >> text=自动保存", timeout=10000)
    proposal.refresh_from_db()
    assert proposal.title == TITLE + "(二稿)" and Attachment.objects.filter(proposal=proposal).count() == 1
    # Withdrawing the invitation comes back to the co-signers too.
    page.click("#cosigners button[name=withdraw]")
    page.wait_for_url("**/edit/#cosigners")
    page.wait_for_selector("#cosigners >> text=邀请已撤回")
    assert in_view(page, "#cosigners .message")
    assert CoSignature.objects.get(proposal=proposal).status == CoSignature.Status.WITHDRAWN
    _typed_autosaved_and_saved(page, proposal)


def _typed_autosaved_and_saved(page, proposal):
    """The draft page's revision: its autosave moves it, so that the page's own saves are never refused, while a save
    of another author since the page was opened is not written over (the page shows what is saved now)."""
    revision = page.input_value("#proposal-form input[name=revision]")
    page.fill("#id_body", "社区养老服务设施不足。")
    page.wait_for_selector("#autosave-status >> text=自动保存", timeout=10000)
    assert page.input_value("#proposal-form input[name=revision]") != revision  # the answer moved it
    # 保存 pressed while an autosave is on its way waits for its answer: its revision, not the one before, goes
    # with the save, which is not refused (the autosave held here, as a slow network would).
    held, holding = [], [True]
    page.route("**/autosave/", lambda route: held.append(route) if holding[0] else route.continue_())
    page.fill("#id_body", "社区养老服务设施不足。建议")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the autosave was not sent"
    page.fill("#id_body", "社区养老服务设施不足。建议新建日间照料中心。")
    page.click("button[name=save]")
    page.wait_for_timeout(500)
    proposal.refresh_from_db()
    assert proposal.body == "社区养老服务设施不足。"  # nothing sent yet: the save waits for the autosave
    holding[0] = False
    held[0].continue_()
    page.wait_for_url("**/edit/#draft-actions")
    page.wait_for_selector("#draft-actions >> text=草稿已保存")
    page.unroute("**/autosave/")
    assert page.locator("#saved-meanwhile").count() == 0
    proposal.refresh_from_db()
    assert proposal.body == "社区养老服务设施不足。建议新建日间照料中心。"
    # Another author (here another tab) saves: this page's autosave is refused, and its 保存 shows what is saved now
    # above what was typed; sent again, the form is saved.
    services.proposal_update_draft(proposal=proposal, by=proposal.created_by, body="另一位作者的修改。")
    page.fill("#id_body", "我的修改。")
    page.wait_for_selector("#autosave-status .badge--danger", timeout=10000)
    assert Proposal.objects.get(pk=proposal.pk).body == "另一位作者的修改。"
    page.click("button[name=save]")
    page.wait_for_selector("#saved-meanwhile >> text=另一位作者的修改。")
    assert page.input_value("#id_body") == "我的修改。"
    assert Proposal.objects.get(pk=proposal.pk).body == "另一位作者的修改。"
    page.fill("#id_body", "另一位作者的修改。我的修改。")
    page.click("button[name=save]")
    page.wait_for_selector("#draft-actions >> text=草稿已保存")
    assert Proposal.objects.get(pk=proposal.pk).body == "另一位作者的修改。我的修改。"


@pytest.mark.parametrize("size", SIZES)
def test_nothing_but_sign_out_shows_before_the_second_factor(world, browser, live_server, size):
    width, height, mobile = SIZES[size]
    world.staff.full_name = str(Role.STAFF.label)  # as in the demo: the account named after its role
    world.staff.save()
    authenticator_code(world.staff)  # the app was set up at an earlier sign-in
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile,
                                  locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", world.staff.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/accounts/2fa/**")
        assert page.locator(".main-nav").count() == 0 and page.locator(".bell").count() == 0
        assert page.locator(".user-menu").count() == 0
        assert page.locator(".header-tools button:has-text('退出登录')").is_visible()
        assert page.locator("a.header-button:has-text('大字模式')").is_visible()
        page.fill("#id_code", authenticator_code(world.staff))
        page.click("form:not([action]) button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server.url + "/home/staff/")
        assert page.locator(".main-nav").is_visible() and page.locator(".bell").is_visible()
        assert page.locator("h1").inner_text().count("提案委工作人员") == 1
    finally:
        context.close()


def test_pages_hold_at_200_percent_zoom_and_on_a_360_px_phone(world, open_as):
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title=TITLE, body="建议。", category=category)
    services.proposal_submit(proposal=p, by=world.member)
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="草稿", body="。")
    paths = ["/home/member/", "/proposals/new/", f"/proposals/{draft.pk}/edit/", "/proposals/mine/",
             f"/proposals/{p.pk}/", "/notifications/"]
    # 200 % zoom of a 1280 px window is a 640 px wide page; a small phone is 360 px.
    for width, height in ((640, 450), (360, 740)):
        page = open_as(world.member, width=width, height=height, mobile=width == 360)
        for path in paths:
            page.goto(page.base + path)
            assert page.evaluate(FITS), (width, path)
            assert not page.evaluate(SMALL_TARGETS), (width, path, page.evaluate(SMALL_TARGETS))
