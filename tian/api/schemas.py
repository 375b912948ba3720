"""What the API returns and accepts."""

import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str
    message: str
    errors: dict[str, list[str]] | None = None


class OkOut(Schema):
    ok: bool = True
    id: int | None = None
    state: str | None = None


class ProposalOut(Schema):
    id: int
    year: int
    number: int | None
    number_year: str
    title: str
    kind: str
    state: str
    state_label: str
    proposer: str
    category: str | None
    is_key: bool
    is_public: bool
    submitted_at: datetime.datetime | None


class ReplyOut(Schema):
    id: int
    unit: str
    round: int
    status: str
    outcome: str
    title: str
    salutation: str
    paragraphs: list[str]
    date: str
    contact_line: str


class EvaluationOut(Schema):
    evaluator: str
    round: int
    result: str
    attitude: str
    feedback: str
    on_paper: bool


class EventOut(Schema):
    at: datetime.datetime
    action: str
    label: str
    actor: str | None
    from_state: str
    to_state: str
    note: str


class AssignmentOut(Schema):
    id: int
    unit: str
    role: str
    status: str
    deadline: datetime.date


class ProposalDetailOut(ProposalOut):
    number_bracket: str
    number_session: str
    session: str
    body: str
    cosigners: list[str]
    assignments: list[AssignmentOut]
    supervising_offices: list[str]
    lead_officials: list[str]
    assigned_on: datetime.date | None
    replies: list[ReplyOut]
    lead_rating: str | None = Field(None, description="The lead proposer's rating of the latest reply (everyone "
                                    "who sees the proposal reads it)")
    evaluations: list[EvaluationOut] = Field(description="The evaluations the caller may read in full")
    timeline: list[EventOut]
    actions: list[str]


class PageOut(Schema):
    items: list[ProposalOut]
    total: int
    page: int
    pages: int


class NamedOut(Schema):
    id: int
    name: str
    extra: dict[str, Any] = Field(default_factory=dict)


class TaskOut(Schema):
    kind: str
    label: str
    proposal_id: int
    title: str
    deadline: datetime.date | None = None


class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    url: str
    created_at: datetime.datetime
    read: bool
