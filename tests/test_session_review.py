"""Review of the last six commits (task queue per installation; ``deadlines.performable`` read by the proposal page
and the API, API 1.9; ``when=`` on the assignment's steps; ``import_committee`` and the settings' checks; one-line
titles, ``never_cache``, attachment limits), as a user meets them.

Each failing test is a defect these changes opened; the passing ones guard what was found right and could plausibly
break. Each says what a user expects and why."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.test_excel_import import workbook
from tests.test_parity_review import (
    Api,
    _fresh,
    _one_unit,
    _replied,
    _reply,
    page_html,
    page_offers,
)
from tian.accounts.models import User
from tian.deadlines.models import FollowUp
from tian.handling import services as handling
from tian.handling.models import Reply
from tian.importers.excel import import_file
from tian.proposals import services
from tian.proposals.models import CoSignature, Proposal, TopicCategory
from tian.supervision import services as supervision

PDF = b"%PDF-1.4\n%%EOF\n"
TODAY = datetime.date.today()


def _messages(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'<p class="message[^"]*">(.*?)</p>', html, re.S)]


def _paper_proposal(world) -> Proposal:
    """A paper proposal the office's clerk entered for 刘安泽 and submitted (代录)."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.staff, committee=world.committee, lead_member=world.member.member,
                                       title="关于纸质提案的建议", body="建议。", category=category)
    return services.proposal_submit(proposal=p, by=world.staff)


# --- 1. One-line titles break the Excel import of a proposal list the second time --------------------------------

@pytest.mark.parametrize("title", ["关于发展特色农业的建议\n——以羊木镇为例",  # a line break in the cell (Alt+Enter)
                                   "关于发展特色农业的建议　以羊木镇为例",  # a full-width space
                                   "关于发展特色农业的建议\t以羊木镇为例",  # a tab
                                   "关于发展特色农业的建议  以羊木镇为例"])  # two spaces
def test_importing_the_same_proposal_list_again_is_not_refused_for_its_title(world, title):
    """The office keeps its proposal list in Excel and imports it again after adding the assignments (人员与单位 → 从
    Excel 导入; an import "through the services", idempotent by year and number). A 案由 cell holding a line break, a
    tab, a full-width space or two spaces is saved as one line now (``proposals.services._one_line_title``), but
    ``importers.excel._import_proposals`` compares the cell's raw text with the saved title, so the second import of
    the very same file is refused: "2023年度第7号已是另一件提案" naming the same title. Expected: the row is the same
    proposal (titles compared as they are saved)."""
    row = [2023, 7, title, "刘安泽", "徐丽娟", "建议发展特色农业。", "2023-03-16", "区民政局", "区教科局", "区政府办公室",
           "杨金军", "否", "是"]
    first = import_file("proposals", workbook("proposals", [row]), committee=world.committee, by=world.staff)
    assert first.ok, first.errors
    assert "\n" not in Proposal.objects.get(year=2023, number=7).title  # saved as one line
    again = import_file("proposals", workbook("proposals", [row]), committee=world.committee, by=world.staff)
    assert again.ok, again.errors
    assert Proposal.objects.filter(year=2023, number=7).count() == 1


