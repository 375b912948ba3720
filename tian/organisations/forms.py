from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from tian.organisations.models import DUPLICATE_CODE, DUPLICATE_NAME, Committee, Member, Term

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Messages of a rule on several columns that are about one field of the form.
HOMES = ((DUPLICATE_NAME, "name"), (DUPLICATE_CODE, "code"))


SAME_NAME_MEMBER = _("The committee already has a member named “%(name)s”. If this is another person with the "
                     "same name, tick the box below; if it is the same person, open that member instead.")
SAME_NAME_CONFIRM = _("This is another person with the same name")
SAME_NAME_HELP = _("The imports find members by name: tell the two apart in their workplace, and check each import's "
                   "report for this name.")


def _same_named_member(form, committee) -> str | None:
    """The name typed on a member's form where another member of the committee has it already (and it is not the
    member's own name, unchanged), else None."""
    if not form.is_bound:
        return None
    name = str(form.data.get(form.add_prefix("name"), "")).strip()
    if not name or (form.instance.pk and form.instance.name == name):
        return None
    others = Member.objects.filter(committee=committee, name=name).exclude(pk=form.instance.pk)
    return name if others.exists() else None


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
            # A second member of one name is saved only when confirmed: the Excel and legacy imports find members by
            # name, and a roster typed twice would have them update or credit the newer duplicate.
            self.same_name = _same_named_member(self, committee) if entry.model is Member else None
            if self.same_name:
                self.fields["same_name_confirmed"] = forms.BooleanField(
                    label=SAME_NAME_CONFIRM, help_text=SAME_NAME_HELP, required=False)

        def clean(self):
            cleaned = super().clean()
            if self.same_name and not cleaned.get("same_name_confirmed"):
                self.add_error("name", SAME_NAME_MEMBER % {"name": self.same_name})
            return cleaned

        def full_clean(self):
            super().full_clean()
            if not self.is_bound or not hasattr(self.instance, "committee_id"):
                return
            # The committee is set on the instance, not by a field of the form, so the form's own checks leave out
            # the uniqueness rules that name it (a unit's name is unique within its committee): they are checked
            # here, on what the form put into the instance, and a duplicate name or code is shown beside its field.
            exclude = {f.name for f in entry.model._meta.concrete_fields
                       if f.name not in self.fields and f.name != "committee"} | set(self.errors)
            try:
                self.instance.validate_unique(exclude=exclude)
                self.instance.validate_constraints(exclude=exclude)
            except ValidationError as e:
                for field, messages in e.message_dict.items():
                    for message in messages:
                        home = next((name for rule, name in HOMES if str(rule) == message),  # in today's language
                                    field if field in self.fields else None)
                        if message not in self.errors.get(home or NON_FIELD_ERRORS, []):
                            self.add_error(home if home in self.fields else None, message)

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
