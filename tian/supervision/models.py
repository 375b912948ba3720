"""The supervising offices' review of replies before they are released (督办审核)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tian.handling.models import Reply
from tian.organisations.models import SupervisingOffice


class SupervisionReview(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="reviews")
    office = models.ForeignKey(SupervisingOffice, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comments = models.TextField(_("comments"), blank=True)
    outcome_before = models.CharField(max_length=5, blank=True)
    outcome_after = models.CharField(max_length=5, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("supervision review")
        verbose_name_plural = _("supervision reviews")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.office} · {self.get_decision_display()}"


class SupervisionActivity(models.Model):
    """A supervision activity on a key proposal: 座谈, 视察, 调研, 走访承办单位."""

    class Kind(models.TextChoices):
        SYMPOSIUM = "symposium", _("Symposium")
        INSPECTION = "inspection", _("Inspection")
        RESEARCH = "research", _("Research")
        UNIT_VISIT = "unit_visit", _("Visit to the handling unit")

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE,
                                 related_name="supervision_activities")
    kind = models.CharField(_("activity form"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    participants = models.CharField(_("participants"), max_length=300)
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("supervision activity")
        verbose_name_plural = _("supervision activities")
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"
