"""Changes to user accounts. Views, the demo loader and importers all go through these functions."""

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from tian.accounts.models import ApiToken, PasswordHistory, RoleGrant, User
from tian.accounts.roles import Role


def _apply_roles(user: User, roles) -> None:
    roles = {Role(r) for r in roles}
    user.check_role_bindings(roles)
    RoleGrant.objects.filter(user=user).exclude(role__in=roles).delete()
    existing = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in roles if r not in existing])
    # The Django admin site is for administrators only; it checks is_staff and model permissions.
    is_admin = Role.ADMIN in roles
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    user.forget_roles()


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
    **bindings,
) -> User:
    """Create an account with its roles. ``bindings`` are member/collective/unit/office/lead_official.
    Accounts that staff create get ``must_change_password``: the person sets their own at first sign-in."""
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
    user.save()
    _apply_roles(user, roles)
    return user


@transaction.atomic
def user_update(*, user: User, roles, **fields) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.check_role_bindings(roles)
    user.full_clean(exclude=["password"])
    user.save()
    _apply_roles(user, roles)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, by_staff: bool = True) -> None:
    """Set a password. One set by staff must be changed by the person at the next sign-in."""
    validate_password(password, user)
    remember_password(user)
    user.set_password(password)
    user.must_change_password = by_staff
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])


def remember_password(user: User) -> None:
    """Keep the current password's hash so that it cannot be chosen again soon."""
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)


@transaction.atomic
def password_changed_by_owner(*, user: User, previous_hash: str) -> None:
    """After the person changed their own password (Django's form has already saved the new hash)."""
    if previous_hash:
        PasswordHistory.objects.create(user=user, password=previous_hash)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])


def password_expired(user: User) -> bool:
    from django.conf import settings

    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not days or user.password_changed_at is None:
        return False
    return (timezone.now() - user.password_changed_at).days >= days


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the raw token is returned once and never stored."""
    raw = "tian_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:60] or "API", prefix=raw[5:13],
                                    digest=token_digest(raw))
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_user(raw: str) -> User | None:
    """The active user a bearer token belongs to, recording its use; None for unknown or revoked tokens."""
    from django.db.models import F

    from tian.accounts.backends import UserBackend, user_from_row, user_with_roles_query
    from tian.core.compiled import fetch

    # One query, compiled once (``tian.core.compiled``): the token and its user with their roles, as for a session.
    rows = fetch("accounts.token_user", lambda digest: user_with_roles_query().filter(
        api_tokens__digest=digest, api_tokens__revoked_at__isnull=True).annotate(
        token_pk=F("api_tokens__pk"), token_used_at=F("api_tokens__last_used_at")), token_digest(raw))
    if not rows:
        return None
    row = rows[0]
    user = user_from_row(row)
    if not UserBackend().user_can_authenticate(user):  # an inactive user's tokens do nothing
        return None
    now = timezone.now()
    if row["token_used_at"] is None or (now - row["token_used_at"]).total_seconds() > 60:
        ApiToken.objects.filter(pk=row["token_pk"]).update(last_used_at=now)  # at most one write a minute per token
    return user
