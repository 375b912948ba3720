"""The evaluation forms: a proposer rates the reply (满意度测评), or the office records a paper evaluation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tian.handling.models import Rating
from tian.organisations.models import Member


class EvaluationForm(forms.Form):
    result = forms.ChoiceField(label=_("Satisfaction with the result"), choices=Rating.choices,
                               widget=forms.RadioSelect)
    attitude = forms.ChoiceField(label=_("Handling attitude"), choices=[("", _("Not rated")), *Rating.choices],
                                 required=False, widget=forms.RadioSelect)
    contacted = forms.TypedChoiceField(label=_("Did the unit contact you before replying?"),
                                       choices=[("", _("Not stated")), ("yes", _("Yes")), ("no", _("No"))],
                                       coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None,
                                       required=False, widget=forms.RadioSelect)
    feedback = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               max_length=2000)


class PaperEvaluationForm(EvaluationForm):
    member = forms.ModelChoiceField(label=_("Evaluating member"), queryset=Member.objects.none(), required=False,
                                    error_messages={"required": _("Please choose the member whose evaluation this is.")})

    def __init__(self, *args, members=(), collective: bool = False, **kwargs):
        """``collective``: the proposal's proposer is an organisation, whose own rating is recorded when no member
        is chosen; otherwise the rating is always a member's."""
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(pk__in=[m.pk for m in members])
        self.fields["member"].required = not collective
        self.order_fields(["member"])
