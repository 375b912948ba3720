"""How the statistics page writes a rate (``kpis.rate``)."""

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def percent(value) -> str:
    """``62.5%``, or a dash where the rate has no value (nothing to divide by: nothing assigned, replied or
    evaluated yet), never "—%"."""
    return "—" if value is None else f"{formats.localize(value)}%"
