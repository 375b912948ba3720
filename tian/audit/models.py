"""The audit log: one row per sign-in, failure, refusal, download, account change and state change, never edited.

Each row carries its ``action`` (the filterable kind of entry) and ``data``: a ``kind`` from
:class:`Kind` and the parameters of what happened (user names, role codes, states, a file's name …), from which
the audit pages build a sentence in the reader's language (``tian.pages.audit.sentences``). ``detail`` stays a
short plain-text record in English for searching and for readers of the raw table; older rows have only it."""

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    """What an entry records, stored as ``data["kind"]``; the parameters each kind carries are listed beside it."""

    SIGNED_IN = "signed_in"  # the password was right
    SECOND_FACTOR = "second_factor"  # method: "app" | "recovery"
    SIGN_IN_FAILED = "sign_in_failed"  # username: as typed
    SIGN_IN_THROTTLED = "sign_in_throttled"  # username: as typed
    WRONG_CODE = "wrong_code"  # setting_up: whether the app was being set up
    SIGNED_OUT = "signed_out"  # reason: none (the user did), or "absolute_timeout" (the session was too old)
    TWO_FACTOR_SET_UP = "two_factor_set_up"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
    TWO_FACTOR_OFF = "two_factor_off"
    # The kinds below name the account changed: user (its user name) and user_name (the person's name).
    TWO_FACTOR_RESET = "two_factor_reset"
    ACCOUNT_CREATED = "account_created"  # roles: the role codes it was created with (their grant has its own entry)
    ROLES_CHANGED = "roles_changed"  # before, after: role codes
    ACCOUNT_CHANGED = "account_changed"  # fields: names of the User fields changed
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of entry: reset by staff, to change at the next sign-in
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a kind of entry
    UNLOCKED = "unlocked"
    TOKEN_CREATED = "token_created"  # noqa: S105 - a kind of entry: prefix, token (its name), expires (ISO date)
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - a kind of entry: prefix, token
    EVENT = "event"  # event (the proposal event's action), from, to: states; the object is the proposal
    REFUSED = "refused"  # method, path
    DOWNLOAD = "download"  # file; the object is what it was made from, if anything
    CALENDAR_CORRECTED = "calendar_corrected"  # changed (days), first, last (ISO dates), source: range|list|statutory|day
    # A row of the managed lists (a unit, member, category … or the committee's settings): model (app.model), name,
    # change: added|changed|deleted; the object is the row.
    ROW_CHANGED = "row_changed"
    SUGGESTIONS_CHANGED = "suggestions_changed"  # change: trained|rule_saved|rule_deleted|mapping_saved|mapping_deleted


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        DENIED = "denied", _("Access refused")
        DOWNLOAD = "download", _("Download or export")
        CHANGE = "change", _("State change")
        ACCOUNT = "account", _("Account change")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("person"))
    username = models.CharField(_("user name"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["username", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries are never deleted one by one; see prune_audit_log")
