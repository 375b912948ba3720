from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tian.deadlines.status import OVERDUE, deadline_status

register = template.Library()


@register.simple_tag
def deadline_badge(deadline, done=False, due_soon_days=5):
    """The deadline with its status as text and colour: colour is never the only signal."""
    if deadline is None:
        return ""
    status = deadline_status(deadline, timezone.localdate(), due_soon_days=due_soon_days, done=done)
    if status.level == OVERDUE:
        detail = _("%(n)d working days overdue") % {"n": -status.working_days_left}
    elif status.level == "done":
        detail = ""
    else:
        detail = _("%(n)d working days left") % {"n": status.working_days_left}
    return format_html('<span class="badge {}">{}{}</span> <span class="small">{}</span>', status.css,
                       status.label, f" · {detail}" if detail else "", deadline.isoformat())
