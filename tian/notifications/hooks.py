"""What notifications hook into below them, registered once the apps are ready (``NotificationsConfig.ready``):
- the people concerned by an event are told through the followers its task runs (tian/proposals/tasks.py):
  proposals sit below notifications and never import them;
- the bell's unread count is read with the signed-in user, in the same query (``accounts.backends``)."""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from tian.accounts.backends import read_with_user
from tian.notifications.models import Notification
from tian.notifications.rules import RULES
from tian.notifications.services import dispatch_event
from tian.proposals import tasks

tasks.follow("notify", wants=lambda action, state: action in RULES,
             run=lambda event_id, proposal_id: dispatch_event(event_id))


def _unread():
    unread = Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True).values("user").annotate(
        n=Count("pk"))
    return Coalesce(Subquery(unread.values("n")), 0)


read_with_user("unread_at_sign_in", _unread)
