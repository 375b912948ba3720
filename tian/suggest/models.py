"""What the unit suggestions (智能交办) keep: the trained models of each committee, the rules staff write for a
committee without history, the mapping of units that were renamed, merged or split (机构改革), and whether each
assignment took the suggestion."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tian.handling.models import UnitRole
from tian.organisations.models import Committee, Unit
from tian.proposals.models import Proposal


class UnitModel(models.Model):
    """One trained model of a committee. The newest version is the one suggestions use; every process reads its
    version from here and keeps the loaded model for that version."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="unit_models")
    version = models.PositiveIntegerField()
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    trained_from = models.PositiveIntegerField(help_text="how many assigned proposals it learned from")
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)
    seconds = models.FloatField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "version"], name="unit_model_unique_version")]
        ordering = ["committee", "-version"]

    def __str__(self):
        return f"unit model {self.committee_id} v{self.version}"


class UnitRule(models.Model):
    """A rule staff write: a proposal whose title or text holds one of the keywords goes to the unit."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="unit_rules")
    keywords = models.CharField(_("keywords"), max_length=300,
                                help_text=_("Words separated by spaces or commas, e.g. 养老 低保 殡葬"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    role = models.CharField(_("as"), max_length=20, default=UnitRole.LEAD,
                            choices=[(UnitRole.LEAD, UnitRole.LEAD.label), (UnitRole.ASSISTING, UnitRole.ASSISTING.label)])

    class Meta:
        ordering = ["unit__order", "unit__name", "pk"]

    def __str__(self):
        return f"{self.keywords} → {self.unit}"

    @property
    def words(self) -> list[str]:
        return [w for w in self.keywords.replace(",", " ").replace("，", " ").replace("、", " ").split() if w]


class UnitMapping(models.Model):
    """机构改革: what was assigned to ``old_unit`` now goes to ``new_units`` (renamed: one, merged: several old
    units to one, split: one old unit to several)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="unit_mappings")
    old_unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("former unit"))
    new_units = models.ManyToManyField(Unit, related_name="+", verbose_name=_("now handled by"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["old_unit"], name="unit_mapping_unique_old_unit")]
        ordering = ["old_unit__order", "old_unit__name"]

    def __str__(self):
        return f"{self.old_unit} →"


class SuggestionOutcome(models.Model):
    """Whether an assignment took a suggestion: for the suggested lead unit (taken or overridden by ``chosen``)
    and for each suggested assisting unit (kept or not). The learning signal and the audit of the suggestions."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=UnitRole.choices)
    taken = models.BooleanField()
    chosen = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10)  # "model" or "rules"
    version = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "unit", "role"],
                                               name="suggestion_outcome_unique")]
        indexes = [models.Index(fields=["committee", "unit"], name="suggestion_outcome_unit")]

    def __str__(self):
        return f"{self.unit} {self.role} {'taken' if self.taken else 'overridden'}"
