"""What the API answers. Every write answers the resource it changed, with its id and ``links``: the addresses
a client calls next (``self`` always; on a proposal, one per action the caller may perform on it now)."""

import datetime
from enum import StrEnum
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from tian.deadlines.models import ExtensionRequest
from tian.handling.models import Assignment, ContactRecord, Rating, ReassignmentRequest, Reply, UnitRole
from tian.proposals.models import CoSignature, DeclineForward, Kind, State
from tian.supervision.models import SupervisionActivity, SupervisionReview

Links = dict[str, str]


def choices(name: str, text_choices) -> type[StrEnum]:
    """The values of a model's choices as an enum of the API, under a name of its own (several models call
    theirs ``Status``; the published schema names each once)."""
    return StrEnum(name, {value: value for value in text_choices.values})


ProposalState = choices("ProposalState", State)
ProposalKind = choices("ProposalKind", Kind)
RatingChoice = choices("Rating", Rating)
UnitRoleChoice = choices("UnitRole", UnitRole)
AssignmentStatus = choices("AssignmentStatus", Assignment.Status)
ReplyStatus = choices("ReplyStatus", Reply.Status)
InvitationStatus = choices("InvitationStatus", CoSignature.Status)
ContactMethod = choices("ContactMethod", ContactRecord.Method)
DeclineForwardChoice = choices("DeclineForward", DeclineForward)
ActivityKind = choices("ActivityKind", SupervisionActivity.Kind)
RequestStatus = choices("RequestStatus", ReassignmentRequest.Status)
ExtensionStatus = choices("ExtensionStatus", ExtensionRequest.Status)
ReviewDecision = choices("ReviewDecision", SupervisionReview.Decision)


class ErrorOut(Schema):
    """Every refusal under /api/, whatever its status (400, 401, 403, 404, 405, 409, 412, 413, 422, 429 …)."""

    code: str = Field(description="Stable machine code: not_found, not_allowed, invalid_input, invalid_state, "
                                  "conflict, unauthenticated, method_not_allowed, too_large, throttled, "
                                  "precondition_failed, idempotency_key_reused, idempotency_in_progress …")
    message: str = Field(description="For people, in the request's language (Chinese by default)")
    fields: dict[str, list[str]] = Field(default_factory=dict, description="Field name (as in the request "
                                         "schema) → messages; empty when the refusal is not about one field")


class OkOut(Schema):
    """The answer of the deprecated operations only (see docs/api-changelog.md)."""

    ok: bool = True
    id: int | None = None
    state: str | None = None


class Ref(Schema):
    """Another object named by its id (and its name, for people)."""

    id: int
    name: str


class ProposalOut(Schema):
    id: int
    year: int
    number: int | None
    number_year: str
    title: str
    kind: ProposalKind
    state: ProposalState
    state_label: str
    proposer: str
    category: str | None
    is_key: bool
    is_public: bool
    submitted_at: datetime.datetime | None
    links: Links = Field(default_factory=dict, description="self; on a single proposal also one address per "
                                                           "action the caller may perform now")


class ReplyCosignatureOut(Schema):
    unit: Ref
    signed_at: datetime.datetime | None


class ReviewOut(Schema):
    """督办审核: one supervising office's review of a reply."""

    office: str
    decision: ReviewDecision
    comments: str
    at: datetime.datetime


class ReplyOut(Schema):
    id: int
    proposal_id: int
    assignment_id: int
    unit: str
    round: int
    status: ReplyStatus
    outcome: str
    title: str
    salutation: str
    paragraphs: list[str]
    date: str
    contact_line: str
    outcome_text: str = Field("", description="落实情况: the outcome class in words, 全部或主要问题已解决(A)")
    print_title: str = Field("", description="The letter's printed title, with the proposal's number")
    document_number: str = Field("", description="The unit's 文号")
    signer: str = Field("", description="签发人")
    unit_full_name: str = Field("", description="The replying unit's full name, as the letter is signed")
    signature_units: list[str] = Field(default_factory=list, description="The units signing the letter, the "
                                                                          "replying unit first, then the assisting "
                                                                          "units that co-sign")
    cosign_date: str = Field("", description="The day the assisting units co-signed, in words; empty until they all "
                                             "have")
    supervision_review: str = Field("", description="督办审核 as the proposal page says it: passed, none needed, "
                                                     "returned, or not yet reviewed")
    reviews: list[ReviewOut] = Field(default_factory=list, description="The supervising offices' reviews of the "
                                     "reply with their comments (why a reply was returned), for the people "
                                     "working on the proposal; empty for everyone else")
    cosignatures: list[ReplyCosignatureOut] = Field(default_factory=list)
    proposal_state: ProposalState | None = None
    links: Links = Field(default_factory=dict)


