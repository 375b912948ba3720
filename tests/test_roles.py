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
