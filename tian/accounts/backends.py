"""Signing in with a username and password, and reading the signed-in user on every request."""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, Expression, OuterRef, Q, QuerySet, Subquery

from tian.accounts.models import RoleGrant, User
from tian.accounts.roles import Role
from tian.organisations.models import Committee
from tian.organisations.selectors import current_committee


class _Joined(Aggregate):
    """The values of a group joined with commas (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


# Columns that apps above accounts read with the signed-in user, in the same query (notifications: the unread
# count the bell shows on every page): name → a function giving the expression, registered by those apps when
# they are ready (``read_with_user``), so that accounts imports none of them.
USER_COLUMNS: dict[str, Callable[[], Expression]] = {}


def read_with_user(name: str, expression: Callable[[], Expression]) -> None:
    USER_COLUMNS[name] = expression


def users_with_roles() -> QuerySet[User]:
    """The users, each with their roles (comma-separated, ``role_list``) and the registered columns (e.g.
    ``unread_at_sign_in``) as columns of their own row; ``with_roles`` turns the list into ``user.roles``. And the id
    of the committee the installation serves (``here_id``, as ``current_committee`` finds it), for ``serves_here``
    without a query of its own."""
    return _defined(tuple(USER_COLUMNS)).annotate(here_id=_here())


def _here():
    committee_id = getattr(settings, "TIAN_COMMITTEE_ID", None)
    committees = Committee.objects.filter(pk=int(committee_id)) if committee_id else Committee.objects.order_by("pk")
    return Subquery(committees.values("pk")[:1])


@cache
def _defined(columns: tuple[str, ...]) -> QuerySet[User]:
    """The query's definition, built once per process for the columns registered (it holds no rows: every use
    is a copy, ``.all()``). Every signed-in request reads its user through it, and building the annotations
    anew cost more than running the query."""
    grants = RoleGrant.objects.filter(user=OuterRef("pk")).values("user").annotate(joined=_Joined("role"))
    return User.objects.annotate(role_list=Subquery(grants.values("joined")),
                                 **{name: USER_COLUMNS[name]() for name in columns})


def with_roles(user: User) -> User:
    """A user read through ``users_with_roles``, with ``user.roles`` set from the roles read with them: the same
    frozenset ``User.roles`` would read in a query of its own."""
    user.__dict__["roles"] = frozenset(Role(r) for r in (user.role_list or "").split(",") if r)
    return user


_UNREAD = object()


def serves_here(user) -> bool:
    """Whether the account belongs to the committee this installation serves (``User.committee``; None: an
    operator's, which belongs to every one). An account of another committee held in the same database signs in
    nowhere here: not with its password (as an unknown name), not with a session or a token it holds."""
    if user.committee_id is None:
        return True
    here = committee_here(user)
    if here is None:  # no committee yet; or TIAN_COMMITTEE_ID names none, and then no committee's accounts
        return not settings.TIAN_COMMITTEE_ID
    return user.committee_id == here


def of_committee(committee, through: str = "") -> Q:
    """The accounts that belong to ``committee`` (a committee or its id), as a query's condition on accounts (or,
    ``through``, on rows reached from one, e.g. ``"notification__user__"``): its own and the operators' (of no
    committee, ``User.committee``), as ``serves_here`` lets them in. Every list of a committee's people asks this."""
    committee_id = getattr(committee, "pk", committee)
    return Q(**{f"{through}committee_id": committee_id}) | Q(**{f"{through}committee__isnull": True})


def committee_here(user=None) -> int | None:
    """The id of the committee the installation serves: read with the signed-in user (``users_with_roles``), else
    asked (``current_committee``, once a request)."""
    here = getattr(user, "__dict__", {}).get("here_id", _UNREAD)
    if here is _UNREAD:
        committee = current_committee()
        here = committee.pk if committee else None
    return here


class UserBackend(ModelBackend):
    """Django's ``ModelBackend``, reading the user of a session together with their roles and unread-notification
    count in one query instead of three: every signed-in page needs all three, and the roles before anything else
    (permissions are checked against them). The roles are read afresh on every request, so a role granted or
    revoked counts from the next one. ``user.roles`` is the same frozenset the model computes; the count is
    ``user.unread_at_sign_in``, as it stood when the request began.

    Signing in, a disabled account with the right password is returned, as Django's ``AllowAllUsersModelBackend``
    does, so that the sign-in form says the account is disabled (``LoginForm.confirm_login_allowed``) instead of
    "wrong password", and django-axes does not count it as a failure. The form refuses it; nothing else lets a
    disabled account in: its session reads no user here (``get_user``), its tokens none (``services.token_user``)."""

    def user_can_authenticate(self, user):
        return serves_here(user)

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        try:
            user = users_with_roles().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return with_roles(user) if user.is_active and serves_here(user) else None
