"""Forms of the proposal pages. They validate input; the service functions do the work."""

from django import forms
from django.conf import settings
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tian.core.phones import phone_refusal
from tian.core.widgets import QuickSelect
from tian.organisations.models import CollectiveProposer, LeadOfficial, Member, SupervisingOffice, Unit
from tian.proposals.models import (
    BODY_PARTS,
    MERGE_TARGETS,
    DeclineForward,
    DeclineGround,
    Proposal,
    TopicCategory,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ATTACHMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png"}
# What the first bytes of each allowed kind must be: the name alone proves nothing.
SIGNATURES = {
    ".pdf": [b"%PDF-"],
    ".doc": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"], ".xls": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
    ".docx": [b"PK\x03\x04"], ".xlsx": [b"PK\x03\x04"],
    ".jpg": [b"\xff\xd8\xff"], ".jpeg": [b"\xff\xd8\xff"], ".png": [b"\x89PNG\r\n\x1a\n"],
}


def sniff_ok(upload, extension: str) -> bool:
    """The file's content is of the kind its name says (for Office files: a zip holding Office parts)."""
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[extension]):
        return False
    if extension in (".docx", ".xlsx"):
        import zipfile

        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(("word/", "xl/")) for n in names)
    return True


class Checklist(forms.CheckboxSelectMultiple):
    """Several choices from a long list (units): boxes to tick, in a box that scrolls, with a filter field
    that tian.js puts above it (typing 民政 leaves 区民政局). No Ctrl-click, and it works on a phone."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "checklist", **(attrs or {})}, choices)


class ProposalForm(forms.ModelForm):
    """The proposal as its author writes it. Nothing here is required, so a half-written draft saves;
    completeness is checked when the proposal is submitted."""

    # The category is read from this committee's active ones by its field and given to the services with the rest;
    # it is not one of the model's fields of the form, whose check that it exists would read it a second time.
    category = Proposal._meta.get_field("category").formfield(required=False)
    field_order = ["title", "category", "body"]

    class Meta:
        model = Proposal
        fields = ["title", "body", "background", "analysis", "suggestions", "suggested_units",
                  "disclosure_consent", "non_disclosure_reason", "contact_name", "contact_phone", "contact_address"]
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": "关于……的建议", "autocomplete": "off"}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "background": forms.Textarea(attrs={"rows": 5}),
            "analysis": forms.Textarea(attrs={"rows": 5}),
            "suggestions": forms.Textarea(attrs={"rows": 6}),
            "suggested_units": Checklist(),
        }
        help_texts = {
            "body": _("Write the whole proposal here, or use the three parts below instead."),
            "suggested_units": _("Tick every unit you think should handle it; type in the box to find a unit."),
        }

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee
        for name in self.fields:
            self.fields[name].required = False
        self.fields["category"].queryset = TopicCategory.objects.filter(committee=committee, is_active=True)
        if self.instance.category_id is not None:
            self.initial.setdefault("category", self.instance.category_id)
        self.fields["suggested_units"].queryset = Unit.objects.filter(committee=committee, is_active=True)
        self.fields["body"].widget.attrs["maxlength"] = committee.body_max_chars if committee else 2500

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"]
        if refusal := phone_refusal(value):
            raise forms.ValidationError(refusal)
        return value

    def clean(self):
        cleaned = super().clean()
        limit = self.committee.body_max_chars
        length = sum(len(cleaned.get(name) or "") for name in BODY_PARTS)
        if length > limit:
            self.add_error("body", _("The body is %(n)d characters long; the limit is %(limit)d.")
                           % {"n": length, "limit": limit})
        return cleaned


class DraftForm(ProposalForm):
    """The draft page's form: the proposal's fields, and which saved state of the draft the page showed
    (``services.draft_revision``, given by the caller), sent back hidden; each autosave moves it on the page. A save
    from a page opened before another author's save is refused, not written over theirs."""

    revision = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, revision: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["revision"] = revision


