"""What follows an event runs only for the events it wants (tian/proposals/tasks.py): the task of an event runs the
followers that asked for it, not every follower registered."""

import pytest

from tian.proposals import events, tasks


@pytest.fixture
def spies(monkeypatch):
    ran = []
    monkeypatch.setitem(tasks.FOLLOWERS, "spy_assigned", tasks.Follower(
        "spy_assigned", lambda action, state: action == "proposal.assigned", lambda e, p: ran.append(("assigned", e))))
    monkeypatch.setitem(tasks.FOLLOWERS, "spy_all", tasks.Follower(
        "spy_all", lambda action, state: True, lambda e, p: ran.append(("all", e))))
    return ran


def test_an_event_runs_only_the_followers_that_want_it(world, assigned, spies, django_capture_on_commit_callbacks):
    proposal = assigned
    with django_capture_on_commit_callbacks(execute=True):
        noted = events.record(proposal, world.staff, "proposal.noted", from_state=proposal.state)
    assert ("all", noted.pk) in spies and ("assigned", noted.pk) not in spies
    with django_capture_on_commit_callbacks(execute=True):
        assigned = events.record(proposal, world.staff, "proposal.assigned", from_state=proposal.state)
    assert ("assigned", assigned.pk) in spies and ("all", assigned.pk) in spies


def test_an_event_nobody_wants_queues_nothing(world, assigned, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks, "FOLLOWERS", {})
    proposal = assigned
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        events.record(proposal, world.staff, "proposal.noted", from_state=proposal.state)
    assert all("_after_commit" not in repr(c) for c in callbacks)
    assert tasks.wanted("proposal.noted", proposal.state, notify=True, index=True) == []
