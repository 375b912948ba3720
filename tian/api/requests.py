"""What the API accepts: one named schema per operation, unknown fields refused (422 naming them).

Choices are enums, yes/no are booleans, dates are ISO dates, other objects are named by their ids (the lookups
under /api/v1/ list them). The limits are the pages' forms' (``proposals/forms.py``, ``handling/unit_forms.py``):
the forms still check what needs the database (an id of this committee's active units …) and the services
check the rules."""

import datetime
from enum import StrEnum

from ninja import Schema
from pydantic import ConfigDict, Field

from tian.api.schemas import ActivityKind, ContactMethod, DeclineForwardChoice, RatingChoice

NOTE = 2000
Decision = StrEnum("Decision", {"approve": "approve", "refuse": "refuse"})
Id = int  # an object's id, as the lookups and the other answers give it


def _example(**example) -> ConfigDict:
    # ``examples`` is JSON Schema's (OpenAPI 3.1); ``example`` is what the docs page (Swagger UI) fills the request
    # body with.
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example], "example": example})


class Request(Schema):
    model_config = ConfigDict(extra="forbid")


def _id(description: str):
    return Field(ge=1, le=2**31 - 1, description=description)


# The proposal --------------------------------------------------------------------------------------------------

class ProposalCreateRequest(Request):
    """A new draft. Nothing is required yet: completeness is checked when it is submitted."""

    model_config = _example(title="关于加强全区未成年人关爱保护工作的建议", body="建议……", category=3,
                            suggested_units=[5], disclosure_consent=True)
    title: str = Field("", max_length=200, description="案由, usually 关于……的建议")
    body: str = Field("", max_length=20000, description="The whole text, or use the three parts instead")
    background: str = Field("", max_length=20000, description="背景情况")
    analysis: str = Field("", max_length=20000, description="问题分析")
    suggestions: str = Field("", max_length=20000, description="具体建议")
    category: Id | None = Field(None, ge=1, le=2**31 - 1, description="Topic category id (GET /categories)")
    suggested_units: list[Id] = Field(default_factory=list, max_length=50,
                                      description="Suggested handling units' ids (GET /units)")
    disclosure_consent: bool = Field(True, description="信息公开: may it be published once answered")
    non_disclosure_reason: str = Field("", max_length=200, description="Needed when disclosure_consent is false")
    contact_name: str = Field("", max_length=30)
    contact_phone: str = Field("", max_length=30)
    contact_address: str = Field("", max_length=200)


# A partial update: a field not sent keeps its value; null clears it (text to empty, no category, no units). The
# defaults are never used (absence is told apart from null by the fields sent), so they are not published.
class ProposalPatchRequest(Request):
    """Change some fields of a draft or returned proposal; fields not sent keep their values, null clears a field
    (disclosure_consent cannot be null)."""

    model_config = _example(title="关于加强全区未成年人关爱保护工作的建议（修改稿）")
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=20000)
    background: str | None = Field(None, max_length=20000)
    analysis: str | None = Field(None, max_length=20000)
    suggestions: str | None = Field(None, max_length=20000)
    category: Id | None = Field(None, ge=1, le=2**31 - 1, description="Topic category id; null: none")
    suggested_units: list[Id] | None = Field(None, max_length=50, description="Replaces the list; null: none")
    disclosure_consent: bool = Field(None, description="Cannot be null")  # type: ignore[assignment]
    non_disclosure_reason: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=30)
    contact_phone: str | None = Field(None, max_length=30)
    contact_address: str | None = Field(None, max_length=200)


class SubmitRequest(Request):
    """Send the proposal to the proposal office (no fields)."""


class NoteRequest(Request):
    note: str = Field("", max_length=NOTE)


class WithdrawRequest(NoteRequest):
    """撤案, by the author, before registration."""

    model_config = _example(note="问题已解决")


class RegisterRequest(NoteRequest):
    """立案: the proposal gets the next number of its year."""

    model_config = _example(note="")


class DeclineRequest(Request):
    """不予立案, on a ground of the committee's list (GET /decline-grounds)."""

    model_config = _example(ground=10, forward="opinion", note="")
    ground: Id = _id("Decline ground id (GET /decline-grounds)")
    forward: DeclineForwardChoice = Field(DeclineForwardChoice.opinion,
                                          description="Where the text is forwarded")
    note: str = Field("", max_length=NOTE)


class MergeRequest(Request):
    """并案 into another proposal of the same year under review, registered or in handling."""

    model_config = _example(into=12, note="内容相近")
    into: Id = _id("The proposal it joins")
    note: str = Field("", max_length=NOTE)


