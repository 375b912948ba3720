"""The audit log: sign-ins, refusals, downloads and state changes, kept unchangeable, searchable by staff."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tian.audit.models import AuditEntry
from tian.proposals import services
from tian.proposals.models import TopicCategory


def test_sign_ins_and_failures_are_recorded_with_the_address(world):
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post(reverse("accounts:login"), {"username": "刘安泽", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "刘安泽", "password": PASSWORD})
    failed = AuditEntry.objects.get(action="login_failed")
    assert (failed.username, failed.address) == ("刘安泽", "10.1.2.3")
    assert AuditEntry.objects.get(action="login").actor == world.member
    history = client.get(reverse("audit:history")).content.decode()
    assert "10.1.2.3" in history and "登录失败" in history


def test_refusals_downloads_and_changes_are_recorded(world, client_for):
    client_for(world.member).get(reverse("accounts:user_list"))
    assert AuditEntry.objects.filter(action="denied", actor=world.member, detail__contains="/accounts/users/").exists()
    client_for(world.staff).get(reverse("proposals:list") + "?format=xlsx")
    assert AuditEntry.objects.filter(action="download", actor=world.staff).exists()
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于审计的建议", body="建议。", category=category)
    services.proposal_submit(proposal=p, by=world.member)
    change = AuditEntry.objects.filter(action="change", object_type="proposal", object_id=str(p.pk)).first()
    assert change.actor == world.member and "proposal.submitted" in change.detail
    assert change.data == {"kind": "event", "event": "proposal.submitted", "from": "draft", "to": "submitted"}


def test_entries_cannot_be_changed_or_deleted(world, client_for):
    entry = AuditEntry.objects.create(action="login", username="x")
    entry.detail = "edited"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    admin = client_for(world.admin)
    assert admin.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code in (200, 302, 403)
    assert admin.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_staff_search_by_person_object_action_and_date(world, client_for):
    client_for(world.member).get(reverse("accounts:user_list"))
    staff = client_for(world.staff)
    page = staff.get(reverse("audit:search"), {"person": "刘安泽", "action": "denied"}).content.decode()
    assert "刘安泽 试图打开「用户」页面，被拒绝" in page and "GET /accounts/users/" in page
    page = staff.get(reverse("audit:search"), {"person": "徐丽娟"}).content.decode()
    assert "试图打开「用户」页面" not in page
    assert client_for(world.member).get(reverse("audit:search")).status_code == 403


@pytest.mark.django_db
def test_an_entry_that_cannot_be_written_leaves_the_callers_transaction_usable(world):
    """An audit entry that fails (here: an action longer than its column) is logged and skipped; the change it
    records, in the same transaction, still commits, on PostgreSQL too."""
    from django.db import transaction

    from tian.audit.log import audit
    from tian.audit.models import AuditEntry
    from tian.organisations.models import Unit

    before = AuditEntry.objects.count()
    with transaction.atomic():
        audit("x" * 200, user=world.staff, object_type="unit" * 30, object_id="1" * 80, detail="过长")
        Unit.objects.filter(pk=world.units["区民政局"].pk).update(full_name="广元市朝天区民政局（改）")
    assert Unit.objects.get(pk=world.units["区民政局"].pk).full_name == "广元市朝天区民政局（改）"
    assert AuditEntry.objects.count() in (before, before + 1)  # SQLite keeps an over-long value; PostgreSQL refuses it
