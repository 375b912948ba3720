"""Security review (black-box, through the test client and the API): what a signed-in member, unit handler,
supervisor or clerk, or a visitor, could do that they should not. Each failing test is a defect; the passing ones
guard what was found right and could plausibly break."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import PASSWORD
from tian.handling import services as handling
from tian.notifications.models import Delivery
from tian.proposals import services
from tian.proposals.models import Proposal, TopicCategory
from tian.supervision import services as supervision

PDF = b"%PDF-1.4\n%%EOF\n"


def _at_supervision(world, assigned):
    """The lead unit's reply of ``assigned`` co-signed and waiting for the supervising office's review."""
    lead = assigned.assignments.get(unit=world.units["区民政局"])
    assisting = assigned.assignments.get(unit=world.units["区教科局"])
    handling.assignment_sign_for(assignment=lead, by=world.lead_handler)
    handling.assignment_sign_for(assignment=assisting, by=world.assisting_handler)
    handling.opinion_send(assignment=assisting, by=world.assisting_handler, body="同意。")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复如下。", outcome="A",
                                contact_name="王敏", contact_phone="0839-8620000", reply_date=datetime.date.today())
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    handling.reply_cosign(reply=reply, by=world.assisting_handler)
    reply.refresh_from_db()
    return reply


# --- 1. Notifications by e-mail: the subject is the message's first 60 characters, line breaks included -----------

def test_a_return_comment_written_on_two_lines_still_reaches_the_unit_by_email(world, assigned,
                                                                                django_capture_on_commit_callbacks):
    # A supervising office returns a reply with its comments on two lines (the form is a text area). The unit's
    # handler, who gets mail, expects the e-mail telling them so. notifications/tasks.deliver sends
    # ``subject=text[:60]``; Django refuses a subject holding a line break (BadHeaderError), so the delivery fails,
    # is retried for three days and given up: the unit never hears by mail that its reply came back.
    world.lead_handler.email = "minzheng@example.org"
    world.lead_handler.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        reply = _at_supervision(world, assigned)
        mail.outbox.clear()
        supervision.reply_return(reply=reply, by=world.supervisor, comments="一、联系人电话不全。\n二、请补充落实时间。")
    sent = [m for m in mail.outbox if "minzheng@example.org" in m.to]
    failed = list(Delivery.objects.filter(notification__user=world.lead_handler, status=Delivery.Status.FAILED)
                  .values_list("last_error", flat=True))
    assert any("请补充落实时间" in m.body for m in sent), failed  # among the mails the block's commit sent
    assert failed == []


def test_a_line_break_typed_into_a_title_does_not_silence_the_offices_email(world, client_for,
                                                                            django_capture_on_commit_callbacks):
    # The title (案由) field takes a line break (a member pastes a two-line title, or does it on purpose); every
    # e-mail naming the proposal then fails the same way, beginning with the office's "new proposal to review" —
    # a proposer can keep their submission out of the clerks' mailboxes. Whatever the mend (fold line breaks in a
    # one-line title, and/or make the subject one line in deliver()), the office's e-mail must go out.
    world.staff.email = "tiwei@example.org"
    world.staff.save(update_fields=["email"])
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.member).post("/proposals/new/", {
            "title": "关于加强未成年人\n关爱保护工作的建议", "body": "建议如下。", "category": category.pk,
            "disclosure_consent": "on", "submit": "1"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and proposal.state == "submitted"
    assert [m for m in mail.outbox if "tiwei@example.org" in m.to], list(
        Delivery.objects.filter(notification__user=world.staff).values_list("status", "last_error"))


# --- 2. Secrets shown once are served without Cache-Control: no-store ------------------------------------------

def test_the_page_that_shows_a_new_api_token_tells_the_browser_not_to_store_it(world, client_for):
    # The raw token is shown once ("copy it now"); anyone later using the same office PC's browser history/cache (Back
    # button, disk cache) or a caching proxy must not get it back. The two-factor pages that show recovery codes are
    # never_cache already; accounts/views.token_list is not.
    response = client_for(world.member).post("/accounts/tokens/", {"name": "大屏"})
    assert response.status_code == 200 and "tian_" in response.content.decode()
    assert "no-store" in response.get("Cache-Control", ""), dict(response.headers)


def test_the_page_that_shows_a_generated_password_tells_the_browser_not_to_store_it(world, client_for):
    # A clerk or administrator creates an account without typing a password: the next page (the user list) shows the
    # generated initial password once. It is served cacheable like any page (accounts/views.user_list).
    admin = client_for(world.admin)
    created = admin.post("/accounts/users/new/", {"username": "新同事", "full_name": "新同事", "roles": ["staff"],
                                                  "is_active": "on"})
    assert created.status_code == 302
    page = admin.get(created["Location"])
    shown = page.context["new_login"]["password"]
    assert page.status_code == 200 and shown and shown in page.content.decode()
    assert "no-store" in page.get("Cache-Control", ""), dict(page.headers)


# --- 3. Attachments: one file is capped, their number is not ----------------------------------------------------

def test_one_draft_cannot_pile_up_attachments_without_bound(world, client_for, settings, tmp_path):
    # ATTACHMENT_MAX_BYTES caps one file (20 MB), but a member may upload any number of them to their own draft
    # (proposals/forms.AttachmentForm, services.attachment_add: no count or total-size check, and no way to delete
    # one): 60 uploads here, 1.2 GB at full size, and a script can go on until the server's disk is full. A proposal
    # needs a handful of files: a bound (say 20 files, or a total size) must refuse the rest with the form's error.
    settings.MEDIA_ROOT = tmp_path
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于甲的建议", body="建议。")
    member = client_for(world.member)
    for i in range(60):
        member.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile(f"材料{i}.pdf", PDF)})
    assert draft.attachments.count() < 60


# --- Verified right: guards -------------------------------------------------------------------------------------

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "https:evil.example",
        "///evil.example", "http:/\\/evil.example", "\t//evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", EVIL)
def test_no_address_of_the_site_redirects_to_another_site(world, client_for, target):
    """Sign-in, sign-out, the language switch, the large-text switch and the co-sign answer take ``next``; none of
    them may send the browser off the site (an open redirect behind a trusted address)."""
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="关于丙的建议", body="建议。")
    invitation = services.cosign_invite(proposal=draft, by=world.member, members=[world.cosigner.member])[0]
    visitor = Client()
    answers = [
        visitor.post(f"/accounts/login/?next={target}", {"username": world.member.username, "password": PASSWORD}),
        visitor.post("/accounts/logout/", {"next": target}),
        visitor.post("/i18n/setlang/", {"language": "en", "next": target}),
        visitor.post("/i18n/setlang/", {"language": "zh-hans"}, HTTP_REFERER=target),
        visitor.get("/large-text/", {"next": target}),
        client_for(world.cosigner).post(f"/proposals/cosignatures/{invitation.pk}/answer/", {"next": target}),
    ]
    assert all(response.status_code == 302 for response in answers)
    for response in answers:
        location = response.get("Location", "")
        assert "evil" not in location and not location.startswith(("//", "/\\", "\\", "javascript")), location


def test_extra_fields_posted_with_a_draft_are_not_taken(world, client_for):
    """Mass assignment: a member's draft form sent with the office's fields (state, number, public, the proposer, the
    committee) saves the draft as the member wrote it and nothing else."""
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    response = client_for(world.member).post("/proposals/new/", {
        "title": "关于乙的建议", "body": "建议。", "category": category.pk, "state": "registered", "number": "1",
        "is_public": "on", "is_key": "on", "lead_member": world.stranger.member.pk, "committee": 999,
        "collective": world.collective_org.pk, "kind": "collective"})
    assert response.status_code == 302
    draft = Proposal.objects.get()
    assert (draft.state, draft.number, draft.is_public, draft.lead_member_id, draft.collective_id,
            draft.committee_id) == ("draft", None, False, world.member.member.pk, None, world.committee.pk)
