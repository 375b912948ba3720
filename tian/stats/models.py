"""Year-end recognition: outstanding proposals (优秀提案) and outstanding handling units (先进承办单位)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Award(models.Model):
    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Outstanding proposal")
        UNIT = "unit", _("Outstanding handling unit")

    committee = models.ForeignKey("organisations.Committee", on_delete=models.CASCADE, related_name="awards")
    year = models.PositiveIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="awards")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="awards")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.UniqueConstraint(fields=["year", "proposal"], condition=Q(proposal__isnull=False),
                                    name="award_once_per_proposal"),
            models.UniqueConstraint(fields=["committee", "year", "unit"], condition=Q(unit__isnull=False),
                                    name="award_once_per_unit"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} {self.proposal or self.unit}"

