"""Roles and their permissions, declared once.

Everything that asks "may this user do X?" — views, navigation, the workflow declaration, the API —
reads ``ROLE_PERMISSIONS`` through :func:`has_permission`. A person may hold several roles; their
permissions are the union. Some roles are bound to an organisation (a unit handler to one unit, a
supervisor to one office); ``ROLE_BINDING`` says which field of the user must then be set.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    COLLECTIVE = "collective", _("Collective proposer")
    STAFF = "staff", _("Proposal office staff")
    UNIT_HANDLER = "unit_handler", _("Unit handler")
    SUPERVISOR = "supervisor", _("Supervisor")
    LEAD_OFFICIAL = "lead_official", _("Lead official")
    ADMIN = "admin", _("Administrator")


class Perm(StrEnum):
    SUBMIT_PROPOSALS = "submit_proposals"
    COSIGN = "cosign"
    EVALUATE = "evaluate"
    REVIEW = "review"
    ASSIGN = "assign"
    ENTER_ON_BEHALF = "enter_on_behalf"
    PUBLISH = "publish"
    VIEW_ALL_PROPOSALS = "view_all_proposals"
    HANDLE = "handle"
    SUPERVISE = "supervise"
    FOLLOW_KEY_PROPOSALS = "follow_key_proposals"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_STATISTICS = "view_statistics"
    VIEW_AUDIT = "view_audit"


ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.MEMBER: frozenset({Perm.SUBMIT_PROPOSALS, Perm.COSIGN, Perm.EVALUATE}),
    Role.COLLECTIVE: frozenset({Perm.SUBMIT_PROPOSALS, Perm.EVALUATE}),
    Role.STAFF: frozenset(
        {
            Perm.REVIEW,
            Perm.ASSIGN,
            Perm.ENTER_ON_BEHALF,
            Perm.PUBLISH,
            Perm.VIEW_ALL_PROPOSALS,
            Perm.MANAGE_PEOPLE,
            Perm.MANAGE_USERS,
            Perm.VIEW_STATISTICS,
            Perm.VIEW_AUDIT,
        }
    ),
    Role.UNIT_HANDLER: frozenset({Perm.HANDLE}),
    Role.SUPERVISOR: frozenset({Perm.SUPERVISE, Perm.FOLLOW_KEY_PROPOSALS, Perm.VIEW_STATISTICS}),
    Role.LEAD_OFFICIAL: frozenset({Perm.FOLLOW_KEY_PROPOSALS}),
    Role.ADMIN: frozenset({Perm.MANAGE_PEOPLE, Perm.MANAGE_USERS, Perm.MANAGE_SETTINGS, Perm.VIEW_STATISTICS,
                           Perm.VIEW_AUDIT}),
}

# The user field that must be set for a role, and the message when it is not.
ROLE_BINDING: dict[Role, tuple[str, str]] = {
    Role.MEMBER: ("member", _("A member account must be linked to a member.")),
    Role.COLLECTIVE: ("collective", _("A collective proposer account must be linked to its organisation.")),
    Role.UNIT_HANDLER: ("unit", _("A unit handler must belong to a unit.")),
    Role.SUPERVISOR: ("office", _("A supervisor must belong to a supervising office.")),
    Role.LEAD_OFFICIAL: ("lead_official", _("A lead official account must be linked to a lead official.")),
}

# Where each role lands after signing in; a person with several roles lands on the first in this order.
ROLE_HOME: dict[Role, str] = {
    Role.STAFF: "core:home_staff",
    Role.UNIT_HANDLER: "core:home_unit",
    Role.SUPERVISOR: "core:home_supervisor",
    Role.LEAD_OFFICIAL: "core:home_lead_official",
    Role.MEMBER: "core:home_member",
    Role.COLLECTIVE: "core:home_collective",
    Role.ADMIN: "core:home_admin",
}


def permissions_for(roles) -> frozenset[Perm]:
    result: set[Perm] = set()
    for role in roles:
        result |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(result)


def has_permission(user, perm: Perm) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm in user.permissions


def primary_role(roles) -> Role | None:
    for role in ROLE_HOME:
        if role in roles:
            return role
    return None
