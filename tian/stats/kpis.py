"""Key figures of proposal work, computed from the proposals, assignments, replies and evaluations in a
scope (a session, a year, a term or a date range). Every figure has one definition here and in
docs/statistics.md; pages, Excel files and the API read these functions.

Counting rules (see docs/statistics.md for the wording shown to users):
- received: proposals submitted in the scope (drafts are not counted);
- registered: given a number; 立案率 = registered / received;
- replied: registered proposals whose every replying unit's first reply has been released; 办复率 = replied /
  assigned;
- on time: replied proposals whose last first-round reply was released on or before that unit's deadline
  (extensions count); 按时办复率 = on time / assigned;
- class shares: outcome classes of released first-round replies;
- contact rate (面商率): replied proposals with a contact record by a replying unit / replied;
- 满意率: the lead proposer's latest evaluation is 满意 or 基本满意, over proposals evaluated by the lead proposer.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from tian.handling.models import Assignment, ContactRecord, Evaluation, Rating, Reply, UnitRole
from tian.organisations.models import Committee, Session, Term
from tian.proposals.models import CoSignature, Proposal, State

SATISFIED = {Rating.SATISFIED, Rating.BASICALLY_SATISFIED}


@dataclass(frozen=True)
class Scope:
    """Which proposals count: by session, year, term or submission date range."""

    committee: Committee
    session: Session | None = None
    year: int | None = None
    term: Term | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None

    def proposals(self):
        qs = Proposal.objects.filter(committee=self.committee, submitted_at__isnull=False)
        if self.session is not None:
            qs = qs.filter(session=self.session)
        if self.year is not None:
            qs = qs.filter(year=self.year)
        if self.term is not None:
            qs = qs.filter(session__term=self.term)
        if self.start is not None:
            qs = qs.filter(submitted_at__date__gte=self.start)
        if self.end is not None:
            qs = qs.filter(submitted_at__date__lte=self.end)
        return qs

    @property
    def label(self) -> str:
        if self.session is not None:
            return self.session.name
        if self.term is not None:
            return self.term.name
        if self.year is not None:
            return f"{self.year}年度"
        return f"{self.start or ''}—{self.end or ''}"


def rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Facts:
    """Per-proposal facts gathered once for a scope; every table is a grouping of these."""

    ids: list[int]
    state: dict[int, str]
    registered: set[int]
    assigned: set[int]
    replied: set[int]
    on_time: set[int]
    contacted: set[int]
    rehandled: set[int]
    overdue: set[int]
    lead_rating: dict[int, str]
    classes: Counter
    class_by_proposal: dict[int, list[str]] = field(default_factory=dict)


def gather(scope: Scope) -> Facts:
    rows = list(scope.proposals().values_list("pk", "state", "number"))
    ids = [pk for pk, _s, _n in rows]
    state = {pk: s for pk, s, _n in rows}
    registered = {pk for pk, _s, n in rows if n is not None}
    assignments = list(Assignment.objects.filter(proposal_id__in=ids).exclude(status=Assignment.Status.REMOVED)
                       .values_list("pk", "proposal_id", "role", "deadline"))
    assigned = {proposal for _pk, proposal, _r, _d in assignments}
    replying = defaultdict(dict)  # proposal → {assignment: deadline}
    for pk, proposal, role, deadline in assignments:
        if role in (UnitRole.LEAD, UnitRole.SEPARATE):
            replying[proposal][pk] = deadline
    released = defaultdict(dict)  # proposal → {assignment: release date}
    classes = Counter()
    class_by_proposal = defaultdict(list)
    for proposal, assignment, released_at, outcome in Reply.objects.filter(
            proposal_id__in=ids, round=1, status=Reply.Status.RELEASED).values_list(
            "proposal_id", "assignment_id", "released_at", "outcome"):
        released[proposal][assignment] = timezone.localdate(released_at) if released_at else None
        if outcome:
            classes[outcome] += 1
            class_by_proposal[proposal].append(outcome)
    replied, on_time = set(), set()
    for proposal, units in replying.items():
        done = released.get(proposal, {})
        if units and all(a in done for a in units):
            replied.add(proposal)
            if all(done[a] is not None and done[a] <= deadline for a, deadline in units.items()):
                on_time.add(proposal)
    contacted = set(ContactRecord.objects.filter(
        assignment__proposal_id__in=ids, assignment__role__in=[UnitRole.LEAD, UnitRole.SEPARATE])
        .values_list("assignment__proposal_id", flat=True))
    rehandled = set(Reply.objects.filter(proposal_id__in=ids, round=2).values_list("proposal_id", flat=True))
    rehandled |= {pk for pk, s in state.items() if s == State.REHANDLING}
    lead_rating = {}
    for proposal, result in Evaluation.objects.filter(proposal_id__in=ids, is_lead=True).order_by(
            "round", "at").values_list("proposal_id", "result"):
        lead_rating[proposal] = result  # the latest round wins
    today = timezone.localdate()
    overdue = {proposal for _pk, proposal, role, deadline in assignments
               if role != UnitRole.ASSISTING and deadline < today
               and state[proposal] in (State.ASSIGNED, State.HANDLING)}
    overdue |= set(Proposal.objects.filter(pk__in=ids, state=State.REHANDLING, rehandling_deadline__lt=today)
                   .values_list("pk", flat=True))
    return Facts(ids=ids, state=state, registered=registered, assigned=assigned, replied=replied, on_time=on_time,
                 contacted=contacted & replied, rehandled=rehandled, overdue=overdue, lead_rating=lead_rating,
                 classes=classes, class_by_proposal=dict(class_by_proposal))


def summary(facts: Facts, subset=None) -> dict:
    """The overall figures, for all proposals of the facts or for a subset of their ids."""
    ids = set(facts.ids) if subset is None else set(subset)
    received = len(ids)
    registered = len(ids & facts.registered)
    assigned = len(ids & facts.assigned)
    replied = len(ids & facts.replied)
    on_time = len(ids & facts.on_time)
    evaluated = {pk: r for pk, r in facts.lead_rating.items() if pk in ids}
    satisfied = sum(1 for r in evaluated.values() if r in SATISFIED)
    classes = Counter()
    for pk in ids:
        classes.update(facts.class_by_proposal.get(pk, []))
    class_total = sum(classes.values())
    return {
        "received": received,
        "registered": registered, "registered_rate": rate(registered, received),
        "declined": sum(1 for pk in ids if facts.state[pk] == State.DECLINED),
        "merged": sum(1 for pk in ids if facts.state[pk] == State.MERGED),
        "withdrawn": sum(1 for pk in ids if facts.state[pk] == State.WITHDRAWN),
        "assigned": assigned,
        "replied": replied, "replied_rate": rate(replied, assigned),
        "on_time": on_time, "on_time_rate": rate(on_time, assigned),
        "classes": {code: classes[code] for code in sorted(classes)},
        "class_shares": {code: rate(classes[code], class_total) for code in sorted(classes)},
        "contacted": len(ids & facts.contacted), "contact_rate": rate(len(ids & facts.contacted), replied),
        "evaluated": len(evaluated),
        "satisfied": sum(1 for r in evaluated.values() if r == Rating.SATISFIED),
        "basically_satisfied": sum(1 for r in evaluated.values() if r == Rating.BASICALLY_SATISFIED),
        "dissatisfied": sum(1 for r in evaluated.values() if r == Rating.DISSATISFIED),
        "satisfaction_rate": rate(satisfied, len(evaluated)),
        "rehandled": len(ids & facts.rehandled),
        "overdue": len(ids & facts.overdue),
    }


def by_unit(scope: Scope, facts: Facts) -> list[dict]:
    """Per unit and role: assigned, replied (its own first reply released), on time, overdue, classes, 满意率."""
    today = timezone.localdate()
    rows = defaultdict(lambda: {"assigned": 0, "replied": 0, "on_time": 0, "overdue": 0, "classes": Counter(),
                                "evaluated": 0, "satisfied": 0, "ids": set()})
    replies = {a: (r, o) for a, r, o in Reply.objects.filter(proposal_id__in=facts.ids, round=1,
                                                             status=Reply.Status.RELEASED)
               .values_list("assignment_id", "released_at", "outcome")}
    opinions = set(Assignment.objects.filter(proposal_id__in=facts.ids, opinions__isnull=False)
                   .values_list("pk", flat=True))
    for pk, proposal, unit, unit_name, role, deadline in (
            Assignment.objects.filter(proposal_id__in=facts.ids).exclude(status=Assignment.Status.REMOVED)
            .values_list("pk", "proposal_id", "unit_id", "unit__name", "role", "deadline")):
        row = rows[(unit, unit_name, role)]
        row["assigned"] += 1
        row["ids"].add(proposal)
        if role == UnitRole.ASSISTING:
            done = pk in opinions
            row["replied"] += done
            if not done and deadline < today:
                row["overdue"] += 1
            continue
        if pk in replies:
            released_at, outcome = replies[pk]
            row["replied"] += 1
            if released_at and timezone.localdate(released_at) <= deadline:
                row["on_time"] += 1
            if outcome:
                row["classes"][outcome] += 1
        elif deadline < today and facts.state[proposal] in (State.ASSIGNED, State.HANDLING):
            row["overdue"] += 1
        rating = facts.lead_rating.get(proposal)
        if rating:
            row["evaluated"] += 1
            row["satisfied"] += rating in SATISFIED
    result = []
    for (unit, name, role), row in rows.items():
        result.append({
            "unit_id": unit, "unit": name, "role": role, "assigned": row["assigned"], "replied": row["replied"],
            "replied_rate": rate(row["replied"], row["assigned"]), "on_time": row["on_time"],
            "on_time_rate": rate(row["on_time"], row["assigned"]) if role != UnitRole.ASSISTING else None,
            "overdue": row["overdue"], "classes": dict(sorted(row["classes"].items())),
            "evaluated": row["evaluated"], "satisfaction_rate": rate(row["satisfied"], row["evaluated"]),
        })
    return sorted(result, key=lambda r: (r["role"] != UnitRole.LEAD, -r["assigned"], r["unit"]))


def grouped(facts: Facts, keys: dict[int, list[str]]) -> list[dict]:
    """Summaries per group, where ``keys`` maps each proposal to the groups it belongs to."""
    groups = defaultdict(set)
    for pk in facts.ids:
        for key in keys.get(pk, []) or ["—"]:
            groups[key].add(pk)
    rows = [{"group": key, **summary(facts, ids)} for key, ids in groups.items()]
    return sorted(rows, key=lambda r: (-r["received"], r["group"]))


def by_category(facts: Facts) -> list[dict]:
    names = dict(Proposal.objects.filter(pk__in=facts.ids).values_list("pk", "category__name"))
    return grouped(facts, {pk: [name] if name else [] for pk, name in names.items()})


def by_sector(facts: Facts) -> list[dict]:
    names = dict(Proposal.objects.filter(pk__in=facts.ids).values_list("pk", "lead_member__sector__name"))
    return grouped(facts, {pk: [name] if name else [] for pk, name in names.items()})


def by_party(facts: Facts) -> list[dict]:
    names = dict(Proposal.objects.filter(pk__in=facts.ids).values_list("pk", "lead_member__party__name"))
    return grouped(facts, {pk: [name] if name else [] for pk, name in names.items()})


def by_member(facts: Facts) -> list[dict]:
    """Members' duty record: proposals led, co-signed, registered (led), key (led)."""
    led = list(Proposal.objects.filter(pk__in=facts.ids, lead_member__isnull=False)
               .values_list("lead_member_id", "lead_member__name", "number", "is_key"))
    rows = defaultdict(lambda: {"led": 0, "cosigned": 0, "registered": 0, "key": 0})
    names = {}
    for member, name, number, key in led:
        names[member] = name
        rows[member]["led"] += 1
        rows[member]["registered"] += number is not None
        rows[member]["key"] += key
    for member, name in CoSignature.objects.filter(proposal_id__in=facts.ids, status=CoSignature.Status.ACCEPTED) \
            .values_list("member_id", "member__name"):
        names[member] = name
        rows[member]["cosigned"] += 1
    result = [{"member_id": m, "member": names[m], **row} for m, row in rows.items()]
    return sorted(result, key=lambda r: (-r["led"], -r["cosigned"], r["member"]))


