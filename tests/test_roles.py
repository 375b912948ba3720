"""Roles and permissions are declared once; accounts must be bound to what their roles act for."""

import pytest
from django.core.exceptions import ValidationError

from tian.accounts import services
from tian.accounts.models import User
from tian.accounts.roles import ROLE_HOME, ROLE_PERMISSIONS, Perm, Role, has_permission, permissions_for
from tian.organisations.models import Member


def test_every_role_has_permissions_and_a_home():
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(ROLE_HOME) == set(Role)


def test_permissions_of_several_roles_are_the_union():
    perms = permissions_for([Role.MEMBER, Role.UNIT_HANDLER])
    assert Perm.SUBMIT_PROPOSALS in perms and Perm.HANDLE in perms
    assert Perm.REVIEW not in perms


def test_only_staff_review_and_assign():
    holders = {role for role, perms in ROLE_PERMISSIONS.items() if Perm.REVIEW in perms or Perm.ASSIGN in perms}
    assert holders == {Role.STAFF}


def test_a_unit_handler_without_a_unit_is_refused(world):
    with pytest.raises(ValidationError) as e:
        services.user_create(username="nounit", full_name="无单位", password=None, roles=[Role.UNIT_HANDLER])
    assert "unit" in e.value.message_dict
    assert not User.objects.filter(username="nounit").exists()


def test_a_supervisor_needs_an_office(world):
    with pytest.raises(ValidationError) as e:
        services.user_create(username="sup2", full_name="督办", password=None, roles=[Role.SUPERVISOR])
    assert "office" in e.value.message_dict


def test_one_person_may_hold_several_roles(world):
    user = world.staff
    member = Member.objects.create(committee=world.committee, name="王委员")
    services.user_update(user=user, roles=[Role.STAFF, Role.MEMBER], member=member)
    assert User.objects.get(pk=user.pk).roles == {Role.STAFF, Role.MEMBER}


def test_a_member_account_cannot_take_a_member_already_linked(world):
    with pytest.raises(ValidationError) as e:
        services.user_update(user=world.staff, roles=[Role.STAFF, Role.MEMBER], member=world.stranger.member)
    assert "member" in e.value.message_dict
    assert User.objects.get(pk=world.staff.pk).roles == {Role.STAFF}


def test_inactive_user_has_no_permissions(world):
    world.staff.is_active = False
    assert not has_permission(world.staff, Perm.REVIEW)


def test_admin_role_alone_opens_the_django_admin(world, client_for):
    assert client_for(world.admin).get("/admin/").status_code == 200
    assert client_for(world.staff).get("/admin/").status_code == 302


def _admin_change(client, user, *, roles, **fields):
    """Post the Django admin's change form of ``user`` as an administrator fills it in: its fields as they are but
    ``fields``, and exactly ``roles`` in the roles' inline."""
    from tian.accounts.models import RoleGrant

    grants = list(RoleGrant.objects.filter(user=user))
    data = {"username": user.username, "full_name": user.full_name, "phone": user.phone, "is_active": "on",
            "first_name": "", "last_name": "", "email": "", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
            "role_grants-TOTAL_FORMS": str(len(grants) + len(roles)), "role_grants-INITIAL_FORMS": str(len(grants)),
            "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000"}
    for name in ("member", "collective", "unit", "office", "lead_official"):
        value = fields.pop(name, getattr(user, f"{name}_id"))
        data[name] = "" if value is None else str(getattr(value, "pk", value))
    data.update(fields)
    for i, grant in enumerate(grants):  # every present grant deleted, the new ones added: the inline as a form
        data |= {f"role_grants-{i}-id": str(grant.pk), f"role_grants-{i}-user": str(user.pk),
                 f"role_grants-{i}-role": grant.role, f"role_grants-{i}-DELETE": "on"}
    for i, role in enumerate(roles, start=len(grants)):
        data |= {f"role_grants-{i}-user": str(user.pk), f"role_grants-{i}-role": str(role)}
    return client.post(f"/admin/accounts/user/{user.pk}/change/", data)