def test_a_title_typed_with_a_tab_or_a_full_width_space_is_saved_as_one_line(world, client_for):
    """Guard: the draft page saves a pasted title with a tab, a line break or full-width spaces as one line, and a
    title of blanks alone as an empty one (a draft may be saved unfinished; submitting it asks for a title)."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    member = client_for(world.member)
    r = member.post("/proposals/new/", {"title": "　关于加强\t全区\r\n未成年人保护的建议　", "body": "建议。",
                                        "category": category.pk, "disclosure_consent": "on", "save": "1"})
    assert r.status_code == 302
    assert Proposal.objects.get().title == "关于加强 全区 未成年人保护的建议"
    blank = member.post("/proposals/new/", {"title": "\t　 ", "body": "建议。", "category": category.pk,
                                            "disclosure_consent": "on", "save": "1"})
    assert blank.status_code == 302 and Proposal.objects.order_by("pk").last().title == ""


# --- 2. The attachment limits on the draft page ---------------------------------------------------------------------

def test_the_draft_pages_upload_button_says_why_a_file_over_the_limit_was_refused(world, client_for, settings,
                                                                                   tmp_path):
    """A member edits their draft and presses 上传 (the draft page's own Upload button, which saves the draft and adds
    the file in one step). The proposal already holds ATTACHMENTS_PER_PROPOSAL files, so ``attachment_add`` refuses
    it ("每件提案最多上传 N 个附件。"); ``author._draft_page`` puts the refusal in ``section_errors["attachments"]``, but
    ``proposals/edit.html`` shows section errors for the co-signers' section only: the page comes back with "出错后已选
    的文件不会保留" and no word of why (and the draft's changes typed with it are not saved either). Expected: the
    limit's Chinese message on the page, by the attachments."""
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENTS_PER_PROPOSAL = 1
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    draft = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                           title="关于甲的建议", body="建议。", category=category)
    services.attachment_add(proposal=draft, by=world.member, file=SimpleUploadedFile("调研报告.pdf", PDF))
    r = client_for(world.member).post(reverse("proposals:edit", args=[draft.pk]), {
        "title": "关于甲的建议", "body": "建议。", "category": category.pk, "disclosure_consent": "on", "upload": "1",
        "file": SimpleUploadedFile("照片.pdf", PDF)})
    assert draft.attachments.count() == 1
    assert "每件提案最多上传 1 个附件" in r.content.decode(), "the draft page does not say why the file was refused"


def test_the_attachment_limits_are_told_in_chinese_on_the_upload_address(world, client_for, settings, tmp_path):
    """Guard: the attachments' own address (the section's form without scripts) refuses the 21st file and a file over
    the total with the limit named in Chinese, and keeps nothing."""
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENTS_PER_PROPOSAL = 2
    draft = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                           title="关于甲的建议", body="建议。")
    member = client_for(world.member)
    for i in range(3):
        r = member.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile(f"材料{i}.pdf", PDF)},
                        follow=True)
    assert draft.attachments.count() == 2
    assert "每件提案最多上传 2 个附件。" in _messages(r.content.decode())
    settings.ATTACHMENTS_PER_PROPOSAL = 20
    settings.ATTACHMENTS_TOTAL_BYTES = 3 * 1024 * 1024
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (3 * 1024 * 1024))
    r = member.post(f"/proposals/{draft.pk}/attachments/", {"file": big}, follow=True)
    assert "每件提案的附件合计不能超过 3 MB。" in _messages(r.content.decode())
    assert draft.attachments.count() == 2


# --- 3. never_cache: the management list shows a new account's initial password too --------------------------------

def test_the_member_list_that_shows_a_new_accounts_password_is_not_kept_by_the_browser(world, client_for):
    """The clerk adds a member with a sign-in account on the member's own form (人员与单位 → 委员, "create a sign-in
    account"); the list it returns to shows the generated initial password once (``pages.manage.views.object_list``
    → ``pop_new_login``, template ``accounts/_new_login.html``). The security fix made the users' list and the tokens'
    page ``never_cache`` (decisions.md: a shared office PC's browser cache or a proxy must not give the password back),
    but not this list, which shows the same password. Expected: Cache-Control no-store here too."""
    clerk = client_for(world.staff)
    created = clerk.post(reverse("organisations:create", args=["members"]), {
        "name": "王小红", "gender": "", "sector": world.sector.pk, "party": world.party.pk, "mobile": "13912345678",
        "office_phone": "", "workplace": "区第一中学", "terms": [world.term.pk], "is_active": "on",
        "login-create": "on"})
    assert created.status_code == 302
    page = clerk.get(created.url)
    assert 'class="secret"' in page.content.decode()  # the initial password, shown once
    assert "no-store" in page.get("Cache-Control", ""), dict(page.headers)


# --- 4. The operator's superuser opens the whole admin with a password alone ----------------------------------------

