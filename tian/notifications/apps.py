from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tian.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Proposals sit below notifications and never import them: the people concerned by an event are told
        # through the followers its task runs (tian/proposals/tasks.py).
        from tian.notifications.rules import RULES
        from tian.notifications.services import dispatch_event
        from tian.proposals import tasks

        tasks.follow("notify", wants=lambda action, state: action in RULES,
                     run=lambda event_id, proposal_id: dispatch_event(event_id))
