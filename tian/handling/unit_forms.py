"""Forms of the unit handler's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tian.core.phones import phone_refusal
from tian.handling.models import ContactRecord, OutcomeClass

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReassignmentForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    suggested_unit = forms.CharField(label=_("Suggested unit"), required=False, max_length=100)


class ContactForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=ContactRecord.Method.choices)
    contacted_on = forms.DateField(label=_("Date"), widget=DATE)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OpinionForm(forms.Form):
    body = forms.CharField(label=_("Assisting opinion"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply body"), widget=forms.Textarea(attrs={"rows": 16}), max_length=20000,
                           required=False,
                           help_text=_("Only the body: one paragraph per line. The title, salutation, “此复。”, "
                                       "signature, date and contact line are added for you."))
    outcome = forms.ChoiceField(label=_("Outcome class"), required=False)
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=60)
    signer = forms.CharField(label=_("Signer"), required=False, max_length=30)
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=30)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=30)
    reply_date = forms.DateField(label=_("Reply date"), widget=DATE)
    # Which saved draft the page showed (``services.draft_revision``): a colleague's save since is not overwritten.
    revision = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    # Needed to submit the reply (``services._validate_reply``), not to save a draft: marked required on the page,
    # and checked by the form, beside each field, when the reply is submitted.
    NEEDED_TO_SUBMIT = ("body", "outcome", "contact_name", "contact_phone")

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"]
        if refusal := phone_refusal(value):
            raise forms.ValidationError(refusal)
        return value

    def __init__(self, *args, committee=None, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.NEEDED_TO_SUBMIT:
            self.fields[name].required = submitting
        self.fields["outcome"].choices = [("", "—"), *[(o.code, str(o)) for o in
                                                       OutcomeClass.objects.filter(committee=committee)]]


class ExtensionForm(forms.Form):
    requested_deadline = forms.DateField(label=_("Requested deadline"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class FollowUpForm(forms.Form):
    report = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)


class RemindForm(forms.Form):
    """The lead unit's reminder to an assisting unit (催办)."""

    note = forms.CharField(label=_("Message to the unit"), required=False, max_length=500)
