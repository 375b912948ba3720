"""Roles and their permissions, declared once.

Everything that asks "may this user do X?" — views, navigation, the workflow declaration, the API —
reads ``ROLE_PERMISSIONS`` through :func:`has_permission`. A person may hold several roles; their
permissions are the union. Some roles are bound to an organisation (a unit handler to one unit, a
supervisor to one office); ``ROLE_BINDING`` says which field of the user must then be set.

Who may change whose account is declared here too (``ROLE_GRANTS``, :func:`may_change`,
:func:`role_change_refusal`): the user pages, the Excel import and the account services all ask these.
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
    Role.STAFF: "dashboard:home_staff",
    Role.UNIT_HANDLER: "dashboard:home_unit",
    Role.SUPERVISOR: "dashboard:home_supervisor",
    Role.LEAD_OFFICIAL: "dashboard:home_lead_official",
    Role.MEMBER: "dashboard:home_member",
    Role.COLLECTIVE: "dashboard:home_collective",
    Role.ADMIN: "dashboard:home_admin",
}


# The roles a role may grant or take away. Administrators grant every role. Office staff register the people
# the office works with, and their colleagues; not supervisors (the supervising office checks the units' and the
# office's work) and not administrators.
ROLE_GRANTS: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.STAFF: frozenset({Role.MEMBER, Role.COLLECTIVE, Role.STAFF, Role.UNIT_HANDLER, Role.LEAD_OFFICIAL}),
}

ONLY_ADMIN_CHANGES_ADMIN = _("Only an administrator can change an administrator's account.")
ROLE_NOT_GRANTABLE = _("You may not grant or take away the role “%(role)s”; please ask an administrator.")
LAST_ADMIN_ROLE = _("This is the only active administrator's account: its administrator role cannot be taken away. "
                    "Give another account the administrator role first.")
LAST_ADMIN_DISABLED = _("This is the only active administrator's account: it cannot be disabled. Give another "
                        "account the administrator role first.")


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


def grantable_roles(actor) -> frozenset[Role]:
    """The roles ``actor`` may give to or take from any account, their own included."""
    if not has_permission(actor, Perm.MANAGE_USERS):
        return frozenset()
    result: set[Role] = set()
    for role in actor.roles:
        result |= ROLE_GRANTS.get(role, frozenset())
    return frozenset(result)


def _is_admin(user) -> bool:
    return user.is_superuser or Role.ADMIN in user.roles


def may_change(actor, target) -> bool:
    """Whether ``actor`` may change ``target``'s account at all (its details, roles, password, lockout, two-factor
    sign-in): people who manage users, and for an administrator's (or a superuser's) account an administrator."""
    if not has_permission(actor, Perm.MANAGE_USERS):
        return False
    return not _is_admin(target) or Role.ADMIN in actor.roles


def role_change_refusal(actor, target, roles, *, is_active: bool | None = None) -> str | None:
    """Why ``actor`` may not give ``target`` (``None`` for a new account) exactly ``roles`` (and, where ``is_active``
    is given, that state), or ``None`` if they may. Every role added or taken away must be one the actor may grant;
    roles the account keeps are not asked about. The last active administrator keeps the role and the account
    (``last_admin_refusal``)."""
    if target is not None and not may_change(actor, target):
        return str(ONLY_ADMIN_CHANGES_ADMIN)
    before = target.roles if target is not None else frozenset()
    changed = before ^ {Role(r) for r in roles}
    refused = sorted(changed - grantable_roles(actor))
    if refused:
        return str(ROLE_NOT_GRANTABLE % {"role": Role(refused[0]).label})
    return last_admin_refusal(target, roles, is_active=is_active)


def last_admin_refusal(target, roles, *, is_active: bool | None = None) -> str | None:
    """Why ``target``'s account may not lose the administrator role (its new ``roles``) or be disabled
    (``is_active`` False; None: left as it is), or None: it is the only active administrator's, and without one
    nobody could grant the role, manage settings or enable an account again. Asked of the stored account, since a
    form may have put the new values on ``target`` already."""
    if target is None or target.pk is None:
        return None
    keeps_role = Role.ADMIN in {Role(r) for r in roles}
    if keeps_role and is_active is not False:
        return None
    admins = type(target)._default_manager.filter(is_active=True, role_grants__role=Role.ADMIN)
    if not admins.filter(pk=target.pk).exists() or admins.exclude(pk=target.pk).exists():
        return None
    return str(LAST_ADMIN_ROLE if not keeps_role else LAST_ADMIN_DISABLED)