def test_the_operators_superuser_gives_a_second_factor_before_the_admin(world):
    """Deploy, step 6: `createsuperuser` makes an account of no committee with no role. The admin now lets such an
    account in (``accounts.admin._admin_only``: ``is_superuser and committee is None``) so that it can give the first
    administrator its role. But a second factor is asked by role (``twofactor.required_for``: staff, supervisor,
    admin), and this account has none: signing in with the password alone opens Django's admin over every table of
    every committee in the database — accounts, roles, passwords — where an administrator (role ``admin``) is sent to
    set up an authenticator first. Expected: the admin asks the superuser for a second factor as it asks every
    administrator (operations.md: the admin is the operator's; domain: the office's and the administrators' accounts
    need two factors)."""
    call_command("createsuperuser", interactive=False, username="root", email="root@example.gov.cn",
                 stdout=io.StringIO())
    root = User.objects.get(username="root")
    root.set_password("A-long-operator-secret-9")
    root.save()
    administrator = Client()
    administrator.post("/accounts/login/", {"username": world.admin.username, "password": PASSWORD})
    assert administrator.get("/admin/").status_code == 302  # to the second factor's set-up
    operator = Client()
    signed_in = operator.post("/accounts/login/", {"username": "root", "password": "A-long-operator-secret-9"})
    assert signed_in.status_code == 302
    users = operator.get("/admin/accounts/user/")
    assert users.status_code != 200 or "刘安泽" not in users.content.decode(), \
        "the superuser reads every account in the admin with a password alone"


# --- 5. The paper co-signers on the proposal page -------------------------------------------------------------------

def test_paper_co_signers_are_recorded_on_the_proposal_page_until_registration(world, client_for):
    """Guard (domain.md, "Co-signing": a paper form's co-signers are recorded as accepted; the list is frozen at
    registration): the clerk who entered the paper proposal records its co-signers on the proposal page once it is
    submitted; the page says so and lists them as signed, and no invitation is sent."""
    p = _paper_proposal(world)
    clerk = client_for(world.staff)
    page = clerk.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert f'action="/proposals/{p.pk}/invite/"' in page and "按纸质提案录入联名" in page
    r = clerk.post(reverse("proposals:invite", args=[p.pk]), {"members": [world.cosigner.member_id]}, follow=True)
    html = r.content.decode()
    assert "已录入纸质提案的联名人。" in _messages(html)
    assert re.search(r"徐丽娟: 同意联名", html)
    assert CoSignature.objects.get(proposal=p).status == CoSignature.Status.ACCEPTED


def test_recording_paper_co_signers_after_registration_is_refused_for_the_registration(world, client_for):
    """The clerk had the page open with the paper co-signers' form; a colleague registers the proposal meanwhile, and
    the clerk then sends the form. It is refused, rightly (the list is frozen at registration) — but as "您无权执行此
    操作" (403 ``not_allowed`` in the API): ``author.proposal_invite`` and ``api.cosigning.proposal_invite`` choose the
    paper path by ``workflow.allowed`` (which asks the state too) and otherwise fall to ``cosign_invite``, which the
    office may never take. The clerk is told they lack a permission they used a minute ago. Expected: the refusal of
    the state ("…while the proposal is “已立案”", 409 ``invalid_state``), as ``cosign_record_on_paper`` says it."""
    p = _paper_proposal(world)
    services.proposal_register(proposal=_fresh(p), by=world.staff)
    r = client_for(world.staff).post(reverse("proposals:invite", args=[p.pk]), {"members": [world.cosigner.member_id]},
                                     follow=True)
    assert not CoSignature.objects.filter(proposal=p).exists()
    said = " ".join(_messages(r.content.decode()))
    api = Api(world.staff).post(f"/proposals/{p.pk}/invitations", {"members": [world.cosigner.member_id]})
    assert not CoSignature.objects.filter(proposal=p).exists()
    assert "已立案" in said and "无权" not in said, said
    assert api.status_code == 409 and api.json()["code"] == "invalid_state", api.content


