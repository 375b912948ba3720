"""The unit inbox: the unit's open tasks in groups (to sign for, to reply …), counted exactly and shown a few at a
time, most urgent (earliest deadline) first.

Each group is declared once, as a condition on the unit's assignments (co-signing: on its pending co-signatures),
and three readers share it: the overview (every group's count and first ``PREVIEW`` tasks, one query), a page of
one group (one query) and the home tiles (every group's count, one aggregate query). Each group's deadline is the
one the work page shows (``tian.deadlines.status``): a reply's own, a second reply's rehandling deadline, a
follow-up report's due date. A page renders at most a
fixed number of rows however much the unit has open, and the database looks at the unit's open assignments
only, not at all it ever had (docs/decisions.md, "The unit inbox pages each group").
"""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tian.deadlines.models import FollowUp
from tian.deadlines.status import reply_deadline_expression
from tian.handling.models import (
    REPLYING_ROLES,
    Assignment,
    AssistingOpinion,
    ContactRecord,
    Reply,
    ReplyCoSignature,
    UnitRole,
)
from tian.proposals.models import IN_HANDLING, Proposal, State

PREVIEW = 5  # items of each group on the inbox overview
PAGE_SIZE = 25  # items on a page of one group

_active = Q(proposal__state__in=IN_HANDLING)
_replying = _active & Q(role__in=REPLYING_ROLES)
_signed = Q(status=Assignment.Status.SIGNED)


def _sent(round_: int) -> Exists:
    """A reply of that round has left the unit (a returned reply has its own group)."""
    return Exists(Reply.objects.filter(assignment=OuterRef("pk"), round=round_).filter(status__in=Reply.SUBMITTED))


@dataclass(frozen=True)
class Group:
    key: str
    label: Promise
    condition: Q | None  # on Assignment; None for the co-signatures
    due: str = "deadline"  # the deadline that orders the group and is shown in it: a key of ``DUE``
    urgent: bool = False  # a home tile that asks for action when the group is not empty

    @property
    def kind(self) -> str:
        return "cosign" if self.condition is None else "assignment"


# Cheap column tests come before the subqueries, so the database only runs those on rows that pass them.
GROUPS = [
    Group("sign", _("To sign for"), _active & Q(status=Assignment.Status.ASSIGNED), urgent=True),
    Group("contact", _("To contact the proposer"),  # before the reply: once it has left the unit, no longer asked
          _replying & _signed & ~_sent(1) & ~Exists(ContactRecord.objects.filter(assignment=OuterRef("pk")))),
    Group("opinion", _("To send an assisting opinion"),
          _active & Q(role=UnitRole.ASSISTING) & _signed
          & ~Exists(AssistingOpinion.objects.filter(assignment=OuterRef("pk")))),
    Group("cosign", _("Replies to co-sign"), None, urgent=True),
    Group("reply", _("To reply"), _replying & _signed & Q(proposal__state=State.HANDLING) & ~_sent(1), urgent=True),
    Group("returned", _("Replies returned by supervision"),
          Q(Exists(Reply.objects.filter(assignment=OuterRef("pk"), status=Reply.Status.RETURNED))), due="reply",
          urgent=True),
    Group("rehandling", _("Rehandling"), _replying & Q(proposal__state=State.REHANDLING) & ~_sent(2),
          due="rehandling", urgent=True),
    Group("reassignment", _("Reassignment requested"), Q(status=Assignment.Status.REASSIGNMENT_REQUESTED)),
    Group("follow_up", _("Follow-up reports due"),
          Q(Exists(FollowUp.objects.awaited().filter(reply__assignment=OuterRef("pk")))),
          due="follow_up"),
]
# The deadlines, on an assignment: its own (a reply's, extensions included, or an assisting opinion's), the
# rehandling deadline, the reply's owed now (a returned reply: the rehandling deadline in rehandling), and the due
# date of its oldest follow-up report not yet sent (回头看: the reply deadline itself was met long ago).
DUE = {"deadline": F("deadline"), "rehandling": F("proposal__rehandling_deadline"),
       # the reply the unit owes now: the second one, by the rehandling deadline, while the proposal is rehandled
       "reply": Case(When(proposal__state=State.REHANDLING, then=F("proposal__rehandling_deadline")),
                     default=F("deadline")),
       "follow_up": Subquery(FollowUp.objects.awaited().filter(reply__assignment=OuterRef("pk"))
                             .order_by("due_on").values("due_on")[:1])}
