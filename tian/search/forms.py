from django import forms
from django.utils.translation import gettext_lazy as _

from tian.handling.models import OutcomeClass, Rating
from tian.organisations.models import Session, Unit
from tian.proposals.models import Kind, State, TopicCategory


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search words"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "如:托育 未成年人保护"}))
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none(), required=False,
                                     empty_label=_("All sessions"))
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *State.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    category = forms.ModelChoiceField(label=_("Topic category"), queryset=TopicCategory.objects.none(),
                                      required=False, empty_label=_("All categories"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False,
                                  empty_label=_("All units"))
    proposer = forms.CharField(label=_("Proposer"), required=False, max_length=50)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), required=False,
                                     choices=[("", _("Any")), *Rating.choices])
    key = forms.BooleanField(label=_("Key proposals only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, committee=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]
        self.fields["session"].queryset = Session.objects.filter(term__committee=committee).select_related("term")
        self.fields["category"].queryset = TopicCategory.objects.filter(committee=committee)
        self.fields["unit"].queryset = Unit.objects.filter(committee=committee)
        self.fields["outcome"].choices = [("", _("Any")), *[(o.code, str(o)) for o in
                                                            OutcomeClass.objects.filter(committee=committee)]]
