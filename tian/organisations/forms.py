from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from tian.organisations.models import DUPLICATE_CODE, DUPLICATE_NAME, Committee, Term

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def managed_form_class(entry, committee):
    """A ModelForm for a registry entry whose choices are limited to the committee."""

    class Form(forms.ModelForm):
        class Meta:
            model = entry.model
            fields = entry.fields

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, form_field in self.fields.items():
                model_field = entry.model._meta.get_field(name)
                if model_field.get_internal_type() == "DateField":
                    form_field.widget = DATE_WIDGET
                if hasattr(form_field, "queryset"):
                    related = form_field.queryset.model
                    if related is Term:
                        form_field.queryset = Term.objects.filter(committee=committee)
                    elif any(f.name == "committee" for f in related._meta.fields):
                        form_field.queryset = form_field.queryset.filter(committee=committee)
                if name == "terms":
                    form_field.widget = forms.CheckboxSelectMultiple()
                    form_field.queryset = Term.objects.filter(committee=committee)
            if "committee" in {f.name for f in entry.model._meta.fields}:
                self.instance.committee = committee

        def _get_validation_exclusions(self):
            # The committee is set here, not in the form: keep it in the uniqueness and constraint checks.
            exclusions = super()._get_validation_exclusions()
            exclusions.discard("committee")
            return exclusions

        def _post_clean(self):
            super()._post_clean()
            # A duplicate name (or code) is a problem of its field: show it there, not at the top of the form.
            for message, field in ((DUPLICATE_NAME, "name"), (DUPLICATE_CODE, "code")):
                general = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
                if general and field in self.fields and str(message) in general:
                    rest = [m for m in general if m != str(message)]
                    if rest:
                        self._errors[NON_FIELD_ERRORS] = self.error_class(rest, error_class="nonfield")
                    else:
                        del self._errors[NON_FIELD_ERRORS]
                    self.add_error(field, message)

    Form.__name__ = f"{entry.model.__name__}Form"
    return Form


class CommitteeSettingsForm(forms.ModelForm):
    class Meta:
        model = Committee
        fields = [
            "name", "region", "short_name", "office_phones", "body_max_chars", "cosign_window_plenary_hours",
            "cosign_window_recess_hours", "reply_months", "reply_months_plenary", "assisting_opinion_months",
            "reassignment_window_days", "rehandling_months", "evaluation_window_days", "extension_cap_months",
            "reply_working_days", "assisting_opinion_working_days", "rehandling_working_days",
            "remind_days_before", "due_soon_days", "escalate_days_after", "disclosure_days", "mask_landlines",
        ]
        help_texts = {"office_phones": _("Shown at the bottom of every page.")}
