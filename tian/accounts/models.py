"""The user account and the roles it holds."""

import datetime
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tian.accounts.roles import ROLE_BINDING, Perm, Role, permissions_for, primary_role

phone_validator = RegexValidator(r"^[0-9+\- ()]{5,20}$", _("Enter a valid phone number."))


class User(AbstractUser):
    """A person who signs in. Members sign in by their name, units by a short unit name.

    ``member``, ``collective``, ``unit``, ``office`` and ``lead_official`` bind the account to the
    organisation its roles act for; ``ROLE_BINDING`` says which role needs which.
    """

    full_name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, validators=[phone_validator])
    member = models.OneToOneField(
        "organisations.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="user",
        verbose_name=_("member"),
    )
    collective = models.ForeignKey(
        "organisations.CollectiveProposer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="users", verbose_name=_("collective proposer"),
    )
    unit = models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="handlers",
        verbose_name=_("unit"),
    )
    office = models.ForeignKey(
        "organisations.SupervisingOffice", on_delete=models.PROTECT, null=True, blank=True,
        related_name="supervisors", verbose_name=_("supervising office"),
    )
    lead_official = models.OneToOneField(
        "organisations.LeadOfficial", on_delete=models.SET_NULL, null=True, blank=True, related_name="user",
        verbose_name=_("lead official"),
    )

    # The committee the account belongs to (a database may hold many: domain.md, Scale): its binding's, or for the
    # office's staff and administrators the committee of the installation that made it (``services.user_add``). An
    # account signs in only where it belongs (``backends.serves_here``). None: an operator's account made outside
    # the pages (``createsuperuser``), which belongs to every installation of the database.
    committee = models.ForeignKey(
        "organisations.Committee", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("committee"),
    )

    must_change_password = models.BooleanField(
        _("must change password at next sign-in"), default=False,
        help_text=_("Set for accounts created or reset by staff, so that only the person knows the password."))
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[Role]:
        if not self.pk:
            return frozenset()
        return frozenset(Role(r) for r in self.role_grants.values_list("role", flat=True))

    @property
    def acting_member_id(self) -> int | None:
        """The member this account acts as: bound to one and holding the member role. A binding left after the role
        was taken away gives nothing."""
        return self.member_id if self.member_id and Role.MEMBER in self.roles else None

    @property
    def acting_collective_id(self) -> int | None:
        """The collective proposer this account acts for: bound to it and holding the collective proposer's role."""
        return self.collective_id if self.collective_id and Role.COLLECTIVE in self.roles else None

    @property
    def acting_office_id(self) -> int | None:
        """The supervising office this account acts for: bound to it and holding the supervisor's role."""
        return self.office_id if self.office_id and Role.SUPERVISOR in self.roles else None

    @property
    def acting_lead_official_id(self) -> int | None:
        """The lead official this account is: bound to one and holding the lead official's role (a former lead
        official's account keeps its binding, and follows nothing)."""
        return self.lead_official_id if self.lead_official_id and Role.LEAD_OFFICIAL in self.roles else None

    @cached_property
    def permissions(self) -> frozenset[Perm]:
        return permissions_for(self.roles)

    @property
    def primary_role(self) -> Role | None:
        return primary_role(self.roles)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def forget_roles(self):
        """Drop the cached roles after they change."""
        self.__dict__.pop("roles", None)
        self.__dict__.pop("permissions", None)

    def binding_committee_id(self) -> int | None:
        """The committee of the organisation the account is bound to (its member, organisation, unit, office or
        lead official), if any."""
        for name in ("member", "collective", "unit", "office", "lead_official"):
            if getattr(self, f"{name}_id"):
                return getattr(self, name).committee_id
        return None

    def check_role_bindings(self, roles) -> None:
        """Raise a ValidationError naming the field each role needs but the account lacks."""
        errors = {}
        for role in roles:
            binding = ROLE_BINDING.get(Role(role))
            if binding and not getattr(self, f"{binding[0]}_id"):
                errors[binding[0]] = binding[1]
        if errors:
            raise ValidationError(errors)


class RoleGrant(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


def token_expiry():
    """When a token made now stops working: ``API_TOKEN_DAYS`` (180 by default) from now."""
    from django.conf import settings
    from django.utils import timezone

    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once, when created. It works
    until it expires or is revoked, and is revoked when its owner's password or two-factor sign-in is changed
    or reset."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("valid until"), default=token_expiry)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at <= timezone.now()


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, so that the last few cannot be used again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"
