"""Signing in with a username and password, and reading the signed-in user on every request."""

from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Aggregate, CharField, Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from tian.accounts.models import RoleGrant, User
from tian.accounts.roles import Role
from tian.core.compiled import fetch


class _Joined(Aggregate):
    """The values of a group joined with commas (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def _roles_and_unread() -> dict:
    """The user's roles (comma-separated) and unread notifications, as columns of the user's own row."""
    from tian.notifications.models import Notification

    grants = RoleGrant.objects.filter(user=OuterRef("pk")).values("user").annotate(joined=_Joined("role"))
    unread = Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True).values("user").annotate(
        n=Count("pk"))
    return {"role_list": Subquery(grants.values("joined")),
            "unread_at_sign_in": Coalesce(Subquery(unread.values("n")), 0)}


class UserBackend(ModelBackend):
    """Django's ``ModelBackend``, reading the user of a session together with their roles and unread-notification
    count in one query instead of three: every signed-in page needs all three, and the roles before anything else
    (permissions are checked against them). ``user.roles`` is the same frozenset the model computes; the count is
    ``user.unread_at_sign_in``, as it stood when the request began."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        rows = fetch("accounts.user", lambda pk: user_with_roles_query().filter(pk=pk),
                     user_id)
        if not rows:
            return None
        user = user_from_row(rows[0])
        return user if self.user_can_authenticate(user) else None


def user_with_roles_query():
    """The users with their roles and unread count as columns (``user_from_row`` makes a user of a row)."""
    return User._default_manager.annotate(**_roles_and_unread())


def user_from_row(row: dict) -> User:
    user = User.from_db(DEFAULT_DB_ALIAS, _FIELDS, [row[name] for name in _FIELDS])
    user.unread_at_sign_in = row["unread_at_sign_in"]
    user.__dict__["roles"] = frozenset(Role(r) for r in (row["role_list"] or "").split(",") if r)
    return user


_FIELDS = [field.attname for field in User._meta.concrete_fields]
