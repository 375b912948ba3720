"""The statistics pages stay fast as the data grows: a constant number of queries, figures computed in a few
queries and kept until the data changes. Kept figures must never be stale, and they must equal a
straightforward row-by-row computation of the definitions in docs/statistics.md."""

import datetime
import io
import re
from collections import Counter, defaultdict

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.test_stats import _assigned, _reply, _submitted, at
from tian.accounts.models import User
from tian.demo.synthetic import generate
from tian.handling import services as handling
from tian.handling.models import Assignment, ContactRecord, Evaluation, Rating, Reply, UnitRole
from tian.organisations.models import Committee, Session, Term
from tian.organisations.services import named_save
from tian.proposals.models import CoSignature, Proposal, State
from tian.stats import kpis

TODAY = datetime.date(2026, 11, 28)
SATISFIED = {Rating.SATISFIED, Rating.BASICALLY_SATISFIED}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _pages():
    session = Session.objects.filter(proposals__state=State.HANDLING).order_by("pk").first()
    return {"session": f"/stats/?session={session.pk}", "term": f"/stats/?term={session.term_id}",
            "year": f"/stats/?year={session.year}"}


def _counts(size):
    generate(proposals=size, seed=11, today=TODAY)
    client = Client()
    client.force_login(User.objects.filter(role_grants__role="staff").first())
    for url in _pages().values():
        client.get(url)  # warm the per-process caches that are not the figures' (committee, calendar corrections)
    counts = {}
    for name, url in _pages().items():
        for state in ("cold", "warm"):
            if state == "cold":
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            counts[name, state] = len(queries)
    return counts


@pytest.mark.django_db
def test_statistics_pages_make_few_queries_whatever_the_size_of_the_data():
    measured = []
    for size in (120, 900):
        with transaction.atomic():
            measured.append(_counts(size))
            transaction.set_rollback(True)
    small, large = measured
    assert small == large, f"queries grew with the data (small, large): {small}, {large}"
    assert all(n <= 15 for (_name, state), n in small.items() if state == "warm"), small


# A straightforward computation of the definitions, proposal by proposal (the original implementation).

