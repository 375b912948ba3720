"""The forms of the suggestions page: a rule (keywords → unit) and a unit mapping (机构改革)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tian.organisations.models import Unit
from tian.proposals.forms import Checklist
from tian.suggest.models import UnitMapping, UnitRule

MSG_NO_WORDS = _("Write at least one keyword.")
MSG_LONG_WORD = _("A keyword has at most 20 characters: separate words with spaces or commas.")
MSG_SELF = _("A unit cannot be mapped to itself.")
MSG_MAPPED = _("This unit is mapped already: edit its mapping instead.")


class RuleForm(forms.ModelForm):
    class Meta:
        model = UnitRule
        fields = ["keywords", "unit", "role"]

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.fields["unit"].queryset = Unit.objects.filter(committee=committee, is_active=True)

    def clean_keywords(self):
        rule = UnitRule(keywords=self.cleaned_data["keywords"])
        if not rule.words:
            raise forms.ValidationError(MSG_NO_WORDS)
        if any(len(w) > 20 for w in rule.words):
            raise forms.ValidationError(MSG_LONG_WORD)
        return " ".join(rule.words)

    def save(self, commit=True):
        self.instance.committee = self.committee
        return super().save(commit=commit)


class MappingForm(forms.ModelForm):
    class Meta:
        model = UnitMapping
        fields = ["old_unit", "new_units", "note"]
        widgets = {"new_units": Checklist()}
        help_texts = {"old_unit": _("The unit as it was before the reform (kept, possibly inactive)."),
                      "new_units": _("One unit if it was renamed or merged into another; several if it was split.")}

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        self.fields["old_unit"].queryset = Unit.objects.filter(committee=committee)
        self.fields["new_units"].queryset = Unit.objects.filter(committee=committee, is_active=True)

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_unit"), cleaned.get("new_units") or []
        if old is not None and old in new:
            self.add_error("new_units", MSG_SELF)
        if old is not None and UnitMapping.objects.filter(old_unit=old).exclude(pk=self.instance.pk).exists():
            self.add_error("old_unit", MSG_MAPPED)
        return cleaned

    def validate_unique(self):
        pass  # checked in clean() with a message of ours

    def save(self, commit=True):
        self.instance.committee = self.committee
        return super().save(commit=commit)
