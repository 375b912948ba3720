"""Management pages for people, organisations and users: right roles only, bad input changes nothing."""

import pytest
from django.urls import reverse

from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.organisations.models import Session, Unit
from tian.pages.manage.registry import MANAGED


@pytest.mark.parametrize("slug", [s for s, e in MANAGED.items() if e.perm.value == "manage_people"])
def test_people_pages_are_for_staff_and_admins_only(world, client_for, slug):
    url = reverse("organisations:list", args=[slug])
    assert client_for(world.staff).get(url).status_code == 200
    assert client_for(world.admin).get(url).status_code == 200
    for who in ("member", "lead_handler", "supervisor", "official", "collective"):
        assert client_for(getattr(world, who)).get(url).status_code == 403, who


def test_calendar_and_settings_are_for_admins(world, client_for):
    for url in (reverse("organisations:list", args=["sessions"]), reverse("organisations:settings")):
        assert client_for(world.admin).get(url).status_code == 200
        assert client_for(world.staff).get(url).status_code == 403


def test_user_management_is_for_staff_and_admins(world, client_for):
    url = reverse("accounts:user_list")
    assert client_for(world.staff).get(url).status_code == 200
    assert client_for(world.member).get(url).status_code == 403
    assert client_for(world.lead_handler).get(url).status_code == 403


def test_unknown_kind_is_404(world, client_for):
    assert client_for(world.staff).get("/manage/nonsense/").status_code == 404


def test_staff_create_a_unit(world, client_for):
    response = client_for(world.staff).post(reverse("organisations:create", args=["units"]), {
        "name": "区档案馆", "full_name": "广元市朝天区档案馆", "kind": "government", "office_phone": "0839-8621111",
        "leader": "李明", "order": 0, "is_active": "on"})
    assert response.status_code == 302
    assert Unit.objects.get(name="区档案馆").committee == world.committee


def test_duplicate_unit_name_is_refused_with_a_message(world, client_for):
    response = client_for(world.staff).post(reverse("organisations:create", args=["units"]), {
        "name": "区民政局", "full_name": "重复", "kind": "government", "order": 0})
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert Unit.objects.filter(name="区民政局").count() == 1


def test_a_session_outside_its_term_is_refused(world, client_for):
    response = client_for(world.admin).post(reverse("organisations:create", args=["sessions"]), {
        "term": world.term.pk, "number": 9, "year": 2030, "submissions_open_on": "2030-01-02",
        "plenary_start": "2030-01-10", "plenary_end": "2030-01-12", "plenary_deadline": "2030-01-12"})
    assert response.status_code == 200
    assert "届期" in response.content.decode()
    assert not Session.objects.filter(number=9).exists()


def _user_post(**overrides):
    data = {"username": "newuser", "full_name": "新用户", "phone": "", "email": "", "is_active": "on",
            "roles": [Role.MEMBER.value], "password": "a-good-secret-77"}
    data.update(overrides)
    return data


def test_duplicate_username_is_refused(world, client_for):
    response = client_for(world.staff).post(reverse("accounts:user_create"), _user_post(username="刘安泽"))
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert User.objects.filter(username="刘安泽").count() == 1


def test_unit_handler_without_unit_is_refused_next_to_the_field(world, client_for):
    response = client_for(world.staff).post(reverse("accounts:user_create"),
                                             _user_post(roles=[Role.UNIT_HANDLER.value]))
    assert response.status_code == 200
    assert "承办单位经办人必须属于一个承办单位" in response.content.decode()
    assert not User.objects.filter(username="newuser").exists()


def test_staff_create_a_unit_handler(world, client_for):
    response = client_for(world.staff).post(reverse("accounts:user_create"), _user_post(
        username="区妇联", roles=[Role.UNIT_HANDLER.value], unit=world.units["区妇联"].pk))
    assert response.status_code == 302
    user = User.objects.get(username="区妇联")
    assert user.roles == {Role.UNIT_HANDLER} and user.unit == world.units["区妇联"]
    assert user.check_password("a-good-secret-77")