def _reference(scope: kpis.Scope) -> dict:
    rows = list(scope.proposals().values_list("pk", "state", "number", "rehandling_deadline", "category__name",
                                              "lead_member_id", "lead_member__name", "lead_member__sector__name",
                                              "lead_member__party__name", "is_key"))
    ids = [r[0] for r in rows]
    state = {r[0]: r[1] for r in rows}
    today = timezone.localdate()
    assignments = list(Assignment.objects.filter(proposal_id__in=ids).exclude(status=Assignment.Status.REMOVED)
                       .values_list("pk", "proposal_id", "unit_id", "unit__name", "role", "deadline"))
    replies = {a: (timezone.localdate(r) if r else None, o) for a, r, o in Reply.objects.filter(
        proposal_id__in=ids, round=1, status=Reply.Status.RELEASED).values_list("assignment_id", "released_at",
                                                                                "outcome")}
    reply_of = {a: p for a, p in Reply.objects.filter(proposal_id__in=ids, round=1, status=Reply.Status.RELEASED)
                .values_list("assignment_id", "proposal_id")}
    opinions = set(Assignment.objects.filter(proposal_id__in=ids, opinions__isnull=False).values_list("pk", flat=True))
    cosign_late = set()  # (proposal, unit): a co-signature a reply in co-signing waits for, past the reply's deadline
    for reply in Reply.objects.filter(proposal_id__in=ids, status=Reply.Status.COSIGNING).select_related(
            "proposal", "assignment").prefetch_related("cosignatures"):
        due = reply.proposal.rehandling_deadline if reply.round > 1 else reply.assignment.deadline
        for signature in reply.cosignatures.all():
            if signature.signed_at is None and due is not None and due < today:
                cosign_late.add((reply.proposal_id, signature.unit_id))
    rating = {}
    for proposal, result in Evaluation.objects.filter(proposal_id__in=ids, is_lead=True).order_by(
            "round", "at", "pk").values_list("proposal_id", "result"):
        rating[proposal] = result
    contacted_any = set(ContactRecord.objects.filter(
        assignment__proposal_id__in=ids, assignment__role__in=[UnitRole.LEAD, UnitRole.SEPARATE])
        .values_list("assignment__proposal_id", flat=True))
    # a replying unit's contact on or before the day its own first reply was released
    contacted_before = {a for a, on in ContactRecord.objects.filter(
        assignment__proposal_id__in=ids, assignment__role__in=[UnitRole.LEAD, UnitRole.SEPARATE])
        .values_list("assignment_id", "contacted_on") if a in replies and on <= replies[a][0]}
    round_two = set(Reply.objects.filter(proposal_id__in=ids, round=2).values_list("proposal_id", flat=True))
    classes_of = defaultdict(list)
    for assignment, (_on, outcome) in replies.items():
        if outcome:
            classes_of[reply_of[assignment]].append(outcome)

    def facts_of(pk):
        mine = [a for a in assignments if a[1] == pk]
        replying = [a for a in mine if a[4] in (UnitRole.LEAD, UnitRole.SEPARATE)]
        replied = bool(replying) and all(a[0] in replies for a in replying)
        on_time = replied and all(replies[a[0]][0] is not None and replies[a[0]][0] <= a[5] for a in replying)
        # a replying unit past its deadline whose reply is not out
        overdue = any(a[4] != UnitRole.ASSISTING and a[5] < today and a[0] not in replies for a in mine) and state[
            pk] in (State.ASSIGNED, State.HANDLING)
        row = next(r for r in rows if r[0] == pk)
        overdue = overdue or (state[pk] == State.REHANDLING and row[3] is not None and row[3] < today)
        return {"assigned": bool(mine), "replied": replied, "on_time": on_time, "overdue": overdue,
                "contacted": replied and pk in contacted_any,
                "rehandled": pk in round_two or state[pk] == State.REHANDLING}

    facts = {pk: facts_of(pk) for pk in ids}

    def summary(subset):
        n = {key: sum(1 for pk in subset if facts[pk][key]) for key in
             ("assigned", "replied", "on_time", "overdue", "contacted", "rehandled")}
        registered = sum(1 for r in rows if r[0] in subset and r[2] is not None)
        ratings = Counter(rating[pk] for pk in subset if pk in rating)
        evaluated = sum(ratings.values())
        classes = Counter(c for pk in subset for c in classes_of.get(pk, []))
        total = sum(classes.values())
        states = Counter(state[pk] for pk in subset)
        return {
            "received": len(subset), "registered": registered, "registered_rate": kpis.rate(registered, len(subset)),
            "declined": states[State.DECLINED], "merged": states[State.MERGED], "withdrawn": states[State.WITHDRAWN],
            "assigned": n["assigned"], "replied": n["replied"], "replied_rate": kpis.rate(n["replied"], n["assigned"]),
            "on_time": n["on_time"], "on_time_rate": kpis.rate(n["on_time"], n["assigned"]),
            "classes": dict(sorted(classes.items())),
            "class_shares": {c: kpis.rate(k, total) for c, k in sorted(classes.items())},
            "contacted": n["contacted"], "contact_rate": kpis.rate(n["contacted"], n["replied"]),
            "evaluated": evaluated, "satisfied": ratings[Rating.SATISFIED],
            "basically_satisfied": ratings[Rating.BASICALLY_SATISFIED], "dissatisfied": ratings[Rating.DISSATISFIED],
            "satisfaction_rate": kpis.rate(sum(k for r, k in ratings.items() if r in SATISFIED), evaluated),
            "rehandled": n["rehandled"], "overdue": n["overdue"]}

    def grouped(column):
        groups = defaultdict(set)
        for r in rows:
            groups[r[column] or "—"].add(r[0])
        return sorted(({"group": g, **summary(s)} for g, s in groups.items()), key=lambda r: (-r["received"], r["group"]))

    units = defaultdict(Counter)
    unit_classes = defaultdict(Counter)
    for pk, proposal, unit, name, role, deadline in assignments:
        row = units[unit, name, role]
        row["assigned"] += 1
        row["rehandled"] += facts[proposal]["rehandled"]
        if role == UnitRole.ASSISTING:
            row["replied"] += pk in opinions
            late = (pk not in opinions and deadline < today) or (pk in opinions and (proposal, unit) in cosign_late)
            row["overdue"] += late and state[proposal] in (State.ASSIGNED, State.HANDLING, State.REHANDLING)
            continue
        if pk in replies:
            row["replied"] += 1
            row["on_time"] += bool(replies[pk][0] and replies[pk][0] <= deadline)
            row["contacted"] += pk in contacted_before
            if replies[pk][1]:
                unit_classes[unit, name, role][replies[pk][1]] += 1
        elif deadline < today and state[proposal] in (State.ASSIGNED, State.HANDLING):
            row["overdue"] += 1
        if rating.get(proposal):
            row["evaluated"] += 1
            row["satisfied"] += rating[proposal] in SATISFIED
    by_unit = sorted(({"unit_id": u, "unit": name, "role": role, "assigned": r["assigned"], "replied": r["replied"],
                       "replied_rate": kpis.rate(r["replied"], r["assigned"]), "on_time": r["on_time"],
                       "on_time_rate": kpis.rate(r["on_time"], r["assigned"]) if role != UnitRole.ASSISTING else None,
                       "contacted": r["contacted"],
                       "contact_rate": kpis.rate(r["contacted"], r["replied"]) if role != UnitRole.ASSISTING else None,
                       "rehandled": r["rehandled"],
                       "overdue": r["overdue"], "classes": dict(sorted(unit_classes[u, name, role].items())),
                       "evaluated": r["evaluated"], "satisfaction_rate": kpis.rate(r["satisfied"], r["evaluated"])}
                      for (u, name, role), r in units.items()),
                     key=lambda r: (r["role"] != UnitRole.LEAD, -r["assigned"], r["unit"]))
    members = defaultdict(Counter)
    names, led = {}, defaultdict(set)
    for r in rows:
        if r[5] is not None:
            names[r[5]] = r[6]
            led[r[5]].add(r[0])
            members[r[5]].update(led=1, key=int(r[9]))
    for member, name in CoSignature.objects.filter(proposal_id__in=ids, status=CoSignature.Status.ACCEPTED) \
            .values_list("member_id", "member__name"):
        names[member] = name
        members[member]["cosigned"] += 1
    by_member = sorted(({"member_id": m, "member": names[m], "led": c["led"], "cosigned": c["cosigned"],
                         "key": c["key"], **summary(led[m])} for m, c in members.items()),
                       key=lambda r: (-r["led"], -r["cosigned"], r["member"]))
    return {"overall": summary(set(ids)), "units": by_unit, "categories": grouped(4), "sectors": grouped(7),
            "parties": grouped(8), "members": by_member}


