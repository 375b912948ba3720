"""Template tags of proposals. A built-in library (settings.TEMPLATES' ``builtins``): lists and pages of every
app show a proposal's state the same way without loading it."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tian.proposals.models import ANSWERED, State

register = template.Library()


STATE_LABELS = dict(State.choices)
# Answered reads as done, a proposal sent back or ended without an answer as a warning; the others as in progress.
STATE_CSS = {**dict.fromkeys(ANSWERED, "badge--ok"),
             **dict.fromkeys((State.RETURNED, State.DECLINED, State.WITHDRAWN), "badge--danger"), State.DRAFT: ""}


@register.simple_tag
def state_badge(proposal):
    """The proposal's state as a badge, and whether it is a key proposal and disclosed. A tag rather than an
    included template: lists show one per row."""
    # The label from the enum: get_state_display() rebuilds a dict of every choice on each call.
    html = format_html('<span class="badge {}">{}</span>', STATE_CSS.get(proposal.state, "badge--info"),
                       STATE_LABELS.get(proposal.state, proposal.state))
    if proposal.is_key:
        html += format_html(' <span class="badge badge--warn">{}</span>', _("Key"))
    if proposal.is_public:
        html += format_html(' <span class="badge">{}</span>', _("Public"))
    return html
