"""What follows an event, done by the task worker off the request path.

The apps above proposals register what they do after an event (``follow``): search brings its index up to date
(segmentation takes milliseconds to tens of milliseconds), notifications tells the people concerned. Proposals
never imports them; it only runs what was registered, so an event module low in the layers can have effects
higher up.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from tian.core.tasks import task

logger = logging.getLogger("tian.events")


@dataclass(frozen=True)
class Follower:
    kind: str  # "notify" or "index": the switch of ``events.quiet`` that turns it off
    wants: Callable[[str, str], bool]  # (action, to_state): whether this event concerns it at all
    run: Callable[[int, int], None]  # (event_id, proposal_id), after the commit


FOLLOWERS: dict[str, Follower] = {}


def follow(kind: str, *, wants: Callable[[str, str], bool], run: Callable[[int, int], None]) -> None:
    """Register what to do after every event it ``wants``; called from an ``AppConfig.ready``, once per kind."""
    FOLLOWERS[kind] = Follower(kind, wants, run)


def _enabled(*, notify: bool, index: bool) -> list[Follower]:
    switches = {"notify": notify, "index": index}
    return [f for f in FOLLOWERS.values() if switches.get(f.kind, True)]


def wanted(action: str, state: str, *, notify: bool, index: bool) -> list[str]:
    """The followers this event concerns, by kind: a task is queued only if there is one (starting a draft
    queues nothing), and runs only those (a suggestion is not worked out again after every co-signature)."""
    return [f.kind for f in _enabled(notify=notify, index=index) if f.wants(action, state)]


def follow_up(event_id: int, proposal_id: int, kinds: list[str]) -> None:
    """The followers ``kinds``, each on its own: a failure of one does not stop the others."""
    for kind in kinds:
        follower = FOLLOWERS.get(kind)
        if follower is None:
            continue
        try:
            follower.run(event_id, proposal_id)
        except Exception:
            logger.exception("%s after event %s failed", follower.kind, event_id)


@task()
def after_event(event_id: int, proposal_id: int, notify: bool = True, index: bool = True,
                kinds: list[str] | None = None) -> None:
    # ``kinds`` None: a task queued before followers were chosen per event, which ran every follower enabled.
    follow_up(event_id, proposal_id, kinds if kinds is not None else
              [f.kind for f in _enabled(notify=notify, index=index)])
