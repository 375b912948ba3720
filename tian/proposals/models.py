"""The proposal, its co-signers, attachments, numbering and event history."""

import os
import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tian.organisations.models import DUPLICATE_NAME, Committee, Member


class State(models.TextChoices):
    """The proposal lifecycle; transitions between these are declared in ``workflow.py``."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned for revision")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Not registered")
    MERGED = "merged", _("Merged")
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    HANDLING = "handling", _("Being handled")
    REPLIED = "replied", _("Replied")
    REHANDLING = "rehandling", _("Rehandling")
    CLOSED = "closed", _("Closed")


# Named groups of states, defined once: services, pages, the API and templates ask these.
# Before registration: the author may still change it; invitations are open; its page is not kept.
BEFORE_REGISTRATION = frozenset({State.DRAFT, State.SUBMITTED, State.RETURNED})
# In handling: units work on it, deadlines run.
IN_HANDLING = frozenset({State.ASSIGNED, State.HANDLING, State.REHANDLING})
# In handling for the first reply: each unit works to its own deadline (in rehandling, to the proposal's).
FIRST_HANDLING = IN_HANDLING - {State.REHANDLING}
# Answered: every reply of the round is out (replied, or closed after the evaluation).
ANSWERED = frozenset({State.REPLIED, State.CLOSED})
# What another proposal may be merged into (并案): not yet answered.
MERGE_TARGETS = frozenset({State.SUBMITTED, State.REGISTERED, State.ASSIGNED, State.HANDLING})
# Finished: no transition moves it on (closed, withdrawn, not registered or merged).
FINISHED = frozenset({State.CLOSED, State.WITHDRAWN, State.DECLINED, State.MERGED})
# Not (or no longer) in the committee's work: a draft, or one withdrawn. Similar proposals and clusters leave them out.
OUT_OF_WORK = frozenset({State.DRAFT, State.WITHDRAWN})
# Submitted at least once, as a query condition (``Proposal.ever_submitted`` is the same for one proposal): a draft,
# or a draft thrown away (withdrawn before it was ever submitted), is private to whoever wrote it.
EVER_SUBMITTED = Q(submitted_at__isnull=False) | ~Q(state__in=OUT_OF_WORK)


class Kind(models.TextChoices):
    MEMBER = "member", _("Member proposal")
    COLLECTIVE = "collective", _("Collective proposal")


# The official names used inside numbers and letters, independent of the interface language.
KIND_OFFICIAL = {Kind.MEMBER: "委员提案", Kind.COLLECTIVE: "集体提案"}


class DeclineForward(models.TextChoices):
    """Where a proposal that is not registered is forwarded."""

    OPINION = "opinion", _("Forwarded as an opinion or suggestion")
    SOCIAL = "social", _("Forwarded as social conditions and public opinion")
    NONE = "none", _("Not forwarded")


class TopicCategory(models.Model):
    """提案类别: a configurable topic category (经济建设, 社会建设, …)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="topic_categories")
    name = models.CharField(_("name"), max_length=30)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic category")
        verbose_name_plural = _("topic categories")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="category_unique_name",
                                               violation_error_message=DUPLICATE_NAME)]

    def __str__(self):
        return self.name