class EvaluationOut(Schema):
    id: int
    proposal_id: int
    evaluator: str
    round: int
    result: RatingChoice
    attitude: RatingChoice | None
    contacted: bool | None = None
    feedback: str
    on_paper: bool
    proposal_state: ProposalState | None = None
    links: Links = Field(default_factory=dict)


class EventOut(Schema):
    at: datetime.datetime
    action: str
    label: str
    actor: str | None
    from_state: str
    to_state: str
    note: str
    details: list[str] = Field(default_factory=list, description="What the entry names, as the proposal page's "
                               "history says it (\"承办单位: 区民政局、区教科局\", \"答复期限: 2026-06-30\"), in the "
                               "answer's language")


class DueOut(Schema):
    day: datetime.date | None = Field(description="The date the unit works to now")
    task: Literal["reply", "opinion", "cosign"] = Field(description="What it is for: the reply, the assisting "
                                                                    "opinion, or co-signing the lead unit's reply")
    done: bool = Field(description="The unit's part is finished (the date is then never overdue)")


class OpinionOut(Schema):
    id: int
    assignment_id: int
    proposal_id: int
    unit: Ref | None = Field(None, description="The assisting unit that sent it")
    body: str
    sent_at: datetime.datetime
    links: Links = Field(default_factory=dict)


class AssignmentOut(Schema):
    id: int
    proposal_id: int
    unit: Ref
    role: UnitRoleChoice
    status: AssignmentStatus | None = Field(None, description="Null for callers who may not read the proposal's "
                                                             "history (the public, readers with no tie), as are "
                                                             "the deadlines below")
    assigned_on: datetime.date
    deadline: datetime.date | None = Field(None, description="The assignment's own reply (or opinion) deadline, as "
                                                             "given and extended; what the unit works to now is "
                                                             "``due``")
    due: DueOut | None = Field(None, description="The deadline the unit works to now, as its pages show it: the "
                                                 "rehandling deadline in rehandling, the reply's while an assisting "
                                                 "unit owes its co-signature")
    reassignment_deadline: datetime.date | None = None
    proposal_state: ProposalState | None = None
    opinions: list[OpinionOut] = Field(default_factory=list, description="会办意见: an assisting unit's opinions to "
                                       "the lead unit, in GET /assignments/{id} (the units' work, not a proposal's "
                                       "list of assignments), for the people working on the proposal and its "
                                       "proposers")
    links: Links = Field(default_factory=dict, description="self, proposal; the unit's steps (sign_for, "
                       "request_reassignment, record_contact, send_opinion, write_reply, request_extension); the "
                       "office's adjust_assignment, remind, and decide_reassignment or decide_extension while the "
                       "unit's request waits for a decision")


class HandOverPartOut(Schema):
    """One open part of a unit's work (机构改革), and whether it can be handed over now."""

    assignment: int = Field(description="The assignment's id (GET /assignments/{id})")
    proposal: int = Field(description="The proposal's id (GET /proposals/{id})")
    number: int | None = Field(description="The proposal's number in its year")
    number_year: str = Field(description="The number as the pages show it")
    title: str
    role: UnitRoleChoice
    refusal: str | None = Field(description="Why the part cannot be handed over now, in the answer's language "
                                            "(the replies are out, the unit asked to leave or submitted its reply); "
                                            "null: it can")
    links: Links = Field(default_factory=dict)


class HandOverPreviewOut(Schema):
    """A unit's open work, as the office's hand-over page lists it."""

    unit: Ref
    parts: list[HandOverPartOut]
    links: Links = Field(default_factory=dict, description="self; hand_over while some part can be handed over")


class HandOverRefusalOut(Schema):
    """A part the hand-over left with the unit, and why."""

    proposal: int
    assignment: int = Field(description="The unit's assignment, unchanged")
    message: str = Field(description="Why, in the answer's language")
    links: Links = Field(default_factory=dict)


