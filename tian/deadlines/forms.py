"""The office's forms of the deadlines' records."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tian.deadlines.models import FollowUp
from tian.deadlines.services import awaited_follow_ups


class FollowUpChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(unit)s, due %(day)s") % {"unit": obj.reply.unit.name, "day": obj.due_on.isoformat()}


class PaperFollowUpForm(forms.Form):
    """回头看 received on paper: which unit's awaited report (a proposal with several B-class replies awaits one of
    each) and what it says, entered by the office (``services.follow_up_report``)."""

    follow_up = FollowUpChoice(label=_("Follow-up of"), queryset=None, empty_label=None)
    report = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)

    def __init__(self, data=None, *, proposal, **kwargs):
        super().__init__(data, **kwargs)
        field = self.fields["follow_up"]
        # Offered: those awaited. Taken: any of the proposal's, so that one reported or voided since the page was
        # read is refused by the service with why (``follow_up_report``), the report typed kept to copy.
        field.queryset = FollowUp.objects.filter(reply__proposal=proposal).select_related("reply__unit")
        field.choices = [(f.pk, field.label_from_instance(f)) for f in awaited_follow_ups(proposal)]