@pytest.mark.django_db
def test_figures_equal_a_straightforward_computation():
    generate(proposals=400, seed=5, today=TODAY)
    committee = Committee.objects.get()
    session = Session.objects.filter(proposals__state=State.HANDLING).first()
    for scope in (kpis.Scope(committee, session=session), kpis.Scope(committee, term=Term.objects.first()),
                  kpis.Scope(committee, year=session.year),
                  kpis.Scope(committee, start=datetime.date(session.year, 1, 10), end=datetime.date(session.year, 6, 30))):
        assert kpis.figures(scope) == _reference(scope), scope.label
        assert kpis.figures(scope) == _reference(scope), "kept figures differ from fresh ones"


@pytest.mark.django_db
def test_trend_equals_the_summary_of_each_year():
    generate(proposals=300, seed=6, today=TODAY)
    committee = Committee.objects.get()
    for row in kpis.trend(committee):
        figures = kpis.summary(kpis.gather(kpis.Scope(committee, year=row["year"])))
        assert (row["received"], row["evaluated"], row["satisfaction_rate"]) == (
            figures["received"], figures["evaluated"], figures["satisfaction_rate"])


def _overview(client, query="year=2023"):
    """The overview's Excel row: received, registered, …, replied is the seventh column."""
    response = client.get(reverse("stats:download", args=["overview"]) + "?" + query)
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[2]


def _received_on_page(client, query):
    page = client.get(reverse("stats:index") + "?" + query).content.decode()
    return int(re.search(r'<span class="stat__number">(\d+)</span>', page).group(1))