class HandOverOut(Schema):
    """What became of a unit's open work: the new unit's assignments, and the parts left with the unit and why."""

    moved: list[AssignmentOut] = Field(description="The new unit's assignments, which it signs for again")
    refused: list[HandOverRefusalOut]


class InvitationOut(Schema):
    """联名邀请: one member asked to co-sign one proposal."""

    id: int
    proposal_id: int
    proposal_title: str
    member: Ref
    order: int
    status: InvitationStatus = Field(description="invited (open), accepted, declined, expired or withdrawn; "
                                                   "an open invitation past its window reads expired")
    invited_at: datetime.datetime
    expires_at: datetime.datetime
    responded_at: datetime.datetime | None
    links: Links = Field(default_factory=dict)


class DraftOut(Schema):
    """The fields of the proposal as its author writes them (PATCH /proposals/{id}); shown to whoever may edit it."""

    title: str
    body: str
    background: str
    analysis: str
    suggestions: str
    category: int | None = Field(description="Topic category id (GET /categories)")
    suggested_units: list[int] = Field(description="Unit ids (GET /units)")
    disclosure_consent: bool
    non_disclosure_reason: str
    contact_name: str
    contact_phone: str
    contact_address: str


class ContactOut(Schema):
    id: int
    assignment_id: int
    proposal_id: int
    unit: Ref | None = Field(None, description="The unit that recorded it")
    method: ContactMethod
    contacted_on: datetime.date
    summary: str
    links: Links = Field(default_factory=dict)


class ProposalFollowUpOut(Schema):
    """回头看: a year after a B-class reply, its unit reports what was actually done (as the proposal carries it)."""

    id: int = Field(description="The follow-up (its report: POST /follow-ups/{id}/report)")
    unit: str = Field(description="The unit asked to report")
    reply_id: int
    due_on: datetime.date
    report: str = Field("", description="What the unit reported (empty until it has)")
    reported_at: datetime.datetime | None = None
    on_paper: bool = Field(False, description="Sent on paper and recorded by the proposal office")
    links: Links = Field(default_factory=dict, description="report: for the unit while its report is awaited, and "
                                                           "for the office (a report received on paper)")


class ProposerContactOut(Schema):
    """Whom a unit reaches about the proposal before replying (办前沟通): the contact person, phone and address
    given on it, or the proposer's own where none was given."""

    name: str
    phone: str
    address: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int = Field(description="In bytes")
    uploaded_at: datetime.datetime


class ProposalDetailOut(ProposalOut):
    number_bracket: str
    number_session: str
    session: str
    kind_label: str = Field("", description="所属类别 as the pages say it: a collective proposal with its proposer's "
                                             "sub-kind, e.g. 集体提案(党派)")
    is_plenary: bool | None = Field(None, description="大会提案 (true) or 平时提案 (false); null until submitted")
    suggested_units: list[str] = Field(default_factory=list, description="意向承办单位: the units the proposer suggested")
    disclosure_consent: bool = Field(True, description="信息公开: whether the proposer consents to publication")
    non_disclosure_reason: str = Field("", description="Why not, where the proposer does not consent")
    attachments: list[AttachmentOut] = Field(default_factory=list, description="For those the disclosure policy lets "
                                                                              "read them")
    body: str
    cosigners: list[str]
    assignments: list[AssignmentOut]
    supervising_offices: list[str]
    lead_officials: list[str]
    assigned_on: datetime.date | None
    replies: list[ReplyOut]
    lead_rating: RatingChoice | None = Field(None, description="The lead proposer's rating of the latest reply "
                                                         "(everyone who sees the proposal reads it)")
    satisfaction: str = Field("", description="满意度 as the proposal page and the portal say it: the rating, 未表态 "
                                               "(no opinion) once the evaluation window has closed, or not evaluated yet; "
                                               "empty before the replies are all out")
    evaluation_open_until: datetime.date | None = Field(None, description="The evaluation window's last day, "
                                                                          "until it has passed (a later rating is "
                                                                          "still taken, and counts, as a late reply "
                                                                          "does)")
    evaluations: list[EvaluationOut] = Field(description="The evaluations the caller may read in full")
    timeline: list[EventOut]
    review_result: str = Field("", description="审查结果 as the proposal page and the portal say it (已立案, 不予立案 "
                                               "…); empty for a draft")
    decline_ground: str | None = Field(None, description="Why a declined proposal was not registered (GET "
                                                         "/decline-grounds), for signed-in callers")
    decline_forward: DeclineForwardChoice | None = Field(None, description="What a declined proposal's text was "
                                                                          "forwarded as, for signed-in callers")
    merged_into: int | None = Field(None, description="The id of the proposal a merged one was merged into, for "
                                                      "signed-in callers (GET /proposals/{id})")
    contact: ProposerContactOut | None = Field(None, description="The proposer's contact details, for the people "
                                                                 "working on the proposal and its lead proposer")
    contact_records: list[ContactOut] = Field(default_factory=list, description="办前沟通: the units' contact "
                                                "records, for the people working on the proposal and its proposers")
    follow_ups: list[ProposalFollowUpOut] = Field(
        default_factory=list, description="回头看 of the B-class replies: once reported, for everyone who reads the "
                                          "released replies (personal mobiles masked as in others' texts); until then, "
                                          "for the people working on the proposal and its proposers")
    actions: list[str] = Field(description="The actions the caller may perform now (their addresses: links)")
    editable: DraftOut | None = Field(None, description="The draft's fields, for whoever may edit it now")