class DeclineGround(models.Model):
    """A standard ground for not registering a proposal (configurable list)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="decline_grounds")
    text = models.CharField(_("ground"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ground for not registering")
        verbose_name_plural = _("grounds for not registering")
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


# The fields of a proposal's text: free text, or the three parts (背景情况 / 问题分析 / 具体建议).
BODY_PARTS = ("body", "background", "analysis", "suggestions")
# domain.md: "body (free text, or three parts …)": a proposal is read as the one or the other (``full_body``), so a
# text written in both would lose its parts. The submission refuses it; a draft may hold both while the member
# moves the text.
MSG_BODY_AND_PARTS = _("Write the whole proposal in the body, or in the three parts, not both: please move the text "
                       "into one of them.")


class Proposal(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="proposals")
    session = models.ForeignKey("organisations.Session", on_delete=models.PROTECT, related_name="proposals",
                                verbose_name=_("session"))
    year = models.PositiveIntegerField(_("year"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEMBER)
    lead_member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="led_proposals", verbose_name=_("lead proposer"))
    collective = models.ForeignKey("organisations.CollectiveProposer", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="proposals", verbose_name=_("collective proposer"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))
    # Its own context: "title" alone is also a lead official's job title (职务).
    title = models.CharField(pgettext_lazy("proposal", "title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    background = models.TextField(_("background"), blank=True)
    analysis = models.TextField(_("problem analysis"), blank=True)
    suggestions = models.TextField(_("concrete suggestions"), blank=True)
    category = models.ForeignKey(TopicCategory, on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("topic category"))
    suggested_units = models.ManyToManyField("organisations.Unit", blank=True, related_name="+",
                                             verbose_name=_("suggested handling units"))
    disclosure_consent = models.BooleanField(_("consent to disclosure"), default=True)
    non_disclosure_reason = models.CharField(_("reason for not disclosing"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_address = models.CharField(_("contact address"), max_length=200, blank=True)

    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    is_plenary = models.BooleanField(_("plenary proposal"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    decline_ground = models.ForeignKey(DeclineGround, on_delete=models.PROTECT, null=True, blank=True,
                                       verbose_name=_("ground for not registering"))
    decline_forward = models.CharField(_("forwarded as"), max_length=20, choices=DeclineForward.choices,
                                       blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_proposals", verbose_name=_("merged into"))

    is_key = models.BooleanField(_("key proposal"), default=False)
    lead_officials = models.ManyToManyField("organisations.LeadOfficial", blank=True, related_name="proposals",
                                            verbose_name=_("lead officials"))
    supervising_offices = models.ManyToManyField("organisations.SupervisingOffice", blank=True,
                                                 related_name="proposals", verbose_name=_("supervising offices"))
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    rehandling_deadline = models.DateField(_("rehandling deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_public = models.BooleanField(_("disclosed"), default=False, db_index=True)
    disclosed_at = models.DateTimeField(_("disclosed at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Goes up after every committed change to the proposal or to anything shown on its page (events,
    # assignments, replies, evaluations, attachments …): a kept rendering of the page is current while it
    # is unchanged (``tian.proposals.events``: every event moves it).
    revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-year", "number", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "number"], condition=Q(number__isnull=False),
                                    name="proposal_unique_number"),
        ]
        indexes = [
            models.Index(fields=["committee", "state", "submitted_at"]),
            models.Index(fields=["committee", "year", "number"]),
            # The office's list in its order (newest year, then by number), whole or of one state.
            models.Index(fields=["committee", "-year", "number", "-submitted_at"], name="proposal_list_order"),
            models.Index(fields=["committee", "state", "-year", "number", "-submitted_at"],
                         name="proposal_list_state_order"),
            # The newest edit. Read by nothing since kept pages are keyed on versions (core/versions.py); dropping it
            # is a migration of its own.
            models.Index(fields=["updated_at"], name="proposal_updated"),
            # The disclosed proposals, read from the index alone: the public search looks each of its matches up
            # here, and walks them newest first for a few disclosed proposals (``search/backends.PostgresFTS.page``;
            # with many, it walks the disclosed search documents' own index instead).
            models.Index(fields=["id", "committee"], condition=Q(is_public=True), name="proposal_public_newest"),
        ]

    def __str__(self):
        return f"{self.number_year} {self.title}" if self.number else self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    @property
    def in_handling(self) -> bool:
        return self.state in IN_HANDLING

    @property
    def before_registration(self) -> bool:
        return self.state in BEFORE_REGISTRATION

    @property
    def ever_submitted(self) -> bool:
        """``EVER_SUBMITTED`` of this proposal."""
        return self.submitted_at is not None or self.state not in OUT_OF_WORK

    # Single states the pages tell apart (templates ask these, never compare state strings).
    @property
    def is_returned(self) -> bool:
        return self.state == State.RETURNED

    @property
    def is_declined(self) -> bool:
        return self.state == State.DECLINED

    @property
    def is_merged(self) -> bool:
        return self.state == State.MERGED

    @property
    def is_rehandling(self) -> bool:
        return self.state == State.REHANDLING

    # The three renderings of the registration number seen on the seed page.
    @property
    def number_bracket(self) -> str:
        return f"第〔{self.number}〕号" if self.number else ""

    @property
    def number_year(self) -> str:
        return f"{self.year}年度第{self.number}号" if self.number else ""

    @property
    def number_session(self) -> str:
        return f"{self.session.name}第{self.number}号{KIND_OFFICIAL[self.kind]}" if self.number else ""

    @property
    def proposer_name(self) -> str:
        if self.kind == Kind.COLLECTIVE and self.collective_id:
            return self.collective.name
        return self.lead_member.name if self.lead_member_id else ""

    def contact_details(self) -> dict:
        """Whom to reach about the proposal (办前沟通): the contact person, phone and address given on it; where no
        person or phone was given, the collective proposer's contact or the lead member's own mobile. Who may read
        them is the disclosure policy's (``Disclosure.proposer_contact``)."""
        name, phone = self.contact_name, self.contact_phone
        if not (name or phone):
            if self.kind == Kind.COLLECTIVE and self.collective_id:
                name, phone = self.collective.contact_name, self.collective.contact_phone
            elif self.lead_member_id:
                name, phone = self.lead_member.name, self.lead_member.mobile
        return {"name": name, "phone": phone, "address": self.contact_address}

    @property
    def body_length(self) -> int:
        """The characters the proposer wrote (``BODY_PARTS``, without the headings ``full_body`` adds): what the
        committee's cap counts, in the draft form and at submission alike."""
        return sum(len(getattr(self, name) or "") for name in BODY_PARTS)

    @property
    def written_twice(self) -> bool:
        """Whether both a free text and one of the three parts are written (``MSG_BODY_AND_PARTS``)."""
        return bool(self.body.strip()) and any((getattr(self, name) or "").strip() for name in BODY_PARTS[1:])

    @property
    def kind_label(self) -> str:
        """所属类别 as every output says it: a collective proposal with its proposer's sub-kind, 集体提案(党派)
        (domain.md: "collective proposal with its sub-kind"). Reads ``collective`` (select it in lists)."""
        label = str(self.get_kind_display())
        if self.kind == Kind.COLLECTIVE and self.collective_id:
            label += f"({self.collective.get_kind_display()})"
        return label

    @property
    def full_body(self) -> str:
        """The body as one text: free text, or the three parts with their headings."""
        if self.body.strip():
            return self.body
        parts = [(_("Background"), self.background), (_("Problem analysis"), self.analysis),
                 (_("Concrete suggestions"), self.suggestions)]
        return "\n".join(f"{label}\n{text}" for label, text in parts if text.strip())

    @property
    def body_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.full_body.splitlines() if line.strip()]