class ReturnRequest(Request):
    """退回修改: what the proposer should revise (required)."""

    model_config = _example(note="请补充具体建议")
    note: str = Field(min_length=1, max_length=NOTE)


class AssignRequest(Request):
    """交办: one lead unit (with assisting units) and/or separate units, with the supervision set-up."""

    model_config = _example(lead_unit=5, assisting_units=[7], separate_units=[], assigned_on="2026-03-20",
                            is_key=False, lead_officials=[], supervising_offices=[2])
    lead_unit: Id | None = Field(None, ge=1, le=2**31 - 1, description="主办 unit id (GET /units)")
    assisting_units: list[Id] = Field(default_factory=list, max_length=50, description="协办 unit ids")
    separate_units: list[Id] = Field(default_factory=list, max_length=50, description="分办 unit ids")
    assigned_on: datetime.date = Field(description="交办时间")
    reply_deadline: datetime.date | None = Field(None, description="Null: the committee's default")
    assisting_deadline: datetime.date | None = Field(None, description="Null: the committee's default")
    is_key: bool = Field(False, description="重点提案")
    lead_officials: list[Id] = Field(default_factory=list, max_length=50, description="GET /lead-officials")
    supervising_offices: list[Id] = Field(default_factory=list, max_length=50,
                                          description="GET /supervising-offices")


class KeyRequest(Request):
    """重点提案与督办 after the assignment: the key flag, lead officials and supervising offices, each list replacing the
    proposal's (a key proposal needs at least one of each)."""

    model_config = _example(is_key=True, lead_officials=[1], supervising_offices=[2], note="主席会议确定")
    is_key: bool = Field(description="重点提案")
    lead_officials: list[Id] = Field(default_factory=list, max_length=50, description="GET /lead-officials")
    supervising_offices: list[Id] = Field(default_factory=list, max_length=50,
                                          description="GET /supervising-offices")
    note: str = Field("", max_length=NOTE)


class RehandleRequest(Request):
    """重新办理, with a new deadline (null: the committee's default)."""

    model_config = _example(deadline=None, note="")
    deadline: datetime.date | None = None
    note: str = Field("", max_length=NOTE)


class CloseRequest(Request):
    """办结 (no fields)."""


class DiscloseRequest(Request):
    """信息公开: publish the proposal and its replies (no fields; only where the proposer consented)."""


class EvaluateRequest(Request):
    """满意度评价 of the latest released replies, by a proposer for themself."""

    model_config = _example(result="satisfied", attitude="satisfied", contacted=True, feedback="")
    result: RatingChoice
    attitude: RatingChoice | None = Field(None, description="Null: not rated")
    contacted: bool | None = Field(None, description="Did the unit contact you before replying; null: not said")
    feedback: str = Field("", max_length=NOTE)
    round: int | None = Field(None, ge=1, le=2, description="The round of the replies rated (each reply's `round`); "
                              "once the proposal has been answered again in a later round, `409 conflict`. Null: "
                              "the replies released last")


class PaperEvaluationRequest(EvaluateRequest):
    """The office records a paper evaluation for a proposer: a member, or a collective proposer whose proposal was
    merged into this one (``collective``); neither: a collective proposal's own organisation."""

    model_config = _example(member=3, result="basically_satisfied", attitude=None, contacted=None, feedback="")
    member: Id | None = Field(None, ge=1, le=2**31 - 1, description="The evaluating proposer's member id")
    collective: Id | None = Field(None, ge=1, le=2**31 - 1,
                                  description="The collective proposer whose merged proposal it was (并案), "
                                              "instead of a member")


# Co-signing ----------------------------------------------------------------------------------------------------

class InviteRequest(Request):
    """Invite members to co-sign (staff entering a paper proposal record them as signed)."""

    model_config = _example(members=[4, 9])
    members: list[Id] = Field(min_length=1, max_length=100, description="Member ids (GET /members)")


class InvitationAnswerRequest(Request):
    """The invited member's answer to an invitation (no fields: the address says accept or decline)."""


class InvitationWithdrawRequest(Request):
    """The lead proposer withdraws an open invitation (no fields)."""


# Handling ------------------------------------------------------------------------------------------------------

class SignRequest(Request):
    """签收 (no fields)."""


class ReassignmentRequestIn(Request):
    """退办申请: why this unit is the wrong one, within the window."""

    model_config = _example(reason="不属于本单位职责", suggested_unit="区住建局")
    reason: str = Field(min_length=1, max_length=NOTE)
    suggested_unit: str = Field("", max_length=100)


