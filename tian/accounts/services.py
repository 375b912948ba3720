"""Changes to user accounts. Views, the demo loader and importers all go through these functions.

``by`` is the person making the change; the user pages and the Excel import always pass it, and the change is
refused (``PermissionDenied`` with a Chinese message) unless ``roles.role_change_refusal`` allows it. ``by=None``
is the system itself (the demo loader, management commands, migrations of old data). Role changes, password
changes and resets, unlocks and token changes are audited with who, whom, before and after.
"""

import hashlib
import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from tian.accounts.backends import committee_here, of_committee, serves_here, users_with_roles, with_roles
from tian.accounts.models import ApiToken, PasswordHistory, RoleGrant, User
from tian.accounts.roles import ONLY_ADMIN_CHANGES_ADMIN, Role, may_change, role_change_refusal
from tian.audit.log import audit
from tian.audit.models import AuditEntry, Kind
from tian.organisations.models import Committee
from tian.organisations.selectors import current_committee
from tian.organisations.services import named_save, names_changed_everywhere


def _audit(by: User | None, user: User, kind: Kind, detail: str, **data) -> None:
    """An account change: ``kind`` and ``data`` for the audit pages' sentence, which names the account by its
    user name and the person's name as they were."""
    audit(AuditEntry.Action.ACCOUNT, user=by, username="" if by is not None else "system", object_type="user",
          object_id=user.pk, detail=detail, kind=kind,
          data={"user": user.get_username(), "user_name": user.full_name, **data})


def _role_list(roles) -> str:
    return ", ".join(str(Role(r).label) if r in Role.values else r for r in sorted(roles)) or "none"


def _check_roles(by: User | None, user: User | None, roles, *, is_active: bool | None = None) -> None:
    if by is not None:
        refusal = role_change_refusal(by, user, roles, is_active=is_active)
        if refusal:
            raise PermissionDenied(refusal)


def _apply_roles(user: User, roles, by: User | None) -> None:
    roles = {Role(r) for r in roles}
    user.check_role_bindings(roles)
    before = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    if before != roles:
        with translation.override("en"):  # the plain-text record reads the same whoever wrote it
            detail = f"roles of {user.get_username()} changed from {_role_list(before)} to {_role_list(roles)}"
        _audit(by, user, Kind.ROLES_CHANGED, detail, before=sorted(before), after=sorted(str(r) for r in roles))
    RoleGrant.objects.filter(user=user).exclude(role__in=roles).delete()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in roles if r not in before])
    # The Django admin site is for administrators only; it checks is_staff and model permissions.
    is_admin = Role.ADMIN in roles
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    user.forget_roles()
    # A role that asks a second factor, given to an account that had none: its sessions and tokens, opened with the
    # password alone, end, so that it acts with that role only after signing in again through its second factor.
    required = {str(role) for role in settings.TWO_FACTOR_REQUIRED_ROLES}
    if before and not (before & required) and {r.value for r in roles} & required:
        sign_out_everywhere(user=user)


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    password: str | None,
    roles,
    phone: str = "",
    validate: bool = True,
    must_change_password: bool = False,
    by: User | None = None,
    **bindings,
) -> User:
    """Create an account with its roles. ``bindings`` are member/collective/unit/office/lead_official.
    Accounts that staff create get ``must_change_password``: the person sets their own at first sign-in."""
    _check_roles(by, None, roles)
    user = User(username=username, full_name=full_name, phone=phone, must_change_password=must_change_password,
                **bindings)
    user.check_role_bindings(roles)
    if password:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user_add(user=user, by=by, roles=roles)
    _apply_roles(user, roles, by)
    return user


@transaction.atomic
def user_add(*, user: User, by: User | None, roles=()) -> User:
    """Save a new account built and checked by the caller (``user_create``, or the Django admin's add form, which
    sets the password itself) and audit its creation, also when it is given no role (the roles ``_apply_roles``
    grants have an entry of their own)."""
    _place(user)
    user.save()
    _audit(by, user, Kind.ACCOUNT_CREATED, f"account of {user.get_username()} created",
           roles=sorted(str(Role(r)) for r in roles))
    return user


def _place(user: User, *, new: bool = True) -> None:
    """The committee the account belongs to (``User.committee``): its binding's, else the one it had; a new account
    with neither, the installation's that makes it. An account of no committee (an operator's) stays of none when it
    is changed, unless it is bound to an organisation."""
    committee = current_committee()
    user.committee_id = user.binding_committee_id() or user.committee_id or (
        committee.pk if committee and new else None)