class CoSignature(models.Model):
    """联名: an invitation to a member to co-sign, and the answer."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Agreed to co-sign")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Invitation withdrawn")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosignatures")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cosignatures",
                               verbose_name=_("member"))
    order = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="cosign_unique_member")]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"

    def is_open_at(self, at) -> bool:
        """Whether the invitation can still be answered at ``at``: asked, not answered, its window not passed.
        ``open_invitations`` is the same as a query condition."""
        return self.status == self.Status.INVITED and self.expires_at > at

    @property
    def effective_status(self) -> str:
        """An open invitation past its window counts as expired even before a scan marks it."""
        if self.status == self.Status.INVITED and not self.is_open_at(timezone.now()):
            return self.Status.EXPIRED
        return self.status

    @property
    def is_open_invitation(self) -> bool:
        return self.is_open_at(timezone.now())

    def get_effective_status_display(self):
        return self.Status(self.effective_status).label


def open_invitations(*, through: str = "", at=None) -> Q:
    """``CoSignature.is_open_at`` as a query condition, now unless ``at``; ``through``: the path from the model
    queried to its co-signatures ("cosignatures__" from a proposal). A lapsed invitation gives nothing: no access,
    no place on a list of invitations, even before anything marks it expired."""
    return Q(**{f"{through}status": CoSignature.Status.INVITED,
                f"{through}expires_at__gt": at if at is not None else timezone.now()})


def attachment_path(instance, filename):
    """Where an upload is stored: a short name of its own with the file's type (``AttachmentForm`` checked it). The
    name the member gave it is ``Attachment.name``, given back on download: a long name with dots in it
    (2023.03.16 关于……的补充材料.pdf) does not fit the file column whole, and the storage cannot shorten it."""
    extension = os.path.splitext(filename)[1].lower()
    extension = extension if re.fullmatch(r"\.[a-z0-9]{1,8}", extension) else ""
    return f"attachments/{instance.proposal_id}/{timezone.now():%Y%m%d%H%M%S}_{secrets.token_hex(4)}{extension}"


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class NumberSequence(models.Model):
    """The last registration number given per committee and year; locked while a number is taken."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["committee", "year"], name="sequence_unique_year")]

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Event(models.Model):
    """One thing that happened to a proposal: the timeline, the audit trail and the source of statistics."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=50, db_index=True)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["proposal", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
