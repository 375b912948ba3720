"""Calendar corrections, extension requests, reminders sent and follow-up reports."""

from django.conf import settings
from django.db import models
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tian.handling.models import superseding
from tian.proposals.models import ANSWERED


class ExtensionRequest(models.Model):
    """延期申请: a unit asks for a later reply deadline, at most the committee's cap."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    assignment = models.ForeignKey("handling.Assignment", on_delete=models.CASCADE, related_name="extensions")
    requested_deadline = models.DateField(_("requested deadline"))
    previous_deadline = models.DateField(_("previous deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at"]

    def __str__(self):
        return f"{self.assignment} → {self.requested_deadline}"


class Reminder(models.Model):
    """One reminder sent for one deadline at one stage. The unique constraint is what makes the scan safe
    to run every few minutes, even twice at once: a stage can only be recorded, and so sent, once."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before the deadline")
        ON = "on", _("On the deadline")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Escalated")
        MANUAL = "manual", _("Sent by staff")

    assignment = models.ForeignKey("handling.Assignment", on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    deadline = models.DateField(_("deadline"))
    sequence = models.PositiveIntegerField(default=0, help_text="Distinguishes manual reminders.")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["assignment", "stage", "deadline", "sequence"],
                                               name="reminder_once_per_stage")]

    def __str__(self):
        return f"{self.assignment} {self.stage} {self.deadline}"


class FollowUpQuerySet(models.QuerySet):
    def awaited(self):
        """Those whose report is awaited: not reported, of an answered proposal (the report is a step of one, the
        workflow's ``report_follow_up``), of a reply no later round's released reply superseded — as follow-ups are
        created (``services.create_due_follow_ups``). One asked before the proposal was handled again waits while it
        is (the unit could not send it), and a later round's reply voids it: no list counts it, nobody chases it."""
        return self.filter(reported_at__isnull=True, reply__proposal__state__in=ANSWERED).exclude(
            Exists(superseding("reply__")))


class FollowUp(models.Model):
    """回头看: a year after a B-class reply the unit reports what was actually done."""

    reply = models.OneToOneField("handling.Reply", on_delete=models.CASCADE, related_name="follow_up")
    due_on = models.DateField(_("due on"))
    report = models.TextField(_("report"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # Sent by the unit on paper (a letter; a unit abolished at a reform, whose successor answers for it) and recorded
    # by the proposal office (``services.follow_up_report``), as a paper evaluation is.
    on_paper = models.BooleanField(_("received on paper"), default=False)
    # When the unit was reminded of a report past its day, and the office told (``services.chase_overdue_follow_ups``).
    chased_on = models.DateField(null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on"]

    def __str__(self):
        return f"{self.reply} {self.due_on}"