def key_proposals(facts: Facts) -> list[Proposal]:
    return list(Proposal.objects.filter(pk__in=facts.ids, is_key=True).select_related("lead_member", "collective", "category")
                .prefetch_related("assignments")
                .order_by("number"))


def trend(committee: Committee) -> list[dict]:
    """The main rates year by year, for the trend chart."""
    years = (Proposal.objects.filter(committee=committee, submitted_at__isnull=False).values_list("year", flat=True)
             .distinct().order_by("year"))
    return [{"year": y, **summary(gather(Scope(committee, year=y)))} for y in years]


GROUP_FIELDS = {"category": "category__name", "sector": "lead_member__sector__name", "party": "lead_member__party__name"}


def proposals_behind(scope: Scope, measure: str, *, unit_id=None, group_by: str | None = None, group=None,
                     member_id=None):
    """The proposals a number counts, so that every number on the page links to its list."""
    facts = gather(scope)
    sets = {"received": set(facts.ids), "registered": facts.registered, "assigned": facts.assigned,
            "replied": facts.replied, "on_time": facts.on_time, "contacted": facts.contacted,
            "rehandled": facts.rehandled, "overdue": facts.overdue,
            "evaluated": set(facts.lead_rating),
            "satisfied": {pk for pk, r in facts.lead_rating.items() if r in SATISFIED},
            "declined": {pk for pk, s in facts.state.items() if s == State.DECLINED},
            "merged": {pk for pk, s in facts.state.items() if s == State.MERGED}}
    sets["key"] = set(facts.ids)
    sets["cosigned"] = set(facts.ids)
    ids = sets.get(measure, set(facts.ids))
    qs = Proposal.objects.filter(pk__in=ids)
    if unit_id:
        qs = qs.filter(assignments__unit_id=unit_id).distinct()
    if member_id:
        if measure == "cosigned":
            qs = Proposal.objects.filter(pk__in=facts.ids, cosignatures__member_id=member_id,
                                         cosignatures__status=CoSignature.Status.ACCEPTED)
        else:
            qs = qs.filter(lead_member_id=member_id)
        if measure == "key":
            qs = qs.filter(is_key=True)
    if group_by in GROUP_FIELDS and group is not None:
        field = GROUP_FIELDS[group_by]
        qs = qs.filter(**{f"{field}__isnull": True}) if group == "—" else qs.filter(**{field: group})
    return qs.select_related("lead_member", "collective", "category", "session__term").prefetch_related("assignments")