def test_the_paper_clerk_is_not_offered_to_withdraw_the_proposers_own_invitations(world, client_for):
    """A paper proposal the clerk entered for 刘安泽 is submitted; 刘安泽 (its lead proposer, with an account) also
    invites 徐丽娟 online, as a proposer may until registration. The proposal page now gives the clerk the co-signers'
    form (``invite_form`` for ``record_paper_cosigners``), and ``_detail_body.html`` shows "撤回邀请" beside every open
    invitation wherever ``invite_form`` is set — but withdrawing is the proposer's (``COSIGNATURE``'s ``withdraw`` is
    ``invite_cosigners``): the clerk's click is refused. Expected: no button the service refuses (as the draft page
    shows it only with ``can_invite``)."""
    p = _paper_proposal(world)
    invitation = services.cosign_invite(proposal=_fresh(p), by=world.member, members=[world.cosigner.member])[0]
    clerk = client_for(world.staff)
    page = clerk.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    tried = clerk.post(reverse("proposals:cosign_withdraw", args=[invitation.pk]), follow=True)
    assert CoSignature.objects.get(pk=invitation.pk).status == CoSignature.Status.INVITED  # refused
    assert "无权" in " ".join(_messages(tried.content.decode()))
    assert f'action="/proposals/cosignatures/{invitation.pk}/withdraw/"' not in page, \
        "the clerk is offered to withdraw the proposer's invitation, which the service refuses"


# --- 6. The proposal page's panel and the unit's way to its work page (guards) --------------------------------------

def test_a_unit_whose_reply_waits_for_review_still_reaches_its_work_page(world):
    """Guard: the lead unit submitted its reply, which waits for supervision review: its proposal page still leads to
    its work page (its letter, contact records, extension are there), and the API names what it may still do."""
    p = _one_unit(world, supervised=True)
    _reply(world, p)
    p = _fresh(p)
    assert Reply.objects.get(proposal=p).status == Reply.Status.SUPERVISION
    assert "handle" in page_offers(world.lead_handler, p)
    c = Client()
    c.force_login(world.lead_handler)
    assert c.get(reverse("handling:work", args=[p.pk])).status_code == 200
    d = Api(world.lead_handler).get(f"/proposals/{p.pk}")
    assert "record_contact" in d["actions"] and "write_reply" not in d["actions"]
    assert "handle" not in page_offers(world.supervisor, p) and "review_reply" in page_offers(world.supervisor, p)


def test_each_unit_reaches_its_work_page_while_it_has_work(world, assigned):
    """Guard: lead and assisting unit, before and after signing for, while co-signing: "Handle this proposal" on the
    proposal page; once the proposal is answered and nothing is awaited from the unit, no empty panel; a follow-up
    awaited brings the link back for the unit that owes it."""
    lead = assigned.assignments.get(role="lead")
    assisting = assigned.assignments.get(role="assisting")
    for user in (world.lead_handler, world.assisting_handler):
        assert "handle" in page_offers(user, assigned)
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    handling.assignment_sign_for(assignment=assisting, by=world.assisting_handler)
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意。")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="B", contact_name="贺威",
                                contact_phone="0839-8620000", reply_date=TODAY)
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    for user in (world.lead_handler, world.assisting_handler):
        assert "handle" in page_offers(user, assigned)
    handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler)
    supervision.reply_approve(reply=Reply.objects.get(pk=reply.pk), by=world.supervisor)
    p = _fresh(assigned)
    assert p.state == "replied"
    assert 'id="actions-h"' not in page_html(world.lead_handler, p)
    FollowUp.objects.create(reply=Reply.objects.get(pk=reply.pk), due_on=TODAY + datetime.timedelta(days=10))
    handling.evaluation_submit(proposal=p, by=world.member, result="satisfied")  # moves the page's revision
    assert "handle" in page_offers(world.lead_handler, p)
    assert "handle" not in page_offers(world.assisting_handler, p)


def test_the_proposer_rates_then_reads_their_rating_and_the_api_keeps_the_deadlines_for_those_tied(world):
    """Guard: the lead proposer is offered the evaluation below the reply, then reads their rating where the form
    was; through the API the proposer and the unit still read each unit's status and deadline (they read the
    history), a reader with no tie does not."""
    p, _r = _replied(world)
    assert "evaluate" in page_offers(world.member, p)
    handling.evaluation_submit(proposal=p, by=world.member, result="satisfied")
    html = page_html(world.member, _fresh(p))
    assert 'id="my-evaluation"' in html and "满意" in html
    for user in (world.member, world.lead_handler, world.staff):
        a = Api(user).get(f"/proposals/{p.pk}")["assignments"][0]
        assert a["status"] == "signed" and a["deadline"] and a["reassignment_deadline"] and a["due"]["day"], user
    services.proposal_disclose(proposal=_fresh(p), by=world.staff)
    assert Api(world.stranger).get(f"/proposals/{p.pk}")["assignments"][0]["deadline"] is None


