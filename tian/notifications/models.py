"""An in-app notification per user and event, and its deliveries by email and SMS."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+")
    event = models.ForeignKey("proposals.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=120, help_text="What this notification is about; one per user and key.")
    kind = models.CharField(_("kind"), max_length=50)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.message


class Delivery(models.Model):
    """One attempt channel (email or SMS) for one notification; retried with backoff until it is sent."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_channel")]

    # Why the system itself sent nothing, stored as written here and said in the reader's language
    # (``last_error_text``); a gateway's own error is shown as the gateway wrote it.
    ACCOUNT_DEACTIVATED = "account deactivated"
    REASONS = {ACCOUNT_DEACTIVATED: _("Not sent: the account was deactivated.")}

    def __str__(self):
        return f"{self.channel} → {self.address}: {self.status}"

    @property
    def last_error_text(self) -> str:
        return str(self.REASONS.get(self.last_error, self.last_error))
