"""Figures computed once for every server process: kept in the shared cache by the process whose lock succeeded,
read by the others, the previous figures shown (with their time) while a new version is being computed; and the
counting in SQL agrees with the list behind each number."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.test_stats import _submitted
from tests.test_stats_performance import TODAY
from tian.demo.synthetic import generate
from tian.organisations.models import Committee, Session
from tian.proposals.models import State
from tian.stats import freshness, kpis, warming


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _fails():
    raise AssertionError("computed again")


def _computing_elsewhere(key, committee_id):
    """Another process holds the lock of ``key``'s current version: it is computing it."""
    cache.add(f"stats:{freshness._digest((committee_id, key, freshness.stamp(committee_id)))}:lock", 1)


def _submitted_elsewhere(world, title, capture):
    """A proposal submitted and committed (the committee's version moves after the commit)."""
    with capture(execute=True):
        _submitted(world, title)


def test_figures_computed_by_one_process_are_read_by_the_others(db):
    assert freshness.cached(("test", 1), lambda: {"n": 1}, committee_id=1) == {"n": 1}
    assert freshness.cached(("test", 1), _fails, committee_id=1) == {"n": 1}  # the shared cache: computed once


def test_scopes_never_share_figures(db):
    assert freshness.cached(("test", 1), lambda: {"n": 1}, committee_id=1) == {"n": 1}
    assert freshness.cached(("test", 2), lambda: {"n": 2}, committee_id=1) == {"n": 2}
    assert freshness.cached(("test", 1), lambda: {"n": 3}, committee_id=2) == {"n": 3}


def test_while_another_process_computes_the_page_shows_the_previous_figures(world,
                                                                           django_capture_on_commit_callbacks):
    committee_id = world.committee.pk
    freshness.cached(("test", 1), lambda: {"n": 1}, committee_id=committee_id)
    _submitted_elsewhere(world, "提案一", django_capture_on_commit_callbacks)  # a new data version
    _computing_elsewhere(("test", 1), committee_id)
    shown = freshness.kept(("test", 1), _fails, committee_id=committee_id, previous_ok=True)
    assert (shown.value, shown.current) == ({"n": 1}, False)


def test_without_previous_figures_nobody_computes_them_twice_nor_waits(world):
    """A scope's figures are computed once, by the process holding the lock (issue #20: "computed once per scope
    under a cache.add lock"): another asking meanwhile, with no earlier figures to show, is told they are being
    computed, at once, and leaves the holder's lock alone."""
    committee_id = world.committee.pk
    _computing_elsewhere(("test", 1), committee_id)
    assert freshness.kept(("test", 1), _fails, committee_id=committee_id, previous_ok=True).being_computed
    with pytest.raises(freshness.BeingComputed):
        freshness.cached(("test", 1), _fails, committee_id=committee_id)
    with pytest.raises(freshness.BeingComputed):  # the lock is still the holder's
        freshness.cached(("test", 1), _fails, committee_id=committee_id)
    assert freshness.kept(("test", 2), lambda: {"n": 3}, committee_id=committee_id).value == {"n": 3}


