"""The supervisors' forms: approving or returning a reply, recording a supervision activity (pages and API)."""

from django import forms
from django.utils.translation import gettext_lazy

from tian.handling.models import OutcomeClass
from tian.supervision.models import SupervisionActivity

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApproveForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome class"), required=False,
                                help_text=gettext_lazy("Change it only if the unit's class is not right."))
    comments = forms.CharField(label=gettext_lazy("Comments"), widget=forms.Textarea(attrs={"rows": 2}),
                               required=False, max_length=2000)

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", gettext_lazy("Keep the unit's class")),
                                          *[(o.code, str(o)) for o in OutcomeClass.objects.filter(committee=committee)]]


class ReturnForm(forms.Form):
    comments = forms.CharField(label=gettext_lazy("What the unit should change"),
                               widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Activity form"), choices=SupervisionActivity.Kind.choices)
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    participants = forms.CharField(label=gettext_lazy("Participants"), max_length=300)
    notes = forms.CharField(label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