BY_KEY = {g.key: g for g in GROUPS}
_ASSIGNMENT_GROUPS = [g for g in GROUPS if g.condition is not None]
_ROLE_LABELS = dict(UnitRole.choices)


@dataclass(frozen=True)
class Task:
    """One row of the inbox: the proposal, the unit's role in it and the deadline that matters."""

    proposal_id: int
    year: int
    number: int | None
    title: str
    role: str
    due: datetime.date | None
    url: str  # the unit's work page of the proposal

    number_year = Proposal.number_year  # the proposal's own rendering of its number; reads year and number only

    @property
    def role_label(self):
        return _ROLE_LABELS[self.role]


def _assignments(unit_id):
    """The unit's assignments that can be in some group (every group's condition implies this), found by index:
    the open proposals' assignments, requested reassignments, returned replies and follow-ups due. The groups'
    subqueries then run on these few rows only, not on every assignment the unit ever had."""
    mine = Assignment.objects.filter(unit_id=unit_id).order_by()
    candidates = (
        mine.filter(_active).values("pk")
        .union(mine.filter(status=Assignment.Status.REASSIGNMENT_REQUESTED).values("pk"),
               Reply.objects.filter(assignment__unit_id=unit_id, status=Reply.Status.RETURNED).order_by()
               .values("assignment_id"),
               FollowUp.objects.awaited().filter(reply__assignment__unit_id=unit_id).order_by()
               .values("reply__assignment_id")))
    return mine.exclude(status=Assignment.Status.REMOVED).filter(pk__in=candidates)


def _ordered(group: Group) -> list:
    return [DUE[group.due].asc(nulls_last=True), F("assigned_on").asc(), F("id").asc()]


def _cosignatures(unit_id):
    """The unit's signatures awaiting on replies in co-signing."""
    return ReplyCoSignature.objects.filter(unit_id=unit_id, signed_at__isnull=True,
                                           reply__status=Reply.Status.COSIGNING).order_by()


_TASK = {"t_proposal": F("proposal_id"), "t_year": F("proposal__year"), "t_number": F("proposal__number"),
         "t_title": F("proposal__title"), "t_role": F("role")}


def _cosign_rows(unit_id):
    """As tasks, with their number, the earliest deadline first: a reply waiting for the co-signature has the
    reply's deadline (``status.reply_deadline``: the lead unit's or, for a second reply, the rehandling deadline),
    as the work page says."""
    due = reply_deadline_expression("reply__")
    return (_cosignatures(unit_id).annotate(sort_due=due)
            .order_by(F("sort_due").asc(nulls_last=True), "reply__submitted_at", "id")
            .values(t_proposal=F("reply__proposal_id"), t_year=F("reply__proposal__year"),
                    t_number=F("reply__proposal__number"), t_title=F("reply__proposal__title"),
                    t_role=Value(UnitRole.ASSISTING.value), t_due=F("sort_due"), t_total=Window(Count("pk"))))


def _page_rows(unit_id, group: Group):
    """A group's tasks, with their number."""
    return (_assignments(unit_id).filter(group.condition).order_by(*_ordered(group))
            .values(**_TASK, t_due=DUE[group.due], t_total=Window(Count("pk"))))


def _flagged(unit_id):
    """The unit's candidate assignments as tasks, oldest assignment first, with whether each belongs to each group
    (``in_<key>``): each group's condition evaluated once a row."""
    flags = {f"in_{g.key}": ExpressionWrapper(g.condition, output_field=BooleanField()) for g in _ASSIGNMENT_GROUPS}
    return (_assignments(unit_id).order_by("assigned_on", "id")
            .values(**_TASK, **{_DUE_COLUMN[key]: due for key, due in DUE.items()}, **flags))


_DUE_COLUMN = {key: f"t_due_{key}" for key in DUE}


def _work_urls():
    """The work page's address for a proposal id, reversed once and not once a row (~25 µs each)."""
    marker = 2_147_483_647
    head, tail = reverse("handling:work", args=[marker]).split(str(marker))
    return lambda proposal_id: f"{head}{proposal_id}{tail}"


