"""Handling by units: assignments, reassignment requests, contact records, assisting opinions, replies,
co-signatures of replies and evaluations."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tian.organisations.models import DUPLICATE_CODE, Committee, Member, Unit
from tian.proposals.models import Proposal
from tian.proposals.unit_parts import ACTIVE_ASSIGNMENT, REPLYING_ROLES, AssignmentStatus, UnitRole

__all__ = ["REPLYING_ROLES", "UnitRole"]  # declared with the proposal's scope (``proposals/unit_parts.py``)


class OutcomeClass(models.Model):
    """办理结果: the configurable outcome classes (A solved, B being solved, C kept for reference)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="outcome_classes")
    code = models.CharField(_("code"), max_length=5)
    label = models.CharField(_("meaning"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("outcome class")
        verbose_name_plural = _("outcome classes")
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["committee", "code"], name="outcome_unique_code",
                                               violation_error_message=DUPLICATE_CODE)]

    def __str__(self):
        return f"{self.label}({self.code})"


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        """The assignments whose unit still handles the proposal (``Assignment.ACTIVE``)."""
        return self.filter(status__in=Assignment.ACTIVE)


class Assignment(models.Model):
    """交办: one unit's part in handling one proposal. Its steps: ``tian.handling.lifecycle.ASSIGNMENT``."""

    Status = AssignmentStatus  # declared with the proposal's scope, which asks it (``proposals/unit_parts.py``)

    # Named groups of statuses, defined once; services, pages, the API and templates ask these.
    ACTIVE = ACTIVE_ASSIGNMENT

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=UnitRole.choices)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.ASSIGNED)
    assigned_on = models.DateField(_("assigned on"))
    deadline = models.DateField(_("deadline"))
    reassignment_deadline = models.DateField(_("reassignment request deadline"))
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        # The lead unit first, then separate and assisting units, each in the order they were given (as the seed
        # page and the letter list them).
        ordering = [models.Case(models.When(role=UnitRole.LEAD, then=0), models.When(role=UnitRole.SEPARATE, then=1),
                                default=2, output_field=models.IntegerField()), "id"]
        indexes = [
            # Everything the unit inbox reads of a unit's assignments, so that it reads this index and not the
            # table: a unit's closed assignments pile up over the years (docs/decisions.md, the unit inbox).
            models.Index(fields=["unit", "status", "proposal", "role", "deadline", "assigned_on", "id"],
                         name="assignment_unit_inbox"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def replies_directly(self) -> bool:
        return self.role in REPLYING_ROLES


class ReassignmentRequest(models.Model):
    """退办: a unit asks to be taken off a proposal it thinks is not its business."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reassignment_requests")
    reason = models.TextField(_("reason"))
    suggested_unit = models.CharField(_("suggested unit"), max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("reassignment request")
        verbose_name_plural = _("reassignment requests")
        ordering = ["requested_at"]

    def __str__(self):
        return f"{self.assignment} · {self.get_status_display()}"


class ContactRecord(models.Model):
    """办前沟通: the unit's contact with the proposer before replying."""

    class Method(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    contacted_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact record")
        verbose_name_plural = _("contact records")
        ordering = ["contacted_on", "id"]

    def __str__(self):
        return f"{self.get_method_display()} {self.contacted_on}"


class AssistingOpinion(models.Model):
    """会办意见: what an assisting unit sends to the lead unit."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="opinions")
    body = models.TextField(_("opinion"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assisting opinion")
        verbose_name_plural = _("assisting opinions")
        ordering = ["sent_at"]

    def __str__(self):
        return f"{self.assignment.unit} {self.sent_at:%Y-%m-%d}"


class ReplyQuerySet(models.QuerySet):
    def current(self):
        """Replies no later round superseded: after rehandling, the second round's released replies answer the
        proposal, and every reply of the first round — whichever unit wrote it — is history (its follow-up is not
        asked, or no longer awaited). The one rule, read by ``deadlines.services.create_due_follow_ups`` and
        ``FollowUp.objects.awaited``."""
        return self.exclude(Exists(superseding()))


def superseding(prefix: str = ""):
    """The released replies of a later round of the proposal of the outer query's reply (``prefix`` leads from the
    outer row to that reply: ``"reply__"`` from a follow-up)."""
    return Reply.objects.filter(proposal=OuterRef(f"{prefix}proposal"), status=Reply.Status.RELEASED,
                                round__gt=OuterRef(f"{prefix}round"))


class Reply(models.Model):
    """答复: a reply letter by a lead or separate unit; the letter is generated around ``body``. Its steps:
    ``tian.handling.lifecycle.REPLY``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COSIGNING = "cosigning", _("Awaiting co-signature")
        SUPERVISION = "supervision", _("Awaiting supervision review")
        RETURNED = "returned", _("Returned by supervision")
        RELEASED = "released", _("Released")

    # Named groups of statuses, defined once; services, pages, the API and templates ask these.
    # Editable: with the unit, which may change it and submit it (again).
    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
    # Submitted at least once (on its way, returned or released): a unit with such a reply has replied.
    SUBMITTED = frozenset({Status.COSIGNING, Status.SUPERVISION, Status.RETURNED, Status.RELEASED})
    # In progress: the proposers do not have it yet.
    IN_PROGRESS = frozenset({Status.DRAFT, Status.COSIGNING, Status.SUPERVISION, Status.RETURNED})
    # Sent for review: the supervising office and the lead officials read it before its release. A returned reply
    # is the unit's to redraft (it is edited in place), so it is the unit's alone again until it is sent once more.
    SENT_FOR_REVIEW = frozenset({Status.SUPERVISION})
    # Asked to co-sign: the assisting units read it (being co-signed, then in supervision).
    ASKED_TO_COSIGN = frozenset({Status.COSIGNING, Status.SUPERVISION})

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="replies")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="replies", verbose_name=_("unit"))
    round = models.PositiveIntegerField(_("round"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    body = models.TextField(_("reply body"))
    outcome = models.CharField(_("outcome class"), max_length=5, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    signer = models.CharField(_("signer"), max_length=30, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=30)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    reply_date = models.DateField(_("reply date"))
    cosigned_on = models.DateField(_("co-signed on"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="reply_unique_round"),
        ]
        indexes = [models.Index(fields=["status", "unit"]),
                   # The released replies of a page of proposals (the public lists).
                   models.Index(fields=["proposal", "status"], name="reply_proposal_status")]

    def __str__(self):
        return f"{self.unit} · {self.round}"

    @property
    def body_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def was_submitted(self) -> bool:
        return self.status in self.SUBMITTED

    @property
    def is_released(self) -> bool:
        return self.status == self.Status.RELEASED


class ReplyCoSignature(models.Model):
    """会签: an assisting unit's signature on the lead unit's reply."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="cosignatures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["reply", "unit"], name="reply_cosign_unique_unit")]

    def __str__(self):
        return f"{self.unit} · {self.signed_at or '-'}"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Evaluation(models.Model):
    """满意度评价: one proposer's rating of one round of replies."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="evaluations")
    round = models.PositiveIntegerField(_("round"), default=1)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("member"))
    collective = models.ForeignKey("organisations.CollectiveProposer", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    result = models.CharField(_("satisfaction"), max_length=30, choices=Rating.choices)
    attitude = models.CharField(_("handling attitude"), max_length=30, choices=Rating.choices, blank=True)
    contacted = models.BooleanField(_("contacted before the reply"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    is_lead = models.BooleanField(default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_paper = models.BooleanField(_("recorded from paper"), default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["round", "-is_lead", "at"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round", "member"], name="evaluation_unique_member"),
            models.UniqueConstraint(fields=["proposal", "round", "collective"], name="evaluation_unique_collective"),
        ]

    def __str__(self):
        return f"{self.evaluator_name} · {self.get_result_display()}"

    @property
    def evaluator_name(self) -> str:
        return self.member.name if self.member_id else (self.collective.name if self.collective_id else "")


def latest_lead_evaluations():
    """The lead proposer's rating that counts for each proposal: their latest (by round, then time), as the proposal
    page, the portal and the statistics show it (after rehandling, the second round's)."""
    later = Evaluation.objects.filter(proposal=OuterRef("proposal"), is_lead=True).filter(
        Q(round__gt=OuterRef("round")) | Q(round=OuterRef("round"), at__gt=OuterRef("at"))
        | Q(round=OuterRef("round"), at=OuterRef("at"), pk__gt=OuterRef("pk")))
    return Evaluation.objects.filter(is_lead=True).exclude(Exists(later))