def test_a_unit_that_asked_to_leave_after_signing_goes_on_with_its_work(world, assigned):
    """Guard for ``when=``: an assisting unit that signed for the proposal and then asked for reassignment still sends
    its opinion and records its contact while the office decides (handling/lifecycle.py), on the page and the API."""
    assisting = assigned.assignments.get(role="assisting")
    handling.assignment_sign_for(assignment=assisting, by=world.assisting_handler)
    handling.reassignment_request(assignment=assisting, by=world.assisting_handler, reason="职责交叉")
    api = Api(world.assisting_handler)
    links = next(a["links"] for a in api.get(f"/proposals/{assigned.pk}")["assignments"] if a["id"] == assisting.pk)
    assert {"record_contact", "send_opinion"} <= set(links)
    taken = api.post(f"/assignments/{assisting.pk}/opinion", {"body": "建议由区民政局牵头。"})
    assert taken.status_code == 201, taken.content


# --- 7. import_committee: a new installation's own audit log stops the move -----------------------------------------

def test_a_new_installations_first_audit_entry_does_not_stop_the_import(world, tmp_path):
    """The other installation is deployed (migrations applied, no committee) and someone tried to sign in there once
    (a failed sign-in is audited): its audit log's first entry has id 1, as the old installation's had. The import now
    refuses any id of the file that the database holds (``transfer._check_clashes``), audit entries included, and
    says "audit.AuditEntry: this database holds rows with the ids of the export's": the documented move into "a
    database of its own" fails for a line of the new site's own log. Nothing refers to an audit entry by its id (the
    calendar's corrections are merged by date for the same reason), so the file's entries can be added with ids of
    their own. Expected: the committee is imported, the new installation's entry kept."""
    from tests.test_operations_review import _fresh_installation, _quiet
    from tian.accounts import services as account_services
    from tian.accounts.roles import Role
    from tian.audit.models import AuditEntry

    account_services.user_update(user=world.member, roles=[Role.MEMBER], by=world.staff, full_name="刘安泽(委员)")
    path = tmp_path / "committee.json"
    assert AuditEntry.objects.filter(actor__committee=world.committee).exists()
    first = AuditEntry.objects.filter(actor__committee=world.committee).order_by("pk").first().pk
    _quiet("export_committee", str(path))
    _fresh_installation()
    # The new site's own first line (ids count from 1 in its database as in the old one's): written as the log writes.
    AuditEntry.objects.bulk_create([AuditEntry(pk=first, action=AuditEntry.Action.LOGIN_FAILED, username="admin")])
    _quiet("import_committee", str(path))
    assert User.objects.filter(username="刘安泽").exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED, username="admin").exists()


# --- 8. generate_data: "signed" units that never signed -------------------------------------------------------------

def test_a_synthetic_committees_signed_units_may_record_their_contact(db):
    """`generate_data` builds committees "to try the system at scale" (README; its accounts sign in with
    synthetic-Data-1). Its assignments of proposals in handling are saved "signed" with no ``signed_at``
    (``demo.synthetic.generate``). Since ``when=_signed`` the assignment's steps ask ``signed_at``: such a unit is told
    "Please sign for the proposal first" for a contact record, an opinion or a co-signature — and cannot sign for it
    either (it is signed). Expected: a signed assignment of the synthetic committee takes its unit's steps."""
    from tian.demo.synthetic import generate
    from tian.handling.lifecycle import ASSIGNMENT
    from tian.handling.models import Assignment

    generate(proposals=60, seed=3, today=datetime.date(2026, 11, 28))
    signed = Assignment.objects.filter(status=Assignment.Status.SIGNED, proposal__state="handling")
    assert signed.exists()
    assert all(ASSIGNMENT.allowed(a, "record_contact") for a in signed), \
        "signed assignments of the synthetic committee refuse a contact record"
