"""The people concerned by an event are told through the followers its task runs (tian/proposals/tasks.py):
proposals sit below notifications and never import them. Registered once the apps are ready
(``NotificationsConfig.ready``)."""

from tian.notifications.rules import RULES
from tian.notifications.services import dispatch_event
from tian.proposals import tasks

tasks.follow("notify", wants=lambda action, state: action in RULES,
             run=lambda event_id, proposal_id: dispatch_event(event_id))