def test_the_page_and_the_downloads_say_the_figures_are_being_computed(world, client_for, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    """The first figures of a scope, computed by another process right now: the page says so and loads itself
    again shortly; a download is asked for again (503, Retry-After); the figures are not computed a second time."""
    _submitted_elsewhere(world, "提案一", django_capture_on_commit_callbacks)  # a proposal of 2023: a valid scope
    monkeypatch.setattr(kpis, "gather", lambda scope: _fails())
    scope = kpis.Scope(world.committee, year=2023)
    _computing_elsewhere(("figures", *scope.key()), world.committee.pk)
    staff = client_for(world.staff)
    for language in ("zh-hans", "en"):
        _computing_elsewhere(("page", *scope.key(), "year=2023", language), world.committee.pk)
    page = staff.get(reverse("stats:index") + "?year=2023")
    assert page.status_code == 503 and page["Retry-After"] == "3"
    text = page.content.decode()
    assert "统计数据正在计算" in text and 'hx-trigger="every 3s"' in text and "?year=2023" in text
    download = staff.get(reverse("stats:download", args=["units"]) + "?year=2023")
    assert download.status_code == 503 and "统计数据正在计算" in download.content.decode()


def test_a_failed_computation_gives_its_lock_back(db):
    with pytest.raises(ZeroDivisionError):
        freshness.cached(("test", 1), lambda: 1 / 0, committee_id=1)
    assert freshness.cached(("test", 1), lambda: {"n": 1}, committee_id=1) == {"n": 1}


def test_the_page_says_when_it_shows_previous_figures(world, client_for, django_capture_on_commit_callbacks,
                                                      monkeypatch):
    # The task worker has not got to the change yet: it computes the looked-at scopes only later (stats/warming.py).
    monkeypatch.setattr(warming, "viewed_scopes", lambda committee_id: [])
    staff = client_for(world.staff)
    _submitted_elsewhere(world, "提案一", django_capture_on_commit_callbacks)
    staff.get(reverse("stats:index") + "?year=2023")
    _submitted_elsewhere(world, "提案二", django_capture_on_commit_callbacks)
    scope = kpis.Scope(world.committee, year=2023)
    for language in ("zh-hans", "en"):  # another process is computing the page of the new version
        _computing_elsewhere(("page", *scope.key(), "year=2023", language), world.committee.pk)
    page = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    assert "正在计算" in page or "being computed" in page
    assert '<span class="stat__number">1</span>' in page  # the previous figures: one proposal received
    cache.clear()  # the other process finished (its lock gone) and nothing of the new version is kept yet
    page = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    assert "正在计算" not in page and "being computed" not in page and '<span class="stat__number">2</span>' in page


@pytest.mark.django_db
def test_every_number_counts_the_proposals_listed_behind_it():
    generate(proposals=300, seed=7, today=TODAY)
    committee = Committee.objects.get()
    session = Session.objects.filter(proposals__state=State.HANDLING).first()
    for scope in (kpis.Scope(committee, session=session), kpis.Scope(committee, term=session.term)):
        overall = kpis.summary(kpis.gather(scope))
        for measure in ("received", "registered", "declined", "merged", "assigned", "replied", "on_time",
                        "contacted", "evaluated", "rehandled", "overdue"):
            assert kpis.proposals_behind(scope, measure).count() == overall[measure], (scope.label, measure)
        satisfied = overall["satisfied"] + overall["basically_satisfied"]
        assert kpis.proposals_behind(scope, "satisfied").count() == satisfied


def test_a_burst_of_changes_has_the_worker_compute_the_looked_at_figures_once_after_it(world, settings):
    """On the database queue the worker's computation starts WARM_DELAY seconds after the change that queued it,
    and the changes meanwhile queue nothing more: a steady stream of submissions is not followed by the figures
    computed back to back. The computation, when it runs, computes every scope looked at."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    computations = DBTaskResult.objects.filter(task_path="tian.stats.warming.compute_viewed")
    first = _submitted(world, "提案一")
    assert computations.count() == 0  # nobody looked at the statistics: nothing to compute ahead
    warming.viewed(world.committee.pk, "year=2023", "zh-hans")
    before = timezone.now()
    for proposal_id in (first.pk, _submitted(world, "提案二").pk, _submitted(world, "提案三").pk):
        warming.after_event(0, proposal_id)
    (queued,) = computations.all()
    assert queued.run_after >= before + timedelta(seconds=warming.WARM_DELAY)
    assert warming.compute_viewed.call(world.committee.pk) == 1  # the one scope, when the worker gets to it
    warming.after_event(0, first.pk)  # a change after the computation started queues the next one
    assert computations.count() == 2
