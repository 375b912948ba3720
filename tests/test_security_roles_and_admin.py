"""Security: accounts, roles that ask a second factor, the admin site, refusals audited. Each test failed on the
code before its mend."""


from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tian.accounts import services
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.audit.models import AuditEntry
from tian.proposals import services as proposal_services
from tian.proposals.models import TopicCategory


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


# Two-factor sign-in and role changes ---------------------------------------------------------------------------

def test_a_signed_in_member_promoted_to_staff_must_still_give_a_second_factor(world):
    """A session that signed in with the password only (a member, for whom two-factor sign-in is optional) must
    not reach the office's pages once the account is given a role that requires a second factor: the session ends,
    and signing in again asks for the second factor (its set-up) before anything else."""
    browser = Client()
    assert _login(browser, "刘安泽").status_code == 302
    services.user_roles_set(user=world.member, roles=[Role.MEMBER, Role.STAFF], by=world.admin)
    response = browser.get(reverse("dashboard:home_staff"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), (
        f"staff home served without any second factor: {response.status_code}")
    again = _login(browser, "刘安泽")
    assert again.status_code == 302 and again["Location"].startswith("/accounts/2fa/")
    assert browser.get(reverse("dashboard:home_staff"))["Location"].startswith("/accounts/2fa/")


def test_a_token_made_before_a_promotion_does_not_carry_a_role_that_requires_two_factor(world):
    """A personal API token made by a member (no second factor) must not start acting with the office's powers
    when the account is given a role that requires two-factor sign-in: the role change should revoke the account's
    tokens (as a password change or a two-factor reset does), so a token only exists after a verified sign-in."""
    _token, raw = services.token_create(user=world.member, name="小程序")
    services.user_roles_set(user=world.member, roles=[Role.MEMBER, Role.STAFF], by=world.admin)
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401, response.content


# Audit of refusals -----------------------------------------------------------------------------------------------

def test_an_attempt_to_download_an_attachment_of_someone_elses_proposal_is_audited(world, settings, tmp_path):
    """An attachment of a proposal the user may not open is refused (404, not to tell that it exists); the
    refusal is still a security event and should be in the audit log, as a refused page is."""
    settings.MEDIA_ROOT = tmp_path
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = proposal_services.proposal_create_draft(by=world.member, committee=world.committee,
                                                lead_member=world.member.member, title="关于附件的建议",
                                                body="建议。", category=category)
    upload = SimpleUploadedFile("secret.pdf", b"%PDF-1.4 secret", content_type="application/pdf")
    attachment = proposal_services.attachment_add(proposal=p, by=world.member, file=upload)
    thief = Client()
    thief.force_login(world.stranger)
    response = thief.get(reverse("proposals:attachment", args=[attachment.pk]))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, actor=world.stranger).exists(), (
        "no audit entry for a refused attachment download")


def test_opening_someone_elses_proposal_is_answered_as_missing_and_audited(world):
    """A proposal the user may not see is answered exactly as a missing id (404, on the page and in the API), so
    nobody learns it exists; but trying ids one after another is a security event, so a hidden one is audited as a
    refusal (a missing one is not: it is no one's)."""
    from tian.accounts.services import token_create

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = proposal_services.proposal_create_draft(by=world.member, committee=world.committee,
                                                lead_member=world.member.member, title="关于私下的建议",
                                                body="建议。", category=category)
    prober = Client()
    prober.force_login(world.stranger)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=world.stranger, name='probe')[1]}")
    refused = AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, actor=world.stranger).count
    hidden, missing = prober.get(p.get_absolute_url()), prober.get(f"/proposals/{p.pk + 1000}/")
    assert hidden.status_code == missing.status_code == 404
    def main(response):
        return response.content.decode().split("<main")[1].split("</main>")[0]
    assert main(hidden) == main(missing)  # nothing tells them apart
    assert refused() == 1
    assert api.get(f"/api/v1/proposals/{p.pk}").status_code == 404
    assert api.get(f"/api/v1/proposals/{p.pk + 1000}").status_code == 404
    assert refused() == 2
    assert AuditEntry.objects.filter(actor=world.stranger, data__path=p.get_absolute_url()).exists()


# The Django admin site's password form ---------------------------------------------------------------------------

def test_a_password_is_not_set_on_the_admin_site_but_on_the_accounts_page(world):
    """A password set by an administrator is a reset (docs/operations.md): the person's sessions and API tokens end,
    they must choose their own at the next sign-in, and the reset is audited (``services.user_set_password``, the
    account's page). The Django admin site's own password form set the hash alone: it now sends the administrator
    to the account's page and sets nothing itself."""
    before = world.member.password
    admin = Client()
    admin.force_login(world.admin)
    url = f"/admin/accounts/user/{world.member.pk}/password/"
    for response in (admin.get(url), admin.post(url, {"password1": "Set-by-admin-77", "password2": "Set-by-admin-77"})):
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:user_edit", args=[world.member.pk])
    world.member.refresh_from_db()
    assert world.member.password == before


def test_an_account_added_on_the_admin_site_must_choose_its_own_password(world):
    """An account an administrator creates on the Django admin site, with a password the administrator chose, is
    like one staff create on the user pages: the person must set their own password at the first sign-in
    (docs/operations.md: "Accounts created or reset by staff ... must choose their own password")."""
    admin = Client()
    admin.force_login(world.admin)
    response = admin.post("/admin/accounts/user/add/", {
        "username": "newadminmade", "password1": "Chosen-by-admin-5", "password2": "Chosen-by-admin-5",
        "usable_password": "true",
        "role_grants-TOTAL_FORMS": "0", "role_grants-INITIAL_FORMS": "0",
        "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 302, response.content[:3000]
    assert User.objects.get(username="newadminmade").must_change_password