@pytest.mark.django_db(transaction=True)  # each change commits, as on a server
def test_a_released_reply_shows_at_once_on_the_page_and_in_the_download(world, client_for):
    staff = client_for(world.staff)
    proposal, assignment = _assigned(world, "提案一", "区民政局")
    before = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    assert kpis.figures(kpis.Scope(world.committee, year=2023))["overall"]["replied"] == 0
    assert _overview(staff)[6] == 0
    _reply(world, assignment, "A", at(6, 1))
    after = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    assert before != after
    figures = kpis.figures(kpis.Scope(world.committee, year=2023))["overall"]
    assert (figures["replied"], figures["on_time"], figures["classes"]) == (1, 1, {"A": 1})
    assert _overview(staff)[6] == 1
    handling.evaluation_submit(proposal=Proposal.objects.get(pk=proposal.pk), by=world.member, result="satisfied",
                               at=at(6, 10))
    assert kpis.figures(kpis.Scope(world.committee, year=2023))["overall"]["satisfaction_rate"] == 100.0


@pytest.mark.django_db(transaction=True)  # each change commits, as on a server
def test_a_new_submission_shows_in_the_received_count(world):
    scope = kpis.Scope(world.committee, year=2023)
    _submitted(world, "提案一")
    assert kpis.figures(scope)["overall"]["received"] == 1
    _submitted(world, "提案二")
    assert kpis.figures(scope)["overall"]["received"] == 2


def test_overdue_now_follows_the_date(world, monkeypatch):
    scope = kpis.Scope(world.committee, year=2023)
    _assigned(world, "提案一", "区司法局")  # deadline 2023-06-16, never replied
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2023, 6, 10))
    assert kpis.figures(scope)["overall"]["overdue"] == 0
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2023, 6, 20))
    assert kpis.figures(scope)["overall"]["overdue"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_renamed_unit_shows_its_new_name(world, client_for):
    _assigned(world, "提案一", "区民政局")
    scope = kpis.Scope(world.committee, year=2023)
    assert [u["unit"] for u in kpis.figures(scope)["units"]] == ["区民政局"]
    unit = world.units["区民政局"]
    unit.name = "区民政和社会事务局"
    named_save(unit)  # as the management pages save it
    assert [u["unit"] for u in kpis.figures(scope)["units"]] == ["区民政和社会事务局"]
    page = client_for(world.staff).get(reverse("stats:index") + "?year=2023").content.decode()
    assert "区民政和社会事务局" in page


@pytest.mark.django_db(transaction=True)  # each change commits, as on a server
def test_the_page_is_kept_per_scope(world, client_for):
    staff = client_for(world.staff)
    _submitted(world, "提案一")
    assert (_received_on_page(staff, "year=2023"), _received_on_page(staff, f"session={world.session.pk}"),
            _received_on_page(staff, f"session={world.current_session.pk}")) == (1, 1, 0)
    _submitted(world, "提案二")
    assert (_received_on_page(staff, "year=2023"), _received_on_page(staff, f"term={world.term.pk}")) == (2, 2)


@pytest.mark.django_db(transaction=True)  # each change commits, as on a server
def test_after_a_change_the_scopes_looked_at_are_computed_before_the_next_viewer_asks(world, client_for):
    staff = client_for(world.staff)
    _submitted(world, "提案一")
    assert _received_on_page(staff, "year=2023") == 1
    with CaptureQueriesContext(connection) as kept:
        _received_on_page(staff, "year=2023")
    # A submission: the task that follows its event (run at once in tests) computes the looked-at scope again.
    _submitted(world, "提案二")
    with CaptureQueriesContext(connection) as after_change:
        assert _received_on_page(staff, "year=2023") == 2
    # What is read again is the filter form's choices and the viewer's key proposals, not the figures.
    assert len(after_change) <= len(kept) + 3
    # A scope nobody looked at is computed by the request that first asks for it, as before.
    with CaptureQueriesContext(connection) as first_look:
        assert _received_on_page(staff, f"term={world.term.pk}") == 2
    assert len(first_look) > len(after_change) + 5, (len(first_look), len(after_change))
    with CaptureQueriesContext(connection) as kept_term:
        _received_on_page(staff, f"term={world.term.pk}")
    _submitted(world, "提案三")
    with CaptureQueriesContext(connection) as looked_at_since:
        assert _received_on_page(staff, f"term={world.term.pk}") == 3
    assert len(looked_at_since) <= len(kept_term) + 3 < len(first_look)