def accounts_here(users):
    """The accounts of the committee this installation serves (``backends.serves_here``), and the operators' (of no
    committee): another committee's held in the same database are not listed or counted here."""
    committee = current_committee()
    if committee is None:  # no committee yet: every account; TIAN_COMMITTEE_ID naming none: the operators' alone
        return users.filter(committee__isnull=True) if settings.TIAN_COMMITTEE_ID else users
    return users.filter(of_committee(committee))


def account_here(user: User, by: User | None) -> bool:
    """Whether ``user``'s account is one the people of this installation may open and change (the accounts pages,
    the roster import): of the installation's committee; an operator's (of no committee), where the database holds
    several committees, only by an operator (``by`` of no committee too)."""
    if user.committee_id is not None:
        return user.committee_id == committee_here(by)
    return by is None or by.committee_id is None or Committee.objects.count() <= 1


# The organisation each kind of account is bound to (``User``'s field), by the role the account is made for.
HOLDER_FIELD: dict[Role, str] = {Role.MEMBER: "member", Role.COLLECTIVE: "collective", Role.UNIT_HANDLER: "unit",
                                 Role.SUPERVISOR: "office", Role.LEAD_OFFICIAL: "lead_official"}


def password_generate() -> str:
    """An initial password that passes the password rules, easy to read out over the phone: three groups of four
    letters and digits (no 0/O, 1/l/I), joined by hyphens. The person changes it at the first sign-in."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        password = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        if (any(c.islower() for c in password) and any(c.isupper() for c in password)
                and any(c.isdigit() for c in password)):
            return password


@transaction.atomic
def user_create_with_holder(
    *,
    holder,
    role: Role,
    username: str,
    full_name: str,
    password: str | None,
    phone: str = "",
    save_related=None,
    by: User | None,
) -> tuple[User, str | None]:
    """Save a member, collective proposer, unit, supervising office or lead official (``holder``, new or changed,
    with ``save_related``: what the form saves with it) and create the sign-in account that acts for it, with the
    role made for it (``HOLDER_FIELD``): both or neither. Without ``password`` one is generated and returned (to be
    shown once); either way the person sets their own at the first sign-in. The account's creation is audited as
    the roles it was given (``user_create``)."""
    role = Role(role)
    _check_roles(by, None, [role])
    named_save(holder, save_related=save_related, by=by)
    generated = None if password else password_generate()
    user = user_create(username=username, full_name=full_name, password=password or generated, roles=[role],
                       phone=phone, must_change_password=True, by=by, **{HOLDER_FIELD[role]: holder})
    return user, generated


# Personal data the audit log does not copy: an entry names the field changed, not its values.
UNRECORDED_VALUES = frozenset({"phone", "email"})


def _recorded(name: str, value):
    """A field's value as the audit entry keeps it: what it was called at the time for a bound organisation (a
    unit, an office …, which may be renamed or deleted later), else the value itself in JSON."""
    field = User._meta.get_field(name)
    if field.is_relation:
        if value is None:
            return ""
        if not isinstance(value, field.related_model):
            value = field.related_model._base_manager.filter(pk=value).first()
        return str(value) if value is not None else ""
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


@transaction.atomic
def user_update(*, user: User, roles, by: User | None = None, **fields) -> User:
    """Change an account's details and roles, audited with each field's value before and after (but personal data,
    ``UNRECORDED_VALUES``). An account disabled is signed out everywhere and its API tokens revoked, so that
    enabling it again (for a successor, say) brings none of them back."""
    _check_roles(by, user, roles, is_active=fields.get("is_active"))
    # Compared with the stored row: a form may have put the new values on ``user`` already.
    attnames = {name: User._meta.get_field(name).attname for name in fields}
    stored = User.objects.filter(pk=user.pk).values(*attnames.values()).get()
    changed = sorted(name for name, value in fields.items() if stored[attnames[name]] != getattr(value, "pk", value))
    for name, value in fields.items():
        setattr(user, name, value)
    user.check_role_bindings(roles)
    user.full_clean(exclude=["password"])
    _place(user, new=False)
    user.save()
    if changed:
        values = {name: [_recorded(name, stored[attnames[name]]), _recorded(name, fields[name])]
                  for name in changed if name not in UNRECORDED_VALUES}
        _audit(by, user, Kind.ACCOUNT_CHANGED, f"account of {user.get_username()} changed: {', '.join(changed)}",
               fields=changed, values=values)
    if {"full_name", "username"} & set(changed):  # the name timelines and letters show, in every committee
        names_changed_everywhere()
    if "is_active" in changed and not user.is_active:
        sign_out_everywhere(user=user)
    _apply_roles(user, roles, by)
    return user


@transaction.atomic
def user_roles_set(*, user: User, roles, by: User | None = None) -> User:
    """Give the account exactly ``roles``: checked against what it is bound to, audited when they change."""
    _check_roles(by, user, roles)
    _apply_roles(user, roles, by)
    return user


def _check_may_change(by: User | None, user: User) -> None:
    if by is not None and by.pk != user.pk and not may_change(by, user):
        raise PermissionDenied(str(ONLY_ADMIN_CHANGES_ADMIN))


@transaction.atomic
def user_set_password(*, user: User, password: str, by: User | None = None, by_staff: bool = True) -> None:
    """Set a password. One set by staff must be changed by the person at the next sign-in. Every session and
    token of the account ends: whoever knew the old password, or holds a token made with it, is out."""
    _check_may_change(by, user)
    validate_password(password, user)
    remember_password(user)
    user.set_password(password)
    user.must_change_password = by_staff
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    sign_out_everywhere(user=user)
    if by_staff:
        _audit(by, user, Kind.PASSWORD_RESET, f"password reset for {user.get_username()}")
    else:
        _audit(by, user, Kind.PASSWORD_CHANGED, f"password changed for {user.get_username()}")


def remember_password(user: User) -> None:
    """Keep the current password's hash so that it cannot be chosen again soon."""
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)


