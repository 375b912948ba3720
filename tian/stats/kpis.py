"""Key figures of proposal work, computed from the proposals, assignments, replies and evaluations in a
scope (a session, a year, a term or a date range). Every figure has one definition here and in
docs/statistics.md; pages, Excel files and the API read these functions.

Counting rules (see docs/statistics.md for the wording shown to users):
- received: proposals submitted in the scope (drafts are not counted);
- registered: given a number; 立案率 = registered / received;
- replied: assigned proposals whose first round of replies is complete: every lead or separate unit handling it
  now has released its first-round reply, or the proposal was sent back for rehandling (which follows a complete
  first round), whichever unit holds a part now: a part given to another unit after its unit released a reply
  keeps that reply; 办复率 = replied / assigned;
- on time: replied proposals whose first-round replies were each released on or before the deadline of the
  assignment that released it (extensions count); 按时办复率 = on time / assigned;
- class shares: outcome classes of released first-round replies;
- contact rate (面商率): replied proposals with a contact record by a replying unit on or before the day its
  first-round reply was released / replied; for a unit, its replies preceded by its own contact record / its replies;
- 满意率: the lead proposer's latest evaluation is 满意 or 基本满意, over proposals evaluated by the lead proposer.

The unit table counts what each unit did (``Part``): a unit taken off a proposal after it released a reply (or, as
an assisting unit, sent its opinion) keeps that work in its figures and owes nothing more; a unit taken off before
that counts nowhere; a unit that took a part over counts its own reply (in rehandling, a second-round reply, timed
by the rehandling deadline).

A scope's figures take a fixed number of queries whatever its size (the scope is a subquery, never a list of
ids), and ``figures`` keeps them until the data changes (``tian.stats.freshness``).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tian.deadlines.status import PROPOSAL_DUE_PREFETCH, reply_deadline_expression
from tian.handling.models import (
    REPLYING_ROLES,
    Assignment,
    AssistingOpinion,
    ContactRecord,
    Evaluation,
    Rating,
    Reply,
    ReplyCoSignature,
    UnitRole,
    latest_lead_evaluations,
)
from tian.organisations.models import Committee, Session, Term
from tian.proposals.models import FIRST_HANDLING, IN_HANDLING, CoSignature, Proposal, State
from tian.proposals.selectors import proposal_years
from tian.stats import freshness

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
    def committee_id(self) -> int | None:
        return self.committee.pk if self.committee else None

    def key(self) -> tuple:
        """What identifies the scope in the cache of figures."""
        return (self.committee.pk, self.session.pk if self.session else None, self.year,
                self.term.pk if self.term else None, str(self.start or ""), str(self.end or ""))

    @property
    def label(self) -> str:
        if self.session is not None:
            return self.session.name
        if self.term is not None:
            return self.term.name
        if self.year is not None:
            return _("year %(year)s") % {"year": self.year}
        return f"{self.start or ''}—{self.end or ''}"


def rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(slots=True)
class Part:
    """One unit's part in one proposal in one role, as the unit table counts it: read from the unit's assignments
    there (one; two when the part came back to it), the one it holds now if it still handles the proposal, and
    those it was taken off after doing its part (a reply released, an opinion sent). An assignment taken off before
    that is no part: the unit did not reply, and owes nothing."""

    proposal: int
    unit: int
    name: str
    role: str
    holding: int | None = None  # the assignment it holds now; None: taken off, after doing its part
    deadline: datetime.date | None = None  # the deadline of the assignment it holds now
    first: tuple | None = None  # its first released reply: (round, release date, outcome, that reply's deadline)
    held: frozenset = frozenset()  # the rounds whose reply the assignment it holds now has released
    opinion: bool = False  # an assisting unit sent its opinion
    contact_on: datetime.date | None = None  # its earliest contact record (办前沟通)
    rounds: frozenset = frozenset()  # the rounds in which it released a reply


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
    key: set[int] = field(default_factory=set)  # key proposals (重点提案)
    lead_members: dict[int, tuple] = field(default_factory=dict)  # proposal → (lead member, name), if a member leads it
    # What the tables group by, fetched with the proposals so that no table needs a query of its own.
    groups: dict[str, dict[int, str | None]] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)  # what the unit table counts, unit by unit
    round_ratings: dict[int, dict[int, str]] = field(default_factory=dict)  # proposal → round → lead rating
    cosign_late: set[tuple] = field(default_factory=set)  # (proposal, unit): a co-signature owed past its reply's deadline
    scope_filter: object = None  # the scope's proposals, as a subquery for further queries

    @cached_property
    def sets(self) -> dict:
        """Proposals by state, by the lead proposer's rating, and those with outcome classes, as sets: a
        summary of a group is then a handful of set intersections."""
        by_state, by_rating = defaultdict(set), defaultdict(set)
        for pk, state in self.state.items():
            by_state[state].add(pk)
        for pk, rating in self.lead_rating.items():
            by_rating[rating].add(pk)
        return {"state": by_state, "rating": by_rating, "classed": set(self.class_by_proposal)}


def gather(scope: Scope) -> Facts:
    """Eight queries whatever the size of the scope: the scope is always a subquery, never a list of ids.

    A part of a proposal may change hands (an approved reassignment, the office's adjustment, a hand-over): the
    assignment taken off stays, ``removed``, with what its unit did, and the unit taking over gets a new one. So the
    replies are read from every assignment, and whether a unit still handles the proposal from its status."""
    in_scope = scope.proposals().values("pk")
    rows = list(scope.proposals().values_list(
        "pk", "state", "number", "rehandling_deadline", "category__name", "lead_member__sector__name",
        "lead_member__party__name", "is_key", "lead_member_id", "lead_member__name"))
    ids = [row[0] for row in rows]
    state = {row[0]: row[1] for row in rows}
    rehandling_deadline = {row[0]: row[3] for row in rows}
    registered = {row[0] for row in rows if row[2] is not None}
    groups = {"category": {row[0]: row[4] for row in rows}, "sector": {row[0]: row[5] for row in rows},
              "party": {row[0]: row[6] for row in rows}}
    lead_members = {row[0]: (row[8], row[9]) for row in rows if row[8] is not None}
    # Every assignment, those taken off included (the status is checked here, as the replies' below).
    assignments = list(Assignment.objects.filter(proposal__in=in_scope)
                       .values_list("pk", "proposal_id", "unit_id", "unit__name", "role", "deadline", "status"))
    active = Assignment.ACTIVE
    assigned = {row[1] for row in assignments if row[6] in active}
    replying = defaultdict(list)  # proposal → the replying assignments active now
    for pk, proposal, _unit, _name, role, _deadline, status in assignments:
        if role in REPLYING_ROLES and status in active:
            replying[proposal].append(pk)
    deadline_of = {row[0]: row[5] for row in assignments}
    released = defaultdict(dict)  # proposal → {assignment: release date} of the released first-round replies
    replies_of = defaultdict(dict)  # assignment → {round: (release date, outcome)} of its released replies
    first_replies = {}  # assignment → release date of its released first-round reply
    zone = timezone.get_current_timezone()  # looked up once: timezone.localdate() per reply is slow
    classes = Counter()
    class_by_proposal = defaultdict(list)
    # The status is checked here, not in SQL: without table statistics PostgreSQL would combine the status
    # index with the proposal index for every proposal of the scope (seconds instead of milliseconds).
    for proposal, assignment, status, released_at, outcome in Reply.objects.filter(
            proposal__in=in_scope, round=1).values_list(
            "proposal_id", "assignment_id", "status", "released_at", "outcome").order_by():
        if status != Reply.Status.RELEASED:
            continue
        on = released_at.astimezone(zone).date() if released_at else None
        released[proposal][assignment] = first_replies[assignment] = on
        replies_of[assignment][1] = (on, outcome)
        if outcome:
            classes[outcome] += 1
            class_by_proposal[proposal].append(outcome)
    rehandled = {pk for pk, s in state.items() if s == State.REHANDLING}
    for proposal, assignment, status, released_at, outcome in Reply.objects.filter(
            proposal__in=in_scope, round=2).values_list(
            "proposal_id", "assignment_id", "status", "released_at", "outcome").order_by():
        rehandled.add(proposal)
        if status == Reply.Status.RELEASED:
            replies_of[assignment][2] = (released_at.astimezone(zone).date() if released_at else None, outcome)
    # Replied (办复): the first round is complete. Each replying part held now has its first-round reply out; or the
    # proposal was sent back for rehandling, which follows a complete first round: a part given to another unit
    # since keeps the first-round reply of the unit taken off (the unit taking over replies in the second round).
    # On time: each first-round reply out by the deadline of the assignment that released it.
    replied, on_time = set(), set()
    for proposal, units in replying.items():
        done = released.get(proposal, {})
        if all(a in done for a in units) or (done and proposal in rehandled):
            replied.add(proposal)
            if all(on is not None and on <= deadline_of[a] for a, on in done.items()):
                on_time.add(proposal)
    lead_rating, round_ratings = {}, defaultdict(dict)
    for proposal, round_, result in Evaluation.objects.filter(proposal__in=in_scope, is_lead=True).order_by(
            "round", "at").values_list("proposal_id", "round", "result"):
        lead_rating[proposal] = round_ratings[proposal][round_] = result  # the latest (of the round) wins
    opinions = set(AssistingOpinion.objects.filter(assignment__proposal__in=in_scope)
                   .values_list("assignment_id", flat=True))
    # Contacted before the reply (办前沟通, 面商率): a contact the replying unit recorded on or before the day its
    # first-round reply was released; one recorded after it is a visit back, not the contact the rate counts.
    contacted, first_contact = set(), {}  # first_contact: assignment → its earliest contact, for the unit table
    for proposal, assignment, contacted_on in ContactRecord.objects.filter(
            assignment__proposal__in=in_scope, assignment__role__in=REPLYING_ROLES).values_list(
            "assignment__proposal_id", "assignment_id", "contacted_on").order_by():
        if assignment in first_replies and (first_replies[assignment] is None
                                            or contacted_on <= first_replies[assignment]):
            contacted.add(proposal)
        if assignment not in first_contact or contacted_on < first_contact[assignment]:
            first_contact[assignment] = contacted_on
    parts = {}
    for pk, proposal, unit, name, role, deadline, status in assignments:
        own = replies_of.get(pk)
        holds = status in active
        if not (holds or own or pk in opinions):
            continue  # taken off before doing its part: no reply, nothing owed
        key = (proposal, unit, role)
        part = parts.get(key)
        if part is None:
            part = parts[key] = Part(proposal, unit, name, role)
        if holds:
            part.holding, part.deadline = pk, deadline
        if pk in opinions:
            part.opinion = True
        if pk in first_contact and (part.contact_on is None or first_contact[pk] < part.contact_on):
            part.contact_on = first_contact[pk]
        if own:
            if holds:
                part.held = frozenset(own)
            part.rounds = part.rounds.union(own)
            for round_, (on, outcome) in own.items():
                if part.first is None or round_ < part.first[0]:
                    part.first = (round_, on, outcome, deadline if round_ == 1 else rehandling_deadline[proposal])
    today = timezone.localdate()
    # Assisting units whose co-signature a reply being co-signed waits for, past that reply's deadline.
    cosign_late = set(ReplyCoSignature.objects.filter(
        reply__proposal__in=in_scope, reply__status=Reply.Status.COSIGNING, signed_at__isnull=True)
        .annotate(due=reply_deadline_expression("reply__")).filter(due__lt=today)
        .values_list("reply__proposal_id", "unit_id"))
    # Overdue now: a replying unit still handling it past its deadline whose reply is not out (deadlines.status.unit_due).
    overdue = {proposal for pk, proposal, _unit, _name, role, deadline, status in assignments
               if role != UnitRole.ASSISTING and status in active and deadline < today and pk not in first_replies
               and state[proposal] in FIRST_HANDLING}
    overdue |= {row[0] for row in rows
                if row[1] == State.REHANDLING and row[3] is not None and row[3] < today}
    return Facts(ids=ids, state=state, registered=registered, assigned=assigned, replied=replied, on_time=on_time,
                 contacted=contacted & replied, rehandled=rehandled, overdue=overdue, lead_rating=lead_rating,
                 classes=classes, class_by_proposal=dict(class_by_proposal), groups=groups,
                 key={row[0] for row in rows if row[7]}, lead_members=lead_members,
                 parts=list(parts.values()), round_ratings=dict(round_ratings), cosign_late=cosign_late,
                 scope_filter=in_scope)


def summary(facts: Facts, subset=None) -> dict:
    """The overall figures, for all proposals of the facts or for a subset of their ids."""
    ids = set(facts.ids) if subset is None else set(subset)
    sets = facts.sets
    received = len(ids)
    registered = len(ids & facts.registered)
    assigned = len(ids & facts.assigned)
    replied = len(ids & facts.replied)
    on_time = len(ids & facts.on_time)
    ratings = {rating: len(ids & rated) for rating, rated in sets["rating"].items()}
    evaluated = sum(ratings.values())
    satisfied = sum(n for rating, n in ratings.items() if rating in SATISFIED)
    classes = Counter()
    for pk in ids & sets["classed"]:
        classes.update(facts.class_by_proposal[pk])
    class_total = sum(classes.values())
    return {
        "received": received,
        "registered": registered, "registered_rate": rate(registered, received),
        "declined": len(ids & sets["state"][State.DECLINED]),
        "merged": len(ids & sets["state"][State.MERGED]),
        "withdrawn": len(ids & sets["state"][State.WITHDRAWN]),
        "assigned": assigned,
        "replied": replied, "replied_rate": rate(replied, assigned),
        "on_time": on_time, "on_time_rate": rate(on_time, assigned),
        "classes": {code: classes[code] for code in sorted(classes)},
        "class_shares": {code: rate(classes[code], class_total) for code in sorted(classes)},
        "contacted": len(ids & facts.contacted), "contact_rate": rate(len(ids & facts.contacted), replied),
        "evaluated": evaluated,
        "satisfied": ratings.get(Rating.SATISFIED, 0),
        "basically_satisfied": ratings.get(Rating.BASICALLY_SATISFIED, 0),
        "dissatisfied": ratings.get(Rating.DISSATISFIED, 0),
        "satisfaction_rate": rate(satisfied, evaluated),
        "rehandled": len(ids & facts.rehandled),
        "overdue": len(ids & facts.overdue),
    }


def _unit_marks(facts: Facts, part: Part, today) -> dict:
    """What a unit's number counts of its part in one proposal (``Part``): whether it replied (its own reply
    released, in whichever round; an assisting unit's opinion sent), on time (its first reply by that reply's
    deadline), contacted the proposer before its first reply (its own contact record), whether the proposal was
    rehandled, whether it is overdue now (only while it still handles the proposal: past its deadline, its part not
    done, the proposal still handled, as ``deadlines.status.unit_due`` says: a reply until released; an assisting
    unit's opinion, then the co-signature a reply waits for, by that reply's deadline), and the lead proposer's
    rating of its reply (the latest of a round it replied in). Read by the unit table and by the list behind each
    of its numbers."""
    proposal = part.proposal
    rehandled = proposal in facts.rehandled
    holds = part.holding is not None
    if part.role == UnitRole.ASSISTING:
        done = part.opinion
        late = holds and ((not done and part.deadline < today)
                          or (done and (proposal, part.unit) in facts.cosign_late))
        return {"assigned": True, "replied": done, "on_time": False, "contacted": False, "rehandled": rehandled,
                "overdue": late and facts.state[proposal] in IN_HANDLING, "evaluated": False, "satisfied": False}
    ratings = facts.round_ratings.get(proposal, {})
    rated = [round_ for round_ in part.rounds if round_ in ratings]
    rating = ratings[max(rated)] if rated else None
    marks = {"assigned": True, "replied": False, "on_time": False, "contacted": False, "rehandled": rehandled,
             "overdue": False, "evaluated": rating is not None, "satisfied": rating in SATISFIED}
    if part.first is not None:
        _round, released_on, _outcome, due = part.first
        # Contacted before its own first reply (a unit that took a part over in rehandling: its second-round reply).
        marks.update(replied=True, on_time=bool(released_on and due and released_on <= due),
                     contacted=part.contact_on is not None and (released_on is None or part.contact_on <= released_on))
    if holds:
        # In rehandling, past the proposal's rehandling deadline (``overdue``), a replying unit owes its second reply;
        # before that, past its own deadline, its first.
        late_again = facts.state[proposal] == State.REHANDLING and proposal in facts.overdue and 2 not in part.held
        first_owed = 1 not in part.held and part.deadline < today and facts.state[proposal] in FIRST_HANDLING
        marks["overdue"] = late_again or first_owed
    return marks


def by_unit(scope: Scope, facts: Facts) -> list[dict]:
    """Per unit and role: assigned, replied (its own reply released), on time, contacted before its reply
    (面商率 = contacted ÷ replied; none for an assisting unit, which does not reply), rehandled, overdue, classes,
    满意率: what the unit did (``Part``), its work kept when its part went to another unit afterwards."""
    today = timezone.localdate()
    rows = defaultdict(lambda: {"assigned": 0, "replied": 0, "on_time": 0, "contacted": 0, "rehandled": 0,
                                "overdue": 0, "classes": Counter(), "evaluated": 0, "satisfied": 0})
    for part in facts.parts:
        row = rows[(part.unit, part.name, part.role)]
        for measure, counted in _unit_marks(facts, part, today).items():
            row[measure] += counted
        if part.first is not None and part.first[2]:
            row["classes"][part.first[2]] += 1
    result = []
    for (unit, name, role), row in rows.items():
        replying = role != UnitRole.ASSISTING
        result.append({
            "unit_id": unit, "unit": name, "role": role, "assigned": row["assigned"], "replied": row["replied"],
            "replied_rate": rate(row["replied"], row["assigned"]), "on_time": row["on_time"],
            "on_time_rate": rate(row["on_time"], row["assigned"]) if replying else None,
            "contacted": row["contacted"], "contact_rate": rate(row["contacted"], row["replied"]) if replying else None,
            "rehandled": row["rehandled"],
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
    return _summaries(facts, groups)


def _summaries(facts: Facts, groups: dict[str, set[int]]) -> list[dict]:
    rows = [{"group": key, **summary(facts, ids)} for key, ids in groups.items()]
    return sorted(rows, key=lambda r: (-r["received"], r["group"]))


def _grouped_by(facts: Facts, dimension: str) -> list[dict]:
    """Like ``grouped``, for the one name per proposal fetched by ``gather`` (none: the group "—")."""
    groups = defaultdict(set)
    for pk, name in facts.groups[dimension].items():
        groups[name or "—"].add(pk)
    return _summaries(facts, groups)


def by_category(facts: Facts) -> list[dict]:
    return _grouped_by(facts, "category")


def by_sector(facts: Facts) -> list[dict]:
    return _grouped_by(facts, "sector")


def by_party(facts: Facts) -> list[dict]:
    return _grouped_by(facts, "party")


def by_member(facts: Facts) -> list[dict]:
    """Members' duty record: proposals led and co-signed (accepted), key proposals led, and the overall figures
    (``summary``, as for a category) of the proposals each member led; one query, for the co-signatures."""
    led, names = defaultdict(set), {}
    for pk, (member, name) in facts.lead_members.items():
        led[member].add(pk)
        names[member] = name
    cosigned = Counter()
    for member, name, count in (CoSignature.objects.filter(proposal__in=facts.scope_filter,
                                                           status=CoSignature.Status.ACCEPTED)
                                .values_list("member_id", "member__name").annotate(n=Count("pk")).order_by()):
        names[member] = name
        cosigned[member] += count
    result = [{"member_id": member, "member": names[member], "led": len(led[member]), "cosigned": cosigned[member],
               "key": len(led[member] & facts.key), **summary(facts, led[member])} for member in names]
    return sorted(result, key=lambda r: (-r["led"], -r["cosigned"], r["member"]))


def key_proposals(scope: Scope, *, within=None) -> list[Proposal]:
    """The scope's key proposals; ``within``: only those among these proposals (a user's scope)."""
    qs = scope.proposals() if within is None else scope.proposals().filter(pk__in=within.values("pk"))
    return list(qs.filter(is_key=True)
                .select_related("lead_member", "collective", "category")
                .prefetch_related(*PROPOSAL_DUE_PREFETCH)
                .order_by("number", "year", "pk"))


def trend(committee: Committee) -> list[dict]:
    """Proposals received and the satisfaction rate year by year, for the trend charts: two aggregate queries
    over the whole committee, with the same definitions as ``summary``."""
    submitted = Proposal.objects.filter(committee=committee, submitted_at__isnull=False)
    received = dict(submitted.values_list("year").annotate(n=Count("pk")).order_by("year"))
    ratings = defaultdict(Counter)
    for year, result, n in (latest_lead_evaluations().filter(proposal__in=submitted.values("pk"))
                            .values_list("proposal__year", "result")
                            .annotate(n=Count("pk")).order_by()):
        ratings[year][result] += n
    rows = []
    for year in sorted(received):
        evaluated = sum(ratings[year].values())
        satisfied = sum(n for result, n in ratings[year].items() if result in SATISFIED)
        rows.append({"year": year, "received": received[year], "evaluated": evaluated,
                     "satisfaction_rate": rate(satisfied, evaluated)})
    return rows


def figures(scope: Scope) -> dict:
    """Every table of the statistics page for a scope, computed once and kept until the data changes
    (see ``tian.stats.freshness``); the page and its Excel downloads read the same numbers."""
    def compute():
        facts = gather(scope)
        return {"overall": summary(facts), "units": by_unit(scope, facts), "categories": by_category(facts),
                "sectors": by_sector(facts), "parties": by_party(facts), "members": by_member(facts)}

    return freshness.cached(("figures", *scope.key()), compute, committee_id=scope.committee_id)


def trend_figures(committee: Committee) -> list[dict]:
    return freshness.cached(("trend",), lambda: trend(committee), committee_id=committee.pk)


def years(committee: Committee) -> list[int]:
    """The years that have proposals, newest first (``proposal_years``), kept with the committee's figures."""
    return freshness.cached(("years",), lambda: proposal_years(committee),
                            committee_id=committee.pk if committee else None)


GROUP_FIELDS = {"category": "category__name", "sector": "lead_member__sector__name", "party": "lead_member__party__name"}


def proposals_behind(scope: Scope, measure: str, *, unit_id=None, role=None, group_by: str | None = None, group=None,
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
    if unit_id:
        # A unit's number counts its own parts (``_unit_marks``), in the role given (the table has a row per role).
        today = timezone.localdate()
        ids = {part.proposal for part in facts.parts if part.unit == unit_id and (role is None or part.role == role)
               and _unit_marks(facts, part, today).get(measure, part.proposal in ids)}
    qs = Proposal.objects.filter(pk__in=ids)
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
    return qs.select_related("lead_member", "collective", "category", "session__term").prefetch_related(
        *PROPOSAL_DUE_PREFETCH)
