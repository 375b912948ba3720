from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tian.deadlines.status import DISCLOSURE, DONE, OVERDUE, Due, deadline_status, proposal_due

register = template.Library()


@register.simple_tag
def proposal_due_of(proposal) -> Due:
    """``status.proposal_due`` of a list's row: the reply deadline that matters now, a unit whose reply is out left
    aside. Prefetch ``status.PROPOSAL_DUE_PREFETCH`` for the list."""
    return proposal_due(proposal)


@register.simple_tag
def deadline_badge(deadline, done=False, due_soon_days=5, task=False):
    """The deadline with its status as text and colour: colour is never the only signal.

    ``deadline`` is a date, or a ``status.Due`` (the deadline with what it is for and whether that work is
    finished: pages pass these, so finished work never reads as running or overdue). ``task`` names what the
    deadline is for (where one list mixes them)."""
    if deadline is None:
        return ""
    if isinstance(deadline, Due):
        if deadline.day is None:
            return format_html('<span class="badge">{}</span>', _("Done")) if deadline.done else ""
        if deadline.task == DISCLOSURE:
            return _disclosure_badge(deadline, due_soon_days)
        status = deadline.status(timezone.localdate(), due_soon_days)
        prefix = f"{deadline.task_label} · " if task else ""
        day = deadline.day
    else:
        status = deadline_status(deadline, timezone.localdate(), due_soon_days=due_soon_days, done=bool(done))
        prefix, day = "", deadline
    if status.level == OVERDUE:
        detail = _("%(n)d working days overdue") % {"n": -status.working_days_left}
    elif status.level == DONE:
        detail = ""
    else:
        detail = _("%(n)d working days left") % {"n": status.working_days_left}
    return format_html('<span class="badge {}">{}{}{}</span> <span class="small">{}</span>', status.css, prefix,
                       status.label, f" · {detail}" if detail else "", day.isoformat())


def _disclosure_badge(due: Due, due_soon_days: int):
    """A replied or closed proposal waiting to be disclosed: its handling is finished; the office's disclosure date
    is said in words, late or not, without the red of late handling."""
    status = due.status(timezone.localdate(), due_soon_days)
    if status.level == OVERDUE:
        detail = _("to be disclosed by %(day)s, %(n)d working days ago") % {
            "day": due.day.isoformat(), "n": -status.working_days_left}
    else:
        detail = _("to be disclosed by %(day)s") % {"day": due.day.isoformat()}
    return format_html('<span class="badge">{}</span> <span class="small">{}</span>', _("Handling finished"), detail)
