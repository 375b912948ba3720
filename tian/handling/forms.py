"""The evaluation forms: a proposer rates the reply (满意度测评), or the office records a paper evaluation; and the
office's change of a handling unit (调整承办单位)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tian.handling.models import Assignment, Rating
from tian.handling.services import MSG_ADJUST_REASON
from tian.organisations.models import CollectiveProposer, Member, Unit
from tian.proposals.models import Kind
from tian.proposals.selectors import merged_in_collective_ids, proposer_members


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
    # The round of replies the page showed (``handling.services.evaluation_round``), sent back hidden: a form opened
    # before the proposal was handled again does not rate the new reply, which its author has not read.
    round = forms.IntegerField(required=False, min_value=1, max_value=2, widget=forms.HiddenInput)


class PaperEvaluationForm(EvaluationForm):
    member = forms.ModelChoiceField(label=_("Evaluating member"), queryset=Member.objects.none(), required=False,
                                    error_messages={"required": _("Please choose the member whose evaluation this is.")})
    collective = forms.ModelChoiceField(
        label=_("Or the organisation whose merged proposal it was"), queryset=CollectiveProposer.objects.none(),
        required=False, help_text=_("An organisation whose own proposal was merged into this one rates it too."))

    def __init__(self, *args, members=(), collective: bool = False, merged_collective_ids=(), **kwargs):
        """``collective``: the proposal's proposer is an organisation, whose own rating is recorded when neither a
        member nor an organisation is chosen; otherwise the rating is always a member's or, where
        ``merged_collective_ids`` are offered (collective proposers whose proposals were merged into it, 并案), one of
        theirs."""
        super().__init__(*args, **kwargs)
        self.own_collective = collective
        self.fields["member"].queryset = Member.objects.filter(pk__in=[m.pk for m in members])
        merged = list(merged_collective_ids)
        # A member must be chosen unless an organisation's rating may be recorded instead (``clean``).
        self.fields["member"].required = not collective and not merged
        if merged:
            self.fields["collective"].queryset = CollectiveProposer.objects.filter(pk__in=merged)
        else:  # none to offer: an organisation sent all the same (the API) is refused as no valid choice
            self.fields["collective"].widget = forms.HiddenInput()
        self.order_fields(["member", "collective"])

    @classmethod
    def for_proposal(cls, proposal, data=None, *, rated=(), proposers=None, **kwargs):
        """The form for ``proposal``: its proposers to choose from (``proposers``, if read already), its own
        organisation's rating and those merged in (并案), but for those who rated the round (``rated``: the members' and
        the organisations' ids, ``rated_now``), whose second rating would be refused."""
        members, collectives = rated or (set(), set())
        proposers = proposer_members(proposal) if proposers is None else proposers
        return cls(data, members=[m for m in proposers if m.pk not in members],
                   collective=proposal.kind == Kind.COLLECTIVE and proposal.collective_id not in collectives,
                   merged_collective_ids=[pk for pk in merged_in_collective_ids(proposal) if pk not in collectives],
                   **kwargs)

    def clean(self):
        data = super().clean()
        chosen = [name for name in ("member", "collective") if data.get(name) is not None]
        if len(chosen) > 1:
            raise forms.ValidationError(_("Choose either a member or an organisation, not both."))
        if not chosen and not self.own_collective and "member" not in self.errors:
            self.add_error("member", self.fields["member"].error_messages["required"])
        return data


class AdjustAssignmentForm(forms.Form):
    """调整承办单位 (``handling.services.assignment_adjust``): which unit's part, the unit that takes it over (an active unit
    of the committee not handling the proposal yet) and why. ``parts``: the assignments whose part may be moved now
    (``adjustable_parts``); ``revisions``: what the page showed of each (``adjust_revision``), sent back hidden, as
    "id=revision;…"."""

    assignment = forms.ModelChoiceField(label=_("Unit whose part is changed"), queryset=Assignment.objects.none(),
                                        widget=forms.RadioSelect,
                                        error_messages={"required": _("Choose the unit whose part is changed.")})
    new_unit = forms.ModelChoiceField(label=_("New handling unit"), queryset=Unit.objects.none(),
                                      error_messages={"required": _("Choose the unit that takes over.")})
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             error_messages={"required": MSG_ADJUST_REASON})
    revisions = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, proposal, parts=(), revisions: dict | None = None, **kwargs):
        parts = list(parts)
        initial = {"revisions": ";".join(f"{pk}={seen}" for pk, seen in (revisions or {}).items())}
        if len(parts) == 1:
            initial["assignment"] = parts[0].pk
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # Any of the proposal's assignments is taken, so that a part moved or asked off since the page was shown is
        # refused by the service as a conflict (``seen``); only those that may be moved now are offered.
        self.fields["assignment"].queryset = Assignment.objects.filter(proposal=proposal).select_related("unit")
        self.fields["assignment"].widget.choices = [(a.pk, f"{a.unit.name}({a.get_role_display()})") for a in parts]
        handling = [a.unit_id for a in proposal.assignments.all() if a.is_active]
        self.fields["new_unit"].queryset = Unit.objects.filter(committee_id=proposal.committee_id,
                                                               is_active=True).exclude(pk__in=handling)

    def seen(self) -> str | None:
        """What the page showed of the chosen unit's part (``adjust_revision``): "" if it did not show it (it could
        not be moved then), None if the form said nothing of what it showed."""
        if not self.cleaned_data["revisions"]:
            return None
        shown = dict(item.split("=", 1) for item in self.cleaned_data["revisions"].split(";") if "=" in item)
        return shown.get(str(self.cleaned_data["assignment"].pk), "")


class HandOverForm(forms.Form):
    """机构改革 (``handling.services.unit_hand_over``): the unit that takes over all of ``unit``'s open work, and why.
    Any unit of the committee is taken, so that the service says why one is refused (made inactive since the page was
    shown, the unit itself); only the committee's other active units are offered."""

    new_unit = forms.ModelChoiceField(label=_("New handling unit"), queryset=Unit.objects.none(),
                                      error_messages={"required": _("Choose the unit that takes over.")})
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             error_messages={"required": MSG_ADJUST_REASON})

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_unit"]
        field.queryset = Unit.objects.filter(committee_id=unit.committee_id)
        field.widget.choices = [("", "---------"), *((u.pk, u.name) for u in Unit.objects.filter(
            committee_id=unit.committee_id, is_active=True).exclude(pk=unit.pk))]