def _tasks(rows, url, due: str = "t_due") -> list[Task]:
    return [Task(r["t_proposal"], r["t_year"], r["t_number"], r["t_title"], r["t_role"], r[due],
                 url(r["t_proposal"])) for r in rows]


def group_counts(unit_id) -> dict[str, int]:
    """The exact number of items in every group (the home tiles): one aggregate query over the unit's
    assignments and one count of its pending co-signatures."""
    counts = _assignments(unit_id).aggregate(**{g.key: Count("pk", filter=g.condition) for g in _ASSIGNMENT_GROUPS})
    counts["cosign"] = _cosignatures(unit_id).count()
    return {g.key: counts[g.key] or 0 for g in GROUPS}


def first_items(unit_id) -> tuple[dict[str, int], dict[str, list[Task]]]:
    """Every group's exact count and first ``PREVIEW`` tasks, most urgent first, in two queries: the unit's
    candidate tasks with their groups, counted and ranked here in each group's order (``_ordered``: the due date,
    never-set ones last, then as fetched), and the co-signatures' first tasks with their number. Ranking in SQL
    cost more where it was measured (PostgreSQL, a unit with ~1,800 open tasks: 21 ms a call here, 41 ms with a
    window a group, where the ORM repeats the group's condition, and 125 ms as a union of the groups' first pages,
    each looking for the candidates again)."""
    rows = list(_flagged(unit_id))
    url = _work_urls()
    counts, items = {}, {}
    for g in _ASSIGNMENT_GROUPS:
        due = _DUE_COLUMN[g.due]
        mine = sorted((r for r in rows if r[f"in_{g.key}"]), key=lambda r, due=due: (r[due] is None, r[due]))
        counts[g.key] = len(mine)
        items[g.key] = _tasks(mine[:PREVIEW], url, due)
    cosign = list(_cosign_rows(unit_id)[:PREVIEW])
    counts["cosign"] = cosign[0]["t_total"] if cosign else 0
    items["cosign"] = _tasks(cosign, url)
    return {g.key: counts[g.key] for g in GROUPS}, items


def group_page(unit_id, group: Group, *, page: int, size: int = PAGE_SIZE) -> tuple[int, list[Task]]:
    """The number of tasks in the group and the tasks of one page of it (the last if there are fewer pages), in
    the order of the overview: one query, and two when asked past the end."""
    rows_of = _cosign_rows(unit_id) if group.kind == "cosign" else _page_rows(unit_id, group)

    def fetch(offset: int) -> list[dict]:
        return list(rows_of[offset:offset + size])

    rows = fetch((max(page, 1) - 1) * size)
    if not rows and page > 1:
        first = fetch(0)
        rows = fetch((first[0]["t_total"] - 1) // size * size) if first else []
    return (rows[0]["t_total"] if rows else 0), _tasks(rows, _work_urls())


def all_items(unit_id) -> dict[str, list]:
    """Every item of every group, unpaged (the API's task list): one query for the assignments, each with the
    groups it belongs to, and one for the co-signatures."""
    flags = {f"in_{g.key}": ExpressionWrapper(g.condition, output_field=BooleanField()) for g in _ASSIGNMENT_GROUPS}
    dues = {f"due_{key}": due for key, due in DUE.items()}
    rows = list(_assignments(unit_id).filter(reduce(or_, (g.condition for g in _ASSIGNMENT_GROUPS)))
                .select_related("proposal").annotate(**flags, **dues).order_by("assigned_on", "id"))
    items = {}
    for g in _ASSIGNMENT_GROUPS:
        mine = [a for a in rows if getattr(a, f"in_{g.key}")]
        # The group's own order: its deadline (never-set ones last), then as fetched.
        items[g.key] = sorted(mine, key=lambda a, group=g: _due_key(a, group))
    items["cosign"] = list(_cosignatures(unit_id).select_related("reply__proposal", "reply__assignment")
                           .annotate(due=reply_deadline_expression("reply__"))
                           .order_by("reply__submitted_at", "id"))
    return {g.key: items[g.key] for g in GROUPS}


def _due_key(item, group: Group):
    due = getattr(item, f"due_{group.due}")
    return (due is None, due)