class ContactRequest(Request):
    """办前沟通: how and when the unit talked with the proposer."""

    model_config = _example(method="phone", contacted_on="2026-04-02", summary="电话沟通办理思路")
    method: ContactMethod
    contacted_on: datetime.date
    summary: str = Field(min_length=1, max_length=NOTE)


class OpinionRequest(Request):
    """会办意见 of an assisting unit."""

    model_config = _example(body="同意主办单位意见。")
    body: str = Field(min_length=1, max_length=10000)


class ReplyRequest(Request):
    """The reply draft (only the body: the letter is generated around it); ``submit`` also sends it on."""

    model_config = _example(body="首先感谢您对……的关心。\n现答复如下：……", outcome="A", document_number="朝民函〔2026〕12号",
                            signer="张三", contact_name="贺威", contact_phone="0839-8622541",
                            reply_date="2026-05-20", submit=True)
    body: str = Field("", max_length=20000)
    outcome: str = Field("", max_length=5, description="Outcome class code (GET /outcome-classes); empty: not yet")
    document_number: str = Field("", max_length=60)
    signer: str = Field("", max_length=30)
    contact_name: str = Field("", max_length=30)
    contact_phone: str = Field("", max_length=30)
    reply_date: datetime.date
    submit: bool = Field(False, description="Also submit it (to co-signing, supervision or release)")


class ReplySubmitRequest(Request):
    """Send the saved draft on (no fields)."""


class ExtensionRequestIn(Request):
    """延期申请 of a replying unit."""

    model_config = _example(requested_deadline="2026-08-31", reason="需要调研")
    requested_deadline: datetime.date
    reason: str = Field(min_length=1, max_length=NOTE)


class CosignReplyRequest(Request):
    """会签 by an assisting unit (no fields)."""


class ApproveRequest(Request):
    """督办审核 approved; ``outcome`` adjusts the unit's class."""

    model_config = _example(outcome=None, comments="同意")
    outcome: str | None = Field(None, max_length=5, description="Outcome class code; null keeps the unit's")
    comments: str = Field("", max_length=NOTE)


class ReplyReturnRequest(Request):
    """督办审核 returned to the unit, saying what to change."""

    model_config = _example(comments="请补充落实措施")
    comments: str = Field(min_length=1, max_length=NOTE)


class ReassignmentDecisionRequest(Request):
    """The office approves (re-routing to ``new_unit``) or refuses (with a ``note``) a reassignment request."""

    model_config = _example(decision="approve", new_unit=8, note="")
    decision: Decision
    new_unit: Id | None = Field(None, ge=1, le=2**31 - 1, description="Needed to approve")
    note: str = Field("", max_length=NOTE, description="Needed to refuse")


class AssignmentAdjustRequest(Request):
    """调整承办单位: the office gives the unit's part to another unit, with the reason the units are told."""

    model_config = _example(unit_id=8, reason="机构改革,原单位职能划入新单位")
    unit_id: Id = _id("The unit that takes over: an active unit not handling the proposal yet (GET /units)")
    reason: str = Field(min_length=1, max_length=NOTE)


class UnitHandOverRequest(Request):
    """机构改革: the office hands all of a unit's open work over to another unit, with the reason the units are told."""

    model_config = _example(new_unit=8, reason="机构改革,原单位职能划入新单位")
    new_unit: Id = _id("The unit that takes over: another active unit of the committee (GET /units)")
    reason: str = Field(min_length=1, max_length=NOTE)


class ExtensionDecisionRequest(Request):
    """The office approves (``deadline`` null: the date asked for) or refuses (with a ``note``) an extension."""

    model_config = _example(decision="approve", deadline=None, note="")
    decision: Decision
    deadline: datetime.date | None = None
    note: str = Field("", max_length=NOTE, description="Needed to refuse")


class ActivityRequest(Request):
    """A supervision activity on a key proposal (座谈, 视察, 调研, 走访承办单位)."""

    model_config = _example(kind="research", held_on="2026-06-01", participants="杨金军", notes="实地调研")
    kind: ActivityKind
    held_on: datetime.date
    participants: str = Field(min_length=1, max_length=300)
    notes: str = Field(min_length=1, max_length=5000)


class RemindRequest(Request):
    """催办: a message to the unit (optional)."""

    model_config = _example(note="请抓紧办理")
    note: str = Field("", max_length=500)


class FollowUpRequest(Request):
    """回头看: what was actually done."""

    model_config = _example(report="已建成社区养老服务站 3 个。")
    report: str = Field(min_length=1, max_length=10000)
