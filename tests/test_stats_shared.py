"""Figures computed once for every server process: stored in the database by the process that claimed them,
read by the others, the previous figures shown (with their time) while a new version is being computed; and the
counting in SQL agrees with the list behind each number."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.test_stats import _submitted
from tests.test_stats_performance import TODAY
from tian.demo.synthetic import generate
from tian.organisations.models import Committee, Session
from tian.proposals.models import State
from tian.stats import freshness, kpis
from tian.stats.models import KeptFigures


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _fails():
    raise AssertionError("computed again")


def test_figures_computed_by_one_process_are_read_by_the_others(db):
    assert freshness.cached(("test", 1), lambda: {"n": 1}) == {"n": 1}
    cache.clear()  # another process: nothing kept locally
    assert freshness.cached(("test", 1), _fails) == {"n": 1}
    assert KeptFigures.objects.filter(computed_at__isnull=False).count() == 1


def test_scopes_never_share_figures(db):
    assert freshness.cached(("test", 1), lambda: {"n": 1}) == {"n": 1}
    assert freshness.cached(("test", 2), lambda: {"n": 2}) == {"n": 2}


def test_while_another_process_computes_the_page_shows_the_previous_figures(world):
    freshness.cached(("test", 1), lambda: {"n": 1})
    _submitted(world, "提案一")  # a new data version
    # Another process has claimed the new version and is computing it.
    stamp = (*freshness.data_version(), timezone.localdate())
    KeptFigures.objects.create(key=freshness._digest((("test", 1), stamp)), scope=freshness._digest(("test", 1)),
                               claimed_at=timezone.now())
    shown = freshness.kept(("test", 1), _fails, previous_ok=True)
    assert (shown.value, shown.current) == ({"n": 1}, False)


def test_an_abandoned_claim_is_taken_over(world):
    stamp = (*freshness.data_version(), timezone.localdate())
    KeptFigures.objects.create(key=freshness._digest((("test", 1), stamp)), scope=freshness._digest(("test", 1)),
                               claimed_at=timezone.now() - datetime.timedelta(seconds=freshness.CLAIM_TIMEOUT + 1))
    assert freshness.kept(("test", 1), lambda: {"n": 2}).value == {"n": 2}


def test_a_failed_computation_gives_its_claim_back(db):
    with pytest.raises(ZeroDivisionError):
        freshness.cached(("test", 1), lambda: 1 / 0)
    assert not KeptFigures.objects.exists()
    assert freshness.cached(("test", 1), lambda: {"n": 1}) == {"n": 1}


def test_the_page_says_when_it_shows_previous_figures(world, client_for, monkeypatch):
    staff = client_for(world.staff)
    _submitted(world, "提案一")
    staff.get(reverse("stats:index") + "?year=2023")
    _submitted(world, "提案二")
    cache.clear()
    scope = kpis.Scope(world.committee, year=2023)
    pages = {freshness._digest(("page", *scope.key(), "year=2023", language)) for language in ("zh-hans", "en")}
    claim = freshness._claim
    # Another process is computing the page of the new version.
    monkeypatch.setattr(freshness, "_claim", lambda digest, scope, row, now: scope not in pages and claim(
        digest, scope, row, now))
    page = staff.get(reverse("stats:index") + "?year=2023").content.decode()
    assert "正在计算" in page or "being computed" in page  # (until the catalogue has the new message)
    assert '<span class="stat__number">1</span>' in page  # the previous figures: one proposal received
    monkeypatch.setattr(freshness, "_claim", claim)
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


def test_slow_figures_are_computed_after_the_response_that_found_them_outdated(world, client_for, monkeypatch):
    """A 30,000-proposal term takes seconds to compute: the request that finds its figures outdated shows the
    previous ones, like every other process would, and the new ones are there for the next request."""
    monkeypatch.setattr(freshness, "SLOW_SECONDS", 0)  # every previous version counts as slow to compute
    staff = client_for(world.staff)
    url = reverse("stats:index") + "?year=2023"
    _submitted(world, "提案一")
    page = staff.get(url).content.decode()  # nothing computed before: computed at once
    assert '<span class="stat__number">1</span>' in page and "being computed" not in page
    _submitted(world, "提案二")
    cache.clear()
    page = staff.get(url).content.decode()
    assert "正在计算" in page or "being computed" in page
    assert '<span class="stat__number">1</span>' in page  # the previous figures, computed after this response
    page = staff.get(url).content.decode()
    assert "正在计算" not in page and "being computed" not in page and '<span class="stat__number">2</span>' in page
    # Quick figures make nobody wait for the next request.
    monkeypatch.setattr(freshness, "SLOW_SECONDS", 60)
    _submitted(world, "提案三")
    cache.clear()
    assert '<span class="stat__number">3</span>' in staff.get(url).content.decode()