class PageOut(Schema):
    """One page of a list. A page past the end is empty (``next`` is null from the last page on)."""

    items: list[ProposalOut]
    total: int
    page: int
    pages: int
    page_size: int
    next: str | None = Field(description="The address of the next page, null on the last page and beyond")
    previous: str | None = Field(description="The address of the previous page, null on the first")


class NamedOut(Schema):
    id: int
    name: str
    extra: dict[str, Any] = Field(default_factory=dict)


class UnitOut(NamedOut):
    full_name: str
    kind: str


class MemberOut(NamedOut):
    sector: str | None
    party: str | None


class SessionOut(NamedOut):
    year: int
    plenary_start: datetime.date
    plenary_end: datetime.date


class CategoryOut(Schema):
    id: int
    name: str


class OfficeOut(Schema):
    id: int
    name: str
    full_name: str


class LeadOfficialOut(Schema):
    id: int
    name: str
    title: str


class DeclineGroundOut(Schema):
    id: int
    text: str


class OutcomeClassOut(Schema):
    code: str
    label: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    unit: str | None
    office: str | None
    member_id: int | None = None
    unit_id: int | None = None
    office_id: int | None = None


class TaskOut(Schema):
    kind: str = Field(description="sign, contact, opinion, cosign, reply, returned, rehandling, reassignment, "
                                  "follow_up (units); review, assign, reassignment_decision, extension_decision, "
                                  "close, disclose (office); supervision (supervisors); cosign_invitation, "
                                  "evaluate, revise (proposers: a proposal returned for revision, changed by PATCH "
                                  "and submitted again)")
    label: str
    proposal_id: int
    title: str
    deadline: datetime.date | None = None
    object_type: str = Field(description="What to act on: proposal, assignment, reply, invitation, "
                                         "reassignment or extension")
    object_id: int = Field(description="The id of that object")
    links: Links = Field(default_factory=dict)


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    url: str
    created_at: datetime.datetime
    read: bool


class ReassignmentOut(Schema):
    id: int
    assignment_id: int
    proposal_id: int
    reason: str
    suggested_unit: str
    status: RequestStatus
    decision_note: str
    new_assignment_id: int | None = None
    proposal_state: ProposalState | None = None
    links: Links = Field(default_factory=dict)


class ExtensionOut(Schema):
    id: int
    assignment_id: int
    proposal_id: int
    requested_deadline: datetime.date
    previous_deadline: datetime.date
    reason: str
    status: ExtensionStatus
    decision_note: str
    deadline: datetime.date = Field(description="The assignment's deadline now")
    links: Links = Field(default_factory=dict)


class ActivityOut(Schema):
    id: int
    proposal_id: int
    kind: ActivityKind
    held_on: datetime.date
    participants: str
    notes: str
    links: Links = Field(default_factory=dict)


class ReminderOut(Schema):
    id: int
    assignment_id: int
    proposal_id: int
    deadline: datetime.date | None
    note: str
    sent_at: datetime.datetime | None
    links: Links = Field(default_factory=dict)


class FollowUpOut(Schema):
    id: int
    reply_id: int
    proposal_id: int
    due_on: datetime.date
    report: str
    reported_at: datetime.datetime | None
    on_paper: bool = Field(False, description="Sent on paper and recorded by the proposal office")
    links: Links = Field(default_factory=dict)