def test_staff_cannot_grant_the_admin_role(world, client_for):
    response = client_for(world.staff).post(reverse("accounts:user_create"), _user_post(roles=[Role.ADMIN.value]))
    assert response.status_code == 200
    assert not User.objects.filter(username="newuser").exists()
    response = client_for(world.staff).post(reverse("accounts:user_edit", args=[world.staff.pk]), _user_post(
        username="tiwei", roles=[Role.STAFF.value, Role.ADMIN.value], password=""))
    assert response.status_code == 200
    assert User.objects.get(pk=world.staff.pk).roles == {Role.STAFF}


def test_admin_grants_several_roles(world, client_for):
    response = client_for(world.admin).post(reverse("accounts:user_edit", args=[world.staff.pk]), _user_post(
        username="tiwei", roles=[Role.STAFF.value, Role.SUPERVISOR.value], office=world.offices["区政府办公室"].pk,
        password=""))
    assert response.status_code == 302
    assert User.objects.get(pk=world.staff.pk).roles == {Role.STAFF, Role.SUPERVISOR}


def test_rows_added_and_changed_on_the_management_pages_are_audited(world, client_for):
    """Who added or renamed a unit, and who changed the committee's settings, is in the audit log, in words."""
    from tian.audit.models import AuditEntry, Kind

    client = client_for(world.staff)
    client.post(reverse("organisations:create", args=["units"]), {
        "name": "区档案馆", "full_name": "广元市朝天区档案馆", "kind": "government", "office_phone": "0839-8621111",
        "leader": "李明", "order": 0, "is_active": "on"})
    unit = Unit.objects.get(name="区档案馆")
    client.post(reverse("organisations:edit", args=["units", unit.pk]), {
        "name": "区档案馆（区史志办）", "full_name": "广元市朝天区档案馆", "kind": "government",
        "office_phone": "0839-8621111", "leader": "李明", "order": 0, "is_active": "on"})
    entries = AuditEntry.objects.filter(data__kind=Kind.ROW_CHANGED, object_type="unit", object_id=str(unit.pk))
    assert [(e.actor, e.data["change"], e.data["name"]) for e in entries.order_by("pk")] == [
        (world.staff, "added", "区档案馆"), (world.staff, "changed", "区档案馆（区史志办）")]
    page = client_for(world.admin).get(reverse("audit:search")).content.decode()
    assert "新增了承办单位「区档案馆」" in page and "修改了承办单位「区档案馆（区史志办）」" in page


def test_a_row_deleted_in_the_django_admin_is_audited_with_its_id_and_name(world, client_for):
    from tian.audit.models import AuditEntry, Kind
    from tian.organisations.models import Party

    party = Party.objects.create(committee=world.committee, name="中国致公党")
    pk = party.pk
    response = client_for(world.admin).post(f"/admin/organisations/party/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Party.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(data__kind=Kind.ROW_CHANGED, data__change="deleted")
    assert (entry.actor, entry.object_type, entry.object_id, entry.data["name"]) == (
        world.admin, "party", str(pk), "中国致公党")


@pytest.mark.parametrize("field, value", [("evaluation_window_days", 150000), ("disclosure_days", 150000),
                                          ("rehandling_months", 100000), ("extension_cap_months", 1000)])
def test_a_committee_setting_out_of_reason_is_refused_beside_its_field(world, client_for, field, value):
    """A window of 150,000 working days was taken, and the proposal page then counted working days for seconds."""
    from django.forms.models import model_to_dict

    from tian.organisations.forms import CommitteeSettingsForm
    from tian.organisations.models import Committee

    data = {k: v for k, v in model_to_dict(world.committee, fields=CommitteeSettingsForm.Meta.fields).items()
            if v is not None and v is not False}
    data[field] = value
    response = client_for(world.admin).post(reverse("organisations:settings"), data)
    assert response.status_code == 200 and "确保该值小于或等于" in response.content.decode()
    assert getattr(Committee.objects.get(pk=world.committee.pk), field) == getattr(world.committee, field)