class ProposerForm(forms.Form):
    """Office staff entering a paper proposal (代录) name whose proposal it is."""

    lead_member = forms.ModelChoiceField(label=_("Lead proposer"), queryset=Member.objects.none(), required=False)
    collective = forms.ModelChoiceField(label=_("Collective proposer"), queryset=CollectiveProposer.objects.none(),
                                        required=False)

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_member"].queryset = Member.objects.filter(committee=committee, is_active=True)
        self.fields["collective"].queryset = CollectiveProposer.objects.filter(committee=committee, is_active=True)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("lead_member")) == bool(cleaned.get("collective")):
            raise forms.ValidationError(_("Choose either a lead proposer or a collective proposer."))
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, JPG or PNG; at most %(mb)d MB a file, %(n)d files and %(total)d MB in all.") % {
            "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024), "n": settings.ATTACHMENTS_PER_PROPOSAL,
            "total": settings.ATTACHMENTS_TOTAL_BYTES // (1024 * 1024)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        extension = next((ext for ext in ATTACHMENT_TYPES if name.endswith(ext)), None)
        if extension is None:
            raise forms.ValidationError(_("This file type is not allowed. Use PDF, Word, Excel, JPG or PNG."))
        if not sniff_ok(upload, extension):
            raise forms.ValidationError(_("The file's content does not match its name; it was not accepted."))
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most %(mb)d MB).")
                                        % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)})
        return upload


class InviteForm(forms.Form):
    members = forms.ModelMultipleChoiceField(label=_("Members to invite"), queryset=Member.objects.none(),
                                             widget=Checklist())

    def __init__(self, *args, committee=None, exclude=(), paper=False, **kwargs):
        super().__init__(*args, **kwargs)
        if paper:  # the office records who signed the paper form: they have agreed already
            self.fields["members"].label = _("Members who signed the paper form")
        self.fields["members"].queryset = (Member.objects.filter(committee=committee, is_active=True)
                                           .exclude(pk__in=exclude).select_related("sector"))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=2000)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What should be revised"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=2000)


class DeclineForm(forms.Form):
    ground = forms.ModelChoiceField(label=_("Ground for not registering"), queryset=DeclineGround.objects.none())
    forward = forms.ChoiceField(label=_("Forwarded as"), choices=DeclineForward.choices,
                                initial=DeclineForward.OPINION)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=2000)

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].queryset = DeclineGround.objects.filter(committee=committee, is_active=True)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Proposal.objects.none(), widget=QuickSelect)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=2000)

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Proposal.objects.filter(committee_id=proposal.committee_id, year=proposal.year)
            .exclude(pk=proposal.pk)
            .filter(state__in=MERGE_TARGETS)
            .select_related("lead_member", "collective")  # each choice names its proposer
            .order_by("number", "submitted_at")
        )
        self.fields["into"].label_from_instance = lambda p: (
            f"{p.number_year or _('Unnumbered')} {p.title}({p.proposer_name})")


class KeyFields(forms.Form):
    """重点提案, its lead officials and supervising offices: chosen at the assignment or after it."""

    is_key = forms.BooleanField(label=_("Key proposal"), required=False)
    lead_officials = forms.ModelMultipleChoiceField(label=_("Lead officials"), queryset=LeadOfficial.objects.none(),
                                                    required=False, widget=forms.CheckboxSelectMultiple)
    supervising_offices = forms.ModelMultipleChoiceField(label=_("Supervising offices"),
                                                         queryset=SupervisingOffice.objects.none(), required=False,
                                                         widget=forms.CheckboxSelectMultiple)