@transaction.atomic
def password_changed_by_owner(*, user: User, previous_hash: str, keep_session: str | None = None) -> None:
    """After the person changed their own password (Django's form has already saved the new hash): their other
    sessions (all but ``keep_session``, the one they changed it in) and their API tokens end."""
    if previous_hash:
        PasswordHistory.objects.create(user=user, password=previous_hash)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])
    sign_out_everywhere(user=user, keep_session=keep_session)
    _audit(user, user, Kind.PASSWORD_CHANGED, f"password changed for {user.get_username()}")


def password_expired(user: User) -> bool:
    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not days or user.password_changed_at is None:
        return False
    return (timezone.now() - user.password_changed_at).days >= days


def password_change_due(user: User) -> bool:
    """Whether the person must set a new password before doing anything else, on the pages or through the API:
    the account was created or reset by staff, or its password has expired."""
    return user.must_change_password or password_expired(user)


def sign_out_everywhere(*, user: User, keep_session: str | None = None) -> None:
    """End the user's signed-in sessions, except ``keep_session``, and revoke their API tokens (after a password
    change or reset, a two-factor reset, or the account disabled). Sessions are Django's database sessions, which
    do not index the user: the unexpired ones are read and the user's deleted."""
    from django.contrib.sessions.models import Session

    theirs = [session.session_key
              for session in Session.objects.filter(expire_date__gt=timezone.now()).exclude(
                  session_key=keep_session or "").iterator()
              if session.get_decoded().get(SESSION_KEY) == str(user.pk)]
    # Through the session engine, so that a cached session (``cached_db``) is forgotten with its row.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in theirs:
        store(session_key=session_key).delete()
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def user_unlock(*, user: User, by: User) -> None:
    """Lift a sign-in lockout after too many wrong passwords (django-axes' record of the account's failures)."""
    from axes.utils import reset

    _check_may_change(by, user)
    reset(username=user.get_username())
    _audit(by, user, Kind.UNLOCKED, f"sign-in unlocked for {user.get_username()}")


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the raw token is returned once and never stored."""
    raw = "tian_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:60] or "API", prefix=raw[5:13],
                                    digest=token_digest(raw))
    expires = timezone.localdate(token.expires_at).isoformat()
    _audit(user, user, Kind.TOKEN_CREATED, f"API token {token.prefix} created, valid until {expires}",
           prefix=token.prefix, token=token.name, expires=expires)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _audit(by, token.user, Kind.TOKEN_REVOKED, f"API token {token.prefix} revoked", prefix=token.prefix,
               token=token.name)
    return token


def token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, recording its use; None for unknown, revoked or expired tokens."""
    # One query: the token and its user with their roles, as for a session.
    user = users_with_roles().filter(api_tokens__digest=token_digest(raw), api_tokens__revoked_at__isnull=True).annotate(
        token_pk=F("api_tokens__pk"), token_used_at=F("api_tokens__last_used_at"),
        token_expires_at=F("api_tokens__expires_at")).first()
    now = timezone.now()
    if user is None or user.token_expires_at <= now:
        return None
    if not user.is_active:  # a disabled account's tokens do nothing (disabling revokes them too)
        return None
    if not serves_here(user):  # an account of another committee in the same database
        return None
    if user.token_used_at is None or (now - user.token_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=user.token_pk).update(last_used_at=now)  # at most one write a minute per token
    return with_roles(user)