def test_an_account_changed_in_the_django_admin_is_checked_and_audited_like_on_the_users_page(world, client_for):
    from tian.audit.models import AuditEntry, Kind

    client = client_for(world.admin)
    user = world.stranger
    # A unit handler needs a unit: refused on the form, and nothing changes.
    response = _admin_change(client, user, roles=[Role.MEMBER, Role.UNIT_HANDLER])
    assert response.status_code == 200 and "承办单位经办人必须属于一个承办单位。" in response.content.decode()
    user.refresh_from_db()
    assert user.roles == {Role.MEMBER} and not AuditEntry.objects.filter(actor=world.admin, object_type="user").exists()
    # With the unit, both changes are saved and each is audited with the administrator as its author.
    response = _admin_change(client, user, roles=[Role.MEMBER, Role.UNIT_HANDLER], unit=world.units["区民政局"],
                             full_name="新名字")
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    user.forget_roles()
    assert user.roles == {Role.MEMBER, Role.UNIT_HANDLER} and user.unit == world.units["区民政局"]
    roles = AuditEntry.objects.get(data__kind=Kind.ROLES_CHANGED, object_id=str(user.pk), actor=world.admin)
    assert roles.data["after"] == ["member", "unit_handler"]
    account = AuditEntry.objects.get(data__kind=Kind.ACCOUNT_CHANGED, object_id=str(user.pk), actor=world.admin)
    assert set(account.data["fields"]) >= {"full_name", "unit"}


def test_an_account_added_in_the_django_admin_gets_its_roles_through_the_audited_service(world, client_for):
    from tian.accounts.models import User
    from tian.audit.models import AuditEntry, Kind

    client = client_for(world.admin)
    data = {"username": "新同事", "password1": "Tian-2026-strong", "password2": "Tian-2026-strong", "usable_password": "true",
            "role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "0", "role_grants-MIN_NUM_FORMS": "0",
            "role_grants-MAX_NUM_FORMS": "1000", "role_grants-0-role": "staff"}
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="新同事")
    assert user.roles == {Role.STAFF}
    entry = AuditEntry.objects.get(data__kind=Kind.ROLES_CHANGED, object_id=str(user.pk))
    assert entry.actor == world.admin and entry.data["after"] == ["staff"]


def test_an_account_created_with_no_role_is_audited_all_the_same(world, client_for):
    from django.urls import reverse

    from tian.audit.models import AuditEntry, Kind

    client = client_for(world.admin)
    data = {"username": "wujuese", "password1": "Tian-2026-strong", "password2": "Tian-2026-strong",
            "usable_password": "true", "role_grants-TOTAL_FORMS": "0", "role_grants-INITIAL_FORMS": "0",
            "role_grants-MIN_NUM_FORMS": "0", "role_grants-MAX_NUM_FORMS": "1000"}
    response = client.post("/admin/accounts/user/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="wujuese")
    assert user.roles == set()
    assert not AuditEntry.objects.filter(data__kind=Kind.ROLES_CHANGED, object_id=str(user.pk)).exists()
    entry = AuditEntry.objects.get(data__kind=Kind.ACCOUNT_CREATED, object_id=str(user.pk))
    assert (entry.actor, entry.data["user"], entry.data["roles"]) == (world.admin, "wujuese", [])
    # An account created on TiAn's own page is audited the same way, with the roles it was given.
    User.objects.filter(pk=user.pk).delete()
    accounts = AuditEntry.objects.filter(data__kind=Kind.ACCOUNT_CREATED)
    before = accounts.count()
    services.user_create(username="xinren", full_name="新人", password=None, roles=[Role.STAFF],
                         by=world.admin)
    assert accounts.count() == before + 1 and accounts.latest("pk").data["roles"] == ["staff"]
    page = client.get(reverse("audit:search")).content.decode()
    assert "为 wujuese 创建了账户" in page and "为 新人 创建了账户" in page


def test_a_binding_left_after_its_role_was_taken_away_acts_for_nobody(world):
    """Who an account acts for is one definition (``User.acting_member_id`` / ``acting_collective_id``): bound and
    holding the role. An account moved from the collective proposer's role to a member's keeps its binding to the
    organisation, but no longer opens, evaluates or is counted as the proposer of the organisation's proposals."""
    from tian.handling import services as handling
    from tian.handling.services import awaiting_evaluation_by
    from tian.proposals import services as proposal_services
    from tian.proposals import workflow
    from tian.proposals.models import State
    from tian.proposals.selectors import may_open, own_proposals

    collective = world.collective
    draft = proposal_services.proposal_create_draft(by=collective, committee=world.committee,
                                                    collective=world.collective_org,
                                                    title="关于加强社区图书馆建设的建议", body="建议。")
    assert may_open(collective, draft) and workflow.is_proposer(collective, draft)
    member = Member.objects.create(committee=world.committee, name="王五")
    services.user_update(user=collective, roles=[Role.MEMBER], member=member, by=world.admin)
    former = User.objects.get(pk=collective.pk)
    assert former.collective_id == world.collective_org.pk  # the binding is left
    assert not workflow.is_proposer(former, draft) and not may_open(former, draft)
    assert not own_proposals(former).exists() and awaiting_evaluation_by(former) == []
    draft.state = State.REPLIED
    draft.save(update_fields=["state"])
    with pytest.raises(workflow.WorkflowError):
        handling.evaluation_submit(proposal=draft, by=former, result="satisfied")