class AssignForm(KeyFields):
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none(), required=False)
    assisting_units = forms.ModelMultipleChoiceField(label=_("Assisting units"), queryset=Unit.objects.none(),
                                                     required=False, widget=Checklist())
    separate_units = forms.ModelMultipleChoiceField(
        label=_("Separate units"), queryset=Unit.objects.none(), required=False, widget=Checklist(),
        help_text=_("Units that each handle the proposal on their own and send their own reply, "
                    "not through the lead unit."))
    assigned_on = forms.DateField(label=_("Assignment date"), widget=DATE, initial=timezone.localdate)
    reply_deadline = forms.DateField(label=_("Reply deadline"), widget=DATE, required=False,
                                     help_text=_("Leave empty for the committee's default."))
    assisting_deadline = forms.DateField(label=_("Assisting opinion deadline"), widget=DATE, required=False,
                                         help_text=_("Leave empty for the committee's default."))
    field_order = ["lead_unit", "assisting_units", "separate_units", "assigned_on", "reply_deadline",
                   "assisting_deadline", "is_key", "lead_officials", "supervising_offices"]

    def __init__(self, *args, committee=None, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(committee=committee, is_active=True)
        if proposal is not None:  # the units the proposer suggested come first, in every list of units
            suggested = [unit.pk for unit in proposal.suggested_units.all()]  # read with the proposal
            units = units.annotate(suggested=Case(When(pk__in=suggested, then=0), default=1)).order_by(
                "suggested", "order", "name")
        for name in ("lead_unit", "assisting_units", "separate_units"):
            self.fields[name].queryset = units
        self.fields["lead_officials"].queryset = LeadOfficial.objects.filter(committee=committee, is_active=True)
        self.fields["supervising_offices"].queryset = SupervisingOffice.objects.filter(committee=committee,
                                                                                       is_active=True)

    def clean(self):
        # Each deadline's error stands next to it and names it by its own label. The service checks the same
        # (and the committee's longest deadline) again: this is only so that the clerk sees which field is wrong.
        cleaned = super().clean()
        start = cleaned.get("assigned_on")
        for name in ("reply_deadline", "assisting_deadline"):
            day = cleaned.get(name)
            if start and day and day <= start:
                self.add_error(name, _("%(field)s must be later than %(start)s (%(day)s).") % {
                    "field": self.fields[name].label, "start": self.fields["assigned_on"].label,
                    "day": start.isoformat()})
        return cleaned


class KeyProposalForm(KeyFields):
    """重点提案与督办 after the assignment (``handling.services.proposal_set_key``): filled in with what the proposal
    has; an official or office no longer active stays offered while the proposal still names it."""
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=2000)
    # What the form showed (``handling.services.key_revision``, given by the caller): a change since is not overwritten.
    revision = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, proposal=None, revision: str = "", **kwargs):
        officials = [o.pk for o in proposal.lead_officials.all()]
        offices = [o.pk for o in proposal.supervising_offices.all()]
        kwargs.setdefault("initial", {"is_key": proposal.is_key, "lead_officials": officials,
                                      "supervising_offices": offices, "revision": revision})
        super().__init__(*args, **kwargs)
        committee = proposal.committee_id
        self.fields["lead_officials"].queryset = LeadOfficial.objects.filter(
            Q(is_active=True) | Q(pk__in=officials), committee=committee)
        self.fields["supervising_offices"].queryset = SupervisingOffice.objects.filter(
            Q(is_active=True) | Q(pk__in=offices), committee=committee)


class ReassignmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve and re-route")),
                                                               ("refuse", _("Refuse"))])
    new_unit = forms.ModelChoiceField(label=_("New unit"), queryset=Unit.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=2000)

    def __init__(self, *args, committee=None, refuse_only=False, **kwargs):
        """``refuse_only``: the replies are out, so the proposal can no longer be re-routed (``handling.services
        .reassignment_approve`` refuses it); the form offers the refusal alone."""
        super().__init__(*args, **kwargs)
        self.fields["new_unit"].queryset = Unit.objects.filter(committee=committee, is_active=True)
        if refuse_only:
            self.fields["decision"].choices = [("refuse", _("Refuse"))]
            del self.fields["new_unit"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "approve" and not cleaned.get("new_unit"):
            self.add_error("new_unit", _("Choose the unit that takes over."))
        if cleaned.get("decision") == "refuse" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Please give the reason for refusing."))
        return cleaned


class RehandleForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE, required=False,
                               help_text=_("Leave empty for the committee's default."))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=2000)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    deadline = forms.DateField(label=_("New deadline"), widget=DATE, required=False,
                               help_text=_("Leave empty to grant the date the unit asked for."))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Please give the reason for refusing."))
        return cleaned


class RemindForm(forms.Form):
    note = forms.CharField(label=_("Message to the unit"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False, max_length=500)
